"""course_lib.training: fit(validation=...), evaluate, the stopping protocol and EarlyStopping."""

import numpy as np
import pytest

from course_lib import data
from course_lib.layers import Dense, Dropout, Layer, ReLU, Sequential
from course_lib.losses import CrossEntropyLoss, MSELoss
from course_lib.optim import SGD
from course_lib.training import EarlyStopping, History, evaluate, fit, predict


def mlp(seed=0, p=0.0, hidden=32):
    rng = np.random.default_rng(seed)
    layers = [Dense(2, hidden, rng=rng), ReLU()]
    if p:
        layers.append(Dropout(p, rng=seed + 1))
    return Sequential(*layers, Dense(hidden, 3, rng=rng))


@pytest.fixture(scope="module")
def split():
    X, y = data.spiral(40, 3, rng=0)
    return data.train_test_split(X, y, test_size=0.25, rng=1)


# -- validation ---------------------------------------------------------------------------------

def test_validation_is_recorded_after_each_epoch_in_eval_mode(split):
    X_tr, X_val, y_tr, y_val = split
    model = mlp(p=0.5)
    seen = []

    def by_hand(epoch, m, history):
        if epoch == 0:
            assert history.val_loss == [] and history.val_accuracy == []
            return
        assert m.training                              # callbacks see the training mode
        m.eval()
        scores = m.forward(X_val)
        m.train()
        seen.append((CrossEntropyLoss()(scores, y_val), np.mean(scores.argmax(1) == y_val)))

    h = fit(model, CrossEntropyLoss(), X_tr, y_tr, epochs=6, lr=0.3, callbacks=[by_hand],
            validation=(X_val, y_val))
    assert len(h.val_loss) == len(h.val_accuracy) == len(h) == 6
    np.testing.assert_allclose(h.val_loss, [s[0] for s in seen], rtol=1e-12)
    np.testing.assert_allclose(h.val_accuracy, [s[1] for s in seen], rtol=1e-12)
    assert all(isinstance(v, float) for v in h.val_loss + h.val_accuracy)
    assert model.training and all(layer.training for layer in model)


def test_validation_does_not_change_training(split):
    X_tr, X_val, y_tr, y_val = split
    a, b = mlp(3, p=0.3), mlp(3, p=0.3)
    ha = fit(a, CrossEntropyLoss(), X_tr, y_tr, epochs=4, lr=0.2, batch_size=16, rng=2)
    hb = fit(b, CrossEntropyLoss(), X_tr, y_tr, epochs=4, lr=0.2, batch_size=16, rng=2,
             validation=(X_val, y_val))
    assert ha.loss == hb.loss and ha.val_loss == [] and len(hb.val_loss) == 4
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])


def test_validation_accuracy_is_nan_for_regression_targets():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 3))
    h = fit(mlp(), MSELoss(), X[:15], y[:15], epochs=2, lr=0.01, validation=(X[15:], y[15:]))
    assert len(h.val_loss) == 2 and np.isnan(h.val_accuracy).all() and np.isfinite(h.val_loss).all()


def test_validation_errors(split):
    X_tr, X_val, y_tr, y_val = split
    kw = dict(epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="validation must be a pair"):
        fit(mlp(), CrossEntropyLoss(), X_tr, y_tr, validation=X_val, **kw)
    with pytest.raises(ValueError, match=r"X_val \(M, 2\)"):
        fit(mlp(), CrossEntropyLoss(), X_tr, y_tr, validation=(X_val[:, :1], y_val), **kw)
    with pytest.raises(ValueError, match="validation needs"):
        fit(mlp(), CrossEntropyLoss(), X_tr, y_tr, validation=(X_val, y_val[:-1]), **kw)
    with pytest.raises(ValueError, match="validation needs"):
        fit(mlp(), CrossEntropyLoss(), X_tr, y_tr, validation=(X_val[:0], y_val[:0]), **kw)


def test_history_repr_with_validation():
    h = History()
    h.loss, h.accuracy, h.val_loss, h.val_accuracy = [0.5], [0.75], [0.625], [0.5]
    assert repr(h) == ("History(epochs=1, loss=0.5000, accuracy=0.7500, val_loss=0.6250, "
                       "val_accuracy=0.5000)")
    assert h.stop_training is False and h.stopped_epoch is None


