"""Behaviour of VanillaMLPClassifier as a drop-in MLPClassifier."""

import inspect
import re

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import assert_same_weights, quiet
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier
from skvanilla._experiment import SEED_PARAMS


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def test_constructor_is_mlpclassifiers_then_the_extras():
    ours = list(inspect.signature(VanillaMLPClassifier).parameters.values())
    theirs = list(inspect.signature(MLPClassifier).parameters.values())
    assert [(p.name, p.default, p.kind) for p in ours[: len(theirs)]] == [
        (p.name, p.default, p.kind) for p in theirs
    ]
    assert [p.name for p in ours[len(theirs) :]][:2] == ["loss", "out_activation"]


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd"),
        dict(solver="sgd", nesterovs_momentum=False, learning_rate="invscaling"),
        dict(solver="adam"),
        dict(solver="lbfgs"),
        dict(solver="adam", activation="logistic", alpha=0.01, batch_size=37),
        dict(solver="sgd", activation="tanh", shuffle=False),
    ],
)
@pytest.mark.parametrize("data", ["digits", "cancer"])
def test_same_weights_as_mlpclassifier(params, data, request):
    # Same initialisation, same batches, same operations in the same order: the
    # same model, bit for bit.  This is what "drop-in" means.
    X, y = request.getfixturevalue(data)
    kw = dict(hidden_layer_sizes=(20, 10), max_iter=12, random_state=0, **params)
    ours = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    theirs = quiet(MLPClassifier(**kw).fit, X, y)
    assert_same_weights(ours, theirs)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-15)
    assert ours.n_iter_ == theirs.n_iter_ and ours.loss_ == theirs.loss_
    for name in ["n_layers_", "n_outputs_", "out_activation_", "t_", "n_features_in_"]:
        assert getattr(ours, name) == getattr(theirs, name), name


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_no_hidden_layer_is_mlpclassifiers_logistic_regression(cancer, solver):
    """hidden_layer_sizes=() leaves one layer of weights: the output layer alone."""
    X, y = cancer
    kw = dict(hidden_layer_sizes=(), solver=solver, max_iter=10, random_state=0)
    ours = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    theirs = quiet(MLPClassifier(**kw).fit, X, y)
    assert ours.n_layers_ == theirs.n_layers_ == 2 and ours.coefs_[0].shape == (X.shape[1], 1)
    assert_same_weights(ours, theirs)
    assert ours.n_iter_ == theirs.n_iter_
    # And it predicts as MLPClassifier does, from its one layer of weights.
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("random_state", [0, 1, 2])
def test_seed_experiment_with_exact_gradients(random_state):
    X, y = load_digits(return_X_y=True)
    clf = quiet(VanillaMLPClassifier(**SEED_PARAMS, random_state=random_state).fit, X, y)
    assert clf.score(X, y) >= 0.98


def test_seed_squared_error_needs_scaled_inputs():
    # Exact squared-error gradients with sigmoid outputs vanish on raw pixels;
    # on inputs scaled to [0, 1] the seed's network learns (see DESIGN.md).
    X, y = load_digits(return_X_y=True)
    params = {**SEED_PARAMS, "loss": "squared_error", "learning_rate_init": 0.45}
    clf = quiet(VanillaMLPClassifier(**params, random_state=0).fit, X / 16.0, y)
    assert clf.score(X / 16.0, y) >= 0.97


