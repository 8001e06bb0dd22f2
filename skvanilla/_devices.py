"""Moving a fitted model between array namespaces and devices.

This module's one job is :class:`NamespaceMixin`, which tells in which
namespace a fitted model lives, and its public
:meth:`~NamespaceMixin.to_namespace`:
a copy of a fitted model whose arrays -- weights, the best weights of early
stopping, the optimizer's velocities or moments -- live in another
namespace, on another device.  Everything else (the record of training, the
random generator, ``classes_``) is copied as it is.  Arrays travel through
the host, as numpy arrays.
"""

import copy

import numpy as np
from sklearn.base import clone
from sklearn.externals import array_api_compat
from sklearn.utils.validation import check_is_fitted

from ._inputs import namespace_of, namespace_of_weights, to_host
from ._xp import NUMPY, ArrayAPI

#: The fitted attributes that are lists of arrays of the model's namespace.
_ARRAY_LISTS = ("coefs_", "intercepts_", "_best_coefs", "_best_intercepts")


def adapter(xp, device=None):
    """The adapter of namespace ``xp`` (a module) on ``device``."""
    if xp is np or getattr(xp, "__name__", "").split(".")[-1] == "numpy":
        if device not in (None, "cpu"):
            raise ValueError(f"numpy arrays live on the CPU; got device={device!r}.")
        return NUMPY
    try:
        probe = xp.asarray(0.0, device=device)
    except (AttributeError, TypeError) as exc:
        raise TypeError(
            f"xp must be an array namespace such as numpy, torch or array_api_strict; "
            f"got {xp!r} ({exc})."
        ) from exc
    return ArrayAPI(array_api_compat.array_namespace(probe), array_api_compat.device(probe))


def moved(model, target):
    """A copy of the fitted ``model`` with its arrays in ``target`` (an adapter)."""
    source = model._namespace()

    def move(a):
        if source == target:  # a copy where the array lies
            return target.copy(a)
        return target.from_host(np.array(source.to_host(a), copy=True))

    new = clone(model)
    for name, value in vars(model).items():
        if name in _ARRAY_LISTS:
            value = [move(a) for a in value]
        elif name == "_optimizer":
            value = _moved_optimizer(value, move, target)
        else:
            value = copy.deepcopy(value)
        setattr(new, name, value)
    return new


def _moved_optimizer(optimizer, move, target):
    new = copy.copy(optimizer)
    for name, value in vars(optimizer).items():
        if name != "xp" and hasattr(value, "shape") and hasattr(value, "dtype"):
            setattr(new, name, move(value))
    new.xp = target
    return new


class NamespaceMixin:
    """Where a fitted model's arrays live, and how to move them (both estimators)."""

    def _namespace(self):
        """The adapter of the namespace and device the fitted weights live in."""
        return namespace_of_weights(self.coefs_[0])

    def _on_numpy(self):
        """This model if it is not fitted or lives in numpy, else a copy moved to numpy."""
        if not hasattr(self, "coefs_") or self._namespace().is_numpy:
            return self
        return moved(self, NUMPY)

    def __copy__(self):
        """A shallow copy (scikit-learn's callbacks make one per epoch), on any device."""
        new = type(self).__new__(type(self))
        if hasattr(self, "coefs_") and not self._namespace().is_numpy:
            vars(new).update(vars(self))
        else:  # as copy.copy always did: through the saved state
            new.__setstate__(self.__getstate__())
        return new

    def __deepcopy__(self, memo):
        """A deep copy; that of a model on a device stays there.

        ``pickle`` refuses a model holding device arrays (see
        :mod:`skvanilla._persistence`); ``copy.deepcopy``, which scikit-learn's
        callbacks and meta-estimators use, copies its arrays on their device.
        A numpy model is copied as ``copy.deepcopy`` always did, through its
        saved state.
        """
        if hasattr(self, "coefs_") and not self._namespace().is_numpy:
            new = moved(self, self._namespace())
        else:
            new = type(self).__new__(type(self))
            memo[id(self)] = new
            new.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        memo[id(self)] = new
        return new

    def _score(self, metric, X, y, sample_weight):
        """``metric`` of :meth:`predict` on ``X`` against ``y``: each head's ``score``.

        On numpy, what scikit-learn's ``ClassifierMixin``/``RegressorMixin``
        compute.  For ``X`` on a device, the predictions and ``y`` (one value a
        sample) are brought to the host first: scikit-learn's metrics would
        compute in the device's default float, which is float32 for PyTorch,
        where a score should be exact.
        """
        if namespace_of(X).is_numpy:
            return metric(y, self.predict(X), sample_weight=sample_weight)
        predicted = to_host(self.predict(X))
        return float(metric(to_host(y), predicted, sample_weight=to_host(sample_weight)))

    def to_namespace(self, xp, device=None):
        """A copy of this fitted model whose arrays live in namespace ``xp`` on ``device``.

        Weights, the best weights of early stopping and the optimizer's
        state all move, so that the copy predicts, and goes on training
        with ``partial_fit`` or ``warm_start``, there; ``classes_`` stays a
        numpy array.  Use it to bring a model fitted on a GPU back to numpy
        (to save it, export it, or serve it on a CPU), or to send a numpy
        model to a device.  This model is left as it is.

        Parameters
        ----------
        xp : module
            ``numpy``, ``torch``, ``array_api_strict``, ``cupy``: the
            namespace itself, or any namespace scikit-learn's Array API
            support accepts.
        device : str or device object, default=None
            Where the arrays go (``"cuda"``, ``"cpu"`` ...); ``None`` is the
            namespace's default device.

        Returns
        -------
        model : estimator
            Fitted; it shares no array with this one.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from skvanilla import VanillaMLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = VanillaMLPClassifier((5,), solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
        >>> copy = clf.to_namespace(np)
        >>> type(copy.coefs_[0]).__name__, bool((copy.predict(X) == clf.predict(X)).all())
        ('ndarray', True)

        With PyTorch installed (and ``SCIPY_ARRAY_API=1``), a model fitted on
        CUDA tensors comes back to numpy with ``clf.to_namespace(np)``, and
        ``clf.to_namespace(torch, "cuda")`` sends one there.
        """
        check_is_fitted(self)
        return moved(self, adapter(xp, device))
