"""The MLP: gradients over drawn architectures, the delta recursion, checkpointing, prediction, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook import data, optim
from dlbook.activations import get_activation
from dlbook.gradcheck import numerical_gradient, relative_error
from dlbook.losses import softmax_cross_entropy
from dlbook.mlp import MLP, count_linear_regions, linear_regions
from dlbook.train import ArrayBatches, accuracy, fit


def assert_grad_close(analytic, numeric):
    """Elementwise relative error below 1e-7, with an absolute floor of 1e-9 for entries near zero."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    bad = np.abs(analytic - numeric) > 1e-7 * (np.abs(analytic) + np.abs(numeric)) + 1e-9
    assert not bad.any(), f"max relative error {relative_error(analytic, numeric):.2e}"


@settings(max_examples=20, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
    n=st.integers(1, 4),
    activation=st.sampled_from(["tanh", "sigmoid", "gelu", "silu", "elu"]),
    checkpoint=st.sampled_from([None, 1, 2, 3]),
    seed=st.integers(0, 2**31),
)
def test_gradients_match_central_differences(sizes, n, activation, checkpoint, seed):
    model = MLP(sizes, activation=activation, rng=seed, checkpoint_every=checkpoint)
    rng = np.random.default_rng(seed)
    for key in model.params:
        if key.startswith("b"):
            model.params[key][...] = rng.standard_normal(model.params[key].shape)
    X = rng.standard_normal((n, sizes[0]))
    r = rng.standard_normal((n, sizes[-1]))

    def loss():
        return float(np.sum(r * model.forward(X)))

    model.forward(X)
    dX = model.backward(r)
    grads = {k: v.copy() for k, v in model.grads.items()}
    assert list(grads) == list(model.params)
    assert_grad_close(dX, numerical_gradient(loss, X, 1e-5))
    for key in model.params:
        assert_grad_close(grads[key], numerical_gradient(loss, model.params[key], 1e-5))


def test_deltas_follow_the_recursion():
    model = MLP([3, 4, 5, 2], activation="tanh", rng=0)
    X = np.random.default_rng(1).standard_normal((6, 3))
    model.forward(X)
    dout = np.random.default_rng(2).standard_normal((6, 2))
    model.backward(dout)
    phi = get_activation("tanh")
    assert [d.shape for d in model.deltas] == [(6, 4), (6, 5), (6, 2)]
    np.testing.assert_array_equal(model.deltas[2], dout)
    for l in (1, 2):  # noqa: E741
        expected = (model.deltas[l] @ model.params[f"W{l + 1}"]) * phi.grad(model.zs[l - 1])
        np.testing.assert_allclose(model.deltas[l - 1], expected)
        np.testing.assert_allclose(model.grads[f"W{l}"], model.deltas[l - 1].T @ model.hs[l - 1])
        np.testing.assert_allclose(model.grads[f"b{l}"], model.deltas[l - 1].sum(axis=0))
    assert len(model.zs) == 3 and len(model.hs) == 3 and model.hs[0] is not None


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
def test_checkpointing_gives_the_same_gradients_with_less_memory(k):
    X = np.random.default_rng(0).standard_normal((32, 10))
    dz = np.random.default_rng(1).standard_normal((32, 3))
    full = MLP([10] + [16] * 7 + [3], rng=0, keep_deltas=False)
    ckpt = MLP([10] + [16] * 7 + [3], rng=0, checkpoint_every=k, keep_deltas=False)
    np.testing.assert_array_equal(full.forward(X), ckpt.forward(X))
    dX_full, dX_ckpt = full.backward(dz), ckpt.backward(dz)
    np.testing.assert_array_equal(dX_full, dX_ckpt)
    for key in full.params:
        np.testing.assert_array_equal(full.grads[key], ckpt.grads[key])
    assert ckpt.stored_bytes < full.stored_bytes
    assert ckpt.peak_bytes <= full.peak_bytes
    assert full.stored_bytes == 2 * 7 * 32 * 16 * 8 + 32 * 10 * 8  # z_1..z_7, h_1..h_7 and the input


