"""ONNX export: skl2onnx converts skvanilla's estimators and onnxruntime agrees with them.

Every configuration family of the estimators (the nine hidden activations
and per-layer lists; softmax, logistic and normalised-logistic outputs;
binary, multiclass and multilabel targets; the regressor's identity and
exponential outputs) is converted inside a pipeline with a StandardScaler,
for float32 and float64 input, and run with onnxruntime.  Labels must be
equal; probabilities within 1e-5 (float32 input) or 1e-10 (float64) of the
estimator's; regression values within the same bounds relative to
``max(1, |y|)``.  Each test prints its worst error (``pytest -s``).  A
hypothesis property does the same over random small networks.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor
from skvanilla._activations import HIDDEN_ACTIVATIONS

REASON = "the onnx extra (skl2onnx, onnxruntime) is not installed"
skl2onnx = pytest.importorskip("skl2onnx", reason=REASON)
rt = pytest.importorskip("onnxruntime", reason=REASON)
sv_onnx = pytest.importorskip("skvanilla.onnx", reason=REASON)

from helpers import quiet  # noqa: E402
from scipy.special import erf  # noqa: E402  (after the skips: only needed with the extra)
from skl2onnx.common.data_types import StringTensorType  # noqa: E402

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
DTYPES = [np.float32, np.float64]


def session(onx):
    return rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])


def run_onnx(model, X, **options):
    """Convert ``model`` for ``X``'s dtype; return onnxruntime's outputs on ``X``."""
    onx = skl2onnx.to_onnx(model, X[:1], options=options or None)
    sess = session(onx)
    return sess.run(None, {sess.get_inputs()[0].name: X})


def data(n_features=5, n_rows=120, seed=0):
    """Rows on two scales: ordinary ones, and ones 30x as large that reach the tails."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    X[n_rows // 2 :] *= 30
    return X


def classifier_agreement(model, X):
    """Labels must be equal; return the worst probability error."""
    labels, proba = run_onnx(model, X, zipmap=False)
    np.testing.assert_array_equal(labels, model.predict(X))
    return np.abs(proba - model.predict_proba(X)).max()


def regressor_agreement(model, X):
    """The worst error of the values, relative to max(1, |y|).

    Values beyond the largest float of the input's dtype (``exp(z)`` with
    z > 88.7 in float32) are ``inf`` in the graph, which computes in that
    dtype, where the estimator, with float64 weights, still holds them.
    """
    (values,) = run_onnx(model, X)
    expected = model.predict(X).reshape(len(X), -1)
    assert values.shape == expected.shape
    held = np.abs(expected) <= np.finfo(values.dtype).max
    assert np.isposinf(values[~held]).all()
    relative = np.abs(values[held] - expected[held]) / np.maximum(1.0, np.abs(expected[held]))
    return relative.max(initial=0.0)


def report(family, dtype, error):
    print(f"\nONNX agreement {family} {np.dtype(dtype).name}: worst error {error:.3e}")
    assert error <= TOLERANCE[dtype], (family, error)


# ---------------------------------------------------------------------------
# Configuration families, each fitted in a pipeline
# ---------------------------------------------------------------------------


def targets(kind, X):
    """Labels (or values) of each kind of target for rows ``X``."""
    s = X[:, 0] + np.sin(X[:, 1])
    if kind == "binary":
        return np.where(s > 0, "yes", "no")
    if kind == "multiclass":
        return np.digitize(s, [-1.0, 0.0, 1.0])
    if kind == "multilabel":
        return np.column_stack([s > 0, X[:, 2] > 0, X[:, 3] > X[:, 1]]).astype(int)
    if kind == "values":
        return np.column_stack([s, X[:, 2] - X[:, 3]])
    if kind == "counts":
        return np.random.default_rng(1).poisson(np.exp(0.5 * np.tanh(s)))
    raise AssertionError(kind)


