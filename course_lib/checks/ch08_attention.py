"""Checkers for chapter 08 · Attention: tables on the engine of :mod:`.core`.

Shapes are chosen so that a transposed or swapped axis cannot hide: ``Tq != Tk != d != dv``, and
the heads' reshapes use ``T != H != d_head``. The references are ``course_lib.layers.attention``'s.
"""

import numpy as np

from ..layers import attention as A
from .core import Case, table

__all__ = ["scaled_scores", "attention_weights", "causal_mask", "split_heads", "merge_heads",
           "attention_backward", "positional_encoding"]


def _rng(seed):
    return np.random.default_rng([seed, 808])


def _normal(seed, *shape):
    return _rng(seed).normal(size=shape)


def _swap(k):
    return np.swapaxes(k, -1, -2)


# -- 1. scaled scores ---------------------------------------------------------------------------
def _ref_scores(q, k):
    return q @ _swap(k) / np.sqrt(q.shape[-1])


scaled_scores = table(
    "scaled_scores", _ref_scores,
    cases=[Case(_normal(1, 3, 4), _normal(2, 5, 4), what="scaled_scores(q (3, 4), k (5, 4))"),
           Case(_normal(3, 2, 3, 6), _normal(4, 2, 5, 6),
                what="scaled_scores(q (2, 3, 6), k (2, 5, 6)), a batch"),
           Case(_normal(5, 2, 2, 3, 9), _normal(6, 2, 2, 4, 9),
                what="scaled_scores on (N, H, T, d) = (2, 2, 3, 9) and (2, 2, 4, 9)"),
           Case(np.ones((1, 16)), np.ones((2, 16)),
                what="scaled_scores(ones (1, 16), ones (2, 16))")],
    mistakes={
        "divide by sqrt(d), not by d: the scores' variance is d, their spread sqrt(d)":
            lambda q, k: q @ _swap(k) / q.shape[-1],
        "the scores must be scaled: divide q @ k^T by np.sqrt(d)": lambda q, k: q @ _swap(k),
        "d is the feature size q.shape[-1], not the number of keys k.shape[-2]":
            lambda q, k: q @ _swap(k) / np.sqrt(k.shape[-2]),
        "d is the feature size q.shape[-1], not the number of queries q.shape[-2]":
            lambda q, k: q @ _swap(k) / np.sqrt(q.shape[-2]),
        "that is k @ q^T, of shape (..., Tk, Tq): rows must be queries, q @ k^T":
            lambda q, k: k @ _swap(q) / np.sqrt(q.shape[-1]),
        "multiply by 1 / np.sqrt(d), not by np.sqrt(d)":
            lambda q, k: q @ _swap(k) * np.sqrt(q.shape[-1]),
        "k.T reverses ALL the axes of a batched k; swap only the last two: np.swapaxes(k, -1, -2)":
            lambda q, k: q @ k.T / np.sqrt(q.shape[-1]),
        "np.dot on 3-D arrays is not a batched product; use the @ operator (np.matmul)":
            lambda q, k: np.dot(q, _swap(k)) / np.sqrt(q.shape[-1]),
        "q.shape[1] is d only for a 2-D q; on a batch (N, T, d) it is T: use q.shape[-1]":
            lambda q, k: q @ _swap(k) / np.sqrt(q.shape[1]),
    },
    correct=[lambda q, k: np.einsum("...qd,...kd->...qk", q, k) / np.sqrt(q.shape[-1]),
             lambda q, k: (q / q.shape[-1] ** 0.5) @ np.swapaxes(k, -1, -2)],
    hint="scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])",
    summary="(..., Tq, Tk) scores scaled by 1/sqrt(d)")


# -- 2. attention weights: the masked row softmax -----------------------------------------------
def _ref_weights(scores, mask=None):
    return A._masked_softmax(np.asarray(scores, dtype=np.float64), mask)


def _no_shift(scores, mask=None):
    e = np.exp(scores)
    if mask is not None:
        e = np.where(mask, e, 0.0)
    return e / e.sum(axis=-1, keepdims=True)


