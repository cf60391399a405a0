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


# -- every optional argument against PyTorch ------------------------------------------------------
# Reference numbers from torch.optim (torch 2.x, float64): a point at P0 = [1, -2] receives the
# gradients G3 one after another; each row is p after that step. Recorded once with PyTorch, so the
# tests need no torch; each case also has a hand-computed first step below or in the tests above.
G3 = np.array([[1.0, 2.0], [0.5, -1.0], [-0.25, 0.75]])
TORCH_REFERENCE = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5),
     [[0.9, -2.2], [0.785, -2.33], [0.694, -2.4845]]),
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
     [[0.791, -2.342], [0.591871, -2.253302], [0.501028351, -2.384239062]]),
    (optim.SGD, dict(lr=0.1, momentum=0.5, weight_decay=0.2),
     [[0.88, -2.16], [0.7524, -2.0968], [0.698552, -2.098264]]),
    (optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True),
     [[0.9666666678, -2.0333333328], [0.9504785706, -2.0184854862],
      [0.9584021524, -2.0296827466]]),
    (optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5),
     [[0.9666666678, -2.0333333328], [0.9338119045, -2.0351521526],
      [0.9253081046, -2.0472588229]]),
    (optim.RMSprop, dict(lr=0.01, alpha=0.8, momentum=0.9, weight_decay=0.1),
     [[0.9776393207, -2.0223606795], [0.9459041259, -2.0291062375],
      [0.9206795269, -2.0416890974]]),
    (optim.AdaGrad, dict(lr=0.1, initial_accumulator_value=1.0),
     [[0.9292893219, -2.0894427191], [0.8959559886, -2.0486178901],
      [0.9123958873, -2.0778948922]]),
    (optim.AdaGrad, dict(lr=0.1, lr_decay=0.5),
     [[0.9, -2.1], [0.8701857603, -2.0701857603], [0.8810966548, -2.0860857285]]),
    (optim.AdaGrad, dict(lr=0.1, weight_decay=0.1, eps=0.1),
     [[0.9083333333, -2.0947368421], [0.8645235353, -2.0414231858],
      [0.8765553067, -2.0647879407]]),
    (optim.Adam, dict(lr=0.1, betas=(0.5, 0.9)),
     [[0.900000001, -2.0999999995], [0.8143087238, -2.0999999995],
      [0.7918603785, -2.1325344484]]),
    (optim.Adam, dict(lr=0.1, weight_decay=0.1),
     [[0.9000000009, -2.0999999994], [0.8057717969, -2.1140717456],
      [0.7421953938, -2.1400361613]]),
    (optim.Adam, dict(lr=0.1, amsgrad=True),
     [[0.900000001, -2.0999999995], [0.8067820383, -2.1266337033],
      [0.7504159015, -2.1664818328]]),
    (optim.Adam, dict(lr=0.1, eps=0.5),
     [[0.9333333333, -2.08], [0.8762337425, -2.100234145], [0.8441382156, -2.1293776457]]),
    (optim.AdamW, dict(lr=0.1),                              # default weight_decay=0.01
     [[0.899000001, -2.0979999995], [0.8048830383, -2.1225357033],
      [0.7477120185, -2.1602612971]]),
    (optim.AdamW, dict(lr=0.1, weight_decay=0.5, betas=(0.5, 0.9)),
     [[0.850000001, -1.9999999995], [0.7218087238, -1.8999999995],
      [0.6632699423, -1.8375344485]]),
]


def run_steps(opt_cls, grads=G3, start=P0, **kw):
    pt = optim.Point(start)
    opt = opt_cls(pt, **kw)
    out = []
    for g in grads:
        pt.grads["xy"][...] = g
        opt.step()
        out.append(pt.params["xy"].copy())
    return np.array(out), opt


@pytest.mark.parametrize("opt_cls, kw, want", TORCH_REFERENCE,
                         ids=[f"{c.__name__}-{'-'.join(k)}" for c, k, _ in TORCH_REFERENCE])
def test_matches_torch_optim_step_by_step(opt_cls, kw, want):
    got, _ = run_steps(opt_cls, **kw)
    assert np.allclose(got, want, rtol=0, atol=2e-9)


def test_sgd_dampening_scales_the_new_gradient_from_the_second_step():
    (p1, p2), opt = two_steps(optim.SGD, lr=0.1, momentum=0.9, dampening=0.5)
    assert np.allclose(p1, P0 - 0.1 * G1)             # first step: velocity = g, undamped
    v2 = 0.9 * G1 + 0.5 * G2                          # then v = mu v + (1 - dampening) g
    assert np.allclose(opt.state["xy"]["velocity"], v2)
    assert np.allclose(p2, p1 - 0.1 * v2)
    (q1, q2), _ = two_steps(optim.SGD, lr=0.1, momentum=0.9, dampening=1.0)
    assert np.allclose(q2, q1 - 0.1 * 0.9 * G1)       # dampening 1: the new gradient is ignored


def test_sgd_dampening_without_momentum_changes_nothing():
    (p1, p2), _ = two_steps(optim.SGD, lr=0.1, dampening=0.7)
    assert np.allclose(p2, P0 - 0.1 * (G1 + G2))


