"""A public check of backpropagation against finite differences.

Backpropagation runs where the estimator computes: in numpy, or, for ``X``
of another namespace under ``array_api_dispatch=True`` (PyTorch ...), in
that namespace on its device.  The finite differences always run on the
host, in numpy's extended precision.
"""

import copy
import math
import warnings

import numpy as np

from . import _devices
from ._dropout import dropout_masks
from ._inputs import namespace_of
from ._network import backward, forward, objective
from ._training import dropout_keys
from ._validation import on_device
from ._xp import NUMPY


def relative_error(a, b, floor=0.0):
    """:math:`\\lVert a - b \\rVert / \\max(\\lVert a \\rVert + \\lVert b \\rVert, floor)`.

    Zero when both vanish (a dead layer, for instance); infinite when either
    is not finite, which no comparison can call agreement.
    """
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return np.inf
    scale = max(np.linalg.norm(a) + np.linalg.norm(b), floor)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def numerical_gradient(fun, params, eps):
    """Central differences of ``fun()`` in every entry of every array of ``params``.

    The five-point central stencil

    .. math::

        f'(x) \\approx \\frac{f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)}{12 h}

    has a truncation error of order :math:`h^4`, so a step of ``1e-4`` is
    both exact to about ``1e-16`` and far enough from rounding noise (about
    ``1e-16 / h``) to resolve gradients as small as ``1e-6`` to six digits,
    which the three-point formula cannot do at any step.  The arrays are
    perturbed in place, one entry at a time, and restored.
    """
    grads = []
    for p in params:
        g = np.empty_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            values = []
            for step in (-2, -1, 1, 2):
                p[i] = saved + step * eps
                values.append(fun())
            p[i] = saved
            g[i] = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * eps)
        grads.append(g)
    return grads


def check_gradients(estimator, X, y, sample_weight=None, *, eps=1e-4):
    """Worst relative error between backpropagation and finite differences.

    The estimator's configuration (layers, activations, loss, output,
    ``alpha``, class weights) is evaluated at its current weights if it is
    fitted, or at the weights that ``fit`` would start from otherwise.  With
    ``dropout``, one step's masks are drawn and held fixed.  The estimator
    itself is left untouched.

    For each weight matrix and bias vector, the error is
    :math:`\\lVert g_{bp} - g_{fd} \\rVert / (\\lVert g_{bp} \\rVert +
    \\lVert g_{fd} \\rVert)`, where :math:`g_{fd}` are central differences
    (five-point stencil) of the training objective with step ``eps``; the
    worst is returned.  An array whose gradient is below a millionth of the
    whole gradient's norm is measured against that millionth instead: its
    share of the objective is below what differences of ``J`` resolve.
    The differences are taken in ``numpy.longdouble`` (80-bit on x86).
    Values around ``1e-9`` mean backpropagation is exact;
    a wrong formula gives ``1e-2`` or more.  With ReLU, a pre-activation
    within a few ``eps`` of zero makes the differences straddle the kink and
    disagree.

    Parameters
    ----------
    estimator : VanillaMLPClassifier or VanillaMLPRegressor
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), default=None
    eps : float, default=1e-4
        Finite-difference step.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skvanilla import VanillaMLPClassifier, check_gradients
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = VanillaMLPClassifier(hidden_layer_sizes=(5,), activation="tanh",
    ...                            alpha=0.1, random_state=0)
    >>> check_gradients(clf, X[::10], y[::10]) < 1e-6
    True
    """
    problem = gradient_problem(estimator, X, y, sample_weight)
    X, Y, sw, coefs, intercepts, net, alpha, masks = problem
    _warn_if_slow(X.shape[0], sum(math.prod(p.shape) for p in coefs + intercepts))
    Zs, As = forward(X, coefs, intercepts, net, masks=masks)
    grads = sum(backward(Zs, As, Y, coefs, net, sw, alpha, masks), [])
    xp, net = net.xp, net._replace(xp=NUMPY)  # the reference runs on the host
    X, Y, sw = xp.to_host(X), xp.to_host(Y), xp.to_host(sw)
    masks = None if masks is None else [xp.to_host(m) for m in masks]
    coefs, intercepts, grads = ([xp.to_host(a) for a in arrays] for arrays in (
        coefs, intercepts, grads))

    # The reference runs in extended precision where the platform has it, so
    # that rounding in J does not swamp the small gradients of deep layers.
    ext = np.longdouble
    X_ext = X.toarray().astype(ext) if hasattr(X, "toarray") else X.astype(ext)
    Y_ext, sw_ext = Y.astype(ext), None if sw is None else sw.astype(ext)
    masks_ext = None if masks is None else [m.astype(ext) for m in masks]
    params = [p.astype(ext) for p in coefs + intercepts]
    n_layers = len(coefs)

    def J():
        Zs, As = forward(X_ext, params[:n_layers], params[n_layers:], net, masks=masks_ext)
        return objective(Zs, As, Y_ext, params[:n_layers], net, sw_ext, alpha)

    numeric = numerical_gradient(J, params, eps)
    floor = 1e-6 * np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    # np.max, not max: Python's max keeps the first of a NaN and a number
    # whichever way they compare, so a NaN error could be passed over.
    errors = [relative_error(g, n.astype(np.float64), floor) for g, n in zip(grads, numeric)]
    return float(np.max(errors))


