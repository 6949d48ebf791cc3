"""Diagrams of feed-forward networks: the MLP, backpropagation's graph, residual and dense blocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes

from dlbook.architectures import DenseBlock
from dlbook.conv import Conv2d, MaxPool2d
from dlbook.diagrams._base import COLORS, MUTED, Diagram, arrow, box, canvas, label, node
from dlbook.layers import Activation, Linear, Module, ResidualBlock, Sequential
from dlbook.mlp import MLP
from dlbook.normalization import BatchNorm, LayerNorm

__all__ = ["backprop_graph", "dense_block_diagram", "describe_module", "mlp_diagram", "residual_block_diagram"]


def _layer_sizes(network: MLP | Sequence[int]) -> list[int]:
    sizes = network.sizes if isinstance(network, MLP) else network
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise TypeError(f"network must be an MLP or a sequence of layer sizes, got {type(network).__name__}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"network must have at least two layer sizes, all >= 1, got {sizes}")
    return sizes


def mlp_diagram(network: MLP | Sequence[int], max_units: int = 6) -> Diagram:
    """The MLP as a graph: one column of units per layer, every unit joined to every unit of the next layer.

    Layers wider than ``max_units`` show their first and last units with a vertical ellipsis between them; each
    column is labelled with its width and each gap with its weight matrix ``W_l`` and bias ``b_l`` and their shapes.

    Parameters
    ----------
    network : MLP or sequence of int
        The network, or its layer sizes ``[input, hidden..., output]``.
    max_units : int
        Most units drawn per layer (at least 3).

    Returns
    -------
    Diagram
        A matplotlib Figure; its units are circles tagged ``"node"``.
    """
    sizes = _layer_sizes(network)
    if int(max_units) < 3:
        raise ValueError(f"max_units must be at least 3, got {max_units}")
    max_units = int(max_units)
    n_layers = len(sizes)
    gap, unit = 1.3, 0.42  # 10-pt labels in about 5.4 in for four layers: legible in a phone's column
    shown = [min(s, max_units) for s in sizes]
    width = max(1.5 + gap * (n_layers - 1), 3.6)
    span = unit * (max(shown) - 1)
    height = 2.35 + span
    fig, ax = canvas(width, height, f"MLP {sizes}")
    top = height - 1.15
    mid = top - span / 2
    columns = []
    for i, (s, k) in enumerate(zip(sizes, shown)):
        x = width / 2 + gap * (i - (n_layers - 1) / 2)
        ys = [mid + unit * ((k - 1) / 2 - j) for j in range(k)]
        if s <= max_units:
            slots = list(zip(range(s), ys))
        else:  # the first units, an ellipsis, the last unit
            label(ax, x, ys[k - 2], "⋮", fontsize=12, color=MUTED)
            slots = list(zip(range(k - 2), ys[: k - 2])) + [(s - 1, ys[-1])]
        columns.append((x, slots))
    colour = [COLORS["input"]] + [COLORS["blue"]] * (n_layers - 2) + [COLORS["output"]]
    for i in range(n_layers - 1):
        (xa, a), (xb, b) = columns[i], columns[i + 1]
        for _, ya in a:
            for _, yb in b:
                ax.plot([xa + 0.13, xb - 0.13], [ya, yb], color=MUTED, lw=0.6, alpha=0.55, zorder=1)
        label(
            ax,
            (xa + xb) / 2,
            0.45,
            f"$W_{{{i + 1}}}$: {sizes[i + 1]}×{sizes[i]}\n$b_{{{i + 1}}}$: {sizes[i + 1]}",
            fontsize=10,
        )
    for i, (x, slots) in enumerate(columns):
        for _, y in slots:
            node(ax, x, y, 0.13, colour[i])
        name = "input" if i == 0 else ("output" if i == n_layers - 1 else f"hidden {i}")
        label(ax, x, height - 0.72, f"{name} ({sizes[i]})", fontsize=10)
    return fig


def backprop_graph(
    model: MLP,
    loss: float | None = None,
    output_name: str | None = None,
    output_values: Sequence[float] | np.ndarray | None = None,
    example: int = 0,
) -> Diagram:
    r"""The computational graph of a small MLP after one forward and one backward pass, with the numbers.

    Drawn top to bottom, one row per layer. Each unit shows its forward values (:math:`z` and
    :math:`h = \phi(z)`, or the input :math:`x`) on its left and its error signal :math:`\delta = \partial L/\partial z`
    on its right; each edge from unit :math:`i` to unit :math:`j`
    carries its local gradient :math:`\partial z_j/\partial h_i = w_{ji}`. With ``loss``, a loss node follows the
    output, reached by the output's :math:`\delta`.

    Parameters
    ----------
    model : MLP
        A network with at most 4 units per layer whose ``forward`` and ``backward`` have run with
        ``keep_deltas=True`` (its ``zs``, ``hs`` and ``deltas`` are read).
    loss : float, optional
        The loss value, drawn as a last node.
    output_name, output_values : str and array of shape (out_features,), optional
        A quantity computed from the output logits (e.g. ``"p"`` and the sigmoid of ``z``), shown on the outputs.
    example : int
        Row of the batch to draw.

    Returns
    -------
    Diagram
        Units are circles tagged ``"node"``, edges arrows tagged ``"arrow"``.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    sizes = model.sizes
    if max(sizes) > 4:
        raise ValueError(f"model must have at most 4 units per layer to be drawn with its numbers, got {sizes}")
    n_layers = len(sizes) - 1
    if len(getattr(model, "zs", [])) != n_layers or len(getattr(model, "deltas", [])) != n_layers:
        raise ValueError("model must have run forward and backward (with keep_deltas=True) before it is drawn")
    if not 0 <= example < model.hs[0].shape[0]:
        raise ValueError(f"example must be a row of the batch (0..{model.hs[0].shape[0] - 1}), got {example}")
    xs, zs = model.hs[0][example], [z[example] for z in model.zs]
    hs, deltas = [h[example] for h in model.hs[1:]], [d[example] for d in model.deltas]
    # Drawn top to bottom (layers as rows) at 10.5 pt within about 5.8 in: legible in a phone's column
    # (dlbook.diagrams). Forward values sit left of a unit, backward values right of it.
    fs, r, col, row = 10.5, 0.2, 2.8, 1.9
    width = max(5.75, col * (max(sizes) - 1) + 2.95)
    cx = width / 2
    n_rows = n_layers + 1 + (loss is not None)
    height = 1.75 + row * (n_rows - 1) + 0.55 - (0.7 if loss is not None else 0.0)
    fig, ax = canvas(width, height, "Backpropagation on the graph")
    top = height - 0.85
    pos = [[(cx + col * (j - (s - 1) / 2), top - row * i) for j in range(s)] for i, s in enumerate(sizes)]
    bg = {"boxstyle": "round,pad=0.06", "fc": "#fbfaf7", "ec": "none"}
    orange = "#b35806"
    for layer in range(n_layers):
        W = model.params[f"W{layer + 1}"]
        for j, (xb, yb) in enumerate(pos[layer + 1]):
            for i, (xa, ya) in enumerate(pos[layer]):
                dx, dy = xb - xa, yb - ya
                n = np.hypot(dx, dy)
                start, end = (xa + r * dx / n, ya + r * dy / n), (xb - r * dx / n, yb - r * dy / n)
                arrow(ax, start, end, color=MUTED, lw=1.0)
                # a straight edge: its labels beside it, on the outer side; a slanted one: along it
                outer = 1 if xa > cx else -1
                side = 0.1 * outer if dx == 0 else 0.0
                ha = ("left" if outer > 0 else "right") if dx == 0 else "center"
                p1, p2 = (0.3, 0.72) if dx == 0 else (0.25, 0.65)
                weight = f"w {W[j, i]:+.2f}"
                label(ax, xa + p1 * dx + side, ya + p1 * dy, weight, fontsize=fs, color=MUTED, bbox=bg, ha=ha)
                label(
                    ax,
                    xa + p2 * dx + side,
                    ya + p2 * dy,
                    f"← {W[j, i] * deltas[layer][j]:+.3f}",
                    fontsize=fs,
                    color=orange,
                    bbox=bg,
                    ha=ha,
                )
    out = COLORS["output"]
    for i, ((x, y), v) in enumerate(zip(pos[0], xs)):
        node(ax, x, y, r, COLORS["input"])
        label(ax, x - r - 0.1, y, f"$x_{{{i + 1}}}$ = {v:.2f}", ha="right", fontsize=fs)
    for layer in range(n_layers):
        last = layer == n_layers - 1
        for j, (x, y) in enumerate(pos[layer + 1]):
            node(ax, x, y, r, out if last else COLORS["blue"])
            above = f"z = {zs[layer][j]:.3f}"
            if not last:
                above += f"\nh = {hs[layer][j]:.3f}"
            elif output_values is not None:
                above += f"\n{output_name or 'out'} = {np.asarray(output_values).ravel()[j]:.3f}"
            label(ax, x - r - 0.1, y, above, ha="right", fontsize=fs, linespacing=1.15)
            below = f"δ = {deltas[layer][j]:.4f}"
            if not last:
                slope = float(model.phi.grad(np.array([zs[layer][j]]))[0])
                label(ax, x + r + 0.1, y - 0.2, f"φ′(z) = {slope:.3f}", ha="left", fontsize=fs, color=MUTED)
            label(ax, x + r + 0.1, y + (0.12 if not last else 0.0), below, ha="left", fontsize=fs, color=orange,
                  fontweight="bold")  # fmt: skip
    if loss is not None:
        lx, ly = cx, pos[-1][0][1] - row + 0.7
        node(ax, lx, ly, r, COLORS["red"], gid="loss")
        label(ax, lx + r + 0.1, ly, f"L = {loss:.4f}", ha="left", fontsize=fs)
        for x, y in pos[-1]:
            dx, dy = lx - x, ly - y
            n = np.hypot(dx, dy)
            arrow(ax, (x + r * dx / n, y + r * dy / n), (lx - r * dx / n, ly - r * dy / n), color=MUTED)
    label(
        ax,
        width / 2,
        0.62,
        "Left of a unit: its forward values; right: δ = ∂L/∂z.\nOn an edge: the local gradient ∂z/∂h = w (grey) and\n"
        "w·δ sent back (orange). A hidden unit's δ is φ′(z) times\nthe sum of what its outgoing edges send back.",
        fontsize=fs,
        color=MUTED,
        linespacing=1.3,
    )
    return fig


