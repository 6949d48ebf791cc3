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

from dlbook._checks import as_float_array, check_finite, check_labels, check_ndim
from dlbook.activations import _sigmoid

__all__ = ["LOSSES", "binary_cross_entropy", "get_loss", "mse", "softmax_cross_entropy"]


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean negative log-likelihood of integer labels under a softmax over the logits.

    .. math:: L = -\frac1N \sum_n \log \mathrm{softmax}(z_n)_{y_n}
              = \frac1N \sum_n \Big(\log\sum_c e^{z_{nc}} - z_{n y_n}\Big)

    Parameters
    ----------
    logits : (N, C)
        Unnormalized scores :math:`z`.
    y : (N,)
        Integer labels in ``[0, C)``.

    Returns
    -------
    loss : float
    dlogits : (N, C)
        :math:`(\mathrm{softmax}(z) - \mathrm{onehot}(y)) / N`, same dtype as ``logits``.
    """
    z = as_float_array(logits, "logits")
    check_ndim(z, "logits", 2)
    check_finite(z, "logits")
    n, c = z.shape
    if n == 0:
        raise ValueError("logits must have at least one row, got shape (0, C)")
    y = check_labels(y, "y", n_classes=c, n=n)
    shifted = z - z.max(axis=1, keepdims=True)  # (N, C), max 0 per row
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, 1)
    logp = shifted - log_norm
    rows = np.arange(n)
    loss = -float(logp[rows, y].mean())
    dz = np.exp(logp)
    dz[rows, y] -= 1
    return loss, dz / z.dtype.type(n)


def binary_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean binary cross-entropy of targets in [0, 1] under a sigmoid of the logits.

    .. math:: L = \frac1N \sum_n \Big(\log(1 + e^{z_n}) - y_n z_n\Big)
              = \frac1N \sum_n \Big(\max(z_n, 0) - y_n z_n + \log(1 + e^{-|z_n|})\Big)

    The second form never overflows.

    Parameters
    ----------
    logits : (N,)
        Scores :math:`z`, one per example (:math:`P(y=1) = \sigma(z)`).
    y : (N,)
        Targets in [0, 1] (0/1 labels, or soft targets).

    Returns
    -------
    loss : float
    dlogits : (N,)
        :math:`(\sigma(z) - y)/N`, same dtype as ``logits``.
    """
    z = as_float_array(logits, "logits")
    check_ndim(z, "logits", 1)
    check_finite(z, "logits")
    t = as_float_array(y, "y")
    check_ndim(t, "y", 1)
    if t.shape != z.shape:
        raise ValueError(f"y must have shape {z.shape} (one target per logit), got {t.shape}")
    if z.size == 0:
        raise ValueError("logits must not be empty")
    if not np.all((t >= 0) & (t <= 1)):
        raise ValueError("y must hold targets in [0, 1]")
    t = t.astype(z.dtype)
    n = z.shape[0]
    loss = float(np.mean(np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z)))))
    return loss, (_sigmoid(z) - t) / z.dtype.type(n)


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
    dpred : same shape as ``pred``
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
LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "softmax_ce": softmax_cross_entropy,
    "bce": binary_cross_entropy,
    "mse": mse,
}


def get_loss(name: str) -> Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]:
    """Return the loss called ``name`` (``"softmax_ce"``, ``"bce"`` or ``"mse"``)."""
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}; got {name!r}")
    return LOSSES[name]
