"""The browser harness itself, and the course's widget recipe in a real JupyterLab.

A probe notebook is written at test time into the server's throw-away root (never into the repo:
any ``.ipynb`` under ``tests/`` would be collected by nbval). It builds a widget exactly as the
chapters do (``widget_figure`` + ``play_controls`` + an observer that updates a line in place),
without ``%matplotlib widget``, plus an ordinary inline figure. Run with ``-s`` to see the frame
rate measured in the browser.
"""

import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("chapters", "solutions", "exercises")
PROBE = "_harness/widget_probe.ipynb"
FPS_PROBE = "_harness/fps_probe.ipynb"
FPS_FRAMES = 400
FPS_INTERVAL_MS = 20
FPS_WINDOW_S = 3.0

NOTEBOOK_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
    "language_info": {"name": "python"},
}
SETUP = ("import numpy as np\n"
         "import matplotlib.pyplot as plt\n"
         "import ipywidgets as W\n"
         "from course_lib.widgets._common import (widget_figure, canvas_widget, play_controls,\n"
         "                                        redraw)\n"
         "x = np.linspace(0, 2 * np.pi, 200)")


def widget_cell(n_frames, interval_ms, title):
    """A chapter-style widget: a line updated in place from a Play-driven slider."""
    return (f"fig = widget_figure(figsize=(5, 3))\n"
            f"ax = fig.add_subplot()\n"
            f"(line,) = ax.plot(x, np.sin(x))\n"
            f"ax.set_ylim(-1.1, 1.1)\n"
            f"ax.set_title({title!r})\n"
            f"play, slider, box = play_controls({n_frames}, interval_ms={interval_ms})\n"
            f"\n"
            f"def show(change):\n"
            f"    line.set_ydata(np.sin(x + 2 * np.pi * change['new'] / {n_frames}))\n"
            f"    redraw(fig)\n"
            f"\n"
            f"slider.observe(show, names='value')\n"
            f"W.VBox([canvas_widget(fig), box])")


#: the widget under test, then an ordinary static figure (must stay an inline PNG), then a report
PROBE_CELLS = [
    ("markdown", "# Harness probe\n\nWritten by `tests/browser/test_harness.py` at test time."),
    ("code", SETUP),
    ("code", widget_cell(30, 40, "probe")),
    ("code", "plt.plot(x, np.cos(x))\n"
             "plt.title('inline')\n"
             "plt.show()"),
    ("code", "print(type(fig.canvas).__module__, type(fig.canvas).__name__, plt.get_backend())"),
]
#: one widget for the frame-rate measurement
FPS_CELLS = [
    ("markdown", "# Frame-rate probe"),
    ("code", SETUP),
    ("code", widget_cell(FPS_FRAMES, FPS_INTERVAL_MS, "fps")),
]

#: counts the frames drawn on each ipympl canvas (patches drawImage on the page)
COUNT_DRAWS = """() => {
  if (window.__courseDraws) return;
  window.__courseDraws = new Map();
  const orig = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const c = this.canvas;
    if (c && c.isConnected) window.__courseDraws.set(c, (window.__courseDraws.get(c) || 0) + 1);
    return orig.apply(this, args);
  };
}"""
DRAWS_ON = """(el) => (window.__courseDraws && window.__courseDraws.get(el)) || 0"""


def write_notebook(root, relpath, cells):
    """Write a notebook of ``(kind, source)`` cells under the server's throw-away root."""
    nb = nbformat.v4.new_notebook(metadata=NOTEBOOK_METADATA)
    for kind, source in cells:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source))
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def open_and_run(lab_server, open_notebook, relpath, cells):
    write_notebook(lab_server.root, relpath, cells)
    t0 = time.monotonic()
    nb = open_notebook(relpath)
    t1 = time.monotonic()
    nb.run_all()
    t2 = time.monotonic()
    print(f"\n[harness] {relpath}: opened in {t1 - t0:.1f} s, ran in {t2 - t1:.1f} s")
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    return nb


@pytest.fixture
def probe(lab_server, open_notebook):
    return open_and_run(lab_server, open_notebook, PROBE, PROBE_CELLS)


def test_widget_animates_in_the_browser(probe):
    nb = probe
    assert nb.page.locator(".jupyter-matplotlib-figure").count() >= 1
    canvas = nb.canvases().first
    before = nb.screenshot(canvas)
    assert nb.slider_value(0) == "0"
    nb.press_play(0)
    time.sleep(1.5)
    after = nb.screenshot(canvas)
    assert after != before, "the ipympl canvas did not change after pressing Play"
    assert int(nb.slider_value(0)) > 5, "the Play widget did not advance the slider"

    # moving the slider by keyboard redraws the figure too
    nb.pause(0)
    time.sleep(0.3)
    still = nb.screenshot(canvas)
    target = 3 if int(nb.slider_value(0)) > 3 else 20
    nb.set_slider(0, target)
    assert nb.slider_value(0) == str(target)
    nb.wait_for_change(canvas, still)


