r"""Checkers for the "build it yourself" exercises: your function against dlbook's own reference.

Each checker takes the function you wrote, calls it on several seeded inputs (and on targeted ones: large values,
batches of one and of several examples, repeated token ids, a causal mask probed position by position), compares
what it returns with dlbook's reference implementation (itself gradient-checked in dlbook's tests) and answers in
one plain sentence: either that every check passed, or the *first* thing that is wrong, named by what the probe
found (a shape, a transposed matrix, a missing sum over the batch, a factor of 2, a sign, an overflow at large
inputs, the position of a mask that leaks). It never prints the expected arrays.

A checker never raises: it returns a :class:`CheckResult`, which is truthy when every check passed, shows its
sentence in Jupyter (green or red) and in ``print``, and has :meth:`CheckResult.require` to turn a failure into an
``AssertionError`` (what an autograder test cell does). A function that still raises ``NotImplementedError`` gets a
polite "not implemented yet", so a chapter with unsolved exercises still runs from top to bottom.

>>> from dlbook import check
>>> def sigmoid(a):
...     return 1 / (1 + np.exp(-a))
>>> check.sigmoid(sigmoid)  # doctest: +SKIP
✗ `sigmoid` overflows at large inputs (np.exp(1000) is inf): ...

Every checker documents the signature your function must have.
"""

from __future__ import annotations

import html
import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from dlbook import activations, conv, layers, losses, normalization, rnn
from dlbook.attention import scaled_dot_product_attention

__all__ = [
    "CheckResult",
    "adam_step",
    "attention",
    "batchnorm_backward",
    "batchnorm_forward",
    "conv2d_backward",
    "conv2d_forward",
    "dropout",
    "embedding_backward",
    "global_avgpool_backward",
    "l2_penalty",
    "layernorm_backward",
    "linear_backward",
    "linear_forward",
    "lstm_step",
    "lstm_step_backward",
    "maxpool_backward",
    "mlp_deltas",
    "mlp_forward",
    "momentum_step",
    "rnn_step",
    "sgd_step",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_cross_entropy",
    "split_heads",
    "temperature_softmax",
]


class CheckResult:
    """The answer of a checker: one sentence, truthy when every check passed.

    Attributes
    ----------
    name : str
        The checker (``"sigmoid"``, ``"linear_backward"``, ...).
    passed : bool
        True when the function passed every check.
    message : str
        One sentence: the first thing wrong, or that all checks passed.
    """

    def __init__(self, name: str, passed: bool, message: str) -> None:
        self.name, self.passed, self.message = name, bool(passed), message

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return ("✓ " if self.passed else "✗ ") + self.message

    __str__ = __repr__

    def _repr_html_(self) -> str:
        colour, mark = ("#1a7f37", "✓") if self.passed else ("#b42318", "✗")
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.message))  # `name` as code
        return (
            f'<div class="dlbook-check" role="status" style="border-left: 4px solid {colour}; padding: 0.3em 0.7em;'
            f' margin: 0.3em 0"><strong style="color: {colour}">{mark}</strong> {text}</div>'
        )

    def require(self) -> CheckResult:
        """Return ``self`` if the check passed, else raise ``AssertionError`` with the message (for autograders)."""
        if not self.passed:
            raise AssertionError(self.message)
        return self


class _Fail(Exception):
    """The first thing wrong (its message is the sentence shown)."""


class _NotImplementedYet(Exception):
    """The learner's function still raises NotImplementedError."""


