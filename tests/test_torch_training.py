"""PyTorch parity of dlbook's training machinery: optimizers, schedules, clipping, BatchNorm, LayerNorm."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dlbook import optim  # noqa: E402
from dlbook.layers import Linear, Module, Sequential  # noqa: E402
from dlbook.normalization import BatchNorm, LayerNorm  # noqa: E402


class _Tanh(Module):
    """A tiny local nonlinearity so the parity tests do not depend on other modules."""

    def forward(self, x):
        self._h = np.tanh(x)
        return self._h

    def backward(self, dout):
        return dout * (1 - self._h**2)


def _pair(seed=0):
    """The same 2-layer network in dlbook and in torch."""
    rng = np.random.default_rng(seed)
    ours = Sequential(Linear(5, 7, rng=rng), _Tanh(), Linear(7, 3, rng=rng))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3)).double()
    with torch.no_grad():
        for ours_layer, their_layer in ((ours[0], theirs[0]), (ours[2], theirs[2])):
            their_layer.weight.copy_(torch.from_numpy(ours_layer.params["W"]))
            their_layer.bias.copy_(torch.from_numpy(ours_layer.params["b"]))
    return ours, theirs


def _run(make_ours, make_theirs, steps=20, schedule=None, clip=None):
    ours, theirs = _pair()
    opt, topt = make_ours(ours), make_theirs(theirs.parameters())
    rng = np.random.default_rng(1)
    for t in range(steps):
        x = rng.standard_normal((8, 5))
        target = rng.standard_normal((8, 3))
        if schedule is not None:
            opt.lr = schedule(t)
            for group in topt.param_groups:
                group["lr"] = schedule(t)
        out = ours.forward(x)
        ours.backward((out - target) / x.shape[0])
        if clip is not None:
            norm = optim.clip_grad_norm(ours, clip)
        opt.step()
        topt.zero_grad()
        tout = theirs(torch.from_numpy(x))
        loss = 0.5 * ((tout - torch.from_numpy(target)) ** 2).sum() / x.shape[0]
        loss.backward()
        if clip is not None:
            tnorm = torch.nn.utils.clip_grad_norm_(theirs.parameters(), clip)
            assert norm == pytest.approx(float(tnorm), rel=1e-10)
        topt.step()
    for ours_layer, their_layer in ((ours[0], theirs[0]), (ours[2], theirs[2])):
        np.testing.assert_allclose(ours_layer.params["W"], their_layer.weight.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours_layer.params["b"], their_layer.bias.detach().numpy(), rtol=1e-10, atol=1e-12)


OPTIMIZERS = {
    "sgd": (lambda m: optim.SGD(m, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd-wd": (
        lambda m: optim.SGD(m, lr=0.1, weight_decay=0.05),
        lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.05),
    ),
    "momentum": (
        lambda m: optim.SGD(m, lr=0.05, momentum=0.9, weight_decay=1e-2),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-2),
    ),
    "nesterov": (
        lambda m: optim.SGD(m, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2),
    ),
    "adam": (lambda m: optim.Adam(m, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    "adam-wd": (
        lambda m: optim.Adam(m, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    ),
    "adamw": (
        lambda m: optim.AdamW(m, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ),
    "adamw-default": (lambda m: optim.AdamW(m), lambda p: torch.optim.AdamW(p)),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_matches_torch_over_20_steps(name):
    make_ours, make_theirs = OPTIMIZERS[name]
    _run(make_ours, make_theirs)


@pytest.mark.parametrize("name", ["momentum", "adam", "adamw"])
def test_optimizer_with_schedule_and_clipping_matches_torch(name):
    make_ours, make_theirs = OPTIMIZERS[name]
    _run(make_ours, make_theirs, schedule=optim.warmup_cosine(0.05, 5, 20), clip=0.5)


def _torch_schedule_lrs(make_scheduler, lr, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)


def test_schedules_match_torch():
    steps = 40
    ours = [optim.step_decay(0.1, 10, 0.5)(t) for t in range(steps)]
    theirs = _torch_schedule_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 10, 0.5), 0.1, steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    ours = [optim.exponential(0.1, 0.95)(t) for t in range(steps)]
    theirs = _torch_schedule_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.95), 0.1, steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    ours = [optim.cosine(0.1, 30, 0.001)(t) for t in range(steps)]
    theirs = _torch_schedule_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 30, 0.001), 0.1, 31)
    np.testing.assert_allclose(ours[:31], theirs, rtol=1e-10)


# --- normalization ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(16, 5), (6, 3, 7), (4, 3, 5, 5)])
def test_batchnorm_matches_torch_in_both_modes(shape):
    rng = np.random.default_rng(0)
    c = shape[1]
    ours = BatchNorm(c, momentum=0.2)
    cls = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)]
    theirs = cls(c, momentum=0.2).double()
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    ours.params["gamma"][...], ours.params["beta"][...] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(gamma))
        theirs.bias.copy_(torch.from_numpy(beta))
    for mode in ("train", "train", "train", "eval"):
        ours.train(mode == "train")
        theirs.train(mode == "train")
        x = rng.standard_normal(shape) * 2 + 3
        dout = rng.standard_normal(shape)
        tx = torch.from_numpy(x).requires_grad_(True)
        tout = theirs(tx)
        tout.backward(torch.from_numpy(dout))
        out = ours.forward(x)
        dx = ours.backward(dout)
        np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.grads["gamma"], theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(ours.grads["beta"], theirs.bias.grad.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
        theirs.zero_grad()


@pytest.mark.parametrize("shape", [(6, 5), (2, 4, 8)])
def test_layernorm_matches_torch_in_both_modes(shape):
    rng = np.random.default_rng(0)
    d = shape[-1]
    ours, theirs = LayerNorm(d), torch.nn.LayerNorm(d).double()
    gamma, beta = rng.standard_normal(d), rng.standard_normal(d)
    ours.params["gamma"][...], ours.params["beta"][...] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(gamma))
        theirs.bias.copy_(torch.from_numpy(beta))
    for mode in (True, False):
        ours.train(mode)
        theirs.train(mode)
        x = rng.standard_normal(shape) * 2 + 1
        dout = rng.standard_normal(shape)
        tx = torch.from_numpy(x).requires_grad_(True)
        tout = theirs(tx)
        tout.backward(torch.from_numpy(dout))
        np.testing.assert_allclose(ours.forward(x), tout.detach().numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(ours.backward(dout), tx.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.grads["gamma"], theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(ours.grads["beta"], theirs.bias.grad.numpy(), rtol=1e-9, atol=1e-10)
        theirs.zero_grad()
