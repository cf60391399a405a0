"""Checkers for chapter 03 · Loss functions: tables on the engine of :mod:`.core`.

Cases: worked examples, random batches (square ones, where a missing ``keepdims`` or one-hot labels
still run), extremes with ``quiet=True`` (p of 0 and 1, logits of ±1000: exact, no NumPy warning).
The engine names a list result and an input written into (``x -= ...``)."""

import numpy as np

from .. import functions as F
from .core import Case, in_place, table

__all__ = ["mse", "mse_grad", "bce", "bce_with_logits", "cross_entropy", "softmax_ce_grad"]

_rng = np.random.default_rng(3)
_LABELS = ("`labels` are integer class indices of shape (N,), not one-hot rows (N, C): take one "
           "entry per row with [np.arange(N), labels] (or build the one-hot np.eye(C)[labels])")
_KEEPDIMS = "keepdims=True keeps a row-wise max or sum (N, 1), in line with the (N, C) logits"
_NO_SHIFT = ("no max shift: np.exp(1000) overflows to inf and inf / inf = nan; subtract each row's "
             "max first, z - z.max(axis=1, keepdims=True)")
_BY_MEAN = "subtract each row's MAX, not its mean: with a spread of 2000 the mean leaves exp(1000)"
_NEG = "the loss came out negative: the minus sign is missing (log p <= 0)"
_SUM = "sum instead of mean: use np.mean"


_mse = lambda pred, target: np.mean((pred - target) ** 2)
mse = table(
    "mse", _mse,
    cases=[Case(np.array([1.0, -2.0, 3.0, 0.5]), np.array([0.0, 0.0, 1.0, 1.0])),
           Case(_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3))),
           Case(_rng.normal(size=(4, 4)), _rng.normal(size=(4, 4)))],
    mistakes={
        "you forgot the square (errors cancel): (pred - target) ** 2": lambda p, t: np.mean(p - t),
        "you squared the mean difference: average the squares": lambda p, t: np.mean(p - t) ** 2,
        "that is the mean absolute error: square, not np.abs": lambda p, t: np.mean(np.abs(p - t)),
        "that is the RMSE, the root of the MSE: drop the np.sqrt": lambda p, t: np.sqrt(_mse(p, t)),
        _SUM + " (PyTorch's default reduction='mean')": lambda p, t: np.sum((p - t) ** 2),
        "you halved it: the 1/2 of some textbooks is not part of MSE": lambda p, t: _mse(p, t) / 2,
        "average over all N*D elements, not the N rows": lambda p, t: np.sum((p - t) ** 2) / len(p),
        "drop axis=0: one number, not one per column": lambda p, t: np.mean((p - t) ** 2, axis=0),
    },
    correct=[lambda pred, target: float(np.mean(np.square(pred - target))),
             lambda pred, target: ((pred - target) ** 2).sum() / pred.size],
    summary="mean over all elements, inputs untouched")

_mse_grad = lambda pred, target: 2 * (pred - target) / pred.size
mse_grad = table(
    "mse_grad", _mse_grad,
    cases=[Case(_rng.normal(size=4), _rng.normal(size=4)),
           Case(_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3)))],
    mistakes={
        "the factor 2 is missing: d/dx x**2 = 2x": lambda p, t: (p - t) / p.size,
        "the /n is missing: the mean divides by n = pred.size": lambda p, t: 2 * (p - t),
        "the factor 2 / n is missing: the gradient is 2 (pred - target) / n": lambda p, t: p - t,
        "the sign is flipped: it is 2 * (pred - target) / n": lambda p, t: 2 * (t - p) / p.size,
        "divide by pred.size (all n elements), not len(pred)": lambda p, t: 2 * (p - t) / len(p),
        "the square, not its derivative: 2 (pred - target) / n": lambda p, t: (p - t) ** 2 / p.size,
        "the gradient has the shape of pred: drop the np.mean": lambda p, t: np.mean(2 * (p - t)),
        "you returned the loss; the gradient has the shape of pred: 2 * (pred - target) / n": _mse,
    },
    correct=[_mse_grad, lambda pred, target: (pred - target) * (2.0 / np.prod(np.shape(pred)))],
    summary="gradient 2 (pred - target) / n")


def _bce_with(clip=lambda p, eps: np.clip(p, eps, 1 - eps), a=1, b=1, k=1):
    """-k * mean(a y log p + b (1 - y) log(1 - p)) on ``clip(p, eps)``: BCE or a typical mistake."""
    def f(p, y, eps=1e-12):
        p = clip(p, eps)
        return -k * np.mean(a * y * np.log(p) + b * (1 - y) * np.log(1 - p))
    return f


