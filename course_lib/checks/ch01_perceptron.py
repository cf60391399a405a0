"""Checkers for chapter 01 · The perceptron: tables on the engine of :mod:`.core`.

Convention used everywhere: ``step(z) = 1.0`` if ``z > 0`` else ``0.0``, so ``step(0) = 0``. The
cases include points exactly on the line (z = 0) and a prediction that is already right, so that
``>=``, a missing bias or an update by ``y`` instead of ``y - ŷ`` give a different answer.
"""

import numpy as np

from ..perceptron import GATE_INPUTS
from .core import Case, compare, describe, in_place, loosely_same, table

__all__ = ["step", "weighted_sum", "perceptron_predict", "perceptron_update", "and_gate_weights",
           "train_epoch"]


def _step(z):
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


_TRUTH = "`if z > 0:` only works for a single number; for arrays compare element-wise: (z > 0)"
step = table(
    "step", _step, errors=[("truth value of an array", _TRUTH)],
    cases=[Case(np.array([-2.0, -0.5, 0.0, 1e-6, 3.0])),
           Case(np.array(0.0), what="step(0), a 0-d array"),
           Case(np.array([[-1.0, 2.0, 0.0], [0.5, -3.0, 4.0]]), what="step of a (2, 3) array")],
    mistakes={
        "you used z >= 0 (or np.heaviside(z, 1)); our convention is step(0) = 0, so use z > 0":
            lambda z: (z >= 0).astype(float),
        "that is np.sign: step gives 0 (not -1) for negative z": np.sign,
        "you returned z itself: step turns it into 0.0 or 1.0": lambda z: z.copy(),
        "that is ReLU, max(0, z): step gives exactly 1 for every z > 0": lambda z: np.maximum(z, 0),
        "z > 0 gives True/False: the exercise asks for floats 1.0 and 0.0, (z > 0).astype(float)":
            lambda z: z > 0,
        "(z > 0).astype(int) gives integers: the exercise asks for floats, .astype(float)":
            lambda z: (z > 0).astype(int),
        _TRUTH: lambda z: 1.0 if z > 0 else 0.0,
        "z[...] = ... writes into the caller's array: return a new one, (z > 0).astype(float)":
            in_place(lambda z: z > 0),
    },
    correct=[_step, lambda z: np.where(z > 0, 1.0, 0.0), lambda z: np.heaviside(z, 0.0)],
    summary="step(0) = 0, any shape")


# -- weighted sum ---------------------------------------------------------------------------------
def _ws(x, w, b):
    return x @ w + b


_W3, _X3 = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 3.0])
_XB = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 0.5], [2.0, 0.0, -1.0]])
weighted_sum = table(
    "weighted_sum", _ws, hint="w·x + b: x @ w + b works for one x (D,) and for a batch X (N, D)",
    cases=[Case(_X3, _W3, -0.25, what="weighted_sum(x=[1, 2, 3], w=[0.5, -1, 2], b=-0.25)"),
           Case(_XB, _W3, -0.25, what="weighted_sum of a batch X (4, 3)"),
           Case(_XB, _W3, 1.5, what="weighted_sum of a batch X (4, 3) with b = 1.5")],
    mistakes={
        "you forgot to add the bias b": lambda x, w, b: x @ w,
        "the bias is added: w·x + b, not w·x - b": lambda x, w, b: x @ w - b,
        "multiply element by element, then sum: x @ w (or np.sum(x * w)) + b":
            lambda x, w, b: x * w + b,
        "the weighted sum multiplies each input by its weight: x @ w":
            lambda x, w, b: np.sum(x + w) + b,
        "for a batch X (N, D) you summed over everything; X @ w sums each row":
            lambda x, w, b: np.sum(x * w) + b,
        "for a batch X (N, D), X @ w + b gives one sum per row, shape (N,); w @ X does not fit":
            lambda x, w, b: w @ x + b,
        "the bias is the argument b, not a fixed number": lambda x, w, b: x @ w - 0.25,
        "Python's sum() adds up the ROWS of X * w for a batch: sum each row, (x * w).sum(axis=-1), "
        "or write x @ w": lambda x, w, b: sum(x * w) + b,
        "x *= w writes into the caller's x: x @ w + b builds a new value": lambda x, w, b: np.sum(
            np.multiply(x, w, out=x), axis=-1) + b,
    },
    correct=[_ws, lambda x, w, b: np.dot(x, w) + b, lambda x, w, b: (x * w).sum(axis=-1) + b],
    summary="works for one x and for a batch")


