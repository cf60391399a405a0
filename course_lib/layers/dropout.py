"""Dropout: the first layer whose forward pass depends on the train/eval mode.

In training, every element of the input is dropped (set to 0) with probability ``p`` and the
survivors are scaled by ``1 / (1 - p)`` ("inverted" dropout), so the expected output equals the
input and nothing has to change at test time: in evaluation mode the layer is the identity.
"""

import contextlib
import numbers

import numpy as np

from .core import Layer


class Dropout(Layer):
    """Inverted dropout, PyTorch's ``nn.Dropout(p)``: ``p`` is the probability of DROPPING.

    Shapes: x (N, *) -> out (N, *), the same shape; no parameters.

    - Training mode: draws ``mask = rng.random(x.shape) >= p`` (True = kept, with probability
      ``1 - p``) and returns ``x * mask / (1 - p)``; ``backward(dout)`` returns
      ``dout * mask / (1 - p)`` through the SAME mask, kept in ``self.mask`` until the next
      forward. ``p = 1`` drops everything and returns zeros (as PyTorch does).
    - Evaluation mode (``layer.eval()``), or ``p = 0``: the identity; ``backward`` passes ``dout``
      through unchanged.

    Every training forward draws a fresh mask, so a finite-difference gradient check, which calls
    ``forward`` again and again, would compare against a different mask each time. Hold the mask
    fixed while checking::

        drop = Dropout(0.5, rng=0)
        with drop.freeze_mask():                 # the first forward draws, later ones reuse it
            errors = check_layer_gradients(drop, x)

    Inside ``freeze_mask()`` a training forward reuses ``self.mask`` when its shape matches ``x``
    (it draws one only when there is none yet or the shape changed); on leaving, the previous
    setting is restored. ``drop.frozen`` tells which setting is active.
    ``rng``: an ``int`` seed or a ``np.random.Generator``; the masks come from it in order.
    """

    def __init__(self, p=0.5, *, rng=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"Dropout: p must be a number in [0, 1], got {type(p).__name__}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p is the probability of dropping an element and must be "
                             f"in [0, 1], got {p!r}")
        self.p = float(p)
        self.rng = np.random.default_rng(rng)
        self.mask = None      # boolean, True where kept; None until a training forward
        self.frozen = False

    @contextlib.contextmanager
    def freeze_mask(self):
        """Context manager: training forwards reuse the current mask (for gradient checks)."""
        previous, self.frozen = self.frozen, True
        try:
            yield self
        finally:
            self.frozen = previous

    def _scale(self):
        # p = 1 keeps nothing: the output is 0 whatever the scale, so avoid dividing by zero
        return 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)

    def forward(self, x):
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)
        if x.ndim == 0:
            raise ValueError("Dropout input: expected an array of shape (N, *), got a scalar")
        self._identity = not self.training or self.p == 0.0
        if self._identity:
            return x.copy()   # a copy, so that changing the output never changes the input
        if not (self.frozen and self.mask is not None and self.mask.shape == x.shape):
            self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask * x.dtype.type(self._scale())

    def backward(self, dout):
        dout = np.asarray(dout)
        if getattr(self, "_identity", None) is None:
            raise RuntimeError("Dropout.backward called before forward")
        if self._identity:
            return dout.copy()
        if dout.shape != self.mask.shape:
            raise ValueError(f"Dropout backward: expected dout of shape {self.mask.shape} (the "
                             f"forward's output), got {dout.shape}")
        return dout * self.mask * self._scale()    # the same mask and scale as the forward

    def __repr__(self):
        return f"Dropout(p={self.p})"
