"""Export, snapshot, verify and diff commands: thin front ends over graph.exports, graph.snapshot and graph.diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from graph.cli.base import (
    cli,
    emit_json,
    format_option,
    lang_option,
    open_glossary_or_store,
    open_source,
    print_table,
    source_options,
    stdout,
)
from graph.exports import EXPORT_FORMATS
from graph.snapshot import SnapshotMismatch

force_option = click.option(
    "--force", is_flag=True,
    help="Replace what is at the output path: a plain file (file exports) or an earlier export or snapshot "
    "folder (by its manifest); never a symlink, a device or another folder.",
)


@cli.command()
@source_options
@click.option("--format", "fmt_out", type=click.Choice(EXPORT_FORMATS), required=True,
              help="Export format; csv writes a folder holding nodes.csv and edges.csv.")
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path),
              help="File to write (a folder for csv).")
@click.option("--cypher-dataset", default="glossgraph", show_default=True, metavar="NAME",
              help="Dataset the Cypher script creates.")
@force_option
def export(fmt_out: str, output_path: Path, cypher_dataset: str, force: bool, **params: Any) -> None:
    """Export SOURCE's graph as JSON, GraphML, GEXF, CSV, a Cypher script or an HTML view."""
    from graph.exports import export as write_export

    # Only the HTML view draws from a store; every other format is a function of the concepts.
    store = open_source(params) if fmt_out == "html" else open_glossary_or_store(params)
    written = write_export(store, fmt_out, output_path, force=force, dataset=cypher_dataset,
                           heading=f"Glossary graph: {params['source']}")
    stdout.print(f"wrote {written} ({fmt_out})", markup=False)


@cli.command()
@source_options
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path),
              help="Snapshot folder to create.")
@click.option("--cypher-dataset", default="glossgraph", show_default=True, metavar="NAME",
              help="Dataset the snapshot's Cypher script creates.")
@force_option
def snapshot(output_path: Path, cypher_dataset: str, force: bool, **params: Any) -> None:
    """Write a snapshot folder: every export format, the audit report and manifest.json with SHA-256 hashes."""
    from graph.snapshot import snapshot as write_snapshot

    store = open_source(params)
    manifest = write_snapshot(store, output_path, force=force, source_name=str(params["source"]),
                              dataset=cypher_dataset)
    counts = manifest["counts"]
    stdout.print(f"wrote snapshot {output_path}: {len(manifest['files'])} files, {counts['concepts']} concepts, "
                 f"{counts['links']} links", markup=False)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@format_option("table", "json")
def verify(folder: Path, output: str) -> None:
    """Check a snapshot folder against its manifest; exit 1 naming every changed, missing or extra file and symlink."""
    from graph.snapshot import verify as check

    result = check(folder)
    if output == "json":
        emit_json(result.to_json())
    elif result.ok:
        stdout.print(f"{folder}: all {result.checked} files match the manifest", markup=False)
    else:
        rows = [(name, "changed") for name in result.changed]
        rows += [(name, "missing") for name in result.missing]
        rows += [(name, "extra (not in the manifest)") for name in result.extra]
        rows += [(name, "symbolic link (not followed)") for name in result.symlinks]
        print_table(f"{folder}: snapshot does not match its manifest", ["file", "problem"], rows)
    if not result.ok:
        raise SnapshotMismatch(result)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--from", "fmt", metavar="FORMAT", help="Input format of both sources (default: detected).")
@click.option("--lenient", is_flag=True, help="Load what is valid and list every problem.")
@click.option("--no-audit", is_flag=True, help="Leave out the audit deltas (faster on large glossaries).")
@lang_option
@format_option("table", "markdown", "json")
def diff(a: str, b: str, fmt: str | None, lenient: bool, no_audit: bool, lang: str | None, output: str) -> None:
    """Compare two snapshots or sources A and B: concepts added, removed, changed; links; audit deltas."""
    from graph.diff import diff as compare

    stores = [open_source({"source": s, "fmt": fmt, "lenient": lenient, "lang": lang}) for s in (a, b)]
    result = compare(stores[0], stores[1], audit=not no_audit)
    if output == "json":
        emit_json(result.to_json())
    elif output == "markdown":
        click.echo(result.to_markdown(f"Changes from {a} to {b}"), nl=False)
    elif result.empty:
        stdout.print("no changes", markup=False)
    else:
        print_table(f"Changes from {a} to {b}", ["what", "change", "detail"], result.rows())
