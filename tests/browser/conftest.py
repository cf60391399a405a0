"""Browser tests: the course's notebooks in JupyterLab, in Debian's Chromium, through Playwright.

Run them with ``make test-browser`` (or ``.venv/bin/python -m pytest tests/browser -m browser -v``).
``make test`` deselects them (``-m "not browser"``) and works without Playwright or Chromium:
Playwright is imported only inside the fixtures. Every test collected under ``tests/browser/`` is
marked ``browser`` automatically (a chapter's file should still say
``pytestmark = pytest.mark.browser``).

The browser is ``/usr/bin/chromium`` (``apt-get install chromium``), headless; a browser is never
downloaded (never run ``playwright install``). Without it the browser tests are skipped with the
reason, except when the environment variable ``CI`` is set: then they fail, so CI cannot skip
them silently.

What runs
---------
One JupyterLab server and one Chromium per test session (``lab_server``, ``browser``). The server's
root is a throw-away copy of the repo's ``chapters/``, ``solutions/`` and ``exercises/`` in a temp
dir, with autosave off, so nothing is ever written into the repo. Its config, runtime, data,
IPython, settings and workspace dirs are temp dirs too; the "news" notification is off; notebooks
render every cell (``windowingMode: none``) so off-screen widgets exist in the page.

Fixtures
--------
``open_notebook(relpath, timeout=90) -> NotebookPage``
    Opens e.g. ``"chapters/01_perceptron.ipynb"`` (path relative to the repo root) in a fresh page
    and waits until its kernel is connected and idle. At the end of the test the page is closed and
    the kernel shut down. Call it more than once in a test to open several notebooks.

``NotebookPage``
    ``run_all(timeout=120)``
        Clears the outputs, runs every cell (``notebook:run-all-cells``), and waits until every
        non-empty code cell has an execution count, the kernel is idle, and the page shows every
        image and widget output with every ipympl canvas and frame player drawn
        (``wait_for_outputs()``). Raises ``NotebookRunError`` with the error outputs (or the page's
        visible error text) if the run stops at an error or does not finish in ``timeout`` s.
    ``canvases()``
        Locator of the ipympl figure canvases, one per figure
        (``.jupyter-matplotlib-figure canvas:first-of-type``: each figure also has a transparent
        canvas on top for the zoom rectangle, which never changes).
    ``screenshot(locator_or_index=0) -> bytes``
        PNG bytes of a locator (or of ``canvases().nth(i)`` for an int). Compare two of them with
        ``!=`` to see that a figure changed.
    ``press_play(index=0)``
        Clicks the play button of the ``index``-th ``Play`` widget (``.widget-play``).
    ``pause(index=0)``
        Clicks its pause button.
    ``set_slider(index, value)``
        Moves the ``index``-th ``.widget-slider`` to ``value`` with the arrow keys (focus on its
        handle), as a learner would; waits until the readout shows ``value``.
    ``slider_value(index=0) -> str``
        The readout text of the ``index``-th slider.
    ``error_outputs() -> list[str]``
        ``"Name: message"`` for every error output, plus exceptions raised in widget callbacks
        since the notebook opened (``"widget callback: Name: message"``; JupyterLab shows them
        only in its log console) and widget views that failed to render ("Error displaying
        widget"). Call it again after pressing Play to catch a failing ``observe`` handler.
    ``stderr_outputs() -> list[str]``
        The text of every stderr stream output (warnings).
    ``wait_for_change(locator_or_index, before, timeout=10) -> bytes``
        Polls screenshots until one differs from ``before`` (returns it) or fails the test.
    ``.page``
        The Playwright ``Page``; ``.relpath``; ``.server`` (the ``LabServer``).

Frame players (``course_lib.widgets.base.FramePlayer``, the browser-side animations)
    ``players()``
        Locator of the frame players (``.course-frame-player``), one per widget, in page order.
        ``player_canvas(i)`` is the ``i``-th one's canvas (a locator: pass it to ``screenshot``).
    ``press_play(index=0)``
        Clicks the button whose accessible name contains "Play" in the ``index``-th frame player;
        on a page without frame players, the ``index``-th ipywidgets ``Play``.
    ``player_state(index=0) -> dict``
        What the ``index``-th player shows: ``{"frame", "scene", "playing", "ready", "n"}``
        (ints; ``scene`` counts the kernel's updates, ``ready`` is 1 once the backdrop image is
        drawn, ``n`` is the number of frames). While it plays, ``frame`` follows the canvas
        only 4 times a second (a DOM change costs a long notebook a layout pass).
    ``wait_for_player(index=0, after_scene=None, frame=None, playing=None, timeout=15) -> dict``
        Polls ``player_state`` until the scene id is > ``after_scene``, the frame is ``frame``
        (negative: from the end, e.g. -1 the finished race) and ``playing`` matches; then waits
        two animation frames so the page has painted it. Fails the test on timeout.
    ``kernel_print(code, timeout=30) -> str``
        Runs ``code`` in the notebook's kernel outside any cell and returns what it printed
        (e.g. ``nb.kernel_print("print(player.frame)")``: what Python heard from the page).
    ``set_loop(index=0, on=True)``
        Ticks the player's Loop checkbox (so a measurement window never meets the last frame).
    ``measure_fps(locator_or_index=0, seconds=2.0, tries=1) -> dict``
        Measures IN THE PAGE how many distinct pictures a canvas shows per second: on every
        ``requestAnimationFrame`` tick it hashes the pixels of a half-size copy of the canvas
        (every pixel of a full-size read-back slowed a long notebook's page down) and counts the
        ticks whose hash differs from the tick before. Returns ``{"fps", "distinct",
        "ticks", "seconds", "max_gap_ms"}`` (``ticks / seconds`` is the display rate, ~60 in
        headless Chromium;
        ``max_gap_ms`` the longest time without a change). With ``tries=3`` it keeps the best of
        three windows (``"all"`` lists them): on a shared, loaded machine a window can lose
        ticks to other processes; ``distinct == ticks`` shows the widget itself missed none.
        Use it while the widget plays (Loop on), kernel idle; an animated widget must show
        ``fps >= 50``::

            nb.set_loop(0)
            nb.press_play(0)
            fps = nb.measure_fps(nb.player_canvas(0), seconds=1.5, tries=3)
            record_property("fps", round(fps["fps"], 1))
            assert fps["fps"] >= 50, fps

A chapter's browser test, for reference::

    import pytest

    pytestmark = pytest.mark.browser

    def test_training_widget_animates(open_notebook, record_property):
        nb = open_notebook("chapters/01_perceptron.ipynb")
        nb.run_all()
        assert nb.error_outputs() == []
        start = nb.wait_for_player(0, frame=0, playing=False)
        before = nb.screenshot(nb.player_canvas(0))
        nb.set_loop(0)
        nb.press_play(0)
        nb.wait_for_player(0, playing=True)
        fps = nb.measure_fps(nb.player_canvas(0), seconds=1.5, tries=3)
        record_property("fps", round(fps["fps"], 1))
        assert fps["fps"] >= 50, fps
        assert nb.screenshot(nb.player_canvas(0)) != before
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
NOTEBOOK_FOLDERS = ("chapters", "solutions", "exercises")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 90

#: JupyterLab user settings for the test server: no news or update notification (nor its "fetch
#: the news?" question), no toasts, no autosave, every cell rendered (no windowing).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {
        "autosave": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
    },
}
CANVAS_SELECTOR = ".jupyter-matplotlib-figure canvas:first-of-type"
PLAYER_SELECTOR = ".course-frame-player"


# ---------------------------------------------------------------------------------------- marks

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing(reason):
    """Skip a browser test with ``reason``, or fail it under CI (env ``CI`` set)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must not be skipped)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _browser_requirements():
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed "
                 "(pip install -r requirements-browser.txt)")


