"""Checkers for chapter 03 · Loss functions: tables on the engine of :mod:`.core`.

Cases: the chapter's worked example, random batches (square ones, where a missing ``keepdims`` or
one-hot labels still run), and extremes with ``quiet=True`` (probabilities of exactly 0 and 1,
logits of ±1000): the result must be finite and exact, with no NumPy warning. The mistakes are
the wrong versions a learner writes (no square, sum instead of mean, no clipping, flipped sign,
no max shift, /N missing, integer labels used as one-hot, writing into an input, ...).
"""

import numpy as np

from .. import functions as F
from .core import Case, in_place, table

__all__ = ["mse", "mse_grad", "bce", "bce_with_logits", "cross_entropy", "softmax_ce_grad"]

_rng = np.random.default_rng(3)
_LABELS = ("`labels` are integer class indices of shape (N,), not one-hot rows (N, C): take one "
           "entry per row with [np.arange(N), labels] "
           "(or build the one-hot matrix, np.eye(C)[labels])")
_KEEPDIMS = ("a row-wise max or sum has shape (N,): keepdims=True keeps it (N, 1) so that it lines "
             "up with the rows of the (N, C) logits")
_NO_SHIFT = ("no max shift: np.exp(1000) overflows to inf and inf / inf = nan; subtract each row's "
             "max first, z - z.max(axis=1, keepdims=True)")


# -- MSE ------------------------------------------------------------------------------------------
def _diff(pred, target):
    return pred - target


def _mse(pred, target):
    return np.mean((pred - target) ** 2)


_P4, _T4 = np.array([1.0, -2.0, 3.0, 0.5]), np.array([0.0, 0.0, 1.0, 1.0])
mse = table(
    "mse", _mse,
    cases=[Case(_P4, _T4),
           Case(_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3)), what="mse on a (5, 3) batch"),
           Case(_rng.normal(size=(4, 4)), _rng.normal(size=(4, 4)), what="mse on a (4, 4) batch")],
    mistakes={
        "you forgot the square: positive and negative errors cancel out; use (pred - target) ** 2":
            lambda pred, target: np.mean(pred - target),
        "you squared the mean difference: square each difference first, then average":
            lambda pred, target: np.mean(pred - target) ** 2,
        "that is the mean absolute error (L1 loss); MSE squares the differences":
            lambda pred, target: np.mean(np.abs(pred - target)),
        "that is the root mean squared error (RMSE): drop the np.sqrt":
            lambda pred, target: np.sqrt(_mse(pred, target)),
        "sum instead of mean: use np.mean (PyTorch's default reduction='mean')":
            lambda pred, target: np.sum((pred - target) ** 2),
        "you halved it: the 1/2 of some textbooks is not part of MSELoss":
            lambda pred, target: _mse(pred, target) / 2,
        "MSE averages over all N*D elements (np.mean of the whole array), not over the N rows only":
            lambda pred, target: np.sum((pred - target) ** 2) / len(pred),
        "np.mean(..., axis=0) gives one number per column: average over everything, np.mean(...)":
            lambda pred, target: np.mean((pred - target) ** 2, axis=0),
        "pred -= target writes into the caller's array: d = pred - target builds a new one":
            in_place(_diff, lambda pred, target: np.mean(pred ** 2)),
    },
    correct=[lambda pred, target: float(np.mean(np.square(pred - target))),
             lambda pred, target: ((pred - target) ** 2).sum() / pred.size],
    summary="mean over all elements, inputs untouched")


def _mse_grad(pred, target):
    return 2 * (pred - target) / pred.size


