"""The one training loop of dlbook: :func:`fit`, with its :class:`History`, :class:`EarlyStopping` and batches.

Every model in the book trains with :func:`fit`. It takes any iterable of ``(inputs, targets)`` batches (a
:class:`ArrayBatches` of shuffled arrays, language-model windows, teacher-forced pairs, or just ``(x, y)`` for the
full batch), a loss and an optimizer, and runs, for every batch: forward, loss and its gradient, backward,
optional gradient clipping, the learning rate of the schedule, then one optimizer step. This is the only place in
dlbook where an optimizer step is taken.

The optimizer is any object with a ``step()`` method that updates the model's parameters from their gradients and a
settable ``lr`` (those of :mod:`dlbook.optim`, or your own).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlbook import optim
from dlbook._checks import NonFiniteError, check_choice, check_model, check_positive, get_rng
from dlbook.layers import Module
from dlbook.losses import LOSSES, get_loss

__all__ = ["ArrayBatches", "EarlyStopping", "History", "accuracy", "evaluate", "fit"]

LossFn = Callable[[Any, Any], tuple[float, np.ndarray]]
Batch = tuple[Any, Any]


# --- the record -----------------------------------------------------------------------------------------------
@dataclass
class History:
    """What :func:`fit` recorded: one entry per record, and one per optimizer step.

    A record is made at the end of every epoch (``fit(..., epochs=E)``), or every ``eval_every`` steps and at the
    last step (``fit(..., steps=S)``).

    Attributes
    ----------
    steps : list of int
        Optimizer steps taken in total, at each record.
    train_loss, train_acc : list of float
        Mean loss and accuracy over the batches trained on since the previous record (the epoch), measured as they
        were trained on (before each step's update). Accuracy is NaN for a regression loss.
    val_loss, val_acc : list of float
        On ``val_batches`` at each record, in evaluation mode (empty without validation data).
    lr : list of float
        The optimizer's learning rate at each record (that of the last step).
    time : list of float
        Seconds since training began, at each record.
    step_loss, step_time : list of float
        The loss of every step (before its update) and the seconds since training began at the end of that step.
    grad_norm : list of float
        The global gradient norm of every step, before clipping (only with ``clip_grad_norm``).
    diverged : bool
        True if training stopped because the output, the loss, the gradient norm or a parameter became NaN or
        infinite (the last record's training and validation values are then NaN; the model's parameters and buffers
        are left as they were before the step that diverged, the optimizer's state is not rolled back).
    stopped_early : bool
        True if :class:`EarlyStopping` or a callback stopped training.
    """

    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    step_time: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    diverged: bool = False
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """Number of records (epochs completed, in an epoch-based run)."""
        return len(self.train_loss)

    @property
    def num_steps(self) -> int:
        """Optimizer steps taken."""
        return len(self.step_loss)


# --- batches --------------------------------------------------------------------------------------------------
def _length(a: Any) -> int:
    return int(np.shape(a)[0]) if np.ndim(a) else 0


class ArrayBatches:
    """Re-iterable mini-batches ``(x[idx], y[idx])`` of arrays: each pass is one epoch.

    Parameters
    ----------
    x : (N, ...) array, or a tuple of (N, ...) arrays
        Inputs (a tuple for a model with several inputs: ``model.forward(*inputs)``).
    y : (N, ...) array
        Targets (labels or regression targets).
    batch_size : int, optional
        Rows per batch (the last batch of a pass may be smaller). ``None`` (or ``batch_size >= N``) gives the full
        batch, in order, every pass.
    shuffle : bool
        Draw a new permutation of the rows for every pass (mini-batches only).
    rng : numpy.random.Generator or int
        Seed or generator of the ONE generator kept across passes: it draws each pass's permutation (from the same
        stream, pass after pass) and is handed to ``transform``.
    transform : callable, optional
        ``transform(x_batch, rng) -> x_batch``: data augmentation applied to every batch.
    order : sequence of index arrays, optional
        Your own batches: every pass yields ``x[idx], y[idx]`` for each ``idx`` in ``order``, in that order
        (``batch_size`` must then be None and ``shuffle`` is not used).

    Examples
    --------
    >>> batches = ArrayBatches(x, y, batch_size=64, rng=0)  # doctest: +SKIP
    >>> for xb, yb in batches: ...  # doctest: +SKIP
    """

    def __init__(
        self,
        x: Any,
        y: Any,
        batch_size: int | None = None,
        shuffle: bool = True,
        rng: np.random.Generator | int | None = 0,
        transform: Callable[[Any, np.random.Generator], Any] | None = None,
        order: Sequence[Any] | None = None,
    ) -> None:
        xs = tuple(np.asarray(a) for a in x) if isinstance(x, tuple) else (np.asarray(x),)
        y = np.asarray(y)
        if y.ndim == 0 or len(y) == 0:
            raise ValueError(f"y must hold at least one target (shape (N, ...)), got shape {y.shape}")
        n = len(y)
        for a in xs:
            if _length(a) != n:
                raise ValueError(f"x and y must have the same length, got len(x)={_length(a)} and len(y)={n}")
        if batch_size is not None:
            check_positive(batch_size, "batch_size", integer=True)
        if not isinstance(shuffle, bool | np.bool_):
            raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be a function (x_batch, rng) -> x_batch, got {type(transform).__name__}")
        gen = get_rng(rng)
        idx_list = None
        if order is not None:
            if batch_size is not None:
                raise ValueError(f"batch_size must be None when order is given, got {batch_size!r}")
            idx_list = []
            for i, idx in enumerate(order):
                arr = np.asarray(idx)
                if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
                    raise ValueError(f"order[{i}] must be a non-empty 1-D array of integer row indices, got {idx!r}")
                if arr.min() < 0 or arr.max() >= n:
                    raise ValueError(f"order[{i}] must hold row indices in [0, {n}), got values up to {arr.max()}")
                idx_list.append(arr.astype(np.int64))
            if not idx_list:
                raise ValueError("order must hold at least one batch of indices")
        self._xs, self._tuple, self.y = xs, isinstance(x, tuple), y
        self.n = n
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle, self.transform, self.rng, self.order = bool(shuffle), transform, gen, idx_list

    @property
    def x(self) -> Any:
        """The inputs (an array, or a tuple of arrays)."""
        return self._xs if self._tuple else self._xs[0]

    def _full(self) -> bool:
        return self.batch_size is None or self.batch_size >= self.n

    def __len__(self) -> int:
        """Batches per pass."""
        if self.order is not None:
            return len(self.order)
        return 1 if self._full() else math.ceil(self.n / self.batch_size)

    def _take(self, idx: np.ndarray | None) -> Batch:
        xs = self._xs if idx is None else tuple(a[idx] for a in self._xs)
        xb: Any = xs if self._tuple else xs[0]
        if self.transform is not None:
            xb = self.transform(xb, self.rng)
        return xb, (self.y if idx is None else self.y[idx])

    def __iter__(self) -> Iterator[Batch]:
        """One pass: a fresh permutation from the shared generator (mini-batches with ``shuffle``), then the batches."""
        if self.order is not None:
            for idx in self.order:
                yield self._take(idx)
        elif self._full():
            yield self._take(None)
        else:
            perm = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
            for i in range(0, self.n, self.batch_size):
                yield self._take(perm[i : i + self.batch_size])

    def __repr__(self) -> str:
        return f"ArrayBatches(n={self.n}, batch_size={self.batch_size}, shuffle={self.shuffle})"


def _is_pair(obj: Any) -> bool:
    """True for an ``(x, y)`` pair of arrays given in place of an iterable of batches."""
    return isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], np.ndarray)


def _as_batches(obj: Any, name: str) -> Iterable[Batch]:
    if _is_pair(obj):
        return [obj]
    if isinstance(obj, np.ndarray | str) or not isinstance(obj, Iterable):
        raise TypeError(
            f"{name} must be an iterable of (inputs, targets) batches (e.g. ArrayBatches(x, y)) or an (x, y) pair "
            f"of arrays, got {type(obj).__name__}"
        )
    return obj


def _split(batch: Any, name: str) -> tuple[tuple[Any, ...], Any]:
    if not isinstance(batch, tuple | list) or len(batch) != 2:
        raise ValueError(f"{name} must yield (inputs, targets) pairs, got {type(batch).__name__}")
    inputs, targets = batch
    return (tuple(inputs) if isinstance(inputs, tuple) else (inputs,)), targets


# --- losses and accuracy --------------------------------------------------------------------------------------
def _resolve_loss(loss: Any) -> tuple[LossFn, str]:
    """The loss function and how accuracy is measured: "always", "never" or "auto" (integer targets only)."""
    if isinstance(loss, str):
        fn = get_loss(loss)
        return fn, "never" if loss == "mse" else "always"
    if callable(loss):
        return loss, "auto"
    raise TypeError(f"loss must be one of {', '.join(map(repr, LOSSES))} or a function (out, targets) -> (loss, dout)")


def _loss_and_grad(loss_fn: LossFn, out: np.ndarray, targets: Any) -> tuple[float, np.ndarray]:
    """Apply ``loss_fn``; an output with one trailing column (N, 1) is fed as (N,) when the targets are (N,)."""
    t_shape = np.shape(targets)
    if out.ndim >= 1 and out.shape[-1] == 1 and out.shape[:-1] == t_shape and out.ndim == len(t_shape) + 1:
        value, grad = loss_fn(out[..., 0], targets)
        return float(value), grad[..., None]
    value, grad = loss_fn(out, targets)
    return float(value), grad


def _correct(out: np.ndarray, targets: Any, mode: str) -> tuple[int, int] | None:
    """(number correct, number of predictions): argmax over the last axis, or logit > 0 for one output."""
    if mode == "never":
        return None
    y = np.asarray(targets)
    if mode == "auto" and y.dtype.kind not in "biu":
        return None
    if out.shape == y.shape:
        pred = out > 0
    elif out.shape[:-1] == y.shape:
        pred = out[..., 0] > 0 if out.shape[-1] == 1 else out.argmax(axis=-1)
    else:
        return None
    return int(np.count_nonzero(pred == y)), int(y.size)


def _rows(targets: Any) -> int:
    return max(_length(targets), 1)


class _Mean:
    """Running means of the loss (weighted by batch rows) and the accuracy (over predictions)."""

    def __init__(self) -> None:
        self.loss, self.rows, self.correct, self.count = 0.0, 0, 0, 0

    def add(self, value: float, rows: int, correct: tuple[int, int] | None) -> None:
        self.loss += value * rows
        self.rows += rows
        if correct is not None:
            self.correct += correct[0]
            self.count += correct[1]

    def result(self) -> tuple[float, float]:
        loss = self.loss / self.rows if self.rows else float("nan")
        return loss, (self.correct / self.count if self.count else float("nan"))


def evaluate(model: Module, batches: Any, loss: str | LossFn = "softmax_ce") -> tuple[float, float]:
    """Loss and accuracy of ``model`` over ``batches`` in evaluation mode (the model's mode is restored after).

    Parameters
    ----------
    model : Module
        Maps each batch's inputs to the loss's input (logits (..., C), (N, 1) / (N,) for ``"bce"``, predictions for
        ``"mse"``).
    batches : iterable of (inputs, targets), or an (x, y) pair of arrays
        The data: ``(x_test, y_test)`` is evaluated as one batch; ``ArrayBatches(x, y, batch_size=1024,
        shuffle=False)`` bounds the memory.
    loss : str or callable
        ``"softmax_ce"``, ``"bce"``, ``"mse"`` or a function ``(out, targets) -> (loss, dout)``.

    Returns
    -------
    loss : float
        Mean over the batches, weighted by their rows.
    accuracy : float
        Fraction of correct predictions (NaN for ``"mse"``, or a custom loss with non-integer targets).
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be a dlbook Module, got {type(model).__name__}")
    loss_fn, mode = _resolve_loss(loss)
    batches = _as_batches(batches, "batches")
    mean = _Mean()
    was_training = model.training
    model.eval()
    try:
        for batch in batches:
            inputs, targets = _split(batch, "batches")
            out = model.forward(*inputs)
            value, _ = _loss_and_grad(loss_fn, out, targets)
            mean.add(value, _rows(targets), _correct(out, targets, mode))
    finally:
        model.train(was_training)
    if mean.rows == 0:
        raise ValueError("batches must yield at least one batch")
    return mean.result()


def accuracy(model: Module, x: Any, y: Any) -> float:
    """Fraction of ``x`` that ``model`` classifies as ``y``, in evaluation mode.

    Parameters
    ----------
    model : Module
        Gives logits (..., C) (argmax over the last axis), or one logit per example ((N,) or (N, 1): logit > 0).
    x : (N, ...) array
        Inputs.
    y : (N, ...) int array
        Labels, the shape of the logits without their last axis.
    """
    check_model(model)
    was_training = model.training
    model.eval()
    try:
        out = model.forward(x)
    finally:
        model.train(was_training)
    labels = np.asarray(y)
    if labels.dtype.kind not in "biuf" or (
        labels.size and (not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)) or labels.min() < 0)
    ):
        raise ValueError("y must hold non-negative integer class labels")
    if out.ndim and out.shape[-1] > 1 and labels.size and labels.max() >= out.shape[-1]:
        raise ValueError(f"y must hold labels in [0, {out.shape[-1]}) (one per logit), got a maximum of {labels.max()}")
    counts = _correct(out, labels, "always")
    if counts is None:
        raise ValueError(f"y must have shape {out.shape[:-1]} (one label per row of logits), got {np.shape(y)}")
    return counts[0] / counts[1]


