"""Fitted networks across to and from scikit-learn's MLP estimators.

This module's one job: turn a fitted scikit-learn MLP into the equivalent
skvanilla estimator and back, so that the copy predicts the same and, when
training goes on (``partial_fit``, or ``fit`` with ``warm_start=True``),
takes the steps the original would have taken.  Four things cross over:

* the constructor's parameters (skvanilla's own extras stay at their
  defaults one way, and must be at them the other way);
* the weights and the fitted attributes;
* the record of training that decides when to stop (the count of epochs
  without improvement, the best validation weights);
* the optimizer's state.  scikit-learn keeps it as one array per layer
  (SGD's ``velocities``, Adam's ``ms`` and ``vs``), in the order
  ``coefs_ + intercepts_``; skvanilla keeps one flat vector in that same
  order, each array C-ordered (:func:`~skvanilla._optimizers.pack`), so
  the state converts by packing and unpacking.

The first part of the module holds what any MLP shares -- parameters,
weights, optimizer -- and the last two parts what is about classes and
about real-valued targets (for a regressor, nothing but the class).  scikit-learn's
optimizers and ``MLPClassifier``'s label binarizer are private to
scikit-learn; they are imported only when a conversion runs, so that a
scikit-learn that moves them breaks conversion, never ``import skvanilla``.
"""

import copy
import inspect

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from ._optimizers import SGD, Adam, pack, unpack

#: The network and what it was fitted on, in both libraries.
NETWORK_ATTRIBUTES = (
    "coefs_", "intercepts_", "n_layers_", "n_outputs_", "out_activation_",
    "n_features_in_", "feature_names_in_",
)
#: What every fit records.
RECORD_ATTRIBUTES = ("n_iter_", "t_", "loss_")
#: What scikit-learn records for its stochastic solvers only, and skvanilla always.
STOCHASTIC_RECORD_ATTRIBUTES = (
    "best_loss_", "loss_curve_", "validation_scores_", "best_validation_score_",
)


# ----------------------------------------------------------------------
# What every MLP shares: parameters, weights, record, optimizer
# ----------------------------------------------------------------------


def check_fitted(estimator, kind, method):
    """``estimator`` must be a fitted instance of ``kind``; ``method`` names the caller."""
    if not isinstance(estimator, kind):
        raise TypeError(
            f"{method} expects a fitted {kind.__name__}; got {type(estimator).__name__}."
        )
    check_is_fitted(
        estimator,
        msg=(
            f"{method} needs a fitted %(name)s, and this one is not fitted yet: "
            "call its fit (or partial_fit) first. An unfitted estimator has only "
            "parameters to carry across: pass its get_params() to the other class."
        ),
    )


def params_from(source, target_class):
    """``source``'s constructor parameters, copied, as keywords for ``target_class``.

    Copied as :func:`sklearn.base.clone` copies them, so that the two
    estimators share no random generator or list.
    """
    params = source.get_params(deep=False)
    unknown = sorted(set(params) - set(inspect.signature(target_class).parameters))
    if unknown:
        raise ValueError(
            f"{target_class.__name__} has no parameter {', '.join(unknown)} of "
            f"{type(source).__name__}; this scikit-learn is newer than skvanilla knows."
        )
    return {name: copy.deepcopy(value) for name, value in params.items()}


def params_for(source, target_class, handled=()):
    """``source``'s parameters that ``target_class`` takes, checked against its constraints.

    ``source``'s other parameters (skvanilla's extras) must be at their
    defaults, except those in ``handled``, which the caller checks itself.

    Raises
    ------
    ValueError
        Naming each parameter, or value, that ``target_class`` cannot express.
    """
    params = source.get_params(deep=False)
    defaults = {
        name: p.default for name, p in inspect.signature(type(source)).parameters.items()
    }
    names = list(inspect.signature(target_class).parameters)
    extras = [
        f"{name}={value!r}"
        for name, value in params.items()
        if name not in names and name not in handled and not _equal(value, defaults[name])
    ]
    target = target_class.__name__
    if extras:
        raise ValueError(
            f"{target} cannot express {', '.join(extras)}: it has no such parameter, "
            "so to_sklearn needs each of skvanilla's own parameters at its default."
        )
    shared = {name: copy.deepcopy(params[name]) for name in names}
    try:
        validate_parameter_constraints(
            target_class._parameter_constraints, shared, caller_name=target
        )
    except InvalidParameterError as exc:
        raise ValueError(f"{target} cannot express this model. {exc}") from None
    return shared


