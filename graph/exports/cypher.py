"""A Cypher script that recreates the graph in Neo4j, in the schema of graph/neo4j/schema.py.

Every value is a Cypher literal escaped here (strings single-quoted, backslash, quote and control
characters escaped), never pasted in raw; labels, types and property names come from the fixed
schema. Rows go in batched ``UNWIND [...] AS row`` statements. The script first creates the
uniqueness constraints, then deletes the dataset's nodes, so running it twice gives the same graph.
Each statement ends with ``;`` at the end of a line; no string literal spans lines, so
``split_statements`` can cut the script for a driver (cypher-shell reads it as it is).
"""

from __future__ import annotations

__all__ = ["BATCH_SIZE", "cypher_literal", "cypher_script", "split_statements"]

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from graph.build import NODE_KINDS
from graph.exports.records import FORMAT_VERSION, GraphRecords
from graph.neo4j import schema

#: Rows per UNWIND statement: large enough to be fast, small enough for any transaction.
BATCH_SIZE = 500

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


#: The characters a Cypher string literal cannot hold as they are (found in one regex pass: fast on
#: the common string that has none of them).
_SPECIAL_RE = re.compile("[\\\\'\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape_char(char: str) -> str:
    escaped = _ESCAPES.get(char)
    if escaped is not None:
        return escaped
    code = ord(char)
    # Other control and line-separator characters as \\uXXXX: no raw line breaks inside a literal.
    if code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029):
        return f"\\u{code:04x}"
    return char


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a string, number, boolean, None, list or map (map keys must be plain names).

    >>> cypher_literal(["it's", "a\\\\b\\nc", None, True, 3])
    "['it\\\\'s', 'a\\\\\\\\b\\\\nc', null, true, 3]"
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no Cypher literal for {value!r}")
        return repr(value)
    if isinstance(value, str):
        return "'" + _SPECIAL_RE.sub(lambda m: _escape_char(m.group(0)), value) + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        for key in value:
            if not (isinstance(key, str) and key.isidentifier()):
                raise ValueError(f"map key {key!r} is not a plain name")
        return "{" + ", ".join(f"{k}: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


def _unwind(rows: list[dict[str, Any]], body: str) -> Iterator[str]:
    for batch in _batches(rows):
        listed = ",\n".join("  " + cypher_literal(row) for row in batch)
        yield f"UNWIND [\n{listed}\n] AS row\n{body};"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _local_key(node_key: str) -> str:
    return node_key.partition(":")[2]


def cypher_script(records: GraphRecords, dataset: str) -> str:
    """The script that (re)creates ``dataset`` in a Neo4j database."""
    ds = cypher_literal(dataset)
    label: dict[str, str] = {kind: name for kind, name in schema.LABELS.items()}
    rel: dict[str, str] = {edge: name for edge, name in schema.REL_TYPES.items()}
    kinds = {n["id"]: n["kind"] for n in records.nodes}
    lines = [
        f"// glossgraph Cypher export, format {FORMAT_VERSION}: recreates dataset {dataset!r} "
        f"({sum(k == 'concept' for k in kinds.values())} concepts).",
        "// Run with cypher-shell (cypher-shell -f graph.cypher) or statement by statement.",
    ]
    statements = [*(c + ";" for c in schema.CONSTRAINTS)]
    any_label = " OR ".join(f"n:{label[k]}" for k in NODE_KINDS)
    statements.append(f"MATCH (n) WHERE n.{schema.DATASET} = {ds} AND ({any_label})\nDETACH DELETE n;")
    concepts = []
    for node in records.nodes:
        if node["kind"] != "concept":
            continue
        row = {name: node[name] for name in schema.CONCEPT_PROPERTIES}
        for name in ("sources", "related"):
            row[name] = _json(node[name])
        for name in ("translations", "attributes"):
            if node.get(name):
                row[name] = _json(node[name])
        concepts.append(row)
    statements += _unwind(concepts, f"CREATE (n:{label['concept']}) SET n = row, n.{schema.DATASET} = {ds}")
    for kind in ("alias", "category", "missing"):
        rows = []
        for node in records.nodes:
            if node["kind"] == kind:
                row = {"key": _local_key(node["id"]), "name": node["title"]}
                if kind == "category":
                    row["parents"] = _json(node["parents"])
                rows.append(row)
        statements += _unwind(rows, f"CREATE (n:{label[kind]}) SET n = row, n.{schema.DATASET} = {ds}")

    def match(kind: str, side: str) -> str:
        prop = "id" if kind == "concept" else "key"
        return f"MATCH ({side}:{label[kind]} {{{schema.DATASET}: {ds}, {prop}: row.{side}}})"

    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for edge in records.edges:
        source_kind, target_kind = kinds[edge["source"]], kinds[edge["target"]]
        row = {
            "s": edge["source"] if source_kind == "concept" else _local_key(edge["source"]),
            "t": edge["target"] if target_kind == "concept" else _local_key(edge["target"]),
        }
        if edge["type"] in ("related", "broader"):
            row.update(via=edge["via"], written=edge["written"], count=edge["count"])
        groups.setdefault((edge["type"], source_kind, target_kind), []).append(row)
    for (edge_type, source_kind, target_kind), rows in sorted(groups.items()):
        props = " {via: row.via, written: row.written, count: row.count}" if edge_type in ("related", "broader") else ""
        body = f"{match(source_kind, 's')}\n{match(target_kind, 't')}\nCREATE (s)-[:{rel[edge_type]}{props}]->(t)"
        statements += _unwind(rows, body)
    return "\n".join(lines) + "\n" + "\n".join(statements) + "\n"


def split_statements(script: str) -> list[str]:
    """The statements of a script made by ``cypher_script``, without their ``;`` and comment lines."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.split("\n"):
        if not current and (not line.strip() or line.startswith("//")):
            continue
        current.append(line)
        if line.endswith(";"):
            statements.append("\n".join(current)[:-1])
            current = []
    if current and "".join(current).strip():
        statements.append("\n".join(current))
    return statements
