"""
skvanilla beside other classifiers
==================================

Five-fold cross-validated accuracy on the breast cancer data set (569
tumours, 30 measurements each, benign or malignant), for skvanilla, scikit-learn's
own :class:`~sklearn.neural_network.MLPClassifier` with the same parameters,
a logistic regression and a random forest.  Every model sees standardised
features through the same pipeline, and the same folds.

The two networks share their parameters and their ``random_state``; with the
same initial weights and the same batches, they train to the same model, so
their boxes coincide.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier

X, y = load_breast_cancer(return_X_y=True)
mlp_params = dict(hidden_layer_sizes=(32,), max_iter=100, random_state=0)
models = {
    "skvanilla": VanillaMLPClassifier(**mlp_params),
    "MLPClassifier": MLPClassifier(**mlp_params),
    "LogisticRegression": LogisticRegression(max_iter=500),
    "RandomForest": RandomForestClassifier(n_estimators=100, random_state=0),
}
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)

scores = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, model in models.items():
        pipe = make_pipeline(StandardScaler(), model)
        scores[name] = cross_val_score(pipe, X, y, cv=folds)
        print(f"{name:20s} {scores[name].mean():.3f} +/- {scores[name].std():.3f}")

fig, ax = plt.subplots(figsize=(7, 4))
ax.boxplot(list(scores.values()), tick_labels=list(scores), orientation="horizontal")
ax.set_xlabel("accuracy, 5-fold cross-validation")
ax.set_title("Breast cancer data set")
fig.tight_layout()
plt.show()
