"""Checkers for the harder exercises of chapters 02, 03, 04a and 04b.

- ``softmax_backward`` (02): derive softmax's backward pass, a Jacobian-vector product per row.
- ``smoothed_cross_entropy`` (03): cross-entropy with label smoothing on logits, its loss and
  its gradient (PyTorch's ``CrossEntropyLoss(label_smoothing=s)``).
- ``two_layer_step`` (04a): one gradient-descent step of a two-layer ReLU network with softmax
  cross-entropy, written from scratch in NumPy (the capstone trains it on ten samples, the
  vertical data and the spiral).
- ``value_exp`` (04b): a new ``Value`` operation, ``exp``, with its ``_backward``.

Each is a table (see :mod:`course_lib.checks.core`): cases, a reference, typical mistakes with the
hint that names each, and correct variants.
"""

import copy
import math

import numpy as np

from ..autograd import Value, topological_order
from .core import Case, describe, table

__all__ = ["softmax_backward", "smoothed_cross_entropy", "two_layer_step", "value_exp"]

_rng = np.random.default_rng(205)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# -- 02: softmax_backward -------------------------------------------------------------------------
def _softmax_backward(z, dout):
    p = _softmax(z)
    return p * (dout - (dout * p).sum(axis=1, keepdims=True))


def _jacobian_rows(z, dout):
    p = _softmax(z)
    jac = np.einsum("ij,jk->ijk", p, np.eye(z.shape[1])) - p[:, :, None] * p[:, None, :]
    return np.einsum("ikj,ik->ij", jac, dout)   # J is symmetric; J^T dout per row


def _sb_in_place(z, dout):
    p = _softmax(z)
    dout -= (dout * p).sum(axis=1, keepdims=True)
    return p * dout


def _sb_unstable(z, dout):
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    return p * (dout - (dout * p).sum(axis=1, keepdims=True))


softmax_backward = table(
    "softmax_backward", _softmax_backward,
    cases=[Case(_rng.normal(size=(4, 3)), _rng.normal(size=(4, 3)),
                what="softmax_backward on (4, 3)"),
           Case(_rng.normal(size=(2, 5)) * 3, _rng.normal(size=(2, 5)),
                what="softmax_backward on (2, 5)"),
           Case(np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), _rng.normal(size=(2, 3)),
                what="softmax_backward with logits of ±1000", quiet=True,
                hint="compute p with the stable softmax: subtract each row's max before np.exp")],
    mistakes={
        "softmax is not element-wise: every p_j depends on every z_k, so dz = p * (dout - "
        "sum(dout * p, axis=1, keepdims=True)), not p * (1 - p) * dout":
            lambda z, dout: _softmax(z) * (1 - _softmax(z)) * dout,
        "the sum runs over each row's classes (axis=1), not over the batch (axis=0)":
            lambda z, dout: _softmax(z) * (dout - (dout * _softmax(z)).sum(axis=0, keepdims=True)),
        "keep the row sums (N, 1) with keepdims=True so they line up with the (N, C) rows":
            lambda z, dout: _softmax(z) * (dout - (dout * _softmax(z)).sum(axis=1)),
        "the whole bracket is multiplied by p: dz = p * (dout - sum(dout * p, ...))":
            lambda z, dout: dout - (dout * _softmax(z)).sum(axis=1, keepdims=True),
        "use the probabilities p = softmax(z), not the logits z, in the formula":
            lambda z, dout: z * (dout - (dout * z).sum(axis=1, keepdims=True)),
        "do not change dout: build a new array instead of `dout -= ...`": _sb_in_place,
        "compute p with the stable softmax: subtract each row's max before np.exp": _sb_unstable,
    },
    correct=[_softmax_backward, _jacobian_rows],
    summary="the Jacobian-vector product per row, stable at ±1000, dout untouched")


# -- 03: smoothed_cross_entropy --------------------------------------------------------------------
def _sce(off_value=False, scale_n=True, stable=True, smooth_grad=True, mean=True, uniform=True,
         in_place=False):
    """Label-smoothed cross-entropy on logits, right or with one typical mistake."""
    def f(z, labels, smoothing):
        n, c = z.shape
        onehot = np.eye(c)[labels]
        if off_value:
            q = (1 - smoothing) * onehot + smoothing / (c - 1) * (1 - onehot)
        else:
            q = (1 - smoothing) * onehot + (smoothing / c if uniform else 0.0)
        if in_place:
            z -= z.max(axis=1, keepdims=True)
            shifted = z
        else:
            shifted = z - z.max(axis=1, keepdims=True) if stable else z
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        per_sample = -(q * log_p).sum(axis=1)
        loss = float(per_sample.mean() if mean else per_sample.sum())
        dz = np.exp(log_p) - (q if smooth_grad else onehot)
        return loss, dz / n if scale_n else dz
    return f


