r"""Activation functions and their derivatives.

An activation :math:`\phi` is applied elementwise to a layer's pre-activation :math:`z_l = W_l h_{l-1} + b_l`, giving
:math:`h_l = \phi(z_l)`. Backpropagation needs its derivative :math:`\phi'(z_l)` at the same points. Each activation
here comes as a pair: a function ``fn(a)`` and its derivative ``grad(a)`` with respect to the pre-activation ``a``.

The hidden-layer activations live in a registry (:data:`ACTIVATIONS`): name, LaTeX formula, key property, function
and derivative, so the chapter's table is generated from the code. :func:`numerical_range` finds each one's range
numerically. Softmax and log-softmax, which act on a whole vector, come with vector-Jacobian products.

Everything is numerically stable for inputs up to :math:`|a| = 10^4` (no overflow or invalid-value warning) and
preserves float32 (integer and boolean inputs become float64).

These are dlbook's only sigmoid, tanh, GELU (exact and tanh form), softmax and log-softmax: every other module calls
them. The public functions (:func:`sigmoid`, :func:`sigmoid_grad`, :func:`gelu`, ...) check their input (real
numbers, all finite); the registry's ``fn`` and ``grad`` (``ACTIVATIONS["gelu"].fn``) are the same kernels without
the checks, for use inside layers on values already checked. The exact GELU needs the error function :func:`erf`,
computed here (no SciPy).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dlbook._checks import as_float_array, check_choice, check_finite

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "ActivationSpec",
    "Range",
    "elu",
    "erf",
    "gelu",
    "gelu_grad",
    "gelu_tanh",
    "gelu_tanh_grad",
    "get_activation",
    "identity",
    "leaky_relu",
    "log_softmax",
    "log_softmax_backward",
    "numerical_range",
    "relu",
    "sigmoid",
    "sigmoid_grad",
    "silu",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_grad",
]

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = math.sqrt(2.0 / math.pi)


# --- raw elementwise kernels (no validation; used inside layers and networks) -----------------------------------
def _c(a: np.ndarray, value: float) -> np.generic:
    """``value`` as a scalar of ``a``'s dtype, so that ``np.where`` keeps float32."""
    return a.dtype.type(value)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(a))  # in (0, 1]: never overflows
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_grad(a: np.ndarray) -> np.ndarray:
    s = _sigmoid(a)
    return s * (1 - s)


def _tanh(a: np.ndarray) -> np.ndarray:
    return np.tanh(a)


def _tanh_grad(a: np.ndarray) -> np.ndarray:
    t = np.tanh(a)
    return 1 - t * t


def _relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, _c(a, 0.0))


def _relu_grad(a: np.ndarray) -> np.ndarray:
    return (a > 0).astype(a.dtype)


def _leaky_relu(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, a, _c(a, LEAKY_SLOPE) * a)


def _leaky_relu_grad(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, _c(a, 1.0), _c(a, LEAKY_SLOPE))


def _elu(a: np.ndarray) -> np.ndarray:
    neg = np.minimum(a, _c(a, 0.0))  # expm1 only ever sees a <= 0: no overflow
    return np.where(a > 0, a, _c(a, ELU_ALPHA) * np.expm1(neg))


def _elu_grad(a: np.ndarray) -> np.ndarray:
    neg = np.minimum(a, _c(a, 0.0))
    return np.where(a > 0, _c(a, 1.0), _c(a, ELU_ALPHA) * np.exp(neg))


def _silu(a: np.ndarray) -> np.ndarray:
    return a * _sigmoid(a)


def _silu_grad(a: np.ndarray) -> np.ndarray:
    s = _sigmoid(a)
    return s * (1 + a * (1 - s))


