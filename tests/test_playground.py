"""The Python side of the MLP playground: traits, validation, to_mlp, fit, and the shared initialization."""

from __future__ import annotations

import json

import numpy as np
import pytest
import traitlets

from dlbook.losses import softmax_cross_entropy
from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam
from dlbook.widgets import MLPPlayground
from dlbook.widgets._base import PALETTE
from dlbook.widgets.playground import PlaygroundError, js_init_weights, playground_mlp


def _xor(n_per: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.7, 0.7], [-0.7, -0.7], [0.7, -0.7], [-0.7, 0.7]])
    idx = np.repeat(np.arange(4), n_per)
    return centres[idx] + rng.normal(0, 0.1, (4 * n_per, 2)), np.array([0, 0, 1, 1])[idx]


def test_defaults_are_the_seeds_two_classes_and_16_relu_units():
    pg = MLPPlayground()
    assert (pg.n_classes, pg.hidden_units, pg.hidden_layers, pg.activation) == (2, 16, 1, "relu")
    assert pg.sizes == [2, 16, 2]
    assert pg.points.shape == (0, 2) and pg.labels.shape == (0,)
    assert set(pg.weights) == {"W1", "b1", "W2", "b2"}
    assert np.shape(pg.weights["W1"]) == (16, 2) and np.shape(pg.weights["W2"]) == (2, 16)
    assert pg.epoch == 0 and pg.history == []
    assert pg.colors == tuple(PALETTE[f"class{c}"] for c in range(4))


def test_esm_is_the_shipped_front_end():
    pg = MLPPlayground()
    esm = pg._esm if isinstance(pg._esm, str) else str(pg._esm)
    assert "export default" in esm and "render" in esm


def test_initial_weights_are_the_pages_for_the_seed():
    pg = MLPPlayground(seed=7, hidden_units=5)
    expected = js_init_weights([2, 5, 2], 7)
    for key, value in expected.items():
        np.testing.assert_array_equal(np.asarray(pg.weights[key]), value)
    other = MLPPlayground(seed=8, hidden_units=5)
    assert not np.allclose(other.weights["W1"], pg.weights["W1"])


def test_start_from_data_sets_classes_and_a_square_view():
    X, y = _xor()
    pg = MLPPlayground(X * 3 + 1, y)
    np.testing.assert_array_equal(pg.points, X * 3 + 1)
    np.testing.assert_array_equal(pg.labels, y)
    assert pg.points.dtype == np.float64 and pg.labels.dtype == np.int64
    x0, x1, y0, y1 = pg.extent
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert x0 < pg.points[:, 0].min() and pg.points[:, 0].max() < x1
    assert y0 < pg.points[:, 1].min() and pg.points[:, 1].max() < y1
    three = MLPPlayground(X, np.arange(len(X)) % 3)
    assert three.n_classes == 3 and three.sizes == [2, 16, 3]


def test_traits_sync_as_json():
    X, y = _xor(3)
    pg = MLPPlayground(X, y)
    state = pg.get_state()
    json.dumps(state)  # everything the page receives is plain JSON
    assert state["points"] == X.tolist() and state["labels"] == y.tolist()
    for name in ("n_classes", "hidden_units", "hidden_layers", "activation", "optimizer", "learning_rate", "noise"):
        assert name in state
    # What the page sends back is read into arrays.
    pg.set_state({"points": [[0.1, 0.2], [0.3, -0.4]], "labels": [1, 0]})
    np.testing.assert_array_equal(pg.points, [[0.1, 0.2], [0.3, -0.4]])
    np.testing.assert_array_equal(pg.labels, [1, 0])


def test_page_changes_to_architecture_keep_the_pages_weights():
    pg = MLPPlayground()
    page_weights = {k: v.tolist() for k, v in MLP([2, 8, 8, 2], rng=1).params.items()}
    pg.set_state({"hidden_units": 8, "hidden_layers": 2, "weights": page_weights, "epoch": 0})
    assert pg.sizes == [2, 8, 8, 2]
    assert pg.weights == page_weights


