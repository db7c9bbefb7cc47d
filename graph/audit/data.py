"""The data every audit check reads: a glossary's concepts and link table, with the link sets and
mention scan the checks share (built lazily)."""

from __future__ import annotations

__all__ = ["AuditData", "Finding"]

from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from graph.hierarchy import hierarchy_links
from graph.mentions import MentionFinder, searchable_text
from graph.model import Concept, Glossary
from graph.protocol import GraphStore
from graph.resolve import Link, resolve_links
from graph.util import reachable

#: One finding of a check: plain JSON-ready data whose fields the check's record lists.
Finding = dict[str, Any]


class AuditData:
    """A glossary and its link table, with the link sets and mention scan the checks share (built lazily).

    ``out`` and ``inc`` are the related links between distinct concepts; ``parents`` and
    ``children`` the resolved broader links between distinct concepts (a concept that is its own
    parent is in ``self_parents``); ``deprecated`` the ids of deprecated concepts; ``dialect`` the
    note-taking tool the source was written with (Glossary.dialect).
    """

    def __init__(self, concepts: Iterable[Concept], links: Iterable[Link], source: str = "", dialect: str = ""):
        #: Where the glossary was loaded from (a path, or "" when built in code): the root of finding locations.
        self.source = source
        self.dialect = dialect
        self.concepts: dict[str, Concept] = {c.id: c for c in concepts}
        self.links: list[Link] = list(links)
        self.out: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        self.inc: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        self.parents, self.children, self.self_parents = hierarchy_links(self.links, self.concepts)
        self.deprecated: set[str] = {cid for cid, c in self.concepts.items() if c.deprecated}
        for link in self.links:
            target = link.target
            if target is None or link.kind == "broader" or target == link.source or target not in self.inc \
                    or link.source not in self.out:
                continue
            self.out[link.source].add(target)
            self.inc[target].add(link.source)

    @classmethod
    def from_glossary(cls, glossary: Glossary, links: Iterable[Link] | None = None) -> AuditData:
        """Audit data of a glossary (its link table resolved here unless given)."""
        return cls(glossary.concepts, resolve_links(glossary) if links is None else links, glossary.source,
                   glossary.dialect)

    @classmethod
    def from_store(cls, store: GraphStore) -> AuditData:
        """Audit data of any store, through the Protocol."""
        glossary = store.glossary()
        return cls(glossary.concepts, store.links(), glossary.source, glossary.dialect)

    @property
    def link_count(self) -> int:
        """Resolved related links between distinct concepts, each (source, target) pair once."""
        return sum(len(targets) for targets in self.out.values())

    @property
    def broader_count(self) -> int:
        """Resolved broader links between distinct concepts, each (child, parent) pair once."""
        return sum(len(ups) for ups in self.parents.values())

    def in_hierarchy(self, concept_id: str) -> bool:
        """True when a concept has a parent or a child: the hierarchy links it both ways."""
        return concept_id in self.parents or concept_id in self.children

    def linked(self, source: str, target: str) -> bool:
        """True when ``source`` links to ``target`` by a related link or as its parent or child."""
        return (
            target in self.out[source]
            or target in self.parents.get(source, ())
            or target in self.children.get(source, ())
        )

    def ancestors(self, concept_id: str) -> set[str]:
        """Every concept up the parents of a concept (a cycle ends the walk; itself only when in a cycle)."""
        return reachable(self.parents, concept_id)

    def descendants(self, concept_id: str) -> set[str]:
        """Every concept down the children of a concept (a cycle ends the walk)."""
        return reachable(self.children, concept_id)

    @cached_property
    def finder(self) -> MentionFinder:
        """The mention finder over every title and alias (built once per audit)."""
        return MentionFinder.for_concepts(self.concepts.values())

    @cached_property
    def mentions(self) -> dict[tuple[str, str], tuple[str, int]]:
        """Every (source, target) pair where the source's text mentions the target: first mention, count."""
        finder = self.finder
        found: dict[tuple[str, str], tuple[str, int]] = {}
        for concept in self.concepts.values():
            for target, seen in finder.mentions(concept.id, searchable_text(concept)).items():
                found[concept.id, target] = seen
        return found

    @cached_property
    def mentioned_by(self) -> Counter[str]:
        """How many concepts mention each concept in their text."""
        return Counter(target for _source, target in self.mentions)

    @cached_property
    def components(self) -> list[list[str]]:
        """Connected components of the undirected graph of related and broader links, largest first.

        Isolated concepts are components alone. Deprecated concepts still connect the others but are
        no members. Each component's ids are sorted; components of equal size by their first id.
        """
        seen: set[str] = set()
        found: list[list[str]] = []
        parents, children, deprecated = self.parents, self.children, self.deprecated
        for start in self.concepts:
            if start in seen:
                continue
            seen.add(start)
            stack, members = [start], [start]
            while stack:
                node = stack.pop()
                for other in (*self.out[node], *self.inc[node], *parents.get(node, ()), *children.get(node, ())):
                    if other not in seen:
                        seen.add(other)
                        members.append(other)
                        stack.append(other)
            current = sorted(m for m in members if m not in deprecated) if deprecated else sorted(members)
            if current:
                found.append(current)
        found.sort(key=lambda members: (-len(members), members[0]))
        return found
