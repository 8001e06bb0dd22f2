"""The array namespace that the numeric core computes with.

The forward pass, backpropagation, activations, losses and optimizers are
written once, against a namespace ``xp``: ``xp.exp(Z, out=out)``,
``xp.sum(E, axis=1, keepdims=True)``, ``xp.matmul(A, W, out=Z)``.  Two
adapters give that namespace:

* :data:`NUMPY` is numpy itself, ``out=`` and all, so that the training
  loop keeps writing into buffers made once per fit.  It adds the few
  names that the Array API standard spells differently from numpy's fast
  calls (``sum`` and ``max`` as ufunc reductions, a matrix product into a
  buffer) and scipy's special functions.
* :class:`ArrayAPI` wraps a namespace of the Array API standard (PyTorch
  through ``array_api_compat``, ``array_api_strict``, CuPy) and a device.
  The standard's functions take no ``out`` and, in some libraries, no
  Python scalars: the adapter turns a scalar operand into an array of the
  other operand's dtype on the device, gives a boolean operand of
  arithmetic the other operand's dtype, and writes a result into ``out``
  when one is given, so that a formula reads the same on either adapter.

Both also move arrays between the host (numpy) and the device: random
draws are made on the host, by numpy, and then moved, so that a
``random_state`` means the same weights everywhere.

Only numpy and scipy are imported here.
"""

import contextlib
import functools
import sys

import numpy as np
from scipy import special


def _product(A, B, out=None):
    """``A @ B`` with numpy, written into ``out`` when one is given.

    Always ``numpy.matmul``, the product scikit-learn's MLPs take (``np.dot``
    may pick another BLAS routine for some shapes, and round otherwise).
    """
    if out is None:
        return A @ B
    if A.ndim > 2 or B.ndim > 2:  # a stack of networks: numpy's dot would pair every matrix
        return np.matmul(A, B, out=out)
    if hasattr(A, "tocsr"):  # a scipy.sparse product makes its own array
        out[...] = A @ B
        return out
    if not (A.flags.c_contiguous or A.flags.f_contiguous):
        return np.matmul(A, B, out=out)
    return np.dot(A, B, out=out)


def _xlogy_numpy(X, Y, out=None):
    """``x log y``, 0 where ``x = 0``: scipy's, whose loops (and ``log``) scikit-learn's losses use.

    In extended precision, which scipy does not take (only the gradient
    check computes in it), the same product with numpy's ``log``.
    """
    if np.result_type(X, Y) == np.longdouble:
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) where x = 0: discarded
            return np.where(X == 0, 0, X * np.log(Y))
    return special.xlogy(X, Y, out=out)


def _column_mean_numpy(L, weights=None):
    """Each column's (weighted) mean, by ``numpy.average``: scikit-learn's losses reduce so.

    For a stack of networks (``L`` of shape ``(K, n, k)``, ``weights`` of
    ``(K, n)``), each network's, along the rows: with weights, one
    ``numpy.average`` per network, which sums a weights vector in another
    order than one call over the stack would.

    Without weights, ``numpy.average`` is ``L.mean(axis=0)``: the same sum
    divided by the row count, written without ``mean``'s overhead (the
    training loop calls this every batch).  ``mean`` divides by a numpy
    integer, in float64, which rounds a float32 quotient as the float32
    division does (float64 holds more than twice float32's digits).
    Weights that sum to zero give NaN (numpy raises), as a division by
    their sum would.
    """
    if weights is None:
        return np.add.reduce(L, axis=-2) / L.shape[-2]
    if L.ndim > 2:
        return np.stack([_column_mean_numpy(Lk, wk) for Lk, wk in zip(L, weights)])
    try:
        return np.average(L, axis=0, weights=weights)
    except ZeroDivisionError:
        return np.full(L.shape[1], np.nan, dtype=np.result_type(L, weights))


