"""glossgraph's Streamlit app, shipped inside the package: ``main`` routes over ``pages``, and
``common`` holds the sidebar and the cached views the pages share. The pages only call graph/.

Serve it with ``glossgraph app [SOURCE]``; the top-level ``app.py`` of a checkout runs the same app.
"""

from pathlib import Path

__all__ = ["MAIN_SCRIPT", "PAGES_DIR"]

#: The Streamlit script that serves the app (what ``streamlit run`` is given).
MAIN_SCRIPT = Path(__file__).resolve().parent / "main.py"
#: The folder of the page scripts.
PAGES_DIR = MAIN_SCRIPT.parent / "pages"
