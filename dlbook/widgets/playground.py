r"""The MLP playground: place points with the mouse, train a small MLP live, watch the decision boundary form.

:class:`MLPPlayground` is an anywidget. Its front end (``playground_*.js`` and ``playground.css``, joined by
:func:`front_end`) draws every control, trains the network in the page with full-batch gradient descent and paints
the decision boundary, so it works in JupyterLab, Notebook 7, VS Code and in the static HTML book with no kernel.
The Python side holds the state as traits synced both ways:

* the data: ``points`` (N, 2) and ``labels`` (N,) (what the reader placed);
* the settings: ``n_classes``, ``hidden_units``, ``hidden_layers``, ``activation``, ``optimizer``,
  ``learning_rate``, ``noise``, ``seed``, ``extent``, and the training options ``features`` (the network's inputs),
  ``test_ratio`` (the held-out split), ``regularization`` and ``reg_rate``, ``batch_size``, and the view settings
  ``speed`` (training steps per animation frame) and ``loss_scale`` (the loss curve's axis);
* the network: ``weights`` (``{"W1": ..., "b1": ..., ...}`` as :class:`dlbook.mlp.MLP` names them), ``epoch`` and
  ``history`` (``[epoch, loss, accuracy]`` rows, or ``[epoch, loss, accuracy, test_loss, test_accuracy]`` with a
  test split).

:attr:`MLPPlayground.state` is all of the settings and data in one dict (what the page keeps in its URL hash).

The page's network is exactly :class:`dlbook.mlp.MLP` with sizes ``[D, H, (H), C]``, ``D = len(features)``, whose
input is the feature matrix :func:`dlbook.data.playground_features` (``pg.feature_matrix(x)``):
:meth:`MLPPlayground.to_mlp` returns it with the current weights, and :meth:`MLPPlayground.fit` trains it with
:func:`dlbook.train.fit` (on the training points, in the page's batch order, with the page's penalty) and sends the
new weights to the page. Initial weights are He-normal (variance :math:`2/n_\text{in}`, zero biases) drawn from
``seed`` by a small generator (mulberry32 with Box-Muller normals) that Python and the page share, so both sides
start from the same network. The held-out split and the order of the mini-batches come from the same seed
(:func:`js_test_mask`, :func:`js_batch_order`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import anywidget
import numpy as np
import traitlets

from dlbook.data import PLAYGROUND_FEATURES, playground_features
from dlbook.losses import softmax_cross_entropy
from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam
from dlbook.regularization import weight_penalty
from dlbook.train import ArrayBatches, fit
from dlbook.widgets._base import PALETTE, join_esm

__all__ = [
    "ACTIVATIONS",
    "LOSS_SCALES",
    "OPTIMIZERS",
    "REGULARIZATIONS",
    "SPEEDS",
    "STATE_FIELDS",
    "MLPPlayground",
    "PlaygroundError",
    "front_end",
    "js_batch_order",
    "js_init_weights",
    "js_test_mask",
    "playground_mlp",
]

#: Hidden activations the playground offers (keys of ``dlbook.activations.ACTIVATIONS``).
ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu")
#: Optimizers the playground offers.
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")
#: Penalties on the weights the playground offers (see :func:`dlbook.regularization.weight_penalty`).
REGULARIZATIONS: tuple[str, ...] = ("none", "l1", "l2")
#: The page's speed control: training steps (epochs) per animation frame; below 1, one step every few frames.
SPEEDS: tuple[float, ...] = (0.25, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
#: The scales of the loss curve's vertical axis.
LOSS_SCALES: tuple[str, ...] = ("log", "linear")
#: The fields of :attr:`MLPPlayground.state` (and of the page's URL hash).
STATE_FIELDS: tuple[str, ...] = (
    "points", "labels", "extent", "noise", "n_classes", "features", "hidden_layers", "hidden_units", "activation",
    "optimizer", "learning_rate", "regularization", "reg_rate", "batch_size", "test_ratio", "seed", "speed",
    "loss_scale",
)  # fmt: skip
MAX_TEST_RATIO = 0.5
MAX_REG_RATE = 1.0
MAX_BATCH = 1000
_SPLIT_SALT = 0x85EBCA6B  # as SPLIT_SALT and BATCH_SALT in playground_math.js
_BATCH_SALT = 0x9E3779B1
MAX_CLASSES = 4
MAX_UNITS = 64
MAX_LAYERS = 2
MAX_LR = 10.0
MAX_NOISE = 0.5
HISTORY_MAX = 400
#: The page's front end, joined in this order into the widget's ES module (see :func:`front_end`).
_FRONT_END_PARTS = ["playground_math.js", "playground_presets.js", "playground_draw.js", "playground_controls.js"]


def front_end() -> str:
    """The playground's ES module as the page receives it: its four parts joined, with ``playground.css``."""
    return join_esm(_FRONT_END_PARTS, css="playground.css")


class PlaygroundError(traitlets.TraitError, ValueError):
    """A setting or data value the playground cannot take (a ``ValueError`` and a ``traitlets.TraitError``)."""


