"""PyTorch parity for dlbook.rnn and dlbook.attention: LSTM, scaled dot-product attention, multi-head attention."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from dlbook.attention import (  # noqa: E402
    MultiHeadAttention,
    attention_backward,
    chunked_attention,
    chunked_attention_backward,
    scaled_dot_product_attention,
)
from dlbook.rnn import LSTM  # noqa: E402


def t(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def test_lstm_matches_torch_forward_and_backward():
    rng = np.random.default_rng(0)
    B, T, D, H = 3, 7, 4, 5
    ours = LSTM(D, H, rng=0)
    ref = torch.nn.LSTM(D, H, batch_first=True).double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(t(ours.params["W_ih"]))
        ref.weight_hh_l0.copy_(t(ours.params["W_hh"]))
        ref.bias_ih_l0.copy_(t(ours.params["b"]))
        ref.bias_hh_l0.zero_()
    x, r = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, H))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    h0t, c0t = t(h0[None], True), t(c0[None], True)
    xt = t(x, True)
    out, _ = ref(xt, (h0t, c0t))
    (out * t(r)).sum().backward()
    np.testing.assert_allclose(ours.forward(x, state=(h0, c0)), out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.backward(r), xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.grads["W_ih"], ref.weight_ih_l0.grad.numpy(), atol=1e-11)
    np.testing.assert_allclose(ours.grads["W_hh"], ref.weight_hh_l0.grad.numpy(), atol=1e-11)
    np.testing.assert_allclose(ours.grads["b"], ref.bias_ih_l0.grad.numpy(), atol=1e-11)
    np.testing.assert_allclose(ours.dh0, h0t.grad.numpy()[0], atol=1e-12)
    np.testing.assert_allclose(ours.dc0, c0t.grad.numpy()[0], atol=1e-12)


def test_rnn_matches_torch_forward_and_backward():
    from dlbook.rnn import RNN

    rng = np.random.default_rng(4)
    B, T, D, H = 2, 6, 3, 4
    for nonlinearity in ("tanh", "relu"):
        ours = RNN(D, H, nonlinearity=nonlinearity, rng=0)
        ref = torch.nn.RNN(D, H, nonlinearity=nonlinearity, batch_first=True).double()
        with torch.no_grad():
            ref.weight_ih_l0.copy_(t(ours.params["W_xh"]))
            ref.weight_hh_l0.copy_(t(ours.params["W_hh"]))
            ref.bias_ih_l0.copy_(t(ours.params["b"]))
            ref.bias_hh_l0.zero_()
        x, r, h0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, H)), rng.standard_normal((B, H))
        xt, h0t = t(x, True), t(h0[None], True)
        out, _ = ref(xt, h0t)
        (out * t(r)).sum().backward()
        np.testing.assert_allclose(ours.forward(x, state=h0), out.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(ours.backward(r), xt.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(ours.dh0, h0t.grad.numpy()[0], atol=1e-12)
        np.testing.assert_allclose(ours.grads["W_hh"], ref.weight_hh_l0.grad.numpy(), atol=1e-11)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("impl", ["plain", "chunked"])
def test_attention_matches_sdpa(causal, impl):
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((2, 3, 9, 4)) for _ in range(3))
    qt, kt, vt = t(q, True), t(k, True), t(v, True)
    ref = F.scaled_dot_product_attention(qt, kt, vt, is_causal=causal)
    if impl == "plain":
        out, cache = scaled_dot_product_attention(q, k, v, causal=causal)
    else:
        out, _ = chunked_attention(q, k, v, causal=causal, chunk_size=4)
        _, cache = scaled_dot_product_attention(q, k, v, causal=causal)
    np.testing.assert_allclose(out, ref.detach().numpy(), atol=1e-12)
    r = rng.standard_normal(out.shape)
    (ref * t(r)).sum().backward()
    for ours, theirs in zip(attention_backward(r, cache), (qt.grad, kt.grad, vt.grad), strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-12)


def test_attention_with_padding_mask_matches_sdpa():
    rng = np.random.default_rng(2)
    q, k, v = (rng.standard_normal((2, 6, 4)) for _ in range(3))
    mask = np.arange(6)[None, None, :] < np.array([4, 6])[:, None, None]  # (2, 1, 6)
    out, _ = scaled_dot_product_attention(q, k, v, mask=mask)
    ref = F.scaled_dot_product_attention(t(q), t(k), t(v), attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(out, ref.numpy(), atol=1e-12)


@pytest.mark.parametrize("causal", [False, True])
def test_multihead_attention_matches_torch(causal):
    rng = np.random.default_rng(3)
    B, T, d, h = 2, 6, 8, 2
    ours = MultiHeadAttention(d, h, causal=causal, rng=0)
    ref = torch.nn.MultiheadAttention(d, h, batch_first=True).double()
    with torch.no_grad():
        ref.in_proj_weight.copy_(t(ours.params["W_qkv"]))
        ref.in_proj_bias.copy_(t(rng.standard_normal(3 * d)))
        ref.out_proj.weight.copy_(t(ours.params["W_o"]))
        ref.out_proj.bias.copy_(t(rng.standard_normal(d)))
    ours.params["b_qkv"][...] = ref.in_proj_bias.detach().numpy()
    ours.params["b_o"][...] = ref.out_proj.bias.detach().numpy()
    x, r = rng.standard_normal((B, T, d)), rng.standard_normal((B, T, d))
    xt = t(x, True)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1) if causal else None  # True = may NOT attend
    out, _ = ref(xt, xt, xt, attn_mask=mask, need_weights=False)
    (out * t(r)).sum().backward()
    np.testing.assert_allclose(ours.forward(x), out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.backward(r), xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.grads["W_qkv"], ref.in_proj_weight.grad.numpy(), atol=1e-11)
    np.testing.assert_allclose(ours.grads["b_qkv"], ref.in_proj_bias.grad.numpy(), atol=1e-11)
    np.testing.assert_allclose(ours.grads["W_o"], ref.out_proj.weight.grad.numpy(), atol=1e-11)
    np.testing.assert_allclose(ours.grads["b_o"], ref.out_proj.bias.grad.numpy(), atol=1e-11)


@pytest.mark.parametrize("Tq, Tk", [(3, 8), (8, 3), (5, 5), (7, 1)])
@pytest.mark.parametrize("kind", ["causal", "masked", "causal+masked"])
@pytest.mark.parametrize("impl", ["plain", "chunked"])
def test_attention_matches_sdpa_at_unequal_lengths(Tq, Tk, kind, impl):
    """Forward AND backward of both implementations against torch 2.13's SDPA at unequal query and key lengths:
    is_causal's top-left alignment, explicit boolean masks, and rows that such a mask blocks entirely (zeros)."""
    rng = np.random.default_rng(Tq * 10 + Tk)
    q, k, v = rng.standard_normal((2, 2, Tq, 4)), rng.standard_normal((2, 2, Tk, 4)), rng.standard_normal((2, 2, Tk, 3))
    qt, kt, vt = t(q, True), t(k, True), t(v, True)
    mask = None
    if "masked" in kind:
        mask = rng.random((2, 1, Tq, Tk)) < 0.6
        mask[0, 0, 0] = False  # one fully masked row
    causal = "causal" in kind
    if causal and mask is not None:  # torch takes one or the other: combine them into one explicit mask
        ref = F.scaled_dot_product_attention(
            qt, kt, vt, attn_mask=torch.tensor(mask & np.tril(np.ones((Tq, Tk), bool)))
        )
    else:
        ref = F.scaled_dot_product_attention(
            qt, kt, vt, attn_mask=None if mask is None else torch.tensor(mask), is_causal=causal
        )
    r = rng.standard_normal(ref.shape)
    (ref * t(r)).sum().backward()
    if impl == "plain":
        out, cache = scaled_dot_product_attention(q, k, v, mask=mask, causal=causal)
        grads = attention_backward(r, cache)
    else:
        out, cache = chunked_attention(q, k, v, mask=mask, causal=causal, chunk_size=2)
        grads = chunked_attention_backward(r, cache)
    np.testing.assert_allclose(out, ref.detach().numpy(), atol=1e-12)
    for ours, theirs in zip(grads, (qt.grad, kt.grad, vt.grad), strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-12)
    if mask is not None:
        np.testing.assert_array_equal(out[0, :, 0], 0.0)  # torch's CPU kernel gives zeros there too
