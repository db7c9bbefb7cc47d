"""From an audit finding to the editor: where it is written, links that open it there, and its fix alone.

The app's Audit page uses these; they hold no Streamlit so they are tested on their own.
"""

from __future__ import annotations

__all__ = [
    "FIX_OF",
    "EditorLink",
    "editor_links",
    "finding_path",
    "finding_plan",
    "obsidian_vault",
]

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graph.audit.data import Finding
from graph.audit.locate import source_root
from graph.audit.report import run_audit
from graph.fix import FIXABLE, FixPlan, Repairs, plan_edits
from graph.model import Glossary
from graph.resolve import resolve_links
from graph.text import normalise

#: The check whose repair fixes a row of each worklist list or check table ("wanted" groups broken links).
FIX_OF: dict[str, str] = {"wanted": "broken_links", **{check: check for check in FIXABLE}}


@dataclass(frozen=True)
class EditorLink:
    """A link that opens a finding's file in an editor: the button's label and the URL."""

    label: str
    url: str


def finding_path(source: str, finding: Mapping[str, Any]) -> Path | None:
    """The absolute path of a located finding's file under a file or folder source; None otherwise."""
    file = finding.get("file")
    root = source_root(source)
    if not file or root is None:
        return None
    path = Path(str(file))
    return path if path.is_absolute() else (root / path).resolve()


def obsidian_vault(path: Path) -> Path | None:
    """The Obsidian vault a file lies in: the nearest folder above it holding ``.obsidian/``; None if none."""
    for folder in path.parents:
        if (folder / ".obsidian").is_dir():
            return folder
    return None


def editor_links(path: Path, line: int | None) -> list[EditorLink]:
    """Links that open ``path`` at ``line``: VS Code always, Obsidian when the file lies in a vault.

    >>> [link.url for link in editor_links(Path("/notes/Large models/LLM & co.md"), 7)]
    ['vscode://file/notes/Large%20models/LLM%20%26%20co.md:7']
    """
    where = f":{line}" if line else ""
    links = [EditorLink("Open in VS Code", f"vscode://file{quote(path.as_posix(), safe='/')}{where}")]
    vault = obsidian_vault(path)
    if vault is not None:
        # Obsidian opens a note by vault name and path inside the vault; it has no line parameter.
        relative = path.relative_to(vault).as_posix()
        links.append(EditorLink(
            "Open in Obsidian", f"obsidian://open?vault={quote(vault.name, safe='')}&file={quote(relative, safe='')}"
        ))
    return links


def finding_plan(glossary: Glossary, name: str, row: Mapping[str, Any], repairs: Repairs | None = None,
                 broken: Iterable[Finding] | None = None) -> FixPlan:
    """The repair of one row of the app (a finding, or a wanted target's broken links), as ``fix`` makes it.

    ``repairs`` (built once per version of the glossary) and ``broken`` (the audit's open
    broken-link findings, which a wanted target's row stands for) save indexing and auditing
    again; the files are read now either way.
    """
    check = FIX_OF[name]
    if repairs is None:
        repairs = Repairs(glossary, resolve_links(glossary))
    if name == "wanted":
        if broken is None:
            broken = run_audit(glossary, [check]).open_findings(check)
        key = normalise(str(row["target"]))
        findings = [f for f in broken if normalise(f["target"]) == key]
    else:
        # A row is its finding, maybe with a rank beside it (a worklist's ``mentions``), which the repair ignores.
        findings = [dict(row)]
    removed: set[tuple[str, int]] = set()
    return plan_edits(glossary, [edit for finding in findings for edit in repairs.edits(check, finding, removed)])
