"""The Audit page's history chart: each check's count across the dated snapshots of `glossgraph app --history DIR`."""

from __future__ import annotations

__all__ = ["history_chart", "history_frame"]

import os

import pandas as pd
import streamlit as st

from graph.app.common import show_error
from graph.appstate import HISTORY_ENV, md_escape
from graph.audit.history import History, audit_history
from graph.errors import GlossgraphError


def history_frame(history: History) -> pd.DataFrame:
    """One column per check, one row per snapshot, indexed by the snapshot's day (a time axis)."""
    index = pd.DatetimeIndex([pd.Timestamp(s.day) for s in history.snapshots], name="date")
    return pd.DataFrame(history.series(), index=index)


def history_chart(checks: tuple[str, ...] | None = None) -> None:
    """Chart each check's count across the snapshots of the history folder; nothing without one."""
    folder = os.environ.get(HISTORY_ENV)
    if not folder:
        return
    st.subheader("History")
    try:
        # Each snapshot is audited once per version of its files; later reruns only look at their dates.
        with st.spinner("Auditing the snapshots..."):
            history = audit_history(folder, checks)
    except GlossgraphError as error:
        show_error(error)
        return
    frame = history_frame(history)
    moving = [check for check in history.checks if frame[check].any()]
    chosen = st.multiselect("Checks", list(history.checks), default=moving, key="au_history_checks",
                            help="Checks with findings in some snapshot are shown first.")
    if chosen:
        st.line_chart(frame[chosen], height=320)
    else:
        st.caption("Choose checks to chart.")
    first, last = history.snapshots[0], history.snapshots[-1]
    st.caption(md_escape(
        f"{len(history.snapshots)} snapshots in {folder}, {first.label} to {last.label}; dated by the date in "
        "each name, else the snapshot's manifest, else the file's modification time."
    ))
