"""Learning-rate schedules: PyTorch's ``torch.optim.lr_scheduler`` names, arguments and numbers.

A scheduler wraps an optimizer and sets its ``lr`` once per epoch::

    opt = SGD(model, lr=0.5)
    sched = CosineAnnealingLR(opt, T_max=100)    # opt.lr is now the lr of epoch 0 (here 0.5)
    for epoch in range(100):
        for x, y in batches:
            ...                                  # opt.zero_grad(), backward, opt.step()
        sched.step()                             # after each epoch: last_epoch += 1, new opt.lr

Every schedule is a closed form ``lr(t)`` of the epoch count ``t = last_epoch`` and the
optimizer's starting rate ``base_lr`` (its ``lr`` when the first scheduler was attached, kept as
``optimizer.initial_lr``, PyTorch's ``group["initial_lr"]``):

- ``StepLR(opt, step_size, gamma=0.1)``: ``base_lr * gamma**(t // step_size)``
- ``MultiStepLR(opt, milestones, gamma=0.1)``: ``base_lr * gamma**(milestones passed)``
- ``ExponentialLR(opt, gamma)``: ``base_lr * gamma**t``
- ``CosineAnnealingLR(opt, T_max, eta_min=0)``:
  ``eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``
- ``LinearLR(opt, start_factor=1/3, end_factor=1, total_iters=5)`` (a warm-up):
  ``base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)``
- ``LambdaLR(opt, lr_lambda)``: ``base_lr * lr_lambda(t)``
- ``SequentialLR(opt, schedulers, milestones)``: one schedule after the other, each from its
  own ``t = 0``

Like PyTorch, ``CosineAnnealingLR`` past ``T_max`` climbs back up (a cosine's period is
``2 T_max``); stop training at ``T_max`` or use ``SequentialLR``. Differences: one learning rate
per optimizer (PyTorch has one per parameter group; ``get_last_lr()`` still returns a list of
one), and PyTorch computes most schedules recursively from the current ``lr``, so two schedulers
stepping the same optimizer multiply; here each scheduler owns ``opt.lr`` (combine them with
``SequentialLR``).
"""

import math
from bisect import bisect_right

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LinearLR", "LambdaLR", "SequentialLR"]


