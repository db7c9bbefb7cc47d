"""Mentions: where one concept's title or alias occurs in another concept's text.

The rules (DESIGN.md section 6, ``unlinked_mentions``):

- whole words only; a word is made of Unicode letters and digits joined by ``-`` or ``_``, so
  "pre-training" is one word and holds no mention of "Training", while an apostrophe ends a word
  ("RAG's" mentions RAG). Nothing is stemmed: "Transformers" is not a mention of "Transformer";
- leftmost-longest, non-overlapping: in "Flash Attention" only "Flash Attention" is found, not
  "Attention";
- case-insensitive, except all-capitals terms (acronyms such as "RAG"), which match only as
  written: "rag" in lower case is not a mention of RAG;
- labels shorter than 3 characters, and labels owned by more than one concept, find nothing (a
  shared label still takes part in leftmost-longest so it hides the shorter labels inside it);
- code, link markup, URLs and HTML tags are blanked first (graph.text.strip_link_markup), and a
  blank counts as a word break, so no mention spans a link;
- whitespace inside a label matches one whitespace character of any kind (a line break too).

One Aho-Corasick automaton holds every label, built once; each text is scanned in one pass.
"""

from __future__ import annotations

__all__ = [
    "MIN_TERM_LENGTH",
    "Match",
    "MentionFinder",
    "is_acronym",
    "searchable_text",
]

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

from graph.model import Concept
from graph.text import strip_link_markup

#: Labels shorter than this (after folding) are never searched for.
MIN_TERM_LENGTH = 3

# Characters that join letters and digits into one word besides themselves.
_JOINERS = frozenset("-_\u2010\u2011")
_SPACE_RUN = re.compile(r"\s+")
# Every whitespace character becomes one plain space: same length, so offsets stay valid.
_WHITESPACE = {cp: " " for cp in range(0x3000 + 1) if chr(cp).isspace()}


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in _JOINERS


def is_acronym(label: str) -> bool:
    """True for an all-capitals label, matched case-sensitively.

    >>> is_acronym("RAG"), is_acronym("GPT-4"), is_acronym("LLMs"), is_acronym("42")
    (True, True, False, False)
    """
    return label.upper() == label and label.lower() != label


def _fold_term(label: str) -> str:
    """The form a label is stored in: NFKC, lower case, whitespace collapsed."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", label).lower()).strip()


def _exact_term(label: str) -> str:
    """The form an acronym must appear in: NFKC, whitespace collapsed, case kept."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", label)).strip()


def searchable_text(concept: Concept) -> str:
    """The text searched for mentions: definition and body, with code and link markup blanked.

    A body that repeats the definition as its first paragraph is searched once.

    >>> searchable_text(Concept("x", "X", definition="See [[RAG]] and `RAG`.")).strip()
    'See         and      .'
    """
    definition, body = concept.definition.strip(), concept.body
    if definition and body.lstrip().startswith(definition):
        text = body
    elif body:
        text = f"{concept.definition}\n\n{body}"
    else:
        text = concept.definition
    return strip_link_markup(text)


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence of a concept's label in a text: the owner, offsets and the text as written."""

    target: str
    start: int
    end: int
    surface: str


@dataclass(frozen=True, slots=True)
class _Term:
    owner: str | None  # None when several concepts own the label: it matches but reports nothing
    length: int
    exact: frozenset[str] | None  # the accepted spellings when every spelling is an acronym
    word_start: bool  # the term begins with a word character, so needs a word break before it
    word_end: bool


class MentionFinder:
    """Finds the labels of many concepts in texts, one pass per text.

    >>> finder = MentionFinder([("attn", ["Attention"]), ("flash", ["Flash Attention"]), ("rag", ["RAG"])])
    >>> [(m.target, m.surface) for m in finder.find("Flash attention beats attention; rag is not RAG.")]
    [('flash', 'Flash attention'), ('attn', 'attention'), ('rag', 'RAG')]
    """

    def __init__(self, concepts: Iterable[tuple[str, Iterable[str]]]):
        owners: dict[str, set[str]] = {}
        spellings: dict[str, set[str]] = {}
        for concept_id, labels in concepts:
            for label in labels:
                key = _fold_term(label)
                if len(key) < MIN_TERM_LENGTH:
                    continue
                owners.setdefault(key, set()).add(concept_id)
                spellings.setdefault(key, set()).add(label)
        self._terms: list[_Term] = []
        self._automaton = ahocorasick.Automaton()
        for key, owned_by in owners.items():
            labels = spellings[key]
            exact = (
                frozenset(_exact_term(label) for label in labels) if all(is_acronym(lb) for lb in labels) else None
            )
            owner = next(iter(owned_by)) if len(owned_by) == 1 else None
            term = _Term(owner, len(key), exact, _is_word_char(key[0]), _is_word_char(key[-1]))
            self._automaton.add_word(key, len(self._terms))
            self._terms.append(term)
        self._empty = not self._terms
        if not self._empty:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, text: str) -> list[Match]:
        """Every mention in ``text`` (already stripped of markup), leftmost-longest, in text order."""
        if self._empty or not text:
            return []
        written = unicodedata.normalize("NFKC", text).translate(_WHITESPACE)
        folded = written.lower()
        position: list[int] | None = None
        if len(folded) != len(written):
            # A few characters lower-case to two (e.g. U+0130); map folded offsets back one by one.
            pieces: list[str] = []
            position = []
            for index, char in enumerate(written):
                low = char.lower()
                pieces.append(low)
                position.extend([index] * len(low))
            folded = "".join(pieces)
        size = len(folded)
        terms = self._terms
        candidates: list[tuple[int, int, int]] = []
        for end, index in self._automaton.iter(folded):
            term = terms[index]
            start = end - term.length + 1
            if term.word_start and start > 0:
                before = folded[start - 1]
                if before.isalnum() or before in _JOINERS:
                    continue
            if term.word_end and end + 1 < size:
                after = folded[end + 1]
                if after.isalnum() or after in _JOINERS:
                    continue
            if term.exact is not None:
                first, last = (start, end) if position is None else (position[start], position[end])
                if written[first : last + 1] not in term.exact:
                    continue
            candidates.append((start, -end, index))
        candidates.sort()
        found: list[Match] = []
        covered = -1
        for start, negative_end, index in candidates:
            if start <= covered:
                continue
            end = -negative_end
            covered = end
            owner = terms[index].owner
            if owner is None:
                continue
            first, last = (start, end) if position is None else (position[start], position[end])
            found.append(Match(owner, first, last + 1, written[first : last + 1]))
        return found

    def mentions(self, source: str, text: str) -> dict[str, tuple[str, int]]:
        """Concepts other than ``source`` mentioned in ``text``: target -> (first mention as written, count)."""
        result: dict[str, tuple[str, int]] = {}
        for match in self.find(text):
            if match.target == source:
                continue
            seen = result.get(match.target)
            result[match.target] = (match.surface, 1) if seen is None else (seen[0], seen[1] + 1)
        return result

    def scan(self, concepts: Iterable[Concept]) -> Iterator[tuple[str, str, str, int]]:
        """Yield (source, target, mention, count) for every concept's text, in concept then target order."""
        for concept in concepts:
            found = self.mentions(concept.id, searchable_text(concept))
            for target in sorted(found):
                surface, count = found[target]
                yield concept.id, target, surface, count

    @classmethod
    def for_concepts(cls, concepts: Iterable[Concept]) -> MentionFinder:
        """A finder over the titles and aliases of concepts."""
        return cls((c.id, [c.title, *c.aliases]) for c in concepts)
