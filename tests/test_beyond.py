"""What skvanilla offers beyond MLPClassifier (issue: class weights, dropout, ...)."""


import numpy as np
import pytest
from helpers import quiet
from recorders import EpochRecorder
from sklearn.datasets import load_digits, make_classification
from sklearn.metrics import balanced_accuracy_score, log_loss, recall_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier
from skvanilla._activations import HIDDEN_ACTIVATIONS


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.3, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def imbalanced():
    X, y = make_classification(
        2000, 10, n_informative=4, weights=[0.95, 0.05], class_sep=0.6, random_state=0
    )
    return train_test_split(X, y, test_size=0.5, random_state=0, stratify=y)


def weights_of(clf):
    return clf.coefs_ + clf.intercepts_


# -- defaults keep MLPClassifier's behaviour -------------------------------


def test_neutral_settings_of_the_new_parameters_change_no_bit(digits):
    X, _, y, _ = digits
    base = dict(hidden_layer_sizes=(16, 8), max_iter=5, random_state=0)
    reference = quiet(VanillaMLPClassifier(**base).fit, X, y)
    neutral = VanillaMLPClassifier(
        **base,
        activation=["relu", "relu"],
        class_weight={c: 1.0 for c in range(10)},
        dropout=0.0,
        scoring=None,
        loss="log_loss",
        out_activation="auto",
    )
    quiet(neutral.fit, X, y)
    for a, b in zip(weights_of(reference), weights_of(neutral)):
        np.testing.assert_array_equal(a, b)


# -- class_weight ----------------------------------------------------------


def test_class_weight_is_the_equivalent_sample_weight(imbalanced):
    X, _, y, _ = imbalanced
    kw = dict(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    by_class = quiet(VanillaMLPClassifier(**kw, class_weight={0: 0.5, 1: 4.0}).fit, X, y)
    by_sample = quiet(
        VanillaMLPClassifier(**kw).fit, X, y, sample_weight=np.where(y == 1, 4.0, 0.5)
    )
    for a, b in zip(weights_of(by_class), weights_of(by_sample)):
        np.testing.assert_array_equal(a, b)


def test_class_weight_multiplies_sample_weight(imbalanced):
    X, _, y, _ = imbalanced
    sw = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    kw = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    both = quiet(
        VanillaMLPClassifier(**kw, class_weight={0: 1.0, 1: 3.0}).fit, X, y, sample_weight=sw
    )
    product = quiet(
        VanillaMLPClassifier(**kw).fit, X, y, sample_weight=sw * np.where(y == 1, 3.0, 1.0)
    )
    for a, b in zip(weights_of(both), weights_of(product)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_balanced_raises_minority_recall(imbalanced):
    X_train, X_test, y_train, y_test = imbalanced
    kw = dict(hidden_layer_sizes=(16,), max_iter=100, random_state=0, learning_rate_init=0.01)
    plain = quiet(VanillaMLPClassifier(**kw).fit, X_train, y_train)
    balanced = quiet(VanillaMLPClassifier(**kw, class_weight="balanced").fit, X_train, y_train)
    r_plain = recall_score(y_test, plain.predict(X_test))
    r_balanced = recall_score(y_test, balanced.predict(X_test))
    assert r_balanced >= r_plain + 0.15, (r_plain, r_balanced)


def test_balanced_counts_classes_by_weight():
    # A sample of weight 2 balances like two copies of it.
    X, y = make_classification(60, 4, weights=[0.8, 0.2], random_state=1)
    sw = np.random.RandomState(1).randint(1, 4, len(y))
    kw = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=30, random_state=0)
    kw["class_weight"] = "balanced"
    weighted = quiet(VanillaMLPClassifier(**kw).fit, X, y, sample_weight=sw)
    repeated = quiet(VanillaMLPClassifier(**kw).fit, X.repeat(sw, axis=0), y.repeat(sw))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6)