def test_evaluate_and_predict_restore_every_layer_mode(split):
    X_tr, X_val, y_tr, y_val = split
    model = mlp(p=0.5)
    model.train()
    model[2].eval()                                 # one layer in eval on purpose
    loss, acc = evaluate(model, CrossEntropyLoss(), X_val, y_val)
    model.eval()
    scores = model.forward(X_val)
    assert loss == pytest.approx(CrossEntropyLoss()(scores, y_val), rel=1e-12)
    assert acc == pytest.approx(np.mean(scores.argmax(1) == y_val))
    model.train()
    model[2].eval()
    predict(model, X_val)
    evaluate(model, CrossEntropyLoss(), X_val, y_val)
    assert model.training and model[0].training and not model[2].training
    model.eval()
    evaluate(model, CrossEntropyLoss(), X_val, y_val)
    assert not model.training and not model[2].training
    with pytest.raises(ValueError, match="evaluate: X must be"):
        evaluate(model, CrossEntropyLoss(), X_val, y_val[:3])


# -- the stopping protocol ---------------------------------------------------------------------

class Recorder:
    def __init__(self, stop_at):
        self.stop_at, self.calls, self.ended = stop_at, [], 0

    def __call__(self, epoch, model, history):
        self.calls.append(epoch)
        if epoch == self.stop_at:
            history.stop_training = True

    def on_train_end(self, model, history):
        self.ended += 1


@pytest.mark.parametrize("stop_at, length", [(0, 0), (1, 1), (3, 3), (5, 5), (99, 5)])
def test_a_callback_can_stop_fit(split, stop_at, length):
    X_tr, _, y_tr, _ = split
    rec, other = Recorder(stop_at), Recorder(-1)
    h = fit(mlp(), CrossEntropyLoss(), X_tr, y_tr, epochs=5, lr=0.1, callbacks=[rec, other])
    assert len(h) == length
    assert h.stopped_epoch == (None if stop_at == 99 else stop_at)
    assert rec.calls == other.calls == list(range(length + 1))   # all callbacks ran that epoch
    assert rec.ended == other.ended == 1


# -- EarlyStopping on a planted curve ----------------------------------------------------------

CURVE = [9.0, 4.0, 3.0, 2.5, 2.6, 2.45, 2.7, 2.8, 2.9, 3.0, 3.1, 3.2, 3.3]


class Ticker(Layer):
    """A model whose one parameter counts the SGD steps (lr=1): t = number of updates so far."""

    def __init__(self):
        super().__init__()
        self.params = {"t": np.zeros(1)}
        self.grads = {"t": np.zeros(1)}

    def forward(self, x):
        return np.zeros((len(x), 1)) + self.params["t"]

    def backward(self, dout):
        self.grads["t"][...] = -1.0
        return np.zeros((len(dout), 1))


class Planted:
    """A loss whose value is CURVE[t]: the validation loss after epoch e is CURVE[e]."""

    def __call__(self, scores, y):
        self._n = len(scores)
        return CURVE[int(round(scores[0, 0]))]

    def backward(self):
        return np.zeros((self._n, 1))


def run_planted(**kw):
    model = Ticker()
    t = model.params["t"]
    opt = SGD(model, lr=1.0)
    X, y = np.zeros((4, 1)), np.zeros(4)
    es = EarlyStopping(**kw)
    h = fit(model, Planted(), X, y, epochs=12, optimizer=opt, callbacks=[es], validation=(X, y))
    assert model.params["t"] is t and opt._params[0][1] is t     # restored in place
    return es, h, float(t[0])


@pytest.mark.parametrize("kw, stopped, best_epoch, t_end", [
    (dict(patience=2), 7, 5, 5.0),                  # 2.45 at epoch 5, then two worse epochs
    (dict(patience=0), 4, 3, 3.0),                  # the first worse epoch stops
    (dict(patience=1), 4, 3, 3.0),
    (dict(patience=2, min_delta=0.1), 5, 3, 3.0),   # 2.45 is not 0.1 better than 2.5
    (dict(patience=2, restore_best=False), 7, 5, 7.0),
    (dict(patience=20), None, 5, 5.0),              # never stops, still restores the best
])
def test_early_stopping_on_a_planted_curve(kw, stopped, best_epoch, t_end):
    es, h, t = run_planted(**kw)
    assert h.val_loss == CURVE[1:len(h) + 1]
    assert es.stopped_epoch == h.stopped_epoch == stopped
    assert len(h) == (12 if stopped is None else stopped)
    assert es.best_epoch == best_epoch and es.best == CURVE[best_epoch]
    assert t == t_end


