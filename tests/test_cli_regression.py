"""The command line with real-valued targets: --task, R² and MAE, regressor files."""

import csv
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold
from test_cli import assert_one_line_error, read_csv, run

from skvanilla import VanillaMLPRegressor
from skvanilla._cli import main

# A few iterations are enough to check what is printed.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FEATURES = ["a", "b", "c"]
#: Small and quick: lbfgs on 60 rows, a handful of units.
FAST = ["--hidden", "5", "--solver", "lbfgs", "--max-iter", "40"]


def make_data(n=60):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = X @ [1.5, -2.0, 0.5] + 0.1 * rng.normal(size=n)
    return X, {
        "y": y,  # real values of either sign
        "rate": np.exp(0.5 * X[:, 0]),  # positive real values
        "whole": np.round(np.abs(y)).astype(float),  # whole numbers written as 2.0
        "count": np.round(np.abs(y)).astype(int),  # integers
        "label": np.where(y > 0, "up", "down"),  # text
    }


@pytest.fixture
def data_csv(tmp_path):
    """A CSV file with an id, three features and target columns of every kind."""
    X, targets = make_data()
    path = tmp_path / "data.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", *FEATURES, *targets])
        for i, row in enumerate(X):
            # str(float) is the shortest repr, which reads back exactly.
            writer.writerow([i, *row.tolist(), *(t[i].item() for t in targets.values())])
    return path


def drop_all_but(target=None):
    """--drop for every column that is neither a feature nor ``target``."""
    others = ["id", *(name for name in make_data()[1] if name != target)]
    return [arg for name in others for arg in ("--drop", name)]


def printed(pattern, out):
    return [float(x) for x in re.search(pattern, out).groups()]


# ---------------------------------------------------------------------------
# Training and prediction
# ---------------------------------------------------------------------------


def test_train_save_predict_regressor(capsys, tmp_path, data_csv):
    pytest.importorskip("skops")
    model = tmp_path / "reg.skops"
    status, out, _ = run(
        capsys, "train", str(data_csv), "--target", "y", *drop_all_but("y"), *FAST,
        "--out", str(model),
    )
    assert status == 0
    assert "60 rows, 3 features, real values in 'y'" in out
    assert out.splitlines()[1].startswith("model: VanillaMLPRegressor(")
    assert f"saved: {model}" in out

    X, targets = make_data()
    expected = VanillaMLPRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", max_iter=40, random_state=0
    ).fit(X, targets["y"])

    status, out, _ = run(capsys, "predict", str(model), str(data_csv), *drop_all_but())
    assert status == 0
    header, rows = read_csv(out)
    assert header == ["prediction"] and len(rows) == 60
    # Written in full: the saved model's predictions, to the last bit.
    np.testing.assert_array_equal(np.array(rows, dtype=float)[:, 0], expected.predict(X))


def test_printed_r2_and_mae_are_sklearns(capsys, data_csv):
    status, out, _ = run(capsys, "train", str(data_csv), "--target", "y",
                         *drop_all_but("y"), *FAST, "--cv", "3")
    assert status == 0
    X, targets = make_data()
    y = targets["y"]
    reg = VanillaMLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=40,
                              random_state=0)

    # Training: the final fit on all the rows.
    r2, mae = printed(r"training R2: (-?[0-9.]+), MAE: ([0-9.e+-]+) after", out)
    predictions = clone(reg).fit(X, y).predict(X)
    assert r2 == pytest.approx(r2_score(y, predictions), abs=5e-5)
    assert mae == pytest.approx(mean_absolute_error(y, predictions), rel=1e-5)

    # Cross-validation: scikit-learn's folds for a regressor, cv=3 (unshuffled).
    fold_r2, fold_mae = [], []
    for train, test in KFold(3).split(X):
        predictions = clone(reg).fit(X[train], y[train]).predict(X[test])
        fold_r2.append(r2_score(y[test], predictions))
        fold_mae.append(mean_absolute_error(y[test], predictions))
    r2_mean, r2_std, mae_mean, mae_std = printed(
        r"cross-validated R2 \(3 folds\): (-?[0-9.]+) \+/- ([0-9.]+), "
        r"MAE: ([0-9.e+-]+) \+/- ([0-9.e+-]+)$",
        out.splitlines()[2],
    )
    assert r2_mean == pytest.approx(np.mean(fold_r2), abs=5e-5)
    assert r2_std == pytest.approx(np.std(fold_r2), abs=5e-5)
    assert mae_mean == pytest.approx(np.mean(fold_mae), rel=1e-5)
    assert mae_std == pytest.approx(np.std(fold_mae), rel=1e-5)


