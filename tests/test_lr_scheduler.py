"""course_lib.lr_scheduler: PyTorch's schedules, numbers recorded from torch.optim.lr_scheduler."""

import math

import numpy as np
import pytest

from course_lib import lr_scheduler as S
from course_lib import optim
from course_lib.layers import Dense


def opt(lr=0.5):
    return optim.SGD(optim.Point([0.0]), lr=lr)


def lrs(make, n=14, lr=0.5):
    """The optimizer's lr at epoch 0 (after construction) and after each of ``n`` steps."""
    o = opt(lr)
    sched = make(o)
    out = [o.lr]
    assert sched.get_last_lr() == [o.lr]
    for _ in range(n):
        sched.step()
        out.append(o.lr)
        assert sched.get_last_lr() == [o.lr]
    return out


# torch 2.x: SGD(lr=0.5), the scheduler, then 14 x (opt.step(); sched.step()), get_last_lr()[0]
TORCH = {
    "StepLR(3, 0.5)": (lambda o: S.StepLR(o, step_size=3, gamma=0.5),
                       [0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.0625, 0.0625,
                        0.0625, 0.03125, 0.03125, 0.03125]),
    "MultiStepLR([2, 5], 0.1)": (lambda o: S.MultiStepLR(o, milestones=[2, 5], gamma=0.1),
                                 [0.5, 0.5, 0.05, 0.05, 0.05] + [0.005] * 10),
    "ExponentialLR(0.8)": (lambda o: S.ExponentialLR(o, gamma=0.8),
                           [0.5, 0.4, 0.32, 0.256, 0.2048, 0.16384, 0.131072, 0.1048576,
                            0.08388608, 0.067108864, 0.0536870912, 0.04294967296,
                            0.034359738368, 0.027487790694, 0.021990232556]),
    "CosineAnnealingLR(6, 0.05)": (lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.05),
                                   [0.5, 0.469855715851, 0.3875, 0.275, 0.1625, 0.080144284149,
                                    0.05, 0.080144284149, 0.1625, 0.275, 0.3875, 0.469855715851,
                                    0.5, 0.469855715851, 0.3875]),
    "LinearLR(0.25, 1, 4)": (lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4),
                             [0.125, 0.21875, 0.3125, 0.40625] + [0.5] * 11),
    "LinearLR()": (lambda o: S.LinearLR(o),
                   [0.166666666667, 0.233333333333, 0.3, 0.366666666667, 0.433333333333]
                   + [0.5] * 10),
    "LinearLR(1, 0.1, 10)": (lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                                  total_iters=10),
                             [0.5, 0.455, 0.41, 0.365, 0.32, 0.275, 0.23, 0.185, 0.14, 0.095]
                             + [0.05] * 5),
    "LambdaLR(1/(1+e))": (lambda o: S.LambdaLR(o, lr_lambda=lambda e: 1 / (1 + e)),
                          [0.5 / (1 + e) for e in range(15)]),
    "warm-up then cosine": (
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                     S.CosineAnnealingLR(o, T_max=8)], milestones=[3]),
        [0.05, 0.2, 0.35, 0.5, 0.480969883128, 0.426776695297, 0.345670858091, 0.25,
         0.154329141909, 0.073223304703, 0.019030116872, 0.0, 0.019030116872, 0.073223304703,
         0.154329141909]),
    "three in sequence": (
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=2),
                                     S.ExponentialLR(o, gamma=0.5),
                                     S.StepLR(o, step_size=2, gamma=0.1)], milestones=[2, 5]),
        [0.25, 0.375, 0.5, 0.25, 0.125, 0.5, 0.5, 0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005,
         5e-05, 5e-05]),
}


@pytest.mark.parametrize("name", TORCH)
def test_matches_torch_lr_scheduler(name):
    make, want = TORCH[name]
    assert np.allclose(lrs(make), want, rtol=0, atol=1e-11)


def test_closed_forms_by_hand():
    o = opt(0.2)
    cos = S.CosineAnnealingLR(o, T_max=10, eta_min=0.02)
    for t in range(1, 25):
        cos.step()
        assert cos.last_epoch == t
        assert o.lr == pytest.approx(0.02 + 0.18 * (1 + math.cos(math.pi * t / 10)) / 2)
    assert lrs(lambda o: S.StepLR(o, step_size=1), n=3, lr=1.0) == pytest.approx(
        [1.0, 0.1, 0.01, 0.001])                       # default gamma 0.1
    assert lrs(lambda o: S.MultiStepLR(o, milestones=[1, 1]), n=2, lr=1.0) == pytest.approx(
        [1.0, 0.01, 0.01])                             # a repeated milestone counts twice


def test_constructor_sets_epoch_0_and_step_after_each_epoch():
    o = opt(0.3)
    sched = S.LinearLR(o, start_factor=0.5, total_iters=2)
    assert sched.last_epoch == 0 and o.lr == pytest.approx(0.15)
    assert sched.base_lr == 0.3 and o.initial_lr == 0.3
    sched.step()
    assert sched.last_epoch == 1 and o.lr == pytest.approx(0.225)


