"""SKOS: the same small thesaurus in Turtle and RDF/XML loads into the same, exactly known glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from graph.errors import LoadError
from graph.model import Concept, Glossary, Reference, Source

SKOS_DIR = Path(__file__).parent / "data" / "skos"


def refs(*targets: str) -> tuple[Reference, ...]:
    return tuple(Reference(t) for t in targets)


EXPECTED = Glossary(
    [
        Concept("artificial-intelligence", "Artificial Intelligence",
                "Building machines that carry out tasks we associate with thinking.",
                aliases=("AI",), categories=("Artificial Intelligence",)),
        Concept("expert-system", "Expert System", "Hand-written if-then rules standing in for a specialist.",
                categories=("Artificial Intelligence",), parents=refs("artificial-intelligence"), deprecated=True),
        Concept("language-technology", "Language Technology",
                "Software that reads, writes or translates human language.",
                categories=("Language Technology",), parents=refs("artificial-intelligence")),
        Concept("large-language-model", "Large Language Model",
                "A transformer trained on very large amounts of text to predict the next token.",
                aliases=("LLM", "LLMs"), categories=("Language Technology",),
                related=refs("transformer"), parents=refs("language-technology", "neural-network")),
        Concept("machine-learning", "Machine Learning", "Programs that improve at a task by learning from examples.",
                aliases=("ML",), categories=("Machine Learning",), parents=refs("artificial-intelligence")),
        Concept("neural-network", "Neural Network",
                "Layers of weighted sums and non-linear functions, trained end to end.",
                body="Used here for artificial networks only.", categories=("Machine Learning",),
                parents=refs("machine-learning")),
        Concept("tokenizer", "Tokenizer",
                'Splits text into the units a model reads; "quoted" words, commas, semicolons; all kept.',
                categories=("Language Technology",), parents=refs("language-technology")),
        Concept("transformer", "Transformer", "A network that mixes tokens with attention instead of recurrence.",
                body="Encoder-decoder models for translation; decoder-only chat models.",
                aliases=("Transformer model", "Transfomer"), categories=("Machine Learning",),
                sources=(Source("https://example.org/papers/attention", "https://example.org/papers/attention"),),
                related=refs("attention", "large-language-model"), parents=refs("neural-network")),
    ],
    category_parents={"Language Technology": ("Artificial Intelligence",),
                      "Machine Learning": ("Artificial Intelligence",)},
)


@pytest.mark.parametrize("name", ["thesaurus.ttl", "thesaurus.rdf"])
def test_skos_loads_exactly(name: str) -> None:
    glossary = loaders.load(SKOS_DIR / name)
    assert glossary.format == "skos"
    # Translations are pinned apart (test_translations_of_the_other_language).
    assert [c.with_(translations=()) for c in glossary.concepts] == EXPECTED.concepts
    assert glossary.category_parents == EXPECTED.category_parents


def test_both_syntaxes_give_the_same_glossary() -> None:
    assert loaders.load(SKOS_DIR / "thesaurus.ttl").same_content(loaders.load(SKOS_DIR / "thesaurus.rdf"))


def test_rdf_xml_with_an_xml_ending_is_detected(tmp_path: Path) -> None:
    copy = tmp_path / "thesaurus.xml"
    copy.write_bytes((SKOS_DIR / "thesaurus.rdf").read_bytes())
    assert loaders.detect_format(copy) == "skos"
    assert [c.with_(translations=()) for c in loaders.load(copy).concepts] == EXPECTED.concepts


@pytest.mark.parametrize("name", ["thesaurus.ttl", "thesaurus.rdf"])
def test_translations_of_the_other_language(name: str) -> None:
    by_id = loaders.load(SKOS_DIR / name).by_id()
    assert {i: [(t.lang, t.title) for t in c.translations] for i, c in by_id.items() if c.translations} == {
        "artificial-intelligence": [("nl", "Kunstmatige intelligentie")],
        "large-language-model": [("nl", "Groot taalmodel")],
        "machine-learning": [("nl", "Machinaal leren")],
        "neural-network": [("nl", "Neuraal netwerk")],
        "transformer": [("nl", "transformermodel")],
    }
    assert all(not c.translations for c in loaders.load(SKOS_DIR / name, lang=None).concepts)


@pytest.mark.parametrize("name", ["thesaurus.ttl", "thesaurus.rdf"])
def test_language_choice(name: str) -> None:
    dutch = loaders.load(SKOS_DIR / name, lang="nl").by_id()
    # Dutch labels where there are some; untagged labels count for every language; English as the last resort.
    assert dutch["large-language-model"].title == "Groot taalmodel"
    assert dutch["large-language-model"].aliases == ("LLMs",)
    assert dutch["transformer"].aliases == ("transformermodel", "Transfomer")
    assert dutch["tokenizer"].title == "Tokenizer"
    assert dutch["neural-network"].categories == ("Machinaal leren",)
    every = loaders.load(SKOS_DIR / name, lang=None).by_id()
    assert every["large-language-model"].aliases == ("LLM", "LLMs")
    assert every["neural-network"].title == "Neuraal netwerk"  # any language: the first label in sorted order
    british = loaders.load(SKOS_DIR / name, lang="en-GB").by_id()
    assert british["neural-network"].title == "Neural Network"


def test_broken_turtle_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    lines = (SKOS_DIR / "thesaurus.ttl").read_text(encoding="utf-8").splitlines()
    lines.insert(20, 'ex:Broken skos:prefLabel "one" "two" .')
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(LoadError) as error:
        loaders.load(bad)
    assert error.value.file == str(bad) and error.value.line == 21
    assert "invalid turtle RDF" in str(error.value)


def test_broken_rdf_xml_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rdf"
    text = (SKOS_DIR / "thesaurus.rdf").read_text(encoding="utf-8")
    broken = text.replace('</skos:prefLabel>\n    <skos:altLabel xml:lang="en">AI', "\n    <skos:altLabel>AI", 1)
    bad.write_text(broken, encoding="utf-8")
    with pytest.raises(LoadError) as error:
        loaders.load(bad)
    assert error.value.file == str(bad) and error.value.line == 14
    assert "invalid xml RDF" in str(error.value)


def test_clashing_ids_are_refused(tmp_path: Path) -> None:
    clash = tmp_path / "clash.ttl"
    clash.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<http://a.example/x/Model> a skos:Concept ; skos:prefLabel \"Model A\" .\n"
        "<http://b.example/y/model> a skos:Concept ; skos:prefLabel \"Model B\" .\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match=r"both get the id 'model'"):
        loaders.load(clash)


def test_a_file_without_concepts_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"no concepts found \(skos\)"):
        loaders.load(empty)


def test_lang_option_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from graph.cli import main

    code = main(["show", str(SKOS_DIR / "thesaurus.ttl"), "large-language-model", "--lang", "nl", "--format", "json"])
    shown = json.loads(capsys.readouterr().out)
    assert code == 0 and (shown["title"], shown["aliases"]) == ("Groot taalmodel", ["LLMs"])
