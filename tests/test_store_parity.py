"""One query-and-audit suite over both stores: the Neo4j store answers exactly as the local store.

Each glossary is loaded once into the local store and once into its own Neo4j dataset (a unique
name, so other tests on the same server are not disturbed); every query is asked of both and the
answers (or the errors) must be equal. The known answers on small() are checked on both stores.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from itertools import combinations, permutations
from pathlib import Path
from typing import Any

import pytest
from glossaries import hierarchy, lattice, relations, small, tangled

import loaders
from graph.audit import CHECKS, run_audit
from graph.errors import GlossgraphError
from graph.local import LocalStore
from graph.model import Concept, Glossary
from graph.neo4j import Neo4jStore
from graph.neo4j.cypher import AUDIT_CHECKS
from graph.neo4j.store import SERVER_CHECKS
from graph.protocol import GraphStore

pytestmark = pytest.mark.neo4j

EDGE_TYPE_SETS = [
    *(list(c) for n in (1, 2, 3) for c in combinations(("alias", "category", "related"), n)),
    ["broader"], ["broader", "related"], ["alias", "broader", "category", "related"],
]
DIRECTIONS = ("both", "out", "in")


def _sample() -> Glossary:
    return loaders.load("data/ai-glossary")


def _skos_hierarchy() -> Glossary:
    return loaders.load("tests/data/skos/hierarchy.ttl")


def _obo() -> Glossary:
    return loaders.load("tests/data/obo/mini.obo")


def _dendron() -> Glossary:
    return loaders.load(Path(__file__).parent / "data" / "dialects" / "dendron-vault" / "notes")


def _logseq() -> Glossary:
    return loaders.load(Path(__file__).parent / "data" / "dialects" / "logseq-graph")


def _multilingual() -> Glossary:
    return loaders.load(Path(__file__).parent / "data" / "multilingual" / "statistics.yaml")


def _blanks() -> Glossary:
    """Categories and definitions of whitespace Python strips and Cypher's trim keeps (no-break spaces, NEL)."""
    return Glossary([
        Concept("nbsp", "No-break space", "\u00a0", categories=("\u00a0",)),
        Concept("figure", "Figure space", "Defined.", categories=("\u2007", " \u202f")),
        Concept("nel", "Next line", "\x85\u202f", categories=("Real",)),
        Concept("mixed", "Mixed", "Defined.", categories=("\u00a0", "Kept")),
        Concept("plain", "Plain", " ", categories=(" ",)),
    ], source="tests/test_store_parity.py:blanks", format="python")


GLOSSARIES: dict[str, Callable[[], Glossary]] = {
    "blanks": _blanks,
    "small": small,
    "multilingual": _multilingual,
    "tangled": tangled,
    "lattice": lattice,
    "sample": _sample,
    "hierarchy": hierarchy,
    "skos_hierarchy": _skos_hierarchy,
    "obo": _obo,
    "dendron": _dendron,
    "logseq": _logseq,
    "relations": relations,
}


def connect(server: Any, dataset: str) -> Neo4jStore:
    """A Neo4j store on the test server."""
    return Neo4jStore.connect(server.uri, dataset, user=server.user, password=server.password,
                              database=server.database)


@pytest.fixture(scope="module", params=list(GLOSSARIES))
def pair(request: pytest.FixtureRequest, neo4j_server: Any) -> Iterator[tuple[LocalStore, Neo4jStore]]:
    """(local store, Neo4j store) over the same glossary."""
    glossary = GLOSSARIES[request.param]()
    store = connect(neo4j_server, f"parity-{request.param}-{uuid.uuid4().hex[:10]}")
    store.load(glossary)
    # A second handle, as a fresh CLI process would have: nothing cached from the load.
    fresh = connect(neo4j_server, store.dataset)
    try:
        yield LocalStore(glossary), fresh
    finally:
        fresh.close()
        store.drop()
        store.close()


