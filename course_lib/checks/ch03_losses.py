"""Checkers for chapter 03 · Loss functions (see course_lib.checks.core for the framework).

Each checker runs the learner's function on the chapter's worked example, on random inputs and on
extreme inputs (probabilities of exactly 0 and 1, logits of ±1000). When an answer is wrong it
computes the typical wrong versions (no square, sum instead of mean, no clipping, flipped sign, no
max shift, missing /N, integer labels used as one-hot, ...) and names the one that matches.

The learner's warnings (``divide by zero encountered in log``, ``overflow encountered in exp``) are
recorded, never printed: a checker's output is its one line, and the hint quotes the warning.
"""

import warnings

import numpy as np

from .core import Wrong, _fmt_shape, as_numbers, checker, describe

__all__ = ["mse", "mse_grad", "bce", "bce_with_logits", "cross_entropy", "softmax_ce_grad"]

EPS = 1e-12
LABELS_HINT = ("`labels` are integer class indices of shape (N,), not one-hot rows (N, C): take one "
               "entry per row with [np.arange(N), labels] (or build the one-hot matrix first, "
               "np.eye(C)[labels])")
WARNED_HINT = ("a NumPy warning means an inf or nan was computed along the way (np.where evaluates "
               "both branches!): make np.exp see only values <= 0 and np.log only values > 0")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _call(c, fn, *args, labels_hint=False, check_inputs=False,
          copy_hint="work on new arrays: d = pred - target, not pred -= target"):
    """Call ``fn`` on copies of ``args``, recording warnings instead of printing them.

    Returns ``(result, warned)`` where ``warned`` is a short text of the distinct warnings ("" if
    none). With ``check_inputs`` the copies must come back unmodified.
    """
    copies = [np.array(a, copy=True) for a in args]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # underflow (exp(-1000) == 0.0) is harmless and ignored, as in NumPy's default
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            try:
                got = c.call_raw(fn, *copies)
            except Wrong as w:
                text = w.message.lower()
                if labels_hint and ("broadcast" in text or "too many indices" in text):
                    raise Wrong(w.message, LABELS_HINT) from None
                raise
    if check_inputs:
        for name, before, after in zip(("first argument", "second argument"), args, copies):
            c.unchanged(before, after, f"the {name}",
                        hint=copy_hint)
    seen = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen:
            seen.append(text)
    return got, "; ".join(seen)


def _show(arr):
    return describe(float(arr) + 0.0) if np.ndim(arr) == 0 else describe(np.asarray(arr) + 0.0)


def _differ(what, expected, arr):
    """'what should be X, got Y', or for a big array the first element that differs."""
    if expected.ndim <= 1 and expected.size <= 6:
        return f"{what} should be {_show(expected)}, got {_show(arr)}"
    bad = ~np.isclose(arr, expected, rtol=1e-6, atol=1e-9)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return (f"{what}: element {index} should be {expected[index]:.4g}, got {arr[index]:.4g}")


