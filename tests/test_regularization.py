"""Dropout and the weight-decay penalty (early stopping is tested with the training loop, in test_train.py)."""

import numpy as np
import pytest

from dlbook.gradcheck import check_module, numerical_gradient, relative_error
from dlbook.layers import Linear, Sequential
from dlbook.regularization import Dropout, dropout_backward, dropout_forward, l2_penalty


def test_dropout_gradcheck_with_fixed_mask():
    drop = Dropout(0.4, rng=0)
    drop.freeze_mask = True
    x = np.random.default_rng(1).standard_normal((6, 5))
    drop.forward(x)
    errors = check_module(drop, x)
    assert errors["x"] < 1e-7


def test_dropout_functional_pair():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    mask = rng.random((4, 3)) > 0.5
    out, scale = dropout_forward(x, 0.5, mask=mask)
    np.testing.assert_allclose(out, np.where(mask, 2 * x, 0))
    r = rng.standard_normal(x.shape)
    num = numerical_gradient(lambda: np.sum(r * dropout_forward(x, 0.5, mask=mask)[0]), x)
    assert relative_error(dropout_backward(r, scale), num) < 1e-7


def test_dropout_rate_and_expectation():
    x = np.ones((200, 500))
    out = Dropout(0.3, rng=0).forward(x)
    assert np.mean(out == 0) == pytest.approx(0.3, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the expectation
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7])


def test_dropout_is_identity_in_eval_mode():
    drop = Dropout(0.5, rng=0).eval()
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(drop.forward(x), x)
    np.testing.assert_array_equal(drop.backward(x), x)


def test_dropout_same_seed_same_masks_and_dtype():
    x = np.ones((5, 6), dtype=np.float32)
    a, b = Dropout(0.5, rng=3), Dropout(0.5, rng=3)
    for _ in range(3):
        np.testing.assert_array_equal(a.forward(x), b.forward(x))
    assert a.forward(x).dtype == np.float32
    assert a.backward(x).dtype == np.float32


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: Dropout(1.0), r"^p must be in \[0, 1\), got 1.0"),
        (lambda: Dropout(-0.1), r"^p must be in \[0, 1\)"),
        (lambda: dropout_forward(np.ones((2, 2)), 0.5, mask=np.ones(3, bool)), r"^mask must have shape \(2, 2\)"),
        (lambda: dropout_forward(np.ones(2), 0.5, mask=np.array([0.5, 1.0])), r"^mask must be a boolean keep-mask"),
        (lambda: dropout_backward(np.ones(3), np.ones(2)), r"^dout must have shape \(2,\)"),
        (lambda: l2_penalty(Sequential(Linear(2, 2)), -1), r"^weight_decay must be >= 0"),
    ],
)
def test_bad_input_raises(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_dropout_backward_guards():
    drop = Dropout(0.5, rng=0)
    with pytest.raises(RuntimeError, match=r"^Dropout.backward called before forward"):
        drop.backward(np.ones((2, 2)))
    drop.forward(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"^dout must have the shape .*\(2, 2\), got \(2, 1\)"):
        drop.backward(np.ones((2, 1)))  # would broadcast
    drop.eval().forward(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"^dout must have the shape"):
        drop.backward(np.ones(3))  # the identity checks the shape too


def test_dropout_rng_none_gives_different_masks():
    x = np.ones((20, 20))
    assert not np.array_equal(Dropout(0.5).forward(x), Dropout(0.5).forward(x))


def test_l2_penalty_needs_a_module():
    with pytest.raises(TypeError, match=r"^model must be a dlbook Module"):
        l2_penalty({"W": np.ones((2, 2))}, 0.1)


def test_l2_penalty_counts_weights_only_by_default():
    model = Sequential(Linear(2, 3, rng=0))
    model[0].params["b"][...] = 1.0
    w2 = float(np.sum(model[0].params["W"] ** 2))
    assert l2_penalty(model, 0.1) == pytest.approx(0.05 * w2)
    assert l2_penalty(model, 0.1, include_biases=True) == pytest.approx(0.05 * (w2 + 3))