# ------------------------------------------------------------------------------------- server

def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_command():
    """``jupyter-lab`` of the running interpreter's environment (the course's .venv)."""
    exe = Path(sys.executable).with_name("jupyter-lab")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "jupyterlab"]


def _snapshot(root):
    """``{relpath: (mtime_ns, size)}`` of every notebook in the notebook folders under ``root``."""
    out = {}
    for folder in NOTEBOOK_FOLDERS:
        for p in sorted((root / folder).glob("*.ipynb")):
            st = p.stat()
            out[f"{folder}/{p.name}"] = (st.st_mtime_ns, st.st_size)
    return out


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving a throw-away copy of the course's notebooks."""

    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="course-browser-"))
        self.root = self.tmp / "root"
        self.port = None
        self.proc = None
        self.log_path = self.tmp / "jupyter.log"
        self.repo_snapshot = {}
        self.opened = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _copy_notebooks(self):
        self.root.mkdir()
        self.repo_snapshot = _snapshot(REPO)
        ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
        for folder in NOTEBOOK_FOLDERS:
            src = REPO / folder
            if src.is_dir():
                shutil.copytree(src, self.root / folder, ignore=ignore)
            else:
                (self.root / folder).mkdir()

    def _env(self):
        env = dict(os.environ)
        for name in ("MPLBACKEND", "JUPYTER_PATH", "JUPYTER_PREFER_ENV_PATH", "JUPYTER_TOKEN"):
            env.pop(name, None)
        for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                          ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython")):
            path = self.tmp / sub
            path.mkdir(exist_ok=True)
            env[name] = str(path)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        # no scheme or proxy surprises for a local server
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        return env

    def _write_settings(self):
        settings = self.tmp / "settings"
        for rel, values in LAB_SETTINGS.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
        workspaces = self.tmp / "workspaces"
        workspaces.mkdir(exist_ok=True)
        return settings, workspaces

    def server_flags(self):
        """The Jupyter server's flags, whatever the front end: this port and root, no token."""
        return ["--no-browser", "--allow-root", f"--port={self.port}", "--port-retries=0",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={self.root}",
                "--IdentityProvider.token=", "--ServerApp.password=",
                "--ServerApp.disable_check_xsrf=True", "--ServerApp.open_browser=False",
                "--expose-app-in-browser"]

    def command(self, settings, workspaces):
        """The server's command line: JupyterLab here; a subclass may start another front end."""
        return _lab_command() + self.server_flags() + [
            f"--LabApp.workspaces_dir={workspaces}",
            f"--LabApp.user_settings_dir={settings}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]

    def start(self, attempts=3):
        self._copy_notebooks()
        settings, workspaces = self._write_settings()
        last_error = None
        for _ in range(attempts):
            self.port = _free_port()
            cmd = self.command(settings, workspaces)
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(cmd, cwd=self.root, env=self._env(), stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
            log.close()
            try:
                self._wait_until_up()
                return self
            except RuntimeError as exc:
                last_error = exc
                self.stop()
        raise last_error

    def _wait_until_up(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"jupyter lab did not answer on {self.url} within "
                           f"{SERVER_START_TIMEOUT} s:\n{self.log_tail()}")

    def log_tail(self, n=40):
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])

    def api(self, method, path, timeout=10):
        req = urllib.request.Request(f"{self.url}{path}", method=method)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self, relpath=None):
        """Shut down the kernels of all sessions (or of the session of ``relpath``)."""
        try:
            sessions = self.api("GET", "/api/sessions")
        except (urllib.error.URLError, OSError):
            return
        for s in sessions:
            if relpath is None or s.get("path") == relpath:
                try:
                    self.api("DELETE", f"/api/sessions/{s['id']}", timeout=20)
                except (urllib.error.URLError, OSError):
                    pass

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.shutdown_sessions()
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def lab_server(_browser_requirements):
    """The session's JupyterLab server (a ``LabServer``: ``.url``, ``.root``,
    ``.repo_snapshot``)."""
    server = LabServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


