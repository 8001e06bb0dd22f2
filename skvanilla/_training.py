"""Training: the epochs of the stochastic solvers, L-BFGS, and when to stop.

This module's one job is to run an optimizer over the training set, for
both estimators.  Two entry points:

* :func:`fit_stochastic` -- epochs of mini-batches (forward, backward,
  optimizer step) into buffers made once per fit, the stopping rule after
  each epoch, Ctrl-C between batches, and the best validation weights
  restored at the end with early stopping;
* :func:`fit_lbfgs` -- scipy's L-BFGS-B on the whole objective.

``model`` below is the estimator.  Training reads its parameters (``solver``,
``max_iter``, ``tol`` ...) and writes its weights and its record of training
(``n_iter_``, ``t_``, ``loss_``, ``loss_curve_``, ``best_loss_``), which
are what the estimator is after a fit.  The state that carries from one
call to the next lives on the model too, under the names a saved model
holds (``_optimizer``, ``_no_improvement_count``, ``_dropout_step`` ...).
Of the model's methods it calls only ``_network()`` (what the network
computes, and in which namespace) and ``_epoch_callbacks`` (scikit-learn's
callbacks).

With arrays of another namespace than numpy (PyTorch, CuPy ...), every
array of a batch stays on the device.  What the host keeps: the order of the
samples (one permutation per epoch, drawn by numpy and moved once per epoch)
and the dropout masks (drawn by numpy and moved per batch), so that a
``random_state`` means the same thing everywhere; the epoch's loss is read
back once per epoch.
"""

import math
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._dropout import dropout_masks, sample_keys
from ._interrupt import DeferInterrupt
from ._network import Workspace, loss_and_gradients
from ._optimizers import SGD, Adam, minimize_lbfgs, pack, unpack
from ._validation import record_validation, restore_best

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


def _warn(message, category=UserWarning):
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


class TrainingBuffers:
    """Everything a training step writes, allocated once per fit.

    - The rows of a batch.  Without shuffling a batch is a slice, and a
      dense slice is a view: no copy at all.  With shuffling, dense rows are
      gathered with ``np.take`` into the same buffer every batch.  Integer
      and boolean ``X`` (kept so, see ``training_data``) is cast into a
      float buffer of the weights' dtype, batch by batch.
    - A :class:`Workspace` per batch length (the full batch, and the
      shorter last one) for the forward and backward passes.
    - The flat gradient vector, laid out as the flat parameter vector
      ``theta`` (weights first, then biases), and its views shaped like the
      layers, which ``backward`` writes into; and the runs of both vectors
      that hold the weights, and a vector for ``alpha * W``, for the L2 term
      (see ``flat`` in ``backward``).

    None of it outlives the fit: a fitted model keeps no buffer.
    """

    def __init__(self, X, Y, batch_size, shuffle, theta, coefs, intercepts, net):
        self.X, self.Y, self.batch_size = X, Y, batch_size
        self.xp = xp = net.xp
        self.gather = shuffle and not hasattr(X, "tocsr")
        self.cast = X.dtype != theta.dtype  # integer X; sparse X is always of theta's dtype
        # The classifier's 0/1 targets, read as float64 by a float64 network:
        # the same values, and the loss's and delta's ufuncs then run their
        # own loops instead of casting on the fly (a third of the loss's time
        # on a small batch).  A float32 network keeps them as they are:
        # scipy's xlogy computes them with float32 probabilities in float64,
        # numpy's P - Y in float32, as scikit-learn's do with its booleans.
        # (On another namespace the passes make their own arrays.)
        integer_Y = xp.is_numpy and Y.dtype.kind in "biu"
        self.cast_Y = integer_Y and theta.dtype == np.float64
        if xp.is_numpy:
            if self.gather:
                self.X_buffer = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
                self.Y_buffer = np.empty((batch_size, Y.shape[1]), dtype=Y.dtype)
            if self.cast:
                self.X_floats = np.empty((batch_size, X.shape[1]), dtype=theta.dtype)
            if self.cast_Y:
                self.Y_floats = np.empty((batch_size, Y.shape[1]), dtype=theta.dtype)
            layer_units = [X.shape[1], *(c.shape[1] for c in coefs)]
            overwrite = [f.prime_from_output for f in net.activations]
            Y_read = theta.dtype if self.cast_Y else Y.dtype
            loss_dtype = net.loss.dtype(Y_read, theta.dtype)
            full = Workspace(
                batch_size, layer_units, theta.dtype, overwrite=overwrite, loss_dtype=loss_dtype
            )
            rest = X.shape[0] % batch_size
            self.work = {batch_size: full, rest: full.head(rest)}
        else:  # the passes make their own arrays on the device
            self.work = {batch_size: None, X.shape[0] % batch_size: None}
        params = coefs + intercepts
        self.grad = xp.empty_like(theta)
        views = unpack(self.grad, params, xp)
        self.grads = views[: len(coefs)], views[len(coefs) :]
        n_weights = sum(math.prod(c.shape) for c in coefs)
        self.flat = (
            theta[:n_weights], self.grad[:n_weights], self.grad, xp.empty_like(theta[:n_weights])
        )

    def batch(self, rows):
        """The rows ``rows`` of ``X`` and ``Y`` (on the device, indices on the device)."""
        if not self.xp.is_numpy:
            if isinstance(rows, slice):  # the standard indexes every axis
                return self.X[rows, :], self.Y[rows, :]
            return self.xp.take(self.X, rows, axis=0), self.xp.take(self.Y, rows, axis=0)
        if self.gather:
            n = len(rows)
            # The rows are a permutation's: always in range.  numpy's take
            # into out= buffers its output to check them (mode="raise"), four
            # times the time of the gather itself; "clip" writes straight in.
            X_batch = self.X.take(rows, axis=0, out=self.X_buffer[:n], mode="clip")
            Y_batch = self.Y.take(rows, axis=0, out=self.Y_buffer[:n], mode="clip")
        else:
            X_batch, Y_batch = self.X[rows], self.Y[rows]
        if self.cast:  # integer or boolean rows, read as the weights' floats
            X_batch = _as_floats(X_batch, self.X_floats)
        if self.cast_Y:
            Y_batch = _as_floats(Y_batch, self.Y_floats)
        return X_batch, Y_batch


