"""Checkers for chapter 05 · Gradient descent and optimizers: tables on the engine of :mod:`.core`.

A step ``step(p, g, state, lr, **hyper)`` (``gd_step``: no state) updates ``p`` IN PLACE; a driver
compares every ``p`` and the final state with PyTorch's rule, also with an lr changing per step."""

from functools import partial

import numpy as np

from .core import Case, compare, describe, in_place, same, table

__all__ = ["gd_step", "minibatches", "ewa", "momentum_step", "rmsprop_step", "adam_step"]

_REBOUND = ("`p = p - ...` only rebinds the local name p to a new array, the caller's p is "
            "unchanged: update it in place, `p -= ...` (or `p[...] = ...`)")
_T_COUNTS = "t counts the steps: add 1 per call, so that 1 - beta**t uses t = 1 on the first step"
_TORCH_V = "v = mu v + g; p -= lr * v"
_EPS_INSIDE = ("eps is inside the square root; like PyTorch we divide by (np.sqrt({0}) + eps). "
               "With tiny gradients sqrt({0} + eps) is about sqrt(eps) and the step shrinks a "
               "thousandfold")
_grads = lambda seed, scale=1.0: np.random.default_rng(seed).normal(0.0, scale, (4, 3))
_data = lambda n: (np.arange(n)[:, None] * np.array([1.0, -1.0]), np.arange(n))
_P0 = np.array([1.0, -2.0, 0.5])


def _check_path(keys):
    """The comparison of two paths (see :func:`_optimizer`): p after each step, then the state."""
    def check(got, want, case):
        what = ", ".join([f"lr={describe(case.args[2])}"]
                         + [f"{k}={v}" for k, v in case.kwargs.items()])
        path, ref, n, state = got["path"], want["path"], len(want["path"]), got["state"]
        k = next((k for k in range(n) if not same(path[k], ref[k], 1e-7, 1e-12)), None)
        if k is not None and np.array_equal(path[0], case.args[0]):
            done = "you returned a new array but p itself is" if got["returned_new"] else "p is"
            return f"{what}: {done} unchanged after the first step", _REBOUND
        if k is not None:
            message, hint = compare(path[k], ref[k], f"{what}: after step {k + 1} of {n}, p",
                                    rtol=1e-7, atol=1e-12)
            bad = [key for key in keys if key in state
                   and not same(state[key], want["state"][key], 1e-7, 1e-12)]
            if bad:
                key = "t" if "t" in bad else bad[0]
                message += (f" (and state[{key!r}] is {describe(state[key])}, expected "
                            f"{describe(want['state'][key])})")
            nan_t = "t" in keys and not np.isfinite(path[k]).all()  # t still 0: 1 - beta**0 = 0
            return message, _T_COUNTS if "t" in bad or nan_t else hint
        for key in keys:
            if key not in state:
                return (f"{what}: state has no {key!r} entry",
                        f"keep it in state[{key!r}] (create it on the first call) and reuse it")
            problem = compare(state[key], want["state"][key],
                              f"{what}: state[{key!r}] after {n} steps", rtol=1e-7, atol=1e-12)
            if problem:
                return problem
        return None
    return check


def _optimizer(name, make, keys, cases, mistakes, correct, summary):
    """An update exercise's table: the reference ``make()``, a mistake given as a string is
    ``make(form)``; ``keys=None``: ``step(p, g, lr)``, no state. ``p = p - ...`` is added."""
    def drive(f, p, grads, lr, **hyper):
        """``f`` over ``grads`` (``lr`` a number or one per step): every p, the state, a flag."""
        state, path, returned_new = {}, [p.copy()], False
        for i, g in enumerate(grads):
            lr_i = float(lr[i]) if np.ndim(lr) else lr
            out = f(p, g, lr_i) if keys is None else f(p, g, state, lr_i, **hyper)
            returned_new |= isinstance(out, np.ndarray) and np.array_equal(p, path[-1])
            path.append(p.copy())
        kept = {k: state[k] if np.isscalar(state[k]) else np.array(state[k], dtype=np.float64)
                for k in keys or () if k in state}
        return {"path": np.array(path[1:]), "state": kept, "returned_new": returned_new}
    step = make()
    mistakes = {hint: make(f) if isinstance(f, str) else f for hint, f in mistakes.items()}
    mistakes[_REBOUND] = lambda p, *args, **kwargs: step(p.copy(), *args, **kwargs)
    return table(name, step, cases, mistakes, [step, *correct], arg_names=("p", "g", "lr"),
                 mutable=("p",), driver=drive, check=_check_path(keys or ()), summary=summary)


