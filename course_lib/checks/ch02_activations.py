"""Checkers for chapter 02 · Activation functions: tables on the engine of :mod:`.core`.

Cases include extremes (±1000, ``quiet=True``: no NumPy warning allowed). The engine names a list
result, the result written into x, an ignored negative_slope and math.exp on an array itself.
"""

import numpy as np

from .. import functions as F
from .core import Case, in_place, table

__all__ = ["sigmoid", "sigmoid_prime", "relu", "relu_prime", "softmax", "leaky_relu"]

_OVERFLOW = ("np.exp(-x) overflows for very negative x. Use z = np.exp(-np.abs(x)), then "
             "np.where(x >= 0, 1 / (1 + z), z / (1 + z)); np.where evaluates both branches on "
             "every element, so each branch must be safe on its own")
_EXTREMES = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
_X4 = np.array([-2.0, -0.5, 0.5, 2.0])
_naive = lambda x: 1 / (1 + np.exp(-x))
_z = lambda x: np.exp(-np.abs(x))

sigmoid = table(
    "sigmoid", F.sigmoid,
    cases=[Case(np.array([-5.0, -1.0, 0.0, 1.0, 5.0])), Case(np.linspace(-3, 3, 6).reshape(2, 3)),
           Case(np.array([50.0, 1000.0]), quiet=True, hint=_OVERFLOW, atol=1e-12),
           Case(_EXTREMES, quiet=True, hint=_OVERFLOW, atol=1e-12),
           Case(np.linspace(-800, 800, 41), quiet=True, hint=_OVERFLOW,
                what="sigmoid of 41 values in [-800, 800]")],
    mistakes={
        "np.exp(x) instead of np.exp(-x) gives sigmoid(-x)": lambda x: 1 / (1 + np.exp(x)),
        "1 / 1 + np.exp(-x) means (1 / 1) + np.exp(-x): write 1 / (1 + np.exp(-x))":
            lambda x: 1 / 1 + np.exp(-x),
        "the denominator is 1 + np.exp(-x), with a plus": lambda x: 1 / (1 - np.exp(-x)),
        "the 1 + is missing: 1 / np.exp(-x) is np.exp(x)": lambda x: 1 / np.exp(-x),
        _OVERFLOW: _naive,
        "np.where evaluates both branches: np.exp(x) overflows at 1000; use z = np.exp(-np.abs(x))":
            lambda x: np.where(x >= 0, _naive(x), np.exp(x) / (1 + np.exp(x))),
        "x < 0 needs z / (1 + z), not 1 / (1 + z) (z = np.exp(-|x|))": lambda x: 1 / (1 + _z(x)),
        "np.clip(x, ..., out=x) writes into the caller's x: clip a copy, np.clip(x, -500, 500)":
            in_place(lambda x: np.clip(x, -500, 500), _naive),
    },
    correct=[lambda x: np.where(x >= 0, 1, _z(x)) / (1 + _z(x)),
             lambda x: 0.5 * (1 + np.tanh(x / 2)), lambda x: _naive(np.clip(x, -500, 500))],
    hint="sigmoid(x) = 1 / (1 + np.exp(-x)); sigmoid(0) = 0.5, sigmoid(1) = 0.7311",
    summary="no overflow at x = ±1000")

_s, _ds = F.sigmoid, F.sigmoid_prime
_S = "the derivative is s * (1 - s)"
_PRIME_OVERFLOW = ("np.exp(-x) / (1 + np.exp(-x))**2 is inf / inf at x = -1000; reuse a stable "
                   "sigmoid: s = sigmoid(x), then s * (1 - s)")

