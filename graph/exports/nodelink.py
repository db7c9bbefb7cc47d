"""Canonical node-link JSON: the snapshot's master copy, byte-stable so snapshots diff well in git.

Sorted keys, nodes sorted by id, links by (source, target, type); the lists inside a concept
(aliases, categories, sources, related) keep their authored order, which is content. The layout
is networkx's node-link form (``nx.node_link_graph(data, edges="links")`` reads it, edge keys
being the edge types) plus a ``format`` marker and a ``version``.
"""

from __future__ import annotations

__all__ = ["nodelink_bytes", "nodelink_data"]

import json
from typing import Any

from graph.exports.records import FORMAT, FORMAT_VERSION, GraphRecords


def nodelink_data(records: GraphRecords) -> dict[str, Any]:
    """The node-link document as plain data."""
    links = [{**edge, "key": edge["type"]} for edge in records.edges]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "directed": True,
        "multigraph": True,
        "graph": {},
        "nodes": records.nodes,
        "links": links,
    }


def nodelink_bytes(records: GraphRecords) -> bytes:
    """The canonical bytes: the same graph always gives the same bytes.

    >>> from graph.exports.records import graph_records
    >>> from graph.model import Concept, Glossary
    >>> nodelink_bytes(graph_records(Glossary([Concept("a", "A")]))).count(b'"id": "a"')
    1
    """
    data = nodelink_data(records)

    def one_per_line(items: list[dict[str, Any]]) -> str:
        # One record a line: git diffs show which concept changed, and without `indent` json uses
        # its C encoder, several times faster on large glossaries.
        if not items:
            return "[]"
        return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items) + "\n]"

    parts = []
    for key in sorted(data):
        value = data[key]
        listed = key in ("nodes", "links")
        text = one_per_line(value) if listed else json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f"{json.dumps(key)}: {text}")
    return ("{" + ",\n".join(parts) + "}\n").encode("utf-8")
