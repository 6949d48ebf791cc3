r"""Layers: the functional core and the thin objects built on it.

Every layer in dlbook follows one pattern.

* A functional pair: ``*_forward(x, params...) -> (out, cache)`` and ``*_backward(dout, cache) -> grads``, the
  backward written by hand in the chapter's notation.
* A :class:`Module` wrapping the pair: ``forward(x)`` stores the cache, ``backward(dout)`` returns the gradient with
  respect to the input and **overwrites** ``self.grads`` (gradients are never accumulated), whose keys equal those of
  ``self.params``.

:class:`Sequential` chains modules; optimizers in ``dlbook.optim`` walk :meth:`Module.named_parameters`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_ndim, check_positive, get_rng
from dlbook.init import initialize

__all__ = ["Activation", "Flatten", "Linear", "Module", "Sequential", "linear_backward", "linear_forward"]


class Module:
    """Base class of every layer and network.

    Attributes
    ----------
    params : dict[str, numpy.ndarray]
        The layer's own parameters (children keep theirs).
    grads : dict[str, numpy.ndarray]
        Gradients of the loss with respect to ``params``, same keys, overwritten by each :meth:`backward`.
    training : bool
        Training mode (True) or evaluation mode (False); changes what BatchNorm and Dropout do.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training: bool = True

    # --- to be provided by subclasses -------------------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the output and remember what :meth:`backward` needs."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Given dL/d(output), set ``self.grads`` (overwriting) and return dL/d(input)."""
        raise NotImplementedError

    def children(self) -> list[Module]:
        """Sub-modules whose parameters belong to this one (none by default)."""
        return []

    # --- shared behaviour -------------------------------------------------------------------------------------
    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Module, str]]:
        """Yield ``(qualified_name, owner, key)`` for every parameter, children included.

        The parameter is ``owner.params[key]`` and its gradient ``owner.grads[key]``; optimizers update the array in
        place, so references held elsewhere stay valid.
        """
        for key in self.params:
            yield prefix + key, self, key
        for i, child in enumerate(self.children()):
            yield from child.named_parameters(f"{prefix}{i}.")

    def num_parameters(self) -> int:
        """Total number of scalar parameters, children included."""
        return int(sum(owner.params[key].size for _, owner, key in self.named_parameters()))

    def train(self, mode: bool = True) -> Module:
        """Set training mode (recursively) and return ``self``."""
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (recursively) and return ``self``."""
        return self.train(False)

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter, keyed by qualified name."""
        return {name: owner.params[key].copy() for name, owner, key in self.named_parameters()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy values from ``state`` (as returned by :meth:`state_dict`) into the parameters in place."""
        for name, owner, key in self.named_parameters():
            if name not in state:
                raise ValueError(f"state is missing parameter {name!r}")
            value = np.asarray(state[name])
            if value.shape != owner.params[key].shape:
                raise ValueError(f"state[{name!r}] must have shape {owner.params[key].shape}, got {value.shape}")
            owner.params[key][...] = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sequential(Module):
    """Chain of modules: ``forward`` runs them in order, ``backward`` in reverse.

    Parameters
    ----------
    *layers : Module
        The modules, first to last.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise ValueError(f"layers[{i}] must be a dlbook Module, got {type(layer).__name__}")
        self.layers = list(layers)

    def children(self) -> list[Module]:
        return self.layers

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"


def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    r"""Affine map :math:`z = W h + b`, applied to each row of a batch.

    Parameters
    ----------
    x : (N, D_in)
        Inputs :math:`h_{l-1}`, one per row.
    W : (D_out, D_in)
        Weights :math:`W_l`.
    b : (D_out,)
        Biases :math:`b_l`.

    Returns
    -------
    z : (N, D_out)
        Pre-activations.
    cache : tuple
        ``(x, W)`` for :func:`linear_backward`.
    """
    z = x @ W.T + b  # (N, D_out)
    return z, (x, W)


def linear_backward(dz: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`linear_forward`.

    With :math:`\delta = \partial L/\partial z` of shape (N, D_out): :math:`\partial L/\partial W = \delta^\top h`,
    :math:`\partial L/\partial b = \sum_n \delta_n` and :math:`\partial L/\partial h = \delta W`.

    Returns
    -------
    dx : (N, D_in)
    dW : (D_out, D_in)
    db : (D_out,)
    """
    x, W = cache
    return dz @ W, dz.T @ x, dz.sum(axis=0)


class Linear(Module):
    """Fully connected layer ``z = x W^T + b`` with weights of shape ``(out_features, in_features)``.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output row.
    init : str
        Weight initialization scheme (see :mod:`dlbook.init`); biases start at zero.
    rng : numpy.random.Generator or int, optional
        Source of randomness for the weights.
    dtype : numpy dtype
        float64 (default) or float32.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str = "he",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(in_features, "in_features", integer=True)
        check_positive(out_features, "out_features", integer=True)
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = get_rng(rng)
        self.params["W"] = initialize(init, (self.out_features, self.in_features), rng, dtype)
        self.params["b"] = np.zeros(self.out_features, dtype=dtype)
        self._cache: tuple | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        check_ndim(x, "x", 2)
        if x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}), got {x.shape}")
        out, self._cache = linear_forward(x, self.params["W"], self.params["b"])
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("Linear.backward called before forward")
        dx, self.grads["W"], self.grads["b"] = linear_backward(dout, self._cache)
        return dx

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"


class Flatten(Module):
    """Reshape ``(N, ...)`` to ``(N, prod(...))``; backward restores the shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout.reshape(self._shape)

    def __repr__(self) -> str:
        return "Flatten()"


class Activation(Module):
    r"""Elementwise activation layer :math:`h = \phi(z)`; backward is :math:`\partial L/\partial z = \delta \odot
    \phi'(z)`.

    Parameters
    ----------
    name : str
        A key of :data:`dlbook.activations.ACTIVATIONS` (``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"gelu"``, ...).
    """

    def __init__(self, name: str) -> None:
        from dlbook.activations import get_activation

        super().__init__()
        self.name = name
        self.spec = get_activation(name)
        self._z: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        self._z = x
        return self.spec.fn(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._z is None:
            raise RuntimeError("Activation.backward called before forward")
        dout = np.asarray(dout)
        if dout.shape != self._z.shape:
            raise ValueError(f"dout must have the shape of the forward output {self._z.shape}, got {dout.shape}")
        return dout * self.spec.grad(self._z)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"
