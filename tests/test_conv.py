"""course_lib.layers.conv: gradient checks, naive loops, PyTorch reference numbers, errors."""

import itertools
import zlib

import numpy as np
import pytest

from course_lib import layers as L
from course_lib.gradcheck import THRESHOLD, check_layer_gradients
from course_lib.layers.conv import conv_output_size


# ---------------------------------------------------------------- naive references (loops)
def naive_conv(x, W, b, stride=(1, 1), padding=(0, 0)):
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    ho = (h + 2 * padding[0] - kh) // stride[0] + 1
    wo = (w + 2 * padding[1] - kw) // stride[1] + 1
    out = np.zeros((n, c_out, ho, wo))
    for i, o, y, z in itertools.product(range(n), range(c_out), range(ho), range(wo)):
        patch = xp[i, :, y * stride[0]:y * stride[0] + kh, z * stride[1]:z * stride[1] + kw]
        out[i, o, y, z] = np.sum(patch * W[o]) + b[o]
    return out


def naive_pool(x, kernel, stride, reduce):
    n, c, h, w = x.shape
    ho, wo = (h - kernel[0]) // stride[0] + 1, (w - kernel[1]) // stride[1] + 1
    out = np.zeros((n, c, ho, wo))
    for i, ch, y, z in itertools.product(range(n), range(c), range(ho), range(wo)):
        out[i, ch, y, z] = reduce(x[i, ch, y * stride[0]:y * stride[0] + kernel[0],
                                   z * stride[1]:z * stride[1] + kernel[1]])
    return out


def distinct(rng, shape, gap=0.01):
    """Values all at least ``gap`` apart: no max-pool tie a finite difference could flip."""
    return (rng.permutation(int(np.prod(shape))) * gap - 1.0).reshape(shape)


STRIDES = [1, 2, (2, 1)]
PADDINGS = [0, 1, 2, (0, 2)]
KERNELS = [3, (2, 3), (3, 1), 1]


# ---------------------------------------------------------------- Conv2d
@pytest.mark.parametrize("stride", STRIDES, ids=str)
@pytest.mark.parametrize("padding", PADDINGS, ids=str)
@pytest.mark.parametrize("kernel", KERNELS, ids=str)
def test_conv_gradients(stride, padding, kernel):
    seed = zlib.crc32(repr((stride, padding, kernel)).encode()) % 1000  # stable across runs
    rng = np.random.default_rng(seed)
    n, c_in, c_out = 4, int(rng.integers(1, 4)), int(rng.integers(1, 4))
    h, w = int(rng.integers(3, 7)), int(rng.integers(3, 7))
    layer = L.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, rng=rng)
    errors = check_layer_gradients(layer, rng.normal(size=(n, c_in, h, w)), rng=seed + 1)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < THRESHOLD, errors


@pytest.mark.parametrize("stride, padding, kernel",
                         [(1, 0, 3), (2, 1, 3), ((2, 1), (1, 2), (2, 3)), (3, 2, (1, 4)),
                          (1, 0, 1)])
@pytest.mark.parametrize("seed", [0, 1])
def test_conv_forward_matches_naive_loops(stride, padding, kernel, seed):
    rng = np.random.default_rng(seed)
    layer = L.Conv2d(3, 5, kernel, stride=stride, padding=padding, rng=rng)
    x = rng.normal(size=(4, 3, 7, 6))
    expected = naive_conv(x, layer.params["W"], layer.params["b"], layer.stride, layer.padding)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)


def test_conv_matches_pytorch_reference_numbers():
    # computed once with torch.nn.functional.conv2d (float64, stride (2, 1), padding (1, 2))
    x = (np.arange(2 * 2 * 4 * 5).reshape(2, 2, 4, 5) % 7) / 10.0
    layer = L.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 2))
    layer.params["W"][...] = (np.arange(3 * 2 * 2 * 3).reshape(3, 2, 2, 3) % 5) / 10.0 - 0.2
    layer.params["b"][...] = [0.1, -0.2, 0.3]
    out = layer.forward(x)
    assert out.shape == (2, 3, 3, 7)
    np.testing.assert_allclose(out[0, :, 1, :], [
        [0.06, 0.01, -0.09, -0.12, 0.13, 0.1, 0.17],
        [-0.16, -0.05, -0.2, -0.12, -0.25, -0.33, -0.25],
        [0.27, 0.19, 0.29, 0.43, 0.22, 0.44, 0.38]], atol=1e-12)
    dx = layer.backward(np.cos(np.arange(out.size)).reshape(out.shape))
    np.testing.assert_allclose(dx.sum(axis=(2, 3)), [[-0.254271708951, 0.314108226839],
                                                     [-0.154343641466, 0.269002884789]], atol=1e-11)
    np.testing.assert_allclose(dx[1, 0, 0], [0.020580943218, -0.130831915903, -0.161958514905,
                                             -0.044181202214, 0.114216104041], atol=1e-11)
    np.testing.assert_allclose(layer.grads["W"][2], [
        [[-0.764690095613, 0.039501169294, 0.807375241321],
         [-1.360416233598, -0.317243403263, 1.01760154899]],
        [[-1.416182370607, -0.350053157767, 1.037913313971],
         [-0.687046494033, -0.297758537273, 0.365287245472]]], atol=1e-11)
    np.testing.assert_allclose(layer.grads["b"], [2.890445267523, -3.457313251975, 0.896897992213],
                               atol=1e-11)


