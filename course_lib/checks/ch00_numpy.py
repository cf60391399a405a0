"""Checkers for chapter 00 · NumPy for neural networks (tables on :mod:`.core`). Square inputs,
where ``axis=0`` and ``axis=1`` (or ``W`` and ``W.T``) both "work" but disagree, come first; then
non-square ones, where a missing ``keepdims`` raises. Loops are caught by an ``extra`` feeding
arrays that count Python-level indexing and iteration."""

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
    """An ``extra``: ``fn`` on counting copies of ``args`` touches them at most ``limit`` times."""
    def extra(c, fn):
        _Counting.touches = 0
        c.call(fn, *[a.copy().view(_Counting) for a in args])
        c.ok(_Counting.touches <= limit, f"your function indexed or iterated over its inputs "
             f"{_Counting.touches} times from Python, which looks like a loop", hint)
    return extra


def _pad(a, b):
    n = max(len(a), len(b))
    return (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)


def _fit(pairs, size=max):
    """Size pairs broadcast: ``size(x, y)`` for each if all fit (equal or a 1), else None."""
    pairs = list(pairs)
    if any(x != y and 1 not in (x, y) for x, y in pairs):
        return None
    return tuple(size(x, y) for x, y in pairs)


def _shape_check(got, want, case):
    what = case.label("broadcast_shape")
    if got is not None and not isinstance(got, tuple):
        return (f"{what} returned a {type(got).__name__}, expected a tuple (or None)",
                "shapes are tuples, like (4, 3): return tuple(result), not a list")
    if got and not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in got):
        return (f"{what} should be a tuple of ints, got {describe(got)}",
                "each entry of a shape is an int")
    if got != want:
        return f"{what} should be {describe(want)}, got {describe(got)}", None


_PAIRS = [((4, 3), (3,)), ((4, 1), (1, 3)), ((3,), (4, 3)), ((4, 3), (4,)), ((2, 1, 5), (4, 1)),
          ((2, 3), (3, 2)), ((5,), (5,)), ((), (2, 3)), ((8, 1, 6, 1), (7, 1, 5)),
          ((3, 1), (3, 4, 1))]
_broadcast = lambda shape_a, shape_b: _fit(zip(*_pad(shape_a, shape_b)))
_NONE = "return None for shapes that do not fit, instead of raising an exception"
broadcast_shape = table(
    "broadcast_shape", _broadcast, check=_shape_check,
    hint="pad the shorter shape with 1s on the left, then compare pair by pair from the right: "
         "equal sizes or a 1 fit (the result takes the bigger size), anything else gives None",
    cases=[Case(a, b, hint=_NONE if _broadcast(a, b) is None else None) for a, b in _PAIRS],
    mistakes={
        "align the shapes on the RIGHT: compare the last dimensions first, then move left":
            lambda a, b: _fit(list(zip(*_pad(a[::-1], b[::-1])))[::-1]),
        "a missing leading dimension counts as 1: pad the shorter shape with 1s on the left":
            lambda a, b: _fit(list(zip(a[::-1], b[::-1]))[::-1]),
        "two sizes are compatible when they are equal OR when one of them is 1 (it is stretched)":
            lambda a, b: (lambda p, q: p if p == q else None)(*_pad(a, b)),
        "sizes that differ and are both bigger than 1 (like 3 and 4) are incompatible: "
        "return None for them": lambda a, b: tuple(map(max, *_pad(a, b))),
        _NONE: lambda a, b: np.broadcast_shapes(a, b),
        "a size-1 dimension is stretched to the other size: take the bigger one, max(x, y)":
            lambda a, b: _fit(zip(*_pad(a, b)), min),
    },
    correct=[_broadcast, lambda a, b: _fit(zip(*_pad(a, b)), lambda x, y: y if x == 1 else x)],
    summary=f"{sum(_broadcast(a, b) is None for a, b in _PAIRS)} of them do not fit")


_acc = lambda scores, labels: float(np.mean(scores.argmax(axis=1) == labels))
_AXIS = ("scores has one row per sample, so the predicted class of each sample is the argmax along "
         "axis=1 (across the columns), not axis=0")
_S4 = np.array([[0.1, 2.0, 0.3, 0.0], [1.5, 0.2, 0.1, 0.3],
                [0.2, 0.1, 0.4, 3.0], [0.9, 0.8, 0.7, 0.1]])
