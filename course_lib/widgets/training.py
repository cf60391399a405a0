"""Widgets for the backprop chapter: the decision boundary evolving during training.

:class:`TrainingAnimation` plays, in the browser, the frames saved by
:class:`course_lib.training.Snapshots`: the predicted class over the plane (cross-fading from one
snapshot to the next), with the loss and accuracy curves and a marker moving along them.
:func:`snapshot_grid` draws the same frames as a static grid for readers without a kernel.
"""

import matplotlib as mpl
import numpy as np

from ..plots import COLORS, finish
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["TrainingAnimation", "snapshot_grid"]


def _cmaps(n_classes):
    n = max(int(n_classes), 2)
    colors = COLORS[:n]
    return mpl.colors.ListedColormap(colors), n


def _draw_frame(ax, snapshots, index, X, y, n_classes):
    cmap, n = _cmaps(n_classes)
    image = ax.imshow(snapshots.grids[index], origin="lower", extent=snapshots.extent, cmap=cmap,
                      vmin=-0.5, vmax=n - 0.5, alpha=0.3, interpolation="nearest", aspect="auto")
    _draw_points(ax, X, y, n_classes)
    return image


def _draw_points(ax, X, y, n_classes):
    cmap, n = _cmaps(n_classes)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=n - 0.5, s=10,
               edgecolors="white", linewidths=0.3)


def _title(epoch, acc):
    text = f"Decision boundary, epoch {epoch}"
    return text + (f" (accuracy {acc:.2f})" if np.isfinite(acc) else "")


class TrainingAnimation(CourseWidget):
    """Play / step through the decision boundaries saved during training, in the browser.

    ``snapshots``: a :class:`course_lib.training.Snapshots` filled by ``fit``; ``X``, ``y``: the
    training data (N, 2) and labels (N,); ``history``: the ``History`` from ``fit`` for the full
    loss and accuracy curves (default: the values saved with the snapshots); ``fps``: snapshots
    per second at 1x speed. Display it as the last expression of a cell; ``draw(i)`` shows
    frame ``i`` (``player.play()`` plays).
    """

    def __init__(self, snapshots, X, y, history=None, fps=8.0):
        if len(snapshots) == 0:
            raise ValueError("TrainingAnimation: the snapshots are empty; pass them to "
                             "fit(callbacks=...)")
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y).astype(int)
        if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
            raise ValueError(f"TrainingAnimation: expected X (N, 2) and y (N,), got {X.shape} "
                             f"and {y.shape}")
        self.snapshots = snapshots
        grids = snapshots.grids                # (T, R, R) class labels
        self.n_frames = len(snapshots)
        self._epochs = np.array(snapshots.epochs)
        if history is not None and len(history):
            ep, loss, acc = (np.array(v) for v in (history.epochs, history.loss, history.accuracy))
        else:
            ep, loss, acc = self._epochs, np.array(snapshots.loss), np.array(snapshots.accuracy)
        loss_at = np.array(snapshots.loss, dtype=np.float64)
        acc_at = np.array(snapshots.accuracy, dtype=np.float64)
        n_classes = int(max(y.max(), grids.max())) + 1

        self.fig = static_figure((11.0, 3.6))
        ax_b, ax_l, ax_a = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1, 1]})
        self.axes = (ax_b, ax_l, ax_a)
        _draw_points(ax_b, X, y, n_classes)
        x0, x1, y0, y1 = snapshots.extent
        ax_b.set(xlim=(x0, x1), ylim=(y0, y1))
        finish(ax_b, " ", "$x_1$", "$x_2$")        # the title is a per-frame text layer
        ax_l.plot(ep, loss, color=COLORS[0], label="training loss")
        (loss_marker,) = ax_l.plot([], [], "o", color=COLORS[3], label="current epoch")
        ax_l.set_yscale("log")
        finish(ax_l, "Loss", "epoch", "cross-entropy")
        ax_a.plot(ep, acc, color=COLORS[2], label="training accuracy")
        (acc_marker,) = ax_a.plot([], [], "o", color=COLORS[3], label="current epoch")
        ax_a.set_ylim(0, 1.02)
        finish(ax_a, "Accuracy", "epoch", "accuracy")
        self.fig.tight_layout()

        n = max(_cmaps(n_classes)[1], n_classes)
        self.scene = scene = Scene(self.fig, labels=[f"epoch {e}" for e in self._epochs])
        scene.image(ax_b, grids, snapshots.extent, colors=COLORS[:n], alpha=0.3, zorder=0.5)
        scene.points(ax_l, np.stack([self._epochs, loss_at], axis=1)[:, None, :],
                     like=loss_marker)
        scene.points(ax_a, np.stack([self._epochs, acc_at], axis=1)[:, None, :], like=acc_marker)
        scene.text(ax_b, [_title(e, a) for e, a in zip(self._epochs, acc_at)], (0.5, 1.02),
                   size=12, ha="center", va="bottom")
        self.player = FramePlayer(scene, fps=fps, alt="decision boundary during training")
        self._assemble(self.player)

    @property
    def index(self):
        """The frame the player shows (as Python last heard it)."""
        return self.player.frame

    def draw(self, index=None):
        """Show frame ``index`` (clipped to the frames; default: the current one) and pause."""
        i = self.player.frame if index is None else int(np.clip(index, 0, self.n_frames - 1))
        self.player.seek(i)

    def _repr_state(self):
        return f"{self.n_frames} frames, epochs {self._epochs[0]}..{self._epochs[-1]}"


def snapshot_grid(snapshots, X, y, n=6, ncols=3, size=2.6):
    """A static figure of ``n`` frames spread evenly over the snapshots (first and last
    included)."""
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
