"""The gradient-descent explorer: optimizers racing on a 2-D loss surface.

Every path is computed up front, as whole arrays, by the same classes a network trains with
(:mod:`course_lib.optim`, driving a :class:`~course_lib.optim.Point`). Every control change
recomputes them all and shows that configuration's finished race; *Play* replays it in the
browser (a :class:`~course_lib.widgets.base.FramePlayer`: the paths grow on a static contour
plot at display rate) and a click on the map starts a new race there. :func:`race` and
:func:`plot_race` give the same picture without widgets (for static figures).

Your own optimizer can race too; ``extra={"mine": ...}`` accepts

- a function ``step_fn(p, g, state, lr, **hyper) -> None`` that updates the array ``p`` in place
  from its gradient ``g`` (``state`` is a dict that persists between calls), or
- a class following the optimizer contract, ``Cls(layers, lr=..., **hyper)`` with ``step()``.

Keyword arguments it declares among ``momentum``, ``alpha``, ``betas`` are filled from the
sliders. It uses the adaptive-methods learning rate if it takes an ``eps`` argument, else the SGD
one; pass ``(fn, "adaptive")`` or ``(fn, "sgd")`` to choose. A function that still raises
``NotImplementedError`` is left out with a one-line note.
"""

import inspect
from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from .. import optim
from ..plots import COLORS
from ..surfaces import SURFACES, get_surface
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["OptimizerExplorer", "race", "plot_race", "BUILTIN_OPTIMIZERS"]

#: name -> (which learning rate, colour, factory(point, lr, hyper) -> optimizer)
BUILTIN_OPTIMIZERS = {
    "SGD": ("sgd", COLORS[7], lambda pt, lr, h: optim.SGD(pt, lr=lr)),
    "Momentum": ("sgd", COLORS[0], lambda pt, lr, h: optim.SGD(pt, lr=lr, momentum=h["momentum"])),
    "Nesterov": ("sgd", COLORS[5], lambda pt, lr, h: optim.SGD(pt, lr=lr, momentum=h["momentum"],
                                                               nesterov=True)),
    "AdaGrad": ("adaptive", COLORS[2], lambda pt, lr, h: optim.AdaGrad(pt, lr=lr)),
    "RMSprop": ("adaptive", COLORS[4], lambda pt, lr, h: optim.RMSprop(pt, lr=lr,
                                                                       alpha=h["alpha"])),
    "Adam": ("adaptive", COLORS[3], lambda pt, lr, h: optim.Adam(pt, lr=lr,
                                                                 betas=(h["beta1"], h["beta2"]))),
}
EXTRA_COLORS = [COLORS[1], COLORS[6], "#7F7F7F", "#8C564B"]
DEFAULT_HYPER = {"momentum": 0.9, "alpha": 0.99, "beta1": 0.9, "beta2": 0.999}


@dataclass
class Run:
    """One optimizer's race: ``path`` (n + 1, 2) (NaN after divergence), ``loss`` (n + 1,)
    as ``f - f_min`` (NaN after divergence), ``diverged_at`` (a step, or ``None``)."""
    name: str
    color: str
    path: np.ndarray
    loss: np.ndarray
    diverged_at: object = None

    @property
    def label(self):
        if self.diverged_at is not None:
            return f"{self.name} (diverged at step {self.diverged_at})"
        return f"{self.name} (f - f* = {self.loss[-1]:.1e})"


def _learner_factory(obj):
    """``(kind, factory)`` for a learner's step function or optimizer class."""
    kind = None
    if isinstance(obj, tuple):
        obj, kind = obj
        if kind not in ("sgd", "adaptive"):
            raise ValueError(f"explorer: the learning-rate kind must be 'sgd' or 'adaptive', "
                             f"got {kind!r}")
    target = obj.__init__ if isinstance(obj, type) else obj
    try:
        names = set(inspect.signature(target).parameters)
    except (TypeError, ValueError):
        names = set()
    kind = kind or ("adaptive" if "eps" in names else "sgd")

    def factory(pt, lr, h):
        kw = {k: h[k] for k in ("momentum", "alpha") if k in names}
        if "betas" in names:
            kw["betas"] = (h["beta1"], h["beta2"])
        if isinstance(obj, type):
            return obj(pt, lr=lr, **kw)
        return optim.FunctionOptimizer(pt, obj, lr=lr, **kw)

    return kind, factory


