"""scikit-learn's common estimator checks, for several configurations."""

import functools
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import check_param_validation, estimator_checks_generator

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor

CONFIGURATIONS = [
    VanillaMLPClassifier(),
    VanillaMLPClassifier(solver="sgd"),
    VanillaMLPClassifier(solver="lbfgs"),
    VanillaMLPClassifier(loss="squared_error", out_activation="logistic"),
    VanillaMLPClassifier(class_weight="balanced"),
    VanillaMLPClassifier(dropout=0.2),
    VanillaMLPClassifier(hidden_layer_sizes=(20, 10), activation=["gelu", "leaky_relu"]),
    # The weighted split: scikit-learn's checks weigh a sample against its
    # repeats and fit 10 rows, which a split of rows (MLPClassifier's, the
    # default) cannot pass either; test_bit_for_bit.py checks that one.
    VanillaMLPClassifier(scoring="loss", early_stopping=True, weighted_validation_split=True),
    VanillaMLPRegressor(),
    VanillaMLPRegressor(solver="sgd"),
    VanillaMLPRegressor(solver="lbfgs"),
    # Not loss="poisson": check_regressor_multioutput fits make_regression's
    # negative targets whatever the positive_only tag says, and the Poisson loss
    # refuses them (tests/test_regressor.py tests it instead).
    VanillaMLPRegressor(dropout=0.2),
    VanillaMLPRegressor(hidden_layer_sizes=(20, 10), activation=["gelu", "tanh"]),
    VanillaMLPRegressor(scoring="loss", early_stopping=True, weighted_validation_split=True),
]

#: The configurations whose Array API checks on namespaces other than numpy run in the
#: default suite: each solver, dropout and early stopping of both heads (every activation is
#: tested on each namespace in tests/test_array_api.py).  Those of the others (the same code
#: paths with other parameters) are marked slow: each fits several networks of 200 epochs
#: per namespace and device.
ARRAY_API_DEFAULT = {0, 2, 5, 7, 9, 10, 13}


def _check_id(check):
    """``check_name`` or ``check_name(key=value,...)``, as scikit-learn names them."""
    if isinstance(check, functools.partial):
        keywords = ",".join(f"{k}={v}" for k, v in check.keywords.items())
        return f"{check.func.__name__}({keywords})" if keywords else check.func.__name__
    return check.__name__


def _cases():
    for index, configuration in enumerate(CONFIGURATIONS):
        for estimator, check in estimator_checks_generator(configuration, legacy=True,
                                                           mark="xfail"):
            name = _check_id(check)
            slow = (
                name.startswith("check_array_api")
                and "array_namespace=numpy" not in name
                and index not in ARRAY_API_DEFAULT
            )
            yield pytest.param(
                estimator, check, id=f"{estimator!r}-{name}",
                marks=[pytest.mark.slow] if slow else [],
            )


@pytest.mark.parametrize("estimator, check", list(_cases()))
def test_sklearn_compatible_estimator(estimator, check):
    # The checks fit on a few samples for the default max_iter, so fits stop
    # before they converge; scikit-learn's own test suite silences those warnings too.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("estimator", [VanillaMLPClassifier(), VanillaMLPRegressor()])
def test_param_validation(estimator):
    # The common checks do not run this one.
    check_param_validation(type(estimator).__name__, estimator)
