"""The Streamlit app through AppTest: every page on a small Markdown glossary (tests/data/app/glossary)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from graph.appstate import ALLOW_PATH_ENV, SOURCE_ENV, display_path, md_escape

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURE = ROOT / "tests" / "data" / "app" / "glossary"
HOSTILE = ROOT / "tests" / "data" / "app" / "hostile"
BROKEN = ROOT / "tests" / "data" / "app" / "broken"
SKOS_HIERARCHY = ROOT / "tests" / "data" / "skos" / "hierarchy.ttl"
OBO = ROOT / "tests" / "data" / "obo" / "mini.obo"


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the fixture glossary, not yet run."""
    monkeypatch.setenv(SOURCE_ENV, str(FIXTURE))
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture(autouse=True)
def fresh_results() -> None:
    """Every test starts with no audit, overview or export computed (the cache is per process)."""
    from graph.appcache import RESULTS

    RESULTS.clear()


@pytest.fixture(scope="module")
def large_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic glossary of 1,200 concepts: counts with thousands and audit checks with hundreds of findings."""
    from graph.synthetic import write_jsonl

    path = tmp_path_factory.mktemp("large") / "large.jsonl"
    write_jsonl(path, 1200, seed=3)
    return path


@pytest.fixture()
def large_app(monkeypatch: pytest.MonkeyPatch, large_source: Path) -> AppTest:
    """The app on the 1,200-concept glossary, not yet run."""
    monkeypatch.setenv(SOURCE_ENV, str(large_source))
    return AppTest.from_file(APP, default_timeout=60)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page(at: AppTest, name: str, **params: str) -> AppTest:
    _run(at)
    at.switch_page(f"graph/app/pages/{name}.py")
    at.query_params.clear()
    at.query_params.update(params)
    return _run(at)


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _tab(at: AppTest, label: str) -> list[dict]:
    """The rows of the (first) table in the tab whose label starts with ``label``, opened as a reader's click does."""
    return _tab_of(at, label).dataframe[0].value.to_dict("records")


def _tab_of(at: AppTest, name: str) -> Any:
    """The Audit tab named ``name`` (its label before " ("), opened first (only the open tab draws its tables)."""
    shown = at.session_state.get("au_tab_name", "worklist")
    if shown != name:
        at.session_state["au_tab_name"] = name
        _run(at)
    return next(t for t in at.tabs if t.label.split(" (")[0] == name)


def _keys(at: AppTest, prefix: str) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith(prefix)]


# -- Explore --------------------------------------------------------------------------------------


def test_explore_has_its_widgets(app: AppTest) -> None:
    at = _run(app)
    concept = at.selectbox(key="ex_concept")
    assert concept.label == "Concept" and len(concept.options) == 10
    assert concept.options[:3] == ["Attention (aka Self-attention)", "Fine-tuning", "Foundation Model (aka Base model)"]
    assert at.text_input(key="ex_search").label == "Search titles and aliases"
    assert (at.slider(key="ex_depth").min, at.slider(key="ex_depth").max) == (1, 3)
    assert at.radio(key="ex_direction").options == ["both", "out", "in"]
    assert [at.toggle(key=f"ex_{t}").value for t in ("related", "alias", "category")] == [True, False, False]
    assert [h.value for h in at.header] == ["Attention"]  # first by title
    assert at.query_params["concept"] == "attention"


def test_search_finds_a_concept_by_alias_and_moves_there(app: AppTest) -> None:
    at = _run(app)
    at.text_input(key="ex_search").input("LLM")
    _run(at)
    hit = at.button(key="hit_large-language-model")
    assert hit.label == "Large Language Model \\(LLM\\)"
    hit.click()
    _run(at)
    assert [h.value for h in at.header] == ["Large Language Model"]
    assert at.query_params["concept"] == "large-language-model"


def test_card_shows_definition_links_backlinks_and_broken_references(app: AppTest) -> None:
    at = _page(app, "explore", concept="large-language-model")
    text = _markdown(at)
    assert "A large language model is a foundation model trained to continue text, one token at a time\\." in text
    assert "**Also known as:** LLM" in text
    assert "**Category:** Models \\& Architecture · **Level:** Beginner · **Published:** 2026\\-W11" in text
    assert _keys(at, "to_") == ["to_foundation-model"]
    assert _keys(at, "from_") == ["from_foundation-model", "from_prompt-engineering",
                                  "from_retrieval-augmented-generation"]
    assert "- Tokenizer" in text  # the broken reference


def test_sources_are_links(app: AppTest) -> None:
    at = _page(app, "explore", concept="transformer")
    assert "- [A made\\-up survey of sequence models](https://example.org/sequence-models)" in _markdown(at)


