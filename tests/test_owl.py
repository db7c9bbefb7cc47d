"""OWL ontologies (RDF/XML, Turtle) and OBO Graph JSON: the same mapping as OBO files."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from graph.local import LocalStore
from graph.model import Reference, Source
from loaders import detect_format

DATA = Path(__file__).resolve().parent / "data" / "owl"


@pytest.mark.parametrize(("name", "fmt"), [("mini.owl", "owl"), ("mini.ttl", "owl"), ("mini.json", "obograph")])
def test_ontologies_are_detected_by_content(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt


def test_a_skos_turtle_file_is_still_skos() -> None:
    assert detect_format(Path(__file__).resolve().parent / "data" / "skos" / "hierarchy.ttl") == "skos"


@pytest.mark.parametrize("name", ["mini.owl", "mini.json"])
def test_owl_and_obo_graph_give_the_same_ontology(name: str) -> None:
    glossary = loaders.load(DATA / name)
    by_id = {c.id: c for c in glossary.concepts}
    assert sorted(by_id) == ["MINI:0000001", "MINI:0000002", "MINI:0000003", "MINI:0000004"]
    method, supervised, loss, obsolete = (by_id[f"MINI:000000{n}"] for n in range(1, 5))
    assert (method.title, method.definition) == ("learning method", "A way for a program to improve from examples.")
    assert supervised.aliases[0] == "learning with labels"
    # An xref that is a URL links; a database cross-reference is named only.
    assert set(supervised.sources) == {
        Source("WIKI:Supervised"), Source("https://example.org/supervised", "https://example.org/supervised")
    }
    assert supervised.parents == (Reference("MINI:0000001"),)
    assert loss.related == (Reference("MINI:0000002", relation="part of"),)
    assert loss.parents == (Reference("UPPER:0000009"),)
    assert obsolete.deprecated and obsolete.replaced_by == "MINI:0000002"
    assert not method.deprecated and method.parents == ()


def test_owl_reads_languages_subsets_comments_and_leaves_anonymous_classes_out() -> None:
    glossary = loaders.load(DATA / "mini.owl")
    by_id = {c.id: c for c in glossary.concepts}
    assert len(glossary.concepts) == 4  # the anonymous union class is not a concept
    assert by_id["MINI:0000001"].categories == ("Core terms",)
    assert by_id["MINI:0000002"].aliases == ("learning with labels", "teacher-led learning")
    assert by_id["MINI:0000003"].definition == "What a training run tries to make small."
    dutch = loaders.load(DATA / "mini.owl", lang="nl")
    assert {c.id: c.title for c in dutch.concepts}["MINI:0000001"] == "leermethode"


def test_owl_turtle_without_obo_ids_uses_local_names() -> None:
    glossary = loaders.load(DATA / "mini.ttl")
    by_id = {c.id: c for c in glossary.concepts}
    assert sorted(by_id) == ["convolutional-network", "neural-network", "old-net", "perceptron", "recurrent-network"]
    assert by_id["convolutional-network"].aliases == ("CNN",)
    assert by_id["convolutional-network"].parents == (Reference("neural-network"),)
    assert by_id["neural-network"].definition == "Layers of weighted sums and non-linear steps."
    # The OBO-in-OWL spellings older conversions use (EDAM writes its definitions this way).
    assert by_id["perceptron"].definition == "One layer of weighted sums and a threshold."
    assert by_id["old-net"].deprecated and by_id["old-net"].replaced_by == "perceptron"


def test_an_ontology_becomes_a_hierarchy_in_the_store() -> None:
    store = LocalStore(loaders.load(DATA / "mini.owl"))
    stats = store.stats()
    # supervised → method and loss → UPPER (missing): one resolved broader link, one broken parent.
    assert stats.broader == 1
    assert stats.links == 1 and stats.broken_links == 1
    assert [n.id for n in store.neighbourhood("MINI:0000001", 1, ("broader",)).nodes] == [
        "MINI:0000001", "MINI:0000002"
    ]


def test_obo_graph_json_is_read_with_the_shared_json_guards(tmp_path: Path) -> None:
    from graph.errors import LoadError

    surrogate = tmp_path / "g.json"
    surrogate.write_text('{"graphs": [{"nodes": [\n{"id": "x", "lbl": "\\ud800"}]}]}', encoding="utf-8")
    with pytest.raises(LoadError, match="lone surrogate") as caught:
        loaders.load(surrogate)
    assert caught.value.line == 2
    deep = tmp_path / "deep.json"
    deep.write_text('{"graphs": ' + "[" * 100_000, encoding="utf-8")
    with pytest.raises(LoadError, match="nested too deeply"):
        loaders.load(deep)
