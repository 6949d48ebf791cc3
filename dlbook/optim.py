r"""Optimizers, learning-rate schedules and gradient clipping.

An optimizer holds a reference to a model and, on each :meth:`Optimizer.step`, updates every parameter
``owner.params[key]`` **in place** from its gradient ``owner.grads[key]`` (as filled by the model's ``backward``).
With :math:`g_t` the gradient at step :math:`t` and :math:`\eta` the learning rate, the rules are PyTorch's:

* SGD with momentum :math:`\mu` (and weight decay :math:`\lambda` added to the gradient, :math:`g_t \leftarrow g_t +
  \lambda\theta_{t-1}`): :math:`b_t = \mu b_{t-1} + g_t` (with :math:`b_1 = g_1`), then :math:`\theta_t =
  \theta_{t-1} - \eta b_t`, or with Nesterov momentum :math:`\theta_t = \theta_{t-1} - \eta (g_t + \mu b_t)`.
* Adam: :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`, :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`, bias
  corrections :math:`\hat m_t = m_t / (1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`, and
  :math:`\theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)`.
* AdamW: Adam whose weight decay is decoupled from the gradient, :math:`\theta \leftarrow (1 - \eta\lambda)\theta`
  before the Adam step.

A schedule is any callable ``step -> lr``; the training loop calls it before each step and sets ``optimizer.lr``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dlbook._checks import check_model, check_positive, check_probability
from dlbook.layers import Module

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "Optimizer",
    "clip_grad_norm",
    "constant",
    "cosine",
    "exponential",
    "global_grad_norm",
    "step_decay",
    "warmup_cosine",
]


class Optimizer:
    r"""Base class: collects the model's ``(name, owner, key)`` parameter slots and counts steps.

    Parameters
    ----------
    model : Module
        The network whose parameters are updated.
    lr : float
        Learning rate (a settable attribute, so a schedule can change it between steps).
    weight_decay : float
        L2 penalty coefficient :math:`\lambda` (its meaning depends on the optimizer).

    Attributes
    ----------
    lr : float
        Current learning rate.
    t : int
        Number of steps taken so far.
    """

    def __init__(self, model: Module, lr: float, weight_decay: float = 0.0) -> None:
        if not isinstance(model, Module):
            raise ValueError(f"model must be a dlbook Module, got {type(model).__name__}")
        check_positive(lr, "lr")
        check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.model = model
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.slots = list(model.named_parameters())
        self.t = 0

    def _pairs(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Return ``(param, grad)`` for every slot, checking that each gradient exists and has the right shape."""
        pairs = []
        for name, owner, key in self.slots:
            p = owner.params[key]
            g = owner.grads.get(key)
            if g is None:
                raise RuntimeError(f"parameter {name!r} has no gradient: call the model's backward before step()")
            if g.shape != p.shape:
                raise ValueError(f"gradient of {name!r} must have shape {p.shape}, got {g.shape}")
            pairs.append((p, g))
        return pairs

    def step(self) -> None:
        """Update every parameter in place from its current gradient."""
        check_positive(self.lr, "lr")
        self.t += 1
        for i, (p, g) in enumerate(self._pairs()):
            self._update(i, p, g)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, weight_decay={self.weight_decay:g})"


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay, as ``torch.optim.SGD``.

    Parameters
    ----------
    model : Module
        The network to train.
    lr : float
        Learning rate :math:`\eta`.
    momentum : float
        Momentum coefficient :math:`\mu \in [0, 1)`; 0 gives plain SGD.
    nesterov : bool
        Use Nesterov momentum :cite:`sutskever2013importance` (needs ``momentum > 0``).
    weight_decay : float
        :math:`\lambda`, added to the gradient as :math:`\lambda\theta` (the gradient of
        :math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2`).
    """

    def __init__(
        self, model: Module, lr: float, momentum: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0
    ) -> None:
        super().__init__(model, lr, weight_decay)
        check_probability(momentum, "momentum")
        if nesterov and momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.buffers: list[np.ndarray | None] = [None] * len(self.slots)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = self.buffers[i]
            if buf is None:
                buf = self.buffers[i] = np.array(g, dtype=p.dtype, copy=True)
            else:
                buf *= self.momentum
                buf += g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= (self.lr * g).astype(p.dtype, copy=False)

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, nesterov={self.nesterov}, "
            f"weight_decay={self.weight_decay:g})"
        )


class Adam(Optimizer):
    r"""Adam :cite:`kingma2014adam` with bias correction, as ``torch.optim.Adam``.

    Parameters
    ----------
    model : Module
        The network to train.
    lr : float
        Step size :math:`\eta`.
    betas : tuple of float
        Decay rates :math:`(\beta_1, \beta_2)` of the first- and second-moment averages, each in [0, 1).
    eps : float
        :math:`\epsilon`, added to :math:`\sqrt{\hat v_t}` to avoid division by zero.
    weight_decay : float
        L2 penalty :math:`\lambda` added to the gradient (coupled; see :class:`AdamW` for the decoupled form).
    """

    decoupled = False

    def __init__(
        self,
        model: Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(model, lr, weight_decay)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        check_probability(betas[0], "betas[0]")
        check_probability(betas[1], "betas[1]")
        check_positive(eps, "eps")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.m = [np.zeros_like(owner.params[key]) for _, owner, key in self.slots]
        self.v = [np.zeros_like(owner.params[key]) for _, owner, key in self.slots]

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        b1, b2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                p *= 1.0 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p
        m, v = self.m[i], self.v[i]
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * (g * g)
        bc1 = 1.0 - b1**self.t
        bc2 = 1.0 - b2**self.t
        step = np.sqrt(v)  # the update, computed in place: lr / bc1 * m / (sqrt(v / bc2) + eps)
        step *= 1.0 / math.sqrt(bc2)
        step += self.eps
        np.divide(m, step, out=step)
        step *= self.lr / bc1
        p -= step.astype(p.dtype, copy=False)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, "
            f"weight_decay={self.weight_decay:g})"
        )


class AdamW(Adam):
    r"""Adam with decoupled weight decay :cite:`loshchilov2017decoupled`, as ``torch.optim.AdamW``.

    Before each Adam step the weights shrink by a factor :math:`1 - \eta\lambda`, independently of the gradient's
    scale, instead of adding :math:`\lambda\theta` to the gradient (which Adam would then rescale).

    Parameters
    ----------
    model : Module
        The network to train.
    lr : float
        Step size :math:`\eta`.
    betas : tuple of float
        :math:`(\beta_1, \beta_2)`.
    eps : float
        :math:`\epsilon`.
    weight_decay : float
        Decoupled decay :math:`\lambda` (PyTorch's default 0.01).
    """

    decoupled = True

    def __init__(
        self,
        model: Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(model, lr, betas, eps, weight_decay)


# --- gradient clipping ------------------------------------------------------------------------------------------
def global_grad_norm(model: Module) -> float:
    r"""Euclidean norm of all the model's gradients taken together, :math:`\sqrt{\sum_i \lVert g_i\rVert^2}`."""
    total = 0.0
    check_model(model)
    for name, owner, key in model.named_parameters():
        g = owner.grads.get(key)
        if g is None:
            raise RuntimeError(f"parameter {name!r} has no gradient: call the model's backward first")
        total += float(np.sum(np.square(g, dtype=np.float64)))
    return math.sqrt(total)


def clip_grad_norm(model: Module, max_norm: float) -> float:
    r"""Rescale all gradients in place so that their global norm is at most ``max_norm``, as PyTorch does.

    If the global norm :math:`\lVert g\rVert` exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / (norm + 1e-6)``; otherwise nothing changes.

    Parameters
    ----------
    model : Module
        The network whose ``grads`` are clipped.
    max_norm : float
        Largest allowed global norm.

    Returns
    -------
    float
        The global norm **before** clipping (useful to plot).
    """
    check_model(model)
    check_positive(max_norm, "max_norm")
    norm = global_grad_norm(model)
    coef = float(max_norm) / (norm + 1e-6)
    if coef < 1.0:
        for _, owner, key in model.named_parameters():
            g = owner.grads[key]
            g *= np.asarray(coef, dtype=g.dtype)
    return norm


# --- learning-rate schedules -------------------------------------------------------------------------------------
Schedule = Callable[[int], float]


def _check_step(step: int) -> int:
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
        raise ValueError(f"step must be an integer >= 0, got {step!r}")
    return int(step)


def constant(lr: float) -> Schedule:
    """Schedule that always returns ``lr``."""
    check_positive(lr, "lr")

    def schedule(step: int) -> float:
        _check_step(step)
        return float(lr)

    return schedule


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Piecewise-constant schedule :math:`\eta_t = \eta_0\,\gamma^{\lfloor t / s\rfloor}` (``torch``'s ``StepLR``).

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta_0`.
    step_size : int
        Steps :math:`s` between decays.
    gamma : float
        Factor applied at each decay, in (0, 1].
    """
    check_positive(lr, "lr")
    check_positive(step_size, "step_size", integer=True)
    check_positive(gamma, "gamma")

    def schedule(step: int) -> float:
        return float(lr * gamma ** (_check_step(step) // step_size))

    return schedule


def exponential(lr: float, gamma: float) -> Schedule:
    r"""Exponential decay :math:`\eta_t = \eta_0\,\gamma^t` (``torch``'s ``ExponentialLR`` applied per step).

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta_0`.
    gamma : float
        Decay per step, in (0, 1].
    """
    check_positive(lr, "lr")
    check_positive(gamma, "gamma")

    def schedule(step: int) -> float:
        return float(lr * gamma ** _check_step(step))

    return schedule


def cosine(lr: float, total_steps: int, lr_min: float = 0.0) -> Schedule:
    r"""Cosine annealing :cite:`loshchilov2016sgdr` from ``lr`` down to ``lr_min`` over ``total_steps``.

    .. math:: \eta_t = \eta_\min + \tfrac12(\eta_0 - \eta_\min)\bigl(1 + \cos(\pi t / T)\bigr),

    held at :math:`\eta_\min` for :math:`t \ge T`.

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta_0`.
    total_steps : int
        Length :math:`T` of the decay.
    lr_min : float
        Final rate.
    """
    check_positive(lr, "lr")
    check_positive(total_steps, "total_steps", integer=True)
    check_positive(lr_min, "lr_min", allow_zero=True)

    def schedule(step: int) -> float:
        t = min(_check_step(step), total_steps)
        return float(lr_min + 0.5 * (lr - lr_min) * (1.0 + math.cos(math.pi * t / total_steps)))

    return schedule


def warmup_cosine(lr: float, warmup_steps: int, total_steps: int, lr_min: float = 0.0) -> Schedule:
    r"""Linear warmup to ``lr`` over ``warmup_steps``, then cosine decay to ``lr_min`` at ``total_steps``.

    During warmup :math:`\eta_t = \eta_0 (t+1)/W` (so the first step is small but not zero)
    :cite:`goyal2017accurate`; afterwards the cosine of :func:`cosine` runs over the remaining
    :math:`T - W` steps.

    Parameters
    ----------
    lr : float
        Peak rate :math:`\eta_0`.
    warmup_steps : int
        Length :math:`W` of the warmup (0 for none).
    total_steps : int
        Total length :math:`T` (must exceed ``warmup_steps``).
    lr_min : float
        Final rate.
    """
    check_positive(lr, "lr")
    check_positive(warmup_steps, "warmup_steps", allow_zero=True, integer=True)
    check_positive(total_steps, "total_steps", integer=True)
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps must exceed warmup_steps={warmup_steps}, got {total_steps}")
    decay = cosine(lr, total_steps - warmup_steps, lr_min)

    def schedule(step: int) -> float:
        step = _check_step(step)
        if step < warmup_steps:
            return float(lr * (step + 1) / warmup_steps)
        return decay(step - warmup_steps)

    return schedule
