"""The GEMM floor: only the matrix products of a workload, in numpy, into buffers.

A training step of a network with weights ``W_0 .. W_{L-1}`` multiplies,
for a batch ``A_0`` of rows,

- forward, per layer: ``Z_{i+1} = A_i @ W_i``;
- backward, per layer: ``dW_i = A_i.T @ delta_{i+1}``, and, for every layer
  but the first, ``delta_i = delta_{i+1} @ W_i.T``

(five products for one hidden layer, eight for two).  Inference is the
forward products on all rows at once.  Nothing else is computed -- no bias,
activation, loss, update or gathering of shuffled rows -- so no
implementation of the same network in the same BLAS can be faster; how far
above this floor an estimator runs is its overhead.  Buffers are allocated
once per call, as a fit or a predict must.
"""

import numpy as np

from benchmarks._workloads import SEED


def _weights(workload, n_features, dtype):
    rng = np.random.default_rng(SEED)
    units = workload.layer_units(n_features)
    return [
        (rng.standard_normal((a, b)) / np.sqrt(a)).astype(dtype)
        for a, b in zip(units[:-1], units[1:])
    ]


def floor_runner(workload, X, y):
    """``make(workload, X, y) -> run`` for the GEMM floor (``y`` is unused)."""
    Ws = _weights(workload, X.shape[1], X.dtype)
    if workload.task == "predict":
        return lambda: _forward_products(X, Ws)
    return lambda: _training_products(X, Ws, workload.batch_size, workload.epochs)


def _forward_products(X, Ws):
    A = X
    for W in Ws:
        Z = np.empty((X.shape[0], W.shape[1]), X.dtype)
        np.matmul(A, W, out=Z)
        A = Z
    return A


def _training_products(X, Ws, batch_size, epochs):
    n, dtype = X.shape[0], X.dtype
    rng = np.random.default_rng(SEED)
    batch = min(batch_size, n)
    # Outputs of the forward products, and deltas with realistic values.
    Zs = [np.empty((batch, W.shape[1]), dtype) for W in Ws]
    deltas = [rng.standard_normal((batch, W.shape[1])).astype(dtype) for W in Ws]
    grads = [np.empty_like(W) for W in Ws]
    backs = [np.empty((batch, W.shape[0]), dtype) for W in Ws]
    for _ in range(epochs):
        for start in range(0, n, batch):
            m = min(batch, n - start)
            # A row slice of a C-contiguous array is a view: no gathering.
            As = [X[start : start + m]] + [Z[:m] for Z in Zs[:-1]]
            for A, W, Z in zip(As, Ws, Zs):
                np.matmul(A, W, out=Z[:m])
            for i in reversed(range(len(Ws))):
                delta = deltas[i][:m]
                np.matmul(As[i].T, delta, out=grads[i])
                if i > 0:
                    np.matmul(delta, Ws[i].T, out=backs[i][:m])
    return grads
