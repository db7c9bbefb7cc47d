"""glossgraph's Streamlit app from a checkout: `streamlit run app.py` serves the app packaged in graph/app.

`glossgraph app [SOURCE]` (or `make run`) serves the same app, also from an installed wheel.
"""

from graph.app.main import main

main()
