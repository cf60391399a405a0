"""The contract changes chapter 08 needs in shared modules: Dense and CrossEntropyLoss on
sequences (N, T, ...), and ``fit`` keeping integer token ids as integers."""

import numpy as np
import pytest

from course_lib import layers as L
from course_lib.gradcheck import THRESHOLD, check_layer_gradients, check_loss_gradients
from course_lib.losses import CrossEntropyLoss
from course_lib.training import fit

# --- Dense on (N, ..., D_in) -----------------------------------------------------------------

@pytest.mark.parametrize("shape", [(4, 3, 5), (5, 2, 3, 5), (6, 1, 5)])
@pytest.mark.parametrize("seed", [0, 1])
def test_dense_any_leading_dims_gradients(shape, seed):
    layer = L.Dense(5, 3, rng=seed)
    x = np.random.default_rng(seed + 10).normal(size=shape)
    errors = check_layer_gradients(layer, x, rng=seed)
    assert max(errors.values()) < THRESHOLD, errors


def test_dense_3d_equals_dense_on_the_flattened_rows():
    rng = np.random.default_rng(3)
    layer = L.Dense(4, 2, rng=1)
    x = rng.normal(size=(5, 3, 4))
    dout = rng.normal(size=(5, 3, 2))
    out = layer.forward(x)
    dx = layer.backward(dout)
    gW, gb = layer.grads["W"].copy(), layer.grads["b"].copy()
    flat = L.Dense(4, 2, rng=1)
    out2 = flat.forward(x.reshape(15, 4))
    dx2 = flat.backward(dout.reshape(15, 2))
    assert out.shape == (5, 3, 2) and dx.shape == (5, 3, 4)
    np.testing.assert_allclose(out.reshape(15, 2), out2, rtol=1e-12)
    np.testing.assert_allclose(dx.reshape(15, 4), dx2, rtol=1e-12)
    np.testing.assert_allclose(gW, flat.grads["W"], rtol=1e-12)
    np.testing.assert_allclose(gb, flat.grads["b"], rtol=1e-12)
    # hand value: b's gradient is the sum of dout over batch AND positions
    np.testing.assert_allclose(gb, dout.sum(axis=(0, 1)), rtol=1e-12)


def test_dense_3d_errors_name_the_last_axis():
    with pytest.raises(ValueError,
                       match=r"Dense input: expected shape \(N, \*, 3\), got \(4, 2, 5\)"):
        L.Dense(3, 2).forward(np.ones((4, 2, 5)))
    with pytest.raises(ValueError, match=r"expected shape \(N, 3\), got \(3,\)"):
        L.Dense(3, 2).forward(np.ones(3))


# --- CrossEntropyLoss on (N, T, C) -----------------------------------------------------------

def test_cross_entropy_sequence_is_the_mean_over_every_position():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 3, 5))
    y = rng.integers(0, 5, size=(4, 3))
    loss = CrossEntropyLoss()
    value = loss(z, y)
    flat = CrossEntropyLoss()
    assert value == pytest.approx(flat(z.reshape(12, 5), y.reshape(12)), rel=1e-12)
    # by hand: -mean over the 12 positions of log softmax at the label
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    hand = -np.mean(np.take_along_axis(log_p, y[..., None], axis=-1))
    assert value == pytest.approx(hand, rel=1e-12)
    grad = loss.backward()
    assert grad.shape == (4, 3, 5)
    np.testing.assert_allclose(grad.reshape(12, 5), flat.backward(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(4, 3, 5), (4, 2, 3, 6)])
def test_cross_entropy_sequence_gradient(shape):
    rng = np.random.default_rng(1)
    z = rng.normal(size=shape)
    y = rng.integers(0, shape[-1], size=shape[:-1])
    assert check_loss_gradients(CrossEntropyLoss(), z, y) < THRESHOLD


def test_cross_entropy_sequence_one_hot_targets():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(4, 3, 5))
    y = rng.integers(0, 5, size=(4, 3))
    one_hot = np.eye(5)[y]
    assert CrossEntropyLoss()(z, one_hot) == pytest.approx(CrossEntropyLoss()(z, y), rel=1e-12)


def test_cross_entropy_sequence_errors():
    with pytest.raises(ValueError,
                       match=r"\(N, \.\.\., C\) with labels \(N, \.\.\.\).*\(4, 3, 5\).*\(4, 5\)"):
        CrossEntropyLoss()(np.zeros((4, 3, 5)), np.zeros((4, 5), dtype=int))
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.4"):
        CrossEntropyLoss()(np.zeros((4, 3, 5)), np.full((4, 3), 5))


