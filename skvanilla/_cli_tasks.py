"""What ``skvanilla train`` does for each task: classification and regression.

The task is given with ``--task``, or chosen from the target columns; it
decides the estimator, how the target columns are read (labels or real
values) and what is reported (accuracy; R² and mean absolute error).
"""

import numpy as np
from sklearn import model_selection
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.utils.multiclass import type_of_target

from . import _cli_io as io
from ._classifier import VanillaMLPClassifier
from ._regressor import VanillaMLPRegressor

#: The estimator of each task.
ESTIMATORS = {"classification": VanillaMLPClassifier, "regression": VanillaMLPRegressor}

#: The losses of each task's estimator.
LOSSES = {
    task: set(estimator._parameter_constraints["loss"][0].options)
    for task, estimator in ESTIMATORS.items()
}

#: What train reports for each task: (label, scikit-learn scorer, format).  A
#: ``neg_`` scorer is an error negated so that larger is better; it is printed
#: as the error.
METRICS = {
    "classification": [("accuracy", "accuracy", ".4f")],
    "regression": [("R2", "r2", ".4f"), ("MAE", "neg_mean_absolute_error", ".6g")],
}


def choose_task(table, indices, task):
    """The task, and a phrase that says why it is the task, for error messages.

    ``auto`` follows scikit-learn's ``type_of_target``: numbers that are not
    all whole numbers are ``continuous`` (or ``continuous-multioutput``), a
    regression; whole numbers and text are class labels.

    Examples
    --------
    >>> table = io.read_table("iris")
    >>> choose_task(table, [4], "auto")[0], choose_task(table, [0], "auto")[0]
    ('classification', 'regression')
    """
    shown = io._shorten([table.columns[i] for i in indices])
    if task != "auto":
        return task, f"the task is {task} (--task {task})"
    if _continuous(table, indices):
        return "regression", (
            f"{shown} holds real values, so the task is regression "
            "(choose it with --task classification or --task regression)"
        )
    return "classification", (
        f"{shown} holds class labels (text or whole numbers), so the task is "
        "classification (choose it with --task classification or --task regression)"
    )


def _continuous(table, indices):
    """Whether the target columns hold real values, their empty cells aside.

    An empty cell decides nothing: a column of real values with a gap is
    still a regression target, which then names the gap (see
    :func:`~skvanilla._cli_io.target_values`), rather than hundreds of
    classes spelt as numbers.
    """
    if table.builtin:
        values = table.cells[:, indices].astype(np.float64)
    else:
        cells = np.char.strip(table.cells[:, indices])
        given = cells != ""
        if not all(io.is_number(v) for v in cells[given]):
            return False
        # A gap is read as 0, a whole number: it cannot make whole numbers look real.
        values = np.where(given, cells, "0").astype(np.float64)
        if not np.isfinite(values).all():  # regression, whose check names the value
            return True
    return type_of_target(values[:, 0] if len(indices) == 1 else values).startswith("continuous")


def targets(table, indices, task):
    """``y`` for ``task``: floats for regression, labels for classification."""
    if task == "regression":
        return io.target_values(table, indices)
    columns = [io.labels(table, i) for i in indices]
    return columns[0] if len(columns) == 1 else np.column_stack(columns)


def check_poisson_targets(table, indices, y):
    """Refuse negative targets for ``--loss poisson`` naming the column and line.

    The estimator refuses them too, but knows neither.
    """
    negative = np.argwhere(y.reshape(len(y), -1) < 0)
    if len(negative):
        row, j = negative[0]
        raise io.CLIError(
            f"{table.source}: target column {table.columns[indices[j]]!r} has "
            f"{str(table.cells[row, indices[j]]).strip()} on line {row + 2}; --loss poisson "
            "needs targets that are never negative (counts, rates); use squared_error"
        )


def describe_targets(task, y, names):
    """The targets in a few words, for train's first line of output."""
    shown = io._shorten(names)
    if task == "regression":
        return f"real values in {shown}" if y.ndim == 1 else f"{y.shape[1]} outputs {shown}"
    if y.ndim == 1:
        return f"{len(set(y.tolist()))} classes in {shown}"
    return f"{y.shape[1]} label columns {shown}"


def _sign(scorer):
    """1, or -1 for a ``neg_`` scorer, whose negated error is printed as the error."""
    return -1 if scorer.startswith("neg_") else 1


def scores(task, model, X, y):
    """What train reports for ``task``: one (label, value, format) per metric."""
    return [
        (label, _sign(scorer) * get_scorer(scorer)(model, X, y), fmt)
        for label, scorer, fmt in METRICS[task]
    ]


def cross_validate(task, model, X, y, k):
    """A line that gives the mean and spread of each metric over ``k`` folds.

    The folds are scikit-learn's for ``cv=k``: stratified for a classifier,
    consecutive for a regressor, neither shuffled.
    """
    scorers = [scorer for _, scorer, _ in METRICS[task]]
    quiet = clone(model).set_params(verbose=False)
    # error_score="raise": a bad parameter is the user's to hear about,
    # not a fold score of nan.
    results = model_selection.cross_validate(
        quiet, X, y, cv=k, scoring=scorers, error_score="raise"
    )
    parts = []
    for label, scorer, fmt in METRICS[task]:
        folds = _sign(scorer) * results[f"test_{scorer}"]
        parts.append(
            f"{label}{'' if parts else f' ({k} folds)'}: "
            f"{folds.mean():{fmt}} +/- {folds.std():{fmt}}"
        )
    return "cross-validated " + ", ".join(parts)
