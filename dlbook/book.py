"""Helpers the chapters call for the book's sake, which work in any plain Jupyter kernel.

The web book is built by Jupyter Book (myst-nb), but a reader runs a chapter in Colab, on a JupyterHub or in a
downloaded copy, where neither ``myst_nb`` nor ``jupyter-book`` is installed. The chapters therefore call these
helpers instead of the build tools:

* :func:`glue` stores a number for the text (myst-nb's glue when it is importable, a plain dictionary otherwise);
* :func:`claim` states in code what a sentence of the text says about the numbers, and fails loudly when the numbers
  stop saying it;
* :func:`over_seeds` repeats a training run over several seeds and returns :class:`Runs` (mean, spread, min, max),
  and :func:`compare` says "higher", "lower" or "within the spread of the seeds" from two such sets of runs, so that a
  conclusion drawn from training runs is never drawn from one seed;
* :func:`rounded` rounds a bound the text states ("at most", "at least") in the safe direction;
* :func:`table` turns a list of rows into a Markdown table that Jupyter and the book both display;
* :func:`setup_chapter` (called by the bootstrap cell at the top of every chapter) limits BLAS to the thread count
  the chapters are tuned for and, in Colab, enables the widget manager the demos need.

Importing this module does no work: myst-nb, IPython, threadpoolctl and Colab's modules are imported when first used.
"""

from __future__ import annotations

import math
import numbers
import operator
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "GLUED",
    "ClaimError",
    "Runs",
    "Table",
    "claim",
    "compare",
    "enable_colab_widgets",
    "glue",
    "in_colab",
    "limit_blas_threads",
    "over_seeds",
    "rounded",
    "setup_chapter",
    "table",
]

#: Every value passed to :func:`glue` in this kernel, by name (also when myst-nb does the gluing).
GLUED: dict[str, Any] = {}

_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
_LIMITS: list = []  # keeps the active threadpoolctl limit alive for the kernel's lifetime


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the text of the book, as myst-nb's ``glue`` does.

    In the book's build (myst-nb importable) this is myst-nb's ``glue``, so the chapter's Markdown can show the
    value through myst-nb's glue role. In a plain kernel the value is only kept in :data:`GLUED` (and shown if
    ``display`` is true), so a chapter runs unchanged in Colab or a downloaded copy.

    Parameters
    ----------
    name : str
        The glue key; keys are global across the book, so they carry the chapter's prefix (``"mlp-spiral-acc"``).
    value : object
        The number, string or figure to glue.
    display : bool, optional
        Also show the value in the cell's output (default ``False``).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    GLUED[name] = value
    myst_glue = _myst_nb_glue()
    if myst_glue is not None:
        myst_glue(name, value, display=display)
    elif display:
        from IPython.display import display as show

        show(value)