def test_class_weight_for_multilabel_is_per_label_product():
    from sklearn.utils.class_weight import compute_sample_weight

    X, _ = make_classification(200, 6, random_state=0)
    Y = np.column_stack([X[:, 0] > 0.8, X[:, 1] > 0]).astype(int)
    kw = dict(hidden_layer_sizes=(6,), max_iter=5, random_state=0)
    balanced = quiet(VanillaMLPClassifier(**kw, class_weight="balanced").fit, X, Y)
    manual = quiet(
        VanillaMLPClassifier(**kw).fit, X, Y, sample_weight=compute_sample_weight("balanced", Y)
    )
    for a, b in zip(weights_of(balanced), weights_of(manual)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.raises(ValueError, match="multilabel"):
        VanillaMLPClassifier(class_weight={0: 2.0}).fit(X, Y)


# -- activations -----------------------------------------------------------


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "gelu", "softplus", "silu"])
def test_new_activations_learn_digits(name, digits):
    X_train, X_test, y_train, y_test = digits
    clf = quiet(
        VanillaMLPClassifier((32,), activation=name, random_state=0, max_iter=60).fit,
        X_train,
        y_train,
    )
    assert clf.score(X_test, y_test) > 0.9


def test_per_layer_activations_are_used_layer_by_layer(digits):
    X, _, y, _ = digits
    clf = quiet(
        VanillaMLPClassifier((6, 5), activation=["tanh", "gelu"], max_iter=3, random_state=0).fit,
        X,
        y,
    )
    A1 = np.tanh(X @ clf.coefs_[0] + clf.intercepts_[0])
    A2 = HIDDEN_ACTIVATIONS["gelu"].f(A1 @ clf.coefs_[1] + clf.intercepts_[1])
    np.testing.assert_allclose(clf.hidden_activations(X, layer=0), A1)
    np.testing.assert_allclose(clf.hidden_activations(X, layer=1), A2)


@pytest.mark.parametrize(
    "activation, message",
    [(["relu"], "1 names but hidden_layer_sizes has 2"), (["relu", "swish"], "unknown names")],
)
def test_bad_activation_lists_are_named(activation, message, digits):
    X, _, y, _ = digits
    with pytest.raises(ValueError, match=message):
        VanillaMLPClassifier((4, 4), activation=activation).fit(X, y)


# -- dropout ---------------------------------------------------------------


def test_dropout_is_reproducible_and_changes_training(digits):
    X, _, y, _ = digits
    kw = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    a = quiet(VanillaMLPClassifier(**kw, dropout=0.3).fit, X, y)
    b = quiet(VanillaMLPClassifier(**kw, dropout=0.3).fit, X, y)
    c = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    for p, q in zip(weights_of(a), weights_of(b)):
        np.testing.assert_array_equal(p, q)
    assert not np.allclose(a.coefs_[0], c.coefs_[0])


def test_dropout_leaves_prediction_deterministic_and_whole(digits):
    X_train, X_test, y_train, y_test = digits
    clf = quiet(
        VanillaMLPClassifier((64,), dropout=0.3, random_state=0, max_iter=80).fit, X_train, y_train
    )
    P = clf.predict_proba(X_test)
    np.testing.assert_array_equal(P, clf.predict_proba(X_test))
    # prediction is the plain forward pass, no mask and no rescaling
    H = np.maximum(X_test @ clf.coefs_[0] + clf.intercepts_[0], 0)
    Z = H @ clf.coefs_[1] + clf.intercepts_[1]
    np.testing.assert_allclose(clf.decision_function(X_test), Z, rtol=1e-10)
    assert clf.score(X_test, y_test) > 0.93