def test_the_optimizer_uses_the_scheduled_rate():
    pt = optim.Point([1.0])
    o = optim.SGD(pt, lr=1.0)
    sched = S.ExponentialLR(o, gamma=0.5)
    for want in (0.9, 0.85, 0.825):                   # steps of 0.1, 0.05, 0.025
        pt.grads["xy"][...] = 0.1
        o.step()
        sched.step()
        assert pt.params["xy"][0] == pytest.approx(want)


def test_last_epoch_resumes_at_the_next_epoch():
    o = opt(0.5)
    sched = S.StepLR(o, step_size=3, gamma=0.5, last_epoch=4)
    assert sched.last_epoch == 5 and o.lr == pytest.approx(0.25)


def test_a_second_scheduler_starts_from_the_initial_lr():
    o = opt(0.5)
    S.ExponentialLR(o, gamma=0.5).step()              # o.lr is now 0.25
    later = S.StepLR(o, step_size=10)
    assert later.base_lr == 0.5 and o.lr == 0.5       # PyTorch's initial_lr, not the current lr


def test_gamma_1_and_identity_lambda_keep_the_rate():
    assert lrs(lambda o: S.ExponentialLR(o, gamma=1.0), n=5) == [0.5] * 6
    assert lrs(lambda o: S.LambdaLR(o, lambda e: 1.0), n=5) == [0.5] * 6
    assert lrs(lambda o: S.LinearLR(o, start_factor=1.0, end_factor=1.0), n=5) == [0.5] * 6


def test_works_with_every_optimizer_and_a_function_optimizer():
    def sgd_step(p, g, state, lr):
        p -= lr * g

    for make in (lambda m: optim.Adam(m, lr=0.1), lambda m: optim.RMSprop(m, lr=0.1),
                 lambda m: optim.FunctionOptimizer(m, sgd_step, lr=0.1)):
        o = make(Dense(2, 2, rng=0))
        S.StepLR(o, step_size=1, gamma=0.5).step()
        assert o.lr == pytest.approx(0.05)


def test_repr_is_stable():
    assert repr(S.StepLR(opt(0.5), step_size=2)) == "StepLR(base_lr=0.5, last_epoch=0)"


@pytest.mark.parametrize("make, error, words", [
    (lambda o: S.StepLR(o, step_size=0), ValueError, ["step_size", "0"]),
    (lambda o: S.StepLR(o, step_size=2.5), ValueError, ["step_size", "2.5"]),
    (lambda o: S.StepLR(o, step_size=2, gamma=0.0), ValueError, ["gamma", "0.0"]),
    (lambda o: S.ExponentialLR(o, gamma="0.9"), TypeError, ["gamma", "str"]),
    (lambda o: S.MultiStepLR(o, milestones=[5, 2]), ValueError, ["milestones", "[5, 2]"]),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, ["T_max", "0"]),
    (lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=-1), ValueError, ["eta_min", "-1"]),
    (lambda o: S.LinearLR(o, start_factor=0.0), ValueError, ["start_factor", "0.0"]),
    (lambda o: S.LinearLR(o, end_factor=1.5), ValueError, ["end_factor", "1.5"]),
    (lambda o: S.LinearLR(o, total_iters=0), ValueError, ["total_iters", "0"]),
    (lambda o: S.LambdaLR(o, 0.5), TypeError, ["lr_lambda", "float"]),
    (lambda o: S.StepLR(o, step_size=2, last_epoch=-2), ValueError, ["last_epoch", "-2"]),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(o, 3)], milestones=[]), ValueError,
     ["1 increasing milestones", "[]"]),
    (lambda o: S.SequentialLR(o, [S.StepLR(opt(), 2)], milestones=[]), ValueError,
     ["same optimizer"]),
    (lambda o: S.StepLR("sgd", step_size=2), TypeError, ["optimizer", "str"]),
])
def test_bad_arguments_are_readable(make, error, words):
    with pytest.raises(error) as info:
        make(opt())
    for word in words:
        assert word in str(info.value)


def test_reachable_as_optim_lr_scheduler_like_torch():
    assert optim.lr_scheduler is S
    assert optim.lr_scheduler.CosineAnnealingLR is S.CosineAnnealingLR


def test_sequential_lr_keeps_each_childs_clock():
    o = opt(1.0)
    warm, decay = S.LinearLR(o, start_factor=0.5, total_iters=2), S.ExponentialLR(o, gamma=0.5)
    seq = S.SequentialLR(o, [warm, decay], milestones=[2])
    for _ in range(4):
        seq.step()
    assert seq.last_epoch == 4 and decay.last_epoch == 2 and decay.get_last_lr() == [0.25]
    assert o.lr == 0.25
