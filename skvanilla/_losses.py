"""Per-sample losses, each written beside its output delta.

A loss compares the one-hot targets ``Y`` with the network's output.  It
gives the loss of every sample, and the output delta of the seed's
eq. 2.4.0, :math:`\\delta^{(L)} = \\partial J / \\partial z^{(L)}
= J'(a^{(L)}) \\odot f'(z^{(L)})`, for one sample.  Averaging over the batch
and weighting samples is the network's business, not the loss's.

Both receive ``Z`` (the output pre-activation) and ``P = f(Z)`` so that each
can use whichever is stable: log-losses are computed from ``Z`` through
log-softmax / log-sigmoid, never as ``log(P)``.  A delta may be written into
``out``, a buffer shaped like ``Z``.

Only numpy is imported here.
"""

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np

from ._activations import OUTPUT_ACTIVATIONS, log_softmax


class Loss(NamedTuple):
    """A per-sample loss ``value(Y, Z, P)`` and its output delta ``delta(Y, Z, P, out=None)``."""

    value: Callable
    delta: Callable


def categorical_log_loss(Y, Z, P):
    r"""Cross-entropy of softmax outputs, :math:`-\sum_k y_k \log p_k`.

    While every probability is a normal number, ``log(P)`` is as exact as
    ``P`` (a few ulps), and it costs one pass where log-softmax takes
    several: the training loop computes this loss on every batch.  A
    probability that underflowed (:math:`z_k - \max_j z_j < -708` in
    float64, :math:`-87` in float32) sends the batch through
    log-softmax of ``Z`` instead, which never takes ``log(0)``.
    """
    if np.minimum.reduce(P, axis=None) >= np.finfo(P.dtype).smallest_normal:
        log_P = np.log(P)
    else:
        log_P = log_softmax(Z)
    log_P *= Y
    return -np.add.reduce(log_P, axis=1)


def binary_log_loss(Y, Z, P):
    r"""Cross-entropy of independent sigmoid outputs.

    :math:`-\sum_k y_k \log \sigma(z_k) + (1 - y_k) \log \sigma(-z_k)
    = \sum_k \log(1 + e^{z_k}) - y_k z_k`, since :math:`\log \sigma(z) =
    z - \log(1 + e^{z})`; ``logaddexp`` gives :math:`\log(1 + e^z)` without
    overflow, and nothing is ever ``log(0)``.
    """
    return np.sum(np.logaddexp(0, Z) - Y * Z, axis=1)


def log_loss_delta(Y, Z, P, out=None):
    r"""Output delta of a log-loss with its canonical output activation: ``P - Y``.

    For sigmoid units, :math:`\partial J / \partial p = (p - y) / (p (1 - p))`
    and :math:`\partial p / \partial z = p (1 - p)`; the product is
    :math:`p - y`.  For softmax with targets that sum to one per row, the
    same cancellation through the softmax Jacobian gives :math:`p - y`.
    """
    return np.subtract(P, Y, out=out)


def squared_error(Y, Z, P):
    r"""The seed's loss (eq. 2.1.0) for one sample: :math:`\frac12 \sum_k (p_k - y_k)^2`."""
    R = P - Y
    return 0.5 * np.sum(R * R, axis=1)


def squared_error_delta(Y, Z, P, out=None, *, backprop):
    r"""Output delta of squared error: :math:`(p - y)` chained through the output.

    :math:`J'(a) = a - y` (eq. 2.2.3), then multiplied by the output
    activation's derivative taken at ``z`` -- the seed took it at ``a``
    instead, which is the slip the gradient tests catch.
    """
    return backprop(P, P - Y, out=out)


def make_loss(loss, out_activation):
    """The :class:`Loss` for a loss name and an output activation name.

    Parameters
    ----------
    loss : {"log_loss", "squared_error"}
    out_activation : {"softmax", "logistic"}

    Returns
    -------
    Loss

    Examples
    --------
    >>> import numpy as np
    >>> bce = make_loss("log_loss", "logistic")
    >>> Z = np.array([[0.0]]); P = np.array([[0.5]]); Y = np.array([[1.0]])
    >>> float(bce.value(Y, Z, P)[0]) == float(np.log(2))
    True
    """
    if loss == "log_loss":
        value = categorical_log_loss if out_activation == "softmax" else binary_log_loss
        return Loss(value, log_loss_delta)
    backprop = OUTPUT_ACTIVATIONS[out_activation].backprop
    return Loss(squared_error, partial(squared_error_delta, backprop=backprop))