sigmoid_prime = table(
    "sigmoid_prime", F.sigmoid_prime,
    cases=[Case(np.array([-3.0, -1.0, 0.0, 1.0, 3.0])), Case(np.linspace(-3, 3, 6).reshape(3, 2)),
           Case(_EXTREMES, quiet=True, hint=_PRIME_OVERFLOW, atol=1e-12)],
    mistakes={
        f"you wrote s * (1 + s): {_S}, with a minus": lambda x: _s(x) * (1 + _s(x)),
        f"you are missing the factor (1 - s): {_S}": _s,
        f"you are missing the factor s: {_S}": lambda x: 1 - _s(x),
        "you applied the formula to x itself: use s = sigmoid(x)": lambda x: x * (1 - x),
        "the sign is flipped: sigmoid is increasing, so s * (1 - s) > 0": lambda x: -_ds(x),
        f"{_S}, not s**2": lambda x: _s(x) ** 2,
        f"{_S}, not 1 - s**2 (that is tanh's derivative, 1 - tanh**2)": lambda x: 1 - _s(x) ** 2,
        f"you wrote s * (1 - x): {_S}, with 1 - s, not 1 - x": lambda x: _s(x) * (1 - x),
        _PRIME_OVERFLOW: lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,
        "the naive sigmoid inside overflows at x = -1000: use a stable sigmoid (exp of -|x| only)":
            lambda x: _naive(x) * (1 - _naive(x)),
    },
    correct=[lambda x: _s(x) * (1 - _s(x)), lambda x: _z(x) / (1 + _z(x)) ** 2],
    hint="with s = sigmoid(x), sigmoid'(x) = s * (1 - s); at x = 0 it is 0.25",
    summary="max 0.25 at x = 0, no overflow at x = ±1000")

relu = table(
    "relu", F.relu,
    cases=[Case(np.array([-2.0, -0.5, 0.0, 0.5, 2.0])), Case(np.arange(-6.0, 6.0).reshape(3, 4)),
           Case(np.array([-1e300, -1e-300, 1e-300, 1e300]))],
    mistakes={
        "np.max(x, 0) reduces axis 0: use np.maximum(x, 0), element-wise": lambda x: np.max(x, 0),
        "np.abs flips negative inputs; ReLU sets them to 0": np.abs,
        "that keeps the negative part: use np.maximum(x, 0)": lambda x: np.minimum(x, 0),
        "that is the step function: ReLU returns x itself where x > 0": lambda x: (x > 0) * 1.0,
        "the sign is flipped": lambda x: -np.maximum(x, 0),
    },
    correct=[lambda x: np.maximum(x, 0), lambda x: x * (x > 0), lambda x: np.where(x > 0, x, 0.0)],
    hint="relu(x) = np.maximum(x, 0)", summary="input left untouched")

_AT_0 = "at x = 0 use 0 (PyTorch's choice)"
relu_prime = table(
    "relu_prime", F.relu_prime,
    cases=[Case(_X4), Case(np.array([-1.0, 0.0, 1.0])), Case(np.arange(-5.5, 6.0).reshape(4, 3))],
    mistakes={
        "x > 0 gives True/False: use (x > 0).astype(float), a float array": lambda x: x > 0,
        "(x > 0).astype(int) gives integers: use .astype(float)": lambda x: (x > 0).astype(int),
        f"{_AT_0}: compare with x > 0, not x >= 0 (np.heaviside(x, 0), not np.heaviside(x, 1))":
            lambda x: (x >= 0).astype(float),
        "np.sign gives -1 for x < 0; the derivative is 0 there": np.sign,
        "you returned relu(x) itself: the derivative is 1 where x > 0": lambda x: np.maximum(x, 0),
        "your mask is inverted: 1 where x > 0, 0 where x < 0": lambda x: (x <= 0) * 1.0,
        "the slope of max(x, 0) is 0 where x < 0: only positive inputs get 1": np.ones_like,
        f"{_AT_0}, not 0.5": lambda x: np.where(x > 0, 1.0, np.where(x < 0, 0.0, 0.5)),
    },
    correct=[lambda x: (x > 0).astype(float), lambda x: np.where(x > 0, 1.0, 0.0),
             lambda x: np.heaviside(x, 0.0), lambda x: (x > 0) * 1.0],
    hint="1.0 where x > 0, else 0.0: (x > 0).astype(float)",
    summary="relu_prime(0) = 0, a float array")


def _leaky(negative, default=0.01):
    return lambda x, negative_slope=default: np.where(x > 0, x, negative(x, negative_slope))


