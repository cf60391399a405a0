"""course_lib.optim: hand-computed first steps, PyTorch's conventions, in-place updates, errors."""

import numpy as np
import pytest

from course_lib import optim
from course_lib.layers import Dense, ReLU, Sequential
from course_lib.surfaces import quadratic

G1, G2 = np.array([1.0, 2.0]), np.array([0.5, -1.0])
P0 = np.array([1.0, -2.0])


def two_steps(opt_cls, **kw):
    """Apply the gradients G1 then G2 to a point at P0; return p after each step."""
    pt = optim.Point(P0)
    opt = opt_cls(pt, **kw)
    out = []
    for g in (G1, G2):
        pt.grads["xy"][...] = g
        opt.step()
        out.append(pt.params["xy"].copy())
    return out, opt


def test_sgd_plain():
    (p1, p2), _ = two_steps(optim.SGD, lr=0.1)
    assert np.allclose(p1, P0 - 0.1 * G1)
    assert np.allclose(p2, P0 - 0.1 * G1 - 0.1 * G2)


def test_sgd_momentum_pytorch_form():
    (p1, p2), opt = two_steps(optim.SGD, lr=0.1, momentum=0.9)
    assert np.allclose(p1, [0.9, -2.2])          # v = g1 = [1, 2]
    assert np.allclose(p2, [0.76, -2.28])        # v = 0.9 [1, 2] + [0.5, -1] = [1.4, 0.8]
    assert np.allclose(opt.state["xy"]["velocity"], [1.4, 0.8])


def test_sgd_nesterov_differs_from_plain_momentum():
    (p1, p2), _ = two_steps(optim.SGD, lr=0.1, momentum=0.9, nesterov=True)
    assert np.allclose(p1, [0.81, -2.38])        # step g + mu v = [1.9, 3.8]
    assert np.allclose(p2, [0.634, -2.352])      # step [0.5, -1] + 0.9 [1.4, 0.8]
    (q1, _), _ = two_steps(optim.SGD, lr=0.1, momentum=0.9)
    assert not np.allclose(p1, q1)


def test_cs231n_momentum_is_the_same_path():
    (p1, p2), _ = two_steps(optim.SGD, lr=0.1, momentum=0.9)
    p, v = P0.copy(), np.zeros(2)
    for g, want in ((G1, p1), (G2, p2)):
        v = 0.9 * v - 0.1 * g
        p = p + v
        assert np.allclose(p, want)


def test_sgd_weight_decay_adds_l2_gradient():
    (p1, _), _ = two_steps(optim.SGD, lr=0.1, weight_decay=0.5)
    assert np.allclose(p1, P0 - 0.1 * (G1 + 0.5 * P0))


def test_adagrad():
    (p1, p2), opt = two_steps(optim.AdaGrad, lr=0.1)
    assert np.allclose(p1, [0.9, -2.1])          # g / sqrt(g**2) = sign(g)
    s = G1 ** 2 + G2 ** 2
    assert np.allclose(p2, p1 - 0.1 * G2 / (np.sqrt(s) + 1e-10))
    assert np.allclose(opt.state["xy"]["sum_sq"], s)
    assert optim.Adagrad is optim.AdaGrad


def test_rmsprop():
    (p1, p2), opt = two_steps(optim.RMSprop, lr=0.01, alpha=0.9)
    sq1 = 0.1 * G1 ** 2
    assert np.allclose(p1, P0 - 0.01 * G1 / (np.sqrt(sq1) + 1e-8))
    sq2 = 0.9 * sq1 + 0.1 * G2 ** 2
    assert np.allclose(p2, p1 - 0.01 * G2 / (np.sqrt(sq2) + 1e-8))
    assert np.allclose(opt.state["xy"]["square_avg"], sq2)


def test_rmsprop_centered_and_momentum_run():
    (p1, _), opt = two_steps(optim.RMSprop, lr=0.01, alpha=0.9, centered=True, momentum=0.5)
    assert {"square_avg", "grad_avg", "velocity"} <= set(opt.state["xy"])
    assert np.isfinite(p1).all() and not np.allclose(p1, P0)


