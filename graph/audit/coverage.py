"""Coverage metrics of a glossary's links: shares of concepts linked in and out, reciprocity, mentions
linked, the largest cluster and categories."""

from __future__ import annotations

__all__ = ["METRICS", "coverage"]

from graph.audit.data import AuditData

#: The coverage metrics of the summary (shares between 0 and 1, rounded to 4 places; null when the
#: share has nothing to count, e.g. reciprocity without links).
METRICS: tuple[str, ...] = (
    "share_with_incoming",
    "share_with_outgoing",
    "reciprocity",
    "share_mentions_linked",
    "share_in_largest_cluster",
    "share_categorised",
)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def coverage(data: AuditData, with_mentions: bool = True) -> dict[str, float | None]:
    """The coverage metrics (METRICS) of a glossary's current (not deprecated) concepts.

    A parent and its children count as linked both ways for the shares linked in and out;
    reciprocity is about related links only. ``share_mentions_linked`` = mention pairs (A's text
    mentions B) where A links to B or is its parent or child, over all mention pairs; it is null
    when ``with_mentions`` is False (the text was not scanned).
    """
    deprecated = data.deprecated
    current = [cid for cid in data.concepts if cid not in deprecated]
    total = len(current)
    links = data.link_count
    reciprocal = sum(1 for source, targets in data.out.items() for t in targets if source in data.out[t])
    mentions_linked: float | None = None
    if with_mentions:
        pairs = data.mentions
        linked = sum(1 for source, target in pairs if data.linked(source, target))
        mentions_linked = _share(linked, len(pairs))
    return {
        "share_with_incoming": _share(sum(1 for c in current if data.inc[c] or data.in_hierarchy(c)), total),
        "share_with_outgoing": _share(sum(1 for c in current if data.out[c] or data.in_hierarchy(c)), total),
        "reciprocity": _share(reciprocal, links),
        "share_mentions_linked": mentions_linked,
        "share_in_largest_cluster": _share(len(data.components[0]) if data.components else 0, total),
        "share_categorised": _share(
            sum(1 for c in current if any(x.strip() for x in data.concepts[c].categories)), total
        ),
    }
