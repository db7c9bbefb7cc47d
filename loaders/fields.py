"""Field mapping: how a raw record (a JSON or YAML object, a CSV row, front matter) becomes a Concept.

Common field names are recognised by default, compared without case, spaces, hyphens or
underscores (``short_def``, ``Short Def`` and ``shortDef`` are one name). The user maps any
concept field to an input field, nested ones by dotted path (``related=relationships.related``),
on the command line or in a small YAML config file; an explicit mapping replaces the defaults
for that field.
"""

from __future__ import annotations

__all__ = [
    "CONCEPT_FIELDS",
    "DEFAULT_NAMES",
    "FieldMapping",
    "describe",
    "key_form",
    "markdown_links",
    "text_references",
]

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from graph.errors import LoadError, Problem, UsageError
from graph.model import Concept, Origin, Reference, Source
from graph.text import parse_wikilink, slugify, strip_code, wikilinks
from graph.untrusted import clip
from loaders.io import node_line, parse_yaml, read_text, value_node

#: The concept fields a mapping can fill.
CONCEPT_FIELDS = (
    "id", "title", "definition", "body", "aliases", "categories",
    "level", "published", "sources", "related", "deprecated",
)

#: Other names a user may give a concept field in a mapping.
_FIELD_SYNONYMS = {"category": "categories", "alias": "aliases", "source": "sources"}

#: Input names recognised by default, most specific first; nested paths last.
DEFAULT_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "slug", "key"),
    "title": ("title", "term", "name", "label", "prefLabel", "heading"),
    "definition": ("definition", "short_def", "short_definition", "summary", "description", "desc", "def"),
    "body": ("body", "content", "text", "long_description", "details"),
    "aliases": ("aliases", "alias", "synonyms", "also_known_as", "aka", "altLabels", "alternative_names"),
    "categories": ("categories", "category", "group", "domain", "topic"),
    "level": ("level", "difficulty"),
    "published": ("published", "publication_week", "week", "date"),
    "sources": ("sources", "source", "references", "citations"),
    "related": (
        "related", "related_terms", "related_concepts", "see_also", "links", "relationships.related",
    ),
    "deprecated": ("deprecated", "obsolete"),
}

_TEXT_FIELDS = ("id", "title", "definition", "body", "level", "published")
_LINK_FIELDS = ("definition", "body")
_NAME_KEYS = ("id", "target", "term", "title", "name", "label", "value")
_SOURCE_TITLE_KEYS = ("title", "name", "label", "text")
_SOURCE_URL_KEYS = ("url", "href", "link", "uri")
_MD_LINK_RE = re.compile(r"^\[([^\]]+)\]\(\s*(\S+?)\s*\)$")
_URL_PREFIXES = ("http://", "https://", "www.", "ftp://", "doi:")
#: An inline Markdown link ``[label](target "title")`` (images, with a leading ``!``, are matched to be skipped).
_INLINE_LINK_RE = re.compile(r"(!?)\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^<>\n]*>|[^\s()]+)(?:\s+[^)\n]*)?\)")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Note extensions a link may name: the target is the note's path without them.
_NOTE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off", ""})
#: A glossary whose records all have different keys would grow the plan cache without bound.
_MAX_PLANS = 2048


def key_form(name: str) -> str:
    """The form field names are compared in: lower case, no spaces, hyphens or underscores.

    >>> key_form("Also-Known As"), key_form("altLabels")
    ('alsoknownas', 'altlabels')
    """
    return name.lower().replace("_", "").replace("-", "").replace(" ", "")


def describe(value: Any) -> str:
    """A short description of a bad value for an error message.

    >>> describe(3), describe(["a", "b"])
    ('the number 3', "a list ['a', 'b']")
    """
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {clip(value)}"
    # Never the whole value: an alias bomb's repr alone would take minutes and gigabytes.
    text = clip(value, 60)
    if isinstance(value, dict):
        return f"an object {text}"
    if isinstance(value, list | tuple):
        return f"a list {text}"
    return text


class _Bad(Exception):
    """A value of the wrong type; the caller adds the file, line and field name."""

    def __init__(self, expected: str, value: Any):
        super().__init__(f"must be {expected}, got {describe(value)}")


