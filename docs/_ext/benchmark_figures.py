"""Every benchmark figure of the site, read from the harness's results file.

The pages quote no timing by hand: they name it, and this extension reads it
from ``benchmarks/results/results.json`` (what ``python -m benchmarks``
writes) when the site is built, so that a new run of the harness refreshes
every page at once.

``.. benchmark-chart::``
    The harness's chart, drawn from the results file into ``generated/``.
``.. benchmark-table::``
    The harness's table (the one it prints), for the workloads named in the
    ``:workloads:`` option (all but ``inputs`` by default).
``.. benchmark-inputs-table::``
    The table of the ``inputs`` workload (every layout of ``X``).
``.. benchmark-provenance::``
    A paragraph: the commit, date, machine, BLAS threads, load and repeats.
``.. benchmark-slower::``
    A paragraph naming every workload of the results on which skvanilla
    took longer than scikit-learn, or saying that there is none.
``:bench:`large float64 skvanilla vs_sklearn```
    One number of one row: workload, dtype, contender (for ``inputs``:
    workload, dtype, layout, task) and a field: ``time`` or ``not_gemm``
    (the time beyond the GEMM floor's; both with their unit),
    ``vs_sklearn``, ``x_floor``, ``vs_c_ordered``, ``conversion`` (ratios
    as ``0.95``), or ``speedup`` (scikit-learn's time over skvanilla's).
``:bench-setting:`large batch_size```
    A setting of a workload's rows (``batch_size``, ``n_samples``,
    ``epochs``, ``hidden``), or of the run (``repeats``).

The search benchmark (``benchmarks/bench_search.py --out``) has a results
file of its own, ``benchmarks/results/search.json``:

``.. search-benchmark-table::``
    The table ``bench_search.py`` prints: threads, workload, contender,
    seconds, the ratios to both scikit-learn searches and to the GEMM floor,
    and whether the scores were equal; then the run's settings.
``.. search-benchmark-slower::``
    A paragraph naming every row where ``skvanilla.model_selection`` took
    longer than scikit-learn's search over ``MLPClassifier``, gained less
    than ``SMALL_GAIN`` times, or found other scores.
``:search-bench:`1 sgd skvanilla vs_sklearn```
    One number of one row: threads (``1`` or ``all``), workload, contender
    (``sklearn``, ``sklearn+vanilla``, ``skvanilla``) and a field:
    ``seconds``, ``floor`` (both in seconds), ``vs_sklearn``,
    ``vs_sklearn_vanilla``, ``x_floor`` (ratios as ``0.95``), ``speedup`` or
    ``speedup_vanilla`` (the time of scikit-learn's search over
    ``MLPClassifier``, or over ``VanillaMLPClassifier``, over this row's);
    or a setting of the run: ``sgd_epochs``, ``repeats``.

A name that matches no row fails the build, so a page cannot go on quoting
a figure that the results no longer hold.
"""

import json
import sys
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "results.json"
SEARCH = ROOT / "benchmarks" / "results" / "search.json"
#: Below this speed-up over scikit-learn's search, a row is named as a small gain.
SMALL_GAIN = 1.5
#: Where the chart is drawn, relative to the docs' source folder (git-ignored).
CHART = Path("generated") / "benchmark.png"


def _harness():
    # The harness is a folder of the repository, not an installed package.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import _chart, _env, _inputs, _report

    return _chart, _env, _inputs, _report


def load(path=None):
    """The results file (``RESULTS`` by default) as a dict: ``environment``, ``settings``,
    ``results``."""
    path = RESULTS if path is None else path
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ExtensionError(f"cannot read the benchmark results {path}: {error}") from error


def _key(row):
    if row["workload"] == "inputs":
        return (row["workload"], row["dtype"], row["layout"], row["task"], row["contender"])
    return (row["workload"], row["dtype"], row["contender"])


def find(data, words):
    """The row that ``words`` (workload, dtype, contender or layout and task) name."""
    *name, field = words
    if name and name[0] == "inputs":
        name = [*name, "skvanilla"]
    key = tuple(name)
    rows = [r for r in data["results"] if _key(r) == key]
    if len(rows) != 1:
        raise ExtensionError(f"the benchmark results have no row {' '.join(name)!r}")
    return rows[0], field


def number(data, text):
    """The text that ``:bench:`` puts on the page for ``text``."""
    row, field = find(data, text.split())
    if field in ("time", "not_gemm") and row.get(field) is not None:
        value = row[field]
        return f"{value:.1f} {row['unit']}" if row["unit"] == "us/step" else \
            f"{value:.3f} {row['unit']}"
    if field == "speedup":
        return f"{1 / row['vs_sklearn']:.2f}"
    if field in ("vs_sklearn", "x_floor", "vs_c_ordered") and row.get(field) is not None:
        return f"{row[field]:.2f}"
    if field == "conversion" and row.get(field) is not None:
        return f"{row[field]:.3f} s"
    raise ExtensionError(f"the benchmark row {text!r} has no field {field!r}")


