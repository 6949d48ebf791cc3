"""Every diagram of dlbook.diagrams drawn from two different objects: what it draws follows the object."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from dlbook import diagrams as D
from dlbook import losses
from dlbook.architectures import DenseBlock, basic_block
from dlbook.attention import MultiHeadAttention, TransformerBlock
from dlbook.conv import Conv2d
from dlbook.language_models import Seq2SeqAttention
from dlbook.layers import Activation, Linear, ResidualBlock, Sequential
from dlbook.mlp import MLP
from dlbook.rnn import LSTM, RNN


def rendered(fig):
    """The diagram as SVG and 2x PNG: both non-empty, the PNG twice the figure's pixel size."""
    svg, png = fig._repr_svg_(), fig._repr_png_()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert abs(width - 2 * fig.dpi * fig.get_figwidth()) <= 1
    assert D.count(fig, "panel") == 1
    return fig


def joined(fig):
    return "\n".join(D.texts(fig))


@pytest.mark.parametrize(("sizes", "units"), [([2, 64, 2], 2 + 6 - 1 + 2), ([3, 5, 4, 1], 3 + 5 + 4 + 1)])
def test_mlp_diagram_draws_units_and_one_weight_label_per_layer(sizes, units):
    fig = rendered(D.mlp_diagram(MLP(sizes, rng=0)))
    assert D.count(fig, "node") == units  # a layer wider than 6 shows 5 units and an ellipsis
    text = joined(fig)
    for layer in range(1, len(sizes)):
        assert f"$W_{{{layer}}}$: {sizes[layer]}×{sizes[layer - 1]}" in text
        assert f"$b_{{{layer}}}$: {sizes[layer]}" in text
    assert ("⋮" in text) == (max(sizes) > 6)
    assert D.count(D.mlp_diagram(sizes), "node") == units  # the sizes alone give the same picture


def test_mlp_diagram_rejects_bad_input():
    with pytest.raises(ValueError, match="network"):
        D.mlp_diagram([3])
    with pytest.raises(TypeError, match="network"):
        D.mlp_diagram("abc")
    with pytest.raises(ValueError, match="max_units"):
        D.mlp_diagram([2, 3], max_units=2)


def _ran(sizes, seed):
    model = MLP(sizes, activation="tanh", rng=seed)
    x = np.random.default_rng(seed).standard_normal((3, sizes[0]))
    z = model.forward(x)
    loss, dz = losses.binary_cross_entropy(z[:, 0], np.array([1, 0, 1]))
    model.backward(np.repeat(dz[:, None], sizes[-1], axis=1) if sizes[-1] > 1 else dz[:, None])
    return model, loss


@pytest.mark.parametrize("sizes", [[2, 2, 1], [3, 4, 2, 2]])
def test_backprop_graph_shows_the_models_numbers(sizes):
    model, loss = _ran(sizes, 1)
    fig = rendered(D.backprop_graph(model, loss=loss, example=1))
    edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    assert D.count(fig, "node") == sum(sizes)
    assert D.count(fig, "loss") == 1
    assert D.count(fig, "arrow") == edges + sizes[-1]  # the edges, and the outputs into the loss
    text = joined(fig)
    for layer, delta in enumerate(model.deltas):
        for value in delta[1]:
            assert f"δ = {value:.4f}" in text
        W = model.params[f"W{layer + 1}"]
        assert f"w {W[0, 0]:+.2f}" in text
        assert f"← {W[0, 0] * delta[1, 0]:+.3f}" in text
    assert f"L = {loss:.4f}" in text
    assert f"$x_{{1}}$ = {model.hs[0][1, 0]:.2f}" in text


def test_backprop_graph_needs_a_small_model_that_ran():
    with pytest.raises(ValueError, match="forward and backward"):
        D.backprop_graph(MLP([2, 2, 1], rng=0))
    with pytest.raises(ValueError, match="at most 4 units"):
        D.backprop_graph(MLP([2, 8, 1], rng=0))
    with pytest.raises(TypeError, match="model"):
        D.backprop_graph([2, 2, 1])


