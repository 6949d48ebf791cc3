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
    with pytest.raises(ValueError, match=r"^shape must have at least 2 dimensions \(out, in, ...\), got \(5,\)"):
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
    with pytest.raises(ValueError, match=r"\binit scheme must be one of .*'orthogonal'"):
        init.initialize("orthogonal", (3, 3))


def test_explicit_normal_and_uniform_consume_the_rng_like_plain_numpy():
    np.testing.assert_array_equal(
        init.initialize("normal", (7, 5), rng=3, std=0.02), np.random.default_rng(3).standard_normal((7, 5)) * 0.02
    )
    np.testing.assert_array_equal(
        init.initialize("uniform", (12,), rng=4, bound=0.25), np.random.default_rng(4).uniform(-0.25, 0.25, 12)
    )
    f32 = init.initialize("normal", (3, 2), rng=3, dtype=np.float32, std=1.0)
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32, np.random.default_rng(3).standard_normal((3, 2)).astype(np.float32))
    # one generator shared by successive draws continues its stream
    rng = np.random.default_rng(5)
    a, b = init.uniform((2, 2), 1.0, rng), init.uniform((2,), 1.0, rng)
    ref = np.random.default_rng(5)
    np.testing.assert_array_equal(a, ref.uniform(-1, 1, (2, 2)))
    np.testing.assert_array_equal(b, ref.uniform(-1, 1, 2))
    assert np.abs(init.uniform((1000,), 0.1, 0)).max() <= 0.1


def test_rng_none_draws_fresh_weights():
    assert not np.array_equal(init.initialize("he", (8, 8)), init.initialize("he", (8, 8)))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, bool, np.complex128, "float16"])
def test_non_float_dtype_raises_type_error_naming_dtype(dtype):
    with pytest.raises(TypeError, match=r"\bdtype\b"):
        init.initialize("he", (3, 3), rng=0, dtype=dtype)
    with pytest.raises(TypeError, match=r"\bdtype\b"):
        init.normal((3,), 1.0, rng=0, dtype=dtype)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"scheme": "normal", "shape": (3, 3)}, "std"),
        ({"scheme": "uniform", "shape": (3, 3)}, "bound"),
        ({"scheme": "normal", "shape": (3, 3), "std": -1.0}, "std"),
        ({"scheme": "normal", "shape": (3, 3), "std": float("nan")}, "std"),
        ({"scheme": "uniform", "shape": (3, 3), "bound": 0.0}, "bound"),
        ({"scheme": "he", "shape": (3, 3), "std": 0.1}, "std"),
        ({"scheme": "he", "shape": (3,)}, "shape"),
        ({"scheme": "he", "shape": (3, 0)}, "shape"),
        ({"scheme": "normal", "shape": (2, -1), "std": 1.0}, "shape"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, word):
    with pytest.raises(ValueError, match=rf"\b{word}\b"):
        init.initialize(rng=0, **kwargs)


def test_scheme_must_be_a_string():
    with pytest.raises(TypeError, match=r"^init scheme must be a name"):
        init.initialize(np.array(["he"]), (3, 3))
    with pytest.raises(TypeError, match=r"^scheme must be a name"):
        init.std_for(None, (3, 3))
