"""Every Cypher statement of the Neo4j store, named and parameterised.

Values from input only ever travel as parameters (``$name``). Labels and relationship types come
from the fixed sets in graph/neo4j/schema.py; the only text built at run time is a relationship-type
union chosen from those sets and the bounds of variable-length patterns, which are validated ints.

Physical layout: each node carries ``dataset`` = a *physical tag* (``<name>~<uuid>``); a
``(:Dataset {name})`` pointer names the live tag in ``current``. A load writes a fresh tag, then
swaps the pointer in one small transaction, so readers see the old dataset or the new one, never a
mix. Tags of failed loads (``pending``) and replaced data (``garbage``) are deleted in batches.
"""

from __future__ import annotations

__all__ = [
    "ALL_CONCEPTS",
    "AUDIT_CHECKS",
    "AUDIT_SHAPES",
    "BEGIN_LOAD",
    "CATEGORY_PARENTS",
    "CENTER",
    "CONCEPT_VIEW",
    "COUNT_TAG",
    "DATASET_LABEL",
    "DELETE_BATCH",
    "DELETE_POINTER",
    "DROP_POINTER",
    "FORGET_TAGS",
    "INDEXES",
    "LIST_DATASETS",
    "POINTER",
    "RESOLVE",
    "ROW_BY_ROW",
    "SCHEMA",
    "SEARCH_LABELS",
    "STALE_TAGS",
    "STATS",
    "SWAP",
    "WRITE_EDGES",
    "WRITE_NODES",
    "edges_among",
    "neighbourhood",
    "node_key",
    "paths",
    "rel_union",
]

from collections.abc import Sequence

from graph.kinds import Direction, EdgeType
from graph.neo4j.schema import CONSTRAINTS, LABELS, REL_TYPES

C, A, K, M = LABELS["concept"], LABELS["alias"], LABELS["category"], LABELS["missing"]
RELATED, ALIAS_OF, IN_CATEGORY = REL_TYPES["related"], REL_TYPES["alias"], REL_TYPES["category"]
BROADER = REL_TYPES["broader"]

#: The pointer node of a logical dataset (not part of any dataset itself).
DATASET_LABEL = "Dataset"

#: Secondary indexes: resolution by normalised id, title and file path, and whole-tag scans.
INDEXES = (
    f"CREATE INDEX glossgraph_concept_id_key IF NOT EXISTS FOR (n:{C}) ON (n.dataset, n.id_key)",
    f"CREATE INDEX glossgraph_concept_title_key IF NOT EXISTS FOR (n:{C}) ON (n.dataset, n.title_key)",
    f"CREATE INDEX glossgraph_concept_path_key IF NOT EXISTS FOR (n:{C}) ON (n.dataset, n.path_key)",
    f"CREATE INDEX glossgraph_concept_path_stem IF NOT EXISTS FOR (n:{C}) ON (n.dataset, n.path_stem)",
    *(
        f"CREATE INDEX glossgraph_{kind}_dataset IF NOT EXISTS FOR (n:{label}) ON (n.dataset)"
        for kind, label in LABELS.items()
    ),
)

#: Constraints first, then indexes; all idempotent.
SCHEMA = (
    *CONSTRAINTS,
    f"CREATE CONSTRAINT glossgraph_dataset IF NOT EXISTS FOR (d:{DATASET_LABEL}) REQUIRE d.name IS UNIQUE",
    *INDEXES,
)


def node_key(var: str) -> str:
    """Cypher expression for the local graph's node key of node ``var`` (id, or kind:key)."""
    return (
        f"CASE WHEN {var}:{C} THEN {var}.id WHEN {var}:{A} THEN 'alias:' + {var}.key "
        f"WHEN {var}:{K} THEN 'category:' + {var}.key ELSE 'missing:' + {var}.key END"
    )


def rel_union(edge_types: Sequence[EdgeType]) -> str:
    """``RELATED|ALIAS_OF`` for validated edge types (KeyError on anything else)."""
    return "|".join(REL_TYPES[t] for t in edge_types)


