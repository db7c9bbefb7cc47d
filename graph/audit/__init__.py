"""The link-coverage audit of a glossary: the checks of docs/design.md section 6, coverage metrics, a
worklist, severities and an allow-list of accepted findings.

The audit reads a store only through the query Protocol (``glossary()``, ``links()`` and the
``audit_check`` hook, with which a store may answer a check itself, e.g. in one Cypher query).

"Link" means a reference (related-list entry or inline link) resolved to another concept; self
links, broken and ambiguous references are not links.

- ``checks``: the registry of checks (one ``Check`` record each) and the check functions;
- ``data``: what the checks read; ``coverage``: the metrics; ``allow``: the allow-list;
- ``report``: ``run_audit`` and the ``AuditReport`` it returns.

>>> from graph.model import Concept, Glossary, Reference
>>> report = run_audit(Glossary([Concept("a", "Alpha", related=(Reference("Beta"),)), Concept("b", "Beta")]))
>>> report.findings["orphans"], report.findings["one_way_links"]
([{'id': 'a', 'title': 'Alpha'}], [{'source': 'a', 'target': 'b'}])
"""

from __future__ import annotations

from graph.audit.allow import AllowEntry, AllowList, load_allow_list
from graph.audit.checks import (
    CHECKS,
    FIELDS,
    LEVELS,
    REGISTRY,
    SEVERITY,
    Check,
    Level,
    alias_collisions,
    alias_links,
    ambiguous_links,
    broken_links,
    check_names,
    dead_ends,
    disconnected_clusters,
    duplicate_links,
    duplicate_titles,
    isolated,
    missing_definitions,
    one_way_links,
    orphans,
    self_links,
    uncategorised,
    unlinked_mentions,
    wanted,
)
from graph.audit.coverage import METRICS, coverage
from graph.audit.data import AuditData, Finding
from graph.audit.report import AuditReport, run_audit

__all__ = [
    "CHECKS",
    "FIELDS",
    "LEVELS",
    "METRICS",
    "REGISTRY",
    "SEVERITY",
    "AllowEntry",
    "AllowList",
    "AuditData",
    "AuditReport",
    "Check",
    "Finding",
    "Level",
    "alias_collisions",
    "alias_links",
    "ambiguous_links",
    "broken_links",
    "check_names",
    "coverage",
    "dead_ends",
    "disconnected_clusters",
    "duplicate_links",
    "duplicate_titles",
    "isolated",
    "load_allow_list",
    "missing_definitions",
    "one_way_links",
    "orphans",
    "run_audit",
    "self_links",
    "uncategorised",
    "unlinked_mentions",
    "wanted",
]
