r"""Loss functions, each returning its value and its gradient with respect to the network's output.

Every loss is computed from **logits** (the output of the last linear layer, before any softmax or sigmoid), which is
both numerically stable and gives the simple gradients backpropagation starts from:

* softmax cross-entropy: :math:`\partial L/\partial z = (\mathrm{softmax}(z) - \mathrm{onehot}(y)) / N`;
* binary cross-entropy: :math:`\partial L/\partial z = (\sigma(z) - y) / N`;
* mean squared error: :math:`\partial L/\partial \hat y = 2(\hat y - y) / M` over the :math:`M` entries.

All three average over the batch, as PyTorch's defaults do.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlbook._checks import as_float_array, check_finite, check_labels
from dlbook.activations import log_softmax, sigmoid

__all__ = ["LOSSES", "binary_cross_entropy", "get_loss", "mse", "softmax_cross_entropy"]


def _fmt(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean negative log-likelihood of integer labels under a softmax over the last axis of the logits.

    .. math:: L = -\frac1M \sum_m \log \mathrm{softmax}(z_m)_{y_m}
              = \frac1M \sum_m \Big(\log\sum_c e^{z_{mc}} - z_{m y_m}\Big)

    averaged over all :math:`M` leading positions (the batch, or batch and time for a language model).

    Parameters
    ----------
    logits : (..., C)
        Unnormalized scores :math:`z`: ``(N, C)`` for a classifier, ``(B, T, C)`` for a sequence model.
    y : (...)
        Integer labels in ``[0, C)``, one per leading position (the shape of ``logits`` without its last axis).

    Returns
    -------
    loss : float
    dout : (..., C)
        :math:`\partial L/\partial z = (\mathrm{softmax}(z) - \mathrm{onehot}(y)) / M`, same dtype as ``logits``.
    """
    z = as_float_array(logits, "logits")
    if z.ndim < 2:
        raise ValueError(f"logits must be a 2-D or higher array (..., C), got shape {_fmt(z.shape)} ({z.ndim}-D)")
    c = z.shape[-1]
    m = z.size // c if c else int(np.prod(z.shape[:-1]))
    if c == 0 or m == 0:
        raise ValueError(f"logits must hold at least one position and one class, got shape {_fmt(z.shape)}")
    check_finite(z, "logits")
    labels = np.asarray(y)
    if labels.shape != z.shape[:-1]:
        if labels.ndim == 1 and z.ndim == 2:
            raise ValueError(f"y must have {z.shape[0]} labels (one per row of logits), got {labels.shape[0]}")
        raise ValueError(
            f"y must have shape {_fmt(z.shape[:-1])} (the leading shape of logits), got {_fmt(labels.shape)}"
        )
    labels = check_labels(labels.reshape(-1), "y", n_classes=c)
    z2 = z.reshape(m, c)
    logp = log_softmax(z2, axis=-1)  # (M, C), by the log-sum-exp trick
    rows = np.arange(m)
    loss = -float(logp[rows, labels].mean())
    dz = np.exp(logp)
    dz[rows, labels] -= 1
    return loss, (dz / z.dtype.type(m)).reshape(z.shape)


def binary_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean binary cross-entropy of targets in [0, 1] under a sigmoid of the logits.

    .. math:: L = \frac1M \sum_m \Big(\log(1 + e^{z_m}) - y_m z_m\Big)
              = \frac1M \sum_m \Big(\max(z_m, 0) - y_m z_m + \log(1 + e^{-|z_m|})\Big)

    The second form never overflows.

    Parameters
    ----------
    logits : (N,) or any shape
        Scores :math:`z`, one per example (:math:`P(y=1) = \sigma(z)`); the mean is over all :math:`M` entries.
    y : same shape as ``logits``
        Targets in [0, 1] (0/1 labels, or soft targets).

    Returns
    -------
    loss : float
    dout : same shape as ``logits``
        :math:`(\sigma(z) - y)/M`, same dtype as ``logits``.
    """
    z = as_float_array(logits, "logits")
    if z.ndim < 1:
        raise ValueError(f"logits must be a 1-D or higher array, got a scalar of shape {_fmt(z.shape)}")
    if z.size == 0:
        raise ValueError(f"logits must not be empty, got shape {_fmt(z.shape)}")
    check_finite(z, "logits")
    t = as_float_array(y, "y")
    if t.shape != z.shape:
        raise ValueError(f"y must have shape {_fmt(z.shape)} (one target per logit), got {_fmt(t.shape)}")
    if not np.all((t >= 0) & (t <= 1)):
        raise ValueError("y must hold targets in [0, 1], got values outside it (or NaN)")
    t = t.astype(z.dtype)
    n = z.size
    loss = float(np.mean(np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z)))))
    return loss, (sigmoid(z) - t) / z.dtype.type(n)


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean squared error :math:`L = \frac1M \sum_i (\hat y_i - y_i)^2` over all :math:`M` entries.

    Parameters
    ----------
    pred : any shape
        Predictions :math:`\hat y` (a linear output layer).
    target : same shape as ``pred``
        Targets.

    Returns
    -------
    loss : float
    dout : same shape as ``pred``
        :math:`2(\hat y - y)/M`.
    """
    p = as_float_array(pred, "pred")
    t = as_float_array(target, "target")
    if p.shape != t.shape:
        raise ValueError(f"target must have the shape of pred {p.shape}, got {t.shape}")
    if p.size == 0:
        raise ValueError("pred must not be empty")
    check_finite(p, "pred")
    check_finite(t, "target")
    diff = p - t.astype(p.dtype)
    return float(np.mean(diff * diff)), (2 / p.dtype.type(p.size)) * diff


#: Losses by the names ``dlbook.train.fit`` accepts.
#:
#: :meta hide-value:
LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "softmax_ce": softmax_cross_entropy,
    "bce": binary_cross_entropy,
    "mse": mse,
}


def get_loss(name: str) -> Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]:
    """Return the loss called ``name``.

    Parameters
    ----------
    name : {"softmax_ce", "bce", "mse"}

    Returns
    -------
    callable
        ``(out, targets) -> (loss, dout)``.
    """
    if not isinstance(name, str):
        raise TypeError(f"loss must be a name (str), one of {', '.join(map(repr, LOSSES))}; got {name!r}")
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}; got {name!r}")
    return LOSSES[name]
