"""The widget base: Scene (frames, pixel mapping, styles), FramePlayer (one synced update, what
Python hears from the page) and CourseWidget (container, repr, stored text), headless."""

import ipywidgets as W
import matplotlib as mpl
import numpy as np
import pytest

from course_lib.plots import STYLE
from course_lib.widgets.base import RUN_HINT, CourseWidget, FramePlayer, Scene, static_figure


def _figure(yscale="linear", layout=None):
    fig = static_figure((6.0, 4.0))
    if layout:
        fig.set_layout_engine(layout)
    with mpl.rc_context(STYLE):
        ax1, ax2 = fig.subplots(1, 2)
    ax1.set(xlim=(-2, 3), ylim=(0, 10), title="left", xlabel="x", ylabel="y")
    ax2.set_yscale(yscale)
    ax2.set(xlim=(0, 100), ylim=(1e-3, 10) if yscale == "log" else (-1, 1), title="right")
    return fig, ax1, ax2


def _mpl_pixels(fig, ax, xy):
    """matplotlib's own transform, flipped to the page's top-left origin."""
    d = ax.transData.transform(np.asarray(xy, dtype=np.float64))
    return np.column_stack([d[:, 0], fig.get_size_inches()[1] * fig.dpi - d[:, 1]])


@pytest.mark.parametrize("yscale, layout", [("linear", None), ("log", "constrained"),
                                            ("log", None)])
def test_pixel_mapping_matches_matplotlib_transforms(yscale, layout):
    fig, ax1, ax2 = _figure(yscale, layout)
    scene = Scene(fig)
    scene.points(ax1, np.zeros((2, 1, 2)))
    scene.points(ax2, np.ones((2, 1, 2)))
    state = scene.to_state()          # runs the layout engine first
    rng = np.random.default_rng(0)
    xy1 = np.column_stack([rng.uniform(-2, 3, 20), rng.uniform(0, 10, 20)])
    ys = 10 ** rng.uniform(-3, 1, 20) if yscale == "log" else rng.uniform(-1, 1, 20)
    xy2 = np.column_stack([rng.uniform(0, 100, 20), ys])
    np.testing.assert_allclose(scene.to_pixels(ax1, xy1), _mpl_pixels(fig, ax1, xy1), atol=1e-6)
    np.testing.assert_allclose(scene.to_pixels(ax2, xy2), _mpl_pixels(fig, ax2, xy2), atol=1e-6)
    # the axes box the page gets is matplotlib's window extent, top-left origin
    H = fig.get_size_inches()[1] * fig.dpi
    for a, ax in zip(state["axes"], (ax1, ax2)):
        bb = ax.get_window_extent()
        np.testing.assert_allclose(a["box"], [bb.x0, H - bb.y1, bb.width, bb.height], atol=1e-6)
    assert state["axes"][1]["yscale"] == yscale
    assert (state["width"], state["height"]) == (480.0, 320.0)   # 6 x 4 inches at 80 dpi


def test_pixel_mapping_corners_and_inverted_axis():
    fig, ax1, _ = _figure()
    ax1.set_ylim(10, 0)                            # inverted: larger y is lower on the page
    scene = Scene(fig)
    scene.text(ax1, ["a"])
    scene.to_state()
    left, top, w, h = scene.axes_state(ax1)["box"]
    px = scene.to_pixels(ax1, [[-2, 10], [3, 0]])
    np.testing.assert_allclose(px, [[left, top + h], [left + w, top]])


def test_unsupported_scale_is_a_clear_error():
    fig, ax1, _ = _figure()
    ax1.set_xscale("symlog")
    scene = Scene(fig)
    scene.text(ax1, ["a"])
    with pytest.raises(ValueError, match="linear and log"):
        scene.to_state()


def _arrays(layer):
    return (np.frombuffer(layer["xy"], np.float32).reshape(-1, 2),
            np.frombuffer(layer["start"], np.int32), np.frombuffer(layer["stop"], np.int32))