def _number(owner, name, value, low, high=math.inf, low_open=False):
    """``value`` as a float in ``[low, high]`` (``(low, high]`` if ``low_open``); else an error."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not (low < value if low_open else low <= value) or value > high or math.isnan(value):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise ValueError(f"{owner}: {name} must be in {interval}, got {value!r}")
    return value


def _positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return value


class LRScheduler:
    """Base class: subclasses define ``lr_at(t)``, the learning rate of epoch ``t`` (closed form).

    ``last_epoch`` counts the ``step()`` calls (0 right after construction). ``last_epoch=k`` in
    the constructor resumes a run as if ``k + 1`` epochs had gone by.
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"{type(self).__name__}: expected an optimizer (with an lr), "
                            f"got {type(optimizer).__name__}")
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < -1:
            raise ValueError(f"{type(self).__name__}: last_epoch must be an integer >= -1, got "
                             f"{last_epoch!r}")
        self.optimizer = optimizer
        if not hasattr(optimizer, "initial_lr"):  # the first scheduler remembers the start
            optimizer.initial_lr = float(optimizer.lr)
        self.base_lr = float(optimizer.initial_lr)
        self.last_epoch = last_epoch
        self.step()  # epoch 0 (or last_epoch + 1): set the optimizer's lr, as PyTorch does

    def lr_at(self, t):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.lr_at")

    def step(self):
        """End of an epoch: ``last_epoch += 1`` and set ``optimizer.lr`` to that epoch's rate."""
        self.last_epoch += 1
        self._set(self.last_epoch)

    def _set(self, t):
        self._last_lr = float(self.lr_at(t))
        self.optimizer.lr = self._last_lr

    def get_last_lr(self):
        """The learning rate set by the last ``step()``, as a list (one per parameter group)."""
        return [self._last_lr]

    def __repr__(self):
        return f"{type(self).__name__}(base_lr={self.base_lr:g}, last_epoch={self.last_epoch})"


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs (``gamma**(t // step_size)``)."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = _positive_int("StepLR", "step_size", step_size)
        self.gamma = _number("StepLR", "gamma", gamma, 0.0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return self.base_lr * self.gamma ** (t // self.step_size)


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch in ``milestones`` (increasing integers)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        if any(isinstance(m, bool) or not isinstance(m, int) for m in milestones) or \
                milestones != sorted(milestones):
            raise ValueError("MultiStepLR: milestones must be increasing integers, got "
                             f"{milestones!r}")
        self.milestones = milestones
        self.gamma = _number("MultiStepLR", "gamma", gamma, 0.0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return self.base_lr * self.gamma ** bisect_right(self.milestones, t)


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``base_lr * gamma**t``."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = _number("ExponentialLR", "gamma", gamma, 0.0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return self.base_lr * self.gamma ** t


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from ``base_lr`` (epoch 0) down to ``eta_min`` (epoch ``T_max``).

    ``lr(t) = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` (SGDR without
    restarts): slow at first, fastest half-way, gentle at the end.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = _positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = _number("CosineAnnealingLR", "eta_min", eta_min, 0.0)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        cosine = (1 + math.cos(math.pi * t / self.T_max)) / 2    # 1 at t = 0, 0 at t = T_max
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` epochs.

    ``lr(t) = base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) /
    total_iters)``. The defaults (1/3 -> 1 over 5 epochs) are a warm-up: small steps while the
    first gradients are large and Adam's or momentum's averages are still empty.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        self.start_factor = _number("LinearLR", "start_factor", start_factor, 0.0, 1.0,
                                    low_open=True)
        self.end_factor = _number("LinearLR", "end_factor", end_factor, 0.0, 1.0)
        self.total_iters = _positive_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        done = min(t, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * done)


class LambdaLR(LRScheduler):
    """``lr(t) = base_lr * lr_lambda(t)`` for any function ``lr_lambda(epoch) -> factor``."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        if not callable(lr_lambda):
            raise TypeError("LambdaLR: lr_lambda must be a function, got "
                            f"{type(lr_lambda).__name__}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return self.base_lr * float(self.lr_lambda(t))


class SequentialLR(LRScheduler):
    """Run ``schedulers[0]`` until epoch ``milestones[0]``, then ``schedulers[1]`` from its own
    epoch 0, and so on: ``SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5),
    CosineAnnealingLR(opt, T_max=95)], milestones=[5])`` is a 5-epoch warm-up then a cosine.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers or any(not isinstance(s, LRScheduler) for s in schedulers):
            raise ValueError("SequentialLR: schedulers must be a non-empty list of schedulers")
        if any(s.optimizer is not optimizer for s in schedulers):
            raise ValueError("SequentialLR: every scheduler must wrap the same optimizer")
        if len(milestones) != len(schedulers) - 1 or milestones != sorted(milestones):
            raise ValueError(f"SequentialLR: expected {len(schedulers) - 1} increasing "
                             f"milestones for {len(schedulers)} schedulers, got {milestones!r}")
        self.schedulers, self.milestones = schedulers, milestones
        super().__init__(optimizer, last_epoch)

    def _current(self, t):
        i = bisect_right(self.milestones, t)
        return self.schedulers[i], t - (self.milestones[i - 1] if i else 0)

    def lr_at(self, t):
        scheduler, local = self._current(t)
        return scheduler.lr_at(local)

    def step(self):
        super().step()
        scheduler, local = self._current(self.last_epoch)
        scheduler.last_epoch, scheduler._last_lr = local, self._last_lr  # the child's own clock
