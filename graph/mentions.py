"""Mentions: where one concept's title or alias occurs in another concept's text.

The rules (docs/design.md section 6, ``unlinked_mentions``):

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
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from graph.model import Concept
from graph.text import strip_link_markup

#: Labels shorter than this (after folding) are never searched for.
MIN_TERM_LENGTH = 3

# A word character: a letter or digit (\w), or a hyphen joining them (so "pre-training" is one word).
_NON_WORD = re.compile(r"[^\w\-\u2010\u2011]")
_SPACE_RUN = re.compile(r"\s+")
# Every whitespace character becomes one plain space: same length, so offsets stay valid.
_WHITESPACE = {cp: " " for cp in range(0x3000 + 1) if chr(cp).isspace()}


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
    # Most texts hold no markup at all; skip the five regular expressions for them.
    if "[" in text or "`" in text or "<" in text or "://" in text or "~~~" in text:
        return strip_link_markup(text)
    return text


def _surface(written: str, first: int, last: int) -> str:
    """A mention as written, with any run of whitespace inside it shown as one space."""
    surface = written[first:last]
    if not surface.isprintable() or "  " in surface:
        surface = _SPACE_RUN.sub(" ", surface)
    return surface


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
    key: str  # the folded label
    exact: frozenset[str] | None  # the accepted spellings when every spelling is an acronym
    verify: bool  # the label holds non-word characters, which the boundary text blurs into spaces


class MentionFinder:
    """Finds the labels of many concepts in texts, one pass per text.

    Labels are stored with every non-word character turned into a space and a space added at
    each end; texts are scanned in the same form with a space at each end. So the automaton only
    reports whole words (no check per hit), and a hit is verified against the real text only
    when its label holds punctuation ("Q&A" must not match "Q/A") or is an acronym.

    >>> finder = MentionFinder([("attn", ["Attention"]), ("flash", ["Flash Attention"]), ("rag", ["RAG"])])
    >>> [(m.target, m.surface) for m in finder.find("Flash attention beats attention; rag is not RAG's.")]
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
        by_shape: dict[str, list[int]] = {}
        for key, owned_by in owners.items():
            labels = spellings[key]
            exact = (
                frozenset(_exact_term(label) for label in labels) if all(is_acronym(lb) for lb in labels) else None
            )
            owner = next(iter(owned_by)) if len(owned_by) == 1 else None
            shape = _NON_WORD.sub(" ", key)
            self._terms.append(_Term(owner, key, exact, shape != key))
            by_shape.setdefault(f" {shape} ", []).append(len(self._terms) - 1)
        self._automaton = ahocorasick.Automaton()
        for shape, indexes in by_shape.items():
            self._automaton.add_word(shape, (len(shape) - 2, tuple(indexes)))
        self._empty = not self._terms
        if not self._empty:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, text: str) -> list[Match]:
        """Every mention in ``text`` (already stripped of markup), leftmost-longest, in text order."""
        written, spans = self._spans(text)
        return [Match(owner, first, last, _surface(written, first, last)) for owner, first, last in spans]

    def _spans(self, text: str) -> tuple[str, list[tuple[str, int, int]]]:
        """The NFKC text and its mentions as (owner, start, end) offsets into it."""
        if self._empty or not text:
            return text, []
        written = unicodedata.normalize("NFKC", text)
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
        terms = self._terms
        candidates: list[tuple[int, int, int]] = []
        # A hit ending at `last` of the padded text (its closing space) covers folded[last - length - 1 : last - 1].
        for last, (length, indexes) in self._automaton.iter(f" {_NON_WORD.sub(' ', folded)} "):
            end = last - 1
            start = end - length
            for index in indexes:
                term = terms[index]
                if term.verify and folded[start : end].translate(_WHITESPACE) != term.key:
                    continue
                if term.exact is not None:
                    first, stop = (start, end) if position is None else (position[start], position[end - 1] + 1)
                    if written[first:stop].translate(_WHITESPACE) not in term.exact:
                        continue
                candidates.append((start, -end, index))
        if len(candidates) > 1:
            candidates.sort()
        found: list[tuple[str, int, int]] = []
        covered = -1
        for start, negative_end, index in candidates:
            if start < covered:
                continue
            covered = -negative_end
            owner = terms[index].owner
            if owner is None:
                continue
            if position is None:
                found.append((owner, start, covered))
            else:
                found.append((owner, position[start], position[covered - 1] + 1))
        return written, found

    def mentions(self, source: str, text: str) -> dict[str, tuple[str, int]]:
        """Concepts other than ``source`` mentioned in ``text``: target -> (first mention as written, count)."""
        written, spans = self._spans(text)
        result: dict[str, tuple[str, int]] = {}
        for owner, first, last in spans:
            if owner == source:
                continue
            seen = result.get(owner)
            result[owner] = (_surface(written, first, last), 1) if seen is None else (seen[0], seen[1] + 1)
        return result

    @classmethod
    def for_concepts(cls, concepts: Iterable[Concept]) -> MentionFinder:
        """A finder over the titles and aliases of concepts."""
        return cls((c.id, [c.title, *c.aliases]) for c in concepts)
