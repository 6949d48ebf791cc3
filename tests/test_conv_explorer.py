"""ConvExplorer (Python side): every output is dlbook.conv.conv1d, equal to numpy.correlate; edits recompute."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from dlbook.widgets import ConvExplorer
from dlbook.widgets._base import PALETTE
from dlbook.widgets.conv_explorer import default_kernels, default_signals


def test_outputs_equal_numpy_correlate_for_every_pair():
    w = ConvExplorer()
    kernels = {**w.kernels, "custom": w.custom_kernel}
    assert set(w.signals) == {"step", "noisy sine", "spikes"}
    assert set(w.kernels) == {"moving average", "derivative / edge", "gaussian"}
    assert len(w.outputs) == len(kernels) * len(w.signals)
    for k, kern in kernels.items():
        for s, sig in w.signals.items():
            np.testing.assert_allclose(w.outputs[f"{k}|{s}"], np.correlate(sig, kern, "valid"), atol=1e-12)


def test_editing_the_custom_kernel_recomputes():
    w = ConvExplorer(kernel="custom", signal="spikes")
    w.custom_kernel = [0.5, 2.0]
    np.testing.assert_allclose(w.current_output(), np.correlate(w.signals["spikes"], [0.5, 2.0], "valid"))
    with pytest.raises(traitlets.TraitError, match="custom_kernel"):
        w.custom_kernel = []
    with pytest.raises(traitlets.TraitError, match="custom_kernel"):
        w.custom_kernel = [1.0] * 16


def test_colours_and_presets():
    w = ConvExplorer()
    assert w.colors == {"input": PALETTE["input"], "kernel": PALETTE["kernel"], "output": PALETTE["output"]}
    assert np.isclose(sum(default_kernels()["gaussian"]), 1.0, atol=1e-3)
    assert all(len(v) == 80 for v in default_signals().values())
    assert default_signals(rng=1)["noisy sine"] != default_signals(rng=2)["noisy sine"]
    with pytest.raises(ValueError, match="n must"):
        default_signals(10)
    with pytest.raises(ValueError, match="signal"):
        ConvExplorer(signal="square")
    assert "export default" in str(w._esm) and "correlateValid" in str(w._esm)
