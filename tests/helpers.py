"""Small helpers that several test files share."""

import io
import pickle
import warnings

import joblib
import numpy as np
from sklearn.exceptions import ConvergenceWarning


def quiet(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with ConvergenceWarning silenced: short fits are the point."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def assert_same_weights(ours, theirs):
    """Every weight and bias of two fitted networks equal, bit for bit (and of one dtype)."""
    assert len(ours.coefs_) == len(theirs.coefs_)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_array_equal(a, b, strict=True)


def saved_and_loaded(estimator):
    """``estimator`` after a round trip through pickle, joblib and skops (skips without skops)."""
    import pytest

    skops_io = pytest.importorskip("skops.io")
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    data = skops_io.dumps(estimator)
    return [
        pickle.loads(pickle.dumps(estimator)),
        joblib.load(io.BytesIO(buffer.getvalue())),
        skops_io.loads(data, trusted=skops_io.get_untrusted_types(data=data)),
    ]
