"""The scalar autograd engine: every operation's gradient against finite differences, accumulation,
no_grad / detach, a 100,000-node graph, and the Value MLP against the layer-based network."""

import math
import time

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.autograd import (
    MLP,
    Neuron,
    Value,
    draw_graph,
    is_grad_enabled,
    local_gradients,
    no_grad,
    topological_order,
)
from course_lib.layers import Dense, Sequential, Tanh
from course_lib.losses import MSELoss

matplotlib.use("Agg")

EPS = 1e-6

# name -> (function of Values / numbers, domain of the inputs)
UNARY = {
    "neg": lambda a: -a,
    "tanh": lambda a: a.tanh() if isinstance(a, Value) else math.tanh(a),
    "relu": lambda a: a.relu() if isinstance(a, Value) else max(a, 0.0),
    "exp": lambda a: a.exp() if isinstance(a, Value) else math.exp(a),
    "log": lambda a: a.log() if isinstance(a, Value) else math.log(a),
    "sigmoid": lambda a: a.sigmoid() if isinstance(a, Value) else 1 / (1 + math.exp(-a)),
    "pow3": lambda a: a ** 3,
    "pow-0.5": lambda a: a ** -0.5,
    "pow2.5": lambda a: a ** 2.5,
    "radd": lambda a: 2.5 + a,
    "rsub": lambda a: 2.5 - a,
    "rmul": lambda a: 2.5 * a,
    "rtruediv": lambda a: 2.5 / a,
    "add_num": lambda a: a + 2.5,
    "sub_num": lambda a: a - 2.5,
    "mul_num": lambda a: a * 2.5,
    "div_num": lambda a: a / 2.5,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "mixed": lambda a, b: (a * b + a.tanh() if isinstance(a, Value) else a * b + math.tanh(a))
    / (1 + b * b),
}
POSITIVE = {"log", "pow-0.5", "pow2.5"}


def numeric(f, *xs):
    grads = []
    for i in range(len(xs)):
        plus = list(xs)
        minus = list(xs)
        plus[i] += EPS
        minus[i] -= EPS
        grads.append((f(*plus) - f(*minus)) / (2 * EPS))
    return grads


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("seed", range(3))
def test_unary_gradients(name, seed):
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(0.3, 2.0)) if name in POSITIVE else float(rng.uniform(-2, 2))
    if name == "relu" and abs(x) < 1e-3:
        x = 0.5
    f = UNARY[name]
    a = Value(x)
    out = f(a)
    assert out.data == pytest.approx(f(x), rel=1e-12)
    out.backward()
    assert a.grad == pytest.approx(numeric(f, x)[0], rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("seed", range(3))
def test_binary_gradients(name, seed):
    rng = np.random.default_rng(seed)
    x, y = (float(v) for v in rng.uniform(0.5, 2.0, 2) * rng.choice([-1, 1], 2))
    f = BINARY[name]
    a, b = Value(x), Value(y)
    out = f(a, b)
    assert out.data == pytest.approx(f(x, y), rel=1e-12)
    out.backward()
    ga, gb = numeric(f, x, y)
    assert a.grad == pytest.approx(ga, rel=1e-6, abs=1e-8)
    assert b.grad == pytest.approx(gb, rel=1e-6, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3))
def test_random_expression_matches_finite_differences(x, y):
    def f(a, b):
        return (a * b + 1).tanh() * a - b * b / (1 + a * a) + (a - b).relu() * 0.5

    a, b = Value(x), Value(y)
    f(a, b).backward()
    if abs(x - y) > 1e-4:  # away from relu's kink
        ga, gb = numeric(lambda u, v: f(Value(u), Value(v)).data, x, y)
        assert a.grad == pytest.approx(ga, rel=1e-5, abs=1e-6)
        assert b.grad == pytest.approx(gb, rel=1e-5, abs=1e-6)


def test_numbers_on_either_side():
    a = Value(3.0)
    for expr, want in ((1 + a, 4), (a + 1, 4), (10 - a, 7), (a - 10, -7), (2 * a, 6), (a * 2, 6),
                       (6 / a, 2), (a / 2, 1.5), (-a, -3), (a ** 2, 9)):
        assert isinstance(expr, Value) and expr.data == pytest.approx(want)


def test_value_used_twice_accumulates():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0
    b = Value(3.0)
    (b + b).backward()
    assert b.grad == 2.0


