"""Between class labels and the network's output units.

Training needs targets as one-hot rows, which the post "Programming a neural
network from scratch" (Ritchie Vink, 2017) built by hand with
``np.eye(10)[y]``; prediction needs the way back, from the output layer's
pre-activation ``Z`` to labels and class probabilities.  Three kinds of
target are handled:

``"binary"``
    two classes; one logistic unit (``P(classes_[1])``), or two softmax units.
``"multiclass"``
    ``K > 2`` classes, one unit each.
``"multilabel"``
    an indicator matrix of ``K`` independent labels, one logistic unit each.

Prediction computes in the namespace ``xp`` of the model (numpy by
default; see :mod:`skvanilla._xp`); the labels of a model fitted on another
namespace are numbers on its device, or, for labels that namespace cannot
hold (strings), a numpy array.

Only numpy and the namespace adapters are imported here.
"""

import numpy as np

from ._activations import log_logistic, log_softmax, logistic, softmax
from ._xp import NUMPY


def n_output_units(kind, n_classes, out_activation):
    """How many output units a target needs."""
    if kind == "binary" and out_activation == "logistic":
        return 1
    return n_classes


def one_hot(y, classes, kind, n_outputs, dtype):
    """Encode labels as the network's targets, one row per sample.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels, all of them in ``classes`` (an indicator matrix if multilabel).
    classes : ndarray, sorted
    kind : {"binary", "multiclass", "multilabel"}
    n_outputs : int
    dtype : numpy dtype

    Returns
    -------
    Y : ndarray of shape (n_samples, n_outputs)

    Examples
    --------
    >>> import numpy as np
    >>> one_hot(np.array(["b", "a", "c"]), np.array(["a", "b", "c"]), "multiclass", 3, float)
    array([[0., 1., 0.],
           [1., 0., 0.],
           [0., 0., 1.]])
    """
    if kind == "multilabel":
        return np.asarray(y, dtype=dtype)
    index = np.searchsorted(classes, y)
    if n_outputs == 1:
        return index.astype(dtype).reshape(-1, 1)
    return np.eye(n_outputs, dtype=dtype)[index]


def decode(Z, classes, kind, xp=NUMPY):
    """Predicted labels from the output pre-activation.

    Every output function is increasing, so the most probable class is the
    largest ``z``; a sigmoid unit says yes when ``z > 0`` (``p > 1/2``).
    """
    if kind == "multilabel":
        return xp.astype(Z > 0, xp.int64)
    if Z.shape[1] == 1:
        return _labels_at(classes, xp.astype(Z[:, 0] > 0, xp.int64), xp)
    return _labels_at(classes, xp.argmax(Z, axis=1), xp)


def _labels_at(classes, index, xp):
    """``classes[index]``: on the device for numeric labels, on the host for others.

    Unsigned labels wider than a byte are gathered on the host and then moved:
    PyTorch holds such arrays but cannot index them.
    """
    if xp.is_numpy:
        return classes[index]
    if classes.dtype.kind in "biuf" and not (classes.dtype.kind == "u" and classes.itemsize > 1):
        return xp.take(xp.from_host(classes), index, axis=0)
    labels = classes[xp.to_host(index)]
    return xp.from_host(labels) if labels.dtype.kind in "biuf" else labels


def log_proba(Z, kind, out_activation, xp=NUMPY):
    """Log-probabilities of each class, computed from ``Z`` directly.

    A single logistic unit gives ``[log sigma(-z), log sigma(z)]``.  Several
    logistic units for mutually exclusive classes (that post's output layer)
    are one-vs-rest scores; they are normalised to sum to one, in log space.

    Values are exact down to the log of the smallest normal float (about
    -708 in float64, -87 in float32) and held there, at the same bounds as
    :func:`proba`: below it a probability is not representable, and the two
    methods must rank classes alike.
    """
    L = _log_proba(Z, kind, out_activation, xp)
    info = np.finfo(xp.numpy_dtype(L.dtype))
    return _clip(L, np.log(info.tiny), np.log1p(-info.epsneg), xp)


def _clip(A, low, high, xp):
    """``A`` held in ``[low, high]``, in place."""
    if xp.is_numpy:
        return np.clip(A, low, high, out=A)
    return xp.clip(A, float(low), float(high))


def _log_proba(Z, kind, out_activation, xp):
    if out_activation == "softmax":
        return log_softmax(Z, xp)
    if Z.shape[1] == 1:
        return xp.concat([log_logistic(-Z, xp), log_logistic(Z, xp)], axis=1)
    L = log_logistic(Z, xp)
    if kind == "multilabel":
        return L
    return log_softmax(L, xp)  # log(p_k / sum_j p_j) with p = sigma(z)


def proba(Z, kind, out_activation, xp=NUMPY):
    """Probabilities of each class; rows sum to one unless multilabel.

    A logistic or softmax output is never exactly 0 or 1, so neither are
    these: values that round to 0 or 1 are moved to the nearest float
    inside the interval, which keeps ``log(proba)`` finite and within
    rounding of :func:`log_proba`.  ``Z`` is consumed where it can hold the
    result (prediction hands over an array of its own), which saves a second
    array as large on many rows.
    """
    P = _proba(Z, kind, out_activation, xp)
    info = np.finfo(xp.numpy_dtype(P.dtype))
    return _clip(P, info.tiny, 1 - info.epsneg, xp)


def _proba(Z, kind, out_activation, xp):
    if out_activation == "softmax":
        return softmax(Z, out=Z, xp=xp)
    if Z.shape[1] == 1:
        return xp.concat([logistic(-Z, xp=xp), logistic(Z, xp=xp)], axis=1)
    if kind == "multilabel":
        return logistic(Z, out=Z, xp=xp)
    # p_k / sum_j p_j through log space: every sigma(z_k) may underflow to 0.
    return softmax(log_logistic(Z, xp), xp=xp)
