"""What the command line reads and writes: tables of data, and model files.

A table is a CSV file with a header row, or one of the datasets that ship
with scikit-learn.  Every problem with the user's input is raised as
:class:`CLIError`, whose message is one line that names the file, column or
row at fault; the command line prints it and exits non-zero.

Only the standard library, numpy and scikit-learn are needed to read data;
skops is imported when a model is saved or loaded.
"""

import csv
import os
import zipfile
from typing import NamedTuple

import numpy as np
from sklearn import datasets

#: Datasets that ship with scikit-learn and may stand for a CSV file.
BUILTIN_DATASETS = {
    "digits": datasets.load_digits,
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
}

#: The name of the label column of a built-in dataset.
BUILTIN_TARGET = "target"


class CLIError(Exception):
    """Bad input to the command line, described in one line."""


class Table(NamedTuple):
    """Named columns of equal length.

    ``cells`` holds strings for a CSV file and numbers for a built-in
    dataset; :func:`numeric_columns` turns either into a float matrix.  The
    strings are of numpy's variable-width ``StringDType``: a fixed-width
    array would give every cell the width of the longest one, so that one
    long text cell (in a column dropped with ``--drop``, say) multiplied the
    memory of the whole table.
    """

    source: str
    columns: list
    cells: np.ndarray
    builtin: bool


def _shorten(names, limit=8):
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def read_table(source):
    """Read a CSV file, or load a built-in dataset by name.

    A file of that name wins over a built-in dataset.

    Parameters
    ----------
    source : str
        A path to a CSV file with a header row, or one of
        ``digits``, ``iris``, ``wine``, ``breast_cancer``.

    Returns
    -------
    Table

    Examples
    --------
    >>> table = read_table("iris")
    >>> table.cells.shape, table.columns[-1]
    ((150, 5), 'target')
    """
    if os.path.isfile(source):
        return _read_csv(source)
    if source in BUILTIN_DATASETS:
        bunch = BUILTIN_DATASETS[source]()
        cells = np.column_stack([bunch.data, bunch.target])
        return Table(source, [*map(str, bunch.feature_names), BUILTIN_TARGET], cells, True)
    if os.path.exists(source):
        raise CLIError(f"{source}: not a file")
    raise CLIError(
        f"{source}: no such file, and not a built-in dataset "
        f"({', '.join(BUILTIN_DATASETS)})"
    )


def _read_csv(path):
    try:
        # utf-8-sig: spreadsheets often start their CSV files with a byte-order mark.
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError:
        raise CLIError(f"{path}: not a UTF-8 text file; expected a CSV file") from None
    except csv.Error as exc:
        raise CLIError(f"{path}: not a readable CSV file ({exc})") from None
    except OSError as exc:
        raise CLIError(f"{path}: cannot be read ({exc.strerror})") from None
    rows = [row for row in rows if row]  # a trailing blank line is not a row
    if not rows:
        raise CLIError(f"{path}: empty file; expected a header row and data rows")
    header, body = [name.strip() for name in rows[0]], rows[1:]
    if not body:
        raise CLIError(f"{path}: has a header but no data rows")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise CLIError(f"{path}: duplicate column names {_shorten(duplicates)}")
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise CLIError(
                f"{path}: line {line} has {len(row)} fields but the header has {len(header)}"
            )
    return Table(path, header, np.array(body, dtype=np.dtypes.StringDType()), False)


def column_index(table, name):
    """The position of column ``name``, or a :class:`CLIError` listing the columns."""
    if name not in table.columns:
        raise CLIError(
            f"{table.source}: no column {name!r}; its columns are {_shorten(table.columns)}"
        )
    return table.columns.index(name)


def numeric_columns(table, indices, role="feature"):
    """The columns at ``indices`` as a float matrix of shape (n_rows, len(indices)).

    ``role`` (``"feature"`` or ``"target"``) names the columns in the error.

    Raises
    ------
    CLIError
        Naming the first column that holds a value that is not a number, and
        the row and value.
    """
    out = np.empty((table.cells.shape[0], len(indices)))
    for j, index in enumerate(indices):
        column = table.cells[:, index]
        if table.builtin:
            out[:, j] = column
            continue
        column = np.char.strip(column)
        try:
            out[:, j] = column.astype(np.float64)
        except ValueError:
            row = next(i for i, v in enumerate(column) if not is_number(v))
            hint = (
                "drop it with --drop or encode it as numbers" if role == "feature"
                else "regression needs numbers; for class labels use --task classification"
            )
            raise CLIError(
                f"{table.source}: {role} column {table.columns[index]!r} is not numeric "
                f"(line {row + 2}: {str(column[row])!r}); {hint}"
            ) from None
    return out


