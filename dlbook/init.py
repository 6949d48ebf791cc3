r"""Weight initialization: every initial weight in dlbook is drawn here.

A layer with fan-in :math:`n_\text{in}` and fan-out :math:`n_\text{out}` draws its weights with a variance chosen so
that signals neither grow nor shrink as they pass through many layers:

* LeCun: :math:`\operatorname{Var}(w) = 1/n_\text{in}` (for SELU and linear units);
* Xavier/Glorot: :math:`\operatorname{Var}(w) = 2/(n_\text{in} + n_\text{out})` (for tanh and sigmoid);
* He/Kaiming: :math:`\operatorname{Var}(w) = 2/n_\text{in}` (for ReLU, which zeroes half its inputs).

Each comes as a normal or a uniform draw with that variance (a uniform on :math:`[-a, a]` has variance
:math:`a^2/3`). Two schemes take their scale explicitly instead of from the fans: ``"normal"`` with a standard
deviation ``std`` (embeddings: 1 in PyTorch, 0.02 in GPT-2; learned positional encodings) and ``"uniform"`` with a
bound ``bound`` (PyTorch's recurrent layers draw every weight and bias from :math:`U(-1/\sqrt H, 1/\sqrt H)`).

Every draw is ``rng.standard_normal(shape) * std`` or ``rng.uniform(-bound, bound, shape)`` in float64, then cast
to ``dtype``: the same random numbers for the same seed whatever the dtype. Nothing touches NumPy's global random
state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import check_choice, check_positive, float_dtype, get_rng

__all__ = [
    "INITIALIZERS",
    "fans",
    "he_normal",
    "he_uniform",
    "initialize",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "std_for",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
]


def _check_shape_arg(shape: Sequence[int], min_ndim: int = 1) -> tuple[int, ...]:
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (int(shape),)
    if not isinstance(shape, tuple | list):
        raise TypeError(f"shape must be a tuple of positive integers, got {type(shape).__name__}")
    if len(shape) < min_ndim:
        raise ValueError(f"shape must have at least {min_ndim} dimensions (out, in, ...), got {tuple(shape)}")
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s <= 0:
            raise ValueError(f"shape must hold positive integers, got {tuple(shape)}")
    return tuple(int(s) for s in shape)


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight of the given shape.

    A dense weight has shape ``(out, in)``; a convolution kernel ``(F, C, k, k)`` (or ``(F, C, k)``) has fan-in
    ``C * k * k`` and fan-out ``F * k * k``, the PyTorch convention.

    Parameters
    ----------
    shape : tuple of int
        At least two positive sizes, ``(out, in, *kernel)``.

    Returns
    -------
    fan_in, fan_out : int
    """
    shape = _check_shape_arg(shape, min_ndim=2)
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def std_for(scheme: str, shape: Sequence[int]) -> float:
    """Standard deviation that initialization ``scheme`` (``"he"``, ``"xavier"``, ``"lecun"``) gives a weight.

    Parameters
    ----------
    scheme : {"he", "xavier", "lecun"}
        The variance rule.
    shape : tuple of int
        The weight's shape (see :func:`fans`).

    Returns
    -------
    float
    """
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a name (str), one of 'he', 'xavier', 'lecun'; got {scheme!r}")
    check_choice(scheme, "scheme", ("he", "xavier", "lecun"))
    fan_in, fan_out = fans(shape)
    var = {"he": 2.0 / fan_in, "xavier": 2.0 / (fan_in + fan_out), "lecun": 1.0 / fan_in}[scheme]
    return float(np.sqrt(var))


def normal(
    shape: Sequence[int], std: float, rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float64
) -> np.ndarray:
    """Draw an array of ``shape`` from :math:`N(0, \\mathrm{std}^2)`: ``rng.standard_normal(shape) * std``.

    Parameters
    ----------
    shape : tuple of int
        Any number of positive sizes (a bias vector ``(H,)`` included).
    std : float
        Standard deviation (> 0).
    rng : numpy.random.Generator or int, optional
        Source of randomness (``None``: fresh entropy).
    dtype : float32 or float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``
    """
    shape = _check_shape_arg(shape)
    check_positive(std, "std")
    dt = float_dtype(dtype)
    return (get_rng(rng).standard_normal(shape) * float(std)).astype(dt)


