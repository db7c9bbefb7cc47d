"""Load an OWL ontology (RDF/XML or Turtle, via rdflib) or an OBO Graph JSON file as a glossary.

Both read the same things OBO files give (loaders/obo.py), so an ontology loads alike in any of
its three usual forms. Mapping (see docs/formats.md):
- every named ``owl:Class`` (OBO Graph JSON: every node of type ``CLASS``) is a concept. Its id is
  the OBO id (``oboInOwl:id``, or ``GO_0008150`` in an OBO PURL read as ``GO:0008150``), else the
  slug of the URI's local name;
- ``rdfs:label`` → title; the IAO definition (``obo:IAO_0000115``), else ``oboInOwl:hasDefinition``,
  else ``skos:definition``, else ``rdfs:comment`` → definition; exact, related, broad and narrow
  synonyms and ``skos:altLabel`` → aliases; ``oboInOwl:hasDbXref`` → sources;
- ``rdfs:subClassOf`` a named class (OBO Graph JSON: an ``is_a`` edge) → parents (broader links);
  ``rdfs:subClassOf`` a restriction ``P some X`` on a named X (OBO Graph JSON: any other edge) → a
  related reference to X whose ``relation`` is P's label (else its local name);
- ``oboInOwl:inSubset`` → categories (the subset's label, else its local name);
- ``owl:deprecated true`` → deprecated; ``obo:IAO_0100001`` (term replaced by) or
  ``oboInOwl:replacedBy`` → replaced_by.
Anonymous classes, individuals and properties are not concepts. ``lang`` picks label languages as
the SKOS loader does.
"""

from __future__ import annotations

__all__ = ["is_obograph", "is_owl", "load_obograph", "load_owl"]

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from graph.errors import LoadError, Problem
from graph.model import Concept, Glossary, Origin, Reference, Source
from graph.untrusted import clip
from loaders import Progress
from loaders.io import Collector, check_options, parse_json, read_text, refuse_field_mapping
from loaders.skos import SKOS_EXTENSIONS, _id_of, _local_name, _texts, read_graph

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

_OBO = "http://purl.obolibrary.org/obo/"
_OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
_DEFINITION = URIRef(_OBO + "IAO_0000115")
_REPLACED_BY = URIRef(_OBO + "IAO_0100001")
#: The OBO-in-OWL spellings older conversions (EDAM, for one) use for a definition and a replacement.
_HAS_DEFINITION = URIRef(_OBO_IN_OWL + "hasDefinition")
_OBO_REPLACED_BY = URIRef(_OBO_IN_OWL + "replacedBy")
_OBO_ID = URIRef(_OBO_IN_OWL + "id")
_IN_SUBSET = URIRef(_OBO_IN_OWL + "inSubset")
_XREF = URIRef(_OBO_IN_OWL + "hasDbXref")
_SYNONYMS = (
    *(URIRef(_OBO_IN_OWL + name)
      for name in ("hasExactSynonym", "hasRelatedSynonym", "hasBroadSynonym", "hasNarrowSynonym")),
    SKOS.altLabel,
)
_OBO_PURL_RE = re.compile(r"^http://purl\.obolibrary\.org/obo/([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9_]+)$")
_OWL_CLASS_MARKERS = (b"owl#Class", b"owl:Class")
_SKOS_MARKERS = (b"skos/core#Concept", b"skos:Concept")
_OBOGRAPH_RE = re.compile(rb'\A\s*\{\s*"graphs"\s*:\s*\[')
_URL_PREFIXES = ("http://", "https://")


def is_owl(path: Path) -> bool:
    """True for an RDF file whose start declares OWL classes and no SKOS concepts (an ontology, not a thesaurus)."""
    if not path.is_file() or path.suffix.lower() not in SKOS_EXTENSIONS:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return any(m in head for m in _OWL_CLASS_MARKERS) and not any(m in head for m in _SKOS_MARKERS)


