"""Weight initialization with PyTorch's formulas (``torch.nn.init``), as plain functions.

Why the scale matters: a unit of a layer sums ``fan_in`` products ``w * x``. With independent
weights of variance ``s**2`` and inputs of variance ``v``, the sum has variance
``fan_in * s**2 * v``; keeping the signal's variance from layer to layer needs
``s**2 = 1 / fan_in``, times a ``gain**2`` that undoes what the activation does to the variance
(ReLU zeroes half its inputs, so He/Kaiming use ``gain**2 = 2``). Xavier/Glorot average the
forward (``fan_in``) and backward (``fan_out``) conditions: ``s**2 = 2 / (fan_in + fan_out)``.

=================  ==========================  ===================================
function           distribution                scale
=================  ==========================  ===================================
xavier_uniform     U(-a, a)                    a = gain * sqrt(6 / (fan_in + fan_out))
xavier_normal      N(0, std**2)                std = gain * sqrt(2 / (fan_in + fan_out))
kaiming_uniform    U(-bound, bound)            bound = gain * sqrt(3 / fan)
kaiming_normal     N(0, std**2)                std = gain / sqrt(fan)
=================  ==========================  ===================================

Each takes a ``shape`` and an ``rng`` (an int seed or a ``np.random.Generator``) and returns a new
float64 array. Fans, from the shape (see ``fans``):

- 2-D ``(D_in, D_out)``: OUR ``Dense`` layout, ``fan_in = D_in``, ``fan_out = D_out``. PyTorch's
  ``nn.Linear`` weight is the transpose, ``(D_out, D_in)``, so ``torch.nn.init`` reads a 2-D shape
  the other way round; the numbers for a given layer are the same.
- 3-D and more ``(out_channels, in_channels, *kernel)``: PyTorch's convolution layout,
  ``fan_in = in_channels * prod(kernel)``, ``fan_out = out_channels * prod(kernel)``.
"""

import math

import numpy as np

_LINEAR = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
           "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for an activation, as ``torch.nn.init.calculate_gain``.

    ``linear``/``identity``/``conv*``/``sigmoid``: 1; ``tanh``: 5/3; ``relu``: sqrt(2);
    ``leaky_relu``: sqrt(2 / (1 + negative_slope**2)) with ``param`` the slope (default 0.01);
    ``selu``: 3/4.
    """
    if not isinstance(nonlinearity, str):
        raise TypeError("calculate_gain: nonlinearity must be a string, got "
                        f"{type(nonlinearity).__name__}")
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif _is_number(param):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
                     f"{', '.join(_LINEAR + ('tanh', 'relu', 'leaky_relu', 'selu'))}")


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_shape(shape, name):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{name}: shape must be a tuple of ints, "
                        f"got {type(shape).__name__}") from None
    if len(shape) < 2:
        raise ValueError(f"{name}: fan in and fan out need a shape with at least 2 dimensions, "
                         f"got {shape}")
    if min(shape) < 0:
        raise ValueError(f"{name}: shape must not have negative sizes, got {shape}")
    return shape


def fans(shape):
    """``(fan_in, fan_out)`` of a weight of this shape (2-D: our ``(D_in, D_out)``; more: conv's
    ``(out_channels, in_channels, *kernel)``)."""
    shape = _check_shape(shape, "fans")
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(shape, mode, name):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{name}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"{name}: cannot initialize a weight with a zero {mode}, "
                         f"shape {tuple(shape)}")
    return fan


def _check_gain(gain, name):
    if not _is_number(gain):
        raise TypeError(f"{name}: gain must be a number, got {type(gain).__name__}")
    return float(gain)


def xavier_uniform(shape, *, gain=1.0, rng=None):
    """Glorot/Xavier uniform: ``U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``; variance
    ``gain**2 * 2 / (fan_in + fan_out)``. ``torch.nn.init.xavier_uniform_``."""
    shape = _check_shape(shape, "xavier_uniform")
    gain = _check_gain(gain, "xavier_uniform")
    fan_in, fan_out = fans(shape)
    if fan_in + fan_out == 0:
        raise ValueError(f"xavier_uniform: cannot initialize a weight of shape {shape}")
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(rng).uniform(-a, a, shape)


def xavier_normal(shape, *, gain=1.0, rng=None):
    """Glorot/Xavier normal: ``N(0, std**2)``, ``std = gain * sqrt(2 / (fan_in + fan_out))``.
    ``torch.nn.init.xavier_normal_``."""
    shape = _check_shape(shape, "xavier_normal")
    gain = _check_gain(gain, "xavier_normal")
    fan_in, fan_out = fans(shape)
    if fan_in + fan_out == 0:
        raise ValueError(f"xavier_normal: cannot initialize a weight of shape {shape}")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return np.random.default_rng(rng).normal(0.0, std, shape)


def kaiming_uniform(shape, *, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He/Kaiming uniform: ``U(-bound, bound)``, ``bound = gain * sqrt(3 / fan)`` with
    ``gain = calculate_gain(nonlinearity, a)`` (``a``: the leaky-ReLU slope; with PyTorch's defaults
    ``a=0``, ``"leaky_relu"`` the gain is sqrt(2), as for ReLU). ``mode="fan_in"`` keeps the
    forward signal's variance, ``"fan_out"`` the backward gradient's.
    ``torch.nn.init.kaiming_uniform_``.
    """
    shape = _check_shape(shape, "kaiming_uniform")
    fan = _fan(shape, mode, "kaiming_uniform")
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return np.random.default_rng(rng).uniform(-bound, bound, shape)


def kaiming_normal(shape, *, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He/Kaiming normal: ``N(0, std**2)``, ``std = gain / sqrt(fan)`` (arguments as
    ``kaiming_uniform``). For ReLU and ``fan_in``: ``std = sqrt(2 / fan_in)``.
    ``torch.nn.init.kaiming_normal_``."""
    shape = _check_shape(shape, "kaiming_normal")
    fan = _fan(shape, mode, "kaiming_normal")
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return np.random.default_rng(rng).normal(0.0, std, shape)


def _he(shape, *, rng=None):
    # Dense's historical default N(0, 2 / D_in), written as it always was so that the numbers stay
    # bit for bit (sqrt(2) / sqrt(n) can differ from sqrt(2 / n) in the last bit)
    shape = _check_shape(shape, "he")
    return np.random.default_rng(rng).normal(0.0, np.sqrt(2.0 / fans(shape)[0]), shape)


#: names ``Dense(..., init=NAME)`` accepts; each maps to ``f(shape, *, rng) -> array``
INITIALIZERS = {
    "he": _he,
    "kaiming_normal": kaiming_normal,
    "kaiming_uniform": kaiming_uniform,
    "he_uniform": kaiming_uniform,
    "xavier": xavier_normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot": xavier_normal,
}


def get_initializer(init):
    """An initializer from a name in ``INITIALIZERS`` or a callable ``f(shape, *, rng)``."""
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError("init must be a name or a callable f(shape, rng=rng), "
                        f"got {type(init).__name__}")
    if init not in INITIALIZERS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(INITIALIZERS)} or a "
                         "callable f(shape, rng=rng)")
    return INITIALIZERS[init]
