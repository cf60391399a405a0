"""Chapter 02's checkers: correct code passes, each typical mistake fails with a hint naming it."""

import math
import warnings

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import core

# -- correct implementations, as a learner would write them -------------------------------------


def good_sigmoid(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def good_sigmoid_prime(x):
    s = good_sigmoid(x)
    return s * (1 - s)


def good_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


GOOD = {
    "sigmoid": [good_sigmoid],
    "sigmoid_prime": [good_sigmoid_prime],
    "relu": [lambda x: np.maximum(x, 0), lambda x: x * (x > 0)],
    "relu_prime": [lambda x: (x > 0).astype(float), lambda x: (x > 0) * 1.0],
    "softmax": [good_softmax],
    "leaky_relu": [lambda x, negative_slope=0.01: np.where(x > 0, x, negative_slope * x)],
}

# -- typical mistakes: (exercise, wrong implementation, text the ❌ line must contain) ----------


def naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def where_both_branches(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def math_loop_sigmoid(x):
    x = np.asarray(x)
    return np.array([1 / (1 + math.exp(-v)) for v in x.ravel()]).reshape(x.shape)


def in_place_sigmoid(x):
    z = np.exp(-np.abs(x))
    x[...] = np.where(x >= 0, 1 / (1 + z), z / (1 + z))   # writes the result into the input
    return x


def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def global_max_softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)


def no_keepdims_softmax(x):
    e = np.exp(x - x.max(axis=-1))
    return e / e.sum(axis=-1)


def in_place_softmax(x):
    x -= x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def in_place_relu(x):
    x[x < 0] = 0
    return x



def in_place_leaky_relu(x, negative_slope=0.01):
    x[x < 0] *= negative_slope
    return x


MISTAKES = [
    ("sigmoid", lambda x: 1 / (1 + np.exp(x)), "np.exp(x) instead of np.exp(-x)"),
    ("sigmoid", lambda x: 1 / 1 + np.exp(-x), "1 / (1 + np.exp(-x))"),
    ("sigmoid", lambda x: np.exp(-x) / (1 + np.exp(-x)), "np.exp(x) instead of np.exp(-x)"),
    ("sigmoid", naive_sigmoid, "NumPy warned: RuntimeWarning: overflow encountered in exp"),
    ("sigmoid", where_both_branches, "sigmoid([50, 1000]) has the right value, but NumPy warned"),
    ("sigmoid", where_both_branches, "evaluates both branches"),
    ("sigmoid", math_loop_sigmoid, "OverflowError: math range error"),
    ("sigmoid", lambda x: 1 / (1 + math.exp(-x)), "math.exp"),
    ("sigmoid", in_place_sigmoid, "the input x was modified in place"),
    ("sigmoid", lambda x: None, "returned None"),
    ("sigmoid_prime", lambda x: good_sigmoid(x) * (1 + good_sigmoid(x)), "s * (1 + s)"),
    ("sigmoid_prime", good_sigmoid, "missing the factor (1 - s)"),
    ("sigmoid_prime", lambda x: 1 - good_sigmoid(x), "missing the factor s"),
    ("sigmoid_prime", lambda x: x * (1 - x), "applied the formula to x itself"),
    ("sigmoid_prime", lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, "inf / inf at x = -1000"),
    ("relu", np.abs, "np.abs"),
    ("relu", lambda x: np.max(x, 0), "np.max(x, 0)"),
    ("relu", lambda x: max(0, x), "np.maximum"),
    ("relu", lambda x: np.minimum(x, 0), "negative part"),
    ("relu", lambda x: (x > 0) * 1.0, "step function"),
    ("relu", in_place_relu, "the input x was modified in place"),
    ("relu", in_place_relu, "`x[...] = ...`"),
    ("relu", lambda x: [max(v, 0.0) for v in x], "returned a Python list, expected a NumPy array"),
    ("relu_prime", np.ones_like, "the slope of max(x, 0) is 0 where x < 0"),
    ("relu_prime", lambda x: (x < 0) * 1.0, "your mask is inverted"),
    ("relu_prime", np.sign, "np.sign"),
    ("relu_prime", lambda x: np.maximum(x, 0), "relu(x) itself"),
    ("relu_prime", lambda x: np.where(x > 0, 1.0, np.where(x < 0, 0.0, 0.5)), "at x = 0 use 0"),
    ("softmax", lambda x: good_softmax(np.swapaxes(x, 0, -1)).swapaxes(0, -1),
     "softmax along the wrong axis"),
    ("softmax", naive_softmax, "softmax without the max shift"),
    ("softmax", naive_softmax, "softmax([[1000, 1001, 1002]]) contains NaN"),
    ("softmax", global_max_softmax, "max of the whole array"),
    ("softmax", global_max_softmax, "[1, 0] should be 0.6652, got nan"),
    ("softmax", no_keepdims_softmax, "keepdims=True"),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(),
     "the whole array sums to 1 instead of each row"),
    ("softmax", in_place_softmax, "the input x was modified in place"),
    ("softmax", np.exp, "divide np.exp(x) by its sum"),
    ("leaky_relu", lambda x, negative_slope=0.01: np.maximum(x, 0), "not set to 0"),
    ("leaky_relu", lambda x, negative_slope=0.01: np.where(x > 0, x, 0.01 * x),
     "use the argument negative_slope, not a fixed 0.01"),
    ("leaky_relu", lambda x, slope=0.01: np.where(x > 0, x, slope * x), "parameter names"),
    ("leaky_relu", lambda x, negative_slope=0.1: np.where(x > 0, x, negative_slope * x),
     "default negative_slope is 0.01"),
    ("leaky_relu", lambda x, negative_slope=0.01: np.where(x > 0, negative_slope * x, x),
     "slope belongs to the negative side"),
    ("leaky_relu", in_place_leaky_relu, "`x[...] = ...`"),
    ("leaky_relu", lambda x, negative_slope=0.01: np.maximum(x, negative_slope * x),
     "wrong for a slope above 1"),
]