def _text(raw: Any, _sep: str, _label_first: bool) -> str:
    kind = type(raw)
    if kind is str:
        stripped: str = raw.strip()
        return stripped
    if kind is int or kind is float:
        return str(raw)
    if isinstance(raw, date | datetime):
        return raw.isoformat()
    raise _Bad("text", raw)


def _date_text(raw: Any, sep: str, label_first: bool) -> str | None:
    # Jekyll, Hugo and Dendron write ``published: true`` as a flag: that is no publication date.
    if isinstance(raw, bool):
        return None
    return _text(raw, sep, label_first)


def _name_of(item: dict[str, Any]) -> str:
    lowered = {key_form(str(k)): v for k, v in item.items()}
    for key in _NAME_KEYS:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    raise _Bad("a list of names", item)


def _names(raw: Any, sep: str, _label_first: bool) -> tuple[str, ...]:
    kind = type(raw)
    if kind is str:
        items: Sequence[Any] = raw.split(sep) if sep in raw else (raw,)
    elif kind is list or kind is tuple:
        items = raw
    else:
        raise _Bad(f"a list (or text separated by {clip(sep)})", raw)
    try:
        # The common case, every entry text, in one comprehension; anything else takes the slow path.
        return tuple([name for name in [item.strip() for item in items] if name])
    except AttributeError:
        pass
    out: list[str] = []
    for item in items:
        kind = type(item)
        if kind is str:
            item = item.strip()
        elif kind is int or kind is float:
            item = str(item)
        elif kind is dict:
            item = _name_of(item)
        else:
            raise _Bad("a list of names", item)
        if item:
            out.append(item)
    return tuple(out)


def _references(raw: Any, sep: str, label_first: bool) -> tuple[str, ...]:
    names = _names(raw, sep, label_first)
    for name in names:
        if name[:2] == "[[":
            break
    else:
        return names
    # Obsidian users write related: ["[[RAG]]"] in front matter: the link markup is not the name.
    unwrapped = [parse_wikilink(n[2:-2], label_first) if n[:2] == "[[" and n[-2:] == "]]" else n for n in names]
    return tuple([n for n in unwrapped if n])


def _source_from_text(text: str) -> Source | None:
    text = text.strip()
    if not text:
        return None
    match = _MD_LINK_RE.match(text)
    if match:
        return Source(match.group(1).strip(), match.group(2))
    if text.lower().startswith(_URL_PREFIXES):
        return Source(text, text)
    return Source(text)


def _source_from_dict(item: dict[str, Any]) -> Source:
    lowered = {key_form(str(k)): v for k, v in item.items()}
    title = next((str(lowered[k]).strip() for k in _SOURCE_TITLE_KEYS if lowered.get(k)), "")
    url = next((str(lowered[k]).strip() for k in _SOURCE_URL_KEYS if lowered.get(k)), "")
    if not title and not url:
        raise _Bad("a list of sources with a title or url", item)
    return Source(title or url, url)


def _sources(raw: Any, sep: str, _label_first: bool) -> tuple[Source, ...]:
    if isinstance(raw, str):
        items: Sequence[Any] = raw.split(sep)
    elif isinstance(raw, dict):
        items = (raw,)
    elif isinstance(raw, list | tuple):
        items = raw
    else:
        raise _Bad("a list of sources", raw)
    out: list[Source] = []
    for item in items:
        if isinstance(item, str):
            source = _source_from_text(item)
            if source is not None:
                out.append(source)
        elif isinstance(item, dict):
            out.append(_source_from_dict(item))
        else:
            raise _Bad("a list of sources (text or {title, url})", item)
    return tuple(out)


def _flag(raw: Any, _sep: str, _label_first: bool) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    if type(raw) is int and raw in (0, 1):
        return bool(raw)
    raise _Bad("true or false", raw)


_CONVERTERS = {
    "id": _text, "title": _text, "definition": _text, "body": _text, "level": _text, "published": _date_text,
    "aliases": _names, "categories": _names, "related": _references, "sources": _sources, "deprecated": _flag,
}


