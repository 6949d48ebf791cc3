"""Plotting helpers shared by the chapters: the course style and the decision-boundary picture.

matplotlib is imported inside the functions, so ``import dlbook`` never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlbook.widgets._base import PALETTE

__all__ = ["CLASS_COLORS", "decision_grid", "plot_decision_boundary", "use_style"]

#: One colour per class, shared with the interactive playground.
CLASS_COLORS: list[str] = [PALETTE["class0"], PALETTE["class1"], PALETTE["class2"], PALETTE["class3"]]


def use_style() -> None:
    """Apply the course's matplotlib style (sizes, grid, colour cycle); call once at the top of a chapter."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "figure.autolayout": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "axes.prop_cycle": cycler(
                color=[*CLASS_COLORS, PALETTE["kernel"], PALETTE["output"], "#9c755f", "#edc948"]
            ),
        }
    )


def decision_grid(
    X: np.ndarray, resolution: int = 200, margin: float = 0.15
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid covering the 2-D points ``X`` with a margin: returns ``(xx, yy, points)``.

    Parameters
    ----------
    X : (N, 2)
        The data whose extent the grid covers.
    resolution : int
        Grid points per axis.
    margin : float
        Extra space on each side, as a fraction of the data's range.

    Returns
    -------
    xx, yy : (resolution, resolution)
        Grid coordinates (as from ``numpy.meshgrid``).
    points : (resolution * resolution, 2)
        The grid points as rows, ready for a model's ``predict``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(
    predict_proba: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    ax: Any = None,
    title: str | None = None,
    resolution: int = 200,
) -> Any:
    """Draw a classifier's decision regions (class colour, confidence as strength) under the data points.

    Parameters
    ----------
    predict_proba : callable
        Maps points ``(M, 2)`` to class probabilities ``(M, K)`` (or ``(M,)`` for P(class 1) of a binary model).
    X : (N, 2)
        Data points.
    y : (N,)
        Integer class labels.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    title : str, optional
        Axes title.
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    xx, yy, grid = decision_grid(X, resolution)
    proba = np.asarray(predict_proba(grid), dtype=np.float64)
    if proba.ndim == 1:
        proba = np.column_stack([1 - proba, proba])
    k = proba.shape[1]
    if k > len(CLASS_COLORS):
        raise ValueError(f"at most {len(CLASS_COLORS)} classes can be drawn, got {k}")
    colors = np.array([to_rgb(c) for c in CLASS_COLORS[:k]])
    winner = proba.argmax(axis=1)
    confidence = (proba.max(axis=1) - 1 / k) / (1 - 1 / k)  # 0 at chance, 1 when certain
    strength = 0.15 + 0.55 * confidence[:, None]
    rgb = (1 - strength) * 1.0 + strength * colors[winner]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.2))
    ax.imshow(
        rgb.reshape(resolution, resolution, 3),
        origin="lower",
        extent=(xx.min(), xx.max(), yy.min(), yy.max()),
        aspect="auto",
        interpolation="bilinear",
    )
    y = np.asarray(y)
    for c in range(k):
        pts = X[y == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=12, color=CLASS_COLORS[c], edgecolor="white", linewidth=0.4)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
