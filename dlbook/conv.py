r"""Convolution and pooling: the layers that give a network weight sharing over space.

A convolutional layer slides ``F`` kernels of shape ``(C, k_h, k_w)`` over an input of ``C`` channels and, at every
position, takes the dot product of the kernel with the patch under it (a *cross-correlation*, as every deep-learning
library computes it):

.. math:: z_{f,i,j} = b_f + \sum_{c=0}^{C-1} \sum_{u=0}^{k_h-1} \sum_{v=0}^{k_w-1}
          K_{f,c,u,v}\, x_{c,\, s i + u,\, s j + v}

with stride :math:`s` and the input zero-padded by :math:`p` on each side. The output is
:math:`\lfloor (H + 2p - k_h)/s \rfloor + 1` by :math:`\lfloor (W + 2p - k_w)/s \rfloor + 1`.

Two versions are provided and tested against each other:

* :func:`conv2d_reference`: four plain loops, the equation above read literally (slow; for reading and testing);
* :func:`conv2d_forward` / :func:`conv2d_backward`: the same sum as one matrix product (im2col): every patch becomes
  a column of a matrix, the kernels become rows, and one BLAS call does all the dot products.

Pooling (:func:`maxpool2d_forward`, :func:`avgpool2d_forward`, :func:`global_avgpool_forward`) and the module
classes :class:`Conv2d`, :class:`MaxPool2d`, :class:`AvgPool2d`, :class:`GlobalAvgPool2d` complete the set (batch
normalization over channels is :class:`dlbook.normalization.BatchNorm`, which accepts ``(N, C, H, W)`` inputs).

dtype: :class:`Conv2d` computes in its parameters' dtype (inputs are cast to it; outputs and gradients have it);
the functions and the pooling layers follow the input's floating dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_choice, check_ndim, check_positive, float_dtype, get_rng
from dlbook.init import initialize
from dlbook.layers import Module

__all__ = [
    "AvgPool2d",
    "Conv2d",
    "GlobalAvgPool2d",
    "MaxPool2d",
    "avgpool2d_backward",
    "avgpool2d_forward",
    "conv1d",
    "conv2d",
    "conv2d_backward",
    "conv2d_forward",
    "conv2d_num_params",
    "conv2d_reference",
    "conv_output_size",
    "global_avgpool_backward",
    "global_avgpool_forward",
    "maxpool2d_backward",
    "maxpool2d_forward",
]


# --------------------------------------------------------------------------------------------------------------
# Sizes and counts
# --------------------------------------------------------------------------------------------------------------
def _pair(value: Any, name: str, *, allow_zero: bool = False) -> tuple[int, int]:
    """Read an int or a pair of ints (height, width), each checked."""
    pair = tuple(value) if isinstance(value, tuple | list) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    for v in pair:
        check_positive(v, name, allow_zero=allow_zero, integer=True)
    return int(pair[0]), int(pair[1])


def conv_output_size(n: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    r"""Output length of a convolution or pooling along one axis: :math:`\lfloor (n + 2p - k)/s \rfloor + 1`.

    Parameters
    ----------
    n : int
        Input length (height or width).
    kernel_size : int
        Kernel length :math:`k`.
    stride : int
        Step :math:`s` between neighbouring windows (> 0).
    padding : int
        Zeros :math:`p` added on each side (>= 0).

    Raises
    ------
    ValueError
        If the kernel is larger than the padded input, or an argument is not a valid integer.
    """
    check_positive(n, "n", integer=True)
    check_positive(kernel_size, "kernel_size", integer=True)
    check_positive(stride, "stride", integer=True)
    check_positive(padding, "padding", allow_zero=True, integer=True)
    if kernel_size > n + 2 * padding:
        raise ValueError(
            f"kernel_size ({kernel_size}) is larger than the padded input ({n} + 2*{padding} = {n + 2 * padding})"
        )
    return (n + 2 * padding - kernel_size) // stride + 1


def conv2d_num_params(
    in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], bias: bool = True
) -> int:
    r"""Parameters of a 2-D convolution: :math:`F k_h k_w C + F` (the :math:`+F` only with a bias).

    Parameters
    ----------
    in_channels : int
        Input channels :math:`C`.
    out_channels : int
        Number of kernels :math:`F`.
    kernel_size : int or (int, int)
        :math:`k` or :math:`(k_h, k_w)`.
    bias : bool
        Whether each kernel has a bias.
    """
    check_positive(in_channels, "in_channels", integer=True)
    check_positive(out_channels, "out_channels", integer=True)
    kh, kw = _pair(kernel_size, "kernel_size")
    return out_channels * kh * kw * in_channels + (out_channels if bias else 0)


# --------------------------------------------------------------------------------------------------------------
# 1-D convolution (for the explorer)
# --------------------------------------------------------------------------------------------------------------
def conv1d(x: np.ndarray, w: np.ndarray, mode: str = "valid") -> np.ndarray:
    r"""1-D cross-correlation of a signal with a kernel, :math:`y_i = \sum_u w_u\, x_{i+u}`.

    The result equals ``numpy.correlate(x, w, mode)`` (for a signal at least as long as the kernel).

    Parameters
    ----------
    x : (T,)
        Input signal.
    w : (k,)
        Kernel, with ``k <= T``.
    mode : {"valid", "same", "full"}
        ``"valid"``: only positions where the kernel fits (length ``T - k + 1``); ``"same"``: zero padding so the
        output has length ``T``; ``"full"``: every overlap (length ``T + k - 1``).

    Returns
    -------
    y : ndarray
        The feature map, in the dtype of ``x``.
    """
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    check_ndim(x, "x", 1)
    check_ndim(w, "w", 1)
    check_choice(mode, "mode", ("valid", "same", "full"))
    k = w.shape[0]
    if k == 0:
        raise ValueError("w must hold at least one value")
    if k > x.shape[0]:
        raise ValueError(f"w (length {k}) must not be longer than x (length {x.shape[0]})")
    if mode == "full":
        left, right = k - 1, k - 1
    elif mode == "same":
        left = k // 2
        right = k - 1 - left
    else:
        left = right = 0
    xp = np.pad(x, (left, right))
    return (sliding_window_view(xp, k) @ w.astype(x.dtype)).astype(x.dtype, copy=False)  # (T_out,)


# --------------------------------------------------------------------------------------------------------------
# 2-D convolution
# --------------------------------------------------------------------------------------------------------------
def _check_cache(cache: object, size: int, producer: str) -> None:
    """``TypeError`` unless ``cache`` looks like what ``producer`` returned (a tuple of ``size`` entries)."""
    if not isinstance(cache, tuple) or len(cache) != size:
        raise TypeError(f"cache must be the cache returned by {producer}, got {type(cache).__name__}")


def _check_images(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as a float array of shape (N, C, H, W) with no empty axis."""
    x = as_float_array(x, name)
    check_ndim(x, name, 4)
    if min(x.shape) == 0:
        raise ValueError(f"{name} must have shape (N, C, H, W) with every size at least 1, got {x.shape}")
    return x