@pytest.mark.parametrize(
    ("layer", "size", "position", "out_shape"),
    [
        (Conv2d(3, 4, 3, padding=1, rng=0), 5, (1, 2), (4, 5, 5)),
        (Conv2d(2, 6, 3, stride=2, padding=1, rng=0), 7, (3, 0), (6, 4, 4)),
    ],
)
def test_conv2d_and_im2col_follow_the_layer(layer, size, position, out_shape):
    F, Ho, Wo = out_shape
    C, k, p = layer.in_channels, layer.kernel_size[0], layer.padding[0]
    fig = rendered(D.conv2d_diagram(layer, size, position))
    assert D.count(fig, "cell") == (size + 2 * p) ** 2  # the front channel, padded
    assert D.count(fig, "out") == Ho * Wo
    assert D.count(fig, "window") == 1 and D.count(fig, "target") == 1
    assert D.count(fig, "window-back") == min(C, 4) - 1
    text = joined(fig)
    assert f"window: {k}×{k}×{C}" in text and f"output {F}×{Ho}×{Wo}" in text
    col = rendered(D.im2col_diagram(layer, size, position))
    assert D.count(col, "columns") == Ho * Wo * k * k * C
    assert D.count(col, "kernels") == k * k * C * F
    assert D.count(col, "product") == Ho * Wo * F
    assert f"column {position[0] * Wo + position[1]}\n= the window\nof cell {tuple(position)}" in joined(col)


def test_conv2d_diagram_rejects_a_position_outside_the_output():
    with pytest.raises(ValueError, match="position"):
        D.conv2d_diagram(Conv2d(1, 1, 3, rng=0), 5, (3, 0))
    with pytest.raises(TypeError, match="layer"):
        D.im2col_diagram(Linear(2, 2, rng=0))


@pytest.mark.parametrize(("shape", "k", "stride"), [((4, 4), 2, None), ((6, 5), 3, 1)])
def test_max_pool_diagram_shows_every_number_and_the_maxima(shape, k, stride):
    x = np.random.default_rng(3).integers(0, 20, shape)
    s = k if stride is None else stride
    Ho, Wo = (shape[0] - k) // s + 1, (shape[1] - k) // s + 1
    fig = rendered(D.max_pool_diagram(x, k, stride))
    assert D.count(fig, "cell") == x.size and D.count(fig, "out") == Ho * Wo and D.count(fig, "max") == Ho * Wo
    numbers = [t for t in D.texts(fig) if t.isdigit()]
    expected = [str(v) for v in x.ravel()]
    expected += [str(x[a * s : a * s + k, b * s : b * s + k].max()) for a in range(Ho) for b in range(Wo)]
    assert numbers == expected


def test_residual_block_diagram_reads_the_layers():
    fig = rendered(D.residual_block_diagram(basic_block(16, rng=0)))
    assert D.count(fig, "box") == 2 * 6  # conv-BN-ReLU-conv-BN and the final ReLU, plain and residual
    assert D.count(fig, "sum") == 1 and D.count(fig, "shortcut") == 1
    assert joined(fig).count("3×3 conv, 16→16") == 4
    other = Sequential(Linear(8, 8, rng=0), Activation("tanh"))
    fig = rendered(D.residual_block_diagram(ResidualBlock(other)))
    assert D.count(fig, "box") == 2 * 2 and "Linear 8→8" in joined(fig)
    with pytest.raises(TypeError, match="block"):
        D.residual_block_diagram(other)


@pytest.mark.parametrize(("c0", "growth", "layers"), [(16, 12, 4), (3, 5, 2)])
def test_dense_block_diagram_joins_every_earlier_map(c0, growth, layers):
    fig = rendered(D.dense_block_diagram(DenseBlock(c0, growth, layers, rng=0)))
    assert D.count(fig, "box") == layers + 2
    assert D.count(fig, "arrow") == (layers + 1) * (layers + 2) // 2
    text = joined(fig)
    assert f"{c0 + layers * growth} ch" in text and f"reads {c0 + (layers - 1) * growth} ch" in text


@pytest.mark.parametrize(("layer", "steps"), [(RNN(8, 16, rng=0), 4), (LSTM(3, 5, rng=0), 6)])
def test_rnn_unrolled_diagram_marks_shared_weights(layer, steps):
    fig = rendered(D.rnn_unrolled_diagram(layer, steps))
    assert D.count(fig, "step") == steps and D.count(fig, "input") == steps
    assert D.count(fig, "recurrent") == steps + 1
    text = joined(fig)
    assert text.count("$W_{hh}$") == steps + 1  # one per step and the shapes
    rows = 4 * layer.hidden_size if isinstance(layer, LSTM) else layer.hidden_size
    assert f"{rows}×{layer.input_size}" in text and f"{rows}×{layer.hidden_size}" in text


