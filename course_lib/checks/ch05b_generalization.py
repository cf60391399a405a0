"""Checkers for chapter 05b · Generalization: tables on the engine of :mod:`.core`.

Seven exercises: a stratified split whose parts never share a sample, standardizing with the
training statistics only, the L2 penalty and its gradient, dropout's forward and backward in both
modes, the early-stopping rule with patience, and one SGD step with weight decay. Each table lists
its cases, the typical wrong implementations (run on the same inputs, so the one whose outcome
matches names the mistake) and correct variants (the generated tests require them to pass).
"""

import numpy as np

from .core import Case, table

__all__ = ["split_indices", "standardize", "l2_penalty", "dropout_forward", "dropout_backward",
           "early_stopping", "weight_decay_step"]


# -- 1. split_indices ---------------------------------------------------------------------------
def _ref_split(y, test_size, rng):
    test = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        test.extend(rng.choice(idx, size=round(test_size * len(idx)), replace=False))
    test = np.sort(np.array(test, dtype=np.int64))
    train = np.setdiff1d(np.arange(len(y)), test)
    return train, test


def _split_driver(f, y, test_size, seed):
    """Two calls with the same seed and one with another: the split must come from ``rng``."""
    first = f(y, test_size, np.random.default_rng(seed))
    second = f(y, test_size, np.random.default_rng(seed))
    other = f(y, test_size, np.random.default_rng(seed + 1000))
    return first, second, other


_NOT_TWO = "return the two index arrays: `return train_idx, test_idx`"


def _split_check(got, want, case):
    y, test_size, _ = case.args
    first, second, other = got
    if first is None:
        return "split_indices returned None", "did you forget a `return` statement?"
    if not (isinstance(first, tuple) and len(first) == 2):
        return (f"split_indices should return 2 arrays (train_idx, test_idx), got "
                f"{type(first).__name__}", _NOT_TWO)
    train, test = (np.asarray(a) for a in first)
    n = len(y)
    for name, a in (("train_idx", train), ("test_idx", test)):
        if a.ndim != 1:
            return f"{name} should be a 1-D array of indices, got shape {a.shape}", None
        if a.dtype.kind == "b":
            return (f"{name} is a boolean mask; return integer indices",
                    "np.flatnonzero(mask) turns a mask into the indices where it is True")
        if a.dtype.kind not in "iu":
            return f"{name} should hold integer indices, got dtype {a.dtype}", "use .astype(int)"
        if a.size and (a.min() < 0 or a.max() >= n):
            return f"{name} holds indices outside 0..{n - 1}", None
    if len(np.unique(test)) != len(test) or len(np.unique(train)) != len(train):
        return ("an index appears twice in one part",
                "draw without replacement: rng.choice(idx, size=k, replace=False)")
    both = np.intersect1d(train, test)
    if both.size:
        return (f"sample {int(both[0])} is in both train_idx and test_idx: the test part leaks "
                "into training", "train_idx must be the indices that are NOT in test_idx")
    if len(train) < len(test) and len(train) + len(test) == n:
        return ("train_idx is shorter than test_idx",
                "return the training indices first: `return train_idx, test_idx`")
    if len(train) + len(test) != n:
        return (f"train_idx and test_idx together hold {len(train) + len(test)} of the {n} samples",
                "every sample goes to exactly one part")
    for c in np.unique(y):
        k, got_k = round(test_size * np.sum(y == c)), int(np.sum(y[test] == c))
        if got_k != k:
            return (f"class {int(c)} has {int(np.sum(y == c))} samples, so round({test_size} * "
                    f"{int(np.sum(y == c))}) = {k} of them belong in the test part, got {got_k}",
                    "stratify: draw round(test_size * n_c) test indices inside each class")
    a, b = second
    if not (np.array_equal(np.asarray(a), train) and np.array_equal(np.asarray(b), test)):
        return ("two calls with np.random.default_rng(same seed) gave different splits",
                "draw with the rng argument (rng.choice, rng.permutation), never np.random.*")
    if np.array_equal(np.sort(np.asarray(other[1])), np.sort(test)):
        return ("another seed gave the very same split: the split does not depend on rng",
                "draw the test indices at random with the rng argument (rng.choice), not a fixed "
                "rule or a generator of your own")
    return None


