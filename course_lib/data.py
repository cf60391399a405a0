"""Small data sets generated in code: nothing is downloaded, everything is seeded.

Every generator takes an explicit ``rng`` (an ``int`` seed or a ``np.random.Generator``) and
returns ``X`` (N, 2) float64 and ``y`` (N,) int64 labels.
"""

import numpy as np


def _count(name, value, minimum=1):
    if not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _noise(value):
    if value < 0:
        raise ValueError(f"noise must be >= 0, got {value!r}")
    return float(value)


def _by_class(make_points, n, k):
    """Stack ``make_points(c)`` (n, 2) for classes ``c = 0 .. k-1``; labels in the same order."""
    X = np.concatenate([make_points(c) for c in range(k)])
    return X.astype(np.float64), np.repeat(np.arange(k), n).astype(np.int64)


def linearly_separable(n_per_class=50, *, margin=0.5, rng=None):
    """Two classes on either side of the line ``x2 = 0.5 x1 + 0.2``, at least ``margin`` / 2 away.

    Labels are 0 (below the line) and 1 (above). Points lie in [-2, 2]^2.
    """
    n = _count("n_per_class", n_per_class)
    rng = np.random.default_rng(rng)
    normal = np.array([-0.5, 1.0]) / np.hypot(0.5, 1.0)
    X, y = [], []
    for label, sign in ((0, -1.0), (1, 1.0)):
        pts = []
        while len(pts) < n:
            cand = rng.uniform(-2, 2, size=(4 * n, 2))
            dist = (cand @ normal - 0.2 / np.hypot(0.5, 1.0)) * sign
            pts.extend(cand[dist > margin / 2])
        X.append(np.array(pts[:n]))
        y.append(np.full(n, label))
    return np.concatenate(X), np.concatenate(y).astype(np.int64)


def xor(n_per_cluster=25, *, noise=0.15, rng=None):
    """The XOR problem: four clusters around (0,0), (1,1) (label 0) and (0,1), (1,0) (label 1)."""
    n = _count("n_per_cluster", n_per_cluster)
    noise = _noise(noise)
    rng = np.random.default_rng(rng)
    centres = np.array([[0, 0], [1, 1], [0, 1], [1, 0]], dtype=np.float64)
    labels = np.array([0, 0, 1, 1])
    X = np.repeat(centres, n, axis=0) + rng.normal(0, noise, size=(4 * n, 2))
    return X, np.repeat(labels, n).astype(np.int64)


def spiral(n_per_class=100, n_classes=3, noise=0.2, *, rng=None):
    """Interleaved spiral arms, one per class (the CS231n / nnfs classic). Points within [-1, 1]^2.

    Arm ``k`` runs from radius 0 to 1 while its angle turns through 4 radians starting at
    ``k * 4`` radians; ``noise`` is the standard deviation added to the angle.
    """
    n = _count("n_per_class", n_per_class)
    k = _count("n_classes", n_classes, 2)
    noise = _noise(noise)
    rng = np.random.default_rng(rng)

    def arm(c):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, n) + rng.normal(0, noise, n)
        return np.column_stack([r * np.sin(t), r * np.cos(t)])

    return _by_class(arm, n, k)


def vertical(n_per_class=100, n_classes=3, noise=0.1, *, rng=None):
    """Classes as vertical bands: class ``k`` has ``x1`` around ``(k + 0.5) / n_classes``.

    ``x2`` is uniform in [0, 1]; ``noise`` is the standard deviation around each band's centre.
    An easy, almost linearly separable contrast to :func:`spiral`.
    """
    n = _count("n_per_class", n_per_class)
    k = _count("n_classes", n_classes, 2)
    noise = _noise(noise)
    rng = np.random.default_rng(rng)

    def band(c):
        x1 = rng.normal((c + 0.5) / k, noise, n)
        return np.column_stack([x1, rng.uniform(0, 1, n)])

    return _by_class(band, n, k)


