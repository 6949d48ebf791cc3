r"""Batch normalization and layer normalization.

Both standardize activations and then apply a learned per-feature scale :math:`\gamma` and shift :math:`\beta`:

.. math:: \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta .

They differ in what the mean :math:`\mu` and variance :math:`\sigma^2` are taken over.

* **Batch normalization** :cite:`ioffe2015batch`: over the mini-batch, separately for each feature (for ``(N, D)``
  inputs) or each channel (for ``(N, C, H, W)`` inputs, pooling the batch and the spatial positions). In training
  mode the batch statistics are used and exponential running averages are kept; in evaluation mode the running
  averages replace them, so a prediction does not depend on the rest of the batch.
* **Layer normalization** :cite:`ba2016layer`: over the features of each example (the last axis), the same in
  training and evaluation; the Transformer uses it.

The backward of both is the same formula: with :math:`g = \gamma \odot \partial L / \partial y` and :math:`M` the
number of values pooled into one statistic,

.. math:: \frac{\partial L}{\partial x} = \frac{1}{M\sqrt{\sigma^2+\epsilon}}
   \Bigl(M g - \textstyle\sum g - \hat x \sum g \odot \hat x\Bigr).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import (
    as_float_array,
    check_finite,
    check_ndim,
    check_positive,
    check_probability,
    check_shape,
    float_dtype,
)
from dlbook.layers import Module

__all__ = [
    "BatchNorm",
    "LayerNorm",
    "batchnorm_backward",
    "batchnorm_forward",
    "layernorm_backward",
    "layernorm_forward",
]


def _check_cache(cache: object, size: int, producer: str) -> None:
    """``TypeError`` unless ``cache`` looks like what ``producer`` returned (a tuple of ``size`` entries)."""
    if not isinstance(cache, tuple) or len(cache) != size:
        raise TypeError(f"cache must be the cache returned by {producer}, got {type(cache).__name__}")


def _bn_axes(x: np.ndarray) -> tuple[int, ...]:
    """Axes pooled by batch norm: all but the feature/channel axis 1."""
    return (0, *range(2, x.ndim))


def _bn_shape(x: np.ndarray) -> tuple[int, ...]:
    """Shape that broadcasts a per-channel vector against ``x``."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _check_bn_input(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = as_float_array(x, "x")
    check_ndim(x, "x", (2, 3, 4))
    if x.size == 0:
        raise ValueError(f"x must not be empty, got shape {x.shape}")
    gamma = as_float_array(gamma, "gamma")
    beta = as_float_array(beta, "beta")
    check_shape(gamma, "gamma", (x.shape[1],))
    check_shape(beta, "beta", (x.shape[1],))
    check_finite(x, "x")  # one NaN would spread through the batch statistics to every example
    return x, gamma, beta


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    eps: float = 1e-5,
    mean: np.ndarray | None = None,
    var: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple]:
    r"""Batch normalization of ``x`` per feature (axis 1).

    Parameters
    ----------
    x : (N, D) or (N, C, L) or (N, C, H, W)
        Inputs; statistics are pooled over every axis except axis 1.
    gamma, beta : (D,) or (C,)
        Scale and shift.
    eps : float
        Added to the variance.
    mean, var : (D,) or (C,), optional
        Fixed statistics to normalize with (evaluation mode: the running averages). If omitted, the batch's own
        mean and biased variance are used (training mode).

    Returns
    -------
    out : same shape as x
        :math:`\gamma\hat x + \beta`.
    cache : tuple
        What :func:`batchnorm_backward` needs; ``cache[-2:]`` are the batch mean and biased variance used.
    """
    x, gamma, beta = _check_bn_input(x, gamma, beta)
    check_positive(eps, "eps")
    axes, shape = _bn_axes(x), _bn_shape(x)
    training = mean is None
    if training:
        if x.size // x.shape[1] < 2:
            raise ValueError(f"x must hold more than one value per feature in training mode, got shape {x.shape}")
        m = x.size // x.shape[1]
        mu = np.add.reduce(x, axis=axes) / m  # (C,)
        xc = x - mu.reshape(shape)
        sigma2 = np.add.reduce(xc * xc, axis=axes) / m  # (C,) biased, as used to normalize
    else:
        if var is None:
            raise ValueError("var must be given together with mean")
        mu, sigma2 = as_float_array(mean, "mean"), as_float_array(var, "var")
        check_shape(mu, "mean", (x.shape[1],))
        check_shape(sigma2, "var", (x.shape[1],))
        xc = x - mu.reshape(shape)
    inv_std = 1.0 / np.sqrt(sigma2 + eps)  # (C,)
    xhat = xc * inv_std.reshape(shape)
    out = (gamma.reshape(shape) * xhat + beta.reshape(shape)).astype(x.dtype, copy=False)
    return out, (xhat, gamma, inv_std, training, mu, sigma2)


