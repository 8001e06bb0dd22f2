"""VanillaMLPClassifier.from_sklearn and to_sklearn: the same model, and the same training after."""

import warnings

import numpy as np
import pytest
from helpers import quiet
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier

SHARED = [
    "classes_", "n_iter_", "t_", "loss_", "best_loss_", "loss_curve_", "validation_scores_",
    "best_validation_score_", "n_layers_", "n_outputs_", "out_activation_", "n_features_in_",
]
STOCHASTIC_ONLY = {"best_loss_", "loss_curve_", "validation_scores_", "best_validation_score_"}


@pytest.fixture(scope="module")
def data():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    Y = np.column_stack([y == 0, y == 1, X[:, 0] > 0]).astype(int)
    return {
        "binary": (X, np.where(y == 2, "yes", "no")),
        "multiclass": (X, y),
        "multilabel": (X, Y),
    }


def fitted_mlp(data, target, solver, **params):
    X, y = data[target]
    kw = dict(hidden_layer_sizes=(6, 5), solver=solver, max_iter=5, random_state=0)
    return quiet(MLPClassifier(**{**kw, **params}).fit, X[:100], y[:100])


def assert_same_weights(a, b, rtol=1e-9):
    assert len(a.coefs_) == len(b.coefs_)
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert u.dtype == v.dtype and u.shape == v.shape
        np.testing.assert_allclose(u, v, rtol=rtol, atol=1e-12)


def assert_same_attributes(a, b, solver, rtol=0):
    """The fitted attributes, exactly (copies) or to ``rtol`` (after training)."""
    for name in SHARED:
        if solver == "lbfgs" and name in STOCHASTIC_ONLY:
            continue  # MLPClassifier does not record them for lbfgs
        va, vb = getattr(a, name), getattr(b, name)
        if isinstance(va, float | np.floating | list) and not isinstance(va, bool):
            np.testing.assert_allclose(va, vb, rtol=rtol, atol=0, err_msg=name)
        else:
            np.testing.assert_array_equal(va, vb, err_msg=name)


def fitted_names(estimator):
    return sorted(k for k in vars(estimator) if k.endswith("_") and not k.startswith("_"))


SOLVERS = ["sgd", "adam", "lbfgs"]
TARGETS = ["binary", "multiclass", "multilabel"]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("target", TARGETS)
def test_from_sklearn_is_the_same_model(data, solver, target):
    mlp = fitted_mlp(data, target, solver)
    clf = VanillaMLPClassifier.from_sklearn(mlp)
    X, y = data[target]
    np.testing.assert_allclose(clf.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), mlp.predict(X))
    assert clf.score(X, y) == mlp.score(X, y)
    assert_same_weights(clf, mlp, rtol=0)
    assert_same_attributes(clf, mlp, solver)
    params = clf.get_params()
    assert {k: params[k] for k in mlp.get_params()} == mlp.get_params()
    defaults = VanillaMLPClassifier().get_params()
    assert {k: v for k, v in params.items() if k not in mlp.get_params()} == {
        k: v for k, v in defaults.items() if k not in mlp.get_params()
    }
    # Nothing is shared: training one leaves the other as it was.
    before = mlp.coefs_[0].copy()
    clf.coefs_[0] += 1.0
    np.testing.assert_array_equal(mlp.coefs_[0], before)


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd"),
        dict(solver="sgd", nesterovs_momentum=False, learning_rate="invscaling",
             learning_rate_init=0.1),
        # 4 epochs without improvement after fit: the second partial_fit is
        # the sixth, which divides the learning rate by 5.
        dict(solver="sgd", learning_rate="adaptive", tol=0.5, n_iter_no_change=5),
        dict(solver="adam"),
    ],
)
@pytest.mark.parametrize("target", TARGETS)
def test_from_sklearn_then_partial_fit_trains_as_mlpclassifier_would(data, params, target):
    # The optimizer's state (velocities, Adam's moments and step count, the
    # learning rate) and the stopping record cross over: the next steps agree.
    mlp = fitted_mlp(data, target, **params)
    clf = VanillaMLPClassifier.from_sklearn(mlp)
    X, y = data[target]
    for est in (mlp, clf):
        for start in (100, 0, 50):
            est.partial_fit(X[start : start + 100], y[start : start + 100])
    assert_same_weights(clf, mlp)
    assert (clf.n_iter_, clf.t_) == (mlp.n_iter_, mlp.t_)
    np.testing.assert_allclose(clf.loss_curve_, mlp.loss_curve_, rtol=1e-9)
    assert clf._optimizer.learning_rate == pytest.approx(mlp._optimizer.learning_rate, rel=1e-12)
    if params.get("learning_rate") == "adaptive":
        assert clf._optimizer.learning_rate == pytest.approx(mlp.learning_rate_init / 5)


