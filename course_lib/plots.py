"""The course's figure style and the figure helpers every chapter uses.

Call :func:`use_course_style` once at the top of a notebook. Every figure gets a title, axis labels
and a legend where there is more than one line (:func:`finish` does all three).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: the course's colours, in cycle order (colour-blind friendly, after Okabe & Ito)
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "image.cmap": "viridis",
    "svg.hashsalt": "course",  # deterministic SVG ids
}


def use_course_style():
    """Apply the course style to every following matplotlib figure."""
    mpl.rcParams.update(STYLE)


def finish(ax, title, xlabel=None, ylabel=None, legend=None):
    """Give ``ax`` a title and axis labels; add a legend when it has more than one labelled artist.

    ``legend=True`` forces a legend, ``False`` suppresses it. Returns ``ax``.
    """
    ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    handles, _ = ax.get_legend_handles_labels()
    if legend or (legend is None and len(handles) > 1):
        ax.legend()
    return ax


def subplots(ncols=1, nrows=1, width=4.8, height=3.6, **kwargs):
    """``plt.subplots`` with a size per panel; always returns ``(fig, axes_array_flat)``."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False, **kwargs)
    return fig, axes.ravel()


def grid_2d(X, resolution=200, margin=0.5):
    """A ``resolution`` x ``resolution`` grid covering the points ``X`` (N, 2) plus a margin.

    Returns ``xx, yy`` (meshgrid arrays) and ``points`` (resolution**2, 2) to feed a model.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"grid_2d: expected points of shape (N, 2), got {X.shape}")
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(ax, predict, X, y, resolution=200, title="Decision boundary",
                           alpha=0.25, margin=0.5):
    """Colour the plane by ``predict(points) -> class labels`` and scatter the data ``X, y``.

    ``predict`` takes an (M, 2) array and returns M integer labels (or class scores of shape
    (M, C), whose arg-max is taken). Returns the ``(contourf, scatter)`` artists.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int).ravel()
    xx, yy, points = grid_2d(X, resolution, margin)
    labels = np.asarray(predict(points))
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)
    labels = labels.reshape(xx.shape).astype(int)
    n_classes = int(max(labels.max(), y.max())) + 1
    cmap = mpl.colors.ListedColormap(COLORS[:max(n_classes, 2)])
    levels = np.arange(-0.5, max(n_classes, 2) + 0.5)
    filled = ax.contourf(xx, yy, labels, levels=levels, cmap=cmap, alpha=alpha)
    points_art = ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=max(n_classes, 2) - 0.5,
                            s=14, edgecolors="white", linewidths=0.4)
    finish(ax, title, "$x_1$", "$x_2$")
    return filled, points_art
