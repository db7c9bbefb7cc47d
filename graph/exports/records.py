"""What every export carries: one record per graph node and edge, and the way back to a Glossary.

A concept node holds every content field of its Concept (the source of truth); alias, category and
missing nodes and all edges are derived from the concepts and written for other tools (Gephi,
pandas, Neo4j). Loading reads the concept records and the category hierarchy back into a Glossary
and ignores the derived parts, so a loaded export builds the same graph as its source.
"""

from __future__ import annotations

__all__ = [
    "EDGE_FIELDS",
    "FORMAT",
    "FORMAT_VERSION",
    "JSON_FIELDS",
    "NODE_FIELDS",
    "GraphRecords",
    "flat_edge",
    "flat_node",
    "glossary_from_records",
    "graph_records",
    "json_text",
    "stream_records",
    "unflat_node",
]

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graph.build import NODE_KINDS, build_graph, category_key
from graph.errors import LoadError, Problem
from graph.model import LINK_KINDS, Concept, Glossary, Origin, Reference, Source, Translation
from graph.protocol import GraphStore
from graph.resolve import resolve_links
from graph.untrusted import clip, lone_surrogate_line

#: The marker and version written into every export that has a place for them.
FORMAT = "glossgraph"
FORMAT_VERSION = 1

#: Node fields in column order; ``id`` is the node key (the concept id for concepts).
NODE_FIELDS = (
    "id",
    "kind",
    "title",
    "definition",
    "body",
    "aliases",
    "categories",
    "category",
    "level",
    "published",
    "sources",
    "related",
    "deprecated",
    "parents",
    "replaced_by",
    "translations",
    "attributes",
)
#: Node fields whose values are lists or objects: JSON text in formats that only hold strings.
JSON_FIELDS = ("aliases", "categories", "sources", "related", "parents", "translations", "attributes")
#: Edge fields in column order; via, written and count belong to related and broader edges only.
EDGE_FIELDS = ("source", "target", "type", "via", "written", "count")


