"""Model selection: a grid search and a cross-validation, three ways, and their GEMM floor.

``python benchmarks/bench_search.py`` times the workloads of
``benchmarks/_search.py`` (``adam``, ``sgd``, ``cv``: scikit-learn's search
over ``MLPClassifier`` and over ``VanillaMLPClassifier``, and
:mod:`skvanilla.model_selection`'s, on the digits) at each BLAS thread count
of ``--threads`` (default: one, and all), ``--repeats`` alternating runs
each.  It prints the medians with their ratios to both scikit-learn
searches and to the GEMM floor, and whether the scores were equal; ``--out``
writes the rows as JSON, which the documentation reads
(``benchmarks/results/search.json``).

``python -m benchmarks --workloads search,cv`` times the same workloads in
the harness, at the one thread limit of its ``--threads``.
"""

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

from threadpoolctl import threadpool_info, threadpool_limits

if not __package__:
    # Run as a script, Python puts benchmarks/ itself first on the path; the
    # package is imported from the repository root instead.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._search import (  # noqa: E402
    ADAM_EPOCHS,
    CONTENDERS,
    SGD_EPOCHS,
    WORKLOADS,
    load_data,
    measure,
)


def rows_of(threads, workload, measurement):
    """The JSON rows of one workload at one thread count, a row per contender."""
    medians = {c: statistics.median(s) for c, s in measurement.seconds.items()}
    return [{
        "threads": threads, "workload": workload, "contender": contender,
        "seconds": medians[contender], "repeats": measurement.seconds[contender],
        "vs_sklearn": medians[contender] / medians["sklearn"],
        "vs_sklearn_vanilla": medians[contender] / medians["sklearn+vanilla"],
        "x_floor": medians[contender] / measurement.floor, "floor": measurement.floor,
        "equal_scores": measurement.equal_scores,
    } for contender in CONTENDERS]


def table(rows):
    """The table ``main`` prints, one line per row (the docs show it from the JSON rows)."""
    lines = [f"{'threads':>7}  {'workload':8}  {'contender':16} {'seconds':>8}  "
             f"{'vs sklearn':>10}  {'vs sklearn+vanilla':>18}  {'x floor':>7}  scores equal"]
    for row in rows:
        lines.append(
            f"{row['threads']:>7}  {row['workload']:8}  {row['contender']:16} "
            f"{row['seconds']:8.2f}  {row['vs_sklearn']:10.2f}  "
            f"{row['vs_sklearn_vanilla']:18.2f}  {row['x_floor']:7.2f}  {row['equal_scores']}")
    return "\n".join(lines)


def parser():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sgd-epochs", type=int, default=SGD_EPOCHS,
                   help="epochs of every fit of the sgd grid and of cv")
    p.add_argument("--adam-epochs", type=int, default=ADAM_EPOCHS,
                   help="at most this many epochs per fit of the adam grid")
    p.add_argument("--threads", default="1,all",
                   help="BLAS thread counts, comma separated ('all': as configured)")
    p.add_argument("--out", help="write the rows as JSON to this file")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    X, y = load_data()
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()[:3]}")
    pools = [f"{p['internal_api']} {p['num_threads']} threads" for p in blas]
    print("BLAS: " + ", ".join(pools))
    rows = []
    for threads in args.threads.split(","):
        with threadpool_limits(None if threads == "all" else int(threads)):
            for workload in args.workloads.split(","):
                found = measure(workload, X, y, args.repeats, args.sgd_epochs, args.adam_epochs)
                rows += rows_of(threads, workload, found)
    print("\n" + table(rows))
    for threads in args.threads.split(","):
        floors = {r["workload"]: r["floor"] for r in rows if r["threads"] == threads}
        print(f"GEMM floor at {threads} thread(s): "
              + ", ".join(f"{w} {f:.2f} s" for w, f in floors.items()))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"load": os.getloadavg(), "rows": rows, "sgd_epochs": args.sgd_epochs,
                       "adam_epochs": args.adam_epochs}, f, indent=1)


if __name__ == "__main__":
    main()
