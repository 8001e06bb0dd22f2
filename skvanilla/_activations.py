"""Activation functions, each written beside its derivative.

Hidden activations map a pre-activation ``Z`` to an activation ``A = f(Z)``
and know their derivative ``f'(Z)``, which backpropagation multiplies into
the error signal (eq. 2.4.1 of the post "Programming a neural network from
scratch", Ritchie Vink, 2017).  The derivative receives
both ``Z`` and ``A`` because for several functions it is cheaper, and more
accurate, to write it with the output (``sigma' = A (1 - A)``).

Every function takes an optional ``out``, an array shaped like ``Z`` that
it may write its result into (the training loop passes buffers made once
per fit, so that a batch allocates nothing), and returns its result.
``identity`` returns ``Z`` itself.  An activation stays right when ``out``
is ``Z`` itself: prediction computes every hidden layer in place.

A leading axis of networks -- ``Z`` of shape ``(n_models, n_samples,
n_units)``, a stack of networks trained together -- is computed per
network: the hidden activations are elementwise, and the output ones work
along the last axis.

Output activations turn the last pre-activation into probabilities
(softmax, logistic) or into a regressor's predictions (identity for squared
error, exp for the Poisson deviance).  They also give the log of their
output computed from ``Z`` directly (never ``log`` of a rounded
probability), and the product of their Jacobian with a vector, which is
what the chain rule needs at the output layer.

Every function is written once against the namespace ``xp`` it is given
(numpy by default; see :mod:`skvanilla._xp`), which also gives three of
scipy's special functions that numpy lacks: ``erf`` for the exact GELU,
and the one-pass, overflow-free ``expit`` and ``log_expit`` for the
sigmoid (scipy comes with scikit-learn).

Only numpy and the namespace adapters are imported here.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._xp import NUMPY


class Activation(NamedTuple):
    """A hidden activation ``f`` and its derivative ``f'``.

    ``prime_from_output``: the derivative reads only ``A`` (or ``Z > 0``,
    which ``A > 0`` says as well), so training may write ``A`` over ``Z``.
    ``chain``: how backpropagation multiplies a delta by the derivative,
    when not by ``prime``'s array (see :meth:`backprop`).
    """

    f: Callable
    prime: Callable
    prime_from_output: bool = False
    chain: Callable | None = None

    def backprop(self, delta, Z, A, out=None, xp=NUMPY):
        """``delta`` times :math:`f'(z)`, in place (eq. 2.4.1); ``out`` is a buffer for it."""
        if self.chain is not None:
            return self.chain(delta, Z, A, out=out, xp=xp)
        return xp.multiply(delta, self.prime(Z, A, out=out, xp=xp), out=delta)


class OutputActivation(NamedTuple):
    """An output activation, its log, and its Jacobian-vector product."""

    f: Callable
    log_f: Callable
    backprop: Callable


# --------------------------------------------------------------------------
# Hidden activations
# --------------------------------------------------------------------------


def identity(Z, out=None, xp=NUMPY):
    r"""Identity, :math:`f(z) = z` (``Z`` itself: nothing to compute or copy)."""
    return Z


def identity_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = 1`."""
    if out is None:
        return xp.ones_like(Z)
    return xp.fill(out, 1)


def logistic(Z, out=None, xp=NUMPY):
    r"""Logistic sigmoid, :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    scipy's ``expit`` evaluates it in one pass, in the input's precision,
    without overflowing ``exp`` at either end (a written-out
    ``1 / (1 + exp(-z))``, the post's, overflows for :math:`z < -709`).

    Examples
    --------
    >>> import numpy as np
    >>> logistic(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    return xp.expit(Z, out=out)


def logistic_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`\sigma'(z) = \sigma(z) (1 - \sigma(z))`, from the output ``A``."""
    out = xp.subtract(1.0, A, out=out)
    out *= A
    return out


def logistic_chain(delta, Z, A, out=None, xp=NUMPY):
    r"""``delta`` times :math:`\sigma'(z)`, in place, as ``(delta * A) * (1 - A)``.

    The order in which scikit-learn rounds the product: multiplying by
    ``logistic_prime``'s ``A (1 - A)`` instead rounds differently.
    """
    delta *= A
    delta *= xp.subtract(1.0, A, out=out)
    return delta


