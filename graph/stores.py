"""Open a store from what a user typed: a file or folder (local store) or a Neo4j URI with a dataset."""

from __future__ import annotations

__all__ = ["NEO4J_SCHEMES", "is_neo4j_uri", "load_glossary", "open_store"]

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from graph.errors import UsageError
from graph.local import LocalStore
from graph.model import Glossary
from graph.protocol import GraphStore

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def is_neo4j_uri(source: str | Path) -> bool:
    """True when the source names a Neo4j server rather than a file or folder."""
    return isinstance(source, str) and source.lower().startswith(NEO4J_SCHEMES)


def load_glossary(
    source: str | Path,
    fmt: str | None = None,
    *,
    fields: Mapping[str, str] | None = None,
    fields_config: str | Path | None = None,
    lenient: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> Glossary:
    """Load a glossary from a file or folder with the loaders (format detected unless given)."""
    import loaders

    return loaders.load(
        source,
        fmt,
        fields=fields,
        fields_config=fields_config,
        lenient=lenient,
        progress=progress,
        **options,
    )


def open_store(
    source: str | Path | Glossary,
    fmt: str | None = None,
    *,
    dataset: str | None = None,
    neo4j_options: Mapping[str, Any] | None = None,
    **load_options: Any,
) -> GraphStore:
    """A store over a source: local for a Glossary, a file or a folder; the Neo4j store for a Neo4j URI."""
    if isinstance(source, Glossary):
        return LocalStore(source)
    if is_neo4j_uri(source):
        if not dataset:
            raise UsageError("a Neo4j source needs --dataset NAME")
        from graph.neo4j import Neo4jStore

        return Neo4jStore.connect(str(source), dataset=dataset, **dict(neo4j_options or {}))
    return LocalStore(load_glossary(source, fmt, **load_options))
