"""The MLP playground in a real JupyterLab: the page and the Python side stay in sync.

A JupyterLab server from this environment runs a copy of the playground chapter in a temporary directory; headless
Chromium (Debian's, through Playwright) runs every cell, clicks points of two classes in an XOR pattern, trains until
the page reads 100%, pauses, switches to SGD, and then runs a cell that reads ``pg.points``, ``pg.optimizer`` and
``pg.to_mlp()``: the optimizer is the page's and the accuracy Python computes is the page's readout. A cell trains
from Python with ``pg.fit`` and the page's epoch counter follows;
a last one moves the points so far out that the page's arithmetic overflows: training stops with a message and
Reset recovers.
The server is always terminated.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import ROOT, open_watched_page, screenshot

pytestmark = [pytest.mark.jupyterlab, pytest.mark.xdist_group("jupyterlab")]  # one JupyterLab at a time

CHAPTER = ROOT / "book" / "foundations" / "playground.ipynb"
CHECK = (
    '_acc = float(np.mean(pg.to_mlp().predict(pg.points) == pg.labels)) if len(pg.points) else float("nan")\n'
    'print(f"PYTHON-SIDE n={len(pg.points)} acc={_acc:.6f} epoch={pg.epoch} opt={pg.optimizer}")'
)
FIT = 'pg.fit(50)\nprint(f"FITTED epoch={pg.epoch}")'
HUGE = 'pg.set_data(pg.points / np.abs(pg.points).max() * 5e307, pg.labels)\nprint("HUGE")'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on a copy of the chapter (plus two check cells); yields (base_url, token, name)."""
    nb = nbformat.read(CHAPTER, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(c) for c in (CHECK, FIT, HUGE)]
    yield from _serve_lab(tmp_path, nb)


def _serve_lab(tmp_path, nb):
    """Start JupyterLab on ``nb`` (saved as playground-copy.ipynb); yield (base_url, token, name); always stop it."""
    work = tmp_path / "work"
    work.mkdir()
    nbformat.write(nb, work / "playground-copy.ipynb")
    # Every cell rendered (no windowing), so the widget stays in the page while we scroll.
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    jupyter = Path(sys.executable).parent / "jupyter"
    cmd = [
        str(jupyter) if jupyter.exists() else shutil.which("jupyter") or "jupyter",
        "lab",
        "--allow-root",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={work}",
        f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]
    log = open(tmp_path / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token, "playground-copy.ipynb"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


KERNEL_IDLE = (
    "() => { const w = window.jupyterapp && jupyterapp.shell.currentWidget;"
    " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
    " return !!k && k.status === 'idle'; }"
)


def _wait_idle(page, timeout: float = 180_000) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout, polling=200)


def _run_cell(page, index: int) -> None:
    page.evaluate(
        """async (i) => { const nb = jupyterapp.shell.currentWidget.content; nb.activeCellIndex = i;
                          await jupyterapp.commands.execute('notebook:run-cell'); }""",
        index,
    )


def _cell_output(page, index: int) -> str:
    return page.evaluate(
        "(i) => jupyterapp.shell.currentWidget.content.widgets[i].node"
        ".querySelector('.jp-OutputArea')?.innerText || ''",
        index,
    )


def _click_data(page, root, x: float, y: float) -> None:
    canvas = root.locator("canvas.pg-canvas")
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")
    box = canvas.bounding_box()
    left, top, width, height = json.loads(canvas.get_attribute("data-plot-rect"))
    page.mouse.click(box["x"] + left + (x + 1.5) / 3 * width, box["y"] + top + (1.5 - y) / 3 * height)


