"""The validation set: given or held out, scored after each epoch, and its best weights.

This module's one job is the bookkeeping of a validation set, for both
estimators: checking ``X_val, y_val, sample_weight_val`` or holding out
``validation_fraction`` of the training data, and after each epoch (or
L-BFGS iteration) measuring the validation loss and score, recording them
in ``validation_loss_curve_`` and ``validation_scores_``, and keeping the
weights of the best score for early stopping to go back to.

``model`` below is the estimator.  What is about its targets comes from
it: ``_encode`` (targets as the network's outputs), ``_split_groups``
(what the held-out share is taken of: each class, or all rows) and
``_default_score`` (what ``scoring=None`` means: accuracy or R²).

With ``X`` of another namespace than numpy, the sets come back with their
targets and weights moved to ``X``'s device; the split itself is made on
the host (a hash of each row's values), and the default score reads the
validation outputs back to the host once per epoch.
"""

from typing import NamedTuple

import numpy as np
from sklearn.base import is_regressor
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split

from ._dropout import sample_keys
from ._inputs import validation_data
from ._network import objective
from ._split import weighted_split
from ._xp import NUMPY


class DataSet(NamedTuple):
    """Samples as training reads them: features, encoded targets, targets, weights."""

    X: object
    Y: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray | None


def training_and_validation_sets(model, data, given, incremental):
    """Split off, or check, the validation set; returns ``(train, validation)``.

    ``data`` is the whole training :class:`DataSet`; ``given`` is
    ``(X_val, y_val, sample_weight_val)`` as passed to ``fit``.
    ``validation`` is a :class:`DataSet`, or ``None`` when there is none.
    """
    X_val, y_val, sw_val = given
    xp = model._namespace()
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together.")
    if X_val is not None:
        dtype = model.coefs_[0].dtype
        X_val, y_val, sw_val = validation_data(model, X_val, y_val, sw_val, dtype, xp)
        Y_val = model._encode(y_val, xp.numpy_dtype(dtype), name="y_val")
        return on_device(data, xp), on_device(DataSet(X_val, Y_val, y_val, sw_val), xp)
    if not model.early_stopping or model.solver == "lbfgs" or incremental:
        return on_device(data, xp), None
    return tuple(on_device(d, xp) for d in _split(model, data, xp))


def on_device(data, xp):
    """``data`` with its encoded targets and weights moved to ``xp``'s device (numpy: as is).

    Off numpy, the targets take the float dtype of ``X``: the Array API
    standard does not mix integer and float arrays in arithmetic.
    """
    if xp.is_numpy:
        return data
    X, Y, y, sample_weight = data
    Y = xp.from_host(np.asarray(Y, dtype=xp.numpy_dtype(X.dtype)))
    return DataSet(X, Y, y, None if sample_weight is None else xp.from_host(sample_weight))


def _split(model, data, xp=NUMPY):
    """Hold out ``validation_fraction`` of the rows: scikit-learn's split, or the weighted one.

    See ``weighted_validation_split``.  scikit-learn's is ``train_test_split``
    of the rows, drawn from ``model._random_state`` after the weights are,
    stratified for one output unit of classes (a binary classifier), its rows
    in the order it draws them: MLPClassifier's and MLPRegressor's split.
    """
    if model.weighted_validation_split:
        train, val = _weighted_rows(model, data, xp)
    else:
        one_unit = model._split_groups(data.y) is not None and data.Y.shape[1] == 1
        train, val = train_test_split(
            np.arange(data.X.shape[0]),
            random_state=model._random_state,
            test_size=model.validation_fraction,
            # As booleans, as MLPClassifier holds its targets: the same split, and
            # train_test_split's error for a lone class names it as scikit-learn's does.
            stratify=data.Y.astype(bool) if one_unit else None,
        )
    _check_held_out(model, data, val)
    X = data.X

    def rows(a, index):
        if a is None:
            return None
        if a is X and not xp.is_numpy:  # the only array on the device here
            return xp.take(a, xp.from_host(index), axis=0)
        return a[index]

    return (
        DataSet(*(rows(a, train) for a in data)),
        DataSet(*(rows(a, val) for a in data)),
    )


