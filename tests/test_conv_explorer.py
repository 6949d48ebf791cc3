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


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("signal", "square", "signal must be one of"),
        ("kernel", "box", "kernel must be one of"),
        ("position", 76, r"position must be an integer from 0 to 75"),
        ("position", -1, "position must be"),
        ("custom_kernel", [], "custom_kernel must hold 1 to 15 numbers"),
        ("custom_kernel", [1.0] * 16, "custom_kernel must hold 1 to 15 numbers"),
        ("custom_kernel", [1e308, 1e308], "between -1000 and 1000"),
        ("custom_kernel", [float("nan")], "finite"),
        ("custom_kernel", [[1.0, 2.0]], "custom_kernel"),
        ("custom_kernel", ["a"], "custom_kernel"),
        ("signals", {}, "signals must be a non-empty dict"),
        ("signals", {"noisy sine": [1.0] * 10}, r"signals\['noisy sine'\] must hold 15 to"),
        ("signals", {"other": [0.0] * 80}, "must include the selected signal"),
        ("signals", {"noisy sine": [1e7] * 80}, "between -1e\\+06 and 1e\\+06"),
        ("kernels", {"moving average": [1.0] * 16}, r"kernels\['moving average'\] must hold 1 to 15"),
        ("kernels", {"custom": [1.0]}, "not named 'custom'"),
        ("kernels", {"other": [1.0]}, "must include the selected kernel"),
    ],
)
def test_every_trait_is_validated_and_a_bad_value_changes_nothing(name, value, match):
    w = ConvExplorer(signal="noisy sine", position=30)
    before = {
        k: getattr(w, k) for k in ("signal", "kernel", "position", "custom_kernel", "signals", "kernels", "outputs")
    }
    with pytest.raises(ValueError, match=match) as info:
        setattr(w, name, value)
    assert isinstance(info.value, traitlets.TraitError)
    assert {k: getattr(w, k) for k in before} == before


def test_position_follows_a_longer_kernel_and_signal_changes_together():
    with pytest.raises(ValueError, match="from 0 to 77"):
        ConvExplorer(signal="step", kernel="custom", position=78, custom_kernel=[1.0, -1.0, 1.0])
    w = ConvExplorer(signal="step", kernel="custom", position=77, custom_kernel=[1.0, -1.0, 1.0])
    w.custom_kernel = [0.1] * 15
    assert w.position == 65  # the window stays inside the signal
    w.position = 65
    with pytest.raises(ValueError, match="position"):
        w.position = 66
    with pytest.raises(ValueError, match="position must be an integer"):
        ConvExplorer(position=1.5)
    # Several traits at once (what the page sends): validated together at the end, all or nothing.
    with pytest.raises(ValueError, match="position"), w.hold_trait_notifications():
        w.kernel = "derivative / edge"
        w.position = 79
    assert (w.kernel, w.position) == ("custom", 65)
