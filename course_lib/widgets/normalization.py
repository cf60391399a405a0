"""Chapter 06's widget: each layer's activations as a network trains, without and with batch norm.

:func:`record_histograms` trains two copies of the same MLP (``Dense -> activation`` and
``Dense -> BatchNorm1d -> activation``, same initial weights, same minibatches) with plain SGD and
records, every few steps, the histogram of every hidden layer's activations on a fixed probe batch.
:class:`ActivationHistograms` plays those histograms in the browser (a
:class:`~course_lib.widgets.base.FramePlayer`); its controls (activation, initial scale, learning
rate) retrain both networks and replace the animation in one update. :func:`histogram_summary`
draws the first, middle and last recorded histograms as a static figure.
"""

import ipywidgets as W
import numpy as np

from .. import init
from ..layers import BatchNorm1d, Dense, ReLU, Sequential, Tanh
from ..losses import CrossEntropyLoss
from ..plots import COLORS, finish
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["record_histograms", "ActivationHistograms", "histogram_summary"]

ACTIVATIONS = {"tanh": Tanh, "relu": ReLU}
#: the histogram range of each activation (ReLU: the positive part; larger values: the last bin)
RANGES = {"tanh": (-1.0, 1.0), "relu": (0.0, 3.0)}


def _mlp(activation, batchnorm, init_scale, depth, width, n_in, n_out, seed):
    # same seed, same draws: the two networks start from the same weights
    rng = np.random.default_rng(seed)
    base = init.xavier_normal if activation == "tanh" else init.kaiming_normal
    scaled = lambda shape, rng: init_scale * base(shape, rng=rng)   # noqa: E731
    layers, d = [], n_in
    for _ in range(depth):
        layers.append(Dense(d, width, rng=rng, init=scaled))
        if batchnorm:
            layers.append(BatchNorm1d(width))
        layers.append(ACTIVATIONS[activation]())
        d = width
    return Sequential(layers + [Dense(d, n_out, rng=rng)])


def _hidden_activations(model, X):
    """The output of every activation layer on ``X`` (training mode, running statistics kept)."""
    saved = [(layer, layer.running_mean.copy(), layer.running_var.copy(), layer.num_batches_tracked)
             for layer in model if isinstance(layer, BatchNorm1d)]
    outs, h = [], X
    for layer in model:
        h = layer.forward(h)
        if isinstance(layer, (Tanh, ReLU)):
            outs.append(h)
    for layer, mean, var, n in saved:           # probing must not change the model
        layer.running_mean[...], layer.running_var[...], layer.num_batches_tracked = mean, var, n
    return outs


def _saturated(a, activation):
    # tanh: |a| > 0.99 (slope below 0.02); ReLU: exactly 0 (slope 0)
    return float(np.mean(np.abs(a) > 0.99) if activation == "tanh" else np.mean(a == 0))


