"""CSV nodes + edges: a folder holding ``nodes.csv`` and ``edges.csv``, for pandas and spreadsheets.

UTF-8 without a byte-order mark, comma-separated, RFC 4180 quoting (a cell with a comma, quote or
newline is quoted, quotes doubled), ``\\n`` line endings. Plain text cells hold text as it is;
list and object cells (aliases, categories, sources, related, parents) hold JSON, so values with
commas, semicolons, quotes or newlines survive; ``deprecated`` is ``true``/``false``. CSV has no
null, so the ``nulls`` cell of a concept lists (as JSON) which of level, published and category
are absent rather than empty text. Edges are derived from the concepts and are ignored on load.

Cells are safe to open in a spreadsheet (OWASP, "CSV injection"): a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return would be read as a formula, so it is written with a
single quote in front, which spreadsheets show as text. A cell that really starts with a quote
gets one more, so the loader undoes exactly that: one leading quote is dropped, and only then.
"""

from __future__ import annotations

__all__ = [
    "EDGE_COLUMNS",
    "FORMULA_STARTS",
    "NODE_COLUMNS",
    "NULLABLE",
    "csv_files",
    "csv_text",
    "spreadsheet_cell",
    "unspreadsheet_cell",
    "write_csv_rows",
]

import io
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from graph.exports.records import EDGE_FIELDS, NODE_FIELDS, GraphRecords, flat_edge, flat_node, json_text

#: Concept fields that may be None; the ``nulls`` column names the ones that are.
NULLABLE = ("level", "published", "category")
NODE_COLUMNS = (*NODE_FIELDS, "nulls")
EDGE_COLUMNS = EDGE_FIELDS


#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def spreadsheet_cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates: a quote before a formula start or a leading quote.

    >>> spreadsheet_cell("=1+1"), spreadsheet_cell("'quoted'"), spreadsheet_cell("plain")
    ("'=1+1", "''quoted'", 'plain')
    """
    return _QUOTE + text if text.startswith((*FORMULA_STARTS, _QUOTE)) else text


def unspreadsheet_cell(text: str) -> str:
    """The value ``spreadsheet_cell`` was given: one leading quote dropped, nothing else touched.

    >>> unspreadsheet_cell("'=1+1"), unspreadsheet_cell("''quoted'"), unspreadsheet_cell("plain")
    ('=1+1', "'quoted'", 'plain')
    """
    return text[1:] if text.startswith(_QUOTE) else text


def _csv_line(cells: Iterable[str]) -> str:
    # RFC 4180 by hand: the csv module leaves a lone carriage return unquoted, which splits the row on reading.
    return ",".join(
        '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell for cell in cells
    ) + "\n"


def write_csv_rows(out: TextIO, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write a header and rows of text cells as spreadsheet-safe CSV (RFC 4180 quoting, ``\\n`` line ends)."""
    out.write(_csv_line(spreadsheet_cell(column) for column in columns))
    for row in rows:
        out.write(_csv_line(spreadsheet_cell(cell) for cell in row))


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Spreadsheet-safe CSV of a header and rows of text cells, as one string."""
    buffer = io.StringIO(newline="")
    write_csv_rows(buffer, columns, rows)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _table(columns: Sequence[str], rows: list[dict[str, Any]]) -> bytes:
    return csv_text(columns, ([_cell(row.get(column)) for column in columns] for row in rows)).encode("utf-8")


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
