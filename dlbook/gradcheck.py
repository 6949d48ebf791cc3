r"""Numerical gradient checking by central differences.

For a scalar function :math:`f` of an array :math:`x`, each partial derivative is estimated as

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon},

whose error is :math:`O(\epsilon^2)`. Compared in float64 with an analytic gradient, a correct backward gives a
relative error near 1e-8 or below; a wrong one gives something near 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlbook._checks import as_float_array, check_positive, get_rng
from dlbook.layers import Module

__all__ = ["check_module", "numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ``f()`` with respect to the array ``x``, which is perturbed in place.

    Parameters
    ----------
    f : callable
        Takes no argument and returns a finite scalar that depends on the current contents of ``x``.
    x : ndarray of float
        The array to differentiate with respect to (restored after each perturbation).
    eps : float
        Step size (> 0).

    Returns
    -------
    ndarray
        Same shape as ``x``, float64.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable taking no argument, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        kind = type(x).__name__ if not isinstance(x, np.ndarray) else f"an array of dtype {x.dtype}"
        raise TypeError(f"x must be a floating-point numpy array (perturbed in place), got {kind}")
    check_positive(eps, "eps")
    grad = np.zeros_like(x, dtype=np.float64)
    if x.size == 0:
        return grad
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i].copy()
        try:
            x[i] = old + eps
            f_plus = float(f())
            x[i] = old - eps
            f_minus = float(f())
        finally:
            x[i] = old
        if not (np.isfinite(f_plus) and np.isfinite(f_minus)):
            raise ValueError(f"f returned a NaN or infinite value when x{list(i)} was moved by eps={eps:g}")
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""Largest elementwise :math:`|a-b| / \max(|a| + |b|, 10^{-12})`; 0 for two empty arrays.

    Parameters
    ----------
    a, b : arrays of the same shape
        Finite values (an analytic and a numerical gradient, say).

    Returns
    -------
    float
    """
    a, b = as_float_array(a, "a").astype(np.float64), as_float_array(b, "b").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    for arr, name in ((a, "a"), (b, "b")):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def check_module(
    module: Module,
    x: np.ndarray | tuple[np.ndarray, ...],
    rng: np.random.Generator | int | None = 0,
    eps: float = 1e-6,
    **settings: Any,
) -> dict[str, float]:
    """Gradient-check a module on input ``x`` with a random linear loss ``L = sum(r * module(x))``.

    Parameters
    ----------
    module : Module
        In float64, with any randomness inside it (dropout) fixed, for the errors to be meaningful.
    x : ndarray, or a tuple of inputs
        The input (``module.forward(x)``), or several (``module.forward(*x)``). Integer inputs (token ids) are
        passed unchanged and not differentiated, as are inputs whose gradient ``backward`` returns as ``None``.
    rng : numpy.random.Generator or int
        Source of the random weights ``r`` of the loss.
    eps : float
        Step of the central differences.
    **settings
        Keyword settings passed to every ``forward`` call (masks, flags).

    Returns
    -------
    dict of str to float
        The relative error of dL/dx (key ``"x"``; ``"x0"``, ``"x1"``, ... for several inputs) and of every parameter
        (keys as in :meth:`dlbook.layers.Module.named_parameters`).
    """
    if not isinstance(module, Module):
        raise TypeError(f"module must be a dlbook Module, got {type(module).__name__}")
    check_positive(eps, "eps")
    several = isinstance(x, tuple)
    raw = x if several else (x,)
    inputs = tuple(
        np.array(v) if np.asarray(v).dtype.kind in "iub" else as_float_array(v, "x").astype(np.float64) for v in raw
    )
    rng = get_rng(rng)
    out = module.forward(*inputs, **settings)
    r = rng.standard_normal(np.shape(out))

    def loss() -> float:
        return float(np.sum(r * module.forward(*inputs, **settings)))

    module.forward(*inputs, **settings)
    d = module.backward(r)
    d = d if several else (d,)
    if len(d) != len(inputs):
        raise ValueError(f"module.backward returned {len(d)} gradients for {len(inputs)} inputs")
    names = [f"x{i}" for i in range(len(inputs))] if several else ["x"]
    analytic = {name: g for name, g in zip(names, d, strict=True)}
    for name, owner, key in module.named_parameters():
        analytic[name] = owner.grads[key].copy()
    errors = {}
    for name, value in zip(names, inputs, strict=True):
        if analytic[name] is not None and value.dtype.kind == "f":
            errors[name] = relative_error(analytic[name], numerical_gradient(loss, value, eps))
    for name, owner, key in module.named_parameters():
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, owner.params[key], eps))
    return errors