def _fast_reference() -> Any:
    """A Reference constructor that sets the slots directly: several times faster than the frozen
    dataclass ``__init__``, which matters at a million references. Falls back to the class itself
    if the model ever grows a field this does not know about."""
    if tuple(f.name for f in fields(Reference)) != ("target", "kind", "line"):
        return Reference
    new = object.__new__
    slots: Any = Reference
    set_target, set_kind, set_line = slots.target.__set__, slots.kind.__set__, slots.line.__set__

    def make(target: str, kind: str = "related", line: int | None = None) -> Reference:
        reference: Reference = new(Reference)
        set_target(reference, target)
        set_kind(reference, kind)
        set_line(reference, line)
        return reference

    return make


_reference: Callable[[str, str, int | None], Reference] = _fast_reference()


def text_references(text: str, line: int | None, label_first: bool = False) -> list[Reference]:
    """The inline [[wikilinks]] of a text as references (embeds and ``dendron://`` links left out)."""
    return [
        Reference(target, "wikilink", line)
        for target, _line, embed in wikilinks(text, label_first)
        if not embed and not target.startswith("dendron://")
    ]


def markdown_links(text: str, line: int | None) -> list[Reference]:
    """The inline Markdown links of a text that lead to another concept, as references.

    ``[mean](#mean)`` names a concept by its anchor (an id or slug); ``[x](other.md)`` and
    ``[x](../notes/other.md#part)`` name a note by its path without the extension. Links to other
    sites (any ``scheme:``), images and links inside code are not references.

    >>> [r.target for r in markdown_links("A [mean](#mean), [x](notes/other.md#a) and [w](https://w.org).", 1)]
    ['mean', 'notes/other']
    """
    found: list[Reference] = []
    for match in _INLINE_LINK_RE.finditer(strip_code(text) if "`" in text else text):
        href = match.group(2).strip("<>").strip()
        if match.group(1) or not href or _SCHEME_RE.match(href) or href.startswith("//"):
            continue
        path, _, anchor = unquote(href).partition("#")
        if not path:
            target = anchor.strip()
        else:
            path = path.split("?", 1)[0]
            if path.lower().endswith(_NOTE_SUFFIXES):
                path = path.rsplit(".", 1)[0]
            # Relative steps say where the note is from here, not which note it is.
            target = "/".join(p for p in posixpath.normpath(path).split("/") if p not in ("", ".", ".."))
        if target:
            found.append(_reference(target, "wikilink", line))
    return found