_bce = _bce_with()
_CLIP = "clip first: p = np.clip(p, eps, 1 - eps), so that log never sees 0"
_BOTH = "clip on both sides: log(1 - p) is log(0) at p = 1. Use np.clip(p, eps, 1 - eps)"
_P01, _Y01 = np.array([0.0, 1.0, 1.0, 0.0, 0.5]), np.array([1.0, 0.0, 1.0, 0.0, 1.0])
bce = table(
    "bce", _bce,
    cases=[Case(np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])),
           Case(_rng.uniform(0.01, 0.99, 8), _rng.uniform(size=8), what="bce with soft targets"),
           Case(np.array([0.0]), np.array([1.0]), quiet=True, rtol=1e-4, hint=_CLIP),
           Case(np.array([1.0]), np.array([0.0]), quiet=True, rtol=1e-4, hint=_BOTH),
           Case(_P01, _Y01, quiet=True, rtol=1e-4),
           Case(np.array([1.0]), np.array([1.0]), quiet=True, rtol=1e-4,
                hint="at p = 1, y = 1 the unused term is 0 * log(0) = 0 * -inf = nan: " + _CLIP),
           Case(_P01, _Y01, kw={"eps": 1e-3}, quiet=True, rtol=1e-2, optional=True)],
    mistakes={
        _NEG + ": BCE = -mean(y log p + (1 - y) log(1 - p))": _bce_with(k=-1),
        _SUM: lambda p, y, eps=1e-12: _bce(p, y, eps) * np.size(p),
        "you swapped log(p) and log(1 - p): a sample with y = 1 should pay -log(p)":
            lambda p, y, eps=1e-12: _bce(1 - p, y, eps),
        "the (1 - y) * log(1 - p) term for y = 0 is missing": _bce_with(b=0),
        "the y * log(p) term for y = 1 is missing": _bce_with(a=0),
        "use the natural log np.log, not np.log10": _bce_with(k=1 / np.log(10)),
        "use the natural log np.log, not np.log2": _bce_with(k=1 / np.log(2)),
        "no clipping: log(0) = -inf at p = 0 or p = 1. " + _CLIP: _bce_with(lambda p, eps: p),
        _BOTH: _bce_with(np.maximum),
        **{f"you clipped with eps = {bad:g}; use the eps argument (default 1e-12): "
           "np.clip(p, eps, 1 - eps)": _bce_with(lambda p, eps, bad=bad: np.clip(p, bad, 1 - bad))
           for bad in (1e-3, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10, 1e-15)},
        "np.clip(p, ..., out=p) writes into the caller's p: p = np.clip(p, eps, 1 - eps) copies":
            _bce_with(lambda p, eps: np.clip(p, eps, 1 - eps, out=p)),
    },
    correct=[_bce, lambda p, y, eps=1e-12: -np.mean(
        y * np.log(np.clip(p, eps, 1 - eps)) + (1 - y) * np.log1p(-np.clip(p, eps, 1 - eps)))],
    summary="finite at p = 0 and p = 1")


