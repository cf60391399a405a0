"""Chapter 03 checkers: the right answer passes; every typical mistake fails and is named.

Also: nothing a learner's code warns reaches stderr (the checkers record warnings and quote them in
the hint), NotImplementedError gives "not implemented", a crash gives "failed", strict mode raises.
"""

import warnings

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import core

EPS = 1e-12


# ---------------------------------------------------------------------------------------------
# the solutions (as in solutions/03_losses.ipynb)
# ---------------------------------------------------------------------------------------------
def mse(pred, target):
    return np.mean((pred - target) ** 2)


def mse_grad(pred, target):
    return 2 * (pred - target) / pred.size


def bce(p, y, eps=1e-12):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def bce_with_logits(z, y):
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def cross_entropy(logits, labels):
    n = len(labels)
    return -np.mean(log_softmax(logits)[np.arange(n), labels])


def softmax_ce_grad(logits, labels):
    n = len(labels)
    grad = np.exp(log_softmax(logits))
    grad[np.arange(n), labels] -= 1
    return grad / n


def todo(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


def crashes(*args):
    return args[0].no_such_attribute


def one_hot(labels, c):
    return np.eye(c)[labels]


# ---------------------------------------------------------------------------------------------
# typical mistakes: (checker, wrong function, a word the hint must contain)
# ---------------------------------------------------------------------------------------------
def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _log_softmax_global_shift(z):
    s = z - z.max()
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _shifted_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _bce_where(z, y):
    # right values, but np.where evaluates exp(z) at z = 1000 too: an overflow warning
    log_sig = np.where(z >= 0, -np.log1p(np.exp(-z)), z - np.log1p(np.exp(z)))
    log_one_minus = np.where(z >= 0, -z - np.log1p(np.exp(-z)), -np.log1p(np.exp(z)))
    return -np.mean(y * log_sig + (1 - y) * log_one_minus)


def _grad_columns(z, labels):
    p = _shifted_softmax(z)
    p[:, labels] -= 1
    return p / len(labels)


WRONG = {
    # mse
    "mse: no square": (checks.mse, lambda p, t: np.mean(p - t), "forgot the square"),
    "mse: square of mean": (checks.mse, lambda p, t: np.mean(p - t) ** 2, "squared the mean"),
    "mse: abs": (checks.mse, lambda p, t: np.mean(np.abs(p - t)), "mean absolute error"),
    "mse: sqrt": (checks.mse, lambda p, t: np.sqrt(np.mean((p - t) ** 2)), "RMSE"),
    "mse: sum": (checks.mse, lambda p, t: np.sum((p - t) ** 2), "sum instead of mean"),
    "mse: halved": (checks.mse, lambda p, t: np.mean((p - t) ** 2) / 2, "halved"),
    "mse: mean over rows":
        (checks.mse,
         lambda p, t: (np.mean(np.sum(np.atleast_2d((p - t) ** 2), axis=1)) if np.ndim(p) == 2
                       else np.mean((p - t) ** 2)),
         "all N*D elements"),
    "mse: not reduced": (checks.mse, lambda p, t: (p - t) ** 2, "one number"),
    "mse: in place": (checks.mse, lambda p, t: np.mean(np.square(np.subtract(p, t, out=p))),
                      "was modified in place"),
    # mse_grad
    "mse_grad: no 2": (checks.mse_grad, lambda p, t: (p - t) / p.size, "factor 2"),
    "mse_grad: no /n": (checks.mse_grad, lambda p, t: 2 * (p - t), "/n is missing"),
    "mse_grad: sign": (checks.mse_grad, lambda p, t: 2 * (t - p) / p.size, "sign is flipped"),
    "mse_grad: /rows": (checks.mse_grad, lambda p, t: 2 * (p - t) / len(p), "not len(pred)"),
    "mse_grad: returns loss":
        (checks.mse_grad, lambda p, t: np.mean((p - t) ** 2), "shape of pred"),
    # bce
    "bce: no clipping": (checks.bce, lambda p, y: -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)),
                         "no clipping"),
    "bce: one-sided clip": (checks.bce, lambda p, y: bce(np.clip(p, EPS, 1), y, eps=0),
                            "both sides"),
    "bce: sign flipped": (checks.bce, lambda p, y: -bce(p, y), "negative"),
    "bce: sum": (checks.bce,
                 lambda p, y: np.sum(-(y * np.log(np.clip(p, EPS, 1 - EPS))
                                       + (1 - y) * np.log(1 - np.clip(p, EPS, 1 - EPS)))),
                 "sum instead of mean"),
    "bce: swapped logs": (checks.bce, lambda p, y: bce(1 - p, y), "swapped"),
    "bce: missing (1-y) term": (checks.bce, lambda p, y: -np.mean(y * np.log(np.clip(p, EPS, 1))),
                                "(1 - y) * log(1 - p)"),
    "bce: log10": (checks.bce, lambda p, y: bce(p, y) / np.log(10), "np.log10"),
    "bce: eps too big": (checks.bce, lambda p, y: bce(p, y, eps=1e-3), "eps = 0.001"),
    "bce: not reduced": (checks.bce,
                         lambda p, y: -(y * np.log(np.clip(p, EPS, 1 - EPS))
                                        + (1 - y) * np.log(1 - np.clip(p, EPS, 1 - EPS))),
                         "one number"),
    # bce_with_logits
    "bce_logits: naive sigmoid":
        (checks.bce_with_logits,
         lambda z, y: -np.mean(y * np.log(1 / (1 + np.exp(-z)))
                               + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z)))),
         "sigmoid(±1000)"),
    "bce_logits: stable sigmoid, no clip":
        (checks.bce_with_logits,
         lambda z, y: -np.mean(y * np.log(_stable_sigmoid(z))
                               + (1 - y) * np.log(1 - _stable_sigmoid(z))),
         "log(0)"),
    "bce_logits: sigmoid + clipping":
        (checks.bce_with_logits, lambda z, y: bce(_stable_sigmoid(z), y), "capped"),
    "bce_logits: no abs": (checks.bce_with_logits,
                           lambda z, y: np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-z))),
                           "exp(-|z|)"),
    "bce_logits: unshifted identity": (checks.bce_with_logits,
                                       lambda z, y: np.mean(z - z * y + np.log1p(np.exp(-z))),
                                       "overflows at z = -1000"),
    "bce_logits: np.where both branches": (checks.bce_with_logits, _bce_where, "np.where"),
    "bce_logits: sign": (checks.bce_with_logits, lambda z, y: -bce_with_logits(z, y), "negative"),
    "bce_logits: sum": (checks.bce_with_logits, lambda z, y: bce_with_logits(z, y) * z.size, "sum"),
    "bce_logits: y swapped":
        (checks.bce_with_logits, lambda z, y: bce_with_logits(-z, y), "swapped"),
    # cross_entropy
    "ce: no max shift": (checks.cross_entropy,
                         lambda z, l: -np.mean(np.log(_naive_softmax(z)[np.arange(len(l)), l])),
                         "no max shift"),
    "ce: log of softmax": (checks.cross_entropy,
                           lambda z, l: -np.mean(np.log(_shifted_softmax(z)[np.arange(len(l)), l])),
                           "log-sum-exp"),
    "ce: global max": (checks.cross_entropy,
                       lambda z, l: -np.mean(_log_softmax_global_shift(z)[np.arange(len(l)), l]),
                       "own max"),
    "ce: sign": (checks.cross_entropy, lambda z, l: -cross_entropy(z, l), "negative"),
    "ce: sum":
        (checks.cross_entropy, lambda z, l: cross_entropy(z, l) * len(l), "sum instead of mean"),
    "ce: mean over N*C": (checks.cross_entropy,
                          lambda z, l: -np.mean(one_hot(l, z.shape[1]) * log_softmax(z)), "N*C"),
    "ce: labels as one-hot":
        (checks.cross_entropy, lambda z, l: -np.sum(l * log_softmax(z)) / len(l),
         "integer class indices"),
    "ce: columns":
        (checks.cross_entropy, lambda z, l: -np.mean(log_softmax(z)[:, l]), "whole columns"),
    "ce: no log": (checks.cross_entropy,
                   lambda z, l: -np.mean(np.exp(log_softmax(z))[np.arange(len(l)), l]),
                   "take -log"),
    "ce: no softmax": (checks.cross_entropy,
                       lambda z, l: -np.mean(np.log(z[np.arange(len(l)), l])), "logits"),
    "ce: per sample": (checks.cross_entropy,
                       lambda z, l: -log_softmax(z)[np.arange(len(l)), l], "one number"),
    "ce: max not added back":
        (checks.cross_entropy,
         lambda z, l: np.mean(np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
                              - z[np.arange(len(l)), l]),
         "add back the max"),
    "ce: in place": (checks.cross_entropy,
                     lambda z, l: (z.__isub__(z.max(axis=1, keepdims=True)),
                                   cross_entropy(z, l))[1],
                     "was modified in place"),
    # softmax_ce_grad
    "grad: no /N":
        (checks.softmax_ce_grad, lambda z, l: softmax_ce_grad(z, l) * len(l), "/N is missing"),
    "grad: sign": (checks.softmax_ce_grad, lambda z, l: -softmax_ce_grad(z, l), "sign is flipped"),
    "grad: no -y":
        (checks.softmax_ce_grad, lambda z, l: _shifted_softmax(z) / len(l), "subtract the one-hot"),
    "grad: /(N*C)":
        (checks.softmax_ce_grad, lambda z, l: softmax_ce_grad(z, l) / z.shape[1], "not by N*C"),
    "grad: dL/dp": (checks.softmax_ce_grad,
                    lambda z, l: -one_hot(l, z.shape[1]) / _shifted_softmax(z) / len(l), "dL/dp"),
    "grad: labels as one-hot":
        (checks.softmax_ce_grad, lambda z, l: (_shifted_softmax(z) - l) / len(l),
         "integer class indices"),
    "grad: labels column": (checks.softmax_ce_grad,
                            lambda z, l: (_shifted_softmax(z) - l[:, None]) / len(l),
                            "integer class indices"),
    "grad: no max shift": (checks.softmax_ce_grad,
                           lambda z, l: (_naive_softmax(z) - one_hot(l, z.shape[1])) / len(l),
                           "no max shift"),
    "grad: whole columns": (checks.softmax_ce_grad, _grad_columns, "whole columns"),
    "grad: softmax along axis 0":
        (checks.softmax_ce_grad,
         lambda z, l: (_shifted_softmax(z.T).T - one_hot(l, z.shape[1])) / len(l), "axis=0"),
    "grad: in place": (checks.softmax_ce_grad,
                       lambda z, l: (z.__isub__(z.max(axis=1, keepdims=True)),
                                     softmax_ce_grad(z, l))[1],
                       "was modified in place"),
}

