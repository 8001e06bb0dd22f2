"""Losses, each written beside its output delta.

A loss compares the one-hot targets ``Y`` with the network's output.  It
gives the total loss of a batch, :math:`\\sum_j s_j L(y_j, a_j)` with sample
weights ``s`` (all ones when none are given), and the output delta of the
seed's eq. 2.4.0, :math:`\\delta^{(L)} = \\partial L / \\partial z^{(L)}
= L'(a^{(L)}) \\odot f'(z^{(L)})`, for one sample.  Dividing by the total
weight, and weighting the deltas, is the network's business.

Both receive ``Z`` (the output pre-activation) and ``P = f(Z)`` so that each
can use whichever is stable: a log-loss never takes ``log(0)``.  A delta
may be written into ``out``, a buffer shaped like ``Z``.

Only numpy is imported here.
"""

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np

from ._activations import OUTPUT_ACTIVATIONS, log_softmax


class Loss(NamedTuple):
    """A batch's loss ``total(Y, Z, P, sample_weight=None)``, and ``delta(Y, Z, P, out=None)``."""

    total: Callable
    delta: Callable


def _weighted_sum(L, sample_weight):
    """:math:`\\sum_j s_j \\sum_k L_{jk}`, from per-output losses ``L``."""
    if sample_weight is None:
        return np.add.reduce(L, axis=None)
    return np.add.reduce(L, axis=1) @ sample_weight


def categorical_log_loss(Y, Z, P, sample_weight=None):
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
    return -_weighted_sum(log_P, sample_weight)


def binary_log_loss(Y, Z, P, sample_weight=None):
    r"""Cross-entropy of independent sigmoid outputs.

    :math:`-\sum_k y_k \log \sigma(z_k) + (1 - y_k) \log \sigma(-z_k)
    = \sum_k \log(1 + e^{z_k}) - y_k z_k`, since :math:`\log \sigma(z) =
    z - \log(1 + e^{z})`; ``logaddexp`` gives :math:`\log(1 + e^z)` without
    overflow, and nothing is ever ``log(0)``.
    """
    return _weighted_sum(np.logaddexp(0, Z) - Y * Z, sample_weight)


def log_loss_delta(Y, Z, P, out=None):
    r"""Output delta of a log-loss with its canonical output activation: ``P - Y``.

    For sigmoid units, :math:`\partial J / \partial p = (p - y) / (p (1 - p))`
    and :math:`\partial p / \partial z = p (1 - p)`; the product is
    :math:`p - y`.  For softmax with targets that sum to one per row, the
    same cancellation through the softmax Jacobian gives :math:`p - y`.
    """
    return np.subtract(P, Y, out=out)


def squared_error(Y, Z, P, sample_weight=None):
    r"""The seed's loss (eq. 2.1.0), for one sample :math:`\frac12 \sum_k (p_k - y_k)^2`."""
    R = P - Y
    R *= R
    return 0.5 * _weighted_sum(R, sample_weight)


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
    >>> float(bce.total(Y, Z, P)) == float(np.log(2))
    True
    """
    if loss == "log_loss":
        total = categorical_log_loss if out_activation == "softmax" else binary_log_loss
        return Loss(total, log_loss_delta)
    backprop = OUTPUT_ACTIVATIONS[out_activation].backprop
    return Loss(squared_error, partial(squared_error_delta, backprop=backprop))
