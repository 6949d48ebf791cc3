"""The measuring harness: timing, the machine's matmul rate, results, targets and the three output formats.

Every benchmark returns :class:`Result` rows. Times are medians of ``repeats`` timed calls after ``warmup`` untimed
ones, measured with :func:`time.perf_counter`; dlbook and PyTorch calls are interleaved, so that a burst of load on
the shared machine slows both sides rather than one, and each ratio is measured inside one run.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

try:  # PyTorch is optional: without it the torch columns stay empty
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None


@dataclass
class Config:
    """How hard to measure.

    ``tiny`` runs every benchmark once on small shapes (what the tests do); the full run uses the shapes of the
    chapter issues, ``warmup`` untimed calls and at least five timed repeats.
    """

    tiny: bool = False
    repeats: int = 7
    warmup: int = 2
    min_time: float = 0.05  # seconds per timed repeat: fast calls are looped inside one repeat (as timeit does)
    use_torch: bool = True

    @classmethod
    def make(cls, tiny: bool = False, use_torch: bool = True) -> Config:
        if tiny:
            return cls(tiny=True, repeats=1, warmup=0, min_time=0.0, use_torch=use_torch)
        return cls(use_torch=use_torch)

    @property
    def torch(self) -> Any:
        """The ``torch`` module when it is importable and wanted, else None."""
        return torch if self.use_torch else None


@dataclass
class Stats:
    """Median, min and max of repeated measurements (seconds, or MiB for memory rows)."""

    median: float
    min: float
    max: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Stats:
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass
class Result:
    """One row of the table."""

    name: str  # unique id, e.g. "conv2d/fwd+bwd/lenet"
    operation: str  # what a reader sees, e.g. "conv2d forward + backward"
    shape: str
    dtype: str
    unit: str  # "s" (time) or "MiB" (peak memory)
    dlbook: Stats | None
    torch: Stats | None = None
    torch_label: str = ""  # what the PyTorch side runs
    flop: float | None = None  # floating-point operations of one call
    gflops: float | None = None
    share_of_matmul: float | None = None  # gflops / the machine's float32 matmul rate
    ratio: float | None = None  # dlbook / torch, medians (lower is better)
    ratio_of_min: float | None = None  # the same from the fastest repeats: less sensitive to other load
    target: float | None = None  # the chapter issue's bound on the ratio
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def finish(self, matmul_gflops: float | None) -> Result:
        """Fill in the derived columns (rate, share, ratio, target met)."""
        if self.dlbook is not None and self.torch is not None and self.torch.median > 0:
            self.ratio = self.dlbook.median / self.torch.median
            if self.torch.min > 0:
                self.ratio_of_min = self.dlbook.min / self.torch.min
        if self.unit == "s" and self.flop and self.dlbook is not None and self.dlbook.median > 0:
            self.gflops = self.flop / self.dlbook.median / 1e9
            if matmul_gflops:
                self.share_of_matmul = self.gflops / matmul_gflops
        if self.target is not None and self.ratio is not None:
            self.met = self.ratio <= self.target
        return self


# ----------------------------------------------------------------------------------------------------------------
# The registry
# ----------------------------------------------------------------------------------------------------------------
Benchmark = Callable[[Config], list[Result]]

#: Every benchmark by name, in the order of the table; filled by :func:`register` when the modules are imported.
REGISTRY: dict[str, Benchmark] = {}


def register(name: str) -> Callable[[Benchmark], Benchmark]:
    """Decorator adding a benchmark (a function ``cfg -> list[Result]``) to :data:`REGISTRY` under ``name``."""

    def deco(fn: Benchmark) -> Benchmark:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = fn
        return fn

    return deco


def seeded(shape: tuple[int, ...], dtype: Any, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    """Standard normal array of ``shape`` and ``dtype`` from a fixed seed."""
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


def shape_str(*shapes: tuple[int, ...], sep: str = " ") -> str:
    """``(64,1,28,28)``-style text for the shape column."""
    return sep.join("(" + ",".join(str(d) for d in s) + ")" for s in shapes)


# ----------------------------------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------------------------------
def _calibrate(fn: Callable[[], Any], min_time: float) -> int:
    """How many calls make one timed repeat last at least ``min_time`` seconds (1 for slow calls)."""
    if min_time <= 0:
        return 1
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time or number >= 1 << 16:
            return number
        number = max(number * 2, int(number * min_time / max(elapsed, 1e-9) * 1.2))


def time_pair(
    cfg: Config,
    dl_fn: Callable[[], Any],
    torch_fn: Callable[[], Any] | None = None,
    repeats: int | None = None,
    warmup: int | None = None,
) -> tuple[Stats, Stats | None]:
    """Time ``dl_fn`` and (if given) ``torch_fn`` interleaved; seconds per call as :class:`Stats`."""
    repeats = cfg.repeats if repeats is None else (1 if cfg.tiny else repeats)
    warmup = cfg.warmup if warmup is None else (0 if cfg.tiny else warmup)
    fns = [dl_fn] if torch_fn is None else [dl_fn, torch_fn]
    for _ in range(warmup):
        for fn in fns:
            fn()
    numbers = [_calibrate(fn, cfg.min_time) for fn in fns]
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, number, out in zip(fns, numbers, times):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            out.append((time.perf_counter() - t0) / number)
    dl = Stats.of(times[0])
    return dl, (Stats.of(times[1]) if torch_fn is not None else None)


def matmul_rate(cfg: Config, n: int | None = None) -> dict[str, Any]:
    """The machine's float32 matrix-product rate with NumPy (and PyTorch), in GFLOP/s, measured now."""
    n = (128 if cfg.tiny else 2048) if n is None else n
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    th = cfg.torch
    ta, tb = (th.from_numpy(a), th.from_numpy(b)) if th is not None else (None, None)
    dl, tt = time_pair(cfg, lambda: a @ b, (lambda: ta @ tb) if th is not None else None, repeats=7, warmup=2)
    flop = 2.0 * n**3
    return {
        "n": n,
        "numpy_gflops": flop / dl.median / 1e9,
        "numpy_gflops_best": flop / dl.min / 1e9,
        "torch_gflops": None if tt is None else flop / tt.median / 1e9,
    }


