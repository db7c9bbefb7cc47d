"""The Markdown loader: a folder of notes with optional YAML front matter and inline [[wikilinks]].

One file is one concept. Front matter gives the fields (through the field mapping); the title
falls back to the first ``# heading``, then the file name; the id to the file stem as a slug (the
relative path as a slug when several files share a stem); the definition to the first plain
paragraph before the first section heading, which then leaves the body. ``Concept.path`` is the file's path inside the
folder without extension, so links that name files (``[[dev/index]]``) resolve too.
"""

from __future__ import annotations

__all__ = ["TEMPLATE_CHOICES", "WIKILINK_ORDERS", "MarkdownPage", "load_markdown", "parse_page", "split_text"]

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, Problem, UsageError
from graph.model import Concept, Glossary, Reference
from graph.text import normalise, slugify, wikilinks
from graph.untrusted import clip
from loaders.dialects import (
    DIALECTS,
    LogseqGraph,
    detect_dialect,
    journal_title,
    logseq_graph,
    logseq_name,
    logseq_tags,
    nearest_ancestor,
    outline_definition,
    page_properties,
    property_names,
    property_refs,
)
from loaders.fields import FieldMapping, describe
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
from loaders.mdlinks import NoteIndex, markdown_links, url_paths
from loaders.onepage import load_one_page

#: What to do with Hugo/Jekyll section pages and templates (_index.md, _*.md, archetypes/).
TEMPLATE_CHOICES = ("skip", "include")

#: How a wikilink with a label is written: Obsidian ``[[target|label]]``, Dendron ``[[label|target]]``.
WIKILINK_ORDERS = ("obsidian", "dendron", "auto")

_SUFFIXES = (".md", ".markdown")
_OPTIONS = ("wikilink_order", "exclude", "max_file_size", "list_separator", "templates", "vault", "dialect", "split")
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


def _label_first(order: str, dialect: str) -> bool:
    """Whether labels come first in wikilinks: as told, or (auto) in a Dendron vault."""
    if order != "auto":
        return order == "dendron"
    return dialect == "dendron"


def _dendron_notes(pages: list[MarkdownPage]) -> int:
    """How many notes carry Dendron's front matter (id, updated and created)."""
    return sum(1 for page in pages if all(key in page.meta for key in _DENDRON_KEYS))


@dataclass(slots=True)
class _Dialect:
    """What a note's dialect adds to it: the name its id and hierarchy come from, attributes, property links."""

    name: str
    attributes: dict[str, Any]
    refs: list[Reference]


def _prepare(page: MarkdownPage, dialect: str, logseq: LogseqGraph | None, mapping: FieldMapping) -> _Dialect:
    """Read what a Dendron or Logseq note writes beyond plain Markdown; Logseq properties become its front matter.

    Dendron: the note's name is its file stem; the random front-matter id is kept as the attribute
    ``dendron_id``. Logseq: the page name comes from the file name (namespaces decoded); ``key::
    value`` properties are front matter (``alias::`` a list), ``tags::`` values are tag links, the
    page ``id::`` and properties the field mapping does not use are attributes, and the pages those
    refer to (``type:: [[Feature]]``) are links.
    """
    if dialect == "dendron":
        attributes: dict[str, Any] = {}
        if "id" in page.meta:
            page.meta = dict(page.meta)
            attributes["dendron_id"] = page.meta.pop("id")
        return _Dialect(page.file.stem, attributes, [])
    if dialect != "logseq":
        return _Dialect(page.file.stem, {}, [])
    name = logseq_name(page.file.stem, logseq.legacy_names if logseq else True)
    values, lines, taken = page_properties(page.text)
    if not values:
        return _Dialect(name, {}, [])
    offset = page.text_line - 1
    # The property lines leave the text (blank, so lines keep their numbers): they are no definition or link.
    text_lines = page.text.split("\n")
    page.text = "\n".join([""] * taken + text_lines[taken:])
    meta = dict(page.meta)
    attributes = {}
    refs: list[Reference] = []
    for key, value in values.items():
        line = lines[key] + offset
        if key == "tags":
            refs.extend(Reference(tag, "tag", line) for tag in property_names(value))
        elif key == "id":
            attributes["logseq_id"] = value
        elif key == "alias":
            meta[key] = property_names(value)
        else:
            meta[key] = value
    used = {key for _name, key in mapping.source_keys(meta)}
    for key in list(meta):
        if key in values and key not in used:
            # A property the model has no field for: kept as an attribute, its page references are links.
            attributes[key] = meta.pop(key)
            refs.extend(Reference(target, "related", lines[key] + offset) for target in property_refs(values[key]))
    page.meta = meta
    return _Dialect(name, attributes, refs)


