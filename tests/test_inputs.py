"""Every input layout a user passes trains and predicts the model a C-ordered array gives.

``fit`` turns dense float X into one C-ordered array and sparse X into CSR
before training, and reads integer and boolean X a batch at a time as floats
(``skvanilla._inputs.training_data``), so the layout of the input must change
nothing: not the weights, not the predictions.  How fast each
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


INTEGER_FITS = {
    "unshuffled": dict(shuffle=False),
    "dropout": dict(dropout=0.3),
    "early_stopping": dict(early_stopping=True, validation_fraction=0.2, max_iter=4),
    "partial_fit": dict(),
}


@pytest.mark.parametrize("case", list(INTEGER_FITS))
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.bool_])
def test_integer_input_trains_as_its_float64_values(digits, case, dtype):
    """Integer and boolean X is cast a batch at a time: the weights of ``X.astype(float64)``."""
    X, y = digits
    X_int = (X > 7) if dtype is np.bool_ else X.astype(dtype)
    weights = np.arange(len(y)) % 3  # some rows weightless
    params = INTEGER_FITS[case]
    models = []
    for X_in in (X_int, X_int.astype(np.float64)):
        clf = VanillaMLPClassifier(**{**PARAMS, **params})
        if case == "partial_fit":
            for half in (slice(0, 200), slice(200, None)):
                clf.partial_fit(X_in[half], y[half], classes=np.unique(y))
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X_in, y, sample_weight=weights)
        models.append(clf)
    mine, reference = models
    assert mine.coefs_[0].dtype == np.float64
    for a, b in zip(mine.coefs_ + mine.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(mine.loss_curve_, reference.loss_curve_)
    if case == "early_stopping":
        np.testing.assert_array_equal(mine.validation_scores_, reference.validation_scores_)
    np.testing.assert_array_equal(
        mine.predict_proba(X_int), reference.predict_proba(X_int.astype(np.float64))
    )


FLOAT32_CONTINUATIONS = {
    "partial_fit_dropout": dict(dropout=0.2),
    "warm_start_early_stopping": dict(warm_start=True, early_stopping=True, max_iter=2),
    "warm_start_lbfgs": dict(warm_start=True, solver="lbfgs", max_iter=2),
}


@pytest.mark.parametrize("case", list(FLOAT32_CONTINUATIONS))
def test_a_float32_model_reads_integers_as_float32(digits, case):
    """Integers past 2**24 round in float32: a float32 model trains on the rounded values.

    Its dropout masks and its validation split, hashed from the values, are
    those of the rounded values too; L-BFGS's one conversion is to float32.
    A prediction reads integers in float64, as a whole conversion of the
    array does, whatever their width.
    """
    X, y = digits
    X_big = X.astype(np.int64) * (2**24 + 1) // 16  # most of them not float32 numbers
    assert not np.array_equal(X_big.astype(np.float32).astype(np.int64), X_big)
    params = {**PARAMS, "learning_rate_init": 1e-12, **FLOAT32_CONTINUATIONS[case]}
    models = []
    for X_in in (X_big, X_big.astype(np.float32)):
        clf = VanillaMLPClassifier(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit((X / 16).astype(np.float32), y)
            if case == "partial_fit_dropout":
                clf.partial_fit(X_in, y)
            else:
                clf.fit(X_in, y)
        models.append(clf)
    mine, reference = models
    assert mine.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(mine.coefs_[0], reference.coefs_[0])
    if case == "warm_start_early_stopping":
        np.testing.assert_array_equal(mine.validation_scores_, reference.validation_scores_)
    X_small = X.astype(np.uint8)
    np.testing.assert_array_equal(
        mine.predict_proba(X_small), mine.predict_proba(X_small.astype(np.float64))
    )


@pytest.mark.parametrize(
    "params",
    [dict(dropout=0.2), dict(early_stopping=True), dict(solver="lbfgs"), dict(validation=True)],
    ids=["dropout", "early_stopping", "lbfgs", "given_validation_set"],
)
def test_integers_train_a_network_without_hidden_layers(digits, params):
    """With no hidden layer the weights are a single array: integers still read as floats."""
    X, y = digits
    params = dict(params)
    given = params.pop("validation", False)
    models = []
    for X_in in (X.astype(np.uint8), X):
        extra = dict(X_val=X_in[:50], y_val=y[:50]) if given else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            models.append(
                VanillaMLPClassifier(**{**PARAMS, "hidden_layer_sizes": (), **params}).fit(
                    X_in, y, **extra
                )
            )
    mine, reference = models
    np.testing.assert_array_equal(mine.coefs_[0], reference.coefs_[0])
    np.testing.assert_array_equal(mine.loss_curve_, reference.loss_curve_)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_integer_input_is_never_copied_whole_as_floats(solver):
    """A uint8 X of 2 MB would be a float64 copy of 16 MB: fit and predict stay far below.

    numpy reports its arrays' memory to tracemalloc, so the peak counts
    every array made during the call.
    """
    import tracemalloc

    rng = np.random.RandomState(0)
    X = rng.randint(0, 256, size=(4000, 500)).astype(np.uint8)
    y = rng.randint(0, 3, size=4000)
    float_copy = X.size * 8

    def peak_memory(call):
        tracemalloc.start()
        try:
            result = call()
            return result, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    clf, peak_fit = peak_memory(lambda: fitted(X, y, solver=solver, max_iter=1))
    _, peak_predict = peak_memory(lambda: clf.predict_proba(X))
    assert peak_fit < float_copy / 4, (peak_fit, float_copy)
    assert peak_predict < float_copy / 4, (peak_predict, float_copy)


def test_the_regressor_reads_integers_as_their_float64_values(digits):
    from skvanilla import VanillaMLPRegressor

    X, y = digits
    X_int = X.astype(np.uint8)
    models = [
        VanillaMLPRegressor(**{**PARAMS, "dropout": 0.1}).partial_fit(X_in, y / 9.0)
        for X_in in (X_int, X_int.astype(np.float64))
    ]
    np.testing.assert_array_equal(models[0].coefs_[0], models[1].coefs_[0])
    np.testing.assert_array_equal(models[0].predict(X_int), models[1].predict(X))


@pytest.mark.parametrize("kind", [sp.csr_matrix, sp.csr_array])
def test_sparse_prediction_in_blocks_of_rows_is_the_dense_one(kind):
    """A wide layer makes prediction take 256 rows a block: 700 rows are three blocks.

    Each block is a slice of the CSR matrix; the predictions are the dense
    array's, to rounding.
    """
    rng = np.random.RandomState(0)
    X = rng.randn(700, 30) * (rng.rand(700, 30) < 0.3)
    y = rng.randint(0, 3, 700)
    clf = fitted(X, y, hidden_layer_sizes=(2048,), max_iter=1)
    np.testing.assert_allclose(
        clf.predict_proba(kind(X)), clf.predict_proba(X), rtol=1e-12, atol=1e-15
    )
