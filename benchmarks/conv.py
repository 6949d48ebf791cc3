"""Convolution and max pooling: ``dlbook.conv`` against ``torch.nn.functional``."""

from __future__ import annotations

import numpy as np

from benchmarks._harness import Config, Result, register, seeded, shape_str, time_pair
from dlbook.conv import conv2d_backward, conv2d_forward, maxpool2d_backward, maxpool2d_forward

# (N, C, H, W), (F, k), padding; the chapter issue's two shapes and their tiny stand-ins
CONV_SHAPES = {
    "lenet": ((64, 1, 28, 28), (6, 5), 0, 1.5),
    "vgg": ((32, 64, 32, 32), (64, 3), 1, 2.5),
}
CONV_TINY = {"lenet": ((2, 1, 8, 8), (2, 3), 0), "vgg": ((2, 3, 6, 6), (4, 3), 1)}
POOL_SHAPES = {"lenet": (64, 6, 24, 24), "vgg": (32, 64, 32, 32)}
POOL_TINY = {"lenet": (2, 2, 4, 4), "vgg": (2, 3, 6, 6)}
DTYPE = np.float32


def conv_flop(N: int, C: int, Ho: int, Wo: int, F: int, k: int) -> float:
    """Multiplies and adds of one convolution's forward pass (the bias is not counted)."""
    return 2.0 * N * F * Ho * Wo * C * k * k


def _conv(cfg: Config, which: str) -> list[Result]:
    (N, C, H, W), (F, k), pad, target = CONV_SHAPES[which]
    if cfg.tiny:
        (N, C, H, W), (F, k), pad = CONV_TINY[which]
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    x = seeded((N, C, H, W), DTYPE, 0)
    w = seeded((F, C, k, k), DTYPE, 1, scale=(2.0 / (C * k * k)) ** 0.5)
    b = seeded((F,), DTYPE, 2, scale=0.1)
    dout = seeded((N, F, Ho, Wo), DTYPE, 3)

    def dl_fwd() -> None:
        conv2d_forward(x, w, b, 1, pad)

    def dl_fwd_bwd() -> None:
        _, cache = conv2d_forward(x, w, b, 1, pad)
        conv2d_backward(dout, cache)

    th = cfg.torch
    th_fwd = th_fwd_bwd = None
    if th is not None:
        F_ = th.nn.functional
        xt, wt, bt, dt = (th.from_numpy(a.copy()) for a in (x, w, b, dout))
        for t in (xt, wt, bt):
            t.requires_grad_(True)

        def th_fwd() -> None:
            with th.no_grad():
                F_.conv2d(xt, wt, bt, padding=pad)

        def th_fwd_bwd() -> None:
            for t in (xt, wt, bt):
                t.grad = None
            F_.conv2d(xt, wt, bt, padding=pad).backward(dt)

    shape = f"x {shape_str((N, C, H, W))} W {shape_str((F, C, k, k))}" + (f" pad {pad}" if pad else "")
    flop = conv_flop(N, C, Ho, Wo, F, k)
    rows = []
    for tag, dl_fn, th_fn, mult, tgt in (
        ("fwd", dl_fwd, th_fwd, 1, None),
        ("fwd+bwd", dl_fwd_bwd, th_fwd_bwd, 3, target),
    ):
        dl, tt = time_pair(cfg, dl_fn, th_fn)
        rows.append(
            Result(
                name=f"conv2d/{tag}/{which}",
                operation=f"conv2d {'forward' if tag == 'fwd' else 'forward + backward'} ({which})",
                shape=shape,
                dtype=np.dtype(DTYPE).name,
                unit="s",
                dlbook=dl,
                torch=tt,
                torch_label="torch.nn.functional.conv2d" + (" + autograd backward" if tag != "fwd" else ""),
                flop=mult * flop,
                target=tgt,
            )
        )
    return rows


@register("conv2d/lenet")
def conv2d_lenet(cfg: Config) -> list[Result]:
    return _conv(cfg, "lenet")


@register("conv2d/vgg")
def conv2d_vgg(cfg: Config) -> list[Result]:
    return _conv(cfg, "vgg")


def _pool(cfg: Config, which: str) -> list[Result]:
    N, C, H, W = (POOL_TINY if cfg.tiny else POOL_SHAPES)[which]
    x = seeded((N, C, H, W), DTYPE, 0)
    dout = seeded((N, C, H // 2, W // 2), DTYPE, 1)

    def dl_fn() -> None:
        _, cache = maxpool2d_forward(x, 2)
        maxpool2d_backward(dout, cache)

    th = cfg.torch
    th_fn = None
    if th is not None:
        xt, dt = th.from_numpy(x.copy()).requires_grad_(True), th.from_numpy(dout.copy())

        def th_fn() -> None:
            xt.grad = None
            th.nn.functional.max_pool2d(xt, 2).backward(dt)

    dl, tt = time_pair(cfg, dl_fn, th_fn)
    return [
        Result(
            name=f"maxpool2d/fwd+bwd/{which}",
            operation=f"max pool 2x2 forward + backward ({which})",
            shape=shape_str((N, C, H, W)),
            dtype=np.dtype(DTYPE).name,
            unit="s",
            dlbook=dl,
            torch=tt,
            torch_label="torch.nn.functional.max_pool2d + autograd backward",
            target=1.0,
            note="no GFLOP/s for pooling: it compares and copies, it does not multiply",
        )
    ]


@register("maxpool2d/lenet")
def maxpool_lenet(cfg: Config) -> list[Result]:
    return _pool(cfg, "lenet")


@register("maxpool2d/vgg")
def maxpool_vgg(cfg: Config) -> list[Result]:
    return _pool(cfg, "vgg")
