"""Every audit finding names the file and line where it is written, whatever the source format."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import loaders
from graph.audit import run_audit
from graph.audit.locate import source_root
from graph.diff import diff
from graph.model import Concept, Glossary, Reference

LINKS = "broken_links,duplicate_links,alias_links,unlinked_mentions,orphans"


def located(source: Path, checks: str = LINKS) -> dict[str, list[dict[str, Any]]]:
    report = run_audit(loaders.load(source), checks.split(",")).to_json()
    return {check: findings for check, findings in report["checks"].items() if findings}


def test_yaml_records_locate_each_list_item(data_dir: Path) -> None:
    # The reference's own list item, the second of two duplicates, the folded line holding the mention.
    assert located(data_dir / "audit" / "locations" / "glossary.yaml") == {
        "orphans": [{"id": "retrieval", "title": "Retrieval", "file": "glossary.yaml", "line": 18}],
        "broken_links": [{"source": "embedding", "target": "Tokeniser", "file": "glossary.yaml", "line": 8}],
        "alias_links": [
            {"source": "retrieval", "target": "vector-index", "via": "ANN index", "file": "glossary.yaml", "line": 24}
        ],
        "duplicate_links": [
            {"source": "vector-index", "target": "embedding", "count": 2, "file": "glossary.yaml", "line": 17}
        ],
        "unlinked_mentions": [
            {"source": "retrieval", "target": "embedding", "mention": "Embedding", "count": 1,
             "file": "glossary.yaml", "line": 22}
        ],
    }


def test_jsonl_and_csv_locate_the_record_line(data_dir: Path) -> None:
    folder = data_dir / "audit" / "locations"
    assert located(folder / "glossary.jsonl", "broken_links,unlinked_mentions") == {
        "broken_links": [{"source": "embedding", "target": "Tokeniser", "file": "glossary.jsonl", "line": 1}],
        # line 2 is blank: the third record is on line 4
        "unlinked_mentions": [
            {"source": "retrieval", "target": "embedding", "mention": "Embedding", "count": 1,
             "file": "glossary.jsonl", "line": 4}
        ],
    }
    # The CSV row starts on line 2 and runs over two lines (a quoted line break in its definition).
    assert located(folder / "glossary.csv", "broken_links") == {
        "broken_links": [{"source": "embedding", "target": "Tokeniser", "file": "glossary.csv", "line": 2}],
    }


def test_json_locates_each_array_element(data_dir: Path) -> None:
    # JSON has no parser marks: each related entry is found in its record's text, in order.
    found = located(data_dir / "fix" / "records" / "glossary.json",
                    "broken_links,duplicate_links,self_links,alias_links,orphans")
    assert found == {
        "orphans": [{"id": "delta", "title": "Delta", "file": "glossary.json", "line": 19},
                    {"id": "gamma", "title": "Gamma", "file": "glossary.json", "line": 18}],
        "broken_links": [{"source": "beta", "target": "Gammas", "file": "glossary.json", "line": 16}],
        "alias_links": [
            {"source": "beta", "target": "alpha", "via": "First Letter", "file": "glossary.json", "line": 16}
        ],
        "self_links": [{"source": "alpha", "target": "alpha", "file": "glossary.json", "line": 10}],
        "duplicate_links": [{"source": "alpha", "target": "beta", "count": 2, "file": "glossary.json", "line": 9}],
    }
    glossary = loaders.load(data_dir / "loaders" / "glossary.json")
    llm = glossary.by_id()["large-language-model"]
    # Two array elements on their own lines; the [[wikilink]] in the definition keeps the record's line.
    assert [(r.target, r.kind, r.line) for r in llm.related] == [
        ("Transformer", "related", 57), ("Pre-training", "related", 58), ("Pre-training", "wikilink", 42)
    ]


def test_markdown_wikilinks_and_front_matter_items(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text(
        "---\ntitle: Alpha\nrelated:\n  - Beta\n  - Missing One\n---\n"
        "Alpha is first.\n\nIt leans on [[Gamma]] and\nsometimes on [[Nowhere]]; see Beta\nand Gamma.\n",
        encoding="utf-8",
    )
    # Code, a fenced block and a Markdown link are not prose: the mention is the one on line 7.
    (tmp_path / "b.md").write_text(
        "# Beta\n\n`Alpha()` is code and [Alpha docs](https://example.org/alpha) a link;\n"
        "```\nAlpha\n```\nThe second, after Alpha\n", encoding="utf-8"
    )
    (tmp_path / "gamma.md").write_text("---\ntitle: Gamma\nrelated: [Alpha, Beta]\n---\nThe third.\n", "utf-8")
    found = located(tmp_path, "broken_links,unlinked_mentions,dead_ends,one_way_links")
    assert found == {
        "dead_ends": [{"id": "b", "title": "Beta", "file": "b.md", "line": 1}],
        "broken_links": [
            {"source": "a", "target": "Missing One", "file": "notes/a.md", "line": 5},
            {"source": "a", "target": "Nowhere", "file": "notes/a.md", "line": 10},
        ],
        "one_way_links": [
            {"source": "a", "target": "b", "file": "notes/a.md", "line": 4},
            {"source": "gamma", "target": "b", "file": "gamma.md", "line": 3},
        ],
        "unlinked_mentions": [
            {"source": "b", "target": "a", "mention": "Alpha", "count": 1, "file": "b.md", "line": 7},
        ],
    }


def test_built_glossaries_have_no_locations() -> None:
    glossary = Glossary([Concept("a", "Alpha", related=(Reference("Nowhere", line=3),))], source="built in code")
    assert run_audit(glossary, ["broken_links"]).to_json()["checks"]["broken_links"] == [
        {"source": "a", "target": "Nowhere"}
    ]
    assert source_root("bolt://127.0.0.1:7687") is None
    assert source_root("") is None


def test_diff_ignores_locations(data_dir: Path, tmp_path: Path) -> None:
    before = tmp_path / "before"
    shutil.copytree(data_dir / "audit" / "vault", before)
    after = tmp_path / "after"
    shutil.copytree(before, after)
    # Every finding of rag.md moves three lines down; none is new or fixed.
    rag = after / "rag.md"
    rag.write_text(rag.read_text(encoding="utf-8").replace("---\n", "---\n\n\n\n", 1), encoding="utf-8")
    old, new = loaders.load(before), loaders.load(after)
    assert run_audit(new, ["broken_links"]).findings["broken_links"][0]["line"] == 8
    assert diff(old, new).audit and all(not d.new and not d.fixed for d in diff(old, new).audit.values())
    # A real change is reported, without the location keys.
    rag.write_text(rag.read_text(encoding="utf-8").replace("Vector Store", "Vector Shop"), encoding="utf-8")
    delta = diff(old, loaders.load(after)).audit["broken_links"].to_json()
    assert delta == {"new": [{"source": "rag", "target": "Vector Shop"}],
                     "fixed": [{"source": "rag", "target": "Vector Store"}]}


@pytest.mark.neo4j
def test_neo4j_keeps_the_locations_it_was_loaded_with(neo4j_server: Any, data_dir: Path, tmp_path: Path) -> None:
    import uuid

    from graph.neo4j import Neo4jStore

    folder = tmp_path / "vault"
    shutil.copytree(data_dir / "audit" / "vault", folder)
    local = run_audit(loaders.load(folder)).to_json()
    store = Neo4jStore.connect(neo4j_server.uri, f"loc-{uuid.uuid4().hex[:10]}", user=neo4j_server.user,
                               password=neo4j_server.password, database=neo4j_server.database)
    try:
        store.load(loaders.load(folder))
        assert run_audit(store).to_json() == local
        # Gone from disk: link and concept findings keep their lines; a mention falls back to the title line.
        shutil.rmtree(folder)
        moved = run_audit(store).to_json()["checks"]
        assert moved["broken_links"] == local["checks"]["broken_links"]
        assert moved["orphans"] == local["checks"]["orphans"]
        assert [(f["file"], f["line"]) for f in moved["unlinked_mentions"]] == [
            ("reading-notes.md", 1), ("transformer.md", 2)
        ]
    finally:
        store.drop()
        store.close()
