"""Classes: which a target holds, the checks of labels, and the weights of classes.

This module's one job is what the classifier knows of classes, as
functions of arrays: the kind of target and its classes on a first fit,
the checks of later labels against them (``partial_fit``, warm starts,
validation sets), and ``class_weight``, a weight per class (or, for
multilabel targets, per label value) multiplied into ``sample_weight``.
"""

import numpy as np
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.multiclass import type_of_target

from ._inputs import check_total_weight

_TARGET_KINDS = {
    "binary": "binary",
    "multiclass": "multiclass",
    "multilabel-indicator": "multilabel",
}


def target_type(y):
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


def labels_array(labels, name):
    """``labels`` as a 1-D array, refusing what is not a sequence of labels.

    ``np.asarray`` makes a set, a dict or a single label a 0-D array of
    one object, which would then read as one class.
    """
    if isinstance(labels, (set, frozenset, dict, str, bytes)) or not hasattr(labels, "__len__"):
        raise ValueError(
            f"Expected array-like (array or non-string sequence), got {labels!r}: "
            f"{name} lists the labels, as a list or a 1-D array."
        )
    array = np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, a list of labels; got shape {array.shape}.")
    return array


def find_classes(y, classes):
    """The classes and the kind of target of a first fit: ``(classes_, kind)``.

    ``classes`` is ``partial_fit``'s argument (``None`` elsewhere); it names
    every class, where ``y`` may hold only some.
    """
    target = target_type(y)
    if target not in _TARGET_KINDS:
        raise ValueError(
            f"Unknown label type: y is {target!r}; expected binary or multiclass "
            "labels, or a multilabel indicator matrix."
        )
    if _TARGET_KINDS[target] == "multilabel":
        return np.arange(y.shape[1]), "multilabel"
    if classes is not None:
        classes = labels_array(classes, "classes")
        if classes.dtype.kind == "f" and np.isnan(classes).any():
            raise ValueError(f"classes contains NaN: {classes.tolist()}.")
    try:
        found = np.unique(y if classes is None else classes)
    except TypeError as exc:
        raise TypeError(
            f"classes mixes labels of types that cannot be compared ({exc}); use "
            "labels of one type, all numbers or all strings."
        ) from exc
    if len(found) < 2:
        raise ValueError(f"y has 1 class ({found[0]!r}); a classifier needs at least 2.")
    return found, "binary" if len(found) == 2 else "multiclass"


def output_activation(out_activation, kind):
    """The output units for the parameter ``out_activation`` and a kind of target."""
    out = out_activation
    if out == "auto":
        out = "softmax" if kind == "multiclass" else "logistic"
    if out == "softmax" and kind == "multilabel":
        raise ValueError(
            "out_activation='softmax' makes the outputs sum to one, which a multilabel "
            "target does not; use 'logistic' or 'auto'."
        )
    return out


def check_labels(y, classes, kind, name="y"):
    """``y`` must hold only known classes (the columns of the first fit, if multilabel).

    ``name`` is the argument's name in the message (``y_val`` for a validation
    set).  The message begins with MLPClassifier's, so that code matching it
    keeps working, and then names the labels that are new.

    Examples
    --------
    >>> check_labels(np.array([0, 2]), np.array([0, 1]), "binary")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: `y` has classes not in `self.classes_`. `self.classes_` has [0 1]. ...
    """
    if kind == "multilabel":
        if y.ndim != 2 or y.shape[1] != len(classes):
            raise ValueError(
                f"{name} must be a multilabel indicator matrix with {len(classes)} "
                "columns, as in the first fit."
            )
        return
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D for a model fitted on class labels.")
    unseen = np.setdiff1d(y, classes)
    if unseen.size:
        raise ValueError(
            f"`{name}` has classes not in `self.classes_`. `self.classes_` has {classes}. "
            f"'{name}' has {np.unique(y)}. The labels {unseen.tolist()} were not seen in "
            "the first fit; every label must be one of the classes it named."
        )


