"""Logistic regression: gradients, convergence, and the single hyperplane failing where the chapter says it fails."""

import numpy as np
import pytest

from dlbook import data, optim
from dlbook.gradcheck import numerical_gradient, relative_error
from dlbook.linear_models import LogisticRegression
from dlbook.train import ArrayBatches, fit


@pytest.mark.parametrize("num_classes", [2, 4])
def test_gradients(num_classes):
    rng = np.random.default_rng(0)
    model = LogisticRegression(3, num_classes)
    for key in model.params:
        model.params[key][...] = rng.standard_normal(model.params[key].shape)
    X, y = rng.standard_normal((7, 3)), rng.integers(0, num_classes, 7)
    _, dz = model.loss(X, y)
    dX = model.backward(dz)
    for key in model.params:
        numeric = numerical_gradient(lambda: model.loss(X, y)[0], model.params[key], 1e-5)
        assert relative_error(model.grads[key], numeric) < 1e-7
    assert relative_error(dX, numerical_gradient(lambda: model.loss(X, y)[0], X, 1e-5)) < 1e-7


def test_fits_linearly_separable_blobs():
    X, y = data.blobs(300, num_classes=3, std=0.2, rng=0)
    model = LogisticRegression(2, 3)
    hist = fit(model, ArrayBatches(X, y), loss="softmax_ce", optimizer=optim.SGD(model, 0.5), epochs=500)
    assert hist.step_loss[-1] < hist.step_loss[0] and np.mean(model.predict(X) == y) == 1.0
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


def test_fit_with_bce_is_plain_gradient_descent_on_the_model_loss():
    """fit's "bce" on the (N, 1) logit equals the model's own loss and a hand-written step p -= lr * g."""
    X, y = data.xor(50, rng=0)
    model, by_hand = LogisticRegression(2), LogisticRegression(2)
    hist = fit(model, ArrayBatches(X, y), loss="bce", optimizer=optim.SGD(model, 0.5), epochs=20)
    losses = []
    for _ in range(20):
        value, dz = by_hand.loss(X, y)
        by_hand.backward(dz)
        for key in by_hand.params:
            by_hand.params[key] -= 0.5 * by_hand.grads[key]
        losses.append(value)
    assert hist.step_loss == losses
    for key in model.params:
        np.testing.assert_array_equal(model.params[key], by_hand.params[key])


def test_one_hyperplane_fails_on_the_chapter_datasets():
    """The MLP chapter's claim (same data and settings): logistic regression stays near chance."""
    sets = (data.spiral(300, num_classes=2, noise=0.1, rng=0), data.checkerboard(400, rng=0), data.xor(400, rng=0))
    for X, y in sets:
        model = LogisticRegression(2)
        fit(model, ArrayBatches(X, y), loss="bce", optimizer=optim.SGD(model, 0.5), epochs=2000)
        assert np.mean(model.predict(X) == y) < 0.6


def test_binary_probabilities_and_bad_input():
    model = LogisticRegression(2)
    assert model.predict_proba(np.zeros((3, 2))).shape == (3,)
    with pytest.raises(ValueError, match="num_classes must be at least 2"):
        LogisticRegression(2, 1)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 2\)"):
        model.forward(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 2\)"):
        model.loss(np.zeros((2, 2)), np.array([0, 2]))
