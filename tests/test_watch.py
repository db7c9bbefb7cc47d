"""Watch mode: `glossgraph audit --watch` as a real process, the watcher's filter, and `app --watch --allow-write`."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "app" / "glossary"
WATCHING = "watching for changes (Ctrl-C to stop)"


def _wait_for(path: Path, text: str, times: int, process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    """The file's text once ``text`` occurs ``times`` times in it (the process still running)."""
    deadline = time.monotonic() + timeout
    while True:
        content = path.read_text(encoding="utf-8")
        if content.count(text) >= times:
            return content
        assert process.poll() is None, f"exited with {process.returncode}:\n{content}"
        assert time.monotonic() < deadline, f"no {text!r} ×{times} within {timeout} s:\n{content}"
        time.sleep(0.05)


def test_audit_watch_reports_again_after_each_change_and_exits_with_the_last_code(tmp_path: Path) -> None:
    source = tmp_path / "glossary"
    shutil.copytree(FIXTURE, source)
    out, err = tmp_path / "out.md", tmp_path / "err.txt"
    command = [sys.executable, "-c", "import sys; from graph.cli import main; sys.exit(main())", "audit",
               str(source), "--watch", "--format", "markdown", "--check", "broken_links,orphans",
               "--fail-on", "broken_links"]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        first = _wait_for(err, WATCHING, 1, process)
        assert first == f"audit failed: broken_links (1)\n{WATCHING}\n"
        assert "| broken_links | error | 1 | 0 |" in out.read_text(encoding="utf-8")
        # The broken reference is corrected in the editor: a second report, without it.
        note = source / "large-language-model.md"
        note.write_text(note.read_text(encoding="utf-8").replace("Tokenizer]", "Transformer]"), encoding="utf-8")
        second = _wait_for(err, WATCHING, 2, process)
        assert second == f"{first}changed: large-language-model.md; auditing again\n{WATCHING}\n"
        reports = out.read_text(encoding="utf-8").split("# Link audit\n")
        assert len(reports) == 3  # before the first header, then two reports
        assert "| broken_links | error | 1 | 0 |" in reports[1] and "| broken_links | error | 0 | 0 |" in reports[2]
        assert "| orphans | warning | 1 | 0 |" in reports[2]  # the rest is as before
        # Hidden files (an Obsidian workspace) change nothing.
        (source / ".obsidian").mkdir()
        (source / ".obsidian" / "workspace.json").write_text("{}", encoding="utf-8")
        time.sleep(1.5)
        assert err.read_text(encoding="utf-8") == second
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=30) == 0  # the last audit passed, though the first failed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert out.read_text(encoding="utf-8").count("# Link audit") == 2


def test_audit_watch_needs_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "bolt://127.0.0.1:1", "--dataset", "x", "--watch"]) == 2
    assert capsys.readouterr().err == (
        "error: --watch follows the files of a file or folder source, not a Neo4j dataset\n"
    )


def test_the_watcher_reports_visible_files_once_per_burst(tmp_path: Path) -> None:
    from graph.watch import SourceWatchers

    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    seen: queue.Queue[tuple[str, list[str]]] = queue.Queue()
    watchers = SourceWatchers()
    watchers.ensure(str(tmp_path), lambda location, changed: seen.put((location, changed)))
    try:
        time.sleep(0.3)  # the thread arms its watch
        (tmp_path / ".git").mkdir()
        (tmp_path / ".git" / "index").write_text("x", encoding="utf-8")
        (tmp_path / "a.md").write_text("---\ntitle: A2\n---\n", encoding="utf-8")
        (tmp_path / "notes" / "b.md").write_text("---\ntitle: B\n---\n", encoding="utf-8")
        location, changed = seen.get(timeout=20)
        assert location == str(tmp_path)
        assert changed == ["a.md", "notes/b.md"]
        assert watchers.watching(str(tmp_path))
    finally:
        watchers.stop()
    assert not watchers.watching(str(tmp_path))
    assert seen.empty()


def test_app_flags_reach_the_server_and_only_through_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.cli.app as app_command
    from graph.appstate import ALLOW_WRITE_ENV, WATCH_ENV

    started: list[dict[str, str]] = []

    def execve(_program: str, _args: list[str], env: dict[str, str]) -> None:
        started.append(env)

    def call(_args: list[str], env: dict[str, str]) -> int:
        return 0  # after the patched execve: no server is started

    monkeypatch.setattr(app_command.os, "execve", execve)
    monkeypatch.setattr(app_command.subprocess, "call", call)
    monkeypatch.setenv(ALLOW_WRITE_ENV, "1")  # left over in the shell: must not allow writing
    monkeypatch.setenv(WATCH_ENV, "1")
    assert main(["app", str(FIXTURE)]) == 0
    assert main(["app", str(FIXTURE), "--allow-write", "--watch"]) == 0
    assert [(env.get(ALLOW_WRITE_ENV), env.get(WATCH_ENV)) for env in started] == [(None, None), ("1", "1")]
    assert main(["app", "bolt://127.0.0.1:1", "--dataset", "x", "--watch"]) == 2
