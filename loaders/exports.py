"""Load the project's own exports back: node-link JSON, GraphML, GEXF, a CSV nodes+edges folder, a snapshot.

Each gives back exactly the Glossary that was exported (concept fields, references in order with
their kind, the category hierarchy); the derived nodes and edges in the files are ignored. Errors
name the file and the line of the node at fault.
"""

from __future__ import annotations

__all__ = [
    "MANIFEST",
    "is_csv_pair",
    "is_nodelink",
    "is_snapshot",
    "load_csv_pair",
    "load_gexf",
    "load_graphml",
    "load_nodelink",
    "load_snapshot",
]

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from graph.errors import LoadError, Problem
from graph.exports.records import FORMAT, FORMAT_VERSION, JSON_FIELDS, glossary_from_records, unflat_node
from graph.exports.tables import unspreadsheet_cell
from graph.model import Glossary
from graph.untrusted import clip, inside, refuse_xml_entities
from loaders import Progress
from loaders.io import check_options, parse_json, parse_size, refuse_field_mapping

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

#: The manifest file that marks a snapshot folder.
MANIFEST = "manifest.json"
SNAPSHOT_FORMAT = "glossgraph-snapshot"
_MARKER_RE = re.compile(rb'"format"\s*:\s*"glossgraph"')
_CSV_NAMES = ("nodes.csv", "edges.csv")


def _read_bytes(path: Path, max_file_size: int | str | None) -> bytes:
    limit = parse_size(max_file_size)
    try:
        size = path.stat().st_size
        if size > limit:
            raise LoadError(Problem(str(path), None, f"the file is {size:,} bytes, over the {limit:,}-byte limit "
                                                     "(raise it with the max_file_size option)"))
        return path.read_bytes()
    except OSError as error:
        raise LoadError(Problem(str(path), None, f"cannot read the file: {error.strerror or error}")) from error


def _check_version(version: Any, where: str, line: int | None = None) -> None:
    if version is None:
        return
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise LoadError(Problem(where, line, f"format version must be a number, not {clip(version)}")) from None
    if number > FORMAT_VERSION:
        raise LoadError(Problem(where, line, f"format version {number} is newer than this glossgraph reads "
                                             f"({FORMAT_VERSION}); upgrade glossgraph"))


# -- detection -----------------------------------------------------------------------------


def is_nodelink(path: Path) -> bool:
    """True for a JSON file carrying the glossgraph format marker (a node-link export)."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return bool(_MARKER_RE.search(head))


def is_csv_pair(path: Path) -> bool:
    """True for a folder holding nodes.csv and edges.csv."""
    return path.is_dir() and all((path / name).is_file() for name in _CSV_NAMES)


def is_snapshot(path: Path) -> bool:
    """True for a snapshot folder: one with a glossgraph manifest.json."""
    manifest = path / MANIFEST
    if not (path.is_dir() and manifest.is_file()):
        return False
    try:
        return bool(_MARKER_RE.search(manifest.read_bytes()[:4096].replace(b"glossgraph-snapshot", b"glossgraph")))
    except OSError:
        return False


# -- node-link JSON ------------------------------------------------------------------------


def load_nodelink(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load a node-link JSON export."""
    check_options("nodelink", options, ())
    refuse_field_mapping("nodelink", mapping)
    path = Path(path)
    where = str(path)
    data = _read_bytes(path, max_file_size)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise LoadError(Problem(where, line, "not UTF-8 (save the file as UTF-8)")) from None
    document = parse_json(text, where)
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), list):
        raise LoadError(Problem(where, 1, 'a node-link export is a JSON object with a "nodes" list'))
    if document.get("format") != FORMAT:
        raise LoadError(Problem(where, 1, f'not a glossgraph export: "format" is {clip(document.get("format"))}'))
    _check_version(document.get("version"), where, 1)
    records = []
    for number, node in enumerate(document["nodes"]):
        if not isinstance(node, dict):
            raise LoadError(Problem(where, None, f"node {number + 1} is not an object: {clip(node)}"))
        records.append(node)
    if progress is not None:
        progress(len(records), len(records))
    return glossary_from_records(records, where, "nodelink", lenient=lenient)


# -- GraphML and GEXF ----------------------------------------------------------------------


def _parse_xml(path: Path, max_file_size: int | str | None, what: str) -> etree._Element:
    data = _read_bytes(path, max_file_size)
    refuse_xml_entities(data, str(path))
    # No entities, no network, no DTD loading: an XML file cannot reach outside itself.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise LoadError(Problem(str(path), line, f"invalid {what}: {error.msg}")) from None


