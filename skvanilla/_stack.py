"""Many fits at once: the networks of one architecture trained together, as a stack.

:func:`fit_many` fits a list of estimators, each on its own data, with the
results of fitting each alone -- the same weights, ``loss_curve_``,
``n_iter_``, ``t_``, validation scores and best weights, bit for bit, or
the same exception.  Fits of skvanilla's estimators with a stochastic solver
whose networks have one shape -- the same layers, activations, solver,
batch size, shuffling and dtypes -- train together: every
step is one call of the numeric core on arrays with a leading axis of
networks (see :mod:`skvanilla._network`), where each network has its own
rows, ``random_state``, weights, learning rate, ``alpha``, momentum (and
Nesterov's or not), ``beta_1``, ``beta_2``, ``epsilon``, schedule, ``tol``,
``n_iter_no_change``, ``max_iter``, sample and class weights, early
stopping and dropout rate.  Numpy's ``matmul`` calls the same BLAS routine
on each network's matrices as one network's product does, so a network
computes in a stack what it computes alone; what a step of a small
network costs in the interpreter is paid once for the stack instead of
once per network.

Under dropout each network draws its own masks, from its own keys of the
rows (hashed with its own seed, drawn from its ``random_state`` when
``fit`` draws it), its own step counter and its own rate; the stack draws
them in one call of :func:`~skvanilla._dropout.dropout_masks`.  A network
without dropout in a stack with some gets masks of ones: multiplying by 1.0
is exact, so it computes what it computes alone.

Fits on PyTorch tensors (under ``array_api_dispatch``) stack through the
same code, in the namespace adapter of their arrays: the stack's arrays
live on the device, the passes make their own arrays there (no
workspace), and the host keeps what it keeps for one network (the orders
of the rows, the dropout masks, moved per step).  Two things keep each
network's bits there: a stack's products are each network's own 2-D
product (see ``ArrayAPI.matmul``), and each network's row of gradients
begins where a new array begins (:func:`~skvanilla._buffers.aligned_rows`).

The stacks train by :func:`~skvanilla._training.train_stack`, the epoch
loop by which ``fit`` trains one network (a stack of one): each network's
scikit-learn callbacks are told of its epochs, and a warm start goes on
from its model's weights, as in ``fit``.  What cannot share a stack with
other fits trains as a stack of its own: sparse ``X`` and namespaces
other than numpy and PyTorch (their steps take one network's arrays).
L-BFGS, and any estimator that is not skvanilla's, train by their own
``fit``.

Each network keeps its own order of the rows (its shuffle, drawn from its
``random_state`` as alone) and the stack gathers each network's batch from
its own ``X`` (the same array for every fit on one training set: ``X`` is
never copied per network).  A network stops when its stopping rule says so,
or at its ``max_iter``, and then leaves the stack; one that fails (it
diverges, or its validation loss is not finite) leaves it with its own
error, and the others go on.  Fits on training sets of other sizes share
the stack: where their batches differ in length (the last batch of an
epoch), the step is taken for each length apart.

The time a stack takes is shared equally among its fits in the times
:func:`fit_many` reports.  A stack's own arrays -- parameters, gradients,
optimizer state, and the buffers of a step -- stay within
:data:`STACK_BUDGET` (256 MiB): more fits of one shape than fit in it make
several stacks, trained one after the other.

This module is the engine of :mod:`skvanilla.model_selection`: it groups
the fits, begins and ends each as ``fit`` does, and hands the stacks to
:mod:`skvanilla._training`.  It imports the estimators' base and training.
"""

import contextlib
import math
import time

import numpy as np
from sklearn.base import config_context, get_config
from sklearn.callback._callback_support import callback_management_context
from sklearn.utils.parallel import Parallel, delayed

from . import _inputs, _rollback, _stopping, _training
from ._base import BaseVanillaMLP

#: fit() keyword arguments a stacked fit passes on; any other fits alone.
_FIT_PARAMS = {"sample_weight", "X_val", "y_val", "sample_weight_val"}