# -- predict --------------------------------------------------------------------------------------
_XP = np.array([[0.0, 0.0], [1.0, 2.0], [1.5, 1.0], [3.0, 1.0], [0.4, 0.0], [0.0, 1.0]])
perceptron_predict = table(
    "perceptron_predict", lambda X, w, b: _step(X @ w + b), dtype="number",
    cases=[Case(_XP, np.array([1.0, -2.0]), 0.5,
                what="perceptron_predict on 6 points, one exactly on the line"),
           Case(_XP, np.array([-1.0, 1.0]), 0.25,
                what="perceptron_predict with w = [-1, 1], b = 0.25")],
    mistakes={
        "the point (1.5, 1) lies exactly on the line (z = 0) and step(0) = 0 in this course: use "
        "z > 0, not z >= 0": lambda X, w, b: (X @ w + b >= 0).astype(float),
        "you forgot the bias: step(X @ w + b)": lambda X, w, b: _step(X @ w),
        "you returned the weighted sum z; apply step to get labels 0/1": lambda X, w, b: X @ w + b,
        "labels are 0 and 1 (np.sign gives -1 and 1): use step": lambda X, w, b: np.sign(X @ w + b),
        "the bias is added: X @ w + b": lambda X, w, b: _step(X @ w - b),
        "return a flat array of shape (N,), one label per row":
            lambda X, w, b: _step(X @ w + b)[:, None],
        "X @ w + b > 0 gives True/False: convert to numbers, .astype(float)":
            lambda X, w, b: X @ w + b > 0,
        "return a NumPy array, not a Python list":
            lambda X, w, b: [float(v > 0) for v in X @ w + b],
    },
    correct=[lambda X, w, b: _step(X @ w + b), lambda X, w, b: (X @ w + b > 0).astype(int),
             lambda X, w, b: np.where(X @ w + b > 0, 1.0, 0.0)],
    summary="including a point exactly on the boundary")


# -- the learning rule ----------------------------------------------------------------------------
def _update(sign=1.0, bias=True, use_lr=True, use_z=False, by_y=False, ge=False, in_place=False):
    def f(w, b, x, y, lr):
        z = np.dot(w, x) + b
        y_hat = z if use_z else float(z >= 0) if ge else float(z > 0)
        err = y if by_y else sign * (y - y_hat)
        rate = lr if use_lr else 1.0
        if in_place:
            w += rate * err * x
            return w, b + rate * err
        return w + rate * err * x, (b + rate * err) if bias else b
    return f


def _upd_cases():
    w, x2 = np.array([0.5, -1.0]), np.array([2.0, 0.5])
    return [Case(w, 0.2, np.array([1.0, 2.0]), 1, 0.1,
                 what="perceptron_update when ŷ = 0 but y = 1"),
            Case(w, 0.2, x2, 0, 0.1, what="perceptron_update when ŷ = 1 but y = 0"),
            Case(w, 0.2, x2, 1, 0.1, what="perceptron_update on a right prediction (ŷ = y = 1)"),
            Case(np.array([1.0, -1.0]), 0.0, np.array([1.0, 1.0]), 1, 0.1,
                 what="perceptron_update when w·x + b = 0 exactly, y = 1"),
            Case(w, 0.2, np.array([1.0, 2.0]), 1, 0.5, what="perceptron_update with lr = 0.5"),
            Case(np.array([1.0, -1.0]), 0.6, np.array([1.0, 1.5]), 0, 0.1,
                 what="perceptron_update where the bias decides ŷ (w·x = -0.5, b = 0.6, y = 0)")]


