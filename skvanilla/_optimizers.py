"""Gradient-descent optimizers.

An optimizer sees a list of parameter arrays and a list of gradients of
the same shapes, and updates the parameters in place.  It knows nothing of
networks, data or losses.  Between epochs the training loop tells it how
many samples have been seen (:meth:`iteration_ends`), and asks it whether
to stop when the loss stalls (:meth:`trigger_stopping`): the adaptive
schedule answers by dividing its learning rate by 5 instead, for as long as
the rate stays above ``1e-6``.

:func:`minimize_lbfgs` runs scipy's L-BFGS-B on a flat parameter vector.

Only numpy and scipy are imported here.
"""

import numpy as np
import scipy.optimize


def _scratch(optimizer, params):
    """Work buffers shaped like ``params``, made on first use.

    They hold nothing between steps, so they are not part of the optimizer's
    state: ``__getstate__`` leaves them out of a saved model.
    """
    buffers = optimizer.__dict__.get("_work")
    if buffers is None or any(b.shape != p.shape for b, p in zip(buffers, params)):
        buffers = optimizer._work = [np.empty_like(p) for p in params]
    return buffers


class _WorkBuffersNotSaved:
    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_work"}


class SGD(_WorkBuffersNotSaved):
    """Stochastic gradient descent with momentum and learning-rate schedules.

    The velocity update is :math:`v \\leftarrow \\mu v - \\eta g`, then
    :math:`\\theta \\leftarrow \\theta + v`, or with Nesterov's momentum
    :math:`\\theta \\leftarrow \\theta + \\mu v - \\eta g`.

    Parameters
    ----------
    params : list of ndarray
        Only their shapes and dtypes are read here.
    learning_rate_init : float
    learning_rate : {"constant", "invscaling", "adaptive"}
    momentum : float
    nesterov : bool
    power_t : float
        Exponent of the ``invscaling`` schedule,
        :math:`\\eta_t = \\eta_0 / (t + 1)^{p}` with ``t`` samples seen.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0])
    >>> opt = SGD([w], 0.1, "constant", momentum=0.0, nesterov=False, power_t=0.5)
    >>> opt.update_params([w], [np.array([2.0])])
    >>> w
    array([0.8])
    """

    def __init__(self, params, learning_rate_init, learning_rate, momentum, nesterov, power_t):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.schedule = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]

    def update_params(self, params, grads):
        """Take one step on every parameter, in place.

        The gradients are consumed: each is overwritten with ``eta * g``, so
        that a step allocates nothing.
        """
        mu, eta = self.momentum, self.learning_rate
        for p, v, g, s in zip(params, self.velocities, grads, _scratch(self, params)):
            g *= eta
            if mu == 0:  # plain SGD: v = -eta g, whatever the variant
                p -= g
                continue
            v *= mu
            v -= g
            if self.nesterov:
                np.multiply(v, mu, out=s)
                s -= g
                p += s
            else:
                p += v

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


class Adam(_WorkBuffersNotSaved):
    """Adam (Kingma and Ba, 2014).

    .. math::

        m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g \\qquad
        v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2 \\\\
        \\theta &\\leftarrow \\theta - \\eta \\frac{\\sqrt{1 - \\beta_2^t}}{1 - \\beta_1^t}
            \\frac{m}{\\sqrt{v} + \\epsilon}

    Parameters
    ----------
    params : list of ndarray
    learning_rate_init, beta_1, beta_2, epsilon : float
    """

    def __init__(self, params, learning_rate_init, beta_1, beta_2, epsilon):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    def update_params(self, params, grads):
        """Take one step on every parameter, in place.

        The gradients are consumed (overwritten), so that a step allocates
        nothing.
        """
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # The bias corrections of both moments folded into one step size.
        self.learning_rate = float(
            self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        )
        for p, m, v, g, s in zip(params, self.ms, self.vs, grads, _scratch(self, params)):
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s  # m = b1 m + (1 - b1) g
            g *= g
            g *= 1 - b2
            v *= b2
            v += g  # v = b2 v + (1 - b2) g^2
            np.sqrt(v, out=g)
            g += self.epsilon
            np.multiply(m, self.learning_rate, out=s)
            s /= g
            p -= s  # p -= lr m / (sqrt(v) + eps)

    def iteration_ends(self, time_step):
        """Adam has no schedule."""

    def trigger_stopping(self, msg, verbose):
        """Adam always stops when the loss stalls."""
        if verbose:
            print(msg + " Stopping.")
        return True


def pack(arrays):
    """Concatenate arrays into one flat vector."""
    return np.concatenate([a.ravel() for a in arrays])


def unpack(theta, like):
    """Split a flat vector into arrays shaped like ``like`` (views of ``theta``)."""
    out, start = [], 0
    for a in like:
        out.append(theta[start : start + a.size].reshape(a.shape))
        start += a.size
    return out


def minimize_lbfgs(fun, params, *, max_iter, max_fun, tol, callback=None, verbose=False):
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

    Returns
    -------
    params : list of ndarray
    result : scipy.optimize.OptimizeResult
    """
    dtype = params[0].dtype

    def flat_fun(theta):
        loss, grads = fun(unpack(theta.astype(dtype, copy=False), params))
        return loss, pack(grads).astype(np.float64, copy=False)

    def flat_callback(intermediate_result):
        if callback is not None:
            callback(unpack(intermediate_result.x.astype(dtype), params), intermediate_result.fun)

    result = scipy.optimize.minimize(
        flat_fun,
        pack(params).astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=flat_callback,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )
    return unpack(result.x.astype(dtype), params), result
