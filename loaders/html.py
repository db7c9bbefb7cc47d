"""Load saved HTML glossary pages: one page per concept, or whole glossaries on one page.

Four layouts (option ``layout``, detected per page when ``auto``):

- ``page``: one concept per page, read with CSS selectors. The defaults read pages shaped like
  the reference glossary (see docs/formats.md): a breadcrumb whose second-to-last item is the
  category, an ``h1`` "What is X?", a level and a week, a lead definition, an "Also known as"
  list, the article body, a sources list and a "Related Concepts" list of links. Other sites:
  pass ``selectors={"title": "...", ...}`` (or put ``selectors:`` in the --fields-config file).
- ``dl``: definition-list glossaries (Sphinx ``dl.glossary``, Wikipedia ``dl.glossary`` with
  ``dfn``, a plain ``<dl>`` under a "Glossary" heading): each ``<dt>`` group and its ``<dd>`` is
  a concept, further ``<dt>``s are aliases, the anchor is the id.
- ``headings``: heading-per-term pages as MkDocs and Docusaurus write them (``<h3 id>`` and the
  paragraphs after it).

Every page is parsed once with lxml and walked once with explicit stacks, so time is linear in
the page's size and deep nesting cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_PAGE_SIZE", "DEFAULT_SELECTORS", "DEFAULT_TITLE_PATTERN", "LAYOUTS", "load_html"]

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from graph.errors import LoadError, Problem, UsageError
from graph.model import Concept, Glossary, Origin, Reference, Source
from graph.text import slugify
from loaders import Progress
from loaders.io import Collector, check_options, exclude_patterns, list_files, read_text, refuse_field_mapping

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

#: Field → CSS selectors tried in order (the first that matches wins); the ``page`` layout.
DEFAULT_SELECTORS: dict[str, tuple[str, ...]] = {
    "title": ("h1",),
    "definition": (".definition", "[itemprop=description]", "h1 ~ p"),
    "aliases": (".aliases li", ".also-known-as li"),
    "category": ("nav.breadcrumb li:nth-last-child(2)", ".breadcrumb li:nth-last-child(2)", ".category"),
    "level": (".level",),
    "published": (".week", "time.published", "time"),
    "body": ("article.content", "article", "main"),
    "sources": (".sources li",),
    "related": (".related li a", ".related-concepts li a"),
    # Parts of the body container that are not body text (all matches are left out).
    "body_exclude": (".definition", ".aliases", ".sources", ".related", "nav", "header", "footer", "aside", "script",
                     "style", "h1"),
}
#: Titles written as questions ("What is a Foundation Model?") keep only the term.
DEFAULT_TITLE_PATTERN = r"^\s*What (?:is|are) (?:an? |the )?(?P<title>.+?)\s*\?\s*$"
#: The layouts a page can have; ``auto`` picks one per page.
LAYOUTS = ("auto", "page", "dl", "headings")
#: Pages larger than this are refused unless ``max_file_size`` raises the limit (a parsed page needs ~10x its size).
DEFAULT_MAX_PAGE_SIZE = 64 * 1024 * 1024

Element = Any  # lxml's _Element: its stubs are not installed, and mypy gains nothing from a private name.
_SPACE_RE = re.compile(r"\s+")
_ENTITY_RE = re.compile(r"<!ENTITY", re.IGNORECASE)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "pre", "blockquote", "table", "dl")
#: Blocks read whole as one paragraph in the glossary layouts.
_PARAGRAPHS = frozenset({"p", "pre", "blockquote", "table", "figure", "address", "details", *_HEADINGS})
_LISTS = frozenset({"ul", "ol"})
#: Entered in the glossary layouts: their children are read one by one.
_CONTAINERS = frozenset({"div", "section", "article", "main", "dt", "dd", "li", "dl", "center"})
#: Never text of an entry: page furniture, scripts, and the permalink marks next to titles.
_FURNITURE = frozenset({"script", "style", "template", "noscript", "nav", "header", "footer", "aside", "button",
                        "form", "svg", "head"})
_PERMALINK_CLASSES = frozenset({"headerlink", "hash-link", "anchorjs-link"})
_JUNK_CLASSES = frozenset({*_PERMALINK_CLASSES, "mw-editsection", "sr-only"})
#: Links that may be permalinks (the exact class word is checked after this cheap filter in C).
_PERMALINK_XPATH = etree.XPath(
    "//a[" + " or ".join(f"contains(@class, '{c}')" for c in sorted(_PERMALINK_CLASSES)) + "]"
)

#: Index sections of an alphabetical glossary ("A", "0–9", "A-C") are not categories.
_INDEX_SECTION_RE = re.compile(r"^\s*\w\s*(?:[-–—]\s*\w\s*)?$")
_GLOSSARY_RE = re.compile(r"glossary", re.IGNORECASE)
_FRAGMENT_ONLY = urlsplit("#")


def _spaced_text(element: Element) -> str:
    """The text of an element with its pieces joined by spaces, as the ``page`` layout reads fields."""
    return _SPACE_RE.sub(" ", " ".join(element.itertext())).strip()


def _selectors(value: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise UsageError(f"selectors.{field} must be a CSS selector or a list of them, not {value!r}")


def _compile(selectors: tuple[str, ...], field: str) -> tuple[CSSSelector, ...]:
    """The selectors compiled to XPath once per load (not once per page)."""
    compiled = []
    for selector in selectors:
        try:
            compiled.append(CSSSelector(selector, translator="html"))
        except SelectorError as error:
            raise UsageError(f"selectors.{field}: invalid CSS selector {selector!r}: {error}") from None
    return tuple(compiled)


def _select(root: Element, selectors: tuple[CSSSelector, ...]) -> list[Element]:
    """The matches of the first selector that matches anything."""
    for selector in selectors:
        found = selector(root)
        if found:
            return list(found)
    return []


def _prune(tree: Element) -> None:
    """Remove what is never an entry's text before a glossary layout is read: furniture, footnote marks, permalinks.

    Done once per page with lxml's own passes, so the text of every block can then be read in C
    (``itertext``) instead of by walking it in Python; a line break becomes a space.
    """
    etree.strip_elements(tree, *_FURNITURE, with_tail=False)
    junk = []
    for element in tree.iter(etree.Element):
        classes = element.get("class")
        if classes:
            names = classes.split()
            # Wikipedia's footnote marks are sup.reference; Sphinx's a.reference are real links.
            if not _JUNK_CLASSES.isdisjoint(names) or (element.tag == "sup" and "reference" in names):
                junk.append(element)
    for element in junk:
        _remove(element)
    for br in tree.iter("br"):
        br.tail = " " + (br.tail or "")


def _remove(element: Element) -> None:
    """Remove an element from its parent, keeping the text that follows it."""
    parent, previous = element.getparent(), element.getprevious()
    if parent is None:
        return
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


@dataclass
class _Link:
    """A link as written in an entry: its target, its text and its line."""

    href: str
    text: str
    line: int | None


def _inline(element: Element, links: list[_Link] | None = None) -> str:
    """The text of an element read as running text (whitespace collapsed), and the links inside it."""
    if links is not None:
        for anchor in element.iter("a"):
            href = anchor.get("href")
            if href:
                links.append(_Link(href, _SPACE_RE.sub(" ", "".join(anchor.itertext())).strip(), anchor.sourceline))
    return _SPACE_RE.sub(" ", "".join(element.itertext())).strip()


def _list_text(element: Element, links: list[_Link]) -> str:
    """A list as Markdown items, one line per direct item (nested lists read inline)."""
    ordered = element.tag == "ol"
    lines = []
    for number, item in enumerate((c for c in element if c.tag == "li"), 1):
        lines.append(f"{number}. " if ordered else "- ")
        lines[-1] += _inline(item, links)
    return "\n".join(lines)


def _body(container: Element, skip: set[Element]) -> str:
    """The readable text of an article: headings as Markdown headings, lists as items, paragraphs apart.

    One walk: a block is taken whole and not entered, a skipped element is not entered either.
    """
    parts: list[str] = []
    stack = [container]
    while stack:
        block = stack.pop()
        if block in skip or not isinstance(block.tag, str):
            continue
        name = block.tag
        if block is not container and name in _BLOCKS:
            if name[0] == "h" and name[1:].isdigit():
                parts.append("#" * int(name[1:]) + " " + _spaced_text(block))
            elif name in _LISTS:
                items = [c for c in block if c.tag == "li"]
                parts.append("\n".join(f"{f'{i}.' if name == 'ol' else '-'} {_spaced_text(li)}"
                                       for i, li in enumerate(items, 1)))
            else:
                parts.append(_spaced_text(block))
            continue
        stack.extend(list(block)[::-1])
    return "\n\n".join(p for p in parts if p.strip())


@dataclass
class _Entry:
    """An entry of a one-page glossary before its links are resolved."""

    id: str
    title: str
    line: int | None
    aliases: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    category: str | None = None


@dataclass
class _Page:
    """What one file gave: glossary entries to resolve, or one finished concept (the ``page`` layout)."""

    key: str  # the file's path below the loaded folder, with "/"
    file: str
    entries: list[_Entry] = field(default_factory=list)
    concept: Concept | None = None


def _parse(text: str, file: str) -> Element:
    """The page's tree; DTD entity declarations are refused before parsing (they can expand without bound)."""
    match = _ENTITY_RE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise LoadError(Problem(file, line, "DTD entity declarations (<!ENTITY) are not accepted in HTML pages"))
    # huge_tree lifts libxml2's nesting limit: the walks below use explicit stacks, so depth costs nothing more.
    parser = etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
                              huge_tree=True)
    root = etree.fromstring(text.encode("utf-8"), parser) if text.strip() else None
    for error in parser.error_log:
        # libxml2 stops at its depth limit and drops the rest of the page: refuse rather than load a part.
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise LoadError(Problem(file, error.line, f"the page is nested too deeply for the HTML parser "
                                                      f"({error.message.split(',')[0].strip()})"))
    return root if root is not None else etree.fromstring(b"<html><body></body></html>", parser)


