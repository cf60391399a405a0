"""Checkers for chapter 02 · Activation functions (see course_lib.checks.core for the framework).

Each checker compares the learner's function with :mod:`course_lib.functions` and, when the output
matches a typical mistake (``np.exp(x)`` for ``np.exp(-x)``, softmax along the wrong axis, ...),
names that mistake in the hint. NumPy's floating-point warnings raised inside the learner's code
are captured (never printed) and reported as "overflow at x = -1000: ...".
"""

import warnings

import numpy as np

from .. import functions as F
from .core import Wrong, checker, describe

__all__ = ["sigmoid", "sigmoid_prime", "relu", "relu_prime", "softmax", "leaky_relu"]

#: exceptions inside a learner's function that have a well-known cause: (type, text, hint)
_ERROR_HINTS = [
    (TypeError, "scalar", "math.exp and friends take one number; np.exp, np.maximum and np.where "
                          "work on whole arrays"),
    (ValueError, "truth value of an array", "Python's max(), min() and `if` look at a whole array; "
                                             "use np.maximum or np.where for element-wise choices"),
    (ValueError, "broadcast", "a row-wise max or sum has shape (N,): keepdims=True keeps it (N, 1) "
                              "so that it broadcasts against x of shape (N, C)"),
    (TypeError, "unexpected keyword", "keep the parameter names of the signature given in the task"),
]

_SIGMOID_OVERFLOW = ("np.exp(-x) overflows for very negative x. Use z = np.exp(-np.abs(x)), then "
                     "np.where(x >= 0, 1 / (1 + z), z / (1 + z)); np.where evaluates both branches "
                     "on every element, so each branch must be safe on its own")


def _call(c, fn, *args, **kwargs):
    """``c.call`` with NumPy warnings captured: returns ``(result, sorted warning messages)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            try:
                got = c.call(fn, *args, **kwargs)
            except Wrong as w:
                cause = w.__cause__
                for kind, text, hint in _ERROR_HINTS:
                    if isinstance(cause, kind) and text in str(cause):
                        raise Wrong(w.message, hint) from cause
                raise
    return got, sorted({str(m.message) for m in caught if issubclass(m.category, RuntimeWarning)})


def _quiet(c, fn, x, where, hint, **kwargs):
    """``fn(x)`` must run without an overflow (warning or exception); returns its result."""
    try:
        got, caught = _call(c, fn, x, **kwargs)
    except Wrong as w:
        if isinstance(w.__cause__, (OverflowError, FloatingPointError)):
            raise Wrong(f"overflow at {where}: {type(w.__cause__).__name__}: {w.__cause__}", hint) from None
        raise
    kind = ("overflow" if any("overflow" in m for m in caught) else
            "NaN" if any("invalid" in m for m in caught) else "a floating-point warning")
    c.ok(not caught, f"{kind} at {where}: NumPy warned '{'; '.join(caught)}'", hint)
    return got


def _as_float(got):
    if got is None:
        return None
    try:
        return np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _same(a, b):
    return a.shape == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-8, equal_nan=True))


def _wrong_values(what, expected, arr):
    if expected.size <= 6:
        return f"{what} should be {describe(expected)}, got {describe(arr)}"
    i = np.unravel_index(np.argmax(np.abs(arr - expected)), arr.shape)
    at = ", ".join(str(int(k)) for k in i)
    return f"{what} is wrong: element [{at}] should be {expected[i]:.4g}, got {arr[i]:.4g}"


def _expect(c, got, expected, what, mistakes=(), hint=None, atol=1e-8):
    """Like ``c.close``, but if ``got`` matches a typical mistake's output, say which one.

    ``mistakes`` are ``(wrong_output, hint)`` pairs, computed from the same input.
    """
    expected = np.asarray(expected, dtype=np.float64)
    arr = _as_float(got)
    if arr is not None and arr.shape == expected.shape and not _same(arr, expected):
        for wrong, mistake in mistakes:
            if _same(arr, wrong):
                c.count += 1
                raise Wrong(_wrong_values(what, expected, arr), mistake)
        if expected.size > 6 and np.isfinite(arr).all():
            c.count += 1
            raise Wrong(_wrong_values(what, expected, arr), hint)
    return c.close(got, expected, what, hint=hint, atol=atol)


def _untouched(c, fn, x, what, hint, **kwargs):
    """The learner's function must not write into its input."""
    x = np.array(x, dtype=np.float64)
    before = x.copy()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        c.call_raw(fn, x, **kwargs)
    c.unchanged(before, x, what, hint)


