"""MLPPlayground's traits from Python: every wrong value raises a clear error and leaves the widget unchanged."""

from __future__ import annotations

import json

import numpy as np
import pytest
import traitlets

from dlbook.widgets import MLPPlayground
from dlbook.widgets.playground import PlaygroundError

STATE = ("points", "labels", "n_classes", "hidden_units", "hidden_layers", "activation", "optimizer", "learning_rate")
STATE += ("noise", "seed", "extent", "weights", "epoch", "history", "features", "test_ratio", "regularization")
STATE += ("reg_rate", "batch_size", "speed", "loss_scale")


def _snapshot(pg: MLPPlayground) -> str:
    return json.dumps(
        {k: np.asarray(getattr(pg, k)).tolist() if k in ("points", "labels") else getattr(pg, k) for k in STATE}
    )


def _playground() -> MLPPlayground:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (12, 2))
    pg = MLPPlayground(X, (X[:, 0] * X[:, 1] > 0).astype(int), extent=[-1.5, 1.5, -1.5, 1.5])
    pg.fit(3)
    return pg


def _weights_with(pg: MLPPlayground, **changes) -> dict:
    w = {k: np.asarray(v).tolist() for k, v in pg.weights.items()}
    w.update(changes)
    return {k: v for k, v in w.items() if v is not None}


BAD = [
    ("n_classes", 5, "n_classes must be an integer from 2 to 4"),
    ("n_classes", 1, "n_classes must be"),
    ("hidden_units", 0, "hidden_units must be an integer from 1 to 64"),
    ("hidden_layers", 3, "hidden_layers must be"),
    ("activation", "softplus", "activation must be one of"),
    ("optimizer", "rmsprop", "optimizer must be one of"),
    ("learning_rate", 0.0, "learning_rate must be in"),
    ("learning_rate", float("nan"), "learning_rate must be in"),
    ("noise", 0.7, "noise must be in"),
    ("seed", -3, r"seed must be an integer from 0 to 4294967295"),
    ("seed", 2**32, "seed must be"),
    ("extent", [1.0, -1.0, -1.0, 1.0], "xmin < xmax"),
    ("extent", [-1e308, 1e308, -1.0, 1.0], "finite width"),
    ("extent", [-0.5, 0.5, -0.5, 0.5], "extent must hold every point"),
    ("points", np.full((12, 2), 3.0), "points must lie inside extent"),
    ("points", np.zeros((11, 2)), "one row per label"),
    ("points", np.full((12, 2), np.nan), "finite"),
    ("labels", np.zeros(11, dtype=int), "one entry per point"),
    ("labels", np.full(12, 3), "below n_classes"),
    ("epoch", -1, "epoch must be"),
    ("history", [[1, float("nan"), 0.5]], r"\[epoch, loss, accuracy\] \(or .*\) rows of finite numbers"),
    ("history", [[1, 0.5, 0.5, 0.4]], "history must hold"),
    ("features", ["x1", "x3"], "features must be a non-empty list of distinct names"),
    ("features", [], "features must be a non-empty list"),
    ("features", ["x1", "x1"], "distinct names"),
    ("test_ratio", 0.6, r"test_ratio must be in \[0, 0.5\]"),
    ("test_ratio", -0.1, "test_ratio must be in"),
    ("regularization", "l3", "regularization must be one of none, l1, l2"),
    ("reg_rate", -1e-3, r"reg_rate must be in \[0, 1\]"),
    ("reg_rate", float("nan"), "reg_rate must be in"),
    ("batch_size", -1, "batch_size must be an integer from 0 to 1000"),
    ("batch_size", 1001, "batch_size must be"),
    ("history", [[1, 0.5]], "history must hold"),
    ("speed", 3, r"speed must be one of 0.25, 1, 2, 5, 10, 20, 50; got 3"),
    ("speed", 0.0, "speed must be one of"),
    ("speed", 100, "speed must be one of"),
    ("speed", float("nan"), "speed must be one of"),
    ("speed", True, "speed must be one of"),
    ("speed", "5", "speed must be one of"),
    ("loss_scale", "ln", "loss_scale must be one of log, linear; got 'ln'"),
    ("loss_scale", "LOG", "loss_scale must be one of log, linear"),
    ("loss_scale", None, "loss_scale must be one of"),
]