_hits = lambda s, y: s.argmax(axis=1) == y
accuracy_from_scores = table(
    "accuracy_from_scores", _acc, errors=[("broadcast", _AXIS)],
    cases=[Case(_S4, np.array([1, 0, 2, 0])),
           Case(_rng.normal(size=(6, 3)), np.array([0, 1, 2, 2, 1, 0])),
           Case(_S4, np.array([1, 0, 3, 0]))],
    mistakes={
        _AXIS: lambda s, y: float(np.mean(s.argmax(axis=0) == y)),
        "np.argmax without an axis gives one index into the flattened array: "
        "use scores.argmax(axis=1)": lambda s, y: float(np.mean(s.argmax() == y)),
        "that is the number of correct predictions; divide by the number of samples "
        "(np.mean does both)": lambda s, y: float(np.sum(_hits(s, y))),
        "return a fraction between 0 and 1, not a percentage": lambda s, y: 100 * _acc(s, y),
        "that is the error rate: count the samples where the prediction EQUALS the label":
            lambda s, y: 1 - _acc(s, y),
        "np.max gives the highest score; np.argmax gives its position, the predicted class":
            lambda s, y: float(np.mean(s.max(axis=1) == y)),
        "average the True/False array into one fraction: np.mean(predictions == labels)": _hits,
        "// is integer division: use / (or np.mean)": lambda s, y: np.sum(_hits(s, y)) // len(y),
        "divide by the N samples, not by all N*C scores": lambda s, y: np.sum(_hits(s, y)) / s.size,
    },
    correct=[_acc, lambda scores, labels: np.mean(np.argmax(scores, axis=1) == labels),
             lambda scores, labels: np.count_nonzero(scores.argmax(1) == labels) / len(labels)],
    summary="argmax along axis 1")


_mean = lambda X: X.mean(axis=1, keepdims=True)
_norm = lambda X, eps=1e-8: (X - _mean(X)) / (X.std(axis=1, keepdims=True) + eps)


def _norm_check(got, want, case):
    """(X - mean) / (std + eps), or layer norm's (X - mean) / sqrt(var + eps): both use eps."""
    X, eps = case.args[0], case.kwargs.get("eps", 1e-8)
    alt = (X - _mean(X)) / np.sqrt(X.var(axis=1, keepdims=True) + eps)
    problem = compare(got, want, case.label("normalize_rows", ["X"]))
    return problem and compare(got, alt, "") and problem


_KEEPDIMS = ("X.mean(axis=1) has shape (N,), which lines up with the COLUMNS of X (N, D); "
             "X.mean(axis=1, keepdims=True) has shape (N, 1) and stretches along each row")
normalize_rows = table(
    "normalize_rows", _norm, errors=[("broadcast", _KEEPDIMS)], check=_norm_check,
    cases=[Case(_rng.normal(2.0, 3.0, size=(4, 4))), Case(_rng.normal(-1.0, 0.5, size=(3, 5))),
           Case(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]),
                hint="the row [5, 5, 5] has std 0 and 0 / 0 is NaN: divide by (std + eps)"),
           Case(_rng.normal(size=(3, 4)), kw={"eps": 0.5}, optional=True)],
    mistakes={
        "axis=0 normalises the COLUMNS; each row is one sample, so take the mean and std along "
        "axis=1": lambda X, eps=1e-8: (X - X.mean(axis=0)) / (X.std(axis=0) + eps),
        "it looks like keepdims is missing: " + _KEEPDIMS:
            lambda X, eps=1e-8: (X - X.mean(axis=1)) / (X.std(axis=1) + eps),
        "the std needs keepdims=True too: " + _KEEPDIMS:
            lambda X, eps=1e-8: (X - _mean(X)) / (X.std(axis=1) + eps),
        "you subtracted the row mean but did not divide by the row standard deviation":
            lambda X, eps=1e-8: X - _mean(X),
        "subtract the row mean before dividing by the row std":
            lambda X, eps=1e-8: X / (X.std(axis=1, keepdims=True) + eps),
        "np.mean(X) without an axis averages over the WHOLE array: use axis=1, keepdims=True for "
        "one mean per row": lambda X, eps=1e-8: (X - X.mean()) / (X.std() + eps),
        "divide by the standard deviation (X.std), not the variance (X.var)":
            lambda X, eps=1e-8: (X - _mean(X)) / (X.var(axis=1, keepdims=True) + eps),
        "eps is missing: the row [5, 5, 5] has std 0 and 0 / 0 is NaN; divide by (std + eps)":
            lambda X, eps=1e-8: (X - _mean(X)) / X.std(axis=1, keepdims=True),
        "use np.std's default (ddof=0, dividing by D), not ddof=1":
            lambda X, eps=1e-8: (X - _mean(X)) / (X.std(axis=1, ddof=1, keepdims=True) + eps),
    },
    correct=[_norm,
             lambda X, eps=1e-8: (X - np.mean(X, 1)[:, None]) / (np.std(X, 1)[:, None] + eps)],
    summary="rows have mean 0 and std 1")

_ORDER = ("the shapes must chain: X (N, D_in) @ W (D_in, D_out) -> (N, D_out), then + b (D_out,); "
          "W.T, W @ X or X @ W.T do not fit")
