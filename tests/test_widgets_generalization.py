"""Chapter 05b's widget, headless: sweep's runs, the explorer's scene, slider redraws, errors."""

import numpy as np
import pytest

from course_lib import data
from course_lib.layers import Dense, ReLU, Sequential
from course_lib.losses import CrossEntropyLoss
from course_lib.optim import AdamW
from course_lib.training import History, Snapshots
from course_lib.widgets.base import RUN_HINT
from course_lib.widgets.generalization import GeneralizationExplorer, sweep

EPOCHS = 12


def make_model():
    rng = np.random.default_rng(0)
    return Sequential(Dense(2, 8, rng=rng), ReLU(), Dense(8, 3, rng=rng))


@pytest.fixture(scope="module")
def split():
    X, y = data.spiral(20, 3, noise=0.3, rng=0)
    X_tr, X_val, y_tr, y_val = data.train_test_split(X, y, test_size=0.5, rng=1)
    return X_tr, y_tr, X_val, y_val


@pytest.fixture(scope="module")
def runs(split):
    X_tr, y_tr, X_val, y_val = split
    return sweep(make_model, lambda m, wd: AdamW(m, lr=0.05, weight_decay=wd), [0.0, 0.0, 1.0],
                 X_tr, y_tr, X_val, y_val, loss_fn=CrossEntropyLoss(), epochs=EPOCHS,
                 at=[0, 1, 2, 4, 8, 12], resolution=10)


def test_sweep_runs(runs):
    assert [r["value"] for r in runs] == [0.0, 0.0, 1.0]
    for r in runs:
        h, s = r["history"], r["snapshots"]
        assert len(h) == EPOCHS and len(h.val_loss) == len(h.val_accuracy) == EPOCHS
        assert s.epochs == [0, 1, 2, 4, 8, 12] and s.grids.shape == (6, 10, 10)
    # every value starts from the same weights: equal values give equal runs, different ones differ
    assert runs[0]["history"].val_loss == runs[1]["history"].val_loss
    assert runs[0]["history"].val_loss != runs[2]["history"].val_loss
    np.testing.assert_array_equal(runs[0]["model"].params["0.W"], runs[1]["model"].params["0.W"])


def test_sweep_default_epochs_and_errors(split):
    X_tr, y_tr, X_val, y_val = split
    (run,) = sweep(make_model, lambda m, wd: AdamW(m, lr=0.05, weight_decay=wd), [0.1], X_tr,
                   y_tr, X_val, y_val, loss_fn=CrossEntropyLoss(), epochs=5, resolution=4)
    assert run["snapshots"].epochs == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="at least one value"):
        sweep(make_model, None, [], X_tr, y_tr, X_val, y_val, loss_fn=CrossEntropyLoss(),
              epochs=3)


def test_explorer_scene(runs, split):
    w = GeneralizationExplorer(runs, *split, name="weight decay", start=0)
    state = w.player.scene
    assert state["n_frames"] == 6 and w.player.frame == 5           # opens on the last epoch
    assert [layer["kind"] for layer in state["layers"]] == ["image", "line", "line", "points",
                                                            "text"]
    assert state["labels"] == ["epoch 0", "epoch 1", "epoch 2", "epoch 4", "epoch 8", "epoch 12"]
    image = state["layers"][0]
    grids = np.frombuffer(image["data"], dtype=np.uint8).reshape(image["shape"])
    np.testing.assert_array_equal(grids, runs[0]["snapshots"].grids)
    train_curve = state["layers"][1]
    ends = np.frombuffer(train_curve["stop"], dtype=np.int32)
    np.testing.assert_array_equal(ends, [0, 1, 2, 4, 8, 12])
    xy = np.frombuffer(train_curve["xy"], dtype=np.float32).reshape(-1, 2)
    np.testing.assert_allclose(xy[:, 1], runs[0]["history"].loss, rtol=1e-6)
    heads = np.frombuffer(state["layers"][3]["xy"], dtype=np.float32).reshape(6, 2, 2)
    np.testing.assert_allclose(heads[-1], [[12, runs[0]["history"].loss[-1]],
                                           [12, runs[0]["history"].val_loss[-1]]], rtol=1e-6)
    texts = state["layers"][4]["texts"]
    h = runs[0]["history"]
    assert texts[0] == "before training"
    assert texts[-1] == (f"epoch 12: train acc {h.accuracy[-1]:.0%}, "
                         f"val acc {h.val_accuracy[-1]:.0%}")
    assert state["backdrop"][:8] == b"\x89PNG\r\n\x1a\n"


def test_slider_redraws_one_update(runs, split):
    w = GeneralizationExplorer(runs, *split, start=0)
    first = w.player.scene["id"]
    w.player.frame = 0
    w.slider.value = 2
    assert w.player.scene["id"] == first + 1 and w.player.frame == 5
    grids = np.frombuffer(w.player.scene["layers"][0]["data"], dtype=np.uint8)
    np.testing.assert_array_equal(grids.reshape(6, 10, 10), runs[2]["snapshots"].grids)
    assert w.run is runs[2]
    assert repr(w) == "GeneralizationExplorer(3 runs of weight decay, 6 frames each, showing 1)"
    assert [label for label, _ in w.slider.options] == ["0", "0", "1"]


def test_display_and_snapshot(runs, split):
    w = GeneralizationExplorer(runs, *split, start=-1)
    assert w.slider.value == 2
    bundle = w._repr_mimebundle_()
    assert bundle["text/plain"] == f"{w!r}\n{RUN_HINT}"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    fig = w.scene.snapshot(-1)
    assert len(fig.axes) == 2 and fig.axes[0].get_title().startswith("Decision boundary")


def test_explorer_errors(split, runs):
    with pytest.raises(ValueError, match="at least one run"):
        GeneralizationExplorer([], *split)
    X_tr = split[0]
    bare = {"value": 0.0, "history": History(), "snapshots": Snapshots(X_tr, resolution=4)}
    with pytest.raises(ValueError, match="validation curve"):
        GeneralizationExplorer([bare], *split)
