"""Losses, each written beside its output delta.

A loss compares the targets ``Y`` with the network's output: one-hot class
indicators for the classifier (held as uint8), real numbers for the
regressor (held as floats); nothing here assumes that ``Y`` is 0/1 or of an
integer dtype.  It gives the mean loss of a batch, :math:`\\sum_j s_j
L(y_j, a_j) / \\sum_j s_j` with sample weights ``s`` (all ones when none
are given), summed over the outputs, and the output delta of eq. 2.4.0 of
the post "Programming a neural network from scratch" (Ritchie Vink, 2017),
:math:`\\delta^{(L)} = \\partial L / \\partial z^{(L)}
= L'(a^{(L)}) \\odot f'(z^{(L)})`, for one sample.  Weighting the deltas
and dividing the gradients by the total weight is the network's business.

The means are scikit-learn's, operation for operation: each output's
weighted mean by ``numpy.average``, then their sum, of the same per-entry
losses (``xlogy`` of clipped probabilities, ``xlogy(y, y / p) - y + p``,
``(y - p) ** 2``), so that ``loss_curve_`` and the objective L-BFGS sees
agree with MLPClassifier's and MLPRegressor's bit for bit.  Both functions
receive ``Z`` (the output pre-activation) and ``P = f(Z)``.  A delta may
be written into ``out``, a buffer shaped like ``Z``; so may a mean's
per-entry losses, into a buffer of the dtype numpy gives ``Y`` with ``Z``,
which is the dtype a loss is computed in.  The training loop passes both,
so that a batch allocates nothing of its size.

scikit-learn's MLPs report for squared error the *mean* over the outputs,
``0.5 * np.average((y - p) ** 2, weights=s, axis=0).mean()``, while their
output delta ``p - y`` is the gradient of the *sum* over the outputs, which
is what :func:`squared_error` gives (the objective this package
differentiates).  With one output the two are the same value; with ``k``::

    squared_loss(y, p, s) == squared_error(Y, Z, P, s) / k

Every function is written once against the namespace ``xp`` it is given
(numpy by default; see :mod:`skvanilla._xp`).  Only numpy and the namespace
adapters are imported here.
"""

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np

from ._activations import OUTPUT_ACTIVATIONS
from ._xp import NUMPY


class Loss(NamedTuple):
    """A mean loss ``mean(Y, Z, P, sample_weight, xp, out)`` and ``delta(Y, Z, P, out, xp)``.

    ``dtype(Y_dtype, P_dtype)`` is the dtype of the mean's per-entry values:
    the dtype of a buffer passed as its ``out``.
    """

    mean: Callable
    delta: Callable
    dtype: Callable = np.result_type


def _xlogy_dtype(Y_dtype, P_dtype):
    """The dtype of scipy's ``xlogy(Y, P)``: float64 for integer or boolean ``Y``.

    scipy has no mixed loops: an integer ``Y`` with float32 ``P`` runs its
    float64 loop, where numpy's own arithmetic would stay in float32.
    """
    if np.dtype(Y_dtype).kind in "biu":
        return np.dtype(np.float64)
    return np.result_type(Y_dtype, P_dtype)


def _weighted_mean(L, sample_weight, xp):
    """:math:`\\sum_k \\sum_j s_j L_{jk} / \\sum_j s_j`, from per-output losses ``L``.

    Each output's weighted mean, then their sum: the order in which
    scikit-learn's losses reduce (``np.average(L, weights=s, axis=0).sum()``),
    so that the values agree bit for bit.
    """
    return xp.sum(xp.column_mean(L, sample_weight), axis=-1)  # per network of a stack


def categorical_log_loss(Y, Z, P, sample_weight=None, xp=NUMPY, out=None):
    r"""Cross-entropy of softmax outputs, :math:`-\sum_k y_k \log p_k`.

    Computed as scikit-learn's ``log_loss``: ``xlogy`` of the probabilities
    clipped to :math:`[\epsilon, 1 - \epsilon]` (``eps`` of their dtype),
    so that the value is its value bit for bit.  The clip keeps ``log(0)``
    away, and caps a sample's loss at :math:`-\log \epsilon` (36 in
    float64, 16 in float32); L-BFGS's line searches meet such points, and
    follow scikit-learn's only if they see the same value there.
    """
    eps = xp.finfo(P.dtype).eps
    L = xp.clip(P, eps, 1 - eps, out=out)  # exact in out's dtype, which may be wider
    return -_weighted_mean(xp.xlogy(Y, L, out=out), sample_weight, xp)


def binary_log_loss(Y, Z, P, sample_weight=None, xp=NUMPY, out=None):
    r"""Cross-entropy of independent sigmoid outputs.

    :math:`-\sum_k y_k \log p_k + (1 - y_k) \log (1 - p_k)`, computed as
    scikit-learn's ``binary_log_loss``: ``xlogy`` of probabilities clipped
    to :math:`[\epsilon, 1 - \epsilon]`, as :func:`categorical_log_loss`.
    """
    eps = xp.finfo(P.dtype).eps
    P = xp.clip(P, eps, 1 - eps)  # not into out: 1 - P is rounded in P's dtype
    return -_weighted_mean(xp.xlogy(Y, P) + xp.xlogy(1 - Y, 1 - P), sample_weight, xp)


def log_loss_delta(Y, Z, P, out=None, xp=NUMPY):
    r"""Output delta of a loss with its canonical output activation: ``P - Y``.

    For sigmoid units and log-loss, :math:`\partial J / \partial p = (p - y)
    / (p (1 - p))` and :math:`\partial p / \partial z = p (1 - p)`; the
    product is :math:`p - y`.  For softmax with targets that sum to one per
    row, the same cancellation through the softmax Jacobian gives
    :math:`p - y`.  The regression pairs cancel as well: see
    :func:`squared_error` with the identity, :func:`half_poisson_deviance`
    with the exponential.
    """
    return xp.subtract(P, Y, out=out)


