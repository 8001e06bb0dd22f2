"""A failed call changes nothing; a model stopped on purpose is complete.

``fit``, ``partial_fit`` and a warm start either complete or leave the
estimator as it was before the call (weights, optimizer state, classes,
record), or, on a first fit, unfitted.  Training that diverges keeps its
last finite weights, and the model it leaves saves like any other.
"""

import pickle
import warnings

import numpy as np
import pytest
from helpers import ctrl_c_in_batch, quiet, saved_and_loaded
from hypothesis import event, given
from hypothesis import strategies as st
from recorders import EpochRecorder
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor, check_gradients

DIVERGED = r"^Solver produced non-finite parameter weights\. .* Training diverged"


def _data(n=24, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, np.arange(n) % 3


def _state(est):
    """Everything the estimator holds, as bytes (pickle: weights, optimizer, record ...)."""
    return pickle.dumps(est)


def _assert_unchanged(est, before, X):
    """``est`` is as ``before`` (``_state``, proba or None for unfitted) said."""
    state, proba = before
    assert _state(est) == state
    if proba is None:
        with pytest.raises(NotFittedError):
            est.predict(X)
    else:
        np.testing.assert_array_equal(est.predict_proba(X), proba)


def _before(est, X):
    proba = est.predict_proba(X) if hasattr(est, "coefs_") else None
    return _state(est), proba


# -- item 4: a refit that fails its checks ------------------------------------


def test_a_refit_refused_for_its_class_weight_leaves_the_classifier_as_it_was():
    X, y3 = _data()
    ab = np.where(y3 == 0, "a", "b")
    clf = quiet(VanillaMLPClassifier((4,), max_iter=3, random_state=0).fit, X, y3)
    before = _before(clf, X)
    clf.set_params(class_weight={"a": 1.0, "zz": 2.0})
    with pytest.raises(ValueError, match="class_weight"):
        clf.fit(X, ab)
    clf.set_params(class_weight=None)
    _assert_unchanged(clf, before, X)
    assert clf.classes_.tolist() == [0, 1, 2] and clf.predict(X).shape == (len(X),)


def test_a_poisson_refit_refused_for_its_target_keeps_both_outputs():
    X, _ = _data()
    Y = np.abs(X[:, :2])
    reg = quiet(VanillaMLPRegressor(loss="poisson", hidden_layer_sizes=(4,), max_iter=3,
                                    random_state=0).fit, X, Y)
    expected = reg.predict(X)
    with pytest.raises(ValueError, match="non-negative"):
        reg.fit(X, -Y[:, 0])
    assert reg.n_outputs_ == 2
    np.testing.assert_array_equal(reg.predict(X), expected)


# -- item 5 and item 11: X_val refused after the weights were drawn --------------


def test_a_refused_validation_set_leaves_a_refit_as_it_was_and_a_first_fit_unfitted():
    X, y = _data()
    reg = quiet(VanillaMLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit,
                X, X[:, 0])
    before, expected = _state(reg), reg.predict(X)
    with pytest.raises(ValueError):
        reg.fit(X, X[:, 0], X_val=X[:5, :2], y_val=X[:5, 0])
    assert _state(reg) == before and reg.n_iter_ == 3
    np.testing.assert_array_equal(reg.predict(X), expected)
    # A first fit refused so is no fit: predict says so, rather than answering at random.
    fresh = VanillaMLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with pytest.raises(ValueError):
        fresh.fit(X, X[:, 0], X_val=X[:5, :2], y_val=X[:5, 0])
    assert not hasattr(fresh, "coefs_") and not hasattr(fresh, "n_iter_")
    with pytest.raises(NotFittedError):
        fresh.predict(X)


def test_predicting_after_a_failed_first_fit_is_not_fitted_error():
    # The class weights are checked after classes_ is known: a failed first fit kept
    # classes_, so check_is_fitted passed and predict failed on the missing weights.
    X, y = _data()
    clf = VanillaMLPClassifier((4,), class_weight={7: 2.0}, max_iter=2)
    with pytest.raises(ValueError, match="class_weight"):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


# -- item 6: partial_fit after Adam diverged -----------------------------------


def test_a_diverged_partial_fit_goes_back_to_its_start_optimizer_included():
    X, y = _data()
    kw = dict(hidden_layer_sizes=(4,), solver="adam", random_state=0)
    ours = VanillaMLPClassifier(**kw).partial_fit(X, y, classes=[0, 1, 2])
    twin = VanillaMLPClassifier(**kw).partial_fit(X, y, classes=[0, 1, 2])
    before = _before(ours, X)
    ours.set_params(learning_rate_init=1e300)
    for _ in range(2):
        with pytest.raises(ValueError, match=DIVERGED), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # One epoch of one batch: the inputs must make the first gradient overflow
            # (the clipped log-loss keeps smaller ones finite, as scikit-learn's does).
            ours.partial_fit(X * 5e307, y)
    ours.set_params(learning_rate_init=0.001)
    _assert_unchanged(ours, before, X)
    # The next call continues as if the diverged ones had not been made.
    ours.partial_fit(X, y)
    twin.partial_fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, twin.coefs_ + twin.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert ours.t_ == twin.t_ and ours._optimizer.t == twin._optimizer.t


def test_partial_fit_after_a_diverged_fit_starts_a_finite_optimizer():
    X, y = _data()
    clf = VanillaMLPClassifier((4,), solver="adam", learning_rate_init=1e300, max_iter=5,
                               random_state=0)
    with pytest.raises(ValueError, match=DIVERGED), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        clf.fit(X * 1e200, y)
    clf.set_params(learning_rate_init=0.001)
    clf.partial_fit(X, y)
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)
    assert np.isfinite(clf._optimizer.ms).all() and np.isfinite(clf._optimizer.vs).all()


