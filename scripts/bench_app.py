"""The app in a real browser: start `glossgraph app`, and time what a reader waits for.

``measure_app(url)`` returns medians over a few runs of
- ``first_interactive_s``: from opening the page until the concept card is shown and the
  neighbourhood picture has been drawn and has stopped moving;
- ``neighbour_rerender_s``: from clicking a linked concept on the card until the new card and
  the new picture are shown (drawn and still).

Run ``python -m scripts.bench_app [SOURCE] [--concept ID] [--runs N]`` to print them; the
benchmark (scripts/bench.py) calls ``measure_app`` / ``measure_source``. The browser is Debian's
Chromium (/usr/bin/chromium); Playwright cannot download its own here.
"""

from __future__ import annotations

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PAGES",
    "PICTURE_READY",
    "AppServer",
    "free_port",
    "launch_chromium",
    "measure_app",
    "measure_pages",
    "measure_source",
    "start_app",
]

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("GLOSSGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AppServer:
    """A running `glossgraph app SOURCE --port N`: its URL, the seconds it took to answer, and how to stop it."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path, started_s: float):
        self.process = process
        self.url = url
        self.log = log
        self.started_s = started_s

    def stop(self) -> None:
        """Stop the server (its process group) and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def start_app(source: str | Path, *, timeout: float = 90.0, log_dir: Path | None = None,
              options: Sequence[str] = ()) -> AppServer:
    """Start `glossgraph app SOURCE [OPTIONS]` on a free port and wait until its health check answers."""
    port = free_port()
    log = (log_dir or Path(os.environ.get("TMPDIR", "/tmp"))) / f"glossgraph-app-{port}.log"
    script = Path(sys.executable).with_name("glossgraph")
    launcher = [str(script)] if script.exists() else [sys.executable, "-c", "import sys; from graph.cli import main; "
                                                      "sys.exit(main())"]
    command = [*launcher, "app", str(source), *options, "--port", str(port), "--host", "127.0.0.1"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    with log.open("wb") as out:
        # Its own process group, so stopping it stops everything it started.
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = started + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"glossgraph app exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.perf_counter() > deadline:
            AppServer(process, url, log, 0).stop()
            raise RuntimeError(f"glossgraph app did not answer within {timeout} s:\n{log.read_text()}")
        time.sleep(0.2)
    return AppServer(process, url, log, time.perf_counter() - started)


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with nothing that phones home."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# -- measuring ------------------------------------------------------------------------------------

#: Script run in the page: is the picture whose centre is ``id`` drawn and still?
PICTURE_READY = """(id) => {
  for (const frame of document.querySelectorAll('iframe')) {
    const win = frame.contentWindow;
    if (!win || !win.glossgraph || !win.glossgraph.stable || !win.nodes) continue;
    const centre = win.nodes.get(id);
    if (centre && centre.center === true) return true;
  }
  return false;
}"""


def _wait_ready(page: Any, concept_id: str, definition: str) -> None:
    page.get_by_text(definition[:60], exact=False).first.wait_for(state="visible")
    page.wait_for_function(PICTURE_READY, arg=concept_id)


def measure_app(
    url: str,
    concept: str = "foundation-model",
    runs: int = 3,
    source: str | Path | None = None,
    browser: Any = None,
) -> dict[str, Any]:
    """Medians (seconds) of time to interactive of Explore and of the re-render after moving to a neighbour.

    ``source`` is what the server at ``url`` serves (default: the bundled sample), read here only
    to know the concept's definition and its first link. ``browser`` reuses a Playwright browser
    (e.g. a test's); otherwise Chromium is launched for the measurement.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            try:
                return measure_app(url, concept, runs, source, chromium)
            finally:
                chromium.close()
    from graph.stores import open_store

    first: list[float] = []
    moves: list[float] = []
    store = open_store(source or ROOT / "data" / "ai-glossary")
    view = store.concept(concept)
    if not view.links:
        raise ValueError(f"{concept!r} links to nothing; choose a concept with links")
    neighbour = store.concept(view.links[0])
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            started = time.perf_counter()
            page.goto(f"{url}/?concept={concept}")
            _wait_ready(page, view.concept.id, view.concept.definition or view.concept.title)
            first.append(time.perf_counter() - started)
            button = page.get_by_role("button", name=neighbour.concept.title, exact=True).first
            started = time.perf_counter()
            button.click()
            _wait_ready(page, neighbour.concept.id, neighbour.concept.definition or neighbour.concept.title)
            moves.append(time.perf_counter() - started)
        finally:
            context.close()
    return {
        "first_interactive_s": round(statistics.median(first), 3),
        "neighbour_rerender_s": round(statistics.median(moves), 3),
        "runs": runs,
        "first_interactive_all_s": [round(t, 3) for t in first],
        "neighbour_rerender_all_s": [round(t, 3) for t in moves],
    }


#: Each page's path and what shows once the page is ready (its slowest part drawn).
PAGES: dict[str, tuple[str, str]] = {
    "Paths": ("/paths", "text=Choose where to start and where to end."),
    "Audit": ("/audit", "role=button[name='Find link suggestions']"),  # the end of the worklist
    "Overview": ("/overview", "text=Top hubs by PageRank"),
    "Snapshots": ("/snapshots", "role=button[name='Export json']"),
}


#: Pages that show their quick part before their slowest part, and what shows then: the Overview's
#: counts and categories come at once while its degrees, PageRank and clusters compute in the background.
SHOWN: dict[str, str] = {"Overview": "text=Category sizes"}


#: How a reader comes back to a page whose results the server has already computed, each timed by
#: ``measure_pages``: the key of its median in the answer, its short name and what it is.
RETURNS: dict[str, tuple[str, str]] = {
    "later_s": ("new browser", "a new browser: a new session, and Streamlit's scripts not yet in the browser's cache"),
    "later_tab_s": ("new tab", "a new tab of a browser that has shown the app: a new session, the scripts cached"),
    "later_nav_s": ("sidebar", "the sidebar of an open app: the same session"),
}


def _open_from_sidebar(page: Any, name: str) -> None:
    """Click the sidebar's link to the page ``name``."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=name).first.click()


def _wait_page(page: Any, name: str, concept: str, definition: str) -> None:
    """Wait until the page ``name`` is ready (Explore: ``concept``'s card and still picture)."""
    if name == "Explore":
        _wait_ready(page, concept, definition)
    else:
        page.locator(PAGES[name][1]).first.wait_for(state="visible")


def measure_pages(url: str, concept: str, definition: str, runs: int = 3, browser: Any = None) -> dict[str, Any]:
    """Seconds until each page is ready: its first visit (the source's results not yet computed) and later visits.

    Each run visits every page three ways (``RETURNS``): its address in a fresh browser context,
    its address in a second tab of that context, then from that tab's sidebar after going to
    another page. The first run's first way is the page's first visit; the rest are later visits,
    fast only when the server reuses what an earlier visit computed. A page of ``SHOWN`` also
    reports ``shown_all_s``: the seconds, in the fresh contexts, until its quick part showed.
    Explore (the start page, store load included) goes first; the other pages follow in the
    order of ``PAGES``.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            try:
                return measure_pages(url, concept, definition, runs, chromium)
            finally:
                chromium.close()
    names = ["Explore", *PAGES]
    visits: dict[str, dict[str, list[float]]] = {name: {way: [] for way in ("new", "tab", "nav")} for name in names}
    shown: dict[str, list[float]] = {name: [] for name in SHOWN}
    for _ in range(runs):
        for name in names:
            address = f"{url}/?concept={concept}" if name == "Explore" else f"{url}{PAGES[name][0]}"
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            try:
                for way in ("new", "tab"):
                    page = context.new_page()
                    page.set_default_timeout(600_000)
                    started = time.perf_counter()
                    page.goto(address)
                    if way == "new" and name in SHOWN:
                        page.locator(SHOWN[name]).first.wait_for(state="visible")
                        shown[name].append(time.perf_counter() - started)
                    _wait_page(page, name, concept, definition)
                    visits[name][way].append(time.perf_counter() - started)
                away = "Snapshots" if name != "Snapshots" else "Paths"
                _open_from_sidebar(page, away)
                _wait_page(page, away, concept, definition)
                started = time.perf_counter()
                _open_from_sidebar(page, name)
                _wait_page(page, name, concept, definition)
                visits[name]["nav"].append(time.perf_counter() - started)
            finally:
                context.close()

    def median(times: list[float]) -> float | None:
        return round(statistics.median(times), 3) if times else None

    return {
        name: {"first_s": round(ways["new"][0], 3),
               "later_s": median(ways["new"][1:]), "later_tab_s": median(ways["tab"]),
               "later_nav_s": median(ways["nav"]), "runs": runs,
               "all_s": [round(t, 3) for t in ways["new"]], "tab_all_s": [round(t, 3) for t in ways["tab"]],
               "nav_all_s": [round(t, 3) for t in ways["nav"]],
               **({"shown_all_s": [round(t, 3) for t in shown[name]]} if name in shown else {})}
        for name, ways in visits.items()
    }


def measure_source(source: str | Path, concept: str = "foundation-model", runs: int = 3) -> dict[str, Any]:
    """Start `glossgraph app SOURCE`, measure it with ``measure_app``, stop it; adds the server start time."""
    server = start_app(source)
    try:
        result = measure_app(server.url, concept, runs, source)
    finally:
        server.stop()
    return {"server_answers_s": round(server.started_s, 3), **result}


def main(argv: list[str] | None = None) -> int:
    """Print the app timings of a source as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", default=str(ROOT / "data" / "ai-glossary"))
    parser.add_argument("--concept", default="foundation-model")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", action="store_true",
                        help="Time every page's first and later visits instead (measure_pages).")
    args = parser.parse_args(argv)
    if args.pages:
        from graph.stores import open_store

        definition = open_store(args.source).concept(args.concept).concept.definition
        server = start_app(args.source, timeout=600)
        try:
            result = measure_pages(server.url, args.concept, definition, args.runs)
        finally:
            server.stop()
        print(json.dumps({"server_answers_s": round(server.started_s, 3), **result}, indent=2))
        return 0
    print(json.dumps(measure_source(args.source, args.concept, args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
