"""Chapter 05b's widget: the regularization strength against the decision boundary and the
training and validation curves, played through the epochs in the browser.

:func:`sweep` trains one model per strength (recording both curves and the boundary at chosen
epochs); :class:`GeneralizationExplorer` shows the runs: a slider picks the strength, the frame
player plays that run's epochs (boundary on the left, both loss curves growing on the right).
"""

import ipywidgets as W
import numpy as np

from ..plots import COLORS, finish
from ..training import Snapshots, fit
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["sweep", "GeneralizationExplorer"]


def sweep(make_model, make_optimizer, values, X_train, y_train, X_val, y_val, *, loss_fn,
          epochs, at=None, resolution=48, grid_points=None):
    """Train one model per value; returns a list of dicts, one per value, with ``"value"``,
    ``"history"`` (a :class:`~course_lib.training.History` with validation) and ``"snapshots"``
    (a :class:`~course_lib.training.Snapshots` of the boundary on a ``resolution`` x
    ``resolution`` grid at the epochs ``at``; default: 0 and about 25 log-spaced epochs, where
    most of the change happens early).

    ``make_model()`` builds a fresh model (seeded, so every value starts from the same weights);
    ``make_optimizer(model, value)`` its optimizer; ``loss_fn`` the loss (e.g.
    ``CrossEntropyLoss()``). ``grid_points`` (M, 2): the points whose box the boundary grid covers
    (default: training and validation points together). Full-batch training, ``epochs`` epochs.
    """
    values = list(values)
    if not values:
        raise ValueError("sweep: expected at least one value")
    if at is None:
        at = sorted({0, *np.unique(np.geomspace(1, epochs, 30).astype(int)).tolist()})
    box = np.vstack([X_train, X_val]) if grid_points is None else np.asarray(grid_points)
    runs = []
    for value in values:
        model = make_model()
        snaps = Snapshots(box, resolution=resolution, at=at)
        history = fit(model, loss_fn, X_train, y_train, epochs=epochs,
                      optimizer=make_optimizer(model, value), callbacks=[snaps],
                      validation=(X_val, y_val))
        runs.append({"value": value, "history": history, "snapshots": snaps, "model": model})
    return runs


def _fmt(value):
    return f"{value:g}"


