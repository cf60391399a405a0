"""Checkers for chapter 00 · NumPy for neural networks: tables on the engine of :mod:`.core`.

The inputs are chosen so that the typical NumPy mistakes give a *different* answer: square inputs,
where ``axis=0`` and ``axis=1`` (or ``W`` and ``W.T``) both "work" but disagree, come first;
non-square ones, where a missing ``keepdims`` raises a broadcasting error, follow.

Loops cannot be detected reliably. Two checkers (``extra``) feed an array that counts how often
Python code indexes it or iterates over it: a vectorized solution touches it a handful of times,
a loop over the rows once per row.
"""

import numpy as np

from .core import Case, compare, describe, table

__all__ = ["broadcast_shape", "accuracy_from_scores", "normalize_rows", "dense_forward",
           "pairwise_sq_distances"]

_rng = np.random.default_rng(0)


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


def _no_loop(args, limit, hint):
    """An ``extra`` body: ``fn`` on counting copies of ``args`` must touch them at most ``limit``
    times."""
    def extra(c, fn):
        _Counting.touches = 0
        c.call(fn, *[a.copy().view(_Counting) for a in args])
        c.ok(_Counting.touches <= limit,
             f"your function indexed or iterated over its inputs {_Counting.touches} times from "
             "Python, which looks like a loop", hint)
    return extra


# -- exercise 1: broadcast_shape ------------------------------------------------------------------
def _pad(a, b):
    n = max(len(a), len(b))
    return (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)


def _broadcast(shape_a, shape_b):
    out = []
    for x, y in zip(*_pad(shape_a, shape_b)):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


def _left_aligned(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    return _broadcast(tuple(shape_a) + (1,) * (n - len(shape_a)),
                      tuple(shape_b) + (1,) * (n - len(shape_b)))


def _zip_short(shape_a, shape_b):
    pairs = list(zip(shape_a[::-1], shape_b[::-1]))[::-1]
    if any(x != y and 1 not in (x, y) for x, y in pairs):
        return None
    return tuple(max(x, y) for x, y in pairs)


def _raises(shape_a, shape_b):
    out = _broadcast(shape_a, shape_b)
    if out is None:
        raise ValueError(f"shapes {shape_a} and {shape_b} do not broadcast")
    return out


def _shape_check(got, want, case):
    what = f"broadcast_shape{describe(case.args)}"
    if got is None and want is None:
        return None
    text = "None" if want is None else describe(want)
    if got is not None and not isinstance(got, tuple):
        return (f"{what} returned a {type(got).__name__}, expected a tuple (or None)",
                "shapes are tuples, like (4, 3): return tuple(result)")
    if got is not None and not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                                   for s in got):
        return (f"{what} should be a tuple of ints, got {describe(got)}",
                "each entry of a shape is an int")
    if got is None or tuple(int(s) for s in got) != want:
        return f"{what} should be {text}, got {describe(got)}", None
    return None


_PAIRS = [((4, 3), (3,)), ((4, 1), (1, 3)), ((3,), (4, 3)), ((4, 3), (4,)), ((2, 1, 5), (4, 1)),
          ((2, 3), (3, 2)), ((5,), (5,)), ((), (2, 3)), ((8, 1, 6, 1), (7, 1, 5)),
          ((3, 1), (3, 4, 1))]