@checker("sigmoid")
def sigmoid(c, fn):
    x = np.array([-5.0, -1.0, 0.0, 1.0, 5.0])
    got, _ = _call(c, fn, x)
    with np.errstate(all="ignore"):
        mistakes = [
            (F.sigmoid(-x), "it looks like you used np.exp(x) instead of np.exp(-x): that gives "
                            "sigmoid(-x) = 1 - sigmoid(x)"),
            (1 + np.exp(-x), "1 / 1 + np.exp(-x) means (1 / 1) + np.exp(-x): write 1 / (1 + np.exp(-x))"),
            (np.exp(x), "the denominator is 1 + np.exp(-x), not np.exp(-x) alone"),
            (1 / (1 - np.exp(-x)), "the denominator is 1 + np.exp(-x), with a plus"),
        ]
    _expect(c, got, F.sigmoid(x), "sigmoid([-5, -1, 0, 1, 5])", mistakes,
            hint="sigmoid(x) = 1 / (1 + np.exp(-x)); sigmoid(0) = 0.5, sigmoid(1) = 0.7311")
    x2 = np.linspace(-3, 3, 6).reshape(2, 3)
    got, _ = _call(c, fn, x2)
    _expect(c, got, F.sigmoid(x2), "sigmoid of a (2, 3) array",
            hint="work element by element with NumPy operations, keeping the input's shape")
    for value in (-1000.0, 1000.0):
        got = _quiet(c, fn, np.array([value]), f"x = {value:g}", _SIGMOID_OVERFLOW)
        c.close(got, F.sigmoid([value]), f"sigmoid({value:g})", hint=_SIGMOID_OVERFLOW, atol=1e-12)
    _untouched(c, fn, x, "the input x", "build a new array instead of writing into x")
    return "no overflow at x = ±1000"


@checker("sigmoid_prime")
def sigmoid_prime(c, fn):
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    got, _ = _call(c, fn, x)
    s = F.sigmoid(x)
    mistakes = [
        (s * (1 + s), "it looks like you wrote s * (1 + s): the derivative is s * (1 - s), with a minus"),
        (s, "you are missing the factor (1 - s): the derivative is s * (1 - s)"),
        (1 - s, "you are missing the factor s: the derivative is s * (1 - s)"),
        (x * (1 - x), "you applied the formula to x itself; compute s = sigmoid(x) first, then s * (1 - s)"),
        (-s * (1 - s), "the sign is flipped: sigmoid is increasing, so its derivative is positive"),
        (s ** 2, "the derivative is s * (1 - s), not s**2"),
    ]
    _expect(c, got, s * (1 - s), "sigmoid_prime([-3, -1, 0, 1, 3])", mistakes,
            hint="with s = sigmoid(x), sigmoid'(x) = s * (1 - s); at x = 0 it is 0.25")
    x2 = np.linspace(-3, 3, 6).reshape(3, 2)
    got, _ = _call(c, fn, x2)
    _expect(c, got, F.sigmoid_prime(x2), "sigmoid_prime of a (3, 2) array",
            hint="work element by element, keeping the input's shape")
    hint = ("np.exp(-x) / (1 + np.exp(-x))**2 is inf / inf at x = -1000; reuse a stable sigmoid: "
            "s = sigmoid(x), then s * (1 - s)")
    for value in (-1000.0, 1000.0):
        got = _quiet(c, fn, np.array([value]), f"x = {value:g}", hint)
        c.close(got, [0.0], f"sigmoid_prime({value:g})", hint=hint, atol=1e-12)
    return "max 0.25 at x = 0, no overflow at x = ±1000"