def _check_conv_inputs(
    x: Any, W: Any, b: Any, stride: Any, padding: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, tuple[int, int], tuple[int, int]]:
    x = _check_images(x)
    W = as_float_array(W, "W")
    check_ndim(W, "W", 4)
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding", allow_zero=True)
    N, C, H, Wd = x.shape
    F, Ck, kh, kw = W.shape
    if min(W.shape) == 0:
        raise ValueError(f"W must have shape (F, C, k_h, k_w) with every size at least 1, got {W.shape}")
    if Ck != C:
        raise ValueError(f"W must have shape (F, {C}, k_h, k_w) to match the {C} channels of x, got {W.shape}")
    if kh > H + 2 * ph or kw > Wd + 2 * pw:
        raise ValueError(
            f"the kernel ({kh}x{kw}) is larger than the padded input ({H + 2 * ph}x{Wd + 2 * pw}); "
            "use a smaller kernel or more padding"
        )
    if b is not None:
        b = as_float_array(b, "b")
        if b.shape != (F,):
            raise ValueError(f"b must have shape ({F},) (one bias per kernel), got {b.shape}")
        b = b.astype(x.dtype, copy=False)
    return x, W.astype(x.dtype, copy=False), b, (sh, sw), (ph, pw)


def conv2d_reference(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """2-D cross-correlation with plain loops: the equation read literally (slow; for reading and testing).

    Parameters
    ----------
    x : (N, C, H, W)
        Input images.
    W : (F, C, k_h, k_w)
        ``F`` kernels, each spanning all ``C`` channels.
    b : (F,), optional
        One bias per kernel.
    stride, padding : int or (int, int)
        Step between windows (> 0) and zeros added on each side (>= 0).

    Returns
    -------
    out : (N, F, H_out, W_out)
    """
    x, W, b, (sh, sw), (ph, pw) = _check_conv_inputs(x, W, b, stride, padding)
    N, C, H, Wd = x.shape
    F, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    patch = xp[n, :, i * sh : i * sh + kh, j * sw : j * sw + kw]  # (C, k_h, k_w)
                    out[n, f, i, j] = np.sum(patch * W[f]) + (b[f] if b is not None else 0.0)
    return out


def conv2d_forward(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> tuple[np.ndarray, tuple]:
    r"""Fast 2-D cross-correlation (im2col and one matrix product).

    Every receptive field of the padded input becomes one column of a matrix ``cols`` of shape
    ``(C k_h k_w, N H_out W_out)``; with the kernels flattened to rows ``K`` of shape ``(F, C k_h k_w)``, the whole
    layer is the product :math:`K \cdot \mathrm{cols}` plus the biases.

    Parameters
    ----------
    x : (N, C, H, W)
        Input images (float32 or float64; the output has the same dtype).
    W : (F, C, k_h, k_w)
        Kernels.
    b : (F,), optional
        Biases.
    stride, padding : int or (int, int)
        Step between windows (> 0) and zeros on each side (>= 0).

    Returns
    -------
    out : (N, F, H_out, W_out)
    cache : tuple
        What :func:`conv2d_backward` needs.
    """
    x, W, b, (sh, sw), (ph, pw) = _check_conv_inputs(x, W, b, stride, padding)
    N, C, H, Wd = x.shape
    F, _, kh, kw = W.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1
    xt = x.transpose(1, 0, 2, 3)  # (C, N, H, W): channel-major so the columns come out in one piece
    if ph or pw:
        xp = np.zeros((C, N, H + 2 * ph, Wd + 2 * pw), dtype=x.dtype)
        xp[:, :, ph : ph + H, pw : pw + Wd] = xt
    else:
        xp = xt
    cols = np.empty((C, kh, kw, N, Ho, Wo), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            cols[:, u, v] = xp[:, :, u : u + sh * (Ho - 1) + 1 : sh, v : v + sw * (Wo - 1) + 1 : sw]
    cols = cols.reshape(C * kh * kw, N * Ho * Wo)
    z = W.reshape(F, -1) @ cols  # (F, N*Ho*Wo): all dot products in one BLAS call
    if b is not None:
        z += b[:, None]
    out = np.ascontiguousarray(z.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3))  # (N, F, Ho, Wo)
    cache = (x.shape, W, b is not None, cols, (sh, sw), (ph, pw))
    return out, cache


def conv2d_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    r"""Backward of :func:`conv2d_forward`.

    With :math:`\delta` = ``dout`` flattened to ``(F, N H_out W_out)``: :math:`\partial L/\partial K = \delta\,
    \mathrm{cols}^\top`, :math:`\partial L/\partial b_f = \sum \delta_f`, and the gradient of the columns
    :math:`K^\top \delta` is added back onto the pixels each column was copied from (col2im).

    Parameters
    ----------
    dout : (N, F, H_out, W_out)
        Gradient of the loss with respect to the output.
    cache : tuple
        From :func:`conv2d_forward`.

    Returns
    -------
    dx : (N, C, H, W)
    dW : (F, C, k_h, k_w)
    db : (F,) or None
        None when the forward had no bias.
    """
    _check_cache(cache, 6, "conv2d_forward")
    x_shape, W, has_bias, cols, (sh, sw), (ph, pw) = cache
    N, C, H, Wd = x_shape
    F, _, kh, kw = W.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1
    dout = as_float_array(dout, "dout")
    if dout.shape != (N, F, Ho, Wo):
        raise ValueError(f"dout must have shape {(N, F, Ho, Wo)}, got {dout.shape}")
    dz = dout.astype(W.dtype, copy=False).transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*Ho*Wo)
    dW = (dz @ cols.T).reshape(W.shape)
    db = dz.sum(axis=1) if has_bias else None
    if (sh, sw) == (1, 1) and F * H * Wd < 2 * C * Ho * Wo:
        # Stride 1 with many input channels: dx is the "full" correlation of dout with the flipped kernels, done
        # as im2col of the zero-padded dout and one matrix product (cheaper than scattering columns back).
        dzp = np.zeros((F, N, Ho + 2 * (kh - 1), Wo + 2 * (kw - 1)), dtype=W.dtype)
        dzp[:, :, kh - 1 : kh - 1 + Ho, kw - 1 : kw - 1 + Wo] = dz.reshape(F, N, Ho, Wo)
        D = np.empty((F, kh, kw, N, H, Wd), dtype=W.dtype)
        for u in range(kh):
            for v in range(kw):
                a, b0 = ph + kh - 1 - u, pw + kw - 1 - v
                D[:, u, v] = dzp[:, :, a : a + H, b0 : b0 + Wd]
        dxt = W.transpose(1, 0, 2, 3).reshape(C, -1) @ D.reshape(F * kh * kw, -1)  # (C, N*H*W)
        dx = np.ascontiguousarray(dxt.reshape(C, N, H, Wd).transpose(1, 0, 2, 3))
        return dx, dW, db
    dcols = (W.reshape(F, -1).T @ dz).reshape(C, kh, kw, N, Ho, Wo)
    dxp = np.zeros((C, N, H + 2 * ph, Wd + 2 * pw), dtype=W.dtype)
    for u in range(kh):  # col2im: each kernel offset adds its slice back where it was read from
        for v in range(kw):
            dxp[:, :, u : u + sh * (Ho - 1) + 1 : sh, v : v + sw * (Wo - 1) + 1 : sw] += dcols[:, u, v]
    dx = np.ascontiguousarray(dxp[:, :, ph : ph + H, pw : pw + Wd].transpose(1, 0, 2, 3))
    return dx, dW, db


def conv2d(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """2-D cross-correlation of ``x`` (N, C, H, W) with kernels ``W`` (F, C, k_h, k_w): the output only.

    Same arguments as :func:`conv2d_forward`; returns ``out`` of shape (N, F, H_out, W_out).
    """
    return conv2d_forward(x, W, b, stride, padding)[0]


# --------------------------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------------------------
def _check_pool(x: Any, kernel_size: Any, stride: Any, padding: Any) -> tuple:
    x = _check_images(x)
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(kernel_size if stride is None else stride, "stride")
    ph, pw = _pair(padding, "padding", allow_zero=True)
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError(f"padding ({ph}, {pw}) must be at most half the kernel size ({kh}, {kw})")
    H, Wd = x.shape[2:]
    if kh > H + 2 * ph or kw > Wd + 2 * pw:
        raise ValueError(
            f"the pooling window ({kh}x{kw}) is larger than the padded input ({H + 2 * ph}x{Wd + 2 * pw}): "
            "lower kernel_size or raise padding"
        )
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1
    return x, (kh, kw), (sh, sw), (ph, pw), (Ho, Wo)


def maxpool2d_forward(
    x: np.ndarray,
    kernel_size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> tuple[np.ndarray, tuple]:
    """Max pooling: the largest value in each window of each channel.

    The common 2x2, stride-2 case on even sizes is done with four strided views (fast); other windows use a
    sliding-window view. Ties send the gradient to the first maximum in row-major order, as PyTorch does.

    Parameters
    ----------
    x : (N, C, H, W)
        Input feature maps.
    kernel_size : int or (int, int)
        Window size.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int)
        Implicit -inf padding on each side (at most half the window).

    Returns
    -------
    out : (N, C, H_out, W_out)
    cache : tuple
    """
    x, (kh, kw), (sh, sw), (ph, pw), (Ho, Wo) = _check_pool(x, kernel_size, stride, padding)
    N, C, H, Wd = x.shape
    if (kh, kw, sh, sw, ph, pw) == (2, 2, 2, 2, 0, 0) and H % 2 == 0 and Wd % 2 == 0:
        a, b_ = x[:, :, 0::2, 0::2], x[:, :, 0::2, 1::2]
        c, d = x[:, :, 1::2, 0::2], x[:, :, 1::2, 1::2]
        first_ab, first_cd = a >= b_, c >= d  # which of each pair wins (the first on a tie)
        top, bottom = np.maximum(a, b_), np.maximum(c, d)
        use_top = top >= bottom
        out = np.maximum(top, bottom)
        return out, ("fast", x.shape, x.dtype, first_ab, first_cd, use_top)
    xp = x
    if ph or pw:
        xp = np.full((N, C, H + 2 * ph, Wd + 2 * pw), -np.inf, dtype=x.dtype)
        xp[:, :, ph : ph + H, pw : pw + Wd] = x
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :Ho, :Wo]  # (N,C,Ho,Wo,kh,kw)
    flat = windows.reshape(N, C, Ho, Wo, kh * kw)
    arg = flat.argmax(axis=-1)  # first maximum in row-major order
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    return out, ("general", x.shape, x.dtype, arg, (kh, kw), (sh, sw), (ph, pw))


def maxpool2d_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward of :func:`maxpool2d_forward`: each window's gradient goes to its maximum.

    Parameters
    ----------
    dout : (N, C, H_out, W_out)
    cache : tuple

    Returns
    -------
    dx : (N, C, H, W)
    """
    if not isinstance(cache, tuple) or not cache or cache[0] not in ("fast", "general"):
        raise TypeError(f"cache must be the cache returned by maxpool2d_forward, got {type(cache).__name__}")
    kind, shape, dtype = cache[:3]
    N, C, H, Wd = shape
    dout = as_float_array(dout, "dout").astype(dtype, copy=False)
    dx = np.empty(shape, dtype=dtype) if kind == "fast" else None
    if kind == "fast":
        first_ab, first_cd, use_top = cache[3:]
        if dout.shape != use_top.shape:
            raise ValueError(f"dout must have shape {use_top.shape}, got {dout.shape}")
        g_top = dout * use_top  # the gradient of windows whose maximum is in the top row
        g_bottom = dout - g_top
        # written straight into the four interleaved quarters of dx (no temporaries)
        np.multiply(g_top, first_ab, out=dx[:, :, 0::2, 0::2])
        np.subtract(g_top, dx[:, :, 0::2, 0::2], out=dx[:, :, 0::2, 1::2])
        np.multiply(g_bottom, first_cd, out=dx[:, :, 1::2, 0::2])
        np.subtract(g_bottom, dx[:, :, 1::2, 0::2], out=dx[:, :, 1::2, 1::2])
        return dx
    arg, (kh, kw), (sh, sw), (ph, pw) = cache[3:]
    Ho, Wo = arg.shape[2:]
    if dout.shape != arg.shape:
        raise ValueError(f"dout must have shape {arg.shape}, got {dout.shape}")
    dxp = np.zeros((N, C, H + 2 * ph, Wd + 2 * pw), dtype=dtype)
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u : u + sh * (Ho - 1) + 1 : sh, v : v + sw * (Wo - 1) + 1 : sw] += np.where(
                arg == u * kw + v, dout, 0
            )
    return dxp[:, :, ph : ph + H, pw : pw + Wd].copy()


def avgpool2d_forward(
    x: np.ndarray,
    kernel_size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> tuple[np.ndarray, tuple]:
    """Average pooling: the mean of each window (zero padding counted in the mean, PyTorch's default).

    Parameters
    ----------
    x : (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)

    Returns
    -------
    out : (N, C, H_out, W_out)
    cache : tuple
    """
    x, (kh, kw), (sh, sw), (ph, pw), (Ho, Wo) = _check_pool(x, kernel_size, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    out = np.zeros(x.shape[:2] + (Ho, Wo), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            out += xp[:, :, u : u + sh * (Ho - 1) + 1 : sh, v : v + sw * (Wo - 1) + 1 : sw]
    out /= kh * kw
    return out, (x.shape, x.dtype, (kh, kw), (sh, sw), (ph, pw))


def avgpool2d_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward of :func:`avgpool2d_forward`: each window's gradient is shared equally by its inputs.

    Returns
    -------
    dx : (N, C, H, W)
    """
    _check_cache(cache, 5, "avgpool2d_forward")
    shape, dtype, (kh, kw), (sh, sw), (ph, pw) = cache
    N, C, H, Wd = shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1
    dout = as_float_array(dout, "dout").astype(dtype, copy=False)
    if dout.shape != (N, C, Ho, Wo):
        raise ValueError(f"dout must have shape {(N, C, Ho, Wo)}, got {dout.shape}")
    share = dout / (kh * kw)
    dxp = np.zeros((N, C, H + 2 * ph, Wd + 2 * pw), dtype=dtype)
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u : u + sh * (Ho - 1) + 1 : sh, v : v + sw * (Wo - 1) + 1 : sw] += share
    return dxp[:, :, ph : ph + H, pw : pw + Wd].copy()


def global_avgpool_forward(x: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Global average pooling: one number per channel, the mean over all positions.

    Parameters
    ----------
    x : (N, C, H, W)

    Returns
    -------
    out : (N, C)
    cache : tuple
    """
    x = _check_images(x)
    return x.mean(axis=(2, 3)), (x.shape, x.dtype)


def global_avgpool_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward of :func:`global_avgpool_forward`: ``dout / (H W)`` spread over every position.

    Returns
    -------
    dx : (N, C, H, W)
    """
    _check_cache(cache, 2, "global_avgpool_forward")
    shape, dtype = cache
    dout = as_float_array(dout, "dout").astype(dtype, copy=False)
    if dout.shape != shape[:2]:
        raise ValueError(f"dout must have shape {shape[:2]}, got {dout.shape}")
    return np.broadcast_to((dout / (shape[2] * shape[3]))[:, :, None, None], shape).copy()


# --------------------------------------------------------------------------------------------------------------
# Modules
# --------------------------------------------------------------------------------------------------------------
class Conv2d(Module):
    """Convolutional layer: ``out_channels`` kernels of size ``kernel_size`` over ``in_channels`` channels.

    Parameters
    ----------
    in_channels, out_channels : int
        :math:`C` and :math:`F`.
    kernel_size : int or (int, int)
        Kernel height and width.
    stride, padding : int or (int, int)
        As in :func:`conv2d_forward`.
    bias : bool
        Whether to learn one bias per kernel (``params["b"]``).
    init : str
        Weight initialization (see :mod:`dlbook.init`; fan-in is ``C k_h k_w``).
    rng : numpy.random.Generator or int, optional
    dtype : numpy dtype
        float64 (default) or float32.

    Notes
    -----
    ``params["W"]`` has shape ``(F, C, k_h, k_w)``; :meth:`backward` overwrites ``grads``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        init: str = "he",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(in_channels, "in_channels", integer=True)
        check_positive(out_channels, "out_channels", integer=True)
        self.dtype = float_dtype(dtype)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding", allow_zero=True)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.params["W"] = initialize(init, shape, get_rng(rng), self.dtype)
        if bias:
            self.params["b"] = np.zeros(self.out_channels, dtype=self.dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        check_ndim(x, "x", 4)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"x must have {self.in_channels} channels (shape (N, {self.in_channels}, H, W)), got {x.shape}"
            )
        x = x.astype(self.dtype, copy=False)
        out, self._cache = conv2d_forward(x, self.params["W"], self.params.get("b"), self.stride, self.padding)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        x_shape, W, _, _, (sh, sw), (ph, pw) = cache
        (N, _, H, Wd), (F, _, kh, kw) = x_shape, W.shape
        out_shape = (N, F, (H + 2 * ph - kh) // sh + 1, (Wd + 2 * pw - kw) // sw + 1)
        dx, dW, db = conv2d_backward(self._check_dout(dout, out_shape, self.dtype), cache)
        self.grads["W"] = dW
        if db is not None:
            self.grads["b"] = db
        return dx

    def __repr__(self) -> str:
        k, s, p = self.kernel_size, self.stride, self.padding
        return f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={k}, stride={s}, padding={p})"


class _Pool2d(Module):
    """What max and average pooling modules share: settings, the cache, forward/backward through a functional pair."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int] = 2,
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        kh, kw = _pair(kernel_size, "kernel_size")
        if stride is not None:
            _pair(stride, "stride")
        ph, pw = _pair(padding, "padding", allow_zero=True)
        if 2 * ph > kh or 2 * pw > kw:
            raise ValueError(f"padding ({ph}, {pw}) must be at most half the kernel size ({kh}, {kw})")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = self._forward(x, self.kernel_size, self.stride, self.padding)
        self._out_shape = out.shape
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        return self._backward(self._check_dout(dout, self._out_shape), cache)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size})"


class MaxPool2d(_Pool2d):
    """Max pooling module (see :func:`maxpool2d_forward`); no parameters."""

    _forward = staticmethod(maxpool2d_forward)
    _backward = staticmethod(maxpool2d_backward)


class AvgPool2d(_Pool2d):
    """Average pooling module (see :func:`avgpool2d_forward`); no parameters."""

    _forward = staticmethod(avgpool2d_forward)
    _backward = staticmethod(avgpool2d_backward)


class GlobalAvgPool2d(Module):
    """Global average pooling module: ``(N, C, H, W) -> (N, C)``; no parameters."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = global_avgpool_forward(x)
        self._out_shape = out.shape
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        return global_avgpool_backward(self._check_dout(dout, self._out_shape), cache)

    def __repr__(self) -> str:
        return "GlobalAvgPool2d()"
