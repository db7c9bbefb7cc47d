"""Explore: find a concept, read its card, and see its neighbourhood; the URL holds ?concept=&depth=."""

from __future__ import annotations

import streamlit as st

from graph.app.common import (
    PICKER_LIMIT,
    current,
    hierarchy,
    labels,
    move_to,
    neighbourhood_view,
    search,
    show_error,
    source_key,
    state_to_apply,
)
from graph.appstate import ExploreState, count_text, md_escape, parse_explore, safe_url
from graph.build import EDGE_TYPES
from graph.errors import GlossgraphError
from graph.hierarchy import MAX_CHAINS
from graph.model import Translation
from graph.protocol import DIRECTIONS

spec, store = current()
version = source_key(spec)
names = labels(store, version)
if not names:
    st.info("This glossary has no concepts.")
    st.stop()

applied = state_to_apply(parse_explore, "ex_synced")
if applied is not None:
    wanted, from_address = applied
    concept_id = None
    if wanted.concept:
        try:
            concept_id = store.resolve(wanted.concept)
        except GlossgraphError as error:
            if from_address:  # a concept shown before, gone since (another source), is left quietly
                st.warning(f"The link names a concept this glossary does not have: {md_escape(str(error))}")
    if concept_id is not None or "ex_concept" not in st.session_state:
        st.session_state["ex_concept"] = concept_id or next(iter(names))
    st.session_state["ex_depth"] = wanted.depth
    st.session_state["ex_direction"] = wanted.direction
    for edge_type in EDGE_TYPES:
        st.session_state[f"ex_{edge_type}"] = edge_type in wanted.edges

pick, find = st.columns([3, 2])
with pick:
    # Every title and alias is an option label, so the box suggests concepts as you type either.
    options = list(names) if len(names) <= PICKER_LIMIT else [st.session_state["ex_concept"]]
    if st.session_state["ex_concept"] not in names:
        st.session_state["ex_concept"] = next(iter(names))
    st.selectbox("Concept", options, key="ex_concept", format_func=lambda i: names.get(i, i))
with find:
    query = st.text_input("Search titles and aliases", key="ex_search", placeholder="e.g. RAG")
    if query.strip():
        hits = search(store, version, query.strip())
        if not hits:
            st.caption("No concept matches.")
        with st.container(horizontal=True):
            for hit in hits:
                label = hit.title if hit.matched == hit.title else f"{hit.title} ({hit.matched})"
                st.button(md_escape(label), key=f"hit_{hit.id}", on_click=move_to("ex_concept", hit.id),
                          type="tertiary")

concept_id = st.session_state["ex_concept"]
try:
    view = store.concept(concept_id)
except GlossgraphError as error:
    show_error(error)
    st.stop()
concept = view.concept

def _translation_line(translation: Translation) -> str:
    """One list line of the card for a concept's label, aliases and definition in another language."""
    line = f"- **{md_escape(translation.lang)}:** {md_escape(translation.title)}"
    if translation.aliases:
        line += f" ({', '.join(md_escape(a) for a in translation.aliases)})"
    if translation.definition:
        line += f": {md_escape(translation.definition)}"
    return line


#: The most narrower concepts listed as buttons on a card (a root of a large thesaurus has thousands).
MAX_CHILDREN = 60


def _place_in_hierarchy() -> None:
    """The concept's ancestors as breadcrumbs (one per chain up) and its children, every concept a button."""
    tree = hierarchy(store, spec)
    if not tree:
        return
    chains, more = tree.chains(concept.id)
    for number, chain in enumerate(chains):
        with st.container(horizontal=True, key=f"crumbs_{number}", gap="small"):
            if chain.cycle:
                st.markdown("↻", help="A cycle: the walk up comes back to a concept already on this chain.")
            for ancestor in chain.concepts[:-1]:
                st.button(md_escape(tree.titles.get(ancestor, ancestor)), key=f"up_{number}_{ancestor}",
                          on_click=move_to("ex_concept", ancestor), type="tertiary")
                st.markdown("›")
            st.markdown(f"**{md_escape(concept.title)}**")
    if more:
        st.caption(f"Only the first {MAX_CHAINS} chains up to a root are shown.")
    if not chains and view.narrower:
        st.caption("A root of the hierarchy: no broader concept.")
    elif not chains:
        st.caption("Not in the hierarchy: no broader or narrower concept.")
    if view.narrower:
        st.markdown(f"**Narrower** ({count_text(len(view.narrower))})")
        with st.container(horizontal=True, key="narrower"):
            for child in view.narrower[:MAX_CHILDREN]:
                st.button(md_escape(view.titles.get(child, child)), key=f"down_{child}",
                          on_click=move_to("ex_concept", child))
        if len(view.narrower) > MAX_CHILDREN:
            st.caption(f"showing {MAX_CHILDREN} of {count_text(len(view.narrower))}")