# --- early stopping -------------------------------------------------------------------------------------------
class EarlyStopping:
    """Stop :func:`fit` when a monitored value stops improving, and restore the model's best state.

    Pass it as ``fit(..., early_stopping=EarlyStopping(patience=15))``. At every record it compares the monitored
    value with the best so far; after ``patience`` records without an improvement larger than ``min_delta``
    training stops. With ``restore_best`` the model's ``state_dict()`` (parameters and buffers such as BatchNorm's
    running statistics) at the best record is loaded back when training ends.

    Parameters
    ----------
    patience : int
        Records (epochs) without improvement to wait before stopping.
    min_delta : float
        Smallest change that counts as an improvement.
    restore_best : bool
        Load the state of the best record at the end of training.
    monitor : str
        ``"val_loss"`` (lower is better), ``"val_acc"`` (higher is better), ``"train_loss"`` or ``"train_acc"``.

    Attributes
    ----------
    best : float
        Best value of the monitored quantity.
    best_epoch : int
        Record (epoch, from 0) where it was reached.
    best_step : int
        Optimizer steps taken at that record.
    stopped_epoch : int or None
        Record (epoch, from 0) at which training was stopped, or None if it ran to the end.
    """

    def __init__(
        self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True, monitor: str = "val_loss"
    ) -> None:
        check_positive(patience, "patience", integer=True)
        check_positive(min_delta, "min_delta", allow_zero=True)
        check_choice(monitor, "monitor", ("val_loss", "val_acc", "train_loss", "train_acc"))
        self.patience, self.min_delta = int(patience), float(min_delta)
        self.restore_best, self.monitor = bool(restore_best), monitor
        self.sign = -1.0 if monitor.endswith("loss") else 1.0  # maximize sign * value
        self.reset()

    def reset(self) -> None:
        """Forget any previous run (:func:`fit` calls this when training begins)."""
        self.best = math.inf if self.sign < 0 else -math.inf
        self.best_epoch, self.best_step = -1, 0
        self.stopped_epoch: int | None = None
        self.wait = 0
        self.best_state: dict[str, np.ndarray] | None = None

    def update(self, model: Module, history: History) -> bool:
        """Look at the last record; return True (stop) after ``patience`` records without improvement."""
        check_model(model)
        if not isinstance(history, History):
            raise TypeError(f"history must be a History, got {type(history).__name__}")
        record = len(history.train_loss) - 1
        value = float(getattr(history, self.monitor)[-1])
        if math.isfinite(value) and self.sign * (value - self.best) > self.min_delta:
            self.best, self.best_epoch, self.best_step, self.wait = value, record, history.steps[-1], 0
            if self.restore_best:
                self.best_state = model.state_dict()
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = record
            return True
        return False

    def restore(self, model: Module) -> None:
        """Load the best record's state into ``model`` (if ``restore_best`` and there was one)."""
        check_model(model)
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta:g}, "
            f"restore_best={self.restore_best}, monitor={self.monitor!r})"
        )


