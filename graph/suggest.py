"""Link suggestions: the links a concept most likely lacks, each with its reasons and a score.

Evidence for a missing link A → B, added up into the score:

- A's text mentions B (an unlinked mention): 2, plus 0.25 for each further occurrence (up to 1 more);
- B links to A but A does not link back: 1.5;
- A and B share neighbours in the undirected link graph: the Adamic-Adar index, the sum of
  1 / log(degree) over the shared neighbours (a shared hub counts less than a shared niche);
- A and B share a category: 0.5. When the other evidence gives fewer than ``limit``
  candidates, the best-linked concepts of A's categories fill the list, with this reason alone.

Concepts already linked from A, and A itself, are never suggested; nor are A's ancestors and
descendants in the hierarchy (a related link would clash with it) or deprecated concepts.
"""

from __future__ import annotations

__all__ = ["Suggestion", "Suggestions", "suggest", "suggest_for"]

import math
from dataclasses import dataclass, field
from typing import Any

from graph.audit import AuditData
from graph.mentions import searchable_text
from graph.model import Glossary
from graph.protocol import GraphStore
from graph.text import normalise

MENTION_SCORE = 2.0
EXTRA_MENTION_SCORE = 0.25
BACKLINK_SCORE = 1.5
CATEGORY_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A link the source concept may be missing, with a score and the reasons for it."""

    source: str
    target: str
    title: str
    score: float
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "source": self.source,
            "target": self.target,
            "title": self.title,
            "score": self.score,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Suggestions:
    """The suggestions for one concept (``concept`` set) or for every concept, by source then best first."""

    concept: str | None
    suggestions: list[Suggestion] = field(default_factory=list)


class _Candidate:
    __slots__ = ("reasons", "score")

    def __init__(self) -> None:
        self.score = 0.0
        self.reasons: list[str] = []


def _category_index(data: AuditData) -> dict[str, list[str]]:
    """Concept ids per normalised category, best-linked (most incoming links) first."""
    members: dict[str, list[str]] = {}
    for concept in data.concepts.values():
        for category in {normalise(c) for c in concept.categories if c.strip()}:
            members.setdefault(category, []).append(concept.id)
    for ids in members.values():
        ids.sort(key=lambda cid: (-len(data.inc[cid]), cid))
    return members


def suggest_for(
    data: AuditData, concept_id: str, limit: int = 5, categories: dict[str, list[str]] | None = None
) -> list[Suggestion]:
    """The best ``limit`` suggestions for one concept of the audit data, best first, ties by target id.

    ``categories`` is the index of _category_index, passed in when suggesting for many concepts.
    """
    concept = data.concepts[concept_id]
    linked = data.out[concept_id]
    if data.parents or data.deprecated:
        # A related link to a concept above or below in the hierarchy would clash with it, and one
        # to a deprecated concept would be a deprecated link: neither is suggested.
        linked = linked | data.ancestors(concept_id) | data.descendants(concept_id) | data.deprecated
    found: dict[str, _Candidate] = {}

    def candidate(target: str) -> _Candidate:
        entry = found.get(target)
        if entry is None:
            entry = found[target] = _Candidate()
        return entry

    mentions = data.finder.mentions(concept_id, searchable_text(concept))
    for target in sorted(mentions):
        if target in linked:
            continue
        mention, count = mentions[target]
        entry = candidate(target)
        entry.score += MENTION_SCORE + EXTRA_MENTION_SCORE * min(count - 1, 4)
        entry.reasons.append(f"mentions {mention!r}" + (f" {count} times" if count > 1 else ""))
    for source in sorted(data.inc[concept_id] - linked):
        entry = candidate(source)
        entry.score += BACKLINK_SCORE
        entry.reasons.append("links here")
    shared: dict[str, list[str]] = {}
    for neighbour in data.out[concept_id] | data.inc[concept_id]:
        for other in data.out[neighbour] | data.inc[neighbour]:
            if other != concept_id and other not in linked:
                shared.setdefault(other, []).append(neighbour)
    for target in sorted(shared):
        via = sorted(shared[target])
        entry = candidate(target)
        # Every shared neighbour has both concepts as neighbours, so its degree is at least 2.
        entry.score += sum(1 / math.log(len(data.out[n] | data.inc[n])) for n in via)
        names = ", ".join(via[:3]) + (f" and {len(via) - 3} more" if len(via) > 3 else "")
        entry.reasons.append(f"{len(via)} shared neighbour{'s' if len(via) > 1 else ''}: {names}")
    own = {normalise(c): c for c in concept.categories if c.strip()}
    if own:
        for target in sorted(found):
            common = [own[k] for k in (normalise(c) for c in data.concepts[target].categories) if k in own]
            if common:
                found[target].score += CATEGORY_SCORE
                found[target].reasons.append(f"same category: {common[0]}")
        if len(found) < limit:
            index = categories if categories is not None else _category_index(data)
            fillers: dict[str, str] = {}
            for key, name in sorted(own.items()):
                taken = 0
                # Members are best-linked first, so the first `limit` usable ones of each category suffice.
                for member in index.get(key, ()):
                    if taken == limit:
                        break
                    if member != concept_id and member not in linked and member not in found:
                        fillers.setdefault(member, name)
                        taken += 1
            chosen = sorted(fillers, key=lambda cid: (-len(data.inc[cid]), cid))[: limit - len(found)]
            for target in chosen:
                entry = candidate(target)
                entry.score += CATEGORY_SCORE
                entry.reasons.append(f"same category: {fillers[target]}")
    ranked = sorted(found.items(), key=lambda kv: (-round(kv[1].score, 4), kv[0]))[:limit]
    return [
        Suggestion(concept_id, target, data.concepts[target].title, round(entry.score, 4), tuple(entry.reasons))
        for target, entry in ranked
    ]


def suggest(
    store: GraphStore | Glossary | AuditData, concept: str | None = None, limit: int = 5
) -> Suggestions:
    """Suggestions for one concept (an id, title or alias) or, without one, for every concept."""
    if isinstance(store, AuditData):
        data = store
    elif isinstance(store, Glossary):
        data = AuditData.from_glossary(store)
    else:
        data = AuditData.from_store(store)
    if concept is not None:
        concept_id = concept if concept in data.concepts else _resolve(store, data, concept)
        return Suggestions(concept_id, suggest_for(data, concept_id, limit))
    rows: list[Suggestion] = []
    index = _category_index(data)
    for concept_id in sorted(data.concepts):
        rows.extend(suggest_for(data, concept_id, limit, index))
    return Suggestions(None, rows)


def _resolve(store: GraphStore | Glossary | AuditData, data: AuditData, reference: str) -> str:
    """The id a reference names, through the store when it is one, else through a resolver."""
    from graph.resolve import Resolver

    resolve = getattr(store, "resolve", None)
    if callable(resolve):
        return str(resolve(reference))
    return Resolver(data.concepts.values()).concept_id(reference)
