r"""Recurrent networks: the vanilla RNN and the LSTM, with backpropagation through time, and embeddings.

A recurrent layer reads a sequence :math:`x_1, \dots, x_T` one step at a time and keeps a hidden state, updated by the
same weights at every step (weight sharing across time). The vanilla RNN:

.. math:: h_t = \tanh(W_{xh} x_t + W_{hh} h_{t-1} + b).

The LSTM adds a cell state :math:`c_t` and gates. With :math:`a_t = W_{ih} x_t + W_{hh} h_{t-1} + b` split into four
blocks (PyTorch's order: input, forget, candidate, output),

.. math::

    i_t = \sigma(a^i_t),\quad f_t = \sigma(a^f_t),\quad g_t = \tanh(a^g_t),\quad o_t = \sigma(a^o_t),\\
    c_t = f_t \odot c_{t-1} + i_t \odot g_t,\qquad h_t = o_t \odot \tanh(c_t).

Sequences are batch-first, ``x : (B, T, D)``, as in ``torch.nn.LSTM(batch_first=True)``; inside, the arrays are
stored time-major so that every step reads a contiguous slice. The LSTM is written for speed: one matrix product
computes the input projections of all time steps at once, one fused product per step computes all four gates, and
the weight gradients are two matrix products over all steps at the end of the backward pass.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_choice, check_ndim, check_positive, get_rng
from dlbook.layers import Linear, Module

__all__ = [
    "GATE_TABLE",
    "LSTM",
    "RNN",
    "CharLM",
    "Embedding",
    "SequenceClassifier",
    "TrainLog",
    "embedding_backward",
    "embedding_forward",
    "fit_sequence_classifier",
    "gradient_norms_through_time",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "recall_task",
    "train_char_lstm",
    "rnn_backward",
    "rnn_forward",
    "sigmoid_inplace",
]


_CONTROLLER: list = []


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """Run the time loop's small matrix products on one BLAS thread.

    Each step multiplies a (B, H) state by an (H, 4H) matrix: too small for threads to pay off, and on a busy
    machine waiting threads cost far more than they save. The large products outside the loop keep every thread.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def sigmoid_inplace(a: np.ndarray) -> np.ndarray:
    r"""Overwrite ``a`` with :math:`\sigma(a) = \tfrac12(1 + \tanh(a/2))`, which never overflows, and return it."""
    a *= 0.5
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


# --------------------------------------------------------------------------------------------------------------------
# Embedding
# --------------------------------------------------------------------------------------------------------------------
def _as_ids(ids: np.ndarray, name: str, vocab: int) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.dtype.kind == "f":
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integer token ids, got non-integer values")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer token ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= vocab):
        raise ValueError(f"{name} must hold ids in [0, {vocab}), got values from {arr.min()} to {arr.max()}")
    return arr


def embedding_forward(ids: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Look up rows of the table: ``out[..., :] = W[ids[...]]``.

    Parameters
    ----------
    ids : (...) int
        Token ids.
    W : (V, D)
        One vector per token.

    Returns
    -------
    out : (..., D)
    cache : tuple
    """
    return W[ids], (ids, W.shape)


def embedding_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Gradient of the table: each row receives the sum of the gradients of the positions that looked it up.

    Returns
    -------
    dW : (V, D)
    """
    ids, shape = cache
    dW = np.zeros(shape, dtype=dout.dtype)
    np.add.at(dW, ids.ravel(), dout.reshape(-1, shape[1]))
    return dW


class Embedding(Module):
    """A table of learned vectors, one per token: ``forward(ids (B, T)) -> (B, T, D)``.

    Parameters
    ----------
    num_embeddings : int
        Vocabulary size :math:`V`.
    dim : int
        Vector size :math:`D`.
    std : float
        Standard deviation of the normal initialization (PyTorch uses 1, GPT-2 0.02).
    rng, dtype
        Randomness and floating type of the table.
    """

    def __init__(
        self,
        num_embeddings: int,
        dim: int,
        std: float = 1.0,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(num_embeddings, "num_embeddings", integer=True)
        check_positive(dim, "dim", integer=True)
        self.num_embeddings, self.dim = int(num_embeddings), int(dim)
        self.params["W"] = (get_rng(rng).standard_normal((num_embeddings, dim)) * std).astype(dtype)

    def forward(self, ids: np.ndarray) -> np.ndarray:
        ids = _as_ids(ids, "ids", self.num_embeddings)
        out, self._cache = embedding_forward(ids, self.params["W"])
        return out

    def backward(self, dout: np.ndarray) -> None:
        """Set ``grads["W"]`` (overwriting); token ids have no gradient, so this returns ``None``."""
        self.grads["W"] = embedding_backward(np.asarray(dout, dtype=self.params["W"].dtype), self._cache)
        return None

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.dim})"