def _bound(value: int, low: int, high: int, what: str) -> int:
    # The only numbers spliced into Cypher: plain ints inside fixed limits.
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{what} must be an int between {low} and {high}, not {value!r}")
    return value


def _pattern(types: str, direction: Direction) -> str:
    left, right = {"out": ("-", "->"), "in": ("<-", "-"), "both": ("-", "-")}[direction]
    return f"{left}[:{types}]{right}"


# -- datasets ------------------------------------------------------------------------------

POINTER = f"MATCH (d:{DATASET_LABEL} {{name: $name}}) RETURN d {{.*}} AS meta"

LIST_DATASETS = (
    f"MATCH (d:{DATASET_LABEL}) WHERE d.current IS NOT NULL "
    "RETURN d.name AS name, d.concepts AS concepts, d.loaded_at AS loaded_at, d.source AS source ORDER BY name"
)

STALE_TAGS = (
    f"MATCH (d:{DATASET_LABEL} {{name: $name}}) "
    "RETURN coalesce(d.pending, []) + coalesce(d.garbage, []) AS tags"
)

FORGET_TAGS = (
    f"MATCH (d:{DATASET_LABEL} {{name: $name}}) "
    "SET d.pending = [t IN coalesce(d.pending, []) WHERE NOT t IN $tags], "
    "d.garbage = [t IN coalesce(d.garbage, []) WHERE NOT t IN $tags]"
)

BEGIN_LOAD = (
    f"MERGE (d:{DATASET_LABEL} {{name: $name}}) "
    "SET d.pending = coalesce(d.pending, []) + $tag RETURN d.current AS current"
)

#: The atomic swap: only a load whose tag is still pending may become current.
SWAP = (
    f"MATCH (d:{DATASET_LABEL} {{name: $name}}) WHERE $tag IN coalesce(d.pending, []) "
    "WITH d, d.current AS old "
    "SET d += $meta, d.current = $tag, d.pending = [t IN d.pending WHERE t <> $tag], "
    "d.garbage = coalesce(d.garbage, []) + CASE WHEN old IS NULL THEN [] ELSE [old] END "
    "RETURN old"
)

DROP_POINTER = (
    f"MATCH (d:{DATASET_LABEL} {{name: $name}}) WITH d, d.current AS old "
    "SET d.current = null, d.garbage = coalesce(d.garbage, []) + CASE WHEN old IS NULL THEN [] ELSE [old] END "
    "RETURN d.garbage + coalesce(d.pending, []) AS tags"
)

DELETE_POINTER = (
    f"MATCH (d:{DATASET_LABEL} {{name: $name}}) WHERE d.current IS NULL "
    "AND size(coalesce(d.pending, [])) = 0 AND size(coalesce(d.garbage, [])) = 0 DELETE d"
)

#: Batched deletion of one physical tag, label by label (run until it deletes 0).
DELETE_BATCH = {
    label: f"MATCH (n:{label} {{dataset: $tag}}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
    for label in (C, A, K, M)
}

COUNT_TAG = (
    "RETURN "
    f"COUNT {{ MATCH (n:{C} {{dataset: $tag}}) }} AS concept, "
    f"COUNT {{ MATCH (n:{A} {{dataset: $tag}}) }} AS alias, "
    f"COUNT {{ MATCH (n:{K} {{dataset: $tag}}) }} AS category, "
    f"COUNT {{ MATCH (n:{M} {{dataset: $tag}}) }} AS missing, "
    f"COUNT {{ MATCH (:{C} {{dataset: $tag}})-[r:{RELATED}]->() }} AS related, "
    f"COUNT {{ MATCH (:{C} {{dataset: $tag}})-[r:{BROADER}]->() }} AS broader, "
    f"COUNT {{ MATCH (:{A} {{dataset: $tag}})-[r:{ALIAS_OF}]->() }} AS alias_edges, "
    f"COUNT {{ MATCH (:{C} {{dataset: $tag}})-[r:{IN_CATEGORY}]->() }} "
    f"+ COUNT {{ MATCH (:{K} {{dataset: $tag}})-[r:{IN_CATEGORY}]->() }} AS category_edges"
)