def canonical_field(name: str) -> str | None:
    """The concept field a user's name means (``category`` is ``categories``), or None."""
    form = key_form(name)
    form = _FIELD_SYNONYMS.get(form, form)
    return form if form in CONCEPT_FIELDS else None


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One input name tried for a concept field: the whole name, and its dotted parts."""

    written: str
    whole: str
    first: str
    rest: tuple[str, ...]

    @classmethod
    def of(cls, written: str) -> _Candidate:
        parts = [p for p in written.split(".") if p]
        return cls(written, key_form(written), key_form(parts[0]) if parts else "", tuple(parts[1:]))


# (concept field, the record's key, the nested path below it, the name as written for messages)
_Step = tuple[str, str, tuple[str, ...], str]


def _nested(value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        return None
    if name in value:
        return value[name]
    wanted = key_form(name)
    for key, child in value.items():
        if isinstance(key, str) and key_form(key) == wanted:
            return child
    return None


@dataclass
class FieldMapping:
    """Which input field feeds which concept field, plus loader options and a format from a config file.

    >>> mapping = FieldMapping.build({"related": "relationships.related"})
    >>> c = mapping.concept({"Term": "RAG", "relationships": {"related": ["LLM"]}}, "g.json", 3)
    >>> (c.id, c.title, [r.target for r in c.related], str(c.origin))
    ('rag', 'RAG', ['LLM'], 'g.json:3')
    """

    explicit: dict[str, tuple[str, ...]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    format: str | None = None
    _candidates: dict[str, tuple[_Candidate, ...]] = field(default_factory=dict, repr=False)
    _plans: dict[tuple[Any, ...], tuple[_Step, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name in CONCEPT_FIELDS:
            names = self.explicit.get(name) or DEFAULT_NAMES[name]
            self._candidates[name] = tuple(_Candidate.of(n) for n in names)

    @classmethod
    def build(
        cls, fields: Mapping[str, str] | None = None, fields_config: str | Path | None = None
    ) -> FieldMapping:
        """A mapping from ``--field NAME=PATH`` pairs and a YAML config file; the pairs win."""
        explicit: dict[str, tuple[str, ...]] = {}
        options: dict[str, Any] = {}
        fmt: str | None = None
        if fields_config is not None:
            explicit, options, fmt = _read_config(Path(fields_config))
        for name, path in (fields or {}).items():
            canonical = canonical_field(name)
            if canonical is None:
                raise UsageError(
                    f"unknown concept field {clip(name)} in --field; the fields are: {', '.join(CONCEPT_FIELDS)}"
                )
            if not isinstance(path, str) or not path.strip():
                raise UsageError(f"--field {name} needs an input field name, got {clip(path)}")
            explicit[canonical] = (path.strip(),)
        return cls(explicit, options, fmt)

    def looked_for(self, name: str) -> str:
        """The input names tried for a concept field, for messages."""
        return ", ".join(c.written for c in self._candidates[name])

    def _plan(self, keys: Iterable[Any]) -> tuple[_Step, ...]:
        forms: dict[str, str] = {}
        for key in keys:
            if isinstance(key, str):
                forms.setdefault(key_form(key), key)
        claimed = {
            c.whole if c.whole in forms else c.first
            for name in self.explicit
            for c in self._candidates[name]
        }
        steps: list[_Step] = []
        for name in CONCEPT_FIELDS:
            is_explicit = name in self.explicit
            for cand in self._candidates[name]:
                rest: tuple[str, ...]
                if cand.whole in forms:
                    form, rest = cand.whole, ()
                elif cand.rest and cand.first in forms:
                    form, rest = cand.first, cand.rest
                else:
                    continue
                if not is_explicit and form in claimed:
                    continue
                steps.append((name, forms[form], rest, cand.written if rest else forms[form]))
                break
        return tuple(steps)

    def key_of(self, record: Mapping[str, Any], name: str) -> str | None:
        """The record's key that feeds concept field ``name`` (None when none does, or through a nested path)."""
        for field_name, key, rest, _written in self._plan(tuple(record)):
            if field_name == name:
                return None if rest else key
        return None

    def extract(
        self,
        record: Mapping[str, Any],
        file: str,
        line: int | None,
        *,
        separator: str = ";",
        label_first: bool = False,
        node: yaml.Node | None = None,
    ) -> dict[str, Any]:
        """The typed concept fields found in a record (``related_lines``: the line of each related entry, YAML only).

        Raises LoadError naming the file, the line (of the key when ``node`` is the record's YAML
        node, else of the record), the input field and the bad value.
        """
        keys = tuple(record)
        plan = self._plans.get(keys)
        if plan is None:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            plan = self._plans[keys] = self._plan(keys)
        values: dict[str, Any] = {}
        for name, key, rest, written in plan:
            raw = record[key]
            for part in rest:
                raw = _nested(raw, part)
            if raw is None or raw == "":
                continue
            try:
                value: Any = _CONVERTERS[name](raw, separator, label_first)
            except _Bad as bad:
                found = value_node(node, key)
                where = node_line(found[0]) if found else line
                mapped = "" if key_form(written) == name else f" (the concept's {name})"
                raise LoadError(Problem(file, where, f"field {clip(written)}{mapped} {bad}")) from None
            if value is None:
                continue
            if node is not None and name == "related":
                values["related_lines"] = _item_lines(node, key, rest, len(value), line)
            values[name] = value
        return values

    def concept(
        self,
        record: Mapping[str, Any],
        file: str,
        line: int | None,
        *,
        separator: str = ";",
        label_first: bool = False,
        node: yaml.Node | None = None,
        path: str | None = None,
    ) -> Concept:
        """The Concept a record describes; [[wikilinks]] and Markdown links in its definition and body are links."""
        values = self.extract(record, file, line, separator=separator, label_first=label_first, node=node)
        inline: list[Reference] = []
        for name in _LINK_FIELDS:
            text = values.get(name)
            if text and "[[" in text:
                inline.extend(text_references(text, line, label_first))
            if text and "](" in text:
                inline.extend(markdown_links(text, line))
        return self.make_concept(values, file, line, inline=inline, path=path)

    def make_concept(
        self,
        values: Mapping[str, Any],
        file: str,
        line: int | None,
        *,
        inline: Sequence[Reference] = (),
        path: str | None = None,
    ) -> Concept:
        """Assemble a Concept from extracted values: id falls back to the slug of the title, title to the id."""
        concept_id = values.get("id")
        title = values.get("title")
        if not concept_id and not title:
            raise LoadError(Problem(
                file, line,
                f"the record has neither an id nor a title (looked for {self.looked_for('id')}, "
                f"{self.looked_for('title')})",
            ))
        make = _reference
        targets = values.get("related", ())
        lines = values.get("related_lines")
        if lines is None:
            related = tuple([make(target, "related", line) for target in targets])
        else:
            related = tuple([make(target, "related", at) for target, at in zip(targets, lines, strict=True)])
        if inline:
            related += tuple(inline)
        return Concept(
            id=concept_id or slugify(title or ""),
            title=title or concept_id or "",
            definition=values.get("definition", ""),
            body=values.get("body", ""),
            aliases=values.get("aliases", ()),
            categories=values.get("categories", ()),
            level=values.get("level") or None,
            published=values.get("published") or None,
            sources=values.get("sources", ()),
            related=related,
            deprecated=values.get("deprecated", False),
            path=path,
            origin=Origin(file, line),
        )


