"""Training a model: the loop every chapter writes, once, with a PyTorch-like feel.

The whole idea is four lines per step::

    scores = model.forward(X)                 # 1. forward pass
    loss = loss_fn(scores, y)                 # 2. loss
    model.backward(loss_fn.backward())        # 3. backward pass: fills every grad
    for p, g in model.parameters():           # 4. update (plain SGD)
        p -= lr * g

:func:`fit` repeats it for a number of epochs, over the whole set or over shuffled minibatches,
records the loss and accuracy in a :class:`History`, and calls your callbacks (for example a
:class:`Snapshots` that saves the decision boundary for an animation).
"""

import numpy as np

from ._kernel import in_kernel

__all__ = ["History", "Snapshots", "fit", "accuracy", "predict"]


class History:
    """Per-epoch training loss and accuracy (``nan`` when the targets are not class labels).

    Both are measured on the batches seen during the epoch, before each update, averaged over the
    samples (as Keras and most PyTorch loops report them).
    """

    def __init__(self):
        self.loss = []
        self.accuracy = []

    @property
    def epochs(self):
        """``[1, 2, ..., len(self)]``."""
        return list(range(1, len(self.loss) + 1))

    def __len__(self):
        return len(self.loss)

    def __repr__(self):
        if not self.loss:
            return "History(epochs=0)"
        return (f"History(epochs={len(self)}, loss={self.loss[-1]:.4f}, "
                f"accuracy={self.accuracy[-1]:.4f})")


def _is_labels(y):
    return y.ndim == 1 and np.issubdtype(y.dtype, np.integer)


def accuracy(scores, y):
    """Fraction of samples whose highest score is the true class.

    ``scores``: (N, C) class scores (logits or probabilities), or (N,) / (N, 1) binary logits
    (class 1 where the score is > 0). ``y``: (N,) integer labels. Returns a float in [0, 1].
    """
    scores = np.asarray(scores)
    y = np.asarray(y)
    if y.ndim != 1 or len(scores) != len(y):
        raise ValueError(f"accuracy: expected labels of shape ({len(scores)},), got {y.shape}")
    if scores.ndim == 2 and scores.shape[1] > 1:
        pred = scores.argmax(axis=1)
    elif scores.ndim == 1 or (scores.ndim == 2 and scores.shape[1] == 1):
        pred = (scores.reshape(-1) > 0).astype(np.int64)
    else:
        raise ValueError(f"accuracy: expected scores of shape (N, C) or (N,), got {scores.shape}")
    return float(np.mean(pred == y))


def predict(model, X):
    """Class labels (N,) the model predicts for ``X``: the arg-max of its scores, in eval mode.

    The model's train/eval mode is restored afterwards.
    """
    was_training = getattr(model, "training", True)
    if hasattr(model, "eval"):
        model.eval()
    try:
        scores = np.asarray(model.forward(np.asarray(X, dtype=np.float64)))
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores.argmax(axis=1)
    return (scores.reshape(-1) > 0).astype(np.int64)


class Snapshots:
    """A callback saving the predicted class on a grid over ``X``: the decision boundary's movie.

    ``fit(..., callbacks=[snaps], every=k)`` calls it every ``k`` epochs; with ``at=[0, 1, 2, 4,
    ...]`` it records only at those epochs (most of the change happens early). Afterwards
    ``snaps.epochs`` (list of ints), ``snaps.grids`` (array (T, R, R) of class labels),
    ``snaps.loss`` and ``snaps.accuracy`` (the history at that epoch), and ``snaps.extent``
    (``(x_min, x_max, y_min, y_max)`` for ``imshow``) hold the frames.
    """

    def __init__(self, X, resolution=100, margin=0.3, at=None):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"Snapshots: expected 2-D points X of shape (N, 2), got {X.shape}")
        if not isinstance(resolution, (int, np.integer)) or resolution < 2:
            raise ValueError(f"Snapshots: resolution must be an integer >= 2, got {resolution!r}")
        lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
        xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
        xx, yy = np.meshgrid(xs, ys)
        self.points = np.column_stack([xx.ravel(), yy.ravel()])
        self.shape = xx.shape
        self.extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        self.at = None if at is None else {int(e) for e in at}
        self.epochs, self._grids, self.loss, self.accuracy = [], [], [], []

    def __call__(self, epoch, model, history):
        if self.at is not None and epoch not in self.at:
            return
        self.epochs.append(int(epoch))
        self._grids.append(predict(model, self.points).reshape(self.shape).astype(np.int8))
        self.loss.append(history.loss[-1] if history.loss else float("nan"))
        self.accuracy.append(history.accuracy[-1] if history.accuracy else float("nan"))

    @property
    def grids(self):
        return np.array(self._grids)

    def __len__(self):
        return len(self.epochs)

    def __repr__(self):
        return f"Snapshots({len(self)} frames, grid {self.shape[0]}x{self.shape[1]})"