def _equal(value, default):
    try:
        return bool(value == default)
    except (TypeError, ValueError):  # an array, say: not a default
        return False


def copy_fitted(source, target, names):
    """Copy each attribute of ``names`` that ``source`` has onto ``target``."""
    for name in names:
        if hasattr(source, name):
            setattr(target, name, copy.deepcopy(getattr(source, name)))


def adopt_from_sklearn(mlp, estimator):
    """Give ``estimator`` (skvanilla, its targets set) the network and record of ``mlp``.

    ``estimator`` keeps its own record where ``mlp`` has none: scikit-learn
    records no loss curve for ``lbfgs``, and no validation loss.
    """
    estimator._start_record()
    copy_fitted(mlp, estimator, NETWORK_ATTRIBUTES + RECORD_ATTRIBUTES)
    copy_fitted(mlp, estimator, STOCHASTIC_RECORD_ATTRIBUTES)
    if not hasattr(mlp, "best_loss_"):
        # The lowest loss known is the last one: L-BFGS reports no other.
        estimator.best_loss_ = estimator.loss_
    if estimator.validation_scores_ is not None:
        # One entry per epoch, as validation_scores_; MLPClassifier did not
        # measure the validation loss, so each is unknown.
        estimator.validation_loss_curve_ = [np.nan] * len(estimator.validation_scores_)
    estimator._no_improvement_count = getattr(mlp, "_no_improvement_count", 0)
    if mlp.early_stopping and hasattr(mlp, "_best_coefs"):
        # The weights of the best validation score, which a warm-started fit
        # goes back to if it finds none better.
        estimator._best_coefs = copy.deepcopy(mlp._best_coefs)
        estimator._best_intercepts = copy.deepcopy(mlp._best_intercepts)
    if hasattr(mlp, "_optimizer"):
        params = estimator.coefs_ + estimator.intercepts_
        estimator._optimizer = optimizer_from_sklearn(mlp._optimizer, params)


def export_to_sklearn(estimator, mlp):
    """Give ``mlp`` (scikit-learn, its targets set) the network and record of ``estimator``.

    ``mlp`` gets the attributes MLPClassifier itself would have: no loss
    curve or best loss for ``lbfgs``.
    """
    copy_fitted(estimator, mlp, NETWORK_ATTRIBUTES + RECORD_ATTRIBUTES)
    if mlp.solver != "lbfgs":
        copy_fitted(estimator, mlp, STOCHASTIC_RECORD_ATTRIBUTES)
        mlp._no_improvement_count = estimator._no_improvement_count
    # MLPClassifier always holds best weights; without early stopping they
    # are never read, and the current weights are the best known.
    if hasattr(estimator, "_best_coefs"):
        best = estimator._best_coefs, estimator._best_intercepts
    else:
        best = estimator.coefs_, estimator.intercepts_
    mlp._best_coefs, mlp._best_intercepts = copy.deepcopy(best)
    if hasattr(estimator, "_optimizer"):
        params = mlp.coefs_ + mlp.intercepts_
        mlp._optimizer = optimizer_to_sklearn(estimator._optimizer, params)


def optimizer_from_sklearn(optimizer, params):
    """skvanilla's optimizer in the state of scikit-learn's ``optimizer``.

    Parameters
    ----------
    optimizer : SGDOptimizer or AdamOptimizer
        scikit-learn's, with one state array per entry of ``params``.
    params : list of ndarray
        The weights then the biases the state belongs to.

    Returns
    -------
    SGD or Adam
    """
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    theta = pack(params)

    def flat(arrays):
        return pack(arrays).astype(theta.dtype, copy=False)

    if isinstance(optimizer, SGDOptimizer):
        ours = SGD(
            theta, optimizer.learning_rate_init, optimizer.lr_schedule,
            optimizer.momentum, optimizer.nesterov, optimizer.power_t,
        )
        ours.velocities = flat(optimizer.velocities)
    elif isinstance(optimizer, AdamOptimizer):
        ours = Adam(
            theta, optimizer.learning_rate_init,
            optimizer.beta_1, optimizer.beta_2, optimizer.epsilon,
        )
        ours.t = int(optimizer.t)
        ours.ms, ours.vs = flat(optimizer.ms), flat(optimizer.vs)
    else:
        raise TypeError(f"Cannot convert an optimizer of type {type(optimizer).__name__}.")
    ours.learning_rate = float(optimizer.learning_rate)
    return ours


