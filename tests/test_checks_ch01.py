"""Chapter 01 checkers: right answers pass, each typical mistake fails with a hint that names it."""

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import core


def _todo(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


def _raises(*args):
    return {}["missing"]


def _run(check, fn):
    return check(fn, quiet=True, strict=False)


# -- step ------------------------------------------------------------------------------------------

def step_ok(z):
    return (np.asarray(z) > 0).astype(float)


STEP_MISTAKES = {
    ">= 0": (lambda z: (np.asarray(z) >= 0).astype(float), "z > 0"),
    "sign": (lambda z: np.sign(z), "np.sign"),
    "identity": (lambda z: z, "returned z itself"),
    "relu": (lambda z: np.maximum(z, 0), "ReLU"),
    "python if": (lambda z: 1.0 if z > 0 else 0.0, "element-wise"),
    "flattens": (lambda z: (np.ravel(z) > 0).astype(float), "shape"),
}


# -- weighted sum ----------------------------------------------------------------------------------

def weighted_sum_ok(x, w, b):
    return x @ w + b


WSUM_MISTAKES = {
    "no bias": (lambda x, w, b: x @ w, "forgot to add the bias"),
    "minus bias": (lambda x, w, b: x @ w - b, "not w·x - b"),
    "no sum": (lambda x, w, b: x * w + b, "then sum"),
    "sum of all": (lambda x, w, b: np.sum(x * w) + b, "sums each row"),
    "adds inputs": (lambda x, w, b: np.sum(x + w) + b, "you added x + w"),
}


# -- predict ---------------------------------------------------------------------------------------

def predict_ok(X, w, b):
    return (X @ w + b > 0).astype(int)


PREDICT_MISTAKES = {
    ">= 0": (lambda X, w, b: (X @ w + b >= 0).astype(int), "z > 0, not z >= 0"),
    "no bias": (lambda X, w, b: (X @ w > 0).astype(int), "forgot the bias"),
    "raw scores": (lambda X, w, b: X @ w + b, "weighted sum z"),
    "sign": (lambda X, w, b: np.sign(X @ w + b), "labels are 0 and 1"),
    "minus bias": (lambda X, w, b: (X @ w - b > 0).astype(int), "bias is added"),
    "column": (lambda X, w, b: (X @ w + b > 0).astype(int)[:, None], "shape (N,)"),
}


# -- update ----------------------------------------------------------------------------------------

def update_ok(w, b, x, y, lr):
    y_hat = float(np.dot(w, x) + b > 0)
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


def _update_with(sign=1.0, bias=True, use_lr=True, use_z=False, ge=False):
    def update(w, b, x, y, lr):
        z = np.dot(w, x) + b
        y_hat = z if use_z else float(z >= 0 if ge else z > 0)
        err = sign * (y - y_hat)
        rate = lr if use_lr else 1.0
        return w + rate * err * x, (b + rate * err) if bias else b
    return update


def update_in_place(w, b, x, y, lr):
    y_hat = float(np.dot(w, x) + b > 0)
    w += lr * (y - y_hat) * x
    return w, b + lr * (y - y_hat)


UPDATE_MISTAKES = {
    "wrong sign": (_update_with(sign=-1.0), "wrong sign"),
    "no bias update": (_update_with(bias=False), "forgot the bias update"),
    "no lr": (_update_with(use_lr=False), "learning rate"),
    "z not y_hat": (_update_with(use_z=True), "not the weighted sum"),
    ">= 0": (_update_with(ge=True), "z > 0, not z >= 0"),
    "by y": (lambda w, b, x, y, lr: (w + lr * y * x, b + lr * y), "not by y"),
    "mutates w": (update_in_place, "changes the caller's array"),
    "returns w only": (lambda w, b, x, y, lr: update_ok(w, b, x, y, lr)[0], "return w_new, b_new"),
}


# -- and gate --------------------------------------------------------------------------------------

def _weights(w, b):
    return lambda: (np.array(w, dtype=float), b)


AND_MISTAKES = {
    "OR": (_weights([1, 1], -0.5), "your gate computes OR"),
    "NAND": (_weights([-1, -1], 1.5), "your gate computes NAND"),
    "positive bias": (_weights([1, 1], 1.5), "AND needs b <= 0"),
    "on the line at (1,1)": (_weights([1, 1], -2.0), "step(0) = 0"),
    "one row wrong": (_weights([1, 2], -1.5), "input (0, 1) gives 1"),
    "three weights": (_weights([1, 1, 1], -1.5), "shape (2,)"),
    "no pair": (lambda: np.array([1.0, 1.0]), "return w, b"),
    "w as a list": (lambda: ([2.0, 2.0], -3.0), "not a list"),   # the statement asks for an array
    "(b, w)": (lambda: (-1.2, np.array([1.0, 1.0])), "you returned (b, w)"),
}


# -- train epoch -----------------------------------------------------------------------------------

def epoch_ok(X, y, w, b, lr):
    mistakes = 0
    for xi, yi in zip(X, y):
        err = yi - float(xi @ w + b > 0)
        if err != 0:
            w, b, mistakes = w + lr * err * xi, b + lr * err, mistakes + 1
    return w, b, mistakes


def epoch_batch(X, y, w, b, lr):
    err = y - (X @ w + b > 0)
    return w + lr * err @ X, b + lr * err.sum(), int(np.count_nonzero(err))


def epoch_counts_all(X, y, w, b, lr):
    w, b, _ = epoch_ok(X, y, w, b, lr)
    return w, b, len(X)


def epoch_in_place(X, y, w, b, lr):
    mistakes = 0
    for xi, yi in zip(X, y):
        err = yi - float(xi @ w + b > 0)
        if err != 0:
            w += lr * err * xi
            b, mistakes = b + lr * err, mistakes + 1
    return w, b, mistakes


EPOCH_MISTAKES = {
    "batch update": (epoch_batch, "update after each point"),
    "wrong sign": (lambda X, y, w, b, lr: epoch_ok(X, y, w, b, -lr), "wrong sign"),
    "counts every point": (epoch_counts_all, "count only the points"),
    "mutates w": (epoch_in_place, "changes the caller's array"),
    "counts the right ones": (lambda X, y, w, b, lr: (*epoch_ok(X, y, w, b, lr)[:2],
                                                      len(X) - epoch_ok(X, y, w, b, lr)[2]),
                              "you counted the right predictions"),
    "returns after one point": (lambda X, y, w, b, lr: epoch_ok(X[:1], y[:1], w, b, lr),
                                "`return` is inside the loop"),
    "no return of weights": (lambda X, y, w, b, lr: (w, b, epoch_ok(X, y, w, b, lr)[2]),
                             "did not change"),
    "two values": (lambda X, y, w, b, lr: epoch_ok(X, y, w, b, lr)[:2], "w, b, mistakes"),
}


CASES = [
    (checks.step, step_ok, STEP_MISTAKES),
    (checks.weighted_sum, weighted_sum_ok, WSUM_MISTAKES),
    (checks.perceptron_predict, predict_ok, PREDICT_MISTAKES),
    (checks.perceptron_update, update_ok, UPDATE_MISTAKES),
    (checks.and_gate_weights, _weights([1, 1], -1.5), AND_MISTAKES),
    (checks.train_epoch, epoch_ok, EPOCH_MISTAKES),
]
IDS = [check.exercise for check, _, _ in CASES]
MISTAKES = [(check, fn, key) for check, _, table in CASES for key, (fn, key) in table.items()]


@pytest.mark.parametrize("check, correct, _", CASES, ids=IDS)
def test_correct_passes(check, correct, _, capsys):
    result = check(correct, strict=True)
    assert result.passed, result.line
    out = capsys.readouterr().out
    assert out.startswith(f"✅ passed · {check.exercise}: ") and out.count("\n") == 1


@pytest.mark.parametrize("check, wrong, keyword", MISTAKES,
                         ids=[f"{c.exercise}-{k}" for c, _, t in CASES for k in t])
def test_mistake_is_named(check, wrong, keyword):
    result = _run(check, wrong)
    assert result.status == core.WRONG, result.line
    assert keyword in result.line, result.line


@pytest.mark.parametrize("check", [c for c, _, _ in CASES], ids=IDS)
def test_not_implemented(check):
    assert _run(check, _todo).status == core.TODO


@pytest.mark.parametrize("check", [c for c, _, _ in CASES], ids=IDS)
def test_exception_fails_without_raising(check):
    result = _run(check, _raises)
    assert result.status == core.WRONG
    assert "KeyError" in result.line


@pytest.mark.parametrize("check", [c for c, _, _ in CASES], ids=IDS)
def test_strict_raises_on_failure(check):
    with pytest.raises(AssertionError):
        check(lambda *args: None, quiet=True, strict=True)


def test_step_refuses_booleans_and_ints_the_statement_asks_for_floats():
    for fn in (lambda z: np.asarray(z) > 0, lambda z: (np.asarray(z) > 0).astype(int)):
        result = _run(checks.step, fn)
        assert result.status == "wrong" and "should be a float array" in result.line


def test_and_gate_on_the_line_passes_with_a_note():
    # w = (1, 1), b = -1: (0, 1) and (1, 0) sit on the line; correct only because step(0) = 0
    result = _run(checks.and_gate_weights, _weights([1, 1], -1.0))
    assert result.passed and "exactly on your line" in result.line


def test_and_gate_names_every_wrong_row():
    result = _run(checks.and_gate_weights, _weights([1, 1], -0.5))   # OR: rows (0,1), (1,0) wrong
    assert "(0, 1) gives 1" in result.line and "(1, 0) gives 1" in result.line
    assert "(1, 1)" not in result.line.split("Hint")[0]


def test_update_refuses_w_new_as_a_list():
    def as_lists(w, b, x, y, lr):
        w_new, b_new = update_ok(w, b, x, y, lr)
        return [list(w_new), float(b_new)]
    result = _run(checks.perceptron_update, as_lists)
    assert result.status == "wrong"
    assert "w_new returned a Python list, expected a NumPy array" in result.line
    assert "np.array(result)" in result.line
