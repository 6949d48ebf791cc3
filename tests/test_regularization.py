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
        (lambda: Dropout(1.0), "p"),
        (lambda: Dropout(-0.1), "p"),
        (lambda: dropout_forward(np.ones((2, 2)), 0.5, mask=np.ones(3, bool)), "mask"),
        (lambda: l2_penalty(Sequential(Linear(2, 2)), -1), "weight_decay"),
    ],
)
def test_bad_input_raises(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_l2_penalty_counts_weights_only_by_default():
    model = Sequential(Linear(2, 3, rng=0))
    model[0].params["b"][...] = 1.0
    w2 = float(np.sum(model[0].params["W"] ** 2))
    assert l2_penalty(model, 0.1) == pytest.approx(0.05 * w2)
    assert l2_penalty(model, 0.1, include_biases=True) == pytest.approx(0.05 * (w2 + 3))