def test_checkpoint_spacing_near_sqrt_half_depth_minimizes_peak():
    """L/k stored checkpoints plus about 2k arrays of one recomputed segment: the peak is smallest near sqrt(L/2)."""
    X = np.random.default_rng(0).standard_normal((16, 8))
    peaks = {}
    for k in range(1, 17):
        model = MLP([8] + [32] * 16 + [2], rng=0, checkpoint_every=k, keep_deltas=False)
        model.backward(np.ones_like(model.forward(X)))
        peaks[k] = model.peak_bytes
    full = MLP([8] + [32] * 16 + [2], rng=0, keep_deltas=False)
    full.backward(np.ones_like(full.forward(X)))
    assert min(peaks, key=peaks.get) == 3  # sqrt(17 / 2) = 2.9
    assert peaks[3] < 0.4 * full.peak_bytes


def test_float32_preserved_and_predictions():
    model = MLP([2, 8, 3], rng=0, dtype=np.float32)
    X = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    z = model.forward(X)
    assert z.dtype == np.float32 and model.backward(np.ones_like(z)).dtype == np.float32
    p = model.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(model.predict(X), p.argmax(axis=1))
    binary = MLP([2, 4, 1], rng=0)
    pb = binary.predict_proba(X)
    assert pb.shape == (5,) and np.array_equal(binary.predict(X), (pb > 0.5).astype(int))


def test_parameter_count():
    assert MLP([2, 16, 16, 3]).num_parameters() == (2 * 16 + 16) + (16 * 16 + 16) + (16 * 3 + 3)
    assert list(MLP([2, 3, 4]).params) == ["W1", "b1", "W2", "b2"]
    assert MLP([2, 3, 4]).params["W1"].shape == (3, 2)


def test_bad_input():
    with pytest.raises(ValueError, match=r"^activation must be one of .*'rectifier'"):
        MLP([2, 3, 2], activation="rectifier")
    with pytest.raises(ValueError, match=r"^sizes must list at least an input and an output size, got \[2\]"):
        MLP([2])
    with pytest.raises(ValueError, match=r"^sizes\[1\] must be > 0, got 0"):
        MLP([2, 0, 2])
    with pytest.raises(ValueError, match=r"^checkpoint_every must be > 0, got 0"):
        MLP([2, 3, 2], checkpoint_every=0)
    with pytest.raises(TypeError, match=r"^sizes must be a sequence of positive integers, got int"):
        MLP(5)
    with pytest.raises(ValueError, match=r"sizes\[0\]"):
        MLP([2.5, 3])
    with pytest.raises(TypeError, match=r"\bdtype\b"):
        MLP([2, 3], dtype=np.int64)
    with pytest.raises(ValueError, match=r"\binit scheme\b"):
        MLP([2, 3], init="orthogonal")
    model = MLP([2, 3, 2], rng=0)
    with pytest.raises(ValueError, match=r"^x must have shape \(N, 2\), got \(4, 3\)"):
        model.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"^x must have shape \(N, 2\), got \(2,\)"):
        model.forward(np.ones(2))
    with pytest.raises(ValueError, match=r"^x must hold at least one example"):
        model.forward(np.ones((0, 2)))
    with pytest.raises(ValueError, match=r"^x contains 1 NaN"):
        model.forward(np.array([[np.nan, 1.0]]))
    with pytest.raises(RuntimeError, match="MLP.backward called before forward"):
        MLP([2, 3, 2]).backward(np.ones((1, 2)))
    model.forward(np.ones((4, 2)))
    grads_before = {k: v.copy() for k, v in model.grads.items()}
    with pytest.raises(ValueError, match=r"^dout must have the shape .* \(4, 2\), got \(4, 1\)"):
        model.backward(np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"^dout contains"):
        model.backward(np.full((4, 2), np.inf))
    assert model.grads.keys() == grads_before.keys()


