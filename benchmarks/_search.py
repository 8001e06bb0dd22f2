"""Model selection: a grid search and a cross-validation, three ways, and their GEMM floor.

On the digits (1797 x 64) with a ``StandardScaler`` before the network and
5 stratified folds, three workloads:

- ``adam``: ``GridSearchCV`` over ``hidden_layer_sizes`` in (15,), (50,),
  (100,) and ``learning_rate_init`` in 1e-3, 3e-3, 1e-2 (45 fits), the
  default solver (Adam, batch 200, up to ``adam_epochs`` epochs, 200 by
  default, with the default stopping rule);
- ``sgd``: the same grid with the post's solver, plain SGD (no momentum) on
  batches of 15, for ``epochs`` epochs (``tol=0``, so every fit runs them
  all);
- ``cv``: ``cross_val_score`` of the post's network (64-15-10, the same
  SGD), 5 folds, ``epochs`` epochs.

Each is run by scikit-learn's ``GridSearchCV`` / ``cross_val_score`` over
``MLPClassifier`` (``sklearn``) and over ``VanillaMLPClassifier``
(``sklearn+vanilla``), and by :mod:`skvanilla.model_selection` over
``VanillaMLPClassifier`` (``skvanilla``), which trains the fits of one
network shape together.  :func:`measure` times them alternating and checks
their scores equal (``mean_test_score`` of the three searches, the
cross-validation's scores).

The GEMM floor is what the matrix products of every fit cost and nothing
else: for each fit, its epochs (as the skvanilla search ran them) times its
batches times the time of one step's products at its shapes (forward,
weight gradients and the hidden delta), measured in plain numpy into
preallocated buffers.

``benchmarks/bench_search.py`` (both thread counts in one run, its own
table and JSON) and the harness (``python -m benchmarks --workloads
search,cv``) both time them through :func:`measure`.
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from benchmarks._timing import time_alternating
from skvanilla import VanillaMLPClassifier
from skvanilla import model_selection as vms
from skvanilla._stack import fit_many

GRID = {"mlp__hidden_layer_sizes": [(15,), (50,), (100,)],
        "mlp__learning_rate_init": [1e-3, 3e-3, 1e-2]}
CV = StratifiedKFold(5)
WORKLOADS = ("adam", "sgd", "cv")
#: In table order; the first is the reference of every ratio.
CONTENDERS = ("sklearn", "sklearn+vanilla", "skvanilla")
#: Epochs of the SGD fits (the post's 20), and the cap of the Adam ones
#: (``MLPClassifier``'s default ``max_iter``).
SGD_EPOCHS, ADAM_EPOCHS = 20, 200
#: The network of ``cv``: the post's 64-15-10.
CV_HIDDEN = (15,)


@dataclass(frozen=True)
class SearchWorkload:
    """One of the workloads above as the harness names, sizes and reports it.

    It has the attributes of :class:`benchmarks._workloads.Workload` that
    the harness's rows read; ``time`` is the seconds of the whole search.

    Parameters
    ----------
    name : str
        The harness's name (``search_adam``, ``search_sgd``, ``cv``).
    kind : {"adam", "sgd", "cv"}
        The workload above.
    n_samples : int
        The first this many digits are searched on.
    sgd_epochs, adam_epochs : int
        ``epochs`` and ``adam_epochs`` of :func:`estimator_params`.
    """

    name: str
    kind: str
    n_samples: int = 1797
    sgd_epochs: int = SGD_EPOCHS
    adam_epochs: int = ADAM_EPOCHS
    task = "search"
    unit = "s"

    @property
    def epochs(self):
        """Epochs of each fit (of the Adam grid: at most)."""
        return self.adam_epochs if self.kind == "adam" else self.sgd_epochs

    @property
    def title(self):
        what = ("cross_val_score, 64-15-10" if self.kind == "cv"
                else "GridSearchCV, 3 hidden sizes x 3 learning rates")
        epochs = f"{self.epochs} epoch{'s' * (self.epochs != 1)}"
        solver = (f"Adam, batch 200, <= {epochs}" if self.kind == "adam"
                  else f"SGD, batch 15, {epochs}")
        return f"{what}, 5 folds: {self.n_samples} digits, StandardScaler + MLP, {solver}"

    @property
    def batch_size(self):
        return 200 if self.kind == "adam" else 15

    @property
    def hidden(self):
        # A grid's networks have several shapes: the title names them.
        return CV_HIDDEN if self.kind == "cv" else ()

    def per_unit(self, seconds):
        return seconds


def search_workloads(n_samples=1797, sgd_epochs=SGD_EPOCHS, adam_epochs=ADAM_EPOCHS):
    """The harness's model selection workloads, by name, at the given sizes."""
    kinds = {"search_adam": "adam", "search_sgd": "sgd", "cv": "cv"}
    return {name: SearchWorkload(name, kind, n_samples=min(n_samples, 1797),
                                 sgd_epochs=sgd_epochs, adam_epochs=adam_epochs)
            for name, kind in kinds.items()}


@dataclass(frozen=True)
class Measurement:
    """What :func:`measure` found for one workload.

    Attributes
    ----------
    seconds : dict of str to list of float
        Each contender's timed runs, in the order they ran.
    floor : float
        Seconds of the GEMM floor (see the module docstring).
    equal_scores : bool
        Whether every contender found exactly the scores of the first.
    """

    seconds: dict
    floor: float
    equal_scores: bool


def load_data(n_samples=1797, dtype=np.float64):
    """The first ``n_samples`` digits, as ``dtype``, and their labels (unscaled: the
    pipeline's ``StandardScaler`` scales them)."""
    X, y = load_digits(return_X_y=True)
    return np.ascontiguousarray(X[:n_samples], dtype=dtype), y[:n_samples]


