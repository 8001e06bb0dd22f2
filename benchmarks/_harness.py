"""Run the workloads: data, contenders, warm-up, alternating timings, memory."""

import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor

from benchmarks import _onnxruntime, _torch
from benchmarks._array_api import skvanilla_torch_runner
from benchmarks._estimators import estimator_runner
from benchmarks._floor import floor_runner
from benchmarks._search import load_data, measure
from benchmarks._timing import median, peak_memory, time_alternating
from benchmarks._workloads import make_data
from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor

#: The reference every ratio is taken against.
REFERENCE = "sklearn"
FLOOR = "gemm floor"
ONNXRUNTIME = "onnxruntime"

#: The two estimators, for workloads that time nothing else.
ESTIMATORS = {"skvanilla": VanillaMLPClassifier, REFERENCE: MLPClassifier}
#: Their regressors, for the workloads with real targets.
REGRESSORS = {"skvanilla": VanillaMLPRegressor, REFERENCE: MLPRegressor}

#: Rows of the warm-up run: enough for a few batches of every workload.
WARMUP_ROWS = 1000

#: The contenders and the floor of ``--namespace torch``.
ON_TORCH, TORCH_FLOOR = "skvanilla on torch", "torch"

#: Contenders whose memory tracemalloc cannot see: their buffers are allocated outside Python.
UNTRACED = {TORCH_FLOOR, ON_TORCH, ONNXRUNTIME}


def torch_contenders(device):
    """``--namespace torch``: skvanilla on torch tensors, scikit-learn, the plain torch loop.

    The plain PyTorch loop on ``device`` is the floor of that device;
    scikit-learn (numpy, CPU) stays the reference of ``vs sklearn``.
    """
    return {
        ON_TORCH: skvanilla_torch_runner(device),
        REFERENCE: estimator_runner(ESTIMATORS[REFERENCE], REGRESSORS[REFERENCE]),
        TORCH_FLOOR: _torch.runner_on(device),
    }


def contenders(use_torch=True, use_onnx=True):
    """Name to factory ``make(workload, X, y) -> run``, in table order.

    onnxruntime only predicts: :func:`run_workload` leaves it out of the fit workloads.
    """
    makers = {
        **{name: estimator_runner(ESTIMATORS[name], REGRESSORS[name]) for name in ESTIMATORS},
        FLOOR: floor_runner,
    }
    if use_torch and _torch.available():
        makers["torch"] = _torch.torch_runner
    if use_onnx and _onnxruntime.available():
        makers[ONNXRUNTIME] = _onnxruntime.onnxruntime_runner
    return makers


def run_workload(workload, dtype, makers, repeats, memory=True, log=print, floor=FLOOR):
    """Time one workload in one dtype; return one result dict per contender.

    ``floor`` names the contender of the ``x floor`` column.
    """
    if workload.task != "predict":
        makers = {name: make for name, make in makers.items() if name != ONNXRUNTIME}
    X, y = make_data(workload, dtype)
    # One short run each first: imports, first calls and lazily built state
    # are not charged to the first timed repeat.
    warm = workload.shrunk(WARMUP_ROWS)
    for make in makers.values():
        make(warm, X[:WARMUP_ROWS], y[:WARMUP_ROWS])()
    runs = {name: make(workload, X, y) for name, make in makers.items()}
    log(f"  {workload.name} {np.dtype(dtype).name}: {repeats} alternating repeats ...")
    seconds = time_alternating(runs, repeats)
    del runs
    peaks = _peaks(workload, X, y, makers) if memory else {}
    return _rows(workload, dtype, seconds, peaks, floor)


def run_search(workload, dtype, repeats, log=print):
    """Time one model selection workload in one dtype; return one result dict per contender.

    Parameters
    ----------
    workload : benchmarks._search.SearchWorkload
    dtype : numpy dtype
        Of the digits searched on.
    repeats : int
    log : callable

    Returns
    -------
    list of dict
        The rows of :func:`run_workload` (``time`` in seconds per search;
        no peak memory), one per search and one for the GEMM floor, each
        with ``vs_sklearn_vanilla`` (over scikit-learn's search over
        ``VanillaMLPClassifier``) and ``equal_scores`` (whether every search
        found the same scores).
    """
    X, y = load_data(workload.n_samples, dtype)
    log(f"  {workload.name} {np.dtype(dtype).name}: {repeats} alternating repeats ...")
    found = measure(workload.kind, X, y, repeats, workload.sgd_epochs, workload.adam_epochs)
    if not found.equal_scores:
        log(f"  {workload.name} {np.dtype(dtype).name}: the searches' scores differ")
    # The floor is computed, not timed alongside: it counts as one run.
    seconds = {**found.seconds, FLOOR: [found.floor]}
    rows = _rows(workload, dtype, seconds, {})
    vanilla = median(seconds["sklearn+vanilla"])
    for row in rows:
        row["vs_sklearn_vanilla"] = median(seconds[row["contender"]]) / vanilla
        row["equal_scores"] = found.equal_scores
    return rows


def _peaks(workload, X, y, makers):
    """Peak memory of one call per contender that tracemalloc can see.

    A fit is measured over one epoch: what it allocates per batch or per
    epoch peaks within the first one.
    """
    once = workload.with_epochs(1) if workload.task == "fit" else workload
    return {
        name: peak_memory(make(once, X, y))
        for name, make in makers.items()
        if name not in UNTRACED
    }


def _rows(workload, dtype, seconds, peaks, floor=FLOOR):
    medians = {name: median(s) for name, s in seconds.items()}
    rows = []
    for name, values in seconds.items():
        peak = peaks.get(name)
        rows.append({
            "workload": workload.name,
            "title": workload.title,
            "dtype": np.dtype(dtype).name,
            "contender": name,
            "unit": workload.unit,
            "time": workload.per_unit(medians[name]),
            "best": workload.per_unit(min(values)),
            "times": [workload.per_unit(s) for s in values],
            "vs_sklearn": medians[name] / medians[REFERENCE],
            "x_floor": medians[name] / medians[floor],
            "not_gemm": workload.per_unit(medians[name] - medians[floor]),
            "peak_mib": None if peak is None else peak / 2**20,
            "n_samples": workload.n_samples,
            "epochs": None if workload.task == "predict" else workload.epochs,
            "batch_size": workload.batch_size,
            "hidden": list(workload.hidden),
        })
    return rows
