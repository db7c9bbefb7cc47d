"""The Audit page as an editor's tool (issue 14): file:line, editor links, fix preview and apply, watch mode.

Every test works on its own copy of the app fixture (tests/data/app/glossary), since some write to it.
"""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from graph.appstate import ALLOW_WRITE_ENV, SOURCE_ENV, WATCH_ENV, md_escape

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FIXTURE = ROOT / "tests" / "data" / "app" / "glossary"

#: What the fixture's first alias link looks like before and after its fix (prompt-engineering.md, line 6).
PROMPT_BEFORE = (
    "---\ntitle: Prompt Engineering\ncategory: Applications\nlevel: Beginner\npublished: 2026-W13\n"
    "related: [LLM]\n---\n"
)
PROMPT_DIFF = """# prompt-engineering.md:6 alias_links: 'LLM' is an alias of 'Large Language Model'
--- a/prompt-engineering.md
+++ b/prompt-engineering.md
@@ -3,6 +3,6 @@
 category: Applications
 level: Beginner
 published: 2026-W13
-related: [LLM]
+related: [Large Language Model]
 ---
 Prompt engineering is the craft of wording the input to a language model so it does the task well."""


MENTION_DIFF = """# fine-tuning.md:7 unlinked_mentions: the first mention of 'Foundation Model' becomes a link
--- a/fine-tuning.md
+++ b/fine-tuning.md
@@ -4,4 +4,4 @@
 level: Intermediate
 published: 2026-W12
 ---
-Fine-tuning continues the training of a pretrained model, often a foundation model, on a smaller dataset for one task.
+Fine-tuning continues the training of a pretrained model, often a [[foundation model]], on a smaller dataset for one \
task."""


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No result or revision left from another test, and neither --allow-write nor --watch unless a test sets it."""
    from graph.appcache import RESULTS

    RESULTS.clear()
    monkeypatch.delenv(ALLOW_WRITE_ENV, raising=False)
    monkeypatch.delenv(WATCH_ENV, raising=False)


def _copy(target: Path) -> Path:
    shutil.copytree(FIXTURE, target)
    return target


def _audit(source: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app's Audit page on ``source``, run."""
    monkeypatch.setenv(SOURCE_ENV, str(source))
    at = AppTest.from_file(APP, default_timeout=60)
    _run(at)
    at.switch_page("graph/app/pages/audit.py")
    return _run(at)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open_tab(at: AppTest, check: str) -> AppTest:
    """Open a check's tab as a reader's click does (the page builds the finding box for the open tab only).

    In the worklist, each list's box is opened too (its *Open or fix one of these* toggle).
    """
    at.session_state["au_tab_name"] = check
    _run(at)
    if check == "worklist":
        for toggle in at.toggle:
            if toggle.key and toggle.key.startswith("au_open_"):
                toggle.set_value(True)
        _run(at)
    return at


def _tab(at: AppTest, check: str) -> Any:
    return next(t for t in at.tabs if t.label.split(" (")[0] == check)


def _links(block: Any) -> list[tuple[str, str]]:
    return [(b.proto.label, b.proto.url) for b in block.get("link_button")]