def test_conv_by_hand():
    # a 3x3 image, a 2x2 kernel: every output is a dot product done by hand
    x = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])[None, None]
    layer = L.Conv2d(1, 1, 2)
    layer.params["W"][...] = [[[[1.0, 0], [0, -1]]]]
    layer.params["b"][...] = [0.5]
    np.testing.assert_allclose(layer.forward(x)[0, 0], [[1 - 5 + 0.5, 2 - 6 + 0.5],
                                                        [4 - 8 + 0.5, 5 - 9 + 0.5]])
    # padding 1 adds a ring of zeros: the corner output sees only x[0, 0] (times W[1, 1] = -1)
    layer.padding = (1, 1)
    out = layer.forward(x)
    assert out.shape == (1, 1, 4, 4)
    assert out[0, 0, 0, 0] == pytest.approx(-1 + 0.5)
    assert out[0, 0, 3, 3] == pytest.approx(9 + 0.5)
    # dout = 1 at one output pixel: dx is the kernel placed over that window, dW the window
    layer.padding = (0, 0)
    layer.forward(x)
    dout = np.zeros((1, 1, 2, 2))
    dout[0, 0, 1, 0] = 2.0
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx[0, 0], [[0, 0, 0], [2, 0, 0], [0, -2, 0]])
    np.testing.assert_allclose(layer.grads["W"][0, 0], [[8, 10], [14, 16]])
    np.testing.assert_allclose(layer.grads["b"], [2.0])


def test_one_by_one_conv_is_a_dense_layer_per_pixel():
    rng = np.random.default_rng(3)
    layer = L.Conv2d(4, 3, 1, rng=rng)
    x = rng.normal(size=(5, 4, 2, 3))
    expected = np.einsum("nchw,oc->nohw", x, layer.params["W"][:, :, 0, 0])
    expected += layer.params["b"][None, :, None, None]
    np.testing.assert_allclose(layer.forward(x), expected, atol=1e-12)


def test_kernel_as_large_as_the_image_gives_one_pixel():
    layer = L.Conv2d(2, 3, (4, 5), rng=0)
    x = np.random.default_rng(0).normal(size=(4, 2, 4, 5))
    out = layer.forward(x)
    assert out.shape == (4, 3, 1, 1)
    expected = x.reshape(4, -1) @ layer.params["W"].reshape(3, -1).T + layer.params["b"]
    np.testing.assert_allclose(out[:, :, 0, 0], expected, atol=1e-12)


def test_conv_init_is_pytorchs_default_and_seeded():
    layer = L.Conv2d(16, 32, 3, rng=0)
    bound = 1 / np.sqrt(16 * 9)
    assert layer.params["W"].shape == (32, 16, 3, 3) and layer.params["b"].shape == (32,)
    for p in layer.params.values():
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.9 * bound          # uniform over the whole range, not squeezed
    # U(-a, a) has standard deviation a / sqrt(3)
    assert abs(layer.params["W"].std() - bound / np.sqrt(3)) < 0.05 * bound
    again = L.Conv2d(16, 32, 3, rng=0)
    np.testing.assert_array_equal(layer.params["W"], again.params["W"])
    assert not np.array_equal(layer.params["W"], L.Conv2d(16, 32, 3, rng=1).params["W"])
    assert all(np.all(g == 0) for g in layer.grads.values())