C, R = VanillaMLPClassifier, VanillaMLPRegressor
#: Configuration family: (estimator, kind of target, parameters beyond two hidden layers).
FAMILIES = {
    # the nine hidden activations, softmax outputs
    **{f"activation={name}": (C, "multiclass", {"activation": name})
       for name in HIDDEN_ACTIVATIONS},
    "per-layer activations": (C, "multiclass", {"activation": ["gelu", "elu", "softplus"],
                                                "hidden_layer_sizes": (7, 6, 5)}),
    "multiclass softmax": (C, "multiclass", {"out_activation": "softmax"}),
    "multiclass normalised logistic": (C, "multiclass", {"out_activation": "logistic"}),
    "multiclass logistic squared_error": (C, "multiclass", {"out_activation": "logistic",
                                                            "loss": "squared_error"}),
    "binary one logistic unit": (C, "binary", {}),
    "binary two softmax units": (C, "binary", {"out_activation": "softmax"}),
    "multilabel": (C, "multilabel", {"activation": "tanh"}),
    "regressor identity, two outputs": (R, "values", {"activation": "silu"}),
    "regressor identity, one output": (R, "values1", {"activation": ["relu", "gelu"]}),
    "regressor poisson (exp)": (R, "counts", {"loss": "poisson", "activation": "tanh"}),
}


def fit_family(family, X, y=None):
    """The family's estimator after a StandardScaler, fitted to ``X`` (and its targets)."""
    cls, kind, params = FAMILIES[family]
    if y is None:
        y = targets("values", X)[:, 0] if kind == "values1" else targets(kind, X)
    params = {"hidden_layer_sizes": (8, 6), "max_iter": 60, "random_state": 0, **params}
    return quiet(make_pipeline(StandardScaler(), cls(**params)).fit, X, y)


def agreement(model, X):
    if isinstance(model[-1], VanillaMLPRegressor):
        return regressor_agreement(model, X)
    return classifier_agreement(model, X)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("family", FAMILIES)
def test_families_agree(family, dtype):
    X = data()
    report(family, dtype, agreement(fit_family(family, X), X.astype(dtype)))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_model_fitted_in_float32_alone(dtype):
    """A model fitted on float32 data (float32 weights), converted without a pipeline."""
    X = data().astype(np.float32)
    X /= 30
    model = quiet(VanillaMLPClassifier((6,), activation="gelu", max_iter=40, random_state=0).fit,
                  X, targets("multiclass", X))
    assert model.coefs_[0].dtype == np.float32
    report("float32-fitted classifier", dtype, classifier_agreement(model, X.astype(dtype)))


def test_integer_input_computes_in_float32():
    """int64 rows (the digits' pixels) are cast to float32, as skl2onnx does for its models."""
    X = np.random.default_rng(0).integers(0, 17, size=(200, 5))
    model = quiet(VanillaMLPClassifier((6,), max_iter=30, random_state=0).fit,
                  X, targets("multiclass", X.astype(float)))
    labels, proba = run_onnx(model, X, zipmap=False)
    assert proba.dtype == np.float32
    np.testing.assert_array_equal(labels, model.predict(X))
    report("int64 input", np.float32, np.abs(proba - model.predict_proba(X)).max())


@pytest.mark.parametrize("y_of", [lambda k: k * 2.0 - 1, lambda k: k > 1], ids=["float", "bool"])
def test_float_and_boolean_class_labels(y_of):
    """Whole-number float and boolean labels become int64 labels, as skl2onnx writes its own."""
    X = data()
    y = y_of(targets("multiclass", X))
    model = fit_family("multiclass softmax", X, y)
    labels, _ = run_onnx(model, X, zipmap=False)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, model.predict(X))


# ---------------------------------------------------------------------------
# Options: zipmap, nocl, output_class_labels
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def string_model():
    """A classifier with text labels, and float32 rows: onnxruntime's ZipMap takes floats only."""
    X = data()
    y = np.array(["ant", "bee", "cat", "dog"])[targets("multiclass", X)]
    return fit_family("multiclass softmax", X, y), X.astype(np.float32)


def test_zipmap_gives_one_dict_per_row(string_model):
    model, X = string_model
    labels, dicts = run_onnx(model, X)
    P = model.predict_proba(X)
    np.testing.assert_array_equal(labels, model.predict(X))
    assert list(dicts[0]) == list(model.classes_)
    got = np.array([[row[c] for c in model.classes_] for row in dicts])
    assert np.abs(got - P).max() <= TOLERANCE[np.float32]


def test_zipmap_columns_gives_one_output_per_class(string_model):
    model, X = string_model
    labels, *columns = run_onnx(model, X, zipmap="columns")
    np.testing.assert_array_equal(labels, model.predict(X))
    assert len(columns) == len(model.classes_)
    assert np.abs(np.column_stack(columns) - model.predict_proba(X)).max() <= 1e-5


