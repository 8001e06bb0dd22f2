"""skvanilla: a from-scratch multi-layer perceptron as a scikit-learn classifier."""

from ._classifier import VanillaMLPClassifier
from ._gradcheck import check_gradients
from ._persistence import InconsistentVersionWarning

__version__ = "0.1.0"

__all__ = ["InconsistentVersionWarning", "VanillaMLPClassifier", "check_gradients", "__version__"]
