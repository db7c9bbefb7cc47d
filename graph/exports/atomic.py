"""Writing an export or a snapshot safely: build it under a temporary name beside the target, then rename it in.

The rules (docs/security.md, "Exports and snapshots"):

- Nothing at the target is replaced without ``force``, and that includes whatever appears at the
  target while the export is being built: the final rename refuses to replace anything
  (:func:`rename_noreplace`), so the loser of a race gets "already exists" and nothing is lost.
- ``force`` replaces a regular file (file exports) or a folder that ``replaceable`` recognises as
  an earlier export or snapshot (by its manifest); never a symlink, a device or other special
  file, or anyone else's folder. The old target is moved aside, the new one renamed in, and only
  then is the old one removed.
- Temporaries are named ``.<target name>.glossgraph-<12 hex>.tmp`` (and ``.old`` for what
  ``force`` moves aside), created with the permissions the umask gives, and held under an
  exclusive ``flock`` while in use. The next export to the same target removes leftovers of
  crashed runs: only names of that pattern, only when unlocked and a minute old, never one in use.
"""

from __future__ import annotations

__all__ = [
    "check_target",
    "clean_leftovers",
    "rename_noreplace",
    "write_atomic",
    "write_atomic_stream",
    "write_folder_atomic",
]

import ctypes
import errno
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from graph.errors import ExportError

try:  # POSIX only; without it leftovers are never cleaned (nothing can tell a crashed run from a running one).
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: A leftover younger than this is never removed: it may belong to a run that has not locked it yet.
LEFTOVER_GRACE_SECONDS = 60.0

_TAG = "glossgraph"
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1


def _load_renameat2() -> Callable[..., int] | None:
    """Linux's renameat2 (glibc 2.28+), the one call that renames a file or folder only if the target is free."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _load_renameat2()


def rename_noreplace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` atomically; FileExistsError when anything (even an empty folder) is there.

    ``os.rename`` would silently replace a file or an empty folder, so: Linux's
    ``renameat2(RENAME_NOREPLACE)`` where the kernel and file system have it; otherwise, for a file,
    a hard link (``link`` fails atomically when the name is taken) and then removing the
    temporary name; for a folder, ``mkdir`` claims the name atomically and the rename then replaces
    only that empty folder of ours (it fails if anyone has put something into it meanwhile).
    """
    if _RENAMEAT2 is not None:
        result = _RENAMEAT2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE)
        if result == 0:
            return
        code = ctypes.get_errno()
        # EINVAL/ENOSYS/ENOTSUP: this kernel or file system cannot; anything else is the real answer.
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(source), None, str(target))
    if stat.S_ISDIR(os.lstat(source).st_mode):
        os.mkdir(target)
        try:
            os.rename(source, target)
        except OSError as error:
            with suppress(OSError):
                os.rmdir(target)  # ours, if it is still empty
            if error.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
            raise
        return
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise
        # A file system without hard links (FAT, some FUSE): check and rename, a window of microseconds.
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)


def _try_lock(fd: int, *, unsupported: bool) -> bool:
    """Take an exclusive flock without waiting: False when another process holds it, ``unsupported`` when the
    file system has no locks (the owner then carries on; the cleaner then leaves the file alone)."""
    if fcntl is None:  # pragma: no cover - Windows
        return unsupported
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return unsupported
    return True


def _temporary_name(path: Path, kind: str) -> Path:
    return path.with_name(f".{path.name}.{_TAG}-{secrets.token_hex(6)}.{kind}")


def _leftover_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(path.name)}\.{_TAG}-[0-9a-f]{{12}}\.(tmp|old)")


@contextmanager
def _temporary_folder(path: Path, kind: str) -> Iterator[Path]:
    """A new locked folder beside ``path`` (mode 0777 minus the umask), unlocked on exit."""
    while True:
        folder = _temporary_name(path, kind)
        try:
            os.mkdir(folder, 0o777)
            break
        except FileExistsError:
            continue
    if fcntl is None:  # pragma: no cover - Windows: no locks, and no leftovers cleaned either
        yield folder
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _try_lock(fd, unsupported=True)
        yield folder
    finally:
        os.close(fd)


def _replace_problem(where: Path, shown: Path, folder: bool, replaceable: Callable[[Path], bool] | None) -> str | None:
    """Why ``force`` must not replace what is at ``where`` (named ``shown`` to the user), or None."""
    mode = os.lstat(where).st_mode
    if stat.S_ISLNK(mode):
        return f"{shown} is a symbolic link; --force never replaces one (remove it yourself if you mean to)"
    if stat.S_ISDIR(mode):
        if folder and replaceable is not None and replaceable(where):
            return None
        return f"{shown} is a folder that glossgraph did not write; refusing to replace it"
    if stat.S_ISREG(mode):
        if not folder:
            return None
        return f"{shown} is a file, not an earlier glossgraph export; refusing to replace it"
    return f"{shown} is a device or other special file; --force never replaces one"


def check_target(path: Path, force: bool, folder: bool, replaceable: Callable[[Path], bool] | None) -> None:
    """Refuse early, before any work, what the final rename would refuse (ExportError)."""
    if not os.path.lexists(path):
        return
    if not force:
        raise ExportError(f"{path} already exists; use --force to replace it")
    problem = _replace_problem(path, path, folder, replaceable)
    if problem:
        raise ExportError(problem)


