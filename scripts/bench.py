"""The glossgraph benchmark (`make bench`): one table of timings and peak memory, with same-run baselines.

    python -m scripts.bench [--sizes 1000,10000,100000] [--runs N] [--out docs/benchmarks.md]
                            [--no-neo4j] [--no-app] [--no-app-local] [--no-app-neo4j] [--no-html]
                            [--no-baselines] [--workdir DIR]

For each size a synthetic glossary (graph.synthetic, seeded) is written as JSONL once and cached in
the work folder. Every measurement runs in a fresh Python process, so that one operation's garbage
and caches never flatter the next and peak memory can be read from the kernel: the worker resets
its high-water mark (``/proc/self/clear_refs``) before each operation and reads ``VmHWM`` after it.
"peak MB" is the whole process at its highest during the operation; "+MB" is what the operation
added above what the process held just before (for queries: above the loaded store).

The Markdown loader is measured on the same glossary written as a folder of notes (one file per
concept, YAML front matter, [[wikilinks]]; graph.synthetic.write_markdown), up to ``--markdown-max``:
wall time and the process's CPU time, which a busy machine's other work does not inflate.

Query timings are medians per query over a fixed, seeded sample of concepts (neighbourhood) and
concept pairs (shortest path); the other timings are medians over runs. Baselines are measured in
the same invocation so that their ratios hold on a noisy machine.

Saved HTML pages (``--no-html`` skips them): generated one-page glossaries of 5, 10 and 20 MB,
pages with 5,000 to 20,000 nested list items, a page nested deeper than the parser allows, and a
folder of 1,900 saved pages. The linear-time check compares the CPU time per MB (per list item)
at the largest size with the smallest's (CPU time, because wall time on a shared machine measures
the other processes too); above LINEAR_LIMIT, or when the too-deep page is not refused, the
benchmark exits 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20240601
QUERY_SAMPLE = 50
NAIVE_TEXTS = 200
DEFAULT_SIZES = (1000, 10000, 100000)
BASELINE_SIZE = 10000
MARK_BEGIN = "<!-- bench:begin -->"
MARK_END = "<!-- bench:end -->"


# -- memory and time inside a worker -------------------------------------------------------------


def _status_kb(field_name: str) -> int:
    """A field of /proc/self/status in kB (VmRSS, VmHWM), or 0 where the kernel does not have it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> None:
    # Writing 5 resets VmHWM to the current RSS (Linux >= 4.0), so each operation gets its own peak.
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        pass


@dataclass
class Measure:
    """Timings of one operation (seconds, one per run or per query) and its peak memory in kB."""

    times: list[float] = field(default_factory=list)
    peak_kb: int = 0
    added_kb: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"times": self.times, "peak_kb": self.peak_kb, "added_kb": self.added_kb}


def _measured(measure: Measure, action: Callable[[], Any]) -> Any:
    """Run ``action`` once, adding its time and raising the peak memory of ``measure``."""
    gc.collect()
    _reset_peak()
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    result = action()
    measure.times.append(time.perf_counter() - started)
    peak = _status_kb("VmHWM")
    measure.peak_kb = max(measure.peak_kb, peak)
    measure.added_kb = max(measure.added_kb, peak - before)
    return result


# -- the operations, each run inside a worker process ---------------------------------------------


def _open_local(path: str) -> tuple[Any, float]:
    """The real load path: the loaders read the JSONL, the local store builds its graph."""
    from graph.local import LocalStore
    from graph.stores import load_glossary

    started = time.perf_counter()
    # The loaders refuse files over 200 MB unless told; the 1M-concept JSONL is about 820 MB.
    glossary = load_glossary(path, max_file_size=max(Path(path).stat().st_size + 1, 200 * 1024 * 1024))
    parsed = time.perf_counter() - started
    return LocalStore(glossary), parsed


