"""The closed vocabularies of the graph as types: edge types, directions, link kinds, node kinds, checks.

Each is a ``Literal`` so that mypy catches a misspelt value at the call site; the tuple beside it
is the same set at run time, in display order.

>>> EDGE_TYPES
('related', 'broader', 'alias', 'category')
>>> "in" in DIRECTIONS
True
"""

from __future__ import annotations

__all__ = [
    "CHECK_NAMES",
    "DIRECTIONS",
    "EDGE_TYPES",
    "LINK_KINDS",
    "NODE_KINDS",
    "CheckName",
    "Direction",
    "EdgeType",
    "LinkKind",
    "NodeKind",
]

from typing import Literal, get_args

#: The kinds of edge in the graph: concept → related concept, concept → its broader (parent) concept,
#: alias label → concept, concept → category.
EdgeType = Literal["related", "broader", "alias", "category"]
EDGE_TYPES: tuple[EdgeType, ...] = get_args(EdgeType)

#: "both" ignores the direction links were authored in; "out" follows them; "in" walks them backwards.
Direction = Literal["both", "out", "in"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)

#: How a reference was written: in a related list (or a Logseq property), or inline in the text as a
#: [[wikilink]], a standard Markdown link ([text](other.md), [text][ref], [text](/site/path/)) or a
#: Logseq tag (#tag, #[[multi word]], tags:: values).
LinkKind = Literal["related", "wikilink", "markdown", "tag"]
LINK_KINDS: tuple[LinkKind, ...] = get_args(LinkKind)

#: The kinds of node: concepts, and the alias labels, categories and missing targets they point at.
NodeKind = Literal["concept", "alias", "category", "missing"]
NODE_KINDS: tuple[NodeKind, ...] = get_args(NodeKind)

#: The audit's checks, in report order (graph/audit/checks.py registers one function per name).
CheckName = Literal[
    "orphans",
    "dead_ends",
    "isolated",
    "broken_links",
    "ambiguous_links",
    "alias_links",
    "one_way_links",
    "self_links",
    "duplicate_links",
    "unlinked_mentions",
    "alias_collisions",
    "duplicate_titles",
    "uncategorised",
    "missing_definitions",
    "disconnected_clusters",
    "deprecated_links",
    "hierarchy_cycles",
    "relation_clashes",
    "polyhierarchy",
]
CHECK_NAMES: tuple[CheckName, ...] = get_args(CheckName)
