"""Feature scaling with scikit-learn's names: ``StandardScaler`` and ``MinMaxScaler``.

Both learn per-feature numbers in ``fit(X_train)`` and apply them, unchanged, in ``transform``:
fit on the training set only, then transform the training, validation and test sets with the
same numbers. Fitting on all the data lets the test set's statistics leak into training.

Shapes: X (N, D) -> (N, D); every fitted attribute is (D,). Inputs are never modified; every
method returns a new float64 array. A constant feature (zero variance, or zero range) gets a scale
of 1, as in scikit-learn, so it maps to 0 (``StandardScaler``) or to ``feature_range[0]``
(``MinMaxScaler``) instead of dividing by zero.
"""

import numpy as np


class NotFittedError(ValueError, AttributeError):
    """``transform`` before ``fit`` (scikit-learn's exception of the same name and bases)."""


def _check_X(X, name, n_features=None):
    if not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name}: expected an array of numbers, "
                            f"got {type(X).__name__}") from None
    if X.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array (N, D), got shape {tuple(X.shape)}; "
                         "reshape a single feature with X.reshape(-1, 1), a single sample with "
                         "X.reshape(1, -1)")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise TypeError(f"{name}: expected numbers, got dtype {X.dtype}")
    if X.shape[0] == 0:
        raise ValueError(f"{name}: found an array with 0 samples, shape {tuple(X.shape)}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name}: X has {X.shape[1]} features, but the scaler was fitted "
                         f"on {n_features}")
    X = X.astype(np.float64)   # a copy: never modify the caller's array
    if not np.isfinite(X).all():
        raise ValueError(f"{name}: X contains NaN or infinity")
    return X


class _Scaler:
    _fitted_attr = ""

    def fit_transform(self, X, y=None):
        """``fit(X)`` then ``transform(X)``; ``y`` is ignored (scikit-learn's signature)."""
        return self.fit(X, y).transform(X)

    def _check_fitted(self, method):
        if getattr(self, self._fitted_attr, None) is None:
            raise NotFittedError(f"{type(self).__name__}.{method}: this scaler is not fitted "
                                 "yet; call fit(X_train) first")
        return self.n_features_in_


class StandardScaler(_Scaler):
    """Standardize each feature: ``z = (x - mean_) / scale_``.

    ``fit(X)`` learns ``mean_`` (D,), ``var_`` (D,) (the biased variance, dividing by N, as
    ``X.var(axis=0)``), ``scale_ = sqrt(var_)`` (1 for a constant feature), ``n_samples_seen_``
    and ``n_features_in_``. ``with_mean=False`` skips centering, ``with_std=False`` skips scaling
    (``var_`` and ``scale_`` are None; ``mean_`` too when both are off), as scikit-learn.
    """

    _fitted_attr = "n_features_in_"

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = bool(with_mean)
        self.with_std = bool(with_std)
        self.n_features_in_ = None

    def fit(self, X, y=None):
        """Learn the per-feature mean and standard deviation of X (N, D); returns ``self``."""
        X = _check_X(X, "StandardScaler.fit")
        n = X.shape[0]
        mean = X.mean(axis=0)
        self.mean_ = mean if (self.with_mean or self.with_std) else None
        if self.with_std:
            self.var_ = X.var(axis=0)
            # scikit-learn's test for "constant up to rounding" (a two-pass variance's error bound)
            eps = np.finfo(np.float64).eps
            constant = self.var_ <= n * eps * self.var_ + (n * mean * eps) ** 2
            self.scale_ = np.where(constant, 1.0, np.sqrt(self.var_))
        else:
            self.var_ = self.scale_ = None
        self.n_samples_seen_ = n
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """X (N, D) -> (X - mean_) / scale_, a new (N, D) array."""
        X = _check_X(X, "StandardScaler.transform", self._check_fitted("transform"))
        if self.with_mean:
            X -= self.mean_
        if self.with_std:
            X /= self.scale_
        return X

    def inverse_transform(self, X):
        """Undo ``transform``: Z (N, D) -> Z * scale_ + mean_."""
        X = _check_X(X, "StandardScaler.inverse_transform",
                     self._check_fitted("inverse_transform"))
        if self.with_std:
            X *= self.scale_
        if self.with_mean:
            X += self.mean_
        return X

    def __repr__(self):
        args = [f"{k}=False" for k in ("with_mean", "with_std") if not getattr(self, k)]
        return f"StandardScaler({', '.join(args)})"


class MinMaxScaler(_Scaler):
    """Rescale each feature linearly to ``feature_range`` (default (0, 1)):
    ``x_scaled = x * scale_ + min_``.

    ``fit(X)`` learns ``data_min_``, ``data_max_``, ``data_range_ = data_max_ - data_min_``,
    ``scale_ = (hi - lo) / data_range_`` (a zero range counts as 1) and
    ``min_ = lo - data_min_ * scale_``, all (D,), as scikit-learn. ``clip=True`` clips transformed
    values to ``feature_range`` (new data can fall outside the training range).
    """

    _fitted_attr = "n_features_in_"

    def __init__(self, feature_range=(0, 1), *, clip=False):
        try:
            lo, hi = (float(v) for v in feature_range)
        except (TypeError, ValueError):
            raise ValueError(f"MinMaxScaler: feature_range must be a pair (min, max), "
                             f"got {feature_range!r}") from None
        if not lo < hi:
            raise ValueError(f"MinMaxScaler: the minimum of feature_range must be smaller than "
                             f"its maximum, got {feature_range!r}")
        self.feature_range = (lo, hi)
        self.clip = bool(clip)
        self.n_features_in_ = None

    def fit(self, X, y=None):
        """Learn the per-feature minimum and maximum of X (N, D); returns ``self``."""
        X = _check_X(X, "MinMaxScaler.fit")
        lo, hi = self.feature_range
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        # scikit-learn treats a range below 10 machine epsilons as constant
        safe_range = np.where(self.data_range_ < 10 * np.finfo(np.float64).eps, 1.0,
                              self.data_range_)
        self.scale_ = (hi - lo) / safe_range
        self.min_ = lo - self.data_min_ * self.scale_
        self.n_samples_seen_ = X.shape[0]
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """X (N, D) -> X * scale_ + min_ (clipped to feature_range if ``clip``), a new array."""
        X = _check_X(X, "MinMaxScaler.transform", self._check_fitted("transform"))
        X *= self.scale_
        X += self.min_
        if self.clip:
            np.clip(X, *self.feature_range, out=X)
        return X

    def inverse_transform(self, X):
        """Undo ``transform``: X_scaled (N, D) -> (X_scaled - min_) / scale_."""
        X = _check_X(X, "MinMaxScaler.inverse_transform", self._check_fitted("inverse_transform"))
        X -= self.min_
        X /= self.scale_
        return X

    def __repr__(self):
        args = []
        if self.feature_range != (0.0, 1.0):
            args.append(f"feature_range=({self.feature_range[0]:g}, {self.feature_range[1]:g})")
        if self.clip:
            args.append("clip=True")
        return f"MinMaxScaler({', '.join(args)})"
