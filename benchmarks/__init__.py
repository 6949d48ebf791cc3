"""Speed of dlbook against PyTorch CPU and against the machine's own matrix-product rate.

``python -m benchmarks`` (``make bench``) runs every benchmark and prints one table: operation, shape, dtype,
dlbook's time (median of repeats, with min and max), PyTorch's, their ratio beside the chapter issue's target,
GFLOP/s and that rate as a share of the float32 matmul rate NumPy reaches on the same machine in the same run. The
table is also written as JSON and Markdown (``benchmarks/results/`` by default).

Modules: :mod:`benchmarks.conv` (convolution, max pooling), :mod:`benchmarks.rnn` (LSTM),
:mod:`benchmarks.attention` (multi-head attention, peak memory of attention), :mod:`benchmarks.training` (a
playground step, a LeNet-5 epoch), :mod:`benchmarks.playground` (the playground's frame rate in Chromium);
:mod:`benchmarks._harness` measures and formats.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from typing import Any

MODULES = ("conv", "rnn", "attention", "training", "playground")


def registry() -> dict[str, Any]:
    """Import the benchmark modules and return ``{name: benchmark}`` in table order."""
    for mod in MODULES:
        importlib.import_module(f"benchmarks.{mod}")
    from benchmarks._harness import REGISTRY

    order = {f"benchmarks.{mod}": i for i, mod in enumerate(MODULES)}  # table order, whatever the import order
    names = sorted(REGISTRY, key=lambda n: order.get(REGISTRY[n].__module__, len(order)))  # stable within a module
    return {n: REGISTRY[n] for n in names}


def run(
    tiny: bool = False,
    only: list[str] | None = None,
    use_torch: bool = True,
    progress: Any = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Run the benchmarks whose name contains one of ``only`` (all by default).

    ``threads`` limits NumPy's BLAS and PyTorch to that many threads each (default: their own defaults, one per
    core); ``threads=1`` compares single-core efficiency and is far less disturbed by other work on a shared machine.

    Returns ``{"info", "matmul", "results"}``: the machine, the float32 matmul rate and the list of
    :class:`benchmarks._harness.Result` rows, derived columns filled in.
    """
    from benchmarks._harness import Config, _loadavg, machine_info, matmul_rate

    cfg = Config.make(tiny=tiny, use_torch=use_torch)
    selected = {n: fn for n, fn in registry().items() if not only or any(o in n for o in only)}
    if not selected:
        raise ValueError(f"only={only!r} matches no benchmark; names: {', '.join(registry())}")
    with limit_threads(threads, cfg.torch):
        info = machine_info(cfg)
        rate = matmul_rate(cfg)
        results = []
        for name, fn in selected.items():
            if progress is not None:
                progress(name)
            results += [r.finish(rate["numpy_gflops"]) for r in fn(cfg)]
        info["load_average_end"] = _loadavg()
    return {"info": info, "matmul": rate, "results": results}


@contextlib.contextmanager
def limit_threads(threads: int | None, th: Any) -> Iterator[None]:
    """Within the block, NumPy's BLAS and PyTorch use at most ``threads`` threads (no limit for None)."""
    if threads is None:
        yield
        return
    if threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads}")
    from threadpoolctl import threadpool_limits

    saved = None if th is None else th.get_num_threads()
    old_env = os.environ.get("OMP_NUM_THREADS"), os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(threads)  # for the memory subprocess
    try:
        with threadpool_limits(limits=threads):
            if th is not None:
                th.set_num_threads(threads)
            yield
    finally:
        if th is not None and saved is not None:
            th.set_num_threads(saved)
        for key, value in zip(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"), old_env):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