def test_widget_figure_keeps_the_inline_backend(probe):
    """widget_figure() must not switch pyplot to ipympl: later static figures stay inline PNGs."""
    nb = probe
    text = nb.page.locator(".jp-Cell").last.locator(".jp-OutputArea-output").inner_text().strip()
    print(f"[harness] canvas class and backend after widget_figure(): {text}")
    assert text.startswith("ipympl.backend_nbagg Canvas"), text
    assert text.endswith("module://matplotlib_inline.backend_inline"), (
        f"widget_figure() left pyplot on another backend: {text}")
    # exactly one ipympl canvas (the widget's); the plt.show() figure is an inline PNG
    assert nb.canvases().count() == 1
    inline = nb.page.locator(".jp-RenderedImage img[src^='data:image/png']")
    assert inline.count() == 1
    assert inline.first.evaluate("img => img.naturalWidth") > 100


def test_frame_rate_in_the_browser(lab_server, open_notebook):
    nb = open_and_run(lab_server, open_notebook, FPS_PROBE, FPS_CELLS)
    canvas = nb.canvases().first
    nb.page.evaluate(COUNT_DRAWS)
    canvas.scroll_into_view_if_needed()
    nb.press_play(0)
    time.sleep(0.5)  # let it get going
    v0, d0, t0 = int(nb.slider_value(0)), canvas.evaluate(DRAWS_ON), time.monotonic()
    time.sleep(FPS_WINDOW_S)
    v1, d1, t1 = int(nb.slider_value(0)), canvas.evaluate(DRAWS_ON), time.monotonic()
    nb.pause(0)
    play_fps = (v1 - v0) / (t1 - t0)
    draw_fps = (d1 - d0) / (t1 - t0)
    print(f"[harness] Play interval {FPS_INTERVAL_MS} ms (at most {1000 / FPS_INTERVAL_MS:.0f}"
          f" frames/s): slider advanced {play_fps:.1f} frames/s, ipympl canvas redrawn "
          f"{draw_fps:.1f} times/s")
    assert v1 < FPS_FRAMES - 1, "the measurement window ran past the last frame"
    assert play_fps > 5
    assert draw_fps > 2


def test_run_all_reports_the_error(lab_server, open_notebook):
    cells = [("code", "a = 1"), ("code", "raise ValueError('probe failure')"), ("code", "b = 2")]
    write_notebook(lab_server.root, "_harness/error_probe.ipynb", cells)
    nb = open_notebook("_harness/error_probe.ipynb")
    with pytest.raises(AssertionError, match=r"(?s)the run stopped.*ValueError: probe failure"):
        nb.run_all(timeout=60)
    assert nb.error_outputs() == ["ValueError: probe failure"]


