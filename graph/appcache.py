"""Results the app computes once per version of a source (audit, overview figures, exports), shared by every session.

A source's *version* is a fingerprint of its files (path, size and modification time of each), so
a result is reused by every page and session that shows the same source and recomputed only when
the files change. A result may also be computed in a background thread (``ResultCache.start``)
while a page shows what it already has. Kept out of the app so it can be tested without Streamlit.
"""

from __future__ import annotations

__all__ = ["RESULTS", "REVISIONS", "Job", "Report", "ResultCache", "Revisions", "source_version"]

import hashlib
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def source_version(location: str | Path, dataset: str | None = None, loaded: str | None = None) -> str:
    """A fingerprint of a source: the path, size and mtime of every file under it.

    A Neo4j source: its URI, dataset and ``loaded``, the dataset's version (``Neo4jStore.version``),
    which every load changes.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()); _ = (folder / "a.md").write_text("x")
    >>> first = source_version(folder); _ = (folder / "b.md").write_text("y")
    >>> first == source_version(folder), len(first)
    (False, 24)
    """
    from graph.stores import is_neo4j_uri

    digest = hashlib.sha256()
    if is_neo4j_uri(str(location)):
        # A dataset changes only through an all-or-nothing load, and each load writes a new version.
        digest.update(f"neo4j\0{location}\0{dataset}\0{loaded}".encode())
        return digest.hexdigest()[:24]
    root = Path(location).resolve()
    digest.update(str(root).encode())
    if root.is_file():
        info = root.stat()
        digest.update(f"\0{info.st_size}\0{info.st_mtime_ns}".encode())
        return digest.hexdigest()[:24]
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            digest.update(f"\0{os.path.relpath(path, root)}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


#: What a background computation is handed: report(share done, step that runs next).
Report = Callable[[float, str], object]


@dataclass(eq=False)
class Job:
    """A result being computed in a background thread: how far it has got, and the error it ended with."""

    share: float = 0.0
    step: str = "starting"
    error: Exception | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def report(self, share: float, step: str) -> None:
        """Record the progress (called from the computing thread, read by pages)."""
        self.share, self.step = share, step


class ResultCache:
    """Results by (kind, key), each computed once even when sessions ask at once; the least recently used dropped.

    ``computed`` counts the computations of each kind, so tests and the benchmark can tell a
    reused result from a recomputed one without timing anything.

    >>> cache = ResultCache()
    >>> cache.get("sum", ("v1",), lambda: 1 + 1), cache.get("sum", ("v1",), lambda: 0), cache.computed["sum"]
    (2, 2, 1)
    """

    def __init__(self, max_entries: int = 32) -> None:
        self.max_entries = max_entries
        self.computed: Counter[str] = Counter()
        self._entries: OrderedDict[tuple[str, Hashable], Any] = OrderedDict()
        self._locks: dict[tuple[str, Hashable], threading.Lock] = {}
        self._jobs: dict[tuple[str, Hashable], Job] = {}
        self._guard = threading.Lock()

    def peek(self, kind: str, key: Hashable) -> Any | None:
        """The cached result, or None when it has not been computed."""
        with self._guard:
            return self._entries.get((kind, key))

    def get(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached result for (kind, key), computing it first if needed (once, whoever asks)."""
        slot = (kind, key)
        with self._guard:
            if slot in self._entries:
                self._entries.move_to_end(slot)
                return self._entries[slot]
            lock = self._locks.setdefault(slot, threading.Lock())
        with lock:
            with self._guard:
                if slot in self._entries:
                    return self._entries[slot]
            value = compute()
            with self._guard:
                self._keep(slot, value)
                self._locks.pop(slot, None)
            return value

    def _keep(self, slot: tuple[str, Hashable], value: Any) -> None:
        """Store a computed result (the guard held), dropping the least recently used beyond max_entries."""
        self.computed[slot[0]] += 1
        self._entries[slot] = value
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def start(self, kind: str, key: Hashable, compute: Callable[[Report], Any]) -> Job | None:
        """Compute (kind, key) in a background thread, once whoever asks: None when cached, else its running job.

        ``compute`` is handed the job's ``report`` for its progress. A job that failed stays, with its
        error, until ``discard`` forgets it (a page shows the error and offers to try again).

        >>> cache = ResultCache()
        >>> job = cache.start("sum", "v1", lambda report: 1 + 1)
        >>> cache.wait("sum", "v1", timeout=10), cache.start("sum", "v1", lambda report: 0), cache.peek("sum", "v1")
        (True, None, 2)
        """
        slot = (kind, key)
        with self._guard:
            if slot in self._entries:
                self._entries.move_to_end(slot)
                return None
            job = self._jobs.get(slot)
            if job is not None:
                return job
            job = self._jobs[slot] = Job()
        threading.Thread(target=self._run, args=(slot, job, compute), name=f"glossgraph-{kind}", daemon=True).start()
        return job

    def _run(self, slot: tuple[str, Hashable], job: Job, compute: Callable[[Report], Any]) -> None:
        """The body of a background job: compute, then keep the result (unless the cache was cleared meanwhile)."""
        try:
            value = compute(job.report)
        except Exception as error:  # kept on the job: the page that asks next shows it
            job.error = error
            job.finished.set()
            return
        with self._guard:
            if self._jobs.get(slot) is job:
                self._keep(slot, value)
                del self._jobs[slot]
        job.finished.set()

    def wait(self, kind: str, key: Hashable, timeout: float | None = None) -> bool:
        """Wait for the background job of (kind, key), if one runs; True when the result is cached."""
        with self._guard:
            job = self._jobs.get((kind, key))
        if job is not None:
            job.finished.wait(timeout)
        return self.peek(kind, key) is not None

    def discard(self, kind: str, key: Hashable) -> None:
        """Forget one result (say, an export file that has since been deleted), or the failed job that stands for it."""
        with self._guard:
            self._entries.pop((kind, key), None)
            job = self._jobs.get((kind, key))
            if job is not None and job.error is not None:
                del self._jobs[(kind, key)]

    def discard_version(self, version: str) -> None:
        """Forget every result computed from one version of a source (its key is the version or starts with it).

        >>> cache = ResultCache()
        >>> _ = cache.get("audit", ("v1", None), lambda: 1); _ = cache.get("audit", "v2", lambda: 2)
        >>> cache.discard_version("v1"); cache.peek("audit", ("v1", None)), cache.peek("audit", "v2")
        (None, 2)
        """
        with self._guard:
            for slot in [s for s in self._entries if s[1] == version
                         or (isinstance(s[1], tuple) and s[1] and s[1][0] == version)]:
                del self._entries[slot]

    def clear(self) -> None:
        """Forget every result (the counts too); jobs still running keep nothing they finish."""
        with self._guard:
            self._entries.clear()
            self._jobs.clear()
            self.computed.clear()


#: The app's cache: one per server process, shared by every session.
RESULTS = ResultCache()


class Revisions:
    """A counter per source location, bumped to say "read it again": by a fix the app wrote, or by the watcher.

    The app opens a store per (source, revision), so a bump makes the next page run load the
    files afresh; the new fingerprint then keys a new audit.

    >>> revisions = Revisions()
    >>> revisions.get("/g"), revisions.bump("/g"), revisions.get("/g"), revisions.get("/other")
    (0, 1, 1, 0)
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._guard = threading.Lock()

    def get(self, location: str) -> int:
        """The current revision of a source."""
        with self._guard:
            return self._counts[location]

    def bump(self, location: str) -> int:
        """Mark a source as changed; the new revision."""
        with self._guard:
            self._counts[location] += 1
            return self._counts[location]


#: The app's source revisions: one per server process, shared by every session.
REVISIONS = Revisions()