def _robust(body):
    """The checker's own arithmetic (reference values, wrong versions) never warns or raises,
    whatever np.seterr the learner chose; the learner's code runs under _call's settings."""
    def wrapped(c, *args, **kwargs):
        with np.errstate(all="ignore"):
            return body(c, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = body.__name__, body.__doc__
    return wrapped


def _numbers(got, shape, what, shape_hint):
    return as_numbers(got, what, shape_hint, shape=shape)


def _with_warning(hint, warned):
    return f"{hint} (your code warned: {warned})" if warned else hint


def _compare(c, got, expected, what, mistakes=(), warned="", hint=None, shape_hint=None,
             rtol=1e-6, atol=1e-9):
    """One check: ``got`` must match ``expected``, and without warnings.

    ``mistakes`` is a list of ``(wrong_value_or_predicate, hint)``: the first one whose value
    matches ``got`` (NaN matching NaN) or whose predicate is true names the mistake.
    """
    c.count += 1
    expected = np.asarray(expected, dtype=np.float64)
    if shape_hint is None:
        shape_hint = ("a loss is one number: average the per-sample losses with np.mean(...)"
                      if expected.ndim == 0 else "return an array shaped like the input")
    arr = _numbers(got, expected.shape, what, shape_hint)
    if np.isfinite(arr).all() and np.allclose(arr, expected, rtol=rtol, atol=atol):
        if warned:
            raise Wrong(f"{what} has the right value, but NumPy warned: {warned}", WARNED_HINT)
        return arr
    message = _differ(what, expected, arr)
    for wrong, mistake_hint in mistakes:
        if callable(wrong):
            matches = bool(wrong(arr))
        else:
            wrong = np.asarray(wrong, dtype=np.float64)
            matches = wrong.shape == arr.shape and bool(
                np.allclose(arr, wrong, rtol=rtol, atol=atol, equal_nan=True))
        if matches:
            raise Wrong(message, _with_warning(mistake_hint, warned))
    if not np.isfinite(arr).all():
        raise Wrong(message, _with_warning(hint or "a log(0) or an overflowing exp", warned))
    raise Wrong(message, _with_warning(hint, warned) if hint or warned else None)


def _quiet(f, *args):
    """Evaluate a (possibly unstable) wrong version without any warning reaching the learner."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args)


def _one_hot(labels, c):
    y = np.zeros((len(labels), c))
    y[np.arange(len(labels)), labels] = 1.0
    return y


def _log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# ---------------------------------------------------------------------------------------------
# MSE
# ---------------------------------------------------------------------------------------------
def _mse_mistakes(p, t):
    d = p - t
    n = d.size
    out = [(np.mean(d), "you forgot the square: positive and negative errors cancel out; "
                       "use (pred - target) ** 2"),
           (np.mean(d) ** 2, "you squared the mean difference: square each difference first, "
                             "then average"),
           (np.mean(np.abs(d)), "that is the mean absolute error (L1 loss); MSE squares the "
                                "differences"),
           (np.sqrt(np.mean(d ** 2)), "that is the root mean squared error (RMSE): drop the np.sqrt"),
           (np.sum(d ** 2), f"sum instead of mean: off by a factor N = {n}; use np.mean "
                            "(PyTorch's default reduction='mean')"),
           (np.mean(d ** 2) / 2, "you halved it: the 1/2 of some textbooks is not part of MSELoss")]
    if d.ndim == 2:
        out.append((np.mean(np.sum(d ** 2, axis=1)),
                    f"you summed over the {d.shape[1]} outputs and averaged over the {d.shape[0]} "
                    "rows: MSE averages over all N*D elements (np.mean of the whole array)"))
    return out


@checker("mse")
@_robust
def mse(c, fn):
    pred, target = np.array([1.0, -2.0, 3.0, 0.5]), np.array([0.0, 0.0, 1.0, 1.0])
    got, warned = _call(c, fn, pred, target, check_inputs=True)
    _compare(c, got, 2.3125, "mse([1, -2, 3, 0.5], [0, 0, 1, 1])", _mse_mistakes(pred, target),
             warned)
    rng = np.random.default_rng(3)
    pred, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    got, warned = _call(c, fn, pred, target)
    _compare(c, got, np.mean((pred - target) ** 2), "mse on a (5, 3) batch",
             _mse_mistakes(pred, target), warned)
    return "mean over all elements, inputs untouched"


@checker("mse_grad")
@_robust
def mse_grad(c, fn):
    rng = np.random.default_rng(4)
    for shape in [(4,), (5, 3)]:
        pred, target = rng.normal(size=shape), rng.normal(size=shape)
        d, n = pred - target, pred.size
        mistakes = [(d / n, "the factor 2 is missing: d/dx x**2 = 2x"),
                    (2 * d, f"the /n is missing: the mean divides every gradient by n = {n} "
                            "(pred.size)"),
                    (-2 * d / n, "the sign is flipped: it is 2 * (pred - target) / n, "
                                 "so a prediction above its target gets a positive gradient"),
                    (2 * d / d.shape[0], f"divide by all n = {n} elements (pred.size), not by the "
                                         f"{d.shape[0]} rows"),
                    (d ** 2 / n, "that is the derivative's square; d/dpred (pred - target)**2 = "
                                 "2 (pred - target)")]
        got, warned = _call(c, fn, pred, target, check_inputs=len(shape) == 1)
        _compare(c, got, 2 * d / n, f"mse_grad on shape {_fmt_shape(shape)}",
                 mistakes[:3] + mistakes[4:] if len(shape) == 1 else mistakes, warned,
                 shape_hint="the gradient has the shape of pred: one number per prediction")
    return "gradient 2 (pred - target) / n"


# ---------------------------------------------------------------------------------------------
# binary cross-entropy
# ---------------------------------------------------------------------------------------------
def _bce(p, y, eps=EPS):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _bce_mistakes(p, y):
    n = p.size
    right = _bce(p, y)
    return [(-right, "the loss came out negative: the minus sign is missing (log p <= 0, so "
                     "BCE = -mean(y log p + (1 - y) log(1 - p)))"),
            (right * n, f"sum instead of mean: off by a factor N = {n}; use np.mean"),
            (_bce(1 - p, y), "you swapped log(p) and log(1 - p): a sample with y = 1 should pay "
                             "-log(p)"),
            (-np.mean(y * np.log(p)), "the (1 - y) * log(1 - p) term for y = 0 is missing"),
            (-np.mean((1 - y) * np.log(1 - p)), "the y * log(p) term for y = 1 is missing"),
            (right / np.log(10), "use the natural log np.log, not np.log10"),
            (right / np.log(2), "use the natural log np.log, not np.log2")]


@checker("bce")
@_robust
def bce(c, fn):
    p, y = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    got, warned = _call(c, fn, p, y, check_inputs=True,
                        copy_hint="work on a copy: p = np.clip(p, eps, 1 - eps), not np.clip(..., out=p)")
    _compare(c, got, _bce(p, y), "bce([0.9, 0.2, 0.6], [1, 0, 0])", _bce_mistakes(p, y), warned)
    rng = np.random.default_rng(5)
    p, y = rng.uniform(0.01, 0.99, size=8), rng.uniform(size=8)
    got, warned = _call(c, fn, p, y)
    _compare(c, got, _bce(p, y), "bce with soft targets y in [0, 1]", _bce_mistakes(p, y), warned)
    clip_hint = ("no clipping: {why}; clip first: p = np.clip(p, eps, 1 - eps) with eps = 1e-12")
    cases = [(0.0, 1.0, "log(p) = log(0) = -inf at p = 0"),
             (1.0, 0.0, "log(1 - p) = log(0) = -inf at p = 1: clip on both sides"),
             (1.0, 1.0, "at p = 1, y = 1 the unused term is 0 * log(0) = 0 * -inf = nan")]
    for pv, yv, why in cases:
        p, y = np.array([pv]), np.array([yv])
        got, warned = _call(c, fn, p, y)
        _compare(c, got, _bce(p, y), f"bce([{pv:g}], [{yv:g}])",
                 [(lambda a: not np.isfinite(a).all(), clip_hint.format(why=why))]
                 + _bce_mistakes(np.clip(p, EPS, 1 - EPS), y), warned,
                 hint="clip with eps = 1e-12: np.clip(p, eps, 1 - eps)", rtol=1e-4)
    return "finite at p = 0 and p = 1"


def _bce_logits(z, y):
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


@checker("bce_with_logits")
@_robust
def bce_with_logits(c, fn):
    z, y = np.array([2.0, -1.0, 0.5, 0.0]), np.array([1.0, 0.0, 0.0, 1.0])
    got, warned = _call(c, fn, z, y, check_inputs=True)
    right = _bce_logits(z, y)
    mistakes = [(-right, "the loss came out negative: check the signs against "
                         "max(z, 0) - z * y + log(1 + exp(-|z|))"),
                (right * z.size, f"sum instead of mean: off by a factor N = {z.size}"),
                (_bce_logits(-z, y), "you swapped the roles of y = 1 and y = 0 (it is - z * y)"),
                (np.mean(np.maximum(z, 0) - z * y), "the log(1 + exp(-|z|)) term is missing"),
                (np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-z))),
                 "with the max(z, 0) term the last term is log(1 + exp(-|z|)): exp(-|z|), not exp(-z)")]
    _compare(c, got, right, "bce_with_logits([2, -1, 0.5, 0], [1, 0, 0, 1])", mistakes, warned)
    rng = np.random.default_rng(6)
    z, y = rng.normal(0, 4, size=10), rng.integers(0, 2, size=10).astype(float)
    got, warned = _call(c, fn, z, y)
    _compare(c, got, _bce(_sigmoid(z), y), "bce_with_logits(z, y) vs bce(sigmoid(z), y)",
             warned=warned, hint="it must equal the binary cross-entropy of sigmoid(z)")
    z, y = np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([0.0, 1.0, 1.0, 0.0])
    got, warned = _call(c, fn, z, y)
    _compare(c, got, 500.0, "bce_with_logits([1000, -1000, 1000, -1000], [0, 1, 1, 0])",
             [(lambda a: not np.isfinite(a).all() and "overflow" in warned
               and "divide by zero" not in warned,
               "exp(-z) overflows at z = -1000: use exp(-|z|), i.e. "
               "max(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))"),
              (lambda a: not np.isfinite(a).all(),
               "sigmoid(±1000) is exactly 1 or 0, so the log is log(0) = -inf: work on the logits "
               "with max(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))"),
              (lambda a: 0 < float(a) < 40,
               "the loss is capped near -log(eps) = 27.6: you went through sigmoid and clipped; "
               "the true loss of a logit that is 1000 off is 1000, which the logits formula gives")],
             warned)
    return "exact on logits of ±1000"


# ---------------------------------------------------------------------------------------------
# categorical cross-entropy
# ---------------------------------------------------------------------------------------------
def _ce(z, labels):
    return -np.mean(_log_softmax(z)[np.arange(len(labels)), labels])


def _ce_mistakes(z, labels):
    n, k = z.shape
    log_p = _log_softmax(z)
    p = np.exp(log_p)
    right = _ce(z, labels)
    out = [(-right, "the loss came out negative: the minus sign is missing (log p <= 0)"),
           (right * n, f"sum instead of mean: off by a factor N = {n}; average over the samples"),
           (right / k, f"you averaged over all N*C = {n * k} entries (np.mean of one-hot * log_p): "
                       "sum over the classes, then average over the N samples"),
           (-np.mean(log_p[:, labels]), "log_p[:, labels] picks whole columns: use "
                                        "log_p[np.arange(N), labels] to take one entry per row"),
           (-np.mean(p[np.arange(n), labels]), "you averaged the probabilities: take -log of them"),
           (_quiet(lambda: -np.mean(np.log(z[np.arange(n), labels]))),
            "apply softmax first: the inputs are logits (raw scores), not probabilities")]
    if n == k:
        out += [(-np.sum(labels * log_p) / n, LABELS_HINT),
                (-np.mean(labels * log_p), LABELS_HINT),
                (-np.mean(np.sum(labels * log_p, axis=1)), LABELS_HINT)]
    return out


@checker("cross_entropy")
@_robust
def cross_entropy(c, fn):
    z, labels = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), np.array([0, 2])
    got, warned = _call(c, fn, z, labels, labels_hint=True, check_inputs=True,
                        copy_hint="work on a copy: z = z - z.max(...), not z -= z.max(...)")
    _compare(c, got, _ce(z, labels), "cross_entropy([[2, 1, 0], [0, 0, 0]], [0, 2])",
             _ce_mistakes(z, labels), warned)
    rng = np.random.default_rng(7)
    for n, k in [(3, 3), (6, 4)]:
        z, labels = rng.normal(0, 2, size=(n, k)), rng.permutation(n) % k
        got, warned = _call(c, fn, z, labels, labels_hint=True)
        _compare(c, got, _ce(z, labels), f"cross_entropy on random logits ({n}, {k})",
                 _ce_mistakes(z, labels), warned)
    cases = [([[1000.0, -1000.0, 0.0]], [0],
              "no max shift: np.exp(1000) overflows to inf and inf / inf = nan; subtract each row's "
              "max first, z - z.max(axis=1, keepdims=True)"),
             ([[1000.0, -1000.0, 0.0]], [1],
              "softmax underflows to exactly 0 for the -1000 logit and log(0) = -inf: compute "
              "log-probabilities with log-sum-exp, log_p = s - log(sum(exp(s))) with s = z - max"),
             ([[10.0, 0.0, 5.0], [-2000.0, -1500.0, -1800.0]], [0, 1],
              "subtract each row's own max (axis=1, keepdims=True), not the max of the whole "
              "array: the second row's exp underflows to 0")]
    for rows, lab, why in cases:
        z, labels = np.array(rows), np.array(lab)
        got, warned = _call(c, fn, z, labels, labels_hint=True)
        _compare(c, got, _ce(z, labels), f"cross_entropy({rows}, {lab})",
                 [(lambda a: not np.isfinite(a).all(), why)] + _ce_mistakes(z, labels), warned)
    return "stable on logits of ±1000"


@checker("softmax_ce_grad")
@_robust
def softmax_ce_grad(c, fn):
    rng = np.random.default_rng(8)
    for n, k in [(4, 3), (3, 3)]:
        z, labels = rng.normal(0, 2, size=(n, k)), rng.permutation(n) % k
        p, y = np.exp(_log_softmax(z)), _one_hot(labels, k)
        mistakes = [(p - y, f"the /N is missing: the loss is a mean over N = {n} samples, so "
                            "every row of the gradient is divided by N"),
                    ((y - p) / n, "the sign is flipped: it is (p - y) / N, so the true class's "
                                  "logit gets a negative gradient (gradient descent raises it)"),
                    (p / n, "you forgot to subtract the one-hot y: (p - y) / N"),
                    ((p - y) / (n * k), f"divide by N = {n} only, not by N*C = {n * k}"),
                    ((p - y) / k, f"divide by the number of samples N, not the classes C = {k}"),
                    (-y / p / n, "that is dL/dp; with softmax fused in, the gradient with respect "
                                 "to the logits is simply (p - y) / N"),
                    ((p - labels[:, None]) / n, LABELS_HINT),
                    (_quiet(lambda: (p - labels) / n) if n == k else np.nan, LABELS_HINT)]
        got, warned = _call(c, fn, z, labels, labels_hint=True, check_inputs=n == 4,
                            copy_hint="work on a copy: z = z - z.max(...), not z -= z.max(...)")
        _compare(c, got, (p - y) / n, f"softmax_ce_grad on logits ({n}, {k})", mistakes, warned,
                 shape_hint="the gradient has the shape of the logits, (N, C)")
    z, labels = np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]]), np.array([1, 2])
    p, y = np.exp(_log_softmax(z)), _one_hot(labels, 3)
    got, warned = _call(c, fn, z, labels, labels_hint=True)
    _compare(c, got, (p - y) / 2, "softmax_ce_grad([[1000, -1000, 0], [0, 0, 0]], [1, 2])",
             [(lambda a: not np.isfinite(a).all(),
               "no max shift: np.exp(1000) overflows to inf and inf / inf = nan; subtract each row's "
               "max before np.exp")], warned, shape_hint="the gradient has the shape (N, C)")
    return "rows of the gradient sum to 0"
