"""Watching a source's files for changes, for `glossgraph audit --watch` and `glossgraph app --watch`.

Built on watchfiles (native file events: inotify, FSEvents, ReadDirectoryChangesW). A folder
source is watched as a whole, minus hidden files and folders (``.git``, ``.obsidian`` whose
workspace file changes on every click, the temporary files an atomic write leaves for an
instant) and editors' swap and backup files. A file source is watched through its folder, so a
file replaced by a rename (how editors and ``fix --write`` save) is still followed.
"""

from __future__ import annotations

__all__ = ["WATCHERS", "SourceWatchers", "changes", "watched_files"]

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from graph.errors import UsageError
from graph.stores import is_neo4j_uri

#: How long a burst of writes is gathered into one change (an editor saving several files, a git checkout).
DEBOUNCE_MS = 300


class _SourceFilter(DefaultFilter):
    """The changes that can alter a glossary: visible files under the folder, or the one source file."""

    def __init__(self, root: Path, only: Path | None) -> None:
        super().__init__()
        self.root = root
        self.only = only

    def __call__(self, change: Change, path: str) -> bool:
        if not super().__call__(change, path):
            return False
        candidate = Path(path)
        if self.only is not None:
            return candidate == self.only
        try:
            parts = candidate.relative_to(self.root).parts
        except ValueError:
            return False
        return not any(part.startswith(".") for part in parts)


def _target(location: str | Path) -> tuple[Path, Path | None]:
    """The folder to watch and, for a file source, the one file in it that matters."""
    if is_neo4j_uri(str(location)):
        raise UsageError("--watch follows the files of a file or folder source, not a Neo4j dataset")
    path = Path(location).resolve()
    if path.is_dir():
        return path, None
    if path.is_file():
        return path.parent, path
    raise UsageError(f"--watch: no such file or folder: {location}")


def changes(location: str | Path, stop: threading.Event | None = None) -> Iterator[list[str]]:
    """Each burst of changes to a source's files, as the changed paths relative to the folder watched, sorted.

    Runs until ``stop`` is set; Ctrl-C raises KeyboardInterrupt in the caller.
    """
    root, only = _target(location)
    for batch in watch(root, watch_filter=_SourceFilter(root, only), debounce=DEBOUNCE_MS, stop_event=stop,
                       raise_interrupt=True):
        # A file added and gone within the burst is an editor's temporary file (`sed -i`, an atomic save).
        yield watched_files(root, (path for change, path in batch if change != Change.added or Path(path).exists()))


def watched_files(root: Path, paths: Iterator[str]) -> list[str]:
    """Changed paths relative to ``root`` (POSIX separators), each once, sorted."""
    return sorted({Path(p).relative_to(root).as_posix() if Path(p).is_relative_to(root) else p for p in paths})


class SourceWatchers:
    """One background thread per watched source, calling ``on_change(location, changed)`` after each burst of changes.

    The app's server shares one of these (``WATCHERS``): every session showing a source is told
    of its changes through the callback, however many sessions there are.
    """

    def __init__(self) -> None:
        self._threads: dict[str, tuple[threading.Thread, threading.Event]] = {}
        self._guard = threading.Lock()

    def ensure(self, location: str, on_change: Callable[[str, list[str]], object]) -> None:
        """Start watching ``location`` unless it is watched already."""
        with self._guard:
            running = self._threads.get(location)
            if running is not None and running[0].is_alive():
                return
            _target(location)  # a source that cannot be watched fails here, in the caller
            stop = threading.Event()
            thread = threading.Thread(target=self._run, args=(location, on_change, stop), daemon=True,
                                      name=f"glossgraph-watch {location}")
            self._threads[location] = (thread, stop)
            thread.start()

    @staticmethod
    def _run(location: str, on_change: Callable[[str, list[str]], object], stop: threading.Event) -> None:
        for batch in changes(location, stop):
            on_change(location, batch)

    def watching(self, location: str) -> bool:
        """True while a thread watches ``location``."""
        with self._guard:
            running = self._threads.get(location)
            return running is not None and running[0].is_alive()

    def stop(self) -> None:
        """Stop every watcher and wait for its thread."""
        with self._guard:
            threads, self._threads = list(self._threads.values()), {}
        for _thread, stop in threads:
            stop.set()
        for thread, _stop in threads:
            thread.join(timeout=10)


#: The app server's watchers (`glossgraph app --watch`).
WATCHERS = SourceWatchers()
