"""Checkers for chapter 01 · The perceptron (see course_lib.checks.core for the framework).

Convention used everywhere: ``step(z) = 1`` if ``z > 0`` else ``0``, so ``step(0) = 0``.
Each checker runs the learner's function on small cases built so that the typical mistakes give a
different answer, recognises which mistake it is and names it in the hint.
"""

import numpy as np

from ..perceptron import GATE_INPUTS
from .core import Wrong, checker, describe

__all__ = ["step", "weighted_sum", "perceptron_predict", "perceptron_update", "and_gate_weights",
           "train_epoch"]


def _step(z):
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def _same(got, want):
    """True when ``got`` has ``want``'s shape and values (never raises); pairs element-wise."""
    if isinstance(want, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(want)
                and all(_same(g, v) for g, v in zip(got, want)))
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=np.float64)
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-9)


def _diagnose(got, mistakes):
    """Return the hint of the first ``(wrong_output, hint)`` in ``mistakes`` that ``got`` matches."""
    for wrong, hint in mistakes:
        if _same(got, wrong):
            return hint
    return None


def _truth_value_hint(fn, c, *args):
    """Call ``fn``; an ``if z > 0`` on an array gets its own hint instead of a generic one."""
    try:
        return c.call(fn, *args)
    except Wrong as w:
        if "truth value of an array" in w.message:
            raise Wrong(w.message, "`if z > 0:` only works for a single number; for arrays "
                                   "compare element-wise: (z > 0) gives an array of True/False") from None
        raise


# -- step -----------------------------------------------------------------------------------------

@checker("step")
def step(c, fn):
    z = np.array([-2.0, -0.5, 0.0, 1e-6, 3.0])
    want = _step(z)
    got = _truth_value_hint(fn, c, z)
    hint = _diagnose(got, [
        ((z >= 0).astype(float), "you used z >= 0; our convention is step(0) = 0, so use z > 0"),
        (np.sign(z), "that is np.sign: step gives 0 (not -1) for negative z"),
        (z, "you returned z itself: step turns it into 0 or 1"),
        (np.maximum(z, 0), "that is ReLU, max(0, z): step gives exactly 1 for every z > 0"),
    ])
    c.close(got, want, "step([-2, -0.5, 0, 1e-6, 3])", hint=hint or "1 where z > 0, else 0")
    got0 = c.call(fn, np.array(0.0))
    flat = np.ndim(got0) != 0 if got0 is not None else False
    c.close(got0, 0.0, "step(0)", hint="keep the input's shape: a 0-d input gives a 0-d output" if flat
            else "our convention is step(0) = 0: use z > 0, not z >= 0")
    Z = np.array([[-1.0, 2.0, 0.0], [0.5, -3.0, 4.0]])
    c.close(c.call(fn, Z), _step(Z), "step of a (2, 3) array",
            hint="keep the input's shape: compare element-wise, (z > 0).astype(float)")


# -- weighted sum ---------------------------------------------------------------------------------

@checker("weighted_sum")
def weighted_sum(c, fn):
    w, b = np.array([0.5, -1.0, 2.0]), -0.25
    x = np.array([1.0, 2.0, 3.0])
    got = c.call(fn, x, w, b)
    hint = _diagnose(got, [
        (x @ w, "you forgot to add the bias b"),
        (x @ w - b, "the bias is added: w·x + b, not w·x - b"),
        (x * w + b, "multiply element by element, then sum: x @ w (or np.sum(x * w)) + b"),
        (np.sum(x + w) + b, "the weighted sum multiplies each input by its weight: x @ w"),
    ])
    c.close(got, x @ w + b, "weighted_sum(x=[1, 2, 3], w=[0.5, -1, 2], b=-0.25)",
            hint=hint or "w·x + b = w[0] x[0] + w[1] x[1] + w[2] x[2] + b")
    X = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 0.5], [2.0, 0.0, -1.0]])
    got = c.call(fn, X, w, b)
    hint = _diagnose(got, [
        (np.sum(X * w) + b, "for a batch X (N, D) you summed over everything; X @ w sums each row"),
        (X @ w, "you forgot to add the bias b"),
    ])
    if hint is None and np.asarray(got).shape != (4,):
        hint = "for a batch X (N, D), X @ w + b gives one sum per row, shape (N,)"
    c.close(got, X @ w + b, "weighted_sum of a batch X (4, 3)", hint=hint)
    return "works for one x and for a batch"


# -- predict --------------------------------------------------------------------------------------