def test_python_changes_to_architecture_draw_new_weights():
    pg = MLPPlayground()
    pg.hidden_units = 4
    assert np.shape(pg.weights["W1"]) == (4, 2)
    np.testing.assert_array_equal(pg.weights["W1"], js_init_weights([2, 4, 2], 0)["W1"])
    pg.hidden_layers = 2
    assert set(pg.weights) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    pg.seed = 3
    np.testing.assert_array_equal(pg.weights["W2"], js_init_weights([2, 4, 4, 2], 3)["W2"])


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("hidden_units", 0, "hidden_units must be an integer from 1 to 64"),
        ("hidden_units", 65, "hidden_units"),
        ("hidden_layers", 3, "hidden_layers must be an integer from 0 to 2"),
        ("hidden_layers", -1, "hidden_layers must be an integer from 0 to 2"),
        ("n_classes", 5, "n_classes must be an integer from 2 to 4"),
        ("n_classes", 1, "n_classes"),
        ("activation", "softplus", "activation must be one of relu, tanh, sigmoid, leaky_relu, gelu"),
        ("optimizer", "rmsprop", "optimizer must be one of sgd, adam"),
        ("learning_rate", 0.0, r"learning_rate must be in \(0, 10\]"),
        ("learning_rate", 11.0, "learning_rate"),
        ("noise", -0.1, "noise must be in"),
        ("seed", -1, "seed must be an integer"),
        ("extent", [1, 0, -1, 1], "extent must be"),
    ],
)
def test_bad_settings_raise_a_clear_value_error(name, value, match):
    pg = MLPPlayground()
    with pytest.raises(ValueError, match=match):
        setattr(pg, name, value)
    with pytest.raises(ValueError, match=match):
        MLPPlayground(**{name: value})


def test_the_error_is_also_a_trait_error_so_a_bad_page_message_rolls_back():
    assert issubclass(PlaygroundError, traitlets.TraitError) and issubclass(PlaygroundError, ValueError)
    pg = MLPPlayground()
    with pytest.raises(PlaygroundError):
        pg.set_state({"hidden_units": 100})
    assert pg.hidden_units == 16


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros((3, 3)), [0, 1, 0], r"points must have shape \(N, 2\)"),
        ([[0, np.nan], [1, 1]], [0, 1], "points must be finite"),
        (np.zeros((3, 2)), [0, 1], "one label per point"),
        (np.zeros((2, 2)), [0, 4], r"labels must be in \[0, 4\)"),
        (np.zeros((2, 2)), [0, -1], "labels must be in"),
        (np.zeros((2, 2)), [0.5, 1], "integer class labels"),
        (np.zeros((2, 2)), [[0, 1]], "labels must have shape"),
    ],
)
def test_bad_data_is_rejected(X, y, match):
    with pytest.raises(ValueError, match=match):
        MLPPlayground(X, y)
    with pytest.raises(ValueError, match=match):
        MLPPlayground().set_data(X, y)


def test_points_and_labels_must_stay_consistent():
    X, y = _xor(3)
    pg = MLPPlayground(X, y)
    with pytest.raises(ValueError, match="set_data"):
        pg.points = X[:5]
    with pytest.raises(ValueError, match="below n_classes=2"):
        pg.set_state({"labels": [2] * len(y)})
    with pytest.raises(ValueError, match="n_classes must exceed every label"):
        MLPPlayground(X, np.arange(len(X)) % 3).n_classes = 2
    pg.set_data(X[:4], [0, 1, 2, 3])
    assert pg.n_classes == 4 and pg.sizes[-1] == 4
    with pytest.raises(ValueError, match="X and y must be given together"):
        MLPPlayground(X)