def _gd(p, g, lr):
    p -= lr * g


gd_step = _optimizer(
    "gd_step", lambda: _gd, None,
    [Case(_P0, np.array([[0.5, -1.0, 2.0]]), 0.1), Case(_P0, np.array([[3.0, 0.0, -4.0]]), 0.01),
     Case(_P0, _grads(5), np.array([0.1, 0.05, 0.2, 0.01]))],
    {
        "you moved uphill: descent subtracts, p -= lr * g": lambda p, g, lr: p.__iadd__(lr * g),
        "the step ignores the learning rate: p -= lr * g": lambda p, g, lr: p.__isub__(g),
        "divide by nothing: the step is lr * g, not g / lr": lambda p, g, lr: p.__isub__(g / lr),
        "use the argument lr, not a fixed 0.1": lambda p, g, lr: p.__isub__(0.1 * g),
    },
    [lambda p, g, lr: np.subtract(p, lr * g, out=p),
     lambda p, g, lr: p.__setitem__(Ellipsis, p - lr * g)],
    "in place, with a changing lr")


def _batches(order=lambda rng, n: rng.permutation(n), short=0, pairs=True):
    """Minibatches, or a mistake: another ``order``, each slice ``short`` too short, X only."""
    def minibatches(X, y, batch_size, rng):
        idx = order(rng, len(X))
        cuts = [idx[i:i + batch_size - short] for i in range(0, len(X), batch_size)]
        return [(X[cut], y[cut]) if pairs else X[cut] for cut in cuts]
    return minibatches


def _mb_drive(f, X, y, batch_size, rng):
    out = f(X, y, batch_size, rng)
    try:
        return [tuple(np.asarray(part) for part in pair) for pair in out]
    except TypeError:
        return out


def _mb_check(got, want, case):
    X, n, what = case.args[0], len(case.args[1]), case.what
    if not isinstance(got, list) or not all(len(pair) == 2 for pair in got):
        return (f"{what}: expected a list of (X_batch, y_batch) pairs, got {describe(got)}",
                "append (X[idx], y[idx]) for each slice idx of the shuffled indices")
    sizes, want_sizes = [len(yb) for _, yb in got], [len(yb) for _, yb in want]
    if sizes != want_sizes:
        hint = ("the last batch is empty: loop over range(0, N, batch_size)" if sizes[-1:] == [0]
                else f"the last, smaller batch is missing ({n - sum(sizes)} samples): "
                "range(0, N, batch_size) keeps it" if sum(sizes) < n else None)
        return f"{what}: batch sizes should be {want_sizes}, got {sizes}", hint
    rows, ids = (np.concatenate(part) for part in zip(*got))
    missing = n - len(set(ids.tolist()))
    if missing:
        return (f"{what}: some samples appear twice and others never ({missing} missing)",
                "rng.choice and rng.integers draw with replacement: slice one rng.permutation(N)")
    if rows.shape != (n, X.shape[1]) or not np.array_equal(rows[:, 0], ids):
        return (f"{what}: X and y are no longer paired: row i of X_batch must belong to y_batch[i]",
                "index X and y with the SAME permutation: idx = rng.permutation(N); X[idx], y[idx]")
    if n > 1 and np.array_equal(ids, np.arange(n)):
        return f"{what}: the samples come in their original order", "shuffle: rng.permutation(N)"
    return None


