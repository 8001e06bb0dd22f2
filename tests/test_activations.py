"""Each activation's derivative and each loss's delta against finite differences."""

import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import expit

from skvanilla._activations import (
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    gelu,
    gelu_prime,
    softmax,
)
from skvanilla._losses import categorical_log_loss, make_loss
from skvanilla._xp import NUMPY

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

    def total(Z):  # the delta is the gradient of the sum over the samples
        return lossfn.mean(Y, Z, out.f(Z)) * Z.shape[0]

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

    def total(Z):  # the delta is the gradient of the sum over the samples
        return lossfn.mean(Y_ext, Z, out.f(Z)) * Z.shape[0]

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


def test_a_fresh_numpy_adapter_computes_what_numpy_does():
    # NUMPY looks numpy's functions up on first use and keeps them; a new
    # process starts with none kept.  An adapter made afresh must give the
    # same values on its first call and on every call after.
    fresh = type(NUMPY)()
    Z = np.linspace(-3.0, 3.0, 12).reshape(4, 3)
    for _ in range(2):
        for name, f in sorted(HIDDEN_ACTIVATIONS.items()):
            A = f.f(Z)
            np.testing.assert_array_equal(f.f(Z, xp=fresh), A, err_msg=name)
            np.testing.assert_array_equal(f.prime(Z, A, xp=fresh), f.prime(Z, A), err_msg=name)
        for name, f in sorted(OUTPUT_ACTIVATIONS.items()):
            np.testing.assert_array_equal(f.f(Z.copy(), xp=fresh), f.f(Z.copy()), err_msg=name)


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
@pytest.mark.parametrize("out_name", PROBABILITY_OUTPUTS)
def test_log_losses_are_scikit_learns_bit_for_bit_at_every_scale(out_name, dtype, scale):
    """The values MLPClassifier's losses give, clip included, with and without weights.

    At scale 1000 probabilities reach 0 and 1 and scikit-learn's clip to
    ``[eps, 1 - eps]`` caps some losses: the same cap, so that L-BFGS's line
    searches, which meet such points, see the values scikit-learn's see.
    """
    from sklearn.neural_network._base import binary_log_loss as sk_binary
    from sklearn.neural_network._base import log_loss as sk_log_loss

    rng = np.random.RandomState(0)
    Z = (rng.standard_normal((40, 6)) * scale).astype(dtype)
    if out_name == "softmax":
        Y = np.eye(6, dtype=np.uint8)[rng.randint(0, 6, 40)]
        ours, theirs = make_loss("log_loss", "softmax").mean, sk_log_loss
    else:
        Y = (rng.uniform(size=(40, 6)) < 0.5).astype(np.uint8)
        ours, theirs = make_loss("log_loss", "logistic").mean, sk_binary
    P = OUTPUT_ACTIVATIONS[out_name].f(Z)
    for sw in [None, rng.uniform(0.1, 3.0, 40).astype(dtype)]:
        loss = ours(Y, Z, P, sw)
        expected = theirs(Y.astype(bool), P, sw)
        assert loss == expected and loss.dtype == expected.dtype
    if scale == 1000.0:
        eps = np.finfo(dtype).eps
        assert ((P < eps) & (Y == (out_name == "softmax"))).any()  # the clip caps a loss


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
    # And so the Poisson loss is not finite (NaN, as scikit-learn's) and the
    # delta inf, which the estimators check for.
    loss = make_loss("poisson", "exp")
    Y = np.array([[3.0, 1.0]], dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(loss.mean(Y, above, exp(above)))
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


# Values, not only consistency: each function and derivative against a closed
# form written with scipy's special functions (or the definition itself), at
# points on either side of 0 and far into both tails.
_Z = np.array([-40.0, -12.0, -3.5, -1.0, -0.25, -1e-3, 0.0, 1e-3, 0.25, 1.0, 3.5, 12.0, 40.0])


def _gelu(Z):
    return Z * scipy.stats.norm.cdf(Z)


def _gelu_prime(Z):
    return scipy.stats.norm.cdf(Z) + Z * scipy.stats.norm.pdf(Z)


REFERENCE = {
    "identity": (lambda Z: Z, lambda Z: np.ones_like(Z)),
    "logistic": (expit, lambda Z: expit(Z) * expit(-Z)),
    "tanh": (np.vectorize(math.tanh), lambda Z: 1 / np.cosh(Z) ** 2),
    "relu": (lambda Z: np.where(Z > 0, Z, 0.0), lambda Z: np.where(Z > 0, 1.0, 0.0)),
    # PyTorch's and Keras's default negative slope, 0.01.
    "leaky_relu": (lambda Z: np.where(Z > 0, Z, Z / 100), lambda Z: np.where(Z > 0, 1.0, 0.01)),
    "elu": (
        lambda Z: np.where(Z > 0, Z, np.vectorize(math.expm1)(Z)),
        lambda Z: np.where(Z > 0, 1.0, np.exp(Z)),
    ),
    # Exact GELU, z Phi(z); its derivative Phi(z) + z phi(z).
    "gelu": (_gelu, _gelu_prime),
    "softplus": (
        np.vectorize(lambda z: max(z, 0.0) + math.log1p(math.exp(-abs(z)))),
        expit,
    ),
    "silu": (lambda Z: Z * expit(Z), lambda Z: expit(Z) * (1 + Z * expit(-Z))),
}


def test_every_hidden_activation_has_a_reference():
    assert sorted(REFERENCE) == sorted(HIDDEN_ACTIVATIONS)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-6)])
