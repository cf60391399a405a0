"""Chapter 04's checkers: the right answer passes, each typical mistake fails with a hint naming
it."""

import math

import numpy as np
import pytest

from course_lib import checks
from course_lib.autograd import Value, topological_order
from course_lib.checks import core
from course_lib.functions import softmax


def todo(*args):
    raise NotImplementedError()


def boom(*args):
    raise KeyError("oops")


# -- 04a: correct implementations and typical mistakes ---------------------------------------------
def dense_ok(x, W, dout):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def relu_ok(dout, x):
    return dout * (x > 0)


def relu_in_place(dout, x):
    dout[x <= 0] = 0
    return dout


def onehot(y, k):
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), y] = 1
    return out


def ce_ok(z, y):
    return (softmax(z, axis=1) - onehot(y, z.shape[1])) / len(y)


def ce_overflow(z, y):
    with np.errstate(all="ignore"):
        e = np.exp(z)  # no max subtraction
        return (e / e.sum(axis=1, keepdims=True) - onehot(y, z.shape[1])) / len(y)


def num_grad_ok(f, x, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def num_grad_one_sided(f, x, h=1e-5):
    g = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        g[i] = (f(xp) - f0) / h
    return g


def num_grad_not_restored(f, x, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        g[i] = (fp - fm) / (2 * h)
    return g


def num_grad_by_h(f, x, h=1e-5):
    return 2 * num_grad_ok(f, x, h)


def num_grad_1d_only(f, x, h=1e-5):
    g = np.zeros_like(x)
    for i in range(len(x)):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


def step_ok(model, loss_fn, X, y, lr):
    loss = loss_fn(model.forward(X), y)
    model.backward(loss_fn.backward())
    for p, g in model.parameters():
        p -= lr * g
    return loss


def step_rebind(model, loss_fn, X, y, lr):
    loss = loss_fn(model.forward(X), y)
    model.backward(loss_fn.backward())
    for p, g in model.parameters():
        p = p - lr * g  # noqa: F841 - the typical mistake
    return loss


def step_no_backward(model, loss_fn, X, y, lr):
    loss = loss_fn(model.forward(X), y)
    for p, g in model.parameters():
        p -= lr * g
    return loss


def step_ascent(model, loss_fn, X, y, lr):
    loss = loss_fn(model.forward(X), y)
    model.backward(loss_fn.backward())
    for p, g in model.parameters():
        p += lr * g
    return loss


def step_no_return(model, loss_fn, X, y, lr):
    step_ok(model, loss_fn, X, y, lr)


# -- 04b -------------------------------------------------------------------------------------------
def make_mul(a_grad, b_grad, accumulate=True, children=True, attach=True):
    def mul(a, b):
        out = Value(a.data * b.data, (a, b) if children else (), "*")

        def _backward():
            if accumulate:
                a.grad += a_grad(a, b, out)
                b.grad += b_grad(a, b, out)
            else:
                a.grad = a_grad(a, b, out)
                b.grad = b_grad(a, b, out)
        if attach:
            out._backward = _backward
        return out
    return mul


mul_ok = make_mul(lambda a, b, o: b.data * o.grad, lambda a, b, o: a.data * o.grad)


def make_tanh(local, accumulate=True, chain=True):
    def tanh(a):
        t = math.tanh(a.data)
        out = Value(t, (a,), "tanh")

        def _backward():
            g = local(a, t) * (out.grad if chain else 1.0)
            if accumulate:
                a.grad += g
            else:
                a.grad = g
        out._backward = _backward
        return out
    return tanh


tanh_ok = make_tanh(lambda a, t: 1 - t * t)


def topo_recursive(root):
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for ch in v._prev:
                visit(ch)
            order.append(v)
    visit(root)
    return order


def topo_no_visited(root):
    order, stack = [], [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        else:
            stack.append((v, True))
            stack.extend((ch, False) for ch in v._prev)
    return order


def topo_preorder(root):
    return list(reversed(topological_order(root)))


def backprop_ok(root):
    root.grad = 1.0
    for v in reversed(topological_order(root)):
        v._backward()


def backprop_no_seed(root):
    for v in reversed(topological_order(root)):
        v._backward()


def backprop_forward_order(root):
    root.grad = 1.0
    for v in topological_order(root):
        v._backward()


def backprop_seed_after(root):
    for v in reversed(topological_order(root)):
        v._backward()
    root.grad = 1.0


CORRECT = {
    "dense_backward": dense_ok,
    "relu_backward": relu_ok,
    "softmax_ce_backward": ce_ok,
    "numerical_gradient": num_grad_ok,
    "train_step": step_ok,
    "value_mul": mul_ok,
    "value_tanh": tanh_ok,
    "topological_order": topological_order,
    "backprop": backprop_ok,
}

MISTAKES = [
    ("dense_backward", lambda x, W, d: (d @ W.T, x @ d, d.sum(axis=0)), "missing transpose"),
    ("dense_backward", lambda x, W, d: (d @ W.T, d.T @ x, d.sum(axis=0)), "transposed"),
    ("dense_backward", lambda x, W, d: (d @ W, x.T @ d, d.sum(axis=0)), "dout @ W.T"),
    ("dense_backward", lambda x, W, d: (d @ W.T, x.T @ d, d.sum(axis=1)), "wrong axis"),
    ("dense_backward", lambda x, W, d: (d @ W.T, x.T @ d, d.mean(axis=0)), "mean instead of sum"),
    ("dense_backward", lambda x, W, d: (d @ W.T, x.T @ d), "should return 3 values (dx, dW, db)"),
    ("dense_backward", lambda x, W, d: (x.T @ d, d @ W.T, d.sum(axis=0)), "dx and dW are swapped"),
    ("relu_backward", relu_in_place, "in place"),
    ("relu_backward", lambda d, x: (x > 0) * 1.0, "multiply by dout"),
    ("relu_backward", lambda d, x: d * (d > 0), "not from dout"),
    ("relu_backward", lambda d, x: d * np.maximum(x, 0), "instead of by the 0/1 mask"),
    ("softmax_ce_backward", lambda z, y: ce_ok(z, y) * len(y), "the /N is missing"),
    ("softmax_ce_backward", lambda z, y: -ce_ok(z, y), "sign flipped"),
    ("softmax_ce_backward", lambda z, y: (z - onehot(y, z.shape[1])) / len(y), "raw scores"),
    ("softmax_ce_backward", ce_overflow, "max"),
    ("numerical_gradient", num_grad_one_sided, "one-sided"),
    ("numerical_gradient", num_grad_not_restored, "restore"),
    ("numerical_gradient", num_grad_by_h, "instead of 2 h"),
    ("numerical_gradient", num_grad_1d_only, "2-D"),
    ("train_step", step_rebind, "in place"),
    ("train_step", step_no_backward, "model.backward"),
    ("train_step", step_ascent, "ascent"),
    ("train_step", step_no_return, "return"),
    ("value_mul", make_mul(lambda a, b, o: a.data * o.grad, lambda a, b, o: b.data * o.grad),
     "swapped"),
    ("value_mul", make_mul(lambda a, b, o: b.data, lambda a, b, o: a.data), "out.grad"),
    ("value_mul", make_mul(lambda a, b, o: b.data * o.grad, lambda a, b, o: a.data * o.grad,
                           accumulate=False), "+="),
    ("value_mul", make_mul(lambda a, b, o: b.data * o.grad, lambda a, b, o: a.data * o.grad,
                           children=False), "children"),
    ("value_mul", make_mul(lambda a, b, o: b.data * o.grad, lambda a, b, o: a.data * o.grad,
                           attach=False), "out._backward"),
    ("value_mul", lambda a, b: a.data * b.data, "return a Value"),
    ("value_tanh", make_tanh(lambda a, t: 1 - t * t, chain=False), "out.grad"),
    ("value_tanh", make_tanh(lambda a, t: 1 - a.data ** 2), "not 1 - a^2"),
    ("value_tanh", make_tanh(lambda a, t: 1 - t * t, accumulate=False), "+="),
    ("topological_order", topo_recursive, "explicit stack"),
    ("topological_order", topo_no_visited, "visited"),
    ("topological_order", topo_preorder, "post-order"),
    ("backprop", backprop_no_seed, "root.grad = 1.0"),
    ("backprop", backprop_forward_order, "reversed"),
    ("backprop", backprop_seed_after, "set after the loop"),
]


def get(name):
    return getattr(checks, name)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_passes(name):
    result = get(name)(CORRECT[name], quiet=True, strict=False)
    assert result.status == core.PASSED, result.line


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_not_implemented(name):
    result = get(name)(todo, quiet=True, strict=False)
    assert result.status == core.TODO, result.line


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_raising_function_fails_without_raising(name):
    result = get(name)(boom, quiet=True, strict=False)
    assert result.status == core.WRONG and "KeyError" in result.line, result.line


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_strict_raises(name):
    with pytest.raises(AssertionError):
        get(name)(boom, quiet=True, strict=True)


@pytest.mark.parametrize("name, fn, keyword", MISTAKES,
                         ids=[f"{n}-{k}" for n, _, k in MISTAKES])
def test_mistake_is_named(name, fn, keyword):
    result = get(name)(fn, quiet=True, strict=False)
    assert result.status == core.WRONG, result.line
    assert keyword in result.line, result.line


def test_checker_prints_one_line(capsys):
    checks.relu_backward(relu_ok, strict=False)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✅ passed · relu_backward")


def test_tanh_accumulation_mistake_is_caught_in_either_order():
    """The `=` mistake overwrites only when its _backward runs last; the checker tries both
    orders."""
    wrong = make_tanh(lambda a, t: 1 - t * t, accumulate=False)
    results = []
    for build in (lambda v: wrong(v) + v * 2.0, lambda v: v * 2.0 + wrong(v)):
        a = Value(0.5)
        build(a).backward()
        results.append(np.isclose(a.grad, 1 - math.tanh(0.5) ** 2 + 2))
    assert results.count(True) == 1
