"""Chapter 05 in JupyterLab: the notebook runs clean, the EWA widget follows its beta slider, and
the gradient-descent explorer animates when Play is pressed. Reports the frame rates it saw:

- ``play fps``: how fast the step slider's readout advances (the browser's Play timer, 40 ms);
- ``canvas fps``: how often the explorer's canvas really changed on screen (each change is a
  round trip: slider -> kernel redraw -> image back to the page), sampled every animation frame.
"""

import time

import pytest

pytestmark = pytest.mark.browser

#: counts the changes of a canvas' pixels, checked on every animation frame for ``ms``
_JS_COUNT_CHANGES = """async ([index, ms]) => {
  const canvas = document.querySelectorAll('.jupyter-matplotlib-figure canvas:first-of-type')[index];
  const ctx = canvas.getContext('2d');
  // the right 40% of the figure (the loss panel, which changes on every step): cheap to read
  const x0 = Math.floor(canvas.width * 0.6), w = canvas.width - x0;
  const hash = () => {
    const px = new Uint32Array(ctx.getImageData(x0, 0, w, canvas.height).data.buffer);
    let h = 0;
    for (let i = 0; i < px.length; i += 1) h = (Math.imul(h, 31) + px[i]) | 0;
    return h;
  };
  let last = hash(), changes = 0, frames = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const h = hash();
    frames += 1;
    if (h !== last) { changes += 1; last = h; }
  }
  return {changes, frames, seconds: (performance.now() - start) / 1000};
}"""


def _step_slider(nb):
    """The explorer's frame slider (description "step") and its index among all sliders."""
    sliders = nb.page.locator(".widget-slider")
    for i in range(sliders.count()):
        label = sliders.nth(i).locator(".widget-label").inner_text().strip()
        if label == "step":
            return i
    raise AssertionError("no slider labelled 'step' (the explorer's frame slider)")


def test_ewa_widget_and_explorer_animate(open_notebook, record_property):
    nb = open_notebook("chapters/05_optimizers.ipynb")
    nb.run_all(timeout=240)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.canvases().count() == 2, "two widget canvases (EWA, explorer); the rest are PNGs"

    # the EWA widget: beta 0.90 -> 0.95 with the arrow keys redraws its canvas
    assert nb.slider_value(0) == "0.90"
    before = nb.screenshot(0)
    nb.set_slider(0, 0.95)
    nb.wait_for_change(0, before, timeout=15)
    assert nb.error_outputs() == [], "the EWA slider's observe callback failed"

    # the explorer shows the finished race; Play restarts it from step 0 and animates
    index = _step_slider(nb)
    assert nb.slider_value(index) == "150"
    before = nb.screenshot(1)
    nb.press_play(0)
    time.sleep(0.3)
    first, t0 = int(nb.slider_value(index)), time.monotonic()
    time.sleep(2.5)                                   # the Play timer alone, nothing measuring
    last = int(nb.slider_value(index))
    play_fps = (last - first) / (time.monotonic() - t0)
    seen = nb.page.evaluate(_JS_COUNT_CHANGES, [1, 2500])   # then count the canvas' changes
    canvas_fps = seen["changes"] / seen["seconds"]
    print(f"\nch05 explorer: play fps {play_fps:.1f} (slider {first} -> {last}), canvas fps "
          f"{canvas_fps:.1f} ({seen['changes']} changes in {seen['seconds']:.1f} s, "
          f"{seen['frames']} animation frames)")
    record_property("play_fps", round(play_fps, 1))
    record_property("canvas_fps", round(canvas_fps, 1))
    assert last > first, "the step slider did not advance after Play"
    assert nb.screenshot(1) != before, "the explorer's canvas did not change after Play"
    assert canvas_fps >= 5, f"the canvas changed only {canvas_fps:.1f} times per second"
    assert nb.error_outputs() == [], "the explorer's frame callback failed"

    # a control recomputes the race: untick Adam, the canvas changes and nothing fails
    nb.pause(0)
    time.sleep(0.5)
    before = nb.screenshot(1)
    nb.page.get_by_role("checkbox", name="Adam", exact=True).click()
    nb.wait_for_change(1, before, timeout=15)
    assert nb.error_outputs() == []
