"""PerceptronWidget, headless: its frames and layers, the learning-rate slider (one update),
Reset, the static snapshot, repr."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.data import linearly_separable  # noqa: E402
from course_lib.perceptron import Perceptron  # noqa: E402
from course_lib.widgets import PerceptronWidget  # noqa: E402
from course_lib.widgets.base import RUN_HINT  # noqa: E402
from course_lib.widgets.perceptron import boundary_segments, plot_epochs  # noqa: E402


@pytest.fixture
def widget():
    X, y = linearly_separable(50, margin=0.1, rng=0)
    return PerceptronWidget(X, y, lr=0.01, rng=1)


def _layer(widget, kind, i=0):
    return [layer for layer in widget.player.scene["layers"] if layer["kind"] == kind][i]


def _points(layer, k):
    xy = np.frombuffer(layer["xy"], np.float32).reshape(-1, 2)
    a, b = (int(np.frombuffer(layer[key], np.int32)[k]) for key in ("start", "stop"))
    return xy[a:b]


def test_frames_follow_the_history(widget):
    n = len(widget.model.history)
    assert len(widget.frames) == widget.player.n_frames == n >= 5
    assert widget.frames.n_wrong[-1] == 0 and widget.frames.n_wrong[0] > 0
    assert widget.player.scene["labels"][0] == f"epoch 0 / {n - 1}"
    assert widget.player.frame == 0 and widget.player.fps == 2.0


def test_every_epoch_is_in_the_layers(widget):
    f = widget.frames
    image = _layer(widget, "image")
    shade = np.frombuffer(image["data"], np.uint8).reshape(image["shape"])
    np.testing.assert_array_equal(shade, f.shade)                       # class per grid cell
    line, marker = _layer(widget, "line", 0), _layer(widget, "line", 1)
    for k in (0, 3, len(f) - 1):
        np.testing.assert_allclose(_points(line, k), f.segments[k], rtol=1e-6)
        rings = _points(_layer(widget, "points"), k)
        assert len(rings) == f.n_wrong[k]
        np.testing.assert_allclose(rings, widget.X[f.wrong[:, k]], rtol=1e-6)
        assert np.all(_points(marker, k)[:, 0] == k)                   # the epoch marker
    texts = _layer(widget, "text")["texts"]
    assert texts[3].startswith("epoch 3/")
    assert texts[0].endswith(f"{f.n_wrong[0]} on the wrong side")


def test_last_frame_line_separates_the_classes(widget):
    (x0, y0), (x1, y1) = _points(_layer(widget, "line"), len(widget.frames) - 1)
    X, y = widget.X, widget.y
    side = (x1 - x0) * (X[:, 1] - y0) - (y1 - y0) * (X[:, 0] - x0)     # cross product sign
    assert len(np.unique(np.sign(side[y == 1]))) == 1 and len(np.unique(np.sign(side[y == 0]))) == 1
    assert np.sign(side[y == 1][0]) != np.sign(side[y == 0][0])
    assert len(_points(_layer(widget, "points"), len(widget.frames) - 1)) == 0


def test_changing_lr_recomputes_every_frame_in_one_update(widget, monkeypatch):
    widget.player.seek(4)
    old_frames = widget.frames
    sent = []
    monkeypatch.setattr(widget.player, "_send", lambda msg, buffers=None: sent.append(msg))
    widget.lr_slider.value = 1.0
    assert len(sent) == 1 and {"scene", "frame"} <= set(sent[0]["state"])
    assert widget.lr == 1.0 and widget.frames is not old_frames
    expected = Perceptron().fit(widget.X, widget.y, epochs=30, lr=1.0, rng=1)
    assert len(widget.frames) == len(expected.history) != len(old_frames)
    assert widget.player.n_frames == len(expected.history)
    assert np.allclose(widget.frames.W[-1], expected.w)
    assert widget.player.frame == 0
    assert "lr = 1" in widget.ax_mistakes.get_title()


def test_reset_goes_back_to_epoch_zero(widget):
    widget.player.seek(5)
    widget.player.playing = True
    widget.reset_button.click()
    assert widget.player.frame == 0 and not widget.player.playing


def test_snapshot_shows_the_epoch(widget):
    fig = widget.scene.snapshot(2)
    assert any(t.get_text().startswith("epoch 2/") for t in widget.ax.texts)
    assert fig is widget.fig


def test_repr_and_mimebundle_have_no_address(widget):
    assert repr(widget) == "PerceptronWidget(lr=0.01, epochs=11, converged)"
    bundle = widget._repr_mimebundle_()
    assert bundle["text/plain"].splitlines() == [repr(widget), RUN_HINT]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "0x" not in bundle["text/plain"]


def test_rejects_non_2d_points_and_wrong_labels():
    with pytest.raises(ValueError, match=r"expected X of shape \(N, 2\)"):
        PerceptronWidget(np.ones((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match=r"expected y of shape \(5,\), got \(4,\)"):
        PerceptronWidget(np.ones((5, 2)), np.zeros(4))


def test_boundary_segments():
    seg = boundary_segments(np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 2.0]]),
                            np.array([-1.0, 1.0, -2.0]))
    assert seg.shape == (3, 2, 2)
    for p in seg[0]:
        assert np.isclose(p[0] + p[1] - 1.0, 0.0)                  # on x1 + x2 = 1
    assert np.isnan(seg[1]).all()                                    # w = 0: no line
    assert np.allclose(seg[2][:, 1], 1.0)                            # 2 x2 - 2 = 0: horizontal


def test_plot_epochs_draws_the_requested_epochs():
    X, y = linearly_separable(50, margin=0.1, rng=0)
    fig, axes = plt.subplots(1, 3)
    model = plot_epochs(axes, X, y, [0, 2, -1], rng=1)
    last = len(model.history) - 1
    assert [ax.get_title().split(":")[0] for ax in axes] == ["epoch 0", "epoch 2", f"epoch {last}"]
    assert axes[-1].get_title().endswith("0 on the wrong side")
    assert axes[0].get_legend() is not None and axes[1].get_legend() is None
    plt.close(fig)
