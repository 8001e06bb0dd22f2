"""Activation functions, each written beside its derivative.

Hidden activations map a pre-activation ``Z`` to an activation ``A = f(Z)``
and know their derivative ``f'(Z)``, which backpropagation multiplies into
the error signal (eq. 2.4.1 of the seed post).  The derivative receives
both ``Z`` and ``A`` because for several functions it is cheaper, and more
accurate, to write it with the output (``sigma' = A (1 - A)``).

Output activations turn the last pre-activation into probabilities.  They
also give the log of those probabilities computed from ``Z`` directly
(never ``log`` of a rounded probability), and the product of their Jacobian
with a vector, which is what the chain rule needs at the output layer.

Only numpy is imported here, and three of scipy's special functions, which
numpy lacks: ``erf`` for the exact GELU, and the one-pass, overflow-free
``expit`` and ``log_expit`` for the sigmoid (scipy comes with scikit-learn).
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import erf, expit, log_expit


class Activation(NamedTuple):
    """A hidden activation ``f`` and its derivative ``f'``."""

    f: Callable
    prime: Callable


class OutputActivation(NamedTuple):
    """An output activation, its log, and its Jacobian-vector product."""

    f: Callable
    log_f: Callable
    backprop: Callable


# --------------------------------------------------------------------------
# Hidden activations
# --------------------------------------------------------------------------


def identity(Z):
    r"""Identity, :math:`f(z) = z`."""
    return Z


def identity_prime(Z, A):
    r""":math:`f'(z) = 1`."""
    return np.ones_like(Z)