def test_adam_first_step_moves_by_lr_in_every_coordinate():
    pt = optim.Point([1.0, -2.0, 3.0])
    pt.grads["xy"][...] = [1e3, -1e-3, 5.0]       # gradients of very different sizes
    optim.Adam(pt, lr=0.1).step()
    assert np.allclose(np.abs(pt.params["xy"] - [1.0, -2.0, 3.0]), 0.1, rtol=1e-4)


def test_adam_second_step_by_hand():
    (p1, p2), opt = two_steps(optim.Adam, lr=0.1)
    assert np.allclose(p1, [0.9, -2.1])
    m = 0.9 * 0.1 * G1 + 0.1 * G2
    v = 0.999 * 0.001 * G1 ** 2 + 0.001 * G2 ** 2
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    assert np.allclose(p2, p1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8))
    assert opt.state["xy"]["t"] == 2
    assert np.allclose(opt.state["xy"]["m"], m) and np.allclose(opt.state["xy"]["v"], v)


def test_adam_eps_is_outside_the_root():
    pt = optim.Point([0.0])
    pt.grads["xy"][...] = 1e-6
    optim.Adam(pt, lr=1.0, eps=1e-8).step()
    assert np.isclose(pt.params["xy"][0], -1e-6 / (1e-6 + 1e-8))   # inside: about -0.01


@pytest.mark.parametrize("make", [
    lambda m: optim.SGD(m, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda m: optim.AdaGrad(m, lr=0.1),
    lambda m: optim.RMSprop(m, lr=0.01, centered=True, momentum=0.9),
    lambda m: optim.Adam(m, lr=0.01, weight_decay=1e-3),
])
def test_updates_in_place_on_a_network(make):
    net = Sequential(Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1))
    W0 = net[0].params["W"]
    before = W0.copy()
    opt = make(net)
    assert sorted(opt.state) == ["0.W", "0.b", "2.W", "2.b"]
    x = np.random.default_rng(0).normal(size=(5, 3))
    out = net.forward(x)
    net.backward(np.ones_like(out))
    grad_before = net[0].grads["W"].copy()
    opt.step()
    assert net[0].params["W"] is W0                      # the same array object, updated
    assert not np.allclose(W0, before)
    assert np.array_equal(net[0].grads["W"], grad_before)  # step never edits the gradients
    opt.zero_grad()
    assert all(np.all(g == 0) for g in net.grads.values())


def test_accepts_a_single_layer_and_a_list_of_layers():
    layer = Dense(2, 2, rng=0)
    assert sorted(optim.SGD(layer, lr=0.1).state) == ["W", "b"]
    assert sorted(optim.SGD([layer, ReLU(), Dense(2, 1, rng=1)], lr=0.1).state) == \
        ["0.W", "0.b", "2.W", "2.b"]


@pytest.mark.parametrize("make, words", [
    (lambda m: optim.SGD(m, lr=-0.1), ["lr", "-0.1"]),
    (lambda m: optim.SGD(m, lr=0.1, momentum=-0.5), ["momentum", "-0.5"]),
    (lambda m: optim.SGD(m, lr=0.1, nesterov=True), ["nesterov", "momentum"]),
    (lambda m: optim.SGD(m, lr=0.1, weight_decay=-1), ["weight_decay", "-1"]),
    (lambda m: optim.AdaGrad(m, lr=0.1, eps=-1e-10), ["eps", "-1e-10"]),
    (lambda m: optim.RMSprop(m, lr=0.1, alpha=1.0), ["alpha", "1.0"]),
    (lambda m: optim.RMSprop(m, lr=0.1, eps=-1.0), ["eps", "-1.0"]),
    (lambda m: optim.Adam(m, lr=0.1, betas=(0.9, 1.0)), ["betas[1]", "1.0"]),
    (lambda m: optim.Adam(m, lr=0.1, betas=(-0.1, 0.99)), ["betas[0]", "-0.1"]),
    (lambda m: optim.Adam(m, lr=0.1, betas=0.9), ["betas", "pair"]),
    (lambda m: optim.Adam(m, lr="fast"), ["lr", "'fast'"]),
    (lambda m: optim.ExponentialMovingAverage(beta=1.5), ["beta", "1.5"]),
])
def test_bad_hyper_parameters_name_parameter_and_value(make, words):
    with pytest.raises(ValueError) as info:
        make(Dense(2, 2, rng=0))
    for word in words:
        assert word in str(info.value)


