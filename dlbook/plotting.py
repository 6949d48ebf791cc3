"""Plotting helpers shared by the chapters: the course style and the decision-boundary picture.

matplotlib is imported inside the functions, so ``import dlbook`` never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dlbook._checks import as_float_array, check_finite, check_labels, check_positive
from dlbook.mlp import linear_regions
from dlbook.widgets._base import PALETTE

__all__ = [
    "CLASS_COLORS",
    "decision_grid",
    "heatmap",
    "image_grid",
    "plot_attention_heads",
    "plot_decision_boundaries",
    "plot_decision_boundary",
    "plot_linear_regions",
    "plot_runs",
    "plot_series",
    "plot_trajectories",
    "use_style",
]

#: One colour per class, shared with the interactive playground.
CLASS_COLORS: list[str] = [PALETTE["class0"], PALETTE["class1"], PALETTE["class2"], PALETTE["class3"]]


def use_style() -> None:
    """Apply the course's matplotlib style (sizes, grid, colour cycle); call once at the top of a chapter."""
    import matplotlib as mpl
    from matplotlib import cycler

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


# --------------------------------------------------------------------------------------------------------------------
# Heatmaps, attention maps, curves over seeds (the sequence chapters)
# --------------------------------------------------------------------------------------------------------------------
def heatmap(
    values: np.ndarray,
    *,
    ax: Any = None,
    xlabel: str = "",
    ylabel: str = "",
    title: str | None = None,
    xticklabels: Any = None,
    yticklabels: Any = None,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
    colorbar_label: str | None = None,
    aspect: str = "equal",
) -> Any:
    """Draw a matrix as a heatmap with a colour bar and integer ticks (or the given tick labels).

    Parameters
    ----------
    values : (R, C)
        The matrix; row ``i`` is drawn at height ``i`` (from the top), column ``j`` at ``j``.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    xlabel, ylabel, title : str
        Axis labels and title.
    xticklabels, yticklabels : sequence, optional
        One label per column (row); by default the axes show integer indices.
    cmap, vmin, vmax
        Colour map and its range (by default the data's range).
    colorbar : bool
        Draw a colour bar beside the axes.
    colorbar_label : str, optional
        The colour bar's label.
    aspect : str
        ``"equal"`` (square cells) or ``"auto"``.

    Returns
    -------
    matplotlib image (``AxesImage``)
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    values = as_float_array(values, "values")
    if values.ndim != 2 or 0 in values.shape:
        raise ValueError(f"values must have shape (R, C) with R, C >= 1, got {values.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.2))
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect=aspect, interpolation="nearest")
    for labels, axis, n, name in ((xticklabels, ax.xaxis, values.shape[1], "xticklabels"),
                                  (yticklabels, ax.yaxis, values.shape[0], "yticklabels")):  # fmt: skip
        if labels is None:
            axis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        else:
            labels = [str(label) for label in labels]
            if len(labels) != n:
                raise ValueError(f"{name} must hold {n} labels (one per index), got {len(labels)}")
            axis.set_ticks(range(n), labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(False)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=colorbar_label, fraction=0.046, pad=0.04)
    return image


#: Figure width (inches) that the wrapping figures stay within by default. Saving with a tight bounding box adds about
#: 0.15 in of padding, so the PNG is at most about 5.5 in, 600 px at the style's 110 dpi: shrunk to a 360 px phone
#: column, its 10 pt text still reads at about 9 CSS px.
_NARROW_WIDTH = 5.35


def _panels_per_line(columns: Any, count: int, panel: float, extra: float) -> int:
    """Panels on one line: ``columns`` (checked), or by default as many ``panel``-inch panels as fit in the narrow
    width beside ``extra`` inches of labels and colour bar; never more than ``count``, never fewer than one."""
    if columns is None:
        columns = max(1, int((_NARROW_WIDTH - extra) / panel + 1e-9))
    elif isinstance(columns, bool) or not isinstance(columns, int | np.integer) or columns < 1:
        raise ValueError(f"columns must be a positive integer (panels per line) or None, got {columns!r}")
    return min(int(columns), count)


def plot_attention_heads(
    weights: Any,
    *,
    row_names: Any = None,
    title: str | None = None,
    colorbar_label: str = "attention weight",
    panel_size: float = 2.2,
    columns: int | None = None,
) -> Any:
    """Attention weights of every head of every layer, one heatmap per head, with one colour bar per layer.

    A layer's heads are wrapped onto lines of at most ``columns`` panels, and the layers follow one another from top
    to bottom, so that the figure stays narrow however many heads there are. All panels share one colour scale.

    Parameters
    ----------
    weights : (L, h, T_q, T_k) array or sequence of L arrays (h, T_q, T_k)
        For each layer, the weights of each head; e.g. ``block.attn.attn_weights[0]`` for one sequence.
    row_names : sequence of str, optional
        A name per layer (``"layer 1"``, ... by default), used in the panels' titles.
    title : str, optional
        The figure's title.
    colorbar_label : str
        Label of the colour bars.
    panel_size : float
        About the width of one heatmap in inches.
    columns : int, optional
        At most this many heads on one line. By default as many as fit in about 5.5 in (two at the default
        ``panel_size``), so that the figure can be read on a phone.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    layers = [as_float_array(w, "weights") for w in weights]
    if not layers or any(w.ndim != 3 for w in layers) or len({w.shape for w in layers}) != 1:
        raise ValueError("weights must hold L >= 1 arrays of the same shape (h, T_q, T_k)")
    num_layers, (num_heads, _, _) = len(layers), layers[0].shape
    row_names = [f"layer {i + 1}" for i in range(num_layers)] if row_names is None else list(row_names)
    if len(row_names) != num_layers:
        raise ValueError(f"row_names must hold {num_layers} names (one per layer), got {len(row_names)}")
    check_positive(panel_size, "panel_size")
    ncols = _panels_per_line(columns, num_heads, panel_size, extra=0.9)
    lines = -(-num_heads // ncols)  # lines per layer
    vmax = max(float(w.max()) for w in layers)
    height = (panel_size + 0.1) * lines * num_layers + 0.5 + 0.25 * (title.count("\n") + 1 if title else 0)
    fig, axes = plt.subplots(lines * num_layers, ncols, figsize=(panel_size * ncols + 0.9, height), squeeze=False,
                             layout="constrained")  # fmt: skip
    for r, w in enumerate(layers):
        panels = list(axes[r * lines : (r + 1) * lines].flat)  # this layer's lines, left to right, top to bottom
        for c, ax in enumerate(panels):
            if c >= num_heads:
                ax.axis("off")
                continue
            nothing_below = r == num_layers - 1 and c + ncols >= num_heads  # a key label under a title would crowd
            image = heatmap(w[c], ax=ax, vmin=0.0, vmax=vmax, colorbar=False,
                            xlabel="key position j" if nothing_below else "",
                            ylabel="query position i" if c % ncols == 0 else "",
                            title=f"{row_names[r]}, head {c + 1}")  # fmt: skip
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))  # few key ticks: they sit side by side
        fig.colorbar(image, ax=panels, label=colorbar_label, shrink=0.9)
    if title:
        fig.suptitle(title)
    return fig


