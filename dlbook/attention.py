r"""Attention: scaled dot-product and additive attention, masks, positional encodings, multi-head attention, the
position-wise feed-forward network and the Transformer block.

Scaled dot-product attention of queries :math:`Q`, keys :math:`K` and values :math:`V`:

.. math:: \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}} + M\right) V,

where the mask :math:`M` is 0 where attending is allowed and :math:`-\infty` elsewhere. Masks here are boolean
arrays, ``True`` where attending is **allowed** (the convention of
``torch.nn.functional.scaled_dot_product_attention``), broadcast against the scores ``(..., T_q, T_k)``.

Two conventions, the same in every function here and the same as PyTorch's:

* **Causal masks are top-left aligned**: query :math:`i` may attend to keys :math:`j \le i`, the mask
  ``tril(ones(T_q, T_k))``, whatever the lengths (``is_causal=True`` in PyTorch).
* **A fully masked row gives zeros**: a query allowed to attend to no key at all gets the output 0 (and gradient 0),
  as PyTorch's CPU ``scaled_dot_product_attention`` returns for a boolean mask that blocks a whole row, instead of
  the :math:`0/0` of the formula.

The language models built from these layers (GPT, BERT, the sequence-to-sequence model) are in
:mod:`dlbook.language_models`. Shapes follow nanoGPT's comments: ``B`` batch, ``T`` sequence length, ``h`` heads,
``d`` model width, ``d_k = d / h`` per head.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_cache, check_ndim, check_positive, check_shape, float_dtype, get_rng
from dlbook.activations import get_activation
from dlbook.init import initialize
from dlbook.layers import Linear, Module
from dlbook.normalization import LayerNorm

__all__ = [
    "AdditiveAttention",
    "FeedForward",
    "LearnedPositionalEncoding",
    "MultiHeadAttention",
    "SinusoidalPositionalEncoding",
    "TransformerBlock",
    "additive_attention_backward",
    "additive_attention_forward",
    "attention_backward",
    "causal_mask",
    "chunked_attention",
    "chunked_attention_backward",
    "padding_mask",
    "scaled_dot_product_attention",
    "sinusoidal_positional_encoding",
]


def _fmt(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


# --------------------------------------------------------------------------------------------------------------------
# Masks and the softmax
# --------------------------------------------------------------------------------------------------------------------
def causal_mask(T: int, T_k: int | None = None) -> np.ndarray:
    """Boolean ``(T, T_k)`` mask, True on and below the diagonal: query ``i`` may attend to key ``j <= i``.

    Top-left aligned for unequal lengths, ``tril(ones(T, T_k))``, as PyTorch's ``is_causal=True``.

    Parameters
    ----------
    T : int
        Number of queries.
    T_k : int, optional
        Number of keys (default ``T``).

    Returns
    -------
    mask : (T, T_k) bool
    """
    check_positive(T, "T", integer=True)
    T_k = T if T_k is None else T_k
    check_positive(T_k, "T_k", integer=True)
    return np.tril(np.ones((int(T), int(T_k)), dtype=bool))


def padding_mask(lengths: np.ndarray, T: int) -> np.ndarray:
    """Boolean ``(B, 1, 1, T)`` mask, True for the first ``lengths[b]`` keys of sequence ``b`` (the real tokens).

    Parameters
    ----------
    lengths : (B,) int
        Length of each sequence, in ``[1, T]``.
    T : int
        Padded length.

    Returns
    -------
    mask : (B, 1, 1, T) bool
        Broadcasts against the scores ``(B, h, T_q, T)`` of multi-head attention.
    """
    check_positive(T, "T", integer=True)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be a 1-D array of sequence lengths, got shape {_fmt(lengths.shape)}")
    if lengths.dtype.kind not in "iu":
        raise ValueError(f"lengths must hold integers, got dtype {lengths.dtype}")
    if lengths.size and (lengths.min() < 1 or lengths.max() > T):
        raise ValueError(f"lengths must lie in [1, {T}], got values from {lengths.min()} to {lengths.max()}")
    return (np.arange(T)[None, :] < lengths[:, None])[:, None, None, :]


def _check_mask(mask: Any, scores_shape: tuple[int, ...]) -> np.ndarray | None:
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array (True = may attend), got dtype {mask.dtype}")
    Tq, Tk = scores_shape[-2:]
    ok = 2 <= mask.ndim <= len(scores_shape) and mask.shape[-1] == Tk and mask.shape[-2] in (1, Tq)
    if ok:
        lead_m, lead_s = mask.shape[:-2][::-1], scores_shape[:-2][::-1]
        ok = all(m in (1, s) for m, s in zip(lead_m, lead_s, strict=False))
    if not ok:
        raise ValueError(
            f"mask must broadcast to the attention scores of shape {_fmt(scores_shape)} with last two axes "
            f"({Tq} or 1, {Tk}), got shape {_fmt(mask.shape)}"
        )
    return mask


def _masked_softmax(s: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Softmax over the last axis, in place on ``s``; masked entries get weight exactly 0.

    Without a mask this equals :func:`dlbook.activations.softmax` (tested); it is written in place here because the
    scores are the largest array of the layer. A row whose mask blocks every key gets all-zero weights.
    """
    if mask is not None:
        np.copyto(s, np.finfo(s.dtype).min / 2, where=~mask)
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    if mask is not None:
        np.copyto(s, 0, where=~mask)
    total = s.sum(axis=-1, keepdims=True)
    if mask is not None:
        total[total == 0] = 1  # a fully masked row: all weights stay 0
    s /= total
    return s


