"""Tests of dlbook.attention: gradient checks, masks and their alignment, the memory-efficient attention, the layer
contract, bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.activations import gelu_tanh, get_activation, softmax
from dlbook.attention import (
    AdditiveAttention,
    FeedForward,
    LearnedPositionalEncoding,
    MultiHeadAttention,
    SinusoidalPositionalEncoding,
    TransformerBlock,
    _masked_softmax,
    attention_backward,
    causal_mask,
    chunked_attention,
    chunked_attention_backward,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positional_encoding,
)
from dlbook.gradcheck import numerical_gradient
from dlbook.layers import Linear, Sequential
from dlbook.normalization import LayerNorm


def norm_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def grad_errors(module, fwd, x=None, seed=1, eps=1e-6):
    """Norm-relative error of every analytic gradient against central differences, L = sum(r * out)."""
    out = fwd()
    r = np.random.default_rng(seed).standard_normal(out.shape)
    dx = module.backward(r)
    analytic = {name: owner.grads[key].copy() for name, owner, key in module.named_parameters()}

    def loss():
        return float(np.sum(r * fwd()))

    errs = {
        name: norm_error(analytic[name], numerical_gradient(loss, owner.params[key], eps))
        for name, owner, key in module.named_parameters()
    }
    if x is not None:
        errs["x"] = norm_error(dx, numerical_gradient(loss, x, eps))
    return errs


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("use_mask", [False, True])
def test_attention_gradients(causal, use_mask):
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 3))
    mask = padding_mask(np.array([3, 5]), 5)[:, 0] if use_mask else None
    out, cache = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
    r = rng.standard_normal(out.shape)
    grads = attention_backward(r, cache)

    def loss():
        return float(np.sum(r * scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)[0]))

    for g, t in zip(grads, (q, k, v), strict=True):
        assert norm_error(g, numerical_gradient(loss, t)) < 1e-7
    if use_mask:  # masked keys get exactly zero weight
        assert np.all(cache[0][0, :, 3:] == 0)


def test_masked_softmax_without_mask_equals_softmax():
    s = np.random.default_rng(0).standard_normal((3, 4, 7)) * 5
    np.testing.assert_allclose(_masked_softmax(s.copy(), None), softmax(s), rtol=1e-14, atol=0)


@settings(max_examples=25, deadline=None)
@given(
    Tq=st.integers(1, 20),
    Tk=st.integers(1, 20),
    chunk=st.integers(1, 8),
    causal=st.booleans(),
    masked=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_chunked_equals_plain_for_any_lengths(Tq, Tk, chunk, causal, masked, seed):
    """Same causal alignment (top-left) and same masked rows in both functions, forward and backward."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((2, 2, Tq, 8))
    k, v = rng.standard_normal((2, 2, Tk, 8)), rng.standard_normal((2, 2, Tk, 5))
    mask = rng.random((2, 1, Tq, Tk)) < 0.6 if masked else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain, c1 = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
        fast, c2 = chunked_attention(q, k, v, mask=mask, causal=causal, chunk_size=chunk)
        assert np.all(np.isfinite(plain)) and np.all(np.isfinite(fast))
        assert np.max(np.abs(plain - fast)) < 1e-10
        r = rng.standard_normal(plain.shape)
        for a, b in zip(attention_backward(r, c1), chunked_attention_backward(r, c2), strict=True):
            assert np.all(np.isfinite(b))
            assert np.max(np.abs(a - b)) < 1e-10


def test_causal_alignment_is_top_left_in_both_functions():
    """Regression: chunked_attention aligned the causal mask bottom-right (and gave NaN rows when T_q > T_k)."""
    rng = np.random.default_rng(0)
    for Tq, Tk in ((3, 8), (8, 3)):
        q, k, v = rng.standard_normal((1, Tq, 4)), rng.standard_normal((1, Tk, 4)), rng.standard_normal((1, Tk, 2))
        ref, _ = scaled_dot_product_attention(q, k, v, mask=np.tril(np.ones((Tq, Tk), dtype=bool)))
        for f in (scaled_dot_product_attention, chunked_attention):
            out, _ = f(q, k, v, causal=True)
            np.testing.assert_allclose(out, ref, atol=1e-12)
        # query 0 sees key 0 only, in both
        np.testing.assert_allclose(chunked_attention(q, k, v, causal=True)[0][0, 0], v[0, 0], atol=1e-12)


