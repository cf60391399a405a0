"""The one base of every course widget, and the browser-side animation player.

Every widget of the course is a :class:`CourseWidget`: it owns the container (``.box``), the
figure, the display (a widget view plus a stored text line that tells a reader without a kernel
to run the cell) and a stable ``__repr__``; its one draw verb is :meth:`CourseWidget.draw`.
An animated widget draws in the browser with a :class:`FramePlayer`: matplotlib renders the
static layers once to an image, the animated layers go to the page once as per-frame arrays
(binary float32 buffers), and the page plays them at ``requestAnimationFrame`` pace (60 frames a
second; between two frames it interpolates). Play, pause, step, scrub, speed and loop run in the
browser; Python hears only the frame on pause, clicks (in data coordinates) and its own controls.
A chapter builds one like this::

    class Descent(CourseWidget):
        def __init__(self, paths):                           # paths: (F, 2), one point per frame
            self.fig = static_figure((6, 4))                  # a plain Agg figure, course style
            ax = self.fig.add_subplot()
            ax.contourf(...)                                  # static layers: drawn once, to a PNG
            (line,) = ax.plot([], [], color=COLORS[0], label="path")   # style + legend entry
            ax.legend(); finish(ax, "Gradient descent", "x", "y")
            self.scene = Scene(self.fig, labels=[f"step {k}" for k in range(len(paths))])
            self.scene.trail(ax, paths, np.arange(1, len(paths) + 1), like=line)  # growing path
            self.scene.points(ax, paths[:, None, :], color="black", size=30)      # (F, n, 2)
            # also: scene.line(ax, frames (F, n, 2) or a list of (n_k, 2)); scene.image(ax,
            # (F, H, W) ints or floats, extent, colors= or cmap=); scene.text(ax, texts, pos)
            self.player = FramePlayer(self.scene, fps=30)     # base speed; the page has 1/4x..4x
            self.lr = W.FloatLogSlider(description="lr")      # a control that needs a recompute
            self.lr.observe(lambda _: self.draw(), "value")
            self._assemble(self.player, [self.lr])           # .box = VBox([player, *rows])
        def draw(self):                                        # recompute: ONE synced update
            self.player.show(new_scene, frame=last)           # every array replaced at once
        def _repr_state(self):                                 # stable: no ids, no timings
            return f"{len(self.scene)} frames"

Display it as a cell's last expression; stored, it reads ``Descent(31 frames)`` plus
:data:`RUN_HINT`. Follow the cell with a static matplotlib figure (``scene.snapshot(k)`` draws
frame ``k`` with matplotlib itself) so the chapter reads on GitHub. A browser test measures the
frame rate in the page: ``nb.set_loop(0); nb.press_play(0); nb.measure_fps(nb.player_canvas(0),
seconds=1.5, tries=3)`` (see ``tests/browser/conftest.py``); it must be >= 50 in headless
Chromium. Keys typed in the player stay out of JupyterLab's shortcuts; its controls (Play, Step
back, Step forward, the Frame scrubber, Speed, Loop) have accessible names.
"""

import io
from itertools import count

import anywidget
import ipywidgets as W
import matplotlib as mpl
import numpy as np
import traitlets as T
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..plots import STYLE
from ._player_js import PLAYER_JS

__all__ = ["CourseWidget", "FramePlayer", "Scene", "static_figure", "RUN_HINT"]

#: the text a reader without a kernel sees in place of a widget (stored in the notebook)
RUN_HINT = ("(an interactive widget: run this cell in Jupyter to use it; "
            "the static figure below shows it)")


def static_figure(figsize=(9.0, 4.0)):
    """A new ``Figure`` with a plain Agg canvas in the course style (never shown by pyplot).

    Axes and artists take the rcParams in force when they are created: in a notebook call
    ``use_course_style()`` first, or build them inside ``with matplotlib.rc_context(STYLE):``.
    """
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=figsize, dpi=STYLE["figure.dpi"])
    FigureCanvasAgg(fig)
    return fig