# The error function by W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 631-638, 1969; the
# coefficients of Netlib SPECFUN's CALERF): erf(y) = y R_1(y^2) for |y| <= 0.46875, erfc(y) = exp(-y^2) R_2(y) up to
# 4 and erfc(y) = exp(-y^2) (1/sqrt(pi) - R_3(1/y^2) / y^2) / y beyond (1 to double precision past 6). Relative error
# below 1e-15 against math.erf (tests/test_activations.py); evaluated in place over chunks that stay in the cache.
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03)
_ERF_A_LEAD = 1.85777706184603153e-1
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_ERF_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
)
_ERF_C_LEAD = 2.15311535474403846e-8
_ERF_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2)
_ERF_P += (6.58749161529837803e-4,)
_ERF_P_LEAD = 1.63153871373020978e-2
_ERF_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2)
_ERF_Q += (2.33520497626869185e-3,)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_ERF_CHUNK = 8192  # values per pass: the few work arrays stay in the cache


def _rational(t: np.ndarray, lead: float, num: tuple, den: tuple, xnum: np.ndarray, xden: np.ndarray) -> np.ndarray:
    """``(lead t^k + num[0] t^(k-1) + ... + num[-1]) / (t^k + den[0] t^(k-1) + ... + den[-1])`` into ``xnum``."""
    np.multiply(t, lead, out=xnum)
    np.copyto(xden, t)
    for a, b in zip(num[:-1], den[:-1], strict=True):
        xnum += a
        xnum *= t
        xden += b
        xden *= t
    xnum += num[-1]
    xden += den[-1]
    xnum /= xden
    return xnum


def _times_exp_minus_square(r: np.ndarray, y: np.ndarray, work: np.ndarray) -> None:
    """``r *= exp(-y^2)``, with ``y^2`` split as Cody does so that its rounding error is not amplified."""
    ysq = np.trunc(16.0 * y)
    ysq /= 16.0
    np.subtract(y, ysq, out=work)
    work *= y + ysq  # (y - ysq)(y + ysq) = y^2 - ysq^2, exactly representable parts
    ysq *= ysq
    work += ysq
    np.negative(work, out=work)
    np.exp(work, out=work)
    r *= work


def _erf_chunk(x: np.ndarray, out: np.ndarray) -> None:
    y = np.abs(x)
    xnum, xden, work = np.empty_like(y), np.empty_like(y), np.empty_like(y)
    ym = np.clip(y, 0.46875, 4.0)
    _rational(ym, _ERF_C_LEAD, _ERF_C, _ERF_D, xnum, xden)  # erfc(y) exp(y^2)
    _times_exp_minus_square(xnum, ym, work)
    np.subtract(1.0, xnum, out=out)
    small = y <= 0.46875
    if small.any():
        ys = np.minimum(y, 0.46875)
        t = ys * ys
        _rational(t, _ERF_A_LEAD, _ERF_A, _ERF_B, xnum, xden)
        xnum *= ys
        np.copyto(out, xnum, where=small)
    big = y > 4.0
    if big.any():
        yb = np.clip(y, 4.0, 27.0)  # erfc underflows to 0 long before 27
        t = 1.0 / (yb * yb)
        _rational(t, _ERF_P_LEAD, _ERF_P, _ERF_Q, xnum, xden)
        xnum *= t
        np.subtract(_INV_SQRT_PI, xnum, out=xnum)
        xnum /= yb
        _times_exp_minus_square(xnum, yb, work)
        np.subtract(1.0, xnum, out=xnum)
        np.copyto(out, xnum, where=big)
    np.copysign(out, x, out=out)


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, computed in float64 and returned in ``x``'s dtype (no validation)."""
    flat = np.asarray(x, dtype=np.float64).reshape(-1)
    out = np.empty_like(flat)
    for i in range(0, flat.size, _ERF_CHUNK):
        _erf_chunk(flat[i : i + _ERF_CHUNK], out[i : i + _ERF_CHUNK])
    return out.reshape(np.shape(x)).astype(x.dtype, copy=False)


def _gelu(a: np.ndarray) -> np.ndarray:
    return a * (0.5 * (1 + _erf(a / _c(a, _SQRT2))))


def _gelu_grad(a: np.ndarray) -> np.ndarray:
    cdf = 0.5 * (1 + _erf(a / _c(a, _SQRT2)))
    pdf = _c(a, _INV_SQRT_2PI) * np.exp(-0.5 * a * a)  # underflows to 0 harmlessly
    return cdf + a * pdf


def _gelu_tanh_inner(a: np.ndarray) -> np.ndarray:
    return _c(a, _GELU_C) * (a + _c(a, 0.044715) * a * a * a)


