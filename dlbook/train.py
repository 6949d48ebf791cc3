"""The training loop every chapter shares: full-batch or mini-batch gradient descent with a History.

``fit`` runs, for each epoch and each (shuffled) mini-batch: forward, loss and its gradient, backward, then one
optimizer step. The optimizer is any object with a ``step()`` method that updates the model's parameters from their
gradients and a settable ``lr`` (those of ``dlbook.optim``, or your own). Callbacks observe or stop training.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlbook._checks import as_float_array, check_labels, check_positive, get_rng
from dlbook.layers import Module
from dlbook.losses import get_loss

__all__ = ["History", "accuracy", "evaluate", "fit"]

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


@dataclass
class History:
    """What :func:`fit` recorded, one entry per epoch.

    Attributes
    ----------
    train_loss, train_acc : list of float
        Mean loss and accuracy over the epoch's mini-batches, measured as they were trained on (accuracy is NaN for
        a regression loss).
    val_loss, val_acc : list of float
        On the validation set at the end of each epoch, in evaluation mode (empty without validation data).
    lr : list of float
        The optimizer's learning rate at the last step of each epoch.
    time : list of float
        Seconds since training began, at the end of each epoch.
    steps : int
        Optimizer steps taken in total.
    diverged : bool
        True if training stopped because the model's output became NaN or infinite (the last losses are NaN).
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    steps: int = 0
    diverged: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs completed."""
        return len(self.train_loss)


def _resolve_loss(loss: str | LossFn) -> tuple[LossFn, bool]:
    """The loss function and whether it is a classification loss (so accuracy makes sense)."""
    if callable(loss):
        return loss, True
    return get_loss(loss), loss != "mse"


def _loss_and_grad(loss_fn: LossFn, out: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Apply ``loss_fn``; a single-column output (N, 1) is fed to a binary loss as (N,)."""
    if out.ndim == 2 and out.shape[1] == 1 and y.ndim == 1:
        value, grad = loss_fn(out[:, 0], y)
        return value, grad[:, None]
    return loss_fn(out, y)


def _n_correct(out: np.ndarray, y: np.ndarray) -> int:
    if out.ndim == 1 or out.shape[1] == 1:
        pred = (out.reshape(-1) > 0).astype(np.int64)
    else:
        pred = out.argmax(axis=1)
    return int(np.sum(pred == y))


def _targets(y: Any, n: int, classification: bool) -> np.ndarray:
    if classification:
        return check_labels(y, "y", n=n)
    t = as_float_array(y, "y")
    if t.shape[0] != n:
        raise ValueError(f"y must have {n} rows (one per input), got {t.shape[0]}")
    return t


def _forward_eval(model: Module, X: np.ndarray, batch_size: int | None) -> np.ndarray:
    if batch_size is None or batch_size >= len(X):
        return model.forward(X)
    return np.concatenate([model.forward(X[i : i + batch_size]) for i in range(0, len(X), batch_size)])


def evaluate(
    model: Module, X: np.ndarray, y: np.ndarray, loss: str | LossFn = "softmax_ce", batch_size: int | None = None
) -> tuple[float, float]:
    """Loss and accuracy of ``model`` on ``(X, y)`` in evaluation mode (the model's mode is restored after).

    Parameters
    ----------
    model : Module
        Maps ``X`` to logits (N, C), or (N, 1) / predictions for a binary or regression loss.
    X : (N, ...)
        Inputs.
    y : (N,) or (N, ...)
        Labels, or regression targets for ``loss="mse"``.
    loss : str or callable
        ``"softmax_ce"``, ``"bce"``, ``"mse"`` or a function ``(out, y) -> (loss, dout)``.
    batch_size : int, optional
        Evaluate in chunks of this size to bound memory.

    Returns
    -------
    loss : float
    accuracy : float
        Fraction correct (NaN for ``"mse"``).
    """
    loss_fn, classification = _resolve_loss(loss)
    X = as_float_array(X, "X")
    y = _targets(y, X.shape[0], classification)
    was_training = model.training
    model.eval()
    try:
        out = _forward_eval(model, X, batch_size)
    finally:
        model.train(was_training)
    value, _ = _loss_and_grad(loss_fn, out, y)
    acc = _n_correct(out, y) / len(y) if classification else float("nan")
    return float(value), float(acc)


