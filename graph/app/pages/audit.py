"""Audit: link coverage for editors: summary, coverage, worklist, then one tab per check with a paged, filterable table.

The audit runs once per version of the source and is shared by every page and session
(graph.appcache); a progress bar shows while it runs. Link suggestions and CSV files are built
only when asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from graph.app.common import current, lasting_tabs, show_error, show_metrics, source_key
from graph.app.findings import finding_panel
from graph.app.history import history_chart
from graph.appcache import RESULTS
from graph.appstate import count_text, matching_rows, md_escape
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


#: Rows per page the check tables offer; the first is the default.
PAGE_SIZES = (50, 200, 1000)

#: Which findings of a Logseq graph's placeholder pages a table shows; the first is the default.
PLACEHOLDER_CHOICES = ("shown", "hidden", "only")


def _run_audit(store: GraphStore, allow: AllowList | None) -> AuditReport:
    """Run the audit with a progress bar that goes away when it is done."""
    bar = st.progress(0.0, text="Auditing the links...")
    report = run_audit(store, allow=allow, progress=lambda share, step: bar.progress(share, text=f"Auditing: {step}"))
    bar.empty()
    return report


def _suggestions(store: GraphStore, per_concept: int = 3, shown: int = 300) -> list[Suggestion]:
    with st.spinner("Looking for missing links..."):
        found = suggest(store, limit=per_concept).suggestions
    return sorted(found, key=lambda s: (-s.score, s.source, s.target))[:shown]


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    extra = [k for row in rows for k in row if k not in columns]
    order = [*columns, *dict.fromkeys(extra)]
    return pd.DataFrame([{k: _cell(row.get(k)) for k in order} for row in rows], columns=order)


def _csv(report: AuditReport, check: str) -> bytes:
    """A check's CSV file; the download button calls this only when clicked."""
    return report.csv_text(check).encode("utf-8")


