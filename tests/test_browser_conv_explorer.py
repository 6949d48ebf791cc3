"""The 1-D convolution explorer in the static book, in headless Chromium with every off-machine request blocked.

There is no kernel on the page: the slider, the selects and the reader's own kernel are handled by the widget's ES
module, with the preset outputs computed by dlbook when the book was built. The values the page shows must equal
``numpy.correlate``; the ``page`` fixture fails the test on any console error or off-machine request.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import axe_violations, open_watched_page, screenshot

from dlbook.widgets.conv_explorer import default_kernels, default_signals

pytestmark = pytest.mark.browser

PAGE = "book/cnn/convolution.html"


def _open(page, book_url):
    page.goto(f"{book_url}/{PAGE}", wait_until="load")
    page.wait_for_selector(".dlbook-ce input.ce-slider", timeout=30_000)
    root = page.locator(".dlbook-ce").first
    root.scroll_into_view_if_needed()
    return root


def _state(root) -> dict:
    return root.evaluate("r => ({...r.dataset})")


def _window_box(root) -> dict:
    return root.locator("rect.ce-window").bounding_box()


def _slide(root, value: int) -> None:
    root.locator("input.ce-slider").evaluate(
        "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }", value
    )


def _check_against_numpy(root, signal: str, kernel: list[float]) -> None:
    state = _state(root)
    pos = int(state["position"])
    shown = np.array(json.loads(state["output"]))
    expected = np.correlate(default_signals()[signal], kernel, "valid")
    assert len(shown) == pos + 1  # the output is drawn up to the slider
    np.testing.assert_allclose(shown, expected[: pos + 1], atol=1e-9)
    readout = root.locator(".ce-readout").inner_text()
    assert readout.startswith(f"y[{pos}] =") and readout.endswith(f"{expected[pos]:.4f}")


def test_slider_moves_window_and_reveals_output(page, book_url):
    root = _open(page, book_url)
    assert _state(root)["position"] == "30"  # as the chapter created it
    assert root.locator("select.ce-signal").input_value() == "noisy sine"
    kernel = default_kernels()["moving average"]
    _check_against_numpy(root, "noisy sine", kernel)
    screenshot(page, "conv-explorer-initial")

    _slide(root, 0)
    left = _window_box(root)["x"]
    _check_against_numpy(root, "noisy sine", kernel)
    assert len(json.loads(_state(root)["output"])) == 1
    _slide(root, 60)
    assert _window_box(root)["x"] > left + 100  # the orange window moved right
    _check_against_numpy(root, "noisy sine", kernel)
    assert len(json.loads(_state(root)["output"])) == 61
    screenshot(page, "conv-explorer-slid")

    # Another kernel and signal: the derivative responds only at the step.
    root.locator("select.ce-kernel").select_option("derivative / edge")
    root.locator("select.ce-signal").select_option("step")
    max_pos = int(root.locator("input.ce-slider").get_attribute("max"))
    assert max_pos == 80 - 3
    _slide(root, max_pos)
    _check_against_numpy(root, "step", default_kernels()["derivative / edge"])
    shown = np.array(json.loads(_state(root)["output"]))
    assert set(np.flatnonzero(shown)) == {38, 39}

    root.locator("select.ce-kernel").select_option("gaussian")
    root.locator("select.ce-signal").select_option("spikes")
    _check_against_numpy(root, "spikes", default_kernels()["gaussian"])


def test_custom_kernel_computed_in_page_equals_numpy(page, book_url):
    root = _open(page, book_url)
    root.locator("select.ce-kernel").select_option("custom")
    custom = root.locator("input.ce-custom")
    assert custom.is_visible()
    custom.fill("0.5, -1, 2, 0.25")
    custom.press("Enter")
    custom.dispatch_event("change")
    assert json.loads(_state(root)["kernel"]) == [0.5, -1, 2, 0.25]
    for signal in ("noisy sine", "spikes", "step"):
        root.locator("select.ce-signal").select_option(signal)
        _slide(root, 50)
        _check_against_numpy(root, signal, [0.5, -1.0, 2.0, 0.25])
    # A bad entry is refused and the last good kernel kept.
    custom.fill("1, two")
    custom.dispatch_event("change")
    assert json.loads(_state(root)["kernel"]) == [0.5, -1, 2, 0.25]
    screenshot(page, "conv-explorer-custom")


def test_a_refused_kernel_says_why_and_the_limits(page, book_url):
    root = _open(page, book_url)
    root.locator("select.ce-kernel").select_option("custom")
    custom = root.locator("input.ce-custom")
    msg = root.locator(".ce-msg")
    good = json.loads(_state(root)["kernel"])
    cases = [
        ("1e308, 1e308", "1e+308 is too large"),
        (", ".join(["1"] * 16), "has 16 numbers, at most 15 are allowed"),
        ("1, two", '"two" is not a number'),
        ("", "The kernel is empty"),
    ]
    for text, reason in cases:
        custom.fill(text)
        custom.dispatch_event("change")
        message = msg.inner_text()
        assert reason in message and "1 to 15 numbers between -1000 and 1000" in message, (text, message)
        assert custom.get_attribute("aria-invalid") == "true"
        assert json.loads(_state(root)["kernel"]) == good  # the last good kernel is kept, and drawn
        assert root.locator("polyline.ce-output").count() == 1
    # The largest allowed weights still draw a full output panel and a readout with numbers.
    custom.fill("1000, -1000, 1000")
    custom.dispatch_event("change")
    assert custom.get_attribute("aria-invalid") == "false" and "3 weights" in msg.inner_text()
    _slide(root, 40)
    _check_against_numpy(root, "noisy sine", [1000.0, -1000.0, 1000.0])
    assert "NaN" not in root.inner_text() and "Infinity" not in root.inner_text()
    assert axe_violations(page, ".dlbook-ce") == []


@pytest.mark.parametrize(("width", "scheme"), [(360, "light"), (360, "dark"), (1400, "light")])
def test_explorer_is_legible_on_a_phone_and_has_no_light_box_in_dark_mode(browser, book_url, width, scheme):
    context, page = open_watched_page(browser, book_url, color_scheme=scheme)
    try:
        page.set_viewport_size({"width": width, "height": 800})
        root = _open(page, book_url)
        if scheme == "dark":
            page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.wait_for_timeout(300)
        smallest = root.evaluate(
            """r => { let m = Infinity;
                for (const e of r.querySelectorAll('text, label, select, input, div')) {
                  if (!e.textContent.trim() && e.tagName !== 'INPUT') continue;
                  const b = e.getBoundingClientRect(); if (!b.width) continue;
                  let px = parseFloat(getComputedStyle(e).fontSize);
                  if (e.tagName === 'text') { const s = e.ownerSVGElement, w = s.getBoundingClientRect().width;
                    px = Number(e.getAttribute('font-size')) * w / s.viewBox.baseVal.width; }
                  m = Math.min(m, px); }
                return m; }"""
        )
        assert smallest >= 11, smallest
        box = root.evaluate("r => [r.getBoundingClientRect().right, document.documentElement.scrollWidth, innerWidth]")
        assert box[0] <= width and box[1] <= box[2], box
        if scheme == "dark":
            # No light background anywhere between the explorer and the page.
            backgrounds = root.evaluate(
                """r => { const out = []; for (let n = r; n && n.tagName !== 'ARTICLE'; n = n.parentElement) {
                    const c = getComputedStyle(n).backgroundColor.match(/[\\d.]+/g).map(Number);
                    if (c.length < 4 || c[3] > 0) out.push(c.slice(0, 3)); } return out; }"""
            )
            assert backgrounds and all(sum(c) / 3 < 100 for c in backgrounds), backgrounds
        assert axe_violations(page, ".dlbook-ce") == []
        screenshot(page, f"conv-explorer-{width}-{scheme}")
        assert not page.watch.problems(), page.watch.problems()
    finally:
        context.close()


def test_position_sent_with_a_longer_kernel_stays_inside_the_signal(page, book_url):
    root = _open(page, book_url)
    root.locator("select.ce-kernel").select_option("custom")
    _slide(root, 77)
    custom = root.locator("input.ce-custom")
    custom.fill(", ".join(["0.1"] * 15))
    custom.dispatch_event("change")
    assert _state(root)["position"] == "65"
    assert root.evaluate("r => r.querySelector('input.ce-slider').max") == "65"