def fit_many(estimators, datasets, *, n_jobs=None):
    """Fit every estimator on its data, training together the networks that can share a stack.

    Parameters
    ----------
    estimators : list of estimators
        Unfitted estimators (or fitted ones that ``fit`` starts afresh);
        fitted in place.
    datasets : list of (X, y, fit_params)
        What each estimator's ``fit(X, y, **fit_params)`` would get.  Tasks
        that train on one set pass the same ``X`` object: it is never
        copied per network.
    n_jobs : int, default=None
        Groups of fits (each a stack, or the fits that train alone) spread
        over joblib's workers; ``None`` runs them here, one after the other.

    Returns
    -------
    list of (estimator or Exception, float)
        Per task, in order: the fitted estimator, or the exception its fit
        raised; and its fit time in seconds (a stack's shared equally).

    Examples
    --------
    Three learning rates, trained as one stack, each as ``fit`` trains it:

    >>> import warnings
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skvanilla import VanillaMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X[:300] / 16
    >>> nets = [VanillaMLPClassifier((10,), learning_rate_init=lr, max_iter=5, random_state=0)
    ...         for lr in (1e-3, 1e-2, 1e-1)]
    >>> with warnings.catch_warnings(action="ignore"):  # 5 epochs do not converge
    ...     results = fit_many(nets, [(X, y[:300], {})] * 3)
    ...     alone = VanillaMLPClassifier((10,), learning_rate_init=1e-2, max_iter=5,
    ...                                  random_state=0).fit(X, y[:300])
    >>> np.array_equal(results[1][0].coefs_[0], alone.coefs_[0])
    True
    """
    tasks = list(zip(estimators, datasets))
    groups = {}
    for i, (estimator, (X, _, fit_params)) in enumerate(tasks):
        groups.setdefault(_group_key(estimator, X, fit_params), []).append(i)
    jobs = [[tasks[i] for i in indices] for indices in groups.values()]
    if n_jobs is None:
        outcomes = [_fit_group(job) for job in jobs]
    else:
        outcomes = Parallel(n_jobs=n_jobs)(delayed(_fit_group)(job) for job in jobs)
    results = [None] * len(tasks)
    for indices, outcome in zip(groups.values(), outcomes):
        for i, result in zip(indices, outcome):
            results[i] = result
    return results


def _group_key(estimator, X, fit_params):
    """Fits that may share a stack have the same key; a fit that trains alone has its own."""
    if not _may_stack(estimator, X, fit_params):
        return ("alone", id(estimator))
    params = estimator.get_params(deep=False)
    shape = [
        "hidden_layer_sizes", "activation", "solver", "batch_size", "shuffle", "loss",
        "out_activation",
    ]
    return (type(estimator), *(repr(params.get(name)) for name in shape))


def _may_stack(estimator, X, fit_params):
    """What can be told before the fit: skvanilla's, stochastic, on numpy's or PyTorch's arrays."""
    return (
        isinstance(estimator, BaseVanillaMLP)
        and estimator.solver in ("sgd", "adam")
        and set(fit_params) <= _FIT_PARAMS
        and (isinstance(X, np.ndarray) or _device_array(X))
    )


def _device_array(X):
    """Whether ``X`` is an array of another namespace than numpy whose fits may stack."""
    if not hasattr(X, "__dlpack__"):
        return False
    try:
        xp = _inputs.namespace_of(X)
    except Exception:  # (a sparse tensor) the fit alone raises its own error
        return False
    return not xp.is_numpy and _stacks_on(xp)


def _stacks_on(xp):
    """Whether arrays of the namespace ``xp`` train in stacks: numpy's and PyTorch's.

    A stack gathers rows and writes members' rows back by integer-array
    indexing, which the Array API standard leaves out and PyTorch has.
    """
    return xp.is_numpy or xp.is_torch


def _fit_group(tasks):
    """Fit a group of tasks (see :func:`fit_many`); returns their results in order."""
    results = [None] * len(tasks)
    if not _may_stack(tasks[0][0], tasks[0][1][0], tasks[0][1][2]):
        return [_fit_alone(estimator, *data) for estimator, data in tasks]
    # As fit: parameters checked first, nested checks skipped (see sklearn.base._fit_context).
    validate = not get_config()["skip_parameter_validation"]
    with contextlib.ExitStack() as contexts:
        contexts.enter_context(config_context(skip_parameter_validation=True))
        members = []
        for i, (estimator, (X, y, fit_params)) in enumerate(tasks):
            start = time.perf_counter()
            try:
                if validate:
                    with config_context(skip_parameter_validation=False):
                        estimator._validate_params()
                contexts.enter_context(callback_management_context(estimator))
                member = _Member(estimator, X, y, fit_params)
            except Exception as error:  # this fit fails as it would alone
                results[i] = (error, time.perf_counter() - start)
                continue
            member.index, member.seconds = i, time.perf_counter() - start
            members.append(member)
        stacks = {}
        for member in members:
            stacks.setdefault(member.key(), []).append(member)
        for stack in (part for same in stacks.values() for part in _within_budget(same)):
            start = time.perf_counter()
            if len(stack) == 1 or not stack[0].stackable:
                for member in stack:
                    member.solve_alone()
            else:
                _train_stack(stack)
            shared = (time.perf_counter() - start) / len(stack)
            for member in stack:
                results[member.index] = (member.end(), member.seconds + shared)
    return results


#: The most memory, in bytes, that one stack's arrays may take (see _stack_bytes).
STACK_BUDGET = 256 * 2**20


