"""Generated 2-D datasets and the bundled digits: shapes, dtypes, balance, determinism, validation."""

import numpy as np
import pytest

from dlbook import data

GENERATORS = [data.spiral, data.checkerboard, data.xor, data.circles, data.moons, data.blobs]


@pytest.mark.parametrize("gen", GENERATORS)
def test_shapes_dtypes_and_determinism(gen):
    X, y = gen(101, rng=3)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    X2, y2 = gen(101, rng=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, gen(101, rng=4)[0])
    assert set(np.unique(y)) == {0, 1} or gen in (data.spiral, data.blobs)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_spiral_and_blobs_classes_balanced(k):
    for gen in (data.spiral, data.blobs):
        X, y = gen(100, num_classes=k, rng=0)
        counts = np.bincount(y, minlength=k)
        assert len(counts) == k and counts.max() - counts.min() <= 1


def test_geometry():
    X, y = data.spiral(200, num_classes=2, noise=0.0, rng=0)
    r = np.linalg.norm(X, axis=1)
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1 + 1e-12
    X, y = data.xor(500, rng=0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    X, y = data.circles(400, noise=0.0, factor=0.4, rng=0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1], axis=1), 0.4)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    X, y = data.checkerboard(1000, tiles=2, rng=0)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))


def test_digits_split_is_stratified_and_scaled():
    X_train, X_test, y_train, y_test = data.load_digits(test_size=0.25, rng=0)
    assert X_train.shape[1] == 64 and len(X_train) + len(X_test) == 1797
    assert abs(len(X_test) - 0.25 * 1797) < 10
    assert X_train.min() >= 0 and X_train.max() <= 1 and X_train.dtype == np.float64
    assert y_train.dtype == np.int64
    share_train = np.bincount(y_train) / len(y_train)
    share_test = np.bincount(y_test) / len(y_test)
    assert np.max(np.abs(share_train - share_test)) < 0.01
    X_img = data.load_digits(rng=0, flat=False)[0]
    assert X_img.shape == (len(X_train), 1, 8, 8)
    np.testing.assert_array_equal(X_img.reshape(len(X_train), -1), X_train)


def test_bad_input():
    with pytest.raises(ValueError, match=r"^n must be an integer"):
        data.spiral(10.5)
    with pytest.raises(ValueError, match=r"^n must be at least num_classes \(3\), got 2"):
        data.spiral(2, num_classes=3)
    with pytest.raises(ValueError, match=r"^num_classes must be > 0"):
        data.blobs(10, num_classes=0)
    with pytest.raises(ValueError, match=r"^noise must be >= 0, got -1"):
        data.moons(10, noise=-1)
    with pytest.raises(ValueError, match=r"^noise must be >= 0, got nan"):
        data.spiral(10, noise=float("nan"))
    with pytest.raises(ValueError, match=r"^turns must be > 0"):
        data.spiral(10, turns=0)
    with pytest.raises(ValueError, match=r"^tiles must be > 0"):
        data.checkerboard(10, tiles=0)
    with pytest.raises(ValueError, match=r"^factor must be in \[0, 1\)"):
        data.circles(10, factor=1.5)
    with pytest.raises(ValueError, match=r"^std must be >= 0"):
        data.blobs(10, std=-0.1)
    with pytest.raises(ValueError, match=r"^test_size must be in \[0, 1\)"):
        data.load_digits(test_size=1.0)
    with pytest.raises(ValueError, match=r"^test_size must be in \(0, 1\)"):
        data.load_digits(test_size=0.0)
    with pytest.raises(TypeError, match="rng"):
        data.xor(10, rng="seed")


def test_playground_features_columns_order_and_dtype():
    x = np.array([[0.5, -2.0], [1.0, 3.0]])
    f = data.playground_features(x, ["sin(x2)", "x1*x2", "x1", "x2^2"])
    np.testing.assert_array_equal(f, np.stack([np.sin(x[:, 1]), x[:, 0] * x[:, 1], x[:, 0], x[:, 1] ** 2], axis=1))
    assert data.playground_features(x.astype(np.float32), ["x1^2"]).dtype == np.float32
    assert data.playground_features(np.array([[1, 2]]), list(data.PLAYGROUND_FEATURES)).shape == (1, 7)
    for names, word in [([], "names"), (["x3"], "names"), (["x1", "x1"], "names"), ("x1", "names")]:
        with pytest.raises((ValueError, TypeError), match=rf"\b{word}\b"):
            data.playground_features(x, names)
    with pytest.raises(ValueError, match=r"\bx\b"):
        data.playground_features(np.zeros((3, 3)), ["x1"])