def test_bad_model_is_a_readable_error():
    with pytest.raises(ValueError, match="params/grads"):
        optim.SGD(42, lr=0.1)
    with pytest.raises(ValueError, match="float array"):
        optim.SGD(type("Int", (), {"params": {"w": np.arange(3)}, "grads": {"w": np.zeros(3)}})(),
                  lr=0.1)


def steps_to_tolerance(make, lr, tol=1e-6, max_steps=3000):
    """Steps until f < tol on the bowl (0.05 x**2 + 5 y**2) / 2 (condition number 100)."""
    s = quadratic(0.05, 5.0)
    path = optim.trajectory(s.grad_xy, s.start, lambda pt: make(pt, lr), max_steps)
    below = np.nonzero(s.loss_xy(path) < tol)[0]
    return int(below[0]) if below.size else max_steps + 1


@pytest.mark.parametrize("lr", [0.02, 0.05, 0.1, 0.2])
def test_momentum_and_adam_beat_sgd_on_the_ill_conditioned_quadratic(lr):
    sgd = steps_to_tolerance(lambda pt, lr: optim.SGD(pt, lr=lr), lr)
    momentum = steps_to_tolerance(lambda pt, lr: optim.SGD(pt, lr=lr, momentum=0.9), lr)
    adam = steps_to_tolerance(lambda pt, lr: optim.Adam(pt, lr=lr), lr)
    assert sgd > 600                      # plain SGD crawls along the flat direction
    assert momentum < sgd / 3
    assert adam < sgd / 2


def test_exponential_moving_average():
    ema = optim.ExponentialMovingAverage(0.9)
    assert ema.value is None
    assert ema.update(10.0) == pytest.approx(10.0)             # corrected: exactly the value
    assert ema.update(20.0) == pytest.approx((0.09 * 10 + 0.1 * 20) / (1 - 0.81))
    raw = optim.ExponentialMovingAverage(0.9, bias_correction=False)
    assert raw.update(10.0) == pytest.approx(1.0)
    x = np.array([1.0, 2.0])
    arr = optim.ExponentialMovingAverage(0.5)
    assert np.allclose(arr.update(x), x) and np.array_equal(x, [1.0, 2.0])


def test_trajectory_stops_at_divergence():
    s = quadratic(1.0, 50.0)
    path = optim.trajectory(s.grad_xy, s.start, lambda pt: optim.SGD(pt, lr=0.1), 200)
    assert path.shape == (201, 2)
    bad = np.isnan(path[:, 0])
    assert bad.any() and not bad[:5].any()
    first = np.argmax(bad)
    assert bad[first:].all()                                  # NaN from divergence on
    assert np.isfinite(path[:first]).all()


def test_point_runs_many_starts_at_once():
    s = quadratic(1.0, 50.0)
    starts = np.array([[-5.0, 1.5], [2.0, -1.0], [0.5, 0.5]])
    batch = optim.trajectory(s.grad_xy, starts, lambda pt: optim.Adam(pt, lr=0.1), 30)
    for i, start in enumerate(starts):
        one = optim.trajectory(s.grad_xy, start, lambda pt: optim.Adam(pt, lr=0.1), 30)
        assert np.allclose(batch[:, i], one)


def test_function_optimizer_matches_the_class():
    def momentum_step(p, g, state, lr, momentum=0.9):
        v = state.setdefault("velocity", np.zeros_like(p))
        v[...] = momentum * v + g
        p -= lr * v

    s = quadratic(1.0, 50.0)
    mine = optim.trajectory(s.grad_xy, s.start,
                            lambda pt: optim.FunctionOptimizer(pt, momentum_step, lr=0.02), 50)
    ref = optim.trajectory(s.grad_xy, s.start, lambda pt: optim.SGD(pt, lr=0.02, momentum=0.9), 50)
    assert np.allclose(mine, ref)
    with pytest.raises(ValueError, match="step_fn"):
        optim.FunctionOptimizer(optim.Point([0.0]), "not a function")


def test_repr_has_no_address():
    r = repr(optim.Adam(Dense(2, 2, rng=0), lr=0.01))
    assert r.startswith("Adam(lr=0.01") and "0x" not in r