def _item_lines(
    node: yaml.Node | None, key: str, rest: tuple[str, ...], count: int, line: int | None
) -> list[int | None]:
    """The line of each entry of a list value when the record came from YAML, else the record's line."""
    found = value_node(node, key) if not rest else None
    if found is not None:
        key_node, value = found
        if isinstance(value, yaml.SequenceNode) and len(value.value) == count:
            return [node_line(item) for item in value.value]
        return [node_line(key_node)] * count
    return [line] * count


def _read_config(path: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, Any], str | None]:
    """The field mapping, loader options and format of a YAML config file."""
    file = str(path)
    if not path.is_file():
        raise LoadError(Problem(file, None, "no such field mapping file"))
    data, node = parse_yaml(read_text(path), file)
    if data is None:
        return {}, {}, None
    if not isinstance(data, dict):
        raise LoadError(Problem(file, node_line(node), f"a field mapping file must be a mapping, got {describe(data)}"))

    def line_of(key: str, parent: yaml.Node | None = node) -> int | None:
        found = value_node(parent, key)
        return node_line(found[0]) if found else None

    allowed = ("fields", "format", "options")
    for key in data:
        if key not in allowed:
            raise LoadError(Problem(file, line_of(str(key)), f"unknown key {clip(key)}; expected {', '.join(allowed)}"))
    fmt = data.get("format")
    if fmt is not None and not isinstance(fmt, str):
        raise LoadError(Problem(file, line_of("format"), f"format must be a format name, got {describe(fmt)}"))
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise LoadError(Problem(file, line_of("options"), f"options must be a mapping, got {describe(options)}"))
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        raise LoadError(Problem(file, line_of("fields"), f"fields must be a mapping, got {describe(fields)}"))
    fields_node = value_node(node, "fields")
    explicit: dict[str, tuple[str, ...]] = {}
    for name, paths in fields.items():
        where = line_of(str(name), fields_node[1] if fields_node else None)
        canonical = canonical_field(str(name))
        if canonical is None:
            raise LoadError(Problem(
                file, where, f"unknown concept field {clip(name)}; the fields are: {', '.join(CONCEPT_FIELDS)}"
            ))
        choices = [paths] if isinstance(paths, str) else paths
        if not isinstance(choices, list) or not choices or not all(isinstance(p, str) and p.strip() for p in choices):
            raise LoadError(Problem(
                file, where, f"field {clip(name)} must name an input field (or a list of them), got {describe(paths)}"
            ))
        explicit[canonical] = tuple(p.strip() for p in choices)
    return explicit, {str(k): v for k, v in options.items()}, fmt
