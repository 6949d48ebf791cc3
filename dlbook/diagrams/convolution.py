"""Diagrams of convolution: the k x k x C window over a padded input, im2col, max pooling."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from dlbook.conv import Conv2d
from dlbook.diagrams._base import COLORS, INK, MUTED, Diagram, canvas, cell, label, shade, tint

__all__ = ["conv2d_diagram", "im2col_diagram", "max_pool_diagram"]

_MAX_DRAWN = 4  # channels / maps drawn in a stack; more are summarized by the label


def _geometry(
    layer: Conv2d, input_size: int | Sequence[int], position: Sequence[int]
) -> tuple[int, int, int, int, int, int, int, int, int, int, int]:
    if not isinstance(layer, Conv2d):
        raise TypeError(f"layer must be a Conv2d, got {type(layer).__name__}")
    size = (int(input_size), int(input_size)) if np.isscalar(input_size) else tuple(int(s) for s in input_size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"input_size must be a positive int or a pair (H, W), got {input_size}")
    (H, W), (k, kw), (s, sw), (p, pw) = size, layer.kernel_size, layer.stride, layer.padding
    if (k, s, p) != (kw, sw, pw):
        raise ValueError("layer must have square kernel_size, stride and padding to be drawn")
    Ho, Wo = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
    if Ho < 1 or Wo < 1:
        raise ValueError(f"input_size {size} is smaller than the kernel ({k}) with padding {p}")
    if max(H + 2 * p, W + 2 * p) > 16:
        raise ValueError(f"input_size with padding must be at most 16 to be drawn, got {size} with padding {p}")
    i, j = (int(v) for v in position)
    if not (0 <= i < Ho and 0 <= j < Wo):
        raise ValueError(f"position must be an output cell inside (0..{Ho - 1}, 0..{Wo - 1}), got {tuple(position)}")
    return H, W, k, s, p, Ho, Wo, i, j, layer.in_channels, layer.out_channels


def _stack(
    ax: Axes,
    x0: float,
    y_top: float,
    rows: int,
    cols: int,
    depth: int,
    size: float,
    color: str,
    pad: int = 0,
    gid: str = "cell",
) -> float:
    """``depth`` grids of rows x cols cells, the first in front at (x0, y_top), the others offset up-right."""
    off = 0.16
    drawn = min(depth, _MAX_DRAWN)
    for d in reversed(range(drawn)):
        gx, gy = x0 + d * off, y_top + d * off
        for r in range(rows):
            for c in range(cols):
                padded = r < pad or c < pad or r >= rows - pad or c >= cols - pad
                fill = 0.94 if padded else (0.72 if d == 0 else 0.8)
                cell(ax, gx + c * size, gy - (r + 1) * size, size, color, fill=fill, gid=gid if d == 0 else "back")
    return off


def conv2d_diagram(layer: Conv2d, input_size: int | Sequence[int] = 5, position: Sequence[int] = (0, 0)) -> Diagram:
    r"""A 2-D convolution with several channels: one :math:`k \times k \times C` window of the padded input, the
    filter it meets, and the output cell it makes in each of the :math:`F` output maps.

    Parameters
    ----------
    layer : Conv2d
        The layer (its ``in_channels`` :math:`C`, ``out_channels`` :math:`F`, square ``kernel_size``, ``stride``
        and ``padding`` are read).
    input_size : int or (int, int)
        Height and width of the input (at most 16 with the padding).
    position : (int, int)
        The output cell ``(row, column)`` whose window is shown.

    Returns
    -------
    Diagram
        The front input channel's cells are tagged ``"cell"``, the front output map's ``"out"``; the window and
        the output cell are rectangles tagged ``"window"`` and ``"target"``.
    """
    H, W, k, s, p, Ho, Wo, i, j, C, F = _geometry(layer, input_size, position)
    Hp, Wp = H + 2 * p, W + 2 * p
    # Side by side and narrow enough for a phone's column: the input at most 2.3 in wide, the output in cells of the
    # same size, the text below the grids (see the legibility rule in dlbook.diagrams).
    size = min(0.22, 2.3 / max(Hp, Wp))
    in_w, out_w = Wp * size, Wo * size
    stack_pad = 0.16 * (_MAX_DRAWN - 1)
    x_in = 0.35
    x_out = x_in + in_w + stack_pad + 0.5
    width = max(x_out + out_w + stack_pad + 0.35, 4.6)
    y_top = 1.55 + max(Hp, Ho) * size
    height = y_top + stack_pad + 0.8
    fig, ax = canvas(width, height, f"Conv2d: {C} → {F} channels, {k}×{k} kernel\nstride {s}, padding {p}")
    off = _stack(ax, x_in, y_top, Hp, Wp, C, size, COLORS["input"], pad=p)
    orange, teal = COLORS["kernel"], COLORS["output"]
    for d in reversed(range(min(C, _MAX_DRAWN))):
        ax.add_patch(
            Rectangle(
                (x_in + d * off + j * s * size, y_top + d * off - (i * s + k) * size),
                k * size,
                k * size,
                facecolor=(*tint(orange, 0.45), 0.55) if d == 0 else "none",
                edgecolor=shade(orange),
                linewidth=2.0 if d == 0 else 1.2,
                gid="window" if d == 0 else "window-back",
                zorder=4,
            )
        )
    y_out = y_top - (max(Hp, Ho) - Ho) * size / 2
    _stack(ax, x_out, y_out, Ho, Wo, F, size, teal, gid="out")
    ax.add_patch(
        Rectangle(
            (x_out + j * size, y_out - (i + 1) * size),
            size,
            size,
            facecolor=tint(teal, 0.2),
            edgecolor=shade(teal, 0.4),
            linewidth=2.0,
            gid="target",
            zorder=4,
        )
    )
    wx, wy = x_in + j * s * size, y_top - i * s * size
    for cx, cy, tx, ty in (
        (wx + k * size, wy, x_out + j * size, y_out - i * size),
        (wx + k * size, wy - k * size, x_out + j * size, y_out - (i + 1) * size),
    ):
        ax.plot([cx, tx], [cy, ty], color=shade(orange), lw=0.9, ls="--", zorder=3)
    more_c = f", front {_MAX_DRAWN} drawn" if C > _MAX_DRAWN else ""
    more_f = f"\nfront {_MAX_DRAWN} drawn" if F > _MAX_DRAWN else ""
    y_labels = y_top - max(Hp, Ho) * size - 0.12
    in_text = f"input {C}×{H}×{W}{more_c}\npadded: {Hp}×{Wp} (pale: 0)"
    label(ax, x_in, y_labels, in_text, ha="left", va="top", fontsize=10)
    label(ax, width - 0.3, y_out - Ho * size - 0.12, f"output {F}×{Ho}×{Wo}{more_f}", ha="right", va="top", fontsize=10)
    label(
        ax,
        width / 2,
        0.5,
        f"window: {k}×{k}×{C} · filter f + bias\n= cell ({i}, {j}) of map f;  {F} filters → {F} maps",
        fontsize=10,
        linespacing=1.3,
        bbox={"boxstyle": "round,pad=0.25", "fc": tint(orange, 0.85), "ec": shade(orange)},
    )
    return fig


def im2col_diagram(layer: Conv2d, input_size: int | Sequence[int] = 5, position: Sequence[int] = (0, 0)) -> Diagram:
    r"""im2col: the same convolution as one matrix product, kernels (one row per filter) times columns (one per
    output cell), laid out so that a row and a column meet at the output they make.

    Column :math:`i W' + j` of the column matrix is the flattened :math:`C \times k \times k` window of output cell
    :math:`(i, j)` (entries that fall on the zero padding are pale); row :math:`f` of the kernel matrix is filter
    :math:`f` flattened the same way; their dot product is output cell :math:`(i, j)` of map :math:`f` (before the
    bias), as in :func:`dlbook.conv.conv2d_forward`.

    Parameters
    ----------
    layer : Conv2d
        The layer (channels, square kernel, stride and padding are read).
    input_size : int or (int, int)
        Height and width of the input.
    position : (int, int)
        The output cell whose column is highlighted (with filter 0).

    Returns
    -------
    Diagram
        Matrix cells are tagged ``"kernels"``, ``"columns"`` and ``"product"``.
    """
    H, W, k, s, p, Ho, Wo, i, j, C, F = _geometry(layer, input_size, position)
    positions, inner = Ho * Wo, k * k * C
    # Narrow enough for a phone's column: the two matrices share about 4 in (see dlbook.diagrams's legibility rule).
    size = min(0.13, 4.0 / (inner + positions), 3.6 / (inner + F))
    x_k = 0.45  # left edge of the kernel matrix
    x_cols = x_k + inner * size + 0.25  # the column matrix and the output share their x
    width = max(x_cols + positions * size + 0.4, 4.6)
    y_out = 0.85 + F * size  # top of the output (and of the kernel matrix)
    height = y_out + 0.5 + inner * size + 0.95
    title = f"im2col: the convolution as one matrix\nproduct ({F}×{inner} · {inner}×{positions})"
    fig, ax = canvas(width, height, title)
    orange, teal, blue, grey = COLORS["kernel"], COLORS["output"], COLORS["blue"], COLORS["input"]
    col = i * Wo + j
    y_cols = y_out + 0.5 + inner * size  # top of the column matrix
    for r in range(inner):  # the column matrix: row r = (channel, u, v), column q = output cell
        c, (u, v) = r // (k * k), divmod(r % (k * k), k)
        for q in range(positions):
            a, b = divmod(q, Wo)
            y, x = a * s + u - p, b * s + v - p
            on_pad = not (0 <= y < H and 0 <= x < W)
            fill = (0.75 if on_pad else 0.35) if q == col else (0.97 if on_pad else 0.8)
            cell(ax, x_cols + q * size, y_cols - (r + 1) * size, size, grey, fill=fill, gid="columns")
    for f in range(F):  # the kernels, one filter per row
        for r in range(inner):
            cell(ax, x_k + r * size, y_out - (f + 1) * size, size, blue, fill=0.35 if f == 0 else 0.85, gid="kernels")
        for q in range(positions):
            on = f == 0 and q == col
            cell(ax, x_cols + q * size, y_out - (f + 1) * size, size, teal, fill=0.2 if on else 0.85, gid="product")
    for c in range(1, C):  # channel blocks of a flattened window
        ax.plot([x_k + c * k * k * size] * 2, [y_out, y_out - F * size], color=INK, lw=0.8, zorder=3)
        y = y_cols - c * k * k * size
        ax.plot([x_cols, x_cols + positions * size], [y, y], color=INK, lw=0.8, zorder=3)
    ax.add_patch(Rectangle((x_k, y_out - size), inner * size, size, fill=False, ec=shade(orange), lw=1.8, zorder=4))
    ax.add_patch(
        Rectangle(
            (x_cols + col * size, y_cols - inner * size),
            size,
            inner * size,
            fill=False,
            ec=shade(orange),
            lw=1.8,
            zorder=4,
        )
    )
    label(ax, x_k - 0.15, y_out + 0.25, f"kernels {F}×{inner}:\nfilter f = one row", ha="left", fontsize=10)
    label(
        ax,
        x_k - 0.15,
        y_cols - inner * size / 2,
        f"columns {inner}×{positions},\none per output\ncell; column {col}\n= the window\nof cell ({i}, {j})"
        f"\n(pale: padding;\n{C} blocks of {k * k},\none a channel)",
        ha="left",
        fontsize=10,
        linespacing=1.2,
    )
    label(
        ax,
        x_cols + positions * size / 2,
        y_out - F * size - 0.3,
        f"output {F}×{positions} = {F} maps of {Ho}×{Wo}",
        fontsize=10,
    )
    return fig


def max_pool_diagram(x: np.ndarray, kernel_size: int = 2, stride: int | None = None) -> Diagram:
    """Max pooling on a small grid, with the numbers: each window tinted, its maximum marked, the output beside.

    Parameters
    ----------
    x : array of shape (H, W)
        The input grid (at most 10 x 10).
    kernel_size : int
        Side of the square window.
    stride : int, optional
        Step between windows (default: ``kernel_size``).

    Returns
    -------
    Diagram
        Input cells are tagged ``"cell"``, output cells ``"out"``; the maxima are rectangles tagged ``"max"``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or not 1 <= min(x.shape) or max(x.shape) > 10:
        raise ValueError(f"x must be a 2-D grid of at most 10 x 10, got shape {x.shape}")
    k = int(kernel_size)
    s = k if stride is None else int(stride)
    if k < 1 or s < 1 or k > min(x.shape):
        raise ValueError(f"kernel_size and stride must be >= 1 and kernel_size <= {min(x.shape)}, got {k}, {s}")
    H, W = x.shape
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    size, m = 0.5, 0.45  # cells wide enough for "-1.23" at 10 pt; margin
    width = max(m + W * size + 0.9 + Wo * size + m, 4.4)
    height = max(H, 3) * size + 1.7
    fig, ax = canvas(width, height, f"Max pooling, {k}×{k} windows, stride {s}")
    top = height - 0.75
    palette = [COLORS["blue"], COLORS["kernel"], COLORS["green"], COLORS["purple"]]
    owner = -np.ones((H, W), dtype=int)
    out = np.zeros((Ho, Wo))
    maxima = []
    for a in range(Ho):
        for b in range(Wo):
            window = x[a * s : a * s + k, b * s : b * s + k]
            r, c = np.unravel_index(np.argmax(window), window.shape)
            out[a, b] = window[r, c]
            maxima.append((a * s + r, b * s + c, (a + b) % 2 + 2 * (a % 2) if s >= k else 0))
            if s >= k:
                owner[a * s : a * s + k, b * s : b * s + k] = (a + b) % 2 + 2 * (a % 2)
    fmt = "{:.0f}" if np.all(x == np.round(x)) and np.abs(x).max() < 1000 else "{:.2f}"
    for r in range(H):
        for c in range(W):
            colour = palette[owner[r, c]] if owner[r, c] >= 0 else COLORS["input"]
            cell(ax, m + c * size, top - (r + 1) * size, size, colour, fill=0.8 if owner[r, c] >= 0 else 0.93)
            label(ax, m + (c + 0.5) * size, top - (r + 0.5) * size, fmt.format(x[r, c]), fontsize=10)
    for r, c, o in maxima:
        ax.add_patch(
            Rectangle(
                (m + c * size + 0.03, top - (r + 1) * size + 0.03),
                size - 0.06,
                size - 0.06,
                fill=False,
                ec=shade(palette[o], 0.35),
                lw=2.0,
                gid="max",
                zorder=4,
            )
        )
    x_out = m + W * size + 0.9
    y_out = top - (H - Ho) * size / 2
    for a in range(Ho):
        for b in range(Wo):
            colour = palette[(a + b) % 2 + 2 * (a % 2)] if s >= k else COLORS["output"]
            cell(ax, x_out + b * size, y_out - (a + 1) * size, size, colour, fill=0.6, gid="out")
            label(
                ax,
                x_out + (b + 0.5) * size,
                y_out - (a + 0.5) * size,
                fmt.format(out[a, b]),
                fontsize=10,
                fontweight="bold",
            )
    label(ax, x_out - 0.45, top - H * size / 2, "→ max →", fontsize=10, color=MUTED)
    label(ax, m + W * size / 2, 0.5, f"input {H}×{W}\nframed: each window's maximum", fontsize=10)
    label(ax, x_out + Wo * size / 2, 0.5, f"output {Ho}×{Wo}", fontsize=10)
    return fig
