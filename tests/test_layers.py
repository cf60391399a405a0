"""course_lib.layers: gradchecks on random shapes and seeds, the layer contract, readable errors."""

import numpy as np
import pytest

from course_lib import layers as L
from course_lib.gradcheck import THRESHOLD, check_layer_gradients
from course_lib.layers import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    LayerNorm,
    MaxPool2d,
    MultiHeadAttention,
    PositionalEncoding,
    TransformerBlock,
)

SHAPES = [(1, 1, 1), (3, 4, 2), (5, 2, 7), (8, 6, 6)]
SEEDS = [0, 1, 2]
ACTIVATIONS = [L.Identity, L.Sigmoid, L.Tanh, L.ReLU, L.GELU, L.LeakyReLU, L.ELU, L.Softmax]


def away_from_kinks(x):
    """Move entries away from 0, where ReLU-like layers have a kink numeric gradients straddle."""
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.mark.parametrize("n, d_in, d_out", SHAPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_dense_gradients(n, d_in, d_out, seed):
    rng = np.random.default_rng(seed)
    layer = L.Dense(d_in, d_out, rng=rng)
    layer.params["b"][...] = rng.normal(size=d_out)
    errors = check_layer_gradients(layer, rng.normal(size=(n, d_in)), rng=seed + 100)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < THRESHOLD, errors


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("shape", [(1, 1), (4, 3), (2, 5, 3)])
@pytest.mark.parametrize("seed", SEEDS)
def test_activation_gradients(cls, shape, seed):
    if cls is L.Softmax and shape[-1] == 1:
        shape = (1, 2)        # softmax over one class is constant: a check there cannot fail
    rng = np.random.default_rng(seed)
    x = away_from_kinks(rng.normal(size=shape) * 2)
    errors = check_layer_gradients(cls(), x, rng=seed + 100)
    assert errors["x"] < THRESHOLD, errors


@pytest.mark.parametrize("seed", SEEDS)
def test_sequential_gradients(seed):
    rng = np.random.default_rng(seed)
    model = L.Sequential(L.Dense(3, 5, rng=rng), L.Tanh(), L.Dense(5, 4, rng=rng), L.ReLU(),
                         L.Dense(4, 2, rng=rng))
    x = rng.normal(size=(6, 3))
    errors = check_layer_gradients(model, x, rng=seed + 100)
    assert set(errors) == {"x", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}
    assert max(errors.values()) < 1e-6, errors  # a ReLU in the middle: allow a little kink noise


def test_a_planted_bug_is_caught():
    class Buggy(L.Dense):
        def backward(self, dout):
            super().backward(dout)
            self.grads["b"][...] = dout.mean(axis=0)  # should be a sum
            return dout @ self.params["W"].T

    x = np.random.default_rng(1).normal(size=(5, 3))
    errors = check_layer_gradients(Buggy(3, 2, rng=0), x, rng=2)
    assert errors["b"] > 1e-2 and errors["W"] < THRESHOLD


@pytest.mark.parametrize("layer", [L.Dense(3, 2, rng=0), L.ReLU(), L.Tanh(), L.Sigmoid(), L.GELU(),
                                   L.LeakyReLU(0.1), L.ELU(), L.Softmax(), L.Identity(),
                                   L.Sequential(L.Dense(3, 4, rng=0), L.ReLU(),
                                                L.Dense(4, 2, rng=1))],
                         ids=repr)
def test_backward_never_modifies_dout(layer):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(dout, before)


def test_forward_does_not_modify_x():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    before = x.copy()
    L.Sequential(L.Dense(3, 4, rng=0), L.ReLU(), L.Dense(4, 2, rng=1), L.Softmax()).forward(x)
    np.testing.assert_array_equal(x, before)


def test_dense_shapes_and_init():
    layer = L.Dense(50, 7, rng=0)
    assert layer.params["W"].shape == (50, 7) and layer.params["b"].shape == (7,)
    assert np.all(layer.params["b"] == 0)
    assert abs(layer.params["W"].std() - np.sqrt(2 / 50)) < 0.03  # He initialisation
    assert layer.forward(np.ones((4, 50))).shape == (4, 7)
    assert np.array_equal(L.Dense(5, 3, rng=3).params["W"], L.Dense(5, 3, rng=3).params["W"])
    assert repr(layer) == "Dense(W=(50, 7), b=(7,))"


def test_dense_errors_are_readable():
    with pytest.raises(ValueError, match=r"Dense input: expected shape \(N, 3\), got \(4, 5\)"):
        L.Dense(3, 2).forward(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"expected shape \(N, 3\), got \(3,\)"):
        L.Dense(3, 2).forward(np.ones(3))
    for bad in (0, -1, 2.5, "3"):
        with pytest.raises(ValueError, match="n_inputs must be a positive integer"):
            L.Dense(bad, 2)
    with pytest.raises(ValueError, match="n_outputs"):
        L.Dense(2, 0)


def test_check_shape():
    x = np.ones((4, 5))
    assert L.check_shape(x, (None, 5)) is x
    assert L.check_shape([[1, 2]], ("N", 2)).shape == (1, 2)
    with pytest.raises(ValueError, match=r"layer: expected shape \(N, 3\), got \(4, 5\)"):
        L.check_shape(x, (None, 3), "layer")
    with pytest.raises(ValueError, match=r"expected shape \(B, \*, 5\), got \(4, 5\)"):
        L.check_shape(x, ("B", None, 5))
    with pytest.raises(ValueError, match=r"expected shape \(3,\)"):
        L.check_shape(np.ones(4), (3,))
    with pytest.raises(ValueError, match="array of numbers"):
        L.check_shape({"a": 1}, (None,), "thing")


def test_sequential_params_share_memory_with_layers():
    model = L.Sequential(L.Dense(3, 4, rng=0), L.ReLU(), L.Dense(4, 2, rng=1))
    assert list(model.params) == ["0.W", "0.b", "2.W", "2.b"]
    assert list(model.grads) == list(model.params)
    assert model.params["0.W"] is model[0].params["W"]
    assert model.grads["2.b"] is model[2].grads["b"]
    model.params["0.W"][0, 0] = 42.0                       # writing through the flat dict ...
    assert model[0].params["W"][0, 0] == 42.0              # ... changes the layer
    layer_pairs = [*model[0].parameters(), *model[2].parameters()]
    for (p, g), (lp, lg) in zip(model.parameters(), layer_pairs):
        assert p is lp and g is lg
    x = np.random.default_rng(0).normal(size=(5, 3))
    model.backward(np.ones_like(model.forward(x)))
    assert np.any(model[0].grads["W"] != 0)
    model.zero_grad()
    assert all(not np.any(g) for g in model.grads.values())


def test_sequential_train_eval_propagates():
    model = L.Sequential(L.Dense(2, 2), L.ReLU(), L.Sequential(L.Dense(2, 2), L.Tanh()))
    assert model.training and all(layer.training for layer in model)
    assert model.eval() is model
    assert not model.training and not model[1].training and not model[2][1].training
    model.train()
    assert model.training and model[2][0].training
    model.train(False)
    assert not model[0].training


def test_sequential_construction():
    a, b = L.Dense(2, 3), L.ReLU()
    assert L.Sequential([a, b]).layers == [a, b] == L.Sequential(a, b).layers
    assert len(L.Sequential(a, b)) == 2 and list(L.Sequential(a, b)) == [a, b]
    with pytest.raises(ValueError, match="item 1 should be a Layer, got ufunc"):
        L.Sequential(a, np.tanh)
    assert "(0): Dense(W=(2, 3), b=(3,))" in repr(L.Sequential(a, b))


def test_base_layer():
    layer = L.Layer()
    with pytest.raises(NotImplementedError):
        layer.forward(np.ones(2))
    with pytest.raises(NotImplementedError):
        layer.backward(np.ones(2))
    assert layer.parameters() == [] and layer.training
    relu = L.ReLU()
    np.testing.assert_array_equal(relu(np.array([-1.0, 2.0])), [0.0, 2.0])  # __call__ is forward


def test_activations_are_finite_on_extreme_inputs():
    x = np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        for cls in ACTIVATIONS:
            layer = cls()
            out = layer.forward(x)
            dx = layer.backward(np.ones_like(out))
            assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx)), cls.__name__


