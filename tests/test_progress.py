"""The progress-display callback."""

import io

import numpy as np
import pytest

from dlbook import optim
from dlbook.data import load_digits
from dlbook.layers import Linear, Sequential
from dlbook.progress import ProgressBar, format_record, in_notebook
from dlbook.train import ArrayBatches, History, fit


def test_plain_text_rewrites_one_line():
    X_tr, X_te, y_tr, y_te = load_digits(rng=0)
    model = Sequential(Linear(64, 10, rng=0))
    stream = io.StringIO()
    bar = ProgressBar(epochs=5, stream=stream, notebook=False)
    fit(model, ArrayBatches(X_tr, y_tr, batch_size=64), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), epochs=5,
        val_batches=(X_te, y_te), callbacks=[bar])  # fmt: skip
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # a single line, rewritten with \r
    assert text.count("\r") == 5 and len(bar.lines) == 5
    assert bar.lines[-1].startswith("epoch 5/5 [####################]") and "val acc" in bar.lines[-1]


def _record(h, k):
    h.steps.append(10 * k)
    h.train_loss.append(1.0 / k)
    h.train_acc.append(0.5)
    h.lr.append(0.1)
    h.time.append(float(k))


def test_every_and_last_epoch():
    stream = io.StringIO()
    bar = ProgressBar(epochs=7, every=3, stream=stream, notebook=False)
    h = History()
    bar.on_train_begin(None, h)
    for k in range(1, 8):
        _record(h, k)
        bar.on_record(None, h)
    bar.on_train_end(None, h)
    assert [line.split(" [")[0] for line in bar.lines] == ["epoch 3/7", "epoch 6/7", "epoch 7/7"]


def test_steps_run_counts_steps():
    X_tr, _, y_tr, _ = load_digits(rng=0)
    model = Sequential(Linear(64, 10, rng=0))
    stream = io.StringIO()
    bar = ProgressBar(steps=50, every=2, stream=stream, notebook=False)
    fit(model, ArrayBatches(X_tr, y_tr, batch_size=64), loss="softmax_ce", optimizer=optim.SGD(model, 0.1), steps=50,
        eval_every=10, callbacks=[bar])  # fmt: skip
    assert [line.split(" [")[0] for line in bar.lines] == ["step 20/50", "step 40/50", "step 50/50"]
    with pytest.raises(ValueError, match="not both"):
        ProgressBar(epochs=2, steps=3)


def test_format_record_without_total_and_nan():
    h = History(steps=[3], train_loss=[np.nan], train_acc=[np.nan], lr=[0.01], time=[0.5])
    line = format_record(h)
    assert line.startswith("epoch 1 |") and "loss nan" in line and "acc" not in line.split("|")[1]
    assert format_record(h, steps=6, width=4).startswith("step 3/6 [##..] |")


def test_not_in_notebook_under_pytest():
    assert in_notebook() is False


def test_notebook_mode_updates_one_display(capsys):
    import matplotlib
    from IPython.core.interactiveshell import InteractiveShell

    matplotlib.use("Agg")
    InteractiveShell.instance()  # so that IPython's display() returns an updatable handle
    X_tr, X_te, y_tr, y_te = load_digits(rng=0)
    model = Sequential(Linear(64, 10, rng=0))
    for plot in (False, True):
        bar = ProgressBar(epochs=3, plot=plot, notebook=True)
        fit(model, ArrayBatches(X_tr, y_tr, batch_size=256), loss="softmax_ce", optimizer=optim.SGD(model, 0.1),
            epochs=3, val_batches=(X_te, y_te), callbacks=[bar])  # fmt: skip
        assert len(bar.lines) == 3 and bar.lines[-1].startswith("epoch 3/3")
        assert bar._fig is None  # the figure is closed at the end


def test_notebook_mode_without_ipython_falls_back_to_text(monkeypatch):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: None)
    stream = io.StringIO()
    bar = ProgressBar(epochs=2, notebook=True, stream=stream)
    h = History()
    bar.on_train_begin(None, h)
    for k in range(1, 3):
        _record(h, k)
        bar.on_record(None, h)
    bar.on_train_end(None, h)
    assert stream.getvalue().count("\r") == 2