def test_sgd_nesterov_weight_decay_first_step_by_hand():
    (p1, _), _ = two_steps(optim.SGD, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)
    g = G1 + 0.1 * P0                                 # [1.1, 1.8]; velocity = g
    assert np.allclose(p1, P0 - 0.1 * (g + 0.9 * g))


def test_sgd_weight_decay_enters_the_velocity():
    (p1, p2), opt = two_steps(optim.SGD, lr=0.1, momentum=0.5, weight_decay=0.2)
    g1 = G1 + 0.2 * P0
    g2 = G2 + 0.2 * p1
    assert np.allclose(opt.state["xy"]["velocity"], 0.5 * g1 + g2)
    assert np.allclose(p2, p1 - 0.1 * (0.5 * g1 + g2))


def test_rmsprop_centered_divides_by_the_variance():
    (p1, p2), opt = two_steps(optim.RMSprop, lr=0.01, alpha=0.9, centered=True)
    sq, ga = 0.1 * G1 ** 2, 0.1 * G1
    denom = np.sqrt(sq - ga ** 2) + 1e-8              # sqrt(0.1 g^2 - 0.01 g^2) = 0.3 |g|
    assert np.allclose(p1, P0 - 0.01 * G1 / denom)
    assert np.allclose(p1, P0 - 0.01 / 0.3 * np.sign(G1))
    sq2, ga2 = 0.9 * sq + 0.1 * G2 ** 2, 0.9 * ga + 0.1 * G2
    assert np.allclose(opt.state["xy"]["grad_avg"], ga2)
    assert np.allclose(p2, p1 - 0.01 * G2 / (np.sqrt(sq2 - ga2 ** 2) + 1e-8))
    assert np.abs(p2 - P0).max() < 0.1                # sane steps, nowhere near lr / eps


def test_rmsprop_momentum_keeps_a_velocity_of_scaled_gradients():
    (p1, p2), opt = two_steps(optim.RMSprop, lr=0.01, alpha=0.9, momentum=0.5)
    sq1 = 0.1 * G1 ** 2
    v1 = G1 / (np.sqrt(sq1) + 1e-8)
    assert np.allclose(p1, P0 - 0.01 * v1)
    sq2 = 0.9 * sq1 + 0.1 * G2 ** 2
    v2 = 0.5 * v1 + G2 / (np.sqrt(sq2) + 1e-8)
    assert np.allclose(opt.state["xy"]["velocity"], v2)
    assert np.allclose(p2, p1 - 0.01 * v2)


def test_rmsprop_alpha_and_weight_decay_by_hand():
    (p1,), opt = run_steps(optim.RMSprop, grads=[G1], lr=0.01, alpha=0.5, weight_decay=0.3)
    g = G1 + 0.3 * P0
    assert np.allclose(opt.state["xy"]["square_avg"], 0.5 * g ** 2)
    assert np.allclose(p1, P0 - 0.01 * g / (np.sqrt(0.5 * g ** 2) + 1e-8))


def test_rmsprop_eps_is_outside_the_root():
    (p1, _), _ = two_steps(optim.RMSprop, lr=0.01, alpha=0.75, eps=0.5)
    assert np.allclose(p1, P0 - 0.01 * G1 / (np.sqrt(0.25 * G1 ** 2) + 0.5))


def test_adagrad_initial_accumulator_value_by_hand():
    (p1, p2), opt = two_steps(optim.AdaGrad, lr=0.1, initial_accumulator_value=1.0)
    assert np.allclose(p1, P0 - 0.1 * G1 / np.sqrt(1.0 + G1 ** 2))   # not sign(g)
    assert np.allclose(opt.state["xy"]["sum_sq"], 1.0 + G1 ** 2 + G2 ** 2)


def test_adagrad_lr_decay_by_hand():
    (p1, p2), _ = two_steps(optim.AdaGrad, lr=0.1, lr_decay=0.5)
    assert np.allclose(p1, P0 - 0.1 * np.sign(G1))                  # step 1: lr unchanged
    s = G1 ** 2 + G2 ** 2
    assert np.allclose(p2, p1 - 0.1 / 1.5 * G2 / (np.sqrt(s) + 1e-10))


def test_adagrad_weight_decay_and_eps_by_hand():
    (p1, _), _ = two_steps(optim.AdaGrad, lr=0.1, weight_decay=0.1, eps=0.1)
    g = G1 + 0.1 * P0
    assert np.allclose(p1, P0 - 0.1 * g / (np.abs(g) + 0.1))


def test_adam_betas_by_hand():
    (p1, p2), opt = two_steps(optim.Adam, lr=0.1, betas=(0.5, 0.9))
    m = 0.5 * 0.5 * G1 + 0.5 * G2
    v = 0.9 * 0.1 * G1 ** 2 + 0.1 * G2 ** 2
    assert np.allclose(opt.state["xy"]["m"], m) and np.allclose(opt.state["xy"]["v"], v)
    assert np.allclose(p2, p1 - 0.1 * (m / 0.75) / (np.sqrt(v / 0.19) + 1e-8))


