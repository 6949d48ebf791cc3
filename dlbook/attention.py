r"""Attention and Transformers: additive attention, scaled dot-product attention, multi-head attention, positional
encodings, the Transformer block, a GPT-style decoder and a BERT-style encoder, and a memory-efficient attention.

Scaled dot-product attention of queries :math:`Q`, keys :math:`K` and values :math:`V`:

.. math:: \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}} + M\right) V,

where the mask :math:`M` is 0 where attending is allowed and :math:`-\infty` elsewhere. Masks here are boolean
arrays, ``True`` where attending is **allowed** (the convention of
``torch.nn.functional.scaled_dot_product_attention``), broadcast against the scores ``(..., T_q, T_k)``.

Shapes follow nanoGPT's comments: ``B`` batch, ``T`` sequence length, ``h`` heads, ``d`` model width,
``d_k = d / h`` per head.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_choice, check_ndim, check_positive, get_rng
from dlbook.init import initialize
from dlbook.layers import Linear, Module
from dlbook.normalization import LayerNorm
from dlbook.rnn import LSTM, Embedding

__all__ = [
    "GPT",
    "AdditiveAttention",
    "BERTEncoder",
    "FeedForward",
    "LearnedPositionalEncoding",
    "MultiHeadAttention",
    "Seq2SeqAttention",
    "SinusoidalPositionalEncoding",
    "TransformerBlock",
    "additive_attention_backward",
    "additive_attention_forward",
    "attention_backward",
    "causal_mask",
    "chunked_attention",
    "chunked_attention_backward",
    "padding_mask",
    "reversal_task",
    "train_char_gpt",
    "train_seq2seq",
    "scaled_dot_product_attention",
    "sinusoidal_positional_encoding",
]


# --------------------------------------------------------------------------------------------------------------------
# Masks and the softmax
# --------------------------------------------------------------------------------------------------------------------
def causal_mask(T: int, T_k: int | None = None) -> np.ndarray:
    """Boolean ``(T, T_k)`` mask, True on and below the diagonal: position ``i`` may attend to ``j <= i``."""
    check_positive(T, "T", integer=True)
    T_k = T if T_k is None else T_k
    return np.tril(np.ones((T, T_k), dtype=bool))


def padding_mask(lengths: np.ndarray, T: int) -> np.ndarray:
    """Boolean ``(B, 1, 1, T)`` mask, True for the first ``lengths[b]`` keys of sequence ``b`` (the real tokens)."""
    lengths = np.asarray(lengths)
    check_ndim(lengths, "lengths", 1)
    if lengths.size and (lengths.min() < 1 or lengths.max() > T):
        raise ValueError(f"lengths must lie in [1, {T}], got values from {lengths.min()} to {lengths.max()}")
    return (np.arange(T)[None, :] < lengths[:, None])[:, None, None, :]


def _check_mask(mask: np.ndarray | None, scores_shape: tuple[int, ...]) -> np.ndarray | None:
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
            f"mask must broadcast to the attention scores of shape {scores_shape} with last two axes "
            f"({Tq} or 1, {Tk}), got shape {mask.shape}"
        )
    return mask


def _masked_softmax(s: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Softmax over the last axis, in place on ``s``; masked entries get weight exactly 0."""
    if mask is not None:
        np.copyto(s, np.finfo(s.dtype).min / 2, where=~mask)
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    if mask is not None:
        np.copyto(s, 0, where=~mask)
    s /= s.sum(axis=-1, keepdims=True)
    return s


