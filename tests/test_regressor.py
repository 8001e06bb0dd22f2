"""Behaviour of VanillaMLPRegressor as a drop-in MLPRegressor, and what it adds."""

import inspect
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import assert_same_weights, outside_skvanilla, quiet
from hypothesis import given
from hypothesis import strategies as st
from recorders import EpochRecorder
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor, check_gradients


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, (y - y.mean()) / y.std()


@pytest.fixture(scope="module")
def two_outputs(diabetes):
    X, y = diabetes
    return X, np.c_[y, 0.5 * X[:, 2] - X[:, 3] ** 2]


@pytest.fixture(scope="module")
def counts(diabetes):
    """Non-negative targets for the Poisson loss: counts with a log-linear mean."""
    X, _ = diabetes
    rng = np.random.RandomState(0)
    return X, rng.poisson(np.exp(0.3 * X[:, 2] + 0.2 * X[:, 8] + 0.5)).astype(float)


def test_constructor_is_mlpregressors_then_the_extras():
    ours = list(inspect.signature(VanillaMLPRegressor).parameters.values())
    theirs = list(inspect.signature(MLPRegressor).parameters.values())
    assert [(p.name, p.default, p.kind) for p in ours[: len(theirs)]] == [
        (p.name, p.default, p.kind) for p in theirs
    ]
    assert [p.name for p in ours[len(theirs) :]] == [
        "dropout", "scoring", "weighted_validation_split"
    ]


SOLVERS = [
    dict(solver="sgd"),
    dict(solver="sgd", momentum=0.5, nesterovs_momentum=False, learning_rate="invscaling"),
    dict(solver="adam"),
    dict(solver="lbfgs"),
    dict(solver="adam", activation="tanh", alpha=0.01, batch_size=37),
    dict(solver="sgd", activation="logistic", shuffle=False),
]


@pytest.mark.parametrize("params", SOLVERS)
@pytest.mark.parametrize("data, loss", [("diabetes", "squared_error"), ("counts", "poisson")])
def test_same_weights_as_mlpregressor(params, data, loss, request):
    # One output: the same initialisation, batches, operations and stopping
    # rule as MLPRegressor, so the same model bit for bit, for every solver.
    X, y = request.getfixturevalue(data)
    kw = dict(hidden_layer_sizes=(20, 10), max_iter=12, random_state=0, loss=loss, **params)
    ours = quiet(VanillaMLPRegressor(**kw).fit, X, y)
    theirs = quiet(MLPRegressor(**kw).fit, X, y)
    assert_same_weights(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict(X).shape == theirs.predict(X).shape == (len(X),)
    assert ours.n_iter_ == theirs.n_iter_ and ours.loss_ == theirs.loss_
    for name in ["n_layers_", "n_outputs_", "out_activation_", "t_", "n_features_in_"]:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd"),
        dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=2),
        dict(solver="adam", loss="poisson"),
    ],
)
def test_stops_at_the_same_epoch_as_mlpregressor(params, diabetes):
    # One output: the same loss, so the tol-based rule stops both at the same
    # epoch (and the adaptive schedule lowers the rate at the same epochs).
    X, y = diabetes
    y = np.abs(y) if params.get("loss") == "poisson" else y
    kw = dict(hidden_layer_sizes=(10,), max_iter=300, tol=1e-3, random_state=0)
    kw = {"n_iter_no_change": 3, **kw, **params}
    ours = quiet(VanillaMLPRegressor(**kw).fit, X, y)
    theirs = quiet(MLPRegressor(**kw).fit, X, y)
    assert ours.n_iter_ == theirs.n_iter_ < 300
    assert ours._optimizer.learning_rate == pytest.approx(theirs._optimizer.learning_rate)
    assert_same_weights(ours, theirs)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_same_steps_as_mlpregressor_with_several_outputs(solver, two_outputs):
    # MLPRegressor descends the sum over the outputs (its delta is p - y) and
    # reports the mean: the steps are the same, the reported loss is not.
    # With a stopping rule that does not fire, the weights are the same.
    X, Y = two_outputs
    kw = dict(
        hidden_layer_sizes=(15,),
        max_iter=15,
        n_iter_no_change=100,
        random_state=0,
        solver=solver,
        learning_rate_init=0.01,
        alpha=0.0,
    )
    ours = quiet(VanillaMLPRegressor(**kw).fit, X, Y)
    theirs = quiet(MLPRegressor(**kw).fit, X, Y)
    assert_same_weights(ours, theirs)
    assert ours.predict(X).shape == (len(X), 2) and ours.n_outputs_ == 2
    # loss_ is the objective descended, summed over the 2 outputs (no penalty
    # here, which neither library divides by the outputs).
    np.testing.assert_allclose(ours.loss_curve_, 2 * np.array(theirs.loss_curve_), rtol=1e-9)


def test_poisson_with_several_outputs_is_mlpregressors(counts):
    # MLPRegressor's Poisson loss sums over the outputs, as its delta: all agree.
    X, y = counts
    Y = np.c_[y, y[::-1]]
    kw = dict(hidden_layer_sizes=(10,), loss="poisson", max_iter=10, random_state=0)
    for solver in ["adam", "lbfgs"]:
        ours = quiet(VanillaMLPRegressor(solver=solver, **kw).fit, X, Y)
        theirs = quiet(MLPRegressor(solver=solver, **kw).fit, X, Y)
        assert_same_weights(ours, theirs)
        assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-9)


