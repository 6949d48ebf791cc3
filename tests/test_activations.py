"""Activations: values, derivatives (central differences), stability, dtype, the registry and numerical ranges."""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from dlbook import activations as act
from dlbook.gradcheck import numerical_gradient, relative_error

ALL = list(act.ACTIVATIONS)


def assert_grad_close(analytic, numeric):
    """Relative error below 1e-7 elementwise, with an absolute floor of 1e-9 for entries that are nearly zero
    (where the round-off of a central difference, about 1e-10, dominates any relative measure)."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    bad = np.abs(analytic - numeric) > 1e-7 * (np.abs(analytic) + np.abs(numeric)) + 1e-9
    assert not bad.any(), f"max relative error {relative_error(analytic, numeric):.2e}"


def _avoid_kinks(a):
    """Move points away from the kink at 0 of ReLU-like functions, where finite differences are meaningless."""
    return np.where(np.abs(a) < 1e-3, a + 0.01, a)


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=15, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), seed=st.integers(0, 2**31))
def test_derivative_matches_central_differences(name, shape, seed):
    spec = act.get_activation(name)
    a = _avoid_kinks(np.random.default_rng(seed).normal(0, 1.5, shape).clip(-4, 4))
    eps = 1e-6  # the function is elementwise, so one central difference per entry, all at once
    numeric = (spec.fn(a + eps) - spec.fn(a - eps)) / (2 * eps)
    assert_grad_close(spec.grad(a), numeric)


# (phi(-1e4), phi(1e4), phi'(-1e4), phi'(1e4)): the limits every activation must reach without overflow
LIMITS = {
    "sigmoid": (0.0, 1.0, 0.0, 0.0),
    "tanh": (-1.0, 1.0, 0.0, 0.0),
    "relu": (0.0, 1e4, 0.0, 1.0),
    "leaky_relu": (-100.0, 1e4, 0.01, 1.0),
    "elu": (-1.0, 1e4, 0.0, 1.0),
    "silu": (0.0, 1e4, 0.0, 1.0),
    "gelu": (0.0, 1e4, 0.0, 1.0),
    "gelu_tanh": (0.0, 1e4, 0.0, 1.0),
    "identity": (-1e4, 1e4, 1.0, 1.0),
}


def test_limits_cover_the_registry():
    assert set(LIMITS) == set(act.ACTIVATIONS)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_large_inputs_and_dtype_preserved(name, dtype):
    spec = act.get_activation(name)
    a = np.array([-1e4, -700.0, -50.0, -1.0, 0.0, 1.0, 50.0, 700.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, grad = spec.fn(a), spec.grad(a)
    assert out.dtype == dtype and grad.dtype == dtype
    lo, hi, dlo, dhi = LIMITS[name]
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose([out[0], out[-1], grad[0], grad[-1]], [lo, hi, dlo, dhi], rtol=rtol, atol=1e-30)


def test_known_values():
    a = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(act.sigmoid(a), 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(act.tanh(a), np.tanh(a))
    np.testing.assert_allclose(act.relu(a), [0, 0, 3])
    np.testing.assert_allclose(act.leaky_relu(a), [-0.02, 0, 3])
    np.testing.assert_allclose(act.elu(a), [np.exp(-2) - 1, 0, 3])
    np.testing.assert_allclose(act.silu(a), a / (1 + np.exp(-a)))
    np.testing.assert_allclose(act.gelu(np.array([0.0, 1.0])), [0.0, 0.8413447460685429])
    np.testing.assert_allclose(act.gelu_tanh(a), act.gelu(a), atol=1e-3)
    np.testing.assert_array_equal(act.identity(a), a)
    assert act.sigmoid(np.array([-1e4]))[0] == 0.0 and act.sigmoid(np.array([1e4]))[0] == 1.0


def test_softmax_and_log_softmax():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 5, (4, 6))
    s = act.softmax(a)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.log(s), act.log_softmax(a))
    np.testing.assert_allclose(act.softmax(a, axis=0).sum(axis=0), 1.0)
    big = np.array([[1e4, 0.0, -1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(act.log_softmax(big), [[0.0, -1e4, -2e4]])
        np.testing.assert_allclose(act.softmax(big), [[1.0, 0.0, 0.0]])
    assert act.softmax(a.astype(np.float32)).dtype == np.float32


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), c=st.integers(2, 6), seed=st.integers(0, 2**31))
def test_softmax_backward_matches_central_differences(n, c, seed):
    rng = np.random.default_rng(seed)
    a, g = rng.standard_normal((n, c)), rng.standard_normal((n, c))
    numeric = numerical_gradient(lambda: float(np.sum(g * act.softmax(a))), a)
    assert_grad_close(act.softmax_backward(g, act.softmax(a)), numeric)
    numeric = numerical_gradient(lambda: float(np.sum(g * act.log_softmax(a))), a)
    assert_grad_close(act.log_softmax_backward(g, act.log_softmax(a)), numeric)


def test_registry_describes_the_seven_hidden_activations():
    assert act.HIDDEN_ACTIVATIONS == ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "silu", "gelu")
    for name in act.HIDDEN_ACTIVATIONS:
        spec = act.get_activation(name)
        assert spec.name == name and spec.label and spec.formula and spec.property


def test_numerical_ranges():
    r = {name: act.numerical_range(name) for name in act.HIDDEN_ACTIVATIONS}
    assert str(r["sigmoid"]) == "(0, 1)" and str(r["tanh"]) == "(−1, 1)"
    assert str(r["relu"]) == "[0, ∞)" and str(r["leaky_relu"]) == "(−∞, ∞)" and str(r["elu"]) == "(−1, ∞)"
    # SiLU's minimum is -W(1/e) ... = -0.27846 at a = -1.27846; GELU's is -0.16997 at a = -0.75179
    assert r["silu"].low_attained and r["silu"].low == pytest.approx(-0.2784645, abs=1e-6)
    assert r["silu"].argmin == pytest.approx(-1.2784645, abs=1e-5)
    assert r["gelu"].low == pytest.approx(-0.1699712, abs=1e-6)
    assert r["gelu"].argmin == pytest.approx(-0.7517915, abs=1e-5)
    assert str(r["silu"]) == "≈[−0.278, ∞)" and str(r["gelu"]) == "≈[−0.17, ∞)"


def test_erf_matches_math_erf():
    x = np.concatenate(
        [
            np.linspace(-8, 8, 40_001),
            np.geomspace(1e-300, 30, 2_000),
            -np.geomspace(1e-300, 30, 2_000),
            [0.0, 0.46875, -0.46875, 4.0, -4.0, 5.9, 6.0, 26.5, 27.0, 40.0, 1e300],
        ]
    )
    ref = np.array([math.erf(v) for v in x])
    got = act.erf(x)
    assert got.dtype == np.float64 and got.shape == x.shape
    rel = np.abs(got - ref) / np.maximum(np.abs(ref), np.finfo(float).tiny)
    assert rel.max() < 1e-12, f"largest relative error {rel.max():.2e} at x = {x[rel.argmax()]}"
    assert np.signbit(act.erf(np.array([-0.0])))[0]  # odd, down to the sign of zero
    big = act.erf(np.random.default_rng(0).normal(0, 3, (3, 9000)))  # several chunks, any shape
    assert big.shape == (3, 9000) and np.all(np.abs(big) <= 1)
    f32 = act.erf(np.array([0.5, -2.0], dtype=np.float32))
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32, [math.erf(0.5), math.erf(-2.0)], rtol=1e-7)


def test_gelu_is_a_times_the_normal_cdf():
    a = np.linspace(-6, 6, 101)
    cdf = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in a])
    np.testing.assert_allclose(act.gelu(a), a * cdf, rtol=1e-13, atol=1e-300)
    pdf = np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(act.gelu_grad(a), cdf + a * pdf, rtol=1e-13, atol=1e-300)


def test_public_derivatives_equal_the_registry():
    a = np.random.default_rng(0).normal(0, 2, (3, 4))
    for name, fn, grad in [
        ("sigmoid", act.sigmoid, act.sigmoid_grad),
        ("tanh", act.tanh, act.tanh_grad),
        ("gelu", act.gelu, act.gelu_grad),
        ("gelu_tanh", act.gelu_tanh, act.gelu_tanh_grad),
    ]:
        spec = act.get_activation(name)
        np.testing.assert_array_equal(fn(a), spec.fn(a))
        np.testing.assert_array_equal(grad(a), spec.grad(a))
    assert act.sigmoid(np.array([0, 1])).dtype == np.float64  # integers -> float64
    assert act.tanh(np.array([True, False])).dtype == np.float64


def test_no_scipy():
    code = "import sys, dlbook.activations, dlbook.losses, dlbook.mlp; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_bad_input():
    with pytest.raises(ValueError, match=r"^activation must be one of .*'swishy'"):
        act.get_activation("swishy")
    with pytest.raises(ValueError, match=r"^a contains 1 NaN"):
        act.relu(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"^a contains 1 NaN or infinite"):
        act.gelu_grad(np.array([np.inf]))
    with pytest.raises(ValueError, match=r"^x contains"):
        act.erf(np.array([np.nan]))
    with pytest.raises(ValueError, match=r"^a must hold real numbers"):
        act.sigmoid(np.array(["x"]))
    with pytest.raises(
        ValueError, match=r"^axis must be an integer in \[-2, 2\) for an array of shape \(2, 3\), got 2"
    ):
        act.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(TypeError, match=r"^axis must be an integer"):
        act.log_softmax(np.ones((2, 3)), axis=1.0)
    with pytest.raises(ValueError, match=r"^a must have at least one entry along axis -1"):
        act.softmax(np.ones((2, 0)))
    with pytest.raises(ValueError, match=r"^dout must have the shape of s"):
        act.softmax_backward(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^dout must have the shape of logp"):
        act.log_softmax_backward(np.ones((2, 3)), np.ones((2, 1)))