def uniform(
    shape: Sequence[int], bound: float, rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float64
) -> np.ndarray:
    """Draw an array of ``shape`` from :math:`U(-\\mathrm{bound}, \\mathrm{bound})`: ``rng.uniform(-b, b, shape)``.

    PyTorch's ``RNN`` and ``LSTM`` use ``bound = 1 / sqrt(hidden_size)`` for every weight and bias.

    Parameters
    ----------
    shape : tuple of int
        Any number of positive sizes.
    bound : float
        Half-width of the interval (> 0).
    rng : numpy.random.Generator or int, optional
        Source of randomness (``None``: fresh entropy).
    dtype : float32 or float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``
    """
    shape = _check_shape_arg(shape)
    check_positive(bound, "bound")
    dt = float_dtype(dtype)
    b = float(bound)
    return get_rng(rng).uniform(-b, b, size=shape).astype(dt)


def _fan_normal(scheme: str) -> Callable[..., np.ndarray]:
    def init(
        shape: Sequence[int], rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float64
    ) -> np.ndarray:
        return normal(shape, std_for(scheme, shape), rng, dtype)

    init.__name__ = init.__qualname__ = f"{scheme}_normal"
    init.__doc__ = (
        f"Draw a weight of ``shape`` (at least 2-D) from a zero-mean normal with the {scheme} variance.\n\n"
        "Parameters\n----------\nshape : tuple of int\nrng : numpy.random.Generator or int, optional\n"
        "dtype : float32 or float64\n\nReturns\n-------\nndarray of ``shape`` and ``dtype``\n"
    )
    return init


def _fan_uniform(scheme: str) -> Callable[..., np.ndarray]:
    def init(
        shape: Sequence[int], rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float64
    ) -> np.ndarray:
        return uniform(shape, np.sqrt(3.0) * std_for(scheme, shape), rng, dtype)

    init.__name__ = init.__qualname__ = f"{scheme}_uniform"
    init.__doc__ = (
        f"Draw a weight of ``shape`` (at least 2-D) from a uniform on [-a, a] with the {scheme} variance.\n\n"
        "Parameters\n----------\nshape : tuple of int\nrng : numpy.random.Generator or int, optional\n"
        "dtype : float32 or float64\n\nReturns\n-------\nndarray of ``shape`` and ``dtype``\n"
    )
    return init


he_normal = _fan_normal("he")
he_uniform = _fan_uniform("he")
xavier_normal = _fan_normal("xavier")
xavier_uniform = _fan_uniform("xavier")
lecun_normal = _fan_normal("lecun")
lecun_uniform = _fan_uniform("lecun")

#: The schemes whose scale comes from the weight's fans, by name (``"he"`` is ``"he_normal"``, and so on).
#:
#: :meta hide-value:
INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "xavier": xavier_normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot": xavier_normal,
    "lecun": lecun_normal,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
}

_EXPLICIT = ("normal", "uniform")


def initialize(
    scheme: str,
    shape: Sequence[int],
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
    *,
    std: float | None = None,
    bound: float | None = None,
) -> np.ndarray:
    """Draw an initial weight of ``shape`` with the named scheme.

    Parameters
    ----------
    scheme : str
        A key of :data:`INITIALIZERS` (scale from the fans: ``"he"``, ``"xavier_uniform"``, ...), or ``"normal"``
        (needs ``std``) or ``"uniform"`` (needs ``bound``).
    shape : tuple of int
        The weight's shape (at least 2-D for the fan-based schemes).
    rng : numpy.random.Generator or int, optional
        Source of randomness (``None``: fresh entropy).
    dtype : float32 or float64
        Anything else raises ``TypeError``.
    std : float, optional
        Standard deviation of ``"normal"``.
    bound : float, optional
        Half-width of ``"uniform"``.

    Returns
    -------
    ndarray of ``shape`` and ``dtype``

    Examples
    --------
    >>> initialize("normal", (100, 16), rng=0, std=0.02).shape
    (100, 16)
    >>> H = 32
    >>> W_hh = initialize("uniform", (H, H), rng=0, bound=1 / H**0.5)
    """
    if not isinstance(scheme, str):
        raise TypeError(
            f"init scheme must be a name (str), one of {', '.join(map(repr, INITIALIZERS))}; got {scheme!r}"
        )
    check_choice(scheme, "init scheme", (*INITIALIZERS, *_EXPLICIT))
    float_dtype(dtype)
    if scheme == "normal":
        if bound is not None or std is None:
            raise ValueError(f"scheme 'normal' needs std (and no bound), got std={std!r}, bound={bound!r}")
        return normal(shape, std, rng, dtype)
    if scheme == "uniform":
        if std is not None or bound is None:
            raise ValueError(f"scheme 'uniform' needs bound (and no std), got std={std!r}, bound={bound!r}")
        return uniform(shape, bound, rng, dtype)
    if std is not None or bound is not None:
        raise ValueError(f"std and bound apply to the schemes 'normal' and 'uniform' only, not {scheme!r}")
    return INITIALIZERS[scheme](shape, rng, dtype)
