"""Load a folder of saved glossary web pages (one concept per page) with configurable CSS selectors.

The defaults read pages shaped like the reference glossary (see docs/formats.md): a breadcrumb
whose second-to-last item is the category, an ``h1`` "What is X?", a level and a week, a lead
definition, an "Also known as" list, the article body, a sources list and a "Related Concepts"
list of links. Other sites: pass ``selectors={"title": "...", ...}`` (or put ``selectors:`` in the
--fields-config file); each value is a CSS selector, or a list of them tried in order.
"""

from __future__ import annotations

__all__ = ["DEFAULT_SELECTORS", "DEFAULT_TITLE_PATTERN", "load_html"]

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bs4 import BeautifulSoup, Tag
from soupsieve import SelectorSyntaxError

from graph.errors import LoadError, Problem, UsageError
from graph.model import Concept, Glossary, Origin, Reference, Source
from graph.text import slugify
from loaders import Progress
from loaders.io import (
    Collector,
    check_options,
    exclude_patterns,
    list_files,
    read_text,
    refuse_field_mapping,
    relative_stem,
)

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

#: Field → CSS selectors tried in order (the first that matches wins).
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
_SPACE_RE = re.compile(r"\s+")
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "pre", "blockquote", "table", "dl")


def _text(tag: Tag) -> str:
    return _SPACE_RE.sub(" ", tag.get_text(" ")).strip()


def _selectors(value: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise UsageError(f"selectors.{field} must be a CSS selector or a list of them, not {value!r}")


def _select(soup: BeautifulSoup | Tag, selectors: tuple[str, ...], field: str) -> list[Tag]:
    for selector in selectors:
        try:
            found = soup.select(selector)
        except SelectorSyntaxError as error:
            raise UsageError(f"selectors.{field}: invalid CSS selector {selector!r}: {error.args[0]}") from None
        if found:
            return found
    return []


def _body(container: Tag, skip: set[int]) -> str:
    """The readable text of an article: headings as Markdown headings, lists as items, paragraphs apart."""
    parts: list[str] = []
    for block in container.find_all(_BLOCKS):
        if id(block) in skip or any(id(parent) in skip for parent in block.parents):
            continue
        if block.find_parent(_BLOCKS) is not None:
            continue  # nested inside a block already taken whole
        name = block.name or ""
        if name[0] == "h" and name[1:].isdigit():
            parts.append("#" * int(name[1:]) + " " + _text(block))
        elif name in ("ul", "ol"):
            items = block.find_all("li", recursive=False)
            marker = (lambda i: f"{i}.") if name == "ol" else (lambda i: "-")
            parts.append("\n".join(f"{marker(i)} {_text(li)}" for i, li in enumerate(items, 1)))
        else:
            parts.append(_text(block))
    return "\n\n".join(p for p in parts if p.strip())


def load_html(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    selectors: Mapping[str, Any] | None = None,
    title_pattern: str | None = DEFAULT_TITLE_PATTERN,
    exclude: str | Sequence[str] | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load one saved page or a folder of them; a concept's id is its file's path stem, slugified."""
    check_options("html", options, ())
    refuse_field_mapping("html", mapping)
    unknown = sorted(set(selectors or {}) - set(DEFAULT_SELECTORS))
    if unknown:
        raise UsageError(f"unknown selector field {unknown[0]!r}; fields: {', '.join(DEFAULT_SELECTORS)}")
    chosen = {**DEFAULT_SELECTORS, **{k: _selectors(v, k) for k, v in (selectors or {}).items()}}
    try:
        pattern = re.compile(title_pattern) if title_pattern else None
    except re.error as error:
        raise UsageError(f"title_pattern is not a valid regular expression: {error}") from None
    root = Path(path)
    files = [root] if root.is_file() else list_files(root, (".html", ".htm"), exclude_patterns(exclude))
    collector = Collector(root, "html", lenient, progress)
    if not files:
        raise LoadError(Problem(str(root), None, "no .html or .htm files found"))
    for number, file in enumerate(files):
        try:
            text = read_text(file, max_file_size)
            stem = relative_stem(file, root) if root.is_dir() else file.stem
            collector.add(_page(text, str(file), slugify(stem.rsplit("/", 1)[-1]), chosen, pattern))
        except LoadError as error:
            collector.problem(*error.problems)
        collector.tick(number + 1, len(files))
    return collector.glossary()


def _page(text: str, file: str, concept_id: str, selectors: dict[str, tuple[str, ...]],
          pattern: re.Pattern[str] | None) -> Concept:
    soup = BeautifulSoup(text, "lxml")

    def first(field: str) -> str | None:
        found = _select(soup, selectors[field], field)
        return (_text(found[0]) or None) if found else None

    heading = _select(soup, selectors["title"], "title")
    if not heading or not _text(heading[0]):
        raise LoadError(Problem(file, None, f"no title: the selector {', '.join(selectors['title'])!r} "
                                            "matched nothing with text"))
    title = _text(heading[0])
    match = pattern.match(title) if pattern else None
    if match and match.groupdict().get("title"):
        title = match.group("title").strip()
    definition_tags = _select(soup, selectors["definition"], "definition")
    definition = _text(definition_tags[0]) if definition_tags else ""
    aliases = tuple(dict.fromkeys(t for t in (_text(tag) for tag in _select(soup, selectors["aliases"], "aliases"))
                                  if t and t != title))
    sources = []
    for item in _select(soup, selectors["sources"], "sources"):
        link = item if item.name == "a" else item.find("a", href=True)
        href = str(link.get("href", "")) if isinstance(link, Tag) else ""
        label = _text(item) or href
        if label:
            sources.append(Source(label, href))
    related = tuple(Reference(t) for t in (_text(a) for a in _select(soup, selectors["related"], "related")) if t)
    body_tags = _select(soup, selectors["body"], "body")
    # The definition and the lists read as their own fields are not repeated in the body.
    skip = {id(t) for t in (*heading[:1], *definition_tags[:1])}
    for selector in selectors["body_exclude"]:
        skip.update(id(tag) for tag in _select(soup, (selector,), "body_exclude"))
    body = _body(body_tags[0], skip) if body_tags else ""
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
        origin=Origin(file, getattr(heading[0], "sourceline", None)),
    )
