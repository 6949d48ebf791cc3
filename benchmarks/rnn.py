"""The LSTM: ``dlbook.rnn.LSTM`` forward and backpropagation through time against ``torch.nn.LSTM``."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks._harness import Config, Result, register, seeded, shape_str, time_pair
from dlbook.rnn import LSTM

SHAPE = (32, 100, 64, 128)  # batch, T, input, hidden
TINY = (2, 5, 3, 4)
DTYPE = np.float32


def lstm_flop(B: int, T: int, D: int, H: int) -> float:
    """Matrix-product work of one forward pass: four gates from ``[x_t, h_{t-1}]`` at every step."""
    return 2.0 * B * T * 4 * H * (D + H)


def torch_lstm_like(layer: LSTM, th: Any) -> Any:
    """A ``torch.nn.LSTM`` (batch first) with ``layer``'s weights; dlbook's single bias ``b`` plays b_ih + b_hh."""
    p = layer.params
    net = th.nn.LSTM(layer.input_size, layer.hidden_size, batch_first=True)
    net = net.to(th.float64 if p["W_hh"].dtype == np.float64 else th.float32)
    with th.no_grad():
        net.weight_ih_l0.copy_(th.from_numpy(p["W_ih"]))
        net.weight_hh_l0.copy_(th.from_numpy(p["W_hh"]))
        net.bias_ih_l0.copy_(th.from_numpy(p["b"]))
        net.bias_hh_l0.zero_()
    return net


@register("lstm")
def lstm(cfg: Config) -> list[Result]:
    B, T, D, H = TINY if cfg.tiny else SHAPE
    layer = LSTM(D, H, rng=0, dtype=DTYPE)
    x = seeded((B, T, D), DTYPE, 1)
    dout = seeded((B, T, H), DTYPE, 2)

    def dl_fwd() -> None:
        layer.forward(x)

    def dl_fwd_bwd() -> None:
        layer.forward(x)
        layer.backward(dout)

    th = cfg.torch
    th_fwd = th_fwd_bwd = None
    if th is not None:
        net = torch_lstm_like(layer, th)
        xt, dt = th.from_numpy(x.copy()).requires_grad_(True), th.from_numpy(dout.copy())

        def th_fwd() -> None:
            with th.no_grad():
                net(xt)

        def th_fwd_bwd() -> None:
            net.zero_grad(set_to_none=True)
            xt.grad = None
            net(xt)[0].backward(dt)

    shape = f"B={B} T={T} D={D} H={H}"
    rows = []
    for tag, dl_fn, th_fn, mult, target in (
        ("fwd", dl_fwd, th_fwd, 1, None),
        ("fwd+bwd", dl_fwd_bwd, th_fwd_bwd, 3, 1.6),
    ):
        dl, tt = time_pair(cfg, dl_fn, th_fn)
        rows.append(
            Result(
                name=f"lstm/{tag}",
                operation="LSTM forward" if tag == "fwd" else "LSTM forward + BPTT",
                shape=shape,
                dtype=np.dtype(DTYPE).name,
                unit="s",
                dlbook=dl,
                torch=tt,
                torch_label="torch.nn.LSTM" + (" + autograd backward" if tag != "fwd" else ""),
                flop=mult * lstm_flop(B, T, D, H),
                target=target,
                extra={"input": shape_str((B, T, D))},
            )
        )
    return rows