def _xml_graph(path: Path, max_file_size: int | str | None, what: str, root_name: str) -> tuple[str, Any, Any]:
    """Parse a GraphML or GEXF file: (where, root element, its <graph>), or a LoadError naming the line."""
    where = str(path)
    root = _parse_xml(path, max_file_size, what)
    if _local(root.tag) != root_name:
        raise LoadError(Problem(where, root.sourceline, f"not {what}: the root element is <{_local(root.tag)}>"))
    graph = next((e for e in root if _local(e.tag) == "graph"), None)
    if graph is None:
        raise LoadError(Problem(where, root.sourceline, f"the {what} file holds no <graph>"))
    return where, root, graph


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def load_graphml(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load a GraphML export."""
    check_options("graphml", options, ())
    refuse_field_mapping("graphml", mapping)
    where, root, graph = _xml_graph(Path(path), max_file_size, "GraphML", "graphml")
    keys: dict[str, str] = {}
    for element in root:
        if _local(element.tag) == "key":
            keys[element.get("id", "")] = element.get("attr.name", "")
    records = []
    for element in graph:
        name = _local(element.tag)
        if name == "data" and keys.get(element.get("key", "")) == "version":
            _check_version(element.text, where, element.sourceline)
        if name != "node":
            continue
        flat: dict[str, Any] = {"id": element.get("id")}
        for data in element:
            if _local(data.tag) == "data":
                attr = keys.get(data.get("key", ""))
                if attr:
                    flat[attr] = data.text or ""
        records.append(unflat_node(flat, where, element.sourceline))
    return glossary_from_records(records, where, "graphml", lenient=lenient)


def load_gexf(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load a GEXF export."""
    check_options("gexf", options, ())
    refuse_field_mapping("gexf", mapping)
    where, _root, graph = _xml_graph(Path(path), max_file_size, "GEXF", "gexf")
    titles: dict[str, str] = {}
    records = []
    for block in graph:
        name = _local(block.tag)
        if name == "attributes" and block.get("class") == "node":
            titles = {a.get("id", ""): a.get("title", "") for a in block if _local(a.tag) == "attribute"}
        elif name == "nodes":
            for node in block:
                if _local(node.tag) != "node":
                    continue
                flat: dict[str, Any] = {"id": node.get("id")}
                for values in node:
                    if _local(values.tag) != "attvalues":
                        continue
                    for value in values:
                        title = titles.get(value.get("for", ""))
                        if title:
                            flat[title] = value.get("value", "")
                records.append(unflat_node(flat, where, node.sourceline))
    return glossary_from_records(records, where, "gexf", lenient=lenient)


# -- CSV nodes + edges ---------------------------------------------------------------------


def load_csv_pair(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load a CSV export folder (nodes.csv; edges.csv is derived and not read)."""
    check_options("csv-graph", options, ())
    refuse_field_mapping("csv-graph", mapping)
    folder = Path(path)
    nodes = folder / "nodes.csv"
    where = str(nodes)
    if nodes.is_symlink() and not inside(folder, nodes):
        raise LoadError(Problem(where, None, "nodes.csv is a symlink leading outside the folder"))
    data = _read_bytes(nodes, max_file_size)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise LoadError(Problem(where, line, "not UTF-8 (save the file as UTF-8)")) from None
    # Long definitions exceed the csv module's default 128 KiB cell limit.
    csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise LoadError(Problem(where, 1, "the file is empty")) from None
    except csv.Error as error:
        raise LoadError(Problem(where, 1, f"invalid CSV: {error}")) from None
    header = [unspreadsheet_cell(name) for name in header]
    missing = [c for c in ("id", "kind", "title") if c not in header]
    if missing:
        raise LoadError(Problem(where, 1, f"nodes.csv needs the columns id, kind and title; missing {missing}"))
    records = []
    start = reader.line_num + 1
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not any(row):
                continue
            if len(row) != len(header):
                raise LoadError(Problem(where, line, f"{len(row)} cells where the header has {len(header)}"))
            # The writer put a quote before cells a spreadsheet would run as formulas (graph/exports/tables.py).
            cells = dict(zip(header, map(unspreadsheet_cell, row), strict=True))
            records.append(_csv_record(cells, where, line))
    except csv.Error as error:
        raise LoadError(Problem(where, reader.line_num, f"invalid CSV: {error}")) from None
    return glossary_from_records(records, where, "csv-graph", lenient=lenient)


def _csv_record(cells: dict[str, str], where: str, line: int) -> dict[str, Any]:
    flat: dict[str, Any] = {k: v for k, v in cells.items() if k not in JSON_FIELDS or v != ""}
    nulls_text = flat.pop("nulls", None)
    if flat.get("kind") != "concept":
        # Only a category's parents matter among the other kinds' cells; the rest are blank.
        return unflat_node({k: v for k, v in flat.items() if k in ("id", "kind", "title", "parents")}, where, line)
    if flat.get("kind") == "concept":
        if nulls_text:
            try:
                nulls = json.loads(nulls_text)
            except (json.JSONDecodeError, RecursionError):
                message = f"the nulls cell is not a JSON list: {clip(nulls_text)}"
                raise LoadError(Problem(where, line, message)) from None
        else:
            nulls = [name for name in ("level", "published") if not flat.get(name)]
        for name in ("level", "published"):
            if name in nulls:
                flat[name] = None
        if flat.get("deprecated", "") == "":
            flat["deprecated"] = "false"
    return unflat_node(flat, where, line)


# -- snapshot folder -----------------------------------------------------------------------


def load_snapshot(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    **options: Any,
) -> Glossary:
    """Load a snapshot folder through its node-link JSON (the file its manifest names)."""
    folder = Path(path)
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadError(Problem(str(manifest_path), None, f"cannot read the manifest: {error}")) from None
    except RecursionError:
        raise LoadError(Problem(str(manifest_path), None, "the manifest is nested too deeply to read")) from None
    name = manifest.get("graph", "graph.json") if isinstance(manifest, dict) else "graph.json"
    if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
        raise LoadError(Problem(str(manifest_path), None, f"the manifest names a bad graph file: {clip(name)}"))
    if (folder / name).is_symlink() and not inside(folder, folder / name):
        raise LoadError(Problem(str(folder / name), None, "the graph file is a symlink leading outside the snapshot"))
    glossary = load_nodelink(folder / name, mapping=mapping, lenient=lenient, progress=progress, **options)
    glossary.source = str(folder)
    glossary.format = "snapshot"
    return glossary
