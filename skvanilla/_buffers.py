"""What a training step writes: buffers made once per fit, or once per stack.

Training allocates nothing per step: the rows of a batch, the passes'
workspaces and the gradients go into arrays made before the first epoch.

* :class:`TrainingBuffers` -- one network's (arrays without a leading
  axis), for any ``X`` the estimators take: dense or sparse, of any
  namespace;
* :class:`StackBuffers` -- a stack's (a leading axis of networks, see
  :mod:`skvanilla._network`), for numpy's and PyTorch's dense arrays;
* :class:`Layout` -- where each layer lives in a flat parameter vector.

Only numpy, the network's :class:`~skvanilla._network.Workspace` and the
optimizers' ``unpack`` are imported here.
"""

import math
from typing import NamedTuple

import numpy as np

from ._network import Workspace
from ._optimizers import unpack


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


class Layout(NamedTuple):
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


#: Where a row of a stack's gradients begins, on another namespace than numpy: at a
#: multiple of this many bytes (the CUDA caching allocator's alignment; the CPU's is 64).
ROW_ALIGNMENT = 512


def aligned_rows(xp, K, n, dtype):
    """An empty ``(K, n)`` array of ``xp`` whose rows begin where a new array begins.

    Backpropagation writes its products into views of each network's row of
    gradients, and the product of MKL (PyTorch's on the CPU) rounds otherwise
    when its output begins at another address modulo 16 bytes (measured:
    float64 outputs at an odd offset, float32 ones at an offset that is not a
    multiple of 4, bits apart).  A network alone writes into a new array, which
    the allocator aligns: so does each row here.
    """
    step = ROW_ALIGNMENT // xp.numpy_dtype(dtype).itemsize
    return xp.empty((K, -(-n // step) * step), dtype)[:, :n]


class StackBuffers:
    """What a step of ``K`` members on batches of ``length`` rows writes, made once per stack.

    The batch's rows are taken from each member's ``X`` into an array of
    its dtype, and read as :class:`TrainingBuffers` reads them: integer
    ``X`` as the weights' floats.  The targets are taken as they are: the
    stack has already read them as ``TrainingBuffers`` does.

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
            self.work, self.grad = None, aligned_rows(xp, K, n_params, dtype)
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
        # (see :meth:`TrainingBuffers.batch`).
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
