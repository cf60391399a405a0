"""Checkers for chapter 05 · Gradient descent and optimizers (see course_lib.checks.core).

The update exercises share one signature, ``step(p, g, state, lr, **hyper) -> None``: update the
parameter array ``p`` IN PLACE from the gradient ``g`` (``state`` is a dict, empty on the first
call, that the function fills). Each checker runs the learner's step for a few steps and compares
every intermediate ``p`` with PyTorch's rule; when the path matches a typical mistake instead
(momentum's sign flipped, eps inside the square root, alpha and 1 - alpha swapped, bias
correction missing or counted from t = 0, ``p = p - ...`` rebinding a local name), the hint
names it. NumPy warnings from a learner's code are silenced (the hint explains the NaN instead).
"""

import warnings

import numpy as np

from .core import Wrong, checker, describe

__all__ = ["gd_step", "minibatches", "ewa", "momentum_step", "rmsprop_step", "adam_step"]

_REBOUND = ("the caller's array did not change: `p = p - lr * g` only rebinds the local name p "
            "to a new array. Update in place: `p -= lr * g` (or `p[...] = ...`)")


def _quietly(c, fn, *args, **kwargs):
    """``c.call_raw`` with NumPy's warnings silenced (a learner's 1/0 must not print to stderr)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return c.call_raw(fn, *args, **kwargs)


def _path(c, step, p0, grads, lr, **hyper):
    """Run ``step`` from a copy of ``p0`` over ``grads``; returns (p after each step (K, D), returns)."""
    p, state, out, returned = np.array(p0, dtype=np.float64), {}, [], []
    for g in grads:
        g_in = np.array(g, dtype=np.float64)
        returned.append(_quietly(c, step, p, g_in, state, lr, **hyper))
        if not np.array_equal(g_in, g):
            raise Wrong("your step modified the gradient g", "compute with g, never write into it")
        out.append(p.copy())
    return np.array(out), returned, state


def _reference(update, p0, grads, lr, **hyper):
    """The path of a plain-Python ``update(p, g, state, lr, **hyper)`` (a right or wrong rule)."""
    p, state, out = np.array(p0, dtype=np.float64), {"t": 0}, []
    with np.errstate(all="ignore"):
        for g in grads:
            state["t"] += 1
            update(p, np.asarray(g, dtype=np.float64), state, lr, **hyper)
            out.append(p.copy())
    return np.array(out)


def _same(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True)


def _compare(c, name, got, returned, p0, want, mistakes, nan_hint=None):
    """``got`` (K, D) must match ``want``; else name the first mistake whose path it matches."""
    c.count += 1
    if _same(got, want):
        return
    for hint, path in mistakes.items():
        if _same(got, path):
            raise Wrong(f"{name}: after {len(got)} steps p is {describe(got[-1])}, expected "
                        f"{describe(want[-1])}", hint)
    if np.array_equal(got[0], p0):
        if isinstance(returned[0], np.ndarray) and not np.array_equal(returned[0], p0):
            raise Wrong(f"{name}: you returned a new array but p itself is unchanged", _REBOUND)
        raise Wrong(f"{name}: p is unchanged after the first step", _REBOUND)
    if not np.isfinite(got).all():
        raise Wrong(f"{name}: p contains NaN or inf after step "
                    f"{int(np.nonzero(~np.isfinite(got).all(axis=1))[0][0]) + 1}", nan_hint)
    k = int(np.nonzero(~np.isclose(got, want, rtol=1e-6, atol=1e-12).all(axis=1))[0][0])
    raise Wrong(f"{name}: after step {k + 1} p should be {describe(want[k])}, got {describe(got[k])}")


def _grads(seed, n_steps=4, dim=3, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, scale, (n_steps, dim))


# ------------------------------------------------------------------------------------------------
@checker("gd_step")
def gd_step(c, fn):
    """``gd_step(p, g, lr)``: ``p -= lr * g`` in place."""
    p0 = np.array([1.0, -2.0, 0.5])
    for lr, g in ((0.1, np.array([0.5, -1.0, 2.0])), (0.01, np.array([3.0, 0.0, -4.0]))):
        p = p0.copy()
        g_in = g.copy()
        ret = _quietly(c, fn, p, g_in, lr)
        c.unchanged(g, g_in, "the gradient g")
        got, want = p, p0 - lr * g
        c.count += 1
        if np.allclose(got, want):
            continue
        if np.allclose(got, p0 + lr * g):
            raise Wrong("p moved uphill (p + lr * g)", "gradient DEscent subtracts: p -= lr * g")
        if np.allclose(got, p0 - g):
            raise Wrong("the step ignores the learning rate", "multiply the gradient by lr")
        if np.array_equal(got, p0):
            if isinstance(ret, np.ndarray):
                raise Wrong("you returned a new array but p itself is unchanged", _REBOUND)
            raise Wrong("p is unchanged after the step", _REBOUND)
        raise Wrong(f"with lr = {lr}, p should become {describe(want)}, got {describe(got)}")


# ------------------------------------------------------------------------------------------------
@checker("minibatches")
def minibatches(c, fn):
    """``minibatches(X, y, batch_size, rng)``: shuffled (X_b, y_b) pairs covering every sample once."""
    N, bs = 23, 5
    X = np.column_stack([np.arange(N, dtype=np.float64), -np.arange(N, dtype=np.float64)])
    y = np.arange(N)
    X_in, y_in = X.copy(), y.copy()
    batches = _quietly(c, fn, X_in, y_in, bs, np.random.default_rng(0))
    c.unchanged(X, X_in, "X")
    c.unchanged(y, y_in, "y")
    try:
        batches = [(np.asarray(xb), np.asarray(yb)) for xb, yb in batches]
    except (TypeError, ValueError):
        raise Wrong(f"expected a list of (X_batch, y_batch) pairs, got {describe(batches)}",
                    "append (X[idx], y[idx]) for each slice idx of the shuffled indices") from None
    sizes = [len(yb) for _, yb in batches]
    total = sum(sizes)
    c.ok(total >= N - bs or total == N, f"the batches hold {total} samples, expected {N}")
    c.ok(total != N - N % bs or N % bs == 0,
         f"the batches hold {total} of {N} samples: the last, smaller batch is missing",
         f"keep the last {N % bs} samples as a final batch of {N % bs} (range(0, N, batch_size))")
    c.ok(all(s == bs for s in sizes[:-1]) and 0 < sizes[-1] <= bs,
         f"batch sizes should be {bs}, ..., {bs}, {N % bs}; got {sizes}")
    ids = np.concatenate([yb for _, yb in batches]).astype(int)
    rows = np.concatenate([xb for xb, _ in batches])
    c.ok(rows.shape == (N, 2), f"the X batches stacked have shape {rows.shape}, expected ({N}, 2)")
    c.ok(len(set(ids.tolist())) == N,
         f"some samples appear twice and others never ({N - len(set(ids.tolist()))} missing)",
         "use one permutation, rng.permutation(N), and slice it (rng.choice/integers draw with "
         "replacement)")
    c.ok(np.array_equal(rows[:, 0].astype(int), ids),
         "X and y are no longer paired: row i of X_batch must belong to y_batch[i]",
         "shuffle X and y with the SAME permutation: idx = rng.permutation(N); X[idx], y[idx]")
    c.ok(not np.array_equal(ids, np.arange(N)), "the samples come in their original order",
         "shuffle every epoch: idx = rng.permutation(N)")
    again = _quietly(c, fn, X.copy(), y.copy(), bs, np.random.default_rng(0))
    ids2 = np.concatenate([np.asarray(yb) for _, yb in again]).astype(int)
    c.ok(np.array_equal(ids, ids2), "two calls with the same seed gave different orders",
         "draw the permutation from the rng argument, not from np.random")
    return f"{len(batches)} batches of up to {bs}"


# ------------------------------------------------------------------------------------------------
def _ewa_ref(values, beta, corrected=True, t0=1, swap=False, init_first=False):
    v, out = 0.0, []
    with np.errstate(all="ignore"):
        for i, x in enumerate(values):
            t = i + t0
            if init_first and i == 0:
                v = x
            else:
                v = (1 - beta) * v + beta * x if swap else beta * v + (1 - beta) * x
            out.append(v / (1 - beta ** t) if corrected else v)
    return np.array(out)


@checker("ewa")
def ewa(c, fn):
    """``ewa(values, beta, bias_correction=True)``: the running averages, shape (T,)."""
    values = np.array([10.0, 12.0, 9.0, 11.0, 14.0, 8.0, 10.0])
    for beta, corrected in ((0.9, True), (0.5, True), (0.9, False)):
        v_in = values.copy()
        got = _quietly(c, fn, v_in, beta, bias_correction=corrected)
        c.unchanged(values, v_in, "values")
        if got is None:
            raise Wrong("ewa returned None", "return the array of averages")
        c.count += 1
        got = np.asarray(got, dtype=np.float64)
        want = _ewa_ref(values, beta, corrected)
        if got.shape != want.shape:
            raise Wrong(f"ewa should return one average per value, shape {want.shape}, got {got.shape}")
        if _same(got, want):
            continue
        what = f"ewa(values, beta={beta}, bias_correction={corrected})"
        mistakes = {
            "no bias correction: divide v_t by (1 - beta**t) when bias_correction is True":
                _ewa_ref(values, beta, False),
            "bias correction with t starting at 0: the first average is divided by 1 - beta**0 "
            "= 0. Count steps from t = 1 (increment t before using it)":
                _ewa_ref(values, beta, True, t0=0),
            "wrong step count in the bias correction: after the first value t = 1, so divide by "
            "1 - beta**1 (you used t + 1)": _ewa_ref(values, beta, True, t0=2),
            "beta and 1 - beta are swapped: v = beta * v + (1 - beta) * x keeps most of the OLD "
            "average": _ewa_ref(values, beta, corrected, swap=True),
            "start from v_0 = 0 and apply the recursion to the first value too (the bias "
            "correction assumes v_0 = 0)": _ewa_ref(values, beta, corrected, init_first=True),
        }
        if not corrected:
            mistakes = {"with bias_correction=False return the raw averages v_t (no division)":
                        _ewa_ref(values, beta, True), **mistakes}
        for hint, path in mistakes.items():
            if _same(got, path):
                raise Wrong(f"{what}: got {describe(got[:3])}... expected {describe(want[:3])}...",
                            hint)
        if not np.isfinite(got).all():
            raise Wrong(f"{what} contains NaN or inf", "is t zero when you divide by 1 - beta**t?")
        k = int(np.nonzero(~np.isclose(got, want))[0][0])
        raise Wrong(f"{what}: average {k + 1} should be {want[k]:.4f}, got {got[k]:.4f}")


# ------------------------------------------------------------------------------------------------
def _momentum(p, g, s, lr, momentum=0.9, form="torch"):
    v = s.setdefault("v", np.zeros_like(p))
    if form == "torch":
        v[...] = momentum * v + g
        p -= lr * v
    elif form == "flipped":
        v[...] = momentum * v + lr * g
        p += v
    elif form == "ewa":
        v[...] = momentum * v + (1 - momentum) * g
        p -= lr * v
    elif form == "nesterov":
        v[...] = momentum * v + g
        p -= lr * (g + momentum * v)
    elif form == "nomemory":
        p -= lr * g


@checker("momentum_step")
def momentum_step(c, fn):
    """``momentum_step(p, g, state, lr, momentum=0.9)``: PyTorch's ``v = mu v + g; p -= lr v``."""
    p0 = np.array([1.0, -2.0, 0.5])
    for seed, lr, mu in ((0, 0.1, 0.9), (1, 0.05, 0.5)):
        grads = _grads(seed)
        got, returned, state = _path(c, fn, p0, grads, lr, momentum=mu)
        ref = {form: _reference(_momentum, p0, grads, lr, momentum=mu, form=form)
               for form in ("torch", "flipped", "ewa", "nesterov", "nomemory")}
        _compare(c, f"lr={lr}, momentum={mu}", got, returned, p0, ref["torch"], {
            "momentum's sign is flipped (v = mu v + lr g; p += v climbs uphill). Either "
            "v = mu v + g; p -= lr v (PyTorch) or v = mu v - lr g; p += v (CS231n)": ref["flipped"],
            "that is the averaged form v = mu v + (1 - mu) g (deeplearning.ai); this course follows "
            "PyTorch: v = mu v + g": ref["ewa"],
            "that is Nesterov's update (p -= lr (g + mu v)); plain momentum steps p -= lr v":
                ref["nesterov"],
            "the velocity is not kept between calls, so this is plain gradient descent: store it "
            "in state['velocity'] and reuse it on the next call": ref["nomemory"],
        })
    c.ok("velocity" in state, "state has no 'velocity' entry",
         "keep the velocity in state['velocity'] (create it as np.zeros_like(p) on the first call)")


