"""The element-wise end of a step by blocks and threads: the same bits, the user's thread limit.

:class:`skvanilla._blocks.Blocks` runs the gradient's L2 term and division
and the optimizer's update a block of columns at a time, on as many threads
as numpy's BLAS may use.  Here: a pass by blocks (one or several threads)
gives exactly what one call over the whole vectors gives, for one network
and for a stack; a fit with small blocks on two threads ends with exactly
the weights of a fit by whole vectors and of scikit-learn's; the thread
count follows ``threadpoolctl`` and ``OMP_NUM_THREADS``; and numpy's error
state and a worker's exception reach the caller.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import skvanilla._blocks as blocks_module
from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor
from skvanilla._blocks import Blocks
from skvanilla._network import _gradient_end
from skvanilla._optimizers import adam_step, sgd_step


def _vectors(rng, shape, dtype, n):
    return [rng.standard_normal(shape).astype(dtype) for _ in range(n)]


def _run_both(step, arrays, args, blocks):
    """``step`` over fresh copies of ``arrays``: whole, and by ``blocks``; both results."""
    whole = [a.copy() for a in arrays]
    step(*whole, *args)
    blocked = [a.copy() for a in arrays]
    blocks.run(step, blocked, *args)
    return whole, blocked


@settings(max_examples=40, deadline=None)
@given(
    K=st.sampled_from([None, 1, 3]),
    size=st.integers(1, 3000),
    block=st.integers(1, 700),
    threads=st.integers(1, 3),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**16),
)
def test_a_pass_by_blocks_equals_one_pass(K, size, block, threads, dtype, seed):
    """SGD (both momenta), Adam and the gradient's end: by blocks, the bits of one call."""
    rng = np.random.RandomState(seed)
    shape = (size,) if K is None else (K, size)
    rows = 1 if K is None else K
    column = (lambda v: v) if K is None else (lambda v: rng.uniform(0.5, 1.5, (K, 1)) * v)
    blocks = _threaded(size, rows, threads=threads, block=block)
    try:
        for args in [
            (column(0.01), column(0.9), False),
            (column(0.01), column(0.9), True),
            (column(0.01), 0, False),
        ]:
            sgd_args = tuple(np.asarray(a, dtype) if np.ndim(a) else a for a in args)
            whole, blocked = _run_both(sgd_step, _vectors(rng, shape, dtype, 3), sgd_args, blocks)
            for a, b in zip(whole, blocked):
                assert np.array_equal(a, b)
        betas = (0.9, 1 - 0.9, 0.999, 1 - 0.999)
        adam_args = (np.float64(0.001) * np.sqrt(1 - 0.999**3) / (1 - 0.9**3), betas, 1e-8)
        arrays = _vectors(rng, shape, dtype, 4)
        arrays[3] = np.abs(arrays[3])  # the second moments are not negative
        whole, blocked = _run_both(adam_step, arrays, adam_args, blocks)
        for a, b in zip(whole, blocked):
            assert np.array_equal(a, b)
        # The gradient's end over flat vectors whose weights are their first columns.
        n_weights = rng.randint(0, size + 1)
        W, g = _vectors(rng, shape, dtype, 2)
        arrays = [W[..., :n_weights], g[..., :n_weights], g, np.empty_like(W[..., :n_weights])]
        whole_g, blocked_g = g.copy(), g.copy()
        alpha, total = (1e-4, 17) if K is None else (
            rng.uniform(0, 1e-3, (K, 1)).astype(dtype), rng.randint(1, 50, (K, 1)))
        _gradient_end(W[..., :n_weights], whole_g[..., :n_weights], whole_g, None, alpha, total)
        blocks.run(_gradient_end, [W[..., :n_weights], blocked_g[..., :n_weights], blocked_g,
                                   arrays[3]], alpha, total)
        assert np.array_equal(whole_g, blocked_g)
    finally:
        blocks.close()


def _threaded(size, rows=1, *, threads, block):
    """Blocks on ``threads`` threads however short the vectors (as many as there are blocks)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blocks_module, "MIN_PER_THREAD", 1)  # what keeps short vectors on one
        return Blocks(size, rows, threads=threads, block=block)


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 300 elements and threads from 500 each: the threaded path, on small networks."""
    monkeypatch.setattr(blocks_module, "BLOCK", 300)
    monkeypatch.setattr(blocks_module, "MIN_PER_THREAD", 500)
    monkeypatch.setattr(blocks_module, "blas_threads", lambda: 2)
    made = []
    real_init = Blocks.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self.threads)

    monkeypatch.setattr(Blocks, "__init__", spy)
    return made


