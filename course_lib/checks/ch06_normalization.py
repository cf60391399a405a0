"""Checkers for chapter 06 · Feature scaling, initialization and batch normalization: tables on the
engine of :mod:`.core`.

Every reference is ``course_lib``'s own code (``preprocessing.MinMaxScaler``, ``init``,
``layers.BatchNorm1d``, ``layers.LayerNorm``), so an exercise agrees with the layer the lesson
compares it with. Random inputs come from fixed seeds; every batch has at least 4 rows and every
upstream gradient is random (an all-ones ``dout`` would make batch norm's ``dx`` zero and hide
bugs). Each table lists typical wrong implementations (run on the same inputs: the one whose
output matches names the mistake) and correct variants (the tests require them to pass).
"""

import numpy as np

from ..init import kaiming_normal
from ..layers.norm import BatchNorm1d, LayerNorm
from ..preprocessing import MinMaxScaler
from .core import Case, table

__all__ = ["minmax_scale", "he_normal", "batchnorm_forward_train", "batchnorm_backward",
           "batchnorm_forward_eval", "layernorm_forward"]

_rng = np.random.default_rng(6)


def _data(*shape, scale=1.0, shift=0.0):
    return _rng.normal(size=shape) * scale + shift


_EPS_INSIDE = ("eps goes inside the square root: (x - mean) / np.sqrt(var + eps), "
               "not (x - mean) / (np.sqrt(var) + eps)")
_BIASED = ("normalize with the biased variance, x.var(axis=0) (dividing by N), as PyTorch does; "
           "ddof=1 divides by N - 1")


# -- 1. min-max scaling with training statistics only ------------------------------------------
def _ref_minmax(X_train, X_test, feature_range=(0.0, 1.0)):
    scaler = MinMaxScaler(feature_range).fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _mm(stats, clip=False, use_range=True, range_bug=False, guard=True):
    """A min-max scaler whose statistics come from ``stats(X_train, X_test)``."""
    def f(X_train, X_test, feature_range=(0.0, 1.0)):
        lo, hi = feature_range if use_range else (0.0, 1.0)
        mn, mx = stats(X_train, X_test)
        span = mx - mn
        if guard:
            span = np.where(span == 0, 1.0, span)

        def scale(X, mn=mn, span=span):
            unit = (X - mn) / span
            out = unit * hi + lo if range_bug else unit * (hi - lo) + lo
            return np.clip(out, lo, hi) if clip else out
        return scale(X_train), scale(X_test)
    return f


def _mm_own_stats(X_train, X_test, feature_range=(0.0, 1.0)):
    lo, hi = feature_range

    def one(X):
        span = X.max(axis=0) - X.min(axis=0)
        return (X - X.min(axis=0)) / np.where(span == 0, 1.0, span) * (hi - lo) + lo
    return one(X_train), one(X_test)


def _mm_in_place(X_train, X_test, feature_range=(0.0, 1.0)):
    lo, hi = feature_range
    mn, mx = X_train.min(axis=0), X_train.max(axis=0)
    span = np.where(mx == mn, 1.0, mx - mn)
    for X in (X_test, X_train):
        X -= mn
        X /= span
        X *= hi - lo
        X += lo
    return X_train, X_test


def _mm_only_test(X_train, X_test, feature_range=(0.0, 1.0)):
    return _ref_minmax(X_train, X_test, feature_range)[1]


_MM_TR = _data(8, 3, scale=[100.0, 1.0, 0.1], shift=[1000.0, 0.0, 5.0])
_MM_TE = _data(5, 3, scale=[150.0, 1.5, 0.1], shift=[1100.0, 0.5, 5.0])     # partly outside
_MM_CONST_TR = np.column_stack([_data(4), np.full(4, 7.0)])
_MM_CONST_TE = np.column_stack([_data(2), np.array([7.0, 9.0])])
_LEAK_MM = ("the minimum and maximum must come from X_train alone: statistics that have seen "
            "X_test leak the held-out data into the model")

