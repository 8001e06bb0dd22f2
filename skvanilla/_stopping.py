"""When training stops, and what it says: the stopping rule and training's errors and warnings.

After each epoch (or L-BFGS iteration) the record of training grows by one
entry and the stopping rule decides whether to go on (:func:`end_epoch`);
weights or a loss that are not finite stop it with :class:`TrainingDiverged`
(:func:`check_finite`).  The warnings of training (:func:`warn`) point at
the user's line, whichever way the call came in.  Both solvers' modules,
:mod:`skvanilla._training` and :mod:`skvanilla._lbfgs`, use them.

Only numpy, scikit-learn's warnings and the validation set's record are
imported here.
"""

import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._validation import record_validation

_PACKAGE = os.path.dirname(os.path.abspath(__file__))

# Each message begins with MLPClassifier's for the same event, so that code
# written against scikit-learn's messages keeps matching; then what skvanilla
# did about it, and what to try.
_NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large "
    "values and need to be preprocessed. "
)
_DIVERGED = (
    "Training diverged: the weights from before the last epoch are kept. Lower "
    "learning_rate_init, or scale the input features (for example with StandardScaler)."
)
_LBFGS_NON_FINITE = (
    "lbfgs met a non-finite objective or weights; the previous weights are kept. Scale "
    "the input features (for example with StandardScaler)."
)
_INTERRUPTED = "Training interrupted by user. The last weights are kept."


class TrainingDiverged(ValueError):
    """The weights or the objective became non-finite; the last finite weights are kept."""


def warn(message, category=UserWarning):
    """``warnings.warn``, attributed to the line that called the estimator.

    That is the first frame outside this package and scikit-learn's
    ``_fit_context`` wrapper (``sklearn.base``): ``fit``, ``partial_fit``
    and the heads reach training through different numbers of frames, so no
    fixed ``stacklevel`` points at the user's line for all of them.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and (
        frame.f_code.co_filename.startswith(_PACKAGE)
        or frame.f_globals.get("__name__") == "sklearn.base"
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def warn_max_iter(model):
    """The ConvergenceWarning of a fit that ran ``max_iter`` epochs (MLPClassifier's words)."""
    warn(
        f"Stochastic Optimizer: Maximum iterations ({model.max_iter}) reached "
        "and the optimization hasn't converged yet.",
        ConvergenceWarning,
    )


def check_finite(loss, theta, last_good, xp):
    if np.isfinite(loss) and xp.all_finite(theta):
        return
    theta[...] = last_good
    raise TrainingDiverged(_NON_FINITE + _DIVERGED)


def end_epoch(model, loss, n_samples, validation):
    """Record the epoch and apply the stopping rule; return True when training should stop.

    Progress is the validation score rising by ``tol`` with early stopping,
    else the training loss falling by ``tol``.  After ``n_iter_no_change``
    epochs without progress the optimizer decides: stop, or (SGD's adaptive
    schedule) lower its learning rate and go on.
    """
    model.n_iter_ += 1
    model.t_ += n_samples
    model.loss_ = loss
    model.loss_curve_.append(loss)
    if model.verbose:
        print(f"Iteration {model.n_iter_}, loss = {loss:.8f}")
    if validation is not None:
        val_improved = record_validation(model, validation)
    if model.early_stopping and validation is not None:
        improved = val_improved
    else:
        best = np.inf if model.best_loss_ is None else model.best_loss_
        improved = loss <= best - model.tol
        model.best_loss_ = min(best, loss)
    model._no_improvement_count = 0 if improved else model._no_improvement_count + 1
    model._optimizer.iteration_ends(model.t_)
    if model._no_improvement_count > model.n_iter_no_change:
        what = "Validation score" if model.early_stopping else "Training loss"
        msg = (
            f"{what} did not improve more than tol={model.tol:f} for "
            f"{model.n_iter_no_change} consecutive epochs."
        )
        if model._optimizer.trigger_stopping(msg, model.verbose):
            return True
        model._no_improvement_count = 0
    return False
