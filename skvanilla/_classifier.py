"""The scikit-learn estimator around the numpy network."""

import warnings
from numbers import Integral, Real
from types import MethodType

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, check_scoring
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from . import _labels, _sklearn_bridge
from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, OutputActivation, identity
from ._dropout import dropout_masks, sample_keys
from ._interrupt import DeferInterrupt
from ._losses import make_loss
from ._network import (
    Network,
    Workspace,
    forward,
    init_params,
    loss_and_gradients,
    objective,
)
from ._optimizers import SGD, Adam, minimize_lbfgs, pack, unpack
from ._persistence import PersistenceMixin
from ._split import weighted_split

_TARGET_KINDS = {
    "binary": "binary",
    "multiclass": "multiclass",
    "multilabel-indicator": "multilabel",
}


class _TrainingBuffers:
    """Everything a training step writes, allocated once per fit.

    - The rows of a batch.  Without shuffling a batch is a slice, and a
      dense slice is a view: no copy at all.  With shuffling, dense rows are
      gathered with ``np.take`` into the same buffer every batch.
    - A :class:`Workspace` per batch length (the full batch, and the
      shorter last one) for the forward and backward passes.
    - The flat gradient vector, laid out as the flat parameter vector
      ``theta`` (weights first, then biases), and its views shaped like the
      layers, which ``backward`` writes into; and the runs of both vectors
      that hold the weights, for the L2 term.

    None of it outlives the fit: a fitted model keeps no buffer.
    """

    def __init__(self, X, Y, batch_size, shuffle, theta, coefs, intercepts, net):
        self.X, self.Y, self.batch_size = X, Y, batch_size
        self.dense = shuffle and not hasattr(X, "tocsr")
        if self.dense:
            self.X_buffer = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
            self.Y_buffer = np.empty((batch_size, Y.shape[1]), dtype=Y.dtype)
        layer_units = [X.shape[1], *(c.shape[1] for c in coefs)]
        overwrite = [f.prime_from_output for f in net.activations]
        full = Workspace(batch_size, layer_units, X.dtype, overwrite=overwrite)
        self.work = {batch_size: full, X.shape[0] % batch_size: full.head(X.shape[0] % batch_size)}
        params = coefs + intercepts
        self.grad = np.empty_like(theta)
        views = unpack(self.grad, params)
        self.grads = views[: len(coefs)], views[len(coefs) :]
        n_weights = sum(c.size for c in coefs)
        self.penalized = [theta[:n_weights]], [self.grad[:n_weights]]

    def batch(self, rows):
        """The rows ``rows`` of ``X`` and ``Y``."""
        if not self.dense:
            return self.X[rows], self.Y[rows]
        n = len(rows)
        X_batch = self.X.take(rows, axis=0, out=self.X_buffer[:n])
        return X_batch, self.Y.take(rows, axis=0, out=self.Y_buffer[:n])


def _check_total_weight(sample_weight, name="sample_weight"):
    """The objective divides by the total weight: it must be a finite, normal number."""
    with np.errstate(over="ignore"):
        total = sample_weight.sum()
    if not np.isfinite(total) or total < np.finfo(sample_weight.dtype).tiny:
        raise ValueError(
            f"{name} sums to {total}, which the loss cannot be divided by "
            "(the loss is the weighted mean); rescale the weights."
        )


def _check_class_weighted(sample_weight):
    """Sample weights after ``class_weight``: finite, non-negative, with a usable sum."""
    if not np.isfinite(sample_weight).all() or (sample_weight < 0).any():
        raise ValueError(
            "class_weight must give every class a finite, non-negative weight; the "
            "weights of the samples became non-finite or negative."
        )
    if not sample_weight.any():
        raise ValueError("class_weight gives every sample a weight of zero.")
    _check_total_weight(sample_weight, "The sample weights times class_weight")


def _target_type(y):
    """``type_of_target``, with labels that cannot be sorted named as the problem."""
    if y is None:
        raise ValueError("This estimator requires y to be passed, but the target y is None.")
    try:
        return type_of_target(y, input_name="y")
    except TypeError as exc:
        raise TypeError(
            f"y mixes labels of types that cannot be compared ({exc}); use labels "
            "of one type, all numbers or all strings."
        ) from exc


def _check_same_classes(classes, known):
    """``partial_fit``'s ``classes`` after the first call: the same set, in any order."""
    given = np.asarray(classes)
    try:
        same = np.array_equal(np.unique(given), known)
    except TypeError:  # labels that cannot be sorted together are not known's
        same = False
    if not same:
        raise ValueError(
            f"classes={given.tolist()} differs from the classes of the first call to "
            f"partial_fit, {known.tolist()}; every call must name the same classes "
            "(a call's y may hold only some of them)."
        )


class _PartialFitRefused(AttributeError, ValueError):
    """partial_fit refused for the estimator's parameters.

    A ``ValueError``, as MLPClassifier raises, and an ``AttributeError``, so
    that ``hasattr(estimator, "partial_fit")`` is False and code that probes
    for ``partial_fit`` before calling it (scikit-learn's own checks, Dask's
    ``Incremental``) takes the estimator as one without it, as for lbfgs.
    scikit-learn's ``NotFittedError`` is both for the same reason.
    """