def _split_global(y, test_size, rng):
    test = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        test.extend(np.random.choice(idx, size=round(test_size * len(idx)), replace=False))
    test = np.array(test)
    return np.setdiff1d(np.arange(len(y)), test), test


def _split_unstratified(y, test_size, rng):
    order = rng.permutation(len(y))
    k = round(test_size * len(y))
    return np.sort(order[k:]), np.sort(order[:k])


def _split_replace(y, test_size, rng):
    test = np.concatenate([rng.choice(np.flatnonzero(y == c), replace=True,
                                      size=round(test_size * np.sum(y == c)))
                           for c in np.unique(y)])
    return np.setdiff1d(np.arange(len(y)), test), test


def _split_train_all(y, test_size, rng):
    _, test = _ref_split(y, test_size, rng)
    return np.arange(len(y)), test


def _split_floor(y, test_size, rng):
    test = np.concatenate([rng.choice(np.flatnonzero(y == c), size=int(test_size * np.sum(y == c)),
                                      replace=False) for c in np.unique(y)])
    return np.setdiff1d(np.arange(len(y)), test), test


def _split_masks(y, test_size, rng):
    train, test = _ref_split(y, test_size, rng)
    mask = np.zeros(len(y), dtype=bool)
    mask[test] = True
    return ~mask, mask


def _split_swapped(y, test_size, rng):
    train, test = _ref_split(y, test_size, rng)
    return test, train


def _split_perm(y, test_size, rng):
    test = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test.append(idx[:round(test_size * len(idx))])
    test = np.concatenate(test)
    return np.flatnonzero(~np.isin(np.arange(len(y)), test)), test


def _split_shuffle_each(y, test_size, rng):
    train, test = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        k = round(test_size * len(idx))
        test += list(idx[:k])
        train += list(idx[k:])
    return np.array(train), np.array(test)


_Y1 = np.repeat([0, 1, 2], 10)
_Y2 = np.array([0, 1, 1, 0, 2, 1, 0, 1, 1, 2, 1, 0, 1, 1, 2, 1, 1, 1])   # 4, 11, 3 per class
_Y3 = np.repeat([0, 1], [9, 9])
split_indices = table(
    "split_indices", _ref_split,
    cases=[Case(_Y1, 0.3, 0, what="split_indices(y: 10 samples in each of 3 classes, 0.3, rng)"),
           Case(_Y2, 0.25, 1, what="split_indices(y: 4, 11 and 3 samples per class, 0.25, rng)"),
           Case(_Y3, 0.3, 2, what="split_indices(y: 9 samples in each of 2 classes, 0.3, rng)")],
    driver=_split_driver, check=_split_check,
    mistakes={
        "draw with the rng argument (rng.choice, rng.permutation), never np.random.*":
            _split_global,
        "stratify: draw round(test_size * n_c) test indices inside each class": _split_unstratified,
        "draw without replacement: rng.choice(idx, size=k, replace=False)": _split_replace,
        "train_idx must be the indices that are NOT in test_idx": _split_train_all,
        "int() rounds down: use round(test_size * n_c), as the statement says": _split_floor,
        "np.flatnonzero(mask) turns a mask into the indices where it is True": _split_masks,
        "return the training indices first: `return train_idx, test_idx`": _split_swapped,
    },
    correct=[_split_perm, _split_shuffle_each],
    summary="stratified, disjoint, seeded")


# -- 2. standardize -----------------------------------------------------------------------------
def _ref_standardize(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std == 0, 1.0, std)
    return (X_train - mean) / std, (X_test - mean) / std


