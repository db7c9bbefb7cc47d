"""The audit report: the findings of the checks run, which are allowed, severities, coverage and a
worklist of what to fix first; ``run_audit`` builds it from any store."""

from __future__ import annotations

__all__ = ["CSV_COLUMNS", "AuditReport", "run_audit"]

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.audit.allow import AllowEntry, AllowList
from graph.audit.checks import FIELDS, LEVELS, REGISTRY, SEVERITY, check_names, wanted
from graph.audit.coverage import coverage
from graph.audit.data import AuditData, Finding
from graph.audit.locate import locate
from graph.errors import UsageError
from graph.kinds import CheckName
from graph.model import Glossary
from graph.protocol import GraphStore
from graph.text import normalise
from graph.util import paused_gc

#: The columns of the findings CSV: one row per finding; a finding fills the columns it has.
CSV_COLUMNS: tuple[str, ...] = (
    "check",
    "severity",
    "allowed",
    "id",
    "title",
    "source",
    "target",
    "placeholder",
    "via",
    "mention",
    "count",
    "candidates",
    "alias",
    "concepts",
    "size",
    "file",
    "line",
)


def _csv_cell(value: Any, separator: str = ";") -> str:
    """A finding value as plain text: lists joined with ``separator``, a flag (``placeholder``) as ``yes``/``no``."""
    if isinstance(value, list | tuple):
        return separator.join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@dataclass
