"""Each activation's derivative and each loss's delta against finite differences."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skvanilla._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skvanilla._losses import make_loss

EPS = 1e-6
PROBABILITY_OUTPUTS = ["logistic", "softmax"]


def central_difference(f, Z):
    """d f(Z) / dZ elementwise, for an elementwise f."""
    return (f(Z + EPS) - f(Z - EPS)) / (2 * EPS)


finite = st.floats(-6, 6, allow_nan=False)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
@given(Z=arrays(np.float64, (4, 3), elements=finite))
def test_hidden_derivative_matches_finite_differences(name, Z):
    act = HIDDEN_ACTIVATIONS[name]
    # Keep clear of kinks, where a central difference straddles two slopes.
    Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)
    analytic = act.prime(Z, act.f(Z))
    np.testing.assert_allclose(analytic, central_difference(act.f, Z), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_activation_does_not_overwrite_its_input(name):
    # The seed's Relu zeroed z in place, so the cached z and a were one array.
    Z = np.array([[-1.0, 2.0]])
    HIDDEN_ACTIVATIONS[name].f(Z)
    np.testing.assert_array_equal(Z, [[-1.0, 2.0]])


@pytest.mark.parametrize("name", sorted(OUTPUT_ACTIVATIONS))
@given(
    Z=arrays(np.float64, (3, 4), elements=finite),
    G=arrays(np.float64, (3, 4), elements=finite),
)
def test_output_backprop_is_jacobian_transpose_product(name, Z, G):
    out = OUTPUT_ACTIVATIONS[name]
    analytic = out.backprop(out.f(Z), G)
    numeric = np.empty_like(Z)
    for idx in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[idx] += EPS
        down[idx] -= EPS
        numeric[idx] = np.sum(G * (out.f(up) - out.f(down))) / (2 * EPS)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", PROBABILITY_OUTPUTS)
def test_output_log_is_finite_where_probability_underflows(name):
    out = OUTPUT_ACTIVATIONS[name]
    Z = np.array([[-2000.0, 0.0, 2000.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        log_p = out.log_f(Z)
        p = out.f(Z)
    assert np.isfinite(log_p).all()
    assert p.min() == 0.0 and log_p.min() < -1000


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
@pytest.mark.parametrize("out_name", PROBABILITY_OUTPUTS)
@given(
    Z=arrays(np.float64, (5, 3), elements=finite),
    labels=arrays(np.int64, 5, elements=st.integers(0, 2)),
)
def test_loss_delta_matches_finite_differences(loss, out_name, Z, labels):
    out = OUTPUT_ACTIVATIONS[out_name]
    lossfn = make_loss(loss, out_name)
    Y = np.eye(3)[labels]

    def total(Z):
        return lossfn.total(Y, Z, out.f(Z))

    numeric = np.empty_like(Z)
    for idx in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[idx] += EPS
        down[idx] -= EPS
        numeric[idx] = (total(up) - total(down)) / (2 * EPS)
    np.testing.assert_allclose(lossfn.delta(Y, Z, out.f(Z)), numeric, rtol=1e-5, atol=1e-8)


REGRESSION_PAIRS = [("squared_error", "identity"), ("poisson", "exp"), ("squared_error", "exp")]


@pytest.mark.parametrize("loss, out_name", REGRESSION_PAIRS)
@given(
    Z=arrays(np.float64, (5, 3), elements=finite),
    magnitudes=arrays(np.float64, (5, 3), elements=st.floats(0, 50)),
    signs=arrays(np.bool_, (5, 3)),
)
def test_regression_loss_delta_matches_finite_differences(loss, out_name, Z, magnitudes, signs):
    """Real-valued targets (0, subnormals, non-integers; negative ones for squared error)."""
    out = OUTPUT_ACTIVATIONS[out_name]
    lossfn = make_loss(loss, out_name)
    Y = magnitudes if loss == "poisson" else np.where(signs, -magnitudes, magnitudes)
    # The same stencil and tolerances as above, in extended precision: Poisson
    # totals reach 1e4, whose float64 rounding, over a step of 2e-6, is 1e-6.
    ext = np.longdouble
    Y_ext = Y.astype(ext)

    def total(Z):
        return lossfn.total(Y_ext, Z, out.f(Z))

    numeric = np.empty_like(Z)
    Z_ext = Z.astype(ext)
    for idx in np.ndindex(Z.shape):
        up, down = Z_ext.copy(), Z_ext.copy()
        up[idx] += EPS
        down[idx] -= EPS
        numeric[idx] = (total(up) - total(down)) / (2 * EPS)
    np.testing.assert_allclose(lossfn.delta(Y, Z, out.f(Z)), numeric, rtol=1e-5, atol=1e-8)


def test_seed_squared_error_delta_is_caught():
    # The seed multiplied (a - y) by sigmoid'(a) instead of sigmoid'(z).
    out = OUTPUT_ACTIVATIONS["logistic"]
    Z = np.array([[0.3, -1.2, 2.0]])
    Y = np.array([[1.0, 0.0, 0.0]])
    P = out.f(Z)
    seed_delta = (P - Y) * out.f(P) * (1 - out.f(P))
    exact = make_loss("squared_error", "logistic").delta(Y, Z, P)
    assert not np.allclose(seed_delta, exact, rtol=1e-2)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_activations_and_derivatives_write_into_out(name):
    """With ``out`` -- a buffer, or ``Z`` itself -- the values are those of a fresh array."""
    f = HIDDEN_ACTIVATIONS[name]
    Z = np.linspace(-6.0, 6.0, 49).reshape(7, 7)
    A = f.f(Z.copy())
    buffer = np.empty_like(Z)
    np.testing.assert_array_equal(f.f(Z, out=buffer), A)
    in_place = Z.copy()
    np.testing.assert_array_equal(f.f(in_place, out=in_place), A)
    expected = np.asarray(f.prime(Z, A), dtype=float)
    np.testing.assert_array_equal(f.prime(Z, A, out=np.empty_like(Z)), expected)
    if f.prime_from_output:  # the training loop may then pass A as Z
        np.testing.assert_array_equal(np.asarray(f.prime(A, A), dtype=float), expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_categorical_log_loss_is_log_softmax_at_every_scale(dtype, scale):
    """Read off P while no probability underflows, through log-softmax once one does."""
    from skvanilla._activations import log_softmax, softmax
    from skvanilla._losses import categorical_log_loss

    rng = np.random.RandomState(0)
    Z = (rng.standard_normal((40, 6)) * scale).astype(dtype)
    Y = np.eye(6, dtype=np.uint8)[rng.randint(0, 6, 40)]
    P = softmax(Z)
    sample_weight = rng.uniform(0.1, 3.0, 40)
    per_sample = -np.sum(Y * log_softmax(Z.astype(np.float64)), axis=1)
    rtol = 10 * np.finfo(dtype).eps
    for sw, expected in [(None, per_sample.sum()), (sample_weight, per_sample @ sample_weight)]:
        loss = categorical_log_loss(Y, Z, P, sw)
        assert np.isfinite(loss)
        np.testing.assert_allclose(loss, expected, rtol=rtol)
    if scale == 1000.0:
        assert (P == 0).any()  # the log-softmax branch was taken


@pytest.mark.parametrize("name", sorted(OUTPUT_ACTIVATIONS))
def test_output_activations_and_backprops_write_into_out(name):
    """With ``out`` -- a buffer, or ``Z`` itself -- the values are those of a fresh array."""
    f = OUTPUT_ACTIVATIONS[name]
    Z = np.linspace(-6.0, 6.0, 49).reshape(7, 7)
    P = f.f(Z.copy()).copy()
    buffer = np.empty_like(Z)
    assert f.f(Z, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, P)
    in_place = Z.copy()
    np.testing.assert_array_equal(f.f(in_place, out=in_place), P)
    G = np.cos(Z)
    expected = f.backprop(P, G)
    assert expected is not G  # a fresh array, which backward scales in place
    assert f.backprop(P, G, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, expected)
    np.testing.assert_array_equal(G, np.cos(Z))


@pytest.mark.parametrize("name", ["identity", "exp"])
def test_regression_outputs_are_scikit_learns(name):
    """Bit for bit, wherever the output is finite: what following MLPRegressor's weights needs."""
    from sklearn.neural_network._base import ACTIVATIONS

    Z = np.concatenate([np.linspace(-800.0, 709.0, 3001), [-1e-300, 0.0, 1e-300]]).reshape(-1, 4)
    expected = Z.copy()
    ACTIVATIONS[name](expected)
    np.testing.assert_array_equal(OUTPUT_ACTIVATIONS[name].f(Z), expected)