def _as_written(meta: dict[str, Any], node: yaml.Node | None, key: str | None) -> None:
    """Put back the text of a title or alias that YAML read as a date, number or boolean (``title: 2020``)."""
    if key is None:
        return
    value = meta.get(key)
    if isinstance(value, str) or value is None:
        return
    found = value_node(node, key)
    if found is None:
        return
    written = found[1]
    if isinstance(written, yaml.ScalarNode) and not isinstance(value, list | dict):
        meta[key] = written.value
    elif isinstance(written, yaml.SequenceNode) and isinstance(value, list) and len(value) == len(written.value):
        meta[key] = [
            item.value if isinstance(item, yaml.ScalarNode) and not isinstance(raw, str | dict | list) else raw
            for raw, item in zip(value, written.value, strict=True)
        ]


def _page_values(page: MarkdownPage, mapping: FieldMapping, separator: str, label_first: bool) -> dict[str, Any]:
    """The concept fields a note's front matter gives, through the field mapping."""
    meta = page.meta
    if meta:
        for name, key in mapping.source_keys(meta):
            value = meta[key]
            if (name == "title" or name == "aliases") and not isinstance(value, str):
                meta = dict(meta) if meta is page.meta else meta
                _as_written(meta, page.node, key)
            elif name == "categories" and isinstance(value, str) and _is_tags(key):
                # Obsidian and Hugo accept tags as one string: "ml, ops" or "ml ops" are two tags.
                meta = dict(meta) if meta is page.meta else meta
                meta[key] = [tag for tag in re.split(r"[,\s]+", value) if tag]
    return mapping.extract(meta, str(page.file), 1, separator=separator, label_first=label_first, node=page.node)


