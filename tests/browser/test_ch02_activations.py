"""Chapter 02 in JupyterLab: the notebook runs clean and the activation explorer reacts to its
x slider and to its function drop-down."""

import pytest

pytestmark = pytest.mark.browser


def test_activation_explorer_follows_slider_and_dropdown(open_notebook):
    from playwright.sync_api import expect      # imported here: `make test` runs without Playwright

    nb = open_notebook("chapters/02_activations.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.canvases().count() == 1, "one widget canvas; the static figures stay inline PNGs"
    assert nb.slider_value(0) == "1.00"

    before = nb.screenshot(0)
    nb.set_slider(0, 2.0)                       # x: 1.00 -> 2.00 with the arrow keys
    after_slider = nb.wait_for_change(0, before, timeout=10)
    readout = nb.page.locator(".widget-label", has_text="f(x) =").first
    # the kernel handles the slider's intermediate values one by one: wait until it catches up
    expect(readout).to_contain_text("x = 2.00", timeout=15_000)
    assert nb.error_outputs() == [], "the slider's observe callback failed"

    nb.page.locator(".widget-dropdown select").first.select_option(label="ReLU: max(x, 0)")
    nb.wait_for_change(0, after_slider, timeout=10)
    expect(readout).to_have_text("relu: x = 2.00, f(x) = 2.0000, f'(x) = 1.0000", timeout=15_000)
    assert nb.error_outputs() == [], "the drop-down's observe callback failed"
