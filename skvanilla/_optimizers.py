"""Gradient-descent optimizers.

An optimizer sees one flat vector of parameters and the flat vector of
their gradients, and updates the parameters in place: a step is a handful
of numpy calls over the whole network, whatever its number of layers.  The
gradients are consumed -- their vector is the step's work space -- so that
a step allocates nothing.  It knows nothing of networks, data or losses.
Between epochs the training loop tells it how many samples have been seen
(:meth:`iteration_ends`), and asks it whether to stop when the loss stalls
(:meth:`trigger_stopping`): the adaptive schedule answers by dividing its
learning rate by 5 instead, for as long as the rate stays above ``1e-6``.

Why numpy's two passes for ``theta += c * g`` and not BLAS's one-pass
``axpy`` from ``scipy.linalg.blas``: scipy brings its own OpenBLAS, with a
thread pool of its own.  Called between numpy's matrix products, the two
pools took turns spinning on the same two cores, and an epoch of the large
benchmark network ran 5 times slower (9.7 s against 1.8 s).

:func:`minimize_lbfgs` runs scipy's L-BFGS-B on a flat parameter vector;
with arrays of another namespace than numpy, the loss and gradient are
computed there (on the device) and scipy works on the host, one flat
vector each way per evaluation.

Each update is a function of arrays -- :func:`sgd_step`, :func:`adam_step`
-- that the optimizer objects call with their state and hyperparameters:
the same functions update a stack of networks (parameters of shape ``(K,
P)``, hyperparameters one per network, shaped ``(K, 1)``), each network as
it would be updated alone.  The objects keep what is per network and
scalar: the schedules, the step count, the stopping decision.

The steps are written once against the namespace ``xp`` (see
:mod:`skvanilla._xp`).  Only numpy, scipy and the namespace adapters are
imported here.
"""

import math

import numpy as np
import scipy.optimize

from ._xp import NUMPY


class SGD:
    """Stochastic gradient descent with momentum and learning-rate schedules.

    The velocity update is :math:`v \\leftarrow \\mu v - \\eta g`, then
    :math:`\\theta \\leftarrow \\theta + v`, or with Nesterov's momentum
    :math:`\\theta \\leftarrow \\theta + \\mu v - \\eta g`.

    Parameters
    ----------
    params : ndarray
        The flat parameter vector; only its shape and dtype are read here.
    learning_rate_init : float
    learning_rate : {"constant", "invscaling", "adaptive"}
    momentum : float
    nesterov : bool
    power_t : float
        Exponent of the ``invscaling`` schedule,
        :math:`\\eta_t = \\eta_0 / (t + 1)^{p}` with ``t`` samples seen.
    xp : namespace adapter, default=NUMPY
        The namespace of ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = SGD(w, 0.1, "constant", momentum=0.0, nesterov=False, power_t=0.5)
    >>> opt.update_params(w, np.array([2.0]))
    >>> w
    array([0.8])
    """

    def __init__(
        self, params, learning_rate_init, learning_rate, momentum, nesterov, power_t, xp=NUMPY
    ):
        self.xp = xp
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.schedule = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = xp.zeros_like(params)

    def update_params(self, params, grads):
        """Take one step, in place, on the flat vector ``params`` (consumes ``grads``)."""
        sgd_step(
            params, grads, self.velocities, self.learning_rate, self.momentum, self.nesterov,
            xp=self.xp,
        )

    def iteration_ends(self, time_step):
        """Apply the ``invscaling`` schedule after ``time_step`` samples."""
        if self.schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg, verbose):
        """Stop, or (adaptive schedule) divide the learning rate by 5 and go on."""
        if self.schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False


class Adam:
    """Adam (Kingma and Ba, 2014).

    .. math::

        m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g \\qquad
        v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2 \\\\
        \\theta &\\leftarrow \\theta - \\eta \\frac{\\sqrt{1 - \\beta_2^t}}{1 - \\beta_1^t}
            \\frac{m}{\\sqrt{v} + \\epsilon}

    Parameters
    ----------
    params : ndarray
        The flat parameter vector; only its shape and dtype are read here.
    learning_rate_init, beta_1, beta_2, epsilon : float
    xp : namespace adapter, default=NUMPY
        The namespace of ``params``.
    """

    def __init__(self, params, learning_rate_init, beta_1, beta_2, epsilon, xp=NUMPY):
        self.xp = xp
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = xp.zeros_like(params)
        self.vs = xp.zeros_like(params)

    def update_params(self, params, grads):
        """Take one step, in place, on the flat vector ``params`` (consumes ``grads``)."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        step_size = self.step_size()
        self.learning_rate = float(step_size)
        adam_step(
            params, grads, self.ms, self.vs, step_size, (b1, 1 - b1, b2, 1 - b2), self.epsilon,
            xp=self.xp,
        )

    def step_size(self):
        """The bias-corrected rate of step ``t``: a numpy float64, as scikit-learn's."""
        b1, b2, t = self.beta_1, self.beta_2, self.t
        return self.learning_rate_init * np.sqrt(1 - b2**t) / (1 - b1**t)

    def iteration_ends(self, time_step):
        """Adam has no schedule."""

    def trigger_stopping(self, msg, verbose):
        """Adam always stops when the loss stalls."""
        if verbose:
            print(msg + " Stopping.")
        return True


