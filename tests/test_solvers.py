"""The solvers' stopping paths and bookkeeping, against scikit-learn's MLPClassifier.

``test_same_weights_as_mlpclassifier`` (test_classifier.py) compares the
weights after a fixed number of epochs; these tests drive each solver to the
places that test never reaches: the end of a stalled fit (each SGD learning-rate
schedule, with what ``verbose`` prints there), momentum 1, and L-BFGS's
per-iteration record, its stopping rules and its float32 iterates.  Each of
them fails on a mutant of the numeric core that the rest of the suite let
through (tests/MUTATION.md).
"""

import inspect
import warnings

import numpy as np
import pytest
from helpers import assert_same_weights, quiet
from recorders import EpochRecorder
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[::3], y[::3]


def test_lbfgs_records_every_iteration(cancer, capsys):
    """One ``loss_curve_`` entry and one verbose line per L-BFGS iteration.

    MLPClassifier keeps no curve for L-BFGS, but a fit stopped after ``k``
    iterations ends with the objective after the ``k``-th: the curve's
    entries, one by one.
    """
    X, y = cancer
    kw = dict(hidden_layer_sizes=(6,), solver="lbfgs", random_state=0)
    ours = quiet(VanillaMLPClassifier(max_iter=5, verbose=True, **kw).fit, X, y)
    lines = capsys.readouterr().out.splitlines()
    assert ours.n_iter_ == len(ours.loss_curve_) == 5
    curve = enumerate(ours.loss_curve_, 1)
    assert lines == [f"Iteration {k}, loss = {loss:.8f}" for k, loss in curve]
    for k, loss in enumerate(ours.loss_curve_, 1):
        theirs = quiet(MLPClassifier(max_iter=k, **kw).fit, X, y)
        assert theirs.n_iter_ == k
        assert loss == pytest.approx(theirs.loss_, rel=1e-12)
    assert ours.loss_ == ours.loss_curve_[-1] and ours.best_loss_ == min(ours.loss_curve_)
    assert_same_weights(ours, theirs)


