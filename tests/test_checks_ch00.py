"""Chapter 00's checkers: correct code passes, each typical NumPy mistake fails with a hint naming
it."""

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import core

# -- correct implementations, as a learner would write them -------------------------------------


def good_broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None
    return tuple(out)


def numpy_broadcast_shape(shape_a, shape_b):
    try:
        return np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        return None


def good_accuracy(scores, labels):
    return np.mean(scores.argmax(axis=1) == labels)


def good_normalize_rows(X, eps=1e-8):
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    return (X - mean) / (std + eps)


def sqrt_eps_normalize_rows(X, eps=1e-8):
    mean = X.mean(axis=1, keepdims=True)
    var = ((X - mean) ** 2).mean(axis=1, keepdims=True)
    return (X - mean) / np.sqrt(var + eps)


def good_dense(X, W, b):
    return X @ W + b


def good_sq_dist(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1)


def expanded_sq_dist(A, B):
    return (A ** 2).sum(axis=1)[:, None] + (B ** 2).sum(axis=1)[None, :] - 2 * A @ B.T


def feature_loop_sq_dist(A, B):
    out = np.zeros((A.shape[0], B.shape[0]))
    for d in range(A.shape[1]):                      # a loop over the few features is fine
        out += (A[:, d, None] - B[None, :, d]) ** 2
    return out


GOOD = {
    "broadcast_shape": [good_broadcast_shape, numpy_broadcast_shape],
    "accuracy_from_scores": [good_accuracy, lambda s, y: float((s.argmax(1) == y).sum() / len(y))],
    "normalize_rows": [good_normalize_rows, sqrt_eps_normalize_rows],
    "dense_forward": [good_dense, lambda X, W, b: np.dot(X, W) + b, lambda X, W, b: b + X @ W,
                      lambda X, W, b: np.einsum("ni,io->no", X, W) + b],
    "pairwise_sq_distances": [good_sq_dist, expanded_sq_dist, feature_loop_sq_dist],
}


# -- typical mistakes: (exercise, wrong implementation, text the ❌ line must contain) ----------

def left_aligned(a, b):
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    return good_broadcast_shape(a, b)


def no_padding(a, b):
    out = []
    for x, y in zip(a[::-1], b[::-1]):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out[::-1])


