"""scikit-learn's common estimator checks, for several configurations."""

from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skvanilla import VanillaMLPClassifier

CONFIGURATIONS = [
    VanillaMLPClassifier(),
    VanillaMLPClassifier(solver="sgd"),
    VanillaMLPClassifier(solver="lbfgs"),
    VanillaMLPClassifier(loss="squared_error", out_activation="logistic"),
    VanillaMLPClassifier(class_weight="balanced"),
    VanillaMLPClassifier(dropout=0.2),
    VanillaMLPClassifier(hidden_layer_sizes=(20, 10), activation=["gelu", "leaky_relu"]),
    VanillaMLPClassifier(scoring="loss", early_stopping=True),
]


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_param_validation():
    # parametrize_with_checks does not run this one.
    check_param_validation("VanillaMLPClassifier", VanillaMLPClassifier())
