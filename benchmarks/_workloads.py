"""The workloads: what is trained or predicted, on which data, and how it is reported."""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits

#: Seed of the random data and of every estimator.
SEED = 0


@dataclass(frozen=True)
class Workload:
    """One thing to time, the same for every contender.

    Parameters
    ----------
    name : str
        Short key (``small``, ``large``, ``predict``, ...).
    title : str
        What the chart and the table call it.
    task : {"fit", "predict"}
        ``fit`` times training; ``predict`` times ``predict_proba`` (or, for
        real targets, ``predict``) of a network fitted beforehand (untimed)
        on ``fit_samples`` rows.
    data : {"digits", "random"}
        scikit-learn's digits (scaled to [0, 1]) or standard-normal features
        with uniformly drawn labels, or real targets (see ``target``).
    n_samples : int
        Rows trained on per epoch, or predicted.
    hidden : tuple of int
        Hidden layer sizes.
    batch_size : int
    epochs : int
        Epochs per fit; every contender runs exactly this many.
    momentum : float
        Of SGD; Nesterov's when positive, as scikit-learn's default.
    learning_rate : float
    n_features, n_classes : int
        Of the random data (digits has 64 and 10).
    fit_samples : int
        Rows the ``predict`` workload's network is fitted on.
    alpha : float
        The L2 penalty.
    target : {"classes", "values"}
        Class labels, for the classifiers (softmax outputs, log-loss), or
        real values, for the regressors (identity outputs, squared error).
    n_outputs : int
        Real targets per sample, when ``target="values"``: ``y`` is 1-D for
        one, of shape (n_samples, n_outputs) for more.
    solver : {"sgd", "adam"}
        SGD (with ``momentum``) or Adam (its default betas and epsilon).
    """

    name: str
    title: str
    task: str
    data: str
    n_samples: int
    hidden: tuple
    batch_size: int = 200
    epochs: int = 1
    momentum: float = 0.9
    learning_rate: float = 0.001
    n_features: int = 784
    n_classes: int = 10
    fit_samples: int = 1000
    alpha: float = 1e-4
    target: str = "classes"
    n_outputs: int = 1
    solver: str = "sgd"

    @property
    def regression(self):
        """Whether the targets are real values (the regressors' workloads)."""
        return self.target == "values"

    @property
    def unit(self):
        """The unit of the reported time."""
        if self.task == "predict":
            return "s"
        return "us/step" if self.name == "small" else "s/epoch"

    @property
    def steps_per_epoch(self):
        return math.ceil(self.n_samples / self.batch_size)

    def per_unit(self, seconds):
        """Convert the seconds of one timed call into :attr:`unit`."""
        if self.task == "predict":
            return seconds
        if self.unit == "us/step":
            return 1e6 * seconds / (self.epochs * self.steps_per_epoch)
        return seconds / self.epochs

    def layer_units(self, n_features):
        """Units of every layer, input first: one output per class, or per real target."""
        return [n_features, *self.hidden, self.n_outputs if self.regression else self.n_classes]

    def estimator_params(self, epochs=None):
        """The parameters given to both estimators: identical, by construction.

        ``tol=0`` and ``n_iter_no_change=epochs`` make the stopping rule
        never fire (it needs more than ``n_iter_no_change`` epochs without
        progress), so that every fit runs exactly ``epochs`` epochs.
        """
        epochs = self.epochs if epochs is None else epochs
        return dict(
            hidden_layer_sizes=self.hidden,
            activation="relu",
            solver=self.solver,
            alpha=self.alpha,
            batch_size=self.batch_size,
            learning_rate="constant",
            learning_rate_init=self.learning_rate,
            momentum=self.momentum,
            nesterovs_momentum=self.momentum > 0,
            max_iter=epochs,
            shuffle=True,
            random_state=SEED,
            tol=0.0,
            n_iter_no_change=epochs,
            early_stopping=False,
        )

    def shrunk(self, n_samples, epochs=1):
        """The same workload on fewer rows and epochs (warm-up runs)."""
        return dataclasses.replace(
            self, n_samples=min(n_samples, self.n_samples), epochs=epochs,
            fit_samples=min(self.fit_samples, n_samples),
        )

    def with_epochs(self, epochs):
        return dataclasses.replace(self, epochs=epochs)


