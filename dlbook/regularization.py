r"""Regularization: dropout, weight-decay helpers and early stopping.

* **Dropout** :cite:`srivastava2014dropout`, in its *inverted* form: in training mode each unit is kept with
  probability :math:`1-p` and the kept ones are scaled by :math:`1/(1-p)`,

  .. math:: h' = \frac{m \odot h}{1-p}, \qquad m_i \sim \operatorname{Bernoulli}(1-p),

  so that :math:`\mathbb{E}[h'] = h` and evaluation mode is simply the identity.
* **Weight decay** adds :math:`\tfrac{\lambda}{2}\sum_l \lVert W_l\rVert_F^2` to the loss; its gradient
  :math:`\lambda W_l` is what the ``weight_decay`` argument of :mod:`dlbook.optim`'s optimizers adds.
  :func:`l2_penalty` computes the penalty's value.
* **Early stopping**: a callback for :func:`dlbook.train.fit` that watches a validation metric, stops when it has not
  improved for ``patience`` epochs and puts back the best weights.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from dlbook._checks import as_float_array, check_choice, check_positive, check_probability, check_shape, get_rng
from dlbook.layers import Module

__all__ = ["Dropout", "EarlyStopping", "dropout_backward", "dropout_forward", "l2_penalty", "restore", "snapshot"]


def dropout_forward(
    x: np.ndarray, p: float, rng: np.random.Generator | int | None = None, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout: zero each entry with probability ``p``, scale the rest by ``1 / (1 - p)``.

    Parameters
    ----------
    x : (N, ...)
        Activations.
    p : float
        Drop probability in [0, 1).
    rng : numpy.random.Generator or int, optional
        Source of the random mask.
    mask : ndarray of bool, optional
        A given keep-mask of the shape of ``x`` (then ``rng`` is not used): for gradient checks and figures.

    Returns
    -------
    out : same shape as x
    scale : same shape as x
        ``mask / (1 - p)`` in x's dtype; the cache of :func:`dropout_backward`.
    """
    x = as_float_array(x, "x")
    check_probability(p, "p")
    if mask is None:
        mask = get_rng(rng).random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64) >= p
    else:
        mask = np.asarray(mask)
        check_shape(mask, "mask", x.shape)
    scale = mask.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p))
    return x * scale, scale


def dropout_backward(dout: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Backward of :func:`dropout_forward`: the same mask and scale, applied to the incoming gradient."""
    dout = as_float_array(dout, "dout")
    check_shape(dout, "dout", scale.shape)
    return dout * scale


class Dropout(Module):
    """Inverted dropout layer: random in training mode, the identity in evaluation mode.

    Parameters
    ----------
    p : float
        Probability of dropping each unit, in [0, 1) (PyTorch's convention: ``p`` is the *drop* rate).
    rng : numpy.random.Generator or int, optional
        Source of the masks; the same seed gives the same sequence of masks.

    Attributes
    ----------
    freeze_mask : bool
        If True, reuse the last mask instead of drawing a new one (for gradient checks).
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        check_probability(p, "p")
        self.p = float(p)
        self.rng = get_rng(rng)
        self.freeze_mask = False
        self._scale: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if not self.training or self.p == 0.0:
            self._scale = None
            return x
        mask = None
        if self.freeze_mask and self._scale is not None and self._scale.shape == x.shape:
            mask = self._scale > 0
        out, self._scale = dropout_forward(x, self.p, self.rng, mask)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._scale is None:  # evaluation mode or p = 0: the identity
            return as_float_array(dout, "dout")
        return dropout_backward(dout, self._scale)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"


def l2_penalty(model: Module, weight_decay: float, include_biases: bool = False) -> float:
    r"""The weight-decay term :math:`\tfrac{\lambda}{2}\sum \lVert W\rVert^2` of ``model``'s parameters.

    Parameters
    ----------
    model : Module
        The network.
    weight_decay : float
        :math:`\lambda`.
    include_biases : bool
        Also count one-dimensional parameters (biases, normalization scales); by default only matrices and
        kernels (``ndim >= 2``) are counted.
    """
    check_positive(weight_decay, "weight_decay", allow_zero=True)
    total = 0.0
    for _, owner, key in model.named_parameters():
        p = owner.params[key]
        if p.ndim >= 2 or include_biases:
            total += float(np.sum(np.square(p, dtype=np.float64)))
    return 0.5 * float(weight_decay) * total


# --- early stopping ---------------------------------------------------------------------------------------------
def _modules(model: Module) -> Iterator[Module]:
    yield model
    for child in model.children():
        yield from _modules(child)


def snapshot(model: Module) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """Copies of the parameters and of every module's ``buffers`` (BatchNorm's running statistics)."""
    buffers = [{k: v.copy() for k, v in getattr(m, "buffers", {}).items()} for m in _modules(model)]
    return model.state_dict(), buffers


def restore(model: Module, state: tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]) -> None:
    """Put back, in place, what :func:`snapshot` saved."""
    params, buffers = state
    model.load_state_dict(params)
    for module, saved in zip(_modules(model), buffers, strict=True):
        for k, v in saved.items():
            module.buffers[k][...] = v


class EarlyStopping:
    """Callback for :func:`dlbook.train.fit`: stop when a validation metric stops improving; restore the best weights.

    Parameters
    ----------
    patience : int
        Epochs without improvement to wait before stopping.
    restore_best : bool
        At the end of training, load the weights (and BatchNorm running statistics) of the best epoch.
    monitor : str
        ``"val_loss"`` (lower is better) or ``"val_acc"`` (higher is better); ``"train_loss"`` also works.
    min_delta : float
        Smallest change that counts as an improvement.

    Attributes
    ----------
    best : float
        Best value of the monitored metric.
    best_epoch : int
        Epoch (from 0) where it was reached.
    stopped_epoch : int or None
        Epoch at which training was stopped, or None if it ran to the end.
    """

    def __init__(
        self, patience: int = 10, restore_best: bool = True, monitor: str = "val_loss", min_delta: float = 0.0
    ) -> None:
        check_positive(patience, "patience", integer=True)
        check_choice(monitor, "monitor", ("val_loss", "val_acc", "train_loss", "train_acc"))
        check_positive(min_delta, "min_delta", allow_zero=True)
        self.patience, self.restore_best = int(patience), bool(restore_best)
        self.monitor, self.min_delta = monitor, float(min_delta)
        self.sign = -1.0 if monitor.endswith("loss") else 1.0  # maximize sign * value
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self.sign < 0 else -math.inf
        self.best_epoch = -1
        self.stopped_epoch: int | None = None
        self.wait = 0
        self._state: tuple | None = None

    def on_train_begin(self, model: Module, history: object) -> None:
        """Forget any previous run."""
        self._reset()

    def on_epoch_end(self, epoch: int, model: Module, history: object) -> bool:
        """Record the metric; return True (stop) after ``patience`` epochs without improvement."""
        values = getattr(history, self.monitor)
        if not values:
            raise ValueError(f"EarlyStopping monitors {self.monitor!r} but fit recorded none (pass X_val and y_val)")
        value = float(values[-1])
        if math.isfinite(value) and self.sign * (value - self.best) > self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self._state = snapshot(model)
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model: Module, history: object) -> None:
        """Restore the best weights if asked to."""
        if self.restore_best and self._state is not None:
            restore(model, self._state)

    def __repr__(self) -> str:
        return f"EarlyStopping(patience={self.patience}, monitor={self.monitor!r}, restore_best={self.restore_best})"
