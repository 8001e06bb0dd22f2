"""Backpropagation against central finite differences, as hypothesis properties."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, target
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier, check_gradients
from skvanilla._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skvanilla._gradcheck import gradient_problem, numerical_gradient, relative_error
from skvanilla._losses import Loss, make_loss
from skvanilla._network import (
    Network,
    backward,
    forward,
    init_params,
    loss_and_gradients,
    objective,
)

TOLERANCE = 1e-6
# The stencil moves a weight by up to 2 eps = 2e-4; through |x| <= 2 and up to
# three layers of weights below 1.8, a pre-activation moves by less than 1.5e-3.
KINK_MARGIN = 2e-3
WORST = {"error": 0.0, "examples": 0}


@st.composite
def problems(draw):
    """A network configuration, data, targets, sample weights and a penalty."""
    n_samples = draw(st.integers(2, 10))
    n_features = draw(st.integers(1, 5))
    kind = draw(st.sampled_from(["binary", "multiclass", "multilabel"]))
    out = draw(st.sampled_from(["logistic"] if kind == "multilabel" else ["softmax", "logistic"]))
    rng = np.random.RandomState(draw(st.integers(0, 2**31 - 1)))
    X = rng.uniform(-2, 2, (n_samples, n_features))
    if kind == "multilabel":
        y = rng.randint(0, 2, (n_samples, draw(st.integers(2, 4))))
        assume(len(np.unique(y, axis=0)) > 1)
    else:
        n_classes = 2 if kind == "binary" else draw(st.integers(3, 4))
        assume(n_samples >= n_classes)
        y = np.concatenate([np.arange(n_classes), rng.randint(0, n_classes, n_samples - n_classes)])
    weighted = draw(st.booleans())
    sample_weight = rng.uniform(0.1, 3.0, n_samples) if weighted else None
    hidden = tuple(draw(st.lists(st.integers(1, 8), min_size=1, max_size=3)))
    names = st.sampled_from(sorted(HIDDEN_ACTIVATIONS))
    per_layer = st.lists(names, min_size=len(hidden), max_size=len(hidden))
    params = dict(
        hidden_layer_sizes=hidden,
        activation=draw(st.one_of(names, per_layer)),
        loss=draw(st.sampled_from(["log_loss", "squared_error"])),
        out_activation=out,
        alpha=draw(st.floats(1e-3, 1.0)),
        dropout=draw(st.sampled_from([0.0, 0.0, 0.2, 0.5])),
        class_weight=None if kind == "multilabel" else draw(st.sampled_from([None, "balanced"])),
        random_state=draw(st.integers(0, 1000)),
    )
    return VanillaMLPClassifier(**params), X, y, sample_weight


# The five-point stencil is exact to O(h^4) only where f is smooth over +-2h:
# ReLU and leaky ReLU have a jump in f' at 0, ELU a jump in f''.
KINKED = {"relu", "leaky_relu", "elu"}


def clear_of_kinks(est, X, y, sample_weight):
    """True unless a pre-activation of a kinked unit lies within the margin of 0."""
    X, _, _, coefs, intercepts, net, _, masks = gradient_problem(est, X, y, sample_weight)
    Zs, _ = forward(X, coefs, intercepts, net, masks=masks)
    names = est._hidden_activation_names(len(coefs) - 1)
    return all(np.abs(Z).min() > KINK_MARGIN for Z, a in zip(Zs, names) if a in KINKED)


@given(problems())
def test_backprop_matches_finite_differences(problem):
    est, X, y, sample_weight = problem
    assume(clear_of_kinks(est, X, y, sample_weight))
    error = check_gradients(est, X, y, sample_weight)
    target(error)
    WORST["error"] = max(WORST["error"], error)
    WORST["examples"] += 1
    assert error < TOLERANCE, est


@given(problems())
def test_fitted_model_gradients_match(problem):
    # The check also holds away from the initial weights, after a few steps of
    # training (not to convergence, where the gradient itself vanishes).
    est, X, y, sample_weight = problem
    est.set_params(solver="sgd", learning_rate_init=0.05, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 3 epochs on purpose
        est.fit(X, y, sample_weight=sample_weight)
    assume(clear_of_kinks(est, X, y, sample_weight))
    error = check_gradients(est, X, y, sample_weight)
    WORST["error"] = max(WORST["error"], error)
    WORST["examples"] += 1
    assert error < TOLERANCE, est


# ----------------------------------------------------------------------------
# Real-valued targets: the regression losses through whole networks, without an
# estimator.
# ----------------------------------------------------------------------------

REGRESSION = [("identity", "squared_error"), ("exp", "poisson")]


def _regression_targets(rng, loss, shape):
    if loss == "poisson":  # counts with zeros, rescaled to non-integers
        return rng.poisson(rng.uniform(0.2, 5.0), shape) * rng.uniform(0.5, 1.5)
    return rng.normal(0.0, 3.0, shape)


@st.composite
def regression_problems(draw):
    """A network, real-valued data and targets, sample weights, a penalty, and weights
    that are either the initial ones or a few gradient steps away from them."""
    n_samples = draw(st.integers(2, 10))
    n_features = draw(st.integers(1, 5))
    n_outputs = draw(st.integers(1, 3))
    out, loss = draw(st.sampled_from(REGRESSION))
    rng = np.random.RandomState(draw(st.integers(0, 2**31 - 1)))
    X = rng.uniform(-2, 2, (n_samples, n_features))
    Y = _regression_targets(rng, loss, (n_samples, n_outputs))
    sample_weight = rng.uniform(0.1, 3.0, n_samples) if draw(st.booleans()) else None
    hidden = draw(st.lists(st.integers(1, 8), min_size=1, max_size=3))
    names = draw(st.lists(st.sampled_from(sorted(HIDDEN_ACTIVATIONS)),
                          min_size=len(hidden), max_size=len(hidden)))
    net = Network([HIDDEN_ACTIVATIONS[a] for a in names], OUTPUT_ACTIVATIONS[out],
                  make_loss(loss, out))
    alpha = draw(st.floats(1e-3, 1.0))
    units = [n_features, *hidden, n_outputs]
    coefs, intercepts = init_params(units, [6.0] * (len(units) - 1), rng)
    losses = []
    for _ in range(draw(st.integers(0, 3))):  # plain gradient steps
        loss_value, coef_grads, intercept_grads = loss_and_gradients(
            X, Y, coefs, intercepts, net, sample_weight, alpha
        )
        losses.append(loss_value)
        for p, g in zip(coefs + intercepts, coef_grads + intercept_grads):
            p -= 0.05 * g
    if losses:  # descending, not diverging (exp outputs can overshoot): weights a fit meets
        Zs, As = forward(X, coefs, intercepts, net)
        assume(objective(Zs, As, Y, coefs, net, sample_weight, alpha) <= losses[0])
    return X, Y, sample_weight, coefs, intercepts, net, names, alpha


def network_gradient_error(X, Y, sample_weight, coefs, intercepts, net, alpha, eps=1e-4):
    """check_gradients' measure, on a network given as arrays rather than an estimator."""
    Zs, As = forward(X, coefs, intercepts, net)
    grads = sum(backward(Zs, As, Y, coefs, net, sample_weight, alpha), [])
    ext = np.longdouble
    X_ext, Y_ext = X.astype(ext), Y.astype(ext)
    sw_ext = None if sample_weight is None else sample_weight.astype(ext)
    params = [p.astype(ext) for p in coefs + intercepts]
    n_layers = len(coefs)

    def J():
        Zs, As = forward(X_ext, params[:n_layers], params[n_layers:], net)
        return objective(Zs, As, Y_ext, params[:n_layers], net, sw_ext, alpha)

    numeric = numerical_gradient(J, params, eps)
    floor = 1e-6 * np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    return max(relative_error(g, n.astype(np.float64), floor) for g, n in zip(grads, numeric))


