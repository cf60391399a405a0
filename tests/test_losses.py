"""Tests for course_lib.losses: gradients, hand-computed values, stability, errors, properties.

Gradient checks are centered differences in float64 (course_lib.gradcheck); a correct backward
agrees to a relative error below ``THRESHOLD`` (1e-7).

"No warnings" is asserted with every Python warning turned into an error and NumPy's floating-point
checks set to raise, except underflow: ``exp(-1000)`` underflowing to ``0.0`` is the correctly
rounded result, NumPy ignores underflow by default, and a stable log-sum-exp relies on it.
"""

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib import functions as F
from course_lib.gradcheck import THRESHOLD, check_loss_gradients
from course_lib.losses import EPS, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss

SEEDS = [0, 1, 2]


@contextmanager
def no_warnings():
    """Turn every warning and every floating-point problem (but underflow) into an exception."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            yield


def one_hot(labels, c):
    y = np.zeros((len(labels), c))
    y[np.arange(len(labels)), labels] = 1.0
    return y


# ---------------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1,), (5,), (4, 3), (2, 3, 4)])
def test_mse_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    err = check_loss_gradients(MSELoss(), rng.normal(size=shape), rng.normal(size=shape))
    assert err < THRESHOLD


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1,), (6,), (5, 1), (3, 4)])
@pytest.mark.parametrize("soft", [False, True], ids=["hard-targets", "soft-targets"])
def test_bce_gradient(shape, seed, soft):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, size=shape)       # away from the clipping edges
    y = rng.uniform(size=shape) if soft else rng.integers(0, 2, size=shape).astype(float)
    assert check_loss_gradients(BCELoss(), p, y) < THRESHOLD


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1,), (6,), (5, 1), (3, 4)])
@pytest.mark.parametrize("soft", [False, True], ids=["hard-targets", "soft-targets"])
def test_bce_with_logits_gradient(shape, seed, soft):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, size=shape)
    y = rng.uniform(size=shape) if soft else rng.integers(0, 2, size=shape).astype(float)
    assert check_loss_gradients(BCEWithLogitsLoss(), z, y) < THRESHOLD


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n, c", [(1, 2), (4, 3), (7, 5), (3, 10)])
@pytest.mark.parametrize("kind", ["labels", "one-hot", "probabilities"])
def test_cross_entropy_gradient(n, c, seed, kind):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2, size=(n, c))
    labels = rng.integers(0, c, size=n)
    target = {"labels": labels, "one-hot": one_hot(labels, c),
              "probabilities": F.softmax(rng.normal(size=(n, c)), axis=1)}[kind]
    assert check_loss_gradients(CrossEntropyLoss(), z, target) < THRESHOLD


def test_cross_entropy_soft_targets_not_summing_to_one_rejected():
    """(p - y) / N is the gradient only when target rows sum to 1, so other rows are refused."""
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))     # rows sum to about 1.5, not 1
    with pytest.raises(ValueError, match="rows summing to 1"):
        CrossEntropyLoss()(z, y)
    with pytest.raises(ValueError, match="rows summing to 1"):
        CrossEntropyLoss()(z, -F.softmax(z))


@pytest.mark.parametrize("loss", [MSELoss(), BCELoss(), BCEWithLogitsLoss()], ids=repr)
def test_nan_inputs_rejected(loss):
    with pytest.raises(ValueError, match="NaN"):
        loss(np.array([0.5, np.nan]), np.array([1.0, 0.0]))


def test_bce_with_logits_is_bce_after_sigmoid_chain_rule():
    """d/dz BCE(sigmoid(z)) = BCE'(p) * sigmoid'(z): the fused gradient is the chained one."""
    rng = np.random.default_rng(0)
    z, y = rng.normal(0, 3, size=(6, 2)), rng.integers(0, 2, size=(6, 2)).astype(float)
    fused, plain = BCEWithLogitsLoss(), BCELoss()
    fused(z, y)
    plain(F.sigmoid(z), y)
    np.testing.assert_allclose(fused.backward(), plain.backward() * F.sigmoid_prime(z), rtol=1e-9)


def test_backward_shape_and_fresh_array():
    rng = np.random.default_rng(0)
    for loss, pred, target in [
        (MSELoss(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))),
        (BCELoss(), rng.uniform(0.1, 0.9, size=(3, 2)), rng.integers(0, 2, size=(3, 2))),
        (BCEWithLogitsLoss(), rng.normal(size=(3, 2)), rng.integers(0, 2, size=(3, 2))),
        (CrossEntropyLoss(), rng.normal(size=(3, 4)), np.array([0, 3, 1])),
    ]:
        loss(pred, target)
        grad = loss.backward()
        assert grad.shape == pred.shape and grad.dtype == np.float64
        expected = grad.copy()
        grad[...] = 123.0                       # a caller scribbling on the gradient ...
        np.testing.assert_array_equal(loss.backward(), expected)   # ... does not corrupt the loss


# ---------------------------------------------------------------------------------------------
# values computed by hand
# ---------------------------------------------------------------------------------------------
def test_mse_hand_values():
    loss = MSELoss()
    assert loss([1.0, 2.0], [0.0, 0.0]) == pytest.approx(2.5)          # (1 + 4) / 2
    np.testing.assert_allclose(loss.backward(), [1.0, 2.0])             # 2 * [1, 2] / 2
    assert loss([[1.0, 2.0], [3.0, 4.0]], np.zeros((2, 2))) == pytest.approx(7.5)   # 30 / 4
    np.testing.assert_allclose(loss.backward(), [[0.5, 1.0], [1.5, 2.0]])
    assert loss([2.5, 0.0, 2.0], [3.0, -0.5, 2.0]) == pytest.approx(0.5 / 3)
    assert loss([3.0], [3.0]) == 0.0


def test_bce_hand_values():
    loss = BCELoss()
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4)) / 3      # 0.4149
    assert loss([0.9, 0.2, 0.6], [1.0, 0.0, 0.0]) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.41493159961539694)
    assert loss([0.5, 0.5], [1.0, 0.0]) == pytest.approx(math.log(2))
    # gradient: (p - y) / (p (1 - p)) / n
    loss([0.8], [1.0])
    np.testing.assert_allclose(loss.backward(), [-1 / 0.8])


def test_bce_with_logits_hand_values():
    loss = BCEWithLogitsLoss()
    assert loss([0.0], [1.0]) == pytest.approx(math.log(2))
    np.testing.assert_allclose(loss.backward(), [-0.5])                  # sigmoid(0) - 1
    assert loss([2.0], [1.0]) == pytest.approx(math.log1p(math.exp(-2.0)))
    assert loss([2.0], [0.0]) == pytest.approx(2.0 + math.log1p(math.exp(-2.0)))


@pytest.mark.parametrize("c", [2, 3, 10, 1000])
@pytest.mark.parametrize("value", [0.0, -7.5, 1000.0])
def test_cross_entropy_of_uniform_logits_is_log_c(c, value):
    loss = CrossEntropyLoss()
    n = 4
    assert loss(np.full((n, c), value), np.arange(n) % c) == pytest.approx(math.log(c), rel=1e-12)
    grad = loss.backward()
    expected = (np.full((n, c), 1 / c) - one_hot(np.arange(n) % c, c)) / n
    np.testing.assert_allclose(grad, expected, atol=1e-15)


def test_cross_entropy_hand_values():
    loss = CrossEntropyLoss()
    # softmax([2, 1, 0]) = e^[2, 1, 0] / (e^2 + e + 1); the true class is 0
    p0 = math.exp(2) / (math.exp(2) + math.exp(1) + 1)                  # 0.6652
    got = loss([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [0, 2])
    assert got == pytest.approx((-math.log(p0) + math.log(3)) / 2, rel=1e-12)
    assert got == pytest.approx(0.7531, abs=1e-4)
    # two classes: CE on logits [0, z] is BCE-with-logits on z
    assert loss([[0.0, 1.5]], [1]) == pytest.approx(BCEWithLogitsLoss()([1.5], [1.0]), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# equivalences
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_bce_with_logits_equals_bce_of_sigmoid(seed):
    rng = np.random.default_rng(seed)
    z = rng.uniform(-15, 15, size=(8, 3))            # moderate: sigmoid stays away from the clip
    y = rng.integers(0, 2, size=(8, 3)).astype(float)
    assert BCEWithLogitsLoss()(z, y) == pytest.approx(BCELoss()(F.sigmoid(z), y), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_labels_equal_one_hot(seed):
    rng = np.random.default_rng(seed)
    z, labels = rng.normal(0, 3, size=(6, 4)), rng.integers(0, 4, size=6)
    a, b = CrossEntropyLoss(), CrossEntropyLoss()
    assert a(z, labels) == pytest.approx(b(z, one_hot(labels, 4)), rel=1e-12)
    np.testing.assert_allclose(a.backward(), b.backward(), atol=1e-15)
    # labels stored as floats or a list are accepted too
    assert CrossEntropyLoss()(z, labels.astype(float)) == pytest.approx(a(z, labels), rel=1e-12)
    assert CrossEntropyLoss()(z.tolist(), labels.tolist()) == pytest.approx(a(z, labels), rel=1e-12)


def test_cross_entropy_is_minus_log_softmax_of_true_class():
    rng = np.random.default_rng(0)
    z, labels = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)                # naive is fine here
    expected = -np.mean(np.log(p[np.arange(5), labels]))
    assert CrossEntropyLoss()(z, labels) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# stability: finite and warning-free on extreme inputs
# ---------------------------------------------------------------------------------------------
def test_bce_at_probabilities_exactly_0_and_1():
    p, y = np.array([0.0, 1.0, 1.0, 0.0]), np.array([1.0, 0.0, 1.0, 0.0])
    loss = BCELoss()
    with no_warnings():
        value = loss(p, y)
        grad = loss.backward()
    worst = -math.log(EPS)                                               # 27.63: the clipped log(0)
    assert value == pytest.approx(2 * worst / 4, rel=1e-3)
    assert np.isfinite(grad).all()
    assert grad[0] < 0 < grad[1]                    # push p up where y = 1, down where y = 0


def test_bce_with_logits_at_plus_minus_1000():
    z, y = np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([0.0, 1.0, 1.0, 0.0])
    loss = BCEWithLogitsLoss()
    with no_warnings():
        value = loss(z, y)
        grad = loss.backward()
    assert value == pytest.approx((1000 + 1000 + 0 + 0) / 4)            # exact, no clipping
    np.testing.assert_allclose(grad, np.array([1.0, -1.0, 0.0, 0.0]) / 4)


def test_cross_entropy_at_plus_minus_1000():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 500.0], [-2000.0, -1500.0, -1800.0]])
    labels = np.array([1, 1, 0])
    for target in (labels, one_hot(labels, 3)):
        loss = CrossEntropyLoss()
        with no_warnings():
            value = loss(z, target)
            grad = loss.backward()
        assert value == pytest.approx((2000 + 0 + 500) / 3)
        np.testing.assert_allclose(grad, (np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0]])
                                          - one_hot(labels, 3)) / 3, atol=1e-12)


def test_mse_large_values_finite():
    with no_warnings():
        loss = MSELoss()
        assert loss([1e6, -1e6], [0.0, 0.0]) == pytest.approx(1e12)
        assert np.isfinite(loss.backward()).all()


# ---------------------------------------------------------------------------------------------
# readable errors
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", [MSELoss(), BCELoss(), BCEWithLogitsLoss()], ids=repr)
def test_shape_mismatch_names_both_shapes(loss):
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        loss(np.full(3, 0.5), np.full(4, 0.5))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        loss(np.full((2, 3), 0.5), np.full((3, 2), 0.5))


@pytest.mark.parametrize("loss", [MSELoss(), BCELoss(), BCEWithLogitsLoss()], ids=repr)
def test_empty_input_rejected(loss):
    with pytest.raises(ValueError, match="empty"):
        loss(np.zeros(0), np.zeros(0))


@pytest.mark.parametrize("bad", [1.5, -0.25])
def test_bce_pred_outside_0_1_names_the_range_and_the_value(bad):
    with pytest.raises(ValueError, match=r"\[0, 1\]") as info:
        BCELoss()(np.array([0.5, bad]), np.array([1.0, 0.0]))
    assert f"{bad:.4g}" in str(info.value)
    assert "BCEWithLogitsLoss" in str(info.value)       # points to the loss for raw scores


@pytest.mark.parametrize("loss", [BCELoss(), BCEWithLogitsLoss()], ids=repr)
def test_bce_target_outside_0_1_rejected(loss):
    with pytest.raises(ValueError, match=r"target must be in \[0, 1\]"):
        loss(np.array([0.5, 0.5]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("loss", [BCELoss(), BCEWithLogitsLoss()], ids=repr)
def test_bce_target_error_names_got_values(loss):
    with pytest.raises(ValueError, match=r"got .*2"):
        loss(np.array([0.5, 0.5]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("labels, got", [([0, 3], "0 to 3"), ([-1, 1], "-1 to 1"),
                                         ([0.0, 5.0], "0 to 5")])
def test_cross_entropy_labels_out_of_range(labels, got):
    with pytest.raises(ValueError, match=rf"labels must be in 0\.\.2, got values from {got}"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array(labels))


@pytest.mark.parametrize("labels", [[0.5, 1.0], [0.0, np.nan]])
def test_cross_entropy_non_integer_labels(labels):
    with pytest.raises(ValueError, match="integer labels expected, got non-integers"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array(labels))


@pytest.mark.parametrize("target_shape", [(3,), (2, 4), (2, 3, 1), (3, 3)])
def test_cross_entropy_target_shape_names_expected_and_got(target_shape):
    with pytest.raises(ValueError, match=rf"\(2,\).*\(2, 3\).*got \({target_shape[0]}"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.zeros(target_shape))


@pytest.mark.parametrize("logits_shape", [(3,), (2, 3, 4)])
def test_cross_entropy_logits_must_be_2d(logits_shape):
    with pytest.raises(ValueError, match=r"expected logits of shape \(N, C\)"):
        CrossEntropyLoss()(np.zeros(logits_shape), np.zeros(logits_shape[0], dtype=int))


def test_cross_entropy_empty_batch():
    with pytest.raises(ValueError, match="empty"):
        CrossEntropyLoss()(np.zeros((0, 3)), np.zeros(0, dtype=int))


# ---------------------------------------------------------------------------------------------
# inputs are never modified
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["mse", "bce", "bce_logits", "ce_labels", "ce_one_hot"])
def test_inputs_not_mutated(case):
    rng = np.random.default_rng(0)
    z, labels = rng.normal(0, 500, size=(4, 3)), np.array([2, 0, 1, 2])
    loss, pred, target = {
        "mse": (MSELoss(), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))),
        "bce": (BCELoss(), np.array([0.0, 1.0, 0.3]), np.array([1.0, 0.0, 1.0])),
        "bce_logits": (BCEWithLogitsLoss(), z, rng.integers(0, 2, size=(4, 3)).astype(float)),
        "ce_labels": (CrossEntropyLoss(), z, labels),
        "ce_one_hot": (CrossEntropyLoss(), z, one_hot(labels, 3)),
    }[case]
    pred_before, target_before = pred.copy(), target.copy()
    loss(pred, target)
    loss.backward()
    np.testing.assert_array_equal(pred, pred_before)
    np.testing.assert_array_equal(target, target_before)


def test_repr_has_no_address():
    assert repr(CrossEntropyLoss()) == "CrossEntropyLoss()"


# ---------------------------------------------------------------------------------------------
# properties (hypothesis)
# ---------------------------------------------------------------------------------------------
finite = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False)


@st.composite
def logits_and_labels(draw):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    z = draw(hnp.arrays(np.float64, (n, c), elements=finite))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return z, labels


@settings(max_examples=150, deadline=None)
@given(logits_and_labels())
def test_cross_entropy_nonnegative_finite_and_grad_rows_sum_to_zero(data):
    z, labels = data
    loss = CrossEntropyLoss()
    with no_warnings():
        value = loss(z, labels)
        grad = loss.backward()
    assert np.isfinite(value) and value >= 0
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)
    # each row: the true class is pushed up (gradient <= 0), every other class down (>= 0)
    n = len(labels)
    assert (grad[np.arange(n), labels] <= 0).all()
    mask = one_hot(labels, z.shape[1]) == 0
    assert (grad[mask] >= 0).all()


@settings(max_examples=100, deadline=None)
@given(logits_and_labels(), st.floats(-100, 100))
def test_cross_entropy_ignores_a_constant_added_to_every_logit(data, shift):
    z, labels = data
    assert CrossEntropyLoss()(z + shift, labels) == pytest.approx(
        CrossEntropyLoss()(z, labels), rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=finite), st.data())
def test_bce_with_logits_nonnegative_finite_and_matches_two_class_ce(z, data):
    y = data.draw(hnp.arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0])))
    loss = BCEWithLogitsLoss()
    with no_warnings():
        value = loss(z, y)
        grad = loss.backward()
    assert np.isfinite(value) and value >= 0 and np.isfinite(grad).all()
    ce = CrossEntropyLoss()(np.column_stack([np.zeros_like(z), z]), y.astype(int))
    assert value == pytest.approx(ce, rel=1e-9, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(0, 1)), st.data())
def test_bce_nonnegative_and_finite_for_any_probability(p, data):
    y = data.draw(hnp.arrays(np.float64, p.shape, elements=st.floats(0, 1)))
    loss = BCELoss()
    with no_warnings():
        value = loss(p, y)
        grad = loss.backward()
    assert np.isfinite(value) and value >= -1e-12 and np.isfinite(grad).all()


#: values on a 1e-6 grid, so a nonzero difference squared (>= 1e-12) cannot underflow to 0
grid = st.floats(-1e3, 1e3).map(lambda v: round(v, 6))


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=grid), st.data())
def test_mse_nonnegative_symmetric_zero_iff_equal(pred, data):
    target = data.draw(hnp.arrays(np.float64, pred.shape, elements=grid))
    value = MSELoss()(pred, target)
    assert value >= 0
    assert value == MSELoss()(target, pred)
    assert (value == 0) == bool(np.array_equal(pred, target))
    assert MSELoss()(pred, pred) == 0.0


# -- reference values recorded from torch.nn.functional (float64), and boundary values -------------
def test_cross_entropy_matches_torch():
    z = np.random.default_rng(0).normal(size=(4, 3)) * 3
    loss = CrossEntropyLoss()
    assert loss(z, np.array([0, 2, 1, 2])) == pytest.approx(0.9384118697327499, abs=1e-12)
    np.testing.assert_allclose(loss.backward(), [
        [-0.2093167883141625, 0.01877094630040464, 0.19054584201375788],
        [0.07561308280804348, 0.011066481445784145, -0.08667956425382761],
        [0.18585000965172394, -0.18630011847581748, 0.0004501088240935465],
        [0.0042898058954710175, 0.029449664317085213, -0.033739470212556216]], atol=1e-12)


def test_bce_with_logits_matches_torch_including_logits_of_exactly_0():
    loss = BCEWithLogitsLoss()
    z, y = np.array([-2.0, 0.0, 0.0, 3.5, -0.5]), np.array([0.0, 1.0, 0.0, 1.0, 0.3])
    assert loss(z, y) == pytest.approx(0.43340995492311807, abs=1e-12)
    np.testing.assert_allclose(loss.backward(), [0.02384058440442351, -0.1, 0.1,
                                                 -0.005862446150271272, 0.015508133759629084],
                               atol=1e-12)
    assert loss(np.zeros(3), np.array([0.0, 1.0, 0.5])) == pytest.approx(np.log(2))


def test_bce_matches_torch_away_from_the_clip():
    loss = BCELoss()
    p, t = np.array([0.1, 0.5, 0.9, 0.999]), np.array([0.0, 1.0, 1.0, 0.0])
    assert loss(p, t) == pytest.approx(1.9529058727144335, abs=1e-12)
    np.testing.assert_allclose(loss.backward(), [0.2777777777777778, -0.5, -0.2777777777777778,
                                                 250.0], rtol=1e-9)


def test_mse_matches_torch_and_is_exactly_0_on_a_perfect_fit():
    loss = MSELoss()
    a, b = np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([[0.0, -2.0], [1.5, 1.0]])
    assert loss(a, b) == 0.75
    np.testing.assert_allclose(loss.backward(), [[0.5, 0.0], [-0.5, -0.5]])
    assert loss(b, b) == 0.0 and not np.any(loss.backward())


def test_cross_entropy_of_equal_logits_is_log_c():
    loss = CrossEntropyLoss()
    assert loss(np.zeros((5, 4)), np.array([0, 1, 2, 3, 0])) == pytest.approx(np.log(4))
    grad = loss.backward()
    assert np.allclose(grad.sum(axis=1), 0.0) and grad[0, 0] == pytest.approx((0.25 - 1) / 5)


@pytest.mark.parametrize("make, pred, target", [
    (MSELoss, [2.0], [0.5]),
    (BCELoss, [0.25], [1.0]),
    (BCEWithLogitsLoss, [0.0], [1.0]),
    (CrossEntropyLoss, [[0.0, 1.0]], [1]),
])
def test_single_element_inputs(make, pred, target):
    loss = make()
    value = loss(np.array(pred), np.array(target))
    assert np.isfinite(value) and loss.backward().shape == np.shape(pred)


@pytest.mark.parametrize("make, pred, target", [
    (MSELoss, np.zeros(0), np.zeros(0)),
    (BCELoss, np.zeros(0), np.zeros(0)),
    (BCEWithLogitsLoss, np.zeros(0), np.zeros(0)),
    (CrossEntropyLoss, np.zeros((0, 3)), np.zeros(0, dtype=int)),
])
def test_empty_inputs_are_a_readable_error(make, pred, target):
    with pytest.raises(ValueError, match="empty"):
        make()(pred, target)


def test_bce_targets_exactly_0_and_1_are_allowed_just_outside_are_not():
    for loss in (BCELoss(), BCEWithLogitsLoss()):
        assert np.isfinite(loss(np.array([0.5, 0.5]), np.array([0.0, 1.0])))
        for bad in (-1e-12, 1 + 1e-12):
            with pytest.raises(ValueError, match=r"target must be in \[0, 1\]"):
                loss(np.array([0.5]), np.array([bad]))


def test_bce_clips_probabilities_of_exactly_0_and_1_at_eps():
    loss = BCELoss()
    value = loss(np.array([0.0, 1.0]), np.array([1.0, 0.0]))     # confidently, totally wrong
    assert value == pytest.approx(-np.log(1e-12), rel=1e-5)      # -log(EPS), EPS = 1e-12
    assert np.all(np.isfinite(loss.backward()))
    assert loss(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == pytest.approx(0.0, abs=1e-11)
