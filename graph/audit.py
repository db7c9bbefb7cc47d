"""The link-coverage audit of a glossary: the fifteen checks of DESIGN.md section 6, coverage metrics,
a worklist, severities and an allow-list of accepted findings.

The audit reads a store only through the query Protocol (``glossary()`` and ``links()``), so every
store can run it. A store may answer a check itself (e.g. with one Cypher query) by defining
``audit_check(name) -> list[dict] | None``; returning None falls back to the functions here, and
its findings must have the same fields and order.

"Link" means a reference (related-list entry or inline wikilink) resolved to another concept;
self links, broken and ambiguous references are not links.

>>> from graph.model import Concept, Glossary, Reference
>>> g = Glossary([Concept("a", "Alpha", related=(Reference("Beta"),)), Concept("b", "Beta")])
>>> data = AuditData.from_glossary(g)
>>> orphans(data), one_way_links(data)
([{'id': 'a', 'title': 'Alpha'}], [{'source': 'a', 'target': 'b'}])
"""

from __future__ import annotations

__all__ = [
    "CHECKS",
    "FIELDS",
    "LEVELS",
    "METRICS",
    "SEVERITY",
    "AllowList",
    "AuditData",
    "AuditReport",
    "alias_collisions",
    "alias_links",
    "ambiguous_links",
    "broken_links",
    "check_names",
    "dead_ends",
    "disconnected_clusters",
    "duplicate_links",
    "duplicate_titles",
    "isolated",
    "load_allow_list",
    "missing_definitions",
    "one_way_links",
    "orphans",
    "run_audit",
    "self_links",
    "uncategorised",
    "unlinked_mentions",
    "wanted",
]

import gc
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, Problem, UsageError
from graph.mentions import MentionFinder, searchable_text
from graph.model import Concept, Glossary
from graph.protocol import GraphStore
from graph.resolve import Link, resolve_links
from graph.text import normalise

Finding = dict[str, Any]

#: Every check, in the order of DESIGN.md section 6 (and of every report).
CHECKS: tuple[str, ...] = (
    "orphans",
    "dead_ends",
    "isolated",
    "broken_links",
    "ambiguous_links",
    "alias_links",
    "one_way_links",
    "self_links",
    "duplicate_links",
    "unlinked_mentions",
    "alias_collisions",
    "duplicate_titles",
    "uncategorised",
    "missing_definitions",
    "disconnected_clusters",
)

#: Severity levels, most severe first.
LEVELS: tuple[str, ...] = ("error", "warning", "info")

#: Default severity of each check. Errors are references a reader cannot follow (broken, ambiguous)
#: and titles a reader cannot tell apart; warnings are gaps an editor should look at; info is
#: worth knowing but often fine (redirects through aliases, a repeated entry, no category).
SEVERITY: dict[str, str] = {
    "orphans": "warning",
    "dead_ends": "warning",
    "isolated": "warning",
    "broken_links": "error",
    "ambiguous_links": "error",
    "alias_links": "info",
    "one_way_links": "warning",
    "self_links": "warning",
    "duplicate_links": "info",
    "unlinked_mentions": "warning",
    "alias_collisions": "warning",
    "duplicate_titles": "error",
    "uncategorised": "info",
    "missing_definitions": "warning",
    "disconnected_clusters": "warning",
}

#: The fields of each check's findings, in output order.
FIELDS: dict[str, tuple[str, ...]] = {
    "orphans": ("id", "title"),
    "dead_ends": ("id", "title"),
    "isolated": ("id", "title"),
    "broken_links": ("source", "target"),
    "ambiguous_links": ("source", "target", "candidates"),
    "alias_links": ("source", "target", "via"),
    "one_way_links": ("source", "target"),
    "self_links": ("source", "target"),
    "duplicate_links": ("source", "target", "count"),
    "unlinked_mentions": ("source", "target", "mention", "count"),
    "alias_collisions": ("alias", "concepts"),
    "duplicate_titles": ("title", "concepts"),
    "uncategorised": ("id", "title"),
    "missing_definitions": ("id", "title"),
    "disconnected_clusters": ("concepts", "size"),
}

#: The field a bare string in the allow-list is compared with, per check.
_KEY_FIELD: dict[str, str] = {
    **{check: "id" for check in ("orphans", "dead_ends", "isolated", "uncategorised", "missing_definitions")},
    **{
        check: "source"
        for check in (
            "broken_links", "ambiguous_links", "alias_links", "one_way_links", "self_links",
            "duplicate_links", "unlinked_mentions",
        )
    },
    "alias_collisions": "alias",
    "duplicate_titles": "title",
    "disconnected_clusters": "concepts",
}

