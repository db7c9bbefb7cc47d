"""Library-side helpers for the Streamlit app: sources, uploads, deep links and safe text.

Kept out of the app so they can be tested without Streamlit and reused by other front ends.
"""

from __future__ import annotations

__all__ = [
    "ALLOW_PATH_ENV",
    "ALLOW_WRITE_ENV",
    "DEFAULT_SAMPLE",
    "HISTORY_ENV",
    "MAX_SESSION_UPLOAD_BYTES",
    "MAX_UPLOAD_BYTES",
    "SOURCE_ENV",
    "WATCH_ENV",
    "ExploreState",
    "PathsState",
    "SourceSpec",
    "UploadArea",
    "allowed_root",
    "code_span",
    "count_text",
    "default_source",
    "display_path",
    "matching_rows",
    "md_escape",
    "parse_explore",
    "parse_paths",
    "safe_url",
    "save_upload",
    "server_path",
    "watching",
    "writes_allowed",
]

import hashlib
import io
import os
import re
import secrets
import shutil
import stat
import time
import weakref
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from graph.build import EDGE_TYPES
from graph.errors import LoadError, Problem, UsageError
from graph.protocol import DIRECTIONS
from graph.untrusted import clip, inside

#: The environment variable `glossgraph app SOURCE` uses to hand the source to the app.
SOURCE_ENV = "GLOSSGRAPH_SOURCE"
#: The environment variable `glossgraph app --allow-path DIR` uses to hand the allowed root to the app.
ALLOW_PATH_ENV = "GLOSSGRAPH_ALLOW_PATH"
#: The environment variable `glossgraph app --history DIR` uses to hand the snapshots folder to the app.
HISTORY_ENV = "GLOSSGRAPH_HISTORY"
#: Set by `glossgraph app --allow-write`: the app may apply fixes to the source files.
ALLOW_WRITE_ENV = "GLOSSGRAPH_ALLOW_WRITE"
#: Set by `glossgraph app --watch`: the app reloads when the source files change.
WATCH_ENV = "GLOSSGRAPH_WATCH"