def _std_with(stats):
    def f(X_train, X_test):
        mean, std = stats(X_train, X_test)
        std = np.where(std == 0, 1.0, std)
        return (X_train - mean) / std, (X_test - mean) / std
    return f


def _std_own(X_train, X_test):
    def one(X):
        s = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(s == 0, 1.0, s)
    return one(X_train), one(X_test)


def _std_in_place(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std == 0, 1.0, std)
    X_test -= mean
    X_test /= std
    X_train -= mean
    X_train /= std
    return X_train, X_test


def _std_no_guard(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


def _std_masked(X_train, X_test):
    mean, std = X_train.mean(0), X_train.std(0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std


_rs = np.random.default_rng(5)
_TR = _rs.normal([1.0, -2.0, 5.0], [0.5, 2.0, 3.0], size=(8, 3))
_TE = _rs.normal([1.0, -2.0, 5.0], [0.5, 2.0, 3.0], size=(5, 3))
_CONST_TR = np.column_stack([_rs.normal(size=6), np.full(6, 4.0)])
_CONST_TE = np.column_stack([_rs.normal(size=3), np.array([4.0, 5.0, 3.0])])
_LEAK = ("the statistics must come from X_train alone: a mean or std that has seen X_test leaks "
         "the held-out data into the model")
standardize = table(
    "standardize", _ref_standardize,
    cases=[Case(_TR, _TE, what="standardize(X_train (8, 3), X_test (5, 3))"),
           Case(_TR[:4], _TE[:1], what="standardize(X_train (4, 3), X_test (1, 3))"),
           Case(_CONST_TR, _CONST_TE, quiet=True,
                what="standardize with a constant column in X_train",
                hint="a column whose training std is 0 would divide by 0: divide it by 1 instead "
                     "(np.where(std == 0, 1.0, std))")],
    mistakes={
        _LEAK + " (you used the mean and std of X_train and X_test together)":
            _std_with(lambda a, b: (np.concatenate([a, b]).mean(0), np.concatenate([a, b]).std(0))),
        "standardize X_test with the TRAINING mean and std, not its own: the model only knows "
        "those":
            _std_own,
        "the mean and std are per feature (axis=0), not over the whole array":
            _std_with(lambda a, b: (a.mean(), a.std())),
        "np.std's default ddof=0 (the population std, like scikit-learn's StandardScaler); ddof=1 "
        "changes the scale": _std_with(lambda a, b: (a.mean(0), a.std(0, ddof=1))),
        "subtract the mean before dividing by the std": _std_with(lambda a, b: (0.0, a.std(0))),
        "divide by the standard deviation, not the variance":
            _std_with(lambda a, b: (a.mean(0), a.var(0))),
        "`X -= ...` and `X /= ...` write into the caller's arrays; build new ones": _std_in_place,
        "a column whose training std is 0 divides by 0: divide it by 1 instead "
        "(np.where(std == 0, 1.0, std))": _std_no_guard,
    },
    correct=[_std_with(lambda a, b: (a.mean(axis=0, keepdims=True), a.std(axis=0, keepdims=True))),
             _std_masked],
    names=("X_train_std", "X_test_std"),
    hint="mean = X_train.mean(axis=0) and std = X_train.std(axis=0) (1 where it is 0), from the "
         "training part only; apply both to X_train and to X_test",
    summary="training statistics only")


# -- 3. l2_penalty ------------------------------------------------------------------------------
def _ref_l2(weights, lam):
    penalty = 0.5 * lam * sum(float(np.sum(w * w)) for w in weights)
    return penalty, [lam * w for w in weights]


def _l2_in_place(weights, lam):
    penalty = 0.5 * lam * sum(float(np.sum(w * w)) for w in weights)
    for w in weights:
        w *= lam
    return penalty, weights


_W = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.25, -1.5, 2.0])]
_W2 = [np.random.default_rng(7).normal(size=(3, 4)), np.random.default_rng(8).normal(size=(4, 2))]
l2_penalty = table(
    "l2_penalty", _ref_l2,
    cases=[Case(_W, 0.1, what="l2_penalty([W of shape (2, 2), b of shape (3,)], 0.1)"),
           Case(_W2, 0.03, what="l2_penalty([W1 (3, 4), W2 (4, 2)], 0.03)"),
           Case(_W[:1], 0.0, what="l2_penalty([W], lam=0)")],
    mistakes={
        "the penalty is (lam / 2) * sum(w**2): the 1/2 makes the gradient exactly lam * w":
            lambda weights, lam: (lam * sum(float(np.sum(w * w)) for w in weights),
                                  [lam * w for w in weights]),
        "without the 1/2 the gradient of lam * sum(w**2) is 2 * lam * w; with it, lam * w":
            lambda weights, lam: (0.5 * lam * sum(float(np.sum(w * w)) for w in weights),
                                  [2 * lam * w for w in weights]),
        "L2 squares the weights: sum(w**2), not sum(|w|) (that is L1)":
            lambda weights, lam: (0.5 * lam * sum(float(np.sum(np.abs(w))) for w in weights),
                                  [lam * w for w in weights]),
        "sum the squares over every array, not only the first":
            lambda weights, lam: (0.5 * lam * float(np.sum(weights[0] ** 2)),
                                  [lam * w for w in weights]),
        "sum the squares, don't average them: np.sum(w**2), not np.mean":
            lambda weights, lam: (0.5 * lam * sum(float(np.mean(w * w)) for w in weights),
                                  [lam * w for w in weights]),
        "the squared norm is sum(w**2), not its square root (np.linalg.norm)":
            lambda weights, lam: (0.5 * lam * sum(float(np.linalg.norm(w)) for w in weights),
                                  [lam * w for w in weights]),
        "the gradient of (lam / 2) * w**2 is lam * w, not lam * w**2":
            lambda weights, lam: (0.5 * lam * sum(float(np.sum(w * w)) for w in weights),
                                  [lam * w * w for w in weights]),
        "`w *= lam` changes the model's weights; build new arrays: [lam * w for w in weights]":
            _l2_in_place,
    },
    correct=[lambda weights, lam: (lam / 2 * sum(float((w ** 2).sum()) for w in weights),
                                   [lam * w for w in weights]),
             lambda weights, lam: (0.5 * lam * float(sum(np.vdot(w, w) for w in weights)),
                                   [np.multiply(lam, w) for w in weights])],
    names=("penalty", "grads"),
    hint="penalty = (lam / 2) * sum over the arrays of np.sum(w ** 2); grads = [lam * w, ...]",
    summary="penalty and gradient agree")


