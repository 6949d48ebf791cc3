"""Tests of dlbook.rnn: gradient checks through time, shapes, bad input, the memory task."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.gradcheck import numerical_gradient
from dlbook.rnn import (
    GATE_TABLE,
    LSTM,
    RNN,
    CharLM,
    Embedding,
    SequenceClassifier,
    gradient_norms_through_time,
    recall_task,
)


def norm_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def grad_errors(module, fwd, x=None, seed=1):
    """Norm-relative error of every analytic gradient against central differences, L = sum(r * out)."""
    out = fwd()
    r = np.random.default_rng(seed).standard_normal(out.shape)
    dx = module.backward(r)
    analytic = {name: owner.grads[key].copy() for name, owner, key in module.named_parameters()}

    def loss():
        return float(np.sum(r * fwd()))

    errs = {
        name: norm_error(analytic[name], numerical_gradient(loss, owner.params[key], 1e-6))
        for name, owner, key in module.named_parameters()
    }
    if x is not None:
        errs["x"] = norm_error(dx, numerical_gradient(loss, x, 1e-6))
    return errs


@settings(max_examples=8, deadline=None)
@given(
    B=st.integers(1, 3),
    T=st.integers(1, 6),
    D=st.integers(1, 4),
    H=st.integers(1, 5),
    cell=st.sampled_from(["rnn", "relu", "lstm"]),
)
def test_gradients_through_time(B, T, D, H, cell):
    rng = np.random.default_rng(B * 100 + T * 10 + D)
    x = rng.standard_normal((B, T, D))
    layer = LSTM(D, H, rng=0) if cell == "lstm" else RNN(D, H, "relu" if cell == "relu" else "tanh", rng=0)
    layer.h0 = rng.standard_normal((B, H))
    if cell == "lstm":
        layer.c0 = rng.standard_normal((B, H))
    errs = grad_errors(layer, lambda: layer.forward(x), x)
    assert max(errs.values()) < 1e-7, errs


def test_initial_state_gradients():
    rng = np.random.default_rng(0)
    x, h0 = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5))
    layer = LSTM(3, 5, rng=0)
    layer.h0 = h0
    r = rng.standard_normal((2, 4, 5))
    layer.forward(x)
    layer.backward(r)
    num = numerical_gradient(lambda: float(np.sum(r * layer.forward(x))), h0)
    assert norm_error(layer.dh0, num) < 1e-7


def test_embedding_and_models_gradients():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, (3, 5))
    emb = Embedding(7, 4, rng=0)
    assert emb.forward(ids).shape == (3, 5, 4)
    assert max(grad_errors(emb, lambda: emb.forward(ids)).values()) < 1e-7
    for model in (CharLM(7, 4, 6, dtype=np.float64), SequenceClassifier(7, 4, 6, 3, cell="rnn")):
        assert max(grad_errors(model, lambda m=model: m.forward(ids)).values()) < 1e-7


def test_float32_preserved_and_step_matches_forward():
    rng = np.random.default_rng(0)
    layer = LSTM(3, 4, rng=0, dtype=np.float32)
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    hs = layer.forward(x)
    assert hs.dtype == np.float32 and layer.backward(np.ones_like(hs)).dtype == np.float32
    state = None
    for t in range(6):
        h, state = layer.step(x[:, t], state)
    np.testing.assert_allclose(h, hs[:, -1], rtol=1e-5, atol=1e-6)


def test_sigmoid_does_not_overflow():
    layer = LSTM(1, 2, rng=0)
    hs = layer.forward(np.full((1, 3, 1), 1e4))
    assert np.all(np.isfinite(hs))


def test_bad_input():
    with pytest.raises(ValueError, match="x must have shape"):
        LSTM(3, 4).forward(np.zeros((2, 5, 2)))
    with pytest.raises(ValueError, match="3-D"):
        RNN(3, 4).forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="ids"):
        Embedding(5, 2).forward(np.array([[5]]))
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(3, 4, nonlinearity="sigmoid")


def test_vanishing_gradients_rnn_vs_lstm():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 60, 8))
    rnn_norms = gradient_norms_through_time(RNN(8, 32, rng=0), x)
    lstm_norms = gradient_norms_through_time(LSTM(8, 32, rng=0), x)
    assert rnn_norms.shape == (60,) and rnn_norms[-1] == pytest.approx(1.0)
    assert rnn_norms[0] < 1e-3 * rnn_norms[-1]
    assert lstm_norms[0] > 10 * rnn_norms[0]


def test_recall_task_and_gate_table():
    ids, y = recall_task(100, 12, n_symbols=4, rng=0)
    assert ids.shape == (100, 12) and np.all(ids[:, 0] == y) and np.all(ids[:, 1:] >= 4)
    assert [g[1] for g in GATE_TABLE] == ["forget", "input", "candidate", "output"]
