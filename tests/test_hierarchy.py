"""Hierarchies: broader links from parents, through queries, stats, the audit, exports, diffs and loaders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from glossaries import hierarchy

import loaders
from graph.audit import run_audit
from graph.cli import main
from graph.diff import diff
from graph.exports import export
from graph.local import LocalStore
from graph.model import Glossary, Reference

SKOS_HIERARCHY = Path(__file__).parent / "data" / "skos" / "hierarchy.ttl"


def parents(glossary: Glossary) -> dict[str, list[str]]:
    return {c.id: [p.target for p in c.parents] for c in glossary}


# -- the graph and its queries ---------------------------------------------------------------


def test_parents_become_broader_edges_and_broken_parents_missing_nodes() -> None:
    store = LocalStore(hierarchy())
    broader = sorted((s, t) for s, t, k in store.graph.edges(keys=True) if k == "broader")
    assert broader == [
        ("bird", "animal"), ("cat", "mammal"), ("cat", "pet"), ("dog", "mammal"), ("loop1", "loop2"),
        ("loop2", "loop1"), ("mammal", "animal"), ("old", "mammal"), ("ouro", "ouro"), ("stray", "missing:nowhere"),
    ]
    assert [(link.source, link.written, link.kind, link.via) for link in store.links() if link.kind == "broader"][:3] \
        == [("mammal", "animal", "broader", "id"), ("bird", "animal", "broader", "id"),
            ("dog", "Mammal", "broader", "id")]


def test_stats_count_broader_links_apart_from_related_ones() -> None:
    stats = LocalStore(hierarchy()).stats().to_json()
    # 8 distinct child -> parent pairs between different concepts (ouro's own parent and stray's broken one not);
    # the broken parent is a broken link like any reference.
    assert (stats["links"], stats["broader"], stats["broken_links"], stats["self_links"], stats["references"]) == (
        5, 8, 1, 0, 15)


def test_concept_view_shows_broader_and_narrower() -> None:
    store = LocalStore(hierarchy())
    view = store.concept("mammal")
    assert (view.broader, view.narrower) == (("animal",), ("cat", "dog", "old"))
    assert store.concept("cat").to_json()["broader"] == ["mammal", "pet"]
    assert store.concept("Animal").to_json()["narrower"] == ["bird", "mammal"]


def test_neighbourhood_over_broader_links() -> None:
    store = LocalStore(hierarchy())
    up = store.neighbourhood("dog", 2, ["broader"], "out")
    assert [(n.id, n.distance) for n in up.nodes] == [("dog", 0), ("mammal", 1), ("animal", 2)]
    down = store.neighbourhood("animal", 1, ["broader"], "in")
    assert [n.id for n in down.nodes] == ["animal", "bird", "mammal"]
    assert {e.type for e in store.neighbourhood("cat", 1, ["broader", "related"]).edges} == {"broader", "related"}


def test_path_hops_read_broader_up_and_narrower_down() -> None:
    store = LocalStore(hierarchy())
    [found] = store.paths("dog", "pet", k=1, edge_types=["broader"])
    assert found.concepts == ("dog", "mammal", "cat", "pet")
    assert [(h.type, h.forward) for h in found.hops] == [("broader", True), ("narrower", False), ("broader", True)]
    # Related links only (the default): the hierarchy is not walked.
    assert store.paths("dog", "pet") == []


def test_cli_takes_broader_as_an_edge_type(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = export(hierarchy(), "json", tmp_path / "h.json")
    code = main(["path", str(source), "animal", "dog", "--edge-types", "related,broader", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [h["type"] for h in out["paths"][0]["hops"]] == ["narrower", "narrower"]
    code = main(["path", str(source), "animal", "dog", "--edge-types", "related,broader"])
    assert code == 0 and "--narrower--> Mammal (mammal)" in capsys.readouterr().out
    code = main(["stats", str(source), "--format", "json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["broader"] == 8
    code = main(["neighbours", str(source), "dog", "--edge-types", "parent"])
    assert code == 2 and "related, broader, alias, category" in capsys.readouterr().err


# -- the audit -------------------------------------------------------------------------------


HIERARCHY_FINDINGS = {
    # puppy: nothing links to it; ouro is only its own parent; stray's parent is broken. A child of a
    # parent (dog, cat, bird, ...) and a root with children (animal, pet) are no orphans.
    "orphans": ["ouro", "puppy", "stray"],
    "dead_ends": ["ouro", "stray"],
    "isolated": ["ouro", "stray"],
    "broken_links": [{"source": "stray", "target": "Nowhere"}],
    # bird -> animal is one-way as a related link, though animal is bird's parent; broader links never count.
    "one_way_links": [{"source": "bird", "target": "animal"}, {"source": "puppy", "target": "dog"},
                      {"source": "puppy", "target": "old"}],
    "self_links": [],
    # old (deprecated) has dog's title and no category: neither is reported.
    "duplicate_titles": [],
    "uncategorised": ["cat", "dog", "loop1", "loop2", "ouro", "pet", "puppy", "stray"],
    "disconnected_clusters": [{"concepts": ["loop1", "loop2"], "size": 2}],
    "deprecated_links": [{"source": "puppy", "target": "old", "kind": "related", "replaced_by": "dog"}],
    "hierarchy_cycles": [{"id": "loop1", "title": "Loop one", "cycle": ["loop1", "loop2"]},
                         {"id": "loop2", "title": "Loop two", "cycle": ["loop1", "loop2"]},
                         {"id": "ouro", "title": "Ouroboros", "cycle": ["ouro"]}],
    "relation_clashes": [{"source": "bird", "target": "animal", "hierarchy": "broader"}],
    "polyhierarchy": [{"id": "cat", "title": "Cat", "parents": ["mammal", "pet"]}],
}


def _unlocated(finding: dict) -> dict:
    return {k: v for k, v in finding.items() if k not in ("file", "line")}


def _ids_or_findings(findings: list[dict]) -> list:
    if findings and set(findings[0]) == {"id", "title"}:
        return [f["id"] for f in findings]
    return findings


def test_audit_of_a_hierarchy() -> None:
    report = run_audit(LocalStore(hierarchy())).to_json()
    for check, expected in HIERARCHY_FINDINGS.items():
        assert _ids_or_findings(report["checks"][check]) == expected, check
    summary = report["summary"]
    assert (summary["links"], summary["broader"], summary["deprecated"], summary["concepts"]) == (5, 8, 1, 12)
    # 11 current concepts: 8 with an incoming related link, a parent or a child; 9 with an outgoing one or either.
    assert (summary["share_with_incoming"], summary["share_with_outgoing"]) == (round(8 / 11, 4), round(9 / 11, 4))
    assert summary["share_in_largest_cluster"] == round(7 / 11, 4)
    assert report["severity"]["hierarchy_cycles"] == "error" and report["severity"]["polyhierarchy"] == "info"
    assert report["worklist"]["deprecated_links"] == HIERARCHY_FINDINGS["deprecated_links"]
    assert [f["id"] for f in report["worklist"]["hierarchy_cycles"]] == ["loop1", "loop2", "ouro"]


def test_relation_clashes_name_where_the_related_concept_sits() -> None:
    from graph.model import Concept

    glossary = Glossary([
        Concept("a", "A", related=(Reference("c"),)),
        Concept("b", "B", parents=(Reference("a"),)),
        Concept("c", "C", parents=(Reference("b"),), related=(Reference("a"), Reference("b"))),
    ])
    clashes = run_audit(glossary, checks=["relation_clashes"]).findings["relation_clashes"]
    assert clashes == [
        {"source": "a", "target": "c", "hierarchy": "descendant"},
        {"source": "c", "target": "a", "hierarchy": "ancestor"},
        {"source": "c", "target": "b", "hierarchy": "broader"},
    ]


def test_allow_list_accepts_hierarchy_findings() -> None:
    from graph.audit.allow import AllowList

    allow = AllowList.parse("allow:\n  polyhierarchy: [cat]\n  deprecated_links: [puppy]\n"
                            "severity:\n  polyhierarchy: warning\n")
    report = run_audit(LocalStore(hierarchy()), allow=allow)
    assert report.open_count("polyhierarchy") == 0 and report.open_count("deprecated_links") == 0
    assert report.severity["polyhierarchy"] == "warning"
    assert report.fail_on(["error"]) == {"broken_links": 1, "hierarchy_cycles": 3}


# -- SKOS ------------------------------------------------------------------------------------


def test_skos_hierarchy_loads_exactly() -> None:
    glossary = loaders.load(SKOS_HIERARCHY)
    assert parents(glossary) == {
        "automobile": ["vehicle"],
        "bicycle": ["vehicle"],  # narrower only, stated on the parent
        "car": ["vehicle"],  # broader only
        "chicken": ["egg"],
        "egg": ["chicken"],
        "garage": [],
        "pickup": ["car", "truck"],
        "scooter": ["vehicle"],  # a transitive link only
        "sedan": ["car"],  # the closure beside the direct link adds nothing
        "truck": ["vehicle"],  # broader and narrower both: once
        "vehicle": [],
        "velocipede": [],
        "wheel": ["bicycle"],
    }
    by_id = glossary.by_id()
    assert [r.target for r in by_id["pickup"].related] == ["truck"]
    assert [r.target for r in by_id["garage"].related] == ["automobile", "velocipede"]
    assert {c.id: (c.deprecated, c.replaced_by) for c in glossary if c.deprecated} == {
        "automobile": (True, "car"), "velocipede": (True, None)}
    # No top concepts: each concept's category is the root of its broader chain; a loop has none.
    assert {c.id: c.categories for c in glossary} == {
        **{i: ("Vehicle",) for i in ("automobile", "bicycle", "car", "pickup", "scooter", "sedan", "truck",
                                     "vehicle", "wheel")},
        "garage": ("Garage",), "velocipede": ("Velocipede",), "chicken": (), "egg": (),
    }
    assert glossary.category_parents == {}


def test_skos_hierarchy_stats_and_audit() -> None:
    store = LocalStore(loaders.load(SKOS_HIERARCHY))
    stats = store.stats()
    assert (stats.concepts, stats.links, stats.broader, stats.categories, stats.broken_links) == (13, 4, 11, 3, 0)
    report = run_audit(store).to_json()
    counts = {check: n for check, n in report["summary"].items() if check in report["checks"] and n}
    assert counts == {
        "orphans": 1, "one_way_links": 4, "uncategorised": 2, "missing_definitions": 1,
        "disconnected_clusters": 1, "deprecated_links": 2, "hierarchy_cycles": 2, "relation_clashes": 2,
        "polyhierarchy": 1,
    }
    # A thesaurus names the file of every finding but no line (RDF keeps none).
    located = [f for check in report["checks"].values() for f in check]
    assert located and all((f["file"], f["line"]) == ("hierarchy.ttl", None) for f in located)
    checks = {name: [_unlocated(f) for f in found] for name, found in report["checks"].items()}
    assert _ids_or_findings(checks["orphans"]) == ["garage"]
    assert checks["deprecated_links"] == [
        {"source": "garage", "target": "automobile", "kind": "related", "replaced_by": "car"},
        {"source": "garage", "target": "velocipede", "kind": "related", "replaced_by": None},
    ]
    assert checks["relation_clashes"] == [
        {"source": "pickup", "target": "truck", "hierarchy": "broader"},
        {"source": "wheel", "target": "vehicle", "hierarchy": "ancestor"},
    ]
    assert [f["id"] for f in checks["hierarchy_cycles"]] == ["chicken", "egg"]
    assert checks["polyhierarchy"] == [{"id": "pickup", "title": "Pickup", "parents": ["car", "truck"]}]
    # Two deprecated concepts: the automobile shares the car's title, the velocipede is alone.
    assert report["summary"]["deprecated"] == 2 and checks["duplicate_titles"] == [] and checks["isolated"] == []


# -- loaders, exports and diffs --------------------------------------------------------------


@pytest.mark.parametrize("field", ["parent", "parents", "broader"])
def test_json_records_name_parents(tmp_path: Path, field: str) -> None:
    source = tmp_path / "terms.json"
    source.write_text(json.dumps([
        {"term": "Animal"},
        {"term": "Mammal", field: "Animal"},
        {"term": "Dog", field: ["Mammal", "Animal"]},
    ]), encoding="utf-8")
    glossary = loaders.load(source)
    assert parents(glossary) == {"animal": [], "mammal": ["Animal"], "dog": ["Mammal", "Animal"]}
    assert LocalStore(glossary).stats().broader == 3


def test_yaml_and_jsonl_records_name_parents(tmp_path: Path) -> None:
    yaml_file = tmp_path / "terms.yaml"
    yaml_file.write_text("- term: Animal\n- term: Bird\n  broader: [Animal]\n", encoding="utf-8")
    jsonl_file = tmp_path / "terms.jsonl"
    jsonl_file.write_text('{"term": "Animal"}\n{"term": "Bird", "parent": "Animal"}\n', encoding="utf-8")
    assert parents(loaders.load(yaml_file)) == parents(loaders.load(jsonl_file)) == {"animal": [], "bird": ["Animal"]}


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "csv"])
def test_exports_write_parents_and_replacements_and_load_them_back(tmp_path: Path, fmt: str) -> None:
    glossary = hierarchy()
    written = export(glossary, fmt, tmp_path / f"out.{fmt}")
    back = loaders.load(written)
    assert back.same_content(glossary)
    assert parents(back) == parents(glossary)
    assert back.by_id()["old"].replaced_by == "dog" and back.by_id()["old"].deprecated
    assert LocalStore(back).stats() == LocalStore(glossary).stats()


def test_exports_carry_broader_edges(tmp_path: Path) -> None:
    data = json.loads(export(hierarchy(), "json", tmp_path / "h.json").read_text(encoding="utf-8"))
    broader = [e for e in data["links"] if e["type"] == "broader"]
    assert len(broader) == 10
    assert {"source": "dog", "target": "mammal", "type": "broader", "key": "broader", "via": "id",
            "written": "Mammal", "count": 1} in broader
    script = export(hierarchy(), "cypher", tmp_path / "h.cypher").read_text(encoding="utf-8")
    assert "CREATE (s)-[:BROADER {via: row.via, written: row.written, count: row.count}]->(t)" in script


def test_diff_reports_broader_links_added_and_removed() -> None:
    before = hierarchy()
    changed = [c.with_(parents=(Reference("animal"),)) if c.id == "dog" else c for c in before.concepts]
    result = diff(before, Glossary(changed)).to_json()
    assert result["links"] == {
        "added": [{"source": "dog", "target": "animal", "type": "broader"}],
        "removed": [{"source": "dog", "target": "mammal", "type": "broader"}],
    }
    assert result["concepts"]["changed"] == [{"id": "dog", "fields": ["parents"]}]


def test_drawings_show_broader_links_towards_the_parent() -> None:
    from graph.render import draw_neighbourhood, draw_paths

    store = LocalStore(hierarchy())
    paths = store.paths("animal", "dog", k=1, edge_types=["broader"])
    html = draw_paths(store, paths)
    # Both hops were walked down (narrower) and are drawn as authored: child -> parent, as broader links.
    assert '"from": "mammal", "to": "animal"' in html and '"from": "dog", "to": "mammal"' in html
    assert "broader (arrow towards the parent)" in html and "narrower" not in html
    hood = draw_neighbourhood(store, store.neighbourhood("cat", 1, ["broader", "related"]))
    assert "broader (arrow towards the parent)" in hood and "related (arrow as authored)" in hood


def test_show_lists_parents_children_and_the_replacement(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = export(hierarchy(), "json", tmp_path / "h.json")
    assert main(["show", str(source), "mammal"]) == 0
    table = capsys.readouterr().out
    assert "Animal (animal)" in table and "Cat (cat), Dog (dog), Dog (old)" in table
    assert main(["show", str(source), "old"]) == 0
    assert "yes, replaced by dog" in capsys.readouterr().out
    assert main(["show", str(source), "cat", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["parents"], shown["broader"], shown["narrower"]) == (["mammal", "pet"], ["mammal", "pet"], [])


def test_suggestions_leave_out_the_hierarchy_and_deprecated_concepts() -> None:
    from graph.model import Concept
    from graph.suggest import suggest

    glossary = Glossary([
        Concept("animal", "Animal", "Alive."),
        Concept("mammal", "Mammal", "An Animal with fur.", parents=(Reference("animal"),)),
        Concept("dog", "Dog", "A Mammal that barks, unlike a Wolfhound; see Kennel.", parents=(Reference("mammal"),)),
        Concept("wolfhound", "Wolfhound", "Old entry.", deprecated=True, replaced_by="dog"),
        Concept("kennel", "Kennel", "Where a dog sleeps."),
    ])
    # dog's text names its parent, a deprecated concept and the kennel: only the kennel is suggested.
    assert [s.target for s in suggest(glossary, "dog").suggestions] == ["kennel"]
    # The animal's descendants are not suggested to it either, though the mammal mentions it.
    assert "mammal" not in [s.target for s in suggest(glossary, "animal").suggestions]
