"""course_lib.functions: values, derivatives against finite differences, stability, properties."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib import functions as F
from course_lib.gradcheck import THRESHOLD, rel_error

NAMES = list(F.ACTIVATIONS)
#: functions with a kink at 0, where the finite difference is meaningless
KINKED = {"step", "relu", "leaky_relu"}
#: everything that must be finite and warning-free for any input (NaN aside)
STRICT = dict(over="raise", divide="raise", invalid="raise", under="ignore")


def numeric_derivative(f, x, eps=1e-6):
    """Centered difference of an element-wise function, for all elements at once."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def away_from_zero(x, gap=1e-3):
    """Move inputs off the kink at 0, so a one-sided slope is not mistaken for a bug."""
    return np.where(np.abs(x) < gap, np.sign(x) * gap + (x == 0) * gap, x)


# -- known values -------------------------------------------------------------------------------

def test_sigmoid_known_values():
    assert F.sigmoid(0.0) == 0.5
    assert abs(float(F.sigmoid(1.0)) - 0.7311) < 1e-4
    assert abs(float(F.sigmoid(1.0)) - 1 / (1 + math.exp(-1))) < 1e-15
    assert abs(float(F.sigmoid(5.0)) - 0.9933) < 1e-4
    assert abs(float(F.sigmoid(-1.0)) - 0.2689) < 1e-4
    assert float(F.sigmoid_prime(0.0)) == 0.25


@pytest.mark.parametrize("name, x, fx, dfx", [
    ("identity", -2.5, -2.5, 1.0),
    ("step", -0.1, 0.0, 0.0),
    ("step", 0.0, 0.0, 0.0),
    ("step", 0.1, 1.0, 0.0),
    ("tanh", 1.0, 0.7615941559557649, 1 - 0.7615941559557649 ** 2),
    ("tanh", 0.0, 0.0, 1.0),
    ("relu", -3.0, 0.0, 0.0),
    ("relu", 0.0, 0.0, 0.0),           # PyTorch's convention at the kink
    ("relu", 2.0, 2.0, 1.0),
    ("leaky_relu", -2.0, -0.02, 0.01),
    ("leaky_relu", 3.0, 3.0, 1.0),
    ("elu", -1.0, math.exp(-1) - 1, math.exp(-1)),
    ("elu", 2.0, 2.0, 1.0),
    ("gelu", 1.0, 0.8411919906082768, None),
    ("gelu", 0.0, 0.0, 0.5),
])
def test_known_values(name, x, fx, dfx):
    f, f_prime = F.ACTIVATIONS[name]
    assert float(f(x)) == pytest.approx(fx, abs=1e-12)
    if dfx is not None:
        assert float(f_prime(x)) == pytest.approx(dfx, abs=1e-12)


def test_parameters_are_used():
    assert float(F.leaky_relu(-2.0, negative_slope=0.2)) == pytest.approx(-0.4)
    assert float(F.leaky_relu_prime(-2.0, negative_slope=0.2)) == pytest.approx(0.2)
    assert float(F.elu(-1.0, alpha=0.5)) == pytest.approx(0.5 * (math.exp(-1) - 1))
    assert float(F.elu_prime(-1.0, alpha=0.5)) == pytest.approx(0.5 * math.exp(-1))


def test_gelu_is_close_to_the_exact_erf_form():
    x = np.linspace(-6, 6, 601)
    exact = 0.5 * x * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x]))
    assert np.abs(F.gelu(x) - exact).max() < 1e-3      # the tanh approximation is ~5e-4 off


def test_tanh_is_a_rescaled_sigmoid():
    x = np.linspace(-20, 20, 401)
    assert np.allclose(F.tanh(x), 2 * F.sigmoid(2 * x) - 1, atol=1e-12)


# -- derivatives against finite differences ----------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name, seed):
    f, f_prime = F.ACTIVATIONS[name]
    x = np.random.default_rng(seed).normal(0, 3, size=(7, 5))
    if name in KINKED:
        x = away_from_zero(x)
    assert rel_error(f_prime(x), numeric_derivative(f, x)) < THRESHOLD


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("negative_slope", [0.01, 0.2])
def test_parametrised_derivatives_match_finite_differences(alpha, negative_slope):
    x = away_from_zero(np.random.default_rng(3).normal(0, 3, size=50))
    numeric = numeric_derivative(lambda v: F.elu(v, alpha), x)
    assert rel_error(F.elu_prime(x, alpha), numeric) < THRESHOLD
    slope = numeric_derivative(lambda v: F.leaky_relu(v, negative_slope), x)
    assert rel_error(F.leaky_relu_prime(x, negative_slope), slope) < THRESHOLD