# --------------------------------------------------------------------------------------------------------------------
# Vanilla RNN
# --------------------------------------------------------------------------------------------------------------------
def _check_seq(x: np.ndarray, D: int) -> np.ndarray:
    x = as_float_array(x, "x")
    check_ndim(x, "x", 3)
    if x.shape[2] != D:
        raise ValueError(f"x must have shape (B, T, {D}), got {x.shape}")
    return x


def rnn_forward(
    x: np.ndarray,
    h0: np.ndarray,
    W_xh: np.ndarray,
    W_hh: np.ndarray,
    b: np.ndarray,
    nonlinearity: str = "tanh",
) -> tuple[np.ndarray, tuple]:
    r"""Run :math:`h_t = \phi(W_{xh} x_t + W_{hh} h_{t-1} + b)` over a whole sequence.

    Parameters
    ----------
    x : (B, T, D)
        Inputs.
    h0 : (B, H)
        Initial state.
    W_xh : (H, D), W_hh : (H, H), b : (H,)
        The weights, shared by every time step.
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    hs : (B, T, H)
        The hidden states :math:`h_1, \dots, h_T`.
    cache : tuple
        For :func:`rnn_backward`.
    """
    B, T, D = x.shape
    H = W_hh.shape[0]
    xs = np.ascontiguousarray(x.transpose(1, 0, 2))  # (T, B, D)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)  # hs[0] = h0
    hs[0] = h0
    z = (xs.reshape(T * B, D) @ W_xh.T + b).reshape(T, B, H)  # input projections of every step at once
    with _one_blas_thread():
        for t in range(T):
            zt = z[t]
            zt += hs[t] @ W_hh.T
            if nonlinearity == "tanh":
                np.tanh(zt, out=hs[t + 1])
            else:
                np.maximum(zt, 0, out=hs[t + 1])
    cache = (xs, hs, z, W_xh, W_hh, nonlinearity)
    return np.ascontiguousarray(hs[1:].transpose(1, 0, 2)), cache


