"""Shifts and rotations of digit images."""

import numpy as np
import pytest

from dlbook.augment import RandomShiftRotate, affine_images, random_shift_rotate
from dlbook.data import load_digits


def _dot(h=5, w=5, r=1, c=2):
    x = np.zeros((1, h, w))
    x[0, r, c] = 1.0
    return x


def test_identity_shift_and_rotation():
    x = np.random.default_rng(0).random((3, 8, 8))
    np.testing.assert_allclose(affine_images(x, np.zeros(3), np.zeros((3, 2))), x, atol=1e-12)
    shifted = affine_images(_dot(), [0.0], [[1.0, 2.0]])  # right 1, down 2
    assert np.argwhere(shifted[0] == 1).tolist() == [[3, 3]]
    rotated = affine_images(_dot(), [90.0], [[0.0, 0.0]])  # top centre -> left centre (counter-clockwise)
    assert np.argwhere(np.isclose(rotated[0], 1)).tolist() == [[2, 1]]
    back = affine_images(affine_images(_dot(), [90.0], [[0, 0]]), [-90.0], [[0, 0]])
    np.testing.assert_allclose(back, _dot(), atol=1e-12)


def test_shapes_dtype_and_background():
    X_tr, _, _, _ = load_digits()
    flat = X_tr[:16].astype(np.float32)
    out = random_shift_rotate(flat, rng=0, max_shift=1, max_degrees=15)
    assert out.shape == flat.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1 + 1e-6
    assert not np.allclose(out, flat)
    img = flat.reshape(16, 1, 8, 8)
    np.testing.assert_allclose(random_shift_rotate(img, rng=0, max_shift=1, max_degrees=15).reshape(16, 64), out)
    # a shift moves content off the edge and fills with zeros
    moved = affine_images(np.ones((1, 4, 4)), [0.0], [[2.0, 0.0]])
    np.testing.assert_array_equal(moved[0][:, :2], 0)
    np.testing.assert_array_equal(moved[0][:, 2:], 1)


def test_transform_is_reproducible_and_matches_fit_signature():
    X = np.random.default_rng(0).random((10, 64))
    t = RandomShiftRotate(max_shift=1, max_degrees=10)
    np.testing.assert_array_equal(t(X, np.random.default_rng(5)), t(X, np.random.default_rng(5)))
    assert not np.array_equal(t(X, np.random.default_rng(5)), t(X, np.random.default_rng(6)))
    assert np.array_equal(RandomShiftRotate(0, 0)(X, 1), X)


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: affine_images(np.ones((2, 10)), np.zeros(2), np.zeros((2, 2))), r"^x with shape .* perfect square"),
        (
            lambda: affine_images(np.ones((2, 2, 4, 4)), np.zeros(2), np.zeros((2, 2))),
            r"^x must have shape \(N, H\*W\)",
        ),
        (lambda: affine_images(np.ones((0, 4, 4)), np.zeros(0), np.zeros((0, 2))), r"^x must hold at least one image"),
        (lambda: affine_images(np.full((1, 4, 4), np.nan), np.zeros(1), np.zeros((1, 2))), r"^x contains 16 NaN"),
        (lambda: affine_images(np.ones((2, 4, 4)), np.zeros(3), np.zeros((2, 2))), r"^angles must have shape \(2,\)"),
        (lambda: affine_images(np.ones((1, 4, 4)), np.array([np.inf]), np.zeros((1, 2))), r"^angles contains"),
        (lambda: affine_images(np.ones((2, 4, 4)), np.zeros(2), np.zeros(2)), r"^shifts must have shape \(2, 2\)"),
        (lambda: RandomShiftRotate(max_shift=-1), r"^max_shift must be >= 0"),
        (lambda: random_shift_rotate(np.ones((2, 16)), 0, max_degrees=-3), r"^max_degrees must be >= 0"),
        (lambda: random_shift_rotate(np.ones(16), 0), r"^x must have shape"),
    ],
)
def test_bad_input_raises(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_bad_batch_leaves_the_generator_untouched():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        random_shift_rotate(np.ones((2, 10)), rng)
    assert rng.random() == np.random.default_rng(0).random()
