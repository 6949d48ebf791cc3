"""Parity with PyTorch CPU: every activation and its derivative, erf, each loss, Linear, and a whole MLP's gradients."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from dlbook import activations as act  # noqa: E402
from dlbook import losses  # noqa: E402
from dlbook.layers import Linear  # noqa: E402
from dlbook.mlp import MLP  # noqa: E402

TORCH_ACT = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "elu": lambda t: F.elu(t, 1.0),
    "silu": F.silu,
    "gelu": lambda t: F.gelu(t, approximate="none"),
    "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "identity": lambda t: t,
}


def _points():
    a = np.concatenate([np.linspace(-12, 12, 481), [-1e4, -80.0, 80.0, 1e4]])
    return a[a != 0]  # the derivative at the kink of ReLU-like functions is a convention


@pytest.mark.parametrize("name", list(act.ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_and_derivative(name, dtype):
    a = _points().astype(dtype)
    t = torch.tensor(a, requires_grad=True)
    out = TORCH_ACT[name](t)
    out.sum().backward()
    spec = act.get_activation(name)
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=2e-6, atol=5e-6)
    np.testing.assert_allclose(spec.fn(a), out.detach().numpy(), **tol)
    np.testing.assert_allclose(spec.grad(a), t.grad.numpy(), **tol)


def test_softmax_and_log_softmax():
    a = np.random.default_rng(0).normal(0, 4, (5, 7))
    np.testing.assert_allclose(act.softmax(a), torch.softmax(torch.tensor(a), dim=-1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(act.log_softmax(a, axis=0), torch.log_softmax(torch.tensor(a), dim=0).numpy())
    g = np.random.default_rng(1).standard_normal((5, 7))
    t = torch.tensor(a, requires_grad=True)
    torch.softmax(t, dim=-1).backward(torch.tensor(g))
    np.testing.assert_allclose(act.softmax_backward(g, act.softmax(a)), t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_losses():
    rng = np.random.default_rng(0)
    z, y = rng.normal(0, 3, (8, 5)), rng.integers(0, 5, 8)
    t = torch.tensor(z, requires_grad=True)
    ref = F.cross_entropy(t, torch.tensor(y))
    ref.backward()
    value, dz = losses.softmax_cross_entropy(z, y)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dz, t.grad.numpy(), rtol=1e-10, atol=1e-15)

    z1, y1 = rng.normal(0, 3, 9), rng.uniform(0, 1, 9)
    t = torch.tensor(z1, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(t, torch.tensor(y1))
    ref.backward()
    value, dz = losses.binary_cross_entropy(z1, y1)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dz, t.grad.numpy(), rtol=1e-10, atol=1e-15)

    p, q = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    t = torch.tensor(p, requires_grad=True)
    ref = F.mse_loss(t, torch.tensor(q))
    ref.backward()
    value, dp = losses.mse(p, q)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dp, t.grad.numpy(), rtol=1e-12)


def test_erf_matches_torch():
    x = np.concatenate([np.linspace(-7, 7, 2001), [-30.0, 30.0, 1e-300, -1e-300]])
    np.testing.assert_allclose(act.erf(x), torch.erf(torch.tensor(x)).numpy(), rtol=1e-14, atol=0)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(act.erf(x32), torch.erf(torch.tensor(x32)).numpy(), rtol=1e-6, atol=1e-7)


def test_losses_over_leading_axes():
    rng = np.random.default_rng(2)
    z, y = rng.normal(0, 3, (3, 4, 6)), rng.integers(0, 6, (3, 4))
    t = torch.tensor(z, requires_grad=True)
    ref = F.cross_entropy(t.reshape(-1, 6), torch.tensor(y).reshape(-1))  # the mean over all 12 positions
    ref.backward()
    value, dz = losses.softmax_cross_entropy(z, y)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dz, t.grad.numpy(), rtol=1e-10, atol=1e-15)
    z2, y2 = rng.normal(0, 3, (5, 2)), rng.uniform(0, 1, (5, 2))
    t = torch.tensor(z2, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(t, torch.tensor(y2))
    ref.backward()
    value, dz = losses.binary_cross_entropy(z2, y2)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dz, t.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_linear():
    layer = Linear(6, 4, rng=0)
    layer.params["b"][...] = np.arange(4.0)
    ref = torch.nn.Linear(6, 4).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(layer.params["W"]))
        ref.bias.copy_(torch.tensor(layer.params["b"]))
    x = np.random.default_rng(1).standard_normal((5, 6))
    g = np.random.default_rng(2).standard_normal((5, 4))
    tx = torch.tensor(x, requires_grad=True)
    out = ref(tx)
    out.backward(torch.tensor(g))
    np.testing.assert_allclose(layer.forward(x), out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(g), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], ref.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], ref.bias.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu", "silu"])
@pytest.mark.parametrize("checkpoint", [None, 2])
def test_whole_mlp_gradients(activation, checkpoint):
    sizes = [5, 16, 12, 8, 3]
    model = MLP(sizes, activation=activation, rng=0, checkpoint_every=checkpoint)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 5)), rng.integers(0, 3, 20)
    loss, dz = losses.softmax_cross_entropy(model.forward(X), y)
    model.backward(dz)

    Ws = [torch.tensor(model.params[f"W{l}"], requires_grad=True) for l in range(1, 5)]  # noqa: E741
    bs = [torch.tensor(model.params[f"b{l}"], requires_grad=True) for l in range(1, 5)]  # noqa: E741
    h = torch.tensor(X)
    for i in range(4):
        z = h @ Ws[i].T + bs[i]
        h = TORCH_ACT[activation](z) if i < 3 else z
    ref = F.cross_entropy(h, torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    for l in range(1, 5):  # noqa: E741
        np.testing.assert_allclose(model.grads[f"W{l}"], Ws[l - 1].grad.numpy(), rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(model.grads[f"b{l}"], bs[l - 1].grad.numpy(), rtol=1e-9, atol=1e-13)
