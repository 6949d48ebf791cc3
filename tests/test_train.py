"""The one training loop: fit, its History, EarlyStopping, ArrayBatches, evaluate and accuracy."""

import math

import numpy as np
import pytest

from dlbook import optim
from dlbook.layers import Activation, Linear, Module, Sequential
from dlbook.losses import softmax_cross_entropy
from dlbook.normalization import BatchNorm
from dlbook.regularization import Dropout, weight_penalty
from dlbook.train import ArrayBatches, EarlyStopping, History, accuracy, evaluate, fit


def _data(n=60, d=4, c=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1).astype(np.int64)
    return x, np.minimum(y, c - 1)


def _net(seed=0, d=4, c=3):
    return Sequential(Linear(d, 8, rng=seed), Activation("tanh"), Linear(8, c, rng=seed + 1))


def _params(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


class LrLog:
    """Plain SGD that records the learning rate and the parameters' update of each step."""

    def __init__(self, model, lr):
        self.inner = optim.SGD(model, lr)
        self.model, self.lrs, self.updates = model, [], []

    @property
    def lr(self):
        return self.inner.lr

    @lr.setter
    def lr(self, value):
        self.inner.lr = value

    def step(self):
        before = _params(self.model)
        self.lrs.append(self.inner.lr)
        self.inner.step()
        after = _params(self.model)
        self.updates.append(math.sqrt(sum(float(np.sum((after[k] - before[k]) ** 2)) for k in before)))


# --- ArrayBatches -----------------------------------------------------------------------------------------------
def test_array_batches_full_batch_is_the_arrays_in_order_and_draws_nothing():
    x, y = _data(10)
    gen = np.random.default_rng(5)
    batches = ArrayBatches(x, y, rng=gen)
    for _ in range(2):
        ((xb, yb),) = list(batches)
        assert xb is batches.x and yb is batches.y
    assert gen.random() == np.random.default_rng(5).random()  # the generator was not used
    assert len(ArrayBatches(x, y, batch_size=10)) == 1 and len(ArrayBatches(x, y, batch_size=3)) == 4


def test_array_batches_one_generator_across_passes():
    x, y = _data(10)
    batches = ArrayBatches(x, y, batch_size=4, rng=3)
    ref = np.random.default_rng(3)
    for _ in range(3):  # every pass: the next permutation of the same stream
        perm = ref.permutation(10)
        got = list(batches)
        assert [len(b[1]) for b in got] == [4, 4, 2]
        np.testing.assert_array_equal(np.concatenate([b[0] for b in got]), x[perm])
        np.testing.assert_array_equal(np.concatenate([b[1] for b in got]), y[perm])
    again = ArrayBatches(x, y, batch_size=4, rng=3)
    np.testing.assert_array_equal(next(iter(again))[0], x[np.random.default_rng(3).permutation(10)[:4]])


def test_array_batches_transform_gets_the_same_generator_after_the_permutation():
    x, y = _data(6)
    seen = []

    def transform(xb, rng):
        seen.append(rng.random())
        return xb + 1.0

    list(ArrayBatches(x, y, batch_size=3, rng=1, transform=transform))
    ref = np.random.default_rng(1)
    ref.permutation(6)
    assert seen == [ref.random(), ref.random()]


def test_array_batches_order_shuffle_off_and_tuple_inputs():
    x, y = _data(6)
    order = [np.array([5, 0]), np.array([1, 2, 3])]
    got = list(ArrayBatches(x, y, order=order))
    np.testing.assert_array_equal(got[0][0], x[[5, 0]])
    np.testing.assert_array_equal(got[1][1], y[[1, 2, 3]])
    assert len(ArrayBatches(x, y, order=order)) == 2
    plain = list(ArrayBatches(x, y, batch_size=4, shuffle=False))
    np.testing.assert_array_equal(plain[0][0], x[:4])
    ids = np.arange(6)[:, None]
    (inputs, targets), _ = list(ArrayBatches((x, ids), y, batch_size=4, shuffle=False))
    assert isinstance(inputs, tuple) and np.array_equal(inputs[1], ids[:4]) and np.array_equal(targets, y[:4])


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"y": np.zeros(5)}, "len"),
        ({"batch_size": 0}, "batch_size"),
        ({"order": [np.array([0, 9])]}, "order"),
        ({"order": [np.array([0.5])]}, "order"),
        ({"order": [np.array([0])], "batch_size": 2}, "batch_size"),
    ],
)
def test_array_batches_bad_input(kwargs, word):
    x, y = _data(6)
    args = {"x": x, "y": y} | kwargs
    with pytest.raises(ValueError, match=word):
        ArrayBatches(**args)
    with pytest.raises(TypeError, match="rng"):
        ArrayBatches(x, y, rng="x")


