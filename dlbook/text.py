r"""A character-level text pipeline: the corpus, a vocabulary, and batches of windows.

The corpus is English text that ships with Python itself: the documentation topics in ``pydoc_data.topics`` (the
pages ``help()`` shows, about 465,000 characters), so nothing is downloaded. A language model reads windows of
:math:`T` characters and learns to predict, at every position, the character that follows:

.. math:: x_{1:T} = c_{s+1}, \dots, c_{s+T}, \qquad y_{1:T} = c_{s+2}, \dots, c_{s+T+1}.

:class:`WindowBatches` yields such ``(x, y)`` pairs for :func:`dlbook.train.fit`; the models themselves are in
:mod:`dlbook.language_models`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pydoc_data import topics

import numpy as np

from dlbook._checks import check_positive, check_probability, get_rng

__all__ = ["Vocabulary", "WindowBatches", "load_char_corpus", "load_pydoc_text", "random_windows", "train_val_split"]


def load_pydoc_text() -> str:
    """Return Python's bundled documentation text: every topic of ``pydoc_data.topics``, sorted by name, joined.

    Returns
    -------
    str
        About 465,000 characters of English (with some code), identical on every run.
    """
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
        if not isinstance(chars, str | Iterable):
            raise TypeError(f"chars must be a string or a collection of characters, got {type(chars).__name__}")
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
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        try:
            return np.fromiter((self._index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise ValueError(f"text contains the character {exc.args[0]!r}, which is not in the vocabulary") from None

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """Map ids back to a string."""
        arr = np.asarray(ids)
        if arr.dtype.kind not in "biuf" or (arr.dtype.kind == "f" and np.any(arr != np.round(arr))):
            raise ValueError(f"ids must hold integer token ids, got {arr.dtype} values")
        ids = arr.astype(np.int64).ravel()
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
    """The pydoc text as ``(vocabulary, train_ids, val_ids)``, ready for :class:`WindowBatches`.

    Parameters
    ----------
    val_fraction : float
        Share of the text (its end) held out for validation.

    Returns
    -------
    vocab : Vocabulary
    train_ids, val_ids : (L,) int64
    """
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
    ids = _check_stream(ids, seq_len)
    check_positive(batch_size, "batch_size", integer=True)
    starts = get_rng(rng).integers(0, len(ids) - seq_len, size=batch_size)
    idx = starts[:, None] + np.arange(seq_len + 1)  # (B, T+1)
    win = ids[idx].astype(np.int64)
    return win[:, :-1], win[:, 1:]


def _check_stream(ids: np.ndarray, seq_len: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D array of token ids, got shape {ids.shape}")
    if ids.dtype.kind not in "iu":
        raise ValueError(f"ids must hold integer token ids, got dtype {ids.dtype}")
    check_positive(seq_len, "seq_len", integer=True)
    if len(ids) < seq_len + 1:
        raise ValueError(f"ids must hold at least seq_len + 1 = {seq_len + 1} tokens, got {len(ids)}")
    return ids


class WindowBatches:
    """Batches of random windows of a token stream, for training a language model with :func:`dlbook.train.fit`.

    Every batch is ``(x, y)`` from :func:`random_windows`: ``batch_size`` windows of ``seq_len`` tokens at random
    offsets and the same windows shifted by one (the next-token targets). All batches come from ONE generator, so
    a seed gives one fixed sequence of batches.

    Parameters
    ----------
    ids : (L,) int
        The token stream.
    batch_size, seq_len : int
        Windows per batch and their length :math:`T`.
    num_batches : int, optional
        Batches per pass; ``None`` (default) is an endless stream: train with ``fit(..., steps=...)`` (with
        ``epochs`` an endless stream would never finish its first epoch).
    rng : numpy.random.Generator or int, optional
        The generator (``None``: fresh entropy).

    Examples
    --------
    Training windows, and a fixed validation set (a list: the same batches at every evaluation):

    >>> train = WindowBatches(train_ids, batch_size=32, seq_len=64, rng=0)  # doctest: +SKIP
    >>> val = list(WindowBatches(val_ids, batch_size=32, seq_len=64, num_batches=4, rng=1234))  # doctest: +SKIP
    """

    def __init__(
        self,
        ids: np.ndarray,
        batch_size: int,
        seq_len: int,
        num_batches: int | None = None,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.ids = _check_stream(ids, seq_len)
        check_positive(batch_size, "batch_size", integer=True)
        if num_batches is not None:
            check_positive(num_batches, "num_batches", integer=True)
        self.batch_size, self.seq_len = int(batch_size), int(seq_len)
        self.num_batches = None if num_batches is None else int(num_batches)
        self.rng = get_rng(rng)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        b = 0
        while self.num_batches is None or b < self.num_batches:
            yield random_windows(self.ids, self.batch_size, self.seq_len, self.rng)
            b += 1

    def __repr__(self) -> str:
        return f"WindowBatches(L={len(self.ids)}, batch_size={self.batch_size}, seq_len={self.seq_len})"