def _as_floats(rows, buffer):
    """``rows`` copied into the first rows of the float ``buffer`` (exact: small integers)."""
    floats = buffer[: rows.shape[0]]
    np.copyto(floats, rows)
    return floats


# ----------------------------------------------------------------------
# Stochastic solvers
# ----------------------------------------------------------------------


def fit_stochastic(model, train, validation, *, incremental, callbacks):
    """Epochs of mini-batches: ``max_iter`` of them, or one for ``partial_fit``.

    ``train`` and ``validation`` are :class:`~skvanilla._validation.DataSet`
    (``validation`` may be ``None``); ``callbacks`` is the fit's callback
    context.
    """
    X = train.X
    net = model._network()
    xp = net.xp
    theta = _flatten_params(model, xp)
    if not incremental or not hasattr(model, "_optimizer"):
        model._optimizer = make_optimizer(model, theta, xp)
    # As MLPClassifier: n_iter_ counts this call's epochs (so a warm start
    # runs max_iter more), while t_ and loss_curve_ go on counting.
    model.n_iter_ = 0
    n_samples = X.shape[0]
    batch_size = batch_size_for(model, n_samples)
    keys = dropout_keys(model, X, xp)
    buffers = TrainingBuffers(
        X, train.Y, batch_size, model.shuffle, theta, model.coefs_, model.intercepts_, net
    )
    order = np.arange(n_samples)
    last_good = xp.copy(theta)
    # The first Ctrl-C lets the batch in flight finish (see _interrupt.py).
    interrupt = DeferInterrupt().install()
    try:
        for _ in range(1 if incremental else model.max_iter):
            model._epoch_callbacks(callbacks, train, begin=True)
            if model.shuffle:
                order = order[model._random_state.permutation(n_samples)]
            xp.copyto(last_good, theta)
            loss = _run_epoch(model, train, keys, order, buffers, net, theta, interrupt)
            check_finite(loss, theta, last_good, xp)
            if interrupt.requested:
                raise KeyboardInterrupt  # the part-epoch is not recorded as an epoch
            stop = end_epoch(model, loss, n_samples, validation)
            stop |= model._epoch_callbacks(callbacks, train, begin=False)
            if stop:
                break
        else:
            if not incremental:
                warn_max_iter(model)
    except KeyboardInterrupt:
        # A second Ctrl-C may land inside an optimizer step: weights it left
        # non-finite go back to where the epoch started.
        if not xp.all_finite(theta):
            theta[...] = last_good
        _warn(_INTERRUPTED)
    finally:
        interrupt.restore()
    restore_best(model, validation)


def batch_size_for(model, n_samples, *, warn=True):
    """The batch size a fit on ``n_samples`` rows uses; warns when ``batch_size`` is clipped.

    ``warn=False`` only asks: a fit warns once, when it starts training.
    """
    # int(): scikit-learn's constraint lets True through, as a batch of 1.
    batch_size = min(200 if model.batch_size == "auto" else int(model.batch_size), n_samples)
    if warn and model.batch_size != "auto" and model.batch_size > n_samples:
        _warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be "
            f"clipped to the {n_samples} samples."
        )
    return batch_size


def warn_max_iter(model):
    """The ConvergenceWarning of a fit that ran ``max_iter`` epochs (MLPClassifier's words)."""
    _warn(
        f"Stochastic Optimizer: Maximum iterations ({model.max_iter}) reached "
        "and the optimization hasn't converged yet.",
        ConvergenceWarning,
    )