perceptron_update = table(
    "perceptron_update", _update(), names=("w_new", "b_new"), cases=_upd_cases(),
    hint="w_new = w + lr * (y - ŷ) * x and b_new = b + lr * (y - ŷ), with ŷ = step(w·x + b)",
    mistakes={
        "wrong sign: the rule uses (y - ŷ), you used (ŷ - y)": _update(sign=-1.0),
        "you forgot the bias update b + lr * (y - ŷ)": _update(bias=False),
        "you forgot to multiply by the learning rate lr": _update(use_lr=False),
        "ŷ is the prediction step(w·x + b) (0 or 1), not the weighted sum w·x + b":
            _update(use_z=True),
        "update by the error (y - ŷ), not by y: when the prediction is right nothing changes":
            _update(by_y=True),
        "here w·x + b = 0 exactly, so ŷ = step(0) = 0: use z > 0, not z >= 0": _update(ge=True),
        "w += ... changes the caller's array; build a new one: w_new = w + lr * (y - ŷ) * x":
            _update(in_place=True),
        "ŷ needs the bias too: ŷ = step(w·x + b)": lambda w, b, x, y, lr: (
            lambda e: (w + lr * e * x, b + lr * e))(y - float(np.dot(w, x) > 0)),
    },
    correct=[_update(), lambda w, b, x, y, lr: (lambda e: (w + lr * e * x, b + lr * e))(
        y - np.heaviside(x @ w + b, 0.0))],
    summary="both signs of the error, a right prediction, z = 0, inputs untouched")


# -- a gate by hand -------------------------------------------------------------------------------
_AND = (0.0, 0.0, 0.0, 1.0)
_AND_RULE = ("AND fires only when both inputs are 1: you need b <= 0, w1 + b <= 0, w2 + b <= 0 and "
             "w1 + w2 + b > 0")
_GATES = {(0.0, 1.0, 1.0, 1.0): "OR", (1.0, 1.0, 1.0, 0.0): "NAND", (1.0, 0.0, 0.0, 0.0): "NOR",
          (0.0, 0.0, 0.0, 0.0): "a constant 0", (1.0, 1.0, 1.0, 1.0): "a constant 1"}


def _gate_drive(f):
    out = f()
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return {"pair": describe(out)}
    try:
        w, b = np.asarray(out[0], dtype=np.float64), np.asarray(out[1], dtype=np.float64)
    except (TypeError, ValueError):
        return {"pair": describe(out)}
    if w.shape != (2,) or b.shape != ():
        return {"pair": "ok", "shapes": (w.shape, b.shape)}
    z = GATE_INPUTS @ w + b
    return {"pair": "ok", "shapes": ((2,), ()), "table": tuple(_step(z)), "z": tuple(z)}


def _gate_check(got, want, case):
    if got["pair"] != "ok":
        return (f"and_gate_weights() should return a pair (w, b), got {got['pair']}",
                "end with `return w, b`, w an array of 2 weights and b a number")
    if got["shapes"] != ((2,), ()):
        return (f"w should have shape (2,) and b be one number; got shapes {got['shapes']}",
                "one weight per input: w = np.array([w1, w2]), and a single number b")
    if got["table"] == _AND:
        return None
    rows = [f"({int(r[0])}, {int(r[1])}) gives {int(g)} (z = {zz:.3g})" for r, g, t, zz in
            zip(GATE_INPUTS, got["table"], _AND, got["z"]) if g != t]
    name = _GATES.get(got["table"])
    hint = (f"your gate computes {name}. " if name else "") + (
        "At (0, 0) z is just b, so AND needs b <= 0. " if got["table"][0] == 1 else "") + (
        "z = 0 gives 0 (step(0) = 0); move the bias so that (1, 1) is strictly above 0. "
        if got["z"][3] == 0 else "") + _AND_RULE
    return "wrong truth table: input " + "; input ".join(rows), hint


def _gate(w, b):
    return lambda: (np.array(w, dtype=np.float64), b)


