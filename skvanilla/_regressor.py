"""The regressor: continuous targets, identity or exponential outputs, R².

This module's one job is :class:`VanillaMLPRegressor`, the head of
:class:`~skvanilla._base.BaseVanillaMLP` that is about real-valued
targets: it checks them (finite; non-negative for the Poisson loss),
chooses the output units from the loss, predicts values, scores by R² and
converts to and from scikit-learn's ``MLPRegressor``.
"""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions

from . import _sklearn_bridge
from ._activations import OUTPUT_ACTIVATIONS
from ._base import BaseVanillaMLP, check_finite_rows
from ._docs import fill_docstring
from ._sklearn_twin import SklearnTwinMixin
from ._xp import NUMPY

#: The output units of each loss: each loss's canonical link, as MLPRegressor.
_OUTPUT_OF_LOSS = {"squared_error": "identity", "poisson": "exp"}


@fill_docstring
class VanillaMLPRegressor(RegressorMixin, SklearnTwinMixin, BaseVanillaMLP):
    """A multi-layer perceptron regressor, backpropagation written from scratch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    the parameters from ``loss`` to ``max_fun`` have the same names, order,
    defaults and meaning, and the same ``random_state`` trains the same weights.  The
    network, its training and what it offers beyond scikit-learn are those of
    :class:`VanillaMLPClassifier`; only the targets differ.

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        Per-sample loss, with the output units it pairs with.
        ``"squared_error"``: identity outputs and
        :math:`\\frac12\\sum_k (p_k - y_k)^2`, summed over the outputs.
        ``"poisson"``: exponential outputs :math:`p = e^z` (always positive)
        and half the Poisson deviance,
        :math:`\\sum_k y_k \\log(y_k / p_k) - y_k + p_k`; ``y`` must then be
        non-negative (counts, rates).
    {shared_parameters}
    {dropout_and_scoring}

    Attributes
    ----------
    {shared_attributes}

    See Also
    --------
    sklearn.neural_network.MLPRegressor : the estimator this one replaces.
    VanillaMLPClassifier : the same network for class labels.

    Notes
    -----
    ``scoring=None`` is R², as in MLPRegressor's early stopping.

    With several outputs and ``loss="squared_error"``, ``loss_`` and
    ``loss_curve_`` are the objective that training descends, summed over
    the outputs, where MLPRegressor reports its mean over the outputs (and
    descends the sum): see the migration guide.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skvanilla import VanillaMLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = make_pipeline(
    ...     StandardScaler(),
    ...     VanillaMLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", alpha=1.0,
    ...                         max_iter=1000, random_state=0),
    ... ).fit(X, y / 100)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> bool(reg.score(X, y / 100) > 0.5)
    True
    """

    _parameter_constraints: dict = {
        **BaseVanillaMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    _y_numeric = True

    # scikit-learn reads the parameters from this signature, which may not hide them
    # behind **kwargs: so each head spells out its own, in MLPRegressor's order.
    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        scoring=None,
        weighted_validation_split=False,
    ):
        self._set_init_params(locals())

    # ------------------------------------------------------------------
    # Targets
    # ------------------------------------------------------------------

    def _set_targets(self, y, classes):
        """One output unit per column of ``y``; the loss's output activation."""
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        self.out_activation_ = _OUTPUT_OF_LOSS[self.loss]

    def _encode(self, y, dtype, name="y"):
        """``y`` as a column per output, in the network's dtype, after checking it."""
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold numbers for a regressor; got dtype {y.dtype}.")
        # y has one or two dimensions here: fit's y passed scikit-learn's
        # check, and y_val its own (_inputs.validation_data).
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"{name} has {n_outputs} output(s) but this model was fitted with "
                f"{self.n_outputs_}; pass y of shape (n_samples,"
                f"{')' if self.n_outputs_ == 1 else f' {self.n_outputs_})'}."
            )
        with np.errstate(over="ignore"):  # a value beyond float32 becomes inf: refused below
            Y = y.reshape(len(y), -1).astype(dtype)
        if not np.isfinite(Y).all():
            raise ValueError(
                f"{name} contains NaN or infinity, or values too large for {np.dtype(dtype)}."
            )
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                f"loss='poisson' needs non-negative {name} (counts, rates); {name} has "
                f"{int((Y < 0).sum())} negative value(s), the least {Y.min()}. Use "
                "loss='squared_error' for targets that can be negative."
            )
        return Y

    def _check_warm_start_targets(self, y):
        """Any real targets continue a regression (their shape is checked in :meth:`_encode`)."""

    def _target_sample_weight(self, y, sample_weight, dtype):
        return sample_weight

    def _split_groups(self, y):
        """Early stopping holds out a share of all rows: targets have no classes."""
        return None

    def _default_score(self, Z, y, sample_weight):
        """R², as MLPRegressor's early stopping."""
        return r2_score(y, self._values(Z, NUMPY), sample_weight=sample_weight)

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _values(self, Z, xp):
        """Predicted values from the output pre-activation: 1-D for one output."""
        with xp.errstate(over="ignore"):  # reported below, with the rows it concerns
            P = OUTPUT_ACTIVATIONS[self.out_activation_].f(Z, out=Z, xp=xp)
        # Z itself is finite (see _output_z); exp(z) may still overflow.
        check_finite_rows(P, "the predictions exp(z)", xp)
        return P[:, 0] if self.n_outputs_ == 1 else P

    def predict(self, X):
        """Predict target values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D for a model fitted on one output, as MLPRegressor.
        """
        return self._values(self._output_z(X, "predict"), self._namespace())

    def score(self, X, y, sample_weight=None):
        """R² of :meth:`predict` on ``X`` against ``y`` (``RegressorMixin``'s score).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            With several outputs, the mean of their R² (uniform average).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            1 for perfect predictions; 0 for predicting the mean of ``y``.
        """
        return self._score(r2_score, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    # Conversion to and from scikit-learn's MLPRegressor: from_sklearn, to_sklearn.
    _bridge_from_sklearn = staticmethod(_sklearn_bridge.regressor_from_sklearn)
    _bridge_to_sklearn = staticmethod(_sklearn_bridge.regressor_to_sklearn)
