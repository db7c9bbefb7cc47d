"""Exports: the graph of a glossary in standard formats, written atomically and never over a file by accident.

Each format is a function of the Glossary (the source of truth) and its derived graph; every
format except HTML loads back into an equal Glossary (``loaders.load``). See docs/formats.md.

>>> from graph.model import Concept, Glossary
>>> sorted(render(Glossary([Concept("a", "A")]), "csv"))
['edges.csv', 'nodes.csv']
"""

from __future__ import annotations

__all__ = [
    "CSV_EXPORT_FORMAT",
    "CSV_FILES",
    "CSV_MANIFEST",
    "EXPORT_FORMATS",
    "FILE_NAMES",
    "FORMAT",
    "FORMAT_VERSION",
    "GraphRecords",
    "csv_manifest",
    "export",
    "graph_records",
    "is_csv_export",
    "render",
    "write_atomic",
    "write_atomic_stream",
    "write_folder_atomic",
]

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from graph.errors import UsageError
from graph.exports.atomic import check_target, write_atomic, write_atomic_stream, write_folder_atomic
from graph.exports.records import FORMAT, FORMAT_VERSION, GraphRecords, graph_records
from graph.model import Glossary
from graph.protocol import GraphStore

#: Export formats, in the order a snapshot writes them.
EXPORT_FORMATS = ("json", "graphml", "gexf", "csv", "cypher", "html")

#: The file (or, for csv, folder) name each format has inside a snapshot.
FILE_NAMES: dict[str, str] = {
    "json": "graph.json",
    "graphml": "graph.graphml",
    "gexf": "graph.gexf",
    "csv": "csv",
    "cypher": "graph.cypher",
    "html": "graph.html",
}

#: The files a csv export folder holds, beside its manifest; a folder with other files is never replaced.
CSV_FILES = ("edges.csv", "nodes.csv")
CSV_MANIFEST = "manifest.json"
CSV_EXPORT_FORMAT = "glossgraph-csv"


def _html(source: Glossary | GraphStore, heading: str) -> bytes:
    from graph.local import LocalStore
    from graph.render import render_html

    store = LocalStore(source) if isinstance(source, Glossary) else source
    return render_html(store, heading=heading).encode("utf-8")


def render(
    source: Glossary | GraphStore,
    fmt: str,
    *,
    dataset: str = "glossgraph",
    heading: str = "",
    records: GraphRecords | None = None,
) -> bytes | dict[str, bytes]:
    """The bytes of one export (csv: the two files by name); ``dataset`` names the Cypher script's Neo4j dataset."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "html":
        return _html(source, heading)
    records = records if records is not None else graph_records(source)
    if fmt == "json":
        from graph.exports.nodelink import nodelink_bytes

        return nodelink_bytes(records)
    if fmt == "graphml":
        from graph.exports.xml import graphml_bytes

        return graphml_bytes(records)
    if fmt == "gexf":
        from graph.exports.xml import gexf_bytes

        return gexf_bytes(records)
    if fmt == "cypher":
        from graph.exports.cypher import cypher_script

        return cypher_script(records, dataset).encode("utf-8")
    from graph.exports.tables import csv_files

    return csv_files(records)


def csv_manifest(files: Mapping[str, bytes]) -> bytes:
    """The manifest.json of a csv export folder: marks the folder as ours, so ``--force`` may replace it."""
    listed = {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()}
    manifest = {"format": CSV_EXPORT_FORMAT, "version": FORMAT_VERSION, "files": listed}
    return (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def is_csv_export(path: Path) -> bool:
    """True for a csv export folder this tool wrote: its manifest says so and it holds nothing else."""
    try:
        entries = {entry.name: entry for entry in os.scandir(path)}
        if set(entries) - {*CSV_FILES, CSV_MANIFEST} or not all(
                entry.is_file(follow_symlinks=False) for entry in entries.values()):
            return False
        manifest = json.loads((path / CSV_MANIFEST).read_bytes())
    except (OSError, ValueError, RecursionError):  # a manifest nested 100,000 deep is not ours either
        return False
    return isinstance(manifest, dict) and manifest.get("format") == CSV_EXPORT_FORMAT


def _write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / CSV_MANIFEST).write_bytes(csv_manifest(files))


def export(
    source: Glossary | GraphStore,
    fmt: str,
    path: str | Path,
    *,
    force: bool = False,
    dataset: str = "glossgraph",
    heading: str = "",
    progress: Callable[[float, str], object] | None = None,
) -> Path:
    """Write one export to ``path`` (csv: a folder with nodes.csv and edges.csv); never overwrites without ``force``.

    Node-link JSON is streamed to the file a chunk at a time; ``progress`` hears the share done and the step.
    """
    path = Path(path)
    check_target(path, force, fmt == "csv", is_csv_export)
    tell = progress or (lambda _share, _step: None)
    if fmt == "json":
        from graph.exports.nodelink import write_nodelink
        from graph.exports.records import stream_records

        tell(0.0, "building the graph records")
        nodes, edges, edge_count = stream_records(source)
        tell(0.3, "writing")
        written = write_atomic_stream(
            path,
            lambda out: write_nodelink(nodes, edges, edge_count, out,
                                       lambda done, total: tell(0.3 + 0.7 * done / max(total, 1), "writing")),
            force=force,
        )
        tell(1.0, "done")
        return written
    tell(0.0, f"building the {fmt} export")
    data = render(source, fmt, dataset=dataset, heading=heading)
    tell(0.9, "writing")
    if isinstance(data, dict):
        files = data
        written = write_folder_atomic(path, lambda folder: _write_files(folder, files), force=force,
                                      replaceable=is_csv_export)
    else:
        written = write_atomic(path, data, force=force)
    tell(1.0, "done")
    return written
