"""fit_many: every fit of a stack ends as the same fit alone, bit for bit, or with its error.

``skvanilla._stack.fit_many`` trains the networks of one shape together (see
its module docstring).  Each test fits a list of estimators with it and each
estimator again alone with ``fit``, and compares every array a fit records
(``assert_same_fit`` of the bit-for-bit tests: weights, ``loss_curve_``,
``n_iter_``, ``t_``, validation scores ..., and the dropout seed and step
count a later ``partial_fit`` goes on from); a fit that fails must fail with
the same exception type and message.  Together with ``test_bit_for_bit.py``
(one fit alone is scikit-learn's) this makes a stacked fit scikit-learn's.
"""

import copy
import warnings

import numpy as np
import pytest
import sklearn
from helpers import assert_same_fit, ctrl_c_in_batch
from hypothesis import given, settings
from hypothesis import strategies as st
from recorders import EpochRecorder
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor
from skvanilla._stack import fit_many


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


def _splits(n, sizes, seed=0):
    rng = np.random.RandomState(seed)
    return [np.sort(rng.permutation(n)[:size]) for size in sizes]


def _fit_both(base, grid, X, y, splits, fit_params=None, n_jobs=None):
    """fit_many over grid x splits, and the same fits alone; returns (stacked, alone) lists."""
    estimators, datasets = [], []
    for rows in splits:
        X_train, y_train = X[rows], y[rows]  # one X per training set, shared by its fits
        params = {k: (v[rows] if k == "sample_weight" else v)
                  for k, v in (fit_params or {}).items()}
        for candidate in grid:
            estimators.append(clone(base).set_params(**candidate))
            datasets.append((X_train, y_train, params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "Got `batch_size`", UserWarning)  # clipped: both
        stacked = [result for result, _ in fit_many(estimators, datasets, n_jobs=n_jobs)]
        alone = []
        for estimator, (X_train, y_train, params) in zip(estimators, datasets):
            try:
                alone.append(clone(estimator).fit(X_train, y_train, **params))
            except Exception as error:
                alone.append(error)
    return stacked, alone


def assert_same_results(stacked, alone):
    assert len(stacked) == len(alone)
    for ours, theirs in zip(stacked, alone):
        if isinstance(theirs, Exception):
            assert type(ours) is type(theirs) and str(ours) == str(theirs)
        else:
            assert not isinstance(ours, Exception), ours
            assert_same_fit(ours, theirs)
            for name in ("_dropout_seed", "_dropout_step"):
                assert getattr(ours, name, None) == getattr(theirs, name, None), name


@pytest.fixture
def stacks(monkeypatch):
    """The sizes of the stacks fit_many trains; a fit of a stacking kind alone fails the test."""
    from skvanilla import _stack

    sizes, train = [], _stack._train_stack
    monkeypatch.setattr(_stack, "_train_stack", lambda members: (sizes.append(len(members)),
                                                                  train(members)))

    def alone(member):
        raise AssertionError("a fit that can share a stack trained alone")

    monkeypatch.setattr(_stack._Member, "solve_alone", alone)
    return sizes


RATES = [dict(learning_rate_init=lr, alpha=a) for lr in (1e-3, 3e-2) for a in (1e-4, 0.1)]
SOLVERS = {
    "adam": dict(solver="adam"),
    "sgd-constant": dict(solver="sgd", momentum=0.0, batch_size=15),
    "sgd-nesterov": dict(solver="sgd", momentum=0.9),
    "sgd-momentum": dict(solver="sgd", nesterovs_momentum=False),
    "sgd-invscaling": dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.1),
    "sgd-adaptive": dict(solver="sgd", learning_rate="adaptive", tol=1e-2, n_iter_no_change=2),
}


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_a_grid_over_folds_of_other_sizes_trains_as_alone(digits, solver):
    X, y = digits
    base = VanillaMLPClassifier((12,), max_iter=15, random_state=0, **SOLVERS[solver])
    grid = RATES + [dict(momentum=0.5, random_state=7, beta_1=0.8, epsilon=1e-4),
                    dict(nesterovs_momentum=not base.nesterovs_momentum)]
    assert_same_results(*_fit_both(base, grid, X, y, _splits(600, [479, 480, 480, 481])))


