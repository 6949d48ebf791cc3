"""Plotting helpers shared by the chapters: the course style and the decision-boundary picture.

matplotlib is imported inside the functions, so ``import dlbook`` never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlbook._checks import as_float_array, check_finite, check_labels, check_positive
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


def _check_points(x: Any) -> np.ndarray:
    x = as_float_array(x, "x").astype(np.float64, copy=False)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must have shape (N, 2), got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError("x must hold at least one point, got shape (0, 2)")
    check_finite(x, "x")
    return x


def decision_grid(
    x: np.ndarray, resolution: int = 200, margin: float = 0.15
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid covering the 2-D points ``x`` with a margin: returns ``(xx, yy, points)``.

    Parameters
    ----------
    x : (N, 2)
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
    x = _check_points(x)
    check_positive(resolution, "resolution", integer=True)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2 (grid points per axis), got {resolution}")
    check_positive(margin, "margin", allow_zero=True)
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(
    predict_proba: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
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
    x : (N, 2)
        Data points.
    y : (N,)
        Integer class labels, in ``[0, K)`` for the ``K`` classes of ``predict_proba``.
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

    if not callable(predict_proba):
        raise TypeError(
            f"predict_proba must be a callable (points -> probabilities), got {type(predict_proba).__name__}"
        )
    x = _check_points(x)
    y = check_labels(y, "y", n=x.shape[0])
    xx, yy, grid = decision_grid(x, resolution)
    proba = as_float_array(predict_proba(grid), "predict_proba(points)").astype(np.float64, copy=False)
    if proba.ndim == 1:
        proba = np.column_stack([1 - proba, proba])
    if proba.ndim != 2 or proba.shape[0] != len(grid) or proba.shape[1] < 2:
        raise ValueError(
            f"predict_proba must return shape ({len(grid)}, K) or ({len(grid)},) for {len(grid)} points, "
            f"got {proba.shape}"
        )
    check_finite(proba, "predict_proba(points)")
    k = proba.shape[1]
    if k > len(CLASS_COLORS):
        raise ValueError(f"at most {len(CLASS_COLORS)} classes can be drawn, got {k}")
    if y.size and y.max() >= k:
        raise ValueError(f"y must hold labels in [0, {k}) (the classes of predict_proba), got up to {int(y.max())}")
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
    for c in range(k):
        pts = x[y == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=12, color=CLASS_COLORS[c], edgecolor="white", linewidth=0.4)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
