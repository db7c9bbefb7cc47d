"""Search over titles and aliases, shared by every store so that rankings are identical.

Scores: 100 exact (title, alias or id), 90 the label starts with the query, 80 the query occurs
inside the label, below 80 fuzzy (rapidfuzz scaled: WRatio for a label at least as long as the
query, the plain ratio for a shorter one, so a short alias found inside the query, "FL" in
"flash attn", does not outscore a label the query abbreviates); a label in another language (a
translation's title or alias) scores 95% of that, so it ranks below the same match on a title;
one hit per concept, its best label; ties broken by a title match before an alias match, then
title, then id.
"""

from __future__ import annotations

__all__ = ["Searcher"]

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from rapidfuzz import fuzz, process

from graph.protocol import SearchHit
from graph.text import normalise

_FUZZY_CUTOFF = 60.0
#: How much of a score a match on a translated label keeps.
_TRANSLATED = 0.95


class Searcher:
    """Ranks concepts by how well one of their labels matches a query.

    >>> s = Searcher([("rag", "Retrieval-Augmented Generation", ["RAG"]), ("ragas", "RAGAS", [])])
    >>> [(h.id, h.matched, h.score) for h in s.search("rag")]
    [('rag', 'RAG', 100.0), ('ragas', 'RAGAS', 90.0)]
    """

    def __init__(self, concepts: Iterable[Sequence[Any]]):
        """``concepts``: (id, title, aliases) or (id, title, aliases, labels in other languages)."""
        self._labels: list[str] = []
        self._normalised: list[str] = []
        self._owner: list[int] = []
        self._ids: list[str] = []
        self._titles: list[str] = []
        self._sort_titles: list[str] = []
        self._exact: dict[str, list[int]] = {}
        self._by_id: dict[str, list[int]] = {}
        self._translated: set[int] = set()
        for index, (concept_id, title, aliases, *other) in enumerate(concepts):
            self._ids.append(concept_id)
            self._titles.append(title)
            self._sort_titles.append(normalise(title))
            self._by_id.setdefault(normalise(concept_id), []).append(len(self._labels))
            self._add(title, index)
            for alias in aliases:
                self._add(alias, index)
            for label in other[0] if other else ():
                self._translated.add(len(self._labels))
                self._add(label, index)
        # Every label in one string, one a line: a query (never holding a newline once normalised)
        # is found in all of them by one C-level scan instead of a Python loop over each label.
        self._joined = "\n".join(self._normalised)
        self._starts: list[int] = []
        offset = 0
        for label in self._normalised:
            self._starts.append(offset)
            offset += len(label) + 1
        # Label positions ordered by label length: the labels shorter than a query are a prefix.
        self._by_length = sorted(range(len(self._normalised)), key=lambda p: len(self._normalised[p]))
        self._lengths = [len(self._normalised[p]) for p in self._by_length]
        self._sorted_labels = [self._normalised[p] for p in self._by_length]

    def _add(self, label: str, owner: int) -> None:
        position = len(self._labels)
        self._labels.append(label)
        key = normalise(label)
        self._normalised.append(key)
        self._owner.append(owner)
        self._exact.setdefault(key, []).append(position)

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """The best ``limit`` concepts for a query, best first."""
        query = normalise(text)
        if not query or limit <= 0:
            return []
        # owner -> (score, matched a label rather than the id, title rather than alias, -position)
        best: dict[int, tuple[float, int, int, int]] = {}

        def offer(position: int, score: float, label_matched: bool = True) -> None:
            owner = self._owner[position]
            if position in self._translated:
                score = round(score * _TRANSLATED, 2)
            is_title = int(self._labels[position] == self._titles[owner])
            candidate = (score, int(label_matched), is_title, -position)
            current = best.get(owner)
            if current is None or candidate > current:
                best[owner] = candidate

        for position in self._exact.get(query, ()):
            offer(position, 100.0)
        for position in self._by_id.get(query, ()):
            offer(position, 100.0, label_matched=False)
        starts = self._starts
        found = self._joined.find(query)
        while found >= 0:
            position = bisect_right(starts, found) - 1
            if self._normalised[position] != query:
                offer(position, 90.0 if found == starts[position] else 80.0)
            # On to the next label: a label's first occurrence decides (a prefix is found first).
            following = starts[position + 1] if position + 1 < len(starts) else len(self._joined)
            found = self._joined.find(query, following)
        if len(best) < limit:
            split = bisect_left(self._lengths, len(query))
            # A label shorter than the query is compared whole: WRatio's partial match would score
            # any short alias the query happens to contain (an acronym) as a near-perfect hit.
            for scorer, start, stop in ((fuzz.WRatio, split, len(self._lengths)), (fuzz.ratio, 0, split)):
                for _label, ratio, index in process.extract(
                    query,
                    self._sorted_labels[start:stop],
                    scorer=scorer,
                    limit=limit * 4,
                    score_cutoff=_FUZZY_CUTOFF,
                ):
                    offer(self._by_length[start + index], round(ratio * 0.79, 2))
        ranked = sorted(
            best.items(),
            key=lambda item: (-item[1][0], -item[1][2], self._sort_titles[item[0]], self._ids[item[0]]),
        )
        return [
            SearchHit(self._ids[owner], self._titles[owner], self._labels[-position], score)
            for owner, (score, _label, _title, position) in ranked[:limit]
        ]
