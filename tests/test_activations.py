"""Activations: values, derivatives (central differences), stability, dtype, the registry and numerical ranges."""

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


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_large_inputs_and_dtype_preserved(name, dtype):
    spec = act.get_activation(name)
    a = np.array([-1e4, -700.0, -50.0, -1.0, 0.0, 1.0, 50.0, 700.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, grad = spec.fn(a), spec.grad(a)
    assert out.dtype == dtype and grad.dtype == dtype
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(grad))


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
        assert np.all(np.isfinite(act.log_softmax(big)))
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


def test_bad_input():
    with pytest.raises(ValueError, match="activation"):
        act.get_activation("swishy")
    with pytest.raises(ValueError, match="a contains"):
        act.relu(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="a must hold real numbers"):
        act.sigmoid(np.array(["x"]))
    with pytest.raises(ValueError, match="axis"):
        act.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="dout"):
        act.softmax_backward(np.ones((2, 3)), np.ones((3, 2)))