def target_values(table, indices):
    """The target columns at ``indices`` as floats: 1-D for one column, else 2-D.

    Raises
    ------
    CLIError
        Naming the first target value that is not a finite number (an empty
        cell, text, ``nan``, ``inf``), with its column and line.
    """
    values = numeric_columns(table, indices, role="target")
    bad = ~np.isfinite(values)
    if bad.any():
        row, j = np.argwhere(bad)[0]
        raise CLIError(
            f"{table.source}: target column {table.columns[indices[j]]!r} has "
            f"{str(table.cells[row, indices[j]]).strip()!r} on line {row + 2}; "
            "regression needs a finite number in every row"
        )
    return values[:, 0] if len(indices) == 1 else values


def is_number(text):
    """Whether ``text`` reads as a float (``nan`` and ``inf`` do)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def labels(table, index):
    """The labels in column ``index``: integers when every one is a whole number.

    Labels are read as values, as scikit-learn sees them once numbers are
    read: ``1``, ``1.0`` and ``1e0`` are one class, the integer 1.  Integer
    labels keep their numeric order in ``classes_`` (``2`` before ``10``);
    anything else (text, or numbers that are not all whole) is kept as text.

    Raises
    ------
    CLIError
        For whole numbers beyond 64-bit integers, which no array of labels
        holds exactly.
    """
    column = table.cells[:, index]
    if table.builtin:
        return column.astype(np.int64)
    texts, inverse = np.unique(np.char.strip(column), return_inverse=True)
    values = [_whole_number(text) for text in texts.tolist()]
    if any(value is None for value in values):
        return np.array(texts.tolist(), dtype=str)[inverse]
    for dtype in (np.int64, np.uint64):
        limits = np.iinfo(dtype)
        if all(limits.min <= value <= limits.max for value in values):
            return np.array(values, dtype=dtype)[inverse]
    big = next(t for t, v in zip(texts.tolist(), values) if not -(2**63) <= v < 2**64)
    raise CLIError(
        f"{table.source}: label {big!r} in column {table.columns[index]!r} is beyond "
        "64-bit integers; give labels that large as text (with a letter in them)"
    )


def _whole_number(text):
    """The integer ``text`` spells (``"3"``, ``"3.0"``, ``"3e0"``), or None."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if np.isfinite(value) and value.is_integer() else None


def split_columns(table, targets, drop=()):
    """The positions of the target columns, and of the feature columns with their names.

    Parameters
    ----------
    table : Table
    targets : sequence of str
        The target columns (one, or one per output).
    drop : sequence of str
        Columns that are neither features nor targets (identifiers, say).

    Returns
    -------
    target_indices : list of int
    feature_indices : list of int
    feature_names : list of str

    Examples
    --------
    >>> targets, features, names = split_columns(read_table("wine"), ["target"])
    >>> targets, len(features), names[0]
    ([13], 13, 'alcohol')
    """
    target_indices = [column_index(table, name) for name in targets]
    duplicates = sorted({name for name in targets if list(targets).count(name) > 1})
    if duplicates:
        raise CLIError(f"{table.source}: target column {duplicates[0]!r} is named twice")
    left_out = {*target_indices, *(column_index(table, name) for name in drop)}
    indices = [i for i in range(len(table.columns)) if i not in left_out]
    if not indices:
        raise CLIError(
            f"{table.source}: no feature columns are left besides {_shorten(list(targets))}"
        )
    return target_indices, indices, [table.columns[i] for i in indices]


def features(table, n_features, drop=(), names=None):
    """The feature matrix for a model trained on ``n_features`` columns.

    With ``names`` (the columns the model was trained on, see
    :func:`feature_names`), the columns are taken by name, in that order,
    whatever their order in the table, and other columns are left out.
    Without, the columns are taken by position: a built-in dataset's label
    column is left out; any other column that is not a feature must be
    named in ``drop``.
    """
    if names is not None:
        missing = [name for name in names if name not in table.columns]
        if missing:
            raise CLIError(
                f"{table.source}: lacks the column(s) {_shorten(missing)} the model was "
                f"trained on; its columns are {_shorten(table.columns)}"
            )
        return numeric_columns(table, [table.columns.index(name) for name in names])
    left_out = {column_index(table, name) for name in drop}
    if table.builtin:
        left_out.add(table.columns.index(BUILTIN_TARGET))
    indices = [i for i in range(len(table.columns)) if i not in left_out]
    if len(indices) != n_features:
        hint = " (leave out label or identifier columns with --drop COLUMN)"
        raise CLIError(
            f"{table.source}: has {len(indices)} feature columns but the model was trained "
            f"on {n_features}" + (hint if len(indices) > n_features else "")
        )
    return numeric_columns(table, indices)


# ---------------------------------------------------------------------------
# Model files
# ---------------------------------------------------------------------------


