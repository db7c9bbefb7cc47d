"""Names shared by every place the graph leaves Python: node labels, relationship types, property names.

The Cypher export and the Neo4j store use these same names, so a graph created by the exported
script is the graph the store would have written. Labels and types come from this fixed set,
never from input.
"""

from __future__ import annotations

__all__ = [
    "CONCEPT_LIST_PROPERTIES",
    "CONCEPT_PROPERTIES",
    "CONSTRAINTS",
    "DATASET",
    "EDGE_TYPE_OF_REL",
    "JSON_PROPERTIES",
    "LABELS",
    "NODE_KIND_OF_LABEL",
    "READ_PROPERTIES",
    "REL_TYPES",
]

from graph.kinds import EdgeType, NodeKind

#: Every node carries the name of its dataset so several glossaries share one database.
DATASET = "dataset"

#: Node label per node kind. Concepts are keyed by ``id``; the others by ``key`` (the normalised
#: name, as in the local graph's node keys without their ``kind:`` prefix) and show ``name``
#: (the name as first written).
LABELS: dict[NodeKind, str] = {
    "concept": "Concept",
    "alias": "Alias",
    "category": "Category",
    "missing": "Missing",
}
NODE_KIND_OF_LABEL: dict[str, NodeKind] = {label: kind for kind, label in LABELS.items()}

#: Relationship type per edge type. RELATED and BROADER carry ``via``, ``written`` and ``count``.
REL_TYPES: dict[EdgeType, str] = {
    "related": "RELATED",
    "broader": "BROADER",
    "alias": "ALIAS_OF",
    "category": "IN_CATEGORY",
}
EDGE_TYPE_OF_REL: dict[str, EdgeType] = {rel: edge for edge, rel in REL_TYPES.items()}

#: Properties of a :Concept node besides ``dataset``. Lists of strings are native list properties;
#: ``sources`` and ``related`` are lists of maps, which Neo4j cannot store, so they are JSON text
#: (see JSON_PROPERTIES). ``category`` is the main category, for display.
CONCEPT_PROPERTIES = (
    "id",
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
    "parents",
    "deprecated",
    "replaced_by",
)
CONCEPT_LIST_PROPERTIES = ("aliases", "categories", "parents")
#: Properties stored as JSON text: on :Concept ``sources`` ([{title, url}]) and ``related``
#: ([{target, kind}] in authored order); on :Category ``parents`` ({child as written: [parents]}).
#: A :Concept's ``parents`` (its broader concepts as written) is a native list of strings instead
#: (CONCEPT_LIST_PROPERTIES).
JSON_PROPERTIES = ("sources", "related", "parents")

#: The :Concept properties the store reads back to rebuild a concept and its link table
#: (graph/neo4j/rows.py ``concept_from`` and ``links_from``): the glossary pull returns these only,
#: not the normalised keys, the load order or the dataset tag it needs no copy of.
READ_PROPERTIES = (
    "id", "title", "definition", "body", "aliases", "categories", "level", "published", "sources", "related",
    "parents", "deprecated", "replaced_by", "translations", "attributes", "path", "origin_file", "origin_line",
    "links",
)

#: Uniqueness constraints, created before any data (Community edition supports these).
CONSTRAINTS = (
    "CREATE CONSTRAINT glossgraph_concept IF NOT EXISTS FOR (n:Concept) REQUIRE (n.dataset, n.id) IS UNIQUE",
    "CREATE CONSTRAINT glossgraph_alias IF NOT EXISTS FOR (n:Alias) REQUIRE (n.dataset, n.key) IS UNIQUE",
    "CREATE CONSTRAINT glossgraph_category IF NOT EXISTS FOR (n:Category) REQUIRE (n.dataset, n.key) IS UNIQUE",
    "CREATE CONSTRAINT glossgraph_missing IF NOT EXISTS FOR (n:Missing) REQUIRE (n.dataset, n.key) IS UNIQUE",
)
