"""L2 regularization as plain functions: the penalty added to the loss and its gradient.

Adding ``(lam / 2) * sum(w**2)`` over the weights to the loss adds ``lam * w`` to each weight's
gradient, so one SGD step becomes ``w -= lr * (g + lam * w)``, that is ``w *= 1 - lr * lam`` then
``w -= lr * g``: the weights *decay* towards 0 by a constant factor each step. This is exactly what
``optim.SGD(..., weight_decay=lam)`` does (PyTorch folds ``lam * w`` into the gradient). Under Adam
the two are no longer the same: see ``optim.AdamW``.

``params`` below is a dict ``{name: array}`` (like ``model.params``) or a list of arrays; which
arrays to penalize is your choice (PyTorch's ``weight_decay`` penalizes every parameter, biases
included; many texts penalize the weights only).
"""

import numbers

import numpy as np

__all__ = ["l2_penalty", "l2_penalty_grad"]


def _arrays(params, name):
    if isinstance(params, dict):
        items = list(params.values())
    elif isinstance(params, (list, tuple)):
        items = list(params)
    else:
        raise TypeError(f"{name}: params must be a dict of arrays or a list of arrays, got "
                        f"{type(params).__name__}")
    return [np.asarray(p, dtype=np.float64) for p in items]


def _lam(weight_decay, name):
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real):
        raise TypeError(f"{name}: weight_decay must be a number, got {type(weight_decay).__name__}")
    if not weight_decay >= 0:
        raise ValueError(f"{name}: weight_decay must be >= 0, got {weight_decay!r}")
    return float(weight_decay)


def l2_penalty(params, weight_decay):
    """``(weight_decay / 2) * sum over arrays p of sum(p**2)``, a float (0.0 for no arrays).

    The factor 1/2 makes the gradient exactly ``weight_decay * p`` (no stray 2). Inputs are not
    modified.
    """
    lam = _lam(weight_decay, "l2_penalty")
    return 0.5 * lam * float(sum(np.sum(p * p) for p in _arrays(params, "l2_penalty")))


def l2_penalty_grad(params, weight_decay):
    """The gradient of :func:`l2_penalty`: ``weight_decay * p`` for each array, as new arrays.

    Returns the same kind of container as ``params``: a dict with the same keys, or a list.
    """
    lam = _lam(weight_decay, "l2_penalty_grad")
    grads = [lam * p for p in _arrays(params, "l2_penalty_grad")]
    return dict(zip(params, grads)) if isinstance(params, dict) else grads
