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

With ``validation=(X_val, y_val)`` it also measures the model on held-out data after every epoch
(in eval mode: dropout off), and an :class:`EarlyStopping` callback can stop training when that
validation loss stops improving and put the best parameters back.

The callback protocol
---------------------
- ``callback(epoch, model, history)`` is called before training (``epoch = 0``, empty history),
  then after every ``every``-th epoch and after the last one.
- To stop training, a callback sets ``history.stop_training = True``: ``fit`` finishes that
  epoch's callbacks, records ``history.stopped_epoch = epoch`` and returns.
- A callback may also have a method ``on_train_end(model, history)``: ``fit`` calls it once when
  training ends, stopped early or not (``EarlyStopping`` restores the best parameters there).
"""

import numpy as np

from ._kernel import in_kernel

__all__ = ["EarlyStopping", "History", "Snapshots", "accuracy", "evaluate", "fit", "predict"]


class History:
    """Per-epoch training loss and accuracy (``nan`` when the targets are not class labels).

    ``loss`` and ``accuracy`` are measured on the batches seen during the epoch, before each
    update, averaged over the samples (as Keras and most PyTorch loops report them).
    ``val_loss`` and ``val_accuracy`` (empty unless ``fit`` had ``validation=``) are measured on
    the held-out set after the epoch's last update, in eval mode. ``stop_training``: a callback
    sets it to stop ``fit``; ``stopped_epoch`` is then the epoch it stopped after (else None).
    """

    def __init__(self):
        self.loss = []
        self.accuracy = []
        self.val_loss = []
        self.val_accuracy = []
        self.stop_training = False
        self.stopped_epoch = None

    @property
    def epochs(self):
        """``[1, 2, ..., len(self)]``."""
        return list(range(1, len(self.loss) + 1))

    def __len__(self):
        return len(self.loss)

    def __repr__(self):
        if not self.loss:
            return "History(epochs=0)"
        text = (f"History(epochs={len(self)}, loss={self.loss[-1]:.4f}, "
                f"accuracy={self.accuracy[-1]:.4f}")
        if self.val_loss:
            text += f", val_loss={self.val_loss[-1]:.4f}, val_accuracy={self.val_accuracy[-1]:.4f}"
        return text + ")"


def _is_labels(y):
    """Integer class labels: (N,) for one label per sample, (N, T, ...) for one per position."""
    return y.ndim >= 1 and np.issubdtype(y.dtype, np.integer)


def _scored(scores, y):
    """``accuracy(scores, y)``, or ``nan`` when ``y`` is not labels ``scores`` can be read against
    (a custom loss may compare only part of a sequence's scores with its labels)."""
    if not _is_labels(y) or (y.ndim >= 2 and np.shape(scores)[:-1] != y.shape):
        return float("nan")
    return accuracy(scores, y)


def accuracy(scores, y):
    """Fraction of samples whose highest score is the true class.

    ``scores``: (N, C) class scores (logits or probabilities), or (N,) / (N, 1) binary logits
    (class 1 where the score is > 0). ``y``: (N,) integer labels. Returns a float in [0, 1].
    For sequences, ``scores`` (N, T, ..., C) and labels ``y`` (N, T, ...): the fraction of
    positions (tokens) whose highest score is the true class.
    """
    scores = np.asarray(scores)
    y = np.asarray(y)
    if y.ndim >= 2:
        if scores.shape[:-1] != y.shape or scores.ndim != y.ndim + 1:
            raise ValueError(f"accuracy: labels of shape {y.shape} need scores of shape "
                             f"{y.shape + ('C',)}, got {scores.shape}")
        return float(np.mean(scores.argmax(axis=-1) == y))
    if y.ndim != 1 or len(scores) != len(y):
        raise ValueError(f"accuracy: expected labels of shape ({len(scores)},), got {y.shape}")
    if scores.ndim == 2 and scores.shape[1] > 1:
        pred = scores.argmax(axis=1)
    elif scores.ndim == 1 or (scores.ndim == 2 and scores.shape[1] == 1):
        pred = (scores.reshape(-1) > 0).astype(np.int64)
    else:
        raise ValueError(f"accuracy: expected scores of shape (N, C) or (N,), got {scores.shape}")
    return float(np.mean(pred == y))


def _modes(model):
    """``[(obj, obj.training), ...]`` for the model and every layer inside it (``layers`` lists
    and layer attributes), so that a mode can be put back exactly, layer by layer."""
    found, stack, seen = [], [model], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen or not hasattr(obj, "training"):
            continue
        seen.add(id(obj))
        found.append((obj, obj.training))
        for value in getattr(obj, "__dict__", {}).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            stack.extend(v for v in items if hasattr(v, "training") and hasattr(v, "forward"))
    return found


def _eval_forward(model, X):
    """``model.forward(X)`` in eval mode; every layer's previous mode is restored afterwards."""
    modes = _modes(model)
    if hasattr(model, "eval"):
        model.eval()
    try:
        return np.asarray(model.forward(X))
    finally:
        for obj, flag in modes:
            obj.training = flag


def predict(model, X):
    """Class labels (N,) the model predicts for ``X``: the arg-max of its scores, in eval mode.

    Scores (N, T, ..., C) of a sequence model give labels (N, T, ...) (the arg-max over the last
    axis); integer token ids in ``X`` stay integers. The model's train/eval mode (and every
    layer's) is restored afterwards.
    """
    scores = _eval_forward(model, _inputs(X))
    if scores.ndim >= 3:
        return scores.argmax(axis=-1)
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores.argmax(axis=1)
    return (scores.reshape(-1) > 0).astype(np.int64)


def evaluate(model, loss_fn, X, y):
    """``(loss, accuracy)`` of ``model`` on ``(X, y)`` in eval mode (dropout off), as floats.

    The accuracy is ``nan`` when ``y`` is not integer class labels. The model's train/eval mode is
    restored afterwards; no gradient is computed and no parameter changes.
    """
    X, y = _inputs(X), np.asarray(y)
    if X.ndim < 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"evaluate: X must be (N, ...) with N > 0 and y must have N rows, got X "
                         f"{X.shape} and y {y.shape}")
    scores = _eval_forward(model, X)
    return float(loss_fn(scores, y)), _scored(scores, y)


