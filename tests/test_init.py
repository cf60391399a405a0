"""course_lib.init: PyTorch's gains and fans, each scheme's scale by hand, seeding, and
Dense(init=...)."""

import math

import numpy as np
import pytest

from course_lib import init
from course_lib.layers import Dense

SCHEMES = [init.xavier_uniform, init.xavier_normal, init.kaiming_uniform, init.kaiming_normal]


@pytest.mark.parametrize("nonlinearity, param, gain", [
    ("linear", None, 1.0), ("identity", None, 1.0), ("conv2d", None, 1.0), ("sigmoid", None, 1.0),
    ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)), ("selu", None, 0.75),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))), ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ("leaky_relu", 0, math.sqrt(2)), ("leaky_relu", math.sqrt(5), math.sqrt(2 / 6)),
])
def test_calculate_gain_matches_pytorch_table(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'softplus'"):
        init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "big")
    with pytest.raises(TypeError):
        init.calculate_gain(None)


@pytest.mark.parametrize("shape, expected", [
    ((3, 5), (3, 5)),                   # our Dense layout (D_in, D_out)
    ((1, 1), (1, 1)),
    ((8, 3, 5, 5), (75, 200)),          # conv (out, in, kh, kw): fan_in = 3*25, fan_out = 8*25
    ((4, 2, 3), (6, 12)),
    ((6, 3, 2, 2, 2), (24, 48)),
])
def test_fans(shape, expected):
    assert init.fans(shape) == expected


@pytest.mark.parametrize("bad", [(5,), (), 5])
def test_fans_need_two_dimensions(bad):
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.fans(bad)


def test_bad_shape_types():
    with pytest.raises(TypeError, match="shape must be a tuple of ints"):
        init.xavier_normal(None, rng=0)
    with pytest.raises(ValueError, match="negative"):
        init.kaiming_normal((3, -1), rng=0)


# ---- the scale of each scheme, by hand; sample statistics on large draws ----

def test_xavier_uniform_bound_and_variance():
    w = init.xavier_uniform((400, 600), rng=0)
    a = math.sqrt(6 / 1000)
    assert w.shape == (400, 600) and w.dtype == np.float64
    assert np.abs(w).max() <= a and np.abs(w).max() > 0.99 * a
    assert w.std() == pytest.approx(math.sqrt(2 / 1000), rel=0.01)
    w3 = init.xavier_uniform((400, 600), gain=3.0, rng=0)
    np.testing.assert_allclose(w3, 3 * w)        # same draws, scaled by the gain


def test_xavier_normal_std():
    w = init.xavier_normal((300, 500), rng=1)
    assert w.std() == pytest.approx(math.sqrt(2 / 800), rel=0.01)
    assert abs(w.mean()) < 0.01 * w.std() * 10
    np.testing.assert_allclose(init.xavier_normal((300, 500), gain=5 / 3, rng=1), 5 / 3 * w)


@pytest.mark.parametrize("mode, fan", [("fan_in", 200), ("fan_out", 500)])
def test_kaiming_normal_std_and_modes(mode, fan):
    w = init.kaiming_normal((200, 500), mode=mode, nonlinearity="relu", rng=2)
    assert w.std() == pytest.approx(math.sqrt(2 / fan), rel=0.01)
    # PyTorch's default (leaky_relu, a=0) has the same gain as relu
    np.testing.assert_allclose(init.kaiming_normal((200, 500), mode=mode, rng=2), w)


def test_kaiming_uniform_bound_with_slope_and_conv_shape():
    w = init.kaiming_uniform((64, 16, 3, 3), a=math.sqrt(5), rng=3)   # nn.Conv2d's own default
    bound = math.sqrt(3) * math.sqrt(2 / 6) / math.sqrt(16 * 9)       # = 1 / sqrt(fan_in)
    assert bound == pytest.approx(1 / math.sqrt(144))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    w_tanh = init.kaiming_uniform((1000, 50), nonlinearity="tanh", rng=3)
    assert w_tanh.std() == pytest.approx(5 / 3 / math.sqrt(1000), rel=0.02)