def test_lbfgs_loss_and_gradient_agree_with_several_outputs(two_outputs):
    # What scipy is handed is one objective and its own gradient.
    X, Y = two_outputs
    reg = VanillaMLPRegressor(hidden_layer_sizes=(6,), activation="tanh", alpha=0.1, random_state=0)
    assert check_gradients(reg, X[:20], Y[:20]) < 1e-6
    fitted = quiet(reg.set_params(solver="lbfgs", max_iter=50).fit, X, Y)
    assert fitted.loss_ == pytest.approx(fitted.loss_curve_[-1])


def test_poisson_predicts_positive_values(counts):
    X, y = counts
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(10,), loss="poisson", random_state=0).fit, X, y
    )
    assert reg.out_activation_ == "exp"
    assert (reg.predict(X) > 0).all()
    assert reg.score(X, y) > 0.05


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_gradients_are_exact(counts, loss):
    X, y = counts
    reg = VanillaMLPRegressor(
        hidden_layer_sizes=(5, 4), activation="tanh", loss=loss, alpha=0.1, random_state=0
    )
    assert check_gradients(reg, X[:15], y[:15], sample_weight=np.arange(1.0, 16.0)) < 1e-6


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_y_is_refused(diabetes, bad):
    X, y = diabetes
    y = y.copy()
    y[3] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        VanillaMLPRegressor(max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        VanillaMLPRegressor(max_iter=1).fit(X, np.zeros_like(y), X_val=X, y_val=y)


def test_negative_y_with_poisson_is_refused(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="poisson.*non-negative"):
        VanillaMLPRegressor(loss="poisson", max_iter=1).fit(X, y)
    ok = np.abs(y)
    with pytest.raises(ValueError, match="poisson.*non-negative"):
        VanillaMLPRegressor(loss="poisson", max_iter=1).fit(X, ok, X_val=X, y_val=y)
    with pytest.raises(ValueError, match="poisson.*non-negative"):
        reg = quiet(VanillaMLPRegressor(loss="poisson", max_iter=2).fit, X, ok)
        reg.partial_fit(X, y)


def test_string_y_and_wrong_number_of_outputs_are_refused(two_outputs):
    X, Y = two_outputs
    # One string a row (the old y had one row too many, and met the row-count check instead).
    with pytest.raises(ValueError, match="must hold numbers"):
        VanillaMLPRegressor(max_iter=1).fit(X, np.array(["a", "b"] * (len(X) // 2)))
    reg = quiet(VanillaMLPRegressor(hidden_layer_sizes=(5,), max_iter=2).fit, X, Y)
    with pytest.raises(ValueError, match="2"):
        reg.partial_fit(X, Y[:, 0])


def test_the_extras_work_for_regression(diabetes):
    X, y = diabetes
    X_train, y_train, X_val, y_val = X[:300], y[:300], X[300:], y[300:]
    reg = VanillaMLPRegressor(
        hidden_layer_sizes=(16, 8),
        activation=["gelu", "softplus"],
        dropout=0.1,
        early_stopping=True,
        scoring="loss",
        learning_rate_init=0.01,
        max_iter=60,
        random_state=0,
    )
    quiet(reg.fit, X_train, y_train, X_val=X_val, y_val=y_val)
    assert len(reg.validation_loss_curve_) == len(reg.validation_scores_) == reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.hidden_activations(X, layer=0).shape == (len(X), 16)
    # Early stopping kept the weights of the best validation score.
    best = -reg.validation_scores_[int(np.argmax(reg.validation_scores_))]
    assert reg.validation_loss_curve_[int(np.argmax(reg.validation_scores_))] == best


def test_default_validation_score_is_r2(diabetes):
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(
            hidden_layer_sizes=(10,), early_stopping=True, max_iter=5, random_state=0
        ).fit,
        X,
        y,
    )
    assert reg.validation_scores_ and all(s <= 1 for s in reg.validation_scores_)
    mlp = quiet(
        MLPRegressor(hidden_layer_sizes=(10,), early_stopping=True, max_iter=5, random_state=0).fit,
        X,
        y,
    )
    assert len(mlp.validation_scores_) == len(reg.validation_scores_)


def test_sample_weight_is_repetition(diabetes):
    X, y = diabetes
    X, y = X[:60], y[:60]
    w = np.r_[np.full(30, 2.0), np.ones(30)]
    X_rep, y_rep = np.r_[X[:30], X], np.r_[y[:30], y]
    kw = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0)
    weighted = quiet(VanillaMLPRegressor(**kw).fit, X, y, sample_weight=w)
    repeated = quiet(VanillaMLPRegressor(**kw).fit, X_rep, y_rep)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), atol=1e-8)


