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
   fit time is put back, the one measured in step 2.  The scoring shares
   what the candidates of a split have in common (:class:`_SharedScoring`):
   the split's test and training rows are cut once, and a pipeline's earlier
   steps transform them once per split and setting, not once per candidate
   and scorer.

Calls whose estimator is something else are made by ``_fit_and_score`` as
they are.
"""

import functools
import inspect
import time
import types
from contextlib import contextmanager

from sklearn.base import clone
from sklearn.model_selection._validation import _fit_and_score
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
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


def _with_globals(function, **names):
    """A copy of ``function`` that finds ``names`` in place of its module's globals.

    The module, and ``function`` itself, are untouched: other callers, other
    threads, see scikit-learn's own.
    """
    copy = types.FunctionType(
        function.__code__,
        {**function.__globals__, **names},
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


class _SharedScoring:
    """The scoring of the stacked calls, with what a split's candidates share made once.

    scikit-learn's ``_fit_and_score`` cuts a split's rows afresh for each
    candidate (``_safe_split``), and a pipeline transforms them through its
    earlier steps each time a scorer asks it for ``predict``,
    ``predict_proba``, ``decision_function`` or ``score``.  Here:

    - :attr:`fit_and_score` is ``_fit_and_score`` whose ``_safe_split`` is
      :meth:`cut`: the candidates of a split get one cut of its test rows and
      one of its training rows, the very objects ``_safe_split`` returned the
      first time (a scorer must not write into the rows it scores, which no
      scikit-learn scorer does);
    - while a pipeline is scored (:meth:`sharing`), each of its earlier steps
      -- fitted objects that the candidates of a split and setting share --
      answers ``transform`` of one of those cuts, or of an earlier step's
      answer, with the output it gave the first time.  Any other input, and
      any call with parameters, is transformed as ever; so a scorer sees the
      pipeline it would see, and gets the same predictions bit for bit; a
      copy or a pickle of a step carries none of it.  Nothing is left on the
      steps once the candidate is scored.
    """

    def __init__(self):
        self._cuts = {}  # the ids of _safe_split's arguments -> (the arguments, the cut)
        self._outputs = {}  # (id(step), id(X)) -> (step, X, step.transform(X))
        self._known = {}  # id -> the cuts and the outputs: inputs whose output is kept
        self.fit_and_score = (
            _with_globals(_fit_and_score, _safe_split=self.cut)
            if "_safe_split" in _fit_and_score.__code__.co_names
            else _fit_and_score  # a scikit-learn that cuts otherwise: shares nothing
        )

    def cut(self, estimator, X, y, indices, train_indices=None):
        """``_safe_split(estimator, X, y, indices, train_indices)``, once for the same arguments."""
        pairwise = get_tags(estimator).input_tags.pairwise  # all _safe_split reads of it
        key = (id(X), id(y), id(indices), id(train_indices), pairwise)
        if key not in self._cuts:
            cut = _safe_split(estimator, X, y, indices, train_indices)
            # The arguments are kept with the cut, so that their ids cannot be reused.
            self._cuts[key] = ((X, y, indices, train_indices), cut)
            self._known[id(cut[0])] = cut[0]
        return self._cuts[key][1]

    def _transform(self, step):
        """``step.transform``, its output for a known input made once."""
        transform = step.transform

        @functools.wraps(transform)
        def shared(X, *args, **params):
            if args or params or id(X) not in self._known:
                return transform(X, *args, **params)
            key = (id(step), id(X))
            if key not in self._outputs:
                Xt = transform(X)
                self._outputs[key] = (step, X, Xt)
                self._known[id(Xt)] = Xt  # the next step's input
            return self._outputs[key][2]

        return shared

    @contextmanager
    def sharing(self, estimator):
        """``estimator``'s earlier steps, if it is a pipeline, sharing their transforms."""
        steps = []
        try:
            for _, step in estimator.steps[:-1] if isinstance(estimator, Pipeline) else ():
                # A step without transform stays without; one already sharing is left so.
                if (
                    step is not None
                    and not isinstance(step, str)  # "passthrough"
                    and hasattr(step, "transform")
                    and hasattr(step, "__dict__")
                    and not _SHARING & vars(step).keys()
                ):
                    steps.append(step)
                    step.transform = self._transform(step)
                    # A scorer that pickles or copies the step copies none of this.
                    step.__getstate__ = functools.partial(_own_state, step)
            yield
        finally:
            for step in steps:
                for name in _SHARING:
                    vars(step).pop(name, None)


_SHARING = {"transform", "__getstate__"}  # what _SharedScoring.sharing puts on a step


def _own_state(step):
    """``step``'s state for pickle and copy, as its class gives it, without the sharing."""
    getstate = getattr(type(step), "__getstate__", None)  # object has none before 3.11
    state = getstate(step) if getstate is not None else dict(vars(step))
    if isinstance(state, dict):
        state = {key: value for key, value in state.items() if key not in _SHARING}
    return state


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
    >>> mlp = VanillaMLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", random_state=0)
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

    # The training sets go before the scoring, which keeps cuts and transforms of its own.
    data.clear()
    settings.clear()
    for outcome in stacked.values():
        outcome.task = None

    results, scoring = [], _SharedScoring()
    for index, call in enumerate(calls):
        outcome = stacked.get(index)
        if outcome is None:
            results.append(_fit_and_score(**call))
            continue
        with _replaying(outcome), scoring.sharing(outcome.estimator):
            result = scoring.fit_and_score(**{**call, "estimator": outcome.estimator})
        if "fit_time" in result:
            result["fit_time"] = outcome.seconds
        results.append(result)
    return results