mse_grad = table(
    "mse_grad", _mse_grad,
    cases=[Case(_rng.normal(size=4), _rng.normal(size=4), what="mse_grad on shape (4,)"),
           Case(_rng.normal(size=(5, 3)), _rng.normal(size=(5, 3)),
                what="mse_grad on shape (5, 3)")],
    mistakes={
        "the factor 2 is missing: d/dx x**2 = 2x": lambda pred, target: (pred - target) / pred.size,
        "the /n is missing: the mean divides every gradient by n = pred.size":
            lambda pred, target: 2 * (pred - target),
        "the sign is flipped: it is 2 * (pred - target) / n, so a prediction above its target gets "
        "a positive gradient": lambda pred, target: 2 * (target - pred) / pred.size,
        "divide by all n elements (pred.size), not by the number of rows len(pred)":
            lambda pred, target: 2 * (pred - target) / len(pred),
        "that is the derivative's square; d/dpred (pred - target)**2 = 2 (pred - target)":
            lambda pred, target: (pred - target) ** 2 / pred.size,
        "the gradient has the shape of pred: one number per prediction, not the mean":
            lambda pred, target: np.mean(2 * (pred - target)),
        "you returned the loss itself; the gradient has the shape of pred: 2 * (pred - target) / n":
            lambda pred, target: np.mean((pred - target) ** 2),
        "pred -= target writes into the caller's array: d = pred - target builds a new one":
            in_place(_diff, lambda pred, target: 2 * pred / pred.size),
    },
    correct=[_mse_grad, lambda pred, target: (pred - target) * (2.0 / np.prod(np.shape(pred)))],
    summary="gradient 2 (pred - target) / n")


# -- binary cross-entropy -------------------------------------------------------------------------
def _bce_with(clip):
    """BCE after ``clip(p, eps)``: the right np.clip or a typical mistake (none, one side,
    out=p)."""
    def f(p, y, eps=1e-12):
        p = clip(p, eps)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return f


_bce = _bce_with(lambda p, eps: np.clip(p, eps, 1 - eps))
_bce_clip_in_place = _bce_with(lambda p, eps: np.clip(p, eps, 1 - eps, out=p))
_bce_no_clip = _bce_with(lambda p, eps: p)
_bce_low_clip = _bce_with(lambda p, eps: np.maximum(p, eps))


def _bce_eps(bad):
    return lambda p, y, eps=1e-12: _bce(p, y, bad)


_CLIP = "clip first: p = np.clip(p, eps, 1 - eps), so that log never sees 0"
_EXTREME_P = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
_EXTREME_Y = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
bce = table(
    "bce", _bce,
    cases=[Case(np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])),
           Case(_rng.uniform(0.01, 0.99, 8), _rng.uniform(size=8),
                what="bce with soft targets y in [0, 1]"),
           Case(np.array([0.0]), np.array([1.0]), quiet=True, hint=_CLIP, rtol=1e-4),
           Case(np.array([1.0]), np.array([0.0]), quiet=True, hint="clip on both sides: " + _CLIP,
                rtol=1e-4),
           Case(_EXTREME_P, _EXTREME_Y, quiet=True, rtol=1e-4),
           Case(np.array([1.0]), np.array([1.0]), quiet=True, rtol=1e-4,
                hint="at p = 1, y = 1 the unused term is 0 * log(0) = 0 * -inf = nan: " + _CLIP),
           Case(_EXTREME_P, _EXTREME_Y, kw={"eps": 1e-3}, quiet=True, rtol=1e-2, optional=True,
                what="bce([0, 1, 1, 0, 0.5], [1, 0, 1, 0, 1], eps=1e-3)")],
    mistakes={
        "the loss came out negative: the minus sign is missing (log p <= 0, so "
        "BCE = -mean(y log p + (1 - y) log(1 - p)))": lambda p, y, eps=1e-12: -_bce(p, y, eps),
        "sum instead of mean: use np.mean": lambda p, y, eps=1e-12: _bce(p, y, eps) * np.size(p),
        "you swapped log(p) and log(1 - p): a sample with y = 1 should pay -log(p)":
            lambda p, y, eps=1e-12: _bce(1 - p, y, eps),
        "the (1 - y) * log(1 - p) term for y = 0 is missing":
            lambda p, y, eps=1e-12: -np.mean(y * np.log(np.clip(p, eps, 1 - eps))),
        "the y * log(p) term for y = 1 is missing":
            lambda p, y, eps=1e-12: -np.mean((1 - y) * np.log(1 - np.clip(p, eps, 1 - eps))),
        "use the natural log np.log, not np.log10":
            lambda p, y, eps=1e-12: _bce(p, y, eps) / np.log(10),
        "use the natural log np.log, not np.log2":
            lambda p, y, eps=1e-12: _bce(p, y, eps) / np.log(2),
        "no clipping: log(0) = -inf at p = 0 or p = 1. " + _CLIP: _bce_no_clip,
        "clip on both sides: log(1 - p) is log(0) at p = 1. Use np.clip(p, eps, 1 - eps)":
            _bce_low_clip,
        **{f"you clipped with eps = {bad:g}; use the eps argument (default 1e-12): "
           "np.clip(p, eps, 1 - eps)":
               _bce_eps(bad) for bad in (1e-3, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10, 1e-15)},
        "np.clip(p, ..., out=p) writes into the caller's p: p = np.clip(p, eps, 1 - eps) makes a "
        "copy":
            _bce_clip_in_place,
    },
    correct=[_bce, lambda p, y, eps=1e-12: -np.mean(
        y * np.log(np.clip(p, eps, 1 - eps)) + (1 - y) * np.log1p(-np.clip(p, eps, 1 - eps)))],
    summary="finite at p = 0 and p = 1")


