"""The network: initialisation, the forward pass and backpropagation.

Notation follows the post "Programming a neural network from scratch"
(Ritchie Vink, 2017), and so do the equation numbers.  Layer ``i`` maps the activations
``A[i]`` (``A[0]`` is the input ``X``) to

.. math::

    Z_{i+1} = A_i W_i + b_i \\qquad A_{i+1} = f_{i+1}(Z_{i+1})

(eqs. 1.3.0 and 1.3.1); the last ``f`` is the output activation.  The
objective of a batch of ``n`` samples with weights ``s`` (all ones when
none are given) is

.. math::

    J = \\frac{\\sum_j s_j L(y_j, a_j)}{\\sum_j s_j}
        + \\frac{\\alpha}{2 \\sum_j s_j} \\sum_i \\lVert W_i \\rVert^2

and :func:`backward` returns its exact gradient.  Dividing by the total
weight makes the learning rate independent of the batch size, and makes a
weight of 2 the same as a repeated sample.

Every pass can write into a :class:`Workspace` (buffers made once per fit
or per prediction) and gradients into arrays the caller owns, so that a
training step allocates nothing; without them it makes fresh arrays, which
is what the gradient check and L-BFGS use.

The passes compute in the namespace ``net.xp`` (see :mod:`skvanilla._xp`):
numpy, with workspaces, or an Array API namespace on a device, where each
pass makes fresh arrays.

A stack of ``K`` networks of one architecture computes through the same
functions: every array gains a leading axis of length ``K`` -- batches
``(K, n, units)``, weights ``(K, n_in, n_out)``, biases ``(K, n_out)``,
sample weights ``(K, n)``, and ``alpha`` one value per network, a vector
in the weights' dtype (the dtype a Python float takes in their arithmetic)
-- and the objective is one value per network.  Matrix products
broadcast over that axis (numpy's ``matmul`` calls the same BLAS routine
on each network's matrices that it calls on one network's), reductions run
along the last two axes, and so each network of a stack computes exactly
what it computes alone, bit for bit.

Only numpy and the namespace adapters are imported here.
"""

import copy
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._activations import Activation, OutputActivation, identity
from ._losses import Loss
from ._xp import NUMPY


class Network(NamedTuple):
    """What a network computes: its hidden activations, output and loss, and in which namespace."""

    activations: Sequence[Activation]
    output: OutputActivation
    loss: Loss
    xp: object = NUMPY


def init_params(layer_units, factors, rng, dtype=np.float64):
    """Glorot-uniform weights and biases, drawn layer by layer.

    Layer ``i`` draws ``W_i`` then ``b_i`` uniformly from
    :math:`\\pm \\sqrt{g_i / (n_{in} + n_{out})}` with ``g_i = factors[i]``
    (6 in general, 2 for logistic units, as Glorot and Bengio suggest).  The
    post drew :math:`\\mathcal{N}(0, 1) / \\sqrt{n_{in}}` -- LeCun-normal, not
    Xavier as it says -- from numpy's global random state; here every draw
    comes from ``rng``.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input first, output last.
    factors : sequence of float
        One gain per weight matrix.
    rng : numpy.random.RandomState
    dtype : numpy dtype

    Returns
    -------
    coefs, intercepts : list of ndarray

    Examples
    --------
    >>> import numpy as np
    >>> W, b = init_params([3, 2], [6.0], np.random.RandomState(0))
    >>> W[0].shape, b[0].shape
    ((3, 2), (2,))
    """
    coefs, intercepts = [], []
    for fan_in, fan_out, factor in zip(layer_units[:-1], layer_units[1:], factors):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False))
        intercepts.append(rng.uniform(-bound, bound, fan_out).astype(dtype, copy=False))
    return coefs, intercepts


