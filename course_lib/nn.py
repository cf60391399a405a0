"""A small neural network made of autograd ``Value``s: ``Neuron``, ``NeuronLayer``, ``MLP``.

The scalar version of ``layers.Dense`` + an activation, as micrograd's ``nn.py``: slow (one Python
object per number) but every gradient can be read off the graph. The engine is
:mod:`course_lib.autograd`; ``MLP.set_weights`` and ``MLP.weight_grads`` move weights and
gradients to and from ``Dense``'s (D_in, D_out) layout, to compare the two.
"""

import numpy as np

from .autograd import Value

__all__ = ["Neuron", "NeuronLayer", "MLP"]


class Neuron:
    """``act(sum_i w_i x_i + b)`` on Values; ``act`` is ``"tanh"``, ``"relu"`` or ``"linear"``."""

    def __init__(self, n_inputs, act="tanh", *, rng=None):
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
    """``n_outputs`` neurons reading the same inputs (``layers.Dense`` + an activation)."""

    def __init__(self, n_inputs, n_outputs, act="tanh", *, rng=None):
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
        """Copy ``[(W, b), ...]``, ``W`` (D_in, D_out) as in ``layers.Dense``, into the neurons."""
        for layer, (W, b) in zip(self.layers, weights):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = float(W[i][j])
                neuron.b.data = float(b[j])

    def weight_grads(self):
        """The gradients as ``[(dW, db), ...]`` arrays shaped like ``layers.Dense``'s."""
        grads = []
        for layer in self.layers:
            dW = np.array([[n.w[i].grad for n in layer.neurons]
                           for i in range(len(layer.neurons[0].w))])      # (D_in, D_out)
            grads.append((dW, np.array([n.b.grad for n in layer.neurons])))
        return grads

    def __repr__(self):
        dims = [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]
        return f"MLP({' -> '.join(map(str, dims))}, {len(self.parameters())} parameters)"