minmax_scale = table(
    "minmax_scale", _ref_minmax,
    cases=[Case(_MM_TR, _MM_TE, what="minmax_scale(X_train (8, 3), X_test (5, 3))"),
           Case(_MM_TR[:4], _MM_TE[:1], kw={"feature_range": (-1.0, 1.0)},
                what="minmax_scale(X_train (4, 3), X_test (1, 3), feature_range=(-1, 1))"),
           Case(_MM_CONST_TR, _MM_CONST_TE, quiet=True,
                what="minmax_scale with a constant column in X_train",
                hint="a constant training column has max - min = 0: use a range of 1 there "
                     "(np.where(span == 0, 1.0, span)), as scikit-learn does, so it maps to "
                     "feature_range[0]")],
    mistakes={
        "the test set must be scaled with the TRAINING minimum and maximum, not its own: "
        "new data is scaled with the numbers learned from the training data": _mm_own_stats,
        _LEAK_MM: _mm(lambda a, b: (np.minimum(a.min(0), b.min(0)),
                                    np.maximum(a.max(0), b.max(0)))),
        "take the minimum and maximum per feature, over the rows: X_train.min(axis=0), "
        "X_train.max(axis=0)": _mm(lambda a, b: (a.min(), a.max())),
        "axis=1 takes the statistics of each row (each example); features are columns: axis=0":
            _mm(lambda a, b: (a.min(axis=1, keepdims=True), a.max(axis=1, keepdims=True))),
        "do not clip: test values outside the training range map outside feature_range, and that "
        "is correct (they are new data)": _mm(lambda a, b: (a.min(0), a.max(0)), clip=True),
        "use feature_range: scale to [0, 1] first, then `* (hi - lo) + lo`":
            _mm(lambda a, b: (a.min(0), a.max(0)), use_range=False),
        "from [0, 1] to (lo, hi) the factor is (hi - lo), not hi: `unit * (hi - lo) + lo`":
            _mm(lambda a, b: (a.min(0), a.max(0)), range_bug=True),
        "a constant training column has max - min = 0, and 0 / 0 gives NaN: use a range of 1 "
        "there (np.where(span == 0, 1.0, span))":
            _mm(lambda a, b: (a.min(0), a.max(0)), guard=False),
        "`X -= ...` and `X /= ...` write into the caller's arrays; build new ones "
        "(`X = (X - mn) / span` makes a new array)": _mm_in_place,
        "return both scaled sets: `return X_train_scaled, X_test_scaled`": _mm_only_test,
    },
    correct=[_mm(lambda a, b: (a.min(0), a.max(0))),
             lambda X_train, X_test, feature_range=(0.0, 1.0): (
                 MinMaxScaler(feature_range).fit(X_train).transform(X_train),
                 MinMaxScaler(feature_range).fit(X_train).transform(X_test))],
    names=("X_train_scaled", "X_test_scaled"),
    hint="per feature: mn, mx = X_train.min(axis=0), X_train.max(axis=0); "
         "(X - mn) / (mx - mn) * (hi - lo) + lo for both sets",
    summary="training statistics only, no clipping, constant columns safe")


# -- 2. He initialization ------------------------------------------------------------------------
def _ref_he(fan_in, fan_out, rng):
    return kaiming_normal((fan_in, fan_out), nonlinearity="relu", rng=rng)


def _he_std(std_of, shape=lambda i, o: (i, o)):
    def f(fan_in, fan_out, rng):
        return rng.normal(0.0, std_of(fan_in, fan_out), shape(fan_in, fan_out))
    return f


def _he_uniform(fan_in, fan_out, rng):
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, (fan_in, fan_out))


def _he_own_rng(fan_in, fan_out, rng):
    return np.random.default_rng(0).normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))


def _gen(seed):
    return np.random.default_rng(seed)


