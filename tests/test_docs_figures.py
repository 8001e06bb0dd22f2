"""The benchmark figures of the documentation: the chart's captions and the docs extension.

The site quotes no timing by hand: docs/_ext/benchmark_figures.py reads each
from benchmarks/results/results.json.  These tests check what it writes from
a small results file, against the values in that file.
"""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _chart  # noqa: E402


def _environment(threads):
    return {
        "date": "2026-11-29T17:59:03+00:00", "python": "3.11.7", "cpu": "AMD EPYC",
        "cpu_count": 2, "loadavg_1_5_15": [0.31, 0.5, 0.7], "numpy": "2.4.6",
        "scikit-learn": "1.9.1", "commit": "abc1234",
        "threadpools": [{"user_api": "blas", "internal_api": "openblas",
                         "architecture": "SkylakeX", "num_threads": threads,
                         "filepath": "/x/numpy.libs/libscipy_openblas64_.so"}],
    }


def _row(workload, dtype, contender, time, vs_sklearn, **extra):
    unit = "us/step" if workload == "small" else "s/epoch"
    return {"workload": workload, "dtype": dtype, "contender": contender, "unit": unit,
            "time": time, "vs_sklearn": vs_sklearn, "x_floor": 1.5, "batch_size": 256,
            "n_samples": 60000, "hidden": [256, 256], **extra}


RESULTS = {
    "environment": _environment(2),
    "settings": {"repeats": 3, "loadavg_after": [1.86, 1.2, 1.0]},
    "results": [
        _row("small", "float64", "skvanilla", 41.26, 0.29),
        _row("large", "float64", "skvanilla", 1.7034, 0.95),
        _row("large", "float64", "sklearn", 2.0021, 1.0),
        _row("predict", "float32", "skvanilla", 0.3871, 1.0105),
        _row("inputs", "float64", "skvanilla", 0.419, 0.54, layout="Fortran-ordered",
             task="fit", vs_c_ordered=1.05, conversion=0.128),
    ],
}


@pytest.mark.parametrize("threads, words", [(1, "1 thread,"), (2, "2 threads,")])
def test_the_chart_subtitle_names_the_commit_and_counts_threads(threads, words):
    text = _chart.subtitle(_environment(threads))
    assert text.startswith("commit abc1234, AMD EPYC")
    assert words in text
    assert "1 threads" not in text


def test_the_chart_leaves_the_inputs_workload_to_its_table():
    assert [r["workload"] for r in _chart.charted(RESULTS["results"])] == [
        "small", "large", "large", "predict"]


@pytest.fixture
def figures(tmp_path, monkeypatch):
    pytest.importorskip("sphinx", reason="needs the docs extra: pip install '.[docs]'")
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "_ext"))
    import benchmark_figures

    path = tmp_path / "results.json"
    path.write_text(json.dumps(RESULTS))
    monkeypatch.setattr(benchmark_figures, "RESULTS", path)
    return benchmark_figures


def test_a_number_is_read_from_its_row(figures):
    data = figures.load()
    assert figures.number(data, "large float64 skvanilla time") == "1.703 s/epoch"
    assert figures.number(data, "small float64 skvanilla time") == "41.3 us/step"
    assert figures.number(data, "large float64 skvanilla vs_sklearn") == "0.95"
    assert figures.number(data, "large float64 skvanilla speedup") == f"{1 / 0.95:.2f}"
    assert figures.number(data, "inputs float64 Fortran-ordered fit vs_c_ordered") == "1.05"
    assert figures.number(data, "inputs float64 Fortran-ordered fit conversion") == "0.128 s"
    assert figures.setting(data, "large batch_size") == "256"
    assert figures.setting(data, "large hidden") == "256-256"
    assert figures.setting(data, "repeats") == "3"


@pytest.mark.parametrize("name", ["large float32 skvanilla time", "regression float64 sklearn "
                                  "time", "large float64 skvanilla nonsense"])
def test_a_figure_the_results_do_not_hold_is_an_error(figures, name):
    from sphinx.errors import ExtensionError

    with pytest.raises(ExtensionError, match="benchmark"):
        figures.number(figures.load(), name)


def test_the_page_says_where_skvanilla_is_slower(figures):
    text = figures.slower(figures.load())
    assert "- predict, float32: 1.01 times scikit-learn's time" in text
    assert "large" not in text and "small" not in text


