"""Saving and loading: pickle, joblib and skops round trips, versions, untrusted types."""

import io
import json
import pickle
import re
import textwrap
import warnings
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import skvanilla
from skvanilla import VanillaMLPClassifier
from skvanilla._persistence import InconsistentVersionWarning

CONFIGURATIONS = {
    "adam": dict(solver="adam"),
    "sgd": dict(solver="sgd", learning_rate="adaptive", nesterovs_momentum=True),
    "lbfgs": dict(solver="lbfgs"),
    "early_stopping": dict(solver="adam", early_stopping=True),
    "float32": dict(solver="sgd"),
    "squared_error": dict(solver="adam", loss="squared_error", out_activation="logistic"),
}
OUR_CLASS = "skvanilla._classifier.VanillaMLPClassifier"


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), np.array(["setosa", "versicolor", "virginica"])[y]


def _fitted(name, X, y):
    X = X.astype(np.float32) if name == "float32" else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = VanillaMLPClassifier((6,), max_iter=5, random_state=0, **CONFIGURATIONS[name])
        return clf.fit(X, y), X


def _pickle(clf):
    return pickle.loads(pickle.dumps(clf))


def _joblib(clf):
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def _assert_same_model(a, b, X):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert p.dtype == q.dtype and p.tobytes() == q.tobytes()
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.predict_log_proba(X), b.predict_log_proba(X))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.get_params() == b.get_params() or str(a.get_params()) == str(b.get_params())


def _assert_training_continues_alike(a, b, X, y):
    """The optimizer and generator states came back: partial_fit matches, bit for bit."""
    if a.solver == "lbfgs" or a.early_stopping:
        return
    for clf in (a, b):
        clf.partial_fit(X, y)
        clf.partial_fit(X, y)
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert p.tobytes() == q.tobytes()


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
@pytest.mark.parametrize("round_trip", [_pickle, _joblib], ids=["pickle", "joblib"])
def test_round_trip_gives_identical_predictions_and_training(iris, name, round_trip):
    clf, X = _fitted(name, *iris)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        loaded = round_trip(clf)
    _assert_same_model(clf, loaded, X)
    _assert_training_continues_alike(clf, loaded, X, iris[1])


def test_saving_does_not_change_the_live_model(iris):
    clf, X = _fitted("adam", *iris)
    optimizer, rng = clf._optimizer, clf._random_state
    pickle.dumps(clf)
    assert clf._optimizer is optimizer and clf._random_state is rng
    assert isinstance(clf._random_state, np.random.RandomState)


def test_state_records_the_version_and_warns_under_another(iris):
    clf, X = _fitted("sgd", *iris)
    state = clf.__getstate__()
    assert state["_skvanilla_version"] == skvanilla.__version__
    state["_skvanilla_version"] = "0.0.1"
    blank = VanillaMLPClassifier.__new__(VanillaMLPClassifier)
    with pytest.warns(InconsistentVersionWarning, match=r"0\.0\.1.*" + skvanilla.__version__):
        blank.__setstate__(state)
    np.testing.assert_array_equal(blank.predict(X), clf.predict(X))
    # A state saved before versions were recorded warns as well.
    del state["_skvanilla_version"]
    with pytest.warns(InconsistentVersionWarning, match="unknown") as record:
        VanillaMLPClassifier.__new__(VanillaMLPClassifier).__setstate__(state)
    assert record[0].message.original_version == "unknown"


def test_fitted_state_holds_only_numpy_data_and_builtins(iris):
    # numpy scalars count as numpy data (a float32 model's loss_ is one).
    builtins = (int, float, str, bool, type(None), np.ndarray, np.number, np.bool_)

    def plain(value):
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        return isinstance(value, builtins) and not (
            isinstance(value, np.ndarray) and value.dtype == object
        )

    for name in CONFIGURATIONS:
        clf, _ = _fitted(name, *iris)
        state = clf.__getstate__()
        private = {k: v for k, v in state.items() if k.startswith("_") or k.endswith("_")}
        bad = {k: type(v).__name__ for k, v in private.items() if not plain(v)}
        assert not bad, f"{name}: not plain data: {bad}"


def test_an_unknown_optimizer_in_a_state_is_refused(iris):
    clf, _ = _fitted("adam", *iris)
    state = clf.__getstate__()
    state["_optimizer"]["class"] = "os.system"
    blank = VanillaMLPClassifier.__new__(VanillaMLPClassifier)
    with pytest.raises(ValueError, match="unknown optimizer 'os.system'"):
        blank.__setstate__(state)


# --------------------------------------------------------------------------
# skops (the optional `persist` extra)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_skops_sees_no_untrusted_type_but_ours(iris, name):
    sio = pytest.importorskip("skops.io", reason="the persist extra is not installed")
    clf, X = _fitted(name, *iris)
    data = sio.dumps(clf)
    assert sio.get_untrusted_types(data=data) == [OUR_CLASS]
    loaded = sio.loads(data, trusted=[OUR_CLASS])
    _assert_same_model(clf, loaded, X)
    _assert_training_continues_alike(clf, loaded, X, iris[1])


def test_skops_refuses_our_class_unless_trusted(iris):
    sio = pytest.importorskip("skops.io", reason="the persist extra is not installed")
    from skops.io.exceptions import UntrustedTypesFoundException

    clf, _ = _fitted("adam", *iris)
    with pytest.raises(UntrustedTypesFoundException):
        sio.loads(sio.dumps(clf))


def _tampered(data):
    """A skops file whose top object claims to be ``os.system``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "schema.json":
                schema = json.loads(content)
                schema["__module__"], schema["__class__"] = "os", "system"
                content = json.dumps(schema).encode()
            target.writestr(name, content)
    return out.getvalue()


def test_skops_refuses_a_tampered_file_before_building_it(iris):
    sio = pytest.importorskip("skops.io", reason="the persist extra is not installed")
    from skops.io.exceptions import UntrustedTypesFoundException

    clf, _ = _fitted("adam", *iris)
    data = _tampered(sio.dumps(clf))
    assert sio.get_untrusted_types(data=data) == ["os.system"]
    with pytest.raises(UntrustedTypesFoundException):
        sio.loads(data, trusted=[OUR_CLASS])


def test_the_persistence_page_examples_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("skops.io", reason="the persist extra is not installed")
    page = Path(__file__).resolve().parents[1] / "docs" / "persistence.rst"
    blocks = re.findall(
        r"^\.\. code-block:: python\n\n((?:(?: {3}.*)?\n)+)", page.read_text(), re.M
    )
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        for block in blocks:
            exec(compile(textwrap.dedent(block), str(page), "exec"), namespace)
    assert capsys.readouterr().out.strip() == "[0]"
    assert (tmp_path / "iris_model.skops").exists()
    np.testing.assert_array_equal(
        namespace["same_model"].predict_proba(namespace["X"]),
        namespace["model"].predict_proba(namespace["X"]),
    )