def test_backward_twice_doubles_and_zero_grad_resets():
    a, b = Value(2.0), Value(-3.0)
    out = a * b + a
    out.backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)
    out.backward()
    assert (a.grad, b.grad) == (-4.0, 4.0)  # leaves accumulate, as in PyTorch
    out.zero_grad()
    assert (a.grad, b.grad, out.grad) == (0.0, 0.0, 0.0)
    out.backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)


def test_constants_keep_no_gradient():
    a, k = Value(2.0), Value(5.0, requires_grad=False)
    out = a * k
    out.backward()
    assert a.grad == 5.0 and k.grad == 0.0
    assert not (k * 2).requires_grad and (k * 2)._prev == ()


def test_no_grad_builds_no_graph():
    a = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        out = (a * 3 + 1).tanh()
    assert is_grad_enabled()
    assert out._prev == () and not out.requires_grad
    assert out.data == pytest.approx(math.tanh(7.0))
    with pytest.raises(RuntimeError, match="does not require grad"):
        out.backward()
    tracked = a * 3
    assert tracked._prev == (a, tracked._prev[1])


def test_no_grad_restores_on_exception():
    with pytest.raises(KeyError), no_grad():
        raise KeyError("x")
    assert is_grad_enabled()


def test_detach_stops_the_gradient():
    a = Value(2.0)
    d = (a * a).detach()
    assert d.data == 4.0 and not d.requires_grad and d._prev == ()
    out = d * a
    out.backward()
    assert a.grad == 4.0  # only through the second factor
    assert d.grad == 0.0


def test_log_of_non_positive_raises():
    for x in (0.0, -1.0):
        with pytest.raises(ValueError, match="positive"):
            Value(x).log()


def test_bad_data_and_exponent():
    with pytest.raises(ValueError, match="number"):
        Value("abc")
    with pytest.raises(ValueError, match="Value"):
        Value(Value(1.0))
    with pytest.raises(ValueError, match="exponent"):
        Value(2.0) ** Value(3.0)


def test_repr_has_no_address():
    assert repr(Value(2.0)) == "Value(data=2.0000, grad=0.0000)"


def test_deep_graph_of_100000_nodes():
    x = Value(0.5)
    out = x
    for _ in range(100_000):
        out = out + 1.0
    start = time.perf_counter()
    out.backward()
    assert time.perf_counter() - start < 5.0
    assert x.grad == 1.0 and out.data == pytest.approx(100_000.5)
    order = topological_order(out)
    assert len(order) == 200_001 and order[-1] is out


def test_deep_multiplicative_chain():
    x = Value(1.0)
    out = x
    for _ in range(50_000):
        out = out * 1.00001
    out.backward()
    assert x.grad == pytest.approx(1.00001 ** 50_000, rel=1e-9)


def test_topological_order_puts_children_first_once():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    e = (c + a) * c
    order = topological_order(e)
    ids = [id(v) for v in order]
    assert len(ids) == len(set(ids))
    pos = {i: k for k, i in enumerate(ids)}
    for v in order:
        for ch in v._prev:
            assert pos[id(ch)] < pos[id(v)]


def test_local_gradients_and_draw_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = a * b
    out.grad = 7.0
    assert local_gradients(out) == [-3.0, 2.0]
    assert out.grad == 7.0 and a.grad == 0.0  # restored
    sq = a * a
    assert local_gradients(sq) == [4.0, 4.0]  # a used twice: the sum on each edge
    ax = draw_graph((out + 1).tanh())
    assert ax.get_title().startswith("Computational graph")
    assert len(ax.texts) >= 6
    big = Value(0.0)
    for _ in range(30):
        big = big + 1.0
    with pytest.raises(ValueError, match="too many"):
        draw_graph(big)


def test_neuron_validates_activation():
    with pytest.raises(ValueError, match="act"):
        Neuron(2, act="sigmoid")


