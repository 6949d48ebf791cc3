"""The progress-display callback."""

import io

import numpy as np
import pytest

from dlbook import optim
from dlbook.data import load_digits
from dlbook.layers import Linear, Sequential
from dlbook.progress import ProgressBar, format_epoch, in_notebook
from dlbook.train import History, fit


def test_plain_text_rewrites_one_line():
    X_tr, X_te, y_tr, y_te = load_digits()
    model = Sequential(Linear(64, 10, rng=0))
    stream = io.StringIO()
    bar = ProgressBar(epochs=5, stream=stream, notebook=False)
    fit(model, X_tr, y_tr, optimizer=optim.SGD(model, 0.1), epochs=5, batch_size=64, X_val=X_te, y_val=y_te,
        callbacks=[bar])  # fmt: skip
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # a single line, rewritten with \r
    assert text.count("\r") == 5 and len(bar.lines) == 5
    assert bar.lines[-1].startswith("epoch 5/5 [####################]") and "val acc" in bar.lines[-1]


def test_every_and_last_epoch():
    stream = io.StringIO()
    bar = ProgressBar(epochs=7, every=3, stream=stream, notebook=False)
    h = History()
    bar.on_train_begin(None, h)
    for epoch in range(7):
        h.train_loss.append(1.0 / (epoch + 1))
        h.train_acc.append(0.5)
        h.lr.append(0.1)
        h.time.append(float(epoch))
        bar.on_epoch_end(epoch, None, h)
    bar.on_train_end(None, h)
    assert [line.split(" [")[0] for line in bar.lines] == ["epoch 3/7", "epoch 6/7", "epoch 7/7"]


def test_format_epoch_without_total_and_nan():
    h = History(train_loss=[np.nan], train_acc=[np.nan], lr=[0.01], time=[0.5])
    line = format_epoch(h)
    assert line.startswith("epoch 1 |") and "loss nan" in line and "acc" not in line.split("|")[1]


def test_not_in_notebook_under_pytest():
    assert in_notebook() is False


def test_step_loss_recorder_records_every_step():
    from dlbook.losses import softmax_cross_entropy
    from dlbook.progress import StepLossRecorder

    X_tr, _, y_tr, _ = load_digits()
    model = Sequential(Linear(64, 10, rng=0))
    rec = StepLossRecorder()
    hist = fit(model, X_tr[:200], y_tr[:200], optimizer=optim.SGD(model, 0.1), epochs=3, batch_size=50, loss=rec)
    assert len(rec.values) == hist.steps == 12 and len(rec.times) == 12
    assert np.mean(rec.values[:4]) == pytest.approx(hist.train_loss[0])
    assert rec.times == sorted(rec.times) and rec.times[0] == 0.0
    value, grad = StepLossRecorder(softmax_cross_entropy)(np.zeros((2, 3)), np.array([0, 1]))
    assert value == pytest.approx(np.log(3)) and grad.shape == (2, 3)


def test_notebook_mode_updates_one_display(capsys):
    import matplotlib
    from IPython.core.interactiveshell import InteractiveShell

    matplotlib.use("Agg")
    InteractiveShell.instance()  # so that IPython's display() returns an updatable handle
    X_tr, X_te, y_tr, y_te = load_digits()
    model = Sequential(Linear(64, 10, rng=0))
    for plot in (False, True):
        bar = ProgressBar(epochs=3, plot=plot, notebook=True)
        fit(model, X_tr, y_tr, optimizer=optim.SGD(model, 0.1), epochs=3, batch_size=256, X_val=X_te, y_val=y_te,
            callbacks=[bar])  # fmt: skip
        assert len(bar.lines) == 3 and bar.lines[-1].startswith("epoch 3/3")
        assert bar._fig is None  # the figure is closed at the end


def test_notebook_mode_without_ipython_falls_back_to_text(monkeypatch):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: None)
    stream = io.StringIO()
    bar = ProgressBar(epochs=2, notebook=True, stream=stream)
    h = History()
    bar.on_train_begin(None, h)
    for epoch in range(2):
        h.train_loss.append(1.0)
        h.train_acc.append(0.5)
        h.lr.append(0.1)
        h.time.append(1.0)
        bar.on_epoch_end(epoch, None, h)
    bar.on_train_end(None, h)
    assert stream.getvalue().count("\r") == 2