def test_step_derivative_is_zero_everywhere():
    x = np.linspace(-5, 5, 101)
    assert np.all(F.step_prime(x) == 0)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_classes", [2, 3, 7])
def test_softmax_jacobian_matches_finite_differences(n_classes, seed):
    x = np.random.default_rng(seed).normal(0, 2, size=n_classes)
    numeric = np.empty((n_classes, n_classes))
    for j in range(n_classes):
        e = np.zeros(n_classes)
        e[j] = 1e-6
        numeric[:, j] = (F.softmax(x + e) - F.softmax(x - e)) / 2e-6
    assert rel_error(F.softmax_jacobian(F.softmax(x)), numeric) < THRESHOLD


# -- stability on extreme inputs ---------------------------------------------------------------

EXTREMES = np.array([-1e308, -1e6, -1000.0, -710.0, -50.0, -1e-300, 0.0, 1e-300, 50.0, 710.0,
                     1000.0, 1e6, 1e308])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bound", [1000.0, 1e6, 1e100])
def test_finite_and_warning_free_on_large_inputs(name, bound):
    f, f_prime = F.ACTIVATIONS[name]
    x = EXTREMES[np.abs(EXTREMES) <= bound]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**STRICT):
            fx, dfx = f(x), f_prime(x)
    assert np.isfinite(fx).all() and np.isfinite(dfx).all()


@pytest.mark.parametrize("name", [
    n for n in NAMES])
def test_finite_and_warning_free_up_to_float_max(name):
    f, f_prime = F.ACTIVATIONS[name]
    with np.errstate(**STRICT):
        fx, dfx = f(EXTREMES), f_prime(EXTREMES)
    assert np.isfinite(fx).all() and np.isfinite(dfx).all()


def test_sigmoid_saturates_cleanly():
    with np.errstate(**STRICT):
        s = F.sigmoid(np.array([-1000.0, 1000.0]))
        ds = F.sigmoid_prime(np.array([-1000.0, 1000.0]))
    assert s[0] == 0.0 and s[1] == 1.0
    assert np.all(ds == 0.0)


def test_softmax_of_huge_scores_is_exact():
    with np.errstate(**STRICT):
        p = F.softmax(np.array([[1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -1000.0]]))
        logp = F.log_softmax(np.array([[1000.0, 0.0]]))
    assert np.allclose(p, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    assert np.allclose(logp, [[0.0, -1000.0]])          # finite where softmax underflows to 0


# -- shapes and inputs -------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (1,), (4,), (2, 3), (2, 3, 4)])
def test_shape_kept_and_input_not_modified(name, shape):
    f, f_prime = F.ACTIVATIONS[name]
    x = np.random.default_rng(0).normal(size=shape)
    before = x.copy()
    assert np.shape(f(x)) == shape and np.shape(f_prime(x)) == shape
    assert np.array_equal(x, before)


def test_identity_returns_a_copy():
    x = np.arange(3.0)
    y = F.identity(x)
    y[0] = 99.0
    assert x[0] == 0.0


def test_plain_numbers_and_lists_work():
    assert np.allclose(F.relu([-1, 2]), [0.0, 2.0])
    assert F.sigmoid(0).dtype == np.float64


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_along_an_axis(axis):
    x = np.random.default_rng(1).normal(size=(3, 4))
    before = x.copy()
    p = F.softmax(x, axis=axis)
    assert np.allclose(p.sum(axis=axis), 1.0)
    assert np.allclose(F.log_softmax(x, axis=axis), np.log(p))
    assert np.array_equal(x, before)


# -- properties (hypothesis) -------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)
finite_arrays = hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=6), elements=finite)
moderate = st.floats(-1e4, 1e4, allow_nan=False)
# softmax needs max - min to stay below the largest float (1.8e308) for x - max to be finite
scores = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                    elements=st.floats(-1e300, 1e300, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(finite_arrays)
def test_sigmoid_in_unit_interval_and_symmetric(x):
    with np.errstate(**STRICT):
        s, s_neg, ds = F.sigmoid(x), F.sigmoid(-x), F.sigmoid_prime(x)
    assert np.all((s >= 0) & (s <= 1))
    assert np.allclose(s + s_neg, 1.0, atol=1e-15)
    assert np.all((ds >= 0) & (ds <= 0.25))


@settings(max_examples=100, deadline=None)
@given(st.lists(moderate, min_size=2, max_size=20))
def test_monotone_activations_never_decrease(values):
    x = np.sort(np.array(values))
    for name in ("step", "sigmoid", "tanh", "relu", "leaky_relu", "elu"):
        y = F.ACTIVATIONS[name][0](x)
        assert np.all(np.diff(y) >= 0), name


@settings(max_examples=100, deadline=None)
@given(finite_arrays)
def test_relu_splits_x_into_positive_and_negative_parts(x):
    assert np.array_equal(F.relu(x) - F.relu(-x), x)
    assert np.all(F.relu(x) >= 0)
    assert np.all((F.relu_prime(x) == 0) | (F.relu_prime(x) == 1))


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8),
                  elements=st.floats(-1e100, 1e100, allow_nan=False)))