def race(surface, optimizers, *, lr=None, lr_adaptive=None, start=None, steps=None, hyper=None,
         extra=None):
    """Run every optimizer from the same start; returns a list of :class:`Run`.

    ``optimizers`` are names from :data:`BUILTIN_OPTIMIZERS`; ``extra`` maps a name to a learner's
    step function or class (see the module docstring). Defaults come from the surface.
    """
    s = get_surface(surface)
    lrs = {"sgd": s.lr if lr is None else lr,
           "adaptive": s.lr_adaptive if lr_adaptive is None else lr_adaptive}
    h = {**DEFAULT_HYPER, **(hyper or {})}
    start = s.start if start is None else start
    steps = s.steps if steps is None else int(steps)
    entries = []
    for name in optimizers:
        if name not in BUILTIN_OPTIMIZERS:
            raise ValueError(f"race: unknown optimizer {name!r}; expected one of "
                             f"{list(BUILTIN_OPTIMIZERS)}")
        kind, color, factory = BUILTIN_OPTIMIZERS[name]
        entries.append((name, kind, color, factory))
    for i, (name, obj) in enumerate((extra or {}).items()):
        kind, factory = _learner_factory(obj)
        entries.append((name, kind, EXTRA_COLORS[i % len(EXTRA_COLORS)], factory))
    runs = []
    for i, (name, kind, color, factory) in enumerate(entries):
        try:
            path = optim.trajectory(s.grad_xy, start, lambda pt: factory(pt, lrs[kind], h), steps)
        except Exception as exc:  # noqa: BLE001 - only a learner's optimizer can fail here
            if i < len(optimizers):
                raise
            print(f"❌ {name}: left out of the race, it raised {type(exc).__name__}: {exc}")
            continue
        bad = np.nonzero(np.isnan(path[:, 0]))[0]
        with np.errstate(all="ignore"):
            loss = np.maximum(s.loss_xy(path) - s.f_min, 1e-16)
        runs.append(Run(name, color, path, loss, int(bad[0]) if bad.size else None))
    return runs


def _last_finite(run, k):
    """The index of the last finite point of ``run`` at or before frame ``k``."""
    if run.diverged_at is None or k < run.diverged_at:
        return k
    return run.diverged_at - 1


