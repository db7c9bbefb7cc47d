"""Exports: every format but HTML loads back into an equal glossary and graph; bytes are stable; files are safe."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest

import loaders
from graph.errors import ExportError, LoadError
from graph.exports import EXPORT_FORMATS, csv_manifest, export, graph_records, render
from graph.exports.cypher import cypher_literal, split_statements
from graph.model import Concept, Glossary, Reference, Source

XSS_TITLE = "<img src=x onerror=alert(1)> and <script>alert('t')</script>"
LONG_DEFINITION = ("A very long definition, with commas; semicolons, \"quotes\" and ünïcödé. " * 1400)[:100_000]
LOADABLE = ("json", "graphml", "gexf", "csv")
FILE_NAME = {"json": "g.json", "graphml": "g.graphml", "gexf": "g.gexf", "csv": "g-csv", "cypher": "g.cypher",
             "html": "g.html"}


def awkward_glossary() -> Glossary:
    """Values that break naive writers: Unicode, quotes, newlines, commas, semicolons, empty fields, 100 KB, HTML."""
    return Glossary(
        [
            Concept(
                "quotes",
                'Quotes "double", \'single\' and `back`',
                definition='He said "it\'s fine", then left; later, he came back.',
                body="Line one,\nline two;\n\n\tindented line three\r\nwith a CR LF and a trailing backslash \\",
                aliases=("a;b", "c,d", 'say "hi"', "  padded  "),
                categories=("Models & Architecture", "Cat; with semicolon"),
                level="Intermediate",
                published="2026-W17",
                sources=(Source('Paper, "the one"; v2', "https://example.org/a?b=1&c=2"), Source("No URL")),
                related=(Reference("Ünïcödé — 日本語"), Reference("empty-fields"), Reference("Nowhere, Land; really"),
                         Reference("quotes", "wikilink"), Reference("empty-fields")),
            ),
            Concept(
                "unicode",
                "Ünïcödé — 日本語 🚀",
                definition="Zero-width\u200bjoiner, NBSP\u00a0here, RTL \u05e9\u05dc\u05d5\u05dd, emoji 🧠.",
                aliases=("ユニコード", "Ελληνικά"),
                categories=("Models & Architecture",),
                related=(Reference("xss", "wikilink"),),
                parents=(Reference("Long definition"),),
                deprecated=True,
                replaced_by="Ünïcödé — 日本語 🚀, \"v2\"; new",
            ),
            Concept("empty-fields", "Empty fields", level="", published=""),
            Concept("long", "Long definition", definition=LONG_DEFINITION, categories=("Cat; with semicolon",)),
            Concept("xss", XSS_TITLE, definition="<b>bold</b> & <a href='javascript:alert(1)'>link</a>",
                    aliases=("</script><script>alert(2)</script>",), categories=("<i>Cat</i>",),
                    related=(Reference("quotes"), Reference("<img src=y>")),
                    parents=(Reference("Ünïcödé — 日本語 🚀"), Reference('No parent; "here", really'))),
        ],
        category_parents={"Models & Architecture": ("AI", "Cat; with semicolon"), "AI": ()},
    )


@pytest.fixture(scope="module")
def sample(sample_dir: Path) -> Glossary:
    return loaders.load(sample_dir)


@pytest.fixture(params=["awkward", "sample"])
def glossary(request: pytest.FixtureRequest, sample: Glossary) -> Glossary:
    return awkward_glossary() if request.param == "awkward" else sample


def _records(glossary: Glossary) -> tuple[list[dict], list[dict]]:
    records = graph_records(glossary)
    return records.nodes, records.edges


@pytest.mark.parametrize("fmt", LOADABLE)
def test_export_loads_back_equal(glossary: Glossary, fmt: str, tmp_path: Path) -> None:
    path = export(glossary, fmt, tmp_path / FILE_NAME[fmt])
    back = loaders.load(path)
    assert back.same_content(glossary)
    assert back.category_parents == glossary.category_parents
    # Equal glossaries build equal graphs: every node with its attributes, every edge with via/written/count.
    assert _records(back) == _records(glossary)


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "cypher"])
def test_export_bytes_are_stable(glossary: Glossary, fmt: str, tmp_path: Path) -> None:
    first = render(glossary, fmt)
    assert render(glossary, fmt) == first
    shuffled = Glossary(list(reversed(glossary.concepts)), category_parents=dict(
        reversed(list(glossary.category_parents.items()))))
    assert render(shuffled, fmt) == first
    if fmt != "cypher":
        path = export(glossary, fmt, tmp_path / FILE_NAME[fmt])
        assert render(loaders.load(path), fmt) == first


def test_csv_bytes_are_stable(glossary: Glossary, tmp_path: Path) -> None:
    first = render(glossary, "csv")
    path = export(glossary, "csv", tmp_path / "out")
    assert render(loaders.load(path), "csv") == first
    assert sorted(p.name for p in path.iterdir()) == ["edges.csv", "manifest.json", "nodes.csv"]
    # The manifest holds hashes only (no date), so its bytes are stable too.
    assert isinstance(first, dict) and (path / "manifest.json").read_bytes() == csv_manifest(first)


def test_nodelink_is_canonical_and_networkx_reads_it() -> None:
    data = render(awkward_glossary(), "json")
    assert isinstance(data, bytes)
    document = json.loads(data)
    assert (document["format"], document["version"]) == ("glossgraph", 1)
    assert [n["id"] for n in document["nodes"]] == sorted(n["id"] for n in document["nodes"])
    # One node or link a line, keys sorted, so a changed concept is one changed line in git.
    lines = data.decode().splitlines()
    node_lines = [json.loads(line.rstrip(",")) for line in lines if line.startswith('{"') and '"kind"' in line]
    assert node_lines == document["nodes"]
    assert [json.dumps(n, ensure_ascii=False, sort_keys=True) for n in document["nodes"]] == [
        line.rstrip(",") for line in lines if '"kind"' in line]
    assert lines[0] == '{"directed": true,' and lines[-1] == '"version": 1}'
    quotes = next(n for n in document["nodes"] if n["id"] == "quotes")
    # The reference order is content: kept as authored, duplicates included.
    assert [r["target"] for r in quotes["related"]] == [
        "Ünïcödé — 日本語", "empty-fields", "Nowhere, Land; really", "quotes", "empty-fields"]
    graph = nx.node_link_graph(document, edges="links")
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.has_edge("quotes", "empty-fields", key="related")
    assert graph["quotes"]["empty-fields"]["related"]["count"] == 2


def _xml_graph(fmt: str, tmp_path: Path) -> nx.MultiDiGraph:
    path = export(awkward_glossary(), fmt, tmp_path / FILE_NAME[fmt])
    graph = nx.read_graphml(path, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(path)
    return graph


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_formats_read_by_networkx_with_typed_attributes(fmt: str, tmp_path: Path) -> None:
    graph = _xml_graph(fmt, tmp_path)
    nodes, edges = _records(awkward_glossary())
    assert sorted(graph.nodes) == [n["id"] for n in nodes]
    unicode = graph.nodes["unicode"]
    assert unicode["deprecated"] is True and graph.nodes["quotes"]["deprecated"] is False
    assert unicode["title"] == "Ünïcödé — 日本語 🚀"
    assert json.loads(unicode["aliases"]) == ["ユニコード", "Ελληνικά"]
    assert graph.nodes["long"]["definition"] == LONG_DEFINITION
    assert graph.nodes["quotes"]["body"].endswith("\r\nwith a CR LF and a trailing backslash \\")
    assert graph.nodes["xss"]["kind"] == "concept" and graph.nodes["missing:<img src=y>"]["kind"] == "missing"
    assert "level" not in graph.nodes["unicode"] and graph.nodes["empty-fields"]["level"] == ""
    found = sorted((s, t, d["type"]) for s, t, d in graph.edges(data=True))
    assert found == [(e["source"], e["target"], e["type"]) for e in edges]
    counts = {(s, t): d["count"] for s, t, d in graph.edges(data=True) if d["type"] == "related"}
    assert counts[("quotes", "empty-fields")] == 2 and isinstance(counts[("quotes", "empty-fields")], int)
    for _node, attrs in graph.nodes(data=True):
        assert all(isinstance(v, (str, bool, int)) for v in attrs.values())


def test_csv_read_by_pandas(tmp_path: Path) -> None:
    folder = export(awkward_glossary(), "csv", tmp_path / "csv")
    nodes = pd.read_csv(folder / "nodes.csv", keep_default_na=False, dtype=str)
    edges = pd.read_csv(folder / "edges.csv")
    expected_nodes, expected_edges = _records(awkward_glossary())
    assert list(nodes["id"]) == [n["id"] for n in expected_nodes]
    row = nodes.set_index("id").loc["quotes"]
    assert json.loads(str(row["aliases"])) == ["a;b", "c,d", 'say "hi"', "  padded  "]
    assert row["body"] == awkward_glossary().concepts[0].body
    assert nodes.set_index("id").loc["long"]["definition"] == LONG_DEFINITION
    assert nodes.set_index("id").loc["xss"]["title"] == XSS_TITLE
    assert len(edges) == len(expected_edges)
    assert set(edges["type"]) == {"related", "broader", "alias", "category"}
    assert edges[edges["type"] == "related"]["count"].sum() == sum(
        e.get("count", 0) for e in expected_edges if e["type"] == "related")
    assert edges[edges["type"] == "broader"]["count"].sum() == 3


def test_csv_keeps_empty_text_apart_from_absent_values(tmp_path: Path) -> None:
    back = loaders.load(export(awkward_glossary(), "csv", tmp_path / "csv")).by_id()
    assert (back["empty-fields"].level, back["empty-fields"].published) == ("", "")
    assert (back["unicode"].level, back["unicode"].published) == (None, None)


# -- the HTML view ------------------------------------------------------------------------


def test_html_is_offline_and_escaped(tmp_path: Path) -> None:
    path = export(awkward_glossary(), "html", tmp_path / "g.html", heading=XSS_TITLE)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.I)
    assert "<img src=x" not in page
    assert "</script><script>alert(2)" not in page
    # Our own scripts only: the inlined vis-network library and the drawing code.
    assert page.count("<script") == len(re.findall(r"<script>|<script ", page))
    assert "alert(2)" not in re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the heading, as text
    assert "stabilizationIterationsDone" in page


# -- atomic writes and overwriting ----------------------------------------------------------


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_never_overwrites_without_force(fmt: str, tmp_path: Path) -> None:
    glossary = awkward_glossary()
    path = export(glossary, fmt, tmp_path / FILE_NAME[fmt])
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ExportError, match="already exists; use --force"):
        export(glossary, fmt, path)
    export(Glossary([Concept("solo", "Solo")]), fmt, path, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary file left behind
    if fmt in LOADABLE:
        assert [c.id for c in loaders.load(path).concepts] == ["solo"]


def test_export_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="did not write; refusing"):
        export(awkward_glossary(), "csv", folder, force=True)
    with pytest.raises(ExportError, match="did not write; refusing"):
        export(awkward_glossary(), "json", folder, force=True)
    assert (folder / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_failed_export_leaves_the_old_file_and_no_debris(fmt: str, tmp_path: Path) -> None:
    path = export(awkward_glossary(), fmt, tmp_path / FILE_NAME[fmt])
    old = path.read_bytes()
    bad = Glossary([Concept("bell", "Bell \x07 character")])
    with pytest.raises(ExportError, match=r"control character in 'title' of 'bell'"):
        export(bad, fmt, path, force=True)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_export_into_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export(awkward_glossary(), "json", tmp_path / "no" / "g.json")


# -- Cypher literals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("plain", "'plain'"),
        ("it's", r"'it\'s'"),
        ('say "hi"', "'say \"hi\"'"),
        ("back\\slash", r"'back\\slash'"),
        ("two\nlines\r\n", r"'two\nlines\r\n'"),
        ("tab\there", r"'tab\there'"),
        ("bell\x07 nul\x00", r"'bell\u0007 nul\u0000'"),
        ("line\u2028sep", r"'line\u2028sep'"),
        ("日本語 🚀", "'日本語 🚀'"),
        ("'}) DETACH DELETE n //", r"'\'}) DETACH DELETE n //'"),
        (None, "null"),
        (True, "true"),
        (7, "7"),
        (["a", None], "['a', null]"),
        ({"k": "v;"}, "{k: 'v;'}"),
    ],
)
def test_cypher_literal(value: object, literal: str) -> None:
    assert cypher_literal(value) == literal


def test_cypher_script_splits_into_its_statements() -> None:
    script = render(awkward_glossary(), "cypher", dataset="it's \"mine\"")
    assert isinstance(script, bytes)
    statements = split_statements(script.decode())
    assert [s.split()[0] for s in statements] == ["CREATE"] * 4 + ["MATCH"] + ["UNWIND"] * (len(statements) - 5)
    assert not any(s.rstrip().endswith(";") for s in statements)
    assert "dataset = 'it\\'s \"mine\"'" in statements[4]


# -- bad files ------------------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bad_exports_name_the_file_and_line(tmp_path: Path) -> None:
    glossary = Glossary([Concept("a", "A", aliases=("x",)), Concept("b", "B")])
    graphml = export(glossary, "graphml", tmp_path / "g.graphml")
    _edit(graphml, '["x"]', '["x"')
    with pytest.raises(LoadError) as error:
        loaders.load(graphml)
    node_line = graphml.read_text(encoding="utf-8").splitlines().index('    <node id="a">') + 1
    assert error.value.file == str(graphml) and error.value.line == node_line
    assert "node 'a': field 'aliases' is not valid JSON" in str(error.value)

    nodelink = export(glossary, "json", tmp_path / "g.json")
    _edit(nodelink, '"title": "B"', '"title": 7')
    with pytest.raises(LoadError, match=r"node 'b': title must be text, not 7"):
        loaders.load(nodelink)
    _edit(nodelink, '"version": 1', '"version": 99')
    with pytest.raises(LoadError, match="format version 99 is newer"):
        loaders.load(nodelink)
    _edit(nodelink, "{", "{{")
    with pytest.raises(LoadError) as error:
        loaders.load(nodelink)
    assert error.value.line == 1 and "invalid JSON" in str(error.value)

    folder = export(glossary, "csv", tmp_path / "csv")
    _edit(folder / "nodes.csv", "b,concept,B,", "b,concept,B,,")
    with pytest.raises(LoadError) as error:
        loaders.load(folder)
    assert error.value.file == str(folder / "nodes.csv") and error.value.line == 4
    columns = len((folder / "nodes.csv").read_text(encoding="utf-8").splitlines()[0].split(","))
    assert f"{columns + 1} cells where the header has {columns}" in str(error.value)


def test_duplicate_node_ids_are_refused(tmp_path: Path) -> None:
    path = export(Glossary([Concept("a", "A"), Concept("b", "B")]), "gexf", tmp_path / "g.gexf")
    _edit(path, '<node id="b"', '<node id="a"')
    with pytest.raises(LoadError, match="node 'a': duplicate node id"):
        loaders.load(path)


def test_lenient_load_skips_a_bad_node(tmp_path: Path) -> None:
    path = export(Glossary([Concept("a", "A"), Concept("b", "B")]), "json", tmp_path / "g.json")
    _edit(path, '"deprecated": false', '"deprecated": "perhaps"')
    glossary = loaders.load(path, lenient=True)
    assert [c.id for c in glossary.concepts] == ["b"]
    assert [p.message for p in glossary.problems] == ["node 'a': deprecated must be true or false, not 'perhaps'"]


def test_detects_exports_by_content(tmp_path: Path) -> None:
    glossary = awkward_glossary()
    found = {}
    for fmt in LOADABLE:
        path = export(glossary, fmt, tmp_path / FILE_NAME[fmt])
        found[fmt] = loaders.detect_format(path)
    assert found == {"json": "nodelink", "graphml": "graphml", "gexf": "gexf", "csv": "csv-graph"}
    assert io.BytesIO(render(glossary, "json")).read(2) == b'{"'  # type: ignore[arg-type]


# -- streaming node-link JSON ---------------------------------------------------------------------

APP_GLOSSARY = Path(__file__).resolve().parent / "data" / "app" / "glossary"


def _in_memory_nodelink(glossary: Glossary) -> bytes:
    """The node-link bytes as the writer made them before it streamed: the whole document, then one join."""
    import json

    from graph.exports.records import FORMAT, FORMAT_VERSION, stream_records

    nodes, edges, _count = stream_records(glossary)
    data: dict[str, Any] = {
        "format": FORMAT, "version": FORMAT_VERSION, "directed": True, "multigraph": True, "graph": {},
        "nodes": nodes, "links": [{**edge, "key": edge["type"]} for edge in edges],
    }

    def one_per_line(items: list[dict]) -> str:
        if not items:
            return "[]"
        return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items) + "\n]"

    parts = []
    for key in sorted(data):
        value = data[key]
        text = one_per_line(value) if key in ("nodes", "links") else json.dumps(value, ensure_ascii=False,
                                                                                  sort_keys=True)
        parts.append(f"{json.dumps(key)}: {text}")
    return ("{" + ",\n".join(parts) + "}\n").encode("utf-8")


@pytest.mark.parametrize(
    ("name", "source"),
    [("awkward", awkward_glossary), ("app", lambda: loaders.load(APP_GLOSSARY)),
     ("empty", lambda: Glossary([]))],
)
def test_streamed_nodelink_is_byte_equal_to_the_in_memory_writer(name: str, source: object, tmp_path: Path) -> None:
    from graph.exports.nodelink import write_nodelink
    from graph.exports.records import stream_records

    glossary = source()  # type: ignore[operator]
    golden = _in_memory_nodelink(glossary)
    assert export(glossary, "json", tmp_path / "g.json").read_bytes() == golden
    assert render(glossary, "json") == golden
    # In chunks far smaller than the document, with progress reported up to the total.
    import graph.exports.nodelink as nodelink

    seen: list[tuple[int, int]] = []
    out = io.BytesIO()
    nodes, edges, count = stream_records(glossary)
    original, nodelink._CHUNK = nodelink._CHUNK, 3
    try:
        write_nodelink(nodes, edges, count, out, lambda done, total: seen.append((done, total)))
    finally:
        nodelink._CHUNK = original
    assert out.getvalue() == golden
    total = len(nodes) + count
    assert seen[-1] == (total, total) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) >= total // 3


def test_cli_json_export_streams_the_same_bytes_and_reports_progress(tmp_path: Path) -> None:
    from graph.cli import main

    assert main(["export", str(APP_GLOSSARY), "--format", "json", "-o", str(tmp_path / "g.json")]) == 0
    assert (tmp_path / "g.json").read_bytes() == _in_memory_nodelink(loaders.load(APP_GLOSSARY))
    steps: list[tuple[float, str]] = []
    export(awkward_glossary(), "graphml", tmp_path / "g.graphml", progress=lambda s, step: steps.append((s, step)))
    assert steps[0] == (0.0, "building the graphml export") and steps[-1] == (1.0, "done")
