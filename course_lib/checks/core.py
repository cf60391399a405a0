"""The exercise-checker framework.

A checker runs a learner's function on a few inputs and prints exactly one line::

    ✅ sigmoid: 5 checks passed
    ❌ sigmoid: sigmoid(0) should be 0.5, got 0.0. Hint: 1 / (1 + np.exp(-x)).
    ⏳ sigmoid: not implemented yet: replace `raise NotImplementedError()` above.

It never raises on a learner's mistake: a ``NotImplementedError``, a wrong shape or type, a NaN or
any other exception inside the learner's code becomes one of those lines. In strict mode (argument
``strict=True``, ``set_strict(True)`` or the environment variable ``COURSE_STRICT=1``, used by CI
on the solutions) a ❌ or ⏳ raises ``AssertionError`` instead, so a broken solution fails the run.

Writing a checker::

    @checker("sigmoid")
    def sigmoid(c, fn):
        got = c.call(fn, np.array([0.0]))
        c.close(got, [0.5], "sigmoid(0)", hint="1 / (1 + np.exp(-x))")

``c`` is a :class:`Checker`; each ``c.<assertion>`` counts as one check and raises
:class:`Wrong` (caught by the framework) when it fails. A checker may return a string that is
appended to the ✅ line.
"""

import functools
import os

import numpy as np

PASSED, FAILED, TODO = "passed", "failed", "not implemented"
_ICONS = {PASSED: "✅", FAILED: "❌", TODO: "⏳"}
_strict_override = None
_listeners = []


def add_listener(callback):
    """Call ``callback(result)`` with the :class:`Result` of every checker run from now on.

    This is the grading channel (``course_lib.grade``): results reach the grader as objects, never
    through printed text a learner's code could imitate. Returns ``callback``.
    """
    _listeners.append(callback)
    return callback


def remove_listener(callback):
    """Stop calling ``callback`` (no error when it was never added)."""
    if callback in _listeners:
        _listeners.remove(callback)


def set_strict(flag):
    """Turn strict mode on (``True``), off (``False``) or back to the environment (``None``)."""
    global _strict_override
    _strict_override = flag


def is_strict():
    """Strict when ``set_strict(True)`` was called or ``COURSE_STRICT`` is set to 1/true/yes."""
    if _strict_override is not None:
        return bool(_strict_override)
    return os.environ.get("COURSE_STRICT", "").strip().lower() in {"1", "true", "yes", "on"}


class Wrong(Exception):
    """Raised inside a checker for a learner's mistake: ``message`` and an optional ``hint``."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotDone(Exception):
    """Raised when the learner's code still raises ``NotImplementedError``."""


class Result:
    """What a checker found: ``status`` (passed / failed / not implemented) and the line."""

    def __init__(self, name, status, message):
        self.name, self.status, self.message = name, status, message

    @property
    def passed(self):
        return self.status == PASSED

    def __bool__(self):
        return self.passed

    @property
    def line(self):
        return f"{_ICONS[self.status]} {self.name}: {self.message}"

    def __repr__(self):
        return self.line

    def _ipython_display_(self):
        # The line is already printed; showing the returned object again would duplicate it.
        pass


