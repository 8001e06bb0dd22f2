"""A stack of networks: every network computes what it computes alone, bit for bit.

The numeric core takes a leading axis of networks (see the module docstring
of ``skvanilla._network``): batches ``(K, n, units)``, weights ``(K, n_in,
n_out)``, one ``alpha`` and one set of optimizer hyperparameters per network.
The single-network functions are compared with scikit-learn's arithmetic in
``test_bit_for_bit.py``; here each network of a random stack is compared with
the same network computed alone -- forward pass, objective, gradients,
dropout masks and optimizer steps -- with ``np.array_equal``.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skvanilla._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skvanilla._dropout import dropout_masks
from skvanilla._losses import make_loss
from skvanilla._network import Network, Workspace, backward, forward, init_params, objective
from skvanilla._optimizers import SGD, Adam, adam_step, pack, sgd_step

#: (output activation, loss) pairs of both estimators.
HEADS = [
    ("softmax", "log_loss"), ("logistic", "log_loss"), ("identity", "squared_error"),
    ("exp", "poisson"),
]


def _targets(rng, head, shape, dtype):
    if head == "softmax":
        return np.eye(shape[-1], dtype=np.uint8)[rng.randint(0, shape[-1], shape[:-1])]
    if head == "logistic":
        return (rng.uniform(size=shape) < 0.5).astype(np.uint8)
    if head == "exp":
        return rng.poisson(1.5, shape).astype(dtype)
    return rng.randn(*shape).astype(dtype)


def _stack(rng, K, units, dtype):
    """K networks' parameters in one flat ``(K, P)`` array, and their layer views."""
    members = [init_params(units, [6.0] * (len(units) - 1), rng, dtype) for _ in range(K)]
    theta = np.stack([pack(c + b) for c, b in members])
    n_layers = len(units) - 1
    views = [
        np.reshape(theta[:, start:stop], (K, *shape))
        for start, stop, shape in _layout(members[0][0] + members[0][1])
    ]
    return theta, views[:n_layers], views[n_layers:]


def _layout(arrays):
    start = 0
    for a in arrays:
        yield start, start + a.size, a.shape
        start += a.size