#: The coverage metrics of the summary (shares between 0 and 1, rounded to 4 places; null when the
#: share has nothing to count, e.g. reciprocity without links).
METRICS: tuple[str, ...] = (
    "share_with_incoming",
    "share_with_outgoing",
    "reciprocity",
    "share_mentions_linked",
    "share_in_largest_cluster",
    "share_categorised",
)


def check_names(names: Iterable[str] | None) -> tuple[str, ...]:
    """The checks named (each may be a comma list), in CHECKS order; all when none; UsageError for a bad name."""
    if names is None:
        return CHECKS
    chosen: set[str] = set()
    for item in names:
        for name in item.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in CHECKS:
                raise UsageError(f"unknown check {name!r}; choose from {', '.join(CHECKS)}")
            chosen.add(name)
    return tuple(c for c in CHECKS if c in chosen) or CHECKS


# -- the data every check reads --------------------------------------------------------------


class AuditData:
    """A glossary and its link table, with the link sets and mention scan the checks share (built lazily)."""

    def __init__(self, concepts: Iterable[Concept], links: Iterable[Link]):
        self.concepts: dict[str, Concept] = {c.id: c for c in concepts}
        self.links: list[Link] = list(links)
        self.out: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        self.inc: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        for link in self.links:
            target = link.target
            if target is not None and target != link.source and target in self.inc and link.source in self.out:
                self.out[link.source].add(target)
                self.inc[target].add(link.source)

    @classmethod
    def from_glossary(cls, glossary: Glossary, links: Iterable[Link] | None = None) -> AuditData:
        """Audit data of a glossary (its link table resolved here unless given)."""
        return cls(glossary.concepts, resolve_links(glossary) if links is None else links)

    @classmethod
    def from_store(cls, store: GraphStore) -> AuditData:
        """Audit data of any store, through the Protocol."""
        return cls(store.glossary().concepts, store.links())

    @property
    def link_count(self) -> int:
        """Resolved links between distinct concepts, each (source, target) pair once."""
        return sum(len(targets) for targets in self.out.values())

    @cached_property
    def finder(self) -> MentionFinder:
        """The mention finder over every title and alias (built once per audit)."""
        return MentionFinder.for_concepts(self.concepts.values())

    @cached_property
    def mentions(self) -> dict[tuple[str, str], tuple[str, int]]:
        """Every (source, target) pair where the source's text mentions the target: first mention, count."""
        finder = self.finder
        found: dict[tuple[str, str], tuple[str, int]] = {}
        for concept in self.concepts.values():
            for target, seen in finder.mentions(concept.id, searchable_text(concept)).items():
                found[concept.id, target] = seen
        return found

    @cached_property
    def mentioned_by(self) -> Counter[str]:
        """How many concepts mention each concept in their text."""
        return Counter(target for _source, target in self.mentions)

    @cached_property
    def components(self) -> list[list[str]]:
        """Connected components of the undirected link graph (isolated concepts alone), largest first.

        Each component's ids are sorted; components of equal size are ordered by their first id.
        """
        seen: set[str] = set()
        found: list[list[str]] = []
        for start in self.concepts:
            if start in seen:
                continue
            seen.add(start)
            stack, members = [start], [start]
            while stack:
                node = stack.pop()
                for other in (*self.out[node], *self.inc[node]):
                    if other not in seen:
                        seen.add(other)
                        members.append(other)
                        stack.append(other)
            found.append(sorted(members))
        found.sort(key=lambda members: (-len(members), members[0]))
        return found


def _concept_rows(data: AuditData, keep: Callable[[str], bool]) -> list[Finding]:
    return [{"id": cid, "title": data.concepts[cid].title} for cid in sorted(data.concepts) if keep(cid)]


def _per_source(links: Iterable[Link]) -> dict[tuple[str, str], list[Link]]:
    """Links grouped by (source, normalised target as written)."""
    grouped: dict[tuple[str, str], list[Link]] = {}
    for link in links:
        grouped.setdefault((link.source, link.key), []).append(link)
    return grouped


def _written(links: Iterable[Link]) -> str:
    """One spelling for several references to the same target: the most frequent, then the first in order."""
    counts = Counter(link.written for link in links)
    return min(counts, key=lambda w: (-counts[w], w))


