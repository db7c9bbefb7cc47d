"""The Neo4j store: a glossary graph on a Neo4j server, answering the query Protocol like LocalStore.

Loading builds the local graph first (so both stores start from the very same nodes and edges),
writes it into a fresh staging tag in UNWIND batches, checks the counts, and swaps the dataset's
pointer in one transaction (see graph/neo4j/cypher.py for the layout). Queries run in Cypher; the few
rules that Cypher cannot state exactly (string order, hop orientation) are applied in Python on
what Cypher returns.
"""

from __future__ import annotations

__all__ = ["Neo4jStore"]

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from itertools import pairwise
from typing import Any, TypeVar

from graph.errors import AmbiguousReference, ConceptNotFound, StoreError, UsageError
from graph.kinds import Direction, EdgeType
from graph.local import LocalStore
from graph.model import Concept, Glossary
from graph.neo4j import cypher
from graph.neo4j.config import Neo4jSettings, display_uri
from graph.neo4j.rows import (
    LoadPlan,
    batches,
    concept_from,
    grouped_by_source,
    links_from,
    merge_glossaries,
    translations_from,
)
from graph.neo4j.schema import EDGE_TYPE_OF_REL, NODE_KIND_OF_LABEL
from graph.protocol import (
    ConceptPath,
    ConceptView,
    Edge,
    Hop,
    Label,
    Neighbourhood,
    Node,
    SearchHit,
    Stats,
    check_neighbourhood_request,
    check_pair_type,
    check_path_request,
)
from graph.resolve import Link
from graph.search import Searcher
from graph.text import normalise
from graph.util import paused_gc

#: The audit checks the store answers in Cypher: those whose query measured faster than the library's
#: check on the pulled glossary at both 10k and 100k concepts. The audit reads the glossary anyway
#: (coverage, locations, the worklist's ranks), so the query competes with the check, not with the
#: pull; only uncategorised wins (docs/neo4j.md has every ratio; `make bench` measures them again).
SERVER_CHECKS: frozenset[str] = frozenset({"uncategorised"})

#: Nodes deleted per transaction when a replaced or failed tag is cleaned up.
DELETE_ROWS = 5_000

Progress = Callable[[int, int | None], None]
T = TypeVar("T")