class GeneralizationExplorer(CourseWidget):
    """Pick a regularization strength; play its training: boundary and loss curves together.

    ``GeneralizationExplorer(runs, X_train, y_train, X_val, y_val, name="weight decay",
    start=0, fps=8)``: ``runs`` from :func:`sweep`. Left: the predicted class over the plane at
    the frame's epoch, the training points (filled) and the validation points (rings). Right:
    the training and validation loss up to that epoch (log scale; the same axes for every
    strength, so runs compare by eye), with the validation minimum marked. The slider's
    ``.value`` is the index of the shown run; ``draw()`` shows it.
    """

    def __init__(self, runs, X_train, y_train, X_val, y_val, *, name="weight decay", start=0,
                 fps=8):
        if not runs:
            raise ValueError("GeneralizationExplorer: expected at least one run from sweep()")
        for r in runs:
            if len(r["snapshots"]) == 0 or not r["history"].val_loss:
                raise ValueError("GeneralizationExplorer: every run needs snapshots and a "
                                 "validation curve (use sweep())")
        self.runs, self.name = list(runs), str(name)
        self.X_train, self.y_train = np.asarray(X_train), np.asarray(y_train)
        self.X_val, self.y_val = np.asarray(X_val), np.asarray(y_val)
        curves = np.concatenate([np.r_[r["history"].loss, r["history"].val_loss] for r in runs])
        curves = curves[np.isfinite(curves) & (curves > 0)]
        self._ylim = (max(float(curves.min()) / 2, 1e-4), float(curves.max()) * 2)
        self._epochs = max(len(r["history"]) for r in runs)
        self.slider = W.SelectionSlider(options=[(_fmt(r["value"]), i) for i, r in enumerate(runs)],
                                        value=range(len(runs))[start], description=self.name,
                                        continuous_update=False,
                                        style={"description_width": "initial"},
                                        layout=W.Layout(width="420px"))
        self.scene = self._scene(self.slider.value)
        self.player = FramePlayer(self.scene, fps=fps, frame=-1,
                                  alt="decision boundary and loss curves during training")
        self.slider.observe(lambda change: self.draw(), "value")
        self._assemble(self.player, [self.slider])

    @property
    def run(self):
        """The run the slider shows."""
        return self.runs[self.slider.value]

    def _scene(self, index):
        run = self.runs[index]
        hist, snaps = run["history"], run["snapshots"]
        n_classes = int(max(self.y_train.max(), self.y_val.max())) + 1
        colors = COLORS[:n_classes]
        fig = static_figure((10.0, 4.2))
        ax_b, ax_c = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.88, wspace=0.22)
        x0, x1, y0, y1 = snaps.extent
        for c in range(n_classes):
            tr, va = self.y_train == c, self.y_val == c
            ax_b.scatter(*self.X_train[tr].T, s=22, color=colors[c], edgecolor="white",
                         linewidth=0.5, zorder=3, label="train" if c == 0 else None)
            ax_b.scatter(*self.X_val[va].T, s=14, facecolor="none", edgecolor=colors[c],
                         linewidth=0.8, alpha=0.8, zorder=3,
                         label="validation" if c == 0 else None)
        ax_b.set(xlim=(x0, x1), ylim=(y0, y1), aspect="auto")
        ax_b.legend(loc="lower right", fontsize=8)
        finish(ax_b, f"Decision boundary, {self.name} {_fmt(run['value'])}", "$x_1$", "$x_2$",
               legend=False)
        epochs = np.arange(1, len(hist) + 1)
        (tr_line,) = ax_c.plot([], [], color=COLORS[0], label="training loss")
        (va_line,) = ax_c.plot([], [], color=COLORS[3], label="validation loss")
        best = int(np.nanargmin(hist.val_loss))
        ax_c.scatter([best + 1], [hist.val_loss[best]], s=60, marker="*", color="black",
                     zorder=5, label=f"validation minimum (epoch {best + 1})")
        ax_c.set_yscale("log")
        ax_c.set(xlim=(0, self._epochs), ylim=self._ylim)
        finish(ax_c, "Loss during training", "epoch", "cross-entropy (log scale)", legend=True)
        ax_c.legend(loc="upper right", fontsize=8)

        grids = snaps.grids
        labels = [f"epoch {e}" for e in snaps.epochs]
        scene = Scene(fig, labels=labels)
        # the boundary cross-fades and the curves' heads glide between frames, so the page has
        # a new picture on every display frame even though it shows only ~8 snapshots a second
        scene.image(ax_b, grids, snaps.extent, colors=colors, alpha=0.3)
        ends = np.array([min(e, len(hist)) for e in snaps.epochs], dtype=np.int64)
        scene.trail(ax_c, np.column_stack([epochs, hist.loss]), ends, like=tr_line)
        scene.trail(ax_c, np.column_stack([epochs, hist.val_loss]), ends, like=va_line)
        first = (hist.loss[0], hist.val_loss[0])
        heads = np.array([[[max(e, 1), hist.loss[e - 1] if e else first[0]],
                           [max(e, 1), hist.val_loss[e - 1] if e else first[1]]]
                          for e in snaps.epochs])
        scene.points(ax_c, heads, color="white", edgecolor="black", edgewidth=1.2, size=36,
                     zorder=6)
        texts = []
        for e in snaps.epochs:
            if e == 0:
                texts.append("before training")
            else:
                texts.append(f"epoch {e}: train acc {hist.accuracy[e - 1]:.0%}, "
                             f"val acc {hist.val_accuracy[e - 1]:.0%}")
        scene.text(ax_c, texts, pos=(0.02, 0.04), va="bottom", size=9,
                   background="white")
        return scene

    def draw(self):
        """Show the run the slider picks, at its last epoch (press play to replay it)."""
        self.scene = self._scene(self.slider.value)
        self.player.show(self.scene, frame=-1)

    def _repr_state(self):
        return (f"{len(self.runs)} runs of {self.name}, {len(self.scene)} frames each, "
                f"showing {_fmt(self.run['value'])}")