def test_line_frames_as_array_and_as_ragged_list():
    fig, ax, _ = _figure()
    scene = Scene(fig)
    frames = np.arange(3 * 4 * 2, dtype=np.float64).reshape(3, 4, 2)
    xy, start, stop = _arrays(scene.line(ax, frames))
    np.testing.assert_array_equal(xy, frames.reshape(-1, 2))
    np.testing.assert_array_equal(start, [0, 4, 8])
    np.testing.assert_array_equal(stop, [4, 8, 12])
    ragged = [np.zeros((0, 2)), [[1.0, 2.0]], [[3.0, 4.0], [5.0, np.nan]]]
    xy, start, stop = _arrays(scene.line(ax, ragged))
    np.testing.assert_array_equal(start, [0, 0, 1])
    np.testing.assert_array_equal(stop, [0, 1, 3])
    np.testing.assert_array_equal(xy[:2], [[1, 2], [3, 4]])
    assert np.isnan(xy[2, 1])                      # NaN survives: it breaks the line in the page
    assert len(scene) == 3
    assert repr(scene) == "Scene(3 frames: line, line)"


def test_trail_stores_the_path_once():
    fig, ax, _ = _figure()
    scene = Scene(fig)
    path = np.column_stack([np.arange(5.0), np.arange(5.0) ** 2])
    layer = scene.trail(ax, path, np.array([1, 2, 3, 5]))
    xy, start, stop = _arrays(layer)
    np.testing.assert_array_equal(xy, path)
    np.testing.assert_array_equal(start, [0, 0, 0, 0])
    np.testing.assert_array_equal(stop, [1, 2, 3, 5])
    pts = scene.trail(ax, path, np.array([0, 1, 4, 4]), kind="points", color="red")
    assert pts["kind"] == "points" and pts["color"] == "rgba(255, 0, 0, 1)"


@pytest.mark.parametrize("call, error, match", [
    (lambda s, ax: s.line(ax, np.zeros((3, 4))), ValueError, r"\(F, n, 2\)"),
    (lambda s, ax: s.line(ax, "abc"), TypeError, "got str"),
    (lambda s, ax: s.points(ax, [np.zeros((2, 2)), np.zeros((3, 3))]), ValueError, "frame 1"),
    (lambda s, ax: s.trail(ax, np.zeros((4, 2)), np.array([1, 5])), ValueError, "0..4"),
    (lambda s, ax: s.trail(ax, np.zeros((4, 2)), np.array([0.5])), ValueError, "integers"),
    (lambda s, ax: s.trail(ax, np.zeros((4, 3)), np.array([1])), ValueError, r"\(P, 2\)"),
    (lambda s, ax: s.trail(ax, np.zeros((4, 2)), np.array([1]), kind="bars"), ValueError, "kind"),
    (lambda s, ax: s.image(ax, np.zeros((4, 4)), (0, 1, 0, 1)), ValueError, r"\(F, H, W\)"),
    (lambda s, ax: s.image(ax, np.full((1, 2, 2), 2), (0, 1, 0, 1), colors=["r", "b"]),
     ValueError, "0..1"),
    (lambda s, ax: s.image(ax, np.zeros((1, 2, 2)), (0, 1, 0)), ValueError, "extent"),
    (lambda s, ax: s.line(ax, np.zeros((0, 3, 2))), ValueError, "at least one frame"),
])
def test_layer_arguments_are_checked(call, error, match):
    fig, ax, _ = _figure()
    with pytest.raises(error, match=match):
        call(Scene(fig), ax)


def test_every_layer_must_have_the_same_number_of_frames():
    fig, ax, _ = _figure()
    scene = Scene(fig, labels=["a", "b", "c"])
    scene.text(ax, ["1", "2", "3"])
    with pytest.raises(ValueError, match="expected 3 frames .* got 2"):
        scene.points(ax, np.zeros((2, 1, 2)))