def _validate_qkv(q: Any, k: Any, v: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q, k, v = as_float_array(q, "q"), as_float_array(k, "k"), as_float_array(v, "v")
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim < 2:
            raise ValueError(f"{name} must have shape (..., T, d), got {_fmt(a.shape)}")
        if a.shape[-2] == 0:
            raise ValueError(f"{name} must hold at least one position, got shape {_fmt(a.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last axis d_k, got q {_fmt(q.shape)} and k {_fmt(k.shape)}")
    if k.shape[:-1] != v.shape[:-1]:
        raise ValueError(f"k and v must agree on every axis but the last, got k {_fmt(k.shape)} and v {_fmt(v.shape)}")
    if q.shape[:-2] != k.shape[:-2]:
        raise ValueError(f"q and k must have the same leading axes, got q {_fmt(q.shape)} and k {_fmt(k.shape)}")
    dt = np.result_type(q, k, v)
    return q.astype(dt, copy=False), k.astype(dt, copy=False), v.astype(dt, copy=False)


def _scale(scale: float | None, d_k: int) -> float:
    if scale is None:
        return 1.0 / np.sqrt(d_k)
    if isinstance(scale, bool) or not isinstance(scale, int | float | np.integer | np.floating):
        raise TypeError(f"scale must be a number or None, got {scale!r}")
    if not np.isfinite(scale):
        raise ValueError(f"scale must be a finite number, got {scale}")
    return float(scale)


# --------------------------------------------------------------------------------------------------------------------
# Scaled dot-product attention
# --------------------------------------------------------------------------------------------------------------------
def scaled_dot_product_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    *,
    mask: np.ndarray | None = None,
    causal: bool = False,
    scale: float | None = None,
) -> tuple[np.ndarray, tuple]:
    r"""Attention with the :math:`T_q \times T_k` matrix of weights held in memory.

    Parameters
    ----------
    q : (..., T_q, d_k)
    k : (..., T_k, d_k)
    v : (..., T_k, d_v)
    mask : bool array broadcasting to (..., T_q, T_k), optional
        True where a query may attend to a key (e.g. from :func:`padding_mask`). A query whose row is all False
        gets the output 0 (as PyTorch's CPU kernel).
    causal : bool
        Also forbid attending to later keys: the top-left aligned :func:`causal_mask` ``(T_q, T_k)``.
    scale : float, optional
        Multiplies the scores; :math:`1/\sqrt{d_k}` by default.

    Returns
    -------
    out : (..., T_q, d_v)
    cache : tuple
        ``cache[0]`` holds the attention weights ``(..., T_q, T_k)``; for :func:`attention_backward`.
    """
    q, k, v = _validate_qkv(q, k, v)
    Tq, Tk = q.shape[-2], k.shape[-2]
    mask = _check_mask(mask, (*q.shape[:-2], Tq, Tk))
    if causal:
        cm = causal_mask(Tq, Tk)
        mask = cm if mask is None else mask & cm
    scale = _scale(scale, q.shape[-1])
    s = (q * q.dtype.type(scale)) @ np.swapaxes(k, -1, -2)  # (..., T_q, T_k)
    P = _masked_softmax(s, mask)
    return P @ v, (P, q, k, v, scale)