class CourseWidget:
    """The base of every course widget: container, figure, display, repr and one draw verb.

    A subclass builds its figure and controls, then calls ``self._assemble(view, rows)``
    (``view``: a :class:`FramePlayer` or any ipywidget; ``rows``: control widgets or rows of them,
    shown under it). It implements :meth:`draw` and ``_repr_state()`` (a short stable string).
    """

    box = None

    def _assemble(self, view, rows=()):
        rows = [W.HBox(list(r)) if isinstance(r, (list, tuple)) else r for r in rows]
        self.view = view
        self.box = W.VBox([view, *rows])
        return self.box

    @property
    def widget(self):
        """The container to place in a layout (the same as ``.box``)."""
        return self.box

    def draw(self, *args, **kwargs):
        """The one draw verb: show the widget's current state (recomputing what it must)."""
        raise NotImplementedError(f"{type(self).__name__} must implement draw()")

    def _repr_state(self):
        return ""

    def __repr__(self):
        return f"{type(self).__name__}({self._repr_state()})"

    def _repr_mimebundle_(self, **kwargs):
        if self.box is None:
            raise RuntimeError(f"{type(self).__name__}: call self._assemble(view, rows) in "
                               f"__init__")
        data = self.box._repr_mimebundle_(**kwargs)
        data["text/plain"] = f"{self!r}\n{RUN_HINT}"
        return data


# ------------------------------------------------------------------------------ the scene

def _css(color, alpha=None):
    """A matplotlib colour as a CSS ``rgba(...)`` string (``"none"`` stays ``"none"``)."""
    if color is None or (isinstance(color, str) and color.lower() == "none"):
        return "none"
    r, g, b, a = mpl.colors.to_rgba(color, alpha)
    if a == 0:
        return "none"
    return f"rgba({round(r * 255)}, {round(g * 255)}, {round(b * 255)}, {a:.3g})"


def _frames_of(frames, what):
    """Per-frame point sets -> ``(xy (P, 2) float32, start (F,) int32, stop (F,) int32)``.

    ``frames`` is an array (F, n, 2) (n points in every frame) or a list of F arrays (n_k, 2).
    """
    if isinstance(frames, np.ndarray) or (isinstance(frames, (list, tuple)) and frames
                                          and np.ndim(frames[0]) == 2 and
                                          len({np.shape(f) for f in frames}) == 1):
        arr = np.asarray(frames, dtype=np.float64)
        if arr.ndim != 3 or arr.shape[2] != 2:
            raise ValueError(f"Scene.{what}: expected frames of shape (F, n, 2) or a list of "
                             f"(n_k, 2) arrays, got an array of shape {arr.shape}")
        F, n = arr.shape[:2]
        stops = np.arange(1, F + 1, dtype=np.int32) * n
        return arr.reshape(-1, 2).astype(np.float32), stops - n, stops
    if not isinstance(frames, (list, tuple)):
        raise TypeError(f"Scene.{what}: expected an array (F, n, 2) or a list of (n_k, 2) arrays, "
                        f"got {type(frames).__name__}")
    parts = []
    for i, f in enumerate(frames):
        a = np.asarray(f, dtype=np.float64)
        if a.size == 0:
            a = a.reshape(0, 2)          # an empty frame: no points
        if a.ndim != 2 or a.shape[1] != 2:
            raise ValueError(f"Scene.{what}: frame {i} should have shape (n, 2), got {a.shape}")
        parts.append(a)
    sizes = np.array([len(p) for p in parts], dtype=np.int32)
    stops = np.cumsum(sizes, dtype=np.int32)
    xy = np.concatenate(parts) if parts else np.zeros((0, 2))
    return xy.astype(np.float32), stops - sizes, stops


