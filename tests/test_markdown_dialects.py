"""Markdown knowledge bases as people write them: Markdown links, Hugo sites, Obsidian, Foam, ids (issue 10)."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path

import pytest

import loaders
from graph.audit import run_audit
from graph.cli import main
from graph.exports import export
from graph.local import LocalStore
from graph.mentions import searchable_text
from graph.model import Glossary
from graph.resolve import Resolver
from graph.text import WIKILINK_RE, parse_wikilink
from loaders.mdlinks import markdown_links

DIALECTS = Path(__file__).parent / "data" / "dialects"


def link_rows(glossary: Glossary) -> list[tuple[str, str, str, str | None, int | None]]:
    """(source, kind, written, resolved target, line) of every link, in load order."""
    return [(link.source, link.kind, link.written, link.target, link.line) for link in LocalStore(glossary).links()]


def note(root: Path, name: str, text: str) -> None:
    """Write one note."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- point 1: standard Markdown links -------------------------------------------------------------


def test_markdown_link_forms_lines_and_what_is_not_a_link() -> None:
    text = (
        "Inline [a](other.md), [b](../folder/Other%20Note.md#section) and [c](<Other Note.md>).\n"
        "Reference [d][1] and [e][] and [e].\n"
        "`[code](code.md)` ![image](pic.png) [![badge](b.svg)](badge.md) <https://example.org>\n"
        "\n"
        "```\n[fenced](fenced.md)\n```\n"
        "| col | [cell](cell.md) |\n|---|---|\n| [row](row.md) | x |\n"
        "\n"
        "[[Wiki Note]] is a wikilink, not a Markdown link.\n"
        "\n"
        "[1]: /terms/other/\n"
        "[e]: e.md\n"
        "[wiki note]: wiki-note.md\n"
    )
    assert markdown_links(text) == [
        ("other.md", 1),
        ("../folder/Other%20Note.md#section", 1),
        ("Other%20Note.md", 1),
        ("/terms/other/", 2),
        ("e.md", 2),
        ("e.md", 2),
        ("badge.md", 3),
        ("https://example.org", 3),
        ("cell.md", 8),
        ("row.md", 10),
    ]


def test_relative_file_links_resolve_from_the_linking_note(tmp_path: Path) -> None:
    note(tmp_path, "index.md", "# Home\n\nStart at [attention](<ml/Attention Head.md>) or [missing](ml/Nope.md).\n")
    note(tmp_path, "ml/Attention Head.md", "One head of [multi-head](../ml/Multi%20Head.md#math) attention.\n")
    note(tmp_path, "ml/Multi Head.md", "Several [heads](Attention%20Head.md) at once; [home](../index.md).\n\n"
                                       "A [diagram](img/heads.svg), a [paper](https://arxiv.org/abs/1706.03762),\n"
                                       "an [email](mailto:a@b.org) and [this section](#math).\n")
    glossary = loaders.load(tmp_path)
    assert link_rows(glossary) == [
        ("index", "markdown", "attention-head", "attention-head", 3),
        ("index", "markdown", "ml/Nope", None, 3),
        ("attention-head", "markdown", "multi-head", "multi-head", 1),
        ("multi-head", "markdown", "attention-head", "attention-head", 1),
        ("multi-head", "markdown", "index", "index", 1),
    ]
    assert glossary.counts == {"tags": 0, "attachment_links": 1, "external_links": 2, "page_links": 1}
    assert glossary.link_forms() == {"properties": 0, "wikilinks": 0, "markdown_links": 5, "tags": 0}


