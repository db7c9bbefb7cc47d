"""One-page glossaries: a single Markdown file whose same-level headings are the concepts.

mdBook, MkDocs and Docusaurus sites and many READMEs keep a whole glossary on one page: a
``# Glossary`` title, then one ``##`` (or ``###``) heading per term with its definition below. When
SOURCE is such a file (never a note inside a folder: vault notes often have two ``##`` sections),
each heading at the term level is a concept:

- title: the heading's text (markup removed);
- id: the anchor the renderer gives the heading, GitHub-style (``github_slug``), or the explicit
  ``{#custom-id}`` written after it (MkDocs attr_list, Pandoc, Docusaurus); a repeated heading takes
  ``-1``, ``-2``... as GitHub does;
- definition: the first paragraph under the heading; body: the rest of its section;
- aliases: an ``Also known as:`` (``Aliases:``, ``Synonyms:``, ``AKA:``) line in the section;
- categories: the enclosing higher heading, unless it is an alphabet heading (``## A``);
- related: ``[text](#anchor)`` links to another section (also ``[text](glossary.md#anchor)``),
  ``[[#Heading]]`` and every ``[[wikilink]]``.

The term level is detected (``split=auto``): the shallowest heading level below the title with two
or more headings, skipping a level of group headings (alphabet letters, or headings with no text of
their own); ``split=h2`` (h1-h6) names it, ``split=none`` reads the file as one note. A page without
term headings whose paragraphs are mostly ``**Term**: definition`` entries or a definition list
(``Term`` then ``: definition``) is read one concept per entry (``split=terms`` asks for that).
"""

from __future__ import annotations

__all__ = ["SPLIT_CHOICES", "Heading", "github_slug", "headings", "load_one_page", "term_level"]

import bisect
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from graph.errors import Problem, UsageError
from graph.kinds import LinkKind
from graph.model import Glossary, Reference
from graph.text import WIKILINK_RE, normalise, parse_wikilink, plain_links, slugify, strip_code
from graph.untrusted import clip
from loaders.fields import FieldMapping
from loaders.io import Collector
from loaders.mdlinks import parse_blanked, token_links

if TYPE_CHECKING:
    from loaders.markdown import MarkdownPage

#: The values of the ``split`` option: detect, a heading level, or one note.
SPLIT_CHOICES = ("auto", "h1", "h2", "h3", "h4", "h5", "h6", "terms", "none")

_PARSER = MarkdownIt("commonmark").enable("table")
# An explicit anchor after a heading: {#id} (Pandoc, Docusaurus), { #id .class } and {: #id } (MkDocs attr_list).
_CUSTOM_ID_RE = re.compile(r"[ \t]*\{:?[ \t]*#([^\s{}#]+)[^{}]*\}[ \t]*$")
# An alphabet heading that groups terms (## A, ## X-Z, ## 0-9, ## #): no concept.
_LETTER_RE = re.compile(r"^(?:\w|#|\w[ \t]*[-\u2013\u2014][ \t]*\w)$")
# A line that lists a term's other names: "Also known as: X, Y", "**Synonyms**: X", "_AKA:_ X";
# glossarify-md writes them as a term attribute in a comment: <!-- aliases: X, Y -->.
_ALIAS_RE = re.compile(
    r"^[ \t]*(?:<!--[ \t]*)?[*_]{0,2}(?:also known as|also called|aka|a\.k\.a\.|alias(?:es)?|synonyms?)[ \t]*[*_]{0,2}"
    r"[ \t]*:[ \t]*[*_]{0,2}(.*?)[*_]{0,2}[ \t]*(?:-->)?[ \t]*$",
    re.IGNORECASE,
)
#: The level given to the entries of a term list: deeper than any heading, so every heading ends an entry.
_ENTRY_LEVEL = 7
# A paragraph or list item that opens with a bold term: "**Beacon**: ...", "**Beacon:** ...", "- __Beacon__ - ...".
_BOLD_TERM_RE = re.compile(
    r"^ {0,3}(?:[-*+][ \t]+)?(\*\*|__)(?P<term>[^*_\n]{1,100}?)(?P<inner>[ \t]*:?)\1[ \t]*"
    r"(?P<sep>:|[-\u2013\u2014](?=[ \t]))?[ \t]*(?P<rest>.*)$"
)
# The definition line of a definition list (PHP Markdown Extra, Pandoc, MkDocs def_list): ":   text".
_DEFINITION_RE = re.compile(r"^ {0,3}:[ \t]+(.*)$")
# The opening and closing hashes of an ATX heading line.
_ATX_MARKS_RE = re.compile(r"^#{1,6}(?:[ \t]+|$)|[ \t]+#+[ \t]*$")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_PAGE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_FOLDER_PAGES = frozenset({"index", "readme", "_index"})


