"""Shared building blocks for the course's widgets.

The rule for animation: build a matplotlib ``Figure`` whose canvas is an ipympl widget, lay it
out in a ``VBox`` with ipywidgets controls, and on every frame update the existing artists
(``set_data``, ``set_offsets``, ...) then call :func:`redraw`. Never clear and re-plot. A ``Play``
widget is ``jslink``-ed to an ``IntSlider`` so the browser drives the frames and the kernel only
redraws. A frame costs the kernel a few milliseconds (benchmarks/bench_explorer.py); in JupyterLab
in headless Chromium the canvas shows 10 to 15 new frames per second (tests/browser, measured).

:func:`widget_figure` attaches an ipympl canvas to a new figure without switching the notebook's
backend, so the rest of a chapter keeps ordinary inline (static PNG) figures. Outside a kernel
(tests, scripts) the figure gets a plain Agg canvas and the same code runs headless.
"""

import sys
import time

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._kernel import in_kernel as _in_kernel
from ..plots import STYLE


def _import_ipympl_quietly():
    """Import ipympl without letting it switch pyplot's backend.

    ``import ipympl`` calls ``matplotlib.use("module://ipympl.backend_nbagg")`` when matplotlib is
    already imported, which would turn every later static figure of the chapter into a widget.
    """
    import matplotlib as mpl

    if "ipympl.backend_nbagg" in sys.modules:
        return
    use = mpl.use
    mpl.use = lambda *args, **kwargs: None
    try:
        import ipympl.backend_nbagg  # noqa: F401
    finally:
        mpl.use = use


def widget_figure(figsize=(9.0, 4.0), interactive=None):
    """A new ``Figure`` in the course style; an ipympl widget canvas when running in a kernel.

    ``interactive=False`` forces a plain Agg canvas (for tests and static pictures).
    The course style applies to the figure itself; axes and artists take the rcParams in force
    when they are created, so in a notebook call ``use_course_style()`` first, or create them
    inside ``with matplotlib.rc_context(course_lib.plots.STYLE):``.
    """
    import matplotlib as mpl

    with mpl.rc_context(STYLE):
        fig = Figure(figsize=figsize, dpi=STYLE["figure.dpi"])
    use_ipympl = _in_kernel() if interactive is None else interactive
    if use_ipympl:
        _import_ipympl_quietly()
        from ipympl.backend_nbagg import Canvas, FigureManager

        canvas = Canvas(fig)
        FigureManager(canvas, 0)  # wires the toolbar; not registered with pyplot
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_visible = False
        canvas.resizable = False
        canvas.capture_scroll = False
    else:
        FigureCanvasAgg(fig)
    return fig


def canvas_widget(fig):
    """The widget to put in a layout for ``fig``: its ipympl canvas, or a static image."""
    if isinstance(fig.canvas, W.DOMWidget):
        return fig.canvas
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return W.Image(value=buf.getvalue(), format="png")


def play_controls(n_frames, interval_ms=40, description="step"):
    """A ``Play`` button jslinked to an ``IntSlider`` over ``0 .. n_frames - 1``.

    Returns ``(play, slider, box)``: observe ``slider``'s ``value`` to redraw; ``box`` holds both.
    """
    last = max(int(n_frames) - 1, 0)
    play = W.Play(value=0, min=0, max=last, step=1, interval=int(interval_ms), description="Play")
    slider = W.IntSlider(value=0, min=0, max=last, step=1, description=description,
                         continuous_update=True)
    W.jslink((play, "value"), (slider, "value"))
    slider.rewind_until = 0.0

    def snap_back(change):
        # A Play tick already on its way from the browser when rewind() ran must not win.
        if change["new"] != 0 and not play.playing and time.monotonic() < slider.rewind_until:
            play.value = 0
            slider.value = 0

    slider.observe(snap_back, names="value")
    return play, slider, W.HBox([play, slider])


def rewind(play, slider, guard_s=1.0):
    """Stop a :func:`play_controls` pair and go back to frame 0 (for a Reset button).

    For ``guard_s`` seconds afterwards, a late frame from the browser's Play timer is sent back to 0.
    """
    play.playing = False
    slider.rewind_until = time.monotonic() + guard_s
    play.value = 0
    slider.value = 0


def set_frames(play, slider, n_frames):
    """Change the number of frames of a :func:`play_controls` pair and rewind to 0."""
    last = max(int(n_frames) - 1, 0)
    play.value = 0
    slider.value = 0
    play.max = last
    slider.max = last


class Backdrop(Artist):
    """The static layers of a figure (contours, axes, ticks, titles, legend) as one cached image.

    Redrawing a figure re-lays out every tick label and re-fills every contour: too slow for
    25 frames per second. The backdrop renders the static layers once (again only after
    :meth:`invalidate`, or when the canvas' size or dpi changes, as ipympl does on a high-dpi
    screen) and pastes that image; then only the moving artists are drawn over it. No blitting is
    needed, so it works the same on ipympl and on a plain Agg canvas.
    """

    def __init__(self, axes, static, dynamic):
        super().__init__()
        self._axes, self._static, self._dynamic = list(axes), static, dynamic
        self._image, self._key, self._rendering = None, None, False
        self.set_zorder(-10)

    def invalidate(self):
        self._image = None
        self.stale = True

    def _show_static(self, on):
        for ax in self._axes:
            if on:
                ax.set_axis_on()
            else:
                ax.set_axis_off()
            ax.patch.set_visible(on)
        for art in self._static():
            art.set_visible(on)

    def _render(self, renderer):
        from matplotlib.backends.backend_agg import RendererAgg

        fig = self.figure
        dynamic = [(a, a.get_visible()) for a in self._dynamic()]
        self._rendering = True
        try:
            self._show_static(True)
            for art, _ in dynamic:
                art.set_visible(False)
            off = RendererAgg(renderer.width, renderer.height, fig.dpi)
            fig.draw(off)
            self._image = np.asarray(off.buffer_rgba()).copy()
        finally:
            self._show_static(False)
            for art, visible in dynamic:
                art.set_visible(visible)
            self._rendering = False

    def draw(self, renderer):
        if self._rendering or not self.get_visible():
            return
        key = (renderer.width, renderer.height, self.figure.dpi)
        if self._image is None or key != self._key:
            self._render(renderer)
            self._key = key
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self._image[::-1])
        gc.restore()
        self.stale = False


def redraw(fig):
    """Show ``fig``'s updated artists: ``fig.canvas.draw_idle()``, the one place widgets redraw.

    ``draw_idle`` asks the browser to ask back for a frame, a round trip per frame. Drawing
    directly (``canvas.draw()`` on a live ipympl canvas) saves it and measured ~15 instead of ~11
    frames per second in headless Chromium, but the page then sometimes never showed the new
    frames (the chapter 04a browser test failed 3 runs in 4), so the course stays with
    ``draw_idle``. The frame rate is bounded by ipywidgets' one-message-in-flight round trip
    (the kernel sees ~16 slider updates per second however fast Play ticks), not by the kernel.
    """
    fig.canvas.draw_idle()
