"""The command line: ``python -m benchmarks [options]``."""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import _chart, _inputs, _onnxruntime, _report, _torch
from benchmarks._env import describe, environment
from benchmarks._harness import (
    ESTIMATORS,
    TORCH_FLOOR,
    contenders,
    run_search,
    run_workload,
    torch_contenders,
)
from benchmarks._inputs import run_inputs
from benchmarks._search import ADAM_EPOCHS, SGD_EPOCHS, search_workloads
from benchmarks._workloads import default_workloads

RESULTS = Path(__file__).resolve().parent / "results"
DTYPES = {"float64": np.float64, "float32": np.float32}

#: Sizes of ``--smoke``: every code path, in seconds, to show the harness still runs.
SMOKE = dict(repeats=1, small_samples=300, small_epochs=1, large_samples=300,
             large_epochs=1, predict_samples=500, inputs_samples=300, search_samples=300,
             search_epochs=1, search_adam_epochs=1)
WORKLOADS = ("small", "large", "predict", "inputs", "regression", "regression_predict")
#: Model selection, on request only: at full size each takes minutes (scikit-learn's
#: SGD grid alone some 40 s a repeat on a 2-core machine).
SEARCH_WORKLOADS = ("search_adam", "search_sgd", "cv")
#: Names that stand for several workloads.
ALIASES = {"search": ("search_adam", "search_sgd")}
#: What ``--namespace torch`` times: training and prediction on torch tensors.
TORCH_WORKLOADS = ("large", "predict", "regression", "regression_predict")


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _names(choices, aliases=None):
    """A parser of comma-separated names of ``choices``, each alias replaced by its names."""
    aliases = aliases or {}

    def parse(text):
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in choices and n not in aliases]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of {', '.join([*choices, *aliases])}; "
                f"got {text!r}"
            )
        expanded = [m for n in names for m in aliases.get(n, (n,))]
        return list(dict.fromkeys(expanded))
    return parse


def _sizes(text):
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive layer sizes such as 256,256; got {text!r}"
        )
    return sizes


