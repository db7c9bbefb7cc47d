"""Guards for input nobody vouches for: bounded messages, YAML alias bombs, XML entities, deep JSON, symlinks.

Every loader reads files a stranger may have written (an upload in the app, a vault cloned from
the web). These helpers keep such a file from costing unbounded time or memory, from putting
invalid Unicode into the graph, or from reaching outside the folder being loaded. Each refusal is
one LoadError naming the file (and the line where one is known). The limits are described in
docs/security.md; the ones worth tuning read an environment variable.
"""

from __future__ import annotations

__all__ = [
    "MAX_MESSAGE_VALUE",
    "YAML_ALIAS_NODES",
    "YAML_ALIAS_RATIO",
    "check_yaml_expansion",
    "clip",
    "inside",
    "json_nesting_error",
    "lone_surrogate_line",
    "refuse_lone_surrogates",
    "refuse_xml_entities",
    "yaml_alias_budget",
]

import os
import re
import reprlib
from itertools import islice
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, Problem

#: The most characters of a user's value an error message shows.
MAX_MESSAGE_VALUE = 80
#: Nodes a YAML document may gain through aliases, at least (GLOSSGRAPH_YAML_ALIAS_NODES overrides) ...
YAML_ALIAS_NODES = 100_000
#: ... or this many times its own node count, whichever is more.
YAML_ALIAS_RATIO = 10

_ALIAS_ENV = "GLOSSGRAPH_YAML_ALIAS_NODES"

# reprlib stops after a few items per level and a few levels: rendering a value costs the same
# whether it is three items long or a billion (an alias bomb), and never recurses without bound.
class _Repr(reprlib.Repr):
    """reprlib's bounded repr, with mappings in their own order (as the user wrote them), not sorted."""

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        shown = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}" for k, v in islice(x.items(), self.maxdict)]
        return "{" + ", ".join(shown) + (", ..." if len(x) > self.maxdict else "") + "}"


_repr = _Repr()
_repr.maxlevel = 3
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxfrozenset = _repr.maxdeque = 6
_repr.maxdict = 6
_repr.maxstring = MAX_MESSAGE_VALUE
_repr.maxother = MAX_MESSAGE_VALUE
_repr.maxlong = 40


def clip(value: Any, limit: int = MAX_MESSAGE_VALUE) -> str:
    """A value's repr for an error message, at most ``limit`` characters (an ellipsis shows the cut).

    >>> clip("x" * 200, 12), clip(["a", "b"])
    ("'xxxxxxxx...", "['a', 'b']")
    """
    try:
        text = _repr.repr(value)
    except Exception:  # a hostile object's own __repr__ may fail; the message must not
        text = f"<{type(value).__name__}>"
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: max(limit - 3, 1)] + "..."


# -- YAML --------------------------------------------------------------------------------------


def yaml_alias_budget() -> int:
    """The least number of nodes a YAML document may gain through aliases (the environment may raise it)."""
    value = os.environ.get(_ALIAS_ENV, "").strip()
    if value:
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < 0:
            from graph.errors import UsageError

            raise UsageError(f"{_ALIAS_ENV} must be a whole number of nodes, got {clip(value)}")
        return number
    return YAML_ALIAS_NODES


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


# An anchor (``&name``) where YAML allows one: without any, a document has no aliases to expand.
_ANCHOR_RE = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]", re.MULTILINE)


def check_yaml_expansion(node: yaml.Node | None, file: str, text: str = "") -> None:
    """Refuse a composed YAML document that aliases expand beyond the budget, or that refers to itself.

    The composer shares one node for every alias of an anchor, so counting costs one visit per
    distinct node (memoised, iterative: no recursion limit to hit) however large the expansion.
    ``text`` (the document) lets documents without any alias skip the walk.
    """
    if node is None or (text and not _ANCHOR_RE.search(text)):
        return
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, finished = stack.pop()
        key = id(current)
        if finished:
            # Saturating: a chain of thousands of doubling aliases must not grow ever longer integers.
            sizes[key] = min(_SATURATED, 1 + sum(sizes[id(child)] for child in _children(current)))
            open_nodes.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            line = current.start_mark.line + 1 if current.start_mark else None
            raise LoadError(Problem(file, line, "the YAML refers to itself through an alias (a recursive structure)"))
        open_nodes.add(key)
        stack.append((current, True))
        stack.extend((child, False) for child in _children(current))
    distinct = len(sizes)
    expanded = sizes[id(node)]
    allowed = max(yaml_alias_budget(), YAML_ALIAS_RATIO * distinct)
    if expanded - distinct > allowed:
        raise LoadError(Problem(
            file, None,
            f"the YAML aliases expand {distinct:,} nodes to {_rough(expanded)}, over the limit of {allowed:,} "
            f"added nodes (an alias bomb?; raise it with {_ALIAS_ENV})",
        ))