class AuditReport:
    """The findings of the checks run, which of them are allowed, severities, coverage and a worklist."""

    checks: tuple[str, ...]
    findings: dict[str, list[Finding]]
    allowed: dict[str, list[bool]]
    severity: dict[str, str]
    totals: dict[str, Any]
    worklist: dict[str, list[Finding]] = field(default_factory=dict)
    unused_allow: list[AllowEntry] = field(default_factory=list)
    #: Where the glossary was loaded from: finding files are relative to it (or to its folder).
    source: str = ""
    #: For the checks the worklist ranks, each finding's worth (the worklist's sort value), in finding order.
    worth: dict[str, list[int]] = field(default_factory=dict)
    #: ``ranked``'s answers, sorted once per check (the app asks on every rerun of the Audit page).
    _ranked: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def csv_text(self, check: str) -> str:
        """A check's findings as spreadsheet-safe CSV: its fields, others, ``allowed`` if any is."""
        from graph.audit.checks import FIELDS
        from graph.exports.tables import csv_text

        rows = self.findings.get(check, [])
        columns = list(dict.fromkeys([*FIELDS.get(check, ()), *(k for row in rows for k in row)]))
        flags = self.allowed.get(check, [])
        marked = any(flags)

        def cells(row: dict[str, Any], allowed: bool) -> list[str]:
            texts = [_csv_cell(row.get(c), "; ") for c in columns]
            return [*texts, str(allowed)] if marked else texts

        # The same writer as `audit --format csv`: a cell a spreadsheet would run as a formula gets a quote.
        return csv_text([*columns, "allowed"] if marked else columns,
                        (cells(row, allowed) for row, allowed in zip(rows, flags, strict=True)))

    def ranked(self, check: str) -> list[int]:
        """Indices of a check's findings in the worklist's order (most worth first, ties as listed)."""
        if check not in self._ranked:
            worth = self.worth.get(check)
            order = range(self.count(check))
            self._ranked[check] = list(order) if worth is None else sorted(order, key=lambda i: -worth[i])
        return self._ranked[check]

    def count(self, check: str) -> int:
        """How many findings a check has (allowed ones included)."""
        return len(self.findings.get(check, ()))

    def allowed_count(self, check: str) -> int:
        """How many of a check's findings the allow-list accepts."""
        return sum(self.allowed.get(check, ()))

    def open_count(self, check: str) -> int:
        """How many of a check's findings are not allowed."""
        return self.count(check) - self.allowed_count(check)

    def open_findings(self, check: str) -> list[Finding]:
        """The findings of a check that the allow-list does not accept."""
        return [f for f, ok in zip(self.findings.get(check, ()), self.allowed.get(check, ()), strict=True) if not ok]

    def wanted(self) -> list[Finding]:
        """Broken-link targets, most wanted first."""
        return wanted(self.findings.get("broken_links", ()))

    def fail_on(self, spec: Iterable[str]) -> dict[str, int]:
        """The checks named by ``spec`` that have findings not allowed, with how many.

        ``spec`` items are check names (or comma lists of them), a severity level (that level or
        more severe: ``warning`` takes errors and warnings) or ``any``. UsageError for anything else
        or for a check this report did not run.
        """
        chosen: set[str] = set()
        for item in spec:
            for name in (n.strip() for n in item.split(",")):
                if not name:
                    continue
                if name == "any":
                    chosen.update(self.checks)
                elif name in LEVELS:
                    worst = LEVELS.index(name)
                    chosen.update(c for c in self.checks if LEVELS.index(self.severity[c]) <= worst)
                elif name in REGISTRY:
                    if name not in self.checks:
                        raise UsageError(f"--fail-on {name}: that check is not run (see --check)")
                    chosen.add(name)
                else:
                    raise UsageError(
                        f"--fail-on: unknown check or level {name!r}; use a check name, "
                        f"{', '.join(LEVELS)} or any"
                    )
        return {c: self.open_count(c) for c in self.checks if c in chosen and self.open_count(c)}

    def to_csv(self, checks: Iterable[str] | None = None) -> str:
        """The findings as spreadsheet-safe CSV, one row per finding (``checks``: only these, and only their columns).

        Every check: all of CSV_COLUMNS (``audit --format csv``); chosen checks: check, severity,
        allowed and the columns their findings have. Cells that a spreadsheet would run as
        formulas get a quote in front (graph.exports.tables, docs/security.md).
        """
        from graph.exports.tables import csv_text

        chosen = self.checks if checks is None else tuple(c for c in self.checks if c in set(checks))
        columns = CSV_COLUMNS
        if checks is not None:
            used = {name for check in chosen for name in FIELDS[check]}
            # Located findings (a file or folder source) keep their file and line columns.
            used.update(key for check in chosen for finding in self.findings[check][:1] for key in finding)
            # A flag only some findings carry (a Logseq placeholder) keeps its column when any finding has it.
            used.update(key for check in chosen for finding in self.findings[check] for key in finding
                        if key == "placeholder")
            columns = tuple(c for c in CSV_COLUMNS if c in ("check", "severity", "allowed") or c in used)
        rows = []
        for check in chosen:
            for finding, allowed in zip(self.findings[check], self.allowed[check], strict=True):
                row = {"check": check, "severity": self.severity[check], "allowed": "yes" if allowed else "no"}
                row.update({key: _csv_cell(value) for key, value in finding.items()})
                rows.append([row.get(column, "") for column in columns])
        return csv_text(columns, rows)

    def to_json(self) -> dict[str, Any]:
        """The JSON contract: summary (counts, concepts, links, coverage, allowed) and the findings of each check."""
        summary: dict[str, Any] = {check: self.count(check) for check in self.checks}
        summary.update(self.totals)
        summary["allowed"] = {check: self.allowed_count(check) for check in self.checks}
        checks = {
            check: [
                {**finding, "allowed": True} if ok else finding
                for finding, ok in zip(self.findings[check], self.allowed[check], strict=True)
            ]
            for check in self.checks
        }
        data: dict[str, Any] = {
            "summary": summary,
            "checks": checks,
            "severity": {check: self.severity[check] for check in self.checks},
        }
        if "broken_links" in self.checks:
            data["wanted"] = self.wanted()
        data["worklist"] = self.worklist
        data["unused_allow"] = [entry.to_json() for entry in self.unused_allow]
        return data


def _worth(report: AuditReport, data: AuditData) -> dict[str, list[int]]:
    """Each finding's worth in the worklist's terms, for the checks the worklist ranks."""
    worth: dict[str, list[int]] = {}
    if "broken_links" in report.checks:
        wanting = {normalise(w["target"]): w["count"] for w in wanted(report.findings["broken_links"])}
        worth["broken_links"] = [wanting.get(normalise(f["target"]), 0) for f in report.findings["broken_links"]]
    if "orphans" in report.checks:
        mentioned = data.mentioned_by
        worth["orphans"] = [mentioned.get(f["id"], 0) for f in report.findings["orphans"]]
    if "unlinked_mentions" in report.checks:
        worth["unlinked_mentions"] = [f["count"] for f in report.findings["unlinked_mentions"]]
    if "one_way_links" in report.checks:
        mentions = data.mentions
        worth["one_way_links"] = [
            back[1] if (back := mentions.get((f["target"], f["source"]))) else 0
            for f in report.findings["one_way_links"]
        ]
    return worth


