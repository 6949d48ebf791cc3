"""Drawing primitives shared by the diagram families: the panel, boxes, nodes, arrows and labels.

Every diagram is drawn on one axes whose data coordinates are inches (so font sizes in points and distances in
inches agree whatever the figure's size), on a light rounded panel: the figure itself is transparent, so the panel
reads the same on the book's light and dark pages and the text on it is always dark on light.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from dlbook.diagrams.figure import Diagram

#: Text on the panel (dark on light in both of the book's modes).
INK = "#1f2933"
#: Secondary text and neutral arrows.
MUTED = "#5b6573"
#: Fill and border of the panel every diagram is drawn on.
PANEL, BORDER = "#fbfaf7", "#c3c8cf"
#: The course's colours (the same as the widgets' and the plots').
COLORS = {
    "input": "#8a8a8a",
    "kernel": "#f28e2b",
    "output": "#17a2a2",
    "blue": "#4e79a7",
    "red": "#e15759",
    "green": "#59a14f",
    "purple": "#b07aa1",
    "brown": "#9c755f",
}


def tint(color: str, amount: float = 0.8) -> tuple[float, float, float]:
    """``color`` mixed with white (``amount`` = 1 is white): the light fills of boxes."""
    rgb = np.array(mcolors.to_rgb(color))
    return tuple(rgb + (1.0 - rgb) * amount)  # type: ignore[return-value]


def shade(color: str, amount: float = 0.25) -> tuple[float, float, float]:
    """``color`` mixed with black (``amount`` = 1 is black): the edges of boxes."""
    rgb = np.array(mcolors.to_rgb(color))
    return tuple(rgb * (1.0 - amount))  # type: ignore[return-value]


def canvas(width: float, height: float, title: str | None = None) -> tuple[Diagram, Axes]:
    """A new diagram of ``width`` x ``height`` inches: one axes in inch coordinates on a rounded light panel."""
    fig = Diagram(figsize=(width, height), dpi=100)
    fig.set_layout_engine("none")  # an explicit no-layout engine: the chapters' autolayout would warn on every save
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(
        FancyBboxPatch(
            (0.03, 0.03),
            width - 0.06,
            height - 0.06,
            boxstyle="round,pad=0,rounding_size=0.14",
            facecolor=PANEL,
            edgecolor=BORDER,
            linewidth=1.0,
            gid="panel",
            zorder=0,
        )
    )
    if title:
        ax.text(width / 2, height - 0.16, title, ha="center", va="top", fontsize=11, fontweight="bold", color=INK)
    return fig, ax


def label(ax: Axes, x: float, y: float, text: str, **kwargs) -> None:
    """Text at ``(x, y)`` (centred, dark, 9 pt unless told otherwise)."""
    options = {"ha": "center", "va": "center", "fontsize": 9, "color": INK, "zorder": 5}
    options.update(kwargs)
    ax.text(x, y, text, **options)


def box(
    ax: Axes,
    x: float,
    y: float,
    w: float,
    h: float,
    text: str = "",
    color: str = COLORS["blue"],
    fontsize: float = 9,
    gid: str = "box",
    fill: float = 0.8,
    dashed: bool = False,
) -> FancyBboxPatch:
    """A rounded box centred at ``(x, y)`` of size ``w`` x ``h`` with ``text`` in it."""
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle=f"round,pad=0,rounding_size={min(0.08, w / 4, h / 4)}",
        facecolor=tint(color, fill),
        edgecolor=shade(color),
        linewidth=1.2,
        linestyle="--" if dashed else "-",
        gid=gid,
        zorder=2,
    )
    ax.add_patch(patch)
    if text:
        label(ax, x, y, text, fontsize=fontsize)
    return patch


def node(ax: Axes, x: float, y: float, r: float, color: str, text: str = "", gid: str = "node") -> Circle:
    """A circle of radius ``r`` at ``(x, y)`` (a unit of a network, or an operation such as + or x)."""
    patch = Circle((x, y), r, facecolor=tint(color, 0.55), edgecolor=shade(color), linewidth=1.2, gid=gid, zorder=3)
    ax.add_patch(patch)
    if text:
        label(ax, x, y, text, fontsize=10)
    return patch


def cell(
    ax: Axes, x: float, y: float, size: float, color: str, fill: float = 0.85, gid: str = "cell", edge: str = MUTED
) -> Rectangle:
    """A square grid cell with lower-left corner ``(x, y)``."""
    patch = Rectangle((x, y), size, size, facecolor=tint(color, fill), edgecolor=edge, linewidth=0.6, gid=gid, zorder=2)
    ax.add_patch(patch)
    return patch


def arrow(
    ax: Axes,
    start: Sequence[float],
    end: Sequence[float],
    color: str = MUTED,
    lw: float = 1.2,
    rad: float = 0.0,
    style: str = "-|>",
    gid: str = "arrow",
    dashed: bool = False,
    zorder: float = 1,
) -> FancyArrowPatch:
    """An arrow from ``start`` to ``end`` (curved by ``rad``; ``style="-"`` for a plain line)."""
    patch = FancyArrowPatch(
        tuple(start),
        tuple(end),
        arrowstyle=style,
        mutation_scale=9,
        connectionstyle=f"arc3,rad={rad}",
        color=color,
        linewidth=lw,
        linestyle="--" if dashed else "-",
        shrinkA=0,
        shrinkB=0,
        gid=gid,
        zorder=zorder,
    )
    ax.add_patch(patch)
    return patch


def polyline(ax: Axes, points: Sequence[Sequence[float]], color: str = MUTED, lw: float = 1.2, gid: str = "arrow"):
    """A path through ``points`` ending in an arrow head (lines drawn plain, the last segment with the head)."""
    pts = [tuple(p) for p in points]
    for a, b in zip(pts[:-2], pts[1:-1]):
        ax.plot([a[0], b[0]], [a[1], b[1]], color=color, lw=lw, solid_capstyle="round", zorder=1)
    return arrow(ax, pts[-2], pts[-1], color=color, lw=lw, gid=gid)
