"""course_lib.training: fit reaches >= 95% on the spiral, History, callbacks, optimizers, errors."""

import numpy as np
import pytest

from course_lib import data
from course_lib.layers import Dense, Layer, ReLU, Sequential, Tanh
from course_lib.losses import CrossEntropyLoss, MSELoss
from course_lib.training import History, Snapshots, accuracy, fit, predict


def spiral_model(seed=1):
    rng = np.random.default_rng(seed)
    return Sequential(Dense(2, 64, rng=rng), ReLU(), Dense(64, 64, rng=rng), ReLU(),
                      Dense(64, 3, rng=rng))


def test_spiral_reaches_95_percent():
    X, y = data.spiral(100, 3, rng=0)
    model = spiral_model()
    history = fit(model, CrossEntropyLoss(), X, y, epochs=600, lr=0.5)
    assert history.accuracy[-1] >= 0.95
    assert accuracy(model.forward(X), y) >= 0.95
    assert history.loss[-1] < 0.5 * history.loss[0]


def test_spiral_minibatch_reaches_95_percent():
    X, y = data.spiral(100, 3, rng=0)
    history = fit(spiral_model(2), CrossEntropyLoss(), X, y, epochs=150, lr=0.2, batch_size=32,
                  rng=0)
    assert history.accuracy[-1] >= 0.95


def test_vertical_is_easy():
    X, y = data.vertical(100, 3, rng=0)
    model = Sequential(Dense(2, 16, rng=0), ReLU(), Dense(16, 3, rng=1))
    fit(model, CrossEntropyLoss(), X, y, epochs=300, lr=0.5)
    assert (predict(model, X) == y).mean() >= 0.9


def test_history_contents():
    X, y = data.spiral(20, 3, rng=0)
    h = fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=7, lr=0.1)
    assert isinstance(h, History) and len(h) == 7 and h.epochs == list(range(1, 8))
    assert len(h.accuracy) == 7 and all(0 <= a <= 1 for a in h.accuracy)
    assert all(isinstance(v, float) for v in h.loss)
    assert repr(h).startswith("History(epochs=7, loss=")
    assert repr(History()) == "History(epochs=0)"


def test_full_batch_fit_is_the_four_line_loop():
    X, y = data.spiral(20, 3, rng=0)
    a, b = spiral_model(3), spiral_model(3)
    h = fit(a, CrossEntropyLoss(), X, y, epochs=5, lr=0.3)
    loss_fn, losses = CrossEntropyLoss(), []
    for _ in range(5):
        losses.append(loss_fn(b.forward(X), y))
        b.backward(loss_fn.backward())
        for p, g in b.parameters():
            p -= 0.3 * g
    np.testing.assert_allclose(h.loss, losses, rtol=1e-12)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])


def test_minibatches_are_seeded():
    X, y = data.spiral(20, 3, rng=0)
    h1 = fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=3, batch_size=7, rng=5)
    h2 = fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=3, batch_size=7, rng=5)
    h3 = fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=3, batch_size=7, rng=6)
    assert h1.loss == h2.loss and h1.loss != h3.loss


@pytest.mark.parametrize("epochs, every, want", [(10, 3, [0, 3, 6, 9, 10]), (6, 1, list(range(7))),
                                                 (6, 2, [0, 2, 4, 6]), (4, 10, [0, 4])])
def test_callbacks_called_at_the_right_epochs(epochs, every, want):
    X, y = data.spiral(10, 3, rng=0)
    seen = []

    def cb(epoch, model, history):
        assert len(history) == epoch
        seen.append(epoch)
    fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=epochs, every=every, callbacks=[cb])
    assert seen == want


def test_snapshots_record_frames():
    X, y = data.spiral(30, 3, rng=0)
    snaps = Snapshots(X, resolution=20)
    h = fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=20, lr=0.5, callbacks=[snaps], every=5)
    assert snaps.epochs == [0, 5, 10, 15, 20]
    assert snaps.grids.shape == (5, 20, 20) and snaps.grids.dtype == np.int8
    assert set(np.unique(snaps.grids)) <= {0, 1, 2}
    assert np.isnan(snaps.loss[0]) and snaps.loss[-1] == h.loss[-1]
    assert snaps.accuracy[2] == h.accuracy[9]
    lo_x, hi_x, lo_y, hi_y = snaps.extent
    assert lo_x < X[:, 0].min() and hi_x > X[:, 0].max() and lo_y < X[:, 1].min()
    assert repr(snaps) == "Snapshots(5 frames, grid 20x20)"
    picky = Snapshots(X, resolution=5, at=[0, 1, 3, 7])
    fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=5, callbacks=[picky])
    assert picky.epochs == [0, 1, 3]
    with pytest.raises(ValueError, match="shape"):
        Snapshots(np.ones((5, 3)))
    with pytest.raises(ValueError, match="resolution"):
        Snapshots(X, resolution=1)


class CountingSGD:
    def __init__(self, model, lr):
        self.model, self.lr, self.steps, self.zeroed = model, lr, 0, 0

    def zero_grad(self):
        self.zeroed += 1
        self.model.zero_grad()

    def step(self):
        self.steps += 1
        for p, g in self.model.parameters():
            p -= self.lr * g


def test_optimizer_object_is_used():
    X, y = data.spiral(20, 3, rng=0)
    a, b = spiral_model(4), spiral_model(4)
    opt = CountingSGD(a, 0.3)
    h1 = fit(a, CrossEntropyLoss(), X, y, epochs=4, optimizer=opt, batch_size=16, rng=0)
    h2 = fit(b, CrossEntropyLoss(), X, y, epochs=4, lr=0.3, batch_size=16, rng=0)
    assert opt.steps == opt.zeroed == 4 * 4  # 60 samples, batches of 16: 4 per epoch
    np.testing.assert_allclose(h1.loss, h2.loss, rtol=1e-12)