def rnn_backward(dhs: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    r"""Backpropagation through time for :func:`rnn_forward`.

    Walking back from :math:`t = T`, the error reaching :math:`h_t` is the gradient from the output at :math:`t`
    plus what flows back from step :math:`t+1`: :math:`\bar h_t = \partial L/\partial h_t + W_{hh}^\top \delta_{t+1}`,
    and :math:`\delta_t = \bar h_t \odot \phi'(z_t)`. The shared weights collect the sum over steps.

    Parameters
    ----------
    dhs : (B, T, H)
        :math:`\partial L/\partial h_t` from whatever reads the states.

    Returns
    -------
    dx : (B, T, D)
    dh0 : (B, H)
    dW_xh : (H, D)
    dW_hh : (H, H)
    db : (H,)
    dh_steps : (B, T, H)
        The total error :math:`\bar h_t` reaching each hidden state (what vanishes or explodes).
    """
    xs, hs, z, W_xh, W_hh, nonlinearity = cache
    T, B, H = z.shape
    dH = np.array(np.asarray(dhs).transpose(1, 0, 2), dtype=hs.dtype, order="C")  # (T, B, H), a copy
    delta = np.empty_like(dH)
    dh_next = np.zeros((B, H), dtype=hs.dtype)
    with _one_blas_thread():
        for t in range(T - 1, -1, -1):
            dh = dH[t]
            dh += dh_next  # dH now holds the total error reaching h_t
            if nonlinearity == "tanh":
                np.multiply(dh, 1.0 - hs[t + 1] ** 2, out=delta[t])
            else:
                np.multiply(dh, z[t] > 0, out=delta[t])
            dh_next = delta[t] @ W_hh
    flat = delta.reshape(T * B, H)
    dW_xh = flat.T @ xs.reshape(T * B, -1)
    dW_hh = flat.T @ hs[:-1].reshape(T * B, H)
    db = flat.sum(axis=0)
    dx = (flat @ W_xh).reshape(T, B, -1).transpose(1, 0, 2)
    return dx, dh_next, dW_xh, dW_hh, db, dH.transpose(1, 0, 2)


class RNN(Module):
    r"""Vanilla recurrent layer (Elman): ``forward(x (B, T, D)) -> hs (B, T, H)``.

    Parameters ``W_xh (H, D)``, ``W_hh (H, H)``, ``b (H,)`` are drawn uniformly from
    :math:`[-1/\sqrt{H}, 1/\sqrt{H}]` (PyTorch's default). The initial state is ``self.h0`` if set, else zeros.
    After :meth:`backward`, ``dh_steps (B, T, H)`` holds the error reaching each hidden state.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        nonlinearity: str = "tanh",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(input_size, "input_size", integer=True)
        check_positive(hidden_size, "hidden_size", integer=True)
        check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        self.input_size, self.hidden_size, self.nonlinearity = int(input_size), int(hidden_size), nonlinearity
        rng, k = get_rng(rng), 1.0 / np.sqrt(hidden_size)
        self.params["W_xh"] = rng.uniform(-k, k, (hidden_size, input_size)).astype(dtype)
        self.params["W_hh"] = rng.uniform(-k, k, (hidden_size, hidden_size)).astype(dtype)
        self.params["b"] = rng.uniform(-k, k, hidden_size).astype(dtype)
        self.h0: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_seq(x, self.input_size).astype(self.params["W_hh"].dtype, copy=False)
        h0 = np.zeros((x.shape[0], self.hidden_size), x.dtype) if self.h0 is None else self.h0
        p = self.params
        hs, self._cache = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b"], self.nonlinearity)
        return hs

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, self.dh0, dWx, dWh, db, self.dh_steps = rnn_backward(dout, self._cache)
        self.grads.update(W_xh=dWx, W_hh=dWh, b=db)
        return dx

    def __repr__(self) -> str:
        return f"RNN({self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r})"


# --------------------------------------------------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------------------------------------------------
#: The LSTM's gates as the chapter tabulates them: (symbol, name, formula in LaTeX, role).
GATE_TABLE: list[tuple[str, str, str, str]] = [
    ("f_t", "forget", r"\sigma(W_f [h_{t-1}, x_t] + b_f)", "what to erase from the cell state"),
    ("i_t", "input", r"\sigma(W_i [h_{t-1}, x_t] + b_i)", "what to write to the cell state"),
    ("g_t", "candidate", r"\tanh(W_g [h_{t-1}, x_t] + b_g)", "the values that may be written"),
    ("o_t", "output", r"\sigma(W_o [h_{t-1}, x_t] + b_o)", "what to expose as the hidden state"),
]


def lstm_step(
    x_t: np.ndarray, h: np.ndarray, c: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One LSTM step without a cache (for generation): returns ``(h_t, c_t, gates (B, 4H))``.

    ``gates`` holds the activated :math:`i, f, g, o` side by side.
    """
    H = h.shape[1]
    a = x_t @ W_ih.T + h @ W_hh.T + b  # (B, 4H), all four gates in one product
    sigmoid_inplace(a[:, : 2 * H])
    np.tanh(a[:, 2 * H : 3 * H], out=a[:, 2 * H : 3 * H])
    sigmoid_inplace(a[:, 3 * H :])
    c = a[:, H : 2 * H] * c + a[:, :H] * a[:, 2 * H : 3 * H]
    return a[:, 3 * H :] * np.tanh(c), c, a


def lstm_forward(
    x: np.ndarray, h0: np.ndarray, c0: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple]:
    r"""Run an LSTM over a sequence.

    Parameters
    ----------
    x : (B, T, D)
    h0, c0 : (B, H)
        Initial hidden and cell states.
    W_ih : (4H, D), W_hh : (4H, H), b : (4H,)
        Gate weights stacked in PyTorch's order (input, forget, candidate, output); ``b`` plays the role of
        PyTorch's ``b_ih + b_hh``.

    Returns
    -------
    hs : (B, T, H)
    cache : tuple
        For :func:`lstm_backward`; ``cache[2][-1]`` is the last cell state.
    """
    B, T, D = x.shape
    H = W_hh.shape[1]
    # Inside, the gates are reordered to (i, f, o, g), so that the three sigmoids are one contiguous block, and the
    # sigmoid rows are pre-scaled by 1/2: sigma(a) = (1 + tanh(a/2)) / 2, so ONE tanh over all 4H columns gives
    # every gate, and two in-place operations finish the sigmoids.
    idx = _internal_order(H)
    scale = np.ones(4 * H, dtype=x.dtype)
    scale[: 3 * H] = 0.5
    WhhT = (W_hh[idx] * scale[:, None]).T
    xs = np.ascontiguousarray(x.transpose(1, 0, 2))  # (T, B, D)
    G = (xs.reshape(T * B, D) @ (W_ih[idx] * scale[:, None]).T).reshape(T, B, 4 * H)  # all steps' inputs at once
    G += b[idx] * scale
    hs = np.empty((T + 1, B, H), dtype=x.dtype)  # hs[0] = h0
    cs = np.empty((T + 1, B, H), dtype=x.dtype)  # cs[0] = c0
    tcs = np.empty((T, B, H), dtype=x.dtype)  # tanh(c_t)
    hs[0], cs[0] = h0, c0
    rec = np.empty((B, 4 * H), dtype=x.dtype)
    ig = np.empty((B, H), dtype=x.dtype)
    with _one_blas_thread():
        for t in range(T):
            a = G[t]
            np.matmul(hs[t], WhhT, out=rec)  # all four gates in one product
            a += rec
            np.tanh(a, out=a)  # tanh(a_i/2), tanh(a_f/2), tanh(a_o/2), tanh(a_g)
            s3 = a[:, : 3 * H]
            s3 *= 0.5
            s3 += 0.5  # the sigmoids i, f, o
            c = cs[t + 1]
            np.multiply(a[:, H : 2 * H], cs[t], out=c)  # f * c_{t-1}
            np.multiply(a[:, :H], a[:, 3 * H :], out=ig)  # i * g
            c += ig
            np.tanh(c, out=tcs[t])
            np.multiply(a[:, 2 * H : 3 * H], tcs[t], out=hs[t + 1])  # o * tanh(c_t)
    cache = (xs, hs, cs, tcs, G, W_ih, W_hh, idx)
    return np.ascontiguousarray(hs[1:].transpose(1, 0, 2)), cache


def _internal_order(H: int) -> np.ndarray:
    """Row indices taking PyTorch's gate order (i, f, g, o) to the internal order (i, f, o, g)."""
    return np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])


