"""The library side of the app: pyvis rendering, uploads, deep links, safe text and overview figures."""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from pathlib import Path

import networkx as nx
import pytest

import loaders
from graph.appstate import (
    ExploreState,
    PathsState,
    SourceSpec,
    md_escape,
    parse_explore,
    parse_paths,
    safe_url,
    save_upload,
)
from graph.errors import LoadError
from graph.hierarchy import Chain, Hierarchy, Root
from graph.local import LocalStore
from graph.model import Concept, Glossary, Reference
from graph.overview import HierarchyFigures, measures, overview, pagerank, summary
from graph.render import MAX_NODES, DrawEdge, DrawNode, category_colours, network_html, render_html

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"


def _store() -> LocalStore:
    return LocalStore(
        Glossary(
            [
                Concept("a", HOSTILE, definition=SCRIPT, categories=("Cat & <Co>",),
                        related=(Reference("b"), Reference("nowhere"))),
                Concept("b", "Beta", aliases=("B",), categories=("Other",), related=(Reference("a"),)),
                Concept("c", "Gamma", related=(Reference("b"),)),
            ]
        )
    )


def _data(html: str, name: str) -> list[dict]:
    match = re.search(rf"var {name}Data = (\[.*?\]);\n", html)
    assert match, name
    return json.loads(match.group(1))


# -- rendering ------------------------------------------------------------------------------------


def test_render_is_offline_and_loads_nothing_from_the_network() -> None:
    html = render_html(_store(), center="a", depth=2, edge_types=["related", "alias", "category"])
    assert re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=", html, re.IGNORECASE) == []
    assert "default-src 'none'" in html
    assert "vis.Network" in html and "var nodes, edges, network" in html


def test_render_keeps_hostile_text_as_data_only() -> None:
    html = render_html(_store(), center="a", depth=1, edge_types=["related", "category"])
    # Raw markup never appears in the page; inside the script it is JSON with <, > and & escaped.
    assert HOSTILE not in html and SCRIPT not in html and "<Co>" not in html
    nodes = {n["id"]: n for n in _data(html, "node")}
    assert nodes["a"]["label"] == HOSTILE
    assert nodes["a"]["title"] == f"{HOSTILE}\ncategory: Cat & <Co>\n{SCRIPT}"
    assert nodes["category:cat & <co>"]["label"] == "Cat & <Co>"
    # The legend is HTML: escaped there.
    assert "<span>Cat &amp; &lt;Co&gt;</span>" in html


def test_neighbourhood_marks_centre_orphans_and_missing_targets() -> None:
    html = render_html(_store(), center="a", depth=1)
    nodes = {n["id"]: n for n in _data(html, "node")}
    assert sorted(nodes) == ["a", "b", "missing:nowhere"]
    assert nodes["a"]["borderWidth"] == 4  # the centre
    assert nodes["missing:nowhere"]["shape"] == "square"
    assert nodes["missing:nowhere"]["shapeProperties"] == {"borderDashes": [4, 3]}
    edges = sorted((e["from"], e["to"], e["type"]) for e in _data(html, "edge"))
    assert edges == [("a", "b", "related"), ("a", "missing:nowhere", "related"), ("b", "a", "related")]
    whole = render_html(_store())
    whole_nodes = {n["id"]: n for n in _data(whole, "node")}
    # c has no incoming link: an orphan, outlined with dashes.
    assert whole_nodes["c"]["shapeProperties"] == {"borderDashes": [4, 3]}
    assert "shapeProperties" not in whole_nodes["b"]


def test_size_grows_with_degree_and_colour_follows_category() -> None:
    html = render_html(_store())
    nodes = {n["id"]: n for n in _data(html, "node")}
    assert nodes["b"]["size"] > nodes["c"]["size"]  # b links with a and c; c only with b
    colours = category_colours(["Other", "Cat & <Co>"])
    assert nodes["a"]["color"]["background"] == colours["Cat & <Co>"]
    assert nodes["b"]["color"]["background"] == colours["Other"]
    assert nodes["c"]["color"]["background"] == "#bab0ac"  # no category


