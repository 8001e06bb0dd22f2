"""ONNX export: converters that let skl2onnx translate skvanilla's estimators.

This module's one job is to teach `skl2onnx <https://onnx.ai/sklearn-onnx/>`_
how to write :class:`~skvanilla.VanillaMLPClassifier` and
:class:`~skvanilla.VanillaMLPRegressor` as ONNX graphs, so that
``skl2onnx.to_onnx`` converts any pipeline that contains them and
onnxruntime serves it.  Importing the module registers the converters
(:func:`register` does it again, harmlessly); nothing else in skvanilla
imports it or skl2onnx, which stay optional (the ``onnx`` extra).

The graph computes what the estimators' ``predict``, ``predict_proba`` and
regression ``predict`` compute, in the input's precision (float32 or
float64: the weights are stored in that dtype):

* each hidden layer ``A = f(A_prev @ W + b)`` with its own activation,
  built from elementary ONNX operators that onnxruntime runs in both
  precisions (they are written in ``skvanilla/_onnx_ops.py``);
* the classifier's labels from the output pre-activation ``Z`` (the
  largest ``z``, or ``z > 0`` for one logistic unit and for each label of
  a multilabel model), its probabilities from ``Z`` through the output
  activation, as the estimator computes them, clipped into the open
  interval (0, 1) like the estimator's;
* the regressor's values ``Z`` or ``exp(Z)``, one column per output.

The classifier takes skl2onnx's usual options: ``zipmap`` (``True``,
``False`` or ``"columns"``), ``nocl`` (class indices instead of labels) and
``output_class_labels``; skl2onnx's own classifier parser applies them, as
it does for scikit-learn's ``MLPClassifier``.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._classifier import VanillaMLPClassifier
from ._regressor import VanillaMLPRegressor

try:
    from skl2onnx import update_registered_converter

    # skl2onnx's own parsers: the classifier's applies the zipmap, nocl and
    # output_class_labels options (the extra pins skl2onnx's version).
    from skl2onnx._parse import _parse_sklearn_classifier, _parse_sklearn_simple_model
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.proto import onnx_proto
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"skvanilla.onnx needs skl2onnx, which is not installed ({exc}); "
        'install the onnx extra: pip install ".[onnx]" in skvanilla\'s folder.'
    ) from exc

# After the check above: these build on skl2onnx too.
from ._onnx_ops import Graph, clip_open_unit, hidden_activation, log_logistic  # noqa: E402

__all__ = ["check_convertible", "register"]

#: The options scikit-learn's MLPClassifier converter accepts.
CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
}

_INPUT_TYPES = (FloatTensorType, DoubleTensorType, Int64TensorType, BooleanTensorType)


def register():
    """Register skvanilla's converters with skl2onnx (done on import; idempotent).

    After this, ``skl2onnx.to_onnx`` converts a fitted
    :class:`~skvanilla.VanillaMLPClassifier` or
    :class:`~skvanilla.VanillaMLPRegressor`, alone or inside a pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as rt
    >>> from skl2onnx import to_onnx
    >>> from sklearn.datasets import load_iris
    >>> from skvanilla import VanillaMLPClassifier
    >>> import skvanilla.onnx  # registers the converters
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = VanillaMLPClassifier((10,), solver="lbfgs", max_iter=300,
    ...                            random_state=0).fit(X, y)
    >>> onx = to_onnx(clf, X[:1], options={"zipmap": False})
    >>> sess = rt.InferenceSession(onx.SerializeToString(),
    ...                            providers=["CPUExecutionProvider"])
    >>> labels, proba = sess.run(None, {"X": X})
    >>> (labels == clf.predict(X)).all(), bool(np.abs(proba - clf.predict_proba(X)).max() < 1e-10)
    (np.True_, True)
    """
    update_registered_converter(
        VanillaMLPClassifier,
        "SkvanillaVanillaMLPClassifier",
        _classifier_shapes,
        _convert_classifier,
        parser=_parse_classifier,
        options=CLASSIFIER_OPTIONS,
    )
    update_registered_converter(
        VanillaMLPRegressor,
        "SkvanillaVanillaMLPRegressor",
        _regressor_shapes,
        _convert_regressor,
        parser=_parse_regressor,
    )


# ---------------------------------------------------------------------------
# What can be converted
# ---------------------------------------------------------------------------


def check_convertible(model):
    """Raise a clear error if ``model`` cannot be written as ONNX.

    Parameters
    ----------
    model : VanillaMLPClassifier or VanillaMLPRegressor

    Raises
    ------
    TypeError
        If ``model`` is not one of skvanilla's estimators.
    sklearn.exceptions.NotFittedError
        If it is not fitted.

    Notes
    -----
    skl2onnx calls this for every skvanilla estimator it meets; the
    conversion itself refuses, naming the problem, an input tensor that is
    not numeric or whose number of columns is not the model's, and
    ``nocl=True`` for a multilabel classifier.

    Examples
    --------
    >>> from skvanilla import VanillaMLPRegressor
    >>> check_convertible(VanillaMLPRegressor())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn.exceptions.NotFittedError: This VanillaMLPRegressor is not fitted: fit it before ...
    """
    if not isinstance(model, (VanillaMLPClassifier, VanillaMLPRegressor)):
        raise TypeError(
            f"skvanilla's ONNX converters take a VanillaMLPClassifier or "
            f"VanillaMLPRegressor, not {type(model).__name__}."
        )
    try:
        check_is_fitted(model)
    except NotFittedError as exc:
        raise NotFittedError(
            f"This {type(model).__name__} is not fitted: fit it before converting it to ONNX."
        ) from exc


def _label_kind(model, nocl):
    """``("index"|"int"|"string", values)``: what the label output holds."""
    if nocl:
        if model._target_kind == "multilabel":
            raise ValueError(
                "Option nocl=True does not apply to a multilabel VanillaMLPClassifier: "
                "its labels are already 0/1 indicators; convert it without nocl."
            )
        return "index", None
    classes = model.classes_
    # The classifier accepts whole-number floats as labels, never fractions
    # (scikit-learn's type_of_target calls those continuous), so the cast
    # to int64 is exact; skl2onnx writes MLPClassifier's float labels so too.
    if classes.dtype.kind in "biuf":
        int64 = np.iinfo(np.int64)
        outside = [c for c in classes.tolist() if not int64.min <= c <= int64.max]
        if outside:  # the cast would wrap them round to other labels
            raise ValueError(
                f"The labels {outside[:3]} are outside int64, the type of ONNX's label "
                "output; convert with the option nocl=True (class indices, in the order "
                "of classes_), or fit on labels within int64."
            )
        return "int", classes.astype(np.int64)
    return "string", np.array([str(c).encode("utf-8") for c in classes])


# ---------------------------------------------------------------------------
# Parsers and shape calculators: what the operator outputs
# ---------------------------------------------------------------------------


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """Check the model first, so that an unfitted one fails with a clear error."""
    check_convertible(model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


def _parse_regressor(scope, model, inputs, custom_parsers=None):
    check_convertible(model)
    return _parse_sklearn_simple_model(scope, model, inputs, custom_parsers=custom_parsers)


def _check_input(operator):
    """The input is one numeric tensor with the model's number of features."""
    if len(operator.inputs) != 1:
        raise ValueError(
            f"{type(operator.raw_operator).__name__} takes one input tensor, "
            f"not {len(operator.inputs)}."
        )
    input_type = operator.inputs[0].type
    if not isinstance(input_type, _INPUT_TYPES):
        raise TypeError(
            f"{type(operator.raw_operator).__name__} converts float, double, int64 or "
            f"bool input tensors, not {type(input_type).__name__}."
        )
    shape = input_type.shape
    n_features = operator.raw_operator.n_features_in_
    if len(shape) == 2 and isinstance(shape[1], int) and shape[1] != n_features:
        raise ValueError(
            f"The input tensor has {shape[1]} columns but the model was fitted on "
            f"{n_features} features."
        )
    return operator.inputs[0].get_first_dimension()