def _sample_folder() -> Path:
    """The bundled sample glossary: package data in an installed wheel, data/ in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "sample_data" / "ai-glossary"
    return installed if installed.is_dir() else package.parent / "data" / "ai-glossary"


#: The bundled sample glossary, the default source.
DEFAULT_SAMPLE = _sample_folder()
#: Largest upload accepted (a file, or a zip archive and the total of its unpacked members).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_MAX_MEMBERS = 20_000
#: What one session may keep uploaded at once; its oldest uploads make room for a new one.
MAX_SESSION_UPLOAD_BYTES = 4 * MAX_UPLOAD_BYTES
#: Session folders untouched this long are left over from a server that stopped: swept away.
STALE_UPLOAD_SECONDS = 24 * 3600


@dataclass(frozen=True)
class SourceSpec:
    """Where the app's graph comes from: a file or folder, or a Neo4j dataset.

    The password is excluded from ``repr`` so it never shows in a page or a log.
    """

    location: str
    dataset: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None

    @property
    def is_neo4j(self) -> bool:
        """True for a Neo4j connection."""
        from graph.stores import is_neo4j_uri

        return is_neo4j_uri(self.location)

    def describe(self) -> str:
        """A short text naming the source for people (never the password)."""
        if self.is_neo4j:
            return f"{self.location} (dataset {self.dataset})"
        return display_path(self.location)


def display_path(location: str | Path, cwd: Path | None = None) -> str:
    """A file source named for people: the bundled sample by name, a path inside the working folder relatively.

    >>> display_path("/work/notes/vault", cwd=Path("/work"))
    'notes/vault'
    >>> display_path("/elsewhere/vault", cwd=Path("/work"))
    '/elsewhere/vault'
    """
    path = Path(location)
    if path == DEFAULT_SAMPLE:
        return f"the bundled sample glossary ({DEFAULT_SAMPLE.name})"
    try:
        return path.relative_to(cwd or Path.cwd()).as_posix() or "."
    except ValueError:
        return str(location)


def allowed_root() -> Path | None:
    """The folder visitors may load paths from (`glossgraph app --allow-path DIR`), or None: the path box is off."""
    root = os.environ.get(ALLOW_PATH_ENV, "").strip()
    return Path(root) if root else None


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def writes_allowed() -> bool:
    """True when the app was started with --allow-write: the fix buttons may write the source files."""
    return _flag(ALLOW_WRITE_ENV)


def watching() -> bool:
    """True when the app was started with --watch: it reloads a source whose files change."""
    return _flag(WATCH_ENV)


def server_path(text: str, root: Path | None) -> Path:
    """The file or folder a visitor typed, checked to lie inside ``root`` once every symlink is resolved.

    A relative path is taken inside ``root``. UsageError when no root was allowed, when the path
    does not exist, or when it leads outside the root (by ``..``, an absolute path or a symlink).
    """
    if root is None:
        raise UsageError("loading a path on the server is off (start the app with --allow-path DIR)")
    candidate = Path(text.strip()).expanduser()
    if not candidate.is_absolute():
        candidate = root / candidate
    if not candidate.exists():
        raise UsageError(f"no such file or folder inside {root.name}/: {clip(text.strip())}")
    if not inside(root, candidate):
        # Visitors see this: name the allowed folder, not where it lies on the server.
        raise UsageError(f"only paths inside {root.name}/ may be loaded; {clip(text.strip())} is not")
    return candidate.resolve()


def default_source() -> SourceSpec:
    """The source given to `glossgraph app` (environment), else the bundled sample glossary."""
    location = os.environ.get(SOURCE_ENV) or str(DEFAULT_SAMPLE)
    return SourceSpec(location, dataset=os.environ.get("GLOSSGRAPH_DATASET") or None)


# -- uploads -------------------------------------------------------------------------------------

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def save_upload(name: str, data: bytes, root: Path, *, limit: int = MAX_UPLOAD_BYTES) -> Path:
    """Store an uploaded file (or unpack an uploaded zip) under ``root`` and return the path to load.

    The same content always lands in the same place (named by its SHA-256), so re-uploading a
    file reuses the cached graph. A zip is unpacked into its own folder after every member is
    checked: no absolute paths, no ``..``, no symlinks, no more than ``limit`` bytes unpacked.
    """
    if len(data) > limit:
        raise LoadError(Problem(name, None, f"upload is {_mb(len(data))}, over the {_mb(limit)} limit"))
    digest = _digest(data)
    base = _SAFE_NAME.sub("_", Path(name).name).strip("._") or "upload"
    folder = root / digest
    if base.lower().endswith(".zip"):
        target = folder / base[:-4]
        if not target.is_dir():
            _unzip(name, data, target, limit)
        return _single_root(target)
    target = folder / base
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / (base + ".part")
        try:
            partial.write_bytes(data)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return target


class UploadArea:
    """One session's private upload folder: a byte quota, and removal when the session ends.

    The folder is removed by ``close()`` or, failing that, when the session state holding the
    area is garbage-collected (Streamlit drops it when the browser session ends). Folders of
    sessions that a stopped server never cleaned are swept when a new area opens.
    """

    def __init__(self, root: Path, *, quota: int = MAX_SESSION_UPLOAD_BYTES, limit: int = MAX_UPLOAD_BYTES):
        self.root = root
        self.quota = quota
        self.limit = limit
        root.mkdir(parents=True, exist_ok=True)
        _sweep_stale_sessions(root)
        self.folder = root / f"session-{secrets.token_hex(8)}"
        self.folder.mkdir()
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def save(self, name: str, data: bytes, *, keep: Path | str | None = None) -> Path:
        """Store an upload like ``save_upload``, first removing this session's oldest ones if over quota."""
        if len(data) > self.quota:
            raise LoadError(Problem(name, None, f"upload is {_mb(len(data))}, over the session's {_mb(self.quota)}"))
        if (self.folder / _digest(data)).is_dir():  # the same upload again (every rerun of a page)
            return self._touched(save_upload(name, data, self.folder, limit=self.limit))
        kept = Path(keep).resolve() if keep else None
        sizes = {
            entry: _tree_size(entry)
            for entry in sorted(
                (entry for entry in self.folder.iterdir() if entry.is_dir()), key=lambda entry: entry.stat().st_mtime
            )
        }
        evictable = [entry for entry in sizes if kept is None or not kept.is_relative_to(entry.resolve())]
        used = sum(sizes.values())
        if used - sum(sizes[entry] for entry in evictable) + len(data) > self.quota:
            raise LoadError(Problem(name, None, f"this session's uploads would pass {_mb(self.quota)}; "
                                                "reload the page to start afresh"))
        for entry in evictable:  # oldest first
            if used + len(data) <= self.quota:
                break
            used -= sizes[entry]
            shutil.rmtree(entry, ignore_errors=True)
        return self._touched(save_upload(name, data, self.folder, limit=self.limit))

    def _touched(self, path: Path) -> Path:
        os.utime(self.folder / path.relative_to(self.folder).parts[0])  # the most recently used go last
        return path

    def used(self) -> int:
        """Bytes this session holds in uploads."""
        return _tree_size(self.folder)

    def close(self) -> None:
        """Remove the session's uploads now."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        """True once the uploads are removed."""
        return not self._finalizer.alive


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _sweep_stale_sessions(root: Path, max_age: float = STALE_UPLOAD_SECONDS) -> None:
    """Remove session folders (and folders of older versions) untouched for ``max_age`` seconds."""
    cutoff = time.time() - max_age
    for entry in root.iterdir():
        try:
            stale = entry.lstat().st_mtime < cutoff
        except OSError:
            continue
        if stale and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _unzip(name: str, data: bytes, target: Path, limit: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise LoadError(Problem(name, None, f"not a readable zip archive ({error})")) from error
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_MEMBERS:
            raise LoadError(Problem(name, None, f"the archive has {len(members)} members, over {_MAX_MEMBERS}"))
        total = 0
        for member in members:
            _check_member(name, member)
            total += member.file_size
            if total > limit:
                raise LoadError(Problem(name, None, f"the archive unpacks to over {_mb(limit)}"))
        staging = target.with_name(target.name + ".part")
        staging.mkdir(parents=True, exist_ok=True)
        try:
            for member in members:
                if member.is_dir():
                    continue
                _extract(name, archive, member, staging.joinpath(*PurePosixPath(member.filename).parts))
            staging.replace(target)
        except BaseException:
            # A half-unpacked archive must not stay behind (nor be taken for a finished one later).
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _extract(name: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo, destination: Path) -> None:
    """Unpack one member, trusting neither its size header nor its compressed data."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open(member) as source, destination.open("wb") as out:
            # Count real bytes too: a forged header cannot smuggle more than the limit.
            written = 0
            while chunk := source.read(1 << 16):
                written += len(chunk)
                if written > member.file_size:
                    raise LoadError(Problem(name, None, f"{clip(member.filename)}: larger than its header says"))
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        # A forged or truncated entry (a bad CRC, a stream that ends early, an unknown method, a password).
        raise LoadError(Problem(name, None, f"{clip(member.filename)}: not readable ({_first_line(error)})")) from None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _check_member(name: str, member: zipfile.ZipInfo) -> None:
    """Refuse a member that would land outside the folder or is not a plain file or folder."""
    filename = member.filename
    path = PurePosixPath(filename.replace("\\", "/"))
    mode = member.external_attr >> 16
    if filename.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", filename) or path.is_absolute():
        raise LoadError(Problem(name, None, f"archive member {filename!r} has an absolute path"))
    if ".." in path.parts:
        raise LoadError(Problem(name, None, f"archive member {filename!r} leaves its folder (..)"))
    if stat.S_ISLNK(mode):
        raise LoadError(Problem(name, None, f"archive member {filename!r} is a symbolic link"))
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise LoadError(Problem(name, None, f"archive member {filename!r} is not a plain file"))


