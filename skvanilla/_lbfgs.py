"""L-BFGS: scipy's L-BFGS-B on the whole training objective, for both estimators.

One of the two solvers of :mod:`skvanilla._base` (the other, the
stochastic solvers' epochs, is :mod:`skvanilla._training`).  ``model`` is
the estimator, as there: the solver reads its parameters and writes its
weights and record.

Only numpy, the network's objective, the optimizers' ``minimize_lbfgs``
and training's stopping and warnings are imported here.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._interrupt import DeferInterrupt
from ._network import loss_and_gradients
from ._optimizers import minimize_lbfgs
from ._stopping import _INTERRUPTED, _LBFGS_NON_FINITE, _NON_FINITE, TrainingDiverged, warn
from ._validation import record_validation


def fit_lbfgs(model, train, validation, callbacks):
    """Minimise the whole training objective with L-BFGS-B, ``max_iter`` iterations at most."""
    X, Y, _, sample_weight = train
    net, n_layers = model._network(), len(model.coefs_)
    xp = net.xp
    if xp.is_numpy and X.dtype != model.coefs_[0].dtype:
        # Integer X (see training_data): every evaluation reads all of it,
        # so it is made float once.
        X = X.astype(model.coefs_[0].dtype)
    interrupt = DeferInterrupt()

    def fun(params):
        loss, coef_grads, intercept_grads = loss_and_gradients(
            X, Y, params[:n_layers], params[n_layers:], net, sample_weight, model.alpha
        )
        return loss, coef_grads + intercept_grads

    def after_iteration(params, loss):
        model.loss_curve_.append(float(loss))
        if model.verbose:
            print(f"Iteration {len(model.loss_curve_)}, loss = {loss:.8f}")
        model.coefs_, model.intercepts_ = params[:n_layers], params[n_layers:]
        if validation is not None:
            record_validation(model, validation)
        # A callback that asks to stop is obeyed, as by the stochastic solvers.
        stopped_by_callback[0] = model._epoch_callbacks(callbacks, train, begin=False)
        if interrupt.requested or stopped_by_callback[0]:
            raise StopIteration  # scipy ends the run with the current iterate

    model.loss_curve_ = []
    start = model.coefs_, model.intercepts_
    stopped_by_callback = [False]
    try:
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"), interrupt:
            params, result = minimize_lbfgs(
                fun,
                model.coefs_ + model.intercepts_,
                max_iter=model.max_iter,
                max_fun=model.max_fun,
                tol=model.tol,
                callback=after_iteration,
                xp=xp,
            )
        loss, n_iter = float(result.fun), min(result.nit, model.max_iter)
    except KeyboardInterrupt:
        # A second Ctrl-C stops at once, inside an evaluation: keep the last
        # iterate scipy reported (after_iteration stored it) or the start,
        # as the stochastic solvers keep their last weights.
        params, result = model.coefs_ + model.intercepts_, None
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = model.loss_curve_[-1] if model.loss_curve_ else float(fun(params)[0])
        n_iter = len(model.loss_curve_)
    if not np.isfinite(loss) or not all(xp.all_finite(p) for p in params):
        # after_iteration may have stored a non-finite iterate.
        model.coefs_, model.intercepts_ = start
        raise TrainingDiverged(_NON_FINITE + _LBFGS_NON_FINITE)
    model.coefs_, model.intercepts_ = params[:n_layers], params[n_layers:]
    model.n_iter_ = n_iter
    model.loss_ = loss
    model.best_loss_ = min(model.loss_curve_, default=model.loss_)
    if interrupt.requested:
        warn(_INTERRUPTED)
    elif result.status != 0 and not stopped_by_callback[0]:
        if model.n_iter_ == model.max_iter:
            advice = (
                "Increase the number of iterations to improve the convergence "
                f"(max_iter={model.max_iter}).\nYou might also want to scale the data "
                "(for example with StandardScaler)."
            )
        else:  # scipy's count of objective calls ran out first
            advice = f"Increase max_fun (max_fun={model.max_fun}), or scale the data."
        warn(
            f"lbfgs failed to converge after {model.n_iter_} iteration(s) "
            f"(status={result.status}):\n{result.message}\n\n{advice}",
            ConvergenceWarning,
        )
