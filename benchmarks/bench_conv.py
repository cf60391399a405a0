"""Conv2d forward + backward on chapter 07's shapes: naive loops vs course_lib vs PyTorch.

    python benchmarks/bench_conv.py [--repeats 7]
    PYTHONPATH=. /path/to/torch-venv/bin/python benchmarks/bench_conv.py   # adds PyTorch

The naive version is the chapter's: a Python loop over images, output channels and output pixels,
each step one small NumPy dot product (forward) or two small updates (backward). ``Conv2d`` is
im2col (``sliding_window_view`` + one matrix product) with the backward scatter looped over the
kh*kw kernel offsets. PyTorch (when importable) runs ``F.conv2d`` forward + autograd backward in
float64 on one thread, like NumPy here. Target (issue 12): course_lib >= 100x faster than the
naive loops. Each figure is the best of several repeats (the median is printed too), because the
machine may be shared.
"""

import argparse
import itertools
import os
import statistics
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from course_lib.layers import Conv2d  # noqa: E402

# (batch, C_in, H, W, C_out): the chapter CNN's two convolutions (3x3, padding 1) on a minibatch
SHAPES = [(32, 1, 8, 8, 16), (32, 16, 4, 4, 32)]


def naive_forward(x, W, b, pad):
    n, _, h, w = x.shape
    c_out, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - kh + 1, w + 2 * pad - kw + 1
    out = np.zeros((n, c_out, ho, wo))
    for i, o, y, z in itertools.product(range(n), range(c_out), range(ho), range(wo)):
        out[i, o, y, z] = np.sum(xp[i, :, y:y + kh, z:z + kw] * W[o]) + b[o]
    return out


def naive_backward(x, W, dout, pad):
    n, _, h, w = x.shape
    c_out, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for i, o, y, z in itertools.product(range(n), range(c_out), *map(range, dout.shape[2:])):
        dW[o] += dout[i, o, y, z] * xp[i, :, y:y + kh, z:z + kw]
        dxp[i, :, y:y + kh, z:z + kw] += dout[i, o, y, z] * W[o]
    return dxp[:, :, pad:pad + h, pad:pad + w], dW, dout.sum(axis=(0, 2, 3))


def timed(fn, repeats, number):
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return min(runs), statistics.median(runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    try:
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    header = (f"{'shape (N, C_in, H, W) -> C_out':34s} {'naive':>10s} {'course_lib':>12s} "
              f"{'speed-up':>9s}")
    if torch is not None:
        header += f" {'PyTorch':>10s} {'ours/torch':>10s}"
    print("Conv2d 3x3, padding 1, forward + backward, float64, one thread; best (median) per call")
    print(header)
    for n, c_in, h, w, c_out in SHAPES:
        layer = Conv2d(c_in, c_out, 3, padding=1, rng=rng)
        x = rng.normal(size=(n, c_in, h, w))
        dout = rng.normal(size=(n, c_out, h, w))
        W, b = layer.params["W"], layer.params["b"]

        def ours():
            layer.forward(x)
            return layer.backward(dout)

        def naive():
            naive_forward(x, W, b, 1)
            return naive_backward(x, W, dout, 1)

        # the same numbers first: a benchmark of a wrong layer would mean nothing
        dx_naive, dW_naive, _ = naive()
        assert np.allclose(ours(), dx_naive) and np.allclose(layer.grads["W"], dW_naive)
        t_naive = timed(naive, 1, 1)
        t_ours = timed(ours, args.repeats, 50)
        line = (f"{str((n, c_in, h, w)) + ' -> ' + str(c_out):34s} {t_naive[0] * 1e3:8.1f}ms "
                f"{t_ours[0] * 1e6:6.0f}us ({t_ours[1] * 1e6:.0f}) {t_naive[0] / t_ours[0]:7.0f}x")
        if torch is not None:
            tx = torch.from_numpy(x).requires_grad_()
            tW = torch.from_numpy(W.copy()).requires_grad_()
            tb = torch.from_numpy(b.copy()).requires_grad_()
            tdout = torch.from_numpy(dout)

            def theirs():
                F.conv2d(tx, tW, tb, padding=1).backward(tdout)

            t_torch = timed(theirs, args.repeats, 50)
            line += (f" {t_torch[0] * 1e6:6.0f}us ({t_torch[1] * 1e6:.0f}) "
                     f"{t_ours[0] / t_torch[0]:8.2f}x")
        print(line)
    if torch is None:
        print("PyTorch not importable: no comparison column")


if __name__ == "__main__":
    main()
