"""What every page shares: the current store (cached, read-only), cached queries, the source sidebar, safe text.

Pages call these and graph/; they hold no graph logic of their own.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from graph.appcache import RESULTS, REVISIONS, source_version
from graph.appstate import (
    MAX_UPLOAD_BYTES,
    SourceSpec,
    UploadArea,
    allowed_root,
    code_span,
    count_text,
    default_source,
    md_escape,
    server_path,
    watching,
)
from graph.errors import GlossgraphError, LoadError
from graph.hierarchy import Hierarchy
from graph.kinds import Direction, EdgeType
from graph.protocol import ConceptPath, GraphStore, Neighbourhood, SearchHit
from graph.render import category_colours, concept_degrees, draw_neighbourhood, draw_paths
from graph.stores import open_store
from graph.watch import WATCHERS

UPLOAD_ROOT = Path(tempfile.gettempdir()) / "glossgraph-uploads"
#: Above this many concepts the concept pickers list search results instead of every concept.
PICKER_LIMIT = 5000

__all__ = [
    "PICKER_LIMIT",
    "concept_label",
    "current",
    "error_text",
    "figures",
    "follow_changes",
    "get_store",
    "hierarchy",
    "is_local",
    "keep_widget_values",
    "labels",
    "lasting_tabs",
    "neighbourhood_view",
    "paths_view",
    "search",
    "show_error",
    "show_metrics",
    "show_unexpected",
    "source_key",
    "source_sidebar",
    "state_to_apply",
    "unexpected_text",
    "upload_area",
]


# -- the store and cached queries ----------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the glossary...", max_entries=8)
def _opened(spec: SourceSpec, revision: int = 0) -> tuple[GraphStore, str]:
    """The store over a source and the version of the source it was loaded from, once per source and revision."""
    if spec.is_neo4j:
        options = {k: v for k, v in (("user", spec.user), ("password", spec.password),
                                     ("database", spec.database)) if v}
        store = open_store(spec.location, dataset=spec.dataset, neo4j_options=options)
        return store, _dataset_version(spec, store)
    # The version is taken before loading: a file changed during the load gives a new version later.
    version = source_version(spec.location, spec.dataset)
    return open_store(spec.location), version


def _dataset_version(spec: SourceSpec, store: GraphStore) -> str:
    """The version of a Neo4j dataset as loaded now (the store follows a new load when it sees one)."""
    from graph.neo4j import Neo4jStore

    if not isinstance(store, Neo4jStore):
        raise TypeError(f"a Neo4j source opened as {type(store).__name__}")
    return source_version(spec.location, spec.dataset, store.version())


def _latest(spec: SourceSpec) -> tuple[GraphStore, str]:
    """The store and version of the source's current revision (a fix written or a change watched reloads it)."""
    if not spec.is_neo4j and watching() and is_local(spec):
        WATCHERS.ensure(spec.location, lambda location, _changed: REVISIONS.bump(location))
    revision = REVISIONS.get(spec.location)
    if revision:
        # The previous revision's store is stale: let it go instead of keeping a second copy of the graph.
        _opened.clear(spec, revision - 1)
    return _opened(spec, revision)


def get_store(spec: SourceSpec) -> GraphStore:
    """The store over a source, opened once per source (and revision) and shared read-only by every session."""
    return _latest(spec)[0]


def source_key(spec: SourceSpec) -> str:
    """The version of the source the store holds: the key of every result computed from it.

    A Neo4j dataset is read live, so its version is asked of the server each time (one small
    query): a new load gives new keys. For a file source it is the version of the store
    ``current()`` handed out in this run, even if the watcher has reloaded the source since: a
    result is never cached under a version it was not computed from.
    """
    if spec.is_neo4j:
        return _dataset_version(spec, _latest(spec)[0])
    pinned = st.session_state.get("source_pinned")
    if isinstance(pinned, tuple) and pinned[0] == spec:
        return str(pinned[2])
    return _latest(spec)[1]


def is_local(spec: SourceSpec) -> bool:
    """True for a file or folder on this machine given by path (not an upload, not Neo4j): editors can open it."""
    if spec.is_neo4j:
        return False
    return not Path(spec.location).resolve().is_relative_to(UPLOAD_ROOT.resolve())


