"""Draw parts of the concept graph as a self-contained, offline HTML page (pyvis / vis-network).

Shared by the app (embedded with ``st.components.v1.html``) and the standalone HTML export.

Safety: glossary text reaches the page only as JSON data inside the script (Jinja's ``tojson``
escapes ``<``, ``>``, ``&`` and quotes, so nothing can close the ``<script>``) and as HTML-escaped
text in the legend and note. vis-network draws labels on a canvas (never HTML); tooltips are
turned into DOM elements filled with ``textContent`` before vis sees them, so a tooltip is plain
text whatever vis-network version is inlined (older ones rendered a string ``title`` as HTML).
Text is therefore shown literally: a concept called ``<img src=x onerror=alert(1)>`` appears as
exactly that, and nothing runs.

Offline: the vis-network script and stylesheet are inlined from the pyvis package; the page
loads nothing from the network.

Layout: physics runs a bounded number of stabilisation iterations, then is switched off
(``stabilizationIterationsDone``), with a time cap as a backstop, so the picture settles within
about two seconds and stays still.
"""

from __future__ import annotations

__all__ = [
    "EDGE_STYLES",
    "KIND_STYLES",
    "MAX_NODES",
    "PALETTE",
    "DrawEdge",
    "DrawNode",
    "category_colours",
    "concept_degrees",
    "draw_neighbourhood",
    "draw_paths",
    "network_html",
    "render_html",
]

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from graph.kinds import Direction, EdgeType
from graph.model import Concept
from graph.protocol import ConceptPath, GraphStore, Neighbourhood
from graph.text import plain_links
from graph.util import paused_gc

#: Most nodes drawn at once; beyond this the picture says "showing N of M".
MAX_NODES = 300

#: Colours for categories (assigned in sorted category order, so a category keeps its colour).
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#86bcb6", "#d37295", "#8cd17d", "#b6992d", "#499894", "#f1ce63", "#a0cbe8",
)
_NO_CATEGORY = "#bab0ac"

#: How each node kind looks: (shape, colour override or None, legend text).
KIND_STYLES: dict[str, tuple[str, str | None, str]] = {
    "concept": ("dot", None, "concept (colour: category, size: degree)"),
    "alias": ("triangle", "#c7c7c7", "alias"),
    "category": ("hexagon", "#8f8f8f", "category"),
    "missing": ("square", "#ffffff", "missing target (broken link)"),
}

#: How each edge type looks: (dashes, colour, legend text).
EDGE_STYLES: dict[str, tuple[bool | list[int], str, str]] = {
    "related": (False, "#6b6b6b", "related (arrow as authored)"),
    "broader": ([10, 5], "#1f5fa8", "broader (arrow towards the parent)"),
    "alias": ([4, 4], "#a9a9a9", "alias of"),
    "category": ([2, 6], "#8f8f8f", "in category"),
}

_PYVIS_LIB = Path(pyvis.__file__).parent / "templates" / "lib"
_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class DrawNode:
    """A node to draw: its key, what it shows, and how it is marked."""

    id: str
    label: str
    kind: str = "concept"
    category: str | None = None
    tooltip: str = ""
    degree: int = 0
    orphan: bool = False
    center: bool = False


@dataclass(frozen=True, slots=True)
class DrawEdge:
    """An edge to draw, as authored."""

    source: str
    target: str
    type: str = "related"


def category_colours(categories: Iterable[str | None]) -> dict[str, str]:
    """A colour per category, assigned in sorted order so the same glossary always gets the same colours.

    >>> category_colours(["b", "a", None, "a"])
    {'a': '#4e79a7', 'b': '#f28e2b'}
    """
    names = sorted({c for c in categories if c})
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


@cache
def _assets() -> tuple[str, str]:
    """The vis-network script and stylesheet bundled with pyvis, read once.

    The stylesheet's rules with embedded images (data: URLs, over 90% of its 220 KB) style the
    editing and navigation buttons, which these pages never show; they are left out.
    """
    lib = _PYVIS_LIB / "vis-9.1.2"
    script = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    style = "".join(rule for rule in re.findall(r"[^{}]+\{[^{}]*\}", css) if "data:image" not in rule)
    return script, style


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("network.html")


def _node_size(node: DrawNode) -> float:
    # Area grows with degree; capped so one hub cannot cover the picture.
    if node.kind != "concept":
        return 10.0
    return round(10 + min(node.degree, 40) ** 0.5 * 4, 2)


