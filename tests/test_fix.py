"""`glossgraph fix`: safe repairs round trip on Markdown (front matter and inline links), YAML, JSON and
JSONL sources. After --write the repaired findings are gone, every other finding is as it was, and
every byte outside the changed lines is kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import loaders
from graph.audit import run_audit
from graph.cli import main
from graph.fix import ModifiedError, apply, close_match, plan_fixes
from graph.kinds import LinkKind
from graph.model import Concept, Glossary, Origin, Reference

SAFE = "alias_links,duplicate_links,self_links"


def audit(source: Path) -> dict[str, list[dict[str, Any]]]:
    """Each check's findings without their line (a deleted list item moves the lines after it)."""
    checks = run_audit(loaders.load(source)).to_json()["checks"]
    return {check: [{k: v for k, v in f.items() if k != "line"} for f in found] for check, found in checks.items()}


def fix(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["fix", *args])
    out, err = capsys.readouterr()
    return code, out, err


def copy(data_dir: Path, tmp_path: Path, name: str) -> Path:
    source = data_dir / "fix" / name
    target = tmp_path / source.name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy2(source, target)
    return target


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_markdown_dry_run_then_write(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    vault = copy(data_dir, tmp_path, "markdown")
    before, untouched = audit(vault), files(vault)
    assert [len(before[c]) for c in ("alias_links", "duplicate_links", "self_links", "broken_links")] == [2, 1, 1, 3]
    code, out, err = fix(capsys, str(vault), "--check", SAFE)
    assert code == 0 and files(vault) == untouched  # a dry run writes nothing
    assert out.startswith(
        "# alpha.md:7 alias_links: 'Second Letter' is an alias of 'Beta'\n"
        "# alpha.md:9 self_links: a concept does not link to itself\n"
        "# alpha.md:13 self_links: a concept does not link to itself\n"
        "--- a/alpha.md\n+++ b/alpha.md\n"
    )
    assert "-related: [Alpha, Gamma, alpha, Delta-Letter]\n+related: [Alpha, Gamma, Delta-Letter]\n" in out
    assert "3 file(s) would change" in err

    code, _, err = fix(capsys, str(vault), "--check", SAFE, "--write")
    assert code == 0 and "3 file(s) written" in err
    after = audit(vault)
    assert after["alias_links"] == after["duplicate_links"] == after["self_links"] == []
    assert {c: f for c, f in after.items() if c not in SAFE.split(",")} == {
        c: f for c, f in before.items() if c not in SAFE.split(",")
    }
    # Comments, quotes, key order and list styles stay; only the repaired lines changed.
    assert (vault / "alpha.md").read_text(encoding="utf-8") == (
        "---\n# editors: keep the keys in this order\ntitle: Alpha\naliases: ['First Letter']\n"
        'category: "Letters"\nrelated:\n  - Beta   # the alias, written on purpose? no: fix it\n'
        "  - 'Gamma'\n---\n# Alpha\n\n"
        "Alpha comes before [[Beta|the second one]] and after nothing; see Alpha.\n"
        "It is not [[Omega]], which is missing, nor one of the [[Gammas]].\n"
    )
    assert (vault / "gamma.md").read_bytes() == untouched["gamma.md"].replace(b"[[First Letter]]", b"[[Alpha]]")
    assert (vault / "delta.md").read_bytes() == untouched["delta.md"]
    # Nothing left to do: a second run changes nothing.
    assert fix(capsys, str(vault), "--check", SAFE)[1] == ""


def test_broken_links_with_one_close_match(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                          tmp_path: Path) -> None:
    vault = copy(data_dir, tmp_path, "markdown")
    code, out, _ = fix(capsys, str(vault), "--check", "broken_links")
    assert code == 0
    assert "# alpha.md:14 broken_links: 'Gammas' matches no concept; 'Gamma' is a plural of the title\n" in out
    assert ("# beta.md:5 broken_links: 'Delta-Letter' matches no concept; 'Delta Letter' is the same words "
            "but for punctuation\n") in out
    fix(capsys, str(vault), "--check", "broken_links", "--write")
    after = audit(vault)
    # Omega has no close match: it stays for a person to decide.
    assert after["broken_links"] == [{"source": "alpha", "target": "Omega", "file": "alpha.md"}]
    assert "+It is not [[Omega]], which is missing, nor one of the [[Gamma]].\n" in out


@pytest.mark.parametrize("name", ["records/glossary.json", "records/glossary.jsonl"])
def test_json_and_jsonl_round_trip(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path,
                                   name: str) -> None:
    path = copy(data_dir, tmp_path, name)
    before = audit(path)
    assert [len(before[c]) for c in ("alias_links", "duplicate_links", "self_links", "broken_links")] == [1, 1, 1, 1]
    assert fix(capsys, str(path), "--check", SAFE, "--write")[0] == 0
    after = audit(path)
    assert after["alias_links"] == after["duplicate_links"] == after["self_links"] == []
    assert {c: f for c, f in after.items() if c not in SAFE.split(",")} == {
        c: f for c, f in before.items() if c not in SAFE.split(",")
    }
    assert fix(capsys, str(path), "--write")[0] == 0
    assert audit(path)["broken_links"] == []
    text = path.read_text(encoding="utf-8")
    assert '"related": ["Alpha", "Gamma"]' in text  # alias and plural repaired in the same style
    if path.suffix == ".json":
        # The last element of a multi-line array went with the comma before it: still valid JSON, same layout.
        assert '      "related": [\n        "Beta"\n      ]\n' in text
    else:
        first = '{"id": "alpha", "title": "Alpha", "aliases": ["First Letter"], "related": ["Beta"]}'
        assert text.splitlines()[0] == first


def test_yaml_round_trip(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    shutil.copy2(data_dir / "audit" / "locations" / "glossary.yaml", path)
    original = path.read_text(encoding="utf-8").split("\n")
    before = audit(path)
    assert fix(capsys, str(path), "--write")[0] == 0
    after = audit(path)
    assert after["alias_links"] == after["duplicate_links"] == []
    assert {c: f for c, f in after.items() if c not in SAFE.split(",")} == {
        c: f for c, f in before.items() if c not in SAFE.split(",")
    }
    # Line 17 (the second "embedding") is gone and line 24's alias became the title; nothing else moved.
    expected = [*original[:16], *original[17:23], "      - Vector Index", *original[24:]]
    assert path.read_text(encoding="utf-8").split("\n") == expected


def test_write_refuses_a_file_changed_since_read(data_dir: Path, tmp_path: Path) -> None:
    path = copy(data_dir, tmp_path, "records/glossary.jsonl")
    plan = plan_fixes(loaders.load(path))
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    edited = path.read_bytes()
    with pytest.raises(ModifiedError, match="changed since fix read it"):
        apply(plan)
    assert path.read_bytes() == edited
    assert [p.name for p in tmp_path.iterdir()] == ["glossary.jsonl"]  # no temporary file left behind


def test_close_match_rules() -> None:
    concepts = [Concept("t", "Transformer"), Concept("m", "Model"), Concept("ms", "Models"), Concept("q", "Q&A")]
    assert close_match("Transformr", concepts) == ("t", "a fuzzy match (score 95)")
    assert close_match("Q-A", concepts) == ("q", "the same words but for punctuation")
    assert close_match("Modelss", concepts) is None  # a plural of two concepts: no single match
    assert close_match("Transformation", concepts) is None


def test_bulk_matching_scores_only_labels_of_near_length_and_misses_nothing() -> None:
    """CloseMatcher scores a window of label lengths in bulk; every label scored one by one finds the same matches."""
    import random

    from rapidfuzz import fuzz

    from graph.fix import FUZZY_MATCH, CloseMatcher
    from graph.synthetic import synthetic_glossary
    from graph.text import normalise

    concepts = synthetic_glossary(600, seed=11).concepts
    chance = random.Random(4)
    written = []
    for concept in chance.sample(concepts, 150):
        title = concept.title
        cut = chance.randrange(len(title))
        # A letter dropped, doubled or changed, or a word added: near and far misspellings.
        written += [title[:cut] + title[cut + 1:], title[:cut] + title[cut] + title[cut:],
                    title[:cut] + "x" + title[cut + 1:], title + " layer"]
    found = CloseMatcher(concepts).match(written)
    labels = [(normalise(label), c.id) for c in concepts for label in (c.title, *c.aliases)]
    fuzzy = 0
    for text in written:
        match = found[text]
        if match is None or match[1].startswith("a fuzzy match"):
            key = normalise(text)
            best: dict[str, float] = {}
            for label, cid in labels:
                score = fuzz.ratio(label, key)
                if score >= FUZZY_MATCH:
                    best[cid] = max(best.get(cid, 0.0), score)
            expected = None
            if len(best) == 1:
                ((cid, score),) = best.items()
                expected = (cid, f"a fuzzy match (score {score:.0f})")
            if match is None and expected is not None:
                pytest.fail(f"{text!r}: missed {expected}")
            if match is not None:
                fuzzy += 1
                assert match == expected, text
    assert fuzzy > 50  # the fuzzy rule, not only the exact ones, was exercised


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check", "orphans"], "fix cannot repair orphans"),
        (["--check", "nope"], "unknown check 'nope'"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], data_dir: Path, args: list[str], message: str) -> None:
    code, _, err = fix(capsys, str(data_dir / "fix" / "markdown"), *args)
    assert code == 2 and message in err


def test_neo4j_sources_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fix(capsys, "bolt://127.0.0.1:1", "--dataset", "x")
    assert code == 2 and "fix edits the glossary's files" in err


def test_formats_fix_cannot_edit(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, _, err = fix(capsys, str(data_dir / "audit" / "locations" / "glossary.csv"))
    assert code == 2 and "fix repairs Markdown, YAML, JSON and JSONL sources, not csv" in err


@pytest.mark.parametrize("name", ["markdown", "records/glossary.json", "records/glossary.jsonl"])
def test_one_way_links_only_when_named(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path,
                                       name: str) -> None:
    path = copy(data_dir, tmp_path, name)
    before = audit(path)
    assert before["one_way_links"]
    # Not among the default repairs: adding links is an editor's call.
    assert "one_way_links" not in fix(capsys, str(path))[1]
    assert fix(capsys, str(path), "--check", "one_way_links", "--write")[0] == 0
    after = audit(path)
    # Every target that has a related list now links back; the rest (no list to add to) stay.
    glossary = loaders.load(path)
    listed = {c.id for c in glossary if any(r.kind == "related" for r in c.related)}
    assert after["one_way_links"] == [f for f in before["one_way_links"] if f["target"] not in listed]
    for check in ("broken_links", "alias_links", "self_links", "duplicate_links"):
        assert after[check] == before[check]


def test_one_way_links_in_a_yaml_block_list(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                           tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    shutil.copy2(data_dir / "audit" / "locations" / "glossary.yaml", path)
    original = path.read_text(encoding="utf-8").split("\n")
    code, _, _ = fix(capsys, str(path), "--check", "one_way_links", "--write")
    assert code == 0
    # vector-index's block list gains "- Retrieval" after its last entry, indented alike.
    assert path.read_text(encoding="utf-8").split("\n") == [*original[:17], "      - Retrieval", *original[17:]]
    assert audit(path)["one_way_links"] == []


@pytest.mark.parametrize("name", ["audit/vault", "audit/locations/glossary.yaml", "audit/locations/glossary.jsonl",
                                  "fix/records/glossary.json", "fix/markdown"])
def test_unlinked_mentions_only_when_named(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path,
                                           name: str) -> None:
    source = data_dir / name
    path = tmp_path / source.name
    if source.is_dir():
        shutil.copytree(source, path)
    else:
        shutil.copy2(source, path)
    before = audit(path)
    assert before["unlinked_mentions"]
    assert "unlinked_mentions" not in fix(capsys, str(path))[1]  # never by default: it edits prose
    assert fix(capsys, str(path), "--check", "unlinked_mentions", "--write")[0] == 0
    after = audit(path)
    assert after["unlinked_mentions"] == []
    for check in ("broken_links", "self_links", "duplicate_links", "alias_links"):
        assert after[check] == before[check]
    if name == "audit/vault":
        # A mention in a note's text becomes a wikilink, by title (an acronym alias keeps its words as the label).
        notes = (path / "reading-notes.md").read_text(encoding="utf-8")
        assert notes.startswith("# Reading notes\n\n[[Retrieval-Augmented Generation|RAG]] and rag are different")
        assert "A network of stacked [[attention]] blocks.\n\nIn code, `Attention()` is not prose:" in (
            path / "transformer.md"
        ).read_text(encoding="utf-8")
    if name == "fix/markdown":
        # The mention is in the front matter's definition, which holds no link: the flow list gains it.
        assert "definition: The letter after Delta Letter.\nrelated: [Alpha, Beta, Delta Letter]\n" in (
            path / "gamma.md").read_text(encoding="utf-8")
    if name == "fix/records/glossary.json":
        assert '"definition": "The letter after Gamma.", "related": ["Alpha", "Gamma"]}' in path.read_text(
            encoding="utf-8")


def test_markdown_links_round_trip(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    """Notes that link the standard Markdown way: self links unlinked, broken ones pointed at the close match's
    file in the style written, and first mentions linked as [text](path) where the note or glossary writes so."""
    vault = copy(data_dir, tmp_path, "mdlinks")
    before, untouched = audit(vault), files(vault)
    chosen = ("self_links", "broken_links", "unlinked_mentions")
    assert [len(before[c]) for c in chosen] == [1, 4, 3]
    code, _, err = fix(capsys, str(vault), "--check", ",".join(chosen), "--write")
    assert code == 0 and "4 file(s) written" in err and "skipped" not in err
    after = audit(vault)
    assert after["self_links"] == after["unlinked_mentions"] == []
    # Omega has no close match: left for a person.
    assert after["broken_links"] == [{"source": "alpha", "target": "omega", "file": "alpha.md"}]
    for check in ("alias_links", "duplicate_links", "alias_collisions", "duplicate_titles", "uncategorised",
                  "missing_definitions", "ambiguous_links"):
        assert after[check] == before[check]
    changed = {name for name, data in files(vault).items() if data != untouched[name]}
    assert changed == {"alpha.md", "delta-letter.md", "terms/beta.md", "terms/gamma.md"}
    assert (vault / "alpha.md").read_text(encoding="utf-8") == (
        "---\ntitle: Alpha\ncategory: Letters\n---\n# Alpha\n\n"
        "Alpha is written before [Beta](terms/beta.md) and this very page.\n"
        "See [the gammas](terms/gamma.md#usage) and [Omega](omega.md), which is not written yet.\n"
        "In code, `[Beta](terms/beta.md)` is only an example.\n"
        "Alpha is kept in a [Vector Store](Vector%20Store.md) too.\n"
    )
    # The note's own links are mixed, one of each: the glossary's form (Markdown links) decides, path relative.
    assert "[Gamma](gamma.md) comes third, and [[Delta Letter]] fourth.\n" in (
        vault / "terms" / "beta.md").read_text(encoding="utf-8")
    # A note that writes wikilinks gets a wikilink.
    assert (vault / "delta-letter.md").read_text(encoding="utf-8").endswith(
        "Delta Letter links back to [[Gamma]] and to [[Alpha]]; [[Beta]] comes before Gamma.\n")
    # Extension-less and <bracketed> destinations keep their style; the #section stays.
    assert (vault / "terms" / "gamma.md").read_text(encoding="utf-8").endswith(
        "Its neighbour Delta Letter is [the fourth](../delta-letter.md), written [Betas](beta) by some.\n"
        "See also [the stores](<../Vector Store.md#top>).\n")
    assert fix(capsys, str(vault), "--check", ",".join(chosen))[1] == ""  # nothing left to do


def test_link_style_follows_the_glossary(tmp_path: Path) -> None:
    """Which link form a mention fix writes: the note's own majority, else the glossary's, else a wikilink."""
    from graph.fix import _link_styles

    def note(cid: str, *kinds: LinkKind) -> Concept:
        return Concept(cid, cid.title(), related=tuple(Reference(f"x{i}", kind) for i, kind in enumerate(kinds)),
                       origin=Origin(f"{cid}.md", 2))

    glossary = Glossary([note("a", "markdown", "markdown", "markdown", "wikilink"), note("b", "wikilink"), note("c"),
                         note("d", "markdown", "wikilink", "related")])
    assert _link_styles(glossary) == {"a": "markdown", "b": "wikilink", "c": "markdown", "d": "markdown"}
    assert set(_link_styles(Glossary([note("e"), note("f", "related")])).values()) == {"wikilink"}


def test_yaml_every_repair_round_trip(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    """Each repair on a YAML glossary (block and flow lists, comments, quotes, a folded definition): the repaired
    findings go, the rest stay, and only the repaired lines change."""
    path = copy(data_dir, tmp_path, "records/glossary.yaml")
    original = path.read_text(encoding="utf-8").split("\n")
    before = audit(path)
    assert [len(before[c]) for c in ("alias_links", "duplicate_links", "self_links", "broken_links",
                                     "unlinked_mentions")] == [1, 1, 1, 1, 1]
    assert fix(capsys, str(path), "--write")[0] == 0
    after = audit(path)
    for check in ("alias_links", "duplicate_links", "self_links", "broken_links"):
        assert after[check] == [], check
    assert after["unlinked_mentions"] == before["unlinked_mentions"]
    # Lines 8 and 9 (the second Beta and the self link, comments with them) went; line 12 names Alpha and Gamma.
    assert path.read_text(encoding="utf-8").split("\n") == [
        *original[:7], *original[9:11], "    related: [Alpha, Gamma]", *original[12:]]

    assert fix(capsys, str(path), "--check", "unlinked_mentions", "--write")[0] == 0
    mentioned = audit(path)
    assert mentioned["unlinked_mentions"] == []
    # A folded definition holds no link: Gamma joins delta's block list instead.
    assert path.read_text(encoding="utf-8").endswith("    related:\n      - Alpha\n      - Gamma\n")

    assert fix(capsys, str(path), "--check", "one_way_links", "--write")[0] == 0
    final = audit(path)
    assert final["one_way_links"] == []
    # Two links back into one block list: each after the one added before it.
    text = path.read_text(encoding="utf-8")
    assert "    related:\n      - Beta\n      - Delta\n      - Gamma\n  - id: beta\n" in text
    assert "    related: [Alpha, 'Beta', Delta]\n" in text
    for check in ("alias_links", "duplicate_links", "self_links", "broken_links", "unlinked_mentions"):
        assert final[check] == [], check
    assert text.startswith("# The letters, kept by hand: comments, quotes and both list styles must survive a fix.\n")
