"""The audit checks on a hand-built glossary that holds every hard case, one expected answer per check."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import loaders
from graph.audit import (
    CHECKS,
    FIELDS,
    SEVERITY,
    AllowList,
    AuditData,
    check_names,
    coverage,
    run_audit,
    wanted,
)
from graph.errors import UsageError
from graph.local import LocalStore
from graph.model import Concept, Glossary, Reference
from graph.suggest import suggest


def related(*targets: str) -> tuple[Reference, ...]:
    return tuple(Reference(t) for t in targets)


def wikilink(target: str) -> Reference:
    return Reference(target, "wikilink")


def build() -> Glossary:
    """Thirteen concepts: a main component of nine, an island of three, one isolated concept."""
    arch, apps = ("Architecture",), ("Applications",)
    return Glossary(
        [
            Concept("attention", "Attention", "A mechanism that weighs tokens. Used in the [[Transformer]].",
                    categories=arch, related=(Reference("Transformer"), wikilink("Transformer"))),
            # "attention" in lower case: a mention of Attention, not linked
            Concept("flash-attention", "Flash Attention", "A faster, memory-aware way to compute attention on GPUs.",
                    aliases=("FlashAttention",), categories=arch, related=related("Transformer")),
            # "Flash Attention" holds "Attention": only Flash Attention is mentioned; "self-attention" is one word;
            # "Leaderboards" is a plural (no stemming); "Transformer models" is neither its alias nor a mention
            Concept("transformer", "Transformer",
                    "A network built from Flash Attention layers and self-attention; see [[Attention]].",
                    body="Most Leaderboards rank Transformer models.", aliases=("transformer model",),
                    categories=arch, related=(Reference("Attention"), wikilink("Attention"))),
            # a link through an alias; a broken link; a mention of itself
            Concept("rag", "Retrieval-Augmented Generation",
                    "Retrieval-Augmented Generation grounds a model in retrieved documents.",
                    aliases=("RAG",), categories=apps, related=related("transformer model", "Vector Database")),
            # a self link, a duplicate link (by title, and by "RAG", which resolves by id before alias),
            # an acronym that is linked
            Concept("chatbot", "Chatbot", "A chatbot may use RAG to answer; a rag doll is no chatbot.",
                    categories=apps, related=related("Chatbot", "Retrieval-Augmented Generation", "RAG")),
            # the acronym in a sentence that also has it in lower case; the same broken target spelt another
            # way; an ambiguous reference; a shared alias in the text; a possessive
            Concept("evaluation", "Evaluation", "Measuring how well RAG systems answer, unlike rag rugs.",
                    body="A benchmark or a Benchmark Suite helps. The Leaderboard's top entry wins.",
                    related=related("vector database", "Benchmark", "Leaderboard")),
            Concept("leaderboard", "Leaderboard", "A ranked table of evaluation results for each Large Language Model.",
                    aliases=("Benchmark",), categories=("Evaluation",),
                    related=related("Evaluation", "Large Language Model")),
            Concept("benchmark-suite", "Benchmark Suite", "A fixed set of tasks; see the [[Leaderboard]].",
                    aliases=("benchmark",), categories=("Evaluation",), related=(wikilink("Leaderboard"),)),
            # an alias equal to another concept's title; a mention inside a wikilink label
            Concept("llm", "Large Language Model", "A model trained on text; see [[Transformer|the Attention stack]].",
                    body="Chatbots are built on it. Evaluation is hard.", aliases=("Chatbot",),
                    categories=("Models",), related=(wikilink("Transformer"), Reference("Chatbot"))),
            # an island of three, two of them with the same title
            Concept("x-alpha", "Alpha Node", "Points to the Beta Node.", categories=("Graphs",),
                    related=related("x-beta")),
            Concept("x-beta", "Beta Node", "Follows Alpha Node.", categories=("Graphs",), related=related("x-gamma")),
            Concept("x-gamma", "beta node", "Closes the loop back to alpha node and Alpha Node.",
                    categories=("Graphs",), related=related("x-alpha")),
            # isolated, uncategorised, no definition
            Concept("glossary-index", "Glossary Index"),
        ],
        source="inline",
    )


def concepts(*ids: str) -> list[dict[str, str]]:
    titles = {c.id: c.title for c in build()}
    return [{"id": i, "title": titles[i]} for i in ids]


EXPECTED: dict[str, list[dict]] = {
    "orphans": concepts("benchmark-suite", "flash-attention", "glossary-index"),
    "dead_ends": concepts("glossary-index"),
    "isolated": concepts("glossary-index"),
    "broken_links": [
        {"source": "evaluation", "target": "vector database"},
        {"source": "rag", "target": "Vector Database"},
    ],
    "ambiguous_links": [
        {"source": "evaluation", "target": "Benchmark", "candidates": ["benchmark-suite", "leaderboard"]},
    ],
    "alias_links": [
        {"source": "rag", "target": "transformer", "via": "transformer model"},
    ],
    "one_way_links": [
        {"source": "benchmark-suite", "target": "leaderboard"},
        {"source": "chatbot", "target": "rag"},
        {"source": "flash-attention", "target": "transformer"},
        {"source": "leaderboard", "target": "llm"},
        {"source": "llm", "target": "chatbot"},
        {"source": "llm", "target": "transformer"},
        {"source": "rag", "target": "transformer"},
        {"source": "x-alpha", "target": "x-beta"},
        {"source": "x-beta", "target": "x-gamma"},
        {"source": "x-gamma", "target": "x-alpha"},
    ],
    "self_links": [{"source": "chatbot", "target": "Chatbot"}],
    "duplicate_links": [{"source": "chatbot", "target": "rag", "count": 2}],
    "unlinked_mentions": [
        {"source": "evaluation", "target": "benchmark-suite", "mention": "Benchmark Suite", "count": 1},
        {"source": "evaluation", "target": "rag", "mention": "RAG", "count": 1},
        {"source": "flash-attention", "target": "attention", "mention": "attention", "count": 1},
        {"source": "llm", "target": "evaluation", "mention": "Evaluation", "count": 1},
        {"source": "transformer", "target": "flash-attention", "mention": "Flash Attention", "count": 1},
        {"source": "x-beta", "target": "x-alpha", "mention": "Alpha Node", "count": 1},
    ],
    "alias_collisions": [
        {"alias": "Benchmark", "concepts": ["benchmark-suite", "leaderboard"]},
        {"alias": "Chatbot", "concepts": ["chatbot", "llm"]},
    ],
    "duplicate_titles": [{"title": "Beta Node", "concepts": ["x-beta", "x-gamma"]}],
    "uncategorised": concepts("evaluation", "glossary-index"),
    "missing_definitions": concepts("glossary-index"),
    "disconnected_clusters": [{"concepts": ["x-alpha", "x-beta", "x-gamma"], "size": 3}],
    # No hierarchy and nothing deprecated here: tests/test_hierarchy.py has their cases.
    "deprecated_links": [],
    "hierarchy_cycles": [],
    "relation_clashes": [],
    "polyhierarchy": [],
}


@pytest.fixture(scope="module")
def report_json() -> dict:
    return run_audit(LocalStore(build())).to_json()


def test_every_check_has_an_expectation() -> None:
    assert set(EXPECTED) == set(CHECKS) == set(FIELDS) == set(SEVERITY)


@pytest.mark.parametrize("check", CHECKS)
def test_check(report_json: dict, check: str) -> None:
    assert report_json["checks"][check] == EXPECTED[check]
    assert report_json["summary"][check] == len(EXPECTED[check])
    assert all(tuple(f) == FIELDS[check] for f in report_json["checks"][check])


def test_summary_counts_and_coverage(report_json: dict) -> None:
    summary = report_json["summary"]
    assert list(summary)[: len(CHECKS)] == list(CHECKS)
    assert summary["concepts"] == 13
    assert summary["links"] == 14
    assert {k: summary[k] for k in summary if k.startswith("share_") or k == "reciprocity"} == {
        "share_with_incoming": round(10 / 13, 4),
        "share_with_outgoing": round(12 / 13, 4),
        "reciprocity": round(4 / 14, 4),
        # linked mention pairs: chatbot-rag, evaluation-leaderboard, leaderboard-evaluation, leaderboard-llm,
        # x-gamma-x-alpha; unlinked: the six findings above
        "share_mentions_linked": round(5 / 11, 4),
        "share_in_largest_cluster": round(9 / 13, 4),
        "share_categorised": round(11 / 13, 4),
    }
    assert summary["allowed"] == dict.fromkeys(CHECKS, 0)


def test_wanted_groups_spellings(report_json: dict) -> None:
    assert report_json["wanted"] == [{"target": "Vector Database", "count": 2, "sources": ["evaluation", "rag"]}]


def test_worklist(report_json: dict) -> None:
    work = report_json["worklist"]
    assert work["wanted"] == report_json["wanted"]
    assert work["orphans"] == [
        {"id": "benchmark-suite", "title": "Benchmark Suite", "mentioned_by": 1},
        {"id": "flash-attention", "title": "Flash Attention", "mentioned_by": 1},
        {"id": "glossary-index", "title": "Glossary Index", "mentioned_by": 0},
    ]
    assert work["unlinked_mentions"] == EXPECTED["unlinked_mentions"]
    # one-way links whose target mentions the source: the missing link back is already in the text
    assert work["one_way_links"] == [
        {"source": "flash-attention", "target": "transformer", "mentions": 1},
        {"source": "x-alpha", "target": "x-beta", "mentions": 1},
    ]


def test_worklist_ranks_by_count() -> None:
    glossary = Glossary([
        Concept("a", "Alpha", "Beta, Beta and Gamma.", related=related("Nowhere")),
        Concept("b", "Beta", "Gamma.", related=related("Nowhere", "Elsewhere")),
        Concept("c", "Gamma", "Alpha."),
        Concept("d", "Delta", related=related("Nowhere")),
    ])
    work = run_audit(glossary, worklist_limit=2).to_json()["worklist"]
    assert work["wanted"] == [
        {"target": "Nowhere", "count": 3, "sources": ["a", "b", "d"]},
        {"target": "Elsewhere", "count": 1, "sources": ["b"]},
    ]
    assert work["unlinked_mentions"] == [
        {"source": "a", "target": "b", "mention": "Beta", "count": 2},
        {"source": "a", "target": "c", "mention": "Gamma", "count": 1},
    ]
    assert work["orphans"] == [
        {"id": "c", "title": "Gamma", "mentioned_by": 2},
        {"id": "a", "title": "Alpha", "mentioned_by": 1},
    ]


def test_ranked_orders_every_finding_as_the_worklist_does_and_progress_is_reported() -> None:
    glossary = Glossary([
        Concept("a", "Alpha", "Beta, Beta and Gamma.", related=related("Nowhere")),
        Concept("b", "Beta", "Gamma.", related=related("Nowhere", "Elsewhere")),
        Concept("c", "Gamma", "Alpha."),
        Concept("d", "Delta", related=related("Nowhere")),
    ])
    steps: list[tuple[float, str]] = []
    report = run_audit(glossary, worklist_limit=1, progress=lambda share, step: steps.append((share, step)))
    broken = report.findings["broken_links"]
    assert [(broken[i]["source"], broken[i]["target"]) for i in report.ranked("broken_links")] == [
        ("a", "Nowhere"), ("b", "Nowhere"), ("d", "Nowhere"), ("b", "Elsewhere"),
    ]
    orphans = report.findings["orphans"]
    assert [orphans[i]["id"] for i in report.ranked("orphans")] == ["c", "a", "b", "d"]  # past the worklist limit
    mentions = report.findings["unlinked_mentions"]
    assert [mentions[i]["count"] for i in report.ranked("unlinked_mentions")][:2] == [2, 1]
    assert report.ranked("dead_ends") == list(range(report.count("dead_ends")))  # unranked: as listed
    assert steps[0] == (0.0, "reading the links") and steps[-1] == (1.0, "done")
    assert [share for share, _ in steps] == sorted(share for share, _ in steps)
    assert sum(step.startswith("checking ") for _, step in steps) == len(report.checks)


def test_csv_text_has_the_fields_lists_joined_and_allowed_when_any_is() -> None:
    report = run_audit(build(), ["broken_links", "disconnected_clusters"],
                       allow=AllowList.parse("allow:\n  broken_links:\n    - evaluation\n", "allow.yaml"))
    lines = report.csv_text("broken_links").splitlines()
    assert lines[0] == "source,target,allowed"
    assert lines[1:] == ["evaluation,vector database,True", "rag,Vector Database,False"]
    assert len(lines) == 1 + report.count("broken_links")
    clusters = report.csv_text("disconnected_clusters").splitlines()
    assert clusters[:2] == ["concepts,size", "x-alpha; x-beta; x-gamma,3"]  # nothing allowed: no column


def test_checks_are_pure_functions_of_the_data() -> None:
    from graph.audit import REGISTRY

    data = AuditData.from_glossary(build())
    for check in CHECKS:
        assert REGISTRY[check].run(data) == EXPECTED[check]


def test_registry_registers_exactly_the_named_checks_in_report_order() -> None:
    from graph.audit import REGISTRY
    from graph.kinds import CHECK_NAMES

    assert tuple(REGISTRY) == CHECK_NAMES == tuple(CHECKS)


def test_selected_checks_only() -> None:
    report = run_audit(build(), ["self_links,orphans"]).to_json()
    assert list(report["checks"]) == ["orphans", "self_links"]
    assert "wanted" not in report
    assert set(report["worklist"]) == {"orphans"}


def test_mentions_not_scanned_without_a_check_that_needs_them() -> None:
    summary = run_audit(build(), ["broken_links"]).to_json()["summary"]
    assert summary["share_mentions_linked"] is None
    assert summary["broken_links"] == 2


@pytest.mark.parametrize("names", [["orphan"], ["orphans,nope"]])
def test_unknown_check_name(names: list[str]) -> None:
    with pytest.raises(UsageError, match="unknown check"):
        check_names(names)


def test_empty_glossary() -> None:
    report = run_audit(Glossary([])).to_json()
    assert all(report["checks"][c] == [] for c in CHECKS)
    assert report["summary"]["concepts"] == 0
    assert report["summary"]["share_with_incoming"] is None
    assert report["summary"]["reciprocity"] is None


def test_duplicate_links_count_related_entries_only() -> None:
    glossary = Glossary([
        # a related entry repeated in prose is not a duplicate; the same broken target listed twice is
        Concept("a", "Alpha", "See [[Beta]].", related=related("Beta", "Nowhere", "nowhere")),
        Concept("b", "Beta", related=related("Alpha", "alpha", "a")),
    ])
    assert run_audit(glossary, ["duplicate_links"]).to_json()["checks"]["duplicate_links"] == [
        {"source": "a", "target": "Nowhere", "count": 2},
        {"source": "b", "target": "a", "count": 3},
    ]


def test_wanted_ranks_by_demand() -> None:
    findings = [
        {"source": "a", "target": "Zeta"},
        {"source": "b", "target": "zeta"},
        {"source": "c", "target": "zeta"},
        {"source": "a", "target": "Eta"},
    ]
    assert wanted(findings) == [
        {"target": "zeta", "count": 3, "sources": ["a", "b", "c"]},
        {"target": "Eta", "count": 1, "sources": ["a"]},
    ]


def test_clusters_order_and_largest() -> None:
    glossary = Glossary([
        Concept("a", "A1", related=related("b")), Concept("b", "B1"),
        Concept("c", "C1", related=related("d", "e")), Concept("d", "D1"), Concept("e", "E1"),
        Concept("f", "F1", related=related("g")), Concept("g", "G1"),
        Concept("h", "H1"),
    ])
    data = AuditData.from_glossary(glossary)
    assert run_audit(data, ["disconnected_clusters"]).findings["disconnected_clusters"] == [
        {"concepts": ["a", "b"], "size": 2},
        {"concepts": ["f", "g"], "size": 2},
    ]
    assert coverage(data)["share_in_largest_cluster"] == round(3 / 8, 4)


def test_a_store_may_answer_a_check_itself() -> None:
    class Answering(LocalStore):
        def audit_check(self, name: str) -> list[dict] | None:
            return [{"id": "from-the-store", "title": "Cypher"}] if name == "orphans" else None

    report = run_audit(Answering(build()), ["orphans", "dead_ends"])
    assert report.findings == {
        "orphans": [{"id": "from-the-store", "title": "Cypher"}],
        "dead_ends": EXPECTED["dead_ends"],
    }


# -- a real Markdown folder through the loader -------------------------------------------------


def test_markdown_vault(data_dir: Path) -> None:
    report = run_audit(loaders.load(data_dir / "audit" / "vault")).to_json()
    checks = {check: findings for check, findings in report["checks"].items() if findings}
    # Every finding says where it is written: the title line, the reference's line, the first mention's line.
    assert checks == {
        "orphans": [
            {"id": "rag", "title": "Retrieval-Augmented Generation", "file": "rag.md", "line": 2},
            {"id": "reading-notes", "title": "Reading notes", "file": "reading-notes.md", "line": 1},
        ],
        "dead_ends": [{"id": "transformer", "title": "Transformer", "file": "transformer.md", "line": 2}],
        "broken_links": [
            {"source": "rag", "target": "Vector Store", "file": "rag.md", "line": 5},
            {"source": "reading-notes", "target": "Vector Store", "file": "reading-notes.md", "line": 3},
        ],
        "alias_links": [
            {"source": "rag", "target": "transformer", "via": "Transformer model", "file": "rag.md", "line": 5},
        ],
        "one_way_links": [
            {"source": "attention", "target": "transformer", "file": "attention.md", "line": 5},
            {"source": "rag", "target": "transformer", "file": "rag.md", "line": 5},
            {"source": "reading-notes", "target": "attention", "file": "reading-notes.md", "line": 3},
        ],
        # "rag" in lower case, the wikilink label "how attention works", `Attention()` in code,
        # the fenced block and the front matter tags are not mentions
        "unlinked_mentions": [
            {"source": "reading-notes", "target": "rag", "mention": "RAG", "count": 1,
             "file": "reading-notes.md", "line": 3},
            {"source": "transformer", "target": "attention", "mention": "attention", "count": 1,
             "file": "transformer.md", "line": 7},
        ],
        "uncategorised": [{"id": "reading-notes", "title": "Reading notes", "file": "reading-notes.md", "line": 1}],
    }
    assert report["wanted"] == [{"target": "Vector Store", "count": 2, "sources": ["rag", "reading-notes"]}]


# -- suggestions -------------------------------------------------------------------------------


AA3, AA2 = round(1 / math.log(3), 4), 1 / math.log(2)  # Adamic-Adar weight of a neighbour of degree 3, 2


@pytest.mark.parametrize(
    ("concept", "limit", "expected"),
    [
        ("Evaluation", 3, [
            ("benchmark-suite", round(2 + AA3, 4), ["mentions 'Benchmark Suite'", "1 shared neighbour: leaderboard"]),
            ("rag", 2.0, ["mentions 'RAG'"]),
            ("llm", AA3, ["1 shared neighbour: leaderboard"]),
        ]),
        ("x-beta", 5, [
            ("x-alpha", round(2 + 1.5 + AA2 + 0.5, 4),
             ["mentions 'Alpha Node'", "links here", "1 shared neighbour: x-gamma", "same category: Graphs"]),
        ]),
        ("transformer", 3, [
            ("flash-attention", 4.0, ["mentions 'Flash Attention'", "links here", "same category: Architecture"]),
            ("chatbot", round(1 / math.log(3) + AA2, 4), ["2 shared neighbours: llm, rag"]),
            ("llm", 1.5, ["links here"]),
        ]),
        ("Glossary Index", 5, []),
    ],
)
def test_suggest_for_one_concept(concept: str, limit: int, expected: list) -> None:
    result = suggest(LocalStore(build()), concept, limit=limit)
    assert [(s.target, s.score, list(s.reasons)) for s in result.suggestions] == expected
    assert {s.source for s in result.suggestions} <= {result.concept}


def test_suggest_fills_from_the_category_best_linked_first() -> None:
    glossary = Glossary([
        Concept("new", "Newcomer", categories=("Models",)),
        Concept("hub", "Hub", categories=("Models",)),
        Concept("leaf", "Leaf", categories=("Models",), related=related("Hub")),
        Concept("other", "Other", categories=("Data",), related=related("Hub")),
    ])
    result = suggest(glossary, "new", limit=2)
    assert [(s.target, s.score, s.reasons) for s in result.suggestions] == [
        ("hub", 0.5, ("same category: Models",)),
        ("leaf", 0.5, ("same category: Models",)),
    ]


def test_suggest_for_every_concept_is_sorted_by_source() -> None:
    result = suggest(build(), limit=1)
    assert result.concept is None
    assert [(s.source, s.target) for s in result.suggestions] == [
        ("attention", "flash-attention"),
        ("benchmark-suite", "evaluation"),
        ("chatbot", "transformer"),
        ("evaluation", "benchmark-suite"),
        ("flash-attention", "attention"),
        ("leaderboard", "benchmark-suite"),
        ("llm", "evaluation"),
        ("rag", "llm"),
        ("transformer", "flash-attention"),
        ("x-alpha", "x-gamma"),
        ("x-beta", "x-alpha"),
        ("x-gamma", "x-beta"),
    ]


@pytest.mark.parametrize(
    ("allow", "check", "allowed"),
    [
        ("disconnected_clusters: [x-beta]", "disconnected_clusters", [True]),
        ("disconnected_clusters: [{concepts: [X-Gamma, x-beta, x-alpha]}]", "disconnected_clusters", [True]),
        ("disconnected_clusters: [{concepts: [x-beta, x-alpha]}]", "disconnected_clusters", [False]),
        ("alias_collisions: [chatbot]", "alias_collisions", [False, True]),
        ("duplicate_titles: [BETA  node]", "duplicate_titles", [True]),
        ("ambiguous_links: [{candidates: [leaderboard, benchmark-suite]}]", "ambiguous_links", [True]),
        ("broken_links: [{target: VECTOR DATABASE}]", "broken_links", [True, True]),
        ("duplicate_links: [{source: chatbot, count: 3}]", "duplicate_links", [False]),
    ],
)
def test_allow_entries(allow: str, check: str, allowed: list[bool]) -> None:
    from graph.audit import AllowList

    report = run_audit(build(), [check], AllowList.parse(f"allow:\n  {allow}\n"))
    assert report.allowed[check] == allowed
    assert report.open_count(check) == allowed.count(False)
    assert report.to_json()["summary"]["allowed"] == {check: allowed.count(True)}


def test_the_apps_per_check_csv_neutralises_formulas() -> None:
    formula, at_sign = Reference('=HYPERLINK("https://evil.example")'), Reference("@SUM(1)")
    glossary = Glossary([Concept("a", "Alpha", related=(formula, at_sign))])
    lines = run_audit(glossary, ["broken_links"]).csv_text("broken_links").splitlines()
    assert lines == ["source,target", "a,\"'=HYPERLINK(\"\"https://evil.example\"\")\"", "a,'@SUM(1)"]
