r"""Data augmentation for small grayscale images such as scikit-learn's 8x8 digits.

A training image is replaced, each time it is used, by a slightly moved copy: shifted by up to a pixel or so and
rotated by a few degrees. The label does not change, so the network learns that these changes do not matter. Each
output pixel :math:`(u, v)` (measured from the image centre) reads the input at

.. math:: \begin{pmatrix} u' \\ v' \end{pmatrix} = R(-\theta) \begin{pmatrix} u - t_x \\ v - t_y \end{pmatrix},

by bilinear interpolation, with zeros (the background) outside the image. Every batch is transformed at once (no
Python loop over images).
"""

from __future__ import annotations

import math

import numpy as np

from dlbook._checks import as_float_array, check_finite, check_positive, get_rng

__all__ = ["RandomShiftRotate", "affine_images", "random_shift_rotate"]


def _as_images(x: np.ndarray, name: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """View ``x`` as ``(N, H, W)`` images; flat rows of a square image (N, H*W) and (N, 1, H, W) are accepted."""
    x = as_float_array(x, name)
    shape = x.shape
    if x.ndim == 2:
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1]:
            raise ValueError(f"{name} with shape (N, D) must hold square images (D a perfect square), got {shape}")
        imgs = x.reshape(len(x), side, side)
    elif x.ndim == 3:
        imgs = x
    elif x.ndim == 4 and x.shape[1] == 1:
        imgs = x[:, 0]
    else:
        raise ValueError(f"{name} must have shape (N, H*W), (N, H, W) or (N, 1, H, W), got {shape}")
    if min(imgs.shape) == 0:
        raise ValueError(f"{name} must hold at least one image of at least one pixel, got shape {shape}")
    check_finite(imgs, name)
    return imgs, shape


def affine_images(x: np.ndarray, angles: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Rotate each image by ``angles[n]`` degrees (counter-clockwise) and shift it by ``shifts[n]`` pixels.

    Parameters
    ----------
    x : (N, H*W), (N, H, W) or (N, 1, H, W)
        Images (flat rows must be square images).
    angles : (N,)
        Rotation angles in degrees.
    shifts : (N, 2)
        ``(dx, dy)`` shifts in pixels, right and down positive; fractional shifts interpolate.

    Returns
    -------
    ndarray
        The transformed images, with the shape and dtype of ``x``.
    """
    imgs, shape = _as_images(x, "x")
    n, h, w = imgs.shape
    angles = as_float_array(angles, "angles").astype(np.float64, copy=False)
    shifts = as_float_array(shifts, "shifts").astype(np.float64, copy=False)
    if angles.shape != (n,):
        raise ValueError(f"angles must have shape ({n},), got {angles.shape}")
    if shifts.shape != (n, 2):
        raise ValueError(f"shifts must have shape ({n}, 2), got {shifts.shape}")
    check_finite(angles, "angles")
    check_finite(shifts, "shifts")
    theta = np.deg2rad(angles)[:, None, None]  # (N, 1, 1)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    v, u = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")  # (H, W) each
    u = u[None] - shifts[:, 0, None, None]  # (N, H, W)
    v = v[None] - shifts[:, 1, None, None]
    # inverse rotation (image rows grow downwards, so a positive angle turns the digit counter-clockwise on screen)
    cos, sin = np.cos(theta), np.sin(theta)
    src_x = cos * u - sin * v + cx
    src_y = sin * u + cos * v + cy
    x0, y0 = np.floor(src_x).astype(np.int64), np.floor(src_y).astype(np.int64)
    fx, fy = src_x - x0, src_y - y0
    flat = imgs.reshape(n, h * w)
    rows = np.arange(n)[:, None, None]
    out = np.zeros((n, h, w), dtype=np.float64)
    for dy, dx, weight in ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)), (1, 0, (1 - fx) * fy), (1, 1, fx * fy)):
        yy, xx = y0 + dy, x0 + dx
        inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        idx = np.where(inside, yy * w + xx, 0)
        out += np.where(inside, weight * flat[rows, idx], 0.0)
    return out.astype(imgs.dtype, copy=False).reshape(shape)


def random_shift_rotate(
    x: np.ndarray,
    rng: np.random.Generator | int | None = None,
    max_shift: float = 1.0,
    max_degrees: float = 10.0,
    integer_shifts: bool = True,
) -> np.ndarray:
    """Shift and rotate every image by its own random amount.

    Parameters
    ----------
    x : (N, H*W), (N, H, W) or (N, 1, H, W)
        Images.
    rng : numpy.random.Generator or int, optional
        Source of the random amounts (``None``: fresh entropy).
    max_shift : float
        Shifts are drawn from ``[-max_shift, max_shift]`` pixels on each axis.
    max_degrees : float
        Angles are drawn uniformly from ``[-max_degrees, max_degrees]``.
    integer_shifts : bool
        Round shifts to whole pixels (a whole-pixel move keeps the strokes sharp).

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.
    """
    check_positive(max_shift, "max_shift", allow_zero=True)
    check_positive(max_degrees, "max_degrees", allow_zero=True)
    n = _as_images(x, "x")[0].shape[0]  # every check before the generator moves
    rng = get_rng(rng)
    shifts = rng.uniform(-max_shift, max_shift, size=(n, 2))
    if integer_shifts:
        shifts = np.round(shifts)
    angles = rng.uniform(-max_degrees, max_degrees, size=n)
    return affine_images(x, angles, shifts)


class RandomShiftRotate:
    """Augmentation usable as the ``transform`` of :class:`dlbook.train.ArrayBatches`: ``transform(x_batch, rng)``.

    Parameters
    ----------
    max_shift : float
        Largest shift in pixels on each axis.
    max_degrees : float
        Largest rotation in degrees.
    integer_shifts : bool
        Round shifts to whole pixels.
    """

    def __init__(self, max_shift: float = 1.0, max_degrees: float = 10.0, integer_shifts: bool = True) -> None:
        check_positive(max_shift, "max_shift", allow_zero=True)
        check_positive(max_degrees, "max_degrees", allow_zero=True)
        self.max_shift, self.max_degrees, self.integer_shifts = float(max_shift), float(max_degrees), integer_shifts

    def __call__(self, x: np.ndarray, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Return a randomly shifted and rotated copy of the batch ``x`` (see :func:`random_shift_rotate`)."""
        return random_shift_rotate(x, rng, self.max_shift, self.max_degrees, self.integer_shifts)

    def __repr__(self) -> str:
        return f"RandomShiftRotate(max_shift={self.max_shift:g}, max_degrees={self.max_degrees:g})"