def describe_module(module: Module) -> str:
    """A short label for a layer: ``"3×3 conv, 16→16"``, ``"BatchNorm"``, ``"ReLU"``, ``"Linear 64→10"``..."""
    if isinstance(module, Conv2d):
        (kh, kw), (sh, _) = module.kernel_size, module.stride
        text = f"{kh}×{kw} conv, {module.in_channels}→{module.out_channels}"
        return text + (f", stride {sh}" if sh != 1 else "")
    if isinstance(module, BatchNorm):
        return "BatchNorm"
    if isinstance(module, LayerNorm):
        return "LayerNorm"
    if isinstance(module, Activation):
        return {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "gelu": "GELU"}.get(module.name, module.name)
    if isinstance(module, Linear):
        return f"Linear {module.in_features}→{module.out_features}"
    if isinstance(module, MaxPool2d):
        return "max pool"
    return type(module).__name__


def _flatten(module: Module) -> list[Module]:
    if isinstance(module, Sequential):
        return [m for child in module.layers for m in _flatten(child)]
    return [module]


def _residual_parts(block: Module) -> tuple[list[Module], list[Module]]:
    """(body F, layers after the sum) of a ResidualBlock or of a Sequential that starts with one."""
    if isinstance(block, ResidualBlock):
        return _flatten(block.f), []
    if isinstance(block, Sequential) and block.layers and isinstance(block.layers[0], ResidualBlock):
        return _flatten(block.layers[0].f), [m for child in block.layers[1:] for m in _flatten(child)]
    raise TypeError(
        "block must be a ResidualBlock or a Sequential starting with one (e.g. dlbook.architectures.basic_block), "
        f"got {type(block).__name__}"
    )


