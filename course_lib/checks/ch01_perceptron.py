"""Checkers for chapter 01 · The perceptron: tables on the engine of :mod:`.core`.

``step(0) = 0`` (``z > 0``); cases put points on the line (z = 0) and a right prediction.
"""

import numpy as np

from ..perceptron import GATE_INPUTS
from .core import Case, compare, describe, loosely_same, table

__all__ = ["step", "weighted_sum", "perceptron_predict", "perceptron_update", "and_gate_weights",
           "train_epoch"]
_GE, _SIGN = "use z > 0, not z >= 0", "wrong sign: the rule uses (y - ŷ), you used (ŷ - y)"

_step = lambda z: (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)
_TRUTH = "`if z > 0:` only works for a single number; for arrays compare element-wise: (z > 0)"
step = table(
    "step", _step, errors=[("truth value of an array", _TRUTH)],
    cases=[Case(np.array([-2.0, -0.5, 0.0, 1e-6, 3.0])),
           Case(np.array(0.0), what="step(0), a 0-d array"),
           Case(np.array([[-1.0, 2.0, 0.0], [0.5, -3.0, 4.0]]))],
    mistakes={
        "z >= 0 (or np.heaviside(z, 1)) gives step(0) = 1: use z > 0": lambda z: (z >= 0) * 1.0,
        "that is np.sign: step gives 0 (not -1) for negative z": np.sign,
        "you returned z itself: step turns it into 0.0 or 1.0": lambda z: z.copy(),
        "that is ReLU, max(0, z): step gives exactly 1 for every z > 0": lambda z: np.maximum(z, 0),
        "z > 0 gives True/False: return floats 1.0 and 0.0, (z > 0).astype(float)": lambda z: z > 0,
        ".astype(int) gives integers: return floats, .astype(float)": lambda z: (z > 0).astype(int),
        _TRUTH: lambda z: 1.0 if z > 0 else 0.0,
    },
    correct=[_step, lambda z: np.where(z > 0, 1.0, 0.0), lambda z: np.heaviside(z, 0.0)],
    summary="step(0) = 0, any shape")

_W3 = np.array([0.5, -1.0, 2.0])
_XB = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 0.5], [2.0, 0.0, -1.0]])
weighted_sum = table(
    "weighted_sum", lambda x, w, b: x @ w + b,
    hint="w·x + b: x @ w + b works for one x (D,) and for a batch X (N, D)",
    cases=[Case(np.array([1.0, 2.0, 3.0]), _W3, -0.25), Case(_XB, _W3, -0.25), Case(_XB, _W3, 1.5)],
    mistakes={
        "you forgot to add the bias b": lambda x, w, b: x @ w,
        "the bias is added: w·x + b, not w·x - b": lambda x, w, b: x @ w - b,
        "multiply, then sum: x @ w (or np.sum(x * w)) + b": lambda x, w, b: x * w + b,
        "you added x + w: multiply each by its weight, x @ w": lambda x, w, b: np.sum(x + w) + b,
        "np.sum(x * w) sums a whole batch: X @ w sums each row": lambda x, w, b: np.sum(x * w) + b,
        "w @ X does not fit a batch X (N, D): X @ w + b": lambda x, w, b: w @ x + b,
        "the bias is the argument b, not a fixed number": lambda x, w, b: x @ w - 0.25,
        "Python's sum() adds the ROWS of a batch X * w: use x @ w": lambda x, w, b: sum(x * w) + b,
        "x *= w writes into the caller's x: x @ w + b builds a new value":
            lambda x, w, b: np.multiply(x, w, out=x).sum(axis=-1) + b,
    },
    correct=[lambda x, w, b: np.dot(x, w) + b, lambda x, w, b: (x * w).sum(axis=-1) + b],
    summary="works for one x and for a batch")

_XP = np.array([[0.0, 0.0], [1.0, 2.0], [1.5, 1.0], [3.0, 1.0], [0.4, 0.0], [0.0, 1.0]])
perceptron_predict = table(
    "perceptron_predict", lambda X, w, b: _step(X @ w + b), dtype="number",
    cases=[Case(_XP, np.array([1.0, -2.0]), 0.5), Case(_XP, np.array([-1.0, 1.0]), 0.25)],
    mistakes={
        f"(1.5, 1) gives z = 0 and step(0) = 0: {_GE}": lambda X, w, b: (X @ w + b >= 0) * 1.0,
        "you forgot the bias: step(X @ w + b)": lambda X, w, b: _step(X @ w),
        "you returned the weighted sum z; apply step to get labels 0/1": lambda X, w, b: X @ w + b,
        "labels are 0 and 1 (np.sign gives -1 and 1): use step": lambda X, w, b: np.sign(X @ w + b),
        "the bias is added: X @ w + b": lambda X, w, b: _step(X @ w - b),
        "return one label per row, shape (N,)": lambda X, w, b: _step(X @ w + b)[:, None],
        "X @ w + b > 0 gives booleans: make numbers, .astype(float)": lambda X, w, b: X @ w + b > 0,
        "return a NumPy array, not a Python list": lambda X, w, b: list(_step(X @ w + b)),
    },
    correct=[lambda X, w, b: _step(X @ w + b), lambda X, w, b: (X @ w + b > 0).astype(int)],
    summary="including a point exactly on the boundary")


