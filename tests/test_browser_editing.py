"""The editor's workflow in a real headless Chromium: fix preview and apply, and watch mode's reload.

Each test serves its own copy of the app fixture with `glossgraph app --allow-write --watch`, since
both write to the files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.bench_app import start_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "app" / "glossary"


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`glossgraph app COPY --allow-write --watch` on a copy of the fixture: its URL and the copy."""
    source = tmp_path / "glossary"
    shutil.copytree(FIXTURE, source)
    server = start_app(source, log_dir=tmp_path, options=("--allow-write", "--watch"))
    try:
        yield server.url, source
    finally:
        server.stop()


def _open(page: Any, url: str, path: str) -> None:
    """Open a page of the app the way a reader does: the start page first (a fresh server needs the router)."""
    page.set_default_timeout(120_000)  # a shared machine: the first visit loads and audits
    page.goto(url)
    page.get_by_text("Search titles and aliases").first.wait_for()
    if path:
        page.goto(f"{url}/{path}")


def test_fix_preview_then_apply(page: Any, served: tuple[str, Path]) -> None:
    url, source = served
    note = source / "prompt-engineering.md"
    before = note.read_bytes()
    _open(page, url, "audit")
    page.get_by_role("tab", name="alias_links (3)").click()
    panel = page.get_by_role("tabpanel", name="alias_links (3)")
    # Where the finding is written, copyable, and the link that opens it in VS Code.
    panel.get_by_text(f"{source}/prompt-engineering.md:6").wait_for()
    link = panel.get_by_role("link", name="Open in VS Code")
    assert link.get_attribute("href") == f"vscode://file{source.as_posix()}/prompt-engineering.md:6"
    assert panel.get_by_role("link", name="Open in Obsidian").count() == 0  # not a vault
    # The preview is the diff `glossgraph fix` prints for this finding.
    preview = panel.locator('[data-testid="stCode"]').filter(has_text="--- a/prompt-engineering.md")
    assert preview.inner_text().splitlines() == [
        "# prompt-engineering.md:6 alias_links: 'LLM' is an alias of 'Large Language Model'",
        "--- a/prompt-engineering.md",
        "+++ b/prompt-engineering.md",
        "@@ -3,6 +3,6 @@",
        " category: Applications",
        " level: Beginner",
        " published: 2026-W13",
        "-related: [LLM]",
        "+related: [Large Language Model]",
        " ---",
        " Prompt engineering is the craft of wording the input to a language model so it does the task well.",
    ]
    assert note.read_bytes() == before  # a preview writes nothing
    panel.get_by_role("button", name="Apply this fix").click()
    page.get_by_text("Fixed prompt-engineering.md: 1 repair.").wait_for()
    assert note.read_bytes() == before.replace(b"related: [LLM]\n", b"related: [Large Language Model]\n")
    # The audit of the new version has the finding gone; the reader stays on the check's tab.
    tab = page.get_by_role("tab", name="alias_links (2)")
    tab.wait_for()
    assert tab.get_attribute("aria-selected") == "true"
    panel = page.get_by_role("tabpanel", name="alias_links (2)")
    panel.get_by_text("Rows 1-2 of 2").wait_for()
    panel.get_by_text(f"{source}/retrieval-augmented-generation.md:7").wait_for()
    assert page.dialogs == []


def test_watch_reloads_and_keeps_the_selected_concept(page: Any, served: tuple[str, Path]) -> None:
    url, source = served
    _open(page, url, "?concept=attention")
    page.get_by_role("heading", name="Attention").first.wait_for()
    # The reader moves on to Transformer, then edits its note in an editor.
    page.locator(".st-key-links_to").get_by_role("button", name="Transformer", exact=True).click()
    page.get_by_text("A transformer is a neural network that processes a sequence").wait_for()
    page.wait_for_url("**/?concept=transformer")
    page.get_by_text("Watching the source: the pages reload when its files change.").wait_for()
    note = source / "transformer.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("title: Transformer\n", "title: Transformer Network\n")
                    .replace("instead of recurrence.", "instead of recurrence, edited while the page was open."),
                    encoding="utf-8")
    page.get_by_text("edited while the page was open.").wait_for()
    assert page.get_by_role("heading", name="Transformer Network").count() == 1
    assert page.url.endswith("/?concept=transformer")
    assert page.get_by_text("A transformer is a neural network that processes a sequence").count() == 1
    assert page.dialogs == []
