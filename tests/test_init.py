"""Weight initialization: variances of each scheme, fans, determinism, validation."""

import numpy as np
import pytest

from dlbook import init


@pytest.mark.parametrize(
    ("name", "var"),
    [
        ("he_normal", lambda i, o: 2 / i),
        ("he_uniform", lambda i, o: 2 / i),
        ("xavier_normal", lambda i, o: 2 / (i + o)),
        ("xavier_uniform", lambda i, o: 2 / (i + o)),
        ("lecun_normal", lambda i, o: 1 / i),
        ("lecun_uniform", lambda i, o: 1 / i),
    ],
)
def test_variance_matches_the_scheme(name, var):
    fan_out, fan_in = 300, 200
    W = init.initialize(name, (fan_out, fan_in), rng=0)
    assert W.shape == (fan_out, fan_in) and W.dtype == np.float64
    assert W.var() == pytest.approx(var(fan_in, fan_out), rel=0.03)
    assert abs(W.mean()) < 0.01
    if name.endswith("uniform"):
        a = np.sqrt(3 * var(fan_in, fan_out))
        assert np.abs(W).max() <= a


def test_fans_and_std():
    assert init.fans((10, 4)) == (4, 10)
    assert init.fans((8, 3, 5, 5)) == (75, 200)
    assert init.std_for("he", (10, 8)) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="shape"):
        init.fans((5,))


def test_rng_determinism_and_dtype():
    a = init.initialize("xavier", (4, 5), rng=1)
    np.testing.assert_array_equal(a, init.initialize("xavier", (4, 5), rng=1))
    assert not np.array_equal(a, init.initialize("xavier", (4, 5), rng=2))
    assert init.initialize("he", (3, 3), rng=0, dtype=np.float32).dtype == np.float32


def test_he_keeps_relu_signal_scale_through_depth():
    rng = np.random.default_rng(0)
    h = rng.standard_normal((2000, 256))
    for _ in range(20):
        h = np.maximum(h @ init.initialize("he", (256, 256), rng).T, 0)
    assert 0.5 < np.mean(h**2) < 2.0  # neither exploded nor vanished after 20 ReLU layers


def test_unknown_scheme():
    with pytest.raises(ValueError, match="init must be one of"):
        init.initialize("orthogonal", (3, 3))