class _available_if:
    """A method that exists only while ``check(estimator)`` passes.

    As scikit-learn's ``available_if``, except that the exception the check
    raises reaches the caller unchanged (``available_if`` replaces it with a
    generic ``AttributeError``), so that it can say why the method is
    missing, and be a ``ValueError`` too.
    """

    def __init__(self, check):
        self.check = check

    def __call__(self, fn):
        self.fn = fn
        return self

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn  # on the class: the function itself, for docs and inspect
        self.check(obj)
        return MethodType(self.fn, obj)


def _can_partial_fit(estimator):
    if estimator.solver == "lbfgs":
        raise AttributeError("partial_fit is only available for stochastic solvers ('sgd', 'adam')")
    if estimator.early_stopping:
        raise _PartialFitRefused(
            "partial_fit does not support early_stopping=True: each call is one "
            "epoch over the samples given, with no validation split to stop on. "
            "Set early_stopping=False, or train with fit."
        )
    return True


class VanillaMLPClassifier(
    PersistenceMixin, CallbackSupportMixin, ClassifierMixin, BaseEstimator
):
    """A multi-layer perceptron classifier, backpropagation written from scratch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    the parameters up to ``max_fun`` have the same names, order, defaults and
    meaning.  The forward pass, backpropagation and the optimizers are plain
    numpy functions in this package, tested against finite differences.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units in each hidden layer.
    activation : str or list of str, default="relu"
        Activation of the hidden layers: "identity", "logistic", "tanh",
        "relu", "leaky_relu" (slope 0.01), "elu", "gelu" (exact, with erf),
        "softplus" or "silu"; or a list with one name per hidden layer.
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
        Start ``fit`` from the previous solution, for up to ``max_iter`` more
        epochs; ``y`` must then hold the same classes as before.
    momentum : float, default=0.9
        Momentum of ``sgd``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``sgd``.
    early_stopping : bool, default=False
        Stop when the validation ``scoring`` stops improving, and keep the best
        weights.  The validation set is ``X_val, y_val`` if given to ``fit``,
        else ``validation_fraction`` of the data (of each class's weight).
    validation_fraction : float in [0, 1), default=0.1
        Share of the training data held out for early stopping; with 0,
        early stopping needs ``X_val, y_val``.
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
    class_weight : dict, list of dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
        ``"balanced"`` gives class ``c`` the weight
        ``W / (n_classes * W_c)``, where ``W`` and ``W_c`` are total sample
        weights (counts, without ``sample_weight``); in ``partial_fit`` they
        are the totals of each call's samples.  For multilabel targets:
        ``"balanced"`` or one dict per label, ``{0: w0, 1: w1}``, and a
        sample's weight is the product over its labels.
    dropout : float in [0, 1), default=0.0
        Probability of dropping each hidden unit during training (inverted
        dropout: kept units are scaled by ``1 / (1 - dropout)``, so
        prediction uses the whole network unchanged).  A sample's mask depends
        on its values and the step, so repeated samples and weighted samples
        stay equivalent.
    scoring : None, "loss", str or callable, default=None
        What early stopping maximises on the validation set: ``None`` is
        accuracy (as MLPClassifier), ``"loss"`` the negated validation loss,
        any other string a scikit-learn scorer name, and a callable is called
        as ``scoring(estimator, X_val, y_val)``.

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
        The objective after each epoch, over every call since the weights
        were drawn (after each ``lbfgs`` iteration of the last fit).
    validation_scores_ : list of float or None
        The ``scoring`` of the validation set after each epoch, whenever there
        is a validation set (early stopping, or ``X_val`` given to ``fit``).
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    validation_loss_curve_ : list of float or None
        The loss (without penalty) on the validation set after each epoch,
        whenever there is a validation set.
    n_iter_ : int
        Epochs (or ``lbfgs`` iterations) run by the last call to ``fit`` or
        ``partial_fit``.
    t_ : int
        Training samples seen by the stochastic solvers, over every call
        since the weights were drawn.
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
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS)), list, tuple],
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
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "out_activation": [StrOptions({"auto", "softmax", "logistic"})],
        "class_weight": [StrOptions({"balanced"}), dict, list, None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "scoring": [str, callable, None],
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
        class_weight=None,
        dropout=0.0,
        scoring=None,
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
        self.class_weight = class_weight
        self.dropout = dropout
        self.scoring = scoring

    # ------------------------------------------------------------------
    # Fitting
    # ------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data trains in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is their weighted mean.
        X_val, y_val : array-like, default=None
            A validation set of your choosing, used instead of holding out
            ``validation_fraction`` of ``X``.  Its loss and score are recorded
            every epoch; with ``early_stopping=True`` its score decides when
            to stop.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : VanillaMLPClassifier
        """
        validation = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    @_available_if(_can_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``X``, continuing from the current weights.

        Only with ``solver="sgd"`` or ``"adam"``, and not with
        ``early_stopping=True`` (a ``ValueError``, as in MLPClassifier, which is
        also an ``AttributeError``: ``hasattr(clf, "partial_fit")`` is False):
        each call trains on every sample it is given, so there is no validation
        split to stop on.  ``class_weight="balanced"`` balances the classes of
        each call's samples.  ``n_iter_`` is the epochs of the last call (1);
        ``t_`` and ``loss_curve_`` keep counting across calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels among ``classes``; a call need not hold every class.
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever be seen; required on the first call
            (except for multilabel targets).  Later calls may omit it; if
            they pass it, it must name the same classes (in any order).

        Returns
        -------
        self : VanillaMLPClassifier
        """
        if classes is None and not hasattr(self, "classes_"):
            if _target_type(y) != "multilabel-indicator":
                raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is not None and hasattr(self, "classes_"):
            _check_same_classes(classes, self.classes_)
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None, validation=None):
        X, Y, y, sample_weight = self._prepare_fit(X, y, sample_weight, incremental, classes)
        train, validation = self._training_and_validation_sets(
            X, Y, y, sample_weight, validation or (None, None, None), incremental
        )
        callbacks = self._init_callback_context(max_subtasks=1 if incremental else self.max_iter)
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        callbacks.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        if self.solver == "lbfgs":
            self._fit_lbfgs(train, validation, callbacks)
        else:
            self._fit_stochastic(train, validation, incremental, callbacks)
        callbacks.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        return self

    def _prepare_fit(self, X, y, sample_weight, incremental, classes=None):
        """Validate the data, encode the labels and, on a first fit, draw the weights."""
        hidden = self._hidden_layer_sizes()
        activations = self._hidden_activation_names(len(hidden))
        if self.dropout > 0 and self.solver == "lbfgs":
            raise ValueError(
                "dropout needs a stochastic solver ('sgd' or 'adam'): it makes the "
                "objective random, which L-BFGS's line searches cannot follow."
            )
        first_pass = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        X, y, sample_weight = self._validate_training_data(X, y, sample_weight, first_pass)
        if first_pass:
            self._set_classes(y, classes if incremental else None)
        Y = self._encode(y)
        if self.warm_start and not (first_pass or incremental):
            self._check_warm_start_classes(y)
        sample_weight = self._apply_class_weight(y, sample_weight, X.dtype)
        if self.class_weight is not None:
            _check_class_weighted(sample_weight)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X.shape[1], hidden, activations, X.dtype)
        return X, Y, y, sample_weight

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {sizes}.")
        return sizes

    def _hidden_activation_names(self, n_hidden):
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return [self.activation] * n_hidden
        names = list(self.activation)
        unknown = [a for a in names if a not in HIDDEN_ACTIVATIONS]
        if unknown:
            raise ValueError(
                f"activation has unknown names {unknown}; choose from "
                f"{sorted(HIDDEN_ACTIVATIONS)}."
            )
        if len(names) != n_hidden:
            raise ValueError(
                f"activation lists {len(names)} names but hidden_layer_sizes has "
                f"{n_hidden} hidden layers; give one name per hidden layer."
            )
        return names

    def _validate_training_data(self, X, y, sample_weight, reset):
        # scikit-learn's finiteness check sums X first: with both +inf and
        # -inf that sum warns before the check raises its own clear error.
        # A model keeps the dtype of its first fit: later data is converted,
        # so that every pass computes in the dtype of the weights.
        dtype = (np.float64, np.float32) if reset else self.coefs_[0].dtype
        # Training reads X a batch of rows at a time, so X is made row-major
        # once, here: C-ordered dense rows (np.take copies a whole array that
        # is not C-contiguous at every call, so a Fortran-ordered array, a
        # DataFrame or a strided view would be copied per batch), CSR for
        # sparse X (CSC and COO rows are scattered).  A C-contiguous float
        # array is used as it is; anything else costs one copy, which integer
        # and boolean X need anyway to become float.
        with np.errstate(invalid="ignore"):
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse="csr",
                multi_output=True,
                dtype=dtype,
                order="C",
                reset=reset,
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            _check_total_weight(sample_weight)
        return X, y, sample_weight

    def _set_classes(self, y, classes):
        target = _target_type(y)
        if target not in _TARGET_KINDS:
            raise ValueError(
                f"Unknown label type: y is {target!r}; expected binary or multiclass "
                "labels, or a multilabel indicator matrix."
            )
        kind = _TARGET_KINDS[target]
        if kind == "multilabel":
            self.classes_ = np.arange(y.shape[1])
        else:
            if classes is not None:
                classes = np.asarray(classes)
                if classes.dtype.kind == "f" and np.isnan(classes).any():
                    raise ValueError(f"classes contains NaN: {classes.tolist()}.")
            try:
                self.classes_ = np.unique(y if classes is None else classes)
            except TypeError as exc:
                raise TypeError(
                    f"classes mixes labels of types that cannot be compared ({exc}); use "
                    "labels of one type, all numbers or all strings."
                ) from exc
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

    def _encode(self, y):
        """One-hot targets, after checking the labels against ``classes_``.

        Held as ``uint8``: targets are 0 or 1, and a byte is an eighth of a
        float64 (on 60000 samples of 10 classes, 0.6 MB instead of 4.8);
        arithmetic with the network's floats promotes them.
        """
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
        return _labels.one_hot(y, self.classes_, self._target_kind, self.n_outputs_, np.uint8)

    def _check_warm_start_classes(self, y):
        """A warm-started ``fit`` continues the model: ``y`` must hold every class it has.

        As in MLPClassifier, unlike ``partial_fit``, where a batch may miss
        classes.  Classes ``y`` adds are refused by :meth:`_encode`; the
        columns of a multilabel ``y`` are checked there too.
        """
        if self._target_kind == "multilabel":
            return
        missing = np.setdiff1d(self.classes_, y)
        if missing.size:
            raise ValueError(
                f"warm_start=True continues the previous fit, so y must have the same "
                f"classes as before, {self.classes_.tolist()}; y lacks {missing.tolist()}. "
                "Pass all the classes, or set warm_start=False to fit anew."
            )

    def _apply_class_weight(self, y, sample_weight, dtype):
        """Multiply each sample's weight by its class's weight."""
        class_weight = self.class_weight
        if class_weight is None:
            return sample_weight
        if self._target_kind == "multilabel":
            if isinstance(class_weight, dict):
                raise ValueError(
                    "For multilabel targets class_weight is 'balanced' or a list of one "
                    "dict per label ({0: w0, 1: w1}), not a single dict."
                )
            # As scikit-learn's forests do for several outputs: the product of
            # each label's class weights.
            per_sample = compute_sample_weight(class_weight, y)
        elif isinstance(class_weight, list):
            raise ValueError("A list of class_weight dicts is for multilabel targets only.")
        elif class_weight == "balanced":
            per_sample = self._balanced_weights(y, sample_weight)
        else:
            weights = compute_class_weight(class_weight, classes=self.classes_, y=y)
            per_sample = weights[np.searchsorted(self.classes_, y)]
        per_sample = per_sample.astype(dtype)
        return per_sample if sample_weight is None else per_sample * sample_weight

    def _balanced_weights(self, y, sample_weight):
        """``total / (n_classes_present * class_total)`` per sample, totals weighted.

        Totals are sums of sample weights, so that a sample of weight 2 and
        two copies of it are balanced alike; in ``partial_fit`` they are the
        totals of the batch at hand.
        """
        index = np.searchsorted(self.classes_, y)
        w = np.ones(len(y)) if sample_weight is None else sample_weight
        totals = np.bincount(index, weights=w, minlength=len(self.classes_))
        present = totals > 0
        weights = np.zeros(len(self.classes_))
        weights[present] = w.sum() / (present.sum() * totals[present])
        return weights[index]

    def _initialize(self, n_features, hidden, activations, dtype):
        layer_units = [n_features, *hidden, self.n_outputs_]
        self.n_layers_ = len(layer_units)
        # Glorot's gain: 2 for logistic units, 6 otherwise.  The output layer
        # takes the gain of the last hidden layer (with one activation name,
        # MLPClassifier's choice for every layer).
        per_layer = [*activations, *activations[-1:]] if activations else [self.activation]
        if isinstance(self.activation, str):
            per_layer = [self.activation] * (self.n_layers_ - 1)
        gains = [2.0 if a == "logistic" else 6.0 for a in per_layer]
        self.coefs_, self.intercepts_ = init_params(
            layer_units, gains, self._random_state, dtype
        )
        self._start_record()

    def _start_record(self):
        """The record of training before the first epoch: counters, curves, optimizer.

        Set for new weights, and for weights adopted from MLPClassifier (see
        :meth:`from_sklearn`) before its record is copied over this one.  Best
        weights kept from an earlier fit go, so that early stopping never
        restores the weights of another fit.
        """
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = None if self.early_stopping else np.inf
        self.validation_scores_ = None
        self.validation_loss_curve_ = None
        self.best_validation_score_ = None
        self._no_improvement_count = 0
        self._dropout_seed = None
        self._dropout_step = 0
        for name in ("_optimizer", "_best_coefs", "_best_intercepts"):
            self.__dict__.pop(name, None)

    def _network(self):
        names = self._hidden_activation_names(self.n_layers_ - 2)
        output = OUTPUT_ACTIVATIONS[self.out_activation_]
        return Network(
            [HIDDEN_ACTIVATIONS[a] for a in names],
            output,
            make_loss(self.loss, self.out_activation_),
        )

    # ------------------------------------------------------------------
    # The validation set
    # ------------------------------------------------------------------

    def _training_and_validation_sets(self, X, Y, y, sample_weight, given, incremental):
        """Split off, or validate, the validation set; returns (train, validation).

        ``train`` is ``(X, Y, y, sample_weight)`` and ``validation`` is
        ``(X, Y, y, sample_weight)`` or ``None``.
        """
        X_val, y_val, sw_val = given
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together.")
        if X_val is not None:
            with np.errstate(invalid="ignore"):  # as in _validate_training_data
                X_val = validate_data(
                    self, X_val, accept_sparse="csr", dtype=X.dtype, reset=False
                )
            y_val = np.asarray(y_val)
            if y_val.ndim == 2 and y_val.shape[1] == 1:
                y_val = column_or_1d(y_val, warn=True)
            if len(y_val) != X_val.shape[0]:
                raise ValueError(
                    f"X_val has {X_val.shape[0]} samples but y_val has {len(y_val)}."
                )
            if sw_val is not None:
                sw_val = _check_sample_weight(
                    sw_val, X_val, dtype=X.dtype, ensure_non_negative=True
                )
            Y_val = self._encode(y_val)
            return (X, Y, y, sample_weight), (X_val, Y_val, y_val, sw_val)
        if not self.early_stopping or self.solver == "lbfgs" or incremental:
            return (X, Y, y, sample_weight), None
        return self._split_validation(X, Y, y, sample_weight)

    def _split_validation(self, X, Y, y, sample_weight):
        """Hold out ``validation_fraction`` of each class's weight (see ``_split``)."""
        seed = self._random_state.randint(np.iinfo(np.int32).max)
        weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        labels = None if self._target_kind == "multilabel" else y
        held_out = weighted_split(
            sample_keys(X, seed), labels, weights, self.validation_fraction
        )
        if weights[held_out].sum() <= 0 or weights[~held_out].sum() <= 0:
            raise ValueError(
                "The validation set is too small (or carries no weight). Increase "
                "'validation_fraction' or the size of your dataset, or pass X_val, y_val."
            )
        train, val = np.flatnonzero(~held_out), np.flatnonzero(held_out)

        def rows(a, index):
            return None if a is None else a[index]

        return (
            tuple(rows(a, train) for a in (X, Y, y, sample_weight)),
            tuple(rows(a, val) for a in (X, Y, y, sample_weight)),
        )

    def _validation_loss(self, Z_val, Y_val, sw_val):
        """The objective on the validation set without its penalty: the weighted mean loss."""
        net = self._network()
        return float(objective([Z_val], [net.output.f(Z_val)], Y_val, [], net, sw_val, 0.0))

    def _validation_score(self, X_val, Z_val, y_val, sw_val, loss):
        if self.scoring is None:
            predicted = _labels.decode(Z_val, self.classes_, self._target_kind)
            return accuracy_score(y_val, predicted, sample_weight=sw_val)
        if self.scoring == "loss":
            return -loss
        scorer = check_scoring(self, scoring=self.scoring)
        kwargs = {} if sw_val is None else {"sample_weight": sw_val}
        score = float(scorer(self, X_val, y_val, **kwargs))
        if not np.isfinite(score):
            raise ValueError(
                f"scoring={self.scoring!r} gave a non-finite validation score ({score}); "
                "early stopping cannot compare it."
            )
        return score

    def _record_validation(self, validation):
        """Score the validation set; return True if the score improved by ``tol``."""
        X_val, Y_val, y_val, sw_val = validation
        # One forward pass serves both the loss and the default accuracy.
        Z_val = self._forward_z(X_val)
        with np.errstate(over="ignore", invalid="ignore"):
            loss = self._validation_loss(Z_val, Y_val, sw_val)
        if not np.isfinite(loss):
            raise ValueError(
                "The validation loss is not finite: the network's outputs overflow on the "
                "validation set. Scale the validation features as the training features."
            )
        score = self._validation_score(X_val, Z_val, y_val, sw_val, loss)
        if self.validation_scores_ is None:
            self.validation_scores_, self.validation_loss_curve_ = [], []
            self.best_validation_score_ = -np.inf
        self.validation_loss_curve_.append(loss)
        self.validation_scores_.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}, validation loss: {loss:.8f}")
        improved = score >= self.best_validation_score_ + self.tol
        if score > self.best_validation_score_:
            self.best_validation_score_ = score
            self._best_coefs = [c.copy() for c in self.coefs_]
            self._best_intercepts = [b.copy() for b in self.intercepts_]
        return improved

    # ------------------------------------------------------------------
    # Solvers
    # ------------------------------------------------------------------

    def _fit_lbfgs(self, train, validation, callbacks):
        X, Y, y, sample_weight = train
        net, n_layers = self._network(), len(self.coefs_)
        interrupt = DeferInterrupt()

        def fun(params):
            loss, coef_grads, intercept_grads = loss_and_gradients(
                X, Y, params[:n_layers], params[n_layers:], net, sample_weight, self.alpha
            )
            return loss, coef_grads + intercept_grads

        def after_iteration(params, loss):
            self.loss_curve_.append(float(loss))
            if self.verbose:
                print(f"Iteration {len(self.loss_curve_)}, loss = {loss:.8f}")
            self.coefs_, self.intercepts_ = params[:n_layers], params[n_layers:]
            if validation is not None:
                self._record_validation(validation)
            self._epoch_callbacks(callbacks, train, begin=False)
            if interrupt.requested:
                raise StopIteration  # scipy ends the run with the current iterate

        self.loss_curve_ = []
        start = self.coefs_, self.intercepts_
        try:
            with np.errstate(over="ignore", invalid="ignore"), interrupt:
                params, result = minimize_lbfgs(
                    fun,
                    self.coefs_ + self.intercepts_,
                    max_iter=self.max_iter,
                    max_fun=self.max_fun,
                    tol=self.tol,
                    callback=after_iteration,
                )
            loss, n_iter = float(result.fun), min(result.nit, self.max_iter)
        except KeyboardInterrupt:
            # A second Ctrl-C stops at once, inside an evaluation: keep the last
            # iterate scipy reported (after_iteration stored it) or the start,
            # as the stochastic solvers keep their last weights.
            params, result = self.coefs_ + self.intercepts_, None
            with np.errstate(over="ignore", invalid="ignore"):
                loss = self.loss_curve_[-1] if self.loss_curve_ else float(fun(params)[0])
            n_iter = len(self.loss_curve_)
        if not np.isfinite(loss) or not all(np.isfinite(p).all() for p in params):
            # after_iteration may have stored a non-finite iterate.
            self.coefs_, self.intercepts_ = start
            raise ValueError(
                "lbfgs met a non-finite objective or weights; the previous weights are "
                "kept. Scale the input features (for example with StandardScaler)."
            )
        self.coefs_, self.intercepts_ = params[:n_layers], params[n_layers:]
        self.n_iter_ = n_iter
        self.loss_ = loss
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)
        if interrupt.requested:
            warnings.warn("Training interrupted by user; the last weights are kept.", stacklevel=2)
        elif result.status != 0:
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

    def _flatten_params(self):
        """Move the weights into one flat vector; ``coefs_`` and ``intercepts_`` become views.

        The optimizer then updates the whole network in a few calls, whatever
        its number of layers.  Returns the vector.
        """
        params = self.coefs_ + self.intercepts_
        theta = pack(params)
        views = unpack(theta, params)
        n_layers = len(self.coefs_)
        self.coefs_, self.intercepts_ = views[:n_layers], views[n_layers:]
        return theta

    def _fit_stochastic(self, train, validation, incremental, callbacks):
        X, Y, y, sample_weight = train
        theta = self._flatten_params()
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer(theta)
        # As MLPClassifier: n_iter_ counts this call's epochs (so a warm start
        # runs max_iter more), while t_ and loss_curve_ go on counting.
        self.n_iter_ = 0
        n_samples = X.shape[0]
        batch_size = min(200 if self.batch_size == "auto" else self.batch_size, n_samples)
        net = self._network()
        keys = self._dropout_keys(X)
        buffers = _TrainingBuffers(
            X, Y, batch_size, self.shuffle, theta, self.coefs_, self.intercepts_, net
        )
        order = np.arange(n_samples)
        last_good = theta.copy()
        # The first Ctrl-C lets the batch in flight finish (see _interrupt.py).
        interrupt = DeferInterrupt().install()
        try:
            for _ in range(1 if incremental else self.max_iter):
                self._epoch_callbacks(callbacks, train, begin=True)
                if self.shuffle:
                    order = order[self._random_state.permutation(n_samples)]
                np.copyto(last_good, theta)
                loss = self._run_epoch(train, keys, order, buffers, net, theta, interrupt)
                self._check_finite(loss, theta, last_good)
                if interrupt.requested:
                    raise KeyboardInterrupt  # the part-epoch is not recorded as an epoch
                stop = self._end_epoch(loss, n_samples, validation)
                stop |= self._epoch_callbacks(callbacks, train, begin=False)
                if stop:
                    break
            else:
                if not incremental:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning, stacklevel=2,
                    )
        except KeyboardInterrupt:
            # A second Ctrl-C may land inside an optimizer step: weights it left
            # non-finite go back to where the epoch started.
            if not np.isfinite(theta).all():
                theta[...] = last_good
            warnings.warn("Training interrupted by user; the last weights are kept.", stacklevel=2)
        finally:
            interrupt.restore()
        if self.early_stopping and validation is not None and hasattr(self, "_best_coefs"):
            self.coefs_, self.intercepts_ = self._best_coefs, self._best_intercepts

    def _dropout_keys(self, X):
        """Content keys of the rows of ``X`` for dropout masks, or None without dropout."""
        if self.dropout == 0:
            return None
        if self._dropout_seed is None:
            # Drawn only when dropout is used, so that other fits consume the
            # random state exactly as before.
            self._dropout_seed = int(self._random_state.randint(np.iinfo(np.int32).max))
        return sample_keys(X, self._dropout_seed)

    def _run_epoch(self, train, keys, order, buffers, net, theta, interrupt=None):
        """One pass over every sample in mini-batches; returns the mean batch objective."""
        X, Y, _, sample_weight = train
        n_samples = X.shape[0]
        hidden = [c.shape[1] for c in self.coefs_[:-1]]
        batch_size = buffers.batch_size
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n_samples, batch_size):
                if interrupt is not None and interrupt.requested:
                    break  # Ctrl-C: stop once the batch in flight is done
                rows = order[start : start + batch_size] if self.shuffle else (
                    slice(start, min(start + batch_size, n_samples))
                )
                sw = None if sample_weight is None else sample_weight[rows]
                if sw is not None and not sw.any():
                    continue  # a batch of zero weight has no objective to descend
                masks = None
                if keys is not None:
                    masks = dropout_masks(
                        keys[rows], self._dropout_step, hidden, self.dropout, X.dtype
                    )
                    self._dropout_step += 1
                X_batch, Y_batch = buffers.batch(rows)
                n = Y_batch.shape[0]
                # The gradients land in views of buffers.grad.
                loss, _, _ = loss_and_gradients(
                    X_batch,
                    Y_batch,
                    self.coefs_,
                    self.intercepts_,
                    net,
                    sw,
                    self.alpha,
                    masks,
                    work=buffers.work[n],
                    grads=buffers.grads,
                    penalized=buffers.penalized,
                )
                self._optimizer.update_params(theta, buffers.grad)
                total += loss * n
        return total / n_samples

    def _check_finite(self, loss, theta, last_good):
        if np.isfinite(loss) and np.isfinite(theta).all():
            return
        theta[...] = last_good
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
            val_improved = self._record_validation(validation)
        if self.early_stopping and validation is not None:
            improved = val_improved
        else:
            best = np.inf if self.best_loss_ is None else self.best_loss_
            improved = loss <= best - self.tol
            self.best_loss_ = min(best, loss)
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        self._optimizer.iteration_ends(self.t_)
        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if self.early_stopping else "Training loss"
            msg = (
                f"{what} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change} consecutive epochs."
            )
            if self._optimizer.trigger_stopping(msg, self.verbose):
                return True
            self._no_improvement_count = 0
        return False

    def _epoch_callbacks(self, callbacks, train, *, begin):
        """Tell scikit-learn callbacks that an epoch begins or ends; True asks to stop."""
        X, _, y, sample_weight = train
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        if begin:
            self._epoch_context = callbacks.subcontext(task_name="epoch")
            self._epoch_context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
            return False
        if not hasattr(self, "_epoch_context"):  # lbfgs: one context per iteration
            self._epoch_context = callbacks.subcontext(task_name="iteration")
            self._epoch_context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        context = self.__dict__.pop("_epoch_context")

        def snapshot():
            return {
                "coefs_": [c.copy() for c in self.coefs_],
                "intercepts_": [b.copy() for b in self.intercepts_],
            }

        return context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes=snapshot
        )

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _validate_for_predict(self, X):
        check_is_fitted(self)
        with np.errstate(invalid="ignore"):  # as in _validate_training_data
            # CSR: prediction slices X into blocks of rows (see _forward_z),
            # which costs a pass over every entry of a CSC or COO matrix.
            return validate_data(
                self, X, accept_sparse="csr", dtype=(np.float64, np.float32), reset=False
            )

    def _forward_z(self, X):
        """The output pre-activations, a block of rows at a time.

        Blocks of about 2**18 values per layer keep each layer's output in
        cache and bound the memory of a prediction on many rows, whatever
        their number.  The output activation is left to the caller (it is
        the identity here), which turns ``z`` into labels or probabilities.
        """
        net = self._network()
        net = net._replace(output=OutputActivation(identity, identity, None))
        n_rows, n_layers = X.shape[0], len(self.coefs_)
        block = min(n_rows, max(256, 2**18 // max(c.shape[1] for c in self.coefs_)))
        dtype = np.result_type(X.dtype, self.coefs_[0].dtype)
        # One workspace per call, so that threads predicting at once share nothing.
        layer_units = [X.shape[1], *(c.shape[1] for c in self.coefs_)]
        work = Workspace(block, layer_units, dtype, overwrite=[True] * (n_layers - 1),
                         backward=False)
        Z_all = np.empty((n_rows, self.coefs_[-1].shape[1]), dtype)
        # inf - inf may follow an overflow; _output_z reports either.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n_rows, block):
                rows = X[start : start + block]
                in_block = work if rows.shape[0] == block else work.head(rows.shape[0])
                (Z,), _ = forward(
                    rows, self.coefs_, self.intercepts_, net, keep=False, work=in_block
                )
                Z_all[start : start + block] = Z
        return Z_all

    def _output_z(self, X):
        """Validate ``X`` and return the output layer's pre-activation."""
        Z = self._forward_z(self._validate_for_predict(X))
        bad = ~np.isfinite(Z).all(axis=1)
        if bad.any():
            raise ValueError(
                f"X is too large for this network: the outputs of {bad.sum()} sample(s) "
                f"overflow {Z.dtype} (first: row {np.flatnonzero(bad)[0]}). Scale the "
                "input features as they were scaled for fit."
            )
        return Z

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

    def decision_function(self, X):
        """The output layer's pre-activation ``z``: a score per class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D for a binary model: the log-odds of ``classes_[1]`` (for two
            softmax units, ``z_1 - z_0``, which is the same quantity).
        """
        Z = self._output_z(X)
        if self._target_kind == "binary":
            return Z[:, 0] if Z.shape[1] == 1 else Z[:, 1] - Z[:, 0]
        return Z

    def hidden_activations(self, X, layer=-1):
        """The activations of one hidden layer for new data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        layer : int, default=-1
            Which hidden layer: ``0`` is the first, ``-1`` the last.

        Returns
        -------
        A : ndarray of shape (n_samples, hidden_layer_sizes[layer])

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from skvanilla import VanillaMLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = VanillaMLPClassifier((8, 2), solver="lbfgs", random_state=0).fit(X, y)
        >>> clf.hidden_activations(X, layer=-1).shape
        (150, 2)
        """
        X = self._validate_for_predict(X)
        n_hidden = self.n_layers_ - 2
        if not isinstance(layer, Integral) or not -n_hidden <= layer < n_hidden:
            raise ValueError(
                f"layer must be an integer in [{-n_hidden}, {n_hidden - 1}] for a network "
                f"with {n_hidden} hidden layers; got {layer!r}."
            )
        layer = layer % n_hidden
        net = self._network()
        with np.errstate(over="ignore"):
            _, As = forward(
                X,
                self.coefs_[: layer + 1],
                self.intercepts_[: layer + 1],
                Network(net.activations[:layer], net.activations[layer], net.loss),
                keep=False,
            )
        return As[-1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------------------------------
    # Conversion to and from scikit-learn's MLPClassifier
    # ------------------------------------------------------------------

    @classmethod
    def from_sklearn(cls, estimator):
        """The fitted equivalent of a fitted :class:`~sklearn.neural_network.MLPClassifier`.

        The new estimator has the same parameters (this class's own extras
        at their defaults), classes, weights and fitted attributes, and so
        the same predictions.  The state of training comes along too -- the
        optimizer's velocities or moments and learning rate, the count of
        epochs without improvement, the best validation weights -- so that
        ``partial_fit``, or ``fit`` with ``warm_start=True``, takes the steps
        that ``estimator`` would take.  Nothing is shared with ``estimator``.

        Where MLPClassifier records less than this class, the new estimator
        starts its own record: after ``lbfgs``, ``loss_curve_`` is empty and
        ``best_loss_`` is ``loss_``; with early stopping, the entries of
        ``validation_loss_curve_`` are NaN, losses that were not measured.

        Parameters
        ----------
        estimator : MLPClassifier
            Fitted.

        Returns
        -------
        VanillaMLPClassifier
            Fitted.

        Raises
        ------
        TypeError
            If ``estimator`` is not an MLPClassifier.
        sklearn.exceptions.NotFittedError
            If it is not fitted.

        See Also
        --------
        to_sklearn : the other way.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.neural_network import MLPClassifier
        >>> from skvanilla import VanillaMLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> mlp = MLPClassifier((10,), solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
        >>> clf = VanillaMLPClassifier.from_sklearn(mlp)
        >>> np.abs(clf.predict_proba(X) - mlp.predict_proba(X)).max() < 1e-12
        np.True_
        >>> clf.n_iter_ == mlp.n_iter_, clf.get_params()["hidden_layer_sizes"]
        (True, (10,))
        """
        return _sklearn_bridge.classifier_from_sklearn(cls, estimator)

    def to_sklearn(self):
        """The fitted :class:`~sklearn.neural_network.MLPClassifier` equivalent to this model.

        The inverse of :meth:`from_sklearn`: the same parameters, classes,
        weights, fitted attributes and state of training, for a
        configuration that MLPClassifier can express.

        Returns
        -------
        MLPClassifier
            Fitted; it shares nothing with this model.

        Raises
        ------
        ValueError
            Naming what MLPClassifier cannot express: one of this class's
            own parameters away from its default (``loss``, ``class_weight``,
            ``dropout``, ``scoring``), an activation it lacks or a list of
            them, or output units other than its own (two softmax units for
            two classes, logistic units for exclusive classes).
        sklearn.exceptions.NotFittedError
            If this model is not fitted.

        See Also
        --------
        from_sklearn : the other way.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from skvanilla import VanillaMLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = VanillaMLPClassifier((10,), solver="lbfgs", max_iter=500,
        ...                            random_state=0).fit(X, y)
        >>> mlp = clf.to_sklearn()
        >>> type(mlp).__name__, (mlp.predict(X) == clf.predict(X)).all()
        ('MLPClassifier', np.True_)
        >>> clf.set_params(class_weight="balanced").fit(X, y).to_sklearn()
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: MLPClassifier cannot express class_weight='balanced': it has no such ...
        """
        return _sklearn_bridge.classifier_to_sklearn(self)
