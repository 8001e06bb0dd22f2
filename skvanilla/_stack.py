"""Many fits in one call: the fallback that fits each estimator alone.

:func:`fit_many` is the one entry point through which
:mod:`skvanilla.model_selection` trains every candidate of a search on every
split.  This version is the fallback: it fits the estimators one after the
other (or on ``n_jobs`` joblib workers), each with its own ``fit``.  A version
that trains the networks of one architecture together, as a stack, takes its
place with the same signature and the same results.
"""

import time

from sklearn.utils.parallel import Parallel, delayed


def _fit_one(estimator, X, y, fit_params):
    start = time.perf_counter()
    try:
        outcome = estimator.fit(X, y, **fit_params)
    except Exception as exc:  # the caller scores or raises it, as scikit-learn does
        outcome = exc
    return outcome, time.perf_counter() - start


def fit_many(estimators, datasets, n_jobs=None):
    """Fit each estimator on its data set; a failed fit returns its exception.

    Parameters
    ----------
    estimators : list of estimators
        Unfitted estimators, each with its candidate's parameters set.
    datasets : list of (X, y, fit_params)
        One per estimator, in the same order: ``estimator.fit(X, y, **fit_params)``.
        Estimators of one split share the same ``X`` object.
    n_jobs : int or None, default=None
        The number of joblib workers (``None`` is one, unless in a joblib context).

    Returns
    -------
    results : list of (estimator or Exception, float)
        For each estimator, in order: the fitted estimator, or the exception its
        ``fit`` raised; and the seconds its fit took.

    Examples
    --------
    >>> import numpy as np
    >>> from skvanilla import VanillaMLPRegressor
    >>> X, y = np.arange(8.0).reshape(4, 2), np.arange(4.0)
    >>> results = fit_many([VanillaMLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs"),
    ...                     VanillaMLPRegressor(hidden_layer_sizes=(3,), alpha=-1.0)],
    ...                    [(X, y, {}), (X, y, {})])
    >>> [type(outcome).__name__ for outcome, seconds in results]
    ['VanillaMLPRegressor', 'InvalidParameterError']
    """
    return Parallel(n_jobs=n_jobs)(
        delayed(_fit_one)(est, *data) for est, data in zip(estimators, datasets)
    )
