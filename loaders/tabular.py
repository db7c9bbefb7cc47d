"""Record loaders: JSON, YAML, JSONL, CSV, and a folder of JSON or YAML files with one concept each.

JSON and YAML documents hold ``{"concepts": [...]}`` (or ``terms``, ``entries``, ``glossary``,
``items``, or the ``list_key`` option) or a bare list. Every record keeps the file and the line
where it starts: JSON records are read one by one with the decoder's positions, YAML records
from the parser's marks, JSONL by line, CSV by the physical line where the row starts; a JSON
record's related entries get the line where each is written (found in the record's text).
"""

from __future__ import annotations

__all__ = [
    "LIST_KEYS",
    "load_csv",
    "load_json",
    "load_jsonl",
    "load_record_folder",
    "load_yaml",
    "read_csv",
    "read_json",
    "read_yaml",
]

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, Problem, UsageError
from graph.model import Glossary, Reference
from graph.untrusted import clip, json_nesting_error, lone_surrogate_line, refuse_lone_surrogates
from loaders.fields import FieldMapping, describe, key_form
from loaders.io import (
    Collector,
    check_options,
    exclude_patterns,
    list_files,
    node_line,
    parse_yaml,
    paused_gc,
    read_text,
    relative_stem,
    value_node,
)

#: Top-level keys of a JSON or YAML document that hold the list of concepts.
LIST_KEYS = ("concepts", "terms", "entries", "glossary", "items")

@dataclass(frozen=True, slots=True)
class JsonSpan:
    """Where a JSON record is written: the document, the record's offsets in it and its first line."""

    text: str
    start: int
    end: int
    line: int


#: One record: the raw mapping, the line where it starts, and what tells the lines inside it: its
#: YAML node (YAML), its span of the document (JSON), or nothing (JSONL and CSV records are one line).
Item = tuple[Any, int | None, yaml.Node | JsonSpan | None]

_COMMON_OPTIONS = ("list_separator", "max_file_size", "exclude", "wikilink_order", "list_key")
_CSV_OPTIONS = (*_COMMON_OPTIONS, "delimiter")
_WS_RE = re.compile(r"[ \t\n\r]*")
_DELIMITERS = (",", "\t", ";", "|")
#: Progress is reported once per this many records of a single file, not per record.
_PROGRESS_EVERY = 1000


class _JsonSyntax(Exception):
    """Malformed JSON between records; the standard parser is asked for its exact message."""


def _skip(text: str, pos: int) -> int:
    """The position of the first non-blank character at or after ``pos``."""
    match = _WS_RE.match(text, pos)
    return match.end() if match else pos


def _list_keys(options: dict[str, Any]) -> tuple[str, ...]:
    extra = options.get("list_key")
    return (*LIST_KEYS, *([key_form(str(extra))] if extra else []))


def _json_error(text: str, file: str) -> LoadError:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return LoadError(Problem(file, error.lineno, f"invalid JSON: {error.msg} at column {error.colno}"))
    return LoadError(Problem(file, None, "invalid JSON"))


def _json_array(text: str, pos: int, decode: Any) -> tuple[list[Item], int]:
    """Decode the array opening at ``pos`` element by element, noting the line each one starts on."""
    items: list[Item] = []
    line, last = text.count("\n", 0, pos) + 1, pos
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return items, pos + 1
    while True:
        line += text.count("\n", last, pos)
        last = start = pos
        value, pos = decode(text, pos)
        items.append((value, line, JsonSpan(text, start, pos, line)))
        pos = _skip(text, pos)
        mark = text[pos:pos + 1]
        if mark == ",":
            pos = _skip(text, pos + 1)
        elif mark == "]":
            return items, pos + 1
        else:
            raise _JsonSyntax


def _json_element(text: str, token: str, start: int, end: int) -> int:
    """The offset of ``token`` (a JSON string) as an array element in text[start:end], or -1."""
    position = text.find(token, start, end)
    while position >= 0:
        before = text[start:position].rstrip()
        after = text[position + len(token):end].lstrip()
        if before.endswith(("[", ",")) and after.startswith((",", "]")):
            return position
        position = text.find(token, position + 1, end)
    return -1


