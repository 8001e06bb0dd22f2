"""Determinism: ``random_state`` alone decides the weights, bit for bit."""

# These tests drive numpy's legacy global generator on purpose: it is what
# random_state=None draws from, and what a seeded fit must not depend on.
# ruff: noqa: NPY002

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier

CONFIGURATIONS = [
    dict(solver="adam"),
    dict(solver="sgd", learning_rate="adaptive"),
    dict(solver="lbfgs"),
    dict(solver="adam", early_stopping=True),
    dict(solver="sgd", batch_size=17, shuffle=True),
]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return VanillaMLPClassifier((12,), max_iter=8, **params).fit(X, y)


def _weights(clf):
    return clf.coefs_ + clf.intercepts_


@pytest.mark.parametrize("params", CONFIGURATIONS)
def test_same_random_state_is_bit_identical_whatever_the_global_state(digits, params):
    X, y = digits
    np.random.seed(1)
    first = _fit(X, y, random_state=7, **params)
    np.random.seed(12345)
    np.random.standard_normal(1000)  # move the global stream on
    second = _fit(X, y, random_state=7, **params)
    for a, b in zip(_weights(first), _weights(second)):
        assert a.tobytes() == b.tobytes()
    assert first.predict_proba(X).tobytes() == second.predict_proba(X).tobytes()
    assert first.loss_curve_ == second.loss_curve_ and first.n_iter_ == second.n_iter_


def test_random_state_instance_seeded_alike_gives_the_same_model(digits):
    X, y = digits
    a = _fit(X, y, random_state=np.random.RandomState(3))
    b = _fit(X, y, random_state=np.random.RandomState(3))
    c = _fit(X, y, random_state=3)
    assert all(p.tobytes() == q.tobytes() for p, q in zip(_weights(a), _weights(b)))
    assert all(p.tobytes() == q.tobytes() for p, q in zip(_weights(a), _weights(c)))


def test_a_seeded_fit_leaves_the_global_random_state_alone(digits):
    X, y = digits
    np.random.seed(5)
    before = np.random.get_state(legacy=False)
    _fit(X, y, random_state=0, shuffle=True, early_stopping=True)
    after = np.random.get_state(legacy=False)
    assert before["state"]["pos"] == after["state"]["pos"]
    np.testing.assert_array_equal(before["state"]["key"], after["state"]["key"])


@pytest.mark.parametrize("params", CONFIGURATIONS[:3])
def test_random_state_none_draws_fresh_weights(digits, params):
    X, y = digits
    first = _fit(X, y, random_state=None, **params)
    second = _fit(X, y, random_state=None, **params)
    assert not np.array_equal(first.coefs_[0], second.coefs_[0])
    # As in scikit-learn, None means numpy's global generator: whoever seeds
    # that, repeats the fit.
    np.random.seed(0)
    third = _fit(X, y, random_state=None, **params)
    np.random.seed(0)
    fourth = _fit(X, y, random_state=None, **params)
    assert third.coefs_[0].tobytes() == fourth.coefs_[0].tobytes()


def test_refit_with_an_int_seed_repeats_itself(digits):
    X, y = digits
    clf = _fit(X, y, random_state=4)
    weights = [w.copy() for w in _weights(clf)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(weights, _weights(clf)))
