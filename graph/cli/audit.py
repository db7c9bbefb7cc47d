"""`glossgraph audit` and `glossgraph suggest`: the link-coverage audit and link suggestions."""

from __future__ import annotations

__all__ = ["CSV_COLUMNS", "audit", "suggest"]

import queue
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

import click

from graph import __version__
from graph.audit import CHECKS, METRICS, AuditReport, check_names, load_allow_list, run_audit
from graph.audit.formats import github_commands, junit_xml, located, sarif_log
from graph.audit.report import CSV_COLUMNS
from graph.cli.base import (
    cli,
    emit_json,
    format_option,
    open_source,
    optional_source_options,
    print_table,
    source_options,
    stderr,
    stdout,
)
from graph.errors import GlossgraphError, UsageError
from graph.stores import is_neo4j_uri
from graph.suggest import suggest as suggest_links
from graph.watch import SourceWatchers


def _examples(report: AuditReport, check: str, how_many: int = 2) -> str:
    shown = [located(check, f) for f in report.open_findings(check)[:how_many]]
    more = report.open_count(check) - len(shown)
    return "; ".join(shown) + (f"; … {more} more" if more > 0 else "")


def _print_table(report: AuditReport) -> None:
    from rich.table import Table
    from rich.text import Text

    totals = report.totals
    # One line per check, so the summary fits on one screen: long examples are cut, not wrapped.
    table = Table(title=f"audit: {totals['concepts']} concepts, {totals['links']} links", header_style="bold")
    widths = (max(len(c) for c in report.checks), 8, 5, 7)
    for name, width in zip(("check", "severity", "count", "allowed"), widths, strict=True):
        table.add_column(name, no_wrap=True, width=width, justify="left" if name in ("check", "severity") else "right")
    # What is left of the screen after the fixed columns, their padding and the six borders.
    table.add_column("examples", no_wrap=True, overflow="ellipsis", max_width=max(12, stdout.width - sum(widths) - 16))
    for check in report.checks:
        table.add_row(
            check, report.severity[check], str(report.count(check)), str(report.allowed_count(check)),
            Text(_examples(report, check)),
        )
    stdout.print(table)
    coverage = ", ".join(
        f"{name.removeprefix('share_')} {'n/a' if totals[name] is None else format(totals[name], '.1%')}"
        for name in METRICS
    )
    stdout.print(f"coverage: {coverage}", markup=False)


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _print_markdown(report: AuditReport) -> None:
    totals = report.totals
    lines = [
        "# Link audit",
        "",
        f"{totals['concepts']} concepts, {totals['links']} links.",
        "",
        "| check | severity | count | allowed |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {c} | {report.severity[c]} | {report.count(c)} | {report.allowed_count(c)} |" for c in report.checks
    ]
    lines += ["", "| coverage | share |", "|---|---:|"]
    lines += [f"| {m} | {'n/a' if totals[m] is None else format(totals[m], '.1%')} |" for m in METRICS]
    for check in report.checks:
        if not report.count(check):
            continue
        lines += ["", f"## {check} ({report.count(check)})", ""]
        for finding, allowed in zip(report.findings[check], report.allowed[check], strict=True):
            lines.append(f"- {_md(located(check, finding))}" + (" *(allowed)*" if allowed else ""))
    sys.stdout.write("\n".join(lines) + "\n")


@cli.command()
@optional_source_options
@format_option("table", "markdown", "csv", "json", "github", "sarif", "junit")
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="NAME[,NAME]",
    help=f"Run only these checks (repeatable): {', '.join(CHECKS)}.",
)
@click.option("--allow", "allow_file", type=click.Path(dir_okay=False), help="YAML file of accepted findings.")
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    metavar="CHECK[,CHECK]",
    help="Exit 1 when these checks have findings that are not allowed; also a level (error, warning, info: "
    "that level or worse) or any.",
)
@click.option("--worklist", "worklist_limit", type=click.IntRange(0), default=20, show_default=True,
              help="Items per worklist list (json).")
@click.option("--docs-url", envvar="GLOSSGRAPH_DOCS_URL", metavar="URL",
              help="Where glossgraph's docs/audit.md is published: each SARIF rule links to its check's anchor "
              "there [env GLOSSGRAPH_DOCS_URL; default: the package's Documentation URL, else this checkout's "
              "docs/audit.md as a file: URI, else no link].")
@click.option("--history", "history_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Instead of SOURCE: audit every snapshot in DIR and print each check's count per date "
              "(table, json or csv).")
@click.option("--watch", is_flag=True,
              help="Audit again each time a file of the source changes, until Ctrl-C (exit code: the last run's).")
