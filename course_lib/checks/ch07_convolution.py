"""Checkers for chapter 07 · Convolution and pooling: tables on the engine of :mod:`.core`.

Every table runs the learner's function on non-square images, kernels and strides (a transposed
loop or a forgotten stride shows up), compares with ``course_lib.layers`` (the reference), and
names the typical mistakes by running them on the same inputs.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..layers import AvgPool2d, Conv2d, MaxPool2d
from .core import Case, table

__all__ = ["conv_output_size", "conv2d_single", "conv2d_im2col", "maxpool2d",
           "maxpool2d_backward", "avgpool2d", "avgpool2d_backward"]


def _rng(seed):
    return np.random.default_rng(seed)


# -- the output-size formula ---------------------------------------------------------------------
def _size(H, k, stride, padding):
    return (H + 2 * padding - k) // stride + 1


conv_output_size = table(
    "conv_output_size", _size,
    cases=[Case(8, 3, 1, 0), Case(8, 3, 1, 1), Case(8, 3, 2, 1), Case(7, 3, 2, 0),
           Case(6, 4, 3, 0), Case(5, 5, 1, 0), Case(1, 3, 1, 1), Case(28, 5, 2, 2)],
    mistakes={
        "count the first window too: (H + 2*padding - k) // stride + 1, with the + 1":
            lambda H, k, stride, padding: (H + 2 * padding - k) // stride,
        "padding adds zeros on both sides: H + 2*padding, not H + padding":
            lambda H, k, stride, padding: (H + padding - k) // stride + 1,
        "use floor division //: a window that does not fit entirely is dropped (and the size is "
        "an int)": lambda H, k, stride, padding: (H + 2 * padding - k) / stride + 1,
        "the stride divides the distance the window can travel, H + 2*padding - k, before the + 1":
            lambda H, k, stride, padding: (H + 2 * padding - k + 1) // stride,
        "you ignored the stride: with stride s the window jumps s pixels at a time":
            lambda H, k, stride, padding: H + 2 * padding - k + 1,
        "windows must fit entirely: round down (//), not up (PyTorch's default, ceil_mode=False)":
            lambda H, k, stride, padding: -(-(H + 2 * padding - k) // stride) + 1,
        "the kernel takes k - 1 pixels off, not k + 1: (H + 2*padding - k) // stride + 1":
            lambda H, k, stride, padding: (H + 2 * padding - k - 2) // stride + 1,
    },
    correct=[lambda H, k, stride, padding: (H + 2 * padding - k) // stride + 1,
             lambda H, k, stride, padding: int(np.floor((H + 2 * padding - k) / stride)) + 1,
             lambda H, k, stride, padding: len(range(0, H + 2 * padding - k + 1, stride))],
    dtype="number",
    hint="H_out = (H + 2 * padding - k) // stride + 1; (8, 3, 1, 1) -> 8, (8, 3, 2, 1) -> 4",
    summary="padding, stride and floor rounding")


# -- a naive single-channel convolution -----------------------------------------------------------
def _single(image, kernel):
    conv = Conv2d(1, 1, kernel.shape)
    conv.params["W"][...] = kernel
    conv.params["b"][...] = 0.0
    return conv.forward(image[None, None])[0, 0]


def _single_loops(image, kernel, flip=False, reduce=np.sum, extra=0, separate=False):
    kh, kw = kernel.shape
    H, W = image.shape
    k = kernel[::-1, ::-1] if flip else kernel
    out = np.zeros((H - kh + 1 + extra, W - kw + 1 + extra))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            window = image[r:r + kh, c:c + kw]
            out[r, c] = np.sum(window) * np.sum(k) if separate else reduce(window * k)
    return out


def _single_swapped(image, kernel):
    kw, kh = kernel.shape            # the two sizes read the wrong way round
    H, W = image.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(image[r:r + kh, c:c + kw] * kernel.T)
    return out


def _single_same(image, kernel):
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    return _single_loops(padded, kernel)[:image.shape[0], :image.shape[1]]


def _single_dot_all(image, kernel):
    return np.full((image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1),
                   np.sum(image[:kernel.shape[0], :kernel.shape[1]] * kernel))


_IMG = np.arange(30.0).reshape(5, 6) % 7 - 2
conv2d_single = table(
    "conv2d_single", _single,
    cases=[Case(np.arange(9.0).reshape(3, 3), np.array([[1.0, 0], [0, -1]])),
           Case(_IMG, np.array([[1.0, 2, 0], [0, -1, 1]]),
                what="conv2d_single(5x6 image, 2x3 kernel)"),
           Case(_rng(0).normal(size=(7, 5)), _rng(1).normal(size=(3, 2)),
                what="conv2d_single(random 7x5 image, random 3x2 kernel)"),
           Case(_rng(2).normal(size=(4, 4)), _rng(3).normal(size=(4, 4)),
                what="conv2d_single(4x4 image, 4x4 kernel) -> one pixel")],
    mistakes={
        "you flipped the kernel (the textbook convolution); deep learning's 'convolution' is the "
        "cross-correlation: sum(image[r:r+kh, c:c+kw] * kernel), no flip":
            lambda image, kernel: _single_loops(image, kernel, flip=True),
        "the output has H - kh + 1 rows and W - kw + 1 columns: the last window starts at H - kh":
            lambda image, kernel: _single_loops(image, kernel, extra=-1),
        "np.mean of the window is the blur, not the convolution: use np.sum(window * kernel)":
            lambda image, kernel: _single_loops(image, kernel, reduce=np.mean),
        "rows and columns are swapped somewhere: the window is image[r:r + kh, c:c + kw], r over "
        "rows (kh), c over columns (kw)": _single_swapped,
        "no padding in this exercise ('valid' convolution): the output is smaller than the image":
            _single_same,
        "every output pixel needs its own window: slide it, image[r:r + kh, c:c + kw]":
            _single_dot_all,
        "multiply element by element, then add: np.sum(window * kernel), not "
        "np.sum(window) * np.sum(kernel)":
            lambda image, kernel: _single_loops(image, kernel, separate=True),
    },
    correct=[lambda image, kernel: _single_loops(image, kernel),
             lambda image, kernel: np.einsum("rcij,ij->rc",
                                             sliding_window_view(image, kernel.shape), kernel)],
    hint="out[r, c] = np.sum(image[r:r + kh, c:c + kw] * kernel) for r < H - kh + 1, "
         "c < W - kw + 1",
    summary="non-square images and kernels")


# -- the vectorized (im2col) forward --------------------------------------------------------------
def _conv(x, W, b, stride=1, padding=0):
    conv = Conv2d(W.shape[1], W.shape[0], W.shape[2:], stride=stride, padding=padding)
    conv.params["W"][...] = W
    conv.params["b"][...] = b
    return conv.forward(x)


def _im2col_variant(x, W, b, stride=1, padding=0, *, bias=True, order=(0, 2, 3, 1, 4, 5),
                    w_wrong=False, stride_used=True, pad_one_side=False, back=True):
    C_out, C, kh, kw = W.shape
    if pad_one_side:
        xp = np.pad(x, ((0, 0), (0, 0), (padding, 0), (padding, 0)))
    else:
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))
    if stride_used:
        win = win[:, :, ::stride, ::stride]
    N, _, Ho, Wo = win.shape[:4]
    cols = win.transpose(*order).reshape(N * Ho * Wo, C * kh * kw)
    w_mat = W.reshape(C * kh * kw, C_out) if w_wrong else W.reshape(C_out, -1).T
    out = cols @ w_mat + (b if bias else 0.0)
    out = out.reshape(N, Ho, Wo, C_out)
    return out.transpose(0, 3, 1, 2) if back else out


def _im2col_einsum(x, W, b, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(xp, W.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("nchwij,ocij->nohw", win, W) + b[None, :, None, None]


def _conv_case(seed, n, c, h, w, c_out, kh, kw, stride, padding):
    r = _rng(seed)
    return Case(r.normal(size=(n, c, h, w)), r.normal(size=(c_out, c, kh, kw)),
                r.normal(size=c_out), stride, padding,
                what=f"conv2d_im2col(x {(n, c, h, w)}, W {(c_out, c, kh, kw)}, b, "
                     f"stride={stride}, padding={padding})")


conv2d_im2col = table(
    "conv2d_im2col", _conv,
    cases=[_conv_case(0, 2, 1, 5, 5, 2, 3, 3, 1, 0), _conv_case(1, 3, 2, 6, 5, 4, 3, 2, 1, 1),
           _conv_case(2, 2, 3, 7, 8, 2, 3, 3, 2, 1), _conv_case(3, 4, 2, 6, 6, 3, 2, 2, 2, 0),
           _conv_case(4, 2, 3, 5, 7, 5, 1, 3, 1, 2)],
    mistakes={
        "the bias is missing: add b (shape (C_out,)), broadcast over every output pixel":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, padding,
                                                                 bias=False),
        "each row of cols must list one window's numbers in W's order (c, i, j): transpose the "
        "window view to (N, Ho, Wo, C, kh, kw) before the reshape":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, padding,
                                                                 order=(0, 2, 3, 4, 5, 1)),
        "W.reshape(C*kh*kw, C_out) scrambles the filters: reshape to (C_out, C*kh*kw), then .T":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, padding,
                                                                 w_wrong=True),
        "you ignored the stride: keep every stride-th window, win[:, :, ::stride, ::stride]":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, padding,
                                                                 stride_used=False),
        "you forgot the padding: np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, "
        "padding))) before taking the windows":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, 0),
        "pad both sides of H and W: np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, padding,
                                                                 pad_one_side=True),
        "the result must be NCHW (N, C_out, Ho, Wo): reshape to (N, Ho, Wo, C_out), then "
        ".transpose(0, 3, 1, 2)":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, padding,
                                                                 back=False),
        "reshaping (N, Ho, Wo, C_out) straight to (N, C_out, Ho, Wo) mixes pixels and channels: "
        "transpose instead":
            lambda x, W, b, stride=1, padding=0: _im2col_variant(
                x, W, b, stride, padding, back=False).reshape(
                x.shape[0], W.shape[0], *_im2col_variant(x, W, b, stride, padding).shape[2:]),
    },
    correct=[lambda x, W, b, stride=1, padding=0: _im2col_variant(x, W, b, stride, padding),
             _im2col_einsum],
    hint="windows = sliding_window_view(x_padded, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]; "
         "cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(N*Ho*Wo, -1); "
         "out = cols @ W.reshape(C_out, -1).T + b",
    summary="stride, padding, channels and non-square kernels")


# -- pooling --------------------------------------------------------------------------------------
def _maxpool(x, k, s):
    return MaxPool2d(k, stride=s).forward(x)


def _pool_loops(x, k, s, reduce=np.max, ceil=False, stride_used=True):
    s_ = s if stride_used else 1
    N, C, H, W = x.shape
    Ho = -(-(H - k) // s_) + 1 if ceil else (H - k) // s_ + 1
    Wo = -(-(W - k) // s_) + 1 if ceil else (W - k) // s_ + 1
    out = np.zeros((N, C, Ho, Wo))
    for r in range(Ho):
        for c in range(Wo):
            out[:, :, r, c] = reduce(x[:, :, r * s_:r * s_ + k, c * s_:c * s_ + k], axis=(2, 3))
    return out


def _pool_case(seed, shape, k, s, name, ties=False):
    r = _rng(seed)
    x = r.integers(0, 4, size=shape).astype(float) if ties else r.normal(size=shape)
    return Case(x, k, s, what=f"{name}(x {shape}, k={k}, s={s})")


_POOL_CASES = [("fixed", None), (0, ((1, 1, 4, 4), 2, 2)), (1, ((2, 3, 6, 5), 2, 2)),
               (2, ((2, 2, 7, 7), 3, 2)), (3, ((1, 2, 5, 6), 2, 1)), (4, ((2, 1, 6, 6), 3, 3))]


def _pool_cases(name, ties=False):
    fixed = np.array([[1.0, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]])[None, None]
    cases = [Case(fixed, 2, 2, what=f"{name}(the 4x4 example, k=2, s=2)")]
    cases += [_pool_case(seed, *spec, name, ties) for seed, spec in _POOL_CASES[1:]]
    return cases


maxpool2d = table(
    "maxpool2d", _maxpool,
    cases=_pool_cases("maxpool2d"),
    mistakes={
        "that is the average of each window; max pooling keeps the largest value (np.max)":
            lambda x, k, s: _pool_loops(x, k, s, reduce=np.mean),
        "that is the smallest value of each window: max pooling keeps the largest":
            lambda x, k, s: _pool_loops(x, k, s, reduce=np.min),
        "you ignored the stride: windows start at 0, s, 2s, ...":
            lambda x, k, s: _pool_loops(x, k, s, stride_used=False),
        "a window that does not fit is dropped: H_out = (H - k) // s + 1 (no ceil)":
            lambda x, k, s: _pool_loops(x, k, s, ceil=True),
        "the max is taken per image and per channel: reduce over the window's axes (2, 3) only":
            lambda x, k, s: np.broadcast_to(_pool_loops(x, k, s).max(axis=(0, 1), keepdims=True),
                                            _pool_loops(x, k, s).shape).copy(),
        "np.abs: max pooling keeps the largest value, sign included":
            lambda x, k, s: _pool_loops(np.abs(x), k, s),
    },
    correct=[lambda x, k, s: _pool_loops(x, k, s),
             lambda x, k, s: sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
             .max(axis=(4, 5))],
    hint="out[:, :, r, c] = x[:, :, r*s:r*s + k, c*s:c*s + k].max(axis=(2, 3))",
    summary="overlapping and non-square maps")


def _maxpool_backward(x, dout, k, s):
    pool = MaxPool2d(k, stride=s)
    pool.forward(x)
    return pool.backward(dout)


def _mp_back_loops(x, dout, k, s, rule="first", assign=False):
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for ch in range(C):
            for r in range(Ho):
                for c in range(Wo):
                    win = x[n, ch, r * s:r * s + k, c * s:c * s + k]
                    view = dx[n, ch, r * s:r * s + k, c * s:c * s + k]
                    if rule == "all":
                        mask = (win == win.max()).astype(float)
                    elif rule == "spread":
                        mask = np.full(win.shape, 1.0 / win.size)
                    elif rule == "ones":
                        mask = np.zeros(win.shape)
                        mask[np.unravel_index(np.argmax(win), win.shape)] = 1.0
                        view += mask
                        continue
                    else:
                        flat = win.ravel()
                        i = (len(flat) - 1 - np.argmax(flat[::-1]) if rule == "last"
                             else np.argmax(flat))
                        mask = np.zeros(win.size)
                        mask[i] = 1.0
                        mask = mask.reshape(win.shape)
                    if assign:
                        view[mask > 0] = (mask * dout[n, ch, r, c])[mask > 0]
                    else:
                        view += mask * dout[n, ch, r, c]
    return dx


def _mp_back_index(x, dout, k, s, mistake):
    dx = np.zeros_like(x)
    for n, ch, r, c in np.ndindex(dout.shape):
        window = x[n, ch, r * s:r * s + k, c * s:c * s + k]
        idx = int(np.argmax(window))
        if mistake == "divmod":
            i, j = divmod(idx, s)                 # the stride instead of the window's width
            i, j = min(i, k - 1), min(j, k - 1)
        else:
            i, j = divmod(idx, k)
        if mistake == "no_offset":
            dx[n, ch, i, j] += dout[n, ch, r, c]  # window coordinates used as image coordinates
        else:
            dx[n, ch, r * s + i, c * s + j] += dout[n, ch, r, c]
    return dx


def _repeat(dout, x_shape, k):
    """dout upsampled with np.repeat (a typical wrong backward), padded/cut to x_shape."""
    up = np.repeat(np.repeat(dout, k, axis=2), k, axis=3)
    up = np.pad(up, ((0, 0), (0, 0), (0, max(0, x_shape[2] - up.shape[2])),
                     (0, max(0, x_shape[3] - up.shape[3]))))
    return up[:, :, :x_shape[2], :x_shape[3]]


def _backward_case(seed, shape, k, s, name, ties):
    r = _rng(seed)
    x = r.integers(0, 3, size=shape).astype(float) if ties else r.normal(size=shape)
    ho, wo = (shape[2] - k) // s + 1, (shape[3] - k) // s + 1
    dout = r.normal(size=(shape[0], shape[1], ho, wo))
    return Case(x, dout, k, s, what=f"{name}(x {shape}{' with ties' if ties else ''}, dout, "
                                    f"k={k}, s={s})")


_FIXED = np.array([[1.0, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]])[None, None]
_FIXED_DOUT = np.array([[1.0, 2], [3, 4]])[None, None]

maxpool2d_backward = table(
    "maxpool2d_backward", _maxpool_backward,
    cases=[Case(_FIXED, _FIXED_DOUT, 2, 2, what="maxpool2d_backward(the 4x4 example, dout "
                                                "[[1, 2], [3, 4]], k=2, s=2)"),
           _backward_case(0, (2, 2, 6, 4), 2, 2, "maxpool2d_backward", False),
           _backward_case(1, (2, 2, 5, 5), 2, 1, "maxpool2d_backward", False),
           _backward_case(2, (2, 3, 7, 6), 3, 2, "maxpool2d_backward", False),
           _backward_case(3, (2, 2, 4, 6), 2, 2, "maxpool2d_backward", True),
           _backward_case(4, (1, 2, 5, 5), 3, 1, "maxpool2d_backward", True)],
    mistakes={
        "the gradient goes to the winner only: the other inputs of the window get 0 (that spread "
        "is average pooling's backward)":
            lambda x, dout, k, s: _mp_back_loops(x, dout, k, s, rule="spread"),
        "on a tie only ONE input gets the gradient, the first maximum (np.argmax), as in PyTorch; "
        "x == max marks every tied maximum":
            lambda x, dout, k, s: _mp_back_loops(x, dout, k, s, rule="all"),
        "overlapping windows add up: use dx[...] += dout, not dx[...] = dout":
            lambda x, dout, k, s: _mp_back_loops(x, dout, k, s, assign=True),
        "on a tie the FIRST maximum wins (np.argmax's rule, and PyTorch's), not the last":
            lambda x, dout, k, s: _mp_back_loops(x, dout, k, s, rule="last"),
        "multiply by the window's upstream gradient dout[n, c, r, col]: the winner gets dout, "
        "not 1":
            lambda x, dout, k, s: _mp_back_loops(x, dout, k, s, rule="ones"),
        "np.repeat upsamples dout to every input of the window; only the winner gets it":
            lambda x, dout, k, s: _repeat(dout, x.shape, k),
        "(i, j) is the winner's place inside the window: in the image it is (r*s + i, c*s + j)":
            lambda x, dout, k, s: _mp_back_index(x, dout, k, s, "no_offset"),
        "np.argmax gives an index into the flattened k x k window: (i, j) = divmod(index, k) "
        "(or np.unravel_index(index, window.shape)), with the window's width k":
            lambda x, dout, k, s: _mp_back_index(x, dout, k, s, "divmod"),
    },
    correct=[lambda x, dout, k, s: _mp_back_loops(x, dout, k, s),
             _maxpool_backward],
    hint="for each window: (i, j) = np.unravel_index(np.argmax(window), window.shape); "
         "dx[n, c, r*s + i, col*s + j] += dout[n, c, r, col]",
    summary="ties go to the first maximum, overlaps add up")


def _avgpool(x, k, s):
    return AvgPool2d(k, stride=s).forward(x)


avgpool2d = table(
    "avgpool2d", _avgpool,
    cases=_pool_cases("avgpool2d"),
    mistakes={
        "that is max pooling; average pooling keeps the mean of each window (np.mean)":
            lambda x, k, s: _pool_loops(x, k, s, reduce=np.max),
        "that is the sum of each window: divide by the k*k numbers in it (or use np.mean)":
            lambda x, k, s: _pool_loops(x, k, s, reduce=np.sum),
        "a k x k window holds k*k numbers: divide the sum by k*k, not by k":
            lambda x, k, s: _pool_loops(x, k, s, reduce=np.sum) / k,
        "you ignored the stride: windows start at 0, s, 2s, ...":
            lambda x, k, s: _pool_loops(x, k, s, reduce=np.mean, stride_used=False),
        "a window that does not fit is dropped: H_out = (H - k) // s + 1 (no ceil)":
            lambda x, k, s: _pool_loops(x, k, s, reduce=np.mean, ceil=True),
        "the mean is per window, per image and per channel: reduce over the window's axes (2, 3)":
            lambda x, k, s: np.broadcast_to(_pool_loops(x, k, s, reduce=np.mean).mean(
                axis=(0, 1), keepdims=True), _pool_loops(x, k, s).shape).copy(),
    },
    correct=[lambda x, k, s: _pool_loops(x, k, s, reduce=np.mean),
             lambda x, k, s: sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
             .mean(axis=(4, 5))],
    hint="out[:, :, r, c] = x[:, :, r*s:r*s + k, c*s:c*s + k].mean(axis=(2, 3))",
    summary="overlapping and non-square maps")


def _avgpool_backward(dout, x_shape, k, s):
    pool = AvgPool2d(k, stride=s)
    pool.forward(np.zeros(x_shape))
    return pool.backward(dout)


def _ap_back_loops(dout, x_shape, k, s, scale=None, assign=False, stride_used=True):
    dx = np.zeros(x_shape)
    s_ = s if stride_used else 1
    share = dout / (k * k) if scale is None else dout * scale
    for r in range(dout.shape[2]):
        for c in range(dout.shape[3]):
            view = dx[:, :, r * s_:r * s_ + k, c * s_:c * s_ + k]
            if assign:
                view[...] = share[:, :, r, c, None, None]
            else:
                view += share[:, :, r, c, None, None]
    return dx


def _top_left(dout, x_shape, k, s):
    dx = np.zeros(x_shape)
    for r in range(dout.shape[2]):
        for c in range(dout.shape[3]):
            dx[:, :, r * s, c * s] += dout[:, :, r, c]
    return dx


def _ap_case(seed, x_shape, k, s):
    r = _rng(seed)
    ho, wo = (x_shape[2] - k) // s + 1, (x_shape[3] - k) // s + 1
    return Case(r.normal(size=(x_shape[0], x_shape[1], ho, wo)), x_shape, k, s,
                what=f"avgpool2d_backward(dout, x_shape={x_shape}, k={k}, s={s})")


avgpool2d_backward = table(
    "avgpool2d_backward", _avgpool_backward,
    cases=[Case(_FIXED_DOUT, (1, 1, 4, 4), 2, 2,
                what="avgpool2d_backward(dout [[1, 2], [3, 4]], x_shape=(1, 1, 4, 4), k=2, s=2)"),
           _ap_case(0, (2, 3, 6, 4), 2, 2), _ap_case(1, (2, 2, 5, 5), 2, 1),
           _ap_case(2, (1, 2, 7, 6), 3, 2), _ap_case(3, (2, 1, 5, 7), 3, 1)],
    mistakes={
        "each input of a window gets dout / (k*k): the mean divides by the k*k numbers":
            lambda dout, x_shape, k, s: _ap_back_loops(dout, x_shape, k, s, scale=1.0),
        "a k x k window holds k*k numbers: divide by k*k, not by k":
            lambda dout, x_shape, k, s: _ap_back_loops(dout, x_shape, k, s, scale=1.0 / k),
        "overlapping windows add up: use dx[...] += share, not dx[...] = share":
            lambda dout, x_shape, k, s: _ap_back_loops(dout, x_shape, k, s, assign=True),
        "you ignored the stride: window (r, c) covers rows r*s .. r*s + k - 1":
            lambda dout, x_shape, k, s: _ap_back_loops(dout, x_shape, k, s, stride_used=False),
        "the whole gradient went to the window's first input; average pooling spreads it over "
        "all k*k inputs of the window": lambda dout, x_shape, k, s: _top_left(dout, x_shape, k, s),
        "np.repeat spreads dout without dividing, and leaves out overlaps and leftover rows: add "
        "dout / (k*k) window by window":
            lambda dout, x_shape, k, s: _repeat(dout, x_shape, k),
    },
    correct=[lambda dout, x_shape, k, s: _ap_back_loops(dout, x_shape, k, s),
             _avgpool_backward],
    hint="for each window: dx[:, :, r*s:r*s + k, c*s:c*s + k] += dout[:, :, r, c, None, None] / "
         "(k * k)",
    summary="overlaps add up, leftover rows get 0")