def test_nocl_gives_class_indices(string_model):
    model, X = string_model
    X64 = X.astype(np.float64)
    labels, proba = run_onnx(model, X64, zipmap=False, nocl=True)
    expected = np.searchsorted(model.classes_, model.predict(X64))
    np.testing.assert_array_equal(labels, expected)
    assert np.abs(proba - model.predict_proba(X64)).max() <= TOLERANCE[np.float64]
    _, dicts = run_onnx(model, X, nocl=True)
    assert list(dicts[0]) == list(range(len(model.classes_)))


def test_output_class_labels(string_model):
    model, X = string_model
    *_, classes = run_onnx(model, X, zipmap=False, output_class_labels=True)
    np.testing.assert_array_equal(classes, model[-1].classes_)


# ---------------------------------------------------------------------------
# What does not convert
# ---------------------------------------------------------------------------


def test_unfitted_estimator_is_named():
    for model in (VanillaMLPClassifier(), VanillaMLPRegressor()):
        with pytest.raises(NotFittedError, match=f"{type(model).__name__} is not fitted"):
            skl2onnx.to_onnx(model, np.zeros((1, 3)))


def test_unfitted_estimator_in_a_pipeline_is_named():
    model = make_pipeline(StandardScaler().fit(np.eye(3)), VanillaMLPClassifier())
    with pytest.raises(NotFittedError, match="VanillaMLPClassifier is not fitted"):
        skl2onnx.to_onnx(model, np.zeros((1, 3)))


def test_nocl_with_multilabel_is_refused():
    X = data()
    model = fit_family("multilabel", X)
    with pytest.raises(ValueError, match="nocl=True does not apply to a multilabel"):
        run_onnx(model, X, nocl=True, zipmap=False)


def test_wrong_number_of_columns_is_refused():
    X = data()
    model = fit_family("regressor identity, two outputs", X)[-1]
    with pytest.raises(ValueError, match="3 columns but the model was fitted on 5 features"):
        skl2onnx.to_onnx(model, X[:1, :3])


def test_string_input_is_refused():
    X = data()
    model = fit_family("regressor identity, two outputs", X)[-1]
    with pytest.raises(TypeError, match="not StringTensorType"):
        skl2onnx.to_onnx(model, initial_types=[("X", StringTensorType([None, 5]))])


def test_other_estimators_are_refused():
    with pytest.raises(TypeError, match="not StandardScaler"):
        sv_onnx.check_convertible(StandardScaler())


# ---------------------------------------------------------------------------
# The float64 erf, and random small networks
# ---------------------------------------------------------------------------


def test_double_erf_matches_scipy():
    """The series and continued fraction that stand in for Erf in float64 (onnxruntime has no
    double kernel for it), on a fine grid across the split, the tails and beyond."""
    X = np.concatenate([np.linspace(-8, 8, 200_001), [-1e300, -40.0, 0.0, 40.0, 1e300]])
    model = VanillaMLPRegressor(hidden_layer_sizes=(1,), activation="gelu", max_iter=1)
    quiet(model.fit, np.zeros((4, 1)), np.zeros(4))
    # One unit that passes z = sqrt(2) x through GELU, and an output that reads it:
    # the network returns gelu(sqrt(2) x) = sqrt(2) x Phi(sqrt(2) x), Phi = (1 + erf(x)) / 2.
    model.coefs_ = [np.array([[np.sqrt(2.0)]]), np.array([[1.0]])]
    model.intercepts_ = [np.zeros(1), np.zeros(1)]
    (values,) = run_onnx(model, X[:, None])
    inside = np.abs(X) < 1e100
    Z = np.sqrt(2.0) * X[inside]
    got_erf = 2 * values[inside, 0] / np.where(Z == 0, 1, Z) - 1
    error = np.abs(np.where(Z == 0, 0, got_erf - erf(X[inside]))).max()
    print(f"\nfloat64 erf in ONNX vs scipy: worst error {error:.3e}")
    # erf near 1 is recovered from gelu / z - 1 here, which adds a rounding or two.
    assert error <= 1e-15
    inner = np.abs(X) < 40
    expected = model.predict(X[inner, None])
    assert np.abs(values[inner, 0] - expected).max() <= 1e-15 * np.abs(expected).max()
    # Beyond: erf = -1 and +1, so gelu = 0 and z.
    np.testing.assert_array_equal(values[~inside, 0], [0.0, np.sqrt(2.0) * 1e300])


