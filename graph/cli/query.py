"""Query commands: load, stats, search, show, neighbours, path."""

from __future__ import annotations

import json
from typing import Any

import click

from graph.cli.base import (
    cli,
    emit_json,
    format_option,
    neo4j_options,
    open_source,
    print_table,
    source_options,
    stderr,
    stdout,
)
from graph.errors import NoPath, UsageError
from graph.kinds import EDGE_TYPES, EdgeType
from graph.neo4j.config import display_uri
from graph.protocol import DIRECTIONS, GraphStore, check_direction, check_edge_types
from graph.text import plain_links


def _edge_types(value: str) -> tuple[EdgeType, ...]:
    return check_edge_types([part.strip() for part in value.split(",") if part.strip()])


edge_types_option = click.option(
    "--edge-types",
    default="related",
    show_default=True,
    metavar="TYPES",
    help=f"Comma-separated edge types to follow: {', '.join(EDGE_TYPES)}.",
)
direction_option = click.option(
    "--direction",
    type=click.Choice(DIRECTIONS),
    default="both",
    show_default=True,
    help="both ignores link direction; out follows links as authored; in walks them backwards.",
)


@cli.command()
@source_options
@click.option("--to", "to", metavar="URI", help="Also write it into Neo4j (neo4j://, bolt://, ...) as --dataset.")
@click.option("--replace", is_flag=True, help="With --to: make the dataset exactly SOURCE (drops what it lacks).")
@format_option("table", "json")
def load(output: str, to: str | None, replace: bool, **params: Any) -> None:
    """Load SOURCE, validate it and summarise what it holds (and write it into Neo4j with --to)."""
    if to:
        store = _load_into_neo4j(to, replace, params)
    elif replace:
        raise UsageError("--replace only applies with --to URI")
    else:
        store = open_source(params)
    glossary = store.glossary()
    stats = store.stats()
    summary = {
        "source": glossary.source,
        "format": glossary.format,
        "dialect": glossary.dialect,
        **stats.to_json(),
        "problems": [str(p) for p in glossary.problems],
        "link_forms": glossary.link_forms(),
        "ignored_links": {key: n for key, n in sorted(glossary.counts.items()) if key.endswith("_links")},
        "warnings": [str(p) for p in glossary.warnings],
        "skipped": [str(p) for p in glossary.skipped],
    }
    if output == "json":
        emit_json(summary)
        return
    written = f", {glossary.dialect}" if glossary.dialect else ""
    stdout.print(f"loaded {stats.concepts} concepts from {glossary.source} ({glossary.format}{written})", markup=False)
    _print_stats(summary)
    forms = summary["link_forms"]
    # One line per form of link, so a user sees at once when a glossary's links were not recognised.
    stdout.print(
        "links read: " + ", ".join(f"{n:,} {form.replace('_', ' ')}" for form, n in forms.items()), markup=False
    )
    if summary["ignored_links"]:
        stdout.print(
            "not concept links: "
            + ", ".join(
                f"{n:,} {key.removesuffix('_links').replace('_', ' ')}" for key, n in summary["ignored_links"].items()
            ),
            markup=False,
        )
    for title, entries in (("warnings", summary["warnings"]), ("not concepts", summary["skipped"])):
        if entries:
            stdout.print(f"{title} ({len(entries)}):", markup=False)
            for entry in entries:
                stdout.print(f"  {entry}", markup=False)


def _load_into_neo4j(uri: str, replace: bool, params: dict[str, Any]) -> GraphStore:
    """Load SOURCE locally, then write it into the Neo4j dataset; the Neo4j store answers the summary."""
    from graph.neo4j import Neo4jStore
    from graph.stores import is_neo4j_uri

    dataset = params.pop("dataset", None)
    if not dataset:
        raise UsageError("--to needs --dataset NAME")
    if not is_neo4j_uri(uri):
        raise UsageError(f"--to expects a neo4j://, neo4j+s:// or bolt:// URI, not {uri!r}")
    local = open_source(params)
    target = Neo4jStore.connect(uri, dataset=dataset, **neo4j_options(params))
    counts = target.load(local.glossary(), replace=replace)
    how = "replaced" if replace else ("merged into" if counts["merged"] else "written to")
    stderr.print(f"{how} Neo4j dataset {dataset!r} at {display_uri(uri)}: {counts['concepts']} concepts, "
                 f"{counts['related']} related edges in {counts['seconds']:.1f} s", markup=False)
    return target


@cli.command()
@source_options
@format_option("table", "json")
def stats(output: str, **params: Any) -> None:
    """Count concepts, links, broader links, aliases, categories and broken links."""
    data = open_source(params).stats().to_json()
    if output == "json":
        emit_json(data)
    else:
        _print_stats(data)


def _print_stats(data: dict[str, Any]) -> None:
    rows = [(key.replace("_", " "), value) for key, value in data.items() if isinstance(value, int)]
    print_table(None, ["", "count"], rows)


