"""Checks of the data the estimators are given: X, y, sample weights, validation sets.

This module's one job is to turn what a user passes to ``fit``,
``partial_fit`` or a prediction into the arrays the network computes with
-- float64 or float32, C-ordered or CSR (or integers, which the passes
read as floats a batch at a time), finite, with usable weights --
or to say clearly what is wrong with it.  What ``y`` must hold beyond
that (known classes, non-negative counts) is each head's business.

Under ``sklearn.set_config(array_api_dispatch=True)``, ``X`` of another
namespace than numpy (PyTorch, CuPy, ``array_api_strict``) is checked where
it lies, on its device, and stays there; ``y`` and the sample weights are
brought to the host (numpy), where the labels are encoded and the class
weights computed, once per call.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.externals import array_api_compat
from sklearn.utils._array_api import get_namespace_and_device, move_to
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._xp import NUMPY, ArrayAPI


def namespace_of(X):
    """The adapter of the namespace ``X`` computes in: :data:`NUMPY`, or an :class:`ArrayAPI`.

    numpy whenever scikit-learn's ``array_api_dispatch`` is off (other arrays
    are then converted to numpy, as scikit-learn does), and for numpy
    arrays, lists, DataFrames and scipy's sparse matrices.
    """
    if not get_config()["array_api_dispatch"] or sp.issparse(X) or isinstance(X, np.ndarray):
        return NUMPY
    xp, _, device = get_namespace_and_device(X)
    if xp.__name__.split(".")[-1] == "numpy":
        return NUMPY
    if getattr(X, "layout", None) is not None and "sparse" in str(X.layout):
        raise TypeError(
            "X is a sparse PyTorch tensor: sparse input is supported with scipy.sparse "
            "matrices (numpy), not with sparse arrays of other namespaces. Pass a dense "
            "tensor, or a scipy.sparse matrix."
        )
    return ArrayAPI(xp, device)


def _values(X):
    """``X`` without autograd's record: a PyTorch tensor that requires grad, detached.

    The estimator computes its own gradients and gives none back to autograd;
    its in-place steps (``out=``) are refused on a tensor that records them.
    """
    return X.detach() if getattr(X, "requires_grad", False) else X


def namespace_of_weights(array):
    """The adapter of a fitted model's weights, whatever the configuration."""
    if isinstance(array, np.ndarray):
        return NUMPY
    return ArrayAPI(array_api_compat.array_namespace(array), array_api_compat.device(array))


def to_host(a):
    """``a`` (of any namespace, or a list) as numpy, on the host; ``None`` stays ``None``."""
    if a is None or isinstance(a, np.ndarray) or sp.issparse(a):
        return a
    if hasattr(a, "__dlpack__") or hasattr(a, "__array_namespace__"):
        return move_to(_values(a), xp=np, device="cpu")
    return a


def check_same_namespace(model, X, method, name="X"):
    """The namespace of ``X`` must be that of the model's weights; returns its adapter.

    ``name`` is what the error calls ``X`` (``X_val`` for a validation set).
    """
    xp, fitted = namespace_of(X), model._namespace()
    if xp != fitted:
        off = "" if get_config()["array_api_dispatch"] else (
            f" (array_api_dispatch is off, so {name} is read as numpy)"
        )
        raise ValueError(
            f"Inputs passed to {type(model).__name__}.{method}() must use the same "
            f"namespace and the same device as those passed to fit(): the model holds "
            f"{_describe(fitted)} arrays, {name} is {_describe(xp)}{off}. Move the model with "
            f"model.to_namespace(xp, device), or pass {name} there."
        )
    return xp


def _describe(xp):
    if xp.is_numpy:
        return "numpy"
    return f"{xp.name} (device {xp.device})"


def check_total_weight(sample_weight, name="sample_weight"):
    """The objective divides by the total weight: it must be a finite, normal number."""
    with np.errstate(over="ignore"):
        total = sample_weight.sum()
    if not np.isfinite(total) or total < np.finfo(sample_weight.dtype).tiny:
        raise ValueError(
            f"{name} sums to {total}, which the loss cannot be divided by "
            "(the loss is the weighted mean); rescale the weights."
        )


