"""The harder exercises of chapters 02-04b, one table each (see :mod:`.core`): softmax_backward
(02), smoothed_cross_entropy (03, PyTorch's label_smoothing), two_layer_step (04a, one SGD step of
a two-layer ReLU net from scratch), value_exp (04b, Value.exp and its _backward)."""

import copy
import math

import numpy as np

from .. import functions as F
from ..autograd import Value, topological_order
from ..data import spiral
from .core import Case, compare, table

__all__ = ["softmax_backward", "smoothed_cross_entropy", "two_layer_step", "value_exp"]

_rng = np.random.default_rng(205)
_SB_STABLE = "compute p with the stable softmax: subtract each row's max before np.exp"
_SCE_STABLE = "work with log-probabilities: subtract each row's max before np.exp (log-sum-exp)"
_MEAN_N = "the loss is a mean over the N samples, so its gradient is {} / N: divide by N"
_KEYS = ("W1", "b1", "W2", "b2")
_CHILD = "pass the input as a child: Value(e, (a,), 'exp')"


def _sb(probs=F.softmax, axis=1, keepdims=True, times_p=True):
    """softmax's backward pass, right or with one mistake (``axis=()`` sums nothing)."""
    def f(z, dout):
        p = probs(z)
        bracket = dout - (dout * p).sum(axis=axis, keepdims=keepdims)
        return p * bracket if times_p else bracket
    return f


def _jacobian_rows(z, dout):
    return np.stack([F.softmax_jacobian(p) @ d for p, d in zip(F.softmax(z), dout)])  # J = J^T


softmax_backward = table(
    "softmax_backward", _sb(),
    cases=[Case(_rng.normal(size=(4, 3)), _rng.normal(size=(4, 3))),
           Case(_rng.normal(size=(2, 5)) * 3, _rng.normal(size=(2, 5))),
           Case(np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), _rng.normal(size=(2, 3)),
                what="softmax_backward with logits of ±1000", quiet=True, hint=_SB_STABLE)],
    mistakes={
        "softmax is not element-wise: every p_j depends on every z_k, so dz = p * (dout - "
        "sum(dout * p, axis=1, keepdims=True)), not p * (1 - p) * dout": _sb(axis=()),
        "the sum runs over each row's classes (axis=1), not over the batch (axis=0)": _sb(axis=0),
        "keep the row sums (N, 1) with keepdims=True to line up with (N, C)": _sb(keepdims=False),
        "multiply the whole bracket by p: p * (dout - sum(dout * p, ...))": _sb(times_p=False),
        "use p = softmax(z), not the logits z, in the formula": _sb(probs=lambda z: z),
        _SB_STABLE: _sb(probs=lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
    },
    correct=[_sb(), _jacobian_rows],
    summary="the Jacobian-vector product per row, stable at ±1000, dout untouched")


def _sce(spread="all", scale_n=True, stable=True, smooth_grad=True, mean=True):
    """Label-smoothed cross-entropy on logits, right or with one typical mistake."""
    def f(z, labels, smoothing):
        n, c = z.shape
        onehot = np.eye(c)[labels]
        rest = {"all": smoothing / c, "others": smoothing / (c - 1) * (1 - onehot), "none": 0.0,
                "undivided": smoothing}
        q = (1 - smoothing) * onehot + rest[spread]
        shifted = z - z.max(axis=1, keepdims=True) if stable else z
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float((np.mean if mean else np.sum)(-(q * log_p).sum(axis=1)))
        dz = np.exp(log_p) - (q if smooth_grad else onehot)
        return loss, dz / n if scale_n else dz
    return f


def _sce_lse(z, labels, smoothing):
    q = np.full(z.shape, smoothing / z.shape[1])
    q[np.arange(len(z)), labels] += 1 - smoothing
    lse = z.max(axis=1) + np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
    return float(np.mean(lse - (q * z).sum(axis=1))), (np.exp(z - lse[:, None]) - q) / len(z)