def current() -> tuple[SourceSpec, GraphStore]:
    """The source in use by this session and its store."""
    # A fresh server can run a page named in the URL (/audit) before the router has set the source.
    if "source" not in st.session_state:
        st.session_state["source"] = default_source()
    spec: SourceSpec = st.session_state["source"]
    store, version = _latest(spec)
    st.session_state["source_pinned"] = (spec, store, version)
    return spec, store


@st.fragment(run_every=1.0)
def _follow(location: str, seen: int) -> None:
    """Every second: rerun the whole page once the watcher has seen the source change (widgets keep their state)."""
    if REVISIONS.get(location) != seen:
        st.rerun(scope="app")


def follow_changes() -> None:
    """With --watch: reload the page when the session's source changes on disk, keeping the user's place."""
    spec = st.session_state.get("source")
    if not watching() or not isinstance(spec, SourceSpec) or not is_local(spec):
        return
    with st.sidebar:
        st.caption("Watching the source: the pages reload when its files change.")
        _follow(spec.location, REVISIONS.get(spec.location))


# Resources, not data: read-only and shared, so a rerun at 100,000 concepts does not unpickle a copy.
# Every cached query is keyed by the source's version (source_key): a reloaded source never reads stale answers.
@st.cache_resource(max_entries=16, show_spinner=False)
def figures(_store: GraphStore, version: str) -> tuple[dict[str, int], set[str], dict[str, str]]:
    """Degrees, orphans and category colours of a store (for drawing), computed once per source version."""
    degrees, orphans = concept_degrees(_store)
    colours = category_colours(label.category for label in _store.labels())
    return degrees, orphans, colours


def hierarchy(store: GraphStore, spec: SourceSpec) -> Hierarchy:
    """The source's hierarchy (parents, children, chains, roots), built once per version and shared by every session."""
    return RESULTS.get("hierarchy", source_key(spec), lambda: Hierarchy.from_store(store))


@st.cache_resource(max_entries=16, show_spinner=False)
def labels(_store: GraphStore, version: str) -> dict[str, str]:
    """Concept id to a picker label (title, and aliases so typing an alias finds it), sorted by title."""
    concepts = sorted(_store.labels(), key=lambda c: (c.title.casefold(), c.id))
    return {c.id: concept_label(c.title, c.aliases) for c in concepts}


def concept_label(title: str, aliases: Sequence[str]) -> str:
    """How a concept reads in a picker: its title, then its aliases."""
    return f"{title} (aka {', '.join(aliases)})" if aliases else title


@st.cache_data(max_entries=512, show_spinner=False)
def search(_store: GraphStore, version: str, text: str, limit: int = 8) -> list[SearchHit]:
    """Ranked search hits over titles and aliases."""
    return _store.search(text, limit)


@st.cache_data(max_entries=256, show_spinner=False)
def neighbourhood_view(
    _store: GraphStore, version: str, concept: str, depth: int, edges: tuple[EdgeType, ...], direction: Direction
) -> tuple[Neighbourhood, str]:
    """A neighbourhood and its drawing."""
    degrees, orphans, colours = figures(_store, version)
    found = _store.neighbourhood(concept, depth, edges, direction)
    return found, draw_neighbourhood(_store, found, degrees=degrees, orphans=orphans, colours=colours, height=500)


@st.cache_data(max_entries=256, show_spinner=False)
def paths_view(
    _store: GraphStore,
    version: str,
    source: str,
    target: str,
    k: int,
    max_length: int,
    edges: tuple[EdgeType, ...],
    direction: Direction,
    avoid: tuple[str, ...],
) -> tuple[list[ConceptPath], str]:
    """Paths between two concepts and their drawing."""
    degrees, _orphans, colours = figures(_store, version)
    found = _store.paths(source, target, k, max_length, edges, direction, avoid)
    return found, (draw_paths(_store, found, degrees=degrees, colours=colours) if found else "")


def lasting_tabs(labels: Sequence[str], key: str) -> Sequence[Any]:
    """Tabs that stay on the reader's tab across reruns, even when its label's count changes ("x (3)" becomes "x (2)").

    The tab is remembered by its name (the label before " ("), so a fix applied or a change
    watched keeps the reader where they were.
    """
    remembered = f"{key}_name"
    by_name = {label.split(" (")[0]: label for label in labels}
    chosen = st.session_state.get(remembered)
    if chosen in by_name:
        st.session_state[key] = by_name[chosen]
    elif st.session_state.get(key) not in labels:
        st.session_state.pop(key, None)

    def remember() -> None:
        st.session_state[remembered] = str(st.session_state[key]).split(" (")[0]

    return st.tabs(list(labels), key=key, on_change=remember)