def _worklist(report: AuditReport, data: AuditData, limit: int) -> dict[str, list[Finding]]:
    """What to fix first, each list ranked and cut to ``limit``; allowed findings are left out."""
    work: dict[str, list[Finding]] = {}
    if "broken_links" in report.checks:
        work["wanted"] = wanted(report.open_findings("broken_links"))[:limit]
    if "orphans" in report.checks:
        mentioned = data.mentioned_by
        rows = [{**f, "mentioned_by": mentioned.get(f["id"], 0)} for f in report.open_findings("orphans")]
        rows.sort(key=lambda r: (-r["mentioned_by"], r["id"]))
        work["orphans"] = rows[:limit]
    if "unlinked_mentions" in report.checks:
        rows = sorted(report.open_findings("unlinked_mentions"), key=lambda r: (-r["count"], r["source"], r["target"]))
        work["unlinked_mentions"] = rows[:limit]
    if "one_way_links" in report.checks:
        # A links to B and B's text mentions A: the missing link back is already half written.
        mentions = data.mentions
        rows = []
        for finding in report.open_findings("one_way_links"):
            back = mentions.get((finding["target"], finding["source"]))
            if back:
                rows.append({**finding, "mentions": back[1]})
        rows.sort(key=lambda r: (-r["mentions"], r["source"], r["target"]))
        work["one_way_links"] = rows[:limit]
    if "deprecated_links" in report.checks:
        # A link with a known replacement is a one-word fix: those first.
        rows = sorted(report.open_findings("deprecated_links"),
                      key=lambda r: (r["replaced_by"] is None, r["source"], r["target"], r["kind"]))
        work["deprecated_links"] = rows[:limit]
    if "hierarchy_cycles" in report.checks:
        work["hierarchy_cycles"] = report.open_findings("hierarchy_cycles")[:limit]
    return work


def run_audit(
    store: GraphStore | Glossary | AuditData,
    checks: Iterable[str] | None = None,
    allow: AllowList | None = None,
    *,
    worklist_limit: int = 20,
    progress: Callable[[float, str], object] | None = None,
) -> AuditReport:
    """Run the chosen checks (default: all) over a store and mark what the allow-list accepts.

    The text of every concept is scanned for mentions only when a check or the worklist needs it
    (unlinked_mentions, orphans, one_way_links); otherwise ``share_mentions_linked`` is null.
    ``progress`` is told the share done and what runs next (for a progress bar).
    """
    chosen = check_names(checks)
    # The audit allocates millions of small containers and frees none of them until it ends;
    # cyclic garbage collection would only rescan them over and over.
    with paused_gc():
        return _run(store, chosen, allow, worklist_limit, progress or (lambda _share, _step: None))


def _run(
    store: GraphStore | Glossary | AuditData,
    chosen: tuple[CheckName, ...],
    allow: AllowList | None,
    worklist_limit: int,
    progress: Callable[[float, str], object],
) -> AuditReport:
    progress(0.0, "reading the links")
    own_check: Callable[[str], list[Finding] | None] | None = None
    if isinstance(store, AuditData):
        data = store
    elif isinstance(store, Glossary):
        data = AuditData.from_glossary(store)
    else:
        data = AuditData.from_store(store)
        own_check = store.audit_check
    allow = allow or AllowList()
    severity = {**SEVERITY, **allow.severity}
    findings: dict[str, list[Finding]] = {}
    for number, check in enumerate(chosen):
        progress(0.05 + 0.85 * number / len(chosen), f"checking {check}")
        answer = own_check(check) if own_check is not None else None
        findings[check] = answer if answer is not None else REGISTRY[check].run(data)
    findings = locate(findings, data, data.source)
    allowed: dict[str, list[bool]] = {}
    used: set[int] = set()
    for check in chosen:
        entries = [(i, e) for i, e in enumerate(allow.entries) if e.check == check]
        if not entries:
            allowed[check] = [False] * len(findings[check])
            continue
        flags = []
        for finding in findings[check]:
            hit = [i for i, entry in entries if entry.matches(finding)]
            used.update(hit)
            flags.append(bool(hit))
        allowed[check] = flags
    unused = [e for i, e in enumerate(allow.entries) if i not in used and e.check in chosen]
    progress(0.9, "measuring coverage and ranking the worklist")
    scanned = any(c in chosen for c in ("unlinked_mentions", "orphans", "one_way_links"))
    totals: dict[str, Any] = {
        "concepts": len(data.concepts),
        "links": data.link_count,
        "broader": data.broader_count,
        "deprecated": len(data.deprecated),
    }
    totals.update(coverage(data, with_mentions=scanned))
    report = AuditReport(chosen, findings, allowed, {c: severity[c] for c in chosen}, totals, {}, unused, data.source)
    report.worklist = _worklist(report, data, worklist_limit)
    report.worth = _worth(report, data)
    progress(1.0, "done")
    return report