def test_hugo_site_with_permalinks_sections_and_templates() -> None:
    glossary = loaders.load(DIALECTS / "hugo-site")
    assert [c.id for c in glossary] == ["data-lake", "data-warehouse", "etl", "lakehouse", "schema-on-read"]
    assert link_rows(glossary) == [
        # The warehouse answers at its url: front matter, so /terms/data-warehouse/ is no page.
        ("data-lake", "markdown", "/terms/data-warehouse/", None, 7),
        ("data-lake", "markdown", "lakehouse", "lakehouse", 11),
        ("data-lake", "markdown", "schema-on-read", "schema-on-read", 12),
        ("data-warehouse", "markdown", "etl", "etl", 6),
        ("data-warehouse", "markdown", "data-lake", "data-lake", 7),
        ("etl", "markdown", "data-warehouse", "data-warehouse", 6),
        ("lakehouse", "markdown", "data-lake", "data-lake", 5),
        ("lakehouse", "markdown", "data-warehouse", "data-warehouse", 6),
        ("schema-on-read", "markdown", "data-lake", "data-lake", 6),
        ("schema-on-read", "markdown", "/terms/schema-on-write/", None, 7),
    ]
    # /terms/ (a section page), /tags/storage/ (a taxonomy): pages, not concepts; two https links.
    assert glossary.counts == {"tags": 0, "page_links": 2, "external_links": 2}
    assert [(Path(p.file).relative_to(DIALECTS / "hugo-site").as_posix(), p.message) for p in glossary.skipped] == [
        ("archetypes/default.md", "a Hugo archetype (archetypes/), not a concept"),
        ("content/_index.md", "a section page (_index.md), not a concept"),
        ("content/terms/_index.md", "a section page (_index.md), not a concept"),
    ]
    # categories: wins over tags:, so the tags of data-lake are not read.
    assert glossary.by_id()["data-lake"].categories == ("Storage",)


def test_multilingual_site_and_template_destinations(tmp_path: Path) -> None:
    note(tmp_path, "content/en/functions/len.md", "---\ntitle: len\n---\nCounts; see [index](/functions/index-fn/).\n")
    note(tmp_path, "content/en/functions/index-fn.md",
         "---\ntitle: index\n---\nLooks up; see [len](/functions/len/) and [alias][a].\n\n[a]: <{{% eturl alias %}}>\n")
    glossary = loaders.load(tmp_path)
    assert link_rows(glossary) == [
        ("index-fn", "markdown", "len", "len", 4),
        ("len", "markdown", "index-fn", "index-fn", 4),
    ]
    assert glossary.counts == {"tags": 0, "template_links": 1}


def test_templates_option_keeps_section_pages(tmp_path: Path) -> None:
    note(tmp_path, "_index.md", "---\ntitle: Glossary\n---\nAll terms; start at [RAG](/rag/).\n")
    note(tmp_path, "rag.md", "---\ntitle: RAG\n---\nRetrieval first. Back to [the glossary](/).\n")
    assert [c.id for c in loaders.load(tmp_path)] == ["rag"]
    kept = loaders.load(tmp_path, templates="include")
    assert link_rows(kept) == [("index", "markdown", "rag", "rag", 4)]
    with pytest.raises(Exception, match="templates must be one of skip, include"):
        loaders.load(tmp_path, templates="maybe")


def test_already_linked_text_is_not_an_unlinked_mention(tmp_path: Path) -> None:
    note(tmp_path, "rag.md", "# Retrieval\n\nRetrieval feeds a [vector store](vector-store.md) and a\n"
                             "[Reranker][r], then the Embedding step ([Embedding](<embedding.md>)).\n\n"
                             "[r]: reranker.md\n")
    note(tmp_path, "vector-store.md", "# Vector Store\n\nHolds vectors.\n")
    note(tmp_path, "reranker.md", "# Reranker\n\nOrders results.\n")
    note(tmp_path, "embedding.md", "# Embedding\n\nA dense vector.\n")
    glossary = loaders.load(tmp_path)
    text = searchable_text(glossary.by_id()["rag"])
    assert "vector store" not in text and "Reranker" not in text and "reranker.md" not in text
    report = run_audit(LocalStore(glossary)).to_json()
    # Only the plain "Embedding" outside the link is a mention, and its concept is linked already.
    assert report["checks"]["unlinked_mentions"] == []
    assert report["summary"]["broken_links"] == 0


