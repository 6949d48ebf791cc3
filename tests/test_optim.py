"""Optimizers, schedules and clipping: behaviour, validation and dtype."""

import math

import numpy as np
import pytest

from dlbook import optim
from dlbook.layers import Linear, Module, Sequential


class Quadratic(Module):
    """A 'model' whose parameter w has loss 0.5 * sum(a * w**2); backward fills the gradient a * w."""

    def __init__(self, a, dtype=np.float64):
        super().__init__()
        self.a = np.asarray(a, dtype=dtype)
        self.params["w"] = np.ones_like(self.a)

    def loss_and_grad(self):
        w = self.params["w"]
        self.grads["w"] = self.a * w
        return 0.5 * float(np.sum(self.a * w**2))


def _train(model, opt, steps):
    losses = []
    for _ in range(steps):
        losses.append(model.loss_and_grad())
        opt.step()
    return losses


@pytest.mark.parametrize(
    "make",
    [
        lambda m: optim.SGD(m, lr=0.1),
        lambda m: optim.SGD(m, lr=0.1, momentum=0.9),
        lambda m: optim.SGD(m, lr=0.1, momentum=0.9, nesterov=True),
        lambda m: optim.Adam(m, lr=0.05),
        lambda m: optim.AdamW(m, lr=0.05, weight_decay=0.01),
    ],
)
def test_optimizers_minimize_a_quadratic(make):
    model = Quadratic([1.0, 3.0, 0.5])
    losses = _train(model, make(model), 300)
    assert losses[-1] < 1e-3 * losses[0]


def test_momentum_beats_plain_sgd_on_ill_conditioned_quadratic():
    a = [1.0, 0.01]
    plain, heavy = Quadratic(a), Quadratic(a)
    l_plain = _train(plain, optim.SGD(plain, lr=0.5), 200)[-1]
    l_heavy = _train(heavy, optim.SGD(heavy, lr=0.5, momentum=0.9), 200)[-1]
    assert l_heavy < 0.1 * l_plain


def test_sgd_step_is_exact():
    model = Quadratic([2.0])
    opt = optim.SGD(model, lr=0.25, weight_decay=0.5)
    model.loss_and_grad()  # grad = 2
    opt.step()  # w = 1 - 0.25 * (2 + 0.5)
    assert model.params["w"][0] == pytest.approx(1 - 0.25 * 2.5)


def test_first_adam_step_has_size_lr():
    # With bias correction the first step is lr * g / (|g| + eps) = lr * sign(g).
    model = Quadratic([5.0, -0.001])
    opt = optim.Adam(model, lr=0.1)
    model.loss_and_grad()
    opt.step()
    np.testing.assert_allclose(model.params["w"], [0.9, 1.1], rtol=1e-6)


def test_adamw_decay_is_decoupled():
    # With zero gradient AdamW still shrinks the weights by (1 - lr * wd); Adam with L2 moves them by lr.
    model = Quadratic([0.0])
    opt = optim.AdamW(model, lr=0.1, weight_decay=0.5)
    model.loss_and_grad()
    opt.step()
    assert model.params["w"][0] == pytest.approx(1 - 0.05)


def test_updates_are_in_place_and_keep_dtype():
    model = Sequential(Linear(3, 2, rng=0, dtype=np.float32))
    W = model[0].params["W"]
    for make in (lambda m: optim.SGD(m, 0.1, momentum=0.9), optim.Adam, optim.AdamW):
        opt = make(model)
        model.forward(np.ones((4, 3), dtype=np.float32))
        model.backward(np.ones((4, 2), dtype=np.float32))
        before = W.copy()
        opt.step()
        opt.step()
        assert model[0].params["W"] is W
        assert W.dtype == np.float32 and model[0].params["b"].dtype == np.float32
        assert not np.allclose(W, before)


def test_lr_is_settable():
    model = Quadratic([1.0])
    opt = optim.SGD(model, lr=0.1)
    opt.lr = 0.5
    model.loss_and_grad()
    opt.step()
    assert model.params["w"][0] == pytest.approx(0.5)


def test_step_before_backward_raises():
    model = Sequential(Linear(2, 2, rng=0))
    with pytest.raises(RuntimeError, match="backward"):
        optim.SGD(model, 0.1).step()


@pytest.mark.parametrize(
    ("make", "word"),
    [
        (lambda m: optim.SGD(m, lr=0), "lr"),
        (lambda m: optim.SGD(m, lr=-1), "lr"),
        (lambda m: optim.SGD(m, lr=0.1, momentum=1.0), "momentum"),
        (lambda m: optim.SGD(m, lr=0.1, nesterov=True), "nesterov"),
        (lambda m: optim.SGD(m, lr=0.1, weight_decay=-1), "weight_decay"),
        (lambda m: optim.Adam(m, betas=(0.9, 1.0)), "betas"),
        (lambda m: optim.Adam(m, betas=(0.9,)), "betas"),
        (lambda m: optim.Adam(m, eps=0), "eps"),
        (lambda m: optim.SGD("not a model", lr=0.1), "model"),
    ],
)
def test_bad_settings_raise(make, word):
    with pytest.raises(ValueError, match=word):
        make(Quadratic([1.0]))


def test_clip_grad_norm():
    model = Quadratic([3.0, 4.0])
    model.loss_and_grad()  # grad (3, 4), norm 5
    assert optim.clip_grad_norm(model, 10.0) == pytest.approx(5.0)
    np.testing.assert_allclose(model.grads["w"], [3.0, 4.0])
    assert optim.clip_grad_norm(model, 1.0) == pytest.approx(5.0)
    assert optim.global_grad_norm(model) == pytest.approx(1.0, rel=1e-5)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm(model, 0)


def test_schedules():
    s = optim.step_decay(1.0, 10, 0.5)
    assert [s(0), s(9), s(10), s(25)] == [1.0, 1.0, 0.5, 0.25]
    e = optim.exponential(2.0, 0.9)
    assert e(3) == pytest.approx(2.0 * 0.9**3)
    c = optim.cosine(1.0, 100, 0.1)
    assert c(0) == pytest.approx(1.0) and c(50) == pytest.approx(0.55) and c(100) == c(500) == pytest.approx(0.1)
    w = optim.warmup_cosine(1.0, 10, 110)
    assert w(0) == pytest.approx(0.1) and w(9) == pytest.approx(1.0) and w(10) == pytest.approx(1.0)
    assert w(60) == pytest.approx(0.5) and w(110) == pytest.approx(0.0, abs=1e-12)
    lrs = [w(t) for t in range(110)]
    assert np.all(np.diff(lrs[:10]) > 0) and np.all(np.diff(lrs[10:]) <= 0)
    assert optim.constant(0.3)(7) == 0.3
    assert math.isclose(optim.cosine(1.0, 4)(2), 0.5)


@pytest.mark.parametrize(
    ("make", "word"),
    [
        (lambda: optim.step_decay(0.1, 0), "step_size"),
        (lambda: optim.cosine(0.1, 0), "total_steps"),
        (lambda: optim.warmup_cosine(0.1, 10, 10), "total_steps"),
        (lambda: optim.warmup_cosine(0.1, -1, 10), "warmup_steps"),
        (lambda: optim.exponential(-0.1, 0.9), "lr"),
    ],
)
def test_bad_schedules_raise(make, word):
    with pytest.raises(ValueError, match=word):
        make()


def test_schedule_rejects_negative_step():
    with pytest.raises(ValueError, match="step"):
        optim.cosine(0.1, 10)(-1)
