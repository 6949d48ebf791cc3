r"""Models of sequences built from the layers: a recurrent classifier, recurrent and Transformer language models, an
encoder-decoder with attention, and sampling from a language model.

Every model follows the layer contract of :mod:`dlbook.layers`: its inputs are token ids, which have no gradient, so
``backward(dlogits)`` fills the gradients of every parameter and returns ``None`` (one ``None`` per input: a tuple
``(None, None)`` for the encoder-decoder). They train with :func:`dlbook.train.fit` on batches from
:class:`dlbook.text.WindowBatches` (language models) or :class:`dlbook.data.TeacherForcedBatches` (translation),
with ``loss="softmax_ce"`` over the last axis of the logits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import check_choice, check_positive, float_dtype, get_rng
from dlbook.activations import softmax
from dlbook.attention import (
    AdditiveAttention,
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TransformerBlock,
)
from dlbook.layers import Embedding, Linear, Module, _as_ids
from dlbook.normalization import LayerNorm
from dlbook.rnn import LSTM, RNN
from dlbook.text import Vocabulary

__all__ = ["GPT", "BERTEncoder", "CharLM", "Seq2SeqAttention", "SequenceClassifier", "generate"]


def _fmt(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_ids_2d(ids: Any, name: str, vocab_size: int | None = None) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have shape (B, T) with B, T >= 1, got {_fmt(arr.shape)}")
    return arr if vocab_size is None else _as_ids(arr, name, vocab_size)


def _make_cell(
    cell: str, D: int, H: int, rng: np.random.Generator, dtype: DTypeLike, forget_bias: float = 1.0
) -> RNN | LSTM:
    check_choice(cell, "cell", ("rnn", "lstm"))
    if cell == "lstm":
        return LSTM(D, H, forget_bias=forget_bias, rng=rng, dtype=dtype)
    return RNN(D, H, rng=rng, dtype=dtype)


# --------------------------------------------------------------------------------------------------------------------
# Recurrent models
# --------------------------------------------------------------------------------------------------------------------
class SequenceClassifier(Module):
    """Embedding, a recurrent layer, and a linear read-out of the **last** hidden state.

    ``forward(ids (B, T)) -> logits (B, num_classes)``; ``backward(dlogits)`` returns ``None`` (token ids).

    Parameters
    ----------
    vocab_size, embed_dim, hidden_size, num_classes : int
    cell : {"lstm", "rnn"}
    forget_bias : float
        Added to the LSTM's forget-gate bias at initialization (ignored for the RNN).
    rng, dtype
        Randomness and floating type of the parameters.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        hidden_size: int,
        num_classes: int,
        cell: str = "lstm",
        forget_bias: float = 1.0,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(num_classes, "num_classes", integer=True)
        rng = get_rng(rng)
        self.embed = Embedding(vocab_size, embed_dim, rng=rng, dtype=dtype)
        self.rnn = _make_cell(cell, embed_dim, hidden_size, rng, dtype, forget_bias)
        self.head = Linear(hidden_size, num_classes, init="xavier", rng=rng, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.embed, self.rnn, self.head]

    def forward(self, ids: np.ndarray) -> np.ndarray:
        hs = self.rnn.forward(self.embed.forward(_check_ids_2d(ids, "ids")))  # (B, T, H)
        self._cache = hs.shape
        return self.head.forward(hs[:, -1])

    def backward(self, dout: np.ndarray) -> None:
        shape = self._get_cache()
        dhs = np.zeros(shape, dtype=self.head.dtype)
        dhs[:, -1] = self.head.backward(dout)  # the head checks dout's shape
        self.embed.backward(self.rnn.backward(dhs))
        return None

    def __repr__(self) -> str:
        return f"SequenceClassifier({self.embed!r}, {self.rnn!r}, {self.head!r})"


