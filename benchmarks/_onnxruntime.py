"""onnxruntime as a contender of the prediction workloads, where the onnx extra is installed.

skvanilla's network, fitted as the estimators' contender fits it (one
untimed epoch on ``fit_samples`` rows), is converted with
:mod:`skvanilla.onnx` for the workload's dtype and served by an
onnxruntime session on the CPU; the timed call is one ``run`` over all
rows, asking for the probabilities (the values, for a regressor), as
``predict_proba`` returns them.  onnxruntime cannot train, so it has no
part in the fit workloads.
"""

import importlib.util

from benchmarks._estimators import fit_estimator

#: Threads of onnxruntime's sessions (its intra-op pool); None: its default, every core.
THREADS = {"intra_op": None}


def available():
    """Whether skl2onnx and onnxruntime can be imported (without importing them)."""
    return all(importlib.util.find_spec(name) is not None for name in ("skl2onnx", "onnxruntime"))


def version():
    """onnxruntime's version, or None."""
    if not available():
        return None
    import onnxruntime

    return onnxruntime.__version__


def set_threads(n):
    """Limit every later session to ``n`` threads, as ``--threads`` limits BLAS and torch."""
    THREADS["intra_op"] = n


def onnxruntime_runner(workload, X, y):
    """``make(workload, X, y) -> run`` for onnxruntime; prediction workloads only."""
    import onnxruntime
    from skl2onnx import to_onnx

    import skvanilla.onnx  # noqa: F401  (registers the converters)
    from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor

    cls = VanillaMLPRegressor if workload.regression else VanillaMLPClassifier
    n = workload.fit_samples
    est = fit_estimator(cls, workload, X[:n], y[:n], epochs=1)
    options = None if workload.regression else {"zipmap": False}
    graph = to_onnx(est, X[:1], options=options)
    settings = onnxruntime.SessionOptions()
    if THREADS["intra_op"] is not None:
        settings.intra_op_num_threads = THREADS["intra_op"]
    session = onnxruntime.InferenceSession(
        graph.SerializeToString(), settings, providers=["CPUExecutionProvider"]
    )
    name = session.get_inputs()[0].name
    wanted = [session.get_outputs()[-1].name]  # the probabilities, or the values
    return lambda: session.run(wanted, {name: X})[0]
