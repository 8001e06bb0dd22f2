"""The ONNX nodes of skvanilla's functions, in the graph's one dtype.

This module's one job is the elementwise part of the exported graph: a thin
writer of nodes and constants over skl2onnx's container (:class:`Graph`), and
each hidden activation, the log-sigmoid, the normal CDF and the clip of the
probabilities written with ONNX operators that onnxruntime runs in float32 and
in float64 alike.  :mod:`skvanilla.onnx`, the only module that imports it,
assembles the layers and the outputs from these.
"""

import math

import numpy as np
from skl2onnx.proto import onnx_proto

from ._activations import LEAKY_SLOPE

# erf in float64 (onnxruntime has no double kernel for Erf): below |x| = 2
# the series erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)),
# whose terms are all positive (no cancellation); above, Laplace's continued
# fraction for erfc.  With these lengths both are within 1e-15 of scipy's
# erf on their ranges (tests/test_onnx.py checks it on a fine grid).
_ERF_SPLIT = 2.0
_ERF_SERIES_TERMS = 40
_ERFC_FRACTION_TERMS = 50


class Graph:
    """A thin writer of nodes and constants in one dtype, over skl2onnx's container."""

    def __init__(self, scope, container, proto_dtype):
        self.scope, self.container, self.proto_dtype = scope, container, proto_dtype
        self.dtype = np.float64 if proto_dtype == onnx_proto.TensorProto.DOUBLE else np.float32

    def name(self, hint):
        return self.scope.get_unique_variable_name(hint)

    def const(self, value, hint="const", dtype=None):
        """A constant tensor, in the graph's dtype unless ``dtype`` says otherwise."""
        value = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self.name(hint)
        proto = {
            np.dtype(np.float64): onnx_proto.TensorProto.DOUBLE,
            np.dtype(np.float32): onnx_proto.TensorProto.FLOAT,
            np.dtype(np.int64): onnx_proto.TensorProto.INT64,
        }.get(value.dtype, onnx_proto.TensorProto.STRING)
        flat = value.ravel().tolist() if proto != onnx_proto.TensorProto.STRING else value.ravel()
        self.container.add_initializer(name, proto, list(value.shape), flat)
        return name

    def op(self, op_type, inputs, output=None, **attrs):
        """Add one node; return the name of its output."""
        output = output or self.name(op_type.lower())
        self.container.add_node(
            op_type, inputs, output, name=self.scope.get_unique_operator_name(op_type), **attrs
        )
        return output

    def binary(self, op_type, a, b):
        return self.op(op_type, [a, b])


def log_logistic(g, Z):
    r""":math:`\log\sigma(z) = \min(z, 0) - \log(1 + e^{-|z|})`: no overflow at either end."""
    small = g.op("Exp", [g.op("Neg", [g.op("Abs", [Z])])])
    tail = g.op("Log", [g.binary("Add", g.const(1.0, "one"), small)])
    return g.binary("Sub", g.binary("Min", Z, g.const(0.0, "zero")), tail)


def normal_cdf(g, Z):
    r""":math:`\Phi(z) = \frac12 (1 + \operatorname{erf}(z / \sqrt2))`."""
    X = g.binary("Div", Z, g.const(math.sqrt(2.0), "sqrt2"))
    erf = g.op("Erf", [X]) if g.dtype == np.float32 else erf_double(g, X)
    return g.binary("Mul", g.const(0.5, "half"), g.binary("Add", g.const(1.0, "one"), erf))


def erf_double(g, X):
    """erf from operators that onnxruntime runs in float64 (see ``_ERF_SPLIT``)."""
    R = g.op("Abs", [X])
    near = g.binary("Min", R, g.const(_ERF_SPLIT, "split"))
    far = g.binary("Max", R, g.const(_ERF_SPLIT, "split"))
    # Series, by Horner in y = x^2: every coefficient and y are positive.
    Y = g.binary("Mul", near, near)
    coefs = [1.0]
    for n in range(1, _ERF_SERIES_TERMS):
        coefs.append(coefs[-1] * 2.0 / (2 * n + 1))
    P = g.const(coefs[-1], "erf_coef")
    for c in reversed(coefs[:-1]):
        P = g.binary("Add", g.binary("Mul", P, Y), g.const(c, "erf_coef"))
    scale = g.binary("Mul", g.const(2.0 / math.sqrt(math.pi), "two_over_sqrtpi"), near)
    series = g.binary("Mul", g.binary("Mul", scale, g.op("Exp", [g.op("Neg", [Y])])), P)
    # erfc(x) = e^{-x^2} / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))),
    # evaluated from the innermost term out.
    F = far
    for k in range(_ERFC_FRACTION_TERMS, 0, -1):
        F = g.binary("Add", far, g.binary("Div", g.const(k / 2.0, "cf_coef"), F))
    gauss = g.op("Exp", [g.op("Neg", [g.binary("Mul", far, far)])])
    erfc = g.binary("Div", g.binary("Div", gauss, g.const(math.sqrt(math.pi), "sqrtpi")), F)
    fraction = g.binary("Sub", g.const(1.0, "one"), erfc)
    is_near = g.binary("LessOrEqual", R, g.const(_ERF_SPLIT, "split"))
    magnitude = g.op("Where", [is_near, series, fraction])
    return g.binary("Mul", g.op("Sign", [X]), magnitude)


def hidden_activation(g, name, Z):
    """``f(Z)`` for each of skvanilla's hidden activations (``_activations.py``).

    Written with operators that onnxruntime runs in float32 and float64 both
    (it has no double kernels for ``Erf``, ``Elu`` or ``Softplus``), and with
    the estimator's formulas; ``LeakyRelu`` is avoided because its slope is
    a float32 attribute, 0.01 only to 2e-8.
    """
    if name == "identity":
        return Z
    if name in ("logistic", "tanh", "relu"):
        return g.op({"logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}[name], [Z])
    if name == "leaky_relu":
        return g.binary("Max", Z, g.binary("Mul", Z, g.const(LEAKY_SLOPE, "slope")))
    if name == "elu":
        # max(z, e^{min(z, 0)} - 1), as the estimator.
        negative = g.op("Exp", [g.binary("Min", Z, g.const(0.0, "zero"))])
        return g.binary("Max", Z, g.binary("Sub", negative, g.const(1.0, "one")))
    if name == "gelu":
        return g.binary("Mul", Z, normal_cdf(g, Z))
    if name == "softplus":
        # log(1 + e^z) = -log sigma(-z)
        return g.op("Neg", [log_logistic(g, g.op("Neg", [Z]))])
    if name == "silu":
        return g.binary("Mul", Z, g.op("Sigmoid", [Z]))
    raise ValueError(f"No ONNX conversion for the hidden activation {name!r}.")


def clip_open_unit(g, P, output):
    """Into (0, 1), the nearest floats inside, as ``_labels.proba`` does."""
    info = np.finfo(g.dtype)
    bounds = [g.const(info.tiny, "tiny"), g.const(1 - info.epsneg, "below_one")]
    return g.op("Clip", [P, *bounds], output)
