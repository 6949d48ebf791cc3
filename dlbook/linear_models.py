r"""Logistic regression: the single-hyperplane baseline that a multilayer perceptron improves on.

For two classes the model is :math:`P(y = 1 \mid x) = \sigma(w^\top x + b)`; its decision boundary
:math:`w^\top x + b = 0` is one hyperplane (a straight line in 2-D). For :math:`C > 2` classes it is softmax
regression, :math:`P(y \mid x) = \mathrm{softmax}(W x + b)`, whose boundaries are pieces of hyperplanes. Either way it
is an MLP with no hidden layer, and it is one here: :class:`LogisticRegression` is a :class:`dlbook.mlp.MLP` with
sizes ``[D, K]``, trained like any other model with :func:`dlbook.train.fit` (``loss="bce"`` for two classes,
``"softmax_ce"`` otherwise).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import check_labels, check_positive
from dlbook.losses import binary_cross_entropy, softmax_cross_entropy
from dlbook.mlp import MLP

__all__ = ["LogisticRegression"]


class LogisticRegression(MLP):
    r"""Binary logistic regression (``num_classes=2``, one output logit) or softmax regression (``num_classes > 2``).

    An :class:`~dlbook.mlp.MLP` with no hidden layer, so it shares the MLP's input checks, ``predict`` and
    ``predict_proba``.

    Parameters
    ----------
    in_features : int
        Input size D.
    num_classes : int
        Number of classes (2 gives a single logit and a sigmoid).
    dtype : numpy dtype
        float64 (default) or float32.

    Attributes
    ----------
    params : dict
        ``"W1"`` of shape (K, D) and ``"b1"`` of shape (K,), with K = 1 for two classes and C otherwise; both start at
        zero (the loss is convex, so the starting point does not matter).
    """

    def __init__(self, in_features: int, num_classes: int = 2, dtype: DTypeLike = np.float64) -> None:
        check_positive(in_features, "in_features", integer=True)
        check_positive(num_classes, "num_classes", integer=True)
        if num_classes < 2:
            raise ValueError(f"num_classes must be at least 2, got {num_classes}")
        super().__init__([in_features, 1 if num_classes == 2 else num_classes], rng=0, dtype=dtype)
        self.in_features, self.num_classes = int(in_features), int(num_classes)
        for p in self.params.values():
            p[...] = 0.0

    def loss(self, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Mean cross-entropy on ``(x, y)`` and its gradient with respect to the logits (runs ``forward``).

        Parameters
        ----------
        x : (N, D)
            Inputs.
        y : (N,) int
            Labels in ``[0, num_classes)``.

        Returns
        -------
        loss : float
        dout : (N, K)
            The gradient to pass to ``backward``.
        """
        z = self.forward(x)
        y = check_labels(y, "y", n_classes=self.num_classes, n=z.shape[0])
        if self.num_classes == 2:
            value, dz = binary_cross_entropy(z[:, 0], y)
            return value, dz[:, None]
        return softmax_cross_entropy(z, y)

    def __repr__(self) -> str:
        return f"LogisticRegression({self.in_features}, num_classes={self.num_classes})"