# -- 4. dropout_forward -------------------------------------------------------------------------
def _ref_dropout_forward(x, p, rng, training=True):
    if not training:
        return x.copy(), None
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def _df(keep, scale, eval_out=None):
    def f(x, p, rng, training=True):
        if not training:
            return (x.copy() if eval_out is None else eval_out(x, p)), None
        mask = keep(rng.random(x.shape), p)
        return x * mask * scale(p), mask
    return f


def _df_global(x, p, rng, training=True):
    if not training:
        return x.copy(), None
    mask = np.random.random(x.shape) >= p
    return x * mask / (1 - p), mask


def _df_always(x, p, rng, training=True):
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def _df_good(x, p, rng, training=True):
    if not training:
        return np.array(x), None
    keep = ~(rng.random(x.shape) < p)
    return np.where(keep, x / (1 - p), 0.0), keep


def _df_driver(f, *args, **kwargs):
    """Seed NumPy's global generator for the call (and put it back), so that code drawing from
    np.random instead of ``rng`` gives the same (wrong) mask every time and can be named."""
    state = np.random.get_state()
    np.random.seed(1234)
    try:
        return f(*args, **kwargs)
    finally:
        np.random.set_state(state)


_ge = lambda u, p: u >= p
_inv = lambda p: 1 / (1 - p)
_rx = np.random.default_rng(11)
_X45 = _rx.normal(size=(4, 5))
_X233 = _rx.normal(size=(2, 3, 3))
dropout_forward = table(
    "dropout_forward", _ref_dropout_forward,
    cases=[Case(_X45, 0.5, np.random.default_rng(0), what="dropout_forward(x (4, 5), p=0.5, rng)"),
           Case(_X45, 0.2, np.random.default_rng(1), what="dropout_forward(x (4, 5), p=0.2, rng)"),
           Case(_X233, 0.5, np.random.default_rng(2), kw={"training": False},
                what="dropout_forward(x (2, 3, 3), p=0.5, rng, training=False)"),
           Case(_X233, 0.75, np.random.default_rng(3),
                what="dropout_forward(x (2, 3, 3), p=0.75, rng)"),
           Case(_X45[:1, :3], 0.0, np.random.default_rng(4),
                what="dropout_forward(x (1, 3), p=0, rng)")],
    mistakes={
        "p is the probability of DROPPING (PyTorch's convention): keep where "
        "rng.random(x.shape) >= p":
            _df(lambda u, p: u < p, _inv),
        "inverted dropout scales the survivors by 1 / (1 - p), so the expected output equals x":
            _df(_ge, lambda p: 1.0),
        "divide by the keep probability 1 - p, don't multiply by it": _df(_ge, lambda p: 1 - p),
        "the survivors are scaled by 1 / (1 - p), the keep probability, not 1 / p":
            _df(_ge, lambda p: 1 / p),
        "in evaluation mode (training=False) dropout does nothing: return a copy of x and mask "
        "None":
            _df_always,
        "with inverted dropout the evaluation mode is the identity; multiplying by (1 - p) at test "
        "time belongs to the original, non-inverted dropout":
            _df(_ge, _inv, eval_out=lambda x, p: x * (1 - p)),
        "draw the mask with the rng argument (rng.random(x.shape)), never np.random.*": _df_global,
    },
    correct=[_ref_dropout_forward, _df_good],
    driver=_df_driver, names=("out", "mask"),
    hint="mask = rng.random(x.shape) >= p; out = x * mask / (1 - p); in eval mode (x.copy(), None)",
    summary="train and eval mode")