@given(regression_problems())
def test_regression_backprop_matches_finite_differences(problem):
    X, Y, sample_weight, coefs, intercepts, net, names, alpha = problem
    Zs, _ = forward(X, coefs, intercepts, net)
    assume(all(np.abs(Z).min() > KINK_MARGIN for Z, a in zip(Zs, names) if a in KINKED))
    error = network_gradient_error(X, Y, sample_weight, coefs, intercepts, net, alpha)
    target(error)
    WORST["error"] = max(WORST["error"], error)
    WORST["examples"] += 1
    assert error < TOLERANCE, (names, net.output, Y.shape[1], sample_weight is not None)


def test_regression_check_has_teeth():
    # Poisson's delta chained once more through exp' (p - y) p: the check fails.
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (6, 3))
    Y = _regression_targets(rng, "poisson", (6, 2))
    coefs, intercepts = init_params([3, 4, 2], [6.0, 6.0], rng)
    exp = OUTPUT_ACTIVATIONS["exp"]
    poisson = make_loss("poisson", "exp")
    right = Network([HIDDEN_ACTIVATIONS["tanh"]], exp, poisson)
    wrong = right._replace(loss=Loss(poisson.mean, lambda Y, Z, P, out=None, xp=None: (P - Y) * P))
    assert network_gradient_error(X, Y, None, coefs, intercepts, right, 0.1) < TOLERANCE
    assert network_gradient_error(X, Y, None, coefs, intercepts, wrong, 0.1) > 1e-2


