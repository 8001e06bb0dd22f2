"""Model selection: a grid search and a cross-validation, three ways, and their GEMM floor.

``python benchmarks/bench_search.py`` times, on the digits (1797 x 64) with a
``StandardScaler`` before the network, at one BLAS thread and at all of them:

- ``adam``: ``GridSearchCV`` over ``hidden_layer_sizes`` in (15,), (50,), (100,)
  and ``learning_rate_init`` in 1e-3, 3e-3, 1e-2, 5 folds (45 fits), the
  default solver (Adam, batch 200, up to 200 epochs with the default
  stopping rule);
- ``sgd``: the same grid with the post's solver, plain SGD (no momentum) on
  batches of 15, for ``--sgd-epochs`` epochs (``tol=0``, so every fit runs
  them all);
- ``cv``: ``cross_val_score`` of the post's network (64-15-10, the same SGD),
  5 folds, ``--sgd-epochs`` epochs.

Each is run by scikit-learn's ``GridSearchCV`` / ``cross_val_score`` over
``MLPClassifier`` (``sklearn``) and over ``VanillaMLPClassifier``
(``sklearn+vanilla``), and by :mod:`skvanilla.model_selection` over
``VanillaMLPClassifier`` (``skvanilla``), which trains the fits of one
network shape together.  The runs alternate, ``--repeats`` times; medians
are printed with the ratios, and the scores are checked equal
(``mean_test_score`` of the three searches, the cross-validation's scores).

The GEMM floor is what the matrix products of every fit cost and nothing
else: for each fit, its epochs (as the skvanilla search ran them) times its
batches times the time of one step's products at its shapes (forward,
weight gradients and the hidden delta), measured in plain numpy into
preallocated buffers.
"""

import argparse
import json
import os
import platform
import statistics
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from skvanilla import VanillaMLPClassifier
from skvanilla import model_selection as vms
from skvanilla._stack import fit_many

GRID = {"mlp__hidden_layer_sizes": [(15,), (50,), (100,)],
        "mlp__learning_rate_init": [1e-3, 3e-3, 1e-2]}
CV = StratifiedKFold(5)


def _params(workload, epochs):
    if workload == "adam":
        return {"random_state": 0}
    return {"random_state": 0, "solver": "sgd", "batch_size": 15, "momentum": 0.0,
            "max_iter": epochs, "tol": 0.0, "n_iter_no_change": epochs + 1}


def _pipeline(cls, workload, epochs):
    mlp = cls(**_params(workload, epochs))
    if workload == "cv":
        # The post's 64-15-10, as the floor counts it: not the default (100,).
        mlp.set_params(hidden_layer_sizes=(15,))
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def run(contender, workload, X, y, epochs):
    """One timed run; returns (seconds, the scores it found)."""
    cls = MLPClassifier if contender == "sklearn" else VanillaMLPClassifier
    estimator = _pipeline(cls, workload, epochs)
    start = time.perf_counter()
    if workload == "cv":
        score = cross_val_score if contender != "skvanilla" else vms.cross_val_score
        scores = score(estimator, X, y, cv=CV)
    else:
        search = SklearnGridSearchCV if contender != "skvanilla" else vms.GridSearchCV
        scores = search(estimator, GRID, cv=CV).fit(X, y).cv_results_["mean_test_score"]
    return time.perf_counter() - start, np.asarray(scores)


