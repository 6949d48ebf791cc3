"""dlbook.plotting.image_grid: rows of images with one colour bar per row (the CNN chapters' kernels and patches)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlbook.plotting import image_grid  # noqa: E402


def test_rows_of_different_sizes_get_one_colour_bar_each():
    rng = np.random.default_rng(0)
    rows = [[rng.random((5, 5)) for _ in range(4)], [rng.standard_normal((14, 14)) for _ in range(2)]]
    fig = image_grid(rows, row_labels=["a", "b"], titles=[["t"] * 4, ["u"] * 2], symmetric=True, colorbar_label="v")
    bars = [ax for ax in fig.axes if ax.get_ylabel() == "v"]  # a colour bar's label sits on its y axis
    images = [ax for ax in fig.axes if ax.images and ax not in bars]
    assert len(bars) == 2
    assert len([ax for ax in images if ax.get_title()]) == 6
    low, high = rows[1][0].min(), rows[1][0].max()
    clim = [ax.images[0].get_clim() for ax in images if ax.get_title() == "u"][0]
    assert clim[0] == -clim[1] and clim[1] >= max(abs(low), abs(high))
    plt.close(fig)


def test_rejects_a_row_that_is_not_images():
    with pytest.raises(ValueError, match="rows"):
        image_grid([[np.zeros(3)]])


def _lines(fig):
    """The image panels of a drawn figure grouped into lines, top to bottom: a panel whose centre lies within half a
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


def _png_width(fig, tmp_path):
    from PIL import Image

    fig.savefig(tmp_path / "f.png", bbox_inches="tight")  # as the notebooks' inline figures are saved
    return Image.open(tmp_path / "f.png").size[0]


def test_a_long_row_wraps_onto_narrow_lines_under_one_colour_bar(tmp_path):
    rng = np.random.default_rng(1)
    rows = [[rng.random((5, 5)) for _ in range(7)], [rng.random((8, 8)) for _ in range(2)]]
    fig = image_grid(rows, colorbar_label=["a", "b"], columns=3)
    assert [len(line) for line in _lines(fig)] == [3, 3, 1, 2]  # 7 = 3 + 3 + 1, then the second row
    assert sorted(ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>") == ["a", "b"]
    first = [ax.images[0].get_clim() for line in _lines(fig)[:3] for ax in line]
    assert len(set(first)) == 1 and first[0] == (min(i.min() for i in rows[0]), max(i.max() for i in rows[0]))
    for ax in _lines(fig)[0]:
        box = ax.get_window_extent()
        assert abs(box.width - box.height) < 1.0  # square cells
        assert np.all(ax.get_xticks() == np.round(ax.get_xticks()))  # integer pixel ticks
    plt.close(fig)


def test_default_grid_is_narrow_enough_for_a_phone(tmp_path):
    fig = image_grid([[np.eye(5)] * 12], titles=[[f"kernel {i}" for i in range(12)]], colorbar_label="weight")
    assert fig.get_figwidth() <= 5.5
    assert _png_width(fig, tmp_path) <= 610  # 5.5 in at 110 dpi, with the saved PNG's padding
    assert max(len(line) for line in _lines(fig)) == 3 and len(_lines(fig)) == 4
    plt.close(fig)


def test_rows_drawn_as_columns_with_a_colour_bar_under_each():
    rng = np.random.default_rng(2)
    rows = [[rng.random((6, 6))], [rng.random((4, 4)) for _ in range(3)]]
    fig = image_grid(rows, row_labels=["input", "maps"], colorbar_label="v", arrange="columns", limits=(0, 1))
    lines = _lines(fig)
    assert [len(line) for line in lines] == [2, 1, 1]  # one image per line in each column; the first column has one
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 2 and all(bar.get_xlabel() == "v" for bar in bars)  # horizontal bars, under the columns
    panel_bottom = min(ax.get_window_extent().y0 for line in lines for ax in line)
    assert all(bar.get_window_extent().y1 < panel_bottom for bar in bars)
    assert {ax.images[0].get_clim() for line in lines for ax in line} == {(0.0, 1.0)}
    plt.close(fig)


@pytest.mark.parametrize("columns", [0, -2, 1.5, True, "3"])
def test_rejects_a_bad_number_of_columns(columns):
    with pytest.raises(ValueError, match="columns"):
        image_grid([[np.eye(3)] * 4], columns=columns)


def test_rejects_bad_layout_arguments():
    for kwargs, name in [({"arrange": "grid"}, "arrange"), ({"limits": (1, 0)}, "limits"), ({"limits": 1.0}, "limits"),
                         ({"row_labels": ["a", "b"]}, "row_labels"), ({"colorbar_label": ["a", "b"]}, "colorbar_label"),
                         ({"size": 0}, "size")]:  # fmt: skip
        with pytest.raises(ValueError, match=name):
            image_grid([[np.eye(3)]], **kwargs)
    plt.close("all")
