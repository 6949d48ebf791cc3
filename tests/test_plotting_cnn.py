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
