"""The fit-and-score tasks of a search or a cross-validation, their MLPs fitted in one call.

This module's one job is :func:`fit_and_score_all`.  scikit-learn describes
each fit of a search or a cross-validation as a call of its private
``_fit_and_score`` (clone, set the candidate's parameters, split, fit, score,
time, and on a failure either raise or record ``error_score``).  Here a list of
such calls is run in three steps:

1. every call's estimator gets its candidate's parameters; the data of each
   split is cut once, shared by every call of that split;
2. the skvanilla MLPs among them -- alone, or the last step of a
   ``Pipeline`` -- are fitted by one call of :func:`skvanilla._stack.fit_many`.
   A pipeline's earlier steps are fitted once per split and per setting of
   their parameters, and the MLPs get the transformed training set;
3. each call is then made, in order, by scikit-learn's own ``_fit_and_score``,
   with an estimator whose ``fit`` hands back the fit of step 2 (or raises
   its exception): the scores, the failures, ``error_score``, the verbose
   lines and the result's keys are scikit-learn's by construction.  Only the
   fit time is put back, the one measured in step 2.

Calls whose estimator is something else are made by ``_fit_and_score`` as
they are.
"""

import inspect
import time
from contextlib import contextmanager

from sklearn.base import clone
from sklearn.model_selection._validation import _fit_and_score
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import _routing_enabled, get_routing_for_object
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_method_params

from .._base import BaseVanillaMLP
from .._stack import fit_many

_SIGNATURE = inspect.signature(_fit_and_score)


def final_mlp(estimator):
    """The skvanilla MLP that ``estimator`` is or ends with, or None.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skvanilla import VanillaMLPClassifier
    >>> final_mlp(make_pipeline(StandardScaler(), VanillaMLPClassifier()))
    VanillaMLPClassifier()
    >>> final_mlp(LogisticRegression()) is None
    True
    """
    if isinstance(estimator, Pipeline):
        try:
            estimator = estimator.steps[-1][1]
        except (TypeError, IndexError, KeyError):  # steps scikit-learn will refuse
            return None
    return estimator if isinstance(estimator, BaseVanillaMLP) else None


def _same(a, b):
    """Are two parameter values the same setting?  Unsure (arrays ...) counts as no."""
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an array's == is not one truth value
        return False


class _Outcome:
    """What a stacked fit gave: the estimator to score, its error if any, its seconds."""

    def __init__(self, estimator):
        self.estimator, self.error, self.traceback, self.seconds = estimator, None, None, 0.0
        self.task = None  # (the MLP to fit, its (X, y, fit_params))

    def failed(self, error, seconds):
        self.error, self.traceback, self.seconds = error, error.__traceback__, seconds


class _Preprocessing:
    """A pipeline's steps before the MLP, fitted once on one split's training set."""

    def __init__(self, pipeline, params, X, y, fit_params):
        self.params = params
        last = pipeline.steps[-1][0]
        start = time.perf_counter()
        try:
            # The pipeline itself, its last step passed through, fits and applies
            # the earlier steps as Pipeline.fit would (routing, transform_input).
            prefix = clone(pipeline).set_params(**{last: "passthrough"})
            self.Xt = prefix.fit_transform(X, y, **_requested(prefix, fit_params))
            routed = pipeline._check_method_params(method="fit", props=fit_params)
            self.final_params = prefix._get_metadata_for_step(
                step_idx=len(pipeline) - 1, step_params=routed[last], all_params=fit_params
            )["fit"]
            self.steps, self.error = prefix.steps[:-1], None
        except Exception as exc:  # every candidate of this setting fails with it
            self.error = exc
        self.seconds = time.perf_counter() - start


def _requested(prefix, fit_params):
    """The fit parameters that ``prefix`` takes: with metadata routing, those its steps ask for.

    Routing refuses metadata that no step consumes, and the MLP's (its
    ``sample_weight``) is no longer in ``prefix``.
    """
    if not _routing_enabled():
        return fit_params
    wanted = get_routing_for_object(prefix).consumes("fit_transform", fit_params.keys())
    return {key: value for key, value in fit_params.items() if key in wanted}


def _earlier_params(pipeline, parameters):
    """The candidate's parameters that are not its final step's."""
    last = pipeline.steps[-1][0]
    return {
        key: value
        for key, value in (parameters or {}).items()
        if key != last and not key.startswith(last + "__")
    }


