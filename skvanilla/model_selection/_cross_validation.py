"""cross_validate and cross_val_score, the fits of a skvanilla MLP made in one call.

This module's one job is the two functions.  For a skvanilla MLP, or a
pipeline ending with one, they build one scikit-learn ``_fit_and_score`` task
per split and make them all at once (:func:`~._batch.fit_and_score_all`);
scikit-learn's helpers then report the failures and gather the scores, so
that the returned dictionary is the one scikit-learn's functions return.  Any
other estimator, and any call while metadata routing is enabled, goes to
scikit-learn's functions.
"""

from numbers import Integral, Real

import numpy as np
from sklearn import model_selection as _sk
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.model_selection._validation import (
    _aggregate_score_dicts,
    _fit_and_score,
    _insert_error_scores,
    _normalize_score_results,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils import indexable
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.parallel import delayed

from ._batch import final_mlp, fit_and_score_all

# The arguments both functions share, checked as scikit-learn checks them (same messages).
_SHARED = {
    "estimator": [HasMethods("fit")],
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like", None],
    "groups": ["array-like", None],
    "cv": ["cv_object"],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
    "params": [dict, None],
    "error_score": [StrOptions({"raise"}), Real],
}


def _ours(estimator):
    # Metadata routing decides which fit gets which metadata: left to scikit-learn.
    return final_mlp(estimator) is not None and not _routing_enabled()


@validate_params(
    {
        **_SHARED,
        "scoring": [StrOptions(set(get_scorer_names())), callable, list, tuple, dict, None],
        "pre_dispatch": [Integral, str],
        "return_train_score": ["boolean"],
        "return_estimator": ["boolean"],
        "return_indices": ["boolean"],
    },
    prefer_skip_nested_validation=False,  # the estimator checks its own parameters
)
def cross_validate(
    estimator,
    X,
    y=None,
    *,
    groups=None,
    scoring=None,
    cv=None,
    n_jobs=None,
    verbose=0,
    params=None,
    pre_dispatch="2*n_jobs",
    return_train_score=False,
    return_estimator=False,
    return_indices=False,
    error_score=np.nan,
):
    """Scores, fit and score times of an estimator on each split of a cross-validation.

    The arguments and the returned dictionary are those of
    :func:`sklearn.model_selection.cross_validate` (see its documentation), and so
    are the scores.  For a :class:`~skvanilla.VanillaMLPClassifier`, a
    :class:`~skvanilla.VanillaMLPRegressor`, or a pipeline ending with one, the
    splits' fits are made by one call that may train the networks together (a
    pipeline's earlier steps are fitted once per split, and transform its rows
    once for all the scorers); ``pre_dispatch`` then has no use.

    Parameters
    ----------
    estimator, X, y, groups, scoring, cv, n_jobs, verbose, params, pre_dispatch, \
return_train_score, return_estimator, return_indices, error_score
        As in :func:`sklearn.model_selection.cross_validate`.

    Returns
    -------
    scores : dict
        ``fit_time``, ``score_time``, ``test_<scorer>`` (``test_score`` for one
        scorer), and ``train_<scorer>``, ``estimator``, ``indices`` when asked for.

    See Also
    --------
    cross_val_score : the test scores of one scorer.
    GridSearchCV : the same for every candidate of a grid.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skvanilla import VanillaMLPClassifier
    >>> from skvanilla.model_selection import cross_validate
    >>> X, y = load_iris(return_X_y=True)
    >>> mlp = VanillaMLPClassifier(hidden_layer_sizes=(5,), learning_rate_init=0.01, tol=0.01,
    ...                            random_state=0)
    >>> scores = cross_validate(mlp, X, y, cv=3, return_estimator=True)
    >>> sorted(scores)
    ['estimator', 'fit_time', 'score_time', 'test_score']
    >>> len(scores["estimator"])
    3
    """
    if not _ours(estimator):
        return _sk.cross_validate(
            estimator, X, y, groups=groups, scoring=scoring, cv=cv, n_jobs=n_jobs,
            verbose=verbose, params=params, pre_dispatch=pre_dispatch,
            return_train_score=return_train_score, return_estimator=return_estimator,
            return_indices=return_indices, error_score=error_score,
        )  # fmt: skip
    X, y = indexable(X, y)
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorer = check_scoring(estimator, scoring=scoring, raise_exc=(error_score == "raise"))
    splits = list(cv.split(X, y, groups))
    results = fit_and_score_all(
        [
            delayed(_fit_and_score)(
                clone(estimator), X, y, scorer=scorer, train=train, test=test,
                verbose=verbose, parameters=None, fit_params=params, score_params=None,
                return_train_score=return_train_score, return_times=True,
                return_estimator=return_estimator, error_score=error_score,
            )  # fmt: skip
            for train, test in splits
        ],
        n_jobs=n_jobs,
    )
    _warn_or_raise_about_fit_failures(results, error_score)
    if callable(scoring):
        # A callable's scores are a number or a dict: known only now, from a fit that
        # worked, and the failed fits' error_score takes the same form.
        _insert_error_scores(results, error_score)
    results = _aggregate_score_dicts(results)

    scores = {"fit_time": results["fit_time"], "score_time": results["score_time"]}
    if return_estimator:
        scores["estimator"] = results["estimator"]
    if return_indices:
        train, test = zip(*splits)
        scores["indices"] = {"train": train, "test": test}
    test_scores = _normalize_score_results(results["test_scores"])
    train_scores = _normalize_score_results(results["train_scores"]) if return_train_score else {}
    for name, values in test_scores.items():
        scores[f"test_{name}"] = values
        if return_train_score:
            scores[f"train_{name}"] = train_scores[name]
    return scores


@validate_params(
    {
        **_SHARED,
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "pre_dispatch": [Integral, str, None],
    },
    prefer_skip_nested_validation=False,  # the estimator checks its own parameters
)
def cross_val_score(
    estimator,
    X,
    y=None,
    *,
    groups=None,
    scoring=None,
    cv=None,
    n_jobs=None,
    verbose=0,
    params=None,
    pre_dispatch="2*n_jobs",
    error_score=np.nan,
):
    """The test score of an estimator on each split of a cross-validation.

    The arguments and the scores are those of
    :func:`sklearn.model_selection.cross_val_score` (see its documentation); the
    fits are made as :func:`cross_validate` makes them.

    Parameters
    ----------
    estimator, X, y, groups, scoring, cv, n_jobs, verbose, params, pre_dispatch, \
error_score
        As in :func:`sklearn.model_selection.cross_val_score`.

    Returns
    -------
    scores : ndarray of shape (n_splits,)
        The test score of each split.

    See Also
    --------
    cross_validate : several scorers, train scores, fitted estimators.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skvanilla import VanillaMLPClassifier
    >>> from skvanilla.model_selection import cross_val_score
    >>> X, y = load_iris(return_X_y=True)
    >>> mlp = VanillaMLPClassifier(hidden_layer_sizes=(5,), learning_rate_init=0.01, tol=0.01,
    ...                            random_state=0)
    >>> cross_val_score(mlp, X, y, cv=3).shape
    (3,)
    """
    if not _ours(estimator):
        return _sk.cross_val_score(
            estimator, X, y, groups=groups, scoring=scoring, cv=cv, n_jobs=n_jobs,
            verbose=verbose, params=params, pre_dispatch=pre_dispatch, error_score=error_score,
        )  # fmt: skip
    # A dict of one scorer: cross_validate would accept a list of them, this must not.
    scorer = check_scoring(estimator, scoring=scoring)
    return cross_validate(
        estimator, X, y, groups=groups, scoring={"score": scorer}, cv=cv, n_jobs=n_jobs,
        verbose=verbose, params=params, pre_dispatch=pre_dispatch, error_score=error_score,
    )["test_score"]  # fmt: skip
