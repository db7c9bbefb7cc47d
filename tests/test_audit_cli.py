"""`glossgraph audit` and `glossgraph suggest` through the CLI entry point: formats, allow-list, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import loaders
from graph.audit import CHECKS, run_audit
from graph.cli import main
from graph.cli.audit import CSV_COLUMNS


@pytest.fixture()
def vault(data_dir: Path) -> str:
    return str(data_dir / "audit" / "vault")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "allow.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_is_the_library_report(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    code, out, _ = run(capsys, vault, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data == run_audit(loaders.load(vault)).to_json()
    assert list(data["checks"]) == list(CHECKS)
    assert data["summary"]["broken_links"] == 2
    assert data["summary"]["unlinked_mentions"] == 2


@pytest.mark.parametrize(
    ("fail_on", "code", "message"),
    [
        (["broken_links"], 1, "audit failed: broken_links (2)"),
        (["self_links,isolated", "missing_definitions"], 0, ""),
        (["error"], 1, "audit failed: broken_links (2)"),
        (["warning"], 1, "audit failed: orphans (2), dead_ends (1), broken_links (2), one_way_links (3), "
                         "unlinked_mentions (2)"),
        (["any"], 1, "audit failed: orphans (2), dead_ends (1), broken_links (2), alias_links (1), "
                     "one_way_links (3), unlinked_mentions (2), uncategorised (1)"),
        ([], 0, ""),
    ],
)
def test_fail_on(capsys: pytest.CaptureFixture[str], vault: str, fail_on: list[str], code: int, message: str) -> None:
    args = [vault, "--format", "json"]
    for item in fail_on:
        args += ["--fail-on", item]
    got, out, err = run(capsys, *args)
    assert got == code
    assert err.strip() == message
    assert json.loads(out)["summary"]["concepts"] == 4  # the report is printed either way


def test_allowed_findings_are_marked_and_do_not_fail(
    capsys: pytest.CaptureFixture[str], vault: str, tmp_path: Path
) -> None:
    allow = write(
        tmp_path,
        "allow:\n"
        "  broken_links:\n"
        "    - {source: rag, target: vector store}\n"
        "    - reading-notes\n"
        "  unlinked_mentions:\n"
        "    - {source: transformer, target: attention}\n"
        "  orphans: [nobody]\n",
    )
    code, out, err = run(capsys, vault, "--format", "json", "--allow", allow, "--fail-on", "broken_links")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["checks"]["broken_links"] == [
        {"source": "rag", "target": "Vector Store", "file": "rag.md", "line": 5, "allowed": True},
        {"source": "reading-notes", "target": "Vector Store", "file": "reading-notes.md", "line": 3, "allowed": True},
    ]
    assert data["checks"]["unlinked_mentions"] == [
        {"source": "reading-notes", "target": "rag", "mention": "RAG", "count": 1, "file": "reading-notes.md",
         "line": 3},
        {"source": "transformer", "target": "attention", "mention": "attention", "count": 1, "file": "transformer.md",
         "line": 7, "allowed": True},
    ]
    assert data["summary"]["broken_links"] == 2  # never dropped, only marked
    assert data["summary"]["allowed"] == {**dict.fromkeys(CHECKS, 0), "broken_links": 2, "unlinked_mentions": 1}
    assert data["worklist"]["wanted"] == []
    assert data["unused_allow"] == [{"check": "orphans", "entry": {"id": "nobody"}, "line": 7}]
    # the one mention left open still fails a check on it
    code, _, err = run(capsys, vault, "--format", "json", "--allow", allow, "--fail-on", "unlinked_mentions")
    assert (code, err.strip()) == (1, "audit failed: unlinked_mentions (1)")


def test_severity_override(capsys: pytest.CaptureFixture[str], vault: str, tmp_path: Path) -> None:
    allow = write(tmp_path, "severity:\n  broken_links: info\n  unlinked_mentions: error\n")
    code, out, err = run(capsys, vault, "--format", "json", "--allow", allow, "--fail-on", "error")
    assert (code, err.strip()) == (1, "audit failed: unlinked_mentions (2)")
    assert json.loads(out)["severity"]["broken_links"] == "info"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("allow:\n  orphans: [a]\n  orphan: [b]\n", "allow.yaml:3: unknown check 'orphan'"),
        (
            "allow:\n  one_way_links:\n    - {source: a, to: b}\n",
            "allow.yaml:3: one_way_links findings have no field 'to'",
        ),
        ("allow:\n  orphans: a\n", "allow.yaml:2: allow.orphans must be a list"),
        ("severity:\n  orphans: fatal\n", "allow.yaml:2: severity of orphans must be one of error, warning, info"),
        ("allow: [orphans]\n", "allow.yaml:1: 'allow' maps check names to lists of accepted findings"),
        ("allowed:\n  orphans: [a]\n", "allow.yaml:1: unknown section 'allowed'"),
        ("allow:\n  orphans: [a\n", "allow.yaml:3: not valid YAML"),
    ],
)
def test_bad_allow_file(
    capsys: pytest.CaptureFixture[str], vault: str, tmp_path: Path, text: str, message: str
) -> None:
    code, out, err = run(capsys, vault, "--allow", write(tmp_path, text))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err.replace(str(tmp_path) + "/", "")


def test_missing_allow_file(capsys: pytest.CaptureFixture[str], vault: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, vault, "--allow", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "nope.yaml" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check", "orphan"], "unknown check 'orphan'"),
        (["--check", "orphans", "--fail-on", "broken_links"], "--fail-on broken_links: that check is not run"),
        (["--fail-on", "fatal"], "unknown check or level 'fatal'"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], vault: str, args: list[str], message: str) -> None:
    code, _, err = run(capsys, vault, *args)
    assert code == 2
    assert message in err


def test_check_option_picks_checks(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    code, out, _ = run(capsys, vault, "--format", "json", "--check", "uncategorised,broken_links", "--check", "orphans")
    assert code == 0
    data = json.loads(out)
    assert list(data["checks"]) == ["orphans", "broken_links", "uncategorised"]
    assert data["checks"]["uncategorised"] == [
        {"id": "reading-notes", "title": "Reading notes", "file": "reading-notes.md", "line": 1}
    ]


def test_csv(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    code, out, _ = run(capsys, vault, "--format", "csv", "--check", "broken_links,unlinked_mentions,orphans")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    filled = [{k: v for k, v in row.items() if v} for row in rows]
    assert filled == [
        {"check": "orphans", "severity": "warning", "allowed": "no", "id": "rag",
         "title": "Retrieval-Augmented Generation", "file": "rag.md", "line": "2"},
        {"check": "orphans", "severity": "warning", "allowed": "no", "id": "reading-notes", "title": "Reading notes",
         "file": "reading-notes.md", "line": "1"},
        {"check": "broken_links", "severity": "error", "allowed": "no", "source": "rag", "target": "Vector Store",
         "file": "rag.md", "line": "5"},
        {"check": "broken_links", "severity": "error", "allowed": "no", "source": "reading-notes",
         "target": "Vector Store", "file": "reading-notes.md", "line": "3"},
        {"check": "unlinked_mentions", "severity": "warning", "allowed": "no", "source": "reading-notes",
         "target": "rag", "mention": "RAG", "count": "1", "file": "reading-notes.md", "line": "3"},
        {"check": "unlinked_mentions", "severity": "warning", "allowed": "no", "source": "transformer",
         "target": "attention", "mention": "attention", "count": "1", "file": "transformer.md", "line": "7"},
    ]


def test_table_is_a_one_screen_summary(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    code, out, _ = run(capsys, vault)
    assert code == 0
    assert "audit: 4 concepts, 3 links" in out
    lines = out.splitlines()
    assert len(lines) < 40
    broken = next(line for line in lines if "broken_links" in line)
    assert "error" in broken and "rag.md:5 rag → Vector" in broken
    assert "coverage: with_incoming 50.0%, with_outgoing 75.0%, reciprocity 0.0%, mentions_linked 33.3%" in out


def test_markdown(capsys: pytest.CaptureFixture[str], vault: str, tmp_path: Path) -> None:
    allow = write(tmp_path, "allow:\n  orphans: [rag]\n")
    code, out, _ = run(capsys, vault, "--format", "markdown", "--allow", allow, "--check", "orphans,broken_links")
    assert code == 0
    assert out.splitlines()[:8] == [
        "# Link audit",
        "",
        "4 concepts, 3 links.",
        "",
        "| check | severity | count | allowed |",
        "|---|---|---:|---:|",
        "| orphans | warning | 2 | 1 |",
        "| broken_links | error | 2 | 0 |",
    ]
    section = (
        "## orphans (2)\n\n- rag.md:2 rag (Retrieval-Augmented Generation) *(allowed)*\n"
        "- reading-notes.md:1 reading-notes (Reading notes)\n"
    )
    assert section in out


def test_suggest_cli(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    code = main(["suggest", vault, "Reading notes", "--format", "json", "--limit", "2"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out) == {
        "concept": "reading-notes",
        "suggestions": [
            {"source": "reading-notes", "target": "rag", "title": "Retrieval-Augmented Generation", "score": 2.0,
             "reasons": ["mentions 'RAG'"]},
            {"source": "reading-notes", "target": "transformer", "title": "Transformer",
             "score": round(1 / __import__("math").log(2), 4), "reasons": ["1 shared neighbour: attention"]},
        ],
    }
    code = main(["suggest", vault, "--limit", "1"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "link suggestions" in out and "reading-notes" in out


def test_suggest_unknown_concept(capsys: pytest.CaptureFixture[str], vault: str) -> None:
    assert main(["suggest", vault, "Nothing Like It"]) == 1
    assert "no concept matches 'Nothing Like It'" in capsys.readouterr().err
