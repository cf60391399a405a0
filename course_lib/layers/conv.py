"""Convolution and pooling on NCHW images: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``.

All of them follow PyTorch's conventions: images are (N, C, H, W), a kernel is
(out_channels, in_channels, kh, kw), a pool's ``stride`` defaults to its ``kernel_size``, and
the output size along one axis is ``(H + 2 * padding - kh) // stride + 1``.

How it is vectorized (no loop over pixels, no compiled code):

- forward: ``sliding_window_view`` gives every kh x kw window as a view (no copy); one reshape
  lays them out as the rows of a matrix ("im2col", the single copy) and a convolution becomes
  one matrix product with the kernel reshaped to (C_in * kh * kw, C_out).
- backward: ``dW`` and ``dcols`` are again matrix products; putting ``dcols`` back into the
  image is a loop over the kh * kw kernel offsets, each adding a strided slice at once.
  Windows that overlap (stride < kernel) add up there, as the chain rule says they must.
- memory layout: the arrays you get are NCHW, but ``Conv2d`` returns them as a transposed view of
  memory ordered (H, W, N, C), and the pools keep whatever order they are given. A strided slice
  ``x[:, :, i::s, j::s]`` then moves long contiguous runs of N*C numbers instead of runs of one
  or two, which makes the offset loops and the im2col copy several times faster. Only
  speed depends on it: any NCHW array (C-ordered or not) gives the same numbers.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .core import Layer, check_shape

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "conv_output_size"]


def _pair(owner, name, value, minimum):
    """``value`` (an int or a pair of ints) as a tuple ``(h, w)``, each ``>= minimum``."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2:
        raise ValueError(f"{owner}: {name} must be an int or a pair (h, w), got {value!r}")
    for v in items:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{owner}: {name} must be an int or a pair of ints, got {value!r}")
        if v < minimum:
            raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def conv_output_size(size, kernel, stride=1, padding=0):
    """Output length along one axis: ``(size + 2 * padding - kernel) // stride + 1``.

    The window starts at ``0, stride, 2 * stride, ...`` of the padded input and must fit in it
    whole, so the last few rows are skipped when the stride does not divide evenly (PyTorch's
    ``floor`` rounding). Raises ``ValueError`` when even one window does not fit.
    """
    padded = size + 2 * padding
    if padded < kernel:
        raise ValueError(f"the input is too small: size + 2 * padding = {padded} is smaller than "
                         f"the kernel ({kernel})")
    return (padded - kernel) // stride + 1


def _offset_slice(i, j, out_hw, stride):
    """The pixels kernel offset (i, j) touches in every window: a strided slice of the input."""
    (ho, wo), (sh, sw) = out_hw, stride
    return (slice(None), slice(None), slice(i, i + sh * (ho - 1) + 1, sh),
            slice(j, j + sw * (wo - 1) + 1, sw))


def _image_input(owner, x, channels="C"):
    x = check_shape(x, ("N", channels, "H", "W"), f"{owner} input")
    return np.asarray(x, dtype=np.float64)


def _output_hw(owner, x_shape, kernel, stride, padding=(0, 0)):
    try:
        return (conv_output_size(x_shape[2], kernel[0], stride[0], padding[0]),
                conv_output_size(x_shape[3], kernel[1], stride[1], padding[1]))
    except ValueError:
        raise ValueError(f"{owner} input: expected H + 2*padding >= {kernel[0]} and "
                         f"W + 2*padding >= {kernel[1]} (kernel {kernel}, padding {padding}), "
                         f"got shape {tuple(x_shape)}") from None


def _check_dout(owner, dout, shape):
    dout = check_shape(dout, shape, f"{owner}.backward dout")
    return np.asarray(dout, dtype=np.float64)