def _json_reference_lines(related: tuple[Reference, ...], span: JsonSpan) -> tuple[Reference, ...]:
    """The related references with the line where each is written in the record (JSON, which has no marks).

    Each is looked for, in order, as a string element of an array; one written otherwise (a
    ``;``-separated string, a wikilink) keeps the record's line.
    """
    text, cursor, line = span.text, span.start, span.line
    placed: list[Reference] = []
    for reference in related:
        if reference.kind != "related":
            placed.append(reference)
            continue
        found = -1
        for token in dict.fromkeys((json.dumps(reference.target, ensure_ascii=False), json.dumps(reference.target))):
            found = _json_element(text, token, cursor, span.end)
            if found >= 0:
                break
        if found < 0:
            placed.append(reference)
            continue
        line += text.count("\n", cursor, found)
        cursor = found
        placed.append(Reference(reference.target, reference.kind, line))
    return tuple(placed)


def read_json(text: str, file: str, list_keys: tuple[str, ...] = LIST_KEYS) -> tuple[list[Item] | None, Any]:
    """(records with their lines, or None; the top-level value) of a JSON document.

    Records are the elements of a top-level list or of the list under one of ``list_keys``.
    """
    decode = json.JSONDecoder().raw_decode
    refuse_lone_surrogates(text, file)
    try:
        pos = _skip(text, 0)
        if pos == len(text):
            raise LoadError(Problem(file, None, "the file is empty"))
        items: list[Item] | None = None
        top: Any
        if text[pos] == "[":
            items, pos = _json_array(text, pos, decode)
            top = None
        elif text[pos] == "{":
            top = {}
            pos = _skip(text, pos + 1)
            closed = text.startswith("}", pos)
            pos += closed
            while not closed:
                if not text.startswith('"', pos):
                    raise _JsonSyntax
                key, pos = decode(text, pos)
                pos = _skip(text, pos)
                if not text.startswith(":", pos):
                    raise _JsonSyntax
                pos = _skip(text, pos + 1)
                if items is None and key_form(key) in list_keys and text.startswith("[", pos):
                    items, pos = _json_array(text, pos, decode)
                    top[key] = items
                else:
                    top[key], pos = decode(text, pos)
                pos = _skip(text, pos)
                mark = text[pos:pos + 1]
                if mark == ",":
                    pos = _skip(text, pos + 1)
                elif mark == "}":
                    pos, closed = pos + 1, True
                else:
                    raise _JsonSyntax
        else:
            top, pos = decode(text, pos)
        if _skip(text, pos) != len(text):
            raise _JsonSyntax
    except json.JSONDecodeError as error:
        raise LoadError(Problem(file, error.lineno, f"invalid JSON: {error.msg} at column {error.colno}")) from None
    except _JsonSyntax:
        raise _json_error(text, file) from None
    except RecursionError:
        raise json_nesting_error(text, file) from None
    return items, top


def read_yaml(text: str, file: str, list_keys: tuple[str, ...] = LIST_KEYS) -> tuple[list[Item] | None, Any]:
    """(records with their lines and nodes, or None; the top-level value) of a YAML document."""
    data, node = parse_yaml(text, file)
    if data is None:
        raise LoadError(Problem(file, None, "the file is empty"))
    sequence: Any = None
    if isinstance(data, list):
        sequence = (data, node)
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and key_form(key) in list_keys and isinstance(value, list):
                found = value_node(node, key)
                sequence = (value, found[1] if found else None)
                break
    if sequence is None:
        return None, data
    values, seq_node = sequence
    nodes = seq_node.value if isinstance(seq_node, yaml.SequenceNode) else [None] * len(values)
    return [(value, node_line(item), item) for value, item in zip(values, nodes, strict=True)], data