@contextmanager
def _replaying(outcome):
    """``outcome.estimator`` whose ``fit`` returns it already fitted (or raises its error).

    ``set_params`` does nothing meanwhile: ``_fit_and_score`` sets the candidate's
    parameters again, and a parameter that is a pipeline step would replace the
    fitted step with an unfitted clone.  Both are the class's again once ``fit``
    is called, before the scorers see the estimator.
    """
    estimator = outcome.estimator

    def undo():
        vars(estimator).pop("fit", None)
        vars(estimator).pop("set_params", None)

    def fit(*args, **kwargs):
        undo()
        if outcome.error is not None:
            raise outcome.error.with_traceback(outcome.traceback)
        return estimator

    estimator.fit = fit
    estimator.set_params = lambda **params: estimator
    try:
        yield
    finally:
        undo()


def fit_and_score_all(calls, n_jobs=None):
    """Make every ``delayed(_fit_and_score)`` call, its MLPs fitted by one ``fit_many``.

    Parameters
    ----------
    calls : iterable of (function, args, kwargs)
        As ``sklearn.utils.parallel.delayed(_fit_and_score)(...)`` builds them.
    n_jobs : int or None, default=None
        Passed to ``fit_many``.

    Returns
    -------
    results : list of dict
        ``_fit_and_score``'s result for each call, in order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import clone
    >>> from sklearn.metrics import check_scoring
    >>> from sklearn.model_selection._validation import _fit_and_score
    >>> from sklearn.utils.parallel import delayed
    >>> from skvanilla import VanillaMLPRegressor
    >>> X, y = np.arange(16.0).reshape(8, 2), np.arange(8.0)
    >>> mlp = VanillaMLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs")
    >>> scorer = check_scoring(mlp)
    >>> calls = [delayed(_fit_and_score)(clone(mlp), X, y, scorer=scorer, train=np.arange(6),
    ...          test=np.arange(6, 8), verbose=0, parameters={"alpha": alpha},
    ...          fit_params=None, score_params=None) for alpha in (0.1, -1.0)]
    >>> [result["fit_error"] is None for result in fit_and_score_all(calls)]
    [True, False]
    """
    calls = [_SIGNATURE.bind(*args, **kwargs).arguments for _, args, kwargs in calls]
    stacked, data, settings = {}, {}, []
    for index, call in enumerate(calls):
        estimator = call["estimator"]
        if call.get("parameters") is not None:
            estimator.set_params(**clone(call["parameters"], safe=False))
        mlp = final_mlp(estimator)
        if mlp is None:
            continue
        X, train, fit_params = call["X"], call["train"], call.get("fit_params")
        # One training set per split (and per fit parameters): never a copy per call.
        # The calls of a split share their X, train and fit_params objects, and hold
        # them while this runs, so that their ids cannot be reused meanwhile.
        key = (id(X), id(train), id(fit_params))
        if key not in data:
            X_train, y_train = _safe_split(estimator, X, call["y"], train)
            split_params = _check_method_params(X, fit_params or {}, indices=train)
            data[key] = (X_train, y_train, split_params)
        X_train, y_train, split_params = data[key]
        outcome = stacked[index] = _Outcome(estimator)
        if mlp is estimator:
            outcome.task = (mlp, (X_train, y_train, split_params))
            continue
        earlier = _earlier_params(estimator, call.get("parameters"))
        prep = next(
            (
                prep
                for prep_key, prep in settings
                if prep_key == key
                and prep.params.keys() == earlier.keys()
                and all(_same(prep.params[k], earlier[k]) for k in earlier)
            ),
            None,
        )
        if prep is None:
            prep = _Preprocessing(estimator, earlier, X_train, y_train, split_params)
            settings.append((key, prep))
        if prep.error is not None:
            outcome.failed(prep.error, prep.seconds)
            continue
        estimator.steps = [*prep.steps, estimator.steps[-1]]
        outcome.seconds = prep.seconds
        outcome.task = (mlp, (prep.Xt, y_train, prep.final_params))

    todo = [(index, outcome) for index, outcome in stacked.items() if outcome.error is None]
    if todo:
        fitted = fit_many(
            [outcome.task[0] for _, outcome in todo],
            [outcome.task[1] for _, outcome in todo],
            n_jobs=n_jobs,
        )
        for (_, outcome), (mlp, seconds) in zip(todo, fitted):
            if isinstance(mlp, Exception):
                outcome.failed(mlp, outcome.seconds + seconds)
                continue
            outcome.seconds += seconds
            if isinstance(outcome.estimator, Pipeline):
                name = outcome.estimator.steps[-1][0]
                outcome.estimator.steps = [*outcome.estimator.steps[:-1], (name, mlp)]
            else:
                outcome.estimator = mlp

    results = []
    for index, call in enumerate(calls):
        outcome = stacked.get(index)
        if outcome is None:
            results.append(_fit_and_score(**call))
            continue
        with _replaying(outcome):
            result = _fit_and_score(**{**call, "estimator": outcome.estimator})
        if "fit_time" in result:
            result["fit_time"] = outcome.seconds
        results.append(result)
    return results
