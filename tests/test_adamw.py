"""course_lib.optim.AdamW: decoupled weight decay, by hand and against torch reference numbers."""

import numpy as np
import pytest

from course_lib.layers import Dense
from course_lib.optim import Adam, AdamW

P0 = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -0.75]])
GRADS = [np.array([[0.5, 0.1, -0.3], [2.0, -1.0, 0.0]]),
         np.array([[-0.2, 0.4, 0.3], [1.0, 0.5, 0.1]]),
         np.array([[0.1, -0.1, 0.2], [-3.0, 0.2, 0.0]])]
# torch.optim.AdamW([p], lr=0.1, weight_decay=0.1) after the three GRADS (torch 2.13, float64)
TORCH_ADAMW = [[0.8001348466347304, -2.17753125264898, 0.5470136068110485],
               [0.060476646578614256, 3.0442813245164344, -0.85891576728997]]
# torch.optim.Adam([p], lr=0.1, weight_decay=0.1): L2 in the gradient, a different path
TORCH_ADAM_L2 = [[0.7901621834311943, -1.9067093835841644, 0.5294081850309773],
                 [0.06424449204850849, 3.051314709856503, -0.5643435646871114]]


class Param:
    """One parameter array under an optimizer."""

    def __init__(self, p):
        self.params = {"w": np.array(p, dtype=np.float64)}
        self.grads = {"w": np.zeros_like(self.params["w"])}


def run(opt_cls, grads=GRADS, p0=P0, **kw):
    holder = Param(p0)
    w, g = holder.params["w"], holder.grads["w"]
    opt = opt_cls(holder, **kw)
    for grad in grads:
        g[...] = grad
        opt.step()
    assert holder.params["w"] is w and holder.grads["w"] is g      # updated in place
    return w, opt


def reference_adamw(p0, grads, lr, betas=(0.9, 0.999), eps=1e-8, wd=0.01):
    """The rule written out once more, independently, from torch.optim.AdamW's documentation."""
    p, m, v = np.array(p0, dtype=np.float64), 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        p = p * (1 - lr * wd)
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g ** 2
        p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return p


def test_matches_torch_reference_numbers():
    w, _ = run(AdamW, lr=0.1, weight_decay=0.1)
    np.testing.assert_allclose(w, TORCH_ADAMW, rtol=1e-13, atol=1e-15)
    w_adam, _ = run(Adam, lr=0.1, weight_decay=0.1)
    np.testing.assert_allclose(w_adam, TORCH_ADAM_L2, rtol=1e-13, atol=1e-15)
    assert np.abs(w - w_adam).max() > 0.1              # decoupled decay is not L2 under Adam


def test_first_step_by_hand():
    # p = 1, g = 0.5, lr = 0.1, wd = 0.1: shrink to 0.99, then Adam's first step is lr * g / |g|
    w, opt = run(AdamW, grads=[np.array([0.5])], p0=[1.0], lr=0.1, weight_decay=0.1)
    assert w[0] == pytest.approx(0.99 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)
    assert opt.state["w"]["t"] == 1
    np.testing.assert_allclose(opt.state["w"]["m"], [0.05])
    np.testing.assert_allclose(opt.state["w"]["v"], [0.00025 * 1.0])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_against_the_written_out_rule_on_random_shapes(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(s) for s in rng.integers(1, 6, size=rng.integers(1, 4)))
    grads = [rng.normal(size=shape) for _ in range(10)]
    p0 = rng.normal(size=shape)
    kw = dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3)
    w, _ = run(AdamW, grads=grads, p0=p0, **kw)
    want = reference_adamw(p0, grads, 0.05, (0.8, 0.99), 1e-6, 0.3)
    np.testing.assert_allclose(w, want, rtol=1e-12, atol=1e-14)


def test_zero_gradient_only_decays():
    # with g = 0 Adam's step is 0, so p shrinks by exactly (1 - lr * wd) per step
    w, _ = run(AdamW, grads=[np.zeros(3)] * 5, p0=[1.0, -2.0, 4.0], lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(w, np.array([1.0, -2.0, 4.0]) * 0.95 ** 5, rtol=1e-14)


def test_no_weight_decay_is_adam():
    w_adamw, _ = run(AdamW, lr=0.1, weight_decay=0.0)
    w_adam, _ = run(Adam, lr=0.1)
    np.testing.assert_array_equal(w_adamw, w_adam)


def test_amsgrad_is_passed_on():
    a, _ = run(AdamW, lr=0.1, weight_decay=0.1, amsgrad=True)
    b, _ = run(AdamW, lr=0.1, weight_decay=0.1)
    assert not np.allclose(a, b)                     # the third step has a smaller v than the max


def test_defaults_and_hyper():
    opt = AdamW(Dense(2, 3, rng=0))
    assert opt.lr == 0.001 and opt.betas == (0.9, 0.999) and opt.eps == 1e-8
    assert opt.weight_decay == 0.01 and opt.amsgrad is False       # torch.optim.AdamW's defaults
    assert repr(opt) == "AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01)"


def test_grads_are_not_modified():
    holder = Param(P0)
    holder.grads["w"][...] = GRADS[0]
    AdamW(holder, lr=0.1, weight_decay=0.5).step()
    np.testing.assert_array_equal(holder.grads["w"], GRADS[0])


@pytest.mark.parametrize("kw", [dict(weight_decay=-0.1), dict(lr=-1.0), dict(betas=(1.0, 0.9))])
def test_bad_arguments(kw):
    with pytest.raises(ValueError):
        AdamW(Dense(2, 3, rng=0), **kw)