@pytest.mark.parametrize(
    "params, reason",
    [
        (dict(max_fun=12), "EVALUATIONS EXCEEDS LIMIT"),  # max_fun bounds loss evaluations
        (dict(tol=1e-2, max_iter=500), None),  # tol is the projected-gradient bound
    ],
    ids=["max_fun", "tol"],
)
def test_lbfgs_stops_where_mlpclassifier_does(cancer, params, reason):
    X, y = cancer
    kw = dict(hidden_layer_sizes=(6,), solver="lbfgs", random_state=0, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = VanillaMLPClassifier(**kw).fit(X, y)
    theirs = quiet(MLPClassifier(**kw).fit, X, y)
    messages = [str(w.message) for w in caught]
    assert any(reason in m for m in messages) if reason else messages == []
    assert ours.n_iter_ == theirs.n_iter_ < kw.get("max_iter", 200)
    assert_same_weights(ours, theirs)


def targets(X, y, kind):
    """Binary labels, three classes, or three labels, all from the same data."""
    if kind == "binary":
        return y
    if kind == "multiclass":
        return np.digitize(X[:, 0], np.quantile(X[:, 0], [1 / 3, 2 / 3]))
    return np.column_stack([y, X[:, 0] > 0, X[:, 1] < 0]).astype(int)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_lbfgs_on_float32_computes_in_float32(cancer, kind):
    """Every iterate a callback sees is float32, and so are the fitted weights.

    Logistic output units (one, or one per class or label) with the log-loss.
    (scikit-learn's lbfgs turns float32 weights into float64 ones: a
    difference kept on purpose, see docs/migrating.rst.)
    """
    X, y = cancer
    recorder = EpochRecorder()
    clf = VanillaMLPClassifier(
        (6,), solver="lbfgs", out_activation="logistic", max_iter=5, random_state=0
    )
    quiet(clf.set_callbacks(recorder).fit, X.astype(np.float32), targets(X, y, kind))
    snapshots = [fitted for _, task, fitted in recorder.ends if task == "iteration"]
    assert len(snapshots) == clf.n_iter_ == 5
    for snapshot in snapshots:
        assert {p.dtype for p in snapshot.coefs_ + snapshot.intercepts_} == {np.dtype(np.float32)}
    assert {p.dtype for p in clf.coefs_ + clf.intercepts_} == {np.dtype(np.float32)}

def fit_both(X, y, capsys, **kw):
    """Fit ours and MLPClassifier alike, verbosely; return both and what each printed."""
    fitted = []
    for cls in (VanillaMLPClassifier, MLPClassifier):
        clf = quiet(cls(verbose=True, **kw).fit, X, y)
        fitted.append((clf, capsys.readouterr().out.splitlines()))
    return fitted


def assert_same_lines(ours, theirs):
    """The same lines; losses (printed to 8 decimals) within rounding of each other."""
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if a.startswith("Iteration ") and b.startswith("Iteration "):
            head_a, loss_a = a.rsplit(" ", 1)
            head_b, loss_b = b.rsplit(" ", 1)
            assert head_a == head_b and float(loss_a) == pytest.approx(float(loss_b), abs=2e-8)
        else:
            assert a == b


# With tol far above any loss, no epoch improves: a fit stalls after
# n_iter_no_change + 1 epochs, and the adaptive schedule divides its learning
# rate by 5 each time, until it is at most 1e-6 (3.2e-7 after five divisions
# from 1e-3).  From 1e-6 exactly, it is already at the floor and stops at once.
STALLS = {
    "constant": (dict(learning_rate="constant"), 3, "Stopping."),
    "invscaling": (dict(learning_rate="invscaling"), 3, "Stopping."),
    "adaptive": (dict(learning_rate="adaptive"), 13, "Learning rate too small. Stopping."),
    "adaptive-at-floor": (
        dict(learning_rate="adaptive", learning_rate_init=1e-6),
        3,
        "Learning rate too small. Stopping.",
    ),
    "adam": (dict(solver="adam"), 3, "Stopping."),
}


@pytest.mark.parametrize("case", list(STALLS))
def test_a_stalled_fit_stops_as_mlpclassifier_does(cancer, capsys, case):
    params, n_iter, stop = STALLS[case]
    X, y = cancer
    kw = dict(
        hidden_layer_sizes=(6,), solver="sgd", batch_size=50, tol=10.0, n_iter_no_change=1,
        max_iter=100, random_state=0,
    )
    (ours, our_lines), (theirs, their_lines) = fit_both(X, y, capsys, **{**kw, **params})
    assert ours.n_iter_ == theirs.n_iter_ == n_iter
    assert ours._optimizer.learning_rate == pytest.approx(
        theirs._optimizer.learning_rate, rel=1e-12
    )
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert_same_weights(ours, theirs)
    assert_same_lines(our_lines, their_lines)
    assert our_lines[-1].endswith(" consecutive epochs. " + stop)
    if case == "adaptive":
        divisions = [ln for ln in our_lines if "Setting learning rate to" in ln]
        assert [ln.rsplit(" ", 1)[1] for ln in divisions] == [
            "0.000200", "0.000040", "0.000008", "0.000002", "0.000000"
        ]


@pytest.mark.parametrize("nesterovs_momentum", [True, False])
def test_momentum_one_is_mlpclassifiers(cancer, nesterovs_momentum):
    """momentum=1 (allowed) keeps the whole velocity: it is not plain SGD."""
    X, y = cancer
    kw = dict(
        hidden_layer_sizes=(6,), solver="sgd", momentum=1.0, learning_rate_init=1e-3,
        nesterovs_momentum=nesterovs_momentum, batch_size=50, max_iter=4, random_state=0,
    )
    ours = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    theirs = quiet(MLPClassifier(**kw).fit, X, y)
    plain = quiet(VanillaMLPClassifier(**{**kw, "momentum": 0.0}).fit, X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert_same_weights(ours, theirs)
    assert not np.allclose(ours.coefs_[0], plain.coefs_[0], rtol=1e-3)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("head", ["classifier", "regressor"])
def test_training_warnings_point_at_the_callers_line(solver, head):
    # A ConvergenceWarning names the file and line that called fit, as
    # scikit-learn's do, not a line inside this package.
    from skvanilla import VanillaMLPRegressor

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = (VanillaMLPClassifier((4,), solver=solver, max_iter=1, random_state=0)
           if head == "classifier"
           else VanillaMLPRegressor(hidden_layer_sizes=(4,), solver=solver, max_iter=1,
                                    random_state=0))
    with pytest.warns(ConvergenceWarning) as record:
        line = inspect.currentframe().f_lineno + 1
        est.fit(X, y.astype(float))
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)]
