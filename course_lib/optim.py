"""Optimizers: ``SGD`` (momentum, Nesterov), ``AdaGrad``, ``RMSprop``, ``Adam``, ``AdamW``, an EMA.

Every optimizer follows one contract, PyTorch's::

    opt = Adam(model, lr=1e-3)        # model: a Sequential, a Layer, or an iterable of layers
    for x, y in batches:
        opt.zero_grad()               # grads[...] = 0
        loss = loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        opt.step()                    # every param updated IN PLACE from its grad

Anything with ``params`` and ``grads`` dicts of arrays (same keys, same shapes) can be optimized,
so the same classes also drive a single 2-D point across a loss surface (see :func:`trajectory`).

``step`` never rebinds a parameter: it writes into the array (``p -= ...``), so a layer, a
``Sequential`` and anyone else holding the array see the new value. Per-parameter state lives in
``opt.state``, a dict keyed by the parameter's readable name (``"0.W"``, ``"0.b"``, ...), each a
dict of named arrays (``velocity``, ``sum_sq``, ``square_avg``, ``m``, ``v``) and the step count
``t``. Hyper-parameter names, defaults and update rules are those of ``torch.optim``; where other
textbooks write the rule differently the class docstring says so.

Learning-rate schedules are in :mod:`course_lib.lr_scheduler`, also reachable as
``optim.lr_scheduler`` (PyTorch's ``torch.optim.lr_scheduler``).
"""

import numpy as np

from . import lr_scheduler  # noqa: F401  (optim.lr_scheduler.StepLR, as torch.optim)

__all__ = ["Optimizer", "SGD", "AdaGrad", "Adagrad", "RMSprop", "Adam", "AdamW",
           "ExponentialMovingAverage", "FunctionOptimizer", "Point", "trajectory"]


