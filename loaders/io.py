"""Reading helpers shared by the loaders: strict UTF-8 text, folder listings, size limits, collecting problems."""

from __future__ import annotations

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "MAX_STRICT_PROBLEMS",
    "Collector",
    "check_options",
    "exclude_patterns",
    "list_files",
    "node_line",
    "parse_json",
    "parse_size",
    "parse_yaml",
    "paused_gc",
    "read_text",
    "refuse_field_mapping",
    "relative_stem",
    "value_node",
]

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from graph.errors import LoadError, Problem, UsageError
from graph.model import Concept, Glossary, Origin
from graph.untrusted import check_yaml_expansion, clip, inside, json_nesting_error, refuse_lone_surrogates
from graph.util import paused_gc
from loaders import Progress

if TYPE_CHECKING:
    from loaders.fields import FieldMapping


#: Files larger than this are refused unless the ``max_file_size`` option raises the limit.
DEFAULT_MAX_FILE_SIZE = 200 * 1024 * 1024

#: A strict load stops collecting after this many problems: the user fixes the first ones first.
MAX_STRICT_PROBLEMS = 100

#: The C parser when PyYAML was built with libyaml (several times faster), else the pure-Python one.
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(value: int | str | None) -> int:
    """A size limit in bytes from an int or a string such as ``"500MB"`` (None: the default).

    >>> parse_size("2 KB"), parse_size(None) == DEFAULT_MAX_FILE_SIZE
    (2048, True)
    """
    if value is None:
        return DEFAULT_MAX_FILE_SIZE
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE_RE.match(str(value))
    if not match or isinstance(value, bool):
        raise UsageError(f"max_file_size must be a size such as 200MB, got {clip(value)}")
    number, unit = match.groups()
    return int(float(number) * _SIZE_UNITS[unit[:1].lower()])