def test_pipeline_grid_search_and_cross_val_score(digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), VanillaMLPClassifier(max_iter=30, random_state=0))
    grid = GridSearchCV(
        pipe,
        {
            "vanillamlpclassifier__hidden_layer_sizes": [(8,), (32,)],
            "vanillamlpclassifier__learning_rate_init": [1e-3, 1e-2],
        },
        cv=3,
    )
    quiet(grid.fit, X, y)
    assert grid.best_score_ > 0.9
    assert grid.cv_results_["mean_test_score"].shape == (4,)
    scores = quiet(cross_val_score, pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_string_labels_and_classes(cancer):
    X, y = cancer
    labels = np.array(["benign", "malignant"])[y]
    clf = quiet(VanillaMLPClassifier((10,), random_state=0, max_iter=200).fit, X, labels)
    ints = quiet(VanillaMLPClassifier((10,), random_state=0, max_iter=200).fit, X, y)
    assert list(clf.classes_) == ["benign", "malignant"]
    names = np.array(["benign", "malignant"])
    np.testing.assert_array_equal(clf.predict(X), names[ints.predict(X)])
    assert clf.score(X, labels) > 0.95


def test_binary_predict_near_the_threshold(cancer):
    """One logistic unit says the second class exactly where its probability passes 1/2.

    The points lie on a segment across the decision boundary, so that many
    have a decision value between -1 and 1, on either side of 0: there,
    predict must agree with predict_proba's argmax and with MLPClassifier.
    """
    X, y = cancer
    kw = dict(hidden_layer_sizes=(5,), max_iter=30, random_state=0)
    ours = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    theirs = quiet(MLPClassifier(**kw).fit, X, y)
    assert ours.n_outputs_ == 1
    labels = np.array(["benign", "malignant"])
    named = quiet(VanillaMLPClassifier(**kw).fit, X, labels[y])
    start, end = X[y == 0][0], X[y == 1][0]
    segment = start + np.linspace(-0.5, 1.5, 4001)[:, None] * (end - start)
    z = ours.decision_function(segment)
    near = segment[(np.abs(z) < 1) & (np.abs(z) > 1e-6)]  # clear of rounding at 0
    z_near = ours.decision_function(near)
    assert (z_near > 0).sum() > 20 and (z_near < 0).sum() > 20
    predicted = ours.predict(near)
    np.testing.assert_array_equal(predicted, (z_near > 0).astype(int))
    np.testing.assert_array_equal(predicted, ours.predict_proba(near).argmax(axis=1))
    np.testing.assert_array_equal(predicted, theirs.predict(near))
    np.testing.assert_array_equal(named.predict(near), labels[predicted])


@pytest.mark.parametrize("kind", ["binary", "multilabel"])
def test_logistic_outputs_predict_as_mlpclassifier_does_even_at_a_tie(cancer, kind):
    """Labels from logistic units, and a tie (z = 0, p = 1/2), as MLPClassifier decides them.

    With the output weights and biases zeroed every z is exactly 0: a tie,
    which goes to the first class (``predict_proba``'s argmax) or to 0.
    """
    X, y = cancer
    if kind == "multilabel":
        y = np.column_stack([y, X[:, 0] > 0, X[:, 1] < 0]).astype(int)
    kw = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    ours = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    theirs = quiet(MLPClassifier(**kw).fit, X, y)
    assert ours.predict(X).dtype == theirs.predict(X).dtype
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    for clf in (ours, theirs):
        clf.coefs_[-1][...] = 0.0
        clf.intercepts_[-1][...] = 0.0
    tie = ours.predict(X)
    np.testing.assert_array_equal(tie, theirs.predict(X))
    np.testing.assert_array_equal(tie, np.zeros_like(y))
    if kind == "binary":
        np.testing.assert_array_equal(tie, ours.predict_proba(X).argmax(axis=1))


def test_multilabel_indicator_targets():
    X, Y = make_classification(200, 10, random_state=0), None
    X = X[0]
    rng = np.random.RandomState(0)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + rng.normal(0, 0.1, 200) > 0, X[:, 2] < 0])
    clf = quiet(VanillaMLPClassifier((20,), random_state=0, max_iter=300).fit, X, Y.astype(int))
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    assert clf.predict(X).shape == (200, 3)
    assert clf.score(X, Y.astype(int)) > 0.8
    with pytest.raises(ValueError, match="multilabel"):
        VanillaMLPClassifier(out_activation="softmax").fit(X, Y.astype(int))


def test_out_activation_options(cancer, digits):
    X, y = cancer
    soft = quiet(VanillaMLPClassifier((5,), out_activation="softmax", random_state=0).fit, X, y)
    assert soft.n_outputs_ == 2 and soft.out_activation_ == "softmax"
    Xd, yd = digits
    seed = quiet(VanillaMLPClassifier((15,), out_activation="logistic", random_state=0).fit, Xd, yd)
    assert seed.n_outputs_ == 10 and seed.out_activation_ == "logistic"
    np.testing.assert_allclose(seed.predict_proba(Xd).sum(axis=1), 1.0)
    assert seed.score(Xd, yd) > 0.9