# -- item 1: a diverged model saves ---------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_a_diverged_model_is_complete_and_saves_with_pickle_joblib_and_skops(solver):
    pytest.importorskip("skops.io")
    X, y = _data()
    clf = VanillaMLPClassifier((4,), solver=solver, learning_rate_init=1e300, momentum=0.0,
                               max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="diverged|non-finite"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        clf.fit(X * 1e200, y)
    assert not hasattr(clf, "_epoch_context")
    expected = clf.predict_proba(X)
    for copy in saved_and_loaded(clf):
        np.testing.assert_array_equal(copy.predict_proba(X), expected)


# -- item 7: callbacks stop L-BFGS ----------------------------------------------


class _StopAfter(EpochRecorder):
    """A scikit-learn callback that asks to stop after ``n`` epochs (or iterations)."""

    def __init__(self, n):
        super().__init__()
        self.n, self.seen = n, []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name in ("epoch", "iteration"):
            self.seen.append(fitted_estimator)
            return len(self.seen) >= self.n
        return False


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_a_callback_asking_to_stop_stops_every_solver(solver):
    X, y = _data()
    stop = _StopAfter(3)
    clf = VanillaMLPClassifier((4,), solver=solver, max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopped on purpose: no warning
        clf.set_callbacks(stop).fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_) == len(stop.seen) == 3
    # The model is the one the callback saw last.
    np.testing.assert_array_equal(clf.predict_proba(X), stop.seen[-1].predict_proba(X))


# -- item 11: the rest ----------------------------------------------------------


@pytest.mark.parametrize("classes", [{0, 1, 2}, 3, frozenset({0, 1, 2})])
def test_partial_fit_classes_that_are_not_a_sequence_are_refused_as_such(classes):
    X, y = _data()
    clf = VanillaMLPClassifier((4,))
    msg = r"^Expected array-like \(array or non-string sequence\), got"
    with pytest.raises(ValueError, match=msg):
        clf.partial_fit(X, y, classes=classes)
    with pytest.raises(ValueError, match=msg):  # sklearn's first words, for the same reason
        MLPClassifier().partial_fit(X, y, classes=classes)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=msg):
        clf.partial_fit(X, y, classes={0, 1, 2})