def answer(store: GraphStore, method: str, *args: Any, **kwargs: Any) -> Any:
    """What a query returns, or the error it raises (type and message), so errors compare too."""
    try:
        return getattr(store, method)(*args, **kwargs)
    except GlossgraphError as error:
        return (type(error).__name__, str(error))


def same(pair: tuple[LocalStore, Neo4jStore], method: str, *args: Any, **kwargs: Any) -> Any:
    """Ask both stores; assert the answers are equal and return the local one."""
    local, neo = pair
    expected = answer(local, method, *args, **kwargs)
    got = answer(neo, method, *args, **kwargs)
    assert got == expected, f"{method}{args}{kwargs}"
    return expected


def ids(pair: tuple[LocalStore, Neo4jStore]) -> list[str]:
    return [c.id for c in pair[0].glossary().concepts]


def centres(pair: tuple[LocalStore, Neo4jStore], count: int) -> list[str]:
    """The concepts with the most related edges (the interesting centres), ties by id."""
    graph = pair[0].graph
    return sorted(ids(pair), key=lambda c: (-graph.degree(c), c))[:count]


def test_glossary_links_and_stats(pair: tuple[LocalStore, Neo4jStore]) -> None:
    local, neo = pair
    assert neo.glossary() == local.glossary()
    assert neo.glossary().category_parents == local.glossary().category_parents
    assert [c.origin for c in neo.glossary()] == [c.origin for c in local.glossary()]
    assert [c.path for c in neo.glossary()] == [c.path for c in local.glossary()]
    assert neo.links() == local.links()
    assert neo.stats() == local.stats()


def test_search(pair: tuple[LocalStore, Neo4jStore]) -> None:
    titles = [c.title for c in pair[0].glossary().concepts]
    queries = [*titles[:5], titles[-1].lower(), "rag", "trans", "lerning rate", "attention", "node 1", "shared",
               "e", "zzzz", "   ", "gama", "Mittelwert", "zentral", "Durchschnitt"]
    for query in queries:
        for limit in (3, 20):
            same(pair, "search", query, limit)


def test_lean_reads_and_what_is_computed_from_them(pair: tuple[LocalStore, Neo4jStore], neo4j_server: Any) -> None:
    from graph.overview import overview
    from graph.render import concept_degrees

    local, neo = pair
    fresh = connect(neo4j_server, neo.dataset)  # nothing pulled yet
    try:
        labels = same((local, fresh), "labels")
        assert [label.id for label in labels] == ids(pair)
        pairs = same((local, fresh), "link_pairs")
        assert len(pairs) == local.stats().links  # one pair per resolved related link between two concepts
        assert len(same((local, fresh), "link_pairs", "broader")) == local.stats().broader
        assert same((local, fresh), "link_pairs", "alias")[0] == "UsageError"
        wanted = [*reversed(ids(pair)[:4]), "no-such-concept", *ids(pair)[-2:]]
        assert [c.id for c in same((local, fresh), "concepts", wanted)] == [i for i in wanted if i != "no-such-concept"]
        assert same((local, fresh), "concepts", []) == []
        assert concept_degrees(fresh) == concept_degrees(local)
        assert overview(fresh) == overview(local)
        assert "_whole" not in fresh.__dict__  # the pickers' labels and the figures never pulled the glossary
    finally:
        fresh.close()


def test_resolve_and_concept_views(pair: tuple[LocalStore, Neo4jStore]) -> None:
    local = pair[0]
    for concept in local.glossary().concepts:
        same(pair, "resolve", concept.id)
        same(pair, "concept", concept.id)
        same(pair, "resolve", concept.title)
        for alias in concept.aliases:
            same(pair, "resolve", alias)
        if concept.path:
            same(pair, "resolve", concept.path)
    for reference in ("Shared", "Elder", "deep", "no such concept", "", " GAMMA "):
        same(pair, "resolve", reference)
        same(pair, "concept", reference)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_neighbourhoods(pair: tuple[LocalStore, Neo4jStore], depth: int) -> None:
    for centre in centres(pair, 3):
        for edge_types in EDGE_TYPE_SETS:
            for direction in DIRECTIONS:
                hood = same(pair, "neighbourhood", centre, depth, edge_types, direction)
                if hood.total > 4:
                    same(pair, "neighbourhood", centre, depth, edge_types, direction, 4)


