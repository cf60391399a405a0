"""Layers under one contract, from the perceptron to attention.

A layer has ``forward(x)`` (returns the output and keeps what ``backward`` needs),
``backward(dout)`` (returns ``dL/dx``, writes ``dL/dp`` into ``grads`` in place, never modifies
``dout``), ``params`` and ``grads`` (dicts of arrays with the same keys and shapes), and a
train/eval mode.
"""

import numpy as np

from .. import functions as F


def _fmt(dim, index):
    if isinstance(dim, str):
        return dim
    if dim is None:
        return "N" if index == 0 else "*"
    return str(dim)


def check_shape(x, expected, name="input"):
    """Return ``x`` as an array if its shape matches ``expected``, else raise a readable
    ``ValueError``.

    ``expected`` is a tuple of ints, where ``None`` or a string (a symbolic name like ``"N"``)
    matches any size::

        >>> check_shape(np.ones((4, 5)), (None, 3), "Dense input")
        ValueError: Dense input: expected shape (N, 3), got (4, 5)
    """
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name}: expected an array of numbers, got {type(x).__name__}") from None
    dims = ", ".join(_fmt(d, i) for i, d in enumerate(expected))
    want = "(" + dims + ("," if len(expected) == 1 else "") + ")"
    ok = x.ndim == len(expected) and all(
        d is None or isinstance(d, str) or d == s for d, s in zip(expected, x.shape))
    if not ok:
        raise ValueError(f"{name}: expected shape {want}, got {tuple(x.shape)}")
    return x


class Layer:
    """Base class of every layer.

    Subclasses call ``super().__init__()``, fill ``self.params`` (and the matching zero
    ``self.grads``) and implement ``forward`` and ``backward``. ``layer(x)`` is
    ``layer.forward(x)``. ``train()`` / ``eval()`` switch ``self.training`` (dropout and batch norm
    behave differently).
    """

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.training = True

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, dout):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def __call__(self, x):
        return self.forward(x)

    def train(self, mode=True):
        """Switch to training mode (``mode=False``: evaluation mode); returns the layer."""
        self.training = bool(mode)
        return self

    def eval(self):
        """Switch to evaluation mode; returns the layer."""
        return self.train(False)

    def zero_grad(self):
        """Set every gradient to zero in place."""
        for grad in self.grads.values():
            grad[...] = 0.0

    def parameters(self):
        """``(params, grads)`` pairs of arrays, as optimizers consume them."""
        return [(self.params[k], self.grads[k]) for k in self.params]

    def __repr__(self):
        shapes = ", ".join(f"{k}={tuple(v.shape)}" for k, v in self.params.items())
        return f"{type(self).__name__}({shapes})"


