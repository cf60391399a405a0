"""Widgets for chapter 02 · Activation functions (built on :mod:`course_lib.widgets.base`).

:class:`ActivationExplorer`: pick an activation, move ``x``, and watch ``f(x)``, the tangent line at
``x`` (whose slope is ``f'(x)``) and the matching point on the derivative's curve. Every ``x`` of
the slider's grid is a frame of a :class:`~course_lib.widgets.base.FramePlayer`, computed up front:
moving ``x`` (or playing the sweep) redraws in the browser without asking the kernel; switching
the function recomputes the frames.
"""


import ipywidgets as W
import matplotlib
import numpy as np

from .. import functions as F
from ..plots import COLORS, STYLE, finish
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["ActivationExplorer", "LABELS", "display_name"]

#: what the drop-down shows for each name in ``course_lib.functions.ACTIVATIONS``
LABELS = {
    "identity": "identity: x",
    "step": "step: 1 if x > 0 else 0",
    "sigmoid": "sigmoid: 1 / (1 + exp(-x))",
    "tanh": "tanh",
    "relu": "ReLU: max(x, 0)",
    "leaky_relu": "leaky ReLU (slope 0.01)",
    "elu": "ELU (alpha 1)",
    "gelu": "GELU (tanh approximation)",
}


def display_name(name):
    """The learner-facing name of an activation: ``"relu"`` -> ``"ReLU"``, ``"gelu"`` -> ``"GELU"``
    (its drop-down label without the formula or the parameters)."""
    return LABELS[name].split(":")[0].split(" (")[0]


def _limits(values, min_span=0.25, below=0.08, above=0.45):
    """Axis limits that include 0 and every value, with room on top for the legend."""
    lo = min(float(np.min(values)), 0.0)
    hi = max(float(np.max(values)), 0.0, lo + min_span)
    return lo - below * (hi - lo), hi + above * (hi - lo)


