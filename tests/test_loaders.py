"""Every loader on good input: the same five concepts written as Markdown, JSON, YAML, JSONL, CSV and records."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from graph.errors import LoadError, UsageError
from graph.model import Concept, Reference, Source
from graph.resolve import Resolver
from loaders.io import list_files, read_text

HERE = Path(__file__).resolve().parent / "data" / "loaders"

LLM_BODY = (
    "<!-- editors: keep this definition short -->\n\n"
    "Most are trained on web-scale text with [[Pre-training|pre-training]], then tuned.\n\n"
    '```python\nmodel("[[not a link]]")\n```\n\n'
    "Embeds such as ![[diagram.png]] and spans like `[[also not a link]]` are not links."
)

EXPECTED = [
    Concept(
        "transformer", "Transformer",
        definition="A neural network architecture built on attention layers rather than recurrence.",
        body="It was first used for translation and now underlies most [[Large Language Model|language models]].",
        aliases=("Transformer architecture",), categories=("Models & Architecture",), level="Intermediate",
        published="2026-W03", sources=(Source("Attention paper", "https://example.org/attention"),),
        related=(Reference("Attention Mechanism"), Reference("Large Language Model", "wikilink")),
    ),
    Concept(
        "attention-mechanism", "Attention Mechanism",
        definition="A way for a model to weigh parts of its input by relevance when producing each output.",
        aliases=("Attention",), categories=("Fundamentals",), level="Beginner", published="2026-W01",
        related=(Reference("Transformer"),),
    ),
    Concept(
        "large-language-model", "Large Language Model",
        definition="A language model with billions of parameters, trained to predict the next token.",
        body=LLM_BODY, aliases=("LLM", "Large LM"), categories=("Models & Architecture",), level="Beginner",
        published="2026-W02",
        related=(Reference("Transformer"), Reference("Pre-training"), Reference("Pre-training", "wikilink")),
    ),
    Concept(
        "pre-training", "Pre-training",
        definition="The first, long phase of training on unlabeled data, before any task-specific tuning.",
        categories=("Training", "Fundamentals"), level="Advanced", sources=(Source("Course notes"),),
        related=(Reference("Large Language Model"),),
    ),
    Concept(
        "rlhf", "Reinforcement Learning from Human Feedback",
        definition="Tuning a model with a reward signal learned from human preference ratings.",
        body="- a list is not a definition\n\nA reward model is trained first.\n\n"
        "The policy is then optimised against it.",
        aliases=("RLHF",), categories=("Safety & Alignment",), level="Advanced", published="2026-W04",
        related=(Reference("Pre-training"), Reference("Reward Model")),
    ),
]

SOURCES = {
    "markdown": "markdown",
    "json": "glossary.json",
    "yaml": "glossary.yaml",
    "jsonl": "glossary.jsonl",
    "csv": "glossary.csv",
    "records": "records",
}


@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_every_format_loads_the_same_concepts(fmt: str) -> None:
    glossary = loaders.load(HERE / SOURCES[fmt])
    assert glossary.format == fmt
    assert glossary.by_id() == {c.id: c for c in EXPECTED}
    assert glossary.problems == []


@pytest.mark.parametrize(
    ("fmt", "origins"),
    [
        ("json", ["glossary.json:3", "glossary.json:26", "glossary.json:42", "glossary.json:61", "glossary.json:77"]),
        ("yaml", ["glossary.yaml:2", "glossary.yaml:17", "glossary.yaml:28", "glossary.yaml:55", "glossary.yaml:66"]),
        # Line 3 is blank; the CSV row of the third concept spans lines 4 to 12 (a quoted multi-line body).
        ("jsonl", ["glossary.jsonl:1", "glossary.jsonl:2", "glossary.jsonl:4", "glossary.jsonl:5", "glossary.jsonl:6"]),
        ("csv", ["glossary.csv:2", "glossary.csv:3", "glossary.csv:4", "glossary.csv:13", "glossary.csv:14"]),
        ("records", [
            "records/attention-mechanism.json:1", "records/large-language-model.json:1",
            "records/more/rest.yaml:1", "records/more/rest.yaml:12", "records/transformer.json:1",
        ]),
        # A note's origin is its title line: the front-matter key, else the # heading.
        ("markdown", [
            "markdown/alignment/rlhf-note.md:11", "markdown/attention-mechanism.md:2",
            "markdown/large-language-model.md:2", "markdown/pre-training.md:2", "markdown/transformer.md:12",
        ]),
    ],
)
def test_origins_name_the_file_and_line_of_each_record(fmt: str, origins: list[str]) -> None:
    glossary = loaders.load(HERE / SOURCES[fmt])
    found = [f"{Path(c.origin.file).relative_to(HERE).as_posix()}:{c.origin.line}" for c in glossary if c.origin]
    assert found == origins


def test_markdown_reference_kinds_and_lines() -> None:
    glossary = loaders.load(HERE / "markdown")
    found = {c.id: [(r.target, r.kind, r.line) for r in c.related] for c in glossary}
    assert found == {
        "rlhf": [("Pre-training", "related", 8), ("Reward Model", "related", 9)],
        "attention-mechanism": [("Transformer", "related", 9)],
        "large-language-model": [
            ("Transformer", "related", 7), ("Pre-training", "related", 7), ("Pre-training", "wikilink", 15),
        ],
        "pre-training": [("Large Language Model", "related", 8)],
        "transformer": [("Attention Mechanism", "related", 10), ("Large Language Model", "wikilink", 17)],
    }


def test_markdown_paths_are_relative_without_extension() -> None:
    glossary = loaders.load(HERE / "markdown")
    assert [c.path for c in glossary] == [
        "alignment/rlhf-note", "attention-mechanism", "large-language-model", "pre-training", "transformer",
    ]
    resolver = Resolver(glossary.concepts)
    assert resolver.resolve("alignment/rlhf-note").target == "rlhf"
    assert resolver.resolve("rlhf-note").via == "path"


def test_records_in_their_own_file_get_a_path_and_listed_ones_do_not() -> None:
    glossary = loaders.load(HERE / "records")
    assert {c.id: c.path for c in glossary} == {
        "attention-mechanism": "attention-mechanism",
        "large-language-model": "large-language-model",
        "pre-training": None,
        "rlhf": None,
        "transformer": "transformer",
    }


def test_yaml_related_entries_keep_their_own_lines() -> None:
    glossary = loaders.load(HERE / "glossary.yaml")
    rlhf = glossary.by_id()["rlhf"]
    assert [(r.target, r.line) for r in rlhf.related] == [("Pre-training", 83), ("Reward Model", 84)]


def test_jsonl_progress_is_reported_per_thousand_records(tmp_path: Path) -> None:
    source = tmp_path / "many.jsonl"
    source.write_text("".join(f'{{"id": "c{i}", "title": "C {i}"}}\n' for i in range(2500)), encoding="utf-8")
    calls: list[tuple[int, int | None]] = []
    glossary = loaders.load(source, progress=lambda done, total: calls.append((done, total)))
    assert len(glossary) == 2500
    # 2,500 lines and the empty string after the final newline.
    assert calls == [(1000, 2501), (2000, 2501), (2501, 2501)]


def test_folder_progress_is_reported_per_file() -> None:
    calls: list[tuple[int, int | None]] = []
    loaders.load(HERE / "records", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_list_files_is_sorted_and_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    for name in ("b.md", "a/z.md", "a/c.md", ".obsidian/x.md", ".hidden.md", "notes.txt", "sub/.git/y.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in list_files(tmp_path, (".md",))]
    assert found == ["a/c.md", "a/z.md", "b.md"]
    assert [p.name for p in list_files(tmp_path, (".md",), ("a/*",))] == ["b.md"]


def test_read_text_drops_the_bom_and_normalises_newlines(tmp_path: Path) -> None:
    source = tmp_path / "x.md"
    source.write_bytes(b"\xef\xbb\xbfone\r\ntwo\rthree\n")
    assert read_text(source) == "one\ntwo\nthree\n"


def test_open_binary_file_loads_like_its_path(tmp_path: Path) -> None:
    import io

    source = tmp_path / "terms.jsonl"
    source.write_text('{"id": "a", "title": "A", "related": ["b"]}\n{"id": "b", "title": "B"}\n', encoding="utf-8")
    with source.open("rb") as handle:
        from_handle = loaders.load(handle)
    from_path = loaders.load(source)
    assert from_handle.same_content(from_path) and from_handle.source == "terms.jsonl"
    assert [str(c.origin) for c in from_handle.concepts] == ["terms.jsonl:1", "terms.jsonl:2"]
    unnamed = loaders.load(io.BytesIO(b'[{"id": "x", "title": "X"}]'), "json")
    assert [c.id for c in unnamed.concepts] == ["x"]
    with pytest.raises(LoadError, match=r"^terms\.jsonl:2: "):
        broken = io.BytesIO(b'{"id": "a", "title": "A"}\n{"id": \n')
        broken.name = "terms.jsonl"
        loaders.load(broken)
    with pytest.raises(UsageError, match="needs fmt="):
        loaders.load(io.BytesIO(b"[]"))


def test_every_registered_loader_has_the_one_loader_signature() -> None:
    import inspect

    from loaders import FORMATS

    for name, format_ in FORMATS.items():
        parameters = list(inspect.signature(format_.loader()).parameters.values())
        path, *rest = parameters
        assert path.kind in (path.POSITIONAL_ONLY, path.POSITIONAL_OR_KEYWORD), name
        assert [p.name for p in rest[:3]] == ["mapping", "lenient", "progress"], name
        assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in rest), name
        assert rest[-1].kind == rest[-1].VAR_KEYWORD, name
        assert all(p.default is not p.empty for p in rest[1:-1]), name


def test_loaders_conform_to_the_protocol_for_mypy() -> None:
    from loaders import Loader
    from loaders.exports import load_csv_pair, load_gexf, load_graphml, load_nodelink, load_snapshot
    from loaders.html import load_html
    from loaders.markdown import load_markdown
    from loaders.skos import load_skos
    from loaders.tabular import load_csv, load_json, load_jsonl, load_record_folder, load_yaml

    # mypy checks this assignment: a loader whose signature drifts fails `make lint`.
    every: list[Loader] = [
        load_markdown, load_json, load_yaml, load_jsonl, load_csv, load_record_folder,
        load_nodelink, load_graphml, load_gexf, load_csv_pair, load_snapshot, load_skos, load_html,
    ]
    from loaders import FORMATS

    assert {f.loader() for f in FORMATS.values()} == set(every)


@pytest.mark.parametrize("suffix", [".ttl", ".graphml"])
def test_formats_with_fixed_fields_refuse_a_field_mapping(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / f"g{suffix}"
    source.write_text("", encoding="utf-8")
    with pytest.raises(UsageError, match=r"fixed fields.*title"):
        loaders.load(source, fields={"title": "name"})