def record_histograms(X, y, *, activation="tanh", init_scale=1.0, lr=0.1, depth=4, width=64,
                      steps=60, batch_size=64, every=2, bins=40, probe=256, seed=0):
    """Train the MLP without and with batch norm; histograms of every hidden layer during training.

    ``X`` (N, D) float inputs and ``y`` (N,) integer labels; ``activation`` ``"tanh"`` (weights
    Xavier-initialized) or ``"relu"`` (He); every hidden weight matrix is multiplied by
    ``init_scale``. Plain SGD with learning rate ``lr`` for ``steps`` minibatches of
    ``batch_size`` (the same minibatches for both networks), a snapshot before the first step and
    after every ``every`` steps. A diverging run stops being recorded (its last histograms repeat).

    Returns a dict: ``steps`` (F,) the step of each snapshot, ``edges`` (bins + 1,),
    ``hist[bn]`` (F, depth, bins) the fraction of the probe's units in each bin (ReLU: zeros are
    left out and counted in ``saturated``; values beyond the range go to the last bin),
    ``saturated[bn]`` (F, depth), ``loss[bn]`` (F,) the minibatch loss (NaN at step 0),
    ``diverged[bn]`` (the step it diverged at, or None), for ``bn`` in ``(False, True)``, and the
    arguments.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"record_histograms: activation must be one of {sorted(ACTIVATIONS)}, "
                         f"got {activation!r}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),) or len(X) < batch_size:
        raise ValueError(f"record_histograms: expected X (N, D) and y (N,) with N >= batch_size "
                         f"{batch_size}, got {X.shape} and {y.shape}")
    for name, value in (("steps", steps), ("every", every), ("bins", bins), ("depth", depth)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"record_histograms: {name} must be a positive integer, got {value!r}")
    if batch_size < 2:
        raise ValueError(f"record_histograms: batch norm needs batch_size >= 2, got {batch_size}")
    lo, hi = RANGES[activation]
    edges = np.linspace(lo, hi, bins + 1)
    order = np.random.default_rng(seed + 1)
    batches = [order.choice(len(X), batch_size, replace=False) for _ in range(steps)]
    X_probe = X[np.random.default_rng(seed + 2).choice(len(X), min(probe, len(X)), replace=False)]
    snap_at = [0] + [s for s in range(1, steps + 1) if s % every == 0 or s == steps]
    out = {"steps": np.array(snap_at), "edges": edges, "hist": {}, "saturated": {}, "loss": {},
           "diverged": {}, "activation": activation, "init_scale": float(init_scale),
           "lr": float(lr), "depth": int(depth)}
    for bn in (False, True):
        model = _mlp(activation, bn, init_scale, depth, width, X.shape[1], int(y.max()) + 1, seed)
        loss_fn = CrossEntropyLoss()
        hist, sat, losses, diverged, loss = [], [], [], None, np.nan
        for step in range(steps + 1):
            if step > 0 and diverged is None:
                xb, yb = X[batches[step - 1]], y[batches[step - 1]]
                with np.errstate(all="ignore"):              # a diverging run: recorded below
                    loss = float(loss_fn(model.forward(xb), yb))
                    model.backward(loss_fn.backward())
                    for p, g in model.parameters():
                        p -= lr * g
                if not np.isfinite(loss) or not all(np.isfinite(p).all() for p, _ in
                                                    model.parameters()):
                    diverged = step
            if step not in snap_at:
                continue
            if diverged is None or not hist:
                with np.errstate(all="ignore"):
                    acts = _hidden_activations(model, X_probe)
                rows, sats = [], []
                for a in acts:
                    v = a[a != 0] if activation == "relu" else a.ravel()
                    v = np.clip(v[np.isfinite(v)], lo, hi)
                    counts = np.histogram(v, bins=edges)[0]
                    rows.append(counts / a.size)
                    sats.append(_saturated(a, activation))
                hist.append(rows)
                sat.append(sats)
            else:                                            # diverged: hold the last picture
                hist.append(hist[-1])
                sat.append(sat[-1])
            losses.append(loss if diverged is None else np.nan)
        out["hist"][bn] = np.array(hist)
        out["saturated"][bn] = np.array(sat)
        out["loss"][bn] = np.array(losses)
        out["diverged"][bn] = diverged
    return out


def _outline(edges, heights):
    """The (2 B + 2, 2) polyline of a step histogram."""
    x = np.repeat(edges, 2)
    yv = np.concatenate([[0.0], np.repeat(heights, 2), [0.0]])
    return np.stack([x, yv], axis=1)


def _row_label(bn):
    return "with batch norm" if bn else "without batch norm"


class ActivationHistograms(CourseWidget):
    """Every hidden layer's activation histogram while the MLP trains, without and with batch norm.

    ``ActivationHistograms(X, y, activation="relu", init_scale=3.0, lr=0.1, fps=8, **options)``:
    ``options`` go to :func:`record_histograms`. The top row is the network without batch norm,
    the bottom row the same network with ``BatchNorm1d`` before each activation, one column per
    hidden layer, and the last column their training losses. The controls under the player
    (activation, initial scale, learning rate) retrain both networks and replace the animation in
    one update. ``draw()`` recomputes from the controls; ``result`` holds the recorded histograms.
    """

    SCALES = (0.1, 0.5, 1.0, 2.0, 3.0)
    LRS = (0.01, 0.03, 0.1, 0.3, 1.0)

    def __init__(self, X, y, *, activation="relu", init_scale=3.0, lr=0.1, fps=8.0, **options):
        self.X, self.y, self.options = X, y, dict(options)
        if init_scale not in self.SCALES or lr not in self.LRS:
            raise ValueError(f"ActivationHistograms: init_scale must be one of {self.SCALES} and "
                             f"lr one of {self.LRS}, got {init_scale!r} and {lr!r}")
        self.activation = W.ToggleButtons(options=[("tanh", "tanh"), ("ReLU", "relu")],
                                          value=activation, description="activation")
        self.scale = W.Dropdown(options=[(f"x {s:g}", s) for s in self.SCALES], value=init_scale,
                                description="init scale", layout=W.Layout(width="180px"))
        self.lr = W.Dropdown(options=[(f"{v:g}", v) for v in self.LRS], value=lr,
                             description="lr", layout=W.Layout(width="150px"))
        self.result = record_histograms(X, y, activation=activation, init_scale=init_scale, lr=lr,
                                        **self.options)
        self.scene = self._scene(self.result)
        self.player = FramePlayer(self.scene, fps=fps, frame=-1,
                                  alt="activation histograms per layer during training")
        for control in (self.activation, self.scale, self.lr):
            control.observe(lambda _change: self.draw(), "value")
        self._assemble(self.player, [[self.activation, self.scale, self.lr]])

    def _scene(self, r):
        depth, steps = r["depth"], r["steps"]
        fig = static_figure((2.3 * depth + 3.2, 5.0))
        grid = fig.add_gridspec(2, depth + 1, width_ratios=[1] * depth + [1.35])
        edges = r["edges"]
        top = max(float(r["hist"][bn].max()) for bn in (False, True))
        ymax = min(1.0, 1.1 * top) if top > 0 else 1.0
        label = f"{r['activation']}, init x{r['init_scale']:g}, lr {r['lr']:g}"
        texts, line_axes = [], []
        for row, bn in enumerate((False, True)):
            for k in range(depth):
                ax = fig.add_subplot(grid[row, k])
                ax.set(xlim=(edges[0], edges[-1]), ylim=(0, ymax))
                if k:
                    ax.set_yticklabels([])
                title = f"layer {k + 1}" if row == 0 else " "
                finish(ax, title, "activation" if row == 1 else None,
                       f"{_row_label(bn)}\nfraction of units" if k == 0 else None)
                (like,) = ax.plot([], [], color=COLORS[3] if bn else COLORS[0], lw=1.8)
                line_axes.append((ax, like, bn, k))
        ax_loss = fig.add_subplot(grid[:, depth])
        for bn in (False, True):
            color = COLORS[3] if bn else COLORS[0]
            ax_loss.plot(steps[1:], r["loss"][bn][1:], color=color, lw=1.5, label=_row_label(bn))
        (marker,) = ax_loss.plot([], [], "o", color="black", ms=5, label="now")
        finite = np.concatenate([r["loss"][bn][np.isfinite(r["loss"][bn])] for bn in (False, True)])
        # a loss that explodes before it overflows would flatten everything else: cap the axis
        top = min(float(finite.max()), 8.0) * 1.05 if finite.size else 2.6
        ax_loss.set(xlim=(0, steps[-1]), ylim=(0, max(2.6, top)))
        finish(ax_loss, "Training loss", "step", "cross-entropy (minibatch)", legend=True)
        fig.suptitle(f"Activations per hidden layer during training ({label})", fontsize=12)
        fig.tight_layout()

        scene = Scene(fig, labels=[f"step {s}" for s in steps])
        for ax, like, bn, k in line_axes:
            frames = np.stack([_outline(edges, h) for h in r["hist"][bn][:, k]])
            scene.line(ax, frames, like=like)
            word = "saturated" if r["activation"] == "tanh" else "zero"
            texts = [f"{s:.0%} {word}" for s in r["saturated"][bn][:, k]]
            scene.text(ax, texts, (0.97, 0.95), size=9, ha="right")
        for bn in (False, True):
            loss = r["loss"][bn]
            shown = np.where(np.isfinite(loss) & (loss <= ax_loss.get_ylim()[1]), loss, np.nan)
            scene.points(ax_loss, np.stack([steps, shown], axis=1)[:, None, :], like=marker)
            if r["diverged"][bn] is not None:
                ax_loss.text(0.5, 0.5 if bn else 0.6, f"{_row_label(bn)}: diverged at step "
                             f"{r['diverged'][bn]}", transform=ax_loss.transAxes, ha="center",
                             color=COLORS[3] if bn else COLORS[0], fontsize=9)
        return scene

    def draw(self):
        """Retrain both networks with the controls' values and show the new run at its end."""
        self.result = record_histograms(self.X, self.y, activation=self.activation.value,
                                        init_scale=self.scale.value, lr=self.lr.value,
                                        **self.options)
        self.scene = self._scene(self.result)
        self.player.show(self.scene, frame=-1)

    def _repr_state(self):
        r = self.result
        return (f"{r['activation']}, init x{r['init_scale']:g}, lr {r['lr']:g}, "
                f"{len(r['steps'])} frames, steps 0..{r['steps'][-1]}")


