"""skvanilla.model_selection: scikit-learn's searches and cross-validation, result for result.

Each search here runs twice, through ``skvanilla.model_selection`` and through
``sklearn.model_selection``, on the same estimator and data; every key of
``cv_results_`` except the times must be equal (``np.array_equal``, NaNs
included), and so must the best candidate and its refitted weights.  Other
tests check what makes the module worth having: one ``fit_many`` call per
round of candidates, the training set of a split shared by its fits, a
pipeline's earlier steps fitted once per split and setting, and their
transform of a split's test (and train) rows made once for all the candidates
that score on it; and that anything else is scikit-learn's code path.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn
from helpers import assert_same_weights
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import loguniform
from sklearn import model_selection as skms
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import check_scoring, get_scorer, make_scorer, mean_squared_error
from sklearn.model_selection import KFold
from sklearn.model_selection._validation import _fit_and_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.parallel import delayed

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor
from skvanilla import model_selection as ms
from skvanilla.model_selection import _batch, _search

_X, _Y = load_digits(return_X_y=True)
X, Y = _X[:120] / 16, _Y[:120]  # ten classes, 12 samples each on average, in [0, 1]
Y_REG = X[:, 20:30].mean(axis=1)  # a real-valued target the features explain
W = np.random.RandomState(0).uniform(0.5, 2.0, len(X))


def clf(**params):
    params = {"learning_rate_init": 0.02, **params}
    return VanillaMLPClassifier(hidden_layer_sizes=(8,), max_iter=8, random_state=0, **params)


def reg(**params):
    return VanillaMLPRegressor(hidden_layer_sizes=(6,), max_iter=5, random_state=0, **params)


def both(make_search, *args, fit_params=None, **kwargs):
    """skvanilla's search and scikit-learn's, fitted on the same arguments.

    ConvergenceWarning is silenced (five epochs are the point); any other warning
    of either search is recorded, to be compared.
    """
    fitted = []
    for module in (ms, skms):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", ConvergenceWarning)
            search = getattr(module, make_search)(*args, **kwargs)
            search.fit(*fit_params["data"], **fit_params.get("params", {}))
        fitted.append((search, caught))
    return fitted


def assert_same_results(ours, theirs):
    """Every key of two ``cv_results_``-like dicts but the times equal, NaNs included."""
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if key.endswith("_time"):
            continue
        mine = ours[key]
        if isinstance(value, np.ma.MaskedArray):
            assert np.array_equal(mine.mask, value.mask), key
            assert list(mine.compressed()) == list(value.compressed()), key
        elif isinstance(value, np.ndarray):
            assert mine.dtype == value.dtype, key
            assert np.array_equal(mine, value, equal_nan=value.dtype.kind == "f"), key
        else:
            assert mine == value, key


def assert_same_search(ours, theirs):
    assert_same_results(ours.cv_results_, theirs.cv_results_)
    for name in ("best_index_", "best_params_", "best_score_", "n_splits_", "multimetric_"):
        assert hasattr(ours, name) == hasattr(theirs, name), name
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name), name
    assert hasattr(ours, "best_estimator_") == hasattr(theirs, "best_estimator_")
    if hasattr(theirs, "best_estimator_"):
        assert ours.refit_time_ >= 0
        mine, yours = (_last(s.best_estimator_) for s in (ours, theirs))
        if hasattr(yours, "coefs_"):
            assert_same_weights(mine, yours)


def _last(estimator):
    """A pipeline's last step, or the estimator."""
    return estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator


def failure_summary(caught):
    """The FitFailedWarning's count of failures and last line of each error."""
    [warning] = [w for w in caught if w.category is FitFailedWarning]
    text = str(warning.message)
    head = text.split("Below are more details")[0]
    return head, sorted(re.findall(r"\n(\S*Error: .*)\n", text))


@pytest.fixture
def fit_many_calls(monkeypatch):
    """Record what each call of ``fit_many`` is given."""
    calls = []
    real = _batch.fit_many

    def recording(estimators, datasets, n_jobs=None):
        assert not any(hasattr(est, "n_iter_") for est in estimators)  # unfitted clones
        calls.append((list(estimators), list(datasets), n_jobs))
        return real(estimators, datasets, n_jobs=n_jobs)

    monkeypatch.setattr(_batch, "fit_many", recording)
    return calls


