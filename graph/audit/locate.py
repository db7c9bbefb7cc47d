"""Where each audit finding is written: ``file`` (relative to the source root) and ``line`` (1-based).

One place attaches locations to the findings of every check, from what the loaders recorded
(``Concept.origin``, ``Reference.line``, kept by both stores), so no check knows about files:

- link findings (``source`` and ``target``): the line of the reference as written; for
  ``duplicate_links`` the second entry (the one a fix removes);
- concept findings (``id``): the concept's title line;
- ``unlinked_mentions``: the line of the first mention, found in the source file as written
  (outside code, links, URLs and tags, as the mention finder reads the text);
- group findings (``concepts``): the first concept's title line (for ``alias_collisions`` the
  first concept that owns the label as an alias).

Locations are added only when the glossary came from a file or folder; ``line`` is null where the
format cannot tell (a file-level origin).
"""

from __future__ import annotations

__all__ = ["LOCATION_FIELDS", "find_word", "locate", "source_root"]

import bisect
import re
from collections.abc import Iterable
from pathlib import Path, PurePath

from graph.audit.data import AuditData, Finding
from graph.model import Concept, Origin
from graph.resolve import Link
from graph.text import normalise, strip_link_markup

#: The keys a located finding gains (and that comparisons of findings, e.g. diff, leave out).
LOCATION_FIELDS = ("file", "line")

_MARKDOWN = (".md", ".markdown")
_SERVER_SCHEMES = ("neo4j:", "neo4j+s:", "neo4j+ssc:", "bolt:", "bolt+s:", "bolt+ssc:")


def source_root(source: str, files: Iterable[str] = ()) -> Path | None:
    """The folder findings' files are relative to: the source folder, or a source file's folder; None otherwise.

    A source that is no longer on disk (a Neo4j dataset whose folder moved) still counts when the
    concepts' own ``files`` lie in it or are it: the locations it was loaded with are kept.
    """
    if not source or source.startswith(_SERVER_SCHEMES) or "://" in source:
        return None
    path = Path(source)
    if path.is_dir():
        return path
    if path.is_file():
        return path.parent
    for file in files:
        if file == source:
            return path.parent
        if PurePath(file).is_relative_to(path):
            return path
    return None


class _Locator:
    """Answers file and line questions for one audit, reading each source file at most once."""

    def __init__(self, data: AuditData, root: Path):
        self.data = data
        self.root = root
        self.by_source: dict[str, list[Link]] = {}
        for link in data.links:
            self.by_source.setdefault(link.source, []).append(link)
        self._texts: dict[str, list[str] | None] = {}
        self._starts: dict[str, list[int]] | None = None
        self._shared: set[str] | None = None
        self._names: dict[str, str] = {}

    def file(self, origin: Origin | None) -> str | None:
        """The origin's file relative to the root (POSIX separators), as stored when it lies elsewhere."""
        if origin is None or not origin.file:
            return None
        name = self._names.get(origin.file)
        if name is None:
            path = PurePath(origin.file)
            try:
                name = path.relative_to(self.root).as_posix()
            except ValueError:
                name = path.as_posix()
            self._names[origin.file] = name
        return name

    def concept(self, concept_id: str) -> tuple[str | None, int | None]:
        """A concept's file and title line."""
        concept = self.data.concepts.get(concept_id)
        origin = concept.origin if concept is not None else None
        return self.file(origin), origin.line if origin is not None else None

    def link(self, check: str, finding: Finding) -> tuple[str | None, int | None]:
        """The file and line of the reference a link finding is about."""
        source, target = finding["source"], finding["target"]
        file, line = self.concept(source)
        links = self.by_source.get(source, ())
        if check == "unlinked_mentions":
            return file, self.mention_line(source, finding["mention"]) or line
        if check == "alias_links":
            wanted = normalise(finding["via"])
            chosen = [k for k in links if k.target == target and k.key == wanted]
        elif check in ("one_way_links", "duplicate_links"):
            chosen = [k for k in links if k.target == target and (check != "duplicate_links" or k.kind == "related")]
        else:
            chosen = []
        if not chosen:
            wanted = normalise(target)
            chosen = [k for k in links if k.key == wanted and (check != "duplicate_links" or k.kind == "related")]
        if check == "duplicate_links" and len(chosen) > 1:
            chosen = chosen[1:]
        for link in chosen:
            if link.line is not None:
                return file, link.line
        return file, line

    def group(self, check: str, finding: Finding) -> tuple[str | None, int | None]:
        """The location of a finding about several concepts: its first (alias-owning) concept."""
        members: list[str] = list(finding["concepts"])
        if check == "alias_collisions":
            wanted = normalise(finding["alias"])
            owners = [cid for cid in members if any(normalise(a) == wanted for a in self._aliases(cid))]
            members = owners or members
        return self.concept(members[0]) if members else (None, None)

    def _aliases(self, concept_id: str) -> Iterable[str]:
        concept = self.data.concepts.get(concept_id)
        return concept.aliases if concept is not None else ()

    def _lines(self, file: str) -> list[str] | None:
        """The lines of a source file, or None when it cannot be read (a dataset whose files moved)."""
        if file not in self._texts:
            try:
                self._texts[file] = Path(file).read_text(encoding="utf-8-sig").split("\n")
            except (OSError, UnicodeDecodeError):
                self._texts[file] = None
        return self._texts[file]

    def _record_end(self, concept: Concept) -> int | None:
        """The line before the next concept's title line in the same file (None: to the end)."""
        if self._starts is None:
            starts: dict[str, list[int]] = {}
            for other in self.data.concepts.values():
                if other.origin is not None and other.origin.line:
                    starts.setdefault(other.origin.file, []).append(other.origin.line)
            self._starts = {file: sorted(lines) for file, lines in starts.items()}
        origin = concept.origin
        if origin is None or not origin.line:
            return None
        lines = self._starts.get(origin.file, [])
        after = bisect.bisect_right(lines, origin.line)
        return lines[after] - 1 if after < len(lines) else None

    def _in_shared_file(self, concept: Concept) -> bool:
        """Whether the concept's file holds other concepts too (a record file, a one-page glossary, an export)."""
        if self._shared is None:
            seen: set[str] = set()
            self._shared = set()
            for other in self.data.concepts.values():
                if other.origin is not None:
                    (self._shared if other.origin.file in seen else seen).add(other.origin.file)
        return concept.origin is not None and concept.origin.file in self._shared

    def mention_line(self, source: str, mention: str) -> int | None:
        """The line of the first occurrence of ``mention`` (as written) in the source concept's text."""
        concept = self.data.concepts.get(source)
        if concept is None or concept.origin is None:
            return None
        if not concept.origin.line and self._in_shared_file(concept):
            # No title line in a file of many concepts (an export read back): no record to search in,
            # and searching the whole file for every mention would cost its size times theirs.
            return None
        lines = self._lines(concept.origin.file)
        if lines is None:
            return None
        title = concept.origin.line or 1
        end = self._record_end(concept) or len(lines)
        # A Markdown note's text comes after its front matter; elsewhere after the title line.
        after = title
        if concept.origin.file.endswith(_MARKDOWN) and lines and lines[0].rstrip() == "---":
            closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
            if closing is not None and closing + 1 > after:
                after = closing + 1
        for first in (after, title - 1):
            found = _search(mention, lines, first, end)
            if found is not None:
                return found
        return None


