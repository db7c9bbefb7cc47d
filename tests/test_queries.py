"""Queries of the local store on a hand-built glossary with known answers."""

from __future__ import annotations

import pytest
from glossaries import refs, small

from graph.errors import AmbiguousReference, ConceptNotFound, UsageError
from graph.local import LocalStore
from graph.model import Concept, Glossary
from graph.protocol import Neighbourhood


@pytest.fixture(scope="module")
def store() -> LocalStore:
    return LocalStore(small())


def ids(hood: Neighbourhood) -> list[tuple[str, int]]:
    return [(n.id, n.distance) for n in hood.nodes]


def edges(hood: Neighbourhood) -> list[tuple[str, str, str]]:
    return [(e.source, e.target, e.type) for e in hood.edges]


def test_resolve_by_id_title_alias(store: LocalStore) -> None:
    assert [store.resolve(r) for r in ("a", "GAMMA", "dee", " delta ")] == ["a", "c", "d", "d"]
    with pytest.raises(ConceptNotFound, match="'Omega'"):
        store.resolve("Omega")


def test_search_ranks_exact_then_prefix_then_fuzzy(store: LocalStore) -> None:
    assert [(h.id, h.matched, h.score) for h in store.search("dee")] == [("d", "dee", 100.0)]
    hits = store.search("gam")
    assert [(h.id, h.score) for h in hits][:1] == [("c", 90.0)]
    fuzzy = store.search("Epsilom")
    assert fuzzy[0].id == "e" and fuzzy[0].score < 80
    assert store.search("   ") == []


def test_search_exact_title_beats_prefix_of_others() -> None:
    store = LocalStore(Glossary([Concept("att", "Attention"), Concept("fa", "Flash Attention"),
                                 Concept("at", "Attention Sink")]))
    assert [(h.id, h.score) for h in store.search("attention")] == [("att", 100.0), ("at", 90.0), ("fa", 80.0)]


def test_search_ranks_a_title_above_an_alias_of_the_same_strength() -> None:
    # "Alpha" sorts before "Prompt": only the title-first rule puts the title match on top.
    store = LocalStore(Glossary([Concept("a", "Alpha", aliases=("Prompt",)), Concept("p", "Prompt"),
                                 Concept("b", "Beta", aliases=("Prompting",)), Concept("q", "Prompting Guide")]))
    assert [(h.id, h.matched, h.score) for h in store.search("prompt")] == [
        ("p", "Prompt", 100.0), ("a", "Prompt", 100.0), ("q", "Prompting Guide", 90.0), ("b", "Prompting", 90.0),
    ]


def test_search_a_short_alias_inside_the_query_is_not_a_strong_match() -> None:
    store = LocalStore(Glossary([Concept("fl", "Federated Learning", aliases=("FL",)),
                                 Concept("fa", "FlashAttention", aliases=("Flash Attention",))]))
    assert [(h.id, h.matched) for h in store.search("flash attn")] == [("fa", "Flash Attention")]


#: The top hit each `glossgraph search` example of the README must give on the sample glossary.
README_SEARCHES = {"flash attn": "flash-attention"}


def test_readme_search_examples_rank_the_intended_concept_first() -> None:
    import re
    from pathlib import Path

    from graph.stores import open_store

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r'glossgraph search data/ai-glossary "([^"]+)"', readme)
    assert examples and set(examples) == set(README_SEARCHES)
    store = open_store(Path(__file__).resolve().parent.parent / "data" / "ai-glossary")
    for query, expected in README_SEARCHES.items():
        hits = store.search(query, 8)
        assert hits[0].id == expected, (query, [(h.id, h.matched, h.score) for h in hits])


def test_concept_links_backlinks_broken(store: LocalStore) -> None:
    view = store.concept("Gamma")
    assert (view.concept.id, view.links, view.backlinks, view.broken) == ("c", ("a",), ("a", "b"), ("Nowhere",))
    assert store.concept("f").links == () and store.concept("f").backlinks == ()
    data = store.concept("dee").to_json()
    assert (data["id"], data["links"], data["backlinks"], data["related"]) == ("d", ["e"], ["a"], ["e"])


def test_neighbourhood_depths(store: LocalStore) -> None:
    one = store.neighbourhood("a")
    assert ids(one) == [("a", 0), ("b", 1), ("c", 1), ("d", 1)]
    assert edges(one) == [("a", "b", "related"), ("a", "c", "related"), ("a", "d", "related"),
                          ("b", "c", "related"), ("c", "a", "related")]
    two = store.neighbourhood("a", depth=2)
    assert ids(two) == [("a", 0), ("b", 1), ("c", 1), ("d", 1), ("e", 2), ("missing:nowhere", 2)]
    assert ("c", "missing:nowhere", "related") in edges(two) and ("d", "e", "related") in edges(two)
    three = store.neighbourhood("e", depth=3)
    assert ids(three) == [("e", 0), ("d", 1), ("a", 2), ("b", 3), ("c", 3)]
    assert not three.truncated and three.total == 5