@pytest.mark.parametrize("impl", ["plain", "chunked"])
def test_fully_masked_row_gives_zeros_and_no_warning(impl):
    """Regression: a query allowed to see no key returned NaN with a RuntimeWarning; now 0, with gradient 0."""
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2))
    mask = np.ones((2, 4, 5), dtype=bool)
    mask[0, 1] = False  # query 1 of sequence 0 may attend to nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if impl == "plain":
            out, cache = scaled_dot_product_attention(q, k, v, mask=mask)
            dq, dk, dv = attention_backward(np.ones_like(out), cache)
        else:
            out, cache = chunked_attention(q, k, v, mask=mask, chunk_size=2)
            dq, dk, dv = chunked_attention_backward(np.ones_like(out), cache)
    np.testing.assert_array_equal(out[0, 1], 0.0)
    np.testing.assert_array_equal(dq[0, 1], 0.0)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dk)) and np.all(np.isfinite(dv))
    ref, _ = scaled_dot_product_attention(q[1:], k[1:], v[1:])
    np.testing.assert_allclose(out[1:], ref, atol=1e-12)  # other rows untouched


def test_gpt_style_left_padded_batch_is_finite():
    """Regression: a causal model fed a left-padded batch (padding keys masked) produced NaN for the pad queries."""
    mha = MultiHeadAttention(8, 2, causal=True, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    mask = np.ones((2, 1, 1, 5), dtype=bool)
    mask[0, ..., :2] = False  # sequence 0 is left-padded by two positions
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = mha.forward(x, mask=mask)
        dx = mha.backward(np.ones_like(out))
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))


@pytest.mark.parametrize(
    "make",
    [
        lambda: MultiHeadAttention(8, 2, rng=0),
        lambda: MultiHeadAttention(8, 4, causal=True, rng=0),
        lambda: MultiHeadAttention(8, 2, causal=True, memory_efficient=True, rng=0),
        lambda: FeedForward(8, 16, rng=0),
        lambda: LayerNorm(8),
        lambda: TransformerBlock(8, 2, causal=True, rng=0),
        lambda: TransformerBlock(8, 2, norm_first=False, rng=0),
        lambda: LearnedPositionalEncoding(6, 8, rng=0),
        lambda: Sequential(TransformerBlock(8, 2, rng=0), Linear(8, 8, rng=0)),
    ],
)
def test_layer_gradients(make):
    module = make()
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    errs = grad_errors(module, lambda: module.forward(x), x)
    assert max(errs.values()) < 1e-7, errs


def test_sequential_transformer_block_then_linear():
    """Issue 11: ``Sequential(TransformerBlock(8, 2), Linear(8, 2))`` works (Linear over the last axis)."""
    model = Sequential(TransformerBlock(8, 2, rng=0), Linear(8, 2, rng=0))
    x = np.random.default_rng(0).standard_normal((3, 4, 8))
    out = model.forward(x)
    assert out.shape == (3, 4, 2)
    dx = model.backward(np.ones_like(out))
    assert dx.shape == x.shape
    errs = grad_errors(model, lambda: model.forward(x), x)
    assert max(errs.values()) < 1e-7, errs


@pytest.mark.parametrize("memory_efficient", [False, True])
def test_mha_padding_mask_gradients(memory_efficient):
    mha = MultiHeadAttention(8, 2, memory_efficient=memory_efficient, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    mask = padding_mask(np.array([2, 5]), 5)
    errs = grad_errors(mha, lambda: mha.forward(x, mask=mask), x)
    assert max(errs.values()) < 1e-7
    if not memory_efficient:
        assert np.all(mha.attn_weights[0, :, :, 2:] == 0)


def test_memory_efficient_mha_equals_plain():
    x = np.random.default_rng(0).standard_normal((2, 9, 8))
    mask = padding_mask(np.array([4, 9]), 9)
    a, b = (
        MultiHeadAttention(8, 2, causal=True, rng=0),
        MultiHeadAttention(8, 2, causal=True, memory_efficient=True, rng=0),
    )
    np.testing.assert_allclose(a.forward(x, mask=mask), b.forward(x, mask=mask), atol=1e-12)
    r = np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_allclose(a.backward(r), b.backward(r), atol=1e-12)


def test_permutation_equivariance_without_positions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 7, 8))
    perm = rng.permutation(7)
    block = TransformerBlock(8, 2, rng=0)
    np.testing.assert_allclose(block.forward(x)[:, perm], block.forward(x[:, perm]), atol=1e-12)


def test_additive_attention_gradients_and_tuple_backward():
    rng = np.random.default_rng(0)
    att = AdditiveAttention(6, 5, 7, rng=0)
    q, k, v = rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 4, 5)), rng.standard_normal((2, 4, 3))
    out = att.forward(q, k, v)
    r = rng.standard_normal(out.shape)
    grads = att.backward(r)
    assert isinstance(grads, tuple) and len(grads) == 3  # one gradient per positional input, in order

    def loss():
        return float(np.sum(r * att.forward(q, k, v)))

    for g, t in zip(grads, (q, k, v), strict=True):
        assert norm_error(g, numerical_gradient(loss, t)) < 1e-7
    for key in att.params:
        assert norm_error(att.grads[key], numerical_gradient(loss, att.params[key])) < 1e-7