# --- fit keeps integer ids -------------------------------------------------------------------

class _RecordInput(L.Layer):
    """A layer that remembers the dtype it was fed and passes a float version on."""

    def __init__(self):
        super().__init__()
        self.dtypes = []

    def forward(self, x):
        self.dtypes.append(x.dtype)
        return np.asarray(x, dtype=np.float64)

    def backward(self, dout):
        return None


def test_fit_keeps_integer_token_arrays_as_integers():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 10, size=(16, 4))
    y = rng.integers(0, 3, size=16)
    probe = _RecordInput()
    model = L.Sequential(probe, L.Dense(4, 3, rng=0))
    fit(model, CrossEntropyLoss(), X, y, epochs=2, lr=0.1, batch_size=8, rng=0)
    assert probe.dtypes and all(np.issubdtype(d, np.integer) for d in probe.dtypes)
    probe.dtypes.clear()
    fit(model, CrossEntropyLoss(), X.astype(np.float32), y, epochs=1, lr=0.1)
    assert probe.dtypes == [np.dtype(np.float64)]      # anything else still becomes float64


def test_sequence_boundaries_one_position_and_one_sample():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(1, 1, 4))
    y = np.array([[2]])
    loss = CrossEntropyLoss()
    hand = -(z[0, 0, 2] - np.log(np.exp(z[0, 0]).sum()))
    assert loss(z, y) == pytest.approx(hand, rel=1e-12)
    p = np.exp(z[0, 0]) / np.exp(z[0, 0]).sum()
    np.testing.assert_allclose(loss.backward(), (p - np.eye(4)[2])[None, None], rtol=1e-12)
    layer = L.Dense(4, 2, rng=0)
    assert layer.forward(np.ones((1, 1, 4))).shape == (1, 1, 2)
    assert layer.forward(np.ones((3, 0, 4))).shape == (3, 0, 2)
    assert layer.backward(np.ones((3, 0, 2))).shape == (3, 0, 4)
    np.testing.assert_array_equal(layer.grads["W"], 0.0)    # no positions: no gradient


def test_token_accuracy_and_predict_on_a_sequence_model():
    from course_lib.layers import Embedding
    from course_lib.training import accuracy, predict

    scores = np.zeros((2, 3, 4))
    y = np.array([[0, 1, 2], [3, 3, 0]])
    scores[0, 0, 0] = scores[0, 1, 1] = scores[0, 2, 3] = 1.0   # 2 of 3 right
    scores[1, 0, 3] = scores[1, 1, 3] = scores[1, 2, 0] = 1.0   # 3 of 3 right
    assert accuracy(scores, y) == pytest.approx(5 / 6)
    with pytest.raises(ValueError, match=r"scores of shape \(2, 3, 'C'\)"):
        accuracy(scores[:, :2], y)
    model = Embedding(4, 4, rng=0)
    model.params["W"][...] = np.eye(4)
    ids = np.array([[0, 1, 2], [3, 3, 0]])
    assert np.array_equal(predict(model, ids), ids)


def test_fit_reports_token_accuracy():
    from course_lib.layers import Embedding
    from course_lib.losses import CrossEntropyLoss
    from course_lib.training import fit

    ids = np.random.default_rng(0).integers(0, 5, size=(16, 6))
    model = Embedding(5, 5, rng=0)
    history = fit(model, CrossEntropyLoss(), ids, ids, epochs=30, lr=1.0, progress=False)
    assert np.isfinite(history.accuracy).all() and history.accuracy[-1] == 1.0


def test_fit_records_nan_accuracy_when_the_labels_cover_part_of_the_scores():
    from course_lib.layers import Embedding
    from course_lib.losses import CrossEntropyLoss
    from course_lib.training import fit

    class LastPositions(CrossEntropyLoss):   # a loss that reads only the last 2 positions
        def __call__(self, pred, target):
            self._t = pred.shape[1]
            return super().__call__(pred[:, -2:], target)

        def backward(self):
            d = super().backward()
            full = np.zeros(d.shape[:1] + (self._t,) + d.shape[2:])
            full[:, -2:] = d
            return full

    ids = np.random.default_rng(0).integers(0, 5, size=(8, 4))
    history = fit(Embedding(5, 5, rng=0), LastPositions(), ids, ids[:, -2:], epochs=3, lr=0.5)
    assert np.isnan(history.accuracy).all() and np.isfinite(history.loss).all()