OUTPUT_KINDS = ["multiclass", "multiclass logistic", "binary", "binary softmax", "multilabel",
                "values", "counts"]


@st.composite
def networks(draw):
    """A fitted estimator of random shape, activations and weights, and rows to predict."""
    n_features = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 5), min_size=0, max_size=3))
    names = draw(st.lists(st.sampled_from(sorted(HIDDEN_ACTIVATIONS)),
                          min_size=len(sizes), max_size=len(sizes)))
    kind = draw(st.sampled_from(OUTPUT_KINDS))
    # Poisson outputs exp(z): larger weights would overflow float64 in the estimator too.
    scale = draw(st.sampled_from([0.1, 1.0] if kind == "counts" else [0.1, 1.0, 4.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(16, n_features))
    params = {"hidden_layer_sizes": tuple(sizes), "max_iter": 1, "random_state": 0,
              "solver": "sgd", "activation": names or "relu"}
    if kind in ("values", "counts"):
        y = rng.poisson(1.0, size=(16, 2)) if kind == "counts" else rng.normal(size=16)
        model = VanillaMLPRegressor(loss="poisson" if kind == "counts" else "squared_error",
                                    **params)
    else:
        n_classes = {"binary": 2, "binary softmax": 2}.get(kind, 3)
        y = np.arange(16) % n_classes
        if kind == "multilabel":
            y = rng.integers(0, 2, size=(16, 3))
        out = {"multiclass logistic": "logistic", "binary softmax": "softmax"}.get(kind, "auto")
        model = VanillaMLPClassifier(out_activation=out, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quiet(model.fit, X, y)
    model.coefs_ = [scale * rng.normal(size=W.shape) for W in model.coefs_]
    model.intercepts_ = [scale * rng.normal(size=b.shape) for b in model.intercepts_]
    return model, 3 * rng.normal(size=(40, n_features))


def _top_two_margin(Z):
    """How far apart the two largest outputs (or the output and 0) are, per row."""
    if Z.ndim == 1:
        return np.abs(Z)
    if Z.shape[1] == 1:
        return np.abs(Z[:, 0])
    top = np.sort(Z, axis=1)
    return top[:, -1] - top[:, -2]


@given(networks(), st.sampled_from(DTYPES))
def test_random_networks_agree(network, dtype):
    """Labels equal; probabilities or values within the tolerance of the input's dtype.

    Labels from float32 input are compared where the network's float64 outputs put the
    decision more than 1e-4 from a tie (or from z = 0): float32 rounding cannot be asked
    to break closer ties the way float64 does.  float64 labels are compared everywhere.
    """
    model, X = network
    Xd = X.astype(dtype)
    if isinstance(model, VanillaMLPRegressor):
        error = regressor_agreement(model, Xd)
    else:
        labels, proba = run_onnx(model, Xd, zipmap=False)
        expected = model.predict(Xd)
        decided = np.ones(len(X), bool)
        if dtype == np.float32:
            Z = model.decision_function(Xd)
            margin = np.abs(Z).min(axis=1) if model._target_kind == "multilabel" else (
                _top_two_margin(Z))
            decided = margin > 1e-4
        np.testing.assert_array_equal(labels[decided], expected[decided])
        error = np.abs(proba - model.predict_proba(Xd)).max()
    assert error <= TOLERANCE[dtype]


def test_model_fitted_on_torch_converts_from_the_host():
    """A model fitted on PyTorch tensors converts and agrees with its copy on numpy.

    On the CPU numpy could read the tensors itself; on a GPU it cannot, which is
    why the converter moves the model to numpy first (not testable without one).
    """
    torch = pytest.importorskip("torch", reason="the array-api extra (torch) is not installed")
    from sklearn import config_context

    X = data() / 30
    y = targets("multiclass", X)
    with config_context(array_api_dispatch=True):
        model = quiet(VanillaMLPClassifier((6,), max_iter=30, random_state=0).fit,
                      torch.asarray(X), torch.asarray(y))
    assert isinstance(model.coefs_[0], torch.Tensor)
    on_numpy = model.to_namespace(np)
    labels, proba = run_onnx(model, X, zipmap=False)
    np.testing.assert_array_equal(labels, on_numpy.predict(X))
    assert np.abs(proba - on_numpy.predict_proba(X)).max() < TOLERANCE[np.float64]
