"""The local store: the glossary graph in memory, in NetworkX; the embedded default."""

from __future__ import annotations

__all__ = ["LocalStore"]

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import Any

import networkx as nx

from graph.build import build_graph, node_kind
from graph.kinds import Direction, EdgeType
from graph.model import Glossary
from graph.protocol import (
    ConceptPath,
    ConceptView,
    Edge,
    Hop,
    Neighbourhood,
    Node,
    SearchHit,
    Stats,
    check_neighbourhood_request,
    check_path_request,
)
from graph.resolve import Link, Resolver, resolve_links
from graph.search import Searcher
from graph.util import paused_gc

#: Bound on the number of partial paths explored by one path query, so a pathological request
#: (k large in a dense graph) ends instead of running for minutes.
PATH_SEARCH_BUDGET = 2_000_000


class LocalStore:
    """A glossary held in memory: link table, resolver and MultiDiGraph built once, queried many times.

    >>> from graph.model import Concept, Reference
    >>> store = LocalStore(Glossary([Concept("a", "Alpha", related=(Reference("Beta"),)), Concept("b", "Beta")]))
    >>> [p.concepts for p in store.paths("Alpha", "b")]
    [('a', 'b')]
    """

    backend = "local"

    def __init__(self, glossary: Glossary):
        self._glossary = glossary
        with paused_gc():
            self.resolver = Resolver(glossary.concepts)
            self._links = resolve_links(glossary, self.resolver)
            self.graph: nx.MultiDiGraph = build_graph(glossary, self._links)
            self._concepts = glossary.by_id()

    # -- reading the whole -------------------------------------------------------------------

    def glossary(self) -> Glossary:
        """The glossary this store was built from."""
        return self._glossary

    def links(self) -> list[Link]:
        """The link table."""
        return self._links

    def audit_check(self, name: str) -> list[dict[str, Any]] | None:
        """None: every check runs in graph.audit over the in-memory glossary."""
        return None

    def close(self) -> None:
        """Nothing to release for an in-memory store."""

    # -- single concepts -------------------------------------------------------------------

    def resolve(self, reference: str) -> str:
        """The id of the concept an id, title or alias names."""
        return self.resolver.concept_id(reference)

    @cached_property
    def _searcher(self) -> Searcher:
        return Searcher(
            (c.id, c.title, c.aliases, [n for t in c.translations for n in (t.title, *t.aliases)])
            for c in self._glossary.concepts
        )

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Concepts matching a query by title or alias, best first."""
        return self._searcher.search(text, limit)

    def concept(self, reference: str) -> ConceptView:
        """A concept with its links, backlinks and broken references."""
        concept_id = self.resolve(reference)
        graph = self.graph

        def neighbours(adjacency: Any, edge_type: EdgeType) -> list[str]:
            # Other concepts joined by this edge type (missing targets and self links left out).
            return sorted(
                other for other, keys in adjacency[concept_id].items()
                if edge_type in keys and other != concept_id and node_kind(other) == "concept"
            )

        links, backlinks = neighbours(graph.succ, "related"), neighbours(graph.pred, "related")
        broader, narrower = neighbours(graph.succ, "broader"), neighbours(graph.pred, "broader")
        broken = sorted(
            {link.written for link in self._links if link.source == concept_id and link.target is None}
        )
        titles = {i: self._concepts[i].title for i in (*links, *backlinks, *broader, *narrower)}
        return ConceptView(self._concepts[concept_id], tuple(links), tuple(backlinks), tuple(broken), titles,
                           tuple(broader), tuple(narrower))

    # -- walking the graph -----------------------------------------------------------------

    def _steps(self, node: str, types: tuple[EdgeType, ...], direction: Direction) -> Iterator[tuple[str, str, bool]]:
        """Yield (neighbour, edge type, forward) for the edges a walk may take from ``node``."""
        graph = self.graph
        if direction in ("out", "both"):
            for other, keys in graph.succ[node].items():
                for edge_type in types:
                    if edge_type in keys:
                        yield other, edge_type, True
        if direction in ("in", "both"):
            for other, keys in graph.pred[node].items():
                for edge_type in types:
                    if edge_type in keys:
                        yield other, edge_type, False

    def neighbourhood(
        self,
        reference: str,
        depth: int = 1,
        edge_types: Sequence[EdgeType] | None = None,
        direction: Direction = "both",
        limit: int = 300,
    ) -> Neighbourhood:
        """Nodes within ``depth`` hops (missing targets are shown but not walked through)."""
        types = check_neighbourhood_request(depth, limit, edge_types, direction)
        center = self.resolve(reference)
        distance = {center: 0}
        queue = deque([center])
        while queue:
            node = queue.popleft()
            here = distance[node]
            if here == depth or node_kind(node) == "missing":
                continue
            for other, _type, _forward in self._steps(node, types, direction):
                if other not in distance:
                    distance[other] = here + 1
                    queue.append(other)
        ordered = sorted(distance, key=lambda n: (distance[n], n))
        kept = ordered[:limit]
        kept_set = set(kept)
        attrs = self.graph.nodes
        nodes = tuple(
            Node(n, attrs[n]["kind"], attrs[n]["title"], attrs[n]["category"], distance[n]) for n in kept
        )
        edges = sorted(
            Edge(s, t, edge_type)
            for s in kept
            for t, keys in self.graph.succ[s].items()
            if t in kept_set
            for edge_type in keys
            if edge_type in types
        )
        return Neighbourhood(center, depth, nodes, tuple(edges), len(ordered) > limit, len(ordered))

    def paths(
        self,
        source: str,
        target: str,
        k: int = 3,
        max_length: int = 6,
        edge_types: Sequence[EdgeType] | None = None,
        direction: Direction = "both",
        avoid: Sequence[str] = (),
    ) -> list[ConceptPath]:
        """Up to ``k`` simple paths of at most ``max_length`` hops, shortest first, ties by concept ids."""
        types, start, goal, blocked = check_path_request(
            self.resolve, source, target, k, max_length, edge_types, direction, avoid
        )

        def steps(node: str, walk: Direction) -> dict[str, tuple[str, bool]]:
            # One step per neighbour; a link authored in the walking direction wins over the reverse one.
            found: dict[str, tuple[str, bool]] = {}
            for other, edge_type, forward in self._steps(node, types, walk):
                if other == node or other in blocked or node_kind(other) == "missing":
                    continue
                if other not in found or (forward and not found[other][1]):
                    found[other] = (edge_type, forward)
            return found

        reverse = _REVERSE[direction]

        def walk(to_goal: dict[str, int], lengths: range) -> list[ConceptPath]:
            # Depth-first, neighbours in id order, pruned by the distance to the goal: paths of each
            # length in turn, so shortest first and ties broken by concept ids.
            found: list[ConceptPath] = []
            budget = PATH_SEARCH_BUDGET
            forward_steps: dict[str, list[tuple[str, str, bool]]] = {}

            def ordered_steps(node: str) -> list[tuple[str, str, bool]]:
                cached = forward_steps.get(node)
                if cached is None:
                    cached = forward_steps[node] = sorted(
                        (other, t, f) for other, (t, f) in steps(node, direction).items() if other in to_goal
                    )
                return cached

            for length in lengths:
                trail = [start]
                hops: list[Hop] = []
                on_trail = {start}
                stack = [iter(ordered_steps(start))]
                while stack and len(found) < k and budget > 0:
                    budget -= 1
                    step = next(stack[-1], None)
                    if step is None:
                        stack.pop()
                        on_trail.discard(trail.pop())
                        if hops:
                            hops.pop()
                        continue
                    other, edge_type, forward = step
                    remaining = length - len(hops) - 1
                    if other in on_trail or to_goal[other] > remaining:
                        continue
                    node = trail[-1]
                    hop = Hop.walked(node, other, edge_type, forward, self._relations(node, other, edge_type, forward))
                    if other == goal:
                        if remaining == 0:
                            found.append(ConceptPath((*trail, other), (*hops, hop)))
                        continue
                    trail.append(other)
                    on_trail.add(other)
                    hops.append(hop)
                    stack.append(iter(ordered_steps(other)))
                if len(found) >= k or budget <= 0:
                    break
            return found

        # First the shortest paths alone: a search from both ends meets in the middle and keeps only
        # the concepts on a shortest path, instead of measuring the distance to the goal of every
        # concept within max_length hops (in a large, hub-rich glossary: all of them).
        on_shortest = _shortest_path_distances(start, goal, max_length, steps, direction, reverse)
        if on_shortest is None:
            return []
        shortest = walk(on_shortest, range(on_shortest[start], on_shortest[start] + 1))
        if len(shortest) >= k:
            return shortest

        # Fewer than k shortest paths: longer ones are needed, with every distance to the goal.
        to_goal = {goal: 0}
        frontier = [goal]
        for radius in range(1, max_length + 1):
            following = []
            for node in frontier:
                for other in steps(node, reverse):
                    if other not in to_goal:
                        to_goal[other] = radius
                        following.append(other)
            frontier = following
        if start not in to_goal:
            return []
        return walk(to_goal, range(to_goal[start], max_length + 1))

    def _relations(self, node: str, other: str, edge_type: str, forward: bool) -> tuple[str, ...]:
        """The relation labels of the edge a hop from ``node`` to ``other`` walks (along it or against it)."""
        source, target = (node, other) if forward else (other, node)
        return tuple(self.graph.succ[source][target][edge_type].get("relations", ()))

    # -- counting --------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Counts of concepts, links, aliases, categories and broken references."""
        counts = {kind: 0 for kind in ("concept", "alias", "category", "missing")}
        for _node, kind in self.graph.nodes(data="kind"):
            counts[kind] += 1
        links = broader = self_links = broken = ambiguous = 0
        unresolved_targets = set()
        for source, target, edge_type, via in self.graph.edges(keys=True, data="via"):
            if edge_type == "broader":
                if via == "unresolved":
                    broken += 1
                    unresolved_targets.add(target)
                elif via == "ambiguous":
                    ambiguous += 1
                elif source != target:
                    broader += 1
                continue
            if edge_type != "related":
                continue
            if via == "unresolved":
                broken += 1
                unresolved_targets.add(target)
            elif via == "ambiguous":
                ambiguous += 1
            elif source == target:
                self_links += 1
            else:
                links += 1
        return Stats(
            concepts=counts["concept"],
            links=links,
            broader=broader,
            aliases=counts["alias"],
            categories=counts["category"],
            broken_links=broken,
            ambiguous_links=ambiguous,
            missing_targets=len(unresolved_targets),
            self_links=self_links,
            references=len(self._links),
        )


