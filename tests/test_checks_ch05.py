"""Chapter 05's checkers: correct code passes, each typical mistake fails with a hint naming it."""

import warnings

import numpy as np
import pytest

from course_lib import checks

# -- correct implementations, as a learner would write them -------------------------------------


def good_gd(p, g, lr):
    p -= lr * g


def good_minibatches(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]


def good_ewa(values, beta, bias_correction=True):
    v, out = 0.0, []
    for t, x in enumerate(values, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta ** t) if bias_correction else v)
    return np.array(out)


def good_momentum(p, g, state, lr, momentum=0.9):
    v = state.setdefault("velocity", np.zeros_like(p))
    v *= momentum
    v += g
    p -= lr * v


def cs231n_momentum(p, g, state, lr, momentum=0.9):
    v = state.get("velocity", np.zeros_like(p))
    v = momentum * v - lr * g
    state["velocity"] = v
    p += v


def good_rmsprop(p, g, state, lr, alpha=0.99, eps=1e-8):
    sq = state.setdefault("square_avg", np.zeros_like(p))
    sq[...] = alpha * sq + (1 - alpha) * g ** 2
    p -= lr * g / (np.sqrt(sq) + eps)


def good_adam(p, g, state, lr, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    if not state:
        state.update(m=np.zeros_like(p), v=np.zeros_like(p), t=0)
    state["t"] += 1
    state["m"] = b1 * state["m"] + (1 - b1) * g
    state["v"] = b2 * state["v"] + (1 - b2) * g * g
    m_hat = state["m"] / (1 - b1 ** state["t"])
    v_hat = state["v"] / (1 - b2 ** state["t"])
    p[...] = p - lr * m_hat / (np.sqrt(v_hat) + eps)


GOOD = {
    "gd_step": [good_gd, lambda p, g, lr: p.__setitem__(Ellipsis, p - lr * g)],
    "minibatches": [good_minibatches],
    "ewa": [good_ewa],
    "momentum_step": [good_momentum],
    "rmsprop_step": [good_rmsprop],
    "adam_step": [good_adam],
}


@pytest.mark.parametrize("name, fn", [(n, f) for n, fs in GOOD.items() for f in fs])
def test_correct_code_passes(name, fn):
    result = getattr(checks, name)(fn, quiet=True, strict=False)
    assert result.passed, result.line


# -- typical mistakes ----------------------------------------------------------------------------


def rebinding_gd(p, g, lr):
    p = p - lr * g  # noqa: F841 - the mistake: a new local array
    return p


def uphill_gd(p, g, lr):
    p += lr * g


def no_lr_gd(p, g, lr):
    p -= g


def unshuffled(X, y, batch_size, rng):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def drop_last(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    n = len(X) // batch_size * batch_size
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]]) for i in range(0, n, batch_size)]


def empty_last(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]])
            for i in range(0, len(X) + 1, batch_size)]


