"""Overview: the shape of the whole graph: counts, categories, the hierarchy, degrees, hubs and clusters.

Every figure is computed once per version of the source and shared by every session
(graph.appcache). The quick ones (counts, categories, hierarchy) show at once; the slow ones
(degrees, PageRank, clusters) are computed in a background thread started by the first visit,
while the page shows their progress and refreshes itself until they are there.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from graph.app.common import current, hierarchy, show_metrics, show_unexpected, source_key
from graph.appcache import RESULTS, Report
from graph.appstate import count_text
from graph.overview import Hub, Measures, Summary, measures, summary

#: How often, in seconds, the page looks again while the figures are computed in the background.
POLL_SECONDS = 1.0

spec, store = current()
version = source_key(spec)
quick: Summary = RESULTS.get("overview", version, lambda: summary(store, hierarchy(store, spec)))
stats = quick.stats

st.title("Overview")
show_metrics(
    [("Concepts", stats.concepts), ("Links", stats.links), ("Broader links", stats.broader),
     ("Aliases", stats.aliases), ("Categories", stats.categories), ("Broken links", stats.broken_links)],
    key="ov_metrics",
)

left, right = st.columns(2)
with left:
    st.subheader("Category sizes", anchor=False)
    categories = pd.DataFrame(quick.categories, columns=["category", "concepts"])
    st.bar_chart(categories, x="category", y="concepts", horizontal=True, sort="-concepts")
with right:
    st.subheader("Hierarchy", anchor=False)
    shape = quick.hierarchy
    if not shape.members:
        st.caption("No broader links: this glossary has no hierarchy.")
    else:
        notes = [f"Roots (concepts with children and no parent): {count_text(len(shape.roots))}. "
                 f"Concepts with a parent or a child: {count_text(shape.members)}; "
                 f"with neither: {count_text(shape.outside)}."]
        if shape.unrooted:
            notes.append(f"On or below a cycle that no root reaches: {count_text(shape.unrooted)}.")
        st.markdown(" ".join(notes))
        st.caption("Depth: the fewest broader steps up to a root (a root is at depth 0).")
        depths = pd.DataFrame(shape.depths, columns=["depth", "concepts"])
        st.dataframe(depths, hide_index=True, key="ov_depths")
        st.dataframe(
            pd.DataFrame([(r.title, r.id, r.children) for r in shape.roots], columns=["root", "id", "children"]),
            hide_index=True,
            key="ov_roots",
        )


def _hubs(hubs: Sequence[Hub]) -> pd.DataFrame:
    return pd.DataFrame(
        [(h.title, h.id, h.degree, h.in_degree, h.out_degree, h.pagerank) for h in hubs],
        columns=["concept", "id", "degree", "in", "out", "pagerank"],
    )


def _show_measures(figures: Measures) -> None:
    """The degree distribution, hubs and clusters."""
    sizes = figures.cluster_sizes
    show_metrics([("Clusters", len(sizes))], key="ov_clusters")
    st.subheader("Degree distribution", anchor=False)
    st.caption("How many concepts link with (to or from) how many others.")
    degrees = pd.DataFrame(figures.degree_histogram, columns=["degree", "concepts"])
    st.bar_chart(degrees, x="degree", y="concepts")
    left, right = st.columns(2)
    with left:
        st.subheader("Top hubs by degree", anchor=False)
        st.dataframe(_hubs(figures.hubs_by_degree), hide_index=True, key="hubs_degree")
    with right:
        st.subheader("Top hubs by PageRank", anchor=False)
        st.dataframe(_hubs(figures.hubs_by_pagerank), hide_index=True, key="hubs_pagerank")
    st.subheader("Clusters", anchor=False)
    largest = sizes[0] if sizes else 0
    st.markdown(
        f"{count_text(len(sizes))} connected groups of concepts (links in either direction); the largest holds "
        f"{count_text(largest)} of {count_text(stats.concepts)} concepts "
        f"({(largest / stats.concepts if stats.concepts else 0):.0%}); "
        f"{count_text(sum(1 for s in sizes if s == 1))} concepts stand alone."
    )
    st.dataframe(
        pd.DataFrame(sorted(pd.Series(sizes).value_counts().items(), reverse=True), columns=["size", "clusters"]),
        hide_index=True,
        key="clusters",
    )


def _compute(report: Report) -> Measures:
    return measures(store, progress=report)


def _measures_part(waiting: bool) -> None:
    """The slow figures when they are there; until then their progress (this part reruns on its own)."""
    figures: Measures | None = RESULTS.peek("overview_measures", version)
    job = None if figures is not None else RESULTS.start("overview_measures", version, _compute)
    if job is None:
        figures = RESULTS.peek("overview_measures", version)
    if waiting and (figures is not None or (job is not None and job.error is not None)):
        st.rerun()  # the whole page again, so this part stops refreshing itself
    if figures is not None:
        _show_measures(figures)
    elif job is not None and job.error is not None:
        show_unexpected(job.error)
        st.button("Try again", key="ov_retry", on_click=lambda: RESULTS.discard("overview_measures", version))
    elif job is not None:
        st.progress(job.share, text=f"Measuring the graph in the background: {job.step}")
        st.caption("Degrees, hubs and clusters appear here when they are ready; the rest of the page is.")


# The first visit starts the background job; the part refreshes itself only while the job runs.
running = RESULTS.peek("overview_measures", version) is None
if running:
    started = RESULTS.start("overview_measures", version, _compute)
    running = started is not None and started.error is None
st.fragment(run_every=POLL_SECONDS if running else None)(_measures_part)(running)