def check_all_classes(y, classes, kind):
    """A warm-started ``fit`` continues the model: ``y`` must hold exactly its classes.

    As in MLPClassifier, unlike ``partial_fit``, where a batch may miss
    classes; the message begins with MLPClassifier's.  The columns of a
    multilabel ``y`` are checked by :func:`check_labels`.

    Examples
    --------
    >>> check_all_classes(np.array([0, 1]), np.array([0, 1, 2]), "multiclass")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: warm_start can only be used where `y` has the same classes ... y lacks [2]: ...
    """
    if kind == "multilabel" or np.ndim(y) != 1:
        return
    found = np.unique(y)
    missing = np.setdiff1d(classes, found)
    added = np.setdiff1d(found, classes)
    if missing.size or added.size:
        differences = [
            f"{what} {values.tolist()}"
            for what, values in (("lacks", missing), ("adds", added))
            if values.size
        ]
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in the "
            f"previous call to fit. Previously got {classes}, `y` has {found}. y "
            f"{' and '.join(differences)}: pass all the classes, or set "
            "warm_start=False to fit anew."
        )


def check_same_classes(classes, known):
    """``partial_fit``'s ``classes`` after the first call: the same set, in any order.

    The message begins with MLPClassifier's (``classes`` as it was passed).

    Examples
    --------
    >>> check_same_classes([0, 1], np.array([0, 1, 2]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: `classes=[0, 1]` is not the same as on last call to partial_fit, was: ...
    """
    given = labels_array(classes, "classes")
    try:
        same = np.array_equal(np.unique(given), known)
    except TypeError:  # labels that cannot be sorted together are not known's
        same = False
    if not same:
        raise ValueError(
            f"`classes={classes!r}` is not the same as on last call to partial_fit, "
            f"was: {known!r}. Every call must name the same classes, in any order "
            "(a call's y may hold only some of them)."
        )


def class_sample_weight(class_weight, classes, kind, y, sample_weight, dtype):
    """Each sample's weight times its class's weight (``sample_weight`` if no class weight).

    Parameters
    ----------
    class_weight : dict, list of dict, "balanced" or None
    classes : ndarray
        The fitted ``classes_``.
    kind : {"binary", "multiclass", "multilabel"}
    y : ndarray
        Labels, all in ``classes``, or an indicator matrix.
    sample_weight : ndarray or None
    dtype : numpy dtype

    Returns
    -------
    ndarray of shape (n_samples,) or None
    """
    if class_weight is None:
        return sample_weight
    if kind == "multilabel":
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
        per_sample = _balanced(classes, y, sample_weight)
    else:
        weights = compute_class_weight(class_weight, classes=classes, y=y)
        per_sample = weights[np.searchsorted(classes, y)]
    per_sample = per_sample.astype(dtype)
    sample_weight = per_sample if sample_weight is None else per_sample * sample_weight
    _check_class_weighted(sample_weight)
    return sample_weight


def _balanced(classes, y, sample_weight):
    """``total / (n_classes_present * class_total)`` per sample, totals weighted.

    Totals are sums of sample weights, so that a sample of weight 2 and
    two copies of it are balanced alike; in ``partial_fit`` they are the
    totals of the batch at hand.
    """
    index = np.searchsorted(classes, y)
    w = np.ones(len(y)) if sample_weight is None else sample_weight
    totals = np.bincount(index, weights=w, minlength=len(classes))
    present = totals > 0
    weights = np.zeros(len(classes))
    weights[present] = w.sum() / (present.sum() * totals[present])
    return weights[index]


def _check_class_weighted(sample_weight):
    """Sample weights after ``class_weight``: finite, non-negative, with a usable sum."""
    if not np.isfinite(sample_weight).all() or (sample_weight < 0).any():
        raise ValueError(
            "class_weight must give every class a finite, non-negative weight; the "
            "weights of the samples became non-finite or negative."
        )
    if not sample_weight.any():
        raise ValueError("class_weight gives every sample a weight of zero.")
    check_total_weight(sample_weight, "The sample weights times class_weight")