class _Drawing:
    """The artists of one race picture: contours, stars, one path + head + loss line per run."""

    def __init__(self, ax_map, ax_loss, legend="right"):
        self.ax_map, self.ax_loss, self.legend_mode, self.legend = ax_map, ax_loss, legend, None
        self.contours = []
        (self.stars,) = ax_map.plot([], [], "*", color="gold", markersize=14,
                                    markeredgecolor="black", zorder=5, label="_minima")
        (self.start,) = ax_map.plot([], [], "o", color="white", markeredgecolor="black",
                                    markersize=7, zorder=5, label="_start")
        self.lines, self.heads, self.losses = [], [], []
        self.runs = []
        ax_loss.set_yscale("log")
        ax_loss.set_title("Loss f - f* (log scale)", y=1.0)  # a fixed y: no re-layout per draw
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("f(x, y) - f*")
        ax_map.set_xlabel("x")
        ax_map.set_ylabel("y")

    def set_surface(self, s, resolution=90):
        for c in self.contours:
            c.remove()
        X, Y, Z = s.grid(resolution)
        levels = s.levels(16, Z)
        with np.errstate(divide="ignore"):
            log_gap = np.log10(np.maximum(Z - s.f_min, 1e-300))
        self.contours = [
            self.ax_map.contourf(X, Y, log_gap, levels=np.log10(levels - s.f_min), cmap="Blues_r",
                                 alpha=0.35, zorder=0, extend="both"),
            self.ax_map.contour(X, Y, Z, levels=levels, colors="#4C6A8A", linewidths=0.6,
                                alpha=0.6, zorder=1),
        ]
        self.ax_map.set_xlim(s.xlim)
        self.ax_map.set_ylim(s.ylim)
        self.ax_map.set_title(s.title, y=1.0)
        self.stars.set_data([m[0] for m in s.minima], [m[1] for m in s.minima])

    def set_runs(self, runs):
        """Show ``runs``: reuse (or add) one path/head/loss artist per run; hide the rest."""
        while len(self.lines) < len(runs):
            (line,) = self.ax_map.plot([], [], "-", lw=1.8, zorder=3)
            (head,) = self.ax_map.plot([], [], "o", markersize=7, markeredgecolor="white", zorder=4)
            (loss,) = self.ax_loss.plot([], [], "-", lw=1.6)
            self.lines.append(line)
            self.heads.append(head)
            self.losses.append(loss)
        self.runs = runs
        for i, (line, head, loss) in enumerate(zip(self.lines, self.heads, self.losses)):
            visible = i < len(runs)
            for art in (line, head, loss):
                art.set_visible(visible)
            if visible:
                r = runs[i]
                for art in (line, head, loss):
                    art.set_color(r.color)
                head.set_marker("X" if r.diverged_at is not None else "o")
                line.set_label(r.label)
                loss.set_label(r.name)
        n = max((len(r.path) for r in runs), default=1)
        finite = np.concatenate([r.loss[np.isfinite(r.loss)] for r in runs] or [np.ones(1)])
        lo, hi = max(finite.min(), 1e-16), max(finite.max(), 1e-15)
        self.ax_loss.set_xlim(0, max(n - 1, 1))
        self.ax_loss.set_ylim(lo / 3, hi * 3)
        if self.legend is not None:
            self.legend.remove()
        handles = self.lines[:len(runs)]
        labels = [r.label for r in runs]
        if self.legend_mode == "figure":      # one row of columns under both axes
            self.legend = self.ax_map.get_figure().legend(
                handles, labels, loc="lower center", ncol=min(len(runs), 4), fontsize=8,
                frameon=False, handlelength=1.5, columnspacing=1.2)
        else:                                 # to the right of the loss axes
            self.legend = self.ax_loss.legend(handles, labels, loc="center left", fontsize=8,
                                              bbox_to_anchor=(1.02, 0.5))

    def set_start(self, x0, y0):
        self.start.set_data([x0], [y0])

    def show(self, k):
        """Draw every run up to step ``k`` (only ``set_data``; nothing is re-plotted)."""
        for r, line, head, loss in zip(self.runs, self.lines, self.heads, self.losses):
            k_r = min(k, len(r.path) - 1)
            line.set_data(r.path[:k_r + 1, 0], r.path[:k_r + 1, 1])
            j = _last_finite(r, k_r)
            head.set_data(r.path[j:j + 1, 0], r.path[j:j + 1, 1])
            loss.set_data(np.arange(k_r + 1), r.loss[:k_r + 1])


def plot_race(ax_map, ax_loss, surface, runs, step=None):
    """A static picture of a race (its last step, or ``step``) on two axes, the legend to the
    right of ``ax_loss``; returns nothing."""
    s = get_surface(surface)
    d = _Drawing(ax_map, ax_loss, legend="right")
    d.set_surface(s)
    d.set_runs(runs)
    d.set_start(*(runs[0].path[0] if runs else s.start))
    d.show(max(len(r.path) for r in runs) - 1 if step is None else int(step))


#: a replay of the whole race lasts about this long at 1x speed (longer races play faster)
REPLAY_SECONDS = 6.0


