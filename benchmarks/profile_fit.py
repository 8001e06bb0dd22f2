"""Where a fit's time goes: ``python -m benchmarks.profile_fit [options]``.

Fits one estimator on one workload of the harness (the same data and
parameters), first plainly for its wall time next to the GEMM floor's, then
under cProfile, and prints the functions that spend the most time of their
own.  A matrix product written ``A @ W`` is no function call: its time is
charged to the Python function whose line it is on.  ``--line`` times such
functions line by line with line_profiler, where it is installed.
"""

import argparse
import cProfile
import importlib
import io
import pstats
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_limits

from benchmarks._cli import DTYPES
from benchmarks._floor import floor_runner
from benchmarks._workloads import default_workloads, make_data
from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor

ESTIMATORS = {"skvanilla": VanillaMLPClassifier, "sklearn": MLPClassifier}
#: For the regression workload.
REGRESSORS = {"skvanilla": VanillaMLPRegressor, "sklearn": MLPRegressor}


def _parser():
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_fit", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", choices=("small", "large", "regression"), default="small")
    p.add_argument("--dtype", choices=tuple(DTYPES), default="float64")
    p.add_argument("--estimator", choices=tuple(ESTIMATORS), default="skvanilla")
    p.add_argument("--epochs", type=int, default=None,
                   help="default: 20 (small), 1 (large, regression)")
    p.add_argument("--samples", type=int, default=None,
                   help="rows of the large and regression workloads (default 60000)")
    p.add_argument("--threads", type=int, default=None,
                   help="limit the BLAS to this many threads; default: as found")
    p.add_argument("--top", type=int, default=25, help="functions listed")
    p.add_argument("--line", action="append", default=[], metavar="MODULE:QUALNAME",
                   help="also time this function line by line (line_profiler), e.g. "
                   "skvanilla._network:backward; may be repeated")
    return p


def _resolve(spec):
    module, _, qualname = spec.partition(":")
    if not qualname:
        raise ValueError(f"--line expects MODULE:QUALNAME, got {spec!r}")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _fit(cls, workload, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cls(**workload.estimator_params()).fit(X, y)


def main(argv=None):
    args = _parser().parse_args(argv)
    with threadpool_limits(limits=args.threads):
        return _main(args)


def _main(args):
    sizes = {} if args.samples is None else {"large_samples": args.samples}
    workload = default_workloads(**sizes)[args.workload]
    epochs = args.epochs or (20 if args.workload == "small" else 1)
    workload = workload.with_epochs(epochs)
    X, y = make_data(workload, DTYPES[args.dtype])
    cls = (REGRESSORS if workload.regression else ESTIMATORS)[args.estimator]
    _fit(cls, workload.shrunk(1000), X[:1000], y[:1000])  # warm-up

    start = time.perf_counter()
    _fit(cls, workload, X, y)
    wall = time.perf_counter() - start
    floor = floor_runner(workload, X, y)
    start = time.perf_counter()
    floor()
    gemm = time.perf_counter() - start
    threads = args.threads or "as found"
    print(f"{args.estimator} fit, {workload.title}, {args.dtype}, {epochs} epochs, "
          f"BLAS threads: {threads}")
    print(f"  wall {wall:.3f} s = {workload.per_unit(wall):.4g} {workload.unit}; "
          f"GEMM floor {gemm:.3f} s = {workload.per_unit(gemm):.4g} {workload.unit}; "
          f"beyond the GEMMs {wall - gemm:.3f} s ({(wall - gemm) / wall:.0%})")

    profiler = cProfile.Profile()
    profiler.runcall(_fit, cls, workload, X, y)
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt
    print(f"\ncProfile: {total:.3f} s in all under the profiler; top {args.top} by own time")
    print(f"{'own s':>8} {'share':>6} {'cum s':>8} {'calls':>8}  function")
    entries = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)
    for (path, line, name), (_, calls, own, cum, _) in entries[: args.top]:
        where = f"{path.rsplit('site-packages/', 1)[-1]}:{line}" if line else path
        print(f"{own:8.3f} {own / total:6.1%} {cum:8.3f} {calls:8d}  {name}  ({where})")

    if args.line:
        _line_profile([_resolve(s) for s in args.line], cls, workload, X, y)
    return 0


def _line_profile(functions, cls, workload, X, y):
    try:
        from line_profiler import LineProfiler
    except ImportError:
        print("\n--line needs line_profiler (pip install line_profiler).")
        return
    profiler = LineProfiler(*functions)
    profiler.runcall(_fit, cls, workload, X, y)
    print()
    profiler.print_stats(output_unit=1e-3, stripzeros=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