#: The name the regression losses know it by.
canonical_delta = log_loss_delta


def squared_error(Y, Z, P, sample_weight=None, xp=NUMPY, out=None):
    r"""The post's loss (eq. 2.1.0), for one sample :math:`\frac12 \sum_k (p_k - y_k)^2`.

    Summed over the outputs: scikit-learn reports the mean over the outputs
    (see the module docstring).  With the identity output the delta is
    :math:`\partial L / \partial z_k = p_k - y_k`, since :math:`p = z`.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1.5, -2.0], [0.0, 3.0]]); P = np.array([[0.5, -2.0], [2.0, 3.0]])
    >>> float(squared_error(Y, P, P)), float(squared_error(Y, P, P, np.array([1.0, 3.0])))
    (1.25, 1.625)
    """
    R = xp.subtract(Y, P, out=out)
    R *= R  # scikit-learn's (y - p) ** 2
    return 0.5 * _weighted_mean(R, sample_weight, xp)


def squared_error_delta(Y, Z, P, out=None, xp=NUMPY, *, backprop):
    r"""Output delta of squared error: :math:`(p - y)` chained through the output.

    :math:`J'(a) = a - y` (eq. 2.2.3), then multiplied by the output
    activation's derivative taken at ``z`` -- the post took it at ``a``
    instead, which is the slip the gradient tests catch.
    """
    return backprop(P, P - Y, out=out, xp=xp)


def half_poisson_deviance(Y, Z, P, sample_weight=None, xp=NUMPY, out=None):
    r"""Half the Poisson deviance of outputs :math:`p = e^z`, for targets :math:`y \ge 0`.

    For one sample,

    .. math::

        L = \sum_k y_k \log \frac{y_k}{p_k} - y_k + p_k
          = \sum_k (p_k - y_k) - y_k (z_k - \log y_k),

    with :math:`0 \log 0 = 0`, computed as scikit-learn's ``poisson_loss``
    (``xlogy(y, y / p) - y + p``, whose constant :math:`y \log y - y` is
    kept) so that the values agree bit for bit.  Each term is at least 0,
    and 0 where :math:`p = y`.  Where :math:`e^z` underflows to 0 the loss
    of a positive target is ``inf``, and where it overflows NaN, as
    scikit-learn's: L-BFGS's line searches meet such points, and follow
    scikit-learn's only if they see the same values there.  The targets'
    sign is the caller's to check.

    The delta is :math:`\partial L / \partial z_k = p_k - y_k`: only
    :math:`p_k - y_k z_k = e^{z_k} - y_k z_k` depends on :math:`z_k`, and its
    derivative is :math:`e^{z_k} - y_k`.  The log link is the Poisson's
    canonical one and cancels as the logit does for log-loss.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[0.0, 2.0]]); Z = np.array([[0.0, np.log(2.0)]])
    >>> float(half_poisson_deviance(Y, Z, np.exp(Z)))  # (1 - 0) + (2 - 2)
    1.0
    >>> Y, Z = Y[:, 1:], Z[:, 1:] - 800  # exp(z) underflows to 0 for a target of 2
    >>> with np.errstate(divide="ignore"):
    ...     float(half_poisson_deviance(Y, Z, np.exp(Z)))
    inf
    """
    Y = xp.promote(Y, Z)  # no copy for float targets in Z's dtype
    L = xp.divide(Y, P, out=out)
    L = xp.xlogy(Y, L, out=out)
    L -= Y
    L += P  # xlogy(y, y / p) - y + p
    return _weighted_mean(L, sample_weight, xp)


def make_loss(loss, out_activation):
    """The :class:`Loss` for a loss name and an output activation name.

    Squared error goes with any output (its delta chains through the
    output's derivative, and is ``P - Y`` for the identity); the log-loss
    needs probabilities (softmax or logistic), the Poisson deviance the
    exponential.

    Parameters
    ----------
    loss : {"log_loss", "squared_error", "poisson"}
    out_activation : {"softmax", "logistic", "identity", "exp"}

    Returns
    -------
    Loss

    Raises
    ------
    ValueError
        For any other pair.

    Examples
    --------
    >>> import numpy as np
    >>> bce = make_loss("log_loss", "logistic")
    >>> Z = np.array([[0.0]]); P = np.array([[0.5]]); Y = np.array([[1.0]])
    >>> float(bce.mean(Y, Z, P)) == float(np.log(2))
    True
    """
    pair = (loss, out_activation)
    if pair == ("log_loss", "softmax"):
        return Loss(categorical_log_loss, log_loss_delta, _xlogy_dtype)
    if pair == ("log_loss", "logistic"):
        return Loss(binary_log_loss, log_loss_delta, _xlogy_dtype)
    if pair == ("poisson", "exp"):
        return Loss(half_poisson_deviance, canonical_delta)
    if pair == ("squared_error", "identity"):
        # One pass: backprop would copy P - Y to multiply it by 1.
        return Loss(squared_error, canonical_delta)
    if loss == "squared_error" and out_activation in OUTPUT_ACTIVATIONS:
        backprop = OUTPUT_ACTIVATIONS[out_activation].backprop
        return Loss(squared_error, partial(squared_error_delta, backprop=backprop))
    raise ValueError(f"No loss {loss!r} with the output activation {out_activation!r}.")