def test_physics_stops_after_stabilisation() -> None:
    html = render_html(_store())
    assert 'network.once("stabilizationIterationsDone", settle)' in html
    assert "network.setOptions({ physics: false })" in html
    found = re.search(r"var options = (\{.*?\});\n", html)
    assert found is not None
    options = json.loads(found.group(1))
    assert options["physics"]["stabilization"] == {"enabled": True, "iterations": 250, "updateInterval": 25,
                                                   "fit": True}


@pytest.mark.parametrize(("count", "note"), [(5, "5 nodes"), (MAX_NODES + 20, f"showing {MAX_NODES} of 320 nodes")])
def test_large_pictures_are_cut_with_a_note(count: int, note: str) -> None:
    nodes = [DrawNode(f"n{i}", f"N{i}") for i in range(count)]
    edges = [DrawEdge(f"n{i}", f"n{i + 1}") for i in range(count - 1)]
    html = network_html(nodes, edges)
    assert len(_data(html, "node")) == min(count, MAX_NODES)
    assert len(_data(html, "edge")) == min(count, MAX_NODES) - 1
    shown = re.search(r'<div id="note" class="note[^"]*">([^<]*)</div>', html)
    assert shown is not None and shown.group(1) == note


# -- uploads --------------------------------------------------------------------------------------


def _zip(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_upload_of_a_file_lands_under_its_content_hash(tmp_path: Path) -> None:
    first = save_upload("my glossary.json", b'{"concepts": []}', tmp_path)
    again = save_upload("my glossary.json", b'{"concepts": []}', tmp_path)
    assert first == again and first.name == "my_glossary.json" and first.read_bytes() == b'{"concepts": []}'
    assert first.parent.parent == tmp_path


def test_zip_upload_unpacks_into_its_folder(tmp_path: Path) -> None:
    path = save_upload("notes.zip", _zip({"notes/a.md": b"# A", "notes/sub/b.md": b"# B"}), tmp_path)
    assert path.name == "notes" and sorted(p.name for p in path.rglob("*.md")) == ["a.md", "b.md"]
    assert tmp_path in path.parents


@pytest.mark.parametrize(
    ("members", "symlink", "message"),
    [
        ({"../evil.md": b"x"}, None, "leaves its folder"),
        ({"notes/../../evil.md": b"x"}, None, "leaves its folder"),
        ({"/etc/evil.md": b"x"}, None, "absolute path"),
        ({"C:/evil.md": b"x"}, None, "absolute path"),
        ({"a.md": b"x"}, "link.md", "symbolic link"),
    ],
)
def test_zip_members_cannot_escape(tmp_path: Path, members: dict[str, bytes], symlink: str | None,
                                   message: str) -> None:
    with pytest.raises(LoadError, match=message) as caught:
        save_upload("bad.zip", _zip(members, symlink), tmp_path / "uploads")
    assert caught.value.file == "bad.zip"
    assert not (tmp_path / "evil.md").exists() and not list(tmp_path.rglob("evil.md"))


@pytest.mark.parametrize(
    ("name", "data", "limit", "message"),
    [
        ("big.json", b"x" * 101, 100, "over the"),
        ("bomb.zip", None, 1000, "unpacks to over"),
        ("broken.zip", b"PK not really", 1000, "not a readable zip"),
    ],
)
def test_size_limits(tmp_path: Path, name: str, data: bytes | None, limit: int, message: str) -> None:
    payload = data if data is not None else _zip({"a.md": b"0" * 5000})
    with pytest.raises(LoadError, match=message):
        save_upload(name, payload, tmp_path, limit=limit)


# -- deep links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "state"),
    [
        ({}, ExploreState()),
        ({"concept": "foundation-model", "depth": "2"}, ExploreState("foundation-model", 2)),
        ({"concept": " rag ", "depth": "7", "direction": "sideways"}, ExploreState("rag", 3)),
        ({"depth": "x", "edges": "category,related,bogus", "direction": "in"},
         ExploreState(None, 1, ("related", "category"), "in")),
        ({"concept": ["a", "b"], "depth": "0"}, ExploreState("a", 1)),
    ],
)
def test_parse_explore(params: dict, state: ExploreState) -> None:
    assert parse_explore(params) == state


