"""Tests of dlbook.rnn: gradient checks through time, the initial state, the layer contract, bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.activations import sigmoid
from dlbook.gradcheck import numerical_gradient
from dlbook.rnn import LSTM, RNN, gradient_norms_through_time, lstm_forward, lstm_step, rnn_forward


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
    h0 = rng.standard_normal((B, H))
    state = (h0, rng.standard_normal((B, H))) if cell == "lstm" else h0
    errs = grad_errors(layer, lambda: layer.forward(x, state=state), x)
    assert max(errs.values()) < 1e-7, errs


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_initial_state_gradients(cell):
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    layer = LSTM(3, 5, rng=0) if cell == "lstm" else RNN(3, 5, rng=0)

    def run():
        return layer.forward(x, state=(h0, c0) if cell == "lstm" else h0)

    r = rng.standard_normal((2, 4, 5))
    run()
    layer.backward(r)
    num = numerical_gradient(lambda: float(np.sum(r * run())), h0)
    assert norm_error(layer.dh0, num) < 1e-7
    if cell == "lstm":
        dc0 = layer.dc0.copy()
        assert norm_error(dc0, numerical_gradient(lambda: float(np.sum(r * run())), c0)) < 1e-7


def test_float32_preserved_and_step_matches_forward():
    """The fused LSTM forward (one tanh for every gate) equals lstm_step, which uses dlbook.activations.sigmoid."""
    rng = np.random.default_rng(0)
    layer = LSTM(3, 4, rng=0, dtype=np.float32)
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    hs = layer.forward(x)
    assert hs.dtype == np.float32 and layer.backward(np.ones_like(hs)).dtype == np.float32
    state = None
    for t in range(6):
        h, state = layer.step(x[:, t], state)
        np.testing.assert_allclose(h, hs[:, t], rtol=1e-5, atol=1e-6)
    layer64 = LSTM(3, 4, rng=0)
    x64 = x.astype(np.float64)
    p = layer64.params
    h = c = np.zeros((2, 4))
    ref = []
    for t in range(6):
        h, c, gates = lstm_step(x64[:, t], h, c, p["W_ih"], p["W_hh"], p["b"])
        ref.append(h)
    np.testing.assert_allclose(layer64.forward(x64), np.stack(ref, axis=1), rtol=1e-13, atol=1e-14)
    a = x64[:, -1] @ p["W_ih"].T + ref[-2] @ p["W_hh"].T + p["b"]
    np.testing.assert_allclose(gates[:, :4], sigmoid(a[:, :4]), atol=1e-15)  # the input gate


def test_float64_input_to_float32_layer_computes_in_float32():
    layer = RNN(3, 4, rng=0, dtype=np.float32)
    out = layer.forward(np.ones((1, 2, 3)))
    assert out.dtype == np.float32 and layer.backward(np.ones_like(out)).dtype == np.float32


def test_saturated_gates_without_overflow_equal_the_reference():
    """Huge pre-activations saturate the gates with no overflow warning, and equal the step-by-step reference."""
    layer = LSTM(1, 2, rng=0)
    x = np.full((1, 3, 1), 1e4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hs = layer.forward(x)
        p, h, c = layer.params, np.zeros((1, 2)), np.zeros((1, 2))
        for t in range(3):
            h, c, _ = lstm_step(x[:, t], h, c, p["W_ih"], p["W_hh"], p["b"])
    np.testing.assert_allclose(hs[:, -1], h, atol=1e-12)


@pytest.mark.parametrize("make", [lambda: RNN(3, 4, rng=0), lambda: LSTM(3, 4, rng=0)])
def test_contract_backward_before_forward_and_wrong_dout(make):
    layer = make()
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((2, 5, 4)))
    layer.forward(np.zeros((2, 5, 3)))
    for bad in (np.zeros((2, 5, 3)), np.zeros((10, 4)), np.zeros((1, 5, 4))):
        with pytest.raises(ValueError, match=r"\bdout\b"):
            layer.backward(bad)


@pytest.mark.parametrize("bad_shape", [(1, 4), (4,), (3, 4), (2, 5)])
def test_initial_state_must_have_exactly_shape_B_H(bad_shape):
    """Regression: h0 of shape (1, H) or (H,) was broadcast, and dh0 then had another shape than h0."""
    x = np.zeros((2, 5, 3))
    with pytest.raises(ValueError, match=r"\bh0\b"):
        RNN(3, 4, rng=0).forward(x, state=np.zeros(bad_shape))
    with pytest.raises(ValueError, match=r"\bh0\b"):
        LSTM(3, 4, rng=0).forward(x, state=(np.zeros(bad_shape), np.zeros((2, 4))))
    with pytest.raises(ValueError, match=r"\bc0\b"):
        LSTM(3, 4, rng=0).forward(x, state=(np.zeros((2, 4)), np.zeros(bad_shape)))
    p = RNN(3, 4, rng=0).params
    with pytest.raises(ValueError, match=r"\bh0\b"):
        rnn_forward(x, np.zeros(bad_shape), p["W_xh"], p["W_hh"], p["b"])
    q = LSTM(3, 4, rng=0).params
    with pytest.raises(ValueError, match=r"\bh0\b"):
        lstm_forward(x, np.zeros(bad_shape), np.zeros((2, 4)), q["W_ih"], q["W_hh"], q["b"])


def test_unknown_nonlinearity_is_rejected():
    """Regression: rnn_forward(..., nonlinearity="relux") silently ran ReLU."""
    p = RNN(3, 4, rng=0).params
    with pytest.raises(ValueError, match=r"\bnonlinearity\b"):
        rnn_forward(np.zeros((1, 2, 3)), np.zeros((1, 4)), p["W_xh"], p["W_hh"], p["b"], nonlinearity="relux")
    with pytest.raises(ValueError, match=r"\bnonlinearity\b"):
        RNN(3, 4, nonlinearity="sigmoid")


def test_bad_input():
    with pytest.raises(ValueError, match=r"\bx must have shape\b"):
        LSTM(3, 4).forward(np.zeros((2, 5, 2)))
    with pytest.raises(ValueError, match="3-D"):
        RNN(3, 4).forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"\bx\b"):
        RNN(3, 4).forward(np.zeros((2, 0, 3)))
    with pytest.raises(TypeError, match=r"\bstate\b"):
        LSTM(3, 4).forward(np.zeros((2, 5, 3)), state=np.zeros((2, 4)))
    with pytest.raises(TypeError, match=r"\bdtype\b"):
        LSTM(3, 4, dtype=np.int32)
    with pytest.raises(ValueError, match=r"\bhidden_size\b"):
        RNN(3, 0)
    with pytest.raises(ValueError, match=r"\bx_t\b"):
        LSTM(3, 4).step(np.zeros((2, 2)))


def test_two_layers_without_rng_differ_and_seeds_repeat():
    assert not np.array_equal(LSTM(3, 4).params["W_hh"], LSTM(3, 4).params["W_hh"])
    np.testing.assert_array_equal(RNN(3, 4, rng=5).params["W_hh"], RNN(3, 4, rng=5).params["W_hh"])


def test_initial_weights_are_pytorch_default_uniform():
    H = 16
    layer = LSTM(8, H, forget_bias=0.0, rng=0)
    for w in layer.params.values():
        assert np.abs(w).max() <= 1 / np.sqrt(H)
    shifted = LSTM(8, H, forget_bias=1.0, rng=0)
    np.testing.assert_allclose(shifted.params["b"][H : 2 * H] - layer.params["b"][H : 2 * H], 1.0)
    np.testing.assert_array_equal(shifted.params["b"][:H], layer.params["b"][:H])


def test_vanishing_gradients_rnn_vs_lstm():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 60, 8))
    rnn_norms = gradient_norms_through_time(RNN(8, 32, rng=0), x)
    lstm_norms = gradient_norms_through_time(LSTM(8, 32, rng=0), x)
    assert rnn_norms.shape == (60,) and rnn_norms[-1] == pytest.approx(1.0)
    assert rnn_norms[0] < 1e-3 * rnn_norms[-1]
    assert lstm_norms[0] > 10 * rnn_norms[0]
    with pytest.raises(TypeError, match=r"\blayer\b"):
        gradient_norms_through_time(object(), x)


@pytest.mark.parametrize("layer", [RNN(3, 4, rng=0), LSTM(3, 4, rng=0)], ids=["rnn", "lstm"])
def test_a_nan_in_a_sequence_is_rejected_before_it_runs_through_the_steps(layer):
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    x[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match=r"^x contains 1 NaN or infinite value"):
        layer.forward(x)
