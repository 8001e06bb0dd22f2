"""What both estimators share: their common parameters, fit as named steps, prediction.

This module's one job is :class:`BaseVanillaMLP`, the estimator without its
targets.  It validates the parameters and the data, draws the weights,
hands the training set to :mod:`~skvanilla._training`, runs the forward
pass for prediction and ``hidden_activations``, and tells scikit-learn's
callbacks about the fit.  A head (classifier, regressor) adds what is about
its targets, through these methods:

``_set_targets(y, classes)``
    on a first fit: set ``n_outputs_`` and ``out_activation_`` (and, for
    classes, ``classes_``).
``_encode(y, dtype, name="y")``
    check ``y`` against the fitted targets; return the network's targets
    (in ``dtype``, the data's, where they are not exact small integers);
    ``name`` is the argument's name in error messages (``y_val``).
``_check_warm_start_targets(y)``
    a warm-started ``fit`` continues the model: refuse a ``y`` it cannot.
``_target_sample_weight(y, sample_weight, dtype)``
    the sample weights training uses (the classifier's class weights).
``_split_groups(y)``, ``_default_score(Z, y, sample_weight)``
    see :mod:`~skvanilla._validation`.

and the class attribute ``_y_numeric`` (must ``y`` be numbers?).  Each head
also has its own ``__init__``, whose signature is its public API (the
scikit-learn estimator's, then skvanilla's extras), and which stores the
arguments with :meth:`BaseVanillaMLP._set_init_params`.
"""

from numbers import Integral, Real
from types import MethodType
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.callback import CallbackSupportMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions

from . import _inputs, _lbfgs, _rollback, _stopping, _training
from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._devices import NamespaceMixin
from ._losses import make_loss
from ._network import Network, forward, forward_z, init_params
from ._persistence import PersistenceMixin
from ._validation import DataSet, training_and_validation_sets
from ._xp import NUMPY


def check_finite_rows(values, what, xp=NUMPY):
    """Refuse a prediction whose ``values`` overflowed, naming the rows that did."""
    bad = ~xp.all(xp.isfinite(values), axis=1)
    if xp.any(bad):
        bad = xp.to_host(bad)
        raise ValueError(
            f"X is too large for this network: {what} of {bad.sum()} sample(s) "
            f"overflow {values.dtype} (first: row {np.flatnonzero(bad)[0]}). Scale the "
            "input features as they were scaled for fit."
        )


class TrainingRun(NamedTuple):
    """One call's training, as :meth:`BaseVanillaMLP._begin_training` sets it up."""

    data: DataSet
    train: DataSet
    validation: DataSet | None
    callbacks: object
    metadata: dict | None


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
        # scikit-learn's available_if says the first sentence; its own check the rest.
        raise AttributeError(
            f"This '{type(estimator).__name__}' has no attribute 'partial_fit': "
            "partial_fit is only available for stochastic optimizers. lbfgs is not "
            "stochastic."
        )
    if estimator.early_stopping:
        raise _PartialFitRefused(
            "partial_fit does not support early_stopping=True: each call is one "
            "epoch over the samples given, with no validation split to stop on. "
            "Set early_stopping=False, or train with fit."
        )
    return True


