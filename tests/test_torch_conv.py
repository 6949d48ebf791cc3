"""PyTorch parity for dlbook.conv: conv2d, max_pool2d, avg_pool2d and channel batch_norm, forward and backward."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from dlbook.conv import (  # noqa: E402
    avgpool2d_backward,
    avgpool2d_forward,
    conv2d_backward,
    conv2d_forward,
    global_avgpool_backward,
    global_avgpool_forward,
    maxpool2d_backward,
    maxpool2d_forward,
)
from dlbook.normalization import BatchNorm  # noqa: E402


def _t(a):
    return torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize(
    ("shape", "wshape", "stride", "padding"),
    [
        ((2, 3, 8, 9), (4, 3, 3, 3), 1, 0),
        ((2, 3, 8, 9), (4, 3, 3, 3), 1, 1),
        ((2, 3, 9, 9), (5, 3, 5, 5), 2, 2),
        ((1, 2, 10, 7), (3, 2, 3, 2), (2, 1), (1, 0)),
        ((3, 1, 12, 12), (6, 1, 5, 5), 3, 0),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv2d_matches_torch(shape, wshape, stride, padding, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    W = rng.standard_normal(wshape).astype(dtype)
    b = rng.standard_normal(wshape[0]).astype(dtype)
    out, cache = conv2d_forward(x, W, b, stride, padding)
    xt, Wt, bt = _t(x), _t(W), _t(b)
    ot = F.conv2d(xt, Wt, bt, stride=stride, padding=padding)
    dout = rng.standard_normal(out.shape).astype(dtype)
    ot.backward(torch.tensor(dout))
    dx, dW, db = conv2d_backward(dout, cache)
    tol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(db, bt.grad.numpy(), rtol=tol, atol=tol)
    assert out.dtype == dx.dtype == dW.dtype == dtype


@pytest.mark.parametrize(
    ("k", "s", "p", "shape"), [(2, 2, 0, (2, 3, 8, 6)), (3, 2, 1, (2, 3, 9, 8)), (3, 1, 0, (1, 2, 6, 7))]
)
def test_pooling_matches_torch(k, s, p, shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    for fwd, bwd, tfn in (
        (maxpool2d_forward, maxpool2d_backward, F.max_pool2d),
        (avgpool2d_forward, avgpool2d_backward, F.avg_pool2d),
    ):
        out, cache = fwd(x, k, s, p)
        xt = _t(x)
        ot = tfn(xt, k, s, p)
        dout = rng.standard_normal(out.shape)
        ot.backward(torch.tensor(dout))
        np.testing.assert_allclose(out, ot.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(bwd(dout, cache), xt.grad.numpy(), atol=1e-12)


def test_maxpool_ties_match_torch():
    x = np.round(np.random.default_rng(2).standard_normal((2, 2, 6, 6)))  # many ties
    for k, s in ((2, 2), (3, 1)):
        out, cache = maxpool2d_forward(x, k, s)
        xt = _t(x)
        ot = F.max_pool2d(xt, k, s)
        dout = np.random.default_rng(3).standard_normal(out.shape)
        ot.backward(torch.tensor(dout))
        np.testing.assert_allclose(maxpool2d_backward(dout, cache), xt.grad.numpy(), atol=1e-12)


def test_global_avgpool_matches_torch():
    x = np.random.default_rng(4).standard_normal((2, 3, 5, 4))
    out, cache = global_avgpool_forward(x)
    xt = _t(x)
    ot = F.adaptive_avg_pool2d(xt, 1).flatten(1)
    dout = np.random.default_rng(5).standard_normal(out.shape)
    ot.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ot.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(global_avgpool_backward(dout, cache), xt.grad.numpy(), atol=1e-12)


def test_channel_batchnorm_matches_torch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 3, 5, 5)) * 3 + 2
    bn = BatchNorm(3)
    gamma, beta = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
    bn.params["gamma"][:] = gamma
    bn.params["beta"][:] = beta
    out = bn.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = bn.backward(dout)
    xt, gt, bt = _t(x), _t(gamma), _t(beta)
    ot = F.batch_norm(xt, None, None, gt, bt, training=True, eps=bn.eps)
    ot.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ot.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(bn.grads["gamma"], gt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(bn.grads["beta"], bt.grad.numpy(), atol=1e-10)
