"""
Why the blog's network learned anyway
=====================================

The blog post trained its digits network with squared error on sigmoid
outputs, but its output delta multiplied the error by the sigmoid's
derivative taken at the output ``a`` instead of at the pre-activation ``z``
(see :doc:`/slips`).  Its table of near-perfect training accuracy came from
that slip.  This example repeats the experiment with correct gradients,
through the public API only:

1. exact squared error on the raw pixels (0 to 16), the loss the post meant;
2. exact log-loss with the same sigmoid outputs, the loss whose gradient the
   slip happened to resemble;
3. exact squared error on pixels scaled to [0, 1].

Everything else is the post's setup: 64-15-10, ReLU, plain SGD on batches of
15 for 100 epochs, trained and scored on all 1797 digits.  The post's rate of
``1e-3`` applied to a summed gradient is ``0.015`` for skvanilla's mean
gradient.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skvanilla import VanillaMLPClassifier

X, y = load_digits(return_X_y=True)
blog_setup = dict(
    hidden_layer_sizes=(15,), activation="relu", out_activation="logistic",
    solver="sgd", momentum=0.0, batch_size=15, max_iter=100, alpha=0.0,
    tol=0.0, n_iter_no_change=100,  # all 100 epochs, as in the post
)
runs = {
    "squared error, raw pixels, rate 0.015": (dict(loss="squared_error",
                                                   learning_rate_init=0.015), X),
    "log-loss, raw pixels, rate 0.003": (dict(loss="log_loss", learning_rate_init=0.003), X),
    "squared error, pixels / 16, rate 0.45": (dict(loss="squared_error",
                                                   learning_rate_init=0.45), X / 16),
}

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
names, accuracies = [], []
for name, (params, inputs) in runs.items():
    clf = VanillaMLPClassifier(**blog_setup, **params, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(inputs, y)
    accuracy = clf.score(inputs, y)
    print(f"{name:40s} training accuracy {accuracy:.3f}")
    names.append(name.replace(", rate", "\nrate"))
    accuracies.append(accuracy)
    # Each curve relative to its first epoch, since the two losses differ in scale.
    curve = [loss / clf.loss_curve_[0] for loss in clf.loss_curve_]
    left.plot(range(1, len(curve) + 1), curve, label=name)

left.set_yscale("log")
left.set_xlabel("epoch")
left.set_ylabel("training objective / first epoch's")
left.legend(fontsize="small")
right.barh(names, accuracies, color=["tab:blue", "tab:orange", "tab:green"])
right.set_xlim(0, 1)
right.invert_yaxis()
for i, accuracy in enumerate(accuracies):
    right.text(accuracy - 0.02, i, f"{accuracy:.3f}", ha="right", va="center", color="white")
right.set_xlabel("training accuracy after 100 epochs")
fig.tight_layout()
plt.show()

# %%
# On raw pixels, many pre-activations of the output layer are large, the
# sigmoids sit near 0 or 1, and the exact squared-error delta
# :math:`(a - y)\,\sigma'(z)` all but vanishes there: training stalls.  The
# log-loss delta is :math:`a - y` with no such factor, which is the slip's
# delta up to scale, so it trains as the post's code did.  Scaling the inputs
# keeps the outputs out of saturation, and the exact squared error learns too.
