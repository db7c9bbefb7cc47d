"""Load a SKOS thesaurus (Turtle, RDF/XML, N-Triples, N3 via rdflib) as a glossary.

Mapping (see docs/formats.md):
- every ``skos:Concept`` is a concept; its id is the slug of the URI's local name (the part after
  the last ``#`` or ``/``), so links point at ids, never at labels that may be ambiguous;
- ``prefLabel`` → title, ``altLabel`` and ``hiddenLabel`` → aliases, ``definition`` → definition
  (falling back to ``scopeNote``), the other notes (scopeNote, example, note) → body;
- ``related`` → related references (by the target's id), in id order; ``broader`` → a related
  reference to the broader concept too, so intermediate levels of the hierarchy stay visible;
- categories: a top concept (``topConceptOf`` or listed by ``hasTopConcept``) names a category;
  a concept's category is the label of the nearest top concept(s) up its ``broader`` chain (a top
  concept is in its own category); ``broader`` between top concepts is the category hierarchy;
- ``owl:deprecated true`` → deprecated; ``dct:source`` → sources.
Language: literals tagged ``lang`` (default "en", subtags match: "en" takes "en-GB") are used
first, then untagged ones, then any language (in sorted order), per property.
"""

from __future__ import annotations

__all__ = ["SKOS_EXTENSIONS", "is_skos_xml", "load_skos"]

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from graph.errors import LoadError, Problem
from graph.model import Concept, Glossary, Origin, Reference, Source
from graph.text import slugify
from graph.untrusted import clip, refuse_lone_surrogates, refuse_xml_entities
from loaders import Progress
from loaders.io import Collector, check_options, read_text, refuse_field_mapping

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

#: rdflib parser per file ending.
SKOS_EXTENSIONS = {".ttl": "turtle", ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".skos": "xml", ".nt": "nt",
                   ".n3": "n3"}
_SKOS_NS = b"http://www.w3.org/2004/02/skos/core#"
_LINE_RE = re.compile(r"line[ :]*(\d+)", re.IGNORECASE)
_POSITION_RE = re.compile(r"^\S*?:(\d+):\d+:\s*")  # "file:line:column: message" from the SAX parser
_NOTES = (SKOS.scopeNote, SKOS.example, SKOS.note)


def is_skos_xml(path: Path) -> bool:
    """True for an .xml file that uses the SKOS namespace (other .xml files are not claimed)."""
    if not path.is_file() or path.suffix.lower() != ".xml":
        return False
    try:
        with path.open("rb") as handle:
            return _SKOS_NS in handle.read(16384)
    except OSError:
        return False


def _local_name(uri: str) -> str:
    return re.split(r"[#/]", uri.rstrip("#/"))[-1] or uri