def test_conv_contract_inputs_untouched_and_grads_in_place():
    rng = np.random.default_rng(5)
    layer = L.Conv2d(2, 3, 3, stride=2, padding=1, rng=rng)
    x = rng.normal(size=(4, 2, 5, 5))
    x0 = x.copy()
    w_grad, b_grad = layer.grads["W"], layer.grads["b"]
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    d0 = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, d0)
    assert layer.grads["W"] is w_grad and layer.grads["b"] is b_grad
    assert dx.shape == x.shape and out.shape == (4, 3, 3, 3)
    assert np.abs(w_grad).sum() > 0


def test_conv_casts_to_float64_and_accepts_lists():
    layer = L.Conv2d(1, 2, 2, rng=0)
    out32 = layer.forward(np.ones((1, 1, 3, 3), dtype=np.float32))
    assert out32.dtype == np.float64
    np.testing.assert_allclose(layer.forward(np.ones((1, 1, 3, 3)).tolist()), out32)


def test_conv_repr():
    assert repr(L.Conv2d(1, 8, 3, padding=1)) == \
        "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(L.Conv2d(2, 4, (2, 3), stride=(2, 1))) == \
        "Conv2d(2, 4, kernel_size=(2, 3), stride=(2, 1), padding=(0, 0))"


@pytest.mark.parametrize("shape, message", [
    ((4, 5, 8, 8), r"Conv2d input: expected shape \(N, 3, H, W\), got \(4, 5, 8, 8\)"),
    ((3, 8, 8), r"Conv2d input: expected shape \(N, 3, H, W\), got \(3, 8, 8\)"),
    ((2, 3, 2, 8), r"Conv2d input: expected H \+ 2\*padding >= 3 .*got shape \(2, 3, 2, 8\)"),
])
def test_conv_bad_input_shapes(shape, message):
    with pytest.raises(ValueError, match=message):
        L.Conv2d(3, 4, 3).forward(np.zeros(shape))


def test_conv_bad_dout_shape_and_order():
    layer = L.Conv2d(1, 2, 3)
    with pytest.raises(RuntimeError, match="forward first"):
        layer.backward(np.zeros((1, 2, 1, 1)))
    layer.forward(np.zeros((4, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"expected shape \(4, 2, 3, 3\), got \(4, 2, 5, 5\)"):
        layer.backward(np.zeros((4, 2, 5, 5)))


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((0, 2, 3), {}, ValueError, "in_channels must be >= 1"),
    ((1, 2.0, 3), {}, TypeError, "out_channels must be an int"),
    ((True, 2, 3), {}, TypeError, "in_channels must be an int"),
    ((1, 2, 0), {}, ValueError, "kernel_size must be >= 1"),
    ((1, 2, "3"), {}, TypeError, "kernel_size must be an int"),
    ((1, 2, (1, 2, 3)), {}, ValueError, r"a pair \(h, w\)"),
    ((1, 2, 3), {"stride": 0}, ValueError, "stride must be >= 1"),
    ((1, 2, 3), {"stride": (1, 0)}, ValueError, "stride must be >= 1"),
    ((1, 2, 3), {"padding": -1}, ValueError, "padding must be >= 0"),
])
def test_conv_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        L.Conv2d(*args, **kwargs)


# ---------------------------------------------------------------- output size
@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (8, 3, 1, 0, 6), (8, 3, 1, 1, 8), (8, 3, 2, 1, 4), (7, 3, 2, 0, 3), (8, 2, 2, 0, 4),
    (5, 5, 1, 0, 1), (1, 3, 1, 1, 1), (6, 4, 3, 0, 1), (4, 1, 1, 2, 8)])
def test_conv_output_size(size, kernel, stride, padding, expected):
    assert conv_output_size(size, kernel, stride, padding) == expected
    layer = L.Conv2d(1, 1, kernel, stride=stride, padding=padding)
    assert layer.forward(np.zeros((1, 1, size, size))).shape == (1, 1, expected, expected)


def test_conv_output_size_too_small():
    with pytest.raises(ValueError, match="smaller than the kernel"):
        conv_output_size(2, 5, 1, 1)


# ---------------------------------------------------------------- pooling
POOLS = [(2, None), (3, 1), (3, 2), ((2, 3), (1, 2)), (2, 1), (1, None), ((3, 1), None)]


@pytest.mark.parametrize("kernel, stride", POOLS, ids=str)
@pytest.mark.parametrize("cls", [L.MaxPool2d, L.AvgPool2d], ids=lambda c: c.__name__)
def test_pool_gradients(cls, kernel, stride):
    rng = np.random.default_rng(zlib.crc32(repr((kernel, stride)).encode()))
    x = distinct(rng, (4, 2, int(rng.integers(3, 7)), int(rng.integers(3, 7))))
    errors = check_layer_gradients(cls(kernel, stride), x, rng=7)
    assert set(errors) == {"x"}
    assert errors["x"] < THRESHOLD, errors


