"""course_lib.layers.norm: gradient checks in training mode, running statistics by hand, eval mode,
PyTorch's conventions, readable errors."""

import numpy as np
import pytest

from course_lib import layers as L
from course_lib.gradcheck import THRESHOLD, check_layer_gradients
from course_lib.layers.norm import BatchNorm1d, BatchNorm2d, LayerNorm

SEEDS = [0, 1, 2]


def random_affine(layer, rng):
    """gamma, beta away from their 1/0 start, so a bug that drops or swaps them shows."""
    layer.params["gamma"][...] = rng.normal(size=layer.params["gamma"].shape) + 1.0
    layer.params["beta"][...] = rng.normal(size=layer.params["beta"].shape)
    return layer


def test_registered_in_layers_package():
    assert (L.BatchNorm1d, L.BatchNorm2d, L.LayerNorm) == (BatchNorm1d, BatchNorm2d, LayerNorm)
    assert {"BatchNorm1d", "BatchNorm2d", "LayerNorm"} <= set(L.__all__)


# ---- gradient checks in training mode: random shapes, batch >= 4, random upstream ----

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("extra", [(), ("L",)])
def test_batchnorm1d_gradients(seed, extra):
    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(4, 9)), int(rng.integers(1, 6))
    shape = (n, c) + tuple(int(rng.integers(2, 5)) for _ in extra)
    layer = random_affine(BatchNorm1d(c), rng)
    errors = check_layer_gradients(layer, rng.normal(size=shape) * 2 + 1, rng=seed + 100)
    assert set(errors) == {"x", "gamma", "beta"}
    assert max(errors.values()) < THRESHOLD, errors


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm2d_gradients(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(rng.integers(lo, hi)) for lo, hi in [(4, 7), (1, 4), (2, 5), (2, 5)])
    layer = random_affine(BatchNorm2d(shape[1]), rng)
    errors = check_layer_gradients(layer, rng.normal(size=shape) * 3 - 1, rng=seed + 100)
    assert max(errors.values()) < THRESHOLD, errors


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lead", [(4,), (4, 3), (2, 3, 2)])
def test_layernorm_gradients(seed, lead):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 7))
    layer = random_affine(LayerNorm(d), rng)
    errors = check_layer_gradients(layer, rng.normal(size=lead + (d,)) * 2 + 0.5, rng=seed + 100)
    assert set(errors) == {"x", "gamma", "beta"}
    assert max(errors.values()) < THRESHOLD, errors


@pytest.mark.parametrize("make, shape", [(lambda: BatchNorm1d(3), (5, 3)),
                                         (lambda: BatchNorm2d(2), (4, 2, 3, 3))])
def test_gradients_in_eval_mode(make, shape):
    rng = np.random.default_rng(3)
    layer = random_affine(make(), rng)
    layer.forward(rng.normal(size=shape) * 2)           # move the running statistics
    layer.eval()
    errors = check_layer_gradients(layer, rng.normal(size=shape), rng=4)
    assert max(errors.values()) < THRESHOLD, errors


def test_a_planted_bug_is_caught():
    """The naive backward dx = dout * gamma / std (dropping the mean and var terms) must fail."""
    class Naive(BatchNorm1d):
        def backward(self, dout):
            super().backward(dout)
            inv_std = self._cache[1]
            return dout * self.params["gamma"] * inv_std

    rng = np.random.default_rng(0)
    errors = check_layer_gradients(Naive(3), rng.normal(size=(6, 3)), rng=1)
    assert errors["x"] > 1e-2 and errors["gamma"] < THRESHOLD


def test_all_ones_upstream_gives_zero_dx():
    """Why gradient checks use a random dout: against all ones, batch norm's dx is 0."""
    rng = np.random.default_rng(0)
    layer = BatchNorm1d(4)
    out = layer.forward(rng.normal(size=(8, 4)))
    dx = layer.backward(np.ones_like(out))
    np.testing.assert_allclose(dx, 0.0, atol=1e-12)
    # and dx always sums to zero over the batch, whatever dout is
    dx = layer.backward(rng.normal(size=out.shape))
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)
    assert np.abs(dx).max() > 1e-3


# ---- forward values ----

