r"""Regularization: dropout and the weight-decay penalty.

* **Dropout** :cite:`srivastava2014dropout`, in its *inverted* form: in training mode each unit is kept with
  probability :math:`1-p` and the kept ones are scaled by :math:`1/(1-p)`,

  .. math:: h' = \frac{m \odot h}{1-p}, \qquad m_i \sim \operatorname{Bernoulli}(1-p),

  so that :math:`\mathbb{E}[h'] = h` and evaluation mode is simply the identity.
* **Weight decay** adds :math:`\tfrac{\lambda}{2}\sum_l \lVert W_l\rVert_F^2` to the loss; its gradient
  :math:`\lambda W_l` is what the ``weight_decay`` argument of :mod:`dlbook.optim`'s optimizers adds.
  :func:`l2_penalty` computes the penalty's value. :func:`weight_penalty` is the L1 or L2 penalty on the weights
  only (not the biases), and can add its gradient to the model's: pass it to :func:`dlbook.train.fit` as
  ``penalty=``.
* **Early stopping** is an option of the training loop: :class:`dlbook.train.EarlyStopping`.
"""

from __future__ import annotations

import numpy as np

from dlbook._checks import as_float_array, check_choice, check_positive, check_probability, check_shape, get_rng
from dlbook.layers import Module

__all__ = ["Dropout", "dropout_backward", "dropout_forward", "l2_penalty", "weight_penalty"]