RIGHT = {"mse": (checks.mse, mse), "mse_grad": (checks.mse_grad, mse_grad),
         "bce": (checks.bce, bce),
         "bce_with_logits": (checks.bce_with_logits, bce_with_logits),
         "cross_entropy": (checks.cross_entropy, cross_entropy),
         "softmax_ce_grad": (checks.softmax_ce_grad, softmax_ce_grad)}


def run_silently(check, fn, **kwargs):
    """Run a checker with every warning an error and stderr captured by the caller's capsys."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return check(fn, strict=False, **kwargs)


def test_all_exported():
    assert set(checks.ch03_losses.__all__) == set(RIGHT)
    for name in RIGHT:
        assert getattr(checks, name) is getattr(checks.ch03_losses, name)


@pytest.mark.parametrize("name", RIGHT)
def test_solution_passes(name, capsys):
    check, fn = RIGHT[name]
    result = run_silently(check, fn)
    out = capsys.readouterr()
    assert result.status == core.PASSED, result.line
    assert out.out == result.line + "\n" and out.err == ""


@pytest.mark.parametrize("name", WRONG)
def test_mistake_is_caught_and_named(name, capsys):
    check, fn, keyword = WRONG[name]
    result = run_silently(check, fn)
    out = capsys.readouterr()
    assert result.status == core.WRONG, result.line
    assert keyword in result.line, result.line
    assert out.err == "", "a learner's warning leaked to stderr"
    assert out.out == result.line + "\n"


@pytest.mark.parametrize("name", ["bce: no clipping", "ce: no max shift",
                                  "bce_logits: unshifted identity", "grad: no max shift"])
def test_hint_quotes_the_warning(name):
    check, fn, _ = WRONG[name]
    result = run_silently(check, fn, quiet=True)
    assert "your code warned: RuntimeWarning" in result.line, result.line


def test_warning_free_right_value_still_fails_when_it_warned():
    result = run_silently(checks.bce_with_logits, _bce_where, quiet=True)
    assert "has the right value, but NumPy warned: RuntimeWarning: overflow" in result.line


@pytest.mark.parametrize("name", RIGHT)
def test_not_implemented(name):
    check, _ = RIGHT[name]
    result = run_silently(check, todo, quiet=True)
    assert result.status == core.TODO and "not implemented yet" in result.line


@pytest.mark.parametrize("name", RIGHT)
def test_crash_is_reported_not_raised(name):
    check, _ = RIGHT[name]
    result = run_silently(check, crashes, quiet=True)
    assert result.status == core.WRONG and "AttributeError" in result.line


@pytest.mark.parametrize("name", RIGHT)
def test_returns_none(name):
    check, _ = RIGHT[name]
    result = run_silently(check, lambda *args: None, quiet=True)
    assert result.status == core.WRONG and "return" in result.line


@pytest.mark.parametrize("name", RIGHT)
def test_strict_raises(name):
    check, fn = RIGHT[name]
    with pytest.raises(AssertionError, match="❌"):
        check(lambda *args: -fn(*args), strict=True, quiet=True)
    with pytest.raises(AssertionError, match="⏳"):
        check(todo, strict=True, quiet=True)
    assert check(fn, strict=True, quiet=True).passed


@pytest.mark.parametrize("name", ["grad: whole columns", "grad: softmax along axis 0"])
def test_shared_grad_mistakes_are_named_by_softmax_ce_backward_too(name):
    _, fn, keyword = WRONG[name]
    result = run_silently(checks.softmax_ce_backward, fn)
    assert result.status == core.WRONG and keyword in result.line, result.line


def test_labels_broadcast_error_gets_the_labels_hint():
    result = run_silently(checks.cross_entropy, WRONG["ce: labels as one-hot"][1], quiet=True)
    assert "integer class indices" in result.line


def test_eps_1e_7_is_told_the_expected_eps():
    result = run_silently(checks.bce, lambda p, y: bce(p, y, eps=1e-7), quiet=True)
    assert result.status == core.WRONG and "you clipped with eps = 1e-07" in result.line


def test_log_plus_eps_variant_passes():
    """Adding eps inside the logs instead of clipping is an accepted answer."""
    result = run_silently(checks.bce, lambda p, y: -np.mean(y * np.log(p + EPS)
                                                            + (1 - y) * np.log(1 - p + EPS)),
                          quiet=True)
    assert result.passed, result.line


def test_success_lines():
    assert run_silently(checks.mse, mse, quiet=True).line == \
        "✅ passed · mse: 9 checks (mean over all elements, inputs untouched)"
    assert "finite at p = 0 and p = 1" in run_silently(checks.bce, bce, quiet=True).line
    assert "±1000" in run_silently(checks.cross_entropy, cross_entropy, quiet=True).line
