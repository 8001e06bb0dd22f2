"""GridSearchCV and RandomizedSearchCV: scikit-learn's, their MLP fits made in one call.

This module's one job is the two search classes.  Each is scikit-learn's own
class with one method overridden, ``_run_search``, the hook through which
``BaseSearchCV.fit`` hands its ``evaluate_candidates`` to the search strategy.
``evaluate_candidates`` runs its fit-and-score tasks through a joblib
``Parallel`` it keeps in its closure; for a skvanilla MLP, or a pipeline
ending with one, that executor is swapped for one that makes all the tasks
of the call at once (:func:`~._batch.fit_and_score_all`).  Everything else --
parameter checks, candidates, splits, scorers, ``cv_results_``, ranks, the
choice of the best candidate, ``refit`` -- is scikit-learn's code, untouched,
and any other estimator runs entirely on it.
"""

from contextlib import contextmanager

from sklearn import model_selection as _sk
from sklearn.model_selection._validation import _fit_and_score
from sklearn.utils.parallel import Parallel

from ._batch import final_mlp, fit_and_score_all


class _AllAtOnce:
    """Stands in for evaluate_candidates' joblib ``Parallel``: takes every task at once."""

    def __init__(self, n_jobs):
        self.n_jobs = n_jobs

    def __call__(self, calls):
        calls = list(calls)
        # sklearn's delayed() wraps the function (to carry the config to workers).
        if all(getattr(function, "function", function) is _fit_and_score for function, *_ in calls):
            return fit_and_score_all(calls, n_jobs=self.n_jobs)
        return Parallel(n_jobs=self.n_jobs)(calls)


@contextmanager
def _all_at_once(evaluate_candidates, n_jobs):
    """``evaluate_candidates`` with its ``parallel`` swapped for :class:`_AllAtOnce`."""
    code, closure = evaluate_candidates.__code__, evaluate_candidates.__closure__ or ()
    cells = dict(zip(code.co_freevars, closure))
    if "parallel" not in cells:  # pinned by the tests: scikit-learn>=1.9's BaseSearchCV.fit
        raise RuntimeError(
            "skvanilla.model_selection does not support this version of scikit-learn: "
            "BaseSearchCV.fit's evaluate_candidates has no 'parallel' to run the fits. "
            "Use sklearn.model_selection instead."
        )
    cell = cells["parallel"]
    original, cell.cell_contents = cell.cell_contents, _AllAtOnce(n_jobs)
    try:
        yield
    finally:
        cell.cell_contents = original


class _StackedSearch:
    """The override both searches share: their MLP fits made by one ``fit_many`` a round."""

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        if final_mlp(self.estimator) is None:
            return super()._run_search(evaluate_candidates, callback_ctx=callback_ctx)
        with _all_at_once(evaluate_candidates, self.n_jobs):
            return super()._run_search(evaluate_candidates, callback_ctx=callback_ctx)


class GridSearchCV(_StackedSearch, _sk.GridSearchCV):
    """scikit-learn's ``GridSearchCV``, with the fits of a skvanilla MLP made together.

    The parameters, attributes, methods and results are those of
    :class:`sklearn.model_selection.GridSearchCV` (see its documentation):
    ``cv_results_``, ``best_estimator_``, ``best_params_``, ``best_score_`` ... are
    equal to what it gives for the same arguments.  When ``estimator`` is a
    :class:`~skvanilla.VanillaMLPClassifier` or a :class:`~skvanilla.VanillaMLPRegressor`,
    or a :class:`~sklearn.pipeline.Pipeline` whose last step is one, every
    candidate on every split is trained by one call that may train the networks
    together; a pipeline's earlier steps are fitted once per split and per
    setting of their parameters, and transform the split's test rows (and
    training rows, with ``return_train_score``) once for all the candidates
    and scorers that use them.  Any other estimator runs on scikit-learn's code.

    Parameters
    ----------
    estimator, param_grid, scoring, n_jobs, refit, cv, verbose, pre_dispatch, \
error_score, return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`.

    See Also
    --------
    RandomizedSearchCV : the same for sampled candidates.
    cross_validate : one estimator's scores on each split.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skvanilla import VanillaMLPClassifier
    >>> from skvanilla.model_selection import GridSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> mlp = VanillaMLPClassifier(hidden_layer_sizes=(5,), learning_rate_init=0.01, tol=0.01,
    ...                            random_state=0)
    >>> search = GridSearchCV(mlp, {"alpha": [1e-4, 1.0]}, cv=3).fit(X, y)
    >>> sorted(search.best_params_)
    ['alpha']
    >>> search.cv_results_["split0_test_score"].shape
    (2,)
    """


class RandomizedSearchCV(_StackedSearch, _sk.RandomizedSearchCV):
    """scikit-learn's ``RandomizedSearchCV``, with the fits of a skvanilla MLP made together.

    The parameters, attributes, methods and results are those of
    :class:`sklearn.model_selection.RandomizedSearchCV` (see its documentation):
    the same ``random_state`` samples the same candidates, and ``cv_results_`` and
    the best candidate are equal to what it gives.  The fits are made as in
    :class:`GridSearchCV`.

    Parameters
    ----------
    estimator, param_distributions, n_iter, scoring, n_jobs, refit, cv, verbose, \
pre_dispatch, random_state, error_score, return_train_score
        As in :class:`sklearn.model_selection.RandomizedSearchCV`.

    See Also
    --------
    GridSearchCV : every candidate of a grid.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from skvanilla import VanillaMLPClassifier
    >>> from skvanilla.model_selection import RandomizedSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> mlp = VanillaMLPClassifier(hidden_layer_sizes=(5,), learning_rate_init=0.01, tol=0.01,
    ...                            random_state=0)
    >>> search = RandomizedSearchCV(mlp, {"alpha": loguniform(1e-4, 1.0)}, n_iter=2, cv=3,
    ...                             random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"])
    2
    """