def dropout_forward(
    x: np.ndarray, p: float, rng: np.random.Generator | int | None = None, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout: zero each entry with probability ``p``, scale the rest by ``1 / (1 - p)``.

    Parameters
    ----------
    x : (N, ...)
        Activations.
    p : float
        Drop probability in [0, 1).
    rng : numpy.random.Generator or int, optional
        Source of the random mask.
    mask : ndarray of bool, optional
        A given keep-mask of the shape of ``x`` (then ``rng`` is not used): for gradient checks and figures.

    Returns
    -------
    out : same shape as x
    scale : same shape as x
        ``mask / (1 - p)`` in x's dtype; the cache of :func:`dropout_backward`.
    """
    x = as_float_array(x, "x")
    check_probability(p, "p")
    if mask is None:
        mask = get_rng(rng).random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64) >= p
    else:
        mask = np.asarray(mask)
        check_shape(mask, "mask", x.shape)
        if mask.dtype != bool and not (mask.dtype.kind in "iuf" and np.all((mask == 0) | (mask == 1))):
            raise ValueError(f"mask must be a boolean keep-mask (or 0/1 values), got dtype {mask.dtype}")
    scale = mask.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p))
    return x * scale, scale


def dropout_backward(dout: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Backward of :func:`dropout_forward`: the same mask and scale, applied to the incoming gradient."""
    if not isinstance(scale, np.ndarray):
        raise TypeError(f"scale must be the array returned by dropout_forward, got {type(scale).__name__}")
    dout = as_float_array(dout, "dout")
    check_shape(dout, "dout", scale.shape)
    return dout.astype(scale.dtype, copy=False) * scale


class Dropout(Module):
    """Inverted dropout layer: random in training mode, the identity in evaluation mode.

    Parameters
    ----------
    p : float
        Probability of dropping each unit, in [0, 1) (PyTorch's convention: ``p`` is the *drop* rate).
    rng : numpy.random.Generator or int, optional
        Source of the masks; the same seed gives the same sequence of masks (``None``: fresh entropy, so two
        layers built without ``rng`` drop different units).

    Attributes
    ----------
    freeze_mask : bool
        If True, reuse the last mask instead of drawing a new one (for gradient checks).
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        check_probability(p, "p")
        self.p = float(p)
        self.rng = get_rng(rng)
        self.freeze_mask = False
        self._scale: np.ndarray | None = None  # the last mask drawn (kept for freeze_mask)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if not self.training or self.p == 0.0:
            self._cache = (x.shape, x.dtype, None)  # the identity
            return x
        mask = None
        if self.freeze_mask and self._scale is not None and self._scale.shape == x.shape:
            mask = self._scale > 0
        out, self._scale = dropout_forward(x, self.p, self.rng, mask)
        self._cache = (x.shape, x.dtype, self._scale)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape, dtype, scale = self._get_cache()
        dout = self._check_dout(dout, shape, dtype)
        return dout if scale is None else dropout_backward(dout, scale)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"


def l2_penalty(model: Module, weight_decay: float, include_biases: bool = False) -> float:
    r"""The weight-decay term :math:`\tfrac{\lambda}{2}\sum \lVert W\rVert^2` of ``model``'s parameters.

    Parameters
    ----------
    model : Module
        The network.
    weight_decay : float
        :math:`\lambda`.
    include_biases : bool
        Also count one-dimensional parameters (biases, normalization scales); by default only matrices and
        kernels (``ndim >= 2``) are counted.

    Returns
    -------
    float
        The penalty, accumulated in float64.
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be a dlbook Module, got {type(model).__name__}")
    check_positive(weight_decay, "weight_decay", allow_zero=True)
    total = 0.0
    for _, owner, key in model.named_parameters():
        p = owner.params[key]
        if p.ndim >= 2 or include_biases:
            total += float(np.sum(np.square(p, dtype=np.float64)))
    return 0.5 * float(weight_decay) * total


def weight_penalty(model: Module, kind: str, rate: float, *, add_grad: bool = False) -> float:
    r"""The L1 or L2 penalty on ``model``'s weights (matrices and kernels, not biases), and optionally its gradient.

    L2 is :math:`\tfrac{\lambda}{2}\sum_l \lVert W_l\rVert_F^2` (gradient :math:`\lambda W_l`, as
    :func:`l2_penalty`); L1 is :math:`\lambda\sum_l \sum_{ij} |W_{l,ij}|` (gradient :math:`\lambda\,
    \operatorname{sign}(W_l)`, zero at zero). Only parameters with ``ndim >= 2`` count.

    Parameters
    ----------
    model : Module
        The network.
    kind : str
        ``"l1"`` or ``"l2"``.
    rate : float
        :math:`\lambda \ge 0`.
    add_grad : bool
        Also add the penalty's gradient to each weight's entry in its owner's ``grads`` (after ``backward``). This
        is what :func:`dlbook.train.fit` needs: ``penalty=lambda m: weight_penalty(m, "l2", 1e-3, add_grad=True)``.

    Returns
    -------
    float
        The penalty, accumulated in float64.
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be a dlbook Module, got {type(model).__name__}")
    check_choice(kind, "kind", ("l1", "l2"))
    check_positive(rate, "rate", allow_zero=True)
    if not isinstance(add_grad, bool):
        raise TypeError(f"add_grad must be True or False, got {add_grad!r}")
    weights = [(owner, key) for _, owner, key in model.named_parameters() if owner.params[key].ndim >= 2]
    if add_grad:
        for owner, key in weights:
            if key not in owner.grads or np.shape(owner.grads[key]) != owner.params[key].shape:
                raise RuntimeError(
                    f"weight_penalty(add_grad=True) needs the gradients: call {type(model).__name__}.backward first"
                )
    lam = float(rate)
    total = 0.0
    for owner, key in weights:
        w = owner.params[key]
        if kind == "l2":
            total += 0.5 * lam * float(np.sum(np.square(w, dtype=np.float64)))
            if add_grad:
                owner.grads[key] = owner.grads[key] + (lam * w).astype(w.dtype, copy=False)
        else:
            total += lam * float(np.sum(np.abs(w), dtype=np.float64))
            if add_grad:
                owner.grads[key] = owner.grads[key] + (lam * np.sign(w)).astype(w.dtype, copy=False)
    return total
