"""Snapshots: download the graph in every export format, and compare it with an uploaded snapshot."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import streamlit as st

from graph.app.common import UPLOAD_ROOT, current, get_store, show_error, show_metrics
from graph.appstate import MAX_UPLOAD_BYTES, SourceSpec, save_upload
from graph.diff import Diff, diff
from graph.errors import GlossgraphError
from graph.exports import EXPORT_FORMATS, FILE_NAMES, render
from graph.protocol import GraphStore

_MIME = {
    "json": "application/json",
    "graphml": "application/xml",
    "gexf": "application/xml",
    "csv": "application/zip",
    "cypher": "text/plain",
    "html": "text/html",
}
_ABOUT = {
    "json": "canonical node-link JSON (stable bytes, diffs well in git)",
    "graphml": "GraphML for yEd, Gephi and NetworkX",
    "gexf": "GEXF for Gephi",
    "csv": "nodes.csv and edges.csv (zipped) for spreadsheets and pandas",
    "cypher": "a Cypher script that recreates the graph in Neo4j",
    "html": "a standalone, offline picture of the graph",
}


@st.cache_data(max_entries=32, show_spinner="Exporting...")
def _export(_store: GraphStore, spec: SourceSpec, fmt: str) -> tuple[str, bytes]:
    data = render(_store, fmt, heading=spec.describe())
    if isinstance(data, dict):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in sorted(data.items()):
                archive.writestr(name, content)
        return FILE_NAMES[fmt] + ".zip", buffer.getvalue()
    return FILE_NAMES[fmt], data


@st.cache_data(max_entries=8, show_spinner="Comparing...")
def _diff(_old: GraphStore, old: SourceSpec, _new: GraphStore, new: SourceSpec) -> Diff:
    return diff(_old, _new)


spec, store = current()
st.title("Snapshots")
st.subheader("Export", anchor=False)
st.caption("Every format except HTML loads back into the same graph (`glossgraph load FILE`).")
for fmt in EXPORT_FORMATS:
    left, right = st.columns([1, 3], vertical_alignment="center")
    try:
        name, data = _export(store, spec, fmt)
    except GlossgraphError as error:
        right.error(str(error))
        continue
    left.download_button(f"Download {fmt}", data, file_name=name, mime=_MIME[fmt], key=f"export_{fmt}",
                         on_click="ignore", width="stretch")
    right.markdown(f"`{name}`: {_ABOUT[fmt]} ({len(data) / 1024:.0f} KB)")

st.subheader("Compare with a snapshot", anchor=False)
st.caption(
    "Upload an earlier export (graph.json, .graphml, .gexf) or a zipped snapshot folder: the table lists what "
    "changed from it to the graph shown now."
)
upload = st.file_uploader("Earlier snapshot", type=["json", "graphml", "gexf", "zip"], key="sn_upload")
if upload is None:
    st.stop()
if upload.size > MAX_UPLOAD_BYTES:
    st.error(f"The upload is over the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB limit.")
    st.stop()
try:
    old_spec = SourceSpec(str(save_upload(upload.name, upload.getvalue(), UPLOAD_ROOT)))
    old_store = get_store(old_spec)
    changes = _diff(old_store, old_spec, store, spec)
except (GlossgraphError, OSError) as error:
    show_error(error)
    st.stop()

if changes.empty:
    st.success("No changes: the same concepts, links and audit findings.")
    st.stop()
show_metrics(
    [("Concepts added", len(changes.added)), ("Removed", len(changes.removed)), ("Changed", len(changes.changed)),
     ("Links added", len(changes.links_added)), ("Links removed", len(changes.links_removed))],
    key="sn_metrics",
)
st.dataframe(pd.DataFrame(changes.rows(), columns=["what", "change", "detail"]), hide_index=True, key="diff_rows")
buttons = st.columns(2)
buttons[0].download_button("Download the changes (Markdown)", changes.to_markdown().encode("utf-8"),
                           file_name="changes.md", mime="text/markdown", key="diff_md", on_click="ignore")
buttons[1].download_button("Download the changes (JSON)",
                           json.dumps(changes.to_json(), ensure_ascii=False, indent=2).encode("utf-8"),
                           file_name="changes.json", mime="application/json", key="diff_json", on_click="ignore")
