"""Speed of dlbook against PyTorch CPU and against the machine's own matrix-product rate.

``python -m benchmarks`` (``make bench``) runs every benchmark and prints one table: operation, shape, dtype,
dlbook's time (median of repeats, with min and max), PyTorch's, their ratio beside the chapter issue's target,
GFLOP/s and that rate as a share of the float32 matmul rate NumPy reaches on the same machine in the same run. The
table is also written as JSON and Markdown (``benchmarks/results/`` by default).

Modules: :mod:`benchmarks.conv` (convolution, max pooling), :mod:`benchmarks.rnn` (LSTM),
:mod:`benchmarks.attention` (multi-head attention, peak memory of attention), :mod:`benchmarks.training` (a
playground step, a LeNet-5 epoch); :mod:`benchmarks._harness` measures and formats.
"""

from __future__ import annotations

import importlib
from typing import Any

MODULES = ("conv", "rnn", "attention", "training")


def registry() -> dict[str, Any]:
    """Import the benchmark modules and return ``{name: benchmark}`` in table order."""
    for mod in MODULES:
        importlib.import_module(f"benchmarks.{mod}")
    from benchmarks._harness import REGISTRY

    order = {f"benchmarks.{mod}": i for i, mod in enumerate(MODULES)}  # table order, whatever the import order
    names = sorted(REGISTRY, key=lambda n: order.get(REGISTRY[n].__module__, len(order)))  # stable within a module
    return {n: REGISTRY[n] for n in names}


def run(
    tiny: bool = False, only: list[str] | None = None, use_torch: bool = True, progress: Any = None
) -> dict[str, Any]:
    """Run the benchmarks whose name contains one of ``only`` (all by default).

    Returns ``{"info", "matmul", "results"}``: the machine, the float32 matmul rate and the list of
    :class:`benchmarks._harness.Result` rows, derived columns filled in.
    """
    from benchmarks._harness import Config, _loadavg, machine_info, matmul_rate

    cfg = Config.make(tiny=tiny, use_torch=use_torch)
    selected = {n: fn for n, fn in registry().items() if not only or any(o in n for o in only)}
    if not selected:
        raise ValueError(f"only={only!r} matches no benchmark; names: {', '.join(registry())}")
    info = machine_info(cfg)
    rate = matmul_rate(cfg)
    results = []
    for name, fn in selected.items():
        if progress is not None:
            progress(name)
        results += [r.finish(rate["numpy_gflops"]) for r in fn(cfg)]
    info["load_average_end"] = _loadavg()
    return {"info": info, "matmul": rate, "results": results}
