"""Reports opened in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

For each report: no console errors (a CSP refusal of our own script would be one), no network
request at all besides the file itself, no injected script ran, our script did run (the hop
table sorts), and the verdict and the 5 Whys are in the first screen.  Screenshots go to
``tests/browser/screenshots/`` (git-ignored) for people to look at.

Under ``CI=true`` a missing Chromium or Playwright is a failure, not a skip: ``.ci/run``
installs both.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXTERNAL, FIXTURES, REPO, make_trace, span
from tests.report_samples import PINNED, full_analysis, injection_analysis
from tracewhy.analysis.analyze import Analysis
from tracewhy.pipeline import analyze_trace
from tracewhy.render.html import render_html
from tracewhy.sources import load_trace

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("TRACEWHY_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must install it: see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        _unavailable(f"chromium not found at {CHROMIUM}")
    profile = tempfile.mkdtemp(prefix="tracewhy-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM if Path(CHROMIUM).exists()
            else shutil.which("chromium"), headless=True, args=FLAGS, viewport=VIEWPORT,
            java_script_enabled=True, offline=True)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _external(rel: str) -> Callable[[], Analysis]:
    def load() -> Analysis:
        path = EXTERNAL / rel
        if not path.exists():
            _unavailable(f"external trace {path} not available")
        return analyze_trace(load_trace(str(path)))
    return load


def _demo_fixtures() -> dict[str, Callable[[], Analysis]]:
    """The demo scenarios' worst traces (fixtures/demo/<scenario>/worst.json)."""
    found = sorted((REPO / "fixtures" / "demo").glob("*/worst.json"))
    return {f"demo-{p.parent.name}": (lambda p=p: analyze_trace(load_trace(str(p))))
            for p in found}


REPORTS: dict[str, Callable[[], Analysis]] = {
    "smartthings": _external("zipkin-lens/smartthings-mobile-web-install.json"),
    "crisp-18": _external("crisp/18.json"),
    "crisp-16-bundled": lambda: analyze_trace(load_trace(str(FIXTURES / "crisp-16.json"))),
    "explained-sample": full_analysis,
    "injection": injection_analysis,
    **_demo_fixtures(),
}


def test_the_demo_scenarios_are_covered() -> None:
    assert len(_demo_fixtures()) >= 7


class Opened:
    """A report loaded in a page, with what the page did while loading."""

    def __init__(self, browser: Any, html: str, tmp: Path, name: str) -> None:
        path = tmp / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        self.url = path.as_uri()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        page = self.page = browser.new_page()
        page.route("**/*", self._route)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        page.on("dialog", self._dialog)
        started = time.perf_counter()
        page.goto(self.url, wait_until="load")
        self.load_seconds = time.perf_counter() - started

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:  # anything else is a fetch the report must never make
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_in_chromium(browser: Any, tmp_path: Path, name: str) -> None:
    html = render_html(REPORTS[name](), **PINNED)
    opened = Opened(browser, html, tmp_path, name)
    page = opened.page
    try:
        errors = [m for m in opened.console if m.startswith(("error", "pageerror"))]
        assert errors == []
        assert opened.requests == [opened.url]  # the file itself, nothing else
        assert page.evaluate("window.__pwned") is None and opened.dialogs == []
        for selector in ("#verdict", "#whys-title"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["y"] < VIEWPORT["height"], selector
        assert page.locator("#verdict .sentence").inner_text().strip()
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))  # the first screen
        _our_script_runs(page)
        assert opened.load_seconds < 10
    finally:
        page.close()


def _our_script_runs(page: Any) -> None:
    """Sorting the hop table proves our (hash-allowed) script ran under the CSP."""
    header = page.locator("table.hops th").nth(3)  # calls
    if header.count() == 0:
        return
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    calls = [int(c) for c in page.locator("table.hops tbody td:nth-child(4)").all_inner_texts()]
    assert calls == sorted(calls)


def test_narrow_screen_and_print(browser: Any, tmp_path: Path) -> None:
    opened = Opened(browser, render_html(full_analysis(), **PINNED), tmp_path, "narrow")
    page = opened.page
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # wide drawings scroll inside their box, the page does not
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "narrow.png"))
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
        assert page.locator(".scroll.tall").evaluate("e => getComputedStyle(e).maxHeight") \
            == "none"
        assert page.locator("#expand-all").is_hidden()
    finally:
        page.close()


def test_evidence_link_opens_the_span(browser: Any, tmp_path: Path) -> None:
    opened = Opened(browser, render_html(full_analysis(), **PINNED), tmp_path, "links")
    page = opened.page
    try:
        link = page.locator("#whys a.span").first
        target = (link.get_attribute("href") or "")[1:]
        assert target.startswith("span-")
        link.click()
        assert page.locator(f"#{target}").evaluate("d => d.open") is True
        assert opened.requests == [opened.url]
    finally:
        page.close()


def test_the_checks_catch_a_leaky_page(browser: Any, tmp_path: Path) -> None:
    """The harness itself: a page without our safeguards trips every check above."""
    leaky = ("<!DOCTYPE html><title>x</title><img src=\"http://192.0.2.1/x.png\">"
             "<script>window.__pwned = 1; console.error('boom')</script>")
    opened = Opened(browser, leaky, tmp_path, "leaky")
    try:
        assert opened.page.evaluate("window.__pwned") == 1
        assert any(r.startswith("http://192.0.2.1/") for r in opened.requests)
        assert any("boom" in m for m in opened.console)
    finally:
        opened.page.close()


def _huge(children: int = 300, grandchildren: int = 100) -> Analysis:
    spans = [span("r", None, 0, 10_000_000, service="gateway", name="GET /feed")]
    for c in range(children):
        start = c * 30_000
        spans.append(span(f"c{c}", "r", start, start + 30_000, service=f"svc{c % 9}",
                          name=f"call{c % 13}"))
        spans += [span(f"g{c}.{g}", f"c{c}", start + g * 300, start + g * 300 + 250,
                       service="db", name=f"query{g % 5}") for g in range(grandchildren)]
    return analyze_trace(make_trace(*spans))


def test_huge_trace_report_is_small_and_opens_quickly(browser: Any, tmp_path: Path) -> None:
    analysis = _huge()
    html = render_html(analysis, **PINNED)
    assert len(analysis.index) == 30_301
    assert len(html.encode()) < 5_000_000
    opened = Opened(browser, html, tmp_path, "huge")
    try:
        assert opened.load_seconds < 5
        assert [m for m in opened.console if m.startswith(("error", "pageerror"))] == []
        folded = opened.page.locator("svg.waterfall g.row.folded").count()
        assert folded > 0
        SHOTS.mkdir(exist_ok=True)
        opened.page.locator("#timeline").screenshot(path=str(SHOTS / "huge-timeline.png"))
    finally:
        opened.page.close()
