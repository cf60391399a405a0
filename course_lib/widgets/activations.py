"""Widgets for chapter 02 · Activation functions (see ``_common`` for the rules).

:class:`ActivationExplorer`: pick an activation, move ``x``, and watch ``f(x)``, the tangent line at
``x`` (whose slope is ``f'(x)``) and the matching point on the derivative's curve. Every curve is
computed once up front; moving the slider or switching the function only updates the existing
artists (``set_data``, ``set_text``, axis limits) and asks the canvas to redraw.
"""


import ipywidgets as W
import matplotlib
import numpy as np

from .. import functions as F
from ..plots import COLORS, STYLE, finish
from ._common import canvas_widget, redraw, widget_figure

__all__ = ["ActivationExplorer", "LABELS"]

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


def _limits(values, min_span=0.25, below=0.08, above=0.45):
    """Axis limits that include 0 and every value, with room on top for the legend and text."""
    lo = min(float(np.min(values)), 0.0)
    hi = max(float(np.max(values)), 0.0, lo + min_span)
    return lo - below * (hi - lo), hi + above * (hi - lo)


class ActivationExplorer:
    """An activation function, its tangent at ``x`` and its derivative, side by side.

    Parameters: ``name`` (a key of ``course_lib.functions.ACTIVATIONS``), the starting ``x``,
    ``x_range`` of the plots and the slider, ``names`` (which functions the drop-down offers),
    ``interactive`` (``False`` forces a static Agg canvas; by default an ipympl canvas in a kernel).

    ``explorer.widget`` is the ``VBox`` (controls, canvas, readout); displaying the explorer
    displays it. ``set_function(name)`` and ``set_x(x)`` drive it from code, as the controls do.
    """

    def __init__(self, name="sigmoid", x=1.0, x_range=(-4.0, 4.0), names=None, interactive=None):
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
        self.grid = np.linspace(lo, hi, 401)
        self.tangent_halfwidth = 0.2 * (hi - lo)
        # every curve and its axis limits, computed once: a redraw only swaps arrays
        self.curves = {}
        for n in self.names:
            f, f_prime = F.ACTIVATIONS[n]
            y, dy = f(self.grid), f_prime(self.grid)
            self.curves[n] = (y, dy, _limits(y, min_span=1.0), _limits(dy))

        self.fig = widget_figure(figsize=(9.0, 3.6), interactive=interactive)
        with matplotlib.rc_context(STYLE):       # axes and artists in the course style
            self._build_axes(lo, hi)

        self.dropdown = W.Dropdown(options=[(LABELS[n], n) for n in self.names], value=name,
                                   description="function")
        self.slider = W.FloatSlider(value=float(x), min=lo, max=hi, step=0.05, description="x",
                                    readout_format=".2f", continuous_update=True)
        self.label = W.Label()
        self.dropdown.observe(self._on_function, names="value")
        self.slider.observe(self._on_x, names="value")
        self.widget = W.VBox([W.HBox([self.dropdown, self.slider]), canvas_widget(self.fig),
                              self.label])
        self._show_function(name)

    def _build_axes(self, lo, hi):
        self.ax_f, self.ax_d = self.fig.subplots(1, 2)
        self.f_line, = self.ax_f.plot(self.grid, self.grid, color=COLORS[0], label="f(x)")
        self.tangent, = self.ax_f.plot([], [], "--", color=COLORS[3], lw=1.5,
                                       label="tangent at x, slope f'(x)")
        self.f_point, = self.ax_f.plot([], [], "o", color=COLORS[3], ms=7)
        self.d_line, = self.ax_d.plot(self.grid, self.grid, color=COLORS[1], label="f'(x)")
        self.d_point, = self.ax_d.plot([], [], "o", color=COLORS[3], ms=7, label="f'(x) at x")
        self.readout = self.ax_f.text(0.03, 0.97, "", transform=self.ax_f.transAxes, va="top",
                                      family="monospace", fontsize=10,
                                      bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
        finish(self.ax_f, "f(x)", "x", "f(x)")
        finish(self.ax_d, "derivative f'(x)", "x", "f'(x)")
        self.ax_f.legend(loc="upper right")
        self.ax_d.legend(loc="upper right")
        for ax in (self.ax_f, self.ax_d):
            ax.set_xlim(lo, hi)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.25)

    # -- state ------------------------------------------------------------------------------------
    @property
    def name(self):
        return self.dropdown.value

    @property
    def x(self):
        return float(self.slider.value)

    def values(self):
        """``(f(x), f'(x))`` at the current function and ``x``, as floats."""
        f, f_prime = F.ACTIVATIONS[self.name]
        return float(f(self.x)), float(f_prime(self.x))

    # -- driving it from code ---------------------------------------------------------------------
    def set_function(self, name):
        """Switch to another activation (as choosing it in the drop-down does)."""
        if name not in self.names:
            raise ValueError(f"ActivationExplorer: unknown function {name!r}, expected one of {self.names}")
        self.dropdown.value = name

    def set_x(self, x):
        """Move the input to ``x`` (clipped to the slider's range, as the slider does)."""
        self.slider.value = float(x)

    # -- redraws: only update existing artists ----------------------------------------------------
    def _on_function(self, change):
        self._show_function(change["new"])

    def _on_x(self, change=None):
        self._show_x()
        redraw(self.fig)

    def _show_function(self, name):
        y, dy, f_lim, d_lim = self.curves[name]
        self.f_line.set_ydata(y)
        self.d_line.set_ydata(dy)
        self.ax_f.set_ylim(*f_lim)
        self.ax_d.set_ylim(*d_lim)
        self.ax_f.set_title(LABELS[name])
        self.ax_d.set_title(f"derivative of {name}")
        self._on_x()

    def _show_x(self):
        x = self.x
        fx, dfx = self.values()
        t = np.array([x - self.tangent_halfwidth, x + self.tangent_halfwidth])
        self.tangent.set_data(t, fx + dfx * (t - x))
        self.f_point.set_data([x], [fx])
        self.d_point.set_data([x], [dfx])
        text = f"x     = {x:+.2f}\nf(x)  = {fx:+.4f}\nf'(x) = {dfx:+.4f}"
        self.readout.set_text(text)
        self.label.value = f"{self.name}: x = {x:.2f}, f(x) = {fx:.4f}, f'(x) = {dfx:.4f}"

    # -- display ----------------------------------------------------------------------------------
    def __repr__(self):
        return f"ActivationExplorer(function={self.name!r}, x={self.x:.2f})"

    def _repr_mimebundle_(self, **kwargs):
        data = self.widget._repr_mimebundle_(**kwargs)
        data["text/plain"] = repr(self)   # stable text (no widget ids) for nbval and for GitHub
        return data
