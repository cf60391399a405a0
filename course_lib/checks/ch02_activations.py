"""Checkers for chapter 02 · Activation functions: tables on the engine of :mod:`.core`.

Each table lists the cases (ordinary, batched, extreme ±1000 with ``quiet=True``: no NumPy
warning allowed), the typical wrong implementations (run on the same inputs, so the one whose
output matches names the mistake) and correct variants (the tests require them to pass).
"""

import math

import numpy as np

from .. import functions as F
from .core import Case, in_place, table

__all__ = ["sigmoid", "sigmoid_prime", "relu", "relu_prime", "softmax", "leaky_relu"]

_OVERFLOW = ("np.exp(-x) overflows for very negative x. Use z = np.exp(-np.abs(x)), then "
             "np.where(x >= 0, 1 / (1 + z), z / (1 + z)); np.where evaluates both branches on "
             "every element, so each branch must be safe on its own")
_IN_PLACE = "build a new array instead of writing into x (x[...] = ..., x -= ..., out=x)"


def _grid(*shape):
    return np.linspace(-3.0, 3.0, int(np.prod(shape))).reshape(shape)


_EXTREMES = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])


# -- sigmoid --------------------------------------------------------------------------------------
sigmoid = table(
    "sigmoid", F.sigmoid,
    cases=[Case(np.array([-5.0, -1.0, 0.0, 1.0, 5.0])),
           Case(_grid(2, 3), what="sigmoid of a (2, 3) array"),
           Case(np.array([50.0, 1000.0]), quiet=True, hint=_OVERFLOW, atol=1e-12),
           Case(_EXTREMES, quiet=True, hint=_OVERFLOW, atol=1e-12),
           Case(np.linspace(-800, 800, 41), quiet=True, hint=_OVERFLOW,
                what="sigmoid of 41 values in [-800, 800]")],
    mistakes={
        "it looks like you used np.exp(x) instead of np.exp(-x): that gives "
        "sigmoid(-x) = 1 - sigmoid(x)":
            lambda x: 1 / (1 + np.exp(x)),
        "1 / 1 + np.exp(-x) means (1 / 1) + np.exp(-x): write 1 / (1 + np.exp(-x))":
            lambda x: 1 / 1 + np.exp(-x),
        "the denominator is 1 + np.exp(-x), with a plus": lambda x: 1 / (1 - np.exp(-x)),
        "the 1 + is missing: 1 / np.exp(-x) is np.exp(x)": lambda x: 1 / np.exp(-x),
        _OVERFLOW: lambda x: 1 / (1 + np.exp(-x)),
        "np.where evaluates both branches: np.exp(x) in the x < 0 branch still overflows at "
        "x = 1000. Exponentiate -|x| only: z = np.exp(-np.abs(x))":
            lambda x: np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x))),
        "for x < 0 the stable branch is z / (1 + z) with z = np.exp(-|x|), not 1 / (1 + z)":
            lambda x: 1 / (1 + np.exp(-np.abs(x))),
        "np.clip(x, ..., out=x) writes into the caller's x: clip a copy, np.clip(x, -500, 500)":
            in_place(lambda x: np.clip(x, -500, 500), lambda x: 1 / (1 + np.exp(-x))),
        "you wrote the result into x (x[...] = ...): " + _IN_PLACE: in_place(F.sigmoid),
        "math.exp takes one number; np.exp works on whole arrays": lambda x: 1 / (1 + math.exp(-x)),
    },
    correct=[lambda x: np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                                np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))),
             lambda x: 0.5 * (1 + np.tanh(x / 2)),
             lambda x: 1 / (1 + np.exp(-np.clip(x, -500, 500)))],
    hint="sigmoid(x) = 1 / (1 + np.exp(-x)); sigmoid(0) = 0.5, sigmoid(1) = 0.7311",
    summary="no overflow at x = ±1000")


# -- sigmoid' -------------------------------------------------------------------------------------
_s = F.sigmoid
_PRIME_OVERFLOW = ("np.exp(-x) / (1 + np.exp(-x))**2 is inf / inf at x = -1000; reuse a stable "
                   "sigmoid: s = sigmoid(x), then s * (1 - s)")


sigmoid_prime = table(
    "sigmoid_prime", F.sigmoid_prime,
    cases=[Case(np.array([-3.0, -1.0, 0.0, 1.0, 3.0])),
           Case(_grid(3, 2), what="sigmoid_prime of a (3, 2) array"),
           Case(_EXTREMES, quiet=True, hint=_PRIME_OVERFLOW, atol=1e-12)],
    mistakes={
        "it looks like you wrote s * (1 + s): the derivative is s * (1 - s), with a minus":
            lambda x: _s(x) * (1 + _s(x)),
        "you are missing the factor (1 - s): the derivative is s * (1 - s)": _s,
        "you are missing the factor s: the derivative is s * (1 - s)": lambda x: 1 - _s(x),
        "you applied the formula to x itself; compute s = sigmoid(x) first, then s * (1 - s)":
            lambda x: x * (1 - x),
        "the sign is flipped: sigmoid is increasing, so its derivative is positive":
            lambda x: -_s(x) * (1 - _s(x)),
        "the derivative is s * (1 - s), not s**2": lambda x: _s(x) ** 2,
        _PRIME_OVERFLOW: lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,
        "the naive sigmoid inside overflows at x = -1000: use a stable sigmoid (exp of -|x| only)":
            lambda x: (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x))),
    },
    correct=[lambda x: F.sigmoid(x) * (1 - F.sigmoid(x)),
             lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2],
    hint="with s = sigmoid(x), sigmoid'(x) = s * (1 - s); at x = 0 it is 0.25",
    summary="max 0.25 at x = 0, no overflow at x = ±1000")