def parser():
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time skvanilla against scikit-learn's MLPClassifier and MLPRegressor "
        "(same parameters, one process, alternating runs, medians), with the numpy GEMM floor "
        "PyTorch, and onnxruntime serving skvanilla's network.",
    )
    p.add_argument("--workloads", type=_names(WORKLOADS + SEARCH_WORKLOADS, ALIASES),
                   default=list(WORKLOADS),
                   help=f"default: all of {','.join(WORKLOADS)}; on request, model "
                   f"selection on the digits (minutes each): {','.join(SEARCH_WORKLOADS)} "
                   "(search: both grids)")
    p.add_argument("--dtypes", type=_names(tuple(DTYPES)), default=list(DTYPES),
                   help="default: float64,float32")
    p.add_argument("--repeats", type=_positive, default=3, help="timed runs per contender")
    p.add_argument("--small-samples", type=_positive, default=1797,
                   help="digits trained on by the small workload (at most 1797)")
    p.add_argument("--small-epochs", type=_positive, default=20,
                   help="epochs of each fit of the small workload (120 steps each on all digits)")
    p.add_argument("--large-samples", type=_positive, default=60000)
    p.add_argument("--large-epochs", type=_positive, default=1)
    p.add_argument("--large-hidden", type=_sizes, default=(256, 256),
                   help="hidden layers of the large, predict, inputs and regression workloads")
    p.add_argument("--predict-samples", type=_positive, default=100000)
    p.add_argument("--inputs-samples", type=_positive, default=20000,
                   help="rows fitted and predicted on each input layout")
    p.add_argument("--regression-outputs", type=_positive, default=1,
                   help="real outputs of the regression workloads, which otherwise take the "
                   "sizes of large (fit) and predict (inference)")
    p.add_argument("--search-samples", type=_positive, default=1797,
                   help="digits of the model selection workloads (at most 1797)")
    p.add_argument("--search-epochs", type=_positive, default=SGD_EPOCHS,
                   help="epochs of each SGD fit of search_sgd and cv")
    p.add_argument("--search-adam-epochs", type=_positive, default=ADAM_EPOCHS,
                   help="at most this many epochs per fit of search_adam (default: "
                   "MLPClassifier's max_iter, with its stopping rule)")
    p.add_argument("--threads", type=_positive, default=None,
                   help="limit BLAS (and torch and onnxruntime) to this many threads; "
                   "default: as found")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    p.add_argument("--no-onnx", action="store_true",
                   help="leave onnxruntime out (of the prediction workloads)")
    p.add_argument("--namespace", choices=("numpy", "torch"), default="numpy",
                   help="torch: time skvanilla on torch tensors (scikit-learn's Array API "
                   "dispatch) against the plain PyTorch loop on --device, the floor there; "
                   f"workloads {','.join(TORCH_WORKLOADS)} (default: large,predict)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="the device of --namespace torch (default: cpu)")
    p.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    p.add_argument("--out", type=Path, default=None,
                   help=f"folder of results.json/.csv, table.txt, benchmark.png "
                   f"(default: {RESULTS}, or a temporary folder with --smoke)")
    p.add_argument("--chart", type=Path, default=None,
                   help="path of the chart (default: OUT/benchmark.png)")
    p.add_argument("--smoke", action="store_true",
                   help="tiny sizes and one repeat: checks that the harness runs, "
                   "measures nothing")
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    if args.namespace == "torch":
        if args.no_torch or not _torch.available():
            p.error("--namespace torch needs PyTorch (pip install -e '.[array-api]')")
        if args.workloads == list(WORKLOADS):
            args.workloads = ["large", "predict"]
        other = [w for w in args.workloads if w not in TORCH_WORKLOADS]
        if other:
            p.error(f"--namespace torch times {','.join(TORCH_WORKLOADS)}; not {','.join(other)}")
    elif args.device != "cpu":
        p.error("--device cuda needs --namespace torch (numpy computes on the CPU)")
    if args.smoke:
        defaults = parser().parse_args([])
        for key, value in SMOKE.items():
            # Only the sizes left at their defaults shrink.
            if getattr(args, key) == getattr(defaults, key):
                setattr(args, key, value)
    out = args.out or (Path(tempfile.mkdtemp(prefix="skvanilla-bench-")) if args.smoke
                       else RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    if args.threads is not None and not args.no_torch and _torch.available():
        import torch

        torch.set_num_threads(args.threads)
    if args.threads is not None:
        _onnxruntime.set_threads(args.threads)
    with threadpool_limits(limits=args.threads):
        return _run(args, out)


def _run(args, out):
    env = environment(use_torch=not args.no_torch, use_onnx=not args.no_onnx)
    print(describe(env), flush=True)
    workloads = default_workloads(
        small_samples=args.small_samples, small_epochs=args.small_epochs,
        large_samples=args.large_samples,
        large_epochs=args.large_epochs, large_hidden=args.large_hidden,
        predict_samples=args.predict_samples, inputs_samples=args.inputs_samples,
        regression_outputs=args.regression_outputs,
    )
    workloads.update(search_workloads(n_samples=args.search_samples,
                                      sgd_epochs=args.search_epochs,
                                      adam_epochs=args.search_adam_epochs))
    on_torch = args.namespace == "torch"
    makers = (torch_contenders(args.device) if on_torch
              else contenders(use_torch=not args.no_torch, use_onnx=not args.no_onnx))
    rows, input_rows = [], []
    for name in args.workloads:
        for dtype in args.dtypes:
            log = lambda msg: print(msg, flush=True)  # noqa: E731
            if name == "inputs":
                input_rows += run_inputs(workloads[name], DTYPES[dtype], ESTIMATORS,
                                         args.repeats, log=log)
            elif name in SEARCH_WORKLOADS:
                rows += run_search(workloads[name], DTYPES[dtype], args.repeats, log=log)
            else:
                rows += run_workload(
                    workloads[name], DTYPES[dtype], makers, args.repeats,
                    memory=not (args.no_memory or on_torch), log=log,
                    **({"floor": TORCH_FLOOR} if on_torch else {}),
                )
    scores = _report.search_scores(rows)
    text = "\n\n".join(
        [_report.table(rows)] * bool(rows) + [scores] * bool(scores)
        + [_inputs.table(input_rows)] * bool(input_rows)
    )
    print()
    print(text)
    rows += input_rows
    settings = {k: (list(v) if isinstance(v, tuple) else v)
                for k, v in vars(args).items() if k not in ("out", "chart")}
    settings["loadavg_after"] = list(os.getloadavg())
    _report.write_json(out / "results.json", env, settings, rows)
    _report.write_csv(out / "results.csv", rows)
    (out / "table.txt").write_text(describe(env) + "\n\n" + text + "\n")
    written = [out / name for name in ("results.json", "results.csv", "table.txt")]
    charted = _chart.charted(rows)
    if charted and _chart.available():
        chart = args.chart or out / "benchmark.png"
        chart.parent.mkdir(parents=True, exist_ok=True)
        _chart.draw(charted, chart, subtitle=_chart.subtitle(env))
        written.append(chart)
    elif charted:
        print("matplotlib is not installed (pip install -e '.[bench]'): no chart.",
              file=sys.stderr)
    print("\nwrote " + ", ".join(map(str, written)))
    return 0