def test_each_finding_shows_its_place_and_opens_in_the_editors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = tmp_path / "My Vault & co"
    (vault / ".obsidian").mkdir(parents=True)
    source = _copy(vault / "Glossary 1")
    at = _audit(source, monkeypatch)
    # The worklist tab is open first, its lists' finding boxes closed until asked for: no fix planned yet.
    assert not _tab(at, "alias_links").code and not at.tabs[0].code
    assert [t.key for t in at.toggle] == ["au_open_wanted", "au_open_orphans", "au_open_unlinked_mentions",
                                          "au_open_one_way_links"]
    tab = _tab(_open_tab(at, "alias_links"), "alias_links")
    assert not at.tabs[0].code
    assert tab.selectbox(key="fd_alias_links").options == [
        "prompt-engineering.md:6 prompt-engineering → large-language-model via 'LLM'",
        "retrieval-augmented-generation.md:7 retrieval-augmented-generation → large-language-model via 'LLM'",
        "vector-database.md:6 vector-database → retrieval-augmented-generation via 'RAG'",
    ]
    # The copyable place: the absolute path and the line, as `code -g` takes it.
    assert tab.code[0].value == f"{source}/prompt-engineering.md:6"
    base = tmp_path.as_posix()
    assert _links(tab) == [
        ("Open in VS Code", f"vscode://file{base}/My%20Vault%20%26%20co/Glossary%201/prompt-engineering.md:6"),
        ("Open in Obsidian", "obsidian://open?vault=My%20Vault%20%26%20co&file=Glossary%201%2Fprompt-engineering.md"),
    ]
    # Choosing another finding shows its place.
    picker = tab.selectbox(key="fd_alias_links")
    picker.set_value("vector-database.md:6 vector-database → retrieval-augmented-generation via 'RAG'")
    _run(at)
    tab = _tab(at, "alias_links")
    assert tab.code[0].value == f"{source}/vector-database.md:6"
    assert _links(tab)[0][1] == f"vscode://file{base}/My%20Vault%20%26%20co/Glossary%201/vector-database.md:6"
    # A concept finding points at its title line; the worklist's rows have their place too.
    assert _tab(_open_tab(at, "orphans"), "orphans").code[0].value == f"{source}/prompt-engineering.md:2"
    worklist = _open_tab(at, "worklist").tabs[0]
    assert [c.value for c in worklist.code if c.language == "plaintext"] == [
        f"{source}/prompt-engineering.md:2", f"{source}/fine-tuning.md:7", f"{source}/foundation-model.md:10",
    ]


def test_no_obsidian_link_outside_a_vault_and_no_editor_link_for_an_upload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _copy(tmp_path / "glossary")
    at = _audit(source, monkeypatch)
    assert _links(_tab(_open_tab(at, "broken_links"), "broken_links")) == [
        ("Open in VS Code", f"vscode://file{source.as_posix()}/large-language-model.md:7")
    ]
    # An upload lives in the session's temporary folder: its place shows, but nothing opens or writes it.
    monkeypatch.setenv(ALLOW_WRITE_ENV, "1")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as members:
        for note in sorted(FIXTURE.iterdir()):
            members.write(note, f"glossary/{note.name}")
    at.sidebar.file_uploader(key="src_upload").upload("glossary.zip", archive.getvalue(), "application/zip")
    tab = _tab(_open_tab(at, "alias_links"), "alias_links")
    assert tab.code[0].value.endswith("/glossary/prompt-engineering.md:6")
    assert not tab.code[0].value.startswith(str(source)) and not _links(tab)
    assert [c.value for c in tab.code if c.language == "diff"] == [PROMPT_DIFF]
    assert tab.button(key="fix_alias_links").disabled
    assert tab.caption[-1].value == ("Fixes are written to a glossary opened by path, not to an upload or a Neo4j "
                                     "dataset\\.")


def test_the_fix_preview_is_the_diff_fix_prints_and_apply_is_off_without_allow_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _copy(tmp_path / "glossary")
    at = _open_tab(_audit(source, monkeypatch), "alias_links")
    tab = _tab(at, "alias_links")
    diffs = [c for c in tab.code if c.language == "diff"]
    assert [d.value for d in diffs] == [PROMPT_DIFF]
    button = tab.button(key="fix_alias_links")
    assert button.label == "Apply this fix" and button.disabled
    assert tab.caption[-1].value == "Start the app with \\-\\-allow\\-write to apply fixes to the files\\."
    assert (source / "prompt-engineering.md").read_text(encoding="utf-8").startswith(PROMPT_BEFORE)
    # Checks fix does not repair offer no fix. In the worklist, the wanted target has no close
    # match and the one-way link's target has no related list to add to: nothing to apply.
    assert not _tab(_open_tab(at, "orphans"), "orphans").button
    worklist = _open_tab(at, "worklist").tabs[0]
    assert [worklist.button(key=f"fix_work_{name}").disabled for name in
            ("wanted", "unlinked_mentions", "one_way_links")] == [True, True, True]
    assert [c.value for c in worklist.caption].count("No safe repair for this finding.") == 2


