"""Diffs: two versions of a fixture that differ in known, planted ways; the diff lists exactly those changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import loaders
from graph.cli import main
from graph.diff import audit_deltas, changed_fields, diff
from graph.model import Concept, Reference
from graph.snapshot import snapshot

DIFF = Path(__file__).parent / "data" / "diff"
V1, V2 = DIFF / "v1.json", DIFF / "v2.json"

#: What was planted between v1 and v2 (expected.json holds the whole contract, audit included).
PLANTED_CONCEPTS = {
    "added": ["rnn"],
    "removed": ["old-term"],
    "changed": [
        {"id": "embedding", "fields": ["related"]},
        {"id": "tokenizer", "fields": ["definition", "related"]},
        {"id": "transformer", "fields": ["aliases"]},
    ],
}
PLANTED_LINKS = {
    "added": [
        {"source": "alias:transformer model", "target": "transformer", "type": "alias"},
        {"source": "embedding", "target": "tokenizer", "type": "related"},
        {"source": "rnn", "target": "category:architectures", "type": "category"},
        {"source": "rnn", "target": "transformer", "type": "related"},
        {"source": "transformer", "target": "rnn", "type": "related"},  # the broken link now resolves
    ],
    "removed": [
        {"source": "old-term", "target": "transformer", "type": "related"},
        {"source": "tokenizer", "target": "embedding", "type": "related"},
        {"source": "transformer", "target": "missing:recurrent net", "type": "related"},
    ],
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_diff_lists_exactly_the_planted_changes() -> None:
    result = diff(loaders.load(V1), loaders.load(V2)).to_json()
    assert result["concepts"] == PLANTED_CONCEPTS
    assert result["links"] == PLANTED_LINKS
    fixed = [{"source": "transformer", "target": "Recurrent Net"}]
    assert result["audit"]["broken_links"] == {"new": [], "fixed": fixed}
    assert result["audit"]["orphans"] == {
        "new": [{"id": "embedding", "title": "Embedding"}],
        "fixed": [{"id": "old-term", "title": "Old Term"}, {"id": "tokenizer", "title": "Tokenizer"}],
    }
    assert result == json.loads((DIFF / "expected.json").read_text(encoding="utf-8"))


def test_diff_of_two_snapshots_equals_the_diff_of_their_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot(loaders.load(V1), tmp_path / "week1")
    snapshot(loaders.load(V2), tmp_path / "week2")
    code, out = run(capsys, "diff", str(tmp_path / "week1"), str(tmp_path / "week2"), "--format", "json")
    assert code == 0
    assert json.loads(out) == json.loads((DIFF / "expected.json").read_text(encoding="utf-8"))


def test_diff_of_a_version_with_itself_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    result = diff(loaders.load(V1), loaders.load(V1))
    assert result.empty
    assert result.to_json()["concepts"] == {"added": [], "removed": [], "changed": []}
    code, out = run(capsys, "diff", str(V1), str(V1))
    assert (code, out.strip()) == (0, "no changes")
    code, out = run(capsys, "diff", str(V1), str(V1), "--format", "markdown", "--no-audit")
    assert code == 0 and out.endswith("No changes.\n")


def test_diff_markdown_is_a_changelog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "diff", str(V1), str(V2), "--format", "markdown")
    assert code == 0
    assert "## Concepts added (1)\n\n- rnn\n" in out
    assert "## Concepts changed (3)\n\n- embedding: related\n- tokenizer: definition, related\n" in out
    assert "## Links removed (3)\n" in out
    assert "## Fixed broken\\_links" not in out and "## Fixed broken_links (1)\n\n- source=transformer" in out
    assert "## New orphans (1)\n\n- id=embedding, title=Embedding\n" in out


def test_diff_table_lists_every_change(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "diff", str(V1), str(V2), "--no-audit")
    assert code == 0
    for detail in ("rnn", "old-term", "tokenizer: definition, related", "embedding -[related]-> tokenizer"):
        assert detail in out


def test_changed_fields_compare_references_with_their_kind() -> None:
    a = Concept("x", "X", related=(Reference("y"), Reference("z")))
    assert changed_fields(a, a.with_(related=(Reference("y", line=9), Reference("z")))) == ()
    assert changed_fields(a, a.with_(related=(Reference("z"), Reference("y")))) == ("related",)
    assert changed_fields(a, a.with_(related=(Reference("y", "wikilink"), Reference("z")))) == ("related",)
    assert changed_fields(a, a.with_(deprecated=True, title="X2")) == ("title", "deprecated")


def test_audit_deltas_ignore_the_allowed_flag() -> None:
    before = {"orphans": [{"id": "a", "title": "A", "allowed": True}], "self_links": []}
    after = {"orphans": [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}]}
    deltas = {k: v.to_json() for k, v in audit_deltas(before, after).items()}
    assert deltas == {"orphans": {"new": [{"id": "b", "title": "B"}], "fixed": []},
                      "self_links": {"new": [], "fixed": []}}