def test_neighbourhood_edge_cases(pair: tuple[LocalStore, Neo4jStore]) -> None:
    centre = centres(pair, 1)[0]
    same(pair, "neighbourhood", centre, 0)
    same(pair, "neighbourhood", centre, 6, ["related", "category"], "both", 1)
    same(pair, "neighbourhood", centre, 7)
    same(pair, "neighbourhood", centre, 1, ["related"], "both", 0)
    same(pair, "neighbourhood", centre, 1, ["links"])
    same(pair, "neighbourhood", centre, 1, ["related"], "sideways")
    same(pair, "neighbourhood", "no such concept")


def _pairs(pair: tuple[LocalStore, Neo4jStore], count: int) -> list[tuple[str, str]]:
    every = list(permutations(ids(pair), 2))
    step = max(1, len(every) // count)
    return every[::step][:count]


#: (k, max_length, edge types, direction): the variations every pair is asked with.
PATH_CASES = [
    (3, 6, ["related"], "both"),
    (1, 6, ["related"], "out"),
    (5, 4, ["related"], "in"),
    (4, 6, ["alias", "category", "related"], "both"),
    (2, 5, ["category", "related"], "out"),
    (6, 3, ["alias", "related"], "both"),
    (3, 6, ["broader"], "both"),
    (2, 5, ["broader", "related"], "in"),
    (4, 6, ["alias", "broader", "category", "related"], "out"),
]


def test_paths(pair: tuple[LocalStore, Neo4jStore]) -> None:
    local = pair[0]
    for source, target in _pairs(pair, 25):
        for k, max_length, edge_types, direction in PATH_CASES:
            found = same(pair, "paths", source, target, k, max_length, edge_types, direction)
            if isinstance(found, list) and found and found[0].length > 1:
                # Avoiding a concept of the best path forces a different answer.
                avoid = [found[0].concepts[1]]
                if not avoid[0].startswith(("alias:", "category:")):
                    same(pair, "paths", source, target, k, max_length, edge_types, direction, avoid)
    first, last = ids(pair)[0], ids(pair)[-1]
    for bad in ((first, first), (first, last, 0), (first, last, 3, 13), (first, last, 3, 6, ["x"]),
                (first, last, 3, 6, None, "up"), (first, last, 3, 6, None, "both", [first]),
                ("no such concept", last)):
        same(pair, "paths", *bad)
    assert local.backend == "local" and pair[1].backend == "neo4j"


def test_audit(pair: tuple[LocalStore, Neo4jStore]) -> None:
    local, neo = pair
    report = run_audit(neo).to_json()
    assert report == run_audit(local).to_json()
    # A glossary loaded from files keeps its findings' locations in Neo4j (the built ones have none).
    located = all("file" in f and "line" in f for findings in report["checks"].values() for f in findings)
    assert located == Path(local.glossary().source).exists()



@pytest.mark.parametrize("check", sorted(AUDIT_CHECKS))
def test_every_check_answered_in_cypher_matches_the_library(pair: tuple[LocalStore, Neo4jStore], check: str) -> None:
    local, neo = pair
    library = run_audit(local, checks=[check]).to_json()["checks"][check]
    answered = neo.audit_in_cypher(check)
    # The store answers the check; locations are added after, in one place for every store.
    unlocated = [{k: v for k, v in f.items() if k not in ("file", "line", "allowed")} for f in library]
    assert answered == unlocated


def test_the_audit_asks_the_store_only_for_the_checks_measured_faster_there(
    pair: tuple[LocalStore, Neo4jStore],
) -> None:
    _local, neo = pair
    assert set(AUDIT_CHECKS) >= SERVER_CHECKS
    for check in CHECKS:
        assert neo.audit_check(check) == (neo.audit_in_cypher(check) if check in SERVER_CHECKS else None), check
    assert neo.audit_in_cypher("unlinked_mentions") is None  # text matching has no query


def test_the_fixtures_give_every_cypher_check_findings() -> None:
    # The comparison above holds each query's answer equal to the library's on every fixture, so the
    # library's findings over the same fixtures tell whether each query met real findings.
    found = {check: 0 for check in AUDIT_CHECKS}
    for build in GLOSSARIES.values():
        checks = run_audit(LocalStore(build()), checks=sorted(AUDIT_CHECKS)).to_json()["checks"]
        for check in AUDIT_CHECKS:
            found[check] += len(checks[check])
    assert {check for check, count in found.items() if not count} == set()


def _either_store(which: str, server: Any, glossary: Glossary, name: str) -> Iterator[GraphStore]:
    """The glossary in the local store, or loaded into a Neo4j dataset of its own that is dropped after."""
    if which == "local":
        yield LocalStore(glossary)
        return
    store = connect(server, f"parity-{name}-{uuid.uuid4().hex[:10]}")
    store.load(glossary)
    try:
        yield store
    finally:
        store.drop()
        store.close()


@pytest.fixture(scope="module", params=["local", "neo4j"])
def small_store(request: pytest.FixtureRequest, neo4j_server: Any) -> Iterator[GraphStore]:
    """small() in either store, for the known answers."""
    yield from _either_store(request.param, neo4j_server, small(), "known")


def test_known_answers_on_both_stores(small_store: GraphStore) -> None:
    hood = small_store.neighbourhood("a")
    assert [(n.id, n.distance) for n in hood.nodes] == [("a", 0), ("b", 1), ("c", 1), ("d", 1)]
    assert [(e.source, e.target) for e in hood.edges] == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("c", "a")]
    assert [p.concepts for p in small_store.paths("b", "e", k=3)] == [("b", "a", "d", "e"), ("b", "c", "a", "d", "e")]
    back = small_store.paths("c", "a", direction="both")[0]
    assert [(h.source, h.target, h.forward) for h in back.hops] == [("c", "a", True)]
    against = small_store.paths("e", "a", direction="both")[0]
    assert [(h.source, h.target, h.type, h.forward) for h in against.hops] == [
        ("e", "d", "related", False), ("d", "a", "related", False)]
    view = small_store.concept("Gamma")
    assert (view.links, view.backlinks, view.broken) == (("a",), ("a", "b"), ("Nowhere",))
    stats = small_store.stats()
    assert (stats.concepts, stats.links, stats.broken_links, stats.self_links) == (7, 6, 1, 1)
    assert [h.id for h in small_store.search("dee")] == ["d"]


@pytest.fixture(scope="module", params=["local", "neo4j"])
def relations_store(request: pytest.FixtureRequest, neo4j_server: Any) -> Iterator[GraphStore]:
    """relations() in either store, for the relation labels on path hops."""
    yield from _either_store(request.param, neo4j_server, relations(), "relations")


def test_path_hops_carry_the_relation_on_both_stores(relations_store: GraphStore) -> None:
    found = relations_store.paths("wheel", "engine", k=3)
    assert [[(h.source, h.target, h.forward, h.relation) for h in p.hops] for p in found] == [
        [("wheel", "axle", True, "attached_to, part_of"), ("axle", "engine", False, None)],
        [("wheel", "car", True, "part_of"), ("car", "engine", True, "has_part")],
    ]
    # Walked against the link, the hop keeps the link's relation; JSON has the key only when there is one.
    back = relations_store.paths("car", "wheel", direction="in")[0]
    assert [h.to_json() for h in back.hops] == [
        {"source": "car", "target": "wheel", "type": "related", "forward": False, "relation": "part_of"}]
    assert found[0].to_json()["hops"][1] == {"source": "axle", "target": "engine", "type": "related",
                                             "forward": False}
