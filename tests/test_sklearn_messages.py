"""Errors and warnings begin with scikit-learn's for the same condition.

Code written against MLPClassifier and MLPRegressor matches their messages
(``pytest.raises(match=...)``, ``except ValueError as e: if "..." in str(e)``).
Where skvanilla refuses or warns about the same condition, its message
begins with scikit-learn's sentence, word for word, and then adds what
skvanilla did and what to try.  Each case below provokes the condition in
both estimators and compares the messages; scikit-learn's own tests of these
messages then run against skvanilla's estimators.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor

RNG = np.random.RandomState(0)
X = RNG.rand(30, 3)
Y3 = np.arange(30) % 3
Y2 = np.arange(30) % 2
Y_REAL = RNG.rand(30)
OURS = {MLPClassifier: VanillaMLPClassifier, MLPRegressor: VanillaMLPRegressor}


def _error(call, Estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the errors are compared here, not the warnings on the way
        with pytest.raises(Exception) as info:
            call(Estimator)
    return info.type, str(info.value)


def _warning(call, Estimator, category):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        call(Estimator)
    return [str(w.message) for w in record if issubclass(w.category, category)]


def _ours(Estimator):
    return OURS[Estimator]


ERRORS = {
    "warm start, y lacks a class": (
        MLPClassifier,
        lambda E: E(max_iter=2, warm_start=True).fit(X, Y3).fit(X, Y2),
    ),
    "warm start, y adds a class": (
        MLPClassifier,
        lambda E: E(max_iter=2, warm_start=True).fit(X, Y2).fit(X, Y3),
    ),
    "partial_fit names other classes": (
        MLPClassifier,
        lambda E: E().partial_fit(X, Y3, classes=[0, 1, 2]).partial_fit(X, Y2, classes=[0, 1]),
    ),
    "partial_fit, y outside classes_": (
        MLPClassifier,
        lambda E: E().partial_fit(X, Y2, classes=[0, 1]).partial_fit(X, Y3),
    ),
    "partial_fit's first call without classes": (
        MLPClassifier,
        lambda E: E().partial_fit(X, Y3),
    ),
    "partial_fit with early_stopping (classifier)": (
        MLPClassifier,
        lambda E: E(early_stopping=True).partial_fit(X, Y3, classes=[0, 1, 2]),
    ),
    "partial_fit with early_stopping (regressor)": (
        MLPRegressor,
        lambda E: E(early_stopping=True).partial_fit(X, Y_REAL),
    ),
    "a hidden layer of size 0": (
        MLPClassifier,
        lambda E: E(hidden_layer_sizes=(4, 0)).fit(X, Y3),
    ),
    "weights that overflow (classifier)": (
        MLPClassifier,
        lambda E: E(solver="sgd", learning_rate_init=10.0, max_iter=5).fit(X * 1e300, Y3),
    ),
    "weights that overflow (regressor)": (
        MLPRegressor,
        lambda E: E(max_iter=5).fit(np.finfo(np.float64).max * X[:10], Y_REAL[:10]),
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_begin_with_scikit_learns(case):
    Estimator, call = ERRORS[case]
    their_type, theirs = _error(call, Estimator)
    our_type, ours = _error(call, _ours(Estimator))
    assert issubclass(our_type, their_type)
    assert ours.startswith(theirs), f"\nscikit-learn: {theirs}\nskvanilla:    {ours}"


def test_partial_fit_on_lbfgs_names_the_missing_method_as_scikit_learn_does():
    with pytest.raises(AttributeError) as theirs:
        MLPClassifier(solver="lbfgs").partial_fit  # noqa: B018 (the lookup is the point)
    with pytest.raises(AttributeError) as ours:
        VanillaMLPClassifier(solver="lbfgs").partial_fit  # noqa: B018
    expected = str(theirs.value).replace("MLPClassifier", "VanillaMLPClassifier")
    assert str(ours.value).startswith(expected)
    assert "lbfgs is not stochastic" in str(ours.value)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_max_iter_warning_is_scikit_learns(Estimator):
    y = Y3 if Estimator is MLPClassifier else Y_REAL

    def call(E):
        E(solver="sgd", max_iter=1).fit(X, y)

    theirs = _warning(call, Estimator, ConvergenceWarning)
    ours = _warning(call, _ours(Estimator), ConvergenceWarning)
    assert ours == theirs and len(theirs) == 1


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_lbfgs_convergence_warning_begins_with_scikit_learns_first_lines(Estimator):
    # scikit-learn's ends with a link to its own documentation.
    y = Y3 if Estimator is MLPClassifier else Y_REAL

    def call(E):
        E(solver="lbfgs", max_iter=1).fit(X, y)

    (theirs,) = _warning(call, Estimator, ConvergenceWarning)
    (ours,) = _warning(call, _ours(Estimator), ConvergenceWarning)
    head = theirs[: theirs.index(" as shown in:")]
    assert head.startswith("lbfgs failed to converge after 1 iteration(s) (status=1):\n")
    assert head.endswith("(max_iter=1).\nYou might also want to scale the data")
    assert ours.startswith(head)


def test_batch_size_larger_than_the_data_warns_as_scikit_learn_does():
    def call(E):
        E(batch_size=100, max_iter=2).fit(X, Y3)

    theirs = _warning(call, MLPClassifier, UserWarning)
    ours = _warning(call, VanillaMLPClassifier, UserWarning)
    clipped = [m for m in theirs if "batch_size" in m]
    assert len(clipped) == 1
    assert [m for m in ours if m.startswith(clipped[0])] != []


# scikit-learn's own tests of these messages, run against skvanilla's estimators.
def _sklearn_tests():
    return pytest.importorskip(
        "sklearn.neural_network.tests.test_mlp",
        reason="this scikit-learn was installed without its tests",
    )


@pytest.mark.parametrize(
    "name",
    [
        "test_warm_start",
        "test_partial_fit_classes_error",
        "test_partial_fit_errors",
        "test_nonfinite_params",
        "test_early_stopping_stratified",
        "test_minimum_input_sample_size",
    ],
)
def test_scikit_learns_own_message_tests(name, monkeypatch):
    sk_tests = _sklearn_tests()
    monkeypatch.setattr(sk_tests, "MLPClassifier", VanillaMLPClassifier)
    monkeypatch.setattr(sk_tests, "MLPRegressor", VanillaMLPRegressor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # their fits stop early on purpose
        getattr(sk_tests, name)()


@pytest.mark.parametrize("Estimator", [VanillaMLPClassifier, VanillaMLPRegressor])
def test_scikit_learns_own_partial_fit_after_fit_test(Estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _sklearn_tests().test_mlp_partial_fit_after_fit(Estimator)