def lstm_backward(
    dhs: np.ndarray, cache: tuple, dcT: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Backpropagation through time for :func:`lstm_forward`.

    Per step, going backwards, with :math:`\bar h_t` the total error reaching :math:`h_t` and :math:`\bar c_t`
    that reaching :math:`c_t`:

    .. math::

        \bar c_t = \bar c_{t+1} \odot f_{t+1} + \bar h_t \odot o_t \odot (1 - \tanh^2 c_t),\\
        \delta^o = \bar h_t \odot \tanh c_t \odot o(1-o),\ \delta^i = \bar c_t \odot g \odot i(1-i),\
        \delta^f = \bar c_t \odot c_{t-1} \odot f(1-f),\ \delta^g = \bar c_t \odot i \odot (1-g^2),

    and :math:`\bar h_{t-1} = \partial L/\partial h_{t-1} + W_{hh}^\top \delta_t`. The cell path multiplies by
    :math:`f` only: no weight matrix and no squashing, which is why its error can travel far.

    Returns
    -------
    dx : (B, T, D)
    dh0, dc0 : (B, H)
    dW_ih : (4H, D)
    dW_hh : (4H, H)
    db : (4H,)
    dh_steps : (B, T, H)
        The total error reaching each hidden state.
    """
    xs, hs, cs, tcs, G, W_ih, W_hh, idx = cache  # G holds the gates in the internal order (i, f, o, g)
    T, B, H4 = G.shape
    H = H4 // 4
    dt = hs.dtype
    dH = np.array(np.asarray(dhs).transpose(1, 0, 2), dtype=dt, order="C")  # (T, B, H), a copy
    dA = np.empty((T, B, H4), dtype=dt)
    # Local derivatives of every gate at every step, in bulk before the loop: s(1 - s) for the sigmoids i, f, o,
    # 1 - g^2 for the candidate, and o (1 - tanh(c)^2) for the way h_t moves with c_t.
    dG = np.subtract(1.0, G, dtype=dt)
    dG *= G
    gs = G[:, :, 3 * H :]
    np.multiply(gs, gs, out=dG[:, :, 3 * H :])
    np.subtract(1.0, dG[:, :, 3 * H :], out=dG[:, :, 3 * H :])
    dtc = np.multiply(tcs, tcs)
    np.subtract(1.0, dtc, out=dtc)
    dtc *= G[:, :, 2 * H : 3 * H]
    W_hh_int = np.ascontiguousarray(W_hh[idx])
    dh_next = np.zeros((B, H), dtype=dt)
    dc = np.zeros((B, H), dtype=dt) if dcT is None else np.array(dcT, dtype=dt)
    tmp = np.empty((B, H), dtype=dt)
    with _one_blas_thread():
        for t in range(T - 1, -1, -1):
            g = G[t]
            dh = dH[t]
            dh += dh_next  # the total error reaching h_t
            np.multiply(dh, dtc[t], out=tmp)
            dc += tmp  # the total error reaching c_t
            da = dA[t]
            np.multiply(dc, g[:, 3 * H :], out=da[:, :H])  # input gate: dc * g
            np.multiply(dc, cs[t], out=da[:, H : 2 * H])  # forget gate: dc * c_{t-1}
            np.multiply(dh, tcs[t], out=da[:, 2 * H : 3 * H])  # output gate: dh * tanh(c_t)
            np.multiply(dc, g[:, :H], out=da[:, 3 * H :])  # candidate: dc * i
            da *= dG[t]  # through each gate's nonlinearity: delta_t
            dc *= g[:, H : 2 * H]  # error carried to c_{t-1} along the cell path: times f_t
            dh_next = da @ W_hh_int
    flat = dA.reshape(T * B, H4)
    dW_ih, dW_hh, db = np.empty_like(W_ih), np.empty_like(W_hh), np.empty(H4, dtype=dt)
    dW_ih[idx] = flat.T @ xs.reshape(T * B, -1)  # back to PyTorch's order
    dW_hh[idx] = flat.T @ hs[:-1].reshape(T * B, H)
    db[idx] = flat.sum(axis=0)
    dx = (flat @ W_ih[idx]).reshape(T, B, -1).transpose(1, 0, 2)
    return dx, dh_next, dc, dW_ih, dW_hh, db, dH.transpose(1, 0, 2)


class LSTM(Module):
    r"""Long short-term memory layer :cite:p:`hochreiter1997long`: ``forward(x (B, T, D)) -> hs (B, T, H)``.

    Parameters ``W_ih (4H, D)``, ``W_hh (4H, H)``, ``b (4H,)`` (gates in PyTorch's order i, f, g, o) are drawn
    uniformly from :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`; the forget gate's bias then gets ``forget_bias`` added (1 is
    a common choice: the cell starts by remembering). The initial state is ``(self.h0, self.c0)`` if set, else
    zeros. After :meth:`backward`, ``dh_steps (B, T, H)`` holds the error reaching each hidden state.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        forget_bias: float = 1.0,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(input_size, "input_size", integer=True)
        check_positive(hidden_size, "hidden_size", integer=True)
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        H, rng, k = self.hidden_size, get_rng(rng), 1.0 / np.sqrt(hidden_size)
        self.params["W_ih"] = rng.uniform(-k, k, (4 * H, input_size)).astype(dtype)
        self.params["W_hh"] = rng.uniform(-k, k, (4 * H, H)).astype(dtype)
        b = rng.uniform(-k, k, 4 * H)
        b[H : 2 * H] += forget_bias
        self.params["b"] = b.astype(dtype)
        self.h0: np.ndarray | None = None
        self.c0: np.ndarray | None = None

    def _state(self, B: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        z = np.zeros((B, self.hidden_size), dtype)
        return (z if self.h0 is None else self.h0), (z if self.c0 is None else self.c0)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_seq(x, self.input_size).astype(self.params["W_hh"].dtype, copy=False)
        h0, c0 = self._state(x.shape[0], x.dtype)
        p = self.params
        hs, self._cache = lstm_forward(x, h0, c0, p["W_ih"], p["W_hh"], p["b"])
        return hs

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, self.dh0, self.dc0, dWi, dWh, db, self.dh_steps = lstm_backward(dout, self._cache)
        self.grads.update(W_ih=dWi, W_hh=dWh, b=db)
        return dx

    def step(
        self, x_t: np.ndarray, state: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Advance one step (no cache, for generation): ``x_t (B, D)`` -> ``(h_t, (h_t, c_t))``."""
        x_t = np.asarray(x_t, dtype=self.params["W_hh"].dtype)
        h, c = self._state(x_t.shape[0], x_t.dtype) if state is None else state
        p = self.params
        h, c, _ = lstm_step(x_t, h, c, p["W_ih"], p["W_hh"], p["b"])
        return h, (h, c)

    def __repr__(self) -> str:
        return f"LSTM({self.input_size}, {self.hidden_size})"


# --------------------------------------------------------------------------------------------------------------------
# Models built from the layers
# --------------------------------------------------------------------------------------------------------------------
def _make_cell(
    cell: str, D: int, H: int, rng: np.random.Generator, dtype: DTypeLike, forget_bias: float = 1.0
) -> Module:
    check_choice(cell, "cell", ("rnn", "lstm"))
    if cell == "lstm":
        return LSTM(D, H, forget_bias=forget_bias, rng=rng, dtype=dtype)
    return RNN(D, H, rng=rng, dtype=dtype)


class SequenceClassifier(Module):
    """Embedding, a recurrent layer, and a linear read-out of the **last** hidden state.

    ``forward(ids (B, T)) -> logits (B, C)``.

    Parameters
    ----------
    vocab_size, embed_dim, hidden_size, num_classes : int
    cell : {"lstm", "rnn"}
    forget_bias : float
        Added to the LSTM's forget-gate bias at initialization (ignored for the RNN).
    rng, dtype
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        hidden_size: int,
        num_classes: int,
        cell: str = "lstm",
        forget_bias: float = 1.0,
        rng: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        rng = get_rng(rng)
        self.embed = Embedding(vocab_size, embed_dim, rng=rng, dtype=dtype)
        self.rnn = _make_cell(cell, embed_dim, hidden_size, rng, dtype, forget_bias)
        self.head = Linear(hidden_size, num_classes, init="xavier", rng=rng, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.embed, self.rnn, self.head]

    def forward(self, ids: np.ndarray) -> np.ndarray:
        self._hs = self.rnn.forward(self.embed.forward(ids))
        return self.head.forward(self._hs[:, -1])

    def backward(self, dlogits: np.ndarray) -> None:
        dhs = np.zeros_like(self._hs)
        dhs[:, -1] = self.head.backward(dlogits)
        self.embed.backward(self.rnn.backward(dhs))
        return None


class CharLM(Module):
    """A recurrent character-level language model: embedding, RNN or LSTM, linear read-out at every step.

    ``forward(ids (B, T)) -> logits (B, T, V)``: the logits at ``t`` score the character following ``ids[:, t]``.
    :meth:`step` advances one character at a time for generation.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 256,
        cell: str = "lstm",
        rng: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        rng = get_rng(rng)
        self.vocab_size = int(vocab_size)
        self.embed = Embedding(vocab_size, embed_dim, rng=rng, dtype=dtype)
        self.rnn = _make_cell(cell, embed_dim, hidden_size, rng, dtype)
        self.head = Linear(hidden_size, vocab_size, init="xavier", rng=rng, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.embed, self.rnn, self.head]

    def forward(self, ids: np.ndarray) -> np.ndarray:
        hs = self.rnn.forward(self.embed.forward(ids))  # (B, T, H)
        B, T, H = hs.shape
        return self.head.forward(hs.reshape(B * T, H)).reshape(B, T, -1)

    def backward(self, dlogits: np.ndarray) -> None:
        B, T, V = dlogits.shape
        dh = self.head.backward(dlogits.reshape(B * T, V)).reshape(B, T, -1)
        self.embed.backward(self.rnn.backward(dh))
        return None

    def step(self, ids_t: np.ndarray, state: object = None) -> tuple[np.ndarray, object]:
        """Logits ``(B, V)`` for the next character after ``ids_t (B,)``, and the new state (LSTM only)."""
        if not isinstance(self.rnn, LSTM):
            raise ValueError("step needs an LSTM cell")
        x = self.params_embed()[np.asarray(ids_t, dtype=np.int64)]
        h, state = self.rnn.step(x, state)
        return h @ self.head.params["W"].T + self.head.params["b"], state

    def params_embed(self) -> np.ndarray:
        """The embedding table ``(V, D)``."""
        return self.embed.params["W"]


# --------------------------------------------------------------------------------------------------------------------
# Measurements and a long-range memory task
# --------------------------------------------------------------------------------------------------------------------
def gradient_norms_through_time(layer: Module, x: np.ndarray, rng: np.random.Generator | int | None = 0) -> np.ndarray:
    r"""How much error from the last step reaches each earlier hidden state.

    Runs ``layer`` (an :class:`RNN` or :class:`LSTM`) on ``x (B, T, D)``, puts a random unit vector :math:`u` on
    :math:`h_T` only, and backpropagates: :math:`\bar h_t = u^\top \partial h_T / \partial h_t`.

    Returns
    -------
    norms : (T,)
        The mean over the batch of :math:`\lVert \bar h_t \rVert`, indexed by :math:`t` (so ``norms[-1] = 1``).
    """
    hs = layer.forward(x)
    u = get_rng(rng).standard_normal(hs.shape[::2])  # (B, H)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    dhs = np.zeros_like(hs)
    dhs[:, -1] = u
    layer.backward(dhs)
    return np.linalg.norm(layer.dh_steps, axis=2).mean(axis=0)


def recall_task(
    n: int, T: int, n_symbols: int = 4, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose label is their first token: remember a symbol across ``T - 1`` distractors.

    Token ``0 .. n_symbols - 1`` opens each sequence (the symbol to recall); the next ``T - 1`` tokens are drawn
    from ``n_symbols`` other distractor tokens (ids ``n_symbols .. 2 n_symbols - 1``). The vocabulary thus has
    ``2 * n_symbols`` tokens and chance accuracy is ``1 / n_symbols``.

    Returns
    -------
    ids : (n, T) int64
    y : (n,) int64
    """
    check_positive(n, "n", integer=True)
    check_positive(T, "T", integer=True)
    rng = get_rng(rng)
    y = rng.integers(0, n_symbols, size=n)
    ids = rng.integers(n_symbols, 2 * n_symbols, size=(n, T))
    ids[:, 0] = y
    return ids, y


@dataclass
class TrainLog:
    """What a training run records: ``steps`` at which the losses were measured, train and validation losses (and
    accuracies where they apply), and the wall-clock seconds since the start."""

    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)


def fit_sequence_classifier(
    model: Module,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    steps: int = 300,
    batch_size: int = 64,
    lr: float = 1e-2,
    clip: float = 1.0,
    eval_every: int = 50,
    rng: np.random.Generator | int | None = 0,
    callback: Callable[[int, TrainLog], bool] | None = None,
) -> TrainLog:
    """Train a classifier of sequences with Adam and gradient-norm clipping; returns a :class:`TrainLog`.

    Each step draws a mini-batch, runs forward, softmax cross-entropy, backward, ``clip_grad_norm`` and an Adam
    step. Every ``eval_every`` steps the validation loss and accuracy are recorded; ``callback(step, log)``
    returning True stops early.
    """
    from dlbook.losses import softmax_cross_entropy
    from dlbook.optim import Adam, clip_grad_norm

    rng = get_rng(rng)
    opt = Adam(model, lr=lr)
    log, t0, recent = TrainLog(), time.perf_counter(), []
    for step in range(1, steps + 1):
        idx = rng.integers(0, len(X), size=batch_size)
        loss, dlogits = softmax_cross_entropy(model.forward(X[idx]), y[idx])
        model.backward(dlogits)
        clip_grad_norm(model, clip)
        opt.step()
        recent.append(loss)
        if step % eval_every == 0 or step == steps:
            logits = model.forward(X_val)
            vloss, _ = softmax_cross_entropy(logits, y_val)
            log.steps.append(step)
            log.train_loss.append(float(np.mean(recent)))
            log.val_loss.append(float(vloss))
            log.val_acc.append(float(np.mean(logits.argmax(axis=1) == y_val)))
            log.time.append(time.perf_counter() - t0)
            recent = []
            if callback is not None and callback(step, log):
                break
    return log


def train_char_lstm(
    vocab_size: int,
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    steps: int = 400,
    hidden_size: int = 128,
    rng: int = 0,
) -> tuple[CharLM, Any]:
    """The course's character-level LSTM, trained the same way wherever the book needs it.

    A :class:`CharLM` (embedding 32, LSTM ``hidden_size``, float32) trained by
    :func:`dlbook.text.train_language_model` on windows of 64 characters, batches of 32, Adam (lr 3e-3) and
    clipping at norm 1. Returns ``(model, history)``.
    """
    from dlbook.text import train_language_model

    model = CharLM(vocab_size, 32, hidden_size, cell="lstm", rng=rng, dtype=np.float32)
    hist = train_language_model(
        model, train_ids, val_ids, steps=steps, batch_size=32, seq_len=64, lr=3e-3, clip=1.0, eval_every=25, rng=rng
    )
    return model, hist