# --- the loop -------------------------------------------------------------------------------------------------
_HOOKS = ("on_train_begin", "on_record", "on_train_end")


class _Guard:
    """The model's parameters and buffers before a step, kept in preallocated copies to undo a diverged step."""

    def __init__(self, model: Module) -> None:
        slots = [(owner.params, key) for _, owner, key in model.named_parameters()]
        if hasattr(model, "named_buffers"):
            slots += [(owner.buffers, key) for _, owner, key in model.named_buffers()]
        self.slots = slots
        self.saved = [d[k].copy() for d, k in slots]

    def save(self) -> None:
        for (d, k), s in zip(self.slots, self.saved, strict=True):
            np.copyto(s, d[k])

    def finite(self) -> bool:
        return all(np.isfinite(d[k]).all() for d, k in self.slots)

    def undo(self) -> None:
        for (d, k), s in zip(self.slots, self.saved, strict=True):
            d[k][...] = s


def _check_fit_args(
    model: Any,
    batches: Any,
    optimizer: Any,
    epochs: Any,
    steps: Any,
    clip_grad_norm: Any,
    schedule: Any,
    val_batches: Any,
    eval_every: Any,
    early_stopping: Any,
    callbacks: Any,
) -> tuple[Iterable[Batch], Iterable[Batch] | None, list[Any]]:
    if not isinstance(model, Module):
        raise TypeError(f"model must be a dlbook Module, got {type(model).__name__}")
    batches = _as_batches(batches, "batches")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "lr"):
        raise TypeError(f"optimizer must have a step() method and an lr attribute, got {type(optimizer).__name__}")
    if (epochs is None) == (steps is None):
        raise ValueError(f"exactly one of epochs and steps must be given, got epochs={epochs!r}, steps={steps!r}")
    if epochs is not None:
        check_positive(epochs, "epochs", integer=True)
        if eval_every is not None:
            raise ValueError("eval_every needs steps=...: with epochs a record is made at the end of every epoch")
        if epochs > 1 and iter(batches) is batches:
            raise ValueError(
                "batches is a one-shot iterator but epochs > 1 needs a pass per epoch: pass a re-iterable object "
                "(ArrayBatches, a list)"
            )
    else:
        check_positive(steps, "steps", integer=True)
        if eval_every is not None:
            check_positive(eval_every, "eval_every", integer=True)
    if clip_grad_norm is not None:
        check_positive(clip_grad_norm, "clip_grad_norm")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function step -> lr, got {type(schedule).__name__}")
    if val_batches is not None:
        val_batches = _as_batches(val_batches, "val_batches")
    if early_stopping is not None:
        if not isinstance(early_stopping, EarlyStopping):
            raise TypeError(f"early_stopping must be an EarlyStopping, got {type(early_stopping).__name__}")
        if early_stopping.monitor.startswith("val") and val_batches is None:
            raise ValueError(f"early_stopping monitors {early_stopping.monitor!r}: pass val_batches")
    if isinstance(callbacks, str) or not isinstance(callbacks, Iterable):
        raise TypeError(f"callbacks must be a list of callback objects, got {type(callbacks).__name__}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not any(hasattr(cb, hook) for hook in _HOOKS):
            raise TypeError(f"callbacks must be objects with any of {', '.join(_HOOKS)}; got {cb!r}")
    return batches, val_batches, callbacks


def fit(
    model: Module,
    batches: Any,
    *,
    loss: str | LossFn,
    optimizer: Any,
    epochs: int | None = None,
    steps: int | None = None,
    clip_grad_norm: float | None = None,
    schedule: Callable[[int], float] | None = None,
    val_batches: Any = None,
    eval_every: int | None = None,
    early_stopping: EarlyStopping | None = None,
    callbacks: Iterable[Any] = (),
    penalty: Callable[[Module], Any] | None = None,
) -> History:
    """Train ``model`` by gradient descent on ``batches`` and return the :class:`History`.

    For every batch ``(inputs, targets)``: ``out = model.forward(*inputs)``, ``value, dout = loss(out, targets)``,
    ``model.backward(dout)``, clipping of the gradients' global norm (:func:`dlbook.optim.clip_grad_norm`),
    ``optimizer.lr = schedule(step)``, then ``optimizer.step()``. If the output, the loss, the gradient norm or a
    parameter becomes NaN or infinite, training stops with ``history.diverged = True`` and the model as it was before
    that step.

    Parameters
    ----------
    model : Module
        Any dlbook module whose ``forward`` gives the loss's input and whose ``backward`` fills its ``grads``.
    batches : iterable of (inputs, targets), or an (x, y) pair of arrays
        ``inputs`` is an array or a tuple of arrays (``model.forward(*inputs)``). With ``epochs`` it is iterated once
        per epoch (an :class:`ArrayBatches` reshuffles on every pass); with ``steps`` it is iterated again as often
        as needed. An ``(x, y)`` pair is one full batch.
    loss : str or callable
        ``"softmax_ce"`` (logits (..., C), integer labels (...)), ``"bce"`` (logits (N,) or (N, 1)), ``"mse"``, or
        a function ``(out, targets) -> (loss, dout)``. Accuracy is recorded for the classification losses, and for a
        function when the targets are integers (argmax of the last axis).
    optimizer : object
        Has ``step()`` (update every parameter from its gradient) and a settable ``lr``.
    epochs, steps : int
        Exactly one: passes over ``batches`` (a record at the end of each), or optimizer steps (a record every
        ``eval_every`` steps and at the last one).
    clip_grad_norm : float, optional
        Rescale the gradients so that their global norm is at most this before each step; the norms before
        clipping are kept in ``history.grad_norm``.
    schedule : callable, optional
        ``schedule(step) -> lr``, called before every optimizer step (steps count from 0); sets ``optimizer.lr``.
    val_batches : iterable of (inputs, targets), or an (x, y) pair, optional
        Evaluated with :func:`evaluate` (evaluation mode) at every record.
    eval_every : int, optional
        With ``steps``: steps between records (default: one record, at the end).
    early_stopping : EarlyStopping, optional
        Stops when the monitored value has not improved for ``patience`` records; restores the best state.
    penalty : callable, optional
        ``penalty(model)``, called after ``backward`` and before clipping, adds the gradient of a penalty term to the
        model's ``grads`` (for example :func:`dlbook.regularization.weight_penalty` with ``add_grad=True``). The
        recorded losses stay the data loss, without the penalty.
    callbacks : iterable
        Objects with any of ``on_train_begin(model, history)``, ``on_record(model, history)`` (return True to stop)
        and ``on_train_end(model, history)``.

    Returns
    -------
    History

    Examples
    --------
    Mini-batches for a number of epochs, validated after each:

    >>> hist = fit(model, ArrayBatches(x, y, batch_size=64, rng=0), loss="softmax_ce",
    ...            optimizer=optim.Adam(model, 1e-3), epochs=30, val_batches=(x_val, y_val))  # doctest: +SKIP

    A language model for a number of steps, with clipping and a schedule, evaluated every 100 steps (``inputs`` may
    be a tuple of arrays, and ``loss`` any function of the (B, T, V) logits and the (B, T) targets):

    >>> hist = fit(lm, windows, loss="softmax_ce", optimizer=optim.Adam(lm, 3e-3), steps=2000,
    ...            clip_grad_norm=1.0, schedule=optim.cosine(3e-3, 2000), val_batches=val_windows,
    ...            eval_every=100)  # doctest: +SKIP
    >>> hist.steps, hist.train_loss, hist.val_loss  # doctest: +SKIP
    """
    loss_fn, mode = _resolve_loss(loss)
    batches, val_batches, callbacks = _check_fit_args(
        model, batches, optimizer, epochs, steps, clip_grad_norm, schedule, val_batches, eval_every, early_stopping,
        callbacks,
    )  # fmt: skip
    if penalty is not None and not callable(penalty):
        raise TypeError(
            f"penalty must be a function model -> None that adds to the gradients, got {type(penalty).__name__}"
        )
    total = None if steps is None else int(steps)
    every = total if eval_every is None else int(eval_every)
    history = History()
    guard = _Guard(model)
    if early_stopping is not None:
        early_stopping.reset()
    start = time.perf_counter()
    model.train()
    for cb in callbacks:
        if hasattr(cb, "on_train_begin"):
            cb.on_train_begin(model, history)

    def record(mean: _Mean) -> bool:
        """Append a record; True if early stopping or a callback asks to stop."""
        train_loss, train_acc = (float("nan"), float("nan")) if history.diverged else mean.result()
        history.steps.append(history.num_steps)
        history.train_loss.append(train_loss)
        history.train_acc.append(train_acc)
        history.lr.append(float(optimizer.lr))
        if val_batches is not None:
            vl, va = (float("nan"), float("nan")) if history.diverged else evaluate(model, val_batches, loss)
            history.val_loss.append(vl)
            history.val_acc.append(va)
        history.time.append(time.perf_counter() - start)
        stop = early_stopping is not None and not history.diverged and early_stopping.update(model, history)
        for cb in callbacks:
            if hasattr(cb, "on_record") and cb.on_record(model, history):
                stop = True
        if stop and not history.diverged:
            history.stopped_early = True
        return stop

    def train_step(batch: Any, mean: _Mean) -> bool:
        """One optimizer step on ``batch``; False if it diverged (the model is then as before the step)."""
        inputs, targets = _split(batch, "batches")
        guard.save()
        out = model.forward(*inputs)
        if not np.all(np.isfinite(out)):
            return False
        value, dout = _loss_and_grad(loss_fn, out, targets)
        if not math.isfinite(value):
            return False
        try:
            model.backward(dout)
        except NonFiniteError:  # a gradient overflowed inside the network (every layer refuses a non-finite dout)
            return False
        if penalty is not None:
            penalty(model)
        if clip_grad_norm is not None:
            norm = optim.clip_grad_norm(model, clip_grad_norm)
            if not math.isfinite(norm):
                return False
        if schedule is not None:
            optimizer.lr = float(schedule(history.num_steps))
        optimizer.step()
        if not guard.finite():
            return False
        if clip_grad_norm is not None:
            history.grad_norm.append(norm)
        history.step_loss.append(value)
        history.step_time.append(time.perf_counter() - start)
        mean.add(value, _rows(targets), _correct(out, targets, mode))
        return True

    stop, passes = False, 0
    mean = _Mean()
    while not stop:
        n_batches = 0
        for batch in batches:
            n_batches += 1
            if not train_step(batch, mean):
                guard.undo()
                history.diverged = True
                break
            if total is not None and (history.num_steps % every == 0 or history.num_steps == total):
                stop = record(mean) or history.num_steps == total
                mean = _Mean()
                if stop:
                    break
        if n_batches == 0:
            what = "at the start" if passes == 0 else f"after {history.num_steps} steps (a one-shot iterator?)"
            raise ValueError(f"batches yielded no batches {what}")
        passes += 1
        if history.diverged:
            record(mean)
            break
        if total is None:
            stop = record(mean) or passes == epochs
            mean = _Mean()
    if early_stopping is not None:
        early_stopping.restore(model)
    for cb in callbacks:
        if hasattr(cb, "on_train_end"):
            cb.on_train_end(model, history)
    return history
