"""No silent failure: every public callable of dlbook rejects bad input clearly (issue 12, point 3).

Every public callable is found through the ``__all__`` of every dlbook module (``dlbook.widgets`` excepted: its
traits are the playground's), together with the public methods its classes define (``forward``, ``backward``,
``step``, ``predict``, ...). Each needs an entry in :data:`TABLE` (a callable without one fails
:func:`test_every_public_callable_has_an_entry`, so a new function is covered as soon as it is exported). An entry
gives a valid call and an oracle for its result (shapes, dtypes, a reference where one exists) and, for each argument,
the corruptions that are wrong for it. Hypothesis (derandomized, so it never fails at random) draws bad variants and
each outcome is classified:

* ``clear``: ``ValueError``/``TypeError``/``RuntimeError`` whose message names the argument as a whole word, and every
  state (parameters, gradients, buffers, optimizer moments, the other arguments) unchanged;
* ``unclear``: another exception type, or a message that does not name the argument (a deep NumPy message);
* ``silent``: no error (or a valid call the oracle rejects), or state changed by a call that raised.

The counts are printed at the end of the run (``tests/conftest.py`` sums them); any unclear or silent outcome fails.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dlbook
from dlbook import (
    activations,
    attention,
    conv,
    data,
    gradcheck,
    language_models,
    layers,
    linear_models,
    losses,
    mlp,
    normalization,
    optim,
    regularization,
    rnn,
    text,
    train,
)
from dlbook.layers import Module

EXCLUDED_MODULES = ("dlbook.widgets",)
MAX_EXAMPLES = 20


def R(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return R(seed).standard_normal(shape)


def ids(shape: tuple[int, ...], vocab: int, seed: int = 0) -> np.ndarray:
    return R(seed).integers(0, vocab, size=shape)


# ----------------------------------------------------------------------------------------------- corruptions
class Skip(Exception):
    """The corruption does not apply to this value."""


def _arr(x: Any) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise Skip
    return x


def _set(x: np.ndarray, draw: Callable, value: Any, dtype: Any = None) -> np.ndarray:
    x = _arr(x)
    if x.size == 0:
        raise Skip
    out = x.astype(dtype if dtype is not None else (x.dtype if x.dtype.kind == "f" else np.float64), copy=True)
    out.flat[draw(st.integers(0, x.size - 1))] = value
    return out


def _trail(x: Any, draw: Callable) -> np.ndarray:
    x = _arr(x)
    if x.ndim == 0:
        raise Skip
    extra = np.zeros(x.shape[:-1] + (1,), dtype=x.dtype)
    return np.concatenate([x, extra], axis=-1)


def _lead(x: Any, draw: Callable) -> np.ndarray:
    x = _arr(x)
    if x.ndim == 0 or x.shape[0] < 2:
        raise Skip
    return x[:-1]


def _down(x: Any, draw: Callable) -> np.ndarray:
    x = _arr(x)
    if x.ndim == 0:
        raise Skip
    return x[0]


def _axis1(x: Any, draw: Callable) -> np.ndarray:
    x = _arr(x)
    if x.ndim < 2 or x.shape[1] < 2:
        raise Skip
    return x[:, :-1]


CORRUPTIONS: dict[str, Callable[[Any, Callable], Any]] = {
    # arrays
    "tail": lambda x, d: _arr(x)[..., None],  # a trailing axis of size 1
    "up": lambda x, d: _arr(x)[None],  # one axis too many (in front)
    "down": _down,  # one axis too few
    "trail": _trail,  # trailing size one too large
    "short": _lead,  # one row fewer than the other arguments
    "axis1": _axis1,  # second axis one shorter
    "empty": lambda x, d: _arr(x)[:0],  # an empty batch
    "nan": lambda x, d: _set(x, d, np.nan),
    "inf": lambda x, d: _set(x, d, np.inf),
    "int": lambda x, d: np.ones(_arr(x).shape, dtype=np.int64),  # integers where floats are needed
    "bool": lambda x, d: np.ones(_arr(x).shape, dtype=bool),
    "neg": lambda x, d: _set(x, d, -1, np.int64),  # a negative id or label
    "frac": lambda x, d: _set(x, d, 0.5, np.float64),  # a non-integer id or label
    "str": lambda x, d: "abc",
    "none": lambda x, d: None,
    # scalars
    "zero": lambda x, d: 0,
    "neg1": lambda x, d: -1,
    "half": lambda x, d: 2.5,
    "fnan": lambda x, d: float("nan"),
    "finf": lambda x, d: float("inf"),
    "true": lambda x, d: True,
    "numstr": lambda x, d: "3",
    "big": lambda x, d: 10**6,
    "one": lambda x, d: 1.0,
    "bogus": lambda x, d: "bogus",
    "int64": lambda x, d: np.int64,
    "booldt": lambda x, d: bool,
    "seedstr": lambda x, d: "seed",
    "obj": lambda x, d: object(),
    "strlist": lambda x, d: ["a"],
    "nobwd": None,  # backward on a fresh module (no forward)
}
# A corruption ``oor:N`` sets one entry to N (an id or label out of range).

KINDS = {
    "size": "zero neg1 half numstr true",  # a positive integer
    "size0": "neg1 half numstr true",  # a non-negative integer
    "pos": "zero neg1 fnan finf numstr",  # a positive number
    "pos0": "neg1 fnan finf numstr",  # a non-negative number
    "prob": "neg1 one half fnan numstr",  # a probability in [0, 1)
    "choice": "bogus obj",
    "rng": "seedstr half",
    "dtype": "int64 booldt",
    "module": "str obj",
    "callable": "str",
    "text": "obj",
}


@dataclass
class Entry:
    """One callable: a valid call, its oracle, and the corruptions that are wrong for each argument."""

    call: Callable[[], tuple[Any, dict[str, Any]]]  # () -> (bound callable, kwargs)
    bad: dict[str, str] = field(default_factory=dict)  # argument -> space-separated corruption or kind names
    oracle: Callable[[Any, dict[str, Any]], Any] | None = None  # (result, kwargs) -> truthy (or asserts)
    state: Callable[[Any, dict[str, Any]], Any] = None  # objects whose arrays must survive an error unchanged
    examples: int = MAX_EXAMPLES
    note: str = ""
    exempt: bool = False
    aliases: dict[str, list[str]] = field(default_factory=dict)  # other words a message may name the argument by


def _expand(spec: str) -> list[str]:
    out: list[str] = []
    for word in spec.split():
        out.extend(KINDS[word].split() if word in KINDS else [word])
    return out


# ------------------------------------------------------------------------------------------------ state snapshots
def _arrays(obj: Any, prefix: str, out: dict[str, np.ndarray], seen: set[int], depth: int = 0) -> None:
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        out[prefix] = obj.copy()
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _arrays(v, f"{prefix}[{k!r}]", out, seen, depth + 1)
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            _arrays(v, f"{prefix}[{i}]", out, seen, depth + 1)
    elif isinstance(obj, Module):
        for k in ("params", "grads", "buffers"):
            _arrays(getattr(obj, k, {}), f"{prefix}.{k}", out, seen, depth + 1)
        for i, child in enumerate(obj.children()):
            _arrays(child, f"{prefix}.{i}", out, seen, depth + 1)
        out[f"{prefix}.training"] = np.array(obj.training)
    elif isinstance(obj, optim.Optimizer | train.EarlyStopping):
        for k, v in vars(obj).items():
            if k not in ("model",):
                _arrays(v, f"{prefix}.{k}", out, seen, depth + 1)
            if isinstance(v, int | float) and not isinstance(v, bool):
                out[f"{prefix}.{k}"] = np.array(v)


def snapshot(objs: Any) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    _arrays(objs, "", out, set())
    return out


def same_state(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k], equal_nan=True) for k in a
    )


# ------------------------------------------------------------------------------------------------ oracles
def finite(*arrays: Any) -> bool:
    return all(np.all(np.isfinite(np.asarray(a, dtype=float))) for a in arrays)


def arr_ok(a: Any, shape: tuple[int, ...] | None = None, dtype: Any = np.float64) -> bool:
    a_ = np.asarray(a)
    return (shape is None or a_.shape == tuple(shape)) and (dtype is None or a_.dtype == dtype) and finite(a_)


def close(a: Any, b: Any, tol: float = 1e-10) -> bool:
    return np.asarray(a).shape == np.asarray(b).shape and np.allclose(a, b, atol=tol, rtol=tol)


# ------------------------------------------------------------------------------------------------ the table
TABLE: dict[str, Entry] = {}


def fn(name: str, kwargs: Callable[[], dict] | dict, bad: dict[str, str] | None = None, oracle=None, **kw) -> None:
    """An entry for the module-level callable ``name`` (``"module.function"``)."""
    mod, attr = name.split(".")
    target = getattr(importlib.import_module(f"dlbook.{mod}"), attr)
    make = kwargs if callable(kwargs) else (lambda: copy.deepcopy(kwargs))
    TABLE[name] = Entry(call=lambda: (target, make()), bad=bad or {}, oracle=oracle, **kw)


def exempt(name: str, why: str) -> None:
    """A callable that takes no data (or only a figure): a valid call is run elsewhere; listed so nothing is missed."""
    TABLE[name] = Entry(call=lambda: None, note=why, exempt=True)


def method(name: str, make: Callable[[], tuple[Any, dict]], bad: dict[str, str] | None = None, oracle=None, **kw):
    """An entry for ``"module.Class.method"``; ``make()`` returns (instance, kwargs) after any setup (a forward)."""
    meth = name.split(".")[-1]

    def call():
        obj, kwargs = make()
        return getattr(obj, meth), kwargs

    kw.setdefault("state", lambda bound, kwargs: (bound.__self__, kwargs))
    TABLE[name] = Entry(call=call, bad=bad or {}, oracle=oracle, **kw)


# ---- elementwise activations: any shape is valid; only non-numbers are wrong
for _name, _ref in {
    "relu": lambda a: np.maximum(a, 0),
    "identity": lambda a: a,
    "tanh": np.tanh,
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "sigmoid_grad": lambda a: (1 / (1 + np.exp(-a))) * (1 - 1 / (1 + np.exp(-a))),
    "tanh_grad": lambda a: 1 - np.tanh(a) ** 2,
    "leaky_relu": lambda a: np.where(a > 0, a, 0.01 * a),
    "elu": lambda a: np.where(a > 0, a, np.expm1(np.minimum(a, 0))),
    "silu": lambda a: a / (1 + np.exp(-a)),
    "gelu": None,
    "gelu_grad": None,
    "gelu_tanh": lambda a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3))),
    "gelu_tanh_grad": None,
    "erf": None,
}.items():
    fn(
        f"activations.{_name}",
        {"a" if _name != "erf" else "x": normal(3, 4)},
        {"a" if _name != "erf" else "x": "str obj"},
        oracle=(lambda r, k, _ref=_ref: arr_ok(r, (3, 4)) and (_ref is None or close(r, _ref(next(iter(k.values())))))),
    )
fn(
    "activations.softmax",
    {"a": normal(3, 4)},
    {"a": "str", "axis": "half big"},
    oracle=lambda r, k: arr_ok(r, (3, 4)) and close(r.sum(-1), np.ones(3)),
)
fn(
    "activations.log_softmax",
    {"a": normal(3, 4)},
    {"a": "str", "axis": "half big"},
    oracle=lambda r, k: arr_ok(r, (3, 4)) and close(np.exp(r).sum(-1), np.ones(3)),
)
fn(
    "activations.softmax_backward",
    lambda: {"dout": normal(3, 4), "s": activations.softmax(normal(3, 4, seed=1))},
    {"dout": "tail trail down short str", "s": "tail trail down short str", "axis": "half big"},
    oracle=lambda r, k: arr_ok(r, (3, 4)) and close(r.sum(-1), np.zeros(3)),
)
fn(
    "activations.log_softmax_backward",
    lambda: {"dout": normal(3, 4), "logp": activations.log_softmax(normal(3, 4, seed=1))},
    {"dout": "tail trail down short str", "logp": "tail trail down short str", "axis": "half big"},
    oracle=lambda r, k: arr_ok(r, (3, 4)),
)
fn(
    "activations.get_activation",
    {"name": "tanh"},
    {"name": "choice"},
    aliases={"name": ["activation"]},
    oracle=lambda r, k: r.name == "tanh" and close(r.fn(np.ones(2)), np.tanh(np.ones(2))),
)
fn(
    "activations.numerical_range",
    {"name": "tanh", "num": 1001},
    {"name": "choice", "lo": "fnan finf numstr", "hi": "fnan finf numstr", "num": "zero neg1 half numstr"},
    aliases={"name": ["activation"]},
    oracle=lambda r, k: -1 <= r.low < -0.99 and 0.99 < r.high <= 1,
)
exempt("activations.ActivationSpec", "a record of a registered activation (no data)")
exempt("activations.Range", "a record returned by numerical_range (no data)")

# ---- init
for _name in ("he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "xavier_normal", "xavier_uniform"):
    fn(
        f"init.{_name}",
        {"shape": (3, 4), "rng": 0},
        {"shape": "str", "rng": "rng", "dtype": "dtype"},
        oracle=lambda r, k: arr_ok(r, (3, 4)) and np.std(r) > 0,
    )
fn(
    "init.normal",
    {"shape": (30, 40), "std": 0.5, "rng": 0},
    {"shape": "str", "std": "pos", "rng": "rng", "dtype": "dtype"},
    oracle=lambda r, k: arr_ok(r, (30, 40)) and abs(np.std(r) - 0.5) < 0.05,
)
fn(
    "init.uniform",
    {"shape": (30, 40), "bound": 0.5, "rng": 0},
    {"shape": "str", "bound": "pos", "rng": "rng", "dtype": "dtype"},
    oracle=lambda r, k: arr_ok(r, (30, 40)) and np.abs(r).max() <= 0.5,
)
fn(
    "init.initialize",
    {"scheme": "xavier", "shape": (3, 4), "rng": 0},
    {"scheme": "choice", "shape": "str", "rng": "rng", "dtype": "dtype"},
    oracle=lambda r, k: arr_ok(r, (3, 4)),
)
fn("init.fans", {"shape": (3, 4)}, {"shape": "str"}, oracle=lambda r, k: tuple(r) == (4, 3) or tuple(r) == (3, 4))
fn(
    "init.std_for",
    {"scheme": "he", "shape": (3, 4)},
    {"scheme": "choice", "shape": "str"},
    oracle=lambda r, k: r > 0 and np.isfinite(r),
)

# ---- losses
fn(
    "losses.softmax_cross_entropy",
    lambda: {"logits": normal(4, 3), "y": np.array([0, 2, 1, 0])},
    {"logits": "down nan inf str empty", "y": "short neg oor:3 frac str"},
    oracle=lambda r, k: (
        np.isfinite(r[0])
        and close(r[0], -np.mean(activations.log_softmax(k["logits"])[np.arange(4), k["y"]]))
        and arr_ok(r[1], (4, 3))
    ),
)
fn(
    "losses.binary_cross_entropy",
    lambda: {"logits": normal(4, 1), "y": np.array([[0], [1], [1], [0]])},
    {"logits": "trail nan inf str empty", "y": "short trail oor:2 str"},
    oracle=lambda r, k: np.isfinite(r[0]) and arr_ok(r[1], (4, 1)),
)
fn(
    "losses.mse",
    lambda: {"pred": normal(4, 2), "target": normal(4, 2, seed=1)},
    {"pred": "trail short nan inf str empty", "target": "trail short nan inf str"},
    oracle=lambda r, k: close(r[0], np.mean((k["pred"] - k["target"]) ** 2)) and arr_ok(r[1], (4, 2)),
)
fn(
    "losses.get_loss",
    {"name": "mse"},
    {"name": "choice"},
    aliases={"name": ["loss"]},
    oracle=lambda r, k: r is losses.mse,
)

# ---- layers functions
fn(
    "layers.linear_forward",
    lambda: {"x": normal(4, 3), "W": normal(2, 3, seed=1), "b": normal(2, seed=2)},
    {"x": "trail tail str", "W": "trail down str", "b": "trail up str"},
    oracle=lambda r, k: close(r[0], k["x"] @ k["W"].T + k["b"]),
)


def _lin_cache():
    _, cache = layers.linear_forward(normal(4, 3), normal(2, 3, seed=1), normal(2, seed=2))
    return {"dz": normal(4, 2, seed=3), "cache": cache}


fn(
    "layers.linear_backward",
    _lin_cache,
    {"dz": "trail tail short str", "cache": "str none"},
    oracle=lambda r, k: arr_ok(r[0], (4, 3)) and arr_ok(r[1], (2, 3)) and arr_ok(r[2], (2,)),
)
fn(
    "layers.embedding_forward",
    lambda: {"ids": ids((2, 3), 5), "W": normal(5, 4)},
    {"ids": "neg oor:5 frac str", "W": "down str"},
    oracle=lambda r, k: close(r[0], k["W"][k["ids"]]),
)


def _emb_cache():
    _, cache = layers.embedding_forward(ids((2, 3), 5), normal(5, 4))
    return {"dout": normal(2, 3, 4, seed=1), "cache": cache}


fn(
    "layers.embedding_backward",
    _emb_cache,
    {"dout": "trail tail down str", "cache": "str none"},
    oracle=lambda r, k: arr_ok(r, (5, 4)) and close(r.sum(), k["dout"].sum()),
)

# ---- modules: constructor, forward, backward generated from one description
MODULE_TABLE: dict[str, dict[str, Any]] = {}


def module(name: str, ctor: dict, inputs: Callable[[], dict], out_shape, *, ctor_bad=None, input_bad=None, **kw):
    """Describe a Module class: ``ctor`` kwargs, valid ``inputs`` for forward and the output shape."""
    MODULE_TABLE[name] = dict(ctor=ctor, inputs=inputs, out_shape=out_shape, ctor_bad=ctor_bad or {}, **kw)
    mod, cls_name = name.split(".")
    cls = getattr(importlib.import_module(f"dlbook.{mod}"), cls_name)
    mk = kw.get("make") or (lambda: cls(**copy.deepcopy(ctor)))
    dtype = kw.get("dtype", np.float64)
    TABLE[name] = Entry(
        call=lambda: (cls, copy.deepcopy(ctor)) if not kw.get("args") else (lambda: mk(), {}),
        bad=ctor_bad or {},
        oracle=lambda r, k: isinstance(r, cls),
        aliases=kw.get("aliases", {}),
    )
    settings_ = kw.get("settings", {})

    def fwd_make():
        m = mk()
        return m, {**inputs(), **copy.deepcopy(settings_)}

    def fwd_oracle(r, k):
        return arr_ok(r, out_shape, dtype)

    method(f"{name}.forward", fwd_make, input_bad or {}, fwd_oracle)

    def bwd_make():
        m = mk()
        out = m.forward(**inputs(), **copy.deepcopy(settings_))
        return m, {"dout": normal(*out.shape, seed=7).astype(out.dtype)}

    def bwd_oracle(r, k):
        ins = inputs()
        grads = r if isinstance(r, tuple) else (r,)
        assert len(grads) == len(ins), (len(grads), len(ins))
        for g, x in zip(grads, ins.values(), strict=True):
            if x.dtype.kind in "iub" and kw.get("ids_input", True):
                assert g is None
            else:
                assert arr_ok(g, x.shape, dtype), (np.shape(g), x.shape, getattr(g, "dtype", None))
        return True

    method(f"{name}.backward", bwd_make, {"dout": "trail tail down str nan inf nobwd"}, bwd_oracle)


module(
    "layers.Linear",
    {"in_features": 3, "out_features": 2, "rng": 0},
    lambda: {"x": normal(4, 3)},
    (4, 2),
    ctor_bad={"in_features": "size", "out_features": "size", "init": "choice", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "trail tail str"},
)
module("layers.Flatten", {}, lambda: {"x": normal(2, 3, 2)}, (2, 6), input_bad={"x": "str"})
module(
    "layers.Activation",
    {"name": "tanh"},
    lambda: {"x": normal(2, 3)},
    (2, 3),
    ctor_bad={"name": "choice"},
    aliases={"name": ["activation"]},
    input_bad={"x": "str"},
)
module(
    "layers.Embedding",
    {"vocab_size": 5, "embed_dim": 3, "rng": 0},
    lambda: {"ids": ids((2, 4), 5)},
    (2, 4, 3),
    ctor_bad={"vocab_size": "size", "embed_dim": "size", "std": "pos", "rng": "rng", "dtype": "dtype"},
    input_bad={"ids": "neg oor:5 frac str"},
)
module(
    "layers.ResidualBlock",
    {},
    lambda: {"x": normal(2, 3)},
    (2, 3),
    make=lambda: layers.ResidualBlock(layers.Linear(3, 3, rng=0)),
    args=True,
    input_bad={"x": "trail tail str"},
)
TABLE["layers.ResidualBlock"] = Entry(
    call=lambda: (layers.ResidualBlock, {"f": layers.Linear(3, 3, rng=0)}),
    bad={"f": "module"},
    oracle=lambda r, k: isinstance(r, layers.ResidualBlock),
)
module(
    "layers.Sequential",
    {},
    lambda: {"x": normal(2, 3)},
    (2, 2),
    make=lambda: layers.Sequential(layers.Linear(3, 4, rng=0), layers.Activation("tanh"), layers.Linear(4, 2, rng=1)),
    args=True,
    input_bad={"x": "trail tail str"},
)
TABLE["layers.Sequential"] = Entry(
    call=lambda: (lambda layers_: layers.Sequential(*layers_), {"layers_": [layers.Linear(3, 2, rng=0)]}),
    bad={"layers_": "strlist"},
    oracle=lambda r, k: isinstance(r, layers.Sequential),
    note="the varargs are passed through a one-argument wrapper named after them",
)

module(
    "conv.Conv2d",
    {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1, "rng": 0},
    lambda: {"x": normal(2, 2, 4, 4)},
    (2, 3, 4, 4),
    ctor_bad={
        "in_channels": "size",
        "out_channels": "size",
        "kernel_size": "size str",
        "stride": "size",
        "padding": "size0",
        "init": "choice",
        "rng": "rng",
        "dtype": "dtype",
    },
    input_bad={"x": "down up axis1 str"},
)
for _pool in ("MaxPool2d", "AvgPool2d"):
    module(
        f"conv.{_pool}",
        {"kernel_size": 2},
        lambda: {"x": normal(2, 2, 4, 4)},
        (2, 2, 2, 2),
        ctor_bad={"kernel_size": "size str", "stride": "size", "padding": "size0"},
        input_bad={"x": "down up str"},
    )
module("conv.GlobalAvgPool2d", {}, lambda: {"x": normal(2, 2, 3, 3)}, (2, 2), input_bad={"x": "down up str"})
module(
    "normalization.BatchNorm",
    {"num_features": 3},
    lambda: {"x": normal(4, 3)},
    (4, 3),
    ctor_bad={"num_features": "size", "momentum": "neg1 half fnan numstr", "eps": "pos", "dtype": "dtype"},
    input_bad={"x": "trail up str nan inf empty"},
)
module(
    "normalization.LayerNorm",
    {"dim": 3},
    lambda: {"x": normal(2, 4, 3)},
    (2, 4, 3),
    ctor_bad={"dim": "size", "eps": "pos", "dtype": "dtype"},
    input_bad={"x": "trail tail str"},
)
module(
    "regularization.Dropout",
    {"p": 0.5, "rng": 0},
    lambda: {"x": normal(2, 3)},
    (2, 3),
    make=lambda: regularization.Dropout(0.5, rng=0).eval(),
    ctor_bad={"p": "prob", "rng": "rng"},
    input_bad={"x": "str"},
)
module(
    "rnn.RNN",
    {"input_size": 3, "hidden_size": 4, "rng": 0},
    lambda: {"x": normal(2, 3, 3)},
    (2, 3, 4),
    ctor_bad={"input_size": "size", "hidden_size": "size", "nonlinearity": "choice", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "down up trail str"},
)
module(
    "rnn.LSTM",
    {"input_size": 3, "hidden_size": 4, "rng": 0},
    lambda: {"x": normal(2, 3, 3)},
    (2, 3, 4),
    ctor_bad={"input_size": "size", "hidden_size": "size", "forget_bias": "fnan finf numstr", "rng": "rng"},
    input_bad={"x": "down up trail str"},
)
module(
    "attention.AdditiveAttention",
    {"query_dim": 3, "key_dim": 4, "attn_dim": 5, "rng": 0},
    lambda: {"q": normal(2, 2, 3), "k": normal(2, 4, 4, seed=1), "v": normal(2, 4, 2, seed=2)},
    (2, 2, 2),
    ctor_bad={"query_dim": "size", "key_dim": "size", "attn_dim": "size", "rng": "rng", "dtype": "dtype"},
    input_bad={"q": "trail down short str", "k": "trail down short axis1 str", "v": "down short axis1 str"},
)
module(
    "attention.MultiHeadAttention",
    {"d_model": 4, "num_heads": 2, "rng": 0},
    lambda: {"x": normal(2, 3, 4)},
    (2, 3, 4),
    ctor_bad={"d_model": "size", "num_heads": "size big", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "down up trail str"},
)
module(
    "attention.FeedForward",
    {"d_model": 4, "d_ff": 6, "rng": 0},
    lambda: {"x": normal(2, 3, 4)},
    (2, 3, 4),
    ctor_bad={"d_model": "size", "d_ff": "size", "activation": "choice", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "trail tail str"},
)
module(
    "attention.TransformerBlock",
    {"d_model": 4, "num_heads": 2, "rng": 0},
    lambda: {"x": normal(2, 3, 4)},
    (2, 3, 4),
    ctor_bad={"d_model": "size", "num_heads": "size big", "d_ff": "size", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "down up trail str"},
)
module(
    "attention.SinusoidalPositionalEncoding",
    {"max_len": 5, "d_model": 4},
    lambda: {"x": normal(2, 3, 4)},
    (2, 3, 4),
    ctor_bad={"max_len": "size", "d_model": "size", "dtype": "dtype"},
    input_bad={"x": "down trail str"},
)
module(
    "attention.LearnedPositionalEncoding",
    {"max_len": 5, "d_model": 4, "rng": 0},
    lambda: {"x": normal(2, 3, 4)},
    (2, 3, 4),
    ctor_bad={"max_len": "size", "d_model": "size", "std": "pos", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "down trail str"},
)
module(
    "mlp.MLP",
    {"sizes": [3, 4, 2], "rng": 0},
    lambda: {"x": normal(2, 3)},
    (2, 2),
    ctor_bad={"sizes": "str", "activation": "choice", "init": "choice", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "trail tail str"},
)
module(
    "linear_models.LogisticRegression",
    {"in_features": 3, "num_classes": 3},
    lambda: {"x": normal(4, 3)},
    (4, 3),
    ctor_bad={"in_features": "size", "num_classes": "size", "dtype": "dtype"},
    input_bad={"x": "trail tail str"},
)
module(
    "architectures.DenseBlock",
    {"in_channels": 2, "growth": 2, "num_layers": 2, "rng": 0},
    lambda: {"x": normal(2, 2, 4, 4)},
    (2, 6, 4, 4),
    ctor_bad={"in_channels": "size", "growth": "size", "num_layers": "size", "rng": "rng", "dtype": "dtype"},
    input_bad={"x": "down up axis1 str"},
)
IDS = "neg oor:5 frac str"
module(
    "language_models.SequenceClassifier",
    {"vocab_size": 5, "embed_dim": 3, "hidden_size": 4, "num_classes": 2, "rng": 0},
    lambda: {"ids": ids((2, 3), 5)},
    (2, 2),
    ctor_bad={
        "vocab_size": "size",
        "embed_dim": "size",
        "hidden_size": "size",
        "num_classes": "size",
        "cell": "choice",
    },
    input_bad={"ids": IDS + " down"},
)
module(
    "language_models.CharLM",
    {"vocab_size": 5, "embed_dim": 3, "hidden_size": 4, "rng": 0, "dtype": np.float64},
    lambda: {"ids": ids((2, 3), 5)},
    (2, 3, 5),
    ctor_bad={"vocab_size": "size", "embed_dim": "size", "hidden_size": "size", "cell": "choice", "dtype": "dtype"},
    input_bad={"ids": IDS + " down"},
)
for _lm in ("GPT", "BERTEncoder"):
    module(
        f"language_models.{_lm}",
        {"vocab_size": 5, "max_len": 4, "d_model": 4, "num_heads": 2, "num_layers": 1, "rng": 0},
        lambda: {"ids": ids((2, 3), 5)},
        (2, 3, 5) if _lm == "GPT" else None,
        ctor_bad={
            "vocab_size": "size",
            "d_model": "size",
            "num_heads": "size big",
            "num_layers": "size",
            "max_len": "size",
            "positional": "choice",
            "dtype": "dtype",
        },
        input_bad={"ids": IDS + " down"},
    )
module(
    "language_models.Seq2SeqAttention",
    {"src_vocab_size": 5, "tgt_vocab_size": 6, "embed_dim": 3, "hidden_size": 4, "rng": 0},
    lambda: {"src": ids((2, 3), 5), "tgt_in": ids((2, 4), 6, seed=1)},
    (2, 4, 6),
    ctor_bad={"src_vocab_size": "size", "tgt_vocab_size": "size", "embed_dim": "size", "hidden_size": "size"},
    input_bad={"src": "neg oor:5 frac str short down", "tgt_in": "neg oor:6 frac str short down"},
)

# ---- conv functions
_CX = lambda: {"x": normal(2, 2, 5, 5), "W": normal(3, 2, 3, 3, seed=1), "b": normal(3, seed=2)}  # noqa: E731
_CONV_BAD = {
    "x": "down up axis1 str",
    "W": "down up axis1 str",
    "b": "trail up str",
    "stride": "size",
    "padding": "size0",
}
for _name in ("conv2d", "conv2d_reference"):
    fn(
        f"conv.{_name}",
        _CX,
        _CONV_BAD,
        oracle=lambda r, k: arr_ok(r, (2, 3, 3, 3)) and close(r, conv.conv2d_reference(**k)),
    )
fn(
    "conv.conv2d_forward",
    _CX,
    _CONV_BAD,
    oracle=lambda r, k: arr_ok(r[0], (2, 3, 3, 3)) and close(r[0], conv.conv2d_reference(**k)),
)


def _conv_cache():
    out, cache = conv.conv2d_forward(**_CX())
    return {"dout": normal(*out.shape, seed=3), "cache": cache}


fn(
    "conv.conv2d_backward",
    _conv_cache,
    {"dout": "down up trail axis1 str", "cache": "str none"},
    oracle=lambda r, k: arr_ok(r[0], (2, 2, 5, 5)) and arr_ok(r[1], (3, 2, 3, 3)) and arr_ok(r[2], (3,)),
)
fn(
    "conv.conv1d",
    lambda: {"x": normal(6), "w": normal(3, seed=1)},
    {"x": "up str empty", "w": "up str empty", "mode": "choice"},
    oracle=lambda r, k: (
        close(r, np.correlate(k["x"], k["w"], "valid")) or close(r, np.convolve(k["x"], k["w"], "valid"))
    ),
)
fn(
    "conv.conv2d_num_params",
    {"in_channels": 2, "out_channels": 3, "kernel_size": 3},
    {"in_channels": "size", "out_channels": "size", "kernel_size": "size str"},
    oracle=lambda r, k: r == 3 * (2 * 9 + 1),
)
fn(
    "conv.conv_output_size",
    {"n": 5, "kernel_size": 3, "stride": 1, "padding": 1},
    {"n": "size", "kernel_size": "size big", "stride": "size", "padding": "size0"},
    oracle=lambda r, k: r == 5,
)
for _pool in ("maxpool2d", "avgpool2d"):
    fn(
        f"conv.{_pool}_forward",
        {"x": normal(2, 2, 4, 4), "kernel_size": 2},
        {"x": "down up str", "kernel_size": "size str big", "stride": "size", "padding": "size0"},
        oracle=lambda r, k: arr_ok(r[0], (2, 2, 2, 2)),
    )

    def _pool_cache(_pool=_pool):
        out, cache = getattr(conv, f"{_pool}_forward")(normal(2, 2, 4, 4), 2)
        return {"dout": normal(*out.shape, seed=3), "cache": cache}

    fn(
        f"conv.{_pool}_backward",
        _pool_cache,
        {"dout": "down up trail str", "cache": "str none"},
        oracle=lambda r, k: arr_ok(r, (2, 2, 4, 4)),
    )
fn(
    "conv.global_avgpool_forward",
    {"x": normal(2, 2, 3, 3)},
    {"x": "down up str"},
    oracle=lambda r, k: close(r[0], k["x"].mean(axis=(2, 3))),
)
fn(
    "conv.global_avgpool_backward",
    lambda: {"dout": normal(2, 2), "cache": conv.global_avgpool_forward(normal(2, 2, 3, 3))[1]},
    {"dout": "down up trail short str", "cache": "str none"},
    oracle=lambda r, k: arr_ok(r, (2, 2, 3, 3)),
)

# ---- normalization functions
_BN = lambda: {"x": normal(4, 3), "gamma": np.ones(3), "beta": np.zeros(3)}  # noqa: E731
fn(
    "normalization.batchnorm_forward",
    _BN,
    {"x": "trail down str nan empty", "gamma": "trail up str", "beta": "trail up str", "eps": "pos"},
    oracle=lambda r, k: close(r[0], (k["x"] - k["x"].mean(0)) / np.sqrt(k["x"].var(0) + 1e-5)),
)
fn(
    "normalization.layernorm_forward",
    _BN,
    {"x": "trail str nan", "gamma": "trail up str", "beta": "trail up str", "eps": "pos"},
    oracle=lambda r, k: close(
        r[0], (k["x"] - k["x"].mean(-1, keepdims=True)) / np.sqrt(k["x"].var(-1, keepdims=True) + 1e-5)
    ),
)
for _name in ("batchnorm", "layernorm"):
    fn(
        f"normalization.{_name}_backward",
        lambda _name=_name: {
            "dout": normal(4, 3, seed=5),
            "cache": getattr(normalization, f"{_name}_forward")(**_BN())[1],
        },
        {"dout": "trail down short str", "cache": "str none"},
        oracle=lambda r, k: arr_ok(r[0], (4, 3)) and arr_ok(r[1], (3,)) and arr_ok(r[2], (3,)),
    )

# ---- regularization functions
fn(
    "regularization.dropout_forward",
    {"x": normal(4, 3), "p": 0.5, "rng": 0},
    {"x": "str", "p": "prob", "rng": "rng"},
    oracle=lambda r, k: arr_ok(r[0], (4, 3)) and np.all((r[0] == 0) | np.isclose(r[0], 2 * k["x"])),
)
fn(
    "regularization.dropout_backward",
    lambda: {"dout": normal(4, 3), "scale": regularization.dropout_forward(normal(4, 3), 0.5, rng=0)[1]},
    {"dout": "trail short str", "scale": "trail short str"},
    oracle=lambda r, k: close(r, k["dout"] * k["scale"]),
)
fn(
    "regularization.l2_penalty",
    lambda: {"model": mlp.MLP([3, 4, 2], rng=0), "weight_decay": 0.1},
    {"model": "module", "weight_decay": "pos0"},
    oracle=lambda r, k: np.isfinite(r) and r > 0,
)


def _penalized():
    model = mlp.MLP([3, 4, 2], rng=0)
    model.forward(normal(5, 3))
    model.backward(np.ones((5, 2)))
    return {"model": model, "kind": "l1", "rate": 0.1, "add_grad": True}


fn(
    "regularization.weight_penalty",
    _penalized,
    {"model": "module", "kind": "choice", "rate": "pos0", "add_grad": "str numstr"},
    oracle=lambda r, k: np.isfinite(r) and r > 0,
)

# ---- rnn functions
_RNN = lambda: {  # noqa: E731
    "x": normal(2, 3, 3),
    "h0": np.zeros((2, 4)),
    "W_xh": normal(4, 3, seed=1) * 0.3,
    "W_hh": normal(4, 4, seed=2) * 0.3,
    "b": np.zeros(4),
}
fn(
    "rnn.rnn_forward",
    _RNN,
    {
        "x": "down up trail str",
        "h0": "down up trail short str",
        "W_xh": "trail down str",
        "W_hh": "trail down str",
        "b": "trail up str",
        "nonlinearity": "choice",
    },
    oracle=lambda r, k: arr_ok(r[0], (2, 3, 4)),
)
fn(
    "rnn.rnn_backward",
    lambda: {"dhs": normal(2, 3, 4, seed=5), "cache": rnn.rnn_forward(**_RNN())[1]},
    {"dhs": "down up trail short str", "cache": "str none"},
    oracle=lambda r, k: arr_ok(r[0], (2, 3, 3)),
)
_LSTM = lambda: {  # noqa: E731
    "x": normal(2, 3, 3),
    "h0": np.zeros((2, 4)),
    "c0": np.zeros((2, 4)),
    "W_ih": normal(16, 3, seed=1) * 0.3,
    "W_hh": normal(16, 4, seed=2) * 0.3,
    "b": np.zeros(16),
}
_LSTM_BAD = {
    "x": "down up trail str",
    "h0": "down up trail short str",
    "c0": "down up trail short str",
    "W_ih": "trail down str",
    "W_hh": "trail down str",
    "b": "trail up str",
}
fn("rnn.lstm_forward", _LSTM, _LSTM_BAD, oracle=lambda r, k: arr_ok(r[0], (2, 3, 4)))
fn(
    "rnn.lstm_backward",
    lambda: {"dhs": normal(2, 3, 4, seed=5), "cache": rnn.lstm_forward(**_LSTM())[1]},
    {"dhs": "down up trail short str", "cache": "str none", "dcT": "trail up down str"},
    oracle=lambda r, k: arr_ok(r[0], (2, 3, 3)),
)


def _step_args():
    a = _LSTM()
    a["x_t"] = a.pop("x")[:, 0]
    a["h"], a["c"] = a.pop("h0"), a.pop("c0")
    return a


fn(
    "rnn.lstm_step",
    _step_args,
    {
        "x_t": "down up trail str nan",
        "h": "down up trail short str",
        "c": "down up trail short str",
        "W_ih": "trail down str",
        "W_hh": "trail down str",
        "b": "trail up str",
    },
    oracle=lambda r, k: arr_ok(r[0], (2, 4)) and arr_ok(r[1], (2, 4)),
)
fn(
    "rnn.gradient_norms_through_time",
    lambda: {"layer": rnn.RNN(3, 4, rng=0), "x": normal(2, 5, 3)},
    {"layer": "module", "x": "down up trail str", "rng": "rng"},
    oracle=lambda r, k: arr_ok(r, (5,)),
)

# ---- attention functions
_QKV = lambda: {"q": normal(2, 3, 4), "k": normal(2, 5, 4, seed=1), "v": normal(2, 5, 2, seed=2)}  # noqa: E731
_QKV_BAD = {
    "q": "trail short down str",
    "k": "trail short axis1 down str",
    "v": "short axis1 down str",
    "mask": "trail axis1 str",
    "scale": "fnan finf numstr",
}


def _sdpa_ref(q, k, v, mask=None, causal=False, scale=None, **_):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    return activations.softmax(s) @ v


fn(
    "attention.scaled_dot_product_attention",
    lambda: {**_QKV(), "mask": np.ones((2, 3, 5), dtype=bool)},
    _QKV_BAD,
    oracle=lambda r, k: arr_ok(r[0], (2, 3, 2)) and close(r[0], _sdpa_ref(**k)),
)
fn(
    "attention.chunked_attention",
    lambda: {**_QKV(), "mask": np.ones((2, 3, 5), dtype=bool), "chunk_size": 2},
    {**_QKV_BAD, "chunk_size": "size"},
    oracle=lambda r, k: arr_ok(r[0], (2, 3, 2)) and close(r[0], _sdpa_ref(**k)),
)
for _name, _fwd in (
    ("attention_backward", "scaled_dot_product_attention"),
    ("chunked_attention_backward", "chunked_attention"),
):
    fn(
        f"attention.{_name}",
        lambda _fwd=_fwd: {"dout": normal(2, 3, 2, seed=5), "cache": getattr(attention, _fwd)(**_QKV())[1]},
        {"dout": "trail short axis1 down str", "cache": "str none"},
        oracle=lambda r, k: arr_ok(r[0], (2, 3, 4)) and arr_ok(r[1], (2, 5, 4)) and arr_ok(r[2], (2, 5, 2)),
    )
_ADD = lambda: {  # noqa: E731
    "q": normal(2, 2, 3),
    "k": normal(2, 4, 4, seed=1),
    "v": normal(2, 4, 2, seed=2),
    "W_q": normal(5, 3, seed=3),
    "W_k": normal(5, 4, seed=4),
    "w": normal(5, seed=5),
}
fn(
    "attention.additive_attention_forward",
    _ADD,
    {
        "q": "trail short down str",
        "k": "trail short axis1 down str",
        "v": "short axis1 down str",
        "W_q": "trail down str",
        "W_k": "trail down str",
        "w": "trail up str",
    },
    oracle=lambda r, k: arr_ok(r[0], (2, 2, 2)),
)
fn(
    "attention.additive_attention_backward",
    lambda: {"dout": normal(2, 2, 2, seed=6), "cache": attention.additive_attention_forward(**_ADD())[1]},
    {"dout": "trail short axis1 down str", "cache": "str none"},
    oracle=lambda r, k: arr_ok(r[0], (2, 2, 3)),
)
fn(
    "attention.causal_mask",
    {"T": 3, "T_k": 5},
    {"T": "size", "T_k": "size"},
    oracle=lambda r, k: r.shape == (3, 5) and r.dtype == bool,
)
fn(
    "attention.padding_mask",
    {"lengths": np.array([2, 3]), "T": 3},
    {"lengths": "neg oor:4 frac str up", "T": "size"},
    oracle=lambda r, k: np.asarray(r).shape[-1] == 3 and np.asarray(r).dtype == bool,
)
fn(
    "attention.sinusoidal_positional_encoding",
    {"T": 3, "d_model": 4},
    {"T": "size", "d_model": "size", "base": "pos"},
    oracle=lambda r, k: arr_ok(r, (3, 4)) and close(r[0], [0, 1, 0, 1]),
)

# ---- models' helpers
fn(
    "mlp.linear_regions",
    lambda: {"model": mlp.MLP([2, 4, 2], rng=0), "resolution": 10},
    {"model": "module", "extent": "str", "resolution": "size"},
    oracle=lambda r, k: np.asarray(r).shape == (10, 10),
)
fn(
    "mlp.count_linear_regions",
    lambda: {"model": mlp.MLP([2, 4, 2], rng=0), "resolution": 10},
    {"model": "module", "extent": "str", "resolution": "size"},
    oracle=lambda r, k: 1 <= r <= 100,
)
fn("architectures.architecture", {"name": "LeNet-5"}, {"name": "choice"}, oracle=lambda r, k: r.num_parameters > 0)
fn("architectures.history", {}, oracle=lambda r, k: len(r) > 0)
fn(
    "architectures.basic_block",
    {"channels": 2, "rng": 0},
    {"channels": "size", "rng": "rng", "dtype": "dtype"},
    oracle=lambda r, k: arr_ok(r.forward(normal(1, 2, 4, 4)), (1, 2, 4, 4)),
)
fn(
    "architectures.lenet5",
    {"num_classes": 3, "rng": 0},
    {"num_classes": "size", "activation": "choice", "pool": "choice", "rng": "rng", "dtype": "dtype"},
    oracle=lambda r, k: isinstance(r, layers.Sequential),
)
fn(
    "architectures.small_densenet",
    {"channels": 2, "growth": 2, "num_layers": 1, "num_classes": 3, "rng": 0},
    {"in_channels": "size", "channels": "size", "growth": "size", "num_layers": "size", "num_classes": "size"},
    oracle=lambda r, k: arr_ok(r.forward(normal(1, 1, 8, 8)), (1, 3)),
)
fn(
    "architectures.small_resnet",
    {"channels": 2, "num_blocks": 1, "num_classes": 3, "rng": 0},
    {"in_channels": "size", "channels": "size", "num_blocks": "size0", "num_classes": "size", "rng": "rng"},
    oracle=lambda r, k: arr_ok(r.forward(normal(1, 1, 8, 8)), (1, 3)),
)
exempt("architectures.Architecture", "a record of the architecture history table (no data)")
exempt("architectures.LayerInfo", "a record of the architecture history table (no data)")
_VOCAB = lambda: text.Vocabulary("abcde")  # noqa: E731
fn(
    "language_models.generate",
    lambda: {
        "model": language_models.CharLM(5, 3, 4, rng=0, dtype=np.float64),
        "vocab": _VOCAB(),
        "prompt": "ab",
        "length": 5,
    },
    {"model": "module", "vocab": "str", "prompt": "obj", "length": "size0", "temperature": "pos", "rng": "rng"},
    oracle=lambda r, k: isinstance(r, str) and len(r) >= 5,
)

# ---- optim
_opt_model = lambda: mlp.MLP([3, 4, 2], rng=0)  # noqa: E731
for _name, _extra in (("SGD", {"lr": 0.1}), ("Adam", {}), ("AdamW", {}), ("Optimizer", {"lr": 0.1})):
    _bad = {"model": "module", "lr": "pos", "weight_decay": "pos0"}
    if _name == "SGD":
        _bad["momentum"] = "prob"
    if _name.startswith("Adam"):
        _bad.update(betas="str", eps="pos")
    fn(
        f"optim.{_name}",
        lambda _extra=_extra: {"model": _opt_model(), **_extra},
        _bad,
        oracle=lambda r, k: isinstance(r, optim.Optimizer),
    )


def _stepped(cls, **kw):
    def make():
        model = _opt_model()
        model.forward(normal(2, 3))
        model.backward(normal(2, 2))
        opt = cls(model, **kw)
        return opt, {}

    return make


def _step_oracle(r, k):
    return True


for _name, _extra in (("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {}), ("AdamW", {})):
    method(f"optim.{_name}.step", _stepped(getattr(optim, _name), **_extra), {}, _step_oracle)
method("optim.Optimizer.step", _stepped(optim.SGD, lr=0.1), {}, _step_oracle)


def _with_grads():
    model = _opt_model()
    model.forward(normal(2, 3))
    model.backward(normal(2, 2))
    return model


fn(
    "optim.clip_grad_norm",
    lambda: {"model": _with_grads(), "max_norm": 0.01},
    {"model": "module", "max_norm": "pos"},
    oracle=lambda r, k: r > 0.01 and abs(optim.global_grad_norm(k["model"]) - 0.01) < 1e-6,
)
fn("optim.global_grad_norm", lambda: {"model": _with_grads()}, {"model": "module"}, oracle=lambda r, k: r > 0)
fn("optim.constant", {"lr": 0.1}, {"lr": "pos"}, oracle=lambda r, k: r(5) == 0.1)
fn(
    "optim.cosine",
    {"lr": 0.1, "total_steps": 10},
    {"lr": "pos", "total_steps": "size", "lr_min": "pos0"},
    oracle=lambda r, k: close(r(0), 0.1) and close(r(10), 0.0),
)
fn(
    "optim.exponential",
    {"lr": 0.1, "gamma": 0.5},
    {"lr": "pos", "gamma": "zero neg1 fnan numstr"},
    oracle=lambda r, k: close(r(2), 0.025),
)
fn(
    "optim.step_decay",
    {"lr": 0.1, "step_size": 2, "gamma": 0.5},
    {"lr": "pos", "step_size": "size", "gamma": "zero neg1 fnan numstr"},
    oracle=lambda r, k: close(r(2), 0.05),
)
fn(
    "optim.warmup_cosine",
    {"lr": 0.1, "warmup_steps": 2, "total_steps": 10},
    {"lr": "pos", "warmup_steps": "size0", "total_steps": "size", "lr_min": "pos0"},
    oracle=lambda r, k: r(2) <= 0.1 + 1e-12 and r(0) < 0.1,
)

# ---- train
_XY = lambda: {"x": normal(6, 3), "y": np.array([0, 1, 0, 1, 1, 0])}  # noqa: E731
fn(
    "train.ArrayBatches",
    lambda: {**_XY(), "batch_size": 2},
    {"x": "str", "y": "short", "batch_size": "size", "rng": "rng"},
    oracle=lambda r, k: sum(len(b[1]) for b in r) == 6,
)
fn(
    "train.accuracy",
    lambda: {"model": mlp.MLP([3, 4, 2], rng=0), **_XY()},
    {"model": "module", "x": "trail str", "y": "short neg oor:2 frac str"},
    oracle=lambda r, k: 0 <= r <= 1,
)
fn(
    "train.evaluate",
    lambda: {"model": mlp.MLP([3, 4, 2], rng=0), "batches": train.ArrayBatches(**_XY(), shuffle=False)},
    {"model": "module", "batches": "str", "loss": "choice"},
    oracle=lambda r, k: np.isfinite(r[0]) and 0 <= r[1] <= 1,
)


def _fit_args():
    model = mlp.MLP([3, 4, 2], rng=0)
    return {
        "model": model,
        "batches": train.ArrayBatches(**_XY()),
        "loss": "softmax_ce",
        "optimizer": optim.SGD(model, lr=0.1),
        "epochs": 2,
    }


fn(
    "train.fit",
    _fit_args,
    {
        "model": "module",
        "loss": "choice",
        "optimizer": "str",
        "epochs": "size",
        "clip_grad_norm": "pos",
        "eval_every": "size",
        "penalty": "str",
    },
    oracle=lambda r, k: len(r.train_loss) == 2 and finite(r.train_loss),
    examples=10,
)
fn(
    "train.EarlyStopping",
    {"patience": 2},
    {"patience": "size", "min_delta": "pos0", "monitor": "choice"},
    oracle=lambda r, k: isinstance(r, train.EarlyStopping),
)
exempt("train.History", "a record of a run filled by fit (no data to check)")


def _es():
    es = train.EarlyStopping(patience=2, monitor="train_loss")
    h = train.History()
    h.train_loss.append(1.0)
    h.steps.append(1)
    return es, h


method("train.EarlyStopping.reset", lambda: (_es()[0], {}), {}, lambda r, k: r is None)
method(
    "train.EarlyStopping.update",
    lambda: (_es()[0], {"model": mlp.MLP([3, 2], rng=0), "history": _es()[1]}),
    {"model": "module", "history": "str"},
    lambda r, k: r is False,
)
method(
    "train.EarlyStopping.restore",
    lambda: (_es()[0], {"model": mlp.MLP([3, 2], rng=0)}),
    {"model": "module"},
    lambda r, k: r is None,
)

# ---- text
fn("text.Vocabulary", {"chars": "abca"}, {"chars": "obj"}, oracle=lambda r, k: r.size == 3)
method(
    "text.Vocabulary.encode",
    lambda: (_VOCAB(), {"text": "abe"}),
    {"text": "obj"},
    lambda r, k: list(r) == [0, 1, 4] and r.dtype == np.int64,
)
method(
    "text.Vocabulary.decode",
    lambda: (_VOCAB(), {"ids": np.array([0, 1, 4])}),
    {"ids": "neg oor:5 frac str"},
    lambda r, k: r == "abe",
)
_CORPUS = lambda: {"ids": np.arange(40) % 5}  # noqa: E731
fn(
    "text.random_windows",
    lambda: {**_CORPUS(), "batch_size": 3, "seq_len": 4, "rng": 0},
    {"ids": "up str frac", "batch_size": "size", "seq_len": "size big", "rng": "rng"},
    oracle=lambda r, k: r[0].shape == (3, 4) and r[1].shape == (3, 4) and np.all(r[1][:, :-1] == r[0][:, 1:]),
)
fn(
    "text.WindowBatches",
    lambda: {**_CORPUS(), "batch_size": 3, "seq_len": 4, "num_batches": 2, "rng": 0},
    {"ids": "up str frac", "batch_size": "size", "seq_len": "size big", "num_batches": "size", "rng": "rng"},
    oracle=lambda r, k: len(list(r)) == 2,
)
fn(
    "text.train_val_split",
    _CORPUS,
    {"ids": "up str", "val_fraction": "prob"},
    oracle=lambda r, k: len(r[0]) + len(r[1]) == 40,
)
fn("text.load_char_corpus", {}, {"val_fraction": "prob"}, oracle=lambda r, k: r[1].dtype.kind == "i", examples=8)
fn("text.load_pydoc_text", {}, oracle=lambda r, k: isinstance(r, str) and len(r) > 0)

# ---- data
for _name, _n in (("blobs", 30), ("checkerboard", 40), ("circles", 40), ("moons", 40), ("spiral", 30), ("xor", 40)):
    _bad = {"n": "size", "rng": "rng"}
    _bad.update({p: "pos0" for p in ("noise", "std") if p in inspect.signature(getattr(data, _name)).parameters})
    _bad.update(
        {p: "size" for p in ("num_classes", "tiles") if p in inspect.signature(getattr(data, _name)).parameters}
    )
    if _name == "circles":
        _bad["factor"] = "neg1 fnan numstr big"
    fn(
        f"data.{_name}",
        {"n": _n},
        _bad,
        oracle=lambda r, k: r[0].shape == (k["n"], 2) and len(r[1]) == k["n"] and finite(r[0]),
    )
fn(
    "data.playground_features",
    {"x": normal(5, 2), "names": ["x1", "x1^2", "sin(x2)"]},
    {"x": "up down trail str nan inf", "names": "str none strlist"},
    oracle=lambda r, k: close(r, np.stack([k["x"][:, 0], k["x"][:, 0] ** 2, np.sin(k["x"][:, 1])], axis=1)),
)
fn(
    "data.load_digits",
    {},
    {"test_size": "prob zero", "rng": "rng"},
    oracle=lambda r, k: r[0].shape[1] == 64 and len(r[0]) == len(r[2]),
    examples=8,
)
for _name in ("recall_task", "reversal_task"):
    fn(
        f"data.{_name}",
        {"n": 4, "T": 5},
        {"n": "size", "T": "size", "num_symbols": "size", "rng": "rng"},
        oracle=lambda r, k: len(r[0]) == 4 and len(r[1]) == 4,
    )
fn(
    "data.TeacherForcedBatches",
    lambda: {"src": ids((6, 3), 5), "tgt": ids((6, 3), 5, seed=1), "bos": 5, "batch_size": 2, "num_batches": 2},
    {"src": "short str frac", "tgt": "short str frac", "bos": "neg1 half", "batch_size": "size", "num_batches": "size"},
    oracle=lambda r, k: len(list(r)) == 2,
)

# ---- augment
fn(
    "augment.affine_images",
    lambda: {"x": normal(2, 5, 5), "angles": np.zeros(2), "shifts": np.zeros((2, 2))},
    {"x": "up str nan", "angles": "short str nan", "shifts": "short trail str nan"},
    oracle=lambda r, k: close(r, k["x"]),
)
fn(
    "augment.random_shift_rotate",
    {"x": normal(2, 5, 5), "rng": 0},
    {"x": "up str nan", "rng": "rng", "max_shift": "pos0", "max_degrees": "pos0"},
    oracle=lambda r, k: arr_ok(r, (2, 5, 5)),
)
fn(
    "augment.RandomShiftRotate",
    {"max_shift": 1.0},
    {"max_shift": "pos0", "max_degrees": "pos0"},
    oracle=lambda r, k: arr_ok(r(normal(2, 5, 5), R(0)), (2, 5, 5)),
)

# ---- gradcheck
fn(
    "gradcheck.check_module",
    lambda: {"module": layers.Linear(3, 2, rng=0), "x": normal(2, 3)},
    {"module": "module", "x": "trail str", "rng": "rng", "eps": "pos"},
    oracle=lambda r, k: max(r.values()) < 1e-6,
)
fn(
    "gradcheck.numerical_gradient",
    lambda: (lambda x: {"f": lambda: float(np.sum(x**2)), "x": x})(normal(3)),
    {"f": "callable", "x": "str", "eps": "pos"},
    oracle=lambda r, k: close(r, 2 * k["x"], 1e-6),
)
fn(
    "gradcheck.relative_error",
    {"a": np.ones(3), "b": np.ones(3) * 1.1},
    {"a": "trail str nan", "b": "trail str nan"},
    oracle=lambda r, k: 0 < r < 0.1,
)

# ---- the other public methods of modules
method(
    "rnn.LSTM.step",
    lambda: (rnn.LSTM(3, 4, rng=0), {"x_t": normal(2, 3)}),
    {"x_t": "down up trail str nan", "state": "str"},
    lambda r, k: arr_ok(r[0], (2, 4)),
)
method(
    "language_models.CharLM.step",
    lambda: (language_models.CharLM(5, 3, 4, rng=0, dtype=np.float64), {"ids_t": ids((2,), 5)}),
    {"ids_t": "neg oor:5 frac str", "state": "str"},
    lambda r, k: arr_ok(r[0], (2, 5)),
)
method(
    "language_models.Seq2SeqAttention.greedy_decode",
    lambda: (language_models.Seq2SeqAttention(5, 6, 3, 4, rng=0), {"src": ids((2, 3), 5), "length": 3, "bos": 5}),
    {"src": "neg oor:5 frac str", "length": "size", "bos": "neg1 half big"},
    lambda r, k: np.asarray(r).shape == (2, 3),
)
for _m in ("predict", "predict_proba"):
    method(
        f"mlp.MLP.{_m}",
        lambda: (mlp.MLP([3, 4, 2], rng=0), {"x": normal(5, 3)}),
        {"x": "trail tail str nan"},
        (lambda r, k: r.shape == (5,) and r.dtype == np.int64)
        if _m == "predict"
        else (lambda r, k: arr_ok(r, (5, 2)) and close(r.sum(1), np.ones(5))),
    )
method(
    "linear_models.LogisticRegression.loss",
    lambda: (linear_models.LogisticRegression(3, 3), {"x": normal(4, 3), "y": np.array([0, 1, 2, 0])}),
    {"x": "trail tail str nan", "y": "short neg oor:3 frac str"},
    lambda r, k: close(r[0], np.log(3)),
)
_lin = lambda: layers.Linear(3, 2, rng=0)  # noqa: E731
method("layers.Module.children", lambda: (_lin(), {}), {}, lambda r, k: r == [])
method("layers.Module.named_parameters", lambda: (_lin(), {}), {}, lambda r, k: len(list(r)) == 2)
method("layers.Module.named_buffers", lambda: (normalization.BatchNorm(3), {}), {}, lambda r, k: len(list(r)) == 2)
method("layers.Module.num_parameters", lambda: (_lin(), {}), {}, lambda r, k: r == 8)
method("layers.Module.train", lambda: (_lin(), {}), {"mode": "str"}, lambda r, k: r.training)
method("layers.Module.eval", lambda: (_lin(), {}), {}, lambda r, k: not r.training)
method("layers.Module.state_dict", lambda: (_lin(), {}), {}, lambda r, k: set(r) == {"W", "b"})
method(
    "layers.Module.load_state_dict",
    lambda: (_lin(), {"state": layers.Linear(3, 2, rng=1).state_dict()}),
    {"state": "str statekey stateshape"},
    lambda r, k: r is None,
)
method(
    "layers.Module.forward",
    lambda: (layers.Module(), {}),
    {},
    lambda r, k: False,
    note="the base class's forward must raise NotImplementedError (checked as the valid call's expected error)",
)
method("layers.Module.backward", lambda: (layers.Module(), {"dout": np.ones(2)}), {}, lambda r, k: False)
fn("layers.Module", {}, oracle=lambda r, k: isinstance(r, Module))
CORRUPTIONS["statekey"] = lambda x, d: {**x, "extra": np.ones(2)}
CORRUPTIONS["stateshape"] = lambda x, d: {**x, "W": np.ones((5, 5))}


def _build(cls_name: str) -> Module:
    make = MODULE_TABLE[cls_name].get("make")
    if make is not None:
        return make()
    target, kwargs = TABLE[cls_name].call()
    return target(**kwargs)


for _cls in (
    "architectures.DenseBlock",
    "attention.FeedForward",
    "attention.TransformerBlock",
    "language_models.BERTEncoder",
    "language_models.CharLM",
    "language_models.GPT",
    "language_models.Seq2SeqAttention",
    "language_models.SequenceClassifier",
    "layers.ResidualBlock",
    "layers.Sequential",
):
    method(
        f"{_cls}.children",
        lambda _cls=_cls: (_build(_cls), {}),
        {},
        lambda r, k: len(r) >= 1 and all(isinstance(c, Module) for c in r),
    )
for _m in ("predict", "predict_proba"):
    method(
        f"linear_models.LogisticRegression.{_m}",
        lambda: (linear_models.LogisticRegression(3, 3), {"x": normal(5, 3)}),
        {"x": "trail tail str nan"},
        (lambda r, k: r.shape == (5,)) if _m == "predict" else (lambda r, k: arr_ok(r, (5, 3))),
    )

# ---- dlbook.check: each check takes the learner's function and reports in a CheckResult (it never raises)
_REFERENCE = {"sigmoid": activations.sigmoid, "sigmoid_grad": activations.sigmoid_grad, "softmax": activations.softmax}
for _n in importlib.import_module("dlbook.check").__all__:
    if _n == "CheckResult":
        continue
    fn(
        f"check.{_n}",
        lambda _n=_n: {"fn": _REFERENCE.get(_n, lambda *a, **k: 0)},
        oracle=lambda r, k, _n=_n: r.passed == (_n in _REFERENCE) and isinstance(r.message, str) and r.message,
    )

# ---- dlbook.book: the helpers with arguments that are data
_RUNS = lambda v=(1.0, 2.0, 3.0): importlib.import_module("dlbook.book").Runs(list(v), [0, 1, 2])  # noqa: E731
fn(
    "book.table",
    {"rows": [[1, 2.5]], "header": ["a", "b"]},
    {"rows": "str strlist", "header": "str", "align": "bogus"},
    oracle=lambda r, k: "| 1 | 2.5 |" in r.markdown,
)
fn(
    "book.Runs",
    {"values": [1.0, 2.0, 3.0], "seeds": [0, 1, 2]},
    {"values": "str short", "seeds": "str"},
    oracle=lambda r, k: close(r.mean, 2.0),
)
fn(
    "book.compare",
    lambda: {"a": _RUNS(), "b": _RUNS((5.0, 6.0, 7.0))},
    {"a": "str obj", "b": "str obj"},
    oracle=lambda r, k: r == "lower",
)
fn("book.claim", {"condition": True, "statement": "x"}, {"statement": "obj"}, oracle=lambda r, k: r is None)
fn(
    "book.rounded",
    {"value": 4.74e-4, "spec": ".1e", "direction": "up"},
    {"value": "fnan finf numstr true", "spec": "bogus obj", "direction": "bogus obj"},
    oracle=lambda r, k: r == 4.8e-4,
)
fn(
    "book.over_seeds",
    {"fn": lambda seed: float(seed), "seeds": (0, 1)},
    {"fn": "str", "seeds": "str", "processes": "size"},
    oracle=lambda r, k: close(r.mean, 0.5),
)

# ---- book, plotting, diagrams, progress, check: figures and glue, tested in their own files
fn(
    "plotting.decision_grid",
    {"x": normal(10, 2), "resolution": 5},
    {"x": "trail tail str nan empty", "resolution": "size", "margin": "neg1 fnan numstr"},
    oracle=lambda r, k: r[0].shape == (5, 5) and r[2].shape == (25, 2) and finite(r[2]),
)
# Named one by one (not by module), so that a new helper must be given an entry or listed here on purpose.
FIGURE_HELPERS = {
    "plotting": "heatmap image_grid plot_attention_heads plot_decision_boundaries plot_decision_boundary "
    "plot_linear_regions plot_runs plot_series plot_trajectories use_style",
    "diagrams": "attention_diagram lstm_cell_diagram multi_head_attention_diagram rnn_unrolled_diagram "
    "seq2seq_attention_diagram transformer_block_diagram Diagram backprop_graph conv2d_diagram count "
    "dense_block_diagram describe_module im2col_diagram max_pool_diagram mlp_diagram residual_block_diagram texts",
    "book": "ClaimError Table enable_colab_widgets glue in_colab limit_blas_threads setup_chapter",
    "progress": "ProgressBar format_record in_notebook",
    "check": "CheckResult",
}
for _mod, _names in FIGURE_HELPERS.items():
    for _n in _names.split():
        exempt(
            f"{_mod}.{_n}",
            f"a {_mod} helper (figures, glue or printing): its errors are tested in tests/test_{_mod}.py",
        )


# ------------------------------------------------------------------------------------------------ enumeration
exempt("check.CheckResult.require", "returns the result or raises AssertionError for autograders (test_check.py)")
exempt("diagrams.Diagram.set", "matplotlib's Figure.set, re-declared by the Diagram subclass")
for _m in ("on_record", "on_train_begin", "on_train_end"):
    exempt(f"progress.ProgressBar.{_m}", "a fit callback: prints a record (tests/test_progress.py)")


def public_callables() -> list[str]:
    """Every public callable of every dlbook module (through ``__all__``) and the public methods of its classes."""
    names: set[str] = set()
    for info in pkgutil.walk_packages(dlbook.__path__, "dlbook."):
        if any(p.startswith("_") for p in info.name.split(".")) or info.name.startswith(EXCLUDED_MODULES):
            continue
        if info.name.count(".") > 1:  # sub-package modules are re-exported by the package's __all__
            continue
        mod = importlib.import_module(info.name)
        short = info.name.split(".", 1)[1]
        for n in getattr(mod, "__all__", []):
            obj = getattr(mod, n)
            if not callable(obj):
                continue
            names.add(f"{short}.{n}")
            if not inspect.isclass(obj) or issubclass(obj, BaseException):
                continue
            for m in dir(obj):
                if m.startswith("_"):
                    continue
                owner = next((c for c in obj.__mro__ if m in c.__dict__), None)
                if (
                    owner is None
                    or not owner.__module__.startswith("dlbook")
                    or not inspect.isfunction(owner.__dict__[m])
                ):
                    continue
                if owner is Module and obj is not Module:
                    continue  # Module's own methods are covered once, as layers.Module.*
                names.add(f"{short}.{n}.{m}")
    return sorted(names)


PUBLIC = public_callables()


def test_every_public_callable_has_an_entry():
    missing = [n for n in PUBLIC if n not in TABLE]
    assert not missing, f"public callables without an entry in tests/test_bad_input.py TABLE: {missing}"


def test_no_stale_entries():
    stale = sorted(set(TABLE) - set(PUBLIC))
    assert not stale, f"entries for names that are no longer public: {stale}"


# ------------------------------------------------------------------------------------------------ the driver
def _names_param(msg: str, names: list[str]) -> bool:
    return any(re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", msg) for n in names)


def classify(entry: Entry, name: str, param: str, corruption: str, draw: Callable) -> tuple[str, str]:
    """Run one bad variant; return (outcome, detail)."""
    target, kwargs = entry.call()
    if corruption == "nobwd":  # backward before forward, on a fresh module
        target = (
            type(target.__self__)(**MODULE_TABLE[name.rsplit(".", 1)[0]]["ctor"]).backward
            if not MODULE_TABLE[name.rsplit(".", 1)[0]].get("args")
            else MODULE_TABLE[name.rsplit(".", 1)[0]]["make"]().backward
        )
        names = [type(target.__self__).__name__]
    else:
        names = [param.rstrip("_")] + entry.aliases.get(param, [])
        if corruption in ("short", "trail", "axis1", "tail"):
            names += [p.rstrip("_") for p in kwargs]
        if param == "layers_":
            names = ["layers", "Sequential"]
        if corruption.startswith("oor:"):
            bad = _set(kwargs[param], draw, int(corruption[4:]), np.int64)
        else:
            bad = CORRUPTIONS[corruption](kwargs.get(param), draw)
        kwargs = {**kwargs, param: bad}
    objs = entry.state(target, kwargs) if entry.state else kwargs
    objs = (objs, kwargs)
    before = snapshot(objs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            result = target(**kwargs)
    except (ValueError, TypeError, RuntimeError) as exc:
        if isinstance(exc, RuntimeWarning):
            return "unclear", f"RuntimeWarning: {exc}"
        msg = str(exc)
        if not _names_param(msg, names):
            return "unclear", f"{type(exc).__name__}: {msg[:200]}"
        if not same_state(before, snapshot(objs)):
            changed = [
                k
                for k in before
                if k not in snapshot(objs) or not np.array_equal(before[k], snapshot(objs)[k], equal_nan=True)
            ]
            return "silent", f"state changed after {type(exc).__name__}: {changed[:4]}"
        return "clear", ""
    except Skip:
        raise
    except Exception as exc:  # noqa: BLE001 - any other type is the finding
        return "unclear", f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    return "silent", f"accepted, returned {type(result).__name__}"


CHECKED = sorted(n for n in TABLE if not TABLE[n].exempt)


def _valid(name: str, entry: Entry) -> str:
    """Run the valid call and its oracle; return '' or what was wrong."""
    target, kwargs = entry.call()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            result = target(**kwargs)
    except NotImplementedError:
        return "" if name.startswith("layers.Module.") else "NotImplementedError"
    except Exception as exc:  # noqa: BLE001
        return f"the valid call raised {type(exc).__name__}: {exc}"
    if entry.oracle is not None:
        try:
            ok = entry.oracle(result, kwargs)
        except Exception as exc:  # noqa: BLE001
            return f"the oracle raised {type(exc).__name__}: {exc}"
        if not ok:
            return "the oracle rejected the valid call's result"
    return ""


@pytest.mark.parametrize("name", CHECKED)
def test_bad_input(name: str, record_property) -> None:
    entry = TABLE[name]
    findings: dict[tuple[str, str], tuple[str, str]] = {}
    problem = _valid(name, entry)
    if problem:
        findings[("valid call", "")] = ("silent", problem)
    variants = [(p, c) for p, spec in entry.bad.items() for c in _expand(spec)]
    if variants:

        @settings(
            max_examples=max(entry.examples, len(variants)),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def run(d):
            param, corruption = d.draw(st.sampled_from(variants))
            try:
                findings[(param, corruption)] = classify(entry, name, param, corruption, d.draw)
            except Skip:
                pass

        run()
    counts = {k: sum(1 for o, _ in findings.values() if o == k) for k in ("clear", "unclear", "silent")}
    record_property("bad_input_counts", counts)
    bad = {f"{p}:{c}": f"{o}: {why}" for (p, c), (o, why) in findings.items() if o != "clear"}
    assert not bad, f"{name}: " + "; ".join(f"{k} -> {v}" for k, v in bad.items())


# ------------------------------------------------------------------------------------------------ regressions
def _mlp_with_grads():
    return _with_grads()


REGRESSIONS = [
    # issue 12's examples
    ("Linear with an integer dtype", lambda: layers.Linear(3, 2, dtype=np.int64), TypeError, r"\bdtype\b"),
    (
        "negative token id (Embedding)",
        lambda: layers.Embedding(5, 3, rng=0).forward(np.array([[0, -1]])),
        ValueError,
        r"\bids\b",
    ),
    (
        "negative token id (embedding_forward)",
        lambda: layers.embedding_forward(np.array([-1]), normal(5, 3)),
        ValueError,
        r"\bids\b",
    ),
    (
        "mismatched lengths in the batches",
        lambda: train.ArrayBatches(normal(4, 3), np.array([0, 1, 0])),
        ValueError,
        r"\by\b|\bx\b",
    ),
    ("0x0 convolution kernel", lambda: conv.conv2d(normal(1, 2, 5, 5), np.ones((1, 2, 0, 0))), ValueError, r"\bW\b"),
    (
        "RNN h0 of shape (1, H)",
        lambda: rnn.RNN(3, 4, rng=0).forward(normal(2, 3, 3), state=np.zeros((1, 4))),
        ValueError,
        r"\bh0\b|\bstate\b",
    ),
    ("unknown nonlinearity", lambda: rnn.rnn_forward(**_RNN(), nonlinearity="relux"), ValueError, r"\bnonlinearity\b"),
    # the fixes of this contract test
    (
        "linear_forward: x of another width",
        lambda: layers.linear_forward(normal(4, 4), normal(2, 3), np.zeros(2)),
        ValueError,
        r"^x must have shape \(\.\.\., 3\)",
    ),
    (
        "linear_backward: dz of another shape",
        lambda: layers.linear_backward(normal(4, 3), _lin_cache()["cache"]),
        ValueError,
        r"^dz must have shape \(4, 2\)",
    ),
    (
        "embedding_backward: dout reshaped",
        lambda: layers.embedding_backward(normal(2, 3, 4, 1), _emb_cache()["cache"]),
        ValueError,
        r"^dout must have shape \(2, 3, 4\)",
    ),
    (
        "a backward function given another cache",
        lambda: attention.attention_backward(normal(2, 3, 2), "abc"),
        TypeError,
        r"^cache must be the cache returned by scaled_dot_product_attention",
    ),
    (
        "Module.train with a string",
        lambda: layers.Linear(3, 2, rng=0).train("no"),
        TypeError,
        r"^mode must be True or False",
    ),
    (
        "global_grad_norm of a non-module",
        lambda: optim.global_grad_norm("model"),
        TypeError,
        r"^model must be a dlbook Module",
    ),
    (
        "accuracy with labels out of range",
        lambda: train.accuracy(mlp.MLP([3, 2], rng=0), normal(3, 3), np.array([0, 1, 2])),
        ValueError,
        r"^y must hold labels in \[0, 2\)",
    ),
    (
        "accuracy with negative labels",
        lambda: train.accuracy(mlp.MLP([3, 2], rng=0), normal(3, 3), np.array([0, -1, 1])),
        ValueError,
        r"^y must hold non-negative integer",
    ),
    (
        "EarlyStopping.update with a non-History",
        lambda: train.EarlyStopping().update(mlp.MLP([3, 2], rng=0), "h"),
        TypeError,
        r"^history must be a History",
    ),
    ("Vocabulary.encode of a non-string", lambda: _VOCAB().encode(3), TypeError, r"^text must be a str"),
    (
        "Vocabulary.decode of fractional ids",
        lambda: _VOCAB().decode(np.array([0.5])),
        ValueError,
        r"^ids must hold integer token ids",
    ),
    ("oversized pooling window", lambda: conv.maxpool2d_forward(normal(1, 1, 4, 4), 5), ValueError, r"\bkernel_size\b"),
    (
        "numerical_range with lo NaN",
        lambda: activations.numerical_range("tanh", lo=float("nan")),
        ValueError,
        r"^lo must be a finite number",
    ),
    (
        "check_module with a string input",
        lambda: gradcheck.check_module(layers.Linear(3, 2, rng=0), "abc"),
        ValueError,
        r"^x must hold real numbers",
    ),
    ("GPT with d_model 0", lambda: language_models.GPT(5, d_model=0), ValueError, r"^d_model must be > 0"),
    (
        "Seq2SeqAttention with src_vocab_size 0",
        lambda: language_models.Seq2SeqAttention(0, 3),
        ValueError,
        r"^src_vocab_size\b",
    ),
    (
        "Seq2SeqAttention.forward with src out of range",
        lambda: language_models.Seq2SeqAttention(5, 6, 3, 4, rng=0).forward(np.array([[5]]), np.array([[0]])),
        ValueError,
        r"^src must hold ids in \[0, 5\)",
    ),
    (
        "greedy_decode with a fractional bos",
        lambda: language_models.Seq2SeqAttention(5, 6, 3, 4, rng=0).greedy_decode(np.array([[1]]), 2, 2.5),
        ValueError,
        r"^bos must be a token id",
    ),
    (
        "CharLM.step with an id out of range",
        lambda: language_models.CharLM(5, 3, 4, rng=0).step(np.array([5])),
        ValueError,
        r"^ids_t must hold ids",
    ),
    (
        "attention scale given as a string",
        lambda: attention.scaled_dot_product_attention(**_QKV(), scale="1"),
        TypeError,
        r"^scale must be a number",
    ),
    (
        "additive_attention_forward with k of another batch",
        lambda: attention.additive_attention_forward(**{**_ADD(), "k": normal(1, 4, 4)}),
        ValueError,
        r"^k must have shape \(2, \?, \?\)",
    ),
    (
        "lstm_step with W_hh of another size",
        lambda: rnn.lstm_step(**{**_step_args(), "W_hh": normal(16, 3)}),
        ValueError,
        r"^W_hh must have shape \(12, 3\)",
    ),
    (
        "lstm_step with NaN x_t",
        lambda: rnn.lstm_step(**{**_step_args(), "x_t": np.full((2, 3), np.nan)}),
        ValueError,
        r"^x_t contains",
    ),
    (
        "rnn_forward with W_xh of another height",
        lambda: rnn.rnn_forward(**{**_RNN(), "W_xh": normal(5, 3)}),
        ValueError,
        r"^W_xh must have shape \(4, \?\)",
    ),
    (
        "LSTM forget_bias given as a string",
        lambda: rnn.LSTM(3, 4, forget_bias="1"),
        TypeError,
        r"^forget_bias must be a number",
    ),
]


@pytest.mark.parametrize(("what", "call", "exc", "pattern"), REGRESSIONS, ids=[r[0] for r in REGRESSIONS])
def test_regression(what, call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_regression_wrong_dout_leaves_grads():
    """Backward of Embedding, MultiHeadAttention and FeedForward rejects a wrongly shaped dout (no reshape)."""
    for make, x in (
        (lambda: layers.Embedding(5, 3, rng=0), ids((2, 4), 5)),
        (lambda: attention.MultiHeadAttention(4, 2, rng=0), normal(2, 3, 4)),
        (lambda: attention.FeedForward(4, 6, rng=0), normal(2, 3, 4)),
    ):
        m = make()
        out = m.forward(x)
        m.backward(np.ones_like(out))
        before = snapshot(m)
        with pytest.raises(ValueError, match=r"^dout\b"):
            m.backward(np.ones(out.size))
        assert same_state(before, snapshot(m))


def test_regression_dropout_rng_none_is_fresh():
    x = np.ones((50, 50))
    a = regularization.Dropout(0.5).forward(x)
    b = regularization.Dropout(0.5).forward(x)
    assert not np.array_equal(a, b)