class Scene:
    """What a :class:`FramePlayer` shows: a figure's static layers plus per-frame layers.

    ``Scene(fig, labels=None, clickable=(), hidpi=2)``: ``fig`` is a matplotlib figure (use
    :func:`static_figure`) holding everything that does not move; ``labels`` are the per-frame
    readout texts next to the scrubber (default ``"frame k / F-1"``); ``clickable`` lists the axes
    whose clicks the page reports (in data coordinates); ``hidpi`` is the backdrop's resolution
    factor. Add the animated layers with :meth:`line`, :meth:`trail`, :meth:`points`,
    :meth:`image` and :meth:`text`; they all must have the same number of frames F.

    Sizes follow matplotlib: line widths and font sizes in points, marker sizes like
    ``scatter``'s ``s`` (points squared), all converted to the figure's pixels (``fig.dpi``).
    """

    def __init__(self, fig, labels=None, clickable=(), hidpi=2):
        if not isinstance(fig, Figure):
            raise TypeError(f"Scene: expected a matplotlib Figure, got {type(fig).__name__}")
        self.fig = fig
        self.labels = None if labels is None else [str(s) for s in labels]
        self.clickable = list(clickable)
        self.hidpi = float(hidpi)
        self.layers = []
        self.n_frames = None if labels is None else len(self.labels)
        self._axes = []

    def __len__(self):
        return self.n_frames or 0

    def __repr__(self):
        kinds = ", ".join(layer["kind"] for layer in self.layers)
        return f"Scene({len(self)} frames: {kinds or 'no layers'})"

    # -- geometry -------------------------------------------------------------------------
    @property
    def size(self):
        """The canvas size ``(width, height)`` in CSS pixels: the figure's size at ``fig.dpi``."""
        w, h = self.fig.get_size_inches() * self.fig.dpi
        return float(w), float(h)

    def _axes_index(self, ax):
        for i, a in enumerate(self._axes):
            if a is ax:
                return i
        if ax.figure is not self.fig:
            raise ValueError("Scene: these axes belong to another figure")
        self._axes.append(ax)
        return len(self._axes) - 1

    def axes_state(self, ax):
        """``{"box": [left, top, width, height] (CSS px from the top left), "xlim", "ylim",
        "xscale", "yscale", "clickable"}`` of ``ax``: what the page maps data with."""
        W_, H = self.size
        pos = ax.get_position()              # figure fraction, after the layout engine ran
        box = [pos.x0 * W_, (1 - pos.y1) * H, pos.width * W_, pos.height * H]
        for scale in (ax.get_xscale(), ax.get_yscale()):
            if scale not in ("linear", "log"):
                raise ValueError(f"Scene: only linear and log axes are supported, got {scale!r}")
        return {"box": [float(v) for v in box], "xlim": [float(v) for v in ax.get_xlim()],
                "ylim": [float(v) for v in ax.get_ylim()], "xscale": ax.get_xscale(),
                "yscale": ax.get_yscale(), "clickable": any(ax is c for c in self.clickable)}

    def to_pixels(self, ax, xy):
        """Data ``xy`` (n, 2) -> CSS pixels (n, 2) from the top left, exactly as the page maps.

        Call it after :meth:`to_state` (the layout engine runs when the backdrop is rendered).
        """
        a = self.axes_state(ax)
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        out = np.empty_like(xy)
        left, top, width, height = a["box"]
        for j, (lim, scale) in enumerate(((a["xlim"], a["xscale"]), (a["ylim"], a["yscale"]))):
            f = np.log10 if scale == "log" else (lambda v: v)
            with np.errstate(divide="ignore", invalid="ignore"):
                u = (f(xy[:, j]) - f(lim[0])) / (f(lim[1]) - f(lim[0]))
            out[:, j] = left + u * width if j == 0 else top + height - u * height
        return out

    def _pt(self, points):
        """Points (1/72 inch) -> CSS pixels of this figure."""
        return float(points) * self.fig.dpi / 72.0

    # -- layers ---------------------------------------------------------------------------
    def _add(self, ax, kind, n_frames, layer):
        if self.n_frames is None:
            self.n_frames = int(n_frames)
        elif int(n_frames) != self.n_frames:
            raise ValueError(f"Scene.{kind}: expected {self.n_frames} frames (like the layers or "
                             f"labels before), got {n_frames}")
        if self.n_frames < 1:
            raise ValueError(f"Scene.{kind}: a scene needs at least one frame, got 0")
        layer.update(kind=kind, axes=self._axes_index(ax))
        layer.setdefault("zorder", 2.0)
        self.layers.append(layer)
        return layer

    @staticmethod
    def _xy_layer(xy, start, stop):
        return {"xy": np.ascontiguousarray(xy, dtype=np.float32).tobytes(),
                "start": np.ascontiguousarray(start, dtype=np.int32).tobytes(),
                "stop": np.ascontiguousarray(stop, dtype=np.int32).tobytes(),
                "_n_points": int(len(xy))}

    def _line_style(self, like, color, lw, ls, alpha, zorder):
        if like is not None:
            color = like.get_color() if color is None else color
            lw = like.get_linewidth() if lw is None else lw
            ls = like.get_linestyle() if ls is None else ls
            alpha = like.get_alpha() if alpha is None else alpha
            zorder = like.get_zorder() if zorder is None else zorder
        lw = 1.5 if lw is None else lw
        width = self._pt(lw)
        dash = {"--": [3.7, 1.6], "-.": [6.4, 1.6, 1, 1.6], ":": [1, 1.65]}.get(ls or "-")
        return {"color": _css(color or "black", alpha), "width": width,
                "dash": [round(d * width, 3) for d in dash] if dash else [],
                "zorder": float(2 if zorder is None else zorder)}

    def line(self, ax, frames, *, like=None, color=None, lw=None, ls=None, alpha=None,
             zorder=None, tween=True):
        """A polyline per frame: ``frames`` (F, n, 2) or a list of F arrays (n_k, 2) in data
        coordinates (NaN breaks the line). ``like``: a ``Line2D`` (e.g. an empty
        ``ax.plot([], [], ...)`` that also gives the legend entry) to copy the style from."""
        xy, start, stop = _frames_of(frames, "line")
        layer = {**self._xy_layer(xy, start, stop),
                 **self._line_style(like, color, lw, ls, alpha, zorder), "tween": bool(tween)}
        return self._add(ax, "line", len(start), layer)

    def trail(self, ax, xy, ends, *, kind="line", **style):
        """A path that grows: frame ``k`` shows ``xy[:ends[k]]`` (``xy`` (P, 2), ``ends`` (F,)).

        ``kind="points"`` shows the points instead of a line (``style`` as :meth:`points`).
        Stores the path once, however many frames.
        """
        xy = np.asarray(xy, dtype=np.float64)
        ends = np.asarray(ends)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"Scene.trail: expected xy of shape (P, 2), got {xy.shape}")
        if ends.ndim != 1 or ends.size == 0 or not np.issubdtype(ends.dtype, np.integer):
            raise ValueError(f"Scene.trail: expected ends as integers of shape (F,), got "
                             f"{ends.dtype} {ends.shape}")
        if ends.min() < 0 or ends.max() > len(xy):
            raise ValueError(f"Scene.trail: ends must lie in 0..{len(xy)}, got "
                             f"{ends.min()}..{ends.max()}")
        start = np.zeros_like(ends)
        if kind == "line":
            keys = ("like", "color", "lw", "ls", "alpha", "zorder")
            style_ = self._line_style(*(style.pop(k, None) for k in keys))
            tween = style.pop("tween", True)
            if style:
                raise TypeError(f"Scene.trail: unexpected arguments {sorted(style)}")
            layer = {**self._xy_layer(xy, start, ends), **style_, "tween": bool(tween)}
            return self._add(ax, "line", len(ends), layer)
        if kind == "points":
            layer = {**self._xy_layer(xy, start, ends), **self._point_style(**style)}
            return self._add(ax, "points", len(ends), layer)
        raise ValueError(f"Scene.trail: kind must be 'line' or 'points', got {kind!r}")

    def _point_style(self, like=None, color=None, size=None, marker=None, edgecolor=None,
                     edgewidth=None, alpha=None, zorder=None, tween=True):
        if like is not None:
            if hasattr(like, "get_markersize"):                    # a Line2D with a marker
                color = like.get_markerfacecolor() if color is None else color
                edgecolor = like.get_markeredgecolor() if edgecolor is None else edgecolor
                edgewidth = like.get_markeredgewidth() if edgewidth is None else edgewidth
                size = like.get_markersize() ** 2 if size is None else size
                marker = like.get_marker() if marker is None else marker
            else:                                                  # a scatter (PathCollection)
                fc, ec = like.get_facecolor(), like.get_edgecolor()
                color = (fc[0] if len(fc) else "none") if color is None else color
                edgecolor = (ec[0] if len(ec) else "none") if edgecolor is None else edgecolor
                lws = like.get_linewidths()
                edgewidth = (lws[0] if len(lws) else 0) if edgewidth is None else edgewidth
                sizes = like.get_sizes()
                size = (sizes[0] if len(sizes) else 36) if size is None else size
            alpha = like.get_alpha() if alpha is None else alpha
            zorder = like.get_zorder() if zorder is None else zorder
        marker = "o" if marker in (None, "None", "") else str(marker)
        return {"color": _css("black" if color is None else color, alpha),
                "edgecolor": _css("none" if edgecolor is None else edgecolor, alpha),
                "edgewidth": self._pt(0 if edgewidth is None else edgewidth),
                "radius": self._pt(np.sqrt(36 if size is None else size) / 2), "marker": marker,
                "zorder": float(3 if zorder is None else zorder), "tween": bool(tween)}

    def points(self, ax, frames, *, like=None, color=None, size=None, marker=None,
               edgecolor=None, edgewidth=None, alpha=None, zorder=None, tween=True):
        """Markers per frame: ``frames`` (F, n, 2) or a list of F arrays (n_k, 2).

        ``size`` is ``scatter``'s ``s`` (points squared); ``marker`` one of ``o s x X *``;
        ``color="none"`` with an ``edgecolor`` draws rings. ``like``: a scatter or a ``Line2D``
        with a marker to copy the style from.
        """
        xy, start, stop = _frames_of(frames, "points")
        layer = {**self._xy_layer(xy, start, stop),
                 **self._point_style(like, color, size, marker, edgecolor, edgewidth, alpha,
                                     zorder, tween)}
        return self._add(ax, "points", len(start), layer)

    def image(self, ax, frames, extent, *, colors=None, cmap=None, vmin=None, vmax=None,
              alpha=1.0, zorder=0.5, tween=True, smooth=False):
        """An image per frame over ``extent = (x0, x1, y0, y1)``, row 0 at the bottom (like
        ``imshow(..., origin="lower")``): ``frames`` (F, H, W).

        With ``colors`` (a list of colours) the values are class indices ``0..len(colors)-1``;
        otherwise floats mapped through ``cmap`` between ``vmin`` and ``vmax`` (NaN is clear).
        Sent as uint8 palette indices (one byte per pixel per frame). ``tween`` cross-fades.
        """
        arr = np.asarray(frames)
        if arr.ndim != 3:
            raise ValueError(f"Scene.image: expected frames of shape (F, H, W), got {arr.shape}")
        if len(extent) != 4:
            raise ValueError(f"Scene.image: extent should be (x0, x1, y0, y1), got {extent!r}")
        if colors is not None:
            k = len(colors)
            if k < 1 or k > 255:
                raise ValueError(f"Scene.image: expected 1..255 colours, got {k}")
            if arr.size and (np.nanmin(arr) < 0 or np.nanmax(arr) > k - 1
                             or not np.all(arr == np.round(arr))):
                raise ValueError(f"Scene.image: with {k} colours the values must be integers in "
                                 f"0..{k - 1}")
            index = arr.astype(np.uint8)
            palette = [list(mpl.colors.to_rgba_array([c])[0] * 255) for c in colors]
        else:
            data = arr.astype(np.float64)
            finite = data[np.isfinite(data)]
            lo = float(finite.min()) if vmin is None and finite.size else float(vmin or 0.0)
            hi = (float(finite.max()) if vmax is None and finite.size
                  else float(1.0 if vmax is None else vmax))
            span = hi - lo if hi > lo else 1.0
            with np.errstate(invalid="ignore"):
                u = np.clip((data - lo) / span, 0.0, 1.0)
            index = np.where(np.isfinite(data), np.round(u * 254), 255).astype(np.uint8)
            rgba = mpl.colormaps[cmap or "viridis"](np.linspace(0, 1, 255)) * 255
            palette = [list(c) for c in rgba] + [[0, 0, 0, 0]]
        layer = {"data": np.ascontiguousarray(index).tobytes(), "shape": list(index.shape),
                 "palette": [[int(round(v)) for v in c] for c in palette],
                 "extent": [float(v) for v in extent], "alpha": float(alpha),
                 "zorder": float(zorder), "tween": bool(tween), "smooth": bool(smooth)}
        return self._add(ax, "image", len(index), layer)

    def text(self, ax, texts, pos=(0.02, 0.96), *, size=10, color="black", ha="left", va="top",
             family="sans-serif", weight="normal", background=None, zorder=6):
        """A text per frame (``texts``: F strings, ``\\n`` for new lines) at ``pos`` in axes
        fractions (0, 0 bottom left .. 1, 1 top right); ``size`` in points."""
        texts = [str(s) for s in texts]
        layer = {"texts": texts, "pos": [float(pos[0]), float(pos[1])], "size": self._pt(size),
                 "color": _css(color), "ha": ha, "va": va, "family": family, "weight": weight,
                 "background": None if background is None else _css(background),
                 "zorder": float(zorder), "clip": False}
        return self._add(ax, "text", len(texts), layer)

    # -- to the page ----------------------------------------------------------------------
    def backdrop_png(self):
        """The figure's static layers as PNG bytes (``hidpi`` times the figure's pixels)."""
        buf = io.BytesIO()
        with mpl.rc_context({"savefig.bbox": "standard"}):
            self.fig.savefig(buf, format="png", dpi=self.fig.dpi * self.hidpi,
                             facecolor=self.fig.get_facecolor(), metadata={"Software": None})
        return buf.getvalue()

    def to_state(self, scene_id=0):
        """The dict a :class:`FramePlayer` syncs: renders the backdrop, then reads the axes."""
        if not self.layers and self.n_frames is None:
            self.n_frames = 1
        png = self.backdrop_png()          # runs the layout engine: axes positions are final
        width, height = self.size
        return {"id": int(scene_id), "width": width, "height": height,
                "n_frames": int(len(self)), "labels": self.labels, "backdrop": png,
                "axes": [self.axes_state(ax) for ax in self._axes],
                "layers": [{k: v for k, v in layer.items() if not k.startswith("_")}
                           for layer in self.layers]}

    # -- the same frame with matplotlib (static figures, tests) ----------------------------
    def snapshot(self, k=-1):
        """Draw frame ``k`` on the scene's own figure with matplotlib artists; returns the figure.

        For the static figure after a widget. Temporary artists from an earlier snapshot are
        replaced. ``k = -1`` is the last frame.
        """
        k = range(len(self))[k]
        for art in getattr(self, "_snapshot_artists", []):
            art.remove()
        arts = []
        for layer in self.layers:
            ax = self._axes[layer["axes"]]
            arts += _matplotlib_layer(ax, layer, k)
        self._snapshot_artists = arts
        return self.fig


