"""The harder exercises' checkers (02 softmax_backward, 04a two_layer_step, 04b value_exp): the
right answers pass, every typical mistake fails with the hint naming it, nothing raises."""

import math

import numpy as np
import pytest

from course_lib import checks
from course_lib.autograd import Value
from course_lib.checks import ch00_05_extra as extra
from course_lib.checks import core
from course_lib.functions import softmax

NAMES = extra.__all__


def todo(*args):
    raise NotImplementedError()


def boom(*args):
    raise KeyError("oops")


@pytest.mark.parametrize("name", NAMES)
def test_table_is_consistent(name):
    table = getattr(extra, name)
    assert core.self_test(table) == []
    assert len(table.mistakes) >= 5 and len(table.correct) >= 2


@pytest.mark.parametrize("name", NAMES)
def test_registered_in_checks(name):
    assert getattr(checks, name) is getattr(extra, name)


@pytest.mark.parametrize("name", NAMES)
def test_todo_and_crash_are_reported_not_raised(name):
    table = getattr(extra, name)
    assert table(todo, strict=False, quiet=True).status == core.TODO
    result = table(boom, strict=False, quiet=True)
    assert result.status == core.WRONG and "KeyError" in result.line


@pytest.mark.parametrize("name", NAMES)
def test_strict_mode_raises_on_a_mistake(name):
    table = getattr(extra, name)
    wrong = next(iter(table.mistakes.values()))
    with pytest.raises(AssertionError):
        table(wrong, strict=True, quiet=True)


@pytest.mark.parametrize("name, hint", [(n, h) for n in NAMES for h in getattr(extra, n).mistakes])
def test_each_mistake_is_named(name, hint):
    table = getattr(extra, name)
    result = table(table.mistakes[hint], strict=False, quiet=True)
    assert result.status == core.WRONG
    assert "Hint: " + hint.rstrip(".") in result.line


# -- learner-style answers written here, not taken from the tables --------------------------------
def sb_learner(z, dout):
    p = softmax(z)
    s = np.sum(dout * p, axis=-1, keepdims=True)
    return p * dout - p * s


def sb_list(z, dout):
    return sb_learner(z, dout).tolist()


def sb_into_dout(z, dout):
    p = softmax(z)
    dout -= np.sum(dout * p, axis=1, keepdims=True)
    return p * dout


def test_softmax_backward_learner_variants():
    assert extra.softmax_backward(sb_learner, strict=False, quiet=True).passed
    assert not extra.softmax_backward(sb_list, strict=False, quiet=True).passed


def test_softmax_backward_names_a_changed_dout():
    # no table entry: the engine's in-place message names the input and the fix
    line = extra.softmax_backward(sb_into_dout, strict=False, quiet=True).line
    assert "the input dout was modified in place" in line and "Hint: `dout -= ...`" in line


def test_softmax_backward_matches_numerical_gradient():
    rng = np.random.default_rng(7)
    z, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    h, num = 1e-6, np.zeros_like(z)
    for i in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[i] += h
        zm[i] -= h
        num[i] = (np.sum(softmax(zp) * dout) - np.sum(softmax(zm) * dout)) / (2 * h)
    assert np.allclose(extra._sb()(z, dout), num, rtol=1e-6, atol=1e-9)


def step_learner(params, X, y, lr):
    n = X.shape[0]
    h = X @ params["W1"] + params["b1"]
    a = np.where(h > 0, h, 0.0)
    scores = a @ params["W2"] + params["b2"]
    scores = scores - scores.max(axis=1, keepdims=True)
    logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), y].mean()
    d = np.exp(logp)
    d[np.arange(n), y] -= 1
    d /= n
    grads = {"W2": a.T @ d, "b2": d.sum(0)}
    dh = (d @ params["W2"].T) * (h > 0)
    grads.update(W1=X.T @ dh, b1=dh.sum(0))
    for k in grads:
        params[k] -= lr * grads[k]
    return loss


def step_no_lr(params, X, y, lr):
    return step_learner(params, X, y, 1.0)


