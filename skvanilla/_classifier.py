"""The scikit-learn estimator around the numpy network."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from . import _labels
from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._losses import make_loss
from ._network import Network, forward, init_params, loss_and_gradients
from ._optimizers import SGD, Adam, minimize_lbfgs

_TARGET_KINDS = {
    "binary": "binary",
    "multiclass": "multiclass",
    "multilabel-indicator": "multilabel",
}


def _is_stochastic(estimator):
    if estimator.solver == "lbfgs":
        raise AttributeError("partial_fit is only available for stochastic solvers ('sgd', 'adam')")
    return True


class VanillaMLPClassifier(ClassifierMixin, BaseEstimator):
    """A multi-layer perceptron classifier, backpropagation written from scratch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    the parameters up to ``max_fun`` have the same names, order, defaults and
    meaning.  The forward pass, backpropagation and the optimizers are plain
    numpy functions in this package, tested against finite differences.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units in each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.
    solver : {"lbfgs", "sgd", "adam"}, default="adam"
        Optimizer of the weights.
    alpha : float, default=0.0001
        Strength of the L2 penalty, :math:`\\frac{\\alpha}{2n}\\sum\\lVert W\\rVert^2`.
    batch_size : int or "auto", default="auto"
        Mini-batch size of the stochastic solvers; ``"auto"`` is
        ``min(200, n_samples)``.  Every sample is used every epoch; the last
        batch may be smaller.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule of ``solver="sgd"``.
    learning_rate_init : float, default=0.001
        Initial step size of ``sgd`` and ``adam``.
    power_t : float, default=0.5
        Exponent of the ``invscaling`` schedule.
    max_iter : int, default=200
        Epochs of the stochastic solvers; iterations of ``lbfgs``.
    shuffle : bool, default=True
        Shuffle the samples every epoch (stochastic solvers).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
    tol : float, default=1e-4
        Improvement of the loss (or validation score) that counts as progress.
    verbose : bool, default=False
        Print the loss after each epoch.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution.
    momentum : float, default=0.9
        Momentum of ``sgd``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``sgd``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified by class) and
        stop when its accuracy stops improving; the best weights are kept.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates.
    epsilon : float, default=1e-8
        Adam's guard against division by zero.
    n_iter_no_change : int, default=10
        Epochs without ``tol`` improvement before stopping.
    max_fun : int, default=15000
        Budget of loss evaluations of ``lbfgs``.
    loss : {"log_loss", "squared_error"}, default="log_loss"
        Per-sample loss.  ``"squared_error"`` is the seed post's
        :math:`\\frac12\\sum_k (p_k - y_k)^2`.
    out_activation : {"auto", "softmax", "logistic"}, default="auto"
        Output units.  ``"auto"``: softmax for multiclass targets, one logistic
        unit for binary ones, one per label for multilabel ones.
        ``"logistic"`` with multiclass targets is the seed's output layer,
        one sigmoid per class; its probabilities are normalised to sum to one.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coefs_ : list of ndarray
        ``coefs_[i]`` is the weight matrix from layer ``i`` to layer ``i + 1``.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` is the bias vector of layer ``i + 1``.
    loss_ : float
        The objective (loss plus penalty) after the last epoch or iteration.
    best_loss_ : float or None
        Lowest training loss seen; ``None`` with early stopping.
    loss_curve_ : list of float
        The objective after each epoch (after each ``lbfgs`` iteration).
    validation_scores_ : list of float or None
        Validation accuracy after each epoch, with early stopping.
    best_validation_score_ : float or None
        Best validation accuracy, with early stopping.
    n_iter_ : int
        Epochs (or ``lbfgs`` iterations) run.
    t_ : int
        Training samples seen by the stochastic solvers.
    n_layers_ : int
        Layers, input and output included.
    n_outputs_ : int
        Output units.
    out_activation_ : str
        The output activation in use.
    n_features_in_ : int
        Features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : the estimator this one replaces.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skvanilla import VanillaMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = VanillaMLPClassifier(hidden_layer_sizes=(10,), solver="lbfgs",
    ...                            max_iter=500, random_state=0).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.predict_proba(X[:1]).sum().round(6)
    np.float64(1.0)
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "out_activation": [StrOptions({"auto", "softmax", "logistic"})],
    }

    def __init__(
        self,
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
        loss="log_loss",
        out_activation="auto",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.loss = loss
        self.out_activation = out_activation

    # ------------------------------------------------------------------
    # Fitting
    # ------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data trains in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is their weighted mean.

        Returns
        -------
        self : VanillaMLPClassifier
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``X``, continuing from the current weights.

        Only with ``solver="sgd"`` or ``"adam"``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever be seen; required on the first call
            (except for multilabel targets), ignored afterwards.

        Returns
        -------
        self : VanillaMLPClassifier
        """
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        if classes is None and not hasattr(self, "classes_"):
            if type_of_target(y) != "multilabel-indicator":
                raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        X, Y, y, sample_weight = self._prepare_fit(X, y, sample_weight, incremental, classes)
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, Y, sample_weight)
        else:
            self._fit_stochastic(X, Y, y, sample_weight, incremental)
        return self

    def _prepare_fit(self, X, y, sample_weight, incremental, classes=None):
        """Validate the data, encode the labels and, on a first fit, draw the weights."""
        hidden = self._hidden_layer_sizes()
        first_pass = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        X, y, sample_weight = self._validate_training_data(X, y, sample_weight, first_pass)
        if first_pass:
            self._set_classes(y, classes if incremental else None)
        Y = self._encode(y, X.dtype)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X.shape[1], hidden, X.dtype)
        return X, Y, y, sample_weight

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {sizes}.")
        return sizes

    def _validate_training_data(self, X, y, sample_weight, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        return X, y, sample_weight

    def _set_classes(self, y, classes):
        target = type_of_target(y, input_name="y")
        if target not in _TARGET_KINDS:
            raise ValueError(
                f"Unknown label type: y is {target!r}; expected binary or multiclass "
                "labels, or a multilabel indicator matrix."
            )
        kind = _TARGET_KINDS[target]
        if kind == "multilabel":
            self.classes_ = np.arange(y.shape[1])
        else:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
            if len(self.classes_) < 2:
                raise ValueError(
                    f"y has 1 class ({self.classes_[0]!r}); a classifier needs at least 2."
                )
            kind = "binary" if len(self.classes_) == 2 else "multiclass"
        self._target_kind = kind
        out = self.out_activation
        if out == "auto":
            out = "softmax" if kind == "multiclass" else "logistic"
        if out == "softmax" and kind == "multilabel":
            raise ValueError(
                "out_activation='softmax' makes the outputs sum to one, which a multilabel "
                "target does not; use 'logistic' or 'auto'."
            )
        self.out_activation_ = out
        self.n_outputs_ = _labels.n_output_units(kind, len(self.classes_), out)

    def _encode(self, y, dtype):
        """One-hot targets, after checking the labels against ``classes_``."""
        if self._target_kind == "multilabel":
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y must be a multilabel indicator matrix with {len(self.classes_)} "
                    "columns, as in the first fit."
                )
        else:
            if y.ndim != 1:
                raise ValueError("y must be 1-D for a model fitted on class labels.")
            unseen = np.setdiff1d(y, self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y contains classes not seen in the first fit: {unseen.tolist()}; "
                    f"known classes are {self.classes_.tolist()}."
                )
        return _labels.one_hot(y, self.classes_, self._target_kind, self.n_outputs_, dtype)

    def _initialize(self, n_features, hidden, dtype):
        layer_units = [n_features, *hidden, self.n_outputs_]
        self.n_layers_ = len(layer_units)
        # Glorot's gain: 2 for logistic units, 6 otherwise.
        factor = 2.0 if self.activation == "logistic" else 6.0
        self.coefs_, self.intercepts_ = init_params(
            layer_units, [factor] * (self.n_layers_ - 1), self._random_state, dtype
        )
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = None if self.early_stopping else np.inf
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self._no_improvement_count = 0
        self.__dict__.pop("_optimizer", None)

    def _network(self):
        activations = [HIDDEN_ACTIVATIONS[self.activation]] * (self.n_layers_ - 2)
        output = OUTPUT_ACTIVATIONS[self.out_activation_]
        return Network(activations, output, make_loss(self.loss, self.out_activation_))

    def _fit_lbfgs(self, X, Y, sample_weight):
        net, n_layers = self._network(), len(self.coefs_)

        def fun(params):
            loss, coef_grads, intercept_grads = loss_and_gradients(
                X, Y, params[:n_layers], params[n_layers:], net, sample_weight, self.alpha
            )
            return loss, coef_grads + intercept_grads

        def after_iteration(params, loss):
            self.loss_curve_.append(float(loss))
            if self.verbose:
                print(f"Iteration {len(self.loss_curve_)}, loss = {loss:.8f}")

        self.loss_curve_ = []
        with np.errstate(over="ignore", invalid="ignore"):
            params, result = minimize_lbfgs(
                fun,
                self.coefs_ + self.intercepts_,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                callback=after_iteration,
            )
        if not all(np.isfinite(p).all() for p in params):
            raise ValueError(
                "lbfgs produced non-finite weights; the previous weights are kept. "
                "Scale the input features (for example with StandardScaler)."
            )
        self.coefs_, self.intercepts_ = params[:n_layers], params[n_layers:]
        self.n_iter_ = min(result.nit, self.max_iter)
        self.loss_ = float(result.fun)
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        if result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iterations "
                f"({result.message}). Increase max_iter or max_fun, or scale the data.",
                ConvergenceWarning, stacklevel=2,
            )

    def _make_optimizer(self, params):
        if self.solver == "sgd":
            return SGD(
                params,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return Adam(params, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)

    def _validation_split(self, X, Y, y, sample_weight):
        """Hold out ``validation_fraction`` of the data, stratified by class."""
        stratify = None
        if self._target_kind != "multilabel":
            _, counts = np.unique(y, return_counts=True)
            # Stratify whenever every class can appear on both sides.
            stratify = y if counts.min() >= 2 else None
        arrays = [X, Y, y] + ([] if sample_weight is None else [sample_weight])
        parts = train_test_split(
            *arrays,
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, Y_train, _, _, y_val = parts[:6]
        sw_train, sw_val = parts[6:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return (X_train, Y_train, sw_train), (X_val, y_val, sw_val)

    def _fit_stochastic(self, X, Y, y, sample_weight, incremental):
        params = self.coefs_ + self.intercepts_
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer(params)
        if self.early_stopping:
            (X, Y, sample_weight), validation = self._validation_split(X, Y, y, sample_weight)
        else:
            validation = None
        n_samples = X.shape[0]
        batch_size = min(200 if self.batch_size == "auto" else self.batch_size, n_samples)
        net = self._network()
        order = np.arange(n_samples)
        try:
            for _ in range(1 if incremental else self.max_iter):
                if self.shuffle:
                    order = order[self._random_state.permutation(n_samples)]
                last_good = [p.copy() for p in params]
                loss = self._run_epoch(X, Y, sample_weight, order, batch_size, net, params)
                self._check_finite(loss, params, last_good)
                if self._end_epoch(loss, n_samples, validation):
                    break
            else:
                if not incremental:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning, stacklevel=2,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user; the last weights are kept.", stacklevel=2)
        if self.early_stopping:
            self.coefs_, self.intercepts_ = self._best_coefs, self._best_intercepts

    def _run_epoch(self, X, Y, sample_weight, order, batch_size, net, params):
        """One pass over every sample in mini-batches; returns the mean batch objective."""
        n_samples, n_layers = X.shape[0], len(self.coefs_)
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n_samples, batch_size):
                rows = order[start : start + batch_size]
                sw = None if sample_weight is None else sample_weight[rows]
                if sw is not None and not sw.any():
                    continue  # a batch of zero weight has no objective to descend
                loss, coef_grads, intercept_grads = loss_and_gradients(
                    X[rows], Y[rows], params[:n_layers], params[n_layers:], net, sw, self.alpha
                )
                self._optimizer.update_params(params, coef_grads + intercept_grads)
                total += loss * len(rows)
        return total / n_samples

    def _check_finite(self, loss, params, last_good):
        if np.isfinite(loss) and all(np.isfinite(p).all() for p in params):
            return
        for p, good in zip(params, last_good):
            p[...] = good
        raise ValueError(
            "Training diverged: the weights became non-finite, so the weights from "
            "before the last epoch are kept. Lower learning_rate_init, or scale the "
            "input features (for example with StandardScaler)."
        )

    def _end_epoch(self, loss, n_samples, validation):
        """Record the epoch; return True when training should stop."""
        self.n_iter_ += 1
        self.t_ += n_samples
        self.loss_ = loss
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
        if validation is not None:
            improved = self._record_validation(*validation)
        else:
            improved = loss <= self.best_loss_ - self.tol
            self.best_loss_ = min(self.best_loss_, loss)
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        self._optimizer.iteration_ends(self.t_)
        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if validation is not None else "Training loss"
            msg = (
                f"{what} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change} consecutive epochs."
            )
            if self._optimizer.trigger_stopping(msg, self.verbose):
                return True
            self._no_improvement_count = 0
        return False

    def _record_validation(self, X_val, y_val, sw_val):
        score = accuracy_score(y_val, self._predict(X_val), sample_weight=sw_val)
        self.validation_scores_.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        improved = score >= self.best_validation_score_ + self.tol
        if score > self.best_validation_score_:
            self.best_validation_score_ = score
            self._best_coefs = [c.copy() for c in self.coefs_]
            self._best_intercepts = [b.copy() for b in self.intercepts_]
        return improved

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _output_z(self, X):
        """Validate ``X`` and return the output layer's pre-activation."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )
        return self._forward_z(X)

    def _forward_z(self, X):
        with np.errstate(over="ignore"):
            (Z,), _ = forward(X, self.coefs_, self.intercepts_, self._network(), keep=False)
        return Z

    def _predict(self, X):
        return _labels.decode(self._forward_z(X), self.classes_, self._target_kind)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        return _labels.decode(self._output_z(X), self.classes_, self._target_kind)

    def predict_proba(self, X):
        """Class probabilities, in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return _labels.proba(self._output_z(X), self._target_kind, self.out_activation_)

    def predict_log_proba(self, X):
        """Log of the class probabilities, computed stably from the outputs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Finite even where a probability underflows to zero.
        """
        return _labels.log_proba(self._output_z(X), self._target_kind, self.out_activation_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