# -- 5. dropout_backward ------------------------------------------------------------------------
def _ref_dropout_backward(dout, mask, p):
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p)


def _db_in_place(dout, mask, p):
    if mask is None:
        return dout.copy()
    dout *= mask / (1 - p)
    return dout


_rd = np.random.default_rng(12)
_D45 = _rd.normal(size=(4, 5))
_M45 = _rd.random((4, 5)) >= 0.5
_D6 = _rd.normal(size=(2, 3))
dropout_backward = table(
    "dropout_backward", _ref_dropout_backward,
    cases=[Case(_D45, _M45, 0.5, what="dropout_backward(dout (4, 5), mask, p=0.5)"),
           Case(_D45, _M45, 0.2, what="dropout_backward(dout (4, 5), mask, p=0.2)"),
           Case(_D6, None, 0.5,
                what="dropout_backward(dout (2, 3), mask=None, p=0.5) (eval mode)")],
    mistakes={
        "the backward pass goes through the same scale as the forward: dout * mask / (1 - p)":
            lambda dout, mask, p: dout * mask if mask is not None else dout.copy(),
        "the gradient is dout * mask / (1 - p): divide by the keep probability, don't multiply":
            lambda dout, mask, p: dout * mask * (1 - p) if mask is not None else dout.copy(),
        "the dropped entries get no gradient: multiply by the mask, dout * mask / (1 - p)":
            lambda dout, mask, p: dout / (1 - p) if mask is not None else dout.copy(),
        "mask None means evaluation mode, where dropout is the identity: return a copy of dout":
            lambda dout, mask, p: dout * mask / (1 - p),
        "in evaluation mode (mask None) the gradient passes unchanged: no 1 / (1 - p)":
            lambda dout, mask, p: dout * (mask if mask is not None else 1.0) / (1 - p),
        "`dout *= ...` writes into the caller's array; build a new one: dout * mask / (1 - p)":
            _db_in_place,
        "the mask is True where an entry was KEPT: multiply by mask, not by ~mask":
            lambda dout, mask, p: dout * ~mask / (1 - p) if mask is not None else dout.copy(),
    },
    correct=[lambda dout, mask, p: (dout.copy() if mask is None
                                    else np.where(mask, dout / (1 - p), 0.0)),
             lambda dout, mask, p: dout * (1.0 if mask is None else mask / (1 - p))],
    hint="dx = dout * mask / (1 - p); with mask None (eval mode) dx = dout.copy()",
    summary="the same mask and scale as the forward")


