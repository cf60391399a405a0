"""Chapter 08's AttentionPlayer: frames in, one image layer per head, stable repr, static frames."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.widgets.attention import AttentionPlayer  # noqa: E402
from course_lib.widgets.base import RUN_HINT  # noqa: E402


def _frames(n_frames=5, heads=2, t=4, seed=0):
    rng = np.random.default_rng(seed)
    e = np.exp(rng.normal(size=(n_frames, heads, t, t)))
    return e / e.sum(-1, keepdims=True)


def test_player_layers_hold_the_frames_per_head():
    frames = _frames()
    player = AttentionPlayer(frames, [0, 1, 2, 5, 9], [3, 1, 4, 1], title="reversing")
    state = player.player.scene
    assert state["n_frames"] == 5
    assert state["labels"] == ["step 0", "step 1", "step 2", "step 5", "step 9"]
    images = [layer for layer in state["layers"] if layer["kind"] == "image"]
    assert len(images) == 2
    for h, layer in enumerate(images):
        assert layer["shape"] == [5, 4, 4]
        idx = np.frombuffer(layer["data"], np.uint8).reshape(5, 4, 4)
        # row 0 of a scene image is drawn at the bottom: the widget flips so query 0 is on top
        np.testing.assert_array_equal(idx[:, ::-1], np.round(frames[:, h] * 254).astype(np.uint8))
        assert layer["extent"] == [-0.5, 3.5, -0.5, 3.5]
    assert repr(player) == "AttentionPlayer(5 frames, 2 heads, T=4)"
    assert player._repr_mimebundle_()["text/plain"] == f"{player!r}\n{RUN_HINT}"


def test_axes_labels_show_tokens_and_query_order():
    player = AttentionPlayer(_frames(), range(5), ["a", "b", "c", "d"])
    ax = player.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "2", "1", "0"]
    assert ax.get_title() == "attention: head 0" and ax.get_xlabel() and ax.get_ylabel()


def test_draw_rewinds_in_one_update():
    player = AttentionPlayer(_frames(), range(5), [0, 1, 2, 3])
    player.player.seek(3)
    assert player.player.frame == 3
    first = player.player.scene["id"]
    player.draw()
    assert player.player.frame == 0 and player.player.scene["id"] == first + 1


def test_snapshot_and_frames_figure():
    frames = _frames(n_frames=3, heads=1, t=3)
    player = AttentionPlayer(frames, [0, 4, 8], [7, 8, 9])
    fig = player.scene.snapshot(-1)
    assert fig is player.fig
    static = player.frames_figure([0, -1])
    axes = [a for a in static.axes if a.get_title()]
    assert [a.get_title() for a in axes] == ["head 0, step 0", "head 0, step 8"]
    assert all(a.get_xlabel() and a.get_ylabel() for a in axes)
    np.testing.assert_allclose(axes[1].get_images()[0].get_array(), frames[-1, 0])
    plt.close(static)


@pytest.mark.parametrize("frames, steps, tokens, match", [
    (np.zeros((3, 2, 4)), range(3), range(4), r"\(F, H, T, T\), got \(3, 2, 4\)"),
    (np.zeros((3, 2, 4, 5)), range(3), range(4), r"got \(3, 2, 4, 5\)"),
    (_frames(), range(4), range(4), "expected 5 steps"),
    (_frames(), range(5), range(3), "expected 4 tokens"),
])
def test_bad_inputs_are_readable(frames, steps, tokens, match):
    with pytest.raises(ValueError, match=match):
        AttentionPlayer(frames, steps, tokens)
