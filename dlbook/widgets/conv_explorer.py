r"""The 1-D convolution explorer: slide a kernel along a signal and watch the feature map appear.

:class:`ConvExplorer` is an anywidget. The input signal is drawn in gray, the kernel window in orange and the output
feature map :math:`y_i = \sum_u w_u x_{i+u}` (``dlbook.conv.conv1d``, mode ``"valid"``) in teal, up to the slider's
position. Every output for every kernel and signal is computed here in Python and carried in the widget's traits,
so the static book page is fully live with no kernel. The reader's own kernel (``custom_kernel``) is recomputed by
:func:`dlbook.conv.conv1d` whenever it changes in Jupyter; on a static page the ES module (``conv_explorer.js``)
computes it with the same sum, which the tests check against ``numpy.correlate``.
"""

from __future__ import annotations

from typing import Any

import anywidget
import numpy as np
import traitlets

from dlbook._checks import get_rng
from dlbook.conv import conv1d
from dlbook.widgets._base import PALETTE, esm_path

__all__ = ["ConvExplorer", "ConvExplorerError", "default_kernels", "default_signals"]

#: Length of the demo signals.
SIGNAL_LENGTH = 80
#: Longest kernel the reader may type.
MAX_KERNEL = 15
#: Largest magnitude of a kernel weight (the page refuses larger ones with a message saying so).
KERNEL_LIMIT = 1000.0
#: Largest magnitude of a signal value.
SIGNAL_LIMIT = 1e6


class ConvExplorerError(traitlets.TraitError, ValueError):
    """A value the explorer cannot take (a ``ValueError`` and a ``traitlets.TraitError``)."""