smoothed_cross_entropy = table(
    "smoothed_cross_entropy", _sce(), names=("the loss", "dz"),
    cases=[Case(_rng.normal(size=(4, 3)) * 2, np.array([0, 2, 1, 2]), 0.1),
           Case(_rng.normal(size=(5, 4)), np.array([3, 0, 0, 1, 2]), 0.3),
           Case(np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]]), np.array([0, 2]), 0.2,
                quiet=True, hint=_SCE_STABLE)],
    mistakes={
        "PyTorch spreads the smoothing over all C classes: q = (1 - s) * onehot + s / C "
        "(not s / (C - 1) over the other classes)": _sce(spread="others"),
        _MEAN_N.format("(p - q)"): _sce(scale_n=False),
        _SCE_STABLE: _sce(stable=False),
        "the gradient is p - q, with the smoothed q, not p - onehot": _sce(smooth_grad=False),
        "average the per-sample losses over the batch (mean), do not sum them": _sce(mean=False),
        "q gives every class s / C: q = (1 - s) * onehot + s / C": _sce(spread="none"),
        "divide the smoothing by C: every class gets s / C, not s, so q = (1 - s) * onehot + s / C "
        "sums to 1": _sce(spread="undivided"),
        "return the tuple in the order (loss, dz), not (dz, loss)": lambda *a: _sce()(*a)[::-1],
    },
    correct=[_sce(), _sce_lse],
    summary="loss and gradient with label smoothing, stable at ±1000, z untouched")


def _step(scale_n=True, mask=True, db_axis=0, late_w2=False, rebind=False, loss_after=False,
          onehot=True, replace=False):
    """One SGD step of X -> Dense -> ReLU -> Dense -> softmax CE, right or with one mistake."""
    def step(params, X, y, lr):
        if replace:  # params[k] = params[k] - lr * dW: right values, new arrays in the dict
            params.update({key: value.copy() for key, value in params.items()})
        def forward():
            H = X @ params["W1"] + params["b1"]
            P = F.softmax(np.maximum(H, 0) @ params["W2"] + params["b2"])
            return H, P, float(-np.mean(np.log(P[np.arange(len(X)), y])))

        H, P, loss = forward()
        dZ = (P - (np.eye(P.shape[1])[y] if onehot else y[:, None])) / (len(X) if scale_n else 1)
        grads = {"W2": np.maximum(H, 0).T @ dZ, "b2": dZ.sum(axis=0)}
        if late_w2:
            params["W2"] -= lr * grads.pop("W2")
        dH = dZ @ params["W2"].T * ((H > 0) if mask else 1)
        grads.update(W1=X.T @ dH, b1=dH.sum(axis=db_axis))
        for key, grad in grads.items() if not rebind else ():  # W = W - lr * dW changes nothing
            params[key] -= lr * grad
        return forward()[2] if loss_after else loss
    return step


def _step_layers(params, X, y, lr):
    """The same step with course_lib's layers (a second, independent correct answer)."""
    from ..layers import Dense, ReLU, Sequential
    from ..losses import CrossEntropyLoss
    net = Sequential(Dense(*params["W1"].shape), ReLU(), Dense(*params["W2"].shape))
    layers = {"1": net[0], "2": net[2]}
    for key in _KEYS:
        layers[key[1]].params[key[0]][...] = params[key]
    loss_fn = CrossEntropyLoss()
    loss = loss_fn(net.forward(X), y)
    net.backward(loss_fn.backward())
    for key in _KEYS:
        params[key] -= lr * layers[key[1]].grads[key[0]]
    return float(loss)


def _drive_step(fn, params, X, y, lr):  # the loss, the params, whether they are the same arrays
    params = copy.deepcopy(params)
    held = dict(params)
    return (fn(params, X, y, lr), *(params[key] for key in _KEYS),
            all(params[key] is held[key] for key in _KEYS))


def _params(d, h, c, seed):
    g = np.random.default_rng(seed)
    return {"W1": g.normal(size=(d, h)), "b1": g.normal(size=h) * 0.1,
            "W2": g.normal(size=(h, c)) * 0.5, "b2": g.normal(size=c) * 0.1}


