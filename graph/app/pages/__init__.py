"""The app's pages: Streamlit scripts that graph/app/main.py routes to; each only calls graph/."""