def _bcel(z, y):
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def _bcel_where(z, y):
    log_sig = np.where(z >= 0, -np.log1p(np.exp(-z)), z - np.log1p(np.exp(z)))
    log_one_minus = np.where(z >= 0, -z - np.log1p(np.exp(-z)), -np.log1p(np.exp(z)))
    return -np.mean(y * log_sig + (1 - y) * log_one_minus)


_Z4, _Y4 = np.array([2.0, -1.0, 0.5, 0.0]), np.array([1.0, 0.0, 0.0, 1.0])
_LOGITS = ("work on the logits: max(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))); going through "
           "the sigmoid loses everything beyond |z| ~ 37")
bce_with_logits = table(
    "bce_with_logits", _bcel,
    cases=[Case(_Z4, _Y4),
           Case(_rng.normal(0, 4, 10), _rng.integers(0, 2, 10).astype(float),
                what="bce_with_logits on 10 logits"),
           Case(_rng.normal(0, 4, 6), _rng.uniform(size=6),
                what="bce_with_logits with soft targets"),
           Case(np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([0.0, 1.0, 1.0, 0.0]),
                quiet=True, hint=_LOGITS)],
    mistakes={
        "the loss came out negative: check the signs against "
        "max(z, 0) - z * y + log(1 + exp(-|z|))":
            lambda z, y: -_bcel(z, y),
        "sum instead of mean: use np.mean": lambda z, y: _bcel(z, y) * np.size(z),
        "you swapped the roles of y = 1 and y = 0 (it is - z * y)": lambda z, y: _bcel(-z, y),
        "the log(1 + exp(-|z|)) term is missing": lambda z, y: np.mean(np.maximum(z, 0) - z * y),
        "with the max(z, 0) term the last term is log(1 + exp(-|z|)): exp(-|z|), not exp(-z)":
            lambda z, y: np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-z))),
        "z - z * y + log(1 + exp(-z)) is right on paper, but exp(-z) overflows at z = -1000: use "
        "max(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))":
            lambda z, y: np.mean(z - z * y + np.log1p(np.exp(-z))),
        "np.where evaluates both branches, so the exp in the unused branch overflows at ±1000: "
        "use max(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))": _bcel_where,
        "the max(z, 0) term is missing: max(z, 0) - z * y + log(1 + exp(-|z|))":
            lambda z, y: np.mean(-z * y + np.log1p(np.exp(-np.abs(z)))),
        "the loss is capped near -log(eps) = 27.6: you went through sigmoid and "
        "clipped. " + _LOGITS:
            lambda z, y: _bce(F.sigmoid(z), y),
        "sigmoid(±1000) is exactly 1 or 0, so the log is log(0) = -inf. " + _LOGITS:
            lambda z, y: _bce_no_clip(1 / (1 + np.exp(-z)), y),
        "np.clip(z, ..., out=z) writes into the caller's z; and the logits formula needs no "
        "clipping":
            in_place(lambda z, y: np.clip(z, -100, 100), _bcel),
    },
    correct=[_bcel, lambda z, y: np.mean(np.logaddexp(0, z) - z * y),
             lambda z, y: np.mean(np.maximum(z, 0) - z * y + np.log(1 + np.exp(-np.abs(z))))],
    summary="exact on logits of ±1000")


# -- categorical cross-entropy --------------------------------------------------------------------
def _shift(logits, labels):
    return logits - logits.max(axis=1, keepdims=True)


def _lse(s, keepdims=True):
    """log-softmax of rows already shifted (``s = z - c``): s - log(sum(exp(s)))."""
    return s - np.log(np.exp(s).sum(axis=1, keepdims=keepdims))


