"""gradcheck must pass correct layers and catch wrong ones."""

import warnings

import numpy as np
import pytest

from course_lib.gradcheck import (
    THRESHOLD,
    CannotFailWarning,
    check_layer_gradients,
    check_loss_gradients,
    numerical_gradient,
    rel_error,
)
from course_lib.layers import Dense, Layer
from course_lib.losses import MSELoss


class WrongTransposeDense(Dense):
    """dx uses W instead of W^T: the shapes only work for square W, which is how it hides."""

    def backward(self, dout):
        super().backward(dout)
        return dout @ self.params["W"]


class WrongBiasDense(Dense):
    """db summed over the wrong axis: a typical mistake."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["b"][...] = dout.sum(axis=1).mean()
        return dx


class InPlaceReLU(Layer):
    """Correct values, but it writes into dout."""

    def forward(self, x):
        self._x = x
        return np.maximum(x, 0)

    def backward(self, dout):
        dout[self._x <= 0] = 0
        return dout


class Square(Layer):
    """out = x**2 with a forgotten factor 2 when ``buggy``."""

    def __init__(self, buggy):
        super().__init__()
        self.buggy = buggy

    def forward(self, x):
        self._x = x
        return x ** 2

    def backward(self, dout):
        return dout * (self._x if self.buggy else 2 * self._x)


def test_numerical_gradient_of_known_function():
    x = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient(lambda: np.sum(x ** 3), x)
    assert np.allclose(grad, 3 * np.array([1.0, 4.0, 9.0]), rtol=1e-7)
    assert np.array_equal(x, [1.0, -2.0, 3.0])  # restored after nudging


def test_numerical_gradient_rejects_integer_arrays():
    with pytest.raises(ValueError, match="float NumPy array"):
        numerical_gradient(lambda: 0.0, np.array([1, 2, 3]))


def test_rel_error_values():
    assert rel_error(np.ones(3), np.ones(3)) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(0.5)
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.ones(2), np.ones(3))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n, d_in, d_out", [(1, 1, 1), (4, 3, 3), (7, 5, 2)])
def test_correct_dense_passes(seed, n, d_in, d_out):
    rng = np.random.default_rng(seed)
    layer, x = Dense(d_in, d_out, rng=seed), rng.normal(size=(n, d_in))
    errors = check_layer_gradients(layer, x, rng=seed)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < THRESHOLD


def test_catches_missing_transpose():
    rng = np.random.default_rng(0)
    errors = check_layer_gradients(WrongTransposeDense(4, 4, rng=0), rng.normal(size=(5, 4)), rng=0)
    assert errors["x"] > 1e-2
    assert errors["W"] < THRESHOLD


def test_catches_wrong_bias_axis():
    rng = np.random.default_rng(1)
    errors = check_layer_gradients(WrongBiasDense(3, 2, rng=1), rng.normal(size=(6, 3)), rng=1)
    assert errors["b"] > 1e-2


def test_catches_forgotten_factor():
    x = np.random.default_rng(2).normal(size=(3, 4))
    assert check_layer_gradients(Square(buggy=False), x, rng=0)["x"] < THRESHOLD
    assert check_layer_gradients(Square(buggy=True), x, rng=0)["x"] > 1e-2


def test_in_place_dout_is_reported():
    with pytest.raises(AssertionError, match="modified dout in place"):
        check_layer_gradients(InPlaceReLU(), np.random.default_rng(3).normal(size=(4, 3)), rng=0)


def test_does_not_mutate_callers_x():
    x = np.random.default_rng(4).normal(size=(2, 3))
    before = x.copy()
    check_layer_gradients(Dense(3, 2, rng=0), x, rng=0)
    assert np.array_equal(x, before)


def test_loss_gradients():
    rng = np.random.default_rng(5)
    pred, target = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    assert check_loss_gradients(MSELoss(), pred, target) < THRESHOLD


def test_same_seed_for_x_and_dout_does_not_hide_a_transposed_dW():
    """With x drawn from default_rng(0) and rng=0, dout must still differ from x."""

    class TransposedDW(Dense):
        def backward(self, dout):
            dx = super().backward(dout)
            self.grads["W"][...] = dout.T @ self._x  # (D_out, D_in): only fits when square
            return dx

    x = np.random.default_rng(0).normal(size=(4, 4))
    errors = check_layer_gradients(TransposedDW(4, 4, rng=1), x, rng=0)
    assert errors["W"] > 1e-2


class RebindingDense(Dense):
    """Right values, but backward rebinds self.grads["W"]: an optimizer would never see them."""

    def backward(self, dout):
        self.grads["W"] = self._x.T @ dout
        self.grads["b"][...] = dout.sum(axis=0)
        return dout @ self.params["W"].T


def test_rebinding_grads_is_refused_with_what_to_write():
    x = np.random.default_rng(6).normal(size=(5, 3))
    with pytest.raises(AssertionError, match=r"rebinds self.grads\['W'\] to a new array") as info:
        check_layer_gradients(RebindingDense(3, 2, rng=0), x, rng=0)
    assert "self.grads['W'][...] = ..." in str(info.value)


def test_rebinding_layer_would_not_train_with_an_optimizer():
    """Why the identity check matters: optim.SGD holds the original arrays."""
    from course_lib import optim
    layer = RebindingDense(3, 2, rng=0)
    opt = optim.SGD(layer, lr=0.1)
    before = layer.params["W"].copy()
    layer.backward(layer.forward(np.ones((4, 3))))
    opt.step()
    assert np.array_equal(layer.params["W"], before)  # the step used the stale zero gradient


class Constant(Layer):
    """The output does not depend on x (like batch norm's training mode on a batch of one)."""

    def forward(self, x):
        return np.zeros_like(x) + 1.5

    def backward(self, dout):
        return np.zeros_like(dout)


def test_a_check_that_cannot_fail_is_refused():
    with pytest.warns(CannotFailWarning, match="does not depend on x"):
        check_layer_gradients(Constant(), np.random.default_rng(7).normal(size=(4, 3)), rng=0)


def test_softmax_over_one_class_warns_and_over_three_does_not():
    from course_lib.layers import Softmax
    rng = np.random.default_rng(8)
    with pytest.warns(CannotFailWarning, match="batch of at least 2"):
        check_layer_gradients(Softmax(), rng.normal(size=(4, 1)), rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        errors = check_layer_gradients(Softmax(), rng.normal(size=(4, 3)), rng=0)
    assert errors["x"] < THRESHOLD


def test_relu_with_only_negative_inputs_is_refused():
    from course_lib.layers import ReLU
    with pytest.warns(CannotFailWarning, match="cannot fail"):
        check_layer_gradients(ReLU(), -np.ones((4, 3)), rng=0)
