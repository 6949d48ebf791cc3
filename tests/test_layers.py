"""Linear, Activation, Flatten and Sequential: gradient checks over drawn shapes, overwriting grads, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.activations import ACTIVATIONS
from dlbook.gradcheck import numerical_gradient, relative_error
from dlbook.layers import Activation, Flatten, Linear, Sequential


def assert_grad_close(analytic, numeric):
    """Elementwise relative error below 1e-7, with an absolute floor of 1e-9 for entries near zero, where the
    round-off of a float64 central difference (about 1e-11 to 1e-10) dominates any relative measure."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    bad = np.abs(analytic - numeric) > 1e-7 * (np.abs(analytic) + np.abs(numeric)) + 1e-9
    assert not bad.any(), f"max relative error {relative_error(analytic, numeric):.2e}"


def gradcheck(module, x, seed=0):
    """Check dL/dx and every parameter gradient of ``module`` with L = sum(r * module(x)), r random."""
    x = np.array(x, dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(module.forward(x).shape)
    module.forward(x)
    analytic = {"x": module.backward(r)}
    analytic.update({name: owner.grads[key].copy() for name, owner, key in module.named_parameters()})

    def loss():
        return float(np.sum(r * module.forward(x)))

    assert_grad_close(analytic["x"], numerical_gradient(loss, x, 1e-5))
    for name, owner, key in module.named_parameters():
        assert_grad_close(analytic[name], numerical_gradient(loss, owner.params[key], 1e-5))
    return set(analytic)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 5), d_in=st.integers(1, 6), d_out=st.integers(1, 6), seed=st.integers(0, 2**31))
def test_linear_gradients(n, d_in, d_out, seed):
    layer = Linear(d_in, d_out, rng=seed)
    layer.params["b"][...] = np.random.default_rng(seed).standard_normal(d_out)
    x = np.random.default_rng(seed + 1).standard_normal((n, d_in))
    assert gradcheck(layer, x, seed) == {"x", "W", "b"}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_activation_layer_gradients(name, n, d, seed):
    x = np.random.default_rng(seed).normal(0, 1.5, (n, d))
    x = np.where(np.abs(x) < 1e-3, 0.1, x)  # keep away from the kink of ReLU-like functions
    assert gradcheck(Activation(name), x, seed) == {"x"}


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 3), w=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_sequential_with_flatten_gradients(n, c, h, w, seed):
    net = Sequential(Flatten(), Linear(c * h * w, 5, rng=seed), Activation("tanh"), Linear(5, 3, rng=seed + 1))
    x = np.random.default_rng(seed).standard_normal((n, c, h, w))
    assert gradcheck(net, x, seed) == {"x", "1.W", "1.b", "3.W", "3.b"}


def test_backward_overwrites_grads():
    layer = Linear(3, 2, rng=0)
    x = np.ones((4, 3))
    layer.forward(x)
    layer.backward(np.ones((4, 2)))
    first = layer.grads["W"].copy()
    layer.forward(x)
    layer.backward(np.ones((4, 2)))
    np.testing.assert_array_equal(layer.grads["W"], first)
    assert set(layer.grads) == set(layer.params)


def test_activation_layer_matches_function_and_dtype():
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    layer = Activation("relu")
    out = layer.forward(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), (x > 0).astype(np.float32))
    assert layer.params == {} and repr(layer) == "Activation('relu')"


def test_linear_float32_preserved_and_param_count():
    layer = Linear(4, 3, rng=0, dtype=np.float32)
    assert layer.forward(np.ones((2, 4), dtype=np.float32)).dtype == np.float32
    assert Sequential(layer, Activation("relu"), Linear(3, 2)).num_parameters() == 4 * 3 + 3 + 3 * 2 + 2


def test_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        Activation("softplusish")
    with pytest.raises(ValueError, match=r"x must have shape \(N, 4\)"):
        Linear(4, 2).forward(np.ones((3, 5)))
    with pytest.raises(ValueError, match="x must be a 2-D"):
        Linear(4, 2).forward(np.ones(4))
    layer = Activation("tanh")
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="dout must have the shape"):
        layer.backward(np.ones((2, 1)))  # would broadcast
    with pytest.raises(RuntimeError):
        Activation("relu").backward(np.ones(2))
    with pytest.raises(ValueError, match="layers"):
        Sequential(Linear(2, 2), "relu")
