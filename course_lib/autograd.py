"""A tiny scalar autograd engine, micrograd style, with a PyTorch-like surface.

Every operation builds a new :class:`Value` that remembers its inputs (``_prev``) and a closure
``_backward`` that pushes ``out.grad`` to the inputs, multiplied by the operation's *local*
derivative. Each local derivative is written right next to its forward computation.
``backward()`` orders the graph topologically (iteratively, with an explicit stack, so a chain of
100,000 nodes is fine) and calls every ``_backward`` from the output to the inputs.

Gradients *accumulate* (``+=``), as in PyTorch: a value used twice gets both contributions, and
calling ``backward()`` twice doubles the leaves' gradients; ``zero_grad()`` resets them.

==========================  =====================================
here                        PyTorch
==========================  =====================================
``Value(2.0)``              ``torch.tensor(2.0, requires_grad=True)``
``v.data`` / ``v.grad``     ``t.item()`` / ``t.grad``
``v.backward()``            ``t.backward()``
``v.zero_grad()``           ``t.grad = None`` (or ``optimizer.zero_grad()``)
``v.detach()``              ``t.detach()``
``with no_grad():``         ``with torch.no_grad():``
==========================  =====================================

Differences: a ``Value`` is one number, not a tensor; ``Value(x)`` requires a gradient by default
(``torch.tensor`` does not); intermediate values keep their ``.grad`` (PyTorch frees them).
``log`` of a number <= 0 raises ``ValueError`` (PyTorch returns ``nan`` or ``-inf``).
"""

import math
from contextlib import contextmanager

__all__ = ["Value", "no_grad", "is_grad_enabled", "topological_order", "local_gradients",
           "draw_graph", "Neuron", "NeuronLayer", "MLP"]

_GRAD_ENABLED = True


def is_grad_enabled():
    """``False`` inside a :func:`no_grad` block."""
    return _GRAD_ENABLED


@contextmanager
def no_grad():
    """Inside ``with no_grad():`` operations compute values only: no graph is recorded."""
    global _GRAD_ENABLED
    previous, _GRAD_ENABLED = _GRAD_ENABLED, False
    try:
        yield
    finally:
        _GRAD_ENABLED = previous


def _noop():
    pass


