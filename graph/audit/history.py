"""Audit history: each check's count across a folder of dated snapshots (``glossgraph audit --history``).

Every entry of the folder that the project's own loaders read back (a snapshot folder, a node-link
JSON, GraphML or GEXF export, a CSV nodes + edges folder) is one snapshot. Each is dated, first
match wins, by:

1. a date in its name: an ISO week (``glossary-2026-W17.json``) or a day (``2026-04-27``);
2. the ``created_at`` of a snapshot folder's manifest;
3. the file's modification time (UTC).

Each is audited once per version of its bytes (``graph.appcache.source_version``: path, size and
modification time of every file), so the app's chart and a watch loop re-audit only what changed. The JSON contract
(``History.to_json``) is in docs/audit.md, *Audit history*.
"""

from __future__ import annotations

__all__ = [
    "DATED_BY",
    "SNAPSHOT_FORMATS",
    "DatedSnapshot",
    "History",
    "audit_history",
    "date_of",
    "snapshot_entries",
]

import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graph.appcache import source_version
from graph.audit.checks import check_names
from graph.audit.report import run_audit
from graph.errors import GlossgraphError, LoadError, Problem, UsageError
from graph.exports.tables import csv_text

#: The formats ``loaders.load`` reads back that are the project's own exports: what counts as a snapshot.
SNAPSHOT_FORMATS = ("snapshot", "nodelink", "graphml", "gexf", "csv-graph")
#: How a snapshot was dated, best first.
DATED_BY = ("name", "manifest", "mtime")
#: File endings of single-file snapshots; other files in the folder (a README) are not snapshots.
_SNAPSHOT_SUFFIXES = (".json", ".graphml", ".gexf")

_WEEK_RE = re.compile(r"(?<!\d)(\d{4})-W(\d{2})(?!\d)")
_DAY_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


@dataclass(frozen=True)
class DatedSnapshot:
    """One audited snapshot: its name in the folder, its date, how it was dated, and its counts."""

    name: str
    label: str  # what the date looks like to people: 2026-W17 or 2026-04-27
    day: date  # for ordering: the Monday of a week
    dated_by: str
    concepts: int
    links: int
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """JSON form (docs/audit.md, *Audit history*)."""
        return {"date": self.label, "day": self.day.isoformat(), "file": self.name, "dated_by": self.dated_by,
                "concepts": self.concepts, "links": self.links, "counts": dict(self.counts)}


@dataclass(frozen=True)
class History:
    """Each check's count per dated snapshot, oldest first."""

    folder: str
    checks: tuple[str, ...]
    snapshots: tuple[DatedSnapshot, ...]

    def to_json(self) -> dict[str, Any]:
        """The ``--format json`` contract: the folder, the checks, then one entry per snapshot, oldest first."""
        return {"folder": self.folder, "checks": list(self.checks), "snapshots": [s.to_json() for s in self.snapshots]}

    def series(self) -> dict[str, list[int]]:
        """Each check's counts in date order (a chart's lines)."""
        return {check: [s.counts[check] for s in self.snapshots] for check in self.checks}

    def to_csv(self) -> str:
        """One row per snapshot: date, file, dated_by, concepts, links, then one column per check (spreadsheet-safe)."""
        columns = ["date", "file", "dated_by", "concepts", "links", *self.checks]
        rows = ([s.label, s.name, s.dated_by, str(s.concepts), str(s.links), *(str(s.counts[c]) for c in self.checks)]
                for s in self.snapshots)
        return csv_text(columns, rows)


