"""Chapter 04a in JupyterLab: the notebook runs clean; the training animation plays in the
browser at display rate and can be stepped and scrubbed with the keyboard."""

import pytest

pytestmark = pytest.mark.browser


def test_training_animation_plays(open_notebook, record_property):
    nb = open_notebook("chapters/04a_backprop.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 1, "one widget (the training animation); the rest are PNGs"
    assert nb.canvases().count() == 0
    start = nb.wait_for_player(0, frame=0, playing=False)
    before = nb.screenshot(nb.player_canvas(0))

    nb.set_loop(0)
    nb.press_play(0)
    nb.wait_for_player(0, playing=True)
    fps = nb.measure_fps(nb.player_canvas(0), seconds=1.5, tries=3)
    print(f"\n[ch04a] training animation while playing: {fps}")
    record_property("training_fps", round(fps["fps"], 1))
    assert fps["fps"] >= 50, fps
    assert nb.screenshot(nb.player_canvas(0)) != before

    # the step buttons and the scrubber work from the keyboard
    player = nb.players().first
    player.get_by_role("button", name="Step back").focus()
    player.get_by_role("button", name="Step back").press("Enter")      # also pauses
    st = nb.wait_for_player(0, playing=False)
    player.get_by_role("button", name="Step forward").press("Enter")
    nb.wait_for_player(0, frame=st["frame"] + 1)
    scrub = player.get_by_role("slider", name="Frame")
    scrub.focus()
    scrub.press("End")
    nb.wait_for_player(0, frame=-1)
    scrub.press("Home")
    nb.wait_for_player(0, frame=0)
    assert nb.screenshot(nb.player_canvas(0)) == before, "frame 0 looks as it did at the start"
    assert start["n"] == nb.player_state(0)["n"]
    assert nb.error_outputs() == []