def _id_of(uri: str) -> str:
    """The id of a concept URI: its local name as a slug, CamelCase split into words.

    >>> _id_of("http://example.org/t/LargeLanguageModel"), _id_of("http://example.org/t#c_42")
    ('large-language-model', 'c-42')
    """
    return slugify(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", _local_name(uri)))


def _tier(literal: Literal, lang: str | None) -> int:
    """0: the chosen language, 1: no language, 2: any other."""
    tag = (literal.language or "").lower()
    if lang and tag and (tag == lang or tag.startswith(lang + "-")):
        return 0
    return 1 if not tag else 2


def _texts(
    graph: Graph, subject: Node, predicates: Iterable[URIRef], lang: str | None, untagged_too: bool = False
) -> list[str]:
    """The literals of the best language tier among these predicates, in sorted order.

    ``untagged_too`` (for labels a concept may have many of) takes untagged literals along with
    the chosen language's, since an untagged label belongs to every language.
    """
    literals = [o for p in predicates for o in graph.objects(subject, p) if isinstance(o, Literal)]
    if not literals:
        return []
    if lang is None:
        return sorted({str(o).strip() for o in literals if str(o).strip()})
    tiers = [_tier(o, lang) for o in literals]
    best = min(tiers)
    wanted = {best, 1} if untagged_too and best == 0 else {best}
    return sorted({str(o).strip() for o, tier in zip(literals, tiers, strict=True)
                   if tier in wanted and str(o).strip()})


def _parse(path: Path, fmt: str, max_file_size: Any) -> Graph:
    text = read_text(path, max_file_size)
    if fmt == "xml":
        refuse_xml_entities(text, str(path))
    else:
        refuse_lone_surrogates(text, str(path))
    graph = Graph()
    try:
        graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as error:  # Turtle and N3: ``lines`` counts the newlines before the fault
        raise LoadError(Problem(str(path), error.lines + 1, f"invalid {fmt} RDF: {error._why}"[:300])) from None
    except Exception as error:  # rdflib raises many unrelated types for bad input
        text = str(error).strip()
        found = _POSITION_RE.search(text) or _LINE_RE.search(text)
        line = int(found.group(1)) if found else None
        message = _POSITION_RE.sub("", text.splitlines()[-1]).strip() if text else type(error).__name__
        raise LoadError(Problem(str(path), line, f"invalid {fmt} RDF: {message}"[:300])) from None
    return graph


def load_skos(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    lang: str | None = "en",
    rdf_format: str | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load a SKOS file; ``lang`` picks the label language (None: all languages alike)."""
    check_options("skos", options, ())
    refuse_field_mapping("skos", mapping)
    path = Path(path)
    fmt = rdf_format or SKOS_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(Problem(str(path), None, f"no RDF syntax is known for {path.suffix!r}; give rdf_format "
                                                 f"({', '.join(sorted(set(SKOS_EXTENSIONS.values())))})"))
    lang = lang.lower() if lang else None
    graph = _parse(path, fmt, max_file_size)
    uris = sorted({s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}, key=str)
    collector = Collector(path, "skos", lenient, progress)
    ids: dict[URIRef, str] = {}
    seen: dict[str, URIRef] = {}
    for uri in uris:
        concept_id = _id_of(str(uri))
        if concept_id in seen:
            collector.problem(Problem(str(path), None, f"concepts {seen[concept_id]} and {uri} both get the id "
                                                       f"{clip(concept_id)}"))
            continue
        seen[concept_id] = uri
        ids[uri] = concept_id
    tops = {s for s in graph.subjects(SKOS.topConceptOf, None)} | {o for o in graph.objects(None, SKOS.hasTopConcept)}
    titles: dict[Node, str] = {uri: _title(graph, uri, lang) for uri in ids}

    def target_id(node: Node) -> str:
        known = ids.get(node) if isinstance(node, URIRef) else None
        return known if known is not None else _id_of(str(node))

    for number, uri in enumerate(ids):
        definitions = _texts(graph, uri, (SKOS.definition,), lang)
        notes = _texts(graph, uri, _NOTES, lang)
        if not definitions:
            definitions = _texts(graph, uri, (SKOS.scopeNote,), lang)
        definition = definitions[0] if definitions else ""
        body = "\n\n".join([*definitions[1:], *(n for n in notes if n != definition)])
        labels = _texts(graph, uri, (SKOS.altLabel,), lang, True) + _texts(graph, uri, (SKOS.hiddenLabel,), lang, True)
        aliases = [a for a in labels if a != titles[uri]]
        broader = sorted(graph.objects(uri, SKOS.broader), key=str)
        related = sorted({target_id(o) for o in graph.objects(uri, SKOS.related)})
        references = [Reference(t) for t in related] + [Reference(target_id(b)) for b in broader
                                                        if target_id(b) not in related]
        collector.add(Concept(
            id=ids[uri],
            title=titles[uri],
            definition=definition,
            body=body,
            aliases=tuple(dict.fromkeys(aliases)),
            categories=tuple(titles[t] for t in _top_ancestors(graph, uri, tops) if t in titles),
            sources=_sources(graph, uri),
            related=tuple(references),
            deprecated=any(o.toPython() is True or str(o).lower() == "true"
                           for o in graph.objects(uri, OWL.deprecated) if isinstance(o, Literal)),
            origin=Origin(str(path)),
        ))
        collector.tick(number + 1, len(ids))
    glossary = collector.glossary()
    glossary.category_parents = {
        titles[top]: tuple(sorted(titles[b] for b in graph.objects(top, SKOS.broader) if b in tops and b in titles))
        for top in sorted(tops, key=str)
        if top in titles and any(b in tops for b in graph.objects(top, SKOS.broader))
    }
    return glossary


def _title(graph: Graph, uri: URIRef, lang: str | None) -> str:
    for predicate in (SKOS.prefLabel, URIRef("http://www.w3.org/2000/01/rdf-schema#label")):
        labels = _texts(graph, uri, (predicate,), lang)
        if labels:
            return labels[0]
    return _local_name(str(uri))


def _top_ancestors(graph: Graph, uri: URIRef, tops: set[Node]) -> list[Node]:
    """The nearest top concepts up the broader chain (breadth first; the concept itself when it is one)."""
    if uri in tops:
        return [uri]
    found: list[Node] = []
    seen: set[Node] = {uri}
    level: list[Node] = [uri]
    while level and not found:
        following: list[Node] = []
        for node in level:
            for parent in sorted(graph.objects(node, SKOS.broader), key=str):
                if parent in seen:
                    continue
                seen.add(parent)
                if parent in tops:
                    found.append(parent)
                else:
                    following.append(parent)
        level = following
    return sorted(found, key=str)


def _sources(graph: Graph, uri: URIRef) -> tuple[Source, ...]:
    sources = []
    for node in sorted(graph.objects(uri, DCTERMS.source), key=str):
        text = str(node)
        sources.append(Source(text, text) if isinstance(node, URIRef) else Source(text))
    return tuple(sources)
