"""What changed between two versions of a glossary: concepts, links and audit findings.

``diff(a, b)`` takes two stores or glossaries (e.g. last week's snapshot and this week's source)
and returns a Diff whose ``to_json()`` is the CLI contract of docs/design.md section 7, every list sorted.
"""

from __future__ import annotations

__all__ = ["AuditDelta", "ConceptChange", "Diff", "audit_deltas", "changed_fields", "diff"]

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.audit.locate import LOCATION_FIELDS
from graph.exports.records import graph_records
from graph.local import LocalStore
from graph.model import CONTENT_FIELDS, Concept, Glossary
from graph.protocol import Edge, GraphStore

#: The fields a concept change can name, in declaration order (the id is what pairs concepts up).
DIFF_FIELDS = tuple(name for name in CONTENT_FIELDS if name != "id")


@dataclass(frozen=True, slots=True)
class ConceptChange:
    """A concept present in both versions whose content differs, and in which fields."""

    id: str
    fields: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.id, "fields": list(self.fields)}


@dataclass(frozen=True, slots=True)
class AuditDelta:
    """For one audit check: findings that appeared and findings that went away."""

    new: tuple[dict[str, Any], ...] = ()
    fixed: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"new": list(self.new), "fixed": list(self.fixed)}


@dataclass
class Diff:
    """The differences from version A to version B."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ConceptChange] = field(default_factory=list)
    links_added: list[Edge] = field(default_factory=list)
    links_removed: list[Edge] = field(default_factory=list)
    audit: dict[str, AuditDelta] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the two versions have the same concepts, links and findings."""
        return not (self.added or self.removed or self.changed or self.links_added or self.links_removed
                    or any(d.new or d.fixed for d in self.audit.values()))

    def to_json(self) -> dict[str, Any]:
        """The JSON contract: concepts added/removed/changed, links added/removed, audit new/fixed per check."""
        return {
            "concepts": {
                "added": list(self.added),
                "removed": list(self.removed),
                "changed": [c.to_json() for c in self.changed],
            },
            "links": {
                "added": [_edge(e) for e in self.links_added],
                "removed": [_edge(e) for e in self.links_removed],
            },
            "audit": {check: delta.to_json() for check, delta in self.audit.items()},
        }

    def rows(self) -> list[tuple[str, str, str]]:
        """(what, change, detail) rows for a table: concepts, then links, then audit findings."""
        rows = [("concept", "added", i) for i in self.added]
        rows += [("concept", "removed", i) for i in self.removed]
        rows += [("concept", "changed", f"{c.id}: {', '.join(c.fields)}") for c in self.changed]
        rows += [("link", "added", f"{e.source} -[{e.type}]-> {e.target}") for e in self.links_added]
        rows += [("link", "removed", f"{e.source} -[{e.type}]-> {e.target}") for e in self.links_removed]
        for check, delta in self.audit.items():
            rows += [(check, "new", _finding_text(f)) for f in delta.new]
            rows += [(check, "fixed", _finding_text(f)) for f in delta.fixed]
        return rows

    def to_markdown(self, title: str = "Changes") -> str:
        """A changelog in Markdown: one section per kind of change, nothing for what did not change."""
        lines = [f"# {title}", ""]
        if self.empty:
            return "\n".join([*lines, "No changes.", ""])

        def section(heading: str, items: list[str]) -> None:
            if items:
                lines.extend([f"## {heading} ({len(items)})", "", *(f"- {_md(item)}" for item in items), ""])

        section("Concepts added", self.added)
        section("Concepts removed", self.removed)
        section("Concepts changed", [f"{c.id}: {', '.join(c.fields)}" for c in self.changed])
        section("Links added", [f"{e.source} → {e.target} ({e.type})" for e in self.links_added])
        section("Links removed", [f"{e.source} → {e.target} ({e.type})" for e in self.links_removed])
        for check, delta in self.audit.items():
            section(f"New {check}", [_finding_text(f) for f in delta.new])
            section(f"Fixed {check}", [_finding_text(f) for f in delta.fixed])
        return "\n".join(lines)


def _edge(edge: Edge) -> dict[str, str]:
    return {"source": edge.source, "target": edge.target, "type": edge.type}


def _md(text: str) -> str:
    # Backslash-escape Markdown's inline syntax so concept names show literally.
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


def _finding_text(finding: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
                     for k, v in finding.items())


def changed_fields(a: Concept, b: Concept) -> tuple[str, ...]:
    """The content fields in which two versions of a concept differ.

    >>> changed_fields(Concept("a", "A"), Concept("a", "A", aliases=("x",), level="Beginner"))
    ('aliases', 'level')
    """
    return tuple(name for name in DIFF_FIELDS if getattr(a, name) != getattr(b, name))


def _unlocated(finding: dict[str, Any]) -> dict[str, Any]:
    """A finding without its file and line (a diff reports what changed, not where it is now written)."""
    return {k: v for k, v in finding.items() if k not in LOCATION_FIELDS}


def _key(finding: dict[str, Any]) -> str:
    # Where a finding is written is not what it is: a finding that moved lines is neither new nor fixed.
    kept = {k: v for k, v in finding.items() if k != "allowed" and k not in LOCATION_FIELDS}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)


def audit_deltas(
    before: Mapping[str, Iterable[dict[str, Any]]], after: Mapping[str, Iterable[dict[str, Any]]]
) -> dict[str, AuditDelta]:
    """Per check, findings new in ``after`` and fixed since ``before``, compared as sets (sorted by their JSON).

    >>> audit_deltas({"orphans": [{"id": "a"}]}, {"orphans": [{"id": "b"}]})["orphans"].to_json()
    {'new': [{'id': 'b'}], 'fixed': [{'id': 'a'}]}
    """
    deltas: dict[str, AuditDelta] = {}
    for check in sorted(set(before) | set(after)):
        old = {_key(f): _unlocated(f) for f in before.get(check, ())}
        new = {_key(f): _unlocated(f) for f in after.get(check, ())}
        deltas[check] = AuditDelta(
            tuple(new[k] for k in sorted(set(new) - set(old))),
            tuple(old[k] for k in sorted(set(old) - set(new))),
        )
    return deltas


def _store(source: GraphStore | Glossary) -> GraphStore:
    return LocalStore(source) if isinstance(source, Glossary) else source


def diff(a: GraphStore | Glossary, b: GraphStore | Glossary, *, audit: bool = True) -> Diff:
    """The differences from ``a`` to ``b``: concepts by id, links (every edge type) and the audit (unless off)."""
    from graph.audit import run_audit

    store_a, store_b = _store(a), _store(b)
    before, after = store_a.glossary().by_id(), store_b.glossary().by_id()
    result = Diff(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
    )
    for concept_id in sorted(set(before) & set(after)):
        fields = changed_fields(before[concept_id], after[concept_id])
        if fields:
            result.changed.append(ConceptChange(concept_id, fields))
    edges_a = {Edge(e["source"], e["target"], e["type"]) for e in graph_records(store_a).edges}
    edges_b = {Edge(e["source"], e["target"], e["type"]) for e in graph_records(store_b).edges}
    result.links_added = sorted(edges_b - edges_a)
    result.links_removed = sorted(edges_a - edges_b)
    if audit:
        result.audit = audit_deltas(run_audit(store_a).findings, run_audit(store_b).findings)
    return result