def test_a_poor_fit_prints_a_negative_r2(capsys, data_csv):
    # R2 is printed with its sign: an error metric is negated, R2 is not.
    status, out, _ = run(capsys, "train", str(data_csv), "--target", "y",
                         *drop_all_but("y"), "--solver", "sgd", "--max-iter", "1",
                         "--learning-rate-init", "1e-6", "--hidden", "2")
    assert status == 0
    r2, mae = printed(r"training R2: (-?[0-9.]+), MAE: ([0-9.e+-]+) after", out)
    assert r2 < 0 < mae


def test_several_targets_are_several_outputs(capsys, tmp_path, data_csv):
    pytest.importorskip("skops")
    model = tmp_path / "two.skops"
    status, out, _ = run(
        capsys, "train", str(data_csv), "--target", "y", "--target", "rate",
        "--drop", "id", "--drop", "whole", "--drop", "count", "--drop", "label", *FAST,
        "--out", str(model),
    )
    assert status == 0
    assert "2 outputs 'y', 'rate'" in out and "training R2: " in out

    X, targets = make_data()
    Y = np.column_stack([targets["y"], targets["rate"]])
    expected = VanillaMLPRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", max_iter=40, random_state=0
    ).fit(X, Y)
    status, out, _ = run(capsys, "predict", str(model), str(data_csv), *drop_all_but())
    assert status == 0
    header, rows = read_csv(out)
    assert header == ["prediction_0", "prediction_1"]
    np.testing.assert_array_equal(np.array(rows, dtype=float), expected.predict(X))


def test_poisson_loss_on_positive_targets(capsys, data_csv):
    status, out, _ = run(capsys, "train", str(data_csv), "--target", "rate",
                         *drop_all_but("rate"), *FAST, "--loss", "poisson")
    assert status == 0
    assert "model: VanillaMLPRegressor(" in out and "loss='poisson'" in out
    assert printed(r"training R2: (-?[0-9.]+)", out)[0] > 0.5


# ---------------------------------------------------------------------------
# Choosing the task
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, task",
    [
        ("y", "regression"),  # real values
        ("rate", "regression"),
        ("whole", "classification"),  # whole numbers, even written 2.0
        ("count", "classification"),  # integers
        ("label", "classification"),  # text
    ],
)
def test_auto_task_from_the_target(capsys, data_csv, target, task):
    status, out, _ = run(capsys, "train", str(data_csv), "--target", target,
                         *drop_all_but(target), "--max-iter", "2", "--hidden", "3")
    assert status == 0
    estimator = {"regression": "VanillaMLPRegressor", "classification": "VanillaMLPClassifier"}
    assert f"model: {estimator[task]}(" in out
    assert ("training R2: " in out) == (task == "regression")
    assert ("training accuracy: " in out) == (task == "classification")


