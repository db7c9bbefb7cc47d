"""OBO ontologies: a small .obo file loads into an exactly known glossary, its is_a as broader links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import loaders
from graph.audit import run_audit
from graph.cli import main
from graph.errors import LoadError
from graph.exports import export
from graph.local import LocalStore
from graph.model import Concept, Reference, Source

OBO = Path(__file__).parent / "data" / "obo" / "mini.obo"


def test_obo_loads_exactly() -> None:
    glossary = loaders.load(OBO)
    assert glossary.format == "obo"
    assert glossary.concepts == [
        Concept("MINI:0000001", "learning system", "A system that improves with experience.",
                categories=("Core terms",)),
        Concept("MINI:0000002", "neural network", "Layers of weighted sums and non-linear functions.",
                aliases=("NN", "artificial neural network", "neural net"), categories=("Core terms",),
                sources=(Source("Wikipedia:Artificial_neural_network"),), parents=(Reference("MINI:0000001"),)),
        Concept("MINI:0000003", "transformer", "A network that mixes tokens with attention.",
                categories=("Core terms", "Extra terms"), parents=(Reference("MINI:0000002"),),
                related=(Reference("MINI:0000004", relation="has_part"),)),
        Concept("MINI:0000004", "attention layer", sources=(Source("https://example.org/attention",
                                                                   "https://example.org/attention"),),
                parents=(Reference("MINI:0000002"),), related=(Reference("MINI:0000003", relation="part_of"),)),
        Concept("MINI:0000005", "perceptron network", deprecated=True, replaced_by="MINI:0000002"),
        # The synonym equal to the name is no alias; EXT:0000001 is imported, not declared: a broken link.
        Concept("MINI:0000006", "recurrent network", aliases=("RNN",),
                parents=(Reference("MINI:0000002"), Reference("EXT:0000001")),
                related=(Reference("MINI:0000005", relation="related_to"),
                         Reference("MINI:0000003", relation="part_of"))),
    ]
    # Each concept's line is its [Term] header's.
    assert [c.origin.line for c in glossary if c.origin] == [8, 14, 25, 34, 41, 48]


def test_obo_graph_stats_and_audit() -> None:
    store = LocalStore(loaders.load(OBO))
    stats = store.stats()
    assert (stats.concepts, stats.links, stats.broader, stats.aliases, stats.categories, stats.broken_links) == (
        6, 4, 4, 4, 2, 1)
    checks = run_audit(store).to_json()["checks"]
    # Located at the [Term] frame that writes the link.
    assert checks["broken_links"] == [{"source": "MINI:0000006", "target": "EXT:0000001", "file": "mini.obo",
                                       "line": 48}]
    assert checks["deprecated_links"] == [
        {"source": "MINI:0000006", "target": "MINI:0000005", "kind": "related", "replaced_by": "MINI:0000002",
         "file": "mini.obo", "line": 48}]
    assert checks["orphans"] == [] and checks["polyhierarchy"] == [] and checks["hierarchy_cycles"] == []
    [path] = store.paths("transformer", "learning system", k=1, edge_types=["broader"])
    assert [h.type for h in path.hops] == ["broader", "broader"]


def test_obo_is_detected_by_its_header_whatever_its_name(tmp_path: Path) -> None:
    copy = tmp_path / "ontology.txt"
    copy.write_bytes(OBO.read_bytes())
    assert loaders.detect_format(copy) == "obo"
    assert loaders.load(copy).same_content(loaders.load(OBO))
    other = tmp_path / "notes.txt"
    other.write_text("format version: 1.2\n", encoding="utf-8")
    with pytest.raises(LoadError, match="unknown file type"):
        loaders.detect_format(other)


def test_path_hops_show_the_relation_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["path", str(OBO), "attention layer", "recurrent network"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "path 1 (2 hops)",
        "  attention layer (MINI:0000004)",
        "    --related: part_of--> transformer (MINI:0000003)",
        "    <--related: part_of-- recurrent network (MINI:0000006)",
    ]
    assert main(["path", str(OBO), "recurrent network", "neural network", "--edge-types", "related,broader",
                 "--format", "json"]) == 0
    hops = [p["hops"] for p in json.loads(capsys.readouterr().out)["paths"]]
    # A broader hop and a plain link have no relation key; a relationship's hop names its relation.
    assert hops[0] == [{"source": "MINI:0000006", "target": "MINI:0000002", "type": "broader", "forward": True}]
    assert hops[1][0] == {"source": "MINI:0000006", "target": "MINI:0000003", "type": "related", "forward": True,
                          "relation": "part_of"}


@pytest.mark.parametrize("fmt", ["json", "graphml", "csv"])
def test_obo_relations_survive_an_export(tmp_path: Path, fmt: str) -> None:
    glossary = loaders.load(OBO)
    back = loaders.load(export(glossary, fmt, tmp_path / f"mini.{fmt}"))
    assert back.same_content(glossary)
    assert back.by_id()["MINI:0000003"].related[0].relation == "has_part"


def test_broken_obo_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.obo"
    lines = OBO.read_text(encoding="utf-8").splitlines()
    lines[20] = "is_a MINI:0000001"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LoadError) as error:
        loaders.load(bad)
    assert error.value.file == str(bad) and error.value.line == 21
    assert "invalid OBO" in str(error.value)
