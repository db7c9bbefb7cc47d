"""docs/editors.md: the GitHub Actions workflows it shows are valid YAML, upload the SARIF file the audit writes
with the current upload action, and every glossgraph command in them runs on a real glossary."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "editors.md"
WEEK = "2026-W17"


def workflows() -> list[dict[str, Any]]:
    """Every ```yaml block of the page that is a workflow (it has jobs)."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    found = [yaml.safe_load(block) for block in blocks]
    return [w for w in found if isinstance(w, dict) and "jobs" in w]


def trigger(workflow: dict[Any, Any]) -> dict[str, Any]:
    """A workflow's ``on:`` (YAML 1.1, which PyYAML reads, takes the bare key ``on`` for True)."""
    events: dict[str, Any] = workflow[True]
    return events


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    result: list[dict[str, Any]] = job["steps"]
    return result


def commands(step: dict[str, Any]) -> list[str]:
    """The glossgraph command lines of a run step (a folded block is one line; a literal one, several)."""
    text = str(step.get("run", "")).replace("$(date +%G-W%V)", WEEK)
    return [line.strip() for line in re.split(r"\n|&&", text) if line.strip().startswith(("glossgraph ", "mkdir "))]


@pytest.fixture()
def repository(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A glossary repository as the workflows see it: docs/glossary and an allow-list at the root."""
    shutil.copytree(data_dir / "audit" / "vault", tmp_path / "docs" / "glossary")
    (tmp_path / ".glossary-allow.yaml").write_text("allow:\n  orphans: [reading-notes]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], line: str) -> tuple[int, str]:
    arguments = shlex.split(line)
    if arguments[:2] == ["mkdir", "-p"]:
        Path(arguments[2]).mkdir(parents=True, exist_ok=True)
        return 0, ""
    target = None
    if ">" in arguments:  # a redirection: the output goes to that file
        at = arguments.index(">")
        arguments, target = arguments[:at], arguments[at + 1]
    assert arguments[0] == "glossgraph"
    code = main(arguments[1:])
    out = capsys.readouterr().out
    if target:
        Path(target).write_text(out, encoding="utf-8")
    return code, out


def test_the_pull_request_workflow(capsys: pytest.CaptureFixture[str], repository: Path) -> None:
    ci = next(w for w in workflows() if "pull_request" in trigger(w))
    assert ci["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    ran = steps(ci)
    upload = next(s for s in ran if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"  # v3 is deprecated from December 2026
    assert upload["if"] == "always()" and upload["with"]["category"] == "glossgraph"
    lines = [line for step in ran for line in commands(step)]
    assert len(lines) == 2
    code, out = run(capsys, lines[0])
    # The vault has broken links (errors): the step fails, after one annotation per open finding.
    assert code == 1
    annotations = out.splitlines()
    assert annotations and all(re.match(r"^::(error|warning|notice) file=docs/glossary/", a) for a in annotations)
    orphans = [a for a in annotations if "title=glossgraph orphans" in a]
    assert len(orphans) == 1 and "file=docs/glossary/rag.md," in orphans[0]  # reading-notes is allowed
    code, _ = run(capsys, lines[1])
    sarif = json.loads((repository / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    assert code == 0 and sarif["version"] == "2.1.0"
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == "https://git.example.org/tools/glossgraph/blob/main/docs/audit.md#orphans"
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "docs/glossary/")


def test_the_weekly_snapshot_workflow(capsys: pytest.CaptureFixture[str], repository: Path) -> None:
    weekly = next(w for w in workflows() if "schedule" in trigger(w))
    assert weekly["permissions"] == {"contents": "write"}  # it commits the snapshot
    lines = [line for step in steps(weekly) for line in commands(step)]
    assert [line.split()[1] for line in lines] == ["-p", "snapshot", "audit"]
    assert run(capsys, lines[0])[0] == run(capsys, lines[1])[0] == 0
    assert (repository / "snapshots" / WEEK / "manifest.json").is_file()
    code, out = run(capsys, lines[2])
    assert code == 0 and WEEK in out
    rows = {cells[0]: cells[1] for cells in ([c.strip() for c in line.split("│")[1:-1]]
                                             for line in out.splitlines() if "│" in line)}
    assert rows == {"concepts": "4", "links": "3", "broken_links": "2", "orphans": "2", "unlinked_mentions": "2"}