def test_dropout_rate_is_the_share_of_units_dropped():
    from skvanilla._dropout import dropout_masks, sample_keys

    keys = sample_keys(np.random.RandomState(0).rand(2000, 3), seed=1)
    (mask,) = dropout_masks(keys, step=7, layer_sizes=[50], p=0.3, dtype=np.float64)
    assert abs((mask == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(np.unique(mask), [0.0, 1 / 0.7])


def test_with_dropout_and_shuffling_a_weight_is_still_repeats_of_the_sample():
    """A sample's dropout mask follows the sample, not its place in the shuffled
    batch: with one batch an epoch, weights 1-3 train exactly as the weighted
    rows repeated do (the two fits shuffle rows of different counts)."""
    X, y = make_classification(40, 5, n_informative=3, n_redundant=0, random_state=0)
    sw = np.random.RandomState(0).randint(1, 4, len(y))
    kw = dict(
        hidden_layer_sizes=(8, 6), solver="sgd", learning_rate_init=0.1, dropout=0.3,
        batch_size=200, max_iter=8, random_state=0,
    )
    assert VanillaMLPClassifier().shuffle  # the default, which this test is about
    with pytest.warns(UserWarning, match="batch_size"):  # one batch an epoch, on purpose
        weighted = quiet(VanillaMLPClassifier(**kw).fit, X, y, sample_weight=sw)
        repeated = quiet(VanillaMLPClassifier(**kw).fit, X.repeat(sw, axis=0), y.repeat(sw))
    for a, b in zip(weights_of(weighted), weights_of(repeated)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-12)


def test_dropout_with_lbfgs_is_refused(digits):
    X, _, y, _ = digits
    with pytest.raises(ValueError, match="stochastic solver"):
        VanillaMLPClassifier(solver="lbfgs", dropout=0.1).fit(X, y)


# -- the user's validation set, validation loss, scoring -------------------


def test_user_validation_set_replaces_the_split(digits):
    X_train, X_val, y_train, y_val = digits
    clf = VanillaMLPClassifier((16,), early_stopping=True, random_state=0, max_iter=300)
    quiet(clf.fit, X_train, y_train, X_val=X_val, y_val=y_val)
    # every training sample is used every epoch: nothing was split off
    assert clf.t_ == clf.n_iter_ * len(X_train)
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == clf.n_iter_
    # the restored weights are those of the best validation score
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)


@pytest.mark.parametrize("out_activation", ["auto", "logistic"])
def test_validation_loss_curve_matches_predict_proba(digits, out_activation):
    X_train, X_val, y_train, y_val = digits
    if out_activation == "logistic":  # binary: one sigmoid unit
        X_train, y_train = X_train[y_train < 2], y_train[y_train < 2]
        X_val, y_val = X_val[y_val < 2], y_val[y_val < 2]
    sw_val = np.random.RandomState(0).uniform(0.5, 2, len(y_val))
    clf = VanillaMLPClassifier((16,), max_iter=7, random_state=0, out_activation=out_activation)
    quiet(clf.fit, X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=sw_val)
    assert len(clf.validation_loss_curve_) == 7
    expected = log_loss(y_val, clf.predict_proba(X_val), sample_weight=sw_val)
    assert clf.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-9)


def test_scoring_loss_and_scorer_names(digits):
    X_train, X_val, y_train, y_val = digits
    kw = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    by_loss = quiet(
        VanillaMLPClassifier(**kw, scoring="loss").fit, X_train, y_train, X_val=X_val, y_val=y_val
    )
    np.testing.assert_allclose(
        by_loss.validation_scores_, -np.array(by_loss.validation_loss_curve_)
    )
    named = VanillaMLPClassifier(**kw, scoring="balanced_accuracy")
    quiet(named.fit, X_train, y_train, X_val=X_val, y_val=y_val)
    assert named.validation_scores_[-1] == pytest.approx(
        balanced_accuracy_score(y_val, named.predict(X_val))
    )

    def always_one(estimator, X, y):
        return 1.0

    called = quiet(
        VanillaMLPClassifier(**kw, scoring=always_one).fit,
        X_train,
        y_train,
        X_val=X_val,
        y_val=y_val,
    )
    assert called.validation_scores_ == [1.0] * 5


def test_a_non_finite_validation_score_is_an_error(digits):
    X_train, X_val, y_train, y_val = digits
    clf = VanillaMLPClassifier((4,), max_iter=3, scoring=lambda est, X, y: float("nan"))
    with pytest.raises(ValueError, match="non-finite validation score"):
        clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)


def test_early_stopping_on_validation_loss_stops(digits):
    X, _, y, _ = digits
    clf = quiet(
        VanillaMLPClassifier(
            (64,),
            early_stopping=True,
            scoring="loss",
            learning_rate_init=0.05,
            random_state=0,
            max_iter=500,
            n_iter_no_change=5,
        ).fit,
        X,
        y,
    )
    assert clf.n_iter_ < 500
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_validation_set_errors(digits):
    X, X_val, y, y_val = digits
    with pytest.raises(ValueError, match="together"):
        VanillaMLPClassifier().fit(X, y, X_val=X_val)
    with pytest.raises(ValueError, match="features"):
        VanillaMLPClassifier(max_iter=1).fit(X, y, X_val=X_val[:, :5], y_val=y_val)
    with pytest.raises(ValueError, match="not seen"):
        VanillaMLPClassifier(max_iter=1).fit(X, y, X_val=X_val, y_val=y_val + 100)


