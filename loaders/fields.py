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
from graph.model import Concept, Origin, Reference, Source, Translation
from graph.text import parse_wikilink, slugify, strip_code, wikilinks
from graph.untrusted import clip
from loaders.io import node_line, parse_yaml, read_text, value_node

#: The concept fields a mapping can fill.
CONCEPT_FIELDS = (
    "id", "title", "definition", "body", "aliases", "categories",
    "level", "published", "sources", "related", "parents", "deprecated",
)

#: Other names a user may give a concept field in a mapping.
_FIELD_SYNONYMS = {
    "category": "categories", "alias": "aliases", "source": "sources", "parent": "parents", "broader": "parents",
}

#: Input names recognised by default, most specific first; nested paths last.
DEFAULT_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "slug", "key"),
    "title": ("title", "term", "name", "label", "prefLabel", "heading"),
    "definition": ("definition", "short_def", "short_definition", "summary", "description", "desc", "def"),
    "body": ("body", "content", "text", "long_description", "details"),
    "aliases": ("aliases", "alias", "synonyms", "also_known_as", "aka", "altLabels", "alternative_names"),
    # Obsidian and Hugo write ``tags``: categories when nothing more specific is there.
    "categories": ("categories", "category", "group", "domain", "topic", "tags"),
    "level": ("level", "difficulty"),
    "published": ("published", "publication_week", "week", "date"),
    "sources": ("sources", "source", "references", "citations"),
    "related": (
        "related", "related_terms", "related_concepts", "see_also", "links", "ref", "refs", "relationships.related",
    ),
    "parents": ("parents", "parent", "broader"),
    "deprecated": ("deprecated", "obsolete"),
}

_TEXT_FIELDS = ("id", "title", "definition", "body", "level", "published")
_LINK_FIELDS = ("definition", "body")
_NAME_KEYS = ("id", "target", "term", "title", "name", "label", "value")
_SOURCE_TITLE_KEYS = ("title", "name", "label", "text", "linktitle", "linktext", "caption", "citation")
_SOURCE_URL_KEYS = ("url", "href", "link", "uri", "linkurl", "linkhref", "doi")
#: Parts of other key names that say which half of a source a key holds (``ref_name``, ``source_url``).
_SOURCE_TITLE_PARTS = ("title", "name", "label", "text", "caption")
_SOURCE_URL_PARTS = ("url", "href", "link", "uri")
#: The concept fields a record cannot do without: a bad value there is an error, elsewhere a warning.
_REQUIRED = frozenset({"id", "title"})
_MD_LINK_RE = re.compile(r"^\[([^\]]+)\]\(\s*(\S+?)\s*\)$")
_URL_PREFIXES = ("http://", "https://", "www.", "ftp://", "doi:")
#: An inline Markdown link ``[label](target "title")`` (images, with a leading ``!``, are matched to be skipped).
_INLINE_LINK_RE = re.compile(r"(!?)\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^<>\n]*>|[^\s()]+)(?:\s+[^)\n]*)?\)")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Note extensions a link may name: the target is the note's path without them.
_NOTE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off", ""})
#: How many fields set aside are listed one by one, per input field; the rest are counted.
_MAX_WARNINGS = 20
#: A glossary whose records all have different keys would grow the plan cache without bound.
_MAX_PLANS = 2048
#: A key that may name a language block (``en``, ``de``, ``pt-BR``, ``zh_Hans``).
_LANG_KEY_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
#: The placeholder a mapping path may hold for the chosen language: ``title={lang}.term``.
LANG_PLACEHOLDER = "{lang}"
#: The language a multilingual record is read in when none is chosen (as for SKOS).
DEFAULT_LANG = "en"


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
        elif isinstance(item, date | datetime):
            # An alias such as 2020-01-01 is a name that YAML read as a date.
            item = item.isoformat()
        elif kind is dict:
            item = _name_of(item)
        else:
            raise _Bad("a list of names", item)
        if item:
            out.append(item)
    return tuple(out)


