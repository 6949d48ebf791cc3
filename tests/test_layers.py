"""The layer contract and the basic layers (Linear, Activation, Flatten, Embedding, ResidualBlock, Sequential):
gradient checks over drawn shapes, overwriting grads, state_dict with buffers, the dtype and rng rules, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.activations import ACTIVATIONS
from dlbook.gradcheck import numerical_gradient, relative_error
from dlbook.layers import Activation, Embedding, Flatten, Linear, Module, ResidualBlock, Sequential


def assert_grad_close(analytic, numeric):
    """Elementwise relative error below 1e-7, with an absolute floor of 1e-9 for entries near zero, where the
    round-off of a float64 central difference (about 1e-11 to 1e-10) dominates any relative measure."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    bad = np.abs(analytic - numeric) > 1e-7 * (np.abs(analytic) + np.abs(numeric)) + 1e-9
    assert not bad.any(), f"max relative error {relative_error(analytic, numeric):.2e}"


def gradcheck(module, x, seed=0):
    """Check dL/dx and every parameter gradient of ``module`` with L = sum(r * module(x)), r random."""
    x = np.array(x, dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(module.forward(x).shape)
    module.forward(x)
    analytic = {"x": module.backward(r)}
    analytic.update({name: owner.grads[key].copy() for name, owner, key in module.named_parameters()})

    def loss():
        return float(np.sum(r * module.forward(x)))

    assert_grad_close(analytic["x"], numerical_gradient(loss, x, 1e-5))
    for name, owner, key in module.named_parameters():
        assert_grad_close(analytic[name], numerical_gradient(loss, owner.params[key], 1e-5))
    return set(analytic)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 5), d_in=st.integers(1, 6), d_out=st.integers(1, 6), seed=st.integers(0, 2**31))
def test_linear_gradients(n, d_in, d_out, seed):
    layer = Linear(d_in, d_out, rng=seed)
    layer.params["b"][...] = np.random.default_rng(seed).standard_normal(d_out)
    x = np.random.default_rng(seed + 1).standard_normal((n, d_in))
    assert gradcheck(layer, x, seed) == {"x", "W", "b"}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, 4), d=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_activation_layer_gradients(name, n, d, seed):
    x = np.random.default_rng(seed).normal(0, 1.5, (n, d))
    x = np.where(np.abs(x) < 1e-3, 0.1, x)  # keep away from the kink of ReLU-like functions
    assert gradcheck(Activation(name), x, seed) == {"x"}


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 3), w=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_sequential_with_flatten_gradients(n, c, h, w, seed):
    net = Sequential(Flatten(), Linear(c * h * w, 5, rng=seed), Activation("tanh"), Linear(5, 3, rng=seed + 1))
    x = np.random.default_rng(seed).standard_normal((n, c, h, w))
    assert gradcheck(net, x, seed) == {"x", "1.W", "1.b", "3.W", "3.b"}


def test_backward_overwrites_grads():
    layer = Linear(3, 2, rng=0)
    x = np.ones((4, 3))
    layer.forward(x)
    layer.backward(np.ones((4, 2)))
    first = layer.grads["W"].copy()
    layer.forward(x)
    layer.backward(np.ones((4, 2)))
    np.testing.assert_array_equal(layer.grads["W"], first)
    assert set(layer.grads) == set(layer.params)


def test_activation_layer_matches_function_and_dtype():
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    layer = Activation("relu")
    out = layer.forward(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), (x > 0).astype(np.float32))
    assert layer.params == {} and repr(layer) == "Activation('relu')"


def test_linear_float32_preserved_and_param_count():
    layer = Linear(4, 3, rng=0, dtype=np.float32)
    assert layer.forward(np.ones((2, 4), dtype=np.float32)).dtype == np.float32
    assert Sequential(layer, Activation("relu"), Linear(3, 2)).num_parameters() == 4 * 3 + 3 + 3 * 2 + 2


@settings(max_examples=10, deadline=None)
@given(lead=st.lists(st.integers(1, 3), min_size=0, max_size=3), d_in=st.integers(1, 4), seed=st.integers(0, 2**31))
def test_linear_acts_on_the_last_axis(lead, d_in, seed):
    layer = Linear(d_in, 3, rng=seed)
    x = np.random.default_rng(seed).standard_normal((*lead, d_in))
    out = layer.forward(x)
    assert out.shape == (*lead, 3)
    flat = Linear(d_in, 3, rng=seed)
    np.testing.assert_allclose(out.reshape(-1, 3), flat.forward(x.reshape(-1, d_in)), atol=1e-12)
    assert gradcheck(layer, x, seed) == {"x", "W", "b"}


