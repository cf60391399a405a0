"""Activation functions and their derivatives as plain NumPy functions.

Each ``f(x)`` takes an array (or a number) and returns an array of the same shape; ``f_prime(x)``
is its derivative with respect to ``x`` (element-wise). All of them are finite and warning-free
for any finite input, including ``x = ±1000``. ``softmax`` works along an axis (default: the last).
"""

import numpy as np

SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)


def _arr(x):
    return np.asarray(x, dtype=np.float64)


def identity(x):
    """``f(x) = x``: the output activation for regression."""
    return _arr(x).copy()


def identity_prime(x):
    return np.ones_like(_arr(x))


def step(x):
    """Heaviside step: 1 where ``x > 0``, else 0 (the original perceptron's activation)."""
    return (_arr(x) > 0).astype(np.float64)


def step_prime(x):
    """Zero everywhere (undefined at 0): no gradient flows, which is why backprop cannot use it."""
    return np.zeros_like(_arr(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed without overflow: ``exp`` only ever sees ``-|x|``."""
    x = _arr(x)
    z = np.exp(-np.abs(x))               # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_prime(x):
    """``sigmoid(x) * (1 - sigmoid(x))``: at most 0.25, at ``x = 0``."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent, ``2 * sigmoid(2x) - 1``, in (-1, 1)."""
    return np.tanh(_arr(x))


def tanh_prime(x):
    """``1 - tanh(x)**2``: at most 1, at ``x = 0``."""
    return 1.0 - np.tanh(_arr(x)) ** 2


def relu(x):
    """``max(0, x)``."""
    return np.maximum(_arr(x), 0.0)


def relu_prime(x):
    """1 where ``x > 0``, else 0 (we take 0 at ``x = 0``, as PyTorch does)."""
    return (_arr(x) > 0).astype(np.float64)


def leaky_relu(x, negative_slope=0.01):
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise (PyTorch's name and default)."""
    x = _arr(x)
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_prime(x, negative_slope=0.01):
    return np.where(_arr(x) > 0, 1.0, negative_slope)


def elu(x, alpha=1.0):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)`` (``expm1`` keeps small x accurate)."""
    x = _arr(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_prime(x, alpha=1.0):
    x = _arr(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def gelu(x):
    """GELU, tanh approximation: ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    This is PyTorch's ``GELU(approximate="tanh")`` and the form used in GPT-2. The cubic is taken
    on ``x`` clipped to [-100, 100] (tanh is saturated long before), so huge inputs cannot overflow.
    """
    x = _arr(x)
    xc = np.clip(x, -100.0, 100.0)
    # xc * xc * xc, not xc ** 3: ** goes through pow, ~100x slower
    inner = SQRT_2_OVER_PI * (xc + 0.044715 * (xc * xc * xc))
    return 0.5 * x * (1.0 + np.tanh(inner))


def gelu_prime(x):
    x = _arr(x)
    xc = np.clip(x, -100.0, 100.0)
    t = np.tanh(SQRT_2_OVER_PI * (xc + 0.044715 * (xc * xc * xc)))
    # the second term is x * sech^2(...) * (...): exactly 0 once tanh saturates, so use xc there
    d_inner = SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * (xc * xc))
    return 0.5 * (1.0 + t) + 0.5 * xc * (1.0 - t ** 2) * d_inner


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``; subtracting the max first keeps ``exp`` <= 1.

    Rows of the result are positive and sum to 1. ``softmax(x + c) == softmax(x)`` for any ``c``,
    which is why the shift changes nothing but the overflow.
    """
    x = _arr(x)
    with np.errstate(over="ignore"):  # a row spanning more than the float range: -inf -> exp 0
        e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """``log(softmax(x))`` via the log-sum-exp trick: finite even where softmax underflows to 0."""
    x = _arr(x)
    with np.errstate(over="ignore"):
        shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_jacobian(s):
    """Jacobian ``diag(s) - s s^T`` of softmax for one probability vector ``s`` (shape (C,))."""
    s = _arr(s)
    return np.diag(s) - np.outer(s, s)


#: name -> (function, derivative), for plots and widgets
ACTIVATIONS = {
    "identity": (identity, identity_prime),
    "step": (step, step_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "elu": (elu, elu_prime),
    "gelu": (gelu, gelu_prime),
}
