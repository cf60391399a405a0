"""Widgets for the perceptron chapter (built on :mod:`course_lib.widgets.base`).

:class:`PerceptronWidget` trains a :class:`~course_lib.perceptron.Perceptron` on 2-D data and
animates its decision boundary epoch by epoch in the browser (between two epochs the line turns
smoothly and the shading cross-fades); a learning-rate slider re-trains and replaces every frame
at once. :func:`plot_epochs` draws the same picture for chosen epochs on ordinary (static) axes.
"""

import ipywidgets as W
import numpy as np
from matplotlib.colors import ListedColormap

from ..perceptron import Perceptron
from ..plots import COLORS, finish
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["PerceptronWidget", "boundary_segments", "plot_epochs"]

_CLASS_COLORS = COLORS[:2]          # class 0 blue, class 1 orange
_WRONG = "#D55E00"                  # ring around a misclassified point
_GRID = 80                          # shading resolution (per side)


def boundary_segments(W_, B, reach=50.0):
    """End points of the lines ``w·x + b = 0``, one per row: W_ (F, 2), B (F,) -> (F, 2, 2).

    ``out[f] = [[x1_start, x2_start], [x1_end, x2_end]]``, a long segment through the point of the
    line closest to the origin (the axes clip it). A zero weight vector has no line: NaN.
    """
    W_ = np.asarray(W_, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    norm2 = np.sum(W_ ** 2, axis=1)
    safe = np.where(norm2 > 0, norm2, np.nan)
    p0 = -(B / safe)[:, None] * W_                               # closest point to the origin
    d = np.stack([-W_[:, 1], W_[:, 0]], axis=1) / np.sqrt(safe)[:, None]   # along the line
    return np.stack([p0 - reach * d, p0 + reach * d], axis=1)


class _Frames:
    """Everything drawn for every epoch, computed once (vectorized) from a fitted perceptron."""

    def __init__(self, model, X, y, extent):
        self.W = np.array([h.w for h in model.history])                  # (F, 2)
        self.B = np.array([h.b for h in model.history])                  # (F,)
        self.updates = np.array([h.mistakes for h in model.history])     # (F,)
        self.segments = boundary_segments(self.W, self.B)                # (F, 2, 2)
        pred = (X @ self.W.T + self.B) > 0                               # (N, F): step, step(0)=0
        self.wrong = pred != (y[:, None] == 1)                           # (N, F)
        self.n_wrong = self.wrong.sum(axis=0)                            # (F,)
        x0, x1, y0, y1 = extent
        gx, gy = np.meshgrid(np.linspace(x0, x1, _GRID), np.linspace(y0, y1, _GRID))
        grid = np.column_stack([gx.ravel(), gy.ravel()])
        self.shade = ((grid @ self.W.T + self.B) > 0).T.reshape(-1, _GRID, _GRID).astype(float)

    def __len__(self):
        return len(self.B)

    def caption(self, k):
        updates = "start: random weights" if k == 0 else f"{self.updates[k]} mistakes in epoch {k}"
        return f"epoch {k}/{len(self) - 1} · {updates} · {self.n_wrong[k]} on the wrong side"


def _extent(X, pad=0.3):
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def _plane_artists(ax, X, y, extent, legend=True):
    """Create the artists of one data panel (shading, points, rings, line); returns a dict.

    The caption (epoch, mistakes) is the axes title, updated in place by :func:`_show_plane`.
    """
    cmap = ListedColormap(_CLASS_COLORS)
    art = {"shade": ax.imshow(np.zeros((_GRID, _GRID)), extent=extent, origin="lower", cmap=cmap,
                              vmin=0, vmax=1, alpha=0.15, aspect="auto", interpolation="nearest")}
    for label in (0, 1):
        ax.scatter(*X[y == label].T, s=18, color=_CLASS_COLORS[label], edgecolors="white",
                   linewidths=0.4, label=f"class {label}", zorder=3)
    art["wrong"] = ax.scatter(np.empty(0), np.empty(0), s=70, facecolors="none", edgecolors=_WRONG,
                              linewidths=1.5, label="misclassified", zorder=4)
    (art["line"],) = ax.plot([], [], color="0.15", lw=2, label="boundary $w·x+b=0$", zorder=5)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    finish(ax, "Perceptron decision boundary", "$x_1$", "$x_2$", legend=False)
    ax.title.set_fontsize(10)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8)
    return art


def _show_plane(art, frames, X, k, ax):
    art["shade"].set_data(frames.shade[k])
    art["line"].set_data(frames.segments[k, :, 0], frames.segments[k, :, 1])
    art["wrong"].set_offsets(X[frames.wrong[:, k]].reshape(-1, 2))
    ax.title.set_text(frames.caption(k))