# ----------------------------------------------------------------------------
# The check has teeth: the seed's slips fail it.
# ----------------------------------------------------------------------------


def _small_network(loss):
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 1, (6, 4))
    Y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    coefs, intercepts = init_params([4, 5, 3], [6.0, 6.0], rng)
    net = Network([HIDDEN_ACTIVATIONS["tanh"]], OUTPUT_ACTIVATIONS["logistic"], loss)
    return X, Y, coefs, intercepts, net


def _worst_error(X, Y, coefs, intercepts, net, grads):
    def J():
        Zs, As = forward(X, coefs, intercepts, net)
        return objective(Zs, As, Y, coefs, net, None, 0.0)

    numeric = numerical_gradient(J, coefs + intercepts, 1e-4)
    return max(relative_error(g, n) for g, n in zip(grads, numeric))


def test_exact_backward_passes_on_the_slip_network():
    X, Y, coefs, intercepts, net = _small_network(make_loss("squared_error", "logistic"))
    Zs, As = forward(X, coefs, intercepts, net)
    grads = backward(Zs, As, Y, coefs, net, None, 0.0)
    assert _worst_error(X, Y, coefs, intercepts, net, grads[0] + grads[1]) < TOLERANCE


def test_seed_output_delta_fails_the_check():
    # MSE.delta of the seed: (a - y) * sigmoid'(a), the derivative taken at a.
    exact = make_loss("squared_error", "logistic")
    sigmoid = OUTPUT_ACTIVATIONS["logistic"].f

    def seed_delta(Y, Z, P, out=None, xp=None):
        return (P - Y) * sigmoid(P) * (1 - sigmoid(P))

    X, Y, coefs, intercepts, net = _small_network(Loss(exact.mean, seed_delta))
    Zs, As = forward(X, coefs, intercepts, net)
    grads = backward(Zs, As, Y, coefs, net, None, 0.0)
    assert _worst_error(X, Y, coefs, intercepts, net, grads[0] + grads[1]) > 1e-2


def test_seed_bias_gradient_fails_the_check():
    # The seed summed weight gradients over the batch but averaged the bias ones.
    X, Y, coefs, intercepts, net = _small_network(make_loss("squared_error", "logistic"))
    Zs, As = forward(X, coefs, intercepts, net)
    coef_grads, intercept_grads = backward(Zs, As, Y, coefs, net, None, 0.0)
    seed_intercepts = [g / X.shape[0] for g in intercept_grads]
    assert _worst_error(X, Y, coefs, intercepts, net, coef_grads + seed_intercepts) > 1e-2