def _stack(
    ax: Axes, x: float, y0: float, labels: list[str], w: float, h: float, step: float, colours: Callable[[str], str]
) -> list[float]:
    """Boxes from bottom to top at x, joined by arrows; returns the y of each box."""
    ys = [y0 + step * i for i in range(len(labels))]
    for i, (y, text) in enumerate(zip(ys, labels)):
        box(ax, x, y, w, h, text, colours(text), fontsize=10)
        if i:
            arrow(ax, (x, ys[i - 1] + h / 2), (x, y - h / 2))
    return ys


def _layer_colour(text: str) -> str:
    if "conv" in text or "Linear" in text:
        return COLORS["blue"]
    if "Norm" in text:
        return COLORS["purple"]
    return COLORS["green"]


def residual_block_diagram(block: Module) -> Diagram:
    r"""A residual block beside the plain block made of the same layers: :math:`\mathrm{ReLU}(F(x))` and
    :math:`\mathrm{ReLU}(x + F(x))`.

    Parameters
    ----------
    block : ResidualBlock or Sequential
        A :class:`dlbook.layers.ResidualBlock`, or a Sequential that starts with one (such as
        :func:`dlbook.architectures.basic_block`); the layers of its body are read and labelled.

    Returns
    -------
    Diagram
        Layers are boxes tagged ``"box"``; the sum is a node tagged ``"sum"``, the shortcut an arrow tagged
        ``"shortcut"``.
    """
    body, after = _residual_parts(block)
    labels = [describe_module(m) for m in body]
    tail = [describe_module(m) for m in after]
    w, h, step = 1.6, 0.38, 0.62  # 10-pt text within 5.4 in: legible in a phone's column (dlbook.diagrams)
    n = len(labels) + len(tail)
    height = 1.45 + step * (n + 1)
    fig, ax = canvas(5.4, height, None)
    for x, residual in ((1.3, False), (3.75, True)):
        label(ax, x, height - 0.3, "with the shortcut" if residual else "plain", fontsize=10, fontweight="bold")
        y_in = 0.4
        label(ax, x, y_in, "x", fontsize=10, fontstyle="italic")
        ys = _stack(ax, x, y_in + 0.75, labels, w, h, step, _layer_colour)
        arrow(ax, (x, y_in + 0.14), (x, ys[0] - h / 2))
        y = ys[-1]
        if residual:
            ys_sum = y + step
            node(ax, x, ys_sum, 0.16, COLORS["kernel"], "+", gid="sum")
            arrow(ax, (x, y + h / 2), (x, ys_sum - 0.16))
            fork = y_in + 0.42
            side = x + w / 2 + 0.3
            ax.plot([x, side, side], [fork, fork, ys_sum], color=COLORS["kernel"], lw=1.6, zorder=1)
            arrow(ax, (side, ys_sum), (x + 0.16, ys_sum), color=COLORS["kernel"], lw=1.6, gid="shortcut")
            label(ax, side + 0.16, (fork + ys_sum) / 2, "identity shortcut", fontsize=10, rotation=90)
            y, top = ys_sum, 0.16
            label(ax, x - 0.28, ys_sum, "x + F(x)", ha="right", fontsize=10, color=MUTED)
        else:
            top = h / 2
        for text in tail:
            y_next = y + step
            box(ax, x, y_next, w, h, text, _layer_colour(text), fontsize=10)
            arrow(ax, (x, y + top), (x, y_next - h / 2))
            y, top = y_next, h / 2
        arrow(ax, (x, y + top), (x, y + top + 0.3))
        brace_top = ys[-1] + h / 2
        ax.plot([x - w / 2 - 0.12] * 2, [ys[0] - h / 2, brace_top], color=MUTED, lw=1.0)
        label(ax, x - w / 2 - 0.26, (ys[0] + ys[-1]) / 2, "F(x)", fontsize=10, color=MUTED, rotation=90)
    return fig


