"""The ``inputs`` workload: one network, fitted and used on every layout a user passes.

The same values reach the estimators as a C-ordered array, a Fortran-ordered
one, a strided view, pandas DataFrames, integer and boolean arrays, and CSR,
CSC and COO matrices.  Each layout is timed for both estimators, and every
timing is set against scikit-learn's on the same layout and against
skvanilla's on the C-ordered array: a layout should cost nothing.
"""

from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array

from benchmarks._estimators import fit_estimator
from benchmarks._timing import median, time_alternating
from benchmarks._workloads import SEED
from skvanilla._inputs import is_integer_array

#: The layout every other one is set against.
REFERENCE_LAYOUT = "C-ordered"
#: The pseudo-contender that times the conversion ``fit`` makes of a layout.
CONVERSION = "conversion"


def _strided_view(X):
    """Every other column of a table twice as wide: load_digits() hands out such a view."""
    wide = np.empty((X.shape[0], 2 * X.shape[1]), dtype=X.dtype)
    wide[:, ::2] = X
    return wide[:, ::2]


def _dataframe(X):
    import pandas as pd

    return pd.DataFrame(X)


#: Name to ``(make(X) -> input, dtypes it applies to)``.  ``X`` is C-ordered,
#: integer-valued and mostly zeros, in the dtype being timed; integer and
#: boolean data come from the float64 values.
LAYOUTS = {
    REFERENCE_LAYOUT: (np.ascontiguousarray, ("float64", "float32")),
    "Fortran-ordered": (np.asfortranarray, ("float64", "float32")),
    "strided view": (_strided_view, ("float64", "float32")),
    "DataFrame": (_dataframe, ("float64", "float32")),
    "int64": (lambda X: X.astype(np.int64), ("float64",)),
    "uint8": (lambda X: X.astype(np.uint8), ("float64",)),
    "bool": (lambda X: X > 0, ("float64",)),
    "CSR": (sp.csr_matrix, ("float64", "float32")),
    "CSC": (sp.csc_matrix, ("float64", "float32")),
    "COO": (sp.coo_matrix, ("float64", "float32")),
}


def make_data(n_samples, n_features, n_classes, dtype, density=0.3):
    """Small integers (0 to 3), ``density`` of them non-zero, and uniform labels.

    Integer values make the integer and boolean layouts meaningful, and the
    zeros make the sparse ones; the dense layouts do not care.
    """
    rng = np.random.default_rng(SEED)
    values = rng.integers(0, 4, (n_samples, n_features))
    values *= rng.random((n_samples, n_features)) < density
    return values.astype(dtype), rng.integers(0, n_classes, n_samples)


def layouts_for(dtype, names=None):
    names = names or list(LAYOUTS)
    return [n for n in names if np.dtype(dtype).name in LAYOUTS[n][1]]


def run_inputs(workload, dtype, classes, repeats, log=print):
    """Time fit and predict_proba of each estimator on each layout; one row per timing.

    Parameters
    ----------
    workload : Workload
        Gives the network, batch size, epochs and rows (``n_samples``).
    dtype : numpy dtype
    classes : dict
        ``"skvanilla"`` and ``"sklearn"`` to the estimator classes.
    repeats : int

    Returns
    -------
    list of dict
    """
    X, y = make_data(workload.n_samples, workload.n_features, workload.n_classes, dtype)
    inputs = {name: LAYOUTS[name][0](X) for name in layouts_for(dtype)}
    warm = workload.shrunk(1000)
    # The copy fit makes of a layout (none for C-ordered rows of its dtype, or
    # CSR), timed alone in the same alternation: what is left of a layout's
    # cost once the copy is set aside is the gather and the products.
    runs = {(name, CONVERSION, "fit"): partial(_conversion, data, dtype)
            for name, data in inputs.items()}
    for contender, cls in classes.items():
        # Predictions come from one model per estimator, fitted (untimed) on
        # the C-ordered rows, so that only the layout of what is predicted varies.
        model = fit_estimator(cls, workload, X[:1000], y[:1000], epochs=1)
        for name, data in inputs.items():
            fit_estimator(cls, warm, _head(data, 1000), y[:1000])
            runs[name, contender, "fit"] = partial(fit_estimator, cls, workload, data, y)
            runs[name, contender, "predict"] = partial(model.predict_proba, data)
    log(f"  inputs {np.dtype(dtype).name}: {len(inputs)} layouts, {repeats} alternating "
        "repeats ...")
    seconds = time_alternating(runs, repeats)
    return _rows(workload, dtype, seconds)