def test_batch_size_true_is_a_batch_of_one_as_in_scikit_learn():
    X, y = _data()
    kw = dict(hidden_layer_sizes=(4,), solver="sgd", max_iter=2, random_state=0)
    ours = quiet(VanillaMLPClassifier(batch_size=True, **kw).fit, X, y)
    ones = quiet(VanillaMLPClassifier(batch_size=1, **kw).fit, X, y)
    quiet(MLPClassifier(batch_size=True, **kw).fit, X, y)  # scikit-learn takes it too
    for a, b in zip(ours.coefs_ + ours.intercepts_, ones.coefs_ + ones.intercepts_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("label", [np.uint64(2**63), np.uint64(2**64 - 1)])
def test_onnx_export_refuses_labels_outside_int64(label):
    skl2onnx = pytest.importorskip("skl2onnx")
    pytest.importorskip("skvanilla.onnx")
    X, y = _data()
    labels = np.where(y == 0, label, np.array(5, dtype=np.asarray(label).dtype))
    clf = quiet(VanillaMLPClassifier((4,), max_iter=2, random_state=0).fit, X, labels)
    with pytest.raises(ValueError, match=r"^The labels \[.*\] are outside int64.*nocl=True"):
        skl2onnx.to_onnx(clf, X[:1].astype(np.float32))


def test_check_gradients_warns_before_a_long_run():
    X, y = _data(n=200)
    clf = VanillaMLPClassifier((300, 300), random_state=0)  # 92,403 weights
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning stops the run before its hours of work
        with pytest.raises(UserWarning, match=r"differentiates each of the 92403 weights"):
            check_gradients(clf, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a small check runs without it
        assert check_gradients(VanillaMLPClassifier((3,), random_state=0), X[:10], y[:10]) < 1e-6


# -- the property: after a refused call, the estimator is as before --------------


def _refused(est, kind, X, y):
    """Make a call that must be refused, of the ``kind`` drawn."""
    params = est.get_params()
    try:
        if kind == "class_weight":
            est.set_params(class_weight={0: 1.0, 9: 2.0})
            est.fit(X, y)
        elif kind == "unknown label":
            est.partial_fit(X, np.where(y == 0, 9, y), classes=[0, 1, 2])
        elif kind == "X_val":
            est.fit(X, y, X_val=X[:6, :2], y_val=y[:6])
        elif kind == "y_val":
            est.fit(X, y, X_val=X[:6], y_val=np.full(6, 9))
        elif kind == "negative weight":
            est.fit(X, y, sample_weight=np.where(y == 1, -1.0, 1.0))
        elif kind == "features":  # a first call may take any number: then a bad y
            n = len(y) if hasattr(est, "coefs_") else 5
            est.partial_fit(X[:, :2], y[:n], classes=[0, 1, 2])
        elif kind == "diverged partial_fit":
            est.set_params(learning_rate_init=1e300, momentum=0.0)
            est.partial_fit(X * 5e307, y, classes=[0, 1, 2])  # a first gradient that overflows
    finally:
        est.set_params(**params)


_CALLS = st.one_of(
    st.tuples(st.just("fit"), st.integers(1, 3)),
    st.tuples(st.just("partial_fit"), st.just(1)),
    st.tuples(st.just("interrupted fit"), st.integers(1, 7)),
    st.tuples(st.just("interrupted partial_fit"), st.integers(1, 3)),
    st.tuples(st.just("refused"), st.sampled_from([
        "class_weight", "unknown label", "X_val", "y_val", "negative weight", "features",
        "diverged partial_fit",
    ])),
)


@given(
    calls=st.lists(_CALLS, min_size=1, max_size=6),
    solver=st.sampled_from(["sgd", "adam"]),
    warm_start=st.booleans(),
)
def test_after_a_refused_call_the_estimator_predicts_exactly_as_before(calls, solver,
                                                                        warm_start):
    X, y = _data(n=12)
    est = VanillaMLPClassifier((3,), solver=solver, warm_start=warm_start, batch_size=4,
                               max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence, interruption, overflow
        for what, arg in calls:
            fitted = hasattr(est, "coefs_")
            if what == "refused":
                event(f"refused ({arg}) {'after a fit' if fitted else 'first'}")
                before = _before(est, X)
                with pytest.raises(ValueError):
                    _refused(est, arg, X, y)
                _assert_unchanged(est, before, X)
                continue
            event(what)
            est.set_params(max_iter=arg if what == "fit" else 3)
            if what.startswith("interrupted"):
                with ctrl_c_in_batch(arg):
                    if what.endswith("partial_fit"):
                        est.partial_fit(X, y, classes=[0, 1, 2])
                    else:
                        est.fit(X, y)
            elif what == "fit":
                est.fit(X, y)
            else:
                est.partial_fit(X, y, classes=[0, 1, 2])
            # Whatever stopped it, the model is complete: it copies and predicts.
            assert not hasattr(est, "_epoch_context")
            assert np.isfinite(pickle.loads(pickle.dumps(est)).predict_proba(X)).all()


def test_a_refused_call_keeps_the_parameters_the_users_own_objects():
    # The snapshot copies the record's lists; a list given as a parameter stays the one given.
    X, y = _data()
    sizes = [4]
    clf = VanillaMLPClassifier(sizes, class_weight={9: 1.0}, max_iter=2)
    with pytest.raises(ValueError, match="class_weight"):
        clf.fit(X, y)
    assert clf.hidden_layer_sizes is sizes and clf.get_params()["hidden_layer_sizes"] is sizes