def dense_block_diagram(block: DenseBlock) -> Diagram:
    r"""A dense block: layer :math:`\ell` reads the concatenation of the input and every earlier layer's output.

    Each layer is drawn as a box with the channels it reads and the ``growth`` channels it adds; an arrow joins
    every feature map to every later layer and to the block's output, with the channel count of each
    concatenation.

    Parameters
    ----------
    block : DenseBlock
        The block (its ``in_channels``, ``growth`` and layers are read).

    Returns
    -------
    Diagram
        Layers and the output are boxes tagged ``"box"``; the connections are arrows tagged ``"arrow"``.
    """
    if not isinstance(block, DenseBlock):
        raise TypeError(f"block must be a DenseBlock, got {type(block).__name__}")
    L, c0, g = len(block.layers), block.in_channels, block.growth
    # Drawn top to bottom (a column fits a phone's width whatever the depth): the boxes in the middle, the channels
    # each layer reads on their left, the concatenation arcs on their right.
    gap, h, w, x_box = 0.95, 0.62, 1.75, 2.25
    peak = [0.2 + 0.2 * k for k in range(L + 1)]  # how far right an arc bulges that skips k layers
    width = max(4.6, x_box + w / 2 + peak[-1] + 0.45)
    top = 0.95 + gap * (L + 1)
    fig, ax = canvas(
        width, top + h / 2 + 0.8, f"Dense block: {L} layers, growth {g}\n{c0} → {block.out_channels} channels"
    )
    ys = [top - gap * i for i in range(L + 2)]
    box(ax, x_box, ys[0], w, h, f"x   {c0} ch", COLORS["input"], fontsize=10)
    for i in range(L):
        inner = " ".join(describe_module(m) for m in _flatten(block.layers[i])[:2])
        box(ax, x_box, ys[i + 1], w, h, f"{inner}\n3×3 conv → {g} ch", COLORS["blue"], fontsize=10)
        label(ax, x_box - w / 2 - 0.12, ys[i + 1], f"reads {c0 + i * g} ch", ha="right", fontsize=10, color=MUTED)
    box(ax, x_box, ys[-1], w, h, f"concat   {block.out_channels} ch", COLORS["output"], fontsize=10)
    right = x_box + w / 2
    for j in range(1, L + 2):  # layer j (L + 1: the output) reads every earlier feature map
        for i in range(j):
            if i == j - 1:
                arrow(ax, (x_box, ys[i] - h / 2), (x_box, ys[j] + h / 2), color=MUTED)
            else:
                start, end = (right, ys[i] - 0.12), (right, ys[j] + 0.12)
                rad = -2 * peak[j - i - 1] / (start[1] - end[1])
                arrow(ax, start, end, color=COLORS["kernel"], lw=1.0, rad=rad)
    label(ax, width / 2, 0.38, "orange: concatenation of earlier maps", fontsize=10, color=MUTED)
    return fig
