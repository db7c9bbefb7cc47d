"""`glossgraph generate`: write a synthetic glossary of any size (benchmarks, scale tests, demos)."""

from __future__ import annotations

__all__ = ["generate"]

import json
import time
from pathlib import Path

import click

from graph.cli.base import cli, stderr
from graph.errors import UsageError
from graph.synthetic import write_jsonl, write_markdown


@cli.command()
@click.option("--size", type=click.IntRange(min=1), default=1000, show_default=True, help="Number of concepts.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(path_type=Path),
    help="File (jsonl) or folder (markdown) to write.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "markdown"]), default="jsonl", show_default=True,
    help="One JSON concept per line, or a folder of Markdown files with front matter.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file or write into a non-empty folder.")
@click.option("--json", "as_json", is_flag=True, help="Print what was generated as JSON on stdout.")
def generate(size: int, seed: int, output: Path, fmt: str, force: bool, as_json: bool) -> None:
    """Write a synthetic glossary: realistic terms, skewed links, some broken, self and one-way links."""
    if output.exists() and not force and (fmt == "jsonl" or output.is_file() or any(output.iterdir())):
        raise UsageError(f"{output} already exists; pass --force to overwrite it")
    started = time.perf_counter()
    try:
        if fmt == "jsonl":
            if output.is_dir():
                raise UsageError(f"{output} is a folder; the jsonl format writes one file")
            output.parent.mkdir(parents=True, exist_ok=True)
            summary = write_jsonl(output, size, seed)
        else:
            if output.is_file():
                raise UsageError(f"{output} is a file; the markdown format writes a folder")
            summary = write_markdown(output, size, seed)
    except ValueError as error:
        raise UsageError(str(error)) from error
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({**summary.to_json(), "output": str(output), "format": fmt}, indent=2))
    else:
        stderr.print(
            f"wrote {size:,} concepts, {summary.references:,} references ({summary.broken:,} broken, "
            f"{summary.self_links:,} self) to {output} in {elapsed:.1f} s",
            markup=False,
        )