def read_text(path: Path, max_size: int | str | None = None) -> str:
    """The text of a file: strict UTF-8 (a BOM is dropped), newlines as ``\\n``, size-limited.

    Raises LoadError naming the file and the line of the first byte that is not UTF-8.
    """
    limit = parse_size(max_size)
    try:
        size = path.stat().st_size
        if size > limit:
            raise LoadError(Problem(
                str(path), None,
                f"the file is {size:,} bytes, over the {limit:,}-byte limit (raise it with the max_file_size option)",
            ))
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(Problem(str(path), None, f"cannot read the file: {error.strerror or error}")) from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(Problem(str(path), 1, "the file is UTF-16; save it as UTF-8"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise LoadError(Problem(
            str(path), line,
            f"not UTF-8: byte 0x{data[error.start]:02x} at column {column} (save the file as UTF-8)",
        )) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _excluded(relative: str, name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def list_files(
    folder: Path,
    suffixes: Iterable[str],
    exclude: Sequence[str] = (),
    warnings: list[Problem] | None = None,
    others: list[str] | None = None,
) -> list[Path]:
    """The files under a folder with one of the endings, sorted by relative path; hidden files and folders skipped.

    ``exclude`` holds glob patterns matched against the relative path (with "/") or the file name.
    Symlinks that lead outside the folder, and names that are not UTF-8, are skipped; each one is
    noted in ``warnings`` when given (a vault must not pull ``/etc/passwd`` into the graph).
    ``others``, when given, receives the relative paths of the files without those endings (attachments).
    """
    wanted = tuple(s.lower() for s in suffixes)
    found: list[tuple[str, Path]] = []
    notes = warnings if warnings is not None else []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        # Pruning in place keeps os.walk out of .git, .obsidian and the like entirely.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in dirs:
            # os.walk does not enter linked folders; say so when one leads out of the folder.
            if os.path.islink(base / name) and not inside(folder, base / name):
                notes.append(Problem(str(base / name), None, _OUTSIDE))
        for name in files:
            if name.startswith("."):
                continue
            if not name.lower().endswith(wanted):
                if others is not None:
                    others.append(Path(root, name).relative_to(folder).as_posix())
                continue
            file = base / name
            relative = file.relative_to(folder).as_posix()
            if exclude and _excluded(relative, name, exclude):
                continue
            if os.path.islink(file) and not inside(folder, file):
                notes.append(Problem(str(file), None, _OUTSIDE))
                continue
            if not _utf8(relative):
                shown = str(file).encode("utf-8", "backslashreplace").decode("utf-8")
                notes.append(Problem(shown, None, "skipped: the file name is not UTF-8 (rename the file)"))
                continue
            found.append((relative, file))
    found.sort(key=lambda pair: pair[0])
    return [file for _, file in found]


_OUTSIDE = "skipped: a symlink that leads outside the folder being loaded"


def _utf8(name: str) -> bool:
    """False for a name os.walk decoded with surrogate escapes (its bytes are not UTF-8)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def relative_stem(file: Path, root: Path) -> str:
    """The file's path below ``root`` without its extension, with "/" separators (``dev/design/index``)."""
    relative = file.relative_to(root).as_posix()
    return relative.rsplit(".", 1)[0] if "." in relative.rsplit("/", 1)[-1] else relative


def exclude_patterns(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The ``exclude`` option as a tuple of glob patterns (a string may list several, comma-separated)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    return tuple(str(p) for p in value)


def check_options(fmt: str, options: dict[str, Any], known: Iterable[str]) -> None:
    """Refuse loader options this format does not know, naming the ones it does."""
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise UsageError(
            f"unknown option {clip(unknown[0])} for the {fmt} loader; it knows: {', '.join(sorted(known))}"
        )


def refuse_field_mapping(fmt: str, mapping: FieldMapping) -> None:
    """Refuse --field pairs for a format whose fields are fixed, instead of silently ignoring them."""
    if mapping.explicit:
        raise UsageError(
            f"the {fmt} loader reads fixed fields; --field and a fields config do not apply to it "
            f"(given: {', '.join(sorted(mapping.explicit))})"
        )


class Collector:
    """Gathers a load's concepts and problems: duplicate ids, strict versus lenient, progress.

    Strict loads raise one LoadError listing the problems found (at the end, or as soon as
    MAX_STRICT_PROBLEMS have piled up); lenient loads keep what is valid and list the rest.
    """

    def __init__(
        self,
        source: Path,
        fmt: str,
        lenient: bool,
        progress: Progress | None = None,
    ):
        self.source = source
        self.fmt = fmt
        self.lenient = lenient
        self.progress = progress
        self.concepts: list[Concept] = []
        self.problems: list[Problem] = []
        #: What the load accepted or skipped without failing (e.g. a symlink out of the folder).
        self.warnings: list[Problem] = []
        self._seen: dict[str, Origin | None] = {}

    def problem(self, *problems: Problem) -> None:
        """Record problems; a strict load gives up once there are too many to be worth listing."""
        self.problems.extend(problems)
        if not self.lenient and len(self.problems) >= MAX_STRICT_PROBLEMS:
            raise LoadError(self.problems)

    def add(self, concept: Concept) -> None:
        """Keep a concept unless its id is taken (then the first one stays and both places are named)."""
        first = self._seen.get(concept.id, False)
        if first is not False:
            origin = concept.origin or Origin(str(self.source))
            self.problem(Problem(
                origin.file, origin.line,
                f"duplicate id {clip(concept.id)}: already used at {first or self.source}",
            ))
            return
        self._seen[concept.id] = concept.origin
        self.concepts.append(concept)

    def warn(self, *warnings: Problem) -> None:
        """Record what the load accepted but a user should know."""
        self.warnings.extend(warnings)

    def tick(self, done: int, total: int | None) -> None:
        """Report progress, when someone listens."""
        if self.progress is not None:
            self.progress(done, total)

    def glossary(self) -> Glossary:
        """The loaded glossary, or one LoadError when a strict load found problems or nothing was loaded."""
        if self.problems and not self.lenient:
            raise LoadError(self.problems)
        if not self.concepts:
            # The problems that left nothing to load come first: they are what the user must fix.
            raise LoadError([*self.problems, Problem(str(self.source), None, f"no concepts found ({self.fmt})")])
        return Glossary(self.concepts, source=str(self.source), format=self.fmt, problems=list(self.problems),
                        warnings=list(self.warnings))


def parse_json(text: str, file: str) -> Any:
    """One JSON document, or one LoadError naming the file and line (syntax, lone surrogates, nesting)."""
    import json

    refuse_lone_surrogates(text, file)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise LoadError(Problem(file, error.lineno, f"invalid JSON: {error.msg} at column {error.colno}")) from None
    except RecursionError:
        raise json_nesting_error(text, file) from None


def parse_yaml(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document into (data, node); the node keeps the line of every value.

    Raises LoadError naming the file and the line of the syntax error.
    """
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        # Counted on the composed nodes, before anything is built: an alias bomb is refused in milliseconds.
        check_yaml_expansion(node, file, text)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark, started = error.problem_mark or error.context_mark, error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"invalid YAML: {error.problem or 'syntax error'}"
        if mark is not None:
            message += f" at column {mark.column + 1}"
        if error.context:
            # The parser often notices a problem lines after its cause: name where the construct began.
            message += f" ({error.context}"
            message += f" that starts on line {started.line + 1})" if started is not None else ")"
        raise LoadError(Problem(file, line, message)) from None
    except yaml.YAMLError as error:
        raise LoadError(Problem(file, None, f"invalid YAML: {error}")) from None
    finally:
        loader.dispose()
    return data, node


def node_line(node: yaml.Node | None) -> int | None:
    """The 1-based line where a YAML node starts."""
    return node.start_mark.line + 1 if node is not None else None


def value_node(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) of a key in a YAML mapping node, or None."""
    if isinstance(node, yaml.MappingNode):
        for key_node, child in node.value:
            if key_node.value == key:
                return key_node, child
    return None