@checker("relu")
def relu(c, fn):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got, _ = _call(c, fn, x)
    arr = _as_float(got)
    c.ok(arr is None or arr.shape != () or x.size == 1,
         f"relu(x) for x of shape (5,) returned a single number, {describe(arr)}",
         "np.max(x, 0) is the largest element along axis 0; np.maximum(x, 0) compares element by "
         "element")
    mistakes = [
        (np.abs(x), "np.abs flips negative inputs; ReLU sets them to 0"),
        (np.minimum(x, 0), "that keeps the negative part: use np.maximum(x, 0)"),
        ((x > 0).astype(float), "that is the step function (x > 0); ReLU returns x itself where x > 0"),
        (-np.maximum(x, 0), "the sign is flipped"),
    ]
    _expect(c, got, F.relu(x), "relu([-2, -0.5, 0, 0.5, 2])", mistakes,
            hint="relu(x) = np.maximum(x, 0)")
    x2 = np.arange(-6.0, 6.0).reshape(3, 4)
    got, _ = _call(c, fn, x2)
    _expect(c, got, F.relu(x2), "relu of a (3, 4) array", hint="np.maximum works on any shape")
    _untouched(c, fn, x, "the input x",
               "x[x < 0] = 0 changes the caller's array; np.maximum(x, 0) builds a new one")
    return "input left untouched"


@checker("relu_prime")
def relu_prime(c, fn):
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    got, _ = _call(c, fn, x)
    arr = _as_float(got)
    if arr is not None and arr.shape == x.shape and np.any(arr[x < 0] == 1):
        c.count += 1
        raise Wrong(f"relu_prime is 1 at negative inputs: relu_prime([-2, -0.5, 0.5, 2]) gave "
                    f"{describe(arr)}", "the slope of max(x, 0) is 0 where x < 0 (the unit is off) "
                                        "and 1 where x > 0")
    mistakes = [
        (np.sign(x), "np.sign gives -1 for x < 0; the derivative is 0 there"),
        (F.relu(x), "you returned relu(x) itself; the derivative is 1 (not x) where x > 0"),
    ]
    _expect(c, got, F.relu_prime(x), "relu_prime([-2, -0.5, 0.5, 2])", mistakes,
            hint="1 where x > 0, else 0: (x > 0).astype(float)")
    got, _ = _call(c, fn, np.array([0.0]))
    at_zero = c.array(got, "relu_prime([0])")
    c.ok(at_zero.shape == (1,) and at_zero[0] in (0.0, 1.0),
         f"relu_prime([0]) should be [0.] (PyTorch's choice) or [1.], got {describe(at_zero)}",
         "ReLU has a kink at 0; any value in [0, 1] is a valid 'subgradient', 0 is the convention")
    x2 = np.arange(-6.0, 6.0).reshape(4, 3) + 0.5
    got, _ = _call(c, fn, x2)
    _expect(c, got, F.relu_prime(x2), "relu_prime of a (4, 3) array",
            hint="compare element by element: (x > 0) keeps the shape")
    return f"relu_prime(0) = {at_zero[0]:g}"


