"""The shared widget building blocks, headless."""

import ipywidgets as W
import pytest
import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg

from course_lib.widgets import _common as C


def test_widget_figure_is_agg_outside_a_kernel():
    fig = C.widget_figure(figsize=(3, 2))
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert tuple(fig.get_size_inches()) == (3, 2)
    assert isinstance(C.canvas_widget(fig), W.Image)  # a static picture stands in for the canvas


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")  # ipympl's Toolbar
def test_widget_figure_with_ipympl_keeps_the_backend():
    before = mpl.get_backend()
    fig = C.widget_figure(figsize=(3, 2), interactive=True)
    assert isinstance(fig.canvas, W.DOMWidget)
    assert C.canvas_widget(fig) is fig.canvas
    assert mpl.get_backend() == before
    C.redraw(fig)  # no browser: draw_idle must not raise


def test_play_controls_are_linked_and_sized():
    play, slider, box = C.play_controls(12, interval_ms=30)
    assert (play.max, slider.max, play.interval) == (11, 11, 30)
    assert list(box.children) == [play, slider]
    C.set_frames(play, slider, 5)
    assert (play.max, slider.max, play.value, slider.value) == (4, 4, 0, 0)


def test_rewind_beats_a_late_play_tick(monkeypatch):
    play, slider, _ = C.play_controls(10)
    slider.value = 6
    now = [100.0]
    monkeypatch.setattr(C.time, "monotonic", lambda: now[0])
    C.rewind(play, slider, guard_s=1.0)
    assert (play.value, slider.value, play.playing) == (0, 0, False)
    slider.value = 7          # a frame the browser's Play timer sent before it heard "stop"
    assert slider.value == 0 and play.value == 0
    now[0] += 2.0             # after the guard, the learner's own moves stick
    slider.value = 3
    assert slider.value == 3
