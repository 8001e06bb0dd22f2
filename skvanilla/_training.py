"""Training by the stochastic solvers: the epochs of a stack of networks.

This module's one job is to run SGD or Adam over training sets, epoch by
epoch, for both estimators:

* :func:`fit_stochastic` -- ``fit`` and ``partial_fit``: a stack of one
  network, Ctrl-C between batches, the error that stopped training raised;
* :func:`train_stack` -- networks of one shape trained together, each on
  its own data with its own hyperparameters (what :mod:`skvanilla._stack`
  trains a search's fits with), every step one call of the numeric core
  (:mod:`skvanilla._network`) on arrays with a leading axis of networks,
  or without it for a stack of one.

An epoch: each network's order of the rows (its shuffle), mini-batches
(forward, backward, optimizer step) into buffers made once per stack
(:mod:`skvanilla._buffers`), then each network's record of the epoch and
stopping rule (:mod:`skvanilla._stopping`); a network that stops leaves
the stack, with its best validation weights restored under early stopping.

``model`` below is an estimator.  Training reads its parameters (``solver``,
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

import numpy as np

from ._buffers import Layout, StackBuffers, TrainingBuffers
from ._dropout import dropout_masks, sample_keys
from ._interrupt import DeferInterrupt
from ._network import loss_and_gradients
from ._optimizers import SGD, Adam, adam_step, pack, sgd_step, unpack
from ._stopping import _INTERRUPTED, check_finite, end_epoch, warn_max_iter
from ._stopping import warn as _warn  # batch_size_for has a parameter named warn
from ._validation import restore_best

# ----------------------------------------------------------------------
# Stochastic solvers: the epochs of a stack of networks
# ----------------------------------------------------------------------


def fit_stochastic(model, train, validation, *, incremental, callbacks):
    """Epochs of mini-batches: ``max_iter`` of them, or one for ``partial_fit``.

    The estimator trains as a stack of one network (:func:`train_stack`).
    ``train`` and ``validation`` are :class:`~skvanilla._validation.DataSet`
    (``validation`` may be ``None``); ``callbacks`` is the fit's callback
    context.  Raises the error that stopped training, if one did.
    """
    trainee = Trainee(model, train, validation, callbacks)
    # The first Ctrl-C lets the batch in flight finish (see _interrupt.py).
    with DeferInterrupt() as interrupt:
        train_stack([trainee], incremental=incremental, interrupt=interrupt)
    if trainee.stopped_by is not None:
        raise trainee.stopped_by


class Trainee:
    """One network in training: its estimator, its data and where its epoch is.

    Parameters
    ----------
    model : estimator
        Training reads its parameters and writes its weights and record.
    train, validation : DataSet
        :class:`~skvanilla._validation.DataSet`; ``validation`` may be None.
    callbacks : object
        The fit's scikit-learn callback context.

    Attributes
    ----------
    stopped_by : Exception or None
        After training: the error that stopped this network (it diverged,
        or its validation failed ...), which its ``fit`` raises.
    """

    def __init__(self, model, train, validation, callbacks):
        self.model, self.train, self.validation, self.callbacks = (
            model, train, validation, callbacks)
        X, Y, _, sample_weight = train
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.n = X.shape[0]
        self.order = np.arange(self.n)
        self.stopped_by = None
        self.interrupted = False


def train_stack(trainees, *, incremental=False, interrupt=None):
    """Train networks of one shape together until each has stopped, failed or been interrupted.

    ``trainees`` are :class:`Trainee` of networks of one architecture,
    solver, batch size and dtype (see ``_stack._Member.key``); a stack of
    one is how ``fit`` trains.  Each computes what it computes alone, bit
    for bit, and leaves the stack when it stops, with its weights and
    optimizer state its own again; an error that stops one is kept in its
    ``stopped_by``, and the others go on.

    ``incremental`` trains one epoch (``partial_fit``), going on from each
    network's optimizer state.  ``interrupt`` is a
    :class:`~skvanilla._interrupt.DeferInterrupt`: Ctrl-C stops every
    network between steps, with its last weights, and a warning.  Without
    it (a search), Ctrl-C is raised, as by scikit-learn's search.
    """
    first = trainees[0].model
    net = first._network()
    xp = net.xp
    for trainee in trainees:
        model = trainee.model
        trainee.theta = pack(model.coefs_ + model.intercepts_, xp)  # its row of the stack
        if not incremental or not hasattr(model, "_optimizer"):
            model._optimizer = make_optimizer(model, trainee.theta, xp)
        # As MLPClassifier: n_iter_ counts this call's epochs (so a warm start
        # runs max_iter more), while t_ and loss_curve_ go on counting.
        model.n_iter_ = 0
        trainee.batch_size = batch_size_for(model, trainee.n)
        trainee.counted = {
            n: rows_counted(model, n, xp)
            for n in {trainee.batch_size, trainee.n % trainee.batch_size}
        }
        # Drawn before the first shuffle (see dropout_keys).
        trainee.keys = dropout_keys(model, trainee.X, xp)
    stack = _Stack(trainees, net, interrupt)
    try:
        while stack.members:
            stack.epoch(incremental)
    except KeyboardInterrupt:
        if interrupt is None:
            raise
        stack.stop_all()  # a second Ctrl-C, inside a step


class _Stack:
    """The arrays of the networks still training: a row of each per network, in their order.

    ``theta`` holds the flat parameter vectors, ``state`` the optimizer's
    (SGD's velocities; Adam's moments); each network's ``coefs_``,
    ``intercepts_`` and optimizer arrays are views of its rows while it
    trains.  A step of one network computes with those views, arrays
    without the stack's axis (any ``X`` the estimators take); a step of
    several with the stack's arrays (numpy's and PyTorch's dense ``X``).
    """

    def __init__(self, members, net, interrupt=None):
        self.net, self.xp, self.interrupt = net, net.xp, interrupt
        xp = self.xp
        if len(members) > 1:
            _share_data(members)
            # The members of one training set side by side: their rows are gathered in one call.
            members = sorted(members, key=lambda m: m.data_group)
        self.members = members
        first = members[0].model
        self.layout = Layout(
            [c.shape for c in first.coefs_] + [b.shape for b in first.intercepts_],
            sum(math.prod(c.shape) for c in first.coefs_), len(first.coefs_),
        )
        self.dtype = first.coefs_[0].dtype
        self.theta = xp.stack([m.theta for m in members])
        for member in members:
            member.theta = None  # its row of the stack is its parameters now
        self.adam = isinstance(first._optimizer, Adam)
        self.state_names = ("ms", "vs") if self.adam else ("velocities",)
        # The optimizer's state as it is: zeros, or where partial_fit goes on from.
        self.state = [xp.stack([getattr(m.model._optimizer, name) for m in members])
                      for name in self.state_names]
        self.last_good = xp.empty_like(self.theta)
        self.shuffle = first.shuffle
        self.batch_size = members[0].batch_size
        self.hidden = [c.shape[1] for c in first.coefs_[:-1]]
        self.host_dtype = xp.numpy_dtype(self.dtype)  # of what is made on the host, then moved
        self.dropout = any(m.keys is not None for m in members)
        if len(members) > 1:
            self._prepare_shared_steps()
        self._share_weights()

    def _prepare_shared_steps(self):
        """What steps of several members read: their batches' dtypes, targets and weights."""
        xp, net = self.xp, self.net
        X, Y = self.members[0].X, self.members[0].Y
        # The targets as TrainingBuffers reads them; on another namespace, as they are.
        integer_Y = xp.is_numpy and Y.dtype.kind in "biu"
        self.Y_dtype = self.dtype if integer_Y and self.dtype == np.float64 else Y.dtype
        units = [X.shape[1], *(s[1] for s in self.layout.shapes[: self.layout.n_layers])]
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
        """Each member's weights and optimizer state: views of its rows of the stack's arrays.

        The weights are what validation reads; the optimizer's arrays, what
        a step of one member updates.
        """
        for r, member in enumerate(self.members):
            model = member.model
            params = unpack(self.theta[r, ...], model.coefs_ + model.intercepts_, self.xp)
            n_layers = self.layout.n_layers
            model.coefs_, model.intercepts_ = params[:n_layers], params[n_layers:]
            for name, state in zip(self.state_names, self.state):
                setattr(model._optimizer, name, state[r, ...])
        self._full = None  # the buffers of a full step are made for the new stack
        self._full_settings = None  # and its hyperparameters read again
        self._one = None  # and those of a member alone

    def epoch(self, incremental=False):
        """One epoch of every member; then each records it, and those that stop leave."""
        self._full_settings = None  # a schedule may have changed a learning rate
        for member in self.members:
            member.model._epoch_callbacks(member.callbacks, member.train, begin=True)
            if self.shuffle:
                member.order = member.order[member.model._random_state.permutation(member.n)]
            member.total = 0.0
        self.xp.copyto(self.last_good, self.theta)
        with self.xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            interrupted = self._steps_of_one() if len(self.members) == 1 else self._steps()
        leaving = [r for r, member in enumerate(self.members)
                   if self._end_epoch(r, member, interrupted, incremental)]
        if leaving:
            self._leave(leaving)

    def _interrupted(self):
        """Whether Ctrl-C asked to stop: checked between steps."""
        return self.interrupt is not None and self.interrupt.requested

    def _steps_of_one(self):
        """The epoch's steps of the one member: ``Z = A W + b`` on arrays without the stack's axis.

        Returns True when Ctrl-C stopped the epoch.
        """
        xp, member = self.xp, self.members[0]
        model, order, n_samples = member.model, member.order, member.n
        buffers, theta = self._one_buffers()
        # The permutation is numpy's; the device reads a copy, moved once per epoch.
        device_order = order if xp.is_numpy or not self.shuffle else xp.from_host(order)
        for start in range(0, n_samples, self.batch_size):
            if self._interrupted():
                return True  # Ctrl-C: stop once the batch in flight is done
            # The standard leaves slices past the end undefined: stop at n_samples.
            stop = min(start + self.batch_size, n_samples)
            rows = order[start:stop] if self.shuffle else slice(start, stop)
            device_rows = device_order[start:stop] if self.shuffle else rows
            sw = None if member.sample_weight is None else _rows(
                xp, member.sample_weight, device_rows)
            if sw is not None and not xp.any(sw):
                continue  # a batch of zero weight has no objective to descend
            masks = None
            if member.keys is not None:
                masks = dropout_masks(
                    member.keys[rows], model._dropout_step, self.hidden, model.dropout,
                    self.host_dtype,
                )
                masks = [xp.from_host(m) for m in masks]
                model._dropout_step += 1
            X_batch, Y_batch = buffers.batch(device_rows)
            n = Y_batch.shape[0]
            # The gradients land in views of buffers.grad.
            loss, _, _ = loss_and_gradients(
                X_batch, Y_batch, model.coefs_, model.intercepts_, self.net, sw, model.alpha,
                masks, work=buffers.work[n], grads=buffers.grads, flat=buffers.flat,
            )
            model._optimizer.update_params(theta, buffers.grad)
            member.total += loss * member.counted[n]
        return False

    def _one_buffers(self):
        """The one member's :class:`TrainingBuffers` and parameter vector."""
        if self._one is None:
            member, theta = self.members[0], self.theta[0, ...]
            model = member.model
            buffers = TrainingBuffers(
                member.X, member.Y, self.batch_size, self.shuffle, theta, model.coefs_,
                model.intercepts_, self.net,
            )
            self._one = buffers, theta
        return self._one

    def _steps(self):
        """The epoch's steps of several members together; True when Ctrl-C stopped it."""
        # Per training set, its members' orders of the rows, one row each.
        sets, first = [], 0
        for last in range(1, len(self.members) + 1):
            if last == len(self.members) or (
                self.members[last].data_group != self.members[first].data_group
            ):
                sets.append((first, last, np.stack([m.order for m in self.members[first:last]])))
                first = last
        n_steps = max(-(-m.n // self.batch_size) for m in self.members)
        for step in range(n_steps):
            if self._interrupted():
                return True
            for length, parts in self._batches(step, sets).items():
                self._step(length, parts)
        return False

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
        step, its rate; see :meth:`_steps_of_one`) and counts the step;
        one without gets ones, which leave its values as they are.
        """
        drop = [j for j, member in enumerate(members) if member.keys is not None]
        if not drop:
            return None
        rows = np.concatenate([rows for _, _, rows in parts])  # each member's, in its slot
        models = [members[j].model for j in drop]
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
        optimizers = [m.model._optimizer for m in members]
        alpha = column([m.model.alpha for m in members], column=False)
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
            o = member.model._optimizer
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
        return StackBuffers(
            K, length, units[0], units[-1], (self.X_dtype, self.Y_dtype),
            self.members[0].sample_weight is not None, self.theta.shape[1],
            self.layout.n_weights, self.work_args, self.layout, self.xp,
        )

    def _end_epoch(self, r, member, interrupted, incremental):
        """Record member ``r``'s epoch; True when it leaves the stack (stopped or failed).

        An epoch that Ctrl-C stopped is not recorded; the member leaves.
        """
        model = member.model
        loss = self.xp.scalar(member.total / member.n)  # a numpy scalar stays one
        try:
            check_finite(loss, self.theta[r, ...], self.last_good[r, ...], self.xp)
            if interrupted:
                member.interrupted = True
                return True
            stop = end_epoch(model, loss, member.n, member.validation)
            stop |= model._epoch_callbacks(member.callbacks, member.train, begin=False)
            if stop or incremental:
                return True
            if model.n_iter_ == model.max_iter:
                warn_max_iter(model)  # which a filter may turn into the fit's error
                return True
        except Exception as error:
            member.stopped_by = error
            return True
        return False

    def stop_all(self):
        """Ctrl-C inside a step: every member leaves, its weights back where they were finite."""
        for r, member in enumerate(self.members):
            if not self.xp.all_finite(self.theta[r, ...]):
                self.theta[r, ...] = self.last_good[r, ...]
            member.interrupted = True
        self._leave(range(len(self.members)))

    def _leave(self, rows):
        """Members ``rows`` leave: their weights and optimizer state become their own."""
        xp = self.xp
        for r in rows:
            member = self.members[r]
            model = member.model
            # A copy: views of the row would keep the whole stack's array alive with the model.
            params = unpack(xp.copy(self.theta[r, ...]), model.coefs_ + model.intercepts_, xp)
            n_layers = self.layout.n_layers
            model.coefs_, model.intercepts_ = params[:n_layers], params[n_layers:]
            for name, state in zip(self.state_names, self.state):
                setattr(model._optimizer, name, xp.copy(state[r, ...]))
            if member.interrupted:
                _warn(_INTERRUPTED)
            if member.stopped_by is None:
                restore_best(model, member.validation)
        keep = [r for r in range(len(self.members)) if r not in set(rows)]
        self.members = [self.members[r] for r in keep]
        if self.members:
            self.theta, self.last_good = self.theta[keep], self.last_good[keep]
            self.state = [s[keep] for s in self.state]
            self._share_weights()


def _share_data(members):
    """Members that train on one set share its arrays; ``data_group`` numbers the sets.

    Fits on one ``X`` encode their targets and weights each for itself:
    where those are equal, one copy serves all, and one gather a step.
    """
    sets, xp = [], members[0].model._namespace()
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


# ----------------------------------------------------------------------
# What an epoch of one network needs, and what it records
# ----------------------------------------------------------------------


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
