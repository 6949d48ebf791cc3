r"""Recurrent layers: the vanilla RNN and the LSTM, with backpropagation through time.

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

The models built from these layers (sequence classifiers, character-level language models) are in
:mod:`dlbook.language_models`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import (
    as_float_array,
    check_cache,
    check_choice,
    check_finite,
    check_ndim,
    check_positive,
    check_shape,
    float_dtype,
    get_rng,
)
from dlbook.activations import sigmoid
from dlbook.init import initialize
from dlbook.layers import Module

__all__ = [
    "LSTM",
    "RNN",
    "gradient_norms_through_time",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "rnn_backward",
    "rnn_forward",
]

NONLINEARITIES = ("tanh", "relu")


def _fmt(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_seq(x: Any, D: int) -> np.ndarray:
    x = as_float_array(x, "x")
    if x.ndim != 3 or x.shape[2] != D:
        raise ValueError(f"x must have shape (B, T, {D}), a 3-D batch of sequences, got {_fmt(x.shape)}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must hold at least one sequence of at least one step, got shape {_fmt(x.shape)}")
    check_finite(x, "x")  # as lstm_step does: a NaN would otherwise run silently through every later step
    return x


def _check_state(h: Any, name: str, B: int, H: int, dtype: np.dtype) -> np.ndarray:
    """An initial state of exactly ``(B, H)``: no broadcasting of ``(1, H)`` or ``(H,)``."""
    h = as_float_array(h, name)
    if h.shape != (B, H):
        raise ValueError(f"{name} must have shape (B, H) = {_fmt((B, H))}, got {_fmt(h.shape)}")
    return h.astype(dtype, copy=False)


def _uniform_weights(
    rng: np.random.Generator, H: int, shapes: list[tuple[int, ...]], dtype: DTypeLike
) -> list[np.ndarray]:
    r"""PyTorch's default for recurrent layers: every weight and bias uniform on :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`."""
    return [initialize("uniform", shape, rng, dtype, bound=1.0 / np.sqrt(H)) for shape in shapes]


