"""
Searching layer sizes and learning rates
========================================

``VanillaMLPClassifier`` is an ordinary scikit-learn estimator, so it goes
into a :class:`~sklearn.pipeline.Pipeline` after a scaler, and
:class:`~sklearn.model_selection.GridSearchCV` searches its parameters
through the pipeline's ``step__parameter`` names.  The grid below crosses
the width of the hidden layer with Adam's learning rate; the heatmap shows
the mean accuracy over three folds of the training digits.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(StandardScaler(), VanillaMLPClassifier(max_iter=30, random_state=0))
sizes = [(8,), (32,), (64,)]
rates = [1e-3, 1e-2, 1e-1]
grid = GridSearchCV(
    pipe,
    {
        "vanillamlpclassifier__hidden_layer_sizes": sizes,
        "vanillamlpclassifier__learning_rate_init": rates,
    },
    cv=3,
)
with warnings.catch_warnings():
    # 30 epochs per fit keeps the search short; some fits would go on longer.
    warnings.simplefilter("ignore", ConvergenceWarning)
    grid.fit(X_train, y_train)

print("best parameters:", grid.best_params_)
print(f"best mean cross-validated accuracy: {grid.best_score_:.3f}")
print(f"held-out accuracy of the refitted best pipeline: {grid.score(X_test, y_test):.3f}")

# %%
# ``cv_results_`` lists the candidates in the order of the grid, sizes
# outermost, so the mean scores reshape into a sizes x rates table.

scores = grid.cv_results_["mean_test_score"].reshape(len(sizes), len(rates))

fig, ax = plt.subplots(figsize=(6, 3.8))
image = ax.imshow(scores, cmap="viridis", vmin=scores.min(), vmax=1.0)
for (i, j), score in np.ndenumerate(scores):
    ax.text(j, i, f"{score:.3f}", ha="center", va="center",
            color="white" if score < scores.mean() else "black")
ax.set_xticks(range(len(rates)), [f"{r:g}" for r in rates])
ax.set_yticks(range(len(sizes)), [str(s[0]) for s in sizes])
ax.set_xlabel("learning_rate_init")
ax.set_ylabel("hidden units")
ax.set_title("Mean accuracy, 3-fold cross-validation")
fig.colorbar(image, ax=ax)
fig.tight_layout()
plt.show()
