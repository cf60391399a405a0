"""Checkers for chapter 04: backpropagation (04a) and a tiny autograd (04b), on :mod:`.core`.

Square shapes come first (a missing transpose runs); drivers build small graphs of ``Value``s and
``topological_order`` has its own check, as many orders are right."""

import functools
import math

import numpy as np

from ..autograd import Value
from ..autograd import topological_order as _reference_order
from ..data import spiral
from .ch03_losses import _grad_cases, _grad_mistakes, _sce_alt, _sce_grad
from .core import Case, compare, describe, in_place, table

__all__ = ["dense_backward", "relu_backward", "softmax_ce_backward", "numerical_gradient",
           "train_step", "value_mul", "value_tanh", "topological_order", "backprop"]

_rng = np.random.default_rng(4)
_dense = lambda x, W, dout: (dout @ W.T, x.T @ dout, dout.sum(axis=0))


def _dense_with(k, wrong):
    """_dense with its result number ``k`` (dx, dW or db) computed by ``wrong(x, W, dout)``."""
    return lambda *args: _dense(*args)[:k] + (wrong(*args),) + _dense(*args)[k + 1:]


_dx, _dW, _db = (functools.partial(_dense_with, k) for k in range(3))
_IN_DOUT = "the loss's backward already divided dout by N"

dense_backward = table(
    "dense_backward", _dense, names=("dx", "dW", "db"),
    cases=[Case(*(_rng.normal(size=s) for s in [(n, i), (i, o), (n, o)]))
           for n, i, o in [(3, 3, 3), (5, 4, 2), (4, 2, 6)]],
    mistakes={
        "missing transpose: dW = x.T @ dout, not x @ dout": _dW(lambda x, W, d: x @ d),
        "dW is transposed: use x.T @ dout, not dout.T @ x": _dW(lambda x, W, d: d.T @ x),
        f"no 1/N here: {_IN_DOUT}; dW = x.T @ dout": _dW(lambda x, W, d: x.T @ d / len(x)),
        "db summed over the wrong axis: axis=0 (the batch), not 1": _db(lambda x, W, d: d.sum(1)),
        f"db: mean instead of sum; {_IN_DOUT}": _db(lambda x, W, d: d.mean(axis=0)),
        "db is (D_out,), like b: drop keepdims=True": _db(lambda x, W, d: d.sum(0, keepdims=True)),
        "missing transpose: dx = dout @ W.T (N, D_in), not dout @ W": _dx(lambda x, W, d: d @ W),
        "dx = dout @ W.T, not W @ dout.T (that is its transpose)": _dx(lambda x, W, d: W @ d.T),
        "return them in the order dx, dW, db": lambda x, W, dout: _dense(x, W, dout)[::-1],
        "dx and dW are swapped: return them in the order dx, dW, db":
            lambda *args: tuple(_dense(*args)[k] for k in (1, 0, 2)),
        f"dout /= N writes into the caller's dout (and {_IN_DOUT})":
            in_place(lambda x, W, dout: dout / len(x), _dense, arg=2),
    },
    correct=[_dense, lambda x, W, d: (np.einsum("nj,ij->ni", d, W), np.einsum("ni,nj->ij", x, d),
                                      np.ones(len(x)) @ d)],
    summary="dx, dW, db on square and rectangular shapes")

_relu_bw = lambda dout, x: dout * (x > 0)
_xr = _rng.choice([-1.0, 1.0], (4, 5)) * _rng.uniform(0.1, 2.0, (4, 5))  # no x near 0
_AT_0 = "at x = 0 the gradient is 0 (PyTorch's choice): mask with x > 0"