def unpaired(X, y, batch_size, rng):
    ix, iy = rng.permutation(len(X)), rng.permutation(len(X))
    return [(X[ix[i:i + batch_size]], y[iy[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]


def with_replacement(X, y, batch_size, rng):
    idx = rng.integers(0, len(X), len(X))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]


def global_rng(X, y, batch_size, rng):
    idx = np.random.permutation(len(X))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]


def ewa_variant(t0=1, correct=True, swap=False):
    def ewa(values, beta, bias_correction=True):
        v, out = 0.0, []
        for i, x in enumerate(values):
            v = (1 - beta) * v + beta * x if swap else beta * v + (1 - beta) * x
            t = i + t0
            out.append(v / (1 - beta ** t) if (bias_correction and correct) else v)
        return np.array(out)
    return ewa


def ewa_always_corrected(values, beta, bias_correction=True):
    return good_ewa(values, beta, True)


def ewa_in_place(values, beta, bias_correction=True):
    out = good_ewa(values, beta, bias_correction)
    values[...] = out
    return values


def flipped_momentum(p, g, state, lr, momentum=0.9):
    v = state.setdefault("velocity", np.zeros_like(p))
    v[...] = momentum * v + lr * g
    p += v


def ewa_momentum(p, g, state, lr, momentum=0.9):
    v = state.setdefault("velocity", np.zeros_like(p))
    v[...] = momentum * v + (1 - momentum) * g
    p -= lr * v


def forgetful_momentum(p, g, state, lr, momentum=0.9):
    v = np.zeros_like(p)
    v = momentum * v + g
    state["velocity"] = v
    p -= lr * v


def renamed_momentum(p, g, state, lr, momentum=0.9):
    v = state.setdefault("v", np.zeros_like(p))
    v[...] = momentum * v + g
    p -= lr * v


def rebinding_momentum(p, g, state, lr, momentum=0.9):
    v = state.setdefault("velocity", np.zeros_like(p))
    v[...] = momentum * v + g
    p = p - lr * v  # noqa: F841


def unstored_momentum(p, g, state, lr, momentum=0.9):
    v = state.get("velocity", np.zeros_like(p))
    v = momentum * v + g
    p -= lr * v


def old_velocity_momentum(p, g, state, lr, momentum=0.9):
    v = state.get("velocity", np.zeros_like(p))
    p -= lr * v
    state["velocity"] = momentum * v + g


def nesterov_momentum(p, g, state, lr, momentum=0.9):
    v = state.setdefault("velocity", np.zeros_like(p))
    v[...] = momentum * v + g
    p -= lr * (g + momentum * v)


def rmsprop_variant(form):
    def step(p, g, state, lr, alpha=0.99, eps=1e-8):
        sq = state.setdefault("square_avg", np.zeros_like(p))
        a = 1 - alpha if form == "swapped" else alpha
        sq[...] = a * sq + (1 - a) * g ** 2
        if form == "inside":
            p -= lr * g / np.sqrt(sq + eps)
        elif form == "rebind":
            p = p - lr * g / (np.sqrt(sq) + eps)  # noqa: F841
        else:
            p -= lr * g / (np.sqrt(sq) + eps)
    return step


def adam_variant(form):
    def step(p, g, state, lr, betas=(0.9, 0.999), eps=1e-8):
        b1, b2 = betas
        state.setdefault("m", np.zeros_like(p))
        state.setdefault("v", np.zeros_like(p))
        t = state.get("t", 0)
        if form != "t_after":
            t += 1
        if form == "t_plus":
            t += 1
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g * g
        if form == "no_correction":
            m_hat, v_hat = state["m"], state["v"]
        else:
            m_hat, v_hat = state["m"] / (1 - b1 ** t), state["v"] / (1 - b2 ** t)
        state["t"] = t + 1 if form == "t_after" else t
        if form == "inside":
            p -= lr * m_hat / np.sqrt(v_hat + eps)
        elif form == "rebind":
            p = p - lr * m_hat / (np.sqrt(v_hat) + eps)  # noqa: F841
        else:
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return step


WRONG = [
    ("gd_step", rebinding_gd, "rebinds"),
    ("gd_step", rebinding_gd, "you returned a new array"),
    ("gd_step", uphill_gd, "uphill"),
    ("gd_step", no_lr_gd, "learning rate"),
    ("minibatches", unshuffled, "original order"),
    ("minibatches", drop_last, "last, smaller batch"),
    ("minibatches", empty_last, "last batch is empty"),
    ("minibatches", unpaired, "SAME permutation"),
    ("minibatches", with_replacement, "replacement"),
    ("minibatches", global_rng, "same seed"),
    ("ewa", ewa_variant(correct=False), "no bias correction"),
    ("ewa", ewa_variant(t0=0), "t starts at 0"),
    ("ewa", ewa_variant(t0=2), "wrong step count"),
    ("ewa", ewa_variant(swap=True), "swapped"),
    ("ewa", ewa_always_corrected, "use the argument bias_correction"),
    ("ewa", ewa_in_place, "modified in place"),
    ("momentum_step", flipped_momentum, "sign is flipped"),
    ("momentum_step", cs231n_momentum, "CS231n's form"),
    ("momentum_step", ewa_momentum, "averaged form"),
    ("momentum_step", forgetful_momentum, "not kept between calls"),
    ("momentum_step", rebinding_momentum, "rebinds"),
    ("momentum_step", renamed_momentum, "state has no 'velocity' entry"),
    ("momentum_step", nesterov_momentum, "Nesterov"),
    ("momentum_step", unstored_momentum, "never stored in state"),
    ("momentum_step", old_velocity_momentum, "OLD velocity"),
    ("rmsprop_step", rmsprop_variant("swapped"), "1 - alpha are swapped"),
    ("rmsprop_step", rmsprop_variant("inside"), "eps is inside the square root"),
    ("rmsprop_step", rmsprop_variant("rebind"), "rebinds"),
    ("adam_step", adam_variant("no_correction"), "bias correction is missing"),
    ("adam_step", adam_variant("t_after"), "increment state['t'] BEFORE"),
    ("adam_step", adam_variant("t_plus"), "t counts the steps"),
    ("adam_step", adam_variant("inside"), "eps is inside the square root"),
    ("adam_step", adam_variant("rebind"), "rebinds"),
]


@pytest.mark.parametrize("name, fn, keyword", WRONG, ids=[f"{n}-{k}" for n, _, k in WRONG])
def test_typical_mistake_is_named(name, fn, keyword):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker must silence the learner's 1/0 warnings
        result = getattr(checks, name)(fn, quiet=True, strict=False)
    assert result.status == "wrong", result.line
    assert keyword in result.line, result.line


def todo(*args, **kwargs):
    raise NotImplementedError()


def crashes(*args, **kwargs):
    return [1, 2][5]


@pytest.mark.parametrize("name", list(GOOD))
def test_not_implemented_and_crashing_code(name):
    check = getattr(checks, name)
    assert check(todo, quiet=True, strict=False).status == "todo"
    result = check(crashes, quiet=True, strict=False)
    assert result.status == "wrong" and "IndexError" in result.line


@pytest.mark.parametrize("name", list(GOOD))
def test_strict_mode_raises_on_failure(name):
    with pytest.raises(AssertionError):
        getattr(checks, name)(crashes, quiet=True, strict=True)
    assert getattr(checks, name)(GOOD[name][0], quiet=True, strict=True).passed


def test_checker_prints_one_line(capsys):
    checks.adam_step(good_adam)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✅ passed · adam_step")


def test_returning_none_is_a_failure_not_a_crash():
    result = checks.minibatches(lambda X, y, b, rng: None, quiet=True, strict=False)
    assert result.status == "wrong" and "list of (X_batch, y_batch)" in result.line
    result = checks.ewa(lambda values, beta, bias_correction=True: None, quiet=True, strict=False)
    assert result.status == "wrong" and "returned None" in result.line