@pytest.mark.parametrize("dtype, edge", [(np.float64, 709.78), (np.float32, 88.72)])
def test_exp_overflows_loudly_to_inf(dtype, edge):
    """No clip: past log(max) the output is inf, with numpy's overflow signal."""
    exp = OUTPUT_ACTIVATIONS["exp"].f
    below = np.array([[edge, -edge]], dtype=dtype)
    with np.errstate(over="raise"):
        assert np.isfinite(exp(below)).all()
    above = np.array([[edge + 0.01, 0.0]], dtype=dtype)
    with pytest.warns(RuntimeWarning, match="overflow"):
        P = exp(above)
    assert P.dtype == dtype and P[0, 0] == np.inf and P[0, 1] == 1
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        exp(above)
    # And so the Poisson loss and delta are inf, which the estimators check for.
    loss = make_loss("poisson", "exp")
    Y = np.array([[3.0, 1.0]], dtype=dtype)
    with np.errstate(over="ignore"):
        assert loss.total(Y, above, exp(above)) == np.inf
        assert loss.delta(Y, above, exp(above))[0, 0] == np.inf


def test_exp_log_is_z_where_exp_underflows_or_overflows():
    out = OUTPUT_ACTIVATIONS["exp"]
    Z = np.array([[-2000.0, 0.0, 2000.0]])
    log_p = out.log_f(Z)
    np.testing.assert_array_equal(log_p, Z)
    assert log_p is not Z
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert out.f(np.array([[-2000.0]]))[0, 0] == 0.0  # numpy ignores underflow by default


def test_identity_log_is_the_log_of_the_output():
    out = OUTPUT_ACTIVATIONS["identity"]
    Z = np.array([[0.5, 1.0, 20.0]])
    np.testing.assert_array_equal(out.log_f(Z), np.log(Z))