# -- the checks ------------------------------------------------------------------------------


def orphans(data: AuditData) -> list[Finding]:
    """Concepts with no incoming link: ``{id, title}`` by id."""
    return _concept_rows(data, lambda cid: not data.inc[cid])


def dead_ends(data: AuditData) -> list[Finding]:
    """Concepts with no outgoing link: ``{id, title}`` by id."""
    return _concept_rows(data, lambda cid: not data.out[cid])


def isolated(data: AuditData) -> list[Finding]:
    """Concepts with no link in or out: ``{id, title}`` by id."""
    return _concept_rows(data, lambda cid: not data.inc[cid] and not data.out[cid])


def broken_links(data: AuditData) -> list[Finding]:
    """References that resolve to nothing: ``{source, target}`` (target as written), once per source and target."""
    grouped = _per_source(link for link in data.links if link.via == "unresolved")
    return sorted(
        ({"source": source, "target": _written(links)} for (source, _key), links in grouped.items()),
        key=lambda f: (f["source"], normalise(f["target"]), f["target"]),
    )


def wanted(findings: Iterable[Finding]) -> list[Finding]:
    """Broken-link targets grouped: ``{target, count, sources}``, most wanted first (count = concepts wanting it)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(normalise(finding["target"]), []).append(finding)
    rows = []
    for rows_of_target in grouped.values():
        spellings = Counter(f["target"] for f in rows_of_target)
        sources = sorted({f["source"] for f in rows_of_target})
        target = min(spellings, key=lambda w: (-spellings[w], w))
        rows.append({"target": target, "count": len(sources), "sources": sources})
    return sorted(rows, key=lambda r: (-r["count"], normalise(r["target"]), r["target"]))


def ambiguous_links(data: AuditData) -> list[Finding]:
    """References matching a label several concepts own: ``{source, target, candidates}``."""
    grouped = _per_source(link for link in data.links if link.via == "ambiguous")
    return sorted(
        (
            {"source": source, "target": _written(links), "candidates": sorted(links[0].candidates)}
            for (source, _key), links in grouped.items()
        ),
        key=lambda f: (f["source"], normalise(f["target"]), f["target"]),
    )


def alias_links(data: AuditData) -> list[Finding]:
    """Links resolved through an alias: ``{source, target, via}`` (target: concept id; via: alias as written)."""
    grouped = _per_source(
        link for link in data.links if link.via == "alias" and link.target is not None and link.target != link.source
    )
    return sorted(
        (
            {"source": source, "target": links[0].target, "via": _written(links)}
            for (source, _key), links in grouped.items()
        ),
        key=lambda f: (f["source"], f["target"], normalise(f["via"]), f["via"]),
    )


def one_way_links(data: AuditData) -> list[Finding]:
    """Links A → B where B has no link to A: ``{source, target}``."""
    return [
        {"source": source, "target": target}
        for source in sorted(data.out)
        for target in sorted(data.out[source])
        if source not in data.out[target]
    ]


def self_links(data: AuditData) -> list[Finding]:
    """References of a concept to itself: ``{source, target}`` with target as written, once per spelling's key."""
    grouped = _per_source(link for link in data.links if link.target is not None and link.target == link.source)
    return sorted(
        ({"source": source, "target": _written(links)} for (source, _key), links in grouped.items()),
        key=lambda f: (f["source"], normalise(f["target"]), f["target"]),
    )


def duplicate_links(data: AuditData) -> list[Finding]:
    """A target listed more than once in one concept's related list: ``{source, target, count}``.

    References count as the same target when they resolve to the same concept (target = its id),
    or, unresolved, when they are written alike (target = as written). Inline wikilinks are not
    counted: repeating a related entry in prose is normal.
    """
    counts = Counter(
        (link.source, link.target if link.target is not None else "\0" + link.key)
        for link in data.links
        if link.kind == "related"
    )
    repeated = {key: n for key, n in counts.items() if n > 1}
    unresolved = {key for key in repeated if key[1].startswith("\0")}
    spellings: dict[tuple[str, str], list[Link]] = {}
    if unresolved:
        for link in data.links:
            if link.target is None and link.kind == "related" and (link.source, "\0" + link.key) in unresolved:
                spellings.setdefault((link.source, "\0" + link.key), []).append(link)
    rows = [
        {"source": source, "target": _written(spellings[source, target]) if target.startswith("\0") else target,
         "count": count}
        for (source, target), count in repeated.items()
    ]
    return sorted(rows, key=lambda f: (f["source"], f["target"]))