# -- relu -----------------------------------------------------------------------------------------
relu = table(
    "relu", F.relu,
    cases=[Case(np.array([-2.0, -0.5, 0.0, 0.5, 2.0])),
           Case(np.arange(-6.0, 6.0).reshape(3, 4), what="relu of a (3, 4) array"),
           Case(np.array([-1e300, -1e-300, 1e-300, 1e300]))],
    mistakes={
        "np.max(x, 0) is the largest element along axis 0; np.maximum(x, 0) compares element by "
        "element":
            lambda x: np.max(x, 0),
        "np.abs flips negative inputs; ReLU sets them to 0": np.abs,
        "that keeps the negative part: use np.maximum(x, 0)": lambda x: np.minimum(x, 0),
        "that is the step function (x > 0); ReLU returns x itself where x > 0":
            lambda x: (x > 0).astype(float),
        "the sign is flipped": lambda x: -np.maximum(x, 0),
        "x[x < 0] = 0 (or np.maximum(x, 0, out=x)) changes the caller's array; "
        "np.maximum(x, 0) builds a new one": in_place(F.relu),
        "Python's max() compares a whole array with 0: use np.maximum(x, 0)": lambda x: max(x, 0),
        "a list comprehension gives a Python list: use np.maximum(x, 0), which returns an array":
            lambda x: [max(v, 0.0) for v in x],
    },
    correct=[lambda x: np.maximum(x, 0), lambda x: x * (x > 0), lambda x: np.where(x > 0, x, 0.0)],
    hint="relu(x) = np.maximum(x, 0)", summary="input left untouched")


# -- relu' ----------------------------------------------------------------------------------------
relu_prime = table(
    "relu_prime", F.relu_prime,
    cases=[Case(np.array([-2.0, -0.5, 0.5, 2.0])), Case(np.array([-1.0, 0.0, 1.0])),
           Case(np.arange(-6.0, 6.0).reshape(4, 3) + 0.5, what="relu_prime of a (4, 3) array")],
    mistakes={
        "the comparison x > 0 gives True/False: the exercise asks for a float array, "
        "(x > 0).astype(float)":
            lambda x: x > 0,
        "(x > 0).astype(int) gives integers: the exercise asks for a float array, .astype(float)":
            lambda x: (x > 0).astype(int),
        "at x = 0 use 0 (PyTorch's choice): compare with x > 0, not "
        "x >= 0 (and np.heaviside(x, 0), not np.heaviside(x, 1))": lambda x: (x >= 0).astype(float),
        "np.sign gives -1 for x < 0; the derivative is 0 there": np.sign,
        "you returned relu(x) itself; the derivative is 1 (not x) where x > 0":
            lambda x: np.maximum(x, 0),
        "your mask is inverted: the slope of max(x, 0) is 0 where x < 0 (the unit is off) "
        "and 1 where x > 0":
            lambda x: (x <= 0).astype(float),
        "x[...] = ... writes into the caller's array: return (x > 0).astype(float), a new one":
            in_place(lambda x: x > 0),
        "the slope of max(x, 0) is 0 where x < 0: only positive inputs get 1": np.ones_like,
        "at x = 0 use 0 (PyTorch's choice), not 0.5":
            lambda x: np.where(x > 0, 1.0, np.where(x < 0, 0.0, 0.5)),
    },
    correct=[lambda x: (x > 0).astype(float), lambda x: np.where(x > 0, 1.0, 0.0),
             lambda x: np.heaviside(x, 0.0), lambda x: (x > 0) * 1.0],
    hint="1.0 where x > 0, else 0.0: (x > 0).astype(float)",
    summary="relu_prime(0) = 0, a float array")


