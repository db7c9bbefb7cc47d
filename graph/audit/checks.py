"""The audit's checks (docs/design.md section 6), each registered once with its severity, finding fields,
allow-list key and a one-line summary: everything else (reports, the allow-list, CI formats, docs)
reads the registry.

>>> from graph.model import Concept, Glossary, Reference
>>> glossary = Glossary([Concept("a", "Alpha", related=(Reference("Beta"),)), Concept("b", "Beta")])
>>> data = AuditData.from_glossary(glossary)
>>> REGISTRY["orphans"].run(data), REGISTRY["one_way_links"].severity
([{'id': 'a', 'title': 'Alpha'}], 'warning')
"""

from __future__ import annotations

__all__ = [
    "CHECKS",
    "FIELDS",
    "LEVELS",
    "REGISTRY",
    "SEVERITY",
    "Check",
    "Level",
    "alias_collisions",
    "alias_links",
    "ambiguous_links",
    "broken_links",
    "check_name",
    "check_names",
    "dead_ends",
    "deprecated_links",
    "disconnected_clusters",
    "duplicate_links",
    "duplicate_titles",
    "hierarchy_cycles",
    "isolated",
    "missing_definitions",
    "one_way_links",
    "orphans",
    "polyhierarchy",
    "relation_clashes",
    "self_links",
    "uncategorised",
    "unlinked_mentions",
    "wanted",
]

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

from graph.audit.data import AuditData, Finding
from graph.errors import UsageError
from graph.kinds import CHECK_NAMES, CheckName
from graph.model import Concept
from graph.resolve import Link
from graph.text import normalise

#: Severity levels, most severe first.
Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = get_args(Level)

CheckFunction = Callable[[AuditData], list[Finding]]


@dataclass(frozen=True)
class Check:
    """One audit check: what it is called, what it runs, how severe it is and what its findings hold.

    ``key`` is the finding field a bare string in the allow-list is compared with; ``summary`` is the
    one line that reports, SARIF rules and the docs show.
    """

    name: CheckName
    run: CheckFunction
    severity: Level
    fields: tuple[str, ...]
    key: str
    summary: str

    @property
    def help_anchor(self) -> str:
        """The anchor of this check's section in docs/audit.md."""
        return self.name.replace("_", "-")


#: Every check in report order (the order of docs/design.md section 6), filled by @check below.
REGISTRY: dict[CheckName, Check] = {}


def check_name(name: str) -> CheckName:
    """The check called ``name``, typed; UsageError naming the valid ones otherwise."""
    for valid in CHECK_NAMES:
        if name == valid:
            return valid
    raise UsageError(f"unknown check {name!r}; choose from {', '.join(CHECK_NAMES)}")