def test_choosing_a_neighbour_moves_there(app: AppTest) -> None:
    at = _page(app, "explore", concept="foundation-model")
    at.button(key="to_fine-tuning").click()
    _run(at)
    assert [h.value for h in at.header] == ["Fine\\-tuning"]
    assert at.query_params["concept"] == "fine-tuning"
    neighbours = at.selectbox(key="ex_neighbour")
    assert neighbours.options == ["Foundation Model (aka Base model)"]
    neighbours.select("foundation-model")
    _run(at)
    assert [h.value for h in at.header] == ["Foundation Model"]


@pytest.mark.parametrize(
    ("params", "concept", "depth", "url"),
    [
        ({"concept": "foundation-model", "depth": "2"}, "foundation-model", 2,
         {"concept": "foundation-model", "depth": "2"}),
        ({"concept": "Base model"}, "foundation-model", 1, {"concept": "foundation-model"}),
        ({"concept": "rag", "depth": "9", "direction": "out"}, "retrieval-augmented-generation", 3,
         {"concept": "retrieval-augmented-generation", "depth": "3", "direction": "out"}),
    ],
)
def test_deep_link_selects_the_concept(app: AppTest, params: dict[str, str], concept: str, depth: int,
                                       url: dict[str, str]) -> None:
    at = _page(app, "explore", **params)
    assert at.selectbox(key="ex_concept").value == concept
    assert at.slider(key="ex_depth").value == depth
    assert {k: at.query_params[k] for k in at.query_params} == url


def test_deep_link_to_an_unknown_concept_warns(app: AppTest) -> None:
    at = _page(app, "explore", concept="no-such-thing")
    assert [w.value for w in at.warning] == [
        "The link names a concept this glossary does not have: no concept matches 'no\\-such\\-thing'"
    ]
    assert [h.value for h in at.header] == ["Attention"]


def test_neighbourhood_caption_counts_nodes(app: AppTest) -> None:
    at = _page(app, "explore", concept="foundation-model", depth="2")
    assert "8 nodes, 10 edges" in [c.value for c in at.caption]
    at.toggle(key="ex_category").set_value(True)
    _run(at)
    assert at.query_params["edges"] == "related,category"


def _crumbs(at: AppTest) -> list[list[str]]:
    """The breadcrumbs of the Explore card: each chain up as the labels of its buttons, root first."""
    chains: dict[str, list[str]] = {}
    for button in at.button:
        if button.key and button.key.startswith("up_"):
            chains.setdefault(button.key.split("_", 2)[1], []).append(button.label)
    return list(chains.values())