class Workspace:
    """Buffers for the passes over batches of ``n_rows`` rows (of each of ``n_models`` networks).

    Per layer ``1..L``: pre-activations ``Z``, activations ``A`` and, for
    training, deltas, (hidden layers) derivatives ``f'(z)`` and the loss's
    per-entry values ``L`` (one buffer, shaped like the output, of
    ``loss_dtype``).  Where a
    hidden layer's ``A`` may be written over its ``Z`` -- in prediction,
    or in training when the derivative can be read off ``A`` as for ReLU,
    tanh and the sigmoid, as scikit-learn does -- the two are one buffer.
    A workspace is made once per fit or prediction, never kept with a
    fitted model, and used by one thread at a time.

    Parameters
    ----------
    n_rows : int
    layer_units : sequence of int
        Units per layer, input first.
    dtype : numpy dtype
    overwrite : sequence of bool, default=()
        Per hidden layer: may ``A`` be written over ``Z``?
    backward : bool, default=True
        Also make the buffers of :func:`backward` and :func:`objective`.
    loss_dtype : numpy dtype, optional
        The dtype the loss computes in (that of the targets with ``dtype``);
        ``dtype`` when not given.
    n_models : int, optional
        For a stack of networks: every buffer gains a leading axis of this
        length.

    Examples
    --------
    >>> work = Workspace(4, [3, 5, 2], "float64", overwrite=[True])
    >>> [Z.shape for Z in work.Z], work.A[0] is work.Z[0], work.A[1] is work.Z[1]
    ([(4, 5), (4, 2)], True, False)
    >>> work.head(3).delta[1].shape
    (3, 2)
    >>> Workspace(4, [3, 5, 2], "float64", n_models=6).head(3).Z[0].shape
    (6, 3, 5)
    """

    def __init__(self, n_rows, layer_units, dtype, *, overwrite=(), backward=True,
                 loss_dtype=None, n_models=None):
        stack = () if n_models is None else (n_models,)
        shapes = [(*stack, n_rows, units) for units in layer_units[1:]]
        overwrite = [*overwrite, *[False] * len(shapes)]  # never the output layer
        self.Z = [np.empty(shape, dtype) for shape in shapes]
        self.A = [Z if over else np.empty_like(Z) for Z, over in zip(self.Z, overwrite)]
        self.delta = [np.empty(shape, dtype) for shape in shapes] if backward else None
        self.prime = [np.empty(shape, dtype) for shape in shapes[:-1]] if backward else None
        self.L = [np.empty(shapes[-1], loss_dtype or dtype)] if backward else None

    def head(self, n_rows):
        """The same buffers cut to their first ``n_rows`` rows (views; contiguous rows)."""
        head = copy.copy(self)
        for name, buffers in vars(self).items():
            if buffers is not None:
                setattr(head, name, [b[..., :n_rows, :] for b in buffers])
        return head


def forward(X, coefs, intercepts, net, *, keep=True, masks=None, work=None):
    """The forward pass (eqs. 1.3.0, 1.3.1).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    coefs, intercepts : list of ndarray
    net : Network
    keep : bool, default=True
        Return every layer's ``Z`` and ``A`` for :func:`backward`.  Prediction
        needs only the last layer and passes ``False`` (without a workspace,
        no more than two layers' activations are then alive at a time).
    masks : list of ndarray, optional
        Inverted-dropout masks, one per hidden layer; a hidden layer feeds
        ``A * mask`` to the next one.  ``As`` keeps the unmasked ``A``.
    work : Workspace, optional
        Buffers for ``X.shape[0]`` rows to write ``Z`` and ``A`` into.

    Returns
    -------
    Zs : list of ndarray
        Pre-activations of layers 1..L (only the last one if not ``keep``).
    As : list of ndarray
        Activations of layers 0..L, ``As[0] = X`` (only the last one if not
        ``keep``).
    """
    Zs, As = [], [X]
    A = X
    xp = net.xp
    n_layers = len(coefs)
    Z_out = [None] * n_layers if work is None else work.Z
    A_out = [None] * n_layers if work is None else work.A
    for i, (W, b, f) in enumerate(zip(coefs, intercepts, [*net.activations, net.output])):
        Z = xp.matmul(_layer_input(A, masks, i), W, out=Z_out[i])
        Z += b[..., None, :]  # each network's biases along its rows
        A = f.f(Z, out=A_out[i], xp=xp)
        if keep:
            Zs.append(Z)
            As.append(A)
    return (Zs, As) if keep else ([Z], [A])