leaky_relu = table(
    "leaky_relu", F.leaky_relu,
    cases=[Case(_X4), Case(_X4, kw={"negative_slope": 0.2}),
           Case(np.arange(-6.0, 6.0).reshape(2, 6)), Case(_X4, kw={"negative_slope": 0.5}),
           Case(_X4, kw={"negative_slope": 2.0})],
    mistakes={
        "x < 0 is multiplied by negative_slope, not set to 0": _leaky(lambda x, a: 0.0),
        "the slope belongs to the negative side: x where x > 0, negative_slope * x elsewhere":
            lambda x, negative_slope=0.01: np.where(x > 0, negative_slope * x, x),
        "the default negative_slope is 0.01, not 0.1": _leaky(lambda x, a: a * x, 0.1),
        "negative_slope * x keeps the sign of x: don't negate it": _leaky(lambda x, a: -a * x),
        "x < 0 gives negative_slope * x, not x - negative_slope": _leaky(lambda x, a: x - a),
        "x < 0 gives negative_slope * x, not negative_slope alone: multiply by x":
            _leaky(lambda x, a: a),
        "np.maximum(x, negative_slope * x) is wrong for a slope above 1 (it picks negative_slope * "
        "x where x > 0): use np.where(x > 0, x, negative_slope * x)":
            lambda x, negative_slope=0.01: np.maximum(x, negative_slope * x),
    },
    correct=[_leaky(lambda x, a: a * x),
             lambda x, negative_slope=0.01: np.maximum(x, 0) + negative_slope * np.minimum(x, 0)],
    hint="np.where(x > 0, x, negative_slope * x)", summary="negative_slope respected")

_NO_SHIFT = ("softmax without the max shift: np.exp(1000) overflows to inf and inf / inf is nan. "
             "Subtract x.max(axis=-1, keepdims=True) first: softmax(x - c) = softmax(x)")
_KEEPDIMS = ("x.max(axis=-1) and e.sum(axis=-1) have shape (N,), which broadcasts along the wrong "
             "axis of an (N, N) array; use keepdims=True")
_BIG = np.array([[1000.0, 1001.0, 1002.0]])


def _rows(reduce, axis=-1, **kw):
    """``reduce`` (np.sum, np.max, ...) along ``axis``, as a function of one array."""
    return lambda a: reduce(a, axis=axis, **kw)


_sum, _max = _rows(np.sum, keepdims=True), _rows(np.max, keepdims=True)


def _sm(shift, total):
    return lambda x: np.exp(x - shift(x)) / total(np.exp(x - shift(x)))


softmax = table(
    "softmax", F.softmax,
    cases=[Case(np.array([2.0, 1.0, 0.1])), Case(np.random.default_rng(3).normal(size=(4, 4))),
           Case(np.random.default_rng(2).normal(size=(3, 5))),
           Case(_BIG, quiet=True, hint=_NO_SHIFT), Case(np.vstack([_BIG, -_BIG]), quiet=True),
           Case(np.array([[0.0, 1000.0], [-1000.0, 0.0]]), quiet=True),
           Case(np.array([[0.0, 2000.0], [-3000.0, 0.0]]), quiet=True)],
    mistakes={
        "divide np.exp(x) by its sum so that the outputs add up to 1": np.exp,
        "softmax exponentiates first: np.exp(x) / np.exp(x).sum()": lambda x: x / _sum(x),
        "softmax along the wrong axis: each ROW must sum to 1; use axis=-1 with keepdims=True":
            _sm(_rows(np.max, 0, keepdims=True), _rows(np.sum, 0, keepdims=True)),
        "the whole array sums to 1 instead of each row: e / e.sum(axis=-1, keepdims=True)":
            _sm(np.max, np.sum),
        _KEEPDIMS: _sm(_rows(np.max), _rows(np.sum)),
        "x.max(axis=-1) needs keepdims=True too: " + _KEEPDIMS: _sm(_rows(np.max), _sum),
        "e.sum(axis=-1) needs keepdims=True: " + _KEEPDIMS: _sm(_max, _rows(np.sum)),
        _NO_SHIFT: _sm(lambda x: 0.0, _sum),
        "you subtracted the max of the whole array: a row far below it becomes exp(-2002) = 0 "
        "everywhere and 0 / 0 is nan. Subtract each row's own max: x.max(axis=-1, keepdims=True)":
            _sm(np.max, _sum),
        "subtract the MAX of each row (x.max(axis=-1, keepdims=True)), not the min: "
        "exp(1000 - min) still overflows": _sm(_rows(np.min, keepdims=True), _sum),
        "x -= x.max(...) writes into the caller's array; write shifted = x - x.max(...)":
            in_place(lambda x: x - _max(x), F.softmax),
        "subtract each row's MAX, not its mean: with a spread of 2000 the mean leaves exp(1000), "
        "which overflows": _sm(_rows(np.mean, keepdims=True), _sum),
    },
    correct=[_sm(_max, _sum), lambda x: np.exp(x - _max(x) - np.log(_sum(np.exp(x - _max(x)))))],
    hint="apply softmax to each row: subtract x.max(axis=-1, keepdims=True), np.exp, divide by the "
         "row sums (axis=-1, keepdims=True)",
    summary="stable on ±1000, rows sum to 1")