def test_bad_forward_leaves_the_last_pass_intact():
    model = MLP([2, 3, 2], rng=0)
    x = np.random.default_rng(0).standard_normal((4, 2))
    model.forward(x)
    zs = [z.copy() for z in model.zs]
    with pytest.raises(ValueError):
        model.forward(np.ones((4, 5)))
    for a, b in zip(zs, model.zs, strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.backward(np.ones((4, 2))).shape == (4, 2)


def test_built_on_linear_layers_sharing_the_parameters():
    from dlbook.layers import Linear

    model = MLP([3, 4, 2], activation="tanh", rng=0)
    assert [type(layer) for layer in model.layers] == [Linear, Linear] and model.children() == []
    assert model.layers[0].params["W"] is model.params["W1"]
    assert [name for name, _, _ in model.named_parameters()] == ["W1", "b1", "W2", "b2"]
    x = np.random.default_rng(0).standard_normal((5, 3))
    h = np.tanh(x @ model.params["W1"].T + model.params["b1"])
    np.testing.assert_array_equal(model.forward(x), h @ model.params["W2"].T + model.params["b2"])
    model.params["W2"] = np.zeros((2, 4))  # replacing an array (not in place) is followed too
    np.testing.assert_array_equal(model.forward(x), np.zeros((5, 2)))


def test_same_weights_as_before_for_the_same_seed():
    """The weights of MLP(sizes, rng=0) are He draws from one generator, layer after layer (as before the MLP was
    built on Linear): the chapters' numbers do not move."""
    rng = np.random.default_rng(0)
    model = MLP([3, 5, 2], rng=0)
    np.testing.assert_array_equal(model.params["W1"], rng.standard_normal((5, 3)) * np.sqrt(2 / 3))
    np.testing.assert_array_equal(model.params["W2"], rng.standard_normal((2, 5)) * np.sqrt(2 / 5))
    assert not np.array_equal(MLP([3, 5, 2]).params["W1"], MLP([3, 5, 2]).params["W1"])  # rng=None: fresh


def test_dtype_rule():
    model = MLP([2, 4, 3], rng=0, dtype=np.float32)
    for x in (np.ones((2, 2)), np.ones((2, 2), dtype=np.int64), np.ones((2, 2), dtype=bool)):
        z = model.forward(x)
        assert z.dtype == np.float32
        assert model.backward(np.ones((2, 3))).dtype == np.float32
        assert all(g.dtype == np.float32 for g in model.grads.values())
    z64 = MLP([2, 4, 3], rng=0).forward(np.ones((2, 2), dtype=np.float32))
    assert z64.dtype == np.float64


def test_predict_proba_of_a_diverged_network_raises():
    model = MLP([2, 3, 2], rng=0)
    model.params["W2"][...] = np.nan
    with pytest.raises(ValueError, match="logits contains"):
        model.predict_proba(np.ones((1, 2)))


def test_one_hidden_layer_fits_the_spiral():
    """The MLP chapter's claim: a one-hidden-layer MLP reaches >= 99% training accuracy on the spiral."""
    X, y = data.spiral(300, num_classes=2, noise=0.1, rng=0)
    model = MLP([2, 64, 2], activation="relu", rng=0)
    history = fit(model, (X, y), loss="softmax_ce", optimizer=optim.Adam(model, lr=0.01), epochs=2000)
    assert accuracy(model, X, y) >= 0.99
    assert history.train_loss[-1] < 0.05


def test_activation_chapter_vanishing_gradient_claims():
    """The activations chapter: at initialization, 10 sigmoid layers shrink the gradient by orders of magnitude
    between the output layer and the first layer; tanh (Xavier) and ReLU (He) keep it of similar size."""
    X_train, _, y_train, _ = data.load_digits(test_size=0.25, rng=0)
    ratios = {}
    for name, init in (("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "he")):
        net = MLP([64] + [64] * 10 + [10], activation=name, init=init, rng=0)
        _, dout = softmax_cross_entropy(net.forward(X_train[:512]), y_train[:512])
        net.backward(dout)
        norms = [np.linalg.norm(net.grads[f"W{i}"]) for i in range(1, 12)]
        ratios[name] = norms[-1] / norms[0]
    assert ratios["sigmoid"] > 1e4
    assert 0.3 < ratios["tanh"] < 3 and 0.3 < ratios["relu"] < 3


def test_mlp_chapter_digits_and_collapse_claims():
    """The MLP chapter: the [64, 128, 64, 10] network classifies most held-out digits after 30 epochs, and a deep
    linear network equals one affine map and does no better than a hyperplane on the spiral."""
    X_train, X_test, y_train, y_test = data.load_digits(test_size=0.25, rng=0)
    net = MLP([64, 128, 64, 10], activation="relu", rng=0)
    history = fit(
        net,
        ArrayBatches(X_train, y_train, batch_size=64, rng=0),
        loss="softmax_ce",
        optimizer=optim.Adam(net, lr=1e-3),
        epochs=30,
        val_batches=(X_test, y_test),
    )
    assert history.val_acc[-1] > 0.95
    X, y = data.spiral(300, num_classes=2, noise=0.1, rng=0)
    deep_linear = MLP([2, 32, 32, 32, 32, 2], activation="identity", rng=0)
    fit(deep_linear, (X, y), loss="softmax_ce", optimizer=optim.Adam(deep_linear, lr=0.01), epochs=2000)
    assert accuracy(deep_linear, X, y) < 0.6


# ---- linear regions of ReLU networks -------------------------------------------------------------------------------


def test_one_hidden_unit_cuts_the_plane_into_two_regions():
    net = MLP([2, 1, 2], rng=0)
    net.params["b1"][...] = 0.1  # the line w.x + 0.1 = 0 crosses the square
    assert count_linear_regions(net, extent=(-1, 1, -1, 1), resolution=60) == 2


def test_three_lines_in_general_position_make_seven_regions():
    net = MLP([2, 3, 1], rng=0)
    net.params["W1"][...] = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    net.params["b1"][...] = [0.0, 0.0, -0.5]  # x = 0, y = 0, x + y = 0.5: six unbounded regions and one triangle
    assert count_linear_regions(net, extent=(-1, 1, -1, 1), resolution=101) == 7
    labels = linear_regions(net, extent=(-1, 1, -1, 1), resolution=101)
    assert labels.shape == (101, 101) and labels[0, 0] == 0  # labelled in the order the grid meets them
    assert labels[30, 30] == labels[0, 0]  # (-0.4, -0.4) lies in the same region as the corner (-1, -1)


def test_a_second_layer_folds_regions_of_the_first():
    # layer 1: |x| as relu(x) and relu(-x) (two regions); layer 2 cuts relu(x) + relu(-x) = 0.5, i.e. |x| = 0.5
    net = MLP([2, 2, 1, 1], rng=0)
    net.params["W1"][...] = [[1.0, 0.0], [-1.0, 0.0]]
    net.params["b1"][...] = 0.0
    net.params["W2"][...] = [[1.0, 1.0]]
    net.params["b2"][...] = -0.5
    # x < -0.5, -0.5 < x < 0, 0 < x < 0.5, x > 0.5: one unit of layer 2 adds two cuts, not one
    assert count_linear_regions(net, extent=(-1, 1, -1, 1), resolution=100) == 4


def test_linear_regions_checks_its_arguments():
    with pytest.raises(ValueError, match="piecewise-linear"):
        count_linear_regions(MLP([2, 4, 2], activation="tanh", rng=0))
    with pytest.raises(ValueError, match="two inputs"):
        count_linear_regions(MLP([3, 4, 2], rng=0))
    with pytest.raises(ValueError, match="extent"):
        count_linear_regions(MLP([2, 4, 2], rng=0), extent=(1, -1, 0, 1))
    with pytest.raises(ValueError, match="resolution"):
        count_linear_regions(MLP([2, 4, 2], rng=0), resolution=1)
    with pytest.raises(TypeError, match="model"):
        count_linear_regions("not a network")
    assert count_linear_regions(MLP([2, 2], rng=0)) == 1  # no hidden layer: one affine map