@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_activation_values(name, dtype, rtol):
    act, (f, prime) = HIDDEN_ACTIVATIONS[name], REFERENCE[name]
    Z = _Z.astype(dtype).reshape(1, -1)
    expected = Z.astype(np.float64)
    A = act.f(Z.copy())
    dA = np.asarray(act.prime(Z.copy(), A.copy()))
    assert A.dtype == dtype
    # An absolute floor of a few ulps of 1: a derivative read off the output,
    # 1 - tanh^2 or sigma (1 - sigma), and Phi(z) = (1 + erf(z / sqrt 2)) / 2 in
    # the lower tail are exact to rounding of 1, not relative to their value.
    atol = 4 * np.finfo(dtype).eps
    np.testing.assert_allclose(A, f(expected), rtol=rtol, atol=atol)
    np.testing.assert_allclose(dA.astype(np.float64), prime(expected), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gelu_is_within_two_ulps_of_z_phi(dtype):
    """GELU takes scipy's erf in float64 and float32: within 2 ulps of 1 (times |z|) of z Phi(z).

    (The extended-precision series, used in either dtype, errs by up to 4.5 ulps.)
    """
    Z = np.linspace(-12, 12, 2401).astype(dtype)
    expected = _gelu(Z.astype(np.float64))
    tol = 2 * np.finfo(dtype).eps * np.maximum(1, np.abs(Z.astype(np.float64)))
    assert np.all(np.abs(gelu(Z.copy()).astype(np.float64) - expected) <= tol)


@pytest.mark.parametrize("name", sorted(OUTPUT_ACTIVATIONS))
def test_output_activation_values(name):
    out = OUTPUT_ACTIVATIONS[name]
    Z = np.array([[-3.0, 0.0, 1.5], [700.0, -700.0, 0.0]])
    if name == "softmax":
        expected = np.exp(Z - scipy.special.logsumexp(Z, axis=1, keepdims=True))
        log_expected = scipy.special.log_softmax(Z, axis=1)
    elif name == "logistic":
        expected, log_expected = expit(Z), scipy.special.log_expit(Z)
    elif name == "exp":
        expected, log_expected = np.exp(Z), Z
    else:
        # The regressor's identity output: its log is never taken (no probabilities).
        expected, log_expected = Z, None
    np.testing.assert_allclose(out.f(Z.copy()), expected, rtol=1e-14, atol=1e-300)
    if log_expected is not None:
        np.testing.assert_allclose(out.log_f(Z.copy()), log_expected, rtol=1e-14)


# -- GELU in extended precision (the gradient check computes in np.longdouble) --

def _decimal_atan_inverse(n, digits):
    """arctan(1 / n) in Decimal, by its alternating series."""
    x = Decimal(1) / n
    term, total, k = x, x, 1
    while abs(term / k) > Decimal(10) ** -digits:
        term *= -x * x
        k += 2
        total += term / k
    return total


def _decimal_normal_cdf_and_pdf(z):
    """Phi(z) and phi(z) for a Decimal z, to 60 digits: erf by its Taylor series, pi by Machin's."""
    with localcontext() as ctx:
        ctx.prec = 80
        pi = 16 * _decimal_atan_inverse(5, 75) - 4 * _decimal_atan_inverse(239, 75)
        x = z / Decimal(2).sqrt()
        total, term, n = Decimal(0), x, 0
        while abs(term) / (2 * n + 1) > Decimal(10) ** -70:
            total += term / (2 * n + 1)
            n += 1
            term *= -x * x / n
        cdf = (1 + 2 * total / pi.sqrt()) / 2
        pdf = (-(z**2) / 2).exp() / (2 * pi).sqrt()
        return cdf, pdf


EXTENDED = np.finfo(np.longdouble).nmant >= 63


@pytest.mark.skipif(not EXTENDED, reason="np.longdouble is not x87 extended precision here")
def test_gelu_in_extended_precision_is_closer_than_float64_rounding():
    """In np.longdouble, GELU and its derivative err by far less than float64's eps.

    Within 1.5e-17 and 2.5e-17 (times |z| beyond 1) where erf is summed as a
    series, about 1e-17 of which comes from float64's pi and sqrt 2 in the
    formulas; and to below 1e-18 |z| beyond |z| / sqrt 2 = 6.5, where erf is
    +-1 to extended precision.  The quarter-steps from -12 to 12 are exact in
    binary; each is evaluated alone as well, since the series runs until its
    slowest element converges.
    """
    Z = np.arange(-48, 49).astype(np.longdouble) / 4
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        A, dA = gelu(Z.copy()), gelu_prime(Z.copy(), gelu(Z.copy()))
        alone = [(gelu(Z[i : i + 1].copy()), gelu_prime(Z[i : i + 1].copy(), A[i : i + 1].copy()))
                 for i in range(len(Z))]
    assert A.dtype == dA.dtype == np.longdouble
    for z, a, da, (a1, da1) in zip(Z, A, dA, alone):
        zd = Decimal(float(z))
        cdf, pdf = _decimal_normal_cdf_and_pdf(zd)
        series = abs(zd) / Decimal(2).sqrt() <= Decimal("6.5")
        scale = max(1, abs(zd))
        tol = (Decimal("1.5e-17"), Decimal("2.5e-17")) if series else (Decimal("1e-18"),) * 2
        for got, want, t in [(a, zd * cdf, tol[0]), (da, cdf + zd * pdf, tol[1]),
                             (a1[0], zd * cdf, tol[0]), (da1[0], cdf + zd * pdf, tol[1])]:
            got = Decimal(np.format_float_scientific(got, precision=30, unique=False))
            assert abs(got - want) <= t * scale, z


@pytest.mark.skipif(not EXTENDED, reason="np.longdouble is not x87 extended precision here")
def test_gelu_in_extended_precision_is_quiet_at_any_input():
    """Huge and zero inputs: the limits, and no overflow or division by zero on the way."""
    Z = np.array([-1e300, -1e7, 0.0, 1e7, 1e300], dtype=np.longdouble)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        A, dA = gelu(Z.copy()), gelu_prime(Z.copy(), gelu(Z.copy()))
    np.testing.assert_array_equal(A, [0.0, 0.0, 0.0, 1e7, np.longdouble(1e300)])
    # Not exactly 0 below: the density is clipped at |z| = 40, where it is 0 in
    # float64 but e^-800 = 1e-348 in extended precision.
    np.testing.assert_allclose(dA.astype(float), [0.0, 0.0, 0.5, 1.0, 1.0], rtol=0, atol=1e-40)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_categorical_log_loss_where_a_probability_is_subnormal(dtype):
    """A probability below the dtype's ``eps`` is clipped to it, as scikit-learn clips it.

    e^-z for z just short of the underflow to 0 (-log of the smallest
    subnormal) is far below ``eps``: the loss is capped at ``-log(eps)``
    (36 in float64, 16 in float32), scikit-learn's value, and finite.
    """
    from sklearn.neural_network._base import log_loss as sk_log_loss

    z = np.floor(-np.log(np.finfo(dtype).smallest_subnormal)) - 1  # 743 in float64, 102 in float32
    Z = np.array([[0.0, -z]], dtype=dtype)
    P = softmax(Z)
    assert 0 < P[0, 1] < np.finfo(dtype).smallest_normal
    Y = np.array([[0, 1]], dtype=np.uint8)
    loss = categorical_log_loss(Y, Z, P)
    assert loss == sk_log_loss(Y.astype(bool), P)
    np.testing.assert_allclose(loss, -np.log(float(np.finfo(dtype).eps)), rtol=1e-15)