def work_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Load the JSONL into the local store once; time the parse and the whole load."""
    import graph.local
    import graph.stores  # noqa: F401
    import loaders  # noqa: F401

    measure = Measure()
    store, parsed = _measured(measure, lambda: _open_local(spec["path"]))
    return {"load": measure.to_json(), "parse": parsed, "concepts": len(store.glossary())}


def work_networkx(spec: dict[str, Any]) -> dict[str, Any]:
    """The baseline: json.loads each line and add one MultiDiGraph edge per reference, by id as written."""
    import networkx as nx

    def build() -> Any:
        graph = nx.MultiDiGraph()
        with open(spec["path"], encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                source = record["id"]
                graph.add_node(source, title=record["title"])
                for target in record["related"]:
                    graph.add_edge(source, target)
                for target in record["wikilinks"]:
                    graph.add_edge(source, target)
        return graph

    measure = Measure()
    _measured(measure, build)
    return {"networkx": measure.to_json()}


def _sample(size: int, count: int) -> tuple[list[int], list[tuple[int, int]]]:
    """Concept numbers for neighbourhoods and pairs for paths: fixed for a size."""
    rng = random.Random(f"bench-sample:{size}")
    centres = [rng.randrange(size) for _ in range(count)]
    pairs: list[tuple[int, int]] = []
    while len(pairs) < count:
        a, b = rng.randrange(size), rng.randrange(size)
        if a != b:
            pairs.append((a, b))
    return centres, pairs


def work_session(spec: dict[str, Any]) -> dict[str, Any]:
    """Load once, then stats, the full audit, neighbourhoods, shortest paths and the node-link export."""
    from graph.audit import run_audit
    from graph.exports import export

    runs, size = spec["runs"], spec["size"]
    store, _parsed = _open_local(spec["path"])
    ids = [c.id for c in store.glossary().concepts]
    centres, pairs = _sample(size, spec["sample"])
    results: dict[str, Measure] = {}
    checks: dict[str, Any] = {}

    stats = Measure()
    for _ in range(runs):
        answer = _measured(stats, store.stats)
    results["stats"] = stats
    # The generator's own counts are per reference; stats and the audit count each (source, target) once.
    expected = spec["expected"]
    links = store.links()
    unresolved = [link for link in links if link.via == "unresolved"]
    selves = [link for link in links if link.target == link.source]
    broken_pairs = {(link.source, link.key) for link in unresolved}
    checks["stats"] = {
        "concepts": answer.concepts,
        "references": answer.references,
        "broken_links": answer.broken_links,
        "self_links": answer.self_links,
        "links": answer.links,
        "ok": answer.concepts == size
        and answer.references == expected["references"]
        and len(unresolved) == expected["broken"]
        and len(selves) == expected["self_links"]
        and answer.broken_links == len(broken_pairs)
        and answer.self_links == len({link.source for link in selves}),
    }

    audit = Measure()
    for _ in range(spec["audit_runs"]):
        report = _measured(audit, lambda: run_audit(store))
    results["audit"] = audit
    checks["audit"] = {
        "unlinked_mentions": len(report.findings["unlinked_mentions"]),
        "broken_links": len(report.findings["broken_links"]),
        "ok": len(report.findings["broken_links"]) == len(broken_pairs),
    }
    del report

    neighbourhood = Measure()
    reached = []
    for _ in range(runs):
        for number in centres:
            answer = _measured(neighbourhood, partial(store.neighbourhood, ids[number], depth=2))
            reached.append(answer.total)
    results["neighbourhood"] = neighbourhood
    checks["neighbourhood"] = {"median_reached": statistics.median(reached), "ok": min(reached) >= 1}

    paths = Measure()
    found = []
    for _ in range(runs):
        for a, b in pairs:
            answer = _measured(paths, partial(store.paths, ids[a], ids[b], k=1))
            found.append(answer[0].concepts if answer else None)
    results["path"] = paths
    good = all(p is None or (p[0] == ids[a] and p[-1] == ids[b]) for p, (a, b) in zip(found, pairs * runs, strict=True))
    lengths = [len(p) - 1 for p in found if p]
    checks["path"] = {
        "found": sum(1 for p in found if p),
        "median_length": statistics.median(lengths) if lengths else None,
        "ok": good and bool(lengths),
    }

    if spec.get("export"):
        exported = Measure()
        target = Path(spec["export"])
        for _ in range(runs):
            _measured(exported, lambda: export(store, "json", target, force=True))
        results["export"] = exported
        checks["export"] = {"bytes": target.stat().st_size, "ok": target.stat().st_size > 0}
        target.unlink()
    return {"measures": {k: m.to_json() for k, m in results.items()}, "checks": checks}


def work_mentions(spec: dict[str, Any]) -> dict[str, Any]:
    """The audit's one-pass mention finder against a naive loop of one regex search per term and text."""
    from graph.mentions import MIN_TERM_LENGTH, MentionFinder, is_acronym, searchable_text

    store, _parsed = _open_local(spec["path"])
    concepts = store.glossary().concepts
    texts = [(c.id, searchable_text(c)) for c in concepts]
    finder_m = Measure()

    def finder_all() -> int:
        finder = MentionFinder.for_concepts(concepts)
        return sum(len(finder.mentions(cid, text)) for cid, text in texts)

    found = _measured(finder_m, finder_all)

    naive_m = Measure()
    sample = random.Random(f"bench-naive:{len(texts)}").sample(texts, min(spec["texts"], len(texts)))

    def naive_sample() -> int:
        terms = []
        for concept in concepts:
            for label in (concept.title, *concept.aliases):
                if len(label) >= MIN_TERM_LENGTH:
                    flags = 0 if is_acronym(label) else re.IGNORECASE
                    terms.append((concept.id, re.compile(r"(?<![\w-])" + re.escape(label) + r"(?![\w-])", flags)))
        hits = 0
        for cid, text in sample:
            hits += sum(1 for owner, pattern in terms if owner != cid and pattern.search(text))
        return hits

    _measured(naive_m, naive_sample)
    # The naive loop costs the same per text, so its time over all texts is the sample's, scaled.
    scale = len(texts) / len(sample)
    return {
        "finder": finder_m.to_json(),
        "naive": {**naive_m.to_json(), "times": [t * scale for t in naive_m.times]},
        "texts": len(texts),
        "sampled": len(sample),
        "found": found,
    }


def work_neo4j(spec: dict[str, Any]) -> dict[str, Any]:
    """Load the glossary into a Neo4j dataset (batched, replacing), then warm queries; the dataset is dropped."""
    from graph.neo4j import Neo4jStore
    from graph.stores import load_glossary
    from scripts.neo4j_baseline import load_row_by_row

    glossary = load_glossary(spec["path"])
    size = spec["size"]
    store = Neo4jStore.connect(spec["uri"], dataset=f"bench-{size}", user=spec["user"], password=spec["password"])
    try:
        load = Measure()
        answers = []
        for _ in range(spec["runs"]):
            answers.append(_measured(load, lambda: store.load(glossary, replace=True)))
        result: dict[str, Any] = {"load": load.to_json(), "loaded": answers[-1]}
        result["related_per_s"] = statistics.median(a["related"] / a["seconds"] for a in answers)
        result["rows_per_s"] = statistics.median(a["rows"] / a["seconds"] for a in answers)
        if spec.get("row_by_row"):
            baseline = load_row_by_row(store, glossary, max_rows=spec["row_by_row"])
            result["row_by_row"] = baseline
        ids = [c.id for c in glossary.concepts]
        centres, pairs = _sample(size, spec["sample"])
        stats = Measure()
        for _ in range(spec["runs"]):
            answer = _measured(stats, store.stats)
        result["stats"] = stats.to_json()
        result["stats_ok"] = answer.concepts == size and answer.references == spec["expected"]["references"]
        # Warm: every sampled query runs once untimed, so the page cache and query plans are ready.
        for number in centres:
            store.neighbourhood(ids[number], depth=2)
        for a, b in pairs:
            store.paths(ids[a], ids[b], k=1)
        neighbourhood, paths = Measure(), Measure()
        for _ in range(spec["runs"]):
            for number in centres:
                _measured(neighbourhood, partial(store.neighbourhood, ids[number], depth=2))
            for a, b in pairs:
                _measured(paths, partial(store.paths, ids[a], ids[b], k=1))
        result["neighbourhood"] = neighbourhood.to_json()
        result["path"] = paths.to_json()
        reopen = partial(Neo4jStore.connect, spec["uri"], dataset=store.dataset, user=spec["user"],
                         password=spec["password"])
        result["audit"] = audit_both_ways(reopen, spec["runs"])
        store.drop()
    finally:
        store.close()
    return result


