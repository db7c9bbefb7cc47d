"""Field shapes (issue 10, point 8): sources under other key names, fields set aside, list paths, unmatched mappings."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from graph.cli import main
from graph.model import Source

DATA = Path(__file__).parent / "data" / "fieldshapes"
JEKYLL = DATA / "jekyll"
TERMS = JEKYLL / "_terms"


def test_jekyll_references_with_link_title_and_link_url_are_sources() -> None:
    glossary = loaders.load(JEKYLL, fields={"related": "related[].uri"})
    assert {c.id: c.sources for c in glossary} == {
        "beacon": (Source("Relay handbook, chapter 2", "https://example.org/handbook/2"),
                   Source("Beacon timing notes", "https://example.org/timing")),
        # {name, href} and {text, link}
        "listener": (Source("Listener manual", "https://example.org/listener"),
                     Source("Tuning guide", "https://example.org/tuning")),
        # Key names that only say which half they hold ({source_name, source_url}), and a bare URL.
        "relay": (Source("Field report", "https://example.org/report"),
                  Source("https://example.org/relay", "https://example.org/relay")),
    }
    assert {c.id: [r.target for r in c.related] for c in glossary} == {
        "beacon": ["listener", "relay"], "listener": ["beacon"], "relay": [],
    }


@pytest.mark.parametrize("lenient", [False, True])
def test_fields_in_another_shape_are_attributes_with_a_warning_and_every_concept_loads(lenient: bool) -> None:
    glossary = loaders.load(JEKYLL, lenient=lenient)
    assert glossary.problems == []
    assert {c.id: c.attributes for c in glossary} == {
        "beacon": {"difficulty": {"rank": 2}, "related": [{"uri": "listener"}, {"uri": "relay"}]},
        "listener": {"related": [{"uri": "beacon"}], "deprecated": "sometimes"},
        "relay": {},
    }
    assert [str(w) for w in glossary.warnings] == [
        f"{TERMS}/beacon.md:12: field 'difficulty' (the concept's level) must be text, got an object {{'rank': 2}}; "
        "kept as an attribute",
        f"{TERMS}/beacon.md:9: field 'related' must be a list of names, got an object {{'uri': 'listener'}}; "
        "kept as an attribute (to read one key of each entry: --field related=related[].uri)",
        f"{TERMS}/listener.md:9: field 'related' must be a list of names, got an object {{'uri': 'beacon'}}; "
        "kept as an attribute (to read one key of each entry: --field related=related[].uri)",
        f"{TERMS}/listener.md:11: field 'deprecated' must be true or false, got 'sometimes'; kept as an attribute",
    ]
    listener = next(c for c in glossary if c.id == "listener")
    assert (listener.deprecated, listener.to_dict()["attributes"]) == (
        False, {"related": [{"uri": "beacon"}], "deprecated": "sometimes"},
    )


def test_a_mapping_through_a_nested_list_and_an_unmatched_mapping() -> None:
    glossary = loaders.load(DATA / "records.json", fields={"related": "links.items[].id", "aliases": "other_names"})
    assert {c.id: [r.target for r in c.related] for c in glossary} == {
        "beacon": ["listener", "relay"], "listener": ["beacon"], "relay": [],
    }
    assert glossary.concepts[0].sources == (Source("Handbook", "https://example.org/h"),)
    assert [str(w) for w in glossary.warnings] == [
        f"{DATA}/records.json:2: field 'level' must be text, got a list ['easy', 'hard']; kept as an attribute",
        f"{DATA}/records.json: --field aliases=other_names matched nothing in any concept "
        "(check the input field's name)",
    ]


@pytest.mark.parametrize(
    ("name", "attributes", "warnings"),
    [
        ("glossary.csv", {"beacon": {"deprecated": "maybe"}, "listener": {}},
         ["glossary.csv:2: field 'deprecated' must be true or false, got 'maybe'; kept as an attribute"]),
        ("glossary.jsonl", {"beacon": {"published": {"year": 2024}}, "listener": {"sources": 7}},
         ["glossary.jsonl:1: field 'published' must be text, got an object {'year': 2024}; kept as an attribute",
          "glossary.jsonl:2: field 'sources' must be a list of sources, got the number 7; kept as an attribute"]),
    ],
)
def test_every_record_format_sets_a_bad_optional_field_aside(
    name: str, attributes: dict[str, object], warnings: list[str]
) -> None:
    glossary = loaders.load(DATA / name)
    assert {c.id: c.attributes for c in glossary} == attributes
    assert [str(w) for w in glossary.warnings] == [f"{DATA}/{w}" for w in warnings]


def test_lenient_drops_a_concept_only_for_its_title(tmp_path: Path) -> None:
    source = tmp_path / "g.yaml"
    source.write_text(
        "- title: [Beacon, Signal]\n  level: 2\n- title: Relay\n  aliases: {short: RL}\n  level: [1, 2]\n",
        encoding="utf-8",
    )
    glossary = loaders.load(source, lenient=True)
    assert [(c.id, c.attributes) for c in glossary] == [("relay", {"aliases": {"short": "RL"}, "level": [1, 2]})]
    assert [str(p) for p in glossary.problems] == [
        f"{source}:1: field 'title' must be text, got a list ['Beacon', 'Signal']",
    ]


def test_the_cli_prints_the_unmatched_field_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(DATA / "glossary.csv"), "--field", "categories=group_name"]) == 0
    err = capsys.readouterr().err
    assert (
        f"warning: {DATA}/glossary.csv: --field categories=group_name matched nothing in any concept "
        "(check the input field's name)"
    ) in err


def test_show_prints_the_attributes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(JEKYLL), "listener"]) == 0
    out = capsys.readouterr().out
    assert '│ deprecated │ "sometimes"' in out and '│ related    │ [{"uri": "beacon"}]' in out


def test_many_values_set_aside_are_listed_twenty_then_counted(tmp_path: Path) -> None:
    source = tmp_path / "g.jsonl"
    source.write_text("".join(f'{{"title": "T{n}", "level": [{n}]}}\n' for n in range(25)), encoding="utf-8")
    warnings = [str(w) for w in loaders.load(source).warnings]
    assert len(warnings) == 21
    assert warnings[0] == f"{source}:1: field 'level' must be text, got a list [0]; kept as an attribute"
    assert warnings[-1] == f"{source}: field 'level': 5 more values set aside the same way (not listed)"