def step_new_arrays(params, X, y, lr):  # right values, but params[k] = params[k] - lr * g
    new = {k: v.copy() for k, v in params.items()}
    loss = step_learner(new, X, y, lr)
    params.update(new)
    return loss


def test_two_layer_step_learner_variants():
    assert extra.two_layer_step(step_learner, strict=False, quiet=True).passed
    assert not extra.two_layer_step(step_no_lr, strict=False, quiet=True).passed
    line = extra.two_layer_step(step_new_arrays, strict=False, quiet=True).line
    assert "updated in place (the same objects) should be True" in line and "-= lr * dW" in line


def test_two_layer_step_reference_gradients_are_numerical():
    rng = np.random.default_rng(3)
    params = extra._params(3, 4, 3, 5)
    X, y = rng.normal(size=(5, 3)), np.array([0, 1, 2, 1, 0])

    def loss(p):
        return extra._step()({k: v.copy() for k, v in p.items()}, X, y, 0.0)

    lr, h = 1e-3, 1e-6
    after = {k: v.copy() for k, v in params.items()}
    extra._step()(after, X, y, lr)
    for key in params:
        num = np.zeros_like(params[key])
        for i in np.ndindex(num.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][i] += h
            minus[key][i] -= h
            num[i] = (loss(plus) - loss(minus)) / (2 * h)
        assert np.allclose((params[key] - after[key]) / lr, num, rtol=1e-5, atol=1e-8), key


def exp_learner(a):
    out = Value(math.exp(a.data), (a,), "exp")

    def backward():
        a.grad += out.data * out.grad
    out._backward = backward
    return out


def exp_via_e_power(a):
    return Value(math.e ** a.data)  # no graph: gradients never reach a


def exp_as_number(a):
    return np.exp(a.data)


def exp_no_return(a):
    Value(math.exp(a.data), (a,), "exp")


def test_value_exp_names_a_result_that_is_not_a_value():
    for wrong in (exp_as_number, exp_no_return):
        line = extra.value_exp(wrong, strict=False, quiet=True).line
        assert "should return a Value" in line and "Hint: " in line and "Value(" in line


def test_value_exp_learner_variants():
    assert extra.value_exp(exp_learner, strict=False, quiet=True).passed
    result = extra.value_exp(exp_via_e_power, strict=False, quiet=True)
    assert result.status == core.WRONG and "child" in result.line


def test_smoothed_cross_entropy_matches_pytorch_value():
    # torch.nn.functional.cross_entropy(z, y, label_smoothing=0.2) on these inputs, computed
    # once with torch 2.13 (not a course requirement): 0.9593944179856146; its gradient is (p - q)/N
    z = np.random.default_rng(0).normal(size=(4, 3))
    labels = np.array([0, 2, 1, 2])
    loss, dz = extra._sce()(z, labels, 0.2)
    assert loss == pytest.approx(0.9593944179856146, rel=1e-12)
    h, num = 1e-6, np.zeros_like(z)
    for i in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[i] += h
        zm[i] -= h
        num[i] = (extra._sce()(zp, labels, 0.2)[0] - extra._sce()(zm, labels, 0.2)[0]) / (2 * h)
    assert np.allclose(dz, num, rtol=1e-6, atol=1e-9)


def sce_shift_in_place(z, labels, smoothing):
    z -= z.max(axis=1, keepdims=True)
    return extra._sce()(z, labels, smoothing)


def test_smoothed_cross_entropy_names_a_shifted_z():
    # no table entry: the engine's in-place message names the input and the fix
    line = extra.smoothed_cross_entropy(sce_shift_in_place, strict=False, quiet=True).line
    assert "the input z was modified in place" in line and "Hint: `z -= ...`" in line


def test_smoothed_cross_entropy_without_smoothing_is_plain_cross_entropy():
    from course_lib.losses import CrossEntropyLoss
    z = np.random.default_rng(1).normal(size=(5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    loss_fn = CrossEntropyLoss()
    want = loss_fn(z, labels)
    loss, dz = extra._sce()(z, labels, 0.0)
    assert loss == pytest.approx(want, rel=1e-12)
    assert np.allclose(dz, loss_fn.backward(), rtol=1e-12, atol=1e-15)