def test_exceptions_in_widget_callbacks_are_reported(lab_server, open_notebook):
    cell = ("from course_lib.widgets._common import play_controls\n"
            "play, slider, box = play_controls(30, interval_ms=40)\n"
            "\n"
            "def broken(change):\n"
            "    if change['new'] > 3:\n"
            "        raise RuntimeError('observer failure')\n"
            "\n"
            "slider.observe(broken, names='value')\n"
            "box")
    write_notebook(lab_server.root, "_harness/callback_probe.ipynb", [("code", cell)])
    nb = open_notebook("_harness/callback_probe.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    nb.press_play()
    deadline = time.monotonic() + 10
    while not nb.error_outputs() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "widget callback: RuntimeError: observer failure" in nb.error_outputs()


def test_run_all_times_out_with_a_clear_message(lab_server, open_notebook):
    cells = [("code", "print('started')"), ("code", "import time\ntime.sleep(600)")]
    write_notebook(lab_server.root, "_harness/slow_probe.ipynb", cells)
    nb = open_notebook("_harness/slow_probe.ipynb")
    t0 = time.monotonic()
    with pytest.raises(AssertionError, match=r"not all cells finished \(timed out after 5 s\)"):
        nb.run_all(timeout=5)
    assert time.monotonic() - t0 < 20
    # the busy kernel is shut down at teardown, so the session does not hang


def test_server_root_is_a_throwaway_copy(lab_server, open_notebook):
    root = lab_server.root
    assert REPO not in root.parents and root != REPO
    # the root holds the same notebooks the repo had when the session started
    copied = {f"{p.parent.name}/{p.name}" for folder in FOLDERS
              for p in (root / folder).glob("*.ipynb")}
    assert copied == set(lab_server.repo_snapshot)
    # a notebook saved from JupyterLab lands in the throw-away root, never in the repo
    relpath = next((p for p in sorted(lab_server.repo_snapshot) if p.startswith("chapters/")),
                   None)
    if relpath is None:
        write_notebook(root, PROBE, PROBE_CELLS)
        relpath = PROBE
    copy = root / relpath
    mtime = copy.stat().st_mtime_ns
    in_repo = REPO / relpath
    repo_before = in_repo.stat().st_mtime_ns if in_repo.exists() else None
    nb = open_notebook(relpath)
    nb.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.monotonic() + 20
    while copy.stat().st_mtime_ns == mtime and time.monotonic() < deadline:
        time.sleep(0.2)
    assert copy.stat().st_mtime_ns != mtime, "saving did not write the throw-away copy"
    repo_after = in_repo.stat().st_mtime_ns if in_repo.exists() else None
    assert repo_after == repo_before, f"saving from JupyterLab touched {in_repo}"
    assert not (REPO / "_harness").exists()
    for folder in FOLDERS:
        assert not (REPO / folder / ".ipynb_checkpoints").exists()


# ------------------------------------------------------------------ the browser-side player

PLAYER_PROBE = "_harness/player_probe.ipynb"
PLAYER_CELLS = [
    ("markdown", "# Frame-player probe"),
    ("code", "import numpy as np\n"
             "from course_lib.widgets.base import FramePlayer, Scene, static_figure\n"
             "x = np.linspace(0, 2 * np.pi, 200)\n"
             "fig = static_figure((5, 3))\n"
             "ax = fig.add_subplot()\n"
             "ax.set(xlim=(0, 2 * np.pi), ylim=(-1.1, 1.1), title='player probe')\n"
             "(line,) = ax.plot([], [], label='sin')\n"
             "F = 40\n"
             "waves = np.stack([np.column_stack([x, np.sin(x + 2 * np.pi * k / F)]) "
             "for k in range(F)])\n"
             "scene = Scene(fig, clickable=[ax])\n"
             "scene.line(ax, waves, like=line)\n"
             "scene.text(ax, [f'frame {k}' for k in range(F)])\n"
             "player = FramePlayer(scene, fps=10, loop=True)\n"
             "heard = []\n"
             "player.on_frame(lambda k: heard.append(('frame', k)))\n"
             "player.on_click(lambda i, cx, cy: heard.append(('click', i, round(cx, 1), "
             "round(cy, 1))))\n"
             "player"),
    ("code", "print(heard, player.frame)"),
]


def test_frame_player_plays_in_the_page(lab_server, open_notebook, record_property):
    """40 frames at 10 frames/s, interpolated: the canvas still changes on every display frame."""
    nb = open_and_run(lab_server, open_notebook, PLAYER_PROBE, PLAYER_CELLS)
    assert nb.players().count() == 1
    st = nb.wait_for_player(0, frame=0, playing=False)
    assert st["n"] == 40
    play = nb.players().first.get_by_role("button", name="Play")
    assert play.count() == 1
    play.focus()
    assert play.evaluate("b => document.activeElement === b"), "Play takes keyboard focus"
    nb.set_loop(0)
    nb.press_play(0)
    nb.wait_for_player(0, playing=True)
    fps = nb.measure_fps(nb.player_canvas(0), seconds=1.5, tries=3)
    print(f"\n[harness] frame player: {fps}")
    record_property("player_fps", round(fps["fps"], 1))
    assert fps["fps"] >= 50, fps
    assert fps["distinct"] >= 0.95 * fps["ticks"], f"a display frame without a new picture: {fps}"
    # pause: the kernel hears the frame the page stopped on
    play.click()
    st = nb.wait_for_player(0, playing=False)
    deadline = time.monotonic() + 10
    while True:
        text = nb.kernel_print("print(heard, player.frame)").strip()
        if text.endswith(f" {st['frame']}") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert text == f"[('frame', {st['frame']})] {st['frame']}", text
    # a click inside the axes reaches Python in data coordinates (the axes' centre: x = pi, y = 0)
    box = nb.kernel_print("print(*player.scene['axes'][0]['box'])").split()
    left, top, width, height = (float(v) for v in box)
    nb.player_canvas(0).click(position={"x": left + width / 2, "y": top + height / 2})
    deadline = time.monotonic() + 10
    while "click" not in text and time.monotonic() < deadline:
        text = nb.kernel_print("print(heard[-1])").strip()
        time.sleep(0.2)
    assert text == "('click', 0, 3.1, 0.0)", text
