"""Load an OBO ontology (``.obo``, or any file whose header starts with ``format-version:``) as a glossary.

Parsed with fastobo, the maintained OBO 1.4 parser (a Rust syntax tree; pronto builds on it). Its
syntax tree keeps every clause as written and, unlike pronto's object model, accepts ``is_a`` and
``relationship`` targets that the file does not declare (terms imported from other ontologies),
which become broken links here instead of failing the whole load.

Mapping (see docs/formats.md):
- every ``[Term]`` is a concept, its id the term's id as written (``GO:0008150``); ``[Typedef]``
  and ``[Instance]`` frames are not concepts;
- ``name`` → title (the id when there is none), ``def`` → definition, every ``synonym`` (any
  scope) → aliases, ``xref`` → sources;
- ``is_a`` → parents (broader links); ``relationship: R X`` → a related reference to X with
  ``relation`` R (one reference per relation and target, in the order written);
- ``subset`` → categories (the subset's description from the header's ``subsetdef``, else its name);
- ``is_obsolete: true`` → deprecated, ``replaced_by`` → replaced_by.
"""

from __future__ import annotations

__all__ = ["is_obo", "load_obo"]

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import LoadError, Problem
from graph.model import Concept, Glossary, Origin, Reference, Source
from loaders import Progress
from loaders.io import Collector, check_options, read_text, refuse_field_mapping

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

_HEADER_RE = re.compile(rb"\A(?:\xef\xbb\xbf)?format-version:[ \t]*\S")
_TERM_ID_RE = re.compile(r"^\[Term\][ \t]*\n(?:[ \t]*(?:!.*)?\n)*id:[ \t]*(\S+)", re.MULTILINE)
_URL_PREFIXES = ("http://", "https://")


def is_obo(path: Path) -> bool:
    """True for a file that starts with an OBO header's ``format-version:`` clause (any file ending)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return _HEADER_RE.match(handle.read(4096)) is not None
    except OSError:
        return False


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def load_obo(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load an OBO file: its [Term] frames as concepts, is_a as broader links."""
    import fastobo

    check_options("obo", options, ())
    refuse_field_mapping("obo", mapping)
    text = read_text(path, max_file_size)
    try:
        document = fastobo.loads(text)
    except SyntaxError as error:
        raise LoadError(Problem(str(path), error.lineno, f"invalid OBO: {error.msg}"[:300])) from None
    except (ValueError, TypeError) as error:  # fastobo reports some clause errors as these
        raise LoadError(Problem(str(path), None, f"invalid OBO: {error}"[:300])) from None
    subsets = {
        _text(clause.subset): _text(clause.description)
        for clause in document.header
        if type(clause).__name__ == "SubsetdefClause"
    }
    lines = {match.group(1): text.count("\n", 0, match.start()) + 1 for match in _TERM_ID_RE.finditer(text)}
    frames = [frame for frame in document if type(frame).__name__ == "TermFrame"]
    collector = Collector(path, "obo", lenient, progress)
    for number, frame in enumerate(frames):
        collector.add(_concept(frame, subsets, Origin(str(path), lines.get(str(frame.id)))))
        collector.tick(number + 1, len(frames))
    return collector.glossary()


def _concept(frame: Any, subsets: dict[str, str], origin: Origin) -> Concept:
    """The concept one [Term] frame describes."""
    concept_id = str(frame.id)
    title = definition = ""
    aliases: list[str] = []
    categories: list[str] = []
    sources: list[Source] = []
    parents: list[str] = []
    related: list[Reference] = []
    deprecated = False
    replaced_by: str | None = None
    for clause in frame:
        kind = type(clause).__name__
        if kind == "NameClause":
            title = _text(clause.name)
        elif kind == "DefClause":
            definition = _text(clause.definition)
        elif kind == "SynonymClause":
            aliases.append(_text(clause.synonym.desc))
        elif kind == "XrefClause":
            xref = _text(clause.xref.id)
            sources.append(Source(xref, xref if xref.startswith(_URL_PREFIXES) else ""))
        elif kind == "IsAClause":
            parents.append(str(clause.term))
        elif kind == "RelationshipClause":
            related.append(Reference(str(clause.term), line=origin.line, relation=str(clause.typedef)))
        elif kind == "SubsetClause":
            name = str(clause.subset)
            categories.append(subsets.get(name) or name)
        elif kind == "IsObsoleteClause":
            deprecated = bool(clause.obsolete)
        elif kind == "ReplacedByClause" and replaced_by is None:
            replaced_by = str(clause.term)
    title = title or concept_id
    return Concept(
        id=concept_id,
        title=title,
        definition=definition,
        aliases=tuple(dict.fromkeys(a for a in aliases if a and a != title)),
        categories=tuple(dict.fromkeys(categories)),
        sources=tuple(dict.fromkeys(sources)),
        related=tuple(dict.fromkeys(related)),
        parents=tuple(Reference(target, line=origin.line) for target in dict.fromkeys(parents)),
        deprecated=deprecated,
        replaced_by=replaced_by,
        origin=origin,
    )