def test_regression_targets_give_nan_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    t = X @ np.array([[1.0], [-2.0]])
    h = fit(Sequential(Dense(2, 8, rng=0), Tanh(), Dense(8, 1, rng=1)), MSELoss(), X, t,
            epochs=50, lr=0.05)
    assert np.isnan(h.accuracy).all() and h.loss[-1] < h.loss[0]


def test_progress_text_outside_a_notebook(capsys):
    X, y = data.spiral(10, 3, rng=0)
    fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=20, progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("epoch 20/20  loss ")
    fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=3)
    assert capsys.readouterr().out == ""


def test_divergence_is_reported():
    X, y = data.spiral(20, 3, rng=0)
    X[0, 0] = np.inf  # a stand-in for weights that blew up
    with pytest.raises(FloatingPointError, match="smaller learning rate"), \
            np.errstate(all="ignore"):
        fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=5, lr=0.1)


def test_accuracy_and_predict():
    y = np.array([0, 2, 1])
    assert accuracy(np.array([[3, 1, 0], [0, 1, 2], [0, 0, 1.0]]), y) == pytest.approx(2 / 3)
    assert accuracy(np.array([0.5, -1.0, 2.0]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(np.array([[0.5], [-1.0]]), np.array([1, 0])) == 1.0
    with pytest.raises(ValueError, match="labels"):
        accuracy(np.zeros((3, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="scores"):
        accuracy(np.zeros((3, 2, 2)), np.zeros(3, dtype=int))
    model = spiral_model()
    model.train()
    labels = predict(model, np.zeros((4, 2)))
    assert labels.shape == (4,) and model.training
    model.eval()
    predict(model, np.zeros((4, 2)))
    assert not model.training


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"), ({"epochs": 2.5}, "epochs"), ({"epochs": True}, "epochs"),
    ({"epochs": 2, "lr": 0}, "lr"), ({"epochs": 2, "lr": -1}, "lr"),
    ({"epochs": 2, "lr": "x"}, "lr"),
    ({"epochs": 2, "batch_size": 0}, "batch_size"), ({"epochs": 2, "every": 0}, "every"),
    ({"epochs": 2, "optimizer": object()}, "optimizer"),
    ({"epochs": 2, "callbacks": [1]}, "callback"),
])
def test_bad_arguments(kwargs, match):
    X, y = data.spiral(10, 3, rng=0)
    with pytest.raises(ValueError, match=match):
        fit(spiral_model(), CrossEntropyLoss(), X, y, **kwargs)


def test_bad_data_model_and_loss():
    X, y = data.spiral(10, 3, rng=0)
    with pytest.raises(ValueError, match="y must have N rows"):
        fit(spiral_model(), CrossEntropyLoss(), X, y[:-1], epochs=1)
    with pytest.raises(ValueError, match="model"):
        fit(object(), CrossEntropyLoss(), X, y, epochs=1)
    with pytest.raises(ValueError, match="loss_fn"):
        fit(spiral_model(), np.mean, X, y, epochs=1)


def test_inputs_are_not_modified():
    X, y = data.spiral(10, 3, rng=0)
    X0, y0 = X.copy(), y.copy()
    fit(spiral_model(), CrossEntropyLoss(), X, y, epochs=3, batch_size=4, rng=0)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


class FixedScores(Layer):
    """A model whose scores are given: to test accuracy and predict at exact boundaries."""

    def __init__(self, scores):
        super().__init__()
        self.scores = np.asarray(scores, dtype=np.float64)

    def forward(self, x):
        return self.scores


@pytest.mark.parametrize("shape", [(-1,), (-1, 1)])
def test_binary_score_of_exactly_zero_is_class_0_in_accuracy_and_predict(shape):
    scores = np.array([0.0, -0.0, 1e-300, -1e-300, 2.0]).reshape(shape)
    labels = predict(FixedScores(scores), np.zeros((5, 2)))
    assert labels.tolist() == [0, 0, 1, 0, 1]                    # class 1 only where score > 0
    assert accuracy(scores, labels) == 1.0                        # the two always agree
    assert accuracy(scores, np.array([1, 1, 1, 0, 1])) == pytest.approx(3 / 5)


def test_multiclass_ties_go_to_the_first_class_in_both():
    scores = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
    labels = predict(FixedScores(scores), np.zeros((3, 2)))
    assert labels.tolist() == [0, 1, 0]
    assert accuracy(scores, labels) == 1.0


def test_accuracy_single_sample_and_all_wrong():
    assert accuracy(np.array([[0.2, 0.8]]), np.array([1])) == 1.0
    assert accuracy(np.array([[0.2, 0.8]]), np.array([0])) == 0.0
    assert accuracy(np.array([-1.0, 1.0]), np.array([1, 0])) == 0.0


@pytest.mark.parametrize("mode", [True, False])
def test_predict_restores_the_mode_even_when_forward_raises(mode):
    class Broken(FixedScores):
        def forward(self, x):
            assert not self.training                               # predict runs in eval mode
            raise KeyError("boom")

    model = Broken([0.0]).train(mode)
    with pytest.raises(KeyError):
        predict(model, np.zeros((1, 2)))
    assert model.training is mode


def test_predict_restores_each_layers_own_mode():
    model = spiral_model()
    model.train()
    model[2].eval()                                           # a mixed state, set on purpose
    predict(model, np.zeros((3, 2)))
    assert model.training and model[0].training and not model[2].training
    assert [layer.training for layer in model] == [True, True, False, True, True]