def _gelu_tanh(a: np.ndarray) -> np.ndarray:
    return 0.5 * a * (1 + np.tanh(_gelu_tanh_inner(a)))


def _gelu_tanh_grad(a: np.ndarray) -> np.ndarray:
    t = np.tanh(_gelu_tanh_inner(a))
    dinner = _c(a, _GELU_C) * (1 + _c(a, 3 * 0.044715) * a * a)
    return 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * dinner


def _identity(a: np.ndarray) -> np.ndarray:
    return a


def _identity_grad(a: np.ndarray) -> np.ndarray:
    return np.ones_like(a)


# --- the registry ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivationSpec:
    """One activation function: what the chapter's table shows and what a layer computes.

    Attributes
    ----------
    name : str
        Registry key (``"relu"``).
    label : str
        Display name (``"ReLU"``).
    formula : str
        LaTeX formula of :math:`\\phi(a)`.
    property : str
        Its key property, one short phrase.
    fn : callable
        :math:`\\phi(a)`, elementwise; no input validation (use the module-level functions for that).
    grad : callable
        :math:`\\phi'(a)`, the derivative with respect to the pre-activation ``a``, elementwise.
    reference : str
        Citation key of the work that introduced or popularized it (empty if classical).
    """

    name: str
    label: str
    formula: str
    property: str
    fn: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    reference: str = ""


#: Every activation by name, with its label, LaTeX formula, key property, function and derivative.
#:
#: :meta hide-value:
ACTIVATIONS: dict[str, ActivationSpec] = {
    spec.name: spec
    for spec in [
        ActivationSpec(
            "sigmoid",
            "Sigmoid",
            r"\sigma(a) = \frac{1}{1 + e^{-a}}",
            "Saturates at both ends; output is not zero-centred",
            _sigmoid,
            _sigmoid_grad,
        ),
        ActivationSpec(
            "tanh",
            "Tanh",
            r"\tanh(a) = \frac{e^{a} - e^{-a}}{e^{a} + e^{-a}}",
            "Zero-centred, but saturates at both ends",
            _tanh,
            _tanh_grad,
        ),
        ActivationSpec(
            "relu",
            "ReLU",
            r"\max(0, a)",
            "Never saturates for a > 0; a unit whose inputs stay negative is dead",
            _relu,
            _relu_grad,
            "nair2010rectified",
        ),
        ActivationSpec(
            "leaky_relu",
            "Leaky ReLU",
            r"\max(\alpha a, a),\ \alpha = 0.01",
            "A small slope for a < 0: the gradient below zero is small but never exactly 0",
            _leaky_relu,
            _leaky_relu_grad,
            "maas2013rectifier",
        ),
        ActivationSpec(
            "elu",
            "ELU",
            r"a \text{ if } a > 0 \text{ else } \alpha (e^{a} - 1),\ \alpha = 1",
            "Smooth for a < 0, negative outputs push mean activations toward zero",
            _elu,
            _elu_grad,
            "clevert2015fast",
        ),
        ActivationSpec(
            "silu",
            "SiLU / Swish",
            r"a \, \sigma(a)",
            "Smooth and non-monotonic: dips below zero before rising",
            _silu,
            _silu_grad,
            "ramachandran2017searching",
        ),
        ActivationSpec(
            "gelu",
            "GELU",
            r"a \, \Phi(a)",
            "Smooth, non-monotonic; the default in Transformers",
            _gelu,
            _gelu_grad,
            "hendrycks2016gaussian",
        ),
        ActivationSpec(
            "gelu_tanh",
            "GELU (tanh approx.)",
            r"\tfrac{1}{2} a \left(1 + \tanh\left(\sqrt{2/\pi}\,(a + 0.044715 a^3)\right)\right)",
            "Cheaper approximation of GELU used by GPT-2 and BERT",
            _gelu_tanh,
            _gelu_tanh_grad,
            "hendrycks2016gaussian",
        ),
        ActivationSpec(
            "identity", "Identity", r"a", "Linear: the output layer of a regression", _identity, _identity_grad
        ),
    ]
}