def test_adam_weight_decay_is_l2_in_the_gradient():
    (p1, p2), opt = two_steps(optim.Adam, lr=0.1, weight_decay=0.1)
    g1, g2 = G1 + 0.1 * P0, G2 + 0.1 * p1
    assert np.allclose(opt.state["xy"]["m"], 0.09 * g1 + 0.1 * g2)


def test_adam_amsgrad_divides_by_the_largest_v():
    # a big gradient then small ones: v shrinks, v_max does not, so amsgrad's steps are smaller
    grads = np.array([[10.0], [0.1], [0.1], [0.1]])
    plain, _ = run_steps(optim.Adam, grads=grads, start=[0.0], lr=0.1)
    ams, opt = run_steps(optim.Adam, grads=grads, start=[0.0], lr=0.1, amsgrad=True)
    assert np.allclose(plain[0], ams[0])                            # same first step
    assert (np.abs(np.diff(ams[:, 0])) < np.abs(np.diff(plain[:, 0]))).all()
    state = opt.state["xy"]
    assert np.isclose(state["v_max"][0], (1 - 0.999) * 10.0 ** 2)   # v after the first step
    assert state["v_max"][0] > state["v"][0]


def test_amsgrad_off_keeps_no_v_max():
    _, opt = run_steps(optim.Adam, lr=0.1)
    assert "v_max" not in opt.state["xy"]


@pytest.mark.parametrize("make", [
    lambda pt: optim.SGD(pt, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1),
    lambda pt: optim.AdaGrad(pt, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5),
    lambda pt: optim.RMSprop(pt, lr=0.01, centered=True, momentum=0.9, weight_decay=0.1),
    lambda pt: optim.Adam(pt, lr=0.01, amsgrad=True, weight_decay=0.1),
])
def test_zero_gradient_and_zero_decay_leave_a_point_at_rest(make):
    pt = optim.Point([0.0, 0.0])                     # p = 0 and g = 0: nothing may move
    opt = make(pt)
    for _ in range(3):
        opt.step()
    assert np.array_equal(pt.params["xy"], [0.0, 0.0])


def test_optimizer_with_no_parameters_steps_quietly():
    opt = optim.SGD(Sequential(ReLU()), lr=0.1)
    opt.step()
    opt.zero_grad()
    assert opt.state == {}


@pytest.mark.parametrize("make, words", [
    (lambda m: optim.SGD(m, lr=0.1, momentum=0.9, dampening=1.5), ["dampening", "1.5"]),
    (lambda m: optim.SGD(m, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     ["nesterov", "dampening"]),
    (lambda m: optim.AdaGrad(m, lr=0.1, lr_decay=-1), ["lr_decay", "-1"]),
    (lambda m: optim.AdaGrad(m, lr=0.1, initial_accumulator_value=-1),
     ["initial_accumulator_value", "-1"]),
    (lambda m: optim.RMSprop(m, lr=0.1, momentum=-0.1), ["momentum", "-0.1"]),
])
def test_more_bad_hyper_parameters(make, words):
    with pytest.raises(ValueError) as info:
        make(Dense(2, 2, rng=0))
    for word in words:
        assert word in str(info.value)


def test_function_optimizer_passes_its_hyper_parameters():
    def momentum_step(p, g, state, lr, momentum=0.9):
        v = state.setdefault("velocity", np.zeros_like(p))
        v[...] = momentum * v + g
        p -= lr * v

    mine, opt = run_steps(optim.FunctionOptimizer, step_fn=momentum_step, lr=0.1, momentum=0.5)
    ref, _ = run_steps(optim.SGD, lr=0.1, momentum=0.5)
    np.testing.assert_allclose(mine, ref)
    assert opt.hyper() == {"lr": 0.1, "step_fn": "momentum_step", "momentum": 0.5}


@pytest.mark.parametrize("corrected, want", [(True, [2.0, 4.0]), (False, [1.0, 2.0])])
def test_moving_average_value_is_a_copy(corrected, want):
    ema = optim.ExponentialMovingAverage(0.5, bias_correction=corrected)
    out = ema.update(np.array([2.0, 4.0]))
    out[...] = 0.0
    np.testing.assert_allclose(ema.value, want)


@pytest.mark.parametrize("make, text", [
    (lambda m: optim.SGD(m, lr=0.1, momentum=0.9, dampening=0.5),
     "SGD(lr=0.1, momentum=0.9, nesterov=False, weight_decay=0.0, dampening=0.5)"),
    (lambda m: optim.SGD(m, lr=0.1), "SGD(lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.0)"),
    (lambda m: optim.AdaGrad(m, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5),
     "AdaGrad(lr=0.1, eps=1e-10, weight_decay=0.0, lr_decay=0.1, initial_accumulator_value=0.5)"),
    (lambda m: optim.Adam(m, lr=0.01, amsgrad=True),
     "Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=True)"),
    (lambda m: optim.Adam(m, lr=0.01),
     "Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)"),   # as chapter 05 prints
])
def test_repr_names_every_option_in_use(make, text):
    assert repr(make(Dense(2, 2, rng=0))) == text
