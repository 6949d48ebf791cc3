"""The validation helpers every public function uses: a wrong type is a TypeError, a wrong value a ValueError, and
the message names the argument."""

import numpy as np
import pytest

from dlbook._checks import check_choice, check_positive, check_probability, float_dtype, get_rng


def test_numbers_given_as_strings_or_booleans_are_type_errors():
    for bad in ("3", b"3", True):
        with pytest.raises(TypeError, match=r"^n must be a number, got "):
            check_positive(bad, "n")
    with pytest.raises(TypeError, match=r"^p must be a number in \[0, 1\), got '0.5'"):
        check_probability("0.5", "p")
    with pytest.raises(ValueError, match=r"^n must be an integer, got 2.5"):
        check_positive(2.5, "n", integer=True)
    with pytest.raises(ValueError, match=r"^n must be > 0, got 0"):
        check_positive(0, "n")


def test_choice_of_an_array_is_a_clear_error():
    with pytest.raises(ValueError, match=r"^mode must be one of 'a', 'b'; got array"):
        check_choice(np.array([1, 2]), "mode", ["a", "b"])
    check_choice("a", "mode", ["a", "b"])


def test_rng_and_dtype_rules():
    assert get_rng(None).random() != get_rng(None).random()  # fresh entropy, never seed 0 twice
    assert get_rng(5).random() == get_rng(5).random()
    with pytest.raises(ValueError, match="non-negative"):
        get_rng(-1)
    with pytest.raises(TypeError, match="^rng must be"):
        get_rng(1.5)
    assert float_dtype("float32") == np.float32
    with pytest.raises(TypeError, match="^dtype must be float32 or float64, got int64"):
        float_dtype(np.int64)
