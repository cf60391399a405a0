"""Chapter 08's checkers: every typical mistake from the tables fails with the hint naming it,
every correct variant passes, and learner-style code (written here, not taken from the tables)
behaves as expected: correct versions pass, broken ones fail and never crash the checker."""

import re

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import ch08_attention as ch08
from course_lib.checks import core

NAMES = ch08.__all__
TABLE_MISTAKES = [(n, hint, wrong) for n in NAMES
                  for hint, wrong in getattr(ch08, n).mistakes.items()]
TABLE_CORRECT = [(n, k, good) for n in NAMES for k, good in enumerate(getattr(ch08, n).correct)]


@pytest.mark.parametrize("name, hint, wrong", TABLE_MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(TABLE_MISTAKES)])
def test_table_mistake_is_named(name, hint, wrong):
    result = getattr(checks, name)(wrong, strict=False, quiet=True)
    assert result.status == core.WRONG, result.line
    assert "Hint: " + hint.rstrip(".") in result.line, result.line


@pytest.mark.parametrize("name, k, good", TABLE_CORRECT,
                         ids=[f"{n}-{k}" for n, k, _ in TABLE_CORRECT])
def test_table_correct_variant_passes(name, k, good):
    assert getattr(checks, name)(good, strict=False, quiet=True).passed


def test_every_table_is_big_enough():
    for name in NAMES:
        table = getattr(ch08, name)
        assert len(table.mistakes) >= 5 and len(table.correct) >= 2, name


# -- learner-style implementations, written independently of the tables ------------------------

def learner_scores(q, k):
    d = q.shape[-1]
    return np.matmul(q, k.swapaxes(-2, -1)) / np.sqrt(d)


def learner_weights(scores, mask=None):
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


def learner_causal(T):
    m = np.zeros((T, T), dtype=bool)
    for i in range(T):
        m[i, : i + 1] = True
    return m


def learner_split(x, n_heads):
    n, t, d = x.shape
    out = np.empty((n, n_heads, t, d // n_heads))
    for h in range(n_heads):
        out[:, h] = x[:, :, h * (d // n_heads):(h + 1) * (d // n_heads)]
    return out


def learner_merge(x):
    return np.concatenate(list(x.transpose(1, 0, 2, 3)), axis=-1)


def learner_backward(dout, q, k, v, weights):
    d = q.shape[-1]
    dv = weights.swapaxes(-1, -2) @ dout
    dw = dout @ v.swapaxes(-1, -2)
    dscores = weights * (dw - (dw * weights).sum(axis=-1, keepdims=True))
    return dscores @ k / np.sqrt(d), dscores.swapaxes(-1, -2) @ q / np.sqrt(d), dv


def learner_pe(max_len, d_model):
    pe = np.zeros((max_len, d_model))
    for p in range(max_len):
        for i in range(0, d_model, 2):
            pe[p, i] = np.sin(p / 10000 ** (i / d_model))
            pe[p, i + 1] = np.cos(p / 10000 ** (i / d_model))
    return pe


LEARNER = {"scaled_scores": learner_scores, "attention_weights": learner_weights,
           "causal_mask": learner_causal, "split_heads": learner_split,
           "merge_heads": learner_merge, "attention_backward": learner_backward,
           "positional_encoding": learner_pe}


@pytest.mark.parametrize("name", NAMES)
def test_learner_style_correct_code_passes(name):
    result = getattr(checks, name)(LEARNER[name], strict=False, quiet=True)
    assert result.passed, result.line


def _todo(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("name", NAMES)
def test_unsolved_is_to_do_and_strict_raises(name):
    assert getattr(checks, name)(_todo, strict=False, quiet=True).status == core.TODO
    with pytest.raises(AssertionError):
        getattr(checks, name)(_todo, strict=True, quiet=True)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [lambda *a, **k: None, lambda *a, **k: 1 / 0,
                                 lambda *a, **k: "text", lambda *a, **k: [1, 2]])
def test_garbage_never_crashes(name, bad):
    result = getattr(checks, name)(bad, strict=False, quiet=True)
    assert result.status == core.WRONG, result.line


def test_not_a_function():
    result = checks.causal_mask(np.tril(np.ones((3, 3), dtype=bool)), strict=False, quiet=True)
    assert result.status == core.WRONG and "pass the function itself" in result.line


def test_hand_mistakes_get_helpful_lines():
    # a weights function that forgets keepdims: broadcasting error or wrong values, never a crash
    def no_keepdims(scores, mask=None):
        e = np.exp(scores - scores.max(axis=-1)[..., None])
        return e / e.sum(axis=-1)
    line = checks.attention_weights(no_keepdims, strict=False, quiet=True).line
    assert line.startswith("❌ wrong · attention_weights:")
    # the float mask names the dtype
    line = checks.causal_mask(lambda T: np.tril(np.ones((T, T), dtype=np.float32)), strict=False,
                              quiet=True).line
    assert "dtype=bool" in line
    # a backward that returns a list of 3 arrays is compared item by item, and passes
    as_list = checks.attention_backward(lambda *a: list(learner_backward(*a)), strict=False,
                                        quiet=True)
    assert as_list.passed, as_list.line
    # split_heads through reshape(-1) instead of D // H: fine
    assert checks.split_heads(lambda x, h: x.reshape(x.shape[0], x.shape[1], h, -1)
                              .transpose(0, 2, 1, 3), strict=False, quiet=True).passed


def test_pass_line_text():
    line = checks.positional_encoding(learner_pe, strict=False, quiet=True).line
    assert re.fullmatch(r"✅ passed · positional_encoding: \d+ checks \(\(max_len, d_model\), "
                        r"sin on even, cos on odd features\)", line), line


@pytest.mark.parametrize("name", NAMES)
def test_engine_self_test_is_clean(name):
    assert core.self_test(getattr(checks, name)) == []