#: Multiply-adds of the finite differences above which check_gradients warns:
#: in extended precision, about a minute on a laptop core.
SLOW_WORK = 1e10


def _warn_if_slow(n_samples, n_weights):
    """Warn, before starting, when the finite differences will take long.

    Each weight costs four evaluations of the objective, each a forward pass
    of about ``n_weights`` multiply-adds per sample: the work grows as the
    square of the network's size.
    """
    work = 4 * n_weights * n_samples * n_weights
    if work > SLOW_WORK:
        warnings.warn(
            f"check_gradients differentiates each of the {n_weights} weights numerically: "
            f"{4 * n_weights} evaluations of the objective over {n_samples} samples, "
            f"about {work:.0e} multiply-adds in extended precision, which may take "
            "hours. Check the same configuration with a few units per layer on a few "
            "samples.",
            UserWarning,
            stacklevel=3,
        )


def gradient_problem(estimator, X, y, sample_weight=None):
    """The objective that :func:`check_gradients` differentiates, in float64.

    Returns
    -------
    X, Y, sample_weight, coefs, intercepts, net, alpha, masks
        Validated data, one-hot targets, the effective sample weights (class
        weights included), the current or initial parameters, the network,
        the penalty, and the dropout masks of one training step (``None``
        without dropout), held fixed so that the objective is deterministic.
        They are arrays of the namespace of ``X`` (``net.xp``).
    """
    xp = namespace_of(X)
    if xp.is_numpy:
        est = copy.deepcopy(estimator)
        X = X.astype(np.float64) if hasattr(X, "astype") else np.asarray(X, dtype=np.float64)
    else:  # a fitted model on a device is copied there (deepcopy refuses it; see to_namespace)
        fitted = hasattr(estimator, "coefs_")
        est = _devices.moved(estimator, xp) if fitted else copy.deepcopy(estimator)
        X = xp.astype(X, xp.float64)
    data = est._prepare_fit(X, y, sample_weight, incremental=hasattr(est, "coefs_"))
    X, Y, _, sw = on_device(data, xp)
    coefs = [xp.astype(c, xp.float64) for c in est.coefs_]
    intercepts = [xp.astype(b, xp.float64) for b in est.intercepts_]
    masks = None
    if est.dropout > 0:
        hidden = [c.shape[1] for c in coefs[:-1]]
        masks = dropout_masks(dropout_keys(est, X, xp), 0, hidden, est.dropout, np.float64)
        masks = [xp.from_host(m) for m in masks]
    return X, Y, sw, coefs, intercepts, est._network(), est.alpha, masks
