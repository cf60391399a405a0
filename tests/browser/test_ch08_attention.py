"""Chapter 08 in JupyterLab: the notebook runs clean; the attention player plays the heatmaps in
the browser at display rate, pauses (the kernel hears the frame) and ends on a different picture
(the learned anti-diagonal) than it starts with (the untrained blur)."""

import pytest

pytestmark = pytest.mark.browser


def test_attention_player_plays_and_pauses(open_notebook, record_property):
    nb = open_notebook("chapters/08_attention.ipynb")
    nb.run_all(timeout=180)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 1, "one widget (the attention player); figures stay PNGs"
    nb.wait_for_player(0, frame=0, playing=False)
    first = nb.screenshot(nb.player_canvas(0))

    # on a machine shared by many processes the page's display rate itself dips (ticks / seconds
    # below 60); the best of three 2-second windows measures what the widget can do
    runs = []
    for attempt in range(3):
        if attempt:
            nb.kernel_print("player.draw()")               # back to step 0, paused
            nb.wait_for_player(0, frame=0, playing=False)
        nb.press_play(0)
        nb.wait_for_player(0, playing=True)
        runs.append(nb.measure_fps(nb.player_canvas(0), seconds=2.0))
        # a new picture on (almost) every display tick
        assert runs[-1]["distinct"] >= 0.95 * runs[-1]["ticks"], runs[-1]
        if runs[-1]["fps"] >= 50:
            break
    fps = max(runs, key=lambda r: r["fps"])
    print(f"\n[ch08] attention player while playing: {runs}")
    record_property("attention_fps", round(fps["fps"], 1))
    assert fps["fps"] >= 50, runs

    # pause with the keyboard: the kernel hears the frame the page shows
    nb.kernel_print("player.draw()")
    nb.wait_for_player(0, frame=0, playing=False)
    nb.press_play(0)
    nb.wait_for_player(0, playing=True)
    nb.page.wait_for_timeout(500)
    play = nb.players().first.get_by_role("button", name="Play")
    play.focus()
    play.press("Space")
    paused = nb.wait_for_player(0, playing=False)
    assert paused["frame"] >= 1
    heard = ""
    for _ in range(50):
        heard = nb.kernel_print("print(player.player.frame)").strip()
        if heard == str(paused["frame"]):
            break
        nb.page.wait_for_timeout(100)
    assert heard == str(paused["frame"])

    # the last frame (after training) is not the first (before training)
    nb.kernel_print("player.player.seek(-1)")
    nb.wait_for_player(0, frame=-1, playing=False)
    assert nb.screenshot(nb.player_canvas(0)) != first
    # draw() rewinds to step 0 in one update: the same picture as at the start
    before = nb.player_state(0)["scene"]
    nb.kernel_print("player.draw()")
    nb.wait_for_player(0, after_scene=before, frame=0)
    assert nb.screenshot(nb.player_canvas(0)) == first
    assert nb.error_outputs() == []
