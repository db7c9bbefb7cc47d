"""Audit: link coverage for editors: summary, coverage, worklist, one tab per check with a CSV download."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from graph.app.common import current, show_error, show_metrics
from graph.appstate import SourceSpec, md_escape
from graph.audit import FIELDS, METRICS, AllowList, AuditReport, run_audit
from graph.errors import GlossgraphError
from graph.protocol import GraphStore
from graph.suggest import Suggestion, suggest

_ABOUT = {
    "orphans": "concepts no other concept links to",
    "dead_ends": "concepts that link to no other concept",
    "isolated": "concepts that are both orphans and dead ends",
    "broken_links": "references that name no concept (the target as written)",
    "ambiguous_links": "references that match an alias several concepts share",
    "alias_links": "links that resolved through an alias rather than the id or title",
    "one_way_links": "A links to B but B does not link back",
    "self_links": "concepts that list themselves",
    "duplicate_links": "the same target listed more than once by one concept",
    "unlinked_mentions": "a concept's title or alias appears in another's text without a link",
    "alias_collisions": "one label shared by several concepts",
    "duplicate_titles": "different concepts with the same title",
    "uncategorised": "concepts without a category",
    "missing_definitions": "concepts with an empty definition",
    "disconnected_clusters": "groups of linked concepts cut off from the largest group",
}


@st.cache_data(max_entries=16, show_spinner="Auditing the links...")
def _audit(_store: GraphStore, spec: SourceSpec, allow_text: str | None) -> AuditReport:
    allow = AllowList.parse(allow_text, "allow-list upload") if allow_text else None
    return run_audit(_store, allow=allow)


@st.cache_data(max_entries=16, show_spinner="Looking for missing links...")
def _suggestions(_store: GraphStore, spec: SourceSpec, per_concept: int = 3, shown: int = 300) -> list[Suggestion]:
    found = suggest(_store, limit=per_concept).suggestions
    return sorted(found, key=lambda s: (-s.score, s.source, s.target))[:shown]


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    extra = [k for row in rows for k in row if k not in columns]
    order = [*columns, *dict.fromkeys(extra)]
    return pd.DataFrame([{k: _cell(row.get(k)) for k in order} for row in rows], columns=order)


spec, store = current()
st.title("Audit")
st.caption("Link coverage before publishing: what is missing, broken or one-sided. Tables sort by any column.")

allow_file = st.file_uploader("Allow-list (YAML) of accepted findings", type=["yaml", "yml"], key="au_allow")
try:
    report = _audit(store, spec, allow_file.getvalue().decode("utf-8") if allow_file else None)
except (GlossgraphError, UnicodeDecodeError) as error:
    show_error(error)
    st.stop()

totals = report.totals
shares = [(metric.replace("share_", "").replace("_", " "), "n/a" if totals.get(metric) is None
           else f"{totals[metric]:.0%}") for metric in METRICS]
show_metrics([("Concepts", int(totals["concepts"])), ("Links", int(totals["links"])), *shares], key="au_metrics")

counts = pd.DataFrame(
    [(check, report.open_count(check), report.allowed_count(check)) for check in report.checks],
    columns=["check", "open", "allowed"],
)
st.bar_chart(counts, x="check", y=["open", "allowed"], horizontal=True, height=380)

labels = ["worklist", *(f"{check} ({report.count(check)})" for check in report.checks)]
tabs = st.tabs(labels)
with tabs[0]:
    st.markdown("**What to fix first**, most useful first (allowed findings left out).")
    titles = {
        "wanted": "Wanted pages: broken-link targets by how many concepts want them",
        "orphans": "Orphans, by how many concepts mention them (easy links to add)",
        "unlinked_mentions": "Unlinked mentions, most frequent first",
        "one_way_links": "One-way links where the other side already mentions the first",
    }
    for name, rows in report.worklist.items():
        st.markdown(f"**{titles.get(name, name)}** ({len(rows)})")
        if rows:
            st.dataframe(_table(rows, list(rows[0])), hide_index=True, key=f"work_{name}")
    st.markdown(
        "**Link suggestions**: the links each concept most likely lacks, from unlinked mentions, "
        "backlinks not returned, shared neighbours and shared category."
    )
    suggestions = _suggestions(store, spec)
    if suggestions:
        st.dataframe(
            _table([s.to_json() for s in suggestions], ["source", "target", "title", "score", "reasons"]),
            hide_index=True,
            key="suggestions",
        )
    else:
        st.success("No link to suggest.")

for tab, check in zip(tabs[1:], report.checks, strict=True):
    with tab:
        rows = report.findings[check]
        allowed = report.allowed[check]
        st.markdown(
            f"**{check}**: {md_escape(_ABOUT.get(check, ''))}. Severity *{report.severity[check]}*; "
            f"{len(rows)} finding{'s' if len(rows) != 1 else ''}"
            + (f", {sum(allowed)} allowed" if any(allowed) else "")
            + "."
        )
        frame = _table(rows, FIELDS.get(check, ()))
        if any(allowed):
            frame["allowed"] = allowed
        if rows:
            st.dataframe(frame, hide_index=True, key=f"table_{check}")
        else:
            st.success("Nothing to report.")
        st.download_button(
            f"Download {check}.csv",
            frame.to_csv(index=False).encode("utf-8"),
            file_name=f"{check}.csv",
            mime="text/csv",
            key=f"csv_{check}",
            on_click="ignore",
        )