class PerceptronWidget(CourseWidget):
    """Train a perceptron on ``X`` (N, 2), ``y`` (N,) and animate its boundary epoch by epoch.

    Left: the plane shaded by the prediction, the boundary line, misclassified points ringed.
    Right: mistakes per epoch. The player plays, steps and scrubs the epochs in the browser
    (``fps`` epochs per second); Reset goes back to epoch 0; the learning-rate slider re-trains
    from the same random start (``rng``) and replaces every frame at once. ``draw()`` re-trains
    with the current slider values; ``player.seek(k)`` shows epoch ``k``.
    """

    def __init__(self, X, y, *, lr=0.01, epochs=30, rng=0, fps=2.0, figsize=(9.6, 4.0)):
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y).astype(np.int64)
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise ValueError(f"PerceptronWidget: expected X of shape (N, 2), got {self.X.shape}")
        if self.y.shape != (len(self.X),):
            raise ValueError(f"PerceptronWidget: expected y of shape ({len(self.X)},), "
                             f"got {self.y.shape}")
        self.epochs, self.seed, self.figsize = int(epochs), rng, figsize
        self.extent = _extent(self.X)
        self.lr_slider = W.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.25,
                                          description="lr", continuous_update=False,
                                          readout_format=".3g")
        self.reset_button = W.Button(description="Reset", icon="undo", tooltip="back to epoch 0",
                                     layout=W.Layout(width="90px"))
        self._build_figure()
        self.player = FramePlayer(self._scene(lr), fps=fps, frame=0,
                                  alt="perceptron decision boundary, epoch by epoch")
        self.reset_button.on_click(lambda _: self.reset())
        self.lr_slider.observe(lambda change: self.draw(), names="value")
        self._assemble(self.player, [[self.reset_button, self.lr_slider]])

    # -- frames -----------------------------------------------------------------------------
    def _build_figure(self):
        """The static figure, built once: a re-train only changes the mistakes panel's data."""
        self.fig = fig = static_figure(self.figsize)
        fig.set_layout_engine("constrained")
        self.ax, self.ax_mistakes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        self.art = _plane_artists(self.ax, self.X, self.y, self.extent)
        self.ax.set_title(" ")                 # the caption is a per-epoch text layer
        self.art["shade"].remove()
        a = self.ax_mistakes
        (self.updates_line,) = a.plot([], [], "o-", ms=4, label="mistakes during the epoch")
        (self.wrong_line,) = a.plot([], [], "s--", ms=4, lw=1.5, label="on the wrong side after it")
        (self.marker,) = a.plot([], [], color="0.4", lw=1, ls=":", label="_epoch")
        finish(a, "Mistakes per epoch (lr = 0.001)", "epoch", "points", legend=False)
        a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, fontsize=8)
        fig.canvas.draw()
        fig.set_layout_engine("none")          # keep that layout: re-laying out costs ~0.3 s

    def _scene(self, lr):
        """Train with ``lr`` and build the whole animation (per-epoch layers on the figure)."""
        self.lr = float(lr)
        self.model = Perceptron().fit(self.X, self.y, epochs=self.epochs, lr=self.lr,
                                      rng=self.seed, stop_early=True)
        self.frames = f = _Frames(self.model, self.X, self.y, self.extent)
        n = len(f)
        a = self.ax_mistakes
        epochs = np.arange(n)
        self.updates_line.set_data(epochs[1:], f.updates[1:])
        self.wrong_line.set_data(epochs, f.n_wrong)
        a.set_xlim(-0.5, max(n - 0.5, 1.5))
        top = max(f.n_wrong.max(), f.updates[1:].max(), 1)
        a.set_ylim(-0.04 * top, 1.08 * top)
        a.set_title(f"Mistakes per epoch (lr = {self.lr:.3g})")

        scene = Scene(self.fig, labels=[f"epoch {k} / {n - 1}" for k in range(n)])
        scene.image(self.ax, f.shade, self.extent, colors=_CLASS_COLORS, alpha=0.15, zorder=0.5)
        scene.line(self.ax, f.segments, like=self.art["line"])
        rings = [self.X[f.wrong[:, k]] for k in range(n)]
        scene.points(self.ax, rings, like=self.art["wrong"])
        lo, hi = a.get_ylim()
        scene.line(a, np.array([[[k, lo], [k, hi]] for k in range(n)], dtype=float),
                   like=self.marker)
        scene.text(self.ax, [f.caption(k) for k in range(n)], (0.5, 1.02), size=10,
                   ha="center", va="bottom")
        self.scene = scene
        return scene

    def draw(self):
        """Re-train with the learning-rate slider's value and show epoch 0 of the new frames."""
        self.player.show(self._scene(self.lr_slider.value), frame=0)

    def reset(self):
        """Stop playing and go back to epoch 0."""
        self.player.seek(0)

    # -- display ----------------------------------------------------------------------------
    def _repr_state(self):
        state = "converged" if self.model.converged else "not converged"
        return f"lr={self.lr:.3g}, epochs={len(self.frames) - 1}, {state}"


def plot_epochs(axes, X, y, epochs, *, lr=0.01, max_epochs=30, rng=0, legend=True):
    """Static snapshots: train like :class:`PerceptronWidget` and draw the given ``epochs``.

    ``axes`` is a sequence of matplotlib axes, one per entry of ``epochs`` (use -1 for the last
    epoch); ``legend`` puts the legend under the first one. Returns the fitted
    :class:`~course_lib.perceptron.Perceptron`.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(np.int64)
    model = Perceptron().fit(X, y, epochs=max_epochs, lr=lr, rng=rng, stop_early=True)
    extent = _extent(X)
    frames = _Frames(model, X, y, extent)
    for ax, k in zip(axes, epochs):
        k = range(len(frames))[k]
        art = _plane_artists(ax, X, y, extent, legend=legend and ax is axes[0])
        _show_plane(art, frames, X, k, ax)
        ax.set_title(f"epoch {k}: {frames.n_wrong[k]} on the wrong side")
    return model
