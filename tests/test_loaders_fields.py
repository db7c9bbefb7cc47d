"""Field mapping: default names, --field dotted paths, the config file, and typed values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import loaders
from graph.errors import LoadError, UsageError
from graph.model import Concept, Reference, Source
from loaders.fields import FieldMapping

HERE = Path(__file__).resolve().parent / "data" / "loaders"


def summary(concept: Concept) -> tuple[object, ...]:
    """The fields a mapping decides, in a comparable form."""
    return (
        concept.id, concept.title, concept.definition, concept.aliases, concept.categories, concept.level,
        [r.target for r in concept.related],
    )


def test_common_field_names_are_recognised_by_default() -> None:
    glossary = loaders.load(HERE / "mapped.json")
    assert [summary(c) for c in glossary] == [
        (
            "retrieval-augmented-generation", "Retrieval-Augmented Generation",
            "Answering with passages fetched from a document store.", ("RAG",), ("Applications",), "2",
            ["Vector Database"],  # see_also comes before the nested relationships.related
        ),
        (
            "embedding", "Embedding", "A vector that stands for a piece of text.", (), (), None,
            ["Vector Database", "RAG"],  # "relatedTerms" is related_terms; a string is split on ";"
        ),
    ]
    assert glossary.by_id()["embedding"].sources == (
        Source("https://example.org/embeddings", "https://example.org/embeddings"),
        Source("Notes", "https://example.org/notes"),
        Source("A textbook"),
    )


def test_config_file_maps_nested_fields_and_alternatives() -> None:
    glossary = loaders.load(HERE / "mapped.json", fields_config=HERE / "mapping.yaml")
    assert [summary(c) for c in glossary] == [
        (
            "rag-custom", "Retrieval-Augmented Generation", "Answering with passages fetched from a document store.",
            ("RAG",), ("search", "llm"), "2", ["Embedding"],
        ),
        # An explicit mapping replaces the defaults: relatedTerms is no longer read.
        ("embedding", "Embedding", "A vector that stands for a piece of text.", (), (), None, []),
    ]


def test_field_option_beats_the_config_file_and_the_defaults() -> None:
    glossary = loaders.load(
        HERE / "mapped.json",
        fields={"related": "relationships.broader", "Category": "tags"},
        fields_config=HERE / "mapping.yaml",
    )
    rag = glossary.concepts[0]
    found = ([r.target for r in rag.related], rag.categories, rag.id)
    assert found == (["Generation"], ("search", "llm"), "rag-custom")


def test_explicit_mapping_takes_a_field_away_from_the_defaults(tmp_path: Path) -> None:
    source = tmp_path / "g.jsonl"
    source.write_text('{"title": "Shown", "name": "Real Name", "description": "Long text."}\n', encoding="utf-8")
    (concept,) = loaders.load(source, fields={"title": "name", "body": "description"}).concepts
    assert (concept.id, concept.title, concept.definition, concept.body) == ("real-name", "Real Name", "", "Long text.")


def test_names_match_without_case_spaces_hyphens_or_underscores() -> None:
    mapping = FieldMapping.build()
    concept = mapping.concept(
        {"TERM": "X", "Also Known As": "Ex; Eks", "short-def": "D.", "Related_Concepts": ["Y"], "LEVEL": "Beginner"},
        "f.json", 1,
    )
    assert summary(concept) == ("x", "X", "D.", ("Ex", "Eks"), (), "Beginner", ["Y"])


def test_id_falls_back_to_the_title_slug_and_title_to_the_id() -> None:
    mapping = FieldMapping.build()
    assert (mapping.concept({"title": "Café Crème (2)"}, "f", 1).id, mapping.concept({"id": "k1"}, "f", 1).title) == (
        "cafe-creme-2", "k1",
    )


def test_csv_with_a_dotted_column_and_another_list_separator(tmp_path: Path) -> None:
    source = tmp_path / "g.tsv"
    source.write_text("key\tlabel\trelationships.related\tdeprecated\na\tAlpha\tb | c\tyes\n", encoding="utf-8")
    (concept,) = loaders.load(source, list_separator="|").concepts
    assert (concept.id, concept.title, [r.target for r in concept.related], concept.deprecated) == (
        "a", "Alpha", ["b", "c"], True,
    )


def test_csv_delimiter_is_sniffed_from_the_header(tmp_path: Path) -> None:
    source = tmp_path / "g.csv"
    source.write_text("id;title;aliases\na;Alpha;A1\n", encoding="utf-8")
    (concept,) = loaders.load(source).concepts
    assert (concept.id, concept.title, concept.aliases) == ("a", "Alpha", ("A1",))


def test_format_from_the_config_file(tmp_path: Path) -> None:
    source = tmp_path / "export.txt"
    source.write_text('{"id": "a", "title": "A", "related": ["b"]}\n', encoding="utf-8")
    config = tmp_path / "map.yaml"
    config.write_text("format: jsonl\n", encoding="utf-8")
    glossary = loaders.load(source, fields_config=config)
    assert (glossary.format, glossary.concepts[0].related) == ("jsonl", (Reference("b"),))


def test_values_of_other_types_are_converted_where_meaningful(tmp_path: Path) -> None:
    source = tmp_path / "g.yaml"
    source.write_text(
        "- id: 42\n  title: Forty-two\n  published: 2026-03-02\n  aliases: [7, Seven]\n"
        "  related: [{id: x}, {name: Y}, 3]\n  sources: {title: Book, url: https://example.org}\n",
        encoding="utf-8",
    )
    (concept,) = loaders.load(source).concepts
    assert (concept.id, concept.published, concept.aliases, [r.target for r in concept.related], concept.sources) == (
        "42", "2026-03-02", ("7", "Seven"), ["x", "Y", "3"], (Source("Book", "https://example.org"),),
    )


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": {"en": "A"}}, "field 'title' must be text, got an object {'en': 'A'}"),
        ({"title": "A", "id": ["a"]}, "field 'id' must be text, got a list ['a']"),
    ],
)
def test_a_bad_title_or_id_names_the_field_and_value(record: dict[str, object], message: str) -> None:
    with pytest.raises(LoadError) as raised:
        FieldMapping.build().concept(record, "g.json", 7)
    assert str(raised.value) == f"g.json:7: {message}"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": "A", "aliases": 3}, "field 'aliases' must be a list (or text separated by ';'), got the number 3"),
        ({"title": "A", "sources": 3}, "field 'sources' must be a list of sources, got the number 3"),
        ({"title": "A", "deprecated": "maybe"}, "field 'deprecated' must be true or false, got 'maybe'"),
        ({"title": "A", "related": [["b"]]}, "field 'related' must be a list of names, got a list ['b']"),
    ],
)
def test_a_bad_optional_field_is_kept_as_an_attribute_with_a_warning(record: dict[str, object], message: str) -> None:
    mapping = FieldMapping.build()
    concept = mapping.concept(record, "g.json", 7)
    key = next(k for k in record if k != "title")
    assert (concept.title, concept.attributes) == ("A", {key: record[key]})
    assert [str(w) for w in mapping.warnings()] == [f"g.json:7: {message}; kept as an attribute"]


def test_unknown_concept_field_on_the_command_line() -> None:
    with pytest.raises(UsageError) as raised:
        FieldMapping.build({"summary": "x"})
    assert str(raised.value) == (
        "unknown concept field 'summary' in --field; the fields are: id, title, definition, body, aliases, "
        "categories, level, published, sources, related, parents, deprecated"
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("fields:\n  title: name\nfeilds: {}\n", ":3: unknown key 'feilds'; expected fields, format, options"),
        ("fields:\n  title: name\n  colour: c\n", ":3: unknown concept field 'colour'; the fields are: id, title, "
         "definition, body, aliases, categories, level, published, sources, related, parents, deprecated"),
        (
            "fields:\n  related: 5\n",
            ":2: field 'related' must name an input field (or a list of them), got the number 5",
        ),
        ("options: [a]\n", ":1: options must be a mapping, got a list ['a']"),
        ("fields: {title: [name\n", ":2: invalid YAML: did not find expected ',' or ']' at column 1 "
         "(while parsing a flow sequence that starts on line 1)"),
    ],
)
def test_bad_config_file_names_its_line(tmp_path: Path, config: str, message: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(config, encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        FieldMapping.build(None, path)
    assert str(raised.value) == f"{path}{message}"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as raised:
        FieldMapping.build(None, tmp_path / "nope.yaml")
    assert str(raised.value) == f"{tmp_path}/nope.yaml: no such field mapping file"


@pytest.mark.parametrize(
    ("name", "text", "options"),
    [
        ("g.yaml", "entries:\n  - id: a\n  - id: b\n", {}),
        ("g.json", '{"version": 1, "glossary": [{"id": "a"}, {"id": "b"}]}', {}),
        ("g.json", '{"data": [{"id": "a"}, {"id": "b"}]}', {"list_key": "data"}),
        ("g.yaml", "results:\n- id: a\n- id: b\n", {"list_key": "results"}),
    ],
)
def test_other_top_level_keys_hold_the_list(tmp_path: Path, name: str, text: str, options: dict[str, Any]) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert [c.id for c in loaders.load(tmp_path / name, **options)] == ["a", "b"]
