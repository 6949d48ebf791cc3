"""dlbook.plotting: the decision grid covers the data, the boundary picture is drawn, bad arguments are named."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from dlbook.plotting import CLASS_COLORS, decision_grid, plot_decision_boundary, use_style  # noqa: E402


def _points():
    rng = np.random.default_rng(0)
    return rng.standard_normal((30, 2)), rng.integers(0, 3, 30)


def test_decision_grid_covers_the_points_with_the_margin():
    x, _ = _points()
    xx, yy, pts = decision_grid(x, resolution=11, margin=0.1)
    assert xx.shape == yy.shape == (11, 11) and pts.shape == (121, 2)
    span = x.max(axis=0) - x.min(axis=0)
    np.testing.assert_allclose(pts.min(axis=0), x.min(axis=0) - 0.1 * span)
    np.testing.assert_allclose(pts.max(axis=0), x.max(axis=0) + 0.1 * span)


def test_plot_decision_boundary_colours_the_winning_class():
    use_style()
    x, y = _points()

    def predict_proba(p):  # class 0 left of the origin, class 2 right of it
        return np.where(p[:, :1] < 0, [[1.0, 0.0, 0.0]], [[0.0, 0.0, 1.0]])

    ax = plot_decision_boundary(predict_proba, x, y, title="t", resolution=20)
    rgb = ax.images[0].get_array()
    assert rgb.shape == (20, 20, 3) and ax.get_title() == "t"
    certain = [0.3 + 0.7 * np.array(to_rgb(CLASS_COLORS[c])) for c in (0, 2)]  # full confidence: 70% of the colour
    np.testing.assert_allclose(rgb[10, 0], certain[0])
    np.testing.assert_allclose(rgb[10, -1], certain[1])
    assert len(ax.collections) == 3  # one scatter per class
    plt.close("all")
    binary = plot_decision_boundary(lambda p: np.full(len(p), 0.9), x, y % 2, resolution=5)  # P(class 1)
    assert binary.images[0].get_array().shape == (5, 5, 3)
    plt.close("all")


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: decision_grid(np.ones((3, 3))), ValueError, r"^x must have shape \(N, 2\)"),
        (lambda: decision_grid(np.ones((0, 2))), ValueError, r"^x must hold at least one point"),
        (lambda: decision_grid(np.array([[np.nan, 0.0]])), ValueError, r"^x contains"),
        (lambda: decision_grid(np.ones((2, 2)), resolution=1), ValueError, r"^resolution must be at least 2"),
        (lambda: decision_grid(np.ones((2, 2)), resolution=2.5), ValueError, r"^resolution must be an integer"),
        (lambda: decision_grid(np.ones((2, 2)), margin=-1), ValueError, r"^margin must be >= 0"),
        (lambda: plot_decision_boundary(None, np.ones((2, 2)), [0, 1]), TypeError, r"^predict_proba must be"),
        (
            lambda: plot_decision_boundary(lambda p: np.ones((len(p), 2)) / 2, np.ones((2, 2)), [0, 1, 1]),
            ValueError,
            r"^y must have 2 labels",
        ),
        (
            lambda: plot_decision_boundary(lambda p: np.ones((len(p), 2)) / 2, np.ones((2, 2)), [0, 2]),
            ValueError,
            r"^y must hold labels in \[0, 2\)",
        ),
        (
            lambda: plot_decision_boundary(lambda p: np.ones((3, 2)), np.ones((2, 2)), [0, 1]),
            ValueError,
            r"^predict_proba must return shape",
        ),
        (
            lambda: plot_decision_boundary(lambda p: np.full((len(p), 2), np.nan), np.ones((2, 2)), [0, 1]),
            ValueError,
            r"^predict_proba\(points\) contains",
        ),
    ],
)
def test_bad_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
    plt.close("all")


def test_plot_linear_regions_counts_and_draws_the_regions():
    from dlbook.mlp import MLP, count_linear_regions
    from dlbook.plotting import plot_linear_regions

    net = MLP([2, 3, 2], rng=0)
    net.params["b1"][...] = [0.1, -0.2, 0.3]
    x, y = np.array([[0.0, 0.5], [0.5, 0.0]]), np.array([0, 1])
    fig, ax = plt.subplots()
    count = plot_linear_regions(net, x, y, extent=(-1, 1, -1, 1), resolution=80, ax=ax, title="three lines")
    assert count == count_linear_regions(net, extent=(-1, 1, -1, 1), resolution=80)
    assert len(ax.images) == 2 and ax.get_title() == "three lines"
    plt.close(fig)