def logistic(Z):
    r"""Logistic sigmoid, :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    scipy's ``expit`` evaluates it in one pass, in the input's precision,
    without overflowing ``exp`` at either end (a written-out
    ``1 / (1 + exp(-z))``, the seed's, overflows for :math:`z < -709`).

    Examples
    --------
    >>> import numpy as np
    >>> logistic(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    return expit(Z)


def logistic_prime(Z, A):
    r""":math:`\sigma'(z) = \sigma(z) (1 - \sigma(z))`, from the output ``A``."""
    return A * (1.0 - A)


def log_logistic(Z):
    r""":math:`\log \sigma(z) = -\log(1 + e^{-z})`, stable for any ``z``."""
    return log_expit(Z)


def tanh(Z):
    r"""Hyperbolic tangent, :math:`f(z) = \tanh z`."""
    return np.tanh(Z)


def tanh_prime(Z, A):
    r""":math:`f'(z) = 1 - \tanh^2 z`, from the output ``A``."""
    return 1.0 - A * A


def relu(Z):
    r"""Rectified linear unit, :math:`f(z) = \max(0, z)` (eq. 1.2.1).

    A new array is returned: the seed's version zeroed ``z`` in place, so
    that the cached pre-activation and the activation were one array.
    """
    return np.maximum(Z, 0)


def relu_prime(Z, A):
    r""":math:`f'(z) = 1` for :math:`z > 0`, else 0 (0 is taken at the kink).

    A boolean array: multiplying by it is the same, and saves a conversion.
    """
    return Z > 0


#: Slope of ``leaky_relu`` below zero.
LEAKY_SLOPE = 0.01


def leaky_relu(Z):
    r"""Leaky ReLU, :math:`f(z) = z` for :math:`z > 0`, else :math:`0.01 z`."""
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_prime(Z, A):
    r""":math:`f'(z) = 1` for :math:`z > 0`, else :math:`0.01`."""
    return np.where(Z > 0, 1.0, LEAKY_SLOPE).astype(Z.dtype, copy=False)


def elu(Z):
    r"""Exponential linear unit, :math:`f(z) = z` for :math:`z > 0`, else :math:`e^z - 1`.

    ``expm1`` keeps :math:`e^z - 1` accurate near zero; its argument is
    clipped at 0 so that the branch not taken cannot overflow.
    """
    return np.where(Z > 0, Z, np.expm1(np.minimum(Z, 0)))


def elu_prime(Z, A):
    r""":math:`f'(z) = 1` for :math:`z > 0`, else :math:`e^z = f(z) + 1`."""
    return np.where(Z > 0, 1.0, A + 1.0).astype(Z.dtype, copy=False)


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


def _normal_cdf(Z):
    """:math:`\\Phi(z) = \\frac12 (1 + \\operatorname{erf}(z / \\sqrt2))`."""
    X = Z / _SQRT2
    return 0.5 * (1.0 + (_erf_extended(X) if X.dtype == np.longdouble else erf(X)))


def gelu(Z):
    r"""Gaussian error linear unit, exact: :math:`f(z) = z \Phi(z)`.

    :math:`\Phi(z) = \frac12 (1 + \operatorname{erf}(z / \sqrt2))` is the
    standard normal distribution function (no tanh approximation).
    """
    return Z * _normal_cdf(Z)


def gelu_prime(Z, A):
    r""":math:`f'(z) = \Phi(z) + z \varphi(z)`, with :math:`\varphi` the normal density."""
    cdf = _normal_cdf(Z)
    # The density is exactly 0 in floating point beyond |z| = 40; clipping
    # there keeps z * z from overflowing.
    R = np.minimum(np.abs(Z), 40.0)
    return cdf + Z * np.exp(-0.5 * R * R) / _SQRT2PI


def softplus(Z):
    r"""Softplus, :math:`f(z) = \log(1 + e^z)`, through ``logaddexp`` (no overflow)."""
    return np.logaddexp(0.0, Z)


def softplus_prime(Z, A):
    r""":math:`f'(z) = \sigma(z)`."""
    return logistic(Z)


def silu(Z):
    r"""Sigmoid linear unit (swish), :math:`f(z) = z \sigma(z)`."""
    return Z * logistic(Z)


def silu_prime(Z, A):
    r""":math:`f'(z) = \sigma(z) (1 + z (1 - \sigma(z)))`."""
    S = logistic(Z)
    return S * (1.0 + Z * (1.0 - S))


HIDDEN_ACTIVATIONS = {
    "identity": Activation(identity, identity_prime),
    "logistic": Activation(logistic, logistic_prime),
    "tanh": Activation(tanh, tanh_prime),
    "relu": Activation(relu, relu_prime),
    "leaky_relu": Activation(leaky_relu, leaky_relu_prime),
    "elu": Activation(elu, elu_prime),
    "gelu": Activation(gelu, gelu_prime),
    "softplus": Activation(softplus, softplus_prime),
    "silu": Activation(silu, silu_prime),
}


# --------------------------------------------------------------------------
# Output activations
# --------------------------------------------------------------------------


def softmax(Z):
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
    E = Z - np.maximum.reduce(Z, axis=1, keepdims=True)
    np.exp(E, out=E)
    E /= np.add.reduce(E, axis=1, keepdims=True)
    return E


def log_softmax(Z):
    r""":math:`\log p_k = z_k - \log \sum_j e^{z_j}`, computed stably."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_backprop(P, G):
    r"""Chain ``G = dJ/dP`` through softmax: :math:`P \odot (G - \sum_k G_k P_k)`.

    The softmax Jacobian is :math:`\partial p_k / \partial z_j =
    p_k (\delta_{kj} - p_j)`, so :math:`(J^T g)_j = p_j (g_j - g \cdot p)`.
    """
    return P * (G - np.sum(G * P, axis=1, keepdims=True))


def logistic_backprop(P, G):
    r"""Chain ``G = dJ/dP`` through elementwise sigmoids: :math:`G \odot P (1 - P)`.

    This is the seed's eq. 2.2.5 applied to the output, with the derivative
    taken at ``z`` (through ``P = sigma(z)``), not at ``sigma(P)``.
    """
    return G * P * (1.0 - P)


OUTPUT_ACTIVATIONS = {
    "softmax": OutputActivation(softmax, log_softmax, softmax_backprop),
    "logistic": OutputActivation(logistic, log_logistic, logistic_backprop),
}
