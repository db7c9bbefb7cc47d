"""Safe repairs of what the audit finds, as edits of the source files (``glossgraph fix``).

The repairs, each made where the audit located the reference (``Reference.line``):

- ``alias_links``: the reference is rewritten to the target's canonical title, in the same style;
- ``self_links`` and ``duplicate_links``: the reference is removed (a list entry with its
  separator, or a ``[[wikilink]]`` unlinked to its text); for duplicates the first entry stays;
- ``broken_links`` with exactly one close match (the same words but for punctuation, a plural, or
  a fuzzy score of 95 or more): the reference is pointed at that concept's title;
- ``unlinked_mentions``, only when named: the first mention in a note's text becomes a
  ``[[Title]]`` (``[[Title|mention]]`` for an alias); a mention in a field that holds no links (a
  record's definition, front matter) adds the target to the related list instead;
- ``one_way_links``, only when named: the link back is added to the target's related list, after
  its last entry and in the list's style (a target with no related entries is left alone).

Every edit is made on one line of text, so every byte outside the changed lines (front-matter
key order, comments, quoting, list style, line endings) stays as it was. An edit that cannot be
made safely (the reference is not found on its line, or the new title would need YAML quoting
the old one did not have) is skipped and reported.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_FIXES", "FIXABLE", "CloseMatcher", "Edit", "FilePlan", "FindingEdits", "FixPlan", "ModifiedError",
    "Repairs", "Selector", "apply", "close_match", "finding_edits", "plan_edits", "plan_fixes",
]

import bisect
import difflib
import json
import os
import posixpath
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from urllib.parse import quote, unquote

from rapidfuzz import fuzz, process

from graph.audit.checks import check_names
from graph.audit.data import AuditData, Finding
from graph.audit.locate import find_word as _find_word
from graph.audit.locate import source_root
from graph.audit.report import run_audit
from graph.errors import GlossgraphError, UsageError
from graph.model import Concept, Glossary
from graph.resolve import Link
from graph.text import normalise, strip_code, strip_link_markup

#: The checks ``fix`` repairs, in the order their edits are planned.
FIXABLE: tuple[str, ...] = (
    "self_links", "duplicate_links", "alias_links", "broken_links", "unlinked_mentions", "one_way_links"
)
#: The checks repaired when no check is named (the last two add links: only when asked for).
DEFAULT_FIXES: tuple[str, ...] = FIXABLE[:4]

#: Picks the findings to repair: called with the check's name and the finding.
Selector = Callable[[str, Finding], bool]

_FORMATS = ("markdown", "yaml", "json", "jsonl", "records")
# Characters that make a plain YAML scalar mean something else (a mapping, a comment, a flow list...).
_YAML_SPECIAL = re.compile(r"[:#,\[\]{}&*!|>'\"%@`]|^[-?]|\s$|^\s")
_WIKILINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
# An inline Markdown link: [label](destination "title"), the destination bare or in <angle brackets>.
_MD_LINK = re.compile(r"(?<!!)\[(?P<label>[^\]\n]*)\]\((?P<space>\s*)(?P<dest><[^>\n]*>|[^)\s]*)(?P<rest>[^)\n]*)\)")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


class ModifiedError(GlossgraphError):
    """A file changed on disk between reading it and writing the fix."""


@dataclass(frozen=True)
class Edit:
    """One repair: in ``file`` at ``line``, the reference written ``written`` becomes ``new`` (None: removed)."""

    check: str
    source: str
    file: str
    line: int
    kind: str
    written: str
    new: str | None
    why: str


#: A finding of a check and the edits that repair it.
FindingEdits = tuple[str, Finding, list[Edit]]


@dataclass
class FilePlan:
    """The edits of one file: its text as read, the text after the edits, and what was made or skipped."""

    path: Path
    name: str
    original: bytes
    text: str
    made: list[Edit] = field(default_factory=list)
    skipped: list[tuple[Edit, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the edits change the file."""
        return self.text.encode("utf-8") != self.original

    def diff(self) -> str:
        """A unified diff of the file, after a header of ``# file:line check: why`` lines."""
        header = "".join(f"# {self.name}:{e.line} {e.check}: {e.why}\n" for e in self.made)
        old = self.original.decode("utf-8").splitlines(keepends=True)
        new = self.text.splitlines(keepends=True)
        body = "".join(difflib.unified_diff(old, new, f"a/{self.name}", f"b/{self.name}"))
        return header + body