# -- writing -------------------------------------------------------------------------------

#: Node writes into a fresh staging tag: CREATE (the tag is new, so there is nothing to merge).
WRITE_NODES = {
    "concept": f"UNWIND $rows AS row CREATE (n:{C}) SET n = row, n.dataset = $tag",
    "alias": f"UNWIND $rows AS row CREATE (n:{A}) SET n = row, n.dataset = $tag",
    "category": f"UNWIND $rows AS row CREATE (n:{K}) SET n = row, n.dataset = $tag",
    "missing": f"UNWIND $rows AS row CREATE (n:{M}) SET n = row, n.dataset = $tag",
}

#: Edge writes: rows {s, t} (+ via, written, count for RELATED); endpoints found by unique index.
WRITE_EDGES = {
    "related_concept": (
        f"UNWIND $rows AS row MATCH (a:{C} {{dataset: $tag, id: row.s}}) MATCH (b:{C} {{dataset: $tag, id: row.t}}) "
        f"CREATE (a)-[:{RELATED} {{via: row.via, written: row.written, count: row.count, "
        "relations: row.relations}]->(b)"
    ),
    # Rows grouped by source ({s, out: [{t, via, written, count, relations}]}): one index seek per source
    # instead of one per link, a fifth faster on the bulk of a load.
    "related_concept_grouped": (
        f"UNWIND $rows AS row MATCH (a:{C} {{dataset: $tag, id: row.s}}) UNWIND row.out AS o "
        f"MATCH (b:{C} {{dataset: $tag, id: o.t}}) "
        f"CREATE (a)-[:{RELATED} {{via: o.via, written: o.written, count: o.count, relations: o.relations}}]->(b)"
    ),
    "related_missing": (
        f"UNWIND $rows AS row MATCH (a:{C} {{dataset: $tag, id: row.s}}) MATCH (b:{M} {{dataset: $tag, key: row.t}}) "
        f"CREATE (a)-[:{RELATED} {{via: row.via, written: row.written, count: row.count, "
        "relations: row.relations}]->(b)"
    ),
    "broader_concept": (
        f"UNWIND $rows AS row MATCH (a:{C} {{dataset: $tag, id: row.s}}) MATCH (b:{C} {{dataset: $tag, id: row.t}}) "
        f"CREATE (a)-[:{BROADER} {{via: row.via, written: row.written, count: row.count}}]->(b)"
    ),
    "broader_missing": (
        f"UNWIND $rows AS row MATCH (a:{C} {{dataset: $tag, id: row.s}}) MATCH (b:{M} {{dataset: $tag, key: row.t}}) "
        f"CREATE (a)-[:{BROADER} {{via: row.via, written: row.written, count: row.count}}]->(b)"
    ),
    "alias": (
        f"UNWIND $rows AS row MATCH (a:{A} {{dataset: $tag, key: row.s}}) MATCH (b:{C} {{dataset: $tag, id: row.t}}) "
        f"CREATE (a)-[:{ALIAS_OF}]->(b)"
    ),
    "category": (
        f"UNWIND $rows AS row MATCH (a:{C} {{dataset: $tag, id: row.s}}) MATCH (b:{K} {{dataset: $tag, key: row.t}}) "
        f"CREATE (a)-[:{IN_CATEGORY}]->(b)"
    ),
    "category_parent": (
        f"UNWIND $rows AS row MATCH (a:{K} {{dataset: $tag, key: row.s}}) MATCH (b:{K} {{dataset: $tag, key: row.t}}) "
        f"CREATE (a)-[:{IN_CATEGORY}]->(b)"
    ),
}

