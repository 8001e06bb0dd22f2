"""Hypothesis strategies for hostile inputs, each case with what must come of it.

A :class:`Case` is a call on the estimator -- ``fit``, ``partial_fit``, or a
prediction method on a fitted model -- with its data, and the outcome the
contract asks for: ``"fit"`` (it must succeed, with finite outputs),
``"either"`` (success with finite outputs, or a clear error), or
``"reject"`` (a ``ValueError``/``TypeError``).  Every error must match the
case's ``names`` pattern: the message has to name the problem, not merely
be an exception.

The strategies draw the shapes, values, dtypes and solvers, so the same
category is tried on many concrete inputs; :func:`case_key` tells distinct
cases apart for the count reported at the end of the run.
"""

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SOLVERS = ["adam", "sgd", "lbfgs"]
SPARSE_FORMATS = ["csr", "csc", "coo", "bsr", "lil", "dok", "dia"]
CLEAN_DTYPES = [
    np.float64, np.float32, np.float16, np.int8, np.int32, np.int64, np.uint8, np.bool_
]

# What an error about each kind of problem must say.
NAMES_NAN = r"NaN"
NAMES_INF = r"infinity"
NAMES_SCALE = r"diverged|non-finite|overflow|[Ss]cale"


@dataclass
class Case:
    """One hostile call and the outcome it must have."""

    category: str
    method: str  # "fit", "partial_fit", or a prediction method
    X: object
    y: object = None
    sample_weight: object = None
    params: dict = field(default_factory=dict)
    expect: str = "reject"  # "fit", "either" or "reject"
    names: str = ""  # regex an error message must match
    fit_kwargs: dict = field(default_factory=dict)  # X_val, y_val, sample_weight_val


# --------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------

finite_values = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def matrices(draw, min_rows=2, max_rows=25, min_cols=1, max_cols=5):
    """A moderate float64 matrix."""
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(min_cols, max_cols))
    return draw(hnp.arrays(np.float64, (n, d), elements=finite_values))


@st.composite
def labels(draw, n, min_classes=2):
    """Labels for ``n`` samples with at least ``min_classes`` distinct values."""
    k = draw(st.integers(min_classes, max(min_classes, min(n, 4))))
    kind = draw(st.sampled_from(["int", "str", "float", "bool"]))
    base = np.arange(n) % k
    order = draw(st.permutations(range(n)))
    base = base[np.asarray(order, dtype=int)]
    if kind == "str":
        return np.array([f"class_{i}" for i in base])
    if kind == "float":
        return base.astype(float) * 2.0  # integral floats are class labels
    if kind == "bool" and k == 2:
        return base.astype(bool)
    return base


@st.composite
def estimator_params(draw):
    return {
        "solver": draw(st.sampled_from(SOLVERS)),
        "hidden_layer_sizes": draw(st.sampled_from([(3,), (4, 2)])),
        "activation": draw(st.sampled_from(["relu", "tanh", "logistic", "identity"])),
        "max_iter": draw(st.integers(1, 3)),
        "random_state": draw(st.integers(0, 3)),
    }


def _scatter(draw, X, value):
    """``X`` as float64 with ``value`` at one or more drawn positions."""
    X = np.array(X, dtype=np.float64)
    flat = X.reshape(-1)
    picks = draw(st.lists(st.integers(0, flat.size - 1), min_size=1, max_size=3))
    flat[picks] = value
    return X


# --------------------------------------------------------------------------
# Training data: X
# --------------------------------------------------------------------------


