"""Snapshots: export the graph in any format on demand, and compare it with an uploaded snapshot.

Nothing is exported until asked: each export streams to a temporary file under a progress bar,
once per version of the source (shared by every session), and only then is offered for download.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from graph.app.common import current, get_store, show_error, show_metrics, source_key, upload_area
from graph.appcache import RESULTS
from graph.appstate import MAX_UPLOAD_BYTES, SourceSpec
from graph.diff import Diff, diff
from graph.errors import GlossgraphError
from graph.exports import CSV_FILES, EXPORT_FORMATS, FILE_NAMES, export
from graph.protocol import GraphStore

#: Where the app's exports are written, one folder per source version.
EXPORT_ROOT = Path(tempfile.gettempdir()) / "glossgraph-exports"

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


@dataclass(frozen=True)
class Built:
    """An export written to a temporary file, ready to download."""

    path: Path
    name: str
    size: int


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KB"


def _build(store: GraphStore, spec: SourceSpec, version: str, fmt: str) -> Built:
    """Write one export to a temporary file with a progress bar (csv: the folder zipped)."""
    bar = st.progress(0.0, text=f"Exporting {fmt}...")

    def tell(share: float, step: str) -> None:
        bar.progress(min(share, 1.0), text=f"Exporting {fmt}: {step}")

    folder = Path(tempfile.mkdtemp(prefix=f"{version}-{fmt}-", dir=_export_root()))
    name = FILE_NAMES[fmt] + (".zip" if fmt == "csv" else "")
    if fmt == "csv":
        written = export(store, fmt, folder / "csv", progress=lambda share, step: tell(0.9 * share, step))
        tell(0.9, "zipping")
        with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in CSV_FILES:  # the tables; the folder's manifest only guards --force
                archive.write(written / member, member)
    else:
        export(store, fmt, folder / name, heading=spec.describe(), progress=tell)
    bar.empty()
    path = folder / name
    return Built(path, name, path.stat().st_size)


def _export_root() -> Path:
    EXPORT_ROOT.mkdir(parents=True, exist_ok=True)
    return EXPORT_ROOT


@st.cache_data(max_entries=8, show_spinner="Comparing...")
def _diff(_old: GraphStore, old: SourceSpec, _new: GraphStore, new: SourceSpec) -> Diff:
    return diff(_old, _new)


spec, store = current()
version = source_key(spec)
st.title("Snapshots")
st.subheader("Export", anchor=False)
st.caption("Every format except HTML loads back into the same graph (`glossgraph load FILE`). An export is "
           "written when you ask for it, then offered for download.")
for fmt in EXPORT_FORMATS:
    left, right = st.columns([1, 3], vertical_alignment="center")
    built: Built | None = RESULTS.peek("export", (version, fmt))
    if built is not None and not built.path.is_file():  # the temporary folder was cleaned
        RESULTS.discard("export", (version, fmt))
        built = None
    slot = left.empty()  # the Export button, replaced by the download once the file exists
    if built is None and slot.button(f"Export {fmt}", key=f"export_{fmt}", width="stretch"):
        try:
            with right:
                built = RESULTS.get("export", (version, fmt), partial(_build, store, spec, version, fmt))
        except (GlossgraphError, OSError) as error:
            show_error(error, right)
            continue
    if built is None:
        right.markdown(f"`{FILE_NAMES[fmt]}{'.zip' if fmt == 'csv' else ''}`: {_ABOUT[fmt]}")
        continue
    slot.download_button(f"Download {fmt}", partial(built.path.read_bytes), file_name=built.name, mime=_MIME[fmt],
                         key=f"download_{fmt}", on_click="ignore", width="stretch")
    right.markdown(f"`{built.name}`: {_ABOUT[fmt]} ({_size(built.size)})")

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
    old_spec = SourceSpec(str(upload_area().save(upload.name, upload.getvalue(), keep=current()[0].location)))
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