@pytest.mark.parametrize("solver", SOLVERS)
def test_from_sklearn_then_warm_fit_trains_as_mlpclassifier_would(data, solver):
    mlp = fitted_mlp(data, "multiclass", solver, warm_start=True, tol=0.05, n_iter_no_change=2)
    clf = VanillaMLPClassifier.from_sklearn(mlp)
    X, y = data["multiclass"]
    for est in (mlp, clf):
        quiet(est.set_params(max_iter=4).fit, X, y)
    assert_same_weights(clf, mlp)
    assert_same_attributes(clf, mlp, solver, rtol=1e-9)


@pytest.mark.parametrize("params", [dict(solver="sgd"), dict(solver="adam")])
@pytest.mark.parametrize("target", TARGETS)
def test_to_sklearn_then_partial_fit_trains_as_we_would(data, params, target):
    X, y = data[target]
    clf = quiet(
        VanillaMLPClassifier((6, 5), max_iter=5, random_state=0, **params).fit, X[:100], y[:100]
    )
    mlp = clf.to_sklearn()
    assert type(mlp) is MLPClassifier
    np.testing.assert_allclose(mlp.predict_proba(X), clf.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(mlp.predict(X), clf.predict(X))
    assert_same_attributes(mlp, clf, params["solver"])
    for est in (mlp, clf):
        est.partial_fit(X[100:], y[100:])
    assert_same_weights(mlp, clf)
    assert (clf.n_iter_, clf.t_) == (mlp.n_iter_, mlp.t_)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("target", TARGETS)
def test_round_trips(data, solver, target):
    mlp = fitted_mlp(data, target, solver)
    back = VanillaMLPClassifier.from_sklearn(mlp).to_sklearn()
    assert back.get_params() == mlp.get_params()
    assert_same_weights(back, mlp, rtol=0)
    assert_same_attributes(back, mlp, solver)
    assert fitted_names(back) == fitted_names(mlp)
    # What MLPClassifier reads when it goes on training (not the scratch of
    # a fit, such as its _random_state).
    state = ["_label_binarizer", "_best_coefs", "_best_intercepts"]
    state += [] if solver == "lbfgs" else ["_optimizer", "_no_improvement_count"]
    assert set(state) <= set(vars(back))
    X, _ = data[target]
    np.testing.assert_array_equal(back.predict_proba(X), mlp.predict_proba(X))

    clf = VanillaMLPClassifier.from_sklearn(mlp)
    again = VanillaMLPClassifier.from_sklearn(clf.to_sklearn())
    assert again.get_params() == clf.get_params()
    assert_same_weights(again, clf, rtol=0)
    assert_same_attributes(again, clf, solver)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_early_stopping_record_crosses_over(data):
    # The best validation score and its weights, and the count of epochs
    # without improvement: a warm-started fit goes on from them.
    X, y = data["multiclass"]
    mlp = quiet(
        MLPClassifier((6,), early_stopping=True, max_iter=8, random_state=0, warm_start=True).fit,
        X, y,
    )
    clf = VanillaMLPClassifier.from_sklearn(mlp)
    assert clf.best_loss_ is None and clf.validation_scores_ == mlp.validation_scores_
    assert clf._no_improvement_count == mlp._no_improvement_count
    assert len(clf.validation_loss_curve_) == len(clf.validation_scores_)
    assert np.isnan(clf.validation_loss_curve_).all()  # MLPClassifier did not measure them
    quiet(clf.fit, X, y)  # our own split: the score changes, the record goes on
    assert len(clf.validation_scores_) == len(mlp.validation_scores_) + clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    back = clf.to_sklearn()
    assert back.validation_scores_ == clf.validation_scores_


def test_float32_stays_float32(data):
    X, y = data["multiclass"]
    mlp = quiet(MLPClassifier((6,), max_iter=3, random_state=0).fit, X.astype(np.float32), y)
    clf = VanillaMLPClassifier.from_sklearn(mlp)
    assert clf.coefs_[0].dtype == np.float32 and clf._optimizer.ms.dtype == np.float32
    for est in (mlp, clf):
        est.partial_fit(X.astype(np.float32), y)
    assert_same_weights(clf, mlp, rtol=1e-5)
    assert clf.to_sklearn()._optimizer.ms[0].dtype == np.float32


def test_feature_names_cross_over(data):
    pd = pytest.importorskip("pandas")
    X, y = data["multiclass"]
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    mlp = quiet(MLPClassifier((6,), max_iter=3, random_state=0).fit, frame, y)
    clf = VanillaMLPClassifier.from_sklearn(mlp)
    np.testing.assert_array_equal(clf.feature_names_in_, mlp.feature_names_in_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(clf.predict_proba(frame), mlp.predict_proba(frame), atol=1e-12)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[["petal_w", "petal_l", "sepal_w", "sepal_l"]])
    back = clf.to_sklearn()
    np.testing.assert_array_equal(back.feature_names_in_, mlp.feature_names_in_)
    # Without names on either side, neither has the attribute.
    plain = VanillaMLPClassifier.from_sklearn(fitted_mlp(data, "multiclass", "adam"))
    assert not hasattr(plain, "feature_names_in_")
    assert not hasattr(plain.to_sklearn(), "feature_names_in_")


def test_from_sklearn_refuses_what_is_not_a_fitted_mlpclassifier(data):
    with pytest.raises(NotFittedError, match="from_sklearn needs a fitted MLPClassifier"):
        VanillaMLPClassifier.from_sklearn(MLPClassifier())
    X, y = data["multiclass"]
    regressor = quiet(MLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit, X, y)
    with pytest.raises(TypeError, match="expects a fitted MLPClassifier; got MLPRegressor"):
        VanillaMLPClassifier.from_sklearn(regressor)
    with pytest.raises(TypeError, match="got VanillaMLPClassifier"):
        VanillaMLPClassifier.from_sklearn(VanillaMLPClassifier())


def test_to_sklearn_refuses_an_unfitted_model():
    with pytest.raises(NotFittedError, match="to_sklearn needs a fitted VanillaMLPClassifier"):
        VanillaMLPClassifier().to_sklearn()


@pytest.mark.parametrize(
    "target, params, named",
    [
        ("multiclass", dict(activation=["relu", "relu"]), "activation"),
        ("multiclass", dict(activation="gelu"), "activation.*gelu"),
        ("multiclass", dict(loss="squared_error"), "loss='squared_error'"),
        ("multiclass", dict(out_activation="logistic"), "out_activation='logistic'.*multiclass"),
        ("binary", dict(out_activation="softmax"), "out_activation='softmax'.*binary"),
        ("multiclass", dict(class_weight="balanced"), "class_weight='balanced'"),
        ("multiclass", dict(dropout=0.2), "dropout=0.2"),
        ("multiclass", dict(scoring="loss"), "scoring='loss'"),
    ],
)
def test_to_sklearn_names_what_mlpclassifier_cannot_express(data, target, params, named):
    X, y = data[target]
    clf = quiet(VanillaMLPClassifier((4, 3), max_iter=2, random_state=0, **params).fit, X, y)
    with pytest.raises(ValueError, match=named):
        clf.to_sklearn()


@pytest.mark.parametrize("target, out", [("multiclass", "softmax"), ("binary", "logistic"),
                                         ("multilabel", "logistic")])
def test_to_sklearn_takes_output_units_named_as_mlpclassifiers(data, target, out):
    X, y = data[target]
    clf = quiet(VanillaMLPClassifier((4,), max_iter=2, random_state=0, out_activation=out).fit,
                X, y)
    mlp = clf.to_sklearn()
    np.testing.assert_allclose(mlp.predict_proba(X), clf.predict_proba(X), atol=1e-12)
