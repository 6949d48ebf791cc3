r"""Numerical gradient checking by central differences.

For a scalar function :math:`f` of an array :math:`x`, each partial derivative is estimated as

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon},

whose error is :math:`O(\epsilon^2)`. Compared in float64 with an analytic gradient, a correct backward gives a
relative error near 1e-8 or below; a wrong one gives something near 1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlbook.layers import Module

__all__ = ["check_module", "numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ``f()`` with respect to the array ``x``, which is perturbed in place.

    Parameters
    ----------
    f : callable
        Takes no argument and returns a scalar that depends on the current contents of ``x``.
    x : ndarray
        The array to differentiate with respect to (restored after each perturbation).
    eps : float
        Step size.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i].copy()
        x[i] = old + eps
        f_plus = float(f())
        x[i] = old - eps
        f_minus = float(f())
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""Largest elementwise :math:`|a-b| / \max(|a| + |b|, 10^{-12})`; 0 for two empty arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def check_module(
    module: Module, x: np.ndarray, rng: np.random.Generator | int | None = 0, eps: float = 1e-6
) -> dict[str, float]:
    """Gradient-check a module on input ``x`` with a random linear loss ``L = sum(r * module(x))``.

    Returns the relative error of dL/dx (key ``"x"``) and of every parameter (keys as in
    :meth:`dlbook.layers.Module.named_parameters`). The module should be in float64, and any randomness inside it
    (dropout) fixed, for the errors to be meaningful.
    """
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    x = np.array(x, dtype=np.float64)
    out = module.forward(x)
    r = rng.standard_normal(out.shape)

    def loss() -> float:
        return float(np.sum(r * module.forward(x)))

    module.forward(x)
    dx = module.backward(r)
    analytic = {"x": dx}
    for name, owner, key in module.named_parameters():
        analytic[name] = owner.grads[key].copy()
    errors = {"x": relative_error(analytic["x"], numerical_gradient(loss, x, eps))}
    for name, owner, key in module.named_parameters():
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, owner.params[key], eps))
    return errors