def run_quietly(name, fn, **kwargs):
    """Run a checker and make sure nothing leaks: no warning, nothing on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # a leaked warning would turn into an exception here
        return getattr(checks, name)(fn, quiet=True, **kwargs)


@pytest.mark.parametrize("name, fn", [(n, f) for n, fns in GOOD.items() for f in fns])
def test_correct_implementations_pass(name, fn, capsys):
    result = run_quietly(name, fn, strict=True)
    assert result.status == core.PASSED, result.line
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("name, fn, keyword", MISTAKES,
                         ids=[f"{m[0]}-{m[2][:30]}" for m in MISTAKES])
def test_typical_mistakes_are_named(name, fn, keyword, capsys):
    result = run_quietly(name, fn, strict=False)
    assert result.status == core.WRONG
    assert keyword in result.line, result.line
    assert capsys.readouterr() == ("", "")


def not_done(x, negative_slope=0.01):
    # YOUR CODE HERE
    raise NotImplementedError()


def raises(x, negative_slope=0.01):
    return x.undefined_attribute


@pytest.mark.parametrize("name", GOOD)
def test_not_implemented_raising_and_strict(name, capsys):
    assert run_quietly(name, not_done, strict=False).status == core.TODO
    result = run_quietly(name, raises, strict=False)
    assert result.status == core.WRONG and "AttributeError" in result.line
    with pytest.raises(AssertionError, match="❌"):
        run_quietly(name, raises, strict=True)
    with pytest.raises(AssertionError, match="⏳"):
        run_quietly(name, not_done, strict=True)


@pytest.mark.parametrize("name", GOOD)
def test_prints_exactly_one_line(name, capsys):
    getattr(checks, name)(GOOD[name][0], strict=False)
    getattr(checks, name)(not_done, strict=False)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"✅ passed · {name}: ") and out[1].startswith(f"⏳ to do · {name}: ")


def test_the_overflow_message_shows_what_numpy_said():
    line = run_quietly("sigmoid", naive_sigmoid, strict=False).line
    assert line.startswith("❌ wrong · sigmoid: sigmoid([-1000, -50, 0, 50, 1000]) has the right "
                           "value, but NumPy warned: RuntimeWarning: overflow encountered in exp")
    assert "np.exp(-np.abs(x))" in line


def test_exported_names():
    from course_lib.checks import ch02_activations
    assert set(ch02_activations.__all__) == set(GOOD)
    for name in GOOD:
        assert getattr(checks, name).exercise == name