def test_sparse_float32_partial_fit_and_warm_start(diabetes):
    X, y = diabetes
    X32 = X.astype(np.float32)
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit,
        sp.csr_matrix(X32),
        y,
    )
    assert reg.coefs_[0].dtype == np.float32 and reg.predict(X32).dtype == np.float32
    dense = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit, X32, y
    )
    np.testing.assert_allclose(reg.predict(X32), dense.predict(X32), rtol=1e-3, atol=1e-4)
    reg.partial_fit(X32, y)
    assert reg.n_iter_ == 1 and reg.t_ == 6 * len(X)
    warm = quiet(reg.set_params(warm_start=True, max_iter=3).fit, X32, y)
    assert warm.n_iter_ == 3 and warm.t_ == 9 * len(X)
    assert not hasattr(VanillaMLPRegressor(solver="lbfgs"), "partial_fit")
    assert not hasattr(VanillaMLPRegressor(early_stopping=True), "partial_fit")


def test_round_trip_with_mlpregressor(two_outputs):
    X, Y = two_outputs
    mlp = quiet(
        MLPRegressor(hidden_layer_sizes=(6,), solver="adam", max_iter=5, random_state=0).fit, X, Y
    )
    reg = VanillaMLPRegressor.from_sklearn(mlp)
    np.testing.assert_allclose(reg.predict(X), mlp.predict(X), atol=1e-12)
    # Training goes on with the same steps (the stopping rule does not fire).
    reg.partial_fit(X, Y)
    mlp.partial_fit(X, Y)
    assert_same_weights(reg, mlp)
    back = reg.to_sklearn()
    assert type(back) is MLPRegressor and back.n_outputs_ == 2
    np.testing.assert_allclose(back.predict(X), reg.predict(X), atol=1e-12)
    with pytest.raises(ValueError, match="dropout"):
        reg.set_params(dropout=0.1).to_sklearn()
    with pytest.raises(TypeError, match="MLPRegressor"):
        VanillaMLPRegressor.from_sklearn(VanillaMLPRegressor())


def test_skops_needs_to_trust_only_the_regressor(diabetes):
    sio = pytest.importorskip("skops.io", reason="the persist extra is not installed")
    X, y = diabetes
    reg = quiet(VanillaMLPRegressor(hidden_layer_sizes=(6,), max_iter=3, random_state=0).fit, X, y)
    data = sio.dumps(reg)
    assert sio.get_untrusted_types(data=data) == ["skvanilla._regressor.VanillaMLPRegressor"]
    loaded = sio.loads(data, trusted=["skvanilla._regressor.VanillaMLPRegressor"])
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    quiet(loaded.partial_fit, X, y)
    quiet(reg.partial_fit, X, y)
    assert_same_weights(loaded, reg)


def test_pickle_and_grid_search(diabetes):
    X, y = diabetes
    reg = quiet(VanillaMLPRegressor(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit, X, y)
    loaded = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    grid = GridSearchCV(
        VanillaMLPRegressor(solver="lbfgs", max_iter=50, random_state=0),
        {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 1.0]},
        cv=3,
    )
    quiet(grid.fit, X, y)
    assert set(grid.best_params_) == {"hidden_layer_sizes", "alpha"}


@pytest.mark.parametrize(
    "scoring", ["neg_mean_absolute_error", lambda est, X, y: -np.abs(est.predict(X) - y).max()]
)
def test_scoring_names_and_callables(diabetes, scoring):
    X, y = diabetes
    reg = VanillaMLPRegressor(
        hidden_layer_sizes=(8,), early_stopping=True, scoring=scoring, max_iter=8, random_state=0
    )
    quiet(reg.fit, X, y)
    assert len(reg.validation_scores_) == reg.n_iter_
    assert all(s <= 0 for s in reg.validation_scores_)


def test_callbacks_see_every_epoch(diabetes):
    X, y = diabetes
    recorder = EpochRecorder()
    reg = VanillaMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    quiet(reg.set_callbacks(recorder).fit, X, y)
    snapshots = [fitted for _, task, fitted in recorder.ends if task == "epoch"]
    assert len(snapshots) == 3
    np.testing.assert_array_equal(snapshots[-1].predict(X), reg.predict(X))


def test_overflowing_poisson_predictions_are_refused(counts):
    X, y = counts
    reg = quiet(
        VanillaMLPRegressor(
            hidden_layer_sizes=(4,), loss="poisson", max_iter=5, random_state=0
        ).fit,
        X,
        y,
    )
    with pytest.raises(ValueError, match="overflow"):
        reg.predict(X * 1e5)


def test_targets_beyond_float32_are_refused_without_warnings():
    X = np.random.RandomState(0).randn(30, 3).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="too large for float32"):
            VanillaMLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, np.full(30, 1e300))


# -- hostile targets ---------------------------------------------------------