# --- the random numbers the page draws -----------------------------------------------------------------------------
def _mulberry32(seed: int) -> Iterator[float]:
    """Uniform floats in [0, 1) from mulberry32, bit for bit as ``mulberry32`` in playground_math.js."""
    mask = 0xFFFFFFFF
    a = int(seed) & mask
    while True:
        a = (a + 0x6D2B79F5) & mask
        t = ((a ^ (a >> 15)) * (1 | a)) & mask
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & mask)) & mask) ^ t
        yield ((t ^ (t >> 14)) & mask) / 4294967296.0


def _normals(seed: int) -> Iterator[float]:
    """Standard normals by Box-Muller (one per pair of uniforms), as ``normalFrom`` in playground_math.js."""
    u = _mulberry32(seed)
    while True:
        u1 = 1.0 - next(u)
        u2 = next(u)
        yield math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def js_init_weights(sizes: list[int], seed: int) -> dict[str, np.ndarray]:
    """He-normal weights and zero biases for an MLP of ``sizes``, drawn from ``seed`` as the page draws them.

    Parameters
    ----------
    sizes : list of int
        ``[D, H_1, ..., C]``.
    seed : int
        Seed in ``[0, 2**32)``.

    Returns
    -------
    dict
        ``{"W1": (H_1, D), "b1": (H_1,), ...}``, the parameter names of :class:`dlbook.mlp.MLP`.
    """
    gen = _normals(seed)
    out: dict[str, np.ndarray] = {}
    for l in range(1, len(sizes)):  # noqa: E741 - layer index of the text
        n_in, n_out = sizes[l - 1], sizes[l]
        std = math.sqrt(2.0 / n_in)
        w = np.fromiter((next(gen) * std for _ in range(n_out * n_in)), dtype=np.float64, count=n_out * n_in)
        out[f"W{l}"] = w.reshape(n_out, n_in)
        out[f"b{l}"] = np.zeros(n_out)
    return out


def js_test_mask(n: int, ratio: float, seed: int) -> np.ndarray:
    """Which of ``n`` points the page holds out for testing: point ``i`` when the ``i``-th draw is below ``ratio``.

    Parameters
    ----------
    n : int
        Number of points.
    ratio : float
        Expected fraction of test points, in ``[0, 0.5]`` (0: none).
    seed : int
        The playground's seed, in ``[0, 2**32)``.

    Returns
    -------
    (n,) ndarray of bool
        True for the test points, as ``testMask`` in playground_math.js.
    """
    if not ratio > 0:
        return np.zeros(n, dtype=bool)
    u = _mulberry32((int(seed) ^ _SPLIT_SALT) & 0xFFFFFFFF)
    return np.fromiter((next(u) < ratio for _ in range(n)), dtype=bool, count=n)


