"""Chapter 07 in JupyterLab: the notebook runs clean; the convolution explorer plays its sliding
window in the browser at display rate and its kernel menu swaps the output map in one update;
the pool-routing explorer plays and its stride menu switches to overlapping windows (the kernel
hears the new value and dx adds up)."""

import pytest

pytestmark = pytest.mark.browser


def _play_and_measure(nb, index, name, seconds=2.0):
    runs = []
    for _ in range(3):      # best of three: the shared machine's display rate dips under load
        nb.kernel_print(f"{name}.player.seek(0)")
        nb.wait_for_player(index, frame=0, playing=False)
        nb.press_play(index)
        nb.wait_for_player(index, playing=True)
        runs.append(nb.measure_fps(nb.player_canvas(index), seconds=seconds))
        if runs[-1]["fps"] >= 50:
            break
    return max(runs, key=lambda r: r["fps"]), runs


def _smooth(fps):
    """At display rate: >= 50 new pictures a second, or (when the loaded machine's display itself
    ticks slower) a new picture on at least 90% of the display's ticks."""
    return fps["fps"] >= 50 or (fps["ticks"] / fps["seconds"] < 50
                                and fps["distinct"] >= 0.9 * fps["ticks"])


def _select(nb, player_index, label, option):
    """Choose ``option`` in the dropdown labelled ``label`` under the given player's widget."""
    box = nb.players().nth(player_index).locator("xpath=ancestor::div[contains(@class, "
                                                   "'widget-vbox')][1]")
    menu = box.locator(".widget-dropdown").filter(has_text=label).locator("select")
    menu.select_option(label=str(option))


def test_convolution_widgets(open_notebook, record_property):
    nb = open_notebook("chapters/07_convolution.ipynb")
    nb.run_all(timeout=240)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 2, "two widgets; every other figure is a PNG"
    pool, conv = 0, 1                                         # page order

    # the convolution explorer opens on the filled map, then plays the window across the digit
    st = nb.wait_for_player(conv, frame=-1, playing=False)
    assert st["n"] == int(nb.kernel_print("print(len(conv_explorer.scene))").strip()) == 64
    filled = nb.screenshot(nb.player_canvas(conv))
    fps, runs = _play_and_measure(nb, conv, "conv_explorer")
    print(f"\n[ch07] convolution explorer while playing: {runs}")
    record_property("convolution_fps", round(fps["fps"], 1))
    assert _smooth(fps), runs
    nb.kernel_print("conv_explorer.player.seek(-1)")
    nb.wait_for_player(conv, frame=-1, playing=False)
    assert nb.screenshot(nb.player_canvas(conv)) == filled    # the same final picture

    # the kernel menu: one new scene, the kernel heard in Python, a different output map
    before = nb.player_state(conv)["scene"]
    _select(nb, conv, "kernel", "blur (box)")
    st = nb.wait_for_player(conv, after_scene=before, frame=-1, playing=False)
    assert st["scene"] == before + 1
    assert nb.kernel_print("print(conv_explorer.kernel_menu.value)").strip() == "blur (box)"
    assert nb.screenshot(nb.player_canvas(conv)) != filled

    # the pool-routing explorer: plays its four windows, then the stride menu overlaps them
    nb.wait_for_player(pool, frame=-1, playing=False)
    last = nb.screenshot(nb.player_canvas(pool))
    fps_pool, runs_pool = _play_and_measure(nb, pool, "pool_explorer", seconds=1.2)
    print(f"[ch07] pool-routing explorer while playing: {runs_pool}")
    record_property("pool_routing_fps", round(fps_pool["fps"], 1))
    assert _smooth(fps_pool), runs_pool
    nb.wait_for_player(pool, frame=-1, playing=False, timeout=30)
    before = nb.player_state(pool)["scene"]
    _select(nb, pool, "stride", 1)
    st = nb.wait_for_player(pool, after_scene=before, frame=-1, playing=False)
    assert st["n"] == 9
    assert nb.kernel_print("print(pool_explorer.stride_menu.value, "
                           "int(pool_explorer.dx[2, 2]))").strip() == "1 28"
    assert nb.screenshot(nb.player_canvas(pool)) != last
    assert nb.error_outputs() == []