class _Links:
    """Turns the links written in notes into references: wikilinks and Markdown links, counted by form."""

    def __init__(self, pages: list[MarkdownPage], ids: list[str], attachments: list[str],
                 skipped: list[MarkdownPage], label_first: bool, vaults: set[str] | None = None,
                 journals: tuple[set[str], list[str]] = (set(), [])):
        """``journals``: a Logseq graph's journal pages, (page names in lower case, file paths with extension)."""
        # A note's path is its relative file path without the extension: put the extension back.
        self.files = [page.path + page.file.suffix for page in pages]
        self.ids = ids
        self.label_first = label_first
        self.index = NoteIndex(
            [(file, page.path, page.meta) for file, page in zip(self.files, pages, strict=True)],
            [(page.path + page.file.suffix, page.path, page.meta) for page in skipped],
            attachments,
            journals[1],
        )
        #: The names of existing journal pages (lower case): links to them are no concept links.
        self.journals = journals[0]
        self.counts: Counter[str] = Counter()
        #: Whether ((uuid)) destinations are block references (in a Logseq graph).
        self.block_refs = False
        #: The names this vault goes by in dendron:// links (lower case).
        self.vaults = vaults if vaults is not None else _linked_vaults(pages, self.index)

    def wikilinks(self, number: int, text: str, line: int | None, offset: int = 0) -> list[Reference]:
        """The wikilinks of a note's text (``line`` None: each at its own line, shifted by ``offset``)."""
        index = self.index
        folder = index.folders[number]
        found: list[Reference] = []
        for target, at, embed in wikilinks(text, self.label_first):
            if target.startswith("dendron://"):
                vault, _, name = target[len("dendron://"):].partition("/")
                if not name or vault.lower() not in self.vaults:
                    # A note of another vault: not in this glossary, and not known to be missing either.
                    self.counts["other_vault_links"] += 1
                    continue
                target = name
            if embed and not self.label_first:
                # An Obsidian embed shows a picture or another note's text; it links nothing.
                continue
            if target[-3:].lower() == ".md":
                target = target[:-3]
            if index.attachments and index.is_attachment(target):
                # [[diagram.png]] names a file of the vault that is no note: not a concept link.
                self.counts["attachment_links"] += 1
                continue
            if "/" not in target and len(index.by_stem.get(target.lower(), ())) > 1:
                # Several notes share the file name: Obsidian takes the one nearest to the linking note.
                nearest = index.nearest(target, folder)
                if nearest is not None:
                    target = self.ids[nearest]
            found.append(Reference(target, "wikilink", line if line is not None else at + offset))
        return found

    def not_journal(self, references: list[Reference]) -> list[Reference]:
        """The references that do not name an existing Logseq journal page; those are counted as journal links."""
        if not self.journals:
            return references
        kept = [reference for reference in references if reference.target.lower() not in self.journals]
        if len(kept) < len(references):
            self.counts["journal_links"] += len(references) - len(kept)
        return kept

    def tags(self, text: str, offset: int) -> tuple[list[Reference], str]:
        """Logseq's ``#tag`` and ``#[[multi word]]`` links of a note's text, and the text without them."""
        found, rest = logseq_tags(text)
        return [Reference(name, "tag", at + offset) for name, at in found], rest

    def markdown(
        self, number: int, page: MarkdownPage, text: str, line: int | None, offset: int = 0
    ) -> list[Reference]:
        """The Markdown links of a note's text that join concepts; broken ones keep the path written."""
        found: list[Reference] = []
        pairs = markdown_links(text)
        if not pairs:
            return found
        index, file = self.index, self.files[number]
        url = url_paths(page.path, page.meta)[0]
        for href, at in pairs:
            if href.startswith("((") and self.block_refs:
                # [text](((uuid))) points at a Logseq block, not at a page.
                self.counts["block_links"] += 1
                continue
            where = index.resolve(href, file, url)
            if where.note is not None:
                target = self.ids[where.note]
            elif where.missing is not None:
                target = where.missing
            else:
                self.counts[f"{where.ignored}_links"] += 1
                continue
            found.append(Reference(target, "markdown", line if line is not None else at + offset))
        return found


_DENDRON_LINK_RE = re.compile(r"\[\[(?:[^\]|]*\|)?dendron://([^/\]|#]+)/([^\]|#^]+)")


def _linked_vaults(pages: list[MarkdownPage], index: NoteIndex) -> set[str]:
    """The vault names of dendron:// links that are this vault: those whose notes are mostly here."""
    found: dict[str, list[int]] = {}
    for page in pages:
        if "dendron://" in page.text:
            for vault, name in _DENDRON_LINK_RE.findall(page.text):
                counts = found.setdefault(vault.strip().lower(), [0, 0])
                counts[0] += name.strip().lower() in index.by_stem
                counts[1] += 1
    return {vault for vault, (here, total) in found.items() if here * 2 > total}


def dendron_vaults(root: Path) -> set[str] | None:
    """The names the folder goes by as a Dendron vault, from a dendron.yml beside or above it (None: no file)."""
    for folder in (root, root.parent):
        config = folder / "dendron.yml"
        if not config.is_file():
            continue
        data, _node = parse_yaml(read_text(config), str(config))
        workspace = data.get("workspace") if isinstance(data, dict) else None
        vaults = (workspace or {}).get("vaults") if isinstance(workspace, dict) else None
        if vaults is None and isinstance(data, dict):
            vaults = data.get("vaults")
        names: set[str] = set()
        for vault in vaults if isinstance(vaults, list) else []:
            if not isinstance(vault, dict) or not isinstance(vault.get("fsPath"), str):
                continue
            if (folder / vault["fsPath"]).resolve() == root.resolve():
                names.add(str(vault.get("name") or Path(vault["fsPath"]).name).lower())
        return names
    return None


