"""Checkers for chapter 04: backpropagation (04a) and a tiny autograd (04b), on :mod:`.core`.

04a's exercises are plain tables (square shapes first, so that a missing transpose runs and is
recognised). 04b's use drivers: they build small graphs of ``Value``s, call the learner's function,
run ``backward`` and observe the data and the gradients; ``topological_order`` is judged by a
custom check (many orders are right) on a diamond, a graph where a reversed breadth-first order
is wrong, and a 2,000-node chain (deeper than Python's recursion limit).
"""

import functools
import math

import numpy as np

from ..autograd import Value
from ..autograd import topological_order as _reference_order
from .ch03_losses import _grad_cases, _grad_mistakes, _sce_alt, _sce_grad
from .core import Case, describe, in_place, table

__all__ = ["dense_backward", "relu_backward", "softmax_ce_backward", "numerical_gradient",
           "train_step", "value_mul", "value_tanh", "topological_order", "backprop"]

_rng = np.random.default_rng(4)


# -- dense ----------------------------------------------------------------------------------------
def _dense(x, W, dout):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def _dense_with(dx=None, dW=None, db=None):
    def f(x, W, dout):
        right = _dense(x, W, dout)
        return (dx(x, W, dout) if dx else right[0], dW(x, W, dout) if dW else right[1],
                db(x, W, dout) if db else right[2])
    return f


def _dense_case(n, d_in, d_out):
    return Case(_rng.normal(size=(n, d_in)), _rng.normal(size=(d_in, d_out)),
                _rng.normal(size=(n, d_out)),
                what=f"dense_backward for x ({n}, {d_in}), W ({d_in}, {d_out})")


dense_backward = table(
    "dense_backward", _dense, names=("dx", "dW", "db"),
    cases=[_dense_case(3, 3, 3), _dense_case(5, 4, 2), _dense_case(4, 2, 6)],
    mistakes={
        "missing transpose: you computed x @ dout; dW = x.T @ dout, shape (D_in, D_out)":
            _dense_with(dW=lambda x, W, d: x @ d),
        "dW is transposed: dout.T @ x has shape (D_out, D_in); use x.T @ dout":
            _dense_with(dW=lambda x, W, d: d.T @ x),
        "no 1/N here: the loss's backward already divided dout by N; dW = x.T @ dout":
            _dense_with(dW=lambda x, W, d: x.T @ d / len(x)),
        "db summed over the wrong axis: sum over the batch, dout.sum(axis=0), not axis=1":
            _dense_with(db=lambda x, W, d: d.sum(axis=1)),
        "db: mean instead of sum; db = dout.sum(axis=0), the 1/N is already in dout":
            _dense_with(db=lambda x, W, d: d.mean(axis=0)),
        "db has the shape of b, (D_out,): drop keepdims=True":
            _dense_with(db=lambda x, W, d: d.sum(axis=0, keepdims=True)),
        "missing transpose: you computed dout @ W; dx = dout @ W.T, shape (N, D_in)":
            _dense_with(dx=lambda x, W, d: d @ W),
        "dx = dout @ W.T, not W @ dout.T (that is its transpose)":
            _dense_with(dx=lambda x, W, d: W @ d.T),
        "return them in the order dx, dW, db": lambda x, W, dout: _dense(x, W, dout)[::-1],
        "dout /= N writes into the caller's dout (and the 1/N does not belong here)":
            in_place(lambda x, W, dout: dout / len(x), _dense, arg=2),
    },
    correct=[_dense, lambda x, W, dout: (np.einsum("nj,ij->ni", dout, W),
                                         np.einsum("ni,nj->ij", x, dout),
                                         np.ones(len(x)) @ dout)],
    summary="dx, dW, db on square and rectangular shapes")


# -- relu -----------------------------------------------------------------------------------------
def _relu_bw(dout, x):
    return dout * (x > 0)


