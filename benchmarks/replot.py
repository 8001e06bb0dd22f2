"""Redraw the chart of a results file: ``python -m benchmarks.replot RESULTS CHART``.

For example, ``python -m benchmarks.replot benchmarks/results/results.json
benchmarks/results/benchmark.png`` draws the chart of the committed run again,
without timing anything.  The documentation draws its chart from the results
file itself, when it is built.
"""

import argparse
import json
from pathlib import Path

from benchmarks import _chart


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.replot", description=__doc__)
    p.add_argument("results", type=Path, help="a results.json written by python -m benchmarks")
    p.add_argument("chart", type=Path, help="the PNG to write")
    args = p.parse_args(argv)
    try:
        data = json.loads(args.results.read_text())
        env, rows = data["environment"], data["results"]
    except (OSError, ValueError, KeyError) as error:
        p.error(f"{args.results} is not a results.json of the harness: {error}")
    _chart.draw(_chart.charted(rows), args.chart, subtitle=_chart.subtitle(env))
    print(f"wrote {args.chart}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
