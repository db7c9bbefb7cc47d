"""Exports and snapshots never replace what the user has: races made deterministic, --force rules, umask, leftovers.

Each race is staged by wrapping ``rename_noreplace`` so that something appears at the target
between the build and the final rename, exactly where a concurrent user or run would put it.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_export import awkward_glossary

import loaders
from graph.audit.report import CSV_COLUMNS
from graph.cli import main
from graph.errors import ExportError
from graph.exports import atomic, export
from graph.exports.tables import FORMULA_STARTS
from graph.model import Concept, Glossary, Reference, Source
from graph.snapshot import snapshot, verify

DATA = Path(__file__).parent / "data"
SOURCE = DATA / "diff" / "v1.json"
FORMULAS = DATA / "hostile" / "formulas.json"
OLD = time.time() - 3600


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def before_rename(monkeypatch: pytest.MonkeyPatch, target: Path, act: Callable[[], None]) -> list[int]:
    """Run ``act`` once, just before the first rename onto ``target``: the race, made deterministic."""
    real = atomic.rename_noreplace
    calls: list[int] = []

    def racing(source: Path, destination: Path) -> None:
        if Path(destination) == target and not calls:
            calls.append(1)
            act()
        real(source, destination)

    monkeypatch.setattr(atomic, "rename_noreplace", racing)
    return calls


def user_folder(path: Path) -> None:
    path.mkdir()
    (path / "mine.txt").write_text("the user's work")


# -- the no-replace rename itself ------------------------------------------------------------


@pytest.fixture(params=["renameat2", "fallback"])
def primitive(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both implementations of rename_noreplace: Linux's renameat2 and the link/mkdir fallback."""
    if request.param == "fallback":
        monkeypatch.setattr(atomic, "_RENAMEAT2", None)
    else:
        # The machines this runs on are Linux with glibc: the primary path must be tested, not skipped.
        assert atomic._RENAMEAT2 is not None, "renameat2 is not available: the no-replace rename is untested"
    return str(request.param)


@pytest.mark.parametrize("source_kind", ["file", "folder"])
@pytest.mark.parametrize("target_kind", ["file", "empty folder", "folder", "symlink", "dangling symlink"])
def test_rename_noreplace_never_replaces(primitive: str, source_kind: str, target_kind: str, tmp_path: Path) -> None:
    source = tmp_path / "new"
    if source_kind == "file":
        source.write_text("new")
    else:
        source.mkdir()
        (source / "inside").write_text("new")
    target = tmp_path / "target"
    if target_kind == "file":
        target.write_text("old")
    elif target_kind.endswith("folder"):
        target.mkdir()
        if target_kind == "folder":
            (target / "kept").write_text("old")
    else:
        target.symlink_to(tmp_path / ("elsewhere" if target_kind == "symlink" else "nowhere"))
        (tmp_path / "elsewhere").write_text("old")
    before = os.lstat(target)
    with pytest.raises(FileExistsError):
        atomic.rename_noreplace(source, target)
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert source.exists()
    if target_kind == "folder":
        assert names(target) == ["kept"]


