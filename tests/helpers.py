"""Small helpers that several test files share."""

import warnings

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
