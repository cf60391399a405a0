"""Chapter 01 in JupyterLab: the notebook runs clean; the perceptron widget plays, resets, re-trains."""

import time

import pytest

pytestmark = pytest.mark.browser


def test_perceptron_widget_plays_resets_and_retrains(open_notebook):
    nb = open_notebook("chapters/01_perceptron.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.canvases().count() == 1, "the chapter has one widget canvas; static figures stay PNGs"
    assert nb.slider_value(0) == "0"

    before = nb.screenshot(0)
    nb.press_play()
    nb.wait_for_change(0, before, timeout=10)
    time.sleep(1.5)                                   # a few more epochs (600 ms per frame)
    assert int(nb.slider_value(0)) >= 2
    assert nb.error_outputs() == [], "an observe callback failed while playing"

    nb.page.locator("button.widget-button", has_text="Reset").click()
    deadline = time.time() + 10
    while nb.slider_value(0) != "0" and time.time() < deadline:
        time.sleep(0.2)
    assert nb.slider_value(0) == "0", "Reset should rewind to epoch 0"
    assert nb.error_outputs() == []

    # the learning-rate slider (the second slider) re-trains: new frames, rewound to epoch 0
    at_start = nb.screenshot(0)
    nb.set_slider(1, 1)
    nb.wait_for_change(0, at_start, timeout=10)
    assert nb.slider_value(0) == "0"
    nb.press_play()
    nb.wait_for_change(0, nb.screenshot(0), timeout=10)
    assert nb.error_outputs() == []