def optimizer_to_sklearn(optimizer, params):
    """scikit-learn's optimizer in the state of skvanilla's ``optimizer``.

    Parameters
    ----------
    optimizer : SGD or Adam
        skvanilla's, with flat state vectors laid out like ``pack(params)``.
    params : list of ndarray
        The weights then the biases the state belongs to.

    Returns
    -------
    SGDOptimizer or AdamOptimizer
    """
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    def arrays(flat):
        return [np.array(a) for a in unpack(flat, params)]

    if isinstance(optimizer, SGD):
        theirs = SGDOptimizer(
            params, optimizer.learning_rate_init, optimizer.schedule,
            optimizer.momentum, optimizer.nesterov, optimizer.power_t,
        )
        theirs.velocities = arrays(optimizer.velocities)
    else:
        theirs = AdamOptimizer(
            params, optimizer.learning_rate_init,
            optimizer.beta_1, optimizer.beta_2, optimizer.epsilon,
        )
        theirs.t = optimizer.t
        theirs.ms, theirs.vs = arrays(optimizer.ms), arrays(optimizer.vs)
    theirs.learning_rate = optimizer.learning_rate
    return theirs


# ----------------------------------------------------------------------
# What is about classes
# ----------------------------------------------------------------------


def _sklearn_output(kind):
    """MLPClassifier's output units for a target kind: softmax for multiclass only."""
    return "softmax" if kind == "multiclass" else "logistic"


def classifier_from_sklearn(cls, mlp):
    """A ``cls`` (VanillaMLPClassifier) equivalent to the fitted MLPClassifier ``mlp``."""
    from sklearn.neural_network import MLPClassifier

    check_fitted(mlp, MLPClassifier, f"{cls.__name__}.from_sklearn")
    classes = mlp.classes_
    if len(classes) < 2:
        raise ValueError(
            f"This MLPClassifier was fitted on one class ({classes[0]!r}); "
            f"{cls.__name__} refuses one-class targets, so it cannot adopt it."
        )
    estimator = cls(**params_from(mlp, cls))
    multilabel = mlp.out_activation_ == "logistic" and mlp.n_outputs_ > 1
    # The labels stand in for a y: they set classes_, the kind of target and
    # the output units as a fit on them would.
    y = np.eye(len(classes), dtype=int) if multilabel else classes
    estimator._set_targets(y, classes)
    if not np.array_equal(estimator.classes_, classes) or (
        estimator.n_outputs_ != mlp.n_outputs_
    ):
        raise ValueError(
            f"This MLPClassifier's classes_ {classes.tolist()} and its "
            f"{mlp.n_outputs_} output units do not fit together; it cannot be adopted."
        )
    adopt_from_sklearn(mlp, estimator)
    return estimator


def classifier_to_sklearn(estimator):
    """The MLPClassifier equivalent to the fitted skvanilla classifier ``estimator``."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import LabelBinarizer

    check_fitted(estimator, type(estimator), "to_sklearn")
    kind = estimator._target_kind
    if estimator.out_activation_ != _sklearn_output(kind):
        raise ValueError(
            f"MLPClassifier cannot express out_activation={estimator.out_activation!r} "
            f"for a {kind} target: it gives {kind} targets {_sklearn_output(kind)} "
            f"outputs, and this model has {estimator.out_activation_} ones."
        )
    mlp = MLPClassifier(**params_for(estimator, MLPClassifier, handled=("out_activation",)))
    mlp.classes_ = estimator.classes_.copy()
    labels = np.eye(len(mlp.classes_), dtype=int) if kind == "multilabel" else mlp.classes_
    mlp._label_binarizer = LabelBinarizer().fit(labels)
    export_to_sklearn(estimator, mlp)
    return mlp


# ----------------------------------------------------------------------
# What is about real-valued targets
# ----------------------------------------------------------------------


def regressor_from_sklearn(cls, mlp):
    """A ``cls`` (VanillaMLPRegressor) equivalent to the fitted MLPRegressor ``mlp``.

    The targets need nothing of their own: ``n_outputs_`` and
    ``out_activation_`` cross with the network.
    """
    from sklearn.neural_network import MLPRegressor

    check_fitted(mlp, MLPRegressor, f"{cls.__name__}.from_sklearn")
    estimator = cls(**params_from(mlp, cls))
    adopt_from_sklearn(mlp, estimator)
    return estimator


def regressor_to_sklearn(estimator):
    """The MLPRegressor equivalent to the fitted skvanilla regressor ``estimator``."""
    from sklearn.neural_network import MLPRegressor

    check_fitted(estimator, type(estimator), "to_sklearn")
    mlp = MLPRegressor(**params_for(estimator, MLPRegressor))
    export_to_sklearn(estimator, mlp)
    return mlp