def _value_type(operator):
    """Double tensors for double input; float tensors for anything else."""
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        return DoubleTensorType
    return FloatTensorType


def _classifier_shapes(operator):
    n_rows = _check_input(operator)
    model = operator.raw_operator
    nocl = operator.scope_inst.get_options(model, {"nocl": False})["nocl"]
    kind, _ = _label_kind(model, nocl)
    n_classes = len(model.classes_)
    label_shape = [n_rows, n_classes] if model._target_kind == "multilabel" else [n_rows]
    label_type = StringTensorType if kind == "string" else Int64TensorType
    operator.outputs[0].set_type(label_type(shape=label_shape))
    operator.outputs[1].set_type(_value_type(operator)(shape=[n_rows, n_classes]))


def _regressor_shapes(operator):
    n_rows = _check_input(operator)
    model = operator.raw_operator
    operator.outputs[0].set_type(_value_type(operator)(shape=[n_rows, model.n_outputs_]))


# ---------------------------------------------------------------------------
# The graph
# ---------------------------------------------------------------------------



def _graph(scope, operator, container):
    proto_dtype = (
        onnx_proto.TensorProto.DOUBLE
        if isinstance(operator.inputs[0].type, DoubleTensorType)
        else onnx_proto.TensorProto.FLOAT
    )
    return Graph(scope, container, proto_dtype)