def test_kaiming_modes_are_checked():
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_normal((3, 4), mode="fan_avg", rng=0)
    with pytest.raises(ValueError, match="zero fan_in"):
        init.kaiming_uniform((0, 4), rng=0)


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda f: f.__name__)
def test_seeding(scheme):
    np.testing.assert_array_equal(scheme((4, 3), rng=7), scheme((4, 3), rng=7))
    np.testing.assert_array_equal(scheme((4, 3), rng=np.random.default_rng(7)),
                                  scheme((4, 3), rng=7))
    assert not np.array_equal(scheme((4, 3), rng=7), scheme((4, 3), rng=8))
    g = np.random.default_rng(0)
    # the generator advances
    assert not np.array_equal(scheme((4, 3), rng=g), scheme((4, 3), rng=g))


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda f: f.__name__)
def test_empty_weight_is_refused_but_single_element_works(scheme):
    w = scheme((1, 1), rng=0)
    assert w.shape == (1, 1) and np.isfinite(w).all() and w[0, 0] != 0


def test_seeded_reference_values():
    np.testing.assert_allclose(init.kaiming_normal((2, 2), rng=0),
                               np.random.default_rng(0).normal(0, 1.0, (2, 2)))   # sqrt(2 / 2) = 1
    np.testing.assert_allclose(init.xavier_uniform((3, 3), rng=0),
                               np.random.default_rng(0).uniform(-1.0, 1.0, (3, 3)))  # sqrt(6 / 6)


# ---- Dense(init=...) ----

def test_dense_default_is_unchanged_bit_for_bit():
    for seed in (0, 1, 42):
        for n_in, n_out in ((3, 5), (64, 10), (1, 1)):
            ref = np.random.default_rng(seed).normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))
            np.testing.assert_array_equal(Dense(n_in, n_out, rng=seed).params["W"], ref)
            np.testing.assert_array_equal(Dense(n_in, n_out, rng=seed, init="he").params["W"], ref)


@pytest.mark.parametrize("name, fn", [("xavier", init.xavier_normal),
                                      ("xavier_normal", init.xavier_normal),
                                      ("glorot", init.xavier_normal),
                                      ("xavier_uniform", init.xavier_uniform),
                                      ("kaiming_normal", init.kaiming_normal),
                                      ("kaiming_uniform", init.kaiming_uniform),
                                      ("he_uniform", init.kaiming_uniform)])
def test_dense_init_names(name, fn):
    layer = Dense(6, 4, rng=3, init=name)
    np.testing.assert_array_equal(layer.params["W"], fn((6, 4), rng=3))
    np.testing.assert_array_equal(layer.params["b"], np.zeros(4))


def test_he_and_kaiming_normal_agree_up_to_rounding():
    np.testing.assert_allclose(Dense(7, 3, rng=0, init="kaiming_normal").params["W"],
                               Dense(7, 3, rng=0).params["W"], rtol=1e-15)


def test_dense_init_callable_gets_shape_and_rng():
    seen = {}

    def small(shape, rng):
        seen["shape"], seen["rng"] = shape, rng
        return 0.01 * rng.standard_normal(shape)

    layer = Dense(5, 2, rng=4, init=small)
    assert seen["shape"] == (5, 2) and isinstance(seen["rng"], np.random.Generator)
    expected = 0.01 * np.random.default_rng(4).standard_normal((5, 2))
    np.testing.assert_array_equal(layer.params["W"], expected)
    # a keyword-only initializer works too, and the layer owns a copy of what it returned
    const = np.full((5, 2), 0.5)
    layer = Dense(5, 2, init=lambda shape, *, rng: const)
    layer.params["W"][0, 0] = 9.0
    assert const[0, 0] == 0.5 and layer.params["W"].dtype == np.float64


def test_dense_init_errors():
    with pytest.raises(ValueError, match="unknown init 'lecun'"):
        Dense(3, 2, init="lecun")
    with pytest.raises(TypeError, match="init must be a name or a callable"):
        Dense(3, 2, init=0.01)
    with pytest.raises(ValueError, match=r"init returned shape \(2, 3\), expected \(3, 2\)"):
        Dense(3, 2, init=lambda shape, rng: np.zeros(shape[::-1]))


def test_variance_is_preserved_through_a_deep_relu_stack():
    """The point of He init: activations keep their scale through 10 ReLU layers."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 100))
    h_he, h_small = x, x
    for i in range(10):
        h_he = np.maximum(0, h_he @ init.kaiming_normal((100, 100), nonlinearity="relu", rng=i))
        h_small = np.maximum(0, h_small @ (0.01 * np.random.default_rng(i).normal(size=(100, 100))))
    assert 0.5 < np.sqrt((h_he ** 2).mean()) < 2.0           # second moment preserved
    assert np.abs(h_small).max() < 1e-8                       # 0.01 vanishes