@st.composite
def hostile_targets(draw):
    """Targets a user may pass by mistake, with the loss and solver to fit them."""
    n = 20
    kind = draw(
        st.sampled_from(
            [
                "clean",
                "nan",
                "inf",
                "huge",
                "subnormal",
                "constant",
                "negative",
                "object",
                "strings",
                "bool",
                "short",
                "three_d",
                "columns",
            ]
        )
    )
    rng = np.random.RandomState(draw(st.integers(0, 1000)))
    y = np.abs(rng.randn(n)) if draw(st.booleans()) else rng.randn(n)
    if kind in ("nan", "inf"):
        y[draw(st.integers(0, n - 1))] = (
            np.nan if kind == "nan" else draw(st.sampled_from([np.inf, -np.inf]))
        )
    elif kind == "huge":
        with np.errstate(over="ignore"):  # an infinite target is one of the hostile cases
            y = y * draw(st.sampled_from([1e150, 1e300, np.finfo(float).max]))
    elif kind == "subnormal":
        y = y * 5e-324
    elif kind == "constant":
        y = np.full(n, draw(st.sampled_from([0.0, 1.0, -3.0])))
    elif kind == "negative":
        y = -np.abs(y)
    elif kind == "object":
        y = y.astype(object)
    elif kind == "strings":
        y = np.array(["a", "b"] * (n // 2))
    elif kind == "bool":
        y = y > 0
    elif kind == "short":
        y = y[:-1]
    elif kind == "three_d":
        y = y.reshape(n, 1, 1)
    elif kind == "columns":
        y = rng.randn(n, draw(st.integers(1, 3)))
    params = dict(
        loss=draw(st.sampled_from(["squared_error", "poisson"])),
        solver=draw(st.sampled_from(["adam", "sgd", "lbfgs"])),
        early_stopping=draw(st.booleans()),
    )
    return kind, y, params


@given(hostile_targets())
def test_hostile_targets_give_a_finite_model_or_a_clear_error(case):
    kind, y, params = case
    X = np.random.RandomState(0).randn(20, 3)
    reg = VanillaMLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", DataConversionWarning)
        try:
            reg.fit(X, y)
        except (ValueError, TypeError) as exc:
            assert str(exc), kind
            return
        P = reg.predict(X)
    assert all(np.isfinite(w).all() for w in reg.coefs_ + reg.intercepts_)
    # One column of y predicts 1-D, as MLPRegressor (y is raveled, with a warning).
    k = 1 if np.ndim(y) == 1 else np.shape(y)[1]
    assert np.isfinite(P).all() and P.shape == ((len(y),) if k == 1 else (len(y), k))
    assert kind not in ("nan", "inf", "strings", "short", "three_d"), kind
    if params["loss"] == "poisson":
        assert (np.asarray(y, dtype=float) >= 0).all()


@pytest.mark.parametrize(
    "params",
    [dict(solver="lbfgs"), dict(solver="sgd", early_stopping=True), dict(solver="adam")],
)
def test_from_sklearn_then_continuing_as_mlpregressor(params, diabetes):
    # Adopted mid-training, the copy continues as the original would: the
    # same weights after a warm-started fit of a few more epochs.
    X, y = diabetes
    kw = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0, **params)
    mlp = quiet(MLPRegressor(**kw).fit, X, y)
    reg = VanillaMLPRegressor.from_sklearn(mlp)
    np.testing.assert_allclose(reg.predict(X), mlp.predict(X), atol=1e-12)
    assert reg.get_params() == {**VanillaMLPRegressor().get_params(), **kw}
    if params["solver"] == "lbfgs" or params.get("early_stopping"):
        return  # L-BFGS restarts its memory; the split differs (see migrating.rst)
    quiet(mlp.set_params(warm_start=True).fit, X, y)
    quiet(reg.set_params(warm_start=True).fit, X, y)
    assert_same_weights(reg, mlp)
    assert reg.n_iter_ == mlp.n_iter_ and reg.t_ == mlp.t_


def test_warm_start_continues_as_mlpregressor(diabetes):
    X, y = diabetes
    kw = dict(hidden_layer_sizes=(8,), max_iter=4, warm_start=True, random_state=0)
    ours, theirs = VanillaMLPRegressor(**kw), MLPRegressor(**kw)
    for _ in range(3):
        quiet(ours.fit, X, y)
        quiet(theirs.fit, X, y)
    assert_same_weights(ours, theirs)
    assert ours.loss_curve_ == pytest.approx(theirs.loss_curve_)


# -- the validation set and the stopping rule, as the mutation run asked (tests/MUTATION.md) --


def test_the_held_out_share_is_of_weight_per_class_and_leaves_training_the_rest():
    from skvanilla import VanillaMLPClassifier
    from skvanilla._validation import DataSet, training_and_validation_sets

    rng = np.random.RandomState(0)
    X = rng.randn(400, 3)
    y = np.r_[np.zeros(100, int), np.ones(200, int), np.full(100, 2)]

    def split(model, yy, sw):
        quiet(model.set_params(max_iter=1).fit, X, yy)  # the classifier learns its classes
        model._random_state = np.random.RandomState(0)
        Y = yy.reshape(-1, 1) * 1.0
        train, val = training_and_validation_sets(
            model, DataSet(X, Y, yy, sw), (None, None, None), incremental=False
        )
        # every row on exactly one side, its target and weight with it
        rows = np.r_[train.X[:, 0], val.X[:, 0]]
        np.testing.assert_array_equal(np.sort(rows), np.sort(X[:, 0]))
        return train, val

    # A fifth of the weight, not of the rows: rows of weight 0 stay for training.
    sw = np.where(np.arange(400) % 2 == 0, 4.0, 0.0)
    reg = VanillaMLPRegressor(hidden_layer_sizes=(2,), early_stopping=True, validation_fraction=0.2,
                              weighted_validation_split=True)
    _, val = split(reg, y * 1.0, sw)
    assert (val.sample_weight == 4.0).all() and len(val.y) == 40
    # A fifth of each class, exactly.
    clf = VanillaMLPClassifier((2,), early_stopping=True, validation_fraction=0.2,
                               weighted_validation_split=True)
    _, val = split(clf, y, None)
    assert np.bincount(val.y).tolist() == [20, 40, 20]


def test_early_stopping_trains_on_the_rest_only(diabetes):
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(5,), early_stopping=True, validation_fraction=0.2,
                            max_iter=3,
                            n_iter_no_change=10, random_state=0).fit, X, y
    )
    n_train = reg.t_ // reg.n_iter_
    assert reg.t_ == reg.n_iter_ * n_train and abs(n_train - 0.8 * len(X)) <= 1