def _category(text: str) -> str | None:
    """A section heading as a category, unless it is an alphabetical index section or the glossary itself."""
    if not text or _INDEX_SECTION_RE.match(text) or _GLOSSARY_RE.search(text):
        return None
    return text


def _glossary_dls(root: Element) -> Iterator[Element]:
    """The definition lists that are glossaries: class ``glossary``, or right under a heading that says Glossary."""
    heading = ""
    for element in root.iter("dl", "h1", "h2", "h3", "h4", "h5", "h6"):
        if element.tag == "dl":
            if "glossary" in (element.get("class") or "").split() or _GLOSSARY_RE.search(heading):
                yield element
        else:
            heading = _inline(element)


def _heading_level(root: Element) -> int | None:
    """The heading level of the terms of a heading-per-term glossary page, or None when the page is not one.

    The page's ``h1`` (or, without one, its title) must say Glossary; the term level is the level with the most headings
    that carry an anchor (at least two), the deeper one on a tie.
    """
    # The h1 when there is one: a page per concept often has "Glossary" in its <title> but never in its h1.
    h1 = next(root.iter("h1"), None)
    title = _inline(h1) if h1 is not None else " ".join(_inline(e) for e in root.iter("title"))
    if not _GLOSSARY_RE.search(title):
        return None
    counts: dict[int, int] = {}
    for element in root.iter("h2", "h3", "h4", "h5", "h6"):
        if element.get("id") or any(e.get("id") for e in element.iterdescendants()):
            counts[_HEADINGS[element.tag]] = counts.get(_HEADINGS[element.tag], 0) + 1
    if not counts:
        return None
    level, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return level if count >= 2 else None