@pytest.mark.parametrize("solver", ["adam", "sgd-adaptive"])
def test_members_stop_apart_with_early_stopping(digits, solver):
    X, y = digits
    params = {**SOLVERS[solver], "n_iter_no_change": 2}
    base = VanillaMLPClassifier((10,), early_stopping=True, max_iter=40, random_state=0,
                                **params)
    grid = RATES + [dict(validation_fraction=0.2, tol=1e-3), dict(random_state=3, max_iter=3)]
    stacked, alone = _fit_both(base, grid, X, y, _splits(600, [500, 520]))
    assert len({fit.n_iter_ for fit in alone}) > 2  # the members did stop at other epochs
    assert_same_results(stacked, alone)


def test_weights_classes_and_zero_weight_batches(digits):
    X, y = digits
    sample_weight = np.random.RandomState(0).uniform(0.2, 2.0, len(y))
    sample_weight[:200] = 0.0  # whole batches of zero weight: skipped, as alone
    base = VanillaMLPClassifier((8,), solver="sgd", batch_size=20, shuffle=False, max_iter=6,
                                random_state=0)
    grid = RATES + [dict(class_weight="balanced"), dict(class_weight={0: 3.0})]
    assert_same_results(*_fit_both(base, grid, X, y, _splits(600, [600, 550]),
                                   {"sample_weight": sample_weight}))


def test_multilabel_targets_and_float32_and_integer_X(digits):
    X, y = digits
    Y = np.c_[y % 2, y > 4, y == 7]
    base = VanillaMLPClassifier((9, 5), activation="tanh", max_iter=8, random_state=0)
    assert_same_results(*_fit_both(base, RATES, X.astype(np.float32), Y, _splits(600, [400])))
    integers = (X * 16).astype(np.int64)
    assert_same_results(*_fit_both(base, RATES, integers, y, _splits(600, [300, 301])))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressors_train_as_alone(digits, loss):
    X, y = digits
    target = np.c_[y / 3.0, (y % 3)] if loss == "squared_error" else (y % 4).astype(float)
    base = VanillaMLPRegressor(hidden_layer_sizes=(7,), loss=loss, solver="sgd", max_iter=8,
                               random_state=0, learning_rate_init=1e-3)
    assert_same_results(*_fit_both(base, RATES[:3], X, target, _splits(600, [450, 451])))


def test_a_failing_member_leaves_with_its_own_error_and_the_others_go_on(digits):
    X, y = digits
    base = VanillaMLPClassifier((10,), solver="sgd", max_iter=5, random_state=0)
    grid = [dict(learning_rate_init=1e-2), dict(learning_rate_init=1e300, momentum=0.0),
            dict(alpha=-1.0), dict(learning_rate_init=1e-3)]
    with np.errstate(all="ignore"):
        stacked, alone = _fit_both(base, grid, X * 1e3, y, _splits(600, [500]))
    kinds = [type(result).__name__ for result in stacked]
    assert kinds == ["VanillaMLPClassifier", "TrainingDiverged", "InvalidParameterError",
                     "VanillaMLPClassifier"]
    assert_same_results(stacked, alone)


def test_what_cannot_share_a_stack_trains_alone_with_the_same_results(digits):
    X, y = digits
    cases = [
        (VanillaMLPClassifier((6,), solver="lbfgs", max_iter=15, random_state=0), X),
        (VanillaMLPClassifier((6,), max_iter=4, random_state=0), sparse.csr_matrix(X)),
    ]
    for base, X_case in cases:
        assert_same_results(*_fit_both(base, [{}, {}], X_case, y, _splits(600, [500])))
    # Not skvanilla's: fit as it is (assert_same_fit compares only MLP attributes).
    rows = _splits(600, [500])[0]
    stacked, _ = _fit_both(LogisticRegression(max_iter=500), [{}], X, y, [rows])
    expected = LogisticRegression(max_iter=500).fit(X[rows], y[rows])
    np.testing.assert_array_equal(stacked[0].coef_, expected.coef_)