def log_logistic(Z, xp=NUMPY):
    r""":math:`\log \sigma(z) = -\log(1 + e^{-z})`, stable for any ``z``."""
    return xp.log_expit(Z)


def tanh(Z, out=None, xp=NUMPY):
    r"""Hyperbolic tangent, :math:`f(z) = \tanh z`."""
    return xp.tanh(Z, out=out)


def tanh_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = 1 - \tanh^2 z`, from the output ``A``."""
    out = xp.multiply(A, A, out=out)
    return xp.subtract(1.0, out, out=out)


def relu(Z, out=None, xp=NUMPY):
    r"""Rectified linear unit, :math:`f(z) = \max(0, z)` (eq. 1.2.1).

    Written over ``Z`` only when ``out`` is ``Z``: the post's version zeroed
    ``z`` in place unasked, so that the cached pre-activation and the
    activation were one array.
    """
    return xp.maximum(Z, 0, out=out)


def relu_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = 1` for :math:`z > 0`, else 0 (0 is taken at the kink).

    Without ``out``, a boolean array: multiplying by it is the same.
    """
    return xp.greater(Z, 0, out=out)


#: Slope of ``leaky_relu`` below zero.
LEAKY_SLOPE = 0.01


def leaky_relu(Z, out=None, xp=NUMPY):
    r"""Leaky ReLU, :math:`f(z) = z` for :math:`z > 0`, else :math:`0.01 z`.

    With a slope below 1 that is :math:`\max(z, 0.01 z)`.
    """
    return xp.maximum(Z, LEAKY_SLOPE * Z, out=out)


def leaky_relu_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = 1` for :math:`z > 0`, else :math:`0.01`: :math:`\max([z > 0], 0.01)`."""
    out = xp.greater(Z, 0, out=xp.empty_like(Z) if out is None else out)
    return xp.maximum(out, LEAKY_SLOPE, out=out)


def elu(Z, out=None, xp=NUMPY):
    r"""Exponential linear unit, :math:`f(z) = z` for :math:`z > 0`, else :math:`e^z - 1`.

    Computed as :math:`\max(z, e^{\min(z, 0)} - 1)`: :math:`e^z - 1 \ge z`
    everywhere, with equality only at 0, and for :math:`z > 0` the second
    term is 0.  ``expm1`` keeps :math:`e^z - 1` accurate near zero; the
    clip at 0 keeps the branch not taken from overflowing.
    """
    return xp.maximum(Z, xp.expm1(xp.minimum(Z, 0)), out=out)


def elu_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = 1` for :math:`z > 0`, else :math:`e^z = f(z) + 1`.

    :math:`f(z) + 1 = e^{\min(z, 0)}` is 1 for :math:`z > 0`: one formula.
    """
    out = xp.minimum(A, 0, out=out)
    out += 1.0
    return out


# Python floats, so that float32 arrays stay float32.
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)


def _erf_extended(X):
    """erf in ``numpy.longdouble``, which scipy's erf does not take.

    Uses the series :math:`\\operatorname{erf}(x) = \\frac{2}{\\sqrt\\pi} e^{-x^2}
    \\sum_n \\frac{2^n x^{2n+1}}{1 \\cdot 3 \\cdots (2n+1)}`, whose terms share
    the sign of ``x`` (no cancellation); beyond :math:`|x| = 6.5`,
    :math:`\\operatorname{erf} = \\pm 1` to extended precision.  Only the
    gradient check computes in extended precision.
    """
    R = np.clip(X, -6.5, 6.5)
    term = R.copy()
    total = R.copy()
    for n in range(1, 400):
        term = term * (2 * R * R) / (2 * n + 1)
        total = total + term
        if np.all(np.abs(term) <= np.finfo(X.dtype).eps * np.abs(total)):
            break
    inside = total * np.exp(-R * R) * (2 / np.sqrt(np.pi, dtype=X.dtype))
    return np.where(np.abs(X) > 6.5, np.sign(X), inside)


def _normal_cdf(Z, xp=NUMPY):
    """:math:`\\Phi(z) = \\frac12 (1 + \\operatorname{erf}(z / \\sqrt2))`."""
    X = Z / _SQRT2
    extended = xp.is_numpy and X.dtype == np.longdouble
    return 0.5 * (1.0 + (_erf_extended(X) if extended else xp.erf(X)))


def gelu(Z, out=None, xp=NUMPY):
    r"""Gaussian error linear unit, exact: :math:`f(z) = z \Phi(z)`.

    :math:`\Phi(z) = \frac12 (1 + \operatorname{erf}(z / \sqrt2))` is the
    standard normal distribution function (no tanh approximation).
    """
    return xp.multiply(Z, _normal_cdf(Z, xp), out=out)


def gelu_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = \Phi(z) + z \varphi(z)`, with :math:`\varphi` the normal density."""
    cdf = _normal_cdf(Z, xp)
    # The density is exactly 0 in floating point beyond |z| = 40; clipping
    # there keeps z * z from overflowing.
    R = xp.minimum(xp.abs(Z), 40.0)
    return xp.add(cdf, Z * xp.exp(-0.5 * R * R) / _SQRT2PI, out=out)


def softplus(Z, out=None, xp=NUMPY):
    r"""Softplus, :math:`f(z) = \log(1 + e^z)`, through ``logaddexp`` (no overflow)."""
    return xp.logaddexp(0.0, Z, out=out)


def softplus_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = \sigma(z)`."""
    return logistic(Z, out=out, xp=xp)


