"""course_lib.data: shapes, dtypes, determinism, balanced labels, readable errors."""

import numpy as np
import pytest

from course_lib import data

GENERATORS = {
    "linearly_separable": lambda n, rng: data.linearly_separable(n, rng=rng),
    "xor": lambda n, rng: data.xor(n, rng=rng),
    "spiral": lambda n, rng: data.spiral(n, 3, rng=rng),
    "vertical": lambda n, rng: data.vertical(n, 3, rng=rng),
}
CLASSES = {"linearly_separable": 2, "xor": 2, "spiral": 3, "vertical": 3}
PER_CLASS = {"linearly_separable": 1, "xor": 2, "spiral": 1, "vertical": 1}  # xor: 2 clusters per class


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("n", [1, 7, 50])
def test_shapes_dtypes_and_balance(name, n):
    X, y = GENERATORS[name](n, 0)
    k = CLASSES[name]
    total = n * k * PER_CLASS[name]
    assert X.shape == (total, 2) and X.dtype == np.float64
    assert y.shape == (total,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    np.testing.assert_array_equal(np.bincount(y, minlength=k), [total // k] * k)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_seeded_and_deterministic(name):
    X1, y1 = GENERATORS[name](20, 3)
    X2, y2 = GENERATORS[name](20, 3)
    X3, _ = GENERATORS[name](20, 4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    X4, _ = GENERATORS[name](20, np.random.default_rng(3))  # a Generator works as well as an int
    np.testing.assert_array_equal(X1, X4)


def test_global_state_untouched():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    for make in GENERATORS.values():
        make(10, 1)
    assert np.random.random() == before


def test_linearly_separable_is_separable_with_margin():
    X, y = data.linearly_separable(100, margin=0.5, rng=0)
    normal = np.array([-0.5, 1.0]) / np.hypot(0.5, 1.0)
    dist = X @ normal - 0.2 / np.hypot(0.5, 1.0)
    assert np.all(dist[y == 1] > 0.25 - 1e-12) and np.all(dist[y == 0] < -0.25 + 1e-12)
    assert np.all(np.abs(X) <= 2)


def test_spiral_and_vertical_geometry():
    X, y = data.spiral(100, 3, noise=0.0, rng=0)
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1 + 1e-12)
    X, y = data.vertical(200, 4, noise=0.0, rng=0)
    for k in range(4):
        np.testing.assert_allclose(X[y == k, 0], (k + 0.5) / 4)
    assert X[:, 1].min() >= 0 and X[:, 1].max() <= 1


def test_xor_labels():
    X, y = data.xor(50, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (np.round(X[:, 0]) != np.round(X[:, 1])).astype(int))


@pytest.mark.parametrize("call, match", [
    (lambda: data.spiral(0), "n_per_class"), (lambda: data.spiral(10, 1), "n_classes"),
    (lambda: data.spiral(2.5), "n_per_class"), (lambda: data.spiral(10, noise=-1), "noise"),
    (lambda: data.vertical(-3), "n_per_class"), (lambda: data.vertical(10, 3, noise=-0.1), "noise"),
    (lambda: data.xor(0), "n_per_cluster"), (lambda: data.xor(5, noise=-1), "noise"),
    (lambda: data.linearly_separable(0), "n_per_class"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_one_hot():
    np.testing.assert_array_equal(data.one_hot(np.array([0, 2, 1])), np.eye(3)[[0, 2, 1]])
    assert data.one_hot(np.array([1, 0]), n_classes=4).shape == (2, 4)
    with pytest.raises(ValueError, match="integer labels"):
        data.one_hot(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="labels must be in 0..1"):
        data.one_hot(np.array([0, 2]), n_classes=2)
    with pytest.raises(ValueError, match="integer labels"):
        data.one_hot(np.zeros((2, 2), dtype=int))
