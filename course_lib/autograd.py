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

This module is the engine only. A network made of Values (``Neuron``, ``NeuronLayer``, ``MLP``)
is in :mod:`course_lib.nn`, the drawing ``draw_graph`` in :mod:`course_lib.plots`; both can also
be imported from here.
"""

import importlib
import math
from contextlib import contextmanager

__all__ = ["Value", "no_grad", "is_grad_enabled", "topological_order", "local_gradients",  # noqa: F822
           "draw_graph", "Neuron", "NeuronLayer", "MLP"]  # the last four: see __getattr__ below

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


# The network made of Values lives in nn.py and the drawing in plots.py (as micrograd keeps
# engine.py and nn.py apart); both import Value from here. So that the old imports keep working,
# ``from course_lib.autograd import MLP, draw_graph`` fetches them on first use (PEP 562), which
# avoids a circular import.
_ELSEWHERE = {"Neuron": ".nn", "NeuronLayer": ".nn", "MLP": ".nn", "draw_graph": ".plots"}


def __getattr__(name):
    if name in _ELSEWHERE:
        return getattr(importlib.import_module(_ELSEWHERE[name], __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_ELSEWHERE])
