"""The query interface every store implements, and the plain result types it returns.

Both stores (local NetworkX and Neo4j) return these same types with the same contents for the
same glossary; ``to_json()`` gives the JSON contract of the CLI (docs/design.md section 7).
"""

from __future__ import annotations

__all__ = [
    "DIRECTIONS",
    "MAX_DEPTH",
    "MAX_PATH_LENGTH",
    "ConceptPath",
    "ConceptView",
    "Edge",
    "GraphStore",
    "Hop",
    "Neighbourhood",
    "Node",
    "SearchHit",
    "Stats",
    "check_direction",
    "check_edge_types",
    "check_neighbourhood_request",
    "check_path_request",
]

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

from graph.errors import UsageError
from graph.kinds import DIRECTIONS, EDGE_TYPES, Direction, EdgeType, NodeKind
from graph.model import Concept, Glossary
from graph.resolve import Link


def check_direction(direction: str) -> Direction:
    """Return a valid direction or raise UsageError naming the bad value."""
    for valid in DIRECTIONS:
        if direction == valid:
            return valid
    raise UsageError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")


#: The deepest neighbourhood and the longest path a store is asked for (every walk is bounded).
MAX_DEPTH = 6
MAX_PATH_LENGTH = 12


def check_neighbourhood_request(
    depth: int, limit: int, edge_types: Sequence[str] | None, direction: str
) -> tuple[EdgeType, ...]:
    """Validate a neighbourhood request (the same rules for every store); return its edge types."""
    if not 0 <= depth <= MAX_DEPTH:
        raise UsageError(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    if limit < 1:
        raise UsageError(f"limit must be at least 1, not {limit}")
    check_direction(direction)
    return check_edge_types(edge_types)


def check_path_request(
    resolve: Callable[[str], str],
    source: str,
    target: str,
    k: int,
    max_length: int,
    edge_types: Sequence[str] | None,
    direction: str,
    avoid: Sequence[str],
) -> tuple[tuple[EdgeType, ...], str, str, frozenset[str]]:
    """Validate a path request for every store alike; return (edge types, start id, goal id, avoided ids)."""
    if k < 1:
        raise UsageError(f"k must be at least 1, not {k}")
    if not 1 <= max_length <= MAX_PATH_LENGTH:
        raise UsageError(f"max length must be between 1 and {MAX_PATH_LENGTH}, not {max_length}")
    types = check_edge_types(edge_types)
    check_direction(direction)
    start, goal = resolve(source), resolve(target)
    if start == goal:
        raise UsageError(f"{source!r} and {target!r} are the same concept")
    blocked = frozenset(resolve(a) for a in avoid)
    if start in blocked or goal in blocked:
        raise UsageError("cannot avoid the concepts the path starts or ends at")
    return types, start, goal, blocked


def check_edge_types(edge_types: Sequence[str] | None) -> tuple[EdgeType, ...]:
    """Return a sorted, de-duplicated tuple of valid edge types (default: related) or raise."""
    wanted = set(edge_types or ("related",))
    bad = sorted(wanted.difference(EDGE_TYPES))
    if bad:
        raise UsageError(f"edge type must be one of {', '.join(EDGE_TYPES)}, not {bad[0]!r}")
    return tuple(sorted(t for t in EDGE_TYPES if t in wanted))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the concept, the label that matched and a 0-100 score."""

    id: str
    title: str
    matched: str
    score: float

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ConceptView:
    """A concept with its resolved related links and backlinks, its broken references, and its place in the hierarchy.

    ``broader`` are the ids of its resolved parents, ``narrower`` those of the concepts whose parent it is.
    """

    concept: Concept
    links: tuple[str, ...]
    backlinks: tuple[str, ...]
    broken: tuple[str, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON form: the concept's fields plus links, backlinks, broader and narrower (ids)."""
        data = self.concept.to_dict()
        data["links"] = list(self.links)
        data["backlinks"] = list(self.backlinks)
        data["broken"] = list(self.broken)
        data["broader"] = list(self.broader)
        data["narrower"] = list(self.narrower)
        return data


@dataclass(frozen=True, slots=True, order=True)
class Node:
    """A node of a neighbourhood: concept, alias, category or missing target."""

    id: str
    kind: NodeKind
    title: str
    category: str | None
    distance: int


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """An edge as authored: source, target and type."""

    source: str
    target: str
    type: EdgeType


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The nodes within ``depth`` of a centre (closest first, then by id) and the edges between them."""

    center: str
    depth: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    truncated: bool
    total: int

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "center": self.center,
            "depth": self.depth,
            "nodes": [asdict(n) for n in self.nodes],
            "edges": [asdict(e) for e in self.edges],
            "truncated": self.truncated,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path, oriented along the path; ``forward`` is False when walked against the link.

    A broader link walked from parent to child is labelled ``narrower``. ``relation`` is the label an
    ontology gave the related link walked (``part_of``; several sorted and comma-joined), None for
    a plain link.
    """

    source: str
    target: str
    type: str
    forward: bool = True
    relation: str | None = None

    @classmethod
    def walked(cls, source: str, target: str, edge_type: str, forward: bool, relations: Sequence[str] = ()) -> Hop:
        """The hop over an edge of ``edge_type`` (with its relation labels) walked along (forward) or against it."""
        return cls(source, target, "narrower" if edge_type == "broader" and not forward else edge_type, forward,
                   ", ".join(relations) or None)

    @property
    def label(self) -> str:
        """How the hop reads to people: its type, then the relation when the link has one (``related: part_of``)."""
        return f"{self.type}: {self.relation}" if self.relation else self.type

    def to_json(self) -> dict[str, Any]:
        """JSON form: source, target, type and forward, and ``relation`` only when the link has one."""
        data: dict[str, Any] = {"source": self.source, "target": self.target, "type": self.type,
                                "forward": self.forward}
        if self.relation is not None:
            data["relation"] = self.relation
        return data


@dataclass(frozen=True, slots=True)
class ConceptPath:
    """A simple path between two concepts with every hop labelled."""

    concepts: tuple[str, ...]
    hops: tuple[Hop, ...]

    @property
    def length(self) -> int:
        """Number of hops."""
        return len(self.hops)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"length": self.length, "concepts": list(self.concepts), "hops": [h.to_json() for h in self.hops]}


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts that describe a glossary graph.

    ``links`` counts resolved related links between distinct concepts, each pair once;
    ``broader`` counts resolved concept → parent links between distinct concepts, each pair once;
    ``broken_links`` counts (source, target) pairs that resolve to nothing (related or broader).
    """

    concepts: int
    links: int
    broader: int
    aliases: int
    categories: int
    broken_links: int
    ambiguous_links: int
    missing_targets: int
    self_links: int
    references: int

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


@runtime_checkable
class GraphStore(Protocol):
    """What every store answers; the audit, exports, CLI and app use nothing else."""

    #: "local" or "neo4j".
    backend: str

    def resolve(self, reference: str) -> str:
        """The id of the concept that an id, title or alias names; raise ConceptNotFound/AmbiguousReference."""
        ...

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Concepts whose title or alias matches, exact matches first, then fuzzy, best first."""
        ...

    def concept(self, reference: str) -> ConceptView:
        """A concept with its links and backlinks."""
        ...

    def neighbourhood(
        self,
        reference: str,
        depth: int = 1,
        edge_types: Sequence[EdgeType] | None = None,
        direction: Direction = "both",
        limit: int = 300,
    ) -> Neighbourhood:
        """The nodes within ``depth`` hops of a concept over the chosen edge types and direction."""
        ...

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
        """Up to k simple paths, shortest first, ties in order of their concept ids."""
        ...

    def stats(self) -> Stats:
        """Counts of concepts, links, aliases, categories and broken links."""
        ...

    def glossary(self) -> Glossary:
        """The whole glossary as stored (for exports, the audit and diffs)."""
        ...

    def links(self) -> list[Link]:
        """The link table: every reference of every concept with its resolution."""
        ...

    def audit_check(self, name: str) -> list[dict[str, Any]] | None:
        """The findings of one audit check answered by the store itself, or None to let the audit compute them.

        Findings must have the fields and order the audit's own check gives (graph.audit.REGISTRY).
        """
        ...

    def close(self) -> None:
        """Release connections; a closed store answers nothing."""
        ...
