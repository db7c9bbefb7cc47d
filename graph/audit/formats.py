"""The audit report in the formats CI systems read: GitHub workflow commands, SARIF 2.1.0 and JUnit XML.

All three show the findings the allow-list does not accept (allowed findings are decisions already
taken), each at the file and line the report located it, with a path a CI checkout can open: the
source root joined with the finding's file, relative to the working directory when inside it.
"""

from __future__ import annotations

__all__ = [
    "DOCS_LABEL",
    "DOCS_PAGE",
    "GITHUB_LEVELS",
    "SARIF_LEVELS",
    "default_docs_url",
    "describe",
    "github_commands",
    "junit_xml",
    "located",
    "sarif_log",
    "where",
]

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graph.audit.checks import FIELDS, REGISTRY
from graph.audit.data import Finding
from graph.audit.locate import source_root
from graph.audit.report import AuditReport

#: The page every SARIF rule links to, with the check's anchor after ``#``.
DOCS_PAGE = "audit.md"
#: The [project.urls] label whose URL is where the docs folder is published (``<url>/audit.md``).
DOCS_LABEL = "Documentation"

#: The workflow command of each severity.
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
#: The SARIF result level of each severity.
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def default_docs_url() -> str | None:
    """Where docs/audit.md can be read when --docs-url is not given: None when nowhere is known.

    First the installed package's ``Documentation`` URL ([project.urls] in pyproject.toml: the
    folder the docs are published in), else this checkout's own docs/audit.md as a ``file:`` URI
    (a source checkout or an editable install). The project has no public home yet, so its
    pyproject names no URL and a wheel installed elsewhere has neither: the rules then carry no
    ``helpUri``, and their help text names the page and the anchor.
    """
    from importlib import metadata

    try:
        urls = metadata.metadata("glossgraph").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == DOCS_LABEL.lower() and url.strip():
            return f"{url.strip().rstrip('/')}/{DOCS_PAGE}"
    page = Path(__file__).resolve().parents[2] / "docs" / DOCS_PAGE
    return page.as_uri() if page.is_file() else None


def describe(check: str, finding: Finding) -> str:
    """A finding in a few words, for tables, Markdown and CI messages."""
    fields = FIELDS[check]
    if fields == ("id", "title"):
        return f"{finding['id']} ({finding['title']})"
    if "concepts" in finding:
        head = finding.get("alias", finding.get("title"))
        members = ", ".join(finding["concepts"])
        return f"{head}: {members}" if head is not None else members
    text = f"{finding['source']} → {finding['target']}"
    if finding.get("placeholder"):
        # A Logseq page referenced without a file: Logseq shows it, empty; editors often mean it so.
        text += " (placeholder page)"
    if "via" in finding:
        text += f" via {finding['via']!r}"
    if "mention" in finding:
        text += f" ({finding['mention']!r} ×{finding['count']})"
    elif "count" in finding:
        text += f" ×{finding['count']}"
    if "candidates" in finding:
        text += f" ({', '.join(finding['candidates'])})"
    return text


def where(finding: Finding) -> str:
    """A finding's location as ``file:line`` (``file`` alone when the line is unknown; "" when not located)."""
    file = finding.get("file")
    if not file:
        return ""
    line = finding.get("line")
    return f"{file}:{line}" if line else str(file)


def located(check: str, finding: Finding) -> str:
    """A finding in a few words, after its ``file:line`` when it has one."""
    place = where(finding)
    return f"{place} {describe(check, finding)}" if place else describe(check, finding)


def _message(check: str, finding: Finding) -> str:
    """What a CI annotation says: the finding, then what the check looks for."""
    return f"{describe(check, finding)}: {REGISTRY[check].summary}" if check in REGISTRY else describe(check, finding)


def _level(report: AuditReport, check: str, finding: Finding) -> str:
    """The severity a CI annotation is raised at: the check's, but info for a Logseq placeholder page.

    A placeholder is a page Logseq shows (empty) for a reference without a file, often on purpose:
    a note (SARIF) or notice (GitHub), not an error on every line that names one. ``--fail-on``
    still counts it with its check.
    """
    return "info" if finding.get("placeholder") else report.severity[check]


def _checkout_path(root: Path | None, file: str) -> str:
    """A finding's file as a CI checkout names it: under the source root, relative to the working directory."""
    if root is None:
        return file
    path = root / file
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path.as_posix()
    return Path(relative).as_posix() if not relative.startswith("..") else path.resolve().as_posix()


def _open_findings(report: AuditReport) -> list[tuple[str, Finding]]:
    return [(check, finding) for check in report.checks for finding in report.open_findings(check)]


# -- GitHub workflow commands ------------------------------------------------------------------


