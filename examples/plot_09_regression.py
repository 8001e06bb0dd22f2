"""
Regression, and counts with the Poisson loss
============================================

:class:`~skvanilla.VanillaMLPRegressor` on the diabetes data, next to
scikit-learn's ``MLPRegressor`` with the same parameters: the same loss
curve, the same predictions.  Then counts: ``loss="poisson"`` gives
exponential outputs, whose predictions are rates that are never negative.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_poisson_deviance
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvanilla import VanillaMLPRegressor

warnings.simplefilter("ignore", ConvergenceWarning)  # short fits, on purpose

# %%
# Squared error, next to MLPRegressor
# -----------------------------------
#
# The features are standardised in a pipeline, and so are the targets, by
# ``TransformedTargetRegressor``: the network starts with outputs near 0, and
# the disease progression scores run from 25 to 346.  Both regressors get the
# same parameters and ``random_state``; they train the same weights, so their
# loss curves lie on each other and ``score``, the R² on held-out patients,
# is the same.

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

params = dict(
    hidden_layer_sizes=(16,), solver="sgd", learning_rate_init=0.01, alpha=10.0,
    max_iter=150, random_state=0,
)
models = {}
for name, cls in [("skvanilla", VanillaMLPRegressor), ("scikit-learn", MLPRegressor)]:
    models[name] = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), cls(**params)), transformer=StandardScaler()
    ).fit(X_train, y_train)
    print(f"{name:12s} R² on held-out data {models[name].score(X_test, y_test):.4f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for (name, model), style in zip(models.items(), ["-", "--"]):
    mlp = model.regressor_[-1]
    left.plot(mlp.loss_curve_, style, label=f"{name} ({type(mlp).__name__})")
left.set_xlabel("epoch")
left.set_ylabel("training loss (standardised targets)")
left.legend()

predicted = models["skvanilla"].predict(X_test)
right.scatter(y_test, predicted, s=12, alpha=0.7)
low, high = y.min(), y.max()
right.plot([low, high], [low, high], color="0.4", linewidth=0.8)
right.set_xlabel("true disease progression")
right.set_ylabel("predicted by VanillaMLPRegressor")
fig.tight_layout()
plt.show()

# %%
# Counts: the Poisson loss
# ------------------------
#
# Each sample is a count drawn from a Poisson distribution whose rate
# depends on one feature, from about 0.1 to 10.  With ``loss="poisson"``
# the output unit is :math:`e^z`: the predicted rate is positive everywhere,
# and the network fits the logarithm of the rate, a gentle curve here.
# Squared error has identity outputs, fits the rate itself and weighs the
# large, noisy counts most; where the rate is small it can go below zero (at
# the right-hand end here), predicting a negative number of events.  The
# Poisson deviance measures how well each predicts the counts (lower is
# better; it needs positive predictions, so the squared-error model's are
# clipped at a small rate for it).

rng = np.random.default_rng(0)
x = rng.uniform(-3, 3, size=(2000, 1))

def log_rate(x):
    return 2 * np.sin(1.5 * x[:, 0]) + 0.3 * x[:, 0]


counts = rng.poisson(np.exp(log_rate(x)))
x_train, x_test, counts_train, counts_test = train_test_split(x, counts, random_state=0)

grid = np.linspace(-3, 3, 300).reshape(-1, 1)
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(x_test[:, 0], counts_test, s=6, color="0.7", label="held-out counts")
ax.plot(grid[:, 0], np.exp(log_rate(grid)), color="k", linewidth=1, label="true rate")
for loss in ["poisson", "squared_error"]:
    reg = VanillaMLPRegressor(
        loss, hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=200, random_state=0
    ).fit(x_train, counts_train)
    clipped = np.maximum(reg.predict(x_test), 1e-3)
    deviance = mean_poisson_deviance(counts_test, clipped)
    print(f"loss={loss!r:16s} out_activation_={reg.out_activation_!r:11s} "
          f"least prediction {reg.predict(grid).min():7.3f}, Poisson deviance {deviance:.3f}")
    ax.plot(grid[:, 0], reg.predict(grid), label=f'loss="{loss}"')
ax.set_xlabel("feature")
ax.axhline(0, color="0.4", linewidth=0.8)
ax.set_ylabel("count")
ax.legend()
fig.tight_layout()
plt.show()