def one_hot(y, n_classes=None):
    """Integer labels (N,) -> one-hot rows (N, C)."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"one_hot: expected integer labels of shape (N,), got {y.dtype} {y.shape}")
    if n_classes is None and y.size == 0:
        raise ValueError("one_hot: empty labels need n_classes "
                         "(there is no largest label to count)")
    c = int(y.max()) + 1 if n_classes is None else int(n_classes)
    if y.size and (y.min() < 0 or y.max() >= c):
        raise ValueError(f"one_hot: labels must be in 0..{c - 1}")
    out = np.zeros((y.size, c))
    out[np.arange(y.size), y] = 1.0
    return out


def train_test_split(X, y, *, test_size=0.25, stratify=True, rng=None):
    """Split ``X`` and ``y`` into a training and a held-out part:
    ``X_train, X_test, y_train, y_test``.

    The argument names and the order of the four results are scikit-learn's. ``test_size`` is a
    fraction in (0, 1) of the samples or an ``int`` count. With ``stratify=True`` (for integer class
    labels ``y`` of shape (N,)) each class keeps its proportion in both parts: for a fraction, every
    class gives ``round(test_size * n_class)`` samples to the test part; for a count, the shares are
    rounded down and the remaining samples go to the classes with the largest remainders, so the
    test part has exactly ``test_size`` samples (as in scikit-learn, which balances ties slightly
    differently). Each class keeps at least one sample in each part. Inside each part the
    samples keep their original order, so the split is a pure function of ``rng``.
    ``X``: (N, ...) any trailing shape; ``y``: (N, ...). Inputs are not modified.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"train_test_split: X and y need the same number of samples, got shapes "
                         f"{X.shape} and {y.shape}")
    n = len(X)
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, (int, float, np.integer,
                                                                              np.floating)):
        raise TypeError(f"train_test_split: test_size must be a float or an int, got "
                        f"{type(test_size).__name__}")
    if isinstance(test_size, (int, np.integer)):
        if not 1 <= test_size < n:
            raise ValueError(f"train_test_split: an int test_size must be in 1..{n - 1}, "
                             f"got {test_size}")
        frac = test_size / n
    else:
        if not 0.0 < test_size < 1.0:
            raise ValueError("train_test_split: a float test_size must be in (0, 1), "
                             f"got {test_size}")
        frac = float(test_size)
    rng = np.random.default_rng(rng)
    if stratify:
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError("train_test_split: stratify=True needs integer class labels y of "
                             f"shape (N,), got {y.dtype} {y.shape}; "
                             "pass stratify=False for other targets")
        classes, sizes = np.unique(y, return_counts=True)
        for c, size in zip(classes, sizes):
            if size < 2:
                raise ValueError(f"train_test_split: class {c} has {size} sample; stratifying "
                                 "needs at least 2 per class")
        quota = frac * sizes
        if isinstance(test_size, (int, np.integer)):
            # an exact count: floor every class's share, then give the rest to the largest
            # remainders
            counts = np.floor(quota).astype(int)
            extra = int(test_size) - counts.sum()
            counts[np.argsort(-(quota - counts), kind="stable")[:extra]] += 1
        else:
            counts = np.round(quota).astype(int)
        counts = np.clip(counts, 1, sizes - 1)
        test = np.zeros(n, dtype=bool)
        for c, k in zip(classes, counts):
            test[rng.choice(np.flatnonzero(y == c), size=int(k), replace=False)] = True
    else:
        k = test_size if isinstance(test_size, (int, np.integer)) else int(round(frac * n))
        k = min(max(k, 1), n - 1)
        test = np.zeros(n, dtype=bool)
        test[rng.choice(n, size=k, replace=False)] = True
    return X[~test], X[test], y[~test], y[test]


def digits(*, test_size=None, rng=None, flat=False):
    """scikit-learn's bundled 8x8 handwritten digits (1,797 images, ten classes): no download.

    Returns ``X`` (N, 1, 8, 8) float64 in [0, 1] (NCHW, one channel; the raw 0..16 grey levels
    divided by 16) and ``y`` (N,) int64 labels 0..9. ``flat=True`` gives ``X`` as (N, 64) rows for
    an MLP instead. With ``test_size`` (a fraction or a count) the result is a seeded, stratified
    :func:`train_test_split`: ``X_train, X_test, y_train, y_test``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is in requirements.txt
        raise ImportError("data.digits needs scikit-learn (pip install scikit-learn)") from exc
    raw = load_digits()
    X = (raw.images / 16.0).astype(np.float64)
    X = X.reshape(len(X), 64) if flat else X[:, None, :, :]
    y = raw.target.astype(np.int64)
    if test_size is None:
        return X, y
    return train_test_split(X, y, test_size=test_size, stratify=True, rng=rng)
