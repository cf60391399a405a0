"""Layers under one contract, from the perceptron to attention.

A layer has ``forward(x)`` (returns the output and keeps what ``backward`` needs),
``backward(dout)`` (returns ``dL/dx``, writes ``dL/dp`` into ``grads`` in place, never modifies
``dout``), ``params`` and ``grads`` (dicts of arrays with the same keys and shapes), and a
train/eval mode.

The layers live in modules by topic and are all importable from here
(``from course_lib.layers import Dense``):

- ``core``  the ``Layer`` contract, ``Dense``, the activation layers, ``Softmax``, ``Container``
  (a layer made of layers), ``Sequential``
- ``conv``  ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten`` (NCHW images, im2col)
- ``dropout``  ``Dropout`` (inverted dropout; identity in eval mode)
- ``norm``  ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm`` (PyTorch's running-statistics
  convention)
- ``attention``  ``Embedding``, ``PositionalEncoding``, ``scaled_dot_product_attention``,
  ``MultiHeadAttention``, ``TransformerBlock`` (sequences (N, T, D))
"""

from .attention import (
    Embedding,
    MultiHeadAttention,
    PositionalEncoding,
    TransformerBlock,
    attention_backward,
    causal_mask,
    merge_heads,
    scaled_dot_product_attention,
    split_heads,
)
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d, conv_output_size
from .core import (
    ELU,
    GELU,
    Container,
    Dense,
    Identity,
    Layer,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    check_shape,
)
from .dropout import Dropout
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm

__all__ = ["Layer", "Container", "Dense", "Identity", "Sigmoid", "Tanh", "ReLU", "GELU",
           "LeakyReLU", "ELU", "Softmax", "Sequential", "check_shape",
           "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "conv_output_size", "Dropout",
           "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "Embedding", "PositionalEncoding", "scaled_dot_product_attention", "attention_backward",
           "causal_mask", "split_heads", "merge_heads", "MultiHeadAttention", "TransformerBlock"]
