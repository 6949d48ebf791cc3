"""dlbook.book's helpers for conclusions drawn over seeds: Runs, over_seeds (in and out of process), compare."""

import numpy as np
import pytest

from dlbook.book import Runs, compare, over_seeds


def draw(seed):
    return float(np.random.default_rng(seed).random())


def test_runs_summarise_over_the_seed_axis():
    r = Runs([[1.0, 4.0], [3.0, 8.0]], seeds=(0, 1))
    np.testing.assert_array_equal(r.mean, [2.0, 6.0])
    np.testing.assert_array_equal(r.min, [1.0, 4.0])
    np.testing.assert_allclose(r.std, [np.sqrt(2), np.sqrt(8)])
    assert f"{Runs([0.91, 0.93, 0.92], (0, 1, 2)):.2f}" == "0.92 ± 0.01 (3 seeds, 0.91 to 0.93)"
    assert Runs([5.0], (3,)).std == 0
    with pytest.raises(ValueError, match="one result per seed"):
        Runs([1.0, 2.0], seeds=(0,))


def test_over_seeds_is_the_same_in_worker_processes():
    serial = over_seeds(draw, seeds=(0, 1, 2))
    forked = over_seeds(lambda s: draw(s), seeds=(0, 1, 2), processes=2)  # a lambda: never pickled
    np.testing.assert_array_equal(serial.values, forked.values)
    assert serial.seeds == (0, 1, 2)
    with pytest.raises(ValueError, match="processes"):
        over_seeds(draw, processes=0)
    with pytest.raises(ValueError, match="seeds"):
        over_seeds(draw, seeds=())


def test_compare_needs_ranges_that_do_not_overlap():
    a, b = Runs([0.90, 0.92, 0.91], (0, 1, 2)), Runs([0.80, 0.85, 0.89], (0, 1, 2))
    assert compare(a, b) == "higher" and compare(b, a) == "lower"
    overlapping = Runs([0.80, 0.95, 0.91], (0, 1, 2))
    assert compare(overlapping, b) == "within the spread of the seeds"
    assert compare(a, b, higher="beats") == "beats"
    with pytest.raises(TypeError, match="Runs"):
        compare([0.9], b)


def test_over_seeds_runs_a_mapping_of_settings_in_one_pool():
    fns = {"a": draw, "b": lambda s: 10 + draw(s)}
    for processes in (1, 2):
        runs = over_seeds(fns, seeds=(0, 1, 2), processes=processes)
        assert list(runs) == ["a", "b"]
        np.testing.assert_array_equal(runs["a"].values, over_seeds(draw, seeds=(0, 1, 2)).values)
        np.testing.assert_array_equal(runs["b"].values, 10 + runs["a"].values)
        assert runs["b"].seeds == (0, 1, 2)
    with pytest.raises(TypeError, match=r"fn\['b'\] must be callable"):
        over_seeds({"a": draw, "b": 3}, seeds=(0, 1))
    with pytest.raises(ValueError, match="empty mapping"):
        over_seeds({}, seeds=(0, 1))


@pytest.mark.parametrize(
    ("value", "spec", "direction", "expected"),
    [
        (4.74e-4, ".1e", "up", 4.8e-4),  # 4.7e-04 would make "at most" false
        (4.74e-4, ".1e", "down", 4.7e-4),
        (9.96e-4, ".1e", "up", 1.0e-3),  # the exponent moves
        (24.36, ".1f", "down", 24.3),  # 24.4 would make "at least" false
        (24.36, ".1f", "up", 24.4),
        (0.25, ".1f", "up", 0.3),
        (3.0, ".0f", "down", 3.0),  # shown exactly: unchanged
        (-0.04, ".1f", "down", -0.1),
    ],
)
def test_rounded_keeps_a_stated_bound_true_at_the_printed_precision(value, spec, direction, expected):
    from dlbook.book import rounded

    got = rounded(value, spec, direction)
    assert got == pytest.approx(expected, rel=1e-12)
    assert format(got, spec) == format(expected, spec)
    assert (got >= value) if direction == "up" else (got <= value)
