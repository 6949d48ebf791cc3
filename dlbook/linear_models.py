r"""Logistic regression: the single-hyperplane baseline that a multilayer perceptron improves on.

For two classes the model is :math:`P(y = 1 \mid x) = \sigma(w^\top x + b)`; its decision boundary
:math:`w^\top x + b = 0` is one hyperplane (a straight line in 2-D). For :math:`C > 2` classes it is softmax
regression, :math:`P(y \mid x) = \mathrm{softmax}(W x + b)`, whose boundaries are pieces of hyperplanes. Either way it
is an MLP with no hidden layer, and is trained the same way: with :func:`dlbook.train.fit` (``loss="bce"`` for
two classes, ``"softmax_ce"`` otherwise).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_finite, check_labels, check_ndim, check_positive
from dlbook.activations import _sigmoid
from dlbook.layers import Module, linear_backward, linear_forward
from dlbook.losses import binary_cross_entropy, softmax_cross_entropy

__all__ = ["LogisticRegression"]


class LogisticRegression(Module):
    r"""Binary logistic regression (``n_classes=2``, one output logit) or softmax regression (``n_classes > 2``).

    Parameters
    ----------
    in_features : int
        Input size D.
    n_classes : int
        Number of classes (2 gives a single logit and a sigmoid).
    dtype : numpy dtype
        float64 (default) or float32.

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (K, D) and ``"b"`` of shape (K,), with K = 1 for two classes and C otherwise; both start at
        zero (the loss is convex, so the starting point does not matter).
    """

    def __init__(self, in_features: int, n_classes: int = 2, dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        check_positive(in_features, "in_features", integer=True)
        check_positive(n_classes, "n_classes", integer=True)
        if n_classes < 2:
            raise ValueError(f"n_classes must be at least 2, got {n_classes}")
        self.in_features, self.n_classes = int(in_features), int(n_classes)
        k = 1 if n_classes == 2 else n_classes
        self.params["W"] = np.zeros((k, self.in_features), dtype=dtype)
        self.params["b"] = np.zeros(k, dtype=dtype)
        self._cache: tuple | None = None

    def _check_input(self, X: np.ndarray) -> np.ndarray:
        X = as_float_array(X, "X")
        check_ndim(X, "X", 2)
        if X.shape[1] != self.in_features:
            raise ValueError(f"X must have shape (N, {self.in_features}), got {X.shape}")
        check_finite(X, "X")
        return X

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Logits (N, 1) for two classes, (N, C) otherwise."""
        X = self._check_input(X)
        out, self._cache = linear_forward(X, self.params["W"], self.params["b"])
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        x, W = cache
        dout = self._check_dout(dout, (x.shape[0], W.shape[0]), W.dtype)
        dX, self.grads["W"], self.grads["b"] = linear_backward(dout, cache)
        return dX

    def loss(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Mean cross-entropy on ``(X, y)`` and its gradient with respect to the logits; fills nothing else."""
        z = self.forward(X)
        y = check_labels(y, "y", n_classes=self.n_classes, n=z.shape[0])
        if self.n_classes == 2:
            value, dz = binary_cross_entropy(z[:, 0], y)
            return value, dz[:, None]
        return softmax_cross_entropy(z, y)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(class 1) of shape (N,) for two classes, softmax rows (N, C) otherwise."""
        z = self.forward(X)
        if self.n_classes == 2:
            return _sigmoid(z[:, 0])
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted labels (N,) as int64."""
        z = self.forward(X)
        if self.n_classes == 2:
            return (z[:, 0] > 0).astype(np.int64)
        return z.argmax(axis=1).astype(np.int64)

    def __repr__(self) -> str:
        return f"LogisticRegression({self.in_features}, n_classes={self.n_classes})"
