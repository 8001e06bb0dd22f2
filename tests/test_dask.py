"""skvanilla on a Dask cluster: joblib's dask backend and dask-ml's Incremental.

Every test shares one ``LocalCluster`` of two single-threaded worker processes on the
loopback interface.  Its teardown checks that every process the cluster started has
exited.  Without the ``distributed`` extra the module is skipped.
"""

import multiprocessing.resource_tracker as resource_tracker
import os
import re
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor

pytest.importorskip("dask_ml", reason='needs the extra: pip install ".[distributed]"')
dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")
import joblib  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402

GRID = {"hidden_layer_sizes": [(8,), (16,)], "learning_rate_init": [1e-3, 1e-2]}
# Scores, ranks and parameters of a search; times differ from run to run.
SCORE_KEYS = ["params", "mean_test_score", "std_test_score", "rank_test_score"] + [
    f"split{i}_test_score" for i in range(3)
]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.fixture(scope="module")
def diabetes():
    # Standardised features and targets: the network starts with outputs near 0.
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), (y - y.mean()) / y.std()


def _children():
    return {p.pid: p for p in psutil.Process().children(recursive=True)}


def _tracker_pid():
    return getattr(resource_tracker._resource_tracker, "_pid", None)


@pytest.fixture(scope="module")
def client():
    """A two-process cluster on 127.0.0.1, closed (and checked closed) after the module."""
    before, tracker_before = set(_children()), _tracker_pid()
    # The scheduler's active memory manager drops the extra copies of data sent to
    # every worker, within seconds; the worker-kill test needs them kept.
    with dask.config.set({"distributed.scheduler.active-memory-manager.start": False}):
        cluster = distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
        # Starting the first 'spawn' process starts Python's resource tracker, a helper
        # that would otherwise live until pytest exits: stop it if the cluster started it.
        if tracker_before is None and _tracker_pid() is not None:
            resource_tracker._resource_tracker._stop()
        started = [p for pid, p in _children().items() if pid not in before]
        _, alive = psutil.wait_procs(started, timeout=30)
        assert not alive, f"processes left behind: {[p.cmdline() for p in alive]}"


def _search(cls=VanillaMLPClassifier, **kwargs):
    est = cls(max_iter=40, random_state=0)
    return GridSearchCV(est, GRID, **kwargs)


def _fit_locally(search, X, y):
    # The workers' BLAS runs one thread (the nanny sets OMP_NUM_THREADS=1 and friends);
    # one thread here too makes the reference the same arithmetic, to the last bit.
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return search.fit(X, y)


def _fit_on_cluster(search, X, y, **backend_kwargs):
    # scikit-learn hands the warning filters on to its joblib tasks, wherever they run.
    with joblib.parallel_backend("dask", **backend_kwargs), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return search.fit(X, y)


def assert_same_search(ours, reference):
    for key in SCORE_KEYS:
        assert list(ours.cv_results_[key]) == list(reference.cv_results_[key]), key
    assert ours.best_params_ == reference.best_params_
    assert ours.best_score_ == reference.best_score_


_BATCH = re.compile(r"(?:mixed_)?batch_of__fit_and_score_(\d+)_calls")


def _count_fits(dask_scheduler):
    """How many ``_fit_and_score`` calls the scheduler has seen computed.

    joblib sends the calls in batches whose task names say how many calls they hold,
    ``batch_of__fit_and_score_<n>_calls``, or ``mixed_batch_of_...`` when the calls'
    functions are distinct objects, as scikit-learn's wrapped ones always are: a batch of
    more than one call, which joblib's automatic batching makes once it has timed some
    (here, in the module's second search), is a mixed one.  The scheduler counts, per
    name, the tasks that reached memory (a task run twice counts twice).
    """
    return sum(
        int(match.group(1)) * prefix.state_counts["memory"]
        for name, prefix in dask_scheduler.task_prefixes.items()
        if (match := _BATCH.fullmatch(name))
    )


def _fits_done_on_cluster(client):
    return client.run_on_scheduler(_count_fits)


