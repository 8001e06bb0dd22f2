"""scikit-learn's common estimator checks, for several configurations."""

from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skvanilla import VanillaMLPClassifier

CONFIGURATIONS = [
    VanillaMLPClassifier(),
    VanillaMLPClassifier(solver="sgd"),
    VanillaMLPClassifier(solver="lbfgs"),
    VanillaMLPClassifier(loss="squared_error", out_activation="logistic"),
]


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_param_validation():
    # parametrize_with_checks does not run this one.
    check_param_validation("VanillaMLPClassifier", VanillaMLPClassifier())
