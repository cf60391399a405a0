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


def _windows(x, kernel, stride):
    """Every (kh, kw) window of x (N, C, H, W) as a view (N, C, Ho, Wo, kh, kw)."""
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, ::stride[0], ::stride[1]]


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

    Forward is one matrix product ``W_mat @ cols``: ``W_mat`` is W reshaped to
    (C_out, C_in*kh*kw) and ``cols`` (C_in*kh*kw, N*H_out*W_out) holds one window per column.
    Backward (derived in chapter 07), with ``d`` = dout as (C_out, N*H_out*W_out):
    ``dW = d @ cols^T`` (the input correlated with ``dout``), ``db = d.sum(1)``, and
    ``dcols = W_mat^T @ d`` added back window by window into ``dx``: a full convolution of
    ``dout`` with the flipped kernel.
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
        ph, pw = self.padding
        self._out_hw = ho, wo = _output_hw("Conv2d", x.shape, self.kernel_size, self.stride,
                                           self.padding)
        if ph or pw:
            xp = np.zeros((n, c_in, h + 2 * ph, w + 2 * pw))
            xp[:, :, ph:ph + h, pw:pw + w] = x
            x = xp
        win = _windows(x, self.kernel_size, self.stride)            # (N, C_in, Ho, Wo, kh, kw) view
        # im2col: one column per output pixel (n, y, x), one row per weight (c, i, j); the copy
        # happens here, once, and backward reuses it for dW
        self._cols = win.transpose(1, 4, 5, 0, 2, 3).reshape(-1, n * ho * wo)
        c_out = self.out_channels
        out = self.params["W"].reshape(c_out, -1) @ self._cols + self.params["b"][:, None]
        return out.reshape(c_out, n, ho, wo).transpose(1, 0, 2, 3)  # (N, C_out, Ho, Wo)

    def backward(self, dout):
        if not hasattr(self, "_cols"):
            raise RuntimeError("Conv2d.backward: call forward first")
        n, c_in, h, w = self._x_shape
        (ho, wo), c_out = self._out_hw, self.out_channels
        kh, kw = self.kernel_size
        ph, pw = self.padding
        dout = _check_dout("Conv2d", dout, (n, c_out, ho, wo))
        d = dout.transpose(1, 0, 2, 3).reshape(c_out, -1)           # (C_out, N*Ho*Wo)
        self.grads["W"][...] = (d @ self._cols.T).reshape(self.params["W"].shape)
        self.grads["b"][...] = d.sum(axis=1)
        dcols = (self.params["W"].reshape(c_out, -1).T @ d).reshape(c_in, kh, kw, n, ho, wo)
        dx = np.zeros((c_in, n, h + 2 * ph, w + 2 * pw))             # channels first, like dcols
        for i in range(kh):        # one strided slice per kernel offset; overlaps add up
            for j in range(kw):
                dx[_offset_slice(i, j, (ho, wo), self.stride)] += dcols[:, i, j]
        return dx[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3)  # (N, C_in, H, W)

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
        self._x_shape = x.shape
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
    their gradients. Forward scans the kh*kw offsets keeping a running maximum and the offset
    that holds it.
    """

    def forward(self, x):
        x = self._input(x)
        offsets = self._offsets()
        out = x[offsets[0]].copy()                     # running maximum, starts at offset (0, 0)
        self._argmax = np.zeros(out.shape, dtype=np.intp)  # which offset holds it (row-major index)
        for k, where in enumerate(offsets[1:], start=1):
            better = x[where] > out                    # strictly greater: a tie keeps the first
            np.copyto(out, x[where], where=better)
            self._argmax[better] = k
        return out

    def backward(self, dout):
        dout = self._dout(dout)
        dx = np.zeros(self._x_shape)
        for k, where in enumerate(self._offsets()):    # the winners at offset k get their dout
            dx[where] += dout * (self._argmax == k)
        return dx


class AvgPool2d(_Pool2d):
    """Mean over each kh x kw window: x (N, C, H, W) -> (N, C, H_out, W_out), no parameters.

    ``H_out = (H - kh) // sh + 1``; ``stride`` defaults to ``kernel_size``. Backward spreads each
    window's gradient evenly, ``dout / (kh * kw)`` to every input in it (overlaps add up).
    """

    def forward(self, x):
        x = self._input(x)
        return _windows(x, self.kernel_size, self.stride).mean(axis=(4, 5))

    def backward(self, dout):
        dout = self._dout(dout)
        kh, kw = self.kernel_size
        share = dout / (kh * kw)
        dx = np.zeros(self._x_shape)
        for where in self._offsets():
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
