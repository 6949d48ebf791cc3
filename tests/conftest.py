"""Shared fixtures: the built book served on 127.0.0.1 and a watched Chromium page.

Browser tests (marked ``browser``) drive Debian's Chromium through Playwright's Python package. The ``page`` fixture
blocks and records every request to a host other than the local server, and records console errors, uncaught page
errors and failed same-origin loads; a test fails if any of them happened, unless it empties the lists itself.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The built book the browser tests serve: _build/html, or another build named by DLBOOK_HTML.
HTML = Path(os.environ.get("DLBOOK_HTML") or ROOT / "_build" / "html")
# Debian's Chromium and its switches: one list, shared with tools/make_pdf.py (tools/headless_chromium.py, loaded from
# its file so that tools/ stays off sys.path).
_spec = importlib.util.spec_from_file_location("headless_chromium", ROOT / "tools" / "headless_chromium.py")
_chromium = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_chromium)
CHROMIUM, CHROMIUM_ARGS = _chromium.CHROMIUM, _chromium.CHROMIUM_ARGS
SCREENSHOTS = ROOT / "_build" / "screenshots"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def book_url() -> Iterator[str]:
    """Base URL of ``_build/html`` served on 127.0.0.1 (fails, rather than skips, if the book is not built)."""
    if not (HTML / "index.html").is_file():
        pytest.fail("the book is not built: run `make book` (or `make test`, which builds it) first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Debian's, never a downloaded one)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does this)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Watch:
    """What a page did that a self-contained, error-free book must not do."""

    origin: str
    offsite: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    pending: set = field(default_factory=set)  # requests started and not yet finished or failed
    last_activity: float = field(default_factory=time.monotonic)

    def started(self, request) -> None:
        self.pending.add(request)
        self.last_activity = time.monotonic()

    def ended(self, request) -> None:
        self.pending.discard(request)
        self.last_activity = time.monotonic()

    def problems(self) -> list[str]:
        return (
            [f"off-machine request: {u}" for u in self.offsite]
            + [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed load: {u}" for u in self.failed]
        )


def open_watched_page(browser, origin: str, color_scheme: str = "light"):
    """A new page whose off-machine requests are blocked and whose errors are recorded in ``page.watch``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    watch = Watch(origin)

    def route(r) -> None:
        url = r.request.url
        if url.startswith(origin) or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            watch.offsite.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and watch.console_errors.append(m.text))
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    page.on("request", watch.started)
    page.on("requestfinished", watch.ended)
    page.on("requestfailed", watch.ended)
    page.on(
        "response",
        lambda r: r.status >= 400 and r.url.startswith(origin) and watch.failed.append(f"{r.status} {r.url}"),
    )
    page.watch = watch
    return context, page


# How long a page may take to settle. Not a speed target: the first page a fresh Chromium opens (the 1 MB API
# reference, with its formulas and fonts) once took over 30 s on a busy 2-core machine.
SETTLE_MS = 120_000
QUIET_S = 0.5


def settle(page, timeout_ms: int = SETTLE_MS) -> None:
    """Wait until the page has loaded, MathJax has typeset, its fonts are ready and no request has been in flight
    for half a second.

    Playwright's own ``networkidle`` is not used: in this Chromium it sometimes never fires on a page whose
    requests have all finished (the API reference waited 300 s with nothing pending). The watch counts the page's
    requests itself, so a page that really keeps loading fails with the requests it is waiting for.
    """
    page.wait_for_load_state("load", timeout=timeout_ms)
    page.wait_for_function(
        "() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise"
        " && (window.__mjDone || (window.MathJax.startup.promise.then(() => { window.__mjDone = true; }), false)))",
        timeout=timeout_ms,
    )
    page.evaluate("() => document.fonts.ready.then(() => true)")
    watch = page.watch
    deadline = time.monotonic() + timeout_ms / 1000
    while watch.pending or time.monotonic() - watch.last_activity < QUIET_S:
        if time.monotonic() > deadline:
            pytest.fail(
                f"the page kept loading for {timeout_ms / 1000:.0f} s: "
                + ", ".join(sorted(r.url for r in watch.pending)[:8])
            )
        page.wait_for_timeout(100)


@pytest.fixture
def page(browser, book_url):
    """A watched page on the served book; the test fails if it made off-machine requests or logged errors."""
    context, pg = open_watched_page(browser, book_url)
    yield pg
    problems = pg.watch.problems()
    context.close()
    assert not problems, "\n".join(problems)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under ``_build/screenshots`` for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, include: str | None = None, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of ``impacts`` on the page (or inside the elements matching ``include``).

    axe-core comes from npm (package.json's devDependencies, installed by ``make vendor``). Each violation is
    ``{"id", "impact", "help", "targets"}`` with the CSS selectors of the offending nodes.
    """
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make vendor` (npm ci) first")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    found = page.evaluate(
        """async (include) => {
            const context = include ? { include: Array.from(document.querySelectorAll(include)) } : document;
            const r = await axe.run(context, { resultTypes: ['violations'] });
            return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                            targets: v.nodes.map(n => n.target.join(' ')) }));
        }""",
        include,
    )
    return [v for v in found if v["impact"] in impacts]


def pytest_terminal_summary(terminalreporter):
    """Sum the outcome counts that tests/test_bad_input.py records (works under xdist: reports carry them)."""
    totals = {"clear": 0, "unclear": 0, "silent": 0}
    found = False
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if key == "bad_input_counts" and getattr(report, "when", "call") == "call":
                    found = True
                    for k in totals:
                        totals[k] += value.get(k, 0)
    if found:
        terminalreporter.write_sep("-", "bad input outcomes")
        terminalreporter.write_line(", ".join(f"{k}: {v}" for k, v in totals.items()))