_bcel = lambda z, y: np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
_FORMULA = "max(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))"
_LOGITS = f"work on the logits: {_FORMULA}; going through the sigmoid loses all beyond |z| ~ 37"
bce_with_logits = table(
    "bce_with_logits", _bcel,
    cases=[Case(np.array([2.0, -1.0, 0.5, 0.0]), np.array([1.0, 0.0, 0.0, 1.0])),
           Case(_rng.normal(0, 4, 10), _rng.integers(0, 2, 10).astype(float)),
           Case(_rng.normal(0, 4, 6), _rng.uniform(size=6), what="bce_with_logits, soft targets"),
           Case(np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([0.0, 1.0, 1.0, 0.0]),
                quiet=True, hint=_LOGITS)],
    mistakes={
        "the loss came out negative; check the signs: " + _FORMULA: lambda z, y: -_bcel(z, y),
        _SUM: lambda z, y: _bcel(z, y) * np.size(z),
        "you swapped the roles of y = 1 and y = 0 (it is - z * y)": lambda z, y: _bcel(-z, y),
        "the log(1 + exp(-|z|)) term is missing": lambda z, y: np.mean(np.maximum(z, 0) - z * y),
        "with the max(z, 0) term the last term is log(1 + exp(-|z|)): exp(-|z|), not exp(-z)":
            lambda z, y: np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-z))),
        "z - z * y + log(1 + exp(-z)) is right on paper, but exp(-z) overflows at z = -1000: use "
        + _FORMULA: lambda z, y: np.mean(z - z * y + np.log1p(np.exp(-z))),
        "np.where evaluates both branches, so the exp in the unused branch overflows at ±1000: use "
        + _FORMULA: lambda z, y: np.mean(
            np.where(z >= 0, z + np.log1p(np.exp(-z)), np.log1p(np.exp(z))) - z * y),
        "the max(z, 0) term is missing: " + _FORMULA:
            lambda z, y: np.mean(-z * y + np.log1p(np.exp(-np.abs(z)))),
        "the loss is capped near -log(eps) = 27.6: you clipped the sigmoid. " + _LOGITS:
            lambda z, y: _bce(F.sigmoid(z), y),
        "sigmoid(±1000) is exactly 1 or 0, so the log is log(0) = -inf. " + _LOGITS:
            lambda z, y: _bce_with(lambda p, eps: p)(1 / (1 + np.exp(-z)), y),
        "np.clip(z, ..., out=z) writes into the caller's z; and the logits formula needs no clip":
            in_place(lambda z, y: np.clip(z, -100, 100), _bcel),
    },
    correct=[_bcel, lambda z, y: np.mean(np.logaddexp(0, z) - z * y),
             lambda z, y: np.mean(np.maximum(z, 0) - z * y + np.log(1 + np.exp(-np.abs(z))))],
    summary="exact on logits of ±1000")


def _lse(s, keepdims=True):
    """log-softmax of rows already shifted (``s = z - c``): s - log(sum(exp(s)))."""
    return s - np.log(np.exp(s).sum(axis=1, keepdims=keepdims))


def _ce_from(log_p):
    """Cross-entropy on the log-probabilities ``log_p(logits)``: right, or a typical mistake."""
    return lambda logits, labels: -np.mean(log_p(logits)[np.arange(len(labels)), labels])


_normalized = lambda e: e / e.sum(axis=1, keepdims=True)
_softmax = lambda z: _normalized(np.exp(z - z.max(axis=1, keepdims=True)))
_log_p = lambda z: _lse(z - z.max(axis=1, keepdims=True))
_ce = _ce_from(_log_p)
_LSE = ("log(softmax) is log(0) = -inf where softmax underflows to 0: use log-sum-exp, log_p = s - "
        "np.log(np.exp(s).sum(axis=1, keepdims=True)) with s = z - z.max(axis=1, keepdims=True)")
_OWN_MAX = "subtract each row's own max (axis=1, keepdims=True), not the max of the whole array"
_PICK = "use log_p[np.arange(N), labels] to take one entry per row"
cross_entropy = table(
    "cross_entropy", _ce,
    cases=[Case(_rng.normal(0, 2, size=(3, 3)), np.array([2, 0, 2])),
           Case(np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), np.array([0, 2])),
           Case(_rng.normal(0, 2, size=(6, 4)), _rng.permutation(6) % 4),
           Case(np.array([[1000.0, -1000.0, 0.0]]), np.array([0]), quiet=True, hint=_NO_SHIFT),
           Case(np.array([[1000.0, -1000.0, 0.0]]), np.array([1]), quiet=True, hint=_LSE),
           Case(np.array([[10.0, 0.0, 5.0], [-2000.0, -1500.0, -1800.0]]), np.array([0, 1]),
                quiet=True, hint=_OWN_MAX),
           Case(np.array([[0.0, 2000.0, 0.0]]), np.array([1]), quiet=True, hint=_NO_SHIFT)],
    mistakes={
        _NEG: lambda z, y: -_ce(z, y),
        "sum instead of mean: average over the N samples": lambda z, y: _ce(z, y) * len(y),
        "you averaged over all N*C entries (np.mean of one-hot * log_p): sum over the classes, "
        "then average over the N samples": lambda z, y: _ce(z, y) / z.shape[1],
        "log_p[:, labels] picks whole columns: " + _PICK: lambda z, y: -np.mean(_log_p(z)[:, y]),
        "log_p[labels] picks whole rows: " + _PICK: lambda z, y: -np.mean(_log_p(z)[y]),
        "you averaged the probabilities: take -log of them": _ce_from(_softmax),
        "apply softmax first: logits are raw scores, not probabilities": _ce_from(np.log),
        _LABELS: lambda z, y: -np.mean(np.sum(y * _log_p(z), axis=1)),
        "it looks like keepdims is missing in the max: " + _KEEPDIMS:
            _ce_from(lambda z: _lse(z - z.max(axis=1))),
        "it looks like keepdims is missing in the sum of the log-sum-exp: " + _KEEPDIMS:
            _ce_from(lambda z: _lse(z - z.max(axis=1, keepdims=True), keepdims=False)),
        _NO_SHIFT: _ce_from(_lse),
        _LSE: _ce_from(lambda z: np.log(_softmax(z))),
        _OWN_MAX: _ce_from(lambda z: _lse(z - z.max())),
        _BY_MEAN: _ce_from(lambda z: _lse(z - z.mean(axis=1, keepdims=True))),
        "add back the max you subtracted: logsumexp(z) = m + log(sum(exp(z - m))), m = row max":
            lambda z, y: _ce(z, y) - np.mean(z.max(axis=1)),
    },
    correct=[_ce, lambda z, y: -np.sum(np.eye(z.shape[1])[y] * _log_p(z)) / len(y),
             lambda z, y: np.mean(np.logaddexp.reduce(z, axis=1) - z[np.arange(len(y)), y])],
    errors=[("too many indices", _LABELS)],
    summary="stable on logits of ±1000")