# --- fit ------------------------------------------------------------------------------------------------------
def test_fit_equals_a_hand_written_loop_exactly():
    """Mini-batches from one generator, clipping, a schedule and Adam: bit for bit the loop written out."""
    x, y = _data(50)
    model, by_hand = _net(), _net()
    schedule = optim.cosine(0.05, 40)
    hist = fit(
        model, ArrayBatches(x, y, batch_size=16, rng=7), loss="softmax_ce", optimizer=optim.Adam(model, 0.05),
        epochs=10, clip_grad_norm=0.5, schedule=schedule,
    )  # fmt: skip
    rng, opt, losses, step = np.random.default_rng(7), optim.Adam(by_hand, 0.05), [], 0
    for _ in range(10):
        perm = rng.permutation(50)
        for i in range(0, 50, 16):
            idx = perm[i : i + 16]
            value, dout = softmax_cross_entropy(by_hand.forward(x[idx]), y[idx])
            by_hand.backward(dout)
            optim.clip_grad_norm(by_hand, 0.5)
            opt.lr = schedule(step)
            opt.step()
            losses.append(value)
            step += 1
    assert hist.step_loss == losses and hist.num_steps == 40 and hist.steps == [4 * k for k in range(1, 11)]
    for key, value in by_hand.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[key], value, err_msg=key)
    # the epoch's record is the mean over its batches, weighted by their sizes
    sizes = np.array([16, 16, 16, 2])
    assert hist.train_loss[0] == pytest.approx(np.dot(losses[:4], sizes) / 50, rel=1e-12)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalty_adds_its_gradient_to_the_weights_only(kind):
    """fit(penalty=...) equals the loop with the penalty's gradient on the weights (never the biases) added by hand."""
    x, y = _data(40)
    model, by_hand = _net(), _net()
    rate = 0.05
    hist = fit(
        model, (x, y), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), steps=20,
        penalty=lambda m: weight_penalty(m, kind, rate, add_grad=True),
    )  # fmt: skip
    plain = _net()
    fit(plain, (x, y), loss="softmax_ce", optimizer=optim.SGD(plain, 0.1), steps=20)
    opt, losses = optim.SGD(by_hand, 0.1), []
    for _ in range(20):
        value, dout = softmax_cross_entropy(by_hand.forward(x), y)
        by_hand.backward(dout)
        for _, owner, key in by_hand.named_parameters():
            w = owner.params[key]
            if w.ndim == 2:
                owner.grads[key] = owner.grads[key] + rate * (w if kind == "l2" else np.sign(w))
        opt.step()
        losses.append(value)
    assert hist.step_loss == losses  # the recorded loss is the data loss
    for key, value in by_hand.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[key], value, err_msg=key)
    # the penalty shrinks the weights' norm; the value it returns is the term itself
    norm = lambda m: sum(float(np.sum(m.state_dict()[k] ** 2)) for k in m.state_dict() if m.state_dict()[k].ndim == 2)  # noqa: E731
    assert norm(model) < norm(plain)
    w = [v for v in model.state_dict().values() if v.ndim == 2]
    expected = (
        0.5 * rate * sum(float(np.sum(v**2)) for v in w)
        if kind == "l2"
        else rate * sum(float(np.abs(v).sum()) for v in w)
    )
    assert weight_penalty(model, kind, rate) == pytest.approx(expected, rel=1e-12)