@checker("perceptron_predict")
def perceptron_predict(c, fn):
    w, b = np.array([1.0, -2.0]), 0.5
    # the 3rd point lies exactly on the line x1 - 2 x2 + 0.5 = 0: step(0) = 0 makes it class 0
    X = np.array([[0.0, 0.0], [1.0, 2.0], [1.5, 1.0], [3.0, 1.0], [0.4, 0.0], [0.0, 1.0]])
    z = X @ w + b
    got = c.call(fn, X, w, b)
    hint = _diagnose(got, [
        ((z >= 0).astype(float), "the point (1.5, 1) lies exactly on the line (z = 0) and "
                                 "step(0) = 0 in this course: use z > 0, not z >= 0"),
        (_step(X @ w), "you forgot the bias: step(X @ w + b)"),
        (z, "you returned the weighted sum z; apply step to get labels 0/1"),
        (np.sign(z), "labels are 0 and 1 (np.sign gives -1 and 1): use step"),
        (_step(X @ w - b), "the bias is added: X @ w + b"),
    ])
    if hint is None and np.asarray(got).shape == (len(X), 1):
        hint = "return a flat array of shape (N,), one label per row"
    c.close(got, _step(z), f"perceptron_predict on {len(X)} points", hint=hint or "step(X @ w + b)")
    return "including a point exactly on the boundary"


# -- the learning rule ----------------------------------------------------------------------------

def _update(w, b, x, y, lr, sign=1.0, bias=True, use_lr=True, use_z=False):
    y_hat = (np.dot(w, x) + b) if use_z else _step(np.dot(w, x) + b)
    err = sign * (y - y_hat)
    rate = lr if use_lr else 1.0
    return w + rate * err * x, (b + rate * err) if bias else b


def _update_mistakes(w, b, x, y, lr):
    return [
        (_update(w, b, x, y, lr, sign=-1.0), "wrong sign: the rule uses (y - ŷ), you used (ŷ - y)"),
        (_update(w, b, x, y, lr, bias=False), "you forgot the bias update b + lr * (y - ŷ)"),
        (_update(w, b, x, y, lr, use_lr=False), "you forgot to multiply by the learning rate lr"),
        (_update(w, b, x, y, lr, use_z=True), "ŷ is the prediction step(w·x + b) (0 or 1), "
                                              "not the weighted sum w·x + b"),
        ((w + lr * y * x, b + lr * y), "update by the error (y - ŷ), not by y: when the prediction "
                                       "is right nothing changes"),
        ((w + lr * (y - (np.dot(w, x) + b >= 0)) * x, b + lr * (y - (np.dot(w, x) + b >= 0))),
         "here w·x + b = 0 exactly, so ŷ = step(0) = 0: use z > 0, not z >= 0"),
    ]


@checker("perceptron_update")
def perceptron_update(c, fn):
    lr = 0.1
    cases = [  # (w, b, x, y, what it tests)
        (np.array([0.5, -1.0]), 0.2, np.array([1.0, 2.0]), 1, "ŷ = 0 but y = 1"),
        (np.array([0.5, -1.0]), 0.2, np.array([2.0, 0.5]), 0, "ŷ = 1 but y = 0"),
        (np.array([0.5, -1.0]), 0.2, np.array([2.0, 0.5]), 1, "a right prediction (ŷ = y = 1)"),
        (np.array([1.0, -1.0]), 0.0, np.array([1.0, 1.0]), 1, "w·x + b = 0 exactly, y = 1"),
    ]
    for w, b, x, y, what in cases:
        w_in, x_in = w.copy(), x.copy()
        call = f"perceptron_update(w={describe(w)}, b={b:g}, x={describe(x)}, y={y}, lr={lr:g})"
        out = c.call_raw(fn, w_in, b, x_in, y, lr)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Wrong(f"{call} should return a pair (w_new, b_new), got {describe(out)}",
                        "end with `return w_new, b_new`")
        want_w, want_b = _update(w, b, x, y, lr)
        got_w, got_b = out
        right = _same(got_w, want_w) and _same(got_b, want_b)
        hint = None if right else _diagnose((got_w, got_b), _update_mistakes(w, b, x, y, lr))
        c.ok(right, f"{call} ({what}) should give w_new={describe(want_w)}, b_new={want_b:.4g}; "
                    f"got w_new={describe(got_w)}, b_new={describe(got_b)}",
             hint or "w + lr * (y - ŷ) * x and b + lr * (y - ŷ), with ŷ = step(w·x + b)")
        c.unchanged(w, w_in, f"{call}: the input w",
                    "w += ... or w[...] = ... changes the caller's array; build a new one: "
                    "w_new = w + lr * (y - ŷ) * x")
        c.unchanged(x, x_in, f"{call}: the input x")
    return "both signs of the error, a right prediction, z = 0, inputs untouched"


# -- a gate by hand -------------------------------------------------------------------------------

_GATES = {"OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0],
          "a constant 0": [0, 0, 0, 0], "a constant 1": [1, 1, 1, 1]}
_AND = [0, 0, 0, 1]