FITS = [
    dict(solver="sgd", momentum=0.9, nesterovs_momentum=False, alpha=1e-3),
    dict(solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate="invscaling"),
    dict(solver="sgd", momentum=0.0),
    dict(solver="adam", alpha=0.0),
    dict(solver="adam", early_stopping=True),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("params", FITS, ids=lambda p: "-".join(map(str, p.values())))
def test_a_fit_on_two_threads_ends_with_the_weights_of_scikit_learn(params, dtype, small_blocks):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((150, 40)).astype(dtype)
    y = rng.randint(0, 3, 150)
    common = dict(hidden_layer_sizes=(30,), max_iter=4, random_state=1, batch_size=32, **params)
    with warnings.catch_warnings(action="ignore"):  # four epochs do not converge
        ours = VanillaMLPClassifier(**common).fit(X, y)
        theirs = MLPClassifier(**common).fit(X, y)
    assert small_blocks and min(small_blocks) == 2  # 1,323 parameters: two threads
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert np.array_equal(a, b)
    assert ours.loss_curve_ == theirs.loss_curve_


def test_a_stack_on_two_threads_trains_each_network_as_alone(small_blocks):
    from skvanilla._stack import fit_many

    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((120, 30)), rng.standard_normal(120)
    nets = [VanillaMLPRegressor(hidden_layer_sizes=(20,), solver=s, learning_rate_init=lr,
                                max_iter=3, random_state=r, alpha=a)
            for s, lr, r, a in [("sgd", 1e-2, 0, 1e-4), ("sgd", 3e-2, 1, 0.0),
                                ("adam", 1e-3, 2, 1e-3), ("adam", 1e-2, 3, 1e-4)]]
    with warnings.catch_warnings(action="ignore"):
        fitted = fit_many(nets, [(X, y, {})] * len(nets))
        alone = [VanillaMLPRegressor(**n.get_params()).fit(X, y) for n in nets]
    assert max(small_blocks) == 2
    for (net, _), other in zip(fitted, alone):
        for a, b in zip(net.coefs_ + net.intercepts_, other.coefs_ + other.intercepts_):
            assert np.array_equal(a, b)


LONG = 4 * blocks_module.MIN_PER_THREAD  # long enough for up to four threads


@pytest.mark.parametrize("limit", [1, 2])
def test_the_threads_are_those_blas_may_use(limit):
    with threadpool_limits(limit, user_api="blas"):
        assert blocks_module.blas_threads() == limit
        with Blocks(LONG) as blocks:
            assert blocks.threads == limit


def test_short_vectors_take_one_thread_without_asking():
    with Blocks(blocks_module.MIN_PER_THREAD, threads=8) as blocks:
        assert blocks.threads == 1 and blocks._pool is None


def test_omp_num_threads_1_holds():
    code = (
        "from skvanilla._blocks import Blocks, MIN_PER_THREAD\n"
        "print(Blocks(8 * MIN_PER_THREAD).threads)"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("OPENBLAS_NUM_THREADS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "1"


def test_the_workers_take_the_callers_error_state():
    def overflow(a):
        a *= np.float64(1e300)

    with _threaded(1000, threads=2, block=100) as blocks:
        assert blocks.threads == 2
        v = np.full(1000, 1e300)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(over="ignore"):
                blocks.run(overflow, (v,))  # no warning from any thread
        assert np.isinf(v).all()
        with np.errstate(over="raise"), pytest.raises(FloatingPointError):
            blocks.run(overflow, (np.full(1000, 1e300),))


def test_a_workers_error_reaches_the_caller():
    def fail_on_the_last_block(a):
        if a.size and a[-1] == 999:
            raise ValueError("the last block")

    with _threaded(1000, threads=2, block=100) as blocks:
        assert blocks.threads == 2
        with pytest.raises(ValueError, match="the last block"):
            blocks.run(fail_on_the_last_block, (np.arange(1000.0),))
