"""The 1-D convolution explorer in the static book, in headless Chromium with every off-machine request blocked.

There is no kernel on the page: the slider, the selects and the reader's own kernel are handled by the widget's ES
module, with the preset outputs computed by dlbook when the book was built. The values the page shows must equal
``numpy.correlate``; the ``page`` fixture fails the test on any console error or off-machine request.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import screenshot

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