#: Widgets whose values outlive their page or tab being left: the Audit's table filters, orders and
#: pages, its worklist switches and the finding boxes' choices (Explore and Paths keep theirs in
#: their address state, ``state_to_apply``).
KEPT_WIDGETS = ("au_find_", "au_order_", "au_size_", "au_placeholder_", "au_page_", "au_open_", "fd_")


def keep_widget_values(prefixes: Sequence[str] = KEPT_WIDGETS) -> None:
    """Keep the values of the widgets named by ``prefixes`` while their page or tab is left."""
    # Streamlit forgets the value of a widget a run does not draw (another page, a closed tab);
    # a value the session set itself is kept.
    for widget in [k for k in st.session_state if str(k).startswith(tuple(prefixes))]:
        st.session_state[widget] = st.session_state[widget]


State = TypeVar("State")


def state_to_apply(
    parse: Callable[[Mapping[str, str | list[str]]], State], synced_key: str
) -> tuple[State, bool] | None:
    """The state a page should set its widgets to, and whether its URL asked for it; None to leave them as they are.

    The URL wins when it changed since the page last wrote it (a shared link, a reload, a first
    visit). A bare URL in a session that has shown the page is the reader coming back from the
    sidebar, which clears the URL: the page shows what it showed before, not its defaults.
    """
    params = st.query_params.to_dict()
    synced: State | None = st.session_state.get(synced_key)
    wanted = parse(params)
    if wanted == synced:
        return None
    # A page writes its state to the URL, defaults left out: a bare URL against a state that is not
    # the defaults was cleared by someone else.
    if synced is not None and not params:
        return synced, False
    return wanted, True


def show_metrics(items: Sequence[tuple[str, int | str]], key: str) -> None:
    """A row of metrics, whole numbers thousands-separated, each as wide as its value (wrapping, never cut off)."""
    # Equal columns cut a long value ("100…"); content-wide metrics in a wrapping row never do.
    with st.container(horizontal=True, gap="large", key=key):
        for label, value in items:
            st.metric(label, count_text(value) if isinstance(value, int) else value, width="content")


# -- errors -----------------------------------------------------------------------------------


def error_text(error: BaseException) -> str:
    """An error as markdown for people: for a load error, every problem with its file and line."""
    if isinstance(error, LoadError):
        lines = []
        for problem in error.problems[:10]:
            # File names are user-supplied (an upload's name): a code span fenced longer than any
            # backtick run in the name, so the name cannot close it and turn the rest into markdown.
            where = code_span(problem.file) + (f", line {problem.line}" if problem.line else "")
            lines.append(f"- {where}: {md_escape(problem.message)}")
        more = f"\n- ... and {len(error.problems) - 10} more" if len(error.problems) > 10 else ""
        return "Could not load this source:\n\n" + "\n".join(lines) + more
    return md_escape(str(error))


def show_error(error: BaseException, where: Any = st) -> None:
    """Show an error in the page (or the sidebar)."""
    where.error(error_text(error))


def unexpected_text(error: BaseException) -> str:
    """An error nobody planned for as one line of markdown for people, user text escaped."""
    lines = str(error).strip().splitlines()
    detail = lines[0] if lines else ""
    detail = detail if len(detail) <= 300 else detail[:297] + "..."
    return (f"Something went wrong: {md_escape(type(error).__name__)}: {md_escape(detail)} "
            "(the source and this page are unchanged; try another view or source)")


def show_unexpected(error: BaseException) -> None:
    """The app's last resort: one error box; the traceback too when the app runs with --debug."""
    st.error(unexpected_text(error))
    if os.environ.get("GLOSSGRAPH_DEBUG", "").lower() not in ("", "0", "false", "no"):
        st.exception(error)


# -- the source sidebar -----------------------------------------------------------------------


def _try_source(spec: SourceSpec) -> bool:
    """Switch to a source when it loads; otherwise keep the current one and remember the error."""
    try:
        get_store(spec)
    except (GlossgraphError, OSError, ImportError) as error:
        st.session_state["source_error"] = error_text(error)
        return False
    except Exception as error:  # a callback has no page to catch it: the sidebar box is the last resort
        st.session_state["source_error"] = unexpected_text(error)
        return False
    st.session_state["source"] = spec
    st.session_state.pop("source_error", None)
    # The new graph may not have the concept the pages were showing: let them start afresh.
    for key in ("ex_concept", "ex_synced", "pa_from", "pa_to", "pa_avoid", "pa_synced", "ex_search"):
        st.session_state.pop(key, None)
    st.query_params.clear()
    return True