def _paged(report: AuditReport, check: str) -> None:
    """A check's findings: search, worklist order, one page of the table at a time; then one to open or fix."""
    rows = report.findings[check]
    allowed = report.allowed[check]
    # In a Logseq graph a broken link may be a placeholder page (shown, empty, by Logseq): editors filter on it.
    flagged = any(row.get("placeholder") for row in rows)
    find, order, size, *more = st.columns([3, 2, 1, 2] if flagged else [3, 2, 1])
    query = find.text_input("Find a concept (id or title)", key=f"au_find_{check}", placeholder="e.g. attention")
    ranked = check in report.worth
    by_rank = ranked and order.selectbox(
        "Order", ("worklist rank", "as listed"), key=f"au_order_{check}",
        help="Worklist rank: the findings most worth fixing first, as in the worklist tab.",
    ) == "worklist rank"
    per_page = size.selectbox("Rows per page", PAGE_SIZES, key=f"au_size_{check}")
    indices = matching_rows(rows, report.ranked(check) if by_rank else range(len(rows)), query)
    placeholders = "shown"
    if flagged:
        placeholders = more[0].selectbox(
            "Placeholder pages", PLACEHOLDER_CHOICES, key=f"au_placeholder_{check}",
            help="Pages referenced without a file, which Logseq shows as empty pages.",
        )
        if placeholders != "shown":
            indices = [i for i in indices if bool(rows[i].get("placeholder")) == (placeholders == "only")]
    pages = max(1, -(-len(indices) // per_page))
    page = st.number_input(f"Page (of {count_text(pages)})", min_value=1, max_value=pages, key=f"au_page_{check}")
    start = (min(int(page), pages) - 1) * per_page
    shown = indices[start:start + per_page]
    said = [f"matching '{md_escape(query.strip())}'"] if query.strip() else []
    if flagged and placeholders != "shown":
        said.append("placeholder pages only" if placeholders == "only" else "without placeholder pages")
    matched = " " + ", ".join(said) if said else ""
    if not shown:
        st.caption(f"No finding{matched}.")
        return
    st.caption(f"Rows {count_text(start + 1)}-{count_text(start + len(shown))} of {count_text(len(indices))}"
               f"{matched}" + (f" ({count_text(len(rows))} in all)" if matched else ""))
    frame = _table([rows[i] for i in shown], FIELDS.get(check, ()))
    if flagged:
        frame["placeholder"] = [bool(rows[i].get("placeholder")) for i in shown]
    if any(allowed):
        frame["allowed"] = [allowed[i] for i in shown]
    st.dataframe(frame, hide_index=True, key=f"table_{check}")
    finding_panel(spec, store, check, [rows[i] for i in shown], key=check)


# A closed tab's table filters and finding boxes keep their values: the router holds them (keep_widget_values).
spec, store = current()
st.title("Audit")
st.caption("Link coverage before publishing: what is missing, broken or one-sided. Tables sort by any column.")

allow_file = st.file_uploader("Allow-list (YAML) of accepted findings", type=["yaml", "yml"], key="au_allow")
try:
    allow_text = allow_file.getvalue().decode("utf-8") if allow_file else None
    allow = AllowList.parse(allow_text, "allow-list upload") if allow_text else None
    report: AuditReport = RESULTS.get("audit", (source_key(spec), allow_text), partial(_run_audit, store, allow))
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
history_chart()  # only when the app was started with --history DIR

def _worklist(report: AuditReport) -> None:
    """The worklist tab: each list most useful first, with a finding to open or fix; then link suggestions."""
    st.markdown("**What to fix first**, most useful first (allowed findings left out).")
    titles = {
        "wanted": "Wanted pages: broken-link targets by how many concepts want them",
        "orphans": "Orphans, by how many concepts mention them (easy links to add)",
        "unlinked_mentions": "Unlinked mentions, most frequent first",
        "one_way_links": "One-way links where the other side already mentions the first",
    }
    broken = report.open_findings("broken_links")  # what a wanted target's row repairs
    for name, rows in report.worklist.items():
        st.markdown(f"**{titles.get(name, name)}** ({count_text(len(rows))})")
        if rows:
            st.dataframe(_table(rows, list(rows[0])), hide_index=True, key=f"work_{name}")
            # A list's finding box opens when asked for: three open boxes cost the browser about a
            # second on every visit of the page (and their previews, work nobody asked for).
            if st.toggle("Open or fix one of these", key=f"au_open_{name}"):
                finding_panel(spec, store, name, rows, key=f"work_{name}", broken=broken)
    st.markdown(
        "**Link suggestions**: the links each concept most likely lacks, from unlinked mentions, "
        "backlinks not returned, shared neighbours and shared category."
    )
    key = source_key(spec)
    if RESULTS.peek("suggestions", key) is None and not st.button("Find link suggestions", key="au_suggest"):
        st.caption("Reads every concept's text: a few seconds on a large glossary.")
    else:
        suggestions: list[Suggestion] = RESULTS.get("suggestions", key, partial(_suggestions, store))
        if suggestions:
            st.dataframe(
                _table([s.to_json() for s in suggestions], ["source", "target", "title", "score", "reasons"]),
                hide_index=True,
                key="suggestions",
            )
        else:
            st.success("No link to suggest.")


def _check_tab(report: AuditReport, check: str) -> None:
    """A check's tab: what it finds, its paged table with a finding to open or fix, and its CSV download."""
    count = report.count(check)
    if count:
        _paged(report, check)
    else:
        st.success("Nothing to report.")
    st.download_button(
        f"Download {check}.csv",
        partial(_csv, report, check),
        file_name=f"{check}.csv",
        mime="text/csv",
        key=f"csv_{check}",
        on_click="ignore",
    )


labels = ["worklist", *(f"{check} ({count_text(report.count(check))})" for check in report.checks)]
tabs = lasting_tabs(labels, key="au_tab")
# The browser shows one tab: only its tables are drawn (choosing another reruns the page). Where the
# open tab is not known (``open`` is None), every tab is drawn.
with tabs[0]:
    if tabs[0].open is not False:
        _worklist(report)
for tab, check in zip(tabs[1:], report.checks, strict=True):
    with tab:
        allowed = report.allowed[check]
        count = report.count(check)
        st.markdown(
            f"**{check}**: {md_escape(_ABOUT.get(check, ''))}. Severity *{report.severity[check]}*; "
            f"{count_text(count)} finding{'s' if count != 1 else ''}"
            + (f", {count_text(sum(allowed))} allowed" if any(allowed) else "")
            + "."
        )
        if tab.open is not False:
            _check_tab(report, check)
