"""Checkers for chapter 04: backpropagation (04a) and a tiny autograd (04b).

Each checker runs the learner's function on small inputs, compares with the right answer and, when
it differs, with the typical mistakes (computed here), so the hint can name the mistake.
"""

import copy

import numpy as np

from ..autograd import Value
from ..autograd import topological_order as _reference_order
from ..functions import softmax
from .core import Wrong, checker

__all__ = ["dense_backward", "relu_backward", "softmax_ce_backward", "numerical_gradient",
           "train_step", "value_mul", "value_tanh", "topological_order", "backprop"]


def _match(got, candidates):
    """The name of the first candidate array ``got`` equals (shape and value), else None."""
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    for name, value in candidates:
        try:  # a candidate may be a function computing the mistaken value (it may not fit the shapes)
            value = np.asarray(value() if callable(value) else value, dtype=np.float64)
        except (ValueError, TypeError):
            continue
        if arr.shape == value.shape and np.allclose(arr, value, rtol=1e-6, atol=1e-9):
            return name
    return None


def _close_or_name(c, got, expected, what, mistakes, hint=None):
    """``c.close`` that, on failure, names the mistake whose output ``got`` equals."""
    try:
        return c.close(got, expected, what, hint)
    except Wrong as w:
        name = _match(got, mistakes)
        if name:
            raise Wrong(w.message, name) from None
        raise


# -- 04a ------------------------------------------------------------------------------------------
def _three(c, got, what):
    if got is None:
        raise Wrong(f"{what} returned None", "did you forget `return dx, dW, db`?")
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Wrong(f"{what} should return a tuple (dx, dW, db), got {type(got).__name__}",
                    "return dx, dW, db")
    return got


@checker("dense_backward")
def dense_backward(c, fn):
    rng = np.random.default_rng(4)
    # square shapes first, so that a missing transpose runs and can be recognised
    for n, d_in, d_out in ((3, 3, 3), (5, 4, 2)):
        x, W = rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out))
        dout = rng.normal(size=(n, d_out))
        args = [x.copy(), W.copy(), dout.copy()]
        got = _three(c, c.call_raw(fn, *args), f"dense_backward for shapes x {x.shape}, W {W.shape}")
        for name, before, after in zip(("x", "W", "dout"), (x, W, dout), args):
            c.unchanged(before, after, f"the input {name}")
        shapes = f"x {x.shape}, W {W.shape}"
        _close_or_name(c, got[1], x.T @ dout, f"dW for {shapes}", [
            ("missing transpose: you computed x @ dout; dW = x.T @ dout, shape (D_in, D_out)", lambda: x @ dout),
            ("dW is transposed: dout.T @ x has shape (D_out, D_in); use x.T @ dout", lambda: dout.T @ x),
            ("no 1/N here: the loss's backward already divided dout by N; dW = x.T @ dout",
             lambda: x.T @ dout / n)], hint="dW = x.T @ dout has the shape of W, (D_in, D_out)")
        _close_or_name(c, got[2], dout.sum(axis=0), f"db for {shapes}", [
            ("summed over the wrong axis: sum over the batch, dout.sum(axis=0), not axis=1",
             lambda: dout.sum(axis=1)),
            ("mean instead of sum: db = dout.sum(axis=0); the 1/N is already in dout",
             lambda: dout.mean(axis=0))], hint="db = dout.sum(axis=0): b is added to every row")
        _close_or_name(c, got[0], dout @ W.T, f"dx for {shapes}", [
            ("missing transpose: you computed dout @ W; dx = dout @ W.T, shape (N, D_in)", lambda: dout @ W),
            ("dx = dout @ W.T, not W @ dout.T", lambda: W @ dout.T)],
            hint="dx = dout @ W.T has the shape of x, (N, D_in)")
    return "dx, dW, db on square and rectangular shapes"