def _check(owner, name, value, low=0.0, high=None, high_open=True):
    """Raise a readable ``ValueError`` unless ``low <= value`` (``< high`` or ``<= high``)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {name} must be a number, got {value!r}") from None
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or value < low or too_high:
        close = ")" if high_open else "]"
        bound = f">= {low:g}" if high is None else f"in [{low:g}, {high:g}{close}"
        raise ValueError(f"{owner}: {name} must be {bound}, got {value!r}")
    return value


def _named_params(layers):
    """``[(name, param, grad), ...]`` from a Sequential, a Layer or an iterable of either."""
    if hasattr(layers, "params") and hasattr(layers, "grads"):
        groups = [("", layers)]
    else:
        try:
            groups = [(f"{i}.", layer) for i, layer in enumerate(layers)]
        except TypeError:
            raise ValueError("optimizer: expected a Sequential, a Layer or an iterable of objects "
                             f"with params/grads dicts, got {type(layers).__name__}") from None
    out = []
    for prefix, layer in groups:
        if not (hasattr(layer, "params") and hasattr(layer, "grads")):
            raise ValueError(f"optimizer: item {prefix.rstrip('.')} ({type(layer).__name__}) "
                             "has no params/grads dicts")
        params, grads = layer.params, layer.grads
        for key, p in params.items():
            if key not in grads or np.shape(grads[key]) != np.shape(p):
                raise ValueError(f"optimizer: parameter {prefix}{key} has no gradient of shape "
                                 f"{np.shape(p)}")
            if not (isinstance(p, np.ndarray) and np.issubdtype(p.dtype, np.floating)):
                raise ValueError(f"optimizer: parameter {prefix}{key} must be a float array to be "
                                 "updated in place")
            out.append((prefix + key, p, grads[key]))
    return out


class Optimizer:
    """Base class: collects ``(name, param, grad)`` triples; subclasses implement ``_update``.

    ``state[name]`` is created empty and filled by ``_update(p, g, state)`` on the first step.
    """

    def __init__(self, layers, lr):
        self.lr = _check(type(self).__name__, "lr", lr)
        self._params = _named_params(layers)
        self.state = {name: {} for name, _, _ in self._params}

    def zero_grad(self):
        """Set every gradient to zero, in place."""
        for _, _, g in self._params:
            g[...] = 0.0

    def step(self):
        """Update every parameter in place from its current gradient."""
        for name, p, g in self._params:
            state = self.state[name]
            state["t"] = state.get("t", 0) + 1
            self._update(p, g, state)

    def _grad(self, p, g, weight_decay):
        # L2 penalty folded into the gradient, as torch.optim does; a new array: never edit grads.
        return g + weight_decay * p if weight_decay else g

    def _update(self, p, g, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        hyper = ", ".join(f"{k}={v!r}" for k, v in self.hyper().items())
        return f"{type(self).__name__}({hyper})"

    def hyper(self):
        """The hyper-parameters as a dict (for ``repr`` and for the explorer's labels)."""
        return {"lr": self.lr}


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.

    PyTorch's rule (``torch.optim.SGD``, ``dampening=0``), with ``g`` the gradient
    (plus ``weight_decay * p``)::

        velocity = momentum * velocity + g        # starts at g on the first step
        p -= lr * velocity                         # plain momentum
        p -= lr * (g + momentum * velocity)        # nesterov=True

    CS231n and many textbooks write momentum as ``v = mu v - lr g; p += v``: with a constant
    ``lr`` that is the same path (their ``v`` is ``-lr`` times ours). deeplearning.ai writes
    ``v = beta v + (1 - beta) g``: an average of the gradients (PyTorch's ``dampening = beta``),
    whose steps are ``1 - beta`` times ours at the same ``lr``.
    State per parameter: ``velocity`` (PyTorch's ``momentum_buffer``), ``t``.
    """

    def __init__(self, layers, lr=0.01, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0):
        super().__init__(layers, lr)
        self.momentum = _check("SGD", "momentum", momentum)
        self.dampening = _check("SGD", "dampening", dampening, 0.0, 1.0, high_open=False)
        self.weight_decay = _check("SGD", "weight_decay", weight_decay)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={momentum!r}, dampening={dampening!r}")

    def _update(self, p, g, state):
        g = self._grad(p, g, self.weight_decay)
        if self.momentum:
            if "velocity" not in state:
                state["velocity"] = np.array(g, dtype=p.dtype, copy=True)
            else:
                v = state["velocity"]
                v *= self.momentum
                v += (1.0 - self.dampening) * g
            v = state["velocity"]
            g = g + self.momentum * v if self.nesterov else v
        p -= self.lr * g

    def hyper(self):
        out = {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov,
               "weight_decay": self.weight_decay}
        if self.dampening:  # shown when set, so the repr names every option in use
            out["dampening"] = self.dampening
        return out


class AdaGrad(Optimizer):
    r"""AdaGrad: each coordinate's step is divided by the root of its summed squared gradients.

    PyTorch's rule (``torch.optim.Adagrad``; ``eps`` outside the root)::

        sum_sq += g**2                             # starts at initial_accumulator_value
        p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum_sq) + eps)

    Steps shrink like ``1 / sqrt(t)`` forever, which is why RMSprop replaced the sum by an average.
    State per parameter: ``sum_sq`` (PyTorch's ``sum``), ``t``.
    """

    def __init__(self, layers, lr=0.01, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(layers, lr)
        self.lr_decay = _check("AdaGrad", "lr_decay", lr_decay)
        self.eps = _check("AdaGrad", "eps", eps)
        self.weight_decay = _check("AdaGrad", "weight_decay", weight_decay)
        self.initial_accumulator_value = _check("AdaGrad", "initial_accumulator_value",
                                                initial_accumulator_value)

    def _update(self, p, g, state):
        g = self._grad(p, g, self.weight_decay)
        if "sum_sq" not in state:
            state["sum_sq"] = np.full_like(p, self.initial_accumulator_value)
        s = state["sum_sq"]
        s += g * g
        lr = self.lr / (1.0 + (state["t"] - 1) * self.lr_decay)   # lr_decay=0: a constant lr
        p -= lr * g / (np.sqrt(s) + self.eps)

    def hyper(self):
        out = {"lr": self.lr, "eps": self.eps, "weight_decay": self.weight_decay}
        for name in ("lr_decay", "initial_accumulator_value"):  # shown when set
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out


#: PyTorch spells it ``Adagrad``
Adagrad = AdaGrad


class RMSprop(Optimizer):
    r"""RMSprop: divide each step by a running root-mean-square of the recent gradients.

    PyTorch's rule (``torch.optim.RMSprop``; ``alpha`` is the smoothing constant, ``eps`` outside
    the root)::

        square_avg = alpha * square_avg + (1 - alpha) * g**2
        p -= lr * g / (sqrt(square_avg) + eps)

    ``centered=True`` subtracts the squared running mean of ``g`` under the root (a variance);
    ``momentum > 0`` keeps ``velocity = momentum * velocity + g / (sqrt(.) + eps)`` and steps
    ``p -= lr * velocity``. Hinton's lecture and Keras call ``alpha`` "rho" (Keras default 0.9).
    State per parameter: ``square_avg``, ``grad_avg`` (centered), ``velocity`` (momentum), ``t``.
    """

    def __init__(self, layers, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(layers, lr)
        self.alpha = _check("RMSprop", "alpha", alpha, 0.0, 1.0)
        self.eps = _check("RMSprop", "eps", eps)
        self.weight_decay = _check("RMSprop", "weight_decay", weight_decay)
        self.momentum = _check("RMSprop", "momentum", momentum)
        self.centered = bool(centered)

    def _update(self, p, g, state):
        g = self._grad(p, g, self.weight_decay)
        a = self.alpha
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(p)
        sq = state["square_avg"]
        sq *= a
        sq += (1.0 - a) * g * g
        if self.centered:
            ga = state.setdefault("grad_avg", np.zeros_like(p))
            ga *= a
            ga += (1.0 - a) * g
            denom = np.sqrt(np.maximum(sq - ga * ga, 0.0)) + self.eps
        else:
            denom = np.sqrt(sq) + self.eps
        if self.momentum:
            v = state.setdefault("velocity", np.zeros_like(p))
            v *= self.momentum
            v += g / denom
            p -= self.lr * v
        else:
            p -= self.lr * g / denom

    def hyper(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "momentum": self.momentum,
                "centered": self.centered}


class Adam(Optimizer):
    r"""Adam: momentum on the gradient (``m``) divided by a running RMS of it (``sqrt(v)``).

    PyTorch's rule (``torch.optim.Adam``; ``eps`` outside the root, as in the paper)::

        t += 1                                       # t = 1 on the first step
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)                   # bias correction: m and v start at 0
        v_hat = v / (1 - beta2**t)
        p -= lr * m_hat / (sqrt(v_hat) + eps)

    On the first step ``m_hat / sqrt(v_hat) = g / |g|``, so every coordinate moves by about ``lr``.
    ``weight_decay`` adds ``weight_decay * p`` to ``g`` (L2, as ``torch.optim.Adam``; AdamW's
    decoupled decay is different). Some texts put ``eps`` inside the root (``sqrt(v_hat + eps)``):
    that changes the step when gradients are tiny. ``amsgrad=True`` divides by the running
    maximum of ``v`` instead of ``v`` (kept in ``v_max``, PyTorch's ``max_exp_avg_sq``).
    State per parameter: ``m``, ``v``, ``t`` (PyTorch's ``exp_avg``, ``exp_avg_sq``, ``step``).
    """

    amsgrad = False

    def __init__(self, layers, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(layers, lr)
        self.amsgrad = bool(amsgrad)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (_check("Adam", "betas[0]", beta1, 0.0, 1.0),
                      _check("Adam", "betas[1]", beta2, 0.0, 1.0))
        self.eps = _check("Adam", "eps", eps)
        self.weight_decay = _check("Adam", "weight_decay", weight_decay)

    def _update(self, p, g, state):
        g = self._grad(p, g, self.weight_decay)
        b1, b2 = self.betas
        t = state["t"]
        if "m" not in state:
            state["m"], state["v"] = np.zeros_like(p), np.zeros_like(p)
        m, v = state["m"], state["v"]
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * g * g
        m_hat = m / (1.0 - b1 ** t)
        if self.amsgrad:  # divide by the largest v so far: the step size can only shrink
            v_max = state.setdefault("v_max", np.zeros_like(p))
            np.maximum(v_max, v, out=v_max)
            v = v_max
        v_hat = v / (1.0 - b2 ** t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def hyper(self):
        out = {"lr": self.lr, "betas": self.betas, "eps": self.eps,
               "weight_decay": self.weight_decay}
        if self.amsgrad:  # shown when set
            out["amsgrad"] = True
        return out


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter): shrink ``p`` itself, not ``g``.

    PyTorch's rule (``torch.optim.AdamW``, default ``weight_decay=0.01``)::

        p *= 1 - lr * weight_decay                   # the decay, before the Adam step
        ...then Adam's step on the plain gradient g (no weight_decay * p added to g)

    Why it differs from ``Adam(weight_decay=...)``: there the L2 term ``weight_decay * p`` joins
    ``g`` and is then divided by ``sqrt(v_hat)``, so weights with large gradients are barely
    decayed and weights with tiny gradients are decayed a lot. Here every weight shrinks by the
    same factor ``1 - lr * weight_decay`` per step, whatever its gradient history. With plain SGD
    the two are the same thing; with Adam they are not. State per parameter: as :class:`Adam`.
    """

    def __init__(self, layers, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                 amsgrad=False):
        super().__init__(layers, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    def _grad(self, p, g, weight_decay):
        return g                             # decoupled: the decay never enters the gradient

    def _update(self, p, g, state):
        p *= 1.0 - self.lr * self.weight_decay
        super()._update(p, g, state)


class ExponentialMovingAverage:
    r"""Exponentially weighted average of a stream: ``avg_t = beta avg_{t-1} + (1 - beta) x_t``.

    ``avg_0 = 0``, so early averages are pulled towards 0; with ``bias_correction=True``,
    ``update`` returns ``avg_t / (1 - beta**t)`` instead (the average of the weights actually
    used). The average remembers roughly the last ``1 / (1 - beta)`` values. ``x`` may be a number
    or an array; the input is never modified.

        >>> ema = ExponentialMovingAverage(0.9)
        >>> ema.update(10.0)          # raw average 1.0, divided by 1 - 0.9
        10.0
    """

    def __init__(self, beta=0.9, bias_correction=True):
        self.beta = _check("ExponentialMovingAverage", "beta", beta, 0.0, 1.0)
        self.bias_correction = bool(bias_correction)
        self.t = 0
        self.average = None  # the raw (uncorrected) running average

    def update(self, value):
        """Fold in one value; returns the (bias-corrected, if asked) average so far."""
        value = np.asarray(value, dtype=np.float64)
        self.t += 1
        if self.average is None:
            self.average = np.zeros_like(value)
        self.average = self.beta * self.average + (1.0 - self.beta) * value
        return self.value

    @property
    def value(self):
        """The current average (bias-corrected if asked); ``None`` before the first update."""
        if self.average is None:
            return None
        out = self.average / (1.0 - self.beta ** self.t) if self.bias_correction else self.average
        return float(out) if out.ndim == 0 else out.copy()

    def __repr__(self):
        return f"ExponentialMovingAverage(beta={self.beta}, bias_correction={self.bias_correction})"


class Point:
    """A bare point in parameter space, ``params={"xy": p}``, so optimizers can drive it.

    ``p`` is a float array (a copy of ``start``): shape (2,) for one point on a surface, or
    (K, 2) for K independent runs at once (every optimizer here works coordinate by coordinate).
    """

    def __init__(self, start):
        p = np.array(start, dtype=np.float64)
        self.params = {"xy": p}
        self.grads = {"xy": np.zeros_like(p)}

    def __repr__(self):
        return f"Point(shape={self.params['xy'].shape})"


def trajectory(grad, start, make_optimizer, n_steps, bound=1e6):
    """Run an optimizer from ``start`` for ``n_steps`` and return the path, shape (n_steps + 1, D).

    ``grad(p) -> dL/dp`` for ``p`` of shape (D,). ``make_optimizer(point)`` builds the optimizer
    around a :class:`Point` (for example ``lambda pt: Adam(pt, lr=0.1)``). A run that leaves
    ``|p| < bound`` or becomes non-finite has *diverged*: the rest of its path is NaN.
    """
    point = Point(start)
    p, g = point.params["xy"], point.grads["xy"]
    opt = make_optimizer(point)
    path = np.full((int(n_steps) + 1,) + p.shape, np.nan)
    path[0] = p
    with np.errstate(all="ignore"):
        for k in range(1, int(n_steps) + 1):
            g[...] = grad(p)
            opt.step()
            if not (np.isfinite(p).all() and np.abs(p).max() < bound):
                break
            path[k] = p
    return path


class FunctionOptimizer(Optimizer):
    """Wrap a learner's ``step_fn(p, g, state, lr, **hyper) -> None`` as an optimizer.

    ``step_fn`` updates one parameter array ``p`` in place from its gradient ``g``, keeping
    whatever it needs in ``state`` (a dict, empty on the first call, one per parameter)::

        def momentum_step(p, g, state, lr, momentum=0.9):
            v = state.setdefault("velocity", np.zeros_like(p))
            v[...] = momentum * v + g
            p -= lr * v

        opt = FunctionOptimizer(model, momentum_step, lr=0.1, momentum=0.9)
    """

    def __init__(self, layers, step_fn, lr=0.01, **hyper):
        if not callable(step_fn):
            raise ValueError(f"FunctionOptimizer: step_fn must be a function, got {step_fn!r}")
        super().__init__(layers, lr)
        self.step_fn, self.hyper_kwargs = step_fn, dict(hyper)

    def step(self):
        for name, p, g in self._params:
            self.step_fn(p, g, self.state[name], self.lr, **self.hyper_kwargs)

    def hyper(self):
        return {"lr": self.lr, "step_fn": getattr(self.step_fn, "__name__", "step_fn"),
                **self.hyper_kwargs}
