"""Text helpers shared by loaders, resolution and the audit: normalising labels, slugs, wikilinks."""

from __future__ import annotations

__all__ = [
    "WIKILINK_RE",
    "normalise",
    "parse_wikilink",
    "plain_links",
    "slugify",
    "strip_code",
    "strip_link_markup",
    "wikilinks",
]

import re
import unicodedata
from collections.abc import Iterator

_SPACE_RE = re.compile(r"\s+")


def normalise(label: str) -> str:
    """The form labels are compared in: Unicode NFKC, case-folded, whitespace collapsed.

    >>> normalise("  Flash\\u00a0ATTENTION ")
    'flash attention'
    """
    # ASCII is its own NFKC form and lower() is its case fold: the common case skips both passes.
    if label.isascii():
        return " ".join(label.lower().split())
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


def slugify(text: str) -> str:
    """A stable id from a title: lower-case ASCII words joined by hyphens.

    >>> slugify("Retrieval-Augmented Generation (RAG)")
    'retrieval-augmented-generation-rag'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug:
        return slug
    # Titles with no ASCII letters (e.g. CJK) keep their own characters rather than collapsing to "".
    return re.sub(r"[\s/\\]+", "-", normalise(text)).strip("-") or "concept"


#: An inline wikilink or embed; group 1 is "!" for an embed, group 2 the inside of the brackets.
WIKILINK_RE = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_FENCE_RE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_MD_LINK_RE = re.compile(r"!?\[[^\]\n]*\]\((?:<[^>\n]*>|[^)\n]*)\)")
# A reference-style link [text][label] (or [text][]), and the definitions [label]: destination "title".
_MD_REF_LINK_RE = re.compile(r"!?\[[^\]\n]*\]\[[^\]\n]*\]")
_MD_REF_DEF_RE = re.compile(r"^ {0,3}\[([^\]\n]+)\]:[ \t]*\S[^\n]*$", re.MULTILINE)
_SHORTCUT_RE = re.compile(r"!?\[([^\]\n]+)\](?![(\[:])")
# For display: a wikilink's label (or target), a Markdown link's text.
_SHOW_WIKILINK_RE = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
_SHOW_MD_LINK_RE = re.compile(r"!?\[([^\]\n]*)\](?:\((?:<[^>\n]*>|[^)\n]*)\)|\[[^\]\n]*\])")
_AUTOLINK_RE = re.compile(r"<https?://[^>\s]+>|https?://\S+")
_HTML_TAG_RE = re.compile(r"<[^>\n]+>")
_NOT_NEWLINE_RE = re.compile(r"[^\n]")
# Link markup the mention finder blanks, each with a substring every match of it contains.
_LINK_MARKUP = (("[[", WIKILINK_RE), ("](", _MD_LINK_RE), ("][", _MD_REF_LINK_RE),
                ("://", _AUTOLINK_RE), ("<", _HTML_TAG_RE))


def parse_wikilink(inner: str, label_first: bool = False) -> str:
    """The target of a wikilink's inside: ``target|label`` and ``target#section`` reduce to target.

    ``label_first`` reads Dendron's ``label|target`` order instead of Obsidian's.

    >>> parse_wikilink("Transformer#History|the transformer")
    'Transformer'
    >>> parse_wikilink("the transformer|transformer", label_first=True)
    'transformer'
    >>> parse_wikilink("Note\\\\|label")
    'Note'
    """
    if "\\|" in inner:
        # Obsidian escapes the pipe of a wikilink written inside a table: [[Note\\|label]].
        inner = inner.replace("\\|", "|")
    if "|" in inner:
        first, _, second = inner.partition("|")
        inner = second if label_first else first
    target = inner.split("#", 1)[0].split("^", 1)[0]
    return _SPACE_RE.sub(" ", target).strip()


def _blank(match: re.Match[str]) -> str:
    # Keep newlines so that line numbers computed on the result stay right.
    written = match.group(0)
    if "\n" not in written:
        return " " * len(written)
    return _NOT_NEWLINE_RE.sub(" ", written)


def strip_code(text: str) -> str:
    """Blank out fenced code blocks and inline code spans, keeping line structure."""
    if "`" not in text and "~~~" not in text:
        return text
    return _INLINE_CODE_RE.sub(_blank, _FENCE_RE.sub(_blank, text))


def wikilinks(text: str, label_first: bool = False) -> Iterator[tuple[str, int, bool]]:
    """Yield (target, line, is_embed) for each wikilink outside code; lines are 1-based in ``text``.

    >>> list(wikilinks("See [[RAG|retrieval]] and `[[not a link]]`.\\n![[diagram.png]]"))
    [('RAG', 1, False), ('diagram.png', 2, True)]
    """
    clean = strip_code(text)
    for match in WIKILINK_RE.finditer(clean):
        target = parse_wikilink(match.group(2), label_first)
        if target:
            yield target, clean.count("\n", 0, match.start()) + 1, match.group(1) == "!"


def strip_link_markup(text: str) -> str:
    """Blank out what the mention finder must not search: code, wikilinks, Markdown links, URLs, tags."""
    text = strip_code(text)
    # Each pattern needs its marker; blanking only removes text, so a marker absent now stays absent.
    for marker, pattern in _LINK_MARKUP:
        if marker in text:
            text = pattern.sub(_blank, text)
    if "]:" in text:
        # Reference definitions (Foam writes one per wikilink at the end of a note) and the
        # shortcut links [label] that use them are link markup too.
        labels = {normalise(m.group(1)) for m in _MD_REF_DEF_RE.finditer(text)}
        text = _MD_REF_DEF_RE.sub(_blank, text)
        if labels:
            text = _SHORTCUT_RE.sub(lambda m: _blank(m) if normalise(m.group(1)) in labels else m.group(0), text)
    return text


def _shown_wikilink(match: re.Match[str]) -> str:
    inner = match.group(1).replace("\\|", "|")
    label = inner.partition("|")[2] if "|" in inner else inner
    return label.strip()


def plain_links(text: str) -> str:
    """Text as a reader sees it: wikilinks and Markdown links replaced by their label or link text.

    >>> plain_links("A [[transformer|Transformer]] over a [sequence](seq.md#a) of [tokens][1] ([[RAG]]).")
    'A Transformer over a sequence of tokens (RAG).'
    """
    if "[" not in text:
        return text
    return _SHOW_MD_LINK_RE.sub(lambda m: m.group(1), _SHOW_WIKILINK_RE.sub(_shown_wikilink, text))