def _mb_same_seed(c, fn):
    first, again = (_mb_drive(fn, *_data(23), 5, np.random.default_rng(7)) for _ in range(2))
    c.ok(same(first, again), "two calls with the same seed gave different orders",
         "draw the permutation from the rng argument, not from np.random")


_mb, _in_order = _batches(), _batches(order=lambda rng, n: np.arange(n))
minibatches = table(
    "minibatches", _mb, driver=_mb_drive, check=_mb_check, extra=_mb_same_seed,
    cases=[Case(*_data(n), bs, np.random.default_rng(seed),
                what=f"minibatches of {n} samples, batch_size={bs}")
           for n, bs, seed in ((23, 5, 0), (20, 5, 1), (7, 10, 2), (6, 1, 3))],
    mistakes={
        "the samples come in their original order: shuffle, idx = rng.permutation(N)": _in_order,
        "X and y are shuffled with different permutations: use one idx for both":
            lambda X, y, bs, rng: _mb(X[rng.permutation(len(X))], y, bs, rng),
        "off by one: idx[i:i + batch_size - 1] drops a sample from every batch": _batches(short=1),
        "rng.shuffle(X) shuffles the caller's X in place (and not y with it): X[idx], y[idx] with "
        "idx = rng.permutation(N)": in_place(lambda X, y, bs, rng: rng.permutation(X), _in_order),
        "return (X_batch, y_batch) pairs, not X batches only": _batches(pairs=False),
    },
    correct=[_mb, lambda X, y, batch_size, rng: ((X[b], y[b]) for b in np.array_split(
        rng.permutation(len(X)), range(batch_size, len(X), batch_size)))],
    summary="every sample once, shuffled, paired, last batch smaller")


def _ewa(values, beta, bias_correction=True, *, t0=1, swap=False, init_first=False, store=False):
    """The averages, or a mistake: t from ``t0``, betas swapped, v_1 = x_1, corrected v stored."""
    v, out, a = 0.0, [], 1 - beta if swap else beta
    for t, x in enumerate(values, start=t0):
        v = x if init_first and t == t0 else a * v + (1 - a) * x
        out.append(v / (1 - beta ** t) if bias_correction else v)
        v = out[-1] if store else v
    return np.array(out, dtype=np.float64)


_SEQ = np.array([10.0, 12.0, 9.0, 11.0, 14.0, 8.0, 10.0])
ewa = table(
    "ewa", _ewa,
    cases=[Case(_SEQ, 0.9), Case(_SEQ, 0.5), Case(_SEQ, 0.9, kw={"bias_correction": False}),
           Case(np.random.default_rng(4).normal(5.0, 2.0, 40), 0.8)],
    mistakes={
        "no bias correction: divide v_t by 1 - beta**t": partial(_ewa, bias_correction=False),
        "t starts at 0: 1 - beta**0 = 0 divides by zero; count from t = 1": partial(_ewa, t0=0),
        "wrong step count: t = 1 for the first value (you used t + 1)": partial(_ewa, t0=2),
        "beta and 1 - beta are swapped: v = beta * v + (1 - beta) * x": partial(_ewa, swap=True),
        "you started from v_1 = x_1: start from v_0 = 0 (the bias correction assumes it) and "
        "apply the recursion to the first value too": partial(_ewa, init_first=True),
        "you stored the corrected value in v: keep v uncorrected": partial(_ewa, store=True),
        "use the argument beta, not a fixed 0.9": lambda values, _, **kw: _ewa(values, 0.9, **kw),
    },
    correct=[_ewa, lambda values, beta, bias_correction=True: np.array(
        [sum((1 - beta) * beta ** (i - j) * values[j] for j in range(i + 1))
         / (1 - beta ** (i + 1) if bias_correction else 1) for i in range(len(values))])],
    summary="with and without bias correction")


