"""A widget for exponentially weighted averages: a beta slider over a noisy series.

Left: the noisy series, its running average ``v_t = beta v_{t-1} + (1 - beta) x_t`` and (ticked)
the bias-corrected ``v_t / (1 - beta**t)``. Right: the weight each past value gets in the
last average, ``(1 - beta) beta**(T - i)``: an exponential decay whose area is ``1 - beta**T``.
"""

import ipywidgets as W
import numpy as np

from ..plots import COLORS
from ._common import canvas_widget, redraw, widget_figure

__all__ = ["EWAExplorer", "noisy_series", "ewa_curves"]


def noisy_series(n=120, *, rng=0):
    """A year-like noisy signal, shape (n,): a slow seasonal wave around 15 plus noise (std 3)."""
    rng = np.random.default_rng(rng)
    t = np.arange(n)
    return 15.0 + 8.0 * np.sin(2 * np.pi * t / n - 1.2) + rng.normal(0.0, 3.0, n)


def ewa_curves(values, beta):
    """``(raw, corrected)`` running averages of ``values`` (T,) with ``v_0 = 0``, both (T,).

    Vectorized: ``raw_t = (1 - beta) sum_i beta**(t - i) x_i`` is a convolution, computed here by
    the plain recursion (T is small) to stay readable.
    """
    values = np.asarray(values, dtype=np.float64)
    raw = np.empty_like(values)
    v = 0.0
    for t, x in enumerate(values):
        v = beta * v + (1.0 - beta) * x
        raw[t] = v
    corrected = raw / (1.0 - beta ** np.arange(1, values.size + 1)) if beta > 0 else raw.copy()
    return raw, corrected


class EWAExplorer:
    """Move beta and toggle bias correction; the average and its weights update in place.

    ``EWAExplorer(values=None, beta=0.9, bias_correction=True)``; ``values`` defaults to
    :func:`noisy_series`. ``update(beta, bias_correction)`` does what the controls do.
    """

    def __init__(self, values=None, beta=0.9, bias_correction=True, interactive=None):
        self.values = noisy_series() if values is None else np.asarray(values, dtype=np.float64)
        if self.values.ndim != 1 or self.values.size < 2:
            raise ValueError(f"EWAExplorer: values should have shape (T,) with T >= 2, "
                             f"got {self.values.shape}")
        T = self.values.size
        self.fig = widget_figure((9.6, 3.4), interactive=interactive)
        ax, ax_w = self.fig.add_axes([0.06, 0.15, 0.56, 0.75]), self.fig.add_axes([0.70, 0.15, 0.28, 0.75])
        t = np.arange(1, T + 1)
        ax.plot(t, self.values, ".", color="#999999", markersize=4, label="noisy values $x_t$")
        (self.raw_line,) = ax.plot([], [], "-", color=COLORS[1], lw=1.8,
                                   label="$v_t$ (starts at $v_0 = 0$)")
        (self.line,) = ax.plot([], [], "-", color=COLORS[0], lw=2.2,
                               label="bias-corrected $v_t / (1-β^t)$")
        self.text = ax.text(0.02, 0.96, "", transform=ax.transAxes, va="top", fontsize=10)
        ax.set_ylim(min(0.0, self.values.min()) - 1, self.values.max() + 3)
        ax.set_xlim(0, T + 1)
        ax.set(title="Exponentially weighted average", xlabel="step t", ylabel="value")
        ax.legend(loc="lower right", fontsize=8)
        self.lags = np.arange(0, T)
        (self.weights,) = ax_w.plot([], [], "o-", color=COLORS[0], markersize=2.5, lw=1,
                                    label="weight")
        self.memory = ax_w.axvline(10, color=COLORS[3], lw=1.2, ls=":", label="1 / (1 - β)")
        ax_w.set_xlim(-1, min(T, 100))
        ax_w.set_ylim(0, 1.02)
        ax_w.set(title="Weight of the value k steps back", xlabel="k (steps back)",
                 ylabel="weight $(1-β)β^k$")
        ax_w.legend(loc="upper right", fontsize=8)
        self.ax, self.ax_w = ax, ax_w
        self.beta = W.FloatSlider(value=beta, min=0.0, max=0.99, step=0.01, description="β",
                                  continuous_update=True, layout=W.Layout(width="420px"))
        self.bias_correction = W.Checkbox(value=bias_correction, description="bias correction",
                                          indent=False)
        self.beta.observe(lambda _: self.redraw(), "value")
        self.bias_correction.observe(lambda _: self.redraw(), "value")
        self.box = W.VBox([canvas_widget(self.fig), W.HBox([self.beta, self.bias_correction])])
        self.redraw()

    def update(self, beta=None, bias_correction=None):
        """Set the controls (which redraws); for scripts and tests."""
        if bias_correction is not None:
            self.bias_correction.value = bool(bias_correction)
        if beta is not None:
            self.beta.value = float(beta)
        self.redraw()

    def redraw(self):
        """Move the existing lines to the current beta (no re-plotting)."""
        beta, corrected = self.beta.value, self.bias_correction.value
        raw, fixed = ewa_curves(self.values, beta)
        t = np.arange(1, self.values.size + 1)
        self.raw_line.set_data(t, raw)
        self.line.set_data(t, fixed)
        self.line.set_visible(corrected)
        w = (1 - beta) * beta ** self.lags
        self.weights.set_data(self.lags, w)
        self.ax_w.set_ylim(0, max(w.max(), 0.05) * 1.1)
        memory = 1.0 / (1.0 - beta)
        self.memory.set_xdata([memory, memory])
        self.text.set_text(f"β = {beta:.2f}: memory ≈ 1/(1-β) = {memory:.0f} steps")
        redraw(self.fig)

    def __repr__(self):
        return f"EWAExplorer(beta={self.beta.value}, bias_correction={self.bias_correction.value})"

    def _repr_mimebundle_(self, **kwargs):
        data = self.box._repr_mimebundle_(**kwargs)
        data["text/plain"] = repr(self)
        return data
