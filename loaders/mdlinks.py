"""Links between notes written the standard Markdown way, and where they point in a folder of notes.

``markdown_links`` finds the destinations of inline (``[t](other.md)``, ``[t](<Other Note.md>)``)
and reference-style (``[t][1]`` with ``[1]: /terms/other/``) links with markdown-it-py, which
knows code spans, fences, HTML and reference definitions; images are not links, and the inside of
``[[wikilinks]]`` is blanked first so Foam's definitions for them are not read as a second link.

``NoteIndex`` resolves a destination the way the sites and editors that wrote it do: a ``.md``
path from the linking note's folder, then from the root, then by file name (the note nearest to
the linking one); a site path (``/terms/other/``) against each note's URL path (its path without
extension, ``index``/``_index``/``README`` standing for their folder, ``permalink``/``url``/``slug``
front matter overriding it). Links with a scheme, to attachments, to Logseq journal pages and to
pages that are not concepts (section pages, taxonomies, the home page) are not concept links.
"""

from __future__ import annotations

__all__ = ["LinkTarget", "NoteIndex", "markdown_links", "parse_blanked", "plain_site_path", "token_links", "url_paths"]

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from graph.text import WIKILINK_RE, slugify

# CommonMark plus GFM tables (links in table cells are links); linkify stays off: a bare URL is no note link.
_PARSER = MarkdownIt("commonmark").enable("table")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}(?:[-_][A-Za-z]{2,4})?$")
_DOMAIN_RE = re.compile(r"^(?:www\.|[a-z0-9-]+\.)[a-z0-9.-]*\.[a-z]{2,6}/", re.IGNORECASE)
# A file extension that marks an attachment: letters first, short (so "Version 1.2" has none).
_EXTENSION_RE = re.compile(r"\.([a-zA-Z][a-zA-Z0-9]{0,7})$")
_NOTE_EXTENSIONS = frozenset({"md", "markdown"})
_PAGE_EXTENSIONS = frozenset({"html", "htm"})
#: File names that stand for their folder on a site.
_FOLDER_PAGES = frozenset({"index", "_index", "readme"})
#: Front matter keys that give a note's URL path outright.
_URL_KEYS = ("permalink", "url")
#: Top folders of a site's source that do not appear in its URLs (Hugo content/, MkDocs docs/).
_SOURCE_FOLDERS = frozenset({"content", "docs", "src"})
#: Site sections that list pages rather than being one: links to them are not concept links.
_TAXONOMIES = frozenset({"tags", "categories", "tag", "category"})


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def markdown_links(text: str) -> list[tuple[str, int]]:
    """(destination as written, 1-based line in ``text``) of each Markdown link outside code and wikilinks.

    >>> markdown_links("See [RAG](rag.md) and `[x](y.md)`.\\n![img](p.png) [t][1]\\n\\n[1]: /terms/other/")
    [('rag.md', 1), ('/terms/other/', 2)]
    """
    if "](" not in text and "]:" not in text:
        return []
    return token_links(parse_blanked(text))


def parse_blanked(text: str) -> list[Token]:
    """The markdown-it tokens of a text whose ``[[wikilinks]]`` are blanked (lines and columns kept)."""
    if "[[" in text:
        text = WIKILINK_RE.sub(_blank, text)
    return _PARSER.parse(text, {})


def token_links(tokens: list[Token]) -> list[tuple[str, int]]:
    """(destination, 1-based line) of each link in parsed tokens: one parse can serve links and headings."""
    found: list[tuple[str, int]] = []
    for token in tokens:
        if token.type != "inline" or not token.children or token.map is None:
            continue
        line = token.map[0] + 1
        for child in token.children:
            kind = child.type
            if kind == "softbreak" or kind == "hardbreak":
                line += 1
            elif kind == "link_open":
                href = child.attrGet("href")
                if isinstance(href, str) and href:
                    found.append((href, line))
            elif kind == "html_inline":
                line += child.content.count("\n")
    return found


def plain_site_path(path: str) -> str:
    """The form URL paths are compared in: no outer slashes, no ``index.html`` or ``.html``, lower case.

    >>> plain_site_path("/Terms/Other/index.html"), plain_site_path("/terms/other.html")
    ('terms/other', 'terms/other')
    """
    path = path.strip().strip("/")
    lowered = path.lower()
    if lowered.endswith(("/index.html", "/index.htm")) or lowered in ("index.html", "index.htm"):
        path = path.rsplit("index.", 1)[0].rstrip("/")
    elif lowered.endswith((".html", ".htm")):
        path = path.rsplit(".", 1)[0]
    return path.lower()


def _urlize(path: str) -> str:
    """A path as Hugo writes it in URLs: each segment lower case, spaces as hyphens."""
    return "/".join(slugify(part) if part else part for part in path.split("/"))


