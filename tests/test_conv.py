"""dlbook.conv: the fast convolution equals the loop reference, every backward is gradient-checked, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook import conv
from dlbook.conv import (
    AvgPool2d,
    Conv2d,
    GlobalAvgPool2d,
    MaxPool2d,
    conv1d,
    conv2d,
    conv2d_backward,
    conv2d_forward,
    conv2d_num_params,
    conv2d_reference,
    conv_output_size,
    maxpool2d_backward,
    maxpool2d_forward,
)
from dlbook.gradcheck import check_module, numerical_gradient, relative_error
from dlbook.layers import Flatten, Linear, Sequential
from dlbook.normalization import BatchNorm


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 7])
def test_conv1d_equals_numpy_correlate(mode, k):
    rng = np.random.default_rng(k)
    x, w = rng.standard_normal(20), rng.standard_normal(k)
    np.testing.assert_allclose(conv1d(x, w, mode), np.correlate(x, w, mode), atol=1e-12)


def test_conv1d_rejects_bad_input():
    with pytest.raises(ValueError, match=r"^w \(length 5\) must not be longer than x \(length 3\)"):
        conv1d(np.ones(3), np.ones(5))
    with pytest.raises(ValueError, match=r"^w must hold at least one value"):
        conv1d(np.ones(3), np.ones(0))
    with pytest.raises(ValueError, match=r"^mode must be one of 'valid', 'same', 'full'; got 'circular'"):
        conv1d(np.ones(5), np.ones(3), mode="circular")
    with pytest.raises(ValueError, match=r"^x must be a 1-D array, got shape \(2, 5\)"):
        conv1d(np.ones((2, 5)), np.ones(3))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 2),
    c=st.integers(1, 3),
    f=st.integers(1, 3),
    h=st.integers(3, 8),
    w=st.integers(3, 8),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
)
def test_fast_conv_equals_reference(n, c, f, h, w, kh, kw, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w))
    W = rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f)
    fast = conv2d(x, W, b, stride, padding)
    ref = conv2d_reference(x, W, b, stride, padding)
    assert (
        fast.shape
        == ref.shape
        == (n, f, conv_output_size(h, kh, stride, padding), conv_output_size(w, kw, stride, padding))
    )
    np.testing.assert_allclose(fast, ref, atol=1e-12)


def test_conv_known_values():
    # A 3x3 image and a 2x2 kernel that sums the top row of each window minus the bottom row.
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    W = np.array([[[[1.0, 1.0], [-1.0, -1.0]]]])
    np.testing.assert_array_equal(conv2d(x, W)[0, 0], [[-6.0, -6.0], [-6.0, -6.0]])
    np.testing.assert_array_equal(conv2d(x, W, np.array([0.5]), stride=2, padding=1)[0, 0], [[0.5, -2.5], [-2.5, -5.5]])


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2), ((1, 2), (2, 0))])
def test_conv2d_gradcheck(stride, padding):
    rng = np.random.default_rng(1)
    layer = Conv2d(2, 3, (3, 2), stride=stride, padding=padding, rng=rng)
    layer.params["b"][:] = rng.standard_normal(3)
    errors = check_module(layer, rng.standard_normal((2, 2, 6, 7)), eps=1e-4)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-7, errors


def test_conv2d_without_bias():
    layer = Conv2d(1, 2, 3, bias=False, rng=0)
    assert set(layer.params) == {"W"}
    errors = check_module(layer, np.random.default_rng(0).standard_normal((2, 1, 5, 5)), eps=1e-4)
    assert max(errors.values()) < 1e-7
    _, cache = conv2d_forward(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)))
    assert conv2d_backward(np.ones((1, 1, 2, 2)), cache)[2] is None


@pytest.mark.parametrize(
    ("k", "s", "p", "shape"),
    [(2, None, 0, (2, 3, 6, 8)), (2, None, 0, (2, 3, 7, 5)), (3, 2, 1, (2, 2, 7, 7)), (3, 1, 0, (1, 2, 5, 6))],
)
def test_maxpool_gradcheck(k, s, p, shape):
    errors = check_module(MaxPool2d(k, s, p), np.random.default_rng(2).standard_normal(shape), eps=1e-4)
    assert errors["x"] < 1e-7


def test_maxpool_values_and_ties():
    x = np.array([[1.0, 5.0, 2.0, 2.0], [3.0, 0.0, 2.0, 2.0]])[None, None]
    out, cache = maxpool2d_forward(x)
    np.testing.assert_array_equal(out[0, 0], [[5.0, 2.0]])
    dx = maxpool2d_backward(np.array([[[[10.0, 20.0]]]]), cache)
    # The gradient goes to the maximum; on a tie, to the first one in row-major order.
    np.testing.assert_array_equal(dx[0, 0], [[0.0, 10.0, 20.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    out3, cache3 = maxpool2d_forward(np.concatenate([x, x], axis=3), kernel_size=(2, 4), stride=(1, 4))
    dx3 = maxpool2d_backward(np.ones_like(out3), cache3)
    assert dx3.sum() == 2 and dx3[0, 0, 0, 1] == 1 and dx3[0, 0, 0, 5] == 1


def test_fast_and_general_maxpool_agree():
    """The 2x2 stride-2 fast path (even sizes) equals the general sliding-window path on the same windows: a 7x7
    input takes the general path and pools the same 3x3 windows as its 6x6 corner, forward and backward, ties
    included (the first maximum in row-major order gets the gradient)."""
    rng = np.random.default_rng(3)
    for x in (rng.standard_normal((2, 3, 7, 7)), rng.integers(0, 3, (2, 3, 7, 7)).astype(float)):  # the second: ties
        fast, cf = maxpool2d_forward(x[:, :, :6, :6], 2, 2)
        general, cg = maxpool2d_forward(x, 2, 2)
        assert cf[0] == "fast" and cg[0] == "general"
        np.testing.assert_array_equal(fast, general)
        dout = rng.standard_normal(fast.shape)
        dx_fast, dx_general = maxpool2d_backward(dout, cf), maxpool2d_backward(dout, cg)
        np.testing.assert_array_equal(dx_fast, dx_general[:, :, :6, :6])
        assert not dx_general[:, :, 6, :].any() and not dx_general[:, :, :, 6].any()


@pytest.mark.parametrize(("k", "s", "p"), [(2, None, 0), (3, 2, 1), (3, 1, 0)])
def test_avgpool_gradcheck_and_values(k, s, p):
    x = np.random.default_rng(4).standard_normal((2, 2, 7, 6))
    layer = AvgPool2d(k, s, p)
    assert check_module(layer, x, eps=1e-4)["x"] < 1e-7
    if p == 0:
        s = s or k
        np.testing.assert_allclose(layer.forward(x)[:, :, 0, 1], x[:, :, :k, s : s + k].mean(axis=(2, 3)))


def test_global_avgpool():
    x = np.random.default_rng(5).standard_normal((3, 4, 5, 2))
    layer = GlobalAvgPool2d()
    np.testing.assert_allclose(layer.forward(x), x.mean(axis=(2, 3)))
    assert check_module(layer, x, eps=1e-4)["x"] < 1e-7


def test_channel_batchnorm_gradcheck():
    """Batch normalization over the channels of images is dlbook.normalization.BatchNorm (no conv.BatchNorm2d)."""
    assert not hasattr(conv, "BatchNorm2d")
    bn = BatchNorm(3)
    rng = np.random.default_rng(6)
    bn.params["gamma"][:] = rng.uniform(0.5, 1.5, 3)
    bn.params["beta"][:] = rng.standard_normal(3)
    x = rng.standard_normal((4, 3, 3, 2)) * 2 + 1
    out = bn.forward(x)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), bn.params["beta"], atol=1e-10)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), bn.params["gamma"], rtol=1e-4)
    errors = check_module(bn, x)
    assert max(errors.values()) < 1e-6, errors


def test_small_cnn_gradcheck_end_to_end():
    rng = np.random.default_rng(7)
    net = Sequential(
        Conv2d(1, 2, 3, padding=1, rng=rng),
        MaxPool2d(2),
        Conv2d(2, 3, 2, rng=rng),
        GlobalAvgPool2d(),
        Linear(3, 2, rng=rng),
    )
    errors = check_module(net, rng.standard_normal((2, 1, 6, 6)), eps=1e-4)
    assert max(errors.values()) < 1e-6, errors
    net2 = Sequential(Conv2d(1, 2, 3, rng=rng), AvgPool2d(2), Flatten(), Linear(8, 2, rng=rng))
    assert max(check_module(net2, rng.standard_normal((2, 1, 6, 6)), eps=1e-4).values()) < 1e-6


def test_backward_overwrites_grads():
    layer = Conv2d(1, 1, 2, rng=0)
    x = np.ones((1, 1, 3, 3))
    layer.forward(x)
    layer.backward(np.ones((1, 1, 2, 2)))
    first = layer.grads["W"].copy()
    layer.forward(x)
    layer.backward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(layer.grads["W"], first)


def test_float32_preserved():
    rng = np.random.default_rng(8)
    layer = Conv2d(2, 3, 3, padding=1, rng=rng, dtype=np.float32)
    x = rng.standard_normal((2, 2, 5, 5)).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    assert layer.grads["W"].dtype == np.float32
    for pool in (MaxPool2d(2), MaxPool2d(3, 1), AvgPool2d(2), GlobalAvgPool2d()):
        y = pool.forward(x[:, :, :4, :4])
        assert y.dtype == np.float32 and pool.backward(np.ones_like(y)).dtype == np.float32


def test_gradient_of_weights_numerically_for_functional_api():
    rng = np.random.default_rng(9)
    x, W, b = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2)
    r = rng.standard_normal((2, 2, 2, 2))
    out, cache = conv2d_forward(x, W, b, stride=2)
    _, dW, db = conv2d_backward(r, cache)
    num_dW = numerical_gradient(lambda: np.sum(r * conv2d(x, W, b, stride=2)), W, eps=1e-4)
    num_db = numerical_gradient(lambda: np.sum(r * conv2d(x, W, b, stride=2)), b, eps=1e-4)
    assert relative_error(dW, num_dW) < 1e-7 and relative_error(db, num_db) < 1e-7


def test_sizes_and_counts():
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(32, 3, 1, 1) == 32
    assert conv_output_size(224, 7, 2, 3) == 112
    assert conv_output_size(7, 3, 2) == 3
    assert conv2d_num_params(3, 64, 3) == 64 * 3 * 3 * 3 + 64
    assert conv2d_num_params(3, 64, (3, 5), bias=False) == 64 * 15 * 3
    assert Conv2d(3, 64, 3, rng=0).num_parameters() == conv2d_num_params(3, 64, 3)
    with pytest.raises(ValueError, match=r"^kernel_size \(7\) is larger than the padded input \(4 \+ 2\*1 = 6\)"):
        conv_output_size(4, 7, 1, 1)


def test_bad_input_errors():
    x = np.ones((1, 2, 5, 5))
    with pytest.raises(ValueError, match=r"^the kernel \(7x7\) is larger than the padded input \(5x5\)"):
        conv2d(x, np.ones((1, 2, 7, 7)), padding=0)
    conv2d(x, np.ones((1, 2, 7, 7)), padding=1)  # fits once padded
    with pytest.raises(ValueError, match=r"^W must have shape \(F, 2, k_h, k_w\) to match the 2 channels of x"):
        conv2d(x, np.ones((1, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"^stride must be > 0, got 0"):
        conv2d(x, np.ones((1, 2, 3, 3)), stride=0)
    with pytest.raises(ValueError, match=r"^stride must be > 0, got -1"):
        conv2d(x, np.ones((1, 2, 3, 3)), stride=-1)
    with pytest.raises(ValueError, match=r"^padding must be >= 0, got -1"):
        conv2d(x, np.ones((1, 2, 3, 3)), padding=-1)
    with pytest.raises(ValueError, match=r"^b must have shape \(1,\) \(one bias per kernel\), got \(2,\)"):
        conv2d(x, np.ones((1, 2, 3, 3)), b=np.ones(2))
    with pytest.raises(ValueError, match=r"^x must be a 4-D array"):
        conv2d(np.ones((2, 5, 5)), np.ones((1, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"^x must have 3 channels \(shape \(N, 3, H, W\)\), got \(1, 2, 5, 5\)"):
        Conv2d(3, 4, 3, rng=0).forward(x)
    with pytest.raises(ValueError, match=r"^stride must be > 0"):
        Conv2d(2, 4, 3, stride=0)
    with pytest.raises(ValueError, match=r"^stride must be > 0"):
        MaxPool2d(2, 0)
    with pytest.raises(ValueError, match=r"^the pooling window \(6x6\) is larger than the padded input \(5x5\)"):
        MaxPool2d(6).forward(x)
    layer = Conv2d(2, 1, 3, rng=0)
    layer.forward(x)
    with pytest.raises(ValueError, match=r"^dout must have the shape .*\(1, 1, 3, 3\), got \(1, 1, 2, 2\)"):
        layer.backward(np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: conv2d(np.ones((1, 2, 5, 5)), np.ones((1, 2, 0, 0))), r"^W must have shape .* at least 1"),
        (lambda: conv2d(np.ones((1, 2, 5, 5)), np.ones((0, 2, 3, 3))), r"^W must have shape .* at least 1"),
        (lambda: conv2d(np.ones((0, 2, 5, 5)), np.ones((1, 2, 3, 3))), r"^x must have shape .* at least 1"),
        (lambda: Conv2d(2, 1, 0), r"^kernel_size must be > 0"),
        (lambda: Conv2d(2, 1, (3, 0)), r"^kernel_size must be > 0"),
        (lambda: Conv2d(2, 1, 3.0), r"^kernel_size must be an integer"),
        (lambda: Conv2d(2, 1, 6, rng=0).forward(np.ones((1, 2, 5, 5))), r"^the kernel \(6x6\) is larger"),
        (lambda: Conv2d(2, 1, 3, rng=0).forward(np.ones((1, 2, 5))), r"^x must be a 4-D array"),
        (lambda: MaxPool2d(0), r"^kernel_size must be > 0"),
        (lambda: MaxPool2d(2, stride=0), r"^stride must be > 0"),
        (lambda: AvgPool2d(2, padding=2), r"^padding \(2, 2\) must be at most half"),
        (lambda: maxpool2d_forward(np.ones((1, 1, 0, 4))), r"^x must have shape .* at least 1"),
        (lambda: GlobalAvgPool2d().forward(np.ones((2, 3))), r"^x must be a 4-D array"),
        (lambda: conv2d(np.array([[[["a"]]]]), np.ones((1, 1, 1, 1))), r"^x must hold real numbers"),
    ],
)
def test_bad_sizes_raise_naming_the_argument(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize("cls", [Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool2d])
def test_backward_before_forward_raises_runtime_error(cls):
    layer = cls(1, 1, 2, rng=0) if cls is Conv2d else cls() if cls is GlobalAvgPool2d else cls(2)
    with pytest.raises(RuntimeError, match=rf"^{cls.__name__}.backward called before forward"):
        layer.backward(np.ones((1, 1, 1, 1)))


def test_conv2d_dtype_follows_its_parameters():
    x64 = np.random.default_rng(0).standard_normal((2, 1, 5, 5))
    layer = Conv2d(1, 2, 3, rng=0, dtype=np.float32)
    for x in (x64, x64.astype(np.float32), (x64 > 0)):
        out = layer.forward(x)
        dx = layer.backward(np.ones(out.shape))  # a float64 dout too
        assert out.dtype == dx.dtype == np.float32
        assert layer.grads["W"].dtype == layer.grads["b"].dtype == np.float32
    layer64 = Conv2d(1, 2, 3, rng=0)
    out = layer64.forward(x64.astype(np.float32))
    layer64.backward(np.ones(out.shape, dtype=np.float32))
    assert out.dtype == np.float64 and layer64.grads["W"].dtype == np.float64
    with pytest.raises(TypeError, match=r"\bdtype\b"):
        Conv2d(1, 2, 3, dtype=np.int64)
    assert MaxPool2d(2).forward(x64.astype(np.float32)).dtype == np.float32  # parameter-free: the input's dtype
    assert MaxPool2d(2).forward(np.ones((1, 1, 4, 4), dtype=np.int64)).dtype == np.float64


@pytest.mark.parametrize(("kernel", "padding"), [(3, 0), (3, 1), ((2, 3), (0, 2)), (1, 0)])
def test_conv2d_gradcheck_many_input_channels(kernel, padding):
    # more input channels than kernels: the backward computes dx as a full correlation of dout (stride 1);
    # the convolution is linear in x and W, so a large step has no truncation error and less rounding error
    rng = np.random.default_rng(10)
    layer = Conv2d(5, 2, kernel, padding=padding, rng=rng)
    x = rng.standard_normal((2, 5, 5, 6))
    errors = check_module(layer, x, eps=1e-2)
    assert max(errors.values()) < 1e-7, errors
    out, cache = conv2d_forward(x, layer.params["W"], layer.params["b"], 1, padding)
    dout = rng.standard_normal(out.shape)
    dx = conv2d_backward(dout, cache)[0]
    num = numerical_gradient(
        lambda: np.sum(dout * conv2d(x, layer.params["W"], layer.params["b"], 1, padding)), x, eps=1e-2
    )
    assert relative_error(dx, num) < 1e-7


@pytest.mark.parametrize(
    "backward",
    [conv2d_backward, maxpool2d_backward, conv.avgpool2d_backward, conv.global_avgpool_backward],
)
def test_backward_functions_reject_a_foreign_cache(backward):
    with pytest.raises(TypeError, match=r"^cache must be the cache returned by \w+_forward, got (NoneType|tuple)"):
        backward(np.ones((1, 1, 2, 2)), None)
    with pytest.raises(TypeError, match=r"^cache must be the cache returned by"):
        backward(np.ones((1, 1, 2, 2)), ("x",))