def _opt_cases(seed, hyper, other):
    g = [_grads(seed), _grads(seed + 1), _grads(seed + 2, scale=1e-6)]
    return [Case(_P0, g[0], 0.1, kw=hyper), Case(_P0, g[1], 0.05, kw=other),
            Case(_P0, g[0], np.array([0.1, 0.02, 0.3, 0.05]), kw=hyper),
            Case(_P0, g[2], 0.01, kw=hyper)]


def _momentum(form="torch"):
    """PyTorch's momentum step, or the mistake ``form``."""
    def step(p, g, state, lr, momentum=0.9):
        get = state.get if form == "unstored" else state.setdefault  # get: v is never stored
        mu, v = momentum, get("velocity", np.zeros_like(p))
        new = mu * (0.0 if form == "fresh" else v) + {
            "lr_inside": lr * g, "uphill": lr * g, "cs231n": -lr * g, "ewa": (1 - mu) * g,
            "minus_g": -g}.get(form, g)
        p += {"lr_inside": -new, "uphill": new, "cs231n": new, "minus_g": lr * new,
              "nesterov": -lr * (g + mu * new), "old_v": -lr * v}.get(form, -lr * new)
        if form != "rebind_v":  # that mistake makes only a new local v: state["velocity"] stays 0
            v[...] = new
    return step


momentum_step = _optimizer(
    "momentum_step", _momentum, ("velocity",), _opt_cases(0, {"momentum": 0.9}, {"momentum": 0.5}),
    {
        "lr is inside v (v = mu v + lr g), wrong once lr changes: " + _TORCH_V: "lr_inside",
        "momentum's sign is flipped (p += v climbs uphill): " + _TORCH_V: "uphill",
        "that is the averaged form v = mu v + (1 - mu) g; PyTorch's is v = mu v + g": "ewa",
        "that is Nesterov's update (p -= lr (g + mu v)); plain momentum is p -= lr v": "nesterov",
        "the velocity is not kept between calls: store it in state['velocity']": "fresh",
        "the new velocity is never stored in state, so every step starts from v = 0: "
        "state['velocity'] = v": "unstored",
        "p moved with the OLD velocity (v updated after the step): update v first, " + _TORCH_V:
            "old_v",
        "v = mu * v + g rebinds the local name v, so state['velocity'] never changes: update it in "
        "place, v[...] = mu * v + g (or store it back: state['velocity'] = v)": "rebind_v",
        "that is CS231n's form, v = mu v - lr g; p += v (lr inside v): " + _TORCH_V: "cs231n",
        "v = mu v - g; p += lr v: same path, but state['velocity'] is -v; " + _TORCH_V: "minus_g",
    },
    [lambda p, g, state, lr, momentum=0.9: (
        state.update(velocity=momentum * state.get("velocity", 0.0) + g),
        p.__isub__(lr * state["velocity"]))],
    "PyTorch's v = mu v + g; p -= lr v")


def _rmsprop(form="torch"):
    """PyTorch's RMSprop step, or the mistake ``form``."""
    def step(p, g, state, lr, alpha=0.99, eps=1e-8):
        a = 1 - alpha if form == "swapped" else alpha
        s = state.setdefault("square_avg", g * g if form == "init_g2" else np.zeros_like(p))
        added = {"g_not_squared": (1 - a) * g, "no_one_minus": g * g}.get(form, (1 - a) * g * g)
        s[...] = a * (0.0 if form == "fresh" else s) + added
        root = {"eps_inside": np.sqrt(s + eps), "no_sqrt": s + eps}.get(form, np.sqrt(s) + eps)
        p -= lr * g / root
    return step


