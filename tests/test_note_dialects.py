"""Dendron vaults and Logseq graphs: names, hierarchies, properties, tags, placeholders (issue 10 points 4, 5, 9;
issue 11 point 5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import loaders
from graph.audit import run_audit
from graph.cli import main
from graph.exports import export
from graph.local import LocalStore
from graph.model import Glossary
from loaders.dialects import logseq_graph, outline_definition

DIALECTS = Path(__file__).parent / "data" / "dialects"
DENDRON = DIALECTS / "dendron-vault" / "notes"
LOGSEQ = DIALECTS / "logseq-graph"
LEGACY = DIALECTS / "logseq-legacy"


def link_rows(glossary: Glossary) -> list[tuple[str, str, str, str | None, int | None]]:
    """(source, kind, written, resolved target, line) of every link, in load order."""
    return [(link.source, link.kind, link.written, link.target, link.line) for link in LocalStore(glossary).links()]


# --- Dendron ----------------------------------------------------------------------------------


def test_dendron_ids_are_note_names_and_dots_are_the_hierarchy() -> None:
    glossary = loaders.load(DENDRON)
    assert glossary.dialect == "dendron"
    assert [(c.id, c.title, [p.target for p in c.parents]) for c in glossary] == [
        # No journal.md: a top-level name whose ancestors have no note has no parent.
        ("journal.2020", "2020", []),
        ("recipes.2020", "2020", ["recipes"]),
        ("recipes.bread", "Bread", ["recipes"]),
        ("recipes.bread.rye-old", "Rye bread", ["recipes.bread"]),
        ("recipes.bread.rye", "Rye bread", ["recipes.bread"]),
        ("recipes.bread.sourdough", "Sourdough", ["recipes.bread"]),
        ("recipes", "Recipes", []),
        # No recipes.pasta.md: the nearest existing ancestor is the parent.
        ("recipes.pasta.fresh", "Fresh pasta", ["recipes"]),
        ("root", "Root", []),
        ("techniques.fermentation", "Fermentation", ["techniques"]),
        ("techniques", "Techniques", []),
    ]
    # The random front-matter id is kept, as an attribute.
    assert glossary.by_id()["recipes.bread"].attributes == {"dendron_id": "b3j9x"}
    assert glossary.counts == {"tags": 0, "other_vault_links": 1}


def test_dendron_links_and_broader_edges() -> None:
    rows = link_rows(loaders.load(DENDRON))
    assert [row for row in rows if row[1] != "broader"] == [
        ("recipes.bread", "wikilink", "techniques.fermentation", "techniques.fermentation", 9),
        ("recipes.bread.rye", "wikilink", "recipes.cake", None, 9),
        # A note reference ![[note]] is a link.
        ("recipes.bread.sourdough", "wikilink", "techniques.fermentation", "techniques.fermentation", 11),
        # [[label|target]]: Dendron writes the label first.
        ("recipes", "wikilink", "recipes.bread", "recipes.bread", 9),
        # dendron://kitchen/... is this vault (dendron.yml names it).
        ("recipes.pasta.fresh", "wikilink", "recipes", "recipes", 9),
        ("root", "wikilink", "recipes", "recipes", 9),
        ("root", "wikilink", "techniques", "techniques", 9),
    ]
    assert sum(1 for row in rows if row[1] == "broader") == 7


def test_dendron_audit_same_title_in_two_places_is_no_duplicate() -> None:
    report = run_audit(LocalStore(loaders.load(DENDRON))).to_json()
    summary = report["summary"]
    assert (summary["concepts"], summary["links"], summary["broader"], summary["broken_links"]) == (11, 6, 7, 1)
    # "2020" under recipes and under journal are two places; the two "Rye bread" under recipes.bread are one.
    assert [(f["title"], f["concepts"]) for f in report["checks"]["duplicate_titles"]] == [
        ("Rye bread", ["recipes.bread.rye", "recipes.bread.rye-old"]),
    ]
    # Children are linked from their parents: only the top notes nothing links to are orphans.
    assert [f["id"] for f in report["checks"]["orphans"]] == ["journal.2020", "root"]
    assert "placeholder" not in report["checks"]["broken_links"][0]
    # `recipes` links to its child `recipes.bread`: navigation between notes, not a SKOS clash.
    assert ("recipes", "recipes.bread", "wikilink", "recipes.bread", 9) in [
        (s, t, k, r, line) for s, k, t, r, line in link_rows(loaders.load(DENDRON))]
    assert report["checks"]["relation_clashes"] == []


def test_dendron_dialect_can_be_turned_off() -> None:
    glossary = loaders.load(DENDRON, dialect="plain")
    assert glossary.dialect == ""
    # As plain notes: the front-matter id is the id, and there is no hierarchy.
    assert [c.id for c in glossary][:3] == ["h8k3z", "g4y6w", "b3j9x"]
    assert not any(c.parents for c in glossary)
    with pytest.raises(loaders.UsageError, match="dialect must be one of auto, dendron, logseq, plain"):
        loaders.load(DENDRON, dialect="roam")


def test_dendron_detected_without_dendron_yml(tmp_path: Path) -> None:
    # Most notes carry Dendron's id/updated/created front matter: a vault, even without its dendron.yml.
    vault = tmp_path / "notes"
    shutil.copytree(DENDRON, vault)
    glossary = loaders.load(vault)
    assert glossary.dialect == "dendron"
    assert LocalStore(glossary).stats().to_json()["broader"] == 7


# --- Logseq -----------------------------------------------------------------------------------


def test_logseq_pages_names_properties_and_definitions() -> None:
    glossary = loaders.load(LOGSEQ)
    assert glossary.dialect == "logseq"
    assert [(c.id, c.title, c.aliases, [p.target for p in c.parents]) for c in glossary] == [
        # Bread%2FRye.md: a percent-escaped slash is a namespace too.
        ("bread-rye", "Bread/Rye", (), ["bread"]),
        ("bread", "Bread", (), []),
        ("fermentation", "Fermentation", ("Ferment", "Culturing"), []),
        ("fermentation-lacto", "Fermentation/Lacto", (), ["fermentation"]),
        # No Fermentation/Wild page: the nearest existing ancestor is the parent.
        ("fermentation-wild-sourdough-starter", "Fermentation/Wild/Sourdough starter", (), ["fermentation"]),
        # The graph writes :triple-lowbar names: a dot is a dot.
        ("knife-care", "Knife.Care", (), []),
        # title:: names the page, whatever its file is called.
        ("yeast", "Yeast", (), []),
    ]
    by_id = glossary.by_id()
    fermentation = by_id["fermentation"]
    # The first block with text is the definition: not the rule, not the block's own properties, not its children.
    assert fermentation.definition == (
        "Microbes turning sugars into acids, gases or alcohol, as in [[Yeast]] breads. #biology"
    )
    assert fermentation.body == (
        "- ---\n\t- Kinds: [[Fermentation/Lacto]] and #[[wild fermentation]].\n- ## Safety\n"
        "\t- Keep the salt right; see [the salt table](((65a1f0c2-2222-4c3b-9d7e-0a1b2c3d4e5f)))."
    )
    # The page id and the properties the model has no field for are attributes; tags are no categories.
    assert fermentation.attributes == {"logseq_id": "65a1f0c2-1111-4c3b-9d7e-0a1b2c3d4e5f", "type": "[[Technique]]"}
    assert fermentation.categories == ()
    # description:: is the definition, through the field mapping; the text keeps its first block.
    assert by_id["yeast"].definition == "Single-celled fungi that ferment sugars into carbon dioxide and alcohol."
    # A page written as plain Markdown (no outline) reads as before.
    assert by_id["bread"].definition == "Flour, water and salt, raised or flat."
    assert [(Path(p.file).name, p.message) for p in glossary.skipped] == [
        ("README.md", "outside the Logseq graph's pages/ folder, not a page"),
        ("2024_01_05.md", "a Logseq journal page, not a concept"),
    ]


def test_logseq_links_of_every_form() -> None:
    glossary = loaders.load(LOGSEQ)
    assert link_rows(glossary) == [
        ("bread-rye", "wikilink", "Fermentation/Wild/Sourdough starter", "fermentation-wild-sourdough-starter", 1),
        ("bread-rye", "broader", "bread", "bread", 1),
        ("fermentation", "tag", "Food science", None, 2),
        ("fermentation", "tag", "microbes", None, 2),
        ("fermentation", "related", "Technique", None, 3),
        ("fermentation", "tag", "biology", None, 8),
        # #[[wild fermentation]] is one tag, not a tag and a wikilink.
        ("fermentation", "tag", "wild fermentation", None, 10),
        ("fermentation", "wikilink", "Yeast", "yeast", 8),
        ("fermentation", "wikilink", "Fermentation/Lacto", "fermentation-lacto", 10),
        ("fermentation-lacto", "wikilink", "Lactobacillus", None, 1),
        ("fermentation-lacto", "broader", "fermentation", "fermentation", 1),
        ("fermentation-wild-sourdough-starter", "tag", "bread", "bread", 1),
        ("fermentation-wild-sourdough-starter", "markdown", "pages/Missing Page", None, 4),
        ("fermentation-wild-sourdough-starter", "broader", "fermentation", "fermentation", 1),
        # [[Jan 5th, 2024]] and ../journals/2024_01_05.md name a journal page that exists: no concept link.
        # No journal is written for Jul 5th: that page is a placeholder.
        ("knife-care", "tag", "Jul 5th, 2024", None, 2),
    ]
    # Point 9: tags and properties are counted in their own forms; links to a block or a journal are no page links.
    assert glossary.link_forms() == {"properties": 1, "wikilinks": 4, "markdown_links": 1, "tags": 6}
    assert glossary.counts == {"tags": 0, "block_links": 1, "journal_links": 2}


def test_logseq_placeholders_in_the_audit() -> None:
    report = run_audit(LocalStore(loaders.load(LOGSEQ))).to_json()
    found = [(f["source"], f["target"], f.get("placeholder", False)) for f in report["checks"]["broken_links"]]
    assert found == [
        ("fermentation", "biology", True),
        ("fermentation", "Food science", True),
        ("fermentation", "microbes", True),
        ("fermentation", "Technique", True),
        ("fermentation", "wild fermentation", True),
        ("fermentation-lacto", "Lactobacillus", True),
        # A Markdown link to a missing file is broken: Logseq makes no page for it.
        ("fermentation-wild-sourdough-starter", "pages/Missing Page", False),
        ("knife-care", "Jul 5th, 2024", True),
    ]
    assert (report["summary"]["broken_links"], report["summary"]["broader"]) == (8, 3)


def test_logseq_load_and_audit_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(LOGSEQ)]) == 0
    out = capsys.readouterr().out
    assert f"loaded 7 concepts from {LOGSEQ} (markdown, logseq)" in out
    assert "links read: 1 properties, 4 wikilinks, 1 markdown links, 6 tags" in out
    assert "not concept links: 1 block, 2 journal\n" in out
    assert main(["audit", str(LOGSEQ), "--format", "json", "--check", "broken_links"]) == 0
    findings = json.loads(capsys.readouterr().out)["checks"]["broken_links"]
    assert sum(1 for f in findings if f.get("placeholder") is True) == 7


def test_logseq_links_to_journal_pages_in_the_graph_s_formats(tmp_path: Path) -> None:
    # A graph that names journal files yyyy-MM-dd and titles them "Friday, 01.03.2024".
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text(
        '{:journal/page-title-format "EEEE, dd.MM.yyyy"\n ;; :journal/page-title-format "yyyy/MM/dd"\n'
        ' :journal/file-name-format "yyyy-MM-dd"}\n', encoding="utf-8")
    (tmp_path / "journals").mkdir()
    (tmp_path / "journals" / "2024-03-01.md").write_text("- Potted the basil.\n", encoding="utf-8")
    (tmp_path / "journals" / "2024-03-04.org").write_text("* Watered.\n", encoding="utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "Basil.md").write_text(
        "sown:: [[Friday, 01.03.2024]]\n\n- A herb for warm sills; watered [[monday, 04.03.2024]],"
        " fed [[Tuesday, 05.03.2024]].\n- Not journal names here: [[Mar 1st, 2024]] #2024-03-01\n",
        encoding="utf-8")
    glossary = loaders.load(tmp_path)
    # The property, and a link to the Org journal (page names ignore case), name pages that exist.
    assert glossary.counts == {"tags": 0, "journal_links": 2}
    assert glossary.by_id()["basil"].attributes == {"sown": "[[Friday, 01.03.2024]]"}
    findings = run_audit(LocalStore(glossary)).to_json()["checks"]["broken_links"]
    # No journal for the 5th; the default title format and the file name are pages of their own.
    assert [(f["target"], f.get("placeholder")) for f in findings] == [
        ("2024-03-01", True), ("Mar 1st, 2024", True), ("Tuesday, 05.03.2024", True),
    ]


def test_logseq_legacy_names_and_slug_collisions() -> None:
    glossary = loaders.load(LEGACY)
    # No config.edn: pages/ beside journals/ make a graph; its names are in the legacy format.
    assert glossary.dialect == "logseq"
    assert [(c.id, c.title, [p.target for p in c.parents]) for c in glossary] == [
        ("kitchen-tools-whisk", "Kitchen/Tools/Whisk", ["kitchen-tools"]),
        ("kitchen-tools", "Kitchen/Tools", ["kitchen"]),
        ("kitchen", "Kitchen", []),
        # Kitchen___Tools.md names the same page as Kitchen.Tools.md: it loads, with a suffix and a warning.
        ("kitchen-tools-2", "Kitchen/Tools", ["kitchen"]),
    ]
    assert [(Path(w.file).name, w.message) for w in glossary.warnings] == [
        ("Kitchen___Tools.md", f"id 'kitchen-tools' is taken by {LEGACY / 'pages' / 'Kitchen.Tools.md'}: "
                               "this note loads as 'kitchen-tools-2'"),
    ]
    report = run_audit(LocalStore(glossary)).to_json()
    assert [f["concepts"] for f in report["checks"]["duplicate_titles"]] == [["kitchen-tools", "kitchen-tools-2"]]


def test_logseq_pages_folder_loaded_alone(tmp_path: Path) -> None:
    # Pointed at pages/ itself: the graph is found above it, every note is a page.
    assert logseq_graph(LOGSEQ / "pages") is not None
    glossary = loaders.load(LOGSEQ / "pages")
    assert (glossary.dialect, len(glossary), glossary.skipped) == ("logseq", 7, [])
    # A plain folder is no graph, unless told.
    (tmp_path / "a.b.md").write_text("- Outline text.\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("Top.\n", encoding="utf-8")
    assert [(c.title, c.parents) for c in loaders.load(tmp_path)] == [("a.b", ()), ("a", ())]
    told = loaders.load(tmp_path, dialect="logseq")
    assert [(c.title, c.definition, [p.target for p in c.parents]) for c in told] == [
        ("a/b", "Outline text.", ["a"]), ("a", "Top.", []),
    ]


def test_outline_definition_passes_over_what_is_not_text() -> None:
    def prose(line: str) -> bool:
        return not line.startswith("|")

    outline = "- {{query (todo now)}}\n- id:: 1\n- | a | b |\n- ![p](p.png)\n- Words at last.\n"
    assert outline_definition(outline, prose) == ("Words at last.", "- {{query (todo now)}}\n- id:: 1\n"
                                                                      "- | a | b |\n- ![p](p.png)")
    assert outline_definition("Intro text.\n- a bullet", prose) is None
    assert outline_definition("- ## Only a heading", prose) is None


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "csv"])
@pytest.mark.parametrize("source", [DENDRON, LOGSEQ], ids=["dendron", "logseq"])
def test_exports_keep_hierarchy_tags_and_attributes(tmp_path: Path, source: Path, fmt: str) -> None:
    glossary = loaders.load(source)
    back = loaders.load(export(glossary, fmt, tmp_path / f"graph.{fmt}"))
    assert back.same_content(glossary)
    assert back.link_forms()["tags"] == glossary.link_forms()["tags"]
    assert LocalStore(back).stats().to_json()["broader"] == LocalStore(glossary).stats().to_json()["broader"] > 0