#: The naive baseline of the benchmark: the same writes, one row per query (MERGE, as people write it).
ROW_BY_ROW = {
    "concept": f"MERGE (n:{C} {{dataset: $tag, id: $row.id}}) SET n += $row",
    "alias": f"MERGE (n:{A} {{dataset: $tag, key: $row.key}}) SET n += $row",
    "category": f"MERGE (n:{K} {{dataset: $tag, key: $row.key}}) SET n += $row",
    "missing": f"MERGE (n:{M} {{dataset: $tag, key: $row.key}}) SET n += $row",
    "related_concept": (
        f"MATCH (a:{C} {{dataset: $tag, id: $row.s}}) MATCH (b:{C} {{dataset: $tag, id: $row.t}}) "
        f"MERGE (a)-[r:{RELATED}]->(b) SET r.via = $row.via, r.written = $row.written, r.count = $row.count"
    ),
    "related_missing": (
        f"MATCH (a:{C} {{dataset: $tag, id: $row.s}}) MATCH (b:{M} {{dataset: $tag, key: $row.t}}) "
        f"MERGE (a)-[r:{RELATED}]->(b) SET r.via = $row.via, r.written = $row.written, r.count = $row.count"
    ),
    "broader_concept": (
        f"MATCH (a:{C} {{dataset: $tag, id: $row.s}}) MATCH (b:{C} {{dataset: $tag, id: $row.t}}) "
        f"MERGE (a)-[r:{BROADER}]->(b) SET r.via = $row.via, r.written = $row.written, r.count = $row.count"
    ),
    "broader_missing": (
        f"MATCH (a:{C} {{dataset: $tag, id: $row.s}}) MATCH (b:{M} {{dataset: $tag, key: $row.t}}) "
        f"MERGE (a)-[r:{BROADER}]->(b) SET r.via = $row.via, r.written = $row.written, r.count = $row.count"
    ),
    "alias_edge": f"MATCH (a:{A} {{dataset: $tag, key: $row.s}}) MATCH (b:{C} {{dataset: $tag, id: $row.t}}) "
    f"MERGE (a)-[:{ALIAS_OF}]->(b)",
    "category_edge": f"MATCH (a:{C} {{dataset: $tag, id: $row.s}}) MATCH (b:{K} {{dataset: $tag, key: $row.t}}) "
    f"MERGE (a)-[:{IN_CATEGORY}]->(b)",
    "category_parent": f"MATCH (a:{K} {{dataset: $tag, key: $row.s}}) MATCH (b:{K} {{dataset: $tag, key: $row.t}}) "
    f"MERGE (a)-[:{IN_CATEGORY}]->(b)",
}

# -- reading -------------------------------------------------------------------------------

#: Candidates for each resolution rule; Python applies the Resolver's precedence to them.
RESOLVE = (
    "RETURN "
    f"COLLECT {{ MATCH (c:{C} {{dataset: $tag, id_key: $key}}) RETURN c.id ORDER BY c.ord }} AS by_id, "
    f"COLLECT {{ MATCH (c:{C} {{dataset: $tag, title_key: $key}}) RETURN c.id ORDER BY c.ord }} AS by_title, "
    f"COLLECT {{ MATCH (:{A} {{dataset: $tag, key: $key}})-[:{ALIAS_OF}]->(c:{C}) RETURN c.id ORDER BY c.ord }} "
    "AS by_alias, "
    f"COLLECT {{ MATCH (c:{C} {{dataset: $tag, path_key: $key}}) RETURN c.id AS id "
    f"UNION MATCH (c:{C} {{dataset: $tag, path_stem: $key}}) RETURN c.id AS id }} AS by_path"
)

CONCEPT_VIEW = (
    f"MATCH (c:{C} {{dataset: $tag, id: $id}}) RETURN properties(c) AS props, "
    f"COLLECT {{ MATCH (c)-[:{RELATED}]->(t:{C}) WHERE t <> c RETURN [t.id, t.title] }} AS links, "
    f"COLLECT {{ MATCH (s:{C})-[:{RELATED}]->(c) WHERE s <> c RETURN [s.id, s.title] }} AS backlinks, "
    f"COLLECT {{ MATCH (c)-[:{BROADER}]->(t:{C}) WHERE t <> c RETURN [t.id, t.title] }} AS broader, "
    f"COLLECT {{ MATCH (s:{C})-[:{BROADER}]->(c) WHERE s <> c RETURN [s.id, s.title] }} AS narrower"
)

