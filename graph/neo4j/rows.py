"""Rows: concepts to Neo4j node properties and back, and the plan of one load as batches of rows."""

from __future__ import annotations

__all__ = ["BATCH_CHARS", "BATCH_ROWS", "LoadPlan", "batches", "concept_from", "concept_row",
           "grouped_by_source", "links_from", "merge_glossaries", "translations_from"]

import json
from collections.abc import Iterator
from typing import Any

from graph.build import node_kind
from graph.local import LocalStore
from graph.model import Concept, Glossary, Origin, Reference, Source, Translation
from graph.resolve import Link
from graph.text import normalise

#: Rows per UNWIND batch (one managed transaction each); concepts also stop a batch at BATCH_CHARS.
BATCH_ROWS = 10_000
BATCH_CHARS = 4_000_000


def concept_row(concept: Concept, order: int, links: list[Link]) -> dict[str, Any]:
    """The :Concept properties of a concept (None values left out: Neo4j stores no nulls)."""
    path_key = normalise(concept.path) if concept.path else None
    stem = path_key.rsplit("/", 1)[-1] if path_key else None
    row: dict[str, Any] = {
        **concept.content(),
        # Neo4j cannot store lists of maps: sources and references go in as JSON text (with lines).
        "sources": json.dumps([{"title": s.title, "url": s.url} for s in concept.sources], ensure_ascii=False),
        "related": json.dumps(
            [{**r.to_json(), "line": r.line} for r in concept.related], ensure_ascii=False
        ),
        # Translations are a list of maps too; left out when there are none.
        "translations": json.dumps(concept.content()["translations"], ensure_ascii=False)
        if concept.translations else None,
        # Source fields the model has no place for (a Dendron note's random id): JSON text, left out when none.
        "attributes": json.dumps(concept.attributes, ensure_ascii=False, default=str) if concept.attributes else None,

        "path": concept.path,
        "origin_file": concept.origin.file if concept.origin else None,
        "origin_line": concept.origin.line if concept.origin else None,
        "ord": order,
        # The link table rows of this concept, so links() needs no resolver.
        "links": json.dumps(
            [[k.written, k.kind, k.via, k.target, k.key, list(k.candidates), k.line, k.relation] for k in links],
            ensure_ascii=False,
        ),
        "id_key": normalise(concept.id),
        "title_key": normalise(concept.title),
        "path_key": path_key,
        "path_stem": stem if stem != path_key else None,
    }
    return {key: value for key, value in row.items() if value is not None}


def concept_from(props: dict[str, Any]) -> Concept:
    """The Concept a :Concept node's properties describe."""
    origin_file = props.get("origin_file")
    return Concept(
        id=props["id"],
        title=props["title"],
        definition=props.get("definition", ""),
        body=props.get("body", ""),
        aliases=tuple(props.get("aliases") or ()),
        categories=tuple(props.get("categories") or ()),
        level=props.get("level"),
        published=props.get("published"),
        sources=tuple(Source(s["title"], s["url"]) for s in json.loads(props.get("sources") or "[]")),
        related=tuple(
            Reference(r["target"], r["kind"], r.get("line"), r.get("relation"))
            for r in json.loads(props.get("related") or "[]")
        ),
        parents=tuple(Reference(target) for target in props.get("parents") or ()),
        deprecated=bool(props.get("deprecated", False)),
        replaced_by=props.get("replaced_by"),
        translations=translations_from(props.get("translations")),
        attributes=json.loads(props.get("attributes") or "{}"),
        path=props.get("path"),
        origin=Origin(origin_file, props.get("origin_line")) if origin_file is not None else None,
    )


def translations_from(text: str | None) -> tuple[Translation, ...]:
    """The translations a :Concept node's ``translations`` JSON text holds (none when absent)."""
    return tuple(Translation(t["lang"], t["title"], t.get("definition", ""), tuple(t.get("aliases", ())))
                 for t in json.loads(text or "[]"))


def links_from(props: dict[str, Any]) -> list[Link]:
    """The link table rows a :Concept node's ``links`` JSON text holds (a dataset loaded before relations: none)."""
    source = props["id"]
    return [
        Link(source, written, kind, via, target, key, tuple(candidates), line, *relation)
        for written, kind, via, target, key, candidates, line, *relation in json.loads(props.get("links") or "[]")
    ]


