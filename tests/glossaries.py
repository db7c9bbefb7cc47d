"""Small hand-built glossaries whose answers are known, shared by the query and store tests."""

from __future__ import annotations

from graph.model import Concept, Glossary, Reference


def refs(*targets: str) -> tuple[Reference, ...]:
    """Related-list references as an editor writes them."""
    return tuple(Reference(t) for t in targets)


def small() -> Glossary:
    """Seven concepts: a triangle a-b-c, a chain a-d-e, a self link, an isolated concept, one broken link.

    related edges: a→b, a→c (by title), a→d (by alias), b→c, c→a, c→missing:nowhere, d→e, f→f.
    """
    return Glossary(
        [
            Concept("a", "Alpha", "First letter.", categories=("Greek",), related=refs("b", "Gamma", "dee")),
            Concept("b", "Beta", "Second letter.", categories=("Greek",), related=refs("c")),
            Concept("c", "Gamma", "Third letter.", categories=("Greek",), related=refs("a", "Nowhere")),
            Concept("d", "Delta", "Fourth.", aliases=("dee",), categories=("Letters",), related=refs("e")),
            Concept("e", "Epsilon", "Fifth.", categories=("Letters",)),
            Concept("f", "Zeta", "Sixth.", related=refs("f")),
            Concept("g", "Eta", "Seventh.", aliases=("AB",), categories=("Greek",)),
        ],
        source="tests/glossaries.py:small",
        format="python",
    )