def describe(value):
    """A short, address-free description of a value for messages."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, precision=4, suppress_small=True, separator=", ")
        return f"an array of shape {value.shape}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, (int, bool, np.integer, np.bool_, str)):
        return repr(value.item() if hasattr(value, "item") else value)
    if isinstance(value, (list, tuple)) and len(value) <= 6:
        return repr(type(value)(describe(v) if not isinstance(v, str) else v for v in value))
    return f"a {type(value).__name__}"


def _fmt_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def as_numbers(got, what, hint=None, shape=None):
    """``got`` as a float array (NaN allowed), or :class:`Wrong` naming None, non-numbers, or a
    shape other than ``shape`` (when given)."""
    if got is None:
        raise Wrong(f"{what} returned None", "did you forget a `return` statement?")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be an array of numbers, got {describe(got)}", hint) from None
    if shape is not None and arr.shape != tuple(shape):
        raise Wrong(f"{what} should have shape {_fmt_shape(shape)}, got {_fmt_shape(arr.shape)}", hint)
    return arr


class Checker:
    """Helpers a checker uses to test a learner's function; each assertion counts one check."""

    def __init__(self, name):
        self.name = name
        self.count = 0

    # -- calling the learner's code -------------------------------------------------------------
    def call(self, fn, *args, **kwargs):
        """Call the learner's ``fn`` on copies of the arguments.

        Arrays are copied so that a learner who mutates an input cannot corrupt the checker's data
        (use :meth:`mutates` to check for that on purpose). A ``NotImplementedError`` means
        "not done yet"; any other exception becomes a ❌ line naming it.
        """
        if not callable(fn):
            raise Wrong(f"expected a function, got {describe(fn)}",
                        "pass the function itself, without calling it: check(f), not check(f())")
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        return self.call_raw(fn, *args, **kwargs)

    def call_raw(self, fn, *args, **kwargs):
        """Call ``fn`` exactly on the given arguments (no copies)."""
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as exc:
            raise NotDone() from exc
        except Wrong:
            raise
        except Exception as exc:  # noqa: BLE001 - any learner exception becomes a message
            raise Wrong(f"your code raised {type(exc).__name__}: {exc}",
                        "run the cell above on a small example and read the traceback") from exc

    # -- assertions -----------------------------------------------------------------------------
    def ok(self, condition, message, hint=None):
        """Count a check; fail with ``message`` when ``condition`` is false."""
        self.count += 1
        if not condition:
            raise Wrong(message, hint)

    def array(self, got, what, *, hint=None):
        """``got`` must be array-like of numbers without NaN; returns it as a float array."""
        arr = as_numbers(got, what, hint)
        if np.isnan(arr).any():
            raise Wrong(f"{what} contains NaN", hint or "look for 0/0, log(0) or inf - inf")
        return arr

    def shape(self, got, shape, what, hint=None):
        """``got`` must have exactly ``shape``; returns it as a float array."""
        self.count += 1
        return self._shaped(got, shape, what, hint)

    def _shaped(self, got, shape, what, hint):
        arr = self.array(got, what, hint=hint)
        if arr.shape != tuple(shape):
            raise Wrong(f"{what} should have shape {_fmt_shape(shape)}, got {_fmt_shape(arr.shape)}",
                        hint)
        return arr

    def close(self, got, expected, what, hint=None, rtol=1e-6, atol=1e-8):
        """``got`` must match ``expected`` in shape and value (NaN and ``inf`` are reported)."""
        expected = np.asarray(expected, dtype=np.float64)
        self.count += 1
        arr = self._shaped(got, expected.shape, what, hint)
        if not np.allclose(arr, expected, rtol=rtol, atol=atol, equal_nan=False):
            if not np.isfinite(arr).all() and np.isfinite(expected).all():
                raise Wrong(f"{what} contains inf, expected finite values", hint)
            raise Wrong(f"{what} should be {describe(expected)}, got {describe(arr)}", hint)
        return arr

    def finite(self, got, what, hint=None):
        """``got`` must be free of NaN and infinities."""
        arr = self.array(got, what, hint=hint)
        self.count += 1
        if not np.isfinite(arr).all():
            raise Wrong(f"{what} contains inf", hint)
        return arr

    def unchanged(self, before, after, what, hint=None):
        """An input array must not be modified by the learner's code."""
        self.count += 1
        if not np.array_equal(before, after):
            raise Wrong(f"{what} was modified in place",
                        hint or "work on a copy or build a new array instead of writing into the input")


def _sentence(text):
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def run(name, body, *args, strict=None, quiet=False, **kwargs):
    """Run ``body(checker, *args, **kwargs)`` and print (and return) its one-line :class:`Result`."""
    c = Checker(name)
    try:
        extra = body(c, *args, **kwargs)
    except NotDone:
        result = Result(name, TODO, "not implemented yet: replace `raise NotImplementedError()` above.")
    except Wrong as w:
        msg = _sentence(w.message)
        if w.hint:
            msg += " Hint: " + _sentence(w.hint)
        result = Result(name, FAILED, msg)
    except Exception as exc:  # noqa: BLE001 - a checker must never crash a learner's notebook
        result = Result(name, FAILED, f"the checker itself hit {type(exc).__name__}: {exc}. "
                                      "Hint: check that you passed the function the exercise asks for.")
    else:
        n = c.count
        msg = f"{n} check{'s' if n != 1 else ''} passed"
        if extra:
            msg += f" ({extra})"
        result = Result(name, PASSED, msg)
    for listener in list(_listeners):
        listener(result)
    if not quiet:
        print(result.line)
    if (is_strict() if strict is None else strict) and not result.passed:
        raise AssertionError(result.line)
    return result


def checker(name):
    """Decorator turning ``body(c, fn, ...)`` into a public checker ``check(fn, ..., strict=None)``."""

    def decorate(body):
        @functools.wraps(body)
        def check(*args, strict=None, quiet=False, **kwargs):
            return run(name, body, *args, strict=strict, quiet=quiet, **kwargs)

        check.exercise = name
        return check

    return decorate