#: Dropout rates, 0 among them: a member without dropout shares the stack (with masks of ones).
DROPOUTS = [dict(dropout=p, random_state=s) for p, s in
            [(0.0, 0), (0.1, 0), (0.5, 0), (0.3, 4), (0.0, 5), (0.1, 6)]]


@pytest.mark.parametrize("solver", ["adam", "sgd-nesterov", "sgd-adaptive"])
def test_members_with_other_dropout_rates_share_a_stack_and_train_as_alone(
    digits, solver, stacks
):
    X, y = digits
    base = VanillaMLPClassifier((12, 7), max_iter=8, random_state=0, **SOLVERS[solver])
    stacked, alone = _fit_both(base, DROPOUTS + [dict(dropout=0.2, alpha=0.1)], X, y,
                               _splits(600, [479, 480, 481]))
    assert stacks == [21]  # seven members on three training sets, in one stack
    assert len({fit._dropout_seed for fit in alone}) > 3  # their own seeds ...
    assert len({fit._dropout_step for fit in alone}) > 1  # ... and their own step counts
    assert_same_results(stacked, alone)


def test_dropout_with_weights_early_stopping_float32_and_integer_X(digits, stacks):
    X, y = digits
    sample_weight = np.random.RandomState(0).uniform(0.2, 2.0, len(y))
    sample_weight[:200] = 0.0  # zero-weight batches draw no masks and count no step, as alone
    base = VanillaMLPClassifier((8,), solver="sgd", batch_size=20, shuffle=False, max_iter=6,
                                random_state=0)
    assert_same_results(*_fit_both(base, DROPOUTS, X, y, _splits(600, [600, 550]),
                                   {"sample_weight": sample_weight}))
    base = VanillaMLPClassifier((10,), early_stopping=True, n_iter_no_change=2, tol=1e-3,
                                learning_rate_init=1e-2, max_iter=30, random_state=0)
    stacked, alone = _fit_both(base, DROPOUTS, X.astype(np.float32), y, _splits(600, [500]))
    assert len({fit.n_iter_ for fit in alone}) > 1  # the members did stop at other epochs
    assert_same_results(stacked, alone)
    integers = (X * 16).astype(np.int64)  # keyed as the floats the network reads
    base = VanillaMLPRegressor(hidden_layer_sizes=(6, 5), max_iter=4, random_state=0,
                               learning_rate_init=1e-3)
    stacked, alone = _fit_both(base, DROPOUTS, integers, y / 9.0, _splits(600, [300, 301]))
    assert_same_results(stacked, alone)
    assert not any(isinstance(fit, Exception) for fit in stacked)
    assert stacks == [12, 6, 12]


def test_a_validation_set_of_ones_own_and_workers(digits):
    X, y = digits
    base = VanillaMLPClassifier((10,), early_stopping=True, max_iter=10, n_iter_no_change=3,
                                random_state=0)
    params = {"X_val": X[500:], "y_val": y[500:]}
    assert_same_results(*_fit_both(base, RATES, X, y, _splits(500, [400, 450]), params))
    assert_same_results(*_fit_both(base, RATES, X, y, _splits(600, [400, 450]), n_jobs=2))