@pytest.mark.parametrize(("D_in", "H"), [(8, 16), (2, 3)])
def test_lstm_cell_diagram_has_three_gates_a_candidate_and_the_cell_path(D_in, H):
    fig = rendered(D.lstm_cell_diagram(LSTM(D_in, H, rng=0)))
    assert D.count(fig, "gate") == 4 and D.count(fig, "cell-path") == 1
    text = joined(fig)
    for name in ("forget", "input", "candidate", "output", "$c_{t-1}$", "$h_t$"):
        assert name in text
    assert f"{H}×{H + D_in}" in text


@pytest.mark.parametrize(("n", "m", "dk", "causal"), [(6, 6, 8, True), (3, 5, 16, False)])
def test_attention_diagram_shapes_and_weights(n, m, dk, causal):
    fig = rendered(D.attention_diagram(n, m, dk, causal=causal))
    assert D.count(fig, "weight") == n * m
    text = joined(fig)
    assert f"$QK^\\top$   {n}×{m}" in text and f"÷ √{dk}" in text
    assert ("mask: −∞ above diagonal" in text) == causal
    given = np.full((n, m), 1 / m)
    assert "illustration" not in joined(D.attention_diagram(n, m, dk, weights=given))
    with pytest.raises(ValueError, match="weights"):
        D.attention_diagram(n, m, dk, weights=np.ones((m + 1, n)))


@pytest.mark.parametrize(("d", "h", "drawn"), [(64, 4, 4), (48, 12, 8)])
def test_multi_head_attention_diagram_draws_the_heads(d, h, drawn):
    mha = MultiHeadAttention(d, h, rng=0)
    fig = rendered(D.multi_head_attention_diagram(mha, seq_len=10))
    assert D.count(fig, "head") == drawn
    text = joined(fig)
    assert f"10×{d // h}" in text and f"({3 * d}×{d})" in text and f"{mha.num_parameters()} parameters" in text
    assert (f"head {h}\n10×{d // h}" in text) and (("…" in text) == (h > 8))


@pytest.mark.parametrize("norm_first", [True, False])
def test_transformer_block_diagram_marks_the_blocks_variant(norm_first):
    block = TransformerBlock(16 if norm_first else 32, 4, norm_first=norm_first, rng=0)
    fig = rendered(D.transformer_block_diagram(block))
    assert D.count(fig, "residual") == 4 and D.count(fig, "sum") == 4
    text = D.texts(fig)
    d = block.attn.d_model
    assert text.count("LayerNorm") == 4 and f"FFN {d}→{4 * d}→{d}" in text
    assert ("pre-LN (this block)" in text) == norm_first and ("post-LN (this block)" in text) != norm_first


def test_seq2seq_attention_diagram_draws_the_alignment():
    model = Seq2SeqAttention(10, 11, embed_dim=8, hidden_size=16, attn_dim=8, rng=0)
    fig = rendered(D.seq2seq_attention_diagram(model))
    assert D.count(fig, "encoder") == 5 and D.count(fig, "decoder") == 3 and D.count(fig, "attend") == 5
    src, out = np.arange(7), np.arange(7)[::-1]
    alignment = np.full((7, 7), 0.01)
    alignment[2, 4] = 0.94
    fig = rendered(D.seq2seq_attention_diagram(model, src, out, alignment, step=2))
    assert D.count(fig, "encoder") == 7 and D.count(fig, "attend") == 7
    widths = [p.get_linewidth() for p in fig.axes[0].patches if p.get_gid() == "attend"]
    assert int(np.argmax(widths)) == 4
    assert "0.94" in D.texts(fig) and "hidden 16" in joined(fig)
    with pytest.raises(ValueError, match="alignment"):
        D.seq2seq_attention_diagram(model, src, out, alignment[:, :3])


def test_diagrams_render_without_warnings_under_the_course_style():
    import warnings

    from dlbook.plotting import use_style

    saved = dict(matplotlib.rcParams)
    try:
        use_style()  # figure.autolayout = True, as in every chapter
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            rendered(D.mlp_diagram([2, 3, 1]))
    finally:
        matplotlib.rcParams.update(saved)


# --- legible on a phone ----------------------------------------------------------------------------------------------
# The rule: the smallest text of a diagram, as the book shows it in the column of a 390-px-wide phone, is at least
# MIN_TEXT_PX CSS pixels tall (its font size). The book shows a diagram as SVG sized in points (72 pt = 1 in = 96 CSS
# px) in an <img> with max-width 100%: at its natural size when the column is wider, shrunk to the column otherwise.
# At a 390-px viewport the article's text column is 358 px wide (16-px margins; measured in the built book with
# Chromium). So a text of f pt in a figure w inches wide is shown at f * 96/72 * min(1, 358 / (96 w)) px.
PHONE_COLUMN_PX = 358
MIN_TEXT_PX = 9.0


