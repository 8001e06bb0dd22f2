"""Training and prediction on PyTorch and array_api_strict arrays, against numpy.

With ``array_api_dispatch=True``, a fit on another namespace must follow the
numpy fit of the same ``random_state``: the same initial weights (drawn by
numpy, then moved), and weights after several epochs within ``1e-10``
(float64) or ``1e-4`` (float32) relative to numpy's, for every solver and
both estimators.  Every other feature either works there, with the results
of numpy, or raises an error that names what is not supported.

The namespaces are optional (the ``array-api`` extra): a test that needs one
that is not installed is skipped, saying so.  scipy's own Array API support
is switched on by ``tests/conftest.py``.
"""

import importlib
import pickle
import types
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from recorders import EpochRecorder
from sklearn.datasets import load_diabetes, load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_array_api_input_and_values,
    check_array_api_same_namespace,
)

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor, check_gradients
from skvanilla._activations import OUTPUT_ACTIVATIONS
from skvanilla._devices import adapter
from skvanilla._losses import make_loss
from skvanilla._xp import ArrayAPI

NAMESPACES = ["array_api_strict", "torch"]


def _namespace(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} is not installed (pip install -e '.[array-api]')")


@pytest.fixture(params=NAMESPACES)
def xp(request):
    """The namespace under test, as its module."""
    return _namespace(request.param)


def dispatch():
    return sklearn.config_context(array_api_dispatch=True)


def host(a):
    """An array of any namespace, on any device, as numpy, for comparisons."""
    if hasattr(a, "cpu"):
        return a.detach().cpu().numpy()
    if namespace_name(a) == "array_api_strict":  # it reads only its CPU device into numpy
        a = a.to_device(importlib.import_module("array_api_strict").Device("CPU_DEVICE"))
    return np.asarray(a)


def relative(a, b):
    """``||a - b|| / ||b||`` over a list of arrays, ``a`` of any namespace."""
    a = np.concatenate([host(x).ravel() for x in a])
    b = np.concatenate([np.asarray(x).ravel() for x in b])
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def namespace_name(a):
    return type(a).__module__.split(".")[0]


@pytest.fixture(scope="module")
def diabetes_data():
    """The diabetes data, standardised, targets divided by 100."""
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y / 100


def fit_both(est, xp, X, y, dtype=np.float64, **fit_params):
    """The same estimator fitted on numpy and on ``xp`` arrays; returns both fits."""
    X = X.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of short fits
        ref = sklearn.base.clone(est).fit(X, y, **fit_params)
        with dispatch():
            moved = {k: xp.asarray(v) for k, v in fit_params.items()}
            other = sklearn.base.clone(est).fit(xp.asarray(X), xp.asarray(y), **moved)
    return ref, other


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize(
    "dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-4)], ids=["float64", "float32"]
)
@pytest.mark.parametrize("head", ["classifier", "regressor"])
def test_fit_follows_numpy(xp, solver, dtype, tolerance, head, iris, diabetes_data):
    if head == "classifier":
        est, (X, y) = VanillaMLPClassifier((16, 8), solver=solver), iris
    else:
        est, (X, y) = VanillaMLPRegressor(hidden_layer_sizes=(16, 8), solver=solver), diabetes_data
    est.set_params(max_iter=15, random_state=0, activation="tanh")
    ref, other = fit_both(est, xp, X, y, dtype)
    assert namespace_name(other.coefs_[0]) == xp.__name__
    assert host(other.coefs_[0]).dtype == dtype
    assert other.n_iter_ == ref.n_iter_
    assert relative(other.coefs_ + other.intercepts_, ref.coefs_ + ref.intercepts_) < tolerance
    assert np.allclose(other.loss_curve_, ref.loss_curve_, rtol=tolerance, atol=0)


def test_initial_weights_are_numpys(xp, iris):
    X, y = iris
    ref = VanillaMLPClassifier((7, 5), random_state=3)
    ref._prepare_fit(X, y, None, incremental=False)
    other = VanillaMLPClassifier((7, 5), random_state=3)
    with dispatch():
        other._prepare_fit(xp.asarray(X), xp.asarray(y), None, incremental=False)
    for a, b in zip(other.coefs_ + other.intercepts_, ref.coefs_ + ref.intercepts_):
        assert np.array_equal(host(a), b)


