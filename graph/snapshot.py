"""Snapshots: a folder with the graph in every export format, the audit report and a manifest of hashes.

A snapshot is written into a temporary folder beside its target and renamed into place at the end,
so a folder named like a snapshot is always complete. ``verify`` re-hashes every file against the
manifest. ``loaders.load(folder)`` loads a snapshot back through its node-link JSON.
"""

from __future__ import annotations

__all__ = [
    "MANIFEST",
    "SNAPSHOT_FORMAT",
    "SNAPSHOT_VERSION",
    "SnapshotMismatch",
    "Verification",
    "audit_markdown",
    "is_snapshot_folder",
    "read_manifest",
    "snapshot",
    "verify",
]

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph import __version__
from graph.errors import ExportError
from graph.exports import EXPORT_FORMATS, FILE_NAMES, graph_records, render, write_folder_atomic
from graph.local import LocalStore
from graph.model import Glossary
from graph.protocol import GraphStore

MANIFEST = "manifest.json"
SNAPSHOT_FORMAT = "glossgraph-snapshot"
SNAPSHOT_VERSION = 1
AUDIT_JSON = "audit.json"
AUDIT_MARKDOWN = "audit.md"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Entries:
    """What is below a folder, symlinks never followed: names relative to it, "/"-separated, sorted."""

    files: list[str] = field(default_factory=list)
    symlinks: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # special files (fifos, devices, sockets) and empty folders


def _entries(folder: Path) -> _Entries:
    found = _Entries()
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        base = here.relative_to(folder).as_posix()
        prefix = "" if base == "." else base + "/"
        if here != folder and not dirs and not files:
            found.others.append(prefix.rstrip("/") + "/")
        for name in dirs:
            if (here / name).is_symlink():
                found.symlinks.append(prefix + name)
        for name in files:
            mode = os.lstat(here / name).st_mode
            (found.files if stat.S_ISREG(mode) else found.symlinks if stat.S_ISLNK(mode) else found.others).append(
                prefix + name)
    for names in (found.files, found.symlinks, found.others):
        names.sort()
    return found


def _files(folder: Path) -> list[str]:
    """Every regular file below a folder (relative, "/"-separated, sorted), the manifest excepted."""
    return [name for name in _entries(folder).files if name != MANIFEST]


