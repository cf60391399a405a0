"""Gradient checking: compare an analytic gradient with centered finite differences.

Why it works: for a smooth ``f``, ``(f(x + eps) - f(x - eps)) / (2 eps)`` differs from ``f'(x)`` by
``O(eps**2)``, while a one-sided difference is only ``O(eps)`` off. In float64 with ``eps = 1e-6`` a
correct gradient agrees to a relative error below about ``1e-7``; a bug gives ``1e-2`` or worse.

Thresholds (float64) used throughout the course:

==========  ===============================================
rel. error  verdict
==========  ===============================================
< 1e-7      correct
1e-7..1e-4  suspicious: a kink (ReLU at 0) or a small bug
> 1e-4      wrong
==========  ===============================================
"""

import warnings

import numpy as np

#: relative error below which a float64 gradient counts as correct
THRESHOLD = 1e-7


class CannotFailWarning(UserWarning):
    """A gradient check whose output does not depend on the input: it would pass any backward."""


def numerical_gradient(f, x, eps=1e-6):
    """Centered-difference gradient of a scalar function ``f()`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x``, which is nudged in place one element at a time and
    restored afterwards (so ``x`` can be a layer's parameter array). ``x`` must be a float array;
    use float64 for trustworthy results.

    Returns an array shaped like ``x`` with ``d f / d x[i]`` in each element.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"numerical_gradient: expected a float NumPy array for x, got "
                         f"{type(x).__name__} of dtype {getattr(x, 'dtype', None)}")
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = float(f())
        x[i] = old - eps
        f_minus = float(f())
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def rel_error(a, b):
    """Relative error ``max|a - b| / max(1e-8, max(|a| + |b|))`` between two arrays.

    The scale is taken over the whole array, so an element whose true value is 0 does not blow
    the error up. Returns a float; 0.0 when both are equal.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))


def check_layer_gradients(layer, x, rng=None, eps=1e-6):
    """Check a layer's ``backward`` against numerical gradients.

    Uses the scalar ``L = sum(layer.forward(x) * dout)`` with a random upstream gradient ``dout``
    (an all-ones ``dout`` hides bugs, e.g. batch norm's gradient sums to zero against it), so that
    ``dL/dout = dout``. Checks ``dL/dx`` and ``dL/dp`` for every entry ``p`` of ``layer.params``.

    Returns ``{"x": err, "W": err, ...}`` with the relative error of each gradient. Raises
    ``AssertionError`` when ``backward`` breaks the layer contract: it modifies ``dout`` in place,
    or it rebinds ``self.grads[k]`` to a new array instead of writing into it (an optimizer holds
    the original arrays, so such a layer would pass plain SGD in ``fit`` yet not train with
    ``optim``).
    Warns (:class:`CannotFailWarning`) when the check of ``dx`` cannot fail: the output does not
    depend on ``x`` at all (a batch of one in batch norm's training mode, a softmax over one class,
    a ReLU whose inputs are all negative).
    """
    if not isinstance(rng, np.random.Generator) and rng is not None:
        # a seed of its own: with plain default_rng(seed), an x drawn from the same seed would
        # equal dout, and then a transposed dW (dout.T @ x) would pass the check
        rng = [int(rng), 0x9E37]
    rng = np.random.default_rng(rng)
    x = np.array(x, dtype=np.float64)  # a copy: never mutate the caller's array
    out = layer.forward(x)
    dout = rng.normal(size=np.shape(out))
    dout_copy = dout.copy()
    held = dict(layer.grads)  # the arrays an optimizer would hold
    dx = layer.backward(dout)
    name = type(layer).__name__
    if not np.array_equal(dout, dout_copy):
        raise AssertionError(f"{name}.backward modified dout in place; "
                             "copy it first (dout = dout.copy()) or build a new array")
    for k, grad in held.items():
        if layer.grads.get(k) is not grad:
            raise AssertionError(
                f"{name}.backward rebinds self.grads[{k!r}] to a new array; optimizers hold the "
                f"original array and would never see the gradient: write into it, "
                f"self.grads[{k!r}][...] = ... (not self.grads[{k!r}] = ...)")
    analytic = {"x": np.array(dx, dtype=np.float64)}
    for name, grad in layer.grads.items():
        analytic[name] = np.array(grad, dtype=np.float64)

    def loss():
        return np.sum(layer.forward(x) * dout)

    numeric_x = numerical_gradient(loss, x, eps)
    if x.size and not np.any(np.abs(numeric_x) > 1e-12):
        warnings.warn(f"check_layer_gradients: {name}'s output does not depend on x for this "
                      f"input of shape {x.shape}, so the check of dx cannot fail; use an input "
                      "where it does (a batch of at least 2 for batch norm in training mode)",
                      CannotFailWarning, stacklevel=2)
    errors = {"x": rel_error(analytic["x"], numeric_x)}
    for name, param in layer.params.items():
        errors[name] = rel_error(analytic[name], numerical_gradient(loss, param, eps))
    return errors


def check_loss_gradients(loss, pred, target, eps=1e-6):
    """Check a loss's ``backward()`` against numerical gradients with respect to ``pred``.

    ``loss`` follows the course's loss contract: ``loss.forward(pred, target) -> float`` and
    ``loss.backward() -> dL/dpred``. Returns the relative error as a float.
    """
    pred = np.array(pred, dtype=np.float64)
    loss.forward(pred, target)
    analytic = np.array(loss.backward(), dtype=np.float64)
    numeric = numerical_gradient(lambda: loss.forward(pred, target), pred, eps)
    return rel_error(analytic, numeric)
