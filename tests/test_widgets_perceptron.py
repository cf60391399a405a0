"""PerceptronWidget, headless: frames, in-place updates, the learning-rate slider, Reset, repr."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.data import linearly_separable  # noqa: E402
from course_lib.perceptron import Perceptron  # noqa: E402
from course_lib.widgets import PerceptronWidget  # noqa: E402
from course_lib.widgets.perceptron import boundary_segments, plot_epochs  # noqa: E402


@pytest.fixture
def widget():
    X, y = linearly_separable(50, margin=0.1, rng=0)
    w = PerceptronWidget(X, y, lr=0.01, rng=1)
    yield w
    plt.close(w.fig)


def test_frames_follow_the_history(widget):
    n = len(widget.model.history)
    assert len(widget.frames) == n >= 5
    assert widget.slider.max == widget.play.max == n - 1
    assert widget.frames.n_wrong[-1] == 0 and widget.frames.n_wrong[0] > 0


def test_moving_the_slider_updates_artists_in_place(widget):
    line, wrong, shade = widget.art["line"], widget.art["wrong"], widget.art["shade"]
    before = (line.get_xydata().copy(), wrong.get_offsets().copy(), shade.get_array().copy(),
              widget.ax.get_title())
    widget.slider.value = 3
    assert widget.art["line"] is line and widget.art["wrong"] is wrong     # same artists
    assert not np.allclose(line.get_xydata(), before[0])
    assert len(wrong.get_offsets()) == widget.frames.n_wrong[3] != len(before[1])
    assert not np.array_equal(shade.get_array(), before[2])
    assert widget.ax.get_title().startswith("epoch 3/") and widget.ax.get_title() != before[3]
    assert widget.marker.get_xdata()[0] == 3


def test_last_frame_line_separates_the_classes(widget):
    widget.slider.value = widget.slider.max
    (x0, y0), (x1, y1) = widget.art["line"].get_xydata()
    X, y = widget.X, widget.y
    side = (x1 - x0) * (X[:, 1] - y0) - (y1 - y0) * (X[:, 0] - x0)     # cross product sign
    assert len(np.unique(np.sign(side[y == 1]))) == 1 and len(np.unique(np.sign(side[y == 0]))) == 1
    assert len(widget.art["wrong"].get_offsets()) == 0


def test_changing_lr_recomputes_every_frame(widget):
    widget.slider.value = 4
    old_frames, old_line = widget.frames, widget.updates_line.get_xydata().copy()
    widget.lr_slider.value = 1.0
    assert widget.lr == 1.0 and widget.frames is not old_frames
    expected = Perceptron().fit(widget.X, widget.y, epochs=30, lr=1.0, rng=1)
    assert len(widget.frames) == len(expected.history) != len(old_frames)
    assert np.allclose(widget.frames.W[-1], expected.w)
    assert widget.slider.value == 0 and widget.slider.max == len(expected.history) - 1
    assert not np.array_equal(widget.updates_line.get_xydata(), old_line)
    assert widget.ax.get_title().startswith("epoch 0/")
    assert "lr = 1" in widget.ax_mistakes.get_title()


def test_reset_goes_back_to_epoch_zero(widget):
    widget.slider.value = 5
    widget.play.playing = True
    widget.reset_button.click()
    assert widget.slider.value == 0 and widget.play.value == 0 and not widget.play.playing
    assert widget.ax.get_title().startswith("epoch 0/")


def test_repr_and_mimebundle_have_no_address(widget):
    assert repr(widget) == "PerceptronWidget(lr=0.01, epochs=11, converged)"
    bundle = widget._repr_mimebundle_()
    assert bundle["text/plain"] == repr(widget)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "0x" not in repr(widget)


def test_rejects_non_2d_points():
    with pytest.raises(ValueError, match=r"expected X of shape \(N, 2\)"):
        PerceptronWidget(np.ones((5, 3)), np.zeros(5))


def test_boundary_segments():
    seg = boundary_segments(np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 2.0]]), np.array([-1.0, 1.0, -2.0]))
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