#: Expansion counts stop here: any document this large is refused anyway.
_SATURATED = 10**15


def _rough(number: int) -> str:
    """A node count for a message."""
    return f"{number:,}" if number < _SATURATED else f"over {_SATURATED:,}"


# -- JSON --------------------------------------------------------------------------------------

_JSON_TOKEN_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}]')


def json_nesting_error(text: str, file: str, first_line: int = 1) -> LoadError:
    """The LoadError for JSON nested too deeply to parse (the parser hit the recursion limit).

    Names the line where the nesting passes 500 levels (``first_line``: the line ``text`` starts on).
    """
    depth = 0
    for match in _JSON_TOKEN_RE.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > 500:
                line = first_line + text.count("\n", 0, match.start())
                return LoadError(Problem(file, line, "the JSON is nested too deeply (over 500 levels) to load"))
        elif token == "]" or token == "}":
            depth -= 1
    return LoadError(Problem(file, None, "the JSON is nested too deeply to load"))


# A \u escape of a surrogate code point, paired (high then low) or alone; the leading run of
# backslashes must be even, or the "\u" is itself escaped text.
_SURROGATE_RE = re.compile(
    r"(?<!\\)(?:\\\\)*(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2})"
)


def lone_surrogate_line(text: str) -> int | None:
    """The line of the first escaped lone surrogate (``\\ud800`` not part of a pair) in JSON or Turtle text."""
    if "\\u" not in text and "\\U" not in text:
        return None
    for match in _SURROGATE_RE.finditer(text):
        if len(match.group(1)) <= 10:  # a single escape: no pair
            return text.count("\n", 0, match.start(1)) + 1
    return None


def refuse_lone_surrogates(text: str, file: str, first_line: int = 1) -> None:
    """Refuse text that escapes a lone surrogate: it decodes to a string no output can encode.

    JSON and Turtle may write any UTF-16 code unit as ``\\uXXXX``; half of a surrogate pair is
    not a character, and would load, then make every UTF-8 output (a terminal, an export) fail.
    """
    line = lone_surrogate_line(text)
    if line is not None:
        raise LoadError(Problem(
            file, line + first_line - 1,
            "a \\u escape gives a lone surrogate (half of a UTF-16 pair), which is not text",
        ))


# -- XML ---------------------------------------------------------------------------------------

_UTF16_32 = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"),
)


def _xml_text(data: bytes | str) -> str | bytes:
    """The document in a form where markup is searchable: UTF-16/32 decoded, ASCII-compatible bytes as they are."""
    if isinstance(data, str):
        return data
    for mark, encoding in _UTF16_32:
        if data.startswith(mark):
            return data.decode(encoding, errors="replace")
    return data


def refuse_xml_entities(data: bytes | str, file: str) -> None:
    """Refuse an XML (or XHTML) document whose DTD declares entities.

    Entities defined in terms of each other expand exponentially (the "billion laughs"), and
    external ones read other files; glossgraph's formats never need them. EBCDIC documents, which
    this scan cannot read, are refused too.
    """
    text = _xml_text(data)
    if isinstance(text, bytes):
        if text.startswith(b"\x4c\x6f\xa7\x94"):
            raise LoadError(Problem(file, 1, "the XML is EBCDIC-encoded; save it as UTF-8"))
        doctype, entity = text.find(b"<!DOCTYPE"), text.find(b"<!ENTITY")
        line = text.count(b"\n", 0, entity) + 1
    else:
        doctype, entity = text.find("<!DOCTYPE"), text.find("<!ENTITY")
        line = text.count("\n", 0, entity) + 1
    # Entities can only be declared inside a DOCTYPE; "<!ENTITY" elsewhere is inside a comment or CDATA.
    if doctype >= 0 and entity > doctype:
        raise LoadError(Problem(
            file, line,
            "the XML declares entities (<!ENTITY>), which glossgraph refuses: they can expand without bound "
            "or read other files; write the text or URI in place of each &name;",
        ))


# -- folders -----------------------------------------------------------------------------------


def inside(root: Path, file: Path) -> bool:
    """True when ``file``, with every symlink resolved, lies in the folder ``root`` (also resolved)."""
    try:
        resolved = file.resolve(strict=True)
        base = root.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling or looping link
        return False
    return resolved == base or resolved.is_relative_to(base)