def forward_z(X, coefs, intercepts, activations, xp=NUMPY):
    """The output layer's pre-activation ``Z_L`` for many rows, a block of rows at a time.

    Prediction's forward pass: the output activation is left to the caller
    (it is the identity here), which turns ``Z_L`` into labels,
    probabilities or values.  Blocks of about 2**18 values per layer keep
    each layer's output in cache and bound the memory of a prediction on
    many rows, whatever their number.  Overflows are not reported here:
    the caller checks ``Z_L``.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        Integer and boolean numpy arrays are read as float64, a block at
        a time.
    coefs, intercepts : list of ndarray
    activations : sequence of Activation
        The hidden layers'.
    xp : namespace adapter, default=NUMPY
        Outside numpy, each block makes fresh arrays (no workspace).

    Returns
    -------
    ndarray of shape (n_samples, n_outputs)
    """
    net = Network(activations, OutputActivation(identity, identity, None), None, xp)
    n_rows, n_layers = X.shape[0], len(coefs)
    integers = xp.is_numpy and X.dtype.kind in "biu"
    widths = [c.shape[1] for c in coefs] + ([X.shape[1]] if integers else [])  # + the cast rows
    block = min(n_rows, max(256, 2**18 // max(widths)))
    dtype = xp.result_type(np.float64 if integers else X.dtype, coefs[0].dtype)
    # One workspace per call, so that threads predicting at once share nothing.
    layer_units = [X.shape[1], *(c.shape[1] for c in coefs)]
    work = None
    if xp.is_numpy:
        overwrite = [True] * (n_layers - 1)
        work = Workspace(block, layer_units, dtype, overwrite=overwrite, backward=False)
        floats = np.empty((block, X.shape[1]), np.float64) if integers else None
    Z_all = xp.empty((n_rows, coefs[-1].shape[1]), dtype)
    with xp.errstate(over="ignore", invalid="ignore"):  # inf - inf may follow an overflow
        for start in range(0, n_rows, block):
            stop = min(start + block, n_rows)  # the standard leaves slices past the end undefined
            rows = X[start:stop, :]
            if integers:  # the values of X.astype(float64), without its copy
                np.copyto(floats[: stop - start], rows)
                rows = floats[: stop - start]
            in_block = work if work is None or rows.shape[0] == block else work.head(
                rows.shape[0]
            )
            (Z,), _ = forward(rows, coefs, intercepts, net, keep=False, work=in_block)
            Z_all[start:stop, :] = Z
    return Z_all


def _layer_input(A, masks, i):
    """What layer ``i`` multiplies by ``W_i``: ``A_i``, or ``A_i * mask`` under dropout."""
    return A if masks is None or i == 0 else A * masks[i - 1]


def _total_weight(n_samples, sample_weight, xp):
    """``n_samples``, or the sum of the sample weights (of each network of a stack)."""
    return n_samples if sample_weight is None else xp.sum(sample_weight, axis=-1)


def _transpose(A):
    """The transpose of a matrix, or of each matrix of a stack."""
    return A.T if A.ndim == 2 else A.mT


def _per_network(value, like, xp):
    """A scalar as it is; one value per network of a stack, shaped to broadcast over ``like``."""
    if getattr(value, "ndim", 0) == 0:
        return value
    return xp.reshape(value, (-1,) + (1,) * (like.ndim - 1))


def _penalized(alpha, xp):
    """Whether the L2 term is on: ``alpha`` is not 0 (for a stack, not 0 for every network)."""
    return bool(xp.any(alpha != 0)) if getattr(alpha, "ndim", 0) else bool(alpha)


def _squared_norm(W, xp):
    """:math:`\\lVert W \\rVert^2` as the dot product of the flattened ``W`` with itself.

    For a stack, one dot product per network: numpy's ``matmul`` of a row
    by a column is the same BLAS dot product, so each value is the one
    ``vdot`` gives the network alone.  Another namespace's ``vdot`` is a
    sum of products, which a library may split otherwise over one matrix
    than over a stack's (PyTorch splits a large sum among its threads):
    there, each network's own ``vdot``.
    """
    if W.ndim == 2:
        return xp.vdot(W, W)
    if not xp.is_numpy:
        return xp.stack([xp.vdot(W[k, ...], W[k, ...]) for k in range(W.shape[0])])
    rows = xp.reshape(W, (W.shape[0], 1, -1))
    return xp.matmul(rows, _transpose(rows))[:, 0, 0]


def objective(Zs, As, Y, coefs, net, sample_weight, alpha, work=None):
    """The batch objective ``J`` of the module docstring, from a forward cache.

    In scikit-learn's order: the loss's weighted mean, then
    :math:`(\\alpha / 2) \\sum_i \\lVert W_i \\rVert^2` (one dot product per
    layer, summed from 0) divided by the total weight.  With a workspace
    ``work``, the loss's per-entry values are written into its buffer.

    Returns
    -------
    numpy scalar, or array of shape (K,) for a stack
        In the dtype of the data (so that a finite-difference check can run
        in extended precision).
    """
    xp = net.xp
    out = None if work is None else work.L[0]
    loss = net.loss.mean(Y, Zs[-1], As[-1], sample_weight, xp=xp, out=out)
    if _penalized(alpha, xp):
        squares = 0
        for W in coefs:
            squares += _squared_norm(W, xp)
        loss += (0.5 * alpha) * squares / _total_weight(Y.shape[-2], sample_weight, xp)
    return loss


def backward(
    Zs, As, Y, coefs, net, sample_weight, alpha, masks=None, *, work=None, grads=None, flat=None,
):
    """Backpropagation: the gradient of ``J`` by the post's recursion.

    .. math::

        \\delta_L &= J'(a_L) \\odot f_L'(z_L)                  && (2.4.0) \\\\
        \\delta_i &= (\\delta_{i+1} W_i^T) \\odot f_i'(z_i)    && (2.4.1) \\\\
        \\partial J / \\partial W_i &= (a_i^T \\delta_{i+1} + \\alpha W_i)
            / \\textstyle\\sum s                                && (2.4.2) \\\\
        \\partial J / \\partial b_i &= \\textstyle\\sum_{rows} \\delta_{i+1}
            / \\textstyle\\sum s                                && (2.4.3)

    where each row of :math:`\\delta_L` is multiplied by its sample weight
    :math:`s_j`, so that weights and biases are both gradients of the same
    weighted mean (the post summed the weight gradient but averaged the bias
    gradient).  Under dropout, :math:`a_i` is the masked activation and
    :math:`\\delta_i` is multiplied by the mask as well: a dropped unit
    passes no gradient.

    Each quantity is rounded as scikit-learn's MLPs round it: the deltas
    are not scaled, the penalty is added to the products and the sum then
    divided by the total weight, and each hidden layer's derivative is
    applied as its activation's ``backprop`` says.  ``flat`` lets the caller
    do the elementwise part -- penalty and division -- over one flat
    vector, a call or two for the whole network: same operations on each
    element, same bits.

    Parameters
    ----------
    Zs, As : list of ndarray
        The cache of :func:`forward` with ``keep=True``.
    Y : ndarray of shape (n_samples, n_outputs)
        One-hot targets.
    coefs : list of ndarray
    net : Network
    sample_weight : ndarray of shape (n_samples,) or None
    alpha : float
        L2 penalty.
    masks : list of ndarray, optional
        The dropout masks the forward pass used.
    work : Workspace, optional
        Buffers for the deltas and derivatives.
    grads : (list of ndarray, list of ndarray), optional
        Arrays shaped like the weights and the biases to write the
        gradients into.
    flat : (ndarray, ndarray, ndarray, ndarray), optional
        The weights, their gradients and all the gradients, each as one
        flat vector whose views ``coefs`` and ``grads`` are, and a vector
        shaped like the weights' for :math:`\\alpha W`: the training loop's
        buffers.

    Returns
    -------
    coef_grads, intercept_grads : list of ndarray
    """
    xp = net.xp
    n_layers = len(coefs)
    deltas = [None] * n_layers if work is None else work.delta
    primes = [None] * n_layers if work is None else work.prime
    coef_grads, intercept_grads = ([None] * n_layers, [None] * n_layers) if grads is None else grads
    # Every delta below is a fresh array or a buffer of its own, so scaling
    # it in place is safe.
    delta = net.loss.delta(Y, Zs[-1], As[-1], out=deltas[-1], xp=xp)
    if sample_weight is not None:
        delta *= sample_weight[..., None]

    for i in reversed(range(n_layers)):
        A = _layer_input(As[i], masks, i)
        coef_grads[i] = xp.matmul(_transpose(A), delta, out=coef_grads[i])
        intercept_grads[i] = xp.sum(delta, axis=-2, out=intercept_grads[i])
        if i > 0:
            delta = xp.matmul(delta, _transpose(coefs[i]), out=deltas[i - 1])
            net.activations[i - 1].backprop(delta, Zs[i - 1], As[i], out=primes[i - 1], xp=xp)
            if masks is not None:
                delta *= masks[i - 1]
    total = _total_weight(Y.shape[-2], sample_weight, xp)
    weights, weight_grads, every, penalty = (
        (coefs, coef_grads, coef_grads + intercept_grads, None) if flat is None
        else ([flat[0]], [flat[1]], [flat[2]], flat[3])
    )
    if _penalized(alpha, xp):  # the L2 term of eq. 2.4.2
        for W, dW in zip(weights, weight_grads):
            dW += xp.multiply(W, _per_network(alpha, W, xp), out=penalty)
    for g in every:
        g /= _per_network(total, g, xp)
    return coef_grads, intercept_grads


def loss_and_gradients(
    X, Y, coefs, intercepts, net, sample_weight, alpha, masks=None, *, work=None, grads=None,
    flat=None,
):
    """Forward, objective and backward for one batch: what optimizers need.

    ``work``, ``grads`` and ``flat`` are passed on to :func:`forward`,
    :func:`objective` and :func:`backward`.

    Returns
    -------
    loss : float
    coef_grads, intercept_grads : list of ndarray
    """
    Zs, As = forward(X, coefs, intercepts, net, masks=masks, work=work)
    loss = objective(Zs, As, Y, coefs, net, sample_weight, alpha, work)
    grads = backward(
        Zs, As, Y, coefs, net, sample_weight, alpha, masks, work=work, grads=grads, flat=flat
    )
    return (loss, *grads)
