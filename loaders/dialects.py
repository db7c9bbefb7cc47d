"""What Dendron vaults and Logseq graphs write beyond plain Markdown notes, and how it is read.

Dendron names notes by dotted paths (``ops.runbook.md`` is the child of ``ops``) and gives every
note a random front-matter ``id``. Logseq names pages by their title, with namespaces
(``a/b``) encoded in the file name (``a___b.md``; older graphs ``a.b.md`` or ``a%2Fb.md``), writes
page properties as ``key:: value`` lines at the top, links with ``[[page]]``, ``#tag`` and
``#[[multi word]]``, and writes its text as an outline of ``- `` blocks.

The Markdown loader detects the dialect (``detect_dialect``) and uses the helpers here for names,
parents, properties, tags and definitions.
"""

from __future__ import annotations

__all__ = [
    "DIALECTS",
    "LogseqGraph",
    "detect_dialect",
    "logseq_graph",
    "logseq_name",
    "logseq_tags",
    "nearest_ancestor",
    "outline_definition",
    "page_properties",
    "property_names",
    "property_refs",
]

import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from graph.text import parse_wikilink, strip_code

#: The ``dialect`` option: detected (auto), or told.
DIALECTS = ("auto", "dendron", "logseq", "plain")

_EDN_SETTING_RE = re.compile(r'^[ \t]*(?:\{[ \t]*)?(:file/name-format|:pages-directory|:journals-directory)[ \t]+'
                             r'(:[\w-]+|"[^"\n]*")', re.MULTILINE)
_PROPERTY_RE = re.compile(r"^([A-Za-z0-9_][\w\-/.]*)::(?:[ \t]+(.*?))?[ \t]*$")
# A tag: #[[multi word]] or #word, after a space or at the start of a line (so no URL #fragment, no
# heading "# x", no org "#+BEGIN"); trailing sentence punctuation is not part of it.
_TAG_RE = re.compile(r"(?:(?<=[\s(])|^)#(?:\[\[([^\[\]\n]+)\]\]|([^\s#+\[\](){}<>,;!?\"'`][^\s#\[\](){}<>,;!?\"'`]*))",
                     re.MULTILINE)
_REF_RE = re.compile(r"#?\[\[([^\[\]\n]+)\]\]")
_BULLET_RE = re.compile(r"^-(?:[ \t]+|$)")
# Block content that is not a definition: headings, rules, org blocks, queries and embeds, code.
_NOT_TEXT_RE = re.compile(r"^(?:#{1,6}(?:[ \t]|$)|(?:[-*_][ \t]*){3,}$|#\+|\{\{|```|~~~|!\[|<)")


@dataclass(frozen=True, slots=True)
class LogseqGraph:
    """Where a Logseq graph keeps its pages and journals (relative to the folder loaded), and its file-name format."""

    pages: str | None
    journals: str | None
    legacy_names: bool


def logseq_graph(root: Path) -> LogseqGraph | None:
    """The Logseq graph at ``root`` (its root, or its pages folder), or None when ``root`` is none.

    A graph is known by ``logseq/config.edn``, or by ``pages/`` and ``journals/`` folders side by side.
    """
    for graph_root, inside in ((root, False), (root.parent, True)):
        config = graph_root / "logseq" / "config.edn"
        settings = _edn_settings(config) if config.is_file() else None
        if settings is None and not ((graph_root / "pages").is_dir() and (graph_root / "journals").is_dir()):
            continue
        settings = settings or {}
        pages = settings.get(":pages-directory", "pages")
        journals = settings.get(":journals-directory", "journals")
        legacy = settings.get(":file/name-format", ":legacy") != ":triple-lowbar"
        if inside:
            # Loading the pages folder itself: every note is a page.
            if root.name != pages:
                continue
            return LogseqGraph(None, None, legacy)
        return LogseqGraph(pages, journals, legacy)
    return None


def _edn_settings(config: Path) -> dict[str, str]:
    """The few config.edn settings the loader needs (commented-out lines are not read)."""
    text = config.read_text(encoding="utf-8", errors="replace")
    return {key: value.strip('"') for key, value in _EDN_SETTING_RE.findall(text)}


def detect_dialect(told: str, dendron_config: bool, dendron_notes: int, notes: int, logseq: LogseqGraph | None) -> str:
    """The dialect of a folder: as told, else Logseq (its config or layout), else Dendron (dendron.yml, or
    most notes with Dendron's id/updated/created front matter), else plain."""
    if told != "auto":
        return told
    if logseq is not None:
        return "logseq"
    if dendron_config or dendron_notes * 2 > notes:
        return "dendron"
    return "plain"


def logseq_name(stem: str, legacy: bool) -> str:
    """A Logseq page's name from its file name: ``___`` (and in legacy graphs ``.``) is the namespace ``/``,
    percent-escapes are decoded (``a%2Fb`` is ``a/b``).

    >>> logseq_name("Account___User", False), logseq_name("a.b", True), logseq_name("a.b", False)
    ('Account/User', 'a/b', 'a.b')
    >>> logseq_name("%3ABOUNDS", False), logseq_name("x%2Fy", False)
    (':BOUNDS', 'x/y')
    """
    name = stem.replace("___", "/")
    if legacy and "." in name:
        name = name.replace(".", "/")
    return unquote(name) if "%" in name else name


