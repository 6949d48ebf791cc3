"""Datasets the chapters train on: generated 2-D problems and scikit-learn's bundled handwritten digits.

Every 2-D generator returns ``(X, y)`` with ``X`` of shape (N, 2) in float64 and integer labels ``y`` of shape (N,)
in int64, takes ``n`` (the total number of points, split as evenly as possible among the classes), a ``noise``
level and an ``rng``, and never touches NumPy's global random state. Nothing is downloaded: the digits ship inside
scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from dlbook._checks import as_float_array, check_positive, check_probability, check_shape, get_rng

__all__ = [
    "PLAYGROUND_FEATURES",
    "blobs",
    "checkerboard",
    "circles",
    "load_digits",
    "moons",
    "playground_features",
    "spiral",
    "xor",
]


def _check_n(n: int, num_classes: int) -> None:
    check_positive(n, "n", integer=True)
    check_positive(num_classes, "num_classes", integer=True)
    if n < num_classes:
        raise ValueError(f"n must be at least num_classes ({num_classes}), got {n}")


def _counts(n: int, k: int) -> list[int]:
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order].astype(np.int64)


def spiral(
    n: int = 300,
    num_classes: int = 2,
    noise: float = 0.1,
    rng: np.random.Generator | int | None = 0,
    turns: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``num_classes`` interleaved spiral arms, one class per arm.

    Arm ``c`` is the curve :math:`r (\\cos\\theta, \\sin\\theta)` with radius ``r`` from 0.05 to 1 and angle
    :math:`\\theta = 2\\pi c / K + 2\\pi\\,\\text{turns}\\, r` (:math:`K` = ``num_classes``), with Gaussian noise
    of standard deviation ``noise`` (radians) added to the angle.

    Parameters
    ----------
    n : int
        Total number of points.
    num_classes : int
        Number of arms (classes).
    noise : float
        Noise level (0 gives points exactly on the arms).
    rng : numpy.random.Generator or int
        Seed or generator.
    turns : float
        How many full turns each arm makes.

    Returns
    -------
    X : (n, 2) float64
    y : (n,) int64
    """
    _check_n(n, num_classes)
    check_positive(noise, "noise", allow_zero=True)
    check_positive(turns, "turns")
    rng = get_rng(rng)
    k = int(num_classes)
    Xs, ys = [], []
    for c, m in enumerate(_counts(n, k)):
        r = np.linspace(0.05, 1.0, m)
        theta = 2 * np.pi * c / k + 2 * np.pi * turns * r + rng.normal(0.0, noise, m)
        Xs.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
        ys.append(np.full(m, c))
    return _finish(np.concatenate(Xs), np.concatenate(ys), rng)


