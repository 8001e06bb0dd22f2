"""Concurrency and memory: threads share a fitted model; fit does not copy X per epoch."""

import threading
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier

N_THREADS = 8


@pytest.fixture(scope="module")
def digits_model():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = VanillaMLPClassifier((32, 16), max_iter=20, random_state=0).fit(X, y)
    return clf, X


@pytest.mark.parametrize("method", ["predict_proba", "predict_log_proba", "predict"])
def test_eight_threads_at_once_agree_with_one(digits_model, method):
    clf, X = digits_model
    # Different inputs per thread, so that a shared scratch buffer would mix
    # one thread's rows into another's answer.
    chunks = [X[i::N_THREADS] * (1 + i / 10) for i in range(N_THREADS)]
    expected = [getattr(clf, method)(chunk) for chunk in chunks]
    weights = [w.copy() for w in clf.coefs_ + clf.intercepts_]
    start = threading.Barrier(N_THREADS)

    def work(i):
        start.wait()
        return [getattr(clf, method)(chunks[i]) for _ in range(25)]

    with ThreadPoolExecutor(N_THREADS) as pool:
        results = list(pool.map(work, range(N_THREADS)))
    for i, repeats in enumerate(results):
        for got in repeats:
            np.testing.assert_array_equal(got, expected[i])
    # Prediction never writes to the model.
    for w, before in zip(clf.coefs_ + clf.intercepts_, weights):
        assert w.tobytes() == before.tobytes()


def _fit_peak(X, y, **params):
    """Peak memory traced during ``fit`` beyond what was allocated before it."""
    clf = VanillaMLPClassifier(**params)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base, clf


@pytest.mark.slow
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_fit_extra_peak_memory_is_a_small_fraction_of_x(solver):
    rng = np.random.RandomState(0)
    n_samples, n_features = 600_000, 64  # 307 MB of float64
    X = rng.standard_normal((n_samples, n_features))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    extra, clf = _fit_peak(
        X, y, hidden_layer_sizes=(16,), solver=solver, max_iter=3, batch_size=256,
        random_state=0, tol=0.0,
    )
    assert clf.n_iter_ == 3  # several epochs: a per-epoch copy would show
    # The one-hot targets, the sample order and per-batch work are allowed:
    # a few bytes per sample, not a copy of X (about 1/8 of a float64 X of
    # 64 features is one float64 per sample).
    assert extra < 0.1 * X.nbytes, f"fit used {extra / 2**20:.1f} MiB beyond X"
    assert clf.score(X[:5000], y[:5000]) > 0.9
