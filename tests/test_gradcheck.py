"""The gradient checker itself: exact on known functions, and it catches a wrong backward."""

import numpy as np
import pytest

from dlbook.gradcheck import check_module, numerical_gradient, relative_error
from dlbook.layers import Linear, Module


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda: float(np.sum(x**3)), x), 3 * x**2, rtol=1e-8)
    before = x.copy()
    numerical_gradient(lambda: float(np.sum(np.sin(x))), x)
    np.testing.assert_array_equal(x, before)  # restored after every perturbation


def test_relative_error():
    assert relative_error(np.ones(3), np.ones(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.ones(2), np.ones(3))


class WrongLinear(Linear):
    """A Linear whose weight gradient forgets a transpose-free factor of 2: the checker must notice."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["W"] = 2 * self.grads["W"]
        return dx


class Square(Module):
    def forward(self, x):
        self.x = x
        return x**2

    def backward(self, dout):
        return 2 * self.x * dout


def test_check_module_passes_correct_and_flags_wrong_backward():
    x = np.random.default_rng(0).standard_normal((4, 3))
    errors = check_module(Linear(3, 2, rng=0), x)
    assert set(errors) == {"x", "W", "b"} and max(errors.values()) < 1e-7
    errors = check_module(WrongLinear(3, 2, rng=0), x)
    assert errors["W"] > 0.1 and errors["x"] < 1e-7
    assert check_module(Square(), x)["x"] < 1e-7
