"""The app on a Neo4j dataset (the real server of the test session), chosen in the sidebar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from graph.appstate import SOURCE_ENV
from graph.stores import load_glossary

pytestmark = pytest.mark.neo4j

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "app" / "glossary"
DATASET = "app-test"
SKOS_HIERARCHY = ROOT / "tests" / "data" / "skos" / "hierarchy.ttl"
OBO = ROOT / "tests" / "data" / "obo" / "mini.obo"


@pytest.fixture()
def dataset(neo4j_server: Any) -> Iterator[Any]:
    """The app fixture glossary loaded into its own dataset, dropped afterwards."""
    from graph.neo4j import Neo4jStore

    store = Neo4jStore.connect(neo4j_server.uri, dataset=DATASET, user=neo4j_server.user,
                               password=neo4j_server.password, database=neo4j_server.database)
    store.load(load_glossary(FIXTURE), replace=True)
    try:
        yield neo4j_server
    finally:
        store.drop()
        store.close()


def _connect(at: AppTest, server: Any, password: str, dataset: str = DATASET) -> AppTest:
    at.text_input(key="src_uri").input(server.uri)
    at.text_input(key="src_user").input(server.user)
    at.text_input(key="src_password").input(password)
    at.text_input(key="src_database").input(server.database)
    at.text_input(key="src_dataset").input(dataset)
    at.button(key="src_neo4j").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_app_answers_the_same_on_neo4j(dataset: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_ENV, str(FIXTURE))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    _connect(at, dataset, "not-the-password")
    assert len(at.sidebar.error) == 1  # a wrong password: an error, and the local graph stays
    assert at.sidebar.caption[0].value.endswith(": 10 concepts (local store)")
    _connect(at, dataset, dataset.password)
    assert not at.sidebar.error
    assert at.sidebar.caption[0].value.endswith("\\(dataset app\\-test\\): 10 concepts (neo4j store)")
    assert dataset.password not in at.sidebar.caption[0].value
    at.query_params.update({"concept": "large-language-model"})
    at.run()
    assert [h.value for h in at.header] == ["Large Language Model"]
    assert [b.key for b in at.button if b.key and b.key.startswith("from_")] == [
        "from_foundation-model", "from_prompt-engineering", "from_retrieval-augmented-generation"
    ]
    assert "5 nodes, 5 edges" in [c.value for c in at.caption]  # as on the local store
    at.switch_page("graph/app/pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Links"] == "13"
    at.switch_page("graph/app/pages/paths.py")
    at.query_params.clear()
    at.query_params.update({"from": "attention", "to": "fine-tuning"})
    at.run()
    assert "**Path 1** · 3 hops" in [m.value for m in at.markdown]


def test_results_are_computed_once_per_load_of_the_dataset(dataset: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from graph.appcache import RESULTS
    from graph.neo4j import Neo4jStore

    RESULTS.clear()
    monkeypatch.setenv(SOURCE_ENV, str(FIXTURE))

    def metrics(at: AppTest, page: str) -> dict[str, str]:
        at.switch_page(f"graph/app/pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return {m.label: m.value for m in at.metric}

    at = _connect(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run(), dataset, dataset.password)
    assert metrics(at, "audit")["Concepts"] == "10"
    assert metrics(at, "overview")["Links"] == "13"
    assert metrics(at, "audit")["Concepts"] == "10"
    other = _connect(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run(), dataset, dataset.password)
    assert metrics(other, "audit")["Concepts"] == "10"  # a second session
    assert (RESULTS.computed["audit"], RESULTS.computed["overview"]) == (1, 1)
    # Another process loads a new version of the dataset: every page's results are computed afresh.
    glossary = load_glossary(FIXTURE)
    smaller = dataclasses.replace(glossary, concepts=[c for c in glossary.concepts if c.id != "attention"])
    with Neo4jStore.connect(dataset.uri, dataset=DATASET, user=dataset.user, password=dataset.password,
                            database=dataset.database) as loader:
        loader.load(smaller, replace=True)
    assert metrics(at, "audit")["Concepts"] == "9"
    assert metrics(at, "overview")["Links"] != "13"
    assert (RESULTS.computed["audit"], RESULTS.computed["overview"]) == (2, 2)
    assert metrics(other, "audit")["Concepts"] == "9"
    assert RESULTS.computed["audit"] == 2


@pytest.fixture()
def ontologies(neo4j_server: Any) -> Iterator[Any]:
    """The SKOS hierarchy and the OBO ontology in datasets of their own, dropped afterwards."""
    from graph.neo4j import Neo4jStore

    stores = []
    for name, path in (("app-tree", SKOS_HIERARCHY), ("app-obo", OBO)):
        store = Neo4jStore.connect(neo4j_server.uri, dataset=name, user=neo4j_server.user,
                                   password=neo4j_server.password, database=neo4j_server.database)
        store.load(load_glossary(path), replace=True)
        stores.append(store)
    try:
        yield neo4j_server
    finally:
        for store in stores:
            store.drop()
            store.close()


def test_the_hierarchy_and_relations_show_the_same_on_neo4j(ontologies: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.appcache import RESULTS, source_version
    from graph.neo4j import Neo4jStore

    RESULTS.clear()
    monkeypatch.setenv(SOURCE_ENV, str(FIXTURE))
    at = _connect(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run(), ontologies,
                  ontologies.password, "app-tree")
    assert at.sidebar.caption[0].value.endswith("\\(dataset app\\-tree\\): 13 concepts (neo4j store)")
    at.query_params.update({"concept": "pickup"})
    at.run()
    crumbs: dict[str, list[str]] = {}
    for button in at.button:
        if button.key and button.key.startswith("up_"):
            crumbs.setdefault(button.key.split("_", 2)[1], []).append(button.label)
    assert list(crumbs.values()) == [["Vehicle", "Car"], ["Vehicle", "Truck"]]
    at.query_params.update({"concept": "car"})
    at.run()
    assert [b.key for b in at.button if b.key and b.key.startswith("down_")] == ["down_pickup", "down_sedan"]
    at.switch_page("graph/app/pages/overview.py").run()
    depths, roots = (d.value.to_dict("records") for d in at.main.dataframe[:2])
    assert depths == [{"depth": 0, "concepts": 1}, {"depth": 1, "concepts": 5}, {"depth": 2, "concepts": 3}]
    assert roots == [{"root": "Vehicle", "id": "vehicle", "children": 5}]
    # A dataset's results are keyed by its version as loaded now (its load tag).
    with Neo4jStore.connect(ontologies.uri, dataset="app-tree", user=ontologies.user, password=ontologies.password,
                            database=ontologies.database) as tree:
        version = source_version(ontologies.uri, "app-tree", tree.version())
    assert RESULTS.wait("overview_measures", version, timeout=60)
    at.run()
    assert {m.label: m.value for m in at.metric}["Broader links"] == "11" and not at.get("progress")
    assert "Top hubs by PageRank" in [s.value for s in at.main.subheader]

    _connect(at, ontologies, ontologies.password, "app-obo")
    at.switch_page("graph/app/pages/paths.py")
    at.query_params.clear()
    at.query_params.update({"from": "MINI:0000004", "to": "MINI:0000006"})
    at.run()
    assert ("**attention layer** —related\\: part\\_of→ **transformer** ←related\\: part\\_of— "
            "**recurrent network**") in [m.value for m in at.markdown]
