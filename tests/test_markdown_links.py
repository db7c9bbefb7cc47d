"""Markdown links inside the text fields of any format are links, as [[wikilinks]] are (issue 16, point 4)."""

from __future__ import annotations

import json
from pathlib import Path

import loaders
from graph.local import LocalStore
from loaders.fields import markdown_links

YAML = """\
concepts:
  - slug: mean
    term: Mean
    def: The sum of the values divided by their count; see [median](#median) for a robust one.
  - slug: median
    term: Median
    def: >-
      The middle value, less moved by outliers than the [mean](#mean "the average")
      ([Wikipedia](https://en.wikipedia.org/wiki/Median), ![plot](median.png)).
    body: "Written `[not a link](#mode)` in code; see [the mode](mode.md#definition)."
  - slug: mode
    term: Mode
    def: The most frequent value, unlike the [average](<../stats/mean.md>) or [[Median]].
"""


def test_markdown_links_in_yaml_definitions_and_bodies_are_links(tmp_path: Path) -> None:
    path = tmp_path / "stats.yaml"
    path.write_text(YAML, encoding="utf-8")
    glossary = loaders.load(path)
    targets = {c.id: [(r.target, r.kind) for r in c.related] for c in glossary.concepts}
    assert targets == {
        "mean": [("median", "wikilink")],
        "median": [("mean", "wikilink"), ("mode", "wikilink")],
        "mode": [("Median", "wikilink"), ("stats/mean", "wikilink")],
    }
    store = LocalStore(glossary)
    stats = store.stats()
    assert (stats.links, stats.broken_links) == (4, 1)  # stats/mean names no note: one broken link, kept visible
    assert store.concept("median").links == ("mean", "mode")


def test_markdown_links_in_json_and_what_is_not_a_link(tmp_path: Path) -> None:
    path = tmp_path / "terms.json"
    path.write_text(json.dumps([
        {"id": "a", "title": "A", "definition": "Points to [b](b.md) and [b again](./b.html#top)."},
        {"id": "b", "title": "B", "definition": "Mail [us](mailto:x@example.org), [site](//cdn.example.org/x)."},
    ]), encoding="utf-8")
    glossary = loaders.load(path)
    assert [[r.target for r in c.related] for c in glossary.concepts] == [["b", "b"], []]
    assert [r.target for r in markdown_links("[x]() [y](#) ![i](#a) [z]( #z )", 3)] == ["z"]
    assert [r.line for r in markdown_links("[z](#z)", 7)] == [7]
