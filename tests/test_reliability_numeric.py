"""Numeric extremes: huge inputs, saturated outputs, diverging learning rates.

Everything here runs with numpy's ``RuntimeWarning`` (overflow, invalid
value, division by zero) turned into an error: an extreme input may be
rejected with a clear message, but must never leak a warning or leave a
non-finite number in a model or its outputs.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier

SOLVERS = ["adam", "sgd", "lbfgs"]


@pytest.fixture(autouse=True)
def strict_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _assert_finite(clf):
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)


def _assert_finite_outputs(clf, X):
    P = clf.predict_proba(X)
    log_p = clf.predict_log_proba(X)
    assert np.isfinite(P).all() and np.isfinite(log_p).all()
    assert ((P > 0) & (P < 1)).all() and (log_p < 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-5)
    return P, log_p


@pytest.mark.parametrize("data", ["cancer", "iris"])
@pytest.mark.parametrize(
    "dtype, scale", [(np.float32, 1e6), (np.float64, 1e300)], ids=["float32-1e6", "float64-1e300"]
)
def test_predicting_on_huge_inputs_gives_finite_saturated_outputs(data, dtype, scale, request):
    X, y = request.getfixturevalue(data)
    clf = VanillaMLPClassifier((8,), solver="lbfgs", max_iter=200, random_state=0)
    clf.fit(X.astype(dtype), y)
    far = X.astype(dtype) * dtype(scale)
    P, log_p = _assert_finite_outputs(clf, far)
    # Saturated: the winner's probability rounds to 1 and its log to 0 for
    # most rows, yet every log-probability stays finite where P underflowed.
    assert (P.max(axis=1) > 1 - 1e-3).mean() > 0.9
    assert log_p.min() < -20
    assert P.dtype == dtype and log_p.dtype == dtype
    # The ranking of classes is the one the logits give.
    np.testing.assert_array_equal(np.argmax(log_p, axis=1), np.argmax(P, axis=1))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "dtype, scale", [(np.float32, 1e6), (np.float64, 1e300)], ids=["float32-1e6", "float64-1e300"]
)
def test_fitting_on_huge_inputs_fits_finitely_or_says_scale(solver, dtype, scale, cancer):
    X, y = cancer
    clf = VanillaMLPClassifier((8,), solver=solver, max_iter=20, random_state=0)
    try:
        clf.fit(X.astype(dtype) * dtype(scale), y)
    except ValueError as exc:
        assert "cale" in str(exc) or "diverged" in str(exc), exc
        if hasattr(clf, "coefs_"):
            _assert_finite(clf)
        return
    _assert_finite(clf)
    assert np.isfinite(clf.loss_)
    _assert_finite_outputs(clf, X.astype(dtype) * dtype(scale))


@pytest.mark.parametrize(
    "out_activation, loss",
    [("softmax", "log_loss"), ("logistic", "log_loss"), ("logistic", "squared_error")],
)
def test_saturated_outputs_keep_log_proba_finite(iris, out_activation, loss):
    X, y = iris
    clf = VanillaMLPClassifier(
        (8,), solver="lbfgs", out_activation=out_activation, loss=loss, random_state=0
    ).fit(X, y)
    for scale in [1e2, 1e4, 1e8, 1e150]:
        P, log_p = _assert_finite_outputs(clf, X * scale)
        # Where P is not clipped, log P is its log: the two agree.
        ok = (P > 1e-300) & (P < 0.5)
        np.testing.assert_allclose(log_p[ok], np.log(P[ok]), rtol=1e-6)


# Adam's step is bounded by its learning rate, so only an absurd rate makes
# it overflow; plain SGD's step grows with the gradient.
@pytest.mark.parametrize(
    "solver, learning_rate_init", [("sgd", 1e4), ("sgd", 1e8), ("sgd", 1e300), ("adam", 1e300)]
)
def test_diverging_learning_rate_is_a_clear_error_with_finite_weights(
    cancer, solver, learning_rate_init
):
    X, y = cancer
    clf = VanillaMLPClassifier(
        (30,), solver=solver, learning_rate_init=learning_rate_init, max_iter=50,
        activation="identity", random_state=0,
    )
    with pytest.raises(ValueError, match=r"diverged.*learning_rate_init"):
        clf.fit(X * 1e3, y)
    _assert_finite(clf)
    _assert_finite_outputs(clf, X)


def test_divergence_after_good_epochs_keeps_the_last_finite_weights(cancer):
    X, y = cancer
    clf = VanillaMLPClassifier(
        (10,), solver="sgd", learning_rate_init=0.01, max_iter=5, random_state=0,
        warm_start=True,
    ).fit(X, y)
    good = [w.copy() for w in clf.coefs_ + clf.intercepts_]
    clf.set_params(learning_rate_init=1e300, momentum=0.0)
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(X * 1e3, y)
    _assert_finite(clf)
    # Each weight is either what the good fit left or a finite later value;
    # the model still predicts, and refits once the rate is sane.
    assert all(w.shape == g.shape for w, g in zip(clf.coefs_ + clf.intercepts_, good))
    _assert_finite_outputs(clf, X)
    clf.set_params(learning_rate_init=0.01, warm_start=False, max_iter=200)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("solver", SOLVERS)
def test_extreme_sample_weights_are_rejected_or_fit_finitely(cancer, solver):
    X, y = cancer
    kw = dict(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
    huge = np.full(len(y), np.finfo(np.float64).max / 4)
    with pytest.raises(ValueError, match="sample_weight"):
        VanillaMLPClassifier(**kw).fit(X, y, sample_weight=huge)
    tiny = np.full(len(y), np.finfo(np.float64).smallest_subnormal)
    with pytest.raises(ValueError, match="sample_weight"):
        VanillaMLPClassifier(**kw).fit(X, y, sample_weight=tiny)
    # Large but summable weights change nothing but the penalty's share.
    clf = VanillaMLPClassifier(**kw).fit(X, y, sample_weight=np.full(len(y), 1e200))
    _assert_finite(clf)
    assert np.isfinite(clf.loss_)