def test_a_validation_set_that_cannot_score_is_refused_with_its_reason():
    X = np.random.RandomState(0).randn(10, 3)
    too_small = (
        r"^The validation set is too small. Increase 'validation_fraction' or the size of your "
        r"dataset. validation_fraction={} of {} sample\(s\) holds out {}; or pass X_val, y_val.$"
    )
    same = np.repeat(X[:1], 4, axis=0)  # one distinct row: it stays for training
    weighted = dict(early_stopping=True, weighted_validation_split=True)
    with pytest.raises(ValueError, match=too_small.format(0.5, 4, 0)):
        VanillaMLPRegressor(validation_fraction=0.5, **weighted).fit(same, same[:, 0])
    # R² is undefined on one row: refused, as MLPRegressor refuses it, by either split
    for split in (weighted, dict(early_stopping=True)):
        with pytest.raises(ValueError, match=too_small.format(0.2, 3, 1)):
            VanillaMLPRegressor(validation_fraction=0.2, **split).fit(X[:3], X[:3, 0])
    with pytest.raises(ValueError, match="^The validation set is too small. Increase"):
        MLPRegressor(validation_fraction=0.2, early_stopping=True).fit(X[:3], X[:3, 0])
    # two rows to score and one to train on are enough
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(2,), validation_fraction=0.6, max_iter=2,
                            **weighted).fit, X[:3], X[:3, 0]
    )
    assert reg.t_ == reg.n_iter_ and np.isfinite(reg.validation_scores_).all()


def _scripted(scores):
    """A scorer that returns ``scores`` one after the other."""
    it = iter(scores)
    return lambda estimator, X, y: next(it)


@pytest.mark.parametrize(
    "scores, n_iter",
    [
        ([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], 6),  # each rises by exactly tol: progress
        ([0.0, 0.25, 0.5, 0.75, 1.0, 1.25], 4),  # by less than tol: none
    ],
)
def test_early_stopping_rule_is_mlpregressors(diabetes, scores, n_iter):
    # scikit-learn: no improvement when score < best + tol; best kept when score > best.
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(3,), early_stopping=True, tol=0.5,
                            n_iter_no_change=2,
                            max_iter=6, random_state=0, scoring=_scripted(scores)).fit,
        X, y, X_val=X[:50], y_val=y[:50]
    )
    assert reg.n_iter_ == n_iter


def test_early_stopping_restores_the_first_of_equal_best_scores(diabetes):
    X, y = diabetes
    kw = dict(hidden_layer_sizes=(3,), random_state=0, n_iter_no_change=2)
    reg = quiet(
        VanillaMLPRegressor(**kw, early_stopping=True, max_iter=10,
                            scoring=_scripted([1.0] * 10)).fit,
        X, y, X_val=X[:50], y_val=y[:50]
    )
    assert reg.n_iter_ == 4
    first = quiet(VanillaMLPRegressor(**kw, max_iter=1).fit, X, y)
    assert_same_weights(reg, first)


@pytest.mark.parametrize("scoring", [None, "r2"])
def test_validation_and_test_scores_use_the_sample_weights(diabetes, scoring):
    from sklearn.metrics import r2_score

    X, y = diabetes
    sw = np.random.RandomState(0).uniform(0.1, 5, len(y))
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0,
                            scoring=scoring).fit,
        X[100:], y[100:], X_val=X[:100], y_val=y[:100], sample_weight_val=sw[:100]
    )
    expected = r2_score(y[:100], reg.predict(X[:100]), sample_weight=sw[:100])
    assert reg.validation_scores_[-1] == pytest.approx(expected, rel=1e-9)
    assert reg.score(X, y, sw) == pytest.approx(r2_score(y, reg.predict(X), sample_weight=sw))
    assert reg.score(X, y, sw) != pytest.approx(reg.score(X, y))


def test_verbose_prints_the_validation_score_and_loss(diabetes, capsys):
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0, verbose=True).fit,
        X[50:], y[50:], X_val=X[:50], y_val=y[:50]
    )
    out = capsys.readouterr().out
    assert (
        f"Validation score: {reg.validation_scores_[1]:f}, "
        f"validation loss: {reg.validation_loss_curve_[1]:.8f}\n" in out
    )


