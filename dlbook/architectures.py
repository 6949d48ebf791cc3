r"""The CNN family, from LeNet-5 to DenseNet, as layer definitions, and small versions that train.

**Definitions.** Each classic architecture is written once as a sequence of layers (with the branches of Inception
modules, residual blocks and dense blocks) traced over an input shape. From that single definition we compute

* the output shape of every layer,
* the number of parameters (weights and biases, BatchNorm's scale and shift; running statistics are not
  parameters), equal to the counts of the reference implementations in torchvision,
* the multiply-accumulates (MACs) of the convolutions and dense layers for one image,
* the depth: the number of layers with weights (convolutions and dense layers) on the longest path from input
  to output, the way the papers count it (projection shortcuts are not on that path).

:func:`architecture` returns an :class:`Architecture` by name and :func:`history` the family in order of
publication.

**Small trainable versions** built from dlbook modules: :func:`lenet5` (the modern LeNet-5 with ReLU and max
pooling), :func:`basic_block` (ResNet's basic block: a :class:`dlbook.layers.ResidualBlock` around
conv-BN-ReLU-conv-BN, then a ReLU), :class:`DenseBlock`, :func:`small_resnet` and :func:`small_densenet`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import DTypeLike

from dlbook._checks import as_float_array, check_choice, check_positive, float_dtype, get_rng
from dlbook.conv import AvgPool2d, Conv2d, GlobalAvgPool2d, MaxPool2d
from dlbook.layers import Activation, Flatten, Linear, Module, ResidualBlock, Sequential
from dlbook.normalization import BatchNorm

__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "DenseBlock",
    "LayerInfo",
    "architecture",
    "basic_block",
    "history",
    "lenet5",
    "small_densenet",
    "small_resnet",
]


# --------------------------------------------------------------------------------------------------------------
# Tracing layer definitions
# --------------------------------------------------------------------------------------------------------------
@dataclass
class LayerInfo:
    """One layer of a traced architecture.

    Attributes
    ----------
    name : str
        Qualified name, e.g. ``"layer2.0.conv1"``.
    kind : str
        ``"conv"``, ``"linear"``, ``"bn"``, ``"pool"``, ``"relu"``, ``"concat"``, ``"add"``, ...
    out_shape : tuple of int
        ``(C, H, W)`` after the layer, or ``(D,)`` after flattening.
    params : int
        Trainable parameters of the layer.
    macs : int
        Multiply-accumulates for one image (convolutions and dense layers; 0 for the others).
    depth : int
        Number of weighted layers on the longest path from the input up to and including this layer.
    """

    name: str
    kind: str
    out_shape: tuple[int, ...]
    params: int = 0
    macs: int = 0
    depth: int = 0


@dataclass
class Architecture:
    """A traced architecture: its layers and what is computed from them.

    Attributes
    ----------
    name : str
    year : int
    innovation : str
        The idea it introduced (for the history table).
    citation : str
        Key in the book's bibliography.
    input_shape : tuple of int
        ``(C, H, W)`` of one input image.
    layers : list of LayerInfo
    """

    name: str
    year: int
    innovation: str
    citation: str
    input_shape: tuple[int, int, int]
    layers: list[LayerInfo] = field(default_factory=list)

    @property
    def num_parameters(self) -> int:
        """Total trainable parameters."""
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one forward pass on one image."""
        return sum(layer.macs for layer in self.layers)

    @property
    def depth(self) -> int:
        """Weighted layers on the longest input-to-output path."""
        return max(layer.depth for layer in self.layers)

    def __repr__(self) -> str:
        return (
            f"Architecture({self.name!r}, depth={self.depth}, params={self.num_parameters:,}, "
            f"GMACs={self.macs / 1e9:.2f})"
        )