def test_batchnorm1d_forward_training_by_hand():
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [6.0, 0.0]])
    layer = BatchNorm1d(2, eps=0.0 + 1e-5)
    layer.params["gamma"][...] = [2.0, 0.5]
    layer.params["beta"][...] = [1.0, -1.0]
    out = layer.forward(x)
    mean = np.array([3.0, 15.0])
    var = np.array([((1 - 3) ** 2 + 1 + 0 + 9) / 4, (25 + 25 + 225 + 225) / 4])   # biased
    np.testing.assert_allclose(out, [2.0, 0.5] * (x - mean) / np.sqrt(var + 1e-5) + [1.0, -1.0])
    # normalized features: mean beta, std |gamma| (up to eps)
    np.testing.assert_allclose(out.mean(axis=0), [1.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), [2.0, 0.5], rtol=1e-5)


def test_batchnorm2d_statistics_per_channel_over_n_h_w():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3, 2, 5)) * np.array([1.0, 5.0, 0.1])[None, :, None, None] + 7
    out = BatchNorm2d(3).forward(x)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), var / (var + 1e-5))
    # the same as BatchNorm1d on (N*H*W, C)
    flat = x.transpose(0, 2, 3, 1).reshape(-1, 3)
    np.testing.assert_allclose(out.transpose(0, 2, 3, 1).reshape(-1, 3),
                               BatchNorm1d(3).forward(flat))


def test_batchnorm1d_on_n_c_l_matches_2d():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 3, 6))
    np.testing.assert_allclose(BatchNorm1d(3).forward(x),
                               BatchNorm2d(3).forward(x[..., None])[..., 0])


def test_layernorm_forward_by_hand_any_leading_dims():
    x = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 0.0, 4.0, 4.0]])
    layer = LayerNorm(4, eps=1e-5)
    layer.params["gamma"][...] = [1.0, 2.0, 3.0, 4.0]
    layer.params["beta"][...] = [0.0, 1.0, 0.0, -1.0]
    out = layer.forward(x)
    mean = np.array([[3.0], [2.0]])
    var = np.array([[(4 + 1 + 0 + 9) / 4], [4.0]])
    np.testing.assert_allclose(out, [1, 2, 3, 4] * (x - mean) / np.sqrt(var + 1e-5) + [0, 1, 0, -1])
    # (N, T, D) gives row by row what (N*T, D) gives
    x3 = np.random.default_rng(0).normal(size=(2, 3, 4))
    np.testing.assert_allclose(layer.forward(x3), layer.forward(x3.reshape(6, 4)).reshape(2, 3, 4))
    # a single sample and a 1-D input are fine: the statistics never mix samples
    np.testing.assert_allclose(layer.forward(x[0]), out[0])
    np.testing.assert_allclose(layer.eval().forward(x[1:]), out[1:])


def test_layernorm_accepts_a_one_tuple_the_num_features_alias_and_eps():
    assert LayerNorm((5,)).normalized_shape == 5
    ln = LayerNorm(num_features=6)
    assert ln.normalized_shape == ln.num_features == 6 and ln.params["gamma"].shape == (6,)
    with pytest.raises(TypeError, match="not both"):
        LayerNorm(4, num_features=4)
    with pytest.raises(TypeError, match="missing normalized_shape"):
        LayerNorm()
    x = np.array([[0.0, 1.0]])
    # var 0.25 + eps 0.75 = 1
    np.testing.assert_allclose(LayerNorm(2, eps=0.75).forward(x), [[-0.5, 0.5]])


def test_constant_input_gives_beta():
    layer = BatchNorm1d(2)
    layer.params["beta"][...] = [3.0, -2.0]
    np.testing.assert_allclose(layer.forward(np.full((4, 2), 7.0)), [[3.0, -2.0]] * 4)
    ln = LayerNorm(3)
    ln.params["beta"][...] = [1.0, 2.0, 3.0]
    np.testing.assert_allclose(ln.forward(np.full((2, 3), -4.0)), [[1.0, 2.0, 3.0]] * 2)


# ---- running statistics over several steps, by hand ----

@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, 0.0])
def test_running_statistics_by_hand(momentum):
    rng = np.random.default_rng(0)
    layer = BatchNorm1d(3, momentum=momentum)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(4):
        n = 4 + step
        x = rng.normal(size=(n, 3)) * (step + 1) + step
        layer.forward(x)
        unbiased = ((x - x.mean(0)) ** 2).sum(0) / (n - 1)
        mean = (1 - momentum) * mean + momentum * x.mean(0)
        var = (1 - momentum) * var + momentum * unbiased
        np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)
    assert layer.num_batches_tracked == 4


