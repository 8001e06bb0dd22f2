"""The chart the docs show: each contender's time relative to scikit-learn's."""

import math
import textwrap

import numpy as np


def available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def subtitle(env):
    """The commit, machine, numpy's BLAS kernel and threads, and the load, from the environment."""
    from benchmarks._env import numpy_blas

    pool = numpy_blas(env)
    threads = pool.get("num_threads")
    return (f"commit {env.get('commit', 'unknown')}, {env['cpu']}, "
            f"{pool.get('internal_api')} {pool.get('architecture')} kernel, "
            f"{threads} thread{'' if threads == 1 else 's'}, load average "
            f"{env['loadavg_1_5_15'][0]:.1f} at the start")


def charted(rows):
    """The rows the chart shows: every workload but ``inputs``, which has a table of its own."""
    return [r for r in rows if r["workload"] != "inputs"]


#: Panels per row of the chart: more workloads wrap onto further rows.
COLUMNS = 3


def draw(rows, path, subtitle=""):
    """One panel per workload, a bar per contender and dtype, sklearn at 1.

    Parameters
    ----------
    rows : list of dict
        The harness's results.
    path : str or Path
        Where the PNG goes.
    subtitle : str
        The machine and BLAS, under the title.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: no display is assumed
    import matplotlib.pyplot as plt

    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    dtypes = list(dict.fromkeys(r["dtype"] for r in rows))
    contenders = list(dict.fromkeys(r["contender"] for r in rows))
    ncols = min(COLUMNS, len(workloads))
    nrows = math.ceil(len(workloads) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(5.2 * ncols, 0.4 + nrows * (0.8 + 0.75 * len(contenders))),
        squeeze=False, constrained_layout=True,
    )
    for ax in axes.flat[len(workloads):]:
        ax.set_visible(False)
    height = 0.8 / len(dtypes)
    colors = plt.get_cmap("tab10").colors
    for ax, name in zip(axes.flat, workloads):
        mine = [r for r in rows if r["workload"] == name]
        # Only the contenders timed on this workload (onnxruntime only predicts).
        here = [c for c in contenders if any(r["contender"] == c for r in mine)]
        y = np.arange(len(here))[::-1]
        for k, dtype in enumerate(dtypes):
            by = {r["contender"]: r for r in mine if r["dtype"] == dtype}
            ratios = [by[c]["vs_sklearn"] if c in by else np.nan for c in here]
            pos = y + (len(dtypes) - 1) * height / 2 - k * height
            ax.barh(pos, ratios, height, color=colors[k], label=dtype)
            for p, c in zip(pos, here):
                if c in by:
                    r = by[c]
                    value = f"{r['time']:.0f}" if r["unit"] == "us/step" else f"{r['time']:.2f}"
                    ax.text(r["vs_sklearn"], p, f" {value} {r['unit']}",
                            va="center", fontsize=7)
        ax.axvline(1.0, color="0.3", linestyle="--", linewidth=0.8)
        ax.set_yticks(y, here)
        ax.set_xlim(0, 1.35 * max(r["vs_sklearn"] for r in mine))
        ax.set_xlabel("time / scikit-learn's time (median)")
        ax.set_title("\n".join(textwrap.wrap(mine[0]["title"], 42)), fontsize=9)
    # Below the panels, where no bar or label can hide it.
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center",
               ncols=len(dtypes), fontsize=8)
    fig.suptitle("skvanilla vs scikit-learn's MLPClassifier and MLPRegressor, same parameters, "
                 "one process\n"
                 + subtitle, fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)
