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
    "fix_index",
    "obsidian_vault",
    "selector",
]

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graph.audit.data import Finding
from graph.audit.locate import source_root
from graph.fix import FIXABLE, FindingEdits, FixPlan, Selector, finding_edits, plan_edits
from graph.model import Glossary
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


def selector(name: str, row: Mapping[str, Any]) -> Selector:
    """The findings a row of the app stands for: a finding of check ``name`` itself, or a wanted target's broken links.

    A worklist row may carry more fields than the finding (a rank such as ``mentions``): the
    finding is the one whose every field the row has with the same value.
    """
    if name == "wanted":
        key = normalise(str(row["target"]))
        return lambda check, finding: check == "broken_links" and normalise(finding["target"]) == key
    check_of_row = FIX_OF[name]

    def same(check: str, finding: Finding) -> bool:
        return check == check_of_row and all(row.get(k) == v for k, v in finding.items())

    return same


def fix_index(glossary: Glossary, name: str) -> list[FindingEdits]:
    """Every finding of the check that repairs rows of ``name``, with its edits (one audit; then each row is cheap)."""
    return finding_edits(glossary, [FIX_OF[name]])


def finding_plan(glossary: Glossary, name: str, row: Mapping[str, Any],
                 index: Sequence[FindingEdits] | None = None) -> FixPlan:
    """The repair of one row of the app (a finding, or a wanted target's broken links), as ``fix`` makes it.

    ``index`` (from ``fix_index``) saves auditing again; the files are read now either way.
    """
    keep = selector(name, row)
    found = fix_index(glossary, name) if index is None else index
    return plan_edits(glossary, [edit for check, finding, edits in found if keep(check, finding) for edit in edits])
