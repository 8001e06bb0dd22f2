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
begins where a new array begins (:func:`_aligned_rows`).

What cannot share a stack trains alone, through ``fit``'s own solver:
L-BFGS, sparse ``X``, scikit-learn callbacks, warm starts of fitted
models, namespaces other than numpy and PyTorch, and any estimator that
is not skvanilla's.

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

The module is the engine of :mod:`skvanilla.model_selection`; it imports the
estimators' base and the numeric core.
"""

import contextlib
import math
import time
from typing import NamedTuple

import numpy as np
from sklearn.base import config_context, get_config
from sklearn.callback._callback_support import callback_management_context
from sklearn.utils.parallel import Parallel, delayed

from . import _inputs, _rollback, _training
from ._base import BaseVanillaMLP
from ._dropout import dropout_masks
from ._network import Workspace, loss_and_gradients
from ._optimizers import Adam, adam_step, pack, sgd_step, unpack
from ._validation import restore_best

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
    """What can be told before the fit: skvanilla's, stochastic, numpy, no callbacks."""
    return (
        isinstance(estimator, BaseVanillaMLP)
        and estimator.solver in ("sgd", "adam")
        and not getattr(estimator, "_skl_callbacks", None)
        and not (estimator.warm_start and hasattr(estimator, "coefs_"))
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
    model = member.estimator
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


class _Member:
    """One fit of a stack: its estimator, its training run and where its epoch is."""

    def __init__(self, estimator, X, y, fit_params):
        """What ``fit`` does before its solver runs (the data, its split, the callbacks).

        A failure leaves the estimator as it was, and is raised, as by ``fit``.
        """
        self.estimator, self.before, self.error = estimator, _rollback.snapshot(estimator), None
        validation = tuple(fit_params.get(name) for name in ("X_val", "y_val",
                                                             "sample_weight_val"))
        try:
            self.run = estimator._begin_training(
                X, y, fit_params.get("sample_weight"), False, None, validation
            )
        except BaseException:
            _rollback.restore(estimator, self.before)
            raise
        X, Y, _, sample_weight = self.run.train
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.n = X.shape[0]
        self.order = np.arange(self.n)
        self.stopped_by = None
        xp = estimator._namespace()
        self.stackable = (isinstance(X, np.ndarray) or not xp.is_numpy) and _stacks_on(xp)

    def key(self):
        """Members with one key compute with arrays of one shape and dtype: one stack."""
        if not self.stackable:
            return ("alone", id(self))
        model = self.estimator
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
        """The solver ``fit`` runs, on this member alone."""
        run = self.run
        try:
            _training.fit_stochastic(
                self.estimator, run.train, run.validation, incremental=False,
                callbacks=run.callbacks,
            )
        except Exception as error:
            self.fail(error)

    def fail(self, error):
        """This fit failed: ``fit``'s handling of the error (see ``BaseVanillaMLP._fit``)."""
        self.error = error
        if isinstance(error, _training.TrainingDiverged):
            self.estimator.__dict__.pop("_optimizer", None)
        else:
            _rollback.restore(self.estimator, self.before)

    def end(self):
        """What ``fit`` does after its solver: the estimator, or the error its fit raised."""
        if self.error is None:
            try:
                self.estimator._end_training(self.run)
            except Exception as error:
                self.fail(error)
        _rollback.drop_transient(self.estimator)
        return self.estimator if self.error is None else self.error


class _Layout(NamedTuple):
    """Where each layer lives in a network's flat parameter vector."""

    shapes: list
    n_weights: int
    n_layers: int

    def views(self, flat):
        """Layer views of ``flat`` (one network's ``(P,)`` or a stack's ``(K, P)``)."""
        stack, start, views = flat.shape[:-1], 0, []
        for shape in self.shapes:
            size = math.prod(shape)
            views.append(flat[..., start : start + size].reshape(*stack, *shape))
            start += size
        return views[: self.n_layers], views[self.n_layers :]


def _share_data(members):
    """Members that train on one set share its arrays; ``data_group`` numbers the sets.

    Fits on one ``X`` encode their targets and weights each for itself:
    where those are equal, one copy serves all, and one gather a step.
    """
    sets, xp = [], members[0].estimator._namespace()
    for member in members:
        for group, (X, Y, sw) in enumerate(sets):  # noqa: B007 (the group found is kept)
            if X is member.X and _equal(Y, member.Y, xp) and (
                (sw is None and member.sample_weight is None)
                or (sw is not None and member.sample_weight is not None
                    and _equal(sw, member.sample_weight, xp))
            ) and Y.dtype == member.Y.dtype:
                member.Y, member.sample_weight = Y, sw
                break
        else:
            group = len(sets)
            sets.append((member.X, member.Y, member.sample_weight))
        member.data_group = group


def _equal(a, b, xp):
    """``numpy.array_equal`` in the namespace ``xp``."""
    if xp.is_numpy:
        return np.array_equal(a, b)
    return a.shape == b.shape and bool(xp.all(a == b))


def _train_stack(members):
    """Train the members of one stack, epoch by epoch, until each has stopped or failed."""
    first = members[0].estimator
    net = first._network()
    xp = net.xp
    for member in members:
        model = member.estimator
        # The optimizer keeps the schedule; its state lives in the stack's arrays
        # while it trains, and is copied back into it when the member leaves.
        theta = pack(model.coefs_ + model.intercepts_, xp)
        model._optimizer = _training.make_optimizer(model, theta, xp)
        model.n_iter_ = 0
        member.batch_size = _training.batch_size_for(model, member.n)
        member.counted = {
            n: _training.rows_counted(model, n, xp)
            for n in {member.batch_size, member.n % member.batch_size}
        }
        # Where fit_stochastic draws the dropout seed: before the first shuffle.
        member.keys = _training.dropout_keys(model, member.X, xp)
    layout = _Layout(
        [c.shape for c in first.coefs_] + [b.shape for b in first.intercepts_],
        sum(math.prod(c.shape) for c in first.coefs_), len(first.coefs_),
    )
    stack = _Stack(members, layout, net)
    while stack.members:
        stack.epoch()


class _Stack:
    """The arrays of the members still training: a row of each per member, in their order."""

    def __init__(self, members, layout, net):
        _share_data(members)
        # The members of one training set side by side: their rows are gathered in one call.
        members = sorted(members, key=lambda m: m.data_group)
        self.members, self.layout, self.net = members, layout, net
        self.xp = xp = net.xp
        first = members[0].estimator
        self.dtype = first.coefs_[0].dtype
        self.theta = xp.stack([pack(m.estimator.coefs_ + m.estimator.intercepts_, xp)
                               for m in members])
        self.adam = isinstance(first._optimizer, Adam)
        self.state = [xp.zeros_like(self.theta) for _ in range(2 if self.adam else 1)]
        self.shuffle = first.shuffle
        self.batch_size = members[0].batch_size
        X, Y = members[0].X, members[0].Y
        # The targets as fit_stochastic reads them (see TrainingBuffers); on another
        # namespace, as they are.
        integer_Y = xp.is_numpy and Y.dtype.kind in "biu"
        self.Y_dtype = self.dtype if integer_Y and self.dtype == np.float64 else Y.dtype
        units = [X.shape[1], *(s[1] for s in layout.shapes[: layout.n_layers])]
        self.work_args = dict(
            layer_units=units, dtype=self.dtype,
            overwrite=[f.prime_from_output for f in net.activations],
            loss_dtype=net.loss.dtype(self.Y_dtype, self.dtype) if xp.is_numpy else None,
        )
        if self.Y_dtype != Y.dtype:  # read as floats once per training set, not per batch
            floats = {}
            for member in self.members:
                if id(member.Y) not in floats:
                    floats[id(member.Y)] = member.Y.astype(self.Y_dtype)
                member.Y = floats[id(member.Y)]
        self.X_dtype = X.dtype
        # The batches' weights, read on the host to find the batches of zero weight.
        host = {}
        for member in self.members:
            sw = member.sample_weight
            member.host_weight = host.setdefault(id(sw), xp.to_host(sw))
        self.host_dtype = xp.numpy_dtype(self.dtype)  # of what is made on the host, then moved
        self.hidden = units[1:-1]
        self.dropout = any(m.keys is not None for m in members)
        self._full = None
        self._share_weights()

    def _hyperparameter(self, values, dtype=None, column=True):
        """One value per member, for the step: the value itself when they all share it.

        A Python float (or numpy float64, Adam's step size) is what a member
        alone computes with; a column of them in the weights' dtype rounds
        each product as that scalar does, at the cost of broadcasting.  A
        column ``(K, 1)`` for the optimizers, a vector for ``alpha`` (see
        :mod:`skvanilla._network`).
        """
        if all(v == values[0] for v in values):
            return values[0]
        values = self.xp.from_host(np.array(values, dtype=dtype or self.host_dtype))
        return values[:, None] if column else values

    def _share_weights(self):
        """Each member's ``coefs_`` and ``intercepts_``: views of its row, as validation reads."""
        coefs, intercepts = self.layout.views(self.theta)
        for r, member in enumerate(self.members):
            member.estimator.coefs_ = [c[r] for c in coefs]
            member.estimator.intercepts_ = [b[r] for b in intercepts]
        self._full = None  # the buffers of a full step are made for the new stack
        self._full_settings = None  # and its hyperparameters read again

    def epoch(self):
        """One epoch of every member; then each records it, and those that stop leave."""
        self._full_settings = None  # a schedule may have changed a learning rate
        for member in self.members:
            if self.shuffle:
                member.order = member.order[
                    member.estimator._random_state.permutation(member.n)
                ]
            member.total = 0.0
        # Per training set, its members' orders of the rows, one row each.
        sets, first = [], 0
        for last in range(1, len(self.members) + 1):
            if last == len(self.members) or (
                self.members[last].data_group != self.members[first].data_group
            ):
                sets.append((first, last, np.stack([m.order for m in self.members[first:last]])))
                first = last
        last_good = self.xp.copy(self.theta)
        n_steps = max(-(-m.n // self.batch_size) for m in self.members)
        with self.xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for step in range(n_steps):
                for length, parts in self._batches(step, sets).items():
                    self._step(length, parts)
        leaving = []
        for r, member in enumerate(self.members):
            if self._end_epoch(r, member, last_good):
                leaving.append(r)
        if leaving:
            self._leave(leaving)

    def _batches(self, step, sets):
        """This step's batches by length: ``{length: [(first, last, rows)]}``.

        Members ``first:last`` (one training set) take the rows ``rows``,
        one row of indices each.
        """
        groups = {}
        start = step * self.batch_size
        for first, last, orders in sets:
            rows = orders[:, start : start + self.batch_size]
            if rows.shape[1] == 0:
                continue
            parts = [(first, last, rows)]
            sw = self.members[first].host_weight
            if sw is not None:  # as alone: a batch of zero weight has no objective to descend
                weighted = np.flatnonzero(np.any(sw[rows], axis=1))
                runs = np.split(weighted, np.flatnonzero(np.diff(weighted) != 1) + 1)
                parts = [(first + r[0], first + r[-1] + 1, rows[r[0] : r[-1] + 1])
                         for r in runs if len(r)]
            if parts:
                groups.setdefault(rows.shape[1], []).extend(parts)
        return groups

    def _step(self, length, parts):
        """One step of the members of ``parts``, all on batches of ``length`` rows."""
        index = [r for first, last, _ in parts for r in range(first, last)]
        K = len(index)
        full = K == len(self.members) and length == self.batch_size
        if full:
            theta, state, buffers = self.theta, self.state, self._full_buffers()
        else:  # a part of the stack: its rows, copied out and back
            theta, state = self.theta[index], [s[index] for s in self.state]
            buffers = self._buffers(K, length)
            buffers.share(theta)
        members = [self.members[r] for r in index]
        slot = 0
        for first, last, rows in parts:  # one gather per training set
            buffers.take(slot, slot + last - first, self.members[first], rows)
            slot += last - first
        X_batch, Y_batch, sw = buffers.read()
        alpha, *settings = self._settings(members, full)
        masks = self._masks(members, parts) if self.dropout else None
        loss, _, _ = loss_and_gradients(
            X_batch, Y_batch, *buffers.params, self.net, sw, alpha, masks,
            work=buffers.work, grads=buffers.grads, flat=buffers.flat,
        )
        self._update(members, theta, buffers.grad, state, settings)
        for member, value in zip(members, loss):
            member.total += value * member.counted[length]
        if not full:
            self.theta[index] = theta
            for s, part in zip(self.state, state):
                s[index] = part

    def _masks(self, members, parts):
        """This step's dropout masks, ``(K, length, units)`` per hidden layer, or None.

        ``parts`` are the step's batches (see :meth:`_batches`).  A member with
        dropout draws the masks it draws alone (its keys of these rows, its
        step, its rate; see ``_training._run_epoch``) and counts the step;
        one without gets ones, which leave its values as they are.
        """
        drop = [j for j, member in enumerate(members) if member.keys is not None]
        if not drop:
            return None
        rows = np.concatenate([rows for _, _, rows in parts])  # each member's, in its slot
        models = [members[j].estimator for j in drop]
        drawn = dropout_masks(
            np.stack([members[j].keys[rows[j]] for j in drop]),
            [model._dropout_step for model in models], self.hidden,
            [model.dropout for model in models], self.host_dtype,
        )
        for model in models:
            model._dropout_step += 1
        if len(drop) == len(members):
            masks = drawn
        else:
            masks = []
            for part in drawn:
                mask = np.ones((len(members), *part.shape[1:]), self.host_dtype)
                mask[drop] = part
                masks.append(mask)
        return masks if self.xp.is_numpy else [self.xp.from_host(m) for m in masks]

    def _settings(self, members, full):
        """``alpha`` and the optimizer's hyperparameters of the step's members.

        SGD: the learning rate, momentum and Nesterov's or not; Adam: the
        betas and epsilon (its step size changes every step).  They change
        only between epochs (a schedule) and when members leave, so a full
        step's are made once per epoch.
        """
        if full and self._full_settings is not None:
            return self._full_settings
        column = self._hyperparameter
        optimizers = [m.estimator._optimizer for m in members]
        alpha = column([m.estimator.alpha for m in members], column=False)
        if self.adam:
            b1, b2 = [o.beta_1 for o in optimizers], [o.beta_2 for o in optimizers]
            settings = (
                alpha, (column(b1), column([1 - b for b in b1]), column(b2),
                        column([1 - b for b in b2])),
                column([o.epsilon for o in optimizers]),
            )
        else:
            settings = (
                alpha, column([o.learning_rate for o in optimizers]),
                column([o.momentum for o in optimizers]),
                column([bool(o.nesterov) for o in optimizers], dtype=bool),
            )
        if full:
            self._full_settings = settings
        return settings

    def _update(self, members, theta, grad, state, settings):
        """The optimizer step of each member, with its own hyperparameters (see _settings)."""
        if not self.adam:
            sgd_step(theta, grad, state[0], *settings, xp=self.xp)
            return
        sizes, step_sizes = {}, []  # one computation per rate and step count
        for member in members:
            o = member.estimator._optimizer
            o.t += 1
            key = (o.learning_rate_init, o.beta_1, o.beta_2, o.t)
            if key not in sizes:
                sizes[key] = o.step_size()
            step_sizes.append(sizes[key])
            o.learning_rate = float(sizes[key])
        betas, epsilon = settings
        # A member alone multiplies by its numpy float64 rate: in float64 with numpy's
        # float32 arrays, in the arrays' dtype on another namespace (see ArrayAPI).
        step_size = self._hyperparameter(step_sizes, np.float64 if self.xp.is_numpy else None)
        adam_step(theta, grad, state[0], state[1], step_size, betas, epsilon, xp=self.xp)

    def _full_buffers(self):
        if self._full is None:
            self._full = self._buffers(len(self.members), self.batch_size)
            self._full.share(self.theta)
        return self._full

    def _buffers(self, K, length):
        """Buffers for ``K`` members' batches of ``length`` rows."""
        units = self.work_args["layer_units"]
        return _Buffers(
            K, length, units[0], units[-1], (self.X_dtype, self.Y_dtype),
            self.members[0].sample_weight is not None, self.theta.shape[1],
            self.layout.n_weights, self.work_args, self.layout, self.xp,
        )

    def _end_epoch(self, r, member, last_good):
        """Record member ``r``'s epoch; True when it leaves the stack (stopped or failed)."""
        model = member.estimator
        loss = self.xp.scalar(member.total / member.n)  # a numpy scalar stays one
        try:
            _training.check_finite(loss, self.theta[r], last_good[r], self.xp)
            if _training.end_epoch(model, loss, member.n, member.run.validation):
                return True
            if model.n_iter_ == model.max_iter:
                _training.warn_max_iter(model)  # which a filter may turn into the fit's error
                return True
        except Exception as error:
            member.stopped_by = error
            return True
        return False

    def _leave(self, rows):
        """Members ``rows`` leave: their weights and optimizer state become their own."""
        for r in rows:
            member = self.members[r]
            model = member.estimator
            theta = self.xp.copy(self.theta[r])
            params = unpack(theta, model.coefs_ + model.intercepts_, self.xp)
            model.coefs_, model.intercepts_ = params[: self.layout.n_layers], params[
                self.layout.n_layers :]
            names = ("ms", "vs") if self.adam else ("velocities",)
            for name, s in zip(names, self.state):
                setattr(model._optimizer, name, self.xp.copy(s[r]))
            if member.stopped_by is not None:
                member.fail(member.stopped_by)
            else:
                restore_best(model, member.run.validation)
        keep = [r for r in range(len(self.members)) if r not in set(rows)]
        self.members = [self.members[r] for r in keep]
        self.theta = self.theta[keep]
        self.state = [s[keep] for s in self.state]
        self._share_weights()


#: Where a row of a stack's gradients begins, on another namespace than numpy: at a
#: multiple of this many bytes (the CUDA caching allocator's alignment; the CPU's is 64).
_ROW_ALIGNMENT = 512


def _aligned_rows(xp, K, n, dtype):
    """An empty ``(K, n)`` array of ``xp`` whose rows begin where a new array begins.

    Backpropagation writes its products into views of each network's row of
    gradients, and the product of MKL (PyTorch's on the CPU) rounds otherwise
    when its output begins at another address modulo 16 bytes (measured:
    float64 outputs at an odd offset, float32 ones at an offset that is not a
    multiple of 4, bits apart).  A network alone writes into a new array, which
    the allocator aligns: so does each row here.
    """
    step = _ROW_ALIGNMENT // xp.numpy_dtype(dtype).itemsize
    return xp.empty((K, -(-n // step) * step), dtype)[:, :n]


class _Buffers:
    """What a step of ``K`` members on batches of ``length`` rows writes, made once per stack.

    The batch's rows are taken from each member's ``X`` into an array of
    its dtype, and read as fit_stochastic reads them: integer ``X`` as the
    weights' floats (see ``TrainingBuffers``).  The targets are taken as
    they are: the stack has already read them as fit_stochastic does.

    In another namespace (``xp``), the buffers are on the device, and the
    passes make their own arrays (no :class:`Workspace`), as one network's
    do there.
    """

    def __init__(self, K, length, n_features, n_outputs, dtypes, weighted, n_params,
                 n_weights, work_args, layout, xp):
        X_dtype, Y_dtype = dtypes
        dtype = work_args["dtype"]
        self.xp = xp
        self.X_raw = xp.empty((K, length, n_features), X_dtype)
        self.X = self.X_raw if X_dtype == dtype else xp.empty(self.X_raw.shape, dtype)
        self.Y = xp.empty((K, length, n_outputs), Y_dtype)
        self.sample_weight = xp.empty((K, length), dtype) if weighted else None
        if xp.is_numpy:
            self.work, self.grad = Workspace(length, n_models=K, **work_args), np.empty(
                (K, n_params), dtype)
        else:
            self.work, self.grad = None, _aligned_rows(xp, K, n_params, dtype)
        self.penalty = xp.empty((K, n_weights), dtype)
        self.layout, self.grads = layout, layout.views(self.grad)

    def share(self, theta):
        """The layer views of the parameters ``theta`` these buffers' steps update."""
        n_weights = self.layout.n_weights
        self.params = self.layout.views(theta)
        self.flat = theta[:, :n_weights], self.grad[:, :n_weights], self.grad, self.penalty

    def take(self, start, stop, member, rows):
        """Slots ``start:stop``: rows ``rows`` (one row of indices per slot) of one training set."""
        if not self.xp.is_numpy:
            self._take_on_device(start, stop, member, rows)
            return
        # Rows of a permutation, always in range: "clip" spares take's checking copy
        # (see TrainingBuffers.batch).
        member.X.take(rows, axis=0, out=self.X_raw[start:stop], mode="clip")
        member.Y.take(rows, axis=0, out=self.Y[start:stop], mode="clip")
        if self.sample_weight is not None:
            member.sample_weight.take(rows, axis=0, out=self.sample_weight[start:stop],
                                      mode="clip")

    def _take_on_device(self, start, stop, member, rows):
        """:meth:`take` in the standard's terms: its ``take`` reads a vector of indices."""
        xp = self.xp
        flat = xp.from_host(rows.reshape(-1))  # the host's order of the rows, moved
        pairs = [(member.X, self.X_raw), (member.Y, self.Y)]
        if self.sample_weight is not None:
            pairs.append((member.sample_weight, self.sample_weight))
        for source, buffer in pairs:
            target = buffer[start:stop, ...]
            target[...] = xp.reshape(xp.take(source, flat, axis=0), target.shape)

    def read(self):
        """The batch as the network reads it: ``X``, ``Y`` and the sample weights."""
        if self.X is not self.X_raw:
            self.xp.copyto(self.X, self.X_raw)
        return self.X, self.Y, self.sample_weight