def make_optimizer(model, params, xp):
    if model.solver == "sgd":
        return SGD(
            params,
            model.learning_rate_init,
            model.learning_rate,
            model.momentum,
            model.nesterovs_momentum,
            model.power_t,
            xp=xp,
        )
    return Adam(
        params, model.learning_rate_init, model.beta_1, model.beta_2, model.epsilon, xp=xp
    )


def _flatten_params(model, xp):
    """Move the weights into one flat vector; ``coefs_`` and ``intercepts_`` become views.

    The optimizer then updates the whole network in a few calls, whatever
    its number of layers.  Returns the vector.
    """
    params = model.coefs_ + model.intercepts_
    theta = pack(params, xp)
    views = unpack(theta, params, xp)
    n_layers = len(model.coefs_)
    model.coefs_, model.intercepts_ = views[:n_layers], views[n_layers:]
    return theta


def dropout_keys(model, X, xp):
    """Content keys of the rows of ``X`` for dropout masks, or None without dropout.

    They are hashes of the rows' values, made on the host: ``X`` on a
    device is copied to the host once for them.
    """
    if model.dropout == 0:
        return None
    if model._dropout_seed is None:
        # Drawn only when dropout is used, so that other fits consume the
        # random state exactly as before.
        model._dropout_seed = int(model._random_state.randint(np.iinfo(np.int32).max))
    dtype = xp.numpy_dtype(model.coefs_[0].dtype)  # integer X is hashed as these floats
    return sample_keys(xp.to_host(X), model._dropout_seed, dtype)


def _run_epoch(model, train, keys, order, buffers, net, theta, interrupt=None):
    """One pass over every sample in mini-batches; returns the mean batch objective.

    The objective is a scalar of the namespace's (the host reads it once per
    epoch).
    """
    xp = net.xp
    sample_weight = train.sample_weight
    n_samples = train.X.shape[0]
    hidden = [c.shape[1] for c in model.coefs_[:-1]]
    batch_size = buffers.batch_size
    mask_dtype = xp.numpy_dtype(theta.dtype)
    # The permutation is numpy's; the device reads a copy, moved once per epoch.
    device_order = order if xp.is_numpy or not model.shuffle else xp.from_host(order)
    counted = {n: rows_counted(model, n, xp) for n in buffers.work}
    total = 0.0
    with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, n_samples, batch_size):
            if interrupt is not None and interrupt.requested:
                break  # Ctrl-C: stop once the batch in flight is done
            # The standard leaves slices past the end undefined: stop at n_samples.
            stop = min(start + batch_size, n_samples)
            rows = order[start:stop] if model.shuffle else slice(start, stop)
            device_rows = device_order[start:stop] if model.shuffle else rows
            sw = None if sample_weight is None else _rows(xp, sample_weight, device_rows)
            if sw is not None and not xp.any(sw):
                continue  # a batch of zero weight has no objective to descend
            masks = None
            if keys is not None:
                masks = dropout_masks(
                    keys[rows], model._dropout_step, hidden, model.dropout, mask_dtype
                )
                masks = [xp.from_host(m) for m in masks]
                model._dropout_step += 1
            X_batch, Y_batch = buffers.batch(device_rows)
            n = Y_batch.shape[0]
            # The gradients land in views of buffers.grad.
            loss, _, _ = loss_and_gradients(
                X_batch,
                Y_batch,
                model.coefs_,
                model.intercepts_,
                net,
                sw,
                model.alpha,
                masks,
                work=buffers.work[n],
                grads=buffers.grads,
                flat=buffers.flat,
            )
            model._optimizer.update_params(theta, buffers.grad)
            total += loss * counted[n]
    return xp.scalar(total / n_samples)


def rows_counted(model, n, xp):
    """The batch's row count ``n``, of the type scikit-learn multiplies the batch's loss by.

    A numpy integer when ``batch_size`` is given (``np.clip`` made it one),
    a Python int with ``"auto"``: a float32 loss times the first becomes
    float64, times the second stays float32.  Outside numpy, a Python int.
    """
    return n if model.batch_size == "auto" or not xp.is_numpy else np.int64(n)


def _rows(xp, a, rows):
    """``a[rows]``: a slice, or indices on the device."""
    return a[rows] if xp.is_numpy or isinstance(rows, slice) else xp.take(a, rows, axis=0)


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


# ----------------------------------------------------------------------
# L-BFGS
# ----------------------------------------------------------------------


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
        _warn(_INTERRUPTED)
    elif result.status != 0 and not stopped_by_callback[0]:
        if model.n_iter_ == model.max_iter:
            advice = (
                "Increase the number of iterations to improve the convergence "
                f"(max_iter={model.max_iter}).\nYou might also want to scale the data "
                "(for example with StandardScaler)."
            )
        else:  # scipy's count of objective calls ran out first
            advice = f"Increase max_fun (max_fun={model.max_fun}), or scale the data."
        _warn(
            f"lbfgs failed to converge after {model.n_iter_} iteration(s) "
            f"(status={result.status}):\n{result.message}\n\n{advice}",
            ConvergenceWarning,
        )