def test_to_mlp_holds_the_page_weights_and_predicts_like_them():
    X, y = _xor()
    pg = MLPPlayground(X, y, activation="tanh", hidden_layers=2, hidden_units=6)
    model = pg.to_mlp()
    assert isinstance(model, MLP) and model.sizes == [2, 6, 6, 2] and model.activation == "tanh"
    for key, value in pg.weights.items():
        np.testing.assert_array_equal(model.params[key], np.asarray(value))
    # The logits computed by hand from the synced weights, as the page computes them.
    h = X
    for l in (1, 2):  # noqa: E741
        h = np.tanh(h @ np.asarray(pg.weights[f"W{l}"]).T + np.asarray(pg.weights[f"b{l}"]))
    logits = h @ np.asarray(pg.weights["W3"]).T + np.asarray(pg.weights["b3"])
    np.testing.assert_allclose(model.forward(X), logits, rtol=1e-12, atol=1e-12)
    assert pg.accuracy() == pytest.approx(np.mean(np.argmax(logits, axis=1) == y))


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fit_trains_with_dlbook_and_pushes_the_weights(optimizer):
    X, y = _xor()
    pg = MLPPlayground(X, y, optimizer=optimizer, learning_rate=0.5 if optimizer == "sgd" else 0.03)
    start = pg.to_mlp()
    losses = pg.fit(150)
    assert losses.shape == (150,) and losses[-1] < losses[0]
    assert pg.epoch == 150 and len(pg.history) == 1 and pg.history[0][0] == 150
    assert pg.accuracy() == 1.0 and pg.history[0][2] == 1.0
    # The same 150 steps written out with dlbook's pieces give the same weights.
    opt = SGD(start, lr=0.5) if optimizer == "sgd" else Adam(start, lr=0.03)
    for _ in range(150):
        _, d = softmax_cross_entropy(start.forward(X), y)
        start.backward(d)
        opt.step()
    for key, value in start.params.items():
        np.testing.assert_allclose(np.asarray(pg.weights[key]), value, rtol=0, atol=1e-12)
    pg.fit(10)
    assert pg.epoch == 160 and len(pg.history) == 2


def test_fit_refuses_without_two_classes():
    with pytest.raises(ValueError, match="at least two classes"):
        MLPPlayground().fit(5)
    with pytest.raises(ValueError, match="at least two classes"):
        MLPPlayground(np.zeros((3, 2)), [1, 1, 1]).fit(5)
    X, y = _xor(2)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        MLPPlayground(X, y).fit(0)


def test_divergence_stops_with_a_warning_and_keeps_finite_weights():
    X, y = _xor()
    pg = MLPPlayground(X * 1e150, y, optimizer="sgd", learning_rate=10.0)
    with pytest.warns(UserWarning, match="diverged"):
        losses = pg.fit(50)
    assert len(losses) < 50
    assert all(np.all(np.isfinite(np.asarray(v))) for v in pg.weights.values())
    json.dumps(pg.get_state()["weights"], allow_nan=False)  # the page can still read them
    pg.reset()
    assert pg.epoch == 0
    np.testing.assert_array_equal(pg.weights["W1"], js_init_weights(pg.sizes, pg.seed)["W1"])


def test_reset_restores_the_initial_weights():
    X, y = _xor()
    pg = MLPPlayground(X, y)
    initial = json.dumps(pg.weights)
    pg.fit(20)
    assert json.dumps(pg.weights) != initial
    pg.reset()
    assert json.dumps(pg.weights) == initial and pg.epoch == 0 and pg.history == []


def test_playground_mlp_validates():
    model = playground_mlp(n_classes=3, hidden_units=4, hidden_layers=2, activation="gelu", seed=9)
    assert model.sizes == [2, 4, 4, 3]
    np.testing.assert_array_equal(model.params["W1"], js_init_weights([2, 4, 4, 3], 9)["W1"])
    with pytest.raises(ValueError, match="hidden_units"):
        playground_mlp(hidden_units=0)
    with pytest.raises(ValueError, match="activation"):
        playground_mlp(activation="elu")
    model = playground_mlp(features=["x1^2", "x2^2"], hidden_layers=0, seed=4)
    assert model.sizes == [2, 2]
    np.testing.assert_array_equal(model.params["W1"], js_init_weights([2, 2], 4)["W1"])
    for bad, err in [(["x1", "x1"], ValueError), (["cos"], ValueError), ([], ValueError), ("x1", TypeError)]:
        with pytest.raises(err, match="features"):
            playground_mlp(features=bad)


# --- the training options and the whole state ---------------------------------------------------------------------
def test_state_round_trip_restores_the_view_and_draws_the_seeds_weights():
    X, y = _xor()
    pg = MLPPlayground(X, y)
    pg.fit(5)
    view = {**pg.state, "features": ["x1", "x2", "x1*x2"], "hidden_layers": 2, "hidden_units": 5, "seed": 9}
    view |= {"test_ratio": 0.25, "regularization": "l2", "reg_rate": 0.01, "batch_size": 4, "optimizer": "sgd"}
    view |= {"speed": 0.25, "loss_scale": "linear"}
    other = MLPPlayground()
    assert (other.state["speed"], other.state["loss_scale"]) == (5, "log")  # the page's defaults
    other.state = view
    assert (other.speed, other.loss_scale) == (0.25, "linear")
    assert other.state == {**view, "points": X.tolist(), "labels": y.tolist()}
    assert other.sizes == [3, 5, 5, 2] and other.epoch == 0
    assert json.dumps(other.weights) == json.dumps({k: v.tolist() for k, v in js_init_weights([3, 5, 5, 2], 9).items()})
    json.dumps(other.state)  # JSON-ready, as the page's URL hash needs
    # to_mlp takes the feature matrix: its logits are the widget's
    model = other.to_mlp()
    np.testing.assert_array_equal(
        model.forward(other.feature_matrix(X)), model.forward(np.column_stack([X, X[:, 0] * X[:, 1]]))
    )


