"""One-page Markdown glossaries (issue 10, point 6): a single file whose same-level headings are the concepts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import loaders
from graph.audit import run_audit
from graph.cli import main
from graph.errors import UsageError
from loaders.onepage import github_slug, headings, term_level, term_list

DATA = Path(__file__).parent / "data" / "onepage"
BOOK = DATA / "book-glossary.md"


def summary(glossary: loaders.Glossary) -> list[tuple[object, ...]]:
    return [
        (c.id, c.title, c.origin.line if c.origin else None, c.aliases, c.categories,
         [(r.target, r.kind, r.line) for r in c.related])
        for c in glossary
    ]


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Retrieval-Augmented Generation (RAG)", "retrieval-augmented-generation-rag"),
        ("What's a `token`?", "whats-a-token"),
        ("A & B", "a--b"),
        ("Café au lait", "café-au-lait"),
        ("snake_case name", "snake_case-name"),
        ("C++ / C#", "c--c"),
        ("Rocket 🚀 launch", "rocket--launch"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_an_mdbook_glossary_loads_one_concept_per_term_heading() -> None:
    glossary = loaders.load(BOOK)
    assert summary(glossary) == [
        ("beacon", "Beacon", 11, ("heartbeat", "keep-alive ping"), (),
         [("listener", "markdown", 13), ("Relay", "wikilink", 14)]),
        # {#retry-wait} is the anchor; glossary.md#listener is this very page; #quorum names no heading.
        ("retry-wait", "Backoff", 20, (), (), [("#quorum", "markdown", 23)]),
        # [beacons][b] with [b]: #beacon, and Obsidian's [[#Relay]] (the first Relay heading).
        ("listener", "Listener", 27, (), (), [("beacon", "markdown", 29), ("relay", "wikilink", 29)]),
        ("relay", "Relay", 39, ("forwarder", "repeater"), (),
         [("beacon", "markdown", 43), ("retry-wait", "markdown", 43)]),
        ("relay-1", "Relay", 45, (), (), []),
    ]
    beacon, backoff, listener = glossary.concepts[:3]
    assert beacon.definition == (
        "A signal a relay sends every few seconds so that [listeners](#listener) can find it. "
        "Compare [[Relay]] and [the wire format](protocol.md#frames)."
    )
    # The alias line leaves the text; the rest of the section is the body, code kept as written.
    assert (beacon.body, backoff.body) == ("Beacons carry no payload.", "")
    assert listener.body == "```text\n## Not a heading: this line is code\n```\n\n[b]: #beacon"
    assert glossary.counts == {"tags": 0, "other_page_links": 2, "external_links": 1}
    assert [str(w) for w in glossary.warnings] == [
        f"{BOOK}:45: heading 'Relay': anchor 'relay' is taken, this term loads as 'relay-1'"
    ]


def test_group_headings_are_categories_and_attr_list_anchors_are_ids() -> None:
    glossary = loaders.load(DATA / "site-glossary.md")
    assert summary(glossary) == [
        ("bucket-term", "Bucket", 5, (), ("Storage",), [("object-key", "markdown", 7)]),
        ("object-key", "Object key", 9, (), ("Storage",), [("bucket-term", "markdown", 11)]),
        ("worker", "Worker", 15, (), ("Compute",), [("job-queue", "markdown", 17)]),
        ("job-queue", "Job queue", 19, (), ("Compute",), [("worker", "markdown", 21)]),
    ]


def test_the_split_option_overrides_the_detection() -> None:
    by_h2 = loaders.load(DATA / "site-glossary.md", split="h2")
    assert [(c.id, c.definition, c.origin.line if c.origin else None) for c in by_h2] == [
        ("storage", "", 3), ("compute", "", 13),
    ]
    # Links to the ### headings inside the sections join no two concepts now.
    assert by_h2.counts == {"tags": 0, "page_links": 4}
    whole = loaders.load(BOOK, split="none")
    assert [(c.id, c.title) for c in whole] == [("book-glossary", "Glossary")]
    assert whole.concepts[0].definition == "Words that come up in this book. Start with [Beacon](#beacon)."


def test_a_readme_with_two_sections_is_two_concepts_and_a_note_with_one_is_one() -> None:
    readme = loaders.load(DATA / "README.md")
    assert summary(readme) == [
        ("install", "Install", 5, (), (), []), ("usage", "Usage", 9, (), (), [("install", "markdown", 11)]),
    ]
    note = loaders.load(DATA / "note.md")
    assert [(c.id, c.title, c.definition) for c in note] == [("note", "Relay", "A node that passes frames on.")]


def test_a_term_list_without_headings_bold_terms_and_definition_lists() -> None:
    glossary = loaders.load(DATA / "terms-list.md")
    assert summary(glossary) == [
        ("beacon", "Beacon", 5, (), (), [("listener", "markdown", 5)]),
        ("listener", "Listener", 8, (), (), [("Beacon", "wikilink", 8)]),
        ("relay", "Relay", 10, ("forwarder",), (), []),
        ("frame-gap", "Frame gap", 15, (), ("Timing",), []),
        ("backoff", "Backoff", 18, (), ("Timing",), [("frame-gap", "markdown", 20)]),
    ]
    assert [c.definition for c in glossary] == [
        "a signal a relay sends so that a [listener](#listener) finds it. It repeats every few seconds.",
        "a process that waits for a [[Beacon]].",
        "a node that passes frames on.",
        "the pause between two frames.",
        "how long a listener waits before it tries again; see [gap](#frame-gap).",
    ]
    # A note with a couple of bold "Note:" paragraphs among more prose is no term list.
    prose = "# N\n\nIntro.\n\n**Note:** careful.\n\n**Tip:** look.\n\nMore.\n\nEven more.\n\nLast."
    assert term_list(prose) == ([], {})
    # split=none reads the page as one note.
    assert [c.id for c in loaders.load(DATA / "terms-list.md", split="none")] == ["terms-list"]


def test_notes_inside_a_folder_are_never_split(tmp_path: Path) -> None:
    for name in ("book-glossary.md", "README.md"):
        shutil.copy(DATA / name, tmp_path / name)
    glossary = loaders.load(tmp_path)
    assert sorted(c.id for c in glossary) == ["book-glossary", "readme"]
    with pytest.raises(UsageError, match="split option applies to a single Markdown file"):
        loaders.load(tmp_path, split="h2")


@pytest.mark.parametrize(
    ("split", "message"),
    [
        ("h7", "split must be one of auto, h1, h2, h3, h4, h5, h6, terms, none, got 'h7'"),
        ("h5", f"split=h5: {BOOK} has no level-5 headings to read as terms"),
        ("terms", f"split=terms: {BOOK} has no term list (**Term**: ..., or Term then : definition) to read as terms"),
    ],
)
def test_a_bad_split_is_refused(split: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        loaders.load(BOOK, split=split)
    assert str(raised.value) == message


def test_term_level_skips_letters_and_needs_two_headings() -> None:
    def level(text: str) -> int | None:
        return term_level(headings(text), text.split("\n"))

    assert level("# G\n\n## A\n\n### Apple\n\nFruit.\n\n### Axe\n\nTool.") == 3
    assert level("# G\n\n## Only one\n\nText.\n\n### Sub\n\nMore.\n\n### Sub two\n\nMore.") is None
    assert level("## Alpha\n\nFirst.\n\nAlpha\n-----\n\nSetext too.") == 2
    assert level("# G\n\n```\n## In code\n## Also code\n```") is None
    assert [h.title for h in headings("## See [[Relay|the relay]] ##\nSee [[Beacon]]\n---\n")] == [
        "See the relay", "See Beacon",
    ]
    assert level("# G\n\n<!--\n## Commented\n## Out\n-->\n\nText.") is None


def test_audit_findings_point_at_the_term_headings_and_link_lines() -> None:
    checks = run_audit(loaders.load(BOOK)).to_json()["checks"]
    assert checks["broken_links"] == [
        {"source": "retry-wait", "target": "#quorum", "file": "book-glossary.md", "line": 23},
    ]
    assert checks["orphans"] == [{"id": "relay-1", "title": "Relay", "file": "book-glossary.md", "line": 45}]
    assert checks["one_way_links"] == [
        {"source": "listener", "target": "relay", "file": "book-glossary.md", "line": 29},
        {"source": "relay", "target": "retry-wait", "file": "book-glossary.md", "line": 43},
    ]


def test_the_cli_passes_split_and_counts_the_links(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(DATA / "site-glossary.md"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["concepts"], data["link_forms"]["markdown_links"], data["categories"]) == (4, 4, 2)
    assert main(["load", str(DATA / "site-glossary.md"), "--option", "split=h2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["concepts"], data["ignored_links"]) == (2, {"page_links": 4})


def test_fix_links_mentions_in_a_one_page_glossary_by_anchor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "glossary.md"
    quorum = "\n### Quorum\n\nHow many relays agree before a beacon counts.\n"
    page.write_text(BOOK.read_text(encoding="utf-8") + quorum, encoding="utf-8")
    assert main(["fix", str(page), "--check", "unlinked_mentions", "--write"]) == 0
    capsys.readouterr()
    assert page.read_text(encoding="utf-8").endswith("How many relays agree before a [beacon](#beacon) counts.\n")
    added = loaders.load(page).concepts[-1]
    assert [(r.target, r.kind, r.line) for r in added.related] == [("beacon", "markdown", 51)]
    assert run_audit(loaders.load(page), ["unlinked_mentions"]).to_json()["checks"]["unlinked_mentions"] == []