# The driver logs every retry at WARNING; without a handler Python would print them to stderr
# (the CLI promises one line). Applications that configure logging still receive them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class Neo4jStore:
    """One dataset of a Neo4j database, queried like the local store.

    Open it with ``Neo4jStore.connect(uri, dataset)``; ``load(glossary)`` writes a glossary into
    the dataset, ``drop()`` deletes it.
    """

    backend = "neo4j"

    def __init__(self, driver: Any, settings: Neo4jSettings, dataset: str):
        self._driver = driver
        self.settings = settings
        self.dataset = dataset
        self._current: str | None = None
        self._schema_ready = False

    def __repr__(self) -> str:
        return f"Neo4jStore({self.settings}, dataset={self.dataset!r})"

    # -- connecting ----------------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        uri: str | None = None,
        dataset: str = "",
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        retry_seconds: float = 10.0,
    ) -> Neo4jStore:
        """Connect to a server (arguments first, then NEO4J_* variables) and check that it answers."""
        import neo4j

        if not dataset or not dataset.strip():
            raise UsageError("a Neo4j dataset name is needed (--dataset NAME)")
        if len(dataset) > 200 or any(ch in dataset for ch in "~\n\r\t"):
            raise UsageError(f"dataset name must be at most 200 characters without '~' or control characters: "
                             f"{dataset[:60]!r}")
        settings = Neo4jSettings.from_env(uri, user, password, database)
        try:
            driver = neo4j.GraphDatabase.driver(
                settings.uri,
                auth=neo4j.basic_auth(settings.user, settings.password),
                connection_timeout=5.0,
                connection_acquisition_timeout=30.0,
                max_transaction_retry_time=retry_seconds,
                notifications_min_severity="OFF",
            )
        except (ValueError, neo4j.exceptions.ConfigurationError) as error:
            raise StoreError(f"bad Neo4j URI {display_uri(settings.uri)!r}: {_first_line(error)}") from None
        store = cls(driver, settings, dataset)
        try:
            # One auto-commit query: no retries, so an unreachable server fails at once.
            with store._errors("connecting"), driver.session(database=settings.database) as session:
                session.run("RETURN 1 AS ok").consume()
        except StoreError:
            driver.close()
            raise
        return store

    def close(self) -> None:
        """Close the driver's connections."""
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn driver and server errors into one StoreError line (never with credentials in it)."""
        from neo4j import exceptions as ex

        where = display_uri(self.settings.uri)
        try:
            yield
        except ex.AuthError:
            raise StoreError(
                f"Neo4j at {where} refused user {self.settings.user!r}: wrong user or password "
                "(set NEO4J_USERNAME / NEO4J_PASSWORD)"
            ) from None
        except (ex.ServiceUnavailable, ex.SessionExpired, ex.IncompleteCommit, ex.TransientError, OSError) as error:
            # TransientError: still failing when the retries ran out (e.g. "database unavailable"
            # while the server shuts down): for the user, the connection is gone.
            raise StoreError(f"lost or could not open the connection to Neo4j at {where} while {action}: "
                             f"{_first_line(error)}") from None
        except ex.Neo4jError as error:
            if error.code and "DatabaseNotFound" in error.code:
                raise StoreError(f"Neo4j at {where} has no database {self.settings.database!r}") from None
            raise StoreError(f"Neo4j at {where} refused {action}: {_first_line(error.message or error)}") from None
        except ex.DriverError as error:
            raise StoreError(f"Neo4j driver error while {action} ({where}): {_first_line(error)}") from None

    def _read(self, query: str, params: dict[str, Any], action: str = "reading") -> list[Any]:
        import neo4j

        with self._errors(action):
            records, _summary, _keys = self._driver.execute_query(
                query, params, database_=self.settings.database, routing_=neo4j.RoutingControl.READ
            )
        return list(records)

    def _read_parsed(self, query: str, params: dict[str, Any], parse: Callable[[Iterable[Any]], T],
                     action: str = "reading") -> T:
        """Parse the records of a read as they stream in, so Python works while the server still sends.

        ``parse`` runs inside the managed transaction and must build its answer afresh: a retried
        transaction calls it again from the first record.
        """
        import neo4j

        with self._errors(action), self._driver.session(database=self.settings.database,
                                                        default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(lambda tx: parse(tx.run(query, params)))

    def _write(self, query: str, params: dict[str, Any], action: str = "writing") -> list[Any]:
        with self._errors(action), self._driver.session(database=self.settings.database) as session:
            return list(session.execute_write(lambda tx: list(tx.run(query, params))))

    # -- datasets ------------------------------------------------------------------------------

    @property
    def _tag(self) -> str:
        """The physical tag of the live dataset (read once, refreshed by load)."""
        if self._current is None:
            rows = self._read(cypher.POINTER, {"name": self.dataset}, "looking up the dataset")
            current = rows[0]["meta"].get("current") if rows else None
            if not current:
                raise StoreError(
                    f"Neo4j at {display_uri(self.settings.uri)} has no dataset {self.dataset!r} "
                    f"(load one with: glossgraph load SOURCE --to {display_uri(self.settings.uri)} "
                    f"--dataset {self.dataset})"
                )
            self._current = current
        return self._current

    def version(self) -> str:
        """The version of the dataset as loaded now: its physical tag, new with every load (one small query).

        When another process has loaded the dataset since, this store forgets what it had cached
        and follows the new load.
        """
        rows = self._read(cypher.POINTER, {"name": self.dataset}, "looking up the dataset")
        current = rows[0]["meta"].get("current") if rows else None
        if current != self._current:
            self._forget_caches()
            self._current = current
        return str(current or "")

    def exists(self) -> bool:
        """True when the dataset has been loaded."""
        rows = self._read(cypher.POINTER, {"name": self.dataset}, "looking up the dataset")
        return bool(rows and rows[0]["meta"].get("current"))

    def info(self) -> dict[str, Any]:
        """The dataset's pointer: when it was loaded, from where, how many concepts (no tags)."""
        rows = self._read(cypher.POINTER, {"name": self.dataset}, "looking up the dataset")
        meta = dict(rows[0]["meta"]) if rows else {}
        return {k: v for k, v in meta.items() if k not in ("current", "pending", "garbage")}

    def datasets(self) -> list[dict[str, Any]]:
        """Every loaded dataset of the database with its size and origin."""
        return [dict(r) for r in self._read(cypher.LIST_DATASETS, {}, "listing datasets")]

    def ensure_schema(self) -> None:
        """Create the uniqueness constraints and indexes (idempotent)."""
        if self._schema_ready:
            return
        with self._errors("creating constraints"), self._driver.session(database=self.settings.database) as session:
            for statement in cypher.SCHEMA:
                session.run(statement).consume()
        self._schema_ready = True

    def _delete_tag(self, tag: str) -> None:
        for query in cypher.DELETE_BATCH.values():
            while self._write(query, {"tag": tag, "limit": DELETE_ROWS}, "deleting old data")[0]["deleted"]:
                pass

    def _clean_stale(self) -> None:
        """Delete what failed or replaced loads left behind (tags listed on the pointer)."""
        rows = self._read(cypher.STALE_TAGS, {"name": self.dataset}, "looking up stale data")
        tags = list(rows[0]["tags"]) if rows else []
        for tag in tags:
            self._delete_tag(tag)
        if tags:
            self._write(cypher.FORGET_TAGS, {"name": self.dataset, "tags": tags})

    def drop(self) -> bool:
        """Delete the dataset and everything it holds; False when there was nothing to delete."""
        rows = self._write(cypher.DROP_POINTER, {"name": self.dataset}, "dropping the dataset")
        if not rows:
            return False
        tags = list(rows[0]["tags"])
        for tag in tags:
            self._delete_tag(tag)
        self._write(cypher.FORGET_TAGS, {"name": self.dataset, "tags": tags})
        self._write(cypher.DELETE_POINTER, {"name": self.dataset})
        self._forget_caches()
        return True

    def _forget_caches(self) -> None:
        self._current = None
        for name in ("_label_rows", "_labels", "_link_pairs", "_searcher", "_whole"):
            self.__dict__.pop(name, None)

    # -- loading -------------------------------------------------------------------------------

    def load(self, glossary: Glossary, replace: bool = False, progress: Progress | None = None) -> dict[str, Any]:
        """Write a glossary into the dataset, all or nothing; return what the dataset now holds.

        Without ``replace``, concepts already in the dataset that the glossary does not have are
        kept (and the glossary's concepts replace theirs by id); with it, the dataset becomes
        exactly the glossary. Loading the same glossary twice leaves the same nodes and edges.
        """
        started = time.perf_counter()
        self.ensure_schema()
        self._forget_caches()
        merged = False
        if not replace and self.exists():
            glossary = merge_glossaries(self.glossary(), glossary)
            merged = True
            self._forget_caches()
        plan = LoadPlan(LocalStore(glossary))
        self._clean_stale()
        tag = f"{self.dataset}~{uuid.uuid4().hex}"
        self._write(cypher.BEGIN_LOAD, {"name": self.dataset, "tag": tag}, "starting the load")
        done = 0
        if progress:
            progress(0, plan.total_rows)
        for kind, rows in plan.nodes.items():
            for batch in batches(rows, weigh=kind == "concept"):
                self._write(cypher.WRITE_NODES[kind], {"rows": batch, "tag": tag}, f"writing {kind} nodes")
                done += len(batch)
                if progress:
                    progress(done, plan.total_rows)
        for kind, rows in plan.edges.items():
            query = cypher.WRITE_EDGES[kind]
            sized: Iterator[tuple[list[dict[str, Any]], int]] = (
                (batch, len(batch)) for batch in batches(rows, weigh=False)
            )
            if kind == "related_concept":
                query, sized = cypher.WRITE_EDGES["related_concept_grouped"], grouped_by_source(rows)
            for batch, edges in sized:
                self._write(query, {"rows": batch, "tag": tag}, f"writing {kind} edges")
                done += edges
                if progress:
                    progress(done, plan.total_rows)
        counts = dict(self._read(cypher.COUNT_TAG, {"tag": tag}, "checking the load")[0])
        if counts != plan.expected:
            self._abandon(tag)
            raise StoreError(f"load into dataset {self.dataset!r} wrote {counts}, expected {plan.expected}; "
                             "the dataset was left as it was")
        meta = {
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": glossary.source,
            "format": glossary.format,
            "dialect": glossary.dialect,
            "concepts": plan.expected["concept"],
            "references": plan.references,
        }
        swapped = self._write(cypher.SWAP, {"name": self.dataset, "tag": tag, "meta": meta}, "swapping the dataset")
        if not swapped:
            self._abandon(tag)
            raise StoreError(f"another load of dataset {self.dataset!r} ran at the same time; "
                             "the dataset was left as that load made it")
        self._current = tag
        old = swapped[0]["old"]
        if old:
            self._delete_tag(old)
            self._write(cypher.FORGET_TAGS, {"name": self.dataset, "tags": [old]})
        seconds = time.perf_counter() - started
        return {
            "dataset": self.dataset,
            "merged": merged,
            "replaced": bool(old) and not merged,
            "concepts": plan.expected["concept"],
            "aliases": plan.expected["alias"],
            "categories": plan.expected["category"],
            "missing": plan.expected["missing"],
            "related": plan.expected["related"],
            "broader": plan.expected["broader"],
            "alias_edges": plan.expected["alias_edges"],
            "category_edges": plan.expected["category_edges"],
            "references": plan.references,
            "rows": plan.total_rows,
            "seconds": round(seconds, 3),
        }

    def _abandon(self, tag: str) -> None:
        """Best-effort removal of a staging tag; whatever stays is cleaned by the next load."""
        try:
            self._delete_tag(tag)
            self._write(cypher.FORGET_TAGS, {"name": self.dataset, "tags": [tag]})
        except StoreError:
            pass

    # -- reading the whole ---------------------------------------------------------------------

    @cached_property
    def _whole(self) -> tuple[Glossary, list[Link]]:
        tag = self._tag

        def parse(records: Iterable[Any]) -> list[tuple[int, Concept, list[Link]]]:
            return [(r["ord"], concept_from(r["props"]), links_from(r["props"])) for r in records]

        # Millions of acyclic objects: the collector would rescan them again and again (graph.util).
        with paused_gc():
            rows = self._read_parsed(cypher.ALL_CONCEPTS, {"tag": tag}, parse, "reading the glossary")
            rows.sort(key=lambda row: row[0])
            concepts = [concept for _ord, concept, _links in rows]
            links = [link for _ord, _concept, concept_links in rows for link in concept_links]
        parents: dict[str, tuple[str, ...]] = {}
        for record in self._read(cypher.CATEGORY_PARENTS, {"tag": tag}, "reading categories"):
            for child, ups in json.loads(record["parents"]).items():
                parents[child] = tuple(ups)
        info = self.info()
        glossary = Glossary(concepts, info.get("source", ""), info.get("format", ""), parents)
        glossary.dialect = info.get("dialect", "")
        return glossary, links

    def glossary(self) -> Glossary:
        """The stored glossary, equal to the one loaded."""
        return self._whole[0]

    def links(self) -> list[Link]:
        """The link table, equal to the local store's."""
        return self._whole[1]

    # -- single concepts -----------------------------------------------------------------------

    def resolve(self, reference: str) -> str:
        """The id of the concept an id, title or alias names (the Resolver's rules, in Cypher)."""
        record = self._read(cypher.RESOLVE, {"tag": self._tag, "key": normalise(reference)}, "resolving")[0]
        if record["by_id"]:
            return str(record["by_id"][0])
        for field in ("by_title", "by_alias", "by_path"):
            owners = list(dict.fromkeys(record[field]))
            if len(owners) == 1:
                return str(owners[0])
            if owners:
                raise AmbiguousReference(reference, owners)
        raise ConceptNotFound(reference)

    @cached_property
    def _label_rows(self) -> list[Any]:
        """Every concept's id, title, aliases, category and translations: one lean read, shared by search and labels."""
        return self._read(cypher.SEARCH_LABELS, {"tag": self._tag}, "reading titles")

    @cached_property
    def _searcher(self) -> Searcher:
        return Searcher(
            (r["id"], r["title"], r["aliases"] or (),
             [n for t in translations_from(r["translations"]) for n in (t.title, *t.aliases)])
            for r in self._label_rows
        )

    @cached_property
    def _labels(self) -> list[Label]:
        return [Label(r["id"], r["title"], tuple(r["aliases"] or ()), r["category"]) for r in self._label_rows]

    def labels(self) -> list[Label]:
        """Every concept's id, title, aliases and main category, in glossary order (one lean read, no pull)."""
        return self._labels

    @cached_property
    def _link_pairs(self) -> dict[str, list[tuple[str, str]]]:
        return {}

    def link_pairs(self, edge_type: EdgeType = "related") -> list[tuple[str, str]]:
        """Each resolved related (or broader) link between two concepts once, in ``link_pairs`` order (one query)."""
        edge_type = check_pair_type(edge_type)
        if edge_type not in self._link_pairs:
            position = {label.id: i for i, label in enumerate(self._labels)}
            rows = self._read(cypher.LINK_PAIRS[edge_type], {"tag": self._tag}, "reading links")
            rows.sort(key=lambda r: position[r["source"]])
            self._link_pairs[edge_type] = [(r["source"], t) for r in rows for t in sorted(set(r["targets"]))]
        return self._link_pairs[edge_type]

    def concepts(self, ids: Sequence[str]) -> list[Concept]:
        """The concepts with these ids, in the order asked (unknown ids left out); one query."""
        if not ids:
            return []
        rows = self._read(cypher.CONCEPTS_BY_ID, {"tag": self._tag, "ids": list(dict.fromkeys(ids))},
                          "reading concepts")
        found = {r["props"]["id"]: concept_from(r["props"]) for r in rows}
        return [found[i] for i in ids if i in found]

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Concepts matching a query by title or alias, ranked exactly as the local store ranks them."""
        return self._searcher.search(text, limit)

    def concept(self, reference: str) -> ConceptView:
        """A concept with its links, backlinks and broken references."""
        concept_id = self.resolve(reference)
        rows = self._read(cypher.CONCEPT_VIEW, {"tag": self._tag, "id": concept_id}, "reading a concept")
        if not rows:
            raise ConceptNotFound(reference)
        record = rows[0]
        props = record["props"]
        links = sorted(record["links"])
        backlinks = sorted(record["backlinks"])
        broken = sorted({link.written for link in links_from(props) if link.target is None})
        broader = sorted(record["broader"])
        narrower = sorted(record["narrower"])
        titles = {i: t for i, t in (*links, *backlinks, *broader, *narrower)}
        return ConceptView(
            concept_from(props),
            tuple(i for i, _ in links),
            tuple(i for i, _ in backlinks),
            tuple(broken),
            titles,
            tuple(i for i, _ in broader),
            tuple(i for i, _ in narrower),
        )

    # -- walking the graph ---------------------------------------------------------------------

    def neighbourhood(
        self,
        reference: str,
        depth: int = 1,
        edge_types: Sequence[EdgeType] | None = None,
        direction: Direction = "both",
        limit: int = 300,
    ) -> Neighbourhood:
        """Nodes within ``depth`` hops (missing targets shown, not walked through), closest first, then by id."""
        types = check_neighbourhood_request(depth, limit, edge_types, direction)
        center = self.resolve(reference)
        params = {"tag": self._tag, "id": center}
        rows = self._read(cypher.CENTER, params, "reading a neighbourhood")
        if depth:
            rows += self._read(cypher.neighbourhood(types, direction, depth), params, "reading a neighbourhood")
        found: dict[str, Any] = {}
        for row in rows:
            if row["key"] not in found or row["distance"] < found[row["key"]]["distance"]:
                found[row["key"]] = row
        ordered = sorted(found, key=lambda n: (found[n]["distance"], n))
        kept = ordered[:limit]
        kept_set = set(kept)
        nodes = tuple(
            Node(n, NODE_KIND_OF_LABEL[found[n]["label"]], found[n]["title"], found[n]["category"],
                 found[n]["distance"])
            for n in kept
        )
        edge_rows = self._read(
            cypher.edges_among(types), {"ids": [found[n]["eid"] for n in kept]}, "reading a neighbourhood"
        )
        edges = sorted(
            {Edge(r["source"], r["target"], EDGE_TYPE_OF_REL[r["type"]]) for r in edge_rows if r["target"] in kept_set}
        )
        return Neighbourhood(center, depth, nodes, tuple(edges), len(ordered) > limit, len(ordered))

    def paths(
        self,
        source: str,
        target: str,
        k: int = 3,
        max_length: int = 6,
        edge_types: Sequence[EdgeType] | None = None,
        direction: Direction = "both",
        avoid: Sequence[str] = (),
    ) -> list[ConceptPath]:
        """Up to ``k`` simple paths of at most ``max_length`` hops, shortest first, ties by concept ids."""
        types, start, goal, avoided = check_path_request(
            self.resolve, source, target, k, max_length, edge_types, direction, avoid
        )
        blocked = sorted(avoided)
        params = {"tag": self._tag, "start": start, "goal": goal, "blocked": blocked}
        # SHORTEST n GROUPS counts trails, and a group may hold only non-simple ones, so ask for
        # one more length at a time until k simple paths are certain to be among the lengths
        # covered (each group is all trails of one length: the next one is often far larger).
        groups = 1
        while True:
            rows = self._read(cypher.paths(types, direction, max_length, groups), params, "finding paths")
            # Per hop of each node sequence: the (edge type, forward) links it may walk, with their relations.
            options: dict[tuple[str, ...], list[dict[tuple[str, bool], tuple[str, ...]]]] = {}
            for row in rows:
                if not row["simple"]:
                    continue
                sequence = tuple(row["nodes"])
                per_hop = options.setdefault(sequence, [{} for _ in row["hops"]])
                for choices, (rel_type, forward, relations) in zip(per_hop, row["hops"], strict=True):
                    choices[(EDGE_TYPE_OF_REL[rel_type], forward)] = tuple(relations or ())
            covered = len({row["length"] for row in rows})
            if len(options) >= k or covered < groups or groups >= max_length:
                break
            groups += 1
        found = []
        for sequence in sorted(options, key=lambda s: (len(s), s))[:k]:
            hops = []
            for (here, there), choices in zip(pairwise(sequence), options[sequence], strict=True):
                # One hop per step: a link authored in the walking direction wins over the reverse one.
                forward = sorted(t for t, f in choices if f)
                hop_type, is_forward = (forward[0], True) if forward else (min(t for t, _ in choices), False)
                hops.append(Hop.walked(here, there, hop_type, is_forward, choices[(hop_type, is_forward)]))
            found.append(ConceptPath(sequence, tuple(hops)))
        return found

    def audit_check(self, name: str) -> list[dict[str, Any]] | None:
        """Answer an audit check in Cypher where that measured faster (SERVER_CHECKS); None lets the library do it."""
        return self.audit_in_cypher(name) if name in SERVER_CHECKS else None

    def audit_in_cypher(self, name: str) -> list[dict[str, Any]] | None:
        """The findings of a check as the database answers them (None: no query for it), equal to the library's.

        The audit asks through ``audit_check``; this is the query itself, for the parity tests and
        the benchmark that decide which checks run here.
        """
        from graph.audit.checks import REGISTRY, check_name
        from graph.audit.data import AuditData

        query = cypher.AUDIT_CHECKS.get(name)
        if query is None:
            return None
        rows = self._read(query, {"tag": self._tag}, f"auditing {name}")
        shape = cypher.AUDIT_SHAPES[name]
        if shape == "links":
            # The dataset's dialect decides which broken links are Logseq placeholder pages.
            links = [k for r in rows for k in links_from(r["props"])]
            return REGISTRY[check_name(name)].run(AuditData((), links, dialect=self.info().get("dialect", "")))
        if shape == "members":
            members = [
                Concept(p["id"], p["title"], aliases=tuple(p["aliases"] or ()), deprecated=bool(p["deprecated"]),
                        path=p.get("path"))
                for p in (r["props"] for r in rows)
            ]
            parents = {r["props"]["id"]: r.get("parents") or [] for r in rows}
            known = {c.id for c in members}
            # Parents outside the group only qualify its titles: deprecated stand-ins, so no check counts them.
            members += [Concept(pid, pid, deprecated=True) for pid in sorted({p for ps in parents.values() for p in ps})
                        if pid not in known]
            links = [Link(cid, pid, "broader", "id", pid, pid) for cid, ps in parents.items() for pid in ps]
            data = AuditData(members, links, dialect=self.info().get("dialect", ""))
            return REGISTRY[check_name(name)].run(data)
        if shape == "concepts":
            # The queries keep a superset where Cypher's trim and Python's strip could differ.
            if name == "uncategorised":
                rows = [r for r in rows if not any(c.strip() for c in r["categories"] or ())]
            elif name == "missing_definitions":
                rows = [r for r in rows if not (r["definition"] or "").strip()]
            return sorted(({"id": r["id"], "title": r["title"]} for r in rows), key=lambda f: f["id"])
        if name == "polyhierarchy":
            return [{"id": r["id"], "title": r["title"], "parents": sorted(r["parents"])}
                    for r in sorted(rows, key=lambda r: r["id"])]
        if name == "deprecated_links":
            return [dict(r) for r in sorted(rows, key=lambda r: (r["source"], r["target"], r["kind"]))]
        return [{"source": s, "target": t} for s, t in sorted((r["source"], r["target"]) for r in rows)]

    # -- counting ------------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Counts of concepts, links, aliases, categories and broken references."""
        record = self._read(cypher.STATS, {"tag": self._tag}, "counting")[0]
        return Stats(
            concepts=record["concepts"],
            links=record["links"],
            broader=record["broader"],
            aliases=record["aliases"],
            categories=record["categories"],
            broken_links=record["broken_links"],
            ambiguous_links=record["ambiguous_links"],
            missing_targets=record["missing_targets"],
            self_links=record["self_links"],
            references=int(self.info().get("references", 0)),
        )


def _first_line(error: object) -> str:
    """A short reason from a driver error: its socket reason when it has one, else its first line."""
    whole = str(error).strip()
    reason = re.search(r"reason (.+?)\)*$", whole, re.MULTILINE)
    if reason:
        return reason.group(1)
    text = whole.splitlines()
    return text[0][:300] if text else type(error).__name__