#: The seven hidden-layer activations of the chapter's table, in its order.
HIDDEN_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu", "gelu")


def get_activation(name: str) -> ActivationSpec:
    """Return the registry entry for ``name`` (a key of :data:`ACTIVATIONS`).

    Raises
    ------
    ValueError
        If ``name`` is not a known activation; the message lists the known ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str), one of {', '.join(map(repr, ACTIVATIONS))}; got {name!r}")
    check_choice(name, "activation", ACTIVATIONS)
    return ACTIVATIONS[name]


def _apply(name: str, a: np.ndarray, derivative: bool = False) -> np.ndarray:
    arr = as_float_array(a, "a")
    check_finite(arr, "a")
    spec = ACTIVATIONS[name]
    return spec.grad(arr) if derivative else spec.fn(arr)


def sigmoid(a: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(a) = 1/(1+e^{-a})`, computed without overflow.

    Parameters
    ----------
    a : any shape
        Pre-activations (finite).

    Returns
    -------
    ndarray
        Same shape and dtype as ``a``, values in :math:`[0, 1]`.
    """
    return _apply("sigmoid", a)


def sigmoid_grad(a: np.ndarray) -> np.ndarray:
    r"""Derivative :math:`\sigma'(a) = \sigma(a)(1 - \sigma(a))`. ``a`` : any shape; same shape and dtype out."""
    return _apply("sigmoid", a, derivative=True)


def tanh(a: np.ndarray) -> np.ndarray:
    r""":math:`\tanh(a)`, elementwise. ``a`` : any shape; same shape and dtype out."""
    return _apply("tanh", a)


def tanh_grad(a: np.ndarray) -> np.ndarray:
    r"""Derivative :math:`1 - \tanh^2(a)`. ``a`` : any shape; same shape and dtype out."""
    return _apply("tanh", a, derivative=True)


def relu(a: np.ndarray) -> np.ndarray:
    r""":math:`\max(0, a)`, elementwise. ``a`` : any shape; same shape and dtype out."""
    return _apply("relu", a)


def leaky_relu(a: np.ndarray) -> np.ndarray:
    r""":math:`\max(0.01 a, a)`, elementwise. ``a`` : any shape; same shape and dtype out."""
    return _apply("leaky_relu", a)


def elu(a: np.ndarray) -> np.ndarray:
    r""":math:`a` for :math:`a>0`, else :math:`e^a - 1` (ELU with :math:`\alpha=1`). Same shape and dtype out."""
    return _apply("elu", a)


def silu(a: np.ndarray) -> np.ndarray:
    r"""SiLU / Swish :math:`a\,\sigma(a)`, elementwise. ``a`` : any shape; same shape and dtype out."""
    return _apply("silu", a)


def erf(x: np.ndarray) -> np.ndarray:
    r"""The error function :math:`\operatorname{erf}(x) = \frac{2}{\sqrt\pi}\int_0^x e^{-t^2}\,dt`, elementwise.

    W. J. Cody's rational approximations (1969), relative error below :math:`10^{-15}`; computed in float64.

    Parameters
    ----------
    x : any shape
        Real values (finite).

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``, values in :math:`[-1, 1]`.
    """
    arr = as_float_array(x, "x")
    check_finite(arr, "x")
    return _erf(arr)


def gelu(a: np.ndarray) -> np.ndarray:
    r"""Exact GELU :math:`a\,\Phi(a)` with :math:`\Phi(a) = \tfrac12(1 + \operatorname{erf}(a/\sqrt2))`.

    ``a`` : any shape; same shape and dtype out.
    """
    return _apply("gelu", a)


def gelu_grad(a: np.ndarray) -> np.ndarray:
    r"""Derivative of the exact GELU, :math:`\Phi(a) + a\,\varphi(a)`. Same shape and dtype out."""
    return _apply("gelu", a, derivative=True)


def gelu_tanh(a: np.ndarray) -> np.ndarray:
    r"""GELU's tanh approximation :math:`\frac12 a (1 + \tanh(\sqrt{2/\pi}(a + 0.044715 a^3)))`.

    ``a`` : any shape; same shape and dtype out.
    """
    return _apply("gelu_tanh", a)


