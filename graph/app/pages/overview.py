"""Overview: the shape of the whole graph: counts, categories, degrees, hubs and clusters.

The figures (PageRank, components, degrees) are computed once per version of the source, under a
progress bar, and shared by every session (graph.appcache).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import pandas as pd
import streamlit as st

from graph.app.common import current, show_metrics, source_key
from graph.appcache import RESULTS
from graph.appstate import count_text
from graph.overview import Hub, Overview, overview
from graph.protocol import GraphStore


def _overview(store: GraphStore) -> Overview:
    """The figures, with a progress bar that goes away when they are done."""
    bar = st.progress(0.0, text="Measuring the graph...")
    figures = overview(store, progress=lambda share, step: bar.progress(share, text=f"Measuring the graph: {step}"))
    bar.empty()
    return figures


spec, store = current()
figures: Overview = RESULTS.get("overview", source_key(spec), partial(_overview, store))
stats = figures.stats

st.title("Overview")
show_metrics(
    [("Concepts", stats.concepts), ("Links", stats.links), ("Aliases", stats.aliases),
     ("Categories", stats.categories), ("Broken links", stats.broken_links), ("Clusters", len(figures.cluster_sizes))],
    key="ov_metrics",
)

left, right = st.columns(2)
with left:
    st.subheader("Category sizes", anchor=False)
    categories = pd.DataFrame(figures.categories, columns=["category", "concepts"])
    st.bar_chart(categories, x="category", y="concepts", horizontal=True, sort="-concepts")
with right:
    st.subheader("Degree distribution", anchor=False)
    st.caption("How many concepts link with (to or from) how many others.")
    degrees = pd.DataFrame(figures.degree_histogram, columns=["degree", "concepts"])
    st.bar_chart(degrees, x="degree", y="concepts")


def _hubs(hubs: Sequence[Hub]) -> pd.DataFrame:
    return pd.DataFrame(
        [(h.title, h.id, h.degree, h.in_degree, h.out_degree, h.pagerank) for h in hubs],
        columns=["concept", "id", "degree", "in", "out", "pagerank"],
    )


left, right = st.columns(2)
with left:
    st.subheader("Top hubs by degree", anchor=False)
    st.dataframe(_hubs(figures.hubs_by_degree), hide_index=True, key="hubs_degree")
with right:
    st.subheader("Top hubs by PageRank", anchor=False)
    st.dataframe(_hubs(figures.hubs_by_pagerank), hide_index=True, key="hubs_pagerank")

st.subheader("Clusters", anchor=False)
sizes = figures.cluster_sizes
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