def _fail(message: str) -> None:
    raise _Fail(message)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _copy(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        return a.copy()
    if isinstance(a, list):
        return [_copy(x) for x in a]
    if isinstance(a, dict):
        return {k: _copy(v) for k, v in a.items()}
    return a


class _Learner:
    """Calls the learner's function safely: copies of the inputs, warnings silenced, exceptions turned into text."""

    def __init__(self, fn: Callable) -> None:
        self.fn = fn
        self.name = getattr(fn, "__name__", "your function")

    def __call__(
        self, *args: Any, case: str, fp: str | None = None, allow_none: bool = False, hint: str = "", **kw: Any
    ) -> Any:
        args = tuple(_copy(a) for a in args)
        strict = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(**strict) if fp else np.errstate(all="ignore"):
                try:
                    out = self.fn(*args, **kw)
                except NotImplementedError:
                    raise _NotImplementedYet from None
                except FloatingPointError:
                    if fp is None:
                        raise
                    _fail(f"`{self.name}` {fp}.")
                except Exception as exc:  # the learner's code failed: say how, in one sentence
                    text = str(exc).strip().splitlines()[0] if str(exc).strip() else "no message"
                    text = text if len(text) <= 90 else text[:87] + "..."
                    _fail(f"`{self.name}` raised {type(exc).__name__} ({text}) {case}{hint}.")
        if out is None and not allow_none:
            _fail(f"`{self.name}` returned None {case}: finish it with a `return` statement.")
        return out


def _array(out: Any, what: str, shape: tuple[int, ...], case: str, hint: str = "") -> np.ndarray:
    """``out`` as a float array of exactly ``shape``, or the sentence saying why not."""
    try:
        arr = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(f"{what} must be an array of numbers, got {type(out).__name__} {case}.")
    if arr.shape != tuple(shape):
        if arr.ndim == len(shape) >= 2 and arr.shape == tuple(shape)[::-1]:
            _fail(f"{what} has shape {_shape(arr.shape)}, the transpose of the expected {_shape(shape)} {case}.")
        _fail(f"{what} has shape {_shape(arr.shape)} but must have shape {_shape(shape)} {case}{hint}.")
    return arr


def _tuple(out: Any, n: int, names: str, name: str, case: str) -> tuple:
    if not isinstance(out, (tuple, list)) or len(out) != n:
        got = f"a {type(out).__name__} of length {len(out)}" if isinstance(out, (tuple, list)) else type(out).__name__
        _fail(f"`{name}` must return {n} values ({names}), got {got} {case}.")
    return tuple(out)


def _isclose(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=2e-3, abs_tol=1e-12)


def _close(
    got: np.ndarray,
    want: np.ndarray,
    what: str,
    case: str,
    hints: dict[float, str] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> None:
    """Fail with the most specific relation found between ``got`` and ``want`` (a factor, a sign, a transpose)."""
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    if not np.all(np.isfinite(got)):
        _fail(f"{what} contains NaN or infinity {case}.")
    ww = float(np.sum(want * want))
    if ww > 0:
        c = float(np.sum(got * want)) / ww
        scale = float(np.max(np.abs(want)))
        if not _isclose(c, 1.0) and np.allclose(got, c * want, rtol=1e-4, atol=1e-7 * scale):
            for factor, message in (hints or {}).items():
                if not _isclose(factor, 1.0) and _isclose(c, factor):
                    _fail(message)
            if abs(c) < 1e-9:
                _fail(f"{what} is all zeros {case}.")
            if _isclose(c, -1.0):
                _fail(f"{what} has the wrong sign {case}.")
            if _isclose(c, 2.0):
                _fail(f"{what} is twice too large (a factor of 2) {case}.")
            if _isclose(c, 0.5):
                _fail(f"{what} is half what it should be (a factor of 1/2) {case}.")
            _fail(f"{what} is off by a constant factor of {c:.3g} {case}.")
    if got.ndim >= 2 and got.shape[-1] == got.shape[-2]:
        if np.allclose(got, np.swapaxes(want, -1, -2), rtol=rtol, atol=atol):
            _fail(f"{what} is transposed {case}.")
    bad = ~np.isclose(got, want, rtol=max(rtol, 1e-5), atol=max(atol, 1e-7))
    first = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else ()
    where = f" (the first at index {list(first)})" if first else ""
    _fail(f"{what} is wrong at {int(bad.sum())} of {bad.size} entries {case}{where}.")


def _matches(got: np.ndarray, alt: np.ndarray) -> bool:
    return got.shape == alt.shape and bool(np.allclose(got, alt, rtol=1e-6, atol=1e-9))


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(1000 + seed)


def _numerical_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def _run(name: str, fn: Any, probe: Callable[[_Learner], None], covers: str) -> CheckResult:
    if not callable(fn):
        return CheckResult(
            name,
            False,
            f"check.{name} needs your function itself (its name, without calling it), got a {type(fn).__name__}.",
        )
    learner = _Learner(fn)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # whatever the caller's settings
            warnings.simplefilter("ignore")
            probe(learner)
    except _NotImplementedYet:
        return CheckResult(
            name,
            False,
            f"`{learner.name}` is not implemented yet: replace `raise NotImplementedError` with your code "
            "and run the cell again.",
        )
    except _Fail as exc:
        return CheckResult(name, False, str(exc))
    return CheckResult(name, True, f"All checks passed: `{learner.name}` agrees with dlbook's reference on {covers}.")


# --------------------------------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------------------------------

_SHAPES = [(5,), (3, 4), (2, 3, 4)]


def sigmoid(fn: Callable[[np.ndarray], np.ndarray]) -> CheckResult:
    r"""Check ``fn(a) -> s``, the logistic sigmoid :math:`\sigma(a) = 1/(1+e^{-a})`, elementwise, any shape.

    Probes three seeded shapes, the symmetry :math:`\sigma(-a) = 1 - \sigma(a)` (a flipped sign) and inputs of
    :math:`\pm 1000` (overflow of ``np.exp``, NaN).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        for seed, shape in enumerate(_SHAPES):
            a = _rng(seed).normal(0.0, 3.0, shape)
            case = f"for a of shape {_shape(shape)}"
            got = _array(f(a, case=case), "The result", shape, case, ": sigmoid acts elementwise")
            want = activations.sigmoid(a)
            if _matches(got, 1.0 - want):
                _fail("The result is σ(−a): the sign in the exponent is flipped (σ(a) = 1/(1 + e^(−a))).")
            _close(got, want, "The result", case)
        big = np.array([-1000.0, -60.0, 0.0, 60.0, 1000.0])
        case = "at a = ±1000"
        got = _array(
            f(
                big,
                case=case,
                fp="overflows at large inputs (np.exp(1000) is inf): write it with e^(−|a|), "
                "whose exponent is never positive, choosing the form by the sign of a",
            ),
            "The result",
            big.shape,
            case,
        )
        _close(got, activations.sigmoid(big), "The result", case)

    return _run("sigmoid", fn, probe, "three seeded shapes and inputs of ±1000")


def sigmoid_grad(fn: Callable[[np.ndarray], np.ndarray]) -> CheckResult:
    r"""Check ``fn(a) -> ds``, the derivative :math:`\sigma'(a) = \sigma(a)(1-\sigma(a))`, elementwise.

    Probes three seeded shapes, the symmetry :math:`\sigma'(-a) = \sigma'(a)`, a sign, and inputs of :math:`\pm 1000`.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        for seed, shape in enumerate(_SHAPES):
            a = _rng(seed).normal(0.0, 3.0, shape)
            case = f"for a of shape {_shape(shape)}"
            got = _array(f(a, case=case), "The derivative", shape, case, ": it acts elementwise")
            mirrored = _array(f(-a, case=case), "The derivative", shape, case)
            if not np.allclose(got, mirrored, rtol=1e-6, atol=1e-12):
                _fail(
                    "The derivative is not symmetric (σ′(−a) must equal σ′(a)): apply s(1 − s) to s = σ(a), "
                    "not to a itself."
                )
            _close(got, activations.sigmoid_grad(a), "The derivative", case)
        big = np.array([-1000.0, -60.0, 0.0, 60.0, 1000.0])
        case = "at a = ±1000"
        got = _array(
            f(
                big,
                case=case,
                fp="overflows at large inputs (np.exp(1000) is inf): compute σ(a) without overflow "
                "first, then s(1 − s)",
            ),
            "The derivative",
            big.shape,
            case,
        )
        _close(got, activations.sigmoid_grad(big), "The derivative", case)

    return _run("sigmoid_grad", fn, probe, "three seeded shapes and inputs of ±1000")


def _softmax_probe(f: _Learner, call: Callable[[np.ndarray, str, str | None], Any], ref: Callable) -> None:
    for seed, shape in enumerate([(4, 5), (2, 3, 4), (6,)]):
        a = _rng(seed).normal(0.0, 2.0, shape)
        case = f"for a of shape {_shape(shape)}"
        got = _array(call(a, case, None), "The result", shape, case)
        if not np.allclose(got.sum(axis=-1), 1.0):
            if got.ndim >= 2 and np.allclose(got.sum(axis=0), 1.0):
                _fail(
                    f"The probabilities sum to 1 down the first axis, not along the last {case}: normalize each "
                    "row (axis=-1, keepdims=True)."
                )
            if np.isclose(got.sum(), 1.0):
                _fail(
                    f"The probabilities sum to 1 over the whole array, not along each row {case}: normalize with "
                    "sum(axis=-1, keepdims=True)."
                )
            _fail(f"The rows of the result do not sum to 1 {case}.")
        _close(got, ref(a), "The result", case)
    a = _rng(7).normal(0.0, 2.0, (3, 5)) + 1000.0
    case = "for logits near 1000"
    got = _array(
        call(a, case, "overflows for large logits (np.exp(1000) is inf): subtract each row's maximum before np.exp"),
        "The result",
        a.shape,
        case,
    )
    _close(got, ref(a), "The result", case)
    a = _rng(8).normal(0.0, 2.0, (2, 5)) + np.array([[1000.0], [-1000.0]])
    case = "for one row near +1000 and another near −1000"
    got = _array(
        call(
            a,
            case,
            "fails when rows have very different scales: subtract each row's own maximum "
            "(max(axis=-1, keepdims=True)), not the maximum of the whole array",
        ),
        "The result",
        a.shape,
        case,
    )
    if not np.all(np.isfinite(got)):
        _fail(
            "The result is NaN when rows have very different scales: subtract each row's own maximum "
            "(max(axis=-1, keepdims=True)), not the maximum of the whole array."
        )
    _close(got, ref(a), "The result", case)


def softmax(fn: Callable[[np.ndarray], np.ndarray]) -> CheckResult:
    r"""Check ``fn(a) -> p``, the softmax over the last axis: :math:`p_i = e^{a_i} / \sum_j e^{a_j}`, any shape.

    Probes the axis it normalizes, three seeded shapes, logits near 1000 (overflow) and rows of very different
    scales (a maximum taken over the whole array).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        _softmax_probe(f, lambda a, case, fp: f(a, case=case, fp=fp), activations.softmax)

    return _run("softmax", fn, probe, "three seeded shapes and logits of ±1000")


def temperature_softmax(fn: Callable[[np.ndarray, float], np.ndarray]) -> CheckResult:
    r"""Check ``fn(logits, temperature) -> p``: the sampling distribution :math:`\mathrm{softmax}(z / T)` over the
    last axis.

    Probes :math:`T = 1` (the plain softmax), that a higher temperature flattens the distribution, several
    temperatures and shapes, and :math:`T = 0.01` on logits of size 10 (overflow).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        _softmax_probe(f, lambda a, case, fp: f(a, 1.0, case=f"{case} and temperature 1", fp=fp), activations.softmax)
        z = _rng(3).normal(0.0, 2.0, (4, 6))
        case = "for logits of shape (4, 6)"
        p1 = _array(f(z, 1.0, case=case + " and temperature 1"), "The result", z.shape, case)
        p2 = _array(f(z, 2.0, case=case + " and temperature 2"), "The result", z.shape, case)

        def entropy(p: np.ndarray) -> np.ndarray:
            return -(p * np.log(np.clip(p, 1e-300, None))).sum(axis=-1)

        if np.all(entropy(p2) < entropy(p1)):
            _fail("A higher temperature must flatten the distribution but yours sharpens it: divide the logits by T.")
        for t in (0.5, 2.0, 5.0):
            c = f"{case} and temperature {t:g}"
            got = _array(f(z, t, case=c), "The result", z.shape, c)
            if not np.allclose(got.sum(axis=-1), 1.0):
                _fail(f"The rows of the result do not sum to 1 {c}: divide the logits by T, then take the softmax.")
            _close(got, activations.softmax(z / t), "The result", c)
        z = _rng(4).uniform(-10.0, 10.0, (3, 5))
        case = "at temperature 0.01 (logits up to ±10)"
        got = _array(
            f(
                z,
                0.01,
                case=case,
                fp="overflows at low temperature (z/T reaches 1000): subtract the maximum of z/T before np.exp",
            ),
            "The result",
            z.shape,
            case,
        )
        _close(got, activations.softmax(z / 0.01), "The result", case)

    return _run("temperature_softmax", fn, probe, "several shapes and temperatures, from 0.01 to 5")


# --------------------------------------------------------------------------------------------------------------
# Layers and MLPs
# --------------------------------------------------------------------------------------------------------------


def linear_forward(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> CheckResult:
    r"""Check ``fn(x, W, b) -> z``: :math:`z = W h + b` for each row of ``x`` (``x`` (..., D_in), ``W``
    (D_out, D_in), ``b`` (D_out,); ``z`` (..., D_out)).

    Probes a square ``W`` (a missing transpose), a zero and a non-zero bias, non-square shapes and inputs with two
    leading axes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(0)
        x, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
        for b, label in ((np.zeros(3), "and b = 0"), (rng.normal(size=3), "")):
            case = f"for x (4, 3), a square W (3, 3) {label}".strip()
            got = _array(f(x, W, b, case=case), "z", (4, 3), case)
            want = layers.linear_forward(x, W, b)[0]
            if _matches(got, layers.linear_forward(x, W.T, b)[0]):
                _fail("z uses W where Wᵀ belongs: with W of shape (D_out, D_in) and examples as rows, z = x Wᵀ + b.")
            if label == "" and _matches(got, want - b):
                _fail("z is missing the bias b.")
            _close(got, want, "z", case)
        for shape, w_shape in (((5, 3), (2, 3)), ((2, 3, 4), (5, 4))):
            x, W, b = rng.normal(size=shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
            case = f"for x of shape {_shape(shape)} and W of shape {_shape(w_shape)}"
            out_shape = (*shape[:-1], w_shape[0])
            hint = ": it must act on the last axis of x, whatever the leading axes" if len(shape) > 2 else ""
            got = _array(f(x, W, b, case=case, hint=hint), "z", out_shape, case, ": act on the last axis of x")
            _close(got, layers.linear_forward(x, W, b)[0], "z", case)

    return _run("linear_forward", fn, probe, "square and non-square weights and inputs with one or two leading axes")


def mlp_forward(fn: Callable[..., np.ndarray]) -> CheckResult:
    r"""Check ``fn(x, W1, b1, W2, b2) -> logits``: one hidden ReLU layer, :math:`z_2 = W_2\,\mathrm{ReLU}(W_1 x +
    b_1) + b_2` for each row of ``x`` (``x`` (N, D), ``W1`` (H, D), ``W2`` (C, H)).

    Probes linearity (a missing ReLU), the sign of the logits (a ReLU on the output), square weights (a missing
    transpose) and seeded shapes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def ref(x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
        return np.maximum(x @ W1.T + b1, 0.0) @ W2.T + b2

    def probe(f: _Learner) -> None:
        rng = _rng(1)
        x = rng.normal(size=(6, 3))
        W1, W2 = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
        z3 = np.zeros(3)
        case = "for x (6, 3) with square weights (3, 3) and zero biases"
        got = _array(f(x, W1, z3, W2, z3, case=case), "The logits", (6, 3), case)
        neg = _array(f(-x, W1, z3, W2, z3, case=case), "The logits", (6, 3), case)
        if np.allclose(neg, -got):
            _fail("The network is linear in x (f(−x) = −f(x)): apply the ReLU to the hidden pre-activations.")
        b1, b2 = rng.normal(size=3), rng.normal(size=3)
        case = "for x (6, 3) with square weights (3, 3)"
        got = _array(f(x, W1, b1, W2, b2, case=case), "The logits", (6, 3), case)
        want = ref(x, W1, b1, W2, b2)
        if np.all(got >= 0) and np.any(want < 0):
            _fail("The logits are never negative: the ReLU belongs to the hidden layer only, not to the output.")
        for alt, which in ((ref(x, W1.T, b1, W2, b2), "W1"), (ref(x, W1, b1, W2.T, b2), "W2")):
            if _matches(got, alt):
                _fail(f"The product with {which} is missing its transpose: rows of x are examples, so use {which}.T.")
        _close(got, want, "The logits", case)
        x, W1, b1 = rng.normal(size=(5, 4)), rng.normal(size=(7, 4)), rng.normal(size=7)
        W2, b2 = rng.normal(size=(2, 7)), rng.normal(size=2)
        case = "for x (5, 4), W1 (7, 4) and W2 (2, 7)"
        got = _array(f(x, W1, b1, W2, b2, case=case), "The logits", (5, 2), case)
        _close(got, ref(x, W1, b1, W2, b2), "The logits", case)

    return _run("mlp_forward", fn, probe, "square and non-square weights, with and without biases")


def linear_backward(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(dz, x, W) -> (dx, dW, db)``, the backward of :math:`z = x W^\top + b` (``dz`` (..., D_out),
    ``x`` (..., D_in), ``W`` (D_out, D_in)): :math:`\partial L/\partial W = \sum_n \delta_n h_n^\top`,
    :math:`\partial L/\partial b = \sum_n \delta_n`, :math:`\partial L/\partial x = \delta W`.

    Probes a square ``W`` (a transposed product), shapes (a missing sum over the batch), a batch of one against a
    batch of several (an average where a sum belongs) and inputs with two leading axes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(2)
        for shape, w_shape in (((4, 3), (3, 3)), ((5, 3), (2, 3)), ((1, 3), (2, 3)), ((2, 3, 4), (5, 4))):
            x, W = rng.normal(size=shape), rng.normal(size=w_shape)
            dz = rng.normal(size=(*shape[:-1], w_shape[0]))
            n = int(np.prod(shape[:-1]))
            case = f"for x of shape {_shape(shape)} and W of shape {_shape(w_shape)}"
            hint = ": flatten the leading axes (reshape(-1, D)) before summing dW and db" if len(shape) > 2 else ""
            dx, dW, db = _tuple(f(dz, x, W, case=case, hint=hint), 3, "dx, dW, db", f.name, case)
            want_dx, want_dW, want_db = layers.linear_backward(dz, (x, W))
            db = np.asarray(db, dtype=float)
            if db.shape == dz.shape and n > 1:
                _fail(f"db keeps one row per example {case}: sum over the batch (axis 0).")
            dW = _array(dW, "dW", w_shape, case, ": dW has the shape of W")
            if dW.shape[0] == dW.shape[1] and _matches(dW, want_dW.T):
                _fail(f"dW is transposed {case}: ∂L/∂W = δᵀ x has the shape of W (D_out, D_in).")
            _close(dW, want_dW, "dW", case, {1 / n: f"dW is averaged over the batch {case}: sum it instead."})
            db = _array(db, "db", (w_shape[0],), case)
            _close(db, want_db, "db", case, {1 / n: f"db is averaged over the batch {case}: sum it instead."})
            dx = _array(dx, "dx", shape, case)
            if w_shape[0] == w_shape[1] and _matches(dx, dz @ W.T):
                _fail(f"dx uses Wᵀ where W belongs {case}: with z = x Wᵀ + b, ∂L/∂x = δ W.")
            _close(dx, want_dx, "dx", case)

    return _run("linear_backward", fn, probe, "four shapes, a batch of one and two leading axes included")


def mlp_deltas(fn: Callable[..., list]) -> CheckResult:
    r"""Check ``fn(Ws, zs, delta_L, phi_grad) -> deltas``, the delta recursion
    :math:`\delta_l = (W_{l+1}^\top \delta_{l+1}) \odot \phi'(z_l)` for batch rows.

    ``Ws = [W_1, ..., W_L]`` (``W_l`` (H_l, H_{l-1})), ``zs = [z_1, ..., z_L]`` (``z_l`` (N, H_l)),
    ``delta_L`` (N, H_L), ``phi_grad`` the activation's derivative; returns ``[delta_1, ..., delta_L]``.
    Probes the list's length and order, which :math:`z` the derivative is taken at, square layers (a transposed
    product) and seeded sizes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def ref(Ws: list, zs: list, delta_L: np.ndarray, phi_grad: Callable) -> list:
        deltas = [delta_L]
        for l in range(len(Ws) - 1, 0, -1):  # noqa: E741
            deltas.insert(0, (deltas[0] @ Ws[l]) * phi_grad(zs[l - 1]))
        return deltas

    def tanh_grad(z: np.ndarray) -> np.ndarray:
        return 1.0 - np.tanh(z) ** 2

    def probe(f: _Learner) -> None:
        rng = _rng(3)
        for sizes in ([3, 3, 3, 3], [4, 6, 5, 2]):
            N = 5
            Ws = [rng.normal(size=(sizes[i + 1], sizes[i])) for i in range(len(sizes) - 1)]
            zs = [rng.normal(size=(N, h)) for h in sizes[1:]]
            dL = rng.normal(size=(N, sizes[-1]))
            L = len(Ws)
            case = f"for layer sizes {sizes} and a batch of {N}"
            seen: list[int] = []

            def phi_grad(z: np.ndarray, _zs: list = zs, _seen: list = seen) -> np.ndarray:
                for i, zi in enumerate(_zs):
                    if np.shape(z) == zi.shape and np.array_equal(z, zi):
                        _seen.append(i + 1)
                return tanh_grad(z)

            out = f(Ws, zs, dL, phi_grad, case=case)
            if not isinstance(out, (list, tuple)) or len(out) != L:
                got = f"{len(out)} items" if isinstance(out, (list, tuple)) else f"a {type(out).__name__}"
                _fail(f"`{f.name}` must return a list of {L} deltas (δ_1, ..., δ_L) {case}, got {got}.")
            if not seen:
                _fail(f"The deltas never use φ′ {case}: δ_l = (W_{{l+1}}ᵀ δ_{{l+1}}) ⊙ φ′(z_l).")
            if L in seen:
                _fail(f"φ′ is applied to z_L, the output's pre-activation {case}: δ_l uses φ′(z_l) of its own layer.")
            want = ref(Ws, zs, dL, tanh_grad)
            got = [np.asarray(d, dtype=float) for d in out]
            if not np.allclose(got[-1], dL) and np.shape(got[0]) == dL.shape and np.allclose(got[0], dL):
                _fail(f"The deltas come in reverse order {case}: list them from δ_1 to δ_L.")
            for l in range(L, 0, -1):  # noqa: E741
                what = f"δ_{l}"
                d = _array(got[l - 1], what, want[l - 1].shape, case, " (one row per example, H_l columns)")
                if l < L and sizes[l] == sizes[l + 1]:
                    alt = (want[l] @ Ws[l].T) * tanh_grad(zs[l - 1])
                    if _matches(d, alt) and not _matches(d, want[l - 1]):
                        _fail(f"{what} multiplies by W_{l + 1} where its transpose belongs {case} (delta @ W).")
                _close(d, want[l - 1], what, case)

    return _run("mlp_deltas", fn, probe, "square and non-square layers")


def softmax_cross_entropy(fn: Callable[[np.ndarray, np.ndarray], tuple]) -> CheckResult:
    r"""Check ``fn(logits, y) -> (loss, dlogits)``: the mean of :math:`-\log\mathrm{softmax}(z)_y` over all leading
    positions and its gradient :math:`(\mathrm{softmax}(z) - e_y)/M` (``logits`` (..., C), ``y`` (...) int).

    Probes the loss (a sum where the mean belongs), the gradient's rows (a missing one-hot), its scale (a missing
    division by the batch size), a gradient check, logits of size 1000 (overflow) and (B, T, C) logits.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(4)
        for shape in ((5, 4), (1, 3), (2, 3, 4)):
            z = rng.normal(0.0, 2.0, shape)
            y = rng.integers(0, shape[-1], shape[:-1])
            m = int(np.prod(shape[:-1]))
            case = f"for logits of shape {_shape(shape)}"
            loss, dz = _tuple(f(z, y, case=case), 2, "loss, dlogits", f.name, case)
            want_loss, want_dz = losses.softmax_cross_entropy(z, y)
            if np.ndim(loss) != 0:
                _fail(f"The loss must be one number, got an array of shape {_shape(np.shape(loss))} {case}: average.")
            hints = {float(m): f"The loss is summed over the examples {case}: average it (divide by {m})."}
            _close(np.asarray(float(loss)), np.asarray(want_loss), "The loss", case, hints)
            dz = _array(dz, "dlogits", shape, case)
            rows = dz.sum(axis=-1)
            if np.allclose(rows, 1.0 / m) or np.allclose(rows, 1.0):
                _fail(f"Each row of dlogits must sum to 0 {case}: subtract the one-hot labels, softmax(z) − e_y.")
            hints = {
                float(m): f"dlogits is {m} times too large {case}: divide it by the number of examples, as the loss.",
                -1.0: f"dlogits has the wrong sign {case}: it is softmax(z) − e_y, not e_y − softmax(z).",
            }
            _close(dz, want_dz, "dlogits", case, hints)
        z = rng.normal(0.0, 2.0, (3, 4)) * 500.0
        y = rng.integers(0, 4, 3)
        case = "for logits of size about 1000"
        loss, dz = _tuple(
            f(
                z,
                y,
                case=case,
                fp="overflows for large logits: compute log softmax with the log-sum-exp trick "
                "(subtract each row's maximum)",
            ),
            2,
            "loss, dlogits",
            f.name,
            case,
        )
        want_loss, want_dz = losses.softmax_cross_entropy(z, y)
        if not (np.isfinite(float(loss)) and np.all(np.isfinite(np.asarray(dz, dtype=float)))):
            _fail("The loss or its gradient is NaN or infinite for large logits: use the log-sum-exp trick.")
        _close(np.asarray(float(loss)), np.asarray(want_loss), "The loss", case, rtol=1e-6)
        _close(_array(dz, "dlogits", z.shape, case), want_dz, "dlogits", case)

    return _run(
        "softmax_cross_entropy", fn, probe, "three shapes (a batch of one and (B, T, C) logits) and logits of ±1000"
    )


def embedding_backward(fn: Callable[[np.ndarray, np.ndarray, int], np.ndarray]) -> CheckResult:
    r"""Check ``fn(dout, ids, vocab_size) -> dW``: the gradient of the table of :math:`\mathrm{out} = W[\mathrm{ids}]`
    (``dout`` (..., D), ``ids`` (...) int, ``dW`` (V, D)): each row gets the sum over every position that looked it
    up.

    Probes distinct ids, repeated ids (a lost gradient) and ids of shape (B, T).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(5)
        V, D = 7, 3
        for ids, label in (
            (np.array([4, 0, 2]), "for three distinct ids"),
            (np.array([1, 3, 1, 1, 5]), "for ids in which token 1 appears three times"),
            (rng.integers(0, V, (2, 4)), "for ids of shape (2, 4)"),
        ):
            dout = rng.normal(size=(*ids.shape, D))
            want = layers.embedding_backward(dout, (ids, (V, D)))
            got = _array(f(dout, ids, V, case=label), "dW", (V, D), label, ": one row per token of the vocabulary")
            if np.bincount(ids.ravel(), minlength=V).max() > 1:
                repeated = np.bincount(ids.ravel(), minlength=V) > 1
                if not np.allclose(got[repeated], want[repeated]) and np.allclose(got[~repeated], want[~repeated]):
                    _fail(
                        f"dW loses gradients {label}: `dW[ids] += dout` keeps only one of a repeated id's rows; "
                        "accumulate with np.add.at(dW, ids, dout)."
                    )
            _close(got, want, "dW", label)

    return _run("embedding_backward", fn, probe, "distinct ids, repeated ids and ids of shape (B, T)")


def split_heads(fn: Callable[[np.ndarray, int], np.ndarray]) -> CheckResult:
    r"""Check ``fn(x, num_heads) -> heads``: (B, T, D) to (B, h, T, D/h), head ``j`` at time ``t`` holding the
    features ``x[:, t, j*d_k:(j+1)*d_k]``.

    Probes the shape (a missing transpose), what each head holds (a reshape that mixes time steps, interleaved
    features) and several sizes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(6)
        for B, T, D, h in ((2, 5, 6, 3), (1, 4, 8, 2), (3, 2, 4, 4)):
            dk = D // h
            x = rng.normal(size=(B, T, D))
            case = f"for x of shape {_shape((B, T, D))} and {h} heads"
            out = np.asarray(f(x, h, case=case), dtype=float)
            if out.shape == (B, T, h, dk) and T != h:
                _fail(f"The heads have shape (B, T, h, d_k) {case}: move the head axis before time (swap axes 1, 2).")
            out = _array(out, "The heads", (B, h, T, dk), case, ": (B, num_heads, T, d_model // num_heads)")
            for j in range(h):
                for t in range(T):
                    if np.allclose(out[:, j, t], x[:, t, j * dk : (j + 1) * dk]):
                        continue
                    if dk > 1 and np.allclose(out[:, j, t], x[:, t, j::h]):
                        _fail(
                            f"Head {j} takes one feature in every {h} {case}: it must take the contiguous block "
                            f"x[:, t, {j}·d_k:{j + 1}·d_k] (reshape to (B, T, h, d_k), not (B, T, d_k, h))."
                        )
                    _fail(
                        f"Head {j} at time {t} does not hold x[:, {t}, {j}·d_k:{j + 1}·d_k] {case}: a reshape alone "
                        "mixes time steps into the heads; reshape to (B, T, h, d_k), then swap axes 1 and 2."
                    )

    return _run("split_heads", fn, probe, "three sizes, every head and time step compared")


# --------------------------------------------------------------------------------------------------------------
# Optimization and regularization
# --------------------------------------------------------------------------------------------------------------


def sgd_step(fn: Callable[[dict, dict, float], Any]) -> CheckResult:
    r"""Check ``fn(params, grads, lr)``: one step of gradient descent :math:`\theta \leftarrow \theta - \eta
    \nabla_\theta L`, **in place**, for every array of the dict ``params`` (``grads`` has the same keys).

    Probes that every parameter changes in place, the direction (a sign), the size (a learning rate ignored) and
    that ``grads`` is left alone.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(7)
        lr = 0.05
        params = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=3), "W2": rng.normal(size=(1, 3))}
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        before = {k: v.copy() for k, v in params.items()}
        grads_before = {k: v.copy() for k, v in grads.items()}
        case = "on a dict with W1 (3, 2), b1 (3,) and W2 (1, 3)"
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                returned = f.fn(params, grads, lr)
            except NotImplementedError:
                raise _NotImplementedYet from None
            except Exception as exc:
                _fail(f"`{f.name}` raised {type(exc).__name__} ({exc}) {case}.")
        if any(not np.array_equal(grads[k], grads_before[k]) for k in grads):
            _fail("The step changes grads: only params should change.")
        unchanged = [k for k in params if np.array_equal(params[k], before[k])]
        if len(unchanged) == len(params):
            if isinstance(returned, dict):
                _fail("The step returns new arrays but leaves params unchanged: update in place, params[k] -= lr * g.")
            _fail("The step leaves params unchanged: update each array in place, params[k] -= lr * grads[k].")
        if unchanged:
            _fail(f"The step leaves params[{unchanged[0]!r}] unchanged: update every parameter in the dict.")
        for k in params:
            move = params[k] - before[k]
            hints = {
                -1.0: "The step goes uphill (it adds the gradient): gradient descent subtracts lr * gradient.",
                1.0 / lr: "The step ignores the learning rate: multiply the gradient by lr.",
                -1.0 / lr: "The step goes uphill and ignores the learning rate: subtract lr * gradient.",
            }
            _close(move, -lr * grads[k], f"The change of params[{k!r}]", case, hints)

    return _run("sgd_step", fn, probe, "a dict of three parameters updated in place")


def adam_step(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(p, g, m, v, t, lr, beta1, beta2, eps) -> (p, m, v)``: one Adam step :cite:`kingma2014adam` at
    step ``t`` (1, 2, ...), returning the new parameter and moment estimates:
    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
    :math:`p \leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)` with :math:`\hat m = m/(1-\beta_1^t)`,
    :math:`\hat v = v/(1-\beta_2^t)`.

    Probes both moments, the first step (about ``lr`` per coordinate: the bias corrections), invariance to the
    gradient's scale (the square root) and later steps (the power ``t``).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def ref(
        p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float, b1: float, b2: float, eps: float
    ) -> tuple:
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        return p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), m, v

    def probe(f: _Learner) -> None:
        rng = _rng(8)
        lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
        p, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
        z = np.zeros_like(p)
        case = "at the first step (t = 1, m = v = 0)"
        out = _tuple(f(p, g, z, z, 1, lr, b1, b2, eps, case=case), 3, "p, m, v", f.name, case)
        p1, m1, v1 = (_array(a, n, p.shape, case) for a, n in zip(out, ("p", "m", "v"), strict=True))
        wp, wm, wv = ref(p, g, z, z, 1, lr, b1, b2, eps)
        _close(m1, wm, "m", case, {1 / (1 - b1): "m misses the factor (1 − β₁) on the gradient."})
        if _matches(v1, (1 - b2) * g):
            _fail("v averages the gradient, not its square: v = β₂ v + (1 − β₂) g².")
        _close(v1, wv, "v", case, {1 / (1 - b2): "v misses the factor (1 − β₂) on the squared gradient."})
        out = _tuple(f(p, 100 * g, z, z, 1, lr, b1, b2, eps, case=case), 3, "p, m, v", f.name, case)
        big = _array(out[0], "p", p.shape, case)
        if not np.allclose(big - p, p1 - p, rtol=1e-4, atol=1e-9):
            _fail("The step changes when the gradient is scaled by 100: divide m̂ by √v̂ (the square root of v̂).")
        hints = {
            (1 - b1) / np.sqrt(1 - b2): "The first step is not about lr per coordinate: apply the bias corrections "
            "m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ).",
            -1.0: "The step goes uphill: subtract lr · m̂ / (√v̂ + ε).",
        }
        _close(p1 - p, wp - p, "The step", case, hints, rtol=1e-6)
        m, v, q = z, z, p
        for t in range(1, 6):
            gt = rng.normal(size=p.shape)
            case = f"at step t = {t} of a run of five"
            out = _tuple(f(q, gt, m, v, t, lr, b1, b2, eps, case=case), 3, "p, m, v", f.name, case)
            wq, m, v = ref(q, gt, m, v, t, lr, b1, b2, eps)
            got = _array(out[0], "p", p.shape, case)
            if t > 1 and not np.allclose(got, wq, rtol=1e-6, atol=1e-10):
                _fail(f"p is wrong {case}: the bias corrections use the powers β₁ᵗ and β₂ᵗ of the current step t.")
            _close(got, wq, "p", case)
            q = wq

    return _run("adam_step", fn, probe, "a first step, a scaled gradient and five steps in a row")


def momentum_step(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(p, g, b, lr, mu) -> (p, b)``: one step of SGD with momentum in PyTorch's form, returning the new
    parameter and velocity: :math:`b \leftarrow \mu b + g`, then :math:`p \leftarrow p - \eta b` (the course's
    :math:`b_t = \mu b_{t-1} + g_t`, :math:`\theta_t = \theta_{t-1} - \eta b_t`).

    Probes the first step from ``b = 0`` (plain SGD), a step from a nonzero velocity, ``mu = 0`` (plain SGD again)
    and five steps in a row, each fed the ``p`` and ``b`` your function returned. Returning new arrays and returning
    ``p`` and ``b`` updated in place are both fine (your function is given copies).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(21)
        lr, mu = 0.05, 0.9
        shape = (3, 4)

        def call(p: np.ndarray, g: np.ndarray, b: np.ndarray, m: float, case: str) -> tuple[np.ndarray, np.ndarray]:
            out = _tuple(f(p, g, b, lr, m, case=case), 2, "p, b", f.name, case)
            return _array(out[0], "p", shape, case), _array(out[1], "b", shape, case)

        uphill = "The step goes uphill (it adds η b to p): momentum descends, p −= η b."
        p, g, zeros = rng.normal(size=shape), rng.normal(size=shape), np.zeros(shape)
        case = "at the first step (b = 0)"
        p1, b1 = call(p, g, zeros, mu, case)
        if _matches(p1, g) and _matches(b1, p - lr * g):
            _fail(f"`{f.name}` returns the velocity first: return the new parameter, then the new velocity, (p, b).")
        hints = {
            -lr: "After the first step b is −η g (the convention b = μb − ηg, p += b): the course uses PyTorch's "
            "form, b = μb + g and p −= ηb.",
            1 - mu: "After the first step b is (1 − μ) g, an average of the gradients: momentum sums them, b = μb + g.",
            lr: "After the first step b is η g: b = μb + g collects the gradients themselves, and η multiplies b "
            "only in the step p −= ηb.",
        }
        _close(b1, g, "b", case, hints)
        if np.array_equal(p1, p):
            _fail(
                "p does not move at the first step (b = 0), so it is updated with the old velocity: update b "
                "first, then step p −= η b with the new b."
            )
        hints = {
            -1.0: uphill,
            1.0 / lr: "The step ignores the learning rate: p −= η b.",
            1.0 + mu: "The first step is η (1 + μ) g, Nesterov's look-ahead p −= η (g + μb): plain momentum steps "
            "p −= η b.",
        }
        _close(p1 - p, -lr * g, "The step of p", case, hints)

        b, g = rng.normal(size=shape), rng.normal(size=shape)
        case = "from a nonzero velocity b"
        p2, b2 = call(p, g, b, mu, case)
        # the first step showed that the gradient enters b as g: what is left is what became of the old velocity
        hints = {1.0 / mu: "The old velocity is not multiplied by μ: b = μb + g (with μ < 1 old gradients fade)."}
        _close(b2 - g, mu * b, "The part of the new b that comes from the old b", case, hints)
        if _matches(p2 - p, -lr * b):
            _fail("p steps with the old velocity: update b first, then step p −= η b with the new b.")
        _close(p2 - p, -lr * (mu * b + g), "The step of p", case, {-1.0: uphill})

        case = "with mu = 0 from a nonzero velocity b"
        p3, b3 = call(p, g, b, 0.0, case)
        if not _matches(b3, g):
            _fail(f"b is not the gradient alone {case} (plain SGD): use the argument mu, b = mu·b + g.")
        _close(p3 - p, -lr * g, "The step of p", case)

        q, v, want_q, want_v = p, zeros, p, zeros
        for t in range(1, 6):
            g = rng.normal(size=shape)
            case = f"at step {t} of a run of five (from the p and b returned by the step before)"
            q, v = call(q, g, v, mu, case)
            want_v = mu * want_v + g
            want_q = want_q - lr * want_v
            _close(v, want_v, "b", case)
            _close(q, want_q, "p", case)

    return _run(
        "momentum_step", fn, probe, "a first step from b = 0, a nonzero velocity, mu = 0 and five steps in a row"
    )


def batchnorm_forward(fn: Callable[..., np.ndarray]) -> CheckResult:
    r"""Check ``fn(x, gamma, beta, eps) -> out``: batch normalization in training mode, each feature (column of
    ``x`` (N, D)) standardized by the batch's mean and (biased, divide-by-N) variance, then
    :math:`\gamma \hat x + \beta`.

    Probes the axis of the statistics, the variance's divisor, features of tiny or zero variance (where ``eps``
    goes) and seeded shapes with random ``gamma``, ``beta``.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(9)
        N, D, eps = 8, 5, 1e-5
        x = rng.normal(2.0, 3.0, (N, D))
        ones, zeros = np.ones(D), np.zeros(D)
        case = "for x of shape (8, 5) with gamma = 1 and beta = 0"
        got = _array(f(x, ones, zeros, eps, case=case), "out", (N, D), case)
        if np.allclose(got, got.flat[0]):
            _fail(f"out is constant {case}: gamma scales x̂ and beta shifts it, out = gamma·x̂ + beta.")
        if not np.allclose(got.mean(axis=0), 0.0, atol=1e-6):
            if np.allclose(got.mean(axis=1), 0.0, atol=1e-6):
                _fail(
                    "Each example (row) is normalized on its own: batch norm standardizes each feature over the "
                    "batch (axis 0)."
                )
            _fail(f"The columns of out do not have mean 0 {case}: subtract each feature's batch mean.")
        var = got.var(axis=0)
        if np.allclose(var, (N - 1) / N, rtol=1e-3):
            _fail("The variance divides by N − 1: batch norm uses the biased variance (x.var(axis=0) divides by N).")
        small = x * 1e-3
        c2 = "for features whose variance is close to eps"
        got2 = _array(f(small, ones, zeros, eps, case=c2), "out", (N, D), c2)
        if np.allclose(got, normalization.batchnorm_forward(x, ones, zeros, eps)[0], rtol=1e-3) and not np.allclose(
            got2, normalization.batchnorm_forward(small, ones, zeros, eps)[0], rtol=1e-5, atol=1e-7
        ):
            _fail("out is wrong for features of small variance: eps goes inside the square root, √(σ² + ε).")
        _close(got, normalization.batchnorm_forward(x, ones, zeros, eps)[0], "out", case, rtol=1e-6)
        gamma, beta = rng.normal(size=D), rng.normal(size=D)
        case = "for x of shape (8, 5) with random gamma and beta"
        got = _array(f(x, gamma, beta, eps, case=case), "out", (N, D), case)
        _close(got, normalization.batchnorm_forward(x, gamma, beta, eps)[0], "out", case)
        flat = x.copy()
        flat[:, 2] = 4.0
        case = "for a constant feature"
        got = _array(f(flat, ones, zeros, eps, case=case), "out", (N, D), case)
        if not np.all(np.isfinite(got)):
            _fail("out is NaN or infinite for a constant feature: add eps to the variance inside the square root.")
        _close(got, normalization.batchnorm_forward(flat, ones, zeros, eps)[0], "out", case)

    return _run("batchnorm_forward", fn, probe, "random scales and shifts, tiny and zero variances")


def batchnorm_backward(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(dout, x, gamma, eps) -> (dx, dgamma, dbeta)``: the backward of batch normalization in training
    mode for ``x`` (N, D), each feature standardized by the batch's mean and biased (divide-by-N) variance,
    :math:`\hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon}`, :math:`y = \gamma \hat x + \beta` (``gamma`` (D,)).

    Probes the axis of the sums in ``dgamma`` and ``dbeta`` (a square batch with its examples reordered, then
    N ≠ D), that ``dgamma`` sums ``dout`` times :math:`\hat x`, that each example's ``dx`` depends on the whole batch
    (through the mean and the variance), the two properties these impose (each feature's column of ``dx`` sums to 0
    over the batch and is orthogonal to :math:`\hat x`), ``gamma``, and a feature whose variance is close to ``eps``.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def ref(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float) -> tuple:
        _, cache = normalization.batchnorm_forward(x, gamma, np.zeros_like(gamma), eps)
        return (*normalization.batchnorm_backward(dout, cache), cache[0], cache[2])  # dx, dgamma, dbeta, x̂, 1/σ

    def probe(f: _Learner) -> None:
        rng = _rng(22)
        eps = 1e-5
        per_feature = ": sum it over the batch (axis 0), one number per feature"

        def call(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, case: str) -> tuple:
            out = _tuple(f(dout, x, gamma, eps, case=case), 3, "dx, dgamma, dbeta", f.name, case)
            D = x.shape[1]
            db = _array(out[2], "dbeta", (D,), case, per_feature)
            dg = _array(out[1], "dgamma", (D,), case, per_feature)
            return _array(out[0], "dx", x.shape, case), dg, db

        # a square batch (N = D), so that a sum over the wrong axis has the right shape: reorder its examples
        N = D = 5
        x, dout, gamma = rng.normal(1.0, 2.0, (N, D)), rng.normal(size=(N, D)), rng.uniform(0.5, 2.0, D)
        case = "for a square x of shape (5, 5)"
        dx, dg, db = call(dout, x, gamma, case)
        order = np.roll(np.arange(N), 2)
        pdx, pdg, pdb = call(dout[order], x[order], gamma, case + " with its examples reordered")
        for what, a, b in (("dbeta", db, pdb), ("dgamma", dg, pdg)):
            if not np.allclose(a, b, rtol=1e-6, atol=1e-9):
                _fail(f"{what} changes when the examples of the batch are reordered {case}{per_feature}.")
        if not np.allclose(pdx, dx[order], rtol=1e-6, atol=1e-9):
            _fail(
                f"dx does not follow the examples when they are reordered {case}: the mean and the variance are "
                "per feature, over the batch (axis 0)."
            )

        N, D = 8, 5
        x, dout = rng.normal(1.0, 2.0, (N, D)), rng.normal(size=(N, D))
        gamma = rng.uniform(0.5, 2.0, D) * rng.choice([-1.0, 1.0], D)
        want_dx, want_dg, want_db, xhat, inv_std = ref(dout, x, gamma, eps)
        case = "for x of shape (8, 5)"
        dx, dg, db = call(dout, x, gamma, case)
        _close(db, want_db, "dbeta", case, {1.0 / N: "dbeta is averaged over the batch: sum dout over the examples."})
        other = call(dout, rng.normal(1.0, 2.0, (N, D)), gamma, "for another x of shape (8, 5)")[1]
        if np.allclose(other, dg, rtol=1e-6, atol=1e-9):
            _fail("dgamma does not depend on x: gamma multiplies x̂, so dgamma sums dout ⊙ x̂ over the batch.")
        moved = call(dout, 3.0 * x + 5.0, gamma, "for x scaled by 3 and shifted by 5")[1]
        if not np.allclose(moved, dg, rtol=1e-4, atol=1e-8):
            _fail(
                "dgamma changes when x is scaled and shifted, although x̂ does not: gamma multiplies the normalized "
                "x̂, so dgamma sums dout ⊙ x̂ (not dout ⊙ x)."
            )
        scales, shifts = rng.uniform(0.5, 3.0, D), rng.normal(0.0, 5.0, D)
        moved = call(dout, scales * x + shifts, gamma, "for each feature of x scaled and shifted")[1]
        if not np.allclose(moved, dg, rtol=1e-4, atol=1e-8):
            _fail(
                "dgamma changes when each feature of x is scaled and shifted by its own amount, although x̂ does "
                "not: x̂ is standardized per feature, over the batch (axis 0), not per example."
            )
        hints = {
            math.sqrt((N - 1) / N): "dgamma is √((N − 1)/N) times too small: the variance divides by N "
            "(x.var(axis=0)), not N − 1.",
            1.0 / N: "dgamma is averaged over the batch: sum dout ⊙ x̂ over the examples.",
        }
        _close(dg, want_dg, "dgamma", case, hints, rtol=1e-5)  # ε moves x̂ by about ε/(2σ²) ≈ 1e-6

        scale = float(np.abs(dx).max()) + 1e-12
        columns_sum_to_0 = np.allclose(dx.sum(axis=0), 0.0, atol=1e-6 * scale * N)
        if not columns_sum_to_0 and np.allclose(dx.sum(axis=1), 0.0, atol=1e-6 * scale * D):
            _fail(
                "The rows of dx sum to 0 but its columns must: the mean and the variance are per feature, over the "
                "batch (axis 0), not per example."
            )
        changed = dout.copy()
        changed[1:] = rng.normal(size=(N - 1, D))
        if np.allclose(call(changed, x, gamma, case)[0][0], dx[0], rtol=1e-6, atol=1e-9):
            _fail(
                "dx of example 0 does not change when dout of the other examples changes: the batch mean and "
                "variance depend on every example, so they are not constants (dx is not just dout·γ/σ)."
            )
        if not columns_sum_to_0:
            _fail(
                f"The columns of dx do not sum to 0 over the batch {case} (adding a constant to a feature of every "
                "example does not change the output): include the term from the mean, −(1/N) Σᵢ ∂L/∂x̂ᵢ."
            )
        along = (dx * xhat).sum(axis=0)
        if not np.allclose(along, 0.0, atol=1e-3 * scale * N):
            # without the variance term this is (1/σ) Σᵢ ∂L/∂x̂ᵢ x̂ᵢ = γ dgamma / σ per feature; with N − 1 in that
            # term, −1/(N − 1) times it
            ratio = along / (gamma * want_dg * inv_std)
            if np.allclose(ratio, -1.0 / (N - 1), rtol=1e-3):
                _fail("The term from the variance divides by N − 1: the batch variance divides by N.")
            _fail(
                f"The columns of dx are not orthogonal to x̂ {case} (scaling a feature of every example does not "
                "change the output): include the term from the variance, −x̂ᵢ (1/N) Σⱼ ∂L/∂x̂ⱼ x̂ⱼ."
            )
        doubled = call(dout, x, 2.0 * gamma, case + " and gamma doubled")[0]
        if np.allclose(doubled, dx, rtol=1e-6, atol=1e-9):
            _fail("dx does not change when gamma doubles: the gradient reaching x̂ is dout ⊙ γ.")
        if np.allclose(doubled, 4.0 * dx, rtol=1e-6, atol=1e-9):
            _fail("dx grows 4 times when gamma doubles: γ enters dx once, in ∂L/∂x̂ = dout ⊙ γ.")
        _close(dx, want_dx, "dx", case, rtol=1e-4, atol=1e-7 * scale)  # near-cancelling entries: ε matters more

        N, D = 16, 3
        x, dout, gamma = rng.normal(size=(N, D)), rng.normal(size=(N, D)), rng.uniform(0.5, 2.0, D)
        x[:, 1] *= 3e-3  # a variance of about 1e-5, the size of eps
        case = "for a feature whose variance is close to eps"
        dx, dg, db = call(dout, x, gamma, case)
        want_dx, want_dg, want_db, _, _ = ref(dout, x, gamma, eps)
        if not (_matches(dx, want_dx) and _matches(dg, want_dg) and _matches(db, want_db)):
            _fail(f"The gradients are wrong {case}: use √(σ² + ε) wherever the forward pass does.")

    return _run(
        "batchnorm_backward", fn, probe, "a reordered square batch, N ≠ D, a doubled gamma and a variance close to eps"
    )


def dropout(fn: Callable[[np.ndarray, float, np.random.Generator], np.ndarray]) -> CheckResult:
    r"""Check ``fn(x, p, rng) -> out``: inverted dropout in training mode, each entry zeroed with probability ``p``
    (drawn from the generator ``rng``) and the kept ones scaled by :math:`1/(1-p)`.

    Probes the value of the kept entries (the scale), the fraction dropped (p or 1 − p), ``p = 0``, and that the
    mask comes from ``rng`` (same seed, same mask; the mask follows x's shape).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        p = 0.3
        x = np.full((200, 500), 3.0)
        case = "for x of shape (200, 500) filled with 3 and p = 0.3"
        out = _array(f(x, p, np.random.default_rng(0), case=case), "out", x.shape, case)
        kept = out != 0
        frac = 1.0 - kept.mean()
        vals = out[kept]
        if vals.size and not np.allclose(vals, vals[0]):
            _fail(
                f"The kept entries of out differ from each other {case}: scale every kept entry by the same 1/(1 − p)."
            )
        if vals.size and np.isclose(vals[0], 3.0):
            _fail("The kept entries are not rescaled: divide them by 1 − p so that the expected output equals x.")
        if vals.size and np.isclose(vals[0], 3.0 / p):
            _fail("The kept entries are divided by p: divide them by the keep probability 1 − p.")
        if abs(frac - (1 - p)) < 0.01:
            _fail("Entries are dropped with probability 1 − p: each must be dropped with probability p.")
        if abs(frac - p) > 0.01:
            _fail(f"A fraction {frac:.3f} of the entries is dropped {case}: it should be close to p.")
        if vals.size and not np.isclose(vals[0], 3.0 / (1 - p)):
            _fail(f"The kept entries have the wrong scale {case}: each kept x is divided by 1 − p.")
        x = _rng(10).normal(size=(50, 40))
        case = "for random x of shape (50, 40) and p = 0.5"
        a = _array(f(x, 0.5, np.random.default_rng(1), case=case), "out", x.shape, case)
        b = _array(f(x, 0.5, np.random.default_rng(1), case=case), "out", x.shape, case)
        c = _array(f(x, 0.5, np.random.default_rng(2), case=case), "out", x.shape, case)
        if not np.array_equal(a, b) or np.array_equal(a, c):
            _fail("The mask does not come from rng: draw it with the generator you are given (rng.random(x.shape)).")
        keep = a != 0
        _close(a[keep], x[keep] / 0.5, "The kept entries", case)
        case = "for p = 0"
        _close(_array(f(x, 0.0, np.random.default_rng(3), case=case), "out", x.shape, case), x, "out", case)

    return _run("dropout", fn, probe, "the scale, the fraction dropped, p = 0 and the generator")


def l2_penalty(fn: Callable[[list, float], tuple]) -> CheckResult:
    r"""Check ``fn(weights, weight_decay) -> (penalty, grads)``: the weight-decay term
    :math:`\tfrac{\lambda}{2}\sum_l \lVert W_l\rVert^2` of a list of weight arrays and the list of its gradients
    :math:`\lambda W_l`.

    Probes the ½, a gradient check of your own penalty, a list of several arrays (all counted) and seeded shapes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(11)
        lam = 0.1
        for shapes in ([(3, 4)], [(3, 4), (2, 3), (5,)]):
            Ws = [rng.normal(size=s) for s in shapes]
            case = f"for a list of {len(Ws)} weight arrays and weight_decay = {lam}"
            pen, grads = _tuple(f(Ws, lam, case=case), 2, "penalty, grads", f.name, case)
            want = 0.5 * lam * sum(float(np.sum(W * W)) for W in Ws)
            if np.ndim(pen) != 0:
                _fail(f"The penalty must be one number {case}: sum over every weight.")
            if len(Ws) > 1:
                first = 0.5 * lam * float(np.sum(Ws[0] ** 2))
                if np.isclose(float(pen), first) or np.isclose(float(pen), 2 * first):
                    _fail(f"The penalty counts only the first weight array {case}: sum over all of them.")
            hints = {2.0: "The penalty is twice too large: λ/2 Σ‖W‖² has a factor ½."}
            _close(np.asarray(float(pen)), np.asarray(want), "The penalty", case, hints)
            if not isinstance(grads, (list, tuple)) or len(grads) != len(Ws):
                _fail(f"grads must be a list with one gradient per weight array {case}.")
            for i, (W, gW) in enumerate(zip(Ws, grads, strict=True)):
                gW = _array(gW, f"grads[{i}]", W.shape, case)
                hints = {
                    2.0: f"grads[{i}] is twice too large: the derivative of λ/2 ‖W‖² is λ W.",
                    0.5: f"grads[{i}] is half too small: the derivative of λ/2 ‖W‖² is λ W.",
                }
                _close(gW, lam * W, f"grads[{i}]", case, hints)

    return _run("l2_penalty", fn, probe, "one and several weight arrays")


# --------------------------------------------------------------------------------------------------------------
# Convolution and pooling
# --------------------------------------------------------------------------------------------------------------


def conv2d_forward(fn: Callable[..., np.ndarray]) -> CheckResult:
    r"""Check ``fn(x, W, b, stride, padding) -> out``: the 2-D cross-correlation of deep learning,
    :math:`\mathrm{out}[n,f,i,j] = b_f + \sum_{c,u,v} W[f,c,u,v]\, x_{\mathrm{pad}}[n,c,s i+u,s j+v]`, with
    ``x`` (N, C, H, W), ``W`` (F, C, k_h, k_w), ``b`` (F,) and ``out`` (N, F, H_out, W_out),
    :math:`H_\mathrm{out} = \lfloor (H + 2p - k_h)/s \rfloor + 1`.

    Probes a zero and a non-zero bias, an asymmetric kernel (a flipped kernel: true convolution), several channels,
    the output size with stride 2 and padding 1, and both separately.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(12)
        x, W = rng.normal(size=(2, 3, 5, 6)), rng.normal(size=(4, 3, 3, 2))
        for b, stride, pad in (
            (np.zeros(4), 1, 0),
            (rng.normal(size=4), 1, 0),
            (np.zeros(4), 1, 1),
            (np.zeros(4), 2, 0),
            (rng.normal(size=4), 2, 1),
        ):
            want = conv.conv2d_forward(x, W, b, stride, pad)[0]
            label = "zero" if not b.any() else "random"
            case = f"for x (2, 3, 5, 6), W (4, 3, 3, 2), {label} b, stride {stride} and padding {pad}"
            hint = "" if (stride, pad) == (1, 0) else " (H_out = (H + 2·padding − k_h) // stride + 1)"
            got = _array(f(x, W, b, stride, pad, case=case), "out", want.shape, case, hint)
            if _matches(got, conv.conv2d_forward(x, W[:, :, ::-1, ::-1], b, stride, pad)[0]):
                _fail(
                    "out flips the kernel (true convolution): a convolutional layer slides W unflipped "
                    "(cross-correlation)."
                )
            if b.any() and _matches(got, want - b[None, :, None, None]):
                _fail(f"out is missing the bias b {case}.")
            if pad and _matches(got, conv.conv2d_forward(x, W, b, stride, 0)[0][..., : got.shape[2], : got.shape[3]]):
                _fail(f"out ignores the padding {case}: pad x with zeros on every side first.")
            _close(got, want, "out", case)

    return _run("conv2d_forward", fn, probe, "five settings of bias, stride and padding with three channels")


def conv2d_backward(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(dout, x, W, stride, padding) -> (dx, dW, db)``, the backward of a convolutional layer
    (:func:`dlbook.conv.conv2d_forward`; ``dout`` (N, F, H_out, W_out)): ``db`` sums ``dout`` over the batch and
    every position, ``dW`` correlates ``dout`` with the (padded) input, ``dx`` sends ``dout`` back through every
    kernel.

    Probes a batch of one and of several (a missing sum over the batch), padding and stride, with the shapes of
    every gradient.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(13)
        for N, stride, pad in ((1, 1, 0), (3, 1, 0), (2, 1, 1), (2, 2, 1)):
            x, W, b = rng.normal(size=(N, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
            out, cache = conv.conv2d_forward(x, W, b, stride, pad)
            dout = rng.normal(size=out.shape)
            want_dx, want_dW, want_db = conv.conv2d_backward(dout, cache)
            case = f"for a batch of {N}, stride {stride} and padding {pad}"
            dx, dW, db = _tuple(f(dout, x, W, stride, pad, case=case), 3, "dx, dW, db", f.name, case)
            db = np.asarray(db, dtype=float)
            if db.shape != (3,):
                _fail(
                    f"db has shape {_shape(db.shape)} {case}: it must sum dout over the batch and every position, "
                    "one number per kernel (F,)."
                )
            _close(db, want_db, "db", case, {1 / N: f"db is averaged over the batch {case}: sum it."})
            dW = _array(dW, "dW", W.shape, case, ": dW has the shape of W")
            if N > 1:
                one = conv.conv2d_backward(dout[:1], conv.conv2d_forward(x[:1], W, b, stride, pad)[1])[1]
                if _matches(dW, one):
                    _fail(f"dW holds only the first image's gradient {case}: sum over the batch.")
            _close(dW, want_dW, "dW", case, {1 / N: f"dW is averaged over the batch {case}: sum it."})
            dx = _array(dx, "dx", x.shape, case, ": dx has the shape of x (without the padding)")
            _close(dx, want_dx, "dx", case)

    return _run("conv2d_backward", fn, probe, "batches of one and several images, padding and stride")


def maxpool_backward(fn: Callable[..., np.ndarray]) -> CheckResult:
    r"""Check ``fn(dout, x, kernel_size, stride) -> dx``: the backward of max pooling (no padding), each window's
    gradient sent to the position of its maximum (``x`` (N, C, H, W), ``dout`` (N, C, H_out, W_out)).

    Probes 2×2 windows of stride 2 (gradient spread over the window or averaged), and 3×3 windows of stride 2, which
    overlap (a maximum shared by two windows receives both gradients).

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(14)
        x = rng.permutation(2 * 2 * 4 * 6).reshape(2, 2, 4, 6).astype(float)  # distinct values: no ties
        out, cache = conv.maxpool2d_forward(x, 2, 2)
        dout = rng.normal(size=out.shape)
        want = conv.maxpool2d_backward(dout, cache)
        case = "for 2×2 windows of stride 2 on x (2, 2, 4, 6)"
        got = _array(f(dout, x, 2, 2, case=case), "dx", x.shape, case, ": dx has the shape of x")
        spread = np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3)
        if _matches(got, spread / 4):
            _fail("dx spreads each gradient evenly over its window (average pooling): only the maximum receives it.")
        if _matches(got, spread):
            _fail("dx sends each gradient to every position of its window: only the maximum receives it.")
        if np.any((got != 0) & (want == 0)):
            _fail(f"dx sends gradient to positions that were not the maximum of their window {case}.")
        _close(got, want, "dx", case)
        x = rng.normal(size=(1, 2, 5, 5))
        x[:, :, 2, 2] = 10.0  # the centre is the maximum of all four overlapping windows
        x[:, 1, 0, 2] = 11.0
        out, cache = conv.maxpool2d_forward(x, 3, 2)
        dout = rng.normal(size=out.shape)
        want = conv.maxpool2d_backward(dout, cache)
        case = "for overlapping 3×3 windows of stride 2"
        got = _array(f(dout, x, 3, 2, case=case), "dx", x.shape, case)
        if not np.allclose(got[0, 0, 2, 2], want[0, 0, 2, 2]):
            _fail("dx overwrites instead of adding where windows overlap (stride < kernel_size): accumulate with +=.")
        _close(got, want, "dx", case)

    return _run("maxpool_backward", fn, probe, "separate and overlapping windows")


def global_avgpool_backward(fn: Callable[[np.ndarray, tuple], np.ndarray]) -> CheckResult:
    r"""Check ``fn(dout, x_shape) -> dx``: the backward of global average pooling (mean over all positions of each
    channel): ``dout`` (N, C), ``x_shape`` = (N, C, H, W), each position receives :math:`\mathrm{dout}/(HW)`.

    Probes non-square images (a division by H or W only, or none) and several sizes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(15)
        for shape in ((2, 3, 4, 5), (1, 2, 3, 7)):
            N, C, H, W = shape
            dout = rng.normal(size=(N, C))
            want = conv.global_avgpool_backward(dout, (shape, np.dtype(np.float64)))
            case = f"for x of shape {_shape(shape)}"
            got = _array(f(dout, shape, case=case), "dx", shape, case, ": dx has the shape of x")
            hints = {
                float(H * W): f"dx is H·W = {H * W} times too large {case}: each position receives dout / (H·W).",
                float(W): f"dx divides by H only {case}: each of the H·W positions receives dout / (H·W).",
                float(H): f"dx divides by W only {case}: each of the H·W positions receives dout / (H·W).",
            }
            _close(got, want, "dx", case, hints)

    return _run("global_avgpool_backward", fn, probe, "two non-square image sizes")


# --------------------------------------------------------------------------------------------------------------
# Recurrent networks
# --------------------------------------------------------------------------------------------------------------


def rnn_step(fn: Callable[..., np.ndarray]) -> CheckResult:
    r"""Check ``fn(x_t, h, W_xh, W_hh, b) -> h_t``: :math:`h_t = \tanh(W_{xh} x_t + W_{hh} h_{t-1} + b)` for a
    batch (``x_t`` (B, D), ``h`` (B, H), ``W_xh`` (H, D), ``W_hh`` (H, H), ``b`` (H,)).

    Probes the squashing (a missing tanh), D = H (swapped weights, missing transposes), the bias and seeded sizes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def ref(x: np.ndarray, h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.tanh(x @ Wx.T + h @ Wh.T + b)

    def probe(f: _Learner) -> None:
        rng = _rng(16)
        B, H = 4, 3
        x, h = rng.normal(size=(B, H)), rng.normal(size=(B, H))
        Wx, Wh, b = 2 * rng.normal(size=(H, H)), 2 * rng.normal(size=(H, H)), rng.normal(size=H)
        case = "for x_t (4, 3), h (4, 3) and square weights"
        got = _array(f(x, h, Wx, Wh, b, case=case), "h_t", (B, H), case)
        if np.any(np.abs(got) > 1):
            _fail("h_t leaves (−1, 1): squash the pre-activation with tanh.")
        if _matches(got, ref(x, h, Wh, Wx, b)):
            _fail("The weights are swapped: W_xh multiplies x_t and W_hh multiplies h_{t−1}.")
        for alt, which in (
            (ref(x, h, Wx.T, Wh, b), "W_xh"),
            (ref(x, h, Wx, Wh.T, b), "W_hh"),
            (ref(x, h, Wx.T, Wh.T, b), "W_xh and W_hh"),
        ):
            if _matches(got, alt):
                _fail(f"The product with {which} is missing its transpose: rows are examples, so use x_t @ W_xh.T.")
        if _matches(got, np.tanh(x @ Wx.T + h @ Wh.T)):
            _fail("h_t is missing the bias b.")
        _close(got, ref(x, h, Wx, Wh, b), "h_t", case)
        B, D, H = 2, 5, 3
        x, h = rng.normal(size=(B, D)), rng.normal(size=(B, H))
        Wx, Wh, b = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
        case = "for x_t (2, 5), h (2, 3)"
        _close(_array(f(x, h, Wx, Wh, b, case=case), "h_t", (B, H), case), ref(x, h, Wx, Wh, b), "h_t", case)

    return _run("rnn_step", fn, probe, "square and non-square weights")


def _lstm_inputs(rng: np.random.Generator, B: int, D: int, H: int) -> tuple:
    return (
        rng.normal(size=(B, D)),
        rng.normal(size=(B, H)),
        rng.normal(size=(B, H)),
        rng.normal(size=(4 * H, D)),
        rng.normal(size=(4 * H, H)),
        rng.normal(size=4 * H),
    )


def lstm_step(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(x_t, h, c, W_ih, W_hh, b) -> (h_t, c_t)``: one LSTM step with the gates stacked in the order
    i, f, g, o (``W_ih`` (4H, D), ``W_hh`` (4H, H), ``b`` (4H,)): :math:`a = W_{ih} x_t + W_{hh} h + b`,
    :math:`i, f, o = \sigma(\cdot)`, :math:`g = \tanh(\cdot)`, :math:`c_t = f \odot c + i \odot g`,
    :math:`h_t = o \odot \tanh(c_t)`.

    Probes each gate by saturating it with its bias (forget gate open and input shut: the cell is kept; the reverse:
    the cell becomes the candidate; output gate shut or open), then seeded sizes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(17)
        B, D, H = 3, 4, 2
        x, h, c, Wi, Wh, b = _lstm_inputs(rng, B, D, H)
        Wi, Wh = 0.3 * Wi, 0.3 * Wh

        def call(bias: np.ndarray, case: str) -> tuple[np.ndarray, np.ndarray]:
            out = _tuple(f(x, h, c, Wi, Wh, bias, case=case), 2, "h_t, c_t", f.name, case)
            return _array(out[0], "h_t", (B, H), case), _array(out[1], "c_t", (B, H), case)

        def blocks(i: float, fg: float, g: float, o: float) -> np.ndarray:
            return np.concatenate([np.full(H, v) for v in (i, fg, g, o)])

        case = "with the forget gate saturated open and the input gate shut (gate order i, f, g, o)"
        _, c1 = call(blocks(-30, 30, 0, 0), case)
        if not np.allclose(c1, c, atol=1e-6):
            _fail(
                "With the forget gate open (f ≈ 1) and the input gate shut (i ≈ 0) the cell state must be kept: "
                "check c_t = f ⊙ c + i ⊙ g and the gate order i, f, g, o."
            )
        case = "with the input gate saturated open and the forget gate shut"
        _, c2 = call(blocks(30, -30, 0, 0), case)
        g = np.tanh(x @ Wi[2 * H : 3 * H].T + h @ Wh[2 * H : 3 * H].T)
        if not np.allclose(c2, g, atol=1e-6):
            _fail(
                "With the input gate open and the forget gate shut, c_t must be the candidate g = tanh(a_g): check "
                "the candidate (the third block of four) and its tanh."
            )
        case = "with the output gate saturated shut"
        h3, _ = call(blocks(0, 0, 0, -30), case)
        if not np.allclose(h3, 0.0, atol=1e-6):
            _fail("With the output gate shut (o ≈ 0) h_t must be 0: h_t = o ⊙ tanh(c_t), o from the fourth block.")
        case = "with the output gate saturated open"
        h4, c4 = call(blocks(0, 0, 0, 30), case)
        if _matches(h4, c4) and not _matches(c4, np.tanh(c4)):
            _fail("h_t must be o ⊙ tanh(c_t), not o ⊙ c_t: squash the new cell state.")
        _close(h4, np.tanh(c4), "h_t", case)
        for B, D, H in ((3, 4, 2), (1, 2, 5)):
            x, h, c, Wi, Wh, b = _lstm_inputs(rng, B, D, H)
            case = f"for x_t of shape {_shape((B, D))} and H = {H}"
            want_h, want_c, _ = rnn.lstm_step(x, h, c, Wi, Wh, b)
            out = _tuple(f(x, h, c, Wi, Wh, b, case=case), 2, "h_t, c_t", f.name, case)
            _close(_array(out[1], "c_t", (B, H), case), want_c, "c_t", case)
            _close(_array(out[0], "h_t", (B, H), case), want_h, "h_t", case)

    return _run("lstm_step", fn, probe, "each gate saturated in turn and two seeded sizes")


_GATES = ("input gate i", "forget gate f", "candidate g", "output gate o")


def lstm_step_backward(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(dh, dc, x_t, h, c, W_ih, W_hh, b) -> (dx, dh_prev, dc_prev, dW_ih, dW_hh, db)``: the backward of
    one LSTM step (:func:`lstm_step`'s equations) given the gradients ``dh``, ``dc`` reaching :math:`h_t` and
    :math:`c_t`; recompute the forward quantities inside.

    The reference is a gradient check (central differences of dlbook's LSTM step). Probes the cell path (``dc_prev``
    with ``dc = 0``), each gate's block of rows of ``dW_ih``, ``dW_hh`` and ``db``, and a batch of one against three.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def numeric(dh: np.ndarray, dc: np.ndarray, args: list[np.ndarray]) -> list[np.ndarray]:
        def loss() -> float:
            h_t, c_t, _ = rnn.lstm_step(*args)
            return float(np.sum(dh * h_t) + np.sum(dc * c_t))

        return [_numerical_grad(loss, a) for a in args]

    def probe(f: _Learner) -> None:
        rng = _rng(18)
        names = ("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db")
        for B, D, H, zero_dc in ((2, 3, 2, True), (1, 3, 2, False), (3, 2, 3, False)):
            args = list(_lstm_inputs(rng, B, D, H))
            dh, dc = rng.normal(size=(B, H)), (np.zeros((B, H)) if zero_dc else rng.normal(size=(B, H)))
            case = f"for x_t of shape {_shape((B, D))}, H = {H}" + (" and dc = 0" if zero_dc else "")
            got = _tuple(f(dh, dc, *args, case=case), 6, ", ".join(names), f.name, case)
            grads = numeric(dh, dc, [a.copy() for a in args])
            want = [grads[0], grads[1], grads[2], grads[3], grads[4], grads[5]]
            shapes = [a.shape for a in args]
            got = [_array(g, n, s, case) for g, n, s in zip(got, names, shapes, strict=True)]
            if zero_dc and np.allclose(got[2], 0.0) and not np.allclose(want[2], 0.0, atol=1e-6):
                _fail(
                    "dc_prev is 0 when dc = 0: it misses the path through h_t = o ⊙ tanh(c_t); add "
                    "dh ⊙ o ⊙ (1 − tanh² c_t) to dc first."
                )
            for k in (5, 3, 4):
                g, w = got[k], want[k]
                if B > 1 and np.allclose(g, w / B, rtol=1e-4, atol=1e-7):
                    _fail(f"{names[k]} is averaged over the batch {case}: sum it.")
                for j in range(4):
                    rows = slice(j * H, (j + 1) * H)
                    if not np.allclose(g[rows], w[rows], rtol=1e-5, atol=1e-7):
                        _fail(
                            f"{names[k]} is wrong in the rows of the {_GATES[j]} (block {j + 1} of 4, order i, f, "
                            f"g, o) {case}."
                        )
            for k in (2, 1, 0):
                _close(got[k], want[k], names[k], case, rtol=1e-5, atol=1e-7)

    return _run("lstm_step_backward", fn, probe, "three sizes against a numerical gradient check")


# --------------------------------------------------------------------------------------------------------------
# Attention and normalization
# --------------------------------------------------------------------------------------------------------------


def attention(fn: Callable[..., np.ndarray]) -> CheckResult:
    r"""Check ``fn(q, k, v, causal) -> out``: scaled dot-product attention
    :math:`\mathrm{softmax}(q k^\top / \sqrt{d_k})\, v` over the last two axes (``q``, ``k`` (..., T, d_k), ``v``
    (..., T, d_v)), with ``causal=True`` hiding from query ``i`` every key ``j > i``.

    Probes that each query's weights sum to 1 (``v`` of ones), the scale, the causal mask position by position (a
    query that sees a later key, or not its own), large scores (overflow) and seeded shapes.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def ref(q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool, scale: float | None = None) -> np.ndarray:
        return scaled_dot_product_attention(q, k, v, causal=causal, scale=scale)[0]

    def probe(f: _Learner) -> None:
        rng = _rng(19)
        B, T, d = 2, 5, 4
        q, k = rng.normal(size=(B, T, d)), rng.normal(size=(B, T, d))
        v = rng.normal(size=(B, T, 3))
        for causal in (False, True):
            case = f"for q, k of shape {_shape((B, T, d))} with causal={causal}"
            got = _array(f(q, k, np.ones((B, T, 3)), causal, case=case), "out", (B, T, 3), case)
            if not np.allclose(got, 1.0):
                _fail(
                    f"With v all ones out must be all ones {case}: each query's weights must sum to 1 over the "
                    "keys (softmax over the last axis, masked scores set to −∞ before it, not weights zeroed after)."
                )
            got = _array(f(q, k, v, causal, case=case), "out", (B, T, 3), case, ": (..., T_q, d_v)")
            if _matches(got, ref(q, k, v, causal, 1.0)):
                _fail("The scores are not scaled: divide q kᵀ by √d_k.")
            if _matches(got, ref(q, k, v, causal, 1.0 / d)):
                _fail("The scores are divided by d_k: divide them by √d_k.")
            if not causal:
                if _matches(got, ref(q, k, v, True)):
                    _fail("out is masked although causal=False: apply the mask only when causal is True.")
                _close(got, ref(q, k, v, False), "out", case)
        case = "with causal=True"
        base = _array(f(q, k, v, True, case=case), "out", (B, T, 3), case)
        for j in range(T):
            k2, v2 = k.copy(), v.copy()
            k2[:, j] += 1.0
            v2[:, j] += 1.0
            moved = _array(f(q, k2, v2, True, case=case), "out", (B, T, 3), case)
            for i in range(T):
                changed = not np.allclose(moved[:, i], base[:, i], atol=1e-12)
                if j > i and changed:
                    _fail(f"With causal=True query {i} sees the later key {j}: the mask must hide every key j > i.")
                if j == i and not changed:
                    _fail(
                        f"With causal=True query {i} ignores its own key {i}: the mask keeps j ≤ i, the diagonal "
                        "included."
                    )
                if j < i and not changed:
                    _fail(f"With causal=True query {i} ignores the earlier key {j}: only keys j > i are hidden.")
        _close(base, ref(q, k, v, True), "out", case)
        qb = q * 1000.0
        for causal in (False, True):
            case = f"for large scores (q scaled by 1000) with causal={causal}"
            got = _array(
                f(
                    qb,
                    k,
                    v,
                    causal,
                    case=case,
                    fp="overflows for large scores: subtract each row's maximum before np.exp",
                ),
                "out",
                (B, T, 3),
                case,
            )
            _close(got, ref(qb, k, v, causal), "out", case)
        q4, k4, v4 = rng.normal(size=(2, 3, 4, 2)), rng.normal(size=(2, 3, 4, 2)), rng.normal(size=(2, 3, 4, 5))
        case = "for q, k of shape (2, 3, 4, 2) (a head axis)"
        got = _array(f(q4, k4, v4, True, case=case), "out", (2, 3, 4, 5), case)
        _close(got, ref(q4, k4, v4, True), "out", case)

    return _run("attention", fn, probe, "both masks, every position of the causal mask, large scores and a head axis")


def layernorm_backward(fn: Callable[..., tuple]) -> CheckResult:
    r"""Check ``fn(dout, x, gamma, eps) -> (dx, dgamma, dbeta)``: the backward of layer normalization over the last
    axis, :math:`y = \gamma \hat x + \beta`, :math:`\hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon}` per row
    (``x`` (..., D), ``gamma`` (D,)).

    Probes the shapes of ``dgamma``, ``dbeta`` (a missing sum over the batch), the two properties of ``dx`` that the
    mean and the variance impose (each row sums to 0; each row is orthogonal to :math:`\hat x`), ``gamma`` = 1
    against a random ``gamma``, and (B, T, D) inputs.

    Parameters
    ----------
    fn : callable
        Your function, with the signature above.

    Returns
    -------
    CheckResult
        Truthy when every check passed; its one-sentence ``message`` names the first thing wrong otherwise.
    """

    def probe(f: _Learner) -> None:
        rng = _rng(20)
        eps = 1e-5
        for shape, unit in (((4, 5), True), ((4, 5), False), ((2, 3, 6), False)):
            D = shape[-1]
            x, dout = rng.normal(1.0, 2.0, shape), rng.normal(size=shape)
            gamma = np.ones(D) if unit else rng.normal(size=D)
            _, cache = normalization.layernorm_forward(x, gamma, np.zeros(D), eps)
            want_dx, want_dg, want_db = normalization.layernorm_backward(dout, cache)
            case = f"for x of shape {_shape(shape)}" + (" and gamma = 1" if unit else "")
            dx, dg, db = _tuple(f(dout, x, gamma, eps, case=case), 3, "dx, dgamma, dbeta", f.name, case)
            for what, g, w in (("dbeta", db, want_db), ("dgamma", dg, want_dg)):
                g = np.asarray(g, dtype=float)
                if g.shape != (D,):
                    _fail(
                        f"{what} has shape {_shape(g.shape)} {case}: sum it over every leading axis, one number per "
                        "feature."
                    )
                _close(g, w, what, case)
            dx = _array(dx, "dx", shape, case)
            xhat = cache[0]
            scale = float(np.abs(dx).max()) + 1e-12
            if not np.allclose(dx.sum(axis=-1), 0.0, atol=1e-6 * scale * D):
                _fail(
                    f"The rows of dx do not sum to 0 {case} (shifting a row of x does not change its output): "
                    "include the term from the mean, −(1/D) Σ_j ∂L/∂x̂_j."
                )
            if not np.allclose((dx * xhat).sum(axis=-1), 0.0, atol=1e-3 * scale * D):
                _fail(
                    f"The rows of dx are not orthogonal to x̂ {case} (scaling a row of x does not change its output): "
                    "include the term from the variance, −x̂ (1/D) Σ_j ∂L/∂x̂_j x̂_j."
                )
            if not unit and _matches(dx, normalization.layernorm_backward(dout, (xhat, np.ones(D), cache[2]))[0]):
                _fail("dx ignores gamma: the gradient reaching x̂ is dout ⊙ gamma.")
            _close(dx, want_dx, "dx", case)

    return _run("layernorm_backward", fn, probe, "gamma = 1, a random gamma and (B, T, D) inputs")