def setting(data, text):
    """The text that ``:bench-setting:`` puts on the page for ``text``."""
    words = text.split()
    if words == ["repeats"]:
        return str(data["settings"]["repeats"])
    if len(words) == 2:
        for row in data["results"]:
            if row["workload"] == words[0] and words[1] in row:
                value = row[words[1]]
                return "-".join(map(str, value)) if isinstance(value, list) else f"{value:,}"
    raise ExtensionError(f"the benchmark results have no setting {text!r}")


def provenance(data):
    """Where and how the figures were measured, in one paragraph."""
    _, _env, _, _ = _harness()
    env, settings = data["environment"], data["settings"]
    blas = _env.numpy_blas(env)
    threads = blas.get("num_threads")
    before = env["loadavg_1_5_15"][0]
    after = settings.get("loadavg_after", [None])[0]
    load = f"{before:.2f} when it began" + (
        f" and {after:.2f} when it ended" if after is not None else "")
    return (
        f"Every figure on this page is read from ``benchmarks/results/results.json`` "
        f"when the site is built: one run of ``python -m benchmarks`` at commit "
        f"{env['commit']} on {env['date'][:10]}, on {env['cpu']} ({env['cpu_count']} CPUs), "
        f"numpy {env['numpy']} with {blas.get('internal_api')} ({blas.get('architecture')} "
        f"kernel, {threads} thread{'s' * (threads != 1)}), scikit-learn {env['scikit-learn']}, "
        f"Python {env['python']}; medians of {settings['repeats']} alternating repeats; "
        f"load average (one minute) {load}. It is one run on one machine: rerun the "
        f"harness to measure yours."
    )


def slower(data):
    """A paragraph and a list: the rows where skvanilla took longer than scikit-learn.

    A ratio that rounds to 1.00 is a tie, not a loss, and is left out.
    """
    rows = [r for r in data["results"]
            if r["contender"] == "skvanilla" and round(r["vs_sklearn"], 2) > 1.0]
    if not rows:
        return ("In this run skvanilla was slower than scikit-learn on no workload "
                "(comparing ratios rounded to two decimals).")
    items = []
    for r in rows:
        what = r["workload"] if r["workload"] != "inputs" else \
            f"inputs, {r['layout']} {r['task']}"
        items.append(f"- {what}, {r['dtype']}: {r['vs_sklearn']:.2f} times scikit-learn's time")
    return ("**Where skvanilla is slower.** In this run it took longer than scikit-learn "
            "on:\n\n" + "\n".join(items))


def load_search(path=None):
    """The search benchmark's file (``SEARCH`` by default): ``rows``, ``sgd_epochs``, ``load``."""
    return load(SEARCH if path is None else path)


def search_row(data, threads, workload, contender):
    """The row of the search benchmark that the three words name."""
    rows = [r for r in data["rows"] if (r["threads"], r["workload"], r["contender"])
            == (threads, workload, contender)]
    if len(rows) != 1:
        raise ExtensionError(f"the search benchmark results have no row "
                             f"{' '.join((threads, workload, contender))!r}")
    return rows[0]


def search_number(data, text):
    """The text that ``:search-bench:`` puts on the page for ``text``."""
    words = text.split()
    if not data["rows"]:
        raise ExtensionError("the search benchmark results have no rows")
    if words == ["sgd_epochs"]:
        return str(data["sgd_epochs"])
    if words == ["repeats"]:
        return str(len(data["rows"][0]["repeats"]))
    if len(words) != 4:
        raise ExtensionError(f"the search benchmark results have no figure {text!r}")
    *name, field = words
    row = search_row(data, *name)
    if field in ("seconds", "floor"):
        return f"{row[field]:.2f} s"
    if field in ("vs_sklearn", "vs_sklearn_vanilla", "x_floor"):
        return f"{row[field]:.2f}"
    if field == "speedup":
        return f"{1 / row['vs_sklearn']:.2f}"
    if field == "speedup_vanilla":
        return f"{1 / row['vs_sklearn_vanilla']:.2f}"
    raise ExtensionError(f"the search benchmark row {text!r} has no field {field!r}")


def search_settings(data):
    """The run's settings, in one sentence under the table."""
    epochs, repeats = data["sgd_epochs"], len(data["rows"][0]["repeats"])
    load = ", ".join(f"{value:.2f}" for value in data["load"])
    return (f"Read from ``benchmarks/results/search.json``: {epochs} epochs for the SGD "
            f"workloads, medians of {repeats} alternating repeat{'s' * (repeats != 1)}, "
            f"load average (1, 5, 15 minutes) {load} when the run ended.")