@cli.command()
@source_options
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most results.")
@format_option("table", "json")
def search(query: str, limit: int, output: str, **params: Any) -> None:
    """Find concepts by title or alias (exact first, then fuzzy); exit 1 when nothing matches."""
    hits = open_source(params).search(query, limit)
    if output == "json":
        emit_json({"query": query, "results": [h.to_json() for h in hits]})
    else:
        print_table(f"search: {query}", ["id", "title", "matched", "score"],
                    [(h.id, h.title, h.matched, f"{h.score:g}") for h in hits])
    if not hits:
        raise click.exceptions.Exit(1)


@cli.command()
@source_options
@click.argument("concept")
@format_option("table", "json")
def show(concept: str, output: str, **params: Any) -> None:
    """Show a concept (by id, title or alias) with its links and backlinks."""
    view = open_source(params).concept(concept)
    if output == "json":
        emit_json(view.to_json())
        return
    c = view.concept
    rows: list[tuple[str, str]] = [
        ("id", c.id),
        ("title", c.title),
        ("definition", plain_links(c.definition)),
        ("aliases", ", ".join(c.aliases)),
        ("category", ", ".join(c.categories)),
        ("level", c.level or ""),
        ("published", c.published or ""),
        ("sources", "\n".join(f"{s.title} {s.url}".strip() for s in c.sources)),
        ("links", ", ".join(f"{view.titles.get(i, i)} ({i})" for i in view.links)),
        ("backlinks", ", ".join(f"{view.titles.get(i, i)} ({i})" for i in view.backlinks)),
    ]
    if view.broader or view.narrower:
        rows.append(("broader", ", ".join(f"{view.titles.get(i, i)} ({i})" for i in view.broader)))
        rows.append(("narrower", ", ".join(f"{view.titles.get(i, i)} ({i})" for i in view.narrower)))
    if c.deprecated:
        rows.append(("deprecated", f"yes, replaced by {c.replaced_by}" if c.replaced_by else "yes"))
    if view.broken:
        rows.append(("broken", ", ".join(view.broken)))
    for key, value in c.attributes.items():
        # Source fields the model has no place for (a field in an unexpected shape, kept aside on load).
        rows.append((key, json.dumps(value, ensure_ascii=False, default=str)))
    if c.origin:
        rows.append(("origin", str(c.origin)))
    print_table(c.title, ["field", "value"], rows)


@cli.command()
@source_options
@click.argument("concept")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 6), help="Hops from the concept.")
@edge_types_option
@direction_option
@click.option("--limit", default=300, show_default=True, type=click.IntRange(1, 100_000), help="Most nodes.")
@format_option("table", "json")
def neighbours(
    concept: str, depth: int, edge_types: str, direction: str, limit: int, output: str, **params: Any
) -> None:
    """List the concepts (and aliases, categories, missing targets) around a concept."""
    hood = open_source(params).neighbourhood(concept, depth, _edge_types(edge_types), check_direction(direction), limit)
    if output == "json":
        emit_json(hood.to_json())
        return
    note = f" (showing {len(hood.nodes)} of {hood.total})" if hood.truncated else ""
    print_table(
        f"within {depth} of {hood.center}{note}",
        ["distance", "id", "kind", "title", "category"],
        [(n.distance, n.id, n.kind, n.title, n.category or "") for n in hood.nodes],
    )


@cli.command()
@source_options
@click.argument("from_", metavar="FROM")
@click.argument("to")
@click.option("-k", "k", default=3, show_default=True, type=click.IntRange(1, 100), help="How many paths.")
@click.option("--max-length", default=6, show_default=True, type=click.IntRange(1, 12), help="Most hops.")
@edge_types_option
@direction_option
@click.option("--avoid", multiple=True, metavar="CONCEPT", help="A concept no path may pass through (repeatable).")
@format_option("table", "json")
def path(
    from_: str,
    to: str,
    k: int,
    max_length: int,
    edge_types: str,
    direction: str,
    avoid: tuple[str, ...],
    output: str,
    **params: Any,
) -> None:
    """Find the k shortest paths between two concepts; exit 1 when there is none."""
    store = open_source(params)
    found = store.paths(from_, to, k, max_length, _edge_types(edge_types), check_direction(direction), avoid)
    if output == "json":
        emit_json({
            "from": store.resolve(from_),
            "to": store.resolve(to),
            "paths": [p.to_json() for p in found],
        })
    else:
        titles = {}
        for p in found:
            for concept_id in p.concepts:
                if concept_id not in titles:
                    titles[concept_id] = _title(store, concept_id)
        for number, p in enumerate(found, 1):
            stdout.print(f"path {number} ({p.length} hops)", style="bold", markup=False)
            stdout.print(f"  {titles[p.concepts[0]]}", markup=False)
            for hop in p.hops:
                # A narrower hop is a broader link walked down: it reads forward along the path.
                arrow = f"--{hop.label}-->" if hop.forward or hop.type == "narrower" else f"<--{hop.label}--"
                stdout.print(f"    {arrow} {titles[hop.target]}", markup=False)
    if not found:
        if output != "json":
            raise NoPath(f"no path from {from_!r} to {to!r} within {max_length} hops")
        raise click.exceptions.Exit(1)


def _title(store: Any, node_id: str) -> str:
    if ":" in node_id and node_id.split(":", 1)[0] in ("alias", "category", "missing"):
        return node_id
    return f"{store.concept(node_id).concept.title} ({node_id})"