@given(
    activation=st.sampled_from(sorted(HIDDEN_ACTIVATIONS)),
    output_and_loss=st.sampled_from(
        [("softmax", "log_loss"), ("logistic", "log_loss"), ("logistic", "squared_error"),
         ("softmax", "squared_error"), *REGRESSION]
    ),
    weighted=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_buffered_passes_give_the_gradients_of_fresh_arrays(
    activation, output_and_loss, weighted, seed
):
    """The training loop's passes (Workspace, A written over Z, gradients into views of
    one vector, the L2 term on flat views, the loss's values in a buffer, buffers
    reused batch after batch) compute what the checked ones do."""
    from skvanilla._network import Workspace
    from skvanilla._optimizers import pack, unpack

    out, loss_name = output_and_loss
    rng = np.random.RandomState(seed)
    units = [4, 6, 5, 3]
    coefs, intercepts = init_params(units, [6.0] * 3, rng)
    f = HIDDEN_ACTIVATIONS[activation]
    net = Network([f, f], OUTPUT_ACTIVATIONS[out], make_loss(loss_name, out))
    work = Workspace(7, units, np.float64, overwrite=[f.prime_from_output] * 2)
    theta = pack(coefs + intercepts)
    views = unpack(theta, coefs + intercepts)
    coefs, intercepts = views[:3], views[3:]
    grad = np.empty_like(theta)
    views = unpack(grad, coefs + intercepts)
    n_weights = sum(c.size for c in coefs)
    # The L2 term and the scale in one call, alpha W into a buffer of its own.
    flat = theta[:n_weights], grad[:n_weights], grad, np.empty(n_weights)
    for _ in range(2):  # the second batch finds the buffers dirty
        X = rng.uniform(-2, 2, (7, 4))
        if out in ("softmax", "logistic"):
            Y = np.eye(3)[rng.randint(0, 3, 7)]
        else:
            Y = _regression_targets(rng, loss_name, (7, 3))
        sw = rng.uniform(0.1, 3.0, 7) if weighted else None
        Zs, As = forward(X, coefs, intercepts, net)
        expected = backward(Zs, As, Y, coefs, net, sw, 0.3)
        expected_loss = objective(Zs, As, Y, coefs, net, sw, 0.3)
        Zs, As = forward(X, coefs, intercepts, net, work=work)
        loss = objective(Zs, As, Y, coefs, net, sw, 0.3, work)
        backward(
            Zs, As, Y, coefs, net, sw, 0.3, work=work, grads=(views[:3], views[3:]), flat=flat
        )
        # Each element goes through the same operations: the same bits.
        np.testing.assert_array_equal(grad, pack(expected[0] + expected[1]))
        assert loss == expected_loss


def test_non_finite_gradients_never_pass_the_check():
    # Weights so large that the outputs overflow: backprop and the differences
    # are inf or NaN, and the check must say so rather than report agreement.
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]])
    y = np.array([0, 1, 2])
    clf = VanillaMLPClassifier((3,), activation="identity", solver="sgd", max_iter=1,
                               random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    clf.coefs_[1][0] = 1e308
    with np.errstate(all="ignore"):
        error = check_gradients(clf, X, y)
    assert not error < TOLERANCE
    assert error == np.inf
    assert relative_error(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == np.inf
    assert relative_error(np.array([1.0, 2.0]), np.array([np.inf, 2.0])) == np.inf


@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_a_training_step_descends_the_checked_gradient(dropout):
    """One step of plain SGD on the whole batch moves the weights by -eta times the
    gradient that check_gradients verifies, dropout masks included.

    Two fits that differ only in eta give both the start, 2 theta_1(eta) -
    theta_1(2 eta), and the gradient, (theta_1(eta) - theta_1(2 eta)) / eta.
    """
    from skvanilla._optimizers import pack, unpack

    X, y = make_classification(30, 4, n_informative=3, n_redundant=0, random_state=0)
    kw = dict(
        hidden_layer_sizes=(6, 5), solver="sgd", momentum=0.0, batch_size=30, shuffle=False,
        max_iter=1, alpha=1e-3, dropout=dropout, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one, two = (
            VanillaMLPClassifier(learning_rate_init=eta, **kw).fit(X, y) for eta in (0.1, 0.2)
        )
    theta_1, theta_2 = (pack(m.coefs_ + m.intercepts_) for m in (one, two))
    start = unpack(2 * theta_1 - theta_2, one.coefs_ + one.intercepts_)
    one.coefs_, one.intercepts_ = start[:3], start[3:]
    X, Y, sw, coefs, intercepts, net, alpha, masks = gradient_problem(one, X, y)
    assert (masks is None) == (dropout == 0)
    Zs, As = forward(X, coefs, intercepts, net, masks=masks)
    expected = backward(Zs, As, Y, coefs, net, sw, alpha, masks)
    np.testing.assert_allclose(
        (theta_1 - theta_2) / 0.1, pack(expected[0] + expected[1]), rtol=1e-6, atol=1e-12
    )


@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_buffered_passes_in_float32_are_the_fresh_ones_bit_for_bit(activation):
    """In float32 the training loop's buffers change no bit of the gradients: every
    buffer is float32, so no product is taken, or kept, in another precision."""
    from skvanilla._network import Workspace

    rng = np.random.RandomState(0)
    units = [4, 6, 5, 3]
    coefs, intercepts = init_params(units, [6.0] * 3, rng, dtype=np.float32)
    f = HIDDEN_ACTIVATIONS[activation]
    net = Network([f, f], OUTPUT_ACTIVATIONS["softmax"], make_loss("log_loss", "softmax"))
    X = rng.uniform(-2, 2, (7, 4)).astype(np.float32)
    Y = np.eye(3, dtype=np.uint8)[rng.randint(0, 3, 7)]
    Zs, As = forward(X, coefs, intercepts, net)
    expected = backward(Zs, As, Y, coefs, net, None, 0.3)
    work = Workspace(7, units, np.float32, overwrite=[f.prime_from_output] * 2)
    grads = ([np.empty_like(c) for c in coefs], [np.empty_like(b) for b in intercepts])
    Zs, As = forward(X, coefs, intercepts, net, work=work)
    got = backward(Zs, As, Y, coefs, net, None, 0.3, work=work, grads=grads)
    for g, e in zip(got[0] + got[1], expected[0] + expected[1]):
        assert g.dtype == np.float32
        np.testing.assert_array_equal(g, e)