def unlinked_mentions(data: AuditData) -> list[Finding]:
    """Concept B's title or alias in A's text while A has no link to B: ``{source, target, mention, count}``."""
    return [
        {"source": source, "target": target, "mention": mention, "count": count}
        for (source, target), (mention, count) in sorted(data.mentions.items())
        if target not in data.out[source]
    ]


def alias_collisions(data: AuditData) -> list[Finding]:
    """Normalised labels owned by several concepts, at least one of them as an alias: ``{alias, concepts}``.

    ``alias`` is the label as an alias spells it (the first in sort order when spelt several ways).
    """
    by_alias: dict[str, dict[str, set[str]]] = {}
    for concept in data.concepts.values():
        for alias in concept.aliases:
            by_alias.setdefault(normalise(alias), {}).setdefault(concept.id, set()).add(alias)
    titles: dict[str, set[str]] = {}
    for concept in data.concepts.values():
        key = normalise(concept.title)
        if key in by_alias:
            titles.setdefault(key, set()).add(concept.id)
    rows = []
    for key, owners in by_alias.items():
        concepts = set(owners) | titles.get(key, set())
        if len(concepts) > 1:
            spelling = min(alias for spellings in owners.values() for alias in spellings)
            rows.append({"alias": spelling, "concepts": sorted(concepts)})
    return sorted(rows, key=lambda f: (normalise(f["alias"]), f["alias"]))


def duplicate_titles(data: AuditData) -> list[Finding]:
    """Different ids with the same normalised title: ``{title, concepts}``."""
    by_title: dict[str, list[Concept]] = {}
    for concept in data.concepts.values():
        by_title.setdefault(normalise(concept.title), []).append(concept)
    rows = [
        {"title": min(c.title for c in group), "concepts": sorted(c.id for c in group)}
        for group in by_title.values()
        if len(group) > 1
    ]
    return sorted(rows, key=lambda f: (normalise(f["title"]), f["title"]))


def uncategorised(data: AuditData) -> list[Finding]:
    """Concepts with no category: ``{id, title}``."""
    return _concept_rows(data, lambda cid: not any(c.strip() for c in data.concepts[cid].categories))


def missing_definitions(data: AuditData) -> list[Finding]:
    """Concepts whose definition is empty (or only whitespace): ``{id, title}``."""
    return _concept_rows(data, lambda cid: not data.concepts[cid].definition.strip())


def disconnected_clusters(data: AuditData) -> list[Finding]:
    """Components of the undirected link graph other than the largest, with 2+ concepts: ``{concepts, size}``."""
    return [
        {"concepts": members, "size": len(members)} for members in data.components[1:] if len(members) > 1
    ]


_CHECK_FUNCTIONS: dict[str, Callable[[AuditData], list[Finding]]] = {
    "orphans": orphans,
    "dead_ends": dead_ends,
    "isolated": isolated,
    "broken_links": broken_links,
    "ambiguous_links": ambiguous_links,
    "alias_links": alias_links,
    "one_way_links": one_way_links,
    "self_links": self_links,
    "duplicate_links": duplicate_links,
    "unlinked_mentions": unlinked_mentions,
    "alias_collisions": alias_collisions,
    "duplicate_titles": duplicate_titles,
    "uncategorised": uncategorised,
    "missing_definitions": missing_definitions,
    "disconnected_clusters": disconnected_clusters,
}


# -- coverage --------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def coverage(data: AuditData, with_mentions: bool = True) -> dict[str, float | None]:
    """The coverage metrics (METRICS) of a glossary.

    ``share_mentions_linked`` = mention pairs (A's text mentions B) where A links to B, over all
    mention pairs; it is null when ``with_mentions`` is False (the text was not scanned).
    """
    total = len(data.concepts)
    links = data.link_count
    reciprocal = sum(1 for source, targets in data.out.items() for t in targets if source in data.out[t])
    mentions_linked: float | None = None
    if with_mentions:
        pairs = data.mentions
        linked = sum(1 for source, target in pairs if target in data.out[source])
        mentions_linked = _share(linked, len(pairs))
    return {
        "share_with_incoming": _share(sum(1 for s in data.inc.values() if s), total),
        "share_with_outgoing": _share(sum(1 for s in data.out.values() if s), total),
        "reciprocity": _share(reciprocal, links),
        "share_mentions_linked": mentions_linked,
        "share_in_largest_cluster": _share(len(data.components[0]) if data.components else 0, total),
        "share_categorised": _share(
            sum(1 for c in data.concepts.values() if any(x.strip() for x in c.categories)), total
        ),
    }


