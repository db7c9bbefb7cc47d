"""Paths: how is one concept related to another; the URL holds ?from=&to=."""

from __future__ import annotations

import streamlit as st

from graph.app.common import PICKER_LIMIT, current, labels, paths_view, show_error, source_key, state_to_apply
from graph.appstate import PathsState, count_text, md_escape, parse_paths
from graph.build import EDGE_TYPES
from graph.errors import GlossgraphError, UsageError
from graph.protocol import DIRECTIONS, check_direction, check_edge_types

spec, store = current()
version = source_key(spec)
names = labels(store, version)


def _resolve(reference: str | None, warn: bool = True) -> str | None:
    if not reference:
        return None
    try:
        return store.resolve(reference)
    except GlossgraphError as error:
        if warn:
            st.warning(f"The link names a concept this glossary does not have: {md_escape(str(error))}")
        return None


applied = state_to_apply(parse_paths, "pa_synced")
if applied is not None:
    wanted, from_address = applied
    # A concept shown before and gone since (another source) is left quietly; a URL's is reported.
    st.session_state["pa_from"] = _resolve(wanted.source, warn=from_address)
    st.session_state["pa_to"] = _resolve(wanted.target, warn=from_address)
    st.session_state["pa_k"] = wanted.k
    st.session_state["pa_max"] = wanted.max_length
    st.session_state["pa_direction"] = wanted.direction
    st.session_state["pa_avoid"] = [a for a in (_resolve(x, warn=from_address) for x in wanted.avoid) if a]
    for edge_type in EDGE_TYPES:
        st.session_state[f"pa_{edge_type}"] = edge_type in wanted.edges

st.title("Paths")
st.caption("How is one concept related to another? The shortest chains of links, each hop explained.")
options = list(names)
if len(options) > PICKER_LIMIT:
    st.warning(f"This glossary has {count_text(len(options))} concepts; the pickers list the first "
               f"{count_text(PICKER_LIMIT)}.")
    options = options[:PICKER_LIMIT]
ends = st.columns(2)
ends[0].selectbox("From", options, index=None, key="pa_from", format_func=lambda i: names.get(i, i),
                  placeholder="type a title or alias")
ends[1].selectbox("To", options, index=None, key="pa_to", format_func=lambda i: names.get(i, i),
                  placeholder="type a title or alias")
settings = st.columns([1, 2, 2, 3])
settings[0].number_input("Paths (k)", min_value=1, max_value=10, key="pa_k")
settings[1].slider("Max length (hops)", 1, 10, key="pa_max")
settings[2].radio("Direction", DIRECTIONS, key="pa_direction", horizontal=True)
with settings[3]:
    st.caption("Edge types")
    with st.container(horizontal=True):
        for edge_type in EDGE_TYPES:
            st.toggle(edge_type, key=f"pa_{edge_type}")
st.multiselect("Concepts to avoid", options, key="pa_avoid", format_func=lambda i: names.get(i, i))

chosen = tuple(t for t in EDGE_TYPES if st.session_state[f"pa_{t}"]) or ("related",)
state = PathsState(
    st.session_state["pa_from"],
    st.session_state["pa_to"],
    int(st.session_state["pa_k"]),
    int(st.session_state["pa_max"]),
    chosen,
    st.session_state["pa_direction"],
    tuple(st.session_state["pa_avoid"]),
)
st.session_state["pa_synced"] = state
if st.query_params.to_dict() != state.to_params():
    st.query_params.from_dict(state.to_params())

if not (state.source and state.target):
    st.info("Choose where to start and where to end.")
    st.stop()

try:
    found, html = paths_view(
        store,
        version,
        state.source,
        state.target,
        state.k,
        state.max_length,
        check_edge_types(state.edges),
        check_direction(state.direction),
        state.avoid,
    )
except UsageError as error:
    st.warning(md_escape(str(error)))
    st.stop()
except GlossgraphError as error:
    show_error(error)
    st.stop()

if not found:
    st.info(
        f"No path of at most {state.max_length} hops joins {md_escape(names.get(state.source, state.source))} and "
        f"{md_escape(names.get(state.target, state.target))} with these settings."
    )
    st.stop()

concepts = {c.id: c for c in store.concepts(list(dict.fromkeys(c for path in found for c in path.concepts)))}


def _title(concept_id: str) -> str:
    concept = concepts.get(concept_id)
    return md_escape(concept.title if concept else concept_id)


st.subheader(f"{len(found)} path{'s' if len(found) != 1 else ''}, shortest first", anchor=False)
for number, path in enumerate(found, 1):
    chain = [f"**{_title(path.concepts[0])}**"]
    for hop in path.hops:
        # The arrow shows the link as authored: walked forward or against its direction.
        # A narrower hop (a broader link walked down) reads along the path. An ontology's relation
        # (part_of) is the source's text: escaped.
        label = md_escape(hop.label)
        relation = f" —{label}→ " if hop.forward or hop.type == "narrower" else f" ←{label}— "
        chain.append(f"{relation}**{_title(hop.target)}**")
    with st.container(border=True, key=f"path_{number}"):
        st.markdown(f"**Path {number}** · {path.length} hop{'s' if path.length != 1 else ''}")
        st.markdown("".join(chain))
        with st.expander("Definitions along the way"):
            st.markdown(
                "\n".join(
                    f"- **{_title(c)}**: {md_escape(concepts[c].definition) if concepts.get(c) else ''}"
                    for c in path.concepts
                )
            )
st.iframe(html, height=550)
