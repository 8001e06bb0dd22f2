"""The command line's ``export`` command: saved models written as ONNX graphs, and its errors."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from test_cli import assert_one_line_error, run

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PERSIST = "the persist extra (skops) is not installed"
ONNX = "the onnx extra (skl2onnx, onnxruntime) is not installed"


def saved(capsys, tmp_path, *train_args):
    """Train a model with the command line and save it; return its path."""
    pytest.importorskip("skops", reason=PERSIST)
    path = tmp_path / "model.skops"
    assert run(capsys, "train", *train_args, "--out", str(path))[0] == 0
    return path


def serve(path, X):
    rt = pytest.importorskip("onnxruntime", reason=ONNX)
    sess = rt.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {"X": X})


def load(path):
    """The saved model as ``predict`` uses it: the names of its columns taken off."""
    from skvanilla._cli_io import load_model, take_feature_names

    model = load_model(str(path), object)
    take_feature_names(model)  # the arrays below are in the training columns' order
    return model


@pytest.mark.parametrize("float64", [False, True], ids=["float32", "float64"])
def test_export_classifier(capsys, tmp_path, float64):
    pytest.importorskip("skl2onnx", reason=ONNX)
    path = saved(capsys, tmp_path, "iris", "--hidden", "8", "--activation", "gelu",
                 "--max-iter", "30")
    out_path = tmp_path / "iris.onnx"
    flags = ["--float64"] if float64 else []
    status, out, err = run(capsys, "export", str(path), "--onnx", str(out_path), *flags)
    assert status == 0 and err == ""
    dtype = np.float64 if float64 else np.float32
    assert out.strip() == (f"exported: {out_path} (input X, {np.dtype(dtype).name} rows of 4 "
                           "features; outputs label, probabilities)")
    X = load_iris().data.astype(dtype)
    model = load(path)
    labels, proba = serve(out_path, X)
    np.testing.assert_array_equal(labels, model.predict(X))
    assert np.abs(proba - model.predict_proba(X)).max() <= (1e-10 if float64 else 1e-5)


def test_export_regressor(capsys, tmp_path):
    pytest.importorskip("skl2onnx", reason=ONNX)
    # iris, not wine: wine's unscaled features (proline ~1000) make exp(z)
    # underflow to 0 for targets of 0 at the first weights, where the Poisson
    # loss is NaN, MLPRegressor's value as skvanilla's: lbfgs cannot start.
    path = saved(capsys, tmp_path, "iris", "--task", "regression", "--loss", "poisson",
                 "--solver", "lbfgs", "--max-iter", "20")
    out_path = tmp_path / "iris.onnx"
    status, out, _ = run(capsys, "export", str(path), "--onnx", str(out_path), "--float64")
    assert status == 0 and "outputs variable" in out
    X = load_iris().data
    (values,) = serve(out_path, X)
    expected = load(path).predict(X)
    assert np.abs(values[:, 0] - expected).max() <= 1e-10 * max(1.0, np.abs(expected).max())


def test_export_without_the_extra(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    status, _, err = run(capsys, "export", str(tmp_path / "m.skops"), "--onnx",
                         str(tmp_path / "m.onnx"))
    assert_one_line_error(
        status, err, "needs skl2onnx", 'pip install ".[onnx]" in skvanilla\'s folder'
    )


def test_export_of_a_missing_or_bad_model_file(capsys, tmp_path):
    pytest.importorskip("skl2onnx", reason=ONNX)
    pytest.importorskip("skops", reason=PERSIST)
    out_path = str(tmp_path / "m.onnx")
    status, _, err = run(capsys, "export", str(tmp_path / "none.skops"), "--onnx", out_path)
    assert_one_line_error(status, err, "no such model file")
    bad = tmp_path / "bad.skops"
    bad.write_text("not a model")
    status, _, err = run(capsys, "export", str(bad), "--onnx", out_path)
    assert_one_line_error(status, err, "not a model file")


def test_export_to_a_place_that_cannot_be_written(capsys, tmp_path):
    path = str(tmp_path / "m.skops")
    status, _, err = run(capsys, "export", path, "--onnx", str(tmp_path / "no" / "m.onnx"))
    assert_one_line_error(status, err, "no directory")
    status, _, err = run(capsys, "export", path, "--onnx", str(tmp_path))
    assert_one_line_error(status, err, "is a directory", "model.onnx")


def test_export_needs_the_onnx_option(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        run(capsys, "export", str(tmp_path / "m.skops"))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "required: --onnx" in err