ALL_CONCEPTS = f"MATCH (c:{C} {{dataset: $tag}}) RETURN properties(c) AS props ORDER BY c.ord"

SEARCH_LABELS = (
    f"MATCH (c:{C} {{dataset: $tag}}) RETURN c.id AS id, c.title AS title, c.aliases AS aliases, "
    "c.translations AS translations ORDER BY c.ord"
)

CATEGORY_PARENTS = f"MATCH (k:{K} {{dataset: $tag}}) WHERE k.parents IS NOT NULL RETURN k.parents AS parents"

STATS = (
    "RETURN "
    f"COUNT {{ MATCH (n:{C} {{dataset: $tag}}) }} AS concepts, "
    f"COUNT {{ MATCH (n:{A} {{dataset: $tag}}) }} AS aliases, "
    f"COUNT {{ MATCH (n:{K} {{dataset: $tag}}) }} AS categories, "
    f"COUNT {{ MATCH (a:{C} {{dataset: $tag}})-[:{RELATED}]->(b:{C}) WHERE a <> b }} AS links, "
    f"COUNT {{ MATCH (a:{C} {{dataset: $tag}})-[:{BROADER}]->(b:{C}) WHERE a <> b }} AS broader, "
    f"COUNT {{ MATCH (a:{C} {{dataset: $tag}})-[:{RELATED}]->(a) }} AS self_links, "
    f"COUNT {{ MATCH (:{C} {{dataset: $tag}})-[r:{RELATED}|{BROADER}]->(:{M}) WHERE r.via = 'unresolved' }} "
    "AS broken_links, "
    f"COUNT {{ MATCH (:{C} {{dataset: $tag}})-[r:{RELATED}|{BROADER}]->(:{M}) WHERE r.via = 'ambiguous' }} "
    "AS ambiguous_links, "
    f"COUNT {{ MATCH (m:{M} {{dataset: $tag}}) "
    f"WHERE EXISTS {{ (:{C})-[:{RELATED}|{BROADER} {{via: 'unresolved'}}]->(m) }} }} AS missing_targets"
)

#: Audit checks answered in the database (graph.neo4j.store decides which are used: see
#: docs/neo4j.md). A link is a RELATED edge between two different concepts: broken and ambiguous
#: references point at :Missing nodes, so they never count. A BROADER edge between two different
#: concepts links both ends; deprecated concepts are not reported by the structural checks. Rows
#: are sorted in Python so the order is the library's code-point order. Each query returns one of
#: four shapes (AUDIT_SHAPES): ``concepts`` rows {id, title}; ``links`` rows {props: id and link
#: table} of the only concepts that can have findings; ``members`` rows {props} of the only concepts
#: a group finding can hold; ``rows``: the findings' own fields. For ``links`` and ``members`` the
#: library's own check runs over what the query selected, so its rules (spellings, normalisation)
#: are applied once, in one place.
_HAS_IN = f"EXISTS {{ MATCH (s:{C})-[:{RELATED}]->(c) WHERE s <> c }}"
_HAS_OUT = f"EXISTS {{ MATCH (c)-[:{RELATED}]->(t:{C}) WHERE t <> c }}"
_IN_HIERARCHY = f"EXISTS {{ MATCH (c)-[:{BROADER}]-(o:{C}) WHERE o <> c }}"
_LIVE = f"MATCH (c:{C} {{dataset: $tag}}) WHERE NOT coalesce(c.deprecated, false)"
_CURRENT = f"{_LIVE} AND NOT {_IN_HIERARCHY}"
_ROW = "RETURN c.id AS id, c.title AS title"


def _link_sources(condition: str) -> str:
    """The link tables of the concepts with a RELATED or BROADER edge ``r`` to ``t`` meeting ``condition``."""
    return (
        f"MATCH (c:{C} {{dataset: $tag}}) WHERE EXISTS {{ MATCH (c)-[r:{RELATED}|{BROADER}]->(t) WHERE {condition} }} "
        "RETURN c {.id, .links} AS props"
    )