# ------------------------------------------------------------------------------------ browser

@pytest.fixture(scope="session")
def browser(_browser_requirements):
    """The session's headless Debian Chromium (a Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


class NotebookRunError(AssertionError):
    """A notebook did not open or run to the end in the browser."""


_JS_STATE = """(path) => {
  const app = window.jupyterapp;
  if (!app) return {phase: 'no app'};
  const w = app.shell.currentWidget;
  if (!w || !w.context || w.context.path !== path || !w.content || !w.content.widgets)
    return {phase: 'no notebook'};
  const sc = w.sessionContext;
  const kernel = sc && sc.session && sc.session.kernel;
  let total = 0, pending = 0;
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    if (!cell.model.sharedModel.getSource().trim()) continue;
    total += 1;
    if (cell.model.executionCount === null || cell.model.executionCount === undefined) pending += 1;
  }
  const run = window.__courseRunAll || null;
  return {
    phase: kernel ? 'kernel' : 'no kernel',
    ready: !!(w.context.isReady && sc && sc.isReady),
    connection: kernel ? kernel.connectionStatus : null,
    status: kernel ? kernel.status : null,
    total, pending,
    runDone: run ? run.done : null,
    runError: run ? run.error : null,
  };
}"""

_JS_ERRORS = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  const out = {errors: [], stderr: []};
  if (!w || !w.content || !w.content.widgets) return out;
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const outputs = cell.model.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs.get(i).toJSON();
      if (o.output_type === 'error') out.errors.push(`${o.ename}: ${o.evalue}`);
      else if (o.output_type === 'stream' && o.name === 'stderr')
        out.stderr.push(Array.isArray(o.text) ? o.text.join('') : o.text);
    }
  }
  for (const e of window.__courseCallbackErrors || []) out.errors.push('widget callback: ' + e);
  const bad = new RegExp('Error displaying widget|Failed to load model class|Error rendering|' +
                         'Model not found|Could not render', 'i');
  for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
    const text = (el.innerText || '').trim();
    const isText = el.classList.contains('jp-RenderedText') || el.querySelector('.jp-RenderedText');
    if (bad.test(text) && !isText)
      out.errors.push('widget view: ' + text.slice(0, 300));
  }
  return out;
}"""

