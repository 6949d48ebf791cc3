r"""Weight initialization.

A layer with fan-in :math:`n_\text{in}` and fan-out :math:`n_\text{out}` draws its weights with a variance chosen so
that signals neither grow nor shrink as they pass through many layers:

* LeCun: :math:`\operatorname{Var}(w) = 1/n_\text{in}` (for SELU and linear units);
* Xavier/Glorot: :math:`\operatorname{Var}(w) = 2/(n_\text{in} + n_\text{out})` (for tanh and sigmoid);
* He/Kaiming: :math:`\operatorname{Var}(w) = 2/n_\text{in}` (for ReLU, which zeroes half its inputs).

Each comes as a normal or a uniform draw with that variance (a uniform on :math:`[-a, a]` has variance
:math:`a^2/3`). Every function takes an ``rng`` and never touches NumPy's global random state.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import check_choice, get_rng

__all__ = ["INITIALIZERS", "fans", "he_normal", "he_uniform", "initialize", "lecun_normal", "lecun_uniform"]
__all__ += ["xavier_normal", "xavier_uniform", "std_for"]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight of the given shape.

    A dense weight has shape ``(out, in)``; a convolution kernel ``(F, C, k, k)`` (or ``(F, C, k)``) has fan-in
    ``C * k * k`` and fan-out ``F * k * k``, the PyTorch convention.
    """
    if len(shape) < 2:
        raise ValueError(f"shape must have at least 2 dimensions (out, in, ...), got {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return int(shape[1]) * receptive, int(shape[0]) * receptive


def std_for(scheme: str, shape: tuple[int, ...]) -> float:
    """Standard deviation that initialization ``scheme`` ('he', 'xavier', 'lecun') gives a weight of ``shape``."""
    check_choice(scheme, "scheme", ("he", "xavier", "lecun"))
    fan_in, fan_out = fans(shape)
    var = {"he": 2.0 / fan_in, "xavier": 2.0 / (fan_in + fan_out), "lecun": 1.0 / fan_in}[scheme]
    return float(np.sqrt(var))


def _normal(scheme: str) -> Callable[..., np.ndarray]:
    def init(
        shape: tuple[int, ...], rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float64
    ) -> np.ndarray:
        return (get_rng(rng).standard_normal(shape) * std_for(scheme, shape)).astype(dtype)

    init.__name__ = f"{scheme}_normal"
    init.__doc__ = f"Draw a weight of ``shape`` from a zero-mean normal with the {scheme} variance."
    return init


def _uniform(scheme: str) -> Callable[..., np.ndarray]:
    def init(
        shape: tuple[int, ...], rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float64
    ) -> np.ndarray:
        a = np.sqrt(3.0) * std_for(scheme, shape)
        return get_rng(rng).uniform(-a, a, size=shape).astype(dtype)

    init.__name__ = f"{scheme}_uniform"
    init.__doc__ = f"Draw a weight of ``shape`` from a uniform on [-a, a] with the {scheme} variance."
    return init


he_normal = _normal("he")
he_uniform = _uniform("he")
xavier_normal = _normal("xavier")
xavier_uniform = _uniform("xavier")
lecun_normal = _normal("lecun")
lecun_uniform = _uniform("lecun")

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


def initialize(
    scheme: str, shape: tuple[int, ...], rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float64
) -> np.ndarray:
    """Draw a weight of ``shape`` with the named scheme (a key of ``INITIALIZERS``)."""
    check_choice(scheme, "init", INITIALIZERS)
    return INITIALIZERS[scheme](shape, rng, dtype)