# -- 6. early_stopping --------------------------------------------------------------------------
def _ref_early(val_losses, patience, min_delta=0.0):
    best, best_epoch = np.inf, 0
    for epoch, value in enumerate(val_losses, start=1):
        if value < best - min_delta:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return None, best_epoch


def _early(improves, stops, start=1, end=lambda n, b: (None, b)):
    def f(val_losses, patience, min_delta=0.0):
        best, best_epoch = np.inf, 0
        for epoch, value in enumerate(val_losses, start=start):
            if improves(value, best, min_delta):
                best, best_epoch = value, epoch
            elif stops(epoch, best_epoch, patience):
                return epoch, best_epoch
        return end(len(val_losses), best_epoch)
    return f


def _early_no_reset(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = np.inf, 0, 0
    for epoch, value in enumerate(val_losses, start=1):
        if value < best - min_delta:
            best, best_epoch = value, epoch
        else:
            bad += 1
            if bad >= patience:
                return epoch, best_epoch
    return None, best_epoch


def _early_future(val_losses, patience, min_delta=0.0):
    stop, _ = _ref_early(val_losses, patience, min_delta)
    return stop, int(np.argmin(val_losses)) + 1 if len(val_losses) else 0


_lt = lambda v, b, d: v < b - d
_ge_p = lambda e, b, p: e - b >= p
_CURVE = [1.0, 0.8, 0.7, 0.72, 0.69, 0.75, 0.8, 0.78, 0.6, 0.9]
_STOPS = ("stop after the epoch where epoch - best_epoch >= patience and return (that epoch, "
          "best_epoch); stop_epoch is None only when patience never runs out")
_TIES = [1.0, 0.5, 0.5, 0.5, 0.4]
early_stopping = table(
    "early_stopping", _ref_early,
    cases=[Case(_CURVE, 2, hint=_STOPS), Case(_CURVE, 3, hint=_STOPS),
           Case([1.0, 1.03, 1.2, 1.3], 2, kw={"min_delta": 0.05}, hint=_STOPS),
           Case(_CURVE, 2, kw={"min_delta": 0.05}, hint=_STOPS),
           Case(_TIES, 2, hint=_STOPS,
                what="early_stopping([1.0, 0.5, 0.5, 0.5, 0.4], 2) (equal is not better)"),
           Case(_CURVE, 0, hint=_STOPS),
           Case(_CURVE, 20, what="early_stopping(curve, 20) (never stops)",
                hint="when patience never runs out, return None as stop_epoch"),
           Case([], 3, what="early_stopping([], 3)")],
    mistakes={
        "stop once epoch - best_epoch >= patience: with patience 2, two epochs without a new best":
            _early(_lt, lambda e, b, p: e - b > p),
        "epochs count from 1 (the value after the first epoch is epoch 1): "
        "enumerate(val_losses, start=1)":
            _early(_lt, _ge_p, start=0),
        "count the epochs since the BEST one, not every epoch without improvement: a new best "
        "resets the count": _early_no_reset,
        "an equal value is not an improvement: use value < best - min_delta, not <=":
            _early(lambda v, b, d: v <= b - d, _ge_p),
        "an improvement must beat the best by more than min_delta: value < best - min_delta":
            _early(lambda v, b, d: v < b, _ge_p),
        "min_delta makes improving harder: best - min_delta, not best + min_delta":
            _early(lambda v, b, d: v < b + d, _ge_p),
        "when patience never runs out, the stop epoch is None (training ran to the end)":
            _early(_lt, _ge_p, end=lambda n, b: (n, b)),
        "the rule cannot see the future: best_epoch is the best epoch up to the stop, not the "
        "minimum of the whole list": _early_future,
    },
    correct=[_early(lambda v, b, d: b - v > d, lambda e, b, p: e >= b + p),
             _early(_lt, _ge_p)],
    names=("stop_epoch", "best_epoch"), dtype="number",
    hint="walk the epochs from 1: a value < best - min_delta is a new best; otherwise stop when "
         "epoch - best_epoch >= patience; return (stop_epoch or None, best_epoch)",
    summary="patience, min_delta, ties")


# -- 7. weight_decay_step -----------------------------------------------------------------------
def _ref_wd(p, g, lr, weight_decay):
    return p - lr * (g + weight_decay * p)


def _wd_in_place(p, g, lr, weight_decay):
    p -= lr * (g + weight_decay * p)
    return p


def _wd_after(p, g, lr, weight_decay):
    p_new = p - lr * g
    return p_new - lr * weight_decay * p_new


_rw = np.random.default_rng(13)
_P, _G = _rw.normal(size=(3, 4)), _rw.normal(size=(3, 4))
weight_decay_step = table(
    "weight_decay_step", _ref_wd,
    cases=[Case(_P, _G, 0.1, 0.01,
                what="weight_decay_step(p (3, 4), g, lr=0.1, weight_decay=0.01)"),
           Case(_P, _G, 0.5, 0.2, what="weight_decay_step(p (3, 4), g, lr=0.5, weight_decay=0.2)"),
           Case(_P[0], np.zeros(4), 0.1, 0.5,
                what="weight_decay_step(p, g=0, lr=0.1, weight_decay=0.5)"),
           Case(_P[:1], _G[:1], 0.1, 0.0, what="weight_decay_step(p, g, lr=0.1, weight_decay=0)")],
    mistakes={
        "the decay is scaled by the learning rate too: p - lr * (g + weight_decay * p)":
            lambda p, g, lr, weight_decay: p - lr * g - weight_decay * p,
        "the gradient of (weight_decay / 2) * p**2 is weight_decay * p, not 2 * weight_decay * p":
            lambda p, g, lr, weight_decay: p - lr * (g + 2 * weight_decay * p),
        "the decay adds weight_decay * p to the gradient (the penalty's gradient), not "
        "weight_decay * p**2": lambda p, g, lr, weight_decay: p - lr * (g + weight_decay * p ** 2),
        "weight decay pulls p towards 0: g + weight_decay * p, with a plus":
            lambda p, g, lr, weight_decay: p - lr * (g - weight_decay * p),
        "a step goes against the gradient: p - lr * (...)":
            lambda p, g, lr, weight_decay: p + lr * (g + weight_decay * p),
        "decay the weights you started from: p - lr * (g + weight_decay * p), all with the old p":
            _wd_after,
        "`p -= ...` writes into the caller's array; return a new one: "
        "p - lr * (g + weight_decay * p)":
            _wd_in_place,
    },
    correct=[lambda p, g, lr, weight_decay: (1 - lr * weight_decay) * p - lr * g,
             lambda p, g, lr, weight_decay: p * (1 - lr * weight_decay) - lr * g],
    hint="p_new = p - lr * (g + weight_decay * p) = (1 - lr * weight_decay) * p - lr * g",
    summary="the decay and the step together")
