"""The Neo4j store's loading rules, datasets, configuration and failures, against the real server."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fixtures.neo4j_server import can_restart_server, start_server, stop_server
from glossaries import small, tangled

from graph.cli import main
from graph.errors import ConceptNotFound, StoreError, UsageError
from graph.local import LocalStore
from graph.model import Glossary
from graph.neo4j import Neo4jStore, merge_glossaries
from graph.neo4j.config import Neo4jSettings, display_uri
from graph.synthetic import synthetic_glossary
from scripts.neo4j_baseline import load_row_by_row

pytestmark = pytest.mark.neo4j


def connect(server: Any, dataset: str, **options: Any) -> Neo4jStore:
    return Neo4jStore.connect(server.uri, dataset, user=server.user, password=server.password,
                              database=server.database, **options)


@pytest.fixture
def store(neo4j_server: Any) -> Iterator[Neo4jStore]:
    """A store on a dataset of its own, dropped afterwards."""
    opened = connect(neo4j_server, f"test-{uuid.uuid4().hex[:12]}")
    try:
        yield opened
    finally:
        opened.drop()
        opened.close()


def footprint(driver: Any, dataset: str) -> dict[str, int]:
    """Nodes per label and relationships per type of every tag of a dataset (live, staged or old)."""
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE n.dataset STARTS WITH $prefix "
        "OPTIONAL MATCH (n)-[r]->() "
        "RETURN n.dataset AS tag, labels(n)[0] AS label, count(DISTINCT n) AS nodes, "
        "collect(type(r)) AS rels",
        prefix=dataset + "~",
    )
    counts: dict[str, int] = {}
    for record in records:
        counts[record["label"]] = counts.get(record["label"], 0) + record["nodes"]
        for rel in record["rels"]:
            counts[rel] = counts.get(rel, 0) + 1
    counts["tags"] = len({r["tag"] for r in records})
    return counts


def test_loading_twice_changes_nothing(store: Neo4jStore, neo4j_driver: Any) -> None:
    first = store.load(tangled())
    before = footprint(neo4j_driver, store.dataset)
    second = store.load(tangled())
    after = footprint(neo4j_driver, store.dataset)
    assert before == after
    assert before == {"Concept": 12, "Alias": 2, "Category": 3, "Missing": 3, "RELATED": 21, "ALIAS_OF": 3,
                      "IN_CATEGORY": 11, "tags": 1}
    assert {k: v for k, v in first.items() if k not in ("seconds", "merged")} == {
        k: v for k, v in second.items() if k not in ("seconds", "merged")}
    assert store.glossary() == tangled()


def test_replace_removes_what_the_source_lost(store: Neo4jStore, neo4j_driver: Any) -> None:
    store.load(tangled())
    fewer = tangled()
    fewer.concepts = [c for c in fewer.concepts if c.id not in ("a2", "g1")]
    fewer.category_parents = {"Food": ("Plants",)}
    counts = store.load(fewer, replace=True)
    assert counts["replaced"] and not counts["merged"]
    assert store.glossary() == fewer
    assert store.stats() == LocalStore(fewer).stats()
    assert store.links() == LocalStore(fewer).links()
    with pytest.raises(ConceptNotFound):
        store.resolve("Apricot")
    assert store.resolve("Shared") == "a1"  # no longer ambiguous: a2 owned it too
    assert footprint(neo4j_driver, store.dataset)["tags"] == 1


def test_load_without_replace_merges_by_id(store: Neo4jStore) -> None:
    store.load(small())
    update = Glossary([small().concepts[1].with_(definition="Changed."), *tangled().concepts[:2]],
                      source="update", format="python")
    counts = store.load(update)
    assert counts["merged"]
    merged = merge_glossaries(small(), update)
    assert store.glossary() == merged
    assert [c.id for c in store.glossary()] == ["a", "b", "c", "d", "e", "f", "g", "hub", "a1"]
    assert store.concept("b").concept.definition == "Changed."
    assert store.links() == LocalStore(merged).links()


def test_datasets_do_not_see_each_other(neo4j_server: Any) -> None:
    one = connect(neo4j_server, f"test-one-{uuid.uuid4().hex[:8]}")
    two = connect(neo4j_server, f"test-two-{uuid.uuid4().hex[:8]}")
    try:
        one.load(small())
        two.load(tangled())
        assert one.stats() == LocalStore(small()).stats()
        assert two.stats() == LocalStore(tangled()).stats()
        assert one.search("Apple") == LocalStore(small()).search("Apple")
        assert "c" not in [h.id for h in two.search("Gamma")]
        with pytest.raises(ConceptNotFound):
            one.resolve("hub")
        assert [c.id for c in one.neighbourhood("a", 6, ["related", "alias", "category"]).nodes if ":" not in c.id] \
            == ["a", "b", "c", "d", "e", "g"]
        names = {d["name"] for d in one.datasets()}
        assert {one.dataset, two.dataset} <= names
        one.drop()
        assert two.glossary() == tangled()
    finally:
        for opened in (one, two):
            opened.drop()
            opened.close()


def test_drop_leaves_nothing(neo4j_server: Any, neo4j_driver: Any) -> None:
    store = connect(neo4j_server, f"test-drop-{uuid.uuid4().hex[:8]}")
    store.load(small())
    assert store.drop() is True
    assert footprint(neo4j_driver, store.dataset) == {"tags": 0}
    records, _, _ = neo4j_driver.execute_query("MATCH (d:Dataset {name: $name}) RETURN d", name=store.dataset)
    assert records == []
    with pytest.raises(StoreError, match="no dataset"):
        store.stats()
    assert store.drop() is False
    store.close()


def test_user_text_stays_a_parameter(store: Neo4jStore) -> None:
    hostile = "x' }) DETACH DELETE n //"
    glossary = Glossary([small().concepts[0].with_(id="q1", title=hostile, aliases=("`a`:b", "$tag")),
                         small().concepts[1].with_(related=())], source="hostile")
    store.load(glossary)
    assert store.glossary() == glossary
    assert store.resolve(hostile) == "q1" and store.resolve("$tag") == "q1"
    assert (store.search("DETACH")[0].id, store.search("DETACH")[0].score) == ("q1", 80.0)


def test_settings_hide_the_password() -> None:
    settings = Neo4jSettings.from_env("neo4j+s://db.example.org", environ={
        "NEO4J_USERNAME": "reader", "NEO4J_PASSWORD": "hunter2-secret", "NEO4J_DATABASE": "gloss"})
    assert (settings.user, settings.password, settings.database) == ("reader", "hunter2-secret", "gloss")
    for shown in (repr(settings), str(settings)):
        assert "hunter2-secret" not in shown
    assert str(settings) == "neo4j+s://db.example.org as reader, database gloss"
    env = Neo4jSettings.from_env(environ={"NEO4J_URI": "bolt://127.0.0.1:7687"})
    assert (env.uri, env.user, env.password, env.database) == ("bolt://127.0.0.1:7687", "neo4j", "", None)


@pytest.mark.parametrize(("uri", "message"), [
    ("http://127.0.0.1:7474", "must start with"),
    ("bolt://neo4j:hunter2-secret@127.0.0.1:7687", "not in the URI"),
    ("neo4j://", "no host"),
])
def test_bad_uris_are_refused_without_echoing_secrets(uri: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        Neo4jSettings(uri)
    assert "hunter2-secret" not in str(caught.value)
    assert display_uri("bolt://u:hunter2-secret@h:1/x?y") == "bolt://h:1/x"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", ["unreachable", "wrong password", "unknown dataset"])
def test_connection_failures_give_one_line_and_exit_2(
    case: str, neo4j_server: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = "bolt://127.0.0.1:1" if case == "unreachable" else neo4j_server.uri
    password = "wrong-hunter2-secret" if case == "wrong password" else neo4j_server.password
    monkeypatch.setenv("NEO4J_PASSWORD", password)
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    for argv in (["stats", uri, "--dataset", f"nope-{uuid.uuid4().hex[:6]}"],
                 ["load", "tests/data/cli/small.json", "--to", uri, "--dataset", f"nope-{uuid.uuid4().hex[:6]}"]):
        if case == "unknown dataset" and argv[0] == "load":
            continue  # loading creates the dataset
        code, out, err = run_cli(capsys, *argv)
        assert code == 2
        assert len(err.strip().splitlines()) == 1, err
        assert "secret" not in err + out
        expected = {"unreachable": "could not open the connection to Neo4j at bolt://127.0.0.1:1",
                    "wrong password": f"refused user {neo4j_server.user!r}: wrong user or password",
                    "unknown dataset": "has no dataset 'nope-"}[case]
        assert expected in err


def test_cli_load_to_neo4j_then_query_it(neo4j_server: Any, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    dataset = f"test-cli-{uuid.uuid4().hex[:8]}"
    source = "tests/data/cli/small.json"
    try:
        code, out, err = run_cli(capsys, "load", source, "--to", neo4j_server.uri, "--dataset", dataset,
                                 "--format", "json")
        assert code == 0, err
        assert f"written to Neo4j dataset '{dataset}'" in err
        assert json.loads(out)["concepts"] == 7
        for command in (["stats"], ["search", "gam"], ["show", "Gamma"], ["neighbours", "a", "--depth", "2"],
                        ["path", "b", "e", "-k", "3"], ["audit"]):
            local = run_cli(capsys, *command[:1], source, *command[1:], "--format", "json")
            remote = run_cli(capsys, *command[:1], neo4j_server.uri, "--dataset", dataset, *command[1:],
                             "--format", "json")
            assert remote[0] == local[0] and json.loads(remote[1]) == json.loads(local[1]), command
        code, _out, err = run_cli(capsys, "load", source, "--replace")
        assert code == 2 and "--replace only applies with --to" in err
    finally:
        connect(neo4j_server, dataset).drop()


def test_row_by_row_baseline_writes_and_cleans_up(store: Neo4jStore, neo4j_driver: Any) -> None:
    result = load_row_by_row(store, tangled(), max_rows=10)
    assert (result["rows"], result["total_rows"]) == (10, 55)
    full = load_row_by_row(store, small())
    assert full["rows"] == full["total_rows"] == 28
    assert footprint(neo4j_driver, store.dataset) == {"tags": 0}


def test_a_connection_lost_mid_load_leaves_the_dataset_as_it_was(neo4j_server: Any, neo4j_driver: Any) -> None:
    """Stop the server while a 50,000-concept load runs; the old data stays and the next load works."""
    assert can_restart_server(), "this test stops and restarts the server of scripts/neo4j.sh"
    dataset = f"test-crash-{uuid.uuid4().hex[:8]}"
    store = connect(neo4j_server, dataset, retry_seconds=3.0)
    store.load(small())
    big = synthetic_glossary(50_000, seed=3)
    halfway = threading.Event()
    stopper_error: list[BaseException] = []

    def progress(done: int, total: int | None) -> None:
        if total and done >= 20_000:
            halfway.set()

    def stop_when_halfway() -> None:
        try:
            if halfway.wait(timeout=600):
                stop_server()
        except BaseException as error:  # reported by the test below
            stopper_error.append(error)

    stopper = threading.Thread(target=stop_when_halfway, daemon=True)
    stopper.start()
    try:
        with pytest.raises(StoreError, match="connection to Neo4j"):
            store.load(big, replace=True, progress=progress)
    finally:
        halfway.set()
        stopper.join(timeout=300)
        start_server()
    assert not stopper_error, stopper_error
    store.close()
    again = connect(neo4j_server, dataset)
    try:
        assert again.glossary() == small()
        assert again.stats() == LocalStore(small()).stats()
        assert footprint(neo4j_driver, dataset)["tags"] == 2  # the half-written staging data is still there
        again.load(tangled(), replace=True)
        assert again.glossary() == tangled()
        assert footprint(neo4j_driver, dataset)["tags"] == 1  # ... and the next load cleaned it up
    finally:
        again.drop()
        again.close()