def test_apply_writes_the_fix_and_the_finding_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _copy(tmp_path / "glossary")
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    monkeypatch.setenv(ALLOW_WRITE_ENV, "1")
    at = _open_tab(_audit(source, monkeypatch), "alias_links")
    button = _tab(at, "alias_links").button(key="fix_alias_links")
    assert not button.disabled
    button.click()
    _run(at)
    after = {p.name: p.read_bytes() for p in source.iterdir()}
    # Exactly one line of one file changed.
    assert {name for name in after if after[name] != before[name]} == {"prompt-engineering.md"}
    assert after["prompt-engineering.md"] == before["prompt-engineering.md"].replace(
        b"related: [LLM]\n", b"related: [Large Language Model]\n"
    )
    tab = _tab(at, "alias_links")
    assert tab.label == "alias_links (2)"
    assert [r["source"] for r in tab.dataframe[0].value.to_dict("records")] == [
        "retrieval-augmented-generation", "vector-database"
    ]
    assert [s.value for s in tab.success] == ["Fixed prompt\\-engineering\\.md\\: 1 repair\\."]
    # The picker moved to the finding now first, and the preview to its fix.
    assert tab.code[0].value == f"{source}/retrieval-augmented-generation.md:7"
    assert "-related: [LLM, Vector Database]\n+related: [Large Language Model, Vector Database]" in next(
        c.value for c in tab.code if c.language == "diff"
    )
    # The worklist's unlinked mention becomes a link the way `fix --check unlinked_mentions` makes it.
    _open_tab(at, "worklist")
    assert [c.value for c in at.tabs[0].code if c.language == "diff"] == [MENTION_DIFF]
    at.tabs[0].button(key="fix_work_unlinked_mentions").click()
    _run(at)
    assert (source / "fine-tuning.md").read_bytes() == before["fine-tuning.md"].replace(
        b"often a foundation model,", b"often a [[foundation model]],"
    )
    assert [c.value for c in at.tabs[0].code if c.language == "diff"] == []
    assert _tab(at, "unlinked_mentions").label == "unlinked_mentions (0)"


def test_apply_refuses_a_file_changed_since_the_preview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _copy(tmp_path / "glossary")
    monkeypatch.setenv(ALLOW_WRITE_ENV, "1")
    at = _open_tab(_audit(source, monkeypatch), "alias_links")
    assert [c.value for c in _tab(at, "alias_links").code if c.language == "diff"] == [PROMPT_DIFF]
    note = source / "prompt-engineering.md"
    edited = note.read_text(encoding="utf-8").replace("does the task well.", "does the task well, every time.")
    note.write_text(edited, encoding="utf-8")  # an editor saves while the preview is open
    _tab(at, "alias_links").button(key="fix_alias_links").click()
    _run(at)
    assert note.read_text(encoding="utf-8") == edited  # nothing written over the editor's change
    tab = _tab(at, "alias_links")
    assert [e.value for e in tab.error] == [
        md_escape(f"Nothing written: {note}: changed since fix read it; nothing written to it (run fix again)")
    ]
    # The page read the files again: the preview now shows the edited line, and Apply works.
    diff = next(c.value for c in tab.code if c.language == "diff")
    assert "does the task well, every time." in diff
    tab.button(key="fix_alias_links").click()
    _run(at)
    assert note.read_text(encoding="utf-8") == edited.replace("related: [LLM]", "related: [Large Language Model]")


def test_watch_reloads_the_source_and_keeps_the_concept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.appcache import REVISIONS
    from graph.watch import WATCHERS

    source = _copy(tmp_path / "glossary")
    monkeypatch.setenv(WATCH_ENV, "1")
    monkeypatch.setenv(SOURCE_ENV, str(source))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["concept"] = "transformer"
    _run(at)
    try:
        assert [h.value for h in at.header] == ["Transformer"]
        assert "Watching the source: the pages reload when its files change." in [c.value for c in at.sidebar.caption]
        revision = REVISIONS.get(str(source))
        note = source / "transformer.md"
        note.write_text(note.read_text(encoding="utf-8").replace("# Transformer", "# Transformer")
                        .replace("title: Transformer", "title: Transformer Network"), encoding="utf-8")
        deadline = time.monotonic() + 20
        while REVISIONS.get(str(source)) == revision:
            assert time.monotonic() < deadline, "the watcher saw no change"
            time.sleep(0.05)
        _run(at)
        assert [h.value for h in at.header] == ["Transformer Network"]
        assert at.query_params["concept"] == "transformer"
    finally:
        WATCHERS.stop()