card, picture = st.columns([2, 3], gap="large")
with card:
    _place_in_hierarchy()
    st.header(md_escape(concept.title), anchor=False)
    facts = [
        f"**Category:** {md_escape(', '.join(concept.categories))}" if concept.categories else "*No category*",
        f"**Level:** {md_escape(concept.level)}" if concept.level else "",
        f"**Published:** {md_escape(concept.published)}" if concept.published else "",
    ]
    st.markdown(" · ".join(f for f in facts if f))
    st.markdown(md_escape(concept.definition) if concept.definition else "*No definition.*")
    if concept.aliases:
        st.markdown("**Also known as:** " + ", ".join(md_escape(a) for a in concept.aliases))
    if concept.translations:
        st.markdown("**In other languages**\n\n" + "\n".join(_translation_line(t) for t in concept.translations))
    if concept.body and concept.body.strip() != concept.definition.strip():
        with st.expander("More"):
            for paragraph in concept.body.split("\n\n"):
                st.markdown(md_escape(paragraph))
    if concept.sources:
        st.markdown("**Sources**")
        lines = []
        for source in concept.sources:
            url = safe_url(source.url) if source.url else None
            title = md_escape(source.title or source.url)
            lines.append(f"- [{title}]({url})" if url else f"- {title}")
        st.markdown("\n".join(lines))
    st.markdown(f"**Links to** ({len(view.links)})")
    with st.container(horizontal=True, key="links_to"):
        for target in view.links:
            st.button(md_escape(view.titles.get(target, target)), key=f"to_{target}",
                      on_click=move_to("ex_concept", target))
    st.markdown(f"**Linked from** ({len(view.backlinks)})")
    if not view.backlinks:
        st.caption("Nothing links here: an orphan.")
    with st.container(horizontal=True, key="linked_from"):
        for source_id in view.backlinks:
            st.button(md_escape(view.titles.get(source_id, source_id)), key=f"from_{source_id}",
                      on_click=move_to("ex_concept", source_id))
    if view.broken:
        st.markdown("**Broken references** (no concept has these names)")
        st.markdown("\n".join(f"- {md_escape(b)}" for b in view.broken))

with picture:
    controls = st.columns([2, 2, 3])
    controls[0].slider("Depth", 1, 3, key="ex_depth")
    controls[1].radio("Direction", DIRECTIONS, key="ex_direction", horizontal=True,
                      format_func={"both": "both", "out": "out", "in": "in"}.get)
    with controls[2]:
        st.caption("Edge types")
        with st.container(horizontal=True):
            for edge_type in EDGE_TYPES:
                st.toggle(edge_type, key=f"ex_{edge_type}")
    chosen = tuple(t for t in EDGE_TYPES if st.session_state[f"ex_{t}"]) or ("related",)
    found, html = neighbourhood_view(
        store, version, concept_id, st.session_state["ex_depth"], chosen, st.session_state["ex_direction"]
    )
    st.iframe(html, height=590)
    shown = min(len(found.nodes), found.total)
    if found.truncated:
        st.caption(f"showing {count_text(shown)} of {count_text(found.total)} nodes")
    else:
        st.caption(f"{count_text(found.total)} nodes, {count_text(len(found.edges))} edges")
    in_view = [n.id for n in found.nodes if n.kind == "concept" and n.id != concept_id]
    if in_view:
        st.selectbox(
            "Move to a concept in the picture",
            in_view,
            index=None,
            key="ex_neighbour",
            format_func=lambda i: names.get(i, i),
            placeholder=f"{len(in_view)} concepts",
            on_change=lambda: st.session_state.update(ex_concept=st.session_state["ex_neighbour"], ex_neighbour=None)
            if st.session_state.get("ex_neighbour") else None,
        )

state = ExploreState(concept_id, st.session_state["ex_depth"], chosen, st.session_state["ex_direction"])
st.session_state["ex_synced"] = state
if st.query_params.to_dict() != state.to_params():
    st.query_params.from_dict(state.to_params())
