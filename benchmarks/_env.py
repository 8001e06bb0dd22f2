"""What the numbers were measured on: versions, CPU, BLAS and threads."""

import datetime
import os
import platform
import subprocess
from pathlib import Path

import numpy as np
import sklearn
from threadpoolctl import threadpool_info

import skvanilla
from benchmarks import _onnxruntime, _torch

#: Environment variables that change which BLAS kernel runs, or on how many threads.
BLAS_VARIABLES = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit():
    """The git commit of the checkout measured, with ``+`` if it has local changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "skvanilla"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+" if dirty else "")


def environment(use_torch=True, use_onnx=True):
    """A dict describing the machine and libraries, for the results file."""
    torch_version, torch_threads = _torch.version_and_threads() if use_torch else (None, None)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        # Other processes' load on a shared machine is what makes timings noisy.
        "loadavg_1_5_15": list(os.getloadavg()),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "skvanilla": skvanilla.__version__,
        # skvanilla/ uncommitted changes show as a trailing "+".
        "commit": _commit(),
        "torch": torch_version,
        "torch_threads": torch_threads,
        "onnxruntime": _onnxruntime.version() if use_onnx else None,
        "env": {name: os.environ.get(name) for name in BLAS_VARIABLES},
        "threadpools": [
            {key: pool.get(key) for key in
             ("user_api", "internal_api", "prefix", "version", "architecture",
              "threading_layer", "num_threads", "filepath")}
            for pool in threadpool_info()
        ],
    }


def numpy_blas(env):
    """The BLAS that numpy's matrix products call (scipy and torch may bring others)."""
    blas = [p for p in env["threadpools"] if p["user_api"] == "blas"]
    mine = [p for p in blas if "numpy" in (p["filepath"] or "")]
    return (mine or blas or [{}])[0]


def describe(env):
    """A few lines for the top of the printed table."""
    torch = env["torch"] or "not timed (not installed, or --no-torch)"
    onnx = "not timed (not installed, or --no-onnx)"
    lines = [
        f"{env['date']}  {env['cpu']} ({env['cpu_count']} CPUs), {env['platform']}",
        "load average before the run (1, 5, 15 min): "
        + ", ".join(f"{x:.2f}" for x in env["loadavg_1_5_15"]),
        f"python {env['python']}, numpy {env['numpy']}, scikit-learn {env['scikit-learn']}, "
        f"skvanilla {env['skvanilla']} ({env.get('commit')}), torch {torch}"
        + (f" ({env['torch_threads']} threads)" if env["torch"] else "")
        + f", onnxruntime {env.get('onnxruntime') or onnx}",
    ]
    for pool in env["threadpools"]:
        lines.append(
            f"threadpoolctl: {pool['internal_api']} {pool['version']} "
            f"({pool['user_api']}), kernel {pool['architecture']}, "
            f"{pool['num_threads']} threads, {pool['threading_layer']}: "
            f"{os.path.basename(pool['filepath'] or '?')}"
            + ("  <- numpy's" if pool is numpy_blas(env) else "")
        )
    set_vars = {k: v for k, v in env["env"].items() if v is not None}
    lines.append(f"BLAS variables: {set_vars or 'none set'}")
    return "\n".join(lines)