def batchnorm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`batchnorm_forward`.

    In training mode the batch statistics depend on every input, which gives the three-term formula of the module
    docstring; with fixed statistics (evaluation mode) the layer is affine and :math:`\partial L/\partial x =
    \gamma\, \partial L/\partial y / \sqrt{\sigma^2+\epsilon}`.

    Returns
    -------
    dx : same shape as dout
    dgamma, dbeta : (C,)
    """
    _check_cache(cache, 6, "batchnorm_forward")
    xhat, gamma, inv_std, training, _, _ = cache
    dout = as_float_array(dout, "dout")
    check_shape(dout, "dout", xhat.shape)
    axes, shape = _bn_axes(dout), _bn_shape(dout)
    dbeta = np.add.reduce(dout, axis=axes)
    dgamma = np.add.reduce(dout * xhat, axis=axes)
    if training:
        # with g = gamma * dout: the sums of g and g * xhat are gamma * dbeta and gamma * dgamma
        m = dout.size // dout.shape[1]
        k = gamma * inv_std  # (C,)
        dx = k.reshape(shape) * (dout - (dbeta.reshape(shape) + xhat * dgamma.reshape(shape)) / m)
    else:
        dx = dout * (gamma * inv_std).reshape(shape)
    return dx.astype(dout.dtype, copy=False), dgamma, dbeta


class BatchNorm(Module):
    r"""Batch normalization layer for ``(N, D)``, ``(N, C, L)`` and ``(N, C, H, W)`` inputs (PyTorch's conventions).

    In training mode it normalizes with the batch statistics and updates the running averages

    .. math:: \mu_\text{run} \leftarrow (1-m)\,\mu_\text{run} + m\,\mu_B, \qquad
       \sigma^2_\text{run} \leftarrow (1-m)\,\sigma^2_\text{run} + m\,\tfrac{M}{M-1}\sigma^2_B

    (the running variance is the unbiased estimate, :math:`M` values per feature); in evaluation mode it normalizes
    with the running averages.

    Parameters
    ----------
    num_features : int
        D or C, the size of axis 1.
    momentum : float
        Weight :math:`m` of the new batch in the running averages (PyTorch's default 0.1).
    eps : float
        Added to the variance.
    dtype : numpy dtype
        float64 (default) or float32.

    Attributes
    ----------
    buffers : dict
        ``running_mean`` and ``running_var``: state that is not trained, part of
        :meth:`~dlbook.layers.Module.state_dict` (so saved and restored with the parameters). A batch holding NaN or
        infinity raises ``ValueError`` and leaves them as they were.
    """

    def __init__(
        self, num_features: int, momentum: float = 0.1, eps: float = 1e-5, dtype: DTypeLike = np.float64
    ) -> None:
        super().__init__()
        check_positive(num_features, "num_features", integer=True)
        check_probability(momentum, "momentum", allow_one=True)
        check_positive(eps, "eps")
        self.dtype = float_dtype(dtype)
        self.num_features = int(num_features)
        self.momentum, self.eps = float(momentum), float(eps)
        self.params["gamma"] = np.ones(self.num_features, dtype=self.dtype)
        self.params["beta"] = np.zeros(self.num_features, dtype=self.dtype)
        self.buffers["running_mean"] = np.zeros(self.num_features, dtype=self.dtype)
        self.buffers["running_var"] = np.ones(self.num_features, dtype=self.dtype)

    @property
    def running_mean(self) -> np.ndarray:
        """Running average of the batch means, shape ``(num_features,)``."""
        return self.buffers["running_mean"]

    @property
    def running_var(self) -> np.ndarray:
        """Running average of the (unbiased) batch variances, shape ``(num_features,)``."""
        return self.buffers["running_var"]

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        check_ndim(x, "x", (2, 3, 4))
        if x.shape[1] != self.num_features:
            raise ValueError(f"x must have {self.num_features} features on axis 1, got shape {x.shape}")
        x = x.astype(self.dtype, copy=False)
        p = self.params
        if self.training:
            # every check happens in batchnorm_forward, before the running statistics are touched
            out, cache = batchnorm_forward(x, p["gamma"], p["beta"], self.eps)
            mu, var = cache[-2:]
            m = x.size // x.shape[1]
            rm, rv = self.buffers["running_mean"], self.buffers["running_var"]
            rm *= 1.0 - self.momentum
            rm += self.momentum * mu
            rv *= 1.0 - self.momentum
            rv += self.momentum * var * (m / (m - 1))
        else:
            out, cache = batchnorm_forward(
                x, p["gamma"], p["beta"], self.eps, self.buffers["running_mean"], self.buffers["running_var"]
            )
        self._cache = cache
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        dout = self._check_dout(dout, cache[0].shape, self.dtype)
        dx, dgamma, dbeta = batchnorm_backward(dout, cache)
        self.grads["gamma"], self.grads["beta"] = dgamma, dbeta
        return dx

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features}, momentum={self.momentum:g}, eps={self.eps:g})"


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, tuple]:
    r"""Layer normalization over the last axis: each row is standardized by its own mean and variance.

    Parameters
    ----------
    x : (..., D)
        Inputs (any leading shape, e.g. ``(N, D)`` or ``(B, T, D)``).
    gamma, beta : (D,)
        Scale and shift.
    eps : float
        Added to the variance.

    Returns
    -------
    out : (..., D)
    cache : tuple
        What :func:`layernorm_backward` needs.
    """
    x = as_float_array(x, "x")
    if x.ndim < 1 or x.shape[-1] < 1:
        raise ValueError(f"x must have a non-empty last axis, got shape {x.shape}")
    check_finite(x, "x")
    gamma, beta = as_float_array(gamma, "gamma"), as_float_array(beta, "beta")
    check_shape(gamma, "gamma", (x.shape[-1],))
    check_shape(beta, "beta", (x.shape[-1],))
    check_positive(eps, "eps")
    mu = x.mean(axis=-1, keepdims=True)  # (..., 1)
    inv_std = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)  # (..., 1)
    xhat = (x - mu) * inv_std
    out = (gamma * xhat + beta).astype(x.dtype, copy=False)
    return out, (xhat, gamma, inv_std)


def layernorm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`layernorm_forward`.

    Returns
    -------
    dx : (..., D)
    dgamma, dbeta : (D,)
        Summed over every leading axis.
    """
    _check_cache(cache, 3, "layernorm_forward")
    xhat, gamma, inv_std = cache
    dout = as_float_array(dout, "dout")
    check_shape(dout, "dout", xhat.shape)
    lead = tuple(range(dout.ndim - 1))
    dbeta = dout.sum(axis=lead)
    dgamma = (dout * xhat).sum(axis=lead)
    g = dout * gamma  # dL/dxhat
    d = dout.shape[-1]
    dx = (inv_std / d) * (d * g - g.sum(axis=-1, keepdims=True) - xhat * (g * xhat).sum(axis=-1, keepdims=True))
    return dx.astype(dout.dtype, copy=False), dgamma, dbeta


class LayerNorm(Module):
    """Layer normalization over the last axis, with learned ``gamma`` (ones) and ``beta`` (zeros).

    Parameters
    ----------
    dim : int
        Size D of the last axis.
    eps : float
        Added to the variance.
    dtype : numpy dtype
        float64 (default) or float32.
    """

    def __init__(self, dim: int, eps: float = 1e-5, dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        check_positive(dim, "dim", integer=True)
        check_positive(eps, "eps")
        self.dtype = float_dtype(dtype)
        self.dim, self.eps = int(dim), float(eps)
        self.params["gamma"] = np.ones(self.dim, dtype=self.dtype)
        self.params["beta"] = np.zeros(self.dim, dtype=self.dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim < 1 or x.shape[-1] != self.dim:
            raise ValueError(f"x must have shape (..., {self.dim}), got {x.shape}")
        x = x.astype(self.dtype, copy=False)
        out, self._cache = layernorm_forward(x, self.params["gamma"], self.params["beta"], self.eps)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        cache = self._get_cache()
        dout = self._check_dout(dout, cache[0].shape, self.dtype)
        dx, dgamma, dbeta = layernorm_backward(dout, cache)
        self.grads["gamma"], self.grads["beta"] = dgamma, dbeta
        return dx

    def __repr__(self) -> str:
        return f"LayerNorm({self.dim}, eps={self.eps:g})"
