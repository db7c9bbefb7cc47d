"""What Dendron vaults and Logseq graphs write beyond plain Markdown notes, and how it is read.

Dendron names notes by dotted paths (``ops.runbook.md`` is the child of ``ops``) and gives every
note a random front-matter ``id``. Logseq names pages by their title, with namespaces
(``a/b``) encoded in the file name (``a___b.md``; older graphs ``a.b.md`` or ``a%2Fb.md``), writes
page properties as ``key:: value`` lines at the top, links with ``[[page]]``, ``#tag`` and
``#[[multi word]]``, and writes its text as an outline of ``- `` blocks.

The Markdown loader detects the dialect (``detect_dialect``) and uses the helpers here for names,
parents, properties, tags and definitions. Journal pages (``journals/2023_12_03.md``) are no
concepts, but a link to one (``[[Dec 3rd, 2023]]``, in the graph's ``:journal/page-title-format``)
links to a page that exists: ``journal_title`` gives the name a journal file's page goes by.
"""

from __future__ import annotations

__all__ = [
    "DIALECTS",
    "LogseqGraph",
    "detect_dialect",
    "journal_title",
    "logseq_graph",
    "logseq_name",
    "logseq_tags",
    "nearest_ancestor",
    "outline_definition",
    "page_properties",
    "property_names",
    "property_refs",
]

import datetime as dt
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from graph.text import parse_wikilink, strip_code

#: The ``dialect`` option: detected (auto), or told.
DIALECTS = ("auto", "dendron", "logseq", "plain")

_EDN_SETTING_RE = re.compile(r'^[ \t]*(?:\{[ \t]*)?(:file/name-format|:pages-directory|:journals-directory|'
                             r':journal/page-title-format|:journal/file-name-format)[ \t]+'
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
    #: How journal pages are named (``:journal/page-title-format``) and their files (``:journal/file-name-format``).
    journal_title_format: str = "MMM do, yyyy"
    journal_file_format: str = "yyyy_MM_dd"


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
        formats = (settings.get(":journal/page-title-format", "MMM do, yyyy"),
                   settings.get(":journal/file-name-format", "yyyy_MM_dd"))
        if inside:
            # Loading the pages folder itself: every note is a page.
            if root.name != pages:
                continue
            return LogseqGraph(None, None, legacy, *formats)
        return LogseqGraph(pages, journals, legacy, *formats)
    return None


def _edn_settings(config: Path) -> dict[str, str]:
    """The few config.edn settings the loader needs (commented-out lines are not read)."""
    text = config.read_text(encoding="utf-8", errors="replace")
    return {key: value.strip('"') for key, value in _EDN_SETTING_RE.findall(text)}


# The date tokens of Logseq's journal formats (date-fns style), longest first; '...' is literal text.
_DATE_TOKEN_RE = re.compile(r"'[^']*'|yyyy|yy|MMMM|MMM|MM|M|do|dd|d|EEEE|EEE|EE|E")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# What each token matches in a file name: the group it fills (year, month, day) and its pattern.
_DATE_PARTS = {
    "yyyy": ("year", r"\d{4}"), "yy": ("short_year", r"\d{2}"), "MMMM": ("month_name", r"[A-Za-z]+"),
    "MMM": ("month_name", r"[A-Za-z]{3}"), "MM": ("month", r"\d{2}"), "M": ("month", r"\d{1,2}"),
    "do": ("day", r"\d{1,2}(?:st|nd|rd|th)"), "dd": ("day", r"\d{2}"), "d": ("day", r"\d{1,2}"),
}


def _ordinal(day: int) -> str:
    """A day of the month as date-fns's ``do`` writes it: 1st, 2nd, 3rd, 4th, 11th, 22nd."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _format_date(date: dt.date, pattern: str) -> str:
    """A date written in a Logseq journal format (``MMM do, yyyy``: ``Dec 3rd, 2023``)."""
    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith("'"):
            return text[1:-1]
        values = {
            "yyyy": f"{date.year:04d}", "yy": f"{date.year % 100:02d}", "MMMM": _MONTHS[date.month - 1],
            "MMM": _MONTHS[date.month - 1][:3], "MM": f"{date.month:02d}", "M": str(date.month),
            "do": _ordinal(date.day), "dd": f"{date.day:02d}", "d": str(date.day),
            "EEEE": _DAYS[date.weekday()],
        }
        return values.get(text, _DAYS[date.weekday()][:3])  # E, EE, EEE: the short day name
    return _DATE_TOKEN_RE.sub(token, pattern)


def _parse_date(text: str, pattern: str) -> dt.date | None:
    """The date a journal file name writes in a Logseq format (``2023_12_03`` in ``yyyy_MM_dd``), or None."""
    regex, last = [], 0
    for match in _DATE_TOKEN_RE.finditer(pattern):
        regex.append(re.escape(pattern[last:match.start()]))
        last = match.end()
        written = match.group(0)
        if written.startswith("'"):
            regex.append(re.escape(written[1:-1]))
        elif written in _DATE_PARTS:
            group, part = _DATE_PARTS[written]
            regex.append(f"(?P<{group}>{part})")
        else:
            regex.append("[A-Za-z]+")  # a day name: the date says it already
    regex.append(re.escape(pattern[last:]))
    try:
        found = re.fullmatch("".join(regex), text)
    except re.error:  # a format that names one part twice
        return None
    if found is None:
        return None
    parts = found.groupdict()
    year = int(parts["year"]) if parts.get("year") else 2000 + int(parts["short_year"] or 0)
    if parts.get("month_name"):
        names = [name.lower() for name in _MONTHS]
        wanted = parts["month_name"].lower()
        month = next((i + 1 for i, name in enumerate(names) if name == wanted or name[:3] == wanted), 0)
    else:
        month = int(parts.get("month") or 0)
    day = int(re.sub(r"\D", "", parts.get("day") or "0"))
    try:
        return dt.date(year, month, day)
    except ValueError:  # 2023_02_30, or a part the format lacks
        return None


def journal_title(stem: str, graph: LogseqGraph) -> str | None:
    """The page name of a journal file (its stem, in the graph's file-name format), or None when it names no date.

    >>> graph = LogseqGraph("pages", "journals", False)
    >>> journal_title("2023_12_03", graph), journal_title("2024_01_22", graph), journal_title("notes", graph)
    ('Dec 3rd, 2023', 'Jan 22nd, 2024', None)
    >>> journal_title("2024-02-29", LogseqGraph("p", "j", False, "EEEE, dd.MM.yyyy", "yyyy-MM-dd"))
    'Thursday, 29.02.2024'
    """
    date = _parse_date(stem, graph.journal_file_format)
    return _format_date(date, graph.journal_title_format) if date is not None else None


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
