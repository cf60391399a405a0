"""Loss functions: ``forward(pred, target) -> float`` and ``backward() -> dL/dpred``.

All use mean reduction, as PyTorch does by default: MSE averages over every element, the
cross-entropies over the samples. All are finite and warning-free on extreme inputs (probabilities
of exactly 0 or 1, logits of ±1000), and raise a readable ``ValueError`` on mismatched shapes or
labels out of range.
"""

import numpy as np

from . import functions as F

#: probabilities are clipped to [EPS, 1 - EPS] before a log (as Keras does), so log(0) never happens
EPS = 1e-12


def _pair(pred, target, name):
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape:
        raise ValueError(f"{name}: pred and target must have the same shape, got pred {pred.shape} "
                         f"and target {target.shape}")
    if pred.size == 0:
        raise ValueError(f"{name}: got empty arrays")
    if np.isnan(pred).any() or np.isnan(target).any():
        raise ValueError(f"{name}: pred and target must not contain NaN")
    return pred, target


def _targets_in_unit_interval(target, name):
    if np.any((target < 0) | (target > 1)):
        raise ValueError(f"{name}: target must be in [0, 1], got values from {target.min():.4g} "
                         f"to {target.max():.4g}")


class Loss:
    """Base class: ``loss(pred, target)`` is ``loss.forward(pred, target)``."""

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def __repr__(self):
        return f"{type(self).__name__}()"


class MSELoss(Loss):
    """Mean squared error ``mean((pred - target)**2)`` over all elements (regression).

    ``backward``: ``2 (pred - target) / n`` with ``n = pred.size``.
    """

    def forward(self, pred, target):
        pred, target = _pair(pred, target, "MSELoss")
        self._diff = pred - target
        return float(np.mean(self._diff ** 2))

    def backward(self):
        return 2.0 * self._diff / self._diff.size


class BCELoss(Loss):
    """Binary cross-entropy on probabilities ``p`` in [0, 1] and targets ``y`` in [0, 1]:
    ``-mean(y log p + (1 - y) log(1 - p))``.

    ``p`` is clipped to ``[EPS, 1 - EPS]`` so ``p = 0`` or ``1`` gives a large but finite loss.
    ``backward``: ``(p - y) / (p (1 - p)) / n`` (on the clipped ``p``). Prefer
    :class:`BCEWithLogitsLoss` after a sigmoid: it is exact where this one has to clip.
    """

    def forward(self, pred, target):
        pred, target = _pair(pred, target, "BCELoss")
        if np.any((pred < 0) | (pred > 1)):
            raise ValueError("BCELoss: pred must be probabilities in [0, 1]; "
                             f"got values from {pred.min():.4g} to {pred.max():.4g} "
                             "(for raw scores use BCEWithLogitsLoss)")
        _targets_in_unit_interval(target, "BCELoss")
        self._p = np.clip(pred, EPS, 1 - EPS)
        self._y = target
        return float(-np.mean(target * np.log(self._p) + (1 - target) * np.log(1 - self._p)))

    def backward(self):
        p, y = self._p, self._y
        return (p - y) / (p * (1 - p)) / p.size


class BCEWithLogitsLoss(Loss):
    """Sigmoid + binary cross-entropy fused, on raw scores (logits) ``z``.

    ``loss = mean(max(z, 0) - z y + log(1 + exp(-|z|)))``: the same value as
    ``BCELoss(sigmoid(z), y)`` without ever computing ``log(0)`` or ``exp(1000)``.
    ``backward``: ``(sigmoid(z) - y) / n``.
    """

    def forward(self, pred, target):
        z, y = _pair(pred, target, "BCEWithLogitsLoss")
        _targets_in_unit_interval(y, "BCEWithLogitsLoss")
        self._z, self._y = z, y
        return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    def backward(self):
        return (F.sigmoid(self._z) - self._y) / self._z.size


class CrossEntropyLoss(Loss):
    """Softmax + categorical cross-entropy fused, on raw scores (logits), as in PyTorch.

    ``pred``: logits (N, C). ``target``: integer class labels (N,) in ``0..C-1``, or one-hot /
    probability rows (N, C) that are >= 0 and sum to 1.
    ``loss = -mean_i sum_c y_ic log softmax(z_i)_c``, computed with log-sum-exp so logits of ±1000
    are fine. ``backward``: ``(softmax(z) - y) / N``.

    Sequences: logits (N, T, C) (any leading dimensions, classes last) with labels (N, T) are
    treated as N*T samples: the mean runs over every position. PyTorch wants the classes second
    instead, logits (N, C, T): ``nn.CrossEntropyLoss()(z.transpose(1, 2), y)`` is our ``(z, y)``.
    """

    def forward(self, pred, target):
        z = np.asarray(pred, dtype=np.float64)
        target = np.asarray(target)
        self._shape = z.shape
        # (N, T, C): one row per position
        if z.ndim > 2 and target.shape in (z.shape[:-1], z.shape):
            target = target.reshape((-1,) + target.shape[z.ndim - 1:])
            z = z.reshape(-1, z.shape[-1])
        if z.ndim != 2:
            raise ValueError(f"CrossEntropyLoss: expected logits of shape (N, C) with labels (N,), "
                             f"or (N, ..., C) with labels (N, ...), got logits {z.shape} and "
                             f"labels {target.shape}")
        n, c = z.shape
        if target.shape == (n,):
            if not np.issubdtype(target.dtype, np.integer):
                if not np.all(np.mod(target, 1) == 0):
                    raise ValueError("CrossEntropyLoss: integer labels expected, got non-integers")
                target = target.astype(np.int64)
            if target.size and (target.min() < 0 or target.max() >= c):
                raise ValueError(f"CrossEntropyLoss: labels must be in 0..{c - 1}, got values from "
                                 f"{target.min()} to {target.max()}")
            y = np.zeros((n, c))
            y[np.arange(n), target] = 1.0
        elif target.shape == (n, c):
            y = target.astype(np.float64)
            sums = y.sum(axis=1)
            if np.any(y < 0) or not np.allclose(sums, 1.0, atol=1e-6):
                raise ValueError("CrossEntropyLoss: one-hot or probability targets must be >= 0 "
                                 "with rows summing to 1, got row sums from "
                                 f"{sums.min():.4g} to {sums.max():.4g}")
        else:
            raise ValueError(f"CrossEntropyLoss: target must be labels of shape ({n},) or one-hot "
                             f"of shape ({n}, {c}), got {target.shape}")
        if n == 0:
            raise ValueError("CrossEntropyLoss: got an empty batch")
        log_p = F.log_softmax(z, axis=1)
        self._p, self._y = np.exp(log_p), y
        return float(-np.sum(y * log_p) / n)

    def backward(self):
        return ((self._p - self._y) / self._p.shape[0]).reshape(self._shape)