def gemm_floor(workload, X, y, epochs):
    """Seconds of the matrix products of every fit of the workload (see the module docstring)."""
    grid = [{}] if workload == "cv" else [
        {"hidden_layer_sizes": h, "learning_rate_init": r}
        for h in GRID["mlp__hidden_layer_sizes"] for r in GRID["mlp__learning_rate_init"]
    ]
    base = VanillaMLPClassifier(**_params(workload, epochs))
    if workload == "cv":
        base.set_params(hidden_layer_sizes=(15,))
    estimators, datasets = [], []
    for train, _ in CV.split(X, y):
        X_train = StandardScaler().fit_transform(X[train])
        for params in grid:
            estimators.append(clone(base).set_params(**params))
            datasets.append((X_train, y[train], {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = [fit for fit, _ in fit_many(estimators, datasets)]
    total = 0.0
    for fit, (X_train, _, _) in zip(fits, datasets):
        batch = min(200 if fit.batch_size == "auto" else fit.batch_size, len(X_train))
        full, rest = divmod(len(X_train), batch)
        units = [X.shape[1], *(c.shape[1] for c in fit.coefs_)]
        total += fit.n_iter_ * (full * _step_products(units, batch)
                                + (_step_products(units, rest) if rest else 0.0))
    return total


_PRODUCTS = {}


def _step_products(units, n, repeats=200):
    """Seconds of one training step's matrix products for layer sizes ``units``, ``n`` rows."""
    # The BLAS's threads are part of the key: the floor at one thread is not the floor at all.
    threads = tuple(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
    key = (tuple(units), n, threads)
    if key not in _PRODUCTS:
        rng = np.random.RandomState(0)
        A = [rng.rand(n, u) for u in units]
        W = [rng.rand(a, b) for a, b in zip(units[:-1], units[1:])]
        G = [np.empty_like(w) for w in W]
        D = [np.empty((n, u)) for u in units[1:]]
        start = time.perf_counter()
        for _ in range(repeats):
            for i, w in enumerate(W):
                np.matmul(A[i], w, out=A[i + 1])
            for i in reversed(range(len(W))):
                np.matmul(A[i].T, A[i + 1], out=G[i])
                if i:
                    np.matmul(A[i + 1], W[i].T, out=D[i - 1])
        _PRODUCTS[key] = (time.perf_counter() - start) / repeats
    return _PRODUCTS[key]


def table(rows):
    """The table ``main`` prints, one line per row (the docs show it from the JSON rows)."""
    lines = [f"{'threads':>7}  {'workload':8}  {'contender':16} {'seconds':>8}  "
             f"{'vs sklearn':>10}  {'vs sklearn+vanilla':>18}  {'x floor':>7}  scores equal"]
    for row in rows:
        lines.append(
            f"{row['threads']:>7}  {row['workload']:8}  {row['contender']:16} "
            f"{row['seconds']:8.2f}  {row['vs_sklearn']:10.2f}  "
            f"{row['vs_sklearn_vanilla']:18.2f}  {row['x_floor']:7.2f}  {row['equal_scores']}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="adam,sgd,cv")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sgd-epochs", type=int, default=20)
    parser.add_argument("--threads", default="1,all",
                        help="BLAS thread counts, comma separated ('all': as configured)")
    parser.add_argument("--out", help="write the rows as JSON to this file")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[:3]}")
    pools = [f"{p['internal_api']} {p['num_threads']} threads" for p in blas]
    print("BLAS: " + ", ".join(pools))
    rows = []
    contenders = ["sklearn", "sklearn+vanilla", "skvanilla"]
    for threads in args.threads.split(","):
        limit = None if threads == "all" else int(threads)
        with threadpool_limits(limit), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for workload in args.workloads.split(","):
                times = {c: [] for c in contenders}
                scores = {}
                for _ in range(args.repeats):
                    for contender in contenders:
                        seconds, scores[contender] = run(contender, workload, X, y,
                                                         args.sgd_epochs)
                        times[contender].append(seconds)
                same = all(np.array_equal(scores[c], scores["sklearn"]) for c in contenders)
                floor = gemm_floor(workload, X, y, args.sgd_epochs)
                medians = {c: statistics.median(t) for c, t in times.items()}
                for contender in contenders:
                    rows.append({
                        "threads": threads, "workload": workload, "contender": contender,
                        "seconds": medians[contender], "repeats": times[contender],
                        "vs_sklearn": medians[contender] / medians["sklearn"],
                        "vs_sklearn_vanilla": medians[contender] / medians["sklearn+vanilla"],
                        "x_floor": medians[contender] / floor, "floor": floor,
                        "equal_scores": same,
                    })
    print("\n" + table(rows))
    for threads in args.threads.split(","):
        floors = {r["workload"]: r["floor"] for r in rows if r["threads"] == threads}
        print(f"GEMM floor at {threads} thread(s): "
              + ", ".join(f"{w} {f:.2f} s" for w, f in floors.items()))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"load": os.getloadavg(), "rows": rows, "sgd_epochs": args.sgd_epochs},
                      f, indent=1)


if __name__ == "__main__":
    main()