def _categories(raw: Any, sep: str, label_first: bool) -> tuple[str, ...]:
    names = _names(raw, sep, label_first)
    for name in names:
        if name[:1] == "#":
            break
    else:
        return names
    # Tags are often written as #tag: the hash is markup, not part of the name.
    return tuple([n for n in (name.lstrip("#").strip() for name in names) if n])


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
    """A source written as an object: the usual keys first, then any key whose name says title or URL.

    Jekyll themes write ``{link_title, link_url}``, others ``{name, href}`` or ``{text, link}``.
    """
    lowered = {key_form(str(k)): v for k, v in item.items() if isinstance(v, str | int | float) and str(v).strip()}
    title = next((str(lowered[k]).strip() for k in _SOURCE_TITLE_KEYS if k in lowered), "")
    url = next((str(lowered[k]).strip() for k in _SOURCE_URL_KEYS if k in lowered), "")
    if not url:
        url = next((str(v).strip() for k, v in lowered.items()
                    if any(p in k for p in _SOURCE_URL_PARTS) and not any(p in k for p in _SOURCE_TITLE_PARTS)), "")
    if not url:
        url = next((v.strip() for v in lowered.values() if isinstance(v, str) and v.strip().lower().startswith(
            _URL_PREFIXES)), "")
    if not title:
        title = next((str(v).strip() for k, v in lowered.items() if any(p in k for p in _SOURCE_TITLE_PARTS)
                      and str(v).strip() != url), "")
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


def _list_hint(name: str, written: str, raw: Any) -> str:
    """How to map a list of objects that shares a key (``related: [{uri: x}]``), for the warning about it."""
    if not isinstance(raw, list) or not raw or not all(isinstance(item, dict) and item for item in raw):
        return ""
    shared = [key for key in raw[0] if isinstance(key, str) and all(key in item for item in raw)]
    if not shared:
        return ""
    return f" (to read one key of each entry: --field {name}={written}[].{shared[0]})"


def _plain_data(raw: Any) -> Any:
    """A value set aside as an attribute, as JSON can hold it: dates as ISO text, keys as text."""
    if isinstance(raw, dict):
        return {str(key): _plain_data(value) for key, value in raw.items()}
    if isinstance(raw, list | tuple):
        return [_plain_data(item) for item in raw]
    if isinstance(raw, date | datetime):
        return raw.isoformat()
    return raw


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
    "aliases": _names, "categories": _categories, "related": _references, "sources": _sources, "deprecated": _flag,
    "parents": _references,
}


def _fast_reference() -> Any:
    """A Reference constructor that sets the slots directly: several times faster than the frozen
    dataclass ``__init__``, which matters at a million references. Falls back to the class itself
    if the model ever grows a field this does not know about."""
    if tuple(f.name for f in fields(Reference)) != ("target", "kind", "line", "relation"):
        return Reference
    new = object.__new__
    slots: Any = Reference
    set_target, set_kind, set_line = slots.target.__set__, slots.kind.__set__, slots.line.__set__
    set_relation = slots.relation.__set__

    def make(target: str, kind: str = "related", line: int | None = None) -> Reference:
        reference: Reference = new(Reference)
        set_target(reference, target)
        set_kind(reference, kind)
        set_line(reference, line)
        set_relation(reference, None)
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
            found.append(_reference(target, "markdown", line))
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
        # ``related[].uri``: the [] only says the value is a list; the walk maps the rest over any list it meets.
        parts = [p.removesuffix("[]") for p in written.split(".") if p and p != "[]"]
        whole = key_form(written.removesuffix("[]"))
        return cls(written, whole, key_form(parts[0]) if parts else "", tuple(parts[1:]))


# (concept field, the record's key, the nested path below it, the name as written for messages)
_Step = tuple[str, str, tuple[str, ...], str]