def test_show_prints_link_text_not_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note(tmp_path, "rag.md", "# RAG\n\nRetrieval over a [vector store](vector-store.md) and [[Reranker|a reranker]].\n")
    note(tmp_path, "vector-store.md", "# Vector Store\n\nHolds vectors.\n")
    note(tmp_path, "reranker.md", "# Reranker\n\nOrders results.\n")
    assert main(["show", str(tmp_path), "RAG"]) == 0
    out = capsys.readouterr().out
    assert "Retrieval over a vector store and a reranker." in out
    assert "vector-store.md" not in out and "[[" not in out


def _to_markdown_links(source: Path, target: Path) -> int:
    """Rewrite a wikilink glossary with Markdown links to the same notes; return how many were rewritten."""
    glossary = loaders.load(source)
    resolver = Resolver(glossary.concepts)
    paths = {c.id: c.path for c in glossary}
    count = 0
    for file in sorted(source.rglob("*.md")):
        relative = file.relative_to(source).as_posix()
        folder = posixpath.dirname(relative)

        def convert(match: re.Match[str], folder: str = folder) -> str:
            nonlocal count
            inner = match.group(2)
            name = parse_wikilink(inner)
            label = inner.split("|", 1)[1] if "|" in inner else name
            section = "#" + inner.split("#", 1)[1].split("|", 1)[0].replace(" ", "-") if "#" in inner else ""
            found = resolver.resolve(name).target
            destination = f"{paths[found]}.md" if found else f"{name}.md"
            count += 1
            return f"[{label}](<{posixpath.relpath(destination, folder or '.')}{section}>)"

        text = WIKILINK_RE.sub(convert, file.read_text(encoding="utf-8"))
        note(target, relative, text)
    return count


def test_wikilinks_and_markdown_links_give_the_same_audit(tmp_path: Path) -> None:
    source = DIALECTS / "wikilink-glossary"
    converted = tmp_path / "markdown-links"
    assert _to_markdown_links(source, converted) == 13
    assert "[[" not in "".join(p.read_text() for p in converted.rglob("*.md"))
    wiki, markdown = loaders.load(source), loaders.load(converted)
    assert wiki.link_forms()["wikilinks"] == markdown.link_forms()["markdown_links"] == 13
    before, after = run_audit(LocalStore(wiki)).to_json(), run_audit(LocalStore(markdown)).to_json()
    assert after["summary"] == before["summary"]
    # The findings agree too, but for how a self link's target is spelt: as written ("Tokenizer")
    # for the wikilink, the id the Markdown link's file stands for ("tokenizer") for the other.
    assert [f["source"] for f in after["checks"].pop("self_links")] == [
        f["source"] for f in before["checks"].pop("self_links")
    ] == ["tokenizer"]
    assert after["checks"] == before["checks"]
    # The figures are not trivially equal: the glossary has broken, self and one-way links and mentions.
    figures = {key: before["summary"][key] for key in (
        "broken_links", "self_links", "orphans", "dead_ends", "one_way_links", "unlinked_mentions", "links",
    )}
    assert figures == {"broken_links": 2, "self_links": 1, "orphans": 1, "dead_ends": 3, "one_way_links": 3,
                       "unlinked_mentions": 3, "links": 9}


