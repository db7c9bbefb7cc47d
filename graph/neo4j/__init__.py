"""The Neo4j store: a glossary graph on a Neo4j server, answering the query Protocol like the local store.

- ``store``: ``Neo4jStore`` (connection, all-or-nothing loads with a staging tag and a pointer
  swap, queries);
- ``rows``: concepts to node properties and back, and the batches one load writes;
- ``cypher``: every query, named and parameterised; ``schema``: the fixed labels and types;
- ``config``: connection settings from the environment or options (secrets never printed).

The store and its driver are imported on first use, so ``graph.neo4j.schema`` (used by the Cypher
export) costs nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Neo4jSettings", "Neo4jStore", "display_uri", "merge_glossaries"]

if TYPE_CHECKING:
    from graph.neo4j.config import Neo4jSettings, display_uri
    from graph.neo4j.rows import merge_glossaries
    from graph.neo4j.store import Neo4jStore

_HOMES = {
    "Neo4jSettings": "graph.neo4j.config",
    "display_uri": "graph.neo4j.config",
    "merge_glossaries": "graph.neo4j.rows",
    "Neo4jStore": "graph.neo4j.store",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'graph.neo4j' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_HOMES[name]), name)
