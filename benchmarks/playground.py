"""Frame rate of the MLP playground in headless Chromium: a training step and a complete heatmap in every frame.

The page is the built book's playground chapter (``_build/html``, or the build named by ``DLBOOK_HTML``), served on
127.0.0.1 with every other host blocked; if the book is not built (and always with ``--tiny``), a minimal page that
renders the same front end (:func:`dlbook.widgets.playground.front_end`) with a stand-in model. 1,000 spiral points
are loaded through the widget's page API (``root.dlbookPlayground.setData``), the speed control is set to one
training step per frame, Train is pressed, and ``requestAnimationFrame`` callbacks are counted over windows of one
second. Each row's time is seconds per frame (median, min and max over the windows); its note gives the frame rate
beside the issue's target (30 frames per second with the default network, 20 with two hidden layers of 64 units)
and the training steps and complete heatmaps counted per frame, which must be at least one each.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._harness import Config, Result, Stats, register

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("DLBOOK_HTML") or ROOT / "_build" / "html")
PAGE = "book/foundations/playground.html"
# Chromium and its switches, as the browser tests and the PDF launch it (tools/ is not a package: load the file).
_spec = importlib.util.spec_from_file_location("headless_chromium", ROOT / "tools" / "headless_chromium.py")
_chromium = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_chromium)
CHROMIUM, CHROMIUM_ARGS = _chromium.CHROMIUM, _chromium.CHROMIUM_ARGS
POINTS = 1000
#: (row name, hidden layers, hidden units, target frames per second)
NETWORKS = [("default", 1, 16, 30.0), ("2x64", 2, 64, 20.0)]

# Counts frames, training steps (the epoch counter) and complete heatmaps over `ms` milliseconds of animation.
_COUNT = """([root, ms]) => new Promise((done) => {
  // From the first callback to the last: `frames` intervals, and the steps and heatmaps drawn in them (the
  // widget's own callback runs in every frame, in the same order relative to this one).
  const r = document.querySelector(root);
  let frames = -1, e0 = 0, h0 = 0, t0 = 0;
  function tick(t) {
    if (frames < 0) { e0 = Number(r.dataset.epoch); h0 = Number(r.dataset.heatmaps || 0); t0 = t; }
    frames++;
    if (t - t0 < ms) { requestAnimationFrame(tick); return; }
    done({ frames, seconds: (t - t0) / 1000, steps: Number(r.dataset.epoch) - e0,
           heatmaps: Number(r.dataset.heatmaps || 0) - h0, running: r.dataset.running, diverged: r.dataset.diverged });
  }
  requestAnimationFrame(tick);
})"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@contextmanager
def _serve(directory: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def standalone_page(directory: Path) -> str:
    """Write a page that renders the playground's front end with a stand-in model; return its file name.

    The model holds the traits of a fresh ``MLPPlayground()`` (``get``/``set``; ``save_changes`` and the change
    events do nothing), as the static book's widget manager does without a kernel.
    """
    from dlbook.widgets.playground import MLPPlayground, front_end

    widget = MLPPlayground()
    state = {k: v for k, v in widget.get_state().items() if not k.startswith("_")}
    widget.close()
    (directory / "playground.mjs").write_text(front_end())
    (directory / "standalone.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>playground</title></head><body>"
        "<main><div id='pg' style='max-width:900px'></div></main><script type='module'>\n"
        "import widget from './playground.mjs';\n"
        f"const state = {json.dumps(state)};\n"
        "const model = { get: (k) => state[k], set: (k, v) => { state[k] = v; },\n"
        "  on() {}, off() {}, save_changes() {} };\n"
        "widget.render({ model, el: document.getElementById('pg') });\n"
        "</script></body></html>"
    )
    return "standalone.html"


def _spiral_points(n: int) -> tuple[list, list]:
    from dlbook.data import spiral

    X, y = spiral(n, num_classes=2, rng=0)
    X = np.clip(X, -1.45, 1.45)  # inside the widget's default view
    return X.tolist(), y.astype(int).tolist()


def measure(url: str, layers: int, units: int, windows: int, window_ms: int, warmup_ms: int) -> dict[str, Any]:
    """Frame statistics of the first playground on ``url`` training ``POINTS`` points with the given network."""
    from playwright.sync_api import sync_playwright

    X, y = _spiral_points(POINTS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            origin = url.split("/", 3)[:3]
            context.route(
                "**/*",
                lambda r: (
                    r.continue_()
                    if r.request.url.startswith("/".join(origin)) or r.request.url.startswith(("data:", "blob:"))
                    else r.abort()
                ),
            )
            page = context.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_selector(".dlbook-pg canvas.pg-canvas", timeout=60_000)
            root = page.locator(".dlbook-pg").first
            root.scroll_into_view_if_needed()
            if layers != 1:
                root.locator(f".pg-layers button[data-value='{layers}']").click()
            root.locator("input.pg-units").evaluate(
                "(e, v) => { e.value = String(v); e.dispatchEvent(new Event('change')); }", units
            )
            root.evaluate("(r, d) => r.dlbookPlayground.setData(d[0], d[1])", [X, y])
            root.locator("select.pg-speed").select_option("1")
            root.locator("canvas.pg-canvas").scroll_into_view_if_needed()
            root.locator("button.pg-train").click()
            page.wait_for_timeout(warmup_ms)
            counts = [page.evaluate(_COUNT, [".dlbook-pg", window_ms]) for _ in range(windows)]
            root.locator("button.pg-train").click()
            sizes = root.evaluate("r => r.dlbookPlayground.weights()")
        finally:
            browser.close()
    return {
        "counts": counts,
        "sizes": [len(sizes["W1"][0])] + [len(sizes[f"W{k}"]) for k in range(1, 1 + len(sizes) // 2)],
    }


@register("playground-fps")
def playground_fps(cfg: Config) -> list[Result]:
    import tempfile

    book = (HTML / PAGE).is_file() and not cfg.tiny
    windows, window_ms, warmup_ms = (1, 400, 200) if cfg.tiny else (5, 1000, 1000)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = HTML if book else Path(tmp)
        page = PAGE if book else standalone_page(Path(tmp))
        with _serve(directory) as base:
            for name, layers, units, target in NETWORKS:
                got = measure(f"{base}/{page}", layers, units, windows, window_ms, warmup_ms)
                counts = got["counts"]
                per_frame = [c["seconds"] / max(1, c["frames"]) for c in counts]
                frames = sum(c["frames"] for c in counts)
                seconds = sum(c["seconds"] for c in counts)
                fps = frames / seconds
                steps = sum(c["steps"] for c in counts) / max(1, frames)
                heat = sum(c["heatmaps"] for c in counts) / max(1, frames)
                ok = fps >= target and steps >= 1 and heat >= 1
                where = "the built book" if book else "a standalone page (tiny run, or the book is not built)"
                rows.append(
                    Result(
                        name=f"playground-fps/{name}",
                        operation=f"playground frame in Chromium, {name} network",
                        shape=f"{POINTS} points, MLP {got['sizes']}",
                        dtype="float64",
                        unit="s",
                        dlbook=Stats.of(per_frame),
                        note=(
                            f"{fps:.1f} frames per second (target >= {target:g}: {'met' if ok else 'NOT MET'}); "
                            f"{steps:.2f} training steps and {heat:.2f} complete heatmaps per frame; in {where}"
                        ),
                        extra={
                            "fps": fps,
                            "target_fps": target,
                            "steps_per_frame": steps,
                            "heatmaps_per_frame": heat,
                            "met": ok,
                            "windows": counts,
                            "book": book,
                        },
                    )
                )
    return rows