def test_explore_state_round_trips_through_the_url() -> None:
    state = ExploreState("rag", 3, ("related", "alias"), "out")
    assert state.to_params() == {"concept": "rag", "depth": "3", "edges": "related,alias", "direction": "out"}
    assert parse_explore(state.to_params()) == state


def test_paths_state_round_trips_through_the_url() -> None:
    state = PathsState("a", "b", 5, 4, ("related", "category"), "out", ("c", "d"))
    params = state.to_params()
    assert params == {"from": "a", "to": "b", "k": "5", "max": "4", "edges": "related,category",
                      "direction": "out", "avoid": "c,d"}
    assert parse_paths(params) == state
    assert PathsState().to_params() == {}


# -- safe text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (HOSTILE, r"\<img src\=x onerror\=alert\(1\)\>"),
        ("**bold** _it_ [link](javascript:x)", r"\*\*bold\*\* \_it\_ \[link\]\(javascript\:x\)"),
        (":red[alarm] $x$", r"\:red\[alarm\] \$x\$"),
        ("two\nlines", "two lines"),
    ],
)
def test_md_escape(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/x", "https://example.org/x"),
        ("http://example.org/a (b)", "http://example.org/a%20%28b%29"),
        ("javascript:alert(1)", None),
        ("data:text/html,<b>", None),
        ("//example.org", None),
    ],
)
def test_safe_url(url: str, safe: str | None) -> None:
    assert safe_url(url) == safe


def test_source_spec_never_shows_the_password() -> None:
    spec = SourceSpec("neo4j://127.0.0.1:7687", dataset="ai", user="neo4j", password="s3cret")
    assert "s3cret" not in repr(spec) and "s3cret" not in spec.describe()
    assert spec.describe() == "neo4j://127.0.0.1:7687 (dataset ai)" and spec.is_neo4j


# -- overview -------------------------------------------------------------------------------------


def test_overview_figures() -> None:
    figures = overview(_store())
    quick, slow = figures.summary, figures.measures
    assert quick.categories == (("(no category)", 1), ("Cat & <Co>", 1), ("Other", 1))
    assert slow.degree_histogram == ((1, 2), (2, 1))
    assert [h.id for h in slow.hubs_by_degree] == ["b", "a", "c"]
    assert [(h.in_degree, h.out_degree) for h in slow.hubs_by_degree] == [(2, 1), (1, 1), (0, 1)]
    assert slow.hubs_by_pagerank[0].id in {"a", "b"} and slow.hubs_by_pagerank[-1].id == "c"
    assert slow.cluster_sizes == (3,)
    assert quick.stats.concepts == 3 and quick.stats.broken_links == 1
    assert quick.hierarchy == HierarchyFigures((), (), 0, 0, 3)


def test_overview_measures_report_their_steps() -> None:
    steps: list[tuple[float, str]] = []
    figures = measures(_store(), progress=lambda share, step: steps.append((share, step)))
    assert figures.cluster_sizes == (3,)
    assert [step for _, step in steps] == ["reading the links", "counting degrees", "PageRank", "finding the clusters",
                                           "done"]
    assert [share for share, _ in steps] == sorted(share for share, _ in steps) and steps[-1][0] == 1.0


