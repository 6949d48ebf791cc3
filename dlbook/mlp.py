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

from dlbook._checks import as_float_array, check_finite, check_ndim, check_positive, get_rng
from dlbook.activations import _sigmoid, get_activation
from dlbook.init import initialize
from dlbook.layers import Module

__all__ = ["MLP"]


class MLP(Module):
    r"""Fully connected network with one activation between layers and logits at the end.

    Parameters
    ----------
    sizes : sequence of int
        ``[D, H_1, ..., C]``: input size, hidden widths, output size (at least two entries).
    activation : str
        Hidden activation, a key of :data:`dlbook.activations.ACTIVATIONS`.
    init : str
        Weight initialization scheme of :mod:`dlbook.init` (biases start at zero).
    rng : numpy.random.Generator or int
        Seed or generator for the weights.
    dtype : numpy dtype
        float64 (default) or float32.
    checkpoint_every : int, optional
        Gradient checkpointing: keep the pre-activation of every k-th layer only and recompute the others in
        :meth:`backward`. ``None`` (default) keeps everything.
    keep_deltas : bool
        Keep the error signals :math:`\delta_l` in :attr:`deltas` after :meth:`backward` (turn off to measure
        memory).

    Attributes
    ----------
    params : dict
        ``"W1", "b1", ..., "WL", "bL"`` with ``W_l`` of shape ``(H_l, H_{l-1})`` and ``b_l`` of shape ``(H_l,)``.
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
        rng: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
        checkpoint_every: int | None = None,
        keep_deltas: bool = True,
    ) -> None:
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
        for i, s in enumerate(sizes):
            check_positive(s, f"sizes[{i}]", integer=True)
        if checkpoint_every is not None:
            check_positive(checkpoint_every, "checkpoint_every", integer=True)
        self.sizes = [int(s) for s in sizes]
        self.activation = activation
        self.phi = get_activation(activation)
        self.checkpoint_every = checkpoint_every
        self.keep_deltas = keep_deltas
        self.dtype = np.dtype(dtype)
        rng = get_rng(rng)
        for l in range(1, len(sizes)):  # noqa: E741 - l is the layer index of the text
            self.params[f"W{l}"] = initialize(init, (self.sizes[l], self.sizes[l - 1]), rng, self.dtype)
            self.params[f"b{l}"] = np.zeros(self.sizes[l], dtype=self.dtype)
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

    def _layer(self, l: int, h: np.ndarray) -> np.ndarray:  # noqa: E741
        return h @ self.params[f"W{l}"].T + self.params[f"b{l}"]  # (N, H_l)

    def _check_input(self, X: np.ndarray) -> np.ndarray:
        X = as_float_array(X, "X")
        check_ndim(X, "X", 2)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (N, {self.sizes[0]}), got {X.shape}")
        check_finite(X, "X")
        return X

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Logits :math:`z_L` of shape (N, C) for inputs ``X`` of shape (N, D)."""
        X = self._check_input(X)
        L, k = self.num_layers, self.checkpoint_every
        self.deltas = []
        h = X
        if k is None:
            self.zs, self.hs = [], [X]
            for l in range(1, L + 1):  # noqa: E741
                z = self._layer(l, h)
                self.zs.append(z)
                if l < L:
                    h = self.phi.fn(z)
                    self.hs.append(h)
            self._ckpt = {}
            self.stored_bytes = sum(a.nbytes for a in self.zs[:-1]) + sum(a.nbytes for a in self.hs)
        else:
            self.zs, self.hs = [], []
            self._ckpt = {0: X}
            for l in range(1, L + 1):  # noqa: E741
                z = self._layer(l, h)
                if l < L:
                    if l % k == 0:
                        self._ckpt[l] = z
                    h = self.phi.fn(z)
            self.stored_bytes = sum(a.nbytes for a in self._ckpt.values())
        self.peak_bytes = self.stored_bytes
        return z

    def _segment(self, start: int, end: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Recompute z_{start+1..end} and h_{start..end-1} from the checkpoint at ``start``."""
        h = self._ckpt[0] if start == 0 else self.phi.fn(self._ckpt[start])
        zs, hs = [], [h]
        for l in range(start + 1, end + 1):  # noqa: E741
            z = self._layer(l, hs[-1])
            zs.append(z)
            if l < end:
                hs.append(self.phi.fn(z))
        return zs, hs

    def backward(self, dlogits: np.ndarray) -> np.ndarray:
        r"""Backpropagate :math:`\delta_L = \partial L/\partial z_L` (N, C); fill ``grads`` (overwriting) and
        ``deltas``; return :math:`\partial L/\partial X` (N, D)."""
        L, k = self.num_layers, self.checkpoint_every
        if (k is None and not self.zs) or (k is not None and not self._ckpt):
            raise RuntimeError("MLP.backward called before forward")
        n = (self.zs[-1] if k is None else self._ckpt[0]).shape[0]
        delta = as_float_array(dlogits, "dlogits")
        if delta.shape != (n, self.sizes[-1]):
            raise ValueError(f"dlogits must have shape ({n}, {self.sizes[-1]}), got {delta.shape}")
        deltas: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        if k is None:
            segments = [(0, L, self.zs, self.hs)]
        else:
            starts = list(range(0, L, k))
            segments = [(s, min(s + k, L), None, None) for s in reversed(starts)]
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
                h_prev = hs[l - 1 - start]
                self.grads[f"W{l}"] = delta.T @ h_prev  # (H_l, H_{l-1}) = sum over the batch of delta_l h_{l-1}^T
                self.grads[f"b{l}"] = delta.sum(axis=0)
                back = delta @ self.params[f"W{l}"]  # W_l^T delta_l, as rows: (N, H_{l-1})
                if l > 1:
                    z_prev = zs[l - 2 - start] if l - 1 > start else self._ckpt[start]
                    delta = back * self.phi.grad(z_prev)  # delta_{l-1}
                else:
                    dX = back
        self.deltas = deltas if self.keep_deltas else []
        self.grads = {key: self.grads[key] for key in self.params}  # same order as params
        return dX

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities: softmax rows (N, C), or P(class 1) of shape (N,) for a single output."""
        z = self.forward(X)
        if z.shape[1] == 1:
            return _sigmoid(z[:, 0])
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class labels (N,) as int64."""
        z = self.forward(X)
        if z.shape[1] == 1:
            return (z[:, 0] > 0).astype(np.int64)
        return z.argmax(axis=1).astype(np.int64)

    def __repr__(self) -> str:
        ck = "" if self.checkpoint_every is None else f", checkpoint_every={self.checkpoint_every}"
        return f"MLP({self.sizes}, activation={self.activation!r}{ck})"
