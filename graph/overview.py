"""Whole-graph figures for the Overview page: counts, category sizes, the hierarchy, degrees, hubs, clusters.

Computed from ``store.glossary()``, ``store.links()`` and ``store.stats()`` only, so every store
(local or Neo4j) gives the same figures. They come in two parts: the ``Summary`` (counts, category
sizes, the hierarchy's roots and depths: quick) and the ``Measures`` (degrees, PageRank, clusters:
the slow part, which the app computes in the background).
"""

from __future__ import annotations

__all__ = ["HierarchyFigures", "Hub", "Measures", "Overview", "Summary", "link_graph", "measures", "overview",
           "pagerank", "summary"]

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graph.hierarchy import Hierarchy, Root
from graph.protocol import GraphStore, Stats


@dataclass(frozen=True, slots=True)
class Hub:
    """A concept ranked by how connected it is."""

    id: str
    title: str
    degree: int
    in_degree: int
    out_degree: int
    pagerank: float


@dataclass(frozen=True, slots=True)
class HierarchyFigures:
    """The shape of the broader links: roots, how many concepts at each depth, and those outside.

    ``depths`` pairs a depth (the fewest broader steps up to a root) with its number of concepts;
    ``unrooted`` concepts are in the hierarchy but no root reaches them (their chains end in a cycle);
    ``outside`` concepts have no parent and no child.
    """

    roots: tuple[Root, ...]
    depths: tuple[tuple[int, int], ...]
    members: int
    unrooted: int
    outside: int

    @classmethod
    def of(cls, hierarchy: Hierarchy) -> HierarchyFigures:
        """The figures of a hierarchy."""
        depths = hierarchy.depths()
        members = hierarchy.members()
        return cls(tuple(hierarchy.roots()), tuple(sorted(Counter(depths.values()).items())), members,
                   members - len(depths), hierarchy.concepts - members)


@dataclass(frozen=True, slots=True)
class Summary:
    """The quick figures of the Overview page: counts, category sizes and the hierarchy."""

    stats: Stats
    categories: tuple[tuple[str, int], ...]
    hierarchy: HierarchyFigures


@dataclass(frozen=True, slots=True)
class Measures:
    """The slow figures of the Overview page: degree distribution, hubs by degree and PageRank, cluster sizes."""

    degree_histogram: tuple[tuple[int, int], ...]
    hubs_by_degree: tuple[Hub, ...]
    hubs_by_pagerank: tuple[Hub, ...]
    cluster_sizes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Overview:
    """Every figure of the Overview page: the summary and the measures."""

    summary: Summary
    measures: Measures


def link_graph(store: GraphStore) -> nx.DiGraph:
    """Concepts and their resolved related links (self links and broken links left out, each pair once).

    >>> from graph.local import LocalStore
    >>> from graph.model import Concept, Glossary, Reference
    >>> g = link_graph(LocalStore(Glossary([Concept("a", "A", related=(Reference("b"), Reference("x"))),
    ...                                     Concept("b", "B")])))
    >>> sorted(g.edges())
    [('a', 'b')]
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(c.id for c in store.glossary().concepts)
    graph.add_edges_from(
        (link.source, link.target)
        for link in store.links()
        if link.kind != "broader" and link.target is not None and link.target != link.source
    )
    return graph


def pagerank(graph: nx.DiGraph, alpha: float = 0.85, tol: float = 1.0e-6, max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration with NumPy (the same definition as networkx.pagerank, without SciPy).

    Dangling concepts (no outgoing link) hand their rank to every concept evenly.

    >>> g = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "a")])
    >>> {k: round(v, 3) for k, v in sorted(pagerank(g).items())}
    {'a': 0.486, 'b': 0.464, 'c': 0.05}
    """
    nodes = list(graph)
    count = len(nodes)
    if count == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    sources = np.fromiter((index[s] for s, _ in graph.edges()), dtype=np.int64, count=graph.number_of_edges())
    targets = np.fromiter((index[t] for _, t in graph.edges()), dtype=np.int64, count=graph.number_of_edges())
    out_degree = np.bincount(sources, minlength=count).astype(float)
    dangling = out_degree == 0
    weights = np.divide(1.0, out_degree, out=np.zeros(count), where=~dangling)
    rank = np.full(count, 1.0 / count)
    for _ in range(max_iter):
        flow = np.bincount(targets, weights=rank[sources] * weights[sources], minlength=count)
        new = alpha * (flow + rank[dangling].sum() / count) + (1 - alpha) / count
        done = np.abs(new - rank).sum() < count * tol
        rank = new
        if done:
            break
    return {node: float(rank[i]) for node, i in index.items()}


def summary(store: GraphStore, hierarchy: Hierarchy | None = None) -> Summary:
    """Counts, category sizes (largest first) and the hierarchy's figures (from ``hierarchy`` when given)."""
    glossary = store.glossary()
    sizes = Counter(c.category or "(no category)" for c in glossary.concepts)
    categories = tuple(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])))
    return Summary(store.stats(), categories, HierarchyFigures.of(hierarchy or Hierarchy.from_store(store)))


def measures(store: GraphStore, top: int = 15, progress: Callable[[float, str], object] | None = None) -> Measures:
    """Degree histogram, top hubs by degree and PageRank, cluster sizes (largest first).

    ``progress`` is told the share done and the step that runs next (for a progress bar).
    """
    tell = progress or (lambda _share, _step: None)
    tell(0.0, "reading the links")
    titles = {c.id: c.title for c in store.glossary().concepts}
    graph = link_graph(store)
    tell(0.3, "counting degrees")
    undirected = graph.to_undirected(as_view=True)
    degree = dict(undirected.degree())
    histogram = tuple(sorted(Counter(degree.values()).items()))
    tell(0.45, "PageRank")
    rank = pagerank(graph)

    def hub(node: str) -> Hub:
        return Hub(node, titles.get(node, node), degree[node], graph.in_degree(node), graph.out_degree(node),
                   round(float(rank.get(node, 0.0)), 6))

    by_degree = sorted(graph, key=lambda n: (-degree[n], n))[:top]
    by_rank = sorted(graph, key=lambda n: (-rank.get(n, 0.0), n))[:top]
    tell(0.7, "finding the clusters")
    clusters = tuple(sorted((len(c) for c in nx.connected_components(undirected)), reverse=True))
    tell(1.0, "done")
    return Measures(
        degree_histogram=histogram,
        hubs_by_degree=tuple(hub(n) for n in by_degree),
        hubs_by_pagerank=tuple(hub(n) for n in by_rank),
        cluster_sizes=clusters,
    )


def overview(store: GraphStore, top: int = 15, progress: Callable[[float, str], object] | None = None) -> Overview:
    """Every figure of the Overview page at once (the CLI and tests; the app computes the two parts apart)."""
    return Overview(summary(store), measures(store, top, progress))
