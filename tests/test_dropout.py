"""course_lib.layers.Dropout: statistics, train/eval, the same mask in backward, gradient checks."""

import numpy as np
import pytest

from course_lib.gradcheck import THRESHOLD, check_layer_gradients
from course_lib.layers import Dense, Dropout, ReLU, Sequential


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_kept_fraction_and_scale(p):
    x = np.random.default_rng(0).uniform(1, 2, size=(400, 500))
    out = Dropout(p, rng=1).forward(x)
    kept = out != 0
    n = x.size
    # binomial: the kept fraction is within 5 standard deviations of 1 - p
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-15)
    # inverted scaling keeps the expected value: mean(out) ~ mean(x)
    assert abs(out.mean() - x.mean()) < 0.01


def test_hand_computed_example():
    drop = Dropout(0.25, rng=0)
    x = np.array([[1.0, -2.0, 3.0, 4.0]])
    with drop.freeze_mask():
        drop.forward(x)                          # draws a mask
        drop.mask[...] = [[True, False, True, True]]
        out = drop.forward(x)
    np.testing.assert_array_equal(out, [[4 / 3, 0.0, 4.0, 16 / 3]])
    dx = drop.backward(np.array([[3.0, 5.0, -6.0, 0.75]]))
    np.testing.assert_array_equal(dx, [[4.0, 0.0, -8.0, 1.0]])


def test_backward_goes_through_the_same_mask():
    rng = np.random.default_rng(3)
    drop = Dropout(0.4, rng=4)
    x = rng.normal(size=(6, 7))
    out = drop.forward(x)
    dout = rng.normal(size=x.shape)
    dout_copy = dout.copy()
    dx = drop.backward(dout)
    np.testing.assert_array_equal(dout, dout_copy)               # dout untouched
    np.testing.assert_allclose(dx, dout * drop.mask / 0.6, rtol=1e-15)
    np.testing.assert_array_equal(dx == 0, out == 0)              # zero exactly where dropped
    assert drop.mask.dtype == bool and drop.mask.shape == x.shape


def test_eval_mode_is_the_identity():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3))
    x_copy = x.copy()
    drop = Dropout(0.9, rng=0).eval()
    out = drop.forward(x)
    np.testing.assert_array_equal(out, x)
    assert out is not x
    out[...] = 0                                    # changing the output leaves the input alone
    np.testing.assert_array_equal(x, x_copy)
    dout = rng.normal(size=x.shape)
    np.testing.assert_array_equal(drop.backward(dout), dout)
    assert drop.mask is None                        # eval draws no mask
    drop.train()
    assert not np.array_equal(drop.forward(x), x)   # back in training: dropping again


def test_p_zero_and_p_one():
    x = np.random.default_rng(6).normal(size=(5, 4))
    np.testing.assert_array_equal(Dropout(0.0, rng=0).forward(x), x)
    one = Dropout(1.0, rng=0)
    out = one.forward(x)
    np.testing.assert_array_equal(out, np.zeros_like(x))
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(one.backward(np.ones_like(x)), np.zeros_like(x))


def test_single_element_and_empty():
    drop = Dropout(0.5, rng=0)
    assert drop.forward(np.array([2.0])).shape == (1,)
    assert drop.forward(np.array([2.0]))[0] in (0.0, 4.0)
    out = drop.forward(np.zeros((0, 3)))
    assert out.shape == (0, 3)
    assert drop.backward(np.zeros((0, 3))).shape == (0, 3)


def test_fresh_mask_every_forward_and_seeded():
    x = np.ones((8, 8))
    a, b, c = Dropout(0.5, rng=7), Dropout(0.5, rng=7), Dropout(0.5, rng=8)
    a1, a2 = a.forward(x), a.forward(x)
    assert not np.array_equal(a1, a2)
    np.testing.assert_array_equal(b.forward(x), a1)
    np.testing.assert_array_equal(b.forward(x), a2)
    assert not np.array_equal(c.forward(x), a1)
    gen = np.random.default_rng(9)
    shared = Dropout(0.5, rng=gen)
    assert shared.rng is gen                        # a Generator is used, not copied


def test_freeze_mask_holds_and_restores():
    x = np.ones((4, 5))
    drop = Dropout(0.5, rng=0)
    assert drop.frozen is False
    with drop.freeze_mask() as same:
        assert same is drop and drop.frozen
        first = drop.forward(x)
        np.testing.assert_array_equal(drop.forward(x), first)
        with drop.freeze_mask():
            pass
        assert drop.frozen                          # the inner block restored "frozen"
        new_shape = drop.forward(np.ones((2, 5)))    # another shape: a new mask is drawn
        assert drop.mask.shape == (2, 5) and new_shape.shape == (2, 5)
    assert drop.frozen is False
    with pytest.raises(KeyError):
        with drop.freeze_mask():
            raise KeyError("boom")
    assert drop.frozen is False                     # restored after an exception too


@pytest.mark.parametrize("shape", [(4, 3), (5, 2, 6), (8, 1)])
@pytest.mark.parametrize("p", [0.2, 0.5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_check_with_frozen_mask(shape, p, seed):
    rng = np.random.default_rng(seed)
    drop = Dropout(p, rng=seed + 10)
    with drop.freeze_mask():
        errors = check_layer_gradients(drop, rng.normal(size=shape), rng=seed + 100)
    assert errors["x"] < THRESHOLD, errors


def test_gradient_check_without_frozen_mask_fails():
    # a fresh mask on every forward: the finite differences measure noise, not the gradient
    x = np.random.default_rng(0).normal(size=(6, 5))
    errors = check_layer_gradients(Dropout(0.5, rng=1), x, rng=2)
    assert errors["x"] > 1e-2


def test_in_a_sequential_model():
    rng = np.random.default_rng(11)
    drop = Dropout(0.3, rng=12)
    model = Sequential(Dense(3, 6, rng=rng), ReLU(), drop, Dense(6, 2, rng=rng))
    x = rng.normal(size=(5, 3))
    with drop.freeze_mask():
        errors = check_layer_gradients(model, x, rng=13)
    assert max(errors.values()) < 1e-6, errors
    model.eval()
    assert drop.training is False
    np.testing.assert_array_equal(model.forward(x), model.forward(x))   # deterministic in eval
    model.train()
    assert drop.training is True


def test_dtypes():
    x32 = np.ones((4, 4), dtype=np.float32)
    out = Dropout(0.5, rng=0).forward(x32)
    assert out.dtype == np.float32 and set(np.unique(out)) <= {0.0, 2.0}
    assert Dropout(0.5, rng=0).forward(np.ones((3, 3), dtype=int)).dtype == np.float64


@pytest.mark.parametrize("p, exc", [(-0.1, ValueError), (1.5, ValueError),
                                    (float("nan"), ValueError),
                                    ("0.5", TypeError), (True, TypeError), (None, TypeError)])
def test_bad_p(p, exc):
    with pytest.raises(exc, match="Dropout: p"):
        Dropout(p)


def test_errors_in_use():
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout(0.5).backward(np.ones((2, 2)))
    drop = Dropout(0.5, rng=0)
    drop.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"expected dout of shape \(2, 3\)"):
        drop.backward(np.ones((3, 2)))
    with pytest.raises(ValueError, match="scalar"):
        drop.forward(3.0)


def test_repr_and_no_params():
    drop = Dropout(0.25)
    assert repr(drop) == "Dropout(p=0.25)"
    assert drop.params == {} and drop.grads == {} and drop.parameters() == []