@dataclass(frozen=True, slots=True)
class GraphRecords:
    """The graph as plain records: nodes sorted by id, edges by (source, target, type)."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def _concept_record(concept: Concept) -> dict[str, Any]:
    return {"kind": "concept", **concept.content()}


def graph_records(source: Glossary | GraphStore) -> GraphRecords:
    """The records of a glossary (or a store's glossary) and its graph, independent of concept order.

    The graph is rebuilt from the concepts sorted by id, so the names of derived nodes (the first
    spelling of an alias, category or missing target) and of ``written`` do not depend on the order
    the source listed its concepts in: a glossary and its reloaded export give the same records.

    >>> from graph.model import Concept, Reference
    >>> r = graph_records(Glossary([Concept("a", "A", related=(Reference("b"),)), Concept("b", "B")]))
    >>> [(n["id"], n["kind"]) for n in r.nodes], r.edges[0]["type"]
    ([('a', 'concept'), ('b', 'concept')], 'related')
    """
    nodes, edges, _count = stream_records(source)
    return GraphRecords(nodes, list(edges))


def stream_records(source: Glossary | GraphStore) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]], int]:
    """The node records, an iterator of the edge records and how many edges: graph_records without the edge list.

    The edges come in the same (source, target, type) order, made one at a time from the graph, so
    a streaming writer never holds a million edge records at once.
    """
    glossary = source if isinstance(source, Glossary) else source.glossary()
    canonical = Glossary(
        sorted(glossary.concepts, key=lambda c: c.id),
        category_parents=dict(sorted(glossary.category_parents.items())),
    )
    graph = build_graph(canonical, resolve_links(canonical))
    concepts = glossary.by_id()
    parents: dict[str, dict[str, list[str]]] = {}
    for child, ups in glossary.category_parents.items():
        parents.setdefault(category_key(child), {})[child] = list(ups)
    nodes: list[dict[str, Any]] = []
    for key in sorted(graph.nodes):
        attrs = graph.nodes[key]
        kind = attrs["kind"]
        if kind == "concept":
            nodes.append(_concept_record(concepts[key]))
            continue
        record: dict[str, Any] = {"id": key, "kind": kind, "title": attrs["title"]}
        if kind == "category":
            record["parents"] = parents.get(key, {})
        nodes.append(record)

    def edges() -> Iterator[dict[str, Any]]:
        # Sorted sources, then sorted targets, then sorted types: the order of sorting every
        # (source, target, type) triple, without building the list of them.
        adjacency = graph.adj
        for s in sorted(adjacency):
            out = adjacency[s]
            for t in sorted(out):
                keyed = out[t]
                for edge_type in sorted(keyed):
                    attrs = keyed[edge_type]
                    edge: dict[str, Any] = {"source": s, "target": t, "type": edge_type}
                    if edge_type in ("related", "broader"):
                        edge.update(via=attrs["via"], written=attrs["written"], count=attrs["count"])
                    yield edge

    return nodes, edges(), graph.number_of_edges()


def json_text(value: Any) -> str:
    """The JSON text a list or object field is stored as in string-only formats (stable, UTF-8 kept)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def flat_node(record: dict[str, Any]) -> dict[str, str | bool]:
    """A node record with list and object fields as JSON text; None values are left out."""
    flat: dict[str, str | bool] = {}
    for name in NODE_FIELDS:
        value = record.get(name)
        if value is None:
            continue
        flat[name] = json_text(value) if name in JSON_FIELDS else value
    return flat


def flat_edge(record: dict[str, Any]) -> dict[str, str | int]:
    """An edge record without None values (its values are already strings and an int)."""
    return {name: record[name] for name in EDGE_FIELDS if record.get(name) is not None}


def unflat_node(flat: dict[str, Any], where: str, line: int | None) -> dict[str, Any]:
    """Turn a node read from a string-only format back into a record; bad JSON raises LoadError."""
    record: dict[str, Any] = dict(flat)
    for name in JSON_FIELDS:
        text = record.get(name)
        if isinstance(text, str):
            node = record.get("id", "?")
            try:
                record[name] = json.loads(text)
            except json.JSONDecodeError as error:
                message = f"node {clip(node)}: field {clip(name)} is not valid JSON ({error.msg}): {clip(text)}"
                raise LoadError(Problem(where, line, message)) from error
            except RecursionError:
                message = f"node {clip(node)}: field {clip(name)} is nested too deeply to read"
                raise LoadError(Problem(where, line, message)) from None
            if "\\u" in text and lone_surrogate_line(text) is not None:
                message = f"node {clip(node)}: field {clip(name)} escapes a lone surrogate, which is not text"
                raise LoadError(Problem(where, line, message))
    deprecated = record.get("deprecated")
    if isinstance(deprecated, str):
        if deprecated.strip().lower() not in ("true", "false"):
            raise LoadError(Problem(where, line, f"node {clip(record.get('id', '?'))}: deprecated must be true or "
                                                 f"false, not {clip(deprecated)}"))
        record["deprecated"] = deprecated.strip().lower() == "true"
    record["_line"] = line
    return record


# -- back to a Glossary ----------------------------------------------------------------------


class _Checker:
    """Collects every problem of a record set so a bad file is reported whole, then refused."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[Problem] = []

    def fail(self, record: dict[str, Any], message: str) -> None:
        self.problems.append(Problem(self.where, record.get("_line"), f"node {clip(record.get('id', '?'))}: {message}"))

    def text(self, record: dict[str, Any], name: str, default: str | None = "", nullable: bool = False) -> Any:
        value = record.get(name, default)
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.fail(record, f"{name} must be text, not {clip(value)}")
            return default or ""
        return value

    def strings(self, record: dict[str, Any], name: str) -> tuple[str, ...]:
        value = record.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(record, f"{name} must be a list of text, not {clip(value)}")
            return ()
        return tuple(value)

    def objects(self, record: dict[str, Any], name: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
        value = record.get(name, [])
        good = isinstance(value, list) and all(
            isinstance(v, dict) and set(v) <= set(keys) and keys[0] in v and all(isinstance(x, str) for x in v.values())
            for v in value
        )
        if not good:
            self.fail(record, f"{name} must be a list of objects with {', '.join(keys)}, not {clip(value)}")
            return []
        return list(value)


def glossary_from_records(
    records: Iterable[dict[str, Any]], where: str, fmt: str = "", *, lenient: bool = False
) -> Glossary:
    """The Glossary an export holds: its concept records and the category hierarchy.

    All or nothing, unless ``lenient``: then a node with a problem is skipped and the problem is
    listed in ``problems``. Records may carry ``_line`` (where the node was read) for the messages.
    """
    check = _Checker(where)
    concepts: list[Concept] = []
    seen: dict[str, dict[str, Any]] = {}
    category_parents: dict[str, tuple[str, ...]] = {}
    for record in records:
        before = len(check.problems)
        key = record.get("id")
        kind = record.get("kind")
        if not isinstance(key, str) or not key:
            check.fail(record, "a node needs a non-empty id")
            continue
        if kind not in NODE_KINDS:
            check.fail(record, f"kind must be one of {', '.join(NODE_KINDS)}, not {clip(kind)}")
            continue
        if key in seen:
            first = seen[key].get("_line")
            check.fail(record, f"duplicate node id (first at line {first})" if first else "duplicate node id")
            continue
        seen[key] = record
        if kind == "category":
            parents = record.get("parents", {})
            if not isinstance(parents, dict) or not all(
                isinstance(v, list) and all(isinstance(p, str) for p in v) for v in parents.values()
            ):
                check.fail(record, f"parents must map a category to a list of parents, not {clip(parents)}")
                continue
            for child, ups in parents.items():
                category_parents[child] = tuple(ups)
            continue
        if kind != "concept":
            continue
        concept = _concept(check, record, where)
        if len(check.problems) == before:
            concepts.append(concept)
    if check.problems and not lenient:
        raise LoadError(check.problems)
    if not concepts:
        raise LoadError([Problem(where, None, "no concepts found"), *check.problems])
    return Glossary(concepts, source=where, format=fmt, category_parents=category_parents,
                    problems=check.problems)


def _concept(check: _Checker, record: dict[str, Any], where: str) -> Concept:
    deprecated = record.get("deprecated", False)
    if not isinstance(deprecated, bool):
        check.fail(record, f"deprecated must be true or false, not {clip(deprecated)}")
        deprecated = False
    related = []
    for ref in check.objects(record, "related", ("target", "kind", "relation")):
        written_kind = ref.get("kind", "related")
        ref_kind = next((kind for kind in LINK_KINDS if kind == written_kind), None)
        if ref_kind is None:
            check.fail(record, f"a reference kind must be one of {', '.join(LINK_KINDS)}, not {clip(written_kind)}")
            ref_kind = "related"
        related.append(Reference(ref["target"], ref_kind, relation=ref.get("relation")))
    parents = tuple(Reference(target) for target in check.strings(record, "parents"))
    sources = tuple(Source(s["title"], s.get("url", "")) for s in check.objects(record, "sources", ("title", "url")))
    return Concept(
        id=record["id"],
        title=check.text(record, "title"),
        definition=check.text(record, "definition"),
        body=check.text(record, "body"),
        aliases=check.strings(record, "aliases"),
        categories=check.strings(record, "categories"),
        level=check.text(record, "level", None, nullable=True),
        published=check.text(record, "published", None, nullable=True),
        sources=sources,
        related=tuple(related),
        parents=parents,
        deprecated=deprecated,
        # An empty replacement is no replacement (string-only formats cannot tell "" from none).
        replaced_by=check.text(record, "replaced_by", None, nullable=True) or None,
        translations=_translations(check, record),
        attributes=_attributes(check, record),
        origin=Origin(where, record.get("_line")),
    )


def _attributes(check: _Checker, record: dict[str, Any]) -> dict[str, Any]:
    """The source fields a concept record keeps beside the model's (an object; absent or null is none)."""
    value = record.get("attributes")
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.fail(record, f"attributes must be an object, not {clip(value)}")
        return {}
    return value


def _translations(check: _Checker, record: dict[str, Any]) -> tuple[Translation, ...]:
    """The translations of a concept record: a list of {lang, title, definition, aliases}."""
    value = record.get("translations", [])
    good = isinstance(value, list) and all(
        isinstance(t, dict) and set(t) <= {"lang", "title", "definition", "aliases"}
        and isinstance(t.get("lang"), str) and isinstance(t.get("title"), str)
        and isinstance(t.get("definition", ""), str)
        and isinstance(t.get("aliases", []), list) and all(isinstance(a, str) for a in t.get("aliases", []))
        for t in value
    )
    if not good:
        check.fail(record, f"translations must be a list of objects with lang, title, definition, aliases, "
                           f"not {clip(value)}")
        return ()
    return tuple(Translation(t["lang"], t["title"], t.get("definition", ""), tuple(t.get("aliases", [])))
                 for t in value)