def smallest_text_px(fig, column_px=PHONE_COLUMN_PX):
    """The font size, in CSS px, of the smallest text of ``fig`` shown in a column ``column_px`` wide."""
    natural_px = 96 * fig.get_figwidth()
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip() and t.get_visible()]
    return min(sizes) * 96 / 72 * min(1.0, column_px / natural_px)


def text_outside(fig):
    """Texts that stick out of the figure (a larger font must not push text off the picture)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer, frame = canvas.get_renderer(), fig.bbox
    out = []
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_text().strip() and t.get_visible():
            e = t.get_window_extent(renderer)
            if e.x0 < frame.x0 - 1 or e.x1 > frame.x1 + 1 or e.y0 < frame.y0 - 1 or e.y1 > frame.y1 + 1:
                out.append(t.get_text())
    return out


def test_the_rule_measures_what_the_phone_shows():
    fig = D.mlp_diagram([2, 3, 1])
    fig.set_size_inches(358 / 96 * 2, fig.get_figheight())  # twice the column: shown at half size
    smallest = min(t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip())
    assert smallest_text_px(fig) == pytest.approx(smallest * 96 / 72 / 2)
    assert smallest_text_px(fig, column_px=10_000) == pytest.approx(smallest * 96 / 72)  # never enlarged


def _seq2seq():
    model = Seq2SeqAttention(10, 11, embed_dim=16, hidden_size=64, attn_dim=32, rng=0)
    src = np.arange(10) % 10
    model.forward(src[None], np.concatenate([[10], src[::-1][:-1]])[None])
    return D.seq2seq_attention_diagram(model, src, src[::-1], model.alignment[0], step=0)


def _backprop():
    model, loss = _ran([2, 2, 1], 1)
    return D.backprop_graph(model, loss=loss, output_name="p", output_values=[0.5])


def _lenet_block():
    from dlbook.architectures import small_resnet

    net = small_resnet(channels=8, num_blocks=8, residual=True, rng=0)
    return D.residual_block_diagram(next(m for m in net.layers if isinstance(m, Sequential)))


# Each diagram drawn from objects of the size its chapter uses.
AS_IN_THE_CHAPTERS = {
    "mlp": lambda: D.mlp_diagram(MLP([2, 5, 3, 2], rng=0)),
    "backprop": _backprop,
    "conv2d": lambda: D.conv2d_diagram(Conv2d(3, 5, 3, stride=2, padding=1, rng=0), 12, (1, 2)),
    "im2col": lambda: D.im2col_diagram(Conv2d(3, 5, 3, stride=2, padding=1, rng=0), 12, (1, 2)),
    "max_pool": lambda: D.max_pool_diagram(np.arange(16).reshape(4, 4) * 0.37, 2),
    "residual": _lenet_block,
    "dense": lambda: D.dense_block_diagram(DenseBlock(8, 8, 4, rng=0)),
    "rnn": lambda: D.rnn_unrolled_diagram(RNN(8, 16, rng=0), 4),
    "lstm": lambda: D.lstm_cell_diagram(LSTM(8, 16, rng=0)),
    "attention": lambda: D.attention_diagram(6, 6, 8, d_v=8, weights=np.full((6, 6), 1 / 6)),
    "multi_head": lambda: D.multi_head_attention_diagram(MultiHeadAttention(64, 8, rng=0), seq_len=12),
    "transformer": lambda: D.transformer_block_diagram(TransformerBlock(16, 4, rng=0)),
    "seq2seq": _seq2seq,
}
# Not yet redrawn for a phone (their smallest text is 4-8 px there): listed so that the rule still runs on them and
# says so the day they pass (strict xfail).
NOT_YET: set[str] = set()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="not yet redrawn for a phone"))
        if n in NOT_YET
        else n
        for n in AS_IN_THE_CHAPTERS
    ],
)
def test_every_diagram_is_legible_in_a_phones_column(name):
    fig = rendered(AS_IN_THE_CHAPTERS[name]())
    assert not text_outside(fig), text_outside(fig)
    assert smallest_text_px(fig) >= MIN_TEXT_PX, f"{name}: {smallest_text_px(fig):.1f} px at {PHONE_COLUMN_PX} px"