CLASSIFIER_CASES = {
    "weights": (dict(class_weight="balanced", solver="sgd"), True),
    "early_stopping": (
        dict(early_stopping=True, n_iter_no_change=3, validation_fraction=0.2), False
    ),
    "loss_scoring": (dict(early_stopping=True, scoring="loss"), False),
    "dropout": (dict(dropout=0.3), False),
    "activations": (
        dict(hidden_layer_sizes=(6,) * 8, activation=[
            "identity", "logistic", "relu", "leaky_relu", "elu", "gelu", "softplus", "silu"]),
        False,
    ),
    "squared_error_logistic": (dict(loss="squared_error", out_activation="logistic"), False),
    "binary_softmax": (dict(out_activation="softmax"), False),
    # Unshuffled batches are slices of the device arrays, weights included.
    "unshuffled_weights": (dict(shuffle=False, solver="sgd", batch_size=32), True),
}


@pytest.mark.parametrize("case", CLASSIFIER_CASES)
def test_classifier_features_follow_numpy(xp, case, iris):
    params, weighted = CLASSIFIER_CASES[case]
    X, y = iris
    if case == "binary_softmax":
        y = (y > 0).astype(int)
    est = VanillaMLPClassifier(**{"hidden_layer_sizes": (8,), "max_iter": 12, "random_state": 1,
                                  **params})
    fit_params = {"sample_weight": np.linspace(0.2, 2.0, len(y))} if weighted else {}
    ref, other = fit_both(est, xp, X, y, **fit_params)
    assert relative(other.coefs_, ref.coefs_) < 1e-10
    if ref.validation_scores_ is not None:
        assert np.allclose(other.validation_scores_, ref.validation_scores_, rtol=1e-10)
        assert other.n_iter_ == ref.n_iter_
    Xd = xp.asarray(X)
    with dispatch():
        outputs = {
            "predict_proba": other.predict_proba(Xd),
            "predict_log_proba": other.predict_log_proba(Xd),
            "decision_function": other.decision_function(Xd),
            "hidden_activations": other.hidden_activations(Xd, layer=0),
            "predict": other.predict(Xd),
        }
        score = other.score(Xd, xp.asarray(y))
    for name, value in outputs.items():
        assert namespace_name(value) == xp.__name__, name
        expected = getattr(ref, name)(X) if name != "hidden_activations" else (
            ref.hidden_activations(X, layer=0))
        np.testing.assert_allclose(host(value), expected, rtol=1e-9, atol=1e-12, err_msg=name)
    assert score == pytest.approx(ref.score(X, y), abs=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_losses_follow_numpy(xp, loss, diabetes_data):
    X, y = diabetes_data
    est = VanillaMLPRegressor(loss, hidden_layer_sizes=(8,), max_iter=10, random_state=2,
                              solver="sgd", learning_rate_init=0.01)
    if loss == "poisson":  # counts of zero among them: y log y is 0 there, not log 0
        y = np.where(np.arange(len(y)) % 5 == 0, 0.0, np.abs(y))
    else:
        y = np.column_stack([y, -y])  # two outputs
    ref, other = fit_both(est, xp, X, y)
    assert relative(other.coefs_, ref.coefs_) < 1e-10
    # The loss itself, not only its gradient: the deviance's y log y term moves no weight.
    np.testing.assert_allclose(other.loss_curve_, ref.loss_curve_, rtol=1e-10, atol=0)
    with dispatch():
        predicted = other.predict(xp.asarray(X))
        score = other.score(xp.asarray(X), xp.asarray(y))
    assert namespace_name(predicted) == xp.__name__
    np.testing.assert_allclose(host(predicted), ref.predict(X), rtol=1e-9)
    assert score == pytest.approx(ref.score(X, y), abs=1e-12)


def test_divergence_keeps_the_weights_numpy_keeps(xp, diabetes_data):
    # Seven good epochs, then the weights overflow: the model must be left with
    # the weights from before the last epoch, as on numpy, not those of the start.
    X, y = diabetes_data
    est = VanillaMLPRegressor(hidden_layer_sizes=(4,), activation="identity", solver="sgd",
                              momentum=0.0, learning_rate_init=1.0, batch_size=len(X),
                              max_iter=50, shuffle=False, random_state=0)
    ref, other = sklearn.base.clone(est), sklearn.base.clone(est)
    with pytest.raises(ValueError, match="diverged"):
        ref.fit(X, y)
    with dispatch(), pytest.raises(ValueError, match="diverged"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # array_api_strict's numpy overflowing
        other.fit(xp.asarray(X), xp.asarray(y))
    assert other.n_iter_ == ref.n_iter_ > 1
    assert relative(other.coefs_ + other.intercepts_, ref.coefs_ + ref.intercepts_) < 1e-10


@pytest.mark.parametrize("z_dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_poisson_loss_takes_integer_counts_on_the_device_too(xp, z_dtype):
    # As on numpy (test_losses.py), integer counts are targets of the Poisson
    # loss, in the dtype of Z; the standard does not mix integer and float arrays.
    rng = np.random.RandomState(0)
    counts = rng.randint(0, 200, (6, 2))
    Z = rng.uniform(-2, 5, (6, 2))
    loss, exp = make_loss("poisson", "exp"), OUTPUT_ACTIVATIONS["exp"].f
    reference = loss.mean(counts.astype(float), Z, exp(Z))
    on = adapter(xp)
    Zd = xp.asarray(Z.astype(z_dtype))
    total = loss.mean(xp.asarray(counts), Zd, exp(Zd, xp=on), xp=on)
    assert total.dtype == Zd.dtype
    eps = max(np.finfo(z_dtype).eps, np.finfo(np.float64).eps)  # the reference's
    np.testing.assert_allclose(float(total), reference, rtol=10 * eps)


def test_a_given_validation_set_follows_numpy_and_must_share_the_namespace(xp, iris):
    X, y = iris
    train, val = slice(0, None, 2), slice(1, None, 2)
    sw_val = np.linspace(0.5, 1.5, len(y))[val]
    est = VanillaMLPClassifier((8,), max_iter=6, random_state=1, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sklearn.base.clone(est).fit(
            X[train], y[train], X_val=X[val], y_val=y[val], sample_weight_val=sw_val
        )
        with dispatch():
            other = sklearn.base.clone(est).fit(
                xp.asarray(X[train]), xp.asarray(y[train]), X_val=xp.asarray(X[val]),
                y_val=xp.asarray(y[val]), sample_weight_val=xp.asarray(sw_val),
            )
            # X_val of numpy for a fit on xp is refused, as predict refuses numpy X.
            msg = r"VanillaMLPClassifier.fit\(\) must use the same.* X_val is numpy"
            with pytest.raises(ValueError, match=msg):
                sklearn.base.clone(est).fit(
                    xp.asarray(X[train]), xp.asarray(y[train]), X_val=X[val], y_val=y[val]
                )
    assert other.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(other.validation_scores_, ref.validation_scores_, rtol=1e-12)
    np.testing.assert_allclose(
        other.validation_loss_curve_, ref.validation_loss_curve_, rtol=1e-10
    )
    assert relative(other.coefs_, ref.coefs_) < 1e-10


def test_partial_fit_follows_numpy(xp, iris):
    X, y = iris
    ref = VanillaMLPClassifier((8,), random_state=0)
    other = VanillaMLPClassifier((8,), random_state=0)
    for k in range(3):
        rows = slice(k, None, 3)
        ref.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        with dispatch():
            other.partial_fit(xp.asarray(X[rows]), xp.asarray(y[rows]), classes=[0, 1, 2])
    assert relative(other.coefs_, ref.coefs_) < 1e-10
    assert np.allclose(other.loss_curve_, ref.loss_curve_, rtol=1e-10)


def test_callbacks_see_every_epoch_on_the_device(xp, iris):
    X, y = iris
    recorder = EpochRecorder()
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = VanillaMLPClassifier((8,), max_iter=3, random_state=0).set_callbacks(recorder)
        clf.fit(xp.asarray(X), xp.asarray(y))
        epochs = [e for e in recorder.ends if e[1] == "epoch"]
        assert len(epochs) == 3
        last = epochs[-1][2]
        assert namespace_name(last.coefs_[0]) == xp.__name__
        np.testing.assert_array_equal(
            host(last.predict(xp.asarray(X))), host(clf.predict(xp.asarray(X)))
        )


@pytest.mark.parametrize("Estimator", [VanillaMLPClassifier, VanillaMLPRegressor])
def test_tensors_that_require_grad_are_read_as_their_values(Estimator, iris):
    # A tensor from an autograd graph (features computed by a torch model, say)
    # trains and predicts as its detached values; the results record no graph.
    torch = pytest.importorskip("torch", reason="torch is in the array-api extra")
    X, y = iris
    y = y if Estimator is VanillaMLPClassifier else X[:, 0]
    Xg, yg = (torch.asarray(a, dtype=torch.float64).requires_grad_() for a in (X[:, 1:], y))
    yg = torch.asarray(y) if Estimator is VanillaMLPClassifier else yg
    est = Estimator(hidden_layer_sizes=(8,), max_iter=5, random_state=0, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dispatch():
            fitted = sklearn.base.clone(est).fit(Xg, yg, X_val=Xg[:20], y_val=yg[:20])
            predicted = fitted.predict(Xg)
        ref = sklearn.base.clone(est).fit(X[:, 1:], y, X_val=X[:20, 1:], y_val=y[:20])
    assert not predicted.requires_grad
    assert relative(fitted.coefs_, ref.coefs_) < 1e-10
    np.testing.assert_allclose(host(predicted), ref.predict(X[:, 1:]), rtol=1e-9)


def test_string_labels_come_back_as_numpy(xp, iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = VanillaMLPClassifier((8,), max_iter=5, random_state=0).fit(xp.asarray(X), labels)
        predicted = clf.predict(xp.asarray(X))
    assert isinstance(predicted, np.ndarray) and set(predicted) <= set(labels)


@pytest.mark.parametrize(
    "dtype", [np.float16, np.longdouble, np.int8, np.uint8, np.uint16, np.uint32, np.uint64]
)
def test_numeric_labels_come_back_with_numpys_values(xp, dtype, iris):
    # float16 and long double: dtypes a namespace may lack or not read (the
    # labels come back in the float dtype of the model's width). Unsigned
    # integers: PyTorch holds them but cannot index them; they come back in
    # their own dtype, as on numpy.
    X, y = iris
    labels = (2 * y + 1).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = VanillaMLPClassifier((8,), max_iter=5, random_state=0).fit(X, labels)
        with dispatch():
            clf = VanillaMLPClassifier((8,), max_iter=5, random_state=0).fit(xp.asarray(X), labels)
            predicted = clf.predict(xp.asarray(X))
    assert namespace_name(predicted) == xp.__name__
    np.testing.assert_array_equal(host(predicted), ref.predict(X))
    if np.dtype(dtype).kind != "f":
        assert host(predicted).dtype == dtype


@pytest.mark.parametrize(
    "hidden, params, binary",
    [((8,), dict(solver="adam", early_stopping=True, activation="logistic"), False),
     ((8,), dict(solver="lbfgs", activation="gelu"), False),
     # one logistic output unit, and the activations scipy computes on numpy's side
     ((5, 5, 5), dict(activation=["gelu", "silu", "softplus"]), True)],
    ids=["adam-early_stopping", "lbfgs", "gelu-silu-softplus-binary"],
)
def test_a_second_device_keeps_every_array_there(hidden, params, binary, iris):
    # array_api_strict's "device1" stands in for an accelerator: like a GPU
    # library it refuses to combine arrays of two devices or to read one not on
    # its CPU into numpy. Every array made on the way (weights, scalar operands,
    # indices, the prediction) must be on X's, and every activation, derivative
    # and probability computed by the namespace's own functions (scipy's
    # special functions through the adapter), never by numpy's.
    strict = _namespace("array_api_strict")
    device = strict.Device("device1")
    X, y = iris
    y = (y > 0).astype(int) if binary else y
    est = VanillaMLPClassifier(hidden, max_iter=6, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sklearn.base.clone(est).fit(X, y)
        Xd = strict.asarray(X, device=device)
        with dispatch():
            other = sklearn.base.clone(est).fit(Xd, strict.asarray(y, device=device))
            outputs = {"predict": other.predict(Xd), "predict_proba": other.predict_proba(Xd)}
    assert all(a.device == device for a in other.coefs_ + other.intercepts_)
    assert relative(other.coefs_ + other.intercepts_, ref.coefs_ + ref.intercepts_) < 1e-10
    for name, value in outputs.items():
        assert value.device == device, name
        np.testing.assert_allclose(host(value), getattr(ref, name)(X), rtol=1e-9, atol=1e-12)


class _DeviceOnly:
    """An array that numpy cannot read, as a CUDA tensor or a CuPy array refuses to be.

    It hands its values over only through ``route``: ``"cpu"`` (PyTorch's
    ``x.detach().cpu().numpy()``), ``"get"`` (CuPy's ``x.get()``) or
    ``"to_device"`` (a namespace without a ``Device`` class, whose arrays
    still have ``to_device``; numpy then reads the array as it is).
    """

    def __init__(self, values, route):
        self.values, self.route = values, route
        if route == "cpu":
            self.detach = lambda: self
            self.cpu = lambda: types.SimpleNamespace(numpy=lambda: self.values.copy())
        elif route == "get":
            self.get = self.values.copy
        else:
            self.to_device = lambda device: self  # a namespace with one device

    def __array__(self, dtype=None, copy=None):
        if self.route != "to_device":
            raise TypeError("this array lives on a device numpy cannot read")
        return self.values


@pytest.mark.parametrize("route", ["cpu", "get", "to_device"])
def test_to_host_reads_device_arrays_through_their_own_copy(route):
    # Stand-ins for the GPU libraries CI cannot run (CUDA tensors, CuPy) and for
    # a namespace without array_api_strict's Device class: each must be read
    # through its own way to the host, never by numpy's buffer protocol.
    values = np.arange(6.0).reshape(2, 3)
    namespace = types.SimpleNamespace(__name__="stand_in")
    host_values = ArrayAPI(namespace).to_host(_DeviceOnly(values, route))
    assert isinstance(host_values, np.ndarray)
    np.testing.assert_array_equal(host_values, values)


def test_to_namespace_moves_to_another_device_of_the_same_namespace(iris):
    strict = _namespace("array_api_strict")
    device = strict.Device("device1")
    X, y = iris
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = VanillaMLPClassifier((8,), max_iter=5, random_state=0)
        clf.fit(strict.asarray(X), strict.asarray(y))
        moved = clf.to_namespace(strict, device=device)
        assert all(a.device == device for a in moved.coefs_ + moved.intercepts_)
        np.testing.assert_array_equal(
            host(moved.predict_proba(strict.asarray(X, device=device))),
            host(clf.predict_proba(strict.asarray(X))),
        )
        with pytest.raises(ValueError, match="same namespace and the same device"):
            moved.predict(strict.asarray(X))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_stacks_products_and_norms_on_torch_are_each_networks_own(dtype):
    """A stack's leading axis on torch: each network's bits, as it computes them alone.

    PyTorch's batched product does not give them (see ``ArrayAPI.matmul``),
    nor a sum over a stack's large matrices (see ``_squared_norm``).
    """
    torch = pytest.importorskip("torch", reason="torch is in the array-api extra")
    from skvanilla._buffers import aligned_rows
    from skvanilla._network import _squared_norm

    xp, dtype = adapter(torch), getattr(torch, dtype)
    gen = torch.Generator().manual_seed(0)
    K, n, a, b = 5, 37, 64, 15
    A, W, delta = (torch.randn(*shape, generator=gen, dtype=dtype)
                   for shape in [(K, n, a), (K, a, b), (K, n, b)])
    grad = aligned_rows(xp, K, a * b + 1, dtype)[:, 1:].unflatten(1, (a, b))  # odd offsets
    products = [xp.matmul(A, W), xp.matmul(A.mT, delta, out=grad), xp.matmul(delta, W.mT)]
    for k in range(K):
        alone = torch.empty(a * b + 1, dtype=dtype)[1:].unflatten(0, (a, b))  # as in the stack
        expected = [A[k] @ W[k], xp.matmul(A[k].T, delta[k], out=alone), delta[k] @ W[k].T]
        for ours, theirs in zip(products, expected):
            assert torch.equal(ours[k], theirs)
    large = torch.randn(3, 784, 500, generator=gen, dtype=dtype)
    norms = _squared_norm(large, xp)
    assert all(torch.equal(norms[k], _squared_norm(large[k], xp)) for k in range(3))


def test_check_gradients_in_torch_float64(iris):
    torch = _namespace("torch")
    X, y = iris
    clf = VanillaMLPClassifier((5, 4), activation=["gelu", "tanh"], alpha=0.1, random_state=0)
    with dispatch():
        error = check_gradients(clf, torch.asarray(X[::10]), torch.asarray(y[::10]))
    assert error < 1e-6
    # And on fitted weights, which stay on their device.
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.set_params(max_iter=3).fit(torch.asarray(X), torch.asarray(y))
        assert check_gradients(clf, torch.asarray(X[::10]), torch.asarray(y[::10])) < 1e-6
    assert isinstance(clf.coefs_[0], torch.Tensor)


def test_pipeline_on_torch_tensors():
    torch = _namespace("torch")
    X, y = load_iris(return_X_y=True)
    clf = VanillaMLPClassifier((16,), solver="lbfgs", max_iter=30, random_state=0)
    pipe = make_pipeline(StandardScaler(), clf)
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.fit(torch.asarray(X), torch.asarray(y))
        predicted = pipe.predict(torch.asarray(X))
        score = pipe.score(torch.asarray(X), torch.asarray(y))
    assert isinstance(predicted, torch.Tensor) and predicted.dtype == torch.int64
    assert isinstance(pipe[-1].coefs_[0], torch.Tensor)
    ref = make_pipeline(StandardScaler(), sklearn.base.clone(clf))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X, y)
    assert score == pytest.approx(ref.score(X, y), abs=1e-12)
    assert score > 0.9


def test_to_namespace_round_trip(xp, iris):
    X, y = iris
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = VanillaMLPClassifier((8,), max_iter=5, random_state=0, early_stopping=True)
        clf.fit(xp.asarray(X), xp.asarray(y))
        expected = host(clf.predict_proba(xp.asarray(X)))
    on_numpy = clf.to_namespace(np)
    assert all(isinstance(c, np.ndarray) for c in on_numpy.coefs_ + on_numpy._best_coefs)
    assert isinstance(on_numpy._optimizer.ms, np.ndarray)
    for a, b in zip(on_numpy.coefs_ + on_numpy.intercepts_, clf.coefs_ + clf.intercepts_):
        assert np.array_equal(a, host(b))
    # The same weights; numpy's and the other library's exp differ by an ulp.
    np.testing.assert_allclose(on_numpy.predict_proba(X), expected, rtol=1e-13)
    assert clf.to_namespace(xp) is not clf
    # A numpy model saves; moved back, it trains on as the original does (the
    # optimizer's moments moved with it).
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = VanillaMLPClassifier((8,), max_iter=5, random_state=0)
        clf.fit(xp.asarray(X), xp.asarray(y))
    restored = pickle.loads(pickle.dumps(clf.to_namespace(np))).to_namespace(xp)
    with dispatch():
        for model in (clf, restored):
            model.partial_fit(xp.asarray(X), xp.asarray(y))
    np.testing.assert_array_equal(host(restored.coefs_[0]), host(clf.coefs_[0]))


def test_to_sklearn_brings_a_device_model_to_numpy(xp, iris):
    X, y = iris
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = VanillaMLPClassifier((8,), max_iter=5, random_state=0)
        clf.fit(xp.asarray(X), xp.asarray(y))
        expected = host(clf.predict_proba(xp.asarray(X)))
    mlp = clf.to_sklearn()
    assert isinstance(mlp.coefs_[0], np.ndarray) and namespace_name(clf.coefs_[0]) == xp.__name__
    np.testing.assert_allclose(mlp.predict_proba(X), expected, rtol=1e-12)


def test_unsupported_uses_say_why(iris):
    torch = _namespace("torch")
    X, y = iris
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = VanillaMLPClassifier((4,), max_iter=2, random_state=0)
        clf.fit(torch.asarray(X), torch.asarray(y))
        with pytest.raises(ValueError, match=r"VanillaMLPClassifier.predict\(\) must use the same"):
            clf.predict(X)
        with pytest.raises(TypeError, match="sparse PyTorch tensor"):
            VanillaMLPClassifier().fit(torch.asarray(X).to_sparse(), torch.asarray(y))
    with pytest.raises(ValueError, match="array_api_dispatch is off"):
        clf.predict(torch.asarray(X))
    with pytest.raises(TypeError, match=r"to_namespace\(numpy\)"):
        pickle.dumps(clf)
    with pytest.raises(ValueError, match="numpy arrays live on the CPU"):
        clf.to_namespace(np, device="cuda")
    # scipy.sparse input is numpy's, with or without dispatch.
    with dispatch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = VanillaMLPClassifier((4,), max_iter=2, random_state=0).fit(sp.csr_matrix(X), y)
    assert isinstance(fitted.coefs_[0], np.ndarray)


@pytest.mark.parametrize(
    "estimator",
    [VanillaMLPClassifier(max_iter=20), VanillaMLPClassifier(solver="lbfgs", max_iter=20),
     VanillaMLPRegressor(max_iter=20), VanillaMLPRegressor(solver="sgd", max_iter=20)],
    ids=["classifier-adam", "classifier-lbfgs", "regressor-adam", "regressor-sgd"],
)
@pytest.mark.parametrize("namespace", ["numpy", *NAMESPACES])
def test_array_api_input_and_values(estimator, namespace):
    if namespace != "numpy":
        _namespace(namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_array_api_input_and_values(type(estimator).__name__, estimator, namespace)


@pytest.mark.parametrize(
    "estimator", [VanillaMLPClassifier(max_iter=5), VanillaMLPRegressor(max_iter=5)],
    ids=["classifier", "regressor"],
)
def test_prediction_refuses_another_namespace(estimator, xp):
    # scikit-learn's check (not among those its generator yields): every method
    # that predicts names itself in the error, as check_same_namespace does.
    device = "cpu" if xp.__name__ == "torch" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_array_api_same_namespace(type(estimator).__name__, estimator, xp.__name__, device)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_saturated_probabilities_stay_inside_zero_and_one_as_on_numpy(xp, kind, iris):
    # Inputs a thousand times larger than the training data's drive every output unit far into
    # saturation: a probability that rounds to 0 or 1 is held at the nearest float inside, and
    # a log-probability at log of the smallest normal float and below 0, as on numpy.
    X, y = iris
    y = {"binary": y > 0, "multiclass": y,
         "multilabel": np.column_stack([y == 0, y == 1, y > 0]).astype(int)}[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of a short fit
        ref = VanillaMLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
    other = ref.to_namespace(xp)
    X_far = 1e3 * X
    tiny = np.finfo(np.float64).tiny
    with dispatch():
        proba = host(other.predict_proba(xp.asarray(X_far)))
        log_proba = host(other.predict_log_proba(xp.asarray(X_far)))
    expected_proba, expected_log = ref.predict_proba(X_far), ref.predict_log_proba(X_far)
    assert (expected_proba == tiny).any() and (expected_proba == 1 - np.finfo(float).epsneg).any()
    assert proba.min() == tiny and proba.max() < 1.0
    assert log_proba.min() == np.log(tiny) and log_proba.max() < 0.0
    np.testing.assert_allclose(proba, expected_proba, rtol=1e-9, atol=0)
    np.testing.assert_allclose(log_proba, expected_log, rtol=1e-9, atol=0)


def test_a_log_loss_past_underflow_follows_numpy(xp, iris):
    # Inputs scaled by a thousand make some softmax probabilities underflow to 0 from the
    # first batch: the loss is then taken through log-softmax of Z, in the namespace's own
    # functions, and the loss curve is numpy's.
    X, y = iris
    est = VanillaMLPClassifier((8,), max_iter=3, random_state=0)
    ref, other = fit_both(est, xp, 1e3 * X, y)
    assert np.isfinite(ref.loss_curve_).all() and ref.loss_curve_[0] > 10
    np.testing.assert_allclose(other.loss_curve_, ref.loss_curve_, rtol=1e-10, atol=0)
    assert relative(other.coefs_, ref.coefs_) < 1e-10


def test_prediction_in_blocks_of_rows_follows_numpy(xp):
    # 1024 hidden units make blocks of 256 rows: 300 rows are a full block and a short one,
    # which the namespace's prediction computes without numpy's workspace.
    rng = np.random.RandomState(0)
    X, y = rng.randn(300, 3), rng.randn(300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of a one-epoch fit
        ref = VanillaMLPRegressor(hidden_layer_sizes=(1024,), max_iter=1, random_state=0)
        ref.fit(X, y)
    other = ref.to_namespace(xp)
    with dispatch():
        predicted = other.predict(xp.asarray(X))
    assert namespace_name(predicted) == xp.__name__
    np.testing.assert_allclose(host(predicted), ref.predict(X), rtol=1e-10, atol=1e-12)
