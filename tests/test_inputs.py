"""Every input layout a user passes trains and predicts the model a C-ordered array gives.

``fit`` turns dense X into one C-ordered float array and sparse X into CSR
before training (``skvanilla._inputs.training_data``), so the layout of the input
must change nothing: not the weights, not the predictions.  How fast each
layout trains is measured by the benchmark harness's ``inputs`` workload,
never asserted here.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier

PARAMS = dict(hidden_layer_sizes=(12,), solver="sgd", batch_size=32, max_iter=3,
              learning_rate_init=0.01, random_state=0)


def fitted(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return VanillaMLPClassifier(**{**PARAMS, **params}).fit(X, y)


@pytest.fixture(scope="module")
def digits():
    """load_digits()'s X as it comes: a strided view of its whole table, integer-valued."""
    X, y = load_digits(return_X_y=True)
    assert not X.flags.c_contiguous and not X.flags.f_contiguous
    return X[:400], y[:400]


DENSE_LAYOUTS = {
    "fortran": np.asfortranarray,
    "strided_rows": lambda X: np.repeat(X, 2, axis=0)[::2],
    "strided_columns": lambda X: np.hstack([X, X])[:, : X.shape[1]],
    "dataframe": pd.DataFrame,
    "int64": lambda X: X.astype(np.int64),
    "uint8": lambda X: X.astype(np.uint8),
    "int_dataframe": lambda X: pd.DataFrame(X.astype(np.int32)),
}


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("layout", list(DENSE_LAYOUTS))
def test_dense_layouts_train_the_c_ordered_model(digits, layout, solver):
    X, y = digits
    reference = fitted(np.ascontiguousarray(X), y, solver=solver)
    X_layout = DENSE_LAYOUTS[layout](X)
    clf = fitted(X_layout, y, solver=solver)
    for mine, theirs in zip(clf.coefs_ + clf.intercepts_,
                            reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(mine, theirs)
    # Prediction reads X where it lies (no copy): BLAS may add a Fortran-ordered
    # block's products in another order, so the outputs agree to rounding.
    np.testing.assert_allclose(
        clf.predict_proba(X_layout), reference.predict_proba(X), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_array_equal(clf.predict(X_layout), reference.predict(X))


def test_boolean_input_is_its_zeros_and_ones(digits):
    X, y = digits
    mask = X > 7
    clf = fitted(mask, y)
    reference = fitted(mask.astype(np.float64), y)
    np.testing.assert_array_equal(clf.coefs_[0], reference.coefs_[0])
    np.testing.assert_array_equal(clf.predict_proba(mask), reference.predict_proba(mask))


def test_float32_dataframe_trains_in_float32_like_a_c_ordered_array(digits):
    X, y = digits
    X32 = X.astype(np.float32)
    clf = fitted(pd.DataFrame(X32), y)
    reference = fitted(np.ascontiguousarray(X32), y)
    assert clf.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(clf.coefs_[0], reference.coefs_[0])


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("kind", [sp.csr_matrix, sp.csr_array])
def test_sparse_formats_train_one_model(digits, fmt, kind):
    X, y = digits
    reference = fitted(sp.csr_matrix(X), y)
    X_sparse = kind(X).asformat(fmt)
    clf = fitted(X_sparse, y)
    for mine, theirs in zip(clf.coefs_, reference.coefs_):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(
        clf.predict_proba(X_sparse), reference.predict_proba(sp.csr_matrix(X))
    )
    # Sparse and dense products add in different orders: equal to rounding.
    dense = fitted(np.ascontiguousarray(X), y)
    np.testing.assert_allclose(clf.coefs_[0], dense.coefs_[0], rtol=1e-9, atol=1e-12)


def test_the_caller_s_array_is_never_written_to(digits):
    X, y = digits
    X_f = np.asfortranarray(X)
    before = X_f.copy()
    X_f.setflags(write=False)
    fitted(X_f, y)
    np.testing.assert_array_equal(X_f, before)
