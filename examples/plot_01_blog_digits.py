"""
The blog post's digits experiment
=================================

The network of "Programming a neural network from scratch" (Ritchie Vink,
2017), the blog post this project grew from: 64 pixel inputs, one
hidden layer of 15 ReLU units, and 10 sigmoid outputs, one per digit,
trained by plain SGD on batches of 15 for 100 epochs.

The post trained it with squared error and an output delta that was not the
derivative of that loss (see :doc:`/slips`).  With exact gradients, the loss
that trains this network on raw pixels is the log-loss of the same sigmoid
outputs, ``loss="log_loss", out_activation="logistic"``.  The post's
learning rate was applied to gradients summed over a batch; skvanilla
averages them, so its rate is multiplied by the batch size.

Unlike the post, a quarter of the digits is held out: the accuracy on
digits the network never saw is the figure that matters.
"""

import time
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import train_test_split

from skvanilla import VanillaMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

clf = VanillaMLPClassifier(
    hidden_layer_sizes=(15,),
    activation="relu",
    out_activation="logistic",  # one sigmoid per digit, as in the post
    loss="log_loss",
    solver="sgd",
    momentum=0.0,
    learning_rate_init=0.003,
    batch_size=15,
    max_iter=100,
    n_iter_no_change=100,  # run all 100 epochs, as the post did
    alpha=0.0,
    random_state=0,
)
start = time.perf_counter()
with warnings.catch_warnings():
    # The post trains for exactly 100 epochs: reaching max_iter is the plan
    # here, so the ConvergenceWarning that says so is not shown.
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X_train, y_train)
print(f"fit time: {time.perf_counter() - start:.2f} s")
print(f"training accuracy: {clf.score(X_train, y_train):.3f}")
print(f"held-out accuracy: {clf.score(X_test, y_test):.3f}")
print(classification_report(y_test, clf.predict(X_test), digits=3))

# %%
# Which digits does it confuse?  The rows are the true digits, the columns
# the predicted ones; everything off the diagonal is a mistake.

fig, ax = plt.subplots(figsize=(6, 5.5))
ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, ax=ax, colorbar=False)
ax.set_title("Held-out digits, 64-15-10 network")
fig.tight_layout()
plt.show()