def _mention_pattern(mention: str) -> re.Pattern[str]:
    """A whole-word pattern for a mention as written; its inner spaces match any whitespace run."""
    words = [re.escape(word) for word in mention.split()]
    return re.compile(r"(?<![\w\-])" + r"\s+".join(words) + r"(?![\w\-])")


def _is_word(char: str) -> bool:
    return char.isalnum() or char in "_-"


def find_word(text: str, mention: str) -> int:
    """The offset of the first whole-word occurrence of ``mention`` in ``text``, or -1 (plain search, no regex)."""
    position = text.find(mention)
    while position >= 0:
        end = position + len(mention)
        if (position == 0 or not _is_word(text[position - 1])) and (end == len(text) or not _is_word(text[end])):
            return position
        position = text.find(mention, position + 1)
    return -1


def _search(mention: str, lines: list[str], first: int, end: int) -> int | None:
    """The 1-based line where ``mention`` first occurs as whole words in lines[first:end].

    A mention whose words the text breaks over lines (or spaces twice) is looked for with a
    pattern; the plain search finds every other one, and most mentions, much faster.
    """
    if first >= end:
        return None
    text = "\n".join(lines[first:end])
    if "[" in text or "`" in text or "<" in text or "://" in text or "~~~" in text:
        # As the mention finder reads it: code, links, URLs and tags blanked (same offsets and lines).
        text = strip_link_markup(text)
    offset = find_word(text, mention)
    if offset < 0 and " " in mention:
        match = _mention_pattern(mention).search(text)
        offset = match.start() if match else -1
    return first + 1 + text.count("\n", 0, offset) if offset >= 0 else None


def locate(findings: dict[str, list[Finding]], data: AuditData, source: str) -> dict[str, list[Finding]]:
    """The findings with ``file`` and ``line`` added when ``source`` is a file or folder (else as given)."""
    root = source_root(source, (c.origin.file for c in data.concepts.values() if c.origin is not None))
    if root is None:
        return findings
    locator = _Locator(data, root)
    located: dict[str, list[Finding]] = {}
    for check, rows in findings.items():
        located[check] = out = []
        for finding in rows:
            if "source" in finding and "target" in finding:
                file, line = locator.link(check, finding)
            elif "id" in finding:
                file, line = locator.concept(finding["id"])
            elif "concepts" in finding:
                file, line = locator.group(check, finding)
            else:
                file, line = None, None
            out.append({**finding, "file": file, "line": line})
    return located