def plot_series(
    series: Any,
    x: Any = None,
    *,
    ax: Any = None,
    xlabel: str = "",
    ylabel: str = "",
    title: str | None = None,
    logx: bool | float = False,
    logy: bool = False,
    styles: Any = None,
    legend: dict | None = None,
    xticks: Any = None,
) -> Any:
    """Plot named curves against a common ``x`` (one line per entry of ``series``), labelled and titled.

    Parameters
    ----------
    series : dict
        Label -> values ``(N,)``; each curve is drawn against ``x``.
    x : (N,), optional
        The abscissa (``0, 1, ...`` by default).
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    xlabel, ylabel, title : str
    logx : bool or float
        Logarithmic x axis (a number is used as the base).
    logy : bool
        Logarithmic y axis.
    styles : dict, optional
        Label -> format string (``"o-"``, ``"s--"``) for some curves.
    legend : dict, optional
        Keyword arguments of ``ax.legend`` (e.g. ``{"ncol": 2, "loc": "upper center"}``).
    xticks : sequence, optional
        Ticks (labelled with their values) for the x axis.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not isinstance(series, dict) or not series:
        raise TypeError("series must be a non-empty dict of label -> values")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.8))
    styles = styles or {}
    for label, values in series.items():
        values = np.asarray(values, dtype=np.float64)
        xs = np.arange(len(values)) if x is None else np.asarray(x)
        ax.plot(xs, values, styles.get(label, "-"), label=label)
    if logx:
        ax.set_xscale("log", **({} if logx is True else {"base": logx}))
    if logy:
        ax.set_yscale("log")
    if xticks is not None:
        ax.set_xticks(list(xticks), [str(t) for t in xticks])
        ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(**(legend or {}))
    return ax


def plot_runs(
    runs: Any,
    x: Any,
    *,
    ax: Any = None,
    xlabel: str = "",
    ylabel: str = "",
    title: str | None = None,
    band: bool = True,
    scale: float = 1.0,
    styles: Any = None,
    logx: bool = False,
    xticks: Any = None,
) -> Any:
    """Mean over seeds with the min-max range, one curve per entry of ``runs`` (from :func:`dlbook.book.over_seeds`).

    Parameters
    ----------
    runs : dict
        Label -> :class:`dlbook.book.Runs` whose values have shape ``(S, N)`` (one curve per seed).
    x : (N,)
        The abscissa shared by the curves.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    xlabel, ylabel, title : str
    band : bool
        Shade the min-max range (True) or draw it as error bars (False).
    scale : float
        Multiplies every value (100 for percentages).
    styles : dict, optional
        Label -> format string.
    logx : bool
        Logarithmic x axis.
    xticks : sequence, optional
        Ticks labelled with their values.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not isinstance(runs, dict) or not runs:
        raise TypeError("runs must be a non-empty dict of label -> Runs")
    x = np.asarray(x)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.8))
    styles = styles or {}
    for label, r in runs.items():
        values = np.asarray(r.values, dtype=np.float64) * scale
        if values.ndim != 2 or values.shape[1] != len(x):
            raise ValueError(f"runs[{label!r}] must hold one curve of {len(x)} values per seed, got {values.shape}")
        mean, lo, hi = values.mean(axis=0), values.min(axis=0), values.max(axis=0)
        name = f"{label} (mean of {len(values)} seeds, min-max {'band' if band else 'bars'})"
        if band:
            (line,) = ax.plot(x, mean, styles.get(label, "-"), label=name)
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.25, linewidth=0)
        else:
            ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], fmt=styles.get(label, "o-"), capsize=3, label=name)
    if logx:
        ax.set_xscale("log")
    if xticks is not None:
        ax.set_xticks(list(xticks), [str(t) for t in xticks])
        ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_trajectories(
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Any,
    *,
    extent: tuple[float, float, float, float],
    ax: Any = None,
    levels: int = 12,
    title: str | None = None,
    xlabel: str = "$w_1$",
    ylabel: str = "$w_2$",
) -> Any:
    """Draw optimizer paths in the plane over the contour lines of a 2-D loss, with the start and the end labelled.

    Parameters
    ----------
    loss : callable
        ``loss(w1, w2) -> values`` evaluated elementwise on a grid (arrays of the same shape), with its minimum at
        the origin (marked with a star).
    paths : dict
        Label -> points ``(T, 2)``, the parameters after each step (row 0 is the start).
    extent : (w1_min, w1_max, w2_min, w2_max)
        The region shown.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    levels : int
        Number of contour lines (spaced evenly in the square root of the loss, so that the valley floor has lines).
    title, xlabel, ylabel : str

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not isinstance(paths, dict) or not paths:
        raise TypeError("paths must be a non-empty dict of label -> points (T, 2)")
    if len(extent) != 4:
        raise ValueError(f"extent must be (w1_min, w1_max, w2_min, w2_max), got {extent!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 4.2))
    w1, w2 = np.meshgrid(np.linspace(extent[0], extent[1], 200), np.linspace(extent[2], extent[3], 200))
    values = np.asarray(loss(w1, w2), dtype=np.float64)
    ax.contour(w1, w2, values, levels=np.linspace(0, np.sqrt(values.max()), levels)[1:] ** 2, colors="0.75",
               linewidths=0.8)  # fmt: skip
    for label, points in paths.items():
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) < 2:
            raise ValueError(f"paths[{label!r}] must have shape (T, 2) with T >= 2, got {points.shape}")
        (line,) = ax.plot(points[:, 0], points[:, 1], ".-", ms=3, lw=1, label=f"{label} ({len(points) - 1} steps)")
        ax.plot(*points[-1], "o", color=line.get_color(), ms=7, mec="white")
    start = np.asarray(next(iter(paths.values())), dtype=np.float64)[0]
    ax.plot(*start, "ks", ms=7)
    ax.annotate("start", start, xytext=(6, 6), textcoords="offset points", fontsize=9)
    ax.plot(0, 0, "k*", ms=10)
    ax.annotate("minimum", (0, 0), xytext=(6, -12), textcoords="offset points", fontsize=9)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(title="● = end of each path", fontsize=8, title_fontsize=8, loc="lower right")
    return ax


def plot_linear_regions(
    model: Any,
    x: Any = None,
    y: Any = None,
    *,
    extent: Any = (-1.0, 1.0, -1.0, 1.0),
    resolution: int = 200,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Colour the linear regions of a ReLU network on the plane (from :func:`dlbook.mlp.linear_regions`).

    Regions get the colours of a shuffled qualitative colour map, the region edges are drawn in dark grey, and the
    data points (if given) on top.

    Parameters
    ----------
    model : dlbook.mlp.MLP
        A network with two inputs and a ReLU or leaky-ReLU activation.
    x : (N, 2), optional
        Data points to draw on top.
    y : (N,), optional
        Their integer class labels (required with ``x``).
    extent : sequence of 4 floats
        ``(xmin, xmax, ymin, ymax)`` of the grid.
    resolution : int
        Grid points per side.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    title : str, optional
        Axes title.

    Returns
    -------
    int
        The number of regions the grid meets (what :func:`dlbook.mlp.count_linear_regions` returns).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    labels = linear_regions(model, extent, resolution)
    count = int(labels.max()) + 1
    shade = np.random.default_rng(0).permutation(max(count, 20))[labels] % 20  # a fixed shuffle of the 20 colours
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.2))
    ax.imshow(shade, origin="lower", extent=tuple(extent), cmap="tab20", vmin=0, vmax=19, aspect="auto",
              interpolation="nearest", alpha=0.55)  # fmt: skip
    edges = (np.diff(labels, axis=0, prepend=labels[:1]) != 0) | (np.diff(labels, axis=1, prepend=labels[:, :1]) != 0)
    ax.imshow(np.ma.masked_where(~edges, edges), origin="lower", extent=tuple(extent), cmap=ListedColormap(["#333333"]),
              aspect="auto", interpolation="nearest")  # fmt: skip
    if x is not None:
        x = _check_points(x)
        y = check_labels(y, "y", n=x.shape[0])
        for c in range(int(y.max()) + 1):
            pts = x[y == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=8, color=CLASS_COLORS[c % len(CLASS_COLORS)], edgecolor="black",
                       linewidth=0.3)  # fmt: skip
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title)
    return count


def image_grid(
    rows: Any,
    *,
    row_labels: Any = None,
    titles: Any = None,
    cmap: str = "gray",
    symmetric: bool = False,
    limits: tuple[float, float] | None = None,
    colorbar_label: Any = None,
    size: float = 1.5,
    ticks: bool = True,
    columns: int | None = None,
    arrange: str = "rows",
) -> Any:
    """Draw rows of images (feature maps, kernels, input patches), one colour scale and colour bar per row.

    Each row is wrapped onto lines of at most ``columns`` images, so that a long row does not make a wide figure.

    Parameters
    ----------
    rows : sequence of sequences of (H, W) arrays
        One sequence of images per row; images of one row share a colour scale, rows may differ in size and length.
    row_labels : sequence of str, optional
        A label per row: at its left (``arrange="rows"``) or above it (``arrange="columns"``).
    titles : sequence of sequences of str, optional
        A title per image (same nesting as ``rows``); ``None`` entries leave an image untitled.
    cmap : str
        Colour map of every image.
    symmetric : bool
        Centre each row's colour scale on zero (signed values such as kernels or edge maps).
    limits : (low, high), optional
        One fixed colour range for every row (e.g. ``(0, 1)`` for pixels) instead of each row's own range.
    colorbar_label : str or sequence of str, optional
        The label of every row's colour bar (one string for all rows, or one per row).
    size : float
        Width and height of one image in inches (about: the layout shrinks images to fit labels and titles).
    ticks : bool
        Integer pixel ticks on every image (few, so that small images stay legible).
    columns : int, optional
        At most this many images on one line; a longer row continues on the next line, under the same colour bar.
        By default as many as fit in about 5.5 in at ``size`` (with ``arrange="rows"``; one with ``"columns"``).
    arrange : {"rows", "columns"}
        ``"rows"``: the rows follow one another from top to bottom, each with its colour bar at its right.
        ``"columns"``: each row is drawn as a column, its images from top to bottom (``columns`` per line), the
        columns side by side, each with its colour bar underneath.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    rows = [[as_float_array(image, "rows") for image in row] for row in rows]
    if not rows or any(not row or any(image.ndim != 2 for image in row) for row in rows):
        raise ValueError("rows must be a non-empty sequence of non-empty sequences of 2-D images")
    if arrange not in ("rows", "columns"):
        raise ValueError(f"arrange must be 'rows' or 'columns', got {arrange!r}")
    check_positive(size, "size")
    if limits is not None:
        try:
            low, high = (float(v) for v in limits)
        except (TypeError, ValueError):
            low = high = float("nan")
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"limits must be two finite numbers (low, high) with low < high, got {limits!r}")
    for name, given in (("row_labels", row_labels), ("titles", titles)):
        if given is not None and len(given) != len(rows):
            raise ValueError(f"{name} must hold {len(rows)} entries (one per row), got {len(given)}")
    one_label = colorbar_label is None or isinstance(colorbar_label, str)
    labels = [colorbar_label] * len(rows) if one_label else list(colorbar_label)
    if len(labels) != len(rows):
        raise ValueError(f"colorbar_label must be one string or {len(rows)} strings (one per row), got {len(labels)}")
    by_rows = arrange == "rows"
    longest = max(len(row) for row in rows)
    extra = 0.8 + (0.3 if row_labels is not None else 0.0)  # colour bar and its label (and the row label) in inches
    ncols = _panels_per_line(columns if columns is not None or by_rows else 1, longest, size, extra)
    lines = [-(-len(row) // ncols) for row in rows]
    cell = size + (0.25 if titles is not None else 0.0)  # height of one line of images in inches
    if by_rows:
        figsize = (size * ncols + extra, cell * sum(lines) + 0.15 * len(rows))
        fig = plt.figure(figsize=figsize, layout="constrained")
        subs = fig.subfigures(len(rows), 1, height_ratios=lines, squeeze=False).flat
    else:
        figsize = ((size * ncols + 0.15) * len(rows), cell * max(lines) + 0.9 + (0.3 if row_labels is not None else 0))
        fig = plt.figure(figsize=figsize, layout="constrained")
        subs = fig.subfigures(1, len(rows), squeeze=False).flat
    for r, (row, sub) in enumerate(zip(rows, subs)):
        if limits is not None:
            lo, hi = low, high
        else:
            lo, hi = min(float(i.min()) for i in row), max(float(i.max()) for i in row)
            if symmetric:
                hi = max(abs(lo), abs(hi)) or 1.0
                lo = -hi
        axes = sub.subplots(lines[r] if by_rows else max(lines), ncols, squeeze=False)
        image = None
        for c, ax in enumerate(axes.flat):
            if c >= len(row):
                ax.axis("off")
                continue
            image = ax.imshow(row[c], cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
            ax.grid(False)
            ax.spines[:].set_visible(True)  # a frame, so that a pale image does not melt into the page
            if ticks:
                for axis in (ax.xaxis, ax.yaxis):
                    axis.set_major_locator(MaxNLocator(integer=True, nbins=2))
                ax.tick_params(labelsize=9, length=2)
            else:
                ax.set_xticks([])
                ax.set_yticks([])
            if titles is not None and titles[r][c]:
                ax.set_title(titles[r][c], fontsize=10)
        if row_labels is not None:
            (sub.supylabel if by_rows else sub.suptitle)(row_labels[r], fontsize=10)
        bar = sub.colorbar(image, ax=axes, label=labels[r], location="right" if by_rows else "bottom",
                           shrink=0.9 if by_rows else 1.0)  # fmt: skip
        bar.locator = MaxNLocator(nbins=4 if by_rows else 2)
        bar.formatter = plt.FuncFormatter(lambda x, _: f"{x:g}")
        bar.update_ticks()
    return fig


def plot_decision_boundaries(
    panels: Sequence[tuple[Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray, str]],
    *,
    suptitle: str | None = None,
    panel_size: float = 2.8,
    resolution: int = 150,
) -> Any:
    """Several classifiers' decision regions side by side, one :func:`plot_decision_boundary` panel each.

    Parameters
    ----------
    panels : sequence of (predict_proba, x, y, title)
        Per panel: the classifier (points ``(M, 2)`` -> probabilities ``(M, K)``), its data ``x`` ``(N, 2)`` with
        labels ``y`` ``(N,)``, and the panel's title.
    suptitle : str, optional
        Title of the whole figure.
    panel_size : float
        Width (and about the height) of each panel, in inches.
    resolution : int
        Grid points per axis of each panel.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    panels = list(panels)
    if not panels:
        raise ValueError("panels must hold at least one (predict_proba, x, y, title) tuple, got none")
    fig, axes = plt.subplots(1, len(panels), figsize=(panel_size * len(panels), panel_size + 0.4), squeeze=False)
    for ax, (predict_proba, x, y, title) in zip(axes[0], panels):
        plot_decision_boundary(predict_proba, x, y, ax=ax, title=title, resolution=resolution)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