def audit_both_ways(connect: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Each audit check with a Cypher query, answered on the server and by the library on the pulled glossary.

    ``connect`` opens a fresh handle on the loaded dataset (nothing cached): the pull is timed from
    scratch each run. Every check's two answers are compared. The whole audit runs as the CLI runs it.
    """
    from graph.audit import REGISTRY, run_audit
    from graph.audit.data import AuditData
    from graph.kinds import CHECK_NAMES
    from graph.neo4j.cypher import AUDIT_CHECKS

    pull = Measure()
    data: AuditData | None = None
    for _ in range(runs):
        with connect() as fresh:
            data = _measured(pull, partial(AuditData.from_store, fresh))
    assert data is not None
    checks: dict[str, Any] = {}
    with connect() as store:
        for name in (c for c in CHECK_NAMES if c in AUDIT_CHECKS):
            check = REGISTRY[name]
            store.audit_in_cypher(name)  # warm: the query plan and the page cache
            cypher_time, library_time = Measure(), Measure()
            for _ in range(runs):
                answered = _measured(cypher_time, partial(store.audit_in_cypher, name))
                computed = _measured(library_time, partial(check.run, data))
            checks[name] = {"cypher": cypher_time.to_json(), "python": library_time.to_json(),
                            "findings": len(computed), "same": answered == computed}
    whole = Measure()
    for _ in range(runs):
        with connect() as fresh:
            _measured(whole, partial(run_audit, fresh))
    return {"pull": pull.to_json(), "checks": checks, "whole": whole.to_json()}


def work_html(spec: dict[str, Any]) -> dict[str, Any]:
    """Load saved HTML pages (one page or a folder) ``runs`` times; a refusal is answered with its message."""
    import loaders
    from graph.errors import LoadError

    def attempt() -> int | str:
        try:
            return len(loaders.load(spec["path"], **spec.get("options", {})).concepts)
        except LoadError as error:
            return str(error).splitlines()[0]

    import loaders.html  # imported untimed, as is the format detection below

    loaders.detect_format(Path(spec["path"]))
    measure = Measure()
    outcome: int | str = 0
    cpu: list[float] = []  # the process's own CPU time: what a busy machine's other work does not inflate
    for _ in range(spec.get("runs", 1)):
        started = time.process_time()
        outcome = _measured(measure, attempt)
        cpu.append(time.process_time() - started)
    answer = {"load": measure.to_json(), "cpu": statistics.median(cpu), "concepts": 0}
    if isinstance(outcome, str):
        return {**answer, "refused": outcome}
    return {**answer, "concepts": outcome}


def work_markdown(spec: dict[str, Any]) -> dict[str, Any]:
    """Load a folder of Markdown notes with the Markdown loader; wall and CPU time of each run."""
    import loaders
    import loaders.markdown  # imported untimed, like the other loaders

    measure = Measure()
    cpu: list[float] = []
    concepts = 0
    references = 0
    for _ in range(spec.get("runs", 1)):
        started = time.process_time()
        glossary = _measured(measure, lambda: loaders.load(spec["path"]))
        cpu.append(time.process_time() - started)
        concepts = len(glossary.concepts)
        references = sum(len(c.related) for c in glossary.concepts)
    return {"load": measure.to_json(), "cpu": statistics.median(cpu), "concepts": concepts,
            "references": references}


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "load": work_load,
    "networkx": work_networkx,
    "session": work_session,
    "mentions": work_mentions,
    "neo4j": work_neo4j,
    "html": work_html,
    "markdown": work_markdown,
}


# -- the driver ----------------------------------------------------------------------------------


def _worker(op: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one worker operation in a fresh interpreter and return its JSON answer."""
    command = [sys.executable, "-m", "scripts.bench", "--worker", op, "--spec", json.dumps(spec)]
    env = {**os.environ, "GLOSSGRAPH_NO_PROGRESS": "1", "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark worker {op} failed:\n{done.stderr.strip()}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _dataset(workdir: Path, size: int) -> tuple[Path, dict[str, Any]]:
    """The JSONL of a size (generated once, then reused) and its generation summary."""
    from graph.synthetic import write_jsonl

    path = workdir / f"synthetic-{size}-{SEED}.jsonl"
    summary_path = path.with_suffix(".summary.json")
    if not (path.exists() and summary_path.exists()):
        started = time.perf_counter()
        summary = write_jsonl(path, size, SEED).to_json()
        summary["generated_seconds"] = round(time.perf_counter() - started, 2)
        summary_path.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        _say(f"generated {size:,} concepts in {summary['generated_seconds']} s -> {path}")
    return path, json.loads(summary_path.read_text(encoding="utf-8"))


def _markdown_dataset(workdir: Path, size: int) -> Path:
    """The Markdown folder of a size (written once, then reused; a marker file says it is complete)."""
    from graph.synthetic import write_markdown

    folder = workdir / f"synthetic-{size}-{SEED}-markdown"
    done = workdir / f"synthetic-{size}-{SEED}-markdown.done"
    if not done.exists():
        started = time.perf_counter()
        write_markdown(folder, size, SEED)
        done.write_text("", encoding="utf-8")
        _say(f"wrote {size:,} Markdown notes in {time.perf_counter() - started:.1f} s -> {folder}")
    return folder


def bench_markdown(size: int, args: argparse.Namespace) -> list[Row]:
    """The Markdown loader on the size's glossary as a folder of notes, in one worker process."""
    if size > args.markdown_max:
        return [Row(size, "local", "load Markdown notes", None, 0,
                    note=f"skipped above --markdown-max {args.markdown_max:,}")]
    folder = _markdown_dataset(args.workdir, size)
    answer = _worker("markdown", {"path": str(folder), "runs": _runs_for(size, args.runs)})
    load = answer["load"]
    return [_row(answer["concepts"], "local", "load Markdown notes", load,
                 f"CPU {answer['cpu']:.2f} s; {answer['references'] / _median(load):,.0f} refs/s; "
                 "one note per concept")]


def _runs_for(size: int, runs: int) -> int:
    # Fewer repetitions where one run takes tens of seconds; the median of 5 at 1M would take an hour.
    if size >= 1_000_000:
        return 1
    if size >= 100_000:
        return min(runs, 3)
    return runs


@dataclass
class Row:
    """One line of the table."""

    size: int
    store: str
    operation: str
    seconds: float | None
    runs: int
    peak_kb: int = 0
    added_kb: int = 0
    note: str = ""

    def cells(self) -> list[str]:
        """The row as table cells."""
        return [
            f"{self.size:,}",
            self.store,
            self.operation,
            _duration(self.seconds),
            str(self.runs),
            f"{self.peak_kb / 1024:,.0f}" if self.peak_kb else "",
            f"{self.added_kb / 1024:,.0f}" if self.peak_kb else "",
            self.note,
        ]


COLUMNS = ["concepts", "store", "operation", "median", "n", "peak MB", "+MB", "notes"]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _median(measure: dict[str, Any]) -> float:
    return float(statistics.median(measure["times"]))


def _row(size: int, store: str, operation: str, measure: dict[str, Any], note: str = "") -> Row:
    return Row(size, store, operation, _median(measure), len(measure["times"]), measure["peak_kb"],
               measure["added_kb"], note)


def _merge(measures: list[dict[str, Any]]) -> dict[str, Any]:
    """One measure from several worker processes: all their times, the highest peaks."""
    return {
        "times": [t for m in measures for t in m["times"]],
        "peak_kb": max(m["peak_kb"] for m in measures),
        "added_kb": max(m["added_kb"] for m in measures),
    }


def bench_local(size: int, path: Path, summary: dict[str, Any], args: argparse.Namespace) -> tuple[list[Row], dict]:
    """The local store's rows for one size (and the bare NetworkX baseline beside its load)."""
    runs = _runs_for(size, args.runs)
    rows: list[Row] = []
    loads = [_worker("load", {"path": str(path)}) for _ in range(runs)]
    load = _merge([w["load"] for w in loads])
    parse = statistics.median(w["parse"] for w in loads)
    links = summary["references"]
    load_row = _row(size, "local", "load JSONL", load,
                    f"{links / _median(load):,.0f} refs/s; parse {_duration(parse)}")
    rows.append(load_row)
    if args.baselines:
        nx_runs = _merge([_worker("networkx", {"path": str(path)})["networkx"] for _ in range(runs)])
        ratio = _median(load) / _median(nx_runs)
        load_row.note += f"; {ratio:.2f}x bare NetworkX"
        rows.append(_row(size, "baseline", "bare NetworkX build", nx_runs, "json.loads + add_edge by id"))
    session = _worker("session", {
        "path": str(path), "size": size, "runs": runs, "sample": args.sample,
        "audit_runs": runs, "expected": summary,
        "export": str(Path(args.workdir) / f"export-{size}.json") if size <= args.export_max else None,
    })
    measures, checks = session["measures"], session["checks"]
    rows.append(_row(size, "local", "stats", measures["stats"], _ok(checks["stats"])))
    rows.append(_row(size, "local", "full audit", measures["audit"],
                     f"{checks['audit']['unlinked_mentions']:,} unlinked mentions; " + _ok(checks["audit"])))
    rows.append(_row(size, "local", "neighbourhood d=2", measures["neighbourhood"],
                     f"per query, {args.sample} centres; median {checks['neighbourhood']['median_reached']:,.0f} "
                     "nodes reached; " + _ok(checks["neighbourhood"])))
    rows.append(_row(size, "local", "shortest path k=1", measures["path"],
                     f"per query, {args.sample} pairs; {checks['path']['found']} found, median length "
                     f"{checks['path']['median_length']}; " + _ok(checks["path"])))
    if "export" in measures:
        rows.append(_row(size, "local", "export node-link JSON", measures["export"],
                         f"{checks['export']['bytes'] / 1e6:,.1f} MB"))
    else:
        rows.append(Row(size, "local", "export node-link JSON", None, 0,
                        note=f"skipped above --export-max {args.export_max:,} (needs ~7x the file size in memory)"))
    return rows, checks


# -- saved HTML pages -----------------------------------------------------------------------------

#: Page sizes (MB) of the one-page glossary check, nested-list counts, the folder's page count.
HTML_PAGE_MB = (5, 10, 20)
HTML_NESTED = (5_000, 10_000, 20_000)
HTML_NESTED_DEPTH = 1_000  # list levels per stack: under the parser's 2,048 elements, so the page loads
HTML_FOLDER_PAGES = 1_900
#: A load is linear when its time per unit at the largest size is at most this multiple of the smallest's.
LINEAR_LIMIT = 2.0


def _html_glossary_page(path: Path, megabytes: int) -> int:
    """Write a Sphinx-style one-page glossary of about ``megabytes`` MB (seeded); return its entry count."""
    rng = random.Random(SEED)
    target = megabytes * 1024 * 1024
    parts = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Glossary</title></head><body>'
             '<div class="body" role="main"><section id="glossary"><h1>Glossary</h1>']
    size, count = sum(map(len, parts)), 0
    while size < target:
        if count % 500 == 0:
            parts.append(f'{"</dl></section>" if count else ""}<section><h2>Section {count // 500}</h2>'
                         '<dl class="simple glossary">')
        others = [rng.randrange(count + 500) for _ in range(3)]
        links = ", ".join(f'<a class="reference internal" href="#term-{o}"><span class="xref std std-term">'
                          f"term {o}</span></a>" for o in others)
        entry = (f'<dt id="term-{count}">term {count}<a class="headerlink" href="#term-{count}">¶</a></dt>'
                 f'<dt id="term-alias-{count}">alias {count}</dt>'
                 f"<dd><p>The definition of term {count}, which leans on {links}.</p>"
                 f"<p>A second paragraph with <em>emphasis</em>, <code>code</code> and "
                 f'<a class="reference external" href="https://example.org/{count}">a source</a>.</p></dd>\n')
        parts.append(entry)
        size += len(entry)
        count += 1
    parts.append("</dl></section></section></div></body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return count


def _html_nested_page(path: Path, items: int, depth: int) -> None:
    """Write a concept page whose body holds ``items`` list items nested ``depth`` deep per stack."""
    stack = "<ul><li>x" * depth + "</li></ul>" * depth
    body = "".join(stack for _ in range(max(1, items // depth)))
    path.write_text(f"<html><body><h1>What is Nesting?</h1><main><p>Deep lists.</p>{body}</main></body></html>",
                    encoding="utf-8")


def _html_folder(folder: Path, pages: int) -> None:
    """Write ``pages`` saved pages of the reference shape (with the furniture a saved page carries)."""
    folder.mkdir(parents=True, exist_ok=True)
    furniture = "".join(f'<li><a href="/glossary/page-{i}/">Page {i}</a></li>' for i in range(60))
    for number in range(pages):
        related = "".join(f'<li><a href="/glossary/term-{(number * 7 + k) % pages}/">Term {(number * 7 + k) % pages}'
                          "</a></li>" for k in range(1, 6))
        (folder / f"term-{number}.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>What is Term {number}?</title>'
            f"<script>var page = {number};</script><style>body {{ margin: 0 }}</style></head><body>"
            f'<header><nav class="menu"><ul>{furniture}</ul></nav></header>'
            f'<nav class="breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/glossary/">Glossary</a></li>'
            f'<li><a href="/c/{number % 8}/">Category {number % 8}</a></li><li>What is Term {number}?</li></ol></nav>'
            f'<main><header><span class="level">Beginner</span><time class="week">2026-W{number % 52 + 1:02d}</time>'
            f'<h1>What is Term {number}?</h1><p class="definition">Term {number} is a concept of the benchmark.</p>'
            f'<div class="aliases"><ul><li>T{number}</li></ul></div></header>'
            f'<article class="content"><h2>Why It Matters</h2><p>{"Words of the article. " * 40}</p>'
            f"<ul><li>one point</li><li>another point</li></ul></article>"
            f'<section class="sources"><ul><li><a href="https://example.org/{number}">A source</a></li></ul></section>'
            f'<section class="related"><h2>Related Concepts</h2><ul>{related}</ul></section></main>'
            f"<footer><p>{'Footer text. ' * 20}</p></footer></body></html>",
            encoding="utf-8",
        )


def _linear_note(sizes: list[tuple[float, float]], unit: str) -> tuple[str, bool]:
    """Whether time grew linearly: the CPU time per unit at the largest size against the smallest size's."""
    (small, small_time), (large, large_time) = sizes[0], sizes[-1]
    ratio = (large_time / large) / (small_time / small)
    ok = ratio <= LINEAR_LIMIT
    verdict = "linear" if ok else "NOT LINEAR"
    return f"{verdict}: CPU time per {unit} at {large:,.0f} is {ratio:.2f}x that at {small:,.0f}", ok


def bench_html(args: argparse.Namespace) -> tuple[list[Row], bool]:
    """Rows for saved HTML pages: one-page glossaries by size, nested lists, a folder of pages; and the check."""
    workdir = args.workdir / "html"
    workdir.mkdir(parents=True, exist_ok=True)
    runs = args.html_runs
    rows: list[Row] = []
    linear = True
    timed: list[tuple[float, float]] = []
    for megabytes in args.html_mb:
        path = workdir / f"glossary-{megabytes}mb-{SEED}.html"
        if not path.exists():
            _html_glossary_page(path, megabytes)
        _say(f"measuring a {megabytes} MB one-page glossary")
        answer = _worker("html", {"path": str(path), "runs": runs})
        timed.append((megabytes, answer["cpu"]))
        rows.append(_row(answer["concepts"], "html", f"load {megabytes} MB glossary page", answer["load"],
                         f"CPU {_duration(answer['cpu'])}, {megabytes / answer['cpu']:.1f} MB per CPU second"))
    if len(timed) > 1:
        note, ok = _linear_note(timed, "MB")
        rows[-1].note += "; " + note
        linear = linear and ok
    timed = []
    for items in args.html_nested:
        path = workdir / f"nested-{items}-{HTML_NESTED_DEPTH}.html"
        if not path.exists():
            _html_nested_page(path, items, HTML_NESTED_DEPTH)
        _say(f"measuring {items:,} nested list items")
        answer = _worker("html", {"path": str(path), "runs": runs})
        timed.append((items, answer["cpu"]))
        rows.append(_row(answer["concepts"], "html", f"load {items:,} nested <ul><li>", answer["load"],
                         f"CPU {_duration(answer['cpu'])}; stacks {HTML_NESTED_DEPTH:,} deep"))
    if len(timed) > 1:
        note, ok = _linear_note(timed, "item")
        rows[-1].note += "; " + note
        linear = linear and ok
    deepest = max(args.html_nested)
    path = workdir / f"nested-{deepest}-{deepest}.html"
    if not path.exists():
        _html_nested_page(path, deepest, deepest)
    answer = _worker("html", {"path": str(path), "runs": runs})
    refused = "refused" in answer
    rows.append(_row(0, "html", f"refuse {deepest:,} nested in one stack", answer["load"],
                     "refused: nested too deeply" if refused else "LOADED: expected a refusal"))
    linear = linear and refused
    folder = workdir / f"folder-{args.html_pages}"
    if not folder.exists():
        _html_folder(folder, args.html_pages)
    _say(f"measuring a folder of {args.html_pages:,} saved pages")
    answer = _worker("html", {"path": str(folder), "runs": runs})
    rows.append(_row(answer["concepts"], "html", f"load folder of {args.html_pages:,} pages", answer["load"],
                     f"CPU {_duration(answer['cpu'])}; {args.html_pages / _median(answer['load']):,.0f} pages/s"))
    return rows, linear


def _ok(check: dict[str, Any]) -> str:
    return "answers checked" if check.get("ok") else "ANSWERS WRONG"


def bench_mentions(size: int, path: Path, args: argparse.Namespace) -> list[Row]:
    """Rows comparing the audit's mention matching with a naive loop over terms."""
    answer = _worker("mentions", {"path": str(path), "texts": args.naive_texts})
    finder, naive = answer["finder"], answer["naive"]
    ratio = _median(naive) / _median(finder)
    return [
        _row(size, "local", "mention matching (audit)", finder,
             f"Aho-Corasick, one pass per text; {ratio:,.0f}x faster than the naive loop"),
        _row(size, "baseline", "mention matching (naive)", naive,
             f"one regex per term and text; {answer['sampled']} of {answer['texts']:,} texts, scaled"),
    ]


def render_table(rows: list[Row]) -> str:
    """The table as Markdown (readable as plain text too)."""
    cells = [COLUMNS, *(r.cells() for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(COLUMNS), rule, *(line(r.cells()) for r in rows)])


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    import networkx

    return {
        "cpus": str(os.cpu_count()),
        "memory": memory,
        "cpu": cpu,
        "python": platform.python_version(),
        "networkx": networkx.__version__,
        "os": platform.platform(),
    }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def write_doc(out: Path, table: str, info: dict[str, str], command: str, extra: list[str]) -> None:
    """Put the table, the machine and the command between the bench markers of ``out`` (the rest is kept)."""
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime())
    block = "\n".join([
        MARK_BEGIN,
        f"Measured {stamp} with `{command}` on {info['cpus']} CPUs ({info['cpu']}), {info['memory']} RAM, "
        f"Python {info['python']}, NetworkX {info['networkx']}, {info['os']}.",
        "",
        table,
        *(["", *extra] if extra else []),
        MARK_END,
    ])
    text = out.read_text(encoding="utf-8") if out.exists() else f"# Benchmarks\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if MARK_BEGIN in text and MARK_END in text:
        head, rest = text.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, out)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--sizes expects numbers separated by commas, not {text!r}") from error
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError(f"--sizes needs sizes of at least 10, not {text!r}")
    return sizes


def _sizes_any(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, not {text!r}") from error
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive numbers, not {text!r}")
    return sorted(sizes)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES),
                        help="Concept counts, comma-separated (default 1000,10000,100000; add 1000000 for bench-full).")
    parser.add_argument("--runs", type=int, default=5, help="Runs per operation (3 at 100k, 1 at 1M; default 5).")
    parser.add_argument("--sample", type=int, default=QUERY_SAMPLE, help="Concepts and pairs per query kind.")
    parser.add_argument("--naive-texts", type=int, default=NAIVE_TEXTS, help="Texts the naive mention loop scans.")
    parser.add_argument("--out", type=Path, help="Also write the table into this Markdown file (between markers).")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "glossgraph-bench",
                        help="Where the generated glossaries are cached.")
    parser.add_argument("--no-local", dest="local", action="store_false",
                        help="Skip the local store (e.g. to measure Neo4j or the app alone).")
    parser.add_argument("--no-neo4j", dest="neo4j", action="store_false", help="Skip the Neo4j store.")
    parser.add_argument("--neo4j-max", type=int, default=100_000,
                        help="Largest size loaded into Neo4j (default 100000: the development server has a 1 GB heap).")
    parser.add_argument("--export-max", type=int, default=100_000,
                        help="Largest size exported to node-link JSON (the exporter holds the whole document).")
    parser.add_argument("--markdown-max", type=int, default=100_000,
                        help="Largest size the Markdown loader is timed at (writes one file per concept).")
    parser.add_argument("--row-by-row", type=int, default=3000,
                        help="Rows the one-query-per-row Neo4j baseline writes before its time is scaled up.")
    parser.add_argument("--no-app", dest="app", action="store_false", help="Skip the browser measurements.")
    parser.add_argument("--app-max", type=int, default=100_000,
                        help="Largest size whose every page is timed in Chromium (default 100000).")
    parser.add_argument("--no-app-local", dest="app_local", action="store_false",
                        help="Skip the app's rows on the local store (files).")
    parser.add_argument("--no-app-neo4j", dest="app_neo4j", action="store_false",
                        help="Skip the app's rows on Neo4j datasets (sizes from 10,000 up to --neo4j-max).")
    parser.add_argument("--no-baselines", dest="baselines", action="store_false", help="Skip the baselines.")
    parser.add_argument("--no-html", dest="html", action="store_false", help="Skip the saved HTML page loads.")
    parser.add_argument("--html-mb", type=_sizes_any, default=list(HTML_PAGE_MB),
                        help="Sizes in MB of the generated one-page glossaries (default 5,10,20).")
    parser.add_argument("--html-nested", type=_sizes_any, default=list(HTML_NESTED),
                        help="Nested list items of the nesting check (default 5000,10000,20000).")
    parser.add_argument("--html-pages", type=int, default=HTML_FOLDER_PAGES,
                        help="Saved pages in the folder load (default 1900).")
    parser.add_argument("--html-runs", type=int, default=3, help="Runs per HTML load (median; default 3).")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or, with --worker, one measurement as JSON)."""
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](json.loads(args.spec))))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    notes: list[str] = []
    baseline_size = BASELINE_SIZE if BASELINE_SIZE in args.sizes else min(args.sizes)
    datasets: dict[int, tuple[Path, dict[str, Any]]] = {}
    for size in sorted(args.sizes):
        path, summary = datasets[size] = _dataset(args.workdir, size)
        if not args.local:
            continue
        _say(f"measuring {size:,} concepts ({summary['references']:,} references)")
        local_rows, _checks = bench_local(size, path, summary, args)
        rows.extend(local_rows)
        rows.extend(bench_markdown(size, args))
        if args.baselines and size == baseline_size:
            rows.extend(bench_mentions(size, path, args))
    if args.neo4j:
        rows.extend(bench_neo4j(args.sizes, datasets, args))
    if args.app and args.app_local:
        rows.extend(bench_app(args.sizes, datasets))
        rows.extend(bench_pages(args.sizes, datasets, args))
    if args.app and args.app_neo4j:
        rows.extend(bench_neo4j_pages(args.sizes, datasets, args))
    linear = True
    if args.html:
        html_rows, linear = bench_html(args)
        rows.extend(html_rows)
    table = render_table(rows)
    print(table)
    if args.out:
        command = "python -m scripts.bench " + " ".join(sys.argv[1:] if argv is None else argv)
        write_doc(args.out, table, machine(), command.strip(), notes)
        _say(f"wrote {args.out}")
    if not linear:
        _say(f"the HTML loader failed its linear-time check (more than {LINEAR_LIMIT}x per unit) or a refusal")
        return 1
    return 0


def _neo4j_server() -> tuple[str, Callable[[], None]]:
    """The URI of a Neo4j server (NEO4J_URI, or the development server, started when not running) and its stop."""
    if os.environ.get("NEO4J_URI"):
        return os.environ["NEO4J_URI"], lambda: None
    script = ROOT / "scripts" / "neo4j.sh"
    running = subprocess.run(["bash", str(script), "status"], capture_output=True, text=True, check=False)
    started = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True, check=False)
    found = re.findall(r"(?:bolt|neo4j)://\S+", started.stdout + started.stderr)
    if started.returncode != 0 or not found:
        raise SystemExit(f"could not start Neo4j with {script}:\n{started.stderr.strip()}")

    def stop() -> None:
        # Only a server this benchmark started is stopped; one that was already running stays up.
        if running.returncode != 0:
            subprocess.run(["bash", str(script), "stop"], capture_output=True, check=False)

    return found[-1], stop


def bench_neo4j(sizes: list[int], datasets: dict[int, tuple[Path, dict[str, Any]]],
                args: argparse.Namespace) -> list[Row]:
    """The Neo4j store's rows: batched load (and the one-query-per-row baseline at 10k), stats, warm queries."""
    uri, stop = _neo4j_server()
    user = os.environ.get("NEO4J_USERNAME", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", "glossgraph-dev")
    rows: list[Row] = []
    baseline_size = BASELINE_SIZE if BASELINE_SIZE in sizes else min(sizes)
    try:
        for size in sorted(s for s in sizes if s <= args.neo4j_max):
            path, summary = datasets[size]
            _say(f"measuring {size:,} concepts in Neo4j")
            runs = _runs_for(size, args.runs)
            answer = _worker("neo4j", {
                "path": str(path), "size": size, "runs": runs, "sample": args.sample, "uri": uri,
                "user": user, "password": password, "expected": summary,
                "row_by_row": args.row_by_row if args.baselines and size == baseline_size else 0,
            })
            loaded = answer["loaded"]
            load_row = _row(size, "neo4j", "load (batched)", answer["load"],
                            f"{answer['related_per_s']:,.0f} links/s, {answer['rows_per_s']:,.0f} rows/s "
                            f"({loaded['related']:,} links, {loaded['rows']:,} rows)")
            rows.append(load_row)
            baseline = answer.get("row_by_row")
            if baseline:
                per_row = baseline["seconds"] / baseline["rows"]
                ratio = answer["rows_per_s"] * per_row
                load_row.note += f"; {ratio:,.0f}x one query per row"
                rows.append(Row(size, "baseline", "neo4j load, one query per row", per_row * baseline["total_rows"],
                                1, note=f"{baseline['rows']:,} of {baseline['total_rows']:,} rows timed, scaled; "
                                f"{1 / per_row:,.0f} rows/s"))
            rows.append(_row(size, "neo4j", "stats", answer["stats"],
                             "answers checked" if answer["stats_ok"] else "ANSWERS WRONG"))
            rows.append(_row(size, "neo4j", "neighbourhood d=2", answer["neighbourhood"],
                             f"per query, warm, {args.sample} centres"))
            rows.append(_row(size, "neo4j", "shortest path k=1", answer["path"],
                             f"per query, warm, {args.sample} pairs"))
            rows.extend(audit_rows(size, answer["audit"]))
    finally:
        stop()
    return rows


def audit_rows(size: int, audit: dict[str, Any]) -> list[Row]:
    """The Neo4j audit's rows: the pull, each check in Cypher beside the library on the pulled glossary, the whole."""
    from graph.neo4j.store import SERVER_CHECKS

    pull = _median(audit["pull"])
    rows = [_row(size, "neo4j", "audit: pull the glossary", audit["pull"],
                 "what the library's checks read (the audit reads it anyway for coverage and locations)")]
    for name, both in audit["checks"].items():
        cypher_s, python_s = _median(both["cypher"]), _median(both["python"])
        where = "on the server" if name in SERVER_CHECKS else "in Python"
        rows.append(_row(
            size, "neo4j", f"audit {name}: Cypher", both["cypher"],
            f"{both['findings']:,} findings{'' if both['same'] else ' ANSWERS DIFFER'}; Python on the pulled "
            f"glossary {python_s:.3f} s ({python_s / cypher_s:.2f}x Cypher), pull + Python "
            f"{(pull + python_s) / cypher_s:.1f}x Cypher; runs {where}",
        ))
    rows.append(_row(size, "neo4j", "audit (all checks)", audit["whole"], "as `glossgraph audit` runs it"))
    return rows


def bench_app(sizes: list[int], datasets: dict[int, tuple[Path, dict[str, Any]]]) -> list[Row]:
    """Time to interactive and neighbourhood re-render in a real browser: the sample glossary and 10k concepts."""
    from graph.stores import load_glossary
    from scripts.bench_app import measure_source

    sample = ROOT / "data" / "ai-glossary"
    size = BASELINE_SIZE if BASELINE_SIZE in sizes else min(sizes)
    path, _summary = datasets[size]
    with path.open(encoding="utf-8") as lines:
        # The first concept with a few related links, so that there is a neighbour to move to.
        first = next(r["id"] for r in map(json.loads, lines) if len(r["related"]) >= 3)
    targets = [(len(load_glossary(sample)), sample, "foundation-model", "sample glossary"),
               (size, path, first, "synthetic JSONL")]
    rows: list[Row] = []
    for count, source, concept, label in targets:
        _say(f"measuring the app on {label} ({count:,} concepts)")
        answer = measure_source(source, concept)
        runs = int(answer.get("runs", 3))
        started = f"server answered after {answer['server_answers_s']:.1f} s"
        rows.append(Row(count, "app", "time to interactive", answer["first_interactive_s"], runs,
                        note=f"{label}; {started}"))
        rows.append(Row(count, "app", "re-render neighbourhood", answer["neighbour_rerender_s"], runs,
                        note="click a linked concept until the new card and picture are still"))
    return rows


def _first_linked(path: Path) -> tuple[str, str]:
    """The id and definition of the first concept with a few related links (the page Explore opens on)."""
    with path.open(encoding="utf-8") as lines:
        record = next(r for r in map(json.loads, lines) if len(r["related"]) >= 3)
    return record["id"], record["definition"]


def _cli_audit_seconds(source: str | Path, options: Sequence[str] = ()) -> float:
    """Wall time of `glossgraph audit SOURCE [OPTIONS] --format json` (load or pull, and audit), as a user runs it."""
    script = Path(sys.executable).with_name("glossgraph")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "graph.cli"]
    started = time.perf_counter()
    subprocess.run([*command, "audit", str(source), *options, "--format", "json"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, env={**os.environ, "GLOSSGRAPH_NO_PROGRESS": "1"})
    return time.perf_counter() - started


def _page_rows(size: int, store: str, source: str | Path, options: Sequence[str], concept: str, definition: str,
               repetitions: int) -> list[Row]:
    """Every page's first and later visits in Chromium on one source, with the CLI audit of the same source beside.

    A server is started per repetition, so the first visits are medians too; the later visits of
    every repetition are pooled.
    """
    from scripts.bench_app import RETURNS, measure_pages, start_app

    first: dict[str, list[float]] = {}
    later: dict[str, dict[str, list[float]]] = {}
    cli: list[float] = []
    for _ in range(repetitions):
        cli.append(_cli_audit_seconds(source, options))
        server = start_app(source, timeout=900, options=options)
        try:
            answer = measure_pages(server.url, concept, definition, runs=3)
        finally:
            server.stop()
        for page, measured in answer.items():
            first.setdefault(page, []).append(measured["first_s"])
            ways = later.setdefault(page, {way: [] for way in RETURNS})
            ways["later_s"].extend(measured["all_s"][1:])
            ways["later_tab_s"].extend(measured["tab_all_s"])
            ways["later_nav_s"].extend(measured["nav_all_s"])
            if "shown_all_s" in measured:  # the quick part of a page that computes the rest in the background
                first.setdefault(f"{page} shown", []).append(measured["shown_all_s"][0])
                later.setdefault(f"{page} shown", {"later_s": []})["later_s"].extend(measured["shown_all_s"][1:])
    cli_s = statistics.median(cli)
    rows: list[Row] = []
    what = "pull + audit" if store == "neo4j app" else "load + audit"
    for page in first:
        note = "start page, store load included" if page == "Explore" else "results not yet computed"
        if store == "neo4j app" and page == "Explore":
            note = "start page, dataset opened"
        if page.endswith(" shown"):
            note = "counts and categories on screen; degrees, PageRank and clusters still computing"
        if page == "Audit":
            note += f"; CLI audit ({what}) {cli_s:.2f} s in the same run, budget {cli_s + 3:.1f} s"
        rows.append(Row(size, store, f"{page}: first visit", statistics.median(first[page]), len(first[page]),
                        note=note))
        for way, times in later[page].items():
            short, what_way = RETURNS[way]
            rows.append(Row(size, store, f"{page}: later visit, {short}", statistics.median(times), len(times),
                            note=f"{what_way}; budget 2 s"))
    rows.append(Row(size, store.replace("app", "cli"), f"audit ({what})", cli_s, len(cli),
                    note="glossgraph audit --format json"))
    return rows


def bench_pages(sizes: list[int], datasets: dict[int, tuple[Path, dict[str, Any]]],
                args: argparse.Namespace) -> list[Row]:
    """Every page's time to ready in Chromium on the local store, first visit and later visits, beside the CLI audit.

    At 100k one repetition is made.
    """
    rows: list[Row] = []
    for size in sorted(s for s in sizes if BASELINE_SIZE <= s <= args.app_max):
        path, _summary = datasets[size]
        concept, definition = _first_linked(path)
        repetitions = 1 if size >= 100_000 else min(args.runs, 3)
        _say(f"timing every page of the app on {size:,} concepts ({repetitions} server start(s))")
        rows.extend(_page_rows(size, "app", path, (), concept, definition, repetitions))
    return rows


def bench_neo4j_pages(sizes: list[int], datasets: dict[int, tuple[Path, dict[str, Any]]],
                      args: argparse.Namespace) -> list[Row]:
    """The same page rows on a Neo4j dataset of each size up to --neo4j-max (loaded for it, dropped after)."""
    from graph.neo4j import Neo4jStore
    from graph.stores import load_glossary

    uri, stop = _neo4j_server()
    user = os.environ.get("NEO4J_USERNAME", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", "glossgraph-dev")
    rows: list[Row] = []
    try:
        for size in sorted(s for s in sizes if BASELINE_SIZE <= s <= min(args.app_max, args.neo4j_max)):
            path, _summary = datasets[size]
            concept, definition = _first_linked(path)
            dataset = f"bench-app-{size}"
            store = Neo4jStore.connect(uri, dataset=dataset, user=user, password=password)
            try:
                _say(f"loading {size:,} concepts into Neo4j dataset {dataset}")
                store.load(load_glossary(path), replace=True)
                repetitions = 1 if size >= 100_000 else min(args.runs, 3)
                _say(f"timing every page of the app on Neo4j, {size:,} concepts ({repetitions} server start(s))")
                options = ("--dataset", dataset, "--neo4j-user", user)
                # The password goes to the child processes through the environment only (never argv).
                os.environ["NEO4J_PASSWORD"] = password
                rows.extend(_page_rows(size, "neo4j app", uri, options, concept, definition, repetitions))
            finally:
                store.drop()
                store.close()
    finally:
        stop()
    return rows


if __name__ == "__main__":
    sys.exit(main())
