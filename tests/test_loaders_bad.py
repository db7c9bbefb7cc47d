"""Every loader on bad input: one clear error naming the file and line; lenient loads keep the rest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

import loaders
from graph.errors import LoadError, UsageError

GOOD_MD = "---\ntitle: Good\n---\nA good note.\n"
GOOD_JSON = '{"id": "good", "title": "Good"}\n'


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write a small tree of files under root."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# (case, files, source, strict message with {d} for the folder, ids a lenient load keeps, its problems)
CASES = [
    (
        "broken YAML document",
        {"good.yaml": "id: good\ntitle: Good\n", "bad.yaml": "id: bad\ntitle: [Bad\nlevel: x\n"},
        ".",
        "{d}/bad.yaml:3: invalid YAML: did not find expected ',' or ']' at column 6 "
        "(while parsing a flow sequence that starts on line 2)",
        ["good"],
        None,
    ),
    (
        "broken YAML front matter",
        {"good.md": GOOD_MD, "bad.md": "---\ntitle: Bad\naliases: [a, b\n---\nText.\n"},
        ".",
        "{d}/bad.md:4: invalid YAML: did not find expected ',' or ']' at column 1 "
        "(while parsing a flow sequence that starts on line 3)",
        ["good"],
        None,
    ),
    (
        "broken JSON file in a folder",
        {"good.json": GOOD_JSON, "bad.json": '{\n  "id": "bad",\n  "title": "Bad",,\n}\n'},
        ".",
        "{d}/bad.json:3: invalid JSON: Expecting property name enclosed in double quotes at column 18",
        ["good"],
        None,
    ),
    (
        "JSON records without a comma between them",
        {"list.json": '[\n  {"id": "a", "title": "A"}\n  {"id": "b", "title": "B"}\n]\n'},
        "list.json",
        "{d}/list.json:3: invalid JSON: Expecting ',' delimiter at column 3",
        None,
        None,
    ),
    (
        "CSV row with the wrong number of fields",
        {"g.csv": 'id,title,definition\na,A,"Two\nlines"\nb,B,x,extra\nc,C,fine\n'},
        "g.csv",
        "{d}/g.csv:4: the row has 4 fields but the header has 3",
        ["a", "c"],
        ["{d}/g.csv:4: the row has 4 fields but the header has 3"],
    ),
    (
        "a title given as a list",
        {"g.jsonl": '{"id": "a", "title": ["A", "B"]}\n{"id": "b"}\n'},
        "g.jsonl",
        "{d}/g.jsonl:1: field 'title' must be text, got a list ['A', 'B']",
        ["b"],
        None,
    ),
    (
        "a file that is not UTF-8",
        {"good.md": GOOD_MD, "latin.md": "---\ntitle: Caf\n---\nOne.\nCaf\xe9 two.\n".encode("latin-1")},
        ".",
        "{d}/latin.md:5: not UTF-8: byte 0xe9 at column 4 (save the file as UTF-8)",
        ["good"],
        None,
    ),
    (
        "a UTF-16 file",
        {"g.csv": "id,title\na,A\n".encode("utf-16")},
        "g.csv",
        "{d}/g.csv:1: the file is UTF-16; save it as UTF-8",
        None,
        None,
    ),
    (
        "duplicate ids in JSONL",
        {"g.jsonl": '{"id": "a", "title": "A"}\n\n{"id": "b", "title": "B"}\n{"id": "a", "title": "Again"}\n'},
        "g.jsonl",
        "{d}/g.jsonl:4: duplicate id 'a': already used at {d}/g.jsonl:1",
        ["a", "b"],
        ["{d}/g.jsonl:4: duplicate id 'a': already used at {d}/g.jsonl:1"],
    ),
    (
        "duplicate ids across Markdown files",
        {"one.md": "---\nid: x\n---\nOne.\n", "sub/two.md": "---\nid: x\n---\nTwo.\n"},
        ".",
        "{d}/sub/two.md:1: duplicate id 'x': already used at {d}/one.md:1",
        ["x"],
        None,
    ),
    (
        "a record with neither id nor title",
        {"g.json": '[{"definition": "Orphan text."}, {"term": "Kept"}]'},
        "g.json",
        "{d}/g.json:1: the record has neither an id nor a title (looked for id, slug, key, "
        "title, term, name, label, prefLabel, heading)",
        ["kept"],
        None,
    ),
    (
        "a JSON object with no list of concepts",
        {"g.json": '{"version": 2, "data": []}'},
        "g.json",
        "{d}/g.json:1: expected a list of concepts or an object with a 'concepts' list, "
        "found an object {'version': 2, 'data': []}",
        None,
        None,
    ),
    (
        "a JSONL line that is not an object",
        {"g.jsonl": '{"id": "a"}\n["b"]\n'},
        "g.jsonl",
        "{d}/g.jsonl:2: expected an object (one concept), found a list ['b']",
        ["a"],
        None,
    ),
    (
        "front matter that is never closed",
        {"a.md": "---\ntitle: A\nText.\n", "b.md": GOOD_MD},
        ".",
        "{d}/a.md:1: the front matter opened by --- is never closed",
        ["b"],
        None,
    ),
    (
        "front matter that is a list",
        {"a.md": "---\n- one\n- two\n---\nText.\n", "b.md": GOOD_MD},
        ".",
        "{d}/a.md:2: the front matter must be a mapping, got a list ['one', 'two']",
        ["b"],
        None,
    ),
    (
        "an empty JSON file",
        {"g.json": "  \n"},
        "g.json",
        "{d}/g.json: the file is empty",
        None,
        None,
    ),
]


@pytest.mark.parametrize(("files", "source", "message"), [c[1:4] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_one_error_naming_file_and_line(
    tmp_path: Path, files: dict[str, str | bytes], source: str, message: str
) -> None:
    write(tmp_path, files)
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / source)
    assert str(raised.value.problems[0]) == message.replace("{d}", str(tmp_path))


@pytest.mark.parametrize(
    ("files", "source", "message", "kept", "problems"),
    [c[1:] for c in CASES if c[4] is not None],
    ids=[c[0] for c in CASES if c[4] is not None],
)
def test_lenient_load_keeps_the_rest_and_lists_the_problem(
    tmp_path: Path,
    files: dict[str, str | bytes],
    source: str,
    message: str,
    kept: list[str],
    problems: list[str] | None,
) -> None:
    write(tmp_path, files)
    glossary = loaders.load(tmp_path / source, lenient=True)
    assert sorted(c.id for c in glossary) == kept
    assert [str(p) for p in glossary.problems] == [p.replace("{d}", str(tmp_path)) for p in (problems or [message])]


@pytest.mark.parametrize(("files", "source", "message"), [c[1:4] for c in CASES if c[4] is None],
                         ids=[c[0] for c in CASES if c[4] is None])
def test_lenient_load_with_nothing_valid_still_fails_on_the_real_problem(
    tmp_path: Path, files: dict[str, str | bytes], source: str, message: str
) -> None:
    write(tmp_path, files)
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / source, lenient=True)
    assert str(raised.value.problems[0]) == message.replace("{d}", str(tmp_path))
    assert raised.value.problems[-1].message.startswith("no concepts found (")


def test_strict_load_lists_every_problem_of_the_file(tmp_path: Path) -> None:
    write(tmp_path, {"g.csv": "id,title\na,A,1\nb,B\nc\n"})
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / "g.csv")
    assert [str(p) for p in raised.value.problems] == [
        f"{tmp_path}/g.csv:2: the row has 3 fields but the header has 2",
        f"{tmp_path}/g.csv:4: the row has 1 fields but the header has 2",
    ]
    assert str(raised.value) == f"{tmp_path}/g.csv:2: the row has 3 fields but the header has 2 (and 1 more problems)"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "{d}/empty: the folder holds no files to load"),
        ({"empty/.obsidian/app.md": "x"}, "{d}/empty: the folder holds no files to load"),
        ({"empty/notes.txt": "x"}, "{d}/empty: no loader knows the files in this folder (.txt)"),
    ],
    ids=["empty folder", "only hidden files", "no concept files"],
)
def test_empty_inputs(tmp_path: Path, files: dict[str, str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path, files)
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / "empty")
    assert str(raised.value) == message.replace("{d}", str(tmp_path))


def test_a_folder_with_no_markdown_files(tmp_path: Path) -> None:
    write(tmp_path, {"notes/readme.txt": "hello"})
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / "notes", "markdown")
    assert str(raised.value) == f"{tmp_path}/notes: the folder holds no Markdown files (.md)"


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / "nowhere")
    assert str(raised.value) == f"{tmp_path}/nowhere: no such file or folder"


def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    write(tmp_path, {"g.jsonl": "".join(f'{{"id": "c{i}"}}\n' for i in range(30))})  # 410 bytes
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / "g.jsonl", max_file_size=100)
    assert str(raised.value) == (
        f"{tmp_path}/g.jsonl: the file is 410 bytes, over the 100-byte limit (raise it with the max_file_size option)"
    )
    assert len(loaders.load(tmp_path / "g.jsonl", max_file_size="1KB")) == 30


def test_an_unknown_loader_option_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"g.jsonl": GOOD_JSON})
    with pytest.raises(UsageError) as raised:
        loaders.load(tmp_path / "g.jsonl", wikilink_ordre="dendron")
    assert str(raised.value) == (
        "unknown option 'wikilink_ordre' for the jsonl loader; it knows: exclude, lang, list_key, list_separator, "
        "max_file_size, wikilink_order"
    )


def test_a_strict_load_stops_listing_after_a_hundred_problems(tmp_path: Path) -> None:
    write(tmp_path, {"g.jsonl": "not json\n" * 150})
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / "g.jsonl")
    assert len(raised.value.problems) == 100
    assert str(raised.value.problems[99]) == f"{tmp_path}/g.jsonl:100: invalid JSON: Expecting value at column 1"


@pytest.mark.parametrize(
    ("files", "source", "key", "warning"),
    [
        (
            {"g.json": '{"concepts": [\n  {"id": "a", "title": "A", "related": 3},\n  {"id": "b", "title": "B"}\n]}\n'},
            "g.json", "related",
            "{d}/g.json:2: field 'related' must be a list (or text separated by ';'), got the number 3; "
            "kept as an attribute",
        ),
        (
            {"g.yaml": "- id: a\n  title: A\n  related_terms: 3\n- id: b\n  title: B\n"},
            "g.yaml", "related_terms",
            "{d}/g.yaml:3: field 'related_terms' (the concept's related) must be a list (or text separated by ';'), "
            "got the number 3; kept as an attribute",
        ),
        (
            {"a.md": "---\ntitle: A\nlevel: Beginner\nsee_also: 12\n---\nText.\n", "b.md": GOOD_MD},
            ".", "see_also",
            "{d}/a.md:4: field 'see_also' (the concept's related) must be a list (or text separated by ';'), "
            "got the number 12; kept as an attribute",
        ),
    ],
    ids=["related as a number in JSON", "in YAML (the line of the key)", "in front matter"],
)
@pytest.mark.parametrize("lenient", [False, True])
def test_a_bad_optional_field_is_set_aside_with_a_warning_naming_file_and_line(
    tmp_path: Path, files: dict[str, str], source: str, key: str, warning: str, lenient: bool
) -> None:
    write(tmp_path, files)
    glossary = loaders.load(tmp_path / source, lenient=lenient)
    assert sorted(c.id for c in glossary) == ["a", "b"]
    assert glossary.problems == []
    assert [str(w) for w in glossary.warnings] == [warning.replace("{d}", str(tmp_path))]
    concept = next(c for c in glossary if c.id == "a")
    assert (concept.related, concept.attributes) == ((), {key: 3 if source != "." else 12})