class Conv2d(Layer):
    """2-D convolution (cross-correlation, as in every framework) with a bias per output channel.

    ``out[n, o, y, x] = b[o] + sum_{c, i, j} W[o, c, i, j] * xpad[n, c, y*sh + i, x*sw + j]``

    Shapes: x (N, C_in, H, W) -> out (N, C_out, H_out, W_out) with
    ``H_out = (H + 2 * ph - kh) // sh + 1`` (same for W); W (C_out, C_in, kh, kw); b (C_out,).
    ``kernel_size``, ``stride`` and ``padding`` (zeros on every side) are an int or a pair (h, w).
    Initialisation is PyTorch's default: W and b uniform in ``±1 / sqrt(C_in * kh * kw)``
    (``kaiming_uniform_(a=sqrt(5))`` works out to that bound).

    Forward is one matrix product ``cols @ W_mat^T``: ``cols`` (H_out*W_out*N, kh*kw*C_in) holds
    one window per row and ``W_mat`` is W as (C_out, kh*kw*C_in). Backward (derived in chapter
    07), with ``d`` = dout as (H_out*W_out*N, C_out): ``dW = d^T @ cols`` (the input correlated
    with ``dout``), ``db = d.sum(0)``, and ``dcols = d @ W_mat`` added back window by window
    into ``dx``: a full convolution of ``dout`` with the flipped kernel.
    """

    def __init__(self, in_channels, out_channels, kernel_size, *, stride=1, padding=0, rng=None):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"Conv2d: {name} must be an int, got {value!r}")
            if value < 1:
                raise ValueError(f"Conv2d: {name} must be >= 1, got {value!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair("Conv2d", "kernel_size", kernel_size, 1)
        self.stride = _pair("Conv2d", "stride", stride, 1)
        self.padding = _pair("Conv2d", "padding", padding, 0)
        rng = np.random.default_rng(rng)
        kh, kw = self.kernel_size
        bound = 1.0 / np.sqrt(self.in_channels * kh * kw)
        shape = (self.out_channels, self.in_channels, kh, kw)
        self.params = {"W": rng.uniform(-bound, bound, shape),
                       "b": rng.uniform(-bound, bound, self.out_channels)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        x = _image_input("Conv2d", x, self.in_channels)
        n, c_in, h, w = self._x_shape = x.shape
        (ph, pw), (sh, sw), c_out = self.padding, self.stride, self.out_channels
        self._out_hw = ho, wo = _output_hw("Conv2d", x.shape, self.kernel_size, self.stride,
                                           self.padding)
        # zero-padded copy, stored (H, W, N, C): see "memory layout" in the module docstring
        xp = np.zeros((h + 2 * ph, w + 2 * pw, n, c_in))
        xp[ph:ph + h, pw:pw + w] = x.transpose(2, 3, 0, 1)
        win = sliding_window_view(xp, self.kernel_size, axis=(0, 1))[::sh, ::sw]
        # win: (Ho, Wo, N, C_in, kh, kw), a view. im2col: one row per output pixel (y, x, n), one
        # column per weight (i, j, c); this reshape is the one copy, and backward reuses it
        self._cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(ho * wo * n, -1)
        # W as (kh*kw*C_in, C_out), rows (i, j, c) like cols' columns; a contiguous copy and an
        # in-place bias add measured ~2x faster than `cols @ w_mat.T + b` on the 1-channel input
        w_t = np.ascontiguousarray(self.params["W"].transpose(2, 3, 1, 0).reshape(-1, c_out))
        out = self._cols @ w_t                                              # (Ho*Wo*N, C_out)
        out += self.params["b"]
        return out.reshape(ho, wo, n, c_out).transpose(2, 3, 0, 1)          # (N, C_out, Ho, Wo)

    def backward(self, dout):
        if not hasattr(self, "_cols"):
            raise RuntimeError("Conv2d.backward: call forward first")
        n, c_in, h, w = self._x_shape
        (ho, wo), c_out = self._out_hw, self.out_channels
        (kh, kw), (ph, pw), (sh, sw) = self.kernel_size, self.padding, self.stride
        dout = _check_dout("Conv2d", dout, (n, c_out, ho, wo))
        d = dout.transpose(2, 3, 0, 1).reshape(-1, c_out)           # (Ho*Wo*N, C_out), like out
        dw = (d.T @ self._cols).reshape(c_out, kh, kw, c_in)         # dL/dW = dout^T cols
        self.grads["W"][...] = dw.transpose(0, 3, 1, 2)
        self.grads["b"][...] = d.sum(axis=0)
        w_mat = self.params["W"].transpose(0, 2, 3, 1).reshape(c_out, -1)
        dcols = (d @ w_mat).reshape(ho, wo, n, kh, kw, c_in)        # dL/dcols = dout W
        dx = np.zeros((h + 2 * ph, w + 2 * pw, n, c_in))             # (H, W, N, C) like xp
        for i in range(kh):        # one strided slice per kernel offset; overlaps add up
            for j in range(kw):
                dx[i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += dcols[:, :, :, i, j]
        return dx[ph:ph + h, pw:pw + w].transpose(2, 3, 0, 1)       # (N, C_in, H, W)

    def __repr__(self):
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding})")


class _Pool2d(Layer):
    """Shared set-up of the pools: no parameters, ``stride`` defaults to ``kernel_size``."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _pair(name, "kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else _pair(name, "stride", stride, 1)

    def _input(self, x):
        x = _image_input(type(self).__name__, x)
        self._x, self._x_shape = x, x.shape
        self._out_hw = _output_hw(type(self).__name__, x.shape, self.kernel_size, self.stride)
        return x

    def _offsets(self):
        """One index per kernel offset (i, j), in row-major order: ``x[index]`` is the pixel at
        offset (i, j) of every window at once, a strided view of shape (N, C, H_out, W_out)."""
        kh, kw = self.kernel_size
        return [_offset_slice(i, j, self._out_hw, self.stride)
                for i in range(kh) for j in range(kw)]

    def _dout(self, dout):
        if not hasattr(self, "_x_shape"):
            raise RuntimeError(f"{type(self).__name__}.backward: call forward first")
        return _check_dout(type(self).__name__, dout, self._x_shape[:2] + self._out_hw)

    def __repr__(self):
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride})"


class MaxPool2d(_Pool2d):
    """Max over each kh x kw window: x (N, C, H, W) -> (N, C, H_out, W_out), no parameters.

    ``H_out = (H - kh) // sh + 1``; ``stride`` defaults to ``kernel_size`` (PyTorch's default).
    Backward routes each window's gradient to the input that won it; the others get 0. A tie goes
    to the first maximum in the window's row-major order (``argmax``'s rule, and PyTorch's on CPU),
    so exactly one input per window receives the gradient (NaNs get no special treatment). With
    overlapping windows (stride < kernel) an input that wins several windows collects the sum of
    their gradients. Forward keeps, per kernel offset, a boolean map of the windows it wins.
    """

    def forward(self, x):
        x = self._input(x)
        views = [x[where] for where in self._offsets()]   # kh*kw strided views (N, C, Ho, Wo)
        out = views[0].copy(order="K")                 # running maximum, in x's memory order
        for view in views[1:]:
            np.maximum(out, view, out=out)
        self._winner = [view == out for view in views]  # every maximum of its window...
        taken = self._winner[0].copy()
        for winner in self._winner[1:]:                # ...but a tie goes to the first one only
            winner &= ~taken
            taken |= winner
        return out

    def backward(self, dout):
        dout = self._dout(dout)
        dx = np.zeros_like(self._x)                    # zeros in x's memory order
        for where, winner in zip(self._offsets(), self._winner):  # offset k's winners get dout
            dx[where] += dout * winner
        return dx


class AvgPool2d(_Pool2d):
    """Mean over each kh x kw window: x (N, C, H, W) -> (N, C, H_out, W_out), no parameters.

    ``H_out = (H - kh) // sh + 1``; ``stride`` defaults to ``kernel_size``. Backward spreads each
    window's gradient evenly, ``dout / (kh * kw)`` to every input in it (overlaps add up).
    """

    def forward(self, x):
        x = self._input(x)
        offsets = self._offsets()
        out = x[offsets[0]].copy(order="K")
        for where in offsets[1:]:
            out += x[where]
        return out / len(offsets)

    def backward(self, dout):
        dout = self._dout(dout)
        offsets = self._offsets()
        share = dout / len(offsets)
        dx = np.zeros_like(self._x)
        for where in offsets:
            dx[where] += share
        return dx


class Flatten(Layer):
    """(N, d_1, ..., d_k) -> (N, d_1 * ... * d_k), as PyTorch's ``nn.Flatten()`` (start_dim=1)."""

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim < 2:
            raise ValueError(f"Flatten input: expected shape (N, ...) with at least 2 axes, got "
                             f"{tuple(x.shape)}")
        self._x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        if not hasattr(self, "_x_shape"):
            raise RuntimeError("Flatten.backward: call forward first")
        n = self._x_shape[0]
        dout = _check_dout("Flatten", dout, (n, int(np.prod(self._x_shape[1:]))))
        return dout.reshape(self._x_shape)

    def __repr__(self):
        return "Flatten()"