def _rgba(css):
    if css == "none":
        return (0, 0, 0, 0)
    r, g, b, a = (float(v) for v in css[5:-1].split(","))
    return (r / 255, g / 255, b / 255, a)


def _matplotlib_layer(ax, layer, k):
    """Artists drawing ``layer`` at frame ``k`` on ``ax`` (what the page draws, by matplotlib)."""
    px = 72.0 / ax.figure.dpi           # CSS pixels back to points
    kind, z = layer["kind"], layer["zorder"]
    if kind in ("line", "points"):
        xy = np.frombuffer(layer["xy"], dtype=np.float32).reshape(-1, 2)
        a, b = (int(np.frombuffer(layer[key], dtype=np.int32)[k]) for key in ("start", "stop"))
        pts = xy[a:b].astype(np.float64)
        if kind == "line":
            (art,) = ax.plot(pts[:, 0], pts[:, 1], color=_rgba(layer["color"]),
                             lw=layer["width"] * px, zorder=z, label="_snapshot",
                             dashes=[d * px / (layer["width"] * px) for d in layer["dash"]]
                             if layer["dash"] else (None, None))
            return [art]
        marker = layer["marker"]
        art = ax.scatter(pts[:, 0], pts[:, 1], s=(2 * layer["radius"] * px) ** 2, marker=marker,
                         c=[_rgba(layer["color"])], edgecolors=[_rgba(layer["edgecolor"])],
                         linewidths=layer["edgewidth"] * px, zorder=z, label="_snapshot")
        return [art]
    if kind == "image":
        F, H, W_ = layer["shape"]
        idx = np.frombuffer(layer["data"], dtype=np.uint8).reshape(F, H, W_)[k]
        rgba = np.array(layer["palette"], dtype=np.float64)[idx] / 255
        art = ax.imshow(rgba, extent=layer["extent"], origin="lower", alpha=layer["alpha"],
                        zorder=z, aspect="auto", interpolation="nearest")
        return [art]
    if kind == "text":
        s = layer["texts"][k]
        bbox = None if layer["background"] is None else dict(facecolor=_rgba(layer["background"]),
                                                             edgecolor="none", pad=2)
        art = ax.text(*layer["pos"], s, transform=ax.transAxes, fontsize=layer["size"] * px,
                      color=_rgba(layer["color"]), ha=layer["ha"], va=layer["va"],
                      family=layer["family"], weight=layer["weight"], zorder=z, bbox=bbox)
        return [art]
    raise ValueError(f"unknown layer kind {kind!r}")


