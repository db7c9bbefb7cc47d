"""Thesauri split over several RDF files, and glossaries with a block per language (issue 16, points 2 and 3)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import loaders
from graph.errors import LoadError, UsageError
from graph.exports import export
from graph.local import LocalStore
from graph.model import Source, Translation
from graph.resolve import resolve_links

DATA = Path(__file__).parent / "data"
SPLIT = DATA / "skos_split"
YAML = DATA / "multilingual" / "statistics.yaml"


def test_a_folder_of_rdf_files_is_skos_and_merged_into_one_graph() -> None:
    assert loaders.detect_format(SPLIT) == "skos"
    glossary = loaders.load(SPLIT)
    by_id = glossary.by_id()
    assert sorted(by_id) == ["mean", "median", "standard-deviation", "variance"]
    # Titles come from labels.rdf, definitions from definitions.ttl, links from structure.ttl.
    assert by_id["mean"].title == "Mean"
    assert by_id["mean"].aliases == ("Average",)
    assert by_id["mean"].definition == "The sum of the values divided by how many there are."
    assert [r.target for r in by_id["variance"].related] == ["mean"]
    assert all(str(c.origin).endswith("structure.ttl") for c in glossary.concepts)
    assert [k.written for k in resolve_links(glossary) if k.target is None] == []
    assert sum(len(c.related) for c in glossary.concepts) == 4


def test_match_links_leave_the_thesaurus_as_sources() -> None:
    by_id = loaders.load(SPLIT).by_id()
    assert by_id["mean"].sources == (Source("http://vocab.example.net/measures/arithmetic-mean",
                                            "http://vocab.example.net/measures/arithmetic-mean"),)
    assert [s.url for s in by_id["standard-deviation"].sources] == [
        "http://other.example.com/terms#sample-sd", "http://other.example.com/terms#sd"]
    assert [s.url for s in by_id["variance"].sources] == ["http://vocab.example.net/measures/dispersion"]
    # closeMatch to a concept of the same thesaurus is a related link, not repeated when already related.
    assert [r.target for r in by_id["mean"].related] == ["median"]


def test_xml_base_resolves_relative_uris(tmp_path: Path) -> None:
    (tmp_path / "based.rdf").write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:skos="http://www.w3.org/2004/02/skos/core#" xml:base="http://example.org/voc/">\n'
        '  <skos:Concept rdf:about="#Alpha"><skos:prefLabel xml:lang="en">Alpha</skos:prefLabel>'
        '<skos:related rdf:resource="#Beta"/></skos:Concept>\n'
        '  <skos:Concept rdf:about="#Beta"><skos:prefLabel xml:lang="en">Beta</skos:prefLabel></skos:Concept>\n'
        "</rdf:RDF>\n", encoding="utf-8")
    glossary = loaders.load(tmp_path / "based.rdf")
    assert [(c.id, c.title) for c in glossary.concepts] == [("alpha", "Alpha"), ("beta", "Beta")]
    assert [k.written for k in resolve_links(glossary) if k.target is None] == []


def test_labels_per_language_and_translations_in_a_split_thesaurus() -> None:
    english = loaders.load(SPLIT).by_id()
    assert Counter(t.lang for c in english.values() for t in c.translations) == {"de": 4}
    assert english["mean"].translations == (
        Translation("de", "Mittelwert", "Die Summe der Werte geteilt durch ihre Anzahl.", ("Durchschnitt",)),)
    german = loaders.load(SPLIT, lang="de").by_id()
    assert [german[i].title for i in sorted(german)] == ["Mittelwert", "Zentralwert", "Standardabweichung", "Varianz"]
    assert german["mean"].translations == (
        Translation("en", "Mean", "The sum of the values divided by how many there are.", ("Average",)),)
    assert german["median"].definition == "The middle value once the values are sorted."  # no German one


def test_a_bad_file_in_the_folder_is_named_with_its_line(tmp_path: Path) -> None:
    for file in SPLIT.iterdir():
        (tmp_path / file.name).write_bytes(file.read_bytes())
    (tmp_path / "broken.ttl").write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n<a> skos:x\n",
                                         encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        loaders.load(tmp_path)
    problem = caught.value.problems[0]
    assert Path(problem.file).name == "broken.ttl"
    assert isinstance(problem.line, int)
    assert "invalid turtle RDF" in problem.message


def test_a_multilingual_yaml_glossary_reads_the_chosen_language() -> None:
    glossary = loaders.load(YAML)
    by_id = glossary.by_id()
    assert len(glossary.concepts) == 5
    assert [by_id[i].title for i in ("mean", "median", "mode")] == ["Mean", "Median", "Mode"]
    assert by_id["mean"].aliases == ("Average",)
    kinds = Counter(r.kind for c in glossary.concepts for r in c.related)
    assert kinds == {"related": 3, "markdown": 6}
    assert [k.written for k in resolve_links(glossary) if k.target is None] == []
    translations = Counter(t.lang for c in glossary.concepts for t in c.translations)
    assert translations == {"de": 3, "fr": 1}
    assert by_id["mode"].translations == (Translation("fr", "Mode statistique", "La valeur la plus fréquente."),)


def test_lang_picks_another_block_and_keeps_english_as_a_translation() -> None:
    by_id = loaders.load(YAML, lang="de").by_id()
    assert by_id["mean"].title == "Mittelwert"
    assert by_id["mean"].aliases == ("Durchschnitt",)
    assert by_id["mean"].translations[0].title == "Mean"
    # An entry without a German block falls back to the first language it has.
    assert by_id["standard-deviation"].title == "Standard Deviation"
    assert Counter(t.lang for c in by_id.values() for t in c.translations) == {"en": 3, "fr": 1}


def test_the_field_mapping_takes_a_lang_placeholder(tmp_path: Path) -> None:
    glossary = loaders.load(YAML, fields={"title": "{lang}.term"}, lang="de")
    assert [c.title for c in glossary.concepts][:3] == ["Mittelwert", "Zentralwert", "Varianz"]
    with pytest.raises(UsageError, match=r"\{lang\}"):
        loaders.load(YAML, fields={"title": "{lang}.term"})


def test_a_translation_title_finds_the_concept_below_a_title_match() -> None:
    store = LocalStore(loaders.load(YAML))
    hits = store.search("Mittelwert")
    assert hits[0].id == "mean"
    assert hits[0].matched == "Mittelwert"
    titles = LocalStore(loaders.load(YAML, lang="de")).search("Mittelwert")
    assert titles[0].id == "mean" and titles[0].score == 100.0
    assert hits[0].score < 100.0


@pytest.mark.parametrize(("fmt", "name"), [("json", "g.json"), ("graphml", "g.graphml"), ("gexf", "g.gexf"),
                                           ("csv", "g-csv")])
def test_translations_survive_the_export_round_trip(fmt: str, name: str, tmp_path: Path) -> None:
    glossary = loaders.load(YAML)
    path = export(glossary, fmt, tmp_path / name)
    again = loaders.load(path).by_id()
    assert {i: c.translations for i, c in again.items()} == {c.id: c.translations for c in glossary.concepts}
    assert sum(len(c.translations) for c in again.values()) == 4


def test_a_bad_translations_field_in_an_export_is_named(tmp_path: Path) -> None:
    path = export(loaders.load(YAML), "json", tmp_path / "g.json")
    path.write_text(path.read_text(encoding="utf-8").replace('"lang":"de"', '"lang":7').replace(
        '"lang": "de"', '"lang": 7'), encoding="utf-8")
    with pytest.raises(LoadError, match="translations must be a list of objects"):
        loaders.load(path)


def test_lang_on_the_command_line_for_load_show_and_diff(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from graph.cli import main

    assert main(["show", str(YAML), "mean", "--lang", "de", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["title"], shown["translations"][0]["title"]) == ("Mittelwert", "Mean")
    assert main(["load", str(SPLIT), "--lang", "de", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["concepts"] == 4
    assert main(["diff", str(YAML), str(YAML), "--lang", "de", "--no-audit"]) == 0
    assert "no changes" in capsys.readouterr().out
