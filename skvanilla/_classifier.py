"""The classifier: class labels, one-hot targets, class weights, probabilities.

This module's one job is :class:`VanillaMLPClassifier`, the head of
:class:`~skvanilla._base.BaseVanillaMLP` that is about classes: it turns
labels into the network's targets and its outputs back into labels and
probabilities, weights the classes, scores by accuracy, and converts to
and from scikit-learn's ``MLPClassifier``.
"""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions

from . import _classes, _labels, _sklearn_bridge
from ._base import BaseVanillaMLP, _available_if, _can_partial_fit
from ._docs import fill_docstring
from ._sklearn_twin import SklearnTwinMixin


@fill_docstring
class VanillaMLPClassifier(ClassifierMixin, SklearnTwinMixin, BaseVanillaMLP):
    """A multi-layer perceptron classifier, backpropagation written from scratch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    the parameters up to ``max_fun`` have the same names, order, defaults and
    meaning.  The forward pass, backpropagation and the optimizers are plain
    numpy functions in this package, tested against finite differences.

    Parameters
    ----------
    {shared_parameters}
    loss : {"log_loss", "squared_error"}, default="log_loss"
        Per-sample loss.  ``"squared_error"`` is the loss of the post
        "Programming a neural network from scratch" (Ritchie Vink, 2017),
        :math:`\\frac12\\sum_k (p_k - y_k)^2`.
    out_activation : {"auto", "softmax", "logistic"}, default="auto"
        Output units.  ``"auto"``: softmax for multiclass targets, one logistic
        unit for binary ones, one per label for multilabel ones.
        ``"logistic"`` with multiclass targets is that post's output layer,
        one sigmoid per class; its probabilities are normalised to sum to one.
    class_weight : dict, list of dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
        ``"balanced"`` gives class ``c`` the weight
        ``W / (n_classes * W_c)``, where ``W`` and ``W_c`` are total sample
        weights (counts, without ``sample_weight``); in ``partial_fit`` they
        are the totals of each call's samples.  For multilabel targets:
        ``"balanced"`` or one dict per label, ``{0: w0, 1: w1}``, and a
        sample's weight is the product over its labels.
    {dropout_and_scoring}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    {shared_attributes}

    See Also
    --------
    sklearn.neural_network.MLPClassifier : the estimator this one replaces.
    VanillaMLPRegressor : the same network for continuous targets.

    Notes
    -----
    With ``warm_start=True``, ``y`` must hold the same classes as before.
    The validation set that early stopping holds out is MLPClassifier's
    (``weighted_validation_split=True``: ``validation_fraction`` of each
    class's weight); ``scoring=None`` is accuracy.

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
        **BaseVanillaMLP._parameter_constraints,
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "out_activation": [StrOptions({"auto", "softmax", "logistic"})],
        "class_weight": [StrOptions({"balanced"}), dict, list, None],
    }

    # scikit-learn reads the parameters from this signature, which may not hide them
    # behind **kwargs: so each head spells out its own, in MLPClassifier's order.
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
        weighted_validation_split=False,
    ):
        self._set_init_params(locals())

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
            if _classes.target_type(y) != "multilabel-indicator":
                raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is not None and hasattr(self, "classes_"):
            _classes.check_same_classes(classes, self.classes_)
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    # ------------------------------------------------------------------
    # Targets
    # ------------------------------------------------------------------

    def _set_targets(self, y, classes):
        """``classes_``, the kind of target, and the output units it needs."""
        self.classes_, self._target_kind = _classes.find_classes(y, classes)
        self.out_activation_ = _classes.output_activation(self.out_activation, self._target_kind)
        self.n_outputs_ = _labels.n_output_units(
            self._target_kind, len(self.classes_), self.out_activation_
        )

    def _encode(self, y, dtype=None, name="y"):
        """One-hot targets, after checking the labels against ``classes_``.

        Held as ``uint8``: targets are 0 or 1, and a byte is an eighth of a
        float64 (on 60000 samples of 10 classes, 0.6 MB instead of 4.8);
        arithmetic with the network's floats promotes them, so ``dtype`` is
        not needed.
        """
        _classes.check_labels(y, self.classes_, self._target_kind, name)
        return _labels.one_hot(y, self.classes_, self._target_kind, self.n_outputs_, np.uint8)

    def _check_warm_start_targets(self, y):
        _classes.check_all_classes(y, self.classes_, self._target_kind)

    def _target_sample_weight(self, y, sample_weight, dtype):
        return _classes.class_sample_weight(
            self.class_weight, self.classes_, self._target_kind, y, sample_weight, dtype
        )

    def _split_groups(self, y):
        """Early stopping holds out a share of each class (of all rows, if multilabel)."""
        return None if self._target_kind == "multilabel" else y

    def _default_score(self, Z, y, sample_weight):
        """Accuracy, as MLPClassifier's early stopping."""
        predicted = _labels.decode(Z, self.classes_, self._target_kind)
        return accuracy_score(y, predicted, sample_weight=sample_weight)

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        Z = self._output_z(X, "predict")
        return _labels.decode(Z, self.classes_, self._target_kind, self._namespace())

    def predict_proba(self, X):
        """Class probabilities, in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._output_z(X, "predict_proba")
        return _labels.proba(Z, self._target_kind, self.out_activation_, self._namespace())

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
        Z = self._output_z(X, "predict_log_proba")
        return _labels.log_proba(Z, self._target_kind, self.out_activation_, self._namespace())

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
        Z = self._output_z(X, "decision_function")
        if self._target_kind == "binary":
            return Z[:, 0] if Z.shape[1] == 1 else Z[:, 1] - Z[:, 0]
        return Z

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on ``X`` against ``y`` (``ClassifierMixin``'s score).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            For multilabel targets, a sample counts only if all its labels are right.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return self._score(accuracy_score, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # Conversion to and from scikit-learn's MLPClassifier: from_sklearn, to_sklearn.
    _bridge_from_sklearn = staticmethod(_sklearn_bridge.classifier_from_sklearn)
    _bridge_to_sklearn = staticmethod(_sklearn_bridge.classifier_to_sklearn)
