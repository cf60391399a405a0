"""Two-dimensional loss surfaces to watch optimizers on.

Each surface is a :class:`Surface` with ``f(x, y)`` and its analytic gradient ``grad(x, y) ->
(df/dx, df/dy)``, both vectorized (``x``, ``y`` may be numbers or meshgrid arrays of one shape),
plus what a plot needs: a view window ``xlim``/``ylim``, a default ``start`` point, the known
``minima`` (for stars), the minimum value ``f_min`` (so ``f - f_min >= 0`` on a log axis),
learning rates that work for plain SGD (``lr``) and for the adaptive methods (``lr_adaptive``),
and a number of ``steps`` that shows the race.

    >>> s = SURFACES["rosenbrock"]
    >>> X, Y, Z = s.grid(100)             # three (100, 100) arrays for a contour plot
    >>> dx, dy = s.grad(X, Y)             # the gradient field on the same grid

=================  =============================================================================
``ravine``         ill-conditioned quadratic ``(x**2 + 50 y**2) / 2``: an elongated bowl
``rosenbrock``     ``(1 - x)**2 + 100 (y - x**2)**2``: a curved, flat-bottomed valley
``saddle``         ``x**2 + (y**2 - 1)**2 / 4``: a saddle at (0, 0) between minima at (0, ±1)
``himmelblau``     ``(x**2 + y - 11)**2 + (x + y**2 - 7)**2``: four minima of equal depth
``beale``          Beale's function: flat plateaus and sharp walls, minimum at (3, 0.5)
=================  =============================================================================
"""

import numpy as np

__all__ = ["Surface", "SURFACES", "get_surface", "quadratic", "rosenbrock", "saddle",
           "himmelblau", "beale"]


class Surface:
    """A 2-D loss surface: ``surface(x, y)`` is ``f(x, y)``; ``surface.grad(x, y)`` its gradient.

    ``f(x, y) -> z`` and ``grad(x, y) -> (dz/dx, dz/dy)`` take numbers or arrays of one shape (S)
    and return results of that shape. ``minima`` is a list of ``(x, y)``; ``f_min`` the lowest
    value.
    """

    def __init__(self, name, f, grad, *, xlim, ylim, start, minima, f_min=0.0, lr=0.01,
                 lr_adaptive=0.05, steps=150, title=None, formula=""):
        self.name, self._f, self._grad = name, f, grad
        self.xlim, self.ylim = tuple(map(float, xlim)), tuple(map(float, ylim))
        self.start = (float(start[0]), float(start[1]))
        self.minima = [(float(a), float(b)) for a, b in minima]
        self.f_min, self.lr, self.lr_adaptive = float(f_min), float(lr), float(lr_adaptive)
        self.steps = int(steps)
        self.title = title or name
        self.formula = formula

    def __call__(self, x, y):
        return self._f(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))

    def f(self, x, y):
        """The loss at ``(x, y)`` (numbers or arrays of one shape)."""
        return self(x, y)

    def grad(self, x, y):
        """``(df/dx, df/dy)`` at ``(x, y)``."""
        return self._grad(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))

    def grad_xy(self, p):
        """The gradient as one array: ``p`` (..., 2) -> (..., 2) (what optimizers consume)."""
        p = np.asarray(p, dtype=np.float64)
        gx, gy = self._grad(p[..., 0], p[..., 1])
        return np.stack([gx, gy], axis=-1)

    def loss_xy(self, p):
        """The loss at points ``p`` (..., 2) -> (...)."""
        p = np.asarray(p, dtype=np.float64)
        return self._f(p[..., 0], p[..., 1])

    def grid(self, resolution=120):
        """``X, Y, Z`` meshgrid arrays of shape (resolution, resolution) over the view window."""
        x = np.linspace(*self.xlim, int(resolution))
        y = np.linspace(*self.ylim, int(resolution))
        X, Y = np.meshgrid(x, y)
        return X, Y, self(X, Y)

    def levels(self, n=18, Z=None):
        """``n`` log-spaced contour levels of ``f`` over the view (dense near the minimum)."""
        if Z is None:
            Z = self.grid()[2]
        gap = np.asarray(Z, dtype=np.float64) - self.f_min
        gap = gap[np.isfinite(gap) & (gap > 0)]
        hi = np.quantile(gap, 0.95)
        lo = max(np.quantile(gap, 0.001), hi * 1e-5)
        return self.f_min + np.geomspace(lo, hi, int(n))

    def __repr__(self):
        return f"Surface({self.name!r})"