_xr = _rng.normal(size=(4, 5))
_xr[np.abs(_xr) < 0.05] = 0.3
_x0 = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
relu_backward = table(
    "relu_backward", _relu_bw,
    cases=[Case(_rng.normal(size=(4, 5)), _xr, what="relu_backward(dout, x) for shape (4, 5)"),
           Case(_rng.normal(size=(2, 3)), _x0,
                what="relu_backward(dout, x) with x = 0 in two places",
                hint="at x = 0 the gradient is 0 (PyTorch's choice): mask with x > 0")],
    mistakes={
        "forgot to multiply by dout: the local derivative (x > 0) times the upstream gradient":
            lambda dout, x: (x > 0).astype(float),
        "the mask must come from the forward input x, not from dout: dout * (x > 0)":
            lambda dout, x: dout * (dout > 0),
        "multiplied by x instead of by the 0/1 mask (x > 0)":
            lambda dout, x: dout * np.maximum(x, 0),
        "the mask is inverted: pass the gradient where x > 0": lambda dout, x: dout * (x <= 0),
        "at x = 0 the gradient is 0 (PyTorch's choice): mask with x > 0, not x >= 0":
            lambda dout, x: dout * (x >= 0),
        "dout[x <= 0] = 0 modifies dout in place; the layer contract forbids it: build a new "
        "array, dx = dout * (x > 0)": in_place(_relu_bw),
        "the arguments are (dout, x): the mask comes from the second one":
            lambda dout, x: x * (dout > 0),
    },
    correct=[_relu_bw, lambda dout, x: np.where(x > 0, dout, 0.0)],
    summary="the mask from x, dout untouched")


# -- softmax + cross-entropy ----------------------------------------------------------------------
softmax_ce_backward = table(
    "softmax_ce_backward", lambda scores, y: _sce_grad(scores, y),
    cases=_grad_cases("softmax_ce_backward"), mistakes=_grad_mistakes(),
    correct=[_sce_grad, _sce_alt], errors=[("too many indices", "y holds integer labels (N,)")],
    summary="including scores of ±1000")


# -- numerical gradient ---------------------------------------------------------------------------
def _f(x):
    return float(np.sum(x ** 3) + np.sum(np.sin(x)))


def _numgrad(f, x, h=1e-5, one_sided=False, denom=2.0, restore=True):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old if one_sided else old - h
        f_minus = f(x)
        if restore:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (h if one_sided else denom * h)
    return grad


def _ng(**form):
    return lambda f, x, h=1e-5: _numgrad(f, x, h, **form)


