"""Chapter 07's checkers: their tables (every mistake named, every correct variant passes), plus
learner-style code written here, edge cases a checker must survive, and strict mode."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from course_lib import checks
from course_lib.checks import ch07_convolution as ch07
from course_lib.checks import core

NAMES = ch07.__all__
TABLES = [(name, getattr(ch07, name)) for name in NAMES]
MISTAKES = [(name, hint, wrong) for name, t in TABLES for hint, wrong in t.mistakes.items()]
CORRECT = [(name, k, good) for name, t in TABLES for k, good in enumerate(t.correct)]


@pytest.mark.parametrize("name, table", TABLES, ids=NAMES)
def test_table_self_test_and_size(name, table):
    assert core.self_test(table) == [], name
    assert len(table.mistakes) >= 5 and len(table.correct) >= 2
    assert getattr(checks, name) is table          # registered in course_lib.checks


@pytest.mark.parametrize("name, hint, wrong", MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(MISTAKES)])
def test_every_mistake_is_refused_with_its_hint(name, hint, wrong):
    result = getattr(checks, name)(wrong, strict=False, quiet=True)
    assert result.status == core.WRONG, result.line
    assert "Hint: " + hint.rstrip(".") in result.line, result.line


@pytest.mark.parametrize("name, k, good", CORRECT, ids=[f"{n}-{k}" for n, k, _ in CORRECT])
def test_every_correct_variant_passes(name, k, good):
    assert getattr(checks, name)(good, strict=False, quiet=True).status == core.PASSED


# -- the chapter's own inline versions, as a learner writes them ----------------------------------
def conv_output_size(H, k, stride, padding):
    return (H + 2 * padding - k) // stride + 1


def conv2d_single(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(image[r:r + kh, c:c + kw] * kernel)
    return out


def conv2d_im2col(x, W, b, stride=1, padding=0):
    N, C, H, Wd = x.shape
    C_out, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    _, _, Ho, Wo, _, _ = win.shape
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * kh * kw)
    out = cols @ W.reshape(C_out, -1).T + b
    return out.reshape(N, Ho, Wo, C_out).transpose(0, 3, 1, 2)


def maxpool2d(x, k, s):
    N, C, H, W = x.shape
    out = np.zeros((N, C, (H - k) // s + 1, (W - k) // s + 1))
    for r in range(out.shape[2]):
        for c in range(out.shape[3]):
            out[:, :, r, c] = x[:, :, r * s:r * s + k, c * s:c * s + k].max(axis=(2, 3))
    return out


def maxpool2d_backward(x, dout, k, s):
    dx = np.zeros_like(x)
    for n, ch, r, c in np.ndindex(dout.shape):
        window = x[n, ch, r * s:r * s + k, c * s:c * s + k]
        i, j = np.unravel_index(np.argmax(window), window.shape)
        dx[n, ch, r * s + i, c * s + j] += dout[n, ch, r, c]
    return dx


def avgpool2d(x, k, s):
    return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s].mean(axis=(4, 5))


def avgpool2d_backward(dout, x_shape, k, s):
    dx = np.zeros(x_shape)
    for r in range(dout.shape[2]):
        for c in range(dout.shape[3]):
            dx[:, :, r * s:r * s + k, c * s:c * s + k] += dout[:, :, r, c, None, None] / k**2
    return dx


LEARNER = {f.__name__: f for f in [conv_output_size, conv2d_single, conv2d_im2col, maxpool2d,
                                   maxpool2d_backward, avgpool2d, avgpool2d_backward]}


@pytest.mark.parametrize("name", NAMES)
def test_learner_style_solutions_pass(name):
    result = getattr(checks, name)(LEARNER[name], strict=False, quiet=True)
    assert result.status == core.PASSED, result.line


# -- mistakes written from scratch (not from the tables) -----------------------------------------
def maxpool_backward_mutates_dout(x, dout, k, s):
    dx = maxpool2d_backward(x, dout, k, s)
    dout[...] = 0.0                                # "clean up" the caller's array
    return dx


def conv_pads_input_in_place(x, W, b, stride=1, padding=0):
    x *= 1.0
    x[:, :, 0, 0] = 0.0                            # "zero the corner" on the caller's array
    return conv2d_im2col(x, W, b, stride, padding)


@pytest.mark.parametrize("name, fn, text", [
    ("conv_output_size", lambda H, k, stride, padding: (H - k) // stride + 1, "2*padding"),
    ("conv_output_size", lambda H, k, stride, padding: None, "returned None"),
    ("conv2d_single", lambda image, kernel: image[:-2, :-2], "should have shape (2, 2)"),
    ("conv2d_single", lambda image, kernel: conv2d_single(image, kernel).tolist(),
     "a NumPy array"),
    ("conv2d_single", lambda image, kernel: conv2d_single(image, kernel[::-1, ::-1]),
     "you flipped the kernel"),
    ("conv2d_im2col", lambda x, W, b, stride=1, padding=0: conv2d_im2col(x, W, b * 0, stride,
                                                                          padding),
     "the bias is missing"),
    ("conv2d_im2col", conv_pads_input_in_place, "the input x was modified in place"),
    ("conv2d_im2col", lambda x, W, b, stride=1, padding=0: conv2d_im2col(x, W, b, 1, padding),
     "ignored the stride"),
    ("maxpool2d", lambda x, k, s: avgpool2d(x, k, s), "average of each window"),
    ("maxpool2d", lambda x, k, s: x[:, :, ::s, ::s], "should"),
    ("maxpool2d_backward", maxpool_backward_mutates_dout, "the input dout was modified in place"),
    ("maxpool2d_backward", lambda x, dout, k, s: (x == x.max()) * 1.0, "dx"),
    ("avgpool2d", lambda x, k, s: maxpool2d(x, k, s), "that is max pooling"),
    ("avgpool2d_backward", lambda dout, x_shape, k, s: avgpool2d_backward(dout, x_shape, k, s)
     * k * k, "the mean divides by the k*k numbers"),
    ("avgpool2d_backward", lambda dout, x_shape, k, s: np.zeros(x_shape[:2]), "shape"),
])
def test_learner_mistakes_get_a_clear_line(name, fn, text):
    result = getattr(checks, name)(fn, strict=False, quiet=True)
    assert result.status == core.WRONG, result.line
    assert text in result.line, result.line


@pytest.mark.parametrize("name", NAMES)
def test_not_implemented_is_to_do_and_nothing_crashes(name):
    def todo(*args, **kwargs):
        raise NotImplementedError()

    assert getattr(checks, name)(todo, strict=False, quiet=True).status == core.TODO
    for bad in (lambda *a, **k: 1 / 0, lambda *a, **k: "text", lambda *a, **k: np.zeros(0)):
        result = getattr(checks, name)(bad, strict=False, quiet=True)
        assert result.status == core.WRONG, result.line
    result = getattr(checks, name)(42, strict=False, quiet=True)       # not even a function
    assert result.status == core.WRONG and "expected a function" in result.line


def test_strict_mode_raises_and_prints_one_line(capsys):
    with pytest.raises(AssertionError):
        checks.maxpool2d(avgpool2d, strict=True)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "maxpool2d" in out
    assert checks.maxpool2d(maxpool2d, strict=True).passed


def test_ties_in_the_backward_cases_really_tie():
    # the tie mistakes can only be told apart when some window has two equal maxima
    table = ch07.maxpool2d_backward
    tied = [c for c in table.cases if "with ties" in (c.what or "")]
    assert tied
    for case in tied:
        x, _, k, s = case.args
        windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
        top = windows.max(axis=(4, 5), keepdims=True)
        assert np.any((windows == top).sum(axis=(4, 5)) > 1)
