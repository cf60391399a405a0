"""Chapter 02 in JupyterLab: the notebook runs clean; the activation explorer follows its x
scrubber in the browser (no kernel round trip: the latency is measured in the page) and
recomputes for its function drop-down."""

import pytest

pytestmark = pytest.mark.browser

#: the time from the scrubber's input event to the player showing the new frame, in the page
_JS_LATENCY = """(player) => {
  window.__courseLatency = null;
  const before = player.dataset.frame;
  let t0 = null;
  // capture phase on the player: before the scrubber's own listener draws the frame
  player.addEventListener('input', () => { t0 = performance.now(); }, {capture: true, once: true});
  const obs = new MutationObserver(() => {
    if (player.dataset.frame !== before && t0 !== null) {
      obs.disconnect();
      window.__courseLatency = {ms: performance.now() - t0, frame: Number(player.dataset.frame)};
    }
  });
  obs.observe(player, {attributes: true, attributeFilter: ['data-frame']});
}"""


def test_activation_explorer_follows_scrubber_and_dropdown(open_notebook, record_property):
    from playwright.sync_api import expect  # imported here: `make test` runs without Playwright

    nb = open_notebook("chapters/02_activations.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 1, "one widget; the static figures stay inline PNGs"
    assert nb.canvases().count() == 0
    start = nb.wait_for_player(0)
    player = nb.players().first
    readout = player.locator(".cfp-readout")
    expect(readout).to_have_text("x = 1.00, f(x) = 0.7311, f'(x) = 0.1966")

    before = nb.screenshot(nb.player_canvas(0))
    scrub = player.get_by_role("slider", name="Frame")
    scrub.focus()
    player.evaluate(_JS_LATENCY)
    scrub.press("ArrowRight")                   # x: 1.00 -> 1.05, drawn by the page itself
    shown = nb.page.wait_for_function("() => window.__courseLatency", timeout=5000).json_value()
    print(f"\n[ch02] x scrubber to picture: {shown}")
    assert shown["ms"] is not None and shown["ms"] < 100, shown
    record_property("scrub_latency_ms", round(shown["ms"], 1))
    for _ in range(19):
        scrub.press("ArrowRight")
    nb.wait_for_player(0, frame=start["frame"] + 20)
    expect(readout).to_have_text("x = 2.00, f(x) = 0.8808, f'(x) = 0.1050")
    assert nb.screenshot(nb.player_canvas(0)) != before
    heard = nb.kernel_print("print(explorer)").strip()
    assert heard == "ActivationExplorer(function='sigmoid', x=2.00)", heard

    nb.page.locator(".widget-dropdown select").first.select_option(label="ReLU: max(x, 0)")
    nb.wait_for_player(0, after_scene=start["scene"], frame=start["frame"] + 20)
    expect(readout).to_have_text("x = 2.00, f(x) = 2.0000, f'(x) = 1.0000")
    assert nb.error_outputs() == [], "the drop-down's observe callback failed"