def make_data(workload, dtype):
    """The workload's ``X`` (in ``dtype``, C-contiguous) and its targets ``y``.

    Integer labels for the classifiers.  For the regressors, float64 values
    of a smooth function of ``X``, ``y = sin(t) + t / 2`` with ``t`` a
    random projection of unit variance per output: targets of the scale a
    user would standardise them to, so that training neither stalls nor
    diverges.
    """
    if workload.data == "digits":
        X, y = load_digits(return_X_y=True)
        X = np.ascontiguousarray(X[: workload.n_samples] / 16.0, dtype=dtype)
        return X, y[: workload.n_samples]
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((workload.n_samples, workload.n_features), dtype=dtype)
    if workload.regression:
        projection = rng.standard_normal((workload.n_features, workload.n_outputs))
        T = X @ (projection / np.sqrt(workload.n_features)).astype(dtype)
        y = (np.sin(T) + T / 2).astype(np.float64)
        return X, y[:, 0] if workload.n_outputs == 1 else y
    y = rng.integers(0, workload.n_classes, workload.n_samples)
    return X, y


def default_workloads(
    small_samples=1797,
    small_epochs=20,
    large_samples=60000,
    large_epochs=2,
    large_hidden=(256, 256),
    predict_samples=100000,
    inputs_samples=20000,
    regression_outputs=1,
):
    """The workloads of the harness, by name, at the given sizes.

    The regression workloads are the large network and the inference one
    with ``regression_outputs`` real outputs in place of 10 classes.
    """
    n_digits = min(small_samples, 1797)
    large = "-".join(map(str, (784, *large_hidden)))
    return {
        "small": Workload(
            "small", "small network, per step: digits, 64-15-10, SGD, batch 15",
            "fit", "digits", n_digits, (15,), batch_size=15, epochs=small_epochs,
            momentum=0.0, learning_rate=0.01, n_features=64,
        ),
        "large": Workload(
            "large", f"large network, per epoch: {large_samples}x784 random, "
            f"784-{'-'.join(map(str, large_hidden))}-10, SGD, batch 256",
            "fit", "random", large_samples, tuple(large_hidden), batch_size=256,
            epochs=large_epochs,
        ),
        "predict": Workload(
            "predict", f"inference: predict_proba on {predict_samples} rows, "
            f"784-{'-'.join(map(str, large_hidden))}-10",
            "predict", "random", predict_samples, tuple(large_hidden), batch_size=256,
            fit_samples=min(1000, predict_samples),
        ),
        # The large network on fewer rows: every layout is fitted and predicted
        # by both estimators, so one repeat is twenty-odd fits.
        "inputs": Workload(
            "inputs", f"input layouts: {inputs_samples}x784, "
            f"784-{'-'.join(map(str, large_hidden))}-10, SGD, batch 256, 1 epoch",
            "fit", "random", inputs_samples, tuple(large_hidden), batch_size=256, epochs=1,
        ),
        "regression": Workload(
            "regression", f"regression, per epoch: {large_samples}x784 random, "
            f"{large}-{regression_outputs} real, SGD, batch 256",
            "fit", "random", large_samples, tuple(large_hidden), batch_size=256,
            epochs=large_epochs, target="values", n_outputs=regression_outputs,
        ),
        "regression_predict": Workload(
            "regression_predict", f"regression inference: predict on {predict_samples} rows, "
            f"{large}-{regression_outputs} real",
            "predict", "random", predict_samples, tuple(large_hidden), batch_size=256,
            fit_samples=min(1000, predict_samples), target="values",
            n_outputs=regression_outputs,
        ),
    }