relu_backward = table(
    "relu_backward", _relu_bw, summary="the mask from x, dout untouched",
    cases=[Case(_rng.normal(size=(4, 5)), _xr),
           Case(_rng.normal(size=(2, 3)), np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]]),
                what="relu_backward(dout, x) with x = 0 in two places", hint=_AT_0)],
    mistakes={
        "forgot to multiply by dout: dx = dout * (x > 0)": lambda d, x: (x > 0) * 1.0,
        "the mask comes from x (the forward input), not from dout": lambda d, x: d * (d > 0),
        "multiplied by x instead of by the 0/1 mask (x > 0)": lambda d, x: d * np.maximum(x, 0),
        "the mask is inverted: pass the gradient where x > 0": lambda d, x: d * (x <= 0),
        f"{_AT_0}, not x >= 0": lambda d, x: d * (x >= 0),
        "the arguments are (dout, x): the mask comes from the second one": lambda d, x: x * (d > 0),
    },
    correct=[_relu_bw, lambda dout, x: np.where(x > 0, dout, 0.0)])

softmax_ce_backward = table(
    "softmax_ce_backward", lambda scores, y: _sce_grad(scores, y),
    cases=_grad_cases("softmax_ce_backward"), mistakes=_grad_mistakes(),
    correct=[_sce_grad, _sce_alt], errors=[("too many indices", "y holds integer labels (N,)")],
    summary="including scores of ±1000")


def cubes_and_sines(x):
    return float(np.sum(x ** 3) + np.sum(np.sin(x)))


def _numgrad(f, x, h=1e-5, one_sided=False, denom=2.0, restore=True, rows=False):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(len(x)) if rows else np.ndindex(x.shape):
        old = np.copy(x[i])  # with rows=True (a mistake), x[i] is a whole row
        x[i] = old + h
        f_plus = f(x)
        x[i] = old if one_sided else old - h
        grad[i] = (f_plus - f(x)) / (h if one_sided else denom * h)
        x[i] = old if restore else x[i]
    return grad


def _ng_copy(f, x, h=1e-5):  # nudges copies, x + e with e = h at one element, 0 elsewhere
    steps = h * np.eye(x.size).reshape(x.size, *x.shape)
    return np.array([(f(x + e) - f(x - e)) / (2 * h) for e in steps]).reshape(x.shape)


_ng = functools.partial(functools.partial, _numgrad)  # _ng(restore=False): a mistake
_RESTORE = "restore each element after nudging it (x[i] = old) or nudge a copy"
_CENTERED = "(f(x + h) - f(x - h)) / (2 h)"
_EVERY = "loop over every element of a 2-D x, e.g. with np.ndindex(x.shape)"

numerical_gradient = table(
    "numerical_gradient", _numgrad, rtol=1e-8, atol=1e-8, mutation_hint=_RESTORE,
    cases=[Case(cubes_and_sines, _rng.normal(size=5) * 2, 1e-5),
           Case(cubes_and_sines, _rng.normal(size=(3, 4)) * 2, 1e-5, hint=_EVERY),
           Case(cubes_and_sines, _rng.normal(size=4), 1e-3)],
    mistakes={
        f"one-sided: use the centered {_CENTERED}, error O(h^2), not O(h)": _ng(one_sided=True),
        f"divided by h instead of 2 h: {_CENTERED}": _ng(denom=1.0),
        f"divided by 2 h twice: {_CENTERED}": _ng(denom=4.0),
        f"x was left nudged: {_RESTORE}": _ng(restore=False),
        f"x[i] on a 2-D x is a whole row: {_EVERY}": _ng(rows=True),
        "nudge one element at a time: x + h moves every element at once":
            lambda f, x, h=1e-5: np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h)),
    },
    correct=[_numgrad, _ng_copy], summary="centered differences on 1-D and 2-D x, x left as it was")


def _train_drive(f, X, y, lr):
    from ..layers import Dense, ReLU, Sequential
    from ..losses import CrossEntropyLoss
    model = Sequential(Dense(2, 8, rng=1), ReLU(), Dense(8, 3, rng=2))
    loss = f(model, CrossEntropyLoss(), X, y, lr)
    return (loss, {k: v.copy() for k, v in model.params.items()},
            any(np.any(g != 0) for g in model.grads.values()))


