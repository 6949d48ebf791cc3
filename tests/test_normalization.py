"""BatchNorm and LayerNorm: gradient checks, modes, running statistics, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.gradcheck import check_module, numerical_gradient, relative_error
from dlbook.normalization import (
    BatchNorm,
    LayerNorm,
    batchnorm_backward,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
)


def _max_error(module, x, seed=0):
    """Gradient check of every input and parameter, with the error scaled by the gradient's largest entry.

    The normalizing layers' input gradients sum to zero over each group, so some entries are near zero by
    cancellation; an entrywise relative error would then divide round-off by round-off. Here the worst absolute
    difference is divided by the largest magnitude of that gradient (a wrong formula still gives an error near 1).
    """
    rng = np.random.default_rng(seed)
    x = np.array(x, dtype=np.float64)
    r = rng.standard_normal(module.forward(x).shape)

    def loss():
        return float(np.sum(r * module.forward(x)))

    module.forward(x)
    analytic = {"x": module.backward(r)}
    analytic.update({name: owner.grads[key].copy() for name, owner, key in module.named_parameters()})
    arrays = {"x": x, **{name: owner.params[key] for name, owner, key in module.named_parameters()}}
    errors = {}
    for name, arr in arrays.items():
        num = numerical_gradient(loss, arr)
        errors[name] = float(np.max(np.abs(analytic[name] - num)) / max(np.max(np.abs(num)), 1e-12))
    return errors


def _randomize(module, rng):
    for _, owner, key in module.named_parameters():
        owner.params[key][...] = rng.standard_normal(owner.params[key].shape)
    return module


@settings(max_examples=15, deadline=None)
@given(n=st.integers(3, 6), shape=st.sampled_from([(3,), (2, 5), (3, 2, 3)]), seed=st.integers(0, 1000))
def test_batchnorm_training_gradcheck(n, shape, seed):
    rng = np.random.default_rng(seed)
    bn = _randomize(BatchNorm(shape[0]), rng)
    x = rng.standard_normal((n, *shape)) * 2 + 1
    errors = _max_error(bn, x, seed)
    assert max(errors.values()) < 1e-7, errors


def test_batchnorm_eval_gradcheck():
    rng = np.random.default_rng(0)
    bn = _randomize(BatchNorm(4), rng)
    bn.forward(rng.standard_normal((10, 4)))
    bn.eval()
    errors = check_module(bn, rng.standard_normal((3, 4)))
    assert max(errors.values()) < 1e-7, errors


@settings(max_examples=15, deadline=None)
@given(lead=st.sampled_from([(1,), (4,), (2, 3)]), d=st.integers(3, 6), seed=st.integers(0, 1000))
def test_layernorm_gradcheck(lead, d, seed):
    rng = np.random.default_rng(seed)
    ln = _randomize(LayerNorm(d), rng)
    errors = _max_error(ln, rng.standard_normal((*lead, d)) * 3 - 1, seed)
    assert max(errors.values()) < 1e-7, errors


def test_layernorm_functional_pair_gradcheck():
    rng = np.random.default_rng(1)
    x, gamma, beta = rng.standard_normal((2, 3, 5)), rng.standard_normal(5), rng.standard_normal(5)
    r = rng.standard_normal(x.shape)
    out, cache = layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = layernorm_backward(r, cache)
    for arr, analytic in ((x, dx), (gamma, dgamma), (beta, dbeta)):
        num = numerical_gradient(lambda: np.sum(r * layernorm_forward(x, gamma, beta)[0]), arr)
        assert relative_error(analytic, num) < 1e-7


def test_batchnorm_normalizes_per_feature_and_per_channel():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)) * [1.0, 5.0, 0.1] + [2.0, -3.0, 10.0]
    out = BatchNorm(3).forward(x)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)
    x4 = rng.standard_normal((8, 2, 5, 5)) * np.array([3.0, 0.5])[:, None, None] + 4
    out4 = BatchNorm(2).forward(x4)
    np.testing.assert_allclose(out4.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out4.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_batchnorm_running_stats_and_eval_mode():
    rng = np.random.default_rng(0)
    bn = BatchNorm(2, momentum=0.5)
    x = rng.standard_normal((10, 2)) * 3 + 5
    bn.forward(x)
    np.testing.assert_allclose(bn.running_mean, 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.5 + 0.5 * x.var(axis=0, ddof=1))
    for _ in range(60):
        bn.forward(x)
    np.testing.assert_allclose(bn.running_mean, x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, x.var(axis=0, ddof=1))
    bn.eval()
    mean_before = bn.running_mean.copy()
    one = x[:1]
    expected = (one - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)
    np.testing.assert_allclose(bn.forward(one), expected)
    np.testing.assert_array_equal(bn.running_mean, mean_before)  # eval does not update
    # a prediction no longer depends on the rest of the batch
    np.testing.assert_allclose(bn.forward(x)[:1], bn.forward(one))


def test_batchnorm_is_not_trained_on_running_stats():
    bn = BatchNorm(3)
    names = [name for name, _, _ in bn.named_parameters()]
    assert names == ["gamma", "beta"]
    assert set(bn.buffers) == {"running_mean", "running_var"}


def test_dtype_preserved():
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    for module in (BatchNorm(3, dtype=np.float32), LayerNorm(3, dtype=np.float32)):
        out = module.forward(x)
        assert out.dtype == np.float32
        assert module.backward(np.ones_like(out)).dtype == np.float32


def test_layernorm_normalizes_each_row():
    x = np.random.default_rng(0).standard_normal((5, 7)) * 4 + 2
    out = LayerNorm(7).forward(x)
    np.testing.assert_allclose(out.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=-1), 1, atol=1e-4)
    # each row independent of the others, and the same in eval mode
    ln = LayerNorm(7)
    np.testing.assert_allclose(ln.forward(x[:1]), ln.eval().forward(x)[:1])


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: BatchNorm(3).forward(np.ones((4, 2))), r"^x must have 3 features on axis 1, got shape \(4, 2\)"),
        (lambda: BatchNorm(3).forward(np.ones(3)), r"^x must be a 2-D or 3-D or 4-D array"),
        (lambda: BatchNorm(3).forward(np.ones((1, 3))), r"^x must hold more than one value per feature"),
        (lambda: BatchNorm(3).forward(np.ones((0, 3))), r"^x must not be empty"),
        (lambda: BatchNorm(3).forward(np.array([[1.0, np.nan, 0], [0, 0, 0]])), r"^x contains 1 NaN"),
        (lambda: BatchNorm(0), r"^num_features must be > 0"),
        (lambda: BatchNorm(3, momentum=1.5), r"^momentum must be in"),
        (lambda: BatchNorm(3, eps=0.0), r"^eps must be > 0"),
        (lambda: LayerNorm(3).forward(np.ones((2, 4))), r"^x must have shape \(\.\.\., 3\), got \(2, 4\)"),
        (lambda: LayerNorm(3).forward(np.array([[np.inf, 0.0, 0.0]])), r"^x contains 1 NaN or infinite"),
        (lambda: LayerNorm(2.5), r"^dim must be an integer"),
        (lambda: batchnorm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3)), r"^gamma must have shape \(3,\)"),
        (lambda: batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), mean=np.zeros(3)), r"^var must be given"),
        (lambda: layernorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(4)), r"^beta must have shape \(3,\)"),
        (
            lambda: batchnorm_backward(np.ones((2, 3)), batchnorm_forward(np.eye(3), np.ones(3), np.zeros(3))[1]),
            r"^dout must have shape \(3, 3\)",
        ),
    ],
)
def test_bad_input_raises(call, word):
    with pytest.raises(ValueError, match=word):
        call()


@pytest.mark.parametrize("module", [BatchNorm(2), LayerNorm(2)])
def test_backward_before_forward_and_wrong_dout(module):
    with pytest.raises(RuntimeError, match=rf"^{type(module).__name__}.backward called before forward"):
        module.backward(np.ones((2, 2)))
    module.forward(np.array([[1.0, 2.0], [3.0, 5.0]]))
    with pytest.raises(ValueError, match=r"^dout must have the shape .*\(2, 2\), got \(2, 1\)"):
        module.backward(np.ones((2, 1)))  # would broadcast


def test_non_finite_batch_leaves_the_running_statistics_untouched():
    """One NaN batch must not poison the running statistics (evaluation would return NaN on clean data ever after)."""
    bn = BatchNorm(2)
    x = np.random.default_rng(0).standard_normal((8, 2))
    bn.forward(x)
    before = {k: v.copy() for k, v in bn.buffers.items()}
    for bad in (np.nan, np.inf, -np.inf):
        poisoned = x.copy()
        poisoned[3, 1] = bad
        with pytest.raises(ValueError, match=r"^x contains"):
            bn.forward(poisoned)
        for k in before:
            np.testing.assert_array_equal(bn.buffers[k], before[k])
    expected = (x - before["running_mean"]) / np.sqrt(before["running_var"] + bn.eps)  # gamma 1, beta 0
    np.testing.assert_allclose(bn.eval().forward(x), expected, rtol=1e-12)
    bn.train()
    assert bn.backward(np.ones((8, 2))).shape == (8, 2)  # the cache of the last good pass is kept


def test_state_dict_holds_the_running_statistics():
    bn = BatchNorm(3)
    bn.forward(np.random.default_rng(0).standard_normal((10, 3)) * 3 + 1)
    state = bn.state_dict()
    assert set(state) == {"gamma", "beta", "running_mean", "running_var"}
    fresh = BatchNorm(3)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.running_mean, bn.running_mean)
    np.testing.assert_array_equal(fresh.running_var, bn.running_var)
    x = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_array_equal(fresh.eval().forward(x), bn.eval().forward(x))


def test_dtype_rule_parameters_decide():
    x64 = np.random.default_rng(0).standard_normal((4, 3))
    for module in (BatchNorm(3, dtype=np.float32), LayerNorm(3, dtype=np.float32)):
        for x in (x64, x64.astype(np.float32), (x64 > 0).astype(np.int64)):
            out = module.forward(x)
            assert out.dtype == np.float32
            assert module.backward(np.ones((4, 3))).dtype == np.float32
            assert {g.dtype for g in module.grads.values()} == {np.dtype(np.float32)}
    for module in (BatchNorm(3), LayerNorm(3)):
        assert module.forward(x64.astype(np.float32)).dtype == np.float64
    for cls in (BatchNorm, LayerNorm):
        with pytest.raises(TypeError, match=r"\bdtype\b"):
            cls(3, dtype=np.int32)


def test_backward_functions_reject_a_foreign_cache():
    for backward, producer in ((batchnorm_backward, "batchnorm_forward"), (layernorm_backward, "layernorm_forward")):
        with pytest.raises(TypeError, match=rf"^cache must be the cache returned by {producer}, got NoneType"):
            backward(np.ones((2, 3)), None)
