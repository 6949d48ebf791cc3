"""dlbook.architectures: parameter counts equal torchvision's, shapes and depths; the small networks train."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import architectures
from dlbook.architectures import (
    ARCHITECTURES,
    DenseBlock,
    architecture,
    basic_block,
    history,
    lenet5,
    small_densenet,
    small_resnet,
)
from dlbook.gradcheck import check_module
from dlbook.layers import Activation, Linear, ResidualBlock, Sequential
from dlbook.normalization import BatchNorm

# torchvision's counts (GoogLeNet without auxiliary classifiers), and the depths the papers give.
TORCHVISION = {
    "AlexNet": (61_100_840, 8),
    "VGG-16": (138_357_544, 16),
    "VGG-19": (143_667_240, 19),
    "GoogLeNet": (6_624_904, 22),
    "ResNet-18": (11_689_512, 18),
    "ResNet-50": (25_557_032, 50),
    "ResNet-152": (60_192_808, 152),
    "DenseNet-121": (7_978_856, 121),
}


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_parameter_counts_equal_torchvision(name):
    arch = architecture(name)
    params, depth = TORCHVISION[name]
    assert arch.num_parameters == params
    assert arch.depth == depth
    assert arch.layers[-1].out_shape == (1000,)


def test_lenet5_classic():
    arch = architecture("LeNet-5")
    assert arch.num_parameters == 60_000  # "only 60,000 trainable parameters" (LeCun et al. 1998)
    assert arch.depth == 5
    shapes = {layer.name: layer.out_shape for layer in arch.layers}
    assert shapes["C1"] == (6, 28, 28) and shapes["S2"] == (6, 14, 14) and shapes["C3"] == (16, 10, 10)
    assert shapes["S4"] == (16, 5, 5) and shapes["C5"] == (120, 1, 1) and shapes["F6"] == (84,)
    params = {layer.name: layer.params for layer in arch.layers}
    assert (params["C1"], params["S2"], params["C3"], params["S4"], params["C5"], params["F6"]) == (
        156,
        12,
        1516,
        32,
        48120,
        10164,
    )


def test_shapes_and_macs():
    resnet = architecture("ResNet-50")
    shapes = {layer.name: layer.out_shape for layer in resnet.layers}
    assert shapes["maxpool"] == (64, 56, 56)
    assert shapes["layer4.2.relu"] == (2048, 7, 7)
    assert 4.0e9 < resnet.macs < 4.2e9  # the well-known ~4.1 GMACs
    goog = architecture("GoogLeNet")
    shapes = {layer.name: layer.out_shape for layer in goog.layers}
    assert shapes["inception3a.concat"] == (256, 28, 28)
    assert shapes["inception4e.concat"] == (832, 14, 14)
    assert shapes["inception5b.concat"] == (1024, 7, 7)
    vgg = architecture("VGG-16")
    kinds = [layer.kind for layer in vgg.layers]
    assert kinds.count("conv") == 13 and kinds.count("linear") == 3
    assert 15.3e9 < vgg.macs < 15.6e9
    dense = architecture("DenseNet-121")
    assert {layer.name: layer.out_shape for layer in dense.layers}["features.norm5"] == (1024, 7, 7)


def test_history_in_order_and_bad_name():
    years = [a.year for a in history()]
    assert years == sorted(years) and len(years) == len(ARCHITECTURES)
    with pytest.raises(ValueError, match=r"^name must be one of .*'ResNet-1000'"):
        architecture("ResNet-1000")


def test_lenet5_module_shapes_and_count():
    net = lenet5(rng=0)
    assert net.forward(np.zeros((2, 1, 32, 32))).shape == (2, 10)
    assert net.num_parameters() == 61_706  # full C3 and a dense output layer
    with pytest.raises(ValueError, match=r"^pool must be one of 'max', 'avg'; got 'median'"):
        lenet5(pool="median")


@pytest.mark.parametrize("residual", [True, False])
def test_basic_block_gradcheck(residual):
    rng = np.random.default_rng(0)
    block = basic_block(2, residual=residual, norm=True, rng=rng)
    errors = check_module(block, rng.standard_normal((3, 2, 4, 4)), eps=1e-5)
    assert max(errors.values()) < 1e-6, errors


def test_basic_block_is_the_generic_residual_block_then_relu():
    block = basic_block(2, rng=0)
    assert isinstance(block, Sequential) and isinstance(block[0], ResidualBlock) and block[1].name == "relu"
    assert "ResidualBlock" not in architectures.__all__  # one ResidualBlock class, in dlbook.layers
    plain = basic_block(2, residual=False, rng=0)
    assert not any(isinstance(m, ResidualBlock) for m in plain.layers)
    for a, b in zip(block.named_parameters(), plain.named_parameters(), strict=True):  # same weights, same seed
        np.testing.assert_array_equal(a[1].params[a[2]], b[1].params[b[2]])
    x = np.random.default_rng(1).standard_normal((2, 2, 3, 3))
    np.testing.assert_allclose(block.forward(x), np.maximum(x + block[0].f.forward(x), 0))


def test_basic_block_identity_when_body_is_zero():
    block = basic_block(2, norm=False, rng=0)
    for _, owner, key in block.named_parameters():
        owner.params[key][...] = 0.0
    x = np.abs(np.random.default_rng(1).standard_normal((1, 2, 3, 3)))
    np.testing.assert_allclose(block.forward(x), x)
    np.testing.assert_allclose(block.backward(np.ones_like(x)), np.ones_like(x))


# --- the generic residual connection h + f(h) of dlbook.layers, as the training chapter uses it ----------------
def test_residual_mlp_block_gradcheck_and_names():
    rng = np.random.default_rng(0)
    block = ResidualBlock(Sequential(Linear(4, 6, rng=rng), Activation("tanh"), Linear(6, 4, rng=rng)))
    errors = check_module(block, rng.standard_normal((3, 4)))
    assert max(errors.values()) < 1e-7, errors
    assert [name for name, _, _ in block.named_parameters()] == ["0.0.W", "0.0.b", "0.2.W", "0.2.b"]


def test_residual_gradient_passes_untouched_when_the_branch_is_zero():
    block = ResidualBlock(Sequential(BatchNorm(3), Linear(3, 3, rng=0), Activation("relu"), Linear(3, 3, rng=0)))
    for _, owner, key in block.named_parameters():
        if key in ("W", "b"):
            owner.params[key][...] = 0.0
    x = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(block.forward(x), x)
    dout = np.random.default_rng(1).standard_normal((5, 3))
    np.testing.assert_array_equal(block.backward(dout), dout)
    block.eval()
    assert not any(m.training for m in block.f.layers)


def test_residual_shape_and_type_errors():
    with pytest.raises(TypeError, match=r"^f must be a dlbook Module"):
        ResidualBlock(lambda x: x)
    with pytest.raises(ValueError, match=r"\bshape\b"):
        ResidualBlock(Linear(3, 2, rng=0)).forward(np.ones((2, 3)))


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: basic_block(0), r"^channels must be > 0"),
        (lambda: basic_block(2, dtype=np.int64), r"^dtype must be float32 or float64"),
        (lambda: small_resnet(num_blocks=-1), r"^num_blocks must be >= 0"),
        (lambda: small_resnet(num_classes=0), r"^num_classes must be > 0"),
        (lambda: small_densenet(growth=0), r"^growth must be > 0"),
        (lambda: lenet5(activation="rectifier"), r"^activation must be one of"),
        (lambda: lenet5(num_classes=2.5), r"^num_classes must be an integer"),
        (lambda: DenseBlock(2, 2, 2, rng=0).forward(np.ones((1, 3, 4, 4))), r"^x must have shape \(N, 2, H, W\)"),
    ],
)
def test_bad_arguments_name_the_parameter(call, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()


def test_dense_block_guards_and_dtype():
    block = DenseBlock(2, 2, 2, rng=0, dtype=np.float32)
    with pytest.raises(RuntimeError, match=r"^DenseBlock.backward called before forward"):
        block.backward(np.ones((1, 6, 4, 4)))
    out = block.forward(np.ones((1, 2, 4, 4)))
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match=r"^dout must have the shape"):
        block.backward(np.ones((1, 5, 4, 4)))
    assert block.backward(np.ones(out.shape)).dtype == np.float32


def test_dense_block_gradcheck_and_channels():
    rng = np.random.default_rng(2)
    block = DenseBlock(2, growth=2, num_layers=3, rng=rng)
    x = rng.standard_normal((3, 2, 4, 4))
    out = block.forward(x)
    assert out.shape == (3, 2 + 3 * 2, 4, 4)
    np.testing.assert_array_equal(out[:, :2], x)  # the input is passed on unchanged
    errors = check_module(block, x, eps=1e-5)
    assert max(errors.values()) < 1e-6, errors


def test_small_networks_forward_and_backward():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 1, 8, 8))
    for net in (small_resnet(rng=0), small_resnet(residual=False, norm=False, rng=0), small_densenet(rng=0)):
        out = net.forward(x)
        assert out.shape == (4, 10)
        assert net.backward(np.ones_like(out)).shape == x.shape
    errors = check_module(small_densenet(channels=2, growth=2, num_layers=2, rng=0), x[:2], eps=1e-5)
    assert max(errors.values()) < 1e-6, errors
