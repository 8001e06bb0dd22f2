"""Inverted dropout masks that depend on the sample, not on its position.

A hidden unit is dropped with probability ``p`` and the units kept are
scaled by ``1 / (1 - p)``, so that a layer's expected output is unchanged
and nothing needs rescaling at prediction time.

The mask of a sample is a hash of (a key of the sample's values, the step,
the layer, the unit, a seed), not a draw from a stream of random numbers.
Two copies of one sample therefore see the same mask, exactly as a single
sample with weight 2 does, which keeps ``sample_weight`` equivalent to
repeating samples even with dropout.  Different steps see fresh masks.

Only numpy is imported here.
"""

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x):
    """SplitMix64's finaliser: a bijection of uint64 that scatters every bit."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _entry_hashes(values, columns, seed):
    """A uint64 hash of each non-zero entry (its value's bits and its column)."""
    values = np.asarray(values, dtype=np.float64) + 0.0  # -0.0 and 0.0 alike
    salt = _mix(np.uint64(seed) + _GOLDEN)
    h = _mix(values.view(np.uint64) ^ _mix(columns.astype(np.uint64) * _GOLDEN + salt))
    return np.where(values != 0, h, np.uint64(0))


def sample_keys(X, seed, dtype=None, chunk_rows=4096):
    """One uint64 key per row of ``X``, equal for rows with equal values.

    The key is the sum, modulo :math:`2^{64}`, of a hash of every non-zero
    entry: exact integer arithmetic, so equal rows get equal keys wherever
    they sit, and dense and sparse copies of a row agree.  Dense input is
    hashed a few thousand rows at a time, so the work memory stays small.
    ``dtype`` is the float dtype the network reads the values in: integer
    ``X`` is hashed as those floats, so that it gets the keys of
    ``X.astype(dtype)`` (float32 rounds integers past :math:`2^{24}`).

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> X = np.array([[1.0, 0.0], [3.0, 4.0], [1.0, 0.0]])
    >>> k = sample_keys(X, seed=0)
    >>> bool(k[0] == k[2]), bool(k[0] == k[1])
    (True, False)
    >>> bool((sample_keys(sp.csr_matrix(X), seed=0) == k).all())
    True
    """
    with np.errstate(over="ignore"):
        if hasattr(X, "tocsr"):
            X = X.tocsr()
            h = _entry_hashes(X.data, X.indices, seed)
            cumulative = np.concatenate([[np.uint64(0)], np.cumsum(h, dtype=np.uint64)])
            return _mix(cumulative[X.indptr[1:]] - cumulative[X.indptr[:-1]])
        columns = np.arange(X.shape[1])
        keys = np.empty(X.shape[0], dtype=np.uint64)
        for start in range(0, X.shape[0], chunk_rows):
            block = np.asarray(X[start : start + chunk_rows], dtype=dtype)
            keys[start : start + len(block)] = _entry_hashes(block, columns, seed).sum(
                axis=1, dtype=np.uint64
            )
        return _mix(keys)


def dropout_masks(keys, step, layer_sizes, p, dtype):
    """The masks of one batch, one array per hidden layer.

    A stack of ``K`` networks (see :mod:`skvanilla._stack`) draws its masks
    in one call: ``keys`` gains a leading axis of networks, and ``step`` and
    ``p`` hold one value per network.  Each row is then the mask that
    network draws alone, bit for bit: the same integer hashes, the same
    comparison of the same float64 numbers, and the scale ``1 / (1 - p)``
    computed from each network's own ``p`` as alone.

    Parameters
    ----------
    keys : ndarray of uint64, shape (n_samples,) or (K, n_samples)
        :func:`sample_keys` of the batch's rows (of each network's rows).
    step : int, or sequence of K int
        The training step; masks change from step to step.
    layer_sizes : sequence of int
        Units of each hidden layer.
    p : float, or sequence of K float
        Probability of dropping a unit, in [0, 1).
    dtype : numpy dtype

    Returns
    -------
    list of ndarray of shape (n_samples, units) or (K, n_samples, units)
        ``0`` where a unit is dropped, ``1 / (1 - p)`` where it is kept.

    Examples
    --------
    >>> import numpy as np
    >>> keys = sample_keys(np.arange(12.0).reshape(6, 2), seed=0)
    >>> (one,) = dropout_masks(keys, 3, [4], 0.5, np.float64)
    >>> (stack,) = dropout_masks(np.stack([keys, keys]), [3, 4], [4], [0.5, 0.25], np.float64)
    >>> stack.shape, bool(np.array_equal(stack[0], one)), np.unique(stack[1]).tolist()
    ((2, 6, 4), True, [0.0, 1.3333333333333333])
    """
    if np.ndim(p):  # one network per row of keys
        # The scale from each p as a network alone computes it (a float32 p
        # computes in float32); float64 holds every such value exactly.
        scale = np.array([1.0 / (1.0 - rate) for rate in p], dtype=np.float64)[:, None, None]
        p = np.array(p, dtype=np.float64)[:, None, None]
        step = np.array(step, dtype=np.uint64)[:, None]
    else:
        scale, step = 1.0 / (1.0 - p), np.uint64(step)
    masks = []
    offset = np.uint64(0)
    with np.errstate(over="ignore"):
        base = _mix(keys ^ _mix(step * _GOLDEN))
        for units in layer_sizes:
            unit_ids = np.arange(units, dtype=np.uint64) + offset
            bits = _mix(base[..., None] + _mix(unit_ids + _GOLDEN))
            # The top 53 bits as a uniform number in [0, 1).
            uniform = (bits >> np.uint64(11)) * (1.0 / 2**53)
            masks.append(np.where(uniform >= p, scale, 0.0).astype(dtype))
            offset += np.uint64(units)
    return masks
