"""
Searching layer sizes and learning rates
========================================

``VanillaMLPClassifier`` is an ordinary scikit-learn estimator, so it goes
into a :class:`~sklearn.pipeline.Pipeline` after a scaler, and a grid search
tunes its parameters through the pipeline's ``step__parameter`` names.  The
grid below crosses the width of the hidden layer with Adam's learning rate;
the heatmap shows the mean accuracy over three folds of the training digits.

The search is :class:`skvanilla.model_selection.GridSearchCV`: scikit-learn's
class with the same arguments and results, which trains the networks of one
shape (here, one per hidden width) side by side, as one stack, instead of one
after the other.  The example runs scikit-learn's own
:class:`~sklearn.model_selection.GridSearchCV` on the same pipeline and grid
as well, times both and checks that their scores are equal.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn import model_selection as sklearn_model_selection
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPClassifier
from skvanilla.model_selection import GridSearchCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# Batches of 32 and 20 epochs per fit keep the search short.
pipe = make_pipeline(
    StandardScaler(), VanillaMLPClassifier(batch_size=32, max_iter=20, random_state=0)
)
sizes = [(8,), (32,), (64,)]
rates = [1e-3, 1e-2, 1e-1]
grid = {
    "vanillamlpclassifier__hidden_layer_sizes": sizes,
    "vanillamlpclassifier__learning_rate_init": rates,
}


def timed_search(search_class):
    """Fit ``search_class`` on the pipeline and grid; return it and its seconds."""
    search = search_class(pipe, grid, cv=3)
    with warnings.catch_warnings():
        # 20 epochs per fit keep the search short; some fits would go on longer.
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        search.fit(X_train, y_train)
    return search, time.perf_counter() - start


search, seconds = timed_search(GridSearchCV)
reference, reference_seconds = timed_search(sklearn_model_selection.GridSearchCV)

print(f"skvanilla.model_selection.GridSearchCV: {seconds:.2f} s")
print(f"sklearn.model_selection.GridSearchCV:   {reference_seconds:.2f} s")
same = np.array_equal(
    search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
)
print("equal mean_test_score:", same)
assert same and search.best_params_ == reference.best_params_

print("best parameters:", search.best_params_)
print(f"best mean cross-validated accuracy: {search.best_score_:.3f}")
print(f"held-out accuracy of the refitted best pipeline: {search.score(X_test, y_test):.3f}")

# %%
# The two times come from one run on the machine that built this page, whose
# cores may be busy with other work: they show the order of the difference,
# not a measurement (:doc:`/model_selection` has the benchmark).  Both searches
# fit the same 27 networks (9 candidates x 3 folds) with the same seeds, and
# every fit ends with the same weights, so every score agrees.
#
# ``cv_results_`` lists the candidates in the order of the grid, sizes
# outermost, so the mean scores reshape into a sizes x rates table.

scores = search.cv_results_["mean_test_score"].reshape(len(sizes), len(rates))

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
