"""Chapter 06 in JupyterLab: the notebook runs clean; the activation-histogram widget plays its
training run in the browser at display rate, and its activation toggle retrains both networks in
one update (the kernel hears the new value; the page shows a different picture, at the end)."""

import pytest

pytestmark = pytest.mark.browser


def test_activation_histograms(open_notebook, record_property):
    nb = open_notebook("chapters/06_normalization.ipynb")
    nb.run_all(timeout=300)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 1, "one widget; every other figure is a PNG"
    st = nb.wait_for_player(0, frame=-1, playing=False)     # opens on the last step
    assert st["n"] == int(nb.kernel_print("print(len(explorer.scene))").strip())
    last = nb.screenshot(nb.player_canvas(0))

    # play from the start: the page animates at display rate (best of three 2-second windows,
    # since the shared machine's display rate itself dips under load)
    runs = []
    for _ in range(3):
        nb.kernel_print("explorer.player.seek(0)")
        nb.wait_for_player(0, frame=0, playing=False)
        first = nb.screenshot(nb.player_canvas(0))
        nb.press_play(0)
        nb.wait_for_player(0, playing=True)
        runs.append(nb.measure_fps(nb.player_canvas(0), seconds=2.0))
        if runs[-1]["fps"] >= 50:
            break
    fps = max(runs, key=lambda r: r["fps"])
    print(f"\n[ch06] activation histograms while playing: {runs}")
    record_property("normalization_fps", round(fps["fps"], 1))
    assert fps["fps"] >= 50, runs
    assert first != last                                     # step 0 is not step 60
    nb.wait_for_player(0, frame=-1, playing=False, timeout=30)   # plays to the end and stops
    assert nb.screenshot(nb.player_canvas(0)) == last

    # the activation toggle retrains both networks: one new scene, at its end, a new picture
    before = nb.player_state(0)["scene"]
    nb.page.locator(".widget-toggle-buttons button", has_text="tanh").first.click()
    st = nb.wait_for_player(0, after_scene=before, frame=-1, playing=False, timeout=60)
    assert st["scene"] == before + 1
    assert nb.kernel_print("print(explorer.activation.value, explorer.result['activation'])"
                           ).strip() == "tanh tanh"
    assert nb.screenshot(nb.player_canvas(0)) != last
    assert nb.error_outputs() == []
