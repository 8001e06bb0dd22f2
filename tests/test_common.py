"""scikit-learn's common estimator checks, for several configurations."""

import pytest
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor

CONFIGURATIONS = [
    VanillaMLPClassifier(),
    VanillaMLPClassifier(solver="sgd"),
    VanillaMLPClassifier(solver="lbfgs"),
    VanillaMLPClassifier(loss="squared_error", out_activation="logistic"),
    VanillaMLPClassifier(class_weight="balanced"),
    VanillaMLPClassifier(dropout=0.2),
    VanillaMLPClassifier(hidden_layer_sizes=(20, 10), activation=["gelu", "leaky_relu"]),
    VanillaMLPClassifier(scoring="loss", early_stopping=True),
    VanillaMLPRegressor(),
    VanillaMLPRegressor(solver="sgd"),
    VanillaMLPRegressor(solver="lbfgs"),
    # Not loss="poisson": check_regressor_multioutput fits make_regression's
    # negative targets whatever the positive_only tag says, and the Poisson loss
    # refuses them (tests/test_regressor.py tests it instead).
    VanillaMLPRegressor(dropout=0.2),
    VanillaMLPRegressor(hidden_layer_sizes=(20, 10), activation=["gelu", "tanh"]),
    VanillaMLPRegressor(scoring="loss", early_stopping=True),
]


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", [VanillaMLPClassifier(), VanillaMLPRegressor()])
def test_param_validation(estimator):
    # parametrize_with_checks does not run this one.
    check_param_validation(type(estimator).__name__, estimator)