def _inputs(X):
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.integer):  # integer token ids stay integers (Embedding)
        X = X.astype(np.float64)
    return X


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


class EarlyStopping:
    """A callback: stop ``fit`` when ``monitor`` has not improved for ``patience`` epochs, and put
    the parameters of the best epoch back.

    ``monitor``: ``"val_loss"`` (default; needs ``fit(..., validation=...)``), ``"val_accuracy"``,
    ``"loss"`` or ``"accuracy"``. Losses must go down (``mode="min"``), accuracies up
    (``"max"``); ``mode="auto"`` picks from the name. After each epoch, with ``value`` the
    monitored number::

        improved = value < best - min_delta          # mode "min" ("max": value > best + min_delta)
        if improved: best, best_epoch = value, epoch; keep a copy of every parameter
        elif epoch - best_epoch >= patience: history.stop_training = True

    So with ``patience=3`` and the best epoch 10, training stops after epoch 13 (Keras's rule; a
    NaN never improves). ``restore_best=True``: when training ends (stopped or not) the saved
    values are copied back INTO the parameter arrays (``p[...] = best``), so the model, its layers
    and the optimizer keep holding the same arrays. (Keras restores only when it stopped early;
    the optimizer's own state, such as Adam's moments, is not rewound.) Afterwards ``best``,
    ``best_epoch`` and ``stopped_epoch`` (None if it never stopped) tell what happened.
    Use it with ``every=1`` (``fit``'s default): it only sees the epochs it is called at.
    """

    _MODES = (("val_loss", "min"), ("loss", "min"), ("val_accuracy", "max"), ("accuracy", "max"))

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, restore_best=True,
                 mode="auto"):
        modes = dict(self._MODES)
        if monitor not in modes:
            raise ValueError(f"EarlyStopping: monitor must be one of {sorted(modes)}, got "
                             f"{monitor!r}")
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)):
            raise TypeError(f"EarlyStopping: patience must be an int, got "
                            f"{type(patience).__name__}")
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float, np.number)):
            raise TypeError(f"EarlyStopping: min_delta must be a number, got "
                            f"{type(min_delta).__name__}")
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), float(min_delta)
        self.restore_best = bool(restore_best)
        self.mode = modes[monitor] if mode == "auto" else mode
        self._reset()

    def _reset(self):
        self.best = np.inf if self.mode == "min" else -np.inf
        self.best_epoch, self.stopped_epoch, self._best_params = 0, None, None

    def improved(self, value):
        """Would ``value`` count as an improvement on ``self.best``? (NaN never does.)"""
        if self.mode == "min":
            return bool(value < self.best - self.min_delta)
        return bool(value > self.best + self.min_delta)

    def __call__(self, epoch, model, history):
        if epoch == 0:                       # a new run of fit: forget the last one
            self._reset()
            return
        values = getattr(history, self.monitor)
        if not values:
            raise ValueError(f"EarlyStopping: monitor {self.monitor!r} has no values; pass "
                             f"fit(..., validation=(X_val, y_val))")
        value = float(values[-1])
        if self.improved(value):
            self.best, self.best_epoch = value, epoch
            if self.restore_best:
                self._best_params = [p.copy() for p, _ in model.parameters()]
        elif epoch - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch
            history.stop_training = True

    def on_train_end(self, model, history):
        if self.restore_best and self._best_params is not None:
            for (p, _), best in zip(model.parameters(), self._best_params):
                p[...] = best                # in place: the optimizer holds these very arrays

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
                f"min_delta={self.min_delta}, restore_best={self.restore_best})")


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
        if history.val_loss:
            text += f"  val_loss {history.val_loss[-1]:.4f}"
        if self.bar is not None:
            self.bar.value = epoch
            self.label.value = text
        elif epoch == self.epochs or epoch % max(1, self.epochs // 10) == 0:
            print(text)


def fit(model, loss_fn, X, y, *, epochs, lr=0.1, optimizer=None, batch_size=None, rng=None,
        callbacks=(), every=1, progress=False, validation=None):
    """Train ``model`` on ``(X, y)``; returns a :class:`History`.

    - ``model``: has ``forward``, ``backward`` and ``parameters()`` (``(param, grad)`` pairs),
      like ``layers.Sequential``. ``loss_fn``: ``loss_fn(scores, y) -> float`` and
      ``loss_fn.backward()``, like ``losses.CrossEntropyLoss``.
    - ``epochs``: passes over the data. ``batch_size=None``: the whole set at once (full-batch
      gradient descent); else shuffled minibatches drawn with ``rng``.
    - Update: plain SGD ``p -= lr * g`` when ``optimizer`` is None; else any object with
      ``zero_grad()`` and ``step()`` (``course_lib.optim.SGD(model, lr=...)``, ``Adam``, ...).
    - ``callbacks``: functions ``callback(epoch, model, history)``, called before training
      (epoch 0), then after every ``every``-th epoch and after the last one; one may stop
      training (see the module docstring and :class:`EarlyStopping`).
    - ``validation=(X_val, y_val)``: after every epoch, the loss and accuracy on this held-out
      set, in eval mode (the model's mode is restored), go into ``history.val_loss`` and
      ``history.val_accuracy``. The held-out set is never trained on.
    - ``progress=True``: a progress bar in a notebook (a text line every 10% elsewhere).
    The model is left in training mode.
    """
    if not all(hasattr(model, m) for m in ("forward", "backward", "parameters")):
        raise ValueError(f"fit: model needs forward, backward and parameters(), got "
                         f"{type(model).__name__}")
    if not (callable(loss_fn) and hasattr(loss_fn, "backward")):
        raise ValueError(f"fit: loss_fn must be callable and have backward(), got "
                         f"{type(loss_fn).__name__}")
    X = _inputs(X)
    y = np.asarray(y)
    if X.ndim < 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"fit: X must be (N, ...) with N > 0 and y must have N rows, got X "
                         f"{X.shape} and y {y.shape}")
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise ValueError(f"fit: validation must be a pair (X_val, y_val), got "
                             f"{type(validation).__name__}")
        X_val, y_val = _inputs(validation[0]), np.asarray(validation[1])
        if (X_val.shape[1:] != X.shape[1:] or len(X_val) != len(y_val) or len(X_val) == 0
                or y_val.shape[1:] != y.shape[1:]):
            raise ValueError(f"fit: validation needs X_val (M, {', '.join(map(str, X.shape[1:]))})"
                             f" and y_val with M > 0 rows like y, got X_val {X_val.shape} and "
                             f"y_val {y_val.shape}")
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
        if history.stop_training:
            history.stopped_epoch = epoch - 1
            break
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
                total_correct += _scored(scores, yb) * len(idx)
        history.loss.append(total_loss / n)
        history.accuracy.append(total_correct / n if labels else float("nan"))
        if not np.isfinite(history.loss[-1]):
            raise FloatingPointError(f"fit: the loss became {history.loss[-1]} at epoch {epoch}; "
                                     f"try a smaller learning rate")
        if validation is not None:                      # held-out data, dropout off
            val_loss, val_acc = evaluate(model, loss_fn, X_val, y_val)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_acc)
        if bar is not None:
            bar.update(epoch, history)
        if epoch % every == 0 or epoch == epochs:
            for cb in callbacks:
                cb(epoch, model, history)
    else:
        if history.stop_training and history.stopped_epoch is None:
            history.stopped_epoch = epochs              # stopped after the last epoch
    for cb in callbacks:
        end = getattr(cb, "on_train_end", None)
        if callable(end):
            end(model, history)
    return history