def _sce_p(p_of):
    """(p_of(logits) - one-hot labels) / N: the gradient, with the softmax or a mistaken one."""
    return lambda logits, labels: (p_of(logits) - np.eye(logits.shape[1])[labels]) / len(labels)


_sce_grad = _sce_p(_softmax)


def _grad_cases(name=None):
    """softmax_ce_grad's cases, shared with ch04 (the engine labels them with the table's name)."""
    return [Case(_rng.normal(0, 2, size=(3, 3)), np.array([1, 0, 2])),
            Case(_rng.normal(0, 2, size=(4, 3)), np.array([0, 2, 1, 2])),
            Case(np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]]), np.array([1, 2]), quiet=True,
                 hint=_NO_SHIFT),
            Case(np.array([[800.0, 1000.0, 900.0]]), np.array([2]), quiet=True, hint=_NO_SHIFT),
            Case(np.array([[0.0, 2000.0, 0.0]]), np.array([0]), quiet=True, hint=_NO_SHIFT)]


def _grad_mistakes():
    return {
        "the /N is missing: the loss is a mean over N rows": lambda z, y: _sce_grad(z, y) * len(y),
        "the sign is flipped: it is (p - y) / N; with the sign flipped the true class's logit gets "
        "a positive gradient": lambda z, y: -_sce_grad(z, y),
        "you forgot to subtract the one-hot y: (p - y) / N": lambda z, y: _softmax(z) / len(y),
        "divide by N only, not by N*C": lambda z, y: _sce_grad(z, y) / z.shape[1],
        "divide by N (rows), not C (classes)": lambda z, y: _sce_grad(z, y) * len(y) / z.shape[1],
        "that is dL/dp; with softmax fused in, the gradient with respect to the logits is "
        "(p - y) / N": lambda z, y: -np.eye(z.shape[1])[y] / _softmax(z) / len(y),
        "used the raw scores instead of the softmax probabilities": _sce_p(lambda z: z),
        _LABELS: lambda z, y: (_softmax(z) - y[:, None]) / len(y),
        "`labels` are class indices, not one-hot rows: p - labels broadcasts along the wrong "
        "axis; " + _LABELS: lambda z, y: (_softmax(z) - y) / len(y),
        "it looks like keepdims is missing in the softmax: " + _KEEPDIMS:
            _sce_p(lambda z: np.exp(z - z.max(axis=1)) / np.exp(z - z.max(axis=1)).sum(axis=1)),
        _NO_SHIFT: _sce_p(lambda z: _normalized(np.exp(z))),
        _BY_MEAN: _sce_p(lambda z: _normalized(np.exp(z - z.mean(axis=1, keepdims=True)))),
        "p[:, labels] -= 1 subtracts from whole columns: use p[np.arange(N), labels] -= 1":
            lambda z, y: (_softmax(z) - np.eye(z.shape[1])[y].any(axis=0)) / len(y),
        "softmax over each row's C classes (axis=1), not down the columns (axis=0): rows sum to 1":
            _sce_p(lambda z: _softmax(z.T).T),
    }


def _sce_alt(logits, labels):
    g = _softmax(logits)
    g[np.arange(len(labels)), labels] -= 1
    return g / len(labels)


softmax_ce_grad = table(
    "softmax_ce_grad", _sce_grad, cases=_grad_cases(), mistakes=_grad_mistakes(),
    correct=[_sce_grad, _sce_alt], errors=[("too many indices", _LABELS)],
    summary="rows of the gradient sum to 0")
