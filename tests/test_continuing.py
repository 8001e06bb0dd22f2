"""Training that continues a fitted model -- warm_start and partial_fit -- as MLPClassifier's.

Each test runs the same calls on both estimators and compares what they
leave behind: weights, the epoch counters, the loss curve, and the errors.
"""


import numpy as np
import pytest
from helpers import quiet
from sklearn.neural_network import MLPClassifier

from skvanilla import VanillaMLPClassifier


def both(**params):
    return VanillaMLPClassifier(**params), MLPClassifier(**params)


def assert_same_state(ours, theirs, curve=True):
    """The same weights, counters and loss curve, bit for bit."""
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_array_equal(a, b, strict=True)
    assert (ours.n_iter_, ours.t_) == (theirs.n_iter_, theirs.t_)
    assert ours.loss_ == theirs.loss_
    if curve:
        np.testing.assert_array_equal(ours.loss_curve_, theirs.loss_curve_)
        assert ours.best_loss_ == theirs.best_loss_


@pytest.mark.parametrize(
    "solver",
    [
        dict(solver="sgd"),
        dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.05),
        dict(solver="adam"),
    ],
)
def test_warm_start_fits_match_mlpclassifier(cancer, solver):
    # Each fit runs max_iter epochs with a fresh optimizer and n_iter_ counts
    # that fit's epochs, while t_, loss_curve_ and best_loss_ go on: as
    # MLPClassifier, also when max_iter changes between the fits.
    X, y = cancer
    ours, theirs = both(hidden_layer_sizes=(10,), max_iter=3, warm_start=True, random_state=0,
                        **solver)
    for est in (ours, theirs):
        quiet(est.fit, X, y)
    assert_same_state(ours, theirs)
    assert ours.n_iter_ == 3
    for est in (ours, theirs):
        quiet(est.fit, X, y)
    assert_same_state(ours, theirs)
    assert ours.n_iter_ == 3 and len(ours.loss_curve_) == 6 and ours.t_ == 6 * len(X)
    for est in (ours, theirs):
        quiet(est.set_params(max_iter=2).fit, X, y)
    assert_same_state(ours, theirs)
    assert ours.n_iter_ == 2 and len(ours.loss_curve_) == 8


def test_warm_start_lbfgs_matches_mlpclassifier(cancer):
    X, y = cancer
    ours, theirs = both(hidden_layer_sizes=(10,), solver="lbfgs", max_iter=5, warm_start=True,
                        random_state=0)
    for _ in range(2):
        for est in (ours, theirs):
            quiet(est.fit, X, y)
        # MLPClassifier keeps no loss curve for lbfgs.
        assert_same_state(ours, theirs, curve=False)
    assert ours.n_iter_ == 5 and len(ours.loss_curve_) == 5


def test_warm_start_carries_the_no_improvement_count(cancer):
    # The count of epochs without improvement is not reset by a warm start:
    # a second fit that does not improve stops early, at the same epoch.
    X, y = cancer
    ours, theirs = both(hidden_layer_sizes=(10,), solver="sgd", learning_rate_init=1e-5,
                        tol=1.0, n_iter_no_change=4, max_iter=3, warm_start=True,
                        random_state=0)
    for est in (ours, theirs):
        quiet(est.fit, X, y)
        quiet(est.set_params(max_iter=50).fit, X, y)
    assert_same_state(ours, theirs)
    # The first fit ends after 2 epochs without improvement (its first
    # improves on inf); the second stops at its third, the fifth in a row.
    assert ours.n_iter_ == 3


def test_partial_fit_counts_as_mlpclassifier(iris):
    # n_iter_ is the epochs of the last call (one), t_ and loss_curve_ go on;
    # the optimizer's state carries over between calls.
    X, y = iris
    ours, theirs = both(hidden_layer_sizes=(8,), solver="sgd", learning_rate="adaptive",
                        tol=0.5, n_iter_no_change=1, random_state=0)
    for est in (ours, theirs):
        est.partial_fit(X[:60], y[:60], classes=[0, 1, 2])
        for _ in range(4):
            est.partial_fit(X, y)
    assert_same_state(ours, theirs)
    assert ours.n_iter_ == 1 and len(ours.loss_curve_) == 5
    assert ours._optimizer.learning_rate == theirs._optimizer.learning_rate < 1e-3