class _Tracer:
    """Follows the shape of one image through a definition and records every layer into a shared list."""

    def __init__(self, layers: list[LayerInfo], shape: tuple[int, ...], depth: int = 0, prefix: str = "") -> None:
        self.layers, self.shape, self.depth, self.prefix = layers, shape, depth, prefix

    def _add(self, name: str, kind: str, shape: tuple[int, ...], params: int = 0, macs: int = 0) -> _Tracer:
        if kind in ("conv", "linear", "rbf"):
            self.depth += 1
        self.shape = shape
        self.layers.append(LayerInfo(self.prefix + name, kind, shape, int(params), int(macs), self.depth))
        return self

    def branch(self, prefix: str) -> _Tracer:
        return _Tracer(self.layers, self.shape, self.depth, self.prefix + prefix)

    def conv(self, name: str, out: int, k: int, stride: int = 1, padding: int = 0, bias: bool = True) -> _Tracer:
        c, h, w = self.shape
        ho, wo = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
        return self._add(name, "conv", (out, ho, wo), out * c * k * k + (out if bias else 0), out * ho * wo * c * k * k)

    def bn(self, name: str) -> _Tracer:
        return self._add(name, "bn", self.shape, 2 * self.shape[0])

    def relu(self, name: str = "relu") -> _Tracer:
        return self._add(name, "relu", self.shape)

    def pool(self, name: str, k: int, stride: int, padding: int = 0, ceil_mode: bool = False) -> _Tracer:
        c, h, w = self.shape

        def size(n: int) -> int:
            num = n + 2 * padding - k
            out = (math.ceil(num / stride) if ceil_mode else num // stride) + 1
            if ceil_mode and (out - 1) * stride >= n + padding:  # PyTorch: the last window must start inside
                out -= 1
            return out

        return self._add(name, "pool", (c, size(h), size(w)))

    def adaptive_pool(self, name: str, out_hw: int) -> _Tracer:
        return self._add(name, "pool", (self.shape[0], out_hw, out_hw))

    def flatten(self) -> _Tracer:
        return self._add("flatten", "flatten", (int(np.prod(self.shape)),))

    def linear(self, name: str, out: int, bias: bool = True) -> _Tracer:
        (d,) = self.shape
        return self._add(name, "linear", (out,), out * d + (out if bias else 0), out * d)

    def dropout(self, name: str = "dropout") -> _Tracer:
        return self._add(name, "dropout", self.shape)

    def concat(self, name: str, branches: list[_Tracer]) -> _Tracer:
        c = sum(b.shape[0] for b in branches)
        self.depth = max(b.depth for b in branches)
        return self._add(name, "concat", (c, *branches[0].shape[1:]))

    def add(self, name: str, branches: list[_Tracer]) -> _Tracer:
        shapes = {b.shape for b in branches}
        if len(shapes) != 1:  # pragma: no cover - a definition error
            raise ValueError(f"cannot add branches of shapes {shapes}")
        self.depth = max(b.depth for b in branches)
        return self._add(name, "add", branches[0].shape)


# --------------------------------------------------------------------------------------------------------------
# The definitions (following torchvision's layer structure; LeNet-5 as in LeCun et al. 1998)
# --------------------------------------------------------------------------------------------------------------
# LeNet-5's C3: which of S2's 6 maps each of the 16 C3 maps reads (Table I of the paper).
_LENET_C3_TABLE = [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5],
    [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5],
    [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
    [0, 1, 2, 3, 4, 5],
]  # fmt: skip


def _lenet5_classic(t: _Tracer) -> None:
    t.conv("C1", 6, 5)  # 32x32 -> 28x28
    c, h, w = t.shape
    t._add("S2", "pool", (c, h // 2, w // 2), params=2 * c)  # trainable coefficient and bias per map
    _, h, w = t.shape
    inputs = sum(len(row) for row in _LENET_C3_TABLE)  # 60 input maps over the 16 kernels
    t._add("C3", "conv", (16, h - 4, w - 4), params=25 * inputs + 16, macs=(h - 4) * (w - 4) * 25 * inputs)
    c, h, w = t.shape
    t._add("S4", "pool", (c, h // 2, w // 2), params=2 * c)
    t.conv("C5", 120, 5)
    t.flatten()
    t.linear("F6", 84)
    # The output: 10 Euclidean RBF units comparing F6 with fixed 84-dimensional prototypes (not trained).
    t._add("output", "rbf", (10,), params=0, macs=10 * 84)


def _alexnet(t: _Tracer) -> None:
    t.conv("features.0", 64, 11, 4, 2).relu().pool("features.2", 3, 2)
    t.conv("features.3", 192, 5, 1, 2).relu().pool("features.5", 3, 2)
    t.conv("features.6", 384, 3, 1, 1).relu()
    t.conv("features.8", 256, 3, 1, 1).relu()
    t.conv("features.10", 256, 3, 1, 1).relu().pool("features.12", 3, 2)
    t.adaptive_pool("avgpool", 6).flatten()
    t.dropout().linear("classifier.1", 4096).relu().dropout().linear("classifier.4", 4096).relu()
    t.linear("classifier.6", 1000)


def _vgg(config: list[int | str]) -> Callable[[_Tracer], None]:
    def build(t: _Tracer) -> None:
        for i, v in enumerate(config):
            if v == "M":
                t.pool(f"features.{i}", 2, 2)
            else:
                t.conv(f"features.{i}", int(v), 3, 1, 1).relu()
        t.adaptive_pool("avgpool", 7).flatten()
        t.linear("classifier.0", 4096).relu().dropout().linear("classifier.3", 4096).relu().dropout()
        t.linear("classifier.6", 1000)

    return build


_VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
_VGG19 = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]


def _basic_conv(t: _Tracer, name: str, out: int, k: int, stride: int = 1, padding: int = 0) -> _Tracer:
    """GoogLeNet's BasicConv2d: convolution without bias, BatchNorm, ReLU."""
    return t.conv(f"{name}.conv", out, k, stride, padding, bias=False).bn(f"{name}.bn").relu(f"{name}.relu")


def _inception(t: _Tracer, name: str, c1: int, c3r: int, c3: int, c5r: int, c5: int, pool_proj: int) -> None:
    b1, b2, b3, b4 = (t.branch(f"{name}.branch{i}.") for i in range(1, 5))
    _basic_conv(b1, "0", c1, 1)
    _basic_conv(_basic_conv(b2, "0", c3r, 1), "1", c3, 3, 1, 1)
    _basic_conv(_basic_conv(b3, "0", c5r, 1), "1", c5, 3, 1, 1)  # torchvision uses 3x3 here (not 5x5)
    _basic_conv(b4.pool("0", 3, 1, 1, ceil_mode=True), "1", pool_proj, 1)
    t.concat(f"{name}.concat", [b1, b2, b3, b4])


def _googlenet(t: _Tracer) -> None:
    _basic_conv(t, "conv1", 64, 7, 2, 3).pool("maxpool1", 3, 2, ceil_mode=True)
    _basic_conv(t, "conv2", 64, 1)
    _basic_conv(t, "conv3", 192, 3, 1, 1).pool("maxpool2", 3, 2, ceil_mode=True)
    _inception(t, "inception3a", 64, 96, 128, 16, 32, 32)
    _inception(t, "inception3b", 128, 128, 192, 32, 96, 64)
    t.pool("maxpool3", 3, 2, ceil_mode=True)
    _inception(t, "inception4a", 192, 96, 208, 16, 48, 64)
    _inception(t, "inception4b", 160, 112, 224, 24, 64, 64)
    _inception(t, "inception4c", 128, 128, 256, 24, 64, 64)
    _inception(t, "inception4d", 112, 144, 288, 32, 64, 64)
    _inception(t, "inception4e", 256, 160, 320, 32, 128, 128)
    t.pool("maxpool4", 2, 2, ceil_mode=True)
    _inception(t, "inception5a", 256, 160, 320, 32, 128, 128)
    _inception(t, "inception5b", 384, 192, 384, 48, 128, 128)
    t.adaptive_pool("avgpool", 1).flatten().dropout().linear("fc", 1000)


def _resnet(block: str, counts: list[int]) -> Callable[[_Tracer], None]:
    expansion = 1 if block == "basic" else 4

    def unit(t: _Tracer, name: str, planes: int, stride: int) -> None:
        main, short = t.branch(f"{name}."), t.branch(f"{name}.downsample.")
        if block == "basic":
            main.conv("conv1", planes, 3, stride, 1, bias=False).bn("bn1").relu()
            main.conv("conv2", planes, 3, 1, 1, bias=False).bn("bn2")
        else:  # bottleneck, stride on the 3x3 convolution (torchvision's "ResNet v1.5")
            main.conv("conv1", planes, 1, bias=False).bn("bn1").relu()
            main.conv("conv2", planes, 3, stride, 1, bias=False).bn("bn2").relu()
            main.conv("conv3", planes * expansion, 1, bias=False).bn("bn3")
        if stride != 1 or t.shape[0] != planes * expansion:
            short.conv("0", planes * expansion, 1, stride, bias=False).bn("1")
            short.depth = t.depth  # the projection is not counted on the longest path
        t.add(f"{name}.add", [main, short]).relu(f"{name}.relu")

    def build(t: _Tracer) -> None:
        t.conv("conv1", 64, 7, 2, 3, bias=False).bn("bn1").relu().pool("maxpool", 3, 2, 1)
        for i, (planes, n) in enumerate(zip([64, 128, 256, 512], counts, strict=True)):
            for j in range(n):
                unit(t, f"layer{i + 1}.{j}", planes, 2 if (j == 0 and i > 0) else 1)
        t.adaptive_pool("avgpool", 1).flatten().linear("fc", 1000)

    return build


def _densenet(growth: int, blocks: list[int], init: int, bn_size: int = 4) -> Callable[[_Tracer], None]:
    def build(t: _Tracer) -> None:
        t.conv("features.conv0", init, 7, 2, 3, bias=False).bn("features.norm0").relu().pool("features.pool0", 3, 2, 1)
        for i, n in enumerate(blocks):
            for j in range(n):
                b = t.branch(f"features.denseblock{i + 1}.denselayer{j + 1}.")
                b.bn("norm1").relu().conv("conv1", bn_size * growth, 1, bias=False)
                b.bn("norm2").relu().conv("conv2", growth, 3, 1, 1, bias=False)
                t.concat(f"features.denseblock{i + 1}.denselayer{j + 1}.concat", [t, b])
            if i < len(blocks) - 1:
                p = f"features.transition{i + 1}."
                t.bn(p + "norm").relu().conv(p + "conv", t.shape[0] // 2, 1, bias=False).pool(p + "pool", 2, 2)
        t.bn("features.norm5").relu().adaptive_pool("avgpool", 1).flatten().linear("classifier", 1000)

    return build


_DEFINITIONS: dict[str, tuple[Callable[[_Tracer], None], int, str, str, tuple[int, int, int]]] = {
    "LeNet-5": (_lenet5_classic, 1998, "Convolution + pooling template", "lecun1998gradient", (1, 32, 32)),
    "AlexNet": (_alexnet, 2012, "ReLU, dropout, GPU training", "krizhevsky2012imagenet", (3, 224, 224)),
    "VGG-16": (_vgg(_VGG16), 2014, "Small 3x3 filters throughout", "simonyan2014very", (3, 224, 224)),
    "VGG-19": (_vgg(_VGG19), 2014, "Small 3x3 filters throughout", "simonyan2014very", (3, 224, 224)),
    "GoogLeNet": (_googlenet, 2014, "Inception modules, 1x1 bottlenecks", "szegedy2015going", (3, 224, 224)),
    "ResNet-18": (_resnet("basic", [2, 2, 2, 2]), 2015, "Residual connections", "he2016deep", (3, 224, 224)),
    "ResNet-50": (_resnet("bottleneck", [3, 4, 6, 3]), 2015, "Residual bottleneck blocks", "he2016deep", (3, 224, 224)),
    "ResNet-152": (
        _resnet("bottleneck", [3, 8, 36, 3]),
        2015,
        "Residual bottleneck blocks",
        "he2016deep",
        (3, 224, 224),
    ),
    "DenseNet-121": (
        _densenet(32, [6, 12, 24, 16], 64),
        2017,
        "Dense connections (each layer to all later ones)",
        "huang2017densely",
        (3, 224, 224),
    ),
}

#: Names accepted by :func:`architecture`, in order of publication.
ARCHITECTURES: tuple[str, ...] = tuple(_DEFINITIONS)


def architecture(name: str) -> Architecture:
    """Trace the named architecture (one of :data:`ARCHITECTURES`) and return its layers and totals.

    Examples
    --------
    >>> architecture("ResNet-50").num_parameters
    25557032
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be an architecture name (str), one of {', '.join(ARCHITECTURES)}; got {name!r}")
    check_choice(name, "name", ARCHITECTURES)
    build, year, innovation, citation, input_shape = _DEFINITIONS[name]
    arch = Architecture(name, year, innovation, citation, input_shape)
    build(_Tracer(arch.layers, input_shape))
    return arch


def history() -> list[Architecture]:
    """Every architecture of :data:`ARCHITECTURES`, traced, in order of publication."""
    return [architecture(name) for name in ARCHITECTURES]


# --------------------------------------------------------------------------------------------------------------
# Small trainable versions
# --------------------------------------------------------------------------------------------------------------
def lenet5(
    num_classes: int = 10,
    activation: str = "relu",
    pool: str = "max",
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> Sequential:
    """The modern LeNet-5 for ``(N, 1, 32, 32)`` images: two conv-pool stages and three dense layers.

    ``Conv(1->6, 5) - act - pool - Conv(6->16, 5) - act - pool - Flatten - Linear(400, 120) - act -
    Linear(120, 84) - act - Linear(84, num_classes)``; every C3 map reads all six S2 maps and the output is a plain
    dense layer (the classic connection table and RBF output are in ``architecture("LeNet-5")``).

    Parameters
    ----------
    num_classes : int
        Outputs (logits).
    activation : str
        Name of the activation (``"relu"``, ``"tanh"``, ...).
    pool : {"max", "avg"}
        Subsampling by 2x2 max or average pooling.
    rng : numpy.random.Generator or int, optional
        Source of the weights (``None``: fresh entropy).
    dtype : numpy dtype
        float32 or float64.

    Returns
    -------
    Sequential
        Maps ``(N, 1, 32, 32)`` images to ``(N, num_classes)`` logits.
    """
    check_positive(num_classes, "num_classes", integer=True)
    check_choice(pool, "pool", ("max", "avg"))
    Activation(activation)  # an unknown name raises before any weight is drawn
    float_dtype(dtype)
    rng = get_rng(rng)
    Pool = MaxPool2d if pool == "max" else AvgPool2d
    return Sequential(
        Conv2d(1, 6, 5, rng=rng, dtype=dtype),
        Activation(activation),
        Pool(2),
        Conv2d(6, 16, 5, rng=rng, dtype=dtype),
        Activation(activation),
        Pool(2),
        Flatten(),
        Linear(400, 120, rng=rng, dtype=dtype),
        Activation(activation),
        Linear(120, 84, rng=rng, dtype=dtype),
        Activation(activation),
        Linear(84, num_classes, rng=rng, dtype=dtype),
    )


def basic_block(
    channels: int,
    residual: bool = True,
    norm: bool = True,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> Sequential:
    r"""ResNet's basic block :math:`h = \mathrm{ReLU}(x + F(x))` with :math:`F` = conv-BN-ReLU-conv-BN.

    Built as ``Sequential(ResidualBlock(F), Activation("relu"))`` from :class:`dlbook.layers.ResidualBlock`, whose
    backward adds the two paths: :math:`\partial L/\partial x = \partial L/\partial s + (\partial F/\partial
    x)^\top \partial L/\partial s` with :math:`s = x + F(x)`; the first term passes through unchanged. With
    ``residual=False`` the same layers without the shortcut, ``Sequential(*F, Activation("relu"))``,
    :math:`h = \mathrm{ReLU}(F(x))` (the "plain" block for comparison). With ``norm=False`` the BatchNorm layers are
    left out (and the convolutions get biases).

    Parameters
    ----------
    channels : int
        Channels in and out (3x3 convolutions with padding 1 keep the size).
    residual : bool
        Whether to add the identity shortcut.
    norm : bool
        Whether to use BatchNorm after each convolution.
    rng : numpy.random.Generator or int, optional
        Source of the two kernels, drawn in order (``None``: fresh entropy).
    dtype : numpy dtype
        float32 or float64.

    Returns
    -------
    Sequential
        ``(N, channels, H, W) -> (N, channels, H, W)``.
    """
    check_positive(channels, "channels", integer=True)
    dt = float_dtype(dtype)
    rng = get_rng(rng)
    body: list[Module] = [Conv2d(channels, channels, 3, padding=1, bias=not norm, rng=rng, dtype=dt)]
    if norm:
        body.append(BatchNorm(channels, dtype=dt))
    body += [Activation("relu"), Conv2d(channels, channels, 3, padding=1, bias=not norm, rng=rng, dtype=dt)]
    if norm:
        body.append(BatchNorm(channels, dtype=dt))
    if residual:
        return Sequential(ResidualBlock(Sequential(*body)), Activation("relu"))
    return Sequential(*body, Activation("relu"))


class DenseBlock(Module):
    r"""Dense block: layer :math:`\ell` sees the concatenation of the input and all earlier layers' outputs.

    :math:`h_\ell = H_\ell([x, h_1, \dots, h_{\ell-1}])` with :math:`H_\ell` = BN-ReLU-Conv3x3 producing
    ``growth`` channels; the block outputs :math:`[x, h_1, \dots, h_L]` with ``in_channels + L * growth`` channels.
    In the backward, the gradient of each piece of a concatenation is added to that piece's total.

    Parameters
    ----------
    in_channels : int
        Channels of the input.
    growth : int
        Channels each layer adds (the growth rate :math:`k`).
    num_layers : int
        Layers in the block.
    rng : numpy.random.Generator or int, optional
        Source of the kernels (``None``: fresh entropy).
    dtype : numpy dtype
        float32 or float64: the block computes in it (inputs are cast).
    """

    def __init__(
        self,
        in_channels: int,
        growth: int,
        num_layers: int,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        for value, name in ((in_channels, "in_channels"), (growth, "growth"), (num_layers, "num_layers")):
            check_positive(value, name, integer=True)
        self.dtype = dtype = float_dtype(dtype)
        rng = get_rng(rng)
        self.in_channels, self.growth = int(in_channels), int(growth)
        self.layers = [
            Sequential(
                BatchNorm(in_channels + i * growth, dtype=dtype),
                Activation("relu"),
                Conv2d(in_channels + i * growth, growth, 3, padding=1, bias=False, rng=rng, dtype=dtype),
            )
            for i in range(num_layers)
        ]
        self.out_channels = in_channels + num_layers * growth

    def children(self) -> list[Module]:
        return self.layers

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"x must have shape (N, {self.in_channels}, H, W), got {x.shape}")
        features = [x.astype(self.dtype, copy=False)]
        for layer in self.layers:
            features.append(layer.forward(np.concatenate(features, axis=1)))  # (N, C_in + i*k, H, W) -> (N, k, H, W)
        out = np.concatenate(features, axis=1)
        self._cache = out.shape
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = self._check_dout(dout, self._get_cache(), self.dtype)
        sizes = [self.in_channels] + [self.growth] * len(self.layers)
        grads = list(np.split(dout, np.cumsum(sizes)[:-1], axis=1))  # one gradient per feature map group
        for i in reversed(range(len(self.layers))):
            d_in = self.layers[i].backward(grads[i + 1])
            for j, part in enumerate(np.split(d_in, np.cumsum(sizes[: i + 1])[:-1], axis=1)):
                grads[j] = grads[j] + part
        return grads[0]

    def __repr__(self) -> str:
        return f"DenseBlock({self.in_channels}, growth={self.growth}, num_layers={len(self.layers)})"


def small_resnet(
    in_channels: int = 1,
    channels: int = 16,
    num_blocks: int = 3,
    num_classes: int = 10,
    residual: bool = True,
    norm: bool = True,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> Sequential:
    """A small residual network: a 3x3 stem, ``num_blocks`` :func:`basic_block`, global average pooling, a dense
    classifier. ``residual=False`` gives the plain network with the same layers.

    Parameters
    ----------
    in_channels : int
        Image channels.
    channels : int
        Width of the stem and of every block.
    num_blocks : int
        Number of blocks (each one an element of the returned ``Sequential``, itself a ``Sequential``).
    num_classes : int
        Outputs (logits).
    residual, norm : bool
        See :func:`basic_block`.
    rng : numpy.random.Generator or int, optional
        Source of the weights, drawn layer by layer (``None``: fresh entropy).
    dtype : numpy dtype
        float32 or float64.

    Returns
    -------
    Sequential
        ``(N, in_channels, H, W) -> (N, num_classes)``.
    """
    for value, name in ((in_channels, "in_channels"), (channels, "channels"), (num_classes, "num_classes")):
        check_positive(value, name, integer=True)
    check_positive(num_blocks, "num_blocks", integer=True, allow_zero=True)
    dtype = float_dtype(dtype)
    rng = get_rng(rng)
    stem: list[Module] = [Conv2d(in_channels, channels, 3, padding=1, bias=not norm, rng=rng, dtype=dtype)]
    if norm:
        stem.append(BatchNorm(channels, dtype=dtype))
    stem.append(Activation("relu"))
    blocks = [basic_block(channels, residual, norm, rng, dtype) for _ in range(num_blocks)]
    return Sequential(*stem, *blocks, GlobalAvgPool2d(), Linear(channels, num_classes, rng=rng, dtype=dtype))


def small_densenet(
    in_channels: int = 1,
    channels: int = 16,
    growth: int = 8,
    num_layers: int = 4,
    num_classes: int = 10,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> Sequential:
    """A small dense network: a 3x3 stem, one :class:`DenseBlock`, BN-ReLU, global average pooling, a classifier.

    Parameters
    ----------
    in_channels, channels : int
        Image channels and the stem's output channels.
    growth, num_layers : int
        See :class:`DenseBlock`.
    num_classes : int
        Outputs (logits).
    rng : numpy.random.Generator or int, optional
        Source of the weights (the dense block's kernels are drawn first, then the stem's).
    dtype : numpy dtype
        float32 or float64.

    Returns
    -------
    Sequential
        ``(N, in_channels, H, W) -> (N, num_classes)``.
    """
    for value, name in ((in_channels, "in_channels"), (channels, "channels"), (num_classes, "num_classes")):
        check_positive(value, name, integer=True)
    dtype = float_dtype(dtype)
    rng = get_rng(rng)
    block = DenseBlock(channels, growth, num_layers, rng, dtype)
    return Sequential(
        Conv2d(in_channels, channels, 3, padding=1, bias=False, rng=rng, dtype=dtype),
        block,
        BatchNorm(block.out_channels, dtype=dtype),
        Activation("relu"),
        GlobalAvgPool2d(),
        Linear(block.out_channels, num_classes, rng=rng, dtype=dtype),
    )
