"""
What MLPClassifier does not offer
=================================

Three of skvanilla's own features at work: class weights for a rare class,
a validation set of one's own with its loss curve (and what dropout does to
it), and the hidden representation of new data.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split

from skvanilla import VanillaMLPClassifier

warnings.simplefilter("ignore", ConvergenceWarning)  # short fits, on purpose

# %%
# Class weights for a rare class
# ------------------------------
#
# One sample in twenty belongs to the second class.  Trained as it is, the
# network misses many of them; ``class_weight="balanced"`` gives each class
# the same total weight, and recall on the rare class rises, at a small cost
# on the common one.

X, y = make_classification(
    n_samples=3000, n_features=10, n_informative=4, weights=[0.95, 0.05],
    class_sep=0.6, random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

recalls = {}
for class_weight in [None, "balanced"]:
    clf = VanillaMLPClassifier(
        hidden_layer_sizes=(16,), class_weight=class_weight, max_iter=100, random_state=0
    ).fit(X_train, y_train)
    predicted = clf.predict(X_test)
    common, rare = (recall_score(y_test, predicted, pos_label=c) for c in (0, 1))
    recalls[str(class_weight)] = [common, rare]
    print(f"class_weight={class_weight!s:9s} recall of the common class {common:.3f}, "
          f"of the rare class {rare:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
width = 0.35
for k, (name, values) in enumerate(recalls.items()):
    ax.bar(np.arange(2) + (k - 0.5) * width, values, width, label=f"class_weight={name}")
ax.set_xticks(range(2), ["common class (95 %)", "rare class (5 %)"])
ax.set_ylabel("recall on held-out data")
ax.set_ylim(0, 1.05)
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
# A validation set of one's own, and dropout
# ------------------------------------------
#
# Given ``X_val`` and ``y_val``, ``fit`` records the loss on them after every
# epoch in ``validation_loss_curve_``.  A wide network on a few hundred digits
# soon fits its training data better than it predicts new digits: the
# validation loss levels off while the training loss goes on falling.  Dropout
# makes each step train a thinned network; the two curves stay closer, and
# the validation loss ends lower.

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X / 16, y, train_size=500, stratify=y, random_state=0
)

fig, ax = plt.subplots(figsize=(7, 4))
for dropout, colour in [(0.0, "tab:blue"), (0.5, "tab:orange")]:
    clf = VanillaMLPClassifier(
        hidden_layer_sizes=(256,), dropout=dropout, learning_rate_init=0.01, alpha=0.0,
        max_iter=60, tol=0.0, n_iter_no_change=60, random_state=0,
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    epochs = np.arange(1, clf.n_iter_ + 1)
    ax.plot(epochs, clf.loss_curve_, color=colour, linestyle="--",
            label=f"dropout={dropout}, training")
    ax.plot(epochs, clf.validation_loss_curve_, color=colour,
            label=f"dropout={dropout}, validation")
    print(f"dropout={dropout}: best validation loss {min(clf.validation_loss_curve_):.3f} "
          f"at epoch {int(np.argmin(clf.validation_loss_curve_)) + 1}, "
          f"validation accuracy at the end {clf.validation_scores_[-1]:.3f}")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("log-loss")
ax.set_title("500 training digits, 64-256-10 network")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The hidden representation
# -------------------------
#
# ``hidden_activations(X, layer)`` returns what a hidden layer computes for
# new data.  With a last hidden layer of two units, that is a picture: each
# held-out digit lands at a point, and the network has learned to place the
# digits of one class together, since the output layer can only draw
# straight boundaries between those points.

clf = VanillaMLPClassifier(
    hidden_layer_sizes=(32, 2), activation=["relu", "identity"], learning_rate_init=0.01,
    max_iter=150, alpha=1e-2, random_state=0,
).fit(X_train, y_train)
H = clf.hidden_activations(X_val, layer=-1)
print(f"hidden representation of {H.shape[0]} digits: shape {H.shape}, "
      f"held-out accuracy {clf.score(X_val, y_val):.3f}")

fig, ax = plt.subplots(figsize=(6, 5))
points = ax.scatter(H[:, 0], H[:, 1], c=y_val, cmap="tab10", s=8)
for digit in range(10):
    centre = np.median(H[y_val == digit], axis=0)
    ax.text(*centre, str(digit), fontsize=14, weight="bold", ha="center", va="center")
ax.set_xlabel("hidden unit 1")
ax.set_ylabel("hidden unit 2")
ax.set_title("Last hidden layer, held-out digits")
fig.tight_layout()
plt.show()