@checker("relu_backward")
def relu_backward(c, fn):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 0.05] = 0.3  # keep away from the kink at 0
    dout = rng.normal(size=(4, 5))
    args = [dout.copy(), x.copy()]
    got = c.call_raw(fn, *args)
    c.unchanged(dout, args[0], "dout",
                "you modified dout in place (e.g. dout[x <= 0] = 0); the layer contract forbids "
                "it: build a new array, dx = dout * (x > 0)")
    c.unchanged(x, args[1], "the input x")
    _close_or_name(c, got, dout * (x > 0), "relu_backward(dout, x)", [
        ("forgot to multiply by dout: the local derivative (x > 0) times the upstream gradient",
         (x > 0).astype(float)),
        ("the mask must come from the forward input x, not from dout: dout * (x > 0)",
         dout * (dout > 0)),
        ("multiplied by x instead of by the 0/1 mask (x > 0)", dout * np.maximum(x, 0)),
        ("the mask is inverted: pass the gradient where x > 0", dout * (x <= 0))],
        hint="dx = dout * (x > 0)")


def _onehot(y, k):
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), y] = 1.0
    return out


@checker("softmax_ce_backward")
def softmax_ce_backward(c, fn):
    rng = np.random.default_rng(6)
    z = rng.normal(size=(4, 3)) * 2
    y = np.array([0, 2, 1, 2])
    p, Y, n = softmax(z, axis=1), _onehot(y, 3), len(y)
    got = c.call(fn, z, y)
    _close_or_name(c, got, (p - Y) / n, "softmax_ce_backward(scores, y) for N = 4", [
        ("forgot to divide by N: the loss is a mean over the batch, so dscores = (p - y) / N",
         p - Y),
        ("sign flipped: dscores = (softmax(scores) - onehot(y)) / N", (Y - p) / n),
        ("used the raw scores instead of the softmax probabilities", (z - Y) / n),
        ("forgot to subtract 1 at the true class: (p - onehot(y)) / N", p / n),
        ("divided by the number of classes instead of N", (p - Y) / 3)],
        hint="dscores = (softmax(scores) - onehot(y)) / N")
    big = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]])
    got = c.call(fn, big, np.array([0, 0]))
    c.close(got, (softmax(big, axis=1) - _onehot(np.array([0, 0]), 3)) / 2,
            "softmax_ce_backward on scores of ±1000",
            hint="subtract each row's max before np.exp so it cannot overflow")
    return "including scores of ±1000"


@checker("numerical_gradient")
def numerical_gradient(c, fn):
    h = 1e-5

    def f(x):
        return float(np.sum(x ** 3) + np.sum(np.sin(x)))

    def grad(x):
        return 3 * x ** 2 + np.cos(x)

    def one_sided(x):
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            xp = x.copy()
            xp[i] += h
            g[i] = (f(xp) - f(x)) / h
        return g

    rng = np.random.default_rng(7)
    for shape in ((5,), (3, 4)):
        x = rng.normal(size=shape) * 2
        arg = x.copy()
        got = c.call_raw(fn, f, arg, h)
        c.unchanged(x, arg, "x after the call",
                    "restore each element after nudging it (x[i] = old) or nudge a copy")
        try:
            c.close(got, grad(x), f"the gradient of sum(x**3 + sin(x)) for x of shape {shape}",
                    rtol=1e-7, atol=1e-7)
        except Wrong as w:
            if _match(got, [("one-sided", one_sided(x))]):
                raise Wrong(w.message + " (off by about 1e-5: a one-sided difference)",
                            "use the centered difference (f(x + h) - f(x - h)) / (2 h): its error "
                            "is O(h^2) instead of O(h)") from None
            name = _match(got, [("divided by h instead of 2 h", 2 * grad(x)),
                                ("divided by 2 h twice", grad(x) / 2)])
            if name:
                raise Wrong(w.message, f"{name}: (f(x + h) - f(x - h)) / (2 h)") from None
            if shape == (3, 4):
                raise Wrong(w.message, "loop over every element of a 2-D x, e.g. with "
                                       "np.ndindex(x.shape)") from None
            raise
    return "centered differences on 1-D and 2-D x"