def _step(sign=-1.0, use_lr=True, backward=True, after=False, first_only=False, fixed_lr=None,
          update=lambda p, step: np.add(p, step, out=p)):
    def f(model, loss_fn, X, y, lr):
        loss = loss_fn(model.forward(X), y)
        if backward:
            model.backward(loss_fn.backward())
        for p, g in model.parameters()[:1] if first_only else model.parameters():
            update(p, sign * (fixed_lr or lr if use_lr else 1.0) * g)
        return loss_fn(model.forward(X), y) if after else loss
    return f


train_step = table(
    "train_step", _step(), driver=_train_drive,
    names=("the returned loss", "parameter", "whether backward computed gradients"),
    arg_names=("X", "y", "lr"), cases=[Case(*spiral(10, 3, rng=0), lr) for lr in (0.5, 0.05)],
    mistakes={
        "gradient ascent: the update is p -= lr * g (minus)": _step(sign=1.0),
        "the learning rate is missing: p -= lr * g": _step(use_lr=False),
        "no gradients: call model.backward(loss_fn.backward()) first": _step(backward=False),
        "`p = p - lr * g` only rebinds p: update in place, p -= lr * g": _step(update=np.add),
        "return the loss computed in the forward pass, before the update": _step(after=True),
        "update every parameter: loop over all of model.parameters()": _step(first_only=True),
        "use the argument lr, not a fixed number": _step(fixed_lr=0.1),
    },
    correct=[_step(), _step(update=lambda p, step: np.copyto(p, p + step))],
    summary="loss before the update, every parameter moved in place")


def _observe(unary):
    """A driver: the data, the inputs kept, and the gradients in graphs that reuse the inputs."""
    def drive(op):
        a, b = Value(0.5 if unary else 2.0), Value(-3.0)
        out = op(a) if unary else op(a, b)
        if not isinstance(out, Value):
            return {"returns": type(out).__name__}
        kept = [node for node in _reference_order(out) if node is a or node is b]
        seen = {"returns": "Value", "data of " + ("tanh(0.5)" if unary else "mul(2, -3)"): out.data,
                "the result remembers its inputs (._prev)": len(kept) == 2 - unary}
        builds = {"a.grad of 3 tanh(a) with a = 0.5": lambda a, b: op(a) * 3.0,
                  "a.grad of tanh(a) + 2 a": lambda a, b: op(a) + a * 2.0,
                  "a.grad of 2 a + tanh(a)": lambda a, b: a * 2.0 + op(a)} if unary else {
            "(a.grad, b.grad) with a = 2, b = -3": lambda a, b: op(a, b),
            "(a.grad, b.grad) of 5 * mul(a, b)": lambda a, b: op(a, b) * 5.0,
            "a.grad of mul(a, a) with a = 3": lambda a, b: op(a, a)}
        for key, build in builds.items():
            a, b = Value(3.0 if "mul(a, a)" in key else 0.5 if unary else 2.0), Value(-3.0)
            build(a, b).backward()
            seen[key] = a.grad if unary or "mul(a, a)" in key else (a.grad, b.grad)
        return seen
    return drive


def _value_check(got, want, case):
    if got["returns"] != "Value":
        return (f"{case.what} should return a Value, got a {got['returns']}",
                "build the result with Value(data, (inputs...), op) and return it")
    problem = compare(got, want, case.what, rtol=1e-12, atol=1e-12)
    return problem and (problem[0], _CHILDREN if "._prev" in problem[0] else problem[1])