def _sce_lse(z, labels, smoothing):
    n, c = z.shape
    q = np.full((n, c), smoothing / c)
    q[np.arange(n), labels] += 1 - smoothing
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    p = np.exp(z - lse[:, None])
    return float(np.mean(lse - (q * z).sum(axis=1))), (p - q) / n


smoothed_cross_entropy = table(
    "smoothed_cross_entropy", _sce(), names=("the loss", "dz"),
    cases=[Case(_rng.normal(size=(4, 3)) * 2, np.array([0, 2, 1, 2]), 0.1,
                what="smoothed_cross_entropy(z (4, 3), labels, smoothing=0.1)"),
           Case(_rng.normal(size=(5, 4)), np.array([3, 0, 0, 1, 2]), 0.3,
                what="smoothed_cross_entropy(z (5, 4), labels, smoothing=0.3)"),
           Case(np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]]), np.array([0, 2]), 0.2,
                what="smoothed_cross_entropy with logits of ±1000", quiet=True,
                hint="work with log-probabilities: subtract each row's max before np.exp "
                     "(log-sum-exp)")],
    mistakes={
        "PyTorch spreads the smoothing over all C classes: q = (1 - s) * onehot + s / C "
        "(not s / (C - 1) over the other classes)": _sce(off_value=True),
        "the loss is a mean over the N samples, so its gradient is (p - q) / N: divide by N":
            _sce(scale_n=False),
        "work with log-probabilities: subtract each row's max before np.exp (log-sum-exp)":
            _sce(stable=False),
        "the gradient is p - q with the smoothed targets q, not p - onehot":
            _sce(smooth_grad=False),
        "average the per-sample losses over the batch (mean), do not sum them": _sce(mean=False),
        "the smoothed target adds s / C to every class: q = (1 - s) * onehot + s / C":
            _sce(uniform=False),
        "do not change z: build a shifted copy, `z - z.max(...)`, not `z -= ...`":
            _sce(in_place=True),
    },
    correct=[_sce(), _sce_lse],
    summary="loss and gradient with label smoothing, stable at ±1000, z untouched")


# -- 04a: two_layer_step --------------------------------------------------------------------------
def _step(scale_n=True, mask=True, db_axis=0, late_w2=False, rebind=False, loss_after=False,
          onehot=True):
    """One SGD step of X -> Dense -> ReLU -> Dense -> softmax CE, right or with one mistake."""
    def step(params, X, y, lr):
        W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
        n = len(X)
        H = X @ W1 + b1
        A = np.maximum(H, 0)
        P = _softmax(A @ W2 + b2)
        loss = float(-np.mean(np.log(P[np.arange(n), y])))
        dZ = P.copy()
        if onehot:
            dZ[np.arange(n), y] -= 1
        else:
            dZ = dZ - y[:, None]
        if scale_n:
            dZ /= n
        dW2, db2 = A.T @ dZ, dZ.sum(axis=0)
        if late_w2:
            W2 -= lr * dW2
        dH = dZ @ W2.T
        if mask:
            dH = dH * (H > 0)
        dW1, db1 = X.T @ dH, dH.sum(axis=db_axis)
        updates = [("W1", dW1), ("b1", db1), ("b2", db2)] + ([] if late_w2 else [("W2", dW2)])
        for key, grad in updates:
            if rebind:
                new = params[key] - lr * grad  # noqa: F841 - the mistake: a new array, dropped
            else:
                params[key] -= lr * grad
        if loss_after:
            A = np.maximum(X @ params["W1"] + params["b1"], 0)
            P = _softmax(A @ params["W2"] + params["b2"])
            return float(-np.mean(np.log(P[np.arange(n), y])))
        return loss
    return step


def _step_layers(params, X, y, lr):
    """The same step with course_lib's layers (a second, independent correct answer)."""
    from ..layers import Dense, ReLU, Sequential
    from ..losses import CrossEntropyLoss
    d, h = params["W1"].shape
    c = params["W2"].shape[1]
    net = Sequential(Dense(d, h), ReLU(), Dense(h, c))
    net[0].params["W"][...], net[0].params["b"][...] = params["W1"], params["b1"]
    net[2].params["W"][...], net[2].params["b"][...] = params["W2"], params["b2"]
    loss_fn = CrossEntropyLoss()
    loss = loss_fn(net.forward(X), y)
    net.backward(loss_fn.backward())
    for key, (k, name) in {"W1": (0, "W"), "b1": (0, "b"), "W2": (2, "W"), "b2": (2, "b")}.items():
        params[key] -= lr * net[k].grads[name]
    return float(loss)


def _drive_step(fn, params, X, y, lr):
    params = copy.deepcopy(params)
    loss = fn(params, X, y, lr)
    return (loss, params["W1"], params["b1"], params["W2"], params["b2"])


def _params(d, h, c, seed):
    g = np.random.default_rng(seed)
    return {"W1": g.normal(size=(d, h)), "b1": g.normal(size=h) * 0.1,
            "W2": g.normal(size=(h, c)) * 0.5, "b2": g.normal(size=c) * 0.1}