@checker("train_step")
def train_step(c, fn):
    from ..data import spiral
    from ..layers import Dense, ReLU, Sequential
    from ..losses import CrossEntropyLoss

    X, y = spiral(10, 3, rng=0)
    model = Sequential(Dense(2, 8, rng=1), ReLU(), Dense(8, 3, rng=2))
    ref = copy.deepcopy(model)
    before = {k: v.copy() for k, v in model.params.items()}
    lr = 0.5
    loss_fn = CrossEntropyLoss()
    want_loss = loss_fn(ref.forward(X), y)
    ref.backward(loss_fn.backward())
    grads = {k: v.copy() for k, v in ref.grads.items()}
    got = c.call(fn, model, CrossEntropyLoss(), X, y, lr)
    after = model.params
    if all(np.array_equal(before[k], after[k]) for k in before):
        if all(not np.any(g) for g in model.grads.values()):
            raise Wrong("the parameters did not change and the gradients are all 0",
                        "call model.backward(loss_fn.backward()) before updating")
        raise Wrong("the parameters did not change",
                    "`p = p - lr * g` only rebinds the name p (and model.params[...] = ... sets a "
                    "copy); update the array in place: p -= lr * g")
    for k in before:
        _close_or_name(c, after[k], before[k] - lr * grads[k], f"parameter {k} after one step", [
            ("gradient ascent: the update is p -= lr * g (minus)", before[k] + lr * grads[k]),
            ("the learning rate is missing: p -= lr * g", before[k] - grads[k])],
            hint="p -= lr * g for every (p, g) in model.parameters()")
    c.close(got, want_loss, "the returned loss (before the update)",
            hint="return the loss computed in the forward pass")


# -- 04b ------------------------------------------------------------------------------------------
def _is_value(c, got, what):
    c.ok(isinstance(got, Value), f"{what} should return a Value, got {type(got).__name__}",
         "build the result with Value(data, (inputs...), op) and return it")
    return got


@checker("value_mul")
def value_mul(c, fn):
    a, b = Value(2.0), Value(-3.0)
    out = _is_value(c, c.call_raw(fn, a, b), "mul(a, b)")
    c.close(out.data, -6.0, "mul(Value(2), Value(-3)).data")
    c.ok(a in out._prev and b in out._prev, "the result does not remember a and b as its inputs",
         "pass them as children: Value(a.data * b.data, (a, b), '*')")
    out.backward()
    if a.grad == 0 and b.grad == 0:
        raise Wrong("after backward, a.grad and b.grad are 0",
                    "define _backward() and attach it: out._backward = _backward")
    if (a.grad, b.grad) == (2.0, -3.0):
        raise Wrong("the gradients are swapped: a.grad is 2, b.grad is -3",
                    "d(a b)/da = b: a.grad += b.data * out.grad")
    c.close([a.grad, b.grad], [-3.0, 2.0], "[a.grad, b.grad] for a * b", hint="a.grad += b.data * out.grad")
    a, b = Value(2.0), Value(-3.0)
    out = c.call_raw(fn, a, b) * 5.0
    out.backward()
    if (a.grad, b.grad) == (-3.0, 2.0):
        raise Wrong("for L = 5 * mul(a, b), a.grad is -3 instead of -15",
                    "multiply by the upstream gradient (chain rule): a.grad += b.data * out.grad")
    c.close([a.grad, b.grad], [-15.0, 10.0], "[a.grad, b.grad] for 5 * (a * b)")
    a = Value(3.0)
    out = c.call_raw(fn, a, a)
    out.backward()
    if a.grad == 3.0:
        raise Wrong("for a * a with a = 3, a.grad is 3 instead of 6",
                    "accumulate with `+=`, not `=`: a used twice gets both contributions")
    c.close(a.grad, 6.0, "a.grad for a * a with a = 3")
    return "including a * a"


