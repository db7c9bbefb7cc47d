"""The fast indented JSON writer writes exactly what json.dumps(indent=2) writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.audit import run_audit
from graph.jsontext import dumps_indented, write_indented
from graph.stores import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "ai-glossary"

CASES: list[Any] = [
    {},
    [],
    "text with \"quotes\", \\ and \u00e9\u4e2d\n",
    0,
    -3.5,
    None,
    {"empty": [], "nothing": {}, "nested": [[[]]]},
    [1, 2.5, None, True, False, "x", {"k": [1, {"z": ()}]}],
    {7: "int key", 2.5: "float key", False: "bool key", None: "null key", "ü": "text key"},
    {"inf": float("inf"), "ninf": float("-inf"), "nan": float("nan"), "zero": -0.0, "big": 1e100},
    (1, (2, (3,))),
    {"finding": {"source": "a", "target": "b", "line": 3, "file": None, "rank": 0.25}},
    [{"concepts": ["a", "b"], "title": "T"}, {"concepts": [], "title": ""}],
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_text_as_json_dumps(data: Any) -> None:
    assert dumps_indented(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_an_audit_report_is_written_byte_for_byte() -> None:
    report = run_audit(open_store(str(SAMPLE))).to_json()
    pieces: list[str] = []
    write_indented(report, pieces.append)
    assert "".join(pieces) == json.dumps(report, ensure_ascii=False, indent=2)
    assert sum(len(rows) for rows in report["checks"].values()) > 0


def test_unserialisable_values_are_refused_like_json_dumps() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_indented({"when": object()})
    with pytest.raises(TypeError, match="keys must be"):
        dumps_indented({(1, 2): "tuple key"})