def gelu_tanh_grad(a: np.ndarray) -> np.ndarray:
    r"""Derivative of :func:`gelu_tanh`. ``a`` : any shape; same shape and dtype out."""
    return _apply("gelu_tanh", a, derivative=True)


def identity(a: np.ndarray) -> np.ndarray:
    """The identity :math:`a`, the output activation of a regression. Same shape and dtype out."""
    return _apply("identity", a)


# --- softmax -------------------------------------------------------------------------------------------------
def _check_axis(a: np.ndarray, axis: int) -> None:
    if a.ndim == 0:
        raise ValueError("a must have at least one axis (the class axis), got a scalar")
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(
            f"axis must be an integer in [{-a.ndim}, {a.ndim}) for an array of shape {a.shape}, got {axis}"
        )
    if a.shape[axis] == 0:
        raise ValueError(f"a must have at least one entry along axis {axis}, got shape {a.shape}")


def _softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """:func:`softmax` without the checks (for layers, on values already checked)."""
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """:func:`log_softmax` without the checks (for the losses, on values already checked)."""
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Softmax :math:`\mathrm{softmax}(a)_i = e^{a_i} / \sum_j e^{a_j}` along ``axis``.

    Computed as :math:`e^{a_i - m} / \sum_j e^{a_j - m}` with :math:`m = \max_j a_j` (the log-sum-exp trick), so large
    logits never overflow.

    Parameters
    ----------
    a : (..., C, ...)
        Logits.
    axis : int
        The class axis.

    Returns
    -------
    ndarray
        Probabilities of the same shape and dtype, summing to 1 along ``axis``.
    """
    a = as_float_array(a, "a")
    check_finite(a, "a")
    _check_axis(a, axis)
    return _softmax(a, axis)


def log_softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Log-softmax :math:`a_i - \log \sum_j e^{a_j}` along ``axis``, by the log-sum-exp trick.

    Parameters
    ----------
    a : (..., C, ...)
        Logits.
    axis : int
        The class axis.

    Returns
    -------
    ndarray
        Log-probabilities, same shape and dtype (never ``-inf`` for finite logits within float range).
    """
    a = as_float_array(a, "a")
    check_finite(a, "a")
    _check_axis(a, axis)
    return _log_softmax(a, axis)


