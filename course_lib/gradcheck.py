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

import numpy as np

#: relative error below which a float64 gradient counts as correct
THRESHOLD = 1e-7


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
    ``AssertionError`` when ``backward`` modifies ``dout`` in place (the layer contract forbids it).
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
    dx = layer.backward(dout)
    if not np.array_equal(dout, dout_copy):
        raise AssertionError(f"{type(layer).__name__}.backward modified dout in place; "
                             "copy it first (dout = dout.copy()) or build a new array")
    analytic = {"x": np.array(dx, dtype=np.float64)}
    for name, grad in layer.grads.items():
        analytic[name] = np.array(grad, dtype=np.float64)

    def loss():
        return np.sum(layer.forward(x) * dout)

    errors = {"x": rel_error(analytic["x"], numerical_gradient(loss, x, eps))}
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
