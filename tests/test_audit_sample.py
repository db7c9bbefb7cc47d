"""The audit of the bundled AI glossary finds exactly the imperfections planted in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.audit import CHECKS, run_audit
from graph.cli import main
from graph.stores import open_store


@pytest.fixture(scope="module")
def report(sample_dir: Path) -> dict[str, Any]:
    return run_audit(open_store(sample_dir)).to_json()


@pytest.fixture(scope="module")
def planted(data_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((data_dir / "ai_glossary_planted.yaml").read_text(encoding="utf-8"))


def ids(findings: list[dict[str, Any]]) -> list[str]:
    return [f["id"] for f in findings]


def unlocated(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings without file and line (compared with the planted list, which names no lines)."""
    return [{k: v for k, v in f.items() if k not in ("file", "line")} for f in findings]


def test_counts_checked_by_hand(report: dict[str, Any]) -> None:
    summary = report["summary"]
    assert summary["concepts"] == 244
    assert {check: summary[check] for check in (
        "orphans", "isolated", "dead_ends", "broken_links", "uncategorised", "self_links", "duplicate_links",
        "alias_collisions", "disconnected_clusters", "ambiguous_links", "duplicate_titles", "missing_definitions",
    )} == {
        "orphans": 7, "isolated": 1, "dead_ends": 4, "broken_links": 7, "uncategorised": 3, "self_links": 1,
        "duplicate_links": 1, "alias_collisions": 1, "disconnected_clusters": 1, "ambiguous_links": 0,
        "duplicate_titles": 0, "missing_definitions": 1,
    }


@pytest.mark.parametrize("check", ["orphans", "isolated", "dead_ends", "uncategorised"])
def test_planted_concepts(report: dict[str, Any], planted: dict[str, Any], check: str) -> None:
    assert ids(report["checks"][check]) == sorted(planted[check])


def test_planted_links(report: dict[str, Any], planted: dict[str, Any]) -> None:
    checks = report["checks"]
    assert unlocated(checks["broken_links"]) == sorted(
        planted["broken_links"], key=lambda f: (f["source"], f["target"])
    )
    assert report["wanted"][0] == {
        "target": "Sparse Autoencoder",
        "count": 3,
        "sources": ["interpretability", "mechanistic-interpretability", "superposition"],
    }
    assert unlocated(checks["disconnected_clusters"]) == [{"concepts": sorted(planted["island"]), "size": 3}]
    assert unlocated(checks["self_links"]) == [{"source": planted["self_link"], "target": "Vector Database"}]
    assert unlocated(checks["duplicate_links"]) == [{**planted["duplicate_link"], "count": 2}]
    assert unlocated(checks["alias_collisions"]) == [planted["alias_collision"]]
    assert ids(checks["missing_definitions"]) == [planted["missing_definition"]]


def test_planted_acronym_mentions(report: dict[str, Any]) -> None:
    rag = [f for f in report["checks"]["unlinked_mentions"] if f["target"] == "retrieval-augmented-generation"]
    assert unlocated(rag) == [
        {"source": source, "target": "retrieval-augmented-generation", "mention": "RAG", "count": 1}
        for source in ("context-window", "grounding", "knowledge-cutoff")
    ]


def test_cli_json_on_the_sample(capsys: pytest.CaptureFixture[str], sample_dir: Path,
                                report: dict[str, Any]) -> None:
    assert main(["audit", str(sample_dir), "--format", "json", "--fail-on", "duplicate_titles"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == report
    assert set(data["checks"]) == set(CHECKS)
    assert main(["audit", str(sample_dir), "--format", "json", "--fail-on", "broken_links"]) == 1


def test_locations_on_the_sample(report: dict[str, Any], sample_dir: Path) -> None:
    """Each finding names a file of the sample and a line of it that holds what the finding is about."""
    for check, findings in report["checks"].items():
        for finding in findings:
            lines = (sample_dir / finding["file"]).read_text(encoding="utf-8").split("\n")
            text = lines[finding["line"] - 1]
            if check == "broken_links":
                assert finding["target"] in text, (check, finding)
            elif check == "unlinked_mentions":
                assert finding["mention"] in text, (check, finding)
            elif "id" in finding and finding["title"] not in text:
                assert text.startswith("title:"), (check, finding)
    cot = [f for f in report["checks"]["broken_links"] if f["source"] == "chain-of-thought"]
    assert cot == [{"source": "chain-of-thought", "target": "Tree of Thoughts", "file": "chain-of-thought.md",
                    "line": 13}]