@pytest.mark.parametrize("kernel, stride", POOLS, ids=str)
def test_pool_forward_matches_naive_loops(kernel, stride):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(4, 3, 7, 8))
    for cls, reduce in [(L.MaxPool2d, np.max), (L.AvgPool2d, np.mean)]:
        layer = cls(kernel, stride)
        expected = naive_pool(x, layer.kernel_size, layer.stride, reduce)
        np.testing.assert_allclose(layer.forward(x), expected, atol=1e-12)


def test_pools_on_the_4x4_example():
    # the classic example: a 4x4 map, 2x2 windows, stride 2
    x = np.array([[1.0, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]])[None, None]
    mp, ap = L.MaxPool2d(2), L.AvgPool2d(2)
    assert mp.stride == (2, 2) and ap.stride == (2, 2)        # stride defaults to kernel_size
    np.testing.assert_allclose(mp.forward(x)[0, 0], [[6, 5], [7, 9]])
    np.testing.assert_allclose(ap.forward(x)[0, 0], [[3.5, 2.0], [2.5, 6.0]])
    dout = np.array([[10.0, 20], [30, 40]])[None, None]
    np.testing.assert_allclose(mp.backward(dout)[0, 0], [[0, 0, 0, 0], [0, 10, 20, 0],
                                                        [30, 0, 40, 0], [0, 0, 0, 0]])
    np.testing.assert_allclose(ap.backward(dout)[0, 0], [[2.5, 2.5, 5, 5], [2.5, 2.5, 5, 5],
                                                        [7.5, 7.5, 10, 10], [7.5, 7.5, 10, 10]])


def test_maxpool_ties_go_to_the_first_maximum():
    x = np.array([[2.0, 2], [2, 2]])[None, None]
    mp = L.MaxPool2d(2)
    mp.forward(x)
    np.testing.assert_array_equal(mp.backward(np.array([[[[5.0]]]]))[0, 0], [[5, 0], [0, 0]])
    x = np.array([[0.0, 3], [3, 1]])[None, None]                # tie between (0, 1) and (1, 0)
    mp.forward(x)
    np.testing.assert_array_equal(mp.backward(np.array([[[[1.0]]]]))[0, 0], [[0, 1], [0, 0]])


