"""Chapter 05b in JupyterLab: the notebook runs clean; the generalization explorer plays a run's
epochs in the browser at display rate, and its weight-decay slider swaps the run in one update
(the kernel hears the new value; the page shows a different picture, at the run's last epoch)."""

import time

import pytest

pytestmark = pytest.mark.browser


def test_generalization_explorer(open_notebook, record_property):
    nb = open_notebook("chapters/05b_generalization.ipynb")
    nb.run_all(timeout=240)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 1, "one widget (the explorer); every other figure is a PNG"
    st = nb.wait_for_player(0, frame=-1, playing=False)     # opens on the last epoch
    assert st["n"] == int(nb.kernel_print("print(len(explorer.scene))").strip())
    last = nb.screenshot(nb.player_canvas(0))

    # play from the start: the page animates at display rate (best of three 2-second windows,
    # since the shared machine's display rate itself dips under load)
    runs = []
    nb.kernel_print("explorer.player.loop = True")      # a window never runs into the last frame
    for attempt in range(3):
        nb.kernel_print("explorer.player.seek(0)")
        nb.wait_for_player(0, frame=0, playing=False)
        nb.press_play(0)
        nb.wait_for_player(0, playing=True)
        runs.append(nb.measure_fps(nb.player_canvas(0), seconds=2.0))
        if runs[-1]["fps"] >= 50:
            break
    fps = max(runs, key=lambda r: r["fps"])
    print(f"\n[ch05b] explorer while playing: {runs}")
    record_property("generalization_fps", round(fps["fps"], 1))
    # a new picture on (nearly) every display frame: the boundary cross-fades, the heads glide
    assert fps["distinct"] >= 0.95 * fps["ticks"], runs
    nb.kernel_print("explorer.player.loop = False")
    nb.kernel_print("explorer.player.seek(0)")
    nb.wait_for_player(0, frame=0, playing=False)
    nb.press_play(0)
    nb.wait_for_player(0, frame=-1, playing=False, timeout=30)   # plays to the end and stops
    assert nb.screenshot(nb.player_canvas(0)) == last            # the same final picture

    # the slider picks another weight decay: one new scene, at its last epoch, a new picture
    # (the arrow keys may step through other values on the way: each step draws a scene)
    before = nb.player_state(0)["scene"]
    nb.set_slider(0, 0.3)
    deadline = time.monotonic() + 30
    while (shown := nb.kernel_print("print(explorer.slider.value, explorer.run['value'])")
           .strip()) != "2 0.3":
        assert time.monotonic() < deadline, f"the kernel's slider is at {shown}, not 2 0.3"
        time.sleep(0.2)
    # the redraw may follow the value: wait until the page shows the kernel's newest scene
    deadline = time.monotonic() + 30
    while True:
        scene = int(nb.kernel_print("print(explorer.player.scene['id'])"))
        st = nb.wait_for_player(0, after_scene=before, frame=-1, playing=False)
        if st["scene"] == scene:
            break
        assert time.monotonic() < deadline, f"the page shows scene {st['scene']}, not {scene}"
        time.sleep(0.2)
    assert scene > before
    assert nb.kernel_print("print(explorer.slider.value, explorer.run['value'])").strip() == "2 0.3"
    assert nb.screenshot(nb.player_canvas(0)) != last
    assert nb.error_outputs() == []
    # last, the rate (on a heavily shared machine the page's own display rate can dip below 50)
    assert fps["fps"] >= 50, runs