def _ng_copy(f, x, h=1e-5, rows=False):
    """Nudge copies of x (``rows``: the mistake of nudging x[i], a whole row of a 2-D x)."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(len(x)) if rows else np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (f(xp) - f(xm)) / (2 * h)
    return grad


numerical_gradient = table(
    "numerical_gradient", _numgrad, rtol=1e-8, atol=1e-8,
    mutation_hint="restore each element after nudging it (x[i] = old) or nudge a copy",
    cases=[Case(_f, _rng.normal(size=5) * 2, 1e-5,
                what="the gradient of sum(x**3 + sin(x)) for x of shape (5,)"),
           Case(_f, _rng.normal(size=(3, 4)) * 2, 1e-5,
                what="the gradient of sum(x**3 + sin(x)) for x of shape (3, 4)",
                hint="loop over every element of a 2-D x, e.g. with np.ndindex(x.shape)"),
           Case(_f, _rng.normal(size=4), 1e-3, what="numerical_gradient with h = 1e-3")],
    mistakes={
        "use the centered difference (f(x + h) - f(x - h)) / (2 h): its error is O(h^2) instead of "
        "O(h) (a one-sided difference)": _ng(one_sided=True),
        "divided by h instead of 2 h: (f(x + h) - f(x - h)) / (2 h)": _ng(denom=1.0),
        "divided by 2 h twice: (f(x + h) - f(x - h)) / (2 h)": _ng(denom=4.0),
        "x was left nudged: restore each element after nudging it (x[i] = old) or nudge a copy":
            _ng(restore=False),
        "x[i] on a 2-D x is a whole row: loop over every element with np.ndindex(x.shape)":
            lambda f, x, h=1e-5: _ng_copy(f, x, h, rows=True),
        "nudge one element at a time: x + h moves every element at once":
            lambda f, x, h=1e-5: np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h)),
        "use the argument h, not a fixed 1e-5": lambda f, x, h=1e-5: _numgrad(f, x, 1e-5),
        "the gradient has the shape of x: return an array, not a list":
            lambda f, x, h=1e-5: list(_numgrad(f, x, h).ravel()),
    },
    correct=[_numgrad, _ng_copy], summary="centered differences on 1-D and 2-D x, x left as it was")


# -- one training step ----------------------------------------------------------------------------
def _train_drive(f, X, y, lr):
    from ..layers import Dense, ReLU, Sequential
    from ..losses import CrossEntropyLoss
    model = Sequential(Dense(2, 8, rng=1), ReLU(), Dense(8, 3, rng=2))
    loss = f(model, CrossEntropyLoss(), X, y, lr)
    return (loss, {k: v.copy() for k, v in model.params.items()},
            any(np.any(g != 0) for g in model.grads.values()))


def _step(sign=-1.0, use_lr=True, backward=True, after=False, rebind=False, first_only=False):
    def f(model, loss_fn, X, y, lr):
        loss = loss_fn(model.forward(X), y)
        if backward:
            model.backward(loss_fn.backward())
        pairs = model.parameters()[:1] if first_only else model.parameters()
        for p, g in pairs:
            step = (lr if use_lr else 1.0) * g
            if rebind:
                p = p + sign * step  # noqa: F841 - the mistake: a new array, the model's is unchanged
            else:
                p += sign * step
        return loss_fn(model.forward(X), y) if after else loss
    return f


def _spiral():
    from ..data import spiral
    return spiral(10, 3, rng=0)


train_step = table(
    "train_step", _step(), driver=_train_drive,
    names=("the returned loss", "parameter", "whether backward computed gradients"),
    arg_names=("X", "y", "lr"),
    cases=[Case(*_spiral(), 0.5, what="train_step with lr = 0.5"),
           Case(*_spiral(), 0.05, what="train_step with lr = 0.05")],
    mistakes={
        "gradient ascent: the update is p -= lr * g (minus)": _step(sign=1.0),
        "the learning rate is missing: p -= lr * g": _step(use_lr=False),
        "the parameters did not change: call model.backward(loss_fn.backward()) before updating":
            _step(backward=False),
        "`p = p - lr * g` only rebinds the name p: update the array in place, p -= lr * g":
            _step(rebind=True),
        "return the loss computed in the forward pass, before the update": _step(after=True),
        "update every parameter: loop over all of model.parameters()": _step(first_only=True),
        "use the argument lr, not a fixed number":
            lambda model, loss_fn, X, y, lr: _step()(model, loss_fn, X, y, 0.1),
    },
    correct=[_step(), lambda model, loss_fn, X, y, lr: (
        lambda loss: (model.backward(loss_fn.backward()),
                      [np.subtract(p, lr * g, out=p) for p, g in model.parameters()], loss)[-1])(
        loss_fn(model(X), y))],
    summary="loss before the update, every parameter moved in place")


# -- 04b: Value operations ------------------------------------------------------------------------
def _reaches(out, leaf):
    return any(node is leaf for node in _reference_order(out))


def _observe(unary):
    """A driver: the data, the inputs kept, and the gradients in graphs that reuse the inputs."""
    def drive(op):
        a, b = Value(0.5 if unary else 2.0), Value(-3.0)
        out = op(a) if unary else op(a, b)
        if not isinstance(out, Value):
            return {"returns": type(out).__name__}
        seen = {"returns": "Value", "data": out.data,
                "children": _reaches(out, a) and (unary or _reaches(out, b))}
        builds = {"a.grad of 3 tanh(a) with a = 0.5": lambda a, b: op(a) * 3.0,
                  "a.grad of tanh(a) + 2 a": lambda a, b: op(a) + a * 2.0,
                  "a.grad of 2 a + tanh(a)": lambda a, b: a * 2.0 + op(a)} if unary else {
            "grads": lambda a, b: op(a, b), "grads of 5 * mul(a, b)": lambda a, b: op(a, b) * 5.0,
            "a.grad of mul(a, a) with a = 3": lambda a, b: op(a, a)}
        for key, build in builds.items():
            a, b = Value(3.0 if "mul(a, a)" in key else 0.5 if unary else 2.0), Value(-3.0)
            build(a, b).backward()
            seen[key] = a.grad if unary or "mul(a, a)" in key else (a.grad, b.grad)
        return seen
    return drive


def _value_check(what_data):
    def check(got, want, case):
        if got["returns"] != "Value":
            return (f"{case.what} should return a Value, got a {got['returns']}",
                    "build the result with Value(data, (inputs...), op) and return it")
        for key in list(got)[1:]:  # after "returns"
            if not np.allclose(got[key], want[key], rtol=1e-12, atol=1e-12):
                texts = {"data": what_data, "children": "the result remembers its inputs (._prev)"}
                text = texts.get(key, key)
                hint = "pass the inputs as children: Value(data, (a, b), '*')"
                return (f"{text}: should be {describe(want[key])}, got {describe(got[key])}",
                        hint if key == "children" else None)
        return None
    return check


def _op(unary, form="right"):
    """tanh(a) or mul(a, b), right or with one typical mistake (``form``)."""
    def op(a, b=None):
        data = math.tanh(a.data) if unary else a.data * b.data
        ins = (a,) if unary else (a, b)
        out = Value(data, () if form == "no_children" else ins, "tanh" if unary else "*")

        def _backward():
            up = 1.0 if form == "no_chain" else out.grad
            if unary:
                local = [{"one_minus_a2": 1 - a.data ** 2, "t2": data * data,
                          "one_minus_t": 1 - data}.get(form, 1 - data * data)]
            else:
                local = [a.data, b.data] if form == "swapped" else [b.data, a.data]
            for v, d in zip(ins, local):
                v.grad = d * up + (0.0 if form == "assign" else v.grad)
        out._backward = (_backward() if form == "called" else
                         out._backward if form == "not_attached" else _backward)
        return out
    return op if unary else (lambda a, b: op(a, b))


_mul, _tanh = functools.partial(_op, False), functools.partial(_op, True)


value_mul = table(
    "value_mul", _mul(), driver=_observe(False),
    check=_value_check("mul(Value(2), Value(-3)).data"),
    cases=[Case(what="mul(a, b)")],
    mistakes={
        "the gradients are swapped: d(a b)/da = b, so a.grad += b.data * out.grad": _mul("swapped"),
        "multiply by the upstream gradient (chain rule): a.grad += b.data * out.grad":
            _mul("no_chain"),
        "accumulate with `+=`, not `=`: a used twice gets both contributions": _mul("assign"),
        "define _backward() and attach it: out._backward = _backward": _mul("not_attached"),
        "attach the function, do not call it: out._backward = _backward (no parentheses)":
            _mul("called"),
        "pass the inputs as children: Value(a.data * b.data, (a, b), '*')": _mul("no_children"),
        "the data of a * b is a.data * b.data": lambda a, b: Value(a.data + b.data, (a, b), "*"),
        "return a Value (the node), not a number": lambda a, b: a.data * b.data,
    },
    correct=[_mul(), lambda a, b: a * b], summary="including a * a")


value_tanh = table(
    "value_tanh", _tanh(), driver=_observe(True), check=_value_check("tanh(Value(0.5)).data"),
    cases=[Case(what="tanh(a)")],
    mistakes={
        "multiply by the upstream gradient (chain rule): a.grad += (1 - t**2) * out.grad":
            _tanh("no_chain"),
        "the derivative is 1 - tanh(a)^2, not 1 - a^2": _tanh("one_minus_a2"),
        "the derivative is 1 - tanh(a)^2, not tanh(a)^2": _tanh("t2"),
        "the derivative is 1 - tanh(a)^2, not 1 - tanh(a)": _tanh("one_minus_t"),
        "accumulate with `+=`, not `=`: a used on two paths gets both contributions":
            _tanh("assign"),
        "define _backward() and attach it: out._backward = _backward": _tanh("not_attached"),
        "attach the function, do not call it: out._backward = _backward (no parentheses)":
            _tanh("called"),
        "pass the input as a child: Value(t, (a,), 'tanh')": _tanh("no_children"),
        "the data is math.tanh(a.data)": lambda a: Value(math.sinh(a.data), (a,), "tanh"),
    },
    correct=[_tanh(), lambda a: a.tanh(), lambda a: (a * 2.0).sigmoid() * 2.0 - 1.0],
    summary="chain rule and accumulation")


# -- topological order ----------------------------------------------------------------------------
def _labelled(root):
    nodes = _reference_order(root)
    for i, node in enumerate(nodes):
        node.label = f"n{i}"
    return root, nodes


def _diamond():
    a, b = Value(2.0), Value(-1.0)
    c = a * b
    return _labelled((c + a) * c)


def _bfs_trap():
    """r = u + w1, w1 = w2 * 2, w2 = u * 3: breadth first finds u before w2, which needs it."""
    u = Value(1.5)
    return _labelled(u + (u * 3.0) * 2.0)


def _chain(n=2_000):
    x = Value(0.0)
    chain = x
    for _ in range(n):
        chain = chain + 1.0
    return _labelled(chain)


_GRAPHS = {"diamond": _diamond, "bfs": _bfs_trap, "chain": _chain}


@functools.lru_cache(maxsize=None)
def _graph(name):
    """Built once: an order function only reads the graph, and a 2,000-node chain takes a while."""
    return _GRAPHS[name]()


def _order_drive(f, graph):
    root, nodes = _graph(graph)
    order = f(root)
    if order is None or isinstance(order, (Value, str, int, float)):
        return {"type": type(order).__name__}
    order = list(order)
    return {"type": "list",
            "labels": [getattr(v, "label", "?") if isinstance(v, Value) else "?" for v in order],
            "edges": [(child.label, v.label) for v in nodes for child in v._prev],
            "root": root.label,
            "all": sorted(v.label for v in nodes)}


def _order_check(got, want, case):
    what = f"topological_order on the {case.what}"
    if got["type"] != "list":
        return f"{what}: expected a list of nodes, got a {got['type']}", "return the list"
    labels = got["labels"]
    if len(labels) != len(set(labels)):
        return (f"{what}: a node appears more than once "
                f"({len(labels)} items for {len(want['all'])} nodes)",
                "keep a `visited` set and skip nodes already seen")
    if sorted(labels) != want["all"]:
        return (f"{what}: expected the {len(want['all'])} nodes of the graph, got {len(labels)}",
                "visit every child in node._prev, down to the inputs, and include the root")
    pos = {label: k for k, label in enumerate(labels)}
    if any(pos[child] > pos[parent] for child, parent in want["edges"]):
        if labels[0] == want["root"]:
            return (f"{what}: the root comes first",
                    "inputs first: reverse your order, or append a node only after all its "
                    "children (post-order)")
        return (f"{what}: a node comes before one of its inputs",
                "append a node only after all its children (post-order); the root comes last")
    return None


def _recursive(root):
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for child in v._prev:
                visit(child)
            order.append(v)
    visit(root)
    return order


def _bfs(root, reverse=True):
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        v = queue.pop(0)
        order.append(v)
        for child in v._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order[::-1] if reverse else order


def _no_visited(root):
    order, stack = [], [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        else:
            stack.append((v, True))
            stack.extend((child, False) for child in v._prev)
    return order


def _kahn(root):
    """Kahn's algorithm from the root down: a node is taken once every node using it is taken."""
    users = {}
    for v in _reference_order(root):
        for child in v._prev:
            users[id(child)] = users.get(id(child), 0) + 1
    ready, out = [root], []
    while ready:
        out.append(ready.pop())
        for child in out[-1]._prev:
            users[id(child)] -= 1
            if users[id(child)] == 0:
                ready.append(child)
    return out[::-1]