@dataclass(frozen=True, slots=True)
class Heading:
    """One heading of the page: level, first and end line in the text (0-based, end exclusive), text, anchor."""

    level: int
    start: int
    end: int
    title: str
    custom_id: str | None


def github_slug(text: str) -> str:
    """The anchor GitHub (and mdBook, Docusaurus) give a heading: lower case, punctuation dropped, spaces as hyphens.

    Letters and digits of every script stay; hyphens and underscores stay, so ``A & B`` is ``a--b``.
    MkDocs' default ``toc`` slug differs slightly (it folds to ASCII and merges hyphens): write
    ``{#id}`` after a heading where the two disagree.

    >>> github_slug("Retrieval-Augmented Generation (RAG)"), github_slug("What's new?"), github_slug("A & B")
    ('retrieval-augmented-generation-rag', 'whats-new', 'a--b')
    """
    kept = [
        char for char in text.strip().lower()
        if char.isalnum() or char in " -_" or unicodedata.category(char).startswith("M")
    ]
    return "".join(kept).replace(" ", "-")


def _plain(children: list[Any]) -> str:
    """A heading's text as a reader sees it: text and code, without emphasis or link markup."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain(child.children or []))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def headings(text: str, tokens: list[Token] | None = None) -> list[Heading]:
    """The headings of a Markdown text (ATX and setext, outside code), in order (``tokens``: already parsed)."""
    found: list[Heading] = []
    if tokens is None:
        tokens = parse_blanked(text)
    lines = text.split("\n") if "[[" in text else []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None or token.level != 0:
            continue
        inline = tokens[index + 1]
        raw = inline.content
        if lines and "[[" in lines[token.map[0]]:
            # The parse had the wikilinks blanked (so they are not read as links): this heading's own text back.
            own = lines[token.map[0]].strip()
            if token.markup.startswith("#"):
                own = _ATX_MARKS_RE.sub("", own)
            inline = _PARSER.parseInline(own, {})[0]
            raw = inline.content
        custom = _CUSTOM_ID_RE.search(raw)
        children = inline.children or []
        title = _plain(children)
        if "[[" in title:
            title = plain_links(title)
        if custom:
            title = _CUSTOM_ID_RE.sub("", title).strip()
        found.append(Heading(int(token.tag[1]), token.map[0], token.map[1], title, custom.group(1) if custom else None))
    return found


def _is_letter(heading: Heading) -> bool:
    return bool(_LETTER_RE.match(heading.title))


def _is_group(heading: Heading, after: Heading | None, lines: list[str]) -> bool:
    """Whether a heading only groups the deeper headings after it: an alphabet letter, or no text of its own."""
    if _is_letter(heading):
        return True
    if after is None or after.level <= heading.level:
        return False
    return not any(line.strip() for line in lines[heading.end:after.start])


def term_level(found: list[Heading], lines: list[str]) -> int | None:
    """The heading level whose headings are the terms, or None when the page is one note.

    Below the title (a lone first ``#`` heading), the shallowest level with two or more headings;
    a level of group headings (``## A``, ``## B``, or ``## Storage`` with no text before its
    ``###`` terms) passes the choice to the next level down.
    """
    rest = found
    if found and found[0].level == 1 and sum(1 for h in found if h.level == 1) == 1:
        rest = found[1:]
    following = dict(zip(rest, [*rest[1:], None], strict=False))
    for level in sorted({h.level for h in rest}):
        at = [h for h in rest if h.level == level]
        if all(_is_group(h, following[h], lines) for h in at):
            continue
        return level if len(at) >= 2 else None
    return None


def term_list(text: str, tokens: list[Token] | None = None) -> tuple[list[Heading], dict[int, str]]:
    """The entries of a term list written without headings, and the text after the term on each entry's line.

    Two shapes: paragraphs or list items that open with a bold term and a colon or dash
    (``**Beacon**: a signal``), and definition lists (``Beacon`` then ``: a signal``). Entries
    count only when there are two or more and at least half of the page's paragraphs are entries.
    """
    lines = text.split("\n")
    entries: list[Heading] = []
    rests: dict[int, str] = {}
    paragraphs: list[tuple[int, int]] = []
    for token in tokens if tokens is not None else parse_blanked(text):
        if token.type == "paragraph_open" and token.map is not None and token.level <= 2:
            paragraphs.append((token.map[0], token.map[1]))
    previous: tuple[int, int] | None = None
    for start, end in paragraphs:
        first = lines[start]
        bold = _BOLD_TERM_RE.match(first)
        term = bold.group("term").strip() if bold else ""
        if bold and term and (bold.group("inner").strip() or bold.group("sep")):
            entries.append(Heading(_ENTRY_LEVEL, start, start, term, None))
            rests[start] = bold.group("rest")
        elif end - start >= 2 and _DEFINITION_RE.match(lines[start + 1]) and not _DEFINITION_RE.match(first):
            entries.append(Heading(_ENTRY_LEVEL, start, start + 1, first.strip(), None))
        elif (_DEFINITION_RE.match(first) and previous is not None and previous[1] - previous[0] == 1
              and not (entries and entries[-1].start == previous[0])):
            # "Term", a blank line, then ": definition": the term is the one-line paragraph before.
            entries.append(Heading(_ENTRY_LEVEL, previous[0], previous[0] + 1, lines[previous[0]].strip(), None))
        previous = (start, end)
    if len(entries) < 2 or len(entries) * 2 < len(paragraphs):
        return [], {}
    return entries, rests


def _chosen_level(split: str, found: list[Heading], lines: list[str]) -> int | None:
    if split == "none":
        return None
    if split == "terms":
        return _ENTRY_LEVEL
    if split == "auto":
        return term_level(found, lines)
    return int(split[1])


def _aliases(lines: list[str]) -> tuple[list[str], list[int]]:
    """The names listed on alias lines of a section, and which lines they are (to leave them out of the text)."""
    names: list[str] = []
    used: list[int] = []
    for number, line in enumerate(lines):
        match = _ALIAS_RE.match(line)
        if match:
            used.append(number)
            for name in re.split(r"[,;]", match.group(1)):
                name = name.strip().strip("*_`").strip()
                if name:
                    names.append(name)
    return names, used


class _Sections:
    """The term sections of the page: their ids, anchors and lines, and where each link written in it points."""

    def __init__(self, file: Path, terms: list[Heading], others: list[Heading], offset: int,
                 collector: Collector):
        self.file = file
        self.offset = offset
        self.starts = [h.start for h in terms]
        self.ids = self._ids(terms, others, collector)
        # Anchors and titles of every heading: a link to one that is no term joins nothing.
        self.by_anchor = {anchor: concept_id for anchor, concept_id in zip(self.ids, self.ids, strict=True)}
        self.by_title: dict[str, str] = {}
        for heading, concept_id in zip(terms, self.ids, strict=True):
            # The first of two same-titled headings owns the title, as it owns the plain anchor.
            self.by_title.setdefault(normalise(heading.title), concept_id)
        self.other_anchors = {h.custom_id or github_slug(h.title) for h in others}
        self.counts: dict[str, int] = {}

    def _ids(self, terms: list[Heading], others: list[Heading], collector: Collector) -> list[str]:
        """Each term's anchor: its {#custom-id}, else its GitHub slug made unique as GitHub does (-1, -2...)."""
        custom = {h.custom_id for h in terms if h.custom_id}
        seen: set[str] = set(custom)
        ids: list[str] = []
        for heading in terms:
            if heading.custom_id:
                ids.append(heading.custom_id)
                continue
            base = github_slug(heading.title) or slugify(heading.title)
            anchor, number = base, 1
            while anchor in seen:
                anchor, number = f"{base}-{number}", number + 1
            if anchor != base:
                collector.warn(Problem(
                    str(self.file), heading.start + self.offset,
                    f"heading {clip(heading.title)}: anchor {base!r} is taken, this term loads as {anchor!r}",
                ))
            seen.add(anchor)
            ids.append(anchor)
        return ids

    def section_of(self, line: int) -> int | None:
        """The term section a 0-based text line lies in (None: before the first term)."""
        at = bisect.bisect_right(self.starts, line) - 1
        return at if at >= 0 else None

    def count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def anchor(self, anchor: str, kind: LinkKind, line: int) -> Reference | None:
        """A link to a heading of this page: the term it names, a broken link, or None (a heading that is no term)."""
        anchor = unquote(anchor).strip()
        target = self.by_anchor.get(anchor) or self.by_anchor.get(anchor.lower())
        if target is not None:
            return Reference(target, kind, line)
        if not anchor or anchor in self.other_anchors or anchor.lower() in self.other_anchors:
            self.count("page_links")
            return None
        return Reference(f"#{anchor}", kind, line)

    def is_this_page(self, path: str) -> bool:
        """Whether a link's path names this very file (``glossary.md``, ``./glossary.html``, ``/docs/glossary/``)."""
        name = path.rstrip("/").rsplit("/", 1)[-1].lower()
        for suffix in _PAGE_SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        stem = self.file.stem.lower()
        if stem in _FOLDER_PAGES:
            stem = self.file.parent.name.lower()
        return bool(name) and name == stem

    def markdown(self, href: str, line: int) -> Reference | None:
        """A Markdown link of the page as a reference, or None when it joins no two terms (counted by why)."""
        if _SCHEME_RE.match(href) or href.startswith("//"):
            self.count("external_links")
            return None
        path, _, anchor = href.partition("#")
        path = unquote(path.split("?", 1)[0]).strip()
        if not path or self.is_this_page(path):
            return self.anchor(anchor, "markdown", line)
        # Another page of the site: outside this one-page glossary, as an external link is.
        self.count("other_page_links")
        return None

    def wikilink(self, inner: str, line: int) -> Reference | None:
        """A wikilink as a reference: ``[[#Heading]]`` and ``[[Glossary#Heading]]`` name a term of this page."""
        target = parse_wikilink(inner)
        written = inner.replace("\\|", "|").partition("|")[0]
        note, hash_, heading = written.partition("#")
        if hash_ and heading.strip() and (not note.strip() or self.is_this_page(note.strip())):
            heading = heading.strip()
            found = self.by_anchor.get(github_slug(heading)) or self.by_title.get(normalise(heading))
            if found is not None:
                return Reference(found, "wikilink", line)
            return self.anchor(github_slug(heading), "wikilink", line)
        if not target:
            return None
        suffix = target.rsplit(".", 1)[-1].lower() if "." in target else ""
        if suffix and suffix not in ("md", "markdown") and len(suffix) <= 5 and suffix.isalnum():
            self.count("attachment_links")
            return None
        return Reference(target, "wikilink", line)


def load_one_page(page: MarkdownPage, mapping: FieldMapping, collector: Collector, split: str) -> Glossary | None:
    """The glossary of a one-page Markdown file (a parsed ``MarkdownPage``), or None when it is one note."""
    if split not in SPLIT_CHOICES:
        raise UsageError(f"split must be one of {', '.join(SPLIT_CHOICES)}, got {clip(split)}")
    text = page.text
    tokens = parse_blanked(text)
    found = headings(text, tokens)
    lines = text.split("\n")
    level = _chosen_level(split, found, lines)
    rests: dict[int, str] = {}
    if (level is None and split == "auto") or level == _ENTRY_LEVEL:
        entries, rests = term_list(text, tokens)
        if entries:
            level = _ENTRY_LEVEL
            found = sorted([*found, *entries], key=lambda h: h.start)
    if level is None:
        return None
    terms = [h for h in found if h.level == level]
    if not terms:
        what = "term list (**Term**: ..., or Term then : definition)" if level == _ENTRY_LEVEL else (
            f"level-{level} headings")
        raise UsageError(f"split={split}: {page.file} has no {what} to read as terms")
    offset = page.text_line
    file = str(page.file)
    sections = _Sections(page.file, terms, [h for h in found if h.level != level], offset, collector)
    references: list[list[Reference]] = [[] for _ in terms]
    for href, line in token_links(tokens):
        at = sections.section_of(line - 1)
        if at is not None:
            reference = sections.markdown(href, line - 1 + offset)
            if reference is not None:
                references[at].append(reference)
    clean = strip_code(text) if "[[" in text else ""
    line, counted = 0, 0
    for match in WIKILINK_RE.finditer(clean):
        # Lines counted from the previous link on, so a long page costs one pass.
        line += clean.count("\n", counted, match.start())
        counted = match.start()
        at = sections.section_of(line)
        if at is None or match.group(1):
            # Before the first term, or an embed (![[picture.png]]): no link between terms.
            continue
        reference = sections.wikilink(match.group(2), line + offset)
        if reference is not None:
            references[at].append(reference)
    from loaders.markdown import split_text  # imported here: markdown.py imports this module

    # Each term's section ends at the next heading of its level or above; its category is the
    # nearest heading above it of a higher level. One walk over the headings finds both.
    ends: list[int] = []
    parents: list[Heading | None] = []
    upper: Heading | None = None
    for index, heading in enumerate(found):
        if heading.level < level:
            upper = heading
        elif heading.level == level:
            after = next((found[j].start for j in range(index + 1, len(found)) if found[j].level <= level), len(lines))
            ends.append(after)
            parents.append(upper)
    for number, heading in enumerate(terms):
        end = ends[number]
        own = lines[heading.end:end]
        if heading.start in rests:
            # A bold term's definition starts on its own line, after the term.
            own[0] = rests[heading.start]
        if level == _ENTRY_LEVEL:
            own = [_DEFINITION_RE.sub(r"\1", line) for line in own]
        aliases, alias_lines = _aliases(own)
        kept = [line for index, line in enumerate(own) if index not in alias_lines]
        _title, definition, body = split_text("\n".join(kept))
        parent = parents[number]
        values: dict[str, Any] = {
            "id": sections.ids[number],
            "title": heading.title or sections.ids[number],
            "definition": definition,
            "body": body,
        }
        if aliases:
            values["aliases"] = tuple(aliases)
        if parent is not None and parent.level > 1 and not _is_letter(parent) and parent.title:
            values["categories"] = (parent.title,)
        collector.add(mapping.make_concept(values, file, heading.start + offset, inline=references[number]))
    glossary = collector.glossary()
    glossary.counts = {"tags": 0, **sections.counts}
    return glossary