def check(
    severity: Level, fields: tuple[str, ...], *, key: str, summary: str
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check of the same name."""

    def register(function: CheckFunction) -> CheckFunction:
        name = check_name(function.__name__)
        REGISTRY[name] = Check(name, function, severity, fields, key, summary)
        return function

    return register


# Severity: errors are references a reader cannot follow (broken, ambiguous) and titles a reader
# cannot tell apart; warnings are gaps an editor should look at; info is worth knowing but often
# fine (redirects through aliases, a repeated entry, no category).

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


def _current_rows(data: AuditData, keep: Callable[[str], bool]) -> list[Finding]:
    """Rows of the concepts that are not deprecated and that ``keep`` selects (the structural checks)."""
    deprecated = data.deprecated
    return _concept_rows(data, lambda cid: cid not in deprecated and keep(cid))


@check("warning", ("id", "title"), key="id",
       summary="Concepts no other concept links to (a parent links to its children and they to it).")
def orphans(data: AuditData) -> list[Finding]:
    """Current concepts with no incoming related link and no parent or child: ``{id, title}`` by id."""
    return _current_rows(data, lambda cid: not data.inc[cid] and not data.in_hierarchy(cid))


@check("warning", ("id", "title"), key="id",
       summary="Concepts that link to no other concept (a parent or child counts).")
def dead_ends(data: AuditData) -> list[Finding]:
    """Current concepts with no outgoing related link and no parent or child: ``{id, title}`` by id."""
    return _current_rows(data, lambda cid: not data.out[cid] and not data.in_hierarchy(cid))


@check("warning", ("id", "title"), key="id",
       summary="Concepts with no link in or out, and no place in the hierarchy.")
def isolated(data: AuditData) -> list[Finding]:
    """Current concepts with no related link in or out and no parent or child: ``{id, title}`` by id."""
    return _current_rows(data, lambda cid: not data.inc[cid] and not data.out[cid] and not data.in_hierarchy(cid))


@check("error", ("source", "target"), key="source",
       summary="References that resolve to no concept.")
def broken_links(data: AuditData) -> list[Finding]:
    """References that resolve to nothing: ``{source, target}`` (target as written), once per source and target.

    In a Logseq graph a page that is referenced but has no file is a placeholder: Logseq shows it as
    an empty page. Such findings (any link but a Markdown link to a file) carry ``"placeholder": true``.
    """
    grouped = _per_source(link for link in data.links if link.via == "unresolved")
    placeholders = data.dialect == "logseq"
    rows: list[Finding] = []
    for (source, _key), links in grouped.items():
        row: Finding = {"source": source, "target": _written(links)}
        if placeholders and any(link.kind != "markdown" for link in links):
            row["placeholder"] = True
        rows.append(row)
    return sorted(rows, key=lambda f: (f["source"], normalise(f["target"]), f["target"]))


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


@check("error", ("source", "target", "candidates"), key="source",
       summary="References matching a label that several concepts own.")
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


@check("info", ("source", "target", "via"), key="source",
       summary="Links that reach their concept through an alias, not its id or title.")
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


@check("warning", ("source", "target"), key="source",
       summary="Related links A to B where B has no related link back to A.")
def one_way_links(data: AuditData) -> list[Finding]:
    """Related links A → B where B has no related link to A: ``{source, target}`` (broader links are one-way)."""
    return [
        {"source": source, "target": target}
        for source in sorted(data.out)
        for target in sorted(data.out[source])
        if source not in data.out[target]
    ]


@check("warning", ("source", "target"), key="source",
       summary="Concepts that list themselves as related.")
def self_links(data: AuditData) -> list[Finding]:
    """References of a concept to itself: ``{source, target}`` with target as written, once per spelling's key."""
    # A concept that is its own parent is a hierarchy cycle, not a self link.
    grouped = _per_source(
        link for link in data.links
        if link.target is not None and link.target == link.source and link.kind != "broader"
    )
    return sorted(
        ({"source": source, "target": _written(links)} for (source, _key), links in grouped.items()),
        key=lambda f: (f["source"], normalise(f["target"]), f["target"]),
    )


@check("info", ("source", "target", "count"), key="source",
       summary="The same target listed more than once in one related list.")
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


@check("warning", ("source", "target", "mention", "count"), key="source",
       summary="A concept's title or alias in another's text without a link to it.")
def unlinked_mentions(data: AuditData) -> list[Finding]:
    """Concept B's title or alias in A's text while A has no link to B (nor is its parent or child).

    Findings: ``{source, target, mention, count}``.
    """
    return [
        {"source": source, "target": target, "mention": mention, "count": count}
        for (source, target), (mention, count) in sorted(data.mentions.items())
        if not data.linked(source, target)
    ]


@check("warning", ("alias", "concepts"), key="alias",
       summary="A label that several concepts own, at least one as an alias.")
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


@check("error", ("title", "concepts"), key="title",
       summary="Different concepts with the same normalised title.")
def duplicate_titles(data: AuditData) -> list[Finding]:
    """Different current ids with the same normalised title under the same parents: ``{title, concepts}``.

    A title is qualified by the concept's place in a hierarchy: its broader parents, and in a
    Dendron vault the hierarchy its note name is written under (``blog.2020`` and ``changelog.2020``
    differ even when neither ``blog`` nor ``changelog`` has a note). A deprecated twin is fine too.
    """
    by_title: dict[tuple[str, frozenset[str], str], list[Concept]] = {}
    dendron = data.dialect == "dendron"
    for concept in data.concepts.values():
        if concept.deprecated:
            continue
        written = concept.path.rpartition(".")[0] if dendron and concept.path else ""
        key = (normalise(concept.title), frozenset(data.parents.get(concept.id, ())), written)
        by_title.setdefault(key, []).append(concept)
    rows = [
        {"title": min(c.title for c in group), "concepts": sorted(c.id for c in group)}
        for group in by_title.values()
        if len(group) > 1
    ]
    return sorted(rows, key=lambda f: (normalise(f["title"]), f["title"]))


@check("info", ("id", "title"), key="id",
       summary="Concepts with no category.")
def uncategorised(data: AuditData) -> list[Finding]:
    """Current concepts with no category: ``{id, title}``."""
    return _current_rows(data, lambda cid: not any(c.strip() for c in data.concepts[cid].categories))


@check("warning", ("id", "title"), key="id",
       summary="Concepts whose definition is empty.")
def missing_definitions(data: AuditData) -> list[Finding]:
    """Concepts whose definition is empty (or only whitespace): ``{id, title}``."""
    return _concept_rows(data, lambda cid: not data.concepts[cid].definition.strip())


@check("warning", ("concepts", "size"), key="concepts",
       summary="Groups of linked concepts cut off from the largest group.")
def disconnected_clusters(data: AuditData) -> list[Finding]:
    """Components of the undirected link graph but the largest, with 2+ current concepts: ``{concepts, size}``."""
    return [
        {"concepts": members, "size": len(members)} for members in data.components[1:] if len(members) > 1
    ]


@check("warning", ("source", "target", "kind", "replaced_by"), key="source",
       summary="Links from current concepts to a deprecated concept (with its replacement when known).")
def deprecated_links(data: AuditData) -> list[Finding]:
    """Related or broader links of a current concept to a deprecated one: ``{source, target, kind, replaced_by}``.

    ``kind`` is "related" or "broader"; ``replaced_by`` the replacement as the deprecated concept
    names it, or None.
    """
    deprecated = data.deprecated
    if not deprecated:
        return []
    rows: set[tuple[str, str, str]] = set()
    for source, targets in data.out.items():
        if source not in deprecated:
            rows.update((source, t, "related") for t in targets if t in deprecated)
    for source, ups in data.parents.items():
        if source not in deprecated:
            rows.update((source, t, "broader") for t in ups if t in deprecated)
    return [
        {"source": s, "target": t, "kind": k, "replaced_by": data.concepts[t].replaced_by}
        for s, t, k in sorted(rows)
    ]


@check("error", ("id", "title", "cycle"), key="id",
       summary="Concepts that are their own ancestor through broader links.")
def hierarchy_cycles(data: AuditData) -> list[Finding]:
    """Concepts that are their own ancestor: ``{id, title, cycle}``, cycle = the ids of the loop they are in."""
    import networkx as nx

    cycles: dict[str, list[str]] = {cid: [cid] for cid in data.self_parents}
    if data.parents:
        graph = nx.DiGraph((child, parent) for child, ups in data.parents.items() for parent in ups)
        for component in nx.strongly_connected_components(graph):
            if len(component) > 1:
                cycle = sorted(component)
                cycles.update(dict.fromkeys(cycle, cycle))
    return [{"id": cid, "title": data.concepts[cid].title, "cycle": cycles[cid]} for cid in sorted(cycles)]


#: Dialects whose hierarchy is implied by note names rather than stated as a relation.
NOTE_HIERARCHIES = frozenset({"dendron", "logseq"})


@check("warning", ("source", "target", "hierarchy"), key="source",
       summary="Concepts linked both as related and by the hierarchy (a parent, child, ancestor or descendant).")
def relation_clashes(data: AuditData) -> list[Finding]:
    """Related links A → B where B is also above or below A: ``{source, target, hierarchy}``.

    ``hierarchy`` says where B is from A: "broader" (a parent), "ancestor" (further up),
    "narrower" (a child) or "descendant" (further down). A concept in a cycle is its own
    ancestor; such pairs are reported as ancestors. In a note hierarchy (Dendron, Logseq) a note's
    parent comes from its name, and links between a note and its parents or children are how
    notes are navigated, so the check does not apply there.
    """
    if not data.parents or data.dialect in NOTE_HIERARCHIES:
        return []
    cache: dict[str, set[str]] = {}

    def ancestors(cid: str) -> set[str]:
        found = cache.get(cid)
        if found is None:
            found = cache[cid] = data.ancestors(cid)
        return found

    rows = []
    for source in sorted(data.out):
        for target in sorted(data.out[source]):
            if target in data.parents.get(source, ()):
                where = "broader"
            elif target in data.children.get(source, ()):
                where = "narrower"
            elif target in ancestors(source):
                where = "ancestor"
            elif source in ancestors(target):
                where = "descendant"
            else:
                continue
            rows.append({"source": source, "target": target, "hierarchy": where})
    return rows


@check("info", ("id", "title", "parents"), key="id",
       summary="Concepts with more than one parent.")
def polyhierarchy(data: AuditData) -> list[Finding]:
    """Concepts with two or more parents: ``{id, title, parents}`` (parent ids, sorted)."""
    return [
        {"id": cid, "title": data.concepts[cid].title, "parents": sorted(ups)}
        for cid, ups in sorted(data.parents.items())
        if len(ups) > 1
    ]


#: Check names in report order.
CHECKS: tuple[CheckName, ...] = tuple(REGISTRY)
#: Default severity of each check (a read-only view of the registry).
SEVERITY: Mapping[str, Level] = MappingProxyType({name: c.severity for name, c in REGISTRY.items()})
#: The fields of each check's findings, in output order (a read-only view of the registry).
FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({name: c.fields for name, c in REGISTRY.items()})


def check_names(names: Iterable[str] | None) -> tuple[CheckName, ...]:
    """The checks named (each may be a comma list), in CHECKS order; all when none; UsageError for a bad name."""
    if names is None:
        return CHECKS
    chosen: set[str] = set()
    for item in names:
        for name in item.split(","):
            name = name.strip()
            if not name:
                continue
            chosen.add(check_name(name))
    return tuple(c for c in CHECKS if c in chosen) or CHECKS