def rounded(value: float, spec: str, direction: str) -> float:
    """``value`` rounded up or down to what the format ``spec`` shows, for a bound stated in the text.

    "At most {x:.1e}" is false when ``x = 4.74e-4`` is shown as ``4.7e-04``; glue ``rounded(x, ".1e", "up")``
    instead, which is ``4.8e-4``, and the sentence stays true at the precision it is printed with.

    Parameters
    ----------
    value : float
        A finite number.
    spec : str
        The format spec the text shows it with: fixed point (``".2f"``, ``".0f"``) or exponent (``".1e"``).
    direction : {"up", "down"}
        "up" for an upper bound ("at most", "up to", "within"), "down" for a lower bound ("at least", "or more").

    Returns
    -------
    float
        The smallest number shown exactly by ``spec`` that is >= ``value`` ("up"), or the largest <= ``value``.

    Examples
    --------
    >>> rounded(4.74e-4, ".1e", "up"), rounded(24.36, ".1f", "down")
    (0.00048, 24.3)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"value must be a finite real number, got {value!r}")
    match = re.fullmatch(r"\.(\d+)([ef])", spec) if isinstance(spec, str) else None
    if match is None:
        raise ValueError(f"spec must be a fixed-point or exponent format such as '.2f' or '.1e', got {spec!r}")
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', got {direction!r}")
    digits, kind = int(match.group(1)), match.group(2)
    shown = float(format(value, spec))
    if (direction == "up" and shown >= value) or (direction == "down" and shown <= value):
        return shown
    exponent = int(format(shown, spec).split("e")[1]) if kind == "e" else 0
    unit = 10.0 ** (exponent - digits)
    return float(format(shown + unit if direction == "up" else shown - unit, spec))


def _myst_nb_glue() -> Any:
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return None
    return myst_glue


class ClaimError(AssertionError):
    """A sentence of the book that the computed numbers no longer support (raised by :func:`claim`)."""


def claim(condition: Any, statement: str, **numbers: Any) -> None:
    """Check that the numbers support a statement of the text; raise :class:`ClaimError` naming both if not.

    Parameters
    ----------
    condition : bool or array_like
        The statement as code, e.g. ``acc_mlp > acc_linear + 0.2``; an array counts as true when all its
        elements are.
    statement : str
        The sentence of the text the condition backs, e.g. ``"the MLP beats logistic regression on the spiral"``.
    **numbers
        The numbers the condition compares, shown in the error so that a failing build says what changed.

    Raises
    ------
    ClaimError
        If ``condition`` is false.

    Examples
    --------
    >>> claim(0.98 > 0.60, "the MLP beats the linear model", mlp=0.98, linear=0.60)
    """
    if not isinstance(statement, str) or not statement:
        raise TypeError(f"statement must be a non-empty str, got {statement!r}")
    if hasattr(condition, "all") and callable(condition.all):
        holds = bool(condition.all())
    else:
        holds = bool(condition)
    if not holds:
        shown = ", ".join(f"{key}={value!r}" for key, value in numbers.items())
        raise ClaimError(f"the claim {statement!r} does not hold" + (f": {shown}" if shown else ""))


class Table:
    """A Markdown table that Jupyter and the book display (returned by :func:`table`).

    Parameters
    ----------
    markdown : str
        The table's Markdown source; ``str(table)`` returns it.
    """

    def __init__(self, markdown: str) -> None:
        self.markdown = markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.markdown


def table(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str],
    *,
    formats: Sequence[str | None] | Mapping[int, str] | None = None,
    align: str | None = None,
) -> Table:
    """Build a Markdown table from a list of rows; display it with ``display(table(...))`` or as a cell's last line.

    Parameters
    ----------
    rows : sequence of sequences
        One sequence of cell values per row, each as long as ``header``.
    header : sequence of str
        The column titles.
    formats : sequence of str or None, or mapping from column index to str, optional
        A format spec per column (``".3f"``, ``",d"``, ``".1%"``) applied to that column's values; ``None`` (the
        default for every column) writes ``str(value)``. Strings are never formatted.
    align : str, optional
        One letter per column, ``"l"``, ``"c"`` or ``"r"``; by default text columns are left-aligned and columns
        whose values are all numbers right-aligned.

    Returns
    -------
    Table
        An object Jupyter renders as Markdown; ``str()`` gives the Markdown source.

    Examples
    --------
    >>> print(table([["ReLU", 0.981], ["tanh", 0.97]], ["activation", "accuracy"], formats=[None, ".2f"]))
    | activation | accuracy |
    | :--- | ---: |
    | ReLU | 0.98 |
    | tanh | 0.97 |
    """
    header = [str(h) for h in header]
    n = len(header)
    if n == 0:
        raise ValueError("header must name at least one column, got an empty header")
    rows = [list(row) for row in rows]
    for i, row in enumerate(rows):
        if len(row) != n:
            raise ValueError(f"rows[{i}] must have {n} cells (one per header column), got {len(row)}")
    if isinstance(formats, Mapping):
        specs: list[str | None] = [formats.get(j) for j in range(n)]
    elif formats is None:
        specs = [None] * n
    else:
        specs = list(formats)
        if len(specs) != n:
            raise ValueError(f"formats must have {n} entries (one per header column), got {len(specs)}")
    if align is None:
        align = "".join("r" if rows and all(_is_number(row[j]) for row in rows) else "l" for j in range(n))
    if len(align) != n or set(align) - set("lcr"):
        raise ValueError(f"align must be {n} letters among 'l', 'c', 'r', got {align!r}")
    rule = {"l": ":---", "c": ":---:", "r": "---:"}
    lines = [_row(header), _row([rule[a] for a in align])]
    lines += [_row([_cell(value, spec) for value, spec in zip(row, specs)]) for row in rows]
    return Table("\n".join(lines))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _cell(value: Any, spec: str | None) -> str:
    text = str(value) if spec is None or isinstance(value, str) else format(value, spec)
    return text.replace("|", "\\|").replace("\n", " ")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def limit_blas_threads(n: int = 1) -> None:
    """Run BLAS (NumPy's matrix products) on ``n`` threads for the rest of the kernel.

    The chapters multiply many small matrices, for which one thread is fastest: several threads spend more time
    synchronizing than multiplying, the more so when notebooks run two at a time. The environment variables cover a
    BLAS that is not loaded yet; threadpoolctl changes the one NumPy has already loaded.

    Parameters
    ----------
    n : int, optional
        The number of threads (default 1).
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    for var in _BLAS_ENV:
        os.environ[var] = str(n)
    from threadpoolctl import threadpool_limits

    _LIMITS[:] = [threadpool_limits(limits=n, user_api="blas")]


def in_colab() -> bool:
    """Whether this kernel runs in Google Colab."""
    return "google.colab" in sys.modules


def enable_colab_widgets() -> bool:
    """In Colab, enable the custom widget manager that third-party widgets (the book's demos) need.

    Returns
    -------
    bool
        ``True`` if it was enabled, ``False`` outside Colab.
    """
    if not in_colab():
        return False
    from google.colab import output

    output.enable_custom_widget_manager()
    return True


def setup_chapter(blas_threads: int = 1) -> None:
    """What the bootstrap cell at the top of every chapter does once dlbook is importable.

    Parameters
    ----------
    blas_threads : int, optional
        BLAS threads for the chapter's matrix products (default 1, see :func:`limit_blas_threads`).
    """
    limit_blas_threads(blas_threads)
    enable_colab_widgets()


class Runs:
    """The results of one experiment repeated over several seeds: an array with its summary.

    Parameters
    ----------
    values : array_like of shape (S,) or (S, ...)
        One result per seed (a scalar, or an array such as a loss curve).
    seeds : sequence of int
        The seeds, in the order of ``values``.

    Attributes
    ----------
    values : ndarray
    seeds : tuple of int
    mean, std, min, max : float or ndarray
        Over the seeds (axis 0); ``std`` is the sample standard deviation (``ddof=1``, 0 for one seed).

    Examples
    --------
    >>> r = Runs([0.91, 0.93, 0.92], seeds=(0, 1, 2))
    >>> f"{r:.2f}"
    '0.92 ± 0.01 (3 seeds, 0.91 to 0.93)'
    """

    def __init__(self, values: Any, seeds: Sequence[int]) -> None:
        import numpy as np

        try:
            self.values = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"values must hold numbers (one result per seed), got {type(values).__name__}") from None
        self.seeds = _as_seeds(seeds)
        if self.values.ndim == 0 or len(self.values) != len(self.seeds) or not self.seeds:
            raise ValueError(f"values must hold one result per seed ({len(self.seeds)}), got shape {self.values.shape}")
        self.mean = self.values.mean(axis=0)
        self.std = self.values.std(axis=0, ddof=1) if len(self.seeds) > 1 else np.zeros_like(self.mean)
        self.min = self.values.min(axis=0)
        self.max = self.values.max(axis=0)

    def __len__(self) -> int:
        return len(self.seeds)

    def __format__(self, spec: str) -> str:
        if self.values.ndim != 1:
            return repr(self)
        spec = spec or ".3g"
        return (
            f"{format(float(self.mean), spec)} ± {format(float(self.std), spec)} "
            f"({len(self)} seeds, {format(float(self.min), spec)} to {format(float(self.max), spec)})"
        )

    def __repr__(self) -> str:
        return f"Runs(mean={self.mean!r}, seeds={self.seeds})"