class CharLM(Module):
    """A recurrent character-level language model: embedding, RNN or LSTM, linear read-out at every step.

    ``forward(ids (B, T)) -> logits (B, T, vocab_size)``: the logits at ``t`` score the character following
    ``ids[:, t]``. ``backward(dlogits)`` returns ``None`` (token ids). :meth:`step` advances one character at a time
    for generation (LSTM cell).

    Parameters
    ----------
    vocab_size, embed_dim, hidden_size : int
    cell : {"lstm", "rnn"}
    rng, dtype
        Randomness and floating type of the parameters (float32 by default: the chapters' models are large).
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 256,
        cell: str = "lstm",
        rng: np.random.Generator | int | None = None,
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
        hs = self.rnn.forward(self.embed.forward(_check_ids_2d(ids, "ids")))  # (B, T, H)
        B, T, H = hs.shape
        self._cache = (B, T, H)
        return self.head.forward(hs.reshape(B * T, H)).reshape(B, T, self.vocab_size)  # one BLAS product

    def backward(self, dout: np.ndarray) -> None:
        B, T, H = self._get_cache()
        dout = np.asarray(dout)
        if dout.shape != (B, T, self.vocab_size):
            raise ValueError(f"dout must have shape {_fmt((B, T, self.vocab_size))}, got {_fmt(dout.shape)}")
        self.embed.backward(
            self.rnn.backward(self.head.backward(dout.reshape(B * T, self.vocab_size)).reshape(B, T, H))
        )
        return None

    def step(
        self, ids_t: np.ndarray, state: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Logits for the character after ``ids_t``, and the new state (LSTM cell only; no cache for backward).

        Parameters
        ----------
        ids_t : (B,) int
            The current character of each sequence.
        state : (h, c), optional
            From the previous call (zeros if None).

        Returns
        -------
        logits : (B, vocab_size)
        state : (h, c), each (B, hidden_size)
        """
        if not isinstance(self.rnn, LSTM):
            raise ValueError("CharLM.step needs cell='lstm'; an RNN cell generates with forward over the context")
        ids_t = np.asarray(ids_t)
        if ids_t.ndim != 1:
            raise ValueError(f"ids_t must have shape (B,), got {_fmt(ids_t.shape)}")
        ids_t = _as_ids(ids_t, "ids_t", self.vocab_size)
        h, state = self.rnn.step(self.embed.forward(ids_t), state)
        return self.head.forward(h), state

    def __repr__(self) -> str:
        return f"CharLM({self.embed!r}, {self.rnn!r}, {self.head!r})"


# --------------------------------------------------------------------------------------------------------------------
# Transformer language models
# --------------------------------------------------------------------------------------------------------------------
class _TransformerStack(Module):
    """Token and position embeddings, ``num_layers`` Transformer blocks, a final LayerNorm, a linear read-out."""

    causal = False

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 64,
        num_heads: int = 4,
        num_layers: int = 2,
        d_ff: int | None = None,
        max_len: int = 128,
        norm_first: bool = True,
        positional: str = "learned",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(d_model, "d_model", integer=True)
        check_positive(num_layers, "num_layers", integer=True)
        check_positive(max_len, "max_len", integer=True)
        check_choice(positional, "positional", ("learned", "sinusoidal"))
        rng = get_rng(rng)
        dtype = float_dtype(dtype)
        self.vocab_size, self.max_len, self.norm_first = int(vocab_size), int(max_len), bool(norm_first)
        self.tok = Embedding(vocab_size, d_model, std=0.02, rng=rng, dtype=dtype)
        if positional == "learned":
            self.pos: Module = LearnedPositionalEncoding(max_len, d_model, rng=rng, dtype=dtype)
        else:
            self.pos = SinusoidalPositionalEncoding(max_len, d_model, dtype=dtype)
        self.blocks = [
            TransformerBlock(d_model, num_heads, d_ff, self.causal, norm_first, rng=rng, dtype=dtype)
            for _ in range(num_layers)
        ]
        self.ln_f = LayerNorm(d_model, dtype=dtype)
        self.head = Linear(d_model, vocab_size, init="xavier", rng=rng, dtype=dtype)

    def children(self) -> list[Module]:
        return [self.tok, self.pos, *self.blocks, self.ln_f, self.head]

    def forward(self, ids: np.ndarray, *, mask: np.ndarray | None = None) -> np.ndarray:
        ids = _check_ids_2d(ids, "ids")
        if ids.shape[1] > self.max_len:
            raise ValueError(f"ids's sequence length {ids.shape[1]} exceeds max_len = {self.max_len}")
        x = self.pos.forward(self.tok.forward(ids))
        for block in self.blocks:
            x = block.forward(x, mask=mask)
        if self.norm_first:
            x = self.ln_f.forward(x)
        B, T, d = x.shape
        self._cache = (B, T, d)
        return self.head.forward(x.reshape(B * T, d)).reshape(B, T, self.vocab_size)  # one BLAS product

    def backward(self, dout: np.ndarray) -> None:
        B, T, d = self._get_cache()
        dout = np.asarray(dout)
        if dout.shape != (B, T, self.vocab_size):
            raise ValueError(f"dout must have shape {_fmt((B, T, self.vocab_size))}, got {_fmt(dout.shape)}")
        dx = self.head.backward(dout.reshape(B * T, self.vocab_size)).reshape(B, T, d)
        if self.norm_first:
            dx = self.ln_f.backward(dx)
        else:  # post-LN blocks end with their own LayerNorm: the final one is unused
            self.ln_f.grads = {k: np.zeros_like(v) for k, v in self.ln_f.params.items()}
        for block in reversed(self.blocks):
            dx = block.backward(dx)
        self.tok.backward(self.pos.backward(dx))
        return None

    def __repr__(self) -> str:
        b = self.blocks[0].attn
        return (
            f"{type(self).__name__}({self.vocab_size}, d_model={b.d_model}, num_heads={b.num_heads}, "
            f"num_layers={len(self.blocks)}, max_len={self.max_len})"
        )


