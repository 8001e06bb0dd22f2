"""The regression losses' values: closed forms, scikit-learn's reported losses, edge cases.

Their deltas are checked against finite differences in ``test_activations.py``,
and through whole networks in ``test_gradients.py``.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.neural_network._base import poisson_loss, squared_loss

from skvanilla._activations import OUTPUT_ACTIVATIONS
from skvanilla._losses import (
    _xlogy_dtype,
    binary_log_loss,
    canonical_delta,
    categorical_log_loss,
    half_poisson_deviance,
    log_loss_delta,
    make_loss,
    squared_error,
)


def _regression_data(seed, n_outputs, loss):
    rng = np.random.RandomState(seed)
    Z = rng.uniform(-3, 3, (30, n_outputs))
    if loss == "poisson":
        # Counts with zeros, rescaled to non-integers.
        Y = rng.poisson(rng.uniform(0.5, 4), (30, n_outputs)) * rng.uniform(0.5, 1.5)
        P = np.exp(Z)
    else:
        Y = rng.normal(0, 5, (30, n_outputs))
        P = Z
    return Y, Z, P, rng.uniform(0.1, 3.0, 30)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
@given(seed=st.integers(0, 2**31 - 1))
def test_squared_error_is_scikit_learns_times_the_outputs_bit_for_bit(n_outputs, weighted, seed):
    """scikit-learn reports the mean over the outputs, this package their sum (its objective)."""
    Y, Z, P, sample_weight = _regression_data(seed, n_outputs, "squared_error")
    sw = sample_weight if weighted else None
    mean = squared_error(Y, Z, P, sw)
    per_sample = 0.5 * np.sum((P - Y) ** 2, axis=1)
    weights = sample_weight if weighted else np.ones(30)
    np.testing.assert_allclose(mean, per_sample @ weights / weights.sum(),
                               rtol=10 * np.finfo(float).eps)
    # Halving is exact, so (0.5 s) / k is 0.5 (s / k): the same bits.
    assert mean / n_outputs == squared_loss(Y, P, sw)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
@given(seed=st.integers(0, 2**31 - 1))
def test_poisson_is_scikit_learns_bit_for_bit(n_outputs, weighted, seed):
    Y, Z, P, sample_weight = _regression_data(seed, n_outputs, "poisson")
    sw = sample_weight if weighted else None
    assert half_poisson_deviance(Y, Z, P, sw) == poisson_loss(Y, P, sw)


def test_poisson_closed_form():
    # y log(y / p) - y + p, one term per entry.
    Y = np.array([[0.0, 1.0, 4.0], [2.5, 0.0, 7.0]])
    Z = np.array([[0.3, -1.0, 2.0], [0.0, -5.0, np.log(7.0)]])
    P = np.exp(Z)
    expected = np.array(
        [[P[0, 0], 1 * (0 + 1.0) - 1 + P[0, 1], 4 * (np.log(4.0) - 2.0) - 4 + P[0, 2]],
         [2.5 * np.log(2.5) - 2.5 + 1.0, P[1, 1], 0.0]]
    )
    np.testing.assert_allclose(half_poisson_deviance(Y, Z, P), expected.sum() / 2, rtol=1e-15)
    sw = np.array([0.5, 2.0])
    np.testing.assert_allclose(
        half_poisson_deviance(Y, Z, P, sw), expected.sum(axis=1) @ sw / sw.sum(), rtol=1e-15
    )


def test_poisson_is_zero_at_a_perfect_fit():
    Y = np.array([[0.5, 1.0, 3.0, 1e-300]])
    assert half_poisson_deviance(Y, np.log(Y), Y) == 0.0


def test_poisson_at_zero_targets_is_the_prediction_without_a_warning():
    """``0 log 0 = 0``: no log(0), no warning."""
    Y = np.zeros((2, 3))
    Z = np.array([[-2.0, 0.0, 3.0], [-700.0, 1.0, 0.5]])
    P = np.exp(Z)
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert half_poisson_deviance(Y, Z, P) == pytest.approx(P.sum() / 2, rel=1e-15)


def test_poisson_where_exp_underflows_or_overflows_is_scikit_learns():
    """inf where p is 0 for a positive target, NaN for a zero one or where p is inf.

    Not the exact loss (log p is z), but scikit-learn's values: L-BFGS's
    line searches meet such points, and take another path where the value
    differs.
    """
    Y = np.array([[2.0, 5.0], [0.0, 1.0], [3.0, 1.0]])
    Z = np.array([[-800.0, -1000.0], [-800.0, 0.0], [800.0, 0.0]])
    with np.errstate(all="ignore"):
        P = np.exp(Z)
        for rows in [[0], [1], [2], [0, 1, 2]]:
            ours = half_poisson_deviance(Y[rows], Z[rows], P[rows])
            theirs = poisson_loss(Y[rows], P[rows])
            np.testing.assert_array_equal(ours, theirs)
        assert half_poisson_deviance(Y[:1], Z[:1], P[:1]) == np.inf


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize(
    "y_dtype, z_dtype, expected",
    [
        (np.float64, np.float64, np.float64),
        (np.float32, np.float32, np.float32),
        (np.uint8, np.float32, np.float32),
        (np.int64, np.float64, np.float64),
        (np.longdouble, np.longdouble, np.longdouble),
    ],
)
def test_totals_keep_the_dtype_and_accept_integer_counts(loss, y_dtype, z_dtype, expected):
    """Integer targets are counts, not one-hot: their value is what counts, in full precision."""
    rng = np.random.RandomState(0)
    counts = rng.randint(0, 200, (6, 2))
    Z = rng.uniform(-2, 5, (6, 2))
    out = OUTPUT_ACTIVATIONS["exp" if loss == "poisson" else "identity"]
    fn = make_loss(loss, "exp" if loss == "poisson" else "identity")
    total = fn.mean(counts.astype(y_dtype), Z.astype(z_dtype), out.f(Z.astype(z_dtype)))
    reference = fn.mean(counts.astype(float), Z, out.f(Z))
    assert total.dtype == expected
    eps = max(np.finfo(expected).eps, np.finfo(np.float64).eps)  # the reference's
    np.testing.assert_allclose(float(total), reference, rtol=10 * eps)


@pytest.mark.parametrize("loss, out_name", [("squared_error", "identity"), ("poisson", "exp")])
def test_regression_deltas_are_p_minus_y_into_out(loss, out_name):
    rng = np.random.RandomState(1)
    Z = rng.uniform(-2, 2, (4, 3))
    Y = rng.uniform(0, 3, (4, 3))
    P = OUTPUT_ACTIVATIONS[out_name].f(Z)
    delta = make_loss(loss, out_name).delta
    buffer = np.empty_like(Z)
    assert delta(Y, Z, P, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, P - Y)
    np.testing.assert_array_equal(delta(Y, Z, P), P - Y)


def test_make_loss_pairs():
    assert make_loss("log_loss", "softmax") == (
        categorical_log_loss, log_loss_delta, _xlogy_dtype)
    assert make_loss("log_loss", "logistic") == (binary_log_loss, log_loss_delta, _xlogy_dtype)
    assert make_loss("squared_error", "identity") == (
        squared_error, canonical_delta, np.result_type)
    assert make_loss("poisson", "exp") == (half_poisson_deviance, canonical_delta, np.result_type)
    for out_name in ["softmax", "logistic", "exp"]:  # chained through the output
        assert make_loss("squared_error", out_name).delta.keywords == {
            "backprop": OUTPUT_ACTIVATIONS[out_name].backprop
        }


@pytest.mark.parametrize(
    "loss, out_name",
    [("log_loss", "identity"), ("log_loss", "exp"), ("poisson", "identity"),
     ("poisson", "softmax"), ("squared_error", "relu"), ("absolute_error", "identity")],
)
def test_make_loss_rejects_other_pairs(loss, out_name):
    with pytest.raises(ValueError, match="No loss"):
        make_loss(loss, out_name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "out_name, loss_name",
    [("softmax", "log_loss"), ("logistic", "log_loss"), ("softmax", "squared_error"),
     ("logistic", "squared_error"), ("identity", "squared_error"), ("exp", "poisson")],
)
def test_a_mean_into_a_buffer_of_its_dtype_is_the_mean_of_fresh_arrays(out_name, loss_name, dtype):
    """The training loop's buffer for a loss's values (``Loss.dtype``) changes no value.

    0/1 targets as the classifier holds them (uint8): scipy's xlogy computes
    them in float64, numpy's squared error in the probabilities' dtype.
    """
    rng = np.random.RandomState(0)
    Z = rng.standard_normal((30, 3)).astype(dtype)
    P = OUTPUT_ACTIVATIONS[out_name].f(Z)
    if out_name in ("softmax", "logistic"):
        Y = (rng.uniform(size=(30, 3)) < 0.4).astype(np.uint8)
    else:
        Y = np.abs(rng.standard_normal((30, 3))).astype(dtype)
    loss = make_loss(loss_name, out_name)
    for sw in (None, rng.uniform(0.1, 2.0, 30).astype(dtype)):
        buffer = np.empty(P.shape, loss.dtype(Y.dtype, P.dtype))
        buffered = loss.mean(Y, Z, P, sw, out=buffer)
        fresh = loss.mean(Y, Z, P, sw)
        assert buffered == fresh and buffered.dtype == fresh.dtype
