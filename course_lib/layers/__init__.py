"""Layers under one contract, from the perceptron to attention.

A layer has ``forward(x)`` (returns the output and keeps what ``backward`` needs), ``backward(dout)``
(returns ``dL/dx``, writes ``dL/dp`` into ``grads`` in place, never modifies ``dout``), ``params``
and ``grads`` (dicts of arrays with the same keys and shapes), and a train/eval mode.

The layers live in modules by topic and are all importable from here
(``from course_lib.layers import Dense``):

- ``core``  the ``Layer`` contract, ``Dense``, the activation layers, ``Softmax``, ``Sequential``
"""

from .core import (ELU, GELU, Dense, Identity, Layer, LeakyReLU, ReLU, Sequential, Sigmoid,
                   Softmax, Tanh, check_shape)

__all__ = ["Layer", "Dense", "Identity", "Sigmoid", "Tanh", "ReLU", "GELU", "LeakyReLU", "ELU",
           "Softmax", "Sequential", "check_shape"]