def _conversion(data, dtype):
    """The rows ``fit`` trains on: ``data`` as a C-ordered ``dtype`` array, or CSR.

    An integer or boolean array stays in its own dtype (made C-ordered if it
    is not): ``fit`` casts it a batch at a time.
    """
    if is_integer_array(data):
        dtype = None
    return check_array(data, accept_sparse="csr", dtype=dtype, order="C")


def _head(data, n):
    """The first ``n`` rows, in the same layout (COO has no row slicing of its own)."""
    if sp.issparse(data):
        return data.tocsr()[:n].asformat(data.format)
    return data[:n]


def _rows(workload, dtype, seconds):
    medians = {key: median(s) for key, s in seconds.items()}
    rows = []
    for (layout, contender, task), values in seconds.items():
        if contender == CONVERSION:
            continue
        rows.append({
            "workload": "inputs",
            "title": f"input layouts: fit ({workload.n_samples} rows, {workload.epochs} epoch) "
                     "and predict_proba",
            "dtype": np.dtype(dtype).name,
            "layout": layout,
            "task": task,
            "contender": contender,
            "unit": "s",
            "time": medians[layout, contender, task],
            "best": min(values),
            "times": values,
            "vs_sklearn": medians[layout, contender, task] / medians[layout, "sklearn", task],
            "vs_c_ordered": (medians[layout, contender, task]
                             / medians[REFERENCE_LAYOUT, "skvanilla", task]),
            "conversion": medians.get((layout, CONVERSION, task)),
            "n_samples": workload.n_samples,
            "epochs": workload.epochs,
            "batch_size": workload.batch_size,
            "hidden": list(workload.hidden),
        })
    return rows


INPUT_COLUMNS = ("dtype", "layout", "task", "skvanilla s", "sklearn s", "vs sklearn",
                 "vs C-ordered", "conversion s")


def table(rows):
    """One line per dtype, layout and task: skvanilla's and sklearn's medians and the ratios.

    ``vs sklearn`` is skvanilla's median over scikit-learn's on the same
    layout; ``vs C-ordered`` over skvanilla's own on the C-ordered array;
    ``conversion s`` the median time of the copy ``fit`` makes of the layout
    (part of skvanilla's fit time, timed alone).
    """
    ours = {(r["dtype"], r["layout"], r["task"]): r for r in rows if r["contender"] == "skvanilla"}
    theirs = {(r["dtype"], r["layout"], r["task"]): r for r in rows if r["contender"] == "sklearn"}
    dtypes = list(dict.fromkeys(key[0] for key in ours))
    # Grouped by dtype (in the order run) and task, layouts in LAYOUTS' order.
    keys = sorted(ours, key=lambda key: (dtypes.index(key[0]), key[2]))
    cells = [INPUT_COLUMNS] + [
        (*key, f"{ours[key]['time']:.3f}", f"{theirs[key]['time']:.3f}",
         f"{ours[key]['vs_sklearn']:.2f}", f"{ours[key]['vs_c_ordered']:.2f}",
         "" if ours[key]["conversion"] is None else f"{ours[key]['conversion']:.3f}")
        for key in keys
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(INPUT_COLUMNS))]

    def line(row):
        return "  ".join(c.rjust(w) if i > 2 else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    for previous, row in zip([None, *cells[1:]], cells[1:]):
        if previous is not None and (previous[0], previous[2]) != (row[0], row[2]):
            out.append("")
        out.append(line(row))
    return "\n".join(out)
