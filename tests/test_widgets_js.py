"""The page's JavaScript, run under Node (skipped without ``node``): its data -> pixel mapping
equals ``Scene.to_pixels`` (itself checked against matplotlib's transforms), its binary buffers
decode to the scene's arrays, and its in-between frames interpolate as documented."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from course_lib.widgets._player_js import PLAYER_JS
from course_lib.widgets.base import Scene, static_figure

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run_js(tmp_path, body):
    """Run ``body`` (which prints one JSON line) with the player module's helpers in scope."""
    (tmp_path / "player.mjs").write_text(PLAYER_JS)
    script = ("import { mapper, pointsAt, decode } from './player.mjs';\n"
              "const dv = (b64) => { const u = Uint8Array.from(Buffer.from(b64, 'base64'));\n"
              "  return new DataView(u.buffer); };\n" + body)
    (tmp_path / "run.mjs").write_text(script)
    out = subprocess.run([NODE, str(tmp_path / "run.mjs")], capture_output=True, text=True,
                         timeout=30, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def scene():
    fig = static_figure((6, 4))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.set(xlim=(-2, 3), ylim=(0, 10))
    ax2.set_yscale("log")
    ax2.set(xlim=(0, 100), ylim=(1e-3, 10))
    s = Scene(fig)
    s.trail(ax1, np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0]]), np.array([1, 2, 3]))
    s.points(ax2, np.array([[[10.0, 1e-2]], [[20.0, 1e-1]], [[30.0, 1.0]]]))
    s.to_state()
    return s, ax1, ax2


def test_page_maps_data_to_pixels_like_python(tmp_path, scene):
    s, ax1, ax2 = scene
    rng = np.random.default_rng(0)
    pts1 = np.column_stack([rng.uniform(-2, 3, 10), rng.uniform(0, 10, 10)])
    pts2 = np.column_stack([rng.uniform(0, 100, 10), 10 ** rng.uniform(-3, 1, 10)])
    axes = [s.axes_state(ax1), s.axes_state(ax2)]
    got = run_js(tmp_path, f"""
const axes = {json.dumps(axes)};
const pts = [{json.dumps(pts1.tolist())}, {json.dumps(pts2.tolist())}];
const out = axes.map((a, i) => {{ const m = mapper(a);
  return pts[i].map(([x, y]) => {{ const px = [m.x(x), m.y(y)];
    return [...px, ...m.inverse(px[0], px[1])]; }}); }});
console.log(JSON.stringify(out));""")
    for i, (ax, pts) in enumerate(((ax1, pts1), (ax2, pts2))):
        got_i = np.array(got[i])
        np.testing.assert_allclose(got_i[:, :2], s.to_pixels(ax, pts), atol=1e-9)
        np.testing.assert_allclose(got_i[:, 2:], pts, rtol=1e-9)     # a click maps back


def test_page_decodes_buffers_and_interpolates_frames(tmp_path, scene):
    import base64

    s, _, _ = scene
    layers = []
    for layer in s.layers:
        layers.append({k: (base64.b64encode(v).decode() if isinstance(v, bytes) else v)
                       for k, v in layer.items() if not k.startswith("_")})
    got = run_js(tmp_path, f"""
const raw = {json.dumps(layers)};
for (const l of raw) for (const k of ['xy', 'start', 'stop']) l[k] = dv(l[k]);
const S = decode({{layers: raw, n_frames: 3, axes: []}});
const [trail, head] = S.layers;
const arr = (a) => Array.from(a);
console.log(JSON.stringify({{
  trail0: arr(pointsAt(trail, 0, 3)), trail1: arr(pointsAt(trail, 1, 3)),
  trailHalf: arr(pointsAt(trail, 0.5, 3)),      // a growing path: its next point on its way
  headQuarter: arr(pointsAt(head, 1.25, 3)),    // same count: every point interpolated
  headEnd: arr(pointsAt(head, 2.9, 3)),         // no frame after the last: the last frame
}}));""")
    assert got["trail0"] == [0, 1]
    assert got["trail1"] == [0, 1, 1, 3]
    np.testing.assert_allclose(got["trailHalf"], [0, 1, 0.5, 2])
    np.testing.assert_allclose(got["headQuarter"], [22.5, 0.1 + 0.25 * 0.9], rtol=1e-6)
    np.testing.assert_allclose(got["headEnd"], [30, 1], rtol=1e-6)