def test_relu_gradient_at_zero_is_zero():
    relu = L.ReLU()
    relu.forward(np.array([0.0, 1.0, -1.0]))
    np.testing.assert_array_equal(relu.backward(np.array([5.0, 5.0, 5.0])), [0.0, 5.0, 0.0])


# -- item 27: Sigmoid and Tanh differentiate through their cached output ---------------------------
@pytest.mark.parametrize("cls, local", [(L.Sigmoid, lambda out: out * (1 - out)),
                                        (L.Tanh, lambda out: 1 - out ** 2)])
def test_sigmoid_and_tanh_backward_use_the_cached_output(cls, local):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    layer = cls()
    out = layer.forward(x)
    saved = out.copy()
    x[...] = 100.0                              # the caller reuses its input buffer afterwards
    dout = rng.normal(size=(4, 3))
    np.testing.assert_allclose(layer.backward(dout), dout * local(saved), rtol=1e-15)


@pytest.mark.parametrize("cls", ACTIVATIONS)
def test_activation_at_exactly_zero(cls):
    layer = cls()
    out = layer.forward(np.zeros((1, 1)))
    dx = layer.backward(np.ones((1, 1)))
    want = {"Identity": (0.0, 1.0), "Sigmoid": (0.5, 0.25), "Tanh": (0.0, 1.0),
            "ReLU": (0.0, 0.0), "GELU": (0.0, 0.5), "LeakyReLU": (0.0, 0.01), "ELU": (0.0, 1.0),
            "Softmax": (1.0, 0.0)}                  # one class: probability 1, no gradient
    assert (out.item(), dx.item()) == pytest.approx(want[cls.__name__])


