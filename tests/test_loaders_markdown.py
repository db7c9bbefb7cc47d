"""The Markdown loader: front matter, title/id/definition fallbacks, wikilinks, Dendron vaults, paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import loaders
from graph.local import LocalStore
from graph.model import Concept
from loaders.markdown import split_text


def note(root: Path, name: str, text: str) -> None:
    """Write one note."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def load_one(tmp_path: Path, text: str, name: str = "note.md", **options: Any) -> Concept:
    """Load a vault holding one note and return its concept."""
    note(tmp_path, name, text)
    (concept,) = loaders.load(tmp_path, **options).concepts
    return concept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Front matter title wins over the heading, and the opening heading leaves the body.
        ("---\ntitle: Front\n---\n# Heading\n\nFirst para.\n\nSecond.\n", ("front", "Front", "First para.", "Second.")),
        # No front matter title: the first # heading.
        (
            "# Heading Title #\n\nThe definition\nover two lines.\n",
            ("note", "Heading Title", "The definition over two lines.", ""),
        ),
        # No heading either: the file stem.
        ("Only a paragraph.\n", ("note", "note", "Only a paragraph.", "")),
        # Lists, tables, quotes, images, comments and code are not definitions.
        (
            "# T\n\n- item\n\n| a | b |\n\n> quote\n\n![img](x.png)\n\n<!-- c\nstill -->\n\n"
            "```\ncode\n```\n\nPlain words.\n\nAfter.\n",
            ("note", "T", "Plain words.",
             "- item\n\n| a | b |\n\n> quote\n\n![img](x.png)\n\n<!-- c\nstill -->\n\n```\ncode\n```"
             "\n\nAfter."),
        ),
        # Text under a section heading belongs to the section: no definition.
        ("# T\n\n## Section\n\nPlain words.\n", ("note", "T", "", "## Section\n\nPlain words.")),
        # A definition in the front matter: the body is the whole text but the title heading.
        ("---\ndefinition: Given.\n---\n# T\n\nFirst para.\n", ("note", "T", "Given.", "First para.")),
        # A heading that does not open the text gives the title but stays in the body.
        ("Intro words.\n\n# Later\n\nMore.\n", ("note", "Later", "Intro words.", "# Later\n\nMore.")),
        # Front matter id is kept as written (not slugified).
        ("---\nid: My_ID 7\n---\nText.\n", ("My_ID 7", "note", "Text.", "")),
    ],
    ids=["front-title", "heading", "stem", "skip-non-prose", "section-first", "front-definition", "late-heading",
         "front-id"],
)
def test_title_id_definition_and_body(tmp_path: Path, text: str, expected: tuple[str, str, str, str]) -> None:
    concept = load_one(tmp_path, text, "front.md" if expected[0] == "front" else "note.md")
    assert (concept.id, concept.title, concept.definition, concept.body) == expected


def test_split_text_keeps_text_before_the_definition() -> None:
    assert split_text("- a\n- b\n\nThe definition.\n\nRest.") == (None, "The definition.", "- a\n- b\n\nRest.")


def test_wikilinks_forms_code_and_embeds(tmp_path: Path) -> None:
    text = (
        "---\ntitle: T\n---\n"
        "Links: [[Alpha]], [[Beta|the beta]], [[Gamma#History]], [[Delta#Part|label]].\n"
        "\n"
        "Not links: `[[Span]]`, ![[Embed]], ![[picture.png|100]].\n"
        "\n"
        "```\n[[Fenced]]\n```\n"
        "~~~md\n[[Tilde fenced]]\n~~~\n"
        "Last [[Epsilon]] and [[ ]].\n"
    )
    concept = load_one(tmp_path, text)
    assert [(r.target, r.kind, r.line) for r in concept.related] == [
        ("Alpha", "wikilink", 4), ("Beta", "wikilink", 4), ("Gamma", "wikilink", 4), ("Delta", "wikilink", 4),
        ("Epsilon", "wikilink", 14),
    ]