def search_slower(data):
    """A paragraph and a list: the rows where skvanilla's search gained little or lost."""
    items = []
    for r in data["rows"]:
        if r["contender"] != "skvanilla":
            continue
        where = f"{r['workload']} at {r['threads']} BLAS thread{'s' * (r['threads'] != '1')}"
        both = (f"{r['vs_sklearn']:.2f} times the time of scikit-learn's search over "
                f"``MLPClassifier``, {r['vs_sklearn_vanilla']:.2f} times that over "
                "``VanillaMLPClassifier``")
        if not r["equal_scores"]:
            items.append(f"- {where}: the scores differed from scikit-learn's")
        if round(r["vs_sklearn"], 2) > 1.0:
            items.append(f"- {where}: slower, {both}")
        elif 1 / r["vs_sklearn"] < SMALL_GAIN:
            items.append(f"- {where}: a small gain, {both}")
    if not items:
        return (f"In this run skvanilla's searches were at least {SMALL_GAIN} times faster "
                "than scikit-learn's on every workload, with equal scores.")
    return ("**Where the gain is small or lost.** In this run, against scikit-learn's search "
            f"over ``MLPClassifier`` (a gain under {SMALL_GAIN} times counts as small):\n\n"
            + "\n".join(items))


def _table_block(text):
    # The class keeps the table's columns aligned: the site's stylesheet wraps
    # other text blocks at the column's edge, but not these.
    return nodes.literal_block(text, text, language="text", classes=["benchmark-table"])


class _ResultsDirective(SphinxDirective):
    def data(self):
        self.env.note_dependency(str(RESULTS))
        return load()

    def paragraph(self, text):
        lines = StringList(text.splitlines(), source=self.get_source_info()[0])
        node = nodes.container()
        self.state.nested_parse(lines, self.content_offset, node)
        return node.children


class BenchmarkTable(_ResultsDirective):
    option_spec = {"workloads": directives.unchanged}

    def run(self):
        _, _, _, _report = _harness()
        data = self.data()
        names = [w.strip() for w in self.options.get("workloads", "").split(",") if w.strip()]
        rows = [r for r in data["results"] if r["workload"] != "inputs"
                and (not names or r["workload"] in names)]
        missing = set(names) - {r["workload"] for r in rows}
        if not rows or missing:
            raise self.error(f"the benchmark results have no workload {sorted(missing)}")
        return [_table_block(_report.table(rows))]


class BenchmarkInputsTable(_ResultsDirective):
    def run(self):
        _, _, _inputs, _ = _harness()
        rows = [r for r in self.data()["results"] if r["workload"] == "inputs"]
        if not rows:
            raise self.error("the benchmark results have no inputs workload")
        return [_table_block(_inputs.table(rows))]


class BenchmarkProvenance(_ResultsDirective):
    def run(self):
        return self.paragraph(provenance(self.data()))


class BenchmarkSlower(_ResultsDirective):
    def run(self):
        return self.paragraph(slower(self.data()))


class BenchmarkChart(_ResultsDirective):
    def run(self):
        self.data()
        text = (f".. figure:: /{CHART.as_posix()}\n"
                "   :alt: time of skvanilla, scikit-learn, the GEMM floor, PyTorch and "
                "onnxruntime on each workload, relative to scikit-learn's\n"
                "   :width: 100%\n")
        return self.paragraph(text)


class _SearchDirective(_ResultsDirective):
    def data(self):
        self.env.note_dependency(str(SEARCH))
        return load_search()


class SearchBenchmarkTable(_SearchDirective):
    def run(self):
        _harness()  # the repository on sys.path
        from benchmarks import bench_search

        data = self.data()
        if not data["rows"]:
            raise self.error("the search benchmark results have no rows")
        return [_table_block(bench_search.table(data["rows"])),
                *self.paragraph(search_settings(data))]


class SearchBenchmarkSlower(_SearchDirective):
    def run(self):
        return self.paragraph(search_slower(self.data()))


def _role(render, read=load):
    def role(name, rawtext, text, lineno, inliner, options=None, content=()):
        env = inliner.document.settings.env
        env.note_dependency(str(SEARCH if read is load_search else RESULTS))
        try:
            value = render(read(), text)
        except ExtensionError as error:
            message = inliner.reporter.error(str(error), line=lineno)
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        return [nodes.Text(value)], []

    return role


def draw_chart(app):
    """Draw the chart of the results file where ``.. benchmark-chart::`` finds it."""
    _chart, _, _, _ = _harness()
    data = load()
    path = Path(app.srcdir) / CHART
    path.parent.mkdir(parents=True, exist_ok=True)
    _chart.draw(_chart.charted(data["results"]), path,
                subtitle=_chart.subtitle(data["environment"]))


def setup(app):
    app.add_directive("benchmark-chart", BenchmarkChart)
    app.add_directive("benchmark-table", BenchmarkTable)
    app.add_directive("benchmark-inputs-table", BenchmarkInputsTable)
    app.add_directive("benchmark-provenance", BenchmarkProvenance)
    app.add_directive("benchmark-slower", BenchmarkSlower)
    app.add_role("bench", _role(number))
    app.add_role("bench-setting", _role(setting))
    app.add_directive("search-benchmark-table", SearchBenchmarkTable)
    app.add_directive("search-benchmark-slower", SearchBenchmarkSlower)
    app.add_role("search-bench", _role(search_number, load_search))
    app.connect("builder-inited", draw_chart)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