def _page_concept(
    number: int, page: MarkdownPage, values: dict[str, Any], mapping: FieldMapping, concept_id: str, links: _Links,
    extra: _Dialect, dialect: str,
) -> Concept:
    file = str(page.file)
    outline = outline_definition(page.text, _is_prose) if dialect == "logseq" else None
    heading, paragraph, rest = (None, *outline) if outline is not None else split_text(page.text)
    # A Logseq page's title is its name; a # heading in it is a heading of its text.
    values.setdefault("title", extra.name if dialect == "logseq" else heading or page.file.stem)
    values["id"] = values.get("id") or concept_id
    inline: list[Reference] = list(extra.refs)
    if values.get("definition"):
        # A definition written in the front matter may carry links of its own.
        definition = values["definition"]
        definition_line = _key_line(page, mapping, "definition")
        if "[[" in definition:
            inline.extend(links.wikilinks(number, definition, definition_line))
        inline.extend(links.markdown(number, page, definition, definition_line))
        values.setdefault("body", _without_title(page.text) if dialect != "logseq" else page.text.strip())
    else:
        values["definition"] = paragraph
        values.setdefault("body", rest)
    offset = page.text_line - 1
    text = page.text
    if dialect == "logseq":
        tags, text = links.tags(text, offset)
        inline.extend(tags)
    inline.extend(links.wikilinks(number, text, None, offset))
    inline.extend(links.markdown(number, page, text, None, offset))
    # [[Dec 3rd, 2023]], #[[Dec 3rd, 2023]] or date:: [[Dec 3rd, 2023]]: a journal page that exists, no concept.
    inline = links.not_journal(inline)
    concept = mapping.make_concept(values, file, _title_line(page, mapping, heading), inline=inline, path=page.path)
    if extra.attributes:
        concept.attributes = extra.attributes
    return concept