# ------------------------------------------------------------------------------------------------
def _rmsprop(p, g, s, lr, alpha=0.99, eps=1e-8, form="torch"):
    sq = s.setdefault("sq", np.zeros_like(p))
    if form == "fresh":
        sq[...] = 0.0
    a = 1 - alpha if form == "swapped" else alpha
    sq[...] = a * sq + (1 - a) * g * g
    if form == "eps_inside":
        p -= lr * g / np.sqrt(sq + eps)
    elif form == "no_sqrt":
        p -= lr * g / (sq + eps)
    else:
        p -= lr * g / (np.sqrt(sq) + eps)


@checker("rmsprop_step")
def rmsprop_step(c, fn):
    """``rmsprop_step(p, g, state, lr, alpha=0.99, eps=1e-8)``, PyTorch's rule."""
    p0 = np.array([1.0, -2.0, 0.5])
    cases = [(_grads(0), 0.01, 0.9), (_grads(1), 0.01, 0.99),
             (_grads(2, scale=1e-6), 0.01, 0.9)]  # tiny gradients: where eps's place matters
    for grads, lr, alpha in cases:
        got, returned, state = _path(c, fn, p0, grads, lr, alpha=alpha, eps=1e-8)
        ref = {form: _reference(_rmsprop, p0, grads, lr, alpha=alpha, eps=1e-8, form=form)
               for form in ("torch", "swapped", "eps_inside", "no_sqrt", "fresh")}
        _compare(c, f"lr={lr}, alpha={alpha}, |g| ~ {np.abs(grads).mean():.0e}", got, returned, p0,
                 ref["torch"], {
                     "alpha and 1 - alpha are swapped: square_avg = alpha * square_avg + "
                     "(1 - alpha) * g**2 keeps most of the old average": ref["swapped"],
                     "eps is inside the square root; like PyTorch we divide by "
                     "(np.sqrt(square_avg) + eps). With tiny gradients sqrt(square_avg + eps) "
                     "is about sqrt(eps) and the step shrinks a thousandfold": ref["eps_inside"],
                     "divide by the ROOT mean square: np.sqrt(square_avg) + eps": ref["no_sqrt"],
                     "square_avg restarts from 0 at every call: keep it in state['square_avg'] "
                     "and update it in place": ref["fresh"],
                 })
    c.ok("square_avg" in state, "state has no 'square_avg' entry",
         "keep the running average of g**2 in state['square_avg']")