# -- decision_function and hidden activations ------------------------------


def test_decision_function_is_the_output_preactivation(digits):
    X_train, X_test, y_train, y_test = digits
    clf = quiet(VanillaMLPClassifier((16,), max_iter=20, random_state=0).fit, X_train, y_train)
    D = clf.decision_function(X_test)
    assert D.shape == (len(X_test), 10)
    np.testing.assert_array_equal(clf.classes_[D.argmax(axis=1)], clf.predict(X_test))
    binary = y_train < 2
    b = quiet(
        VanillaMLPClassifier((8,), max_iter=20, random_state=0).fit,
        X_train[binary],
        y_train[binary],
    )
    d = b.decision_function(X_test)
    assert d.ndim == 1
    np.testing.assert_allclose(b.predict_proba(X_test)[:, 1], 1 / (1 + np.exp(-d)), rtol=1e-9)


def test_hidden_activations_bad_layer(digits):
    X, _, y, _ = digits
    clf = quiet(VanillaMLPClassifier((4, 3), max_iter=2, random_state=0).fit, X, y)
    assert clf.hidden_activations(X[:5], layer=-2).shape == (5, 4)
    with pytest.raises(ValueError, match="layer must be an integer"):
        clf.hidden_activations(X, layer=2)


# -- callbacks -------------------------------------------------------------


def test_callbacks_see_every_epoch_with_a_fitted_snapshot(digits):
    X_train, X_test, y_train, y_test = digits
    recorder = EpochRecorder()
    clf = VanillaMLPClassifier((16,), max_iter=4, random_state=0).set_callbacks(recorder)
    quiet(clf.fit, X_train, y_train)
    epochs = [e for e in recorder.ends if e[1] == "epoch"]
    assert len(epochs) == 4
    # each snapshot predicts as the model did after that epoch
    last = epochs[-1][2]
    np.testing.assert_array_equal(last.predict(X_test), clf.predict(X_test))
    assert not np.array_equal(epochs[0][2].coefs_[0], last.coefs_[0])


def test_callbacks_reach_the_estimator_inside_grid_search(digits):
    X, _, y, _ = digits
    recorder = EpochRecorder()
    pipe = make_pipeline(StandardScaler(), VanillaMLPClassifier(max_iter=3, random_state=0))
    grid = GridSearchCV(pipe, {"vanillamlpclassifier__hidden_layer_sizes": [(4,), (8,)]}, cv=2)
    quiet(grid.set_callbacks(recorder).fit, X, y)
    epochs = [e for e in recorder.ends if e[:2] == ("VanillaMLPClassifier", "epoch")]
    # 2 candidates x 2 folds + the refit, 3 epochs each
    assert len(epochs) == (2 * 2 + 1) * 3


def test_progress_bar_shows_the_fit(digits, capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, _, y, _ = digits
    clf = VanillaMLPClassifier((8,), max_iter=5, random_state=0).set_callbacks(ProgressBar())
    quiet(clf.fit, X, y)
    out = capsys.readouterr().out
    assert "VanillaMLPClassifier - fit" in out and "100%" in out


def test_dropout_in_float32_trains_in_float32_as_in_float64(digits):
    # The masks take the model's dtype: masks in float64 would turn a float32 model's masked
    # layers into float64 products.  Digits / 16 are exact in float32, so both fits see the same
    # samples, the same masks and the same batches; they differ by float32 rounding only.
    X, _, y, _ = digits
    kw = dict(hidden_layer_sizes=(16, 8), dropout=0.3, max_iter=5, random_state=0)
    clf32 = quiet(VanillaMLPClassifier(**kw).fit, X.astype(np.float32), y)
    clf64 = quiet(VanillaMLPClassifier(**kw).fit, X, y)
    assert all(w.dtype == np.float32 for w in weights_of(clf32))
    assert clf32.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert clf32._dropout_step == clf64._dropout_step > 0
    for w32, w64 in zip(weights_of(clf32), weights_of(clf64)):
        np.testing.assert_allclose(w32, w64, atol=1e-4)
