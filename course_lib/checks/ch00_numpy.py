"""Checkers for chapter 00 · NumPy for neural networks (see course_lib.checks.core for the framework).

Each checker runs the learner's function on small inputs chosen so that the typical NumPy mistakes
give a *different* answer: square inputs, where ``axis=0`` and ``axis=1`` (or ``W`` and ``W.T``)
both "work" but disagree, and non-square ones, where a missing ``keepdims`` raises a broadcasting
error. When the output matches a mistake's output, the hint names that mistake.

Loops cannot be detected reliably. Two checkers feed an array that counts how often Python code
indexes it or iterates over it: a vectorized solution touches it a handful of times, a loop over
the rows once per row.
"""

import warnings

import numpy as np

from .core import Wrong, checker, describe

__all__ = ["broadcast_shape", "accuracy_from_scores", "normalize_rows", "dense_forward",
           "pairwise_sq_distances"]

_LIST_HINT = "build the result with NumPy operations (or wrap it: np.array(result)); a Python list has no .shape"


# -- helpers ------------------------------------------------------------------------------------

class _Counting(np.ndarray):
    """An array that counts Python-level indexing (``a[i]``) and iteration (``for row in a``)."""

    touches = 0

    def __getitem__(self, key):
        _Counting.touches += 1
        return super().__getitem__(key)

    def __iter__(self):
        for row in super().__iter__():
            _Counting.touches += 1
            yield row


def _run(c, fn, *args, errors=()):
    """Call ``fn`` on copies of ``args`` with NumPy warnings silenced.

    ``errors`` are ``(text, hint)`` pairs: an exception whose message contains ``text`` is reported
    with that hint instead of the generic one.
    """
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return c.call_raw(fn, *args)
        except Wrong as w:
            cause = w.__cause__
            for text, hint in errors:
                if cause is not None and text in str(cause):
                    raise Wrong(w.message, hint) from cause
            raise


def _not_a_list(c, got, what):
    """A list or tuple is not an array: say so before comparing values."""
    c.ok(not isinstance(got, (list, tuple)),
         f"{what} returned a Python {type(got).__name__}, expected a NumPy array", _LIST_HINT)


def _as_float(got):
    try:
        return np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _same(got, want):
    arr = _as_float(got)
    want = np.asarray(want, dtype=np.float64)
    return (arr is not None and arr.shape == want.shape
            and bool(np.allclose(arr, want, rtol=1e-6, atol=1e-8, equal_nan=True)))


def _differ(what, got, want):
    """A message that shows where ``got`` and ``want`` (same shape) differ, readable for big arrays."""
    if want.size <= 6:
        return f"{what} should be {describe(want)}, got {describe(got)}"
    bad = ~np.isclose(got, want, rtol=1e-6, atol=1e-8)
    row = int(np.argmax(bad.reshape(len(want), -1).any(axis=1)))
    if want[row].size <= 6:
        return f"{what}: row {row} should be {describe(want[row])}, got {describe(got[row])}"
    return f"{what} is off by up to {np.abs(got - want).max():.4g}"


def _expect(c, got, want, what, mistakes=(), hint=None):
    """``c.close`` that first looks for a typical mistake: ``mistakes`` are (wrong output, hint)."""
    want = np.asarray(want, dtype=np.float64)
    arr = _as_float(got)
    if arr is not None and arr.shape == want.shape and np.isfinite(arr).all() and not _same(arr, want):
        mistake = next((m for wrong, m in mistakes if _same(arr, wrong)), hint)
        c.count += 1
        raise Wrong(_differ(what, arr, want), mistake)
    return c.close(got, want, what, hint=hint)


def _untouched(c, fn, args, names):
    """Call ``fn`` on ``args`` themselves and check that none of them changed."""
    before = [a.copy() for a in args]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        c.call_raw(fn, *args)
    for b, a, name in zip(before, args, names):
        c.unchanged(b, a, f"the input {name}",
                    f"`{name} -= ...` or `{name} /= ...` writes into the caller's array; "
                    f"write `out = {name} - ...` to build a new one")


