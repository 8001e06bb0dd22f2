"""The model selection workloads of the benchmark harness, at a tiny size.

They time nothing here: they check that every contender and the GEMM floor
get a row, that the searches found equal scores, and that the command line
and ``bench_search.py`` reach the same code.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _cli, _report, _search, bench_search  # noqa: E402
from benchmarks._harness import FLOOR, run_search  # noqa: E402

#: Few digits, one epoch: every fit of a grid takes milliseconds.
TINY = dict(n_samples=150, sgd_epochs=1, adam_epochs=1)


@pytest.mark.parametrize("name", ["search_sgd", "cv"])
def test_every_contender_and_the_floor_get_a_row_with_equal_scores(name):
    workload = _search.search_workloads(**TINY)[name]
    rows = run_search(workload, np.float64, repeats=1, log=lambda msg: None)
    assert [r["contender"] for r in rows] == [*_search.CONTENDERS, FLOOR]
    assert all(r["equal_scores"] for r in rows)
    by = {r["contender"]: r for r in rows}
    assert by["sklearn"]["vs_sklearn"] == 1.0
    assert by[FLOOR]["x_floor"] == 1.0 and by[FLOOR]["not_gemm"] == 0.0
    assert by["sklearn+vanilla"]["vs_sklearn_vanilla"] == 1.0
    assert all(r["time"] > 0 and r["unit"] == "s" and r["epochs"] == 1 for r in rows)
    assert "equal" in _report.search_scores(rows)


def test_cv_trains_the_posts_network():
    X, y = _search.load_data(150)
    pipeline = _search._pipeline(_search.VanillaMLPClassifier, "cv",
                                 _search.estimator_params("cv", epochs=1))
    assert pipeline.named_steps["mlp"].hidden_layer_sizes == (15,)
    assert _search.search_workloads()["cv"].hidden == (15,)


def test_different_scores_are_reported():
    rows = [{"workload": "cv", "dtype": "float64", "equal_scores": False}]
    assert "cv float64: DIFFERENT" in _report.search_scores(rows)
    assert _report.search_scores([{"workload": "small", "dtype": "float64"}]) == ""


def test_search_stands_for_both_grids_and_is_not_run_by_default():
    args = _cli.parser().parse_args(["--workloads", "search,cv,search_sgd"])
    assert args.workloads == ["search_adam", "search_sgd", "cv"]
    default = _cli.parser().parse_args([])
    assert not set(default.workloads) & set(_cli.SEARCH_WORKLOADS)


def test_bench_search_rows_are_the_ones_the_docs_read():
    found = _search.Measurement(
        seconds={"sklearn": [4.0, 2.0], "sklearn+vanilla": [1.0], "skvanilla": [0.5]},
        floor=0.25, equal_scores=True)
    rows = bench_search.rows_of("1", "cv", found)
    assert [r["contender"] for r in rows] == list(_search.CONTENDERS)
    assert rows[2]["vs_sklearn"] == 0.5 / 3.0 and rows[2]["x_floor"] == 2.0
    assert rows[2]["vs_sklearn_vanilla"] == 0.5
    assert "      1  cv        skvanilla" in bench_search.table(rows)
