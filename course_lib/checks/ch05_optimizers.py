"""Checkers for chapter 05 · Gradient descent and optimizers: tables on the engine of :mod:`.core`.

The update exercises share one signature, ``step(p, g, state, lr, **hyper) -> None``: update ``p``
IN PLACE from ``g`` (``state`` is a dict, empty on the first call, that the function fills). A
driver runs the step for a few steps and observes every intermediate ``p`` and the final
``state``; the reference is PyTorch's rule written the same way, and so is every mistake (lr inside
the velocity, eps inside the square root, betas swapped or hard-coded, bias correction missing or
counted from 0, the corrected moments stored, ``p = p - ...`` rebinding a local name, ...). One
case changes the learning rate between steps: lr inside the velocity only shows then.
"""

import numpy as np

from .core import Case, _pair, describe, in_place, same, table

__all__ = ["gd_step", "minibatches", "ewa", "momentum_step", "rmsprop_step", "adam_step"]

_REBOUND = ("the caller's array did not change: `p = p - lr * g` only rebinds the local name p "
            "to a new array. Update in place: `p -= lr * g` (or `p[...] = ...`)")


def _grads(seed, n_steps=4, dim=3, scale=1.0):
    return np.random.default_rng(seed).normal(0.0, scale, (n_steps, dim))


def _path(step, p, grads, lr, keys=(), **hyper):
    """Run ``step`` over ``grads`` (``lr`` a number or one per step): every p, the state, a flag."""
    state, path, returned_new = {}, [], False
    for i, g in enumerate(grads):
        before = p.copy()
        out = step(p, g, state, float(lr[i]) if np.ndim(lr) else lr, **hyper)
        returned_new |= isinstance(out, np.ndarray) and np.array_equal(p, before)
        path.append(p.copy())
    kept = {k: np.array(state[k], dtype=np.float64) if not np.isscalar(state[k]) else state[k]
            for k in keys if k in state}
    return {"path": np.array(path), "state": kept, "returned_new": returned_new}


def _check_path(keys):
    """The comparison of two :func:`_path` observations, with messages a learner can act on."""
    def check(got, want, case):
        p0, lr = case.args[0], case.args[2]
        what = ", ".join([f"lr={describe(np.asarray(lr))}"]
                         + [f"{k}={v}" for k, v in case.kwargs.items()])
        path, ref = got["path"], want["path"]
        if not same(path, ref, 1e-7, 1e-12):
            if np.array_equal(path[0], p0):
                hint = _REBOUND
                if got["returned_new"]:
                    return f"{what}: you returned a new array but p itself is unchanged", hint
                return f"{what}: p is unchanged after the first step", hint
            bad = ~np.isclose(path, ref, rtol=1e-7, atol=1e-12).all(axis=1)
            k = int(np.argmax(bad))
            if not np.isfinite(path[k]).all():
                return (f"{what}: p contains NaN or inf after step {k + 1}",
                        "is a step count t still 0 when you divide by 1 - beta**t?")
            shown = "; ".join(f"[{i}] should be {_pair(a, b)[1]}, got {_pair(a, b)[0]}"
                              for i, (a, b) in enumerate(zip(path[k], ref[k]))
                              if not np.isclose(a, b, 1e-7, 1e-12))
            also = next((f" (and state[{key!r}] is {describe(got['state'][key])}, expected "
                         f"{describe(want['state'][key])})" for key in keys if key in got["state"]
                         and not same(got["state"][key], want["state"][key], 1e-7, 1e-12)), "")
            hint = ("t counts the steps: add 1 per call, so that t = 1 on the first step and the "
                    "correction uses 1 - beta**t" if "state['t']" in also else None)
            return f"{what}: after step {k + 1} of {len(ref)}, p {shown or 'differs'}{also}", hint
        for key in keys:
            if key not in got["state"]:
                return (f"{what}: state has no {key!r} entry",
                        f"keep it in state[{key!r}] (create it on the first call) and reuse it")
            if not same(got["state"][key], want["state"][key], 1e-7, 1e-12):
                return (f"{what}: state[{key!r}] after {len(ref)} steps should be "
                        f"{describe(want['state'][key], 8)}, got "
                        f"{describe(got['state'][key], 8)}", None)
        return None
    return check


