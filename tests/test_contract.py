"""Every module of dlbook passes the same contract test (the layer contract of ``dlbook.layers``).

Each public ``Module`` subclass is found through the ``__all__`` of every dlbook module, so a new layer or model is
covered as soon as it is exported: one without a factory below fails :func:`test_every_module_has_a_factory`. For
each, on a small float64 instance:

* backward before forward raises ``RuntimeError`` naming the class;
* backward returns one gradient per input (an array for one input, a tuple for several, ``None`` for token ids),
  each of its input's shape, and overwrites ``grads`` with the keys, shapes and dtypes of ``params``;
* a ``dout`` of the wrong shape raises ``ValueError`` naming ``dout`` and leaves ``grads`` unchanged;
* ``state_dict`` (parameters and buffers) restores the module exactly after its parameters were changed;
* ``Sequential(module)`` computes the same output and gradients (single-input modules);
* a central-difference check in float64 of the input gradients and of sampled parameter entries.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable

import numpy as np
import pytest

import dlbook
from dlbook import architectures, attention, conv, language_models, layers, normalization, regularization, rnn
from dlbook.layers import Module, Sequential
from dlbook.linear_models import LogisticRegression
from dlbook.mlp import MLP

RNG = np.random.default_rng


def ids(shape, vocab, seed=0):
    return RNG(seed).integers(0, vocab, size=shape)


def normal(*shape, seed=0):
    return RNG(seed).standard_normal(shape)


# Each factory returns (module, inputs): inputs is a tuple, token ids are int arrays (no gradient).
FACTORIES: dict[type, Callable[[], tuple[Module, tuple]]] = {
    layers.Linear: lambda: (layers.Linear(3, 2, rng=0), (normal(2, 4, 3),)),
    layers.Flatten: lambda: (layers.Flatten(), (normal(2, 3, 2),)),
    layers.Activation: lambda: (layers.Activation("tanh"), (normal(2, 3),)),
    layers.Embedding: lambda: (layers.Embedding(5, 3, rng=0), (ids((2, 4), 5),)),
    layers.ResidualBlock: lambda: (layers.ResidualBlock(layers.Linear(3, 3, rng=0)), (normal(2, 3),)),
    layers.Sequential: lambda: (
        Sequential(layers.Linear(3, 4, rng=0), layers.Activation("tanh"), layers.Linear(4, 2, rng=1)),
        (normal(2, 3),),
    ),
    conv.Conv2d: lambda: (conv.Conv2d(2, 3, 3, padding=1, rng=0), (normal(2, 2, 4, 4),)),
    conv.MaxPool2d: lambda: (conv.MaxPool2d(2), (normal(2, 2, 4, 4),)),
    conv.AvgPool2d: lambda: (conv.AvgPool2d(2), (normal(2, 2, 4, 4),)),
    conv.GlobalAvgPool2d: lambda: (conv.GlobalAvgPool2d(), (normal(2, 2, 3, 3),)),
    normalization.BatchNorm: lambda: (normalization.BatchNorm(3), (normal(4, 3),)),
    normalization.LayerNorm: lambda: (normalization.LayerNorm(3), (normal(2, 4, 3),)),
    regularization.Dropout: lambda: (regularization.Dropout(0.5, rng=0).eval(), (normal(2, 3),)),
    rnn.RNN: lambda: (rnn.RNN(3, 4, rng=0), (normal(2, 3, 3),)),
    rnn.LSTM: lambda: (rnn.LSTM(3, 4, rng=0), (normal(2, 3, 3),)),
    attention.AdditiveAttention: lambda: (
        attention.AdditiveAttention(3, 4, 5, rng=0),
        (normal(2, 2, 3), normal(2, 4, 4, seed=1), normal(2, 4, 2, seed=2)),
    ),
    attention.MultiHeadAttention: lambda: (attention.MultiHeadAttention(4, 2, rng=0), (normal(2, 3, 4),)),
    attention.FeedForward: lambda: (attention.FeedForward(4, 6, rng=0), (normal(2, 3, 4),)),
    attention.TransformerBlock: lambda: (attention.TransformerBlock(4, 2, rng=0), (normal(2, 3, 4),)),
    attention.SinusoidalPositionalEncoding: lambda: (attention.SinusoidalPositionalEncoding(5, 4), (normal(2, 3, 4),)),
    attention.LearnedPositionalEncoding: lambda: (
        attention.LearnedPositionalEncoding(5, 4, rng=0),
        (normal(2, 3, 4),),
    ),
    MLP: lambda: (MLP([3, 4, 2], rng=0), (normal(2, 3),)),
    LogisticRegression: lambda: (LogisticRegression(3, 3), (normal(4, 3),)),
    architectures.DenseBlock: lambda: (architectures.DenseBlock(2, 2, 2, rng=0), (normal(2, 2, 4, 4),)),
    language_models.SequenceClassifier: lambda: (
        language_models.SequenceClassifier(5, 3, 4, 2, rng=0),
        (ids((2, 3), 5),),
    ),
    language_models.CharLM: lambda: (language_models.CharLM(5, 3, 4, rng=0, dtype=np.float64), (ids((2, 3), 5),)),
    language_models.GPT: lambda: (
        language_models.GPT(5, max_len=4, d_model=4, num_heads=2, num_layers=1, rng=0),
        (ids((2, 3), 5),),
    ),
    language_models.BERTEncoder: lambda: (
        language_models.BERTEncoder(5, max_len=4, d_model=4, num_heads=2, num_layers=1, rng=0),
        (ids((2, 3), 5),),
    ),
    language_models.Seq2SeqAttention: lambda: (
        language_models.Seq2SeqAttention(5, 6, 3, 4, rng=0),
        (ids((2, 3), 5), ids((2, 4), 6, seed=1)),
    ),
}


def public_module_classes() -> list[type]:
    """Every concrete Module subclass named in the ``__all__`` of a public dlbook module."""
    found = set()
    for info in pkgutil.walk_packages(dlbook.__path__, "dlbook."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        mod = importlib.import_module(info.name)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and issubclass(obj, Module) and obj is not Module:
                found.add(obj)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


CLASSES = public_module_classes()


def test_every_module_has_a_factory():
    missing = [f"{c.__module__}.{c.__name__}" for c in CLASSES if c not in FACTORIES]
    assert not missing, f"add these modules to tests/test_contract.py: {missing}"


def _loss_weights(out, seed=7):
    return RNG(seed).standard_normal(np.shape(out))


def _check_structure(grads, inputs):
    if len(inputs) == 1:
        grads = (grads,)
    assert isinstance(grads, tuple) and len(grads) == len(inputs)
    for g, x in zip(grads, inputs, strict=True):
        if np.asarray(x).dtype.kind in "iu":
            assert g is None, "token ids have no gradient: backward returns None for them"
        else:
            assert isinstance(g, np.ndarray) and g.shape == np.shape(x)
    return grads


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_layer_contract(cls):
    if cls not in FACTORIES:
        pytest.fail(f"no factory for {cls.__name__}")
    module, inputs = FACTORIES[cls]()
    with pytest.raises(RuntimeError, match=f"{cls.__name__}.backward called before forward"):
        module.backward(np.ones(1))

    out = module.forward(*inputs)
    r = _loss_weights(out)
    grads = _check_structure(module.backward(r), inputs)
    for name, owner, key in module.named_parameters():
        p, g = owner.params[key], owner.grads.get(key)
        assert g is not None and g.shape == p.shape and g.dtype == p.dtype, name
        assert set(owner.grads) == set(owner.params), name
    before = {name: owner.grads[key].copy() for name, owner, key in module.named_parameters()}

    with pytest.raises(ValueError, match="dout"):
        module.backward(np.ones((*np.shape(out), 2)))
    for name, owner, key in module.named_parameters():
        np.testing.assert_array_equal(owner.grads[key], before[name], err_msg=f"{name} changed by a rejected dout")

    # state_dict round trip (parameters and buffers)
    module.eval()
    reference = module.forward(*inputs)
    state = module.state_dict()
    for _, owner, key in module.named_parameters():
        owner.params[key] += 0.5
    module.load_state_dict(state)
    np.testing.assert_array_equal(module.forward(*inputs), reference)
    module.train(cls is not regularization.Dropout)

    if len(inputs) == 1:
        seq = Sequential(module)
        np.testing.assert_allclose(seq.forward(*inputs), module.forward(*inputs), atol=0)
        g_seq = seq.backward(r)
        module.forward(*inputs)
        g_mod = module.backward(r)
        if g_mod is None:
            assert g_seq is None
        else:
            np.testing.assert_allclose(g_seq, g_mod, atol=0)
    _ = grads


def _numeric(loss, arr, index, eps=1e-6):
    old = arr[index]
    arr[index] = old + eps
    plus = loss()
    arr[index] = old - eps
    minus = loss()
    arr[index] = old
    return (plus - minus) / (2 * eps)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_gradients_match_central_differences(cls):
    if cls not in FACTORIES:
        pytest.fail(f"no factory for {cls.__name__}")
    module, inputs = FACTORIES[cls]()
    inputs = tuple(x.copy() for x in inputs)
    out = module.forward(*inputs)
    r = _loss_weights(out)

    def loss():
        return float(np.sum(r * module.forward(*inputs)))

    module.forward(*inputs)
    grads = _check_structure(module.backward(r), inputs)
    analytic = {name: owner.grads[key].copy() for name, owner, key in module.named_parameters()}
    rng = RNG(3)
    checks = []
    for x, g in zip(inputs, grads, strict=True):
        if g is not None:
            for _ in range(min(6, x.size)):
                i = tuple(rng.integers(0, s) for s in x.shape)
                checks.append((g[i], _numeric(loss, x, i)))
    for name, owner, key in module.named_parameters():
        p = owner.params[key]
        for _ in range(min(4, p.size)):
            i = tuple(rng.integers(0, s) for s in p.shape)
            checks.append((analytic[name][i], _numeric(loss, p, i)))
    a, n = np.array([c[0] for c in checks]), np.array([c[1] for c in checks])
    np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-7)
