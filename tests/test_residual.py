"""The residual block h + f(h)."""

import numpy as np
import pytest

from dlbook.gradcheck import check_module
from dlbook.layers import Activation, Linear, Sequential
from dlbook.residual import ResidualBlock, residual_mlp, residual_mlp_block


def test_residual_block_gradcheck():
    rng = np.random.default_rng(0)
    block = ResidualBlock(Sequential(Linear(4, 6, rng=rng), Activation("tanh"), Linear(6, 4, rng=rng)))
    errors = check_module(block, rng.standard_normal((3, 4)))
    assert max(errors.values()) < 1e-7, errors
    assert [name for name, _, _ in block.named_parameters()] == ["0.0.W", "0.0.b", "0.2.W", "0.2.b"]


def test_residual_mlp_with_batchnorm_gradcheck():
    model = residual_mlp(5, 4, blocks=2, n_classes=3, activation="tanh", norm=True, rng=1)
    errors = check_module(model, np.random.default_rng(2).standard_normal((6, 5)))
    assert max(errors.values()) < 1e-6, errors


def test_identity_when_branch_is_zero():
    block = residual_mlp_block(3, rng=0)
    for _, owner, key in block.named_parameters():
        owner.params[key][...] = 0.0
    x = np.random.default_rng(0).standard_normal((2, 3))
    np.testing.assert_array_equal(block.forward(x), x)
    dout = np.ones_like(x)
    np.testing.assert_array_equal(block.backward(dout), dout)  # the gradient passes untouched


def test_shape_and_type_errors():
    with pytest.raises(ValueError, match="f"):
        ResidualBlock(lambda x: x)
    block = ResidualBlock(Linear(3, 2, rng=0))
    with pytest.raises(ValueError, match="shape"):
        block.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="dim"):
        residual_mlp_block(0)


def test_dtype_and_modes_propagate():
    model = residual_mlp(4, 8, blocks=3, n_classes=2, norm=True, rng=0, dtype=np.float32)
    x = np.ones((5, 4), dtype=np.float32)
    assert model.forward(x).dtype == np.float32
    model.eval()
    assert all(not m.training for m in model[1].f.layers)
