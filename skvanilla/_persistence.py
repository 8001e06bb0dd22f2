"""What a fitted model's saved state holds, and the check made when it is loaded.

A model fitted once may be saved and served for months, or handed to
someone else.  :class:`PersistenceMixin` shapes the state that ``pickle``,
``joblib`` and ``skops`` see:

* the skvanilla version that fitted the model is recorded, and loading the
  state under another version warns with :class:`InconsistentVersionWarning`
  (the maths, defaults or private attributes may have changed in between);
* the private training objects that are not plain data -- the random
  generator and the optimizer -- are written as numpy arrays and Python
  builtins, and rebuilt from those on load.  A state made only of arrays and
  builtins is one that :func:`skops.io.load` can read without trusting any
  type but the estimator's own class.

Rebuilding never imports a name read from the file: an optimizer is looked
up in the fixed table :data:`OPTIMIZERS`, so a crafted file cannot make the
loader construct anything else.
"""

import warnings

import numpy as np

from ._optimizers import SGD, Adam
from ._xp import NUMPY

#: The optimizer classes a saved state may name, by their ``__name__``.
OPTIMIZERS = {cls.__name__: cls for cls in (SGD, Adam)}

_VERSION_KEY = "_skvanilla_version"
# The key of the small dicts that stand for an encoded object; a dunder name
# cannot clash with an estimator attribute.
_KIND_KEY = "__skvanilla_kind__"


class InconsistentVersionWarning(UserWarning):
    """A model is loaded under another skvanilla version than the one that saved it.

    Parameters
    ----------
    estimator_name : str
        Class name of the loaded estimator.
    original_version : str
        The skvanilla version recorded in the saved state (``"unknown"`` for
        a state saved before versions were recorded).
    current_version : str
        The skvanilla version now imported.
    """

    def __init__(self, *, estimator_name, original_version, current_version):
        self.estimator_name = estimator_name
        self.original_version = original_version
        self.current_version = current_version

    def __str__(self):
        return (
            f"Loading {self.estimator_name} saved by skvanilla {self.original_version} "
            f"under skvanilla {self.current_version}; this might give wrong results or "
            "fail. Refit the model with the current version, or load it with the one "
            "that saved it."
        )


def _current_version():
    # Imported late: the package's __init__ imports the estimator, which
    # imports this module, before it defines __version__.
    from . import __version__

    return __version__


def _builtin(value):
    """A numpy scalar as the Python number it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def encode_random_state(rng):
    """A ``RandomState`` as a dict of builtins and one array.

    Parameters
    ----------
    rng : numpy.random.RandomState

    Returns
    -------
    dict

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> copy = decode(encode_random_state(rng))
    >>> copy.randint(1000) == rng.randint(1000)
    True
    """
    state = rng.get_state(legacy=False)
    return {
        _KIND_KEY: "RandomState",
        "bit_generator": str(state["bit_generator"]),
        "key": np.array(state["state"]["key"], copy=True),
        "pos": int(state["state"]["pos"]),
        "has_gauss": int(state["has_gauss"]),
        "gauss": float(state["gauss"]),
    }


def _decode_random_state(data):
    rng = np.random.RandomState()
    rng.set_state(
        {
            "bit_generator": data["bit_generator"],
            "state": {"key": np.asarray(data["key"], dtype=np.uint32), "pos": data["pos"]},
            "has_gauss": data["has_gauss"],
            "gauss": data["gauss"],
        }
    )
    return rng


def encode_optimizer(optimizer):
    """An optimizer as its class name and a dict of its attributes.

    Its attributes are numbers, strings, booleans and flat arrays (the
    velocities or moment estimates); numpy scalars become Python numbers.

    Parameters
    ----------
    optimizer : SGD or Adam

    Returns
    -------
    dict
    """
    attributes = {}
    for name, value in vars(optimizer).items():
        if name == "xp":  # the namespace: a saved model is a numpy one (see __getstate__)
            continue
        if isinstance(value, np.ndarray):
            value = np.array(value, copy=True)
        attributes[name] = _builtin(value)
    return {_KIND_KEY: "optimizer", "class": type(optimizer).__name__, "attributes": attributes}


def _decode_optimizer(data):
    name = data["class"]
    if name not in OPTIMIZERS:
        raise ValueError(
            f"The saved state names an unknown optimizer {name!r}; "
            f"expected one of {sorted(OPTIMIZERS)}."
        )
    # Built without __init__: its arguments are not saved, its state is.
    optimizer = OPTIMIZERS[name].__new__(OPTIMIZERS[name])
    vars(optimizer).update(data["attributes"], xp=NUMPY)
    return optimizer


def encode(value):
    """``value`` in builtins and arrays if it is a generator or an optimizer, else unchanged."""
    if isinstance(value, np.random.RandomState):
        return encode_random_state(value)
    if type(value) in OPTIMIZERS.values():
        return encode_optimizer(value)
    return value


def decode(value):
    """The inverse of :func:`encode`."""
    if isinstance(value, dict) and _KIND_KEY in value:
        kind = value[_KIND_KEY]
        if kind == "RandomState":
            return _decode_random_state(value)
        if kind == "optimizer":
            return _decode_optimizer(value)
        raise ValueError(f"The saved state holds an object of unknown kind {kind!r}.")
    return value


def _check_numpy_weights(model):
    """A saved model holds numpy arrays: refuse, with the way out, a model fitted elsewhere.

    A model fitted on PyTorch or CuPy arrays holds its weights on that
    library's device; what a file would hold then depends on that library,
    its version and the device, and skops could not read it.
    """
    coefs = getattr(model, "coefs_", None)
    if coefs and not isinstance(coefs[0], np.ndarray):
        raise TypeError(
            f"This {type(model).__name__} holds its weights as {type(coefs[0]).__module__}."
            f"{type(coefs[0]).__name__} arrays, which are not saved as they are: move it to "
            "numpy first, with model.to_namespace(numpy), and save that model (move it "
            "back with to_namespace after loading)."
        )


class PersistenceMixin:
    """Saved state of plain data, stamped with the skvanilla version.

    Put it before :class:`sklearn.base.BaseEstimator` among the bases, so
    that scikit-learn's own ``__getstate__`` and ``__setstate__`` still run
    (they record the scikit-learn version for its own estimators).

    Only private attributes (a leading underscore) are encoded: the
    constructor's parameters are the user's and are saved as they are.
    """

    def __getstate__(self):
        _check_numpy_weights(self)
        # A copy: object.__getstate__ may hand back the instance's own __dict__.
        state = dict(super().__getstate__())
        for name, value in state.items():
            if name.startswith("_"):
                state[name] = encode(value)
        state[_VERSION_KEY] = _current_version()
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved = state.pop(_VERSION_KEY, "unknown")
        current = _current_version()
        if saved != current:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    original_version=saved,
                    current_version=current,
                ),
                stacklevel=2,
            )
        for name, value in state.items():
            if name.startswith("_"):
                state[name] = decode(value)
        super().__setstate__(state)
