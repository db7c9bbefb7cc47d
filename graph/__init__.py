"""glossgraph: load, query, audit, export and diff concept graphs of glossaries, locally or in Neo4j.

The public API for notebooks and scripts (the CLI and the app use the same calls):

>>> import graph
>>> store = graph.open_store(graph.SAMPLE)        # a file, a folder, a Glossary or a neo4j:// URI
>>> store.concept("RAG").concept.title
'Retrieval-Augmented Generation'
>>> graph.run_audit(store).to_json()["summary"]["concepts"]
244

- ``load(source, **options) -> Glossary``: read a glossary in any supported format;
- ``open_store(source_or_glossary_or_uri, ...) -> GraphStore``: the local (NetworkX) or Neo4j store;
- ``run_audit(store, checks=None, allow=None) -> AuditReport``, with ``.to_json()``;
- ``export(store_or_glossary, fmt, path)`` and ``diff(a, b) -> Diff``;
- the model (``Concept``, ``Glossary``, ``Reference``, ``Source``, ``Origin``), the store Protocol
  (``GraphStore``) and the errors (all derive from ``GlossgraphError``).

The functions import what they need on first use, so ``import graph`` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import (
    AmbiguousReference,
    ConceptNotFound,
    ExportError,
    GlossgraphError,
    LoadError,
    NoPath,
    Problem,
    StoreError,
    UsageError,
)
from graph.model import Concept, Glossary, Origin, Reference, Source
from graph.protocol import GraphStore

if TYPE_CHECKING:
    from graph.audit import AuditReport
    from graph.diff import Diff

__version__ = "0.1.0"

__all__ = [
    "SAMPLE",
    "AmbiguousReference",
    "AuditReport",
    "Concept",
    "ConceptNotFound",
    "Diff",
    "ExportError",
    "Glossary",
    "GlossgraphError",
    "GraphStore",
    "LoadError",
    "NoPath",
    "Origin",
    "Problem",
    "Reference",
    "Source",
    "StoreError",
    "UsageError",
    "__version__",
    "diff",
    "export",
    "load",
    "open_store",
    "run_audit",
]


def __getattr__(name: str) -> Any:
    """The sample's path and the result types, imported on first use."""
    if name == "SAMPLE":
        from graph.appstate import DEFAULT_SAMPLE

        return DEFAULT_SAMPLE
    if name == "AuditReport":
        from graph.audit import AuditReport

        return AuditReport
    if name == "Diff":
        from graph.diff import Diff

        return Diff
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


def load(source: str | Path | Any, fmt: str | None = None, **options: Any) -> Glossary:
    """Read a glossary from a file, a folder or an open binary file (format detected unless ``fmt`` names it).

    Options are the loaders' (``lenient``, ``fields``, ``lang``, ...); bad input raises LoadError
    naming the file and line.
    """
    import loaders

    return loaders.load(source, fmt, **options)


def open_store(
    source: str | Path | Glossary, fmt: str | None = None, *, dataset: str | None = None, **options: Any
) -> GraphStore:
    """A query store: local for a Glossary, a file or a folder; Neo4j for a ``neo4j://`` URI with ``dataset``."""
    from graph.stores import open_store as open_

    return open_(source, fmt, dataset=dataset, **options)


def run_audit(store: GraphStore | Glossary, checks: Any = None, allow: Any = None, **options: Any) -> AuditReport:
    """Run the audit's checks (default: all) over a store or glossary; ``allow`` is an AllowList."""
    from graph.audit import run_audit as run

    return run(store, checks, allow, **options)


def export(source: GraphStore | Glossary, fmt: str, path: str | Path, **options: Any) -> Path:
    """Write one export (json, graphml, gexf, csv, cypher, html) atomically; never overwrites without ``force=True``."""
    from graph.exports import export as write

    return write(source, fmt, path, **options)


def diff(a: GraphStore | Glossary, b: GraphStore | Glossary, *, audit: bool = True) -> Diff:
    """What changed from ``a`` to ``b``: concepts, fields, links and (with ``audit``) audit findings."""
    from graph.diff import diff as compare

    return compare(a, b, audit=audit)