def _ten_spiral():
    from ..data import spiral
    X, y = spiral(5, 2, rng=3)
    return X, y


two_layer_step = table(
    "two_layer_step", _step(), driver=_drive_step, arg_names=("params", "X", "y", "lr"),
    names=("the returned loss", "params['W1'] after the step", "params['b1'] after the step",
           "params['W2'] after the step", "params['b2'] after the step"),
    cases=[Case(_params(2, 5, 3, 1), _rng.normal(size=(6, 2)), np.array([0, 1, 2, 0, 1, 2]), 0.5,
                what="two_layer_step on 6 samples, D = 2, H = 5, C = 3, lr = 0.5"),
           Case(_params(2, 8, 2, 2), *_ten_spiral(), 0.1,
                what="two_layer_step on 10 spiral samples, H = 8, C = 2, lr = 0.1")],
    mistakes={
        "the loss is a mean over the N samples, so its gradient is (P - Y) / N: divide by N":
            _step(scale_n=False),
        "backpropagate through the ReLU: dH = dA * (H > 0)": _step(mask=False),
        "sum the bias gradient over the batch, dH.sum(axis=0): one number per hidden unit":
            _step(db_axis=1),
        "compute dA = dZ @ W2.T with the W2 of the forward pass: update the weights only after "
        "every gradient is computed": _step(late_w2=True),
        "`W = W - lr * dW` makes a new array and params keeps the old one: update in place, "
        "params['W1'] -= lr * dW1": _step(rebind=True),
        "return the loss of the forward pass, before the update": _step(loss_after=True),
        "y holds integer labels: subtract 1 only at each row's true class, "
        "dZ[np.arange(N), y] -= 1 (P - y[:, None] subtracts the label from every entry)":
            _step(onehot=False),
    },
    correct=[_step(), _step_layers],
    summary="loss, all four gradients and the in-place update, on two shapes")


# -- 04b: value_exp -------------------------------------------------------------------------------
def _exp(form="right"):
    def op(a):
        e = {"wrong_data": math.exp(a.data) * a.data}.get(form, math.exp(a.data))
        out = Value(e, () if form == "no_children" else (a,), "exp")

        def _backward():
            up = 1.0 if form == "no_chain" else out.grad
            local = {"local_a": a.data, "local_one": 1.0}.get(form, e)
            a.grad = local * up + (0.0 if form == "assign" else a.grad)
        out._backward = (_backward() if form == "called" else out._backward
                         if form == "not_attached" else _backward)
        return out
    return op


def _drive_exp(op):
    a = Value(0.5)
    out = op(a)
    if not isinstance(out, Value):
        return {"returns": type(out).__name__}
    seen = {"returns": "Value", "data": out.data,
            "children": any(node is a for node in topological_order(out))}
    builds = {"a.grad of exp(a) with a = 0.5": lambda a: op(a),
              "a.grad of 3 exp(a)": lambda a: op(a) * 3.0,
              "a.grad of exp(a) + 2 a": lambda a: op(a) + a * 2.0,
              "a.grad of 2 a + exp(a)": lambda a: a * 2.0 + op(a)}
    for key, build in builds.items():
        a = Value(0.5)
        build(a).backward()
        seen[key] = a.grad
    return seen


def _check_exp(got, want, case):
    if got["returns"] != "Value":
        return (f"{case.what} should return a Value, got a {got['returns']}",
                "build the result with Value(math.exp(a.data), (a,), 'exp') and return it")
    for key in list(want)[1:]:
        if not np.allclose(got[key], want[key], rtol=1e-12, atol=1e-12):
            text = {"data": "exp(Value(0.5)).data",
                    "children": "the result remembers its input (._prev)"}.get(key, key)
            hint = "pass the input as a child: Value(e, (a,), 'exp')" if key == "children" else None
            return (f"{text}: should be {describe(want[key])}, got {describe(got[key])}", hint)
    return None


value_exp = table(
    "value_exp", _exp(), driver=_drive_exp, check=_check_exp, cases=[Case(what="exp(a)")],
    mistakes={
        "multiply by the upstream gradient (chain rule): a.grad += e * out.grad": _exp("no_chain"),
        "the derivative of e^a is e^a itself (out.data), not a": _exp("local_a"),
        "the derivative of e^a is e^a itself (out.data), not 1": _exp("local_one"),
        "accumulate with `+=`, not `=`: a used on two paths gets both contributions":
            _exp("assign"),
        "define _backward() and attach it: out._backward = _backward": _exp("not_attached"),
        "attach the function, do not call it: out._backward = _backward (no parentheses)":
            _exp("called"),
        "pass the input as a child: Value(e, (a,), 'exp')": _exp("no_children"),
        "the data is math.exp(a.data)": _exp("wrong_data"),
        "return a Value (the node), not a number": lambda a: math.exp(a.data),
    },
    correct=[_exp(), lambda a: a.exp(), lambda a: (a * 0.5).exp() * (a * 0.5).exp()],
    summary="chain rule and accumulation")