def _single_root(folder: Path) -> Path:
    """The folder itself, or its only subfolder when the archive wrapped everything in one."""
    children = [c for c in folder.iterdir() if not c.name.startswith((".", "__MACOSX"))]
    if len(children) == 1 and children[0].is_dir():
        return children[0]
    if len(children) == 1 and children[0].is_file():
        return children[0]
    return folder


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# -- deep links ----------------------------------------------------------------------------------


def _first(params: Mapping[str, str | list[str]], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _int(params: Mapping[str, str | list[str]], key: str, default: int, low: int, high: int) -> int:
    text = _first(params, key)
    try:
        number = int(text) if text is not None else default
    except ValueError:
        return default
    return min(max(number, low), high)


def _edges(params: Mapping[str, str | list[str]]) -> tuple[str, ...]:
    text = _first(params, "edges")
    if not text:
        return ("related",)
    chosen = tuple(t for t in EDGE_TYPES if t in {p.strip() for p in text.split(",")})
    return chosen or ("related",)


def _direction(params: Mapping[str, str | list[str]]) -> str:
    direction = _first(params, "direction")
    return direction if direction in DIRECTIONS else "both"


@dataclass(frozen=True)
class ExploreState:
    """What the Explore page shows; the URL carries it as ``?concept=...&depth=...``.

    >>> parse_explore({"concept": "rag", "depth": "9"}).depth
    3
    >>> ExploreState("rag", depth=2).to_params()
    {'concept': 'rag', 'depth': '2'}
    """

    concept: str | None = None
    depth: int = 1
    edges: tuple[str, ...] = ("related",)
    direction: str = "both"

    def to_params(self) -> dict[str, str]:
        """Query parameters for this state (defaults left out, so links stay short)."""
        params: dict[str, str] = {}
        if self.concept:
            params["concept"] = self.concept
        if self.depth != 1:
            params["depth"] = str(self.depth)
        if self.edges != ("related",):
            params["edges"] = ",".join(self.edges)
        if self.direction != "both":
            params["direction"] = self.direction
        return params


def parse_explore(params: Mapping[str, str | list[str]]) -> ExploreState:
    """The Explore state a URL asks for; bad values fall back to defaults rather than failing."""
    return ExploreState(_first(params, "concept"), _int(params, "depth", 1, 1, 3), _edges(params), _direction(params))


@dataclass(frozen=True)
class PathsState:
    """What the Paths page shows; the URL carries it as ``?from=...&to=...``.

    >>> parse_paths({"from": "a", "to": "b", "avoid": "c,d", "k": "0"})
    PathsState(source='a', target='b', k=1, max_length=6, edges=('related',), direction='both', avoid=('c', 'd'))
    """

    source: str | None = None
    target: str | None = None
    k: int = 3
    max_length: int = 6
    edges: tuple[str, ...] = ("related",)
    direction: str = "both"
    avoid: tuple[str, ...] = ()

    def to_params(self) -> dict[str, str]:
        """Query parameters for this state (defaults left out)."""
        params: dict[str, str] = {}
        if self.source:
            params["from"] = self.source
        if self.target:
            params["to"] = self.target
        if self.k != 3:
            params["k"] = str(self.k)
        if self.max_length != 6:
            params["max"] = str(self.max_length)
        if self.edges != ("related",):
            params["edges"] = ",".join(self.edges)
        if self.direction != "both":
            params["direction"] = self.direction
        if self.avoid:
            params["avoid"] = ",".join(self.avoid)
        return params


def parse_paths(params: Mapping[str, str | list[str]]) -> PathsState:
    """The Paths state a URL asks for; bad values fall back to defaults."""
    avoid_text = _first(params, "avoid") or ""
    return PathsState(
        _first(params, "from"),
        _first(params, "to"),
        _int(params, "k", 3, 1, 10),
        _int(params, "max", 6, 1, 10),
        _edges(params),
        _direction(params),
        tuple(a.strip() for a in avoid_text.split(",") if a.strip()),
    )


def count_text(number: int) -> str:
    """A whole number for people, thousands separated.

    >>> count_text(100000), count_text(7)
    ('100,000', '7')
    """
    return f"{number:,}"


def matching_rows(rows: Sequence[Mapping[str, Any]], order: Iterable[int], query: str) -> list[int]:
    """The indices of ``order`` whose row names a concept (any text field or list item) containing ``query``.

    >>> matching_rows([{"source": "rag", "target": "llm"}, {"id": "bert", "title": "BERT"}], [1, 0], "ER")
    [1]
    """
    needle = query.strip().casefold()
    if not needle:
        return list(order)

    def hit(row: Mapping[str, Any]) -> bool:
        for value in row.values():
            if isinstance(value, str) and needle in value.casefold():
                return True
            if isinstance(value, list | tuple) and any(isinstance(v, str) and needle in v.casefold() for v in value):
                return True
        return False

    return [i for i in order if hit(rows[i])]


# -- text for Streamlit markdown -----------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")
#: The frontend turns URL-like text into links even when every character is escaped, so an
#: invisible word joiner goes where the linker looks: after "://", after "www" and before "@".
_AUTOLINK_TRIGGERS = re.compile(r"(?<=\\:)(?=//)|(?<=www)(?=\\\.)|(?=@)", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def md_escape(text: str) -> str:
    r"""Text made literal for Streamlit markdown: markup, HTML, colour directives, LaTeX and autolinks shown as typed.

    >>> md_escape("<b>*x*</b>")
    '\\<b\\>\\*x\\*\\</b\\>'
    >>> md_escape("https://x.org") == "https\\:\u2060//x\\.org"
    True
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    return _AUTOLINK_TRIGGERS.sub(_WORD_JOINER, escaped)


def code_span(text: str) -> str:
    """Text as one inline code span, whatever backticks it holds (a code span is never markup nor a link).

    >>> code_span("a`b")
    '``a`b``'
    >>> code_span("`x")
    '`` `x ``'
    """
    text = text.replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def safe_url(url: str) -> str | None:
    """The URL when it is a plain http(s) address fit for a markdown link, else None.

    >>> safe_url("javascript:alert(1)") is None, safe_url("https://example.org/a b")
    (True, 'https://example.org/a%20b')
    """
    from urllib.parse import quote

    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~")
