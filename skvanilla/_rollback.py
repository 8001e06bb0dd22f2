"""A failed call changes nothing: the estimator's state before a fit, and putting it back.

``fit``, ``partial_fit`` and a warm start either complete or leave the
estimator as the call found it: its weights, its optimizer's state, its
classes and its record of training -- or, on a first fit, unfitted.
Checking every input before writing anything would give the same, but
the checks of a fit are spread over the heads (targets, class weights)
and the validation set, and some need what an earlier step wrote (the
classes, the weights' dtype); so :meth:`BaseVanillaMLP._fit` takes a
:func:`snapshot` before the call and :func:`restore` s it when the call
fails, in one place, whatever the step that failed.

The snapshot is cheap: training never writes into the arrays that the
estimator holds when a call begins (it stacks the weights and the
optimizer's moments into new arrays, see
:func:`~skvanilla._training.train_stack`), so they are kept by reference.
What a call does change in place is copied: the lists of the record
(``loss_curve_`` ...), which training appends to, and the optimizer, whose
step count and learning rate training changes and whose moments it points
at its stack's while it trains.

Only the estimator's optimizer classes are imported here.
"""

import copy

from ._optimizers import SGD, Adam

#: Attributes that live only while a call runs (scikit-learn's callback
#: context of the epoch in flight): never part of a fitted model.
TRANSIENT = ("_epoch_context",)

#: Attributes of scikit-learn's fit wrapper (the callbacks' context of the
#: whole fit), which it tears down and removes itself once the call ends.
_CALLERS = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


def _copy_optimizer(optimizer):
    """An optimizer whose arrays (velocities, moments) are copies."""
    copied = copy.copy(optimizer)
    for name, value in vars(optimizer).items():
        # The namespace adapter answers any name (numpy's ``shape`` too): not an array.
        if name != "xp" and hasattr(value, "shape"):
            setattr(copied, name, optimizer.xp.copy(value))
    return copied


def snapshot(model):
    """The estimator's state, as :func:`restore` puts it back.

    Parameters
    ----------
    model : BaseVanillaMLP

    Returns
    -------
    dict
        The instance's attributes: the lists of the fitted ones and the
        optimizer copied, the rest (parameters included) as they are.
    """
    state = {}
    params = model.get_params(deep=False)
    for name, value in vars(model).items():
        if name in TRANSIENT:
            continue
        if name in params:
            pass  # the constructor's arguments stay the user's own objects
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, (SGD, Adam)):
            value = _copy_optimizer(value)
        state[name] = value
    return state


def restore(model, state):
    """Put back the attributes of :func:`snapshot`, and only those.

    Attributes the failed call added go (after a first fit that failed, the
    estimator is unfitted again), except scikit-learn's own, which its fit
    wrapper still needs to tear the callbacks down.
    """
    attributes = vars(model)
    callers = {name: attributes[name] for name in _CALLERS if name in attributes}
    attributes.clear()
    attributes.update(state, **callers)


def drop_transient(model):
    """Remove what only a running call holds, so that the model saves and copies whole."""
    for name in TRANSIENT:
        vars(model).pop(name, None)