def network_html(
    nodes: Sequence[DrawNode],
    edges: Sequence[DrawEdge],
    *,
    colours: Mapping[str, str] | None = None,
    total: int | None = None,
    max_nodes: int = MAX_NODES,
    height: int = 560,
    heading: str = "",
    legend: bool = True,
) -> str:
    """A complete HTML page drawing these nodes and edges, offline and with every text escaped.

    Nodes beyond ``max_nodes`` are dropped (with their edges) and the page says "showing N of M",
    where M is ``total`` when the caller already cut the list.
    """
    colours = dict(colours) if colours is not None else category_colours(n.category for n in nodes)
    full = max(total or 0, len(nodes))
    kept = list(nodes[:max_nodes])
    kept_ids = {n.id for n in kept}
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    for node in kept:
        shape, override, _ = KIND_STYLES.get(node.kind, KIND_STYLES["concept"])
        colour = override or colours.get(node.category or "", _NO_CATEGORY)
        options: dict[str, Any] = {
            "title": node.tooltip or node.label,
            "size": _node_size(node),
            "kind": node.kind,
            "center": node.center,
            "borderWidth": 4 if node.center else 3 if node.orphan else 2 if node.kind == "missing" else 1,
        }
        if node.kind == "missing" or node.orphan:
            # Dashed outline marks what is not reached by any link (orphan) or does not exist (missing).
            options["shapeProperties"] = {"borderDashes": [4, 3]}
        border = "#111111" if node.center else ("#d62728" if node.kind == "missing" or node.orphan else colour)
        net.add_node(
            node.id,
            label=node.label,
            shape=shape,
            color={"background": colour, "border": border, "highlight": {"background": colour, "border": "#111111"}},
            **options,
        )
    for edge in edges:
        if edge.source in kept_ids and edge.target in kept_ids:
            dashes, colour, _ = EDGE_STYLES.get(edge.type, EDGE_STYLES["related"])
            net.add_edge(edge.source, edge.target, dashes=dashes, color=colour, arrows="to", type=edge.type)
    nodes_data, edges_data, *_ = net.get_network_data()
    options = {
        "nodes": {"font": {"size": 14, "face": "sans-serif"}},
        "edges": {"smooth": False, "arrows": {"to": {"scaleFactor": 0.5}}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "physics": {
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 120, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 250, "updateInterval": 25, "fit": True},
            "minVelocity": 1.0,
        },
    }
    kinds = sorted({n.kind for n in kept}, key=list(KIND_STYLES).index)
    used_types = sorted({e.type for e in edges if e.source in kept_ids and e.target in kept_ids},
                        key=list(EDGE_STYLES).index)
    shown_categories = sorted({n.category for n in kept if n.kind == "concept" and n.category})
    legend_items = {
        "categories": [(name, colours.get(name, _NO_CATEGORY)) for name in shown_categories],
        "uncategorised": any(n.kind == "concept" and not n.category for n in kept),
        "no_category_colour": _NO_CATEGORY,
        "kinds": [(KIND_STYLES[k][2], k) for k in kinds if k != "concept"],
        "edges": [(EDGE_STYLES[t][2], t) for t in used_types],
        "orphans": any(n.orphan for n in kept),
    }
    script, style = _assets()
    return _template().render(
        nodes=nodes_data,
        edges=edges_data,
        options=options,
        height=height,
        heading=heading,
        shown=len(kept),
        total=full,
        legend=legend_items if legend else None,
        vis_js=_markup(script),
        vis_css=_markup(style),
    )


def _markup(text: str) -> Markup:
    # Trusted assets from the pyvis package: inlined as they are.
    return Markup(text)


def _tooltip(concept: Concept | None, fallback: str, kind: str) -> str:
    if concept is None:
        return {"missing": f"{fallback}\n(broken link: no concept has this name)", "alias": f"alias: {fallback}",
                "category": f"category: {fallback}"}.get(kind, fallback)
    lines = [concept.title]
    if concept.category:
        lines.append(f"category: {concept.category}")
    if concept.definition:
        # A reader wants the link text, not the [text](target.md) markup around it.
        definition = plain_links(concept.definition)
        lines.append(definition if len(definition) <= 300 else definition[:297] + "...")
    return "\n".join(lines)


def concept_degrees(store: GraphStore) -> tuple[dict[str, int], set[str]]:
    """Degree (distinct linked concepts, either direction) of every concept, and the orphans (no incoming link)."""
    incoming: set[str] = set()
    with paused_gc():  # a set per concept, none freed before the end: nothing for the collector to find
        neighbours: dict[str, set[str]] = {label.id: set() for label in store.labels()}
        for source, target in store.link_pairs():
            neighbours[source].add(target)
            neighbours[target].add(source)
            incoming.add(target)
    return {k: len(v) for k, v in neighbours.items()}, set(neighbours) - incoming