two_layer_step = table(
    "two_layer_step", _step(), driver=_drive_step, arg_names=("params", "X", "y", "lr"),
    names=("the returned loss", *(f"params['{key}'] after the step" for key in _KEYS),
           "every array of params updated in place (the same objects)"),
    cases=[Case(_params(2, 5, 3, 1), _rng.normal(size=(6, 2)), np.array([0, 1, 2, 0, 1, 2]), 0.5,
                what="two_layer_step on 6 samples, D = 2, H = 5, C = 3, lr = 0.5"),
           Case(_params(2, 8, 2, 2), *spiral(5, 2, rng=3), 0.1,
                what="two_layer_step on 10 spiral samples, H = 8, C = 2, lr = 0.1")],
    mistakes={
        _MEAN_N.format("(P - Y)"): _step(scale_n=False),
        "backpropagate through the ReLU: dH = dA * (H > 0)": _step(mask=False),
        "sum db1 over the batch, dH.sum(axis=0): one number per hidden unit": _step(db_axis=1),
        "dA = dZ @ W2.T uses the old W2: update only after all gradients": _step(late_w2=True),
        "`W = W - lr * dW` makes a new array and params keeps the old one: update in place, "
        "params['W1'] -= lr * dW1": _step(rebind=True),
        "return the loss of the forward pass, before the update": _step(loss_after=True),
        "`params[k] = params[k] - lr * dW` puts a new array in the dict: update the arrays in "
        "place, params[k] -= lr * dW": _step(replace=True),
        "P - y[:, None] subtracts the label from every entry: y holds integer labels, subtract "
        "1 only at each row's true class, dZ[np.arange(N), y] -= 1": _step(onehot=False),
    },
    correct=[_step(), _step_layers],
    summary="loss, all four gradients and the in-place update, on two shapes")


def _exp(form="right"):
    def op(a):
        e = {"wrong_data": math.exp(a.data) * a.data}.get(form, math.exp(a.data))
        out = Value(e, () if form == "no_children" else (a,), "exp")

        def _backward():
            up = 1.0 if form == "no_chain" else out.grad
            local = {"local_a": a.data, "local_one": 1.0, "power": a.data * math.exp(a.data - 1)}
            node = out if form == "to_out" else a
            node.grad = local.get(form, e) * up + (0.0 if form == "assign" else node.grad)
        out._backward = (_backward() if form == "called" else out._backward
                         if form == "not_attached" else _backward)
        return out
    return op


_GRADS = {"a.grad of exp(a)": lambda e, a: e, "a.grad of 3 exp(a)": lambda e, a: e * 3.0,
          "a.grad of exp(a) + 2 a": lambda e, a: e + a * 2.0,
          "a.grad of 2 a + exp(a)": lambda e, a: a * 2.0 + e}


def _drive_exp(op):  # what op builds, key by key: each key labels its line
    a = Value(0.5)
    out = op(a)
    if not isinstance(out, Value):
        return {"returns": type(out).__name__}
    seen = {"returns": "Value", "data": out.data,
            "the input a is in the graph (._prev)": any(n is a for n in topological_order(out))}
    for key, build in _GRADS.items():
        a = Value(0.5)
        build(op(a), a).backward()
        seen[key] = a.grad
    out.backward()
    seen["out.grad after out.backward()"] = out.grad
    return seen


def _check_exp(got, want, case):
    if got["returns"] != "Value":
        return (f"{case.what} should return a Value, got a {got['returns']}",
                "build the result with Value(math.exp(a.data), (a,), 'exp') and return it")
    problem = compare(got, want, case.what, rtol=1e-12, atol=1e-12)
    return problem and (problem[0], _CHILD if "(._prev)" in problem[0] else None)


value_exp = table(
    "value_exp", _exp(), driver=_drive_exp, check=_check_exp, cases=[Case(what="exp(Value(0.5))")],
    mistakes={
        "multiply by the upstream gradient (chain rule): a.grad += e * out.grad": _exp("no_chain"),
        "the derivative of e^a is e^a itself (out.data), not a": _exp("local_a"),
        "the derivative of e^a is e^a itself (out.data), not 1": _exp("local_one"),
        "the power rule is for a^n: e^a is its own derivative, a.grad += out.data * out.grad, "
        "not a * e^(a - 1)": _exp("power"),
        "_backward adds to the input's gradient, a.grad += out.data * out.grad, not to out.grad":
            _exp("to_out"),
        "accumulate with `+=`, not `=`: a used twice gets both contributions": _exp("assign"),
        "define _backward() and attach it: out._backward = _backward": _exp("not_attached"),
        "attach, do not call: out._backward = _backward, no parentheses": _exp("called"),
        _CHILD: _exp("no_children"),
        "the data is math.exp(a.data)": _exp("wrong_data"),
        "return a Value (the node), not a number": lambda a: math.exp(a.data),
    },
    correct=[_exp(), lambda a: a.exp(), lambda a: (a * 0.5).exp() * (a * 0.5).exp()],
    summary="chain rule and accumulation")