# --------------------------------------------------------------------------------------------------------------------
# Vanilla RNN
# --------------------------------------------------------------------------------------------------------------------
def _check_weights(W_in: Any, W_hh: Any, b: Any, names: tuple[str, str, str], gates: int) -> tuple[np.ndarray, ...]:
    """The weights of a recurrence as float arrays: W_in (gates*H, D), W_hh (gates*H, H), b (gates*H,)."""
    W_in, W_hh, b = (as_float_array(a, n) for a, n in zip((W_in, W_hh, b), names, strict=True))
    check_ndim(W_hh, names[1], 2)
    H = W_hh.shape[1]
    check_shape(W_hh, names[1], (gates * H, H))
    check_shape(W_in, names[0], (gates * H, None))
    check_shape(b, names[2], (gates * H,))
    return W_in, W_hh, b


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
        Initial state (exactly this shape).
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
    check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    W_xh, W_hh, b = _check_weights(W_xh, W_hh, b, ("W_xh", "W_hh", "b"), 1)
    x = _check_seq(x, W_xh.shape[1])
    B, T, D = x.shape
    H = W_hh.shape[0]
    h0 = _check_state(h0, "h0", B, H, x.dtype)
    xs = np.ascontiguousarray(x.transpose(1, 0, 2))  # (T, B, D)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)  # hs[0] = h0
    hs[0] = h0
    z = (xs.reshape(T * B, D) @ W_xh.T + b).reshape(T, B, H)  # input projections of every step at once
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
    cache : tuple
        From :func:`rnn_forward`.

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
    xs, hs, z, W_xh, W_hh, nonlinearity = check_cache(cache, "cache", 6, "rnn_forward")
    T, B, H = z.shape
    dhs = as_float_array(dhs, "dhs")
    if dhs.shape != (B, T, H):
        raise ValueError(f"dhs must have the shape of the hidden states {_fmt((B, T, H))}, got {_fmt(dhs.shape)}")
    dH = np.array(dhs.transpose(1, 0, 2), dtype=hs.dtype, order="C")  # (T, B, H), a copy
    delta = np.empty_like(dH)
    dh_next = np.zeros((B, H), dtype=hs.dtype)
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
    r"""Vanilla recurrent layer (Elman): ``forward(x (B, T, D), *, state=None) -> hs (B, T, H)``.

    Parameters ``W_xh (H, D)``, ``W_hh (H, H)``, ``b (H,)`` are drawn uniformly from
    :math:`[-1/\sqrt{H}, 1/\sqrt{H}]` (PyTorch's default). ``state`` is the initial hidden state ``h0 (B, H)``
    (zeros if None). After :meth:`backward` (which returns ``dx``), ``self.dh0 (B, H)`` holds the gradient of the
    initial state and ``self.dh_steps (B, T, H)`` the error reaching each hidden state.

    Parameters
    ----------
    input_size, hidden_size : int
        :math:`D` and :math:`H`.
    nonlinearity : {"tanh", "relu"}
    rng, dtype
        Randomness and floating type of the parameters.
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
        check_choice(nonlinearity, "nonlinearity", NONLINEARITIES)
        self.dtype = float_dtype(dtype)
        self.input_size, self.hidden_size, self.nonlinearity = int(input_size), int(hidden_size), nonlinearity
        D, H = self.input_size, self.hidden_size
        W_xh, W_hh, b = _uniform_weights(get_rng(rng), H, [(H, D), (H, H), (H,)], self.dtype)
        self.params.update(W_xh=W_xh, W_hh=W_hh, b=b)
        self.dh0: np.ndarray | None = None
        self.dh_steps: np.ndarray | None = None

    def forward(self, x: np.ndarray, *, state: np.ndarray | None = None) -> np.ndarray:
        x = _check_seq(x, self.input_size).astype(self.dtype, copy=False)
        B = x.shape[0]
        h0 = np.zeros((B, self.hidden_size), self.dtype) if state is None else state
        p = self.params
        hs, self._cache = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b"], self.nonlinearity)
        return hs

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        T, B, H = cache[2].shape
        dout = self._check_dout(dout, (B, T, H), self.dtype)
        dx, self.dh0, dWx, dWh, db, self.dh_steps = rnn_backward(dout, cache)
        self.grads.update(W_xh=dWx, W_hh=dWh, b=db)
        return dx

    def __repr__(self) -> str:
        return f"RNN({self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r})"


# --------------------------------------------------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------------------------------------------------
def lstm_step(
    x_t: np.ndarray, h: np.ndarray, c: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One LSTM step without a cache (for generation).

    Parameters
    ----------
    x_t : (B, D)
    h, c : (B, H)
        The previous hidden and cell states.
    W_ih : (4H, D), W_hh : (4H, H), b : (4H,)
        As in :func:`lstm_forward`.

    Returns
    -------
    h_t, c_t : (B, H)
    gates : (B, 4H)
        The activated :math:`i, f, g, o` side by side.
    """
    W_ih, W_hh, b = _check_weights(W_ih, W_hh, b, ("W_ih", "W_hh", "b"), 4)
    x_t, h, c = (as_float_array(a_, n) for a_, n in ((x_t, "x_t"), (h, "h"), (c, "c")))
    check_ndim(x_t, "x_t", 2)
    check_shape(x_t, "x_t", (None, W_ih.shape[1]))
    check_shape(h, "h", (x_t.shape[0], W_hh.shape[1]))
    check_shape(c, "c", h.shape)
    check_finite(x_t, "x_t")
    H = h.shape[1]
    a = x_t @ W_ih.T + h @ W_hh.T + b  # (B, 4H), all four gates in one product
    a[:, : 2 * H] = sigmoid(a[:, : 2 * H])
    np.tanh(a[:, 2 * H : 3 * H], out=a[:, 2 * H : 3 * H])
    a[:, 3 * H :] = sigmoid(a[:, 3 * H :])
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
    W_ih, W_hh, b = _check_weights(W_ih, W_hh, b, ("W_ih", "W_hh", "b"), 4)
    x = _check_seq(x, W_ih.shape[1])
    B, T, D = x.shape
    H = W_hh.shape[1]
    h0 = _check_state(h0, "h0", B, H, x.dtype)
    c0 = _check_state(c0, "c0", B, H, x.dtype)
    # Inside, the gates are reordered to (i, f, o, g), so that the three sigmoids are one contiguous block, and the
    # sigmoid rows are pre-scaled by 1/2: sigma(a) = (1 + tanh(a/2)) / 2, so ONE tanh over all 4H columns gives
    # every gate, and two in-place operations finish the sigmoids. This fused form equals lstm_step, which uses
    # dlbook.activations.sigmoid (tested).
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
    xs, hs, cs, tcs, G, W_ih, W_hh, idx = check_cache(
        cache, "cache", 8, "lstm_forward"
    )  # G holds the gates in the internal order (i, f, o, g)
    T, B, H4 = G.shape
    H = H4 // 4
    dt = hs.dtype
    dhs = as_float_array(dhs, "dhs")
    if dhs.shape != (B, T, H):
        raise ValueError(f"dhs must have the shape of the hidden states {_fmt((B, T, H))}, got {_fmt(dhs.shape)}")
    if dcT is not None:
        dcT = _check_state(dcT, "dcT", B, H, dt)
    dH = np.array(dhs.transpose(1, 0, 2), dtype=dt, order="C")  # (T, B, H), a copy
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
    r"""Long short-term memory layer :cite:p:`hochreiter1997long`:
    ``forward(x (B, T, D), *, state=None) -> hs (B, T, H)``.

    Parameters ``W_ih (4H, D)``, ``W_hh (4H, H)``, ``b (4H,)`` (gates in PyTorch's order i, f, g, o) are drawn
    uniformly from :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`; the forget gate's bias then gets ``forget_bias`` added (1 is
    a common choice: the cell starts by remembering). ``state`` is the initial ``(h0, c0)``, each ``(B, H)``
    (zeros if None). After :meth:`backward` (which returns ``dx``), ``self.dh0`` and ``self.dc0`` hold the gradients
    of the initial state and ``self.dh_steps (B, T, H)`` the error reaching each hidden state.

    Parameters
    ----------
    input_size, hidden_size : int
        :math:`D` and :math:`H`.
    forget_bias : float
        Added to the forget gate's bias at initialization.
    rng, dtype
        Randomness and floating type of the parameters.
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
        if isinstance(forget_bias, bool) or not isinstance(forget_bias, int | float | np.integer | np.floating):
            raise TypeError(f"forget_bias must be a number, got {forget_bias!r}")
        if not np.isfinite(forget_bias):
            raise ValueError(f"forget_bias must be a finite number, got {forget_bias}")
        self.dtype = float_dtype(dtype)
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        D, H = self.input_size, self.hidden_size
        W_ih, W_hh, b = _uniform_weights(get_rng(rng), H, [(4 * H, D), (4 * H, H), (4 * H,)], np.float64)
        b[H : 2 * H] += forget_bias  # in float64, then cast with the weights
        self.params.update(W_ih=W_ih.astype(self.dtype), W_hh=W_hh.astype(self.dtype), b=b.astype(self.dtype))
        self.dh0: np.ndarray | None = None
        self.dc0: np.ndarray | None = None
        self.dh_steps: np.ndarray | None = None

    def _initial(self, B: int, state: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
        if state is None:
            z = np.zeros((B, self.hidden_size), self.dtype)
            return z, z
        if not isinstance(state, tuple | list) or len(state) != 2:
            raise TypeError(f"state must be a pair (h0, c0) of (B, H) arrays, got {type(state).__name__}")
        H = self.hidden_size
        return _check_state(state[0], "h0", B, H, self.dtype), _check_state(state[1], "c0", B, H, self.dtype)

    def forward(self, x: np.ndarray, *, state: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        x = _check_seq(x, self.input_size).astype(self.dtype, copy=False)
        h0, c0 = self._initial(x.shape[0], state)
        p = self.params
        hs, self._cache = lstm_forward(x, h0, c0, p["W_ih"], p["W_hh"], p["b"])
        return hs

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        T, B, H4 = cache[4].shape
        dout = self._check_dout(dout, (B, T, H4 // 4), self.dtype)
        dx, self.dh0, self.dc0, dWi, dWh, db, self.dh_steps = lstm_backward(dout, cache)
        self.grads.update(W_ih=dWi, W_hh=dWh, b=db)
        return dx

    def step(
        self, x_t: np.ndarray, state: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Advance one step (no cache, for generation).

        Parameters
        ----------
        x_t : (B, D)
        state : (h, c), each (B, H), optional
            Zeros if None.

        Returns
        -------
        h_t : (B, H)
        state : (h_t, c_t)
        """
        x_t = as_float_array(x_t, "x_t")
        if x_t.ndim != 2 or x_t.shape[1] != self.input_size:
            raise ValueError(f"x_t must have shape (B, {self.input_size}), got {_fmt(x_t.shape)}")
        x_t = x_t.astype(self.dtype, copy=False)
        h, c = self._initial(x_t.shape[0], state)
        p = self.params
        h, c, _ = lstm_step(x_t, h, c, p["W_ih"], p["W_hh"], p["b"])
        return h, (h, c)

    def __repr__(self) -> str:
        return f"LSTM({self.input_size}, {self.hidden_size})"