def test_hierarchy_figures_roots_depths_and_chains() -> None:
    # The SKOS fixture: Vehicle is the one root; Chicken and Egg are each other's parent (no root
    # reaches them); Garage and Velocipede have no parent and no child.
    store = LocalStore(loaders.load(ROOT / "tests" / "data" / "skos" / "hierarchy.ttl"))
    figures = summary(store).hierarchy
    assert figures.roots == (Root("vehicle", "Vehicle", 5),)
    assert figures.depths == ((0, 1), (1, 5), (2, 3))
    assert (figures.members, figures.unrooted, figures.outside) == (11, 2, 2)
    tree = Hierarchy.from_store(store)
    assert tree.chains("pickup") == ([Chain(("vehicle", "car", "pickup")), Chain(("vehicle", "truck", "pickup"))],
                                     False)
    assert tree.chains("pickup", limit=1) == ([Chain(("vehicle", "car", "pickup"))], True)
    assert tree.chains("chicken") == ([Chain(("egg", "chicken"), cycle=True)], False)
    assert tree.chains("vehicle") == ([], False) and tree.children["vehicle"] == (
        "automobile", "bicycle", "car", "scooter", "truck")


def test_pagerank_matches_networkx_definition() -> None:
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    graph = nx.gnp_random_graph(60, 0.05, directed=True, seed=7)
    ours, theirs = pagerank(graph), _pagerank_python(graph)
    assert max(abs(ours[n] - theirs[n]) for n in graph) < 1e-9
    assert pagerank(nx.DiGraph()) == {}


# -- the session's upload area ---------------------------------------------------------------------


def test_an_upload_area_evicts_its_oldest_uploads_to_stay_under_quota(tmp_path: Path) -> None:
    from graph.appstate import UploadArea

    area = UploadArea(tmp_path, quota=250, limit=200)
    first = area.save("a.json", b"a" * 100)
    second = area.save("b.json", b"b" * 100)
    assert first.is_file() and second.is_file() and area.used() == 200
    third = area.save("c.json", b"c" * 100, keep=second)
    assert not first.exists() and second.is_file() and third.is_file() and area.used() == 200
    # The source in use is never evicted: with it kept, a new upload that does not fit is refused.
    with pytest.raises(LoadError, match="reload the page"):
        area.save("d.json", b"d" * 200, keep=third)
    assert second.is_file() and third.is_file(), "a refused upload evicts nothing"
    with pytest.raises(LoadError, match="over the session's"):
        area.save("e.json", b"e" * 300)


def test_an_upload_area_is_removed_on_close_and_when_collected(tmp_path: Path) -> None:
    import gc

    from graph.appstate import UploadArea

    closed = UploadArea(tmp_path)
    closed.save("a.json", b"{}")
    closed.close()
    assert closed.closed and not closed.folder.exists()
    dropped = UploadArea(tmp_path)
    dropped.save("notes.zip", _zip({"notes/a.md": b"# A"}))
    folder = dropped.folder
    del dropped
    gc.collect()
    assert not folder.exists() and list(tmp_path.iterdir()) == []


def test_a_new_upload_area_sweeps_session_folders_a_stopped_server_left(tmp_path: Path) -> None:
    import os

    from graph.appstate import STALE_UPLOAD_SECONDS, UploadArea

    stale = tmp_path / "session-0123456789abcdef"
    (stale / "digest").mkdir(parents=True)
    (stale / "digest" / "g.json").write_text("{}", encoding="utf-8")
    old = stale.stat().st_mtime - STALE_UPLOAD_SECONDS - 60
    os.utime(stale, (old, old))
    fresh = tmp_path / "session-fedcba9876543210"
    fresh.mkdir()
    area = UploadArea(tmp_path)
    assert not stale.exists() and fresh.is_dir() and area.folder.is_dir()


def test_a_failed_file_upload_leaves_no_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(self: Path, data: bytes) -> int:
        Path.write_text(self, "half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError, match="No space"):
        save_upload("g.json", b"{}", tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_server_does_not_collect_garbage_after_every_run() -> None:
    """Streamlit's full collection after each script run walked a 100k store on every page (3-4 s)."""
    from graph.cli.app import streamlit_command

    command = streamlit_command(8501, "127.0.0.1")
    assert command[command.index("--runner.postScriptGC") + 1] == "false"
    assert command[command.index("--server.port") + 1] == "8501"