class Dense(Layer):
    """Fully connected layer: ``out = x @ W + b``.

    Shapes: x (N, D_in) -> out (N, D_out); W (D_in, D_out); b (D_out,). Like ``nn.Linear``, any
    leading dimensions work: x (N, T, D_in) -> out (N, T, D_out).
    PyTorch's ``nn.Linear`` stores its weight transposed, as (D_out, D_in), and computes
    ``x @ W.T``; we keep (D_in, D_out) so that the code reads like the maths.
    Weights start He-initialised, ``N(0, 2 / D_in)``; biases at 0. ``init`` picks another scheme:
    a name from ``course_lib.init.INITIALIZERS`` (``"he"``, the default; ``"xavier"``,
    ``"xavier_uniform"``, ``"kaiming_uniform"``, ...) or a callable ``f(shape, rng=rng)``
    returning a (D_in, D_out) array (see chapter 06).
    """

    def __init__(self, n_inputs, n_outputs, *, rng=None, init="he"):
        from ..init import get_initializer  # the initializers of chapter 06

        super().__init__()
        for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Dense: {name} must be a positive integer, got {value!r}")
        rng = np.random.default_rng(rng)
        W = np.asarray(get_initializer(init)((n_inputs, n_outputs), rng=rng), dtype=np.float64)
        if W.shape != (n_inputs, n_outputs):
            raise ValueError(f"Dense: init returned shape {W.shape}, "
                             f"expected {(n_inputs, n_outputs)}")
        self.params = {"W": W.copy(), "b": np.zeros(n_outputs)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        # (N, D_in) or, like nn.Linear, any leading dims (N, T, D_in): x @ W acts on the last axis
        lead = (None,) * max(np.ndim(x) - 1, 1)
        self._x = check_shape(x, lead + (self.params["W"].shape[0],), "Dense input")
        return self._x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        x2 = self._x.reshape(-1, self._x.shape[-1])  # every position of every sample is a row
        d2 = np.reshape(dout, (-1, self.params["W"].shape[1]))
        self.grads["W"][...] = x2.T @ d2            # dL/dW = x^T dL/dout   (D_in, D_out)
        self.grads["b"][...] = d2.sum(axis=0)       # dL/db = sum over the batch (D_out,)
        return dout @ self.params["W"].T            # dL/dx = dL/dout W^T   (N, ..., D_in)


class _Elementwise(Layer):
    """An activation applied element by element: ``backward`` is ``dout * f'(x)``.

    ``forward`` keeps both ``x`` and ``out``; a subclass whose derivative is cheaper from the
    output (sigmoid, tanh) overrides ``_local_grad``.
    """

    def forward(self, x):
        self._x = np.asarray(x, dtype=np.float64)
        self._out = self._f(self._x)
        return self._out

    def backward(self, dout):
        return dout * self._local_grad()

    def _local_grad(self):
        """``f'(x)`` for the last ``forward``'s input, same shape as ``x``."""
        return self._f_prime(self._x)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Identity(_Elementwise):
    """``out = x``."""
    _f, _f_prime = staticmethod(F.identity), staticmethod(F.identity_prime)


class Sigmoid(_Elementwise):
    """``out = 1 / (1 + exp(-x))``; ``dx = dout * out * (1 - out)``, from the cached ``out``."""
    _f, _f_prime = staticmethod(F.sigmoid), staticmethod(F.sigmoid_prime)

    def _local_grad(self):
        return self._out * (1.0 - self._out)       # no second exp: the output is all we need


class Tanh(_Elementwise):
    """``out = tanh(x)``; ``dx = dout * (1 - out**2)``, from the cached ``out``."""
    _f, _f_prime = staticmethod(F.tanh), staticmethod(F.tanh_prime)

    def _local_grad(self):
        return 1.0 - self._out ** 2


class ReLU(_Elementwise):
    """``out = max(0, x)``; ``dx = dout`` where ``x > 0``, else 0."""
    _f, _f_prime = staticmethod(F.relu), staticmethod(F.relu_prime)


class GELU(_Elementwise):
    """GELU, tanh approximation (PyTorch's ``nn.GELU(approximate="tanh")``)."""
    _f, _f_prime = staticmethod(F.gelu), staticmethod(F.gelu_prime)


class LeakyReLU(_Elementwise):
    """``out = x`` for ``x > 0``, else ``negative_slope * x`` (PyTorch's name and default 0.01)."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def _f(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def _f_prime(self, x):
        return F.leaky_relu_prime(x, self.negative_slope)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class ELU(_Elementwise):
    """``out = x`` for ``x > 0``, else ``alpha * (exp(x) - 1)`` (PyTorch's default alpha 1)."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = float(alpha)

    def _f(self, x):
        return F.elu(x, self.alpha)

    def _f_prime(self, x):
        return F.elu_prime(x, self.alpha)

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class Softmax(Layer):
    """Softmax along the last axis: x (N, C) -> probabilities (N, C), each row sums to 1.

    ``backward`` applies the Jacobian ``diag(s) - s s^T`` row by row without building it:
    ``dx = s * (dout - sum(dout * s))``. For classification, prefer ``CrossEntropyLoss`` on the
    raw scores: the fused gradient is simpler and numerically safer.
    """

    def forward(self, x):
        self._s = F.softmax(x, axis=-1)
        return self._s

    def backward(self, dout):
        s = self._s
        return s * (dout - np.sum(dout * s, axis=-1, keepdims=True))

    def __repr__(self):
        return "Softmax()"


class Container(Layer):
    """A layer made of layers (``children``, a dict name -> layer), as PyTorch's ``nn.Module``.

    ``params`` and ``grads`` are flat dicts named ``"<child>.<key>"`` (``"0.W"``, ``"attn.Wq"``)
    built on every access from the children's own dicts, so they share memory with the children's
    arrays; they are read-only (a container has no parameters of its own to assign). ``train``,
    ``eval`` and ``zero_grad`` reach every child. Subclasses call ``super().__init__()`` and
    set ``self.children`` (or, as ``Sequential``, define it as a property).
    """

    def __init__(self):  # not Layer.__init__: no params/grads dicts of its own to fill
        self.training = True

    @property
    def params(self):
        return {f"{name}.{k}": v for name, child in self.children.items()
                for k, v in child.params.items()}

    @property
    def grads(self):
        return {f"{name}.{k}": v for name, child in self.children.items()
                for k, v in child.grads.items()}

    def train(self, mode=True):
        super().train(mode)
        for child in self.children.values():
            child.train(mode)
        return self

    def zero_grad(self):
        for child in self.children.values():
            child.zero_grad()

    def parameters(self):
        return [pair for child in self.children.values() for pair in child.parameters()]


class Sequential(Container):
    """Layers applied one after another; ``backward`` runs them in reverse.

    ``params`` and ``grads`` are flat dicts named ``"<index>.<name>"`` (``"0.W"``, ``"0.b"``, ...)
    that share memory with the layers' own arrays, as PyTorch's ``state_dict`` keys do.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"Sequential: item {i} should be a Layer, got "
                                 f"{type(layer).__name__}")
        self.layers = list(layers)

    @property
    def children(self):
        return {str(i): layer for i, layer in enumerate(self.layers)}

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def __iter__(self):
        return iter(self.layers)

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __repr__(self):
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"