#: collect the kernel's errors and stderr that belong to no cell: an exception in a widget
#: callback (an ``observe`` handler) reaches JupyterLab as an iopub ``error`` message whose parent
#: is a ``comm_msg``; JupyterLab shows it only in its log console.
_JS_LISTEN_CALLBACKS = r"""() => {
  if (window.__courseCallbackErrors) return;
  window.__courseCallbackErrors = [];
  const w = window.jupyterapp.shell.currentWidget;
  w.sessionContext.iopubMessage.connect((_, msg) => {
    const parent = msg.parent_header && msg.parent_header.msg_type;
    if (!parent || parent === 'execute_request') return;
    const kind = msg.header.msg_type;
    if (kind === 'error')
      window.__courseCallbackErrors.push(`${msg.content.ename}: ${msg.content.evalue}`);
    else if (kind === 'stream' && msg.content.name === 'stderr') {
      // Benign start-up race: JupyterLab's widget manager asks for ipywidgets' control comm
      // before the kernel has imported ipywidgets; the kernel logs these two lines and carries on.
      const text = msg.content.text.trim();
      const benign = new RegExp('^(No such comm target registered: jupyter\\.widget\\.control|' +
                                'No such comm: [0-9a-f-]+)$');
      const lines = text.split('\n').filter((line) => !benign.test(line.trim()));
      if (lines.length) window.__courseCallbackErrors.push(`stderr: ${lines.join('\n')}`);
    }
  });
}"""