def test_neighbourhood_direction_and_edge_types(store: LocalStore) -> None:
    assert ids(store.neighbourhood("a", direction="out")) == [("a", 0), ("b", 1), ("c", 1), ("d", 1)]
    assert ids(store.neighbourhood("a", direction="in")) == [("a", 0), ("c", 1)]
    by_category = store.neighbourhood("b", depth=2, edge_types=["category"])
    assert ids(by_category) == [("b", 0), ("category:greek", 1), ("a", 2), ("c", 2), ("g", 2)]
    with_alias = store.neighbourhood("d", edge_types=["alias", "related"], direction="both")
    assert ids(with_alias) == [("d", 0), ("a", 1), ("alias:dee", 1), ("e", 1)]
    kinds = {n.id: n.kind for n in with_alias.nodes}
    assert kinds["alias:dee"] == "alias" and kinds["a"] == "concept"


def test_neighbourhood_limit_truncates_closest_first(store: LocalStore) -> None:
    hood = store.neighbourhood("a", depth=2, limit=3)
    assert ids(hood) == [("a", 0), ("b", 1), ("c", 1)]
    assert hood.truncated and hood.total == 6
    assert edges(hood) == [("a", "b", "related"), ("a", "c", "related"), ("b", "c", "related"), ("c", "a", "related")]


def test_paths_shortest_first_with_hops(store: LocalStore) -> None:
    found = store.paths("b", "e")
    assert [p.concepts for p in found] == [("b", "a", "d", "e"), ("b", "c", "a", "d", "e")]
    first = found[0]
    assert [(h.source, h.target, h.type, h.forward) for h in first.hops] == [
        ("b", "a", "related", False), ("a", "d", "related", True), ("d", "e", "related", True)]
    assert first.to_json()["length"] == 3


def test_paths_direction_out_avoid_and_max_length(store: LocalStore) -> None:
    assert [p.concepts for p in store.paths("b", "e", direction="out")] == [("b", "c", "a", "d", "e")]
    assert store.paths("e", "b", direction="out") == []
    assert store.paths("b", "e", avoid=["Alpha"]) == []
    assert [p.concepts for p in store.paths("b", "e", max_length=3)] == [("b", "a", "d", "e")]
    assert [p.concepts for p in store.paths("b", "e", k=1)] == [("b", "a", "d", "e")]


def test_paths_ties_in_id_order_and_k() -> None:
    # Two equally short routes from s to t; the one through the smaller id comes first.
    glossary = Glossary([Concept("s", "S", related=refs("y", "x")), Concept("x", "X", related=refs("t")),
                         Concept("y", "Y", related=refs("t")), Concept("t", "T")])
    store = LocalStore(glossary)
    assert [p.concepts for p in store.paths("s", "t")] == [("s", "x", "t"), ("s", "y", "t")]
    assert [p.concepts for p in store.paths("s", "t", k=1)] == [("s", "x", "t")]


def test_paths_through_categories(store: LocalStore) -> None:
    found = store.paths("b", "g", edge_types=["category"], k=2)
    assert [p.concepts for p in found] == [("b", "category:greek", "g")]
    assert [(h.type, h.forward) for h in found[0].hops] == [("category", True), ("category", False)]


def test_paths_bad_requests(store: LocalStore) -> None:
    with pytest.raises(UsageError, match="same concept"):
        store.paths("a", "Alpha")
    with pytest.raises(UsageError, match="avoid"):
        store.paths("a", "b", avoid=["b"])
    with pytest.raises(UsageError, match="edge type"):
        store.paths("a", "b", edge_types=["friend"])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="direction"):
        store.neighbourhood("a", direction="sideways")  # type: ignore[arg-type]


def test_ambiguous_alias_is_refused_for_lookups() -> None:
    store = LocalStore(Glossary([Concept("x", "X", aliases=("SD",)), Concept("y", "Y", aliases=("sd",))]))
    with pytest.raises(AmbiguousReference, match="x, y"):
        store.resolve("SD")


def test_stats(store: LocalStore) -> None:
    assert store.stats().to_json() == {
        "concepts": 7, "links": 6, "broader": 0, "aliases": 2, "categories": 2, "broken_links": 1,
        "ambiguous_links": 0, "missing_targets": 1, "self_links": 1, "references": 8,
    }