@pytest.mark.parametrize("warm_start", [False, True])
def test_fit_after_partial_fit_matches_mlpclassifier(iris, warm_start):
    X, y = iris
    ours, theirs = both(hidden_layer_sizes=(8,), max_iter=4, warm_start=warm_start,
                        random_state=0)
    for est in (ours, theirs):
        est.partial_fit(X, y, classes=[0, 1, 2])
        quiet(est.fit, X, y)
    assert_same_state(ours, theirs)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("change", ["fewer", "more"])
def test_warm_start_refuses_other_classes(iris, solver, change):
    X, y = iris
    X2, y2 = (X[y < 2], y[y < 2]) if change == "fewer" else (X, np.where(y == 2, 7, y))
    named = r"lacks \[2\]" if change == "fewer" else r"\[7\]"
    ours, theirs = both(hidden_layer_sizes=(5,), solver=solver, max_iter=5, warm_start=True,
                        random_state=0)
    refused = {}
    for est in (ours, theirs):
        quiet(est.fit, X, y)
        with pytest.raises(ValueError) as refused[est]:
            quiet(est.fit, X2, y2)
        assert est.classes_.tolist() == [0, 1, 2]
    # scikit-learn's message first, word for word; then which classes differ.
    assert str(refused[ours].value).startswith(str(refused[theirs].value))
    refused[ours].match(named)


def test_warm_start_refuses_other_labels_of_a_multilabel_target(iris):
    X, y = iris
    Y = np.column_stack([y == 0, y == 1, y == 2]).astype(int)
    for est in both(hidden_layer_sizes=(5,), max_iter=5, warm_start=True, random_state=0):
        quiet(est.fit, X, Y)
        with pytest.raises(ValueError):
            quiet(est.fit, X, Y[:, :2])


@pytest.mark.parametrize("classes", [[0, 1], [0, 1, 2, 3], ["a", "b", "c"]])
def test_partial_fit_refuses_other_classes_after_the_first_call(iris, classes):
    X, y = iris
    for est in both(hidden_layer_sizes=(5,), random_state=0):
        est.partial_fit(X, y, classes=[0, 1, 2])
        before = [c.copy() for c in est.coefs_]
        with pytest.raises(ValueError, match="classes"):
            est.partial_fit(X[y < 2], y[y < 2], classes=classes)
        np.testing.assert_array_equal(est.coefs_[0], before[0])
        est.partial_fit(X[y < 2], y[y < 2], classes=[2, 0, 1])  # the same, in any order


def test_partial_fit_refuses_early_stopping(iris):
    X, y = iris
    ours, theirs = both(hidden_layer_sizes=(5,), early_stopping=True, random_state=0)
    for est in (ours, theirs):
        with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
            est.partial_fit(X, y, classes=[0, 1, 2])
    # Refused before anything is set (MLPClassifier is left with weights).
    assert not hasattr(ours, "coefs_") and not hasattr(ours, "classes_")
    # The refusal is an AttributeError too: code that probes for partial_fit
    # (scikit-learn's common checks, Dask's Incremental) does not call it.
    assert not hasattr(ours, "partial_fit") and hasattr(theirs, "partial_fit")
    ours = VanillaMLPClassifier((5,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="early_stopping"):
        ours.set_params(early_stopping=True).partial_fit(X, y)


def test_partial_fit_batches_may_miss_classes_even_with_warm_start(iris):
    # A deliberate difference: MLPClassifier refuses such a batch when
    # warm_start=True (scikit-learn issue #11758), though its partial_fit
    # says that y need not hold every class.
    X, y = iris
    ours, theirs = both(hidden_layer_sizes=(5,), warm_start=True, random_state=0)
    for est in (ours, theirs):
        est.partial_fit(X, y, classes=[0, 1, 2])
    ours.partial_fit(X[y == 0], y[y == 0])
    assert ours.n_iter_ == 1
    with pytest.raises(ValueError, match="warm_start"):
        theirs.partial_fit(X[y == 0], y[y == 0])