def _validate_qkv(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q, k, v = as_float_array(q, "q"), as_float_array(k, "k"), as_float_array(v, "v")
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim < 2:
            raise ValueError(f"{name} must have shape (..., T, d), got {a.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last axis d_k, got q {q.shape} and k {k.shape}")
    if k.shape[:-1] != v.shape[:-1]:
        raise ValueError(f"k and v must agree on every axis but the last, got k {k.shape} and v {v.shape}")
    if q.shape[:-2] != k.shape[:-2]:
        raise ValueError(f"q and k must have the same leading axes, got q {q.shape} and k {k.shape}")
    return q, k, v


# --------------------------------------------------------------------------------------------------------------------
# Scaled dot-product attention
# --------------------------------------------------------------------------------------------------------------------
def scaled_dot_product_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
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
        True where a query may attend to a key (e.g. from :func:`padding_mask`).
    causal : bool
        Also forbid attending to later positions (:func:`causal_mask`).
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
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else float(scale)
    s = (q * q.dtype.type(scale)) @ np.swapaxes(k, -1, -2)  # (..., T_q, T_k)
    P = _masked_softmax(s, mask)
    return P @ v, (P, q, k, v, scale)


def attention_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`scaled_dot_product_attention`.

    With :math:`P` the weights and :math:`S` the scaled scores: :math:`\partial L/\partial V = P^\top \bar O`,
    :math:`\bar P = \bar O V^\top`, :math:`\bar S = P \odot (\bar P - \operatorname{rowsum}(\bar P \odot P))`,
    :math:`\partial L/\partial Q = s\,\bar S K`, :math:`\partial L/\partial K = s\,\bar S^\top Q`.

    Returns
    -------
    dq, dk, dv : arrays shaped like q, k, v
    """
    P, q, k, v, scale = cache
    dout = np.asarray(dout, dtype=v.dtype)
    dv = np.swapaxes(P, -1, -2) @ dout
    dP = dout @ np.swapaxes(v, -1, -2)  # (..., T_q, T_k)
    dP -= (dP * P).sum(axis=-1, keepdims=True)
    dP *= P  # dS
    dP *= q.dtype.type(scale)
    return dP @ k, np.swapaxes(dP, -1, -2) @ q, dv


# --------------------------------------------------------------------------------------------------------------------
# Memory-efficient attention: keys in chunks with a running softmax
# --------------------------------------------------------------------------------------------------------------------
def chunked_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool = False, chunk_size: int = 64
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
    :math:`O(T^2)`. With ``causal``, key blocks entirely in the future are skipped.

    Parameters
    ----------
    q : (..., T_q, d_k), k : (..., T_k, d_k), v : (..., T_k, d_v)
    causal : bool
    chunk_size : int

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
    scale = dt.type(1.0 / np.sqrt(q.shape[-1]))
    out = np.empty((*q.shape[:-1], v.shape[-1]), dtype=dt)
    lse = np.empty(q.shape[:-1], dtype=dt)  # log-sum-exp of each query's scores
    offset = Tk - Tq  # causal alignment when T_k > T_q (query i sits at key position i + offset)
    for i0 in range(0, Tq, chunk_size):
        i1 = min(i0 + chunk_size, Tq)
        qi = q[..., i0:i1, :] * scale
        m = np.full((*q.shape[:-2], i1 - i0, 1), -np.inf, dtype=dt)
        ell = np.zeros_like(m)
        acc = np.zeros((*q.shape[:-2], i1 - i0, v.shape[-1]), dtype=dt)
        j_end = min(Tk, i1 + offset) if causal else Tk
        for j0 in range(0, j_end, chunk_size):
            j1 = min(j0 + chunk_size, j_end)
            s = qi @ np.swapaxes(k[..., j0:j1, :], -1, -2)  # (..., bq, bk): one tile only
            keep = None
            if causal and j1 - 1 > i0 + offset:  # a tile crossing the diagonal
                keep = np.arange(j0, j1)[None, :] <= np.arange(i0, i1)[:, None] + offset
                np.copyto(s, -np.inf, where=~keep)
            m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
            alpha = np.exp(m - m_new)  # rescales what was accumulated under the old maximum
            s -= m_new
            np.exp(s, out=s)
            ell *= alpha
            ell += s.sum(axis=-1, keepdims=True)
            acc *= alpha
            acc += s @ v[..., j0:j1, :]
            m = m_new
        out[..., i0:i1, :] = acc / ell
        lse[..., i0:i1] = (m + np.log(ell))[..., 0]
    return out, (q, k, v, out, lse, causal, chunk_size)


def chunked_attention_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`chunked_attention`, recomputing each tile of weights from the saved log-sum-exp.

    Per tile, :math:`P = e^{S - \mathrm{lse}}`; with :math:`D_i = \sum_c \bar O_{ic} O_{ic}` (which equals
    :math:`\sum_j \bar P_{ij} P_{ij}`), :math:`\bar S = P \odot (\bar O V^\top - D)`, and the gradients of
    :math:`Q, K, V` are accumulated tile by tile. Memory stays linear in :math:`T`.
    """
    q, k, v, out, lse, causal, chunk_size = cache
    dt = q.dtype
    dout = np.asarray(dout, dtype=dt)
    Tq, Tk = q.shape[-2], k.shape[-2]
    scale = dt.type(1.0 / np.sqrt(q.shape[-1]))
    D = (dout * out).sum(axis=-1, keepdims=True)  # (..., T_q, 1)
    dq, dk, dv = np.zeros_like(q), np.zeros_like(k), np.zeros_like(v)
    offset = Tk - Tq
    for i0 in range(0, Tq, chunk_size):
        i1 = min(i0 + chunk_size, Tq)
        qi, doi = q[..., i0:i1, :] * scale, dout[..., i0:i1, :]
        j_end = min(Tk, i1 + offset) if causal else Tk
        for j0 in range(0, j_end, chunk_size):
            j1 = min(j0 + chunk_size, j_end)
            kj, vj = k[..., j0:j1, :], v[..., j0:j1, :]
            p = qi @ np.swapaxes(kj, -1, -2)
            p -= lse[..., i0:i1, None]
            np.exp(p, out=p)
            if causal and j1 - 1 > i0 + offset:
                keep = np.arange(j0, j1)[None, :] <= np.arange(i0, i1)[:, None] + offset
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

    Returns
    -------
    out : (B, T_q, d_v)
        The contexts :math:`c_i`.
    cache : tuple
        ``cache[0]`` holds the weights :math:`\alpha` ``(B, T_q, T_k)`` (the alignment).
    """
    qp = q @ W_q.T  # (B, T_q, A)
    kp = k @ W_k.T  # (B, T_k, A)
    E = np.tanh(qp[:, :, None, :] + kp[:, None, :, :])  # (B, T_q, T_k, A)
    s = E @ w  # (B, T_q, T_k)
    mask = _check_mask(mask, s.shape)
    P = _masked_softmax(s, mask)
    return P @ v, (P, E, q, k, v, W_q, W_k, w)


def additive_attention_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward of :func:`additive_attention_forward`: returns ``(dq, dk, dv, dW_q, dW_k, dw)``."""
    P, E, q, k, v, W_q, W_k, w = cache
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

    ``forward(q, k, v, mask=None) -> contexts (B, T_q, d_v)``; the weights of the last call are in ``self.weights``.
    ``backward(dout)`` returns ``(dq, dk, dv)``.
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
        rng = get_rng(rng)
        self.params["W_q"] = initialize("xavier_uniform", (attn_dim, query_dim), rng, dtype)
        self.params["W_k"] = initialize("xavier_uniform", (attn_dim, key_dim), rng, dtype)
        self.params["w"] = initialize("xavier_uniform", (1, attn_dim), rng, dtype)[0]

    def forward(  # type: ignore[override]
        self, q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
    ) -> np.ndarray:
        p = self.params
        for name, a in (("q", q), ("k", k), ("v", v)):
            check_ndim(np.asarray(a), name, 3)
        out, self._cache = additive_attention_forward(q, k, v, p["W_q"], p["W_k"], p["w"], mask)
        self.weights = self._cache[0]
        return out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[override]
        dq, dk, dv, self.grads["W_q"], self.grads["W_k"], self.grads["w"] = additive_attention_backward(
            dout, self._cache
        )
        return dq, dk, dv


class Seq2SeqAttention(Module):
    """An LSTM encoder-decoder whose decoder attends to the encoder states with additive attention.

    The decoder LSTM reads the previous target tokens (teacher forcing); at each output step its state
    :math:`s_i` is the query, the encoder states :math:`h_j` are keys and values, and the prediction is a linear
    map of :math:`[s_i; c_i]` (the context joins after the decoder's recurrence, as in Luong et al.'s variant, so
    that all output steps run in one pass). ``forward(src (B, T_in), tgt_in (B, T_out)) -> logits (B, T_out, V)``;
    ``self.alignment`` keeps the weights ``(B, T_out, T_in)``.
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        embed_dim: int = 32,
        hidden_size: int = 64,
        attn_dim: int = 64,
        rng: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        rng = get_rng(rng)
        self.src_embed = Embedding(src_vocab, embed_dim, rng=rng, dtype=dtype)
        self.encoder = LSTM(embed_dim, hidden_size, rng=rng, dtype=dtype)
        self.tgt_embed = Embedding(tgt_vocab, embed_dim, rng=rng, dtype=dtype)
        self.decoder = LSTM(embed_dim, hidden_size, rng=rng, dtype=dtype)
        self.attention = AdditiveAttention(hidden_size, hidden_size, attn_dim, rng=rng, dtype=dtype)
        self.out = Linear(2 * hidden_size, tgt_vocab, init="xavier", rng=rng, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.src_embed, self.encoder, self.tgt_embed, self.decoder, self.attention, self.out]

    def forward(self, src: np.ndarray, tgt_in: np.ndarray) -> np.ndarray:  # type: ignore[override]
        H = self.encoder.hidden_size
        self._enc = self.encoder.forward(self.src_embed.forward(src))  # (B, T_in, H)
        self._dec = self.decoder.forward(self.tgt_embed.forward(tgt_in))  # (B, T_out, H)
        ctx = self.attention.forward(self._dec, self._enc, self._enc)  # (B, T_out, H)
        self.alignment = self.attention.weights
        B, T = self._dec.shape[:2]
        feats = np.concatenate([self._dec, ctx], axis=-1).reshape(B * T, 2 * H)
        return self.out.forward(feats).reshape(B, T, -1)

    def backward(self, dlogits: np.ndarray) -> None:
        B, T, V = dlogits.shape
        H = self.encoder.hidden_size
        dfeat = self.out.backward(dlogits.reshape(B * T, V)).reshape(B, T, 2 * H)
        dq, dk, dv = self.attention.backward(dfeat[..., H:])
        self.tgt_embed.backward(self.decoder.backward(dfeat[..., :H] + dq))
        self.src_embed.backward(self.encoder.backward(dk + dv))
        return None

    def greedy_decode(self, src: np.ndarray, length: int, bos: int) -> np.ndarray:
        """Decode ``length`` tokens greedily, feeding each prediction back in: returns ``(B, length)`` ids."""
        src = np.asarray(src)
        tgt = np.full((src.shape[0], 1), bos, dtype=np.int64)
        for _ in range(length):
            nxt = self.forward(src, tgt)[:, -1].argmax(axis=-1)
            tgt = np.concatenate([tgt, nxt[:, None]], axis=1)
        return tgt[:, 1:]


# --------------------------------------------------------------------------------------------------------------------
# Positional encodings
# --------------------------------------------------------------------------------------------------------------------
def sinusoidal_positional_encoding(T: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    r"""The sinusoidal table of :cite:t:`vaswani2017attention`, shape ``(T, d_model)``:

    .. math:: PE_{p, 2i} = \sin(p / \text{base}^{2i/d}),\qquad PE_{p, 2i+1} = \cos(p / \text{base}^{2i/d}).
    """
    check_positive(T, "T", integer=True)
    check_positive(d_model, "d_model", integer=True)
    pos = np.arange(T)[:, None]
    freq = base ** (-np.arange(0, d_model, 2) / d_model)  # (ceil(d/2),)
    pe = np.zeros((T, d_model))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq[: d_model // 2])
    return pe


def _check_len(x: np.ndarray, max_len: int, d_model: int) -> None:
    if x.ndim != 3 or x.shape[2] != d_model:
        raise ValueError(f"x must have shape (B, T, {d_model}), got {x.shape}")
    if x.shape[1] > max_len:
        raise ValueError(f"sequence length {x.shape[1]} exceeds the positional table's max_len = {max_len}")


class SinusoidalPositionalEncoding(Module):
    """Adds the fixed sinusoidal table to ``x (B, T, d_model)``; no parameters. ``T > max_len`` raises."""

    def __init__(self, max_len: int, d_model: int, dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        self.max_len, self.d_model = int(max_len), int(d_model)
        self.table = sinusoidal_positional_encoding(max_len, d_model).astype(dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        _check_len(x, self.max_len, self.d_model)
        return x + self.table[: x.shape[1]].astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout


class LearnedPositionalEncoding(Module):
    """Adds a learned vector per position, ``P (max_len, d_model)``, to ``x (B, T, d_model)``."""

    def __init__(
        self,
        max_len: int,
        d_model: int,
        std: float = 0.02,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        self.max_len, self.d_model = int(max_len), int(d_model)
        self.params["P"] = (get_rng(rng).standard_normal((max_len, d_model)) * std).astype(dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        _check_len(x, self.max_len, self.d_model)
        self._T = x.shape[1]
        return x + self.params["P"][: self._T]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dP = np.zeros_like(self.params["P"])
        dP[: self._T] = dout.sum(axis=0)
        self.grads["P"] = dP
        return dout


# --------------------------------------------------------------------------------------------------------------------
# Multi-head attention, feed-forward, the block
# --------------------------------------------------------------------------------------------------------------------
class MultiHeadAttention(Module):
    r"""Multi-head self-attention over ``x (B, T, d_model)``.

    One fused projection gives queries, keys and values for every head, ``W_qkv (3 d, d)`` and ``b_qkv (3 d,)``
    (PyTorch's ``in_proj_weight`` and ``in_proj_bias``); heads attend independently in :math:`d_k = d / h`
    dimensions; their outputs are concatenated and mixed by ``W_o (d, d)``, ``b_o (d,)``.

    Parameters
    ----------
    d_model, n_heads : int
        ``d_model`` must be divisible by ``n_heads``.
    causal : bool
        Each position attends only to itself and earlier positions (a decoder).
    memory_efficient : bool
        Use :func:`chunked_attention` (no :math:`T \times T` array); masks other than causal are then not supported.
    rng, dtype

    Notes
    -----
    ``forward(x, mask=None)`` accepts a boolean mask broadcasting to ``(B, h, T, T)``; the weights of the last call
    are in ``self.attn_weights`` ``(B, h, T, T)`` (not with ``memory_efficient``).
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        causal: bool = False,
        memory_efficient: bool = False,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(d_model, "d_model", integer=True)
        check_positive(n_heads, "n_heads", integer=True)
        if d_model % n_heads:
            raise ValueError(f"d_model must be divisible by n_heads, got d_model={d_model} and n_heads={n_heads}")
        self.d_model, self.n_heads, self.causal = int(d_model), int(n_heads), bool(causal)
        self.memory_efficient = bool(memory_efficient)
        rng = get_rng(rng)
        self.params["W_qkv"] = initialize("xavier_uniform", (3 * d_model, d_model), rng, dtype)
        self.params["b_qkv"] = np.zeros(3 * d_model, dtype=dtype)
        self.params["W_o"] = initialize("xavier_uniform", (d_model, d_model), rng, dtype)
        self.params["b_o"] = np.zeros(d_model, dtype=dtype)

    def forward(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:  # type: ignore[override]
        x = as_float_array(x, "x")
        if x.ndim != 3 or x.shape[2] != self.d_model:
            raise ValueError(f"x must have shape (B, T, {self.d_model}), got {x.shape}")
        x = x.astype(self.params["W_qkv"].dtype, copy=False)
        B, T, d = x.shape
        h = self.n_heads
        xf = x.reshape(B * T, d)
        qkv = xf @ self.params["W_qkv"].T + self.params["b_qkv"]  # (B*T, 3d)
        qkv = qkv.reshape(B, T, 3, h, d // h).transpose(2, 0, 3, 1, 4)  # (3, B, h, T, d_k)
        q, k, v = qkv[0], qkv[1], qkv[2]
        if self.memory_efficient:
            if mask is not None:
                raise ValueError("mask is not supported with memory_efficient=True (use causal)")
            o, self._attn = chunked_attention(q, k, v, causal=self.causal)
            self.attn_weights = None
        else:
            o, self._attn = scaled_dot_product_attention(q, k, v, mask=mask, causal=self.causal)
            self.attn_weights = self._attn[0]  # (B, h, T, T)
        o = o.transpose(0, 2, 1, 3).reshape(B * T, d)  # heads side by side
        self._xf, self._o, self._shape = xf, o, (B, T, d)
        return (o @ self.params["W_o"].T + self.params["b_o"]).reshape(B, T, d)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        B, T, d = self._shape
        h = self.n_heads
        dy = np.asarray(dout, dtype=self._o.dtype).reshape(B * T, d)
        self.grads["W_o"] = dy.T @ self._o
        self.grads["b_o"] = dy.sum(axis=0)
        do = (dy @ self.params["W_o"]).reshape(B, T, h, d // h).transpose(0, 2, 1, 3)  # (B, h, T, d_k)
        back = chunked_attention_backward if self.memory_efficient else attention_backward
        dq, dk, dv = back(do, self._attn)
        dqkv = np.stack([dq, dk, dv]).transpose(1, 3, 0, 2, 4).reshape(B * T, 3 * d)  # (B*T, 3d)
        self.grads["W_qkv"] = dqkv.T @ self._xf
        self.grads["b_qkv"] = dqkv.sum(axis=0)
        return (dqkv @ self.params["W_qkv"]).reshape(B, T, d)

    def __repr__(self) -> str:
        return f"MultiHeadAttention({self.d_model}, n_heads={self.n_heads}, causal={self.causal})"


class FeedForward(Module):
    r"""Position-wise feed-forward network :math:`W_2\,\phi(W_1 x + b_1) + b_2` applied to every position.

    ``W_1 (d_ff, d)``, ``W_2 (d, d_ff)``. :math:`\phi` is GELU in GPT-2's tanh form by default,
    :math:`\tfrac12 a (1 + \tanh(\sqrt{2/\pi}(a + 0.044715 a^3)))` (``"gelu_tanh"``); ``"gelu"`` is the exact
    :math:`a\,\Phi(a)`. Both are computed here in one pass whose intermediate (the tanh, or :math:`\Phi`) is kept
    for the backward pass, the same functions as ``dlbook.activations`` but without evaluating them twice; any other
    name of ``dlbook.activations.get_activation`` is used through its spec.
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
        from dlbook.activations import get_activation

        rng = get_rng(rng)
        self.activation = activation
        self.act = get_activation(activation)
        self.d_model, self.d_ff = int(d_model), int(d_ff)
        self.fc1 = Linear(d_model, d_ff, init="xavier", rng=rng, dtype=dtype)
        self.fc2 = Linear(d_ff, d_model, init="xavier", rng=rng, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.fc1, self.fc2]

    def _phi(self, z: np.ndarray) -> np.ndarray:
        one, half = z.dtype.type(1.0), z.dtype.type(0.5)
        if self.activation == "gelu_tanh":
            c = z.dtype.type(np.sqrt(2.0 / np.pi))
            t = np.tanh(c * (z + z.dtype.type(0.044715) * z * z * z))
            self._aux = t
            return half * z * (one + t)
        if self.activation == "gelu":
            from scipy.special import erf

            cdf = half * (one + erf(z * z.dtype.type(1.0 / np.sqrt(2.0))))
            self._aux = cdf
            return z * cdf
        return self.act.fn(z)

    def _dphi(self, z: np.ndarray) -> np.ndarray:
        one, half = z.dtype.type(1.0), z.dtype.type(0.5)
        if self.activation == "gelu_tanh":
            c = z.dtype.type(np.sqrt(2.0 / np.pi))
            t = self._aux
            g = z * z  # in place below: c (1 + 3 * 0.044715 z^2) * z (1 - t^2) / 2 + (1 + t) / 2
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
        if self.activation == "gelu":
            pdf = z.dtype.type(1.0 / np.sqrt(2.0 * np.pi)) * np.exp(-half * z * z)
            return self._aux + z * pdf
        return self.act.grad(z)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim < 2 or x.shape[-1] != self.d_model:
            raise ValueError(f"x must have shape (..., {self.d_model}), got {x.shape}")
        self._lead = x.shape[:-1]
        self._z = self.fc1.forward(x.reshape(-1, self.d_model))
        return self.fc2.forward(self._phi(self._z)).reshape(*self._lead, self.d_model)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dh = self.fc2.backward(np.asarray(dout).reshape(-1, self.d_model))
        dx = self.fc1.backward(dh * self._dphi(self._z))
        return dx.reshape(*self._lead, self.d_model)

    def __repr__(self) -> str:
        return f"FeedForward({self.d_model}, {self.d_ff}, activation={self.activation!r})"


class TransformerBlock(Module):
    r"""One Transformer block: multi-head self-attention and a feed-forward network, each with a residual
    connection and LayerNorm.

    Pre-LN (``norm_first=True``, GPT-2's choice, the default):
    :math:`y = x + \mathrm{MHA}(\mathrm{LN}_1(x))`, :math:`z = y + \mathrm{FFN}(\mathrm{LN}_2(y))`.
    Post-LN (the original Transformer): :math:`y = \mathrm{LN}_1(x + \mathrm{MHA}(x))`,
    :math:`z = \mathrm{LN}_2(y + \mathrm{FFN}(y))`.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
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
        self.attn = MultiHeadAttention(d_model, n_heads, causal, memory_efficient, rng=rng, dtype=dtype)
        self.ln1 = LayerNorm(d_model, dtype=dtype)
        self.ffn = FeedForward(d_model, d_ff, rng=rng, dtype=dtype)
        self.ln2 = LayerNorm(d_model, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.attn, self.ln1, self.ffn, self.ln2]

    def forward(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:  # type: ignore[override]
        if self.norm_first:
            y = x + self.attn.forward(self.ln1.forward(x), mask)
            return y + self.ffn.forward(self.ln2.forward(y))
        y = self.ln1.forward(x + self.attn.forward(x, mask))
        return self.ln2.forward(y + self.ffn.forward(y))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.norm_first:
            dy = dout + self.ln2.backward(self.ffn.backward(dout))
            return dy + self.ln1.backward(self.attn.backward(dy))
        ds = self.ln2.backward(dout)
        dy = ds + self.ffn.backward(ds)
        dr = self.ln1.backward(dy)
        return dr + self.attn.backward(dr)


class _TransformerStack(Module):
    causal = False

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        d_ff: int | None = None,
        max_len: int = 128,
        norm_first: bool = True,
        positional: str = "learned",
        rng: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(n_layers, "n_layers", integer=True)
        check_choice(positional, "positional", ("learned", "sinusoidal"))
        rng = get_rng(rng)
        self.vocab_size, self.max_len, self.norm_first = int(vocab_size), int(max_len), bool(norm_first)
        self.tok = Embedding(vocab_size, d_model, std=0.02, rng=rng, dtype=dtype)
        if positional == "learned":
            self.pos: Module = LearnedPositionalEncoding(max_len, d_model, rng=rng, dtype=dtype)
        else:
            self.pos = SinusoidalPositionalEncoding(max_len, d_model, dtype=dtype)
        self.blocks = [
            TransformerBlock(d_model, n_heads, d_ff, self.causal, norm_first, rng=rng, dtype=dtype)
            for _ in range(n_layers)
        ]
        self.ln_f = LayerNorm(d_model, dtype=dtype)
        self.head = Linear(d_model, vocab_size, init="xavier", rng=rng, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.tok, self.pos, *self.blocks, self.ln_f, self.head]

    def forward(self, ids: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:  # type: ignore[override]
        ids = np.asarray(ids)
        if ids.ndim != 2:
            raise ValueError(f"ids must have shape (B, T), got {ids.shape}")
        if ids.shape[1] > self.max_len:
            raise ValueError(f"sequence length {ids.shape[1]} exceeds max_len = {self.max_len}")
        x = self.pos.forward(self.tok.forward(ids))
        for block in self.blocks:
            x = block.forward(x, mask)
        if self.norm_first:
            x = self.ln_f.forward(x)
        B, T, d = x.shape
        self._shape = (B, T, d)
        return self.head.forward(x.reshape(B * T, d)).reshape(B, T, -1)

    def backward(self, dlogits: np.ndarray) -> None:
        B, T, d = self._shape
        dx = self.head.backward(np.asarray(dlogits).reshape(B * T, -1)).reshape(B, T, d)
        if self.norm_first:
            dx = self.ln_f.backward(dx)
        else:
            self.ln_f.grads = {k: np.zeros_like(v) for k, v in self.ln_f.params.items()}
        for block in reversed(self.blocks):
            dx = block.backward(dx)
        self.tok.backward(self.pos.backward(dx))
        return None


class GPT(_TransformerStack):
    """A decoder-only Transformer language model :cite:p:`radford2018improving`: token and position embeddings,
    ``n_layers`` causal blocks, a final LayerNorm (pre-LN) and a linear read-out.

    ``forward(ids (B, T)) -> logits (B, T, V)``; position ``t`` sees only ``ids[:, :t+1]``. ``T > max_len`` raises.
    """

    causal = True


class BERTEncoder(_TransformerStack):
    """A bidirectional Transformer encoder :cite:p:`devlin2018bert`: the same stack as :class:`GPT` without the
    causal mask, so every position sees the whole sequence; the read-out scores each position's token (the masked
    language-model head). ``forward(ids (B, T), mask=None)``; ``mask`` from :func:`padding_mask` hides padding.
    """

    causal = False


# --------------------------------------------------------------------------------------------------------------------
# Tasks and training helpers used by the chapters
# --------------------------------------------------------------------------------------------------------------------
def reversal_task(
    n: int, T: int, n_symbols: int = 10, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A toy translation task: the target is the source sequence reversed.

    Returns ``src (n, T)`` with ids in ``[0, n_symbols)`` and ``tgt (n, T)`` = ``src[:, ::-1]``. Decoders use the
    extra id ``n_symbols`` as the start-of-sequence token.
    """
    check_positive(n, "n", integer=True)
    check_positive(T, "T", integer=True)
    src = get_rng(rng).integers(0, n_symbols, size=(n, T))
    return src, np.ascontiguousarray(src[:, ::-1])


def train_seq2seq(
    model: Seq2SeqAttention,
    src: np.ndarray,
    tgt: np.ndarray,
    bos: int,
    *,
    steps: int = 500,
    batch_size: int = 64,
    lr: float = 3e-3,
    clip: float = 1.0,
    rng: np.random.Generator | int | None = 0,
) -> list[float]:
    """Train a :class:`Seq2SeqAttention` with teacher forcing, Adam and clipping; returns the loss of every step.

    The decoder reads ``[bos, tgt[:, :-1]]`` and is trained to predict ``tgt``.
    """
    from dlbook.optim import Adam, clip_grad_norm
    from dlbook.text import sequence_cross_entropy

    rng = get_rng(rng)
    opt, losses = Adam(model, lr=lr), []
    for _ in range(steps):
        idx = rng.integers(0, len(src), size=batch_size)
        s, t = src[idx], tgt[idx]
        t_in = np.concatenate([np.full((batch_size, 1), bos), t[:, :-1]], axis=1)
        loss, dlogits = sequence_cross_entropy(model.forward(s, t_in), t)
        model.backward(dlogits)
        clip_grad_norm(model, clip)
        opt.step()
        losses.append(loss)
    return losses


def train_char_gpt(
    vocab_size: int,
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    steps: int = 400,
    d_model: int = 64,
    n_layers: int = 2,
    rng: int = 0,
) -> tuple[GPT, object]:
    """The course's tiny character-level GPT, trained exactly like ``dlbook.rnn.train_char_lstm``.

    A :class:`GPT` (``d_model`` 64, 4 heads, ``n_layers`` pre-LN blocks, context 64, float32) trained by
    :func:`dlbook.text.train_language_model` on windows of 64 characters, batches of 32, Adam (lr 3e-3), clipping
    at norm 1. Returns ``(model, history)``.
    """
    from dlbook.text import train_language_model

    model = GPT(vocab_size, d_model=d_model, n_heads=4, n_layers=n_layers, max_len=64, rng=rng, dtype=np.float32)
    hist = train_language_model(
        model, train_ids, val_ids, steps=steps, batch_size=32, seq_len=64, lr=3e-3, clip=1.0, eval_every=25, rng=rng
    )
    return model, hist
