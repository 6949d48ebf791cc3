"""Input validation shared by every public function of dlbook.

Each helper raises ``ValueError`` whose message names the argument, says what was expected and what was given, so
that a learner who passes a wrong shape sees at once which argument is wrong. Nothing here ever lets NumPy
broadcasting accept a shape silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "as_float_array",
    "check_cache",
    "check_choice",
    "check_finite",
    "check_labels",
    "check_model",
    "check_ndim",
    "check_positive",
    "check_probability",
    "check_shape",
    "float_dtype",
    "get_rng",
]


def _fmt_shape(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def as_float_array(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as a floating-point array (float32 and float64 are preserved; anything else becomes float64).

    Raises ``ValueError`` naming ``name`` if ``x`` cannot be read as numbers.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - NumPy rarely fails here
        raise ValueError(f"{name} could not be converted to an array: {exc}") from exc
    if arr.dtype == np.float32 or arr.dtype == np.float64:
        return arr
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    raise ValueError(f"{name} must hold real numbers, got an array of dtype {arr.dtype}")


def check_ndim(x: np.ndarray, name: str, ndim: int | Iterable[int]) -> None:
    """Raise ``ValueError`` unless ``x.ndim`` is ``ndim`` (or one of several allowed values)."""
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if x.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be a {want} array, got shape {_fmt_shape(x.shape)} ({x.ndim}-D)")


def check_shape(x: np.ndarray, name: str, expected: Sequence[int | None]) -> None:
    """Raise ``ValueError`` unless ``x.shape`` matches ``expected`` (``None`` matches any size on that axis)."""
    ok = x.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, x.shape, strict=False))
    if not ok:
        raise ValueError(f"{name} must have shape {_fmt_shape(expected)}, got {_fmt_shape(x.shape)}")


class NonFiniteError(ValueError):
    """A NaN or an infinity where a finite number is needed (a ``ValueError``, so callers may treat it as one)."""


def check_finite(x: np.ndarray, name: str) -> None:
    """Raise :class:`NonFiniteError` if ``x`` contains NaN or infinity."""
    if not np.all(np.isfinite(x)):
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise NonFiniteError(f"{name} contains {bad} NaN or infinite value(s)")


def check_labels(y: Any, name: str, n_classes: int | None = None, n: int | None = None) -> np.ndarray:
    """Return integer class labels as a 1-D ``int64`` array after checking them.

    Parameters
    ----------
    y : array-like of shape (N,)
        Labels, each an integer in ``[0, n_classes)``.
    name : str
        Argument name used in error messages.
    n_classes : int, optional
        Number of classes; labels outside ``[0, n_classes)`` raise.
    n : int, optional
        Required number of labels (the batch size of the matching inputs).
    """
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer class labels, got shape {_fmt_shape(arr.shape)}")
    if arr.size and arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integer class labels, got non-integer values")
    elif arr.size and arr.dtype.kind not in "biu":
        raise ValueError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} must have {n} labels (one per input row), got {arr.shape[0]}")
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in [0, {n_classes}), got values from {int(arr.min())} to {int(arr.max())}"
        )
    return arr


def check_positive(value: Any, name: str, *, allow_zero: bool = False, integer: bool = False) -> None:
    """Raise ``ValueError`` unless ``value`` is a positive (or non-negative) finite number."""
    if isinstance(value, str | bytes) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if integer and not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")


def check_probability(value: Any, name: str, *, allow_one: bool = False) -> None:
    """Raise ``ValueError`` unless ``0 <= value < 1`` (or ``<= 1`` with ``allow_one``)."""
    if isinstance(value, str | bytes | bool):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}") from None
    if not (0.0 <= v < 1.0 or (allow_one and v == 1.0)):
        bound = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{name} must be in {bound}, got {value!r}")


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``, listing them."""
    options = list(choices)
    if not isinstance(value, str | int | float | bool | type(None)) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")


def check_cache(cache: Any, name: str, length: int, producer: str) -> tuple:
    """Raise ``TypeError`` unless ``cache`` is the ``length``-tuple that ``producer`` returned."""
    if not isinstance(cache, tuple) or len(cache) != length:
        got = f"a tuple of {len(cache)}" if isinstance(cache, tuple) else type(cache).__name__
        raise TypeError(f"{name} must be the cache returned by {producer} (a tuple of {length}), got {got}")
    return cache


def check_model(model: Any, name: str = "model") -> None:
    """Raise ``TypeError`` unless ``model`` is a dlbook ``Module`` (anything with parameters, gradients and a state)."""
    if not all(hasattr(model, a) for a in ("params", "grads", "named_parameters", "state_dict", "load_state_dict")):
        raise TypeError(f"{name} must be a dlbook Module, got {type(model).__name__}")


def get_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a generator, an integer seed, or ``None``.

    ``None`` means fresh entropy from the operating system (``numpy.random.default_rng()``), so two layers built
    without ``rng`` never share their weights and two dropout layers never drop the same units; code that must repeat
    passes a seed. dlbook never touches NumPy's global random state: every function that draws random numbers takes
    ``rng``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng must be a non-negative integer seed or a numpy.random.Generator, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}")


def float_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """Return ``dtype`` as a NumPy dtype after checking that it is float32 or float64 (the dtypes of parameters).

    The dtype rule of dlbook: a module computes in its parameters' dtype (float64 by default, float32 on request);
    inputs of another dtype are cast to it, and its outputs and gradients have it. Raises ``TypeError`` naming
    ``name`` for anything else (an integer table of weights would silently hold zeros).
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be float32 or float64, got {dtype!r}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be float32 or float64, got {dt}")
    return dt