def _optimizer(name, step, keys, cases, mistakes, correct, summary):
    return table(name, step, cases, mistakes, correct, arg_names=("p", "g", "lr"), mutable=("p",),
                 driver=lambda f, p, grads, lr, **hyper: _path(f, p, grads, lr, keys, **hyper),
                 check=_check_path(keys), summary=summary)


_P0 = np.array([1.0, -2.0, 0.5])


# -- plain gradient descent -----------------------------------------------------------------------
def _gd(p, g, lr):
    p -= lr * g


gd_step = table(
    "gd_step", _gd, arg_names=("p", "g", "lr"), mutable=("p",), check=_check_path(()),
    driver=lambda step, p, grads, lr: _path(lambda p, g, state, lr: step(p, g, lr), p, grads, lr),
    cases=[Case(_P0, np.array([[0.5, -1.0, 2.0]]), 0.1),
           Case(_P0, np.array([[3.0, 0.0, -4.0]]), 0.01),
           Case(_P0, _grads(5), np.array([0.1, 0.05, 0.2, 0.01]),
                what="4 steps with a changing lr")],
    mistakes={
        "gradient DEscent subtracts: p -= lr * g (you moved uphill)":
            lambda p, g, lr: p.__iadd__(lr * g),
        "the step ignores the learning rate: multiply the gradient by lr":
            lambda p, g, lr: p.__isub__(g),
        "returning a new array does not update the caller's p: " + _REBOUND:
            lambda p, g, lr: p - lr * g,
        "p is unchanged: " + _REBOUND: lambda p, g, lr: None,
        "g *= lr writes into the caller's gradient: compute lr * g into a new array":
            in_place(lambda p, g, lr: g * lr, lambda p, g, lr: p.__isub__(g), arg=1),
        "divide by nothing: the step is lr * g, not g / lr": lambda p, g, lr: p.__isub__(g / lr),
        "the learning rate is the argument lr, not a fixed number":
            lambda p, g, lr: p.__isub__(0.1 * g),
    },
    correct=[_gd, lambda p, g, lr: np.subtract(p, lr * g, out=p),
             lambda p, g, lr: p.__setitem__(Ellipsis, p - lr * g)],
    summary="in place, with a changing lr")


# -- minibatches ----------------------------------------------------------------------------------
def _mb(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]])
            for i in range(0, len(X), batch_size)]


def _mb_drive(f, X, y, batch_size, rng):
    out = f(X, y, batch_size, rng)
    try:
        return [tuple(np.asarray(part) for part in pair) for pair in out]
    except TypeError:
        return out


