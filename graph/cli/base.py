"""The CLI's shared parts: the command group, source options, output helpers and error handling."""

from __future__ import annotations

__all__ = [
    "cli",
    "emit_json",
    "format_option",
    "lang_option",
    "open_glossary_or_store",
    "open_source",
    "print_table",
    "run_state",
    "source_options",
    "stderr",
    "stdout",
]

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from graph import __version__
from graph.errors import UsageError
from graph.jsontext import write_indented
from graph.model import Glossary
from graph.protocol import GraphStore
from graph.stores import is_neo4j_uri, load_glossary, open_store

F = TypeVar("F", bound=Callable[..., Any])

stdout = Console(soft_wrap=True, highlight=False)
stderr = Console(stderr=True, soft_wrap=True, highlight=False)


#: What the running command is and whether it was asked for tracebacks (read by main's error handler).
run_state: dict[str, Any] = {"command": None, "debug": False}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="glossgraph")
@click.option("--debug", is_flag=True, envvar="GLOSSGRAPH_DEBUG",
              help="Show the traceback of an unexpected error [env GLOSSGRAPH_DEBUG].")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """glossgraph: explore, audit, export and diff the concept graph of a glossary.

    SOURCE is a file or folder (format detected, or given with --from) or a Neo4j URI
    (neo4j://, neo4j+s://, bolt://) with --dataset NAME.
    """
    run_state["command"] = ctx.invoked_subcommand
    run_state["debug"] = debug


#: --lang: the language of titles and definitions, for every command that loads a source.
lang_option = click.option(
    "--lang", metavar="LANG",
    help="Language of titles and definitions: SKOS, and records with a block per language "
         "(default: en; other languages are kept as translations).",
)


def source_options(func: F) -> F:
    """Add SOURCE and the options that say how to read it (format, field mapping, Neo4j dataset)."""
    options = [
        click.argument("source"),
        click.option("--from", "fmt", metavar="FORMAT", help="Input format (default: detected)."),
        click.option(
            "--field",
            "fields",
            multiple=True,
            metavar="NAME=PATH",
            help="Map a concept field to an input field, dotted for nested ones (repeatable), "
            "e.g. --field related=relationships.related.",
        ),
        click.option(
            "--fields-config",
            type=click.Path(dir_okay=False),
            help="YAML file mapping concept fields to input fields (and loader options).",
        ),
        click.option(
            "--option",
            "loader_options",
            multiple=True,
            metavar="KEY=VALUE",
            help="A loader option (repeatable), e.g. --option wikilink_order=dendron --option exclude='drafts/*'.",
        ),
        click.option("--lenient", is_flag=True, help="Load what is valid and list every problem."),
        lang_option,
        click.option("--dataset", metavar="NAME", help="Dataset name inside a Neo4j database."),
        click.option("--neo4j-user", envvar="NEO4J_USERNAME", help="Neo4j user [env NEO4J_USERNAME]."),
        click.option(
            "--neo4j-password",
            envvar="NEO4J_PASSWORD",
            help="Neo4j password [env NEO4J_PASSWORD]; prefer the variable, it stays out of shell history.",
        ),
        click.option("--neo4j-database", envvar="NEO4J_DATABASE", help="Neo4j database [env NEO4J_DATABASE]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def format_option(*choices: str) -> Callable[[F], F]:
    """Add --format with the given choices (the first is the default)."""
    return click.option(
        "--format",
        "output",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format: tables for people, json for scripts.",
    )


def parse_pairs(pairs: Sequence[str], option: str = "--field", shape: str = "NAME=PATH") -> dict[str, str]:
    """Turn repeated NAME=VALUE options into a mapping, or raise UsageError naming the bad one."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"{option} expects {shape}, got {pair!r}")
        mapping[name.strip()] = value.strip()
    return mapping


def neo4j_options(params: dict[str, Any]) -> dict[str, Any]:
    """The Neo4j connection options given on the command line or in the environment."""
    return {
        key: value
        for key, value in (
            ("user", params.get("neo4j_user")),
            ("password", params.get("neo4j_password")),
            ("database", params.get("neo4j_database")),
        )
        if value
    }


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("loading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, transient=True,
    ) as bar:
        task = bar.add_task("load", total=None)

        def report(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def loader_options(params: dict[str, Any]) -> dict[str, str]:
    """The loader options given with --option KEY=VALUE (and --lang, which SKOS and the record formats know)."""
    options = parse_pairs(params.get("loader_options") or (), "--option", "KEY=VALUE")
    # Loaders refuse options they do not know, so --lang is passed only when given.
    if params.get("lang"):
        options["lang"] = params["lang"]
    return options


def open_source(params: dict[str, Any]) -> GraphStore:
    """Open the store a command's SOURCE options describe; lenient-load problems go to stderr."""
    opened = _open(params, glossary_only=False)
    assert not isinstance(opened, Glossary)
    return opened


def open_glossary_or_store(params: dict[str, Any]) -> GraphStore | Glossary:
    """The glossary of a file or folder SOURCE without building its graph (a Neo4j SOURCE: its store).

    For commands that only read the concepts (exports): the graph would double the memory held.
    """
    return _open(params, glossary_only=True)


def _open(params: dict[str, Any], glossary_only: bool) -> GraphStore | Glossary:
    source = params["source"]
    if is_neo4j_uri(source):
        return open_store(source, dataset=params.get("dataset"), neo4j_options=neo4j_options(params))
    if params.get("dataset"):
        raise UsageError("--dataset only applies to a Neo4j source")
    with _progress(stderr.is_terminal and not os.environ.get("GLOSSGRAPH_NO_PROGRESS")) as progress:
        load_options: dict[str, Any] = {
            "fields": parse_pairs(params.get("fields") or ()),
            "fields_config": params.get("fields_config"),
            "lenient": bool(params.get("lenient")),
            "progress": progress,
            **loader_options(params),
        }
        opened: GraphStore | Glossary = (
            load_glossary(source, params.get("fmt"), **load_options) if glossary_only
            else open_store(source, params.get("fmt"), **load_options)
        )
    glossary = opened if isinstance(opened, Glossary) else opened.glossary()
    problems = glossary.problems
    if problems:
        stderr.print(f"[yellow]skipped {len(problems)} problem(s) (--lenient):[/yellow]")
        for problem in problems:
            stderr.print(f"  {problem}", markup=False)
    for warning in glossary.warnings:
        stderr.print(f"warning: {warning}", markup=False)
    return opened


def emit_json(data: Any) -> None:
    """Print JSON for scripts: UTF-8, indented, nothing else on stdout."""
    # Written in chunks by the fast writer: an audit at 100k concepts is 190 MB of JSON.
    write_indented(data, sys.stdout.write)
    sys.stdout.write("\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table for people; cell text is shown literally (no markup)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else _plain(cell) for cell in row))
    stdout.print(table)


def _plain(cell: Any) -> Any:
    from rich.text import Text

    return Text(str(cell))