def _clip_numpy(x, low, high, out=None):
    """``numpy.clip(x, low, high)``: the same values (a clip rounds nothing), in two ufunc calls."""
    out = np.maximum(x, low, out=out)
    return np.minimum(out, high, out=out)


@functools.cache
def _finfo_numpy(dtype):
    """``numpy.finfo``, kept per dtype: every training batch asks for ``eps``."""
    return np.finfo(dtype)


class _Numpy:
    """numpy's own functions, with ``out=``; see the module docstring.

    Any name not defined here is numpy's (``xp.maximum`` is ``np.maximum``).

    Examples
    --------
    It is the default namespace of the core's functions, and their signatures
    name it as their docstrings do:

    >>> import inspect
    >>> from skvanilla._optimizers import pack
    >>> inspect.signature(pack)
    <Signature (arrays, xp=NUMPY)>
    """

    name = "numpy"
    is_numpy = True
    is_torch = False
    device = None

    def __getattr__(self, name):
        # Kept on the instance once looked up: the training loop reads these names at
        # every batch, and an instance attribute costs less than a second lookup.
        value = getattr(np, name)
        setattr(self, name, value)
        return value

    # Reductions as the ufunc calls that the training loop has always made.
    @staticmethod
    def sum(x, axis=None, keepdims=False, out=None):
        return np.add.reduce(x, axis=axis, keepdims=keepdims, out=out)

    @staticmethod
    def max(x, axis=None, keepdims=False):
        return np.maximum.reduce(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def min(x, axis=None, keepdims=False):
        return np.minimum.reduce(x, axis=axis, keepdims=keepdims)

    matmul = staticmethod(_product)
    concat = staticmethod(np.concatenate)
    expit = staticmethod(special.expit)
    log_expit = staticmethod(special.log_expit)
    erf = staticmethod(special.erf)
    errstate = staticmethod(np.errstate)
    xlogy = staticmethod(_xlogy_numpy)
    column_mean = staticmethod(_column_mean_numpy)
    clip = staticmethod(_clip_numpy)
    finfo = staticmethod(_finfo_numpy)

    @staticmethod
    def astype(x, dtype, copy=True):
        return x.astype(dtype, copy=copy)

    @staticmethod
    def copy(x):
        return x.copy()

    @staticmethod
    def empty(shape, dtype):
        return np.empty(shape, dtype)

    @staticmethod
    def fill(out, value):
        out.fill(value)
        return out

    @staticmethod
    def promote(Y, Z):
        """``Y`` in the dtype it computes in with ``Z`` (no copy when it already is)."""
        return np.asarray(Y, dtype=np.result_type(Y, Z))

    @staticmethod
    def all_finite(x):
        return bool(np.isfinite(x).all())

    @staticmethod
    def scalar(x):
        """A value for the host: numpy's scalars are kept as they are."""
        return x

    @staticmethod
    def numpy_dtype(dtype):
        return np.dtype(dtype)

    @staticmethod
    def from_host(a):
        return a

    @staticmethod
    def to_host(x):
        return x

    def __repr__(self):
        return "NUMPY"


#: The numpy adapter: numpy itself, with ``out=`` workspaces.
NUMPY = _Numpy()

#: The elementwise functions whose operands :class:`ArrayAPI` adapts.
_ELEMENTWISE = frozenset(
    "abs add divide exp expm1 greater less log log1p logaddexp maximum minimum multiply "
    "sign sqrt subtract tanh where isfinite".split()
)
#: Namespaces whose arrays scipy.special computes on with the library's own functions.
_SPECIAL_NATIVE = frozenset({"torch", "cupy", "jax"})
_ARITHMETIC = frozenset("add divide maximum minimum multiply subtract".split())
#: The functions whose PyTorch versions write into out= of the operands' dtype.
_OUT_NATIVE = _ARITHMETIC | {"exp", "expm1", "log", "sqrt", "tanh"}


class ArrayAPI:
    """An Array API namespace on a device, read as :data:`NUMPY` is; see the module docstring.

    Parameters
    ----------
    namespace : module
        A namespace of the Array API standard (``array_api_compat``'s for
        PyTorch and CuPy).
    device : object, optional
        Where new arrays are made.
    """

    is_numpy = False

    def __init__(self, namespace, device=None):
        self.namespace, self.device = namespace, device
        self.name = namespace.__name__
        self.is_torch = self.name.split(".")[-1] == "torch"  # also array_api_compat's
        # PyTorch's own functions take out=: products and arithmetic then write into
        # the training loop's buffers (the flat gradient, the optimizer's work vector)
        # without a temporary and a copy.  The module is already imported, as its
        # tensors are here.
        self._out_native = sys.modules.get("torch") if self.is_torch else None

    def __repr__(self):
        return f"ArrayAPI({self.name}, device={self.device!r})"

    def __eq__(self, other):
        return (
            isinstance(other, ArrayAPI)
            and other.namespace is self.namespace
            and str(other.device) == str(self.device)
        )

    def __hash__(self):
        return hash((self.name, str(self.device)))

    def __getattr__(self, name):
        if name in _ELEMENTWISE:
            return functools.partial(self._elementwise, name)
        return getattr(self.namespace, name)

    def _operands(self, function, args):
        """Scalars as arrays of the first float array's dtype and device.

        In arithmetic, a boolean array (``Z > 0``) takes that dtype too.
        """
        xp = self.namespace
        arrays = [a for a in args if hasattr(a, "dtype") and not _is_scalar(a)]
        ref = next((a for a in arrays if a.dtype != xp.bool), arrays[0] if arrays else None)
        if ref is None:
            return args
        cast_bool = function in _ARITHMETIC and ref.dtype != xp.bool
        out = []
        for a in args:
            if _is_scalar(a):
                a = xp.asarray(a, dtype=ref.dtype, device=ref.device)
            elif cast_bool and a.dtype == xp.bool:
                a = xp.astype(a, ref.dtype)
            out.append(a)
        return out

    def _elementwise(self, name, *args, out=None):
        operands = self._operands(name, args)
        if out is not None and self._out_native is not None and name in _OUT_NATIVE:
            if all(a.dtype == out.dtype for a in operands):
                return getattr(self._out_native, name)(*operands, out=out)
        return self._into(out, getattr(self.namespace, name)(*operands))

    def _into(self, out, result):
        """``result``, or ``result`` written into ``out`` (cast to its dtype)."""
        if out is None:
            return result
        if out is not result:
            if result.dtype != out.dtype:
                result = self.namespace.astype(result, out.dtype)
            out[...] = result
        return out

    def sum(self, x, axis=None, keepdims=False, out=None):
        if out is not None and self._out_native is not None and axis is not None:
            return self._out_native.sum(x, dim=axis, keepdim=keepdims, out=out)
        return self._into(out, self.namespace.sum(x, axis=axis, keepdims=keepdims))

    def matmul(self, A, B, out=None):
        if A.ndim > 2 or B.ndim > 2:
            return self._products(A, B, out)
        if out is not None and self._out_native is not None:
            return self._out_native.matmul(A, B, out=out)
        return self._into(out, A @ B)

    def _products(self, A, B, out=None):
        """A stack's products (``A`` and ``B`` of shapes ``(K, n, a)`` and ``(K, a, b)``),
        one network's 2-D product at a time.

        A namespace's batched product need not round each matrix as its 2-D
        product does.  PyTorch's CPU ``bmm`` does not, at the shapes of small
        networks (forward and backward products, float32 and float64, up to
        ``7.6e-5`` apart in float32 on values of order 10): MKL rounds a
        product otherwise where its output begins at another address modulo
        16 bytes, and a batch's matrices begin wherever the batch puts them.
        Each network's own product costs what it costs that network alone.
        """
        n_models = max(A.shape[0] if A.ndim > 2 else 1, B.shape[0] if B.ndim > 2 else 1)
        products = [
            self.matmul(A[k, ...] if A.ndim > 2 else A, B[k, ...] if B.ndim > 2 else B,
                        out=None if out is None else out[k, ...])
            for k in range(n_models)
        ]
        return out if out is not None else self.namespace.stack(products)

    def _special(self, function, Z):
        """One of scipy's special functions: on the device where scipy dispatches to the
        library's own (PyTorch, CuPy, JAX), else through the host (``array_api_strict``)."""
        if self.name.split(".")[-1] in _SPECIAL_NATIVE:
            return function(Z)
        return self.from_host(function(self.to_host(Z)))

    def expit(self, Z, out=None):
        return self._into(out, self._special(special.expit, Z))

    def log_expit(self, Z):
        # log sigma(z) = -log(1 + e^{-z}), which logaddexp gives without overflow.
        return -self.logaddexp(0.0, -Z)

    def erf(self, Z):
        return self._special(special.erf, Z)

    def errstate(self, **kwargs):
        return contextlib.nullcontext()

    def vdot(self, a, b):
        return self.namespace.sum(a * b)

    def xlogy(self, X, Y, out=None):
        xp = self.namespace
        X = xp.astype(X, Y.dtype) if X.dtype != Y.dtype else X
        zero = X == 0
        return self._into(
            out, xp.where(zero, xp.zeros_like(X), X * xp.log(xp.where(zero, xp.ones_like(Y), Y)))
        )

    def clip(self, x, low, high, out=None):
        return self._into(out, self.namespace.clip(x, low, high))

    def column_mean(self, L, weights=None):
        xp = self.namespace
        if weights is None:
            return xp.mean(L, axis=-2)
        total = xp.sum(weights, axis=-1)
        return xp.sum(L * weights[..., None], axis=-2) / total[..., None]

    def copy(self, x):
        return self.namespace.asarray(x, copy=True)

    def empty(self, shape, dtype):
        return self.namespace.empty(shape, dtype=dtype, device=self.device)

    def zeros_like(self, x):
        return self.namespace.zeros_like(x)

    def copyto(self, out, x):
        return self._into(out, x)

    def take(self, x, rows, axis=0, out=None):
        return self._into(out, self.namespace.take(x, rows, axis=axis))

    def promote(self, Y, Z):
        return Y if Y.dtype == Z.dtype else self.namespace.astype(Y, Z.dtype)

    def all_finite(self, x):
        return bool(self.namespace.all(self.namespace.isfinite(x)))

    def scalar(self, x):
        return float(x)

    def numpy_dtype(self, dtype):
        return np.dtype(np.float32 if dtype == self.namespace.float32 else np.float64)

    def from_host(self, a):
        """A numpy array (or scalar) as an array of this namespace on its device."""
        a = np.asarray(a)
        if a.dtype.kind == "f":
            # Floats in one of the two widths the core computes in, cast on the
            # host: a namespace may not hold numpy's float16 or long double, nor
            # read them at all (PyTorch), even when asked for another dtype.
            a = a.astype(np.float32 if a.dtype == np.float32 else np.float64, copy=False)
        return self.namespace.asarray(a, device=self.device)

    def to_host(self, x):
        """An array of this namespace as a numpy array, on the host (``None`` stays ``None``)."""
        if x is None:
            return None
        if hasattr(x, "cpu"):  # a torch tensor, possibly on a GPU
            return x.detach().cpu().numpy()
        if hasattr(x, "get"):  # CuPy
            return x.get()
        if hasattr(x, "to_device"):  # array_api_strict keeps data on a pretend device
            x = x.to_device(self.namespace.Device("CPU_DEVICE")) if hasattr(
                self.namespace, "Device"
            ) else x
        return np.asarray(x)


def _is_scalar(a):
    return isinstance(a, (int, float, np.generic)) or (
        isinstance(a, np.ndarray) and a.ndim == 0
    )