def _blank(text: str) -> str:
    """``text`` trimmed as Python's str.strip trims it, as far as Cypher can.

    Cypher's trim keeps four characters Python calls whitespace; they become spaces first. Cypher
    trims nothing Python keeps, so a text blank to Python is blank here; the rows are checked
    with str.strip again in Python, which makes the answer exact.
    """
    spaces = ", ".join(f"'\\u{ord(ch):04X}'" for ch in _UNTRIMMED)
    return f"trim(reduce(s = {text}, ch IN [{spaces}] | replace(s, ch, ' ')))"


#: The characters Python's str.strip removes and Cypher's trim keeps (measured on Neo4j 5.26).
_UNTRIMMED = "\x85\xa0\u2007\u202f"

_DEFINITION = "coalesce(c.definition, '')"
_MEMBER = "RETURN DISTINCT c {.id, .title, .aliases, .deprecated} AS props"

AUDIT_CHECKS = {
    "orphans": f"{_CURRENT} AND NOT {_HAS_IN} {_ROW}",
    "dead_ends": f"{_CURRENT} AND NOT {_HAS_OUT} {_ROW}",
    "isolated": f"{_CURRENT} AND NOT {_HAS_IN} AND NOT {_HAS_OUT} {_ROW}",
    # Every reference to a :Missing node's key resolves alike, so the edge's via is every link's.
    "broken_links": _link_sources(f"t:{M} AND r.via = 'unresolved'"),
    "ambiguous_links": _link_sources(f"t:{M} AND r.via = 'ambiguous'"),
    "self_links": _link_sources(f"t = c AND type(r) = '{RELATED}'"),
    # A related entry listed twice is an edge counted twice (inline links count too: a superset).
    "duplicate_links": _link_sources(f"type(r) = '{RELATED}' AND r.count > 1"),
    "one_way_links": (
        f"MATCH (c:{C} {{dataset: $tag}})-[:{RELATED}]->(t:{C}) WHERE t <> c "
        f"AND NOT EXISTS {{ MATCH (t)-[:{RELATED}]->(c) }} RETURN c.id AS source, t.id AS target"
    ),
    "uncategorised": f"{_LIVE} AND none(x IN coalesce(c.categories, []) WHERE {_blank('x')} <> '') "
    f"{_ROW}, c.categories AS categories",
    "missing_definitions": f"MATCH (c:{C} {{dataset: $tag}}) WHERE {_blank(_DEFINITION)} = '' "
    f"{_ROW}, c.definition AS definition",
    # The title is qualified by the concept's place in the hierarchy (its parents, its Dendron path).
    "duplicate_titles": (
        f"{_LIVE} WITH c.title_key AS key, collect(c) AS group WHERE size(group) > 1 UNWIND group AS c "
        f"RETURN DISTINCT c {{.id, .title, .aliases, .deprecated, .path}} AS props, "
        f"COLLECT {{ MATCH (c)-[:{BROADER}]->(p:{C}) RETURN DISTINCT p.id }} AS parents"
    ),
    "alias_collisions": (
        f"MATCH (a:{A} {{dataset: $tag}}) "
        f"WITH a, COLLECT {{ MATCH (a)-[:{ALIAS_OF}]->(o:{C}) RETURN o }} AS owners "
        f"WITH owners + [t IN COLLECT {{ MATCH (t:{C} {{dataset: $tag, title_key: a.key}}) RETURN t }} "
        "WHERE NOT t IN owners] AS members WHERE size(members) > 1 "
        f"UNWIND members AS c {_MEMBER}"
    ),
    "polyhierarchy": (
        f"MATCH (c:{C} {{dataset: $tag}})-[:{BROADER}]->(p:{C}) WHERE p <> c "
        "WITH c, collect(DISTINCT p.id) AS parents WHERE size(parents) > 1 "
        "RETURN c.id AS id, c.title AS title, parents"
    ),
    "deprecated_links": (
        f"MATCH (c:{C} {{dataset: $tag}})-[r:{RELATED}|{BROADER}]->(t:{C}) WHERE t <> c "
        "AND coalesce(t.deprecated, false) AND NOT coalesce(c.deprecated, false) "
        f"RETURN DISTINCT c.id AS source, t.id AS target, "
        f"CASE type(r) WHEN '{BROADER}' THEN 'broader' ELSE 'related' END AS kind, t.replaced_by AS replaced_by"
    ),
}

