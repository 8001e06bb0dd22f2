"""The command line: its commands, their output, and one-line errors on bad input."""

import copy
import csv
import io
import re
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from helpers import ctrl_c_in_batch, quiet
from sklearn.datasets import load_digits, load_iris

from skvanilla import VanillaMLPClassifier
from skvanilla._cli import _class_weight, main


def run(capsys, *argv):
    """Run the command line in-process; return (status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def read_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


@pytest.fixture
def iris_csv(tmp_path):
    """Iris as a CSV file with an id column and text labels."""
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    path = tmp_path / "iris.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "sepal_length", "sepal_width", "petal_length", "petal_width",
                         "species"])
        for i, (row, label) in enumerate(zip(X, names)):
            writer.writerow([i, *row, label])
    return path


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["train"], ["predict"]])
def test_help_on_every_command(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: skvanilla {' '.join(command)}".rstrip())


def test_no_arguments_runs_the_seed_experiment(capsys):
    status, out, _ = run(capsys)
    assert status == 0
    assert "precision" in out and "recall" in out  # the classification report
    train = float(re.search(r"training accuracy: ([0-9.]+)", out).group(1))
    held_out = float(re.search(r"held-out accuracy: ([0-9.]+)", out).group(1))
    assert train > 0.95 and held_out > 0.9
    assert re.search(r"fit time: [0-9.]+ s", out)


def test_train_builtin_with_cross_validation(capsys):
    status, out, _ = run(
        capsys, "train", "iris", "--hidden", "10", "--solver", "lbfgs", "--max-iter", "300",
        "--cv", "3",
    )
    assert status == 0
    assert "150 rows, 4 features, 3 classes" in out
    assert "hidden_layer_sizes=(10,)" in out and "solver='lbfgs'" in out
    cv = float(re.search(r"accuracy \(3 folds\): ([0-9.]+)", out).group(1))
    assert cv > 0.85
    assert float(re.search(r"training accuracy: ([0-9.]+)", out).group(1)) > 0.9


def test_train_verbose_prints_every_epoch(capsys):
    status, out, _ = run(
        capsys, "train", "wine", "--solver", "sgd", "--max-iter", "4", "--verbose"
    )
    assert status == 0
    epochs = re.findall(r"^Iteration (\d+), loss", out, flags=re.MULTILINE)
    assert epochs == ["1", "2", "3", "4"]


def test_warnings_are_one_line_and_not_errors(capsys):
    status, _, err = run(capsys, "train", "iris", "--solver", "sgd", "--max-iter", "2")
    assert status == 0
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skvanilla: warning: ConvergenceWarning")


def test_estimator_options_reach_the_estimator(capsys):
    status, out, _ = run(
        capsys, "train", "iris", "--hidden", "6,4", "--activation", "tanh", "--alpha", "0.5",
        "--batch-size", "32", "--learning-rate-init", "0.01", "--max-iter", "30",
        "--loss", "squared_error", "--out-activation", "logistic", "--early-stopping",
        "--random-state", "3",
    )
    assert status == 0
    model = out.splitlines()[1]
    for expected in ["hidden_layer_sizes=(6, 4)", "activation='tanh'", "alpha=0.5",
                     "batch_size=32", "learning_rate_init=0.01", "max_iter=30",
                     "loss='squared_error'", "out_activation='logistic'",
                     "early_stopping=True", "random_state=3"]:
        assert expected in model


def test_class_weight_option_parses_pairs():
    assert _class_weight("balanced") == "balanced"
    assert _class_weight("0:1,1:5.5") == {0: 1.0, 1: 5.5}
    assert _class_weight("cat:2") == {"cat": 2.0}


def test_train_save_predict_round_trip(capsys, tmp_path, iris_csv):
    pytest.importorskip("skops")
    model = tmp_path / "iris.skops"
    status, out, _ = run(
        capsys, "train", str(iris_csv), "--target", "species", "--drop", "id",
        "--hidden", "8", "--solver", "lbfgs", "--max-iter", "200", "--out", str(model),
    )
    assert status == 0 and f"saved: {model}" in out

    # The same fit in Python gives the predictions the file gives.
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    expected = VanillaMLPClassifier(
        hidden_layer_sizes=(8,), solver="lbfgs", max_iter=200, random_state=0
    ).fit(X, labels)

    status, out, _ = run(capsys, "predict", str(model), str(iris_csv), "--drop", "id",
                         "--drop", "species")
    assert status == 0
    header, rows = read_csv(out)
    assert header == ["prediction"]
    predicted = [row[0] for row in rows]
    assert predicted == expected.predict(X).tolist()
    assert np.mean(np.array(predicted) == labels) > 0.9

    status, out, _ = run(capsys, "predict", str(model), str(iris_csv), "--proba",
                         "--drop", "id", "--drop", "species")
    assert status == 0
    header, rows = read_csv(out)
    assert header == ["setosa", "versicolor", "virginica"]
    proba = np.array(rows, dtype=float)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(proba, expected.predict_proba(X), rtol=1e-5, atol=1e-6)
    assert (np.array(header)[proba.argmax(axis=1)] == predicted).all()


def test_predict_on_a_builtin_dataset_leaves_out_its_labels(capsys, tmp_path):
    pytest.importorskip("skops")
    model = tmp_path / "wine.skops"
    assert run(capsys, "train", "wine", "--max-iter", "5", "--out", str(model))[0] == 0
    status, out, _ = run(capsys, "predict", str(model), "wine")
    assert status == 0
    header, rows = read_csv(out)
    assert header == ["prediction"] and len(rows) == 178
    assert {row[0] for row in rows} <= {"0", "1", "2"}


# ---------------------------------------------------------------------------
# Bad input: one line on stderr, a non-zero status, no traceback
# ---------------------------------------------------------------------------


def assert_one_line_error(status, err, *fragments):
    assert status != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error" in lines[0] and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_data_file(capsys, tmp_path):
    status, _, err = run(capsys, "train", str(tmp_path / "absent.csv"), "--target", "y")
    assert_one_line_error(status, err, "absent.csv", "no such file")


def test_missing_target_column(capsys, iris_csv):
    status, _, err = run(capsys, "train", str(iris_csv), "--target", "colour")
    assert_one_line_error(status, err, "no column 'colour'", "'species'")


def test_csv_needs_a_target(capsys, iris_csv):
    status, _, err = run(capsys, "train", str(iris_csv))
    assert_one_line_error(status, err, "--target")


def test_non_numeric_feature_column_is_named(capsys, iris_csv):
    # Without --drop, the text labels are a feature column.
    status, _, err = run(capsys, "train", str(iris_csv), "--target", "id")
    assert_one_line_error(status, err, "'species' is not numeric", "'setosa'")


def test_ragged_csv(capsys, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,y\n1,2,0\n3,1\n")
    status, _, err = run(capsys, "train", str(path), "--target", "y")
    assert_one_line_error(status, err, "line 3 has 2 fields")


def test_bad_option_value(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "iris", "--hidden", "64,x"])
    assert_one_line_error(exit_info.value.code, capsys.readouterr().err, "--hidden")


def test_bad_parameter_value_from_the_estimator(capsys):
    status, _, err = run(capsys, "train", "iris", "--solver", "newton")
    assert_one_line_error(status, err, "'solver'", "newton")


def test_model_file_missing(capsys, tmp_path):
    pytest.importorskip("skops")
    status, _, err = run(capsys, "predict", str(tmp_path / "none.skops"), "iris")
    assert_one_line_error(status, err, "no such model file")


def test_model_file_that_is_not_a_model(capsys, iris_csv):
    pytest.importorskip("skops")
    status, _, err = run(capsys, "predict", str(iris_csv), "iris")
    assert_one_line_error(status, err, "not a model file")


def test_model_file_of_another_estimator(capsys, tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn.linear_model import LogisticRegression

    path = tmp_path / "logistic.skops"
    sio.dump(LogisticRegression(), path)
    status, _, err = run(capsys, "predict", str(path), "iris")
    assert_one_line_error(status, err, "LogisticRegression", "not a VanillaMLPClassifier")


def test_model_file_with_foreign_types_is_refused(capsys, tmp_path):
    sio = pytest.importorskip("skops.io")
    from collections import Counter

    path = tmp_path / "counter.skops"
    sio.dump(Counter("abc"), path)
    status, _, err = run(capsys, "predict", str(path), "iris")
    assert_one_line_error(status, err, "refusing", "collections.Counter")


def test_a_table_without_the_training_columns_is_refused_naming_them(capsys, tmp_path, iris_csv):
    pytest.importorskip("skops")
    model = tmp_path / "iris.skops"
    assert run(capsys, "train", "iris", "--max-iter", "5", "--out", str(model))[0] == 0
    # The CSV spells the columns otherwise ("sepal_length" for "sepal length (cm)").
    status, _, err = run(capsys, "predict", str(model), str(iris_csv))
    assert_one_line_error(status, err, "lacks the column(s) 'sepal length (cm)'",
                          "'sepal_length'")
    status, _, err = run(capsys, "predict", str(model), "wine")
    assert_one_line_error(status, err, "lacks the column(s) 'sepal length (cm)'")


def test_column_count_mismatch_of_a_model_without_column_names(capsys, tmp_path, iris_csv):
    # A model saved from Python, fitted on an array: its columns are taken by position.
    skops_io = pytest.importorskip("skops.io")
    model = tmp_path / "iris.skops"
    X, y = load_iris(return_X_y=True)
    skops_io.dump(quiet(VanillaMLPClassifier(max_iter=5, random_state=0).fit, X, y), model)
    # The id and species columns make six columns for a model of four features.
    status, _, err = run(capsys, "predict", str(model), str(iris_csv))
    assert_one_line_error(status, err, "6 feature columns", "trained on 4", "--drop")
    status, _, err = run(capsys, "predict", str(model), "wine")
    assert_one_line_error(status, err, "13 feature columns", "trained on 4")


def test_unknown_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "iris"])
    assert_one_line_error(exit_info.value.code, capsys.readouterr().err, "'fit'")


def test_module_entry_point_in_a_subprocess(tmp_path):
    # As a user runs it: no traceback reaches the terminal, only the one line.
    result = subprocess.run(
        [sys.executable, "-m", "skvanilla", "train", str(tmp_path / "x.csv"), "--target", "y"],
        capture_output=True, text=True, check=False,
    )
    assert_one_line_error(result.returncode, result.stderr, "no such file")
    assert result.stdout == ""


def test_a_closed_pipe_ends_quietly(tmp_path):
    # As in ``skvanilla predict model data | head -1``.
    pytest.importorskip("skops")
    model = tmp_path / "digits.skops"
    assert main(["train", "digits", "--max-iter", "2", "--out", str(model)]) == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "skvanilla", "predict", str(model), "digits", "--proba"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout.readline().startswith("0,1,2")
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    with proc.stderr:
        assert proc.stderr.read() == ""


def test_repeated_warnings_are_printed_once(capsys):
    status, _, err = run(capsys, "train", "iris", "--solver", "sgd", "--max-iter", "2",
                         "--cv", "3")
    assert status == 0
    assert err.count("ConvergenceWarning") == 1


# ---------------------------------------------------------------------------
# Nothing lost, nothing silently wrong
# ---------------------------------------------------------------------------


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def abc_csv(tmp_path):
    """Three features a, b, c and a binary label y (its 1s spelt "1" and "1.0")."""
    X = np.random.RandomState(0).randn(120, 3)
    y = [("1" if i % 2 else "1.0") if x[0] + x[1] > 0 else "0" for i, x in enumerate(X)]
    return _write_csv(tmp_path / "abc.csv", ["a", "b", "c", "y"],
                      [[*x.tolist(), label] for x, label in zip(X, y)]), X


def test_labels_are_read_as_values_1_and_1_0_are_one_class(capsys, tmp_path, abc_csv):
    skops_io = pytest.importorskip("skops.io")
    path, _ = abc_csv
    model = tmp_path / "m.skops"
    status, out, _ = run(capsys, "train", str(path), "--target", "y", "--max-iter", "5",
                         "--out", str(model))
    assert status == 0 and "2 classes in 'y'" in out
    loaded = skops_io.load(model, trusted=skops_io.get_untrusted_types(file=model))
    assert loaded.classes_.tolist() == [0, 1] and loaded.classes_.dtype.kind == "i"


def test_labels_beyond_int64_are_exact_or_one_line(capsys, tmp_path):
    rows = [[0.0, 0], [1.0, 2**63 + 1], [2.0, 0], [3.0, 2**63 + 1]]
    path = _write_csv(tmp_path / "big.csv", ["x", "y"], rows)
    status, out, _ = run(capsys, "train", str(path), "--target", "y", "--task",
                         "classification", "--max-iter", "2")
    assert status == 0 and "2 classes" in out
    path = _write_csv(tmp_path / "huge.csv", ["x", "y"], [[0.0, 0], [1.0, 2**64], [2.0, 0]])
    status, _, err = run(capsys, "train", str(path), "--target", "y", "--task",
                         "classification")
    assert_one_line_error(status, err, "huge.csv", f"'{2**64}'", "beyond 64-bit integers")


def test_predict_takes_the_columns_by_name(capsys, tmp_path, abc_csv):
    pytest.importorskip("skops")
    path, X = abc_csv
    model = tmp_path / "m.skops"
    assert run(capsys, "train", str(path), "--target", "y", "--max-iter", "30",
               "--out", str(model))[0] == 0
    ordered = _write_csv(tmp_path / "ordered.csv", ["a", "b", "c"], X[:20].tolist())
    swapped = _write_csv(tmp_path / "swapped.csv", ["c", "extra", "a", "b"],
                         [[x[2], 7.0, x[0], x[1]] for x in X[:20].tolist()])
    status, expected, _ = run(capsys, "predict", str(model), str(ordered), "--proba")
    assert status == 0
    status, out, _ = run(capsys, "predict", str(model), str(swapped), "--proba")
    assert status == 0 and out == expected
    renamed = _write_csv(tmp_path / "renamed.csv", ["a", "b", "z"], X[:20].tolist())
    status, _, err = run(capsys, "predict", str(model), str(renamed))
    assert_one_line_error(status, err, "renamed.csv", "lacks the column(s) 'c'")


@pytest.mark.parametrize("call", [3, 30], ids=["first-epoch", "later-epoch"])
def test_a_training_stopped_by_ctrl_c_is_saved(capsys, tmp_path, call):
    skops_io = pytest.importorskip("skops.io")
    model = tmp_path / "m.skops"
    with ctrl_c_in_batch(call):
        status, out, err = run(capsys, "train", "digits", "--batch-size", "100",
                               "--max-iter", "50", "--out", str(model))
    assert status == 0, err
    assert "interrupted by user. The last weights are kept" in err
    assert f"saved: {model}" in out and "Traceback" not in err
    loaded = skops_io.load(model, trusted=skops_io.get_untrusted_types(file=model))
    assert np.isfinite(np.concatenate([w.ravel() for w in loaded.coefs_])).all()
    status, out, _ = run(capsys, "predict", str(model), "digits")
    assert status == 0 and len(out.splitlines()) == 1 + len(load_digits().target)


def test_a_closed_output_pipe_during_training_saves_the_model_and_fails(tmp_path):
    # As in ``skvanilla train ... --verbose --out m.skops | head -1``: the reader goes while
    # fit still prints its epochs.
    skops_io = pytest.importorskip("skops.io")
    model = tmp_path / "m.skops"
    proc = subprocess.Popen(
        [sys.executable, "-m", "skvanilla", "train", "iris", "--solver", "sgd", "--tol", "0",
         "--n-iter-no-change", "100000", "--max-iter", "1500", "--verbose", "--out",
         str(model)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout.readline().startswith("data: iris")
    proc.stdout.close()
    assert proc.wait(timeout=300) == 1
    err = proc.stderr.read().splitlines()
    assert err[-1] == (
        "skvanilla train: error: the output was closed before the report was written in "
        f"full; the model was saved to {model}"
    )
    assert not any("Traceback" in line for line in err)
    loaded = skops_io.load(model, trusted=skops_io.get_untrusted_types(file=model))
    assert loaded.n_iter_ == 1500


def test_a_csv_is_read_in_memory_proportional_to_its_size(tmp_path):
    # One long text cell must not widen every cell of the table to its length.
    from skvanilla._cli_io import read_table

    def peak(note):
        rows = [[i, note if i == 7 else "ok", i / 3, i % 2] for i in range(3000)]
        path = _write_csv(tmp_path / "t.csv", ["id", "note", "x", "y"], rows)
        tracemalloc.start()
        try:
            read_table(str(path))
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    short, long = peak("ok"), peak("x" * 1500)
    # The fixed-width table of the long cell would take 3000 * 4 * 1500 * 4 bytes = 72 MB.
    assert long < short + 1_000_000, (short, long)


def test_more_hidden_units_than_memory_is_one_line(capsys):
    status, _, err = run(capsys, "train", "iris", "--hidden", "99999999999")
    assert_one_line_error(status, err, "not enough memory", "--hidden")


def test_a_damaged_model_file_is_one_line(capsys, tmp_path):
    skops_io = pytest.importorskip("skops.io")
    X, y = load_iris(return_X_y=True)
    clf = quiet(VanillaMLPClassifier(max_iter=5, random_state=0).fit, X, y)
    for name, damage in [("empty", dict(coefs_=[], intercepts_=[])),
                         ("shapes", dict(coefs_=clf.coefs_[::-1]))]:
        damaged = copy.deepcopy(clf)
        vars(damaged).update(damage)
        path = tmp_path / f"{name}.skops"
        skops_io.dump(damaged, path)
        status, _, err = run(capsys, "predict", str(path), "iris")
        assert_one_line_error(status, err, f"{name}.skops", "the model file is damaged")

