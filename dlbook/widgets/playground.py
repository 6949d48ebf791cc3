r"""The MLP playground: place points with the mouse, train a small MLP live, watch the decision boundary form.

:class:`MLPPlayground` is an anywidget. Its front end (``playground_*.js`` and ``playground.css``, joined by
:func:`front_end`) draws every control, trains the network in the page with full-batch gradient descent and paints
the decision boundary, so it works in JupyterLab, Notebook 7, VS Code and in the static HTML book with no kernel.
The Python side holds the state as traits synced both ways:

* the data: ``points`` (N, 2) and ``labels`` (N,) (what the reader placed);
* the settings: ``n_classes``, ``hidden_units``, ``hidden_layers``, ``activation``, ``optimizer``,
  ``learning_rate``, ``noise``, ``seed``, ``extent``;
* the network: ``weights`` (``{"W1": ..., "b1": ..., ...}`` as :class:`dlbook.mlp.MLP` names them), ``epoch`` and
  ``history`` (``[epoch, loss, accuracy]`` rows).

The page's network is exactly :class:`dlbook.mlp.MLP` with sizes ``[2, H, (H), C]``: :meth:`MLPPlayground.to_mlp`
returns it with the current weights, and :meth:`MLPPlayground.fit` trains it with :func:`dlbook.train.fit` and sends
the new weights to the page. Initial weights are He-normal (variance :math:`2/n_\text{in}`, zero biases) drawn from
``seed`` by a small generator (mulberry32 with Box-Muller normals) that Python and the page share, so both sides
start from the same network.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import anywidget
import numpy as np
import traitlets

from dlbook.losses import softmax_cross_entropy
from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam
from dlbook.train import ArrayBatches, fit
from dlbook.widgets._base import PALETTE, join_esm

__all__ = [
    "ACTIVATIONS",
    "OPTIMIZERS",
    "MLPPlayground",
    "PlaygroundError",
    "front_end",
    "js_init_weights",
    "playground_mlp",
]

#: Hidden activations the playground offers (keys of ``dlbook.activations.ACTIVATIONS``).
ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu")
#: Optimizers the playground offers.
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")
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


def _sizes(hidden_units: int, hidden_layers: int, n_classes: int) -> list[int]:
    return [2] + [hidden_units] * hidden_layers + [n_classes]


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
        1 or 2 hidden layers.
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
    weights : dict
        ``{"W1": [[...]], "b1": [...], ...}``, synced with the page (see :meth:`to_mlp`).
    epoch : int
        Gradient-descent steps taken since the weights were initialized.
    history : list
        ``[epoch, loss, accuracy]`` rows for the loss curve.
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
        return self._int_in(proposal, 1, MAX_LAYERS)

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
            ok = isinstance(row, list | tuple) and len(row) == 3
            if not ok or not all(isinstance(v, int | float) and math.isfinite(v) for v in row):
                raise PlaygroundError(f"history must hold [epoch, loss, accuracy] rows of finite numbers, got {row!r}")
        return [list(r) for r in rows]

    # --- weights ------------------------------------------------------------------------------------------------
    @property
    def sizes(self) -> list[int]:
        """Layer sizes ``[2, H, (H), C]`` of the page's network."""
        return _sizes(self.hidden_units, self.hidden_layers, self.n_classes)

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

    @traitlets.observe("hidden_units", "hidden_layers", "n_classes", "seed", "activation")
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

    def to_mlp(self) -> Any:
        """A :class:`dlbook.mlp.MLP` with the page's current weights (its predictions are the page's).

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

    def accuracy(self) -> float:
        """Fraction of the points the current network classifies correctly (``nan`` with no points)."""
        if len(self.points) == 0:
            return float("nan")
        pred = np.argmax(self.to_mlp().forward(self.points), axis=1)
        return float(np.mean(pred == self.labels))

    def fit(self, steps: int = 100) -> np.ndarray:
        """Train the page's network with dlbook for ``steps`` full-batch steps and send the weights to the page.

        Runs :func:`dlbook.train.fit` on the full batch of points (the page's computation: softmax cross-entropy
        averaged over the points, :class:`dlbook.optim.SGD` or :class:`dlbook.optim.Adam` with ``learning_rate``).
        The optimizer starts fresh on each call (Adam's moment estimates are not carried over). If the loss or a
        weight becomes NaN or infinite, training stops, the last finite weights are kept and a warning says so.

        Parameters
        ----------
        steps : int
            Number of gradient-descent steps.

        Returns
        -------
        (steps_done,) ndarray
            The loss before each step.
        """
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        if len(self.points) == 0 or len(np.unique(self.labels)) < 2:
            raise ValueError("fit needs points of at least two classes: place some on the page or call set_data")
        X, y = self.points, self.labels
        model = self.to_mlp()
        optimizer = _make_optimizer(model, self.optimizer, self.learning_rate)
        with np.errstate(all="ignore"):  # a diverging run overflows on purpose; fit stops it
            hist = fit(model, ArrayBatches(X, y), loss="softmax_ce", optimizer=optimizer, steps=int(steps))
            logits = model.forward(X)
        losses = np.asarray(hist.step_loss)
        history = [list(r) for r in self.history]
        if hist.diverged:
            warnings.warn(
                f"training diverged after {len(losses)} step(s) (NaN or infinite values): the last finite weights "
                "are kept; lower the learning rate and start again",
                UserWarning,
                stacklevel=2,
            )
        if np.all(np.isfinite(logits)):
            final_loss, _ = softmax_cross_entropy(logits, y)
            acc = float(np.mean(np.argmax(logits, axis=1) == y))
            history.append([self.epoch + len(losses), float(final_loss), acc])
        if len(history) > HISTORY_MAX:
            history = history[::2] if len(history) % 2 else history[::2] + [history[-1]]
        with self.hold_sync():
            self.weights = {k: v.tolist() for k, v in model.params.items()}
            self.epoch = self.epoch + len(losses)
            self.history = history
        return losses


def playground_mlp(
    n_classes: int = 2, hidden_units: int = 16, hidden_layers: int = 1, activation: str = "relu", seed: int = 0
) -> Any:
    """The playground's network as a :class:`dlbook.mlp.MLP`, with the initial weights the page draws from ``seed``.

    Parameters
    ----------
    n_classes : int
        Number of classes (outputs), 2 to 4.
    hidden_units : int
        Units per hidden layer, 1 to 64.
    hidden_layers : int
        1 or 2.
    activation : str
        One of :data:`ACTIVATIONS`.
    seed : int
        Seed of the initial weights, in ``[0, 2**32)``.

    Returns
    -------
    dlbook.mlp.MLP
    """
    for name, value, lo, hi in [
        ("n_classes", n_classes, 2, MAX_CLASSES),
        ("hidden_units", hidden_units, 1, MAX_UNITS),
        ("hidden_layers", hidden_layers, 1, MAX_LAYERS),
        ("seed", seed, 0, 2**32 - 1),
    ]:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi:
            raise ValueError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    sizes = _sizes(int(hidden_units), int(hidden_layers), int(n_classes))
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
