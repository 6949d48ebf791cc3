r"""Residual connections :cite:`he2016deep`.

Instead of :math:`h_l = f(h_{l-1})` a residual block computes

.. math:: h_l = h_{l-1} + f(h_{l-1}),

so its backward is :math:`\partial L/\partial h_{l-1} = \partial L/\partial h_l + (\partial f/\partial
h_{l-1})^\top \partial L/\partial h_l`: the gradient reaches the earlier layer through the identity term untouched,
however small the gradient through :math:`f` becomes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_positive, get_rng
from dlbook.layers import Activation, Linear, Module, Sequential

__all__ = ["ResidualBlock", "residual_mlp", "residual_mlp_block"]


class ResidualBlock(Module):
    """``h + f(h)`` for any module ``f`` whose output has the shape of its input.

    Parameters
    ----------
    f : Module
        The residual branch (typically a small :class:`~dlbook.layers.Sequential`: linear, activation, linear; or
        convolutions with normalization).
    """

    def __init__(self, f: Module) -> None:
        super().__init__()
        if not isinstance(f, Module):
            raise ValueError(f"f must be a dlbook Module, got {type(f).__name__}")
        self.f = f

    def children(self) -> list[Module]:
        return [self.f]

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        fx = self.f.forward(x)
        if fx.shape != x.shape:
            raise ValueError(f"the residual branch f must keep the shape of its input {x.shape}, got {fx.shape}")
        return x + fx

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout + self.f.backward(dout)  # identity path + branch path

    def __repr__(self) -> str:
        return f"ResidualBlock({self.f!r})"


def residual_mlp_block(
    dim: int,
    activation: str = "relu",
    hidden: int | None = None,
    norm: bool = False,
    init: str = "he",
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> ResidualBlock:
    r"""A fully connected residual block :math:`h + W_2\,\phi(W_1 \,\mathrm{N}(h) + b_1) + b_2`.

    Parameters
    ----------
    dim : int
        Width of :math:`h` (input and output).
    activation : str
        :math:`\phi`, a key of :data:`dlbook.activations.ACTIVATIONS`.
    hidden : int, optional
        Width inside the branch (``dim`` by default).
    norm : bool
        Put a :class:`~dlbook.normalization.BatchNorm` at the start of the branch (pre-activation style).
    init : str
        Weight initialization of both linear layers.
    rng : numpy.random.Generator or int, optional
        Source of the weights.
    dtype : numpy dtype
        float64 (default) or float32.
    """
    check_positive(dim, "dim", integer=True)
    hidden = dim if hidden is None else hidden
    check_positive(hidden, "hidden", integer=True)
    rng = get_rng(rng)
    layers: list[Module] = []
    if norm:
        from dlbook.normalization import BatchNorm

        layers.append(BatchNorm(dim, dtype=dtype))
    layers += [
        Linear(dim, hidden, init=init, rng=rng, dtype=dtype),
        Activation(activation),
        Linear(hidden, dim, init=init, rng=rng, dtype=dtype),
    ]
    return ResidualBlock(Sequential(*layers))


def residual_mlp(
    in_features: int,
    width: int,
    blocks: int,
    n_classes: int,
    activation: str = "relu",
    norm: bool = False,
    init: str = "he",
    rng: np.random.Generator | int | None = 0,
    dtype: DTypeLike = np.float64,
) -> Sequential:
    """A residual MLP: ``Linear(in_features, width)``, ``blocks`` residual blocks, an activation, ``Linear(width, C)``.

    Parameters
    ----------
    in_features : int
        Input size D.
    width : int
        Width of the residual stream.
    blocks : int
        Number of :func:`residual_mlp_block` blocks (each has two linear layers).
    n_classes : int
        Output size C (the logits).
    activation, norm, init, rng, dtype
        As in :func:`residual_mlp_block`.
    """
    check_positive(blocks, "blocks", integer=True, allow_zero=True)
    check_positive(n_classes, "n_classes", integer=True)
    rng = get_rng(rng)
    layers: list[Module] = [Linear(in_features, width, init=init, rng=rng, dtype=dtype)]
    layers += [residual_mlp_block(width, activation, norm=norm, init=init, rng=rng, dtype=dtype) for _ in range(blocks)]
    layers += [Activation(activation), Linear(width, n_classes, init=init, rng=rng, dtype=dtype)]
    return Sequential(*layers)