dense_forward = table(
    "dense_forward", lambda X, W, b: X @ W + b,
    errors=[("matmul", _ORDER), ("broadcast", _ORDER), ("aligned", _ORDER)],
    cases=[Case(_rng.normal(size=(3, 3)), _rng.normal(size=(3, 3)), np.array([0.5, -1.0, 2.0])),
           Case(_rng.normal(size=(5, 4)), _rng.normal(size=(4, 2)), _rng.normal(size=2))],
    mistakes={
        "you used W.T: W is already (D_in, D_out), so X @ W fits": lambda X, W, b: X @ W.T + b,
        "the order matters: X @ W (samples times weights), not W @ X": lambda X, W, b: W @ X + b,
        "it looks like you computed W.T @ X: use X @ W, with X first": lambda X, W, b: W.T @ X + b,
        "your result is transposed, (D_out, N): W.T @ X.T is (X @ W).T; return X @ W + b, one row "
        "per sample": lambda X, W, b: (X @ W + b).T,
        "the bias is missing: add b after the product": lambda X, W, b: X @ W,
        "b[:, None] adds b[i] to row i; the bias belongs to the outputs (columns): add b as it is, "
        "shape (D_out,)": lambda X, W, b: X @ W + b[:, None],
        "X * W is element-wise; a layer needs the matrix product X @ W": lambda X, W, b: X * W + b,
        "add the bias, do not subtract it": lambda X, W, b: X @ W - b,
    },
    correct=[lambda X, W, b: X @ W + b, lambda X, W, b: np.dot(X, W) + b,
             lambda X, W, b: np.einsum("ni,ij->nj", X, W) + b],
    extra=_no_loop([_rng.normal(size=(32, 8)), _rng.normal(size=(8, 6)), _rng.normal(size=6)], 8,
                   "no loops needed: one matrix product and one broadcast addition, X @ W + b"),
    summary="shapes (N, D_in) @ (D_in, D_out) + (D_out,)")


_LOOP_DIST = ("use broadcasting instead of a loop: A[:, None, :] has shape (N, 1, D) and "
              "B[None, :, :] has shape (1, M, D); their difference is (N, M, D)")
_DIFF = lambda A, B: A[:, None, :] - B[None, :, :]
_sq_dist = lambda A, B: (_DIFF(A, B) ** 2).sum(axis=-1)


def _expand(sign):
    """|a|^2 + |b|^2 + sign * 2 a.b for every pair: right with sign = -1."""
    return lambda A, B: (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] + sign * 2 * A @ B.T


_AXES = "A (N, D) and B (M, D) only line up after adding axes"
pairwise_sq_distances = table(
    "pairwise_sq_distances", _sq_dist, errors=[("broadcast", f"{_AXES}: {_LOOP_DIST}")],
    cases=[Case(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]),
                np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 2.0]])),
           Case(_rng.normal(size=(3, 5)), _rng.normal(size=(6, 5))),
           Case(*[_rng.normal(size=(4, 3))] * 2, what="pairwise_sq_distances(A, A)")],
    mistakes={
        "those are the distances; the task asks for SQUARED distances (no square root)":
            lambda A, B: np.sqrt(_sq_dist(A, B)),
        "square the differences before summing: (A_i - B_j) ** 2":
            lambda A, B: np.abs(_DIFF(A, B)).sum(axis=-1),
        "square each difference first, then sum: sum((a - b) ** 2), not (sum(a - b)) ** 2":
            lambda A, B: _DIFF(A, B).sum(axis=-1) ** 2,
        "|a - b|^2 = |a|^2 + |b|^2 - 2 a.b: the product term has a minus sign": _expand(1),
        "rows should index A and columns B: out[i, j] compares A[i] with B[j]; you returned the "
        "transpose (M, N)": lambda A, B: _sq_dist(A, B).T,
        "sum the squared differences over the last axis (the D features): .sum(axis=-1)":
            lambda A, B: _DIFF(A, B) ** 2,
        "you summed over the wrong axis: sum over the last axis (the D features)":
            lambda A, B: (_DIFF(A, B) ** 2).sum(axis=0),
        "you summed over axis=1, the M rows of B: sum over the last axis (the D features), axis=-1":
            lambda A, B: (_DIFF(A, B) ** 2).sum(axis=1),
        f"A - B pairs A[i] with B[i] only: {_AXES}, A[:, None, :] - B[None, :, :], which compares "
        "every pair": lambda A, B: ((A - B) ** 2).sum(axis=-1),
    },
    correct=[_sq_dist, _expand(-1)],
    extra=_no_loop([_rng.normal(size=(20, 3)), _rng.normal(size=(15, 3))], 10, _LOOP_DIST),
    summary="fully vectorized")
