"""The benchmarks run (tiny shapes, once) and produce the full table; nothing here is about speed.

Also checks that each PyTorch counterpart computes what the dlbook side computes, so that a ratio compares the same
work.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import registry, run  # noqa: E402
from benchmarks._harness import (  # noqa: E402
    Config,
    Result,
    Stats,
    format_markdown,
    format_terminal,
    time_pair,
    to_json,
)
from benchmarks.attention import MEMORY_T_TINY  # noqa: E402

BENCHMARKS = [
    "conv2d/lenet",
    "conv2d/vgg",
    "maxpool2d/lenet",
    "maxpool2d/vgg",
    "lstm",
    "mha/T=128",
    "mha/T=512",
    "attention-memory",
    "playground-step",
    "lenet-epoch",
    "playground-fps",
]
ROWS = [
    "conv2d/fwd/lenet",
    "conv2d/fwd+bwd/lenet",
    "conv2d/fwd/vgg",
    "conv2d/fwd+bwd/vgg",
    "maxpool2d/fwd+bwd/lenet",
    "maxpool2d/fwd+bwd/vgg",
    "lstm/fwd",
    "lstm/fwd+bwd",
    "mha/fwd+bwd/explicit/T=128",
    "mha/fwd+bwd/memory-efficient/T=128",
    "mha/fwd+bwd/explicit/T=512",
    "mha/fwd+bwd/memory-efficient/T=512",
    *(f"attention-memory/{v}/T={T}" for T in MEMORY_T_TINY for v in ("plain", "chunked")),
    "playground-step",
    "lenet-epoch",
    "playground-fps/default",
    "playground-fps/2x64",
]
# The chapter issues' targets: row -> bound on dlbook time (or memory) / PyTorch's
TARGETS = {
    "conv2d/fwd+bwd/lenet": 1.5,
    "conv2d/fwd+bwd/vgg": 2.5,
    "maxpool2d/fwd+bwd/lenet": 1.0,
    "maxpool2d/fwd+bwd/vgg": 1.0,
    "lstm/fwd+bwd": 1.6,
    "mha/fwd+bwd/explicit/T=128": 1.5,
    f"attention-memory/chunked/T={max(MEMORY_T_TINY)}": 4.0,
}

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def test_registry_lists_every_benchmark_of_the_issue():
    assert list(registry()) == BENCHMARKS


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, out


def test_cli_prints_and_writes_the_whole_table(tiny_run):
    stdout, out = tiny_run
    data = json.loads((out / "benchmarks-tiny.json").read_text())
    rows = data["results"]
    assert [r["name"] for r in rows] == ROWS
    assert data["matmul"]["numpy_gflops"] > 0
    markdown = (out / "benchmarks-tiny.md").read_text()
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(ROWS)  # header + one line per row
    for r in rows:
        assert r["operation"] in stdout
        assert r["dlbook"]["n"] >= 1
        assert math.isfinite(r["dlbook"]["median"]) and r["dlbook"]["median"] >= 0
        assert r["dlbook"]["min"] <= r["dlbook"]["median"] <= r["dlbook"]["max"]
        if r["unit"] == "s":
            assert r["dlbook"]["median"] > 0
        if torch is not None and r["torch_label"]:  # the playground's frame rate has no PyTorch side
            assert r["torch"] is not None, r["name"]
    assert {r["name"]: r["target"] for r in rows if r["target"] is not None} == TARGETS
    for r in rows:
        if r["ratio"] is not None and r["target"] is not None:
            assert r["met"] == (r["ratio"] <= r["target"])
    assert "targets met:" in stdout


def test_only_filters_and_rejects_unknown_names():
    res = run(tiny=True, only=["lstm"], use_torch=False)
    assert [r.name for r in res["results"]] == ["lstm/fwd", "lstm/fwd+bwd"]
    assert all(r.torch is None and r.ratio is None and r.met is None for r in res["results"])
    with pytest.raises(ValueError, match="matches no benchmark"):
        run(tiny=True, only=["no-such-benchmark"])


def test_cli_rejects_unknown_only(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--only", "nope", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "matches no benchmark" in proc.stderr


def test_time_pair_warms_up_then_interleaves_repeats():
    calls = []
    cfg = Config(repeats=5, warmup=2, min_time=0.0)
    dl, tt = time_pair(cfg, lambda: calls.append("dl"), lambda: calls.append("th"))
    assert calls == ["dl", "th"] * 2 + ["dl", "th"] * 5  # warm-up, then alternating timed calls
    assert dl.n == tt.n == 5 and 0 <= dl.min <= dl.median <= dl.max


def test_result_derived_columns():
    r = Result(
        "x", "op", "(2,)", "float32", "s", Stats(2.0, 1.0, 3.0, 5), Stats(1.0, 1.0, 1.0, 5), flop=8e9, target=1.5
    )
    r.finish(matmul_gflops=16.0)
    assert r.ratio == pytest.approx(2.0) and r.met is False
    assert r.gflops == pytest.approx(4.0) and r.share_of_matmul == pytest.approx(0.25)
    ok = Result("y", "op", "(2,)", "float32", "MiB", Stats(3.0, 3.0, 3.0, 1), Stats(1.0, 1.0, 1.0, 1), target=4.0)
    ok.finish(16.0)
    assert ok.met is True and ok.gflops is None
    info = {
        "cpu": "cpu",
        "cores": 2,
        "date": "now",
        "tiny": False,
        "numpy": "2",
        "blas": [],
        "openblas_env": {"OPENBLAS_CORETYPE": "x"},
        "torch": None,
        "torch_threads": None,
    }
    rate = {"n": 8, "numpy_gflops": 16.0, "numpy_gflops_best": 17.0, "torch_gflops": None}
    text = format_terminal([r, ok], info, rate)
    assert "NOT MET" in text and "<= 4x met" in text and "2.00x" in text and "OPENBLAS_CORETYPE=x" in text
    assert "targets met: 1 of 2" in text and "NOT MET: op, (2,): 2.00x PyTorch, target <= 1.5x" in text
    assert format_markdown([r, ok], info, rate).count("\n| ") == 3
    assert [row["name"] for row in json.loads(to_json([r, ok], info, rate))["results"]] == ["x", "y"]


# ----------------------------------------------------------------------------------------------------------------
# The PyTorch side of each comparison computes the same thing as the dlbook side
# ----------------------------------------------------------------------------------------------------------------
def test_torch_lenet_is_the_same_network():
    torch = pytest.importorskip("torch")
    from benchmarks.training import forward_flop, to_torch
    from dlbook.architectures import lenet5

    model = lenet5(rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((3, 1, 32, 32))
    net = to_torch(model, torch)
    np.testing.assert_allclose(net(torch.from_numpy(x)).detach().numpy(), model.forward(x), rtol=1e-10, atol=1e-12)
    # conv1 6x28x28 outputs of 25 MACs, conv2 16x10x10 of 150, then 400*120 + 120*84 + 84*10, two flops per MAC
    expected = 2 * (6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10)
    assert forward_flop(model, x[:1]) == expected


def test_torch_mha_matches_dlbook():
    torch = pytest.importorskip("torch")
    from benchmarks.attention import torch_mha
    from dlbook.attention import MultiHeadAttention

    layer = MultiHeadAttention(8, 2, rng=0)
    x = np.random.default_rng(1).standard_normal((2, 5, 8))
    params = [torch.from_numpy(layer.params[k]) for k in ("W_qkv", "b_qkv", "W_o", "b_o")]
    for sdpa in (False, True):
        y = torch_mha(torch, torch.from_numpy(x), *params, heads=2, sdpa=sdpa)
        np.testing.assert_allclose(y.numpy(), layer.forward(x), rtol=1e-10, atol=1e-12)


def test_threads_limit_applies_during_the_run_only():
    before = None if torch is None else torch.get_num_threads()
    res = run(tiny=True, only=["lstm"], threads=1)
    assert all(b["num_threads"] == 1 for b in res["info"]["blas"])
    if torch is not None:
        assert res["info"]["torch_threads"] == 1
        assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads"):
        run(tiny=True, only=["lstm"], threads=0)


def test_torch_lstm_with_copied_weights_matches_dlbook():
    torch = pytest.importorskip("torch")
    from benchmarks.rnn import torch_lstm_like
    from dlbook.rnn import LSTM

    layer = LSTM(3, 4, rng=0)
    x = np.random.default_rng(2).standard_normal((2, 5, 3))
    net = torch_lstm_like(layer, torch)
    np.testing.assert_allclose(net(torch.from_numpy(x))[0].detach().numpy(), layer.forward(x), rtol=1e-10, atol=1e-12)


def test_playground_fps_rows_count_frames_steps_and_heatmaps(tiny_run):
    """The frame-rate rows (a standalone page in the tiny run) hold what the note states: frames per second from the
    requestAnimationFrame counts, at least one training step and one complete heatmap per frame, the target."""
    _, out = tiny_run
    rows = {r["name"]: r for r in json.loads((out / "benchmarks-tiny.json").read_text())["results"]}
    for name, target, sizes in (("default", 30, "[2, 16, 2]"), ("2x64", 20, "[2, 64, 64, 2]")):
        r = rows[f"playground-fps/{name}"]
        extra = r["extra"]
        windows = extra["windows"]
        frames = sum(w["frames"] for w in windows)
        assert frames > 0 and all(w["running"] == "true" and w["diverged"] == "false" for w in windows)
        assert extra["fps"] == pytest.approx(frames / sum(w["seconds"] for w in windows))
        assert extra["steps_per_frame"] >= 1 and extra["heatmaps_per_frame"] >= 1  # the speed control's 1 per frame
        assert extra["target_fps"] == target and extra["met"] == (extra["fps"] >= target)
        assert r["shape"] == f"1000 points, MLP {sizes}" and f"{extra['fps']:.1f} frames per second" in r["note"]
        assert r["torch"] is None and r["unit"] == "s"