def test_early_stopping_by_hand_in_max_mode_and_nan():
    es = EarlyStopping(monitor="val_accuracy", patience=1)
    model, h = Ticker(), History()
    es(0, model, h)
    for epoch, acc in enumerate([0.5, 0.7, float("nan"), 0.6], start=1):
        model.params["t"][...] = epoch
        h.val_accuracy.append(acc)
        es(epoch, model, h)
        if h.stop_training:
            break
    assert es.mode == "max" and es.best == 0.7 and es.best_epoch == 2 and es.stopped_epoch == 3
    es.on_train_end(model, h)
    assert model.params["t"][0] == 2.0
    es(0, model, History())                         # a new run forgets the old one
    assert es.best == -np.inf and es.best_epoch == 0 and es.stopped_epoch is None
    assert EarlyStopping(monitor="loss").mode == "min"
    assert EarlyStopping(monitor="val_loss", mode="max").improved(1.0)


def test_early_stopping_is_reusable_across_fits():
    es1, h1, _ = run_planted(patience=2)
    X, y = np.zeros((4, 1)), np.zeros(4)
    es = EarlyStopping(patience=2)
    for _ in range(2):
        model = Ticker()
        h = fit(model, Planted(), X, y, epochs=12, optimizer=SGD(model, lr=1.0), callbacks=[es],
                validation=(X, y))
        assert (es.stopped_epoch, es.best_epoch, model.params["t"][0]) == (7, 5, 5.0)
    assert h.val_loss == h1.val_loss


def test_early_stopping_on_an_overfitting_spiral():
    X, y = data.spiral(30, 3, rng=0)
    X_tr, X_val, y_tr, y_val = data.train_test_split(X, y, test_size=0.5, rng=0)
    model = mlp(1, hidden=64)
    es = EarlyStopping(patience=20)
    h = fit(model, CrossEntropyLoss(), X_tr, y_tr, epochs=600, lr=0.5, callbacks=[es],
            validation=(X_val, y_val))
    best = int(np.argmin(h.val_loss))
    assert es.best_epoch == best + 1 and es.best == h.val_loss[best]
    assert h.stopped_epoch is not None and h.stopped_epoch - es.best_epoch == 20
    assert evaluate(model, CrossEntropyLoss(), X_val, y_val)[0] == pytest.approx(es.best, rel=1e-12)


def test_early_stopping_without_validation_says_so():
    X, y = data.spiral(10, 3, rng=0)
    with pytest.raises(ValueError, match=r"validation=\(X_val, y_val\)"):
        fit(mlp(), CrossEntropyLoss(), X, y, epochs=2, callbacks=[EarlyStopping()])


@pytest.mark.parametrize("kw, exc, match", [
    (dict(monitor="val_los"), ValueError, "monitor must be one of"),
    (dict(patience=-1), ValueError, "patience must be >= 0"),
    (dict(patience=1.5), TypeError, "patience must be an int"),
    (dict(patience=True), TypeError, "patience must be an int"),
    (dict(min_delta=-0.1), ValueError, "min_delta must be >= 0"),
    (dict(min_delta="0"), TypeError, "min_delta must be a number"),
    (dict(mode="up"), ValueError, "mode must be"),
])
def test_early_stopping_bad_arguments(kw, exc, match):
    with pytest.raises(exc, match=match):
        EarlyStopping(**kw)


def test_early_stopping_repr():
    assert repr(EarlyStopping(patience=3)) == ("EarlyStopping(monitor='val_loss', patience=3, "
                                               "min_delta=0.0, restore_best=True)")


def test_progress_lines_show_the_validation_loss(split, capsys):
    X_tr, X_val, y_tr, y_val = split
    h = fit(mlp(), CrossEntropyLoss(), X_tr, y_tr, epochs=10, lr=0.1, progress=True,
            validation=(X_val, y_val))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10 and lines[-1] == (f"epoch 10/10  loss {h.loss[-1]:.4f}  accuracy "
                                              f"{h.accuracy[-1]:.3f}  val_loss "
                                              f"{h.val_loss[-1]:.4f}")