class Value:
    """One number in a computation graph: ``data``, ``grad`` (= dL/d this, after ``backward``).

    ``Value(data, _children=(), _op="")`` is the low-level constructor the operations use: the
    result of an operation keeps its children only when gradients are enabled and some child
    requires a gradient; otherwise it is a plain constant (no graph).
    """

    def __init__(self, data, _children=(), _op="", *, requires_grad=True, label=""):
        if isinstance(data, Value):
            raise ValueError("Value: data must be a number, got a Value (use v.data or v.detach())")
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise ValueError(f"Value: data must be a number, got {type(data).__name__}") from None
        self.grad = 0.0
        self.label = label
        self._backward = _noop
        children = tuple(_children)
        if children:  # the result of an operation: track it only if someone needs its gradient
            requires_grad = _GRAD_ENABLED and any(c.requires_grad for c in children)
            children = children if requires_grad else ()
        self.requires_grad = bool(requires_grad)
        self._prev = children
        self._op = _op if children else ""

    # -- arithmetic: forward, then the local derivative in _backward ----------------------------
    def __add__(self, other):
        other = _wrap(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad               # d(a + b)/da = 1
            other.grad += 1.0 * out.grad              # d(a + b)/db = 1
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad        # d(a b)/da = b
            other.grad += self.data * out.grad        # d(a b)/db = a
        out._backward = _backward
        return out

    def __sub__(self, other):
        other = _wrap(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += 1.0 * out.grad               # d(a - b)/da = 1
            other.grad += -1.0 * out.grad             # d(a - b)/db = -1
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise ValueError("Value ** Value is not supported: the exponent must be a plain number "
                             "(for a ** b write (b * a.log()).exp())")
        k = float(exponent)
        out = Value(self.data ** k, (self,), f"**{exponent:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad   # d(a^k)/da = k a^(k-1)
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad     # d tanh(a)/da = 1 - tanh(a)^2
        out._backward = _backward
        return out

    def sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data)) if self.data >= 0 else \
            math.exp(self.data) / (1.0 + math.exp(self.data))
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad     # d sigmoid(a)/da = s (1 - s)
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad   # d relu(a)/da = 1 if a > 0 else 0
        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def _backward():
            self.grad += e * out.grad                 # d exp(a)/da = exp(a)
        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"Value.log: needs a positive number, got {self.data:g}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += (1.0 / self.data) * out.grad  # d log(a)/da = 1 / a
        out._backward = _backward
        return out

    # -- everything else is built from the operations above -------------------------------------
    def __neg__(self):
        return self * -1.0

    def __truediv__(self, other):
        return self * _wrap(other) ** -1

    def __radd__(self, other):      # 2 + v
        return self + other

    def __rsub__(self, other):      # 2 - v
        return _wrap(other) - self

    def __rmul__(self, other):      # 2 * v
        return self * other

    def __rtruediv__(self, other):  # 2 / v
        return _wrap(other) * self ** -1

    # -- the PyTorch-like surface -----------------------------------------------------------------
    def backward(self, grad=1.0):
        """Backpropagate from this value: every node upstream gets ``grad += dself/dnode * grad``.

        Intermediate nodes are reset first, so only the leaves (inputs and parameters) accumulate
        across calls, as in PyTorch.
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this Value does not require grad (it was computed "
                               "under no_grad(), detached, or from constants only)")
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += float(grad)
        for node in reversed(order):   # from the output back to the inputs
            node._backward()
        for node in order:             # constants mixed in (2 * v) keep no gradient
            if not node.requires_grad:
                node.grad = 0.0

    def zero_grad(self):
        """Set ``grad`` to 0 for this value and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0

    def detach(self):
        """A new constant with the same data, cut off from the graph (no gradient flows back)."""
        return Value(self.data, requires_grad=False, label=self.label)

    def item(self):
        """The plain Python float, as ``torch.Tensor.item()``."""
        return self.data

    def __float__(self):
        return self.data

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"


def _wrap(x):
    """Plain numbers become constants (no gradient needed); Values pass through."""
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


def topological_order(root):
    """All nodes ``root`` depends on, each after its children (inputs first, ``root`` last).

    Iterative depth-first search with an explicit stack: no recursion, so a chain of 100,000
    nodes needs no deep Python call stack.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)        # every child is already in `order`
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))    # come back to it after its children
        for child in node._prev:
            if id(child) not in visited:
                stack.append((child, False))
    return order


def local_gradients(out):
    """The local derivatives ``d out / d child`` of one operation, read off its ``_backward``.

    Runs ``out._backward`` once with ``out.grad = 1`` and the children's gradients at 0, then
    restores every gradient. A child used twice (``a * a``) gets the sum. Returns a list aligned
    with ``out._prev``.
    """
    nodes = [out, *out._prev]
    saved = [n.grad for n in nodes]
    for n in out._prev:
        n.grad = 0.0
    out.grad = 1.0
    out._backward()
    local = [n.grad for n in out._prev]
    for n, g in zip(nodes, saved):
        n.grad = g
    return local


def draw_graph(root, ax=None, local=True, title="Computational graph"):
    """Draw the graph behind ``root`` with matplotlib: value boxes (label, data, grad), op boxes.

    ``local=True`` writes each operation's local derivative (orange) on the edge from its input.
    Inputs sit one column before the operation that first uses them. For small graphs (up to 40
    values). Returns the axes.
    """
    import matplotlib.pyplot as plt

    order = topological_order(root)
    if len(order) > 40:
        raise ValueError(f"draw_graph: {len(order)} values are too many to draw; at most 40")
    col = {}
    for node in order:  # an operation's result: one column after its latest input
        if node._prev:
            col[id(node)] = 1 + max(col.get(id(c), 0) for c in node._prev)
    for node in reversed(order):  # an input: just before the first operation that uses it
        if not node._prev:
            users = [col[id(v)] for v in order if any(c is node for c in v._prev)]
            col[id(node)] = min(users, default=1) - 1
    rows, pos = {}, {}
    for node in order:
        c = col[id(node)]
        rows.setdefault(c, []).append(node)
    dx, dy = 3.4, 1.4
    for c, nodes in rows.items():
        for k, node in enumerate(nodes):
            pos[id(node)] = (dx * c, dy * ((len(nodes) - 1) / 2 - k))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if ax is None:  # 0.75 inch per data unit keeps the boxes apart
        _, ax = plt.subplots(figsize=(0.62 * (max(xs) - min(xs) + 1.8),
                                      0.62 * (max(ys) - min(ys) + 1.4) + 0.4))
    value_box = dict(boxstyle="round,pad=0.3", fc="#EAF2FB", ec="#0072B2")
    op_box = dict(boxstyle="round,pad=0.25", fc="#FDF1DC", ec="#E69F00")
    arrow = dict(arrowstyle="->", color="0.45", shrinkA=0, shrinkB=0)
    half = 0.7  # half the width of a value box, in data units
    for node in order:
        x, y = pos[id(node)]
        name = f"{node.label}\n" if node.label else ""
        ax.text(x, y, f"{name}data {node.data:.4f}\ngrad {node.grad:.4f}", ha="center",
                va="center", fontsize=8, bbox=value_box, zorder=3)
        if not node._prev:
            continue
        ox = x - dx / 2
        ax.text(ox, y, node._op, ha="center", va="center", fontsize=8, bbox=op_box, zorder=3)
        ax.annotate("", (x - half, y), (ox + 0.3, y), arrowprops=arrow, zorder=1)
        derivs = local_gradients(node) if local else [None] * len(node._prev)
        seen = set()
        for child, d in zip(node._prev, derivs):
            cx, cy = pos[id(child)]
            ax.annotate("", (ox - 0.3, y), (cx + half, cy), arrowprops=arrow, zorder=1)
            if d is not None and id(child) not in seen:
                seen.add(id(child))
                lx, ly = cx + half + 0.5 * (ox - 0.3 - cx - half), cy + 0.5 * (y - cy)
                ax.text(lx, ly + 0.12, f"{d:.3g}", fontsize=7.5, ha="center", va="bottom",
                        color="#D55E00", zorder=4)
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_axis_off()
    ax.set_title(title + (" (orange: local derivatives)" if local else ""))
    return ax


# -- a small neural network made of Values ---------------------------------------------------------
class Neuron:
    """``act(sum_i w_i x_i + b)`` on Values; ``act`` is ``"tanh"``, ``"relu"`` or ``"linear"``."""

    def __init__(self, n_inputs, act="tanh", *, rng=None):
        import numpy as np

        if act not in ("tanh", "relu", "linear"):
            raise ValueError(f"Neuron: act must be 'tanh', 'relu' or 'linear', got {act!r}")
        rng = np.random.default_rng(rng)
        self.w = [Value(v) for v in rng.uniform(-1, 1, n_inputs)]
        self.b = Value(0.0)
        self.act = act

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z if self.act == "linear" else getattr(z, self.act)()

    def parameters(self):
        return self.w + [self.b]


class NeuronLayer:
    """``n_outputs`` neurons reading the same inputs (what ``layers.Dense`` + an activation does)."""

    def __init__(self, n_inputs, n_outputs, act="tanh", *, rng=None):
        import numpy as np

        rng = np.random.default_rng(rng)
        self.neurons = [Neuron(n_inputs, act, rng=rng) for _ in range(n_outputs)]

    def __call__(self, x):
        return [n(x) for n in self.neurons]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """Layers of neurons: ``MLP(2, [8, 1])`` is 2 inputs -> 8 tanh -> 1 linear output.

    Hidden layers use ``act``; the last layer is linear. ``mlp(x)`` takes a list of numbers and
    returns a list of Values.
    """

    def __init__(self, n_inputs, sizes, act="tanh", *, rng=None):
        import numpy as np

        rng = np.random.default_rng(rng)
        dims = [n_inputs, *sizes]
        self.layers = [NeuronLayer(dims[i], dims[i + 1], act if i < len(sizes) - 1 else "linear",
                                   rng=rng) for i in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def set_weights(self, weights):
        """Copy ``[(W, b), ...]`` with ``W`` (D_in, D_out) as in ``layers.Dense`` into the neurons."""
        for layer, (W, b) in zip(self.layers, weights):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = float(W[i][j])
                neuron.b.data = float(b[j])

    def weight_grads(self):
        """The gradients as ``[(dW, db), ...]`` arrays shaped like ``layers.Dense``'s."""
        import numpy as np

        return [(np.array([[n.w[i].grad for n in layer.neurons] for i in range(len(layer.neurons[0].w))]),
                 np.array([n.b.grad for n in layer.neurons])) for layer in self.layers]

    def __repr__(self):
        dims = [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]
        return f"MLP({' -> '.join(map(str, dims))}, {len(self.parameters())} parameters)"