def _log_softmax(z):
    return _lse(z - z.max(axis=1, keepdims=True))


def _softmax(z):
    return _normalized(np.exp(z - z.max(axis=1, keepdims=True)))


def _normalized(e):
    return e / e.sum(axis=1, keepdims=True)


def _ce(logits, labels):
    return -np.mean(_log_softmax(logits)[np.arange(len(labels)), labels])


def _ce_from(log_p):
    def f(logits, labels):
        return -np.mean(log_p(logits)[np.arange(len(labels)), labels])
    return f


_sq = _rng.normal(0, 2, size=(3, 3))
cross_entropy = table(
    "cross_entropy", _ce,
    cases=[Case(_sq, np.array([2, 0, 2]), what="cross_entropy on random logits (3, 3)"),
           Case(np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), np.array([0, 2])),
           Case(_rng.normal(0, 2, size=(6, 4)), _rng.permutation(6) % 4,
                what="cross_entropy on random logits (6, 4)"),
           Case(np.array([[1000.0, -1000.0, 0.0]]), np.array([0]), quiet=True, hint=_NO_SHIFT),
           Case(np.array([[1000.0, -1000.0, 0.0]]), np.array([1]), quiet=True,
                hint="softmax underflows to exactly 0 for the -1000 logit and log(0) = -inf: "
                     "compute log-probabilities with log-sum-exp, log_p = s - log(sum(exp(s))) "
                     "with s = z - max"),
           Case(np.array([[10.0, 0.0, 5.0], [-2000.0, -1500.0, -1800.0]]), np.array([0, 1]),
                quiet=True,
                hint="subtract each row's own max (axis=1, keepdims=True), not the max of the "
                     "whole array"),
           Case(np.array([[0.0, 2000.0, 0.0]]), np.array([1]), quiet=True, hint=_NO_SHIFT)],
    mistakes={
        "the loss came out negative: the minus sign is missing (log p <= 0)":
            lambda logits, labels: -_ce(logits, labels),
        "sum instead of mean: average over the N samples":
            lambda logits, labels: _ce(logits, labels) * len(labels),
        "you averaged over all N*C entries (np.mean of one-hot * log_p): sum over the classes, "
        "then average over the N samples":
            lambda logits, labels: _ce(logits, labels) / logits.shape[1],
        "log_p[:, labels] picks whole columns: use log_p[np.arange(N), labels] to take one entry "
        "per row":
            lambda logits, labels: -np.mean(_log_softmax(logits)[:, labels]),
        "log_p[labels] picks whole rows: use log_p[np.arange(N), labels] to take one entry per row":
            lambda logits, labels: -np.mean(_log_softmax(logits)[labels]),
        "you averaged the probabilities: take -log of them":
            lambda logits, labels: -np.mean(
                np.exp(_log_softmax(logits))[np.arange(len(labels)), labels]),
        "apply softmax first: the inputs are logits (raw scores), not probabilities":
            _ce_from(lambda z: np.log(z)),
        _LABELS: lambda logits, labels: -np.mean(np.sum(labels * _log_softmax(logits), axis=1)),
        "it looks like keepdims is missing in the max: " + _KEEPDIMS:
            _ce_from(lambda z: _lse(z - z.max(axis=1))),
        "it looks like keepdims is missing in the sum of the log-sum-exp: " + _KEEPDIMS:
            _ce_from(lambda z: _lse(z - z.max(axis=1, keepdims=True), keepdims=False)),
        _NO_SHIFT: _ce_from(_lse),
        "log(softmax) is log(0) = -inf where softmax underflows: compute log-probabilities "
        "directly with log-sum-exp, log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True)) with "
        "s = z - z.max(axis=1, keepdims=True)":
            _ce_from(lambda z: np.log(_softmax(z))),
        "you subtracted the max of the whole array: subtract each row's own max, "
        "z.max(axis=1, keepdims=True)":
            _ce_from(lambda z: _lse(z - z.max())),
        "logits -= ... writes into the caller's array: "
        "shifted = logits - logits.max(axis=1, keepdims=True)":
            in_place(_shift, _ce),
        "subtract each row's MAX, not its mean: with a spread of 2000 the mean leaves exp(1000), "
        "which overflows": _ce_from(lambda z: _lse(z - z.mean(axis=1, keepdims=True))),
    },
    correct=[_ce, lambda logits, labels: -np.sum(
        np.eye(logits.shape[1])[labels] * _log_softmax(logits)) / len(labels),
        lambda logits, labels: np.mean(np.logaddexp.reduce(logits, axis=1)
                                       - logits[np.arange(len(labels)), labels])],
    errors=[("too many indices", _LABELS)],
    summary="stable on logits of ±1000")


