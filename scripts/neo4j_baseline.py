"""The benchmark's Neo4j baseline: the same writes as a batched load, one auto-commit query per row."""

from __future__ import annotations

__all__ = ["load_row_by_row"]

import time
import uuid
from typing import Any

from graph.local import LocalStore
from graph.model import Glossary
from graph.neo4j import cypher
from graph.neo4j.rows import LoadPlan
from graph.neo4j.store import Neo4jStore


def load_row_by_row(store: Neo4jStore, glossary: Glossary, max_rows: int | None = None) -> dict[str, Any]:
    """The benchmark's baseline: the same writes as ``store.load``, one auto-commit query per row.

    Writes into a throw-away tag that is deleted afterwards; ``max_rows`` stops early so a slow
    baseline can be timed on a few thousand rows and extrapolated. Returns rows written, all rows
    and seconds.
    """
    store.ensure_schema()
    plan = LoadPlan(LocalStore(glossary))
    tag = f"{store.dataset}~rowbyrow~{uuid.uuid4().hex}"
    store._write(cypher.BEGIN_LOAD, {"name": store.dataset, "tag": tag}, "starting the baseline")
    queries = [
        *((cypher.ROW_BY_ROW[kind], rows) for kind, rows in plan.nodes.items()),
        *(
            (cypher.ROW_BY_ROW[{"alias": "alias_edge", "category": "category_edge"}.get(kind, kind)], rows)
            for kind, rows in plan.edges.items()
        ),
    ]
    written = 0
    started = time.perf_counter()
    try:
        with store._errors("writing row by row"), store._driver.session(database=store.settings.database) as session:
            for query, rows in queries:
                for row in rows:
                    if max_rows is not None and written >= max_rows:
                        raise _Enough
                    session.run(query, {"row": row, "tag": tag}).consume()
                    written += 1
    except _Enough:
        pass
    seconds = time.perf_counter() - started
    store._abandon(tag)
    return {"rows": written, "total_rows": plan.total_rows, "seconds": round(seconds, 3)}


class _Enough(Exception):
    """Stops the baseline at max_rows."""