#: The shape of each audit query's rows (see above).
AUDIT_SHAPES = {
    **dict.fromkeys(("orphans", "dead_ends", "isolated", "uncategorised", "missing_definitions"), "concepts"),
    **dict.fromkeys(("broken_links", "ambiguous_links", "self_links", "duplicate_links"), "links"),
    **dict.fromkeys(("duplicate_titles", "alias_collisions"), "members"),
    **dict.fromkeys(("one_way_links", "polyhierarchy", "deprecated_links"), "rows"),
}

_NODE_FIELDS = (
    "{key}, labels({v})[0] AS label, coalesce({v}.title, {v}.name) AS title, {v}.category AS category, "
    "elementId({v}) AS eid"
)

#: The centre of a neighbourhood, as a row shaped like the neighbourhood's rows.
CENTER = (
    f"MATCH (c:{C} {{dataset: $tag, id: $id}}) "
    f"RETURN {_NODE_FIELDS.format(key='c.id AS key', v='c')}, 0 AS distance"
)


def neighbourhood(edge_types: Sequence[EdgeType], direction: Direction, depth: int) -> str:
    """Every node within ``depth`` hops of concept $id with its distance; Missing nodes are not walked through."""
    depth = _bound(depth, 1, 6, "depth")
    step = _pattern(rel_union(edge_types), direction)
    fields = _NODE_FIELDS.format(key=node_key("n") + " AS key", v="n")
    return (
        f"MATCH (c:{C} {{dataset: $tag, id: $id}}) "
        f"MATCH p = ANY SHORTEST (c)((x){step}(y) WHERE NOT x:{M}){{1,{depth}}}(n) WHERE n <> c "
        f"RETURN {fields}, length(p) AS distance"
    )


def edges_among(edge_types: Sequence[EdgeType]) -> str:
    """The outgoing edges of the chosen types of the nodes with element ids $ids (filtered by the caller)."""
    return (
        f"UNWIND $ids AS eid MATCH (a) WHERE elementId(a) = eid "
        f"MATCH (a)-[r:{rel_union(edge_types)}]->(b) "
        f"RETURN {node_key('a')} AS source, {node_key('b')} AS target, type(r) AS type"
    )


def paths(edge_types: Sequence[EdgeType], direction: Direction, max_length: int, groups: int) -> str:
    """All trails from $start to $goal in the first ``groups`` lengths, with a flag saying which are simple.

    Missing nodes and concepts in $blocked never appear inside a path. A trail may repeat a node;
    those are filtered in Python, which also tells how many lengths were covered.
    """
    max_length = _bound(max_length, 1, 12, "max length")
    groups = _bound(groups, 1, 12, "groups")
    step = _pattern(rel_union(edge_types), direction)
    return (
        f"MATCH (a:{C} {{dataset: $tag, id: $start}}), (b:{C} {{dataset: $tag, id: $goal}}) "
        f"MATCH p = SHORTEST {groups} GROUPS "
        f"(a)((x){step}(y) WHERE NOT y:{M} AND NOT (y:{C} AND y.id IN $blocked)){{1,{max_length}}}(b) "
        "WITH p, nodes(p) AS ns, relationships(p) AS rs "
        "WITH p, ns, rs, all(i IN range(0, size(ns) - 2) WHERE NOT ns[i] IN ns[i + 1..]) AS simple "
        "RETURN length(p) AS length, simple, "
        f"CASE WHEN simple THEN [n IN ns | {node_key('n')}] END AS nodes, "
        "CASE WHEN simple THEN [i IN range(0, size(rs) - 1) | "
        "[type(rs[i]), startNode(rs[i]) = ns[i], rs[i].relations]] END AS hops"
    )