def test_overflow_on_the_validation_set_is_one_clear_error(counts):
    X, y = counts
    msg = (
        r"^The validation loss is not finite: the network's outputs overflow on the validation "
        r"set. Scale the validation features as the training features.$"
    )
    # Outputs that overflow in the loss, and outputs already infinite (inf - inf in the deviance).
    signs = np.random.RandomState(0).choice([-1.0, 1.0], size=(30, X.shape[1]))
    X_val = signs * np.repeat([1e100, 1e200, 1e308], 10)[:, None]
    for loss, targets in [("squared_error", y), ("poisson", y + 1)]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.simplefilter("ignore", ConvergenceWarning)
            with pytest.raises(ValueError, match=msg):
                VanillaMLPRegressor(
                    hidden_layer_sizes=(3,), loss=loss, max_iter=2, random_state=0
                ).fit(
                    X, targets, X_val=X_val, y_val=targets[:30]
                )


def test_a_non_finite_validation_score_is_refused_with_its_reason(diabetes):
    X, y = diabetes
    msg = (
        r"^scoring=<function .*> gave a non-finite validation score \(nan\); "
        r"early stopping cannot compare it.$"
    )
    with pytest.raises(ValueError, match=msg):
        VanillaMLPRegressor(
            hidden_layer_sizes=(3,), max_iter=2, scoring=lambda e, X, y: float("nan")
        ).fit(
            X, y, X_val=X[:20], y_val=y[:20]
        )


def test_target_errors_say_what_is_wrong(two_outputs):
    X, Y = two_outputs
    with pytest.raises(ValueError, match=r"^y must hold numbers for a regressor; got dtype <U1.$"):
        VanillaMLPRegressor(max_iter=1).fit(X, np.array(["a"] * len(X)))
    one = quiet(VanillaMLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit, X, Y[:, 0])
    with pytest.raises(ValueError, match=r"with 1; pass y of shape \(n_samples,\)\.$"):
        one.partial_fit(X, Y)
    two = quiet(VanillaMLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit, X, Y)
    with pytest.raises(ValueError, match=r"with 2; pass y of shape \(n_samples, 2\)\.$"):
        two.partial_fit(X, Y[:, 0])
    bad = np.r_[-3.0, -1.0, 0.0, 0.0, 0.5, np.abs(Y[5:, 0])]
    with pytest.raises(ValueError, match=r"y has 2 negative value\(s\), the least -3.0\."):
        VanillaMLPRegressor(loss="poisson", max_iter=1).fit(X, bad)


def test_overflowing_predictions_name_what_overflowed_without_warnings(counts):
    X, y = counts
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(4,), loss="poisson", max_iter=5,
                            random_state=0).fit, X, y
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^X is too large for this network: the predictions "
                           r"exp\(z\) of \d+ sample\(s\) overflow float64"):
            reg.predict(X * 1e5)


def test_defaults_and_tags_are_mlpregressors():
    ours, theirs = VanillaMLPRegressor(), MLPRegressor()
    expected = theirs.get_params()
    assert {k: v for k, v in ours.get_params().items() if k in expected} == expected
    # Several outputs are fitted (as MLPRegressor fits them, though its tags say otherwise).
    tags = ours.__sklearn_tags__()
    assert tags.target_tags.multi_output is True
    assert tags.target_tags.positive_only is False
    assert VanillaMLPRegressor(loss="poisson").__sklearn_tags__().target_tags.positive_only is True


def test_negative_poisson_targets_are_refused_with_the_alternative(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match=r"the least -?[\d.]+\. Use loss='squared_error' for "
                       r"targets that can be negative\.$"):
        VanillaMLPRegressor(loss="poisson", max_iter=1).fit(X, y)


def test_lbfgs_scores_the_validation_set_every_iteration(diabetes):
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=6,
                            random_state=0).fit,
        X[100:], y[100:], X_val=X[:100], y_val=y[:100]
    )
    assert len(reg.validation_scores_) == len(reg.validation_loss_curve_) == len(reg.loss_curve_)
    assert reg.validation_scores_[-1] == pytest.approx(reg.score(X[:100], y[:100]), rel=1e-9)


def test_a_given_validation_set_without_early_stopping_leaves_the_rule_to_the_training_loss(
    diabetes,
):
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(8,), n_iter_no_change=2, max_iter=8,
                            random_state=0, scoring=_scripted([1.0] * 8)).fit,
        X[50:], y[50:], X_val=X[:50], y_val=y[:50]
    )
    assert reg.n_iter_ == 8  # the training loss kept falling; the flat score is only recorded