def test_sinusoidal_table():
    pe = sinusoidal_positional_encoding(50, 16)
    assert pe.shape == (50, 16)
    np.testing.assert_allclose(pe[0, 0::2], 0.0)
    np.testing.assert_allclose(pe[0, 1::2], 1.0)
    assert np.allclose(sinusoidal_positional_encoding(4, 7)[:, 0], np.sin(np.arange(4)))


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "relu"])
def test_feedforward_activation_matches_dlbook_activations(name):
    """The fused GELU (tanh form) of FeedForward equals dlbook.activations.gelu_tanh and its derivative."""
    ffn = FeedForward(4, 8, activation=name, rng=0)
    z = np.linspace(-4, 4, 40).reshape(5, 8)
    spec = get_activation(name)
    a, aux = ffn._phi(z)
    np.testing.assert_allclose(a, spec.fn(z), atol=1e-12)
    np.testing.assert_allclose(ffn._dphi(z, aux), spec.grad(z), atol=1e-12)
    if name == "gelu_tanh":
        np.testing.assert_allclose(a, gelu_tanh(z), atol=1e-15)
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    errs = grad_errors(ffn, lambda: ffn.forward(x), x)
    assert max(errs.values()) < 1e-7


@pytest.mark.parametrize(
    "make, args",
    [
        (lambda: MultiHeadAttention(8, 2, rng=0), ((2, 5, 8),)),
        (lambda: FeedForward(8, 16, rng=0), ((2, 5, 8),)),
        (lambda: TransformerBlock(8, 2, rng=0), ((2, 5, 8),)),
        (lambda: LearnedPositionalEncoding(6, 8, rng=0), ((2, 5, 8),)),
        (lambda: SinusoidalPositionalEncoding(6, 8), ((2, 5, 8),)),
        (lambda: AdditiveAttention(6, 5, 7, rng=0), ((2, 3, 6), (2, 4, 5), (2, 4, 3))),
    ],
)
def test_contract_backward_before_forward_and_wrong_dout(make, args):
    """RuntimeError before forward; a wrongly shaped dout is rejected (not reshaped)."""
    module = make()
    with pytest.raises(RuntimeError, match="before forward"):
        module.backward(np.zeros((2, 5, 8)))
    rng = np.random.default_rng(0)
    out = module.forward(*(rng.standard_normal(s) for s in args))
    for bad in (out.reshape(-1), out[:, :-1], np.zeros((*out.shape[:-1], out.shape[-1] + 1))):
        with pytest.raises(ValueError, match=r"\bdout\b"):
            module.backward(bad)


def test_float32_is_preserved():
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    block = TransformerBlock(8, 2, rng=0, dtype=np.float32)
    out = block.forward(x)  # float64 input, float32 parameters: computes in float32
    assert out.dtype == np.float32 and block.backward(np.ones_like(out)).dtype == np.float32
    q = x.astype(np.float32)
    assert scaled_dot_product_attention(q, q, q)[0].dtype == np.float32
    assert chunked_attention(q, q, q, causal=True)[0].dtype == np.float32


def test_two_layers_without_rng_differ():
    a, b = MultiHeadAttention(8, 2), MultiHeadAttention(8, 2)
    assert not np.array_equal(a.params["W_qkv"], b.params["W_qkv"])


def test_bad_input():
    x = np.zeros((2, 5, 8))
    with pytest.raises(ValueError, match=r"\bnum_heads\b"):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match=r"\bmask\b"):
        MultiHeadAttention(8, 2).forward(x, mask=np.ones((5, 4), dtype=bool))
    with pytest.raises(ValueError, match="boolean"):
        MultiHeadAttention(8, 2).forward(x, mask=np.ones((5, 5)))
    with pytest.raises(TypeError):
        MultiHeadAttention(8, 2).forward(x, np.ones((5, 5), dtype=bool))  # the mask is keyword-only
    with pytest.raises(ValueError, match="max_len"):
        SinusoidalPositionalEncoding(4, 8).forward(x)
    with pytest.raises(ValueError, match=r"\bk and v\b"):
        scaled_dot_product_attention(np.zeros((3, 4)), np.zeros((5, 4)), np.zeros((6, 2)))
    with pytest.raises(ValueError, match=r"\bq and k\b"):
        chunked_attention(np.zeros((3, 4)), np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"\bx must have shape\b"):
        MultiHeadAttention(8, 2).forward(np.zeros((2, 5, 6)))
    with pytest.raises(ValueError, match=r"\bchunk_size\b"):
        chunked_attention(x, x, x, chunk_size=0)
    with pytest.raises(ValueError, match=r"\blengths\b"):
        padding_mask(np.array([0, 3]), 5)
    with pytest.raises(ValueError, match=r"\bT_k\b"):
        causal_mask(3, 0)
    with pytest.raises(TypeError, match=r"\bdtype\b"):
        MultiHeadAttention(8, 2, dtype=np.int64)
    with pytest.raises(ValueError, match=r"\bdout\b"):
        _, cache = scaled_dot_product_attention(x, x, x)
        attention_backward(np.zeros((2, 5, 7)), cache)
