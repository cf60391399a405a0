"""Chapter 04a in JupyterLab: the notebook runs clean; the training animation plays and can be stepped."""

import time

import pytest

pytestmark = pytest.mark.browser


def test_training_animation_plays(open_notebook):
    nb = open_notebook("chapters/04a_backprop.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.canvases().count() == 1, "one widget canvas (the training animation); static figures stay PNGs"
    assert nb.slider_value(0) == "0"

    before = nb.screenshot(0)
    nb.press_play()
    nb.wait_for_change(0, before, timeout=10)
    time.sleep(1.5)
    assert int(nb.slider_value(0)) >= 2, "Play should advance the frames"
    assert nb.screenshot(0) != before
    assert nb.error_outputs() == [], "an observe callback failed while playing"

    nb.pause()
    at = nb.screenshot(0)
    nb.set_slider(0, 0)
    nb.wait_for_change(0, at, timeout=10)
    assert nb.slider_value(0) == "0"
    assert nb.error_outputs() == []