def test_grid_search_on_the_cluster_matches_the_local_search(client, digits):
    X, y = digits
    local = _fit_locally(_search(cv=3), X, y)
    fits_before = _fits_done_on_cluster(client)
    remote = _fit_on_cluster(_search(cv=3, n_jobs=-1), X, y)
    # The 4 candidates x 3 folds were fitted on the workers, not in this process.
    assert _fits_done_on_cluster(client) - fits_before == 12
    assert_same_search(remote, local)
    # The search picked a model that learned something: it is no tie of failures.
    assert remote.best_score_ > 0.8


def test_regressor_grid_search_on_the_cluster_matches_the_local_search(client, diabetes):
    X, y = diabetes
    local = _fit_locally(_search(VanillaMLPRegressor, cv=3), X, y)
    fits_before = _fits_done_on_cluster(client)
    remote = _fit_on_cluster(_search(VanillaMLPRegressor, cv=3, n_jobs=-1), X, y)
    assert _fits_done_on_cluster(client) - fits_before == 12
    # The scores are R², bit for bit those of this process; the best is about 0.46.
    assert_same_search(remote, local)
    assert remote.best_score_ > 0.3


def test_cross_val_score_on_the_cluster_matches_the_local_scores(client, digits):
    X, y = digits
    est = VanillaMLPClassifier((16,), learning_rate_init=1e-2, max_iter=40, random_state=0)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = cross_val_score(est, X, y, cv=4)
    with joblib.parallel_backend("dask"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        remote = cross_val_score(est, X, y, cv=4, n_jobs=-1)
    np.testing.assert_array_equal(remote, local)
    assert local.min() > 0.8


def test_parallel_calls_run_in_the_worker_processes(client):
    with joblib.parallel_backend("dask"):
        pids = Parallel(n_jobs=-1)(delayed(os.getpid)() for _ in range(8))
    assert set(pids) <= set(client.run(os.getpid).values())
    assert os.getpid() not in pids


def _listening_hosts(proc):
    # psutil 6 renamed connections() to net_connections().
    connections = getattr(proc, "net_connections", None) or proc.connections
    return {c.laddr.ip for c in connections(kind="inet") if c.status == psutil.CONN_LISTEN}


def test_the_cluster_listens_on_loopback_only(client):
    # The scheduler, the nannies and the workers all serve TCP (and a small HTTP
    # server for health checks, with no dashboard): none may face the network.
    here = psutil.Process()
    hosts = set().union(*(_listening_hosts(p) for p in [here, *here.children(recursive=True)]))
    assert hosts == {"127.0.0.1"}
    assert client.scheduler_info()["address"].startswith("tcp://127.0.0.1:")


def _blas_threads():
    import numpy  # noqa: F401  (loads the BLAS, should the worker not have yet)
    from threadpoolctl import threadpool_info

    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_workers_run_blas_on_one_thread(client):
    # The premise of comparing the workers' results with this process's under
    # threadpool_limits(1): the same BLAS, on one thread, does the same arithmetic.
    assert list(client.run(_blas_threads).values()) == [{1}, {1}]


def _kill_if_busy(dask_scheduler, victim, pid, fits_before):
    """SIGKILL the worker ``victim`` if it holds a task and a fit of this search is done.

    This runs on the scheduler's event loop, which handles no message while it runs:
    the task that the scheduler sees on the worker is either still running there or
    finished with its result held only there.  Either way the kill costs the
    scheduler that task, and it must run it again.
    """
    ws = dask_scheduler.workers.get(victim)
    done = _count_fits(dask_scheduler)
    if ws is None or not ws.processing or done <= fits_before:
        return False
    os.kill(pid, signal.SIGKILL)
    return True


def _kill_mid_search(client, victim, pid, fits_before, report, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.run_on_scheduler(_kill_if_busy, victim=victim, pid=pid, fits_before=fits_before):
            report["killed_at"] = time.monotonic()
            return
        time.sleep(0.01)


def test_search_survives_a_worker_killed_mid_search(client, digits):
    X, y = digits
    # A fixed list of folds, so that its index arrays can be sent to every worker up front.
    folds = list(StratifiedKFold(3).split(X, y))
    local = _fit_locally(_search(cv=folds), X, y)

    victim, pid = sorted(client.run(os.getpid).items())[0]
    fits_before = _fits_done_on_cluster(client)
    report = {}
    killer = threading.Thread(
        target=_kill_mid_search, args=(client, victim, pid, fits_before, report)
    )
    killer.start()
    # The data goes to both workers before the search (broadcast) and stays there (the
    # fixture turned the active memory manager off): a copy held by one worker only
    # dies with it, and no task can recompute data that was never a task.
    scatter = [X, y] + [a for fold in folds for a in fold]
    remote = _fit_on_cluster(_search(cv=folds, n_jobs=-1), X, y, scatter=scatter)
    finished_at = time.monotonic()
    killer.join()

    assert "killed_at" in report, "the search ended before the worker could be killed in it"
    assert report["killed_at"] < finished_at
    removals = [
        event
        for _, event in client.get_events(victim)
        if isinstance(event, dict) and event.get("action") == "remove-worker"
    ]
    assert len(removals) == 1, "the scheduler did not see the worker go"
    lost = removals[0]["processing-tasks"] | removals[0]["lost-computed-tasks"]
    assert any(str(key).startswith("batch_of__fit_and_score") for key in lost)
    assert not removals[0]["lost-scattered-tasks"]
    # Every one of the 12 fits, the lost ones re-run, ended in this search's results.
    assert_same_search(remote, local)
    # The nanny restarts the killed worker; the next test finds two workers again.
    client.wait_for_workers(2, timeout=60)


def _chunks(digits, rows):
    X, y = digits
    X_train, y_train = X[:1500], y[:1500]
    return da.from_array(X_train, chunks=(rows, -1)), da.from_array(y_train, chunks=rows)


def _incremental_model():
    return VanillaMLPClassifier((32,), solver="adam", learning_rate_init=0.01, random_state=0)


def test_incremental_streams_the_blocks_through_partial_fit(client, digits):
    X, y = digits
    classes = np.unique(y)
    X_dask, y_dask = _chunks(digits, rows=250)
    epochs = 10

    inc = Incremental(_incremental_model(), scoring="accuracy", shuffle_blocks=False)
    inc.fit(X_dask, y_dask, classes=classes)
    for _ in range(epochs - 1):
        inc.partial_fit(X_dask, y_dask, classes=classes)

    # The same blocks in the same order, through partial_fit in this process.
    local = _incremental_model()
    with threadpool_limits(1):
        for _ in range(epochs):
            for start in range(0, 1500, 250):
                stop = start + 250
                local.partial_fit(X[start:stop], y[start:stop], classes=classes)

    assert inc.estimator_.t_ == local.t_ == epochs * 1500
    for ours, theirs in zip(inc.estimator_.coefs_, local.coefs_):
        np.testing.assert_array_equal(ours, theirs)

    X_test, y_test = X[1500:], y[1500:]
    test_dask = da.from_array(X_test, chunks=100), da.from_array(y_test, chunks=100)
    accuracy = inc.score(*test_dask)
    assert accuracy == accuracy_score(y_test, local.predict(X_test))
    np.testing.assert_array_equal(inc.predict(test_dask[0]).compute(), local.predict(X_test))
    assert accuracy > 0.85


def test_incremental_is_as_accurate_as_fit_on_the_same_epochs(client, digits):
    X, y = digits
    classes = np.unique(y)
    X_dask, y_dask = _chunks(digits, rows=300)
    epochs = 20

    inc = Incremental(_incremental_model(), scoring="accuracy", random_state=0)
    inc.fit(X_dask, y_dask, classes=classes)
    for _ in range(epochs - 1):
        inc.partial_fit(X_dask, y_dask, classes=classes)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = _incremental_model().set_params(max_iter=epochs).fit(X[:1500], y[:1500])

    X_test, y_test = X[1500:], y[1500:]
    streamed = inc.score(da.from_array(X_test), da.from_array(y_test))
    in_memory = whole.score(X_test, y_test)
    # Blocks in shuffled order and mini-batches drawn within a block, against batches
    # drawn from all the data: different paths to the same quality of model.
    assert abs(streamed - in_memory) <= 0.03
    assert streamed > 0.9
