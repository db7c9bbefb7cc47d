"""The benchmark runs end to end at a tiny size and prints one table with the expected rows (timings never asserted)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from scripts.bench import MARK_BEGIN, MARK_END, Row, render_table, write_doc


def _rows(table: str) -> list[list[str]]:
    lines = [line for line in table.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_bench_quick_mode_prints_every_operation_with_checked_answers(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nWhat the numbers mean.\n\n" + MARK_BEGIN + "\nold\n" + MARK_END + "\n\nTail.\n")
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "--sizes", "200", "--runs", "1", "--sample", "5",
         "--naive-texts", "20", "--no-neo4j", "--no-app", "--no-html", "--workdir", str(tmp_path / "work"),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("200", "local", "load JSONL"),
        ("200", "baseline", "bare NetworkX build"),
        ("200", "local", "stats"),
        ("200", "local", "full audit"),
        ("200", "local", "neighbourhood d=2"),
        ("200", "local", "shortest path k=1"),
        ("200", "local", "export node-link JSON"),
        ("200", "local", "load Markdown notes"),
        ("200", "local", "mention matching (audit)"),
        ("200", "baseline", "mention matching (naive)"),
    ]
    by_operation = {r[2]: r for r in rows}
    for operation in ("stats", "full audit", "neighbourhood d=2", "shortest path k=1"):
        assert by_operation[operation][7].endswith("answers checked"), by_operation[operation]
    assert by_operation["neighbourhood d=2"][4] == "5"  # one timing per sampled query
    assert "x bare NetworkX" in by_operation["load JSONL"][7]
    assert by_operation["load Markdown notes"][7].startswith("CPU ")
    assert "faster than the naive loop" in by_operation["mention matching (audit)"][7]
    assert all(r[5] for r in rows), "every row reports its peak memory"
    # The document keeps its own text and gets the same table between the markers.
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nWhat the numbers mean.\n\n" + MARK_BEGIN)
    assert text.endswith(MARK_END + "\n\nTail.\n")
    assert "old" not in text and _rows(text.split(MARK_BEGIN)[1]) == rows
    # The generated glossary is cached for the next run.
    assert sorted(p.name for p in (tmp_path / "work").glob("*.jsonl")) == ["synthetic-200-20240601.jsonl"]
    assert len(list((tmp_path / "work" / "synthetic-200-20240601-markdown").rglob("*.md"))) == 200


def test_table_renders_aligned_markdown_and_doc_is_created_when_missing(tmp_path: Path) -> None:
    rows = [Row(1000, "local", "stats", 0.0123, 5, 2048, 0, "ok"), Row(1000, "local", "load JSONL", 1.5, 3)]
    table = render_table(rows)
    assert table.splitlines()[0] == "| concepts | store | operation  | median  | n | peak MB | +MB | notes |"
    assert _rows(table) == [
        ["1,000", "local", "stats", "12.3 ms", "5", "2", "0", "ok"],
        ["1,000", "local", "load JSONL", "1.50 s", "3", "", "", ""],
    ]
    assert len({len(line) for line in table.splitlines()}) == 1
    out = tmp_path / "docs" / "b.md"
    write_doc(out, table, {"cpus": "2", "cpu": "X", "memory": "1 GiB", "python": "3.11", "networkx": "3",
                           "os": "Linux"}, "python -m scripts.bench", ["note"])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\n" + MARK_BEGIN)
    assert "on 2 CPUs (X), 1 GiB RAM, Python 3.11" in text and "\nnote\n" in text


def test_bench_html_rows_and_linear_time_verdict(tmp_path: Path) -> None:
    """The saved-HTML section at toy sizes: every row, the refusal of a too-deep page, a verdict (never a timing)."""
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "--sizes", "10", "--no-local", "--no-neo4j", "--no-app",
         "--html-mb", "1,2", "--html-nested", "1000,2000", "--html-pages", "30", "--html-runs", "1",
         "--workdir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    rows = _rows(done.stdout)
    assert [(r[1], r[2]) for r in rows] == [
        ("html", "load 1 MB glossary page"),
        ("html", "load 2 MB glossary page"),
        ("html", "load 1,000 nested <ul><li>"),
        ("html", "load 2,000 nested <ul><li>"),
        ("html", "refuse 2,000 nested in one stack"),
        ("html", "load folder of 30 pages"),
    ]
    by_operation = {r[2]: r for r in rows}
    # Every generated entry and page is loaded: the concept counts are exact.
    assert by_operation["load folder of 30 pages"][0] == "30"
    assert by_operation["load 1,000 nested <ul><li>"][0] == "1"
    assert int(by_operation["load 2 MB glossary page"][0].replace(",", "")) > 1.9 * int(
        by_operation["load 1 MB glossary page"][0].replace(",", ""))
    assert by_operation["refuse 2,000 nested in one stack"][7] == "refused: nested too deeply"
    # The verdict is printed either way; the exit code says which (1 when the check failed).
    assert "CPU time per MB at 2 is" in by_operation["load 2 MB glossary page"][7]
    assert "CPU time per item at 2,000 is" in by_operation["load 2,000 nested <ul><li>"][7]
    assert done.returncode == (1 if "NOT LINEAR" in done.stdout else 0), done.stderr


@pytest.mark.neo4j
def test_neo4j_audit_rows_time_each_check_both_ways_with_equal_answers(neo4j_server: Any) -> None:
    from functools import partial

    from glossaries import hierarchy

    from graph.neo4j import Neo4jStore
    from graph.neo4j.cypher import AUDIT_CHECKS
    from scripts.bench import audit_both_ways, audit_rows

    connect = partial(Neo4jStore.connect, neo4j_server.uri, dataset=f"bench-audit-{uuid.uuid4().hex[:8]}",
                      user=neo4j_server.user, password=neo4j_server.password, database=neo4j_server.database)
    with connect() as store:
        store.load(hierarchy())
        try:
            audit = audit_both_ways(connect, 2)
        finally:
            store.drop()
    assert all(both["same"] for both in audit["checks"].values())
    assert audit["checks"]["deprecated_links"]["findings"] == 1
    rows = audit_rows(7, audit)
    assert [r.operation for r in rows] == [
        "audit: pull the glossary", *(f"audit {name}: Cypher" for name in audit["checks"]), "audit (all checks)"
    ]
    assert set(audit["checks"]) == set(AUDIT_CHECKS) and all(r.runs == 2 for r in rows)
    assert all("DIFFER" not in r.note for r in rows)
    assert [r.operation for r in rows if r.note.endswith("runs on the server")] == ["audit uncategorised: Cypher"]
