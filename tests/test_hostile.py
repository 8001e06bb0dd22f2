"""Hostile input, fuzzed: every call ends in a finite model or an error that names the problem.

The cases come from :mod:`hostile_cases`.  Each one runs with numpy's
``RuntimeWarning`` turned into an error, so an overflow or an invalid
operation that leaks out of the estimator fails the test instead of
passing unseen.  Any exception other than ``ValueError``/``TypeError`` (and
scikit-learn's subclasses of them) -- an ``IndexError``, a
``ZeroDivisionError``, a ``FloatingPointError`` -- fails the test too.

At the end of the run the number of distinct cases, and how many were
accepted or raised which error, is written to the terminal.
"""

import re
import warnings
from collections import Counter
from contextlib import contextmanager

import numpy as np
import pytest
from hostile_cases import SOLVERS, case_key, predict_cases, training_cases
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning

from skvanilla import VanillaMLPClassifier

DISTINCT = set()
OUTCOMES = Counter()  # (call kind, "accepted" or the error type) -> distinct cases
BY_CATEGORY = Counter()  # (outcome, category) -> distinct cases


@pytest.fixture(scope="module", autouse=True)
def report_counts(pytestconfig):
    yield
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not DISTINCT:
        return
    outcomes = sorted({outcome for outcome, _ in BY_CATEGORY})
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"hostile inputs: {len(DISTINCT)} distinct cases")
        for (kind, outcome), count in sorted(OUTCOMES.items()):
            reporter.write_line(f"  {kind:12s} {outcome:12s} {count}")
        for outcome in outcomes:
            per = ", ".join(f"{c} {n}" for (o, c), n in sorted(BY_CATEGORY.items()) if o == outcome)
            reporter.write_line(f"  {outcome}, by category: {per}")


def _record(case, kind, outcome):
    key = case_key(case)
    if key not in DISTINCT:
        DISTINCT.add(key)
        OUTCOMES[kind, outcome] += 1
        BY_CATEGORY[outcome, case.category] += 1


@contextmanager
def strict_warnings():
    """numpy's RuntimeWarning as an error; the expected warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        # Expected from two-epoch fits and column-vector labels, and not what
        # this suite is about.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", DataConversionWarning)
        yield


def _assert_finite_model(clf, X):
    weights = clf.coefs_ + clf.intercepts_
    assert all(np.isfinite(w).all() for w in weights), "non-finite weights"
    assert np.isfinite(clf.loss_), f"loss_ is {clf.loss_}"
    P = clf.predict_proba(X)
    assert np.isfinite(P).all() and (P >= 0).all() and (P <= 1).all(), "bad probabilities"
    log_p = clf.predict_log_proba(X)
    assert np.isfinite(log_p).all() and (log_p <= 0).all(), "bad log-probabilities"
    assert set(np.unique(clf.predict(X))) <= set(np.unique(clf.classes_)) | {0, 1}


def _check_error(case, kind, exc):
    _record(case, kind, type(exc).__name__)
    assert case.expect != "fit", f"{case.category}: must be accepted, raised {exc!r}"
    assert re.search(case.names, str(exc)), (
        f"{case.category}: the message does not name the problem ({case.names!r}): {exc}"
    )


def _fit(case):
    clf = VanillaMLPClassifier(**case.params)
    if case.method == "fit":
        return clf.fit(case.X, case.y, sample_weight=case.sample_weight, **case.fit_kwargs)
    # Every label of y as the classes; multilabel targets ignore them.
    classes = None if case.y is None else np.asarray(case.y).ravel()
    return clf.partial_fit(case.X, case.y, sample_weight=case.sample_weight, classes=classes)


@settings(max_examples=6 * settings.default.max_examples)
@given(case=training_cases())
def test_hostile_training_input(case):
    with strict_warnings():
        try:
            clf = _fit(case)
        except (ValueError, TypeError) as exc:
            _check_error(case, case.method, exc)
            return
        _record(case, case.method, "accepted")
        assert case.expect != "reject", f"{case.category}: accepted, but must be rejected"
        try:
            _assert_finite_model(clf, case.X)
        except ValueError as exc:
            # Finite weights whose outputs on these very inputs overflow: the
            # prediction must say so, and only such an input may do it.
            assert case.expect == "either" and re.search(case.names, str(exc)), exc


@pytest.fixture(scope="module")
def fitted_models():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    models = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for solver in SOLVERS:
            clf = VanillaMLPClassifier((5,), solver=solver, max_iter=50, random_state=0)
            models[solver] = clf.fit(X, y)
    return models


@settings(max_examples=3 * settings.default.max_examples)
@given(solver=st.sampled_from(SOLVERS), case=predict_cases(n_features=3))
def test_hostile_prediction_input(fitted_models, solver, case):
    clf = fitted_models[solver]
    case.params = {"solver": solver}
    method = getattr(clf, case.method)
    with strict_warnings():
        try:
            if case.method == "score":
                n = case.X.shape[0] if case.X.ndim else 1
                out = method(case.X, np.resize(clf.classes_, n))
            else:
                out = method(case.X)
        except (ValueError, TypeError) as exc:
            _check_error(case, "predict", exc)
            return
        _record(case, "predict", "accepted")
        assert case.expect != "reject", f"{case.category}: accepted, but must be rejected"
        if case.method == "predict":
            assert set(out) <= set(clf.classes_)
        else:
            assert np.isfinite(out).all(), f"{case.method} gave non-finite values"
