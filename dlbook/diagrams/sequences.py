"""Diagrams of sequence models: the unrolled RNN, the LSTM cell, attention, the Transformer block, seq2seq."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from dlbook.attention import MultiHeadAttention, TransformerBlock
from dlbook.diagrams._base import COLORS, INK, MUTED, Diagram, arrow, box, canvas, cell, label, node, shade
from dlbook.language_models import Seq2SeqAttention
from dlbook.rnn import LSTM, RNN

__all__ = [
    "attention_diagram",
    "lstm_cell_diagram",
    "multi_head_attention_diagram",
    "rnn_unrolled_diagram",
    "seq2seq_attention_diagram",
    "transformer_block_diagram",
]


def _check_count(value: int, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return int(value)


def rnn_unrolled_diagram(rnn: RNN | LSTM, steps: int = 4) -> Diagram:
    r"""A recurrent layer unrolled through time: the same weights :math:`W_{xh}`, :math:`W_{hh}`, :math:`b_h` at
    every step, drawn in one colour each and labelled once with their shapes.

    Parameters
    ----------
    rnn : RNN or LSTM
        The layer (its ``input_size`` :math:`D` and ``hidden_size`` :math:`H` are read; an LSTM carries
        :math:`(h_t, c_t)` from step to step).
    steps : int
        Time steps drawn (2 to 8).

    Returns
    -------
    Diagram
        The step cells are boxes tagged ``"step"``; the recurrent arrows are tagged ``"recurrent"``, the input
        arrows ``"input"``.
    """
    if not isinstance(rnn, (RNN, LSTM)):
        raise TypeError(f"rnn must be an RNN or an LSTM, got {type(rnn).__name__}")
    T = _check_count(steps, "steps", 2, 8)
    D, H = rnn.input_size, rnn.hidden_size
    lstm = isinstance(rnn, LSTM)
    gap, bw = 0.95, 0.66  # 10-pt text in about 5.5 in for four steps: legible in a phone's column
    width = 1.3 + gap * T + 0.4
    fig, ax = canvas(width, 3.8, f"{type(rnn).__name__}({D}, {H}) unrolled over {T} steps")
    y, orange, blue = 2.0, COLORS["kernel"], COLORS["blue"]
    state = "h, c" if lstm else "h"
    label(ax, 0.45, y + 0.42, f"$h_0${', $c_0$' if lstm else ''} = 0", ha="left", fontsize=10)
    prev = 0.45
    for t in range(T):
        x = 1.3 + gap * t
        box(ax, x, y, bw, 0.55, f"{'LSTM' if lstm else 'tanh'}\n$h_{{{t + 1}}}$", blue, fontsize=10, gid="step")
        arrow(ax, (prev, y), (x - bw / 2, y), color=orange, lw=1.8, gid="recurrent")
        if t:
            label(ax, (prev + x - bw / 2) / 2, y + 0.42, "$W_{hh}$", fontsize=10, color=shade(orange, 0.35))
        arrow(ax, (x, 1.0), (x, y - 0.275), color=COLORS["green"], lw=1.5, gid="input")
        label(ax, x, 0.85, f"$x_{{{t + 1}}}$", fontsize=10)
        label(ax, x + 0.08, 1.35, "$W_{xh}$", fontsize=10, color=shade(COLORS["green"], 0.35), ha="left")
        arrow(ax, (x, y + 0.275), (x, 2.85), color=MUTED, lw=1.0)
        label(ax, x, 2.97, f"$h_{{{t + 1}}}$", fontsize=10)
        prev = x + bw / 2
    arrow(ax, (prev, y), (prev + 0.3, y), color=orange, lw=1.8, gid="recurrent")
    label(ax, prev + 0.15, y + 0.42, "$W_{hh}$", fontsize=10, color=shade(orange, 0.35))
    shapes = f"$W_{{xh}}$: {'4H' if lstm else 'H'}×D = {4 * H if lstm else H}×{D},  "
    shapes += f"$W_{{hh}}$: {'4H' if lstm else 'H'}×H = {4 * H if lstm else H}×{H},  b: {4 * H if lstm else H}"
    label(
        ax,
        width / 2,
        0.38,
        f"one set of weights shared by every step\n({state} carried along):  " + shapes,
        fontsize=10,
        color=MUTED,
        linespacing=1.3,
    )
    return fig


def lstm_cell_diagram(lstm: LSTM) -> Diagram:
    r"""The LSTM cell: the forget, input and output gates, the candidate :math:`g_t` and the cell-state path
    :math:`c_{t-1} \to c_t` on which the only operations are a product with :math:`f_t` and a sum.

    Parameters
    ----------
    lstm : LSTM
        The layer (its ``input_size`` and ``hidden_size`` give the shapes of the labels).

    Returns
    -------
    Diagram
        The three gates and the candidate are boxes tagged ``"gate"``; the cell-state path is an arrow tagged
        ``"cell-path"``.
    """
    if not isinstance(lstm, LSTM):
        raise TypeError(f"lstm must be an LSTM, got {type(lstm).__name__}")
    D, H = lstm.input_size, lstm.hidden_size

    # Laid out on a 7.6 x 4.9 grid, drawn 0.76 times as wide (5.5 in, 10-pt text: legible in a phone's column)
    # and 0.3 in higher to leave room for the key.
    def X(x: float) -> float:
        return 0.25 + (x - 0.55) * 0.76

    def Y(y: float) -> float:
        return y + 0.3

    fig, ax = canvas(5.5, 5.2, f"LSTM cell: input size D = {D}\nhidden size H = {H}")
    orange, teal, blue, green = COLORS["kernel"], COLORS["output"], COLORS["blue"], COLORS["green"]
    yc, yg, yb = Y(3.6), Y(2.35), Y(1.35)
    # the cell-state path
    arrow(ax, (X(0.55), yc), (X(7.05), yc), color=shade(orange), lw=2.6, gid="cell-path")
    label(ax, X(0.55), yc + 0.25, "$c_{t-1}$", ha="left", fontsize=10)
    label(ax, X(7.05), yc + 0.25, "$c_t$", ha="right", fontsize=10)
    label(ax, X(3.0), yc + 0.3, "cell state: only ×f and +", fontsize=10, color=shade(orange, 0.4))
    node(ax, X(2.0), yc, 0.17, orange, "×", gid="op")
    node(ax, X(4.0), yc, 0.17, orange, "+", gid="op")
    # the hidden state and the input join into [h_{t-1}, x_t]
    arrow(ax, (X(0.55), yb), (X(1.2), yb), color=MUTED, lw=1.4)
    label(ax, X(0.55), yb - 0.25, "$h_{t-1}$", ha="left", fontsize=10)
    arrow(ax, (X(1.2), Y(0.45)), (X(1.2), yb), color=MUTED, lw=1.4)
    label(ax, X(1.35), Y(0.5), "$x_t$", ha="left", fontsize=10)
    ax.plot([X(1.2), X(5.25)], [yb, yb], color=MUTED, lw=1.4, zorder=1)
    label(ax, X(1.55), yb - 0.22, f"$[h_{{t-1}}, x_t]$ ({H + D})", ha="left", fontsize=10, color=MUTED)
    gates = [
        (2.0, "$f_t$  σ", "forget", blue),
        (3.0, "$i_t$  σ", "input", blue),
        (4.0, "$g_t$", "tanh", green),  # the candidate (named in the key)
        (5.25, "$o_t$  σ", "output", blue),
    ]
    for x, text, name, colour in gates:
        arrow(ax, (X(x), yb), (X(x), yg - 0.28), color=MUTED, lw=1.2)
        box(ax, X(x), yg, 0.68, 0.56, f"{text}\n{name}", colour, fontsize=10, gid="gate")
    arrow(ax, (X(2.0), yg + 0.28), (X(2.0), yc - 0.17), color=MUTED, lw=1.2)  # f_t * c_{t-1}
    node(ax, X(3.5), Y(3.0), 0.15, orange, "×", gid="op")  # i_t * g_t
    arrow(ax, (X(3.0), yg + 0.28), (X(3.5) - 0.1, Y(3.0) - 0.1), color=MUTED, lw=1.2)
    arrow(ax, (X(4.0), yg + 0.28), (X(3.5) + 0.1, Y(3.0) - 0.1), color=MUTED, lw=1.2)
    arrow(ax, (X(3.5) + 0.1, Y(3.0) + 0.1), (X(4.0) - 0.1, yc - 0.13), color=MUTED, lw=1.2)
    # h_t = o_t * tanh(c_t)
    box(ax, X(6.2), Y(3.0), 0.6, 0.34, "tanh", teal, fontsize=10)
    arrow(ax, (X(6.2), yc), (X(6.2), Y(3.0) + 0.17), color=MUTED, lw=1.2)
    node(ax, X(6.2), yg, 0.15, orange, "×", gid="op")
    arrow(ax, (X(6.2), Y(3.0) - 0.17), (X(6.2), yg + 0.15), color=MUTED, lw=1.2)
    arrow(ax, (X(5.25) + 0.34, yg), (X(6.2) - 0.15, yg), color=MUTED, lw=1.2)
    ax.plot([X(6.2), X(6.2)], [yg - 0.15, yb], color=MUTED, lw=1.4, zorder=1)
    arrow(ax, (X(6.2), yb), (X(7.05), yb), color=MUTED, lw=1.4)
    label(ax, X(7.05), yb - 0.25, "$h_t$", ha="right", fontsize=10)
    label(
        ax,
        2.75,
        0.42,
        f"$g_t$: the candidate. Each gate: $W$ of shape H×(H+D)\n"
        f"= {H}×{H + D} and a bias of {H}; σ gates lie in (0, 1)",
        fontsize=10,
        color=MUTED,
        linespacing=1.3,
    )
    return fig


def _flow(ax: Axes, x: float, ys: Sequence[float], items: Sequence[tuple[str, str]], w: float, h: float) -> None:
    for k, (y, (text, colour)) in enumerate(zip(ys, items)):
        box(ax, x, y, w, h, text, colour, fontsize=10)
        if k:
            arrow(ax, (x, ys[k - 1] + h / 2), (x, y - h / 2))


def attention_diagram(
    num_queries: int,
    num_keys: int,
    d_k: int,
    d_v: int | None = None,
    causal: bool = False,
    weights: np.ndarray | None = None,
) -> Diagram:
    r"""Scaled dot-product attention, :math:`\mathrm{softmax}(QK^\top/\sqrt{d_k})\,V`, with every shape, and the
    :math:`n \times m` weight matrix it forms (zeros above the diagonal when ``causal``).

    Parameters
    ----------
    num_queries, num_keys : int
        :math:`n` queries and :math:`m` keys/values (1 to 16).
    d_k, d_v : int
        Width of queries and keys, and of values (default ``d_k``).
    causal : bool
        Whether query :math:`i` may attend only to keys :math:`j \le i` (needs ``num_queries == num_keys``).
    weights : array of shape (num_queries, num_keys), optional
        Attention weights to show (for example ``cache[0]`` of
        :func:`~dlbook.attention.scaled_dot_product_attention`); by default an illustrative random matrix, labelled
        as such.

    Returns
    -------
    Diagram
        Steps are boxes tagged ``"box"``; the weight matrix's cells are tagged ``"weight"``.
    """
    n, m = _check_count(num_queries, "num_queries", 1, 16), _check_count(num_keys, "num_keys", 1, 16)
    d_k = _check_count(d_k, "d_k", 1, 100000)
    d_v = d_k if d_v is None else _check_count(d_v, "d_v", 1, 100000)
    if causal and n != m:
        raise ValueError(f"causal attention needs num_queries == num_keys, got {n} and {m}")
    if weights is not None:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (n, m) or not np.all(np.isfinite(weights)) or weights.min() < 0:
            raise ValueError(f"weights must be a finite non-negative array of shape ({n}, {m}), got {weights.shape}")
    steps = [(f"$QK^\\top$   {n}×{m}", COLORS["blue"]), (f"÷ √{d_k}", COLORS["blue"])]
    if causal:
        steps.append(("mask: −∞ above diagonal", COLORS["red"]))
    steps += [("softmax over each row", COLORS["kernel"])]
    # 5.25 in wide, 10-pt text: legible in a phone's column (dlbook.diagrams's rule).
    x0, w, h, xv = 1.4, 2.0, 0.46, 3.25
    ys = [1.5 + 0.72 * k for k in range(len(steps))]
    y_out = ys[-1] + 0.9
    fig, ax = canvas(5.25, y_out + 1.35, "Scaled dot-product attention")
    orange, teal, grey = COLORS["kernel"], COLORS["output"], COLORS["input"]
    for x, text in ((0.85, f"Q\n{n}×{d_k}"), (1.95, f"K\n{m}×{d_k}"), (xv, f"V\n{m}×{d_v}")):
        box(ax, x, 0.6, 0.9, 0.55, text, grey, fontsize=10)
    _flow(ax, x0, ys, steps, w, h)
    arrow(ax, (0.85, 0.875), (x0 - 0.4, ys[0] - h / 2))
    arrow(ax, (1.95, 0.875), (x0 + 0.4, ys[0] - h / 2))
    box(ax, xv, y_out, 1.6, h, f"weights · V   {n}×{d_v}", teal, fontsize=10)
    ax.plot([x0, x0], [ys[-1] + h / 2, y_out], color=MUTED, lw=1.2, zorder=1)
    arrow(ax, (x0, y_out), (xv - 0.8, y_out))
    arrow(ax, (xv, 0.875), (xv, y_out - h / 2))
    arrow(ax, (xv, y_out + h / 2), (xv, y_out + 0.45))
    label(ax, xv, y_out + 0.6, f"output {n}×{d_v}", fontsize=10)
    # the weight matrix, right of V's path
    size = min(0.16, 1.2 / max(n, m))
    gx, gy = 4.45 - m * size / 2, ys[-1] - 0.3
    shown = "the weights"
    if weights is None:
        weights = np.random.default_rng(0).random((n, m)) ** 3
        if causal:
            weights = np.tril(weights)
        weights /= weights.sum(axis=1, keepdims=True)
        shown = "the weights\n(illustration)"
    top = max(float(weights.max()), 1e-12)
    for i in range(n):
        for j in range(m):
            fill = 0.97 if weights[i, j] == 0 else 0.85 - 0.75 * weights[i, j] / top
            cell(ax, gx + j * size, gy - (i + 1) * size, size, orange, fill=fill, gid="weight")
    label(ax, 4.45, gy + 0.1, f"{shown}\n{n}×{m}, each row\nsums to 1", va="bottom", fontsize=10, color=MUTED)
    return fig


def multi_head_attention_diagram(mha: MultiHeadAttention, seq_len: int = 8) -> Diagram:
    r"""Multi-head attention with the shapes of a :class:`~dlbook.attention.MultiHeadAttention`: one projection to
    queries, keys and values, :math:`h` heads of width :math:`d_k = d/h` side by side, concatenation and
    :math:`W_O`.

    Parameters
    ----------
    mha : MultiHeadAttention
        The layer (``d_model``, ``num_heads`` and ``causal`` are read).
    seq_len : int
        Sequence length :math:`T` used in the shape labels.

    Returns
    -------
    Diagram
        The heads are boxes tagged ``"head"`` (at most 8 drawn).
    """
    if not isinstance(mha, MultiHeadAttention):
        raise TypeError(f"mha must be a MultiHeadAttention, got {type(mha).__name__}")
    T = _check_count(seq_len, "seq_len", 1, 100000)
    d, h = mha.d_model, mha.num_heads
    dk = d // h
    drawn = min(h, 8)
    step = min(0.9, 5.0 / drawn)  # head spacing: 8 heads in 5 in, 10-pt text: legible in a phone's column
    width = max(4.8, 0.25 + step * drawn + 0.25)
    fig, ax = canvas(width, 5.55, f"Multi-head attention\nd = {d}, h = {h} heads of d_k = {dk}")
    cx = width / 2
    grey, blue, orange, teal = COLORS["input"], COLORS["blue"], COLORS["kernel"], COLORS["output"]
    box(ax, cx, 0.5, 1.5, 0.4, f"x   {T}×{d}", grey, fontsize=10)
    box(ax, cx, 1.3, 3.1, 0.58, f"one Linear $W_{{QKV}}$ ({3 * d}×{d})\nQ, K, V each {T}×{d}", blue, fontsize=10)
    arrow(ax, (cx, 0.7), (cx, 1.01))
    causal = ", causal" if mha.causal else ""
    label(
        ax,
        cx,
        1.95,
        f"split into {h} heads of width {dk}{causal}",
        fontsize=10,
        color=MUTED,
        bbox={"boxstyle": "round,pad=0.15", "fc": "#fbfaf7", "ec": "none"},
    )
    xs = [cx + step * (k - (drawn - 1) / 2) for k in range(drawn)]
    for k, x in enumerate(xs):
        name = f"head {k + 1}" if (h <= 8 or k < 7) else f"head {h}"
        arrow(ax, (cx + (x - cx) * 0.3, 1.59), (x, 2.4), color=MUTED, lw=0.9)
        box(ax, x, 2.75, step - 0.08, 0.7, f"{name}\n{T}×{dk}", orange, fontsize=10, gid="head")
        arrow(ax, (x, 3.1), (cx + (x - cx) * 0.3, 3.56), color=MUTED, lw=0.9)
    if h > 8:
        label(ax, (xs[-2] + xs[-1]) / 2, 2.75, "…", fontsize=12, color=MUTED)
    box(ax, cx, 3.85, 3.1, 0.58, f"concatenate: {T}×{d}\nthen $W_O$ ({d}×{d})", teal, fontsize=10)
    arrow(ax, (cx, 4.14), (cx, 4.5))
    label(ax, cx, 4.68, f"output {T}×{d}   ({mha.num_parameters()} parameters)", fontsize=10)
    return fig


def _block_column(ax: Axes, x: float, pre: bool, d: int, heads: int, d_ff: int) -> None:
    """One Transformer block, bottom to top, with its two residual paths."""
    purple, orange, blue, green = COLORS["purple"], COLORS["kernel"], COLORS["blue"], COLORS["green"]
    w, h = 1.75, 0.48
    label(ax, x, 0.45, f"x  (T×{d})", fontsize=10)
    y = 0.62
    for sub, colour in ((f"multi-head attention\n{heads} heads", orange), (f"FFN {d}→{d_ff}→{d}", blue)):
        fork = y + 0.2
        layers = ["LayerNorm", sub] if pre else [sub]
        ys = [fork + 0.48 + 0.68 * k for k in range(len(layers))]
        arrow(ax, (x, y), (x, ys[0] - h / 2))
        for k, text in enumerate(layers):
            box(ax, x, ys[k], w, h, text, purple if text == "LayerNorm" else colour, fontsize=10)
            if k:
                arrow(ax, (x, ys[k - 1] + h / 2), (x, ys[k] - h / 2))
        y_sum = ys[-1] + 0.6
        node(ax, x, y_sum, 0.14, green, "+", gid="sum")
        arrow(ax, (x, ys[-1] + h / 2), (x, y_sum - 0.14))
        side = x + w / 2 + 0.25
        ax.plot([x, side, side], [fork, fork, y_sum], color=shade(green), lw=1.5, zorder=1)
        arrow(ax, (side, y_sum), (x + 0.14, y_sum), color=shade(green), lw=1.5, gid="residual")
        y = y_sum + 0.14
        if not pre:
            box(ax, x, y + 0.48, w, h, "LayerNorm", purple, fontsize=10)
            arrow(ax, (x, y), (x, y + 0.48 - h / 2))
            y = y + 0.48 + h / 2
    arrow(ax, (x, y), (x, y + 0.3))
    label(ax, x, y + 0.43, f"out  (T×{d})", fontsize=10)


def transformer_block_diagram(block: TransformerBlock) -> Diagram:
    r"""The Transformer block as post-LN and as pre-LN side by side, with the sizes of ``block``; the variant the
    block computes (``block.norm_first``) is marked.

    Post-LN: :math:`y = \mathrm{LN}(x + \mathrm{MHA}(x))`, :math:`z = \mathrm{LN}(y + \mathrm{FFN}(y))`; pre-LN:
    :math:`y = x + \mathrm{MHA}(\mathrm{LN}(x))`, :math:`z = y + \mathrm{FFN}(\mathrm{LN}(y))` (the residual stream
    is a plain sum).

    Parameters
    ----------
    block : TransformerBlock
        The block (``d_model``, ``num_heads``, the feed-forward width and ``norm_first`` are read).

    Returns
    -------
    Diagram
        The residual connections are arrows tagged ``"residual"`` (two per variant).
    """
    if not isinstance(block, TransformerBlock):
        raise TypeError(f"block must be a TransformerBlock, got {type(block).__name__}")
    d, heads, d_ff = block.attn.d_model, block.attn.num_heads, block.ffn.d_ff
    fig, ax = canvas(5.3, 6.55, None)  # narrow enough for a phone's column at 10 pt (dlbook.diagrams)
    for x, pre in ((1.35, False), (3.95, True)):
        mine = block.norm_first == pre
        title = ("pre-LN" if pre else "post-LN") + (" (this block)" if mine else "")
        label(ax, x, 6.27, title, fontsize=10.5, fontweight="bold", color=INK if mine else MUTED)
        _block_column(ax, x, pre, d, heads, d_ff)
    label(ax, 2.65, 5.95, "residual stream: green", fontsize=10, color=MUTED)
    return fig


def seq2seq_attention_diagram(
    model: Seq2SeqAttention,
    source: Sequence[object] | np.ndarray | None = None,
    outputs: Sequence[object] | np.ndarray | None = None,
    alignment: np.ndarray | None = None,
    step: int = 0,
) -> Diagram:
    r"""The encoder-decoder with additive (Bahdanau) attention: at output step :math:`i` the decoder state
    :math:`s_i` scores every encoder state :math:`h_j`, the weights :math:`\alpha_{ij}` average them into the
    context :math:`c_i`, and :math:`[s_i; c_i]` is read out by a linear layer.

    Parameters
    ----------
    model : Seq2SeqAttention
        The model (its hidden size, attention width and vocabulary sizes label the boxes).
    source, outputs : sequences, optional
        Source tokens (:math:`S` of them, 2 to 12; default 5 placeholders) and output tokens (default as many
        placeholders as source tokens).
    alignment : array of shape (len(outputs), len(source)), optional
        Attention weights (such as ``model.alignment[0]``): the lines to the encoder states get widths and labels
        from row ``step``.
    step : int
        The output step whose attention is drawn.

    Returns
    -------
    Diagram
        Encoder and decoder cells are boxes tagged ``"encoder"`` and ``"decoder"``; the attention lines are
        tagged ``"attend"``.
    """
    if not isinstance(model, Seq2SeqAttention):
        raise TypeError(f"model must be a Seq2SeqAttention, got {type(model).__name__}")
    src = [f"x{j + 1}" for j in range(5)] if source is None else [str(t) for t in np.asarray(source).ravel()]
    S = _check_count(len(src), "len(source)", 2, 12)
    out = [f"y{i + 1}" for i in range(S)] if outputs is None else [str(t) for t in np.asarray(outputs).ravel()]
    Tn = _check_count(len(out), "len(outputs)", 1, 12)
    i_star = _check_count(step, "step", 0, Tn - 1)
    if alignment is not None:
        alignment = np.asarray(alignment, dtype=float)
        if alignment.shape != (Tn, S):
            raise ValueError(f"alignment must have shape ({Tn}, {S}), got {alignment.shape}")
    H, A = model.encoder.hidden_size, model.attention.attn_dim
    # Two rows, to fit a phone's column at 10 pt (dlbook.diagrams): the encoder along the bottom, the attention above
    # its left half, the decoder steps above its right half.
    drawn = min(Tn, max(i_star + 1, 3))  # decoder steps drawn; the rest is an ellipsis
    gap = 0.5
    x_enc = [0.45 + gap * j for j in range(S)]
    width = max(5.2, x_enc[-1] + 0.45)
    x_dec = [width - 0.2 - 0.62 * (drawn - i) - (0.3 if drawn < Tn else 0.0) for i in range(drawn)]
    fig, ax = canvas(width, 5.85, "Encoder-decoder with additive attention")
    blue, teal, orange, grey = COLORS["blue"], COLORS["output"], COLORS["kernel"], COLORS["input"]
    y_enc, y_att, y_dec, y_lin = 1.5, 2.85, 3.7, 4.7
    cw, ch = 0.42, 0.42
    for j, x in enumerate(x_enc):
        box(ax, x, y_enc, cw, ch, f"$h_{{{j + 1}}}$", blue, fontsize=10, gid="encoder")
        arrow(ax, (x, 0.97), (x, y_enc - ch / 2), lw=1.0)
        label(ax, x, 0.85, src[j], fontsize=10)
        if j:
            arrow(ax, (x_enc[j - 1] + cw / 2, y_enc), (x - cw / 2, y_enc), lw=1.0)
    xa, wa = 1.4, 2.1
    box(
        ax,
        xa,
        y_att,
        wa,
        0.62,
        f"additive attention ({A})\n$c_{{{i_star + 1}}} = \\sum_j \\alpha_{{{i_star + 1}j}} h_j$",
        orange,
        fontsize=10,
    )
    for j, x in enumerate(x_enc):
        a = None if alignment is None else alignment[i_star, j]
        lw = 1.0 if a is None else 0.4 + 4.0 * a
        reach = xa + (j - (S - 1) / 2) / max(S - 1, 1) * (wa - 0.4)
        arrow(ax, (x, y_enc + ch / 2), (reach, y_att - 0.31), color=shade(orange), lw=lw, style="-", gid="attend")
        if a is not None and a >= 0.05:
            label(ax, x, y_enc + ch / 2 + 0.16, f"{a:.2f}", fontsize=10, color=shade(orange, 0.4))
    for i, x in enumerate(x_dec):
        box(ax, x, y_dec, cw, ch, f"$s_{{{i + 1}}}$", teal, fontsize=10, gid="decoder")
        prev = "<s>" if i == 0 else out[i - 1]
        label(ax, x, y_dec - 0.52, prev, fontsize=10)
        arrow(ax, (x, y_dec - 0.4), (x, y_dec - ch / 2), lw=1.0)
        if i:
            arrow(ax, (x_dec[i - 1] + cw / 2, y_dec), (x - cw / 2, y_dec), lw=1.0)
        box(ax, x, y_lin, 0.5, 0.34, "Lin", grey, fontsize=10)
        arrow(ax, (x, y_dec + ch / 2), (x, y_lin - 0.17), lw=1.0)
        arrow(ax, (x, y_lin + 0.17), (x, y_lin + 0.42), lw=1.0)
        label(ax, x, y_lin + 0.55, out[i], fontsize=10, fontweight="bold" if i == i_star else "normal")
    if drawn < Tn:
        label(ax, x_dec[-1] + 0.5, y_dec, "…", fontsize=12, color=MUTED)
    xs = x_dec[i_star]
    arrow(ax, (xs - cw / 2, y_dec), (xa + wa / 2 - 0.25, y_att + 0.31), color=shade(teal), lw=1.2)
    label(ax, xa + 0.15, y_dec + 0.05, f"query $s_{{{i_star + 1}}}$", ha="left", fontsize=10, color=shade(teal))
    ax.plot([xa, xa, xs - 0.45], [y_att + 0.31, y_lin, y_lin], color=shade(orange), lw=1.2, zorder=1)
    arrow(ax, (xs - 0.45, y_lin), (xs - 0.25, y_lin), color=shade(orange), lw=1.2)
    label(ax, xa, y_lin + 0.2, f"context $c_{{{i_star + 1}}}$", fontsize=10, color=shade(orange))
    steps = f"; {Tn} steps" if drawn < Tn else ""
    label(
        ax,
        width / 2,
        0.38,
        f"encoder and decoder: LSTMs, hidden {H}; $s_0 = h_{{{S}}}$\n"
        f"Lin: [s; c] ({2 * H}) → {model.out.out_features} logits{steps}",
        fontsize=10,
        color=MUTED,
        linespacing=1.3,
    )
    return fig
