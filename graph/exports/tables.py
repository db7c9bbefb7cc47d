"""CSV nodes + edges: a folder holding ``nodes.csv`` and ``edges.csv``, for pandas and spreadsheets.

UTF-8 without a byte-order mark, comma-separated, RFC 4180 quoting (a cell with a comma, quote or
newline is quoted, quotes doubled), ``\\n`` line endings. Plain text cells hold text as it is;
list and object cells (aliases, categories, sources, related, parents) hold JSON, so values with
commas, semicolons, quotes or newlines survive; ``deprecated`` is ``true``/``false``. CSV has no
null, so the ``nulls`` cell of a concept lists (as JSON) which of level, published and category
are absent rather than empty text. Edges are derived from the concepts and are ignored on load.
"""

from __future__ import annotations

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "NULLABLE", "csv_files"]

import csv
import io
from collections.abc import Sequence
from typing import Any

from graph.exports.records import EDGE_FIELDS, NODE_FIELDS, GraphRecords, flat_edge, flat_node, json_text

#: Concept fields that may be None; the ``nulls`` column names the ones that are.
NULLABLE = ("level", "published", "category")
NODE_COLUMNS = (*NODE_FIELDS, "nulls")
EDGE_COLUMNS = EDGE_FIELDS


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _table(columns: Sequence[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def csv_files(records: GraphRecords) -> dict[str, bytes]:
    """The two files, by name."""
    rows: list[dict[str, Any]] = []
    for record in records.nodes:
        row: dict[str, Any] = dict(flat_node(record))
        if record["kind"] == "concept":
            row["nulls"] = json_text([name for name in NULLABLE if record.get(name) is None])
        rows.append(row)
    return {
        "nodes.csv": _table(NODE_COLUMNS, rows),
        "edges.csv": _table(EDGE_COLUMNS, [flat_edge(e) for e in records.edges]),
    }
