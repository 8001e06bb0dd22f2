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


def expected_failed_checks(estimator):
    """Checks that call partial_fit, which refuses early_stopping=True as MLPClassifier's does.

    The other configurations run them; the parts about fit are the same code.
    """
    if not estimator.early_stopping:
        return {}
    reason = "partial_fit raises ValueError with early_stopping=True, as in MLPClassifier"
    return {
        "check_fit_score_takes_y": reason,
        "check_n_features_in_after_fitting": reason,
        "check_estimators_partial_fit_n_features": reason,
    }


# Strict: each of them must fail, so a partial_fit that stops refusing shows.
@parametrize_with_checks(
    CONFIGURATIONS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_param_validation():
    # parametrize_with_checks does not run this one.
    check_param_validation("VanillaMLPClassifier", VanillaMLPClassifier())