def test_a_loss_equal_to_best_minus_tol_is_progress_as_in_mlpregressor(diabetes):
    # Weights that fit y exactly: every gradient is 0, every epoch's loss exactly 0.
    X, y = diabetes
    kw = dict(hidden_layer_sizes=(3,), solver="sgd", tol=0.0, n_iter_no_change=2,
              max_iter=2, random_state=0, warm_start=True)
    models = [quiet(VanillaMLPRegressor(**kw).fit, X, y), quiet(MLPRegressor(**kw).fit, X, y)]
    for model in models:
        for c in model.coefs_:
            c[...] = 0.0
        model.intercepts_[-1][...] = 0.5
        quiet(model.set_params(max_iter=8).fit, X, np.full(len(y), 0.5))
    assert models[0].loss_curve_[-1] == 0.0
    assert models[0].n_iter_ == models[1].n_iter_ == 8


def test_warm_start_can_turn_early_stopping_off(diabetes):
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(3,), early_stopping=True, max_iter=3,
                            random_state=0).fit, X, y
    )
    quiet(reg.set_params(early_stopping=False, warm_start=True).fit, X, y)
    assert reg.n_iter_ == 3 and reg.best_loss_ == min(reg.loss_curve_[-3:])


@pytest.mark.parametrize("early_stopping", [True, False])
def test_verbose_says_what_did_not_improve(diabetes, capsys, early_stopping):
    X, y = diabetes
    what = "Validation score" if early_stopping else "Training loss"
    quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(3,), early_stopping=early_stopping, tol=100.0,
                            n_iter_no_change=1, max_iter=5, verbose=True, random_state=0).fit,
        X, y,
    )
    out = capsys.readouterr().out
    expected = f"{what} did not improve more than tol=100.000000 for 1 consecutive epochs."
    expected += " Stopping."
    assert f"\n{expected}\n" in out


def test_weights_that_overflow_in_the_last_step_are_refused(diabetes):
    # The epoch's loss, taken before the step, is finite; the step sends the weights to inf.
    X, y = diabetes
    reg = VanillaMLPRegressor(hidden_layer_sizes=(3,), solver="sgd", momentum=0.0,
                              learning_rate_init=1e308, batch_size=len(X), max_iter=1,
                              random_state=0)
    msg = (
        r"^Solver produced non-finite parameter weights. The input data may contain large "
        r"values and need to be preprocessed. Training diverged: the weights from before the "
        r"last epoch are kept. Lower learning_rate_init, or scale the input features \(for "
        r"example with StandardScaler\).$"
    )
    with pytest.raises(ValueError, match=msg):
        quiet(reg.fit, X, 1e3 * y)
    assert all(np.isfinite(c).all() for c in reg.coefs_ + reg.intercepts_)


def test_validation_arguments_and_lbfgs_early_stopping_as_mlpregressor(diabetes):
    X, y = diabetes
    for half in (dict(X_val=X[:5]), dict(y_val=y[:5])):
        with pytest.raises(ValueError, match=r"^X_val and y_val must be given together\.$"):
            VanillaMLPRegressor(max_iter=1).fit(X, y, **half)
    # lbfgs holds nothing out for early stopping: it trains on every row, as MLPRegressor.
    kw = dict(hidden_layer_sizes=(3,), solver="lbfgs", early_stopping=True, max_iter=5,
              random_state=0)
    ours, theirs = quiet(VanillaMLPRegressor(**kw).fit, X, y), quiet(MLPRegressor(**kw).fit, X, y)
    assert ours.validation_scores_ is None and not hasattr(theirs, "validation_scores_")
    assert_same_weights(ours, theirs)


def _relu_net(reg, X):
    """The closed form of a one-hidden-layer ReLU regressor's predictions."""
    (W0, W1), (b0, b1) = reg.coefs_, reg.intercepts_
    return (np.maximum(X @ W0 + b0, 0) @ W1 + b1)[:, 0]


@pytest.mark.parametrize("n_features, units, n_rows", [(10, 1000, 884), (256, 1024, 600)])
def test_prediction_in_blocks_of_rows_is_the_whole_forward_pass(monkeypatch, n_features, units,
                                                                n_rows):
    # Prediction runs a block of rows at a time, to keep a layer's output within 2**18 values:
    # 262 rows for 1000 units (three full blocks and a short one), 256 for 1024 (a block as
    # long as a row, then a short one).  Every row goes through once, and each is the closed
    # form's.
    from skvanilla import _network

    rng = np.random.RandomState(0)
    X, y = rng.randn(n_rows, n_features), rng.randn(n_rows)
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(units,), max_iter=1, random_state=0).fit, X, y
    )
    blocks, real = [], _network.forward

    def spy(rows, *args, **kwargs):
        blocks.append(rows.shape[0])
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(_network, "forward", spy)
    P = reg.predict(X)
    assert sum(blocks) == n_rows and len(blocks) > 2 and blocks[-1] < blocks[0]
    assert max(blocks) * units <= 2**18
    np.testing.assert_allclose(P, _relu_net(reg, X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["identity", "leaky_relu", "gelu", "silu"])
def test_a_hidden_layer_that_overflows_at_prediction_is_one_clear_error(activation):
    # Hidden units at +inf and -inf make inf - inf (or -inf * 0) further on: the prediction is
    # refused with the reason, and numpy's invalid-value warnings stay inside.
    rng = np.random.RandomState(0)
    X, y = rng.randn(50, 3), rng.randn(50)
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(2,), activation=activation, max_iter=2,
                            random_state=0).fit, X, y
    )
    reg.coefs_[0][...] = [[1e300, -1e300]] * 3
    reg.coefs_[1][...] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^X is too large for this network: the outputs "
                           r"of 4 sample\(s\) overflow float64"):
            reg.predict(np.full((4, 3), 1e10))