def _weighted_rows(model, data, xp):
    """The rows of training and of validation of :func:`weighted_split`."""
    seed = model._random_state.randint(np.iinfo(np.int32).max)
    weights = np.ones(data.X.shape[0]) if data.sample_weight is None else data.sample_weight
    held_out = weighted_split(
        sample_keys(xp.to_host(data.X), seed, dtype=xp.numpy_dtype(model.coefs_[0].dtype)),
        model._split_groups(data.y),
        weights,
        model.validation_fraction,
    )
    return np.flatnonzero(~held_out), np.flatnonzero(held_out)


def _check_held_out(model, data, val):
    """Refuse a validation set that cannot score: too few rows, or of no weight.

    scikit-learn's split needs two rows, as MLPClassifier and MLPRegressor
    refuse fewer (with their message first).  The weighted split, which may
    hold out one row of a tiny dataset, needs two only for the regressor's
    default score: R² is undefined on one row.  Only the validation side can
    be weightless: both splits keep a row of positive weight for training.
    """
    weights = data.sample_weight
    weightless = weights is not None and weights[val].sum() <= 0
    r2 = is_regressor(model) and model.scoring is None
    fewest = 2 if r2 or not model.weighted_validation_split else 1
    if len(val) < fewest or weightless:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size "
            f"of your dataset. validation_fraction={model.validation_fraction} of "
            f"{data.X.shape[0]} sample(s) holds out {len(val)}"
            f"{' of no weight' if weightless else ''}; or pass X_val, y_val."
        )


def _loss(net, Z_val, Y_val, sw_val):
    """The objective on the validation set without its penalty: the weighted mean loss."""
    P_val = net.output.f(Z_val, xp=net.xp)
    return float(objective([Z_val], [P_val], Y_val, [], net, sw_val, 0.0))


def _score(model, validation, Z_val, loss):
    """``model.scoring`` of the validation set (higher is better)."""
    X_val, _, y_val, sw_val = validation
    if model.scoring is None:
        xp = model._namespace()
        return model._default_score(xp.to_host(Z_val), y_val, xp.to_host(sw_val))
    if model.scoring == "loss":
        return -loss
    scorer = check_scoring(model, scoring=model.scoring)
    kwargs = {} if sw_val is None else {"sample_weight": sw_val}
    score = float(scorer(model, X_val, y_val, **kwargs))
    if not np.isfinite(score):
        raise ValueError(
            f"scoring={model.scoring!r} gave a non-finite validation score ({score}); "
            "early stopping cannot compare it."
        )
    return score


def record_validation(model, validation):
    """Score the validation set; return True if the score improved by ``tol``.

    Appends to ``validation_loss_curve_`` and ``validation_scores_``, and
    keeps a copy of the weights whenever the score is the best so far.
    """
    # One forward pass serves both the loss and the default score.
    Z_val = model._forward_z(validation.X)
    xp = model._namespace()
    with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss = _loss(model._network(), Z_val, validation.Y, validation.sample_weight)
    if not np.isfinite(loss):
        raise ValueError(
            "The validation loss is not finite: the network's outputs overflow on the "
            "validation set. Scale the validation features as the training features."
        )
    score = _score(model, validation, Z_val, loss)
    if model.validation_scores_ is None:
        model.validation_scores_, model.validation_loss_curve_ = [], []
        model.best_validation_score_ = -np.inf
    model.validation_loss_curve_.append(loss)
    model.validation_scores_.append(score)
    if model.verbose:
        print(f"Validation score: {score:f}, validation loss: {loss:.8f}")
    improved = score >= model.best_validation_score_ + model.tol
    if score > model.best_validation_score_:
        model.best_validation_score_ = score
        model._best_coefs = [xp.copy(c) for c in model.coefs_]
        model._best_intercepts = [xp.copy(b) for b in model.intercepts_]
    return improved


def restore_best(model, validation):
    """With early stopping on a validation set, go back to the weights of its best score."""
    if model.early_stopping and validation is not None and hasattr(model, "_best_coefs"):
        model.coefs_, model.intercepts_ = model._best_coefs, model._best_intercepts