#: how far the page has rendered the notebook's outputs: image and widget outputs in the model
#: against those in the page, ipympl figures still blank, and a fingerprint to see it settle
_JS_RENDERED = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const out = {images: 0, imagesShown: 0, widgets: 0, widgetsShown: 0, figures: 0, blank: 0};
  if (!w || !w.content || !w.content.widgets) return out;
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const outputs = cell.model.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const data = outputs.get(i).toJSON().data || {};
      if ('application/vnd.jupyter.widget-view+json' in data) out.widgets += 1;
      else if ('image/png' in data || 'image/jpeg' in data) out.images += 1;
    }
  }
  const root = w.content.node;
  for (const img of root.querySelectorAll('.jp-RenderedImage img'))
    if (img.complete && img.naturalWidth > 0) out.imagesShown += 1;
  // a widget output is a Lumino Panel that the widget manager fills (or fills with its error)
  for (const el of root.querySelectorAll('.jp-OutputArea-output.lm-Panel'))
    if (el.children.length || (el.textContent || '').trim()) out.widgetsShown += 1;
  for (const fig of root.querySelectorAll('.jupyter-matplotlib-figure')) {
    out.figures += 1;
    const c = fig.querySelector('canvas');
    if (!c || !c.width || !c.height) { out.blank += 1; continue; }
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let drawn = false;
    for (let i = 3; i < data.length; i += 4 * 97) { if (data[i] !== 0) { drawn = true; break; } }
    if (!drawn) out.blank += 1;
  }
  for (const p of root.querySelectorAll('.course-frame-player')) {
    out.figures += 1;
    if (p.dataset.ready !== '1') out.blank += 1;
  }
  out.nodes = root.getElementsByTagName('*').length;
  return out;
}"""


#: distinct pictures per second on a canvas, measured in the page (see ``measure_fps``)
_JS_MEASURE_FPS = """async ([canvas, ms]) => {
  // read a half-size copy (a quarter of the pixels; a moved marker still changes it): reading
  // a full-size canvas back every tick would itself slow a long notebook's page down
  const copy = document.createElement('canvas');
  copy.width = Math.ceil(canvas.width / 2);
  copy.height = Math.ceil(canvas.height / 2);
  const ctx = copy.getContext('2d', {willReadFrequently: true});
  const hash = () => {
    ctx.clearRect(0, 0, copy.width, copy.height);
    ctx.drawImage(canvas, 0, 0, copy.width, copy.height);
    const px = new Uint32Array(ctx.getImageData(0, 0, copy.width, copy.height).data.buffer);
    let h = 0;
    for (let i = 0; i < px.length; i += 1) h = (Math.imul(h, 31) + px[i]) | 0;
    return h;
  };
  let last = hash(), distinct = 0, ticks = 0, lastChange = performance.now(), maxGap = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const h = hash(), now = performance.now();
    ticks += 1;
    if (h !== last) {
      distinct += 1; last = h;
      maxGap = Math.max(maxGap, now - lastChange); lastChange = now;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  maxGap = Math.max(maxGap, performance.now() - lastChange);
  return {fps: distinct / seconds, distinct, ticks, seconds, max_gap_ms: maxGap};
}"""

_JS_PLAYER_STATE = """(el) => ({frame: Number(el.dataset.frame), scene: Number(el.dataset.scene),
  playing: Number(el.dataset.playing), ready: Number(el.dataset.ready),
  n: (() => {
    const r = el.querySelector('input[type=range]');
    return r ? Number(r.max) + 1 : 0;
  })()})
"""


_JS_KERNEL_PRINT = """async ([code, ms]) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type;
    if (t === 'stream') out += msg.content.text;
    else if (t === 'error') out += `ERROR ${msg.content.ename}: ${msg.content.evalue}`;
  };
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
  await Promise.race([future.done, timeout]);
  return out;
}"""


class NotebookPage:
    """One notebook open in JupyterLab in its own page (see the module docstring for the API)."""

    def __init__(self, page, relpath, server):
        self.page = page
        self.relpath = relpath
        self.server = server
        self.console = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    # ------------------------------------------------------------------------------- state
    def _state(self):
        try:
            return self.page.evaluate(_JS_STATE, self.relpath)
        except Exception as exc:  # e.g. "Execution context was destroyed" while the page loads
            if self.page.is_closed():
                raise
            return {"phase": f"page not ready ({type(exc).__name__})"}

    def _visible_errors(self):
        try:
            found = self.page.evaluate(_JS_ERRORS)
            texts = found["errors"] + [f"stderr: {t.strip()}" for t in found["stderr"]]
        except Exception as exc:  # the page may be gone
            texts = [f"(could not read the outputs: {exc})"]
        try:
            dialogs = self.page.locator(".jp-Dialog").all_inner_texts()
            texts += [f"dialog: {d.strip()}" for d in dialogs]
        except Exception:
            pass
        return texts

    def _fail(self, what, state=None):
        details = "\n".join(f"  {t}" for t in self._visible_errors()) or "  (no error output)"
        console = "\n".join(f"  {c}" for c in self.console[-10:]) or "  (none)"
        log = "" if details.strip() and "run stopped" in what else \
            f"\nserver log (tail):\n{self.server.log_tail(15)}"
        raise NotebookRunError(f"{self.relpath}: {what}\n  state: {state}\nvisible errors:\n"
                               f"{details}\nbrowser console (last 10):\n{console}{log}")

    def _wait(self, predicate, timeout, what, interval=0.2):
        deadline = time.monotonic() + timeout
        state = None
        while True:
            state = self._state()
            verdict = predicate(state)
            if verdict is True:
                return state
            if isinstance(verdict, str):  # an early failure
                self._fail(verdict, state)
            if time.monotonic() > deadline:
                self._fail(f"{what} (timed out after {timeout} s)", state)
            time.sleep(interval)

    def wait_for_idle_kernel(self, timeout=90):
        """Wait until the notebook is open and its kernel is connected and idle."""
        return self._wait(lambda s: s.get("phase") == "kernel" and s["ready"]
                          and s["connection"] == "connected" and s["status"] == "idle",
                          timeout, "the kernel did not become ready (status bar never said Idle)")

    def open(self, timeout=90):
        self.page.goto(f"{self.server.url}/lab/tree/{urllib.parse.quote(self.relpath)}?reset",
                       wait_until="domcontentloaded", timeout=timeout * 1000)
        self.wait_for_idle_kernel(timeout)
        self.page.evaluate(_JS_LISTEN_CALLBACKS)
        return self

    # --------------------------------------------------------------------------------- run
    def run_all(self, timeout=120):
        """Clear all outputs, run all cells, wait for every code cell and for the kernel."""
        self.page.evaluate("""async () => {
          const app = window.jupyterapp;
          window.__courseRunAll = {done: false, error: null, result: null};
          await app.commands.execute('notebook:clear-all-cell-outputs');
          app.commands.execute('notebook:run-all-cells').then(
            (r) => { window.__courseRunAll.done = true; window.__courseRunAll.result = r; },
            (e) => { window.__courseRunAll.done = true; window.__courseRunAll.error = String(e); });
        }""")

        def finished(s):
            if s.get("phase") != "kernel":
                return False
            if s["runError"]:
                return f"run-all failed: {s['runError']}"
            if s["status"] in ("dead", "unknown") or s["connection"] == "disconnected":
                return f"the kernel died (status {s['status']}, {s['connection']})"
            if not s["runDone"] or s["status"] != "idle":
                return False
            if s["pending"]:
                return (f"the run stopped: {s['pending']} of {s['total']} code cells "
                        f"were not executed")
            return True

        start = time.monotonic()
        state = self._wait(finished, timeout, "not all cells finished")
        remaining = max(timeout - (time.monotonic() - start), 15)
        self.wait_for_outputs(timeout=min(remaining, 30))
        return state

    def wait_for_outputs(self, timeout=30):
        """Wait until the page shows every image and widget output, every ipympl figure has drawn
        something, and the page has stopped changing (3 identical looks, 0.2 s apart)."""
        deadline = time.monotonic() + timeout
        last, same = None, 0
        while True:
            found = self.page.evaluate(_JS_RENDERED)
            done = (found["imagesShown"] >= found["images"]
                    and found["widgetsShown"] >= found["widgets"] and found["blank"] == 0)
            same = same + 1 if done and found == last else 0
            if same >= 2:
                return found
            if time.monotonic() > deadline:
                self._fail("the outputs were not all shown (images, widgets, ipympl figures)",
                           found)
            last = found
            time.sleep(0.2)

    # ----------------------------------------------------------------------------- widgets
    def canvases(self):
        """Locator of the ipympl figure canvases, one per figure (each figure has two canvases,
        the image and a transparent one on top for the zoom rectangle: this is the first)."""
        return self.page.locator(CANVAS_SELECTOR)

    def _resolve(self, target):
        return self.canvases().nth(target) if isinstance(target, int) else target

    def screenshot(self, locator=0):
        """PNG bytes of ``locator`` (or of the ``locator``-th ipympl canvas)."""
        loc = self._resolve(locator)
        loc.scroll_into_view_if_needed(timeout=10_000)
        return loc.screenshot(timeout=15_000)

    def wait_for_change(self, locator, before, timeout=10.0):
        """Screenshots of ``locator`` until one differs from ``before``; returns it, or fails."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.screenshot(locator)
            if now != before:
                return now
            if time.monotonic() > deadline:
                self._fail(f"the figure did not change within {timeout} s")
            time.sleep(0.2)

    def press_play(self, index=0):
        """Click the "Play" button of the ``index``-th frame player (else the ``index``-th
        ipywidgets Play widget's play button)."""
        if self.players().count():
            button = self.players().nth(index).get_by_role("button", name="Play")
        else:
            button = self.page.locator(".widget-play").nth(index).locator("button").first
        button.scroll_into_view_if_needed(timeout=10_000)
        button.click(timeout=10_000)

    # ------------------------------------------------------------------------ frame players
    def players(self):
        """Locator of the frame players (``course_lib.widgets.base.FramePlayer``)."""
        return self.page.locator(PLAYER_SELECTOR)

    def player_canvas(self, index=0):
        """The canvas of the ``index``-th frame player."""
        return self.players().nth(index).locator("canvas").first

    def player_state(self, index=0):
        """``{"frame", "scene", "playing", "ready", "n"}`` of the ``index``-th frame player."""
        return self.players().nth(index).evaluate(_JS_PLAYER_STATE)

    def wait_for_player(self, index=0, after_scene=None, frame=None, playing=None, timeout=15.0):
        """Wait until the ``index``-th player shows a scene newer than ``after_scene`` at
        ``frame`` (negative: from the end) with ``playing`` as given; returns its state."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.player_state(index)
            want = None if frame is None else (frame if frame >= 0 else st["n"] + frame)
            if (st["ready"] == 1 and (after_scene is None or st["scene"] > after_scene)
                    and (want is None or st["frame"] == want)
                    and (playing is None or st["playing"] == int(bool(playing)))):
                # two animation frames: the page has painted what its data attributes say
                self.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => "
                                   "requestAnimationFrame(r)))")
                return st
            if time.monotonic() > deadline:
                self._fail(f"frame player {index} did not reach scene > {after_scene}, frame "
                           f"{frame}, playing {playing} within {timeout} s (now {st})")
            time.sleep(0.05)

    def kernel_print(self, code, timeout=30.0):
        """Run ``code`` in the notebook's kernel outside any cell; returns what it printed
        (an exception comes back as ``"ERROR Name: message"``). Nothing lands in the notebook."""
        return self.page.evaluate(_JS_KERNEL_PRINT, [code, float(timeout) * 1000])

    def measure_fps(self, locator=0, seconds=2.0, tries=1):
        """Distinct pictures per second on a canvas, measured in the page (module docstring);
        with ``tries > 1``, the best of that many windows (``"all"``: every window's fps)."""
        loc = self.player_canvas(locator) if isinstance(locator, int) else locator
        handle = loc.element_handle(timeout=10_000)
        runs = [self.page.evaluate(_JS_MEASURE_FPS, [handle, float(seconds) * 1000])
                for _ in range(max(int(tries), 1))]
        best = max(runs, key=lambda r: r["fps"])
        return {**best, "all": [round(r["fps"], 1) for r in runs]}

    def set_loop(self, index=0, on=True):
        """Tick (or untick) the ``index``-th frame player's Loop checkbox."""
        box = self.players().nth(index).get_by_role("checkbox", name="Loop")
        if box.is_checked() != on:
            box.click()

    def pause(self, index=0):
        """Click the pause button of the ``index``-th Play widget."""
        button = self.page.locator(".widget-play").nth(index).locator("button").nth(1)
        button.click(timeout=10_000)

    def slider_value(self, index=0):
        """The readout text of the ``index``-th slider."""
        return self.page.locator(".widget-slider").nth(index).locator(".widget-readout") \
            .inner_text(timeout=10_000).strip()

    def set_slider(self, index, value, timeout=20.0):
        """Move the ``index``-th slider to ``value`` with the arrow keys on its handle."""
        slider = self.page.locator(".widget-slider").nth(index)
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed(timeout=10_000)
        handle.focus(timeout=10_000)
        deadline = time.monotonic() + timeout
        target = float(value)
        while True:
            current = float(self.slider_value(index))
            if abs(current - target) < 1e-9:
                return
            key = "ArrowRight" if target > current else "ArrowLeft"
            handle.press(key)
            after_deadline = time.monotonic() + 5
            while float(self.slider_value(index)) == current:
                if time.monotonic() > after_deadline:
                    raise AssertionError(f"slider {index} is stuck at {current} (wanted {value})")
                time.sleep(0.02)
            now = float(self.slider_value(index))
            if (now - target) * (current - target) < 0:
                raise AssertionError(f"slider {index} cannot take the value {value} "
                                     f"(steps from {current} to {now})")
            if time.monotonic() > deadline:
                raise AssertionError(f"slider {index} did not reach {value} in {timeout} s")

    # ----------------------------------------------------------------------------- outputs
    def error_outputs(self):
        """Error outputs, widget-callback exceptions and widget views that failed to render."""
        return list(self.page.evaluate(_JS_ERRORS)["errors"])

    def stderr_outputs(self):
        """The text of each stderr stream output."""
        return list(self.page.evaluate(_JS_ERRORS)["stderr"])

    def __repr__(self):
        return f"NotebookPage({self.relpath!r})"


@pytest.fixture
def open_notebook(browser, lab_server):
    """``open_notebook(relpath, timeout=90) -> NotebookPage`` (see the module docstring)."""
    contexts, opened = [], []

    def _open(relpath, timeout=90):
        relpath = str(relpath).replace(os.sep, "/").lstrip("/")
        if not (lab_server.root / relpath).exists():
            raise FileNotFoundError(f"{relpath} is not in the server root {lab_server.root} "
                                    f"(copied from the repo at the start of the session)")
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        nb = NotebookPage(page, relpath, lab_server)
        opened.append(relpath)
        lab_server.opened.append(relpath)
        return nb.open(timeout=timeout)

    yield _open
    for context in contexts:
        try:
            context.close()
        except Exception:
            pass
    for relpath in opened:
        lab_server.shutdown_sessions(relpath)