# -- allow-list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllowEntry:
    """One accepted finding pattern: field values to match (normalised), and where it was written."""

    check: str
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
                raise fail(key_node, f"unknown section {section!r}; expected 'allow' or 'severity'")
        return result

    @staticmethod
    def _check_name(node: yaml.Node, fail: Callable[[yaml.Node, str], LoadError]) -> str:
        name = node.value if isinstance(node, yaml.ScalarNode) else None
        if name not in CHECKS:
            raise fail(node, f"unknown check {name!r}; choose from {', '.join(CHECKS)}")
        return str(name)

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
        check: str, item: yaml.Node, fail: Callable[[yaml.Node, str], LoadError]
    ) -> tuple[tuple[str, Any], ...]:
        if isinstance(item, yaml.ScalarNode):
            if not item.value.strip():
                raise fail(item, f"empty entry in allow.{check}")
            return ((_KEY_FIELD[check], normalise(item.value)),)
        if not isinstance(item, yaml.MappingNode) or not item.value:
            raise fail(item, f"an entry of allow.{check} is a string or a mapping of finding fields")
        match: list[tuple[str, Any]] = []
        for key_node, value_node in item.value:
            name = key_node.value
            if name not in FIELDS[check]:
                raise fail(key_node, f"{check} findings have no field {name!r} ({', '.join(FIELDS[check])})")
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
                raise fail(level_node, f"severity of {check} must be one of {', '.join(LEVELS)}, not {level!r}")
            levels[check] = str(level)
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


@dataclass
class AuditReport:
    """The findings of the checks run, which of them are allowed, severities, coverage and a worklist."""

    checks: tuple[str, ...]
    findings: dict[str, list[Finding]]
    allowed: dict[str, list[bool]]
    severity: dict[str, str]
    totals: dict[str, Any]
    worklist: dict[str, list[Finding]] = field(default_factory=dict)
    unused_allow: list[AllowEntry] = field(default_factory=list)

    def count(self, check: str) -> int:
        """How many findings a check has (allowed ones included)."""
        return len(self.findings.get(check, ()))

    def allowed_count(self, check: str) -> int:
        """How many of a check's findings the allow-list accepts."""
        return sum(self.allowed.get(check, ()))

    def open_count(self, check: str) -> int:
        """How many of a check's findings are not allowed."""
        return self.count(check) - self.allowed_count(check)

    def open_findings(self, check: str) -> list[Finding]:
        """The findings of a check that the allow-list does not accept."""
        return [f for f, ok in zip(self.findings.get(check, ()), self.allowed.get(check, ()), strict=True) if not ok]

    def wanted(self) -> list[Finding]:
        """Broken-link targets, most wanted first."""
        return wanted(self.findings.get("broken_links", ()))

    def fail_on(self, spec: Iterable[str]) -> dict[str, int]:
        """The checks named by ``spec`` that have findings not allowed, with how many.

        ``spec`` items are check names (or comma lists of them), a severity level (that level or
        more severe: ``warning`` takes errors and warnings) or ``any``. UsageError for anything else
        or for a check this report did not run.
        """
        chosen: set[str] = set()
        for item in spec:
            for name in (n.strip() for n in item.split(",")):
                if not name:
                    continue
                if name == "any":
                    chosen.update(self.checks)
                elif name in LEVELS:
                    worst = LEVELS.index(name)
                    chosen.update(c for c in self.checks if LEVELS.index(self.severity[c]) <= worst)
                elif name in CHECKS:
                    if name not in self.checks:
                        raise UsageError(f"--fail-on {name}: that check is not run (see --check)")
                    chosen.add(name)
                else:
                    raise UsageError(
                        f"--fail-on: unknown check or level {name!r}; use a check name, "
                        f"{', '.join(LEVELS)} or any"
                    )
        return {c: self.open_count(c) for c in self.checks if c in chosen and self.open_count(c)}

    def to_json(self) -> dict[str, Any]:
        """The JSON contract: summary (counts, concepts, links, coverage, allowed) and the findings of each check."""
        summary: dict[str, Any] = {check: self.count(check) for check in self.checks}
        summary.update(self.totals)
        summary["allowed"] = {check: self.allowed_count(check) for check in self.checks}
        checks = {
            check: [
                {**finding, "allowed": True} if ok else finding
                for finding, ok in zip(self.findings[check], self.allowed[check], strict=True)
            ]
            for check in self.checks
        }
        data: dict[str, Any] = {
            "summary": summary,
            "checks": checks,
            "severity": {check: self.severity[check] for check in self.checks},
        }
        if "broken_links" in self.checks:
            data["wanted"] = self.wanted()
        data["worklist"] = self.worklist
        data["unused_allow"] = [entry.to_json() for entry in self.unused_allow]
        return data


