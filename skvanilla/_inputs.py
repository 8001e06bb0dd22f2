"""Checks of the data the estimators are given: X, y, sample weights, validation sets.

This module's one job is to turn what a user passes to ``fit``,
``partial_fit`` or a prediction into the arrays the network computes with
-- float64 or float32, C-ordered or CSR, finite, with usable weights --
or to say clearly what is wrong with it.  What ``y`` must hold beyond
that (known classes, non-negative counts) is each head's business.
"""

import numpy as np
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)


def check_total_weight(sample_weight, name="sample_weight"):
    """The objective divides by the total weight: it must be a finite, normal number."""
    with np.errstate(over="ignore"):
        total = sample_weight.sum()
    if not np.isfinite(total) or total < np.finfo(sample_weight.dtype).tiny:
        raise ValueError(
            f"{name} sums to {total}, which the loss cannot be divided by "
            "(the loss is the weighted mean); rescale the weights."
        )


def training_data(model, X, y, sample_weight, reset):
    """``X``, ``y`` and ``sample_weight`` of a fit, checked; ``reset`` on a first fit.

    ``y`` is 1-D where it has one column; it must be numbers if the model's
    ``_y_numeric`` says so.
    """
    # scikit-learn's finiteness check sums X first: with both +inf and
    # -inf that sum warns before the check raises its own clear error.
    # A model keeps the dtype of its first fit: later data is converted,
    # so that every pass computes in the dtype of the weights.
    dtype = (np.float64, np.float32) if reset else model.coefs_[0].dtype
    # Training reads X a batch of rows at a time, so X is made row-major
    # once, here: C-ordered dense rows (np.take copies a whole array that
    # is not C-contiguous at every call, so a Fortran-ordered array, a
    # DataFrame or a strided view would be copied per batch), CSR for
    # sparse X (CSC and COO rows are scattered).  A C-contiguous float
    # array is used as it is; anything else costs one copy, which integer
    # and boolean X need anyway to become float.
    with np.errstate(invalid="ignore"):
        X, y = validate_data(
            model,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            y_numeric=model._y_numeric,
            dtype=dtype,
            order="C",
            reset=reset,
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        check_total_weight(sample_weight)
    return X, y, sample_weight


def validation_data(model, X_val, y_val, sample_weight_val, dtype):
    """A validation set given to ``fit``, checked as the training data (``y_val`` raw)."""
    with np.errstate(invalid="ignore"):  # as in training_data
        X_val = validate_data(model, X_val, accept_sparse="csr", dtype=dtype, reset=False)
    y_val = np.asarray(y_val)
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = column_or_1d(y_val, warn=True)
    if len(y_val) != X_val.shape[0]:
        raise ValueError(f"X_val has {X_val.shape[0]} samples but y_val has {len(y_val)}.")
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(
            sample_weight_val, X_val, dtype=dtype, ensure_non_negative=True
        )
    return X_val, y_val, sample_weight_val


def data_to_predict(model, X):
    """``X`` for a prediction by the fitted ``model``, in a dtype of the weights' kind."""
    check_is_fitted(model)
    with np.errstate(invalid="ignore"):  # as in training_data
        # CSR: prediction slices X into blocks of rows (see forward_z),
        # which costs a pass over every entry of a CSC or COO matrix.
        return validate_data(
            model, X, accept_sparse="csr", dtype=(np.float64, np.float32), reset=False
        )
