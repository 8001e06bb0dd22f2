"""Threads: the large network's training at each thread count, against its GEMM floor.

``python benchmarks/bench_threads.py`` trains the large network of the
default benchmark (784-256-256-10, batch 256, ``--epochs`` epochs of
``--samples`` random rows) with SGD (momentum 0.9, Nesterov's) and with
Adam, in float64 and float32, at each thread count of ``--threads``
(default: 1, 2, 4 ... up to the machine's CPUs, and all of them), under
``threadpoolctl.threadpool_limits`` (and ``torch.set_num_threads``):

- ``skvanilla``: ``VanillaMLPClassifier.fit``;
- ``sklearn``: ``MLPClassifier.fit`` with the same parameters;
- ``torch``: the same network and optimizer in PyTorch's CPU build (when
  installed, and unless ``--no-torch``);
- ``gemm floor``: only the matrix products of those epochs (see
  ``benchmarks/_floor.py``): no implementation in the same BLAS can be faster.

The runs alternate, ``--repeats`` times (see ``_timing.time_alternating``),
and the table gives medians: seconds per fit, each contender's time over the
floor's (``x floor``), and ``not GEMM``, the seconds a contender spends
beyond the floor -- activations, loss, the gradient's element-wise end, the
optimizer's passes over the parameters, gathering the shuffled rows.  That
is the time that threads over blocks of the parameters (``skvanilla._blocks``)
are there to shrink as the products do.

``--out`` writes the rows as JSON (every repeat included) and the table as
text next to it (``.txt``).
"""

import argparse
import dataclasses
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

# Run as a script, Python puts benchmarks/ itself first on the path.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks import _torch  # noqa: E402
from benchmarks._estimators import estimator_runner  # noqa: E402
from benchmarks._floor import floor_runner  # noqa: E402
from benchmarks._harness import ESTIMATORS, FLOOR, REFERENCE, REGRESSORS  # noqa: E402
from benchmarks._timing import median, time_alternating  # noqa: E402
from benchmarks._workloads import default_workloads, make_data  # noqa: E402

DTYPES = {"float64": np.float64, "float32": np.float32}


def thread_counts(text, cpus):
    """``"1,2,all"`` as thread counts (``all``: the machine's CPUs), each once, in order."""
    counts = []
    for word in text.split(","):
        n = cpus if word.strip() == "all" else int(word)
        if n < 1:
            raise argparse.ArgumentTypeError(f"thread counts are positive, got {word!r}")
        if n not in counts:
            counts.append(n)
    return counts


def _default_threads(cpus):
    counts, n = [], 1
    while n < cpus:
        counts.append(str(n))
        n *= 2
    return ",".join([*counts, "all"])


def contenders(use_torch):
    makers = {name: estimator_runner(ESTIMATORS[name], REGRESSORS[name]) for name in ESTIMATORS}
    makers[FLOOR] = floor_runner
    if use_torch and _torch.available():
        makers["torch"] = _torch.torch_runner
    return makers


def measure(workload, dtype, makers, repeats):
    """Median seconds per fit of each contender, and every repeat."""
    X, y = make_data(workload, dtype)
    warm = workload.shrunk(1000)
    for make in makers.values():
        make(warm, X[:1000], y[:1000])()
    seconds = time_alternating({name: make(workload, X, y) for name, make in makers.items()},
                               repeats)
    return {name: (median(values), values) for name, values in seconds.items()}


def table(rows):
    """The rows as aligned text."""
    head = (f"{'threads':>7}  {'dtype':7}  {'solver':6}  {'contender':10}  {'seconds':>8}  "
            f"{'x floor':>7}  {'not GEMM':>8}  {'vs sklearn':>10}")
    lines, previous = [head, "-" * len(head)], None
    for r in rows:
        group = (r["threads"], r["dtype"], r["solver"])
        if previous is not None and group != previous:
            lines.append("")
        previous = group
        lines.append(
            f"{r['threads']:>7}  {r['dtype']:7}  {r['solver']:6}  {r['contender']:10}  "
            f"{r['seconds']:8.3f}  {r['x_floor']:7.2f}  {r['not_gemm']:8.3f}  "
            f"{r['vs_sklearn']:10.2f}")
    return "\n".join(lines)


def main(argv=None):
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default=_default_threads(cpus),
                        help="thread counts, comma separated ('all': the machine's CPUs)")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--solvers", default="sgd,adam")
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--out", type=Path, help="write the rows as JSON here (and .txt)")
    args = parser.parse_args(argv)
    counts = thread_counts(args.threads, cpus)
    large = default_workloads(large_samples=args.samples, large_epochs=args.epochs)["large"]
    makers = contenders(not args.no_torch)
    blas = [f"{p['internal_api']} {p['num_threads']} threads"
            for p in threadpool_info() if p["user_api"] == "blas"]
    header = (f"{platform.platform()}, {cpus} CPUs, load {os.getloadavg()[0]:.2f}; "
              f"BLAS: {', '.join(blas)}; 784-{'-'.join(map(str, large.hidden))}-10, batch "
              f"{large.batch_size}, {args.epochs} epochs of {args.samples} random rows; "
              f"medians of {args.repeats}")
    print(header, flush=True)
    rows = []
    for threads in counts:
        if "torch" in makers:
            import torch

            torch.set_num_threads(threads)
        with threadpool_limits(threads):
            for dtype in args.dtypes.split(","):
                for solver in args.solvers.split(","):
                    workload = dataclasses.replace(large, solver=solver)
                    print(f"  {threads} thread(s), {dtype}, {solver} ...", flush=True)
                    timed = measure(workload, DTYPES[dtype], makers, args.repeats)
                    floor, reference = timed[FLOOR][0], timed[REFERENCE][0]
                    for name, (seconds, values) in timed.items():
                        rows.append({
                            "threads": threads, "dtype": dtype, "solver": solver,
                            "contender": name, "seconds": seconds, "repeats": values,
                            "x_floor": seconds / floor, "not_gemm": seconds - floor,
                            "vs_sklearn": seconds / reference,
                        })
    text = table(rows)
    print("\n" + text)
    if args.out:
        args.out.write_text(json.dumps({"header": header, "rows": rows}, indent=1) + "\n")
        args.out.with_suffix(".txt").write_text(header + "\n\n" + text + "\n")


if __name__ == "__main__":
    main()
