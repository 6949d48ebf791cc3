"""Tests of dlbook.attention: gradient checks, masks, the memory-efficient attention, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.attention import (
    GPT,
    AdditiveAttention,
    BERTEncoder,
    FeedForward,
    LearnedPositionalEncoding,
    MultiHeadAttention,
    Seq2SeqAttention,
    SinusoidalPositionalEncoding,
    TransformerBlock,
    attention_backward,
    chunked_attention,
    chunked_attention_backward,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positional_encoding,
)
from dlbook.gradcheck import numerical_gradient
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


@settings(max_examples=10, deadline=None)
@given(T=st.integers(1, 40), Tk=st.integers(0, 10), chunk=st.integers(1, 16), causal=st.booleans())
def test_memory_efficient_equals_plain(T, Tk, chunk, causal):
    rng = np.random.default_rng(T * 7 + chunk)
    q = rng.standard_normal((2, 2, T, 8))
    k, v = rng.standard_normal((2, 2, T + Tk, 8)), rng.standard_normal((2, 2, T + Tk, 5))
    from dlbook.attention import causal_mask

    mask = causal_mask(T + Tk)[Tk:] if causal else None  # queries sit at the last T key positions
    plain, c1 = scaled_dot_product_attention(q, k, v, mask=mask)
    fast, c2 = chunked_attention(q, k, v, causal=causal, chunk_size=chunk)
    assert np.max(np.abs(plain - fast)) < 1e-10
    r = rng.standard_normal(plain.shape)
    for a, b in zip(attention_backward(r, c1), chunked_attention_backward(r, c2), strict=True):
        assert np.max(np.abs(a - b)) < 1e-10


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
    ],
)
def test_layer_gradients(make):
    module = make()
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    errs = grad_errors(module, lambda: module.forward(x), x)
    assert max(errs.values()) < 1e-7, errs


def test_mha_padding_mask_gradients():
    mha = MultiHeadAttention(8, 2, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    mask = padding_mask(np.array([2, 5]), 5)
    errs = grad_errors(mha, lambda: mha.forward(x, mask), x)
    assert max(errs.values()) < 1e-7
    assert np.all(mha.attn_weights[0, :, :, 2:] == 0)


@pytest.mark.parametrize("cls", [GPT, BERTEncoder])
@pytest.mark.parametrize("norm_first", [True, False])
def test_language_models_gradients(cls, norm_first):
    ids = np.random.default_rng(0).integers(0, 11, (2, 6))
    model = cls(11, d_model=8, n_heads=2, n_layers=2, max_len=8, norm_first=norm_first, rng=0)
    assert model.forward(ids).shape == (2, 6, 11)
    errs = grad_errors(model, lambda: model.forward(ids))
    assert max(errs.values()) < 1e-6, errs  # tiny embeddings (std 0.02) leave small gradients


def test_causal_vs_bidirectional():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 11, (1, 6))
    ids2 = ids.copy()
    ids2[0, -1] = (ids[0, -1] + 1) % 11  # change only the last token
    gpt = GPT(11, d_model=8, n_heads=2, n_layers=2, max_len=8, rng=0)
    bert = BERTEncoder(11, d_model=8, n_heads=2, n_layers=2, max_len=8, rng=0)
    np.testing.assert_allclose(gpt.forward(ids)[0, :-1], gpt.forward(ids2)[0, :-1], atol=1e-12)
    assert np.abs(bert.forward(ids)[0, :-1] - bert.forward(ids2)[0, :-1]).max() > 1e-6


def test_permutation_equivariance_without_positions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 7, 8))
    perm = rng.permutation(7)
    block = TransformerBlock(8, 2, rng=0)
    np.testing.assert_allclose(block.forward(x)[:, perm], block.forward(x[:, perm]), atol=1e-12)


def test_additive_attention_and_seq2seq_gradients():
    rng = np.random.default_rng(0)
    att = AdditiveAttention(6, 5, 7, rng=0)
    q, k, v = rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 4, 5)), rng.standard_normal((2, 4, 3))
    out = att.forward(q, k, v)
    r = rng.standard_normal(out.shape)
    grads = att.backward(r)

    def loss():
        return float(np.sum(r * att.forward(q, k, v)))

    for g, t in zip(grads, (q, k, v), strict=True):
        assert norm_error(g, numerical_gradient(loss, t)) < 1e-7
    for key in att.params:
        assert norm_error(att.grads[key], numerical_gradient(loss, att.params[key])) < 1e-7
    s2s = Seq2SeqAttention(7, 8, 8, 10, 12, rng=0)
    src, tgt = rng.integers(0, 7, (2, 5)), rng.integers(0, 8, (2, 4))
    errs = grad_errors(s2s, lambda: s2s.forward(src, tgt), eps=1e-4)  # W_q's gradient is small: a wider step
    assert max(errs.values()) < 1e-7, errs
    assert s2s.alignment.shape == (2, 4, 5)
    np.testing.assert_allclose(s2s.alignment.sum(-1), 1.0)


def test_sinusoidal_table():
    pe = sinusoidal_positional_encoding(50, 16)
    assert pe.shape == (50, 16)
    np.testing.assert_allclose(pe[0, 0::2], 0.0)
    np.testing.assert_allclose(pe[0, 1::2], 1.0)
    assert np.allclose(sinusoidal_positional_encoding(4, 7)[:, 0], np.sin(np.arange(4)))


def test_bad_input():
    x = np.zeros((2, 5, 8))
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match="mask must"):
        MultiHeadAttention(8, 2).forward(x, np.ones((5, 4), dtype=bool))
    with pytest.raises(ValueError, match="boolean"):
        MultiHeadAttention(8, 2).forward(x, np.ones((5, 5)))
    with pytest.raises(ValueError, match="max_len"):
        SinusoidalPositionalEncoding(4, 8).forward(x)
    with pytest.raises(ValueError, match="max_len"):
        GPT(11, d_model=8, n_heads=2, n_layers=1, max_len=4).forward(np.zeros((1, 6), dtype=int))
    with pytest.raises(ValueError, match="k and v"):
        scaled_dot_product_attention(np.zeros((3, 4)), np.zeros((5, 4)), np.zeros((6, 2)))
    with pytest.raises(ValueError, match="x must have shape"):
        MultiHeadAttention(8, 2).forward(np.zeros((2, 5, 6)))


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "relu"])
def test_feedforward_activation_matches_dlbook_activations(name):
    from dlbook.activations import get_activation

    ffn = FeedForward(4, 8, activation=name, rng=0)
    z = np.linspace(-4, 4, 40).reshape(5, 8)
    spec = get_activation(name)
    np.testing.assert_allclose(ffn._phi(z), spec.fn(z), atol=1e-12)
    np.testing.assert_allclose(ffn._dphi(z), spec.grad(z), atol=1e-12)
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    errs = grad_errors(ffn, lambda: ffn.forward(x), x)
    assert max(errs.values()) < 1e-7


def test_reversal_task_is_learned_quickly():
    from dlbook.attention import reversal_task, train_seq2seq

    src, tgt = reversal_task(500, 4, n_symbols=5, rng=0)
    np.testing.assert_array_equal(tgt, src[:, ::-1])
    model = Seq2SeqAttention(5, 6, 8, 24, 16, rng=0)
    losses = train_seq2seq(model, src, tgt, bos=5, steps=150, batch_size=32, lr=1e-2)
    assert np.mean(losses[-10:]) < 0.3 * np.mean(losses[:10])
    pred = model.greedy_decode(src[:50], 4, bos=5)
    assert np.mean(pred == tgt[:50]) > 0.8
