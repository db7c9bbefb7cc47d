"""Reference resolution: which concept a written reference points to, and how it got there."""

from __future__ import annotations

__all__ = ["RESOLVED_VIA", "Link", "Resolution", "Resolver", "resolve_links"]

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from graph.errors import AmbiguousReference, ConceptNotFound
from graph.model import Concept, Glossary, Reference
from graph.text import normalise

#: The ways a reference can resolve, in the order they are tried.
RESOLVED_VIA = ("id", "title", "alias", "path")


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving one reference.

    ``via`` is one of RESOLVED_VIA, or "ambiguous" (several concepts own the label; their ids are
    in ``candidates``) or "unresolved" (nothing matches: a broken link).
    """

    via: str
    target: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        """True when the reference points at exactly one concept."""
        return self.target is not None


@dataclass(frozen=True, slots=True)
class Link:
    """One reference of one concept, with its resolution: a row of the link table.

    ``key`` is the normalised target as written; broken and ambiguous links are grouped by it.
    ``kind`` is the reference's kind ("related", "wikilink"), or "broader" for a hierarchy parent;
    ``relation`` the ontology relation the reference was given (``part_of``), None for a plain link.
    """

    source: str
    written: str
    kind: str
    via: str
    target: str | None
    key: str
    candidates: tuple[str, ...] = ()
    line: int | None = None
    relation: str | None = None


class Resolver:
    """Resolves references against a set of concepts: id, then title, then an alias owned by one concept.

    A fourth, last rule resolves a file path or file stem (``folder/note``) for Markdown vaults,
    where links name files rather than titles. A label several concepts share is ambiguous only
    when no later rule names exactly one concept.

    >>> r = Resolver([Concept("rag", "Retrieval-Augmented Generation", aliases=("RAG",))])
    >>> r.resolve("rag").via, r.resolve("RETRIEVAL-augmented generation").via
    ('id', 'title')
    >>> r.resolve("Vector DB").via
    'unresolved'
    """

    def __init__(self, concepts: Iterable[Concept]):
        self.by_id: dict[str, str] = {}
        self.by_title: dict[str, list[str]] = {}
        self.by_alias: dict[str, list[str]] = {}
        self.by_path: dict[str, list[str]] = {}
        for concept in concepts:
            self.add(concept)

    def add(self, concept: Concept) -> None:
        """Index one concept's id, title, aliases and path."""
        self.by_id.setdefault(normalise(concept.id), concept.id)
        _append_unique(self.by_title, normalise(concept.title), concept.id)
        for alias in concept.aliases:
            _append_unique(self.by_alias, normalise(alias), concept.id)
        if concept.path:
            path_key = normalise(concept.path)
            _append_unique(self.by_path, path_key, concept.id)
            stem = path_key.rsplit("/", 1)[-1]
            if stem != path_key:
                _append_unique(self.by_path, stem, concept.id)

    def resolve(self, reference: str) -> Resolution:
        """Resolve one reference as written."""
        return self.resolve_key(normalise(reference))

    def resolve_key(self, key: str) -> Resolution:
        """Resolve a reference already normalised (saves normalising twice in bulk resolution)."""
        found = self.by_id.get(key)
        if found is not None:
            return Resolution("id", found)
        ambiguous: list[str] | None = None
        for via, index in (("title", self.by_title), ("alias", self.by_alias), ("path", self.by_path)):
            owners = index.get(key)
            if owners:
                if len(owners) == 1:
                    return Resolution(via, owners[0])
                # A later rule may still single one out (e.g. one file named like three notes' shared title).
                ambiguous = ambiguous or owners
        if ambiguous:
            return Resolution("ambiguous", None, tuple(sorted(ambiguous)))
        return Resolution("unresolved")

    def concept_id(self, reference: str) -> str:
        """The id of the one concept a user's reference (id, title or alias) names, or raise."""
        resolution = self.resolve(reference)
        if resolution.target is not None:
            return resolution.target
        if resolution.via == "ambiguous":
            raise AmbiguousReference(reference, list(resolution.candidates))
        raise ConceptNotFound(reference)


def _append_unique(index: dict[str, list[str]], key: str, concept_id: str) -> None:
    owners = index.setdefault(key, [])
    if concept_id not in owners:
        owners.append(concept_id)


def resolve_links(glossary: Glossary, resolver: Resolver | None = None) -> list[Link]:
    """The link table of a glossary: one Link per reference, in concept and reference order.

    A concept's related references come first, then its parents (kind "broader").
    """
    resolver = resolver or Resolver(glossary.concepts)
    # Glossaries write the same targets again and again (hubs): resolve and normalise each spelling once.
    cache: dict[str, tuple[str, str | None, str, tuple[str, ...]]] = {}
    table: list[Link] = []
    append = table.append
    for concept in glossary.concepts:
        source = concept.id
        for ref, kind in _references(concept):
            written = ref.target
            seen = cache.get(written)
            if seen is None:
                key = normalise(written)
                resolution = resolver.resolve_key(key)
                seen = cache[written] = (resolution.via, resolution.target, key, resolution.candidates)
            via, target, key, candidates = seen
            append(Link(source, written, kind, via, target, key, candidates, ref.line, ref.relation))
    return table


def _references(concept: Concept) -> Iterator[tuple[Reference, str]]:
    """Every reference of a concept with its link kind: related ones as written, then parents as broader."""
    for ref in concept.related:
        yield ref, ref.kind
    for ref in concept.parents:
        yield ref, "broader"
