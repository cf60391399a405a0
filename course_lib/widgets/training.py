"""Widgets for the backprop chapter: the decision boundary evolving during training.

:class:`TrainingAnimation` plays the frames saved by :class:`course_lib.training.Snapshots`: the
predicted class over the plane (an ``imshow`` whose data is replaced in place), with the loss and
accuracy curves and a marker moving along them. :func:`snapshot_grid` draws the same frames as a
static grid for readers without a kernel.
"""

import ipywidgets as W
import matplotlib as mpl
import numpy as np

from ..plots import COLORS, finish
from ._common import canvas_widget, play_controls, redraw, widget_figure

__all__ = ["TrainingAnimation", "snapshot_grid"]


def _cmaps(n_classes):
    n = max(int(n_classes), 2)
    colors = COLORS[:n]
    return mpl.colors.ListedColormap(colors), n


def _draw_frame(ax, snapshots, index, X, y, n_classes):
    cmap, n = _cmaps(n_classes)
    image = ax.imshow(snapshots.grids[index], origin="lower", extent=snapshots.extent, cmap=cmap,
                      vmin=-0.5, vmax=n - 0.5, alpha=0.3, interpolation="nearest", aspect="auto")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=n - 0.5, s=10,
               edgecolors="white", linewidths=0.3)
    return image


class TrainingAnimation:
    """Play / step through the decision boundaries saved during training.

    ``snapshots``: a :class:`course_lib.training.Snapshots` filled by ``fit``; ``X``, ``y``: the
    training data (N, 2) and labels (N,); ``history``: the ``History`` from ``fit`` for the full
    loss and accuracy curves (default: the values saved with the snapshots).
    Display it as the last expression of a cell; ``show(i)`` jumps to frame ``i``.
    """

    def __init__(self, snapshots, X, y, history=None, interval_ms=120):
        if len(snapshots) == 0:
            raise ValueError("TrainingAnimation: the snapshots are empty; pass them to fit(callbacks=...)")
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y).astype(int)
        self.snapshots = snapshots
        self._grids = snapshots.grids          # (T, R, R): built once, indexed per frame
        self.n_frames = len(snapshots)
        self._epochs = np.array(snapshots.epochs)
        if history is not None and len(history):
            ep, loss, acc = np.array(history.epochs), np.array(history.loss), np.array(history.accuracy)
        else:
            ep, loss, acc = self._epochs, np.array(snapshots.loss), np.array(snapshots.accuracy)
        self._loss_at = np.array(snapshots.loss)
        self._acc_at = np.array(snapshots.accuracy)
        n_classes = int(max(y.max(), self._grids.max())) + 1

        self.fig = widget_figure(figsize=(11.0, 3.6))
        ax_b, ax_l, ax_a = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1, 1]})
        self.axes = (ax_b, ax_l, ax_a)
        self.image = _draw_frame(ax_b, snapshots, 0, X, y, n_classes)
        finish(ax_b, "Decision boundary", "$x_1$", "$x_2$")
        self.title = ax_b.title
        ax_l.plot(ep, loss, color=COLORS[0], label="training loss")
        (self.loss_marker,) = ax_l.plot([], [], "o", color=COLORS[3], label="current epoch")
        ax_l.set_yscale("log")
        finish(ax_l, "Loss", "epoch", "cross-entropy")
        ax_a.plot(ep, acc, color=COLORS[2], label="training accuracy")
        (self.acc_marker,) = ax_a.plot([], [], "o", color=COLORS[3], label="current epoch")
        ax_a.set_ylim(0, 1.02)
        finish(ax_a, "Accuracy", "epoch", "accuracy")
        self.fig.tight_layout()

        self.play, self.slider, controls = play_controls(self.n_frames, interval_ms, "frame")
        self.slider.observe(self._on_slider, names="value")
        self.box = W.VBox([canvas_widget(self.fig), controls])
        self.show(0)

    def _on_slider(self, change):
        self.show(change["new"])

    def show(self, index):
        """Draw frame ``index``: replaces the image data, moves the markers, updates the title."""
        i = int(np.clip(index, 0, self.n_frames - 1))
        self.index = i
        self.image.set_data(self._grids[i])
        epoch = int(self._epochs[i])
        loss, acc = self._loss_at[i], self._acc_at[i]
        self.loss_marker.set_data([epoch] if np.isfinite(loss) else [], [loss] if np.isfinite(loss) else [])
        self.acc_marker.set_data([epoch] if np.isfinite(acc) else [], [acc] if np.isfinite(acc) else [])
        text = f"Decision boundary, epoch {epoch}"
        if np.isfinite(acc):
            text += f" (accuracy {acc:.2f})"
        self.title.set_text(text)
        redraw(self.fig)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"TrainingAnimation({self.n_frames} frames, epochs {self._epochs[0]}..{self._epochs[-1]})"


def snapshot_grid(snapshots, X, y, n=6, ncols=3, size=2.6):
    """A static figure of ``n`` frames spread evenly over the snapshots (first and last included)."""
    import matplotlib.pyplot as plt

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).astype(int)
    n = min(int(n), len(snapshots))
    if n < 1:
        raise ValueError("snapshot_grid: the snapshots are empty")
    picks = np.unique(np.linspace(0, len(snapshots) - 1, n).round().astype(int))
    nrows = int(np.ceil(len(picks) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    n_classes = int(max(y.max(), snapshots.grids.max())) + 1
    for ax, i in zip(axes.ravel(), picks):
        _draw_frame(ax, snapshots, i, X, y, n_classes)
        acc = snapshots.accuracy[i]
        label = f"epoch {snapshots.epochs[i]}" + (f", acc {acc:.2f}" if np.isfinite(acc) else "")
        finish(ax, label, "$x_1$", "$x_2$")
    for ax in axes.ravel()[len(picks):]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
