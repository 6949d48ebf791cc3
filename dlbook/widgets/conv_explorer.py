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

from dlbook._checks import as_float_array, check_choice, check_ndim, get_rng
from dlbook.conv import conv1d
from dlbook.widgets._base import PALETTE, esm_path

__all__ = ["ConvExplorer", "default_kernels", "default_signals"]

#: Length of the demo signals.
SIGNAL_LENGTH = 80
#: Longest kernel the reader may type.
MAX_KERNEL = 15


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

    Parameters
    ----------
    signal : str
        Selected signal (a key of ``signals``).
    kernel : str
        Selected kernel (a key of ``kernels``, or ``"custom"``).
    custom_kernel : list of float
        The kernel the reader edits (1 to ``MAX_KERNEL`` taps).
    position : int
        Index of the kernel window (the slider), from 0 to ``len(signal) - len(kernel)``.

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
    custom_kernel = traitlets.List(traitlets.Float(), [1.0, -2.0, 1.0]).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("signals", default_signals())
        kwargs.setdefault("kernels", default_kernels())
        kwargs.setdefault("colors", {k: PALETTE[k] for k in ("input", "kernel", "output")})
        super().__init__(**kwargs)
        check_choice(self.signal, "signal", self.signals)
        check_choice(self.kernel, "kernel", [*self.kernels, "custom"])
        self.outputs = self.compute_outputs()

    @traitlets.validate("custom_kernel")
    def _valid_custom(self, proposal: Any) -> list[float]:
        w = as_float_array(proposal["value"], "custom_kernel")
        check_ndim(w, "custom_kernel", 1)
        if not 1 <= w.size <= MAX_KERNEL or not np.all(np.isfinite(w)):
            raise traitlets.TraitError(f"custom_kernel must hold 1 to {MAX_KERNEL} finite numbers, got {w.tolist()}")
        return w.tolist()

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
