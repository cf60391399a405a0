"""course_lib.surfaces: analytic gradients against numerical ones, vectorization, metadata."""

import numpy as np
import pytest

from course_lib import surfaces
from course_lib.gradcheck import rel_error

SURFACES = list(surfaces.SURFACES.values()) + [surfaces.quadratic(2.0, 7.0),
                                              surfaces.rosenbrock(0.5, 10.0)]
IDS = [f"{s.name}-{i}" for i, s in enumerate(SURFACES)]


def numerical_grad(s, x, y, h=1e-6):
    return ((s(x + h, y) - s(x - h, y)) / (2 * h), (s(x, y + h) - s(x, y - h)) / (2 * h))


@pytest.mark.parametrize("s", SURFACES, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_centered_differences(s, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(*s.xlim, size=20)
    y = rng.uniform(*s.ylim, size=20)
    gx, gy = s.grad(x, y)
    nx, ny = numerical_grad(s, x, y)
    # relative to the size of the gradient: f reaches ~1e5 on Beale's walls
    assert rel_error(gx, nx) < 1e-6, rel_error(gx, nx)
    assert rel_error(gy, ny) < 1e-6, rel_error(gy, ny)


@pytest.mark.parametrize("s", SURFACES, ids=IDS)
def test_vectorized_over_meshgrids(s):
    X, Y, Z = s.grid(30)
    assert X.shape == Y.shape == Z.shape == (30, 30)
    gx, gy = s.grad(X, Y)
    assert gx.shape == gy.shape == (30, 30)
    assert np.isclose(Z[3, 7], s(X[3, 7], Y[3, 7]))
    gxy = s.grad_xy(np.stack([X, Y], axis=-1))
    assert gxy.shape == (30, 30, 2) and np.allclose(gxy[..., 0], gx)
    assert np.allclose(s.loss_xy(np.stack([X, Y], axis=-1)), Z)


@pytest.mark.parametrize("s", SURFACES, ids=IDS)
def test_minima_are_minima(s):
    X, Y, Z = s.grid(200)
    assert Z.min() >= s.f_min - 1e-9
    for mx, my in s.minima:
        assert abs(s(mx, my) - s.f_min) < 1e-8
        gx, gy = s.grad(mx, my)
        assert abs(gx) < 1e-4 and abs(gy) < 1e-4
        assert s.xlim[0] < mx < s.xlim[1] and s.ylim[0] < my < s.ylim[1]


@pytest.mark.parametrize("s", SURFACES, ids=IDS)
def test_view_start_and_levels(s):
    assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1]
    assert s(*s.start) > s.f_min + 1e-3                      # the start is not already a minimum
    levels = s.levels(12)
    assert levels.shape == (12,) and np.all(np.diff(levels) > 0) and levels[0] > s.f_min
    ratios = (levels[1:] - s.f_min) / (levels[:-1] - s.f_min)
    assert np.allclose(ratios, ratios[0])                   # log-spaced above the minimum
    assert s.lr > 0 and s.lr_adaptive > 0 and s.steps >= 10


def test_saddle_point_is_a_saddle():
    s = surfaces.saddle()
    assert np.allclose(s.grad(0.0, 0.0), 0.0)
    h = 1e-3
    assert s(h, 0) > s(0, 0) and s(0, h) < s(0, 0)       # up along x, down along y


def test_himmelblau_has_four_minima():
    assert len(surfaces.himmelblau().minima) == 4


def test_get_surface_and_errors():
    assert surfaces.get_surface("beale").name == "beale"
    s = surfaces.rosenbrock()
    assert surfaces.get_surface(s) is s
    with pytest.raises(ValueError, match="unknown surface 'nope'"):
        surfaces.get_surface("nope")
    with pytest.raises(ValueError, match="a and b must be > 0"):
        surfaces.quadratic(0.0, 1.0)
    assert repr(s) == "Surface('rosenbrock')"


def test_inputs_are_not_mutated():
    s = surfaces.beale()
    x, y = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    s(x, y)
    s.grad(x, y)
    assert np.array_equal(x, [1.0, 2.0]) and np.array_equal(y, [0.5, -0.5])


# -- every optional argument, exact values at the minima (the gradient is exactly 0 there) ---------
@pytest.mark.parametrize("a, b", [(1.0, 50.0), (2.0, 7.0), (0.5, 0.5)])
def test_quadratic_parameters(a, b):
    s = surfaces.quadratic(a, b)
    assert s(1.0, 1.0) == pytest.approx((a + b) / 2)
    assert s(2.0, -3.0) == pytest.approx((4 * a + 9 * b) / 2)
    assert s.lr == pytest.approx(1.3 / b) and f"{b / a:g}" in s.title
    assert s.formula == r"$f = (%g x^2 + %g y^2)/2$" % (a, b)


@pytest.mark.parametrize("a, b", [(1.0, 100.0), (0.5, 10.0), (-1.0, 3.0)])
def test_rosenbrock_parameters_and_formula(a, b):
    s = surfaces.rosenbrock(a, b)
    assert s.minima == [(a, a * a)]
    assert s(a, a * a) == 0.0 and s.grad(a, a * a) == (0.0, 0.0)
    assert s(0.0, 1.0) == pytest.approx(a * a + b)
    assert f"{b:g}" in s.formula and f"({a:g}-x)" in s.formula


@pytest.mark.parametrize("s", SURFACES, ids=IDS)
def test_gradient_vanishes_at_every_listed_minimum(s):
    for x, y in s.minima:
        gx, gy = s.grad(x, y)
        scale = 1 + abs(x) + abs(y)
        assert abs(gx) < 1e-4 * scale ** 3 and abs(gy) < 1e-4 * scale ** 3
        assert s(x, y) == pytest.approx(s.f_min, abs=1e-9)


def test_saddle_point_has_zero_gradient_and_value_one_quarter():
    s = surfaces.saddle()
    assert s.grad(0.0, 0.0) == (0.0, 0.0) and s(0.0, 0.0) == 0.25


@pytest.mark.parametrize("bad", [lambda: surfaces.quadratic(0.0, 1.0),
                                 lambda: surfaces.quadratic(1.0, -1.0),
                                 lambda: surfaces.rosenbrock(1.0, 0.0)])
def test_non_positive_curvatures_are_refused(bad):
    with pytest.raises(ValueError, match="must be > 0"):
        bad()


def test_grid_levels_and_xy_helpers():
    s = surfaces.quadratic()
    X, Y, Z = s.grid(resolution=7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert X[0, 0] == s.xlim[0] and X[0, -1] == s.xlim[1] and Y[-1, 0] == s.ylim[1]
    levels = s.levels(n=5, Z=Z)
    assert levels.shape == (5,) and np.all(np.diff(levels) > 0) and levels[0] > s.f_min
    p = np.array([[1.0, 2.0], [0.0, 0.0], [-3.0, 0.5]])
    np.testing.assert_allclose(s.grad_xy(p), [[1.0, 100.0], [0.0, 0.0], [-3.0, 25.0]])
    np.testing.assert_allclose(s.loss_xy(p), [0.5 * (1 + 200), 0.0, 0.5 * (9 + 12.5)])
    assert s.grad_xy([1.0, 2.0]).shape == (2,) and np.ndim(s.loss_xy([1.0, 2.0])) == 0


def test_levels_span_at_most_five_decades_and_ignore_non_finite_values():
    s = surfaces.quadratic()
    Z = s.grid()[2]
    Z[0, 0] = np.inf
    Z[1, 1] = np.nan
    Z[2, 2] = s.f_min                                        # the minimum itself (gap 0) too
    levels = s.levels(n=18, Z=Z) - s.f_min
    assert np.isfinite(levels).all() and len(levels) == 18
    assert levels[0] >= levels[-1] * 1e-5 * (1 - 1e-12)      # the lowest level is not lost in 0
    np.testing.assert_allclose(np.diff(np.log(levels)), np.log(levels[1] / levels[0]))
    tiny = np.concatenate([np.full(100, 1e-9), np.linspace(1.0, 100.0, 900)])   # gaps above f_min
    levels = s.levels(n=5, Z=s.f_min + tiny) - s.f_min
    hi = np.quantile(tiny, 0.95)
    assert levels[0] == pytest.approx(hi * 1e-5) and levels[-1] == pytest.approx(hi)
