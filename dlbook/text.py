r"""A character-level text pipeline: the corpus, a vocabulary, and batches of windows.

The corpus is English text that ships with Python itself: the documentation topics in ``pydoc_data.topics`` (the
pages ``help()`` shows, about 465,000 characters), so nothing is downloaded. A language model reads windows of
:math:`T` characters and learns to predict, at every position, the character that follows:

.. math:: x_{1:T} = c_{s+1}, \dots, c_{s+T}, \qquad y_{1:T} = c_{s+2}, \dots, c_{s+T+1}.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlbook._checks import check_positive, check_probability, get_rng

__all__ = [
    "LMHistory",
    "Vocabulary",
    "evaluate_language_model",
    "generate",
    "load_char_corpus",
    "load_pydoc_text",
    "random_windows",
    "sequence_cross_entropy",
    "train_language_model",
    "train_val_split",
]


def load_pydoc_text() -> str:
    """Return Python's bundled documentation text: every topic of ``pydoc_data.topics``, sorted by name, joined.

    Returns
    -------
    str
        About 465,000 characters of English (with some code), identical on every run.
    """
    from pydoc_data import topics

    return "\n".join(topics.topics[name].strip() for name in sorted(topics.topics))


class Vocabulary:
    """A bijection between characters and the integers ``0 .. size - 1``.

    Parameters
    ----------
    chars : iterable of str
        The characters; duplicates are removed and the rest sorted, so the ids do not depend on the order given.

    Attributes
    ----------
    chars : list[str]
        The characters, indexed by id.
    """

    def __init__(self, chars: Iterable[str]) -> None:
        self.chars: list[str] = sorted(set(chars))
        if not self.chars or any(len(c) != 1 for c in self.chars):
            raise ValueError("chars must be a non-empty collection of single characters")
        self._index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The vocabulary of every character that occurs in ``text``."""
        return cls(text)

    @property
    def size(self) -> int:
        """Number of characters."""
        return len(self.chars)

    def __len__(self) -> int:
        return self.size

    def encode(self, text: str) -> np.ndarray:
        """Map a string to an ``int64`` array of ids; an unknown character raises ``ValueError``."""
        try:
            return np.fromiter((self._index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise ValueError(f"text contains the character {exc.args[0]!r}, which is not in the vocabulary") from None

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """Map ids back to a string."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size}), got values from {ids.min()} to {ids.max()}")
        return "".join(self.chars[i] for i in ids)

    def __repr__(self) -> str:
        return f"Vocabulary(size={self.size})"


def train_val_split(ids: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Split a token stream into a training part (the beginning) and a validation part (the last ``val_fraction``).

    A contiguous split, not a shuffled one: windows drawn from the two parts never overlap.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D array of token ids, got shape {ids.shape}")
    check_probability(val_fraction, "val_fraction")
    n_val = int(round(len(ids) * val_fraction))
    return ids[: len(ids) - n_val], ids[len(ids) - n_val :]


def load_char_corpus(val_fraction: float = 0.1) -> tuple[Vocabulary, np.ndarray, np.ndarray]:
    """The pydoc text as ``(vocabulary, train_ids, val_ids)``, ready for :func:`random_windows`."""
    text = load_pydoc_text()
    vocab = Vocabulary.from_text(text)
    train, val = train_val_split(vocab.encode(text), val_fraction)
    return vocab, train, val


def random_windows(
    ids: np.ndarray, batch_size: int, seq_len: int, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``batch_size`` windows at random offsets: inputs and the same windows shifted by one.

    Parameters
    ----------
    ids : (L,)
        The token stream.
    batch_size, seq_len : int
        Number of windows and their length :math:`T`.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    x, y : (batch_size, seq_len) int64
        ``y[b, t] = x[b, t + 1]`` inside the stream: the next-token targets.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D array of token ids, got shape {ids.shape}")
    check_positive(batch_size, "batch_size", integer=True)
    check_positive(seq_len, "seq_len", integer=True)
    if len(ids) < seq_len + 1:
        raise ValueError(f"ids must hold at least seq_len + 1 = {seq_len + 1} tokens, got {len(ids)}")
    starts = get_rng(rng).integers(0, len(ids) - seq_len, size=batch_size)
    idx = starts[:, None] + np.arange(seq_len + 1)  # (B, T+1)
    win = ids[idx].astype(np.int64)
    return win[:, :-1], win[:, 1:]


# --------------------------------------------------------------------------------------------------------------------
# Training a language model
# --------------------------------------------------------------------------------------------------------------------
def sequence_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean next-token cross-entropy over every position: :math:`-\frac{1}{BT}\sum_{b,t} \log p(y_{bt})`.

    Parameters
    ----------
    logits : (B, T, V)
    targets : (B, T) int

    Returns
    -------
    loss : float
        In nats per character.
    dlogits : (B, T, V)
    """
    from dlbook.losses import softmax_cross_entropy

    logits = np.asarray(logits)
    if logits.ndim != 3 or np.shape(targets) != logits.shape[:2]:
        raise ValueError(f"logits must be (B, T, V) and targets (B, T), got {logits.shape} and {np.shape(targets)}")
    B, T, V = logits.shape
    loss, d = softmax_cross_entropy(logits.reshape(B * T, V), np.asarray(targets).reshape(B * T))
    return loss, d.reshape(B, T, V)


@dataclass
class LMHistory:
    """A language model's training record: at each evaluation ``step``, the mean training loss since the last one,
    the validation loss (nats per character) and the seconds elapsed."""

    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)


def evaluate_language_model(
    model: Any, ids: np.ndarray, batch_size: int = 64, seq_len: int = 64, n_batches: int = 4, rng: int = 1234
) -> float:
    """Mean cross-entropy of ``model`` on ``n_batches`` fixed random windows of ``ids`` (same windows every call)."""
    rng_ = get_rng(rng)
    losses = []
    for _ in range(n_batches):
        x, y = random_windows(ids, batch_size, seq_len, rng_)
        losses.append(sequence_cross_entropy(model.forward(x), y)[0])
    return float(np.mean(losses))


def train_language_model(
    model: Any,
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    *,
    steps: int = 500,
    batch_size: int = 32,
    seq_len: int = 64,
    lr: float = 3e-3,
    clip: float = 1.0,
    eval_every: int = 50,
    eval_batches: int = 4,
    rng: np.random.Generator | int | None = 0,
) -> LMHistory:
    """Train a next-character model with Adam and gradient-norm clipping on random windows.

    ``model.forward(ids (B, T)) -> logits (B, T, V)`` and ``model.backward(dlogits)``: a
    :class:`dlbook.rnn.CharLM` or a :class:`dlbook.attention.GPT` alike, so the two are trained and measured the
    same way. Every ``eval_every`` steps the validation loss is measured on the same ``eval_batches`` windows of
    ``val_ids``.
    """
    from dlbook.optim import Adam, clip_grad_norm

    check_positive(steps, "steps", integer=True)
    rng = get_rng(rng)
    opt = Adam(model, lr=lr)
    hist, recent, t0 = LMHistory(), [], time.perf_counter()
    for step in range(1, steps + 1):
        x, y = random_windows(train_ids, batch_size, seq_len, rng)
        loss, dlogits = sequence_cross_entropy(model.forward(x), y)
        model.backward(dlogits)
        clip_grad_norm(model, clip)
        opt.step()
        recent.append(loss)
        if step % eval_every == 0 or step == steps:
            hist.steps.append(step)
            hist.train_loss.append(float(np.mean(recent)))
            hist.val_loss.append(evaluate_language_model(model, val_ids, batch_size, seq_len, eval_batches))
            hist.time.append(time.perf_counter() - t0)
            recent = []
    return hist


def generate(
    model: Any,
    vocab: Vocabulary,
    prompt: str,
    length: int = 200,
    temperature: float = 0.8,
    rng: np.random.Generator | int | None = 0,
) -> str:
    """Sample ``length`` characters after ``prompt``, one at a time, each from ``softmax(logits / temperature)``.

    A model with a ``step`` method (the LSTM) carries its state forward; any other model (GPT) is re-run on the
    last ``model.max_len`` characters for every new one.
    """
    check_positive(length, "length", integer=True)
    check_positive(temperature, "temperature")
    rng = get_rng(rng)
    ids = list(vocab.encode(prompt))
    if not ids:
        raise ValueError("prompt must not be empty")

    def sample(logits: np.ndarray) -> int:
        z = np.asarray(logits, dtype=np.float64) / temperature
        p = np.exp(z - z.max())
        return int(rng.choice(len(p), p=p / p.sum()))

    if hasattr(model, "step"):
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
