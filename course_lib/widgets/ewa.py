"""A widget for exponentially weighted averages: beta from 0 to 0.99 over a noisy series.

Left: the noisy series, its running average ``v_t = beta v_{t-1} + (1 - beta) x_t`` and (ticked)
the bias-corrected ``v_t / (1 - beta**t)``. Right: the weight the value ``k`` steps back gets in
the latest average, ``(1 - beta) beta**k``: an exponential decay, a straight line on the log
scale. Every beta is a frame of a :class:`~course_lib.widgets.base.FramePlayer`, so dragging the
beta scrubber (or playing it) redraws in the browser without the kernel.
"""

import ipywidgets as W
import numpy as np

from ..plots import COLORS
from .base import CourseWidget, FramePlayer, Scene, static_figure

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


#: the betas the widget offers (its frames)
BETAS = np.round(np.arange(0, 100) * 0.01, 2)
_W_LIM = (1e-4, 2.0)                # y-limits of the (log-scale) weights panel


class EWAExplorer(CourseWidget):
    """Scrub or play beta and toggle bias correction; the averages and weights follow.

    ``EWAExplorer(values=None, beta=0.9, bias_correction=True)``; ``values`` defaults to
    :func:`noisy_series`. Each beta in :data:`BETAS` (0, 0.01, ..., 0.99) is a frame drawn in
    the browser; the bias-correction checkbox recomputes. ``update(beta, bias_correction)`` does
    what the controls do; ``draw()`` recomputes from them.
    """

    def __init__(self, values=None, beta=0.9, bias_correction=True, fps=10.0):
        self.values = noisy_series() if values is None else np.asarray(values, dtype=np.float64)
        if self.values.ndim != 1 or self.values.size < 2:
            raise ValueError(f"EWAExplorer: values should have shape (T,) with T >= 2, "
                             f"got {self.values.shape}")
        self.bias_correction = W.Checkbox(value=bool(bias_correction),
                                          description="bias correction", indent=False)
        self._build_figure()
        self.player = FramePlayer(self._scene(), fps=fps, frame=self._index(beta),
                                  alt="exponentially weighted averages for beta 0 to 0.99")
        self.bias_correction.observe(lambda _: self.draw(), "value")
        self._assemble(self.player, [self.bias_correction])

    @staticmethod
    def _index(beta):
        beta = float(beta)
        if not 0.0 <= beta <= BETAS[-1] + 1e-9:
            raise ValueError(f"EWAExplorer: beta should lie in [0, {BETAS[-1]}], got {beta}")
        return int(np.argmin(np.abs(BETAS - beta)))

    @property
    def beta(self):
        """The beta shown (as Python last heard it from the page)."""
        return float(BETAS[self.player.frame])

    def _build_figure(self):
        """The static figure and every beta's curves, computed once."""
        T = self.values.size
        self.t = t = np.arange(1, T + 1)
        self.fig = fig = static_figure((9.6, 3.4))
        ax = fig.add_axes([0.06, 0.15, 0.56, 0.75])
        ax_w = fig.add_axes([0.70, 0.15, 0.28, 0.75])
        ax.plot(t, self.values, ".", color="#999999", markersize=4, label="noisy values $x_t$")
        (self.raw_line,) = ax.plot([], [], "-", color=COLORS[1], lw=1.8,
                                   label="$v_t$ (starts at $v_0 = 0$)")
        (self.fixed_line,) = ax.plot([], [], "-", color=COLORS[0], lw=2.2,
                                     label="bias-corrected $v_t / (1-β^t)$")
        ax.set_ylim(min(0.0, self.values.min()) - 1, self.values.max() + 3)
        ax.set_xlim(0, T + 1)
        ax.set(title="Exponentially weighted average", xlabel="step t", ylabel="value")
        ax.legend(loc="lower right", fontsize=8)
        (self.weights_line,) = ax_w.plot([], [], "o-", color=COLORS[0], markersize=2.5, lw=1,
                                         label="weight")
        (self.memory_line,) = ax_w.plot([], [], color=COLORS[3], lw=1.2, ls=":",
                                        label="1 / (1 - β)")
        # room past the longest memory line (k = 100 at beta 0.99), so it never sits on the edge
        ax_w.set_xlim(-2, 1.12 / (1.0 - BETAS[-1]))
        ax_w.set_yscale("log")
        ax_w.set_ylim(*_W_LIM)
        ax_w.set(title="Weight of the value k steps back", xlabel="k (steps back)",
                 ylabel="weight $(1-β)β^k$ (log)")
        ax_w.legend(loc="upper right", fontsize=8)
        self.ax, self.ax_w = ax, ax_w
        curves = [ewa_curves(self.values, b) for b in BETAS]
        self._raw = np.stack([np.column_stack([t, r]) for r, _ in curves])          # (F, T, 2)
        self._fixed = np.stack([np.column_stack([t, c]) for _, c in curves])        # (F, T, 2)
        lags = np.arange(0, T)
        with np.errstate(under="ignore"):
            w = (1 - BETAS[:, None]) * BETAS[:, None] ** lags[None, :]              # (F, T)
        w = np.where(w >= _W_LIM[0] / 10, w, np.nan)      # far below the axes: leave it out
        self._weights = np.stack([np.broadcast_to(lags, w.shape), w], axis=-1)      # (F, T, 2)

    def _scene(self):
        scene = Scene(self.fig, labels=[f"β = {b:.2f}" for b in BETAS])
        scene.line(self.ax, self._raw, like=self.raw_line)
        if self.bias_correction.value:
            scene.line(self.ax, self._fixed, like=self.fixed_line)
        scene.line(self.ax_w, self._weights, like=self.weights_line)
        scene.points(self.ax_w, self._weights, like=self.weights_line, size=2.5 ** 2)
        mem = 1.0 / (1.0 - BETAS)
        scene.line(self.ax_w, np.stack([np.stack([mem, mem], 1),
                                        np.tile(_W_LIM, (len(BETAS), 1))], axis=-1),
                   like=self.memory_line)
        scene.text(self.ax, [f"β = {b:.2f}: memory ≈ 1/(1-β) = {m:.0f} steps"
                             for b, m in zip(BETAS, mem)], (0.02, 0.96), size=10)
        self.scene = scene
        return scene

    def draw(self):
        """Recompute every frame for the checkbox's setting; keep the beta shown."""
        self.player.show(self._scene(), frame=self.player.frame)

    def update(self, beta=None, bias_correction=None):
        """Set the controls, as a learner would; for scripts and tests."""
        if bias_correction is not None and bool(bias_correction) != self.bias_correction.value:
            self.bias_correction.value = bool(bias_correction)      # recomputes
        if beta is not None:
            self.player.seek(self._index(beta))

    def _repr_state(self):
        return f"beta={self.beta}, bias_correction={self.bias_correction.value}"
