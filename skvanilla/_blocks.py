"""Element-wise passes over long vectors: a block at a time, on the threads BLAS may use.

A training step ends with a handful of element-wise passes over vectors as
long as the network's parameters -- the gradient's L2 term and division by
the total weight, then the optimizer's update.  Numpy runs each of them on
one core, over the whole vector, while the matrix products before them run
on every thread BLAS has.  :class:`Blocks` runs such a pass -- a function of
arrays, applied to the same columns of each -- over consecutive blocks of
columns instead:

* every operation of the function is done on one block before the next
  block is read, so that the block's few vectors stay in cache between its
  operations (instead of one trip through memory per operation over the
  whole vector);
* the blocks are shared among threads: numpy lets go of the GIL inside its
  loops, so that blocks on different threads compute at once.

Each element goes through the same operations in the same order, so the
results are the same bits whatever the blocks and threads.  The number of
threads is the number the BLAS numpy calls may use at the time (see
:func:`blas_threads`): a limit set with ``threadpoolctl`` or
``OMP_NUM_THREADS``, or by joblib or Dask in their workers, holds for the
element-wise passes too.  Short vectors -- small networks -- take the
plain call: a thread is worth its hand-off only past :data:`MIN_PER_THREAD`
elements.

Only numpy, threadpoolctl and the standard library are imported here.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_info

#: Elements of one vector in a block: a few such vectors fit in a core's L2 cache.
BLOCK = 2**15

#: The fewest elements a thread is given: below this, the hand-off costs more than it saves.
MIN_PER_THREAD = 2**17


def blas_threads():
    """The threads numpy's BLAS may use now: the most any loaded BLAS reports, at least 1."""
    counts = [
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
    ]
    return max([1, *counts])


class Blocks:
    """Runs element-wise passes over the last axis of arrays, by blocks and threads.

    Parameters
    ----------
    size : int
        The length of the last axis of the vectors the passes see (a stack
        of ``K`` networks has ``K`` rows of that length; a block is then
        those columns of every row).
    rows : int, default=1
        The number of such rows: blocks hold about :data:`BLOCK` elements
        in all.
    threads : int or None, default=None
        At most this many threads; ``None`` asks :func:`blas_threads` --
        only when ``size`` is long enough for a second thread.
    block : int, optional
        Elements in a block, :data:`BLOCK` when not given.

    Examples
    --------
    A pass over a long vector, by blocks: the same bits as one call.

    >>> import numpy as np
    >>> v = np.linspace(0.0, 1.0, 100_000)
    >>> w = v.copy()
    >>> def scale(a, c):
    ...     a *= c
    >>> Blocks(v.size, threads=1).run(scale, (v,), 0.1)
    >>> scale(w, 0.1)
    >>> np.array_equal(v, w)
    True
    """

    def __init__(self, size, rows=1, *, threads=None, block=None):
        block = block or BLOCK
        total = size * rows
        if total < 2 * MIN_PER_THREAD:
            threads = 1
        elif threads is None:
            threads = blas_threads()
        threads = max(1, min(threads, total // MIN_PER_THREAD))
        width = max(1, min(size, block // rows))
        columns = [slice(s, min(s + width, size)) for s in range(0, size, width)]
        # Consecutive blocks per thread: a thread's part of each vector is one run of memory.
        cuts = np.linspace(0, len(columns), threads + 1).round().astype(int)
        self.parts = [columns[a:b] for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
        self.threads = len(self.parts)
        self._pool = ThreadPoolExecutor(self.threads - 1) if self.threads > 1 else None

    def run(self, function, arrays, *args):
        """``function(*(a[..., block] for a in arrays), *args)`` for every block of columns.

        Arrays shorter than a block's columns get what they have of them
        (perhaps nothing: ``function`` must accept empty arrays), so that a
        pass over part of a vector -- its weights, say -- shares the blocks
        of the whole.
        """
        if self._pool is None:
            for columns in self.parts[0]:
                function(*(a[..., columns] for a in arrays), *args)
            return
        # Numpy's floating-point error handling is per thread: the workers take the caller's.
        errors = np.geterr()

        def part(blocks):
            with np.errstate(**errors):
                for columns in blocks:
                    function(*(a[..., columns] for a in arrays), *args)

        futures = [self._pool.submit(part, blocks) for blocks in self.parts[1:]]
        try:
            part(self.parts[0])
        finally:  # the workers finish before the arrays are read or freed
            for future in futures:
                future.result()

    def close(self):
        """Let the threads go (a fit's blocks live as long as the fit)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