@checker("value_tanh")
def value_tanh(c, fn):
    a = Value(0.5)
    out = _is_value(c, c.call_raw(fn, a), "tanh(a)")
    t = np.tanh(0.5)
    c.close(out.data, t, "tanh(Value(0.5)).data", hint="math.tanh(a.data)")
    c.ok(a in out._prev, "the result does not remember a as its input",
         "Value(t, (a,), 'tanh')")
    a = Value(0.5)
    (c.call_raw(fn, a) * 3.0).backward()
    want = 3 * (1 - t ** 2)
    if a.grad == 0:
        raise Wrong("after backward, a.grad is 0", "define _backward() and set out._backward = _backward")
    name = _match(a.grad, [("forgot to multiply by out.grad (chain rule)", 1 - t ** 2),
                           ("the derivative is 1 - tanh(a)^2, not 1 - a^2", 3 * (1 - 0.25)),
                           ("the derivative is 1 - tanh(a)^2, not tanh(a)^2", 3 * t ** 2)])
    if name:
        raise Wrong(f"for L = 3 tanh(a), a.grad is {a.grad:.4f} instead of {want:.4f}", name)
    c.close(a.grad, want, "a.grad for L = 3 tanh(a) with a = 0.5", hint="(1 - t**2) * out.grad")
    for build in (lambda f, v: f(v) + v * 2.0, lambda f, v: v * 2.0 + f(v)):
        a = Value(0.5)
        build(lambda v: c.call_raw(fn, v), a).backward()
        if np.isclose(a.grad, 1 - t ** 2):
            raise Wrong("for L = tanh(a) + 2 a, a.grad misses the 2 from the other path",
                        "accumulate with `+=`, not `=`: a.grad += (1 - t**2) * out.grad")
        c.close(a.grad, 1 - t ** 2 + 2, "a.grad for L = tanh(a) + 2 a")


def _diamond():
    a, b = Value(2.0, label="a"), Value(-1.0, label="b")
    c = a * b
    d = c + a          # a is used twice
    e = d * c          # c is used twice
    return e, [a, b, c, d, e]


@checker("topological_order")
def topological_order(c, fn):
    root, nodes = _diamond()
    got = c.call_raw(fn, root)
    if got is None:
        raise Wrong("topological_order returned None", "return the list")
    got = list(got)
    ids = [id(v) for v in got]
    c.ok(len(ids) == len(set(ids)), f"a node appears more than once ({len(ids)} items for "
         f"{len(nodes)} nodes)", "keep a `visited` set and skip nodes already seen")
    c.ok(set(ids) == {id(v) for v in nodes}, f"expected the {len(nodes)} nodes of the graph, got "
         f"{len(ids)} different ones", "visit every child in node._prev, down to the inputs")
    pos = {i: k for k, i in enumerate(ids)}
    for v in nodes:
        for child in v._prev:
            c.ok(pos[id(child)] < pos[id(v)], "a node comes before one of its inputs",
                 "append a node only after all its children (post-order); the root comes last")
    c.ok(got[-1] is root, "the root should come last")
    x = Value(0.0)
    chain = x
    for _ in range(20_000):
        chain = chain + 1.0
    try:
        order = c.call_raw(fn, chain)
    except Wrong as w:
        if "Recursion" in w.message:
            raise Wrong("a chain of 20,000 nodes raised RecursionError",
                        "use an explicit stack (a list) instead of recursion") from None
        raise
    c.ok(order is not None and len(order) == 2 * 20_000 + 1 and order[-1] is chain
         and len({id(v) for v in order}) == len(order),
         "wrong order for a chain of 20,000 additions (x + 1 + 1 ...)",
         "inputs first, root last, every node once")
    return "diamond graph and a 20,000-node chain"


@checker("backprop")
def backprop(c, fn):
    ref_root, ref_nodes = _diamond()
    ref_root.backward()
    want = [v.grad for v in ref_nodes]
    root, nodes = _diamond()
    c.call_raw(fn, root)
    got = [v.grad for v in nodes]
    if all(g == 0 for g in got):
        raise Wrong("every gradient is 0 after backprop(root)",
                    "seed the output first: root.grad = 1.0")
    fwd_root, fwd_nodes = _diamond()
    fwd_root.grad = 1.0
    for v in _reference_order(fwd_root):
        v._backward()
    _close_or_name(c, got, want, "the gradients of [a, b, c, d, e] for e = (a b + a)(a b)", [
        ("went through the nodes in the forward order; go from the output back: "
         "for v in reversed(topological_order(root))", [v.grad for v in fwd_nodes])],
        hint="root.grad = 1.0, then call v._backward() for v in reversed(topological_order(root))")