broadcast_shape = table(
    "broadcast_shape", _broadcast, check=_shape_check,
    hint="pad the shorter shape with 1s on the left, then compare pair by pair from the right: "
         "equal sizes or a 1 fit (the result takes the bigger size), anything else gives None",
    cases=[Case(a, b, hint="return None for shapes that do not fit, instead of raising an exception"
                if _broadcast(a, b) is None else None) for a, b in _PAIRS],
    mistakes={
        "align the shapes on the RIGHT: compare the last dimensions first, then move left":
            _left_aligned,
        "the result has as many dimensions as the longer shape: a missing leading dimension counts "
        "as 1 (pad the shorter shape with 1s on the left)": _zip_short,
        "two sizes are compatible when they are equal OR when one of them is 1 "
        "(that one is stretched)":
            lambda shape_a, shape_b: (lambda a, b: a if a == b else None)(*_pad(shape_a, shape_b)),
        "sizes that differ and are both bigger than 1 (like 3 and 4) are incompatible: "
        "return None for them":
            lambda shape_a, shape_b: tuple(max(x, y) for x, y in zip(*_pad(shape_a, shape_b))),
        "return None for shapes that do not fit, instead of raising an exception": _raises,
        "shapes are tuples, like (4, 3): return tuple(result), not a list":
            lambda shape_a, shape_b: (lambda r: r if r is None else list(r))(
                _broadcast(shape_a, shape_b)),
        "a size-1 dimension is stretched to the other size: take the bigger one, max(x, y)":
            lambda shape_a, shape_b: (lambda r: r if r is None else tuple(
                min(x, y) for x, y in zip(*_pad(shape_a, shape_b))))(_broadcast(shape_a, shape_b)),
    },
    correct=[_broadcast, lambda shape_a, shape_b: (lambda n: (lambda a, b: None if any(
        x != y and x != 1 and y != 1 for x, y in zip(a, b))
        else tuple(y if x == 1 else x for x, y in zip(a, b)))(
        (1,) * (n - len(shape_a)) + tuple(shape_a), (1,) * (n - len(shape_b)) + tuple(shape_b)))(
        max(len(shape_a), len(shape_b)))],
    summary=f"{sum(_broadcast(a, b) is None for a, b in _PAIRS)} of them do not fit")


# -- exercise 2: accuracy_from_scores -------------------------------------------------------------
def _acc(scores, labels):
    return float(np.mean(scores.argmax(axis=1) == labels))


_AXIS = ("scores has one row per sample, so the predicted class of each sample is the argmax along "
         "axis=1 (across the columns), not axis=0")
_S4 = np.array([[0.1, 2.0, 0.3, 0.0], [1.5, 0.2, 0.1, 0.3],
                [0.2, 0.1, 0.4, 3.0], [0.9, 0.8, 0.7, 0.1]])
accuracy_from_scores = table(
    "accuracy_from_scores", _acc, errors=[("broadcast", _AXIS)],
    cases=[Case(_S4, np.array([1, 0, 2, 0]), what="accuracy on 4 samples with 3 right"),
           Case(_rng.normal(size=(6, 3)), np.array([0, 1, 2, 2, 1, 0]),
                what="accuracy on 6 samples, 3 classes"),
           Case(_S4, np.array([1, 0, 3, 0]), what="accuracy on 4 samples, all right")],
    mistakes={
        _AXIS: lambda scores, labels: float(np.mean(scores.argmax(axis=0) == labels)),
        "np.argmax without an axis gives one index into the flattened array: "
        "use scores.argmax(axis=1)":
            lambda scores, labels: float(np.mean(scores.argmax() == labels)),
        "that is the number of correct predictions; divide by the number of samples "
        "(np.mean does both)":
            lambda scores, labels: float(np.sum(scores.argmax(axis=1) == labels)),
        "return a fraction between 0 and 1, not a percentage":
            lambda scores, labels: 100 * _acc(scores, labels),
        "that is the error rate: count the samples where the prediction EQUALS the label":
            lambda scores, labels: 1 - _acc(scores, labels),
        "np.max gives the highest score; np.argmax gives its position, the predicted class":
            lambda scores, labels: float(np.mean(scores.max(axis=1) == labels)),
        "average the True/False array to get a single fraction: np.mean(predictions == labels)":
            lambda scores, labels: scores.argmax(axis=1) == labels,
        "// is integer division: use / (or np.mean) for a fraction":
            lambda scores, labels: int(np.sum(scores.argmax(axis=1) == labels)) // len(labels),
        "divide by the number of samples N, not by the number of scores N*C":
            lambda scores, labels: float(np.sum(scores.argmax(axis=1) == labels) / scores.size),
    },
    correct=[_acc, lambda scores, labels: np.mean(np.argmax(scores, axis=1) == labels),
             lambda scores, labels: np.count_nonzero(scores.argmax(1) == labels) / len(labels)],
    summary="argmax along axis 1")


# -- exercise 3: normalize_rows -------------------------------------------------------------------
def _norm(X, eps=1e-8):
    return (X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1, keepdims=True) + eps)


def _norm_in_place(X, eps=1e-8):
    X -= X.mean(axis=1, keepdims=True)
    X /= X.std(axis=1, keepdims=True) + eps
    return X


