"""The data every audit check reads: a glossary's concepts and link table, with the link sets and
mention scan the checks share (built lazily)."""

from __future__ import annotations

__all__ = ["AuditData", "Finding"]

from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from graph.mentions import MentionFinder, searchable_text
from graph.model import Concept, Glossary
from graph.protocol import GraphStore
from graph.resolve import Link, resolve_links

#: One finding of a check: plain JSON-ready data whose fields the check's record lists.
Finding = dict[str, Any]


class AuditData:
    """A glossary and its link table, with the link sets and mention scan the checks share (built lazily)."""

    def __init__(self, concepts: Iterable[Concept], links: Iterable[Link], source: str = ""):
        #: Where the glossary was loaded from (a path, or "" when built in code): the root of finding locations.
        self.source = source
        self.concepts: dict[str, Concept] = {c.id: c for c in concepts}
        self.links: list[Link] = list(links)
        self.out: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        self.inc: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        for link in self.links:
            target = link.target
            if target is not None and target != link.source and target in self.inc and link.source in self.out:
                self.out[link.source].add(target)
                self.inc[target].add(link.source)

    @classmethod
    def from_glossary(cls, glossary: Glossary, links: Iterable[Link] | None = None) -> AuditData:
        """Audit data of a glossary (its link table resolved here unless given)."""
        return cls(glossary.concepts, resolve_links(glossary) if links is None else links, glossary.source)

    @classmethod
    def from_store(cls, store: GraphStore) -> AuditData:
        """Audit data of any store, through the Protocol."""
        glossary = store.glossary()
        return cls(glossary.concepts, store.links(), glossary.source)

    @property
    def link_count(self) -> int:
        """Resolved links between distinct concepts, each (source, target) pair once."""
        return sum(len(targets) for targets in self.out.values())

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
        """Connected components of the undirected link graph (isolated concepts alone), largest first.

        Each component's ids are sorted; components of equal size are ordered by their first id.
        """
        seen: set[str] = set()
        found: list[list[str]] = []
        for start in self.concepts:
            if start in seen:
                continue
            seen.add(start)
            stack, members = [start], [start]
            while stack:
                node = stack.pop()
                for other in (*self.out[node], *self.inc[node]):
                    if other not in seen:
                        seen.add(other)
                        members.append(other)
                        stack.append(other)
            found.append(sorted(members))
        found.sort(key=lambda members: (-len(members), members[0]))
        return found