def merge_glossaries(old: Glossary, new: Glossary) -> Glossary:
    """``old`` updated by ``new``: concepts of ``new`` replace theirs by id (in place), new ids go last."""
    incoming = new.by_id()
    concepts = [incoming.pop(c.id, c) for c in old.concepts]
    concepts.extend(c for c in new.concepts if c.id in incoming)
    parents = {**old.category_parents, **new.category_parents}
    merged = Glossary(concepts, new.source, new.format, parents, list(new.problems))
    merged.dialect = new.dialect
    return merged


class LoadPlan:
    """Everything one load writes, as rows per write query, with the counts the server must end up with."""

    def __init__(self, local: LocalStore):
        glossary = local.glossary()
        by_source: dict[str, list[Link]] = {}
        for link in local.links():
            by_source.setdefault(link.source, []).append(link)
        self.nodes: dict[str, list[dict[str, Any]]] = {
            "concept": [concept_row(c, i, by_source.get(c.id, [])) for i, c in enumerate(glossary.concepts)],
            "alias": [],
            "category": [],
            "missing": [],
        }
        parents: dict[str, dict[str, list[str]]] = {}
        for child, ups in glossary.category_parents.items():
            parents.setdefault(normalise(child), {})[child] = list(ups)
        for key, attrs in local.graph.nodes(data=True):
            kind = attrs["kind"]
            if kind == "concept":
                continue
            name = key.split(":", 1)[1]
            row: dict[str, Any] = {"key": name, "name": attrs["title"]}
            if kind == "category" and name in parents:
                row["parents"] = json.dumps(parents[name], ensure_ascii=False)
            self.nodes[kind].append(row)
        self.edges: dict[str, list[dict[str, Any]]] = {
            "related_concept": [], "related_missing": [], "broader_concept": [], "broader_missing": [],
            "alias": [], "category": [], "category_parent": [],
        }
        for source, target, edge_type, attrs in local.graph.edges(keys=True, data=True):
            if edge_type in ("related", "broader"):
                if node_kind(target) == "missing":
                    row = {"s": source, "t": target.split(":", 1)[1]}
                    self.edges[f"{edge_type}_missing"].append(row)
                else:
                    row = {"s": source, "t": target}
                    self.edges[f"{edge_type}_concept"].append(row)
                row.update(via=attrs["via"], written=attrs["written"], count=attrs["count"],
                           relations=attrs.get("relations"))
            elif edge_type == "alias":
                self.edges["alias"].append({"s": source.split(":", 1)[1], "t": target})
            elif node_kind(source) == "category":
                self.edges["category_parent"].append({"s": source.split(":", 1)[1], "t": target.split(":", 1)[1]})
            else:
                self.edges["category"].append({"s": source, "t": target.split(":", 1)[1]})
        self.expected = {
            **{kind: len(rows) for kind, rows in self.nodes.items()},
            "related": len(self.edges["related_concept"]) + len(self.edges["related_missing"]),
            "broader": len(self.edges["broader_concept"]) + len(self.edges["broader_missing"]),
            "alias_edges": len(self.edges["alias"]),
            "category_edges": len(self.edges["category"]) + len(self.edges["category_parent"]),
        }
        self.references = len(local.links())
        self.total_rows = sum(len(r) for r in self.nodes.values()) + sum(len(r) for r in self.edges.values())


def grouped_by_source(rows: list[dict[str, Any]]) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """Edge rows as batches of {s, out: [...]} groups of at most BATCH_ROWS edges; yields (batch, edges)."""
    batch: list[dict[str, Any]] = []
    edges = 0
    group: dict[str, Any] | None = None
    for row in rows:
        if group is None or group["s"] != row["s"] or edges >= BATCH_ROWS:
            if edges >= BATCH_ROWS:
                yield batch, edges
                batch, edges = [], 0
            group = {"s": row["s"], "out": []}
            batch.append(group)
        group["out"].append({"t": row["t"], "via": row["via"], "written": row["written"], "count": row["count"],
                             "relations": row["relations"]})
        edges += 1
    if batch:
        yield batch, edges


def batches(rows: list[dict[str, Any]], weigh: bool) -> Iterator[list[dict[str, Any]]]:
    """Split rows into batches of at most BATCH_ROWS rows (and about BATCH_CHARS characters when weighed)."""
    batch: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        batch.append(row)
        if weigh:
            size += sum(len(v) for v in row.values() if isinstance(v, str)) + 200
        if len(batch) >= BATCH_ROWS or size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