def softmax_backward(dout: np.ndarray, s: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Vector-Jacobian product of softmax: given :math:`s = \mathrm{softmax}(a)` and :math:`g = \partial L/\partial s`,
    return :math:`\partial L/\partial a = s \odot (g - \langle g, s\rangle)`.

    The Jacobian :math:`\partial s_i / \partial a_j = s_i(\delta_{ij} - s_j)` is never formed.

    Parameters
    ----------
    dout : same shape as ``s``
        Upstream gradient :math:`g`.
    s : (..., C, ...)
        The softmax output.
    axis : int
        The class axis.
    """
    dout, s = as_float_array(dout, "dout"), as_float_array(s, "s")
    if dout.shape != s.shape:
        raise ValueError(f"dout must have the shape of s {s.shape}, got {dout.shape}")
    _check_axis(s, axis)
    check_finite(dout, "dout")
    check_finite(s, "s")
    dout = dout.astype(s.dtype, copy=False)
    return s * (dout - (dout * s).sum(axis=axis, keepdims=True))


def log_softmax_backward(dout: np.ndarray, logp: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Vector-Jacobian product of log-softmax: :math:`\partial L/\partial a = g - \mathrm{softmax}(a) \sum_j g_j`.

    Parameters
    ----------
    dout : same shape as ``logp``
        Upstream gradient :math:`g = \partial L / \partial \log p`.
    logp : (..., C, ...)
        The log-softmax output.
    axis : int
        The class axis.
    """
    dout, logp = as_float_array(dout, "dout"), as_float_array(logp, "logp")
    if dout.shape != logp.shape:
        raise ValueError(f"dout must have the shape of logp {logp.shape}, got {dout.shape}")
    _check_axis(logp, axis)
    check_finite(dout, "dout")
    check_finite(logp, "logp")
    dout = dout.astype(logp.dtype, copy=False)
    return dout - np.exp(logp) * dout.sum(axis=axis, keepdims=True)


# --- ranges, found numerically ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Range:
    """The range of an activation found numerically: bounds, whether each is attained, and where.

    Attributes
    ----------
    low, high : float
        Infimum and supremum (minus or plus infinity where the function is unbounded).
    low_attained, high_attained : bool
        Whether the bound is reached at a finite input (a closed bracket) or only approached (an open one).
    argmin : float
        An input at which ``low`` is reached (not a number, ``float("nan")``, if it is never reached).
    """

    low: float
    high: float
    low_attained: bool
    high_attained: bool
    argmin: float

    def __str__(self) -> str:
        def bound(v: float) -> str:
            if np.isinf(v):
                return "−∞" if v < 0 else "∞"
            r = round(v, 3)
            return f"{r:g}".replace("-", "−") if r != 0 else "0"

        left = "[" if self.low_attained else "("
        right = "]" if self.high_attained else ")"
        approx = "≈" if (self.low_attained and round(self.low, 3) != self.low) else ""
        return f"{approx}{left}{bound(self.low)}, {bound(self.high)}{right}"


def _side(f: Callable[[np.ndarray], np.ndarray], sign: float) -> tuple[float, bool]:
    """Limit of ``f`` as ``a -> sign * inf``: (value, unbounded)."""
    far, farther = f(np.array([sign * 1e3]))[0], f(np.array([sign * 1e4]))[0]
    if abs(farther - far) > 1.0:  # still growing linearly or faster
        return float(sign * np.inf if farther * sign > 0 else -sign * np.inf), True
    return float(farther), False


def numerical_range(name: str, lo: float = -8.0, hi: float = 8.0, num: int = 160_001) -> Range:
    r"""Find the range of activation ``name`` numerically.

    The limits at :math:`\pm\infty` come from evaluating at :math:`\pm 10^3` and :math:`\pm 10^4` (a bound is
    infinite if the function still moves there). The function is then scanned on a fine grid over ``[lo, hi]``: an
    interior value at or below the left limit means the minimum is attained (a closed bracket), refined by a
    golden-section search around the best grid point.

    Parameters
    ----------
    name : str
        Activation name (a key of :data:`ACTIVATIONS`).
    lo, hi : float
        Interval scanned for interior extrema.
    num : int
        Grid points.
    """
    spec = get_activation(name)
    for value, arg in ((lo, "lo"), (hi, "hi")):
        if isinstance(value, str | bool) or not np.isfinite(float(value)):
            raise ValueError(f"{arg} must be a finite number, got {value!r}")
    if not float(lo) < float(hi):
        raise ValueError(f"lo must be below hi, got lo={lo!r}, hi={hi!r}")
    if isinstance(num, bool) or not isinstance(num, int | np.integer) or num < 3:
        raise ValueError(f"num must be an integer >= 3, got {num!r}")
    f = spec.fn
    (left, left_inf), (right, right_inf) = _side(f, -1.0), _side(f, 1.0)
    a = np.linspace(lo, hi, num)
    v = f(a)
    low, high = min(left, right), max(left, right)
    i = int(np.argmin(v))
    low_attained, argmin = False, float("nan")
    if not (left_inf and left < 0) and v[i] <= low + 1e-12:
        # refine the interior minimum by golden-section search on [a[i-1], a[i+1]]
        x0, x1 = a[max(i - 1, 0)], a[min(i + 1, num - 1)]
        g = (math.sqrt(5) - 1) / 2
        for _ in range(80):
            c, d = x1 - g * (x1 - x0), x0 + g * (x1 - x0)
            if f(np.array([c]))[0] < f(np.array([d]))[0]:
                x1 = d
            else:
                x0 = c
        argmin = float(0.5 * (x0 + x1))
        low = float(min(v[i], f(np.array([argmin]))[0]))
        low_attained = True
    high_attained = not (right_inf or (left_inf and left > 0)) and float(v.max()) >= high - 1e-12
    if right_inf or (left_inf and left > 0):
        high = float("inf")
    if left_inf and left < 0:
        low = float("-inf")
    return Range(low, high, low_attained, high_attained, argmin)
