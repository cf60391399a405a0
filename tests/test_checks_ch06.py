"""Chapter 06's checkers: every table entry behaves (mistakes refused with their hint, correct
variants passed), more learner code as written in a notebook, and nothing a learner returns
crashes a checker."""

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import ch06_normalization as ch06
from course_lib.checks import core

NAMES = ch06.__all__


@pytest.mark.parametrize("name", NAMES)
def test_table_is_sound(name):
    check = getattr(ch06, name)
    assert len(check.mistakes) >= 5 and len(check.correct) >= 2
    assert core.self_test(check) == []


@pytest.mark.parametrize("name", NAMES)
def test_registered_in_checks(name):
    assert getattr(checks, name) is getattr(ch06, name)


# -- correct code as a learner would write it ------------------------------------------------------

def learner_minmax(X_train, X_test, feature_range=(0.0, 1.0)):
    lo, hi = feature_range
    mn = X_train.min(axis=0)
    span = X_train.max(axis=0) - mn
    span[span == 0] = 1.0                       # a new array: fine to modify
    return (X_train - mn) / span * (hi - lo) + lo, (X_test - mn) / span * (hi - lo) + lo


def learner_he(fan_in, fan_out, rng):
    std = (2 / fan_in) ** 0.5
    return rng.normal(size=(fan_in, fan_out)) * std


def learner_bn_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    n = len(x)
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    new_mean = momentum * mu + (1 - momentum) * running_mean
    new_var = momentum * var * n / (n - 1) + (1 - momentum) * running_var
    return out, new_mean, new_var


def learner_bn_backward(dout, x, gamma, eps=1e-5):      # the staged, computational-graph version
    N = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).mean(axis=0)
    r = 1 / np.sqrt(var + eps)
    x_hat = xc * r
    dgamma, dbeta = (dout * x_hat).sum(axis=0), dout.sum(axis=0)
    dx_hat = dout * gamma
    dr = (dx_hat * xc).sum(axis=0)
    dxc = dx_hat * r + dr * -0.5 * (var + eps) ** -1.5 * 2 * xc / N
    dx = dxc - dxc.sum(axis=0) / N
    return dx, dgamma, dbeta


def learner_bn_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return (x - running_mean) / (running_var + eps) ** 0.5 * gamma + beta


def learner_ln(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    sd = np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)
    return gamma * (x - mu) / sd + beta


LEARNER = {"minmax_scale": learner_minmax, "he_normal": learner_he,
           "batchnorm_forward_train": learner_bn_train, "batchnorm_backward": learner_bn_backward,
           "batchnorm_forward_eval": learner_bn_eval, "layernorm_forward": learner_ln}


@pytest.mark.parametrize("name", NAMES)
def test_learner_code_passes(name, capsys):
    result = getattr(checks, name)(LEARNER[name], strict=False)
    assert result.passed, result.line
    assert capsys.readouterr().out.strip() == result.line      # exactly one printed line


# -- more mistakes, written the way learners write them (not in the tables) -----------------------

def clipped_minmax(X_train, X_test, feature_range=(0, 1)):
    mn, mx = X_train.min(0), X_train.max(0)
    scaled = [(X - mn) / np.where(mx > mn, mx - mn, 1) for X in (X_train, X_test)]
    return tuple(np.clip(s, 0, 1) * (feature_range[1] - feature_range[0]) + feature_range[0]
                 for s in scaled)


def fit_on_everything(X_train, X_test, feature_range=(0, 1)):
    everything = np.vstack([X_train, X_test])
    mn, mx = everything.min(0), everything.max(0)
    lo, hi = feature_range
    f = lambda X: (X - mn) / np.where(mx > mn, mx - mn, 1) * (hi - lo) + lo   # noqa: E731
    return f(X_train), f(X_test)


def global_random_he(fan_in, fan_out, rng):
    return np.random.normal(0, np.sqrt(2 / fan_in), (fan_in, fan_out))


def xavier_he(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(1 / ((fan_in + fan_out) / 2)), (fan_in, fan_out))


def cs231n_bn_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    mu, var = x.mean(0), x.var(0)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    keep = 0.9                                   # CS231n's momentum, hard-coded
    return out, keep * running_mean + (1 - keep) * mu, keep * running_var + (1 - keep) * var


def hardcoded_momentum_bn_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    n = len(x)
    mu, var = x.mean(0), x.var(0)
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return out, 0.9 * running_mean + 0.1 * mu, 0.9 * running_var + 0.1 * var * n / (n - 1)