def _skops_io():
    try:
        import skops.io
    except ImportError:
        raise CLIError(
            "model files are written with skops, which is not installed; "
            "install it with: pip install 'skvanilla[persist]'"
        ) from None
    return skops.io


def check_writable(path, example="model.skops"):
    """Fail before training, not after, if the model cannot be saved to ``path``.

    ``example`` is the kind of file name to suggest; a ``.skops`` file needs skops.
    """
    if example.endswith(".skops"):
        _skops_io()
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"{path}: cannot save the model there, no directory {directory!r}")
    if os.path.isdir(path):
        raise CLIError(f"{path}: is a directory; give a file name such as {example}")


def save_model(model, path):
    """Write ``model`` to ``path`` in skops' format."""
    try:
        _skops_io().dump(model, path)
    except OSError as exc:
        raise CLIError(f"{path}: cannot write the model ({exc.strerror})") from None


def load_model(path, model_class):
    """Load a fitted model of ``model_class`` from a skops file, trusting nothing else.

    The file lists the types it needs; any that are not skvanilla's own are
    refused before anything is built, so a crafted file cannot make the
    loader construct foreign objects.

    Parameters
    ----------
    path : str
    model_class : type or tuple of types
        The class the loaded object must be an instance of, or the classes
        it may be an instance of.

    Returns
    -------
    model : an instance of model_class
    """
    sio = _skops_io()
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such model file")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise CLIError(
            f"{path}: not a model file (expected one saved by 'skvanilla train --out')"
        ) from None
    foreign = [name for name in untrusted if name.split(".")[0] != "skvanilla"]
    if foreign:
        raise CLIError(
            f"{path}: refusing to load types that are not skvanilla's: {_shorten(foreign)}"
        )
    try:
        model = sio.load(path, trusted=untrusted)
    # The file's contents are outside our control: whatever fails while they
    # are rebuilt is a bad file, reported as such rather than as a crash.
    except Exception as exc:
        raise CLIError(f"{path}: the model file is damaged or not skvanilla's ({exc})") from None
    classes = model_class if isinstance(model_class, tuple) else (model_class,)
    if not isinstance(model, classes):
        expected = " or ".join(cls.__name__ for cls in classes)
        raise CLIError(f"{path}: holds a {type(model).__name__}, not a {expected}")
    if not hasattr(model, "coefs_"):
        raise CLIError(f"{path}: holds a {type(model).__name__} that was never fitted")
    problem = _weights_problem(model)
    if problem:
        raise CLIError(f"{path}: the model file is damaged ({problem})")
    return model


def _weights_problem(model):
    """What is wrong with the layers of a loaded ``model``, or None.

    A file that skops reads may still hold weights that do not make a
    network (edited, or truncated by hand); predicting would fail deep in
    the forward pass.
    """
    coefs, intercepts = getattr(model, "coefs_", None), getattr(model, "intercepts_", None)
    if not isinstance(coefs, list) or not isinstance(intercepts, list) or not coefs:
        return "coefs_ and intercepts_ must be non-empty lists of arrays"
    if len(coefs) != len(intercepts) or len(coefs) != getattr(model, "n_layers_", 0) - 1:
        return "the numbers of weight matrices, bias vectors and layers disagree"
    units = [getattr(model, "n_features_in_", None)]
    for W, b in zip(coefs, intercepts):
        if not (isinstance(W, np.ndarray) and isinstance(b, np.ndarray)):
            return "coefs_ and intercepts_ must hold numpy arrays"
        if W.ndim != 2 or W.shape[0] != units[-1] or b.shape != (W.shape[1],):
            return f"layer {len(units)} has weights of shape {W.shape} and biases {b.shape}"
        units.append(W.shape[1])
    if units[-1] != getattr(model, "n_outputs_", None):
        return f"the output layer has {units[-1]} units for n_outputs_={model.n_outputs_}"
    names = getattr(model, "feature_names_in_", None)
    if names is not None and len(names) != units[0]:
        return f"{len(names)} feature names for {units[0]} features"
    return None


def name_features(model, names):
    """Record on a fitted ``model`` the columns it was trained on, as their names.

    scikit-learn records them so (``feature_names_in_``) for a DataFrame;
    the command line reads plain arrays, and ``predict`` takes the columns
    of its table by these names (:func:`features`).
    """
    model.feature_names_in_ = np.asarray(names, dtype=object)


def take_feature_names(model):
    """The names of the training columns, removed from ``model``, or None.

    Removed, because the command line passes the columns, taken by name,
    as a plain array, which the model would take for one without names and
    warn about.
    """
    names = vars(model).pop("feature_names_in_", None)
    return None if names is None else [str(name) for name in names]


def write_csv(stream, header, rows):
    """Write a header and rows as CSV to ``stream``."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