def is_obograph(path: Path) -> bool:
    """True for a JSON file that opens as an OBO Graph document (``{"graphs": [``)."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as handle:
            return _OBOGRAPH_RE.match(handle.read(4096)) is not None
    except OSError:
        return False


def obo_id(uri: str) -> str:
    """The id of an ontology term URI: an OBO PURL as its OBO id, any other URI as its local name's slug.

    >>> obo_id("http://purl.obolibrary.org/obo/GO_0008150"), obo_id("http://example.org/onto#NeuralNetwork")
    ('GO:0008150', 'neural-network')
    """
    found = _OBO_PURL_RE.match(uri)
    return f"{found.group(1)}:{found.group(2)}" if found else _id_of(uri)


# -- OWL (RDF) ------------------------------------------------------------------------------------


def load_owl(
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
    """Load an OWL ontology: its named classes as concepts, subClassOf as broader links."""
    check_options("owl", options, ())
    refuse_field_mapping("owl", mapping)
    lang = lang.lower() if lang else None
    graph, _origins = read_graph(path, rdf_format, max_file_size)
    classes = sorted({s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}, key=str)
    collector = Collector(path, "owl", lenient, progress)
    ids = _ids(graph, classes, path, collector)

    def target(node: Node) -> str:
        return ids.get(node) or _explicit_id(graph, node) or obo_id(str(node))

    for number, uri in enumerate(ids):
        title = _first(graph, uri, (RDFS.label,), lang) or _local_name(str(uri))
        definition = (_first(graph, uri, (_DEFINITION,), lang) or _first(graph, uri, (_HAS_DEFINITION,), lang)
                      or _first(graph, uri, (SKOS.definition,), lang) or _first(graph, uri, (RDFS.comment,), lang))
        parents: list[str] = []
        related: list[Reference] = []
        for parent in sorted(graph.objects(uri, RDFS.subClassOf), key=_order):
            if isinstance(parent, URIRef):
                parents.append(target(parent))
            elif isinstance(parent, BNode):
                some = _restriction(graph, parent)
                if some is not None:
                    relation, filler = some
                    label = _first(graph, relation, (RDFS.label,), lang) or _local_name(str(relation))
                    related.append(Reference(target(filler), relation=label))
        replacements = sorted(target(o) if isinstance(o, URIRef) else str(o)
                              for predicate in (_REPLACED_BY, _OBO_REPLACED_BY) for o in graph.objects(uri, predicate))
        collector.add(Concept(
            id=ids[uri],
            title=title,
            definition=definition,
            aliases=tuple(dict.fromkeys(a for a in _texts(graph, uri, _SYNONYMS, lang, True) if a != title)),
            categories=tuple(dict.fromkeys(
                _first(graph, s, (RDFS.label,), lang) or _local_name(str(s))
                for s in sorted(graph.objects(uri, _IN_SUBSET), key=str)
            )),
            sources=_xrefs(str(o) for o in sorted(graph.objects(uri, _XREF), key=str)),
            related=tuple(dict.fromkeys(related)),
            parents=tuple(Reference(p) for p in dict.fromkeys(parents)),
            deprecated=any(_true(o) for o in graph.objects(uri, OWL.deprecated)),
            replaced_by=replacements[0] if replacements else None,
            origin=Origin(str(path)),
        ))
        collector.tick(number + 1, len(ids))
    return collector.glossary()


def _order(node: Node) -> tuple[int, str]:
    return (0 if isinstance(node, URIRef) else 1, str(node))


def _ids(graph: Graph, classes: Sequence[URIRef], path: Path, collector: Collector) -> dict[Node, str]:
    """Each class's concept id; a second class with the same id is a problem naming both URIs."""
    ids: dict[Node, str] = {}
    seen: dict[str, URIRef] = {}
    for uri in classes:
        concept_id = _explicit_id(graph, uri) or obo_id(str(uri))
        if concept_id in seen:
            collector.problem(Problem(str(path), None, f"classes {seen[concept_id]} and {uri} both get the id "
                                                       f"{clip(concept_id)}"))
            continue
        seen[concept_id] = uri
        ids[uri] = concept_id
    return ids


def _explicit_id(graph: Graph, node: Node) -> str | None:
    for value in graph.objects(node, _OBO_ID):
        if isinstance(value, Literal) and str(value).strip():
            return str(value).strip()
    return None


def _first(graph: Graph, subject: Node, predicates: Iterable[URIRef], lang: str | None) -> str:
    found = _texts(graph, subject, predicates, lang)
    return found[0] if found else ""


def _restriction(graph: Graph, node: BNode) -> tuple[URIRef, URIRef] | None:
    """(property, filler) of an ``owl:Restriction`` ``P some X`` (or ``P all X``) on a named class X."""
    relation = graph.value(node, OWL.onProperty)
    filler = graph.value(node, OWL.someValuesFrom) or graph.value(node, OWL.allValuesFrom)
    if isinstance(relation, URIRef) and isinstance(filler, URIRef):
        return relation, filler
    return None


