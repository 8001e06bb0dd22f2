"""Model selection for skvanilla's MLPs: scikit-learn's searches and cross-validation.

A drop-in replacement for the same names in :mod:`sklearn.model_selection`:
the same signatures, attributes and results (``cv_results_``, scores on every
split, the best candidate), so that changing the import is the whole
migration.  What differs is how the fits are made: every candidate on every
split whose estimator is a :class:`~skvanilla.VanillaMLPClassifier` or a
:class:`~skvanilla.VanillaMLPRegressor` -- alone, or the last step of a
:class:`~sklearn.pipeline.Pipeline` -- is handed to one call that may train the
networks together; a pipeline's earlier steps are fitted once per split (and
per setting of their parameters), and transform the split's rows once for all
the candidates and scorers that score on them.  Any other estimator runs on
scikit-learn's own code.
"""

from ._cross_validation import cross_val_score, cross_validate
from ._search import GridSearchCV, RandomizedSearchCV

__all__ = ["GridSearchCV", "RandomizedSearchCV", "cross_val_score", "cross_validate"]
