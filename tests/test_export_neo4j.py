"""The Cypher export run against the real Neo4j server recreates the graph of its source, awkward values intact."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from test_export import awkward_glossary

import loaders
from graph.exports import graph_records, render
from graph.exports.cypher import split_statements
from graph.model import Glossary
from graph.neo4j import schema

pytestmark = pytest.mark.neo4j


def _key(labels: list[str], props: dict[str, Any]) -> str:
    kind = next(schema.NODE_KIND_OF_LABEL[label] for label in labels if label in schema.NODE_KIND_OF_LABEL)
    return props["id"] if kind == "concept" else f"{kind}:{props['key']}"


def _run_and_read(driver: Driver, database: str, glossary: Glossary) -> tuple[dict, set, dict]:
    dataset = f"export-test-{uuid.uuid4().hex[:8]}-it's"
    script = render(glossary, "cypher", dataset=dataset)
    assert isinstance(script, bytes)
    try:
        with driver.session(database=database) as session:
            for _round in range(2):  # running the script twice gives the same graph
                for statement in split_statements(script.decode("utf-8")):
                    session.run(statement).consume()
            nodes = {}
            for row in session.run("MATCH (n) WHERE n.dataset = $ds RETURN labels(n) AS labels, properties(n) AS p",
                                   ds=dataset):
                props = dict(row["p"])
                nodes[_key(row["labels"], props)] = (row["labels"], props)
            edges = set()
            related = {}
            for row in session.run(
                "MATCH (a)-[r]->(b) WHERE a.dataset = $ds AND b.dataset = $ds "
                "RETURN labels(a) AS la, properties(a) AS pa, type(r) AS t, properties(r) AS pr, "
                "labels(b) AS lb, properties(b) AS pb",
                ds=dataset,
            ):
                edge = (_key(row["la"], row["pa"]), _key(row["lb"], row["pb"]), schema.EDGE_TYPE_OF_REL[row["t"]])
                assert edge not in edges, f"duplicate relationship {edge}"
                edges.add(edge)
                if edge[2] in ("related", "broader"):
                    related[edge] = dict(row["pr"])
    finally:
        with driver.session(database=database) as session:
            session.run("MATCH (n) WHERE n.dataset = $ds DETACH DELETE n", ds=dataset).consume()
    return nodes, edges, related


@pytest.mark.parametrize("which", ["awkward", "sample"])
def test_cypher_script_recreates_the_graph(neo4j_driver: Driver, neo4j_server: Any, which: str,
                                           sample_dir: Path) -> None:
    glossary = awkward_glossary() if which == "awkward" else loaders.load(sample_dir)
    records = graph_records(glossary)
    nodes, edges, related = _run_and_read(neo4j_driver, neo4j_server.database, glossary)

    assert sorted(nodes) == [n["id"] for n in records.nodes]
    for record in records.nodes:
        labels, props = nodes[record["id"]]
        assert labels == [schema.LABELS[record["kind"]]]
        if record["kind"] != "concept":
            assert props["name"] == record["title"]
            if record["kind"] == "category":
                assert json.loads(props["parents"]) == record["parents"]
            continue
        # Every concept property arrives exactly: the escaping of the literals lost nothing.
        for name in schema.CONCEPT_PROPERTIES:
            value = props.get(name)
            if name in schema.JSON_PROPERTIES and name not in schema.CONCEPT_LIST_PROPERTIES:
                value = json.loads(value)
            assert value == record[name], (record["id"], name)
    assert edges == {(e["source"], e["target"], e["type"]) for e in records.edges}
    for edge in records.edges:
        if edge["type"] in ("related", "broader"):
            key = (edge["source"], edge["target"], edge["type"])
            assert related[key] == {k: edge[k] for k in ("via", "written", "count")}
    assert any(e["type"] == "broader" for e in records.edges) or which == "sample"
