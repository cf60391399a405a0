"""data.train_test_split and data.digits: stratified, seeded, no overlap, readable errors."""

import numpy as np
import pytest

from course_lib import data


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("test_size", [0.2, 0.25, 0.5, 30])
def test_split_is_a_stratified_partition(seed, test_size):
    X, y = data.spiral(40, 3, rng=seed)
    X = np.column_stack([X, np.arange(len(X))])  # spiral arms share the point (0, 0): tag rows
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=test_size, rng=seed)
    assert len(X_tr) + len(X_te) == len(X) and len(y_tr) == len(X_tr) and len(y_te) == len(X_te)
    # every sample lands in exactly one part, with its own label
    rows = {tuple(r): int(c) for r, c in zip(X, y)}
    seen = [tuple(r) for r in np.concatenate([X_tr, X_te])]
    assert sorted(seen) == sorted(rows)
    assert all(rows[tuple(r)] == c for r, c in zip(X_te, y_te))
    frac = test_size / len(X) if isinstance(test_size, int) else test_size
    for c in range(3):
        assert np.sum(y_te == c) == round(frac * 40)


def test_split_is_seeded_and_leaves_inputs_alone():
    X, y = data.vertical(20, 3, rng=0)
    X0, y0 = X.copy(), y.copy()
    a = data.train_test_split(X, y, test_size=0.3, rng=5)
    b = data.train_test_split(X, y, test_size=0.3, rng=5)
    c = data.train_test_split(X, y, test_size=0.3, rng=6)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[1], c[1])
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    # inside each part the original order is kept
    idx = [int(np.flatnonzero((X == r).all(axis=1))[0]) for r in a[0]]
    assert idx == sorted(idx)


def test_unstratified_split_takes_the_asked_count():
    X = np.arange(20.0).reshape(10, 2)
    y = np.linspace(0, 1, 10)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=3, stratify=False, rng=0)
    assert X_te.shape == (3, 2) and X_tr.shape == (7, 2)
    assert np.allclose(X_te[:, 0] / 20, y_te * 9 / 10, atol=1e-12)


@pytest.mark.parametrize("kwargs, error, text", [
    ({"test_size": 0.0}, ValueError, "in (0, 1)"),
    ({"test_size": 1.0}, ValueError, "in (0, 1)"),
    ({"test_size": 10}, ValueError, "1..9"),
    ({"test_size": "0.2"}, TypeError, "float or an int"),
    ({"test_size": True}, TypeError, "float or an int"),
])
def test_split_rejects_bad_sizes(kwargs, error, text):
    X, y = np.zeros((10, 2)), np.array([0, 1] * 5)
    pattern = text.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    with pytest.raises(error, match=pattern):
        data.train_test_split(X, y, **kwargs)


def test_split_rejects_mismatch_and_unstratifiable_labels():
    with pytest.raises(ValueError, match="same number of samples"):
        data.train_test_split(np.zeros((4, 2)), np.zeros(5, dtype=int), test_size=0.5)
    with pytest.raises(ValueError, match="integer class labels"):
        data.train_test_split(np.zeros((4, 2)), np.zeros(4), test_size=0.5)
    with pytest.raises(ValueError, match="class 2 has 1 sample"):
        data.train_test_split(np.zeros((5, 2)), np.array([0, 0, 1, 1, 2]), test_size=0.5)


def test_digits_images_and_split():
    X, y = data.digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0 and set(np.unique(y)) == set(range(10))
    assert data.digits(flat=True)[0].shape == (1797, 64)
    X_tr, X_te, y_tr, y_te = data.digits(test_size=0.2, rng=0)
    assert len(X_te) + len(X_tr) == 1797 and X_te.shape[1:] == (1, 8, 8)
    counts = np.bincount(y, minlength=10)
    assert np.array_equal(np.bincount(y_te, minlength=10), np.round(0.2 * counts).astype(int))


@pytest.mark.parametrize("count", [1, 7, 100, 517, 1787])
def test_an_int_test_size_is_exact_with_stratification(count):
    X, y = data.digits(flat=True)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=count, rng=0)
    if count >= 10:  # every class keeps >= 1 sample in each part, which small counts cannot
        assert len(X_te) == count and len(X_tr) == len(X) - count
        share = np.bincount(y_te, minlength=10) - count * np.bincount(y, minlength=10) / len(y)
        assert np.abs(share).max() < 1.0
    else:
        assert set(np.unique(y_te)) == set(range(10)) and len(X_te) == 10


def test_one_hot_of_empty_labels():
    assert data.one_hot(np.array([], dtype=np.int64), 3).shape == (0, 3)
    with pytest.raises(ValueError, match="empty labels need n_classes"):
        data.one_hot(np.array([], dtype=np.int64))