def _global_shift(scores, mask=None):
    s = scores if mask is None else np.where(mask, scores, -np.inf)
    e = np.exp(s - np.max(s))
    return e / e.sum(axis=-1, keepdims=True)


def _columns(scores, mask=None):
    s = scores if mask is None else np.where(mask, scores, -np.inf)
    e = np.exp(s - s.max(axis=-2, keepdims=True))
    return e / e.sum(axis=-2, keepdims=True)


def _ignore_mask(scores, mask=None):
    return A._masked_softmax(scores, None)


def _inverted_mask(scores, mask=None):
    return A._masked_softmax(scores, None if mask is None else ~mask)


def _zero_fill(scores, mask=None):
    return A._masked_softmax(scores if mask is None else np.where(mask, scores, 0.0), None)


def _mask_after(scores, mask=None):
    w = A._masked_softmax(scores, None)
    return w if mask is None else w * mask


def _fill_in_place(scores, mask=None):
    if mask is not None:
        scores[~mask] = -np.inf
    return A._masked_softmax(scores, None)


def _no_keepdims(scores, mask=None):
    s = scores if mask is None else np.where(mask, scores, -np.inf)
    e = np.exp(s - s.max(axis=-1))
    return e / e.sum(axis=-1)


def _big_negative(scores, mask=None):
    s = scores if mask is None else np.where(mask, scores, -1e9)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _with_inf(scores, mask=None):
    s = scores if mask is None else np.where(mask, scores, -np.inf)
    e = np.exp(s - np.max(s, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


_MASK = np.array([[True, False, True, True],
                  [True, True, False, False],
                  [False, False, True, True]])
_CAUSAL = np.tril(np.ones((4, 4), dtype=bool))
_SHIFT = ("subtract each row's max before np.exp (scores.max(axis=-1, keepdims=True)): "
          "np.exp(1000) overflows")

attention_weights = table(
    "attention_weights", _ref_weights,
    cases=[Case(_normal(7, 3, 4), what="attention_weights(scores (3, 4))"),
           Case(_normal(8, 2, 3, 4), kw={"mask": _MASK},
                what="attention_weights(scores (2, 3, 4), mask (3, 4))"),
           Case(_normal(9, 2, 4, 4), kw={"mask": _CAUSAL},
                what="attention_weights(scores (2, 4, 4), causal mask)"),
           Case(np.array([[1000.0, 999.0, 0.0], [-1000.0, -999.0, -1001.0]]),
                quiet=True, hint=_SHIFT,
                what="attention_weights of scores near +1000 and -1000")],
    mistakes={
        _SHIFT: _no_shift,
        "subtract each ROW's max (axis=-1, keepdims=True), not the max of the whole array: a row "
        "far below the global max underflows to 0 / 0": _global_shift,
        "the softmax runs along the last axis (over the keys, each row sums to 1), not axis -2":
            _columns,
        "the mask was ignored: set the scores where mask is False to -np.inf before the softmax":
            _ignore_mask,
        "mask is True where attention is ALLOWED (PyTorch's boolean attn_mask): hide the False "
        "entries, np.where(mask, scores, -np.inf)": _inverted_mask,
        "a masked score of 0 still gets weight exp(0): use -np.inf, so that its weight is "
        "exactly 0": _zero_fill,
        "multiplying the weights by the mask after the softmax leaves rows that no longer sum to "
        "1: mask the scores (-np.inf) before it": _mask_after,
        "scores[~mask] = -np.inf writes into the caller's scores: "
        "use np.where(mask, scores, -np.inf)": _fill_in_place,
        "keep the reduced axis: s.max(axis=-1, keepdims=True) and e.sum(axis=-1, keepdims=True) "
        "have shape (..., Tq, 1), which broadcasts over each row": _no_keepdims,
    },
    correct=[_with_inf, _big_negative],
    hint="s = np.where(mask, scores, -np.inf); e = np.exp(s - s.max(axis=-1, keepdims=True)); "
         "e / e.sum(axis=-1, keepdims=True)",
    summary="rows sum to 1, masked weights exactly 0, no overflow")


# -- 3. the causal mask -------------------------------------------------------------------------
def _check_mask(got, want, case):
    what = f"causal_mask({case.args[0]})"
    if not isinstance(got, np.ndarray):
        return (f"{what} should be a NumPy array, got {type(got).__name__}",
                "np.tril(np.ones((T, T), dtype=bool)) builds it")
    if got.shape != want.shape:
        return f"{what} should have shape {want.shape}, got {got.shape}", None
    if got.dtype != bool:
        return (f"{what} should be a boolean array (True = may attend), got dtype {got.dtype}",
                "use dtype=bool: a 0/1 float mask is added to the scores by PyTorch, not used to "
                "select them")
    if not np.array_equal(got, want):
        bad = np.argwhere(got != want)[0]
        return (f"{what}[{bad[0]}, {bad[1]}] should be {bool(want[tuple(bad)])}, got "
                f"{bool(got[tuple(bad)])}", None)
    return None


causal_mask = table(
    "causal_mask", A.causal_mask,
    cases=[Case(4), Case(1, what="causal_mask(1)"), Case(7)],
    check=_check_mask,
    mistakes={
        "np.triu keeps the upper triangle, the FUTURE: a causal mask is lower-triangular, np.tril":
            lambda T: np.triu(np.ones((T, T), dtype=bool)),
        "k=-1 hides the diagonal too: position t must be allowed to attend to itself":
            lambda T: np.tril(np.ones((T, T), dtype=bool), k=-1),
        "np.tril(np.ones((T, T))) is a float array of 0s and 1s: add dtype=bool":
            lambda T: np.tril(np.ones((T, T))),
        "that marks the forbidden pairs (True above the diagonal, nn.MultiheadAttention's "
        "convention); ours is True where attention is ALLOWED":
            lambda T: ~np.tril(np.ones((T, T), dtype=bool)),
        "all True is no mask at all: keep only j <= i": lambda T: np.ones((T, T), dtype=bool),
        "the mask is (T, T): one row per query, one column per key":
            lambda T: np.ones(T, dtype=bool),
    },
    correct=[lambda T: np.tril(np.ones((T, T), dtype=bool)),
             lambda T: np.arange(T)[:, None] >= np.arange(T)[None, :]],
    hint="np.tril(np.ones((T, T), dtype=bool)): mask[i, j] is True when j <= i",
    summary="boolean, True on and below the diagonal")


# -- 4. splitting and merging heads -------------------------------------------------------------
def _interleaved_split(x, n_heads):
    n, t, d = x.shape
    return x.reshape(n, t, d // n_heads, n_heads).transpose(0, 3, 1, 2)


split_heads = table(
    "split_heads", A.split_heads,
    cases=[Case(_normal(10, 2, 3, 8), 2, what="split_heads(x (2, 3, 8), n_heads=2)"),
           Case(_normal(11, 3, 5, 12), 4, what="split_heads(x (3, 5, 12), n_heads=4)"),
           Case(_normal(12, 1, 2, 6), 1, what="split_heads(x (1, 2, 6), n_heads=1)")],
    new=False,   # a reshape + transpose is a view, and that is fine
    mistakes={
        "a plain reshape to (N, H, T, d_head) mixes positions into the heads: reshape to "
        "(N, T, H, d_head) first, then transpose(0, 2, 1, 3)":
            lambda x, h: x.reshape(x.shape[0], h, x.shape[1], x.shape[2] // h),
        "the reshape to (N, T, H, d_head) is right; now move the head axis before T: "
        ".transpose(0, 2, 1, 3)":
            lambda x, h: x.reshape(x.shape[0], x.shape[1], h, x.shape[2] // h),
        "head h takes the h-th CONSECUTIVE slice of D: reshape to (N, T, H, d_head), not "
        "(N, T, d_head, H)": _interleaved_split,
        "the result is (N, H, T, d_head): transpose(0, 2, 1, 3), not (0, 2, 3, 1)":
            lambda x, h: (x.reshape(x.shape[0], x.shape[1], h, x.shape[2] // h)
                          .transpose(0, 2, 3, 1)),
        "d_head = D // n_heads, and the head axis comes before T; reshape(N, T, H, D // H)":
            lambda x, h: (x.reshape(x.shape[0], x.shape[1], x.shape[2] // h, h)
                          .transpose(0, 2, 1, 3)),
    },
    correct=[lambda x, h: x.reshape(x.shape[0], x.shape[1], h, -1).swapaxes(1, 2),
             lambda x, h: np.stack(np.split(x, h, axis=-1), axis=1)],
    hint="n, t, d = x.shape; x.reshape(n, t, n_heads, d // n_heads).transpose(0, 2, 1, 3)",
    summary="(N, T, D) -> (N, H, T, D/H), consecutive slices")


def _merge_no_transpose(x):
    n, h, t, dh = x.shape
    return x.reshape(n, t, h * dh)


merge_heads = table(
    "merge_heads", A.merge_heads,
    cases=[Case(_normal(13, 2, 2, 3, 4), what="merge_heads(x (2, 2, 3, 4))"),
           Case(_normal(14, 3, 4, 5, 2), what="merge_heads(x (3, 4, 5, 2))"),
           Case(_normal(15, 1, 1, 2, 3), what="merge_heads(x (1, 1, 2, 3)), one head")],
    new=False,
    mistakes={
        "a plain reshape to (N, T, D) mixes the heads' positions: transpose(0, 2, 1, 3) first, "
        "then reshape": _merge_no_transpose,
        "after transpose(0, 2, 1, 3) the axes are (N, T, H, d_head): "
        "reshape them to (N, T, H * d_head)":
            lambda x: x.transpose(0, 2, 1, 3),
        "the heads' features must stay consecutive: transpose(0, 2, 1, 3), not (0, 2, 3, 1)":
            lambda x: x.transpose(0, 2, 3, 1).reshape(x.shape[0], x.shape[2], -1),
        "the heads are glued side by side (concatenated along the features), not summed":
            lambda x: x.sum(axis=1),
        "the heads are concatenated, not averaged": lambda x: x.mean(axis=1),
        "np.concatenate(x, axis=-1) splits along the batch axis N: concatenate the heads x[:, h]":
            lambda x: np.concatenate(x, axis=-1),
    },
    correct=[lambda x: x.swapaxes(1, 2).reshape(x.shape[0], x.shape[2], -1),
             lambda x: np.concatenate([x[:, h] for h in range(x.shape[1])], axis=-1)],
    hint="n, h, t, dh = x.shape; x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)",
    summary="(N, H, T, d_head) -> (N, T, H * d_head), the inverse of split_heads")


# -- 5. attention's backward --------------------------------------------------------------------
def _bw_case(seed, lead, tq, tk, d, dv, mask=None, what=None):
    rng = _rng(seed)
    q, k, v = (rng.normal(size=lead + s) for s in ((tq, d), (tk, d), (tk, dv)))
    _, w = A.scaled_dot_product_attention(q, k, v, mask)
    dout = rng.normal(size=lead + (tq, dv))
    return Case(dout, q, k, v, w, what=what)


def _bw_no_scale(dout, q, k, v, w):
    dv = _swap(w) @ dout
    dp = dout @ _swap(v)
    ds = w * (dp - np.sum(dp * w, axis=-1, keepdims=True))
    return ds @ k, _swap(ds) @ q, dv


def _bw_diag(dout, q, k, v, w):
    s = 1 / np.sqrt(q.shape[-1])
    dp = dout @ _swap(v)
    ds = w * (1 - w) * dp
    return ds @ k * s, _swap(ds) @ q * s, _swap(w) @ dout


def _bw_no_sum(dout, q, k, v, w):
    s = 1 / np.sqrt(q.shape[-1])
    ds = w * (dout @ _swap(v))
    return ds @ k * s, _swap(ds) @ q * s, _swap(w) @ dout


def _bw_wrong_axis(dout, q, k, v, w):
    s = 1 / np.sqrt(q.shape[-1])
    dp = dout @ _swap(v)
    ds = w * (dp - np.sum(dp * w, axis=-2, keepdims=True))
    return ds @ k * s, _swap(ds) @ q * s, _swap(w) @ dout


def _bw_dv_untransposed(dout, q, k, v, w):
    dq, dk, _ = A.attention_backward(dout, q, k, v, w)
    return dq, dk, w @ dout


def _bw_dk_untransposed(dout, q, k, v, w):
    s = 1 / np.sqrt(q.shape[-1])
    dp = dout @ _swap(v)
    ds = w * (dp - np.sum(dp * w, axis=-1, keepdims=True))
    return ds @ k * s, ds @ q * s, _swap(w) @ dout


def _bw_scale_d(dout, q, k, v, w):
    dq, dk, dv = _bw_no_scale(dout, q, k, v, w)
    return dq / q.shape[-1], dk / q.shape[-1], dv


def _bw_order(dout, q, k, v, w):
    dq, dk, dv = A.attention_backward(dout, q, k, v, w)
    return dv, dq, dk


def _bw_dot_T(dout, q, k, v, w):
    s = 1 / np.sqrt(q.shape[-1])
    dp = dout @ v.T
    ds = w * (dp - np.sum(dp * w, axis=-1, keepdims=True))
    return ds @ k * s, ds.T @ q * s, w.T @ dout


def _bw_good_einsum(dout, q, k, v, w):
    s = 1 / np.sqrt(q.shape[-1])
    dv = np.einsum("...qk,...qe->...ke", w, dout)
    dp = np.einsum("...qe,...ke->...qk", dout, v)
    ds = w * dp - w * (w * dp).sum(-1, keepdims=True)
    dq = np.einsum("...qk,...kd->...qd", ds, k) * s
    dk = np.einsum("...qk,...qd->...kd", ds, q) * s
    return dq, dk, dv


_BW_MASK = np.array([[True, False, True, True, False], [True, True, True, False, False],
                     [False, True, False, True, True]])

attention_backward = table(
    "attention_backward", A.attention_backward,
    # the first case is square (Tq = Tk), so a missing transpose gives wrong numbers, not an error
    cases=[_bw_case(20, (), 4, 4, 3, 2, what="attention_backward on q (4, 3), k (4, 3), v (4, 2)"),
           _bw_case(21, (2,), 3, 5, 4, 6, what="attention_backward on a batch: q (2, 3, 4), "
                                                  "k (2, 5, 4), v (2, 5, 6)"),
           _bw_case(22, (2,), 3, 5, 4, 2, mask=_BW_MASK,
                    what="attention_backward with masked weights (some exactly 0)"),
           _bw_case(23, (2, 2), 4, 3, 6, 5,
                    what="attention_backward on (N, H, T, d) = (2, 2, 4, 6)")],
    names=["dq", "dk", "dv"],
    mistakes={
        "dq and dk need the 1/sqrt(d) of the forward's scaling: dq = dS @ k / sqrt(d)":
            _bw_no_scale,
        "the softmax's Jacobian is not diagonal: "
        "dS = P * (dP - sum(dP * P, axis=-1, keepdims=True)), not P * (1 - P) * dP": _bw_diag,
        "the softmax's backward subtracts the row sum: dS = P * (dP - sum(dP * P, axis=-1, "
        "keepdims=True))": _bw_no_sum,
        "the row sum in the softmax's backward runs along axis=-1 (over the keys of each query)":
            _bw_wrong_axis,
        "dv = P^T @ dout (np.swapaxes(weights, -1, -2) @ dout): out = P v, so the transpose of P":
            _bw_dv_untransposed,
        "dk = dS^T @ q: transpose dS (its rows are queries, dk has one row per key)":
            _bw_dk_untransposed,
        "the scale is 1/sqrt(d), not 1/d": _bw_scale_d,
        "return the three gradients in the order (dq, dk, dv)": _bw_order,
        ".T reverses ALL the axes of a batched array: transpose the last two with "
        "np.swapaxes(a, -1, -2)": _bw_dot_T,
    },
    correct=[_bw_good_einsum,
             lambda dout, q, k, v, w: A.attention_backward(dout, q, k, v, w)],
    hint="dv = P^T dout; dP = dout v^T; dS = P * (dP - rowsum(dP * P)); dq = dS k / sqrt(d); "
         "dk = dS^T q / sqrt(d)",
    summary="dq, dk, dv match, masked weights included")


# -- 6. sinusoidal positional encoding ----------------------------------------------------------
def _pe_parts(max_len, d_model):
    pos = np.arange(max_len)[:, None]
    i2 = np.arange(0, d_model, 2)
    return pos, i2


def _pe_swapped(max_len, d_model):
    pos, i2 = _pe_parts(max_len, d_model)
    pe = np.zeros((max_len, d_model))
    pe[:, 0::2] = np.cos(pos / 10000 ** (i2 / d_model))
    pe[:, 1::2] = np.sin(pos / 10000 ** (i2 / d_model))
    return pe


def _pe_i_not_2i(max_len, d_model):
    pos, i2 = _pe_parts(max_len, d_model)
    pe = np.zeros((max_len, d_model))
    angle = pos / 10000 ** ((i2 // 2) / d_model)
    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    return pe


def _pe_times(max_len, d_model):
    pos, i2 = _pe_parts(max_len, d_model)
    pe = np.zeros((max_len, d_model))
    angle = pos * 10000 ** (i2 / d_model)
    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    return pe


def _pe_halves(max_len, d_model):
    pos, i2 = _pe_parts(max_len, d_model)
    angle = pos / 10000 ** (i2 / d_model)
    return np.concatenate([np.sin(angle), np.cos(angle)], axis=1)


def _pe_from_one(max_len, d_model):
    return A.sinusoidal_encoding(max_len + 1, d_model)[1:]


def _pe_all_sin(max_len, d_model):
    pos = np.arange(max_len)[:, None]
    j = np.arange(d_model)
    return np.sin(pos / 10000 ** ((j - j % 2) / d_model))


def _pe_transposed(max_len, d_model):
    return A.sinusoidal_encoding(max_len, d_model).T


def _pe_int_division(max_len, d_model):
    pos, i2 = _pe_parts(max_len, d_model)
    pe = np.zeros((max_len, d_model))
    angle = pos / 10000 ** (i2 // d_model)
    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    return pe


def _pe_good_loop(max_len, d_model):
    pe = np.zeros((max_len, d_model))
    for i in range(0, d_model, 2):
        pe[:, i] = np.sin(np.arange(max_len) / 10000 ** (i / d_model))
        pe[:, i + 1] = np.cos(np.arange(max_len) / 10000 ** (i / d_model))
    return pe


def _pe_good_exp(max_len, d_model):
    pos = np.arange(max_len, dtype=float)[:, None]
    div = np.exp(np.arange(0, d_model, 2) * (-np.log(10000.0) / d_model))   # PyTorch's tutorial
    pe = np.empty((max_len, d_model))
    pe[:, 0::2], pe[:, 1::2] = np.sin(pos * div), np.cos(pos * div)
    return pe


positional_encoding = table(
    "positional_encoding", A.sinusoidal_encoding,
    cases=[Case(6, 4), Case(10, 16), Case(1, 8, what="positional_encoding(1, 8): one position"),
           Case(3, 2, what="positional_encoding(3, 2)")],
    mistakes={
        "sin goes to the even features (0, 2, 4, ...) and cos to the odd ones": _pe_swapped,
        "the exponent is 2i / d_model where 2i is the even feature index itself (0, 2, 4, ...), "
        "not i": _pe_i_not_2i,
        "divide the position by 10000^(2i/d), do not multiply: the frequencies must DEcrease":
            _pe_times,
        "sin and cos are interleaved (feature 2i is sin, 2i+1 is cos), not two halves": _pe_halves,
        "positions start at 0: np.arange(max_len)": _pe_from_one,
        "the odd features are cosines: cos(p / 10000^(2i/d)), not sines": _pe_all_sin,
        "the table is (max_len, d_model): one row per position": _pe_transposed,
        "2 * i // d_model is integer division (0 for every 2i < d_model): write 2 * i / d_model":
            _pe_int_division,
    },
    correct=[_pe_good_loop, _pe_good_exp],
    hint="PE[p, 2i] = sin(p / 10000**(2i / d_model)), PE[p, 2i+1] = cos(p / 10000**(2i / d_model))",
    summary="(max_len, d_model), sin on even, cos on odd features")