# -- GridSearchCV equals scikit-learn's ----------------------------------------------------

CASES = {
    "clf-sgd-early-stopping": (
        clf(solver="sgd", learning_rate_init=0.05),
        {"alpha": [1e-4, 1e-1], "early_stopping": [False, True]},
    ),
    "clf-adam-pipeline": (
        make_pipeline(StandardScaler(), clf()),
        {"vanillamlpclassifier__alpha": [1e-4, 1.0], "standardscaler__with_std": [True, False]},
    ),
    "clf-lbfgs": (clf(solver="lbfgs"), {"hidden_layer_sizes": [(3,), (6,)]}),
    "reg-sgd-pipeline": (
        make_pipeline(StandardScaler(), reg(solver="sgd", learning_rate_init=0.01)),
        {"vanillamlpregressor__momentum": [0.5, 0.9]},
    ),
    "reg-adam-early-stopping": (reg(), {"early_stopping": [True], "alpha": [1e-4, 1.0]}),
    "reg-lbfgs-pipeline": (
        make_pipeline(StandardScaler(), reg(solver="lbfgs")),
        {"vanillamlpregressor__alpha": [1e-3, 1.0]},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_grid_search_equals_sklearns(case):
    estimator, grid = CASES[case]
    y = Y_REG if "reg" in case else Y
    (ours, _), (theirs, _) = both(
        "GridSearchCV", estimator, grid, cv=3, return_train_score=True,
        fit_params={"data": (X, y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert type(ours.scorer_) is type(theirs.scorer_)
    # The same parameters as scikit-learn's class: clone and repr work as there.
    assert clone(ours).get_params().keys() == theirs.get_params().keys()
    assert type(clone(ours)) is ms.GridSearchCV and repr(ours) == repr(theirs)
    pickle.loads(pickle.dumps(ours)).predict(X)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_dropout_candidates_share_a_stack_and_equal_sklearns(monkeypatch):
    """Rates of dropout, 0 among them, train in one stack, with scikit-learn's scores."""
    from skvanilla import _stack

    sizes, train = [], _stack._train_stack
    monkeypatch.setattr(_stack, "_train_stack", lambda members: (sizes.append(len(members)),
                                                                  train(members)))
    (ours, _), (theirs, _) = both(
        "GridSearchCV", clf(), {"dropout": [0.0, 0.2, 0.5], "random_state": [0, 1]}, cv=3,
        return_train_score=True, fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert sizes == [18]  # six candidates on three splits; the refit trains alone
    assert len(set(ours.cv_results_["mean_test_score"])) > 2  # the rates made a difference


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_search_on_torch_tensors_stacks_and_equals_sklearns(monkeypatch, solver):
    """With array_api_dispatch, the splits of tensors train as one stack, on the tensors."""
    torch = pytest.importorskip("torch", reason="torch is in the array-api extra")
    from skvanilla import _stack

    sizes, train = [], _stack._train_stack
    monkeypatch.setattr(_stack, "_train_stack", lambda members: (sizes.append(len(members)),
                                                                  train(members)))
    data = (torch.asarray(X, dtype=torch.float32), torch.asarray(Y))
    with sklearn.config_context(array_api_dispatch=True):
        (ours, _), (theirs, _) = both(
            "GridSearchCV", clf(solver=solver), {"alpha": [1e-4, 1e-1], "random_state": [0, 1]},
            cv=3, return_train_score=True, fit_params={"data": data},
        )  # fmt: skip
    assert_same_search(ours, theirs)
    assert sizes == [12]  # four candidates on three splits; the refit trains alone
    weights = ours.best_estimator_.coefs_ + ours.best_estimator_.intercepts_
    assert all(isinstance(w, torch.Tensor) and w.dtype == torch.float32 for w in weights)


@pytest.mark.parametrize("pipeline", [False, True])
def test_sample_weight_passes_through_fit_params(pipeline):
    estimator = make_pipeline(StandardScaler(), clf()) if pipeline else clf()
    key = "vanillamlpclassifier__sample_weight" if pipeline else "sample_weight"
    alpha = "vanillamlpclassifier__alpha" if pipeline else "alpha"
    (ours, _), (theirs, _) = both(
        "GridSearchCV", estimator, {alpha: [1e-4, 1e-1]}, cv=2, scoring="neg_log_loss",
        fit_params={"data": (X, Y), "params": {key: W}},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    (unweighted, _), _ = both(
        "GridSearchCV", estimator, {alpha: [1e-4, 1e-1]}, cv=2, scoring="neg_log_loss",
        fit_params={"data": (X, Y)},
    )
    # The weights reached the fits: without them the networks differ.
    assert not np.array_equal(
        unweighted.cv_results_["split0_test_score"], ours.cv_results_["split0_test_score"]
    )


def test_multimetric_scoring_with_refit_by_name():
    scoring = {"acc": "accuracy", "ll": "neg_log_loss", "f1": "f1_macro"}
    (ours, _), (theirs, _) = both(
        "GridSearchCV", clf(), {"alpha": [1e-4, 1.0]}, scoring=scoring, refit="ll", cv=2,
        return_train_score=True, fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert ours.multimetric_ and set(ours.scorer_) == set(scoring)
    assert "mean_train_f1" in ours.cv_results_


def test_refit_false_and_refit_callable():
    (ours, _), (theirs, _) = both(
        "GridSearchCV", clf(), {"alpha": [1e-4, 1.0]}, scoring=["accuracy", "f1_macro"],
        refit=False, cv=2, fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert not hasattr(ours, "best_estimator_") and not hasattr(ours, "best_index_")

    def lowest_alpha(results):
        return int(np.argmin([p["alpha"] for p in results["params"]]))

    (ours, _), (theirs, _) = both(
        "GridSearchCV", clf(), {"alpha": [1.0, 1e-4, 0.1]}, refit=lowest_alpha, cv=2,
        fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert ours.best_index_ == 1 and not hasattr(ours, "best_score_")


# -- failures ----------------------------------------------------------------------------


def test_failing_candidates_score_error_score_and_warn_as_sklearn():
    # alpha=-1 fails in the MLP's fit; with_mean="no" fails in the scaler's, so
    # every candidate that shares that preprocessing fails with it.
    pipe = make_pipeline(StandardScaler(), clf())
    grid = {"vanillamlpclassifier__alpha": [1e-4, -1.0], "standardscaler__with_mean": [True, "no"]}
    (ours, mine), (theirs, yours) = both(
        "GridSearchCV", pipe, grid, cv=2, return_train_score=True, error_score=np.nan,
        fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert np.isnan(ours.cv_results_["mean_test_score"]).sum() == 3
    assert failure_summary(mine) == failure_summary(yours)
    assert "6 fits failed out of a total of 8" in failure_summary(mine)[0]
    # The non-finite scores' UserWarnings, as scikit-learn's.
    assert [str(w.message) for w in mine if w.category is UserWarning] == [
        str(w.message) for w in yours if w.category is UserWarning
    ]


def test_error_score_number_and_raise():
    (ours, _), (theirs, _) = both(
        "GridSearchCV", clf(), {"alpha": [1e-4, -1.0]}, cv=2, error_score=-7.5,
        fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert list(ours.cv_results_["split1_test_score"])[1] == -7.5
    messages = []
    for module in (ms, skms):
        search = module.GridSearchCV(clf(), {"alpha": [1e-4, -1.0]}, cv=2, error_score="raise")
        with pytest.raises(InvalidParameterError) as raised, warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(X, Y)
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and "alpha" in messages[0]


def test_all_fits_failing_raises_as_sklearn():
    messages = []
    for module in (ms, skms):
        with pytest.raises(ValueError, match="All the 4 fits failed") as raised:
            module.GridSearchCV(clf(), {"alpha": [-1.0, -2.0]}, cv=2).fit(X, Y)
        messages.append(str(raised.value).split("Below are more details")[0])
    assert messages[0] == messages[1]


def test_invalid_search_arguments_raise_as_sklearn():
    for bad in ({"cv": "three"}, {"error_score": "ignore"}, {"scoring": "no_such_score"}):
        errors = []
        for module in (ms, skms):
            with pytest.raises(Exception) as raised:
                module.GridSearchCV(clf(), {"alpha": [1e-4]}, **bad).fit(X, Y)
            errors.append((type(raised.value), str(raised.value)))
        assert errors[0] == errors[1], bad
    errors = []
    for module in (ms, skms):
        with pytest.raises(ValueError) as raised:
            module.GridSearchCV(clf(), {"alpah": [1e-4]}, cv=2).fit(X, Y)
        errors.append(str(raised.value))
    assert errors[0] == errors[1] and "alpah" in errors[0]


# -- RandomizedSearchCV, verbose, n_jobs -------------------------------------------------


def test_randomized_search_equals_sklearns(fit_many_calls):
    pipe = make_pipeline(StandardScaler(), clf(solver="adam"))
    dists = {
        "vanillamlpclassifier__alpha": loguniform(1e-5, 1.0),
        "vanillamlpclassifier__learning_rate_init": loguniform(1e-3, 1e-1),
    }
    (ours, _), (theirs, _) = both(
        "RandomizedSearchCV", pipe, dists, n_iter=3, cv=2, random_state=3,
        return_train_score=True, fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    assert [len(estimators) for estimators, _, _ in fit_many_calls] == [6]


def _without_times(text):
    return re.sub(r"total time=\s*[\d.]+\w+", "total time=?", text)


def test_verbose_prints_sklearns_lines(capsys):
    outputs = []
    for module in (ms, skms):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            module.GridSearchCV(clf(), {"alpha": [1e-4, 1.0]}, cv=2, verbose=3).fit(X, Y)
        outputs.append(_without_times(capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert "Fitting 2 folds for each of 2 candidates" in outputs[0]


def test_n_jobs_2_gives_the_same_results():
    pipe = make_pipeline(StandardScaler(), clf())
    grid = {"vanillamlpclassifier__alpha": [1e-4, 1.0, -1.0]}
    (ours, _), (theirs, _) = both(
        "GridSearchCV", pipe, grid, cv=2, n_jobs=2, fit_params={"data": (X, Y)}
    )
    assert_same_search(ours, theirs)


# -- what goes into fit_many ------------------------------------------------------------


def test_one_fit_many_call_with_each_splits_data_shared(fit_many_calls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ms.GridSearchCV(clf(), {"alpha": [1e-4, 1e-2, 1.0]}, cv=2).fit(X, Y)
    [(estimators, datasets, n_jobs)] = fit_many_calls  # the refit is not one of them
    assert len(estimators) == 6 and n_jobs is None
    assert sorted(est.alpha for est in estimators) == [1e-4, 1e-4, 1e-2, 1e-2, 1.0, 1.0]
    assert len({id(X_) for X_, _, _ in datasets}) == 2  # one training set per split
    assert sum(len(X_) for X_, _, _ in datasets[:2]) == len(X)


class CountingScaler(StandardScaler):
    fits = []

    def fit(self, X, y=None, sample_weight=None):
        CountingScaler.fits.append(self.get_params()["with_std"])
        return super().fit(X, y, sample_weight)


def test_pipeline_steps_before_the_mlp_fitted_once_per_split_and_setting(fit_many_calls):
    CountingScaler.fits.clear()
    pipe = make_pipeline(CountingScaler(), clf())
    grid = {
        "vanillamlpclassifier__alpha": [1e-4, 1e-2, 1.0],
        "countingscaler__with_std": [True, False],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = ms.GridSearchCV(pipe, grid, cv=3, refit=False).fit(X, Y)
    assert sorted(CountingScaler.fits) == [False] * 3 + [True] * 3  # 3 splits x 2 settings
    [(estimators, datasets, _)] = fit_many_calls
    assert len(estimators) == 18 and all(isinstance(e, VanillaMLPClassifier) for e in estimators)
    assert len({id(X_) for X_, _, _ in datasets}) == 6  # one transformed X per split and setting
    CountingScaler.fits.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = skms.GridSearchCV(pipe, grid, cv=3, refit=False).fit(X, Y)
    assert len(CountingScaler.fits) == 18
    assert_same_search(search, theirs)


def test_search_over_the_final_step_mixes_both_paths():
    pipe = make_pipeline(StandardScaler(), clf())
    grid = {"vanillamlpclassifier": [clf(), LogisticRegression(max_iter=50)]}
    (ours, _), (theirs, _) = both("GridSearchCV", pipe, grid, cv=2, fit_params={"data": (X, Y)})
    assert_same_results(ours.cv_results_, theirs.cv_results_)
    assert ours.best_index_ == theirs.best_index_


def test_other_estimators_take_sklearns_path(fit_many_calls):
    (ours, _), (theirs, _) = both(
        "GridSearchCV", LogisticRegression(max_iter=50), {"C": [0.1, 1.0]}, cv=2,
        fit_params={"data": (X, Y)},
    )  # fmt: skip
    assert_same_search(ours, theirs)
    np.testing.assert_array_equal(ours.best_estimator_.coef_, theirs.best_estimator_.coef_)
    scores = ms.cross_val_score(LogisticRegression(max_iter=50), X, Y, cv=2)
    np.testing.assert_array_equal(
        scores, skms.cross_val_score(LogisticRegression(max_iter=50), X, Y, cv=2)
    )
    assert fit_many_calls == []


@pytest.mark.parametrize("pipeline", [False, True])
def test_sample_weight_routed_with_metadata_routing(pipeline, fit_many_calls):
    alpha = "vanillamlpclassifier__alpha" if pipeline else "alpha"
    with sklearn.config_context(enable_metadata_routing=True):
        mlp = clf().set_fit_request(sample_weight=True)
        estimator = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), mlp)
        estimator = estimator if pipeline else mlp
        scorer = get_scorer("neg_log_loss").set_score_request(sample_weight=False)
        (ours, _), (theirs, _) = both(
            "GridSearchCV", estimator, {alpha: [1e-4, 1.0]}, cv=2, scoring=scorer,
            fit_params={"data": (X, Y), "params": {"sample_weight": W}},
        )  # fmt: skip
        (unweighted, _), _ = both(
            "GridSearchCV", estimator, {alpha: [1e-4, 1.0]}, cv=2, scoring=scorer,
            fit_params={"data": (X, Y)},
        )  # fmt: skip
    assert_same_search(ours, theirs)
    assert not np.array_equal(ours.cv_results_["split0_test_score"],
                              unweighted.cv_results_["split0_test_score"])  # fmt: skip
    assert len(fit_many_calls) == 2  # ours, with and without weights (a refit is not one)


def test_an_unknown_evaluate_candidates_is_refused():
    # The one point of scikit-learn's BaseSearchCV.fit this module relies on.
    def evaluate_candidates(candidate_params, cv=None, more_results=None, callback_ctx=None):
        return candidate_params

    with pytest.raises(RuntimeError, match="does not support this version of scikit-learn"):
        with _search._all_at_once(evaluate_candidates, None):
            pass


# -- scoring: a pipeline's earlier steps transform each split's rows once ----------------


class TransformCounter(StandardScaler):
    """A scaler that records the rows of each call of its ``transform``.

    Its ``fit_transform`` does not go through the recorded ``transform``, so that
    the record holds the scoring's calls only (the fits are counted above).
    """

    rows = []

    def fit_transform(self, X, y=None, **params):
        return StandardScaler.transform(self.fit(X, y, **params), X)

    def transform(self, X, copy=None):
        TransformCounter.rows.append(len(X))
        return super().transform(X, copy=copy)


def _proba_and_label(estimator, X, y):
    """A callable scorer: sees the pipeline itself, scores with two of its methods.

    And with a pickled copy of it, which carries nothing of the scoring.
    """
    assert type(estimator) is Pipeline and not {"fit", "set_params"} & vars(estimator).keys()
    copy = pickle.loads(pickle.dumps(estimator))
    assert not any({"transform", "__getstate__"} & vars(step).keys() for step in copy[:-1])
    return {
        "acc": float(np.mean(estimator.predict(X) == y)),
        "proba": float(estimator.predict_proba(X)[np.arange(len(y)), 0].sum()),
        "head": float(copy.decision_function(X[:5]).sum()),  # rows of its own
    }


SCORINGS = {
    "one": None,
    "two": {"acc": "accuracy", "ll": "neg_log_loss"},
    "callable": _proba_and_label,
}


def _assert_no_trace(pipeline):
    """A pipeline and its steps as their classes make them: nothing left by the scoring."""
    assert type(pipeline) is Pipeline
    for _, step in pipeline.steps:
        assert step == "passthrough" or not {"transform", "fit"} & set(vars(step))
    pickle.loads(pickle.dumps(pipeline)).predict(X)


@pytest.mark.parametrize("scoring", SCORINGS)
def test_earlier_steps_transform_each_splits_rows_once_when_scoring(scoring):
    # Three candidates on each of two settings of the scaler: scikit-learn's
    # search transforms the test rows once per candidate and response method
    # (predict, predict_proba ...), this one once per split and setting.
    pipe = make_pipeline(TransformCounter(), clf())
    grid = {
        "vanillamlpclassifier__alpha": [1e-4, 1e-2, 1.0],
        "transformcounter__with_std": [True, False],
    }
    kwargs = dict(
        cv=3, scoring=SCORINGS[scoring], refit="acc" if scoring != "one" else True,
        return_train_score=True,
    )  # fmt: skip
    TransformCounter.rows.clear()
    ours, _ = _record(ms.GridSearchCV(pipe, grid, **kwargs).fit, X, Y)
    # Test rows 40, training rows 80; the refit predicts nothing.  The callable's
    # rows of its own are transformed each time it asks: 6 candidates x 3 splits x 2.
    mine = [rows for rows in TransformCounter.rows if rows != 5]
    assert sorted(mine) == [40] * 6 + [80] * 6  # 3 splits x 2 settings, test and train
    assert TransformCounter.rows.count(5) == (36 if scoring == "callable" else 0)
    theirs, _ = _record(skms.GridSearchCV(pipe, grid, **kwargs).fit, X, Y)
    assert_same_search(ours, theirs)
    _assert_no_trace(ours.best_estimator_)
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))


def test_scoring_transform_shared_only_by_candidates_of_one_fitted_prefix():
    # Without train scores, one transform of each split's test rows per setting;
    # scikit-learn's own search over the same pipeline makes one per candidate.
    pipe = make_pipeline(TransformCounter(), clf())
    grid = {"vanillamlpclassifier__alpha": [1e-4, 1e-2, 1.0, 1e-3]}
    counts = []
    for module in (ms, skms):
        TransformCounter.rows.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            module.GridSearchCV(pipe, grid, cv=3, refit=False).fit(X, Y)
        counts.append(sorted(TransformCounter.rows))
    assert counts == [[40] * 3, [40] * 12]


def test_each_earlier_step_transforms_the_shared_output_of_the_one_before_once():
    pipe = Pipeline([("a", StandardScaler()), ("skip", "passthrough"),
                     ("b", TransformCounter(with_std=False)), ("mlp", clf())])  # fmt: skip
    grid = {"mlp__alpha": [1e-4, 1.0], "b__with_mean": [True, False]}
    TransformCounter.rows.clear()
    (ours, _), (theirs, _) = both(
        "GridSearchCV", pipe, grid, cv=3, scoring={"acc": "accuracy", "ll": "neg_log_loss"},
        refit="ll", return_train_score=True, fit_params={"data": (X, Y)},
    )  # fmt: skip
    # Ours: "b" once per split, setting and set of rows; scikit-learn's: once per
    # candidate and response method, twice as many candidates as settings.
    assert sorted(TransformCounter.rows) == [40] * (6 + 24) + [80] * (6 + 24)
    assert_same_search(ours, theirs)
    _assert_no_trace(ours.best_estimator_)


# -- cross_validate and cross_val_score --------------------------------------------------


@pytest.mark.parametrize("pipeline", [False, True])
def test_cross_validate_equals_sklearns(pipeline, fit_many_calls):
    estimator = make_pipeline(StandardScaler(), reg()) if pipeline else reg()
    kwargs = dict(
        cv=KFold(3, shuffle=True, random_state=0), return_train_score=True,
        return_estimator=True, return_indices=True,
        scoring={"r2": "r2", "mse": make_scorer(mean_squared_error)},
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = ms.cross_validate(estimator, X, Y_REG, **kwargs)
        theirs = skms.cross_validate(estimator, X, Y_REG, **kwargs)
    assert len(fit_many_calls) == 1 and len(fit_many_calls[0][0]) == 3
    assert list(ours) == list(theirs)
    for key in ("test_r2", "test_mse", "train_r2", "train_mse"):
        np.testing.assert_array_equal(ours[key], theirs[key], strict=True)
    for part in ("train", "test"):
        assert all(map(np.array_equal, ours["indices"][part], theirs["indices"][part]))
    for mine, yours in zip(ours["estimator"], theirs["estimator"]):
        assert type(mine) is type(yours)
        assert_same_weights(_last(mine), _last(yours))
        assert "fit" not in vars(mine) and "set_params" not in vars(mine)  # replay undone
        pickle.loads(pickle.dumps(mine)).predict(X)
        np.testing.assert_array_equal(mine.predict(X), yours.predict(X))


def test_cross_validate_transforms_each_splits_rows_once():
    # Two scorers that ask for predict and predict_proba: scikit-learn's
    # cross_validate transforms the rows once for each, this one once per split.
    pipe = make_pipeline(TransformCounter(), clf())
    kwargs = dict(
        cv=3, scoring=["accuracy", "neg_log_loss"], return_train_score=True,
        return_estimator=True,
    )  # fmt: skip
    TransformCounter.rows.clear()
    ours, _ = _record(ms.cross_validate, pipe, X, Y, **kwargs)
    assert sorted(TransformCounter.rows) == [40] * 3 + [80] * 3
    TransformCounter.rows.clear()
    theirs, _ = _record(skms.cross_validate, pipe, X, Y, **kwargs)
    assert sorted(TransformCounter.rows) == [40] * 6 + [80] * 6
    assert list(ours) == list(theirs)
    for key in ("test_accuracy", "test_neg_log_loss", "train_accuracy", "train_neg_log_loss"):
        np.testing.assert_array_equal(ours[key], theirs[key], strict=True)
    for mine, yours in zip(ours["estimator"], theirs["estimator"]):
        _assert_no_trace(mine)
        np.testing.assert_array_equal(mine.predict_proba(X), yours.predict_proba(X))


def test_a_scorer_gets_the_fitted_estimator_as_its_class_makes_it():
    # The replayed fit undoes itself: the scorer may call fit or set_params, or pickle.
    def pickled_accuracy(estimator, X, y):
        assert not {"fit", "set_params"} & vars(estimator).keys()
        return float(np.mean(pickle.loads(pickle.dumps(estimator)).predict(X) == y))

    kwargs = dict(cv=2, scoring=pickled_accuracy, error_score="raise")
    for estimator in (clf(), make_pipeline(StandardScaler(), clf())):
        ours, _ = _record(ms.cross_validate, estimator, X, Y, **kwargs)
        theirs, _ = _record(skms.cross_validate, estimator, X, Y, **kwargs)
        np.testing.assert_array_equal(ours["test_score"], theirs["test_score"], strict=True)


def test_cross_val_score_equals_sklearns_and_fits_with_sample_weight():
    kwargs = dict(cv=3, params={"sample_weight": W}, scoring="balanced_accuracy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = ms.cross_val_score(clf(solver="lbfgs"), X, Y, **kwargs)
        theirs = skms.cross_val_score(clf(solver="lbfgs"), X, Y, **kwargs)
        plain = ms.cross_val_score(clf(solver="lbfgs"), X, Y, cv=3, scoring="balanced_accuracy")
    np.testing.assert_array_equal(ours, theirs, strict=True)
    assert not np.array_equal(ours, plain)


def _record(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs), caught


@pytest.mark.parametrize("scoring", [None, lambda est, X, y: {"acc": est.score(X, y), "one": 1}])
def test_cross_validate_failures_as_sklearns(scoring):
    # Row 0 not a number, in the training set of two splits of three and in no test set:
    # those two fits fail (a callable's error scores then take its dict's form).
    X_nan = X.copy()
    X_nan[0, 3] = np.nan
    folds = np.array_split(np.arange(1, len(X)), 3)
    cv = [(np.setdiff1d(np.arange(len(X)), fold), fold) for fold in folds]
    cv[0] = (cv[0][0][1:], cv[0][1])
    kwargs = dict(cv=cv, scoring=scoring, return_train_score=True)
    ours, mine = _record(ms.cross_validate, clf(), X_nan, Y, **kwargs)
    theirs, yours = _record(skms.cross_validate, clf(), X_nan, Y, **kwargs)
    assert list(ours) == list(theirs)
    for key in theirs:
        if not key.endswith("_time"):
            np.testing.assert_array_equal(ours[key], theirs[key], strict=True)
    assert np.isnan(ours["test_score" if scoring is None else "test_acc"]).sum() == 2
    assert failure_summary(mine) == failure_summary(yours)
    assert "2 fits failed out of a total of 3" in failure_summary(mine)[0]
    with pytest.raises(ValueError, match="All the 3 fits failed"):
        _record(ms.cross_validate, clf(alpha=-1.0), X, Y, cv=3)


def test_cross_validate_arguments_checked_as_sklearns():
    for bad in ({"scoring": "no_such_score"}, {"cv": "two"}, {"return_estimator": "yes"}):
        errors = []
        for module in (ms, skms):
            with pytest.raises(Exception) as raised:
                module.cross_validate(clf(), X, Y, **bad)
            errors.append((type(raised.value), str(raised.value)))
        assert errors[0] == errors[1], bad
    errors = []
    for module in (ms, skms):
        with pytest.raises(InvalidParameterError) as raised:
            module.cross_val_score(clf(), X, Y, scoring=["accuracy"])
        errors.append(str(raised.value))
    assert errors[0] == errors[1] and "cross_val_score" in errors[0]


class _NotFitted(Exception):
    pass


@given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.sampled_from([1e-4, 1e-2, 1.0])),
        min_size=1, max_size=6,
    ),
    st.integers(2, 3),
)  # fmt: skip
def test_one_preprocessing_per_split_and_setting_whatever_the_candidates(candidates, n_splits):
    # fit_many is replaced by one that fits nothing: only the grouping is under test.
    CountingScaler.fits.clear()
    seen = []

    def record(estimators, datasets, n_jobs=None):
        seen.extend(datasets)
        return [(_NotFitted(), 0.0) for _ in estimators]

    pipe = make_pipeline(CountingScaler(), clf())
    scorer = check_scoring(pipe)
    splits = list(KFold(n_splits).split(X))
    calls = [
        delayed(_fit_and_score)(
            clone(pipe), X, Y, scorer=scorer, train=train, test=test, verbose=0,
            parameters={"countingscaler__with_mean": mean, "countingscaler__with_std": std,
                        "vanillamlpclassifier__alpha": alpha},
            fit_params=None, score_params=None,
        )
        for mean, std, alpha in candidates
        for train, test in splits
    ]  # fmt: skip
    real, _batch.fit_many = _batch.fit_many, record
    try:
        results = _batch.fit_and_score_all(calls)
    finally:
        _batch.fit_many = real
    settings_ = {(mean, std) for mean, std, _ in candidates}
    assert len(CountingScaler.fits) == n_splits * len(settings_)
    assert len(seen) == len(calls)
    # One transformed training set per split and setting, shared by its candidates.
    assert len({id(Xt) for Xt, _, _ in seen}) == n_splits * len(settings_)
    assert all("_NotFitted" in result["fit_error"] for result in results)
