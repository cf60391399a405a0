"""The course's figure style and the figure helpers every chapter uses.

Call :func:`use_course_style` once at the top of a notebook. Every figure gets a title, axis labels
and a legend where there is more than one line (:func:`finish` does all three).
:func:`draw_graph` draws an autograd graph (chapter 04).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .autograd import local_gradients, topological_order

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
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
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
    points_art = ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5,
                            vmax=max(n_classes, 2) - 0.5, s=14, edgecolors="white", linewidths=0.4)
    finish(ax, title, "$x_1$", "$x_2$")
    return filled, points_art


def _graph_edge(ax, start, end, bend=0.0):
    """An arrow ``start -> end`` (data coordinates), straight or bent by ``bend`` (matplotlib's
    ``arc3`` radius: negative bends a left-to-right arrow upwards); returns its midpoint."""
    ax.annotate("", end, start, zorder=1, arrowprops=dict(
        arrowstyle="->", color="0.45", shrinkA=0, shrinkB=0,
        connectionstyle=f"arc3,rad={bend}"))
    (sx, sy), (ex, ey) = start, end
    # arc3's control point is the midpoint moved by bend * (ey - sy, sx - ex); the curve's own
    # midpoint lies halfway to it (equal scales on both axes assumed, as draw_graph makes them)
    return (sx + ex) / 2 + bend * (ey - sy) / 2, (sy + ey) / 2 + bend * (sx - ex) / 2


def draw_graph(root, ax=None, local=True, title="Computational graph"):
    """Draw the graph behind ``root`` with matplotlib: value boxes (label, data, grad), op boxes.

    ``local=True`` writes each operation's local derivative (orange) on the edge from its input.
    Inputs sit one column before the operation that first uses them. For small graphs (up to 40
    values). Returns the axes.
    """
    order = topological_order(root)
    if len(order) > 40:
        raise ValueError(f"draw_graph: {len(order)} values are too many to draw; at most 40")
    col = {}
    for node in order:  # an operation's result: one column after its latest input
        if node._prev:
            col[id(node)] = 1 + max(col.get(id(c), 0) for c in node._prev)
    for node in reversed(order):  # an input: just before the first operation that uses it
        if not node._prev:
            users = [col[id(v)] for v in order if any(c is node for c in v._prev)]
            col[id(node)] = min(users, default=1) - 1
    rows, pos = {}, {}
    for node in order:
        c = col[id(node)]
        rows.setdefault(c, []).append(node)
    dx, dy = 3.7, 1.4
    for c, nodes in rows.items():
        for k, node in enumerate(nodes):
            pos[id(node)] = (dx * c, dy * ((len(nodes) - 1) / 2 - k))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if ax is None:  # 0.62 inch per data unit keeps the boxes apart
        _, ax = plt.subplots(figsize=(0.62 * (max(xs) - min(xs) + 1.8),
                                      0.62 * (max(ys) - min(ys) + 1.4) + 0.4))
    value_box = dict(boxstyle="round,pad=0.3", fc="#EAF2FB", ec="#0072B2")
    op_box = dict(boxstyle="round,pad=0.25", fc="#FDF1DC", ec="#E69F00")
    # a derivative label sits on its edge, on a white patch: readable across the line, and the
    # edge is long enough (see `ox`) that the label clears both boxes
    label_box = dict(boxstyle="round,pad=0.1", fc="white", ec="none")
    half = 0.7  # half the width of a value box, in data units
    for node in order:
        x, y = pos[id(node)]
        name = f"{node.label}\n" if node.label else ""
        ax.text(x, y, f"{name}data {node.data:.4f}\ngrad {node.grad:.4f}", ha="center",
                va="center", fontsize=8, bbox=value_box, zorder=3)
        if not node._prev:
            continue
        # the op box sits just before its result (its half width grows with the op's name), so
        # the input edges, which carry the labels, get the rest of the gap between two columns
        op_half = 0.16 + 0.05 * len(node._op)
        ox = x - half - 0.45 - op_half
        ax.text(ox, y, node._op, ha="center", va="center", fontsize=8, bbox=op_box, zorder=3)
        _graph_edge(ax, (ox + op_half, y), (x - half, y))
        derivs = local_gradients(node) if local else [None] * len(node._prev)
        seen = set()
        for child, d in zip(node._prev, derivs):
            cx, cy = pos[id(child)]
            # an edge that skips a column bends upwards, over the boxes in between
            bend = -0.18 if ox - cx > dx else 0.0
            lx, ly = _graph_edge(ax, (cx + half, cy), (ox - op_half, y), bend)
            if d is not None and id(child) not in seen:
                seen.add(id(child))
                ax.text(lx, ly, f"{d:.3g}", fontsize=7.5, ha="center", va="center",
                        color="#D55E00", bbox=label_box, zorder=4)
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_axis_off()
    ax.set_title(title + (" (orange: local derivatives)" if local else ""))
    return ax
