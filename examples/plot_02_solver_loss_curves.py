"""
Loss curves of the solvers
==========================

The same network, started from the same weights, trained on the same data
by each optimizer.  ``loss_curve_`` holds the training objective (mean loss
plus the L2 penalty) after every epoch of the stochastic solvers, and after
every iteration of L-BFGS, which looks at the whole data set at each step.

An epoch of SGD or Adam is many small steps, one per mini-batch; an L-BFGS
iteration is one step, with a line search that may evaluate the objective a
few times. The horizontal axes therefore count different things, and the
figure compares the shapes of the curves, not the cost of a point.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1]

solvers = {
    "sgd, constant rate": dict(solver="sgd", learning_rate_init=0.1, momentum=0.0),
    "sgd, momentum 0.9": dict(solver="sgd", learning_rate_init=0.1, nesterovs_momentum=False),
    "sgd, Nesterov 0.9": dict(solver="sgd", learning_rate_init=0.1),
    "sgd, invscaling": dict(solver="sgd", learning_rate_init=0.5, learning_rate="invscaling",
                            power_t=0.25),
    "adam": dict(solver="adam", learning_rate_init=0.01),
    "lbfgs": dict(solver="lbfgs"),
}

fig, ax = plt.subplots(figsize=(7, 4.5))
for label, params in solvers.items():
    clf = VanillaMLPClassifier(
        hidden_layer_sizes=(32,), max_iter=40, tol=0.0, n_iter_no_change=40,
        random_state=0, **params,
    )
    with warnings.catch_warnings():
        # 40 epochs is this figure's budget, not a failure.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    ax.plot(range(1, len(clf.loss_curve_) + 1), clf.loss_curve_, label=label)
    print(f"{label:20s} {clf.n_iter_:3d} steps, final objective {clf.loss_:.4f}, "
          f"training accuracy {clf.score(X, y):.3f}")

ax.set_yscale("log")
ax.set_xlabel("epoch (L-BFGS: iteration)")
ax.set_ylabel("training objective")
ax.set_title("Digits, 64-32-10 network, same initial weights")
ax.legend()
fig.tight_layout()
plt.show()