def test_float32_trains_and_predicts_in_float32(digits):
    X, y = digits
    X32 = X.astype(np.float32)
    clf = quiet(VanillaMLPClassifier((16,), max_iter=5, random_state=0).fit, X32, y)
    assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    clf64 = quiet(VanillaMLPClassifier((16,), max_iter=5, random_state=0).fit, X, y)
    assert clf64.coefs_[0].dtype == np.float64
    np.testing.assert_allclose(clf.coefs_[0], clf64.coefs_[0], atol=1e-4)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_gives_the_dense_model(digits, fmt):
    X, y = digits
    kw = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    dense = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    sparse = quiet(VanillaMLPClassifier(**kw).fit, sp.csr_matrix(X).asformat(fmt), y)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_every_sample_is_used_when_n_is_below_batch_size():
    # The seed dropped the last partial batch, so nothing trained with n < batch.
    X, y = make_classification(20, 4, random_state=0)
    clf = quiet(VanillaMLPClassifier((4,), batch_size=15, max_iter=1, random_state=0).fit, X, y)
    assert clf.t_ == 20
    start = VanillaMLPClassifier((4,), batch_size=50, max_iter=1, random_state=0)
    with pytest.warns(UserWarning, match=r"^Got `batch_size` .* clipped to the 20 samples.$"):
        quiet(start.fit, X, y)
    init = VanillaMLPClassifier((4,), random_state=0, max_iter=1, learning_rate_init=1e-12)
    quiet(init.fit, X, y)
    assert not np.allclose(start.coefs_[0], init.coefs_[0])


def test_partial_fit_only_for_stochastic_solvers(digits):
    X, y = digits
    assert not hasattr(VanillaMLPClassifier(solver="lbfgs"), "partial_fit")
    clf = VanillaMLPClassifier((16,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:100], y[:100])
    clf.partial_fit(X[:100], y[:100], classes=np.arange(10))
    for _ in range(20):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 1 and clf.t_ == 100 + 20 * len(X) and len(clf.loss_curve_) == 21
    assert clf.score(X, y) > 0.85
    with pytest.raises(ValueError, match="not seen"):
        clf.partial_fit(X[:5], np.full(5, 11))


def test_early_stopping_keeps_the_best_weights(digits):
    X, y = digits
    clf = quiet(
        VanillaMLPClassifier(
            (32,), early_stopping=True, random_state=0, max_iter=200, n_iter_no_change=5
        ).fit,
        X,
        y,
    )
    assert clf.best_loss_ is None and len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.n_iter_ < 200


def test_validation_fraction_zero_is_a_valid_parameter(cancer):
    # As in MLPClassifier (its constraint is [0, 1)): unused without early
    # stopping, and too small a validation set with it.
    X, y = cancer
    for cls in (VanillaMLPClassifier, MLPClassifier):
        quiet(cls((4,), max_iter=2, validation_fraction=0.0, random_state=0).fit, X, y)
        with pytest.raises(ValueError):
            cls((4,), validation_fraction=0.0, early_stopping=True).fit(X, y)
    clf = VanillaMLPClassifier((4,), max_iter=2, validation_fraction=0.0, early_stopping=True)
    quiet(clf.fit, X, y, X_val=X[:50], y_val=y[:50])
    assert len(clf.validation_scores_) == 2


def test_training_loss_stopping_and_curve(cancer):
    X, y = cancer
    clf = VanillaMLPClassifier((10,), random_state=0, tol=1e-2, max_iter=500).fit(X, y)
    assert clf.n_iter_ < 500 and len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_loss_ == min(clf.loss_curve_) and clf.loss_ == clf.loss_curve_[-1]


def test_convergence_warning_at_max_iter(cancer):
    X, y = cancer
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        VanillaMLPClassifier((5,), max_iter=2, random_state=0).fit(X, y)