@settings(max_examples=12, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 8), min_size=1, max_size=2),
    activation=st.sampled_from(["relu", "tanh", "logistic", "identity"]),
    solver=st.sampled_from(sorted(SOLVERS)),
    batch_size=st.integers(5, 80),
    sizes=st.lists(st.integers(30, 120), min_size=1, max_size=3),
    rates=st.lists(st.sampled_from([1e-3, 1e-2, 0.1]), min_size=1, max_size=3),
    dropouts=st.lists(st.sampled_from([0.0, 0.0, 0.2, 0.6]), min_size=3, max_size=3),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**10),
)
def test_random_stacks_train_as_their_members_alone(
    digits, hidden, activation, solver, batch_size, sizes, rates, dropouts, shuffle, seed
):
    X, y = digits
    base = VanillaMLPClassifier(
        hidden, activation=activation, batch_size=batch_size, shuffle=shuffle, max_iter=4,
        random_state=seed, **{k: v for k, v in SOLVERS[solver].items() if k != "batch_size"},
    )
    grid = [dict(learning_rate_init=rate, random_state=seed + i, dropout=dropouts[i])
            for i, rate in enumerate(rates)]
    assert_same_results(*_fit_both(base, grid, X, y, _splits(600, sizes, seed)))


def test_a_stack_larger_than_the_budget_is_cut_and_trains_the_same(digits, monkeypatch):
    from skvanilla import _stack

    X, y = digits
    sizes = []
    train = _stack._train_stack
    monkeypatch.setattr(_stack, "_train_stack", lambda members: (sizes.append(len(members)),
                                                                  train(members)))
    base = VanillaMLPClassifier((12,), max_iter=4, random_state=0)
    grid = RATES + [dict(random_state=5)]
    # A member: 7 vectors of 910 parameters, and a batch of 200 rows of X (64),
    # targets (2 x 10) and 4 buffers per layer (12 + 10 units), in float64.
    member = 8 * (7 * 910 + 200 * (64 + 2 * 10 + 4 * 22))
    monkeypatch.setattr(_stack, "STACK_BUDGET", 3 * member + 1)
    assert_same_results(*_fit_both(base, grid, X, y, _splits(600, [500, 510])))
    assert sizes == [3, 3, 3]  # 10 fits of one shape, 3 to a stack; the tenth alone


