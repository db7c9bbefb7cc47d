"""Exports: the graph of a glossary in standard formats, written atomically and never over a file by accident.

Each format is a function of the Glossary (the source of truth) and its derived graph; every
format except HTML loads back into an equal Glossary (``loaders.load``). See docs/formats.md.

>>> from graph.model import Concept, Glossary
>>> sorted(render(Glossary([Concept("a", "A")]), "csv"))
['edges.csv', 'nodes.csv']
"""

from __future__ import annotations

__all__ = [
    "EXPORT_FORMATS",
    "FILE_NAMES",
    "FORMAT",
    "FORMAT_VERSION",
    "GraphRecords",
    "export",
    "graph_records",
    "render",
    "write_atomic",
    "write_atomic_stream",
    "write_folder_atomic",
]

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from graph.errors import ExportError, UsageError
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

#: The files a csv export folder holds; a folder with other files is never replaced.
CSV_FILES = ("edges.csv", "nodes.csv")


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


def _refuse(path: Path, force: bool, replaceable: Callable[[Path], bool] | None = None) -> None:
    if not (path.exists() or path.is_symlink()):
        return
    if not force:
        raise ExportError(f"{path} already exists; use --force to replace it")
    if path.is_dir() and (replaceable is None or not replaceable(path)):
        raise ExportError(f"{path} is a folder that this export did not write; refusing to replace it")


def write_atomic(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write a file through a temporary file in the same folder and a rename: readers never see half a file."""
    return write_atomic_stream(path, lambda out: out.write(data), force=force)


def write_atomic_stream(path: str | Path, write: Callable[[BinaryIO], object], *, force: bool = False) -> Path:
    """Like write_atomic, but ``write`` streams the content into the temporary file (no whole copy in memory)."""
    path = Path(path)
    _refuse(path, force)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_folder_atomic(
    path: str | Path,
    fill: Callable[[Path], None],
    *,
    force: bool = False,
    replaceable: Callable[[Path], bool] | None = None,
) -> Path:
    """Build a folder under a temporary name beside ``path`` (``fill`` writes into it), then rename it into place.

    An existing folder is replaced only with ``force`` and only when ``replaceable`` says it is
    one of ours; it is moved aside first and removed once the new folder is in place.
    """
    path = Path(path)
    _refuse(path, force, replaceable)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    old: Path | None = None
    try:
        fill(temporary)
        if path.exists() or path.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / "replaced")
        os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        if old is not None and not path.exists():
            os.replace(old / "replaced", path)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return path


def _is_csv_folder(path: Path) -> bool:
    return sorted(p.name for p in path.iterdir()) == list(CSV_FILES)


def _write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    for name, data in files.items():
        (folder / name).write_bytes(data)


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
    _refuse(path, force, _is_csv_folder if fmt == "csv" else None)
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
                                      replaceable=_is_csv_folder)
    else:
        written = write_atomic(path, data, force=force)
    tell(1.0, "done")
    return written
