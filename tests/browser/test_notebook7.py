"""The widget chapters in Jupyter Notebook 7 (not JupyterLab). Chapter 05 runs clean, its
gradient-descent explorer plays in the page at display rate, and a surface-menu change shows a new
finished race. Chapters 01, 04a, 05b, 07 and 08 run clean and every frame player plays.

Notebook 7 is a second front end on the same JupyterLab 4 components, so the harness of
``conftest.py`` works unchanged once the page is open: this file only starts ``jupyter notebook``
(instead of ``jupyter lab``) on the same kind of throw-away copy of the notebooks and opens
``/notebooks/PATH``. It is skipped, with the reason, when the ``notebook`` package is not
installed (``pip install -r requirements-browser.txt`` installs it)."""

import sys
import urllib.parse
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
EXPLORER = 1  # chapter 05's players in page order: the EWA widget, the explorer
CYCLE = ["rosenbrock", "saddle", "ravine"]


def _harness(config):
    """The module ``tests/browser/conftest.py`` as pytest loaded it (its classes, not a copy)."""
    for plugin in config.pluginmanager.get_plugins():
        if Path(getattr(plugin, "__file__", "") or "").resolve() == HERE / "conftest.py":
            return plugin
    raise RuntimeError("tests/browser/conftest.py is not loaded")


def _notebook_command():
    """``jupyter-notebook`` of the running interpreter's environment."""
    exe = Path(sys.executable).with_name("jupyter-notebook")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "notebook"]


@pytest.fixture(scope="module")
def notebook7_server(request, _browser_requirements):
    """A Jupyter Notebook 7 server on a throw-away copy of the notebooks (a ``LabServer``)."""
    pytest.importorskip("notebook", reason="Jupyter Notebook 7 is not installed "
                        "(pip install -r requirements-browser.txt installs notebook>=7,<8)")
    import notebook

    if int(notebook.__version__.split(".")[0]) != 7:
        pytest.skip(f"notebook {notebook.__version__} is installed; this test is for Notebook 7")
    harness = _harness(request.config)

    class NotebookServer(harness.LabServer):
        def command(self, settings, workspaces):
            # Notebook 7 takes its settings as LabServerApp's, not LabApp's
            return _notebook_command() + self.server_flags() + [
                f"--LabServerApp.workspaces_dir={workspaces}",
                f"--LabServerApp.user_settings_dir={settings}",
            ]

    server = NotebookServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def open_notebook7(request, browser, notebook7_server):
    """``open_notebook7(relpath) -> NotebookPage``: ``relpath`` open in Notebook 7's own page
    (``/notebooks/PATH``), kernel idle; the harness's ``NotebookPage`` API from there on."""
    harness = _harness(request.config)
    contexts = []

    def _open(relpath, timeout=90):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        nb = harness.NotebookPage(page, relpath, notebook7_server)
        page.goto(f"{notebook7_server.url}/notebooks/{urllib.parse.quote(relpath)}",
                  wait_until="domcontentloaded", timeout=timeout * 1000)
        nb.wait_for_idle_kernel(timeout)
        page.evaluate(harness._JS_LISTEN_CALLBACKS)
        return nb

    yield _open
    for context in contexts:
        try:
            context.close()
        except Exception:
            pass
    notebook7_server.shutdown_sessions()


def test_explorer_plays_in_notebook7(open_notebook7, record_property):
    from playwright.sync_api import expect  # imported here: `make test` runs without Playwright

    nb = open_notebook7("chapters/05_optimizers.ipynb")
    # Notebook 7's own page, not JupyterLab's
    assert nb.page.evaluate("() => window.jupyterapp.name") == "Jupyter Notebook"
    nb.run_all(timeout=240)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() == 2, "two frame players (EWA, explorer)"

    explorer = nb.players().nth(EXPLORER)
    st = nb.wait_for_player(EXPLORER, frame=-1, playing=False)
    n = st["n"] - 1
    expect(explorer.locator(".cfp-readout")).to_have_text(f"step {n} / {n}")
    finished = nb.screenshot(nb.player_canvas(EXPLORER))

    nb.set_loop(EXPLORER)
    nb.press_play(EXPLORER)
    nb.wait_for_player(EXPLORER, playing=True)
    fps = nb.measure_fps(nb.player_canvas(EXPLORER), seconds=2.0, tries=3)
    print(f"\n[notebook 7] ch05 explorer while playing: {fps}")
    record_property("notebook7_explorer_fps", round(fps["fps"], 1))
    assert _plays_at_display_rate(fps), fps
    assert nb.screenshot(nb.player_canvas(EXPLORER)) != finished

    # one surface-menu change (while playing): the new configuration's finished race
    menu = nb.page.locator(".widget-dropdown select").filter(
        has=nb.page.locator("option", has_text="saddle"))
    assert menu.input_value() == "ravine"
    pictures = []
    for surface in ("saddle", "ravine"):
        last = nb.player_state(EXPLORER)["scene"]
        menu.select_option(surface)
        st = nb.wait_for_player(EXPLORER, after_scene=last, frame=-1, playing=False, timeout=30)
        n = st["n"] - 1
        expect(explorer.locator(".cfp-readout")).to_have_text(f"step {n} / {n}")
        pictures.append(nb.screenshot(nb.player_canvas(EXPLORER)))
    assert pictures[0] != finished, "the saddle's race looks like the ravine's"
    assert pictures[1] == finished, "back on the ravine: not the race the notebook first showed"
    assert nb.error_outputs() == []


def _plays_at_display_rate(fps):
    """>= 50 distinct pictures a second, or (a display ticking slower) a new one on >= 90% of
    the ticks."""
    if fps["ticks"] / fps["seconds"] >= 50:
        return fps["fps"] >= 50
    return fps["distinct"] >= 0.9 * fps["ticks"]


@pytest.mark.parametrize("chapter", ["01_perceptron", "04a_backprop", "05b_generalization",
                                     "07_convolution", "08_attention"])
def test_chapter_widgets_play_in_notebook7(open_notebook7, chapter, record_property):
    """The other widget chapters run clean in Notebook 7 and each frame player plays."""
    nb = open_notebook7(f"chapters/{chapter}.ipynb")
    nb.run_all(timeout=240)
    assert nb.error_outputs() == []
    assert nb.stderr_outputs() == []
    assert nb.players().count() >= 1
    for i in range(nb.players().count()):
        st = nb.wait_for_player(i)
        if st["n"] < 2:
            continue
        before = nb.screenshot(nb.player_canvas(i))
        nb.set_loop(i)
        nb.press_play(i)
        nb.wait_for_player(i, playing=True)
        fps = nb.measure_fps(nb.player_canvas(i), seconds=1.5, tries=3)
        print(f"\n[notebook 7] {chapter} player {i} while playing: {fps}")
        record_property(f"notebook7_{chapter}_{i}_fps", round(fps["fps"], 1))
        assert _plays_at_display_rate(fps), fps
        assert nb.screenshot(nb.player_canvas(i)) != before
        nb.players().nth(i).get_by_role("button", name="Play").click()  # pause
        nb.wait_for_player(i, playing=False)
    assert nb.error_outputs() == []
