"""The allow-list: accepted findings per check and severity overrides, read from a YAML file."""

from __future__ import annotations

__all__ = ["AllowEntry", "AllowList", "load_allow_list"]

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.audit.checks import CHECKS, LEVELS, REGISTRY
from graph.audit.data import Finding
from graph.errors import LoadError, Problem
from graph.kinds import CheckName
from graph.text import normalise
from graph.untrusted import check_yaml_expansion, clip


@dataclass(frozen=True)
class AllowEntry:
    """One accepted finding pattern: field values to match (normalised), and where it was written."""

    check: CheckName
    match: tuple[tuple[str, Any], ...]
    line: int | None

    def matches(self, finding: Finding) -> bool:
        """True when every field of the entry equals the finding's (a string matches inside a list field)."""
        for name, wanted_value in self.match:
            value = finding.get(name)
            if isinstance(value, list):
                members = {normalise(str(v)) for v in value}
                if isinstance(wanted_value, frozenset):
                    if wanted_value != members:
                        return False
                elif wanted_value not in members:
                    return False
            elif normalise(str(value)) != wanted_value:
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        """JSON form (for the list of allow entries that matched nothing)."""
        return {
            "check": self.check,
            "entry": {k: sorted(v) if isinstance(v, frozenset) else v for k, v in self.match},
            "line": self.line,
        }


@dataclass
class AllowList:
    """Accepted findings per check and severity overrides, read from a YAML file.

    >>> allow = AllowList.parse("allow:\\n  orphans: [glossary-index]\\nseverity:\\n  dead_ends: info\\n")
    >>> allow.severity, allow.entries[0].match
    ({'dead_ends': 'info'}, (('id', 'glossary-index'),))
    """

    entries: list[AllowEntry] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    file: str = ""

    @classmethod
    def parse(cls, text: str, file: str = "<allow-list>") -> AllowList:
        """Parse allow-list YAML; LoadError naming the file and line of the first problem."""
        try:
            root = yaml.compose(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise LoadError(
                Problem(file, mark.line + 1 if mark else None, f"not valid YAML: {getattr(error, 'problem', error)}")
            ) from error
        # The app takes allow-lists from visitors: an alias bomb is refused before any entry is read.
        check_yaml_expansion(root, file, text)
        result = cls(file=file)
        if root is None:
            return result

        def fail(node: yaml.Node, message: str) -> LoadError:
            return LoadError(Problem(file, node.start_mark.line + 1, message))

        if not isinstance(root, yaml.MappingNode):
            raise fail(root, "an allow-list is a mapping with 'allow' and/or 'severity'")
        for key_node, value_node in root.value:
            section = key_node.value
            if section == "allow":
                result.entries.extend(cls._parse_allow(value_node, fail))
            elif section == "severity":
                result.severity.update(cls._parse_severity(value_node, fail))
            else:
                raise fail(key_node, f"unknown section {clip(section)}; expected 'allow' or 'severity'")
        return result

    @staticmethod
    def _check_name(node: yaml.Node, fail: Callable[[yaml.Node, str], LoadError]) -> CheckName:
        name = node.value if isinstance(node, yaml.ScalarNode) else None
        for valid in CHECKS:
            if name == valid:
                return valid
        raise fail(node, f"unknown check {clip(name)}; choose from {', '.join(CHECKS)}")

    @classmethod
    def _parse_allow(cls, node: yaml.Node, fail: Callable[[yaml.Node, str], LoadError]) -> list[AllowEntry]:
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return []
        if not isinstance(node, yaml.MappingNode):
            raise fail(node, "'allow' maps check names to lists of accepted findings")
        entries = []
        for check_node, items in node.value:
            check = cls._check_name(check_node, fail)
            if not isinstance(items, yaml.SequenceNode):
                raise fail(items, f"allow.{check} must be a list")
            for item in items.value:
                entries.append(AllowEntry(check, cls._parse_entry(check, item, fail), item.start_mark.line + 1))
        return entries

    @staticmethod
    def _parse_entry(
        check: CheckName, item: yaml.Node, fail: Callable[[yaml.Node, str], LoadError]
    ) -> tuple[tuple[str, Any], ...]:
        if isinstance(item, yaml.ScalarNode):
            if not item.value.strip():
                raise fail(item, f"empty entry in allow.{check}")
            return ((REGISTRY[check].key, normalise(item.value)),)
        if not isinstance(item, yaml.MappingNode) or not item.value:
            raise fail(item, f"an entry of allow.{check} is a string or a mapping of finding fields")
        match: list[tuple[str, Any]] = []
        for key_node, value_node in item.value:
            name = key_node.value
            if name not in REGISTRY[check].fields:
                fields = ", ".join(REGISTRY[check].fields)
                raise fail(key_node, f"{check} findings have no field {clip(name)} ({fields})")
            if isinstance(value_node, yaml.SequenceNode):
                values = [v.value for v in value_node.value if isinstance(v, yaml.ScalarNode)]
                match.append((name, frozenset(normalise(v) for v in values)))
            elif isinstance(value_node, yaml.ScalarNode):
                match.append((name, normalise(value_node.value)))
            else:
                raise fail(value_node, f"allow.{check}: {name} must be a string or a list")
        return tuple(sorted(match, key=lambda kv: kv[0]))

    @staticmethod
    def _parse_severity(node: yaml.Node, fail: Callable[[yaml.Node, str], LoadError]) -> dict[str, str]:
        if not isinstance(node, yaml.MappingNode):
            raise fail(node, "'severity' maps check names to error, warning or info")
        levels = {}
        for check_node, level_node in node.value:
            check = AllowList._check_name(check_node, fail)
            level = level_node.value if isinstance(level_node, yaml.ScalarNode) else None
            if level not in LEVELS:
                raise fail(level_node, f"severity of {check} must be one of {', '.join(LEVELS)}, not {clip(level)}")
            levels[str(check)] = str(level)
        return levels


def load_allow_list(path: str | Path) -> AllowList:
    """Read an allow-list file; LoadError naming the file (and line) when it is missing or malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LoadError(Problem(str(path), None, f"cannot read the allow-list: {error}")) from error
    return AllowList.parse(text, str(path))


# -- the report ------------------------------------------------------------------------------