def quadratic(a=1.0, b=50.0):
    """The elongated bowl ``(a x**2 + b y**2) / 2``, condition number ``b / a``.

    Plain gradient descent is stable for ``lr < 2 / b`` and then crawls along x at rate
    ``1 - lr * a``: the slow zig-zag that momentum fixes.
    """
    if a <= 0 or b <= 0:
        raise ValueError(f"quadratic: a and b must be > 0, got a={a!r}, b={b!r}")
    return Surface(
        "ravine",
        lambda x, y: 0.5 * (a * x ** 2 + b * y ** 2),
        lambda x, y: (a * x, b * y),
        xlim=(-5.5, 5.5), ylim=(-2.2, 2.2), start=(-5.0, 1.5), minima=[(0.0, 0.0)],
        lr=1.3 / b, lr_adaptive=0.1, steps=150, title=f"Ill-conditioned quadratic (κ = {b / a:g})",
        formula=r"$f = (%g x^2 + %g y^2)/2$" % (a, b))


def rosenbrock(a=1.0, b=100.0):
    """Rosenbrock's banana valley ``(a - x)**2 + b (y - x**2)**2``; minimum 0 at ``(a, a**2)``."""
    if b <= 0:
        raise ValueError(f"rosenbrock: b must be > 0, got b={b!r}")
    return Surface(
        "rosenbrock",
        lambda x, y: (a - x) ** 2 + b * (y - x ** 2) ** 2,
        lambda x, y: (-2 * (a - x) - 4 * b * x * (y - x ** 2), 2 * b * (y - x ** 2)),
        xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), start=(-1.2, 1.0), minima=[(a, a * a)],
        lr=1e-3, lr_adaptive=0.1, steps=500, title="Rosenbrock",
        formula=r"$f = (%g-x)^2 + %g\,(y-x^2)^2$" % (a, b))


def saddle():
    """``x**2 + (y**2 - 1)**2 / 4``: a saddle point at (0, 0) (f = 1/4), minima 0 at (0, ±1).

    The default start sits almost on the ridge ``y = 0``: the gradient along y is tiny there,
    so plain gradient descent lingers near the saddle while adaptive methods escape fast.
    """
    return Surface(
        "saddle",
        lambda x, y: x ** 2 + 0.25 * (y ** 2 - 1) ** 2,
        lambda x, y: (2 * x, y ** 3 - y),
        xlim=(-2.0, 2.0), ylim=(-1.6, 1.6), start=(-1.8, 0.002), minima=[(0.0, 1.0), (0.0, -1.0)],
        lr=0.05, lr_adaptive=0.05, steps=150, title="Saddle point",
        formula=r"$f = x^2 + (y^2-1)^2/4$")


_HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                      (3.584428, -1.848126)]


def himmelblau():
    """Himmelblau's function: four minima of value 0 (one at (3, 2)), a maximum near
    (-0.27, -0.92)."""
    return Surface(
        "himmelblau",
        lambda x, y: (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2,
        lambda x, y: (4 * x * (x ** 2 + y - 11) + 2 * (x + y ** 2 - 7),
                      2 * (x ** 2 + y - 11) + 4 * y * (x + y ** 2 - 7)),
        xlim=(-5.0, 5.0), ylim=(-5.0, 5.0), start=(-0.3, -0.6), minima=_HIMMELBLAU_MINIMA,
        lr=0.01, lr_adaptive=0.1, steps=150, title="Himmelblau (four minima)",
        formula=r"$f = (x^2+y-11)^2 + (x+y^2-7)^2$")


def beale():
    """Beale's function ``sum_i (c_i - x + x y**i)**2``, c = (1.5, 2.25, 2.625); 0 at (3, 0.5)."""
    c = (1.5, 2.25, 2.625)

    def f(x, y):
        return sum((ci - x + x * y ** i) ** 2 for i, ci in enumerate(c, start=1))

    def grad(x, y):
        gx = gy = 0.0
        for i, ci in enumerate(c, start=1):
            r = ci - x + x * y ** i
            gx = gx + 2 * r * (y ** i - 1)
            gy = gy + 2 * r * i * x * y ** (i - 1)
        return gx, gy

    return Surface("beale", f, grad, xlim=(-4.5, 4.5), ylim=(-4.5, 4.5), start=(1.0, 1.5),
                   minima=[(3.0, 0.5)], lr=3e-3, lr_adaptive=0.1, steps=300, title="Beale",
                   formula=r"$f = \sum_{i=1}^3 (c_i - x + x y^i)^2$")


#: the course's surfaces by name, in the order the explorer lists them
SURFACES = {s.name: s for s in (quadratic(), rosenbrock(), saddle(), himmelblau(), beale())}


def get_surface(surface):
    """A :class:`Surface` from itself or its name; a readable ``ValueError`` otherwise."""
    if isinstance(surface, Surface):
        return surface
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; expected one of {sorted(SURFACES)}")
    return SURFACES[surface]