def _op(unary, form="right"):
    """tanh(a) or mul(a, b), right or with one typical mistake (``form``)."""
    def op(a, b=None):
        t = math.tanh(a.data) if unary else a.data * b.data
        ins = (a,) if unary else (a, b)
        out = Value(t, () if form == "no_children" else ins, "tanh" if unary else "*")
        local = ([{"one_minus_a2": 1 - a.data ** 2, "t2": t * t, "one_minus_t": 1 - t}.get(
            form, 1 - t * t)] if unary else [a.data, b.data][::1 if form == "swapped" else -1])

        def _backward():
            for v, d in zip(ins, local):
                up = 1.0 if form == "no_chain" else out.grad
                v.grad = d * up + (0.0 if form == "assign" else v.grad)
        out._backward = (_backward() if form == "called" else
                         out._backward if form == "not_attached" else _backward)
        return out
    return op if unary else (lambda a, b: op(a, b))


_mul, _tanh = functools.partial(_op, False), functools.partial(_op, True)
_ATTACH = "define _backward() and attach it: out._backward = _backward"
_CALLED = "attach the function, do not call it: out._backward = _backward (no parentheses)"
_CHILDREN = "pass the inputs as children: Value(data, (a, b), '*')"
_CHAIN = "multiply by the upstream gradient (chain rule): a.grad += "

value_mul = table(
    "value_mul", _mul(), driver=_observe(False), check=_value_check, cases=[Case(what="mul(a, b)")],
    mistakes={
        "the gradients are swapped: d(a b)/da = b, so a.grad += b.data * out.grad": _mul("swapped"),
        _CHAIN + "b.data * out.grad": _mul("no_chain"),
        "accumulate with `+=`, not `=`: a used twice gets both contributions": _mul("assign"),
        _ATTACH: _mul("not_attached"), _CALLED: _mul("called"),
        "pass the inputs as children: Value(a.data * b.data, (a, b), '*')": _mul("no_children"),
        "the data of a * b is a.data * b.data": lambda a, b: Value(a.data + b.data, (a, b), "*"),
        "return a Value (the node), not a number": lambda a, b: a.data * b.data,
    },
    correct=[_mul(), lambda a, b: a * b], summary="including a * a")

value_tanh = table(
    "value_tanh", _tanh(), driver=_observe(True), check=_value_check, cases=[Case(what="tanh(a)")],
    mistakes={
        _CHAIN + "(1 - t**2) * out.grad": _tanh("no_chain"),
        "the derivative is 1 - tanh(a)^2, not 1 - a^2": _tanh("one_minus_a2"),
        "the derivative is 1 - tanh(a)^2, not tanh(a)^2": _tanh("t2"),
        "the derivative is 1 - tanh(a)^2, not 1 - tanh(a)": _tanh("one_minus_t"),
        "accumulate with `+=`, not `=`: a used twice gets both contributions": _tanh("assign"),
        _ATTACH: _tanh("not_attached"), _CALLED: _tanh("called"),
        "pass the input as a child: Value(t, (a,), 'tanh')": _tanh("no_children"),
        "the data is math.tanh(a.data)": lambda a: Value(math.sinh(a.data), (a,), "tanh"),
    },
    correct=[_tanh(), lambda a: a.tanh(), lambda a: (a * 2.0).sigmoid() * 2.0 - 1.0],
    summary="chain rule and accumulation")


def _graph(name):
    """A graph and its nodes, labelled n0, n1... in topological order."""
    a = Value({"diamond": 2.0, "bfs": 1.5}.get(name, 0.0))
    if name == "diamond":  # e = (a b + a)(a b)
        c = a * Value(-1.0)
        root = (c + a) * c
    elif name == "bfs":  # u + (3 u) 2: breadth first finds u before 3 u, which needs it
        root = a + (a * 3.0) * 2.0
    else:  # a chain of 2,000 additions
        root = functools.reduce(lambda v, _: v + 1.0, range(2_000), a)
    nodes = _reference_order(root)
    for i, node in enumerate(nodes):
        node.label = f"n{i}"
    return root, nodes


_built = functools.lru_cache(maxsize=None)(_graph)  # an order function only reads the graph
_POST = "append a node only after all its children (post-order)"
_VISITED = "keep a `visited` set: a node reached twice is listed twice"