def silu(Z, out=None, xp=NUMPY):
    r"""Sigmoid linear unit (swish), :math:`f(z) = z \sigma(z)`."""
    return xp.multiply(Z, logistic(Z, xp=xp), out=out)


def silu_prime(Z, A, out=None, xp=NUMPY):
    r""":math:`f'(z) = \sigma(z) (1 + z (1 - \sigma(z)))`."""
    S = logistic(Z, xp=xp)
    return xp.multiply(S, 1.0 + Z * (1.0 - S), out=out)


HIDDEN_ACTIVATIONS = {
    "identity": Activation(identity, identity_prime, prime_from_output=True),
    "logistic": Activation(logistic, logistic_prime, prime_from_output=True, chain=logistic_chain),
    "tanh": Activation(tanh, tanh_prime, prime_from_output=True),
    "relu": Activation(relu, relu_prime, prime_from_output=True),
    "leaky_relu": Activation(leaky_relu, leaky_relu_prime),
    "elu": Activation(elu, elu_prime),
    "gelu": Activation(gelu, gelu_prime),
    "softplus": Activation(softplus, softplus_prime),
    "silu": Activation(silu, silu_prime),
}


# --------------------------------------------------------------------------
# Output activations
# --------------------------------------------------------------------------


def softmax(Z, out=None, xp=NUMPY):
    r"""Softmax over each row, :math:`p_k = e^{z_k} / \sum_j e^{z_j}`.

    The row maximum is subtracted first; it cancels in the ratio and keeps
    every exponent at most zero.

    Examples
    --------
    >>> import numpy as np
    >>> softmax(np.array([[0.0, 0.0], [1000.0, 0.0]]))
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    E = xp.subtract(Z, xp.max(Z, axis=-1, keepdims=True), out=out)
    E = xp.exp(E, out=E)
    E /= xp.sum(E, axis=-1, keepdims=True)
    return E


def log_softmax(Z, xp=NUMPY):
    r""":math:`\log p_k = z_k - \log \sum_j e^{z_j}`, computed stably."""
    shifted = Z - xp.max(Z, axis=-1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))


def softmax_backprop(P, G, out=None, xp=NUMPY):
    r"""Chain ``G = dJ/dP`` through softmax: :math:`P \odot (G - \sum_k G_k P_k)`.

    The softmax Jacobian is :math:`\partial p_k / \partial z_j =
    p_k (\delta_{kj} - p_j)`, so :math:`(J^T g)_j = p_j (g_j - g \cdot p)`.
    """
    return xp.multiply(P, G - xp.sum(G * P, axis=-1, keepdims=True), out=out)


def logistic_backprop(P, G, out=None, xp=NUMPY):
    r"""Chain ``G = dJ/dP`` through elementwise sigmoids: :math:`G \odot P (1 - P)`.

    This is the post's eq. 2.2.5 applied to the output, with the derivative
    taken at ``z`` (through ``P = sigma(z)``), not at ``sigma(P)``.
    """
    return xp.multiply(G * P, 1.0 - P, out=out)


# Regression outputs.  Their "log" is the log of the output, as for the
# classifier's probabilities, although nothing asks a regressor for it.


def identity_output(Z, out=None, xp=NUMPY):
    r"""Identity output, :math:`f(z) = z`, for squared error.

    Unlike the hidden ``identity``, it copies ``Z`` into ``out`` when one is
    given that is not ``Z`` itself, so that the output buffer holds the
    predictions like every other output activation's; without ``out`` it
    returns ``Z`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[-2.5, 3.0]]); out = np.empty_like(Z)
    >>> identity_output(Z, out=out) is out, out
    (True, array([[-2.5,  3. ]]))
    """
    if out is None or out is Z:
        return Z
    xp.copyto(out, Z)
    return out


def log_identity(Z, xp=NUMPY):
    r""":math:`\log f(z) = \log z`: NaN for :math:`z < 0`.

    Identity outputs are real numbers, not probabilities; this is defined
    so that every output activation has the same fields, not for use.
    """
    return xp.log(Z)


def identity_backprop(P, G, out=None, xp=NUMPY):
    r"""Chain ``G = dJ/dP`` through the identity: ``G`` itself (:math:`f' = 1`).

    A copy of ``G`` (or ``G`` written into ``out``), as the other outputs
    return a fresh array or ``out``, which the caller may then scale in place.
    """
    if out is None:
        return xp.copy(G)
    xp.copyto(out, G)
    return out


def exp(Z, out=None, xp=NUMPY):
    r"""Exponential output, :math:`f(z) = e^z`, the inverse of the Poisson log link.

    Plain ``numpy.exp``, as scikit-learn's ``inplace_exp``: where
    :math:`e^z` is finite the values are the same, bit for bit, so that a
    regressor can follow ``MLPRegressor``'s weights.  Nothing is clipped.
    Above :math:`z = \log(\max) \approx 709.78` (float64; 88.72 in
    float32) the result is ``inf``, with numpy's overflow signal (a
    ``RuntimeWarning``, or ``FloatingPointError`` under
    ``np.errstate(over="raise")``).  The loss and the output delta are then
    ``inf`` too, and a caller that checks them for finiteness, as the
    estimators do, reports the overflow.  A clip would instead give a loss
    and a gradient of about ``1e308`` that look finite but are meaningless,
    and would differ from scikit-learn where it overflows.  Below
    :math:`z \approx -745` the output underflows to 0, silently and
    harmlessly: the error is below the smallest subnormal, and the Poisson
    loss reads :math:`\log p = z` off ``Z``, never ``log(P)``.

    Examples
    --------
    >>> import numpy as np
    >>> exp(np.array([[-1000.0, 0.0, 1.0]]))
    array([[0.        , 1.        , 2.71828183]])
    >>> with np.errstate(over="ignore"):
    ...     exp(np.array([[710.0]]))
    array([[inf]])
    """
    return xp.exp(Z, out=out)


def log_exp(Z, xp=NUMPY):
    r""":math:`\log e^z = z`, exactly, even where :math:`e^z` overflows or underflows.

    A copy of ``Z``, so that a caller may write over it.
    """
    return xp.copy(Z)


def exp_backprop(P, G, out=None, xp=NUMPY):
    r"""Chain ``G = dJ/dP`` through elementwise exponentials: :math:`G \odot P`.

    :math:`(e^z)' = e^z`, read off the output ``P``.
    """
    return xp.multiply(G, P, out=out)


OUTPUT_ACTIVATIONS = {
    "softmax": OutputActivation(softmax, log_softmax, softmax_backprop),
    "logistic": OutputActivation(logistic, log_logistic, logistic_backprop),
    "identity": OutputActivation(identity_output, log_identity, identity_backprop),
    "exp": OutputActivation(exp, log_exp, exp_backprop),
}