rmsprop_step = _optimizer(
    "rmsprop_step", _rmsprop, ("square_avg",), _opt_cases(10, {"alpha": 0.9}, {"alpha": 0.99}),
    {
        "alpha and 1 - alpha are swapped: alpha * square_avg + (1 - alpha) * g**2": "swapped",
        _EPS_INSIDE.format("square_avg"): "eps_inside",
        "divide by the ROOT mean square: np.sqrt(square_avg) + eps": "no_sqrt",
        "square_avg restarts from 0 at every call: keep it in state['square_avg']": "fresh",
        "square_avg averages the SQUARED gradient: (1 - alpha) * g**2, not * g": "g_not_squared",
        "the (1 - alpha) factor is missing: (1 - alpha) * g**2, not g**2": "no_one_minus",
        "square_avg starts at zeros (PyTorch), not at the first g**2": "init_g2",
    },
    [lambda p, g, state, lr, alpha=0.99, eps=1e-8: (
        state.update(square_avg=alpha * state.get("square_avg", 0.0) + (1 - alpha) * g ** 2),
        p.__isub__(lr * g / (np.sqrt(state["square_avg"]) + eps)))],
    "eps outside the square root, like PyTorch")


def _adam(form="torch"):
    """PyTorch's Adam step, or the mistake ``form``."""
    def step(p, g, state, lr, betas=(0.9, 0.999), eps=1e-8):
        b1, b2 = betas[::-1] if form == "swapped" else betas
        m, v = state.setdefault("m", np.zeros_like(p)), state.setdefault("v", np.zeros_like(p))
        t = state.get("t", 0) + 1
        state["t"] = 0 if form == "t_local" else t  # that mistake never stores t back
        t += {"t0": -1, "t_plus": 1}.get(form, 0)  # the mistakes count from 0 or from 2
        m[...] = b1 * m + (1 - b1) * g
        v[...] = b2 * v + (1 - b2) * (g if form == "v_of_g" else g * g)
        m_hat = m if form == "no_correction" else m / (1 - b1 ** t)
        v_hat = v if form in ("no_correction", "only_m") else v / (1 - b2 ** t)
        root = np.sqrt(v_hat + eps) if form == "eps_inside" else np.sqrt(v_hat) + eps
        if form == "eps_hat":  # the paper's efficient form: eps added to sqrt(v), lr scaled
            m_hat, root = m * np.sqrt(1 - b2 ** t) / (1 - b1 ** t), np.sqrt(v) + eps
        p -= lr * m_hat / root
        if form == "store_hat":
            m[...], v[...] = m_hat, v_hat
    return step


adam_step = _optimizer(
    "adam_step", _adam, ("m", "v", "t"),
    [Case(_P0, np.array([[300.0, -0.002, 1.0]]), 0.01, kw={"betas": (0.9, 0.999)})]
    + _opt_cases(20, {"betas": (0.9, 0.999)}, {"betas": (0.8, 0.99)}),
    {
        "bias correction is missing: m / (1 - beta1**t), v / (1 - beta2**t)": "no_correction",
        "t = 0 on the first step (1 - beta**0 = 0): increment state['t'] BEFORE using it": "t0",
        "the bias correction used t + 1: t = 1 on the first step": "t_plus",
        _EPS_INSIDE.format("v_hat"): "eps_inside",
        "beta1 and beta2 are swapped: m uses beta1 = 0.9, v (of g**2) beta2 = 0.999": "swapped",
        "v averages the SQUARED gradient: (1 - beta2) * g**2, not (1 - beta2) * g": "v_of_g",
        "you stored the bias-corrected m_hat, v_hat in state: keep m, v uncorrected": "store_hat",
        "the step count is not kept: store it back, state['t'] = t (t = 1, 2, 3, ...)": "t_local",
        "only m is bias-corrected: v_hat = v / (1 - beta2**t) too": "only_m",
        "the paper's efficient form adds eps to sqrt(v); PyTorch adds it to sqrt(v_hat)": "eps_hat",
    },
    [lambda p, g, state, lr, betas=(0.9, 0.999), eps=1e-8: (
        state.update(t=state.get("t", 0) + 1,
                     m=betas[0] * state.get("m", 0.0) + (1 - betas[0]) * g,
                     v=betas[1] * state.get("v", 0.0) + (1 - betas[1]) * g ** 2),
        p.__isub__(lr * (state["m"] / (1 - betas[0] ** state["t"]))
                   / (np.sqrt(state["v"] / (1 - betas[1] ** state["t"])) + eps)))],
    "PyTorch's rule, eps outside the square root")
