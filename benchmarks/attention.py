"""Multi-head self-attention (time) and plain against memory-efficient attention (peak memory).

Memory is measured two ways, because NumPy and PyTorch allocate differently:

* **tracemalloc** for dlbook: NumPy reports every array it allocates to :mod:`tracemalloc`, so the peak of the
  traced memory during one call, minus what was traced before it, is exactly the arrays the call creates.
* **resident-set high-water mark** for PyTorch (and, as a cross-check, for dlbook too), in a fresh subprocess
  (:mod:`benchmarks._memory`): PyTorch's CPU allocator is invisible to tracemalloc, so the subprocess resets the
  kernel's peak-RSS counter (``/proc/self/clear_refs``), runs one call and reads ``VmHWM``; glibc is told to give
  every block over 64 KiB back to the system when freed, so that memory freed earlier cannot hide new allocations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._harness import Config, Result, Stats, register, seeded, time_pair
from dlbook.attention import MultiHeadAttention, chunked_attention, scaled_dot_product_attention

B, D_MODEL, HEADS = 8, 128, 4
TINY = (2, 16, 2)  # batch, d_model, heads
DTYPE = np.float32
MEMORY_T = (256, 512, 1024, 2048)
MEMORY_T_TINY = (16, 32)
MIB = 2.0**20


def mha_flop(B: int, T: int, d: int) -> float:
    """Forward work: the q, k, v and output projections (8 B T d^2) and the two T x T products (4 B T^2 d)."""
    return 8.0 * B * T * d * d + 4.0 * B * T * T * d


def torch_mha(th: Any, x: Any, W_qkv: Any, b_qkv: Any, W_o: Any, b_o: Any, heads: int, sdpa: bool) -> Any:
    """PyTorch multi-head self-attention with dlbook's parameter layout: explicit softmax(QK^T/sqrt(d_k))V or SDPA."""
    Bx, T, d = x.shape
    qkv = th.nn.functional.linear(x, W_qkv, b_qkv).view(Bx, T, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]  # (B, h, T, d_k)
    if sdpa:
        o = th.nn.functional.scaled_dot_product_attention(q, k, v)
    else:
        p = th.softmax((q * (d // heads) ** -0.5) @ k.transpose(-2, -1), dim=-1)  # (B, h, T, T)
        o = p @ v
    return th.nn.functional.linear(o.transpose(1, 2).reshape(Bx, T, d), W_o, b_o)


def _torch_step(th: Any, xt: Any, dt: Any, params: list, heads: int, sdpa: bool) -> None:
    for t in (*params, xt):
        t.grad = None
    torch_mha(th, xt, *params, heads=heads, sdpa=sdpa).backward(dt)


def _mha(cfg: Config, nominal_T: int) -> list[Result]:
    Bx, d, h = TINY if cfg.tiny else (B, D_MODEL, HEADS)
    T = nominal_T // 32 if cfg.tiny else nominal_T
    x = seeded((Bx, T, d), DTYPE, 1)
    dout = seeded((Bx, T, d), DTYPE, 2)
    rows = []
    for efficient in (False, True):
        layer = MultiHeadAttention(d, h, memory_efficient=efficient, rng=0, dtype=DTYPE)

        def dl_fn(layer: MultiHeadAttention = layer) -> None:
            layer.forward(x)
            layer.backward(dout)

        th = cfg.torch
        th_fn = None
        if th is not None:
            params = [
                th.from_numpy(layer.params[k].copy()).requires_grad_(True) for k in ("W_qkv", "b_qkv", "W_o", "b_o")
            ]
            xt, dt = th.from_numpy(x.copy()).requires_grad_(True), th.from_numpy(dout.copy())

            th_fn = partial(_torch_step, th, xt, dt, params, h, efficient)

        dl, tt = time_pair(cfg, dl_fn, th_fn)
        tag = "memory-efficient" if efficient else "explicit"
        rows.append(
            Result(
                name=f"mha/fwd+bwd/{tag}/T={nominal_T}",
                operation=f"MHA forward + backward, {'memory-efficient' if efficient else 'plain'} attention",
                shape=f"B={Bx} T={T} d_model={d} heads={h}",
                dtype=np.dtype(DTYPE).name,
                unit="s",
                dlbook=dl,
                torch=tt,
                torch_label="PyTorch "
                + ("F.scaled_dot_product_attention" if efficient else "explicit softmax(QK^T/sqrt(d_k))V")
                + " + autograd",
                flop=3 * mha_flop(Bx, T, d),
                target=1.5 if not efficient and nominal_T == 128 else None,
                note=(
                    "dlbook's chunked attention against PyTorch's fused SDPA kernel (no target)"
                    if efficient
                    else "PyTorch's attention written out (softmax(QK^T/sqrt(d_k))V), as dlbook computes it"
                ),
            )
        )
    return rows


@register("mha/T=128")
def mha_128(cfg: Config) -> list[Result]:
    return _mha(cfg, 128)


@register("mha/T=512")
def mha_512(cfg: Config) -> list[Result]:
    return _mha(cfg, 512)


# ----------------------------------------------------------------------------------------------------------------
# Peak memory
# ----------------------------------------------------------------------------------------------------------------
def traced_peak_mib(fn: Any) -> float:
    """Peak of the memory NumPy allocates during ``fn()`` (tracemalloc), in MiB, beyond what was traced before."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        out = fn()
        peak = tracemalloc.get_traced_memory()[1] - before
        del out
    finally:
        if started:
            tracemalloc.stop()
    return peak / MIB


def rss_peaks(Ts: tuple[int, ...], shape: tuple[int, int, int], use_torch: bool) -> dict[str, dict[str, float]]:
    """Run :mod:`benchmarks._memory` in a subprocess: ``{method: {T: peak MiB}}`` from the RSS high-water mark."""
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0")
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    args = json.dumps({"Ts": list(Ts), "shape": list(shape), "dtype": np.dtype(DTYPE).name, "torch": use_torch})
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._memory", args], capture_output=True, text=True, env=env, timeout=600
    )
    if proc.returncode != 0:  # e.g. not Linux: no /proc/self/status; the PyTorch memory column stays empty
        print(f"benchmarks: the RSS subprocess failed, no PyTorch peak memory:\n{proc.stderr}", file=sys.stderr)
        return {}
    return json.loads(proc.stdout.strip().splitlines()[-1])


@register("attention-memory")
def attention_memory(cfg: Config) -> list[Result]:
    Bx, d, h = TINY if cfg.tiny else (B, D_MODEL, HEADS)
    dk = d // h
    Ts = MEMORY_T_TINY if cfg.tiny else MEMORY_T
    rss = rss_peaks(Ts, (Bx, h, dk), cfg.torch is not None)
    rows = []
    for T in Ts:
        q, k, v = (seeded((Bx, h, T, dk), DTYPE, s) for s in (1, 2, 3))
        tt_bytes = Bx * h * T * T * np.dtype(DTYPE).itemsize / MIB
        for variant, fn, th_key in (
            ("plain", partial(scaled_dot_product_attention, q, k, v), "torch_explicit"),
            ("chunked", partial(chunked_attention, q, k, v), "torch_sdpa"),
        ):
            peak = traced_peak_mib(fn)
            th_peak = rss.get(th_key, {}).get(str(T))
            target = 4.0 if variant == "chunked" and T == max(Ts) else None
            dl_rss = rss.get(f"numpy_{variant}", {}).get(str(T))
            note = (
                "dlbook by tracemalloc, PyTorch by the RSS high-water mark in a subprocess; plain against "
                "PyTorch's explicit attention, memory-efficient against its fused SDPA"
            )
            if target is not None and dl_rss is not None:
                note = (
                    f"cross-check at T={T}: dlbook's memory-efficient peak measured like PyTorch's (RSS) is "
                    f"{dl_rss:.3g} MiB (tracemalloc {peak:.3g} MiB); the plain T x T weights alone take "
                    f"{tt_bytes:.3g} MiB"
                )
            rows.append(
                Result(
                    name=f"attention-memory/{variant}/T={T}",
                    operation=f"attention forward peak memory, {'plain' if variant == 'plain' else 'memory-efficient'}",
                    shape=f"q,k,v ({Bx},{h},{T},{dk})",
                    dtype=np.dtype(DTYPE).name,
                    unit="MiB",
                    dlbook=Stats(peak, peak, peak, 1),
                    torch=None if th_peak is None else Stats(th_peak, th_peak, th_peak, 1),
                    torch_label="explicit softmax(QK^T)V" if variant == "plain" else "F.scaled_dot_product_attention",
                    target=target,
                    note=note,
                    extra={
                        "dlbook_rss_mib": dl_rss,
                        "scores_matrix_mib": tt_bytes,
                    },
                )
            )
    return rows