he_normal = table(
    "he_normal", _ref_he,
    cases=[Case(64, 32, _gen(0), what="he_normal(64, 32, rng)"),
           Case(3, 7, _gen(1), what="he_normal(3, 7, rng)"),
           Case(200, 5, _gen(2), what="he_normal(200, 5, rng)"),
           Case(1, 1, _gen(3), what="he_normal(1, 1, rng)")],
    mistakes={
        "sqrt(1 / fan_in) is LeCun's (or Xavier's for tanh) scale; ReLU zeroes half the units, so "
        "He doubles the variance: std = np.sqrt(2 / fan_in)": _he_std(lambda i, o: np.sqrt(1 / i)),
        "2 / fan_in is the variance; rng.normal takes the standard deviation: np.sqrt(2 / fan_in)":
            _he_std(lambda i, o: 2 / i),
        "He's fan is the number of INPUTS of a unit, fan_in (the rows of W): np.sqrt(2 / fan_in)":
            _he_std(lambda i, o: np.sqrt(2 / o)),
        "np.sqrt(2 / (fan_in + fan_out)) is Xavier's; He uses fan_in alone: np.sqrt(2 / fan_in)":
            _he_std(lambda i, o: np.sqrt(2 / (i + o))),
        "W has shape (fan_in, fan_out) in our Dense (x @ W); (fan_out, fan_in) is PyTorch's "
        "nn.Linear layout": _he_std(lambda i, o: np.sqrt(2 / i), shape=lambda i, o: (o, i)),
        "that is He's uniform version; the exercise asks for the normal one: "
        "rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))": _he_uniform,
        "a fixed std of 0.01 vanishes through deep networks; He's std depends on fan_in":
            _he_std(lambda i, o: 0.01),
        "draw from the rng you are given (a new default_rng(0) inside ignores it, so every layer "
        "would get the same numbers)": _he_own_rng,
    },
    correct=[lambda fan_in, fan_out, rng: rng.normal(0.0, np.sqrt(2 / fan_in), (fan_in, fan_out)),
             lambda fan_in, fan_out, rng: (rng.standard_normal((fan_in, fan_out))
                                           * np.sqrt(2.0 / fan_in))],
    hint="W = rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out)), drawn from the rng "
         "given",
    summary="std sqrt(2 / fan_in), shape (fan_in, fan_out), from the given rng")


# -- 3. batch norm forward, training mode, with the running statistics --------------------------
def _ref_bn_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    bn = BatchNorm1d(x.shape[1], eps=eps, momentum=momentum)
    bn.params["gamma"][...], bn.params["beta"][...] = gamma, beta
    bn.running_mean[...], bn.running_var[...] = running_mean, running_var
    out = bn.forward(x)
    return out, bn.running_mean.copy(), bn.running_var.copy()


def _bn_train(axis=0, ddof=0, store_ddof=1, keep_ratio=False, eps_outside=False, affine="ok",
              update=True, stats_of="x"):
    """A batch-norm forward in training mode with one deliberate difference from the reference."""
    def f(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
        n = x.shape[axis]
        mean = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, ddof=ddof, keepdims=True)
        std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
        x_hat = (x - mean) / std
        out = {"ok": gamma * x_hat + beta, "none": x_hat, "swapped": beta * x_hat + gamma}[affine]
        m = 1 - momentum if keep_ratio else momentum
        bmean, bvar = (x_hat.mean(axis=0), x_hat.var(axis=0)) if stats_of == "x_hat" else (
            x.mean(axis=0), x.var(axis=0) * (n / (n - 1) if store_ddof else 1.0))
        if not update:
            return out, running_mean.copy(), running_var.copy()
        return out, (1 - m) * running_mean + m * bmean, (1 - m) * running_var + m * bvar
    return f