def test_workers_keep_the_callers_warning_filters(digits):
    """As scikit-learn's search: a filter set around the call holds in joblib's workers."""
    X, y = digits
    estimators = [VanillaMLPClassifier((5,), max_iter=2, random_state=s) for s in range(2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        results = fit_many(estimators, [(X, y, {})] * 2, n_jobs=2)
    assert all(isinstance(result, ConvergenceWarning) for result, _ in results)


def test_a_clipped_batch_size_warns_once_per_fit_as_alone(digits):
    X, y = digits
    estimators = [VanillaMLPClassifier((5,), batch_size=900, max_iter=2, random_state=s)
                  for s in range(3)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_many(estimators, [(X, y, {})] * 3)
    clipped = [w for w in caught if "Got `batch_size`" in str(w.message)]
    assert len(clipped) == 3  # fit warns once; the stack's grouping and budget ask silently


# -- PyTorch tensors (the array-api extra), with array_api_dispatch -------------------------


def _on_torch(X, y, dtype, sample_weight=None):
    """``X`` (in ``dtype``), ``y`` and the weights as CPU tensors; skips without torch."""
    torch = pytest.importorskip("torch", reason="torch is in the array-api extra")
    dtype = getattr(torch, np.dtype(dtype).name)
    weights = {} if sample_weight is None else {"sample_weight": torch.asarray(sample_weight,
                                                                               dtype=dtype)}
    return torch.asarray(X, dtype=dtype), torch.asarray(y), weights


def assert_same_tensors(stacked, alone):
    """assert_same_results, and every weight a tensor ``torch.equal`` to the one alone."""
    import torch

    assert_same_results(stacked, alone)
    for ours, theirs in zip(stacked, alone):
        if isinstance(theirs, Exception):
            continue
        for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
            assert isinstance(a, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", ["adam", "sgd-nesterov", "sgd-adaptive"])
def test_a_stack_of_torch_fits_trains_as_each_alone(digits, solver, dtype, stacks):
    X, y = digits
    X, y, _ = _on_torch(X, y, dtype)
    base = VanillaMLPClassifier((12,), max_iter=5, random_state=0, **SOLVERS[solver])
    grid = RATES + [dict(momentum=0.5, random_state=7, beta_1=0.8, epsilon=1e-4),
                    dict(nesterovs_momentum=not base.nesterovs_momentum)]
    with sklearn.config_context(array_api_dispatch=True):
        stacked, alone = _fit_both(base, grid, X, y, _splits(600, [479, 481]))
    assert stacks == [12]  # six candidates on two training sets, in one stack
    assert len({fit.loss_curve_[-1] for fit in alone}) > 8  # (momentum is not Adam's)
    assert_same_tensors(stacked, alone)


def test_torch_stacks_with_weights_early_stopping_dropout_and_a_failing_member(digits, stacks):
    X, y = digits
    sample_weight = np.random.RandomState(0).uniform(0.2, 2.0, len(y))
    sample_weight[:200] = 0.0  # whole batches of zero weight: skipped, as alone
    X_w, y_w, weights = _on_torch(X, y, np.float64, sample_weight)
    base = VanillaMLPClassifier((8,), solver="sgd", batch_size=50, shuffle=False, max_iter=5,
                                random_state=0)
    grid = RATES[1:] + [dict(class_weight="balanced", dropout=0.3),
                    dict(learning_rate_init=1e300, momentum=0.0)]  # diverges, alone too
    with sklearn.config_context(array_api_dispatch=True), np.errstate(all="ignore"):
        stacked, alone = _fit_both(base, grid, X_w, y_w, _splits(600, [600, 550]), weights)
    assert [type(fit).__name__ for fit in stacked].count("TrainingDiverged") == 2
    assert_same_tensors(stacked, alone)
    X_f, y_f, _ = _on_torch(X, y, np.float32)
    base = VanillaMLPClassifier((10,), early_stopping=True, n_iter_no_change=2, tol=1e-3,
                                learning_rate_init=1e-2, max_iter=20, random_state=0)
    with sklearn.config_context(array_api_dispatch=True):
        stacked, alone = _fit_both(base, DROPOUTS[:4], X_f, y_f, _splits(600, [500, 520]))
    assert len({fit.n_iter_ for fit in alone}) > 1  # the members did stop at other epochs
    assert_same_tensors(stacked, alone)
    assert stacks == [10, 8]


def test_warm_starts_share_a_stack_and_go_on_as_alone(digits, stacks):
    """Fitted models with warm_start=True go on from their weights in one stack, as alone."""
    X, y = digits
    rows = _splits(600, [500])[0]
    first = [VanillaMLPClassifier((10,), warm_start=True, max_iter=3, random_state=seed,
                                  solver=solver) for seed in (0, 1) for solver in ("sgd", "adam")]
    with warnings.catch_warnings(action="ignore", category=ConvergenceWarning):
        for model in first:
            model.fit(X[rows], y[rows])
        ours, theirs = copy.deepcopy(first), copy.deepcopy(first)
        for model in ours + theirs:
            model.set_params(learning_rate_init=0.01, max_iter=4)
        results = fit_many(ours, [(X[rows], y[rows], {})] * len(ours))
        for model in theirs:
            model.fit(X[rows], y[rows])
    for (result, _), model in zip(results, theirs):
        assert_same_fit(result, model)
        assert result.n_iter_ == 4 and len(result.loss_curve_) == 7  # 3 epochs, then 4 more
    assert sorted(stacks) == [2, 2]  # one stack per solver


def test_fits_with_callbacks_share_a_stack_and_report_each_epoch_as_alone(digits, stacks):
    """Each stacked fit tells its own callbacks of each epoch, with its own weights."""
    X, y = digits
    rows = _splits(600, [500])[0]

    def fits():
        recorders = [EpochRecorder() for _ in range(3)]
        models = [VanillaMLPClassifier((10,), max_iter=4, learning_rate_init=rate,
                                       random_state=0).set_callbacks(recorder)
                  for rate, recorder in zip((1e-3, 1e-2, 1e-1), recorders)]
        return models, recorders

    (ours, our_records), (theirs, their_records) = fits(), fits()
    with warnings.catch_warnings(action="ignore", category=ConvergenceWarning):
        results = fit_many(ours, [(X[rows], y[rows], {})] * 3)
        for model in theirs:
            model.fit(X[rows], y[rows])
    assert stacks == [3]
    for (result, _), model, mine, alone in zip(results, theirs, our_records, their_records):
        assert_same_fit(result, model)
        epochs = [[e[2] for e in record.ends if e[1] == "epoch"] for record in (mine, alone)]
        assert len(epochs[0]) == len(epochs[1]) == 4
        for snapshot, expected in zip(*epochs):  # the weights after each epoch
            for a, b in zip(snapshot.coefs_ + snapshot.intercepts_,
                            expected.coefs_ + expected.intercepts_):
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("how", ["fit", "fit_many"])
def test_a_fit_that_diverges_keeps_its_last_finite_weights_not_its_best(digits, monkeypatch, how):
    """Under early stopping a diverged fit raises with its last finite weights, not its best."""
    from skvanilla import _training
    from skvanilla._stopping import TrainingDiverged

    X, y = digits
    real, calls = _training.check_finite, []

    def diverge_in_the_fourth_epoch(loss, theta, last_good, xp):
        calls.append(None)
        if len(calls) == 4:  # as for a loss that is not finite: the epoch's start, and raise
            theta[...] = last_good
            raise TrainingDiverged("diverged")
        return real(loss, theta, last_good, xp)

    monkeypatch.setattr(_training, "check_finite", diverge_in_the_fourth_epoch)
    recorder = EpochRecorder()
    model = VanillaMLPClassifier(
        (10,), solver="sgd", learning_rate_init=1.0, early_stopping=True, n_iter_no_change=100,
        max_iter=10, random_state=0,
    ).set_callbacks(recorder)
    if how == "fit":
        with pytest.raises(TrainingDiverged):
            model.fit(X, y)
    else:
        ((result, _),) = fit_many([model], [(X, y, {})])
        assert isinstance(result, TrainingDiverged)
    snapshots = [e[2] for e in recorder.ends if e[1] == "epoch"]
    assert len(snapshots) == 3 and np.argmax(model.validation_scores_) == 0  # best: the first
    for ours, last in zip(model.coefs_ + model.intercepts_,
                          snapshots[-1].coefs_ + snapshots[-1].intercepts_):
        np.testing.assert_array_equal(ours, last)


def test_ctrl_c_stops_a_stack_between_steps_as_each_fit_alone(digits):
    """With an interrupt, Ctrl-C stops every network of a stack after the step in flight."""
    from skvanilla import _stack, _training
    from skvanilla._interrupt import DeferInterrupt

    X, y = digits
    rates = (1e-3, 1e-2)
    stacked = [VanillaMLPClassifier((10,), learning_rate_init=rate, max_iter=5,
                                    random_state=0) for rate in rates]
    alone = [clone(model) for model in stacked]
    with ctrl_c_in_batch(2), DeferInterrupt() as interrupt:
        with pytest.warns(UserWarning, match="interrupted") as record:
            members = [_stack._Member(model, X, y, {}) for model in stacked]
            _training.train_stack(members, interrupt=interrupt)
    assert len(record) == 2  # one warning per network
    for model in alone:
        with ctrl_c_in_batch(2), pytest.warns(UserWarning, match="interrupted"):
            model.fit(X, y)
    for ours, theirs in zip(stacked, alone):
        assert ours.n_iter_ == 0 and ours.loss_curve_ == []  # the part-epoch is not recorded
        assert_same_fit(ours, theirs)