def test_embedding_gradient_and_ids():
    emb = Embedding(6, 3, rng=0)
    ids = np.array([[0, 5, 5], [2, 0, 1]])
    out = emb.forward(ids)
    np.testing.assert_array_equal(out[0, 1], emb.params["W"][5])
    r = np.random.default_rng(1).standard_normal(out.shape)
    assert emb.backward(r) is None
    expected = np.zeros((6, 3))
    for (b, t), i in np.ndenumerate(ids):
        expected[i] += r[b, t]
    np.testing.assert_allclose(emb.grads["W"], expected)
    for bad, word in ((np.array([[-1, 0]]), "ids"), (np.array([[6]]), r"\[0, 6\)"), (np.array([0.5]), "integer")):
        with pytest.raises(ValueError, match=word):
            emb.forward(bad)
    with pytest.raises(ValueError, match="dout must have the shape"):
        emb.backward(np.ones((2, 3)))


def test_residual_block_adds_identity_path():
    f = Sequential(Linear(4, 4, rng=0), Activation("tanh"), Linear(4, 4, rng=1))
    block = ResidualBlock(f)
    x = np.random.default_rng(2).standard_normal((3, 4))
    np.testing.assert_allclose(block.forward(x), x + f.forward(x))
    assert gradcheck(block, x) == {"x", "0.0.W", "0.0.b", "0.2.W", "0.2.b"}
    with pytest.raises(ValueError, match="residual branch f must keep the shape"):
        ResidualBlock(Linear(4, 2, rng=0)).forward(x)


class _Counter(Module):
    """A module with one parameter and one buffer, to test state_dict."""

    def __init__(self) -> None:
        super().__init__()
        self.params["w"] = np.ones(2)
        self.buffers["seen"] = np.zeros(1)

    def forward(self, x):
        self.buffers["seen"] += 1
        self._cache = x.shape
        return x * self.params["w"]

    def backward(self, dout):
        self._get_cache()
        return dout * self.params["w"]


def test_state_dict_holds_buffers_and_load_checks_before_writing():
    net = Sequential(Linear(2, 2, rng=0), _Counter())
    net.forward(np.ones((1, 2)))
    state = net.state_dict()
    assert set(state) == {"0.W", "0.b", "1.w", "1.seen"} and state["1.seen"][0] == 1
    net.forward(np.ones((1, 2)))
    net.load_state_dict(state)
    assert net[1].buffers["seen"][0] == 1
    before = net.state_dict()
    broken = dict(state, **{"0.W": np.zeros((3, 3))})
    with pytest.raises(ValueError, match=r"state\['0.W'\] must have shape \(2, 2\)"):
        net.load_state_dict(broken)
    with pytest.raises(ValueError, match="missing"):
        net.load_state_dict({k: v for k, v in state.items() if k != "1.seen"})
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])  # nothing was written


def test_dtype_rule():
    layer = Linear(4, 3, rng=0)  # float64 parameters
    out = layer.forward(np.ones((2, 4), dtype=np.float32))
    assert out.dtype == np.float64 and layer.backward(np.ones((2, 3), dtype=np.float32)).dtype == np.float64
    small = Linear(4, 3, rng=0, dtype=np.float32)
    assert small.forward(np.ones((2, 4))).dtype == np.float32
    small.backward(np.ones((2, 3)))
    assert small.grads["W"].dtype == np.float32 and small.grads["b"].dtype == np.float32
    assert Activation("tanh").forward(np.ones(3, dtype=np.int64)).dtype == np.float64
    for bad in (np.int64, bool, "float16"):
        with pytest.raises(TypeError, match="dtype must be float32 or float64"):
            Linear(3, 2, dtype=bad)


def test_rng_rule():
    a, b = Linear(8, 8), Linear(8, 8)  # no rng: fresh entropy, never the same weights
    assert not np.array_equal(a.params["W"], b.params["W"])
    np.testing.assert_array_equal(Linear(8, 8, rng=3).params["W"], Linear(8, 8, rng=3).params["W"])
    with pytest.raises(TypeError, match="rng must be"):
        Linear(2, 2, rng="seed")


@pytest.mark.parametrize(
    "module",
    [Linear(2, 2, rng=0), Activation("relu"), Flatten(), Embedding(3, 2, rng=0), ResidualBlock(Linear(2, 2, rng=0))],
    ids=repr,
)
def test_backward_before_forward_is_a_runtime_error(module):
    with pytest.raises(RuntimeError, match=rf"{type(module).__name__}.backward called before forward"):
        module.backward(np.ones((1, 2)))


def test_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        Activation("softplusish")
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 4\), got \(3, 5\)"):
        Linear(4, 2).forward(np.ones((3, 5)))
    layer = Activation("tanh")
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="dout must have the shape"):
        layer.backward(np.ones((2, 1)))  # would broadcast
    linear = Linear(3, 2, rng=0)
    linear.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"dout must have the shape of Linear.forward's output \(4, 2\)"):
        linear.backward(np.ones((4, 1)))  # would broadcast
    with pytest.raises(TypeError, match=r"layers\[1\]"):
        Sequential(Linear(2, 2), "relu")
