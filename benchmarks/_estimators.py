"""The two estimators as contenders: a fit, or a prediction, ready to time."""

import warnings

from sklearn.exceptions import ConvergenceWarning


def fit_estimator(cls, workload, X, y, epochs=None):
    """``cls`` with the workload's parameters, fitted for exactly ``epochs`` epochs."""
    params = workload.estimator_params(epochs)
    est = cls(**params)
    # Reaching max_iter is the point here: every contender runs the same epochs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    if est.n_iter_ != params["max_iter"]:
        raise RuntimeError(
            f"{cls.__name__} ran {est.n_iter_} epochs instead of {params['max_iter']}; "
            "the comparison would not be fair."
        )
    return est


def estimator_runner(classifier, regressor):
    """A contender factory for one library's classifier and regressor.

    Parameters
    ----------
    classifier : type
        ``MLPClassifier`` or ``VanillaMLPClassifier``: for workloads with
        class labels.
    regressor : type
        ``MLPRegressor`` or ``VanillaMLPRegressor``: for workloads with real
        targets (``workload.regression``).

    Returns
    -------
    callable
        ``make(workload, X, y) -> run``: ``run()`` is the timed call (a
        whole ``fit`` as a user makes it, or one ``predict_proba`` -- for a
        regressor, ``predict`` -- of a network fitted here, untimed, for one
        epoch on ``fit_samples`` rows).
    """

    def make(workload, X, y):
        cls = regressor if workload.regression else classifier
        if workload.task == "fit":
            return lambda: fit_estimator(cls, workload, X, y)
        n = workload.fit_samples
        est = fit_estimator(cls, workload, X[:n], y[:n], epochs=1)
        predict = est.predict if workload.regression else est.predict_proba
        return lambda: predict(X)

    return make
