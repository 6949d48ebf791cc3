"""The plotting helpers of the sequence chapters: heatmaps with colour bars and integer ticks, attention maps per
head, curves over seeds."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlbook.book import Runs  # noqa: E402
from dlbook.plotting import heatmap, plot_attention_heads, plot_runs, plot_series  # noqa: E402


def test_heatmap_has_a_colour_bar_and_integer_ticks():
    fig, ax = plt.subplots()
    heatmap(np.arange(12.0).reshape(3, 4), ax=ax, xlabel="key", ylabel="query", colorbar_label="weight")
    fig.canvas.draw()
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "weight"  # the colour bar
    for ticks in (ax.get_xticks(), ax.get_yticks()):
        assert np.all(ticks == np.round(ticks))
    fig2, ax2 = plt.subplots()
    heatmap(np.eye(2), ax=ax2, xticklabels=["a", "b"], yticklabels=[3, 4], colorbar=False)
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["a", "b"] and len(fig2.axes) == 1
    plt.close("all")


def test_heatmap_rejects_what_it_cannot_draw():
    with pytest.raises(ValueError, match="values"):
        heatmap(np.zeros(3))
    with pytest.raises(ValueError, match="xticklabels"):
        heatmap(np.zeros((2, 3)), xticklabels=["a"])
    plt.close("all")


@pytest.mark.parametrize("layers, heads", [(2, 4), (1, 2)])
def test_attention_heads_one_panel_per_head_one_colour_bar_per_layer(layers, heads):
    w = np.random.default_rng(0).random((layers, heads, 5, 5))
    fig = plot_attention_heads(w, title="t")
    assert len(fig.axes) == layers * heads + layers
    assert fig.axes[0].get_title() == "layer 1, head 1"
    plt.close(fig)
    with pytest.raises(ValueError, match="row_names"):
        plot_attention_heads(w, row_names=["only one", "two", "three"])


def _lines(fig):
    """The heatmaps of a drawn figure grouped into lines, top to bottom: a panel whose centre lies within half a
    panel's height of the line's first panel belongs to that line."""
    fig.canvas.draw()
    boxes = [(ax, ax.get_window_extent()) for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
    lines = []
    for ax, box in sorted(boxes, key=lambda pair: (-pair[1].y1, pair[1].x0)):
        if lines and abs(lines[-1][0][1].y1 - box.y1) < box.height / 2:
            lines[-1].append((ax, box))
        else:
            lines.append([(ax, box)])
    return [[ax for ax, _ in sorted(line, key=lambda pair: pair[1].x0)] for line in lines]


def test_attention_heads_wrap_onto_lines_of_two_that_fit_a_phone(tmp_path):
    from PIL import Image

    w = np.random.default_rng(1).random((2, 4, 32, 32))
    fig = plot_attention_heads(w, title="two\nlines")
    lines = _lines(fig)
    assert [len(line) for line in lines] == [2, 2, 2, 2]  # layer 1 on the top two lines, layer 2 below
    assert [ax.get_title() for ax in lines[2]] == ["layer 2, head 1", "layer 2, head 2"]
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 2  # one per layer, not one per line
    assert [ax.get_xlabel() for ax in lines[-1]] == ["key position j"] * 2 and not lines[0][0].get_xlabel()
    box = lines[0][0].get_window_extent()
    assert abs(box.width - box.height) < 1.0  # square cells
    fig.savefig(tmp_path / "heads.png", bbox_inches="tight")
    assert fig.get_figwidth() <= 5.5 and Image.open(tmp_path / "heads.png").size[0] <= 610
    plt.close(fig)
    fig = plot_attention_heads(w[:1, :3], columns=2)  # an odd head: the line below has an empty slot
    assert [len(line) for line in _lines(fig)] == [2, 1]
    assert [ax.get_xlabel() for ax in _lines(fig)[0]] == ["", "key position j"]  # nothing below head 2
    plt.close(fig)
    for columns in (0, 2.5, False):
        with pytest.raises(ValueError, match="columns"):
            plot_attention_heads(w, columns=columns)


def test_curves_and_runs_are_labelled_with_their_spread():
    ax = plot_series({"a": [1, 2, 3], "b": [3, 2, 1]}, [1, 10, 100], logx=True, xticks=[1, 10, 100], xlabel="x")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"] and ax.get_xlabel() == "x"
    runs = {"m": Runs(np.arange(6.0).reshape(3, 2), seeds=(0, 1, 2))}
    ax = plot_runs(runs, [0, 1], band=False)
    assert "mean of 3 seeds" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="one curve"):
        plot_runs(runs, [0, 1, 2])
    with pytest.raises(TypeError, match="series"):
        plot_series([1, 2])
    plt.close("all")