def test_scene_needs_a_figure_and_axes_of_it():
    with pytest.raises(TypeError, match="Figure"):
        Scene("not a figure")
    fig, ax, _ = _figure()
    other, ax_other, _ = _figure()
    with pytest.raises(ValueError, match="another figure"):
        Scene(fig).text(ax_other, ["a"])


def test_styles_follow_matplotlib_units():
    fig, ax, _ = _figure()
    scene = Scene(fig)
    (line,) = ax.plot([], [], color="#0072B2", lw=3, ls="--", zorder=4)
    st = scene.line(ax, np.zeros((1, 2, 2)), like=line)
    assert st["color"] == "rgba(0, 114, 178, 1)"
    assert st["width"] == pytest.approx(3 * 80 / 72)            # points -> pixels at 80 dpi
    assert st["dash"] == pytest.approx([3.7 * st["width"], 1.6 * st["width"]], abs=1e-3)
    assert st["zorder"] == 4
    sc = ax.scatter([], [], s=100, facecolors="none", edgecolors="#D55E00", linewidths=1.5)
    pt = scene.points(ax, np.zeros((1, 2, 2)), like=sc)
    assert pt["color"] == "none" and pt["edgecolor"] == "rgba(213, 94, 0, 1)"
    assert pt["radius"] == pytest.approx(10 / 2 * 80 / 72)      # sqrt(s) is the diameter in pt
    assert pt["edgewidth"] == pytest.approx(1.5 * 80 / 72)
    (dot,) = ax.plot([], [], "s", ms=8, color="green", markeredgecolor="white", alpha=0.5)
    pt = scene.points(ax, np.zeros((1, 1, 2)), like=dot)
    assert pt["marker"] == "s" and pt["radius"] == pytest.approx(4 * 80 / 72)
    assert pt["color"] == "rgba(0, 128, 0, 0.5)" and pt["edgecolor"] == "rgba(255, 255, 255, 0.5)"
    tx = scene.text(ax, ["x"], size=9, background="white")
    assert tx["size"] == pytest.approx(10.0) and tx["background"] == "rgba(255, 255, 255, 1)"


def test_image_classes_and_colormap():
    fig, ax, _ = _figure()
    scene = Scene(fig)
    classes = np.array([[[0, 1], [1, 0]], [[1, 1], [0, 0]]])
    layer = scene.image(ax, classes, (-2, 3, 0, 10), colors=["#0072B2", "#E69F00"], alpha=0.3)
    assert layer["shape"] == [2, 2, 2]
    np.testing.assert_array_equal(np.frombuffer(layer["data"], np.uint8), classes.ravel())
    assert layer["palette"] == [[0, 114, 178, 255], [230, 159, 0, 255]]
    floats = np.array([[[0.0, 0.5], [1.0, np.nan]]])
    scene2 = Scene(fig)
    layer = scene2.image(ax, floats, (0, 1, 0, 1), cmap="viridis", vmin=0.0, vmax=2.0)
    np.testing.assert_array_equal(np.frombuffer(layer["data"], np.uint8), [0, 64, 127, 255])
    assert layer["palette"][255] == [0, 0, 0, 0]               # NaN is transparent
    expected = np.round(mpl.colormaps["viridis"](np.linspace(0, 1, 255))[127] * 255)
    assert layer["palette"][127] == list(expected.astype(int))