@pytest.mark.parametrize(
    ("change", "error", "word"),
    [
        ({"hidden_units": "8"}, TypeError, "hidden_units"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"features": "x1"}, TypeError, "features"),
        ({"features": ["x1", "x5"]}, ValueError, "features"),
        ({"test_ratio": 0.75}, ValueError, "test_ratio"),
        ({"regularization": "dropout"}, ValueError, "regularization"),
        ({"reg_rate": 2.0}, ValueError, "reg_rate"),
        ({"batch_size": -2}, ValueError, "batch_size"),
        ({"speed": 3}, ValueError, "speed"),
        ({"speed": "fast"}, TypeError, "speed"),
        ({"speed": True}, TypeError, "speed"),
        ({"loss_scale": "ln", "seed": 5}, ValueError, "loss_scale"),  # the seed stays too
        ({"loss_scale": 10}, TypeError, "loss_scale"),
        ({"colour": "red"}, ValueError, "colour"),
        ({"labels": [0, 1]}, ValueError, "labels"),
        ({"labels": [3] * 20, "n_classes": 2}, ValueError, "labels"),  # checked against n_classes at the end
        ({"points": [[9.0, 9.0]] * 40, "extent": [-1.0, 1.0, -1.0, 1.0]}, ValueError, "extent"),
    ],
)
def test_a_wrong_state_raises_naming_the_field_and_changes_nothing(change, error, word):
    X, y = _xor()
    pg = MLPPlayground(X, y)
    pg.fit(3)
    before, weights = pg.state, json.dumps(pg.weights)
    new = dict(change)
    if "labels" in new and "points" not in new:
        new["points"] = X.tolist()
    if "points" in new and "labels" not in new:
        new["labels"] = y.tolist()
    with pytest.raises(error, match=rf"\b{word}\b"):
        pg.state = new
    assert pg.state == before and json.dumps(pg.weights) == weights and pg.epoch == 3


def test_fit_holds_the_test_points_out_and_records_test_metrics():
    X, y = _xor()
    pg = MLPPlayground(X, y, test_ratio=0.3, seed=2)
    mask = pg.test_mask()
    assert 0 < mask.sum() < len(y)
    pg.fit(30)
    row = pg.history[-1]
    assert len(row) == 5 and row[0] == 30
    assert row[2] == pytest.approx(pg.accuracy("train")) and row[4] == pytest.approx(pg.accuracy("test"))
    moved = MLPPlayground(X, y, test_ratio=0.3, seed=2)
    moved.set_data(np.where(mask[:, None], X + 0.5, X), y)  # moving the test points changes nothing in training
    moved.fit(30)
    assert json.dumps(moved.weights) == json.dumps(pg.weights)
    with pytest.raises(ValueError, match="split"):
        pg.accuracy("validation")


def test_state_without_the_view_settings_keeps_them_and_the_fields_are_the_pages():
    """A state saved before speed and loss_scale existed still restores; they are the last fields of the state."""
    from dlbook.widgets.playground import STATE_FIELDS

    assert STATE_FIELDS[-2:] == ("speed", "loss_scale") and list(MLPPlayground().state) == list(STATE_FIELDS)
    X, y = _xor()
    pg = MLPPlayground(X, y, speed=20, loss_scale="linear")
    old = {k: v for k, v in MLPPlayground(X, y, seed=4).state.items() if k not in ("speed", "loss_scale")}
    pg.state = old
    assert pg.seed == 4 and (pg.speed, pg.loss_scale) == (20, "linear")
    fresh = MLPPlayground()
    fresh.state = old
    assert fresh.state == {**old, "speed": 5, "loss_scale": "log"}