def _worklist(report: AuditReport, data: AuditData, limit: int) -> dict[str, list[Finding]]:
    """What to fix first, each list ranked and cut to ``limit``; allowed findings are left out."""
    work: dict[str, list[Finding]] = {}
    if "broken_links" in report.checks:
        work["wanted"] = wanted(report.open_findings("broken_links"))[:limit]
    if "orphans" in report.checks:
        mentioned = data.mentioned_by
        rows = [{**f, "mentioned_by": mentioned.get(f["id"], 0)} for f in report.open_findings("orphans")]
        rows.sort(key=lambda r: (-r["mentioned_by"], r["id"]))
        work["orphans"] = rows[:limit]
    if "unlinked_mentions" in report.checks:
        rows = sorted(report.open_findings("unlinked_mentions"), key=lambda r: (-r["count"], r["source"], r["target"]))
        work["unlinked_mentions"] = rows[:limit]
    if "one_way_links" in report.checks:
        # A links to B and B's text mentions A: the missing link back is already half written.
        mentions = data.mentions
        rows = []
        for finding in report.open_findings("one_way_links"):
            back = mentions.get((finding["target"], finding["source"]))
            if back:
                rows.append({**finding, "mentions": back[1]})
        rows.sort(key=lambda r: (-r["mentions"], r["source"], r["target"]))
        work["one_way_links"] = rows[:limit]
    return work


def run_audit(
    store: GraphStore | Glossary | AuditData,
    checks: Iterable[str] | None = None,
    allow: AllowList | None = None,
    *,
    worklist_limit: int = 20,
) -> AuditReport:
    """Run the chosen checks (default: all) over a store and mark what the allow-list accepts.

    The text of every concept is scanned for mentions only when a check or the worklist needs it
    (unlinked_mentions, orphans, one_way_links); otherwise ``share_mentions_linked`` is null.
    """
    chosen = check_names(checks)
    # The audit allocates millions of small containers and frees none of them until it ends;
    # cyclic garbage collection would only rescan them over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(store, chosen, allow, worklist_limit)
    finally:
        if collecting:
            gc.enable()


def _run(
    store: GraphStore | Glossary | AuditData, chosen: tuple[str, ...], allow: AllowList | None, worklist_limit: int
) -> AuditReport:
    if isinstance(store, AuditData):
        data = store
    elif isinstance(store, Glossary):
        data = AuditData.from_glossary(store)
    else:
        data = AuditData.from_store(store)
    allow = allow or AllowList()
    severity = {**SEVERITY, **allow.severity}
    own_check = getattr(store, "audit_check", None)
    findings: dict[str, list[Finding]] = {}
    for check in chosen:
        answer = own_check(check) if callable(own_check) else None
        findings[check] = answer if answer is not None else _CHECK_FUNCTIONS[check](data)
    allowed: dict[str, list[bool]] = {}
    used: set[int] = set()
    for check in chosen:
        entries = [(i, e) for i, e in enumerate(allow.entries) if e.check == check]
        if not entries:
            allowed[check] = [False] * len(findings[check])
            continue
        flags = []
        for finding in findings[check]:
            hit = [i for i, entry in entries if entry.matches(finding)]
            used.update(hit)
            flags.append(bool(hit))
        allowed[check] = flags
    unused = [e for i, e in enumerate(allow.entries) if i not in used and e.check in chosen]
    scanned = any(c in chosen for c in ("unlinked_mentions", "orphans", "one_way_links"))
    totals: dict[str, Any] = {"concepts": len(data.concepts), "links": data.link_count}
    totals.update(coverage(data, with_mentions=scanned))
    report = AuditReport(chosen, findings, allowed, {c: severity[c] for c in chosen}, totals, {}, unused)
    report.worklist = _worklist(report, data, worklist_limit)
    return report