def _escape_data(text: str) -> str:
    """The escaping GitHub's toolkit applies to a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """The escaping GitHub's toolkit applies to a workflow command's property values."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_commands(report: AuditReport) -> list[str]:
    """One ``::error|warning|notice file=…,line=…,title=…::message`` workflow command per open finding."""
    root = source_root(report.source)
    lines = []
    for check, finding in _open_findings(report):
        properties: list[tuple[str, str]] = []
        if finding.get("file"):
            properties.append(("file", _checkout_path(root, finding["file"])))
            if finding.get("line"):
                properties.append(("line", str(finding["line"])))
        properties.append(("title", f"glossgraph {check}"))
        joined = ",".join(f"{name}={_escape_property(value)}" for name, value in properties)
        command = GITHUB_LEVELS[_level(report, check, finding)]
        lines.append(f"::{command} {joined}::{_escape_data(_message(check, finding))}")
    return lines


# -- SARIF 2.1.0 -------------------------------------------------------------------------------


def _rule(check: str, docs_url: str | None) -> dict[str, Any]:
    record = REGISTRY[check]  # type: ignore[index]
    rule: dict[str, Any] = {
        "id": check,
        "name": "".join(part.title() for part in check.split("_")),
        "shortDescription": {"text": record.summary},
        "fullDescription": {"text": record.summary},
    }
    if docs_url:
        rule["helpUri"] = f"{docs_url}#{record.help_anchor}"
    rule["help"] = {"text": f"{record.summary} See glossgraph's docs/{DOCS_PAGE}#{record.help_anchor}."}
    rule["defaultConfiguration"] = {"level": SARIF_LEVELS[record.severity]}
    return rule


def sarif_log(report: AuditReport, *, version: str, docs_url: str | None = None) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log: one rule per check run, one result per open finding.

    ``docs_url`` is where docs/audit.md is published (each rule's ``helpUri`` is it plus the
    check's anchor); None for ``default_docs_url()``, "" for no links.
    """
    if docs_url is None:
        docs_url = default_docs_url()
    root = source_root(report.source)
    rules = [_rule(check, docs_url) for check in report.checks]
    index = {check: i for i, check in enumerate(report.checks)}
    results = []
    for check, finding in _open_findings(report):
        result: dict[str, Any] = {
            "ruleId": check,
            "ruleIndex": index[check],
            "level": SARIF_LEVELS[_level(report, check, finding)],
            "message": {"text": _message(check, finding)},
        }
        if finding.get("file"):
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": quote(_checkout_path(root, finding["file"]), safe="/")}
            }
            if finding.get("line"):
                physical["region"] = {"startLine": finding["line"]}
            result["locations"] = [{"physicalLocation": physical}]
        # What the finding is, without where: code scanning follows a finding that moves lines.
        identity = {k: v for k, v in finding.items() if k not in ("file", "line", "count")}
        result["partialFingerprints"] = {"glossgraphFinding/v1": _fingerprint(check, identity)}
        results.append(result)
    driver: dict[str, Any] = {"name": "glossgraph", "version": version}
    if docs_url:
        driver["informationUri"] = docs_url
    driver["rules"] = rules
    return {"$schema": _SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}


def _fingerprint(check: str, identity: Finding) -> str:
    import hashlib
    import json

    text = json.dumps([check, identity], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# -- JUnit XML ---------------------------------------------------------------------------------


def junit_xml(report: AuditReport) -> str:
    """One test case per check run; a check with open findings fails, listing them at ``file:line``."""
    root = source_root(report.source)

    def line_of(check: str, finding: Finding) -> str:
        if not finding.get("file"):
            return describe(check, finding)
        path = _checkout_path(root, finding["file"])
        place = f"{path}:{finding['line']}" if finding.get("line") else path
        return f"{place} {describe(check, finding)}"

    failures = sum(1 for check in report.checks if report.open_count(check))
    attributes = {"name": "glossgraph audit", "tests": str(len(report.checks)), "failures": str(failures),
                  "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", attributes)
    suite = ET.SubElement(suites, "testsuite", attributes)
    for check in report.checks:
        case = ET.SubElement(suite, "testcase", {"classname": "glossgraph.audit", "name": check})
        count = report.open_count(check)
        if count:
            failure = ET.SubElement(case, "failure", {
                "type": report.severity[check],
                "message": f"{count} finding{'s' if count != 1 else ''}: {REGISTRY[check].summary}",  # type: ignore[index]
            })
            failure.text = "\n".join(line_of(check, f) for f in report.open_findings(check))
        allowed = report.allowed_count(check)
        if allowed:
            out = ET.SubElement(case, "system-out")
            out.text = f"{allowed} finding{'s' if allowed != 1 else ''} accepted by the allow-list"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
