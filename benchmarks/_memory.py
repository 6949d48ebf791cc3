"""Subprocess worker: peak resident memory of one attention call, from the kernel's high-water mark.

Run as ``python -m benchmarks._memory '{"Ts": [...], "shape": [B, h, d_k], "dtype": "float32", "torch": true}'``
with ``MALLOC_MMAP_THRESHOLD_`` set low (see :mod:`benchmarks.attention`); prints one JSON line
``{method: {T: MiB}}``. Linux only (``/proc/self/clear_refs`` and ``/proc/self/status``).
"""

from __future__ import annotations

import gc
import json
import sys
from functools import partial
from typing import Any

import numpy as np

MIB_KB = 1024.0


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def peak_rss_mib(fn: Any) -> float:
    """Resident memory added at the peak of ``fn()`` (MiB): reset the high-water mark, call, read it."""
    fn()  # warm-up: thread pools, lazily built kernels
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
    except OSError:  # pragma: no cover - kernels that refuse: the peak is then a lower bound (T grows, so rarely)
        pass
    before = _status_kb("VmRSS")
    out = fn()
    peak = _status_kb("VmHWM") - before
    del out
    return peak / MIB_KB


def _torch_explicit(th: Any, q: Any, k: Any, v: Any) -> Any:
    return th.softmax((q * q.shape[-1] ** -0.5) @ k.transpose(-2, -1), dim=-1) @ v


def main(spec: dict[str, Any]) -> dict[str, dict[str, float]]:
    from dlbook.attention import chunked_attention, scaled_dot_product_attention

    B, h, dk = spec["shape"]
    dtype = np.dtype(spec["dtype"])
    res: dict[str, dict[str, float]] = {"numpy_plain": {}, "numpy_chunked": {}}
    th = None
    if spec["torch"]:
        try:
            import torch as th
        except ImportError:  # pragma: no cover
            th = None
    if th is not None:
        res["torch_explicit"], res["torch_sdpa"] = {}, {}
    for T in spec["Ts"]:
        rng = np.random.default_rng(0)
        q, k, v = (rng.standard_normal((B, h, T, dk)).astype(dtype) for _ in range(3))
        res["numpy_plain"][str(T)] = peak_rss_mib(partial(scaled_dot_product_attention, q, k, v))
        res["numpy_chunked"][str(T)] = peak_rss_mib(partial(chunked_attention, q, k, v))
        if th is not None:
            qkv = tuple(th.from_numpy(a) for a in (q, k, v))
            with th.inference_mode():
                res["torch_explicit"][str(T)] = peak_rss_mib(partial(_torch_explicit, th, *qkv))
                res["torch_sdpa"][str(T)] = peak_rss_mib(partial(th.nn.functional.scaled_dot_product_attention, *qkv))
        gc.collect()
    return res


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
