"""The documentation both estimators share, written once.

This module's one job is the numpydoc text of the parameters and fitted
attributes that the classifier and the regressor have in common.  Each
class docstring holds the lines ``{shared_parameters}`` and
``{shared_attributes}`` where the text goes; :func:`fill_docstring`
puts it there, so that ``help()``, the API reference and doctests see a
whole docstring.
"""

SHARED_PARAMETERS = """\
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
        epochs.
    momentum : float, default=0.9
        Momentum of ``sgd``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``sgd``.
    early_stopping : bool, default=False
        Stop when the validation ``scoring`` stops improving, and keep the best
        weights.  The validation set is ``X_val, y_val`` if given to ``fit``,
        else ``validation_fraction`` of the data.
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
        Budget of loss evaluations of ``lbfgs``."""

DROPOUT_AND_SCORING = """\
    dropout : float in [0, 1), default=0.0
        Probability of dropping each hidden unit during training (inverted
        dropout: kept units are scaled by ``1 / (1 - dropout)``, so
        prediction uses the whole network unchanged).  A sample's mask depends
        on its values and the step, so repeated samples and weighted samples
        stay equivalent.
    scoring : None, "loss", str or callable, default=None
        What early stopping maximises on the validation set: ``None`` is
        the estimator's ``score`` (as scikit-learn), ``"loss"`` the negated
        validation loss, any other string a scikit-learn scorer name, and a
        callable is called as ``scoring(estimator, X_val, y_val)``.
    weighted_validation_split : bool, default=False
        How early stopping holds out ``validation_fraction`` of the data.
        ``False``: scikit-learn's ``train_test_split`` (stratified by class
        for a binary classifier), drawn from ``random_state`` as
        MLPClassifier and MLPRegressor draw it, so that the same settings
        train the same model.  ``True``: a split that treats a weighted
        sample as its repeats -- identical rows stay on one side, and each
        class gives ``validation_fraction`` of its *weight* -- so that
        ``sample_weight=2`` and a duplicated row train the same model, which
        a split by rows cannot give."""

SHARED_ATTRIBUTES = """\
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
        Feature names seen during fit, when ``X`` has string column names."""


def fill_docstring(cls):
    """Class decorator: put the shared text into ``cls.__doc__``'s placeholders."""
    doc = cls.__doc__
    for name, text in (
        ("{shared_parameters}", SHARED_PARAMETERS),
        ("{dropout_and_scoring}", DROPOUT_AND_SCORING),
        ("{shared_attributes}", SHARED_ATTRIBUTES),
    ):
        doc = doc.replace("    " + name, text)
    cls.__doc__ = doc
    return cls