def test_rename_noreplace_moves_onto_a_free_name(primitive: str, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("1")
    (tmp_path / "f").write_text("2")
    atomic.rename_noreplace(tmp_path / "a", tmp_path / "b")
    atomic.rename_noreplace(tmp_path / "f", tmp_path / "g")
    assert names(tmp_path) == ["b", "g"]
    assert (tmp_path / "b" / "x").read_text() == "1" and (tmp_path / "g").read_text() == "2"


# -- races: what appears at the target while a command runs is never replaced ----------------


def test_snapshot_race_keeps_the_folder_that_appeared(
        primitive: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    calls = before_rename(monkeypatch, out, lambda: user_folder(out))
    code, stdout, err = run(capsys, "snapshot", str(SOURCE), "-o", str(out))
    assert calls == [1]
    assert code == 2 and stdout == ""
    assert err.startswith(f"error: {out} already exists") and err.count("\n") == 1
    assert names(out) == ["mine.txt"] and (out / "mine.txt").read_text() == "the user's work"
    assert names(tmp_path) == ["out"]  # the temporary folder is gone


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_race_keeps_what_appeared(
        primitive: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"

    def appear() -> None:
        if fmt == "csv":
            out.mkdir()  # even an empty folder is not replaced
        else:
            out.write_text("the user's file")

    before_rename(monkeypatch, out, appear)
    code, _, err = run(capsys, "export", str(SOURCE), "--format", fmt, "-o", str(out))
    assert code == 2 and "already exists" in err and err.count("\n") == 1
    if fmt == "csv":
        assert out.is_dir() and names(out) == []
    else:
        assert out.read_text() == "the user's file"
    assert names(tmp_path) == ["out"]


def test_two_snapshots_into_one_new_folder_one_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "snap"
    second = datetime(2026, 5, 1, tzinfo=UTC)

    def other_run() -> None:
        monkeypatch.undo()  # the second run renames for real
        snapshot(Glossary([Concept("solo", "Solo")]), out, created_at=second)

    before_rename(monkeypatch, out, other_run)
    with pytest.raises(ExportError, match=r"snap already exists \(it appeared while this export ran\)"):
        snapshot(awkward_glossary(), out)
    assert verify(out).ok
    assert json.loads((out / "manifest.json").read_text())["created_at"] == "2026-05-01T00:00:00Z"
    assert [c.id for c in loaders.load(out).concepts] == ["solo"]
    assert names(tmp_path) == ["snap"]


def test_force_does_not_replace_a_foreign_folder_that_appeared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    before_rename(monkeypatch, out, lambda: user_folder(out))
    code, _, err = run(capsys, "snapshot", str(SOURCE), "-o", str(out), "--force")
    assert code == 2 and "is a folder that glossgraph did not write; refusing" in err
    assert names(out) == ["mine.txt"]
    assert names(tmp_path) == ["out"]


def test_force_moves_the_old_snapshot_aside_until_the_new_one_is_in(
        primitive: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap"
    snapshot(awkward_glossary(), out)
    old_inode = out.stat().st_ino
    seen: list[list[str]] = []
    real = atomic.rename_noreplace

    def watching(source: Path, destination: Path) -> None:
        if Path(destination) == out and not os.path.lexists(out):
            # The new snapshot is about to go in: the old one must still exist, moved aside.
            aside = [p for p in tmp_path.iterdir() if p.name.endswith(".old")]
            seen.append([p.name for p in aside])
            assert len(aside) == 1 and (aside[0] / "replaced" / "manifest.json").is_file()
            assert (aside[0] / "replaced").stat().st_ino == old_inode
        real(source, destination)

    monkeypatch.setattr(atomic, "rename_noreplace", watching)
    code, _, _ = run(capsys, "snapshot", str(SOURCE), "-o", str(out), "--force")
    assert code == 0 and len(seen) == 1
    assert verify(out).ok and len(loaders.load(out).concepts) == 5
    assert names(tmp_path) == ["snap"]  # the old one is removed once the new one is in place


# -- what --force never replaces -------------------------------------------------------------


def test_force_never_replaces_a_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real-snapshot"
    snapshot(awkward_glossary(), real)
    (tmp_path / "link").symlink_to(real)
    code, _, err = run(capsys, "snapshot", str(SOURCE), "-o", str(tmp_path / "link"), "--force")
    assert code == 2 and "is a symbolic link; --force never replaces one" in err
    (tmp_path / "file-link").symlink_to(tmp_path / "real-snapshot" / "graph.json")
    code, _, err = run(capsys, "export", str(SOURCE), "--format", "json", "-o", str(tmp_path / "file-link"), "--force")
    assert code == 2 and "is a symbolic link" in err
    assert (tmp_path / "link").is_symlink() and (tmp_path / "file-link").is_symlink()
    assert verify(real).ok


def test_force_never_replaces_a_device_or_fifo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "export", str(SOURCE), "--format", "graphml", "-o", str(fifo), "--force")
    assert code == 2 and "is a device or other special file; --force never replaces one" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(ExportError, match="already exists; use --force"):
        export(awkward_glossary(), "json", "/dev/null")
    with pytest.raises(ExportError, match="device or other special file"):
        export(awkward_glossary(), "json", "/dev/null", force=True)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_force_never_replaces_a_snapshot_the_user_added_to(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    snapshot(awkward_glossary(), out)
    (out / "my-notes.md").write_text("notes about this week's snapshot")
    with pytest.raises(ExportError, match="did not write; refusing"):
        snapshot(awkward_glossary(), out, force=True)
    (out / "my-notes.md").unlink()
    (out / "elsewhere").symlink_to(tmp_path)
    with pytest.raises(ExportError, match="did not write; refusing"):
        snapshot(awkward_glossary(), out, force=True)
    (out / "elsewhere").unlink()
    (out / "graph.json").write_text("changed contents are ours to replace")
    snapshot(awkward_glossary(), out, force=True)
    assert verify(out).ok


def test_force_replaces_a_csv_export_only_by_its_manifest(tmp_path: Path) -> None:
    out = export(awkward_glossary(), "csv", tmp_path / "csv")
    assert names(out) == ["edges.csv", "manifest.json", "nodes.csv"]
    assert json.loads((out / "manifest.json").read_text())["format"] == "glossgraph-csv"
    export(Glossary([Concept("solo", "Solo")]), "csv", out, force=True)
    assert [c.id for c in loaders.load(out).concepts] == ["solo"]
    hand_made = tmp_path / "gephi"
    hand_made.mkdir()
    (hand_made / "nodes.csv").write_text("id,label\n1,a\n")
    (hand_made / "edges.csv").write_text("source,target\n1,1\n")
    with pytest.raises(ExportError, match="did not write; refusing"):
        export(awkward_glossary(), "csv", hand_made, force=True)
    assert (hand_made / "nodes.csv").read_text() == "id,label\n1,a\n"


# -- permissions follow the umask ------------------------------------------------------------


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.parametrize(("mask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700),
                                                                (0o002, 0o664, 0o775)])
def test_exports_and_snapshots_follow_the_umask(mask: int, file_mode: int, folder_mode: int, tmp_path: Path) -> None:
    with umask(mask):
        exported = export(awkward_glossary(), "json", tmp_path / "g.json")
        csv_folder = export(awkward_glossary(), "csv", tmp_path / "csv")
        snap = tmp_path / "snap"
        snapshot(awkward_glossary(), snap)
        export(awkward_glossary(), "json", exported, force=True)
    assert stat.S_IMODE(exported.stat().st_mode) == file_mode
    for folder in (csv_folder, snap, snap / "csv"):
        assert stat.S_IMODE(folder.stat().st_mode) == folder_mode
    for path in [*csv_folder.iterdir(), *snap.rglob("*.*")]:
        assert stat.S_IMODE(path.stat().st_mode) == file_mode, path


# -- leftovers of crashed runs -----------------------------------------------------------------


def leftover(path: Path, kind: str, hexdigits: str, folder: bool, age: float = OLD) -> Path:
    made = path.with_name(f".{path.name}.glossgraph-{hexdigits}.{kind}")
    if folder:
        made.mkdir()
        (made / "graph.json").write_text("half written")
    else:
        made.write_text("half written")
    os.utime(made, (age, age))
    return made


def test_leftovers_of_crashed_runs_are_removed_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    crashed = leftover(out, "tmp", "0123456789ab", folder=True)
    young = leftover(out, "tmp", "abcdefabcdef", folder=True, age=time.time())
    running = leftover(out, "tmp", "aaaaaaaaaaaa", folder=True)
    other_target = leftover(tmp_path / "other", "tmp", "bbbbbbbbbbbb", folder=True)
    look_alike = tmp_path / ".snap.mine.tmp"
    look_alike.write_text("the user's")
    os.utime(look_alike, (OLD, OLD))
    lock = os.open(running, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        snapshot(awkward_glossary(), out)
    finally:
        os.close(lock)
    assert not crashed.exists()
    assert young.exists() and running.exists() and other_target.exists() and look_alike.exists()
    assert names(tmp_path) == sorted([".other.glossgraph-bbbbbbbbbbbb.tmp", ".snap.glossgraph-aaaaaaaaaaaa.tmp",
                                      ".snap.glossgraph-abcdefabcdef.tmp", ".snap.mine.tmp", "snap"])


def test_file_export_removes_its_leftovers(tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    crashed = leftover(out, "tmp", "0123456789ab", folder=False)
    export(awkward_glossary(), "graphml", out)
    assert not crashed.exists() and names(tmp_path) == ["g.graphml"]


def test_a_snapshot_moved_aside_by_a_crashed_force_run_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    snapshot(awkward_glossary(), out)
    aside = out.with_name(".snap.glossgraph-0123456789ab.old")
    aside.mkdir()
    os.rename(out, aside / "replaced")  # the run died between moving the old one aside and renaming the new one in
    os.utime(aside, (OLD, OLD))
    with pytest.raises(ExportError, match="already exists; use --force"):
        snapshot(awkward_glossary(), out)  # the earlier snapshot is put back first, so it is there to refuse
    assert verify(out).ok and names(tmp_path) == ["snap"]


def test_an_aside_that_is_not_ours_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    snapshot(awkward_glossary(), out)
    aside = out.with_name(".snap.glossgraph-0123456789ab.old")
    aside.mkdir()
    (aside / "replaced").mkdir()
    (aside / "replaced" / "mine.txt").write_text("the user's")
    os.utime(aside, (OLD, OLD))
    assert atomic.clean_leftovers(out, lambda p: False) == []
    assert (aside / "replaced" / "mine.txt").read_text() == "the user's"


# -- verify reports extra files and symlinks ---------------------------------------------------


def test_verify_reports_symlinks_extra_files_and_empty_folders(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap"
    snapshot(awkward_glossary(), out)
    secret = tmp_path / "secret.txt"
    secret.write_bytes((out / "graph.html").read_bytes())  # same bytes: only the link gives it away
    (out / "graph.html").unlink()
    (out / "graph.html").symlink_to(secret)
    (out / "passwd").symlink_to("/etc/passwd")
    (out / "csv" / "up").symlink_to(tmp_path)
    (out / "notes.txt").write_text("added")
    (out / "empty").mkdir()
    result = verify(out)
    assert result.symlinks == ["csv/up", "graph.html", "passwd"]
    assert result.extra == ["empty/", "notes.txt"]
    assert result.missing == [] and result.changed == [] and not result.ok
    code, _, err = run(capsys, "verify", str(out), "--format", "json")
    assert code == 1 and "symlinks: csv/up, graph.html, passwd" in err
    (out / "manifest.json").rename(tmp_path / "manifest.json")
    (out / "manifest.json").symlink_to(tmp_path / "manifest.json")
    code, _, err = run(capsys, "verify", str(out))
    assert code == 2 and "manifest.json is a symbolic link" in err


# -- formulas in CSV ----------------------------------------------------------------------------


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def hostile_glossary() -> Glossary:
    """Every text field starting with what a spreadsheet runs as a formula, or with quotes that must survive."""
    return Glossary([
        Concept("sum-trick", "=SUM(1+1)*cmd|' /C calc'!A0", definition="+Starts with a plus.",
                body="\rCarriage return first", aliases=("-minus alias", "@at alias", "'quoted alias"),
                categories=("=Category",), level="-1", published="@2026-W01",
                sources=(Source("=title", "=https://evil.example"),),
                related=(Reference('=HYPERLINK("https://evil.example","click")'), Reference("quote-trick"))),
        Concept("quote-trick", "'Quoted' title", definition="''Two quotes, then text.", categories=("'Category",),
                related=(Reference("tab-trick"),)),
        Concept("tab-trick", "\tTab first", definition="'=already neutral", related=(Reference("sum-trick"),)),
        Concept("-leading-minus", "- A dash", definition="@mention first.", related=(Reference("sum-trick"),)),
    ], category_parents={"=Category": ("+Parent",), "+Parent": ()})


def test_csv_export_neutralises_formulas_and_loads_back_exactly(tmp_path: Path) -> None:
    glossary = hostile_glossary()
    out = export(glossary, "csv", tmp_path / "csv")
    for name in ("nodes.csv", "edges.csv"):
        found = cells((out / name).read_bytes().decode("utf-8"))
        assert not [cell for cell in found if cell.startswith(FORMULA_STARTS)], name
    nodes = cells((out / "nodes.csv").read_bytes().decode("utf-8"))
    assert "'=SUM(1+1)*cmd|' /C calc'!A0" in nodes and "'+Starts with a plus." in nodes
    assert "''Quoted' title" in nodes and "'''Two quotes, then text." in nodes and "'\tTab first" in nodes
    assert "'-1" in nodes and "'@2026-W01" in nodes and "'-leading-minus" in nodes and "''=already neutral" in nodes
    assert "'\rCarriage return first" in nodes and "'=Category" in nodes and "'+Parent" in nodes
    back = loaders.load(out)
    assert back.same_content(glossary)
    assert sorted((c.id, c.title, c.definition) for c in back.concepts) == sorted(
        (c.id, c.title, c.definition) for c in glossary.concepts)
    assert back.by_id()["sum-trick"].body == "\rCarriage return first"


def test_audit_csv_neutralises_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", str(FORMULAS), "--format", "csv")
    assert code == 0
    found = cells(out)
    assert not [cell for cell in found if cell.startswith(FORMULA_STARTS)]
    assert "'=HYPERLINK(\"https://evil.example\",\"click\")" in found
    assert "''=already neutral" in found


def test_a_full_disk_is_one_line_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import graph.snapshot

    def full(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(graph.snapshot, "audit_markdown", full)
    out = tmp_path / "snap"
    code, _, err = run(capsys, "snapshot", str(SOURCE), "-o", str(out))
    assert code == 2 and err == f"error: cannot write {out}: No space left on device\n"
    assert names(tmp_path) == []


def test_audit_csv_of_one_check_has_its_columns_and_is_safe() -> None:
    from graph.audit import run_audit
    from graph.local import LocalStore

    report = run_audit(LocalStore(hostile_glossary()))
    text = report.to_csv(["broken_links"])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["check", "severity", "allowed", *[c for c in ("source", "target", "via") if c in rows[0]]]
    assert [r[rows[0].index("target")] for r in rows[1:]] == ["'=HYPERLINK(\"https://evil.example\",\"click\")"]
    assert report.to_csv().splitlines()[0] == ",".join(CSV_COLUMNS)