def test_load_prints_links_read_by_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(DIALECTS / "hugo-site")]) == 0
    out = capsys.readouterr().out
    assert "links read: 0 properties, 0 wikilinks, 10 markdown links, 0 tags" in out
    assert "not concept links: 2 external, 2 page" in out
    assert "content/terms/_index.md: a section page (_index.md), not a concept" in out
    assert main(["load", str(DIALECTS / "hugo-site"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["link_forms"] == {"properties": 0, "wikilinks": 0, "markdown_links": 10, "tags": 0}
    assert data["ignored_links"] == {"external_links": 2, "page_links": 2}
    assert len(data["skipped"]) == 3


def test_fixture_copies_keep_their_figures(tmp_path: Path) -> None:
    # The Hugo fixture loads the same from anywhere: nothing depends on the checkout's location.
    copy = tmp_path / "site"
    shutil.copytree(DIALECTS / "hugo-site", copy)
    assert link_rows(loaders.load(copy)) == link_rows(loaders.load(DIALECTS / "hugo-site"))


# --- point 2: Obsidian ----------------------------------------------------------------------------


def test_obsidian_vault_links_attachments_and_same_names() -> None:
    glossary = loaders.load(DIALECTS / "obsidian-vault")
    assert [c.id for c in glossary] == [
        "data-pipeline", "feature-store", "model-serving", "projects-alpha-meeting-notes", "status-report",
        "projects-beta-meeting-notes", "retro",
    ]
    rows = [(source, kind, written, target) for source, kind, written, target, _line in link_rows(glossary)]
    assert rows == [
        # [[Feature Store.md|feature store]]: the extension is no part of the name.
        ("data-pipeline", "wikilink", "Feature Store", "feature-store"),
        ("feature-store", "wikilink", "Model Serving", "model-serving"),
        # [[Model Serving\|online features]] in a table: the escaped pipe still separates the label.
        ("feature-store", "wikilink", "Model Serving", "model-serving"),
        ("feature-store", "wikilink", "Data Pipeline", "data-pipeline"),
        # pipeline.png and spec sheet.pdf exist in Attachments/; whiteboard.png does not.
        ("feature-store", "wikilink", "whiteboard.png", None),
        # Two notes are called Meeting Notes and neither is nearer to Feature Store: ambiguous.
        ("feature-store", "wikilink", "Meeting Notes", None),
        ("feature-store", "markdown", "data-pipeline", "data-pipeline"),
        ("model-serving", "wikilink", "Feature Store", "feature-store"),
        ("projects-alpha-meeting-notes", "wikilink", "Status Report", "status-report"),
        ("projects-alpha-meeting-notes", "wikilink", "Feature Store", "feature-store"),
        # From Projects/Alpha the nearest Meeting Notes is the one beside it ...
        ("status-report", "wikilink", "projects-alpha-meeting-notes", "projects-alpha-meeting-notes"),
        # ... a path as written is taken as written ...
        ("projects-beta-meeting-notes", "wikilink", "Projects/Alpha/Status Report", "status-report"),
        # ... and from Projects/Beta it is Beta's, for wikilinks and Markdown links alike.
        ("retro", "wikilink", "projects-beta-meeting-notes", "projects-beta-meeting-notes"),
        ("retro", "markdown", "projects-beta-meeting-notes", "projects-beta-meeting-notes"),
    ]
    links = {(link.source, link.written): link for link in LocalStore(glossary).links()}
    assert links["feature-store", "Meeting Notes"].candidates == (
        "projects-alpha-meeting-notes", "projects-beta-meeting-notes",
    )
    assert [link.line for link in LocalStore(glossary).links() if link.source == "feature-store"] == [
        11, 15, 16, 19, 20, 20,
    ]
    assert glossary.counts == {"tags": 4, "attachment_links": 2}
    assert glossary.link_forms() == {"properties": 0, "wikilinks": 12, "markdown_links": 2, "tags": 4}


def test_obsidian_tags_dates_and_numbers() -> None:
    by_id = loaders.load(DIALECTS / "obsidian-vault").by_id()
    # tags: are categories when there is no category: field; the # is markup; a string holds several.
    assert by_id["feature-store"].categories == ("mlops", "data")
    assert by_id["model-serving"].categories == ("ml", "ops")
    assert by_id["data-pipeline"].categories == ("Engineering",)
    # YAML reads 2023-04-01 as a date, 2021 and 1.10 as numbers: they are names, kept as written.
    assert by_id["model-serving"].title == "2023-04-01"
    assert by_id["model-serving"].aliases == ("1.10", "Serving")
    assert by_id["feature-store"].aliases == ("2021", "Feature Platform")


def test_field_mapping_decides_between_tags_and_category() -> None:
    tags = loaders.load(DIALECTS / "obsidian-vault", fields={"categories": "tags"}).by_id()
    assert tags["data-pipeline"].categories == ("data",)
    category = loaders.load(DIALECTS / "obsidian-vault", fields={"categories": "category"}).by_id()
    assert category["feature-store"].categories == ()
    assert category["data-pipeline"].categories == ("Engineering",)


def test_a_boolean_title_is_its_text(tmp_path: Path) -> None:
    note(tmp_path, "no.md", "---\ntitle: No\naliases: [yes, 3.0]\n---\nThe Norwegian answer.\n")
    (concept,) = loaders.load(tmp_path)
    assert (concept.title, concept.aliases) == ("No", ("yes", "3.0"))


# --- point 3: Foam --------------------------------------------------------------------------------


def test_foam_workspace_counts_each_link_once() -> None:
    glossary = loaders.load(DIALECTS / "foam-workspace")
    assert link_rows(glossary) == [
        ("backlinks", "wikilink", "zettelkasten", "zettelkasten", 3),
        ("evergreen-notes", "wikilink", "journal/2024-05-01", "2024-05-01", 3),
        ("index-note", "wikilink", "zettelkasten", "zettelkasten", 3),
        ("index-note", "wikilink", "evergreen-notes", "evergreen-notes", 3),
        # A reference-style link of its own, through a definition like the ones Foam writes.
        ("index-note", "markdown", "backlinks", "backlinks", 4),
        ("2024-05-01", "markdown", "index-note", "index-note", 3),
        ("zettelkasten", "wikilink", "backlinks", "backlinks", 3),
        ("zettelkasten", "wikilink", "index-note", "index-note", 4),
        ("zettelkasten", "wikilink", "missing-idea", None, 6),
        ("zettelkasten", "markdown", "evergreen-notes", "evergreen-notes", 6),
    ]
    assert glossary.link_forms() == {"properties": 0, "wikilinks": 7, "markdown_links": 3, "tags": 0}
    report = run_audit(LocalStore(glossary)).to_json()
    # The definitions Foam appends ("[backlinks]: backlinks.md "Backlinks"") are markup, not mentions.
    assert report["checks"]["unlinked_mentions"] == [
        {"source": "2024-05-01", "target": "zettelkasten", "mention": "Zettelkasten", "count": 1,
         "file": "journal/2024-05-01.md", "line": 3},
    ]
    assert report["summary"]["broken_links"] == 1


# --- point 7: ids and collisions ------------------------------------------------------------------


def test_names_that_slug_alike_both_load_with_a_warning(tmp_path: Path) -> None:
    note(tmp_path, "Far-infrared astronomy.md", "Observing at far-infrared wavelengths.\n")
    note(tmp_path, "Far infrared astronomy.md", "The same field, spelt without the hyphen.\n")
    note(tmp_path, "a___b title.md", "A Logseq namespaced page.\n")
    note(tmp_path, "a.b title.md", "The older namespace spelling.\n")
    note(tmp_path, "x.md", "---\nid: a-b-title-2\n---\nAn id written in front matter is never renamed.\n")
    glossary = loaders.load(tmp_path)
    assert [(c.id, c.path) for c in glossary] == [
        ("far-infrared-astronomy", "Far infrared astronomy"),
        ("far-infrared-astronomy-2", "Far-infrared astronomy"),
        ("a-b-title", "a.b title"),
        ("a-b-title-3", "a___b title"),
        ("a-b-title-2", "x"),
    ]
    assert [(Path(w.file).name, w.message) for w in glossary.warnings] == [
        ("Far-infrared astronomy.md",
         f"id 'far-infrared-astronomy' is taken by {tmp_path / 'Far infrared astronomy.md'}: "
         "this note loads as 'far-infrared-astronomy-2'"),
        ("a___b title.md", f"id 'a-b-title' is taken by {tmp_path / 'a.b title.md'}: this note loads as 'a-b-title-3'"),
    ]
    # Loading twice gives the same ids: the suffix follows file order, not chance.
    assert [c.id for c in loaders.load(tmp_path)] == [c.id for c in glossary]


def test_the_same_id_written_twice_stays_an_error(tmp_path: Path) -> None:
    note(tmp_path, "one.md", "---\nid: rag\n---\nFirst.\n")
    note(tmp_path, "two.md", "---\nid: rag\n---\nSecond.\n")
    with pytest.raises(loaders.LoadError, match="duplicate id 'rag'"):
        loaders.load(tmp_path)


def test_load_lists_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note(tmp_path, "Far-infrared astronomy.md", "One.\n")
    note(tmp_path, "Far infrared astronomy.md", "Two.\n")
    assert main(["load", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "warnings (1):" in out and "this note loads as 'far-infrared-astronomy-2'" in out


def test_markdown_links_survive_an_export(tmp_path: Path) -> None:
    glossary = loaders.load(DIALECTS / "hugo-site")
    back = loaders.load(export(glossary, "json", tmp_path / "graph.json"))
    assert back.same_content(glossary)
    assert back.link_forms()["markdown_links"] == 10


# --- point 4 (part): Dendron note references and dendron:// links --------------------------------

DENDRON_NOTE = "---\nid: {id}\ntitle: {title}\ndesc: ''\nupdated: 1\ncreated: 1\n---\n{text}\n"


def _dendron_vault(root: Path, config: bool) -> Path:
    vault = root / "notes"
    if config:
        note(root, "dendron.yml", "version: 5\nworkspace:\n  vaults:\n    - fsPath: notes\n      name: handbook\n")
    note(vault, "ops.md", DENDRON_NOTE.format(id="r4nd0m1", title="Ops", text=(
        "Start with [[the runbook|dendron://handbook/ops.runbook]] and [[dendron://handbook/ops.oncall]].\n"
        "![[ops.runbook]]\n![[ops.missing]]\n![[chart.png]]\n"
        "Elsewhere: [[Pricing|dendron://sales/pricing]].")))
    note(vault, "ops.runbook.md", DENDRON_NOTE.format(id="r4nd0m2", title="Runbook", text="Steps; see [[ops]]."))
    note(vault, "ops.oncall.md", DENDRON_NOTE.format(id="r4nd0m3", title="On-call", text="Rota."))
    note(vault, "assets/chart.png", "PNG")
    return vault


@pytest.mark.parametrize("config", [True, False], ids=["dendron.yml", "detected"])
def test_dendron_note_references_and_vault_links(tmp_path: Path, config: bool) -> None:
    glossary = loaders.load(_dendron_vault(tmp_path, config))
    rows = [(source, written, target, line) for source, _kind, written, target, line in link_rows(glossary)]
    assert rows == [
        # dendron://handbook/... is this vault (named in dendron.yml, or detected: its notes are here).
        ("ops", "ops.runbook", "ops.runbook", 8),
        ("ops", "ops.oncall", "ops.oncall", 8),
        # A note reference ![[note]] is a link; one to a missing note is broken; an image is no link.
        ("ops", "ops.runbook", "ops.runbook", 9),
        ("ops", "ops.missing", None, 10),
        ("ops.oncall", "ops", "ops", 3),  # the hierarchy: each child's broader parent, at its title line
        ("ops.runbook", "ops", "ops", 8),
        ("ops.runbook", "ops", "ops", 3),
    ]
    assert glossary.counts == {"tags": 0, "attachment_links": 1, "other_vault_links": 1}


def test_vault_option_names_this_vault(tmp_path: Path) -> None:
    vault = _dendron_vault(tmp_path, config=False)
    # Told the vault is called "sales", the handbook links point elsewhere and pricing is missing here.
    glossary = loaders.load(vault, vault="sales")
    assert [(s, w, t) for s, _k, w, t, _l in link_rows(glossary) if w in ("pricing", "ops.oncall")] == [
        ("ops", "pricing", None),
    ]
    assert glossary.counts["other_vault_links"] == 2
