"""Snapshots: every format in one folder with a manifest; verify catches any changed byte; the folder loads back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_export import awkward_glossary

import loaders
from graph import __version__
from graph.cli import main
from graph.errors import ExportError
from graph.exports import graph_records
from graph.local import LocalStore
from graph.snapshot import snapshot, verify

FILES = [
    "audit.json",
    "audit.md",
    "csv/edges.csv",
    "csv/nodes.csv",
    "graph.cypher",
    "graph.gexf",
    "graph.graphml",
    "graph.html",
    "graph.json",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def sample_snapshot(tmp_path: Path, sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, out, _ = run(capsys, "snapshot", str(sample_dir), "-o", str(tmp_path / "snap"))
    assert code == 0 and out.startswith(f"wrote snapshot {tmp_path / 'snap'}: {len(FILES)} files")
    return tmp_path / "snap"


def test_snapshot_holds_every_format_and_a_manifest(sample_snapshot: Path, sample_dir: Path) -> None:
    names = sorted(p.relative_to(sample_snapshot).as_posix() for p in sample_snapshot.rglob("*") if p.is_file())
    assert names == sorted([*FILES, "manifest.json"])
    manifest = json.loads((sample_snapshot / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == FILES
    assert (manifest["format"], manifest["version"], manifest["tool_version"]) == ("glossgraph-snapshot", 1,
                                                                                   __version__)
    assert manifest["source"] == str(sample_dir)
    assert manifest["counts"] == LocalStore(loaders.load(sample_dir)).stats().to_json()
    assert datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    audit = json.loads((sample_snapshot / "audit.json").read_text(encoding="utf-8"))
    assert audit["summary"]["concepts"] == manifest["counts"]["concepts"]
    assert (sample_snapshot / "audit.md").read_text(encoding="utf-8").startswith(f"# Audit of {sample_dir}\n")


def test_every_file_of_a_snapshot_loads_back_equal(sample_snapshot: Path, sample_dir: Path) -> None:
    source = loaders.load(sample_dir)
    for path in (sample_snapshot, sample_snapshot / "graph.json", sample_snapshot / "graph.graphml",
                 sample_snapshot / "graph.gexf", sample_snapshot / "csv"):
        back = loaders.load(path)
        assert back.same_content(source), path
        assert graph_records(back) == graph_records(source), path
    assert loaders.load(sample_snapshot).format == "snapshot"


def test_verify_passes_then_catches_one_changed_byte(sample_snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", str(sample_snapshot))
    assert (code, out.strip()) == (0, f"{sample_snapshot}: all {len(FILES)} files match the manifest")
    target = sample_snapshot / "csv" / "nodes.csv"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    code, out, err = run(capsys, "verify", str(sample_snapshot))
    assert code == 1
    assert "csv/nodes.csv" in out and "changed" in out
    assert err.strip() == f"error: {sample_snapshot} does not match its manifest; changed: csv/nodes.csv"


def test_verify_names_missing_and_extra_files(sample_snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sample_snapshot / "audit.md").unlink()
    (sample_snapshot / "notes.txt").write_text("added by hand")
    result = verify(sample_snapshot)
    assert (result.changed, result.missing, result.extra) == ([], ["audit.md"], ["notes.txt"])
    code, out, _ = run(capsys, "verify", str(sample_snapshot), "--format", "json")
    assert code == 1
    assert json.loads(out) == {"folder": str(sample_snapshot), "ok": False, "checked": len(FILES) - 1,
                               "changed": [], "missing": ["audit.md"], "extra": ["notes.txt"], "symlinks": []}


def test_verify_refuses_a_manifest_that_points_outside(sample_snapshot: Path) -> None:
    manifest_path = sample_snapshot / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["../escape.txt"] = {"sha256": "0" * 64, "bytes": 1}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ExportError, match=r"outside the snapshot: '\.\./escape\.txt'"):
        verify(sample_snapshot)


def test_verify_of_a_folder_that_is_no_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", str(tmp_path))
    assert code == 2 and "is not a snapshot: it has no manifest.json" in err


def test_snapshot_is_never_overwritten_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "snap"
    first = snapshot(awkward_glossary(), target, created_at=datetime(2026, 4, 20, 12, 0, tzinfo=UTC))
    assert first["created_at"] == "2026-04-20T12:00:00Z"
    code, _, err = run(capsys, "snapshot", str(Path(__file__).parent / "data" / "diff" / "v1.json"), "-o",
                       str(target))
    assert code == 2 and "already exists; use --force" in err
    assert verify(target).ok and loaders.load(target).same_content(awkward_glossary())
    code, _, _ = run(capsys, "snapshot", str(Path(__file__).parent / "data" / "diff" / "v1.json"), "-o",
                     str(target), "--force")
    assert code == 0 and verify(target).ok
    assert sorted(c.id for c in loaders.load(target).concepts) == ["attention", "embedding", "old-term", "tokenizer",
                                                                    "transformer"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]  # no temporary folders left


def test_snapshot_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "keep.md").write_text("mine")
    with pytest.raises(ExportError, match="did not write; refusing"):
        snapshot(awkward_glossary(), tmp_path / "docs", force=True)
    assert (tmp_path / "docs" / "keep.md").read_text() == "mine"


def test_snapshot_bytes_are_stable_apart_from_the_manifest_date(tmp_path: Path) -> None:
    moment = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
    one = snapshot(awkward_glossary(), tmp_path / "one", created_at=moment, source_name="fixture")
    two = snapshot(awkward_glossary(), tmp_path / "two", created_at=moment, source_name="fixture")
    assert one == two
    assert (tmp_path / "one" / "manifest.json").read_bytes() == (tmp_path / "two" / "manifest.json").read_bytes()