def _output_z(g, operator):
    """The output layer's pre-activation ``Z``, every hidden layer on the way."""
    # A graph's constants are numpy arrays: a model fitted on a device comes to the host
    # (numpy can read a CPU tensor itself, not a GPU's).
    model = operator.raw_operator._on_numpy()
    A = g.op("Cast", [operator.inputs[0].full_name], to=g.proto_dtype)
    names = model._hidden_activation_names(model.n_layers_ - 2)
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        Z = g.binary("MatMul", A, g.const(W, "coefficient"))
        Z = g.binary("Add", Z, g.const(b.reshape(1, -1), "intercept"))
        A = hidden_activation(g, names[i], Z) if i < len(names) else Z
    return A




def _proba(g, model, Z, output):
    """Class probabilities from ``Z``, following ``_labels._proba`` case by case."""
    if model.out_activation_ == "softmax":
        P = g.op("Softmax", [Z], axis=1)
    elif model.n_outputs_ == 1:
        P = g.op("Concat", [g.op("Sigmoid", [g.op("Neg", [Z])]), g.op("Sigmoid", [Z])], axis=1)
    elif model._target_kind == "multilabel":
        P = g.op("Sigmoid", [Z])
    else:
        # One sigmoid per exclusive class, normalised: p_k / sum_j p_j through
        # log space, where every sigma(z_k) may underflow.
        P = g.op("Softmax", [log_logistic(g, Z)], axis=1)
    return clip_open_unit(g, P, output)


def _labels(g, model, Z, nocl, output):
    """Labels from ``Z``, following ``_labels.decode``: the largest z, or z > 0."""
    if model._target_kind == "multilabel":
        positive = g.binary("Greater", Z, g.const(0.0, "zero"))
        return g.op("Cast", [positive], output, to=onnx_proto.TensorProto.INT64)
    if model.n_outputs_ == 1:
        positive = g.binary("Greater", Z, g.const(0.0, "zero"))
        index = g.op("Cast", [positive], to=onnx_proto.TensorProto.INT64)
        index = g.binary("Reshape", index, g.const([-1], "flat", np.int64))
    else:
        index = g.op("ArgMax", [Z], axis=1, keepdims=0)
    kind, classes = _label_kind(model, nocl)
    if kind == "index":
        return g.op("Identity", [index], output)
    classes = g.const(classes, "classes", classes.dtype if kind == "int" else object)
    return g.op("Gather", [classes, index], output, axis=0)


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    nocl = scope.get_options(model, {"nocl": False})["nocl"]
    g = _graph(scope, operator, container)
    Z = _output_z(g, operator)
    _labels(g, model, Z, nocl, operator.outputs[0].full_name)
    _proba(g, model, Z, operator.outputs[1].full_name)


def _convert_regressor(scope, operator, container):
    model = operator.raw_operator
    g = _graph(scope, operator, container)
    Z = _output_z(g, operator)
    op_type = {"identity": "Identity", "exp": "Exp"}[model.out_activation_]
    g.op(op_type, [Z], operator.outputs[0].full_name)


register()