def _is_prose(line: str) -> bool:
    """Whether a block's first line opens a plain paragraph (not a list, table, quote, image or HTML)."""
    return not _NOT_PROSE_RE.match(line)


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
    templates = str(options.get("templates", "skip")).lower()
    if templates not in TEMPLATE_CHOICES:
        raise UsageError(f"templates must be one of {', '.join(TEMPLATE_CHOICES)}, got {clip(templates)}")
    told = str(options.get("dialect", "auto")).lower()
    if told not in DIALECTS:
        raise UsageError(f"dialect must be one of {', '.join(DIALECTS)}, got {clip(told)}")
    collector = Collector(path, "markdown", lenient, progress)
    attachments: list[str] = []
    single: MarkdownPage | None = None
    if path.is_dir():
        if str(options.get("split", "auto")).lower() != "auto":
            raise UsageError("the split option applies to a single Markdown file (a one-page glossary), not a folder")
        root = path
        files = list_files(
            path, _SUFFIXES, exclude_patterns(options.get("exclude")), collector.warnings, others=attachments
        )
        if not files:
            raise LoadError(Problem(str(path), None, "the folder holds no Markdown files (.md)"))
    else:
        # A single file may be a whole glossary on one page (loaders/onepage.py): one concept per heading.
        try:
            single = parse_page(path, path.parent, options.get("max_file_size"))
        except LoadError:
            pass  # reported below, as for any note
        else:
            one_page = load_one_page(single, mapping, collector, str(options.get("split", "auto")).lower())
            if one_page is not None:
                return one_page
        root, files = path.parent, [path]
    logseq = logseq_graph(root) if told in ("auto", "logseq") and path.is_dir() else None
    if told == "logseq" and logseq is None:
        logseq = LogseqGraph(None, None, legacy_names=True)
    total = len(files)
    every = max(1, total // 100)
    pages: list[MarkdownPage] = []
    skipped: list[MarkdownPage] = []
    skipped_why: list[Problem] = []
    for done, file in enumerate(files, 1):
        why = _not_a_concept(relative_stem(file, root), templates, logseq) if path.is_dir() else None
        try:
            # A single file read as one note was parsed above already.
            page = single if single is not None else parse_page(file, root, options.get("max_file_size"))
        except LoadError as error:
            if why is None:
                collector.problem(*error.problems)
            else:
                # A template's front matter is often not YAML yet ({{ .Date }}): it is not read as a concept anyway.
                skipped.append(MarkdownPage(file, relative_stem(file, root), {}, None, "", 1))
                skipped_why.append(Problem(str(file), None, why))
        else:
            if why is None:
                pages.append(page)
            else:
                skipped.append(page)
                skipped_why.append(Problem(str(file), None, why))
        if done % every == 0 or done == total:
            collector.tick(done, total)
    vault = options.get("vault")
    dendron_config = dendron_vaults(root) if path.is_dir() else None
    dialect = detect_dialect(told, dendron_config is not None, _dendron_notes(pages), len(pages), logseq)
    label_first = _label_first(order, dialect)
    extras = [_prepare(page, dialect, logseq, mapping) for page in pages]
    values_of: list[dict[str, Any] | None] = []
    for page in pages:
        try:
            values_of.append(_page_values(page, mapping, separator, label_first))
        except LoadError as error:
            collector.problem(*error.problems)
            values_of.append(None)
    ids = _assign_ids(pages, values_of, collector, _default_ids(pages, extras, dialect))
    vaults = {str(vault).lower()} if vault else dendron_config
    journals = _journal_pages(logseq, skipped, attachments, extras, values_of) if dialect == "logseq" else (set(), [])
    links = _Links(pages, ids, attachments, skipped, label_first, vaults, journals)
    links.block_refs = dialect == "logseq"
    tags = 0
    concepts: list[Concept | None] = []
    for number, (page, values, concept_id) in enumerate(zip(pages, values_of, ids, strict=True)):
        if values is None:
            concepts.append(None)
            continue
        try:
            concepts.append(_page_concept(number, page, values, mapping, concept_id, links, extras[number], dialect))
        except LoadError as error:
            collector.problem(*error.problems)
            concepts.append(None)
    if dialect in ("dendron", "logseq"):
        _set_parents(concepts, extras, dialect)
    for page, concept in zip(pages, concepts, strict=True):
        if concept is None:
            continue
        if concept.categories and page.meta and _is_tags(mapping.source_key(page.meta, "categories")):
            tags += len(concept.categories)
        collector.add(concept)
    glossary = collector.glossary()
    glossary.skipped = skipped_why
    glossary.counts = {"tags": tags, **links.counts}
    glossary.dialect = "" if dialect == "plain" else dialect
    return glossary


def _set_parents(concepts: list[Concept | None], extras: list[_Dialect], dialect: str) -> None:
    """Each note's parent in its dialect's hierarchy: the nearest existing ancestor of its name.

    Dendron's ``a.b.c`` has the parent ``a.b``, else ``a`` when no note ``a.b`` exists (vaults often
    lack the notes in between); a top-level note has none. Logseq's ``a/b/c`` likewise, by page name
    (its title). The parent is written as the parent's id, so it resolves to that very note.
    """
    separator = "." if dialect == "dendron" else "/"
    names = [extra.name if dialect == "dendron" else concept.title if concept else ""
             for extra, concept in zip(extras, concepts, strict=True)]
    owners: dict[str, str] = {}
    for name, concept in zip(names, concepts, strict=True):
        if concept is not None:
            owners.setdefault(name.lower(), concept.id)
    for name, concept in zip(names, concepts, strict=True):
        if concept is None or separator not in name or concept.parents:
            continue
        parent = nearest_ancestor(name, separator, owners)
        if parent is not None:
            origin = concept.origin.line if concept.origin else None
            concept.parents = (Reference(owners[parent], "related", origin),)


def _journal_pages(
    logseq: LogseqGraph | None, skipped: list[MarkdownPage], attachments: list[str], extras: list[_Dialect],
    values_of: list[dict[str, Any] | None],
) -> tuple[set[str], list[str]]:
    """A Logseq graph's journal pages: (their page names in lower case, their file paths with extension).

    Journals are the files in its journals folder, Markdown or Org (Logseq writes both); a page's name
    is its file's date in the graph's journal title format (a file named by no date has none). A page
    of pages/ with that very name is the page Logseq shows: the name stays a concept link.
    """
    if logseq is None or logseq.journals is None:
        return set(), []
    prefix = logseq.journals + "/"
    files = [page.path + page.file.suffix for page in skipped if page.path.startswith(prefix)]
    files.extend(file for file in attachments if file.startswith(prefix) and file.lower().endswith(".org"))
    taken = {extra.name.lower() for extra in extras}
    taken.update(str(values["title"]).lower() for values in values_of if values and values.get("title"))
    names = {title.lower() for file in files
             if (title := journal_title(file[len(prefix):].rsplit(".", 1)[0], logseq)) is not None}
    return names - taken, files


def _not_a_concept(path: str, templates: str, logseq: LogseqGraph | None) -> str | None:
    """Why a note is no concept (a template, a Logseq journal, a file beside a Logseq graph's pages), or None."""
    if logseq is None:
        return _template(path) if templates == "skip" else None
    if logseq.pages is None:
        return None
    top = path.split("/", 1)[0]
    if top == logseq.pages and "/" in path:
        return None
    if top == logseq.journals and "/" in path:
        return "a Logseq journal page, not a concept"
    return f"outside the Logseq graph's {logseq.pages}/ folder, not a page"


def _is_tags(key: str | None) -> bool:
    """Whether a front matter key is a tags field (``tags``, ``Tags``)."""
    return key is not None and key.strip().lower() == "tags"


def _template(path: str) -> str | None:
    """Why a note is no concept (a Hugo section page, a template), or None when it is one."""
    parts = path.split("/")
    if parts[-1].startswith("_"):
        if parts[-1].lower() == "_index":
            return "a section page (_index.md), not a concept"
        return "a template or partial (_*.md), not a concept"
    if "archetypes" in parts[:-1]:
        return "a Hugo archetype (archetypes/), not a concept"
    return None


def _default_ids(pages: list[MarkdownPage], extras: list[_Dialect], dialect: str) -> list[str]:
    """The id each note gets when its front matter has none.

    Plain notes: the slug of the file stem, or of the path when stems clash. Dendron: the note's
    name as is (``ops.runbook``), which is how Dendron names notes. Logseq: the slug of the page name
    (pages are one flat folder: a clash takes a suffix, see _assign_ids).
    """
    if dialect == "dendron":
        return [extra.name for extra in extras]
    stems = [slugify(extra.name) for extra in extras]
    if dialect == "logseq":
        return stems
    shared = Counter(stems)
    return [stem if shared[stem] == 1 else slugify(page.path) for stem, page in zip(stems, pages, strict=True)]


def _assign_ids(
    pages: list[MarkdownPage], values_of: list[dict[str, Any] | None], collector: Collector, defaults: list[str]
) -> list[str]:
    """Each note's id: the one its front matter writes, else its stem (or path) slug, made unique.

    Two different names can slug alike (``Far-infrared astronomy`` and ``Far infrared astronomy``):
    the later note in file order takes the first free ``-2``, ``-3``... and a warning. Ids written
    in front matter are never renamed; the same id written twice stays an error.
    """
    owners: dict[str, str] = {}
    for page, values in zip(pages, values_of, strict=True):
        if values and values.get("id"):
            owners.setdefault(normalise(values["id"]), str(page.file))
    ids: list[str] = []
    for page, values, default in zip(pages, values_of, defaults, strict=True):
        if values and values.get("id"):
            ids.append(values["id"])
            continue
        concept_id, number = default, 2
        while normalise(concept_id) in owners:
            concept_id, number = f"{default}-{number}", number + 1
        if concept_id != default:
            collector.warn(Problem(
                str(page.file), None,
                f"id {default!r} is taken by {owners[normalise(default)]}: this note loads as {concept_id!r}",
            ))
        owners[normalise(concept_id)] = str(page.file)
        ids.append(concept_id)
    return ids
