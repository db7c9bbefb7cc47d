"""The Markdown loader: a folder of notes with optional YAML front matter and inline [[wikilinks]].

One file is one concept. Front matter gives the fields (through the field mapping); the title
falls back to the first ``# heading``, then the file name; the id to the file stem as a slug (the
relative path as a slug when several files share a stem); the definition to the first plain
paragraph before the first section heading, which then leaves the body. ``Concept.path`` is the file's path inside the
folder without extension, so links that name files (``[[dev/index]]``) resolve too.
"""

from __future__ import annotations

__all__ = ["WIKILINK_ORDERS", "MarkdownPage", "load_markdown", "parse_page", "split_text"]

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, Problem, UsageError
from graph.model import Concept, Glossary, Reference
from graph.text import slugify, wikilinks
from graph.untrusted import clip
from loaders.fields import FieldMapping, describe, text_references
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

#: How a wikilink with a label is written: Obsidian ``[[target|label]]``, Dendron ``[[label|target]]``.
WIKILINK_ORDERS = ("obsidian", "dendron", "auto")

_SUFFIXES = (".md", ".markdown")
_OPTIONS = ("wikilink_order", "exclude", "max_file_size", "list_separator")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H1_RE = re.compile(r"^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
# First lines that open something other than a plain paragraph: lists, tables, quotes, images,
# HTML, rules, footnotes and link reference definitions.
_NOT_PROSE_RE = re.compile(
    r"^ {0,3}(?:[-*+][ \t]|[-*+]$|\d{1,9}[.)](?:[ \t]|$)|\||>|!\[|<|(?:[-*_][ \t]*){3,}$|\[\^|\[[^\]]+\]:)"
)
_FRONT_END = ("---", "...")
_DENDRON_KEYS = ("id", "updated", "created")


@dataclass(slots=True)
class MarkdownPage:
    """A note split into its parts: front matter (data and YAML node) and the text after it."""

    file: Path
    path: str
    meta: dict[str, Any]
    node: yaml.Node | None
    text: str
    text_line: int  # the file line where ``text`` starts


def parse_page(file: Path, root: Path, max_file_size: int | str | None = None) -> MarkdownPage:
    """Read a note and parse its front matter; broken YAML raises LoadError with the line in the file."""
    content = read_text(file, max_file_size)
    name = str(file)
    meta: dict[str, Any] = {}
    node: yaml.Node | None = None
    text, text_line = content, 1
    first, _, rest = content.partition("\n")
    if first.rstrip() == "---":
        lines = rest.split("\n")
        end = next((i for i, line in enumerate(lines) if line.rstrip() in _FRONT_END), None)
        if end is None:
            raise LoadError(Problem(name, 1, "the front matter opened by --- is never closed"))
        # Blank lines in front keep the YAML parser's line numbers equal to the file's.
        data, node = parse_yaml("\n" + "\n".join(lines[:end]), name)
        if data is not None and not isinstance(data, dict):
            raise LoadError(Problem(name, 2, f"the front matter must be a mapping, got {describe(data)}"))
        meta = data or {}
        text = "\n".join(lines[end + 1:])
        text_line = end + 3
    return MarkdownPage(file, relative_stem(file, root), meta, node, text, text_line)


def _blocks(lines: list[str]) -> list[tuple[str, int, int]]:
    """The text's blocks as (kind, first line, end line) with kind prose, heading, code, comment or other."""
    blocks: list[tuple[str, int, int]] = []
    i, count = 0, len(lines)
    while i < count:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        start = i
        fence = _FENCE_RE.match(line)
        if fence:
            marker = fence.group(1)
            i += 1
            while i < count and not lines[i].lstrip().startswith(marker):
                i += 1
            blocks.append(("code", start, min(i + 1, count)))
            i += 1
            continue
        if line.lstrip().startswith("<!--"):
            while i < count and "-->" not in lines[i]:
                i += 1
            blocks.append(("comment", start, min(i + 1, count)))
            i += 1
            continue
        if _HEADING_RE.match(line):
            blocks.append(("heading", start, start + 1))
            i += 1
            continue
        kind = "other" if _NOT_PROSE_RE.match(line) else "prose"
        i += 1
        while i < count and lines[i].strip() and not _FENCE_RE.match(lines[i]) and not _HEADING_RE.match(lines[i]):
            i += 1
        blocks.append((kind, start, i))
    return blocks


def split_text(text: str) -> tuple[str | None, str, str]:
    """Split a note's text into (first ``# heading``, first plain paragraph, the rest).

    The heading leaves the rest only when it opens the text; the paragraph always leaves it. Only a
    paragraph before the first section heading is a definition.

    >>> split_text("# RAG\\n\\nRetrieval first,\\nthen generation.\\n\\n## More\\nText.")
    ('RAG', 'Retrieval first, then generation.', '## More\\nText.')
    >>> split_text("## Overview\\nUnder a section.")
    (None, '', '## Overview\\nUnder a section.')
    """
    lines = text.split("\n")
    blocks = _blocks(lines)
    title: str | None = None
    drop: set[int] = set()
    for index, (kind, start, _end) in enumerate(blocks):
        if kind == "heading":
            match = _H1_RE.match(lines[start])
            if match and match.group(1).strip():
                title = match.group(1).strip()
                if index == 0:
                    drop.add(start)
                break
    paragraph = ""
    for kind, start, end in blocks:
        if kind == "heading" and start not in drop:
            # Text under a section heading belongs to that section: a note that opens with a
            # section has no definition (the audit's missing_definitions), rather than a borrowed one.
            break
        if kind == "prose":
            paragraph = " ".join(line.strip() for line in lines[start:end])
            drop.update(range(start, end))
            break
    if not drop:
        return title, paragraph, text.strip()
    last = max(drop)
    before = [line for number, line in enumerate(lines[:last]) if number not in drop]
    after = lines[last + 1:]
    head, tail = "\n".join(before).strip(), "\n".join(after).strip()
    return title, paragraph, f"{head}\n\n{tail}" if head and tail else head or tail


def _label_first(order: str, pages: list[MarkdownPage]) -> bool:
    """Whether labels come first in wikilinks: as told, or (auto) when most notes look like Dendron's."""
    if order != "auto":
        return order == "dendron"
    dendron = sum(1 for page in pages if all(key in page.meta for key in _DENDRON_KEYS))
    return dendron * 2 > len(pages)


def _page_concept(
    page: MarkdownPage, mapping: FieldMapping, concept_id: str, separator: str, label_first: bool
) -> Concept:
    file = str(page.file)
    values = mapping.extract(page.meta, file, 1, separator=separator, label_first=label_first, node=page.node)
    heading, paragraph, rest = split_text(page.text)
    values.setdefault("title", heading or page.file.stem)
    values.setdefault("id", concept_id)
    inline: list[Reference] = []
    if values.get("definition"):
        # A definition written in the front matter may carry links of its own.
        if "[[" in values["definition"]:
            inline.extend(text_references(values["definition"], _key_line(page, mapping, "definition"), label_first))
        values.setdefault("body", _without_title(page.text))
    else:
        values["definition"] = paragraph
        values.setdefault("body", rest)
    offset = page.text_line - 1
    inline.extend(
        Reference(target, "wikilink", line + offset)
        for target, line, embed in wikilinks(page.text, label_first)
        if not embed and not target.startswith("dendron://")
    )
    return mapping.make_concept(values, file, _title_line(page, mapping, heading), inline=inline, path=page.path)


def _key_line(page: MarkdownPage, mapping: FieldMapping, name: str) -> int | None:
    """The front-matter line of the key that feeds concept field ``name`` (None when no key does)."""
    key = mapping.key_of(page.meta, name)
    if key is None:
        return None
    found = value_node(page.node, key)
    return node_line(found[0]) if found is not None else 1


def _title_line(page: MarkdownPage, mapping: FieldMapping, heading: str | None) -> int:
    """The file line where the note's title is written: its front-matter key, else its ``# heading``, else 1."""
    key_line = _key_line(page, mapping, "title")
    if key_line is not None:
        return key_line
    if heading is not None:
        for number, text in enumerate(page.text.split("\n")):
            match = _H1_RE.match(text)
            if match and match.group(1).strip() == heading:
                return number + page.text_line
    return 1


def _without_title(text: str) -> str:
    """The text without its opening ``# title`` line."""
    stripped = text.strip()
    if stripped.startswith("#"):
        first, _, remainder = stripped.partition("\n")
        if _H1_RE.match(first):
            return remainder.strip()
    return stripped


def load_markdown(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> Glossary:
    """Load a folder of Markdown notes (or one note) into a Glossary."""
    with paused_gc():
        return _load_markdown(path, mapping, lenient, progress, options)


def _load_markdown(
    path: Path,
    mapping: FieldMapping,
    lenient: bool,
    progress: Callable[[int, int | None], None] | None,
    options: dict[str, Any],
) -> Glossary:
    """The body of load_markdown."""
    check_options("markdown", options, _OPTIONS)
    separator = str(options.get("list_separator", ";"))
    order = str(options.get("wikilink_order", "auto")).lower()
    if order not in WIKILINK_ORDERS:
        raise UsageError(f"wikilink_order must be one of {', '.join(WIKILINK_ORDERS)}, got {clip(order)}")
    collector = Collector(path, "markdown", lenient, progress)
    if path.is_dir():
        root = path
        files = list_files(path, _SUFFIXES, exclude_patterns(options.get("exclude")), collector.warnings)
        if not files:
            raise LoadError(Problem(str(path), None, "the folder holds no Markdown files (.md)"))
    else:
        root, files = path.parent, [path]
    total = len(files)
    every = max(1, total // 100)
    pages: list[MarkdownPage] = []
    for done, file in enumerate(files, 1):
        try:
            pages.append(parse_page(file, root, options.get("max_file_size")))
        except LoadError as error:
            collector.problem(*error.problems)
        if done % every == 0 or done == total:
            collector.tick(done, total)
    label_first = _label_first(order, pages)
    ids = _stem_ids(pages)
    for page, concept_id in zip(pages, ids, strict=True):
        try:
            collector.add(_page_concept(page, mapping, concept_id, separator, label_first))
        except LoadError as error:
            collector.problem(*error.problems)
    return collector.glossary()


def _stem_ids(pages: list[MarkdownPage]) -> list[str]:
    """The id each note gets when its front matter has none: its stem, or its path when stems clash."""
    stems = [slugify(page.file.stem) for page in pages]
    shared = Counter(stems)
    return [stem if shared[stem] == 1 else slugify(page.path) for stem, page in zip(stems, pages, strict=True)]
