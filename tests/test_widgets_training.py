"""The training animation, headless: every snapshot is a frame of the player's layers; the
static grid draws."""

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


def _layers(w, kind):
    return [layer for layer in w.player.scene["layers"] if layer["kind"] == kind]


def test_every_snapshot_is_a_frame(trained):
    snaps, X, y, history = trained
    w = TrainingAnimation(snaps, X, y, history)
    assert w.n_frames == len(snaps) == w.player.n_frames == 9
    (image,) = _layers(w, "image")
    grids = np.frombuffer(image["data"], np.uint8).reshape(image["shape"])
    np.testing.assert_array_equal(grids, snaps.grids)           # the class of every grid cell
    assert image["extent"] == list(snaps.extent) and len(image["palette"]) == 3
    loss, acc = (np.frombuffer(layer["xy"], np.float32).reshape(-1, 2)
                 for layer in _layers(w, "points"))
    assert np.isnan(loss[0, 1])                                  # epoch 0 has no loss yet
    np.testing.assert_allclose(loss[-1], [40, history.loss[-1]], rtol=1e-6)
    np.testing.assert_allclose(acc[-1], [40, history.accuracy[-1]], rtol=1e-6)
    (title,) = _layers(w, "text")
    assert title["texts"][-1].startswith("Decision boundary, epoch 40 (accuracy")
    assert title["texts"][0] == "Decision boundary, epoch 0"
    assert w.player.scene["labels"][2] == "epoch 10"
    # the loss panel is on a log scale and the page is told so
    assert w.player.scene["axes"][1]["yscale"] == "log"


def test_draw_seeks_and_clips(trained):
    snaps, X, y, history = trained
    w = TrainingAnimation(snaps, X, y, history)
    w.draw(2)
    assert w.index == 2 and not w.player.playing
    w.draw(99)                                             # clipped to the last frame
    assert w.index == w.n_frames - 1
    w.draw(-5)
    assert w.index == 0


def test_controls_and_display(trained):
    snaps, X, y, history = trained
    w = TrainingAnimation(snaps, X, y)
    assert repr(w) == "TrainingAnimation(9 frames, epochs 0..40)"
    bundle = w._repr_mimebundle_()
    assert bundle["text/plain"].startswith(repr(w) + "\n") and "0x" not in bundle["text/plain"]
    assert len(w.axes) == 3 and all(ax.get_title() for ax in w.axes)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in w.axes)
    fig = w.scene.snapshot(-1)
    assert any(t.get_text().startswith("Decision boundary, epoch 40") for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match=r"expected X \(N, 2\) and y \(N,\)"):
        TrainingAnimation(snaps, X[:, :1], y)


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
    fig = snapshot_grid(snaps, X, y, n=5, ncols=3)        # 5 panels in 2 x 3: one left empty
    assert sum(ax.axison for ax in fig.axes) == 5