def _true(value: Node) -> bool:
    return isinstance(value, Literal) and (value.toPython() is True or str(value).strip().lower() == "true")


def _xrefs(values: Iterable[str]) -> tuple[Source, ...]:
    return tuple(dict.fromkeys(Source(v, v if v.startswith(_URL_PREFIXES) else "") for v in values if v.strip()))


# -- OBO Graph JSON ------------------------------------------------------------------------------


def load_obograph(
    path: Path,
    *,
    mapping: FieldMapping,
    lenient: bool = False,
    progress: Progress | None = None,
    max_file_size: int | str | None = None,
    **options: Any,
) -> Glossary:
    """Load an OBO Graph JSON file (every graph in it): CLASS nodes as concepts, is_a edges as broader links."""
    check_options("obograph", options, ())
    refuse_field_mapping("obograph", mapping)
    document = parse_json(read_text(path, max_file_size), str(path))
    graphs = document.get("graphs") if isinstance(document, dict) else None
    if not isinstance(graphs, list):
        raise LoadError(Problem(str(path), 1, 'not an OBO Graph document: no "graphs" list'))
    nodes: list[Mapping[str, Any]] = []
    edges: list[Mapping[str, Any]] = []
    properties: dict[str, str] = {}
    for graph in graphs:
        if not isinstance(graph, dict):
            continue
        for node in graph.get("nodes") or ():
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                if node.get("type") == "PROPERTY" and node.get("lbl"):
                    properties[node["id"]] = str(node["lbl"])
                nodes.append(node)
        edges.extend(e for e in graph.get("edges") or () if isinstance(e, dict))
    classes = [n for n in nodes if n.get("type", "CLASS") == "CLASS"]
    ids = {n["id"]: obo_id(n["id"]) for n in classes}
    parents: dict[str, list[str]] = {}
    related: dict[str, list[Reference]] = {}
    for edge in edges:
        sub, pred, obj = edge.get("sub"), edge.get("pred"), edge.get("obj")
        if not (isinstance(sub, str) and isinstance(pred, str) and isinstance(obj, str)) or sub not in ids:
            continue
        target = ids.get(obj) or obo_id(obj)
        if pred in ("is_a", str(RDFS.subClassOf)):
            parents.setdefault(sub, []).append(target)
        else:
            relation = properties.get(pred) or _local_name(pred)
            related.setdefault(sub, []).append(Reference(target, relation=relation))
    collector = Collector(path, "obograph", lenient, progress)
    for number, node in enumerate(classes):
        collector.add(_graph_concept(node, ids[node["id"]], parents, related, Origin(str(path))))
        collector.tick(number + 1, len(classes))
    return collector.glossary()


def _graph_concept(
    node: Mapping[str, Any],
    concept_id: str,
    parents: Mapping[str, list[str]],
    related: Mapping[str, list[Reference]],
    origin: Origin,
) -> Concept:
    """The concept one OBO Graph node describes."""
    meta: Mapping[str, Any] = node["meta"] if isinstance(node.get("meta"), dict) else {}
    title = str(node.get("lbl") or "").strip() or concept_id
    definition: Mapping[str, Any] = meta["definition"] if isinstance(meta.get("definition"), dict) else {}
    synonyms = [str(s.get("val", "")).strip() for s in meta.get("synonyms") or () if isinstance(s, dict)]
    xrefs = [str(x.get("val", "")).strip() for x in meta.get("xrefs") or () if isinstance(x, dict)]
    replaced = [str(p.get("val")) for p in meta.get("basicPropertyValues") or ()
                if isinstance(p, dict) and p.get("pred") == str(_REPLACED_BY) and p.get("val")]
    return Concept(
        id=concept_id,
        title=title,
        definition=str(definition.get("val") or "").strip(),
        aliases=tuple(dict.fromkeys(s for s in synonyms if s and s != title)),
        categories=tuple(dict.fromkeys(_local_name(str(s)) for s in meta.get("subsets") or ())),
        sources=_xrefs(xrefs),
        related=tuple(dict.fromkeys(related.get(node["id"], ()))),
        parents=tuple(Reference(p) for p in dict.fromkeys(parents.get(node["id"], ()))),
        deprecated=meta.get("deprecated") is True,
        replaced_by=obo_id(replaced[0]) if replaced and replaced[0].startswith("http") else
        (replaced[0] if replaced else None),
        origin=origin,
    )
