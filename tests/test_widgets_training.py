"""The training animation runs headless: frames update the artists in place; the static grid draws."""

import matplotlib
import numpy as np
import pytest

from course_lib import data
from course_lib.layers import Dense, ReLU, Sequential
from course_lib.losses import CrossEntropyLoss
from course_lib.training import Snapshots, fit
from course_lib.widgets import TrainingAnimation, snapshot_grid

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def trained():
    X, y = data.spiral(30, 3, rng=0)
    model = Sequential(Dense(2, 32, rng=1), ReLU(), Dense(32, 3, rng=2))
    snaps = Snapshots(X, resolution=30)
    history = fit(model, CrossEntropyLoss(), X, y, epochs=40, lr=0.5, callbacks=[snaps], every=5)
    return snaps, X, y, history


def test_frame_update_changes_artists_in_place(trained):
    snaps, X, y, history = trained
    w = TrainingAnimation(snaps, X, y, history)
    assert w.n_frames == len(snaps) == 9
    image, title = w.image, w.title
    first = np.array(image.get_array())
    assert len(w.loss_marker.get_xdata()) == 0           # epoch 0 has no loss yet
    w.slider.value = w.n_frames - 1                        # the slider drives the frame
    assert w.image is image and w.title is title           # same artists, new data
    np.testing.assert_array_equal(image.get_array(), snaps.grids[-1])
    assert not np.array_equal(first, image.get_array())
    assert title.get_text().startswith("Decision boundary, epoch 40 (accuracy")
    assert list(w.loss_marker.get_xdata()) == [40]
    assert list(w.loss_marker.get_ydata()) == [history.loss[-1]]
    assert list(w.acc_marker.get_ydata()) == [history.accuracy[-1]]
    w.show(2)
    assert w.index == 2 and "epoch 10" in title.get_text()
    w.show(99)                                             # clipped to the last frame
    assert w.index == w.n_frames - 1


def test_controls_and_display(trained):
    snaps, X, y, history = trained
    w = TrainingAnimation(snaps, X, y)
    assert w.play.max == w.slider.max == w.n_frames - 1
    assert repr(w) == "TrainingAnimation(9 frames, epochs 0..40)"
    bundle = w._repr_mimebundle_()
    assert "text/plain" in bundle and "0x" not in bundle["text/plain"]
    assert len(w.axes) == 3 and all(ax.get_title() for ax in w.axes)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in w.axes)


def test_empty_snapshots_raise():
    X, y = data.spiral(10, 3, rng=0)
    with pytest.raises(ValueError, match="empty"):
        TrainingAnimation(Snapshots(X), X, y)
    with pytest.raises(ValueError, match="empty"):
        snapshot_grid(Snapshots(X), X, y)


def test_snapshot_grid(trained):
    snaps, X, y, _ = trained
    fig = snapshot_grid(snaps, X, y, n=4, ncols=2)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titled[0] == "epoch 0" and titled[-1].startswith("epoch 40, acc")
    assert len(titled) == 4
    fig = snapshot_grid(snaps, X, y, n=5, ncols=3)        # 5 panels in a 2 x 3 grid: one left empty
    assert sum(ax.axison for ax in fig.axes) == 5
