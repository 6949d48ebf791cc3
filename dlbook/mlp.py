r"""The multilayer perceptron, written in the notation of the chapters.

A network with layer sizes :math:`[D, H_1, \dots, H_{L-1}, C]` computes, from :math:`h_0 = x`,

.. math::

    z_l = W_l h_{l-1} + b_l, \qquad h_l = \phi(z_l) \quad (l = 1, \dots, L-1), \qquad z_L = W_L h_{L-1} + b_L,

and returns the logits :math:`z_L` (softmax, sigmoid or the identity are applied by the loss). For a batch the
vectors are rows, so the code reads ``z = h @ W.T + b``. Backpropagation starts from
:math:`\delta_L = \partial L / \partial z_L` and runs the recursion

.. math::

    \delta_l = (W_{l+1}^\top \delta_{l+1}) \odot \phi'(z_l), \qquad
    \frac{\partial L}{\partial W_l} = \delta_l h_{l-1}^\top, \qquad \frac{\partial L}{\partial b_l} = \delta_l.

With ``checkpoint_every=k`` the forward pass keeps only every k-th pre-activation (the checkpoints) and the backward
pass recomputes each segment between checkpoints from its start: less memory for one more forward pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_finite, check_positive, float_dtype, get_rng
from dlbook.activations import get_activation, sigmoid, softmax
from dlbook.layers import Linear, Module, linear_forward

__all__ = ["MLP", "count_linear_regions", "linear_regions"]


class MLP(Module):
    r"""Fully connected network with one activation between layers and logits at the end.

    Each :math:`z_l = W_l h_{l-1} + b_l` is computed by a :class:`dlbook.layers.Linear` (forward and backward) and
    each :math:`h_l = \phi(z_l)` by the activation's kernel from :mod:`dlbook.activations`; the MLP adds what the
    chapters look at: the stored :math:`z_l`, :math:`h_l` and :math:`\delta_l`, and gradient checkpointing.

    Parameters
    ----------
    sizes : sequence of int
        ``[D, H_1, ..., C]``: input size, hidden widths, output size (at least two entries).
    activation : str
        Hidden activation, a key of :data:`dlbook.activations.ACTIVATIONS`.
    init : str
        Weight initialization scheme of :mod:`dlbook.init` (biases start at zero).
    rng : numpy.random.Generator or int, optional
        Seed or generator for the weights (``None``: fresh entropy).
    dtype : numpy dtype
        float64 (default) or float32: the dtype of the parameters, outputs and gradients (inputs are cast to it).
    checkpoint_every : int, optional
        Gradient checkpointing: keep the pre-activation of every k-th layer only and recompute the others in
        :meth:`backward`. ``None`` (default) keeps everything.
    keep_deltas : bool
        Keep the error signals :math:`\delta_l` in :attr:`deltas` after :meth:`backward` (turn off to measure
        memory).

    Attributes
    ----------
    params : dict
        ``"W1", "b1", ..., "WL", "bL"`` (the text's names) with ``W_l`` of shape ``(H_l, H_{l-1})`` and ``b_l`` of
        shape ``(H_l,)``.
    layers : list of Linear
        The layer that computes :math:`z_l` is ``layers[l-1]``; it holds the same arrays as ``params`` (the MLP's
        parameters are listed once, under the text's names, so ``layers`` are not children).
    zs, hs : list of ndarray
        After a forward pass without checkpointing: ``zs[l-1]`` is :math:`z_l` (N, H_l) for l = 1..L and ``hs[l]``
        is :math:`h_l` for l = 0..L-1 (``hs[0]`` is the input).
    deltas : list of ndarray
        After :meth:`backward`: ``deltas[l-1]`` is :math:`\delta_l = \partial L/\partial z_l`, shape (N, H_l).
    stored_bytes : int
        Bytes of activations the last forward pass kept for the backward pass.
    peak_bytes : int
        Largest number of activation bytes held at once during the last forward and backward pass (counting stored
        activations, recomputed segments and the deltas that are alive).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        init: str = "he",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
        checkpoint_every: int | None = None,
        keep_deltas: bool = True,
    ) -> None:
        super().__init__()
        if isinstance(sizes, str) or not isinstance(sizes, Sequence):
            raise TypeError(f"sizes must be a sequence of positive integers, got {type(sizes).__name__}")
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
        for i, s in enumerate(sizes):
            check_positive(s, f"sizes[{i}]", integer=True)
        if checkpoint_every is not None:
            check_positive(checkpoint_every, "checkpoint_every", integer=True)
        self.phi = get_activation(activation)
        self.dtype = float_dtype(dtype)
        self.sizes = [int(s) for s in sizes]
        self.activation = activation
        self.checkpoint_every = None if checkpoint_every is None else int(checkpoint_every)
        self.keep_deltas = bool(keep_deltas)
        rng = get_rng(rng)
        self.layers = [Linear(a, b, init=init, rng=rng, dtype=self.dtype) for a, b in zip(sizes[:-1], sizes[1:])]
        for l, layer in enumerate(self.layers, start=1):  # noqa: E741 - l is the layer index of the text
            self.params[f"W{l}"], self.params[f"b{l}"] = layer.params["W"], layer.params["b"]
        self.zs: list[np.ndarray] = []
        self.hs: list[np.ndarray] = []
        self.deltas: list[np.ndarray] = []
        self._ckpt: dict[int, np.ndarray] = {}
        self.stored_bytes = 0
        self.peak_bytes = 0

    @property
    def num_layers(self) -> int:
        """L, the number of linear layers."""
        return len(self.sizes) - 1

    def _linear(self, l: int) -> Linear:  # noqa: E741
        """``layers[l-1]``, bound to the current ``params["W{l}"]`` and ``params["b{l}"]`` (however they were set)."""
        layer = self.layers[l - 1]
        layer.params["W"], layer.params["b"] = self.params[f"W{l}"], self.params[f"b{l}"]
        return layer

    def _check_input(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"x must have shape (N, {self.sizes[0]}), got {x.shape}")
        if x.shape[0] == 0:
            raise ValueError(f"x must hold at least one example, got shape {x.shape}")
        check_finite(x, "x")
        return x.astype(self.dtype, copy=False)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Logits :math:`z_L` of shape (N, C) for inputs ``x`` of shape (N, D)."""
        x = self._check_input(x)
        L, k = self.num_layers, self.checkpoint_every
        self.deltas = []
        h = x
        if k is None:
            self.zs, self.hs = [], [x]
            for l in range(1, L + 1):  # noqa: E741
                z = self._linear(l).forward(h)  # keeps h (= hs[l-1]) for its backward
                self.zs.append(z)
                if l < L:
                    h = self.phi.fn(z)
                    self.hs.append(h)
            self._ckpt = {}
            self.stored_bytes = sum(a.nbytes for a in self.zs[:-1]) + sum(a.nbytes for a in self.hs)
        else:
            # the functional Linear (no cache): only the checkpoints are kept
            for layer in self.layers:
                layer._cache = None
            self.zs, self.hs = [], []
            self._ckpt = {0: x}
            for l in range(1, L + 1):  # noqa: E741
                z, _ = linear_forward(h, self.params[f"W{l}"], self.params[f"b{l}"])
                if l < L:
                    if l % k == 0:
                        self._ckpt[l] = z
                    h = self.phi.fn(z)
            self.stored_bytes = sum(a.nbytes for a in self._ckpt.values())
        self.peak_bytes = self.stored_bytes
        self._cache = (x.shape[0], k)
        return z

    def _segment(self, start: int, end: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Recompute z_{start+1..end} and h_{start..end-1} from the checkpoint at ``start`` (through the layers)."""
        h = self._ckpt[0] if start == 0 else self.phi.fn(self._ckpt[start])
        zs, hs = [], [h]
        for l in range(start + 1, end + 1):  # noqa: E741
            z = self._linear(l).forward(hs[-1])
            zs.append(z)
            if l < end:
                hs.append(self.phi.fn(z))
        return zs, hs

    def backward(self, dout: np.ndarray) -> np.ndarray:
        r"""Backpropagate :math:`\delta_L = \partial L/\partial z_L` (N, C); fill ``grads`` (overwriting) and
        ``deltas``; return :math:`\partial L/\partial x` (N, D)."""
        n, k = self._get_cache()
        if k != self.checkpoint_every:
            raise RuntimeError("MLP.backward: checkpoint_every changed since the forward pass; run forward again")
        L = self.num_layers
        delta = self._check_dout(dout, (n, self.sizes[-1]), self.dtype)
        check_finite(delta, "dout")
        deltas: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        if k is None:
            segments = [(0, L, self.zs, self.hs)]
        else:
            starts = list(range(0, L, k))
            segments = [(s, min(s + k, L), None, None) for s in reversed(starts)]
        grads: dict[str, np.ndarray] = {}
        delta_bytes = 0
        for start, end, zs, hs in segments:
            if zs is None:
                zs, hs = self._segment(start, end)
                recomputed = zs[:-1] if end == L else zs  # the logits z_L are the output, not a stored activation
                live = self.stored_bytes + sum(a.nbytes for a in recomputed) + sum(a.nbytes for a in hs[1:])
            else:
                live = self.stored_bytes
            for l in range(end, start, -1):  # noqa: E741
                deltas[l - 1] = delta
                delta_bytes = delta.nbytes if not self.keep_deltas else delta_bytes + delta.nbytes
                self.peak_bytes = max(self.peak_bytes, live + delta_bytes)
                layer = self.layers[l - 1]
                back = layer.backward(delta)  # W_l^T delta_l, as rows: (N, H_{l-1}); grads delta_l h_{l-1}^T, delta_l
                grads[f"W{l}"], grads[f"b{l}"] = layer.grads["W"], layer.grads["b"]
                if k is not None:
                    layer._cache = None  # the recomputed segment is released as soon as it is used
                if l > 1:
                    z_prev = zs[l - 2 - start] if l - 1 > start else self._ckpt[start]
                    delta = back * self.phi.grad(z_prev)  # delta_{l-1}
                else:
                    dx = back
        self.deltas = deltas if self.keep_deltas else []
        self.grads = {key: grads[key] for key in self.params}  # same order as params
        return dx

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities for inputs ``x`` (N, D).

        Returns
        -------
        ndarray
            Softmax rows (N, C), or P(class 1) of shape (N,) for a network with a single output.
        """
        z = self.forward(x)
        check_finite(z, "logits")  # a diverged network: say so rather than return NaN probabilities
        if z.shape[1] == 1:
            return sigmoid(z[:, 0])
        return softmax(z, axis=1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted class labels (N,) as int64 for inputs ``x`` (N, D)."""
        z = self.forward(x)
        if z.shape[1] == 1:
            return (z[:, 0] > 0).astype(np.int64)
        return z.argmax(axis=1).astype(np.int64)

    def __repr__(self) -> str:
        ck = "" if self.checkpoint_every is None else f", checkpoint_every={self.checkpoint_every}"
        return f"MLP({self.sizes}, activation={self.activation!r}{ck})"


_PIECEWISE_LINEAR = ("relu", "leaky_relu")


def _region_grid(extent: Sequence[float], resolution: int) -> np.ndarray:
    if isinstance(extent, str) or not isinstance(extent, Sequence) or len(extent) != 4:
        raise ValueError(f"extent must be four numbers (xmin, xmax, ymin, ymax), got {extent!r}")
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    if not (np.isfinite([xmin, xmax, ymin, ymax]).all() and xmin < xmax and ymin < ymax):
        raise ValueError(f"extent must be finite with xmin < xmax and ymin < ymax, got {extent!r}")
    check_positive(resolution, "resolution", integer=True)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution))
    return np.column_stack([gx.ravel(), gy.ravel()])