def _no_loop(c, fn, args, what, limit, hint):
    """Call ``fn`` on counting arrays; more than ``limit`` touches means a Python loop."""
    _Counting.touches = 0
    counted = [a.copy().view(_Counting) for a in args]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        got = c.call_raw(fn, *counted)
    touches = _Counting.touches
    c.ok(touches <= limit, f"{what} indexed or iterated over its inputs {touches} times from Python, "
                           f"which looks like a loop", hint)
    return np.asarray(got, dtype=np.float64) if got is not None else None


# -- exercise 1: broadcast_shape ----------------------------------------------------------------

def _reference_broadcast(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


def _left_aligned(a, b):
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    return _reference_broadcast(a, b)


def _no_size_one_rule(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(a) if a == b else None


def _always_max(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


def _zip_short(a, b):
    pairs = list(zip(a[::-1], b[::-1]))[::-1]
    out = []
    for x, y in pairs:
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


_BROADCAST_CASES = [((4, 3), (3,)), ((4, 1), (1, 3)), ((3,), (4, 3)), ((4, 3), (4,)),
                    ((2, 1, 5), (4, 1)), ((2, 3), (3, 2)), ((5,), (5,)), ((), (2, 3)),
                    ((8, 1, 6, 1), (7, 1, 5)), ((3, 1), (3, 4, 1))]

_BROADCAST_MISTAKES = [
    (_left_aligned, "align the shapes on the RIGHT: compare the last dimensions first, then move left"),
    (_zip_short, "the result has as many dimensions as the longer shape: a missing leading "
                 "dimension counts as 1 (pad the shorter shape with 1s on the left)"),
    (_no_size_one_rule, "two sizes are compatible when they are equal OR when one of them is 1 "
                        "(that one is stretched)"),
    (_always_max, "sizes that differ and are both bigger than 1 (like 3 and 4) are incompatible: "
                  "return None for them"),
]


def _shape_text(shape):
    if shape is None:
        return "None"
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


@checker("broadcast_shape")
def broadcast_shape(c, fn):
    results = []
    for a, b in _BROADCAST_CASES:
        want = _reference_broadcast(a, b)
        what = f"broadcast_shape({_shape_text(a)}, {_shape_text(b)})"
        raised = ("return None for shapes that do not fit, instead of raising an exception"
                  if want is None else "run your function on this example and read the traceback")
        got = _run(c, fn, a, b, errors=[("", raised)])
        c.count += 1
        if got is not None:
            if not isinstance(got, tuple):
                raise Wrong(f"{what} returned a {type(got).__name__}, expected a tuple (or None)",
                            "shapes are tuples, like (4, 3): return tuple(result)")
            if not all(isinstance(s, (int, np.integer)) for s in got):
                raise Wrong(f"{what} should be a tuple of ints, got {describe(got)}",
                            "each entry of a shape is an int, like 4 or 3")
            got = tuple(int(s) for s in got)
        results.append(got)
    wrong = [i for i, (case, got) in enumerate(zip(_BROADCAST_CASES, results))
             if got != _reference_broadcast(*case)]
    if wrong and all(r is None for r in results):
        raise Wrong("broadcast_shape returned None for every pair of shapes",
                    "return the result shape as a tuple; did you forget a `return` statement")
    if wrong:
        # the mistake that explains every answer, else the first one that explains the first error
        explains = [(sum(m(*case) == got for case, got in zip(_BROADCAST_CASES, results)), -k, h)
                    for k, (m, h) in enumerate(_BROADCAST_MISTAKES)
                    if m(*_BROADCAST_CASES[wrong[0]]) == results[wrong[0]]]
        hint = max(explains)[2] if explains else "pad the shorter shape with 1s on the left, then compare pair by pair"
        a, b = _BROADCAST_CASES[wrong[0]]
        raise Wrong(f"broadcast_shape({_shape_text(a)}, {_shape_text(b)}) should be "
                    f"{_shape_text(_reference_broadcast(a, b))}, got {_shape_text(results[wrong[0]])}", hint)
    n_none = sum(_reference_broadcast(a, b) is None for a, b in _BROADCAST_CASES)
    return f"{n_none} of them do not fit"


# -- exercise 2: accuracy_from_scores -----------------------------------------------------------

def _accuracy(scores, labels):
    return float(np.mean(scores.argmax(axis=1) == labels))


@checker("accuracy_from_scores")
def accuracy_from_scores(c, fn):
    # square (4 samples, 4 classes): argmax along the wrong axis still runs, so it must disagree
    scores = np.array([[0.1, 2.0, 0.3, 0.0],
                       [1.5, 0.2, 0.1, 0.3],
                       [0.2, 0.1, 0.4, 3.0],
                       [0.9, 0.8, 0.7, 0.1]])
    labels = np.array([1, 0, 2, 0])
    want = _accuracy(scores, labels)                            # 3 of 4 right
    axis_hint = ("scores has one row per sample, so the predicted class of each sample is the "
                 "argmax along axis=1 (across the columns), not axis=0")
    got = _run(c, fn, scores, labels)
    _not_a_list(c, got, "accuracy_from_scores")
    if isinstance(got, np.ndarray) and got.size == len(labels):
        c.ok(False, f"accuracy_from_scores returned an array of shape {got.shape}, expected one number",
             "average the True/False array to get a single fraction: np.mean(predictions == labels)")
    hits = scores.argmax(axis=1) == labels
    mistakes = [
        (float(np.mean(scores.argmax(axis=0) == labels)), axis_hint),
        (float(hits.sum()), "that is the number of correct predictions; divide by the number of "
                            "samples (np.mean does both)"),
        (100 * want, "return a fraction between 0 and 1, not a percentage"),
        (1 - want, "that is the error rate: count the samples where the prediction EQUALS the label"),
        (float(np.mean(scores.max(axis=1) == labels)), "np.max gives the highest score; np.argmax "
                                                       "gives its position, the predicted class"),
    ]
    _expect(c, got, want, "accuracy on 4 samples with 3 right", mistakes,
            hint="predictions = scores.argmax(axis=1); accuracy = np.mean(predictions == labels)")
    # non-square (6 samples, 3 classes)
    rng = np.random.default_rng(5)
    scores = rng.normal(size=(6, 3))
    labels = np.array([0, 1, 2, 2, 1, 0])
    got = _run(c, fn, scores, labels,
               errors=[("broadcast", axis_hint), ("index", "labels are class numbers 0..C-1; "
                                                           "compare them with the predicted classes")])
    _expect(c, got, _accuracy(scores, labels), "accuracy on 6 samples with 3 classes",
            [(float((scores.argmax(axis=1) == labels).sum()), "divide by the number of samples")],
            hint="predictions = scores.argmax(axis=1); accuracy = np.mean(predictions == labels)")
    _untouched(c, fn, [scores, labels], ["scores", "labels"])
    return "argmax along axis 1"


# -- exercise 3: normalize_rows -----------------------------------------------------------------

def _normalize(X, axis=1, keepdims=True, eps=1e-8):
    mean = X.mean(axis=axis, keepdims=keepdims)
    std = X.std(axis=axis, keepdims=keepdims)
    return (X - mean) / (std + eps)


_KEEPDIMS_HINT = ("X.mean(axis=1) has shape (N,), which lines up with the COLUMNS of X (N, D); "
                  "X.mean(axis=1, keepdims=True) has shape (N, 1) and stretches along each row")


@checker("normalize_rows")
def normalize_rows(c, fn):
    rng = np.random.default_rng(0)
    # square first: axis=0 and a missing keepdims both run without error here
    X = rng.normal(2.0, 3.0, size=(4, 4))
    got = _run(c, fn, X, errors=[("broadcast", _KEEPDIMS_HINT)])
    _not_a_list(c, got, "normalize_rows")
    mistakes = [
        (_normalize(X, axis=0), "axis=0 normalises the COLUMNS; each row is one sample, so take the "
                                "mean and std along axis=1"),
        (_normalize(X, keepdims=False), "it looks like keepdims is missing: " + _KEEPDIMS_HINT),
        ((X - X.mean(axis=1, keepdims=True)) / X.std(axis=1), "the std needs keepdims=True too: "
                                                              + _KEEPDIMS_HINT),
        (X - X.mean(axis=1, keepdims=True), "you subtracted the row mean but did not divide by the "
                                            "row standard deviation"),
        (X / X.std(axis=1, keepdims=True), "subtract the row mean before dividing by the row std"),
        ((X - X.mean()) / X.std(), "np.mean(X) without an axis averages over the WHOLE array: "
                                   "use axis=1, keepdims=True for one mean per row"),
        ((X - X.mean(axis=1, keepdims=True)) / X.var(axis=1, keepdims=True),
         "divide by the standard deviation (X.std), not the variance (X.var)"),
    ]
    hint = "(X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1, keepdims=True) + eps)"
    _expect(c, got, _normalize(X), "normalize_rows of a (4, 4) array", mistakes, hint=hint)
    # non-square: a missing keepdims raises a broadcasting error here
    X = rng.normal(-1.0, 0.5, size=(3, 5))
    got = _run(c, fn, X, errors=[("broadcast", _KEEPDIMS_HINT)])
    got = _expect(c, got, _normalize(X), "normalize_rows of a (3, 5) array",
                  [(_normalize(X, axis=0), "axis=0 normalises the COLUMNS; use axis=1")], hint=hint)
    c.ok(np.allclose(got.mean(axis=1), 0, atol=1e-7) and np.allclose(got.std(axis=1), 1, atol=1e-6),
         "each row of the result should have mean 0 and std 1", hint)
    # a constant row has std 0: eps keeps it finite
    X = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])
    got = _run(c, fn, X)
    eps_hint = "the row [5, 5, 5] has std 0 and 0 / 0 is NaN: divide by (std + eps)"
    c.close(got, _normalize(X), "normalize_rows([[1, 2, 3], [5, 5, 5]])", hint=eps_hint)
    _untouched(c, fn, [rng.normal(size=(3, 4))], ["X"])
    return "rows have mean 0 and std 1"


# -- exercise 4: dense_forward ------------------------------------------------------------------

_ORDER_HINT = ("the shapes must chain: X (N, D_in) @ W (D_in, D_out) -> (N, D_out), then + b (D_out,); "
               "W.T, W @ X or X @ W.T do not fit")
_LOOP_HINT_DENSE = "no loops needed: one matrix product and one broadcast addition, X @ W + b"


@checker("dense_forward")
def dense_forward(c, fn):
    rng = np.random.default_rng(1)
    # square (3 samples, 3 inputs, 3 outputs): transposes and wrong orders run but disagree
    X, W, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), np.array([0.5, -1.0, 2.0])
    got = _run(c, fn, X, W, b, errors=[("matmul", _ORDER_HINT), ("broadcast", _ORDER_HINT),
                                       ("aligned", _ORDER_HINT)])
    _not_a_list(c, got, "dense_forward")
    mistakes = [
        (X @ W.T + b, "it looks like you used W.T: W already has shape (D_in, D_out), so X @ W fits"),
        (W @ X + b, "the order matters: X @ W (samples times weights), not W @ X"),
        (W.T @ X + b, "it looks like you computed W.T @ X: use X @ W, with X first"),
        (X @ W, "the bias is missing: add b after the product"),
        (X @ W + b[:, None], "b[:, None] adds b[i] to row i; the bias belongs to the outputs (columns): "
                             "add b as it is, shape (D_out,)"),
        (X * W + b, "X * W multiplies element by element; a layer needs the matrix product X @ W"),
        (X @ W - b, "add the bias, do not subtract it"),
    ]
    _expect(c, got, X @ W + b, "dense_forward on a (3, 3) batch", mistakes,
            hint="out = X @ W + b")
    # non-square: N=5, D_in=4, D_out=2
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    got = _run(c, fn, X, W, b, errors=[("matmul", _ORDER_HINT), ("broadcast", _ORDER_HINT),
                                       ("aligned", _ORDER_HINT)])
    _expect(c, got, X @ W + b, "dense_forward with X (5, 4), W (4, 2), b (2,)", [(X @ W, "the bias is missing")],
            hint=_ORDER_HINT)
    _untouched(c, fn, [X, W, b], ["X", "W", "b"])
    X, W, b = rng.normal(size=(32, 8)), rng.normal(size=(8, 6)), rng.normal(size=6)
    got = _no_loop(c, fn, [X, W, b], "dense_forward", limit=8, hint=_LOOP_HINT_DENSE)
    c.close(got, X @ W + b, "dense_forward on a (32, 8) batch", hint=_LOOP_HINT_DENSE)
    return "shapes (N, D_in) @ (D_in, D_out) + (D_out,)"


