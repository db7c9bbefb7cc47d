"""Load a SKOS thesaurus (Turtle, RDF/XML, N-Triples, N3 via rdflib) as a glossary.

Mapping (see docs/formats.md):
- every ``skos:Concept`` is a concept; its id is the slug of the URI's local name (the part after
  the last ``#`` or ``/``), so links point at ids, never at labels that may be ambiguous;
- ``prefLabel`` → title, ``altLabel`` and ``hiddenLabel`` → aliases, ``definition`` → definition
  (falling back to ``scopeNote``), the other notes (scopeNote, example, note) → body;
- ``related`` → related references (by the target's id), in id order;
- ``broader``, and ``narrower`` read as its inverse (the union, each parent once) → parents, in id
  order; ``broaderTransitive``/``narrowerTransitive`` add an ancestor as a parent only when the
  direct links do not already reach it (so a closure published beside the direct links adds nothing);
- categories: a top concept (``topConceptOf`` or listed by ``hasTopConcept``) is a root and names a
  category; a concept's category is the label of the nearest top concept(s) up its parents (a top
  concept is in its own category); ``broader`` between top concepts is the category hierarchy.
  A scheme without top concepts takes the roots of each concept's broader chain (its ancestors
  without parents; a root is in its own category) as categories instead;
- ``owl:deprecated true`` → deprecated, ``dct:isReplacedBy`` → replaced_by (the target's id);
  ``dct:source`` → sources;
- ``exactMatch``, ``closeMatch``, ``broadMatch``, ``narrowMatch``, ``relatedMatch`` → sources when they
  point outside the thesaurus (links to other vocabularies, never broken links), related references
  when they point at one of its own concepts.
Language: literals tagged ``lang`` (default "en", subtags match: "en" takes "en-GB") are used
first, then untagged ones, then any language (in sorted order), per property. The labels and
definitions in every other language become the concept's translations.
Files: one file, or a folder of RDF files (several syntaxes may mix) parsed into one graph
before mapping, so structure, labels and definitions may come from different files.
"""

from __future__ import annotations

__all__ = ["SKOS_EXTENSIONS", "is_skos_xml", "load_skos", "read_graph"]

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from graph.errors import LoadError, Problem
from graph.model import Concept, Glossary, Origin, Reference, Source, Translation
from graph.text import slugify
from graph.untrusted import clip, refuse_lone_surrogates, refuse_xml_entities
from graph.util import reachable
from loaders import Progress
from loaders.io import Collector, check_options, exclude_patterns, list_files, read_text, refuse_field_mapping

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

#: rdflib parser per file ending.
SKOS_EXTENSIONS = {".ttl": "turtle", ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".skos": "xml", ".nt": "nt",
                   ".n3": "n3"}
_SKOS_NS = b"http://www.w3.org/2004/02/skos/core#"
_LINE_RE = re.compile(r"line[ :]*(\d+)", re.IGNORECASE)
_POSITION_RE = re.compile(r"^\S*?:(\d+):\d+:\s*")  # "file:line:column: message" from the SAX parser
_NOTES = (SKOS.scopeNote, SKOS.example, SKOS.note)
_MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


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
    """Load a SKOS file or folder of RDF files; ``lang`` picks the label language (None: all languages alike)."""
    check_options("skos", options, ("exclude",))
    refuse_field_mapping("skos", mapping)
    path = Path(path)
    lang = lang.lower() if lang else None
    graph, origins = read_graph(path, rdf_format, max_file_size, options.get("exclude"))
    uris = sorted({s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}, key=str)
    collector = Collector(path, "skos", lenient, progress)
    ids: dict[URIRef, str] = {}
    seen: dict[str, URIRef] = {}
    for uri in uris:
        concept_id = _id_of(str(uri))
        if concept_id in seen:
            collector.problem(Problem(origins.get(uri, str(path)), None,
                                      f"concepts {seen[concept_id]} and {uri} both get the id {clip(concept_id)}"))
            continue
        seen[concept_id] = uri
        ids[uri] = concept_id
    tops = {s for s in graph.subjects(SKOS.topConceptOf, None)} | {o for o in graph.objects(None, SKOS.hasTopConcept)}
    titles: dict[Node, str] = {uri: _title(graph, uri, lang) for uri in ids}
    parents = _parents(graph)
    # Without declared top concepts, the roots of the hierarchy stand in for them.
    roots = tops or {p for ups in parents.values() for p in ups if not parents.get(p)} | {
        uri for uri in ids if not parents.get(uri)
    }

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
        related = sorted({target_id(o) for o in graph.objects(uri, SKOS.related)})
        broader = sorted({target_id(b) for b in parents.get(uri, ())})
        replacements = sorted(target_id(o) for o in graph.objects(uri, DCTERMS.isReplacedBy))
        matched_sources, matched = _match_links(graph, uri, ids)
        collector.add(Concept(
            id=ids[uri],
            title=titles[uri],
            definition=definition,
            body=body,
            aliases=tuple(dict.fromkeys(aliases)),
            categories=tuple(titles[t] for t in _top_ancestors(parents, uri, roots) if t in titles),
            sources=_sources(graph, uri) + matched_sources,
            related=tuple(Reference(t) for t in related) + tuple(r for r in matched if r.target not in related),
            parents=tuple(Reference(t) for t in broader),
            translations=_translations(graph, uri, lang),
            deprecated=any(o.toPython() is True or str(o).lower() == "true"
                           for o in graph.objects(uri, OWL.deprecated) if isinstance(o, Literal)),
            replaced_by=replacements[0] if replacements else None,
            origin=Origin(origins.get(uri, str(path))),
        ))
        collector.tick(number + 1, len(ids))
    glossary = collector.glossary()
    glossary.category_parents = {
        titles[top]: tuple(sorted(titles[b] for b in parents.get(top, ()) if b in roots and b in titles))
        for top in sorted(roots, key=str)
        if top in titles and any(b in roots and b in titles for b in parents.get(top, ()))
    }
    return glossary