# --------------------------------------------------------------------------------------------------------------------
# A measurement on the layers: how far the error travels back in time
# --------------------------------------------------------------------------------------------------------------------
def gradient_norms_through_time(
    layer: RNN | LSTM, x: np.ndarray, rng: np.random.Generator | int | None = 0
) -> np.ndarray:
    r"""How much error from the last step reaches each earlier hidden state.

    Runs ``layer`` (an :class:`RNN` or :class:`LSTM`) on ``x (B, T, D)``, puts a random unit vector :math:`u` on
    :math:`h_T` only, and backpropagates: :math:`\bar h_t = u^\top \partial h_T / \partial h_t`.

    Parameters
    ----------
    layer : RNN or LSTM
    x : (B, T, D)
    rng : numpy.random.Generator or int
        Draws :math:`u` (seed 0 by default, so the measurement repeats).

    Returns
    -------
    norms : (T,)
        The mean over the batch of :math:`\lVert \bar h_t \rVert`, indexed by :math:`t` (so ``norms[-1] = 1``).
    """
    if not isinstance(layer, RNN | LSTM):
        raise TypeError(f"layer must be a dlbook.rnn.RNN or LSTM, got {type(layer).__name__}")
    hs = layer.forward(x)
    u = get_rng(rng).standard_normal(hs.shape[::2])  # (B, H)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    dhs = np.zeros_like(hs)
    dhs[:, -1] = u
    layer.backward(dhs)
    return np.linalg.norm(layer.dh_steps, axis=2).mean(axis=0)