def test_overlapping_max_windows_add_up():
    # one big value wins all four 2x2 windows (stride 1) of a 3x3 map: it collects their sum
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5.0
    mp = L.MaxPool2d(2, stride=1)
    assert np.all(mp.forward(x) == 5.0)
    dx = mp.backward(np.array([[1.0, 2], [3, 4]])[None, None])
    expected = np.zeros((3, 3))
    expected[1, 1] = 10.0
    np.testing.assert_array_equal(dx[0, 0], expected)
    ap = L.AvgPool2d(2, stride=1)
    ap.forward(x)
    np.testing.assert_allclose(ap.backward(np.ones((1, 1, 2, 2)))[0, 0],
                               [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_maxpool_matches_pytorch_with_ties_and_overlaps():
    # computed once with torch.nn.functional.max_pool2d(x, 3, stride=1); x has many ties
    x = (np.arange(50).reshape(1, 2, 5, 5) * 7 % 11) / 10.0
    mp = L.MaxPool2d(3, stride=1)
    out = mp.forward(x)
    np.testing.assert_allclose(out, [[[[0.9, 1, 1], [0.9, 0.9, 1], [0.9, 0.9, 1]],
                                      [[1, 1, 0.9], [1, 1, 0.9], [1, 1, 1]]]])
    dx = mp.backward(np.cos(np.arange(out.size)).reshape(out.shape))
    expected = np.zeros((2, 5, 5))
    for (c, i, j), value in {(0, 0, 3): 0.124155469321, (0, 1, 1): -0.643636117464,
                             (0, 2, 4): 0.138162151655, (0, 3, 2): 1.714072540994,
                             (1, 0, 0): -0.911130261885, (1, 0, 3): 0.004425697988,
                             (1, 2, 1): -0.805118182076, (1, 2, 4): 0.136737218208,
                             (1, 4, 2): -0.275163338052}.items():
        expected[c, i, j] = value
    np.testing.assert_allclose(dx[0], expected, atol=1e-11)


def test_pool_leftover_rows_get_no_gradient():
    # 5x5 with 2x2 stride 2: the last row and column are in no window
    rng = np.random.default_rng(0)
    for cls in (L.MaxPool2d, L.AvgPool2d):
        layer = cls(2)
        out = layer.forward(rng.normal(size=(4, 1, 5, 5)))
        assert out.shape == (4, 1, 2, 2)
        dx = layer.backward(rng.normal(size=out.shape))
        assert np.all(dx[:, :, 4, :] == 0) and np.all(dx[:, :, :, 4] == 0)


@pytest.mark.parametrize("cls", [L.MaxPool2d, L.AvgPool2d], ids=lambda c: c.__name__)
def test_pool_contract_and_errors(cls):
    rng = np.random.default_rng(2)
    layer = cls((2, 3), stride=(1, 2))
    assert layer.params == {} and layer.grads == {}
    assert repr(layer) == f"{cls.__name__}(kernel_size=(2, 3), stride=(1, 2))"
    assert repr(cls(2)) == f"{cls.__name__}(kernel_size=(2, 2), stride=(2, 2))"
    x = rng.normal(size=(4, 2, 5, 7))
    x0 = x.copy()
    out = layer.forward(x)
    assert out.shape == (4, 2, 4, 3)
    dout = rng.normal(size=out.shape)
    d0 = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, d0)
    name = cls.__name__
    with pytest.raises(ValueError,
                       match=rf"{name} input: expected shape \(N, C, H, W\), got \(5, 7\)"):
        layer.forward(np.zeros((5, 7)))
    with pytest.raises(ValueError, match=rf"{name} input: expected H \+ 2\*padding >= 2"):
        layer.forward(np.zeros((1, 1, 1, 7)))
    layer.forward(x)
    with pytest.raises(ValueError, match=r"expected shape \(4, 2, 4, 3\), got \(4, 2, 3, 4\)"):
        layer.backward(np.zeros((4, 2, 3, 4)))
    with pytest.raises(RuntimeError, match="forward first"):
        cls(2).backward(np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        cls(0)
    with pytest.raises(ValueError, match="stride must be >= 1"):
        cls(2, stride=0)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        cls(2.5)


# ---------------------------------------------------------------- Flatten and a whole CNN
def test_flatten():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3, 2, 5))
    layer = L.Flatten()
    out = layer.forward(x)
    np.testing.assert_array_equal(out, x.reshape(4, 30))
    errors = check_layer_gradients(layer, x, rng=1)
    assert errors["x"] < THRESHOLD
    assert repr(layer) == "Flatten()"
    with pytest.raises(ValueError, match=r"Flatten input: expected shape \(N, \.\.\.\)"):
        layer.forward(np.zeros(5))
    layer.forward(x)
    with pytest.raises(ValueError, match=r"expected shape \(4, 30\), got \(4, 29\)"):
        layer.backward(np.zeros((4, 29)))


@pytest.mark.parametrize("seed", [0, 1])
def test_small_cnn_gradients(seed):
    rng = np.random.default_rng(seed)
    model = L.Sequential(L.Conv2d(1, 3, 3, padding=1, rng=rng), L.Tanh(), L.MaxPool2d(2),
                         L.Conv2d(3, 2, (2, 3), stride=(1, 2), padding=(0, 1), rng=rng), L.Tanh(),
                         L.AvgPool2d(2, stride=1), L.Flatten(), L.Dense(2, 3, rng=rng))
    x = rng.normal(size=(4, 1, 6, 6))
    assert model.forward(x).shape == (4, 3)
    errors = check_layer_gradients(model, x, rng=seed + 10)
    assert set(errors) == {"x", "0.W", "0.b", "3.W", "3.b", "7.W", "7.b"}
    # the max-pool routes through a kink a finite difference could in principle straddle
    assert max(errors.values()) < 1e-6, errors


def test_a_planted_conv_bug_is_caught():
    class Unflipped(L.Conv2d):
        def backward(self, dout):
            dx = super().backward(dout)
            return dx[:, :, ::-1, ::-1]          # the classic mistake: a wrongly flipped dx

    rng = np.random.default_rng(0)
    errors = check_layer_gradients(Unflipped(2, 2, 3, padding=1, rng=rng),
                                   rng.normal(size=(4, 2, 4, 4)), rng=1)
    assert errors["x"] > 1e-2 and errors["W"] < THRESHOLD