def url_paths(path: str, meta: Mapping[str, Any]) -> list[str]:
    """The site paths a note answers to (compared with plain_site_path), its own URL first.

    >>> url_paths("content/terms/_index", {}), url_paths("a/b", {"slug": "c"}), url_paths("x", {"permalink": "/y/"})
    (['content/terms', 'terms'], ['a/c'], ['y'])
    >>> url_paths("content/en/Getting Started/Quick Start", {})[2:]
    ['getting started/quick start', 'content/en/getting-started/quick-start', 'en/getting-started/quick-start', \
'getting-started/quick-start']
    """
    for key in _URL_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return [plain_site_path(value)]
    parts = path.split("/")
    if parts[-1].lower() in _FOLDER_PAGES:
        parts = parts[:-1]
    slug = meta.get("slug")
    if isinstance(slug, str) and slug.strip() and parts:
        parts[-1] = slug.strip()
    own = "/".join(parts).lower()
    paths = [own]
    if parts and parts[0].lower() in _SOURCE_FOLDERS:
        parts = parts[1:]
        paths.append("/".join(parts).lower())
    if len(parts) > 1 and _LANGUAGE_RE.match(parts[0]):
        # A multilingual Hugo site keeps each language in its own folder (content/en/...); the
        # default language is served without it.
        paths.append("/".join(parts[1:]).lower())
    elif len(parts) > 1 and parts[0].startswith("_"):
        # A Jekyll collection (_terms/rag.md) is published without its underscore.
        paths.append("/".join([parts[0][1:], *parts[1:]]).lower())
    for written in list(paths):
        hugo = _urlize(written)
        if hugo not in paths:
            paths.append(hugo)
    return paths


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Where one written link points: ``note`` (an index into the notes), ``missing`` (the text a broken
    link is listed under), or neither when the link is not a concept link (``ignored`` says why)."""

    note: int | None = None
    missing: str | None = None
    ignored: str | None = None


_EXTERNAL = LinkTarget(ignored="external")
_ATTACHMENT = LinkTarget(ignored="attachment")
_NOT_A_CONCEPT = LinkTarget(ignored="page")
_TEMPLATE = LinkTarget(ignored="template")
_JOURNAL = LinkTarget(ignored="journal")


class NoteIndex:
    """The notes of one folder by file path, file name and URL path, plus the attachments beside them."""

    def __init__(
        self,
        notes: Iterable[tuple[str, str, Mapping[str, Any]]],
        skipped: Iterable[tuple[str, str, Mapping[str, Any]]] = (),
        attachments: Iterable[str] = (),
        journals: Iterable[str] = (),
    ):
        """``notes`` and ``skipped`` hold (relative file path with extension, path without it, front matter);
        ``journals`` the relative file paths of the skipped notes that are Logseq journal pages."""
        self.notes = list(notes)
        self.skipped = list(skipped)
        self.folders: list[str] = []
        self.by_file: dict[str, int] = {}
        self.by_stem: dict[str, list[int]] = {}
        for index, (file, path, _meta) in enumerate(self.notes):
            self.folders.append(posixpath.dirname(file))
            self.by_file[file.lower()] = index
            self.by_stem.setdefault(path.rsplit("/", 1)[-1].lower(), []).append(index)
        self.skipped_files = {file.lower() for file, _path, _meta in self.skipped}
        self.journal_files = {file.lower() for file in journals}
        self.attachments = {file.lower() for file in attachments}
        self.attachment_names = {file.rsplit("/", 1)[-1] for file in self.attachments}
        self._by_url: dict[str, list[int]] | None = None
        self._skipped_urls: set[str] = set()

    @property
    def by_url(self) -> dict[str, list[int]]:
        """The notes by URL path; built on the first site link, so vaults without any pay nothing for it."""
        if self._by_url is None:
            self._by_url = {}
            for index, (_file, path, meta) in enumerate(self.notes):
                for url in url_paths(path, meta):
                    owners = self._by_url.setdefault(url, [])
                    if index not in owners:
                        owners.append(index)
            self._skipped_urls = {url for _file, path, meta in self.skipped for url in url_paths(path, meta)}
        return self._by_url

    def is_attachment(self, target: str) -> bool:
        """Whether a link target names a file in the folder that is not a note (``image.png``, ``docs/a.pdf``)."""
        lowered = target.lower().lstrip("/")
        return lowered in self.attachments or ("/" not in lowered and lowered in self.attachment_names)

    def nearest(self, name: str, folder: str) -> int | None:
        """The note called ``name`` (a file stem) nearest to ``folder``: the only one, or the one sharing
        the longest folder prefix with it; None when there is none or several are as near."""
        owners = self.by_stem.get(name.lower())
        if not owners:
            return None
        if len(owners) == 1:
            return owners[0]
        mine = folder.split("/") if folder else []

        def shared(index: int) -> int:
            theirs = self.folders[index].split("/") if self.folders[index] else []
            count = 0
            for a, b in zip(mine, theirs, strict=False):
                if a != b:
                    break
                count += 1
            # Between equally deep prefixes, a note in that very folder is nearer than one below it.
            return count * 2 + (len(theirs) == count)

        scores = sorted(((shared(i), i) for i in owners), reverse=True)
        return scores[0][1] if scores[0][0] > scores[1][0] else None

    def resolve(self, href: str, from_file: str, from_url: str) -> LinkTarget:
        """Where a link destination written in the note ``from_file`` (URL path ``from_url``) points."""
        if "{" in href or "%7B" in href.upper():
            decoded = unquote(href)
            if "{{" in decoded or "{%" in decoded:
                # A Hugo shortcode or Liquid tag that the site fills in when it is built: not readable here.
                return _TEMPLATE
        if _SCHEME_RE.match(href) or href.startswith("//") or "://" in href or _DOMAIN_RE.match(href):
            # A scheme, a protocol-relative URL, a URL inside stray brackets, or a bare domain
            # (link.example.org/x) written without its https://: a link out of the glossary.
            return _EXTERNAL
        path = unquote(href.split("#", 1)[0].split("?", 1)[0]).strip()
        if not path:
            # A link within the page (#section) joins no two concepts.
            return _NOT_A_CONCEPT
        extension = _EXTENSION_RE.search(path.rstrip("/"))
        kind = extension.group(1).lower() if extension else ""
        if kind in _NOTE_EXTENSIONS:
            return self._note_file(path, from_file)
        if kind and kind not in _PAGE_EXTENSIONS:
            return _ATTACHMENT
        return self._page(path, from_file, from_url)

    def _note_file(self, path: str, from_file: str) -> LinkTarget:
        """A link to a ``.md`` file: from the linking note's folder, from the root, then by file name."""
        folder = posixpath.dirname(from_file)
        start = "/" if path.startswith("/") else posixpath.join("/", folder)
        joined = posixpath.normpath(posixpath.join(start, path.lstrip("/")))
        relative = joined.lstrip("/")
        for candidate in (relative, path.lstrip("/")):
            found = self.by_file.get(candidate.lower())
            if found is not None:
                return LinkTarget(note=found)
            if candidate.lower() in self.journal_files:
                return _JOURNAL
            if candidate.lower() in self.skipped_files:
                return _NOT_A_CONCEPT
        stem = relative.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        nearest = self.nearest(stem, folder)
        if nearest is not None:
            return LinkTarget(note=nearest)
        # Listed like the wikilink [[folder/Name]] would be, so both forms of one broken link group together.
        return LinkTarget(missing=relative.rsplit(".", 1)[0])

    def _page(self, path: str, from_file: str, from_url: str) -> LinkTarget:
        """A link to a page without extension: a site path, or a note named without its ``.md``."""
        if path.startswith("/"):
            return self._site(path, path)
        folder = posixpath.dirname(from_file)
        bare = path.rstrip("/")
        # Editors (Foam, Obsidian) may leave the .md out of a relative link to a note.
        note = self.by_file.get(posixpath.normpath(posixpath.join(folder, bare)).lower() + ".md")
        if note is not None:
            return LinkTarget(note=note)
        # On a site with pretty URLs a page is a folder: ../other/ from /terms/rag/ is /terms/other/.
        site = posixpath.normpath(posixpath.join("/", from_url, path))
        found = self._site(site, path, fallback=False)
        if found.missing is None:
            return found
        if "/" not in bare:
            nearest = self.nearest(bare, folder)
            if nearest is not None:
                return LinkTarget(note=nearest)
        return LinkTarget(missing=path)

    def _site(self, path: str, written: str, fallback: bool = True) -> LinkTarget:
        """A site path: the note whose URL it is; a site served below a prefix matches by its tail."""
        key = plain_site_path(path)
        by_url = self.by_url
        if not key or key in self._skipped_urls:
            return _NOT_A_CONCEPT
        for candidate in (key, _urlize(key)):
            owners = by_url.get(candidate)
            if owners and len(owners) == 1:
                return LinkTarget(note=owners[0])
        if key.split("/", 1)[0] in _TAXONOMIES:
            return _NOT_A_CONCEPT
        if fallback:
            parts = key.split("/")
            for start in range(1, len(parts)):
                owners = by_url.get("/".join(parts[start:]))
                if owners and len(owners) == 1:
                    return LinkTarget(note=owners[0])
        return LinkTarget(missing=written)