def _as_seeds(seeds: Any) -> tuple[int, ...]:
    """``seeds`` as a tuple of ints; ``TypeError`` naming ``seeds`` for anything else (a string, floats)."""
    try:
        return tuple(operator.index(s) for s in seeds)
    except TypeError:
        raise TypeError(f"seeds must be a sequence of integers, got {seeds!r}") from None


def over_seeds(
    fn: Callable[[int], Any] | Mapping[Any, Callable[[int], Any]],
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    processes: int = 1,
) -> Any:
    """Run ``fn(seed)`` for every seed and collect the results as :class:`Runs`.

    Parameters
    ----------
    fn : callable, or a mapping of callables
        ``fn(seed) -> float or array``: one complete experiment (data, model and training all seeded by ``seed``).
        A mapping ``{setting: fn}`` runs every setting for every seed, all in one pool of workers (so that no worker
        waits for the last seed of one setting before starting the next), and returns ``{setting: Runs}``.
    seeds : sequence of int
        At least one seed; three or more for any conclusion that compares runs.
    processes : int
        Run the seeds in this many worker processes (forked, so ``fn`` may be defined in the notebook). 1 runs them
        one after another in this process.

    Returns
    -------
    Runs, or dict of Runs
        The results of every seed (for a mapping: of every seed of each setting, under the same keys, in order).

    Examples
    --------
    >>> runs = over_seeds({lr: partial(train, lr=lr) for lr in (0.1, 1.0)}, seeds=(0, 1, 2))  # doctest: +SKIP
    >>> runs[0.1].mean  # doctest: +SKIP
    """
    fns = dict(fn) if isinstance(fn, Mapping) else {None: fn}
    if not fns:
        raise ValueError("fn must map at least one setting to a function, got an empty mapping")
    for key, f in fns.items():
        if not callable(f):
            where = "" if key is None else f"[{key!r}]"
            raise TypeError(f"fn{where} must be callable as fn(seed), got {type(f).__name__}")
    seeds = list(_as_seeds(seeds))
    if not seeds:
        raise ValueError("seeds must name at least one seed, got none")
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise ValueError(f"processes must be a positive integer, got {processes!r}")
    tasks = [(k, s) for k in range(len(fns)) for s in seeds]
    if processes == 1 or len(tasks) == 1:
        results = [f(s) for f in fns.values() for s in seeds]
    else:
        import multiprocessing

        # The workers are forked after the functions are stored here, so they inherit them: no function is ever
        # pickled (a lambda or a function defined in the notebook works); only indices, seeds and results travel.
        _FORKED_FN[:] = list(fns.values())
        try:
            with multiprocessing.get_context("fork").Pool(min(processes, len(tasks))) as pool:
                results = pool.map(_call_forked, tasks, chunksize=1)
        finally:
            _FORKED_FN.clear()
    n = len(seeds)
    runs = {key: Runs(results[i * n : (i + 1) * n], seeds) for i, key in enumerate(fns)}
    return runs if isinstance(fn, Mapping) else runs[None]


_FORKED_FN: list = []


def _call_forked(task: tuple[int, int]) -> Any:
    index, seed = task
    return _FORKED_FN[index](seed)


def compare(
    a: Runs,
    b: Runs,
    *,
    higher: str = "higher",
    lower: str = "lower",
    same: str = "within the spread of the seeds",
) -> str:
    """Say how ``a`` compares with ``b`` across seeds, in words for the text.

    ``a`` is ``higher`` only if every run of ``a`` is above every run of ``b`` (the ranges do not overlap), ``lower``
    in the mirror case, and ``same`` otherwise: a difference inside the seeds' spread is not a conclusion.

    Examples
    --------
    >>> compare(Runs([0.9, 0.92], (0, 1)), Runs([0.7, 0.75], (0, 1)))
    'higher'
    """
    if not isinstance(a, Runs) or not isinstance(b, Runs):
        raise TypeError(f"a and b must be Runs (from over_seeds), got {type(a).__name__} and {type(b).__name__}")
    if a.values.ndim != 1 or b.values.ndim != 1:
        raise ValueError("compare needs one scalar result per seed in a and b")
    if a.min > b.max:
        return higher
    if a.max < b.min:
        return lower
    return same