class BaseVanillaMLP(NamespaceMixin, PersistenceMixin, CallbackSupportMixin, BaseEstimator):
    """The multi-layer perceptron without its targets: use a head that derives from it."""

    #: The constraints of the parameters both heads take; each head adds its own.
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
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "scoring": [str, callable, None],
        "weighted_validation_split": ["boolean"],
    }

    #: Whether ``y`` must be numbers (regression) or may be any labels.
    _y_numeric = False

    def _set_init_params(self, params):
        """Store the constructor's arguments, ``locals()`` of a head's ``__init__``, as given.

        scikit-learn's rule for ``__init__``: each argument becomes the
        attribute of its name, unchanged; checks wait for ``fit``.
        """
        for name, value in params.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

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
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets: class labels or a multilabel indicator matrix for
            the classifier, real values for the regressor.
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
        self : object
            The fitted estimator.
        """
        validation = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    @_available_if(_can_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X``, continuing from the current weights.

        Only with ``solver="sgd"`` or ``"adam"``, and not with
        ``early_stopping=True`` (a ``ValueError``, as in scikit-learn, which is
        also an ``AttributeError``: ``hasattr(est, "partial_fit")`` is False):
        each call trains on every sample it is given, so there is no validation
        split to stop on.  ``n_iter_`` is the epochs of the last call (1);
        ``t_`` and ``loss_curve_`` keep counting across calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
            The estimator, trained one epoch more.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None, validation=None):
        """Train, or leave the estimator as it was (see :mod:`~skvanilla._rollback`).

        The one exception: training that diverged keeps its last finite
        weights and the record up to them (an interrupted one returns
        normally, with its last weights).  A ``partial_fit`` is one epoch,
        so its last finite weights are those it started from, and it goes
        back to the state it started from, optimizer included.  A ``fit``
        that diverged has no finite optimizer state to continue from: the
        next ``partial_fit`` starts a new optimizer.
        """
        before = _rollback.snapshot(self)
        try:
            return self._train(X, y, sample_weight, incremental, classes, validation)
        except _stopping.TrainingDiverged:
            if incremental:
                _rollback.restore(self, before)
            else:
                self.__dict__.pop("_optimizer", None)
            raise
        except BaseException:
            _rollback.restore(self, before)
            raise
        finally:
            _rollback.drop_transient(self)

    def _train(self, X, y, sample_weight, incremental, classes, validation):
        run = self._begin_training(X, y, sample_weight, incremental, classes, validation)
        if self.solver == "lbfgs":
            _lbfgs.fit_lbfgs(self, run.train, run.validation, run.callbacks)
        else:
            _training.fit_stochastic(
                self, run.train, run.validation, incremental=incremental, callbacks=run.callbacks
            )
        self._end_training(run)
        return self

    def _begin_training(self, X, y, sample_weight, incremental, classes, validation):
        """Everything before the solver: the data, its split, the callbacks' context.

        A stack of networks (see :mod:`~skvanilla._stack`) begins and ends
        each of its estimators' training with these two steps, as ``fit``
        does.  Returns a :class:`TrainingRun`.
        """
        data = self._prepare_fit(X, y, sample_weight, incremental, classes)
        train, validation = training_and_validation_sets(
            self, data, validation or (None, None, None), incremental
        )
        callbacks = self._init_callback_context(max_subtasks=1 if incremental else self.max_iter)
        metadata = None if data.sample_weight is None else {"sample_weight": data.sample_weight}
        callbacks.call_on_fit_task_begin(estimator=self, X=data.X, y=data.y, metadata=metadata)
        return TrainingRun(data, train, validation, callbacks, metadata)

    def _end_training(self, run):
        """Tell the callbacks that the fit ended."""
        run.callbacks.call_on_fit_task_end(
            estimator=self, X=run.data.X, y=run.data.y, metadata=run.metadata,
            reconstruction_attributes={},
        )

    def _prepare_fit(self, X, y, sample_weight, incremental, classes=None):
        """Validate the data, encode the targets and, on a first fit, draw the weights.

        Returns the training :class:`~skvanilla._validation.DataSet`.
        """
        hidden = self._hidden_layer_sizes()
        activations = self._hidden_activation_names(len(hidden))
        if self.dropout > 0 and self.solver == "lbfgs":
            raise ValueError(
                "dropout needs a stochastic solver ('sgd' or 'adam'): it makes the "
                "objective random, which L-BFGS's line searches cannot follow."
            )
        first_pass = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        xp = _inputs.namespace_of(X)
        if not first_pass:  # the model's arrays and X must live in one place
            _inputs.check_same_namespace(self, X, "partial_fit" if incremental else "fit")
        X, y, sample_weight, dtype = _inputs.training_data(
            self, X, y, sample_weight, first_pass, xp
        )
        # Targets and weights are made on the host, in numpy's dtype of the weights' width.
        dtype = xp.numpy_dtype(dtype)
        if first_pass:
            self._set_targets(y, classes if incremental else None)
        if self.warm_start and not (first_pass or incremental):
            self._check_warm_start_targets(y)  # before _encode: its message is MLPClassifier's
        Y = self._encode(y, dtype)
        sample_weight = self._target_sample_weight(y, sample_weight, dtype)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X.shape[1], hidden, activations, dtype, xp)
        return DataSet(X, Y, y, sample_weight)

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(  # MLPClassifier's message, then what it takes
                f"hidden_layer_sizes must be > 0, got {sizes}. Give one positive "
                "integer per hidden layer."
            )
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

    def _initialize(self, n_features, hidden, activations, dtype, xp=NUMPY):
        layer_units = [n_features, *hidden, self.n_outputs_]
        self.n_layers_ = len(layer_units)
        # Glorot's gain: 2 for logistic units, 6 otherwise.  The output layer
        # takes the gain of the last hidden layer (with one activation name,
        # scikit-learn's choice for every layer).
        per_layer = [*activations, *activations[-1:]] if activations else [self.activation]
        if isinstance(self.activation, str):
            per_layer = [self.activation] * (self.n_layers_ - 1)
        gains = [2.0 if a == "logistic" else 6.0 for a in per_layer]
        coefs, intercepts = init_params(layer_units, gains, self._random_state, dtype)
        # Drawn by numpy on the host, then moved: the same weights in every namespace.
        self.coefs_ = [xp.from_host(W) for W in coefs]
        self.intercepts_ = [xp.from_host(b) for b in intercepts]
        self._start_record()

    def _start_record(self):
        """The record of training before the first epoch: counters, curves, optimizer.

        Set for new weights, and for weights adopted from scikit-learn (see
        ``from_sklearn``) before its record is copied over this one.  Best
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
        return Network(
            [HIDDEN_ACTIVATIONS[a] for a in names],
            OUTPUT_ACTIVATIONS[self.out_activation_],
            make_loss(self.loss, self.out_activation_),
            self._namespace(),
        )

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
            xp = self._namespace()
            return {
                "coefs_": [xp.copy(c) for c in self.coefs_],
                "intercepts_": [xp.copy(b) for b in self.intercepts_],
            }

        return context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes=snapshot
        )

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _forward_z(self, X):
        """The output pre-activations of validated ``X`` (see :func:`forward_z`)."""
        net = self._network()
        return forward_z(X, self.coefs_, self.intercepts_, net.activations, net.xp)

    def _output_z(self, X, method="predict"):
        """Validate ``X`` and return the output layer's pre-activation."""
        Z = self._forward_z(_inputs.data_to_predict(self, X, method, integers=True))
        check_finite_rows(Z, "the outputs", self._namespace())
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
        X = _inputs.data_to_predict(self, X, "hidden_activations")
        n_hidden = self.n_layers_ - 2
        if not isinstance(layer, Integral) or not -n_hidden <= layer < n_hidden:
            raise ValueError(
                f"layer must be an integer in [{-n_hidden}, {n_hidden - 1}] for a network "
                f"with {n_hidden} hidden layers; got {layer!r}."
            )
        layer = layer % n_hidden
        net = self._network()
        with net.xp.errstate(over="ignore"):
            _, As = forward(
                X,
                self.coefs_[: layer + 1],
                self.intercepts_[: layer + 1],
                Network(net.activations[:layer], net.activations[layer], net.loss, net.xp),
                keep=False,
            )
        return As[-1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags
