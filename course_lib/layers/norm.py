"""Normalization layers: ``BatchNorm1d``, ``BatchNorm2d`` (over the batch) and ``LayerNorm`` (over
the features).

All three compute ``out = gamma * x_hat + beta`` with ``x_hat = (x - mean) / sqrt(var + eps)``;
they differ only in which axes ``mean`` and ``var`` are taken over:

==============  ==================  ===========================  ==========================
layer           input               statistics over              one (gamma, beta) per
==============  ==================  ===========================  ==========================
BatchNorm1d     (N, C) or (N, C, L)  N (and L), per feature      feature C
BatchNorm2d     (N, C, H, W)        N, H, W, per channel         channel C
LayerNorm       (..., D)            the last axis D, per sample  feature D
==============  ==================  ===========================  ==========================

The backward pass is the same for all three. With ``m`` the number of values averaged and
``dx_hat = dout * gamma``::

    dx = (m * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)) / (m * sqrt(var + eps))

(sums over the same axes as the statistics). Two consequences a gradient check must respect:
``dx`` sums to zero over those axes, so an all-ones ``dout`` gives ``dx = 0`` (a real bug can
hide behind it), and with ``m == 1`` the output is the constant ``beta`` and every gradient
check passes vacuously. PyTorch refuses ``m == 1`` in training mode; so do we.
"""

import numpy as np

from .core import Layer, check_shape


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_hyper(name, num_features, eps, what="num_features"):
    # a non-integer size is a ValueError, as in Dense; a non-number eps is a TypeError
    if not isinstance(num_features, (int, np.integer)) or isinstance(num_features, bool) \
            or num_features < 1:
        raise ValueError(f"{name}: {what} must be a positive integer, got {num_features!r}")
    if not _is_number(eps):
        raise TypeError(f"{name}: eps must be a number, got {type(eps).__name__}")
    if not eps > 0:
        raise ValueError(f"{name}: eps must be positive, got {eps!r}")
    return int(num_features), float(eps)


def _normalize_backward(dout, x_hat, gamma, inv_std, axes, m):
    """The compact batch-norm / layer-norm backward: ``dx`` from ``dout`` and the forward's cache.

    ``axes`` are the axes the statistics were taken over, ``m`` the number of values in each."""
    dx_hat = dout * gamma
    sum_dx_hat = dx_hat.sum(axis=axes, keepdims=True)
    sum_dx_hat_x_hat = (dx_hat * x_hat).sum(axis=axes, keepdims=True)
    return inv_std * (m * dx_hat - sum_dx_hat - x_hat * sum_dx_hat_x_hat) / m


class _BatchNorm(Layer):
    """Shared code of ``BatchNorm1d`` and ``BatchNorm2d``: statistics over every axis but 1."""

    _layout = ()         # accepted input shapes, "C" standing for num_features

    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        super().__init__()
        name = type(self).__name__
        num_features, eps = _check_hyper(name, num_features, eps)
        if momentum is not None and not _is_number(momentum):
            raise TypeError(f"{name}: momentum must be a number or None, "
                            f"got {type(momentum).__name__}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1], got {momentum!r}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = None if momentum is None else float(momentum)
        self.params = {"gamma": np.ones(num_features), "beta": np.zeros(num_features)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.num_batches_tracked = 0
        self._cache = None

    def _check_input(self, x):
        name = f"{type(self).__name__} input"
        if not isinstance(x, np.ndarray):
            x = check_shape(x, (None,) * np.ndim(x), name)   # a readable error for non-numbers
        layouts = [tuple(self.num_features if d == "C" else d for d in lay) for lay in self._layout]
        if not any(x.ndim == len(lay) and x.shape[1] == self.num_features for lay in layouts):
            want = " or ".join("(" + ", ".join("N" if d is None else str(d) for d in lay) + ")"
                               for lay in layouts)
            raise ValueError(f"{name}: expected shape {want}, got {tuple(x.shape)}")
        return np.asarray(x, dtype=np.float64)

    def _shape(self, x):
        """(axes of the statistics, broadcast shape of a per-channel vector)."""
        axes = (0,) + tuple(range(2, x.ndim))
        return axes, (1, self.num_features) + (1,) * (x.ndim - 2)

    def forward(self, x):
        """Normalize ``x`` with the batch's statistics (training) or the running ones (eval).

        x: (N, C, *) -> out of the same shape. In training mode, also updates ``running_mean``
        and ``running_var``.
        """
        x = self._check_input(x)
        axes, bshape = self._shape(x)
        gamma = self.params["gamma"].reshape(bshape)
        beta = self.params["beta"].reshape(bshape)
        if self.training:
            m = x.size // self.num_features
            if m < 2:
                raise ValueError(f"{type(self).__name__}: expected more than 1 value per channel "
                                 f"in training mode, got input shape {tuple(x.shape)} (with one "
                                 "value the output is the constant beta; use eval() for single "
                                 "samples)")
            mean = x.mean(axis=axes, keepdims=True)
            var = x.var(axis=axes, keepdims=True)  # biased (divides by m): used to normalize
            self._update_running(mean.reshape(-1), var.reshape(-1) * m / (m - 1))  # unbiased
        else:
            m = x.size // self.num_features
            mean = self.running_mean.reshape(bshape)
            var = self.running_var.reshape(bshape)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mean) * inv_std
        self._cache = (x_hat, inv_std, axes, m, self.training, x.shape)
        return gamma * x_hat + beta

    def _update_running(self, mean, unbiased_var):
        self.num_batches_tracked += 1
        # momentum=None: a cumulative average over every batch so far (PyTorch's option)
        w = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
        self.running_mean[...] = (1 - w) * self.running_mean + w * mean
        self.running_var[...] = (1 - w) * self.running_var + w * unbiased_var

    def backward(self, dout):
        """dout: (N, C, *) like the output -> dx of the same shape; writes dgamma, dbeta (C,)."""
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        x_hat, inv_std, axes, m, training, shape = self._cache
        dout = np.asarray(dout, dtype=np.float64)
        if dout.shape != shape:
            raise ValueError(f"{type(self).__name__}.backward: expected dout of shape {shape}, "
                             f"got {tuple(dout.shape)}")
        gamma = self.params["gamma"].reshape((1, self.num_features) + (1,) * (len(shape) - 2))
        self.grads["gamma"][...] = (dout * x_hat).sum(axis=axes)
        self.grads["beta"][...] = dout.sum(axis=axes)
        if not training:    # eval: mean and var are constants, the layer is an affine map
            return dout * gamma * inv_std
        return _normalize_backward(dout, x_hat, gamma, inv_std, axes, m)

    def __repr__(self):
        return (f"{type(self).__name__}({self.num_features}, eps={self.eps:g}, "
                f"momentum={self.momentum})")


class BatchNorm1d(_BatchNorm):
    """Batch normalization per feature, PyTorch's ``nn.BatchNorm1d``.

    Shapes: x (N, C) or (N, C, L) -> out of the same shape; ``gamma``, ``beta``,
    ``running_mean``, ``running_var`` (C,). PyTorch calls ``gamma``/``beta`` ``weight``/``bias``.

    Training mode, with ``m = N`` (or ``N * L``) values per feature::

        mean = x.mean(0);  var = x.var(0)                      # biased, divides by m
        out = gamma * (x - mean) / sqrt(var + eps) + beta
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var  = (1 - momentum) * running_var  + momentum * var * m / (m - 1)   # unbiased

    Eval mode normalizes with ``running_mean`` and ``running_var`` instead (they start at 0 and 1).

    Conventions are PyTorch's: ``momentum=0.1`` weights the NEW batch. CS231n's assignments and
    "Deep Learning from Scratch" write ``running = momentum * running + (1 - momentum) * batch``
    with ``momentum=0.9``: the same update with momentum as the keep ratio (their 0.9 is our 0.1),
    and they store the biased variance. ``momentum=None`` keeps a cumulative average of all batches.
    """

    _layout = ((None, "C"), (None, "C", "L"))


class BatchNorm2d(_BatchNorm):
    """Batch normalization per channel, PyTorch's ``nn.BatchNorm2d``.

    Shapes: x (N, C, H, W) -> out of the same shape; ``gamma``, ``beta``, ``running_mean``,
    ``running_var`` (C,). The statistics of channel ``c`` are over ``x[:, c, :, :]``, that is
    ``m = N * H * W`` values: every position of a feature map shares one mean and one scale,
    as a convolution shares one kernel. Everything else is ``BatchNorm1d``'s (see its docstring
    for the running-statistics update and the CS231n/DLFS momentum convention).
    """

    _layout = ((None, "C", "H", "W"),)


class LayerNorm(Layer):
    """Layer normalization over the last axis, PyTorch's ``nn.LayerNorm(normalized_shape)`` with an
    int ``normalized_shape``.

    Shapes: x (..., D) -> out of the same shape (any leading dimensions: (N, D), (N, T, D));
    ``gamma``, ``beta`` (D,). Every sample (every token) is normalized over its own D features::

        mean = x.mean(-1);  var = x.var(-1)                    # biased, divides by D
        out = gamma * (x - mean) / sqrt(var + eps) + beta

    ``LayerNorm(num_features=D)`` is accepted too (BatchNorm's name for the same number).
    No running statistics and no difference between training and eval mode: the statistics never
    involve other samples, so a batch of one is fine. PyTorch calls ``gamma``/``beta``
    ``weight``/``bias``.
    """

    def __init__(self, normalized_shape=None, *, eps=1e-5, num_features=None):
        super().__init__()
        if num_features is not None:        # the name BatchNorm uses, accepted as an alias
            if normalized_shape is not None:
                raise TypeError("LayerNorm: give normalized_shape or num_features, not both")
            normalized_shape = num_features
        if normalized_shape is None:
            raise TypeError("LayerNorm: missing normalized_shape (the size D of the last axis)")
        if isinstance(normalized_shape, (tuple, list)) and len(normalized_shape) == 1:
            normalized_shape = normalized_shape[0]
        self.normalized_shape, self.eps = _check_hyper("LayerNorm", normalized_shape, eps,
                                                       "normalized_shape (an int)")
        self.num_features = d = self.normalized_shape
        self.params = {"gamma": np.ones(d), "beta": np.zeros(d)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cache = None

    def forward(self, x):
        """x: (..., D) -> out (..., D), each row normalized over its last axis."""
        if not isinstance(x, np.ndarray):
            x = check_shape(x, (None,) * np.ndim(x), "LayerNorm input")
        if x.ndim == 0 or x.shape[-1] != self.normalized_shape:
            raise ValueError(f"LayerNorm input: expected shape (..., {self.normalized_shape}), "
                             f"got {tuple(x.shape)}")
        x = np.asarray(x, dtype=np.float64)
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = (x - mean) * inv_std
        self._cache = (x_hat, inv_std, x.shape)
        return self.params["gamma"] * x_hat + self.params["beta"]

    def backward(self, dout):
        """dout: (..., D) -> dx (..., D); writes dgamma, dbeta (D,) summed over the leading axes."""
        if self._cache is None:
            raise RuntimeError("LayerNorm.backward called before forward")
        x_hat, inv_std, shape = self._cache
        dout = np.asarray(dout, dtype=np.float64)
        if dout.shape != shape:
            raise ValueError(f"LayerNorm.backward: expected dout of shape {shape}, "
                             f"got {tuple(dout.shape)}")
        lead = tuple(range(len(shape) - 1))
        self.grads["gamma"][...] = (dout * x_hat).sum(axis=lead)
        self.grads["beta"][...] = dout.sum(axis=lead)
        return _normalize_backward(dout, x_hat, self.params["gamma"], inv_std, (-1,), shape[-1])

    def __repr__(self):
        return f"LayerNorm({self.normalized_shape}, eps={self.eps:g})"
