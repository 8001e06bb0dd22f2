"""Small helpers that several test files share."""

import io
import os
import pickle
import signal
import warnings
from contextlib import contextmanager
from unittest import mock

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


#: Every array a fit produces (None where the solver does not record it).
ATTRIBUTES = [
    "coefs_", "intercepts_", "loss_", "loss_curve_", "best_loss_", "validation_scores_",
    "best_validation_score_", "n_iter_", "t_",
]


def assert_same_fit(ours, theirs):
    """Every recorded array of ``ours`` equals ``theirs``'s, bit for bit."""
    for name in ATTRIBUTES:
        a, b = getattr(ours, name, None), getattr(theirs, name, None)
        if name in ("loss_curve_", "best_loss_") and theirs.solver == "lbfgs":
            continue  # scikit-learn keeps no record of lbfgs (docs/migrating.rst)
        if b is None or a is None:
            assert a is None and b is None, name
        elif name in ("coefs_", "intercepts_"):
            assert len(a) == len(b), name
            for u, v in zip(a, b):
                assert u.dtype == v.dtype, name
                np.testing.assert_array_equal(u, v, err_msg=name, strict=True)
        else:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)


@contextmanager
def ctrl_c_in_batch(call):
    """Send SIGINT during the ``call``-th batch (or L-BFGS evaluation), handled as in a terminal."""
    from skvanilla import _lbfgs, _training

    real, calls = _training.loss_and_gradients, []

    def spy(*args, **kwargs):
        calls.append(None)
        if len(calls) == call:
            signal.raise_signal(signal.SIGINT)
        return real(*args, **kwargs)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with mock.patch.object(_training, "loss_and_gradients", spy), \
                mock.patch.object(_lbfgs, "loss_and_gradients", spy):
            yield
    finally:
        signal.signal(signal.SIGINT, previous)


def outside_skvanilla(filename):
    """Whether ``filename`` (a warning's) is outside the package: the caller's line, as it should.

    Under mutmut, a mutated function's frame is mutmut's trampoline, also
    outside (see tests/MUTATION.md).
    """
    import skvanilla

    package = os.path.dirname(os.path.abspath(skvanilla.__file__))
    return not os.path.abspath(filename).startswith(package + os.sep)