def draw_neighbourhood(
    store: GraphStore,
    neighbourhood: Neighbourhood,
    *,
    degrees: Mapping[str, int] | None = None,
    orphans: Iterable[str] | None = None,
    colours: Mapping[str, str] | None = None,
    height: int = 560,
    max_nodes: int = MAX_NODES,
    heading: str = "",
) -> str:
    """The HTML of a neighbourhood: centre outlined, colour by category, size by degree, orphans and missing marked."""
    if degrees is None or orphans is None:
        degrees, found_orphans = concept_degrees(store)
        orphans = found_orphans if orphans is None else orphans
    orphan_set = set(orphans)
    # Only the concepts drawn: their tooltips need the definition (a server store reads just these).
    concepts = {c.id: c for c in store.concepts([n.id for n in neighbourhood.nodes if n.kind == "concept"])}
    if colours is None:
        colours = category_colours(label.category for label in store.labels())
    nodes = [
        DrawNode(
            id=n.id,
            label=n.title,
            kind=n.kind,
            category=n.category,
            tooltip=_tooltip(concepts.get(n.id) if n.kind == "concept" else None, n.title, n.kind),
            degree=degrees.get(n.id, 0),
            orphan=n.kind == "concept" and n.id in orphan_set,
            center=n.id == neighbourhood.center,
        )
        for n in neighbourhood.nodes
    ]
    edges = [DrawEdge(e.source, e.target, e.type) for e in neighbourhood.edges]
    return network_html(nodes, edges, colours=colours, total=neighbourhood.total, height=height, max_nodes=max_nodes,
        heading=heading,
    )


def draw_paths(
    store: GraphStore,
    paths: Sequence[ConceptPath],
    *,
    degrees: Mapping[str, int] | None = None,
    colours: Mapping[str, str] | None = None,
    height: int = 460,
) -> str:
    """The HTML of several paths drawn together; the two ends are outlined, edges keep their authored direction."""
    if colours is None:
        colours = category_colours(label.category for label in store.labels())
    degrees = degrees or {}
    ends = {p.concepts[0] for p in paths} | {p.concepts[-1] for p in paths}
    order: dict[str, None] = {}
    for path in paths:
        order.update(dict.fromkeys(path.concepts))
    concepts = {c.id: c for c in store.concepts(list(order))}
    nodes = []
    for concept_id in order:
        concept = concepts.get(concept_id)
        nodes.append(
            DrawNode(
                id=concept_id,
                label=concept.title if concept else concept_id,
                category=concept.category if concept else None,
                tooltip=_tooltip(concept, concept_id, "concept"),
                degree=degrees.get(concept_id, 0),
                center=concept_id in ends,
            )
        )
    edges: dict[tuple[str, str, str], None] = {}
    for path in paths:
        for hop in path.hops:
            source, target = (hop.source, hop.target) if hop.forward else (hop.target, hop.source)
            # Drawn as authored: a narrower hop is a broader link from the child to its parent.
            edges[(source, target, "broader" if hop.type == "narrower" else hop.type)] = None
    return network_html(nodes, [DrawEdge(*e) for e in edges], colours=colours, height=height)


def render_html(
    store: GraphStore,
    *,
    center: str | None = None,
    depth: int = 1,
    edge_types: Sequence[EdgeType] | None = None,
    direction: Direction = "both",
    max_nodes: int = MAX_NODES,
    heading: str = "",
) -> str:
    """A standalone HTML view: a concept's neighbourhood, or (no centre) the concepts and their related links.

    This is what the HTML export writes; without a centre the best-connected concepts are kept
    first when the glossary has more than ``max_nodes``.
    """
    degrees, orphans = concept_degrees(store)
    if center is not None:
        neighbourhood = store.neighbourhood(center, depth, edge_types, direction, limit=max_nodes)
        return draw_neighbourhood(
            store, neighbourhood, degrees=degrees, orphans=orphans, max_nodes=max_nodes, heading=heading
        )
    concepts = store.glossary().concepts
    colours = category_colours(c.category for c in concepts)
    ranked = sorted(concepts, key=lambda c: (-degrees.get(c.id, 0), c.id))
    kept = {c.id for c in ranked[:max_nodes]}
    nodes: list[DrawNode] = [
        DrawNode(c.id, c.title, "concept", c.category, _tooltip(c, c.id, "concept"), degrees.get(c.id, 0),
                 c.id in orphans)
        for c in ranked[:max_nodes]
    ]
    edges: dict[tuple[str, str], None] = {}
    missing: dict[str, str] = {}
    for link in store.links():
        if link.kind == "broader" or link.source not in kept or link.source == link.target:
            continue
        if link.target is None:
            key = "missing:" + link.key
            missing.setdefault(key, link.written)
            edges[(link.source, key)] = None
        elif link.target in kept:
            edges[(link.source, link.target)] = None
    room = max(0, max_nodes - len(nodes))
    for key, written in sorted(missing.items())[:room]:
        nodes.append(DrawNode(key, written, "missing", None, _tooltip(None, written, "missing")))
    return network_html(
        nodes,
        [DrawEdge(s, t) for s, t in edges],
        colours=colours,
        total=len(concepts) + len(missing),
        max_nodes=max_nodes,
        height=760,
        heading=heading,
    )
