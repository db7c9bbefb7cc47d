"""The app's router: one Streamlit page per view, the source sidebar, then the chosen page (see docs/app.md)."""

from __future__ import annotations

__all__ = ["main"]

import streamlit as st

from graph.app import PAGES_DIR
from graph.app.common import follow_changes, keep_widget_values, show_unexpected, source_sidebar


def main() -> None:
    """Run one pass of the app: configure the page, show the sidebar, run the page the URL names."""
    st.set_page_config(page_title="glossgraph", page_icon=":material/hub:", layout="wide")
    # Page scripts are named by absolute path, so the app runs the same from a checkout, from an
    # installed wheel and from any working folder.
    pages = [
        # The default page lives at the root URL: /?concept=foundation-model&depth=2
        st.Page(PAGES_DIR / "explore.py", title="Explore", icon=":material/travel_explore:", default=True),
        st.Page(PAGES_DIR / "paths.py", title="Paths", icon=":material/route:", url_path="paths"),
        st.Page(PAGES_DIR / "audit.py", title="Audit", icon=":material/fact_check:", url_path="audit"),
        st.Page(PAGES_DIR / "overview.py", title="Overview", icon=":material/monitoring:", url_path="overview"),
        st.Page(PAGES_DIR / "snapshots.py", title="Snapshots", icon=":material/inventory_2:", url_path="snapshots"),
    ]
    page = st.navigation(pages)
    keep_widget_values()  # a page or tab left and come back to shows what it showed
    try:
        if source_sidebar() is None:
            st.error("No graph is loaded: choose another source in the sidebar.")
            st.stop()
        follow_changes()
        page.run()
    except Exception as error:  # the last resort: a clear box, never a traceback for a visitor
        show_unexpected(error)


if __name__ == "__main__":
    main()
