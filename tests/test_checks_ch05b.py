"""Chapter 05b's checkers: learner-style solutions pass, mistakes are named, nothing crashes.

The tables' own mistakes and correct variants are run by tests/test_checks_engine.py; here are
solutions and mistakes written the way a learner would, outside the tables.
"""

import warnings

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import ch05b_generalization, core

NAMES = ["split_indices", "standardize", "l2_penalty", "dropout_forward", "dropout_backward",
         "early_stopping", "weight_decay_step"]


# -- solutions as a learner writes them -----------------------------------------------------------
def split_indices(y, test_size, rng):
    test_idx = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        k = round(test_size * len(members))
        test_idx.append(rng.choice(members, size=k, replace=False))
    test_idx = np.concatenate(test_idx)
    train_idx = np.setdiff1d(np.arange(len(y)), test_idx)
    return train_idx, test_idx


def standardize(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std


def l2_penalty(weights, lam):
    penalty = 0.0
    grads = []
    for w in weights:
        penalty += 0.5 * lam * np.sum(w ** 2)
        grads.append(lam * w)
    return penalty, grads


def dropout_forward(x, p, rng, training=True):
    if not training:
        return x.copy(), None
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_backward(dout, mask, p):
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p)


def early_stopping(val_losses, patience, min_delta=0.0):
    best = float("inf")
    best_epoch = 0
    for epoch in range(1, len(val_losses) + 1):
        if val_losses[epoch - 1] < best - min_delta:
            best, best_epoch = val_losses[epoch - 1], epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return None, best_epoch


def weight_decay_step(p, g, lr, weight_decay):
    return p - lr * g - lr * weight_decay * p


GOOD = {name: fn for name, fn in globals().items() if name in NAMES}


# -- mistakes as learners make them, not copied from the tables ----------------------------------
def split_sorted_first(y, test_size, rng):
    # takes the FIRST samples of each class: deterministic, but not random
    test = np.concatenate([np.flatnonzero(y == c)[:round(test_size * np.sum(y == c))]
                           for c in np.unique(y)])
    return np.setdiff1d(np.arange(len(y)), test), test


def split_list(y, test_size, rng):
    train, test = split_indices(y, test_size, rng)
    return list(train), list(test)


def standardize_std_of_test(X_train, X_test):
    mean = X_train.mean(axis=0)
    return (X_train - mean) / X_train.std(axis=0), (X_test - mean) / X_test.std(axis=0)


def dropout_keep_mask_float(x, p, rng, training=True):
    if not training:
        return x, None                          # returns the input itself in eval mode
    mask = (rng.random(x.shape) >= p).astype(float)
    return x * mask / (1 - p), mask


def early_returns_last(val_losses, patience, min_delta=0.0):
    stop, best = early_stopping(val_losses, patience, min_delta)
    return stop, len(val_losses)


MISTAKES = [
    ("split_indices", lambda y, test_size, rng: None, "returned None"),
    ("split_indices", lambda y, test_size, rng: np.arange(len(y)), "should return 2 arrays"),
    ("split_indices", split_list, "passed"),                         # lists of ints are fine
    ("standardize", standardize_std_of_test, "Hint: mean = X_train.mean(axis=0)"),
    ("standardize", lambda a, b: (a, b), "X_train_std"),
    ("l2_penalty", lambda weights, lam: (np.array([0.5 * lam * sum(np.sum(w ** 2)
                                                                   for w in weights)]),
                                         [lam * w for w in weights]), "one number"),
    ("l2_penalty", lambda weights, lam: 0.5 * lam * sum(np.sum(w ** 2) for w in weights),
     "should return 2 values (penalty, grads)"),
    ("dropout_forward", lambda x, p, rng: (x * (rng.random(x.shape) >= p) / (1 - p), None),
     "mask returned None"),
    ("dropout_backward", lambda dout, mask, p: dout if mask is None else dout * mask / (1 - p),
     "not a new array"),
    ("early_stopping", early_returns_last, "best_epoch should be"),
    ("early_stopping", lambda val_losses, patience, min_delta=0.0: (None, 1),
     "Hint: stop after the epoch where epoch - best_epoch >= patience"),
    ("weight_decay_step", lambda p, g, lr, weight_decay: (p - lr * (g + weight_decay * p)).tolist(),
     "expected a NumPy array"),
    ("weight_decay_step", lambda p, g, lr, weight_decay: p.astype(int), "float"),
]


def run_quietly(name, fn, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return getattr(checks, name)(fn, quiet=True, **kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_learner_solutions_pass(name, capsys):
    result = run_quietly(name, GOOD[name], strict=True)
    assert result.status == core.PASSED, result.line
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("name, fn, keyword", MISTAKES,
                         ids=[f"{m[0]}-{m[2][:25]}" for m in MISTAKES])
def test_learner_mistakes(name, fn, keyword):
    result = run_quietly(name, fn, strict=False)
    if keyword == "passed":
        assert result.status == core.PASSED, result.line
        return
    assert result.status == core.WRONG, result.line
    assert keyword in result.line, result.line


def split_own_generator(y, test_size, rng):
    return split_indices(y, test_size, np.random.default_rng(0))   # ignores the rng argument


@pytest.mark.parametrize("fn", [split_sorted_first, split_own_generator])
def test_a_split_that_ignores_rng_is_refused(fn):
    # stratified, disjoint and reproducible, but the same split for every seed
    result = run_quietly("split_indices", fn, strict=False)
    assert result.status == core.WRONG and "does not depend on rng" in result.line, result.line


def test_any_random_stratified_split_passes():
    # the checker tests properties, not one sequence of random numbers
    def shuffled(y, test_size, rng):
        train, test = split_indices(y, test_size, rng)
        return rng.permutation(train), rng.permutation(test)
    assert run_quietly("split_indices", shuffled, strict=False).status == core.PASSED


def test_float_mask_and_eval_identity_are_accepted():
    # a 0/1 float mask works the same in the backward pass, and returning x itself in eval mode is
    # what PyTorch does: neither is a mistake
    result = run_quietly("dropout_forward", dropout_keep_mask_float, strict=False)
    assert result.status == core.PASSED, result.line


def not_done(*args, **kwargs):
    raise NotImplementedError()


def raises(*args, **kwargs):
    return args[0].undefined_attribute


@pytest.mark.parametrize("name", NAMES)
def test_todo_raising_and_strict(name):
    assert run_quietly(name, not_done, strict=False).status == core.TODO
    result = run_quietly(name, raises, strict=False)
    assert result.status == core.WRONG and "AttributeError" in result.line
    with pytest.raises(AssertionError, match="❌"):
        run_quietly(name, raises, strict=True)
    with pytest.raises(AssertionError, match="⏳"):
        run_quietly(name, not_done, strict=True)
    assert run_quietly(name, 42, strict=False).status == core.WRONG      # not a function


@pytest.mark.parametrize("name", NAMES)
def test_prints_exactly_one_line(name, capsys):
    getattr(checks, name)(GOOD[name], strict=False)
    getattr(checks, name)(not_done, strict=False)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"✅ passed · {name}: ") and out[1].startswith(f"⏳ to do · {name}: ")


def test_global_random_state_is_left_alone():
    np.random.seed(99)
    expected = np.random.random(3)
    np.random.seed(99)
    run_quietly("dropout_forward", dropout_forward, strict=True)
    np.testing.assert_array_equal(np.random.random(3), expected)


def test_exported_names():
    assert ch05b_generalization.__all__ == NAMES
    for name in NAMES:
        assert getattr(checks, name).exercise == name
