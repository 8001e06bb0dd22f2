"""skvanilla: a from-scratch multi-layer perceptron as a scikit-learn classifier and regressor."""

from ._classifier import VanillaMLPClassifier
from ._gradcheck import check_gradients
from ._persistence import InconsistentVersionWarning
from ._regressor import VanillaMLPRegressor

__version__ = "0.1.0"

__all__ = [
    "InconsistentVersionWarning",
    "VanillaMLPClassifier",
    "VanillaMLPRegressor",
    "check_gradients",
    "__version__",
]