and_gate_weights = table(
    "and_gate_weights", _gate([1.0, 1.0], -1.5), driver=_gate_drive, check=_gate_check,
    cases=[Case(what="and_gate_weights()")],
    mistakes={
        "your gate computes OR. " + _AND_RULE: _gate([1.0, 1.0], -0.5),
        "your gate computes NAND. " + _AND_RULE: _gate([-1.0, -1.0], 1.5),
        "z = 0 gives 0 (step(0) = 0); move the bias so that (1, 1) is strictly above 0":
            _gate([1.0, 1.0], -2.0),
        "end with `return w, b`, w an array of 2 weights and b a number":
            lambda: np.array([1.0, 1.0]),
        "one weight per input: w = np.array([w1, w2]), and a single number b":
            lambda: (np.array([1.0, 1.0, -1.5]), 0.0),
        "your gate computes a constant 1": _gate([1.0, 1.0], 0.5),
    },
    correct=[_gate([1.0, 1.0], -1.5), _gate([2.0, 2.0], -3.0), lambda: ([0.5, 0.5], -0.7)],
    extra=lambda c, fn: _gate_note(_gate_drive(fn)), summary="every corner right")


def _gate_note(seen):
    on = [f"({int(r[0])}, {int(r[1])})" for r, z in zip(GATE_INPUTS, seen["z"]) if z == 0]
    return (f"note: {', '.join(on)} lies exactly on your line; it works only because step(0) = 0, "
            "a bias halfway between is safer") if on else None


# -- one epoch of training ------------------------------------------------------------------------
def _epoch(batch=False, sign=1.0, count="wrong", in_place=False, lr_fixed=None, no_update=False):
    def train_epoch(X, y, w, b, lr):
        rate = lr if lr_fixed is None else lr_fixed
        if batch:  # every prediction made with the weights from the start of the epoch
            err = y - _step(X @ w + b)
            return (w + rate * sign * err @ X, b + rate * sign * err.sum(),
                    int(np.count_nonzero(err)))
        mistakes = 0
        for xi, yi in zip(X, y):
            err = yi - float(xi @ w + b > 0)
            if count == "all" or (count == "wrong" and err != 0):
                mistakes += 1
            if no_update:
                continue
            if in_place:
                w += rate * sign * err * xi
            else:
                w = w + rate * sign * err * xi
            b = b + rate * sign * err
        if count == "after":
            mistakes = int(np.count_nonzero(y - _step(X @ w + b)))
        return w, b, mistakes
    return train_epoch


def _epoch_check(got, want, case):
    problem = compare(got, want, case.what, names=("w", "b", "mistakes"))
    if (problem and isinstance(got, (tuple, list)) and len(got) == 3
            and loosely_same(got[0], case.args[2])):
        return problem[0], "the weights did not change: return the updated w and b"
    return problem


_XE = np.array([[2.0, 1.0], [-1.0, -1.5], [0.5, 2.0], [-2.0, 0.5], [1.0, -1.0], [0.0, 1.0]])
_YE = np.array([1, 0, 1, 0, 0, 1])
_W_AFTER, _B_AFTER, _ = _epoch()(_XE, _YE, np.array([-0.5, 0.2]), 0.1, 0.5)
train_epoch = table(
    "train_epoch", _epoch(), names=("w", "b", "mistakes"), check=_epoch_check,
    hint="for each (x_i, y_i) in order: count a mistake if step(x_i @ w + b) != y_i, then "
         "w, b = perceptron_update(w, b, x_i, y_i, lr)",
    cases=[Case(_XE, _YE, np.array([-0.5, 0.2]), 0.1, 0.5, what="train_epoch on 6 points"),
           Case(_XE, _YE, np.array([0.3, -0.4]), -0.2, 0.25, what="train_epoch with lr = 0.25"),
           Case(_XE, _YE, _W_AFTER, _B_AFTER, 0.5,
                what="a second epoch, from where the first ended")],
    mistakes={
        "update after each point, in order: the next point is predicted with the new weights":
            _epoch(batch=True),
        "wrong sign: the rule uses (y - ŷ), you used (ŷ - y)": _epoch(sign=-1.0),
        "the weights did not change: return the updated w and b": _epoch(no_update=True),
        "count only the points the perceptron got wrong (where y - ŷ is not 0)":
            _epoch(count="all"),
        "count a mistake when a point is wrong with the weights at that moment, before its update":
            _epoch(count="after"),
        "w += lr * err * x changes the caller's array; write w = w + lr * err * x":
            _epoch(in_place=True),
        "use the argument lr, not a fixed number": _epoch(lr_fixed=0.5),
    },
    correct=[_epoch(), lambda X, y, w, b, lr: _epoch()(X, y, w.copy(), b, lr)],
    summary="in order, mistakes counted before each update")