def test_empty_batch_through_a_network():
    model = L.Sequential(L.Dense(3, 4, rng=0), L.ReLU(), L.Dense(4, 2, rng=1))
    out = model.forward(np.zeros((0, 3)))
    assert out.shape == (0, 2)
    dx = model.backward(np.zeros((0, 2)))
    assert dx.shape == (0, 3) and not np.any(model.grads["0.W"])


# -- item 27: Sequential is a Container; its params/grads are read-only views ----------------------
def test_sequential_params_and_grads_cannot_be_assigned():
    model = L.Sequential(L.Dense(2, 3, rng=0), L.ReLU())
    with pytest.raises(AttributeError):
        model.params = {}
    with pytest.raises(AttributeError):
        model.grads = {}
    assert list(model.params) == ["0.W", "0.b"]              # nothing was silently dropped
    assert "params" not in vars(model) and "grads" not in vars(model)


def test_nested_sequential_names_and_shared_memory():
    inner = L.Sequential(L.Dense(2, 2, rng=0), L.Tanh())
    model = L.Sequential(L.Dense(3, 2, rng=1), inner)
    assert list(model.params) == ["0.W", "0.b", "1.0.W", "1.0.b"]
    assert model.params["1.0.W"] is inner[0].params["W"]
    assert model.grads["1.0.b"] is inner[0].grads["b"]
    assert len(model.parameters()) == 4
    assert isinstance(model, L.Layer) and model.training


def test_empty_sequential_is_the_identity():
    model = L.Sequential()
    x = np.arange(6.0).reshape(2, 3)
    assert model.forward(x) is x and model.backward(x) is x
    assert model.params == {} and model.parameters() == [] and len(model) == 0
    model.zero_grad()
    assert model.eval() is model and not model.training