@checker("and_gate_weights")
def and_gate_weights(c, fn):
    out = c.call(fn)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise Wrong(f"and_gate_weights() should return a pair (w, b), got {describe(out)}",
                    "end with `return w, b`, w an array of 2 weights and b a number")
    w = c.shape(out[0], (2,), "w", hint="one weight per input: w = np.array([w1, w2])")
    b = c.shape(out[1], (), "b", hint="the bias is a single number")
    z = GATE_INPUTS @ w + b
    got = _step(z).astype(int)
    want = np.array(_AND)
    hint, rows = "", []
    if not np.array_equal(got, want):
        rows = [f"({r[0]}, {r[1]}) gives {g} (z = {zz:.3g}) but AND gives {t}"
                for r, g, t, zz in zip(GATE_INPUTS, got, want, z) if g != t]
        same = [name for name, table in _GATES.items() if np.array_equal(got, table)]
        hint = f"your gate computes {same[0]}. " if same else ""
        if got[0] == 1:
            hint += "At (0, 0) z is just b, so AND needs b <= 0. "
        if any(zz == 0 for zz, g, t in zip(z, got, want) if g != t):
            hint += "z = 0 gives 0 (step(0) = 0); move the bias so that (1, 1) is strictly above 0. "
        hint += ("AND fires only when both inputs are 1: you need b <= 0, w1 + b <= 0, w2 + b <= 0 "
                 "and w1 + w2 + b > 0")
    c.ok(not rows, "wrong truth table: input " + "; input ".join(rows), hint)
    if np.any(z == 0):
        on = [f"({r[0]}, {r[1]})" for r, zz in zip(GATE_INPUTS, z) if zz == 0]
        return (f"note: {', '.join(on)} lies exactly on your line; it works only because "
                "step(0) = 0, a bias halfway between is safer")
    return f"w = {describe(w)}, b = {float(b):g}"


# -- one epoch of training ------------------------------------------------------------------------

def _epoch(X, y, w, b, lr, batch=False):
    mistakes = 0
    if batch:  # every prediction made with the weights from the start of the epoch
        err = y - _step(X @ w + b)
        return w + lr * err @ X, b + lr * err.sum(), int(np.count_nonzero(err))
    for xi, yi in zip(X, y):
        err = yi - _step(xi @ w + b)
        if err != 0:
            w, b, mistakes = w + lr * err * xi, b + lr * err, mistakes + 1
    return w, b, mistakes


@checker("train_epoch")
def train_epoch(c, fn):
    X = np.array([[2.0, 1.0], [-1.0, -1.5], [0.5, 2.0], [-2.0, 0.5], [1.0, -1.0], [0.0, 1.0]])
    y = np.array([1, 0, 1, 0, 0, 1])
    w, b, lr = np.array([-0.5, 0.2]), 0.1, 0.5
    call = "train_epoch on 6 points"
    X_in, w_in = X.copy(), w.copy()
    out = c.call_raw(fn, X_in, y.copy(), w_in, b, lr)
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise Wrong(f"train_epoch should return (w, b, mistakes), got {describe(out)}",
                    "end with `return w, b, mistakes`")
    got_w, got_b, got_m = out
    want_w, want_b, want_m = _epoch(X, y, w, b, lr)
    right = _same(got_w, want_w) and _same(got_b, want_b)
    hint = None if right else _diagnose((got_w, got_b), [
        (_epoch(X, y, w, b, lr, batch=True)[:2],
         "update after each point, in order: the next point is predicted with the new weights"),
        (_epoch(X, y, w, b, -lr)[:2], "wrong sign: the rule uses (y - ŷ), you used (ŷ - y)"),
        ((w, b), "the weights did not change: return the updated w and b"),
    ])
    c.ok(right, f"{call} should end with w={describe(want_w)}, b={want_b:.4g}; "
                f"got w={describe(got_w)}, b={describe(got_b)}",
         hint or "for each (x_i, y_i) in order: w, b = perceptron_update(w, b, x_i, y_i, lr)")
    hint = None
    if _same(got_m, len(X)):
        hint = "count only the points the perceptron got wrong (where y - ŷ is not 0)"
    elif _same(got_m, _epoch(X, y, w, b, lr, batch=True)[2]):
        hint = "count a mistake when a point is wrong with the weights at that moment, before its update"
    c.close(got_m, want_m, f"{call}: the number of mistakes", hint=hint)
    c.unchanged(w, w_in, "the input w", "w += lr * err * x changes the caller's array; write w = w + lr * err * x")
    c.unchanged(X, X_in, "the input X")
    # a second epoch from where the first ended must have no mistake left on this easy data
    out2 = c.call(fn, X, y, want_w, want_b, lr)
    want2 = _epoch(X, y, want_w, want_b, lr)
    c.ok(isinstance(out2, (tuple, list)) and len(out2) == 3, "a second call returned "
         f"{describe(out2)} instead of (w, b, mistakes)")
    c.close(out2[0], want2[0], "w after a second epoch (starting where the first ended)")
    c.close(out2[2], want2[2], "mistakes in a second epoch")
    return f"{want_m} mistakes in the first epoch"
