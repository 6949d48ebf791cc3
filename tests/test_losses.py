"""Losses from logits: values, gradients (central differences), stability, validation."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook import losses
from dlbook.gradcheck import numerical_gradient, relative_error


def assert_grad_close(analytic, numeric):
    """Elementwise relative error below 1e-7, with an absolute floor of 1e-9 for entries near zero, where the
    round-off of a float64 central difference (about 1e-11 to 1e-10) dominates any relative measure."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    bad = np.abs(analytic - numeric) > 1e-7 * (np.abs(analytic) + np.abs(numeric)) + 1e-9
    assert not bad.any(), f"max relative error {relative_error(analytic, numeric):.2e}"


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(2, 7), seed=st.integers(0, 2**31))
def test_softmax_cross_entropy_gradient(n, c, seed):
    rng = np.random.default_rng(seed)
    z, y = rng.normal(0, 2, (n, c)), rng.integers(0, c, n)
    value, dz = losses.softmax_cross_entropy(z, y)
    assert_grad_close(dz, numerical_gradient(lambda: losses.softmax_cross_entropy(z, y)[0], z, 1e-5))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(n), y])))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 8), seed=st.integers(0, 2**31), soft=st.booleans())
def test_binary_cross_entropy_gradient(n, seed, soft):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2, n)
    y = rng.uniform(0, 1, n) if soft else rng.integers(0, 2, n).astype(float)
    value, dz = losses.binary_cross_entropy(z, y)
    assert_grad_close(dz, numerical_gradient(lambda: losses.binary_cross_entropy(z, y)[0], z, 1e-5))
    p = 1 / (1 + np.exp(-z))
    assert value == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), d=st.integers(1, 4), seed=st.integers(0, 2**31))
def test_mse_gradient(n, d, seed):
    rng = np.random.default_rng(seed)
    p, t = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    value, dp = losses.mse(p, t)
    assert value == pytest.approx(np.mean((p - t) ** 2))
    assert_grad_close(dp, numerical_gradient(lambda: losses.mse(p, t)[0], p, 1e-5))


def test_stable_for_huge_logits_and_dtype():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, dz = losses.softmax_cross_entropy(np.array([[1e4, -1e4], [-1e4, 1e4]]), np.array([0, 0]))
        assert value == pytest.approx(1e4)
        np.testing.assert_allclose(dz, [[0.0, 0.0], [-0.5, 0.5]])  # (softmax - onehot) / N, saturated
        value, dz = losses.binary_cross_entropy(np.array([1e4, -1e4]), np.array([0.0, 0.0]))
        assert value == pytest.approx(5e3)
        np.testing.assert_allclose(dz, [0.5, 0.0])  # (sigmoid - y) / N
    _, dz = losses.softmax_cross_entropy(np.zeros((3, 4), dtype=np.float32), np.array([0, 1, 2]))
    assert dz.dtype == np.float32
    _, dz = losses.binary_cross_entropy(np.zeros(3, dtype=np.float32), np.array([0, 1, 1]))
    assert dz.dtype == np.float32
    _, dp = losses.mse(np.zeros(3, dtype=np.float32), np.ones(3))
    assert dp.dtype == np.float32


def test_uniform_logits_give_log_c():
    assert losses.softmax_cross_entropy(np.zeros((5, 10)), np.arange(5))[0] == pytest.approx(np.log(10))


def test_bad_input():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 4\)"):
        losses.softmax_cross_entropy(z, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="y must have 3 labels"):
        losses.softmax_cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match="logits must be a 2-D"):
        losses.softmax_cross_entropy(np.zeros(4), np.array([0]))
    with pytest.raises(ValueError, match="logits contains"):
        losses.softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]))
    with pytest.raises(ValueError, match="y must hold integer"):
        losses.softmax_cross_entropy(z, np.array([0.5, 1, 2]))
    with pytest.raises(ValueError, match="y must have shape"):
        losses.binary_cross_entropy(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]"):
        losses.binary_cross_entropy(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match=r"y must have shape \(2, 1\)"):
        losses.binary_cross_entropy(np.zeros((2, 1)), np.zeros(2))  # would broadcast to (2, 2)
    with pytest.raises(ValueError, match="logits must not be empty"):
        losses.binary_cross_entropy(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match="logits must hold at least one position"):
        losses.softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="logits must hold at least one position"):
        losses.softmax_cross_entropy(np.zeros((2, 0)), np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match=r"y must have shape \(2, 3\)"):
        losses.softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 4\)"):
        losses.softmax_cross_entropy(z, np.array([0, -1, 2]))
    with pytest.raises(ValueError, match="y must hold integer"):
        losses.softmax_cross_entropy(z, np.array(["a", "b", "c"]))
    with pytest.raises(ValueError, match=r"y must hold targets in \[0, 1\]"):
        losses.binary_cross_entropy(np.zeros(2), np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="pred contains"):
        losses.mse(np.array([np.inf]), np.zeros(1))
    with pytest.raises(ValueError, match="target must have the shape"):
        losses.mse(np.zeros((3, 1)), np.zeros(3))  # would broadcast to (3, 3)
    with pytest.raises(ValueError, match="loss must be one of"):
        losses.get_loss("hinge")


@settings(max_examples=15, deadline=None)
@given(lead=st.lists(st.integers(1, 3), min_size=1, max_size=3), c=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_softmax_cross_entropy_over_leading_axes_equals_the_flattened_rows(lead, c, seed):
    rng = np.random.default_rng(seed)
    z, y = rng.normal(0, 2, (*lead, c)), rng.integers(0, c, lead)
    value, dz = losses.softmax_cross_entropy(z, y)
    flat_value, flat_dz = losses.softmax_cross_entropy(z.reshape(-1, c), y.reshape(-1))
    assert dz.shape == z.shape and value == flat_value
    np.testing.assert_array_equal(dz.reshape(-1, c), flat_dz)
    assert_grad_close(dz, numerical_gradient(lambda: losses.softmax_cross_entropy(z, y)[0], z, 1e-5))


def test_binary_cross_entropy_any_shape_and_integer_logits():
    z, y = np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([[1, 0], [0, 1]])
    value, dz = losses.binary_cross_entropy(z, y)
    flat = losses.binary_cross_entropy(z.ravel(), y.ravel())
    assert value == flat[0] and dz.shape == (2, 2)
    np.testing.assert_array_equal(dz.ravel(), flat[1])
    _, dz = losses.binary_cross_entropy(np.array([0, 1]), np.array([1, 0]))  # ints are cast to float64
    assert dz.dtype == np.float64