def accuracy(model: Module, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of ``X`` that ``model`` classifies as ``y`` (argmax of the logits, or logit > 0 for one output)."""
    X = as_float_array(X, "X")
    y = check_labels(y, "y", n=X.shape[0])
    was_training = model.training
    model.eval()
    try:
        out = model.forward(X)
    finally:
        model.train(was_training)
    return _n_correct(out, y) / len(y)


def fit(
    model: Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    optimizer: Any,
    epochs: int,
    loss: str | LossFn = "softmax_ce",
    batch_size: int | None = None,
    rng: np.random.Generator | int | None = 0,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    schedule: Callable[[int], float] | None = None,
    callbacks: Iterable[Any] = (),
    transform: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` by gradient descent and return the :class:`History`.

    Parameters
    ----------
    model : Module
        Any dlbook module whose ``forward`` gives the loss's input and whose ``backward`` fills its ``grads``.
    X : (N, ...)
        Training inputs.
    y : (N,) or (N, ...)
        Integer labels (classification) or targets (``loss="mse"``).
    optimizer : object
        Has ``step()`` (update every parameter from its gradient) and a settable ``lr``.
    epochs : int
        Passes over the data.
    loss : str or callable
        ``"softmax_ce"`` (logits (N, C)), ``"bce"`` (logits (N,) or (N, 1)), ``"mse"``, or a function
        ``(out, y) -> (loss, dout)``.
    batch_size : int, optional
        Mini-batch size; ``None`` uses the whole training set in every step (full-batch gradient descent).
    rng : numpy.random.Generator or int
        Seed or generator for shuffling and for ``transform``.
    X_val, y_val : optional
        Validation data, evaluated in evaluation mode after each epoch.
    schedule : callable, optional
        ``schedule(step) -> lr``, called before every optimizer step (steps count from 0); sets ``optimizer.lr``.
    callbacks : iterable
        Objects with any of ``on_train_begin(model, history)``, ``on_epoch_end(epoch, model, history)`` (return
        True to stop) and ``on_train_end(model, history)``.
    transform : callable, optional
        ``transform(X_batch, rng) -> X_batch``, data augmentation applied to every training batch.

    Returns
    -------
    History
    """
    check_positive(epochs, "epochs", integer=True)
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "lr"):
        raise ValueError("optimizer must have a step() method and an lr attribute")
    loss_fn, classification = _resolve_loss(loss)
    X = as_float_array(X, "X")
    if X.ndim < 2:
        raise ValueError(f"X must have one row per example (at least 2-D), got shape {X.shape}")
    n = X.shape[0]
    y = _targets(y, n, classification)
    if batch_size is not None:
        check_positive(batch_size, "batch_size", integer=True)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    rng = get_rng(rng)
    callbacks = list(callbacks)
    history = History()
    bs = n if batch_size is None else min(int(batch_size), n)
    start = time.perf_counter()
    model.train()
    for cb in callbacks:
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin(model, history)
    for epoch in range(epochs):
        order = np.arange(n) if bs == n else rng.permutation(n)
        total_loss, correct = 0.0, 0
        for i in range(0, n, bs):
            idx = order[i : i + bs]
            Xb, yb = (X, y) if bs == n else (X[idx], y[idx])
            if transform is not None:
                Xb = transform(Xb, rng)
            out = model.forward(Xb)
            if not np.all(np.isfinite(out)):
                history.diverged = True
                break
            value, dout = _loss_and_grad(loss_fn, out, yb)
            model.backward(dout)
            if schedule is not None:
                optimizer.lr = float(schedule(history.steps))
            optimizer.step()
            history.steps += 1
            total_loss += value * len(yb)
            if classification:
                correct += _n_correct(out, yb)
        if history.diverged:
            history.train_loss.append(float("nan"))
            history.train_acc.append(float("nan"))
        else:
            history.train_loss.append(total_loss / n)
            history.train_acc.append(correct / n if classification else float("nan"))
        history.lr.append(float(optimizer.lr))
        if X_val is not None and history.diverged:
            history.val_loss.append(float("nan"))
            history.val_acc.append(float("nan"))
        elif X_val is not None:
            vl, va = evaluate(model, X_val, y_val, loss, batch_size=None if batch_size is None else max(bs, 1024))
            history.val_loss.append(vl)
            history.val_acc.append(va)
        history.time.append(time.perf_counter() - start)
        stop = False
        for cb in callbacks:
            if hasattr(cb, "on_epoch_end") and cb.on_epoch_end(epoch, model, history):
                stop = True
        if stop or history.diverged:
            break
    for cb in callbacks:
        if hasattr(cb, "on_train_end"):
            cb.on_train_end(model, history)
    return history