def _remove(path: Path) -> None:
    if stat.S_ISDIR(os.lstat(path).st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def clean_leftovers(path: str | Path, replaceable: Callable[[Path], bool] | None = None) -> list[Path]:
    """Remove what crashed earlier exports to ``path`` left beside it; return what was removed or restored.

    Only this tool's own names (``.<name>.glossgraph-<hex>.tmp``/``.old``), only plain files and
    folders, only when no running export holds their lock and they are older than
    LEFTOVER_GRACE_SECONDS. An ``.old`` folder holds what ``--force`` moved aside: when the target
    is missing (the run died between the two renames) it is put back; otherwise it is removed if
    it is an earlier export (``replaceable``), and left alone if it is not.
    """
    path = Path(path)
    if fcntl is None:  # pragma: no cover - Windows
        return []
    pattern = _leftover_pattern(path)
    try:
        names = [entry.name for entry in os.scandir(path.parent) if pattern.fullmatch(entry.name)]
    except OSError:
        return []
    done: list[Path] = []
    for name in sorted(names):
        leftover = path.parent / name
        try:
            info = os.lstat(leftover)
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                continue
            if time.time() - info.st_mtime < LEFTOVER_GRACE_SECONDS:
                continue
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            fd = os.open(leftover, flags | (os.O_DIRECTORY if stat.S_ISDIR(info.st_mode) else 0))
        except OSError:
            continue
        try:
            if not _try_lock(fd, unsupported=False):
                continue  # a running export's (or no locks here, so no telling)
            if name.endswith(".old") and stat.S_ISDIR(info.st_mode):
                held = leftover / "replaced"
                if os.path.lexists(held):
                    if not os.path.lexists(path):
                        rename_noreplace(held, path)
                    elif _replace_problem(held, held, replaceable is not None, replaceable):
                        continue  # not an earlier export of ours: the user's to look at
            _remove(leftover)
            done.append(leftover)
        except OSError:
            continue
        finally:
            os.close(fd)
    return done


def _publish(temporary: Path, path: Path, force: bool, folder: bool,
             replaceable: Callable[[Path], bool] | None) -> None:
    """Rename the finished temporary onto ``path``: never over anything without ``force``; see the module rules."""
    try:
        rename_noreplace(temporary, path)
        return
    except FileExistsError:
        if not force:
            raise ExportError(f"{path} already exists (it appeared while this export ran); "
                              "nothing was replaced") from None
    keep = False
    with _temporary_folder(path, "old") as aside:
        held = aside / "replaced"
        try:
            with suppress(FileNotFoundError):  # it went away meanwhile: nothing to move aside
                rename_noreplace(path, held)
            if os.path.lexists(held):
                problem = _replace_problem(held, path, folder, replaceable)
                if problem:
                    try:
                        rename_noreplace(held, path)
                    except OSError:
                        keep = True
                        problem += f"; it is kept at {held}"
                    raise ExportError(problem)
            try:
                rename_noreplace(temporary, path)
            except FileExistsError:
                keep = os.path.lexists(held)
                where = f"; the earlier one is kept at {held}" if keep else ""
                raise ExportError(f"{path} already exists (it appeared while this export ran){where}") from None
        finally:
            if not keep:
                shutil.rmtree(aside, ignore_errors=True)


def _check_parent(path: Path) -> None:
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")


def write_atomic(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write a file through a temporary file in the same folder and a rename: readers never see half a file."""
    return write_atomic_stream(path, lambda out: out.write(data), force=force)


def write_atomic_stream(path: str | Path, write: Callable[[BinaryIO], object], *, force: bool = False) -> Path:
    """Like write_atomic, but ``write`` streams the content into the temporary file (no whole copy in memory)."""
    path = Path(path)
    _check_parent(path)
    clean_leftovers(path)  # first: it may put back a target a crashed --force run had moved aside
    check_target(path, force, False, None)
    temporary = _temporary_name(path, "tmp")
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(temporary, flags, 0o666)  # 0666: the umask decides, as for any file the user writes
        try:
            with os.fdopen(fd, "wb") as out:
                _try_lock(out.fileno(), unsupported=True)
                write(out)
                out.flush()
                os.fsync(out.fileno())
                _publish(temporary, path, force, False, None)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
    return path


def write_folder_atomic(
    path: str | Path,
    fill: Callable[[Path], None],
    *,
    force: bool = False,
    replaceable: Callable[[Path], bool] | None = None,
) -> Path:
    """Build a folder under a temporary name beside ``path`` (``fill`` writes into it), then rename it into place.

    An existing folder is replaced only with ``force`` and only when ``replaceable`` says it is
    one of ours; it is moved aside first and removed once the new folder is in place.
    """
    path = Path(path)
    _check_parent(path)
    clean_leftovers(path, replaceable)  # first: it may put back a target a crashed --force run had moved aside
    check_target(path, force, True, replaceable)
    try:
        with _temporary_folder(path, "tmp") as temporary:
            try:
                fill(temporary)
                _publish(temporary, path, force, True, replaceable)
            except BaseException:
                shutil.rmtree(temporary, ignore_errors=True)
                raise
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
    return path