# -- the contract every parametric layer keeps: grads are written in place, never rebound ----------
def parametric_layers():
    rng = np.random.default_rng(0)
    return {
        "Dense": (L.Dense(3, 4, rng=0), rng.normal(size=(5, 3))),
        "Dense-3d": (L.Dense(3, 4, rng=0), rng.normal(size=(4, 2, 3))),
        "Conv2d": (Conv2d(2, 3, 3, padding=1, rng=0), rng.normal(size=(4, 2, 5, 5))),
        "BatchNorm1d": (BatchNorm1d(3), rng.normal(size=(6, 3))),
        "BatchNorm2d": (BatchNorm2d(2), rng.normal(size=(4, 2, 3, 3))),
        "LayerNorm": (LayerNorm(3), rng.normal(size=(5, 3))),
        "Embedding": (Embedding(7, 3, rng=0), rng.integers(0, 7, size=(4, 5))),
        "MultiHeadAttention": (MultiHeadAttention(4, 2, rng=0), rng.normal(size=(4, 3, 4))),
        "TransformerBlock": (TransformerBlock(4, 2, 8, rng=0), rng.normal(size=(4, 3, 4))),
        "Sequential": (L.Sequential(L.Dense(3, 4, rng=0), L.Tanh(), L.Dense(4, 2, rng=1)),
                       rng.normal(size=(5, 3))),
    }


@pytest.mark.parametrize("name", list(parametric_layers()))
def test_backward_writes_grads_in_place_and_never_rebinds(name):
    layer, x = parametric_layers()[name]
    params = dict(layer.params)
    grads = dict(layer.grads)
    assert params and set(params) == set(grads)
    for _ in range(2):                                      # a second pass must not rebind either
        out = layer.forward(x)
        layer.backward(np.random.default_rng(1).normal(size=np.shape(out)))
        for k in params:
            assert layer.params[k] is params[k], f"{name}: params[{k!r}] was rebound"
            assert layer.grads[k] is grads[k], f"{name}: grads[{k!r}] was rebound"
            assert grads[k].shape == params[k].shape
    assert any(np.any(g != 0) for g in grads.values())      # the writes reached the arrays


def every_layer():
    """One instance of every layer in course_lib.layers, with an input it accepts."""
    rng = np.random.default_rng(3)
    cases = dict(parametric_layers())
    cases.update({
        "Dropout": (Dropout(0.3, rng=0), rng.normal(size=(6, 4))),
        "MaxPool2d": (MaxPool2d(2), rng.normal(size=(4, 2, 4, 4))),
        "AvgPool2d": (AvgPool2d(2), rng.normal(size=(4, 2, 4, 4))),
        "Flatten": (Flatten(), rng.normal(size=(4, 2, 3, 3))),
        "PositionalEncoding": (PositionalEncoding(8, 4), rng.normal(size=(4, 3, 4))),
        "Softmax": (L.Softmax(), rng.normal(size=(4, 3))),
        "Identity": (L.Identity(), rng.normal(size=(4, 3))),
    })
    for cls in (L.Sigmoid, L.Tanh, L.ReLU, L.GELU, L.LeakyReLU, L.ELU):
        cases[cls.__name__] = (cls(), rng.normal(size=(4, 3)))
    return cases


@pytest.mark.parametrize("name", list(every_layer()))
@pytest.mark.parametrize("training", [True, False])
def test_no_layer_modifies_its_input_or_upstream_gradient(name, training):
    layer, x = every_layer()[name]
    layer.train(training)
    assert layer.training is training
    x_before = x.copy()
    out = layer.forward(x)
    dout = np.random.default_rng(4).normal(size=np.shape(out))
    dout_before = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)
    if np.issubdtype(np.asarray(x).dtype, np.floating):
        assert np.shape(dx) == np.shape(x)


@pytest.mark.parametrize("name", list(every_layer()))
def test_train_and_eval_toggle_every_layer_and_return_it(name):
    layer, _ = every_layer()[name]
    assert layer.training
    assert layer.eval() is layer and not layer.training
    assert layer.train() is layer and layer.training
    assert layer.train(False) is layer and not layer.training
    if isinstance(layer, L.Sequential):
        assert not any(child.training for child in layer)


def test_parameters_pairs_each_param_with_its_own_gradient():
    layer = L.Dense(3, 2, rng=0)
    pairs = layer.parameters()
    assert [(p is layer.params[k], g is layer.grads[k]) for (p, g), k in zip(pairs, "Wb")] == \
        [(True, True), (True, True)]
