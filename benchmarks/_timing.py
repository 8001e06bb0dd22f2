"""Alternating timing of several contenders, and peak memory under tracemalloc."""

import gc
import statistics
import time
import tracemalloc


def time_alternating(runs, repeats):
    """Time each zero-argument callable ``repeats`` times, interleaved.

    Round ``r`` runs every contender once, the order rotated by ``r``, so
    that drifts of a shared, noisy machine (another process, thermal state,
    the page cache) fall on every contender alike rather than on whichever
    ran last.

    Parameters
    ----------
    runs : dict of str to callable
    repeats : int

    Returns
    -------
    dict of str to list of float
        Seconds of each call, in the order they ran.
    """
    names = list(runs)
    # Everything alive now (modules, data, the contenders' set-up) is moved out
    # of the collector's sight, so that the collections below stay cheap.
    gc.collect()
    gc.freeze()
    seconds = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            # Garbage of the previous contender is not charged to this one.
            gc.collect()
            start = time.perf_counter()
            runs[name]()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def median(values):
    return statistics.median(values)


def peak_memory(run):
    """Peak bytes allocated by ``run()`` above what was allocated before it.

    tracemalloc sees numpy's array buffers (numpy reports them to it), not
    memory that a C library allocates on its own (torch's tensors, BLAS
    work space).  It slows allocation, so it runs apart from the timings.
    """
    gc.collect()
    gc.freeze()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