def sgd_step(params, grads, velocities, learning_rate, momentum, nesterov, xp=NUMPY):
    """One SGD step, in place on ``params`` and ``velocities``; ``grads`` is consumed.

    Each element is rounded as scikit-learn's ``SGDOptimizer`` rounds it:
    :math:`v = (\\mu v) - (\\eta g)`, then :math:`\\theta + v`, or with
    Nesterov's momentum :math:`\\theta + ((\\mu v) - (\\eta g))` with the
    new :math:`v`.  Without momentum, :math:`\\theta - \\eta g`: the same
    value (:math:`0 v - \\eta g = -\\eta g` while :math:`v` is finite), in
    one call.

    Parameters
    ----------
    params, grads, velocities : ndarray of shape (P,) or (K, P)
    learning_rate, momentum : float, or ndarray of shape (K, 1)
        Per network of a stack: in the parameters' dtype, the values a
        Python float takes in their arithmetic.
    nesterov : bool, or bool ndarray of shape (K, 1)
        Per network of a stack, or one choice for all.
    xp : namespace adapter, default=NUMPY

    Examples
    --------
    Two networks of one parameter, each with its own rate, as each alone:

    >>> import numpy as np
    >>> theta, v = np.array([[1.0], [1.0]]), np.zeros((2, 1))
    >>> sgd_step(theta, np.array([[2.0], [2.0]]), v, np.array([[0.1], [0.25]]), 0.9, False)
    >>> theta[:, 0].tolist(), v[:, 0].tolist()
    ([0.8, 0.5], [-0.2, -0.5])
    """
    mu, v, g = momentum, velocities, grads
    g *= learning_rate
    if getattr(mu, "ndim", 0) == 0 and mu == 0:  # plain SGD: v = -eta g, whatever the variant
        params -= g
        return
    v *= mu
    v -= g  # v = mu v - eta g
    if getattr(nesterov, "ndim", 0):  # a stack of both kinds: each network its own step
        g = xp.subtract(xp.multiply(v, mu), g, out=g)
        params += xp.where(nesterov, g, v)
    elif nesterov:
        g = xp.subtract(xp.multiply(v, mu), g, out=g)  # mu v - eta g, new v
        params += g
    else:
        params += v


def adam_step(params, grads, ms, vs, step_size, betas, epsilon, xp=NUMPY):
    """One Adam step, in place on ``params``, ``ms`` and ``vs``; ``grads`` is consumed.

    Rounded as scikit-learn's ``AdamOptimizer``: :math:`m = \\beta_1 m +
    (1 - \\beta_1) g` with :math:`1 - \\beta_1` computed in float64 (a Python
    float) and then taken in the parameters' dtype; the step size a numpy
    float64, so that with float32 weights the step is computed in float64
    and rounded once, on its addition to the weights.

    Parameters
    ----------
    params, grads, ms, vs : ndarray of shape (P,) or (K, P)
    step_size : numpy float64, or float64 ndarray of shape (K, 1)
        The bias-corrected rate (:meth:`Adam.step_size`).
    betas : (beta_1, 1 - beta_1, beta_2, 1 - beta_2)
        Floats, or per network arrays of shape (K, 1) in the parameters'
        dtype, each complement computed in float64 before the cast.
    epsilon : float, or ndarray of shape (K, 1) in the parameters' dtype
    xp : namespace adapter, default=NUMPY
    """
    b1, c1, b2, c2 = betas
    m, v, g = ms, vs, grads
    m *= b1
    m += c1 * g  # m = b1 m + (1 - b1) g
    v *= b2
    g *= g
    g *= c2
    v += g  # v = b2 v + (1 - b2) g^2
    step = xp.multiply(m, -step_size)
    g = xp.sqrt(v, out=g)
    g += epsilon
    step /= g
    params += step  # theta -= lr m / (sqrt(v) + eps)


def pack(arrays, xp=NUMPY):
    """Concatenate arrays into one flat vector."""
    return xp.concat([xp.reshape(a, (-1,)) for a in arrays])


def unpack(theta, like, xp=NUMPY):
    """Split a flat vector into arrays shaped like ``like`` (views of ``theta``)."""
    out, start = [], 0
    for a in like:
        size = math.prod(a.shape)
        out.append(xp.reshape(theta[start : start + size], a.shape))
        start += size
    return out


def minimize_lbfgs(fun, params, *, max_iter, max_fun, tol, callback=None, xp=NUMPY):
    """Minimise ``fun`` over ``params`` with L-BFGS-B.

    Parameters
    ----------
    fun : callable
        ``fun(params) -> (loss, grads)`` on lists of arrays.
    params : list of ndarray
        The starting point; left untouched.
    max_iter, max_fun : int
        Iteration and function-evaluation budgets.
    tol : float
        Passed as ``gtol``: stop when the largest gradient entry is below it.
    callback : callable, optional
        Called with the parameter list after each iteration.
    xp : namespace adapter, default=NUMPY
        The namespace of ``params`` and of what ``fun`` takes and returns.
        scipy works on the host: each evaluation moves the flat parameter
        vector to the device and the flat gradient back, and nothing else.

    Returns
    -------
    params : list of ndarray
    result : scipy.optimize.OptimizeResult
    """
    dtype = xp.numpy_dtype(params[0].dtype)

    def to_device(theta, copy):
        return unpack(xp.from_host(theta.astype(dtype, copy=copy)), params, xp)

    def flat_fun(theta):
        loss, grads = fun(to_device(theta, copy=False))
        return xp.scalar(loss), xp.to_host(pack(grads, xp)).astype(np.float64, copy=False)

    def flat_callback(intermediate_result):
        if callback is not None:
            callback(to_device(intermediate_result.x, copy=True), intermediate_result.fun)

    result = scipy.optimize.minimize(
        flat_fun,
        xp.to_host(pack(params, xp)).astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=flat_callback,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )
    return to_device(result.x, copy=True), result