def histogram_summary(result, at=(0, 0.5, 1)):
    """A static figure of the histograms at a few moments (fractions of the run: start, middle,
    end), without and with batch norm, one column per hidden layer. Returns the figure."""
    import matplotlib.pyplot as plt

    depth, steps, edges = result["depth"], result["steps"], result["edges"]
    picks = sorted({int(round(a * (len(steps) - 1))) for a in at})
    fig, axes = plt.subplots(2, depth, figsize=(2.6 * depth, 5.0), squeeze=False,
                             sharex=True, sharey="row")
    shades = [0.35, 0.65, 1.0][-len(picks):] if len(picks) <= 3 else np.linspace(0.3, 1, len(picks))
    for row, bn in enumerate((False, True)):
        for k in range(depth):
            ax = axes[row, k]
            diverged = result["diverged"][bn]
            for i, alpha in zip(picks, shades):
                xy = _outline(edges, result["hist"][bn][i, k])
                label = f"step {steps[i]}"
                if diverged is not None and steps[i] >= diverged:
                    label += f" (diverged at {diverged})"
                ax.plot(xy[:, 0], xy[:, 1], color=COLORS[3] if bn else COLORS[0], alpha=alpha,
                        lw=1.5, label=label)
            finish(ax, f"layer {k + 1}, {'BN' if bn else 'no BN'}",
                   "activation" if row == 1 else None,
                   "fraction of units" if k == 0 else None, legend=(k == 0))
    fig.suptitle(f"{result['activation']}, init x{result['init_scale']:g}, lr {result['lr']:g}: "
                 "histograms at the start, middle and end of training", fontsize=12)
    fig.tight_layout()
    return fig