# -- exercise 5: pairwise_sq_distances ----------------------------------------------------------

def _sq_dist(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1)


_LOOP_HINT_DIST = ("use broadcasting instead of a loop: A[:, None, :] has shape (N, 1, D) and "
                   "B[None, :, :] has shape (1, M, D); their difference is (N, M, D)")


@checker("pairwise_sq_distances")
def pairwise_sq_distances(c, fn):
    A = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 4.0]])        # N = 4, D = 2
    B = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0]])                   # M = 3
    want = _sq_dist(A, B)
    got = _run(c, fn, A, B, errors=[("broadcast", "A (N, D) and B (M, D) only line up after adding "
                                                  "axes: " + _LOOP_HINT_DIST)])
    _not_a_list(c, got, "pairwise_sq_distances")
    diff = A[:, None, :] - B[None, :, :]
    arr = _as_float(got)
    if arr is not None and arr.shape != want.shape:
        shape_hints = {(3, 4): "rows should index A and columns B: out[i, j] compares A[i] with B[j]; "
                               "you returned the transpose (M, N)",
                       (4, 3, 2): "sum the squared differences over the last axis (the D features): "
                                  ".sum(axis=-1)",
                       (3, 2): "you summed over the wrong axis: sum over the last axis (the D features)",
                       (4, 2): "you summed over the wrong axis: sum over the last axis (the D features)"}
        hint = shape_hints.get(arr.shape, _LOOP_HINT_DIST)
        c.shape(got, want.shape, "pairwise_sq_distances with A (4, 2), B (3, 2)", hint)
    mistakes = [
        (np.sqrt(want), "those are the distances; the task asks for SQUARED distances (no square root)"),
        (np.abs(diff).sum(axis=-1), "square the differences before summing: (A_i - B_j) ** 2"),
        (diff.sum(axis=-1) ** 2, "square each difference first, then sum: sum((a - b) ** 2), not (sum(a - b)) ** 2"),
        ((A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] + 2 * A @ B.T,
         "|a - b|^2 = |a|^2 + |b|^2 - 2 a.b: the product term has a minus sign"),
    ]
    _expect(c, got, want, "pairwise_sq_distances with A (4, 2), B (3, 2)", mistakes,
            hint="out[i, j] = sum over d of (A[i, d] - B[j, d]) ** 2")
    rng = np.random.default_rng(2)
    A, B = rng.normal(size=(3, 5)), rng.normal(size=(6, 5))
    got = _run(c, fn, A, B)
    _expect(c, got, _sq_dist(A, B), "pairwise_sq_distances with A (3, 5), B (6, 5)",
            hint="out[i, j] = sum over d of (A[i, d] - B[j, d]) ** 2")
    self_dist = c.shape(_run(c, fn, A, A), (3, 3), "pairwise_sq_distances(A, A)")
    c.close(self_dist.diagonal(), np.zeros(3), "the distance of each point to itself",
            hint="every point is at distance 0 from itself")
    _untouched(c, fn, [A, B], ["A", "B"])
    A, B = rng.normal(size=(20, 3)), rng.normal(size=(15, 3))
    got = _no_loop(c, fn, [A, B], "pairwise_sq_distances", limit=10, hint=_LOOP_HINT_DIST)
    c.close(got, _sq_dist(A, B), "pairwise_sq_distances with A (20, 3), B (15, 3)", hint=_LOOP_HINT_DIST)
    return "fully vectorized"