def date_of(name: str, manifest_time: str | None, mtime: float) -> tuple[str, date, str]:
    """A snapshot's (label, day, dated_by): a week or day in its name, else the manifest's time, else mtime.

    >>> date_of("glossary-2026-W17.json", None, 0)
    ('2026-W17', datetime.date(2026, 4, 20), 'name')
    >>> date_of("2026-04-27", "2026-05-01T09:00:00Z", 0)
    ('2026-04-27', datetime.date(2026, 4, 27), 'name')
    >>> date_of("latest", "2026-05-01T09:00:00Z", 0)[1:]
    (datetime.date(2026, 5, 1), 'manifest')
    """
    week = _WEEK_RE.search(name)
    if week:
        year, number = int(week.group(1)), int(week.group(2))
        try:
            return f"{year}-W{number:02d}", date.fromisocalendar(year, number, 1), "name"
        except ValueError:
            pass  # "2026-W60" is no week: try the rest
    day = _DAY_RE.search(name)
    if day:
        try:
            found = date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
            return found.isoformat(), found, "name"
        except ValueError:
            pass
    if manifest_time:
        try:
            moment = datetime.fromisoformat(manifest_time.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            found = (moment.astimezone(UTC) if moment.tzinfo else moment).date()
            return found.isoformat(), found, "manifest"
    found = datetime.fromtimestamp(mtime, UTC).date()
    return found.isoformat(), found, "mtime"


def _manifest_time(path: Path) -> str | None:
    """The ``created_at`` of a snapshot folder's manifest, when it has one."""
    from graph.snapshot import MANIFEST

    if not path.is_dir() or not (path / MANIFEST).is_file():
        return None
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None  # the load names what is wrong with it
    created = manifest.get("created_at") if isinstance(manifest, dict) else None
    return created if isinstance(created, str) else None


def snapshot_entries(folder: str | Path) -> list[Path]:
    """The entries of the folder that may be snapshots (folders and export files, hidden ones left out), sorted.

    UsageError when the folder cannot be listed or holds none.
    """
    folder = Path(folder)
    try:
        entries = sorted(folder.iterdir())
    except NotADirectoryError:
        raise UsageError(f"{folder}: --history needs a folder of snapshots, not a file") from None
    except FileNotFoundError:
        raise UsageError(f"{folder}: no such folder") from None
    except OSError as error:
        raise UsageError(f"{folder}: cannot list the folder: {error.strerror or error}") from None
    found = [entry for entry in entries if not entry.name.startswith(".") and not entry.is_symlink()
             and (entry.is_dir() or entry.suffix.lower() in _SNAPSHOT_SUFFIXES)]
    if not found:
        raise UsageError(f"{folder}: no snapshots in this folder (give it snapshot folders or node-link JSON, "
                         "GraphML or GEXF exports, dated by name, e.g. glossary-2026-W17.json)")
    return found


#: Counts already computed, by (version of the snapshot's files, checks): a snapshot is audited once per version.
_CACHE: dict[tuple[str, tuple[str, ...]], tuple[int, int, dict[str, int]]] = {}
_CACHE_LIMIT = 512


def _audit_one(path: Path, checks: tuple[str, ...]) -> tuple[int, int, dict[str, int]]:
    """(concepts, links, count per check) of one snapshot; LoadError naming it when it is not one."""
    import loaders

    key = (source_version(path), checks)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        fmt = loaders.detect_format(path)
    except LoadError:
        fmt = None
    if fmt not in SNAPSHOT_FORMATS:
        what = "folder" if path.is_dir() else "file"
        raise LoadError(Problem(str(path), None, f"not a glossgraph snapshot: this {what} is none of the "
                                                 "formats glossgraph exports (snapshot folder, node-link JSON, "
                                                 "GraphML, GEXF, CSV nodes + edges)"))
    glossary = loaders.load(path, fmt)
    report = run_audit(glossary, checks, worklist_limit=0)
    result = (int(report.totals["concepts"]), int(report.totals["links"]), {c: report.count(c) for c in checks})
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result


def audit_history(
    folder: str | Path,
    checks: Iterable[str] | None = None,
    *,
    progress: Callable[[int, int, str], object] | None = None,
) -> History:
    """Audit every snapshot in ``folder`` and return each check's count per date, oldest first.

    UsageError for a folder that holds no snapshot or two of the same date; LoadError naming the
    file for a snapshot that does not load. ``progress`` hears (done, total, name) before each one.
    """
    root = Path(folder)
    chosen = tuple(check_names(checks))
    entries = snapshot_entries(root)
    found: list[DatedSnapshot] = []
    for number, entry in enumerate(entries):
        if progress is not None:
            progress(number, len(entries), entry.name)
        try:
            concepts, links, counts = _audit_one(entry, chosen)
        except GlossgraphError as error:
            if isinstance(error, LoadError) and str(entry) not in str(error):
                raise LoadError(Problem(str(entry), None, f"cannot read this snapshot: {error}")) from None
            raise
        label, day, dated_by = date_of(entry.name, _manifest_time(entry), entry.stat().st_mtime)
        found.append(DatedSnapshot(entry.name, label, day, dated_by, concepts, links, counts))
    found.sort(key=lambda s: (s.day, s.label, s.name))
    for before, after in itertools.pairwise(found):
        if before.label == after.label:
            raise UsageError(f"{root}: two snapshots are dated {before.label}: {before.name} and {after.name}; "
                             "keep one per date")
    return History(str(root), chosen, tuple(found))