def test_page_and_python_agree_in_jupyterlab(browser, lab):
    base, token, name = lab
    context, page = open_watched_page(browser, base)
    try:
        page.goto(f"{base}/lab/tree/{name}?token={token}", wait_until="load")
        page.wait_for_function(
            "() => window.jupyterapp && jupyterapp.shell.currentWidget && jupyterapp.shell.currentWidget.content"
            " && jupyterapp.shell.currentWidget.content.widgets",
            timeout=120_000,
        )
        _wait_idle(page)
        page.evaluate("() => jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_selector(".dlbook-pg canvas.pg-canvas", timeout=120_000)
        _wait_idle(page)
        n_cells = page.evaluate("() => jupyterapp.shell.currentWidget.content.widgets.length")
        assert "PYTHON-SIDE n=0" in _cell_output(page, n_cells - 3)

        root = page.locator(".dlbook-pg").first
        rng = np.random.default_rng(3)
        for cls, quadrants in ((0, [(1, 1), (-1, -1)]), (1, [(-1, 1), (1, -1)])):
            root.locator(f"button.pg-swatch[data-class='{cls}']").click()
            for i in range(10):
                sx, sy = quadrants[i % 2]
                x, y = rng.uniform(0.35, 1.2, size=2)
                _click_data(page, root, sx * x, sy * y)
        root.locator("button.pg-train").click()
        page.wait_for_function(
            "() => document.querySelector('.dlbook-pg').dataset.accuracy === '1'", timeout=20_000, polling=50
        )
        root.locator("button.pg-train").click()  # pause: the page sends its weights to Python
        root.locator(".pg-optimizer button[data-value='sgd']").click()  # the trait follows the button at once
        page.wait_for_timeout(300)
        state = root.evaluate("r => ({...r.dataset})")
        readout = root.locator(".pg-acc").inner_text()
        screenshot(page, "playground-jupyterlab")
        assert state["points"] == "20" and readout == "100.0%"

        _run_cell(page, n_cells - 3)
        _wait_idle(page)
        page.wait_for_function(
            "(i) => (jupyterapp.shell.currentWidget.content.widgets[i].node.innerText || '').includes('n=20')",
            arg=n_cells - 3,
            timeout=30_000,
        )
        out = _cell_output(page, n_cells - 3)
        fields = dict(part.split("=") for part in out.split("PYTHON-SIDE", 1)[1].split())
        assert int(fields["n"]) == 20
        assert float(fields["acc"]) == pytest.approx(float(state["accuracy"]), abs=1e-9)
        assert f"{100 * float(fields['acc']):.1f}%" == readout
        assert int(fields["epoch"]) == int(state["epoch"])
        assert fields["opt"] == "sgd"

        # Python trains, the page follows.
        _run_cell(page, n_cells - 2)
        _wait_idle(page)
        page.wait_for_function(
            "(e) => document.querySelector('.dlbook-pg').dataset.epoch === String(e)",
            arg=int(state["epoch"]) + 50,
            timeout=30_000,
        )
        assert "FITTED" in _cell_output(page, n_cells - 2)

        # Points so far out that the page's arithmetic overflows: training stops with a message, Reset recovers.
        _run_cell(page, n_cells - 1)
        _wait_idle(page)
        root.locator("button.pg-train").click()
        page.wait_for_timeout(2000)
        state = root.evaluate("r => ({...r.dataset})")
        message = root.locator(".pg-msg").inner_text()
        screenshot(page, "playground-jupyterlab-diverged")
        assert state["diverged"] == "true", (state, message)
        assert "diverged" in message
        assert "NaN" not in root.inner_text() and "diverged" in root.locator("canvas.pg-curve").get_attribute(
            "aria-label"
        )
        assert root.evaluate("r => r.dataset.running") == "false"
        root.locator("button.pg-reset").click()
        page.wait_for_function(
            "() => { const d = document.querySelector('.dlbook-pg').dataset;"
            " return d.diverged === 'false' && d.epoch === '0'; }",
            timeout=10_000,
        )
        assert root.locator(".pg-msg").inner_text() == ""
        assert not page.watch.offsite, page.watch.offsite
        widget_errors = [e for e in page.watch.page_errors if "pg" in e.lower() or "playground" in e.lower()]
        assert not widget_errors, widget_errors
    finally:
        context.close()


# --- the training options and pg.state, both ways ---------------------------------------------------------------------
OPTIONS_CELLS = [
    "import json\nimport numpy as np\nfrom dlbook import data\nfrom dlbook.widgets import MLPPlayground\n"
    "pg = MLPPlayground()\npg",
    "X, y = data.circles(100, rng=0)\n"
    "pg.state = {'points': X.tolist(), 'labels': y.tolist(), 'extent': [-1.5, 1.5, -1.5, 1.5], 'hidden_layers': 0,\n"
    "            'features': ['x1^2', 'x2^2'], 'test_ratio': 0.3, 'batch_size': 10, 'regularization': 'l2',\n"
    "            'reg_rate': 0.01, 'seed': 3, 'speed': 20, 'loss_scale': 'linear'}\nprint('SET', pg.sizes)",
    "_s = {k: v for k, v in pg.state.items() if k not in ('points', 'labels')}\n"
    "print('STATE', json.dumps(_s), 'EPOCH', pg.epoch, 'N', len(pg.points))",
    "pg.fit(3)\nprint('FIT3', pg.epoch)",
]


@pytest.fixture
def lab_options(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in OPTIONS_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    yield from _serve_lab(tmp_path, nb)


def test_training_options_and_state_sync_both_ways_in_jupyterlab(browser, lab_options):
    base, token, name = lab_options
    context, page = open_watched_page(browser, base)
    try:
        page.goto(f"{base}/lab/tree/{name}?token={token}", wait_until="load")
        page.wait_for_function(
            "() => window.jupyterapp && jupyterapp.shell.currentWidget && jupyterapp.shell.currentWidget.content"
            " && jupyterapp.shell.currentWidget.content.widgets",
            timeout=120_000,
        )
        _wait_idle(page)
        _run_cell(page, 0)
        page.wait_for_selector(".dlbook-pg canvas.pg-canvas", timeout=120_000)
        _wait_idle(page)
        root = page.locator(".dlbook-pg").first
        # Python sets the whole state: the page follows (features, no hidden layer, split, penalty, batch size).
        _run_cell(page, 1)
        _wait_idle(page)
        page.wait_for_function(
            "() => document.querySelector('.dlbook-pg').dataset.features === 'x1^2,x2^2'", timeout=30_000
        )
        assert "SET [2, 2]" in _cell_output(page, 1)
        state = root.evaluate("r => r.dlbookPlayground.state()")
        assert (state["hidden_layers"], state["test_ratio"], state["batch_size"]) == (0, 0.3, 10)
        assert (state["regularization"], state["reg_rate"], state["seed"]) == ("l2", 0.01, 3)
        assert (state["speed"], state["loss_scale"]) == (20, "linear")
        assert root.locator("select.pg-batch").input_value() == "10"
        assert root.locator("select.pg-speed").input_value() == "20"
        assert root.locator(".pg-lossaxis button[data-value='linear']").get_attribute("aria-pressed") == "true"
        assert root.locator(".pg-reg button[data-value='l2']").get_attribute("aria-pressed") == "true"
        assert (
            int(root.evaluate("r => r.dataset.testPoints"))
            == sum(root.evaluate("r => r.dlbookPlayground.testMask()"))
            > 0
        )
        # The page changes options and trains: Python sees the same state and epoch.
        root.locator("select.pg-test").select_option("0.2")
        root.locator("select.pg-batch").select_option("5")
        root.locator(".pg-reg button[data-value='l1']").click()
        root.locator(".pg-feats input[data-feature='x1*x2']").check()
        root.locator("select.pg-speed").select_option("1")
        root.locator(".pg-lossaxis button[data-value='log']").click()
        root.locator("button.pg-step").click()
        root.locator("button.pg-step").click()
        page.wait_for_timeout(500)
        page_state = root.evaluate("r => r.dlbookPlayground.state()")
        _run_cell(page, 2)
        _wait_idle(page)
        page.wait_for_function(
            "(i) => (jupyterapp.shell.currentWidget.content.widgets[i].node.innerText || '').includes('STATE')",
            arg=2,
            timeout=30_000,
        )
        out = _cell_output(page, 2)
        py_state = json.loads(out.split("STATE", 1)[1].split("EPOCH")[0])
        assert py_state == {k: v for k, v in page_state.items() if k not in ("points", "labels")}
        assert py_state["features"] == ["x1^2", "x2^2", "x1*x2"] and py_state["regularization"] == "l1"
        assert (py_state["speed"], py_state["loss_scale"]) == (1, "log")  # the view settings reach Python too
        assert "EPOCH 2" in out and "N 100" in out
        # Python trains with the page's options; the page's epoch follows.
        _run_cell(page, 3)
        _wait_idle(page)
        page.wait_for_function("() => document.querySelector('.dlbook-pg').dataset.epoch === '5'", timeout=30_000)
        assert "NaN" not in root.inner_text()
        screenshot(page, "playground-jupyterlab-options")
        widget_errors = [e for e in page.watch.page_errors if "pg" in e.lower() or "playground" in e.lower()]
        assert not widget_errors and not page.watch.offsite, (widget_errors, page.watch.offsite)
    finally:
        context.close()