def blank_cell(path, column, line, gap=""):
    """Write ``gap`` into ``column`` on ``line`` of the CSV file (the header is line 1)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    rows[line - 1][rows[0].index(column)] = gap
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.mark.parametrize("gap", ["", "   "])
def test_an_empty_cell_in_real_values_is_named_not_taken_for_a_class(capsys, data_csv, gap):
    # Sixty real values and one empty cell: the column is still a regression
    # target, and the error points at the gap, rather than training a
    # classifier of sixty classes spelt as numbers.
    blank_cell(data_csv, "y", line=9, gap=gap)
    status, _, err = run(capsys, "train", str(data_csv), "--target", "y", *drop_all_but("y"),
                         "--max-iter", "2")
    assert_one_line_error(status, err, "target column 'y'", "line 9", "regression needs numbers")


def test_whole_numbers_with_an_empty_cell_stay_class_labels(capsys, data_csv):
    blank_cell(data_csv, "count", line=9)
    status, out, _ = run(capsys, "train", str(data_csv), "--target", "count",
                         *drop_all_but("count"), "--max-iter", "2", "--hidden", "3")
    assert status == 0 and "model: VanillaMLPClassifier(" in out


def test_task_option_overrides_the_choice(capsys, data_csv):
    # Integer targets train a regressor when asked ...
    status, out, _ = run(capsys, "train", "iris", "--task", "regression", *FAST)
    assert status == 0
    assert "real values in 'target'" in out and "model: VanillaMLPRegressor(" in out
    # ... and real values are class labels when asked.
    status, out, _ = run(capsys, "train", str(data_csv), "--target", "y",
                         *drop_all_but("y"), "--task", "classification", "--max-iter", "2")
    assert status == 0
    assert "60 classes in 'y'" in out and "model: VanillaMLPClassifier(" in out


# ---------------------------------------------------------------------------
# Bad input: one line on stderr, a non-zero status
# ---------------------------------------------------------------------------


def test_non_numeric_target_for_regression(capsys, data_csv):
    status, _, err = run(capsys, "train", str(data_csv), "--target", "label",
                         *drop_all_but("label"), "--task", "regression")
    assert_one_line_error(status, err, "target column 'label' is not numeric", "line 2",
                          "--task classification")


def test_missing_target_value_for_regression(capsys, tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,y\n1,0.5\n2,nan\n3,1.5\n")
    status, _, err = run(capsys, "train", str(path), "--target", "y")
    assert_one_line_error(status, err, "target column 'y' has 'nan' on line 3")


def test_negative_targets_with_poisson_loss(capsys, data_csv):
    status, out, err = run(capsys, "train", str(data_csv), "--target", "y",
                           *drop_all_but("y"), "--loss", "poisson")
    assert_one_line_error(status, err, "target column 'y'", "--loss poisson", "negative")
    assert out == ""  # refused before anything is reported


def test_classifier_options_are_refused_for_regression(capsys, data_csv):
    status, _, err = run(capsys, "train", str(data_csv), "--target", "y",
                         *drop_all_but("y"), "--class-weight", "balanced")
    assert_one_line_error(status, err, "--class-weight is for classification only",
                          "'y' holds real values", "--task")
    status, _, err = run(capsys, "train", "iris", "--task", "regression",
                         "--out-activation", "softmax")
    assert_one_line_error(status, err, "--out-activation is for classification only",
                          "--task regression")


def test_poisson_loss_on_counts_needs_the_task(capsys, data_csv):
    # Counts are whole numbers, classes to --task auto: the error says so.
    args = ["train", str(data_csv), "--target", "count", *drop_all_but("count"), *FAST,
            "--loss", "poisson"]
    status, _, err = run(capsys, *args)
    assert_one_line_error(status, err, "--loss poisson is for regression only",
                          "'count' holds class labels", "--task regression")
    status, out, _ = run(capsys, *args, "--task", "regression")
    assert status == 0 and "real values in 'count'" in out and "loss='poisson'" in out


def test_regressor_loss_is_refused_for_a_classifier(capsys):
    status, _, err = run(capsys, "train", "iris", "--task", "classification",
                         "--loss", "poisson")
    assert_one_line_error(status, err, "--loss poisson is for regression only",
                          "--task classification")


def test_bad_task(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "iris", "--task", "clustering"])
    assert_one_line_error(exit_info.value.code, capsys.readouterr().err, "--task",
                          "'clustering'")


def test_probabilities_of_a_regressor(capsys, tmp_path):
    pytest.importorskip("skops")
    model = tmp_path / "reg.skops"
    assert run(capsys, "train", "iris", "--task", "regression", *FAST,
               "--out", str(model))[0] == 0
    status, _, err = run(capsys, "predict", str(model), "iris", "--proba")
    assert_one_line_error(status, err, "regressor", "--proba")