def test_every_activation_finite_and_quiet_up_to_1e100(x):
    for name, (f, f_prime) in F.ACTIVATIONS.items():
        with np.errstate(**STRICT):
            assert np.isfinite(f(x)).all() and np.isfinite(f_prime(x)).all(), name


@settings(max_examples=200, deadline=None)
@given(scores)
def test_softmax_rows_are_probabilities(x):
    with np.errstate(**STRICT):
        p = F.softmax(x)
        logp = F.log_softmax(x)
    assert np.all((p >= 0) & (p <= 1))
    assert np.allclose(p.sum(axis=-1), 1.0)
    assert np.all(np.isfinite(logp)) and np.all(logp <= 0)
    top = np.take_along_axis(p, x.argmax(axis=-1)[:, None], axis=-1)[:, 0]
    assert np.all(top == p.max(axis=-1))              # the largest score, the largest probability


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                  elements=st.floats(-50, 50, allow_nan=False)),
       st.floats(-1e3, 1e3, allow_nan=False))
def test_softmax_is_invariant_to_shifts(x, shift):
    assert np.allclose(F.softmax(x + shift), F.softmax(x), atol=1e-12)
    assert np.allclose(F.log_softmax(x + shift), F.log_softmax(x), atol=1e-9)


# -- boundary values: exactly 0 (PyTorch's one-sided choices, checked with torch.autograd) --------
@pytest.mark.parametrize("name, kwargs, fx, dfx", [
    ("leaky_relu", {"negative_slope": 0.2}, 0.0, 0.2),      # the x <= 0 branch at 0, as PyTorch
    ("elu", {"alpha": 0.5}, 0.0, 0.5),                      # alpha * exp(0): the x <= 0 branch
    ("relu", {}, 0.0, 0.0),
    ("step", {}, 0.0, 0.0),                                 # step(0) = 0: a point on the line is 0
    ("sigmoid", {}, 0.5, 0.25),
    ("gelu", {}, 0.0, 0.5),
])
def test_at_exactly_zero(name, kwargs, fx, dfx):
    f, f_prime = F.ACTIVATIONS[name]
    for zero in (0.0, -0.0, np.zeros(3)):
        assert np.all(f(zero, **kwargs) == fx) and np.all(f_prime(zero, **kwargs) == dfx), name


def test_just_either_side_of_zero():
    tiny = np.array([-5e-324, 5e-324])                      # the smallest floats
    assert F.step(tiny).tolist() == [0.0, 1.0]
    assert F.relu_prime(tiny).tolist() == [0.0, 1.0]
    assert F.leaky_relu_prime(tiny, 0.1).tolist() == [0.1, 1.0]
    assert F.elu_prime(tiny, 0.5).tolist() == [0.5, 1.0]


@pytest.mark.parametrize("name", sorted(F.ACTIVATIONS))
def test_empty_and_single_element_inputs(name):
    f, f_prime = F.ACTIVATIONS[name]
    assert f(np.zeros(0)).shape == (0,) and f_prime(np.zeros((0, 3))).shape == (0, 3)
    assert f(np.array([[2.0]])).shape == (1, 1)


def test_softmax_of_one_class_and_of_equal_scores():
    assert F.softmax(np.array([[3.0], [-7.0]])).tolist() == [[1.0], [1.0]]
    assert np.allclose(F.softmax(np.zeros((2, 4))), 0.25)
    assert F.log_softmax(np.array([[5.0]])).tolist() == [[0.0]]
    assert F.softmax(np.zeros((0, 3))).shape == (0, 3)
    assert np.allclose(F.softmax_jacobian(np.array([1.0])), [[0.0]])


def test_default_parameters_are_pytorchs():
    assert float(F.leaky_relu(-1.0)) == pytest.approx(-0.01)
    assert float(F.leaky_relu_prime(-1.0)) == pytest.approx(0.01)
    assert float(F.elu(-1.0)) == pytest.approx(math.exp(-1) - 1)
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    assert np.allclose(F.softmax(x).sum(axis=-1), 1.0)       # axis=-1 by default