@dataclass
class FixPlan:
    """Every file a fix touches, in path order."""

    files: list[FilePlan]

    @property
    def changed(self) -> list[FilePlan]:
        """The files the edits change."""
        return [f for f in self.files if f.changed]

    def skipped(self) -> list[tuple[Edit, str]]:
        """The edits that could not be made safely, with the reason."""
        return [item for f in self.files for item in f.skipped]


def _strip_plural(key: str) -> str:
    if key.endswith("ies") and len(key) > 4:
        return key[:-3] + "y"
    if key.endswith("es") and len(key) > 4 and key[-3] in "sxz":
        return key[:-2]
    if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
        return key[:-1]
    return key


def _bare(key: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", key).split())


def close_match(written: str, concepts: Iterable[Concept]) -> tuple[str, str] | None:
    """The one concept a broken reference most likely means, with why: (id, reason), or None.

    Tried in order, each needing exactly one concept: the same words but for punctuation, a
    plural, then a fuzzy score of 95 or more over titles and aliases.

    >>> c = [Concept("pre-training", "Pre-training"), Concept("llm", "Large Language Model")]
    >>> close_match("pre training", c), close_match("Large Language Models", c), close_match("Chess", c)
    (('pre-training', 'the same words but for punctuation'), ('llm', 'a plural of the title'), None)
    """
    return CloseMatcher(concepts).match([written])[written]


#: The lowest fuzzy score (rapidfuzz's ``ratio``, 0-100) that counts as a close match.
FUZZY_MATCH = 95


class CloseMatcher:
    """``close_match`` for many references at once: the labels are indexed once, the fuzzy scores computed in bulk."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        labels = sorted(((normalise(label), c.id) for c in concepts for label in (c.title, *c.aliases)),
                        key=lambda pair: len(pair[0]))
        self._labels = [label for label, _cid in labels]
        self._owners = [cid for _label, cid in labels]
        self._lengths = [len(label) for label in self._labels]
        self._bare: dict[str, set[str]] = {}
        self._plural: dict[str, list[tuple[str, str]]] = {}
        for label, cid in labels:
            self._bare.setdefault(_bare(label), set()).add(cid)
            self._plural.setdefault(_strip_plural(label), []).append((label, cid))

    def match(self, written: Iterable[str]) -> dict[str, tuple[str, str] | None]:
        """Each reference as written, with the one concept it most likely means and why, or None."""
        found: dict[str, tuple[str, str] | None] = {}
        fuzzy: dict[str, list[str]] = {}  # normalised key: the references that need the fuzzy score
        for text in written:
            if text in found:
                continue
            key = normalise(text)
            found[text] = None
            owners = self._bare.get(_bare(key), set())
            if not owners:
                owners = {cid for label, cid in self._plural.get(_strip_plural(key), ()) if label != key}
                reason = "a plural of the title"
            else:
                reason = "the same words but for punctuation"
            if len(owners) == 1:
                found[text] = (next(iter(owners)), reason)
            elif not owners:
                fuzzy.setdefault(key, []).append(text)
        for key, best in self._fuzzy(list(fuzzy)).items():
            if len(best) == 1:
                ((cid, score),) = best.items()
                for text in fuzzy[key]:
                    found[text] = (cid, f"a fuzzy match (score {score:.0f})")
        return found

    def _fuzzy(self, keys: list[str]) -> dict[str, dict[str, float]]:
        """Each key's concepts with a label scoring ``FUZZY_MATCH`` or more, at their best label's score."""
        scores: dict[str, dict[str, float]] = {key: {} for key in keys}
        by_length: dict[int, list[str]] = {}
        for key in keys:
            by_length.setdefault(len(key), []).append(key)
        for length, group in by_length.items():
            # ratio = 2 * common / (len(a) + len(b)) >= 0.95 holds only for lengths within about 10%:
            # only those labels are scored (a slightly wider window, the scores decide).
            low = bisect.bisect_left(self._lengths, int(length * 0.9))
            high = bisect.bisect_right(self._lengths, int(length * 1.11) + 1)
            choices = self._labels[low:high]
            if not choices:
                continue
            rows = max(1, 4_000_000 // len(choices))  # a float32 score matrix of about 16 MB at a time
            for start in range(0, len(group), rows):
                part = group[start:start + rows]
                matrix = process.cdist(part, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_MATCH, workers=-1)
                for row, column in zip(*matrix.nonzero(), strict=True):
                    owner = self._owners[low + int(column)]
                    best = scores[part[int(row)]]
                    best[owner] = max(best.get(owner, 0.0), float(matrix[row, column]))
        return scores


def _edits(data: AuditData, checks: tuple[str, ...]) -> list[FindingEdits]:
    """The edits each of the chosen checks' findings calls for (one per written reference), finding by finding."""
    report = run_audit(data, checks)
    repairs = Repairs(data.concepts.values(), data.links)
    if "broken_links" in checks:
        repairs.match_targets([f["target"] for f in report.open_findings("broken_links")])
    removed: set[tuple[str, int]] = set()
    return [(check, finding, repairs.edits(check, finding, removed))
            for check in checks for finding in report.open_findings(check)]


class Repairs:
    """The edits any finding calls for, from a glossary's concepts and link table indexed once (then each is cheap)."""

    def __init__(self, concepts: Iterable[Concept], links: Iterable[Link]) -> None:
        self.concepts = {c.id: c for c in concepts}
        self.by_source: dict[str, list[Link]] = {}
        for link in links:
            self.by_source.setdefault(link.source, []).append(link)
        # Markdown files that hold several concepts are one-page glossaries: their terms link by anchor.
        per_file = Counter(c.origin.file for c in self.concepts.values() if c.origin is not None)
        self.pages = {file for file, count in per_file.items() if count > 1 and file.endswith((".md", ".markdown"))}
        self._matches: dict[str, tuple[str, str] | None] = {}

    @cached_property
    def _styles(self) -> dict[str, str]:
        return _link_styles(Glossary(list(self.concepts.values())))

    @cached_property
    def _matcher(self) -> CloseMatcher:
        return CloseMatcher(self.concepts.values())

    def match_targets(self, targets: Iterable[str]) -> None:
        """Find the close matches of many broken references in bulk (``edits`` finds the others one at a time)."""
        # A path (a Markdown link's terms/gammas.md, a wikilink's [[folder/Name]]) may match by its note's name.
        wanted = [t for t in dict.fromkeys(targets) if t not in self._matches]
        self._matches.update(self._matcher.match([*wanted, *(t.rsplit("/", 1)[-1] for t in wanted if "/" in t)]))

    def _close_match(self, target: str) -> tuple[str, str] | None:
        self.match_targets([target])
        match = self._matches[target]
        if match is None and "/" in target:
            match = self._matches[target.rsplit("/", 1)[-1]]
        return match

    def edits(self, check: str, finding: Finding, removed: set[tuple[str, int]] | None = None) -> list[Edit]:
        """The edits that repair one finding of ``check``.

        ``removed`` holds the (concept, reference index) pairs earlier findings' edits already
        changed: a reference is edited once (pass the same set for every finding of one plan).
        """
        concepts, by_source = self.concepts, self.by_source
        removed = set() if removed is None else removed
        edits: list[Edit] = []

        def add(link: Link, new: str | None, why: str, index: int, target: str | None = None) -> None:
            concept = concepts[link.source]
            if concept.origin is None or link.line is None or (link.source, index) in removed:
                return
            written = link.written
            if link.kind == "markdown":
                # A Markdown link is found by the note it names and pointed at the other note's file.
                named = concepts.get(link.target or "")
                written = _stem(named.origin.file if named is not None and named.origin else link.written)
                goal = concepts.get(target or "")
                if new is not None:
                    if goal is None or goal.origin is None:
                        return
                    new = _note_path(concept.origin.file, goal.origin.file)
            removed.add((link.source, index))
            edits.append(Edit(check, link.source, concept.origin.file, link.line, link.kind, written, new, why))

        source = finding["source"]
        indexed = list(enumerate(by_source.get(source, ())))
        if check == "self_links":
            key = normalise(finding["target"])
            for i, link in indexed:
                if link.target == source and link.key == key:
                    add(link, None, "a concept does not link to itself", i)
        elif check == "duplicate_links":
            target = finding["target"]
            same = [(i, k) for i, k in indexed if k.kind == "related"
                    and (k.target == target or (k.target is None and k.written == target))]
            for i, link in same[1:]:
                add(link, None, f"{finding['target']!r} is listed already", i)
        elif check == "alias_links":
            title = concepts[finding["target"]].title
            key = normalise(finding["via"])
            for i, link in indexed:
                if link.target == finding["target"] and link.key == key and link.via == "alias":
                    add(link, title, f"{link.written!r} is an alias of {title!r}", i, link.target)
        elif check == "broken_links":
            match = self._close_match(finding["target"])
            if match is not None:
                title = concepts[match[0]].title
                key = normalise(finding["target"])
                for i, link in indexed:
                    if link.via == "unresolved" and link.key == key:
                        add(link, title, f"{link.written!r} matches no concept; {title!r} is {match[1]}", i, match[0])
        elif check == "unlinked_mentions":
            _mention_edit(edits, finding, concepts, by_source.get(source, ()), self.pages,
                          self._styles.get(source, "wikilink"))
        elif check == "one_way_links":
            # The link back goes after the target's last related entry, in the same list.
            target = finding["target"]
            entries = [(i, k) for i, k in enumerate(by_source.get(target, ())) if k.kind == "related"]
            if entries:
                i, last = entries[-1]
                origin = concepts[target].origin
                if origin is not None and last.line is not None:
                    title = concepts[source].title
                    edits.append(Edit(check, target, origin.file, last.line, "append", last.written, title,
                                      f"{target} gets the link back to {title!r}"))
        return edits


def _front_matter_end(path: str) -> int:
    """The line of a note's closing front-matter fence (0 when it has none)."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return 0
    if not lines or lines[0].rstrip() != "---":
        return 0
    return next((i + 1 for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), 0)


def _link_styles(glossary: Glossary) -> dict[str, str]:
    """How each concept's text links, "wikilink" or "markdown": the form its own file uses most, else the glossary's.

    Counted from the links the load read (``Reference.kind``); a tie, or a glossary with neither
    form, is "wikilink".
    """
    def dominant(wikilinks: int, markdown: int, default: str) -> str:
        if wikilinks == markdown:
            return default
        return "markdown" if markdown > wikilinks else "wikilink"

    forms = glossary.link_forms()
    overall = dominant(forms["wikilinks"], forms["markdown_links"], "wikilink")
    per_file: dict[str, list[int]] = {}
    for concept in glossary:
        counts = per_file.setdefault(concept.origin.file if concept.origin else concept.id, [0, 0])
        for reference in concept.related:
            if reference.kind == "wikilink":
                counts[0] += 1
            elif reference.kind == "markdown":
                counts[1] += 1
    styles = {}
    for concept in glossary:
        wikilinks, markdown = per_file[concept.origin.file if concept.origin else concept.id]
        styles[concept.id] = dominant(wikilinks, markdown, overall)
    return styles


def _stem(path: str) -> str:
    """A note's file name without folder, extension, #section or ?query, case-folded: how a Markdown link names it.

    >>> _stem("../Terms/Vector%20Store.md#usage"), _stem("/terms/rag/"), _stem("sub/gamma")
    ('vector store', 'rag', 'gamma')
    """
    path = unquote(path.split("#", 1)[0].split("?", 1)[0]).strip().rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if last.lower().endswith((".md", ".markdown")):
        last = last.rsplit(".", 1)[0]
    return last.casefold()


def _note_path(from_file: str, to_file: str) -> str:
    """The path from one note to another as a Markdown link destination: relative, "/"-separated, percent-encoded.

    >>> _note_path("/v/alpha.md", "/v/sub/Vector Store.md"), _note_path("/v/sub/a.md", "/v/b.md")
    ('sub/Vector%20Store.md', '../b.md')
    """
    here = posixpath.dirname(Path(from_file).as_posix()) or "."
    return quote(posixpath.relpath(Path(to_file).as_posix(), here), safe="/-._~")


def _mention_edit(edits: list[Edit], finding: dict[str, object], concepts: dict[str, Concept],
                  links: Iterable[Link], pages: set[str], style: str) -> None:
    """Link the first mention where the text can hold a link (a note's text), else add the target to related.

    In a one-page glossary (``pages``) a term on the same page is linked by its anchor, ``[mention](#id)``,
    as the page's renderer shows it. Elsewhere the link is written in ``style``: ``[[Title]]``
    (``[[Title|mention]]`` for an alias), or a Markdown link ``[mention](path/to/target.md)`` from
    the note to the target's file.
    """
    source, target, mention = str(finding["source"]), str(finding["target"]), str(finding["mention"])
    origin, title, goal = concepts[source].origin, concepts[target].title, concepts[target].origin
    line = finding.get("line")
    if origin is None:
        return
    if origin.file.endswith((".md", ".markdown")) and isinstance(line, int) and line > _front_matter_end(origin.file):
        if origin.file in pages and goal is not None and goal.file == origin.file:
            link = f"[{mention}](#{target})"
        elif style == "markdown" and goal is not None and goal.file != origin.file:
            link = f"[{mention}]({_note_path(origin.file, goal.file)})"
        else:
            link = f"[[{mention}]]" if normalise(mention) == normalise(title) else f"[[{title}|{mention}]]"
        edits.append(Edit("unlinked_mentions", source, origin.file, line, "mention", mention, link,
                          f"the first mention of {title!r} becomes a link"))
        return
    related = [k for k in links if k.kind == "related" and k.line is not None]
    if related:
        last = related[-1]
        edits.append(Edit("unlinked_mentions", source, origin.file, last.line or 0, "append", last.written, title,
                          f"{title!r} is mentioned in a field that holds no links: added to related"))


def _token_pattern(written: str) -> re.Pattern[str]:
    """The reference as a whole item on a line: not inside a longer word."""
    return re.compile(r"(?<![\w\-])" + re.escape(written) + r"(?![\w\-])")


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _wikilink_edit(line: str, edit: Edit) -> str | None:
    """The line with the ``[[wikilink]]`` to ``edit.written`` retargeted, or unlinked to its text."""
    for match in _WIKILINK.finditer(line):
        target, bar, label = match.group(1).partition("|")
        base, hash_, section = target.partition("#")
        if " ".join(base.split()) != edit.written:
            continue
        if edit.new is None:
            replacement = label if bar and label.strip() else base
        else:
            replacement = f"[[{edit.new}{hash_}{section}{bar}{label}]]"
        return line[: match.start()] + replacement + line[match.end():]
    return None


def _markdown_link_edit(line: str, edit: Edit) -> str | None:
    """The line with its one inline Markdown link to the note ``edit.written`` unlinked to its label, or pointed
    at ``edit.new``, in the style written (angle brackets, ``.md`` or not, ``#section``); None when not one such link.
    """
    visible = strip_code(line)  # the same length, code blanked: a link shown in code is no link
    found = [m for m in _MD_LINK.finditer(visible) if _stem(m.group("dest").strip("<>")) == edit.written]
    if len(found) != 1:
        return None
    match = found[0]
    if edit.new is None:
        return line[: match.start()] + line[match.start("label"): match.end("label")] + line[match.end():]
    dest = match.group("dest")
    bracketed = dest.startswith("<")
    path, hash_, section = dest.strip("<>").partition("#")
    if path.startswith("/") or path.endswith("/"):
        return None  # a site path (/terms/x/): the site's URL of the other note is not known here
    new = edit.new if path.lower().endswith((".md", ".markdown")) else edit.new.rsplit(".", 1)[0]
    new = f"<{unquote(new)}{hash_}{section}>" if bracketed else f"{new}{hash_}{section}"
    return line[: match.start("dest")] + new + line[match.end("dest"):]


def _append_edit(line: str, edit: Edit, is_json: bool, newline: str) -> str | None:
    """The line with ``edit.new`` added to the list after the entry ``edit.written``, in the list's style."""
    new = edit.new or ""
    if is_json:
        token = _json_string(edit.written)
        position = _json_element(line, token, last=True)
        if position is None:
            return None
        end = position + len(token)
        rest = line[end:].lstrip()
        if rest.startswith("]"):
            return line[:end] + ", " + _json_string(new) + line[end:]
        if not rest:  # an element alone on its line: the new one on a line of its own, indented alike
            indent = line[: len(line) - len(line.lstrip())]
            return line[:end] + "," + newline + indent + _json_string(new) + line[end:]
        return None
    written = _json_string(new) if _YAML_SPECIAL.search(new) else new
    item = re.match(r"^(\s*-\s+)(['\"]?)(.*?)\2\s*(#.*)?$", line)
    if item and item.group(3) in (edit.written, f"[[{edit.written}]]"):
        return line + newline + item.group(1) + written
    matches = list(_token_pattern(edit.written).finditer(line))
    if not matches:
        return None
    end = matches[-1].end()
    if line[end:end + 1] in ("'", '"'):
        end += 1
    if line[end:].lstrip().startswith("]"):
        return line[:end] + ", " + written + line[end:]
    return None


def _edit_line(line: str, edit: Edit, is_json: bool, newline: str = "\n") -> str | None:
    """The line (without its ending) with the edit made; "" to delete it; None when not found as expected."""
    if edit.kind == "append":
        return _append_edit(line, edit, is_json, newline)
    if edit.kind == "mention":
        # Where the mention finder would see it: not inside code or an existing link.
        offset = _find_word(strip_link_markup(line), edit.written)
        if offset < 0 or edit.new is None:
            return None
        return line[:offset] + edit.new + line[offset + len(edit.written):]
    if edit.kind == "wikilink":
        return _wikilink_edit(line, edit)
    if edit.kind == "markdown":
        return _markdown_link_edit(line, edit)
    last = edit.check == "duplicate_links"  # the later entry goes; the first stays where it was written
    if is_json:
        token = _json_string(edit.written)
        position = _json_element(line, token, last)
        if position is None:
            return None
        end = position + len(token)
        if edit.new is not None:
            return line[:position] + _json_string(edit.new) + line[end:]
        if not line[:position].strip() and line[end:].strip() in ("", ","):
            return ""  # an element alone on its line: the line goes (the caller mends a comma left before it)
        return _remove_item(line, position, end)
    # A YAML block list item holding just this reference: the line goes, or its text changes.
    item = re.match(r"^(\s*-\s+)(['\"]?)(.*?)\2\s*(#.*)?$", line)
    if item and item.group(3) in (edit.written, f"[[{edit.written}]]"):
        if edit.new is None:
            return ""
        if not item.group(2) and _YAML_SPECIAL.search(edit.new):
            return None
        start = item.start(3) + item.group(3).find(edit.written)
        return line[:start] + edit.new + line[start + len(edit.written):]
    matches = list(_token_pattern(edit.written).finditer(line))
    if not matches:
        return None
    start, end = matches[-1 if last else 0].span()
    opener = line[start - 1] if start > 0 else ""
    quoted = opener in ("'", '"') and line[end:end + 1] == opener
    if edit.new is not None:
        if not quoted and _YAML_SPECIAL.search(edit.new):
            return None
        return line[:start] + edit.new + line[end:]
    if opener == "[" and line[start - 2:start] == "[[":
        return None  # a wikilink written inside a front-matter list: left for a person
    if quoted:
        start, end = start - 1, end + 1
    return _remove_item(line, start, end)


def _json_element(line: str, token: str, last: bool) -> int | None:
    """Where ``token`` (a JSON string) stands as an array element on the line, not as a key or a value."""
    found = None
    position = line.find(token)
    while position >= 0:
        before, after = line[:position].rstrip(), line[position + len(token):].lstrip()
        if (not before or before[-1] in "[,") and (not after or after[0] in ",]"):
            found = position
            if not last:
                return found
        position = line.find(token, position + 1)
    return found


def _remove_item(line: str, start: int, end: int) -> str | None:
    """The line without the list item at [start, end) and one separator beside it (``,`` or ``;``)."""
    after = re.match(r"\s*[,;]\s*", line[end:])
    if after:
        return line[:start] + line[end + after.end():]
    before = re.search(r"\s*[,;]\s*$", line[:start])
    if before:
        return line[: before.start()] + line[end:]
    # The only item of a flow list ([x]) or of a field: leave an empty list.
    opening = line[:start].rstrip()
    closing = line[end:].lstrip()
    if opening.endswith("[") and closing.startswith("]"):
        return line[:start] + line[end:]
    return None


def plan_fixes(glossary: Glossary, checks: Iterable[str] | None = None, select: Selector | None = None) -> FixPlan:
    """The edits that repair the chosen fixable checks' findings (default: all four), per file.

    ``select(check, finding)`` narrows the repairs to some findings (the app fixes one at a time).
    """
    groups = finding_edits(glossary, checks)
    return plan_edits(glossary, [e for check, finding, edits in groups
                                 if select is None or select(check, finding) for e in edits])


def finding_edits(glossary: Glossary, checks: Iterable[str] | None = None) -> list[FindingEdits]:
    """Each finding of the chosen fixable checks (default: all four) with the edits that repair it.

    Computed once, this lets a caller plan the fix of any one finding without auditing again
    (``plan_edits`` with that finding's edits): the app's fix preview does so.
    """
    if glossary.format not in _FORMATS:
        raise UsageError(f"fix repairs Markdown, YAML, JSON and JSONL sources, not {glossary.format or 'this source'}")
    chosen = DEFAULT_FIXES
    if checks is not None:
        names = check_names(checks)
        unfixable = [c for c in names if c not in FIXABLE]
        if unfixable and names != check_names(None):
            raise UsageError(f"fix cannot repair {', '.join(unfixable)}; it repairs {', '.join(FIXABLE)}")
        chosen = tuple(c for c in FIXABLE if c in names)
    _root(glossary)
    return _edits(AuditData.from_glossary(glossary), chosen)


def _root(glossary: Glossary) -> Path:
    root = source_root(glossary.source, (c.origin.file for c in glossary if c.origin is not None))
    if root is None:
        raise UsageError("fix needs a file or folder source")
    return root


def plan_edits(glossary: Glossary, edits: Iterable[Edit]) -> FixPlan:
    """The files ``edits`` change, each read now and edited line by line (an edit that cannot be made is skipped)."""
    root = _root(glossary)
    starts: dict[str, list[int]] = {}
    for concept in glossary:
        if concept.origin is not None and concept.origin.line:
            starts.setdefault(concept.origin.file, []).append(concept.origin.line)
    for record_lines in starts.values():
        record_lines.sort()
    plans: dict[str, FilePlan] = {}
    lines_of: dict[str, list[str]] = {}
    appended: dict[tuple[str, int], str] = {}  # (file, line): the last entry an edit added to the list there
    for edit in sorted(edits, key=lambda e: (e.file, e.line)):
        plan = plans.get(edit.file)
        if plan is None:
            path = Path(edit.file)
            original = path.read_bytes()
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
            plan = plans[edit.file] = FilePlan(path, name, original, "")
            lines_of[edit.file] = original.decode("utf-8").splitlines(keepends=True)
        lines = lines_of[edit.file]
        is_json = plan.path.suffix.lower() in (".json", ".jsonl", ".ndjson")
        # Lines are exact but in a JSON file, where a reference carries its record's first line:
        # look from there to the next record.
        window = [edit.line]
        if plan.path.suffix.lower() == ".json":
            record_starts = starts.get(edit.file, [])
            after = bisect.bisect_right(record_starts, edit.line)
            window = list(range(edit.line, record_starts[after] if after < len(record_starts) else len(lines) + 1))
            if edit.check == "duplicate_links":
                window.reverse()
        for number in window:
            index = number - 1
            if not 0 <= index < len(lines):
                continue
            body = lines[index].rstrip("\r\n")
            ending = lines[index][len(body):]
            made, head, text = edit, "", body
            if edit.kind == "append" and (edit.file, number) in appended:
                # A second link added to the same list: it goes after the one added before it.
                made = replace(edit, written=appended[(edit.file, number)])
                cut = body.rfind("\n") + 1
                head, text = body[:cut], body[cut:]
            changed = _edit_line(text, made, is_json, ending or "\n")
            if changed is not None:
                if edit.kind == "append":
                    appended[(edit.file, number)] = edit.new or ""
                changed = head + changed if changed else changed
                # "" deletes a list item's whole line, ending included.
                lines[index] = changed + ending if changed else ""
                if not changed and is_json and not body.rstrip().endswith(","):
                    _drop_trailing_comma(lines, index)
                plan.made.append(edit)
                break
        else:
            plan.skipped.append((edit, "the reference is not written where fix can edit it safely"))
    for file, plan in plans.items():
        plan.text = "".join(lines_of[file])
    return FixPlan([plans[f] for f in sorted(plans)])


def _drop_trailing_comma(lines: list[str], index: int) -> None:
    """After the last element of a JSON array went, the comma that separated it from the one before goes."""
    for before in range(index - 1, -1, -1):
        body = lines[before].rstrip("\r\n")
        if body.strip():
            if body.rstrip().endswith(","):
                cut = body.rstrip()
                lines[before] = cut[:-1] + body[len(cut):] + lines[before][len(body):]
            return


def apply(plan: FixPlan) -> list[Path]:
    """Write each changed file atomically, only if it is unchanged since it was read; the paths written."""
    written: list[Path] = []
    for file in plan.changed:
        if file.path.read_bytes() != file.original:
            raise ModifiedError(f"{file.path}: changed since fix read it; nothing written to it (run fix again)")
        handle, temporary = tempfile.mkstemp(prefix=f".{file.path.name}.", dir=file.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(file.text.encode("utf-8"))
            os.chmod(temporary, file.path.stat().st_mode & 0o7777)
            os.replace(temporary, file.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(file.path)
    return written