def _cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
    # Markdown table cells: pipes and newlines would break the row.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def audit_markdown(report: dict[str, Any], title: str = "Audit") -> str:
    """The audit report (its JSON form) as Markdown: a summary table, then each check's findings."""
    summary = report.get("summary", {})
    checks: dict[str, list[dict[str, Any]]] = report.get("checks", {})
    lines = [f"# {title}", "", "| check | findings |", "|---|---:|"]
    lines += [f"| {name} | {len(findings)} |" for name, findings in checks.items()]
    lines += ["", "| measure | value |", "|---|---:|"]
    lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in summary.items() if k not in checks and k != "allowed"]
    for name, findings in checks.items():
        if not findings:
            continue
        columns = list(dict.fromkeys(key for finding in findings for key in finding))
        lines += ["", f"## {name} ({len(findings)})", "", "| " + " | ".join(columns) + " |",
                  "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(_cell(f.get(c, "")) for c in columns) + " |" for f in findings]
    return "\n".join(lines) + "\n"


def is_snapshot_folder(path: Path) -> bool:
    """True for a folder ``--force`` may replace: a snapshot manifest, and nothing the manifest does not list.

    Changed contents do not matter (the folder is ours); a symlink or a file someone added does:
    such a folder is left alone rather than have the user's addition deleted.
    """
    try:
        if (path / MANIFEST).is_symlink():
            return False
        listed = read_manifest(path)["files"]
        found = _entries(path)
    except (ExportError, OSError):
        return False
    return not (found.symlinks or found.others) and set(found.files) <= {*listed, MANIFEST}


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a snapshot folder, or ExportError."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"{folder} is not a snapshot: it has no {MANIFEST}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExportError(f"{path}: cannot read the manifest: {error}") from None
    except RecursionError:
        raise ExportError(f"{path}: cannot read the manifest: it is nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT or not isinstance(data.get("files"), dict):
        raise ExportError(f"{path}: not a glossgraph snapshot manifest")
    return data


def snapshot(
    source: Glossary | GraphStore,
    path: str | Path,
    *,
    force: bool = False,
    source_name: str | None = None,
    dataset: str = "glossgraph",
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """Write a snapshot folder (every export format, audit.json, audit.md, manifest.json); return the manifest."""
    from graph.audit import run_audit

    store = LocalStore(source) if isinstance(source, Glossary) else source
    glossary = store.glossary()
    records = graph_records(store)
    moment = (created_at or datetime.now(UTC)).astimezone(UTC)
    origin = source_name if source_name is not None else glossary.source
    report = run_audit(store).to_json()
    manifest: dict[str, Any] = {}

    def fill(folder: Path) -> None:
        for fmt in EXPORT_FORMATS:
            data = render(store, fmt, dataset=dataset, records=records, heading=f"Glossary graph: {origin}")
            target = folder / FILE_NAMES[fmt]
            if isinstance(data, dict):
                target.mkdir()
                for name, content in data.items():
                    (target / name).write_bytes(content)
            else:
                target.write_bytes(data)
        report_text = json.dumps(report, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
        (folder / AUDIT_JSON).write_text(report_text, encoding="utf-8")
        (folder / AUDIT_MARKDOWN).write_text(audit_markdown(report, f"Audit of {origin}"), encoding="utf-8")
        files = {
            name: {"sha256": _sha256(folder / name), "bytes": (folder / name).stat().st_size}
            for name in _files(folder)
        }
        manifest.update(
            format=SNAPSHOT_FORMAT,
            version=SNAPSHOT_VERSION,
            created_at=moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
            source=origin,
            tool_version=__version__,
            graph=FILE_NAMES["json"],
            counts=store.stats().to_json(),
            files=files,
        )
        text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
        (folder / MANIFEST).write_text(text, encoding="utf-8")

    write_folder_atomic(path, fill, force=force, replaceable=is_snapshot_folder)
    return manifest


@dataclass
class Verification:
    """What ``verify`` found: changed files, listed files that are gone, what the manifest does not list, symlinks.

    ``extra`` holds files the manifest does not list, special files and empty folders (a folder
    name ends in "/"); ``symlinks`` every symbolic link, listed or not: none is ever followed.
    """

    folder: str
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    symlinks: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        """True when every file is there, unchanged, and nothing was added."""
        return not (self.changed or self.missing or self.extra or self.symlinks)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"folder": self.folder, "ok": self.ok, "checked": self.checked, "changed": self.changed,
                "missing": self.missing, "extra": self.extra, "symlinks": self.symlinks}


class SnapshotMismatch(ExportError):
    """A snapshot's files do not match its manifest (exit code 1: a finding, not a usage error)."""

    exit_code = 1

    def __init__(self, result: Verification):
        self.result = result
        parts = [f"{what} {', '.join(names)}" for what, names in
                 (("changed:", result.changed), ("missing:", result.missing), ("extra:", result.extra),
                  ("symlinks:", result.symlinks)) if names]
        super().__init__(f"{result.folder} does not match its manifest; " + "; ".join(parts))


def verify(folder: str | Path) -> Verification:
    """Check every file of a snapshot against the SHA-256 in its manifest; report what it does not list."""
    folder = Path(folder)
    if (folder / MANIFEST).is_symlink():
        raise ExportError(f"{folder / MANIFEST} is a symbolic link; a snapshot's manifest must be a plain file")
    manifest = read_manifest(folder)
    listed: dict[str, Any] = manifest["files"]
    result = Verification(str(folder))
    found = _entries(folder)
    present = set(found.files) - {MANIFEST}
    result.symlinks = found.symlinks
    for name in sorted(listed):
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            raise ExportError(f"{folder / MANIFEST}: the manifest names a file outside the snapshot: {name!r}")
        entry = listed[name]
        expected = entry.get("sha256") if isinstance(entry, dict) else None
        if name in found.symlinks:
            continue  # reported as a symlink, never read through
        if name not in present:
            result.missing.append(name)
            continue
        result.checked += 1
        if _sha256(folder / name) != expected:
            result.changed.append(name)
    result.extra = sorted((present - set(listed)) | set(found.others))
    return result