@st.composite
def x_cases(draw):
    """A hostile (or merely unusual) ``X`` with good labels."""
    category = draw(
        st.sampled_from(
            [
                "clean_dtype", "nan", "inf", "near_max", "subnormal", "empty",
                "zero_features", "constant_columns", "duplicate_columns", "object_floats",
                "object_none", "numeric_strings", "word_strings", "complex", "ragged",
                "one_dimensional", "three_dimensional", "sparse", "sparse_nan",
                "pandas_nan", "pandas_nullable_na", "pandas_clean",
            ]
        )
    )
    X = draw(matrices())
    y = draw(labels(X.shape[0]))
    n, d = X.shape
    if category == "clean_dtype":
        dtype = draw(st.sampled_from(CLEAN_DTYPES))
        with np.errstate(invalid="ignore", over="ignore"):
            # Integer dtypes wrap the drawn floats; any values will do.
            X = X.astype(dtype)
        return category, X, y, "fit", ""
    if category == "nan":
        return category, _scatter(draw, X, np.nan), y, "reject", NAMES_NAN
    if category == "inf":
        value = draw(st.sampled_from([np.inf, -np.inf]))
        X = _scatter(draw, X, value)
        if draw(st.booleans()):
            X = _scatter(draw, X, -value)  # both signs: inf - inf inside the check
        return category, X, y, "reject", NAMES_INF
    if category == "near_max":
        dtype = draw(st.sampled_from([np.float64, np.float32]))
        limit = float(np.finfo(dtype).max)
        scale = draw(st.sampled_from([limit, limit / 10, np.sqrt(limit), min(1e300, limit)]))
        X = (np.clip(X, -1, 1) * scale).astype(dtype)
        return category, X, y, "either", NAMES_SCALE
    if category == "subnormal":
        X = np.clip(X, -1, 1) * np.finfo(np.float64).smallest_subnormal * 7
        return category, X, y, "fit", ""
    if category == "empty":
        return category, np.empty((0, d)), y[:0], "reject", r"0 sample"
    if category == "zero_features":
        return category, np.empty((n, 0)), y, "reject", r"0 feature"
    if category == "constant_columns":
        X[:, draw(st.integers(0, d - 1)) :] = draw(finite_values)
        return category, X, y, "fit", ""
    if category == "duplicate_columns":
        return category, np.hstack([X, X[:, :1], X]), y, "fit", ""
    if category == "object_floats":
        return category, X.astype(object), y, "fit", ""
    if category == "object_none":
        X = X.astype(object)
        X[draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))] = None
        return category, X, y, "reject", NAMES_NAN
    if category == "numeric_strings":
        return category, X.astype(str), y, "fit", ""
    if category == "word_strings":
        X = X.astype(str).astype(object)
        X[draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))] = draw(
            st.sampled_from(["abc", "", "1,5", "NaN?", "∞"])
        )
        return category, X, y, "reject", r"could not convert string"
    if category == "complex":
        X = X + 1j * draw(st.floats(0.5, 2))
        return category, X, y, "reject", r"Complex data"
    if category == "ragged":
        rows = [list(r) for r in X]
        rows[draw(st.integers(0, n - 1))].append(1.0)
        return category, rows, y, "reject", r"inhomogeneous|sequence"
    if category == "one_dimensional":
        return category, X[:, 0], y, "reject", r"Expected 2D array"
    if category == "three_dimensional":
        return category, X[:, :, None], y, "reject", r"dim 3"
    if category in ("sparse", "sparse_nan"):
        fmt = draw(st.sampled_from(SPARSE_FORMATS))
        kind = draw(st.sampled_from([sp.csr_matrix, sp.csr_array]))
        if category == "sparse":
            return category, kind(X).asformat(fmt), y, "fit", ""
        X[X == 0] = 1.0  # keep the NaN an explicit entry in every format
        return category, kind(_scatter(draw, X, np.nan)).asformat(fmt), y, "reject", NAMES_NAN
    columns = [f"f{i}" for i in range(d)]
    if category == "pandas_nan":
        return category, pd.DataFrame(_scatter(draw, X, np.nan), columns=columns), y, (
            "reject"
        ), NAMES_NAN
    if category == "pandas_nullable_na":
        frame = pd.DataFrame(X, columns=columns).astype("Float64")
        frame.iloc[draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))] = pd.NA
        return category, frame, y, "reject", NAMES_NAN
    return category, pd.DataFrame(X, columns=columns), y, "fit", ""


# --------------------------------------------------------------------------
# Training data: y, lengths and sample weights
# --------------------------------------------------------------------------