def _into_w(f, k):  # f writing its new weights into the caller's w (argument k), as w += ... does
    def wrong(*args):
        new = f(*args)
        args[k][...] = new[0]
        return (args[k], *new[1:])
    return wrong


def _upd(y_hat):
    """The learning rule with the prediction ``y_hat(w @ x, b)``: right with step(w·x + b)."""
    def update(w, b, x, y, lr):
        err = y - y_hat(w @ x, b)
        return w + lr * err * x, b + lr * err
    return update


def _u(w, b, x, y, lr, when=None):
    return Case(np.array(w), b, np.array(x), y, lr, what=when and f"perceptron_update {when}")


_update = _upd(lambda z, b: _step(z + b))
perceptron_update = table(
    "perceptron_update", _update, names=("w_new", "b_new"),
    cases=[_u([0.5, -1.0], 0.2, [1.0, 2.0], 1, 0.1, "when ŷ = 0 but y = 1"),
           _u([0.5, -1.0], 0.2, [2.0, 0.5], 0, 0.1, "when ŷ = 1 but y = 0"),
           _u([0.5, -1.0], 0.2, [2.0, 0.5], 1, 0.1, "on a right prediction (ŷ = y = 1)"),
           _u([1.0, -1.0], 0.0, [1.0, 1.0], 1, 0.1, "when w·x + b = 0 exactly, y = 1"),
           _u([0.5, -1.0], 0.2, [1.0, 2.0], 1, 0.5),
           _u([1.0, -1.0], 0.6, [1.0, 1.5], 0, 0.1, "where the bias makes ŷ = 1 (w·x = -0.5)")],
    hint="w_new = w + lr * (y - ŷ) * x and b_new = b + lr * (y - ŷ), with ŷ = step(w·x + b)",
    mistakes={
        _SIGN: lambda w, b, x, y, lr: _update(w, b, x, y, -lr),
        "you forgot the bias update b + lr * (y - ŷ)":
            lambda w, b, x, y, lr: (_update(w, b, x, y, lr)[0], b),
        "you left out the learning rate lr": lambda w, b, x, y, lr: _update(w, b, x, y, 1.0),
        "ŷ is step(w·x + b), 0 or 1, not the weighted sum w·x + b": _upd(lambda z, b: z + b),
        "update by y - ŷ, not by y: when ŷ is right nothing changes": _upd(lambda z, b: 0.0),
        f"w·x + b = 0 here, so ŷ = step(0) = 0: {_GE}": _upd(lambda z, b: (z + b >= 0) * 1.0),
        "w += ... changes the caller's array: w_new = w + lr * (y - ŷ) * x": _into_w(_update, 0),
        "ŷ needs the bias too: ŷ = step(w·x + b)": _upd(lambda z, b: _step(z)),
    },
    correct=[_update, _upd(lambda z, b: np.heaviside(z + b, 0.0))],
    summary="both signs of the error, a right prediction, z = 0, inputs untouched")

_AND, _CORNERS = (0.0, 0.0, 0.0, 1.0), [f"({int(a)}, {int(b)})" for a, b in GATE_INPUTS]
_AND_RULE = "AND fires only at (1, 1): b <= 0, w1 + b <= 0, w2 + b <= 0 and w1 + w2 + b > 0"
_B0 = "At (0, 0) z is just b, so AND needs b <= 0."
_ON_LINE = "z = 0 gives 0 (step(0) = 0); move the bias so that (1, 1) is strictly above 0"
_PAIR = "end with `return w, b`, w an array of 2 weights and b a number"
_SHAPES = "one weight per input: w = np.array([w1, w2]), and a single number b"
_SWAP = "you returned (b, w): w comes first, `return w, b`"
_LIST = "w should be an array: w = np.array([w1, w2]), not a list"
_GATES = {(0.0, 1.0, 1.0, 1.0): "OR", (1.0, 1.0, 1.0, 0.0): "NAND", (1.0, 0.0, 0.0, 0.0): "NOR",
          (0.0, 0.0, 0.0, 0.0): "a constant 0", (1.0, 1.0, 1.0, 1.0): "a constant 1"}


def _gate(w, b):
    return lambda: (np.array(w, dtype=np.float64), b)


def _gate_check(got, want, case):
    try:
        w, b = (np.asarray(v, dtype=float) for v in (got if isinstance(got, (tuple, list)) else ()))
    except (TypeError, ValueError):
        return f"and_gate_weights() should return a pair (w, b), got {describe(got)}", _PAIR
    if w.shape != (2,) or b.shape != ():
        return (f"w should have shape (2,) and b be one number, got {w.shape} and {b.shape}",
                _SWAP if (w.shape, b.shape) == ((), (2,)) else _SHAPES)
    if not isinstance(got[0], np.ndarray):
        return f"w should be a NumPy array, got a Python {type(got[0]).__name__}", _LIST
    z = GATE_INPUTS @ w + b
    truth = tuple(_step(z))
    if truth == _AND:
        return None
    rows = [f"{c} gives {int(g)} (z = {v:.3g})" for c, g, t, v in zip(_CORNERS, truth, _AND, z)
            if g != t]
    hint = [f"your gate computes {_GATES[truth]}." if truth in _GATES else "",
            _B0 if truth[0] else "", _ON_LINE + "." if z[3] == 0 else "", _AND_RULE]
    return "wrong truth table: input " + "; input ".join(rows), " ".join(filter(None, hint))