def _norm_check(got, want, case):
    """(X - mean) / (std + eps), or layer norm's (X - mean) / sqrt(var + eps): both use eps."""
    X, eps = case.args[0], case.kwargs.get("eps", 1e-8)
    problem = compare(got, want, case.label("normalize_rows"))
    alt = (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.var(axis=1, keepdims=True) + eps)
    return problem if problem is None or compare(got, alt, "") else None


_KEEPDIMS = ("X.mean(axis=1) has shape (N,), which lines up with the COLUMNS of X (N, D); "
             "X.mean(axis=1, keepdims=True) has shape (N, 1) and stretches along each row")
normalize_rows = table(
    "normalize_rows", _norm, errors=[("broadcast", _KEEPDIMS)], check=_norm_check,
    cases=[Case(_rng.normal(2.0, 3.0, size=(4, 4)), what="normalize_rows of a (4, 4) array"),
           Case(_rng.normal(-1.0, 0.5, size=(3, 5)), what="normalize_rows of a (3, 5) array"),
           Case(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]),
                hint="the row [5, 5, 5] has std 0 and 0 / 0 is NaN: divide by (std + eps)"),
           Case(_rng.normal(size=(3, 4)), kw={"eps": 0.5}, optional=True,
                what="normalize_rows(X, eps=0.5)")],
    mistakes={
        "axis=0 normalises the COLUMNS; each row is one sample, so take the mean and std along "
        "axis=1":
            lambda X, eps=1e-8: ((X - X.mean(axis=0, keepdims=True))
                                 / (X.std(axis=0, keepdims=True) + eps)),
        "it looks like keepdims is missing: " + _KEEPDIMS:
            lambda X, eps=1e-8: (X - X.mean(axis=1)) / (X.std(axis=1) + eps),
        "the std needs keepdims=True too: " + _KEEPDIMS:
            lambda X, eps=1e-8: (X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1) + eps),
        "you subtracted the row mean but did not divide by the row standard deviation":
            lambda X, eps=1e-8: X - X.mean(axis=1, keepdims=True),
        "subtract the row mean before dividing by the row std":
            lambda X, eps=1e-8: X / (X.std(axis=1, keepdims=True) + eps),
        "np.mean(X) without an axis averages over the WHOLE array: use axis=1, keepdims=True for "
        "one mean per row": lambda X, eps=1e-8: (X - X.mean()) / (X.std() + eps),
        "divide by the standard deviation (X.std), not the variance (X.var)":
            lambda X, eps=1e-8: ((X - X.mean(axis=1, keepdims=True))
                                 / (X.var(axis=1, keepdims=True) + eps)),
        "eps is missing: the row [5, 5, 5] has std 0 and 0 / 0 is NaN; divide by (std + eps)":
            lambda X, eps=1e-8: (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True),
        "use np.std's default (ddof=0, dividing by D), not ddof=1":
            lambda X, eps=1e-8: ((X - X.mean(axis=1, keepdims=True))
                                 / (X.std(axis=1, ddof=1, keepdims=True) + eps)),
        "X -= ... writes into the caller's array; write out = X - ... to build a new one":
            _norm_in_place,
        "use the argument eps, not a fixed 1e-8": lambda X, eps=1e-8: _norm(X),
    },
    correct=[_norm,
             lambda X, eps=1e-8: (X - np.mean(X, 1)[:, None]) / (np.std(X, 1)[:, None] + eps)],
    summary="rows have mean 0 and std 1")


# -- exercise 4: dense_forward --------------------------------------------------------------------
_ORDER = ("the shapes must chain: X (N, D_in) @ W (D_in, D_out) -> (N, D_out), then + b (D_out,); "
          "W.T, W @ X or X @ W.T do not fit")
_LOOP_DENSE = "no loops needed: one matrix product and one broadcast addition, X @ W + b"


