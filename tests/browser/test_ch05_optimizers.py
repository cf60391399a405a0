"""Chapter 05 in JupyterLab: the notebook runs clean; the EWA widget and the gradient-descent
explorer play in the browser at display rate (distinct pictures per second measured in the
page); six explorer control changes in a row each show their finished race (a 3-cycle through
the surface menu: every picture equals the one three changes later, and differs from the next);
a click on the map starts a race there; the optimizer checkboxes recompute."""

import pytest

pytestmark = pytest.mark.browser

EWA, EXPLORER = 0, 1
CYCLE = ["rosenbrock", "saddle", "ravine"]


def test_ewa_widget_and_explorer_animate(open_notebook, record_property):
    from playwright.sync_api import expect  # imported here: `make test` runs without Playwright

    nb = open_notebook("chapters/05_optimizers.ipynb")
    nb.run_all(timeout=240)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 2, "two widgets (EWA, explorer); the rest are PNGs"
    assert nb.canvases().count() == 0

    # the EWA widget: beta 0.90 -> 0.95 with the arrow keys on its scrubber, drawn by the page
    ewa = nb.players().nth(EWA)
    nb.wait_for_player(EWA, frame=90)
    expect(ewa.locator(".cfp-readout")).to_have_text("β = 0.90")
    before = nb.screenshot(nb.player_canvas(EWA))
    scrub = ewa.get_by_role("slider", name="Frame")
    for _ in range(5):
        scrub.press("ArrowRight")
    nb.wait_for_player(EWA, frame=95)
    expect(ewa.locator(".cfp-readout")).to_have_text("β = 0.95")
    assert nb.screenshot(nb.player_canvas(EWA)) != before
    scrub.press("Home")
    nb.set_loop(EWA)
    nb.press_play(EWA)
    nb.wait_for_player(EWA, playing=True)
    fps = nb.measure_fps(nb.player_canvas(EWA), seconds=1.5, tries=3)
    print(f"\n[ch05] EWA widget while playing: {fps}")
    record_property("ewa_fps", round(fps["fps"], 1))
    assert fps["fps"] >= 50, fps
    ewa.get_by_role("button", name="Play").click()
    nb.wait_for_player(EWA, playing=False)

    # the explorer shows the finished race; Play replays it at display rate
    explorer = nb.players().nth(EXPLORER)
    st = nb.wait_for_player(EXPLORER, frame=-1, playing=False)
    n = st["n"] - 1
    expect(explorer.locator(".cfp-readout")).to_have_text(f"step {n} / {n}")
    finished = nb.screenshot(nb.player_canvas(EXPLORER))
    nb.set_loop(EXPLORER)
    nb.press_play(EXPLORER)
    nb.wait_for_player(EXPLORER, playing=True)
    fps = nb.measure_fps(nb.player_canvas(EXPLORER), seconds=1.5, tries=3)
    print(f"[ch05] explorer while playing: {fps}")
    record_property("explorer_fps", round(fps["fps"], 1))
    assert fps["fps"] >= 50, fps
    assert nb.screenshot(nb.player_canvas(EXPLORER)) != finished

    # six control changes in a row (the first while playing): each shows its finished race
    menu = nb.page.locator(".widget-dropdown select").filter(has=nb.page.locator("option",
                                                                                 has_text="saddle"))
    pictures, steps = [], []
    for surface in CYCLE * 2:
        last = nb.player_state(EXPLORER)["scene"]
        menu.select_option(surface)
        st = nb.wait_for_player(EXPLORER, after_scene=last, frame=-1, playing=False, timeout=30)
        n = st["n"] - 1
        expect(explorer.locator(".cfp-readout")).to_have_text(f"step {n} / {n}")
        pictures.append(nb.screenshot(nb.player_canvas(EXPLORER)))
        steps.append(n)
    for i in range(3):
        assert pictures[i] == pictures[i + 3], f"{CYCLE[i]}: not the same finished race twice"
        assert pictures[i] != pictures[i + 1]
        assert steps[i] == steps[i + 3]
    assert pictures[2] == finished, "back on the ravine: the race the notebook first showed"

    # a click on the map starts a new race there (the page reports data coordinates)
    box = nb.kernel_print("print(*explorer.player.scene['axes'][0]['box'])").split()
    left, top, width, height = (float(v) for v in box)
    last = nb.player_state(EXPLORER)["scene"]
    nb.player_canvas(EXPLORER).click(position={"x": left + 0.25 * width, "y": top + 0.75 * height})
    nb.wait_for_player(EXPLORER, after_scene=last, frame=-1)
    start = nb.kernel_print("print(*(round(float(v), 6) for v in explorer.runs[0].path[0]), "
                            "*(round(float(v), 6) for v in explorer.ax_map.get_xlim()), "
                            "*(round(float(v), 6) for v in explorer.ax_map.get_ylim()))")
    x, y, x0, x1, y0, y1 = (float(v) for v in start.split())
    assert x == pytest.approx(x0 + 0.25 * (x1 - x0), abs=0.02 * (x1 - x0)), start
    assert y == pytest.approx(y0 + 0.25 * (y1 - y0), abs=0.02 * (y1 - y0)), start

    # an optimizer checkbox recomputes: one new scene, still the finished race
    last = nb.player_state(EXPLORER)["scene"]
    before = nb.screenshot(nb.player_canvas(EXPLORER))
    nb.page.get_by_role("checkbox", name="Adam", exact=True).click()
    nb.wait_for_player(EXPLORER, after_scene=last, frame=-1)
    assert nb.screenshot(nb.player_canvas(EXPLORER)) != before
    assert nb.error_outputs() == []
