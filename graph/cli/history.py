"""`glossgraph audit --history DIR`: each check's count across a folder of dated snapshots."""

from __future__ import annotations

__all__ = ["HISTORY_FORMATS", "print_history"]

import sys
from collections.abc import Iterable
from typing import Any

from graph.audit.history import History, audit_history
from graph.cli.base import emit_json, progress_bar, show_progress, stdout
from graph.errors import UsageError

#: The --format values the history prints; the others are about one report's findings.
HISTORY_FORMATS = ("table", "json", "csv")

#: Audit options that mean nothing for a history (they are about one report), refused with it.
_ONE_REPORT_ONLY = ("allow_file", "fail_on", "watch")


def _print_table(history: History) -> None:
    from rich.table import Table

    table = Table(title=f"audit history: {history.folder} ({len(history.snapshots)} snapshots)", header_style="bold")
    first = max(len(name) for name in (*history.checks, "concepts", "links"))
    table.add_column("check", no_wrap=True, min_width=first)
    for snapshot in history.snapshots:
        table.add_column(snapshot.label, justify="right", no_wrap=True, min_width=len(snapshot.label))
    table.add_row("concepts", *(str(s.concepts) for s in history.snapshots), end_section=False)
    table.add_row("links", *(str(s.links) for s in history.snapshots), end_section=True)
    for check, counts in history.series().items():
        table.add_row(check, *(str(n) for n in counts))
    # Wider than the terminal rather than cut: a date or a check name cut short says nothing.
    needed = first + sum(len(s.label) for s in history.snapshots) + 3 * (len(history.snapshots) + 1) + 1
    stdout.print(table, width=max(stdout.width, needed))


def print_history(folder: str, output: str, checks: Iterable[str] | None, source: str | None,
                  given: dict[str, Any]) -> None:
    """Audit every snapshot in ``folder`` and print each check's count per date (table, json or csv)."""
    if source:
        raise UsageError("give SOURCE or --history DIR, not both")
    if output not in HISTORY_FORMATS:
        raise UsageError(f"--history prints {', '.join(HISTORY_FORMATS)}, not {output}")
    refused = [f"--{name.replace('_file', '').replace('_', '-')}" for name in _ONE_REPORT_ONLY if given.get(name)]
    if refused:
        raise UsageError(f"{', '.join(refused)} apply to one audit, not to --history")
    with progress_bar(show_progress(), "auditing snapshots") as bar:
        tell = None if bar is None else (lambda done, total, _name: bar(done, total))
        history = audit_history(folder, checks, progress=tell)
    if output == "json":
        emit_json(history.to_json())
    elif output == "csv":
        sys.stdout.write(history.to_csv())
    else:
        _print_table(history)
