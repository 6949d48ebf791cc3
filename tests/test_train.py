"""fit, History, callbacks, schedules, transforms, evaluate and accuracy (with a local stand-in optimizer)."""

import numpy as np
import pytest

from dlbook import data
from dlbook.layers import Linear
from dlbook.mlp import MLP
from dlbook.train import History, accuracy, evaluate, fit


class PlainSGD:
    """The smallest optimizer fit accepts: step() and a settable lr."""

    def __init__(self, model, lr):
        self.model, self.lr, self.steps = model, lr, 0

    def step(self):
        for _, owner, key in self.model.named_parameters():
            owner.params[key] -= self.lr * owner.grads[key]
        self.steps += 1


class Recorder:
    def __init__(self, stop_at=None):
        self.events, self.stop_at = [], stop_at

    def on_train_begin(self, model, history):
        self.events.append("begin")

    def on_epoch_end(self, epoch, model, history):
        self.events.append(epoch)
        return self.stop_at is not None and epoch >= self.stop_at

    def on_train_end(self, model, history):
        self.events.append("end")


def test_full_batch_training_reduces_loss_and_records_history():
    X, y = data.blobs(120, k=3, rng=0)
    model = MLP([2, 16, 3], rng=0)
    opt = PlainSGD(model, 0.5)
    h = fit(model, X, y, optimizer=opt, epochs=30, X_val=X[:30], y_val=y[:30])
    assert isinstance(h, History) and h.epochs == 30 and h.steps == 30 == opt.steps
    for series in (h.train_loss, h.train_acc, h.val_loss, h.val_acc, h.lr, h.time):
        assert len(series) == 30
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert h.val_acc[-1] > 0.9 and h.lr == [0.5] * 30
    assert all(b >= a for a, b in zip(h.time, h.time[1:]))


def test_minibatches_schedule_and_steps():
    X, y = data.moons(100, rng=0)
    model = MLP([2, 8, 2], rng=0)
    opt = PlainSGD(model, 0.1)
    seen = []

    def schedule(step):
        seen.append(step)
        return 0.1 / (1 + step)

    h = fit(model, X, y, optimizer=opt, epochs=3, batch_size=32, schedule=schedule)
    assert h.steps == 3 * 4 and seen == list(range(12))  # ceil(100 / 32) = 4 batches per epoch
    assert h.lr[-1] == pytest.approx(0.1 / 12)


def test_minibatch_loss_is_the_example_weighted_mean():
    X, y = data.blobs(10, k=2, rng=0)
    model = MLP([2, 3, 2], rng=0)
    before = model.state_dict()
    h = fit(model, X, y, optimizer=PlainSGD(model, 0.0), epochs=1, batch_size=4)
    model.load_state_dict(before)
    assert h.train_loss[0] == pytest.approx(evaluate(model, X, y)[0])


def test_callbacks_stop_training():
    X, y = data.xor(50, rng=0)
    model = MLP([2, 4, 2], rng=0)
    rec = Recorder(stop_at=2)
    h = fit(model, X, y, optimizer=PlainSGD(model, 0.1), epochs=10, callbacks=[rec])
    assert rec.events == ["begin", 0, 1, 2, "end"] and h.epochs == 3


def test_transform_sees_every_training_batch():
    X, y = data.blobs(40, k=2, rng=0)
    calls = []

    def transform(xb, rng):
        assert isinstance(rng, np.random.Generator)
        calls.append(len(xb))
        return xb + rng.normal(0, 0.01, xb.shape)

    model = MLP([2, 4, 2], rng=0)
    fit(model, X, y, optimizer=PlainSGD(model, 0.1), epochs=2, batch_size=16, transform=transform)
    assert calls == [16, 16, 8, 16, 16, 8]


def test_same_seed_same_result():
    X, y = data.spiral(100, rng=0)
    runs = []
    for _ in range(2):
        model = MLP([2, 8, 2], rng=3)
        runs.append(fit(model, X, y, optimizer=PlainSGD(model, 0.1), epochs=5, batch_size=10, rng=7).train_loss)
    assert runs[0] == runs[1]


def test_binary_and_regression_losses():
    X, y = data.circles(200, rng=0)
    model = MLP([2, 16, 1], activation="tanh", init="xavier", rng=0)
    h = fit(model, X, y, optimizer=PlainSGD(model, 1.0), epochs=300, loss="bce")
    assert h.train_acc[-1] > 0.95 and accuracy(model, X, y) > 0.95
    t = np.sin(3 * X[:, :1])
    reg = MLP([2, 16, 1], activation="tanh", init="xavier", rng=0)
    h = fit(reg, X, t, optimizer=PlainSGD(reg, 0.1), epochs=100, loss="mse")
    assert h.train_loss[-1] < h.train_loss[0] and np.isnan(h.train_acc[-1])
    loss, acc = evaluate(reg, X, t, loss="mse")
    assert loss == pytest.approx(np.mean((reg.forward(X) - t) ** 2)) and np.isnan(acc)


def test_divergence_is_recorded_not_raised():
    X, y = data.blobs(60, k=2, rng=0)
    model = Linear(2, 2, rng=0)
    with np.errstate(over="ignore", invalid="ignore"):
        h = fit(model, X * 1e150, y, optimizer=PlainSGD(model, 1e160), epochs=20)
    assert h.diverged and np.isnan(h.train_loss[-1]) and h.epochs < 20


def test_evaluate_restores_mode_and_accuracy():
    X, y = data.blobs(30, k=3, rng=0)
    model = MLP([2, 8, 3], rng=0)
    model.train()
    loss, acc = evaluate(model, X, y, batch_size=7)
    assert model.training and acc == accuracy(model, X, y)
    assert loss == pytest.approx(evaluate(model, X, y)[0])
    model.eval()
    accuracy(model, X, y)
    assert not model.training


def test_bad_input():
    X, y = data.blobs(20, k=2, rng=0)
    model = MLP([2, 4, 2])
    opt = PlainSGD(model, 0.1)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, X, y, optimizer=opt, epochs=0)
    with pytest.raises(ValueError, match="optimizer"):
        fit(model, X, y, optimizer=object(), epochs=1)
    with pytest.raises(ValueError, match="y must have 20 labels"):
        fit(model, X, y[:5], optimizer=opt, epochs=1)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, X, y, optimizer=opt, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="X_val and y_val"):
        fit(model, X, y, optimizer=opt, epochs=1, X_val=X)
    with pytest.raises(ValueError, match="loss must be one of"):
        fit(model, X, y, optimizer=opt, epochs=1, loss="hinge")
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 2\)"):
        fit(model, X, y + 1, optimizer=opt, epochs=1)
