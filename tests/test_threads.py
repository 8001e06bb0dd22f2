"""A user's thread limit holds: under ``OMP_NUM_THREADS=1`` a fit runs on one thread.

The matrix products are numpy's BLAS, which reads the limit; everything
else runs on the calling thread (skvanilla starts no thread of its own).
Counted from Linux's ``/proc/self/task`` while the optimizer steps, in a
fresh process (the BLAS reads the variable when it loads).
"""

import os
import subprocess
import sys

import pytest

CODE = """
import os, warnings
import numpy as np
import skvanilla._optimizers as optimizers
import skvanilla._stack as stack
import skvanilla._training as training
from skvanilla import VanillaMLPClassifier

def computing_threads():
    # Leaving out the background thread of jemalloc, the memory allocator of a library
    # that scikit-learn's imports load: it computes nothing.
    names = [open(f"/proc/self/task/{task}/comm").read().strip()
             for task in os.listdir("/proc/self/task")]
    return sum(name != "jemalloc_bg_thd" for name in names)

seen = []
for name in ("sgd_step", "adam_step"):
    def spy(*args, _real=getattr(optimizers, name), **kwargs):
        seen.append(computing_threads())
        return _real(*args, **kwargs)
    setattr(optimizers, name, spy)
    setattr(training, name, spy)  # a stack's steps call them from there
rng = np.random.RandomState(0)
X, y = rng.standard_normal((600, 300)), rng.randint(0, 3, 600)
nets = [VanillaMLPClassifier((400, 200), learning_rate_init=rate, max_iter=2, batch_size=100,
                            random_state=0) for rate in (1e-3, 1e-2)]
with warnings.catch_warnings(action="ignore"):
    for net in nets:
        net.fit(X, y)
    stack.fit_many(nets, [(X, y, {})] * 2)
print(len(seen), max(seen))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts Linux's threads")
def test_a_fit_under_omp_num_threads_1_runs_on_one_thread():
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS")}
    env["OMP_NUM_THREADS"] = "1"
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True,
                         text=True, check=True)
    steps, threads = map(int, out.stdout.split())
    assert steps == 2 * 2 * 6 + 2 * 6  # two fits alone, then as one stack: 6 steps an epoch
    assert threads == 1