def test_front_matter_related_may_be_written_as_wikilinks(tmp_path: Path) -> None:
    concept = load_one(tmp_path, '---\nrelated:\n  - "[[Alpha|a]]"\n  - "[[Beta#x]]"\n  - Gamma\n---\nText.\n')
    assert [(r.target, r.kind, r.line) for r in concept.related] == [
        ("Alpha", "related", 3), ("Beta", "related", 4), ("Gamma", "related", 5),
    ]


DENDRON = "---\nid: {id}\ntitle: {title}\ndesc: ''\nupdated: 1\ncreated: 1\n---\n{text}\n"


def test_dendron_vault_reads_label_first_and_ignores_cross_vault_links(tmp_path: Path) -> None:
    note(tmp_path, "topic.a.md", DENDRON.format(id="x1", title="A", text="See [[the b note|topic.b]] and "
                                                "[[Elsewhere|dendron://other.vault/topic.c]] and [[topic.b#part]]."))
    note(tmp_path, "topic.b.md", DENDRON.format(id="x2", title="B", text="Back to [[topic.a]]."))
    glossary = loaders.load(tmp_path)
    a = glossary.by_id()["topic.a"]
    assert [r.target for r in a.related] == ["topic.b", "topic.b"]
    # The id is the note's name, which links are written with; the random front-matter id is an attribute.
    assert [c.attributes for c in glossary] == [{"dendron_id": "x1"}, {"dendron_id": "x2"}]
    store = LocalStore(glossary)
    assert [(link.source, link.via, link.target) for link in store.links()] == [
        ("topic.a", "id", "topic.b"), ("topic.a", "id", "topic.b"), ("topic.b", "id", "topic.a"),
    ]


@pytest.mark.parametrize(("order", "expected"), [("obsidian", ["one"]), ("dendron", ["two"]), ("auto", ["one"])])
def test_wikilink_order_option(tmp_path: Path, order: str, expected: list[str]) -> None:
    concept = load_one(tmp_path, "Text [[one|two]].\n", wikilink_order=order)
    assert [r.target for r in concept.related] == expected


def test_wikilink_order_from_the_config_file(tmp_path: Path) -> None:
    note(tmp_path / "vault", "n.md", "Text [[label|target]].\n")
    config = tmp_path / "fields.yaml"
    config.write_text("options:\n  wikilink_order: dendron\n", encoding="utf-8")
    glossary = loaders.load(tmp_path / "vault", fields_config=config)
    assert [r.target for r in glossary.concepts[0].related] == ["target"]


def test_notes_that_share_a_stem_take_their_path_as_id(tmp_path: Path) -> None:
    note(tmp_path, "index.md", "Home. See [[dev/index]].\n")
    note(tmp_path, "dev/index.md", "Developer home.\n")
    note(tmp_path, "dev/design.md", "Design. Up: [[index]].\n")
    glossary = loaders.load(tmp_path)
    # Only the two index notes clash; dev/design keeps its stem.
    assert [(c.id, c.path) for c in glossary] == [
        ("design", "dev/design"), ("dev-index", "dev/index"), ("index", "index"),
    ]
    links = {(link.source, link.written): link.target for link in LocalStore(glossary).links()}
    # [[index]] from dev/design names the index note nearest to it, as in Obsidian: dev/index.
    assert links == {("index", "dev/index"): "dev-index", ("design", "dev-index"): "dev-index"}


def test_exclude_option_skips_matching_files(tmp_path: Path) -> None:
    note(tmp_path, "keep.md", "Kept.\n")
    note(tmp_path, "templates/tpl.md", "Template.\n")
    note(tmp_path, "README.md", "Read me.\n")
    glossary = loaders.load(tmp_path, exclude=["templates/*", "README.md"])
    assert [c.id for c in glossary] == ["keep"]


def test_a_single_note_loads_on_its_own(tmp_path: Path) -> None:
    note(tmp_path, "solo.md", "---\ncategories: [A, B]\npublished: 2026-01-05\n---\nAlone.\n")
    (concept,) = loaders.load(tmp_path / "solo.md").concepts
    found = (concept.id, concept.categories, concept.published, concept.path)
    assert found == ("solo", ("A", "B"), "2026-01-05", "solo")


def test_a_published_flag_is_not_a_date(tmp_path: Path) -> None:
    concept = load_one(tmp_path, "---\npublished: true\n---\nText.\n")
    assert concept.published is None