def test_epochs_and_steps_records():
    x, y = _data(40)
    model = _net()
    h = fit(model, ArrayBatches(x, y, batch_size=16), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), epochs=3)
    assert isinstance(h, History) and h.epochs == 3 and h.steps == [3, 6, 9] and len(h.time) == 3
    assert h.val_loss == [] and not h.diverged and not h.stopped_early
    model = _net()
    h = fit(
        model, ArrayBatches(x, y, batch_size=16), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), steps=10,
        eval_every=4, val_batches=(x, y),
    )  # fmt: skip
    assert h.steps == [4, 8, 10] and len(h.step_loss) == 10 and len(h.val_loss) == 3
    # train loss of a record: the mean of the steps since the previous record (the batches of 16, 16, 8 rows, ...)
    rows = [16, 16, 8] * 4
    assert h.train_loss[1] == pytest.approx(np.dot(h.step_loss[4:8], rows[4:8]) / sum(rows[4:8]), rel=1e-12)
    assert h.train_loss[2] == pytest.approx(np.dot(h.step_loss[8:], rows[8:10]) / sum(rows[8:10]), rel=1e-12)
    # the last record's validation is the final model's
    assert h.val_loss[-1] == evaluate(model, (x, y))[0]
    model = _net()
    h1 = fit(model, ArrayBatches(x, y), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), steps=3)
    assert h1.steps == [3] and h1.epochs == 1


def test_steps_run_equals_the_epoch_run_over_the_same_passes():
    x, y = _data(40)
    a, b = _net(), _net()
    ha = fit(a, ArrayBatches(x, y, batch_size=16, rng=2), loss="softmax_ce", optimizer=optim.SGD(a, 0.1), epochs=4)
    hb = fit(b, ArrayBatches(x, y, batch_size=16, rng=2), loss="softmax_ce", optimizer=optim.SGD(b, 0.1), steps=12)
    assert ha.step_loss == hb.step_loss
    np.testing.assert_array_equal(a.state_dict()["2.W"], b.state_dict()["2.W"])


def test_val_batches_are_evaluated_at_every_record_in_eval_mode():
    x, y = _data(40)
    model = Sequential(Linear(4, 16, rng=0), Activation("relu"), Dropout(0.5, rng=0), Linear(16, 3, rng=1))
    seen = []

    class Probe:
        def on_record(self, model, history):
            seen.append((evaluate(model, (x, y))[0], model.training))

    h = fit(
        model, ArrayBatches(x, y, batch_size=10), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), steps=12,
        eval_every=5, val_batches=ArrayBatches(x, y, batch_size=7, shuffle=False), callbacks=[Probe()],
    )  # fmt: skip
    assert h.steps == [5, 10, 12]
    np.testing.assert_allclose(h.val_loss, [s[0] for s in seen], rtol=1e-12)
    assert all(training for _, training in seen) and model.training


def test_clipping_bounds_the_norm_of_the_applied_update():
    x, y = _data(40)
    x = 50 * x  # large gradients
    model = _net()
    opt = LrLog(model, 1.0)
    h = fit(model, ArrayBatches(x, y, batch_size=8), loss="softmax_ce", optimizer=opt, epochs=2, clip_grad_norm=0.1)
    assert len(h.grad_norm) == 10 and max(h.grad_norm) > 0.1  # clipping did something
    assert max(opt.updates) <= 0.1 * (1 + 1e-9)  # SGD with lr 1: the update is the clipped gradient
    clipped = [n > 0.1 for n in h.grad_norm]
    for norm, update, was_clipped in zip(h.grad_norm, opt.updates, clipped, strict=True):
        assert update == pytest.approx(0.1 if was_clipped else norm, rel=1e-5)
    free = _net()
    fit(free, ArrayBatches(x, y, batch_size=8), loss="softmax_ce", optimizer=(o := LrLog(free, 1.0)), epochs=2)
    assert max(o.updates) > 0.1