def estimator_params(workload, epochs=SGD_EPOCHS, adam_epochs=ADAM_EPOCHS):
    """The network's parameters: the default solver for ``adam``, the post's SGD otherwise.

    SGD's ``tol=0`` and ``n_iter_no_change=epochs + 1`` keep its stopping
    rule from firing, so every fit runs ``epochs`` epochs; Adam keeps the
    default rule, with at most ``adam_epochs`` epochs.
    """
    if workload == "adam":
        return {"random_state": 0, "max_iter": adam_epochs}
    return {"random_state": 0, "solver": "sgd", "batch_size": 15, "momentum": 0.0,
            "max_iter": epochs, "tol": 0.0, "n_iter_no_change": epochs + 1}


def _pipeline(cls, workload, params):
    mlp = cls(**params)
    if workload == "cv":
        mlp.set_params(hidden_layer_sizes=CV_HIDDEN)
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def search_call(contender, workload, X, y, epochs=SGD_EPOCHS, adam_epochs=ADAM_EPOCHS):
    """The timed call of one contender on one workload.

    Returns
    -------
    callable
        With no arguments; runs the whole search (or cross-validation) and
        returns the scores it found as an array.
    """
    cls = MLPClassifier if contender == "sklearn" else VanillaMLPClassifier
    estimator = _pipeline(cls, workload, estimator_params(workload, epochs, adam_epochs))
    ours = contender == "skvanilla"
    if workload == "cv":
        score = vms.cross_val_score if ours else cross_val_score
        return lambda: np.asarray(score(estimator, X, y, cv=CV))
    search = vms.GridSearchCV if ours else SklearnGridSearchCV
    return lambda: np.asarray(search(estimator, GRID, cv=CV).fit(X, y)
                              .cv_results_["mean_test_score"])


def measure(workload, X, y, repeats, epochs=SGD_EPOCHS, adam_epochs=ADAM_EPOCHS):
    """Time every contender on ``workload``, alternating, and compare their scores.

    Each contender first runs once with one epoch, untimed, so that imports
    and first calls are not charged to its first timed run.  The BLAS
    thread limit in force applies to the runs and to the floor.

    Parameters
    ----------
    workload : {"adam", "sgd", "cv"}
    X, y : ndarray
        The digits (see :func:`load_data`); ``X``'s dtype is the one trained in.
    repeats : int
        Timed runs per contender.
    epochs, adam_epochs : int
        See :func:`estimator_params`.

    Returns
    -------
    Measurement
    """
    scores = {}

    def recorded(name, call):
        # time_alternating keeps no return value: the scores are kept here.
        def run():
            scores[name] = call()
        return run

    # Reaching max_iter is the point of the SGD fits, and of a scaled-down Adam grid.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for contender in CONTENDERS:
            search_call(contender, workload, X, y, 1, 1)()
        runs = {c: recorded(c, search_call(c, workload, X, y, epochs, adam_epochs))
                for c in CONTENDERS}
        seconds = time_alternating(runs, repeats)
        floor = gemm_floor(workload, X, y, epochs, adam_epochs)
    first = scores[CONTENDERS[0]]
    equal = all(np.array_equal(scores[c], first) for c in CONTENDERS)
    return Measurement(seconds=seconds, floor=floor, equal_scores=equal)


def gemm_floor(workload, X, y, epochs=SGD_EPOCHS, adam_epochs=ADAM_EPOCHS):
    """Seconds of the matrix products of every fit of the workload (see the module docstring)."""
    grid = [{}] if workload == "cv" else [
        {"hidden_layer_sizes": h, "learning_rate_init": r}
        for h in GRID["mlp__hidden_layer_sizes"] for r in GRID["mlp__learning_rate_init"]
    ]
    base = _pipeline(VanillaMLPClassifier, workload,
                     estimator_params(workload, epochs, adam_epochs)).named_steps["mlp"]
    estimators, datasets = [], []
    for train, _ in CV.split(X, y):
        X_train = StandardScaler().fit_transform(X[train])
        for params in grid:
            estimators.append(clone(base).set_params(**params))
            datasets.append((X_train, y[train], {}))
    # The epochs each fit runs are the skvanilla search's: Adam's stop when they stop.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = [fit for fit, _ in fit_many(estimators, datasets)]
    total = 0.0
    for fit, (X_train, _, _) in zip(fits, datasets):
        batch = min(200 if fit.batch_size == "auto" else fit.batch_size, len(X_train))
        full, rest = divmod(len(X_train), batch)
        units = [X.shape[1], *(c.shape[1] for c in fit.coefs_)]
        total += fit.n_iter_ * (full * _step_products(units, batch, X.dtype)
                                + (_step_products(units, rest, X.dtype) if rest else 0.0))
    return total


_PRODUCTS = {}


def _step_products(units, n, dtype=np.float64, repeats=200):
    """Seconds of one training step's matrix products for layer sizes ``units``, ``n`` rows."""
    # The BLAS's threads are part of the key: the floor at one thread is not the floor at all.
    threads = tuple(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
    key = (tuple(units), n, np.dtype(dtype).name, threads)
    if key not in _PRODUCTS:
        rng = np.random.RandomState(0)
        A = [rng.rand(n, u).astype(dtype) for u in units]
        W = [rng.rand(a, b).astype(dtype) for a, b in zip(units[:-1], units[1:])]
        G = [np.empty_like(w) for w in W]
        D = [np.empty((n, u), dtype) for u in units[1:]]
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
