"""`glossgraph audit --history DIR`: each check's count across dated snapshots, in every format the
project's exports load back from, dated by name, manifest or mtime; and the Audit page's chart."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.audit import history as history_module
from graph.audit.history import audit_history, date_of
from graph.cli import main
from graph.exports import export
from graph.model import Concept, Glossary, Reference
from graph.snapshot import snapshot

CHECKS = "orphans,broken_links,unlinked_mentions"


def week(fixed: int) -> Glossary:
    """A four-concept glossary an editor improves week by week: ``fixed`` of its three broken links repaired."""
    targets = ["Beta", "Gamma", "Delta"]
    written = [t if i < fixed else t + "z" for i, t in enumerate(targets)]
    return Glossary([
        Concept("alpha", "Alpha", "Alpha comes first, well before Delta.",
                related=tuple(Reference(t) for t in written)),
        Concept("beta", "Beta", "Beta follows Alpha.", related=(Reference("Alpha"),)),
        Concept("gamma", "Gamma", "Gamma is third."),
        Concept("delta", "Delta", "Delta is fourth; Gamma came before."),
    ])


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Five snapshots of the glossary, one per format the loaders read back, dated three ways."""
    root = tmp_path / "history"
    root.mkdir()
    snapshot(week(0), root / "2026-W15")  # a snapshot folder dated by name
    export(week(1), "json", root / "glossary-2026-W16.json")
    export(week(2), "graphml", root / "glossary-2026-04-20.graphml")  # a day, Monday of W17
    snapshot(week(3), root / "latest", created_at=datetime(2026, 4, 28, 23, 30, tzinfo=UTC))  # by its manifest
    export(week(3), "gexf", root / "unnamed.gexf")
    moment = datetime(2026, 5, 6, 12, tzinfo=UTC).timestamp()
    os.utime(root / "unnamed.gexf", (moment, moment))  # by its mtime
    (root / "README.md").write_text("Weekly snapshots of the glossary.\n", encoding="utf-8")  # not a snapshot
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_counts_per_date(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    code, out, _ = run(capsys, "--history", str(folder), "--check", CHECKS, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["folder"] == str(folder) and report["checks"] == CHECKS.split(",")
    assert [(s["date"], s["day"], s["file"], s["dated_by"]) for s in report["snapshots"]] == [
        ("2026-W15", "2026-04-06", "2026-W15", "name"),
        ("2026-W16", "2026-04-13", "glossary-2026-W16.json", "name"),
        ("2026-04-20", "2026-04-20", "glossary-2026-04-20.graphml", "name"),
        ("2026-04-28", "2026-04-28", "latest", "manifest"),
        ("2026-05-06", "2026-05-06", "unnamed.gexf", "mtime"),
    ]
    # Each broken link fixed is one finding less and one link more; gamma and delta stop being orphans.
    assert [s["counts"] for s in report["snapshots"]] == [
        {"orphans": 3, "broken_links": 3, "unlinked_mentions": 2},
        {"orphans": 2, "broken_links": 2, "unlinked_mentions": 2},
        {"orphans": 1, "broken_links": 1, "unlinked_mentions": 2},
        {"orphans": 0, "broken_links": 0, "unlinked_mentions": 1},
        {"orphans": 0, "broken_links": 0, "unlinked_mentions": 1},
    ]
    assert [(s["concepts"], s["links"]) for s in report["snapshots"]] == [(4, 1), (4, 2), (4, 3), (4, 4), (4, 4)]


def test_table_and_csv(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    code, out, _ = run(capsys, "--history", str(folder), "--check", "broken_links")
    assert code == 0
    rows = [line for line in out.splitlines() if "│" in line]
    cells = [[c.strip() for c in row.split("│")[1:-1]] for row in rows]
    assert cells == [
        ["concepts", "4", "4", "4", "4", "4"],
        ["links", "1", "2", "3", "4", "4"],
        ["broken_links", "3", "2", "1", "0", "0"],
    ]
    assert "2026-W15" in out and "2026-05-06" in out
    code, out, _ = run(capsys, "--history", str(folder), "--check", "broken_links,orphans", "--format", "csv")
    assert out == (
        "date,file,dated_by,concepts,links,orphans,broken_links\n"
        "2026-W15,2026-W15,name,4,1,3,3\n"
        "2026-W16,glossary-2026-W16.json,name,4,2,2,2\n"
        "2026-04-20,glossary-2026-04-20.graphml,name,4,3,1,1\n"
        "2026-04-28,latest,manifest,4,4,0,0\n"
        "2026-05-06,unnamed.gexf,mtime,4,4,0,0\n"
    )


def test_csv_cells_are_spreadsheet_safe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    export(week(1), "json", tmp_path / "=HYPERLINK(1)-2026-W16.json")
    code, out, _ = run(capsys, "--history", str(tmp_path), "--check", "orphans", "--format", "csv")
    assert code == 0
    assert out.splitlines()[1] == "2026-W16,'=HYPERLINK(1)-2026-W16.json,name,4,2,2"


def test_csv_export_folders_are_snapshots_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    export(week(2), "csv", tmp_path / "2026-W17")
    code, out, _ = run(capsys, "--history", str(tmp_path), "--check", "broken_links", "--format", "csv")
    assert code == 0 and out.splitlines()[1:] == ["2026-W17,2026-W17,name,4,3,1"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("2026-W18.json", b'{"format": "glossgraph", "nodes": [', "2026-W18.json"),
        ("2026-W19.json", b'{"concepts": [{"id": "a", "title": "A"}]}',
         "2026-W19.json: not a glossgraph snapshot"),
        ("2026-W20.graphml", b"<graphml><graph>", "2026-W20.graphml"),
    ],
)
def test_an_unreadable_snapshot_is_named(capsys: pytest.CaptureFixture[str], folder: Path, name: str,
                                         content: bytes, message: str) -> None:
    (folder / name).write_bytes(content)
    code, out, err = run(capsys, "--history", str(folder))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_a_folder_that_is_no_snapshot_is_named(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "notes.txt").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "--history", str(folder))
    assert code == 2 and f"{folder / 'drafts'}" in err and "not a glossgraph snapshot" in err


def test_empty_folders_and_bad_usage(capsys: pytest.CaptureFixture[str], folder: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("nothing yet\n", encoding="utf-8")
    code, _, err = run(capsys, "--history", str(empty))
    assert code == 2 and f"error: {empty}: no snapshots in this folder" in err
    code, _, err = run(capsys, "--history", str(tmp_path / "nowhere"))
    assert code == 2 and "no such folder" in err
    for args, message in [
        ([str(folder), "--history", str(folder)], "give SOURCE or --history DIR, not both"),
        (["--history", str(folder), "--format", "sarif"], "--history prints table, json, csv, not sarif"),
        (["--history", str(folder), "--fail-on", "error"], "--fail-on apply to one audit, not to --history"),
        (["--history", str(folder), "--check", "nope"], "unknown check 'nope'"),
        ([], "give the glossary to audit (SOURCE), or --history DIR"),
    ]:
        code, _, err = run(capsys, *args)
        assert code == 2 and message in err, (args, err)


def test_two_snapshots_of_one_date(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    export(week(1), "graphml", folder / "2026-W16.graphml")
    code, _, err = run(capsys, "--history", str(folder))
    assert code == 2 and "two snapshots are dated 2026-W16: 2026-W16.graphml and glossary-2026-W16.json" in err


def test_each_snapshot_is_audited_once_per_version(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audited: list[str] = []
    real = history_module.run_audit

    def counting(glossary: Glossary, *args: object, **kwargs: object) -> object:
        audited.append(glossary.source)
        return real(glossary, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history_module, "run_audit", counting)
    first = audit_history(folder, ["broken_links"])
    assert len(audited) == 5
    assert audit_history(folder, ["broken_links"]) == first and len(audited) == 5
    # A snapshot rewritten in place (new bytes, new mtime) is audited again, and only it.
    export(week(3), "json", folder / "glossary-2026-W16.json", force=True)
    os.utime(folder / "glossary-2026-W16.json", ns=(1, 1))
    again = audit_history(folder, ["broken_links"])
    assert len(audited) == 6 and audited[-1].endswith("glossary-2026-W16.json")
    assert [s.counts["broken_links"] for s in again.snapshots] == [3, 0, 1, 0, 0]


def test_dates() -> None:
    assert date_of("g-2026-W01.json", None, 0)[:2] == ("2026-W01", datetime(2025, 12, 29).date())
    # No week 60, no 31 February: the name has no date, so the manifest's time (here absent) or mtime decides.
    assert date_of("2026-W60", None, 0) == ("1970-01-01", datetime(1970, 1, 1).date(), "mtime")
    assert date_of("2026-02-31.json", "2026-03-01T00:30:00+02:00", 0)[0::2] == ("2026-02-28", "manifest")
    assert date_of("release-20260427.json", None, 86400)[0] == "1970-01-02"


def _audit_page(monkeypatch: pytest.MonkeyPatch, history: Path | None) -> AppTest:
    """The app's Audit page on the small app fixture, started with --history FOLDER (or without)."""
    from graph.appstate import HISTORY_ENV, SOURCE_ENV

    root = Path(__file__).resolve().parent.parent
    monkeypatch.setenv(SOURCE_ENV, str(root / "tests" / "data" / "app" / "glossary"))
    if history is None:
        monkeypatch.delenv(HISTORY_ENV, raising=False)
    else:
        monkeypatch.setenv(HISTORY_ENV, str(history))
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("graph/app/pages/audit.py")
    at.run()
    return at


def test_app_chart(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _audit_page(monkeypatch, folder)
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.main.subheader] == ["History"]
    # The checks that move (or have findings) are charted by default.
    assert at.multiselect(key="au_history_checks").value == ["orphans", "dead_ends", "isolated", "broken_links",
                                                             "one_way_links", "unlinked_mentions", "uncategorised"]
    charts = [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    assert len(charts) == 2  # the counts bar chart, then the history line chart over a time axis
    assert '"x": {"axis": {"grid": false}, "field": "date"' in charts[1].proto.spec
    assert '"type": "temporal"' in charts[1].proto.spec
    note = next(c.value for c in at.main.caption if "snapshots in" in c.value)
    assert note.startswith("5 snapshots in") and "2026\\-W15 to 2026\\-05\\-06" in note


def test_chart_frame(folder: Path) -> None:
    from graph.app.history import history_frame

    frame = history_frame(audit_history(folder, ["broken_links", "orphans"]))
    assert [d.date().isoformat() for d in frame.index] == [
        "2026-04-06", "2026-04-13", "2026-04-20", "2026-04-28", "2026-05-06"]
    assert frame.to_dict("list") == {"broken_links": [3, 2, 1, 0, 0], "orphans": [3, 2, 1, 0, 0]}


def test_no_history_no_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _audit_page(monkeypatch, None)
    assert not at.exception and [h.value for h in at.main.subheader] == []


def test_app_refuses_a_folder_without_snapshots(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Checked before the server starts, like SOURCE: one line and exit code 2.
    assert main(["app", "--history", str(tmp_path)]) == 2
    assert f"error: {tmp_path}: no snapshots in this folder" in capsys.readouterr().err


def test_app_names_an_unreadable_snapshot(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "2026-W20.json").write_bytes(b'{"format": "glossgraph", "nodes": [')
    at = _audit_page(monkeypatch, folder)
    assert not at.exception
    (box,) = at.main.error
    assert "2026\\-W20.json" in box.value or "2026-W20.json" in box.value
    assert len(at.tabs) == 20  # the rest of the page is there


def test_exports_read_back_are_not_searched_for_mentions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node-link export gives its concepts the export file but no title line: there is no record to search for a
    mention's line, so none is searched (it used to be the whole file for every mention: minutes for a snapshot)."""
    import loaders
    from graph.audit import locate, run_audit

    export(week(0), "json", tmp_path / "2026-W15.json")
    searched: list[str] = []
    real = locate._search

    def counting(mention: str, *args: object) -> int | None:
        searched.append(mention)
        return real(mention, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(locate, "_search", counting)
    report = run_audit(loaders.load(tmp_path / "2026-W15.json"), ["unlinked_mentions"])
    assert [(f["source"], f["target"], f["file"], f["line"]) for f in report.findings["unlinked_mentions"]] == [
        ("alpha", "delta", "2026-W15.json", None), ("delta", "gamma", "2026-W15.json", None)]
    assert searched == []