def training_data(model, X, y, sample_weight, reset, xp=NUMPY):
    """``X``, ``y`` and ``sample_weight`` of a fit, checked; ``reset`` on a first fit.

    Returns ``(X, y, sample_weight, dtype)``: ``dtype`` is the float dtype
    the network computes in, that of the model's weights.  ``X`` is of
    that dtype, or an integer or boolean numpy array (see
    :func:`is_integer_array`), which training casts a batch at a time.
    ``y`` is 1-D where it has one column; it must be numbers if the model's
    ``_y_numeric`` says so.  With ``xp`` another namespace than numpy, ``X``
    stays in it, on its device, and ``y`` and ``sample_weight`` come back
    as numpy arrays.
    """
    if not xp.is_numpy:
        return _training_data_array_api(model, X, y, sample_weight, reset, xp)
    # A model keeps the dtype of its first fit: later data is converted,
    # so that every pass computes in the dtype of the weights.
    fitted = None if reset else model.coefs_[0].dtype
    floats = (np.float64, np.float32) if fitted is None else fitted
    # Training reads X a batch of rows at a time, so X is made row-major
    # once, here: C-ordered dense rows (np.take copies a whole array that
    # is not C-contiguous at every call, so a Fortran-ordered array, a
    # DataFrame or a strided view would be copied per batch), CSR for
    # sparse X (CSC and COO rows are scattered).  A C-contiguous array is
    # used as it is; an integer or boolean one too, and not made float
    # whole: a float64 copy would take eight bytes a value (uint8 or bool
    # takes one) and fresh memory, while a batch is cast in a few
    # microseconds.  scikit-learn's finiteness check sums X first: with
    # both +inf and -inf that sum warns before the check raises its own
    # clear error.
    integers = is_integer_array(X)
    with np.errstate(invalid="ignore"):
        X, y = validate_data(
            model,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            y_numeric=model._y_numeric,
            dtype=None if integers else floats,
            order="C",
            reset=reset,
        )
    dtype = X.dtype if not integers else np.dtype(np.float64 if fitted is None else fitted)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=dtype, ensure_non_negative=True
        )
        check_total_weight(sample_weight)
    return X, y, sample_weight, dtype


def is_integer_array(X):
    """Is ``X`` a numpy array of integers or booleans?

    Such an array is read as float64 (or as the float dtype of a fitted
    model) a batch or block of rows at a time, never converted whole: the
    values the network sees are those of ``X.astype(dtype)``, without the
    memory of that copy.

    Examples
    --------
    >>> import numpy as np
    >>> is_integer_array(np.ones((2, 2), dtype=np.uint8)), is_integer_array(np.ones((2, 2)))
    (True, False)
    """
    return isinstance(X, np.ndarray) and X.dtype.kind in "biu"


def _training_data_array_api(model, X, y, sample_weight, reset, xp):
    """:func:`training_data` for ``X`` of the namespace ``xp``."""
    floats = (xp.float64, xp.float32) if reset else model.coefs_[0].dtype
    X, y = validate_data(
        model, _values(X), to_host(y), multi_output=True, y_numeric=model._y_numeric, dtype=floats,
        order="C", reset=reset,
    )
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            to_host(sample_weight), X, dtype=X.dtype, ensure_non_negative=True
        )
        sample_weight = xp.to_host(sample_weight)
        check_total_weight(sample_weight)
    return X, y, sample_weight, X.dtype


def validation_data(model, X_val, y_val, sample_weight_val, dtype, xp=NUMPY):
    """A validation set given to ``fit``, checked as the training data (``y_val`` raw).

    ``X_val`` must be of the namespace ``xp`` of the training data.
    """
    if not xp.is_numpy:
        check_same_namespace(model, X_val, "fit", name="X_val")
    with np.errstate(invalid="ignore"):  # as in training_data
        X_val = validate_data(model, _values(X_val), accept_sparse="csr", dtype=dtype, reset=False)
    y_val = np.asarray(to_host(y_val))
    if y_val.ndim not in (1, 2):  # else the model's own check of y names the wrong problem
        raise ValueError(
            f"y_val must be 1-D or 2-D (n_samples, n_outputs), got an array of shape {y_val.shape}."
        )
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = column_or_1d(y_val, warn=True)
    if len(y_val) != X_val.shape[0]:
        raise ValueError(f"X_val has {X_val.shape[0]} samples but y_val has {len(y_val)}.")
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(
            to_host(sample_weight_val), X_val, dtype=dtype, ensure_non_negative=True
        )
        sample_weight_val = xp.to_host(sample_weight_val)
    return X_val, y_val, sample_weight_val


def data_to_predict(model, X, method="predict", integers=False):
    """``X`` for a prediction by the fitted ``model``, in a dtype of the weights' kind.

    ``X`` must be of the namespace and on the device of the weights.  With
    ``integers``, an integer or boolean numpy array stays as it is (the
    caller, :func:`~skvanilla._network.forward_z`, casts a block of rows at
    a time); else it is made float64.
    """
    check_is_fitted(model)
    xp = check_same_namespace(model, X, method)
    floats = (np.float64, np.float32) if xp.is_numpy else (xp.float64, xp.float32)
    if integers and is_integer_array(X):
        floats = None
    with np.errstate(invalid="ignore"):  # as in training_data
        # CSR: prediction slices X into blocks of rows (see forward_z),
        # which costs a pass over every entry of a CSC or COO matrix.
        return validate_data(model, _values(X), accept_sparse="csr", dtype=floats, reset=False)