def js_batch_order(n: int, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
    """The page's mini-batches of epoch ``epoch`` (from 0) over ``n`` training points, as ``batchOrder`` in the page.

    Parameters
    ----------
    n : int
        Number of training points.
    batch_size : int
        Points per batch (the last may be smaller); 0, or ``n`` or more, is the full batch in order.
    seed : int
        The playground's seed, in ``[0, 2**32)``.
    epoch : int
        Epochs done before this one.

    Returns
    -------
    list of (B,) int64 arrays
        Row indices into the training points, for :class:`dlbook.train.ArrayBatches` ``(order=...)``.
    """
    idx = list(range(n))
    if not batch_size or batch_size >= n:
        return [np.arange(n, dtype=np.int64)]
    u = _mulberry32((int(seed) ^ (((int(epoch) + 1) * _BATCH_SALT) & 0xFFFFFFFF)) & 0xFFFFFFFF)
    for i in range(n - 1, 0, -1):  # Fisher-Yates, bit for bit the page's
        j = int(next(u) * (i + 1))
        idx[i], idx[j] = idx[j], idx[i]
    return [np.array(idx[s : s + batch_size], dtype=np.int64) for s in range(0, n, batch_size)]


# --- array traits ----------------------------------------------------------------------------------------------------
def _array_to_json(value: np.ndarray, widget: Any) -> list:
    return value.tolist()


def _points_from_json(value: Any, widget: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.float64).reshape(-1, 2)


def _labels_from_json(value: Any, widget: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.int64).reshape(-1)


class _Points(traitlets.TraitType):
    """An (N, 2) float64 array of finite coordinates."""

    info_text = "an (N, 2) array of finite coordinates"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise PlaygroundError(f"points must be an (N, 2) array of numbers, got {type(value).__name__}") from None
        if arr.size == 0:
            arr = arr.reshape(0, 2)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise PlaygroundError(f"points must have shape (N, 2), got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise PlaygroundError("points must be finite (no NaN or infinity)")
        arr.setflags(write=False)
        return arr


class _Labels(traitlets.TraitType):
    """An (N,) int64 array of class labels in [0, 4)."""

    info_text = "an (N,) array of integer class labels"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        raw = np.asarray(value)
        if raw.size and (raw.dtype.kind not in "biuf" or (raw.dtype.kind == "f" and np.any(raw != np.round(raw)))):
            raise PlaygroundError("labels must be integer class labels")
        arr = np.array(raw, dtype=np.int64).reshape(-1) if raw.ndim <= 1 else None
        if arr is None:
            raise PlaygroundError(f"labels must have shape (N,), got {raw.shape}")
        if arr.size and (arr.min() < 0 or arr.max() >= MAX_CLASSES):
            raise PlaygroundError(f"labels must be in [0, {MAX_CLASSES}), got values from {arr.min()} to {arr.max()}")
        arr.setflags(write=False)
        return arr


class _OneOf(traitlets.TraitType):
    """One of a few allowed values: numbers (a float is stored; never a bool) or strings, as the choices are."""

    def __init__(self, default_value: Any, choices: tuple, **kwargs: Any) -> None:
        self.choices = choices
        self.numeric = not isinstance(choices[0], str)
        self.info_text = "one of " + ", ".join(f"{c:g}" if self.numeric else repr(c) for c in choices)
        super().__init__(default_value, **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        kind = (int, float, np.integer, np.floating) if self.numeric else str
        if isinstance(value, bool) or not isinstance(value, kind) or value not in self.choices:
            shown = ", ".join(f"{c:g}" for c in self.choices) if self.numeric else ", ".join(self.choices)
            raise PlaygroundError(f"{self.name} must be one of {shown}; got {value!r}")
        return float(value) if self.numeric else str(value)


def _sizes(hidden_units: int, hidden_layers: int, n_classes: int, n_inputs: int = 2) -> list[int]:
    return [n_inputs] + [hidden_units] * hidden_layers + [n_classes]


def _square_extent(X: np.ndarray) -> list[float]:
    """A square view around the points with a 10% margin (so the page's axes have equal scales)."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    centre = lo / 2 + hi / 2  # halves first: no overflow for coordinates near the largest float
    half = max(float((hi / 2 - lo / 2).max()) * 1.1, 1e-3)
    return [float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half)]


def _outside(X: np.ndarray, extent: list[float]) -> int:
    """How many points of ``X`` lie outside ``extent``."""
    if len(X) == 0:
        return 0
    x0, x1, y0, y1 = extent
    inside = (X[:, 0] >= x0) & (X[:, 0] <= x1) & (X[:, 1] >= y0) & (X[:, 1] <= y1)
    return int(np.sum(~inside))


class MLPPlayground(anywidget.AnyWidget):
    """Interactive MLP classifier on 2-D points: click to place points, train live, watch the boundary.

    Parameters
    ----------
    X : (N, 2) array-like, optional
        Initial points (for example from :func:`dlbook.data.spiral`); the view is fitted around them.
    y : (N,) array-like of int, optional
        Their class labels in ``[0, 4)``; ``n_classes`` defaults to ``max(y) + 1`` (at least 2).
    **settings
        Initial values of the traits below.

    Attributes
    ----------
    points : (N, 2) ndarray
        The points on the page (read-only array; assign a new one, or use :meth:`set_data`).
    labels : (N,) ndarray of int64
        Their classes.
    n_classes : int
        Number of classes, 2 to 4 (the output layer has one logit per class; softmax cross-entropy).
    hidden_units : int
        Units per hidden layer, 1 to 64 (default 16).
    hidden_layers : int
        0, 1 (default) or 2 hidden layers (0: a linear classifier of the input features).
    activation : str
        Hidden activation: ``"relu"`` (default), ``"tanh"``, ``"sigmoid"``, ``"leaky_relu"`` or ``"gelu"``.
    optimizer : str
        ``"sgd"`` or ``"adam"`` (default), with :mod:`dlbook.optim`'s update rules.
    learning_rate : float
        Step size, in (0, 10].
    noise : float
        Noise of the data presets, in [0, 0.5].
    seed : int
        Seed of the initial weights (Reset draws them again from it).
    extent : list of float
        ``[xmin, xmax, ymin, ymax]`` of the data area.
    features : list of str
        The network's inputs, from :data:`dlbook.data.PLAYGROUND_FEATURES` in that order (default ``["x1", "x2"]``).
    test_ratio : float
        Share of the points held out for testing, in ``[0, 0.5]`` (default 0): each point is a test point with this
        probability, drawn from ``seed`` (:func:`js_test_mask`); only the others are trained on.
    regularization : str
        ``"none"`` (default), ``"l1"`` or ``"l2"``: a penalty on the weights (not the biases) whose gradient is added
        to the loss's, as :func:`dlbook.regularization.weight_penalty`.
    reg_rate : float
        Its rate (the factor of the penalty), in ``[0, 1]``.
    batch_size : int
        Points per step: 0 (default) is the full batch; otherwise each epoch shuffles the training points from
        ``seed`` and the epoch (:func:`js_batch_order`) and takes one step per batch.
    speed : float
        The page's *Steps per frame*: epochs trained per animation frame while Train runs, one of :data:`SPEEDS`
        (0.25, 1, 2, 5 (default), 10, 20, 50; 0.25 is slow motion, one epoch every fourth frame). It changes how fast
        the page trains, not what it computes; :meth:`fit` does not use it.
    loss_scale : str
        The vertical axis of the page's loss curve: ``"log"`` (default) or ``"linear"`` (from 0).
    weights : dict
        ``{"W1": [[...]], "b1": [...], ...}``, synced with the page (see :meth:`to_mlp`).
    epoch : int
        Epochs (passes over the training points; one step each with the full batch) since the weights were drawn.
    history : list
        ``[epoch, loss, accuracy]`` rows for the curve (training points), with ``test_loss, test_accuracy`` after
        them when there are test points.
    """

    _esm = front_end()

    points = _Points(np.zeros((0, 2))).tag(sync=True, to_json=_array_to_json, from_json=_points_from_json)
    labels = _Labels(np.zeros(0, dtype=np.int64)).tag(sync=True, to_json=_array_to_json, from_json=_labels_from_json)
    n_classes = traitlets.Int(2).tag(sync=True)
    hidden_units = traitlets.Int(16).tag(sync=True)
    hidden_layers = traitlets.Int(1).tag(sync=True)
    activation = traitlets.Unicode("relu").tag(sync=True)
    optimizer = traitlets.Unicode("adam").tag(sync=True)
    learning_rate = traitlets.Float(0.03).tag(sync=True)
    noise = traitlets.Float(0.1).tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    extent = traitlets.List(traitlets.Float(), default_value=[-1.5, 1.5, -1.5, 1.5]).tag(sync=True)
    features = traitlets.List(traitlets.Unicode(), default_value=["x1", "x2"]).tag(sync=True)
    test_ratio = traitlets.Float(0.0).tag(sync=True)
    regularization = traitlets.Unicode("none").tag(sync=True)
    reg_rate = traitlets.Float(0.001).tag(sync=True)
    batch_size = traitlets.Int(0).tag(sync=True)
    speed = _OneOf(5.0, SPEEDS).tag(sync=True)
    loss_scale = _OneOf("log", LOSS_SCALES).tag(sync=True)
    weights = traitlets.Dict().tag(sync=True)
    epoch = traitlets.Int(0).tag(sync=True)
    history = traitlets.List().tag(sync=True)

    #: Class colours used by the page (from ``dlbook.widgets._base.PALETTE``).
    colors: tuple[str, ...] = tuple(PALETTE[f"class{c}"] for c in range(MAX_CLASSES))

    def __init__(self, X: Any = None, y: Any = None, **settings: Any) -> None:
        if (X is None) != (y is None):
            raise ValueError("X and y must be given together (points and their labels)")
        if X is not None:
            X = _Points().validate(self, X)
            y = _Labels().validate(self, y)
            if len(y) != len(X):
                raise ValueError(f"y must have one label per point: X has {len(X)} points, y has {len(y)} labels")
            settings.setdefault("n_classes", max(2, int(y.max()) + 1) if len(y) else 2)
            settings.setdefault("extent", _square_extent(X) if len(X) else [-1.5, 1.5, -1.5, 1.5])
            settings["points"], settings["labels"] = X, y
        super().__init__(**settings)
        if not self._weights_match():
            self._init_weights()

    # --- validation -------------------------------------------------------------------------------------------
    @staticmethod
    def _int_in(proposal: Any, lo: int, hi: int) -> int:
        value, name = proposal["value"], proposal["trait"].name
        if isinstance(value, bool) or value < lo or value > hi:
            raise PlaygroundError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")
        return int(value)

    @traitlets.validate("n_classes")
    def _valid_n_classes(self, proposal: Any) -> int:
        value = self._int_in(proposal, 2, MAX_CLASSES)
        if len(self.labels) and self.labels.max() >= value:
            raise PlaygroundError(
                f"n_classes must exceed every label: the points use class {int(self.labels.max())}, got {value}"
            )
        return value

    @traitlets.validate("hidden_units")
    def _valid_units(self, proposal: Any) -> int:
        return self._int_in(proposal, 1, MAX_UNITS)

    @traitlets.validate("hidden_layers")
    def _valid_layers(self, proposal: Any) -> int:
        return self._int_in(proposal, 0, MAX_LAYERS)

    @traitlets.validate("seed")
    def _valid_seed(self, proposal: Any) -> int:
        return self._int_in(proposal, 0, 2**32 - 1)

    @traitlets.validate("activation")
    def _valid_activation(self, proposal: Any) -> str:
        if proposal["value"] not in ACTIVATIONS:
            raise PlaygroundError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("optimizer")
    def _valid_optimizer(self, proposal: Any) -> str:
        if proposal["value"] not in OPTIMIZERS:
            raise PlaygroundError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("learning_rate")
    def _valid_lr(self, proposal: Any) -> float:
        v = float(proposal["value"])
        if not (0 < v <= MAX_LR):
            raise PlaygroundError(f"learning_rate must be in (0, {MAX_LR:g}], got {proposal['value']!r}")
        return v

    @traitlets.validate("noise")
    def _valid_noise(self, proposal: Any) -> float:
        v = float(proposal["value"])
        if not (0 <= v <= MAX_NOISE):
            raise PlaygroundError(f"noise must be in [0, {MAX_NOISE:g}], got {proposal['value']!r}")
        return v

    @traitlets.validate("features")
    def _valid_features(self, proposal: Any) -> list[str]:
        names = list(proposal["value"])
        bad = [n for n in names if n not in PLAYGROUND_FEATURES]
        if not names or bad or len(set(names)) != len(names):
            raise PlaygroundError(
                "features must be a non-empty list of distinct names from "
                f"{', '.join(PLAYGROUND_FEATURES)}; got {names!r}"
            )
        return [n for n in PLAYGROUND_FEATURES if n in names]  # the page's order

    @traitlets.validate("test_ratio")
    def _valid_test_ratio(self, proposal: Any) -> float:
        v = float(proposal["value"])
        if not (0 <= v <= MAX_TEST_RATIO):
            raise PlaygroundError(f"test_ratio must be in [0, {MAX_TEST_RATIO:g}], got {proposal['value']!r}")
        return v

    @traitlets.validate("regularization")
    def _valid_regularization(self, proposal: Any) -> str:
        if proposal["value"] not in REGULARIZATIONS:
            raise PlaygroundError(
                f"regularization must be one of {', '.join(REGULARIZATIONS)}; got {proposal['value']!r}"
            )
        return proposal["value"]

    @traitlets.validate("reg_rate")
    def _valid_reg_rate(self, proposal: Any) -> float:
        v = float(proposal["value"])
        if not (0 <= v <= MAX_REG_RATE):
            raise PlaygroundError(f"reg_rate must be in [0, {MAX_REG_RATE:g}], got {proposal['value']!r}")
        return v

    @traitlets.validate("batch_size")
    def _valid_batch_size(self, proposal: Any) -> int:
        return self._int_in(proposal, 0, MAX_BATCH)

    @traitlets.validate("extent")
    def _valid_extent(self, proposal: Any) -> list[float]:
        e = [float(v) for v in proposal["value"]]
        if len(e) != 4 or not all(math.isfinite(v) for v in e) or not (e[0] < e[1] and e[2] < e[3]):
            raise PlaygroundError(f"extent must be [xmin, xmax, ymin, ymax] with xmin < xmax, ymin < ymax; got {e}")
        if not (math.isfinite(e[1] - e[0]) and math.isfinite(e[3] - e[2])):
            raise PlaygroundError(f"extent must have a finite width and height (the page divides by them), got {e}")
        outside = _outside(self.points, e)
        if outside:
            raise PlaygroundError(f"extent must hold every point: {outside} of {len(self.points)} lie outside {e}")
        return e

    @traitlets.validate("labels")
    def _valid_labels(self, proposal: Any) -> np.ndarray:
        y = proposal["value"]
        if len(y) != len(self.points):
            raise PlaygroundError(
                f"labels must have one entry per point ({len(self.points)}), got {len(y)}: "
                "use set_data(X, y) to change both"
            )
        if len(y) and y.max() >= self.n_classes:
            raise PlaygroundError(f"labels must be below n_classes={self.n_classes}, got class {int(y.max())}")
        return y

    @traitlets.validate("points")
    def _valid_points(self, proposal: Any) -> np.ndarray:
        X = proposal["value"]
        if len(X) != len(self.labels):
            raise PlaygroundError(
                f"points must have one row per label ({len(self.labels)}), got {len(X)}: "
                "use set_data(X, y) to change both"
            )
        outside = _outside(X, self.extent)
        if outside:
            raise PlaygroundError(
                f"points must lie inside extent={self.extent}: {outside} of {len(X)} do not "
                "(set_data(X, y) widens the view to hold them)"
            )
        return X

    @traitlets.validate("weights")
    def _valid_weights(self, proposal: Any) -> dict:
        w = proposal["value"]
        if not w:
            return {}  # not drawn yet: __init__ draws them from the seed
        sizes = self.sizes
        expected = {
            f"{p}{k}": (sizes[k], sizes[k - 1]) if p == "W" else (sizes[k],) for k in range(1, len(sizes)) for p in "Wb"
        }
        if set(w) != set(expected):
            raise PlaygroundError(f"weights must have the keys {sorted(expected)} for sizes {sizes}, got {sorted(w)}")
        out = {}
        for name, shape in expected.items():
            try:
                arr = np.asarray(w[name], dtype=np.float64)
            except (TypeError, ValueError):
                raise PlaygroundError(f"weights[{name!r}] must be an array of numbers of shape {shape}") from None
            if arr.shape != shape:
                raise PlaygroundError(f"weights[{name!r}] must have shape {shape} for sizes {sizes}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise PlaygroundError(f"weights[{name!r}] must be finite (no NaN or infinity)")
            out[name] = arr.tolist()
        return out

    @traitlets.validate("epoch")
    def _valid_epoch(self, proposal: Any) -> int:
        return self._int_in(proposal, 0, 2**53)

    @traitlets.validate("history")
    def _valid_history(self, proposal: Any) -> list:
        rows = proposal["value"]
        for row in rows:
            ok = isinstance(row, list | tuple) and len(row) in (3, 5)
            if not ok or not all(isinstance(v, int | float) and math.isfinite(v) for v in row):
                raise PlaygroundError(
                    "history must hold [epoch, loss, accuracy] (or [..., test_loss, test_accuracy]) rows of finite "
                    f"numbers, got {row!r}"
                )
        return [list(r) for r in rows]

    # --- weights ------------------------------------------------------------------------------------------------
    @property
    def sizes(self) -> list[int]:
        """Layer sizes ``[D, H, (H), C]`` of the page's network (``D = len(features)``)."""
        return _sizes(self.hidden_units, self.hidden_layers, self.n_classes, len(self.features))

    def _weights_match(self) -> bool:
        sizes = self.sizes
        w = self.weights
        if set(w) != {f"{p}{i}" for i in range(1, len(sizes)) for p in "Wb"}:
            return False
        return all(
            np.shape(w[f"W{l}"]) == (sizes[l], sizes[l - 1]) and np.shape(w[f"b{l}"]) == (sizes[l],)
            for l in range(1, len(sizes))  # noqa: E741
        )

    def _init_weights(self) -> None:
        with self.hold_sync():
            self.weights = {k: v.tolist() for k, v in js_init_weights(self.sizes, self.seed).items()}
            self.epoch = 0
            self.history = []

    @traitlets.observe("hidden_units", "hidden_layers", "n_classes", "seed", "activation", "features", "test_ratio")
    def _architecture_changed(self, change: Any) -> None:
        # A change made on the page arrives together with the page's new weights; one made in Python draws them.
        if change["name"] in getattr(self, "_property_lock", {}):
            return
        self._init_weights()

    def reset(self) -> None:
        """Draw the initial weights again from ``seed`` (what the page's Reset button does)."""
        self._init_weights()

    def set_data(self, X: Any, y: Any) -> None:
        """Replace the points and their labels together (``n_classes`` grows if the labels need it).

        Parameters
        ----------
        X : (N, 2) array-like
            Points.
        y : (N,) array-like of int
            Labels in ``[0, 4)``.
        """
        X = _Points().validate(self, X)
        y = _Labels().validate(self, y)
        if len(y) != len(X):
            raise ValueError(f"y must have one label per point: X has {len(X)} points, y has {len(y)} labels")
        extent = self.extent
        if _outside(X, extent):
            # A square view around the points and the old view, checked before anything changes.
            both = np.concatenate([X, [[extent[0], extent[2]], [extent[1], extent[3]]]])
            extent = _square_extent(both)
            if not all(math.isfinite(v) for v in extent) or not math.isfinite(extent[1] - extent[0]):
                raise PlaygroundError("X is too large for the page to draw: coordinates must stay below about 8e307")
        with self.hold_sync(), self.hold_trait_notifications():
            if len(y) and y.max() >= self.n_classes:
                self.n_classes = int(y.max()) + 1
            self.labels = y
            self.points = X
            self.extent = extent

    def feature_matrix(self, x: Any) -> np.ndarray:
        """The network's input for points ``x``: :func:`dlbook.data.playground_features` of ``features``.

        Parameters
        ----------
        x : (N, 2) array-like
            Points.

        Returns
        -------
        (N, len(features)) ndarray
        """
        return playground_features(x, self.features)

    def test_mask(self) -> np.ndarray:
        """Which points are held out for testing (True), as the page draws them from ``seed`` and ``test_ratio``."""
        return js_test_mask(len(self.points), self.test_ratio, self.seed)

    def to_mlp(self) -> Any:
        """A :class:`dlbook.mlp.MLP` with the page's current weights (its predictions are the page's).

        Its input is the feature matrix: ``pg.to_mlp().forward(pg.feature_matrix(x))`` are the page's logits at the
        points ``x``.

        Returns
        -------
        dlbook.mlp.MLP
            Sizes :attr:`sizes`, activation ``activation``, parameters copied from ``weights``.
        """
        model = MLP(self.sizes, activation=self.activation, rng=0)
        if not self._weights_match():
            self._init_weights()
        for key, value in self.weights.items():
            model.params[key][...] = np.asarray(value, dtype=np.float64)
        return model

    def accuracy(self, split: str = "train") -> float:
        """Fraction of the training (or ``split="test"``) points the network classifies correctly (``nan`` if none).

        Parameters
        ----------
        split : str
            ``"train"`` (the points trained on; all of them without a test split), ``"test"`` or ``"all"``.
        """
        if split not in ("train", "test", "all"):
            raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
        mask = self.test_mask()
        keep = np.ones(len(mask), dtype=bool) if split == "all" else (mask if split == "test" else ~mask)
        if not np.any(keep):
            return float("nan")
        pred = np.argmax(self.to_mlp().forward(self.feature_matrix(self.points[keep])), axis=1)
        return float(np.mean(pred == self.labels[keep]))

    def fit(self, steps: int = 100) -> np.ndarray:
        """Train the page's network with dlbook for ``steps`` epochs and send the weights to the page.

        Runs :func:`dlbook.train.fit` as the page trains: on the training points only (the test split held out), on
        their features, with the page's batches (the full batch, or the shuffled mini-batches of each epoch from
        :func:`js_batch_order`), softmax cross-entropy averaged over each batch, :class:`dlbook.optim.SGD` or
        :class:`dlbook.optim.Adam` with ``learning_rate``, and the penalty of ``regularization`` (``penalty=``,
        :func:`dlbook.regularization.weight_penalty`). With the full batch one epoch is one step. The optimizer starts
        fresh on each call (Adam's moment estimates are not carried over). If the loss or a weight becomes NaN or
        infinite, training stops, the last finite weights are kept and a warning says so.

        Parameters
        ----------
        steps : int
            Number of epochs (passes over the training points).

        Returns
        -------
        (steps_done,) ndarray
            The loss before each optimizer step.
        """
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        mask = self.test_mask()
        X, y = self.feature_matrix(self.points[~mask]), self.labels[~mask]
        if len(y) == 0 or len(np.unique(y)) < 2:
            raise ValueError(
                "fit needs training points of at least two classes: place some on the page, call set_data, "
                "or lower test_ratio"
            )
        model = self.to_mlp()
        optimizer = _make_optimizer(model, self.optimizer, self.learning_rate)
        order = [
            b
            for e in range(self.epoch, self.epoch + int(steps))
            for b in js_batch_order(len(y), self.batch_size, self.seed, e)
        ]
        kind, rate = self.regularization, self.reg_rate
        penalty = None if kind == "none" or rate == 0 else (lambda m: weight_penalty(m, kind, rate, add_grad=True))
        with np.errstate(all="ignore"):  # a diverging run overflows on purpose; fit stops it
            hist = fit(
                model, ArrayBatches(X, y, order=order), loss="softmax_ce", optimizer=optimizer, epochs=1,
                penalty=penalty,
            )  # fmt: skip
            logits = model.forward(X)
            test_logits = model.forward(self.feature_matrix(self.points[mask])) if np.any(mask) else None
        losses = np.asarray(hist.step_loss)
        per_epoch = len(order) // int(steps)
        epochs_done = len(losses) // per_epoch
        history = [list(r) for r in self.history]
        if hist.diverged:
            warnings.warn(
                f"training diverged after {len(losses)} step(s) (NaN or infinite values): the last finite weights "
                "are kept; lower the learning rate and start again",
                UserWarning,
                stacklevel=2,
            )
        if np.all(np.isfinite(logits)) and (test_logits is None or np.all(np.isfinite(test_logits))):
            final_loss, _ = softmax_cross_entropy(logits, y)
            row = [self.epoch + epochs_done, float(final_loss), float(np.mean(np.argmax(logits, axis=1) == y))]
            if test_logits is not None:
                y_test = self.labels[mask]
                test_loss, _ = softmax_cross_entropy(test_logits, y_test)
                row += [float(test_loss), float(np.mean(np.argmax(test_logits, axis=1) == y_test))]
            history.append(row)
        if len(history) > HISTORY_MAX:
            history = history[::2] if len(history) % 2 else history[::2] + [history[-1]]
        with self.hold_sync():
            self.weights = {k: v.tolist() for k, v in model.params.items()}
            self.epoch = self.epoch + epochs_done
            self.history = history
        return losses

    # --- the whole state --------------------------------------------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        """Every setting and the data in one dict (the fields of :data:`STATE_FIELDS`, JSON-ready).

        Setting it (all fields or some) restores that view: every value is checked first, and a wrong one raises
        ``ValueError`` (``TypeError`` for a wrong type) naming the field and changes nothing. The weights are then
        drawn again from ``seed`` (as the page does when it opens a shared link).
        """
        return {
            "points": self.points.tolist(),
            "labels": self.labels.tolist(),
            **{k: (list(v) if isinstance(v, list) else v) for k in STATE_FIELDS[2:] for v in [getattr(self, k)]},
        }

    @state.setter
    def state(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise TypeError(
                f"state must be a dict with fields among {', '.join(STATE_FIELDS)}; got {type(value).__name__}"
            )
        unknown = [k for k in value if k not in STATE_FIELDS]
        if unknown:
            raise ValueError(f"state has no field {unknown[0]!r}; the fields are {', '.join(STATE_FIELDS)}")
        new = dict(value)
        for key, v in new.items():
            _check_state_type(key, v)
        if ("points" in new) != ("labels" in new):
            raise ValueError("state must give points and labels together (one label per point)")
        if "points" in new:
            X = _Points().validate(self, new["points"])
            y = _Labels().validate(self, new["labels"])
            if len(X) != len(y):
                raise ValueError(f"labels must have one entry per point: {len(X)} points, {len(y)} labels")
            new["points"], new["labels"] = X, y
            if "extent" not in new and _outside(X, self.extent):
                new["extent"] = _square_extent(X)
        try:
            # traitlets checks every value when the block ends (so the order does not matter) and, if one is wrong,
            # puts every trait back as it was before raising
            with self.hold_sync(), self.hold_trait_notifications():
                for key in STATE_FIELDS:
                    if key in new:
                        setattr(self, key, new[key])
        except PlaygroundError:
            raise
        except traitlets.TraitError as err:
            raise PlaygroundError(str(err)) from None
        self._init_weights()


_STATE_TYPES: dict[str, tuple[str, Any]] = {
    "n_classes": ("an integer", int),
    "hidden_units": ("an integer", int),
    "hidden_layers": ("an integer", int),
    "batch_size": ("an integer", int),
    "seed": ("an integer", int),
    "learning_rate": ("a number", float),
    "noise": ("a number", float),
    "reg_rate": ("a number", float),
    "test_ratio": ("a number", float),
    "speed": ("a number", float),
    "activation": ("a string", str),
    "optimizer": ("a string", str),
    "regularization": ("a string", str),
    "loss_scale": ("a string", str),
}


def _check_state_type(key: str, v: Any) -> None:
    """TypeError naming the field ``key`` of a state dict if ``v`` has the wrong type."""
    if key in _STATE_TYPES:
        what, kind = _STATE_TYPES[key]
        ok = isinstance(v, str) if kind is str else isinstance(v, int | np.integer | (float if kind is float else int))
        if isinstance(v, bool) or isinstance(v, float) and kind is int or not ok:
            raise TypeError(f"state[{key!r}] must be {what}, got {v!r}")
    elif key == "features":
        if not isinstance(v, list | tuple) or not all(isinstance(n, str) for n in v):
            raise TypeError(f"state['features'] must be a list of feature names, got {v!r}")
    elif key == "extent":
        if not isinstance(v, list | tuple) or not all(
            isinstance(n, int | float) and not isinstance(n, bool) for n in v
        ):
            raise TypeError(f"state['extent'] must be a list of four numbers, got {v!r}")
    elif key in ("points", "labels") and isinstance(v, str | bytes | dict):
        raise TypeError(f"state[{key!r}] must be a list of numbers, got {type(v).__name__}")


def playground_mlp(
    n_classes: int = 2,
    hidden_units: int = 16,
    hidden_layers: int = 1,
    activation: str = "relu",
    seed: int = 0,
    features: Any = ("x1", "x2"),
) -> Any:
    """The playground's network as a :class:`dlbook.mlp.MLP`, with the initial weights the page draws from ``seed``.

    Parameters
    ----------
    n_classes : int
        Number of classes (outputs), 2 to 4.
    hidden_units : int
        Units per hidden layer, 1 to 64.
    hidden_layers : int
        0, 1 or 2.
    activation : str
        One of :data:`ACTIVATIONS`.
    seed : int
        Seed of the initial weights, in ``[0, 2**32)``.
    features : sequence of str
        The input features (:data:`dlbook.data.PLAYGROUND_FEATURES`): the network's input is
        ``dlbook.data.playground_features(x, features)``, one unit per feature.

    Returns
    -------
    dlbook.mlp.MLP
    """
    for name, value, lo, hi in [
        ("n_classes", n_classes, 2, MAX_CLASSES),
        ("hidden_units", hidden_units, 1, MAX_UNITS),
        ("hidden_layers", hidden_layers, 0, MAX_LAYERS),
        ("seed", seed, 0, 2**32 - 1),
    ]:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi:
            raise ValueError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    if isinstance(features, str) or not all(isinstance(f, str) for f in features):
        raise TypeError(f"features must be a list of feature names, got {features!r}")
    if not features or any(f not in PLAYGROUND_FEATURES for f in features) or len(set(features)) != len(features):
        raise ValueError(f"features must be distinct names from {', '.join(PLAYGROUND_FEATURES)}; got {features!r}")
    sizes = _sizes(int(hidden_units), int(hidden_layers), int(n_classes), len(features))
    model = MLP(sizes, activation=activation, rng=0)
    for key, value in js_init_weights(sizes, int(seed)).items():
        model.params[key][...] = value
    return model


def _make_optimizer(model: MLP, optimizer: str = "adam", learning_rate: float = 0.03) -> SGD | Adam:
    """The page's optimizer for ``model``: :class:`dlbook.optim.SGD` (no momentum) or :class:`dlbook.optim.Adam`."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
    if not (isinstance(learning_rate, int | float | np.floating) and 0 < learning_rate <= MAX_LR):
        raise ValueError(f"learning_rate must be in (0, {MAX_LR:g}], got {learning_rate!r}")
    return SGD(model, lr=learning_rate) if optimizer == "sgd" else Adam(model, lr=learning_rate)