def _anchors(element: Element) -> list[str]:
    """The anchors an element defines: its id and those of the elements inside it (and old ``<a name>``)."""
    found: dict[str, None] = {}  # ordered and without repeats, in linear time
    for node in element.iter(etree.Element):
        for value in (node.get("id"), node.get("name") if node.tag == "a" else None):
            if value:
                found[value] = None
    return list(found)


class _Reader:
    """Reads the entries of one page in a glossary layout, walking every element once."""

    def __init__(self, forced: bool):
        self.forced = forced  # layout given: every dl (or heading) counts, not only the detected ones
        self.entries: list[_Entry] = []

    def _entry(self, titles: list[Element], category: str | None) -> _Entry | None:
        """An entry from its title elements: the first names it, the others are aliases, the first anchor is its id."""
        found: dict[str, None] = {}
        anchor_set: dict[str, None] = {}
        links: list[_Link] = []
        for title in titles:
            text = _inline(title, links)
            if text:
                found[text] = None
            anchor_set.update(dict.fromkeys(_anchors(title)))
        labels, anchors = list(found), list(anchor_set)
        if not labels:
            return None
        # A title's own permalink is not a link to another entry; its other links (Wikipedia's article) are.
        links = [link for link in links if not link.href.startswith("#")]
        return _Entry(anchors[0] if anchors else slugify(labels[0]), labels[0], titles[0].sourceline,
                      aliases=labels[1:], anchors=anchors, links=links, category=category)

    def _block(self, child: Element, entry: _Entry, nested: list[Element]) -> bool:
        """Add a paragraph, a list or an inner glossary to an entry; False when the element is none of these."""
        tag = child.tag
        if tag in _PARAGRAPHS:
            text = _inline(child, entry.links)
            if text:
                entry.paragraphs.append("#" * _HEADINGS[tag] + " " + text if tag in _HEADINGS else text)
        elif tag in _LISTS:
            entry.paragraphs.append(_list_text(child, entry.links))
        elif tag == "dl" and (self.forced or "glossary" in (child.get("class") or "").split()):
            nested.append(child)  # a glossary inside a definition: entries of its own
        else:
            return False
        return True

    def _content(self, element: Element, entry: _Entry, nested: list[Element]) -> None:
        """Add an element's content to an entry: running text and blocks as paragraphs, inner glossaries aside."""
        buffer: list[str] = [element.text or ""]

        def flush() -> None:
            text = _SPACE_RE.sub(" ", "".join(buffer)).strip()
            if text:
                entry.paragraphs.append(text)
            buffer.clear()

        stack: list[tuple[Element, Iterator[Element]]] = [(element, iter(element))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if node is not element:
                    flush()
                    buffer.append(node.tail or "")
                continue
            if not isinstance(child.tag, str):
                pass
            elif child.tag in _CONTAINERS or child.tag in _PARAGRAPHS or child.tag in _LISTS or child.tag == "dl":
                flush()
                if not self._block(child, entry, nested):
                    buffer.append(child.text or "")
                    stack.append((child, iter(child)))
                    continue  # its tail is read when it closes
            else:
                buffer.append(_inline(child, entry.links))
            buffer.append(child.tail or "")
        flush()

    def read_dls(self, root: Element, glossaries: set[Element]) -> None:
        """Read every glossary ``dl`` (with the ``h2`` section it is in), and the glossaries nested in them."""
        section: str | None = None
        stack = [root]
        while stack:
            element = stack.pop()
            if not isinstance(element.tag, str) or element.tag in _FURNITURE:
                continue
            if element.tag == "h2":
                section = _category(_inline(element))
            elif element in glossaries:
                self._read_dls([element], section)
            else:
                stack.extend(list(element)[::-1])

    def _read_dls(self, pending: list[Element], section: str | None) -> None:
        """Read definition lists; the glossaries found inside their definitions are read after them."""
        for dl in pending:  # the list grows while it is read: nested glossaries are appended
            titles: list[Element] = []
            entry: _Entry | None = None
            for child in _dl_items(dl):
                if child.tag == "dt":
                    if entry is not None:  # a term after a definition starts a new group
                        entry, titles = None, []
                    titles.append(child)
                elif child.tag == "dd" and (entry is not None or titles):
                    if entry is None:
                        entry = self._entry(titles, section)
                        titles = []
                        if entry is None:
                            continue
                        self.entries.append(entry)
                    self._content(child, entry, pending)
            if entry is None and titles:  # terms at the end without a definition
                last = self._entry(titles, section)
                if last is not None:
                    self.entries.append(last)

    def read_headings(self, root: Element, level: int) -> None:
        """Read a heading-per-term page: each heading of ``level`` opens an entry, shallower ones are sections."""
        section: str | None = None
        entry: _Entry | None = None
        nested: list[Element] = []
        stack = [root]
        while stack:
            element = stack.pop()
            if not isinstance(element.tag, str):
                continue
            depth = _HEADINGS.get(element.tag)
            if depth is not None and depth <= level:
                if depth == level:
                    entry = self._entry([element], section)
                    if entry is not None:
                        self.entries.append(entry)
                else:
                    entry = None
                    if depth >= 2:
                        section = _category(_inline(element))
            elif entry is None or not self._block(element, entry, nested):
                stack.extend(list(element)[::-1])
        self._read_dls(nested, section)


def _dl_items(dl: Element) -> Iterator[Element]:
    """The terms and definitions of a list, also when they are wrapped in ``<div>`` groups (as HTML allows)."""
    for child in dl:
        if child.tag == "div":
            yield from (c for c in child if c.tag in ("dt", "dd"))
        elif child.tag in ("dt", "dd"):
            yield child


def load_html(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    selectors: Mapping[str, Any] | None = None,
    title_pattern: str | None = DEFAULT_TITLE_PATTERN,
    layout: str = "auto",
    exclude: str | Sequence[str] | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load one saved page or a folder of them: a concept per page, or the entries of one-page glossaries."""
    check_options("html", options, ())
    refuse_field_mapping("html", mapping)
    if layout not in LAYOUTS:
        raise UsageError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    unknown = sorted(set(selectors or {}) - set(DEFAULT_SELECTORS))
    if unknown:
        raise UsageError(f"unknown selector field {unknown[0]!r}; fields: {', '.join(DEFAULT_SELECTORS)}")
    chosen = {**DEFAULT_SELECTORS, **{k: _selectors(v, k) for k, v in (selectors or {}).items()}}
    compiled = {name: _compile(value, name) for name, value in chosen.items()}
    try:
        pattern = re.compile(title_pattern) if title_pattern else None
    except re.error as error:
        raise UsageError(f"title_pattern is not a valid regular expression: {error}") from None
    root = Path(path)
    collector = Collector(root, "html", lenient, progress)
    # Symlinks out of the folder are skipped; the shared walk notes each one as a warning.
    files = [root] if root.is_file() else list_files(
        root, (".html", ".htm"), exclude_patterns(exclude), collector.warnings
    )
    if not files:
        raise LoadError(Problem(str(root), None, "no .html or .htm files found"))
    limit = max_file_size if max_file_size is not None else DEFAULT_MAX_PAGE_SIZE
    pages: list[_Page] = []
    for number, file in enumerate(files):
        try:
            text = read_text(file, limit)
            key = file.relative_to(root).as_posix() if root.is_dir() else file.name
            pages.append(_read_page(_parse(text, str(file)), key, str(file), layout, compiled, pattern))
        except LoadError as error:
            collector.problem(*error.problems)
        collector.tick(number + 1, len(files))
    for concept in _resolve(pages):
        collector.add(concept)
    return collector.glossary()


def _read_page(tree: Element, key: str, file: str, layout: str,
               selectors: dict[str, tuple[CSSSelector, ...]], pattern: re.Pattern[str] | None) -> _Page:
    """One parsed page in its layout (the given one, or the one detected)."""
    page = _Page(key, file)
    reader = _Reader(forced=layout != "auto")
    if layout in ("auto", "dl"):
        glossaries = set(tree.iter("dl")) if layout == "dl" else set(_glossary_dls(tree))
        if glossaries:
            _prune(tree)
            reader.read_dls(tree, glossaries)
            page.entries = reader.entries
            return page
        if layout == "dl":
            raise LoadError(Problem(file, None, "no <dl> definition list on the page (layout dl)"))
    if layout in ("auto", "headings"):
        level = _heading_level(tree)
        if level is None and layout == "headings":
            level = _deepest_anchored_heading(tree)
        if level is not None:
            _prune(tree)
            reader.read_headings(tree, level)
            page.entries = reader.entries
            return page
        if layout == "headings":
            raise LoadError(Problem(file, None, "no headings with an id on the page (layout headings)"))
    _drop_permalinks(tree)
    # A site built with folder URLs (MkDocs, Docusaurus) names its pages by folder: guides/retention/index.html.
    parts = key.rsplit(".", 1)[0].split("/")
    name = parts[-2] if parts[-1] == "index" and len(parts) > 1 else parts[-1]
    page.concept = _page_concept(tree, file, slugify(name), selectors, pattern)
    return page


def _drop_permalinks(tree: Element) -> None:
    """Remove the permalink marks (¶) that site generators put into headings, keeping the text after them."""
    for link in _PERMALINK_XPATH(tree):
        if _PERMALINK_CLASSES.intersection(link.get("class").split()):
            _remove(link)


def _deepest_anchored_heading(tree: Element) -> int | None:
    """The term level when the layout is given as headings: the most common level among anchored headings."""
    counts: dict[int, int] = {}
    for element in tree.iter("h2", "h3", "h4", "h5", "h6"):
        if _anchors(element):
            counts[_HEADINGS[element.tag]] = counts.get(_HEADINGS[element.tag], 0) + 1
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else None


def _resolve(pages: list[_Page]) -> Iterator[Concept]:
    """The concepts of every page, with each entry's links sorted into related links and sources.

    A link to an entry's anchor (on this page or another loaded page) or to a loaded concept page
    is a related link to that concept; a link into a loaded page that names no entry is dropped
    (a footnote, a section); any other link (another site, or a page that was not loaded) is a source.
    """
    anchors: dict[tuple[str, str], str] = {}
    concept_pages: dict[str, str] = {}
    for page in pages:
        if page.concept is not None:
            concept_pages[page.key] = page.concept.id
        for entry in page.entries:
            for anchor in entry.anchors:
                anchors.setdefault((page.key, anchor), entry.id)
    loaded = {page.key for page in pages}
    for page in pages:
        if page.concept is not None:
            yield page.concept
            continue
        for entry in page.entries:
            related: dict[str, Reference] = {}
            sources: dict[tuple[str, str], Source] = {}
            for link in entry.links:
                parts = _FRAGMENT_ONLY._replace(fragment=link.href[1:]) if link.href[:1] == "#" else urlsplit(link.href)
                if parts.scheme or parts.netloc:
                    if parts.scheme in ("http", "https", "ftp", "mailto") or parts.netloc:
                        sources.setdefault((link.text, link.href), Source(link.text or link.href, link.href))
                    continue
                target = page.key
                if parts.path:
                    base = posixpath.dirname(page.key)
                    target = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
                fragment = unquote(parts.fragment)
                target = next((t for t in (target, f"{target}/index.html", f"{target}.html") if t in loaded), target)
                if target in loaded:
                    concept_id = anchors.get((target, fragment)) or concept_pages.get(target)
                    if concept_id is not None:
                        related.setdefault(concept_id, Reference(concept_id, line=link.line))
                elif parts.path:
                    sources.setdefault((link.text, link.href), Source(link.text or link.href, link.href))
            paragraphs = entry.paragraphs
            yield Concept(
                id=entry.id,
                title=entry.title,
                definition=paragraphs[0] if paragraphs else "",
                body="\n\n".join(paragraphs[1:]),
                aliases=tuple(a for a in dict.fromkeys(entry.aliases) if a != entry.title),
                categories=(entry.category,) if entry.category else (),
                sources=tuple(sources.values()),
                related=tuple(related.values()),
                origin=Origin(page.file, entry.line),
            )


def _page_concept(tree: Element, file: str, concept_id: str, selectors: dict[str, tuple[CSSSelector, ...]],
                  pattern: re.Pattern[str] | None) -> Concept:
    """One concept from a page of the reference shape (or of the shape the selectors describe)."""

    def first(name: str) -> str | None:
        found = _select(tree, selectors[name])
        return (_spaced_text(found[0]) or None) if found else None

    heading = _select(tree, selectors["title"])
    if not heading or not _spaced_text(heading[0]):
        names = ", ".join(s.css for s in selectors["title"])
        raise LoadError(Problem(file, None, f"no title: the selector {names!r} matched nothing with text"))
    title = _spaced_text(heading[0])
    match = pattern.match(title) if pattern else None
    if match and match.groupdict().get("title"):
        title = match.group("title").strip()
    definition_tags = _select(tree, selectors["definition"])
    definition = _spaced_text(definition_tags[0]) if definition_tags else ""
    aliases = tuple(dict.fromkeys(t for t in (_spaced_text(tag) for tag in _select(tree, selectors["aliases"]))
                                  if t and t != title))
    sources = []
    for item in _select(tree, selectors["sources"]):
        link = item if item.tag == "a" else next(item.iter("a"), None)
        href = str(link.get("href", "")) if link is not None else ""
        label = _spaced_text(item) or href
        if label:
            sources.append(Source(label, href))
    related = tuple(Reference(t) for t in (_spaced_text(a) for a in _select(tree, selectors["related"])) if t)
    body_tags = _select(tree, selectors["body"])
    body = ""
    if body_tags:
        # The definition and the lists read as their own fields are not repeated in the body; only what is
        # inside the body container can be left out of it, so the exclusions are looked for there alone.
        skip = {*heading[:1], *definition_tags[:1]}
        for selector in selectors["body_exclude"]:
            skip.update(selector(body_tags[0]))
        body = _body(body_tags[0], skip)
    category = first("category")
    return Concept(
        id=concept_id,
        title=title,
        definition=definition,
        body=body,
        aliases=aliases,
        categories=(category,) if category else (),
        level=first("level"),
        published=first("published"),
        sources=tuple(sources),
        related=related,
        origin=Origin(file, heading[0].sourceline),
    )