def test_a_tie_is_not_called_slower(figures):
    data = figures.load()
    for row in data["results"]:
        row["vs_sklearn"] = min(row["vs_sklearn"], 1.004)
    assert "on no workload" in figures.slower(data)


def test_the_provenance_names_commit_machine_threads_and_load(figures):
    text = figures.provenance(figures.load())
    for words in ("commit abc1234", "2026-11-29", "AMD EPYC (2 CPUs)", "2 threads",
                  "medians of 3", "0.31 when it began and 1.86 when it ended"):
        assert words in text


# -- The search benchmark (benchmarks/results/search.json) ----------------------------------

def _search_row(threads, workload, contender, seconds, sklearn, vanilla, equal=True):
    return {"threads": threads, "workload": workload, "contender": contender,
            "seconds": seconds, "repeats": [seconds, seconds], "vs_sklearn": seconds / sklearn,
            "vs_sklearn_vanilla": seconds / vanilla, "x_floor": seconds / 0.5, "floor": 0.5,
            "equal_scores": equal}


SEARCH = {
    "load": [1.5, 1.25, 1.0], "sgd_epochs": 20,
    "rows": [
        _search_row("1", "sgd", "sklearn", 40.0, 40.0, 30.0),
        _search_row("1", "sgd", "sklearn+vanilla", 30.0, 40.0, 30.0),
        _search_row("1", "sgd", "skvanilla", 8.0, 40.0, 30.0),
        _search_row("all", "adam", "skvanilla", 12.0, 10.0, 11.0),
        _search_row("all", "cv", "skvanilla", 9.0, 10.0, 9.5, equal=False),
    ],
}


@pytest.fixture
def search_figures(figures, tmp_path, monkeypatch):
    path = tmp_path / "search.json"
    path.write_text(json.dumps(SEARCH))
    monkeypatch.setattr(figures, "SEARCH", path)
    return figures


def test_a_search_number_is_read_from_its_row(search_figures):
    data = search_figures.load_search()
    number = search_figures.search_number
    assert number(data, "1 sgd skvanilla seconds") == "8.00 s"
    assert number(data, "1 sgd skvanilla floor") == "0.50 s"
    assert number(data, "1 sgd skvanilla vs_sklearn") == "0.20"
    assert number(data, "1 sgd skvanilla vs_sklearn_vanilla") == f"{8 / 30:.2f}"
    assert number(data, "1 sgd skvanilla x_floor") == "16.00"
    assert number(data, "1 sgd skvanilla speedup") == "5.00"
    assert number(data, "1 sgd skvanilla speedup_vanilla") == "3.75"
    assert number(data, "1 sgd sklearn+vanilla seconds") == "30.00 s"
    assert number(data, "sgd_epochs") == "20"
    assert number(data, "repeats") == "2"


@pytest.mark.parametrize("name", ["all sgd skvanilla seconds", "1 sgd torch seconds",
                                  "1 sgd skvanilla nonsense", "sgd skvanilla seconds"])
def test_a_search_figure_the_results_do_not_hold_is_an_error(search_figures, name):
    from sphinx.errors import ExtensionError

    with pytest.raises(ExtensionError, match="search benchmark"):
        search_figures.search_number(search_figures.load_search(), name)


def test_the_search_table_is_the_one_bench_search_prints(search_figures):
    from benchmarks import bench_search

    text = bench_search.table(SEARCH["rows"])
    lines = text.splitlines()
    assert lines[0].split() == ["threads", "workload", "contender", "seconds", "vs", "sklearn",
                                "vs", "sklearn+vanilla", "x", "floor", "scores", "equal"]
    assert lines[3].split() == ["1", "sgd", "skvanilla", "8.00", "0.20", "0.27", "16.00",
                                "True"]
    settings = search_figures.search_settings(search_figures.load_search())
    assert "20 epochs" in settings and "2 alternating repeats" in settings
    assert "1.50, 1.25, 1.00" in settings


def test_the_page_says_where_the_search_is_slower_or_gains_little(search_figures):
    text = search_figures.search_slower(search_figures.load_search())
    assert "- adam at all BLAS threads: slower, 1.20 times" in text
    assert "- cv at all BLAS threads: the scores differed" in text
    assert "- cv at all BLAS threads: a small gain, 0.90 times" in text
    assert "sgd" not in text


def test_no_search_row_to_name_is_said_so(search_figures):
    data = {**SEARCH, "rows": SEARCH["rows"][:3]}
    assert "on every workload, with equal scores" in search_figures.search_slower(data)