# ------------------------------------------------------------------------------------------------
def _adam(p, g, s, lr, betas=(0.9, 0.999), eps=1e-8, form="torch"):
    b1, b2 = betas
    if form == "swapped":
        b1, b2 = b2, b1
    m = s.setdefault("m", np.zeros_like(p))
    v = s.setdefault("v", np.zeros_like(p))
    m[...] = b1 * m + (1 - b1) * g
    v[...] = b2 * v + (1 - b2) * g * g
    t = {"torch": s["t"], "t0": s["t"] - 1, "t_plus": s["t"] + 1}.get(form, s["t"])
    if form == "no_correction":
        m_hat, v_hat = m, v
    else:
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    if form == "eps_inside":
        p -= lr * m_hat / np.sqrt(v_hat + eps)
    else:
        p -= lr * m_hat / (np.sqrt(v_hat) + eps)


@checker("adam_step")
def adam_step(c, fn):
    """``adam_step(p, g, state, lr, betas=(0.9, 0.999), eps=1e-8)``, PyTorch's rule."""
    p0 = np.array([1.0, -2.0, 0.5])
    # the first case is one step: m_hat / sqrt(v_hat) = g / |g|, every coordinate moves by ~lr
    cases = [(np.array([[300.0, -0.002, 1.0]]), 0.01, (0.9, 0.999)),
             (_grads(0), 0.01, (0.9, 0.999)), (_grads(1), 0.1, (0.8, 0.99)),
             (_grads(2, scale=1e-6), 0.01, (0.9, 0.999))]  # tiny gradients: eps's place matters
    for grads, lr, betas in cases:
        got, returned, state = _path(c, fn, p0, grads, lr, betas=betas, eps=1e-8)
        ref = {form: _reference(_adam, p0, grads, lr, betas=betas, eps=1e-8, form=form)
               for form in ("torch", "no_correction", "t0", "t_plus", "eps_inside", "swapped")}
        _compare(c, f"lr={lr}, betas={betas}, |g| ~ {np.abs(grads).mean():.0e}", got, returned, p0,
                 ref["torch"], {
                     "bias correction is missing: m_hat = m / (1 - beta1**t), v_hat = v / "
                     "(1 - beta2**t)": ref["no_correction"],
                     "the bias correction used t = 0 on the first step (1 - beta**0 = 0, a "
                     "division by zero): increment state['t'] BEFORE using it, so t = 1 on the "
                     "first step": ref["t0"],
                     "wrong step count in the bias correction: t should be 1 on the first step "
                     "(you used t + 1)": ref["t_plus"],
                     "eps is inside the square root; like PyTorch we divide by "
                     "(np.sqrt(v_hat) + eps). With tiny gradients sqrt(v_hat + eps) is about "
                     "sqrt(eps) and the step shrinks a thousandfold": ref["eps_inside"],
                     "beta1 and beta2 are swapped: m (the gradient's average) uses beta1 = 0.9, "
                     "v (the squared gradient's average) beta2 = 0.999": ref["swapped"],
                 },
                 nan_hint="is t still 0 when you divide by 1 - beta**t? increment t before using it")
    c.ok({"m", "v", "t"} <= set(state), f"state should hold 'm', 'v' and 't', has {sorted(state)}",
         "keep m, v and the step count t in state")
