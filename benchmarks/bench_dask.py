"""One grid search, run in this process and on a local Dask cluster.

``python benchmarks/bench_dask.py`` fits the same 8-candidate ``GridSearchCV``
(3 folds, 24 fits) of ``VanillaMLPClassifier`` on the digits:

- here, with ``n_jobs=1``, BLAS as configured (``local``) and with BLAS held to
  one thread (``local, 1 BLAS thread``, the arithmetic of one worker);
- on a ``LocalCluster`` of ``--workers`` single-threaded worker processes through
  joblib's ``dask`` backend, ``n_jobs=-1``.

The runs alternate, ``--repeats`` times, so that the load of a shared machine
falls on all of them alike; medians and the speed-ups over both local runs are
printed, with the cluster's start-up and first (cold) search, which are not in
the medians.  It needs the ``distributed`` extra.

Dask's nanny starts each worker with ``MALLOC_TRIM_THRESHOLD_=65536``, which also
fixes glibc's mmap threshold: every temporary array of a training step over
128 KiB is then mapped and unmapped afresh.  ``--no-malloc-trim`` leaves that
variable out of the workers' environment, to measure what it costs.
"""

import argparse
import os
import platform
import statistics
import time
import warnings

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from skvanilla import VanillaMLPClassifier

GRID = {
    "hidden_layer_sizes": [(64,), (128,)],
    "learning_rate_init": [1e-3, 1e-2],
    "alpha": [1e-4, 1e-2],
}


def make_search(max_iter, n_jobs):
    """The benchmark's search: 8 candidates, 3 folds."""
    est = VanillaMLPClassifier(max_iter=max_iter, random_state=0)
    return GridSearchCV(est, GRID, cv=3, n_jobs=n_jobs)


def timed_fit(search, X, y, backend=None):
    """Seconds to fit ``search``, and the fitted search."""
    with warnings.catch_warnings():
        # Short searches stop at max_iter on purpose; scikit-learn hands this filter
        # on to the tasks, on the workers too.
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        if backend is None:
            search.fit(X, y)
        else:
            with joblib.parallel_backend(backend):
                search.fit(X, y)
        return time.perf_counter() - start, search


def worker_environment(malloc_trim):
    """Dask's environment for new workers, less the malloc setting unless asked for."""
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    if not malloc_trim:
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


def run(max_iter, repeats, workers, malloc_trim=True):
    """Time the search locally and on the cluster; return the timings in seconds."""
    import dask
    from dask.distributed import Client, LocalCluster

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    times = {"local": [], "local, 1 BLAS thread": [], "cluster": []}

    start = time.perf_counter()
    environ = {"distributed.nanny.pre-spawn-environ": worker_environment(malloc_trim)}
    with (
        dask.config.set(environ),
        LocalCluster(
            n_workers=workers,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        startup = time.perf_counter() - start
        cold, reference = timed_fit(make_search(max_iter, -1), X, y, "dask")
        for _ in range(repeats):
            seconds, local = timed_fit(make_search(max_iter, 1), X, y)
            times["local"].append(seconds)
            with threadpool_limits(1):
                seconds, _ = timed_fit(make_search(max_iter, 1), X, y)
            times["local, 1 BLAS thread"].append(seconds)
            seconds, remote = timed_fit(make_search(max_iter, -1), X, y, "dask")
            times["cluster"].append(seconds)
            same = np.array_equal(
                local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"]
            )
            if not same or remote.best_params_ != reference.best_params_:
                raise AssertionError("the cluster's search differs from the local one")
    return startup, cold, times, local.best_params_, local.best_score_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iter", type=int, default=30, help="epochs of each fit")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each search")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--no-malloc-trim",
        action="store_true",
        help="start the workers without dask's MALLOC_TRIM_THRESHOLD_",
    )
    args = parser.parse_args(argv)

    startup, cold, times, best_params, best_score = run(
        args.max_iter, args.repeats, args.workers, malloc_trim=not args.no_malloc_trim
    )
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(
        f"8 candidates x 3 folds of VanillaMLPClassifier(max_iter={args.max_iter}) "
        f"on the digits; {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{args.repeats} repeats"
    )
    trim = "without" if args.no_malloc_trim else "with"
    print(f"workers {trim} MALLOC_TRIM_THRESHOLD_")
    print(f"cluster start-up ({args.workers} workers): {startup:6.2f} s (not in the medians)")
    print(f"first search on the cluster:    {cold:6.2f} s (not in the medians)")
    for name, ts in times.items():
        runs = ", ".join(f"{t:.2f}" for t in ts)
        print(f"{name:<24} median {medians[name]:6.2f} s   runs: {runs}")
    for name in ("local", "local, 1 BLAS thread"):
        print(f"speed-up of the cluster over {name}: {medians[name] / medians['cluster']:.2f}x")
    print(f"same cv_results_ scores on both; best {best_params} at {best_score:.4f}")


if __name__ == "__main__":
    main()