_REVERSE: dict[Direction, Direction] = {"out": "in", "in": "out", "both": "both"}


def _shortest_path_distances(
    start: str,
    goal: str,
    max_length: int,
    steps: Callable[[str, Direction], dict[str, tuple[str, bool]]],
    direction: Direction,
    reverse: Direction,
) -> dict[str, int] | None:
    """The distance to ``goal`` of every node on a shortest path from ``start`` (None: no path within max_length).

    Breadth-first from both ends, one whole layer at a time on the smaller side, until they meet:
    the length d is then the sum of both depths. Keeping the nodes on a shortest path takes a walk
    back from the meeting layer towards each end.
    """
    from_start: dict[str, int] = {start: 0}
    from_goal: dict[str, int] = {goal: 0}
    start_layers: list[list[str]] = [[start]]
    goal_layers: list[list[str]] = [[goal]]
    while True:
        if len(start_layers) - 1 + len(goal_layers) - 1 >= max_length:
            return None
        grow_start = len(start_layers[-1]) <= len(goal_layers[-1])
        seen, other_side = (from_start, from_goal) if grow_start else (from_goal, from_start)
        layers = start_layers if grow_start else goal_layers
        walk = direction if grow_start else reverse
        depth = len(layers)
        layer: list[str] = []
        for node in layers[-1]:
            for other in steps(node, walk):
                if other not in seen:
                    seen[other] = depth
                    layer.append(other)
        if not layer:
            return None
        layers.append(layer)
        # Whole layers are added, so the first layer that touches the other side gives the length.
        if any(node in other_side for node in layer):
            break
    start_depth, goal_depth = len(start_layers) - 1, len(goal_layers) - 1
    length = start_depth + goal_depth
    meeting = {node for node in start_layers[-1] if from_goal.get(node) == goal_depth}
    on_path: dict[str, int] = dict.fromkeys(meeting, goal_depth)
    # Towards the start: a node one layer closer is on a shortest path when it steps into one.
    ahead = meeting
    for depth in range(start_depth - 1, -1, -1):
        kept = {node for node in start_layers[depth] if any(o in ahead for o in steps(node, direction))}
        for node in kept:
            on_path[node] = length - depth
        ahead = kept
    # Towards the goal: the nodes one step on from the path that are one layer closer to the goal.
    behind = meeting
    for depth in range(goal_depth - 1, -1, -1):
        kept = {o for node in behind for o in steps(node, direction) if from_goal.get(o) == depth}
        for node in kept:
            on_path[node] = depth
        behind = kept
    return on_path
