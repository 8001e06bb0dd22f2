"""
Decision boundaries of the hidden activations
=============================================

Two interleaved half-moons cannot be split by a straight line.  A network
with two hidden layers of 16 units learns a curved boundary, and the shape
of that boundary depends on the hidden activation: ``identity`` keeps the
network linear, whatever its depth; ``relu`` and ``leaky_relu`` draw
piecewise-straight boundaries; the others (``logistic``, ``tanh``, ``elu``,
``gelu``, ``softplus``, ``silu``) are smooth and draw smooth ones.

The colour is the predicted probability of the second class; the training
points are drawn on top.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay

from skvanilla import VanillaMLPClassifier

X, y = make_moons(n_samples=200, noise=0.25, random_state=0)
activations = [
    "identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "silu"
]

ncols = 3
nrows = int(np.ceil(len(activations) / ncols))
fig, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 3 * nrows), squeeze=False)
for ax, activation in zip(axes.ravel(), activations):
    clf = VanillaMLPClassifier(
        hidden_layer_sizes=(16, 16), activation=activation, solver="lbfgs",
        max_iter=200, alpha=0.1, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict_proba", cmap="RdBu", alpha=0.8, ax=ax,
        grid_resolution=100,
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolors="k", s=15)
    ax.set_title(f"{activation}: {clf.score(X, y):.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
for ax in axes.ravel()[len(activations):]:
    ax.set_visible(False)
fig.suptitle("Training accuracy by hidden activation")
fig.tight_layout()
plt.show()