def _mb_check(got, want, case):
    X, y, bs = case.args[:3]
    n = len(y)
    what = case.what
    if not isinstance(got, list) or not all(len(pair) == 2 for pair in got):
        return (f"{what}: expected a list of (X_batch, y_batch) pairs, got {describe(got)}",
                "append (X[idx], y[idx]) for each slice idx of the shuffled indices")
    sizes = [len(yb) for _, yb in got]
    want_sizes = [len(yb) for _, yb in want]
    if sizes != want_sizes:
        hint = None
        if sizes and sizes[-1] == 0:
            hint = "the last batch is empty: loop over range(0, N, batch_size)"
        elif sum(sizes) < n:
            hint = (f"keep the last {n % bs} samples as a final, smaller batch "
                    "(range(0, N, batch_size) slices it for you)")
        return f"{what}: batch sizes should be {want_sizes}, got {sizes}", hint
    rows = np.concatenate([xb for xb, _ in got]) if got else np.zeros((0, 2))
    ids = np.concatenate([yb for _, yb in got]).astype(int) if got else np.zeros(0, int)
    if len(set(ids.tolist())) != n:
        return (f"{what}: some samples appear twice and others never "
                f"({n - len(set(ids.tolist()))} missing)",
                "use one permutation, rng.permutation(N), and slice it "
                "(rng.choice/integers draw with replacement)")
    if rows.shape != (n, X.shape[1]) or not np.array_equal(rows[:, 0].astype(int), ids):
        return (f"{what}: X and y are no longer paired: row i of X_batch must belong to y_batch[i]",
                "shuffle X and y with the SAME permutation: idx = rng.permutation(N); X[idx], "
                "y[idx]")
    if n > 1 and np.array_equal(ids, np.arange(n)):
        return (f"{what}: the samples come in their original order",
                "shuffle: idx = rng.permutation(N)")
    return None


def _data(n):
    return (np.column_stack([np.arange(n, dtype=np.float64), -np.arange(n, dtype=np.float64)]),
            np.arange(n))


def _mb_same_seed(c, fn):
    X, y = _data(23)
    first = _mb_drive(fn, X, y, 5, np.random.default_rng(7))
    again = _mb_drive(fn, X, y, 5, np.random.default_rng(7))
    c.ok(same(first, again), "two calls with the same seed gave different orders",
         "draw the permutation from the rng argument, not from np.random")


def _in_order(X, y, bs, rng):
    return [(X[i:i + bs], y[i:i + bs]) for i in range(0, len(X), bs)]


def _mb_variant(transform):
    def f(X, y, batch_size, rng):
        idx = rng.permutation(len(X))
        return transform(X, y, batch_size, idx)
    return f