def _delimiter(file: Path, text: str, option: Any) -> str:
    if option:
        value = str(option)
        value = "\t" if value.lower() in ("tab", "\\t") else value
        if len(value) != 1:
            raise UsageError(f"delimiter must be one character, got {clip(option)}")
        return value
    if file.suffix.lower() == ".tsv":
        return "\t"
    header = text.split("\n", 1)[0]
    counts = [(header.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] else ","


def read_csv(text: str, file: Path, delimiter: Any = None) -> tuple[list[Item], list[Problem]]:
    """(rows as records with the line where each starts, problems) of a CSV or TSV text."""
    name = str(file)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(file, text, delimiter), strict=True)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise LoadError(Problem(name, None, "the file is empty")) from None
    except csv.Error as error:
        raise LoadError(Problem(name, 1, f"invalid CSV: {error}")) from None
    twice = [column for column, count in Counter(h for h in header if h).items() if count > 1]
    if twice:
        raise LoadError(Problem(name, 1, f"the header names the column {clip(twice[0])} twice"))
    if not any(header):
        raise LoadError(Problem(name, 1, "the header row is empty"))
    width = len(header)
    items: list[Item] = []
    problems: list[Problem] = []
    previous = reader.line_num
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if len(row) != width:
                if any(cell.strip() for cell in row):
                    problems.append(Problem(name, start, f"the row has {len(row)} fields but the header has {width}"))
                continue
            if any(row):
                items.append((dict(zip(header, row, strict=True)), start, None))
    except csv.Error as error:
        problems.append(Problem(name, previous + 1, f"invalid CSV: {error}"))
    return items, problems


_Reader = Callable[[Path, str, dict[str, Any]], tuple[list[Item] | None, Any, list[Problem]]]


def _json_reader(file: Path, text: str, options: dict[str, Any]) -> tuple[list[Item] | None, Any, list[Problem]]:
    items, top = read_json(text, str(file), _list_keys(options))
    return items, top, []


def _yaml_reader(file: Path, text: str, options: dict[str, Any]) -> tuple[list[Item] | None, Any, list[Problem]]:
    items, top = read_yaml(text, str(file), _list_keys(options))
    return items, top, []


def _csv_reader(file: Path, text: str, options: dict[str, Any]) -> tuple[list[Item] | None, Any, list[Problem]]:
    items, problems = read_csv(text, file, options.get("delimiter"))
    return items, None, problems


def _by_suffix(file: Path, text: str, options: dict[str, Any]) -> tuple[list[Item] | None, Any, list[Problem]]:
    reader = _json_reader if file.suffix.lower() == ".json" else _yaml_reader
    return reader(file, text, options)


def _label_first(options: dict[str, Any]) -> bool:
    order = str(options.get("wikilink_order", "obsidian")).lower()
    if order not in ("obsidian", "dendron"):
        raise UsageError(f"wikilink_order must be obsidian or dendron for this format, got {clip(order)}")
    return order == "dendron"


def _load(*args: Any, **kwargs: Any) -> Glossary:
    """Read records with the garbage collector paused (see paused_gc)."""
    with paused_gc():
        return _load_records(*args, **kwargs)


def _load_records(
    path: Path,
    fmt: str,
    suffixes: tuple[str, ...],
    reader: _Reader,
    mapping: FieldMapping,
    lenient: bool,
    progress: Callable[[int, int | None], None] | None,
    options: dict[str, Any],
    known: tuple[str, ...] = _COMMON_OPTIONS,
    one_per_file: bool = False,
) -> Glossary:
    """Read one file, or every file of a folder with the endings, record by record into a Glossary."""
    check_options(fmt, options, known)
    separator = str(options.get("list_separator", ";"))
    label_first = _label_first(options)
    collector = Collector(path, fmt, lenient, progress)
    if path.is_dir():
        root = path
        files = list_files(path, suffixes, exclude_patterns(options.get("exclude")), collector.warnings)
        if not files:
            raise LoadError(Problem(str(path), None, f"the folder holds no {' or '.join(suffixes)} files"))
        # In a folder, a file may hold a single concept (the one-file-per-concept layout).
        one_per_file = True
    else:
        root, files = path.parent, [path]
    single_file = len(files) == 1
    for done, file in enumerate(files, 1):
        name = str(file)
        try:
            text = read_text(file, options.get("max_file_size"))
            items, top, problems = reader(file, text, options)
        except LoadError as error:
            collector.problem(*error.problems)
            continue
        collector.problem(*problems)
        concept_path = None
        if items is None:
            if not (one_per_file and isinstance(top, dict)):
                collector.problem(Problem(
                    name, 1,
                    f"expected a list of concepts or an object with a {LIST_KEYS[0]!r} list, found {describe(top)}",
                ))
                continue
            whole = JsonSpan(text, 0, len(text), 1) if file.suffix.lower() == ".json" else None
            items = [(top, 1, whole)]
            concept_path = relative_stem(file, root)
        total = len(items)
        for count, (record, line, node) in enumerate(items, 1):
            if not isinstance(record, dict):
                collector.problem(Problem(name, line, f"expected an object (one concept), found {describe(record)}"))
                continue
            span = node if isinstance(node, JsonSpan) else None
            try:
                concept = mapping.concept(
                    record, name, line, separator=separator, label_first=label_first,
                    node=node if isinstance(node, yaml.Node) else None, path=concept_path,
                )
            except LoadError as error:
                collector.problem(*error.problems)
                continue
            if span is not None and concept.related:
                concept.related = _json_reference_lines(concept.related, span)
            collector.add(concept)
            if single_file and count % _PROGRESS_EVERY == 0:
                collector.tick(count, total)
        if single_file:
            collector.tick(total, total)
        else:
            collector.tick(done, len(files))
    return collector.glossary()


