"""The playground's in-page trainer (its front end, as the page receives it) run under Node.js and compared with dlbook.

From the same initial weights and data, 100 full-batch steps in the page's JavaScript and in dlbook (MLP, softmax
cross-entropy, dlbook.optim's SGD and Adam, trained by dlbook.train.fit) give the same weights within 1e-9. The page's
seeded initialization and its erf (used by GELU) are checked against their Python counterparts too.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam
from dlbook.train import ArrayBatches, fit
from dlbook.widgets._base import esm_path
from dlbook.widgets.playground import front_end, js_init_weights

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@pytest.fixture(scope="module")
def run_js(tmp_path_factory):
    """Call a named export of the playground's front end with JSON arguments and return its JSON result."""
    work = tmp_path_factory.mktemp("pgjs")
    # The joined module the page runs, saved with the .mjs suffix so that Node reads it as an ES module.
    (work / "playground.mjs").write_text(front_end())
    (work / "harness.mjs").write_text(
        "import * as pg from './playground.mjs';\n"
        "import { readFileSync } from 'node:fs';\n"
        "const { fn, args } = JSON.parse(readFileSync(process.argv[2], 'utf8'));\n"
        "const out = await ({\n"
        "  train: (a) => pg.train(a),\n"
        "  init: (a) => pg.networkToLists(pg.initNetwork(a.sizes, a.seed)),\n"
        "  erf: (a) => a.x.map(pg.erf),\n"
        "  preset: (a) => pg.PRESETS[a.name](a.n, a.noise, pg.mulberry32(a.seed), a.k),\n"
        "  hasDefaultRender: () => typeof pg.default.render === 'function',\n"
        "  call: (a) => a.calls.map(([name, ...rest]) => pg[name](...rest)),\n"
        "})[fn](args);\n"
        "process.stdout.write(JSON.stringify(out));\n"
    )

    def call(fn: str, **args):
        path = work / f"{fn}.json"
        path.write_text(json.dumps({"fn": fn, "args": args}))
        done = subprocess.run([NODE, str(work / "harness.mjs"), str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return call


def _data(n: int, n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.3, 1.3, size=(n, 2))
    angle = np.arctan2(X[:, 1], X[:, 0]) + 2.0 * np.hypot(X[:, 0], X[:, 1])  # a swirl: not linearly separable
    y = (np.floor((angle + np.pi) / (2 * np.pi) * n_classes * 2) % n_classes).astype(np.int64)
    return X, y


def _train_dlbook(model: MLP, X, y, optimizer: str, lr: float, steps: int) -> list[float]:
    """dlbook's one training loop on the full batch: what MLPPlayground.fit runs."""
    opt = SGD(model, lr=lr) if optimizer == "sgd" else Adam(model, lr=lr)
    hist = fit(model, ArrayBatches(X, y), loss="softmax_ce", optimizer=opt, steps=steps)
    assert hist.num_steps == steps and not hist.diverged
    return hist.step_loss


CASES = [
    # (activation, optimizer, lr, hidden_layers, hidden_units, n_classes)
    ("relu", "sgd", 0.3, 1, 16, 2),
    ("relu", "adam", 0.03, 1, 16, 2),
    ("tanh", "sgd", 0.5, 2, 8, 3),
    ("sigmoid", "adam", 0.01, 1, 12, 2),
    ("leaky_relu", "adam", 0.02, 2, 10, 4),
    ("gelu", "sgd", 0.2, 2, 7, 3),
    ("gelu", "adam", 0.03, 1, 16, 2),
]


@pytest.mark.parametrize(("activation", "optimizer", "lr", "layers", "units", "n_classes"), CASES)
def test_js_trainer_matches_dlbook_after_100_steps(run_js, activation, optimizer, lr, layers, units, n_classes):
    sizes = [2] + [units] * layers + [n_classes]
    X, y = _data(60, n_classes, seed=layers * 10 + units)
    model = MLP(sizes, activation=activation, rng=3)
    # Non-zero biases too, so that every parameter's update is exercised from the first step.
    for key in model.params:
        if key.startswith("b"):
            model.params[key][...] = np.random.default_rng(7).normal(0, 0.1, model.params[key].shape)
    start = {k: v.tolist() for k, v in model.params.items()}
    out = run_js(
        "train",
        sizes=sizes,
        weights=start,
        activation=activation,
        optimizer=optimizer,
        lr=lr,
        X=X.tolist(),
        y=y.tolist(),
        steps=100,
    )
    losses = _train_dlbook(model, X, y, optimizer, lr, 100)
    assert losses[-1] < losses[0], "the run should learn something, or the comparison proves little"
    np.testing.assert_allclose(out["losses"], losses, rtol=0, atol=1e-9)
    for key, value in model.params.items():
        js = np.asarray(out["weights"][key])
        assert js.shape == value.shape
        np.testing.assert_allclose(js, value, rtol=0, atol=1e-9, err_msg=key)
        assert not np.allclose(js, np.asarray(start[key])), f"{key} did not move"


@pytest.mark.parametrize(("sizes", "seed"), [([2, 16, 2], 0), ([2, 64, 64, 4], 123456789), ([2, 1, 3], 2**32 - 1)])
def test_page_initialization_is_he_normal_and_equals_python_mirror(run_js, sizes, seed):
    js = run_js("init", sizes=sizes, seed=seed)
    py = js_init_weights(sizes, seed)
    for key, value in py.items():
        np.testing.assert_allclose(np.asarray(js[key]), value, rtol=1e-13, atol=1e-15, err_msg=key)
    for l in range(1, len(sizes)):  # noqa: E741
        assert not np.any(py[f"b{l}"])


def test_page_initialization_has_he_variance():
    w = js_init_weights([2, 64, 64, 2], 5)["W2"]  # 4096 draws with fan-in 64
    assert abs(w.mean()) < 0.02
    assert w.var() == pytest.approx(2 / 64, rel=0.06)


def test_js_erf_matches_scipy(run_js):
    from scipy.special import erf

    x = np.concatenate([np.linspace(-8, 8, 401), [0.0, 1e-8, -1e-8, 2.999999, 3.0, 3.000001, 6.49, 6.5]])
    np.testing.assert_allclose(run_js("erf", x=x.tolist()), erf(x), rtol=0, atol=2e-15)


@pytest.mark.parametrize("name", ["spiral", "checkerboard", "xor", "circles", "moons"])
def test_presets_give_labelled_points_inside_the_default_view(run_js, name):
    pts = np.asarray(run_js("preset", name=name, n=200, noise=0.1, seed=4, k=3 if name == "spiral" else 2))
    assert pts.shape == (200 if name != "spiral" else 198, 3)
    labels = pts[:, 2].astype(int)
    assert set(labels) == ({0, 1, 2} if name == "spiral" else {0, 1})
    assert np.all(np.abs(pts[:, :2]) < 1.5 + 0.3)  # default extent [-1.5, 1.5], noise may push a few out a little
    assert np.mean(np.abs(pts[:, :2]) < 1.5) > 0.97


def test_module_exports_anywidget_render(run_js):
    assert run_js("hasDefaultRender") is True


def test_switching_the_optimizer_keeps_the_weights_and_restarts_its_state(run_js):
    """The page's optimizer buttons: 20 Adam steps, then SGD, then Adam again, each a fresh optimizer on the current
    weights, equal to three dlbook runs in a row (a fresh dlbook.optim optimizer each) to 1e-9."""
    sizes = [2, 12, 3]
    X, y = _data(60, 3, seed=11)
    model = MLP(sizes, activation="relu", rng=4)
    start = {k: v.tolist() for k, v in model.params.items()}
    phases = [{"optimizer": "adam", "lr": 0.03, "steps": 20}, {"optimizer": "sgd", "lr": 0.3, "steps": 30}]
    phases.append({"optimizer": "adam", "lr": 0.01, "steps": 10})
    out = run_js("train", sizes=sizes, weights=start, activation="relu", X=X.tolist(), y=y.tolist(), phases=phases)
    losses = []
    for ph in phases:
        losses += _train_dlbook(model, X, y, ph["optimizer"], ph["lr"], ph["steps"])
    np.testing.assert_allclose(out["losses"], losses, rtol=0, atol=1e-9)
    for key, value in model.params.items():
        np.testing.assert_allclose(np.asarray(out["weights"][key]), value, rtol=0, atol=1e-9, err_msg=key)
    # Carrying Adam's moments over the switch would give other weights: the test can tell the two apart.
    carried = run_js(
        "train",
        sizes=sizes,
        weights=start,
        activation="relu",
        optimizer="adam",
        lr=0.03,
        X=X.tolist(),
        y=y.tolist(),
        steps=60,
    )
    assert not np.allclose(carried["weights"]["W1"], out["weights"]["W1"], atol=1e-6)


def test_reader_input_helpers(run_js):
    seeds = run_js("call", calls=[["parseSeed", t] for t in ("-3", "3.7", "4294967296", "abc", "42")])
    out = run_js(
        "call",
        calls=[
            ["fmtNumber", None],
            ["fmtNumber", 0.12345],
            ["fmtNumber", 97.5, 1, "%"],
            ["extentFor", [[0, 0], [1.2, -1.4]]],
            ["extentFor", [[0, 0], [1.6, -1.2]]],
        ],
    )
    assert [s["seed"] for s in seeds] == [0, 3, 4294967295, 0, 42]
    assert all("whole number from 0 to 4294967295" in s["message"] for s in seeds[:4]) and seeds[4]["message"] == ""
    assert out[:3] == ["–", "0.123", "97.5%"]
    assert out[3] == [-1.5, 1.5, -1.5, 1.5]  # the points fit: the default view
    x0, x1, y0, y1 = out[4]
    assert x0 <= -1.5 and x1 >= 1.6 and y0 <= -1.5 and y1 >= 1.5 and x1 - x0 == pytest.approx(y1 - y0)


def test_no_nan_is_ever_formatted(tmp_path):
    """fmtNumber turns NaN and infinities into words (JSON cannot carry NaN to the harness, so Node checks it)."""
    (tmp_path / "playground.mjs").write_text(front_end())
    script = (
        "import { fmtNumber } from './playground.mjs';\n"
        "const out = [NaN, Infinity, -Infinity].map((v) => fmtNumber(v));\n"
        "process.stdout.write(JSON.stringify(out));\n"
    )
    (tmp_path / "nan.mjs").write_text(script)
    done = subprocess.run([NODE, str(tmp_path / "nan.mjs")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["diverged"] * 3


def test_each_part_of_the_front_end_loads_on_its_own(tmp_path):
    """The parts import one another by relative path (joined, those imports go): each is a valid module alone."""
    parts = ["playground_math", "playground_presets", "playground_draw", "playground_controls"]
    for name in parts:
        text = esm_path(f"{name}.js").read_text()
        for other in parts:
            text = text.replace(f'"./{other}.js"', f'"./{other}.mjs"')
        (tmp_path / f"{name}.mjs").write_text(text)
    (tmp_path / "check.mjs").write_text(
        "import * as c from './playground_controls.mjs';\nimport * as m from './playground_math.mjs';\n"
        "process.stdout.write(JSON.stringify([typeof c.default.render, typeof m.train]));\n"
    )
    done = subprocess.run([NODE, str(tmp_path / "check.mjs")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["function", "function"]
    assert "import " not in front_end().split("// ---- playground_math.js ----")[1].split("\n", 1)[0]
