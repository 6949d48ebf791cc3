"""Whole training steps: one playground step (``dlbook.mlp.MLP``) and one LeNet-5 epoch on the digits."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks._harness import Config, Result, register, time_pair
from dlbook.architectures import lenet5
from dlbook.conv import AvgPool2d, Conv2d, MaxPool2d
from dlbook.data import load_digits, spiral
from dlbook.layers import Activation, Flatten, Linear, Module, Sequential
from dlbook.losses import softmax_cross_entropy
from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam
from dlbook.train import ArrayBatches, fit

TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU", "identity": "Identity"}


def to_torch(model: Module, th: Any) -> Any:
    """The same network in PyTorch with the same weights (Conv2d, pooling, Activation, Flatten, Linear layers)."""
    nn = th.nn
    if isinstance(model, Sequential):
        return nn.Sequential(*(to_torch(m, th) for m in model.layers))
    if isinstance(model, Conv2d):
        m = nn.Conv2d(
            model.in_channels,
            model.out_channels,
            model.kernel_size,
            model.stride,
            model.padding,
            bias="b" in model.params,
        )
    elif isinstance(model, Linear):
        m = nn.Linear(model.in_features, model.out_features)
    elif isinstance(model, MaxPool2d | AvgPool2d):
        kind = nn.MaxPool2d if isinstance(model, MaxPool2d) else nn.AvgPool2d
        return kind(model.kernel_size, model.stride, model.padding)
    elif isinstance(model, Activation) and model.name in TORCH_ACTIVATIONS:
        return getattr(nn, TORCH_ACTIVATIONS[model.name])()
    elif isinstance(model, Flatten):
        return nn.Flatten()
    else:
        raise ValueError(f"model: no PyTorch counterpart for {model!r}")
    dtype = th.float64 if model.params["W"].dtype == np.float64 else th.float32
    m = m.to(dtype)
    with th.no_grad():
        m.weight.copy_(th.from_numpy(model.params["W"]))
        if m.bias is not None:
            m.bias.copy_(th.from_numpy(model.params["b"]))
    return m


def forward_flop(model: Module, x: np.ndarray) -> float:
    """Multiply-add work of ``model.forward(x)``: every convolution and dense layer of a Sequential, 2 per MAC."""
    total = 0.0
    for layer in model.layers if isinstance(model, Sequential) else [model]:
        out = layer.forward(x)
        if isinstance(layer, Conv2d):
            kh, kw = layer.kernel_size
            total += 2.0 * out.size * layer.in_channels * kh * kw
        elif isinstance(layer, Linear):
            total += 2.0 * x.shape[0] * layer.in_features * layer.out_features
        x = out
    return total


def torch_epoch(th: Any, net: Any, opt: Any, X: Any, y: Any, batch_size: int, rng: np.random.Generator) -> float:
    """One shuffled pass of mini-batch training in PyTorch, counting loss and accuracy as ``dlbook.train.fit`` does."""
    n = X.shape[0]
    order = th.from_numpy(rng.permutation(n))
    total, correct = 0.0, 0
    for i in range(0, n, batch_size):
        idx = order[i : i + batch_size]
        xb, yb = X[idx], y[idx]
        out = net(xb)
        loss = th.nn.functional.cross_entropy(out, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
        correct += int((out.argmax(1) == yb).sum())
    return total / n


@register("playground-step")
def playground_step(cfg: Config) -> list[Result]:
    X, y = spiral(20 if cfg.tiny else 200, rng=0)
    H = 4 if cfg.tiny else 16
    model = MLP([2, H, 2], activation="relu", rng=0)  # float64, as the playground's page trains it
    opt = Adam(model, lr=0.03)

    def dl_fn() -> None:
        logits = model.forward(X)
        _, dlogits = softmax_cross_entropy(logits, y)
        model.backward(dlogits)
        opt.step()

    th = cfg.torch
    th_fn = None
    if th is not None:
        net = th.nn.Sequential(th.nn.Linear(2, H), th.nn.ReLU(), th.nn.Linear(H, 2)).double()
        with th.no_grad():
            for j, lin in ((1, net[0]), (2, net[2])):
                lin.weight.copy_(th.from_numpy(model.params[f"W{j}"]))
                lin.bias.copy_(th.from_numpy(model.params[f"b{j}"]))
        topt = th.optim.Adam(net.parameters(), lr=0.03)
        Xt, yt = th.from_numpy(X), th.from_numpy(y)

        def th_fn() -> None:
            topt.zero_grad(set_to_none=True)
            th.nn.functional.cross_entropy(net(Xt), yt).backward()
            topt.step()

    dl, tt = time_pair(cfg, dl_fn, th_fn)
    n = X.shape[0]
    return [
        Result(
            name="playground-step",
            operation="playground training step (forward, loss, backward, Adam)",
            shape=f"{n} points, MLP [2, {H}, 2] relu",
            dtype="float64",
            unit="s",
            dlbook=dl,
            torch=tt,
            torch_label="nn.Sequential(Linear, ReLU, Linear) + cross_entropy + optim.Adam",
            flop=3 * 2.0 * n * (2 * H + H * 2),
            note="tiny arrays: both sides are bound by per-call overhead, not arithmetic",
        )
    ]


@register("lenet-epoch")
def lenet_epoch(cfg: Config) -> list[Result]:
    X, _, y, _ = load_digits(rng=0, flat=False)  # (N, 1, 8, 8)
    if cfg.tiny:
        X, y = X[:48], y[:48]
    X = np.repeat(np.repeat(X, 4, axis=2), 4, axis=3).astype(np.float32)  # 8x8 -> LeNet's 32x32 (each pixel 4x4)
    batch = 16 if cfg.tiny else 64
    model = lenet5(rng=0, dtype=np.float32)
    flop_per_image = forward_flop(model, X[:1])
    th = cfg.torch
    th_fn = None
    if th is not None:
        net = to_torch(model, th)
        topt = th.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        Xt, yt = th.from_numpy(X), th.from_numpy(y)
        trng = np.random.default_rng(1)

        def th_fn() -> None:
            torch_epoch(th, net, topt, Xt, yt, batch, trng)

    opt = SGD(model, lr=0.05, momentum=0.9)
    batches = ArrayBatches(X, y, batch_size=batch, rng=1)  # one generator: a new permutation per call

    def dl_fn() -> None:
        fit(model, batches, loss="softmax_ce", optimizer=opt, epochs=1)

    dl, tt = time_pair(cfg, dl_fn, th_fn, repeats=5, warmup=1)
    return [
        Result(
            name="lenet-epoch",
            operation="LeNet-5 epoch on the digits (dlbook.train.fit, SGD momentum)",
            shape=f"{X.shape[0]} images (1,32,32), batch {batch}",
            dtype="float32",
            unit="s",
            dlbook=dl,
            torch=tt,
            torch_label="the same layers and weights in torch.nn + optim.SGD",
            flop=3 * flop_per_image * X.shape[0],
            note="the 8x8 digits are enlarged to LeNet-5's 32x32 input by repeating each pixel 4x4",
        )
    ]