def _gate_note(c, fn):
    w, b = fn()
    on = [k for k, z in zip(_CORNERS, GATE_INPUTS @ np.asarray(w, dtype=float) + b) if z == 0]
    return (f"note: {', '.join(on)} lies exactly on your line; it works only because step(0) = 0, "
            "a bias halfway between is safer") if on else None


and_gate_weights = table(
    "and_gate_weights", _gate([1.0, 1.0], -1.5), check=_gate_check, cases=[Case()],
    mistakes={
        "your gate computes OR. " + _AND_RULE: _gate([1.0, 1.0], -0.5),
        "your gate computes NAND. " + _AND_RULE: _gate([-1.0, -1.0], 1.5),
        _ON_LINE: _gate([1.0, 1.0], -2.0),
        _PAIR: lambda: np.array([1.0, 1.0]),
        _SHAPES: lambda: (np.array([1.0, 1.0, -1.5]), 0.0),
        "your gate computes a constant 1. " + _B0: _gate([1.0, 1.0], 0.5),
        _SWAP: lambda: (-1.5, np.array([1.0, 1.0])), _LIST: lambda: ([1.0, 1.0], -1.5),
    },
    correct=[_gate([1.0, 1.0], -1.5), _gate([2.0, 2.0], -3.0), lambda: (np.array([1, 1]), -1.5)],
    extra=_gate_note, summary="every corner right")


def _train(X, y, w, b, lr):
    mistakes = 0
    for xi, yi in zip(X, y):
        err = yi - float(xi @ w + b > 0)
        w, b, mistakes = w + lr * err * xi, b + lr * err, mistakes + int(err != 0)
    return w, b, mistakes


def _batch(X, y, w, b, lr):  # every point predicted with the weights from the start of the epoch
    err = y - _step(X @ w + b)
    return w + lr * err @ X, b + lr * err.sum(), int(np.count_nonzero(err))


def _epoch_check(got, want, case):
    problem = compare(got, want, case.what, names=("w", "b", "mistakes"))
    kept = isinstance(got, (tuple, list)) and len(got) == 3 and loosely_same(got[0], case.args[2])
    return (problem[0], _UNCHANGED) if problem and kept else problem


_UNCHANGED = "the weights did not change: return the updated w and b"
_XE = np.array([[2.0, 1.0], [-1.0, -1.5], [0.5, 2.0], [-2.0, 0.5], [1.0, -1.0], [0.0, 1.0]])
_YE = np.array([1, 0, 1, 0, 0, 1])
_AFTER = _train(_XE, _YE, np.array([-0.5, 0.2]), 0.1, 0.5)[:2]
train_epoch = table(
    "train_epoch", _train, names=("w", "b", "mistakes"), check=_epoch_check,
    hint="for each point in order: count it if step(x_i @ w + b) != y_i, then perceptron_update",
    cases=[Case(_XE, _YE, np.array([-0.5, 0.2]), 0.1, 0.5, what="train_epoch on 6 points"),
           Case(_XE, _YE, np.array([0.3, -0.4]), -0.2, 0.25, what="train_epoch with lr = 0.25"),
           Case(_XE, _YE, *_AFTER, 0.5, what="a second epoch, from where the first ended")],
    mistakes={
        "update after each point, in order: the next one is predicted with the new weights": _batch,
        _SIGN: lambda X, y, w, b, lr: _train(X, y, w, b, -lr),
        _UNCHANGED: lambda X, y, w, b, lr: _batch(X, y, w, b, 0.0),
        "count only the points the perceptron got wrong (where y - ŷ is not 0)":
            lambda X, y, w, b, lr: (*_train(X, y, w, b, lr)[:2], len(X)),
        "you counted the right predictions: count the points where step(x_i @ w + b) != y_i":
            lambda X, y, w, b, lr: (*_train(X, y, w, b, lr)[:2],
                                    len(X) - _train(X, y, w, b, lr)[2]),
        "`return` is inside the loop, so only the first point is used: dedent it out of the loop":
            lambda X, y, w, b, lr: _train(X[:1], y[:1], w, b, lr),
        "count a mistake when a point is wrong with the weights at that moment, before its update":
            lambda X, y, w, b, lr: _batch(X, y, *_train(X, y, w, b, lr)[:2], 0.0),
        "w += ... changes the caller's array; write w = w + lr * err * x": _into_w(_train, 2),
        "use the argument lr, not a fixed number": lambda X, y, w, b, lr: _train(X, y, w, b, 0.5),
    },
    correct=[_train, lambda X, y, w, b, lr: _into_w(_train, 2)(X, y, w.copy(), b, lr)],
    summary="in order, mistakes counted before each update")
