"""``from_sklearn`` and ``to_sklearn``, the two public methods of conversion, written once.

This module's one job is the face that both estimators show to scikit-learn's
MLPs: two methods, documented once.  The work is in
:mod:`skvanilla._sklearn_bridge`; each head names its two functions there
as the static methods ``_bridge_from_sklearn`` and ``_bridge_to_sklearn``.
"""


class SklearnTwinMixin:
    """``from_sklearn`` and ``to_sklearn`` for a head with a scikit-learn twin."""

    @classmethod
    def from_sklearn(cls, estimator):
        """The fitted equivalent of a fitted scikit-learn ``MLPClassifier`` or ``MLPRegressor``.

        :class:`VanillaMLPClassifier` takes an MLPClassifier and
        :class:`VanillaMLPRegressor` an MLPRegressor.  The new estimator has
        the same parameters (this package's own extras at their defaults),
        classes, weights and fitted attributes, and so the same predictions.
        The state of training comes along too -- the optimizer's velocities
        or moments and learning rate, the count of epochs without
        improvement, the best validation weights -- so that ``partial_fit``,
        or ``fit`` with ``warm_start=True``, takes the steps that
        ``estimator`` would take.  Nothing is shared with ``estimator``.

        Where scikit-learn records less than this package, the new estimator
        starts its own record: after ``lbfgs``, ``loss_curve_`` is empty and
        ``best_loss_`` is ``loss_``; with early stopping, the entries of
        ``validation_loss_curve_`` are NaN, losses that were not measured.

        Parameters
        ----------
        estimator : MLPClassifier or MLPRegressor
            Fitted; the twin of this class.

        Returns
        -------
        VanillaMLPClassifier or VanillaMLPRegressor
            An instance of this class, fitted.

        Raises
        ------
        TypeError
            If ``estimator`` is not this class's twin.
        sklearn.exceptions.NotFittedError
            If it is not fitted.

        See Also
        --------
        to_sklearn : the other way.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.neural_network import MLPClassifier, MLPRegressor
        >>> from skvanilla import VanillaMLPClassifier, VanillaMLPRegressor
        >>> X, y = load_iris(return_X_y=True)
        >>> mlp = MLPClassifier((10,), solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
        >>> clf = VanillaMLPClassifier.from_sklearn(mlp)
        >>> np.abs(clf.predict_proba(X) - mlp.predict_proba(X)).max() < 1e-12
        np.True_
        >>> clf.n_iter_ == mlp.n_iter_, clf.get_params()["hidden_layer_sizes"]
        (True, (10,))
        >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=500,
        ...                    random_state=0).fit(X[:, :3], X[:, 3])
        >>> reg = VanillaMLPRegressor.from_sklearn(mlp)
        >>> bool(np.abs(reg.predict(X[:, :3]) - mlp.predict(X[:, :3])).max() < 1e-12)
        True
        """
        return cls._bridge_from_sklearn(cls, estimator)

    def to_sklearn(self):
        """The fitted scikit-learn ``MLPClassifier`` or ``MLPRegressor`` equivalent to this model.

        The inverse of :meth:`from_sklearn`: the same parameters, classes,
        weights, fitted attributes and state of training, for a
        configuration that scikit-learn's twin can express.

        Returns
        -------
        MLPClassifier or MLPRegressor
            Fitted; it shares nothing with this model.  Its arrays are numpy's,
            also for a model fitted on another namespace (a GPU's arrays come
            to the host).

        Raises
        ------
        ValueError
            Naming what the twin cannot express: one of this package's own
            parameters away from its default (``dropout``, ``scoring``; for
            the classifier also ``loss`` and ``class_weight``), an activation
            the twin lacks or a list of them, or output units other than the
            twin's own (two softmax units for two classes, logistic units for
            exclusive classes).
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
        # scikit-learn's MLPs compute with numpy: a model on a device comes to the host.
        return self._bridge_to_sklearn(self._on_numpy())