@settings(max_examples=60, deadline=None)
@given(
    K=st.integers(1, 5),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    activation=st.sampled_from(sorted(HIDDEN_ACTIVATIONS)),
    head=st.sampled_from(HEADS),
    dtype=st.sampled_from([np.float64, np.float32]),
    n=st.integers(1, 30),
    weighted=st.booleans(),
    buffered=st.booleans(),
    dropout=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_each_network_of_a_stack_computes_what_it_computes_alone(
    K, hidden, activation, head, dtype, n, weighted, buffered, dropout, seed
):
    rng = np.random.RandomState(seed)
    out_name, loss_name = head
    units = [4, *hidden, 3]
    theta, coefs, intercepts = _stack(rng, K, units, dtype)
    f = HIDDEN_ACTIVATIONS[activation]
    net = Network([f] * len(hidden), OUTPUT_ACTIVATIONS[out_name], make_loss(loss_name, out_name))
    X = rng.uniform(-2, 2, (K, n, 4)).astype(dtype)
    Y = _targets(rng, out_name, (K, n, 3), dtype)
    sw = rng.uniform(0.1, 3.0, (K, n)).astype(dtype) if weighted else None
    # Some networks without the L2 term: the stack adds 0 * W to their gradients.
    alphas = [float(a) for a in rng.choice([0.0, 1e-4, 0.3], K)]
    alpha = np.array(alphas, dtype=dtype)
    masks, alone_masks = None, [None] * K
    if dropout:  # each network its own keys, step and rate; 0 gives ones, which change nothing
        rates = [float(p) for p in rng.choice([0.0, 0.3, 0.7], K)]
        keys = rng.randint(0, 2**63, (K, n), dtype=np.uint64)
        steps = [int(t) for t in rng.randint(0, 100, K)]
        masks = dropout_masks(keys, steps, hidden, rates, dtype)
        for k in range(K):
            drawn = dropout_masks(keys[k], steps[k], hidden, rates[k], dtype)
            for got, want in zip(masks, drawn):
                np.testing.assert_array_equal(got[k], want, strict=True)
            alone_masks[k] = drawn if rates[k] else None

    work = grads = flat = None
    grad = np.empty_like(theta)
    if buffered:  # the training loop's buffers, as for one network
        loss_dtype = np.float64 if Y.dtype == np.uint8 else np.result_type(Y, dtype)
        overwrite = [f.prime_from_output] * len(hidden)
        work = Workspace(n, units, dtype, overwrite=overwrite, loss_dtype=loss_dtype,
                         n_models=K)
        views = [np.reshape(grad[:, a:b], (K, *s)) for a, b, s in _layout(
            [c[0] for c in coefs] + [b[0] for b in intercepts])]
        grads = views[: len(coefs)], views[len(coefs):]
        n_weights = sum(c[0].size for c in coefs)
        flat = theta[:, :n_weights], grad[:, :n_weights], grad, np.empty((K, n_weights), dtype)
    with np.errstate(all="ignore"):
        Zs, As = forward(X, coefs, intercepts, net, masks=masks, work=work)
        loss = objective(Zs, As, Y, coefs, net, sw, alpha, work)
        coef_grads, intercept_grads = backward(
            Zs, As, Y, coefs, net, sw, alpha, masks, work=work, grads=grads, flat=flat
        )
        assert loss.shape == (K,)
        for k in range(K):
            c, b = [W[k].copy() for W in coefs], [v[k].copy() for v in intercepts]
            s = None if sw is None else sw[k]
            Zk, Ak = forward(X[k], c, b, net, masks=alone_masks[k])
            np.testing.assert_array_equal(As[-1][k], Ak[-1], strict=True)
            expected = objective(Zk, Ak, Y[k], c, net, s, alphas[k])
            assert loss[k] == expected or (np.isnan(loss[k]) and np.isnan(expected))
            assert loss[k].dtype == expected.dtype
            dW, db = backward(Zk, Ak, Y[k], c, net, s, alphas[k], alone_masks[k])
            for got, want in zip([g[k] for g in coef_grads + intercept_grads], dW + db):
                np.testing.assert_array_equal(got, want, strict=True)


@settings(max_examples=40, deadline=None)
@given(
    K=st.integers(1, 5),
    solver=st.sampled_from(["sgd", "nesterov", "mixed", "adam"]),
    dtype=st.sampled_from([np.float64, np.float32]),
    steps=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_each_network_of_a_stack_steps_as_its_optimizer_alone(K, solver, dtype, steps, seed):
    """Per-network rates, momenta, betas and epsilons: the steps of K optimizers."""
    rng = np.random.RandomState(seed)
    P = 7
    theta = rng.randn(K, P).astype(dtype)
    alone = [theta[k].copy() for k in range(K)]
    lr = [float(x) for x in rng.choice([1e-3, 0.01, 0.2], K)]
    if solver == "adam":
        b1 = [float(x) for x in rng.choice([0.8, 0.9], K)]
        b2 = [float(x) for x in rng.choice([0.99, 0.999], K)]
        eps = [float(x) for x in rng.choice([1e-8, 1e-3], K)]
        optimizers = [Adam(alone[k], lr[k], b1[k], b2[k], eps[k]) for k in range(K)]
        ms, vs = np.zeros_like(theta), np.zeros_like(theta)
    else:
        mu = [float(x) for x in rng.choice([0.0, 0.5, 0.9], K)]
        # "mixed": each network Nesterov's momentum or not.
        nesterov = [solver == "nesterov" or (solver == "mixed" and bool(rng.randint(2)))
                    for _ in range(K)]
        optimizers = [
            SGD(alone[k], lr[k], "constant", mu[k], nesterov[k], 0.5) for k in range(K)
        ]
        velocities = np.zeros_like(theta)

    def column(values, dtype=dtype):
        return np.array(values, dtype=dtype)[:, None]

    for _ in range(steps):
        G = rng.randn(K, P).astype(dtype)
        for k in range(K):
            optimizers[k].update_params(alone[k], G[k].copy())
        if solver == "adam":
            step_size = column([opt.step_size() for opt in optimizers], np.float64)
            betas = (column(b1), column([1 - b for b in b1]), column(b2),
                     column([1 - b for b in b2]))
            adam_step(theta, G, ms, vs, step_size, betas, column(eps))
        else:
            mixed = column(nesterov, bool) if solver == "mixed" else nesterov[0]
            sgd_step(theta, G, velocities, column(lr), column(mu), mixed)
    for k in range(K):
        np.testing.assert_array_equal(theta[k], alone[k], strict=True)