minibatches = table(
    "minibatches", _mb, driver=_mb_drive, check=_mb_check, extra=_mb_same_seed,
    cases=[Case(*_data(n), bs, np.random.default_rng(seed),
                what=f"minibatches of {n} samples, batch_size={bs}")
           for n, bs, seed in ((23, 5, 0), (20, 5, 1), (7, 10, 2), (6, 1, 3))],
    mistakes={
        "the samples come in their original order: shuffle, idx = rng.permutation(N)": _in_order,
        "the last, smaller batch is missing: range(0, N, batch_size) keeps it":
            _mb_variant(lambda X, y, bs, idx: [(X[idx[i:i + bs]], y[idx[i:i + bs]])
                                               for i in range(0, len(X) - bs + 1, bs)]),
        "the last batch is empty when N is a multiple of batch_size: loop over "
        "range(0, N, batch_size)":
            _mb_variant(lambda X, y, bs, idx: [(X[idx[k * bs:(k + 1) * bs]],
                                                y[idx[k * bs:(k + 1) * bs]])
                                               for k in range(len(X) // bs + 1)]),
        "X and y are shuffled with different permutations: use one idx for both":
            lambda X, y, bs, rng: _mb(X[rng.permutation(len(X))], y, bs, rng),
        "some samples appear twice: rng.choice(N, N) or rng.integers draw with replacement; use "
        "rng.permutation(N)":
            lambda X, y, bs, rng: (lambda idx: [(X[idx[i:i + bs]], y[idx[i:i + bs]])
                                                for i in range(0, len(X), bs)])(
                rng.integers(0, len(X), len(X))),
        "off by one: the slice idx[i:i + batch_size - 1] drops a sample from every batch":
            _mb_variant(lambda X, y, bs, idx: [(X[idx[i:i + bs - 1]], y[idx[i:i + bs - 1]])
                                               for i in range(0, len(X), bs)]),
        "rng.shuffle(X) shuffles the caller's X in place (and y is not shuffled with it): use "
        "idx = rng.permutation(N), then X[idx], y[idx]":
            in_place(lambda X, y, bs, rng: rng.permutation(X), _in_order),
        "the batches should be (X_batch, y_batch) pairs, not X batches only":
            _mb_variant(lambda X, y, bs, idx: [X[idx[i:i + bs]] for i in range(0, len(X), bs)]),
    },
    correct=[_mb, lambda X, y, batch_size, rng: (
        (X[b], y[b]) for b in np.array_split(rng.permutation(len(X)),
                                             range(batch_size, len(X), batch_size)))],
    summary="every sample once, shuffled, paired, last batch smaller")


# -- exponentially weighted average ---------------------------------------------------------------
def _ewa(values, beta, bias_correction=True, t0=1, swap=False, init_first=False, store=False,
         b=None, never=False):
    v, out = 0.0, []
    beta_used = beta if b is None else b
    for i, x in enumerate(values):
        t = i + t0
        if init_first and i == 0:
            v = x
        elif swap:
            v = (1 - beta_used) * v + beta_used * x
        else:
            v = beta_used * v + (1 - beta_used) * x
        shown = v / (1 - beta_used ** t) if bias_correction and not never else v
        if store:
            v = shown
        out.append(shown)
    return np.array(out, dtype=np.float64)


def _ewa_form(**form):
    return lambda values, beta, bias_correction=True: _ewa(values, beta, bias_correction, **form)


def _ewa_in_place(values, beta, bias_correction=True):
    v = 0.0
    for t in range(len(values)):
        v = beta * v + (1 - beta) * values[t]
        values[t] = v / (1 - beta ** (t + 1)) if bias_correction else v
    return values


_VALUES = np.array([10.0, 12.0, 9.0, 11.0, 14.0, 8.0, 10.0])
ewa = table(
    "ewa", _ewa_form(),
    cases=[Case(_VALUES, 0.9, what="ewa(values, beta=0.9)"),
           Case(_VALUES, 0.5, what="ewa(values, beta=0.5)"),
           Case(_VALUES, 0.9, kw={"bias_correction": False},
                what="ewa(values, 0.9, bias_correction=False)"),
           Case(np.random.default_rng(4).normal(5.0, 2.0, 40), 0.8,
                what="ewa of 40 values, beta=0.8")],
    mistakes={
        "no bias correction: divide v_t by (1 - beta**t) when bias_correction is True":
            _ewa_form(never=True),
        "bias correction with t starting at 0: the first average is divided "
        "by 1 - beta**0 = 0. Count steps from t = 1": _ewa_form(t0=0),
        "wrong step count in the bias correction: after the first value t = 1, so divide "
        "by 1 - beta**1 (you used t + 1)": _ewa_form(t0=2),
        "beta and 1 - beta are swapped: v = beta * v + (1 - beta) * x keeps most of the OLD "
        "average":
            _ewa_form(swap=True),
        "start from v_0 = 0 and apply the recursion to the first value too "
        "(the bias correction assumes v_0 = 0)": _ewa_form(init_first=True),
        "with bias_correction=False return the raw averages v_t (no division)":
            lambda values, beta, bias_correction=True: _ewa(values, beta, True),
        "you stored the corrected value back into v: keep v_t uncorrected and divide only what you "
        "return": _ewa_form(store=True),
        "use the argument beta, not a fixed 0.9": _ewa_form(b=0.9),
        "values[t] = ... writes into the caller's array: collect the averages in a new list or "
        "array":
            _ewa_in_place,
        "return a NumPy array (np.array(out)), not a Python list":
            lambda values, beta, bias_correction=True: list(_ewa(values, beta, bias_correction)),
    },
    correct=[_ewa_form(),
             lambda values, beta, bias_correction=True: (
                 lambda t, v: v / (1 - beta ** t) if bias_correction else v)(
                 np.arange(1, len(values) + 1),
                 np.array([sum((1 - beta) * beta ** (i - j) * values[j] for j in range(i + 1))
                           for i in range(len(values))]))],
    summary="with and without bias correction")


# -- momentum -------------------------------------------------------------------------------------
#: form -> (the new velocity, the change of p), from mu, v, g and lr; other forms use "torch"'s
_MOMENTUM = {
    "torch": (lambda mu, v, g, lr: mu * v + g, lambda mu, v, g, lr: -lr * v),
    "lr_inside": (lambda mu, v, g, lr: mu * v + lr * g, lambda mu, v, g, lr: -v),
    "uphill": (lambda mu, v, g, lr: mu * v + lr * g, lambda mu, v, g, lr: v),
    "ewa": (lambda mu, v, g, lr: mu * v + (1 - mu) * g, lambda mu, v, g, lr: -lr * v),
    "nesterov": (lambda mu, v, g, lr: mu * v + g, lambda mu, v, g, lr: -lr * (g + mu * v)),
    "cs231n": (lambda mu, v, g, lr: mu * v - lr * g, lambda mu, v, g, lr: v),
    "minus_g": (lambda mu, v, g, lr: mu * v - g, lambda mu, v, g, lr: lr * v),
}


def _momentum(form="torch"):
    new_v, dp = _MOMENTUM.get(form, _MOMENTUM["torch"])

    def step(p, g, state, lr, momentum=0.9):
        mu = 0.9 if form == "fixed_mu" else momentum
        v = state.setdefault("v" if form == "key" else "velocity", np.zeros_like(p))
        if form == "fresh":
            v[...] = 0.0
        if form == "rebind_v":  # the mistake: a new local v, state["velocity"] stays zero
            v = new_v(mu, v, g, lr)
        else:
            v[...] = new_v(mu, v, g, lr)
        if form != "rebind_p":  # the mistake `p = p - lr * v` leaves the caller's p as it was
            p += dp(mu, v, g, lr)
    return step


def _opt_cases(seed, hypers):
    grads = [_grads(seed), _grads(seed + 1), _grads(seed + 2, scale=1e-6)]
    cases = [Case(_P0, grads[0], 0.1, kw=hypers[0]), Case(_P0, grads[1], 0.05, kw=hypers[1]),
             Case(_P0, grads[0], np.array([0.1, 0.02, 0.3, 0.05]), kw=hypers[0],
                  what="a changing lr [0.1, 0.02, 0.3, 0.05]"),
             Case(_P0, grads[2], 0.01, kw=hypers[0],
                  what=f"tiny gradients (|g| ~ 1e-6), {hypers[0]}")]
    return cases


momentum_step = _optimizer(
    "momentum_step", _momentum(), ("velocity",),
    _opt_cases(0, [{"momentum": 0.9}, {"momentum": 0.5}]),
    {
        "lr is inside the velocity (v = mu v + lr g; p -= v): that is PyTorch's path only while lr "
        "stays constant. Keep lr outside: v = mu v + g; p -= lr * v": _momentum("lr_inside"),
        "momentum's sign is flipped (p += v climbs uphill): v = mu v + g; p -= lr * v":
            _momentum("uphill"),
        "that is the averaged form v = mu v + (1 - mu) g (deeplearning.ai); this course follows "
        "PyTorch: v = mu v + g": _momentum("ewa"),
        "that is Nesterov's update (p -= lr (g + mu v)); plain momentum steps p -= lr v":
            _momentum("nesterov"),
        "the velocity is not kept between calls, so this is plain gradient descent: store it in "
        "state['velocity'] and reuse it": _momentum("fresh"),
        "v = mu * v + g rebinds the local name v, so state['velocity'] never changes: update it in "
        "place, v[...] = mu * v + g (or store it back: state['velocity'] = v)":
            _momentum("rebind_v"),
        "p = p - lr * v only rebinds the local name p: update the caller's array, p -= lr * v":
            _momentum("rebind_p"),
        "use the argument momentum, not a fixed 0.9": _momentum("fixed_mu"),
        "keep the velocity under the key 'velocity': state['velocity']": _momentum("key"),
        "that is CS231n's form, v = mu v - lr g; p += v: lr sits inside the velocity, so a "
        "changing lr gives another path and state['velocity'] is not PyTorch's. "
        "Write v = mu v + g; p -= lr * v":
            _momentum("cs231n"),
        "v = mu v - g; p += lr v is the same path, but state['velocity'] then holds -v: this "
        "course follows PyTorch, v = mu v + g; p -= lr * v": _momentum("minus_g"),
    },
    [_momentum(), lambda p, g, state, lr, momentum=0.9: (
        state.__setitem__("velocity", momentum * state.get("velocity", 0.0) + g),
        p.__isub__(lr * state["velocity"]))],
    "PyTorch's v = mu v + g; p -= lr v")


# -- RMSprop --------------------------------------------------------------------------------------
def _rmsprop(form="torch"):
    def step(p, g, state, lr, alpha=0.99, eps=1e-8):
        a = {"fixed_alpha": 0.99, "swapped": 1 - alpha}.get(form, alpha)
        s = state.setdefault("square_avg", g * g if form == "init_g2" else np.zeros_like(p))
        if form == "fresh":
            s[...] = 0.0
        added = {"g_not_squared": (1 - a) * g, "no_one_minus": g * g}.get(form, (1 - a) * g * g)
        s[...] = a * s + added
        root = (np.sqrt(s + eps) if form == "eps_inside" else s + eps if form == "no_sqrt"
                else np.sqrt(s) + eps)
        if form != "rebind_p":  # the mistake `p = p - ...` leaves the caller's p as it was
            p -= lr * g / root
    return step


rmsprop_step = _optimizer(
    "rmsprop_step", _rmsprop(), ("square_avg",),
    _opt_cases(10, [{"alpha": 0.9}, {"alpha": 0.99}]),
    {
        "alpha and 1 - alpha are swapped: square_avg = alpha * square_avg + (1 - alpha) * g**2 "
        "keeps most of the old average": _rmsprop("swapped"),
        "eps is inside the square root; like PyTorch we divide by (np.sqrt(square_avg) + eps). "
        "With tiny gradients sqrt(square_avg + eps) is about sqrt(eps) and the step shrinks a "
        "thousandfold":
            _rmsprop("eps_inside"),
        "divide by the ROOT mean square: np.sqrt(square_avg) + eps": _rmsprop("no_sqrt"),
        "square_avg restarts from 0 at every call: keep it in state['square_avg'] and update it in "
        "place":
            _rmsprop("fresh"),
        "square_avg averages the SQUARED gradient: (1 - alpha) * g**2, not (1 - alpha) * g":
            _rmsprop("g_not_squared"),
        "the (1 - alpha) factor is missing: square_avg = alpha * square_avg + (1 - alpha) * g**2":
            _rmsprop("no_one_minus"),
        "p = p - ... only rebinds the local name p: update the caller's array, p -= ...":
            _rmsprop("rebind_p"),
        "use the argument alpha, not a fixed 0.99": _rmsprop("fixed_alpha"),
        "square_avg starts at zeros (PyTorch), not at the first g**2": _rmsprop("init_g2"),
    },
    [_rmsprop(), lambda p, g, state, lr, alpha=0.99, eps=1e-8: (
        state.__setitem__("square_avg",
                          alpha * state.get("square_avg", 0.0) + (1 - alpha) * g ** 2),
        p.__isub__(lr * g / (np.sqrt(state["square_avg"]) + eps)))],
    "eps outside the square root, like PyTorch")


# -- Adam -----------------------------------------------------------------------------------------
def _adam(form="torch"):
    def step(p, g, state, lr, betas=(0.9, 0.999), eps=1e-8):
        b1, b2 = {"fixed_betas": (0.9, 0.999), "swapped": betas[::-1]}.get(form, betas)
        if not state:
            state.update(m=np.zeros_like(p), v=np.zeros_like(p), t=0)
        t = state["t"] + 1
        if form != "t_local":
            state["t"] = t
        t += {"t0": -1, "t_plus": 1}.get(form, 0)  # the mistakes count from 0 or from 2
        m, v = state["m"], state["v"]
        m[...] = b1 * m + (1 - b1) * g
        v[...] = b2 * v + (1 - b2) * (g if form == "v_of_g" else g * g)
        m_hat = m if form == "no_correction" else m / (1 - b1 ** t)
        v_hat = v if form in ("no_correction", "only_m") else v / (1 - b2 ** t)
        if form == "eps_hat":  # the paper's efficient form
            p -= lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        elif form != "rebind_p":  # the mistake `p = p - ...` leaves the caller's p as it was
            root = np.sqrt(v_hat + eps) if form == "eps_inside" else np.sqrt(v_hat) + eps
            p -= lr * m_hat / root
        if form == "store_hat":
            m[...], v[...] = m_hat, v_hat
    return step


_adam_cases = [Case(_P0, np.array([[300.0, -0.002, 1.0]]), 0.01, kw={"betas": (0.9, 0.999)},
                    what="one step with g = [300, -0.002, 1]")] + _opt_cases(
    20, [{"betas": (0.9, 0.999)}, {"betas": (0.8, 0.99)}])
adam_step = _optimizer(
    "adam_step", _adam(), ("m", "v", "t"), _adam_cases,
    {
        "bias correction is missing: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t)":
            _adam("no_correction"),
        "the bias correction used t = 0 on the first step (1 - beta**0 = 0, a division by zero): "
        "increment state['t'] BEFORE using it, so t = 1 on the first step": _adam("t0"),
        "wrong step count in the bias correction: t should be 1 on the first step (you used t + 1)":
            _adam("t_plus"),
        "eps is inside the square root; like PyTorch we divide by (np.sqrt(v_hat) + eps). With "
        "tiny gradients sqrt(v_hat + eps) is about sqrt(eps) and the step shrinks a thousandfold":
            _adam("eps_inside"),
        "beta1 and beta2 are swapped: m (the gradient's average) uses beta1 = 0.9, v (the squared "
        "gradient's average) beta2 = 0.999": _adam("swapped"),
        "v averages the SQUARED gradient: (1 - beta2) * g**2, not (1 - beta2) * g": _adam("v_of_g"),
        "you stored the bias-corrected m_hat and v_hat in state: keep m and v uncorrected, the "
        "correction is only for the step": _adam("store_hat"),
        "the step count is not kept: store it back, state['t'] = t, so that t grows 1, 2, 3, ...":
            _adam("t_local"),
        "only m is bias-corrected: v_hat = v / (1 - beta2**t) too": _adam("only_m"),
        "use the argument betas, not fixed (0.9, 0.999)": _adam("fixed_betas"),
        "that is the paper's efficient form (eps added to sqrt(v), lr scaled): PyTorch adds eps to "
        "sqrt(v_hat); with tiny gradients the two differ": _adam("eps_hat"),
        "p = p - ... only rebinds the local name p: update the caller's array, p -= ...":
            _adam("rebind_p"),
    },
    [_adam(), lambda p, g, state, lr, betas=(0.9, 0.999), eps=1e-8: (
        state.update(t=state.get("t", 0) + 1,
                     m=betas[0] * state.get("m", 0.0) + (1 - betas[0]) * g,
                     v=betas[1] * state.get("v", 0.0) + (1 - betas[1]) * g ** 2),
        p.__isub__(lr * (state["m"] / (1 - betas[0] ** state["t"]))
                   / (np.sqrt(state["v"] / (1 - betas[1] ** state["t"])) + eps)))],
    "PyTorch's rule, eps outside the square root")
