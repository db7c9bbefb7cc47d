"""A glossary's hierarchy as the app shows it: parents and children, ancestor chains, roots and depths.

Built from the resolved broader links between distinct concepts of any store's link table (the
same links the audit's hierarchy checks read), so every store gives the same answers. A concept
that names itself as its parent is left out here (the audit reports it as a hierarchy cycle).
"""

from __future__ import annotations

__all__ = ["MAX_CHAINS", "Chain", "Hierarchy", "Root", "hierarchy_links"]

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from graph.protocol import GraphStore
from graph.resolve import Link

#: The most ancestor chains listed for one concept (a polyhierarchy can have very many).
MAX_CHAINS = 5


def hierarchy_links(
    links: Iterable[Link], known: Collection[str]
) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """(parents, children, self parents) of the resolved broader links between concepts in ``known``.

    >>> from graph.resolve import Link
    >>> hierarchy_links([Link("a", "B", "broader", "title", "b", "b"), Link("c", "c", "broader", "id", "c", "c")],
    ...                 {"a", "b", "c"})
    ({'a': {'b'}}, {'b': {'a'}}, {'c'})
    """
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    self_parents: set[str] = set()
    for link in links:
        target = link.target
        if link.kind != "broader" or target is None or target not in known or link.source not in known:
            continue
        if target == link.source:
            self_parents.add(target)
        else:
            parents.setdefault(link.source, set()).add(target)
            children.setdefault(target, set()).add(link.source)
    return parents, children, self_parents


@dataclass(frozen=True, slots=True)
class Chain:
    """A walk up the broader links from a concept: ``concepts`` from the top down to the concept itself.

    The top is a root, or, when ``cycle`` is True, the last concept before the walk would have come
    back to a concept already on the chain.
    """

    concepts: tuple[str, ...]
    cycle: bool = False


@dataclass(frozen=True, slots=True)
class Root:
    """A concept with children and no parent."""

    id: str
    title: str
    children: int


class Hierarchy:
    """Parents and children of every concept, with the figures the app shows (built once per source).

    >>> from graph.model import Concept, Glossary, Reference
    >>> from graph.local import LocalStore
    >>> h = Hierarchy.from_store(LocalStore(Glossary([Concept("a", "A"), Concept("b", "B", parents=(Reference("a"),)),
    ...                                               Concept("c", "C", parents=(Reference("b"),))])))
    >>> [c.concepts for c in h.chains("c")[0]], h.depth_counts()
    ([('a', 'b', 'c')], ((0, 1), (1, 1), (2, 1)))
    """

    def __init__(self, parents: Mapping[str, set[str]], children: Mapping[str, set[str]], titles: Mapping[str, str],
                 concepts: int):
        self.parents = {child: tuple(sorted(ups)) for child, ups in parents.items()}
        self.children = {parent: tuple(sorted(downs)) for parent, downs in children.items()}
        #: Titles of the concepts in the hierarchy, for labels.
        self.titles = dict(titles)
        #: How many concepts the glossary has (in the hierarchy or not).
        self.concepts = concepts

    @classmethod
    def from_store(cls, store: GraphStore) -> Hierarchy:
        """The hierarchy of any store, from its glossary and link table."""
        glossary = store.glossary()
        every = {c.id: c.title for c in glossary.concepts}
        parents, children, _ = hierarchy_links(store.links(), every)
        titles = {cid: every[cid] for cid in (*parents, *children)}
        return cls(parents, children, titles, len(every))

    def __bool__(self) -> bool:
        """True when the glossary has at least one broader link between two concepts."""
        return bool(self.parents)

    def members(self) -> int:
        """How many concepts have a parent or a child."""
        return len(self.parents.keys() | self.children.keys())

    def chains(self, concept_id: str, limit: int = MAX_CHAINS) -> tuple[list[Chain], bool]:
        """Up to ``limit`` ancestor chains of a concept, parents in id order; True when more were left out.

        A concept without parents has no chain. The walk never revisits a concept of the chain it is
        on, so a cycle ends a chain (marked) instead of looping.
        """
        if concept_id not in self.parents:
            return [], False
        found: list[Chain] = []
        trail = [concept_id]
        on_trail = {concept_id}
        more = False

        def walk(node: str) -> None:
            nonlocal more
            for parent in self.parents.get(node, ()):
                if len(found) >= limit:
                    more = True
                    return
                if parent in on_trail:
                    found.append(Chain(tuple(reversed(trail)), cycle=True))
                    continue
                trail.append(parent)
                on_trail.add(parent)
                if parent in self.parents:
                    walk(parent)
                else:
                    found.append(Chain(tuple(reversed(trail))))
                trail.pop()
                on_trail.discard(parent)

        walk(concept_id)
        return found, more

    def roots(self) -> list[Root]:
        """Concepts with children and no parent, most children first, then by title and id."""
        found = [Root(cid, self.titles.get(cid, cid), len(downs))
                 for cid, downs in self.children.items() if cid not in self.parents]
        return sorted(found, key=lambda r: (-r.children, r.title.casefold(), r.id))

    def depths(self) -> dict[str, int]:
        """The depth of each concept reachable down from a root: the fewest broader steps up to a root (roots: 0)."""
        depth = {root: 0 for root in self.children if root not in self.parents}
        layer = list(depth)
        level = 0
        while layer:
            level += 1
            following = []
            for node in layer:
                for child in self.children.get(node, ()):
                    if child not in depth:
                        depth[child] = level
                        following.append(child)
            layer = following
        return depth

    def depth_counts(self) -> tuple[tuple[int, int], ...]:
        """How many concepts sit at each depth, shallowest first."""
        return tuple(sorted(Counter(self.depths().values()).items()))