def test_prediction_takes_the_wider_dtype_of_the_model_and_the_input(diabetes):
    # As MLPRegressor: float64 input to a float32 model is predicted in float64, and float32
    # input to a float64 model too; each is the closed form in float64.
    X, y = diabetes
    X32 = X.astype(np.float32)
    kw = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    model32 = quiet(VanillaMLPRegressor(**kw).fit, X32, y)
    model64 = quiet(VanillaMLPRegressor(**kw).fit, X, y)
    theirs32 = quiet(MLPRegressor(**kw).fit, X32, y)
    assert model32.coefs_[0].dtype == theirs32.coefs_[0].dtype == np.float32
    for model, X_in, X_wide in [(model32, X, X), (model64, X32, X32.astype(np.float64))]:
        P = model.predict(X_in)
        assert P.dtype == theirs32.predict(X).dtype == np.float64
        np.testing.assert_allclose(P, _relu_net(model, X_wide), rtol=1e-10, atol=1e-12)


def test_a_float64_validation_set_is_scored_in_the_models_float32(diabetes):
    X, y = diabetes
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    kw = dict(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    curves = [
        quiet(VanillaMLPRegressor(**kw).fit, X32[100:], y32[100:], X_val=X_val, y_val=y_val)
        .validation_loss_curve_
        for X_val, y_val in [(X32[:100], y32[:100]), (X[:100], y[:100])]
    ]
    assert curves[0] == curves[1]


@pytest.mark.parametrize("Estimator", [VanillaMLPRegressor, VanillaMLPClassifier])
def test_a_three_dimensional_y_val_is_refused_by_name(Estimator, diabetes):
    # fit's y meets scikit-learn's check; y_val has its own, which names
    # y_val and its shape rather than the model's number of outputs.
    X, y = diabetes
    y = y if Estimator is VanillaMLPRegressor else (y > np.median(y)).astype(int)
    msg = r"^y_val must be 1-D or 2-D \(n_samples, n_outputs\), got an array of shape "
    msg += r"\(20, 1, 1\)\.$"
    with pytest.raises(ValueError, match=msg):
        Estimator(max_iter=1).fit(X, y, X_val=X[:20], y_val=y[:20].reshape(-1, 1, 1))


def test_lbfgs_overflow_is_one_clear_error_without_warnings():
    X = np.random.RandomState(0).randn(50, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        msg = (
            r"^Solver produced non-finite parameter weights. The input data may contain large "
            r"values and need to be preprocessed. lbfgs met a non-finite objective or weights; "
            r"the previous weights are kept. Scale the input features \(for example with "
            r"StandardScaler\).$"
        )
        with pytest.raises(ValueError, match=msg):
            VanillaMLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=5).fit(
                X * 1e200, X[:, 0]
            )


def test_lbfgs_convergence_warning_is_a_convergence_warning_from_outside_training(diabetes):
    X, y = diabetes
    first_line = r"^lbfgs failed to converge after 1 iteration\(s\) \(status=1\):\n"
    with pytest.warns(ConvergenceWarning, match=first_line) as rec:
        VanillaMLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=1).fit(X, y)
    (warning,) = [w for w in rec if w.category is ConvergenceWarning]
    # Outside the training module (it should be the caller's line: tests/MUTATION.md).
    assert outside_skvanilla(warning.filename)


def test_max_iter_warning_is_mlpregressors(diabetes):
    X, y = diabetes
    msg = (
        r"^Stochastic Optimizer: Maximum iterations \(2\) reached and the optimization hasn't "
        r"converged yet\.$"
    )
    with pytest.warns(ConvergenceWarning, match=msg):
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    with pytest.warns(ConvergenceWarning, match=msg) as rec:
        VanillaMLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    assert outside_skvanilla(rec[0].filename)


def test_a_batch_of_zero_weight_is_skipped_not_the_end_of_the_epoch(diabetes):
    X, y = diabetes
    kw = dict(hidden_layer_sizes=(3,), solver="sgd", batch_size=10, shuffle=False, max_iter=1,
              random_state=0)
    sw = np.ones(len(y))
    sw[:10] = 0.0  # the first batch
    skipped = quiet(VanillaMLPRegressor(**kw).fit, X, y, sample_weight=sw)
    rest = quiet(VanillaMLPRegressor(**kw).fit, X[10:], y[10:], sample_weight=sw[10:])
    assert_same_weights(skipped, rest)


def test_each_batch_draws_the_next_dropout_masks(diabetes):
    # The step that seeds the masks advances once a batch, and is kept for continuing (a saved
    # model holds it): 5 batches an epoch for 3 epochs.
    X, y = diabetes
    reg = quiet(
        VanillaMLPRegressor(hidden_layer_sizes=(3,), dropout=0.2, batch_size=100, max_iter=3,
                            random_state=0).fit, X, y
    )
    assert reg._dropout_step == 15