def checkerboard(
    n: int = 400, tiles: int = 4, noise: float = 0.0, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform on the square [-1, 1]^2, labelled by the colour of a ``tiles`` x ``tiles`` checkerboard.

    Parameters
    ----------
    n : int
        Number of points.
    tiles : int
        Squares per side.
    noise : float
        Standard deviation of Gaussian noise added to the points after labelling.
    rng : numpy.random.Generator or int
        Seed or generator.
    """
    _check_n(n, 2)
    check_positive(tiles, "tiles", integer=True)
    check_positive(noise, "noise", allow_zero=True)
    rng = get_rng(rng)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    cell = np.floor((X + 1.0) / 2.0 * tiles).clip(0, tiles - 1).astype(np.int64)
    y = (cell[:, 0] + cell[:, 1]) % 2
    X = X + rng.normal(0.0, noise, X.shape) if noise > 0 else X
    return _finish(X, y, rng)


def xor(n: int = 400, noise: float = 0.0, rng: np.random.Generator | int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points uniform on [-1, 1]^2, class 1 where the two coordinates have different signs.

    Parameters
    ----------
    n : int
        Number of points.
    noise : float
        Standard deviation of Gaussian noise added to the points after labelling.
    rng : numpy.random.Generator or int
        Seed or generator.
    """
    _check_n(n, 2)
    check_positive(noise, "noise", allow_zero=True)
    rng = get_rng(rng)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    X = X + rng.normal(0.0, noise, X.shape) if noise > 0 else X
    return _finish(X, y, rng)


def circles(
    n: int = 400, noise: float = 0.05, factor: float = 0.5, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on the outer one (radius 1), class 1 on the inner one (radius ``factor``).

    Parameters
    ----------
    n : int
        Number of points.
    noise : float
        Standard deviation of Gaussian noise on each coordinate.
    factor : float
        Inner radius, in (0, 1).
    rng : numpy.random.Generator or int
        Seed or generator.
    """
    _check_n(n, 2)
    check_positive(noise, "noise", allow_zero=True)
    check_probability(factor, "factor")
    rng = get_rng(rng)
    Xs, ys = [], []
    for c, (m, radius) in enumerate(zip(_counts(n, 2), (1.0, factor))):
        t = rng.uniform(0.0, 2 * np.pi, m)
        Xs.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
        ys.append(np.full(m, c))
    X = np.concatenate(Xs)
    return _finish(X + rng.normal(0.0, noise, X.shape), np.concatenate(ys), rng)


def moons(n: int = 400, noise: float = 0.1, rng: np.random.Generator | int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    Parameters
    ----------
    n : int
        Number of points.
    noise : float
        Standard deviation of Gaussian noise on each coordinate.
    rng : numpy.random.Generator or int
        Seed or generator.
    """
    _check_n(n, 2)
    check_positive(noise, "noise", allow_zero=True)
    rng = get_rng(rng)
    m0, m1 = _counts(n, 2)
    t0, t1 = rng.uniform(0.0, np.pi, m0), rng.uniform(0.0, np.pi, m1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(m0), np.ones(m1)]).astype(np.int64)
    return _finish(X + rng.normal(0.0, noise, X.shape), y, rng)


def blobs(
    n: int = 300, num_classes: int = 3, std: float = 0.3, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``num_classes`` Gaussian blobs with centres evenly spaced on the unit circle.

    Parameters
    ----------
    n : int
        Total number of points.
    num_classes : int
        Number of blobs (classes).
    std : float
        Standard deviation of each blob.
    rng : numpy.random.Generator or int
        Seed or generator.
    """
    _check_n(n, num_classes)
    check_positive(std, "std", allow_zero=True)
    rng = get_rng(rng)
    k = int(num_classes)
    Xs, ys = [], []
    for c, m in enumerate(_counts(n, k)):
        centre = np.array([np.cos(2 * np.pi * c / k), np.sin(2 * np.pi * c / k)])
        Xs.append(centre + rng.normal(0.0, std, (m, 2)))
        ys.append(np.full(m, c))
    return _finish(np.concatenate(Xs), np.concatenate(ys), rng)


#: The input features the MLP playground offers, in the order the network's input takes them (see
#: :func:`playground_features`).
PLAYGROUND_FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
_FEATURE_FNS = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(a),
    "sin(x2)": lambda a, b: np.sin(b),
}


def playground_features(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    r"""The input features of the MLP playground: one column per name, computed from the two coordinates.

    With :math:`x = (x_1, x_2)`, the names are ``"x1"``, ``"x2"``, ``"x1^2"`` (:math:`x_1^2`), ``"x2^2"``,
    ``"x1*x2"`` (:math:`x_1 x_2`), ``"sin(x1)"`` and ``"sin(x2)"`` (:data:`PLAYGROUND_FEATURES`). The page's network
    takes this matrix as its input, so ``MLPPlayground.to_mlp().forward(playground_features(x, pg.features))`` gives
    the page's logits.

    Parameters
    ----------
    x : (N, 2) array
        Points.
    names : sequence of str
        Features to compute, in the order of the columns; at least one, each at most once.

    Returns
    -------
    (N, len(names)) ndarray
        In ``x``'s floating dtype (float64 for integer input).
    """
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a list of feature names, got {type(names).__name__}")
    names = list(names)
    if not names:
        raise ValueError(f"names must hold at least one of {', '.join(PLAYGROUND_FEATURES)}; got []")
    for name in names:
        if not isinstance(name, str) or name not in _FEATURE_FNS:
            raise ValueError(f"names must hold only {', '.join(PLAYGROUND_FEATURES)}; got {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"names must not repeat a feature, got {names}")
    x = as_float_array(x, "x")
    check_shape(x, "x", (None, 2))
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite (no NaN or infinity)")
    a, b = x[:, 0], x[:, 1]
    out = np.empty((len(x), len(names)), dtype=x.dtype)
    for j, name in enumerate(names):
        out[:, j] = _FEATURE_FNS[name](a, b)
    return out


def load_digits(
    test_size: float = 0.25, rng: np.random.Generator | int | None = 0, flat: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits (8x8 grey images, ten classes), scaled to [0, 1] and split.

    The split is stratified: each class keeps the same share in the training and test sets.

    Parameters
    ----------
    test_size : float
        Fraction of the images held out for testing, in (0, 1).
    rng : numpy.random.Generator or int
        Seed or generator for the split.
    flat : bool
        Return images as rows of 64 pixels (True) or as (N, 1, 8, 8) single-channel images (False).

    Returns
    -------
    X_train, X_test : (N, 64) or (N, 1, 8, 8) float64
    y_train, y_test : (N,) int64
    """
    # imported here: scikit-learn takes seconds to import, and importing dlbook must stay cheap
    from sklearn.datasets import load_digits as _sk_load_digits

    check_probability(test_size, "test_size")
    if test_size == 0:
        raise ValueError("test_size must be in (0, 1), got 0")
    rng = get_rng(rng)
    digits = _sk_load_digits()
    X = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    test = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test[idx[: int(round(test_size * len(idx)))]] = True
    train_idx, test_idx = rng.permutation(np.flatnonzero(~test)), rng.permutation(np.flatnonzero(test))
    if not flat:
        X = X.reshape(-1, 1, 8, 8)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


# --------------------------------------------------------------------------------------------------------------------
# Synthetic sequence tasks and their batches
# --------------------------------------------------------------------------------------------------------------------
__all__ += ["TeacherForcedBatches", "recall_task", "reversal_task"]


def recall_task(
    n: int, T: int, num_symbols: int = 4, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose label is their first token: remember a symbol across ``T - 1`` distractors.

    Token ``0 .. num_symbols - 1`` opens each sequence (the symbol to recall); the next ``T - 1`` tokens are drawn
    from ``num_symbols`` other distractor tokens (ids ``num_symbols .. 2 num_symbols - 1``). The vocabulary thus has
    ``2 * num_symbols`` tokens and chance accuracy is ``1 / num_symbols``.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Length of each sequence.
    num_symbols : int
        Number of symbols to recall (and of distractors).
    rng : numpy.random.Generator or int
        Seed or generator.

    Returns
    -------
    ids : (n, T) int64
    y : (n,) int64
    """
    check_positive(n, "n", integer=True)
    check_positive(T, "T", integer=True)
    check_positive(num_symbols, "num_symbols", integer=True)
    rng = get_rng(rng)
    y = rng.integers(0, num_symbols, size=n)
    ids = rng.integers(num_symbols, 2 * num_symbols, size=(n, T))
    ids[:, 0] = y
    return ids.astype(np.int64), y.astype(np.int64)


def reversal_task(
    n: int, T: int, num_symbols: int = 10, rng: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A toy translation task: the target is the source sequence reversed.

    Parameters
    ----------
    n : int
        Number of pairs.
    T : int
        Length of each sequence.
    num_symbols : int
        Ids lie in ``[0, num_symbols)``; decoders use the extra id ``num_symbols`` as the start-of-sequence token.
    rng : numpy.random.Generator or int
        Seed or generator.

    Returns
    -------
    src : (n, T) int64
    tgt : (n, T) int64
        ``src[:, ::-1]``.
    """
    check_positive(n, "n", integer=True)
    check_positive(T, "T", integer=True)
    check_positive(num_symbols, "num_symbols", integer=True)
    src = get_rng(rng).integers(0, num_symbols, size=(n, T)).astype(np.int64)
    return src, np.ascontiguousarray(src[:, ::-1])


class TeacherForcedBatches:
    """An endless stream of teacher-forced pairs for an encoder-decoder: ``((src, tgt_in), tgt)`` batches.

    Every batch draws ``batch_size`` pairs at random (with replacement) and gives the decoder the target shifted
    right behind the start token: ``tgt_in = [bos, tgt[:, :-1]]``, to be trained to predict ``tgt``. The model is
    called as ``model.forward(src, tgt_in)``. By default the stream never ends: train with
    ``fit(..., steps=...)``; give ``num_batches`` for passes of a fixed length (``fit(..., epochs=...)``).

    Parameters
    ----------
    src : (N, T_in) int
        Source sequences.
    tgt : (N, T_out) int
        Target sequences.
    bos : int
        The start-of-sequence token (an id the targets do not use).
    batch_size : int
        Pairs per batch.
    num_batches : int, optional
        Batches per pass (``None``: endless).
    rng : numpy.random.Generator or int
        The one generator that draws every batch, across passes (seed 0 by default).
    """

    def __init__(
        self,
        src: np.ndarray,
        tgt: np.ndarray,
        *,
        bos: int,
        batch_size: int,
        num_batches: int | None = None,
        rng: np.random.Generator | int | None = 0,
    ) -> None:
        src, tgt = np.asarray(src), np.asarray(tgt)
        for name, a in (("src", src), ("tgt", tgt)):
            if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
                raise ValueError(f"{name} must be a (N, T) array of token ids, got shape {a.shape}")
            if a.dtype.kind not in "iu":
                raise ValueError(f"{name} must hold integer token ids, got dtype {a.dtype}")
        if len(src) != len(tgt):
            raise ValueError(f"src and tgt must hold the same number of pairs, got {len(src)} and {len(tgt)}")
        if isinstance(bos, bool) or not isinstance(bos, int | np.integer) or bos < 0:
            raise ValueError(f"bos must be a non-negative integer token id, got {bos!r}")
        if np.any(tgt == bos):
            raise ValueError(f"bos must be an id the targets do not use, got bos={bos}, which occurs in tgt")
        check_positive(batch_size, "batch_size", integer=True)
        if num_batches is not None:
            check_positive(num_batches, "num_batches", integer=True)
        self.src, self.tgt, self.bos, self.batch_size = src, tgt, int(bos), int(batch_size)
        self.num_batches = None if num_batches is None else int(num_batches)
        self.rng = get_rng(rng)

    def __iter__(self) -> Iterator[tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
        b = 0
        while self.num_batches is None or b < self.num_batches:
            b += 1
            idx = self.rng.integers(0, len(self.src), size=self.batch_size)
            s, t = self.src[idx], self.tgt[idx]
            t_in = np.concatenate([np.full((self.batch_size, 1), self.bos), t[:, :-1]], axis=1)
            yield (s, t_in), t

    def __repr__(self) -> str:
        return f"TeacherForcedBatches(n={len(self.src)}, batch_size={self.batch_size}, bos={self.bos})"
