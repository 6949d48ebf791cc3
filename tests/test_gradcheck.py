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


class Product(Module):
    """Two inputs: forward(a, b) = a * b, backward returns (dL/da, dL/db)."""

    def forward(self, a, b):
        self._cache = (a, b)
        return a * b

    def backward(self, dout):
        a, b = self._get_cache()
        return dout * b, dout * a


class Lookup(Module):
    """Token ids and a scale setting: forward(ids, *, scale) = scale * table[ids]; ids have no gradient."""

    def __init__(self):
        super().__init__()
        self.params["T"] = np.random.default_rng(0).standard_normal((5, 2))

    def forward(self, ids, *, scale=1.0):
        self._cache = (ids, scale)
        return scale * self.params["T"][ids]

    def backward(self, dout):
        ids, scale = self._get_cache()
        self.grads["T"] = np.zeros_like(self.params["T"])
        np.add.at(self.grads["T"], ids, scale * dout)
        return None


def test_check_module_with_several_inputs_ids_and_settings():
    rng = np.random.default_rng(1)
    errors = check_module(Product(), (rng.standard_normal(3), rng.standard_normal(3)))
    assert set(errors) == {"x0", "x1"} and max(errors.values()) < 1e-7
    errors = check_module(Lookup(), np.array([0, 3, 3]), scale=2.5)
    assert set(errors) == {"T"} and errors["T"] < 1e-7


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"^x must be a floating-point numpy array"):
        numerical_gradient(lambda: 0.0, np.arange(3))
    with pytest.raises(TypeError, match=r"^x must be a floating-point numpy array"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"^eps must be > 0"):
        numerical_gradient(lambda: 0.0, np.ones(2), eps=0)
    x = np.ones(2)
    with pytest.raises(ValueError, match=r"^f returned a NaN or infinite value"):
        numerical_gradient(lambda: float("inf") if x[0] > 1 else 0.0, x, eps=1e-3)
    np.testing.assert_array_equal(x, np.ones(2))  # restored even when f fails
    with pytest.raises(ValueError, match=r"^a contains NaN"):
        relative_error(np.array([np.nan]), np.zeros(1))
    with pytest.raises(TypeError, match=r"^module must be a dlbook Module"):
        check_module(lambda v: v, np.ones(2))