def _walk(value: Any, parts: tuple[str, ...]) -> Any:
    """The value at a nested path; through a list, the list of what each entry holds there (``related[].uri``)."""
    for index, part in enumerate(parts):
        if isinstance(value, list):
            found: list[Any] = []
            for item in value:
                inner = _walk(item, parts[index:])
                if isinstance(inner, list):
                    found.extend(inner)
                elif inner is not None and inner != "":
                    found.append(inner)
            return found or None
        value = _nested(value, part)
    return value


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
    _lang_keys: dict[tuple[Any, ...], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _by_lang: dict[str, FieldMapping] = field(default_factory=dict, repr=False)
    _uses_lang: bool = field(default=False, repr=False)
    _sources: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = field(default_factory=dict, repr=False)
    #: The explicitly mapped fields that found a value in some record, and what was set aside: shared
    #: with the per-language copies, read once per load by ``unmatched`` and ``warnings``.
    _matched: set[str] = field(default_factory=set, repr=False)
    _warnings: list[Problem] = field(default_factory=list, repr=False)
    _set_aside: dict[str, list[Any]] = field(default_factory=dict, repr=False)  # field as written: [count, file]

    def __post_init__(self) -> None:
        for name in CONCEPT_FIELDS:
            names = self.explicit.get(name) or DEFAULT_NAMES[name]
            self._candidates[name] = tuple(_Candidate.of(n) for n in names)
        self._uses_lang = any(LANG_PLACEHOLDER in p for paths in self.explicit.values() for p in paths)

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

    def uses_lang(self) -> bool:
        """True when a mapped path holds the ``{lang}`` placeholder."""
        return self._uses_lang

    def for_lang(self, lang: str | None) -> FieldMapping:
        """This mapping with ``{lang}`` replaced by a language (itself when no path holds the placeholder)."""
        if not self._uses_lang:
            return self
        if not lang:
            raise UsageError("the field mapping uses {lang}; choose a language with --lang (or the option lang)")
        mapping = self._by_lang.get(lang)
        if mapping is None:
            explicit = {k: tuple(p.replace(LANG_PLACEHOLDER, lang) for p in v) for k, v in self.explicit.items()}
            mapping = self._by_lang[lang] = FieldMapping(explicit, self.options, self.format)
            mapping._matched, mapping._warnings, mapping._set_aside = self._matched, self._warnings, self._set_aside
        return mapping

    def unmatched(self) -> list[str]:
        """The ``--field NAME=PATH`` pairs whose path found nothing in any record read so far."""
        return [f"{name}={' or '.join(self.explicit[name])}" for name in self.explicit if name not in self._matched]

    def warnings(self) -> list[Problem]:
        """The fields set aside as attributes (a shape the concept field cannot take), each at its file and line.

        The first _MAX_WARNINGS of each input field are listed; the rest of that field are one line.
        """
        summary = [
            Problem(str(file), None, f"field {clip(written)}: {count - _MAX_WARNINGS:,} more values set aside "
                    "the same way (not listed)")
            for written, (count, file) in self._set_aside.items() if count > _MAX_WARNINGS
        ]
        return [*self._warnings, *summary]

    def _language_keys(self, record: Mapping[str, Any], keys: tuple[Any, ...]) -> tuple[str, ...]:
        """The keys of a record that hold a per-language block (``en: {term, def}``), cached per key set."""
        names = self._lang_keys.get(keys)
        if names is None:
            if len(self._lang_keys) >= _MAX_PLANS:
                self._lang_keys.clear()
            names = self._lang_keys[keys] = tuple(
                k for k in keys if isinstance(k, str) and _LANG_KEY_RE.match(k) and key_form(k) not in _ALL_NAMES
            )
        return tuple(k for k in names if type(record[k]) is dict)

    def _split_languages(
        self, record: Mapping[str, Any], blocks: tuple[str, ...], lang: str | None, file: str, line: int | None,
        separator: str, label_first: bool,
    ) -> tuple[FieldMapping, dict[str, Any], tuple[Translation, ...]]:
        """The mapping and record to read in the chosen language, and the other languages as translations.

        The chosen block's fields are read as if they stood at the top level (so ``term`` and ``def``
        inside ``en:`` are the title and definition); with no block in the chosen language
        (subtags match: "en" takes "en-GB"), the first language in sorted order is used.
        """
        wanted = (lang or DEFAULT_LANG).lower().replace("_", "-")

        def tag(key: str) -> str:
            return key.lower().replace("_", "-")

        chosen = next((k for k in blocks if tag(k) == wanted), None) or next(
            (k for k in sorted(blocks) if tag(k).startswith(wanted + "-")), None) or sorted(blocks)[0]
        translations = []
        for key in sorted(blocks, key=tag):
            if key == chosen:
                continue
            values = self.for_lang(key).extract({**record, **record[key]}, file, line, separator=separator,
                                                label_first=label_first)
            title = values.get("title")
            if title:
                translations.append(Translation(tag(key), title, values.get("definition", ""),
                                                values.get("aliases", ())))
        return self.for_lang(chosen), {**record, **record[chosen]}, tuple(translations)

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

    def source_keys(self, record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """(concept field, the key of ``record`` that feeds it as a whole) for each field the record fills."""
        keys = tuple(record)
        found = self._sources.get(keys)
        if found is None:
            if len(self._sources) >= _MAX_PLANS:
                self._sources.clear()
            plan = self._plans.get(keys) or self._plan(keys)
            found = self._sources[keys] = tuple((name, key) for name, key, rest, _written in plan if not rest)
        return found

    def source_key(self, record: Mapping[str, Any], name: str) -> str | None:
        """The key of ``record`` that feeds the concept field ``name`` (None when none does)."""
        return next((key for field_name, key in self.source_keys(record) if field_name == name), None)

    def key_of(self, record: Mapping[str, Any], name: str) -> str | None:
        """The record's key that feeds concept field ``name`` whole (None when none does, or through a nested path)."""
        return self.source_key(record, name)

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
        explicit = self.explicit
        for name, key, rest, written in plan:
            raw = record[key]
            if rest:
                raw = _walk(raw, rest)
            if raw is None or raw == "":
                continue
            if explicit and name in explicit:
                self._matched.add(name)
            try:
                value: Any = _CONVERTERS[name](raw, separator, label_first)
            except _Bad as bad:
                found = value_node(node, key)
                where = node_line(found[0]) if found else line
                mapped = "" if key_form(written) == name else f" (the concept's {name})"
                if name in _REQUIRED:
                    raise LoadError(Problem(file, where, f"field {clip(written)}{mapped} {bad}")) from None
                # An optional field in a shape the concept cannot take is set aside, not a reason to drop it.
                values.setdefault("attributes", {})[written] = _plain_data(raw)
                seen = self._set_aside.setdefault(written, [0, file])
                seen[0], seen[1] = seen[0] + 1, file
                if seen[0] <= _MAX_WARNINGS:
                    message = f"field {clip(written)}{mapped} {bad}; kept as an attribute"
                    self._warnings.append(Problem(file, where, message + _list_hint(name, written, raw)))
                continue
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
        lang: str | None = None,
    ) -> Concept:
        """The Concept a record describes; [[wikilinks]] and Markdown links in its definition and body are links.

        A record with per-language blocks is read in ``lang`` and keeps the other languages as translations.
        """
        blocks = self._language_keys(record, tuple(record))
        if blocks:
            mapping, view, translations = self._split_languages(record, blocks, lang, file, line, separator,
                                                                label_first)
            values = mapping.extract(view, file, line, separator=separator, label_first=label_first)
        else:
            translations = ()
            values = self.for_lang(lang).extract(record, file, line, separator=separator, label_first=label_first,
                                                 node=node)
        inline: list[Reference] = []
        for name in _LINK_FIELDS:
            text = values.get(name)
            if text and "[[" in text:
                inline.extend(text_references(text, line, label_first))
            if text and "](" in text:
                inline.extend(markdown_links(text, line))
        concept = self.make_concept(values, file, line, inline=inline, path=path)
        if translations:
            concept.translations = translations
        return concept

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
            parents=tuple([make(target, "related", line) for target in values.get("parents", ())]),
            deprecated=values.get("deprecated", False),
            attributes=dict(values.get("attributes", {})),
            path=path,
            origin=Origin(file, line),
        )


#: Every input name recognised by default, in key form: such a key is a field, never a language block.
_ALL_NAMES = frozenset(key_form(n.split(".")[0]) for names in DEFAULT_NAMES.values() for n in names)


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