def _one_hot(labels, k):
    return np.eye(k)[labels]


def _sce_grad(logits, labels):
    return (_softmax(logits) - _one_hot(labels, logits.shape[1])) / len(labels)


def _sce_p(p_of):
    def f(logits, labels):
        return (p_of(logits) - _one_hot(labels, logits.shape[1])) / len(labels)
    return f


def _grad_cases(name="softmax_ce_grad"):
    return [Case(_rng.normal(0, 2, size=(3, 3)), np.array([1, 0, 2]),
                 what=f"{name} on logits (3, 3)"),
            Case(_rng.normal(0, 2, size=(4, 3)), np.array([0, 2, 1, 2]),
                 what=f"{name} on logits (4, 3)"),
            Case(np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]]), np.array([1, 2]), quiet=True,
                 hint=_NO_SHIFT),
            Case(np.array([[800.0, 1000.0, 900.0]]), np.array([2]), quiet=True, hint=_NO_SHIFT),
            Case(np.array([[0.0, 2000.0, 0.0]]), np.array([0]), quiet=True, hint=_NO_SHIFT)]


def _grad_mistakes():
    k = lambda z: z.shape[1]  # noqa: E731
    return {
        "the /N is missing (you forgot to divide by N): the loss is a mean over the N samples, so "
        "every row of the gradient is divided by N":
            lambda logits, labels: _softmax(logits) - _one_hot(labels, k(logits)),
        "the sign is flipped: it is (p - y) / N, so the true class's logit gets a negative "
        "gradient (sign flipped)":
            lambda logits, labels: -_sce_grad(logits, labels),
        "you forgot to subtract the one-hot y: (p - y) / N":
            lambda logits, labels: _softmax(logits) / len(labels),
        "divide by N only, not by N*C":
            lambda logits, labels: _sce_grad(logits, labels) / k(logits),
        "divide by the number of samples N, not the number of classes C":
            lambda logits, labels: _sce_grad(logits, labels) * len(labels) / k(logits),
        "that is dL/dp; with softmax fused in, the gradient with respect to the logits is "
        "(p - y) / N":
            lambda logits, labels: -_one_hot(labels, k(logits)) / _softmax(logits) / len(labels),
        "used the raw scores instead of the softmax probabilities":
            lambda logits, labels: (logits - _one_hot(labels, k(logits))) / len(labels),
        _LABELS: lambda logits, labels: (_softmax(logits) - labels[:, None]) / len(labels),
        "`labels` are class indices, not one-hot rows: p - labels broadcasts along the wrong "
        "axis; " + _LABELS:
            lambda logits, labels: (_softmax(logits) - labels) / len(labels),
        "it looks like keepdims is missing in the softmax: " + _KEEPDIMS:
            _sce_p(lambda z: np.exp(z - z.max(axis=1)) / np.exp(z - z.max(axis=1)).sum(axis=1)),
        _NO_SHIFT: _sce_p(lambda z: _normalized(np.exp(z))),
        "subtract each row's MAX, not its mean: with a spread of 2000 the mean leaves exp(1000), "
        "which overflows": _sce_p(lambda z: _normalized(np.exp(z - z.mean(axis=1, keepdims=True)))),
        "logits -= ... writes into the caller's array: "
        "shifted = logits - logits.max(axis=1, keepdims=True)":
            in_place(_shift, _sce_grad),
    }


def _sce_alt(logits, labels):
    n = len(labels)
    g = np.exp(logits - logits.max(axis=1, keepdims=True))
    g /= g.sum(axis=1, keepdims=True)
    g[np.arange(n), labels] -= 1
    return g / n


softmax_ce_grad = table(
    "softmax_ce_grad", _sce_grad, cases=_grad_cases(), mistakes=_grad_mistakes(),
    correct=[_sce_grad, _sce_alt], errors=[("too many indices", _LABELS)],
    summary="rows of the gradient sum to 0")
