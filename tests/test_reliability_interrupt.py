"""Ctrl-C during fit: stop after the current batch, keep finite weights, warn, predict.

A real SIGINT is sent to this process from inside a chosen batch (by
wrapping the estimator's ``loss_and_gradients``), so the test sees what a
user pressing Ctrl-C sees.
"""

import signal
import threading
import warnings

import numpy as np
import pytest
from helpers import outside_skvanilla, saved_and_loaded
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor, _lbfgs, _training

INTERRUPTED = r"[Ii]nterrupted"


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


@pytest.fixture(autouse=True)
def python_sigint_handler():
    """Start every test from Python's own SIGINT handler, as a user's session does.

    A library imported by another test module may leave its own handler in
    place; the estimator then rightly leaves SIGINT alone, and these tests
    would not see what a user sees.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def ctrl_c_at(monkeypatch):
    """Send SIGINT (``times`` times) during the ``call``-th batch; return the weights seen."""
    real = _training.loss_and_gradients

    def install(call, times=1):
        seen = []

        def spy(X, Y, coefs, intercepts, *args, **kwargs):
            seen.append([w.copy() for w in coefs + intercepts])
            if len(seen) == call:
                for _ in range(times):
                    signal.raise_signal(signal.SIGINT)
            return real(X, Y, coefs, intercepts, *args, **kwargs)

        monkeypatch.setattr(_training, "loss_and_gradients", spy)
        monkeypatch.setattr(_lbfgs, "loss_and_gradients", spy)
        return seen

    return install


def _weights(clf):
    return clf.coefs_ + clf.intercepts_


def _assert_usable(clf, X, y):
    assert all(np.isfinite(w).all() for w in _weights(clf))
    P = clf.predict_proba(X)
    assert np.isfinite(P).all()
    assert set(clf.predict(X)) <= set(clf.classes_)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_ctrl_c_stops_after_the_current_batch(digits, ctrl_c_at, solver):
    X, y = digits
    handler = signal.getsignal(signal.SIGINT)
    seen = ctrl_c_at(call=7)
    clf = VanillaMLPClassifier((10,), solver=solver, batch_size=50, max_iter=100, random_state=0)
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.fit(X, y)
    # Six batches per epoch: the seventh is the first of epoch two.  Its step
    # was taken, and no batch ran after it.
    assert len(seen) == 7
    assert any(not np.array_equal(w, s) for w, s in zip(_weights(clf), seen[-1]))
    assert clf.n_iter_ == 1
    assert signal.getsignal(signal.SIGINT) is handler
    _assert_usable(clf, X, y)


def test_a_second_ctrl_c_stops_at_once_with_the_last_weights(digits, ctrl_c_at):
    X, y = digits
    seen = ctrl_c_at(call=4, times=2)
    clf = VanillaMLPClassifier((10,), solver="sgd", batch_size=50, max_iter=100, random_state=0)
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.fit(X, y)
    assert len(seen) == 4
    # Stopped inside the fourth batch, before its step: the weights are the
    # third batch's result.
    for w, s in zip(_weights(clf), seen[-1]):
        np.testing.assert_array_equal(w, s)
    _assert_usable(clf, X, y)


def test_ctrl_c_during_lbfgs_keeps_the_last_iterate(digits, ctrl_c_at):
    X, y = digits
    handler = signal.getsignal(signal.SIGINT)
    ctrl_c_at(call=5)
    clf = VanillaMLPClassifier((10,), solver="lbfgs", max_iter=500, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(UserWarning, match=INTERRUPTED):
            clf.fit(X, y)
    assert clf.n_iter_ < 20
    assert signal.getsignal(signal.SIGINT) is handler
    _assert_usable(clf, X, y)


def test_a_second_ctrl_c_during_lbfgs_stops_at_once_with_the_last_iterate(digits, ctrl_c_at):
    X, y = digits
    handler = signal.getsignal(signal.SIGINT)
    seen = ctrl_c_at(call=8, times=2)
    clf = VanillaMLPClassifier((10,), solver="lbfgs", max_iter=500, random_state=0)
    iterates = []
    real_record = clf._epoch_callbacks

    def record_iterate(*args, **kwargs):  # after_iteration has just stored the iterate
        iterates.append([w.copy() for w in _weights(clf)])
        return real_record(*args, **kwargs)

    clf._epoch_callbacks = record_iterate
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.fit(X, y)  # no KeyboardInterrupt out of fit
    del clf._epoch_callbacks
    assert len(seen) == 8  # stopped inside the eighth evaluation
    assert clf.n_iter_ == len(clf.loss_curve_) == len(iterates) >= 1
    for w, s in zip(_weights(clf), iterates[-1]):
        np.testing.assert_array_equal(w, s)
    assert clf.loss_ == clf.loss_curve_[-1]
    assert signal.getsignal(signal.SIGINT) is handler
    _assert_usable(clf, X, y)


def test_early_stopping_interrupted_keeps_the_best_weights(digits, ctrl_c_at):
    X, y = digits
    ctrl_c_at(call=20)
    clf = VanillaMLPClassifier(
        (10,), solver="adam", batch_size=50, max_iter=100, early_stopping=True,
        learning_rate_init=0.01, random_state=0,
    )
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.fit(X, y)
    assert clf.n_iter_ >= 1 and clf.best_validation_score_ == max(clf.validation_scores_)
    _assert_usable(clf, X, y)


def test_training_works_again_after_an_interrupt(digits, ctrl_c_at, monkeypatch):
    X, y = digits
    ctrl_c_at(call=3)
    clf = VanillaMLPClassifier((10,), solver="adam", batch_size=50, max_iter=30, random_state=0)
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.fit(X, y)
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no stale interrupt
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        assert clf.n_iter_ == 30
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 31
    _assert_usable(clf, X, y)
    assert clf.score(X, y) > 0.8


def test_fit_in_another_thread_leaves_signals_alone(digits):
    X, y = digits
    handler = signal.getsignal(signal.SIGINT)
    result = {}

    def work():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result["clf"] = VanillaMLPClassifier((5,), max_iter=3, random_state=0).fit(X, y)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert signal.getsignal(signal.SIGINT) is handler
    _assert_usable(result["clf"], X, y)


def test_a_custom_sigint_handler_is_respected(digits, ctrl_c_at):
    # Someone else's handler (a server's graceful shutdown, say) still gets
    # the signal: fit installs its own only over Python's default one.
    X, y = digits
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        ctrl_c_at(call=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = VanillaMLPClassifier((5,), batch_size=100, max_iter=4, random_state=0)
            clf.fit(X, y)
        assert received == [signal.SIGINT] and clf.n_iter_ == 4
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_refit_interrupted_in_its_first_epoch_keeps_its_own_weights(digits, ctrl_c_at):
    # No epoch of the new fit has a validation score yet: nothing of the
    # previous fit's early stopping (its best weights) may come back.
    X, y = digits
    clf = VanillaMLPClassifier((10,), early_stopping=True, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    seen = ctrl_c_at(call=1)
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.set_params(hidden_layer_sizes=(7,), batch_size=50).fit(X, y)
    assert clf.n_iter_ == 0 and clf.validation_scores_ is None
    assert [w.shape for w in _weights(clf)] == [w.shape for w in seen[0]]
    assert clf.coefs_[0].shape == (64, 7)
    _assert_usable(clf, X, y)


def test_a_second_ctrl_c_in_lbfgs_first_evaluation_keeps_the_start(digits, ctrl_c_at):
    # No iterate yet: the fit keeps the starting weights, and its loss is theirs.
    X, y = digits
    seen = ctrl_c_at(call=1, times=2)
    clf = VanillaMLPClassifier((10,), solver="lbfgs", max_iter=500, random_state=0)
    with pytest.warns(UserWarning) as record:
        clf.fit(X, y)
    assert [str(w.message) for w in record] == [
        "Training interrupted by user. The last weights are kept."
    ]
    # Outside the training module (it should be the caller's line: tests/MUTATION.md).
    assert outside_skvanilla(record[0].filename)
    assert clf.n_iter_ == 0 and clf.loss_curve_ == []
    for w, s in zip(_weights(clf), seen[0]):
        np.testing.assert_array_equal(w, s)
    assert np.isfinite(clf.loss_) and clf.loss_ > 0 and clf.best_loss_ == clf.loss_
    _assert_usable(clf, X, y)


def test_the_stochastic_interruption_warning_in_full(digits, ctrl_c_at):
    X, y = digits
    ctrl_c_at(call=2)
    clf = VanillaMLPClassifier((10,), solver="sgd", max_iter=5, random_state=0)
    with pytest.warns(UserWarning) as record:
        clf.fit(X, y)
    assert [str(w.message) for w in record] == [
        "Training interrupted by user. The last weights are kept."
    ]
    assert outside_skvanilla(record[0].filename)  # see tests/MUTATION.md


def test_a_second_ctrl_c_after_a_diverging_step_keeps_finite_weights(digits, ctrl_c_at):
    # A learning rate far too large overflows the weights in the first two steps; the second
    # Ctrl-C then lands in the third batch, before the check at the end of the epoch could
    # refuse them.  The fit still ends with the weights the epoch started from, never with
    # non-finite ones.
    X, y = digits
    seen = ctrl_c_at(call=3, times=2)
    clf = VanillaMLPClassifier(
        (10,), solver="sgd", learning_rate_init=1e200, momentum=0.0, batch_size=50,
        max_iter=100, random_state=0,
    )
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.fit(X, y)
    assert len(seen) == 3
    assert not all(np.isfinite(w).all() for w in seen[-1])  # the case this test is about
    for w, s in zip(_weights(clf), seen[0]):
        np.testing.assert_array_equal(w, s)
    _assert_usable(clf, X, y)


def test_a_second_ctrl_c_in_lbfgs_first_evaluation_on_overflowing_data_is_one_clear_error(
    ctrl_c_at,
):
    # With no iterate yet the fit takes the objective at the start itself; where that overflows
    # (inputs scaled by 1e200) it refuses the weights with the reason, and numpy's overflow and
    # invalid-value warnings stay inside, as in a fit that is not interrupted.
    X = np.random.RandomState(0).randn(50, 3)
    ctrl_c_at(call=1, times=2)
    reg = VanillaMLPRegressor(hidden_layer_sizes=(10,), solver="lbfgs", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        diverged = "^Solver produced non-finite parameter weights.*lbfgs met a non-finite"
        with pytest.raises(ValueError, match=diverged):
            reg.fit(X * 1e200, X[:, 0])


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_an_interrupted_model_is_complete_and_saves_with_pickle_joblib_and_skops(
    digits, ctrl_c_at, solver
):
    # The epoch (or iteration) in flight when Ctrl-C came had opened a callback context that
    # stayed on the estimator, and skops then failed on it (RecursionError).
    pytest.importorskip("skops.io")
    X, y = digits
    ctrl_c_at(call=7)
    clf = VanillaMLPClassifier((10,), solver=solver, batch_size=50, max_iter=100,
                               random_state=0)
    with pytest.warns(UserWarning, match=INTERRUPTED):
        clf.fit(X, y)
    assert not hasattr(clf, "_epoch_context")
    expected = clf.predict_proba(X)
    for copy in saved_and_loaded(clf):
        np.testing.assert_array_equal(copy.predict_proba(X), expected)
