"""The app end to end in a real headless Chromium, against `glossgraph app` on a free port."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scripts.bench_app import PICTURE_READY, measure_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "app" / "glossary"
HOSTILE = ROOT / "tests" / "data" / "app" / "hostile"
SAMPLE = ROOT / "data" / "ai-glossary"
SCREENSHOT = ROOT / "docs" / "screenshot-explore.png"

HOSTILE_TITLE = "<img src=x onerror=alert(1)> Hostile"
HOSTILE_DEFINITION = "<script>alert(2)</script> is a definition that must show as text."

#: How many pixels of the network canvas are drawn (not blank).
_INK = """() => {
  const canvas = document.querySelector('#network canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230)) ink++;
  }
  return ink;
}"""


def _picture(page: Any, concept_id: str) -> Any:
    """Wait for the picture centred on ``concept_id`` and return its frame."""
    page.wait_for_function(PICTURE_READY, arg=concept_id)
    for frame in page.frames:
        if frame is not page.main_frame and frame.evaluate(
            "(id) => !!(window.nodes && window.nodes.get(id) && window.nodes.get(id).center === true)", concept_id
        ):
            return frame
    raise AssertionError(f"no picture centred on {concept_id}")


def _labels(frame: Any) -> list[str]:
    return sorted(frame.evaluate("nodes.get().map(n => n.label)"))


@pytest.fixture(scope="module")
def fixture_url(app_server_factory: Callable[[str | Path], str]) -> str:
    return app_server_factory(FIXTURE)


def test_deep_link_shows_definition_and_network(page: Any, fixture_url: str) -> None:
    page.goto(f"{fixture_url}/?concept=foundation-model&depth=2")
    page.get_by_text("A foundation model is a large model pretrained on broad data").wait_for()
    frame = _picture(page, "foundation-model")
    assert _labels(frame) == [
        "Attention", "Fine-tuning", "Foundation Model", "Large Language Model", "Prompt Engineering",
        "Retrieval-Augmented Generation", "Tokenizer", "Transformer",
    ]
    assert frame.evaluate("nodes.get('missing:tokenizer').shape") == "square"
    assert frame.evaluate(_INK) > 2000  # the canvas holds a drawing, not a blank box
    assert frame.evaluate("network.physics.options.enabled") is False  # settled, physics off
    assert frame.locator("#note").inner_text() == "8 nodes"
    assert "Models & Architecture" in frame.locator("#legend").inner_text()
    assert page.url.endswith("/?concept=foundation-model&depth=2")
    assert page.dialogs == []


def test_search_then_move_to_a_neighbour(page: Any, fixture_url: str) -> None:
    page.goto(f"{fixture_url}/?concept=attention")
    _picture(page, "attention")
    search = page.get_by_label("Search titles and aliases")
    search.fill("LLM")
    search.press("Enter")
    page.get_by_role("button", name="Large Language Model (LLM)").click()
    page.get_by_text("A large language model is a foundation model trained to continue text").wait_for()
    frame = _picture(page, "large-language-model")
    assert _labels(frame) == ["Foundation Model", "Large Language Model", "Prompt Engineering",
                              "Retrieval-Augmented Generation", "Tokenizer"]
    page.wait_for_url("**/?concept=large-language-model")
    # A backlink on the card moves on again.
    page.get_by_role("button", name="Prompt Engineering", exact=True).click()
    page.get_by_text("Prompt engineering is the craft of wording the input").wait_for()
    _picture(page, "prompt-engineering")
    page.wait_for_url("**/?concept=prompt-engineering")


def test_find_a_path(page: Any, fixture_url: str) -> None:
    page.goto(f"{fixture_url}/paths?from=attention&to=fine-tuning")
    page.get_by_text("Path 1 · 3 hops").wait_for()
    chain = page.get_by_text("Attention —related→ Transformer —related→ Foundation Model —related→ Fine-tuning")
    assert chain.count() == 1
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some(f => f.contentWindow.glossgraph"
        " && f.contentWindow.glossgraph.stable)"
    )
    frame = next(f for f in page.frames if f is not page.main_frame and f.evaluate("!!window.nodes"))
    assert _labels(frame) == ["Attention", "Fine-tuning", "Foundation Model", "Transformer"]
    # Avoiding the only way through leaves no path.
    page.get_by_label("Concepts to avoid").click()
    page.keyboard.type("Transformer")
    page.keyboard.press("Enter")
    page.get_by_text("No path of at most 6 hops joins").wait_for()
    page.wait_for_url("**avoid=transformer**")


def test_the_sidebar_brings_a_reader_back_to_where_they_were(page: Any, fixture_url: str) -> None:
    page.goto(f"{fixture_url}/?concept=foundation-model&depth=2")
    _picture(page, "foundation-model")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Paths").click()
    page.get_by_text("Choose where to start and where to end.").wait_for()
    page.locator("[data-testid='stSidebarNav'] a", has_text="Explore").click()
    page.get_by_text("A foundation model is a large model pretrained on broad data").wait_for(timeout=20_000)
    frame = _picture(page, "foundation-model")
    assert frame.locator("#note").inner_text() == "8 nodes"  # depth 2 kept too
    page.wait_for_function("() => location.search === '?concept=foundation-model&depth=2'")


def test_audit_csv_download(page: Any, fixture_url: str, tmp_path: Path) -> None:
    page.goto(f"{fixture_url}/audit")
    page.get_by_role("tab", name="broken_links (1)").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download broken_links.csv").click()
    download = download_info.value
    assert download.suggested_filename == "broken_links.csv"
    target = tmp_path / "broken_links.csv"
    download.save_as(target)
    assert target.read_text(encoding="utf-8").splitlines() == [
        "source,target,file,line", "large-language-model,Tokenizer,large-language-model.md,7"
    ]


def test_hostile_text_shows_literally_and_runs_nothing(
    page: Any, app_server_factory: Callable[[str | Path], str]
) -> None:
    url = app_server_factory(HOSTILE)
    page.goto(f"{url}/?concept=hostile")
    page.get_by_text(HOSTILE_DEFINITION, exact=True).wait_for()
    assert page.get_by_role("heading", name=HOSTILE_TITLE).count() == 1
    assert page.get_by_text("<b>bold alias</b>").count() == 1
    frame = _picture(page, "hostile")
    assert "<img src=x onerror=alert(1)> Hostile" in _labels(frame)
    tooltip = frame.evaluate("nodes.get('hostile').title.textContent")
    assert tooltip == f"{HOSTILE_TITLE}\ncategory: <i>Sneaky</i>\n{HOSTILE_DEFINITION}"
    # Hover the node: the tooltip vis-network shows is the same plain text.
    x, y = frame.evaluate(
        "(() => { const p = network.getPositions(['hostile']).hostile; const d = network.canvasToDOM(p);"
        " const r = document.querySelector('#network').getBoundingClientRect();"
        " return [r.left + d.x, r.top + d.y]; })()"
    )
    box = page.locator("iframe").first.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    frame.locator(".vis-tooltip").wait_for(state="visible")
    assert frame.locator(".vis-tooltip").inner_text().startswith(HOSTILE_TITLE)
    # Nothing was turned into markup, in the page or in the picture.
    for where in (page, frame):
        assert where.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert where.evaluate(
            "[...document.querySelectorAll('i, b')].filter(e => /Sneaky|bold alias/.test(e.textContent)).length"
        ) == 0
        assert where.evaluate("[...document.scripts].filter(e => e.textContent.trim() === 'alert(2)').length") == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_an_upload_name_cannot_put_a_link_into_the_error_box(page: Any, fixture_url: str) -> None:
    name = "x` [Session expired - log in](https://evil.example) `.zip"
    page.goto(fixture_url)
    sidebar = page.locator('section[data-testid="stSidebar"]')
    sidebar.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/zip", "buffer": b"PK not really a zip"}
    )
    alert = sidebar.locator('[data-testid="stAlert"]').filter(has_text="not a readable zip archive")
    alert.wait_for()
    # The whole name shows as typed, and nothing in the box is a link.
    assert name in alert.inner_text()
    assert alert.locator("a").count() == 0
    assert page.locator('a[href*="evil.example"]').count() == 0


def test_urls_in_user_text_are_not_made_links(page: Any, app_server_factory: Callable[[str | Path], str]) -> None:
    url = app_server_factory(ROOT / "tests" / "data" / "app" / "autolinks")
    page.goto(f"{url}/?concept=bait")
    shown = page.get_by_text("Your session expired", exact=False).first
    shown.wait_for()
    # The text reads as written (the word joiners that stop the linker are invisible) ...
    assert shown.inner_text().replace("\u2060", "") == (
        "Your session expired, log in again at https://evil.example/login or www.evil.example, "
        "or write to help@evil.example."
    )
    # ... and none of it became a link.
    assert page.locator('a[href*="evil.example"]').count() == 0


def test_screenshot_and_timing_on_the_sample(
    page: Any, browser: Any, app_server_factory: Callable[[str | Path], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = app_server_factory(SAMPLE)
    page.goto(f"{url}/?concept=foundation-model")
    page.get_by_role("heading", name="Foundation Model").first.wait_for()
    frame = _picture(page, "foundation-model")
    assert "Foundation Model" in _labels(frame) and frame.evaluate(_INK) > 2000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000
    timings = measure_app(url, "foundation-model", runs=3, source=SAMPLE, browser=browser)
    with capsys.disabled():
        # Reported, never asserted: timing depends on the machine.
        print(f"\napp timings on the sample glossary: {timings}")
    assert set(timings) >= {"first_interactive_s", "neighbour_rerender_s"}


def test_snapshots_export_only_when_asked_then_download(page: Any, fixture_url: str, tmp_path: Path) -> None:
    from graph.exports import render
    from graph.stores import load_glossary

    page.goto(f"{fixture_url}/snapshots")
    page.get_by_role("button", name="Export graphml").wait_for()
    assert page.get_by_role("button", name="Download graphml").count() == 0
    assert page.get_by_text("KB)").count() == 0  # no size before the file exists
    page.get_by_role("button", name="Export graphml").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download graphml").click()
    download = download_info.value
    assert download.suggested_filename == "graph.graphml"
    download.save_as(tmp_path / "graph.graphml")
    assert (tmp_path / "graph.graphml").read_bytes() == render(load_glossary(FIXTURE), "graphml")
    assert page.get_by_role("button", name="Export graphml").count() == 0


def test_audit_table_is_paged_with_its_controls(page: Any, fixture_url: str) -> None:
    page.set_default_timeout(120_000)  # the first visit runs the audit, on a shared machine
    # A fresh server whose very first request is /audit runs the page without the router (Streamlit's
    # pages/ discovery), so open the start page first as a reader would.
    page.goto(fixture_url)
    page.get_by_text("Search titles and aliases").first.wait_for()
    page.goto(f"{fixture_url}/audit")
    page.get_by_role("button", name="Find link suggestions").wait_for()  # the worklist tab is drawn
    # Only the open tab's tables are drawn: a closed tab holds its one-line summary until opened.
    assert page.get_by_text("Rows 1-3 of 3").count() == 0
    assert page.get_by_text("links that resolved through an alias rather than the id or title").count() == 1
    page.get_by_role("tab", name="alias_links (3)").click()
    panel = page.get_by_role("tabpanel", name="alias_links (3)")
    panel.get_by_text("Rows 1-3 of 3").wait_for()
    # Filtering, ordering and paging are exercised through AppTest in tests/test_app.py.
    assert panel.get_by_text("Rows 1-3 of 3").count() == 1


def test_every_page_gets_ready_and_later_visits_reuse_the_results(browser: Any, fixture_url: str) -> None:
    from scripts.bench_app import PAGES, measure_pages

    timings = measure_pages(fixture_url, "foundation-model",
                            "A foundation model is a large model pretrained on broad data", runs=2, browser=browser)
    assert list(timings) == ["Explore", *PAGES]
    # Each way back is timed in every run; Explore's sidebar return waits for foundation-model's own
    # picture, so it passes only when the page comes back to the concept it left.
    for t in timings.values():
        assert t["runs"] == 2 and t["first_s"] > 0 and len(t["all_s"]) == 2
        assert len(t["tab_all_s"]) == 2 and len(t["nav_all_s"]) == 2 and all(x > 0 for x in t["nav_all_s"])
        assert t["later_s"] == t["all_s"][1] and t["later_nav_s"] is not None


@pytest.fixture(scope="module")
def large_url(app_server_factory: Callable[[str | Path], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The app on a synthetic glossary of 30,000 concepts: its degrees, PageRank and clusters take seconds."""
    from graph.synthetic import write_jsonl

    path = tmp_path_factory.mktemp("overview") / "large.jsonl"
    write_jsonl(path, 30_000, seed=5)
    return app_server_factory(path)


def test_overview_shows_at_once_then_its_measures_arrive_by_themselves(browser: Any, large_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(large_url)  # the store is loaded once, by the start page
        page.get_by_text("Search titles and aliases").wait_for()
        page.goto(f"{large_url}/overview")
        page.get_by_text("Category sizes").wait_for()
        # The counts are there while the slow figures compute in the background, under a progress bar.
        page.get_by_text("Measuring the graph in the background").wait_for()
        assert page.get_by_text("Top hubs by PageRank").count() == 0
        assert page.get_by_test_id("stMetricValue").first.inner_text() == "30,000"
        # No reload: the page refreshes itself until the figures are there, then the bar is gone.
        page.get_by_text("Top hubs by PageRank").wait_for()
        page.get_by_text("Measuring the graph in the background").wait_for(state="detached")
    finally:
        context.close()
    # A later visit (a new session) finds them computed.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{large_url}/overview")
        page.get_by_text("Top hubs by PageRank").wait_for(timeout=30_000)
        assert page.get_by_text("Measuring the graph in the background").count() == 0
    finally:
        context.close()