topological_order = table(
    "topological_order", _reference_order, driver=_order_drive, check=_order_check,
    arg_names=("graph",),
    cases=[Case("diamond", what="diamond graph e = (a b + a)(a b)"),
           Case("bfs", what="graph r = u + (3 u) 2"),
           Case("chain", what="chain of 2,000 additions")],
    mistakes={
        "use an explicit stack (a list) instead of recursion: a chain of 2,000 nodes is deeper "
        "than Python's recursion limit": _recursive,
        "the root comes first: reverse the order (inputs first, root last), or append a node only "
        "after all its children (post-order)": lambda root: _reference_order(root)[::-1],
        "a reversed breadth-first order is not topological: a node found early can be the input of "
        "a node found later. Use a depth-first post-order": _bfs,
        "keep a `visited` set: a node reached twice is listed twice": _no_visited,
        "include the root itself, last": lambda root: _reference_order(root)[:-1],
        "visit every node, not only the root's direct children":
            lambda root: list(root._prev) + [root],
        "return the list of nodes": lambda root: None,
    },
    correct=[_reference_order, _kahn],
    summary="a diamond, a breadth-first trap and a 2,000-node chain")


# -- backprop -------------------------------------------------------------------------------------
def _bp_drive(f):
    root, nodes = _diamond()
    f(root)
    return tuple(v.grad for v in nodes)


def _bp(order=reversed, seed=True, twice=False):
    def backprop(root):
        if seed:
            root.grad = 1.0
        for _ in range(2 if twice else 1):
            for node in order(_reference_order(root)):
                node._backward()
    return backprop


backprop = table(
    "backprop", _bp(), driver=_bp_drive, names=None, rtol=1e-12, atol=1e-12,
    cases=[Case(what="the gradients of the nodes of e = (a b + a)(a b)")],
    mistakes={
        "seed the output first: root.grad = 1.0": _bp(seed=False),
        "you went through the nodes in the forward order (or called only the root's _backward); go "
        "from the output back: for v in reversed(topological_order(root))":
            _bp(order=lambda nodes: nodes),
        "call _backward() once per node: the gradients doubled": _bp(twice=True),
        "call _backward() on the nodes, from the output back; setting root.grad alone computes "
        "nothing":
            lambda root: setattr(root, "grad", 1.0),
        "call node._backward() (one local step), not node.backward() (a whole backward pass from "
        "that node)": lambda root: [v.backward() for v in reversed(_reference_order(root))],
    },
    correct=[_bp(), lambda root: root.backward()], summary="seeded, from the output back")