def attention_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`scaled_dot_product_attention`.

    With :math:`P` the weights and :math:`S` the scaled scores: :math:`\partial L/\partial V = P^\top \bar O`,
    :math:`\bar P = \bar O V^\top`, :math:`\bar S = P \odot (\bar P - \operatorname{rowsum}(\bar P \odot P))`,
    :math:`\partial L/\partial Q = s\,\bar S K`, :math:`\partial L/\partial K = s\,\bar S^\top Q`. A fully masked
    row (all weights 0) passes no gradient.

    Parameters
    ----------
    dout : (..., T_q, d_v)
    cache : tuple
        From :func:`scaled_dot_product_attention`.

    Returns
    -------
    dq, dk, dv : arrays shaped like q, k, v
    """
    P, q, k, v, scale = check_cache(cache, "cache", 5, "scaled_dot_product_attention")
    dout = as_float_array(dout, "dout")
    want = (*P.shape[:-1], v.shape[-1])
    if dout.shape != want:
        raise ValueError(f"dout must have the shape of the attention output {_fmt(want)}, got {_fmt(dout.shape)}")
    dout = dout.astype(v.dtype, copy=False)
    dv = np.swapaxes(P, -1, -2) @ dout
    dP = dout @ np.swapaxes(v, -1, -2)  # (..., T_q, T_k)
    dP -= (dP * P).sum(axis=-1, keepdims=True)
    dP *= P  # dS
    dP *= q.dtype.type(scale)
    return dP @ k, np.swapaxes(dP, -1, -2) @ q, dv


# --------------------------------------------------------------------------------------------------------------------
# Memory-efficient attention: keys in chunks with a running softmax
# --------------------------------------------------------------------------------------------------------------------
def _tile_keep(mask: np.ndarray | None, causal: bool, i0: int, i1: int, j0: int, j1: int) -> np.ndarray | None:
    """Which (query, key) pairs of the tile ``[i0, i1) x [j0, j1)`` may attend, or None for all of them."""
    keep = None
    if causal and j1 - 1 > i0:  # the tile crosses the diagonal j = i (top-left aligned)
        keep = np.arange(j0, j1)[None, :] <= np.arange(i0, i1)[:, None]
    if mask is not None:
        m = mask[..., :, j0:j1] if mask.shape[-2] == 1 else mask[..., i0:i1, j0:j1]
        keep = m if keep is None else keep & m
    return keep


def chunked_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    *,
    mask: np.ndarray | None = None,
    causal: bool = False,
    scale: float | None = None,
    chunk_size: int = 64,
) -> tuple[np.ndarray, tuple]:
    r"""Attention that never forms the :math:`T_q \times T_k` matrix (FlashAttention's algorithm in NumPy).

    Queries and keys are cut into blocks of ``chunk_size``. For each query block, the key blocks are visited in
    turn while three running quantities are kept per query: the largest score seen so far :math:`m`, the sum of
    exponentials :math:`\ell = \sum_j e^{s_j - m}` and the weighted sum of values :math:`a = \sum_j e^{s_j - m} v_j`.
    A new block with scores :math:`s` updates them as

    .. math::

        m' = \max(m, \max_j s_j),\quad \ell' = e^{m - m'} \ell + \sum_j e^{s_j - m'},\quad
        a' = e^{m - m'} a + \sum_j e^{s_j - m'} v_j,

    and the output is :math:`a / \ell`: the exact softmax-weighted average, rescaled as the maximum grows
    :cite:p:`rabe2021self,dao2022flashattention`. Memory is :math:`O(T \cdot \text{chunk})` instead of
    :math:`O(T^2)`. With ``causal``, key blocks entirely in the future are skipped. The result equals
    :func:`scaled_dot_product_attention` with the same arguments (same causal alignment, zeros for a fully masked
    row).

    Parameters
    ----------
    q : (..., T_q, d_k), k : (..., T_k, d_k), v : (..., T_k, d_v)
    mask : bool array broadcasting to (..., T_q, T_k), optional
        True where a query may attend to a key; sliced tile by tile (a ``(B, 1, 1, T_k)`` padding mask costs no
        :math:`T^2` memory).
    causal : bool
        Top-left aligned causal mask, as in :func:`scaled_dot_product_attention`.
    scale : float, optional
        Multiplies the scores; :math:`1/\sqrt{d_k}` by default.
    chunk_size : int
        Block size for queries and keys.

    Returns
    -------
    out : (..., T_q, d_v)
    cache : tuple
        Holds the inputs, the output and the log-sum-exp of each query's scores (no :math:`T^2` array), for
        :func:`chunked_attention_backward`.
    """
    q, k, v = _validate_qkv(q, k, v)
    check_positive(chunk_size, "chunk_size", integer=True)
    Tq, Tk, dt = q.shape[-2], k.shape[-2], q.dtype
    mask = _check_mask(mask, (*q.shape[:-2], Tq, Tk))
    scale = dt.type(_scale(scale, q.shape[-1]))
    out = np.empty((*q.shape[:-1], v.shape[-1]), dtype=dt)
    lse = np.empty(q.shape[:-1], dtype=dt)  # log-sum-exp of each query's scores (+inf: a fully masked row)
    for i0 in range(0, Tq, chunk_size):
        i1 = min(i0 + chunk_size, Tq)
        qi = q[..., i0:i1, :] * scale
        m = np.full((*q.shape[:-2], i1 - i0, 1), -np.inf, dtype=dt)
        ell = np.zeros_like(m)
        acc = np.zeros((*q.shape[:-2], i1 - i0, v.shape[-1]), dtype=dt)
        j_end = min(Tk, i1) if causal else Tk  # keys after the block's last query are all in the future
        for j0 in range(0, j_end, chunk_size):
            j1 = min(j0 + chunk_size, j_end)
            s = qi @ np.swapaxes(k[..., j0:j1, :], -1, -2)  # (..., bq, bk): one tile only
            keep = _tile_keep(mask, causal, i0, i1, j0, j1)
            if keep is not None:
                np.copyto(s, -np.inf, where=~keep)
            m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
            m_safe = np.where(np.isfinite(m_new), m_new, 0)  # rows with nothing to attend to yet stay at 0
            alpha = np.exp(m - m_safe)  # rescales what was accumulated under the old maximum
            s -= m_safe
            np.exp(s, out=s)
            ell *= alpha
            ell += s.sum(axis=-1, keepdims=True)
            acc *= alpha
            acc += s @ v[..., j0:j1, :]
            m = m_new
        seen = ell > 0
        out[..., i0:i1, :] = acc / np.where(seen, ell, 1)  # a fully masked row: 0
        lse[..., i0:i1] = np.where(seen, m + np.log(np.where(seen, ell, 1)), np.inf)[..., 0]
    return out, (q, k, v, out, lse, mask, causal, chunk_size, scale)


def chunked_attention_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`chunked_attention`, recomputing each tile of weights from the saved log-sum-exp.

    Per tile, :math:`P = e^{S - \mathrm{lse}}`; with :math:`D_i = \sum_c \bar O_{ic} O_{ic}` (which equals
    :math:`\sum_j \bar P_{ij} P_{ij}`), :math:`\bar S = P \odot (\bar O V^\top - D)`, and the gradients of
    :math:`Q, K, V` are accumulated tile by tile. Memory stays linear in :math:`T`.

    Parameters
    ----------
    dout : (..., T_q, d_v)
    cache : tuple
        From :func:`chunked_attention`.

    Returns
    -------
    dq, dk, dv : arrays shaped like q, k, v
    """
    q, k, v, out, lse, mask, causal, chunk_size, scale = check_cache(cache, "cache", 9, "chunked_attention")
    dt = q.dtype
    dout = as_float_array(dout, "dout")
    if dout.shape != out.shape:
        raise ValueError(f"dout must have the shape of the attention output {_fmt(out.shape)}, got {_fmt(dout.shape)}")
    dout = dout.astype(dt, copy=False)
    Tq, Tk = q.shape[-2], k.shape[-2]
    D = (dout * out).sum(axis=-1, keepdims=True)  # (..., T_q, 1)
    dq, dk, dv = np.zeros_like(q), np.zeros_like(k), np.zeros_like(v)
    for i0 in range(0, Tq, chunk_size):
        i1 = min(i0 + chunk_size, Tq)
        qi, doi = q[..., i0:i1, :] * scale, dout[..., i0:i1, :]
        j_end = min(Tk, i1) if causal else Tk
        for j0 in range(0, j_end, chunk_size):
            j1 = min(j0 + chunk_size, j_end)
            kj, vj = k[..., j0:j1, :], v[..., j0:j1, :]
            p = qi @ np.swapaxes(kj, -1, -2)
            p -= lse[..., i0:i1, None]  # a fully masked row has lse = +inf: p = 0
            np.exp(p, out=p)
            keep = _tile_keep(mask, causal, i0, i1, j0, j1)
            if keep is not None:
                np.copyto(p, 0, where=~keep)
            dv[..., j0:j1, :] += np.swapaxes(p, -1, -2) @ doi
            ds = doi @ np.swapaxes(vj, -1, -2)
            ds -= D[..., i0:i1, :]
            ds *= p
            dq[..., i0:i1, :] += (ds @ kj) * scale
            dk[..., j0:j1, :] += np.swapaxes(ds, -1, -2) @ qi
    return dq, dk, dv


# --------------------------------------------------------------------------------------------------------------------
# Additive (Bahdanau) attention
# --------------------------------------------------------------------------------------------------------------------
def additive_attention_forward(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    W_q: np.ndarray,
    W_k: np.ndarray,
    w: np.ndarray,
    *,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple]:
    r"""Additive attention :cite:p:`bahdanau2014neural`: a small MLP scores each (query, key) pair.

    .. math:: e_{ij} = w^\top \tanh(W_q q_i + W_k k_j),\qquad \alpha_{ij} = \operatorname{softmax}_j(e_{ij}),
        \qquad c_i = \sum_j \alpha_{ij} v_j.

    Parameters
    ----------
    q : (B, T_q, d_q), k : (B, T_k, d_k), v : (B, T_k, d_v)
    W_q : (A, d_q), W_k : (A, d_k), w : (A,)
    mask : bool (B, 1 or T_q, T_k), optional
        True where a query may attend; a fully masked row gets the context 0.

    Returns
    -------
    out : (B, T_q, d_v)
        The contexts :math:`c_i`.
    cache : tuple
        ``cache[0]`` holds the weights :math:`\alpha` ``(B, T_q, T_k)`` (the alignment).
    """
    q, k, v = (as_float_array(a, n) for a, n in ((q, "q"), (k, "k"), (v, "v")))
    W_q, W_k, w = (as_float_array(a, n) for a, n in ((W_q, "W_q"), (W_k, "W_k"), (w, "w")))
    check_ndim(q, "q", 3)
    check_shape(k, "k", (q.shape[0], None, None))
    check_shape(v, "v", (q.shape[0], k.shape[1], None))
    check_shape(W_q, "W_q", (None, q.shape[2]))
    check_shape(W_k, "W_k", (W_q.shape[0], k.shape[2]))
    check_shape(w, "w", (W_q.shape[0],))
    qp = q @ W_q.T  # (B, T_q, A)
    kp = k @ W_k.T  # (B, T_k, A)
    E = np.tanh(qp[:, :, None, :] + kp[:, None, :, :])  # (B, T_q, T_k, A)
    s = E @ w  # (B, T_q, T_k)
    mask = _check_mask(mask, s.shape)
    P = _masked_softmax(s, mask)
    return P @ v, (P, E, q, k, v, W_q, W_k, w)


def additive_attention_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward of :func:`additive_attention_forward`.

    Parameters
    ----------
    dout : (B, T_q, d_v)
    cache : tuple

    Returns
    -------
    dq, dk, dv : arrays shaped like q, k, v
    dW_q : (A, d_q), dW_k : (A, d_k), dw : (A,)
    """
    P, E, q, k, v, W_q, W_k, w = check_cache(cache, "cache", 8, "additive_attention_forward")
    dout = as_float_array(dout, "dout")
    check_shape(dout, "dout", (q.shape[0], q.shape[1], v.shape[2]))
    dv = np.swapaxes(P, -1, -2) @ dout
    dP = dout @ np.swapaxes(v, -1, -2)
    ds = P * (dP - (dP * P).sum(axis=-1, keepdims=True))  # (B, T_q, T_k)
    dw = np.einsum("bij,bija->a", ds, E)
    dE = ds[..., None] * w * (1.0 - E * E)  # (B, T_q, T_k, A)
    dqp, dkp = dE.sum(axis=2), dE.sum(axis=1)
    A = W_q.shape[0]
    dW_q = dqp.reshape(-1, A).T @ q.reshape(-1, q.shape[-1])
    dW_k = dkp.reshape(-1, A).T @ k.reshape(-1, k.shape[-1])
    return dqp @ W_q, dkp @ W_k, dv, dW_q, dW_k, dw


class AdditiveAttention(Module):
    """Additive attention with learned ``W_q (A, d_q)``, ``W_k (A, d_k)``, ``w (A,)``.

    ``forward(q (B, T_q, d_q), k (B, T_k, d_k), v (B, T_k, d_v), *, mask=None) -> contexts (B, T_q, d_v)``; the
    weights of the last call are in ``self.weights`` ``(B, T_q, T_k)``. ``backward(dout)`` returns ``(dq, dk, dv)``.

    Parameters
    ----------
    query_dim, key_dim, attn_dim : int
        :math:`d_q`, :math:`d_k` and the width :math:`A` of the scoring MLP.
    rng, dtype
        Randomness (Xavier-uniform weights) and floating type of the parameters.
    """

    def __init__(
        self,
        query_dim: int,
        key_dim: int,
        attn_dim: int,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        for name, val in (("query_dim", query_dim), ("key_dim", key_dim), ("attn_dim", attn_dim)):
            check_positive(val, name, integer=True)
        self.dtype = float_dtype(dtype)
        self.query_dim, self.key_dim, self.attn_dim = int(query_dim), int(key_dim), int(attn_dim)
        rng = get_rng(rng)
        self.params["W_q"] = initialize("xavier_uniform", (self.attn_dim, self.query_dim), rng, self.dtype)
        self.params["W_k"] = initialize("xavier_uniform", (self.attn_dim, self.key_dim), rng, self.dtype)
        self.params["w"] = initialize("xavier_uniform", (1, self.attn_dim), rng, self.dtype)[0]
        self.weights: np.ndarray | None = None

    def forward(self, q: np.ndarray, k: np.ndarray, v: np.ndarray, *, mask: np.ndarray | None = None) -> np.ndarray:
        arrays = []
        for name, a, d in (("q", q, self.query_dim), ("k", k, self.key_dim), ("v", v, None)):
            a = as_float_array(a, name)
            if a.ndim != 3 or (d is not None and a.shape[2] != d):
                want = f"(B, T, {d})" if d is not None else "(B, T, d_v)"
                raise ValueError(f"{name} must have shape {want}, got {_fmt(a.shape)}")
            arrays.append(a.astype(self.dtype, copy=False))
        q, k, v = arrays
        if q.shape[0] != k.shape[0] or k.shape[:2] != v.shape[:2]:
            raise ValueError(
                f"q, k and v must share the batch axis and k, v the length axis, got q {_fmt(q.shape)}, "
                f"k {_fmt(k.shape)}, v {_fmt(v.shape)}"
            )
        p = self.params
        out, self._cache = additive_attention_forward(q, k, v, p["W_q"], p["W_k"], p["w"], mask=mask)
        self.weights = self._cache[0]
        return out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cache = self._get_cache()
        P, v = cache[0], cache[4]
        dout = self._check_dout(dout, (*P.shape[:2], v.shape[2]), self.dtype)
        dq, dk, dv, self.grads["W_q"], self.grads["W_k"], self.grads["w"] = additive_attention_backward(dout, cache)
        return dq, dk, dv

    def __repr__(self) -> str:
        return f"AdditiveAttention({self.query_dim}, {self.key_dim}, {self.attn_dim})"


# --------------------------------------------------------------------------------------------------------------------
# Positional encodings
# --------------------------------------------------------------------------------------------------------------------
def sinusoidal_positional_encoding(T: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    r"""The sinusoidal table of :cite:t:`vaswani2017attention`:

    .. math:: PE_{p, 2i} = \sin(p / \text{base}^{2i/d}),\qquad PE_{p, 2i+1} = \cos(p / \text{base}^{2i/d}).

    Parameters
    ----------
    T : int
        Number of positions.
    d_model : int
        Width :math:`d`.
    base : float
        The longest wavelength is :math:`2\pi\,\text{base}`.

    Returns
    -------
    pe : (T, d_model) float64
    """
    check_positive(T, "T", integer=True)
    check_positive(d_model, "d_model", integer=True)
    check_positive(base, "base")
    pos = np.arange(T)[:, None]
    freq = base ** (-np.arange(0, d_model, 2) / d_model)  # (ceil(d/2),)
    pe = np.zeros((T, d_model))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq[: d_model // 2])
    return pe


def _check_len(x: np.ndarray, max_len: int, d_model: int) -> None:
    if x.ndim != 3 or x.shape[2] != d_model:
        raise ValueError(f"x must have shape (B, T, {d_model}), got {_fmt(x.shape)}")
    if x.shape[1] > max_len:
        raise ValueError(f"x's sequence length {x.shape[1]} exceeds the positional table's max_len = {max_len}")


class SinusoidalPositionalEncoding(Module):
    """Adds the fixed sinusoidal table to ``x (B, T, d_model)``; no parameters. ``T > max_len`` raises.

    Parameters
    ----------
    max_len, d_model : int
        Size of the table.
    dtype
        Kept for symmetry with :class:`LearnedPositionalEncoding`; the output follows the input's float dtype.
    """

    def __init__(self, max_len: int, d_model: int, dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        check_positive(max_len, "max_len", integer=True)
        check_positive(d_model, "d_model", integer=True)
        self.max_len, self.d_model = int(max_len), int(d_model)
        self.table = sinusoidal_positional_encoding(self.max_len, self.d_model).astype(float_dtype(dtype))

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        _check_len(x, self.max_len, self.d_model)
        self._cache = x.shape
        return x + self.table[: x.shape[1]].astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return self._check_dout(dout, self._get_cache())

    def __repr__(self) -> str:
        return f"SinusoidalPositionalEncoding({self.max_len}, {self.d_model})"


class LearnedPositionalEncoding(Module):
    """Adds a learned vector per position, ``P (max_len, d_model)`` drawn from :math:`N(0, \\text{std}^2)`, to
    ``x (B, T, d_model)``.

    Parameters
    ----------
    max_len, d_model : int
        Size of the table.
    std : float
        Standard deviation of the initial vectors (GPT-2 uses 0.02).
    rng, dtype
        Randomness and floating type of the table.
    """

    def __init__(
        self,
        max_len: int,
        d_model: int,
        std: float = 0.02,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(max_len, "max_len", integer=True)
        check_positive(d_model, "d_model", integer=True)
        check_positive(std, "std")
        self.dtype = float_dtype(dtype)
        self.max_len, self.d_model = int(max_len), int(d_model)
        self.params["P"] = initialize("normal", (self.max_len, self.d_model), get_rng(rng), self.dtype, std=std)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        _check_len(x, self.max_len, self.d_model)
        self._cache = x.shape
        return x.astype(self.dtype, copy=False) + self.params["P"][: x.shape[1]]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape = self._get_cache()
        dout = self._check_dout(dout, shape, self.dtype)
        dP = np.zeros_like(self.params["P"])
        dP[: shape[1]] = dout.sum(axis=0)
        self.grads["P"] = dP
        return dout

    def __repr__(self) -> str:
        return f"LearnedPositionalEncoding({self.max_len}, {self.d_model})"


# --------------------------------------------------------------------------------------------------------------------
# Multi-head attention, feed-forward, the block
# --------------------------------------------------------------------------------------------------------------------
class MultiHeadAttention(Module):
    r"""Multi-head self-attention over ``x (B, T, d_model)``: ``forward(x, *, mask=None) -> (B, T, d_model)``.

    One fused projection gives queries, keys and values for every head, ``W_qkv (3 d, d)`` and ``b_qkv (3 d,)``
    (PyTorch's ``in_proj_weight`` and ``in_proj_bias``); heads attend independently in :math:`d_k = d / h`
    dimensions; their outputs are concatenated and mixed by ``W_o (d, d)``, ``b_o (d,)``.

    Parameters
    ----------
    d_model, num_heads : int
        ``d_model`` must be divisible by ``num_heads``.
    causal : bool
        Each position attends only to itself and earlier positions (a decoder).
    memory_efficient : bool
        Use :func:`chunked_attention` (no :math:`T \times T` array; ``self.attn_weights`` is then None).
    rng, dtype
        Randomness (Xavier-uniform weights, zero biases) and floating type of the parameters.

    Notes
    -----
    ``mask`` is a boolean array broadcasting to ``(B, h, T, T)``, True where attending is allowed (e.g. from
    :func:`padding_mask`); the weights of the last call are in ``self.attn_weights`` ``(B, h, T, T)``.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        causal: bool = False,
        memory_efficient: bool = False,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(d_model, "d_model", integer=True)
        check_positive(num_heads, "num_heads", integer=True)
        if d_model % num_heads:
            raise ValueError(f"d_model must be divisible by num_heads, got d_model={d_model} and num_heads={num_heads}")
        self.dtype = float_dtype(dtype)
        self.d_model, self.num_heads, self.causal = int(d_model), int(num_heads), bool(causal)
        self.memory_efficient = bool(memory_efficient)
        rng = get_rng(rng)
        self.params["W_qkv"] = initialize("xavier_uniform", (3 * self.d_model, self.d_model), rng, self.dtype)
        self.params["b_qkv"] = np.zeros(3 * self.d_model, dtype=self.dtype)
        self.params["W_o"] = initialize("xavier_uniform", (self.d_model, self.d_model), rng, self.dtype)
        self.params["b_o"] = np.zeros(self.d_model, dtype=self.dtype)
        self.attn_weights: np.ndarray | None = None

    def forward(self, x: np.ndarray, *, mask: np.ndarray | None = None) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim != 3 or x.shape[2] != self.d_model:
            raise ValueError(f"x must have shape (B, T, {self.d_model}), got {_fmt(x.shape)}")
        x = x.astype(self.dtype, copy=False)
        B, T, d = x.shape
        h = self.num_heads
        x2 = x.reshape(B * T, d)  # every position as one row: one BLAS product instead of B small ones
        qkv = x2 @ self.params["W_qkv"].T + self.params["b_qkv"]  # (B T, 3d)
        qkv = qkv.reshape(B, T, 3, h, d // h).transpose(2, 0, 3, 1, 4)  # (3, B, h, T, d_k): split the heads
        q, k, v = qkv[0], qkv[1], qkv[2]
        attend = chunked_attention if self.memory_efficient else scaled_dot_product_attention
        o, attn_cache = attend(q, k, v, mask=mask, causal=self.causal)
        self.attn_weights = None if self.memory_efficient else attn_cache[0]  # (B, h, T, T)
        o2 = o.transpose(0, 2, 1, 3).reshape(B * T, d)  # heads side by side, one row per position
        self._cache = (x2, o2, attn_cache, (B, T, d))
        return (o2 @ self.params["W_o"].T + self.params["b_o"]).reshape(B, T, d)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x2, o2, attn_cache, shape = self._get_cache()
        B, T, d = shape
        dy = self._check_dout(dout, shape, self.dtype).reshape(B * T, d)
        h = self.num_heads
        self.grads["W_o"] = dy.T @ o2  # sum over every position of dy^T o
        self.grads["b_o"] = dy.sum(axis=0)
        do = (dy @ self.params["W_o"]).reshape(B, T, h, d // h).transpose(0, 2, 1, 3)  # (B, h, T, d_k)
        back = chunked_attention_backward if self.memory_efficient else attention_backward
        dq, dk, dv = back(do, attn_cache)
        dqkv = np.stack([dq, dk, dv]).transpose(1, 3, 0, 2, 4).reshape(B * T, 3 * d)  # (B T, 3d)
        self.grads["W_qkv"] = dqkv.T @ x2
        self.grads["b_qkv"] = dqkv.sum(axis=0)
        return (dqkv @ self.params["W_qkv"]).reshape(B, T, d)

    def __repr__(self) -> str:
        return f"MultiHeadAttention({self.d_model}, num_heads={self.num_heads}, causal={self.causal})"


class FeedForward(Module):
    r"""Position-wise feed-forward network :math:`W_2\,\phi(W_1 x + b_1) + b_2` applied to every position.

    ``forward(x (..., d_model)) -> (..., d_model)`` with ``fc1 = Linear(d_model, d_ff)`` and
    ``fc2 = Linear(d_ff, d_model)`` (Xavier-normal weights). :math:`\phi` is GELU in GPT-2's tanh form by default,
    :math:`\tfrac12 a (1 + \tanh(\sqrt{2/\pi}(a + 0.044715 a^3)))` (``"gelu_tanh"``); any other name of
    :func:`dlbook.activations.get_activation` (``"gelu"``, ``"relu"``, ...) is used through its spec.

    Parameters
    ----------
    d_model, d_ff : int
        Width of the model and of the hidden layer (4 ``d_model`` in GPT).
    activation : str
        :math:`\phi`.
    rng, dtype
        Randomness and floating type of the parameters.
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int,
        activation: str = "gelu_tanh",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(d_model, "d_model", integer=True)
        check_positive(d_ff, "d_ff", integer=True)
        self.act = get_activation(activation)
        self.activation = activation
        self.dtype = float_dtype(dtype)
        self.d_model, self.d_ff = int(d_model), int(d_ff)
        rng = get_rng(rng)
        self.fc1 = Linear(self.d_model, self.d_ff, init="xavier", rng=rng, dtype=self.dtype)
        self.fc2 = Linear(self.d_ff, self.d_model, init="xavier", rng=rng, dtype=self.dtype)

    def children(self) -> list[Module]:
        return [self.fc1, self.fc2]

    def _phi(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """:math:`\\phi(z)` and what ``_dphi`` reuses (the tanh of GELU's tanh form)."""
        if self.activation != "gelu_tanh":
            return self.act.fn(z), None
        # Fused fast path equal to dlbook.activations.gelu_tanh (tested): the tanh is kept for the backward pass.
        one, half = z.dtype.type(1.0), z.dtype.type(0.5)
        c = z.dtype.type(np.sqrt(2.0 / np.pi))
        t = np.tanh(c * (z + z.dtype.type(0.044715) * z * z * z))
        return half * z * (one + t), t

    def _dphi(self, z: np.ndarray, t: np.ndarray | None) -> np.ndarray:
        """:math:`\\phi'(z)`, from the tanh kept by ``_phi`` for GELU's tanh form."""
        if t is None:
            return self.act.grad(z)
        # Fused fast path equal to the derivative of dlbook.activations.gelu_tanh (tested), in place:
        # c (1 + 3 * 0.044715 z^2) * z (1 - t^2) / 2 + (1 + t) / 2
        one, half = z.dtype.type(1.0), z.dtype.type(0.5)
        c = z.dtype.type(np.sqrt(2.0 / np.pi))
        g = z * z
        g *= z.dtype.type(3 * 0.044715) * c
        g += c
        w = t * t
        np.subtract(one, w, out=w)
        w *= z
        w *= g
        w += t
        w += one
        w *= half
        return w

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim < 2 or x.shape[-1] != self.d_model:
            raise ValueError(f"x must have shape (..., {self.d_model}), got {_fmt(x.shape)}")
        # Every position as one row, so that each layer is one BLAS product rather than one per leading index.
        z = self.fc1.forward(x.astype(self.dtype, copy=False).reshape(-1, self.d_model))
        a, t = self._phi(z)
        self._cache = (x.shape, z, t)
        return self.fc2.forward(a).reshape(x.shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape, z, t = self._get_cache()
        dout = self._check_dout(dout, shape, self.dtype).reshape(-1, self.d_model)
        return self.fc1.backward(self.fc2.backward(dout) * self._dphi(z, t)).reshape(shape)

    def __repr__(self) -> str:
        return f"FeedForward({self.d_model}, {self.d_ff}, activation={self.activation!r})"


class TransformerBlock(Module):
    r"""One Transformer block: multi-head self-attention and a feed-forward network, each with a residual
    connection and LayerNorm. ``forward(x (B, T, d_model), *, mask=None) -> (B, T, d_model)``.

    Pre-LN (``norm_first=True``, GPT-2's choice, the default):
    :math:`y = x + \mathrm{MHA}(\mathrm{LN}_1(x))`, :math:`z = y + \mathrm{FFN}(\mathrm{LN}_2(y))`.
    Post-LN (the original Transformer): :math:`y = \mathrm{LN}_1(x + \mathrm{MHA}(x))`,
    :math:`z = \mathrm{LN}_2(y + \mathrm{FFN}(y))`.

    Parameters
    ----------
    d_model, num_heads : int
        Width and number of heads (``num_heads`` must divide ``d_model``).
    d_ff : int, optional
        Hidden width of the feed-forward network (``4 * d_model`` by default).
    causal, memory_efficient
        As in :class:`MultiHeadAttention`.
    norm_first : bool
        Pre-LN (True) or post-LN (False).
    rng, dtype
        Randomness and floating type of the parameters.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        d_ff: int | None = None,
        causal: bool = False,
        norm_first: bool = True,
        memory_efficient: bool = False,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        rng = get_rng(rng)
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.norm_first = bool(norm_first)
        self.dtype = float_dtype(dtype)
        self.attn = MultiHeadAttention(d_model, num_heads, causal, memory_efficient, rng=rng, dtype=self.dtype)
        self.ln1 = LayerNorm(d_model, dtype=self.dtype)
        self.ffn = FeedForward(d_model, d_ff, rng=rng, dtype=self.dtype)
        self.ln2 = LayerNorm(d_model, dtype=self.dtype)

    def children(self) -> list[Module]:
        return [self.attn, self.ln1, self.ffn, self.ln2]

    def forward(self, x: np.ndarray, *, mask: np.ndarray | None = None) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim != 3 or x.shape[2] != self.attn.d_model:
            raise ValueError(f"x must have shape (B, T, {self.attn.d_model}), got {_fmt(x.shape)}")
        x = x.astype(self.dtype, copy=False)
        self._cache = x.shape
        if self.norm_first:
            y = x + self.attn.forward(self.ln1.forward(x), mask=mask)
            return y + self.ffn.forward(self.ln2.forward(y))
        y = self.ln1.forward(x + self.attn.forward(x, mask=mask))
        return self.ln2.forward(y + self.ffn.forward(y))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = self._check_dout(dout, self._get_cache(), self.dtype)
        if self.norm_first:
            dy = dout + self.ln2.backward(self.ffn.backward(dout))
            return dy + self.ln1.backward(self.attn.backward(dy))
        ds = self.ln2.backward(dout)
        dy = ds + self.ffn.backward(ds)
        dr = self.ln1.backward(dy)
        return dr + self.attn.backward(dr)

    def __repr__(self) -> str:
        a = self.attn
        return f"TransformerBlock({a.d_model}, num_heads={a.num_heads}, causal={a.causal})"