def _load_upload() -> None:
    upload = st.session_state.get("src_upload")
    if upload is None:
        return
    try:
        path = upload_area().save(upload.name, upload.getvalue(), keep=_current_location())
    except (GlossgraphError, OSError) as error:
        st.session_state["source_error"] = error_text(error)
        return
    except Exception as error:
        st.session_state["source_error"] = unexpected_text(error)
        return
    _try_source(SourceSpec(str(path)))


def upload_area() -> UploadArea:
    """This session's private upload folder, removed when the session ends."""
    area = st.session_state.get("upload_area")
    if not isinstance(area, UploadArea) or area.closed:
        area = st.session_state["upload_area"] = UploadArea(UPLOAD_ROOT)
    return area


def _current_location() -> str | None:
    spec = st.session_state.get("source")
    return spec.location if isinstance(spec, SourceSpec) and not spec.is_neo4j else None


def _load_path() -> None:
    text = (st.session_state.get("src_path") or "").strip()
    if text:
        try:
            path = server_path(text, allowed_root())
        except GlossgraphError as error:
            st.session_state["source_error"] = error_text(error)
            return
        _try_source(SourceSpec(str(path)))


def _load_neo4j() -> None:
    _try_source(
        SourceSpec(
            st.session_state.get("src_uri", "").strip(),
            dataset=st.session_state.get("src_dataset", "").strip() or None,
            user=st.session_state.get("src_user", "").strip() or None,
            password=st.session_state.get("src_password") or None,
            database=st.session_state.get("src_database", "").strip() or None,
        )
    )


def _load_default() -> None:
    _try_source(default_source())


def source_sidebar() -> GraphStore | None:
    """The Source section of the sidebar; returns the current store (None when even the default fails)."""
    if "source" not in st.session_state:
        st.session_state["source"] = default_source()
    spec = st.session_state["source"]
    with st.sidebar:
        st.subheader("Source")
        try:
            store = get_store(spec)
        except (GlossgraphError, OSError, ImportError) as error:
            show_error(error)
            store = None
        if store is not None:
            count = len(store.labels())  # a lean read: a server store does not pull the glossary for it
            st.caption(f"{md_escape(spec.describe())}: {count_text(count)} concepts ({store.backend} store)")
        if st.session_state.get("source_error"):
            st.error(st.session_state["source_error"])
        with st.expander("Change source", expanded=store is None):
            st.button("Use the bundled sample" if not _started_with_source() else "Use the startup source",
                      on_click=_load_default, key="src_default")
            st.file_uploader(
                f"Upload a glossary file or a zip of a folder (at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)",
                type=["md", "markdown", "json", "jsonl", "ndjson", "yaml", "yml", "csv", "tsv", "zip", "ttl", "rdf",
                      "xml", "graphml", "gexf", "html"],
                key="src_upload",
                on_change=_load_upload,
            )
            root = allowed_root()
            if root is not None:  # off unless the app was started with --allow-path DIR
                st.text_input(f"Folder or file path on the server, inside {md_escape(root.name)}/", key="src_path",
                              placeholder="glossary")
                st.button("Load path", on_click=_load_path, key="src_path_load")
            if _neo4j_available():
                st.markdown("**Neo4j**")
                st.text_input("URI", key="src_uri", placeholder="neo4j://127.0.0.1:7687")
                st.text_input("User", key="src_user", value="neo4j")
                st.text_input("Password", key="src_password", type="password")
                st.text_input("Database (optional)", key="src_database")
                st.text_input("Dataset", key="src_dataset")
                st.button("Connect", on_click=_load_neo4j, key="src_neo4j")
            else:
                st.caption("Neo4j: this build has no Neo4j store (graph/neo4j/).")
    return store


def _started_with_source() -> bool:
    import os

    from graph.appstate import SOURCE_ENV

    return bool(os.environ.get(SOURCE_ENV))


def _neo4j_available() -> bool:
    return importlib.util.find_spec("graph.neo4j.store") is not None


def move_to(key: str, concept_id: str) -> Callable[[], None]:
    """A button callback that sets a concept picker to ``concept_id``."""

    def go() -> None:
        st.session_state[key] = concept_id

    return go