def only_out_bn_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    return learner_bn_train(x, gamma, beta, running_mean, running_var, momentum, eps)[0]


def naive_bn_backward(dout, x, gamma, eps=1e-5):
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    return dout * gamma / np.sqrt(x.var(0) + eps), (dout * x_hat).sum(0), dout.sum(0)


def mean_instead_of_sum_bn_backward(dout, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = learner_bn_backward(dout, x, gamma, eps)
    return dx, (dout * (x - x.mean(0)) / np.sqrt(x.var(0) + eps)).mean(0), dout.mean(0)


def two_returns_bn_backward(dout, x, gamma, eps=1e-5):
    return learner_bn_backward(dout, x, gamma, eps)[:2]


def batch_stats_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta


def axis0_ln(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta


def loop_ln(x, gamma, beta, eps=1e-5):           # rows of a 2-D array only
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = gamma * (x[i] - x[i].mean()) / np.sqrt(x[i].var() + eps) + beta
    return out


MORE_MISTAKES = [
    ("minmax_scale", clipped_minmax, "do not clip"),
    ("minmax_scale", fit_on_everything, "must come from X_train alone"),
    ("he_normal", global_random_he, "Hint:"),
    ("he_normal", xavier_he, "Xavier"),
    ("batchnorm_forward_train", cs231n_bn_train, "Hint:"),
    ("batchnorm_forward_train", hardcoded_momentum_bn_train, "momentum=0.3"),
    ("batchnorm_forward_train", only_out_bn_train, "tuple (out, running_mean, running_var)"),
    ("batchnorm_backward", naive_bn_backward, "treats mean and var as constants"),
    ("batchnorm_backward", mean_instead_of_sum_bn_backward, "dgamma"),
    ("batchnorm_backward", two_returns_bn_backward, "tuple (dx, dgamma, dbeta)"),
    ("batchnorm_forward_eval", batch_stats_eval, "running statistics"),
    ("layernorm_forward", axis0_ln, "axis=0"),
    ("layernorm_forward", loop_ln, "Hint:"),
]


@pytest.mark.parametrize("name, wrong, text", MORE_MISTAKES,
                         ids=[f"{n}-{w.__name__}" for n, w, _ in MORE_MISTAKES])
def test_more_learner_mistakes_are_refused(name, wrong, text):
    result = getattr(checks, name)(wrong, strict=False, quiet=True)
    assert result.status == core.WRONG, result.line
    assert text in result.line, result.line


# -- nothing crashes a checker -----------------------------------------------------------------

def returns_none(*args, **kwargs):
    return None


def returns_string(*args, **kwargs):
    return "done"


def raises_key_error(*args, **kwargs):
    raise KeyError("gamma")


def todo(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fn, status", [(returns_none, core.WRONG), (returns_string, core.WRONG),
                                        (raises_key_error, core.WRONG), (todo, core.TODO),
                                        (42, core.WRONG)],
                         ids=["none", "string", "raises", "todo", "not-a-function"])
def test_never_crashes(name, fn, status, capsys):
    result = getattr(checks, name)(fn, strict=False)
    assert result.status == status, result.line
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


def test_strict_mode_raises_on_a_mistake():
    with pytest.raises(AssertionError, match="batchnorm_forward_eval"):
        checks.batchnorm_forward_eval(batch_stats_eval, strict=True, quiet=True)
    assert checks.batchnorm_forward_eval(learner_bn_eval, strict=True, quiet=True).passed


def test_inputs_must_not_be_modified():
    def in_place_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
        x -= running_mean
        x /= np.sqrt(running_var + eps)
        return gamma * x + beta

    result = checks.batchnorm_forward_eval(in_place_eval, strict=False, quiet=True)
    assert result.status == core.WRONG and "modified in place" in result.line, result.line


def test_he_normal_reference_has_the_right_scale():
    w = ch06.he_normal.reference(400, 300, np.random.default_rng(0))
    assert w.shape == (400, 300) and abs(w.std() - np.sqrt(2 / 400)) < 0.01 * np.sqrt(2 / 400)


def test_batchnorm_cases_use_batches_of_at_least_four_and_random_upstream():
    for check in (ch06.batchnorm_forward_train, ch06.batchnorm_backward):
        for case in check.cases:
            assert case.args[0].shape[0] >= 4
    for case in ch06.batchnorm_backward.cases:
        dout = case.args[0]
        assert np.unique(dout).size == dout.size          # not all ones, not constant