def _order_check(order, want, case):
    root, nodes = _built(case.args[0])
    what, n = f"topological_order on the {case.what}", len(nodes)
    if order is None or isinstance(order, (Value, str, int, float)):
        return f"{what}: expected a list of nodes, got {describe(order)}", "return the list"
    labels, want = [getattr(v, "label", "?") for v in order], [v.label for v in want]
    if len(labels) != len(set(labels)):
        return f"{what}: a node appears more than once ({len(labels)} items, {n} nodes)", _VISITED
    if sorted(labels) != sorted(want):
        return (f"{what}: expected the {n} nodes of the graph, got {len(labels)}",
                "visit every child in node._prev, down to the inputs, and include the root")
    pos = {label: k for k, label in enumerate(labels)}
    if any(pos[child.label] > pos[v.label] for v in nodes for child in v._prev):
        if labels[0] == root.label:
            return f"{what}: the root comes first", f"inputs first: reverse your order, or {_POST}"
        return f"{what}: a node comes before one of its inputs", f"{_POST}; the root comes last"


def _bfs(root):
    order = [root]
    for v in order:  # order grows while it is walked: a queue
        order += v._prev
    return list(dict.fromkeys(order))[::-1]  # each node where breadth-first search meets it first


def _no_visited(root):  # no `visited` set: a node reached twice is listed twice
    order, stack = [], [root]
    while stack:  # a pre-order, last child first; reversed below, a post-order
        order.append(stack.pop())
        stack += reversed(order[-1]._prev)
    return order[::-1]


def _by_height(root):
    height = {}  # the longest path down to an input
    for v in _reference_order(root):
        height[v] = 1 + max((height[child] for child in v._prev), default=-1)
    return sorted(height, key=height.get)


topological_order = table(
    "topological_order", _reference_order, check=_order_check, driver=lambda f, g: f(_built(g)[0]),
    errors=[("RecursionError", "use an explicit stack, not recursion: 2,000 nodes are too deep")],
    cases=[Case("diamond", what="diamond graph e = (a b + a)(a b)"),
           Case("bfs", what="graph r = u + (3 u) 2"),
           Case("chain", what="chain of 2,000 additions")],
    mistakes={
        f"the root comes first: reverse the order, or {_POST}": lambda r: _reference_order(r)[::-1],
        "a reversed breadth-first order is not topological: use a depth-first post-order": _bfs,
        _VISITED: _no_visited,
        "include the root itself, last": lambda root: _reference_order(root)[:-1],
        "visit every node, not only the root's direct children": lambda r: [*r._prev, r],
        "return the list of nodes": lambda root: None,
    },
    correct=[_reference_order, _by_height],
    summary="a diamond, a breadth-first trap and a 2,000-node chain")


def _bp_drive(f):
    root, nodes = _graph("diamond")
    f(root)
    return tuple(v.grad for v in nodes)


def _bp(order=reversed, seed=True, twice=False):
    def backprop(root):
        root.grad = 1.0 if seed else root.grad
        for node in order(_reference_order(root) * (2 if twice else 1)):
            node._backward()
    return backprop


backprop = table(
    "backprop", _bp(), driver=_bp_drive, names=None, rtol=1e-12, atol=1e-12,
    cases=[Case(what="the gradients of the nodes of e = (a b + a)(a b)")],
    mistakes={
        "seed the output first: root.grad = 1.0": _bp(seed=False),
        "forward order (or only the root's _backward): go from the output back, for v in "
        "reversed(topological_order(root))": _bp(order=lambda nodes: nodes),
        "call _backward() once per node: the gradients doubled": _bp(twice=True),
        "root.grad = 1.0 alone, or set after the loop, computes nothing: seed it first, then "
        "call each node's _backward(), output first":
            lambda root: setattr(root, "grad", 1.0),
        "call node._backward() (one local step), not node.backward() (a whole pass from there)":
            lambda root: [v.backward() for v in reversed(_reference_order(root))],
    },
    correct=[_bp(), lambda root: root.backward()], summary="seeded, from the output back")