@pytest.mark.parametrize("seed", range(3))
def test_value_mlp_matches_layers(seed):
    rng = np.random.default_rng(seed)
    X, t = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    net = Sequential(Dense(3, 4, rng=rng), Tanh(), Dense(4, 2, rng=rng))
    loss_fn = MSELoss()
    loss = loss_fn(net.forward(X), t)
    net.backward(loss_fn.backward())
    mlp = MLP(3, [4, 2], rng=seed)
    mlp.set_weights([(net[i].params["W"], net[i].params["b"]) for i in (0, 2)])
    preds = [mlp(list(x)) for x in X]
    total = sum((p - float(ti)) ** 2 for row, trow in zip(preds, t) for p, ti in zip(row, trow))
    vloss = total / t.size
    vloss.backward()
    assert vloss.data == pytest.approx(loss, rel=1e-12)
    (dW1, db1), (dW2, db2) = mlp.weight_grads()
    np.testing.assert_allclose(dW1, net[0].grads["W"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db1, net[0].grads["b"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dW2, net[2].grads["W"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db2, net[2].grads["b"], rtol=1e-10, atol=1e-12)
    assert "MLP(3 -> 4 -> 2" in repr(mlp)
    mlp.zero_grad()
    assert all(p.grad == 0 for p in mlp.parameters())


def test_value_mlp_learns():
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    t = [-1.0, 1.0, 1.0, -1.0]
    mlp = MLP(2, [6, 1], rng=0)
    first = None
    for _ in range(60):
        loss = sum((mlp(x)[0] - ti) ** 2 for x, ti in zip(X, t)) / 4
        first = first if first is not None else loss.data
        mlp.zero_grad()
        loss.backward()
        for p in mlp.parameters():
            p.data -= 0.2 * p.grad
    assert loss.data < 0.2 * first


# -- boundary values and nested state --------------------------------------------------------------
def test_relu_at_exactly_zero_has_value_0_and_gradient_0():
    a = Value(0.0)
    out = a.relu()
    out.backward()
    assert out.data == 0.0 and a.grad == 0.0           # PyTorch: relu'(0) = 0
    neg, pos = Value(-1e-12), Value(1e-12)
    neg.relu().backward()
    pos.relu().backward()
    assert neg.grad == 0.0 and pos.grad == 1.0


def test_sigmoid_tanh_exp_at_zero():
    for op, value, slope in (("sigmoid", 0.5, 0.25), ("tanh", 0.0, 1.0), ("exp", 1.0, 1.0)):
        a = Value(0.0)
        out = getattr(a, op)()
        out.backward()
        assert out.data == value and a.grad == slope, op


def test_log_at_zero_raises_and_pow_zero():
    with pytest.raises(ValueError, match="positive"):
        Value(0.0).log()
    a = Value(3.0)
    out = a ** 0
    out.backward()
    assert out.data == 1.0 and a.grad == 0.0


def test_nested_no_grad_restores_the_outer_state():
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()                    # still inside the outer block
        out = Value(2.0) * 3
        assert not out.requires_grad and out._prev == ()
    assert is_grad_enabled()
    with pytest.raises(ValueError), no_grad():
        with no_grad():
            raise ValueError("inner")
    assert is_grad_enabled()


def test_no_grad_nested_with_an_exception_inside_keeps_outer_state():
    with no_grad():
        with pytest.raises(KeyError), no_grad():
            raise KeyError("x")
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_backward_on_a_leaf_and_with_a_custom_upstream_gradient():
    a = Value(3.0)
    a.backward()
    assert a.grad == 1.0
    b = Value(2.0)
    (b * b).backward(grad=0.5)                           # d(b^2)/db * 0.5 = 2
    assert b.grad == 2.0


def test_zero_grad_resets_every_node():
    a, b = Value(2.0), Value(-3.0)
    out = (a * b).tanh() + a
    out.backward()
    assert a.grad != 0.0
    out.zero_grad()
    assert all(n.grad == 0.0 for n in topological_order(out))


def test_network_and_drawing_live_apart_and_are_re_exported():
    import course_lib.autograd as autograd
    import course_lib.nn as nn
    import course_lib.plots as plots
    assert autograd.MLP is nn.MLP and autograd.Neuron is nn.Neuron
    assert autograd.NeuronLayer is nn.NeuronLayer and autograd.draw_graph is plots.draw_graph
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        autograd.nope
    assert set(autograd.__all__) >= {"Value", "no_grad", "MLP", "draw_graph"}
    assert {"MLP", "Neuron", "draw_graph", "Value"} <= set(dir(autograd))


def test_mlp_seeded_reference_values():
    mlp = MLP(2, [3, 1], rng=0)
    out = mlp([0.5, -1.0])[0]
    assert repr(mlp) == "MLP(2 -> 3 -> 1, 13 parameters)"
    assert out.data == pytest.approx(0.2879419939431105, abs=1e-12)   # recorded once
