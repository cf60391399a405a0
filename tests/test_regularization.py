"""course_lib.regularization: the L2 penalty, its gradient, and SGD's weight_decay is the same."""

import numpy as np
import pytest

from course_lib import data
from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.layers import Dense, ReLU, Sequential
from course_lib.losses import CrossEntropyLoss
from course_lib.optim import SGD
from course_lib.regularization import l2_penalty, l2_penalty_grad


def test_hand_computed():
    params = {"W": np.array([[1.0, -2.0], [0.0, 3.0]]), "b": np.array([0.5])}
    assert l2_penalty(params, 0.1) == pytest.approx(0.05 * (1 + 4 + 9 + 0.25), rel=1e-15)
    grads = l2_penalty_grad(params, 0.1)
    assert list(grads) == ["W", "b"]
    np.testing.assert_allclose(grads["W"], [[0.1, -0.2], [0.0, 0.3]], rtol=1e-15)
    np.testing.assert_allclose(grads["b"], [0.05], rtol=1e-15)
    assert l2_penalty([np.array([2.0])], 1.0) == 2.0
    assert isinstance(l2_penalty_grad([np.array([2.0])], 1.0), list)


def test_boundaries_and_inputs_untouched():
    w = np.array([1.0, 2.0])
    assert l2_penalty({}, 0.5) == 0.0 and l2_penalty_grad([], 0.5) == []
    assert l2_penalty([w], 0.0) == 0.0
    np.testing.assert_array_equal(l2_penalty_grad([w], 0.0)[0], [0.0, 0.0])
    g = l2_penalty_grad([w], 2.0)[0]
    assert g is not w
    np.testing.assert_array_equal(w, [1.0, 2.0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_is_numerically_right(seed):
    rng = np.random.default_rng(seed)
    params = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5)}
    grads = l2_penalty_grad(params, 0.37)
    for k, p in params.items():
        num = numerical_gradient(lambda: l2_penalty(params, 0.37), p)
        assert rel_error(grads[k], num) < 1e-7


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_weight_decay_is_the_l2_gradient(momentum):
    X, y = data.spiral(10, 3, rng=0)
    models = [Sequential(Dense(2, 8, rng=1), ReLU(), Dense(8, 3, rng=2)) for _ in range(2)]
    decayed = SGD(models[0], lr=0.1, momentum=momentum, weight_decay=0.05)
    plain = SGD(models[1], lr=0.1, momentum=momentum)
    loss_fn = CrossEntropyLoss()
    for _ in range(5):
        for model, opt in zip(models, (decayed, plain)):
            opt.zero_grad()
            loss_fn(model.forward(X), y)
            model.backward(loss_fn.backward())
            if opt is plain:                                  # add the penalty's gradient by hand
                for k, g in l2_penalty_grad(model.params, 0.05).items():
                    model.grads[k][...] += g
            opt.step()
    for k in models[0].params:
        np.testing.assert_allclose(models[0].params[k], models[1].params[k], rtol=1e-12,
                                   atol=1e-14)


@pytest.mark.parametrize("fn", [l2_penalty, l2_penalty_grad])
def test_errors(fn):
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        fn([np.ones(2)], -1.0)
    with pytest.raises(TypeError, match="weight_decay must be a number"):
        fn([np.ones(2)], "0.1")
    with pytest.raises(TypeError, match="params must be a dict"):
        fn(np.ones(2), 0.1)
