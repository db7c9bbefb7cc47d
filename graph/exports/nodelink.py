"""Canonical node-link JSON: the snapshot's master copy, byte-stable so snapshots diff well in git.

Sorted keys, nodes sorted by id, links by (source, target, type); the lists inside a concept
(aliases, categories, sources, related) keep their authored order, which is content. The layout
is networkx's node-link form (``nx.node_link_graph(data, edges="links")`` reads it, edge keys
being the edge types) plus a ``format`` marker and a ``version``.
"""

from __future__ import annotations

__all__ = ["nodelink_bytes", "nodelink_data", "write_nodelink"]

import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, BinaryIO

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
    out = io.BytesIO()
    write_nodelink(records.nodes, records.edges, len(records.edges), out)
    return out.getvalue()


#: Records encoded per write: big enough for few system calls, small enough to keep memory flat.
_CHUNK = 2000


def write_nodelink(
    nodes: Sequence[dict[str, Any]],
    edges: Iterable[dict[str, Any]],
    edge_count: int,
    out: BinaryIO,
    progress: Callable[[int, int], object] | None = None,
) -> None:
    """Write the canonical bytes to ``out`` a chunk of records at a time, never holding the whole document.

    ``edges`` may be an iterator (graph.exports.records.stream_records) of ``edge_count`` edges in
    their sorted order; ``progress`` is told how many records (nodes, then links) are written, of how many.
    """
    total = len(nodes) + edge_count
    done = 0

    def one_per_line(items: Iterable[dict[str, Any]], count: int) -> None:
        # One record a line: git diffs show which concept changed, and without `indent` json uses
        # its C encoder, several times faster on large glossaries.
        nonlocal done
        if not count:
            out.write(b"[]")
            return
        out.write(b"[\n")
        chunk: list[str] = []
        first = True
        for item in items:
            chunk.append(json.dumps(item, ensure_ascii=False, sort_keys=True))
            if len(chunk) == _CHUNK:
                out.write(((",\n" if not first else "") + ",\n".join(chunk)).encode("utf-8"))
                done += len(chunk)
                first = False
                chunk = []
                if progress is not None:
                    progress(done, total)
        if chunk:
            out.write(((",\n" if not first else "") + ",\n".join(chunk)).encode("utf-8"))
            done += len(chunk)
        out.write(b"\n]")

    # The keys in sorted order, as json.dumps(sort_keys=True) of nodelink_data() would write them.
    scalars: dict[str, Any] = {"directed": True, "format": FORMAT, "graph": {}, "multigraph": True,
                               "version": FORMAT_VERSION}
    keys = sorted([*scalars, "links", "nodes"])
    out.write(b"{")
    for number, key in enumerate(keys):
        if number:
            out.write(b",\n")
        out.write(f"{json.dumps(key)}: ".encode())
        if key == "nodes":
            one_per_line(nodes, len(nodes))
        elif key == "links":
            one_per_line(({**edge, "key": edge["type"]} for edge in edges), edge_count)
        else:
            out.write(json.dumps(scalars[key], ensure_ascii=False, sort_keys=True).encode("utf-8"))
    out.write(b"}\n")
    if progress is not None:
        progress(total, total)