def test_running_statistics_with_momentum_none_is_a_cumulative_average():
    rng = np.random.default_rng(1)
    layer = BatchNorm2d(2, momentum=None)
    batches = [rng.normal(size=(4, 2, 3, 3)) + k for k in range(3)]
    for x in batches:
        layer.forward(x)
    means = [x.mean(axis=(0, 2, 3)) for x in batches]
    vars_ = [x.var(axis=(0, 2, 3), ddof=1) for x in batches]
    np.testing.assert_allclose(layer.running_mean, np.mean(means, axis=0))
    np.testing.assert_allclose(layer.running_var, np.mean(vars_, axis=0))


def test_running_statistics_2d_use_n_h_w_values():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 2, 2)) * 2 + 1
    layer = BatchNorm2d(3, momentum=0.25)
    layer.forward(x)
    np.testing.assert_allclose(layer.running_mean, 0.25 * x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(layer.running_var, 0.75 + 0.25 * x.var(axis=(0, 2, 3), ddof=1))


def test_the_cs231n_keep_ratio_form_is_the_same_update():
    """CS231n / DLFS: running = 0.9 * running + 0.1 * batch  ==  our momentum=0.1."""
    rng = np.random.default_rng(3)
    layer = BatchNorm1d(2, momentum=0.1)
    keep, running = 0.9, np.zeros(2)
    for _ in range(3):
        x = rng.normal(size=(5, 2)) + 2
        layer.forward(x)
        running = keep * running + (1 - keep) * x.mean(0)
    np.testing.assert_allclose(layer.running_mean, running)


# ---- eval mode ----

def test_eval_uses_running_statistics_and_does_not_update_them():
    rng = np.random.default_rng(0)
    layer = random_affine(BatchNorm1d(3, eps=1e-3), rng)
    for _ in range(3):
        layer.forward(rng.normal(size=(6, 3)) * 2 + 5)
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    tracked = layer.num_batches_tracked
    assert layer.eval() is layer and layer.training is False
    x = rng.normal(size=(4, 3))
    out = layer.forward(x)
    g, b = layer.params["gamma"], layer.params["beta"]
    np.testing.assert_allclose(out, g * (x - mean) / np.sqrt(var + 1e-3) + b)
    np.testing.assert_array_equal(layer.running_mean, mean)
    np.testing.assert_array_equal(layer.running_var, var)
    assert layer.num_batches_tracked == tracked
    # a single sample is fine in eval mode, and each row is independent of the others
    np.testing.assert_allclose(layer.forward(x[:1]), out[:1])
    layer.train()
    assert layer.training is True
    assert not np.allclose(layer.forward(x), out)


def test_fresh_layer_in_eval_mode_is_almost_identity():
    x = np.random.default_rng(0).normal(size=(3, 2, 2, 2))
    np.testing.assert_allclose(BatchNorm2d(2).eval().forward(x), x / np.sqrt(1 + 1e-5))


def test_sequential_switches_batchnorm_mode():
    model = L.Sequential(L.Dense(3, 4, rng=0), BatchNorm1d(4), L.ReLU())
    model.eval()
    assert model[1].training is False
    assert "1.gamma" in model.params and "1.beta" in model.grads
    model.forward(np.ones((1, 3)))          # a batch of one is fine in eval mode


# ---- contract: grads in place, dout and x untouched, initial values ----

@pytest.mark.parametrize("layer, shape", [(BatchNorm1d(3), (5, 3)), (BatchNorm2d(2), (4, 2, 3, 3)),
                                          (LayerNorm(3), (4, 2, 3))], ids=repr)
def test_contract(layer, shape):
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(layer.params["gamma"], 1.0)
    np.testing.assert_array_equal(layer.params["beta"], 0.0)
    grads_before = {k: id(v) for k, v in layer.grads.items()}
    x = rng.normal(size=shape)
    x_copy = x.copy()
    out = layer.forward(x)
    assert out.shape == shape and out.dtype == np.float64
    dout = rng.normal(size=shape)
    dout_copy = dout.copy()
    dx = layer.backward(dout)
    assert dx.shape == shape
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(dout, dout_copy)
    assert {k: id(v) for k, v in layer.grads.items()} == grads_before
    if isinstance(layer, LayerNorm):
        dbeta = dout.reshape(-1, shape[-1]).sum(0)
    else:
        dbeta = dout.sum(axis=(0,) + tuple(range(2, len(shape))))
    np.testing.assert_allclose(layer.grads["beta"], dbeta)


def test_reprs_are_stable():
    assert repr(BatchNorm1d(4)) == "BatchNorm1d(4, eps=1e-05, momentum=0.1)"
    assert repr(BatchNorm2d(8, eps=1e-3, momentum=None)) == \
        "BatchNorm2d(8, eps=0.001, momentum=None)"
    assert repr(LayerNorm(16)) == "LayerNorm(16, eps=1e-05)"


def test_integer_input_is_promoted_to_float():
    out = BatchNorm1d(2).forward(np.array([[1, 2], [3, 4]]))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [[-1, -1], [1, 1]], atol=1e-4)


