"""The query commands through the CLI entry point: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.cli import main

SMALL = str(Path(__file__).parent / "data" / "cli" / "small.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_stats_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", SMALL, "--format", "json")
    assert code == 0
    data = json.loads(out)
    counts = (data["concepts"], data["links"], data["aliases"], data["categories"], data["broken_links"])
    assert counts == (7, 6, 2, 2, 1)


def test_load_summarises(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "load", SMALL)
    assert code == 0 and "loaded 7 concepts" in out and "broken links" in out


def test_search_json_and_nothing_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", SMALL, "dee", "--format", "json")
    assert code == 0
    hit = {"id": "d", "title": "Delta", "matched": "dee", "score": 100.0}
    assert json.loads(out) == {"query": "dee", "results": [hit]}
    code, out, _ = run(capsys, "search", SMALL, "qqqqqqqq", "--format", "json")
    assert code == 1 and json.loads(out)["results"] == []


def test_show_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", SMALL, "Gamma", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["id"], data["links"], data["backlinks"], data["broken"]) == ("c", ["a"], ["a", "b"], ["Nowhere"])
    code, out, _ = run(capsys, "show", SMALL, "dee")
    assert code == 0 and "Fourth." in out and "Alpha (a)" in out


def test_show_unknown_concept_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show", SMALL, "Omega")
    assert code == 1 and err.strip() == "error: no concept matches 'Omega'"


def test_neighbours_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "neighbours", SMALL, "a", "--depth", "2", "--direction", "out", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [(n["id"], n["distance"]) for n in data["nodes"]] == [
        ("a", 0), ("b", 1), ("c", 1), ("d", 1), ("e", 2), ("missing:nowhere", 2)]
    assert data["nodes"][4] == {"id": "e", "kind": "concept", "title": "Epsilon", "category": "Letters", "distance": 2}
    assert {"source": "d", "target": "e", "type": "related"} in data["edges"]
    assert data["truncated"] is False and data["center"] == "a" and data["depth"] == 2


def test_path_json_labels_hops(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "path", SMALL, "Beta", "Epsilon", "--format", "json", "-k", "1")
    assert code == 0
    assert json.loads(out) == {
        "from": "b",
        "to": "e",
        "paths": [{
            "length": 3,
            "concepts": ["b", "a", "d", "e"],
            "hops": [
                {"source": "b", "target": "a", "type": "related", "forward": False},
                {"source": "a", "target": "d", "type": "related", "forward": True},
                {"source": "d", "target": "e", "type": "related", "forward": True},
            ],
        }],
    }


def test_path_table_and_no_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "path", SMALL, "b", "e", "--avoid", "c")
    assert code == 0 and "--related-->" in out and "<--related--" in out and "Epsilon (e)" in out
    code, out, err = run(capsys, "path", SMALL, "a", "Zeta")
    assert code == 1 and "no path from 'a' to 'Zeta'" in err
    code, out, _ = run(capsys, "path", SMALL, "a", "Zeta", "--format", "json")
    assert code == 1 and json.loads(out)["paths"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "/no/such/folder"], "/no/such/folder: no such file or folder"),
        (["path", SMALL, "a", "b", "--edge-types", "friend"], "edge type must be one of"),
        (["stats", SMALL, "--field", "oops"], "--field expects NAME=PATH"),
        (["stats", SMALL, "--dataset", "x"], "--dataset only applies to a Neo4j source"),
        (["stats", "bolt://127.0.0.1:1"], "a Neo4j source needs --dataset NAME"),
        (["neighbours", SMALL, "a", "--depth", "9"], "9 is not in the range"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).parent / "glossgraph"
    args = [str(script), "stats", SMALL, "--format", "json"]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["concepts"] == 7


def test_loader_options_reach_the_loader(capsys: pytest.CaptureFixture[str], sample_dir: Path) -> None:
    code, out, _ = run(capsys, "stats", str(sample_dir), "--option", "exclude=s*", "--format", "json")
    every = len(list(sample_dir.glob("*.md")))
    assert code == 0 and json.loads(out)["concepts"] == every - len(list(sample_dir.glob("s*.md")))
    code, _, err = run(capsys, "stats", str(sample_dir), "--option", "bogus=1")
    assert code == 2 and "unknown option 'bogus' for the markdown loader" in err
