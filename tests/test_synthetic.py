"""The synthetic glossary generator: deterministic bytes, realistic shape, both output formats."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

import loaders
from graph.cli import main
from graph.resolve import resolve_links
from graph.synthetic import (
    CATEGORIES,
    GenerationSummary,
    synthetic_glossary,
    synthetic_records,
    write_jsonl,
    write_markdown,
)


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.md")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("writer", ["jsonl", "markdown"])
def test_same_seed_gives_the_same_bytes_and_another_seed_different_ones(tmp_path: Path, writer: str) -> None:
    def digest(seed: int, name: str) -> str:
        target = tmp_path / name
        if writer == "jsonl":
            write_jsonl(target, 300, seed)
            return hashlib.sha256(target.read_bytes()).hexdigest()
        write_markdown(target, 300, seed)
        return _folder_digest(target)

    assert digest(7, "a") == digest(7, "b")
    assert digest(7, "a") != digest(8, "c")


def test_jsonl_has_one_record_per_concept_with_the_documented_fields(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    summary = write_jsonl(path, 500, 3)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 500 == summary.size
    assert list(records[0]) == [
        "id", "title", "aliases", "category", "level", "published", "definition", "related", "body", "wikilinks",
    ]
    assert len({r["id"] for r in records}) == 500
    assert len({r["title"].casefold() for r in records}) == 500
    assert sum(len(r["related"]) + len(r["wikilinks"]) for r in records) == summary.references
    assert records == list(synthetic_records(500, 3))


#: What the generator produced for the shape tests: its summary and the records.
Shape = tuple[GenerationSummary, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def shape() -> Shape:
    summary = GenerationSummary(5000, 11)
    return summary, list(synthetic_records(5000, 11, summary))


def test_links_average_about_ten_per_concept_with_hubs_and_leaves(shape: Shape) -> None:
    summary, _records = shape
    glossary = synthetic_glossary(5000, 11)
    links = resolve_links(glossary)
    assert len(links) == summary.references
    assert 9.0 <= summary.references / 5000 <= 11.0
    incoming = Counter(link.target for link in links if link.target is not None and link.target != link.source)
    degrees = sorted((incoming.get(c.id, 0) for c in glossary), reverse=True)
    # A few hubs collect far more links than the typical concept (preferential attachment / Zipf).
    assert degrees[0] >= 30 * statistics.median(degrees)
    assert degrees[0] >= 300


def test_broken_self_duplicate_and_one_way_links_are_planted_at_their_rates(shape: Shape) -> None:
    summary, _records = shape
    glossary = synthetic_glossary(5000, 11)
    links = resolve_links(glossary)
    vias = Counter(link.via for link in links)
    assert vias["unresolved"] == summary.broken
    assert 0.005 <= summary.broken / summary.references <= 0.015
    assert sum(1 for link in links if link.target == link.source) == summary.self_links > 0
    assert summary.self_links / summary.references <= 0.003
    # References are written by id, by title and by alias, all resolving.
    assert vias["id"] > vias["title"] > vias["alias"] > 0
    # Several concepts want the same missing title (wanted pages).
    wanted = Counter(link.key for link in links if link.target is None)
    assert wanted.most_common(1)[0][1] >= 5
    pairs = {(link.source, link.target) for link in links if link.target not in (None, link.source)}
    two_way = sum(1 for s, t in pairs if (t, s) in pairs)
    assert 0.05 <= two_way / len(pairs) <= 0.5
    per_concept = Counter((link.source, link.target) for link in links if link.target is not None)
    assert sum(1 for n in per_concept.values() if n > 1) > 0


def test_terms_categories_and_definitions_look_like_a_glossary(shape: Shape) -> None:
    _summary, records = shape
    assert {r["category"] for r in records} == {*CATEGORIES, None}
    assert sum(1 for r in records if r["category"] is None) < 0.03 * len(records)
    acronyms = [a for r in records for a in r["aliases"] if a.isupper()]
    assert len(acronyms) > 0.2 * len(records)
    words = [len(str(r["definition"]).split()) for r in records]
    assert min(words) >= 15 and max(words) <= 45 and 20 <= statistics.median(words) <= 40
    titles = {str(r["title"]) for r in records}
    mentioned = sum(
        1 for r in records if any(t in str(r["definition"]) for t in titles if t != r["title"])
    )
    assert mentioned > 0.9 * len(records)


def test_markdown_files_hold_the_same_content_as_the_records(tmp_path: Path) -> None:
    write_markdown(tmp_path, 200, 5)
    files = sorted(tmp_path.rglob("*.md"))
    assert len(files) == 200
    by_id = {r["id"]: r for r in synthetic_records(200, 5)}
    for path in files:
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        record = by_id[meta["id"]]
        assert path.stem == record["id"]
        for key in ("title", "aliases", "category", "level", "published", "related"):
            assert meta[key] == record[key], key
        assert body.split("\n\n")[1].strip() == record["definition"]
        assert [w for w in record["wikilinks"] if f"[[{w}]]" not in body] == []


def test_size_beyond_the_title_space_is_refused() -> None:
    with pytest.raises(ValueError, match="distinct titles"):
        next(synthetic_records(2_000_000, 0))


def test_cli_generate_writes_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "g.jsonl"
    assert main(["generate", "--size", "120", "--seed", "4", "-o", str(target), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["size"] == 120 and report["format"] == "jsonl"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 120
    assert main(["generate", "--size", "120", "-o", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["generate", "--size", "50", "-o", str(tmp_path / "md"), "--format", "markdown"]) == 0
    assert len(list((tmp_path / "md").rglob("*.md"))) == 50


def test_jsonl_and_markdown_load_into_the_same_glossary_as_the_generator_builds(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "g.jsonl", 400, 9)
    write_markdown(tmp_path / "md", 400, 9)
    from_jsonl = loaders.load(tmp_path / "g.jsonl")
    from_markdown = loaders.load(tmp_path / "md")
    assert (from_jsonl.format, from_markdown.format) == ("jsonl", "markdown")
    assert len(from_jsonl) == len(from_markdown) == 400
    assert from_jsonl.same_content(from_markdown)
    assert from_jsonl.same_content(synthetic_glossary(400, 9))
    assert sum(1 for c in from_markdown for r in c.related if r.kind == "wikilink") > 0
