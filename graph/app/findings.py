"""One audit finding on the Audit page: where it is written (copyable), links that open it in an editor, and its fix.

The fix is the one `glossgraph fix` makes (graph.fix through graph.editing): previewed as a diff,
applied only when the app was started with --allow-write, written the same atomic way and only
to files unchanged since they were read. Writing bumps the source's revision, so the next run
loads the files afresh and the audit of the new version no longer has the finding.
"""

from __future__ import annotations

__all__ = ["finding_panel"]

import json
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

import streamlit as st

from graph.app.common import is_local, source_key
from graph.appcache import RESULTS, REVISIONS, source_version
from graph.appstate import SourceSpec, md_escape, writes_allowed
from graph.audit.data import Finding
from graph.audit.formats import located, where
from graph.editing import FIX_OF, editor_links, finding_path, finding_plan
from graph.errors import GlossgraphError
from graph.fix import FixPlan, Repairs, apply
from graph.protocol import GraphStore


def _label(name: str, row: Mapping[str, Any]) -> str:
    """How a row reads in the finding picker: ``file:line`` and the finding in a few words."""
    if name == "wanted":
        return f"{row['target']} (wanted by {', '.join(row['sources'])})"
    return located(name, dict(row))


class Preview(NamedTuple):
    """A row's fix and its diff (worked out once: a diff of a large file is slow to build)."""

    plan: FixPlan
    diff: str


def _plan(spec: SourceSpec, store: GraphStore, name: str, row: Mapping[str, Any],
          broken: Sequence[Finding]) -> Preview | None:
    """The row's fix, planned from the files as loaded; None when they changed since (the store must reload first)."""
    # Planning reads the files now but edits the lines the store recorded: both must be the same version.
    version = source_key(spec)
    if source_version(spec.location, spec.dataset) != version:
        return None
    glossary = store.glossary()
    # The link table is indexed once per version; a row's plan then only reads its files.
    repairs = RESULTS.get("repairs", version, lambda: Repairs(glossary, store.links()))
    plan = finding_plan(glossary, name, row, repairs, broken)
    return Preview(plan, "".join(file.diff() for file in plan.changed))


def _why_not_write(spec: SourceSpec) -> str | None:
    """Why the Apply button is off, or None when it may write."""
    if not writes_allowed():
        return "Start the app with --allow-write to apply fixes to the files."
    if not is_local(spec):
        return "Fixes are written to a glossary opened by path, not to an upload or a Neo4j dataset."
    return None


def _apply(spec: SourceSpec, plan: FixPlan, note: str) -> None:
    """The Apply button: write the fix (each file atomically, if unchanged since read), then reload the source."""
    if _why_not_write(spec) is not None:  # the button is disabled then; a forged click changes nothing
        return
    try:
        apply(plan)
    except (GlossgraphError, OSError) as error:
        st.session_state[note] = ("error", f"Nothing written: {error}")
    else:
        repairs = sum(len(f.made) for f in plan.changed)
        names = ", ".join(f.name for f in plan.changed)
        st.session_state[note] = ("success", f"Fixed {names}: {repairs} repair{'s' if repairs != 1 else ''}.")
    # Written or refused, the files are not what the store holds: read them again (a new audit follows).
    RESULTS.discard_version(source_key(spec))
    REVISIONS.bump(spec.location)


def finding_panel(spec: SourceSpec, store: GraphStore, name: str, rows: Sequence[Mapping[str, Any]], key: str,
                  broken: Sequence[Finding] = ()) -> None:
    """Pick one of ``rows`` (findings of check ``name``, or a worklist list): its place, editor links, its fix.

    ``broken`` are the audit's open broken-link findings: the ones a wanted target's row repairs.
    """
    if not rows:
        return
    picker = f"fd_{key}"
    # The options are the findings' texts (the picker keeps a text, not a position, across reruns),
    # numbered when two read alike.
    options: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        label = text = _label(name, row)
        copy = 1
        while label in options:
            copy += 1
            label = f"{text} ({copy})"
        options[label] = row
    if st.session_state.get(picker) not in options:
        st.session_state.pop(picker, None)  # a fixed finding left the list: back to the first
    with st.container(border=True, key=f"finding_{key}"):
        # What the last Apply did stays in view (a watched change reruns the page) until another finding is picked.
        chosen = st.selectbox("Finding to open or fix", list(options), key=picker,
                              on_change=lambda: st.session_state.pop(f"fix_note_{key}", None))
        row = options[chosen or next(iter(options))]
        place = where(dict(row))
        path = finding_path(spec.location, row) if place and not spec.is_neo4j else None
        if place:
            line = row.get("line")
            # A code block has a copy button: the path pastes into a terminal (`code -g PATH:LINE`).
            st.code(f"{path}:{line}" if path and isinstance(line, int) else str(path or place), language=None)
        if path is not None and is_local(spec):
            with st.container(horizontal=True, key=f"editors_{key}"):
                for link in editor_links(path, row.get("line") if isinstance(row.get("line"), int) else None):
                    st.link_button(link.label, link.url, key=f"{link.label.split()[-1].lower()}_{key}")
        if name in FIX_OF and not spec.is_neo4j:
            _fix_section(spec, store, name, row, key, broken)


def _fix_section(spec: SourceSpec, store: GraphStore, name: str, row: Mapping[str, Any], key: str,
                 broken: Sequence[Finding]) -> None:
    """The fix of one row: the diff `glossgraph fix` would print for it, and the Apply button."""
    note = f"fix_note_{key}"
    if note in st.session_state:
        kind, text = st.session_state[note]
        (st.success if kind == "success" else st.error)(md_escape(text))
    identity = json.dumps(dict(row), sort_keys=True, default=str)
    try:
        preview = RESULTS.get("fix", (source_key(spec), name, identity), partial(_plan, spec, store, name, row, broken))
    except (GlossgraphError, OSError, UnicodeDecodeError) as error:
        st.caption(f"No fix: {md_escape(str(error))}")
        return
    if preview is None:
        # The files changed since the glossary was loaded: load them again, then plan.
        RESULTS.discard_version(source_key(spec))
        REVISIONS.bump(spec.location)
        st.rerun()
    plan, diff = preview
    st.markdown(f"**Fix** (as `glossgraph fix --check {FIX_OF[name]}` makes it)")
    if diff:
        st.code(diff, language="diff")
    else:
        reasons = sorted({reason for _edit, reason in plan.skipped()})
        st.caption("No safe repair for this finding" + (f": {md_escape('; '.join(reasons))}." if reasons else "."))
    why_not = _why_not_write(spec)
    st.button("Apply this fix", key=f"fix_{key}", type="primary", disabled=why_not is not None or not diff,
              help=why_not, on_click=_apply, args=(spec, plan, note))
    if why_not is not None:
        st.caption(md_escape(why_not))
