"""The issue's reference: a digits pipeline served by onnxruntime, against scikit-learn.

``python benchmarks/bench_onnx.py`` fits ``make_pipeline(StandardScaler(), est)``
on the digits for ``est`` scikit-learn's ``MLPClassifier()`` and skvanilla's
``VanillaMLPClassifier()`` (their defaults: one hidden layer of 100 ReLU
units, adam, 200 epochs), converts both pipelines with skl2onnx for float32
input, and predicts the probabilities of ``--rows`` digits-like rows (the
1797 digits, tiled) four ways: each pipeline's ``predict_proba`` in Python,
and each graph in onnxruntime.  The runs alternate, ``--repeats`` times, and
the medians are printed, with the worst difference of each graph's
probabilities from its pipeline's.  It needs the ``onnx`` extra.
"""

import argparse
import warnings

import numpy as np
import onnxruntime
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import skvanilla.onnx  # noqa: F401  (registers the converters)
from benchmarks._timing import median, time_alternating
from skvanilla import VanillaMLPClassifier


def session(pipeline, X, threads):
    graph = to_onnx(pipeline, X[:1], options={"zipmap": False})
    settings = onnxruntime.SessionOptions()
    if threads is not None:
        settings.intra_op_num_threads = threads
    sess = onnxruntime.InferenceSession(
        graph.SerializeToString(), settings, providers=["CPUExecutionProvider"]
    )
    return lambda: sess.run(["probabilities"], {"X": X})[0]


def main(argv=None):
    p = argparse.ArgumentParser(prog="python benchmarks/bench_onnx.py", description=__doc__)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS and onnxruntime threads (default: as found)")
    args = p.parse_args(argv)
    X, y = load_digits(return_X_y=True)
    rows = np.resize(X, (args.rows, X.shape[1])).astype(np.float32)
    runs, agreement = {}, {}
    with threadpool_limits(limits=args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, est in [("sklearn", MLPClassifier(random_state=0)),
                          ("skvanilla", VanillaMLPClassifier(random_state=0))]:
            pipeline = make_pipeline(StandardScaler(), est).fit(X, y)
            runs[name] = lambda pipeline=pipeline: pipeline.predict_proba(rows)
            runs[f"{name} in onnxruntime"] = session(pipeline, rows, args.threads)
            agreement[name] = np.abs(runs[f"{name} in onnxruntime"]()
                                     - pipeline.predict_proba(rows)).max()
        seconds = time_alternating(runs, args.repeats)
    print(f"predict_proba on {args.rows} digits-like rows (float32), "
          f"median of {args.repeats}, threads: {args.threads or 'as found'}")
    for name, values in seconds.items():
        print(f"  {name:24s} {median(values):.4f} s")
    for name, error in agreement.items():
        print(f"  {name} in onnxruntime vs {name}: worst probability difference {error:.1e}")


if __name__ == "__main__":
    main()