class OptimizerExplorer(CourseWidget):
    """Optimizers racing on a 2-D surface: pick the surface, the racers and their hyper-parameters.

    ``OptimizerExplorer(surface="rosenbrock", optimizers=("SGD", "Momentum", "Adam"),
    extra={"my momentum": momentum_step})``. Display it as the last expression of a cell.
    Every control change shows the finished race of the new configuration; Play replays it in
    the browser; a click on the map moves the start there. ``draw()`` recomputes from the
    controls; ``player.seek(k)`` shows step ``k``.
    """

    def __init__(self, surface="ravine", optimizers=("SGD", "Momentum", "RMSprop", "Adam"),
                 extra=None):
        s = get_surface(surface)
        self.extra = {}
        for name, obj in (extra or {}).items():
            if self._admit(name, obj):
                self.extra[name] = obj
        self._busy = False
        self.fig = static_figure((9.6, 4.3))
        self.ax_map = self.fig.add_axes([0.065, 0.2, 0.47, 0.72])
        self.ax_loss = self.fig.add_axes([0.64, 0.2, 0.34, 0.72])
        self.drawing = _Drawing(self.ax_map, self.ax_loss, legend="figure")
        self.player = FramePlayer(None, alt="optimizer paths on the loss surface")
        self.player.on_click(self._on_click)
        self._build_controls(s, optimizers)
        self._set_surface(s)
        self._assemble(self.player, self._rows)

    # -- learners' optimizers -------------------------------------------------------------------
    @staticmethod
    def _admit(name, obj):
        """Try the learner's optimizer on one step; leave it out (one printed line) if it fails."""
        try:
            kind, factory = _learner_factory(obj)
            pt = optim.Point([0.5, -0.5])
            pt.grads["xy"][...] = [0.1, -0.2]
            factory(pt, 0.01, DEFAULT_HYPER).step()
        except NotImplementedError:
            print(f"⏳ {name}: will join the race once it is implemented (see the exercise above).")
            return False
        except Exception as exc:  # noqa: BLE001 - a learner's bug must not break the widget
            print(f"❌ {name}: left out of the race, it raised {type(exc).__name__}: {exc}")
            return False
        return True

    # -- controls -------------------------------------------------------------------------------
    def _build_controls(self, s, optimizers):
        wide = {"description_width": "initial"}
        self.surface = W.Dropdown(options=list(SURFACES), value=s.name, description="surface",
                                  layout=W.Layout(width="200px"))
        names = list(BUILTIN_OPTIMIZERS) + list(self.extra)
        for name in optimizers:
            if name not in BUILTIN_OPTIMIZERS:
                raise ValueError(f"OptimizerExplorer: unknown optimizer {name!r}; expected one of "
                                 f"{list(BUILTIN_OPTIMIZERS)}")
        self.checks = {n: W.Checkbox(value=(n in optimizers or n in self.extra), description=n,
                                     indent=False,
                                     layout=W.Layout(width="auto", margin="0 8px 0 0"))
                       for n in names}
        log = dict(base=10, readout_format=".1e", continuous_update=False, style=wide)
        self.lr = W.FloatLogSlider(value=s.lr, min=-4.5, max=0, step=0.05,
                                   description="lr (SGD, momentum)", **log)
        self.lr_adaptive = W.FloatLogSlider(value=s.lr_adaptive, min=-3.5, max=0.5, step=0.05,
                                            description="lr (adaptive)", **log)
        lin = dict(continuous_update=False, style=wide, layout=W.Layout(width="230px"))
        self.momentum = W.FloatSlider(value=0.9, min=0, max=0.99, step=0.01, description="μ", **lin)
        self.alpha = W.FloatSlider(value=0.99, min=0, max=0.999, step=0.001, readout_format=".3f",
                                   description="RMSprop α", **lin)
        self.beta1 = W.FloatSlider(value=0.9, min=0, max=0.99, step=0.01, description="Adam β₁",
                                   **lin)
        self.beta2 = W.FloatSlider(value=0.999, min=0.5, max=0.9999, step=0.0001,
                                   readout_format=".4f", description="β₂", **lin)
        self.x0 = W.FloatSlider(description="x₀", **lin)
        self.y0 = W.FloatSlider(description="y₀", readout_format=".3f", **lin)
        self.steps = W.IntSlider(value=s.steps, min=10, max=1000, step=10, description="steps",
                                 **lin)
        self.reset_button = W.Button(description="reset", tooltip="back to this surface's defaults",
                                     layout=W.Layout(width="70px"))
        self._rows = [
            W.HBox([self.surface, W.HBox(list(self.checks.values()))]),
            W.HBox([self.lr, self.lr_adaptive, self.steps]),
            W.HBox([self.momentum, self.alpha, self.beta1, self.beta2]),
            W.HBox([self.x0, self.y0, self.reset_button]),
        ]
        self.surface.observe(lambda ch: self._set_surface(get_surface(ch["new"])), "value")
        for w in (self.lr, self.lr_adaptive, self.momentum, self.alpha, self.beta1, self.beta2,
                  self.x0, self.y0, self.steps, *self.checks.values()):
            w.observe(self._on_change, "value")
        self.reset_button.on_click(lambda _: self._set_surface(get_surface(self.surface.value)))

    def _set_surface(self, s):
        """Switch to surface ``s`` and its defaults (start, learning rates, steps); recompute."""
        self._busy = True
        try:
            self.drawing.set_surface(s)
            for w, lim in ((self.x0, s.xlim), (self.y0, s.ylim)):
                w.min, w.max = -1e9, 1e9  # widen first so min <= max holds while changing both
                w.min, w.max, w.step = lim[0], lim[1], (lim[1] - lim[0]) / 400
            self.x0.value, self.y0.value = s.start
            self.lr.value, self.lr_adaptive.value, self.steps.value = s.lr, s.lr_adaptive, s.steps
            self.momentum.value = DEFAULT_HYPER["momentum"]
            self.alpha.value = DEFAULT_HYPER["alpha"]
            self.beta1.value, self.beta2.value = DEFAULT_HYPER["beta1"], DEFAULT_HYPER["beta2"]
        finally:
            self._busy = False
        self.draw()

    def _on_change(self, change):
        if not self._busy:
            self.draw()

    def _on_click(self, axes_index, x, y):
        """A click on the map (the page sends data coordinates): a new race from there."""
        if axes_index != 0:
            return
        self._busy = True
        try:
            self.x0.value, self.y0.value = x, y
        finally:
            self._busy = False
        self.draw()

    # -- computing and drawing ------------------------------------------------------------------
    @property
    def selected(self):
        """The names of the optimizers in the race."""
        return [n for n, box in self.checks.items() if box.value]

    def hyper(self):
        return {"momentum": self.momentum.value, "alpha": self.alpha.value,
                "beta1": self.beta1.value, "beta2": self.beta2.value}

    def draw(self):
        """Recompute every selected optimizer's whole path; show the finished race (one update)."""
        chosen = self.selected
        self.runs = race(self.surface.value, [n for n in chosen if n in BUILTIN_OPTIMIZERS],
                         lr=self.lr.value, lr_adaptive=self.lr_adaptive.value,
                         start=(self.x0.value, self.y0.value), steps=self.steps.value,
                         hyper=self.hyper(), extra={n: self.extra[n] for n in chosen
                                                    if n in self.extra})
        self.drawing.set_runs(self.runs)
        self.drawing.set_start(self.x0.value, self.y0.value)
        self.momentum.disabled = not {"Momentum", "Nesterov"} & set(chosen)
        self.alpha.disabled = "RMSprop" not in chosen
        self.beta1.disabled = self.beta2.disabled = "Adam" not in chosen
        self.scene = self._scene(self.steps.value)
        fps = max(30.0, (len(self.scene) - 1) / REPLAY_SECONDS)
        self.player.show(self.scene, frame=-1, fps=fps)

    recompute = draw

    def _scene(self, n):
        """The race as frames 0..n: growing paths and loss curves, heads, the step counter."""
        scene = Scene(self.fig, labels=[f"step {k} / {n}" for k in range(n + 1)],
                      clickable=[self.ax_map])
        k = np.arange(n + 1)
        ends = np.minimum(k, n) + 1
        for r, line, head, loss in zip(self.runs, self.drawing.lines, self.drawing.heads,
                                       self.drawing.losses):
            steps = len(r.path) - 1
            scene.trail(self.ax_map, r.path, np.minimum(ends, steps + 1), like=line)
            last = np.minimum(k, steps)
            if r.diverged_at is not None:           # the head stays at the last finite point
                last = np.minimum(last, r.diverged_at - 1)
            scene.points(self.ax_map, r.path[last][:, None, :], like=head)
            curve = np.column_stack([np.arange(steps + 1), r.loss])
            scene.trail(self.ax_loss, curve, np.minimum(ends, steps + 1), like=loss)
        scene.text(self.ax_loss, [f"step {j} / {n}" for j in k], (0.98, 0.96), size=9,
                   ha="right", va="top")
        return scene

    # -- display --------------------------------------------------------------------------------
    def _repr_state(self):
        return f"surface={self.surface.value!r}, optimizers={self.selected}"
