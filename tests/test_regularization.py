"""Dropout, weight-decay penalty and early stopping."""

import numpy as np
import pytest

from dlbook import optim
from dlbook.data import load_digits
from dlbook.gradcheck import check_module, numerical_gradient, relative_error
from dlbook.layers import Activation, Linear, Sequential
from dlbook.normalization import BatchNorm
from dlbook.regularization import Dropout, EarlyStopping, dropout_backward, dropout_forward, l2_penalty
from dlbook.train import History, fit


def test_dropout_gradcheck_with_fixed_mask():
    drop = Dropout(0.4, rng=0)
    drop.freeze_mask = True
    x = np.random.default_rng(1).standard_normal((6, 5))
    drop.forward(x)
    errors = check_module(drop, x)
    assert errors["x"] < 1e-7


def test_dropout_functional_pair():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    mask = rng.random((4, 3)) > 0.5
    out, scale = dropout_forward(x, 0.5, mask=mask)
    np.testing.assert_allclose(out, np.where(mask, 2 * x, 0))
    r = rng.standard_normal(x.shape)
    num = numerical_gradient(lambda: np.sum(r * dropout_forward(x, 0.5, mask=mask)[0]), x)
    assert relative_error(dropout_backward(r, scale), num) < 1e-7


def test_dropout_rate_and_expectation():
    x = np.ones((200, 500))
    out = Dropout(0.3, rng=0).forward(x)
    assert np.mean(out == 0) == pytest.approx(0.3, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the expectation
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7])


def test_dropout_is_identity_in_eval_mode():
    drop = Dropout(0.5, rng=0).eval()
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(drop.forward(x), x)
    np.testing.assert_array_equal(drop.backward(x), x)


def test_dropout_same_seed_same_masks_and_dtype():
    x = np.ones((5, 6), dtype=np.float32)
    a, b = Dropout(0.5, rng=3), Dropout(0.5, rng=3)
    for _ in range(3):
        np.testing.assert_array_equal(a.forward(x), b.forward(x))
    assert a.forward(x).dtype == np.float32
    assert a.backward(x).dtype == np.float32


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: Dropout(1.0), "p"),
        (lambda: Dropout(-0.1), "p"),
        (lambda: dropout_forward(np.ones((2, 2)), 0.5, mask=np.ones(3, bool)), "mask"),
        (lambda: l2_penalty(Sequential(Linear(2, 2)), -1), "weight_decay"),
        (lambda: EarlyStopping(patience=0), "patience"),
        (lambda: EarlyStopping(monitor="accuracy"), "monitor"),
    ],
)
def test_bad_input_raises(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_l2_penalty_counts_weights_only_by_default():
    model = Sequential(Linear(2, 3, rng=0))
    model[0].params["b"][...] = 1.0
    w2 = float(np.sum(model[0].params["W"] ** 2))
    assert l2_penalty(model, 0.1) == pytest.approx(0.05 * w2)
    assert l2_penalty(model, 0.1, include_biases=True) == pytest.approx(0.05 * (w2 + 3))


def test_early_stopping_stops_and_restores_best():
    model = Sequential(Linear(1, 1, rng=0), BatchNorm(1))
    stopper = EarlyStopping(patience=3)
    history = History()
    stopper.on_train_begin(model, history)
    losses = [1.0, 0.5, 0.4, 0.45, 0.41, 0.42, 0.3]
    stopped = None
    for epoch, value in enumerate(losses):
        model[0].params["W"][...] = epoch
        model[1].buffers["running_mean"][...] = 10 * epoch
        history.val_loss.append(value)
        if stopper.on_epoch_end(epoch, model, history):
            stopped = epoch
            break
    stopper.on_train_end(model, history)
    assert stopped == 5 and stopper.stopped_epoch == 5
    assert stopper.best_epoch == 2 and stopper.best == 0.4
    assert model[0].params["W"][0, 0] == 2
    assert model[1].buffers["running_mean"][0] == 20


def test_early_stopping_on_accuracy_and_missing_metric():
    model = Sequential(Linear(1, 1, rng=0))
    stopper = EarlyStopping(patience=2, monitor="val_acc", restore_best=False)
    h = History()
    stopper.on_train_begin(model, h)
    for epoch, acc in enumerate([0.5, 0.6, 0.55, 0.58]):
        h.val_acc.append(acc)
        out = stopper.on_epoch_end(epoch, model, h)
    assert out is True and stopper.best == 0.6 and stopper.best_epoch == 1
    with pytest.raises(ValueError, match="X_val"):
        EarlyStopping(monitor="val_loss").on_epoch_end(0, model, History())


def _digits_run(seed, callbacks=()):
    X_tr, X_te, y_tr, y_te = load_digits()
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(64, 32, rng=rng), Activation("relu"), Dropout(0.2, rng=rng), Linear(32, 10, rng=rng))
    hist = fit(
        model, X_tr[:300], y_tr[:300], optimizer=optim.SGD(model, 0.1, momentum=0.9), epochs=30, batch_size=32,
        rng=seed, X_val=X_te, y_val=y_te, callbacks=callbacks,
    )  # fmt: skip
    return model, hist


def test_early_stopping_with_fit_and_same_seed_same_run():
    stopper = EarlyStopping(patience=3)
    model, hist = _digits_run(0, [stopper])
    assert stopper.stopped_epoch is not None and hist.epochs == stopper.stopped_epoch + 1 < 30
    # the restored model is the best epoch's
    from dlbook.train import evaluate

    X_tr, X_te, y_tr, y_te = load_digits()
    assert evaluate(model, X_te, y_te)[0] == pytest.approx(min(hist.val_loss))
    model2, hist2 = _digits_run(0, [EarlyStopping(patience=3)])
    assert hist2.train_loss == hist.train_loss and hist2.val_loss == hist.val_loss
    _, hist3 = _digits_run(1, [EarlyStopping(patience=3)])
    assert hist3.train_loss != hist.train_loss