def _stack_bytes(member):
    """The bytes one member adds to a stack: its rows of the stack's arrays.

    The parameters, their last good copy, gradients and optimizer state
    (five or six vectors of the network's size, and the penalty's), and its
    slice of the step's buffers: the batch of ``X`` and targets, and per
    layer ``Z``, ``A``, deltas and derivatives.  Under dropout, also its
    keys (a uint64 per training row), its masks (per hidden layer), the
    masked activations the passes make (one hidden layer's at a time), and
    the hashing's uint64 and float64 work (about three arrays of one hidden
    layer's batch at a time).  The training set itself is not counted: it
    is shared, never copied per member.
    """
    model = member.model
    itemsize = model._namespace().numpy_dtype(model.coefs_[0].dtype).itemsize
    n_params = sum(math.prod(a.shape) for a in model.coefs_ + model.intercepts_)
    batch = _training.batch_size_for(model, member.n, warn=False)
    widths = member.X.shape[1] + 2 * model.coefs_[-1].shape[1] + 4 * sum(
        c.shape[1] for c in model.coefs_)
    size = itemsize * (7 * n_params + batch * widths)
    if model.dropout:
        hidden = [c.shape[1] for c in model.coefs_[:-1]]
        widest = max(hidden, default=0)
        size += 8 * member.n + batch * (itemsize * (sum(hidden) + widest) + 8 * (1 + 3 * widest))
    return size


def _within_budget(members):
    """``members`` cut into stacks whose arrays fit in :data:`STACK_BUDGET`.

    Members in order, each stack as many as fit (one at least): members
    with dropout take more than those without.
    """
    if not members[0].stackable:
        return [members]
    stacks, used = [[]], 0
    for member in members:
        size = _stack_bytes(member)
        if stacks[-1] and used + size > STACK_BUDGET:
            stacks.append([])
            used = 0
        stacks[-1].append(member)
        used += size
    return stacks


def _fit_alone(estimator, X, y, fit_params):
    start = time.perf_counter()
    try:
        estimator.fit(X, y, **fit_params)
    except Exception as error:
        return error, time.perf_counter() - start
    return estimator, time.perf_counter() - start


class _Member(_training.Trainee):
    """One fit of a stack: its estimator, its training run and where its epoch is."""

    def __init__(self, estimator, X, y, fit_params):
        """What ``fit`` does before its solver runs (the data, its split, the callbacks).

        A failure leaves the estimator as it was, and is raised, as by ``fit``.
        """
        self.before, self.error = _rollback.snapshot(estimator), None
        validation = tuple(fit_params.get(name) for name in ("X_val", "y_val",
                                                             "sample_weight_val"))
        try:
            self.run = estimator._begin_training(
                X, y, fit_params.get("sample_weight"), False, None, validation
            )
        except BaseException:
            _rollback.restore(estimator, self.before)
            raise
        super().__init__(estimator, self.run.train, self.run.validation, self.run.callbacks)
        xp = estimator._namespace()
        self.stackable = (isinstance(self.X, np.ndarray) or not xp.is_numpy) and _stacks_on(xp)

    def key(self):
        """Members with one key compute with arrays of one shape and dtype: one stack."""
        if not self.stackable:
            return ("alone", id(self))
        model = self.model
        units = (self.X.shape[1], *(c.shape[1] for c in model.coefs_))
        return (
            type(model), model._namespace(), units,
            tuple(a.f for a in model._network().activations),
            model.out_activation_, model.loss, model.solver,
            model.shuffle,
            _training.batch_size_for(model, self.n, warn=False), model.coefs_[0].dtype,
            self.X.dtype,
            self.Y.dtype, self.sample_weight is None,
        )

    def solve_alone(self):
        """The solver ``fit`` runs, on this member alone: a stack of one."""
        _training.train_stack([self])
        self.take_error()

    def take_error(self):
        """After training: the error that stopped it, if any, handled as by ``fit``."""
        if self.stopped_by is not None:
            self.fail(self.stopped_by)

    def fail(self, error):
        """This fit failed: ``fit``'s handling of the error (see ``BaseVanillaMLP._fit``)."""
        self.error = error
        if isinstance(error, _stopping.TrainingDiverged):
            self.model.__dict__.pop("_optimizer", None)
        else:
            _rollback.restore(self.model, self.before)

    def end(self):
        """What ``fit`` does after its solver: the estimator, or the error its fit raised."""
        if self.error is None:
            try:
                self.model._end_training(self.run)
            except Exception as error:
                self.fail(error)
        _rollback.drop_transient(self.model)
        return self.model if self.error is None else self.error


def _train_stack(members):
    """Train the members of one stack together (see :func:`~skvanilla._training.train_stack`)."""
    _training.train_stack(members)
    for member in members:
        member.take_error()