# ----------------------------------------------------------------------------- the player

class FramePlayer(anywidget.AnyWidget):
    """A canvas in the page playing a :class:`Scene` at ``requestAnimationFrame`` pace.

    ``FramePlayer(scene, fps=30, frame=0, loop=False, alt="")``: ``fps`` is the base speed in
    frames per second (the page's speed menu multiplies it by 1/4 .. 4), ``frame`` the first frame
    shown (negative counts from the end), ``alt`` the canvas' accessible description.

    Python hears only what it needs: :meth:`on_frame` callbacks get the frame when the page pauses
    or the learner steps or scrubs (``.frame`` is then up to date); :meth:`on_click` callbacks get
    ``(axes_index, x, y)`` for a click on a clickable axes. :meth:`show` replaces the scene and
    the frame in one synced message, so the page never draws half of an update.
    """

    _esm = PLAYER_JS
    scene = T.Dict().tag(sync=True)
    frame = T.Int(0).tag(sync=True)
    playing = T.Bool(False).tag(sync=True)
    fps = T.Float(30.0).tag(sync=True)
    speed = T.Float(1.0).tag(sync=True)
    loop = T.Bool(False).tag(sync=True)
    alt = T.Unicode("").tag(sync=True)
    controls = T.Bool(True).tag(sync=True)

    def __init__(self, scene=None, *, fps=30.0, frame=0, loop=False, alt="", controls=True):
        if float(fps) <= 0:
            raise ValueError(f"FramePlayer: fps must be > 0, got {fps}")
        self._ids = count(1)
        self._frame_callbacks, self._click_callbacks = [], []
        self.current = scene
        state = {} if scene is None else scene.to_state(next(self._ids))
        n = state.get("n_frames", 1)
        super().__init__(scene=state, frame=self._clip(frame, n), fps=float(fps), loop=bool(loop),
                         alt=str(alt), controls=bool(controls))
        self.on_msg(self._on_page_msg)

    @staticmethod
    def _clip(frame, n):
        frame = int(frame)
        if frame < 0:
            frame += n
        return max(0, min(frame, max(n - 1, 0)))

    @property
    def n_frames(self):
        return int(self.scene.get("n_frames", 0))

    def show(self, scene, frame=0, playing=False, fps=None):
        """Replace everything the page shows by ``scene`` at ``frame`` (negative: from the end),
        in ONE synced update: the page never sees the new arrays with the old frame or the reverse.
        ``fps`` changes the base speed in the same update. Returns the scene id."""
        if fps is not None and float(fps) <= 0:
            raise ValueError(f"FramePlayer.show: fps must be > 0, got {fps}")
        state = scene.to_state(next(self._ids))
        # the scene itself carries its first frame: the page's copy of ``frame`` may be stale
        # (it keeps its own while playing), so an unchanged trait would not be enough
        state["frame"] = self._clip(frame, state["n_frames"])
        state["playing"] = bool(playing)
        with self.hold_sync():
            self.scene = state
            self.frame = state["frame"]
            self.playing = bool(playing)
            if fps is not None:
                self.fps = float(fps)
        self.current = scene
        return state["id"]

    def seek(self, frame):
        """Show ``frame`` (negative: from the end) and pause."""
        k = self._clip(frame, self.n_frames)
        with self.hold_sync():
            self.playing = False
            self.frame = k
        # the page keeps its own frame while it plays (its copy of ``frame`` may be stale, so
        # setting the trait alone might not change anything there): say it explicitly
        self.send({"type": "seek", "frame": k})

    def play(self):
        """Start playing (from the start if at the last frame)."""
        self.playing = True
        self.send({"type": "play"})

    def pause(self):
        self.playing = False
        self.send({"type": "pause"})

    def on_frame(self, callback):
        """Call ``callback(frame)`` when the page pauses or the learner steps or scrubs."""
        self._frame_callbacks.append(callback)

    def on_click(self, callback):
        """Call ``callback(axes_index, x, y)`` on a click on a clickable axes (data coords)."""
        self._click_callbacks.append(callback)

    def _on_page_msg(self, _widget, content, _buffers):
        if not isinstance(content, dict) or content.get("scene") != self.scene.get("id"):
            return                     # about a scene already replaced: too late, ignore it
        kind = content.get("type")
        if kind in ("pause", "seek"):
            k = self._clip(content.get("frame", 0), self.n_frames)
            # the page already shows k: record it without sending it back (no echo)
            with self._lock_property(frame=k, playing=False):
                self.frame, self.playing = k, False
            for cb in self._frame_callbacks:
                cb(k)
        elif kind == "click":
            for cb in self._click_callbacks:
                cb(int(content["axes"]), float(content["x"]), float(content["y"]))

    def __repr__(self):
        layers = ", ".join(layer["kind"] for layer in self.scene.get("layers", []))
        return f"FramePlayer({self.n_frames} frames: {layers or 'no layers'})"
