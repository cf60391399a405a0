"""The perceptron: one neuron ``y = step(w·x + b)`` and Rosenblatt's learning rule.

- :class:`Perceptron`  ``fit(X, y, epochs=..., lr=..., rng=...)`` / ``predict(X)``, labels 0/1,
  and a ``history`` of ``(w, b, mistakes)`` per epoch (what the chapter's widget animates).
- :func:`gate`  a logic gate with hand-picked weights; :data:`AND`, :data:`OR`, :data:`NAND` and
  :func:`XOR` (two layers: ``AND(NAND(x1, x2), OR(x1, x2))``).
- :func:`truth_table`, :func:`draw_neuron`  the chapter's table and diagram.

The step function is :func:`course_lib.functions.step`: ``step(z) = 1`` if ``z > 0`` else ``0``,
so a point exactly on the line ``w·x + b = 0`` is class 0.
"""

from collections import namedtuple

import numpy as np

from .functions import step

__all__ = ["Perceptron", "Epoch", "perceptron_update", "gate", "AND", "OR", "NAND", "XOR",
           "GATE_INPUTS", "truth_table", "draw_neuron"]

#: one entry of :attr:`Perceptron.history`: weights ``w`` (D,), bias ``b`` and a mistake count
Epoch = namedtuple("Epoch", ["w", "b", "mistakes"])

#: the four rows of a two-input truth table, in the usual order: (0,0), (0,1), (1,0), (1,1)
GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.int64)


def _check_X(X, n_features=None, name="X"):
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected an array of numbers, got {type(X).__name__}") from None
    want = "(N, D)" if n_features is None else f"(N, {n_features})"
    if X.ndim != 2 or (n_features is not None and X.shape[1] != n_features):
        raise ValueError(f"{name}: expected shape {want}, got {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name}: contains NaN or inf")
    return X


def _check_labels(y, n):
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y: expected shape ({n},) to match X, got {y.shape}")
    if not np.isin(y, (0, 1)).all():
        bad = np.unique(y[~np.isin(y, (0, 1))])[:3]
        raise ValueError(f"y: labels must be 0 or 1, got {bad.tolist()}")
    return y.astype(np.int64)


def perceptron_update(w, b, x, y, lr):
    """One step of the perceptron rule on one example; returns new ``(w, b)``, inputs untouched.

    ``y_hat = step(w·x + b)``; ``w + lr * (y - y_hat) * x`` and ``b + lr * (y - y_hat)``.
    Nothing changes when the prediction is right (``y - y_hat = 0``). Shapes: w, x (D,).
    """
    error = y - step(np.dot(w, x) + b)
    return w + lr * error * np.asarray(x, dtype=np.float64), b + lr * float(error)


class Perceptron:
    """A single neuron with a step activation, trained by the perceptron rule.

    ``predict(X) = step(X @ w + b)``: X (N, D) -> labels (N,) of 0/1. After :meth:`fit`,
    ``history[k]`` is an :class:`Epoch` ``(w, b, mistakes)``: ``history[0]`` is the random start
    (``mistakes`` = training points it misclassifies), ``history[k]`` the weights after epoch ``k``
    (``mistakes`` = points the rule got wrong, and so updated on, during epoch ``k``).
    """

    def __init__(self, w=None, b=0.0):
        self.w = None if w is None else np.array(w, dtype=np.float64)
        self.b = float(b)
        self.history = []

    def __repr__(self):
        if self.w is None:
            return "Perceptron(not fitted)"
        return f"Perceptron(w={np.round(self.w, 4).tolist()}, b={self.b:.4g})"

    def decision_function(self, X):
        """The weighted sum ``X @ w + b``, shape (N,): positive means class 1."""
        if self.w is None:
            raise ValueError("Perceptron: call fit(X, y) first (or pass w= and b=)")
        return _check_X(X, self.w.size) @ self.w + self.b

    def predict(self, X):
        """Labels 0/1 as int64, shape (N,): ``step(X @ w + b)`` with ``step(0) = 0``."""
        return step(self.decision_function(X)).astype(np.int64)

    def fit(self, X, y, epochs=20, lr=0.1, rng=None, *, shuffle=True, stop_early=True,
            init_scale=1.0):
        """Train on ``X`` (N, D) and labels ``y`` (N,) in {0, 1}; returns ``self``.

        Starts from ``w ~ Normal(0, init_scale)`` (D,) and ``b = 0``; each epoch visits the points
        in a fresh random order (``shuffle=False``: in the given order) and applies the
        perceptron rule (:func:`perceptron_update`) to each. ``stop_early``: stop after the first
        epoch without a mistake (nothing would change any more). ``rng`` (int or Generator)
        drives the start and the shuffles, so the same seed gives the same run.
        """
        X = _check_X(X)
        y = _check_labels(y, X.shape[0])
        if not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr!r}")
        if not init_scale >= 0:
            raise ValueError(f"init_scale must be >= 0, got {init_scale!r}")
        rng = np.random.default_rng(rng)
        w = rng.normal(0.0, init_scale, X.shape[1])
        b = 0.0
        start_mistakes = int(np.sum(step(X @ w + b) != y))
        self.history = [Epoch(w.copy(), b, start_mistakes)]
        for _ in range(int(epochs)):
            order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            mistakes = 0
            for i in order:
                error = y[i] - step(X[i] @ w + b)      # 0 when right, +1 or -1 when wrong
                if error != 0:
                    w = w + lr * error * X[i]          # new arrays: the history keeps each epoch
                    b = b + lr * float(error)
                    mistakes += 1
            self.history.append(Epoch(w.copy(), b, mistakes))
            if stop_early and mistakes == 0:
                break
        self.w, self.b = w, b
        return self

    @property
    def mistakes(self):
        """Mistakes per epoch, ``[history[1].mistakes, ...]`` (the start is not an epoch)."""
        return [h.mistakes for h in self.history[1:]]

    @property
    def converged(self):
        """True when the last epoch made no mistake: every training point is classified right."""
        return len(self.history) > 1 and self.history[-1].mistakes == 0