def _check_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"fit: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class _Progress:
    """An ipywidgets bar in a notebook; a text line every 10% elsewhere. Shows no timings."""

    def __init__(self, epochs):
        self.epochs = epochs
        self.bar = None
        if in_kernel():
            import ipywidgets as W
            from IPython.display import display

            self.bar = W.IntProgress(value=0, min=0, max=epochs, description="epochs")
            self.label = W.Label(value="")
            display(W.HBox([self.bar, self.label]))

    def update(self, epoch, history):
        text = f"epoch {epoch}/{self.epochs}  loss {history.loss[-1]:.4f}"
        if not np.isnan(history.accuracy[-1]):
            text += f"  accuracy {history.accuracy[-1]:.3f}"
        if self.bar is not None:
            self.bar.value = epoch
            self.label.value = text
        elif epoch == self.epochs or epoch % max(1, self.epochs // 10) == 0:
            print(text)


def fit(model, loss_fn, X, y, *, epochs, lr=0.1, optimizer=None, batch_size=None, rng=None,
        callbacks=(), every=1, progress=False):
    """Train ``model`` on ``(X, y)``; returns a :class:`History`.

    - ``model``: has ``forward``, ``backward`` and ``parameters()`` (``(param, grad)`` pairs),
      like ``layers.Sequential``. ``loss_fn``: ``loss_fn(scores, y) -> float`` and
      ``loss_fn.backward()``, like ``losses.CrossEntropyLoss``.
    - ``epochs``: passes over the data. ``batch_size=None``: the whole set at once (full-batch
      gradient descent); else shuffled minibatches drawn with ``rng``.
    - Update: plain SGD ``p -= lr * g`` when ``optimizer`` is None; else any object with
      ``zero_grad()`` and ``step()`` (``course_lib.optim.SGD(model, lr=...)``, ``Adam``, ...).
    - ``callbacks``: functions ``callback(epoch, model, history)``, called before training
      (epoch 0), then after every ``every``-th epoch and after the last one.
    - ``progress=True``: a progress bar in a notebook (a text line every 10% elsewhere).
    """
    if not all(hasattr(model, m) for m in ("forward", "backward", "parameters")):
        raise ValueError(f"fit: model needs forward, backward and parameters(), got "
                         f"{type(model).__name__}")
    if not (callable(loss_fn) and hasattr(loss_fn, "backward")):
        raise ValueError(f"fit: loss_fn must be callable and have backward(), got "
                         f"{type(loss_fn).__name__}")
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.integer):  # integer token ids stay integers (Embedding)
        X = X.astype(np.float64)
    y = np.asarray(y)
    if X.ndim < 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"fit: X must be (N, ...) with N > 0 and y must have N rows, got X "
                         f"{X.shape} and y {y.shape}")
    epochs = _check_int("epochs", epochs)
    every = _check_int("every", every)
    if batch_size is not None:
        batch_size = _check_int("batch_size", batch_size)
    if optimizer is None:
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not lr > 0:
            raise ValueError(f"fit: lr must be a positive number, got {lr!r}")
    elif not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise ValueError(f"fit: optimizer must have step() and zero_grad(), got "
                         f"{type(optimizer).__name__}")
    callbacks = list(callbacks) if not callable(callbacks) else [callbacks]
    for cb in callbacks:
        if not callable(cb):
            raise ValueError(f"fit: every callback must be callable, got {type(cb).__name__}")
    rng = np.random.default_rng(rng)
    labels = _is_labels(y)
    n = len(X)
    size = n if batch_size is None else min(batch_size, n)

    history = History()
    bar = _Progress(epochs) if progress else None
    if hasattr(model, "train"):
        model.train()
    for cb in callbacks:
        cb(0, model, history)
    for epoch in range(1, epochs + 1):
        order = np.arange(n) if batch_size is None else rng.permutation(n)
        total_loss = total_correct = 0.0
        for start in range(0, n, size):
            idx = order[start:start + size]
            xb, yb = X[idx], y[idx]
            if optimizer is not None:
                optimizer.zero_grad()
            scores = model.forward(xb)                  # 1. forward
            loss = loss_fn(scores, yb)                  # 2. loss
            model.backward(loss_fn.backward())          # 3. backward
            if optimizer is None:                       # 4. update
                for p, g in model.parameters():
                    p -= lr * g
            else:
                optimizer.step()
            total_loss += float(loss) * len(idx)
            if labels:
                total_correct += accuracy(scores, yb) * len(idx)
        history.loss.append(total_loss / n)
        history.accuracy.append(total_correct / n if labels else float("nan"))
        if not np.isfinite(history.loss[-1]):
            raise FloatingPointError(f"fit: the loss became {history.loss[-1]} at epoch {epoch}; "
                                     f"try a smaller learning rate")
        if bar is not None:
            bar.update(epoch, history)
        if epoch % every == 0 or epoch == epochs:
            for cb in callbacks:
                cb(epoch, model, history)
    return history