def load_json(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> Glossary:
    """Load a JSON document (``{"concepts": [...]}`` or a bare list), or a folder of them."""
    return _load(path, "json", (".json",), _json_reader, mapping, lenient, progress, options)


def load_yaml(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> Glossary:
    """Load a YAML document (``concepts: [...]`` or a bare list), or a folder of them."""
    return _load(path, "yaml", (".yaml", ".yml"), _yaml_reader, mapping, lenient, progress, options)


def load_csv(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> Glossary:
    """Load a CSV or TSV file (a header row, one concept per row, lists separated by ``;``)."""
    return _load(path, "csv", (".csv", ".tsv"), _csv_reader, mapping, lenient, progress, options, _CSV_OPTIONS)


def load_record_folder(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> Glossary:
    """Load a folder of JSON or YAML files, each holding one concept (or a list of them)."""
    return _load(
        path, "records", (".json", ".yaml", ".yml"), _by_suffix, mapping, lenient, progress, options,
        one_per_file=True,
    )


def load_jsonl(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> Glossary:
    """Load JSON Lines: one concept object per line, blank lines allowed."""
    with paused_gc():
        return _load_jsonl(path, mapping, lenient, progress, options)


def _load_jsonl(
    path: Path,
    mapping: FieldMapping,
    lenient: bool,
    progress: Callable[[int, int | None], None] | None,
    options: dict[str, Any],
) -> Glossary:
    """The body of load_jsonl: a lean per-line loop."""
    check_options("jsonl", options, _COMMON_OPTIONS)
    separator = str(options.get("list_separator", ";"))
    label_first = _label_first(options)
    collector = Collector(path, "jsonl", lenient, progress)
    if path.is_dir():
        files = list_files(path, (".jsonl", ".ndjson"), exclude_patterns(options.get("exclude")), collector.warnings)
        if not files:
            raise LoadError(Problem(str(path), None, "the folder holds no .jsonl files"))
    else:
        files = [path]
    loads = json.loads
    concept = mapping.concept
    add = collector.add
    for file in files:
        name = str(file)
        try:
            lines = read_text(file, options.get("max_file_size")).split("\n")
        except LoadError as error:
            collector.problem(*error.problems)
            continue
        total = len(lines)
        for number, text in enumerate(lines, 1):
            if not text or text.isspace():
                continue
            try:
                record = loads(text)
            except json.JSONDecodeError as error:
                collector.problem(Problem(name, number, f"invalid JSON: {error.msg} at column {error.colno}"))
                continue
            except RecursionError:
                collector.problem(*json_nesting_error(text, name, number).problems)
                continue
            if "\\u" in text and lone_surrogate_line(text) is not None:
                collector.problem(Problem(name, number, "a \\u escape gives a lone surrogate (half of a UTF-16 pair), "
                                                        "which is not text"))
                continue
            if type(record) is not dict:
                collector.problem(Problem(name, number, f"expected an object (one concept), found {describe(record)}"))
                continue
            try:
                add(concept(record, name, number, separator=separator, label_first=label_first))
            except LoadError as error:
                collector.problem(*error.problems)
            if number % _PROGRESS_EVERY == 0:
                collector.tick(number, total)
        collector.tick(total, total)
    return collector.glossary()
