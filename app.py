"""glossgraph's Streamlit app: a router over the pages in app_pages/ (see docs/app.md).

Run it with `glossgraph app [SOURCE]` (or `make run`); the pages only call graph/.
"""

from __future__ import annotations

import streamlit as st

from app_pages.common import source_sidebar

st.set_page_config(page_title="glossgraph", page_icon=":material/hub:", layout="wide")

PAGES = [
    # The default page lives at the root URL: /?concept=foundation-model&depth=2
    st.Page("app_pages/explore.py", title="Explore", icon=":material/travel_explore:", default=True),
    st.Page("app_pages/paths.py", title="Paths", icon=":material/route:", url_path="paths"),
    st.Page("app_pages/audit.py", title="Audit", icon=":material/fact_check:", url_path="audit"),
    st.Page("app_pages/overview.py", title="Overview", icon=":material/monitoring:", url_path="overview"),
    st.Page("app_pages/snapshots.py", title="Snapshots", icon=":material/inventory_2:", url_path="snapshots"),
]

page = st.navigation(PAGES)
if source_sidebar() is None:
    st.error("No graph is loaded: choose another source in the sidebar.")
    st.stop()
page.run()