def _title(graph: Graph, uri: URIRef, lang: str | None) -> str:
    for predicate in (SKOS.prefLabel, URIRef("http://www.w3.org/2000/01/rdf-schema#label")):
        labels = _texts(graph, uri, (predicate,), lang)
        if labels:
            return labels[0]
    return _local_name(str(uri))


def _parents(graph: Graph) -> dict[Node, set[Node]]:
    """Each concept's parents: broader ∪ inverse narrower, then transitive ancestors the direct links miss."""
    parents: dict[Node, set[Node]] = {}
    for child, parent in graph.subject_objects(SKOS.broader):
        parents.setdefault(child, set()).add(parent)
    for parent, child in graph.subject_objects(SKOS.narrower):
        parents.setdefault(child, set()).add(parent)
    transitive: dict[Node, set[Node]] = {}
    for child, ancestor in graph.subject_objects(SKOS.broaderTransitive):
        transitive.setdefault(child, set()).add(ancestor)
    for ancestor, child in graph.subject_objects(SKOS.narrowerTransitive):
        transitive.setdefault(child, set()).add(ancestor)
    for child in sorted(transitive, key=str):
        for ancestor in sorted(transitive[child], key=str):
            if ancestor != child and ancestor not in reachable(parents, child):
                parents.setdefault(child, set()).add(ancestor)
    return parents


def _top_ancestors(parents: dict[Node, set[Node]], uri: Node, tops: set[Node]) -> list[Node]:
    """The nearest top concepts up the parents (breadth first; the concept itself when it is one)."""
    if uri in tops:
        return [uri]
    found: list[Node] = []
    seen: set[Node] = {uri}
    level: list[Node] = [uri]
    while level and not found:
        following: list[Node] = []
        for node in level:
            for parent in sorted(parents.get(node, ()), key=str):
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


def _rdf_format(file: Path, rdf_format: str | None) -> str:
    """The rdflib syntax of a file: the one given, else the one its ending names."""
    fmt = rdf_format or SKOS_EXTENSIONS.get(file.suffix.lower())
    if fmt is None:
        raise LoadError(Problem(str(file), None, f"no RDF syntax is known for {file.suffix!r}; give rdf_format "
                                                 f"({', '.join(sorted(set(SKOS_EXTENSIONS.values())))})"))
    return fmt


def read_graph(
    path: Path, rdf_format: str | None = None, max_file_size: Any = None, exclude: Any = None
) -> tuple[Graph, dict[Node, str]]:
    """Parse a file, or every RDF file of a folder, into one graph; also the file declaring each concept.

    Each file is parsed on its own first, so a syntax error names the file and line at fault.
    """
    if not path.is_dir():
        graph = _parse(path, _rdf_format(path, rdf_format), max_file_size)
        return graph, {}
    warnings: list[Problem] = []
    suffixes = tuple(s for s in SKOS_EXTENSIONS if s != ".xml")
    files = [f for f in list_files(path, (*suffixes, ".xml"), exclude_patterns(exclude), warnings)
             if f.suffix.lower() != ".xml" or is_skos_xml(f)]
    if not files:
        raise LoadError(Problem(str(path), None, f"the folder holds no RDF files ({', '.join(suffixes)})"))
    merged = Graph()
    origins: dict[Node, str] = {}
    for file in files:
        part = _parse(file, _rdf_format(file, rdf_format), max_file_size)
        for subject in part.subjects(RDF.type, SKOS.Concept):
            origins.setdefault(subject, str(file))
        merged += part
    return merged, origins


def _match_links(graph: Graph, uri: URIRef, ids: dict[URIRef, str]) -> tuple[tuple[Source, ...], list[Reference]]:
    """``skos:*Match`` links: sources when they leave the thesaurus, related references when they stay in it."""
    sources: list[Source] = []
    references: list[Reference] = []
    for target in sorted({o for p in _MATCHES for o in graph.objects(uri, p) if isinstance(o, URIRef)}, key=str):
        if target in ids:
            references.append(Reference(ids[target]))
        else:
            sources.append(Source(str(target), str(target)))
    return tuple(sources), references


def _translations(graph: Graph, uri: URIRef, lang: str | None) -> tuple[Translation, ...]:
    """The labels and definition in each language other than the chosen one (none when all languages mix)."""
    if lang is None:
        return ()
    by_lang: dict[str, dict[URIRef, list[str]]] = {}
    for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.definition):
        for literal in graph.objects(uri, predicate):
            if isinstance(literal, Literal) and _tier(literal, lang) == 2 and str(literal).strip():
                tag = (literal.language or "").lower()
                by_lang.setdefault(tag, {}).setdefault(predicate, []).append(str(literal).strip())
    out = []
    for tag in sorted(by_lang):
        found = {p: sorted(set(v)) for p, v in by_lang[tag].items()}
        names = found.get(SKOS.prefLabel) or found.get(SKOS.altLabel) or []
        if not names:
            continue
        definitions = found.get(SKOS.definition, [])
        aliases = tuple(a for a in found.get(SKOS.altLabel, []) if a != names[0])
        out.append(Translation(tag, names[0], definitions[0] if definitions else "", aliases))
    return tuple(out)