def nearest_ancestor(name: str, separator: str, known: Container[str]) -> str | None:
    """The nearest existing ancestor of a hierarchical name (``a.b.c``: ``a.b``, else ``a``), or None.

    ``known`` holds the existing names, compared lower case.

    >>> nearest_ancestor("a.b.c", ".", {"a", "z"}), nearest_ancestor("a/b", "/", {"a/b"})
    ('a', None)
    """
    parts = name.split(separator)
    for end in range(len(parts) - 1, 0, -1):
        candidate = separator.join(parts[:end]).lower()
        if candidate in known:
            return candidate
    return None


def page_properties(text: str) -> tuple[dict[str, str], dict[str, int], int]:
    """A Logseq page's properties: (values, 1-based line of each in ``text``, number of lines they take).

    Properties are the ``key:: value`` lines that open the page, possibly written as its first block.

    >>> page_properties("title:: RAG\\nalias:: R, Q\\n\\n- Text")
    ({'title': 'RAG', 'alias': 'R, Q'}, {'title': 1, 'alias': 2}, 2)
    >>> page_properties("- tags:: ml\\n  type:: x\\n- Text")[0]
    {'tags': 'ml', 'type': 'x'}
    """
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    taken = 0
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if number == 0 and _BULLET_RE.match(stripped):
            stripped = stripped[1:].strip()
        match = _PROPERTY_RE.match(stripped)
        if not match:
            break
        key = match.group(1).lower()
        values[key] = (match.group(2) or "").strip()
        lines[key] = number + 1
        taken = number + 1
    return values, lines, taken


def property_names(value: str) -> list[str]:
    """The page names a list property holds (``alias::``, ``tags::``): comma-separated, brackets and ``#`` removed.

    >>> property_names("[[Large Language Model]], LLM, #ml")
    ['Large Language Model', 'LLM', 'ml']
    """
    names: list[str] = []
    for part in _split_commas(value):
        part = part.strip()
        if part.startswith("#"):
            part = part[1:]
        if part.startswith("[[") and part.endswith("]]"):
            part = part[2:-2]
        part = part.strip()
        if part:
            names.append(part)
    return names


def _split_commas(value: str) -> Iterator[str]:
    """Split on commas outside ``[[...]]`` (a page name may hold a comma)."""
    depth, start = 0, 0
    for index, char in enumerate(value):
        if value.startswith("[[", index):
            depth += 1
        elif value.startswith("]]", index) and depth:
            depth -= 1
        elif char == "," and not depth:
            yield value[start:index]
            start = index + 1
    yield value[start:]


def property_refs(value: str) -> list[str]:
    """The pages a property's value refers to: its ``[[page]]``, ``#[[page]]`` and ``#tag``.

    >>> property_refs("[[Feature]] and #desktop")
    ['Feature', 'desktop']
    """
    found = [parse_wikilink(match.group(1)) for match in _REF_RE.finditer(value)]
    found.extend(match.group(2).rstrip(".:") for match in _TAG_RE.finditer(_REF_RE.sub(" ", value))
                 if match.group(2))
    return [name for name in found if name]


def logseq_tags(text: str) -> tuple[list[tuple[str, int]], str]:
    """The ``#tag`` and ``#[[multi word]]`` of a text outside code, with their 1-based lines, and the text with
    them blanked (so a ``#[[tag]]`` is not read again as a wikilink).

    >>> tags, rest = logseq_tags("See #ml and #[[deep learning]].\\n`#code` #+BEGIN_NOTE https://x.org/#frag")
    >>> tags, rest.split()
    ([('ml', 1), ('deep learning', 1)], ['See', 'and', '.', '`#code`', '#+BEGIN_NOTE', 'https://x.org/#frag'])
    """
    if "#" not in text:
        return [], text
    clean = strip_code(text)
    found: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    for match in _TAG_RE.finditer(clean):
        name = parse_wikilink(match.group(1)) if match.group(1) else match.group(2).rstrip(".:")
        if not name:
            continue
        found.append((name, clean.count("\n", 0, match.start()) + 1))
        spans.append(match.span())
    if not spans:
        return found, text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(" " * (end - start))
        last = end
    parts.append(text[last:])
    return found, "".join(parts)


def outline_definition(text: str, is_prose: Callable[[str], bool]) -> tuple[str, str] | None:
    """(definition, the rest) of a Logseq outline: the first top-level ``- `` block that holds text.

    Headings, rules, queries, embeds and blocks of properties only are passed over; the block's own
    properties (``id:: ...``) are not part of its text. None when the text is not an outline.

    >>> outline_definition("- ---\\n- ## Intro\\n- A record of\\n  ownership.\\n\\t- child\\n- more", lambda s: True)
    ('A record of ownership.', '- ---\\n- ## Intro\\n\\t- child\\n- more')
    """
    lines = text.split("\n")
    starts = [number for number, line in enumerate(lines) if _BULLET_RE.match(line)]
    if not starts or any(line.strip() for line in lines[:starts[0]]):
        return None
    for index, start in enumerate(starts):
        end = start + 1
        limit = starts[index + 1] if index + 1 < len(starts) else len(lines)
        # The block's own lines: its first line and the indented continuation before any child block.
        while end < limit and lines[end].strip() and not _BULLET_RE.match(lines[end].strip()):
            end += 1
        content = [lines[start][1:].strip(), *(line.strip() for line in lines[start + 1:end])]
        content = [line for line in content if line and not _PROPERTY_RE.match(line)]
        if not content or _NOT_TEXT_RE.match(content[0]) or not is_prose(content[0]):
            continue
        rest = "\n".join(lines[:start] + lines[end:]).strip()
        return " ".join(content), rest
    return None