@pytest.mark.parametrize(("name", "value", "match"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_a_bad_trait_value_raises_and_changes_nothing(name, value, match):
    pg = _playground()
    before = _snapshot(pg)
    with pytest.raises(PlaygroundError, match=match) as info:
        setattr(pg, name, value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, traitlets.TraitError)
    assert _snapshot(pg) == before


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"W1": np.zeros((3, 2)).tolist()}, r"weights\['W1'\] must have shape \(16, 2\) for sizes \[2, 16, 2\]"),
        ({"b2": [0.0]}, r"weights\['b2'\] must have shape \(2,\)"),
        ({"W2": None}, "weights must have the keys"),
        ({"W3": [[0.0]]}, "weights must have the keys"),
        ({"b1": [float("inf")] * 16}, "finite"),
        ({"W1": "zeros"}, "array of numbers"),
    ],
)
def test_weights_must_match_the_network(changes, match):
    pg = _playground()
    before = _snapshot(pg)
    with pytest.raises(PlaygroundError, match=match):
        pg.weights = _weights_with(pg, **changes)
    assert _snapshot(pg) == before


def test_page_style_batches_are_checked_together():
    """The page sends a new architecture with its new weights in one message; both are checked at the end."""
    pg = _playground()
    new = MLPPlayground(hidden_units=4, seed=9).weights
    with pg.hold_trait_notifications():
        pg.hidden_units = 4
        pg.weights = new
    assert pg.hidden_units == 4 and np.shape(pg.weights["W1"]) == (4, 2)
    before = _snapshot(pg)
    with pytest.raises(PlaygroundError, match="shape"), pg.hold_trait_notifications():  # mismatched: all rolled back
        pg.hidden_units = 8
        pg.weights = new
    assert _snapshot(pg) == before


def test_set_data_widens_the_view_to_hold_the_points_or_refuses_them_whole():
    pg = _playground()
    X = np.array([[0.0, 0.0], [4.0, -2.0], [1.0, 1.0]])
    pg.set_data(X, [0, 1, 1])
    x0, x1, y0, y1 = pg.extent
    assert x0 <= -1.5 and x1 >= 4.0 and y0 <= -2.0 and y1 >= 1.5
    assert x1 - x0 == pytest.approx(y1 - y0)  # square: the page's axes have equal scales
    before = _snapshot(pg)
    with pytest.raises(ValueError, match="too large"):
        pg.set_data(X / 4 * 1.7e308, [0, 1, 1])
    assert _snapshot(pg) == before


def test_the_view_settings_take_the_pages_values_and_defaults():
    """speed and loss_scale: the page's speed control and loss axis, with the page's defaults (5, log)."""
    from dlbook.widgets.playground import LOSS_SCALES, SPEEDS

    pg = MLPPlayground()
    assert (pg.speed, pg.loss_scale) == (5.0, "log")
    assert SPEEDS == (0.25, 1, 2, 5, 10, 20, 50) and LOSS_SCALES == ("log", "linear")
    for v in SPEEDS:
        pg.speed = v
        assert pg.speed == v and isinstance(pg.speed, float)
    pg.speed = np.int64(20)
    assert pg.speed == 20.0 and isinstance(pg.speed, float)
    pg.loss_scale = "linear"
    assert pg.get_state(["speed", "loss_scale"]) == {"speed": 20.0, "loss_scale": "linear"}  # synced to the page
    assert MLPPlayground(speed=0.25, loss_scale="linear").state["speed"] == 0.25
    with pytest.raises(PlaygroundError, match="speed"):
        MLPPlayground(speed=4)