def equal_only(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return a if a == b else None


def always_max(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


def raises_when_incompatible(a, b):
    return np.broadcast_shapes(a, b)


def list_shape(a, b):
    result = good_broadcast_shape(a, b)
    return None if result is None else list(result)


def string_shape(a, b):
    result = good_broadcast_shape(a, b)
    return None if result is None else tuple(str(s) for s in result)


def normalize_in_place(X, eps=1e-8):
    X -= X.mean(axis=1, keepdims=True)
    X /= X.std(axis=1, keepdims=True) + eps
    return X


def dense_loop(X, W, b):
    out = np.zeros((X.shape[0], W.shape[1]))
    for i in range(X.shape[0]):
        out[i] = X[i] @ W + b
    return out


def dense_bias_in_place(X, W, b):
    out = X @ W + b
    b[...] = 0.0              # "resets" the caller's bias
    return out


def dist_loop(A, B):
    out = np.zeros((len(A), len(B)))
    for i in range(len(A)):
        for j in range(len(B)):
            out[i, j] = ((A[i] - B[j]) ** 2).sum()
    return out


def dist_iter(A, B):
    return np.array([((a - B) ** 2).sum(axis=1) for a in A])


def dist_mutating(A, B):
    A -= 0.0
    A *= 2.0
    return good_sq_dist(A / 2.0, B)


MISTAKES = [
    ("broadcast_shape", left_aligned, "RIGHT"),
    ("broadcast_shape", no_padding, "missing leading dimension counts as 1"),
    ("broadcast_shape", equal_only, "one of them is 1"),
    ("broadcast_shape", always_max, "incompatible"),
    ("broadcast_shape", raises_when_incompatible, "return None"),
    ("broadcast_shape", list_shape, "expected a tuple"),
    ("broadcast_shape", string_shape, "tuple of ints"),
    ("broadcast_shape", lambda a, b: a, "should be"),
    ("accuracy_from_scores", lambda s, y: np.mean(s.argmax(axis=0) == y), "axis=1"),
    ("accuracy_from_scores", lambda s, y: (s.argmax(axis=1) == y).sum(), "number of correct"),
    ("accuracy_from_scores", lambda s, y: 100 * np.mean(s.argmax(axis=1) == y), "percentage"),
    ("accuracy_from_scores", lambda s, y: np.mean(s.argmax(axis=1) != y), "error rate"),
    ("accuracy_from_scores", lambda s, y: np.mean(s.max(axis=1) == y), "argmax"),
    ("accuracy_from_scores", lambda s, y: s.argmax(axis=1) == y, "np.mean"),
    ("accuracy_from_scores", lambda s, y: [np.mean(s.argmax(axis=1) == y)], "list"),
    ("normalize_rows",
     lambda X, eps=1e-8: (X - X.mean(axis=0, keepdims=True)) / (X.std(axis=0, keepdims=True) + eps),
     "axis=0"),
    ("normalize_rows", lambda X, eps=1e-8: (X - X.mean(axis=1)) / (X.std(axis=1) + eps),
     "keepdims"),
    ("normalize_rows",
     lambda X, eps=1e-8: (X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1) + eps),
     "std needs keepdims"),
    ("normalize_rows", lambda X, eps=1e-8: X - X.mean(axis=1, keepdims=True), "did not divide"),
    ("normalize_rows", lambda X, eps=1e-8: (X - X.mean()) / (X.std() + eps), "WHOLE array"),
    ("normalize_rows",
     lambda X, eps=1e-8: (X - X.mean(axis=1, keepdims=True)) / X.var(axis=1, keepdims=True),
     "variance"),
    ("normalize_rows",
     lambda X, eps=1e-8: (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True),
     "std + eps"),
    ("normalize_rows", normalize_in_place, "modified in place"),
    ("normalize_rows", lambda X, eps=1e-8: good_normalize_rows(X).tolist(), "list"),
    ("normalize_rows", lambda X, eps=1e-8: good_normalize_rows(X), "use the argument eps"),
    ("dense_forward", lambda X, W, b: X @ W.T + b, "W.T"),
    ("dense_forward", lambda X, W, b: W @ X + b, "order matters"),
    ("dense_forward", lambda X, W, b: W.T @ X + b, "W.T @ X"),
    ("dense_forward", lambda X, W, b: W.T @ X.T + b[:, None], "result is transposed"),
    ("dense_forward", lambda X, W, b: X @ W, "bias is missing"),
    ("dense_forward", lambda X, W, b: X @ W + b[:, None], "b[:, None]"),
    ("dense_forward", lambda X, W, b: X * W + b, "matrix product"),
    ("dense_forward", lambda X, W, b: X @ W - b, "do not subtract"),
    ("dense_forward", dense_loop, "looks like a loop"),
    ("dense_forward", dense_bias_in_place, "modified in place"),
    ("dense_forward", lambda X, W, b: (X @ W + b).tolist(), "list"),
    ("dense_forward", lambda X, W, b: [row @ W + b for row in X], "returned a Python list"),
    ("pairwise_sq_distances", lambda A, B: np.sqrt(good_sq_dist(A, B)), "SQUARED"),
    ("pairwise_sq_distances", lambda A, B: good_sq_dist(A, B).T, "transpose"),
    ("pairwise_sq_distances", lambda A, B: (A[:, None, :] - B[None, :, :]) ** 2, "last axis"),
    ("pairwise_sq_distances", lambda A, B: ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=0),
     "wrong axis"),
    ("pairwise_sq_distances", lambda A, B: ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=1),
     "summed over axis=1"),
    ("pairwise_sq_distances", lambda A, B: ((A - B) ** 2).sum(axis=1), "adding axes"),
    ("pairwise_sq_distances", lambda A, B: np.abs(A[:, None, :] - B[None, :, :]).sum(axis=-1),
     "square the differences"),
    ("pairwise_sq_distances", lambda A, B: (A[:, None, :] - B[None, :, :]).sum(axis=-1) ** 2,
     "square each difference"),
    ("pairwise_sq_distances",
     lambda A, B: (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] + 2 * A @ B.T,
     "minus sign"),
    ("pairwise_sq_distances", dist_loop, "looks like a loop"),
    ("pairwise_sq_distances", dist_iter, "looks like a loop"),
    ("pairwise_sq_distances", dist_mutating, "modified in place"),
    ("pairwise_sq_distances", lambda A, B: good_sq_dist(A, B).tolist(), "list"),
]