@st.composite
def y_cases(draw):
    """Good ``X`` with hostile labels."""
    X = draw(matrices(min_rows=3))  # three rows: a third class for multioutput
    n = X.shape[0]
    category = draw(
        st.sampled_from(
            [
                "one_sample", "one_class", "more_classes_than_samples", "y_nan", "y_inf",
                "y_continuous", "y_mixed_types", "y_none_label", "y_complex", "y_none",
                "y_mismatched_length", "y_column_vector", "y_multilabel",
                "y_multiclass_multioutput",
            ]
        )
    )
    y = draw(labels(n))
    if category == "one_sample":
        return category, X[:1], y[:1], "reject", r"1 class"
    if category == "one_class":
        return category, X, np.full(n, y[0]), "reject", r"1 class"
    if category == "more_classes_than_samples":
        X = X[: draw(st.integers(2, 4))]
        return category, X, np.arange(len(X)) * 7, "fit", ""
    if category == "y_nan":
        return category, X, _scatter(draw, np.arange(n) % 2, np.nan), "reject", NAMES_NAN
    if category == "y_inf":
        return category, X, _scatter(draw, np.arange(n) % 2, np.inf), "reject", NAMES_INF
    if category == "y_continuous":
        y = np.linspace(0, 1, n) + draw(st.floats(0.01, 0.4))
        return category, X, y, "reject", r"label type|continuous"
    if category == "y_mixed_types":
        y = np.array([["a", 1][i % 2] for i in range(n)], dtype=object)
        y = np.roll(y, draw(st.integers(0, 1)))
        return category, X, y, "reject", r"label"
    if category == "y_none_label":
        y = np.array([["a", None][i % 2] for i in range(n)], dtype=object)
        y = np.roll(y, draw(st.integers(0, 1)))
        return category, X, y, "reject", r"label"
    if category == "y_complex":
        return category, X, (np.arange(n) % 2) + 1j, "reject", r"Complex"
    if category == "y_none":
        return category, X, None, "reject", r"requires y"
    if category == "y_mismatched_length":
        cut = draw(st.integers(1, n - 1))
        return category, X, y[: n - cut], "reject", r"inconsistent numbers of samples"
    if category == "y_column_vector":
        return category, X, y.reshape(-1, 1), "fit", ""
    if category == "y_multilabel":
        Y = np.column_stack([np.arange(n) % 2, np.arange(n) // 2 % 2])
        return category, X, Y, "fit", ""
    Y = np.column_stack([np.arange(n) % 3, np.arange(n) % 2])
    return category, X, Y, "reject", r"label type|multiclass-multioutput"


def _total_verdict(weights):
    """What the estimator must do with these non-negative weights, from their values.

    The loss is the weighted mean: it divides by the total weight, so a
    total that overflows, or one too small to divide by (below the smallest
    normal float, or zero), must be refused with a message naming it.
    """
    with np.errstate(over="ignore"):
        total = np.sum(weights, dtype=np.float64)
    if not np.isfinite(total) or total < np.finfo(np.float64).tiny:
        return "reject", r"sample_weight|Sample weights|class_weight"
    return "fit", ""


@st.composite
def sample_weight_cases(draw):
    """Good data with hostile sample weights."""
    X = draw(matrices())
    n = X.shape[0]
    y = draw(labels(n))
    category = draw(
        st.sampled_from(
            [
                "sw_negative", "sw_wrong_length", "sw_nan", "sw_inf", "sw_all_zero",
                "sw_two_dimensional", "sw_strings", "sw_complex", "sw_overflowing_sum",
                "sw_subnormal", "sw_scalar", "sw_one_nonzero", "sw_object_floats",
            ]
        )
    )
    w = draw(hnp.arrays(np.float64, n, elements=st.floats(0.1, 5)))
    if category == "sw_negative":
        w[draw(st.integers(0, n - 1))] = -draw(st.floats(1e-6, 10))
        return category, X, y, w, "reject", r"Negative"
    if category == "sw_wrong_length":
        extra = draw(st.sampled_from([-1, 1, 5]))
        w = np.ones(max(n + extra, 0))
        return category, X, y, w, "reject", r"sample_weight"
    if category == "sw_nan":
        return category, X, y, _scatter(draw, w, np.nan), "reject", NAMES_NAN
    if category == "sw_inf":
        return category, X, y, _scatter(draw, w, np.inf), "reject", NAMES_INF
    if category == "sw_all_zero":
        return category, X, y, np.zeros(n), "reject", r"non-zero"
    if category == "sw_two_dimensional":
        return category, X, y, w.reshape(-1, 1), "reject", r"1D"
    if category == "sw_strings":
        w = w.astype(str)
        w[0] = "heavy"
        return category, X, y, w, "reject", r"could not convert string"
    if category == "sw_complex":
        return category, X, y, w + 1j, "reject", r"Complex"
    if category == "sw_overflowing_sum":
        # Two weights of max / 2 sum to exactly the largest float: that is fine.
        w = np.full(n, np.finfo(np.float64).max / draw(st.sampled_from([1, 2, 1.5])))
        return category, X, y, w, *_total_verdict(w)
    if category == "sw_subnormal":
        w = w * np.finfo(np.float64).smallest_subnormal  # some round to zero
        return category, X, y, w, *_total_verdict(w)
    if category == "sw_scalar":
        return category, X, y, draw(st.floats(0.1, 10)), "fit", ""
    if category == "sw_one_nonzero":
        w = np.zeros(n)
        w[draw(st.integers(0, n - 1))] = draw(st.floats(0.1, 10))
        return category, X, y, w, "fit", ""
    return category, X, y, w.astype(object), "fit", ""


@st.composite
def class_weight_cases(draw):
    """Good data with a hostile ``class_weight``."""
    X = draw(matrices())
    y = np.arange(X.shape[0]) % 2
    category = draw(
        st.sampled_from(
            ["cw_negative", "cw_nan", "cw_inf", "cw_all_zero", "cw_missing_class",
             "cw_string", "cw_overflowing", "cw_good"]
        )
    )
    weights = {0: draw(st.floats(0.1, 5)), 1: draw(st.floats(0.1, 5))}
    bad = draw(st.sampled_from([0, 1]))
    if category == "cw_negative":
        weights[bad] = -draw(st.floats(1e-6, 5))
    elif category == "cw_nan":
        weights[bad] = np.nan
    elif category == "cw_inf":
        weights[bad] = np.inf
    elif category == "cw_all_zero":
        weights = {0: 0.0, 1: 0.0}
    elif category == "cw_missing_class":
        weights = {0: 1.0, 7: 1.0}
    elif category == "cw_string":
        weights[bad] = "heavy"
    elif category == "cw_overflowing":
        weights = {0: 1e308, 1: 1e308}
        # Each sample weighs 1e308: whether the total overflows depends on n.
        expect, names = _total_verdict(np.full(len(y), 1e308))
        return category, X, y, {"class_weight": weights}, expect, names
    expect = "fit" if category == "cw_good" else "reject"
    names = r"class_weight|convert string"
    return category, X, y, {"class_weight": weights}, expect, names


@st.composite
def validation_set_cases(draw):
    """Good training data with a hostile ``X_val, y_val`` given to ``fit``."""
    X = draw(matrices(min_rows=4))
    n, d = X.shape
    y = np.arange(n) % 2
    category = draw(
        st.sampled_from(
            ["val_nan", "val_inf", "val_wrong_feature_count", "val_mismatched_length",
             "val_unseen_class", "val_without_y", "val_near_max", "val_good"]
        )
    )
    X_val, y_val = X.copy(), y.copy()
    if category == "val_nan":
        return category, X, y, {"X_val": _scatter(draw, X_val, np.nan), "y_val": y_val}, NAMES_NAN
    if category == "val_inf":
        X_val = _scatter(draw, _scatter(draw, X_val, np.inf), -np.inf)
        return category, X, y, {"X_val": X_val, "y_val": y_val}, NAMES_INF
    if category == "val_wrong_feature_count":
        return category, X, y, {"X_val": np.hstack([X_val, X_val]), "y_val": y_val}, (
            r"features"
        )
    if category == "val_mismatched_length":
        return category, X, y, {"X_val": X_val, "y_val": y_val[:-1]}, r"X_val has"
    if category == "val_unseen_class":
        return category, X, y, {"X_val": X_val, "y_val": y_val + 5}, r"not seen"
    if category == "val_without_y":
        return category, X, y, {"X_val": X_val}, r"together"
    if category == "val_near_max":
        X_val = np.clip(X_val, -1, 1) * np.finfo(np.float64).max
        return category, X, y, {"X_val": X_val, "y_val": y_val}, NAMES_SCALE
    return category, X, y, {"X_val": X_val, "y_val": y_val}, ""


@st.composite
def training_cases(draw):
    """A hostile call of ``fit`` or ``partial_fit``."""
    source = draw(st.sampled_from(["X", "y", "sample_weight", "class_weight", "X_val"]))
    sample_weight, fit_kwargs, params = None, {}, draw(estimator_params())
    if source == "X":
        category, X, y, expect, names = draw(x_cases())
    elif source == "y":
        category, X, y, expect, names = draw(y_cases())
    elif source == "sample_weight":
        category, X, y, sample_weight, expect, names = draw(sample_weight_cases())
    elif source == "class_weight":
        category, X, y, extra, expect, names = draw(class_weight_cases())
        params.update(extra)
    else:
        category, X, y, fit_kwargs, names = draw(validation_set_cases())
        expect = {"val_good": "fit", "val_near_max": "either"}.get(category, "reject")
        return Case(category, "fit", X, y, None, params, expect, names, fit_kwargs)
    method = "fit"
    if params["solver"] != "lbfgs" and draw(st.booleans()):
        method = "partial_fit"
    return Case(category, method, X, y, sample_weight, params, expect, names)


# --------------------------------------------------------------------------
# Prediction data
# --------------------------------------------------------------------------

PREDICT_METHODS = ["predict", "predict_proba", "predict_log_proba", "score"]


@st.composite
def predict_cases(draw, n_features):
    """A hostile ``X`` for a model fitted on ``n_features`` features."""
    method = draw(st.sampled_from(PREDICT_METHODS))
    category = draw(
        st.sampled_from(
            [
                "clean_dtype", "wrong_feature_count", "nan", "inf", "scaled_up",
                "near_max", "empty", "one_dimensional", "three_dimensional", "complex",
                "word_strings", "sparse", "pandas_nan",
            ]
        )
    )
    X = draw(matrices(min_rows=1, min_cols=n_features, max_cols=n_features))
    if category == "clean_dtype":
        with np.errstate(invalid="ignore", over="ignore"):
            X = X.astype(draw(st.sampled_from(CLEAN_DTYPES)))
        return Case(category, method, X, expect="fit")
    if category == "wrong_feature_count":
        d = draw(st.integers(1, n_features + 3).filter(lambda k: k != n_features))
        X = draw(matrices(min_rows=1, min_cols=d, max_cols=d))
        return Case(category, method, X, names=rf"{d} features.*expecting {n_features}")
    if category == "nan":
        return Case(category, method, _scatter(draw, X, np.nan), names=NAMES_NAN)
    if category == "inf":
        X = _scatter(draw, _scatter(draw, X, np.inf), draw(st.sampled_from([np.inf, -np.inf])))
        return Case(category, method, X, names=NAMES_INF)
    if category == "scaled_up":
        dtype, scale = draw(st.sampled_from([(np.float32, 1e6), (np.float64, 1e300)]))
        return Case(category, method, (X * scale).astype(dtype), expect="either",
                    names=NAMES_SCALE)
    if category == "near_max":
        info = np.finfo(np.float64)
        return Case(category, method, np.clip(X, -1, 1) * info.max, expect="either",
                    names=NAMES_SCALE)
    if category == "empty":
        return Case(category, method, X[:0], names=r"0 sample")
    if category == "one_dimensional":
        return Case(category, method, X[0], names=r"Expected 2D array")
    if category == "three_dimensional":
        return Case(category, method, X[:, :, None], names=r"dim 3")
    if category == "complex":
        return Case(category, method, X + 1j, names=r"Complex data")
    if category == "word_strings":
        X = X.astype(str)
        X[0, 0] = "abc"
        return Case(category, method, X, names=r"could not convert string")
    if category == "sparse":
        fmt = draw(st.sampled_from(SPARSE_FORMATS))
        return Case(category, method, sp.csr_matrix(X).asformat(fmt), expect="fit")
    frame = pd.DataFrame(_scatter(draw, X, np.nan))
    return Case(category, method, frame, names=NAMES_NAN)


# --------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------


def _fingerprint(value):
    if value is None or np.isscalar(value):
        return repr(value)
    if sp.issparse(value):
        return f"{value.format}{value.shape}{_fingerprint(value.toarray())}"
    if isinstance(value, pd.DataFrame):
        return f"frame{value.dtypes.tolist()}{_fingerprint(value.to_numpy())}"
    array = np.asarray(value, dtype=object) if isinstance(value, list) else value
    if isinstance(value, list):
        return repr(value)
    payload = array.tobytes() if array.dtype != object else repr(array.tolist()).encode()
    return f"{array.dtype}{array.shape}{hashlib.sha1(payload).hexdigest()}"


def case_key(case):
    """A string that differs between distinct cases."""
    parts = [
        case.category, case.method, repr(sorted(case.params.items())),
        _fingerprint(case.X), _fingerprint(case.y), _fingerprint(case.sample_weight),
        *(f"{k}={_fingerprint(v)}" for k, v in sorted(case.fit_kwargs.items())),
    ]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()