def linear_regions(model: MLP, extent: Sequence[float] = (-1.0, 1.0, -1.0, 1.0), resolution: int = 200) -> np.ndarray:
    """Label every point of a grid over the plane by the linear region of a ReLU network it lies in.

    A network with piecewise-linear activations (ReLU, leaky ReLU) is affine wherever the on/off pattern of its
    hidden units, :math:`[z_l > 0]` for every unit of every hidden layer, stays the same. For a fixed pattern every
    :math:`z_l` is an affine function of :math:`x`, so the inputs sharing a pattern form a convex polygon: a
    **linear region**. Points with the same pattern get the same label.

    Parameters
    ----------
    model : MLP
        A network with two inputs and a ``"relu"`` or ``"leaky_relu"`` activation.
    extent : sequence of 4 floats
        ``(xmin, xmax, ymin, ymax)`` of the grid.
    resolution : int
        Grid points per side (at least 2); regions smaller than the grid spacing may be missed.

    Returns
    -------
    ndarray of int64, shape (resolution, resolution)
        Region labels ``0 .. R-1`` (in order of first appearance); row ``i`` is the ``i``-th y value from
        ``ymin``, column ``j`` the ``j``-th x value from ``xmin``.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    if model.activation not in _PIECEWISE_LINEAR:
        raise ValueError(f"model must use a piecewise-linear activation {_PIECEWISE_LINEAR}, got {model.activation!r}")
    if model.sizes[0] != 2:
        raise ValueError(f"model must take two inputs (a network on the plane), got input size {model.sizes[0]}")
    points = _region_grid(extent, resolution)
    if model.num_layers == 1:
        return np.zeros((resolution, resolution), dtype=np.int64)
    h, patterns = points, []
    for l in range(1, model.num_layers):  # noqa: E741 - the hidden layers
        z, _ = linear_forward(h, model.params[f"W{l}"], model.params[f"b{l}"])
        patterns.append(z > 0)
        h = model.phi.fn(z)
    packed = np.packbits(np.concatenate(patterns, axis=1), axis=1)
    _, first, labels = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    order = np.empty(len(first), dtype=np.int64)
    order[np.argsort(first)] = np.arange(len(first))  # label regions in the order the grid meets them
    return order[labels.ravel()].reshape(resolution, resolution)


def count_linear_regions(model: MLP, extent: Sequence[float] = (-1.0, 1.0, -1.0, 1.0), resolution: int = 200) -> int:
    """Number of linear regions of a ReLU network that a grid over the plane meets.

    Counts the distinct on/off patterns of the hidden units over the grid (see :func:`linear_regions`), a lower
    bound on the regions inside ``extent`` that reaches the true count once the grid is finer than the smallest
    region.

    Parameters
    ----------
    model : MLP
        A network with two inputs and a ``"relu"`` or ``"leaky_relu"`` activation.
    extent : sequence of 4 floats
        ``(xmin, xmax, ymin, ymax)`` of the grid.
    resolution : int
        Grid points per side (at least 2).

    Returns
    -------
    int

    Examples
    --------
    >>> net = MLP([2, 1, 2], rng=0)  # one hidden unit: one line, two regions
    >>> count_linear_regions(net, extent=(-1, 1, -1, 1), resolution=50)
    2
    """
    return int(linear_regions(model, extent, resolution).max()) + 1