def test_schedule_sets_lr_before_every_step():
    x, y = _data(30)
    model = _net()
    opt = LrLog(model, 1.0)
    h = fit(
        model, ArrayBatches(x, y, batch_size=10), loss="softmax_ce", optimizer=opt, epochs=2,
        schedule=lambda step: 0.1 / (step + 1),
    )  # fmt: skip
    assert opt.lrs == [0.1 / (s + 1) for s in range(6)]
    assert h.lr == [0.1 / 3, 0.1 / 6]


def test_early_stopping_restores_the_best_state_with_batchnorm_buffers():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((30, 10)), rng.integers(0, 3, 30)  # noise: validation loss soon rises
    xv, yv = rng.standard_normal((60, 10)), rng.integers(0, 3, 60)
    model = Sequential(Linear(10, 64, rng=0), BatchNorm(64), Activation("relu"), Linear(64, 3, rng=1))
    states = []

    class Keep:
        def on_record(self, model, history):
            states.append(model.state_dict())

    stopper = EarlyStopping(patience=3)
    h = fit(
        model, ArrayBatches(x, y, batch_size=10), loss="softmax_ce", optimizer=optim.Adam(model, 0.01), epochs=100,
        val_batches=(xv, yv), early_stopping=stopper, callbacks=[Keep()],
    )  # fmt: skip
    best = int(np.argmin(h.val_loss))
    assert h.stopped_early and h.epochs == stopper.stopped_epoch + 1 == best + 4 < 100
    assert stopper.best_epoch == best and stopper.best == h.val_loss[best] and stopper.best_step == h.steps[best]
    final = model.state_dict()
    assert any(k.endswith("running_mean") for k in final)  # buffers are part of the state
    for key, value in states[best].items():
        np.testing.assert_array_equal(final[key], value, err_msg=key)
    assert not np.array_equal(final["0.W"], states[-1]["0.W"])
    assert evaluate(model, (xv, yv))[0] == h.val_loss[best]


def test_early_stopping_min_delta_monitor_and_no_restore():
    model = _net()
    stopper = EarlyStopping(patience=2, monitor="val_acc", min_delta=0.05, restore_best=False)
    h = History()
    stops = []
    for k, acc in enumerate([0.5, 0.6, 0.62, 0.64, 0.7]):
        h.steps.append(k)
        h.train_loss.append(1.0)
        h.val_acc.append(acc)
        stops.append(stopper.update(model, h))
    # 0.62 and 0.64 improve on 0.6 by less than min_delta: the second of them stops; 0.7 is a new best
    assert stops == [False, False, False, True, False] and stopper.stopped_epoch == 3
    assert stopper.best == 0.7 and stopper.best_epoch == 4 and stopper.best_step == 4
    assert stopper.best_state is None


def test_divergence_stops_and_keeps_finite_parameters():
    x, y = _data(20)
    model = Sequential(Linear(4, 3, rng=0))
    with np.errstate(all="ignore"):
        h = fit(
            model, ArrayBatches(1e150 * x, y, batch_size=5), loss="softmax_ce", optimizer=optim.SGD(model, 1e160),
            epochs=50, val_batches=(x, y),
        )  # fmt: skip
    assert h.diverged and h.epochs < 50 and not h.stopped_early
    assert math.isnan(h.train_loss[-1]) and math.isnan(h.val_loss[-1]) and math.isnan(h.train_acc[-1])
    assert all(np.isfinite(v).all() for v in model.state_dict().values())
    assert len(h.step_loss) == h.steps[-1] and all(math.isfinite(v) for v in h.step_loss)


def test_a_gradient_that_overflows_inside_the_network_is_a_divergence_not_a_crash():
    class Amplify(Module):
        """Passes values through; its backward multiplies the gradient by 1e308, which overflows to infinity."""

        def forward(self, x):
            return x

        def backward(self, dout):
            with np.errstate(over="ignore"):
                return dout * 1e308 * 10

    x, y = _data(20)
    model = Sequential(Linear(4, 4, rng=0), Amplify(), Linear(4, 3, rng=1))
    before = {k: v.copy() for k, v in model.state_dict().items()}
    h = fit(model, ArrayBatches(x, y, batch_size=5), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), epochs=2)
    # The first Linear refuses the infinite dout; fit calls that a divergence and leaves the parameters as they were.
    assert h.diverged and h.num_steps == 0
    for key, value in before.items():
        np.testing.assert_array_equal(model.state_dict()[key], value)
    layer = Linear(4, 4, rng=0)
    layer.forward(x[:5])
    with pytest.raises(ValueError, match=r"^dout contains 20 NaN or infinite value\(s\)$"):
        layer.backward(np.full((5, 4), np.nan))