class ActivationExplorer(CourseWidget):
    """An activation function, its tangent at ``x`` and its derivative, side by side.

    Parameters: ``name`` (a key of ``course_lib.functions.ACTIVATIONS``), the starting ``x``,
    ``x_range`` of the plots and of the ``x`` scrubber (steps of ``x_step``), ``names`` (which
    functions the drop-down offers). ``explorer.box`` is the container (drop-down, then the
    player whose scrubber moves ``x``); displaying the explorer displays it.
    ``set_function(name)`` and ``set_x(x)`` drive it from code, as the controls do.
    """

    def __init__(self, name="sigmoid", x=1.0, x_range=(-4.0, 4.0), names=None, x_step=0.05,
                 fps=20.0):
        self.names = list(names) if names is not None else list(F.ACTIVATIONS)
        unknown = [n for n in self.names + [name] if n not in F.ACTIVATIONS]
        if unknown:
            raise ValueError(f"ActivationExplorer: unknown function {unknown[0]!r}, "
                             f"expected one of {sorted(F.ACTIVATIONS)}")
        if name not in self.names:
            raise ValueError(f"ActivationExplorer: name {name!r} is not among names {self.names}")
        lo, hi = (float(v) for v in x_range)
        if not lo <= x <= hi:
            raise ValueError(f"ActivationExplorer: x should lie in x_range {x_range}, got {x}")
        self.lo, self.hi = lo, hi
        self.grid = np.linspace(lo, hi, 401)
        self.xs = np.round(lo + x_step * np.arange(int(round((hi - lo) / x_step)) + 1), 10)
        self.tangent_halfwidth = 0.2 * (hi - lo)
        # every curve and its axis limits, computed once
        self.curves = {}
        for n in self.names:
            f, f_prime = F.ACTIVATIONS[n]
            y, dy = f(self.grid), f_prime(self.grid)
            self.curves[n] = (y, dy, _limits(y, min_span=1.0), _limits(dy))
        self.dropdown = W.Dropdown(options=[(LABELS[n], n) for n in self.names], value=name,
                                   description="function")
        self.player = FramePlayer(self._scene(name), fps=fps, frame=self._index(x),
                                  alt="activation function, its tangent and its derivative")
        self.dropdown.observe(lambda change: self.draw(), names="value")
        self._assemble(self.player, [self.dropdown])
        self.box.children = (self.dropdown, self.player)       # the drop-down on top

    def _index(self, x):
        return int(np.argmin(np.abs(self.xs - float(x))))

    def _scene(self, name):
        self.fig = static_figure((9.0, 3.6))
        with matplotlib.rc_context(STYLE):       # axes and artists in the course style
            art = self._build_axes(name)
        f, f_prime = F.ACTIVATIONS[name]
        xs = self.xs
        fx, dfx = f(xs), f_prime(xs)
        h = self.tangent_halfwidth
        t = np.stack([xs - h, xs + h], axis=1)                       # (F, 2)
        tangent = np.stack([t, fx[:, None] + dfx[:, None] * (t - xs[:, None])], axis=-1)
        # the one readout: next to the scrubber (the axes show the point and the tangent)
        scene = Scene(self.fig, labels=[f"x = {x:.2f}, f(x) = {a:.4f}, f'(x) = {b:.4f}"
                                        for x, a, b in zip(xs, fx, dfx)])
        scene.line(self.ax_f, tangent, like=art["tangent"])
        scene.points(self.ax_f, np.stack([xs, fx], axis=1)[:, None, :], like=art["f_point"])
        scene.points(self.ax_d, np.stack([xs, dfx], axis=1)[:, None, :], like=art["d_point"])
        self.scene = scene
        return scene

    def _build_axes(self, name):
        y, dy, f_lim, d_lim = self.curves[name]
        self.ax_f, self.ax_d = self.fig.subplots(1, 2)
        art = {}
        self.ax_f.plot(self.grid, y, color=COLORS[0], label="f(x)")
        art["tangent"], = self.ax_f.plot([], [], "--", color=COLORS[3], lw=1.5,
                                         label="tangent at x, slope f'(x)")
        art["f_point"], = self.ax_f.plot([], [], "o", color=COLORS[3], ms=7)
        self.ax_d.plot(self.grid, dy, color=COLORS[1], label="f'(x)")
        art["d_point"], = self.ax_d.plot([], [], "o", color=COLORS[3], ms=7, label="f'(x) at x")
        finish(self.ax_f, LABELS[name], "x", "f(x)")
        finish(self.ax_d, f"derivative of {display_name(name)}", "x", "f'(x)")
        self.ax_f.legend(loc="upper right")
        self.ax_d.legend(loc="upper right")
        for ax, lim in ((self.ax_f, f_lim), (self.ax_d, d_lim)):
            ax.set_xlim(self.lo, self.hi)
            ax.set_ylim(*lim)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        return art

    # -- state ------------------------------------------------------------------------------------
    @property
    def name(self):
        return self.dropdown.value

    @property
    def x(self):
        """The ``x`` shown (as Python last heard it from the page)."""
        return float(self.xs[self.player.frame])

    def values(self):
        """``(f(x), f'(x))`` at the current function and ``x``, as floats."""
        f, f_prime = F.ACTIVATIONS[self.name]
        return float(f(self.x)), float(f_prime(self.x))

    # -- driving it from code ---------------------------------------------------------------------
    def set_function(self, name):
        """Switch to another activation (as choosing it in the drop-down does)."""
        if name not in self.names:
            raise ValueError(f"ActivationExplorer: unknown function {name!r}, "
                             f"expected one of {self.names}")
        self.dropdown.value = name

    def set_x(self, x):
        """Move the input to the grid point nearest ``x`` (clipped to the range, as the
        scrubber does)."""
        self.player.seek(self._index(np.clip(float(x), self.lo, self.hi)))

    def draw(self):
        """Recompute the frames for the drop-down's function; keep ``x``."""
        self.player.show(self._scene(self.name), frame=self.player.frame)

    # -- display ----------------------------------------------------------------------------------
    def _repr_state(self):
        return f"function={self.name!r}, x={self.x:.2f}"