# ----------------------------------------------------------------------------------------------------------------
# The machine
# ----------------------------------------------------------------------------------------------------------------
def _loadavg() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover - not available
        return None


def machine_info(cfg: Config) -> dict[str, Any]:
    """What the numbers were measured on: CPU, cores, NumPy's BLAS and its kernel, PyTorch."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:  # pragma: no cover - not Linux
        pass
    blas: list[dict[str, Any]] = []
    try:
        from threadpoolctl import threadpool_info

        blas = [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
            for d in threadpool_info()
            if d.get("user_api") == "blas"
        ]
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    th = cfg.torch
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas,
        "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ},
        "torch": None if th is None else th.__version__,
        "torch_threads": None if th is None else th.get_num_threads(),
        "tiny": cfg.tiny,
        "load_average": _loadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }


# ----------------------------------------------------------------------------------------------------------------
# Formatting
# ----------------------------------------------------------------------------------------------------------------
COLUMNS = [
    "operation",
    "shape",
    "dtype",
    "dlbook median [min, max]",
    "PyTorch median",
    "ratio (of min)",
    "target (median ratio)",
    "GFLOP/s",
    "% mm",
]


def _time_unit(s: float) -> tuple[float, str]:
    if s >= 1.0:
        return 1.0, "s"
    if s >= 1e-3:
        return 1e3, "ms"
    return 1e6, "us"


def _fmt_stats(st: Stats | None, unit: str, spread: bool = True) -> str:
    """``median [min, max]`` in one unit chosen from the median (s, ms or us for times)."""
    if st is None:
        return "-"
    scale, label = _time_unit(st.median) if unit == "s" else (1.0, unit)
    main = f"{st.median * scale:.3g} {label}"
    if not spread or st.n == 1:
        return main
    return f"{main} [{st.min * scale:.3g}, {st.max * scale:.3g}]"


def _fmt_ratio(r: Result) -> str:
    if r.ratio is None:
        return "-"
    if r.ratio_of_min is None or r.dlbook is None or r.dlbook.n == 1:
        return f"{r.ratio:.2f}x"
    return f"{r.ratio:.2f}x ({r.ratio_of_min:.2f}x)"


def row_cells(r: Result) -> list[str]:
    """The table cells of one result, in the order of :data:`COLUMNS`."""
    target = "-"
    if r.target is not None:
        state = "n/a" if r.met is None else ("met" if r.met else "NOT MET")
        target = f"<= {r.target:g}x {state}"
    return [
        r.operation,
        r.shape,
        r.dtype,
        _fmt_stats(r.dlbook, r.unit),
        _fmt_stats(r.torch, r.unit, spread=False),
        _fmt_ratio(r),
        target,
        "-" if r.gflops is None else f"{r.gflops:.3g}",
        "-" if r.share_of_matmul is None else f"{100 * r.share_of_matmul:.1f}%",
    ]


def format_terminal(results: list[Result], info: dict[str, Any], rate: dict[str, Any]) -> str:
    """A plain-text table for the terminal, with the machine and the matmul rate above it."""
    rows = [COLUMNS] + [row_cells(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [*header_lines(info, rate), ""]
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", *footer_lines(results)]
    return "\n".join(lines)


def format_markdown(results: list[Result], info: dict[str, Any], rate: dict[str, Any]) -> str:
    """The same table in Markdown."""
    lines = ["# dlbook benchmarks", "", *(f"- {line}" for line in header_lines(info, rate)), ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    for r in results:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in row_cells(r)) + " |")
    lines += ["", *(f"- {line}" for line in footer_lines(results)), ""]
    return "\n".join(lines)


def _threads(n: int | None) -> str:
    return f"{n} thread" + ("" if n == 1 else "s")


def header_lines(info: dict[str, Any], rate: dict[str, Any]) -> list[str]:
    """Where and when the numbers were measured."""
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']}, {_threads(b['num_threads'])})" for b in info["blas"]
    )
    env = info["openblas_env"]
    tiny = " (tiny shapes: no meaning for speed)" if info["tiny"] else ""
    lines = [
        f"machine: {info['cpu']}, {info['cores']} cores; {info['date']}{tiny}",
        f"NumPy {info['numpy']} with {blas or 'unknown BLAS'}"
        + (f"; {', '.join(f'{k}={v}' for k, v in env.items())} is set (slows a current OpenBLAS)" if env else ""),
        f"PyTorch {info['torch']} CPU, {_threads(info['torch_threads'])}"
        if info["torch"]
        else "PyTorch: not importable",
    ]
    n, med, best = rate["n"], rate["numpy_gflops"], rate["numpy_gflops_best"]
    mm = f"float32 matmul rate ({n}x{n}): NumPy {med:.1f} GFLOP/s (best {best:.1f})"
    if rate.get("torch_gflops"):
        mm += f", PyTorch {rate['torch_gflops']:.1f} GFLOP/s"
    lines.append(mm + "; '% mm' is a row's GFLOP/s as a share of NumPy's median rate")
    load = info.get("load_average")
    if load:
        end = info.get("load_average_end")
        lines.append(
            f"load average (1, 5, 15 min) at the start: {', '.join(map(str, load))}"
            + (f"; at the end: {', '.join(map(str, end))}" if end else "")
            + f" on {info['cores']} cores (above the core count, other work shared the CPU and times are inflated)"
        )
    return lines


def footer_lines(results: list[Result]) -> list[str]:
    """Targets met, and the notes attached to rows."""
    targeted = [r for r in results if r.target is not None]
    met = sum(1 for r in targeted if r.met)
    lines = [
        f"targets met: {met} of {len(targeted)}"
        + ("" if all(r.met is not None for r in targeted) else " (some not measurable here)")
    ]
    lines += [
        f"NOT MET: {r.operation}, {r.shape}: {r.ratio:.2f}x PyTorch, target <= {r.target:g}x"
        for r in targeted
        if r.met is False and r.ratio is not None and r.target is not None
    ]
    seen: set[str] = set()
    for r in results:
        if r.note and r.note not in seen:
            seen.add(r.note)
            lines.append(f"{r.operation}: {r.note}")
    return lines


def to_json(results: list[Result], info: dict[str, Any], rate: dict[str, Any]) -> str:
    """Everything as JSON (rows keep their raw seconds / MiB)."""
    return json.dumps(
        {"machine": info, "matmul": rate, "results": [asdict(r) for r in results]}, indent=2, default=_json_default
    )


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):  # pragma: no cover - json handles floats itself
        return None
    raise TypeError(f"cannot serialize {type(obj).__name__}")
