"""
Checking backpropagation
========================

:func:`skvanilla.check_gradients` evaluates the training objective of an
estimator's configuration, compares the gradient that backpropagation gives
with central finite differences of the objective, and returns the worst
relative error over the weight matrices and bias vectors.  It runs at the
weights ``fit`` would start from, or at the current weights of a fitted
model.

Below, every combination of hidden activation, loss and output units is
checked on a small problem: all of them agree with the differences to about
nine digits or better, while a wrong formula gives errors of a percent or
more (:doc:`/slips` shows two such formulas failing).
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_iris

from skvanilla import VanillaMLPClassifier, check_gradients

X, y = load_iris(return_X_y=True)
X, y = X[::10], y[::10]  # 15 samples: finite differences cost one fit per weight

activations = ["identity", "logistic", "tanh", "relu"]
setups = list(itertools.product(["log_loss", "squared_error"], ["softmax", "logistic"]))

errors = np.empty((len(activations), len(setups)))
for (i, activation), (j, (loss, out)) in itertools.product(
    enumerate(activations), enumerate(setups)
):
    clf = VanillaMLPClassifier(
        hidden_layer_sizes=(5, 4), activation=activation, loss=loss, out_activation=out,
        alpha=0.1, random_state=1,
    )
    errors[i, j] = check_gradients(clf, X, y)
print(f"worst relative error over {errors.size} configurations: {errors.max():.1e}")

# An error of exactly zero has no place on a log scale: draw it at 1e-16.
shown = np.maximum(errors, 1e-16)
fig, ax = plt.subplots(figsize=(7, 4))
width = 0.2
for j, (loss, out) in enumerate(setups):
    ax.bar(np.arange(len(activations)) + (j - 1.5) * width, shown[:, j], width,
           label=f"{loss}, {out}")
ax.axhline(1e-6, color="k", linestyle="--", linewidth=1)
ax.text(len(activations) - 0.5, 1.4e-6, "tolerance of the tests", ha="right")
ax.set_yscale("log")
ax.set_ylim(1e-17, 1e-4)
ax.set_xticks(range(len(activations)), activations)
ax.set_ylabel("worst relative error")
ax.set_title("Backpropagation against finite differences")
ax.legend(fontsize="small", loc="upper left")
fig.tight_layout()
plt.show()

# %%
# The size of the finite-difference step
# --------------------------------------
#
# A difference quotient has two errors: truncation, which shrinks with the
# step, and rounding in the objective, which grows as the step shrinks.  The
# check uses a five-point stencil, whose truncation error falls with the
# fourth power of the step, and takes the differences in extended precision;
# its default step of ``1e-4`` sits near the bottom of the curve below.

steps = np.logspace(-7, -1, 13)
clf = VanillaMLPClassifier(hidden_layer_sizes=(5,), activation="tanh", alpha=0.1,
                           random_state=0)
curve = [check_gradients(clf, X, y, eps=eps) for eps in steps]

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.loglog(steps, curve, "o-")
ax.axvline(1e-4, color="k", linestyle=":", linewidth=1)
ax.set_xlabel("finite-difference step eps")
ax.set_ylabel("worst relative error")
ax.set_title("tanh network, log-loss, softmax outputs")
fig.tight_layout()
plt.show()