# -- leaky relu -----------------------------------------------------------------------------------
_X4 = np.array([-2.0, -0.5, 0.5, 2.0])
leaky_relu = table(
    "leaky_relu", F.leaky_relu,
    cases=[Case(_X4), Case(_X4, kw={"negative_slope": 0.2}),
           Case(np.arange(-6.0, 6.0).reshape(2, 6), what="leaky_relu of a (2, 6) array"),
           Case(_X4, kw={"negative_slope": 0.5})],
    mistakes={
        "negative inputs should be multiplied by negative_slope, not set to 0":
            lambda x, negative_slope=0.01: np.maximum(x, 0),
        "the slope belongs to the negative side: x where x > 0, negative_slope * x elsewhere":
            lambda x, negative_slope=0.01: np.where(x > 0, negative_slope * x, x),
        "the default negative_slope is 0.01 (PyTorch's default), not 0.1":
            lambda x, negative_slope=0.1: np.where(x > 0, x, negative_slope * x),
        "negative_slope * x keeps the sign of x: don't negate it":
            lambda x, negative_slope=0.01: np.where(x > 0, x, -negative_slope * x),
        "you ignored the negative_slope argument (your result uses 0.01): use the argument":
            lambda x, negative_slope=0.01: np.where(x > 0, x, 0.01 * x),
        "x[x < 0] *= negative_slope changes the caller's array; np.where builds a new one":
            in_place(F.leaky_relu),
        "the negative side is negative_slope * x, not x - negative_slope":
            lambda x, negative_slope=0.01: np.where(x > 0, x, x - negative_slope),
    },
    correct=[lambda x, negative_slope=0.01: np.where(x > 0, x, negative_slope * x),
             lambda x, negative_slope=0.01: np.maximum(x, 0) + negative_slope * np.minimum(x, 0)],
    hint="np.where(x > 0, x, negative_slope * x)", summary="negative_slope respected")


# -- softmax --------------------------------------------------------------------------------------
_NO_SHIFT = ("softmax without the max shift: np.exp(1000) overflows to inf and inf / inf is nan. "
             "Subtract x.max(axis=-1, keepdims=True) first: softmax(x - c) = softmax(x)")
_KEEPDIMS = ("x.max(axis=-1) and e.sum(axis=-1) have shape (N,), which broadcasts along the wrong "
             "axis of an (N, N) array; use keepdims=True")


def _sm(shift, total):
    def f(x):
        e = np.exp(x - shift(x))
        return e / total(e)
    return f


_rows = lambda a: a.sum(axis=-1, keepdims=True)  # noqa: E731
softmax = table(
    "softmax", F.softmax,
    cases=[Case(np.array([2.0, 1.0, 0.1])),
           Case(np.random.default_rng(3).normal(size=(4, 4)),
                what="softmax of a batch of shape (4, 4)"),
           Case(np.random.default_rng(2).normal(size=(3, 5)),
                what="softmax of a batch of shape (3, 5)"),
           Case(np.array([[1000.0, 1001.0, 1002.0]]), quiet=True, hint=_NO_SHIFT),
           Case(np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]]), quiet=True),
           Case(np.array([[0.0, 1000.0], [-1000.0, 0.0]]), quiet=True),
           Case(np.array([[0.0, 2000.0], [-3000.0, 0.0]]), quiet=True)],
    mistakes={
        "divide np.exp(x) by its sum so that the outputs add up to 1": np.exp,
        "softmax exponentiates first: np.exp(x) / np.exp(x).sum()": lambda x: x / _rows(x),
        "softmax along the wrong axis: each ROW must sum to 1; use axis=-1 with keepdims=True":
            _sm(lambda x: x.max(axis=0, keepdims=True), lambda e: e.sum(axis=0, keepdims=True)),
        "the whole array sums to 1 instead of each row: e / e.sum(axis=-1, keepdims=True)":
            _sm(lambda x: x.max(), lambda e: e.sum()),
        _KEEPDIMS: _sm(lambda x: x.max(axis=-1), lambda e: e.sum(axis=-1)),
        "x.max(axis=-1) needs keepdims=True too: " + _KEEPDIMS:
            _sm(lambda x: x.max(axis=-1), _rows),
        "e.sum(axis=-1) needs keepdims=True: " + _KEEPDIMS:
            _sm(lambda x: x.max(axis=-1, keepdims=True), lambda e: e.sum(axis=-1)),
        _NO_SHIFT: _sm(lambda x: 0.0, _rows),
        "you subtracted the max of the whole array: a row far below it becomes "
        "exp(-2002) = 0 everywhere and 0 / 0 is nan. Subtract each row's own max: "
        "x.max(axis=-1, keepdims=True)":
            _sm(lambda x: x.max(), _rows),
        "subtract the MAX of each row (x.max(axis=-1, keepdims=True)), not the min: "
        "exp(1000 - min) still overflows": _sm(lambda x: x.min(axis=-1, keepdims=True), _rows),
        "x -= x.max(...) writes into the caller's array; write shifted = x - x.max(...)":
            in_place(lambda x: x - x.max(axis=-1, keepdims=True), F.softmax),
        "subtract each row's MAX, not its mean: with a spread of 2000 the mean leaves exp(1000), "
        "which overflows": _sm(lambda x: x.mean(axis=-1, keepdims=True), _rows),
    },
    correct=[_sm(lambda x: x.max(axis=-1, keepdims=True), _rows),
             lambda x: np.exp(x - x.max(axis=-1, keepdims=True) - np.log(
                 np.exp(x - x.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)))],
    hint="apply softmax to each row: subtract x.max(axis=-1, keepdims=True), np.exp, divide by the "
         "row sums (axis=-1, keepdims=True)",
    summary="stable on ±1000, rows sum to 1")
