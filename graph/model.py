"""The glossary data model: concepts as loaded, before any graph is built."""

from __future__ import annotations

__all__ = ["CONTENT_FIELDS", "LINK_KINDS", "Concept", "Glossary", "Origin", "Reference", "Source", "Translation"]

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any

from graph.errors import Problem
from graph.kinds import LINK_KINDS, LinkKind


@dataclass(frozen=True, slots=True)
class Source:
    """A cited source of a concept page.

    >>> Source("Attention Is All You Need", "https://arxiv.org/abs/1706.03762").title
    'Attention Is All You Need'
    """

    title: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a concept or value came from: a file and a 1-based line (None when unknown)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class Translation:
    """A concept's names and definition in another language than the one loaded as its title.

    >>> Translation("nl", "basismodel").lang
    'nl'
    """

    lang: str
    title: str
    definition: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference to another concept as its author wrote it (wikilink label and #section removed).

    ``line`` is informative only and does not take part in equality, so a glossary that went
    through an export and back still compares equal. ``relation`` names the kind of relation an
    ontology gave the link (OBO's ``relationship: part_of X``), None for a plain related link.
    """

    target: str
    kind: LinkKind = "related"
    line: int | None = field(default=None, compare=False)
    relation: str | None = None

    def to_json(self) -> dict[str, str]:
        """The reference as exports write it: target and kind, and the relation when there is one."""
        data = {"target": self.target, "kind": self.kind}
        if self.relation is not None:
            data["relation"] = self.relation
        return data


@dataclass(slots=True)
class Concept:
    """One concept page.

    ``origin`` and ``path`` say where the concept came from and do not take part in equality:
    two concepts are equal when their content is. ``parents`` are the concept's broader concepts
    as written (a SKOS broader, an ontology is_a, a Dendron or Logseq namespace parent);
    ``deprecated`` concepts may name the concept that replaces them in ``replaced_by``;
    ``translations`` hold the labels in other languages; ``attributes`` keeps source fields the
    model has no place for (e.g. a Dendron note id).

    >>> Concept("rag", "Retrieval-Augmented Generation", aliases=("RAG",)).category is None
    True
    """

    id: str
    title: str
    definition: str = ""
    body: str = ""
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    level: str | None = None
    published: str | None = None
    sources: tuple[Source, ...] = ()
    related: tuple[Reference, ...] = ()
    parents: tuple[Reference, ...] = ()
    translations: tuple[Translation, ...] = ()
    deprecated: bool = False
    replaced_by: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    path: str | None = field(default=None, compare=False)
    origin: Origin | None = field(default=None, compare=False)

    @property
    def category(self) -> str | None:
        """The first (main) category, or None when uncategorised."""
        return self.categories[0] if self.categories else None

    def labels(self) -> Iterator[tuple[str, str]]:
        """Yield (label, kind) for the title and every alias: the names a reader may search by."""
        yield self.title, "title"
        for alias in self.aliases:
            yield alias, "alias"

    def content(self) -> dict[str, Any]:
        """The content fields as plain data: what exports and stores write (references with their kind).

        ``translations`` is there only when the concept has some, so monolingual exports keep their shape.
        """
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "definition": self.definition,
            "body": self.body,
            "aliases": list(self.aliases),
            "categories": list(self.categories),
            "category": self.category,
            "level": self.level,
            "published": self.published,
            "sources": [{"title": s.title, "url": s.url} for s in self.sources],
            "related": [r.to_json() for r in self.related],
            "parents": [r.target for r in self.parents],
            "deprecated": self.deprecated,
            "replaced_by": self.replaced_by,
        }
        if self.translations:
            data["translations"] = [
                {"lang": t.lang, "title": t.title, "definition": t.definition, "aliases": list(t.aliases)}
                for t in self.translations
            ]
        return data

    def to_dict(self) -> dict[str, Any]:
        """The concept for people and scripts (`show`): related targets, wikilinks and Markdown links apart."""
        data = self.content()
        data["related"] = [r.target for r in self.related if r.kind == "related"]
        data["wikilinks"] = [r.target for r in self.related if r.kind == "wikilink"]
        data["markdown_links"] = [r.target for r in self.related if r.kind == "markdown"]
        if self.attributes:
            data["attributes"] = self.attributes
        if self.path is not None:
            data["path"] = self.path
        if self.origin is not None:
            data["origin"] = {"file": self.origin.file, "line": self.origin.line}
        return data

    def with_(self, **changes: Any) -> Concept:
        """A copy with some fields changed."""
        return replace(self, **changes)


#: The content fields of a concept, in declaration order (what a diff compares).
CONTENT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Concept) if f.compare
)


@dataclass(slots=True)
class Glossary:
    """A loaded glossary: its concepts in load order, where it came from, and what was wrong with it.

    ``category_parents`` maps a category to its parent categories where the source has a
    hierarchy (e.g. SKOS broader between top concepts). ``problems`` lists what a lenient load
    skipped; ``warnings`` what a load accepted but a user should know (a renamed id, a field set
    aside, a symlink skipped); ``skipped`` the files a loader read past on purpose (templates, section
    pages), each with the reason; ``counts`` what a loader counted while reading that the concepts do
    not show (tags read as categories, external links, links to attachments).
    """

    concepts: list[Concept]
    source: str = ""
    format: str = ""
    category_parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list, compare=False)
    warnings: list[Problem] = field(default_factory=list, compare=False)
    skipped: list[Problem] = field(default_factory=list, compare=False)
    counts: dict[str, int] = field(default_factory=dict, compare=False)

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def link_forms(self) -> dict[str, int]:
        """How many links were read in each form: related properties, wikilinks, Markdown links, tags."""
        kinds = {kind: 0 for kind in LINK_KINDS}
        for concept in self.concepts:
            for reference in concept.related:
                kinds[reference.kind] += 1
        return {
            "properties": kinds["related"],
            "wikilinks": kinds["wikilink"],
            "markdown_links": kinds["markdown"],
            "tags": self.counts.get("tags", 0),
        }

    def by_id(self) -> dict[str, Concept]:
        """Concepts keyed by id."""
        return {c.id: c for c in self.concepts}

    def same_content(self, other: Glossary) -> bool:
        """True when both hold the same concepts (in any order) and the same category hierarchy."""
        mine, theirs = self.by_id(), other.by_id()
        return mine == theirs and self.category_parents == other.category_parents