def test_divergence_undoes_the_step_that_made_parameters_infinite():
    class Blow:
        """An optimizer whose second step writes infinity into a parameter."""

        def __init__(self, model):
            self.inner, self.model, self.n = optim.SGD(model, 0.1), model, 0

        lr = 0.1

        def step(self):
            self.n += 1
            self.inner.step()
            if self.n == 2:
                self.model[0].params["W"][0, 0] = np.inf

    x, y = _data(20)
    model, ref = _net(), _net()
    h = fit(model, ArrayBatches(x, y, batch_size=5, shuffle=False), loss="softmax_ce", optimizer=Blow(model), epochs=3)
    fit(ref, ArrayBatches(x, y, batch_size=5, shuffle=False), loss="softmax_ce", optimizer=optim.SGD(ref, 0.1), steps=1)
    assert h.diverged and h.num_steps == 1 and h.steps == [1]
    for key, value in ref.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[key], value)


class TwoInputs(Module):
    """out (B, T, V) = x (B, T, D) @ W + bias (B, T, V): a model with a tuple of inputs."""

    def __init__(self):
        super().__init__()
        self.params["W"] = np.random.default_rng(0).standard_normal((3, 5)) * 0.1

    def forward(self, x, bias):
        self._x = x
        return x @ self.params["W"] + bias

    def backward(self, dout):
        self.grads["W"] = np.einsum("btd,btv->dv", self._x, dout)
        return dout @ self.params["W"].T, None


def test_tuple_inputs_custom_sequence_loss_and_accuracy():
    rng = np.random.default_rng(1)
    x, bias = rng.standard_normal((12, 4, 3)), rng.standard_normal((12, 4, 5))
    t = (x @ rng.standard_normal((3, 5)) + bias).argmax(-1)  # learnable targets (12, 4)
    calls = []

    def seq_loss(logits, targets):
        calls.append(logits.shape)
        z = logits.reshape(-1, logits.shape[-1])
        value, dz = softmax_cross_entropy(z, targets.reshape(-1))
        return value, dz.reshape(logits.shape)

    model = TwoInputs()
    h = fit(
        model, ArrayBatches((x, bias), t, batch_size=4, rng=0), loss=seq_loss, optimizer=optim.Adam(model, 0.05),
        steps=30, eval_every=10, clip_grad_norm=1.0, val_batches=((x, bias), t),
    )  # fmt: skip
    assert calls[0] == (4, 4, 5) and h.steps == [10, 20, 30] and h.val_loss[-1] < h.val_loss[0]
    out = model.forward(x, bias)
    assert h.val_acc[-1] == np.mean(out.argmax(-1) == t)  # accuracy over every position (integer targets)
    h2 = fit(model, ArrayBatches((x, bias), t.astype(float)), loss=seq_loss, optimizer=optim.SGD(model, 0.1), steps=1)
    assert math.isnan(h2.train_acc[0])  # float targets: no accuracy for a custom loss


def test_bce_on_one_column_and_mse_without_accuracy():
    x, y = _data(40, c=2)
    model = Sequential(Linear(4, 1, rng=0))
    h = fit(model, ArrayBatches(x, y), loss="bce", optimizer=optim.SGD(model, 1.0), epochs=200)
    assert h.train_acc[-1] > 0.9 and h.train_loss[-1] < h.train_loss[0]
    assert accuracy(model, x, y) == np.mean((model.forward(x)[:, 0] > 0) == y)
    reg = Sequential(Linear(4, 2, rng=0))
    t = x[:, :2] @ np.array([[1.0, -1.0], [2.0, 0.5]])
    h = fit(reg, ArrayBatches(x, t), loss="mse", optimizer=optim.SGD(reg, 0.1), epochs=100)
    assert h.train_loss[-1] < 1e-3 and math.isnan(h.train_acc[-1])
    assert math.isnan(evaluate(reg, (x, t), "mse")[1])


