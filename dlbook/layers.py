r"""Layers: the functional core, the one layer contract, and the basic layers built on it.

Every layer in dlbook follows one pattern.

* A functional pair: ``thing_forward(x, params...) -> (out, cache)`` and ``thing_backward(dout, cache) -> grads``,
  the backward written by hand in the chapter's notation.
* A :class:`Module` wrapping the pair, under one contract:

  - ``forward(*inputs, **settings)``: positional arguments are the **inputs**; keyword-only arguments (a mask, a
    recurrent state, a flag) are **settings** and have no gradient. ``forward`` keeps what the backward pass needs
    in ``self._cache``.
  - ``backward(dout)`` returns the gradient of the loss with respect to each input: one array for a module with one
    input, a tuple in input order for several, and ``None`` for an input that has no gradient (token ids). It
    **overwrites** ``self.grads`` (gradients are never accumulated), whose keys equal those of ``self.params``.
    Called before ``forward`` it raises ``RuntimeError``; a ``dout`` of the wrong shape raises ``ValueError``.
  - ``params``, ``grads`` and ``buffers`` (running statistics and other state that is not trained) are dicts of
    arrays; :meth:`Module.state_dict` holds both parameters and buffers.
  - dtype rule: a module computes in its parameters' dtype (float64 by default, float32 on request); inputs of
    another dtype are cast to it and its outputs and gradients have it. Modules without parameters follow the
    input's floating dtype (integers and booleans become float64).

:class:`Sequential` chains modules; optimizers in ``dlbook.optim`` walk :meth:`Module.named_parameters` and update
the arrays in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import (
    as_float_array,
    check_cache,
    check_finite,
    check_ndim,
    check_positive,
    check_shape,
    float_dtype,
    get_rng,
)
from dlbook.activations import get_activation
from dlbook.init import initialize

__all__ = [
    "Activation",
    "Embedding",
    "Flatten",
    "Linear",
    "Module",
    "ResidualBlock",
    "Sequential",
    "embedding_backward",
    "embedding_forward",
    "linear_backward",
    "linear_forward",
]


def _fmt(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


class Module:
    """Base class of every layer and network: the layer contract of dlbook (see the module docstring).

    Attributes
    ----------
    params : dict[str, numpy.ndarray]
        The module's own parameters (children keep theirs).
    grads : dict[str, numpy.ndarray]
        Gradients of the loss with respect to ``params``, same keys, overwritten by each :meth:`backward`.
    buffers : dict[str, numpy.ndarray]
        State that is not trained but belongs to the model (BatchNorm's running statistics); saved by
        :meth:`state_dict`.
    training : bool
        Training mode (True) or evaluation mode (False); changes what BatchNorm and Dropout do.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.training: bool = True
        self._cache: Any = None

    # --- to be provided by subclasses -------------------------------------------------------------------------
    def forward(self, *inputs: Any, **settings: Any) -> Any:
        """Compute the output and keep what :meth:`backward` needs in ``self._cache``."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> Any:
        """Given dL/d(output), set ``self.grads`` (overwriting) and return dL/d(each input)."""
        raise NotImplementedError

    def children(self) -> list[Module]:
        """Sub-modules whose parameters belong to this one (none by default)."""
        return []

    # --- helpers for subclasses -------------------------------------------------------------------------------
    def _get_cache(self) -> Any:
        """The cache of the last forward pass; ``RuntimeError`` if there was none."""
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._cache

    def _check_dout(self, dout: Any, shape: Sequence[int], dtype: DTypeLike | None = None) -> np.ndarray:
        """``dout`` as an array of exactly ``shape`` (the forward output's), cast to ``dtype`` if given.

        A NaN or infinite gradient is refused here, once for every layer: passed on, it would reach every parameter
        below and the optimizer would write it into the weights without a word.
        """
        d = as_float_array(dout, "dout")
        if d.shape != tuple(shape):
            raise ValueError(
                f"dout must have the shape of {type(self).__name__}.forward's output {_fmt(shape)}, got {_fmt(d.shape)}"
            )
        check_finite(d, "dout")
        return d if dtype is None else d.astype(dtype, copy=False)

    # --- shared behaviour -------------------------------------------------------------------------------------
    def __call__(self, *inputs: Any, **settings: Any) -> Any:
        return self.forward(*inputs, **settings)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Module, str]]:
        """Yield ``(qualified_name, owner, key)`` for every parameter, children included.

        The parameter is ``owner.params[key]`` and its gradient ``owner.grads[key]``; optimizers update the array in
        place, so references held elsewhere stay valid.
        """
        for key in self.params:
            yield prefix + key, self, key
        for i, child in enumerate(self.children()):
            yield from child.named_parameters(f"{prefix}{i}.")

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Module, str]]:
        """Yield ``(qualified_name, owner, key)`` for every buffer (``owner.buffers[key]``), children included."""
        for key in self.buffers:
            yield prefix + key, self, key
        for i, child in enumerate(self.children()):
            yield from child.named_buffers(f"{prefix}{i}.")

    def num_parameters(self) -> int:
        """Total number of scalar parameters, children included."""
        return int(sum(owner.params[key].size for _, owner, key in self.named_parameters()))

    def train(self, mode: bool = True) -> Module:
        """Set training mode (recursively) and return ``self``."""
        if not isinstance(mode, bool | np.bool_):
            raise TypeError(f"mode must be True or False, got {mode!r}")
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (recursively) and return ``self``."""
        return self.train(False)

    def _state_entries(self) -> list[tuple[str, dict[str, np.ndarray], str]]:
        entries = [(name, owner.params, key) for name, owner, key in self.named_parameters()]
        entries += [(name, owner.buffers, key) for name, owner, key in self.named_buffers()]
        return entries

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer (running statistics), keyed by qualified name."""
        return {name: store[key].copy() for name, store, key in self._state_entries()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy values from ``state`` (as returned by :meth:`state_dict`) into the parameters and buffers in place.

        Every name and shape is checked before anything is written: on a ``ValueError`` the module is unchanged.
        """
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict as returned by state_dict(), got {type(state).__name__}")
        entries = self._state_entries()
        names = {name for name, _, _ in entries}
        missing = [name for name in names if name not in state]
        unexpected = [name for name in state if name not in names]
        if missing or unexpected:
            raise ValueError(f"state does not match the module: missing {sorted(missing)}, unexpected {unexpected}")
        values = {}
        for name, store, key in entries:
            value = np.asarray(state[name])
            if value.shape != store[key].shape:
                raise ValueError(f"state[{name!r}] must have shape {_fmt(store[key].shape)}, got {_fmt(value.shape)}")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"state[{name!r}] contains NaN or infinite values")
            values[name] = value
        for name, store, key in entries:
            store[key][...] = values[name]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sequential(Module):
    """Chain of single-input modules: ``forward`` runs them in order, ``backward`` in reverse.

    Parameters
    ----------
    *layers : Module
        The modules, first to last.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"layers[{i}] must be a dlbook Module, got {type(layer).__name__}")
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        self.layers = list(layers)

    def children(self) -> list[Module]:
        return self.layers

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        self._cache = True
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        self._get_cache()
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
    r"""Affine map :math:`z = W h + b`, applied to the last axis of ``x``.

    Parameters
    ----------
    x : (..., D_in)
        Inputs :math:`h_{l-1}`, one per row (any number of leading axes).
    W : (D_out, D_in)
        Weights :math:`W_l`.
    b : (D_out,)
        Biases :math:`b_l`.

    Returns
    -------
    z : (..., D_out)
        Pre-activations.
    cache : tuple
        ``(x, W)`` for :func:`linear_backward`.
    """
    # Every leading position is one row of a single (N, D_in) @ (D_in, D_out) product: for 3-D inputs this is about
    # twice as fast as NumPy's batched matmul, and for 2-D inputs it is the same product.
    x, W, b = as_float_array(x, "x"), as_float_array(W, "W"), as_float_array(b, "b")
    check_ndim(W, "W", 2)
    check_shape(b, "b", (W.shape[0],))
    if x.ndim == 0 or x.shape[-1] != W.shape[1]:
        raise ValueError(f"x must have shape (..., {W.shape[1]}) (W has {W.shape[1]} input columns), got {x.shape}")
    z = (x.reshape(-1, x.shape[-1]) @ W.T + b).reshape(*x.shape[:-1], W.shape[0])  # (..., D_out)
    return z, (x, W)


def linear_backward(dz: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward of :func:`linear_forward`.

    With :math:`\delta = \partial L/\partial z` of shape (..., D_out), summing over every leading position
    :math:`n`: :math:`\partial L/\partial W = \sum_n \delta_n h_n^\top`, :math:`\partial L/\partial b = \sum_n
    \delta_n` and :math:`\partial L/\partial h = \delta W`.

    Returns
    -------
    dx : (..., D_in)
    dW : (D_out, D_in)
    db : (D_out,)
    """
    x, W = check_cache(cache, "cache", 2, "linear_forward")
    dz = as_float_array(dz, "dz")
    check_shape(dz, "dz", (*x.shape[:-1], W.shape[0]))
    d2 = dz.reshape(-1, dz.shape[-1])  # (N, D_out), N = all leading positions
    return (d2 @ W).reshape(x.shape), d2.T @ x.reshape(-1, x.shape[-1]), d2.sum(axis=0)


class Linear(Module):
    """Fully connected layer ``z = x W^T + b`` on the last axis, weights of shape ``(out_features, in_features)``.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the last axis of the input and of the output.
    init : str
        Weight initialization scheme (see :mod:`dlbook.init`); biases start at zero.
    rng : numpy.random.Generator or int, optional
        Source of randomness for the weights (``None``: fresh entropy).
    dtype : numpy dtype
        float64 (default) or float32: the dtype of the parameters, outputs and gradients.
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
        self.dtype = float_dtype(dtype)
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.params["W"] = initialize(init, (self.out_features, self.in_features), get_rng(rng), self.dtype)
        self.params["b"] = np.zeros(self.out_features, dtype=self.dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise ValueError(f"x must have shape (..., {self.in_features}), got {_fmt(x.shape)}")
        out, self._cache = linear_forward(x.astype(self.dtype, copy=False), self.params["W"], self.params["b"])
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x, W = self._get_cache()
        dout = self._check_dout(dout, (*x.shape[:-1], self.out_features), self.dtype)
        dx, dW, db = linear_backward(dout, (x, W))
        self.grads["W"], self.grads["b"] = dW, db
        return dx

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"


class Flatten(Module):
    """Reshape ``(N, ...)`` to ``(N, prod(...))``; backward restores the shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim < 1:
            raise ValueError(f"x must have a batch axis, got shape {_fmt(x.shape)}")
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape = self._get_cache()
        d = self._check_dout(dout, (shape[0], int(np.prod(shape[1:], dtype=np.int64))))
        return d.reshape(shape)

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
        super().__init__()
        self.spec = get_activation(name)
        self.name = name

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        self._cache = x
        return self.spec.fn(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        z = self._get_cache()
        return self._check_dout(dout, z.shape, z.dtype) * self.spec.grad(z)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _as_ids(ids: Any, name: str, vocab_size: int) -> np.ndarray:
    """Integer token ids in ``[0, vocab_size)`` as int64 (whole-valued floats are accepted)."""
    arr = np.asarray(ids)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integer token ids, got non-integer values")
    elif arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer token ids, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        raise ValueError(
            f"{name} must hold ids in [0, {vocab_size}), got values from {int(arr.min())} to {int(arr.max())}"
        )
    return arr


def embedding_forward(ids: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Look up rows of the table: ``out[..., :] = W[ids[...]]``.

    Parameters
    ----------
    ids : (...) int
        Token ids, each in ``[0, V)``.
    W : (V, D)
        One vector per token.

    Returns
    -------
    out : (..., D)
    cache : tuple
    """
    W = as_float_array(W, "W")
    check_ndim(W, "W", 2)
    ids = _as_ids(ids, "ids", W.shape[0])
    return W[ids], (ids, W.shape)


def embedding_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Gradient of the table: each row receives the sum of the gradients of the positions that looked it up.

    Returns
    -------
    dW : (V, D)
    """
    ids, shape = check_cache(cache, "cache", 2, "embedding_forward")
    dout = as_float_array(dout, "dout")
    check_shape(dout, "dout", (*ids.shape, shape[1]))
    dW = np.zeros(shape, dtype=dout.dtype)
    np.add.at(dW, ids.ravel(), dout.reshape(-1, shape[1]))
    return dW


class Embedding(Module):
    """A table of learned vectors, one per token: ``forward(ids (...)) -> (..., embed_dim)``.

    Parameters
    ----------
    vocab_size : int
        Number of tokens :math:`V`.
    embed_dim : int
        Vector size :math:`D`.
    std : float
        Standard deviation of the normal initialization (PyTorch uses 1, GPT-2 0.02).
    rng, dtype
        Randomness and floating type of the table.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        std: float = 1.0,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        check_positive(vocab_size, "vocab_size", integer=True)
        check_positive(embed_dim, "embed_dim", integer=True)
        check_positive(std, "std")
        self.dtype = float_dtype(dtype)
        self.vocab_size, self.embed_dim = int(vocab_size), int(embed_dim)
        self.params["W"] = initialize("normal", (self.vocab_size, self.embed_dim), get_rng(rng), self.dtype, std=std)

    def forward(self, ids: np.ndarray) -> np.ndarray:
        ids = _as_ids(ids, "ids", self.vocab_size)
        out, self._cache = embedding_forward(ids, self.params["W"])
        return out

    def backward(self, dout: np.ndarray) -> None:
        """Set ``grads["W"]`` (overwriting); token ids have no gradient, so this returns ``None``."""
        ids, shape = self._get_cache()
        dout = self._check_dout(dout, (*ids.shape, self.embed_dim), self.dtype)
        self.grads["W"] = embedding_backward(dout, (ids, shape))
        return None

    def __repr__(self) -> str:
        return f"Embedding({self.vocab_size}, {self.embed_dim})"


class ResidualBlock(Module):
    r"""A residual connection :cite:`he2016deep`: :math:`h_l = h_{l-1} + f(h_{l-1})` for any module ``f`` whose
    output has the shape of its input.

    The backward is :math:`\partial L/\partial h_{l-1} = \partial L/\partial h_l + (\partial f/\partial
    h_{l-1})^\top \partial L/\partial h_l`: the gradient reaches the earlier layer through the identity term
    untouched, however small the gradient through :math:`f` becomes.

    Parameters
    ----------
    f : Module
        The residual branch (typically a small :class:`Sequential`: linear, activation, linear; or convolutions
        with normalization).
    """

    def __init__(self, f: Module) -> None:
        super().__init__()
        if not isinstance(f, Module):
            raise TypeError(f"f must be a dlbook Module, got {type(f).__name__}")
        self.f = f

    def children(self) -> list[Module]:
        return [self.f]

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        fx = self.f.forward(x)
        if fx.shape != x.shape:
            raise ValueError(f"the residual branch f must keep the shape of its input {_fmt(x.shape)}, got {fx.shape}")
        self._cache = fx.shape
        return x + fx

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = self._check_dout(dout, self._get_cache())
        return dout + self.f.backward(dout)  # identity path + branch path

    def __repr__(self) -> str:
        return f"ResidualBlock({self.f!r})"