def test_backdrop_is_a_png_at_hidpi_and_has_no_moving_layers():
    fig, ax, _ = _figure()
    scene = Scene(fig, hidpi=2)
    scene.points(ax, np.full((1, 1, 2), 1.0), color="red", size=400)
    png = scene.to_state()["backdrop"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = mpl.image.imread(__import__("io").BytesIO(png))
    assert img.shape[:2] == (640, 960)                          # 2 x (320, 480)
    red = (img[..., 0] > 0.9) & (img[..., 1] < 0.2) & (img[..., 2] < 0.2)
    assert not red.any(), "an animated layer leaked into the static backdrop"


def test_snapshot_draws_the_frame_with_matplotlib_and_replaces_the_last_one():
    fig, ax, _ = _figure()
    scene = Scene(fig)
    scene.trail(ax, np.column_stack([np.arange(4.0), np.arange(4.0)]), np.array([1, 2, 4]))
    scene.text(ax, ["a", "b", "c"])
    scene.image(ax, np.zeros((3, 2, 2)), (0, 1, 0, 1), colors=["w"])
    n_lines, n_texts = len(ax.lines), len(ax.texts)
    scene.snapshot(1)
    assert len(ax.lines) == n_lines + 1 and len(ax.texts) == n_texts + 1
    np.testing.assert_array_equal(ax.lines[-1].get_xydata(), [[0, 0], [1, 1]])
    assert ax.texts[-1].get_text() == "b"
    scene.snapshot(-1)                                           # replaces, does not pile up
    assert len(ax.lines) == n_lines + 1 and len(ax.images) == 1
    np.testing.assert_array_equal(ax.lines[-1].get_xydata()[:, 0], [0, 1, 2, 3])
    assert ax.texts[-1].get_text() == "c"


# --------------------------------------------------------------------------------- player

def _scene(n=5, label="a"):
    fig, ax, _ = _figure()
    scene = Scene(fig, labels=[f"{label}{k}" for k in range(n)], clickable=[ax])
    scene.points(ax, np.arange(n * 2, dtype=float).reshape(n, 1, 2))
    return scene


class _Sent:
    """Records every message the widget sends to the page."""

    def __init__(self, player, monkeypatch):
        self.messages = []
        monkeypatch.setattr(player, "_send", lambda msg, buffers=None:
                            self.messages.append((msg, list(buffers or []))))


def test_player_state_and_repr():
    player = FramePlayer(_scene(5), fps=12, frame=-1)
    assert player.n_frames == 5 and player.frame == 4 and player.fps == 12
    assert repr(player) == "FramePlayer(5 frames: points)"
    assert player.scene["labels"][2] == "a2"
    with pytest.raises(ValueError, match="fps"):
        FramePlayer(_scene(), fps=0)
    assert FramePlayer().n_frames == 0


def test_show_replaces_everything_in_one_synced_update(monkeypatch):
    player = FramePlayer(_scene(5))
    sent = _Sent(player, monkeypatch)
    new = _scene(9, label="b")
    scene_id = player.show(new, frame=-1)
    assert len(sent.messages) == 1, "a recompute must reach the page as ONE message"
    msg, buffers = sent.messages[0]
    assert msg["method"] == "update"
    assert {"scene", "frame"} <= set(msg["state"])
    assert msg["state"]["frame"] == 8 and player.frame == 8
    assert player.scene["id"] == scene_id > 1
    # the arrays travel as binary buffers, not JSON: backdrop, xy, start, stop
    assert len(buffers) == 4
    assert player.current is new


def test_show_can_change_the_speed_in_the_same_update(monkeypatch):
    player = FramePlayer(_scene(5), fps=10)
    sent = _Sent(player, monkeypatch)
    player.show(_scene(50), frame=0, fps=40)
    assert len(sent.messages) == 1 and sent.messages[0][0]["state"]["fps"] == 40.0
    with pytest.raises(ValueError, match="fps must be > 0"):
        player.show(_scene(5), fps=-1)


def test_show_the_same_frame_still_sends_one_message_that_carries_it(monkeypatch):
    player = FramePlayer(_scene(5), frame=4)
    sent = _Sent(player, monkeypatch)
    player.show(_scene(5), frame=4)                # the trait is unchanged ...
    assert len(sent.messages) == 1
    state = sent.messages[0][0]["state"]
    assert "frame" not in state                    # ... so it does not travel, but the scene
    assert state["scene"]["frame"] == 4 and state["scene"]["playing"] is False   # says it


def test_pause_from_the_page_updates_python_without_an_echo(monkeypatch):
    player = FramePlayer(_scene(6))
    heard = []
    player.on_frame(heard.append)
    sent = _Sent(player, monkeypatch)
    sid = player.scene["id"]
    player._handle_custom_msg({"type": "pause", "scene": sid, "frame": 3}, [])
    assert heard == [3] and player.frame == 3 and not player.playing
    assert sent.messages == [], "the page already shows frame 3: nothing goes back"
    player._handle_custom_msg({"type": "seek", "scene": sid, "frame": 99}, [])
    assert heard == [3, 5] and player.frame == 5                # clipped to the last frame


def test_messages_about_a_replaced_scene_are_ignored():
    player = FramePlayer(_scene(6))
    old = player.scene["id"]
    player.show(_scene(6), frame=-1)
    heard = []
    player.on_frame(heard.append)
    player._handle_custom_msg({"type": "pause", "scene": old, "frame": 0}, [])
    assert heard == [] and player.frame == 5        # the late pause did not rewind the new race
    player._handle_custom_msg("not a dict", [])


def test_clicks_arrive_in_data_coordinates():
    player = FramePlayer(_scene(3))
    clicks = []
    player.on_click(lambda i, x, y: clicks.append((i, x, y)))
    player._handle_custom_msg({"type": "click", "scene": player.scene["id"], "frame": 0,
                               "axes": 0, "x": 1.5, "y": -0.25}, [])
    assert clicks == [(0, 1.5, -0.25)]
    assert player.scene["axes"][0]["clickable"] is True


def test_play_pause_and_seek_from_python(monkeypatch):
    player = FramePlayer(_scene(4))
    sent = _Sent(player, monkeypatch)
    player.play()
    assert player.playing
    assert any(m.get("method") == "custom" and m["content"] == {"type": "play"}
               for m, _ in sent.messages)
    player.seek(-2)
    assert (player.frame, player.playing) == (2, False)
    assert sent.messages[-1][0]["content"] == {"type": "seek", "frame": 2}
    player.pause()
    assert sent.messages[-1][0]["content"] == {"type": "pause"}


# ----------------------------------------------------------------------------- the base

class _Demo(CourseWidget):
    def __init__(self):
        self.player = FramePlayer(_scene(3))
        self.slider = W.IntSlider(description="n")
        self._assemble(self.player, [[self.slider], W.Label("row")])

    def _repr_state(self):
        return "n=3"


def test_course_widget_container_repr_and_stored_text():
    demo = _Demo()
    assert isinstance(demo.box, W.VBox) and demo.widget is demo.box
    assert demo.box.children[0] is demo.player
    row = demo.box.children[1]
    assert isinstance(row, W.HBox) and row.children == (demo.slider,)
    assert repr(demo) == "_Demo(n=3)"
    bundle = demo._repr_mimebundle_()
    assert bundle["text/plain"] == f"_Demo(n=3)\n{RUN_HINT}"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "run this cell" in RUN_HINT
    with pytest.raises(NotImplementedError, match="_Demo must implement draw"):
        demo.draw()


def test_course_widget_without_assemble_says_so():
    class Empty(CourseWidget):
        pass

    assert repr(Empty()) == "Empty()"
    with pytest.raises(RuntimeError, match="_assemble"):
        Empty()._repr_mimebundle_()


def test_the_es_module_is_shipped_inside_the_package():
    from course_lib.widgets import _player_js

    js = _player_js.PLAYER_JS
    assert "export default { render }" in js
    assert "requestAnimationFrame" in js
    assert "http" not in js.replace("https://html.spec", ""), "nothing is fetched at run time"
    assert 'aria-label": "Play"' in js