def test_callbacks_begin_record_end_and_stop():
    x, y = _data(20)
    events = []

    class Rec:
        def on_train_begin(self, model, history):
            events.append("begin")

        def on_record(self, model, history):
            events.append(history.epochs)
            return history.epochs == 3

        def on_train_end(self, model, history):
            events.append("end")

    model = _net()
    h = fit(model, ArrayBatches(x, y), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), epochs=10, callbacks=[Rec()])
    assert events == ["begin", 1, 2, 3, "end"] and h.stopped_early and h.epochs == 3


def test_evaluate_batches_pair_and_mode():
    x, y = _data(30)
    model = Sequential(Linear(4, 16, rng=0), Activation("relu"), Dropout(0.5, rng=0), Linear(16, 3, rng=1))
    whole = evaluate(model, (x, y))
    chunks = evaluate(model, ArrayBatches(x, y, batch_size=7, shuffle=False))
    assert chunks[0] == pytest.approx(whole[0], rel=1e-12) and chunks[1] == whole[1]
    assert whole == evaluate(model, (x, y))  # eval mode: no dropout noise
    assert model.training
    model.eval()
    evaluate(model, (x, y))
    assert not model.training
    assert whole[1] == accuracy(model, x, y)
    with pytest.raises(TypeError, match="loss"):
        evaluate(model, x, y)  # the old evaluate(model, x, y): y is not a loss


def test_bad_arguments_raise_and_change_nothing():
    x, y = _data(10)
    model = _net()
    opt = optim.SGD(model, 0.1)
    start = _params(model)
    good = {"loss": "softmax_ce", "optimizer": opt, "epochs": 1}
    cases = [
        ({"epochs": None}, ValueError, "epochs and steps"),
        ({"steps": 3}, ValueError, "epochs and steps"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": None, "steps": 2.5}, ValueError, "steps"),
        ({"eval_every": 2}, ValueError, "eval_every"),
        ({"epochs": None, "steps": 3, "eval_every": 0}, ValueError, "eval_every"),
        ({"clip_grad_norm": -1.0}, ValueError, "clip_grad_norm"),
        ({"loss": "hinge"}, ValueError, "loss"),
        ({"loss": 3}, TypeError, "loss"),
        ({"optimizer": object()}, TypeError, "optimizer"),
        ({"schedule": 0.1}, TypeError, "schedule"),
        ({"val_batches": 3}, TypeError, "val_batches"),
        ({"early_stopping": EarlyStopping()}, ValueError, "val_batches"),
        ({"early_stopping": "yes"}, TypeError, "early_stopping"),
        ({"callbacks": [object()]}, TypeError, "callbacks"),
        ({"callbacks": 1}, TypeError, "callbacks"),
    ]
    for change, error, word in cases:
        with pytest.raises(error, match=word):
            fit(model, ArrayBatches(x, y), **(good | change))
    with pytest.raises(TypeError, match="model"):
        fit(object(), ArrayBatches(x, y), **good)
    with pytest.raises(TypeError, match="batches"):
        fit(model, x, **good)
    with pytest.raises(ValueError, match="one-shot"):
        fit(model, iter([(x, y)]), **(good | {"epochs": 2}))
    with pytest.raises(ValueError, match="no batches"):
        fit(model, [], **good)
    assert opt.t == 0
    for key, value in start.items():
        np.testing.assert_array_equal(model.state_dict()[key], value)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="monitor"):
        EarlyStopping(monitor="accuracy")


def test_a_one_shot_generator_works_for_steps():
    x, y = _data(10)
    model = _net()

    def forever():
        while True:
            yield x, y

    h = fit(model, forever(), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), steps=5)
    assert h.num_steps == 5
    with pytest.raises(ValueError, match="no batches after 1 steps"):
        fit(model, iter([(x, y)]), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), steps=5)