def todo(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


def crash(*args):
    return undefined_name  # noqa: F821


@pytest.mark.parametrize("name", GOOD)
def test_correct_implementations_pass(name):
    for fn in GOOD[name]:
        result = getattr(checks, name)(fn, strict=False, quiet=True)
        assert result.status == core.PASSED, f"{fn}: {result.line}"
        assert result.line.startswith(f"✅ passed · {name}: ")


@pytest.mark.parametrize("name, fn, keyword", MISTAKES,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_is_named(name, fn, keyword, recwarn):
    result = getattr(checks, name)(fn, strict=False, quiet=True)
    assert result.status == core.WRONG, result.line
    assert keyword in result.line, result.line
    assert "Hint:" in result.line
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)], "a warning leaked"


@pytest.mark.parametrize("name", GOOD)
def test_not_implemented(name):
    result = getattr(checks, name)(todo, strict=False, quiet=True)
    assert result.status == core.TODO
    assert "not implemented" in result.line


@pytest.mark.parametrize("name", GOOD)
def test_exception_is_reported_not_raised(name):
    result = getattr(checks, name)(crash, strict=False, quiet=True)
    assert result.status == core.WRONG
    assert "NameError" in result.line


@pytest.mark.parametrize("name", GOOD)
def test_none_is_reported(name):
    result = getattr(checks, name)(lambda *args: None, strict=False, quiet=True)
    expected = core.WRONG
    assert result.status == expected
    assert "None" in result.line


@pytest.mark.parametrize("name", GOOD)
def test_strict_raises(name):
    with pytest.raises(AssertionError, match=name):
        getattr(checks, name)(crash, strict=True, quiet=True)
    with pytest.raises(AssertionError, match="not implemented"):
        getattr(checks, name)(todo, strict=True, quiet=True)
    assert getattr(checks, name)(GOOD[name][0], strict=True, quiet=True).passed


@pytest.mark.parametrize("name", GOOD)
def test_prints_exactly_one_line(name, capsys):
    getattr(checks, name)(GOOD[name][0], strict=False)
    getattr(checks, name)(crash, strict=False)
    out = capsys.readouterr().out
    assert out.count("\n") == 2 and out.startswith("✅") and "\n❌" in out


def test_names_are_exported_and_unique():
    from course_lib.checks import ch00_numpy
    for name in ch00_numpy.__all__:
        assert getattr(checks, name) is getattr(ch00_numpy, name), f"checks.{name} is shadowed"


def test_broadcast_cases_agree_with_numpy():
    from course_lib.checks.ch00_numpy import _PAIRS, _broadcast
    for a, b in _PAIRS:
        assert _broadcast(a, b) == numpy_broadcast_shape(a, b)


def test_counting_array_sees_a_loop_but_not_broadcasting():
    from course_lib.checks.ch00_numpy import _Counting
    A = np.ones((10, 3)).view(_Counting)
    _Counting.touches = 0
    good_sq_dist(A, A)
    expanded_sq_dist(A, A)
    assert _Counting.touches <= 6
    _Counting.touches = 0
    dist_iter(A, A)
    assert _Counting.touches >= 10
