"""Chapter 01 in JupyterLab: the notebook runs clean; the perceptron widget plays in the browser
at display rate, pauses (the kernel hears the epoch), resets, and re-trains in one update."""

import pytest

pytestmark = pytest.mark.browser


def test_perceptron_widget_plays_resets_and_retrains(open_notebook, record_property):
    nb = open_notebook("chapters/01_perceptron.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 1, "one widget (the perceptron); static figures stay PNGs"
    assert nb.canvases().count() == 0, "no ipympl canvas any more"
    start = nb.wait_for_player(0, frame=0, playing=False)
    assert start["n"] >= 5

    # Play: the boundary turns between epochs, a new picture on every display frame
    nb.set_loop(0)
    nb.press_play(0)
    nb.wait_for_player(0, playing=True)
    fps = nb.measure_fps(nb.player_canvas(0), seconds=1.5, tries=3)
    print(f"\n[ch01] perceptron widget while playing: {fps}")
    record_property("perceptron_fps", round(fps["fps"], 1))
    assert fps["fps"] >= 50, fps

    # pause with the keyboard (space on the focused Play button): the kernel hears the epoch
    play = nb.players().first.get_by_role("button", name="Play")
    play.focus()
    play.press("Space")
    paused = nb.wait_for_player(0, playing=False)
    assert paused["frame"] >= 1
    heard = ""
    for _ in range(50):
        heard = nb.kernel_print("print(widget.player.frame)").strip()
        if heard == str(paused["frame"]):
            break
        nb.page.wait_for_timeout(100)
    assert heard == str(paused["frame"])

    # speed and loop are the page's, and Python hears them
    nb.players().first.get_by_role("combobox", name="Speed").select_option("4")
    heard = ""
    for _ in range(50):
        heard = nb.kernel_print("print(widget.player.speed, widget.player.loop)").strip()
        if heard == "4.0 True":
            break
        nb.page.wait_for_timeout(100)
    assert heard == "4.0 True"

    # Reset (an ipywidgets button) goes back to epoch 0
    nb.page.get_by_role("button", name="Reset").click()
    nb.wait_for_player(0, frame=0)
    at_start = nb.screenshot(nb.player_canvas(0))

    # the learning-rate slider re-trains: a new scene, shown at epoch 0, all of it at once
    nb.set_slider(0, 1)
    # each arrow key was a re-train: wait for the kernel to finish the last one, then its scene
    heard = ""
    for _ in range(100):
        heard = nb.kernel_print("print(widget.lr, widget.player.scene['id'])").strip()
        if heard.startswith("1.0 "):
            break
        nb.page.wait_for_timeout(100)
    assert heard.startswith("1.0 "), heard
    last_scene = int(heard.split()[1])
    st = nb.wait_for_player(0, after_scene=last_scene - 1, frame=0)
    assert st["scene"] == last_scene
    assert st["n"] != start["n"], "lr = 1 converges in another number of epochs"
    assert nb.screenshot(nb.player_canvas(0)) != at_start
    nb.press_play(0)
    nb.wait_for_player(0, playing=True)
    assert nb.error_outputs() == []
