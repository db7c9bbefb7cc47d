"""`glossgraph fix`: safe repairs of what the audit finds, as a diff or written in place."""

from __future__ import annotations

__all__ = ["fix"]

import sys
from typing import Any

import click

from graph.cli.base import cli, open_source, source_options, stderr
from graph.errors import UsageError
from graph.fix import FIXABLE, apply, plan_fixes
from graph.stores import is_neo4j_uri


@cli.command()
@source_options
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="NAME[,NAME]",
    help=f"Repair only these checks' findings (repeatable): {', '.join(FIXABLE)}.",
)
@click.option("--write", is_flag=True, help="Apply the repairs (each file atomically, only if unchanged since read).")
def fix(checks: tuple[str, ...], write: bool, **params: Any) -> None:
    """Repair alias links, self and duplicate links, and broken links with one close match.

    With --check one_way_links or unlinked_mentions, also add the missing links back or link the
    first mentions. Prints a unified diff (a dry
    run) unless --write; each file's diff starts with why it changes.
    """
    if is_neo4j_uri(params["source"]):
        raise UsageError("fix edits the glossary's files: give its file or folder, not a Neo4j dataset")
    store = open_source(params)
    try:
        plan = plan_fixes(store.glossary(), checks or None)
    finally:
        store.close()
    for edit, reason in plan.skipped():
        stderr.print(f"skipped {edit.file}:{edit.line} {edit.check} {edit.written!r}: {reason}", markup=False)
    changed = plan.changed
    if not write:
        sys.stdout.write("".join(file.diff() for file in changed))
        stderr.print(f"{len(changed)} file(s) would change; run with --write to apply", markup=False)
        return
    written = apply(plan)
    for file in changed:
        stderr.print(f"fixed {file.name}: {len(file.made)} repair(s)", markup=False)
    stderr.print(f"{len(written)} file(s) written", markup=False)