def _check_values(value: Any, name: str, lo: int, hi: int, limit: float) -> list[float]:
    """A 1-D list of ``lo`` to ``hi`` finite numbers of magnitude at most ``limit``, or a ConvExplorerError."""
    try:
        w = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConvExplorerError(f"{name} must be a list of numbers, got {value!r:.80}") from None
    if w.ndim != 1 or not lo <= w.size <= hi:
        raise ConvExplorerError(f"{name} must hold {lo} to {hi} numbers, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(np.abs(w) > limit):
        raise ConvExplorerError(
            f"{name} values must be finite and between -{limit:g} and {limit:g}, got {w.tolist()!r:.120}"
        )
    return w.tolist()


def default_signals(n: int = SIGNAL_LENGTH, rng: np.random.Generator | int | None = 0) -> dict[str, list[float]]:
    """The three demo signals of length ``n``: a step, a noisy sine and isolated spikes.

    Parameters
    ----------
    n : int
        Length (at least ``2 * MAX_KERNEL``).
    rng : numpy.random.Generator or int, optional
        Noise of the sine.
    """
    if not isinstance(n, int | np.integer) or n < 2 * MAX_KERNEL:
        raise ValueError(f"n must be an integer >= {2 * MAX_KERNEL}, got {n!r}")
    rng = get_rng(rng)
    t = np.arange(n)
    step = (t >= n // 2).astype(np.float64)
    sine = np.sin(2 * np.pi * t / 32) + 0.3 * rng.standard_normal(n)
    spikes = np.zeros(n)
    spikes[[n // 8, 3 * n // 8, 3 * n // 8 + 3, 5 * n // 8, 7 * n // 8]] = [1.0, 1.0, -0.7, 0.6, 1.0]
    return {"step": step.round(4).tolist(), "noisy sine": sine.round(4).tolist(), "spikes": spikes.tolist()}


def default_kernels() -> dict[str, list[float]]:
    """The preset kernels: a 5-tap moving average, a derivative (edge detector) and a 7-tap Gaussian."""
    u = np.arange(-3, 4)
    gauss = np.exp(-(u**2) / (2 * 1.5**2))
    return {
        "moving average": [0.2] * 5,
        "derivative / edge": [-1.0, 0.0, 1.0],
        "gaussian": (gauss / gauss.sum()).round(4).tolist(),
    }


class ConvExplorer(anywidget.AnyWidget):
    """Slide a 1-D kernel over a signal; outputs computed by :func:`dlbook.conv.conv1d`.

    Every trait is validated: a wrong value raises :class:`ConvExplorerError` (a ``ValueError``) naming the trait,
    the expected and the given value, and leaves the widget as it was.

    Parameters
    ----------
    signal : str
        Selected signal (a key of ``signals``).
    kernel : str
        Selected kernel (a key of ``kernels``, or ``"custom"``).
    custom_kernel : list of float
        The kernel the reader edits (1 to ``MAX_KERNEL`` weights, each within +-``KERNEL_LIMIT``).
    position : int
        Index of the kernel window (the slider), from 0 to ``len(signal) - len(kernel)``; a change of signal or
        kernel moves it inside the new range.

    Attributes
    ----------
    signals, kernels : dict[str, list[float]]
        Inputs offered by the selects.
    outputs : dict[str, list[float]]
        ``conv1d(signals[s], kernels[k])`` for every pair, keyed ``"k|s"`` (the custom kernel under ``"custom"``).
    """

    _esm = esm_path("conv_explorer.js")
    signals = traitlets.Dict().tag(sync=True)
    kernels = traitlets.Dict().tag(sync=True)
    outputs = traitlets.Dict().tag(sync=True)
    colors = traitlets.Dict().tag(sync=True)
    signal = traitlets.Unicode("step").tag(sync=True)
    kernel = traitlets.Unicode("moving average").tag(sync=True)
    custom_kernel = traitlets.List([1.0, -2.0, 1.0]).tag(sync=True)  # checked by _valid_custom
    position = traitlets.Any(0).tag(sync=True)  # an int, checked by _valid_position

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("signals", default_signals())
        kwargs.setdefault("kernels", default_kernels())
        kwargs.setdefault("colors", {k: PALETTE[k] for k in ("input", "kernel", "output")})
        super().__init__(**kwargs)
        self.outputs = self.compute_outputs()

    # --- validation (cross-checked at the end of a batch of changes, so signal and position may change together) --
    def _max_position(self, signal: str | None = None, kernel: str | None = None) -> int:
        x = self.signals.get(self.signal if signal is None else signal, [])
        name = self.kernel if kernel is None else kernel
        w = self.custom_kernel if name == "custom" else self.kernels.get(name, [])
        return max(len(x) - len(w), 0)

    @traitlets.validate("signals")
    def _valid_signals(self, proposal: Any) -> dict[str, list[float]]:
        value = proposal["value"]
        if not isinstance(value, dict) or not value:
            raise ConvExplorerError(f"signals must be a non-empty dict of name -> list of numbers, got {value!r:.80}")
        longest = max([MAX_KERNEL, *(len(w) for w in self.kernels.values())]) if self.kernels else MAX_KERNEL
        out = {str(k): _check_values(v, f"signals[{k!r}]", longest, 10_000, SIGNAL_LIMIT) for k, v in value.items()}
        if self.signal not in out:
            raise ConvExplorerError(f"signals must include the selected signal {self.signal!r}, got {list(out)}")
        return out

    @traitlets.validate("kernels")
    def _valid_kernels(self, proposal: Any) -> dict[str, list[float]]:
        value = proposal["value"]
        if not isinstance(value, dict) or not value or "custom" in value:
            raise ConvExplorerError(
                f"kernels must be a non-empty dict of name -> list of numbers (not named 'custom'), got {value!r:.80}"
            )
        out = {str(k): _check_values(v, f"kernels[{k!r}]", 1, MAX_KERNEL, KERNEL_LIMIT) for k, v in value.items()}
        if self.kernel != "custom" and self.kernel not in out:
            raise ConvExplorerError(f"kernels must include the selected kernel {self.kernel!r}, got {list(out)}")
        return out

    @staticmethod
    def _choice(value: Any, name: str, choices: list[str]) -> str:
        if value not in choices:
            raise ConvExplorerError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
        return value

    @traitlets.validate("signal")
    def _valid_signal(self, proposal: Any) -> str:
        return self._choice(proposal["value"], "signal", list(self.signals))

    @traitlets.validate("kernel")
    def _valid_kernel(self, proposal: Any) -> str:
        return self._choice(proposal["value"], "kernel", [*self.kernels, "custom"])

    @traitlets.validate("custom_kernel")
    def _valid_custom(self, proposal: Any) -> list[float]:
        return _check_values(proposal["value"], "custom_kernel", 1, MAX_KERNEL, KERNEL_LIMIT)

    @traitlets.validate("position")
    def _valid_position(self, proposal: Any) -> int:
        value, hi = proposal["value"], self._max_position()
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value <= hi:
            raise ConvExplorerError(
                f"position must be an integer from 0 to {hi} (len(signal) - len(kernel)), got {value!r}"
            )
        return int(value)

    @traitlets.observe("signal", "kernel", "custom_kernel", "signals", "kernels")
    def _keep_window_inside(self, change: Any) -> None:
        if self.position > self._max_position():
            self.position = self._max_position()

    @traitlets.observe("custom_kernel", "signals", "kernels")
    def _recompute(self, change: Any) -> None:
        if self.signals and self.kernels:
            self.outputs = self.compute_outputs()

    def compute_outputs(self) -> dict[str, list[float]]:
        """Every feature map, ``conv1d(signal, kernel, "valid")``, keyed ``"kernel|signal"``."""
        kernels = {**self.kernels, "custom": self.custom_kernel}
        return {
            f"{k}|{s}": conv1d(np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)).tolist()
            for k, w in kernels.items()
            for s, x in self.signals.items()
        }

    def current_output(self) -> np.ndarray:
        """The feature map of the selected kernel and signal."""
        return np.asarray(self.outputs[f"{self.kernel}|{self.signal}"])
