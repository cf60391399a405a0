"""The browser harness itself, and the course's widget recipe in a real JupyterLab.

Probe notebooks are written at test time into the server's throw-away root (never into the repo:
any ``.ipynb`` under ``tests/`` would be collected by nbval). The player probe builds a
:class:`~course_lib.widgets.base.FramePlayer` exactly as the chapters do (a static figure, a
moving line and a text per frame), then an ordinary inline figure. Run with ``-s`` to see the
frame rate measured in the page.
"""

import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("chapters", "solutions", "exercises")
PROBE = "_harness/widget_probe.ipynb"

NOTEBOOK_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
    "language_info": {"name": "python"},
}
PLAYER_CELL = ("import numpy as np\n"
               "import matplotlib.pyplot as plt\n"
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
               "player = FramePlayer(scene, fps=10)\n"
               "heard = []\n"
               "player.on_frame(lambda k: heard.append(('frame', k)))\n"
               "player.on_click(lambda i, cx, cy: heard.append(('click', i, round(cx, 1), "
               "round(cy, 1))))\n"
               "player")

#: the widget under test, then an ordinary static figure (must stay an inline PNG), then a report
PROBE_CELLS = [
    ("markdown", "# Harness probe\n\nWritten by `tests/browser/test_harness.py` at test time."),
    ("code", PLAYER_CELL),
    ("code", "plt.plot(x, np.cos(x))\n"
             "plt.title('inline')\n"
             "plt.show()"),
    ("code", "print(plt.get_backend())"),
]


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


def test_a_frame_player_keeps_the_inline_backend(probe):
    """A frame player must not switch pyplot: later static figures stay inline PNGs."""
    nb = probe
    text = nb.page.locator(".jp-Cell").last.locator(".jp-OutputArea-output").inner_text().strip()
    print(f"[harness] pyplot backend after the frame player: {text}")
    assert text == "module://matplotlib_inline.backend_inline", text
    assert nb.canvases().count() == 0 and nb.players().count() == 1
    inline = nb.page.locator(".jp-RenderedImage img[src^='data:image/png']")
    assert inline.count() == 1
    assert inline.first.evaluate("img => img.naturalWidth") > 100


def test_run_all_reports_the_error(lab_server, open_notebook):
    cells = [("code", "a = 1"), ("code", "raise ValueError('probe failure')"), ("code", "b = 2")]
    write_notebook(lab_server.root, "_harness/error_probe.ipynb", cells)
    nb = open_notebook("_harness/error_probe.ipynb")
    with pytest.raises(AssertionError, match=r"(?s)the run stopped.*ValueError: probe failure"):
        nb.run_all(timeout=60)
    assert nb.error_outputs() == ["ValueError: probe failure"]


def test_exceptions_in_widget_callbacks_are_reported(lab_server, open_notebook):
    cell = PLAYER_CELL.replace("heard = []", "heard = []\n"
                               "def broken(k):\n"
                               "    raise RuntimeError('observer failure')\n"
                               "player.on_frame(broken)")
    write_notebook(lab_server.root, "_harness/callback_probe.ipynb", [("code", cell)])
    nb = open_notebook("_harness/callback_probe.ipynb")
    nb.run_all()
    assert nb.error_outputs() == []
    nb.players().first.get_by_role("button", name="Step forward").click()
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


def test_frame_player_plays_in_the_page(probe, record_property):
    """40 frames at 10 frames/s, interpolated: the canvas still changes on every display frame;
    the kernel hears the frame on pause and clicks in data coordinates."""
    nb = probe
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
    # the paused picture is that frame, drawn where matplotlib's transform puts it: the line's
    # colour at the pixel of (x[100], sin(x[100] + 2 pi k / F))
    px = nb.kernel_print(f"k = {st['frame']}\n"
                         "from matplotlib.colors import to_hex\n"
                         "xy = [[x[100], np.sin(x[100] + 2 * np.pi * k / F)]]\n"
                         "print(*scene.to_pixels(ax, xy)[0].round(3), to_hex(line.get_color()))"
                         ).split()
    cx, cy, color = float(px[0]), float(px[1]), px[2]
    rgb = nb.player_canvas(0).evaluate(
        "(c, [x, y]) => { const r = window.devicePixelRatio || 1;"
        "  return Array.from(c.getContext('2d').getImageData(Math.floor(x * r),"
        "    Math.floor(y * r), 1, 1).data).slice(0, 3); }", [cx, cy])
    want = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    assert max(abs(a - b) for a, b in zip(rgb, want)) < 60, (rgb, want, cx, cy)
    # a click inside the axes reaches Python in data coordinates (the axes' centre: x = pi, y = 0)
    box = nb.kernel_print("print(*player.scene['axes'][0]['box'])").split()
    left, top, width, height = (float(v) for v in box)
    nb.player_canvas(0).click(position={"x": left + width / 2, "y": top + height / 2})
    deadline = time.monotonic() + 10
    while "click" not in text and time.monotonic() < deadline:
        text = nb.kernel_print("print(heard[-1])").strip()
        time.sleep(0.2)
    assert text == "('click', 0, 3.1, 0.0)", text