def test_warm_start_continues(cancer):
    X, y = cancer
    clf = VanillaMLPClassifier((5,), max_iter=3, random_state=0, warm_start=True)
    quiet(clf.fit, X, y)
    first = [c.copy() for c in clf.coefs_]
    quiet(clf.fit, X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 6
    assert not np.allclose(first[0], clf.coefs_[0])
    with pytest.raises(ValueError, match="^warm_start can only be used where `y` has the same"):
        clf.fit(X, np.where(y == 1, 5, y))


def test_verbose_prints_each_epoch(cancer, capsys):
    X, y = cancer
    quiet(VanillaMLPClassifier((5,), max_iter=3, verbose=True, random_state=0).fit, X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [re.match(r"Iteration (\d+), loss = [0-9.]+$", ln).group(1) for ln in lines] == [
        "1",
        "2",
        "3",
    ]


def test_divergence_is_an_error_and_weights_stay_finite(cancer):
    X, y = cancer
    clf = VanillaMLPClassifier((50,), solver="sgd", learning_rate_init=1e6, random_state=0)
    with pytest.raises(ValueError, match="diverged.*learning_rate_init"):
        clf.fit(X * 1e3, y)
    assert all(np.isfinite(c).all() for c in clf.coefs_ + clf.intercepts_)


def test_log_proba_is_finite_where_proba_underflows(cancer):
    X, y = cancer
    clf = VanillaMLPClassifier((5,), solver="lbfgs", random_state=0, max_iter=500).fit(X, y)
    far = X[:5] * 1e4
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        log_p = clf.predict_log_proba(far)
    assert np.isfinite(log_p).all() and np.isfinite(clf.predict_proba(far)).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_log_proba_is_the_log_of_proba_at_every_scale(cancer, digits, kind, dtype):
    """Both are held at the same bounds, the dtype's smallest normal number and 1 - epsneg.

    Far from the data some probabilities underflow: there predict_log_proba
    stops at log(tiny) of the model's dtype, where predict_proba stops at tiny.
    """
    X, y = cancer if kind == "binary" else digits
    if kind == "multilabel":
        y = np.column_stack([y % 2, y > 4, y % 3 == 0]).astype(int)
    clf = quiet(
        VanillaMLPClassifier((5,), solver="lbfgs", max_iter=30, random_state=0).fit,
        X[:300].astype(dtype),
        y[:300],
    )
    info = np.finfo(dtype)
    for scale in [1.0, 1e2, 1e4]:
        far = X[:50].astype(dtype) * dtype(scale)
        P, log_p = clf.predict_proba(far), clf.predict_log_proba(far)
        assert P.dtype == log_p.dtype == dtype
        np.testing.assert_allclose(log_p, np.log(P), rtol=10 * info.eps, atol=2 * info.eps)
    assert log_p.min() == np.log(info.tiny)  # some did underflow, and were held


def test_sample_weight_zero_is_removing_the_sample(cancer):
    X, y = cancer
    w = np.ones(len(y))
    w[::3] = 0
    kw = dict(hidden_layer_sizes=(5,), solver="lbfgs", random_state=0, max_iter=50)
    a = quiet(VanillaMLPClassifier(**kw).fit, X, y, sample_weight=w)
    b = quiet(VanillaMLPClassifier(**kw).fit, X[w > 0], y[w > 0])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-7)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(hidden_layer_sizes=(5, 0)), "hidden_layer_sizes"),
        (dict(activation="gelu_typo"), "activation"),
        (dict(loss="hinge"), "loss"),
        (dict(out_activation="tanh"), "out_activation"),
    ],
)
def test_bad_parameters_are_named(cancer, params, message):
    X, y = cancer
    with pytest.raises(ValueError, match=message):
        VanillaMLPClassifier(**params).fit(X, y)


def test_continuous_targets_are_rejected(cancer):
    X, _ = cancer
    with pytest.raises(ValueError, match="Unknown label type"):
        VanillaMLPClassifier().fit(X, np.linspace(0, 1, len(X)))


@pytest.mark.parametrize("solver, copies", [("adam", 3), ("sgd", 2)])
def test_work_buffers_are_not_saved_with_the_model(digits, solver, copies):
    """Training's buffers (batches, workspaces, gradients) die with the fit."""
    import pickle

    X, y = digits
    clf = VanillaMLPClassifier((64,), solver=solver, max_iter=2, random_state=0)
    quiet(clf.fit, X, y)
    n_params = sum(p.size for p in clf.coefs_ + clf.intercepts_)
    # Weights plus the optimizer's state (Adam: two moments; SGD: velocities),
    # and nothing as large as a gradient or a batch besides.
    saved = pickle.dumps(clf.__getstate__())
    assert copies * 8 * n_params < len(saved) < (copies + 0.5) * 8 * n_params
    held = [v for v in vars(clf).values() if isinstance(v, np.ndarray)]
    held += [v for v in vars(clf._optimizer).values() if isinstance(v, np.ndarray)]
    assert sum(v.nbytes for v in held) < (copies - 0.5) * 8 * n_params
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    quiet(restored.partial_fit, X, y)
    assert restored.n_iter_ == 1 and restored.t_ == clf.t_ + len(X)