@pytest.fixture()
def tree_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the SKOS thesaurus with a hierarchy (polyhierarchy, a cycle, concepts outside), not yet run."""
    monkeypatch.setenv(SOURCE_ENV, str(SKOS_HIERARCHY))
    return AppTest.from_file(APP, default_timeout=60)


def test_explore_shows_each_chain_up_and_the_children(tree_app: AppTest) -> None:
    at = _page(tree_app, "explore", concept="pickup")
    assert _crumbs(at) == [["Vehicle", "Car"], ["Vehicle", "Truck"]]
    assert _keys(at, "down_") == []
    at.button(key="up_0_car").click()
    _run(at)
    assert at.session_state["ex_concept"] == "car" and at.query_params["concept"] == "car"
    assert _crumbs(at) == [["Vehicle"]]
    assert _keys(at, "down_") == ["down_pickup", "down_sedan"] and "**Narrower** (2)" in _markdown(at)
    at.button(key="up_0_vehicle").click()
    _run(at)
    assert _crumbs(at) == [] and "A root of the hierarchy: no broader concept." in [c.value for c in at.caption]
    assert [at.button(key=k).label for k in _keys(at, "down_")] == ["Car", "Bicycle", "Car", "Scooter", "Truck"]
    at.button(key="down_bicycle").click()
    _run(at)
    assert at.session_state["ex_concept"] == "bicycle" and _keys(at, "down_") == ["down_wheel"]


def test_explore_marks_a_cycle_and_concepts_outside_the_hierarchy(tree_app: AppTest) -> None:
    at = _page(tree_app, "explore", concept="chicken")
    assert _crumbs(at) == [["Egg"]]
    assert "↻" in _markdown(at)
    at = _page(tree_app, "explore", concept="garage")
    assert _crumbs(at) == [] and _keys(at, "down_") == []
    assert "Not in the hierarchy: no broader or narrower concept." in [c.value for c in at.caption]


def test_explore_has_no_hierarchy_section_without_broader_links(app: AppTest) -> None:
    at = _page(app, "explore", concept="transformer")
    captions = [c.value for c in at.caption]
    assert _crumbs(at) == [] and not any("hierarchy" in c for c in captions)


# -- Paths ----------------------------------------------------------------------------------------


def test_paths_show_an_ontology_relation_on_its_hop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_ENV, str(OBO))
    at = _page(AppTest.from_file(APP, default_timeout=60), "paths", **{"from": "MINI:0000004", "to": "MINI:0000006"})
    assert ("**attention layer** —related\\: part\\_of→ **transformer** ←related\\: part\\_of— "
            "**recurrent network**") in _markdown(at)


def test_paths_lists_each_hop_with_its_relation(app: AppTest) -> None:
    at = _page(app, "paths", **{"from": "attention", "to": "fine-tuning"})
    assert at.selectbox(key="pa_from").value == "attention" and at.selectbox(key="pa_to").value == "fine-tuning"
    text = _markdown(at)
    assert "**Path 1** · 3 hops" in text
    assert "**Attention** —related→ **Transformer** —related→ **Foundation Model** —related→ **Fine\\-tuning**" in text
    assert [s.value for s in at.main.subheader] == ["1 path, shortest first"]


def test_paths_show_links_walked_against_their_direction(app: AppTest) -> None:
    at = _page(app, "paths", **{"from": "vector-database", "to": "prompt-engineering"})
    assert ("**Vector Database** —related→ **Retrieval\\-Augmented Generation** —related→ "
            "**Large Language Model** ←related— **Prompt Engineering**") in _markdown(at)


def test_paths_widgets_and_avoid(app: AppTest) -> None:
    at = _page(app, "paths")
    assert [w.label for w in at.selectbox] == ["From", "To"]
    assert at.number_input(key="pa_k").value == 3 and at.slider(key="pa_max").value == 6
    assert [i.value for i in at.info] == ["Choose where to start and where to end."]
    at.selectbox(key="pa_from").select("attention")
    at.selectbox(key="pa_to").select("fine-tuning")
    at.multiselect(key="pa_avoid").select("transformer")
    _run(at)
    assert at.query_params["avoid"] == "transformer"
    assert [i.value for i in at.info] == [
        "No path of at most 6 hops joins Attention \\(aka Self\\-attention\\) and Fine\\-tuning with these settings."
    ]


def test_a_page_left_and_come_back_to_from_the_sidebar_shows_what_it_showed(app: AppTest) -> None:
    # The sidebar switches page with a bare URL (``_page`` with no parameters): a page the session
    # has shown keeps its state; one it has not shown starts from its defaults.
    at = _page(app, "explore", concept="foundation-model", depth="2", direction="out")
    at.text_input(key="ex_search").input("rag")
    _run(at)
    at = _page(at, "paths", **{"from": "attention", "to": "fine-tuning"})
    at.slider(key="pa_max").set_value(4)
    _run(at)
    at = _page(at, "audit")
    _tab_of(at, "alias_links").text_input(key="au_find_alias_links").input("vector")
    _run(at)
    assert _tab_of(at, "alias_links").caption[0].value.startswith("Rows 1-1 of 1 matching")

    at = _page(at, "explore")
    assert at.selectbox(key="ex_concept").value == "foundation-model"
    assert (at.slider(key="ex_depth").value, at.radio(key="ex_direction").value) == (2, "out")
    assert {k: at.query_params[k] for k in at.query_params} == {
        "concept": "foundation-model", "depth": "2", "direction": "out"}
    assert not at.warning
    at = _page(at, "paths")
    assert (at.selectbox(key="pa_from").value, at.selectbox(key="pa_to").value) == ("attention", "fine-tuning")
    assert at.slider(key="pa_max").value == 4 and at.query_params["max"] == "4"
    at = _page(at, "audit")
    assert at.text_input(key="au_find_alias_links").value == "vector"
    assert _tab_of(at, "alias_links").caption[0].value.startswith("Rows 1-1 of 1 matching")
    # A URL naming something else still wins over what the session showed.
    at = _page(at, "explore", concept="attention")
    assert at.selectbox(key="ex_concept").value == "attention" and at.slider(key="ex_depth").value == 1


# -- Audit ----------------------------------------------------------------------------------------


def test_audit_tabs_and_tables(app: AppTest) -> None:
    at = _page(app, "audit")
    labels = [t.label for t in at.tabs]
    assert labels[:5] == ["worklist", "orphans (1)", "dead_ends (1)", "isolated (0)", "broken_links (1)"]
    assert labels[-1] == "polyhierarchy (0)" and len(labels) == 20
    # Each finding's file and line follow its fields.
    assert _tab(at, "broken_links") == [
        {"source": "large-language-model", "target": "Tokenizer", "file": "large-language-model.md", "line": 7}
    ]
    assert _tab(at, "alias_links") == [
        {"source": "prompt-engineering", "target": "large-language-model", "via": "LLM",
         "file": "prompt-engineering.md", "line": 6},
        {"source": "retrieval-augmented-generation", "target": "large-language-model", "via": "LLM",
         "file": "retrieval-augmented-generation.md", "line": 7},
        {"source": "vector-database", "target": "retrieval-augmented-generation", "via": "RAG",
         "file": "vector-database.md", "line": 6},
    ]
    assert _tab(at, "disconnected_clusters") == [
        {"concepts": "ontology; taxonomy", "size": 2, "file": "ontology.md", "line": 2}
    ]
    # Only the open tab draws its table; a closed one holds its one-line summary until opened.
    assert [t.label for t in at.tabs if t.dataframe] == ["disconnected_clusters (1)"]
    assert not at.tabs[0].markdown and all(len(t.markdown) == 1 for t in at.tabs[1:])  # the worklist is closed
    empty = _tab_of(at, "self_links")
    assert [s.value for s in empty.success] == ["Nothing to report."] and not empty.dataframe
    worklist = [d.value.to_dict("records") for d in _tab_of(at, "worklist").dataframe]
    assert worklist == [
        [{"target": "Tokenizer", "count": 1, "sources": "large-language-model"}],
        [{"id": "prompt-engineering", "title": "Prompt Engineering", "file": "prompt-engineering.md", "line": 2,
          "mentioned_by": 0}],
        [{"source": "fine-tuning", "target": "foundation-model", "mention": "foundation model", "count": 1,
          "file": "fine-tuning.md", "line": 7}],
        [{"source": "foundation-model", "target": "fine-tuning", "file": "foundation-model.md", "line": 10,
          "mentions": 1}],
    ]
    # Link suggestions read every text: built only when asked for.
    at.button(key="au_suggest").click()
    _run(at)
    suggestions = at.tabs[0].dataframe[-1].value.to_dict("records")
    assert len(suggestions) == 20
    assert suggestions[0] == {"source": "fine-tuning", "target": "foundation-model", "title": "Foundation Model",
                              "score": 3.5, "reasons": "mentions 'foundation model'; links here"}
    assert [(r["source"], r["target"]) for r in suggestions[1:4]] == [
        ("attention", "foundation-model"),
        ("foundation-model", "attention"),
        ("large-language-model", "prompt-engineering"),
    ]
    assert [m.label for m in at.metric][:4] == ["Concepts", "Links", "with incoming", "with outgoing"]
    assert [m.value for m in at.metric][:4] == ["10", "13", "90%", "90%"]
    # Each check's CSV download sits in its tab, drawn with it.
    assert not at.get("download_button")
    assert [b.proto.label for b in _tab_of(at, "orphans").get("download_button")] == ["Download orphans.csv"]


def test_audit_allow_list_marks_findings_allowed(app: AppTest) -> None:
    at = _page(app, "audit")
    at.file_uploader(key="au_allow").upload(
        "allow.yaml", b"allow:\n  broken_links:\n    - large-language-model\n", "application/x-yaml"
    )
    _run(at)
    assert _tab(at, "broken_links") == [
        {"source": "large-language-model", "target": "Tokenizer", "file": "large-language-model.md", "line": 7,
         "allowed": True}
    ]
    # Allowed findings leave the worklist: it starts with the orphans now.
    assert _tab_of(at, "worklist").dataframe[0].value.to_dict("records") == [
        {"id": "prompt-engineering", "title": "Prompt Engineering", "file": "prompt-engineering.md", "line": 2,
         "mentioned_by": 0}
    ]


# -- Overview and Snapshots ---------------------------------------------------------------------


def _overview(at: AppTest, source: Path = FIXTURE) -> AppTest:
    """The Overview page once its background figures are done (the page run again, as its refresh would)."""
    from graph.appcache import RESULTS, source_version

    _page(at, "overview")
    assert RESULTS.wait("overview_measures", source_version(source), timeout=60)
    return _run(at)


def test_overview_counts_hubs_and_clusters(app: AppTest) -> None:
    at = _overview(app)
    assert {m.label: m.value for m in at.metric} == {
        "Concepts": "10", "Links": "13", "Broader links": "0", "Aliases": "5", "Categories": "3",
        "Broken links": "1", "Clusters": "2",
    }
    by_degree, by_pagerank, clusters = (d.value for d in at.main.dataframe)
    assert list(by_degree["id"][:2]) == ["foundation-model", "large-language-model"]
    assert list(by_degree["degree"][:2]) == [3, 3]
    assert list(by_pagerank["id"][:2]) == ["foundation-model", "transformer"]
    assert clusters.to_dict("records") == [{"size": 8, "clusters": 1}, {"size": 2, "clusters": 1}]
    assert len(at.get("vega_lite_chart")) == 2
    assert "No broader links: this glossary has no hierarchy." in [c.value for c in at.main.caption]


def test_overview_figures_are_computed_once_per_source_version(app: AppTest) -> None:
    from graph.appcache import RESULTS, source_version

    at = _overview(app)
    assert RESULTS.computed["overview"] == 1 and RESULTS.computed["overview_measures"] == 1
    assert not at.get("progress")
    first = RESULTS.peek("overview_measures", source_version(FIXTURE))
    assert first is not None and first.cluster_sizes == (8, 2)
    at.switch_page("graph/app/pages/audit.py")
    _run(at)
    at.switch_page("graph/app/pages/overview.py")
    _run(at)
    other = _page(AppTest.from_file(APP, default_timeout=60), "overview")
    assert {m.label: m.value for m in other.metric}["Clusters"] == "2" and not other.get("progress")
    assert RESULTS.computed["overview"] == 1 and RESULTS.computed["overview_measures"] == 1
    assert RESULTS.peek("overview_measures", source_version(FIXTURE)) is first


def test_overview_shows_at_once_while_the_measures_compute_in_the_background(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import graph.overview
    from graph.appcache import RESULTS, source_version

    release, calls = threading.Event(), []
    real = graph.overview.measures

    def held(store: Any, top: int = 15, progress: Any = None) -> Any:
        calls.append(threading.current_thread().name)
        assert release.wait(60)
        return real(store, top, progress)

    monkeypatch.setattr(graph.overview, "measures", held)
    at = _page(app, "overview")
    # Counts and categories are there; the slow figures are a progress bar, computed in another thread.
    assert {m.label: m.value for m in at.metric}["Concepts"] == "10" and "Clusters" not in {m.label for m in at.metric}
    assert [s.value for s in at.main.subheader] == ["Category sizes", "Hierarchy"]
    assert [p.proto.text for p in at.get("progress")] == ["Measuring the graph in the background: starting"]
    _run(at)  # the page again (its own refresh, or a second visit) while the figures compute: no second job
    assert calls == ["glossgraph-overview_measures"] and RESULTS.computed["overview_measures"] == 0
    release.set()
    assert RESULTS.wait("overview_measures", source_version(FIXTURE), timeout=60)
    _run(at)
    assert not at.get("progress") and {m.label: m.value for m in at.metric}["Clusters"] == "2"
    assert [s.value for s in at.main.subheader][2:5] == ["Degree distribution", "Top hubs by degree",
                                                          "Top hubs by PageRank"]
    assert calls == ["glossgraph-overview_measures"] and RESULTS.computed["overview_measures"] == 1


def test_an_error_in_the_background_shows_once_and_can_be_retried(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graph.overview
    from graph.appcache import RESULTS, source_version

    real, calls = graph.overview.measures, []

    def broken(store: Any, top: int = 15, progress: Any = None) -> Any:
        calls.append(1)
        raise RuntimeError("the measures broke")

    monkeypatch.setattr(graph.overview, "measures", broken)
    at = _page(app, "overview")
    RESULTS.wait("overview_measures", source_version(FIXTURE), timeout=60)
    _run(at)
    _run(at)  # a failed computation is not started again by every refresh
    assert [e.value for e in at.error] == [
        "Something went wrong: RuntimeError: the measures broke (the source and this page are unchanged; "
        "try another view or source)"]
    assert calls == [1] and not at.get("progress")
    monkeypatch.setattr(graph.overview, "measures", real)
    at.button(key="ov_retry").click()
    _run(at)
    assert RESULTS.wait("overview_measures", source_version(FIXTURE), timeout=60)
    _run(at)
    assert not at.error and {m.label: m.value for m in at.metric}["Clusters"] == "2"


def test_overview_shows_the_roots_and_the_depths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_ENV, str(SKOS_HIERARCHY))
    at = _overview(AppTest.from_file(APP, default_timeout=60), SKOS_HIERARCHY)
    assert {m.label: m.value for m in at.metric}["Broader links"] == "11"
    depths, roots = (d.value.to_dict("records") for d in at.main.dataframe[:2])
    assert depths == [{"depth": 0, "concepts": 1}, {"depth": 1, "concepts": 5}, {"depth": 2, "concepts": 3}]
    assert roots == [{"root": "Vehicle", "id": "vehicle", "children": 5}]
    assert ("Roots (concepts with children and no parent): 1. Concepts with a parent or a child: 11; with "
            "neither: 2. On or below a cycle that no root reaches: 2.") in _markdown(at)


def test_snapshots_offer_every_format_and_compare(app: AppTest) -> None:
    from graph.exports import render
    from graph.stores import load_glossary

    at = _page(app, "snapshots")
    assert _keys(at, "export_") == [f"export_{fmt}" for fmt in ("json", "graphml", "gexf", "csv", "cypher", "html")]
    glossary = load_glossary(FIXTURE)
    glossary.concepts = [c for c in glossary.concepts if c.id != "ontology"]
    rendered = render(glossary, "json")
    assert isinstance(rendered, bytes)
    at.file_uploader(key="sn_upload").upload("graph.json", rendered, "application/json")
    _run(at)
    assert {m.label: m.value for m in at.metric}["Concepts added"] == "1"
    rows = at.main.dataframe[0].value.to_dict("records")
    assert {"what": "concept", "change": "added", "detail": "ontology"} in rows
    assert {"what": "link", "change": "added", "detail": "ontology -[related]-> taxonomy"} in rows


# -- Large glossaries ---------------------------------------------------------------------------


def test_counts_are_thousands_separated(large_app: AppTest) -> None:
    at = _page(large_app, "overview")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Concepts"] == "1,200"
    assert shown["Links"].count(",") == 1 and int(shown["Links"].replace(",", "")) > 10_000
    assert at.sidebar.caption[0].value.endswith(": 1,200 concepts (local store)")
    at.switch_page("graph/app/pages/audit.py")
    _run(at)
    assert [m.value for m in at.metric][:2] == ["1,200", shown["Links"]]




def test_audit_tables_are_paged_filtered_and_ranked(large_app: AppTest) -> None:
    from graph.audit import run_audit
    from graph.stores import open_store

    at = _page(large_app, "audit")
    expected = run_audit(open_store(str(at.session_state["source"].location)))
    findings = expected.findings["one_way_links"]
    assert len(findings) > 1000
    tab = _tab_of(at, "one_way_links")
    assert tab.label == f"one_way_links ({len(findings):,})"
    assert tab.caption[0].value == f"Rows 1-50 of {len(findings):,}"
    # Worklist rank first: the one-way links whose other side already mentions the first.
    ranked = [findings[i] for i in expected.ranked("one_way_links")]
    assert tab.dataframe[0].value.to_dict("records") == ranked[:50]
    assert expected.worth["one_way_links"][expected.ranked("one_way_links")[0]] > 0

    at.selectbox(key="au_order_one_way_links").select("as listed")
    at.selectbox(key="au_size_one_way_links").select(200)
    at.number_input(key="au_page_one_way_links").set_value(2)
    _run(at)
    tab = _tab_of(at, "one_way_links")
    assert tab.caption[0].value == f"Rows 201-400 of {len(findings):,}"
    assert tab.dataframe[0].value.to_dict("records") == findings[200:400]

    concept = findings[0]["source"]
    at.text_input(key="au_find_one_way_links").input(concept)
    at.number_input(key="au_page_one_way_links").set_value(1)
    _run(at)
    tab = _tab_of(at, "one_way_links")
    wanted = [f for f in findings if concept in (f["source"], f["target"])]
    assert tab.caption[0].value == (f"Rows 1-{len(wanted)} of {len(wanted)} matching "
                                     f"'{md_escape(concept)}' ({len(findings):,} in all)")
    assert tab.dataframe[0].value.to_dict("records") == wanted
    # Every other check keeps its own table and its own page.
    assert _tab_of(at, "broken_links").caption[0].value == f"Rows 1-50 of {expected.count('broken_links')}"
    # Its tab closed and opened again, a table keeps its filter and order (undrawn widgets are not forgotten).
    tab = _tab_of(at, "one_way_links")
    assert tab.caption[0].value.startswith(f"Rows 1-{len(wanted)} of {len(wanted)} matching")
    assert at.selectbox(key="au_order_one_way_links").value == "as listed"


def test_audit_marks_and_filters_logseq_placeholder_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_ENV, str(ROOT / "tests" / "data" / "dialects" / "logseq-graph"))
    at = _page(AppTest.from_file(APP, default_timeout=60), "audit")
    rows = _tab_of(at, "broken_links").dataframe[0].value.to_dict("records")
    assert [(r["target"], r["placeholder"]) for r in rows] == [
        ("biology", True), ("Food science", True), ("microbes", True), ("Technique", True),
        ("wild fermentation", True), ("Lactobacillus", True), ("pages/Missing Page", False), ("Jul 5th, 2024", True),
    ]
    at.selectbox(key="au_placeholder_broken_links").select("hidden")
    _run(at)
    tab = _tab_of(at, "broken_links")
    assert tab.caption[0].value == "Rows 1-1 of 1 without placeholder pages (8 in all)"
    assert [(r["target"], r["placeholder"]) for r in tab.dataframe[0].value.to_dict("records")] == [
        ("pages/Missing Page", False),
    ]
    at.selectbox(key="au_placeholder_broken_links").select("only")
    _run(at)
    assert _tab_of(at, "broken_links").caption[0].value == "Rows 1-7 of 7 placeholder pages only (8 in all)"
    # Checks without placeholders offer no such filter.
    assert [s.key for s in at.selectbox if s.key and s.key.startswith("au_placeholder_")] == [
        "au_placeholder_broken_links"
    ]


def test_audit_runs_once_per_source_version_across_pages_and_sessions(
    large_app: AppTest, large_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.appcache import RESULTS
    from graph.audit.report import AuditReport

    built: list[str] = []
    original = AuditReport.csv_text
    def counted(self: AuditReport, check: str) -> str:
        built.append(check)
        return original(self, check)

    monkeypatch.setattr(AuditReport, "csv_text", counted)
    import graph.audit.report

    audits: list[Any] = []
    run = graph.audit.report._run
    def counted_run(store: Any, chosen: Any, *args: Any) -> AuditReport:
        audits.append(chosen)
        return run(store, chosen, *args)

    monkeypatch.setattr(graph.audit.report, "_run", counted_run)
    at = _page(large_app, "audit")
    assert RESULTS.computed["audit"] == 1
    assert not built  # no CSV is built until its button is clicked
    # A worklist list's finding box, and its fix preview, opens only when asked for.
    assert not at.code and RESULTS.computed["fix"] == 0
    for name in ("wanted", "unlinked_mentions", "one_way_links"):
        at.toggle(key=f"au_open_{name}").set_value(True)
    _run(at)
    # Each previews its first finding's fix from the page's own audit and one index of the link
    # table: no audit of their checks again.
    previews = [c.value for c in at.code if c.language == "diff"]
    assert len(audits) == 1 and RESULTS.computed["repairs"] == 1 and RESULTS.computed["fix"] == 3, previews
    assert not at.get("progress")  # the progress bar is gone once the audit is done
    at.switch_page("graph/app/pages/explore.py")
    _run(at)
    at.switch_page("graph/app/pages/audit.py")
    _run(at)
    other = _page(AppTest.from_file(APP, default_timeout=60), "audit")  # a second session
    assert [m.value for m in other.metric][:1] == ["1,200"]
    assert RESULTS.computed["audit"] == 1
    # A new version of the source (its file touched) is audited afresh.
    stat = large_source.stat()
    import os

    os.utime(large_source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        third = AppTest.from_file(APP, default_timeout=60)
        third.run()
        from graph.app.common import _opened

        _opened.clear()
        _page(third, "audit")
        assert RESULTS.computed["audit"] == 2
    finally:
        os.utime(large_source, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_snapshots_export_nothing_until_asked_then_offer_the_file(app: AppTest) -> None:
    from graph.appcache import RESULTS, source_version
    from graph.exports import render
    from graph.stores import load_glossary

    at = _page(app, "snapshots")
    assert not at.get("download_button") and RESULTS.computed["export"] == 0
    assert not any("KB" in m or "MB" in m for m in _markdown(at))  # no sizes before an export exists
    at.button(key="export_json").click()
    _run(at)
    assert RESULTS.computed["export"] == 1
    assert [b.proto.label for b in at.get("download_button")] == ["Download json"]
    assert "export_json" not in _keys(at, "export_") and len(_keys(at, "export_")) == 5
    version = source_version(FIXTURE)
    built = RESULTS.peek("export", (version, "json"))
    assert built is not None
    assert built.path.read_bytes() == render(load_glossary(FIXTURE), "json")
    assert f"`graph.json`: canonical node-link JSON (stable bytes, diffs well in git) ({built.size / 1024:.0f} KB)" \
        in _markdown(at)
    assert not at.get("progress")  # the bar is gone once the file is written
    # Another session of the same source is offered the same file without exporting again.
    other = _page(AppTest.from_file(APP, default_timeout=60), "snapshots")
    assert [b.proto.label for b in other.get("download_button")] == ["Download json"]
    other.button(key="export_csv").click()
    _run(other)
    assert RESULTS.computed["export"] == 2
    csv = RESULTS.peek("export", (version, "csv"))
    assert csv is not None
    with zipfile.ZipFile(csv.path) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]


# -- Source ---------------------------------------------------------------------------------------


def test_a_bad_source_shows_file_and_line_and_keeps_the_graph(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PATH_ENV, str(BROKEN.parent))
    at = _page(app, "explore", concept="transformer")
    at.text_input(key="src_path").input(str(BROKEN))
    at.button(key="src_path_load").click()
    _run(at)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and f"`{BROKEN / 'bad.md'}`, line 4: invalid YAML" in errors[0]
    assert f"{display_path(FIXTURE)}: 10 concepts" in at.sidebar.caption[0].value.replace("\\", "")
    assert [h.value for h in at.header] == ["Transformer"]


def test_the_server_path_box_is_off_unless_a_root_is_allowed(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PATH_ENV, raising=False)
    at = _run(app)
    assert [t.key for t in at.sidebar.text_input if t.key == "src_path"] == []
    assert not _keys(at, "src_path")


@pytest.mark.parametrize("typed", ["/etc", "../../../../../../etc", "outside-link"])
def test_the_server_path_box_never_leaves_its_root(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, typed: str
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "outside-link").symlink_to(FIXTURE, target_is_directory=True)
    monkeypatch.setenv(ALLOW_PATH_ENV, str(root))
    at = _run(app)
    at.text_input(key="src_path").input(typed)
    at.button(key="src_path_load").click()
    _run(at)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "only paths inside root/ may be loaded" in errors[0].replace("\\", "")
    assert at.sidebar.caption[0].value.endswith(": 10 concepts (local store)")


#: An upload name that closes a code span and opens a link if the error box puts it in backticks.
PHISHING_NAME = "x` [Session expired - log in](https://evil.example) `.zip"


def test_an_upload_name_in_an_error_box_stays_text(app: AppTest) -> None:
    at = _run(app)
    at.file_uploader(key="src_upload").upload(PHISHING_NAME, b"PK not really a zip", "application/zip")
    _run(at)
    [error] = [e.value for e in at.sidebar.error]
    assert "not a readable zip archive" in error
    # The name is one code span its backticks cannot close: no markdown, no link.
    assert f"``{PHISHING_NAME}``" in error
    assert at.sidebar.caption[0].value.endswith(": 10 concepts (local store)")


def test_uploads_are_private_to_the_session_and_removed_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    monkeypatch.setenv(SOURCE_ENV, str(FIXTURE))
    at = _run(AppTest.from_file(APP, default_timeout=60))
    at.file_uploader(key="src_upload").upload(
        "two.json", b'{"concepts": [{"title": "One"}, {"title": "Two"}]}', "application/json"
    )
    _run(at)
    area = at.session_state["upload_area"]
    folder = area.folder
    assert folder.is_dir() and folder.name.startswith("session-") and area.used() > 0
    assert at.sidebar.caption[0].value.endswith(": 2 concepts (local store)")
    del area, at
    gc.collect()
    assert not folder.exists()


def test_a_zip_upload_becomes_the_source(app: AppTest) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(HOSTILE.iterdir()):
            archive.write(file, f"hostile/{file.name}")
    at = _run(app)
    at.file_uploader(key="src_upload").upload("hostile.zip", buffer.getvalue(), "application/zip")
    _run(at)
    assert not at.sidebar.error
    assert at.sidebar.caption[0].value.endswith(": 2 concepts (local store)")
    assert at.selectbox(key="ex_concept").value == "hostile"
    # Shown literally: escaped for markdown, never as HTML.
    assert [h.value for h in at.header] == ["\\<img src\\=x onerror\\=alert\\(1\\)\\> Hostile"]
    assert ("\\<script\\>alert\\(2\\)\\</script\\> is a definition that must show as text\\."
            in _markdown(at))


def test_an_unexpected_error_is_one_box_not_a_traceback(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.app.common as common

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom <b>bold</b>\nsecond line")

    monkeypatch.setattr(common, "neighbourhood_view", broken)
    monkeypatch.delenv("GLOSSGRAPH_DEBUG", raising=False)
    at = _page(app, "explore", concept="transformer")
    assert [e.value for e in at.main.error] == [
        "Something went wrong: RuntimeError: boom \\<b\\>bold\\</b\\> (the source and this page are unchanged; "
        "try another view or source)"
    ]
    monkeypatch.setenv("GLOSSGRAPH_DEBUG", "1")
    at.run()
    assert len(at.exception) == 1 and "boom" in at.exception[0].message  # the traceback, under --debug
    assert len(at.main.error) == 1


def test_card_shows_translations_escaped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SOURCE_ENV, str(ROOT / "tests" / "data" / "multilingual" / "statistics.yaml"))
    at = _page(AppTest.from_file(APP, default_timeout=60), "explore", concept="mean")
    assert ("**In other languages**\n\n- **de:** Mittelwert (Durchschnitt): Die Summe der Werte geteilt durch "
            "ihre Anzahl\\.") in _markdown(at)
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text("- slug: x\n  en: {term: X}\n  de: {term: '<b>*bold*</b> [a](javascript:x)'}\n",
                       encoding="utf-8")
    monkeypatch.setenv(SOURCE_ENV, str(hostile))
    at = _page(AppTest.from_file(APP, default_timeout=60), "explore", concept="x")
    line = next(m for m in _markdown(at) if m.startswith("**In other languages**"))
    assert "<b>" not in line and "*bold*" not in line and "](" not in line


def test_a_page_run_before_the_router_opens_the_default_source(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a fresh server does when its first request is /audit: the page script alone, no router.
    monkeypatch.setenv(SOURCE_ENV, str(FIXTURE))
    at = _run(AppTest.from_file(str(ROOT / "graph" / "app" / "pages" / "audit.py"), default_timeout=60))
    assert at.session_state["source"].location == str(FIXTURE)
    assert any(t.label.startswith("broken_links") for t in at.tabs)