@checker("softmax")
def softmax(c, fn):
    x = np.array([2.0, 1.0, 0.1])
    got, _ = _call(c, fn, x)
    with np.errstate(all="ignore"):
        mistakes = [(np.exp(x), "divide np.exp(x) by its sum so that the outputs add up to 1"),
                    (x / x.sum(), "softmax exponentiates first: np.exp(x) / np.exp(x).sum()")]
    _expect(c, got, F.softmax(x), "softmax([2, 1, 0.1])", mistakes,
            hint="softmax(x) = np.exp(x) / np.exp(x).sum(); for [2, 1, 0.1] about [0.659, 0.242, 0.099]")

    batch = np.random.default_rng(2).normal(size=(3, 5))
    got, _ = _call(c, fn, batch)
    wrong_axis = "use axis=-1 (the last axis) in both the max and the sum, with keepdims=True"
    arr = _as_float(got)
    if arr is not None and arr.shape == batch.shape and np.isfinite(arr).all():
        rows, cols = arr.sum(axis=-1), arr.sum(axis=0)
        c.ok(np.allclose(rows, 1.0) or not np.allclose(cols, 1.0),
             "softmax along the wrong axis: for x of shape (3, 5) your columns sum to 1 instead "
             f"of the rows (row sums {describe(rows)})", wrong_axis)
        c.ok(np.allclose(rows, 1.0) or not np.isclose(arr.sum(), 1.0),
             f"the whole array sums to 1 instead of each row (row sums {describe(rows)})",
             "normalise each row by its own sum: e.sum(axis=-1, keepdims=True)")
    _expect(c, got, F.softmax(batch), "softmax of a batch of shape (3, 5)",
            hint="apply softmax to each row: max and sum with axis=-1, keepdims=True")

    square = np.random.default_rng(3).normal(size=(4, 4))
    got, _ = _call(c, fn, square)
    e = np.exp(square)
    shifted = np.exp(square - square.max(axis=-1))
    mistakes = [(shifted / shifted.sum(axis=-1, keepdims=True),
                 "x.max(axis=-1) has shape (N,), which broadcasts along the wrong axis of an (N, N) "
                 "array; use x.max(axis=-1, keepdims=True)"),
                (e / e.sum(axis=-1), "e.sum(axis=-1) has shape (N,), which broadcasts along the wrong "
                                     "axis of an (N, N) array; use keepdims=True")]
    _expect(c, got, F.softmax(square), "softmax of a batch of shape (4, 4)", mistakes,
            hint="max and sum with axis=-1, keepdims=True")

    no_shift = ("softmax without the max shift: np.exp(1000) overflows to inf and inf / inf is nan. "
                "Subtract x.max(axis=-1, keepdims=True) first: softmax(x - c) = softmax(x)")
    big = np.array([[1000.0, 1001.0, 1002.0]])
    got = _quiet(c, fn, big, "x = [[1000, 1001, 1002]]", no_shift)
    _expect(c, got, F.softmax(big), "softmax([[1000, 1001, 1002]])", hint=no_shift)
    both = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    global_max = ("you subtracted the max of the whole array: the second row becomes exp(-2002) = 0 "
                  "everywhere and 0 / 0 is nan. Subtract each row's own max: x.max(axis=-1, keepdims=True)")
    got = _quiet(c, fn, both, "x = [[1000, 1001, 1002], [-1000, -1001, -1002]]", global_max)
    _expect(c, got, F.softmax(both), "softmax([[1000, 1001, 1002], [-1000, -1001, -1002]])",
            hint=global_max)
    _untouched(c, fn, batch, "the input x",
               "x -= x.max(...) writes into the caller's array; write shifted = x - x.max(...)")
    return "stable on ±1000, rows sum to 1"


@checker("leaky_relu")
def leaky_relu(c, fn):
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    got, _ = _call(c, fn, x)
    mistakes = [
        (F.relu(x), "negative inputs should be multiplied by negative_slope, not set to 0"),
        (np.where(x > 0, 0.01 * x, x), "the slope belongs to the negative side: x where x > 0, "
                                       "negative_slope * x elsewhere"),
        (F.leaky_relu(x, 0.1), "the default negative_slope is 0.01 (PyTorch's default), not 0.1"),
        (np.where(x > 0, x, -0.01 * x), "negative_slope * x keeps the sign of x: don't negate it"),
    ]
    _expect(c, got, F.leaky_relu(x), "leaky_relu([-2, -0.5, 0.5, 2])", mistakes,
            hint="np.where(x > 0, x, negative_slope * x)")
    got, _ = _call(c, fn, x, negative_slope=0.2)
    _expect(c, got, F.leaky_relu(x, 0.2), "leaky_relu([-2, -0.5, 0.5, 2], negative_slope=0.2)",
            [(F.leaky_relu(x), "you ignored the negative_slope argument (your result uses 0.01)")],
            hint="use the argument negative_slope, not a fixed number")
    x2 = np.arange(-6.0, 6.0).reshape(2, 6)
    got, _ = _call(c, fn, x2)
    _expect(c, got, F.leaky_relu(x2), "leaky_relu of a (2, 6) array", hint="np.where keeps the shape")
    _untouched(c, fn, x, "the input x", "x[x < 0] *= negative_slope changes the caller's array; "
                                        "use np.where, which builds a new one")
    return "negative_slope respected"