dense_forward = table(
    "dense_forward", lambda X, W, b: X @ W + b,
    errors=[("matmul", _ORDER), ("broadcast", _ORDER), ("aligned", _ORDER)],
    cases=[Case(_rng.normal(size=(3, 3)), _rng.normal(size=(3, 3)), np.array([0.5, -1.0, 2.0]),
                what="dense_forward on a (3, 3) batch"),
           Case(_rng.normal(size=(5, 4)), _rng.normal(size=(4, 2)), _rng.normal(size=2),
                what="dense_forward with X (5, 4), W (4, 2), b (2,)")],
    mistakes={
        "it looks like you used W.T: W already has shape (D_in, D_out), so X @ W fits":
            lambda X, W, b: X @ W.T + b,
        "the order matters: X @ W (samples times weights), not W @ X": lambda X, W, b: W @ X + b,
        "it looks like you computed W.T @ X: use X @ W, with X first": lambda X, W, b: W.T @ X + b,
        "the bias is missing: add b after the product": lambda X, W, b: X @ W,
        "b[:, None] adds b[i] to row i; the bias belongs to the outputs (columns): add b as it is, "
        "shape (D_out,)": lambda X, W, b: X @ W + b[:, None],
        "X * W multiplies element by element; a layer needs the matrix product X @ W":
            lambda X, W, b: X * W + b,
        "add the bias, do not subtract it": lambda X, W, b: X @ W - b,
        "a list of rows is not an array: " + _LOOP_DENSE:
            lambda X, W, b: [row @ W + b for row in X],
    },
    correct=[lambda X, W, b: X @ W + b, lambda X, W, b: np.dot(X, W) + b,
             lambda X, W, b: np.einsum("ni,ij->nj", X, W) + b],
    extra=_no_loop([_rng.normal(size=(32, 8)), _rng.normal(size=(8, 6)), _rng.normal(size=6)],
                   8, _LOOP_DENSE),
    summary="shapes (N, D_in) @ (D_in, D_out) + (D_out,)")


# -- exercise 5: pairwise_sq_distances ------------------------------------------------------------
def _sq_dist(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1)


_LOOP_DIST = ("use broadcasting instead of a loop: A[:, None, :] has shape (N, 1, D) and "
              "B[None, :, :] has shape (1, M, D); their difference is (N, M, D)")
_DIFF = lambda A, B: A[:, None, :] - B[None, :, :]  # noqa: E731
pairwise_sq_distances = table(
    "pairwise_sq_distances", _sq_dist,
    errors=[("broadcast", "A (N, D) and B (M, D) only line up after adding axes: " + _LOOP_DIST)],
    cases=[Case(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]),
                np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0]]),
                what="pairwise_sq_distances with A (4, 2), B (3, 2)"),
           Case(_rng.normal(size=(3, 5)), _rng.normal(size=(6, 5)),
                what="pairwise_sq_distances with A (3, 5), B (6, 5)"),
           Case(*[_rng.normal(size=(4, 3))] * 2, what="pairwise_sq_distances(A, A)")],
    mistakes={
        "those are the distances; the task asks for SQUARED distances (no square root)":
            lambda A, B: np.sqrt(_sq_dist(A, B)),
        "square the differences before summing: (A_i - B_j) ** 2":
            lambda A, B: np.abs(_DIFF(A, B)).sum(axis=-1),
        "square each difference first, then sum: sum((a - b) ** 2), not (sum(a - b)) ** 2":
            lambda A, B: _DIFF(A, B).sum(axis=-1) ** 2,
        "|a - b|^2 = |a|^2 + |b|^2 - 2 a.b: the product term has a minus sign":
            lambda A, B: (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] + 2 * A @ B.T,
        "rows should index A and columns B: out[i, j] compares A[i] with B[j]; you returned the "
        "transpose (M, N)": lambda A, B: _sq_dist(A, B).T,
        "sum the squared differences over the last axis (the D features): .sum(axis=-1)":
            lambda A, B: _DIFF(A, B) ** 2,
        "you summed over the wrong axis: sum over the last axis (the D features)":
            lambda A, B: (_DIFF(A, B) ** 2).sum(axis=0),
        "A - B pairs A[i] with B[i] only: A (N, D) and B (M, D) only line up after adding axes, "
        "A[:, None, :] - B[None, :, :], which compares every pair":
            lambda A, B: ((A - B) ** 2).sum(axis=-1),
    },
    correct=[_sq_dist,
             lambda A, B: (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] - 2 * A @ B.T],
    extra=_no_loop([_rng.normal(size=(20, 3)), _rng.normal(size=(15, 3))], 10, _LOOP_DIST),
    summary="fully vectorized")