class GPT(_TransformerStack):
    """A decoder-only Transformer language model :cite:p:`radford2018improving`: token and position embeddings,
    ``num_layers`` causal blocks, a final LayerNorm (pre-LN) and a linear read-out.

    ``forward(ids (B, T), *, mask=None) -> logits (B, T, vocab_size)``; position ``t`` sees only ``ids[:, :t+1]``.
    ``T > max_len`` raises. ``backward(dlogits)`` returns ``None`` (token ids).

    Parameters
    ----------
    vocab_size, d_model, num_heads, num_layers : int
    d_ff : int, optional
        Hidden width of each feed-forward network (``4 * d_model``).
    max_len : int
        Longest sequence (the size of the positional table).
    norm_first : bool
        Pre-LN blocks (GPT-2) or post-LN.
    positional : {"learned", "sinusoidal"}
    rng, dtype
        Randomness and floating type of the parameters.
    """

    causal = True


class BERTEncoder(_TransformerStack):
    """A bidirectional Transformer encoder :cite:p:`devlin2018bert`: the same stack as :class:`GPT` without the
    causal mask, so every position sees the whole sequence; the read-out scores each position's token (the masked
    language-model head). ``forward(ids (B, T), *, mask=None)``; ``mask`` from
    :func:`dlbook.attention.padding_mask` hides padding. Parameters as :class:`GPT`.
    """

    causal = False


