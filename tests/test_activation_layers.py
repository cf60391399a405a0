"""The activation layers in course_lib.layers: forward = the function, backward gradient-checked."""

import warnings

import numpy as np
import pytest

from course_lib import functions as F
from course_lib.gradcheck import THRESHOLD, check_layer_gradients
from course_lib.layers import (
    ELU,
    GELU,
    Dense,
    Identity,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

#: (factory, function, derivative) for every element-wise activation layer
ELEMENTWISE = {
    "Identity": (Identity, F.identity, F.identity_prime),
    "Sigmoid": (Sigmoid, F.sigmoid, F.sigmoid_prime),
    "Tanh": (Tanh, F.tanh, F.tanh_prime),
    "ReLU": (ReLU, F.relu, F.relu_prime),
    "LeakyReLU": (LeakyReLU, F.leaky_relu, F.leaky_relu_prime),
    "LeakyReLU(0.2)": (lambda: LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2),
                       lambda x: F.leaky_relu_prime(x, 0.2)),
    "ELU": (ELU, F.elu, F.elu_prime),
    "ELU(0.5)": (lambda: ELU(0.5), lambda x: F.elu(x, 0.5), lambda x: F.elu_prime(x, 0.5)),
    "GELU": (GELU, F.gelu, F.gelu_prime),
}
LAYERS = {name: spec[0] for name, spec in ELEMENTWISE.items()} | {"Softmax": Softmax}
SHAPES = [(1, 1), (4, 3), (7, 10), (2, 3, 5)]
SEEDS = [0, 1, 2]


def inputs(shape, seed):
    """Normal inputs pushed at least 0.05 away from 0: ReLU-like kinks stay out of the
    finite-difference window (eps = 1e-6)."""
    x = np.random.default_rng(seed).normal(0, 2, size=shape)
    return x + 0.05 * np.where(x >= 0, 1.0, -1.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", LAYERS)
def test_backward_matches_numerical_gradient(name, shape, seed):
    if name == "Softmax" and shape[-1] == 1:
        shape = (1, 2)        # softmax over one class is constant: a check there cannot fail
    layer = LAYERS[name]()
    errors = check_layer_gradients(layer, inputs(shape, seed), rng=seed)
    assert set(errors) == {"x"}                      # activations have no parameters
    assert errors["x"] < THRESHOLD, errors


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_forward_and_backward_are_the_functions(name):
    factory, f, f_prime = ELEMENTWISE[name]
    rng = np.random.default_rng(5)
    x, dout = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    layer = factory()
    assert np.allclose(layer.forward(x), f(x))
    assert np.allclose(layer.backward(dout), dout * f_prime(x))


def test_softmax_backward_is_the_jacobian_vector_product():
    rng = np.random.default_rng(2)
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    layer = Softmax()
    s = layer.forward(x)
    expected = np.stack([F.softmax_jacobian(row) @ g for row, g in zip(s, dout)])  # J symmetric
    assert np.allclose(layer.backward(dout), expected)
    assert np.allclose(s.sum(axis=-1), 1.0)


def test_softmax_gradient_of_a_constant_upstream_is_zero():
    # every row of softmax sums to 1, so adding the same value to all dout entries changes nothing
    x = np.random.default_rng(3).normal(size=(3, 4))
    layer = Softmax()
    layer.forward(x)
    assert np.allclose(layer.backward(np.full((3, 4), 2.5)), 0.0)


@pytest.mark.parametrize("name", LAYERS)
def test_inputs_and_upstream_gradient_untouched(name):
    rng = np.random.default_rng(4)
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    x0, dout0 = x.copy(), dout.copy()
    layer = LAYERS[name]()
    layer.forward(x)
    layer.backward(dout)
    assert np.array_equal(x, x0) and np.array_equal(dout, dout0)


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("value", [-1000.0, 1000.0])
def test_extreme_inputs_are_finite_and_warning_free(name, value):
    x = np.array([[value, -value, 0.5, value]])
    layer = LAYERS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            out = layer.forward(x)
            dx = layer.backward(np.ones_like(x))
    assert np.isfinite(out).all() and np.isfinite(dx).all()


def test_saturated_sigmoid_passes_no_gradient():
    layer = Sigmoid()
    layer.forward(np.array([[-1000.0, 0.0, 1000.0]]))
    assert np.allclose(layer.backward(np.ones((1, 3))), [[0.0, 0.25, 0.0]])


def test_dead_relu_units_pass_no_gradient():
    layer = ReLU()
    layer.forward(np.array([[-3.0, -0.1, 0.2, 4.0]]))
    assert np.array_equal(layer.backward(np.array([[5.0, 5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0, 5.0]])


@pytest.mark.parametrize("name", LAYERS)
def test_no_parameters_and_readable_repr(name):
    layer = LAYERS[name]()
    assert layer.params == {} and layer.grads == {} and layer.parameters() == []
    text = repr(layer)
    assert "0x" not in text and text.startswith(name.split("(")[0])


def test_reprs_show_the_hyperparameters():
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(ELU(0.5)) == "ELU(alpha=0.5)"
    assert repr(Sigmoid()) == "Sigmoid()" and repr(Softmax()) == "Softmax()"


@pytest.mark.parametrize("act", [Sigmoid, Tanh, ReLU, GELU, ELU])
@pytest.mark.parametrize("seed", [0, 1])
def test_small_network_with_activations_gradient_checks(act, seed):
    net = Sequential(Dense(3, 5, rng=seed), act(), Dense(5, 4, rng=seed + 10), Softmax())
    x = inputs((6, 3), seed)
    errors = check_layer_gradients(net, x, rng=seed)
    assert max(errors.values()) < THRESHOLD, errors