def audit(output: str, checks: tuple[str, ...], allow_file: str | None, fail_on: tuple[str, ...],
          worklist_limit: int, docs_url: str | None, history_dir: str | None, watch: bool, **params: Any) -> None:
    """Audit the link coverage of a glossary (orphans, broken links, unlinked mentions, ...).

    Every finding of a file or folder source names its file and line. github, sarif and junit are
    for CI: workflow annotations, a code-scanning upload, a test report. With --history DIR, each
    check's count across the dated snapshots in DIR.
    """
    chosen = check_names(checks or None)
    if history_dir is not None:
        from graph.cli.history import print_history

        if watch:
            raise UsageError("--watch follows a source's files; --history reads a folder of snapshots once")

        print_history(history_dir, output, chosen, params.get("source"),
                      {"allow_file": allow_file, "fail_on": fail_on, **params})
        return
    if not params.get("source"):
        raise UsageError("give the glossary to audit (SOURCE), or --history DIR")
    run = partial(_audit_once, output, chosen, allow_file, fail_on, worklist_limit, docs_url, params)
    if not watch:
        code = run()
        if code:
            raise click.exceptions.Exit(code)
        return
    if is_neo4j_uri(params["source"]):
        raise UsageError("--watch follows the files of a file or folder source, not a Neo4j dataset")
    raise click.exceptions.Exit(_watch(run, params["source"]))


def _watch(run: Callable[[], int], source: str) -> int:
    """Audit now and after each change until Ctrl-C; the exit code of the last audit that finished."""
    batches: queue.Queue[list[str]] = queue.Queue()
    watchers = SourceWatchers()
    # Watching starts before the first audit, so a change saved while it runs is not missed.
    watchers.ensure(source, lambda _location, changed: batches.put(changed))
    code = 130  # interrupted before the first audit finished
    try:
        code = run()  # a source that does not load at all ends the command, as without --watch
        while True:
            sys.stdout.flush()
            stderr.print("watching for changes (Ctrl-C to stop)", markup=False)
            changed = set(batches.get())
            while not batches.empty():  # changes seen while the last audit ran: one more audit for all
                changed.update(batches.get())
            names = sorted(changed)
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            stderr.print(f"changed: {shown}; auditing again", markup=False)
            try:
                code = run()
            except (GlossgraphError, OSError) as error:  # a file saved half-way: say so and wait for the next save
                stderr.print(f"error: {error}", markup=False)
                code = error.exit_code if isinstance(error, GlossgraphError) else 2
    except KeyboardInterrupt:
        return code
    finally:
        watchers.stop()


def _audit_once(output: str, chosen: tuple[str, ...], allow_file: str | None, fail_on: tuple[str, ...],
                worklist_limit: int, docs_url: str | None, params: dict[str, Any]) -> int:
    """Load the source, audit it, print the report; the exit code (1 when a --fail-on check has findings)."""
    allow = load_allow_list(allow_file) if allow_file else None
    store = open_source(params)
    try:
        report = run_audit(store, chosen, allow, worklist_limit=worklist_limit)
    finally:
        store.close()
    failing = report.fail_on(fail_on)
    if output == "json":
        emit_json(report.to_json())
    elif output == "csv":
        sys.stdout.write(report.to_csv())
    elif output == "github":
        commands = github_commands(report)
        sys.stdout.write("".join(line + "\n" for line in commands))
    elif output == "sarif":
        emit_json(sarif_log(report, version=__version__, docs_url=docs_url))
    elif output == "junit":
        sys.stdout.write(junit_xml(report))
    elif output == "markdown":
        _print_markdown(report)
    else:
        _print_table(report)
    if failing:
        listed = ", ".join(f"{check} ({count})" for check, count in failing.items())
        stderr.print(f"audit failed: {listed}", markup=False)
        return 1
    return 0


@cli.command()
@source_options
@format_option("table", "json")
@click.argument("concept", required=False)
@click.option("--limit", type=click.IntRange(1), default=5, show_default=True, help="Suggestions per concept.")
def suggest(output: str, concept: str | None, limit: int, **params: Any) -> None:
    """Suggest the links each concept (or one CONCEPT) most likely lacks, with the reasons."""
    store = open_source(params)
    try:
        result = suggest_links(store, concept, limit=limit)
    finally:
        store.close()
    if output == "json":
        emit_json({"concept": result.concept, "suggestions": [s.to_json() for s in result.suggestions]})
        return
    print_table(
        "link suggestions",
        ("source", "target", "title", "score", "reasons"),
        [(s.source, s.target, s.title, f"{s.score:.2f}", "; ".join(s.reasons)) for s in result.suggestions],
    )