# -- logic gates ------------------------------------------------------------------------------

def _bits(x, name):
    arr = np.asarray(x)
    if not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name}: gate inputs must be 0 or 1, got {np.unique(arr).tolist()}")
    return arr.astype(np.float64)


def gate(w, b, name="gate"):
    """A two-input logic gate ``f(x1, x2) = step(w[0] x1 + w[1] x2 + b)`` with fixed weights.

    ``x1``, ``x2`` are 0/1 numbers or arrays of the same shape; the result is int (or int64 array).
    The weights are kept on the function as ``f.w`` and ``f.b``.
    """
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (2,):
        raise ValueError(f"gate: expected 2 weights, got shape {w.shape}")
    b = float(b)

    def f(x1, x2):
        x1, x2 = _bits(x1, "x1"), _bits(x2, "x2")
        out = step(w[0] * x1 + w[1] * x2 + b).astype(np.int64)
        return int(out) if out.ndim == 0 else out

    f.w, f.b, f.__name__ = w, b, name
    f.__doc__ = f"{name}(x1, x2) = step({w[0]:g}·x1 + {w[1]:g}·x2 + {b:g})"
    return f


AND = gate([1.0, 1.0], -1.5, "AND")      # fires only when x1 + x2 > 1.5
OR = gate([1.0, 1.0], -0.5, "OR")        # fires when x1 + x2 > 0.5
NAND = gate([-1.0, -1.0], 1.5, "NAND")   # AND with every sign flipped


def XOR(x1, x2):
    """Exclusive or with two layers of gates: ``AND(NAND(x1, x2), OR(x1, x2))``."""
    return AND(NAND(x1, x2), OR(x1, x2))


def truth_table(fn, inputs=GATE_INPUTS):
    """Rows ``[x1, x2, fn(x1, x2)]`` for the four 0/1 inputs, as an int64 array (4, 3)."""
    out = np.asarray(fn(inputs[:, 0], inputs[:, 1])).astype(np.int64).reshape(-1, 1)
    return np.hstack([inputs, out])


# -- the diagram ------------------------------------------------------------------------------

def _label(v):
    return v if isinstance(v, str) else f"{v:g}"


def draw_neuron(ax, w=("w_1", "w_2"), b="b", inputs=("x_1", "x_2"), title="A perceptron"):
    """Draw inputs, the constant 1, weighted edges, the sum node, the step and the output on ``ax``.

    ``w`` and ``b`` are numbers or LaTeX strings (without ``$``); one input node per weight.
    """
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    def arrow(a, c):
        ax.add_patch(FancyArrowPatch(a, c, arrowstyle="-|>", mutation_scale=12, color="0.35",
                                     lw=1.3))

    n = len(inputs)
    ys = np.linspace(0.88, 0.42, n) if n > 1 else np.array([0.65])
    nodes = [(0.1, y, f"${name}$", f"${_label(v)}$") for y, name, v in zip(ys, inputs, w)]
    nodes.append((0.1, 0.1, "$1$", f"${b}$" if isinstance(b, str) else f"$b={b:g}$"))
    total, act, out, r = np.array([0.8, 0.5]), np.array([1.2, 0.5]), np.array([1.46, 0.5]), 0.06
    for x, y, text, weight in nodes:
        const = text == "$1$"
        ax.add_patch(Circle((x, y), r, fc="#f2f2f2" if const else "#dceaf6", ec="0.3", lw=1.2,
                            ls="--" if const else "-"))
        ax.text(x, y, text, ha="center", va="center", fontsize=13)
        edge = total - (x, y)
        unit = edge / np.hypot(*edge)
        arrow((x, y) + r * unit, total - 1.2 * r * unit)
        mid = (x, y) + 0.45 * edge + 0.05 * np.array([-unit[1], unit[0]])   # beside the edge
        ax.text(*mid, weight, ha="center", va="center", fontsize=12,
                color="#D55E00" if const else "#0072B2",
                bbox={"fc": "white", "ec": "none", "pad": 0.5})
    ax.text(0.1, 0.1 - 1.6 * r, "constant input", ha="center", va="top", fontsize=9, color="0.35")
    ax.add_patch(Circle(total, 0.07, fc="#fff3d6", ec="0.3", lw=1.2))
    ax.text(*total, r"$\Sigma$", ha="center", va="center", fontsize=16)
    ax.text(total[0], total[1] - 0.1, r"$z = w\cdot x + b$", ha="center", va="top", fontsize=11)
    ax.add_patch(FancyBboxPatch(act - 0.06, 0.12, 0.12, boxstyle="round,pad=0.01", fc="#e3f3ea",
                                ec="0.3", lw=1.2))
    ax.plot(act[0] + np.array([-0.04, 0.0, 0.0, 0.04]),
            act[1] + np.array([-0.03, -0.03, 0.03, 0.03]), color="#009E73", lw=2)
    ax.text(act[0], act[1] - 0.09, "step(z)", ha="center", va="top", fontsize=11)
    arrow(total + (0.07, 0), act - (0.07, 0))
    arrow(act + (0.07, 0), out - (0.02, 0))
    ax.text(*out, r"$\hat y$", ha="left", va="center", fontsize=15)
    ax.set_xlim(0, 1.58)
    ax.set_ylim(-0.05, 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
    return ax
