"""The playground's in-page trainer (its front end, as the page receives it) run under Node.js and compared with dlbook.

From the same initial weights and data, 100 full-batch steps in the page's JavaScript and in dlbook (MLP, softmax
cross-entropy, dlbook.optim's SGD and Adam, trained by dlbook.train.fit) give the same weights within 1e-9. The page's
seeded initialization and its erf (used by GELU) are checked against their Python counterparts too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import quote

import numpy as np
import pytest

from dlbook.data import PLAYGROUND_FEATURES, playground_features
from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam
from dlbook.regularization import weight_penalty
from dlbook.train import ArrayBatches, fit
from dlbook.widgets._base import esm_path
from dlbook.widgets.playground import MLPPlayground, front_end, js_batch_order, js_init_weights, js_test_mask

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
        "  logits: (a) => { const net = pg.networkFromLists(a.sizes, a.weights, a.features);\n"
        "    const X = Float64Array.from(a.X.flat()); const ws = pg.forward(net, a.activation, X, a.X.length);\n"
        "    return Array.from(ws.zs[ws.zs.length - 1]); },\n"
        "  order: (a) => a.epochs.map((e) => pg.batchOrder(a.n, a.batchSize, a.seed, e).map((b) => Array.from(b))),\n"
        "  mask: (a) => Array.from(pg.testMask(a.n, a.ratio, a.seed)),\n"
        "  call: (a) => a.calls.map(([name, ...rest]) => pg[name](...rest)),\n"
        "  constants: (a) => a.names.map((name) => pg[name]),\n"
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
    ("relu", "adam", 0.03, 0, 16, 3),  # no hidden layer: softmax regression on the inputs
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


# --- the training options: each equals dlbook to 1e-9 -------------------------------------------------------------
def _run_both(
    run_js, *, features=("x1", "x2"), test_ratio=0.0, batch_size=0, regularization="none", reg_rate=0.0,
    optimizer="adam", lr=0.03, epochs=40, seed=5, units=10, layers=1, n_classes=2, activation="tanh",
):  # fmt: skip
    """The page's trainer and dlbook's fit on the same data and options; both results, and the page's order."""
    features = list(features)
    sizes = [len(features)] + [units] * layers + [n_classes]
    X, y = _data(50, n_classes, seed=seed)
    start = {k: v.tolist() for k, v in js_init_weights(sizes, seed).items()}
    out = run_js(
        "train", sizes=sizes, weights=start, activation=activation, optimizer=optimizer, lr=lr, X=X.tolist(),
        y=y.tolist(), epochs=epochs, features=features, testRatio=test_ratio, seed=seed, batchSize=batch_size,
        regularization=regularization, regRate=reg_rate,
    )  # fmt: skip
    mask = np.asarray(out["mask"], dtype=bool)
    np.testing.assert_array_equal(mask, js_test_mask(len(y), test_ratio, seed))  # the Python mirror of the split
    model = MLP(sizes, activation=activation, rng=0)
    for k, v in start.items():
        model.params[k][...] = v
    opt = SGD(model, lr=lr) if optimizer == "sgd" else Adam(model, lr=lr)
    penalty = (
        None if regularization == "none" else (lambda m: weight_penalty(m, regularization, reg_rate, add_grad=True))
    )
    # The page's batch order, passed to dlbook's one training loop as data: both see the same batches.
    order = [np.asarray(b) for b in out["order"]]
    F = playground_features(X[~mask], features)
    hist = fit(
        model, ArrayBatches(F, y[~mask], order=order), loss="softmax_ce", optimizer=opt, epochs=1, penalty=penalty
    )
    q = max(1, len(hist.step_loss) // 4)  # it learns something (mini-batch losses are noisy: quarters are compared)
    assert not hist.diverged and np.mean(hist.step_loss[-q:]) < np.mean(hist.step_loss[:q])
    np.testing.assert_allclose(out["losses"], hist.step_loss, rtol=0, atol=1e-9)
    for key, value in model.params.items():
        np.testing.assert_allclose(np.asarray(out["weights"][key]), value, rtol=0, atol=1e-9, err_msg=key)
    return out, model, mask, order


def test_test_split_trains_on_the_training_points_only(run_js):
    out, model, mask, _ = _run_both(run_js, test_ratio=0.3)
    assert 5 <= mask.sum() <= 25  # about 30% of 50 held out
    every = _run_both(run_js)[0]  # without the split the page trains on every point: other weights
    assert not np.allclose(every["weights"]["W1"], out["weights"]["W1"], atol=1e-6)


@pytest.mark.parametrize(
    ("regularization", "optimizer", "rate"),
    [("l2", "sgd", 0.01), ("l2", "adam", 0.003), ("l1", "sgd", 0.01), ("l1", "adam", 0.003)],
)
def test_l1_and_l2_penalties_equal_dlbook(run_js, regularization, optimizer, rate):
    lr = 0.3 if optimizer == "sgd" else 0.03
    out, model, _, _ = _run_both(run_js, regularization=regularization, reg_rate=rate, optimizer=optimizer, lr=lr)
    plain = _run_both(run_js, optimizer=optimizer, lr=lr)[0]

    def norm(w):
        return sum(np.sum(np.abs(np.asarray(w[k])) ** (1 if regularization == "l1" else 2)) for k in w if k[0] == "W")

    assert norm(out["weights"]) < norm(plain["weights"])  # the penalty shrinks the weights


@pytest.mark.parametrize("batch_size", [1, 7, 16])
def test_mini_batches_in_the_pages_shuffled_order_equal_dlbook(run_js, batch_size):
    out, _, mask, order = _run_both(run_js, batch_size=batch_size, test_ratio=0.2, optimizer="sgd", lr=0.1, epochs=6)
    n = int((~mask).sum())
    per_epoch = -(-n // batch_size)
    assert len(order) == 6 * per_epoch and len(out["losses"]) == 6 * per_epoch
    mirror = [b for e in range(6) for b in js_batch_order(n, batch_size, 5, e)]  # Python computes the same order
    assert all(np.array_equal(a, b) for a, b in zip(order, mirror, strict=True))
    first, second = np.concatenate(order[:per_epoch]), np.concatenate(order[per_epoch : 2 * per_epoch])
    assert sorted(first) == list(range(n)) and not np.array_equal(first, second)  # a new shuffle every epoch


def test_batch_order_from_the_page_and_python_for_many_seeds(run_js):
    for seed in (0, 1, 2**32 - 1):
        js = run_js("order", n=23, batchSize=5, seed=seed, epochs=[0, 1, 99])
        for e, batches in zip([0, 1, 99], js, strict=True):
            py = js_batch_order(23, 5, seed, e)
            assert [list(b) for b in py] == batches
        mask = run_js("mask", n=200, ratio=0.25, seed=seed)
        assert list(js_test_mask(200, 0.25, seed)) == [bool(v) for v in mask]
    assert run_js("order", n=4, batchSize=0, seed=3, epochs=[0]) == [[[0, 1, 2, 3]]]


@pytest.mark.parametrize("feature", PLAYGROUND_FEATURES)
def test_each_input_feature_equals_dlbook(run_js, feature):
    _run_both(run_js, features=[feature] if feature not in ("x1", "x2") else [feature, "x1^2"], epochs=30)


def test_no_hidden_layer_on_squared_features_equals_dlbook(run_js):
    out, model, _, _ = _run_both(run_js, features=["x1^2", "x2^2"], layers=0, test_ratio=0.2, batch_size=5)
    assert set(out["weights"]) == {"W1", "b1"} and np.shape(out["weights"]["W1"]) == (2, 2)


def test_every_option_at_once_and_the_widget_reproduces_the_page(run_js):
    """All options together; then MLPPlayground.fit from the same state gives the page's weights, and to_mlp on the
    feature matrix gives the page's logits."""
    opts = dict(features=["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"], test_ratio=0.2, batch_size=8,
                regularization="l2", reg_rate=0.003, layers=2, units=6, n_classes=3, activation="relu")  # fmt: skip
    out, _, mask, _ = _run_both(run_js, **opts, epochs=12)
    X, y = _data(50, 3, seed=5)
    pg = MLPPlayground(X, y, extent=[-1.5, 1.5, -1.5, 1.5])
    pg.state = {"features": opts["features"], "test_ratio": 0.2, "batch_size": 8, "regularization": "l2",
                "reg_rate": 0.003, "hidden_layers": 2, "hidden_units": 6, "n_classes": 3, "activation": "relu",
                "optimizer": "adam", "learning_rate": 0.03, "seed": 5}  # fmt: skip
    np.testing.assert_array_equal(pg.test_mask(), mask)
    pg.fit(5)
    pg.fit(7)  # two calls: the batch order goes on from the epoch reached (a fresh Adam each call, unlike the page)
    assert pg.epoch == 12
    ref = _run_both(run_js, **opts, epochs=5)[0]
    cont = run_js(
        "train", sizes=pg.sizes, weights=ref["weights"], activation="relu", optimizer="adam", lr=0.03, X=X.tolist(),
        y=y.tolist(), epochs=7, epoch0=5, features=opts["features"], testRatio=0.2, seed=5, batchSize=8,
        regularization="l2", regRate=0.003,
    )  # fmt: skip
    for key, value in pg.weights.items():
        np.testing.assert_allclose(np.asarray(value), np.asarray(cont["weights"][key]), rtol=0, atol=1e-9, err_msg=key)
    logits = run_js("logits", sizes=pg.sizes, weights=pg.weights, features=pg.features, activation="relu", X=X.tolist())
    mine = pg.to_mlp().forward(pg.feature_matrix(X))
    np.testing.assert_allclose(np.asarray(logits).reshape(mine.shape), mine, rtol=0, atol=1e-12)
    assert len(pg.history[-1]) == 5  # [epoch, loss, accuracy, test loss, test accuracy]


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


def test_url_hash_state_round_trip_and_bad_links(run_js):
    """The page's link encoding: every field of MLPPlayground.state survives; a wrong field is named, none applied."""
    from dlbook.widgets.playground import STATE_FIELDS

    X, y = _data(30, 3, seed=2)
    pg = MLPPlayground(X, y, extent=[-1.5, 1.5, -1.5, 1.5])
    pg.state = {"features": ["x1", "x1*x2"], "test_ratio": 0.3, "batch_size": 5, "regularization": "l1",
                "reg_rate": 0.01, "hidden_layers": 0, "optimizer": "sgd", "learning_rate": 0.3, "seed": 77,
                "speed": 0.25, "loss_scale": "linear"}  # fmt: skip
    state = pg.state
    text = run_js("call", calls=[["encodeState", state]])[0]
    back = run_js("call", calls=[["decodeState", text]])[0]["state"]
    assert list(back) == list(STATE_FIELDS)  # the page's fields are Python's, in the same order
    np.testing.assert_allclose(back.pop("points"), state["points"], rtol=1e-5, atol=1e-6)
    assert back == {k: v for k, v in state.items() if k != "points"}
    fresh = MLPPlayground()
    fresh.state = run_js("call", calls=[["decodeState", text]])[0]["state"]  # Python takes what the page decodes
    assert fresh.sizes == [2, 3] and fresh.features == ["x1", "x1*x2"] and fresh.seed == 77
    assert (fresh.speed, fresh.loss_scale) == (0.25, "linear")
    bad = [
        ({**state, "hidden_units": 999}, "hidden_units"),
        ({**state, "features": ["x1", "cos(x1)"]}, "features"),
        ({**state, "labels": state["labels"][:-1]}, "labels"),
        ({**state, "test_ratio": 0.9}, "test_ratio"),
        ({**state, "bogus": 1}, "bogus"),
        ({k: v for k, v in state.items() if k != "seed"}, "seed"),
        ({**state, "speed": 3}, "speed"),
        ({**state, "speed": "5"}, "speed"),
        ({**state, "loss_scale": "ln"}, "loss_scale"),
    ]
    calls = [["decodeState", run_js("call", calls=[["encodeState", b]])[0]] for b, _ in bad[:4]]
    calls += [["decodeState", quote(json.dumps(b))] for b, _ in bad[4:]]
    calls.append(["decodeState", "%7Bnot json"])
    out = run_js("call", calls=calls)
    for (_, field), res in zip(bad, out, strict=False):
        assert "state" not in res and field in res["error"], (field, res)
    assert "not readable" in out[-1]["error"]


def test_links_without_the_view_settings_restore_with_the_defaults(run_js):
    """A link written before the speed and the loss axis were kept: restored with Python's defaults (5, log)."""
    from dlbook.widgets.playground import LOSS_SCALES, SPEEDS

    X, y = _data(12, 2, seed=3)
    pg = MLPPlayground(X, y, extent=[-1.5, 1.5, -1.5, 1.5], seed=5, speed=50, loss_scale="linear")
    old = {k: v for k, v in pg.state.items() if k not in ("speed", "loss_scale")}
    back = run_js("call", calls=[["decodeState", quote(json.dumps(old))]])[0]["state"]
    assert (back["speed"], back["loss_scale"], back["seed"]) == (5, "log", 5)
    default = MLPPlayground()
    assert (back["speed"], back["loss_scale"]) == (default.speed, default.loss_scale)
    values, default_speed, scales, default_scale, labels = run_js(
        "constants", names=["SPEED_VALUES", "DEFAULT_SPEED", "LOSS_SCALES", "DEFAULT_LOSS_SCALE", "SPEEDS"]
    )
    assert tuple(values) == SPEEDS and tuple(scales) == LOSS_SCALES  # the page's choices are Python's
    assert (default_speed, default_scale) == (default.speed, default.loss_scale)
    assert [v for v, _ in labels] == values  # the speed control offers every value, in order