# ---- errors ----

@pytest.mark.parametrize("make, x, message", [
    (lambda: BatchNorm1d(3), np.ones((4, 2)),
     r"BatchNorm1d input: expected shape \(N, 3\) or \(N, 3, L\), got \(4, 2\)"),
    (lambda: BatchNorm1d(3), np.ones(3), r"expected shape \(N, 3\) or \(N, 3, L\), got \(3,\)"),
    (lambda: BatchNorm1d(3), np.ones((4, 3, 2, 2)), r"got \(4, 3, 2, 2\)"),
    (lambda: BatchNorm2d(3), np.ones((4, 3)),
     r"BatchNorm2d input: expected shape \(N, 3, H, W\), got \(4, 3\)"),
    (lambda: BatchNorm2d(3), np.ones((4, 2, 5, 5)),
     r"expected shape \(N, 3, H, W\), got \(4, 2, 5, 5\)"),
    (lambda: LayerNorm(4), np.ones((4, 3)),
     r"LayerNorm input: expected shape \(\.\.\., 4\), got \(4, 3\)"),
    (lambda: LayerNorm(4), np.float64(2.0), r"expected shape \(\.\.\., 4\), got \(\)"),
    (lambda: BatchNorm1d(3), [["a", "b", "c"]] * 4,
     r"BatchNorm1d input: expected an array of numbers"),
])
def test_bad_inputs_raise_value_error(make, x, message):
    with pytest.raises(ValueError, match=message):
        make().forward(x)


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1), (1, 3, 1, 1)])
def test_one_value_per_channel_in_training_is_refused(shape):
    layer = BatchNorm1d(3) if len(shape) < 4 else BatchNorm2d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer.forward(np.ones(shape))
    layer.eval().forward(np.ones(shape))   # fine in eval mode
    # (N=1, H*W > 1) is allowed in training, as in PyTorch
    if len(shape) == 4:
        BatchNorm2d(3).forward(np.ones((1, 3, 2, 1)))


@pytest.mark.parametrize("kwargs, error", [
    ({"num_features": 0}, ValueError), ({"num_features": 2.5}, ValueError),
    ({"num_features": True}, ValueError), ({"num_features": 3, "eps": 0}, ValueError),
    ({"num_features": 3, "eps": -1.0}, ValueError),
    ({"num_features": 3, "eps": "small"}, TypeError),
    ({"num_features": 3, "momentum": 1.5}, ValueError),
    ({"num_features": 3, "momentum": -0.1}, ValueError),
    ({"num_features": 3, "momentum": "0.1"}, TypeError)])
def test_bad_hyperparameters(kwargs, error):
    with pytest.raises(error, match="BatchNorm1d: "):
        BatchNorm1d(**kwargs)


def test_boundary_momenta_are_allowed():
    assert BatchNorm1d(2, momentum=0).momentum == 0.0 and BatchNorm2d(2, momentum=1).momentum == 1.0


@pytest.mark.parametrize("args", [(0,), (2.0,), ((2, 3),), (4, -1e-5)])
def test_bad_layernorm_arguments(args):
    kwargs = {"eps": args[1]} if len(args) > 1 else {}
    with pytest.raises(ValueError, match="LayerNorm: "):
        LayerNorm(args[0], **kwargs)
    if len(args) == 1:
        with pytest.raises(ValueError, match=r"normalized_shape \(an int\) must be a positive"):
            LayerNorm(args[0])


@pytest.mark.parametrize("layer, shape", [(BatchNorm1d(3), (4, 3)), (LayerNorm(3), (4, 3))],
                         ids=repr)
def test_backward_errors(layer, shape):
    with pytest.raises(RuntimeError, match="before forward"):
        type(layer)(3).backward(np.ones(shape))
    layer.forward(np.random.default_rng(0).normal(size=shape))
    with pytest.raises(ValueError, match=r"expected dout of shape \(4, 3\), got \(4, 2\)"):
        layer.backward(np.ones((4, 2)))