# --------------------------------------------------------------------------------------------------------------------
# Encoder-decoder with attention
# --------------------------------------------------------------------------------------------------------------------
class Seq2SeqAttention(Module):
    """An LSTM encoder-decoder whose decoder attends to the encoder states with additive attention.

    The decoder LSTM reads the previous target tokens (teacher forcing); at each output step its state
    :math:`s_i` is the query, the encoder states :math:`h_j` are keys and values, and the prediction is a linear
    map of :math:`[s_i; c_i]` (the context joins after the decoder's recurrence, as in Luong et al.'s variant, so
    that all output steps run in one pass).

    ``forward(src (B, T_in), tgt_in (B, T_out)) -> logits (B, T_out, tgt_vocab_size)``; ``backward(dlogits)``
    returns ``(None, None)`` (both inputs are token ids). ``self.alignment`` keeps the weights ``(B, T_out, T_in)``.

    Parameters
    ----------
    src_vocab_size, tgt_vocab_size : int
        Vocabularies of the source and of the target (the latter includes the start token).
    embed_dim, hidden_size, attn_dim : int
    rng, dtype
        Randomness and floating type of the parameters.
    """

    def __init__(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 64,
        attn_dim: int = 64,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(src_vocab_size, "src_vocab_size", integer=True)
        check_positive(tgt_vocab_size, "tgt_vocab_size", integer=True)
        rng = get_rng(rng)
        self.src_embed = Embedding(src_vocab_size, embed_dim, rng=rng, dtype=dtype)
        self.encoder = LSTM(embed_dim, hidden_size, rng=rng, dtype=dtype)
        self.tgt_embed = Embedding(tgt_vocab_size, embed_dim, rng=rng, dtype=dtype)
        self.decoder = LSTM(embed_dim, hidden_size, rng=rng, dtype=dtype)
        self.attention = AdditiveAttention(hidden_size, hidden_size, attn_dim, rng=rng, dtype=dtype)
        self.out = Linear(2 * hidden_size, tgt_vocab_size, init="xavier", rng=rng, dtype=dtype)
        self.alignment: np.ndarray | None = None

    def children(self) -> list[Module]:
        return [self.src_embed, self.encoder, self.tgt_embed, self.decoder, self.attention, self.out]

    def forward(self, src: np.ndarray, tgt_in: np.ndarray) -> np.ndarray:
        src = _check_ids_2d(src, "src", self.src_embed.vocab_size)
        tgt_in = _check_ids_2d(tgt_in, "tgt_in", self.tgt_embed.vocab_size)
        if src.shape[0] != tgt_in.shape[0]:
            raise ValueError(
                f"src and tgt_in must hold the same number of sequences, got {src.shape[0]} and {tgt_in.shape[0]}"
            )
        enc = self.encoder.forward(self.src_embed.forward(src))  # (B, T_in, H)
        dec = self.decoder.forward(self.tgt_embed.forward(tgt_in))  # (B, T_out, H)
        ctx = self.attention.forward(dec, enc, enc)  # (B, T_out, H)
        self.alignment = self.attention.weights
        self._cache = dec.shape[2]
        return self.out.forward(np.concatenate([dec, ctx], axis=-1))

    def backward(self, dout: np.ndarray) -> tuple[None, None]:
        H = self._get_cache()
        dfeat = self.out.backward(dout)  # (B, T_out, 2H)
        dq, dk, dv = self.attention.backward(dfeat[..., H:])
        self.tgt_embed.backward(self.decoder.backward(dfeat[..., :H] + dq))
        self.src_embed.backward(self.encoder.backward(dk + dv))
        return None, None

    def greedy_decode(self, src: np.ndarray, length: int, bos: int) -> np.ndarray:
        """Decode ``length`` tokens greedily, feeding each prediction back in.

        Parameters
        ----------
        src : (B, T_in) int
        length : int
            Tokens to produce.
        bos : int
            The start-of-sequence token the decoder reads first.

        Returns
        -------
        tokens : (B, length) int64
        """
        check_positive(length, "length", integer=True)
        src = _check_ids_2d(src, "src", self.src_embed.vocab_size)
        V = self.tgt_embed.vocab_size
        if isinstance(bos, bool) or not isinstance(bos, int | np.integer) or not 0 <= bos < V:
            raise ValueError(f"bos must be a token id in [0, {V}), got {bos!r}")
        tgt = np.full((src.shape[0], 1), bos, dtype=np.int64)
        for _ in range(length):
            nxt = self.forward(src, tgt)[:, -1].argmax(axis=-1)
            tgt = np.concatenate([tgt, nxt[:, None]], axis=1)
        return tgt[:, 1:]


# --------------------------------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------------------------------
def generate(
    model: CharLM | GPT,
    vocab: Vocabulary,
    prompt: str,
    length: int = 200,
    temperature: float = 0.8,
    rng: np.random.Generator | int | None = 0,
) -> str:
    """Sample ``length`` characters after ``prompt``, one at a time, each from ``softmax(logits / temperature)``.

    A :class:`CharLM` with an LSTM cell carries its state forward with :meth:`CharLM.step`; any other model (GPT,
    a CharLM with an RNN cell) is re-run on the last ``model.max_len`` characters (all of them if it has no
    ``max_len``) for every new one.

    Parameters
    ----------
    model : CharLM or GPT
        ``forward(ids (1, T)) -> logits (1, T, V)``.
    vocab : dlbook.text.Vocabulary
        Encodes the prompt and decodes the result.
    prompt : str
        At least one character, all in the vocabulary.
    length : int
        Characters to add.
    temperature : float
        Below 1 sharpens the distribution, above 1 flattens it.
    rng : numpy.random.Generator or int
        Seed 0 by default, so a sample repeats.

    Returns
    -------
    str
        ``prompt`` followed by the ``length`` sampled characters.
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be a dlbook language model (CharLM, GPT), got {type(model).__name__}")
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a dlbook.text.Vocabulary, got {type(vocab).__name__}")
    check_positive(length, "length", integer=True)
    check_positive(temperature, "temperature")
    rng = get_rng(rng)
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
    try:
        ids = list(vocab.encode(prompt))
    except ValueError as exc:
        raise ValueError(f"prompt must use only characters of the vocabulary: {exc}") from None
    if not ids:
        raise ValueError("prompt must hold at least one character, got an empty string")

    def sample(logits: np.ndarray) -> int:
        p = softmax(np.asarray(logits, dtype=np.float64) / temperature)
        return int(rng.choice(len(p), p=p))

    if isinstance(model, CharLM) and isinstance(model.rnn, LSTM):
        state = None
        for i in ids[:-1]:
            _, state = model.step(np.array([i]), state)
        for _ in range(length):
            logits, state = model.step(np.array([ids[-1]]), state)
            ids.append(sample(logits[0]))
    else:
        window = int(getattr(model, "max_len", len(ids) + length))
        for _ in range(length):
            ctx = np.array([ids[-window:]])
            ids.append(sample(model.forward(ctx)[0, -1]))
    return vocab.decode(ids)