def _bn_train_in_place(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    mean, var = x.mean(axis=0), x.var(axis=0)
    running_mean *= 1 - momentum
    running_mean += momentum * mean
    running_var *= 1 - momentum
    running_var += momentum * var * n / (n - 1)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, running_mean, running_var


_BN_X = _data(8, 3, scale=[1.0, 10.0, 0.5], shift=[0.0, 50.0, -3.0])
_G3, _B3 = _data(3) + 1.0, _data(3)
_RM3, _RV3 = _data(3), np.abs(_data(3)) + 0.5
_BN_X2 = _data(4, 4, scale=3.0, shift=1.0)          # square: catches the axis
_G4, _B4 = _data(4) + 1.0, _data(4)

batchnorm_forward_train = table(
    "batchnorm_forward_train", _ref_bn_train,
    cases=[Case(_BN_X, _G3, _B3, np.zeros(3), np.ones(3),
                what="batchnorm_forward_train(x (8, 3), gamma, beta, zeros, ones)"),
           Case(_BN_X2, _G4, _B4, _data(4), np.abs(_data(4)) + 0.5,
                what="batchnorm_forward_train(x (4, 4), gamma, beta, running_mean, running_var)"),
           Case(_BN_X, _G3, _B3, _RM3, _RV3, kw={"momentum": 0.3, "eps": 1e-3},
                what="batchnorm_forward_train(x (8, 3), ..., momentum=0.3, eps=1e-3)")],
    mistakes={
        _BIASED: _bn_train(ddof=1),
        "running_var stores the UNBIASED batch variance (PyTorch): x.var(axis=0, ddof=1), or "
        "var * N / (N - 1)": _bn_train(store_ddof=0),
        "PyTorch's momentum weights the NEW batch: running = (1 - momentum) * running + "
        "momentum * batch (CS231n's momentum=0.9 is the weight of the old value)":
            _bn_train(keep_ratio=True),
        _EPS_INSIDE: _bn_train(eps_outside=True),
        "batch norm averages each feature over the batch, axis=0; axis=1 (over the features) is "
        "layer norm": _bn_train(axis=1),
        "scale and shift after normalizing: out = gamma * x_hat + beta": _bn_train(affine="none"),
        "gamma scales and beta shifts: gamma * x_hat + beta, not beta * x_hat + gamma":
            _bn_train(affine="swapped"),
        "update the running statistics in training mode and return the new ones":
            _bn_train(update=False),
        "the running statistics average the batch's mean and variance of x, not of x_hat "
        "(which are always 0 and 1)": _bn_train(stats_of="x_hat"),
        "`running_mean *= ...` and `+=` write into the caller's arrays; return new ones "
        "(`new_mean = (1 - momentum) * running_mean + momentum * mean`)": _bn_train_in_place,
    },
    correct=[_bn_train(),
             lambda x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5: (
                 gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta,
                 running_mean + momentum * (x.mean(0) - running_mean),
                 running_var + momentum * (x.var(0, ddof=1) - running_var))],
    names=("out", "running_mean", "running_var"),
    hint="mean, var = x.mean(axis=0), x.var(axis=0); out = gamma * (x - mean) / np.sqrt(var + eps) "
         "+ beta; running = (1 - momentum) * running + momentum * (mean, or var * N / (N - 1))",
    summary="biased variance to normalize, unbiased running_var, momentum weights the new batch")


# -- 4. batch norm backward, the compact formula ---------------------------------------------------
def _ref_bn_backward(dout, x, gamma, eps=1e-5):
    bn = BatchNorm1d(x.shape[1], eps=eps)
    bn.params["gamma"][...] = gamma
    bn.forward(x)
    dx = bn.backward(dout)
    return dx, bn.grads["gamma"].copy(), bn.grads["beta"].copy()


def _bn_bwd(drop=None, ddof=0, no_gamma=False, swap=False, no_sum=False, scale_m=False):
    def f(dout, x, gamma, eps=1e-5):
        m = x.shape[0]
        mean, var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        dx_hat = dout if no_gamma else dout * gamma
        terms = m * dx_hat
        if drop != "mean":
            terms = terms - dx_hat.sum(axis=0)
        if drop != "var":
            terms = terms - x_hat * (dx_hat * x_hat).sum(axis=0)
        dx = terms * inv_std * (m if scale_m else 1 / m)
        if drop == "both":
            dx = dx_hat * inv_std
        dgamma = dout * x_hat if no_sum else (dout * x_hat).sum(axis=0)
        dbeta = dout if no_sum else dout.sum(axis=0)
        return (dx, dbeta, dgamma) if swap else (dx, dgamma, dbeta)
    return f


def _bn_bwd_in_place(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dout *= gamma                       # writes into the caller's gradient
    dx = (m * dout - dout.sum(axis=0) - x_hat * (dout * x_hat).sum(axis=0)) * inv_std / m
    return dx, dgamma, dbeta


def _bn_bwd_means(dout, x, gamma, eps=1e-5):
    # the same formula with means instead of sums (m cancels)
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


_BW_X, _BW_D = _data(6, 3, scale=2.0, shift=1.0), _data(6, 3)
_BW_X2, _BW_D2 = _data(4, 5, scale=[1.0, 5.0, 0.2, 3.0, 1.0], shift=10.0), _data(4, 5)

batchnorm_backward = table(
    "batchnorm_backward", _ref_bn_backward,
    cases=[Case(_BW_D, _BW_X, _G3, what="batchnorm_backward(dout (6, 3), x (6, 3), gamma)"),
           Case(_BW_D2, _BW_X2, _data(5) + 1.0,
                what="batchnorm_backward(dout (4, 5), x (4, 5), gamma)"),
           Case(_BW_D[:4, :2], _BW_X[:4, :2] * 0.1, _G3[:2], kw={"eps": 1e-2},
                what="batchnorm_backward(dout (4, 2), x (4, 2), gamma, eps=1e-2)")],
    mistakes={
        "dx = dout * gamma / std treats mean and var as constants; x also reaches x_hat through "
        "the mean and the variance: "
        "dx = (m * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)) / (m * std)":
            _bn_bwd(drop="both"),
        "the variance path is missing: subtract x_hat * sum(dx_hat * x_hat, axis=0) too":
            _bn_bwd(drop="var"),
        "the mean path is missing: subtract sum(dx_hat, axis=0) too": _bn_bwd(drop="mean"),
        "dx_hat = dout * gamma: the upstream gradient goes through the scale gamma first":
            _bn_bwd(no_gamma=True),
        "dgamma = sum(dout * x_hat) and dbeta = sum(dout): they are swapped": _bn_bwd(swap=True),
        "dgamma and dbeta have one entry per feature (D,): sum over the batch, axis=0":
            _bn_bwd(no_sum=True),
        "the forward pass normalizes with the biased variance (ddof=0), so the backward must too":
            _bn_bwd(ddof=1),
        "the bracket is divided by m (the batch size), not multiplied: / (m * std)":
            _bn_bwd(scale_m=True),
        "`dout *= gamma` writes into the caller's gradient; backward never modifies dout "
        "(`dx_hat = dout * gamma` makes a new array)": _bn_bwd_in_place,
    },
    correct=[_bn_bwd(),
             _bn_bwd_means],
    names=("dx", "dgamma", "dbeta"),
    hint="x_hat = (x - mean) / std with std = np.sqrt(var + eps); dx_hat = dout * gamma; "
         "dx = (m * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0)) / (m * std)",
    summary="dx, dgamma, dbeta match the layer (random upstream gradients, batches of 4 to 6)")


# -- 5. batch norm forward, eval mode --------------------------------------------------------------
def _ref_bn_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    bn = BatchNorm1d(x.shape[1], eps=eps).eval()
    bn.params["gamma"][...], bn.params["beta"][...] = gamma, beta
    bn.running_mean[...], bn.running_var[...] = running_mean, running_var
    return bn.forward(x)


def _bn_eval(stats="running", eps_outside=False, no_sqrt=False, affine="ok"):
    def f(x, gamma, beta, running_mean, running_var, eps=1e-5):
        if stats == "batch":
            mean, var = x.mean(axis=0), x.var(axis=0)
        else:
            mean, var = running_mean, running_var
        if no_sqrt:
            scale = var + eps
        else:
            scale = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
        x_hat = (x - mean) / scale
        return {"ok": gamma * x_hat + beta, "none": x_hat, "swapped": beta * x_hat + gamma}[affine]
    return f


def _bn_eval_updates(x, gamma, beta, running_mean, running_var, eps=1e-5):
    running_mean[...] = 0.9 * running_mean + 0.1 * x.mean(axis=0)
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


_EV_X = _data(5, 3, scale=2.0, shift=1.0)

batchnorm_forward_eval = table(
    "batchnorm_forward_eval", _ref_bn_eval,
    cases=[Case(_EV_X, _G3, _B3, _RM3, _RV3, what="batchnorm_forward_eval(x (5, 3), gamma, beta, "
                                                  "running_mean, running_var)"),
           Case(_EV_X[:1], _G3, _B3, _RM3, _RV3,
                what="batchnorm_forward_eval on ONE example (1, 3)"),
           Case(_EV_X[:4, :2], _G3[:2], _B3[:2], _RM3[:2], _RV3[:2], kw={"eps": 0.5},
                what="batchnorm_forward_eval(x (4, 2), ..., eps=0.5)")],
    mistakes={
        "eval mode normalizes with the running statistics, not with the batch's own: one "
        "example's output must not depend on its batch mates": _bn_eval(stats="batch"),
        _EPS_INSIDE.replace("var", "running_var").replace("mean", "running_mean"):
            _bn_eval(eps_outside=True),
        "running_var is a variance: divide by its square root, np.sqrt(running_var + eps)":
            _bn_eval(no_sqrt=True),
        "scale and shift after normalizing: gamma * x_hat + beta": _bn_eval(affine="none"),
        "gamma scales and beta shifts: gamma * x_hat + beta, not beta * x_hat + gamma":
            _bn_eval(affine="swapped"),
        "eval mode must not update the running statistics (and never write into the caller's "
        "arrays)": _bn_eval_updates,
    },
    correct=[_bn_eval(),
             lambda x, gamma, beta, running_mean, running_var, eps=1e-5:
                 x * (gamma / np.sqrt(running_var + eps))
                 + (beta - running_mean * gamma / np.sqrt(running_var + eps))],
    hint="out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta",
    summary="running statistics, one example at a time works")


# -- 6. layer norm forward ----------------------------------------------------------------------
def _ref_ln(x, gamma, beta, eps=1e-5):
    ln = LayerNorm(x.shape[-1], eps=eps)
    ln.params["gamma"][...], ln.params["beta"][...] = gamma, beta
    return ln.forward(x)


def _ln(axis=-1, ddof=0, eps_outside=False, affine="ok"):
    def f(x, gamma, beta, eps=1e-5):
        mean = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, ddof=ddof, keepdims=True)
        std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
        x_hat = (x - mean) / std
        return {"ok": gamma * x_hat + beta, "none": x_hat}[affine]
    return f


def _ln_no_keepdims(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(axis=-1)) / np.sqrt(x.var(axis=-1) + eps) + beta


_LN_X = _data(4, 5, scale=3.0, shift=1.0)
_LN_SQ = _data(4, 4, scale=2.0)
_LN_3D = _data(2, 3, 4, scale=[1.0, 10.0, 0.1, 2.0], shift=5.0)

layernorm_forward = table(
    "layernorm_forward", _ref_ln,
    cases=[Case(_LN_X, _data(5) + 1.0, _data(5), what="layernorm_forward(x (4, 5), gamma, beta)"),
           Case(_LN_SQ, _G4, _B4, what="layernorm_forward(x (4, 4), gamma, beta)"),
           Case(_LN_3D, _G4, _B4, what="layernorm_forward(x (2, 3, 4), gamma, beta)",
                hint="average over the LAST axis, whatever the leading dimensions: "
                     "x.mean(axis=-1, keepdims=True)"),
           Case(_LN_X[0], _data(5) + 1.0, _data(5), kw={"eps": 0.1},
                what="layernorm_forward(one example (5,), gamma, beta, eps=0.1)")],
    mistakes={
        "layer norm averages each example over its features, the last axis (axis=-1); axis=0 "
        "(over the batch) is batch norm": _ln(axis=0),
        "use axis=-1: the features are the last axis whatever the leading dimensions ((N, D), "
        "(N, T, D) or (D,))": _ln(axis=1),
        "keep the reduced axis: x.mean(axis=-1, keepdims=True), so that x - mean subtracts each "
        "row's own mean": _ln_no_keepdims,
        _BIASED.replace("x.var(axis=0)", "x.var(axis=-1)").replace("N", "D"): _ln(ddof=1),
        _EPS_INSIDE: _ln(eps_outside=True),
        "scale and shift after normalizing: gamma * x_hat + beta": _ln(affine="none"),
        "the statistics are per example: do not average over the whole array (no axis)":
            _ln(axis=None),
    },
    correct=[_ln(), lambda x, gamma, beta, eps=1e-5: gamma * (
        (x - x.mean(-1)[..., None]) / np.sqrt(((x - x.mean(-1)[..., None]) ** 2).mean(-1)[..., None]
                                              + eps)) + beta],
    hint="mean = x.mean(axis=-1, keepdims=True), var = x.var(axis=-1, keepdims=True); "
         "gamma * (x - mean) / np.sqrt(var + eps) + beta",
    summary="over the last axis, any leading dimensions")
