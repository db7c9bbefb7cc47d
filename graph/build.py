"""Build the concept graph (a NetworkX MultiDiGraph) from a glossary and its link table.

Node keys: a concept is keyed by its id; the other kinds by ``kind:normalised-name`` so that they
never collide with concept ids (ids with those prefixes are refused at build time).
Edge keys are the edge type, so there is at most one edge of each type between two nodes; a
``related`` or ``broader`` edge carries how its reference resolved (``via``), the target as
written first (``written``), how many times the source listed it (``count``) and, when an ontology
gave its references relations, their distinct labels sorted (``relations``). A ``broader``
edge goes from a concept to its parent (the link table's references of kind "broader").
"""

from __future__ import annotations

__all__ = [
    "EDGE_TYPES",
    "NODE_KINDS",
    "alias_key",
    "build_graph",
    "category_key",
    "missing_key",
    "node_kind",
]

from collections.abc import Iterable

import networkx as nx

from graph.errors import LoadError, Problem
from graph.kinds import EDGE_TYPES, NODE_KINDS, NodeKind
from graph.model import Glossary
from graph.resolve import Link
from graph.text import normalise

_PREFIXES = tuple(f"{kind}:" for kind in NODE_KINDS if kind != "concept")


def alias_key(name: str) -> str:
    """The node key of an alias label."""
    return "alias:" + normalise(name)


def category_key(name: str) -> str:
    """The node key of a category."""
    return "category:" + normalise(name)


def missing_key(written: str) -> str:
    """The node key of an unresolved link target."""
    return "missing:" + normalise(written)


def node_kind(key: str) -> NodeKind:
    """The kind of a node from its key alone."""
    head, sep, _ = key.partition(":")
    if sep:
        for kind in NODE_KINDS:
            if head == kind:
                return kind
    return "concept"


def build_graph(glossary: Glossary, links: Iterable[Link]) -> nx.MultiDiGraph:
    """The graph of a glossary: concept, alias, category and missing nodes; related, broader, alias, category edges.

    >>> from graph.model import Concept, Reference
    >>> from graph.resolve import resolve_links
    >>> g = Glossary([Concept("a", "A", related=(Reference("B"),), parents=(Reference("b"),)),
    ...               Concept("b", "B", aliases=("bee",))])
    >>> G = build_graph(g, resolve_links(g))
    >>> sorted(G.edges(keys=True))
    [('a', 'b', 'broader'), ('a', 'b', 'related'), ('alias:bee', 'b', 'alias')]
    """
    graph = nx.MultiDiGraph(source=glossary.source, format=glossary.format)
    for concept in glossary.concepts:
        if concept.id.startswith(_PREFIXES):
            where = str(concept.origin) if concept.origin else glossary.source
            raise LoadError(Problem(where, None, f"concept id {concept.id!r} uses a reserved prefix"))
        graph.add_node(
            concept.id,
            kind="concept",
            title=concept.title,
            category=concept.category,
        )
    for concept in glossary.concepts:
        for alias in concept.aliases:
            key = alias_key(alias)
            if key not in graph:
                graph.add_node(key, kind="alias", title=alias, category=None)
            graph.add_edge(key, concept.id, key="alias")
        for category in concept.categories:
            key = category_key(category)
            if key not in graph:
                graph.add_node(key, kind="category", title=category, category=None)
            graph.add_edge(concept.id, key, key="category")
    for child, parents in glossary.category_parents.items():
        for parent in (child, *parents):
            key = category_key(parent)
            if key not in graph:
                graph.add_node(key, kind="category", title=parent, category=None)
        for parent in parents:
            graph.add_edge(category_key(child), category_key(parent), key="category")
    # Related edges are most of the graph (ten per concept and more): they are written straight into
    # networkx's adjacency dicts, as MultiDiGraph.add_edge would (one key dict shared by succ and pred),
    # without its per-call overhead and without the Mapping views whose .get raises and catches
    # KeyError on every miss. Both ends exist as nodes already; the graph is new, so no cache to clear.
    succ, pred, nodes = graph._succ, graph._pred, graph._node
    for link in links:
        source, target = link.source, link.target
        if target is None:
            target = "missing:" + link.key
            if target not in nodes:
                graph.add_node(target, kind="missing", title=link.written, category=None)
        keys = succ[source].get(target)
        if keys is None:
            keys = succ[source][target] = pred[target][source] = {}
        edge_type = "broader" if link.kind == "broader" else "related"
        existing = keys.get(edge_type)
        if existing is not None:
            existing["count"] += 1
        else:
            existing = keys[edge_type] = {"via": link.via, "written": link.written, "count": 1}
        if link.relation is not None:
            known = existing.get("relations", ())
            if link.relation not in known:
                existing["relations"] = tuple(sorted((*known, link.relation)))
    return graph
