"""The exercise-checker engine: one declarative table per exercise.

A checker runs a learner's function on a few inputs and prints exactly one line (wrapped here)::

    ✅ passed · sigmoid: 13 checks (no overflow at x = ±1000)
    ❌ wrong · sigmoid: sigmoid([-5, 0, 5]) should be [...], got [...]. Hint: np.exp(-x), not
      np.exp(x).
    ⏳ to do · sigmoid: not implemented yet: replace `raise NotImplementedError()` above with
      your code.

The word after the symbol keeps the line readable without an emoji font. A checker never raises on
a learner's mistake; in strict mode (``strict=True``, ``set_strict(True)`` or ``COURSE_STRICT=1``)
a wrong or to-do line raises ``AssertionError``. A checker is a table::

    sigmoid = table(
        "sigmoid", reference=F.sigmoid,
        cases=[Case(np.array([-5.0, 0.0, 5.0])),
               Case(np.array([-1000.0]), quiet=True, hint="use exp(-|x|)")],  # quiet: no warning
        mistakes={"you used np.exp(x) instead of np.exp(-x)": lambda x: 1 / (1 + np.exp(x))},
        correct=[good_1, good_2],        # correct variants: the generated tests require a pass
        summary="no overflow at x = ±1000")

For every case the engine calls the learner's function on deep copies of the inputs (warnings
recorded, never printed; ``NotImplementedError`` means "to do"), checks every input is untouched
unless named in ``mutable``, and compares the result with the reference's (:func:`compare`: the
kind, shape, a float dtype when the reference's is float, the values, a new array rather than a
view, and with ``quiet=True`` no warning). On the first failure it runs every mistake on the same
inputs: the one whose outcome (result, exception, inputs after the call) is the learner's names the
mistake. Mistakes every array exercise shares (a list instead of an array, the result written into
an input) need no entry: the engine names them and :meth:`Table.generic` tests them.

``driver(fn, *args, **kwargs)`` calls the function under test and returns what is compared (a path
of optimizer steps...); ``check(got, want, case)`` replaces the comparison when many answers are
right; ``extra(c, fn)`` is a hand-written body run after the table on a :class:`Checker`.
``self_test(check)`` lists a table's own problems; the tests assert it is empty.
"""

import copy
import functools
import inspect
import os
import warnings

import numpy as np

PASSED, WRONG, TODO = "passed", "wrong", "todo"
_LABELS = {PASSED: "✅ passed", WRONG: "❌ wrong", TODO: "⏳ to do"}
TODO_MESSAGE = "not implemented yet: replace `raise NotImplementedError()` above with your code."
_strict_override = None
_listeners = []


def add_listener(callback):
    """Call ``callback(result)`` with the :class:`Result` of every checker run from now on (the
    grading channel: results reach the grader as objects, not as text). Returns ``callback``."""
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
    """``set_strict``'s value if set, else whether ``COURSE_STRICT`` is 1/true/yes/on."""
    if _strict_override is not None:
        return bool(_strict_override)
    return os.environ.get("COURSE_STRICT", "").strip().lower() in {"1", "true", "yes", "on"}


class Wrong(Exception):
    """Raised inside a checker for a learner's mistake: ``message`` and an optional ``hint``."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.message, self.hint = message, hint


class NotDone(Exception):
    """Raised when the learner's code still raises ``NotImplementedError``."""


class Result:
    """What a checker found: ``name``, ``status`` ("passed", "wrong", "todo"), ``message``,
    ``line``."""

    def __init__(self, name, status, message):
        self.name, self.status, self.message = name, status, message

    passed = property(lambda self: self.status == PASSED)
    line = property(lambda self: f"{_LABELS[self.status]} · {self.name}: {self.message}")

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return self.line

    def _ipython_display_(self):
        pass  # the line is already printed; showing the returned object would duplicate it


# -- describing values -----------------------------------------------------------------------------
def _num(v, digits=4):
    v = float(v)
    return f"{v:.{digits}g}" if np.isfinite(v) else str(v)


def _digits(a, b):
    """Just enough significant digits (4 at least) for ``a`` and ``b`` to look different."""
    return next((d for d in (4, 6, 8, 10, 12) if _num(a, d) != _num(b, d)), 17)


def _pair(a, b):
    """``a`` and ``b`` formatted with just enough digits to look different."""
    return _num(a, _digits(a, b)), _num(b, _digits(a, b))


def _fmt_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def describe(value, digits=4):
    """A short, address-free description of a value for messages."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf" and value.size <= 6 and value.ndim <= 2:
            return describe(value.tolist(), digits)
        return f"an array of shape {_fmt_shape(value.shape)} and dtype {value.dtype}"
    if isinstance(value, (bool, np.bool_)) or value is None:
        return repr(value if value is None else bool(value))
    if isinstance(value, (float, np.floating)):
        return _num(value, digits)
    if isinstance(value, (int, np.integer, str)):
        return repr(value.item() if hasattr(value, "item") else value)
    if isinstance(value, (list, tuple)) and len(value) <= 6:
        inner = ", ".join(describe(v, digits) for v in value)
        if isinstance(value, tuple):
            return f"({inner}{',' if len(value) == 1 else ''})"
        return f"[{inner}]"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _index(i):
    return "[" + ", ".join(str(int(k)) for k in i) + "]"


def describe_difference(got, want, rtol=1e-6, atol=1e-9):
    """Where two arrays of one shape differ: up to 3 entries with both values, and the largest."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if want.size <= 6 and want.ndim <= 1:
        pairs = zip(got.ravel()[bad.ravel()], want.ravel()[bad.ravel()])
        d = max([4] + [_digits(g, w) for g, w in pairs])
        return f"should be {describe(want, d)}, got {describe(got, d)}"
    shown = [f"{_index(i)} should be {_pair(got[tuple(i)], want[tuple(i)])[1]}, got "
             f"{_pair(got[tuple(i)], want[tuple(i)])[0]}" for i in np.argwhere(bad)[:3]]
    text = f"differs at {int(bad.sum())} of {want.size} entries: " + "; ".join(shown)
    finite = np.isfinite(got) & np.isfinite(want)
    if bad.sum() > 3 and finite.any():
        diff = np.where(finite, np.abs(got - want), 0.0)
        k = np.unravel_index(np.argmax(diff), diff.shape)
        text += f"; the largest difference is {_num(diff[k])} at {_index(k)}"
    return text


# -- comparing results -----------------------------------------------------------------------------
_KIND = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}
_NAN_HINT = "NaN and inf come from 0 / 0, log(0), inf - inf or an np.exp that overflowed"


def _kind(x):
    """What a value is: "none", "bool", "tuple", "list", "number", "array", "dict" or "other"."""
    if x is None or isinstance(x, (bool, np.bool_, tuple, list, dict)):
        return {type(None): "none", tuple: "tuple", list: "list", dict: "dict"}.get(type(x), "bool")
    if isinstance(x, np.ndarray):
        return "number" if x.ndim == 0 and x.dtype.kind in "iuf" else "array"
    return "number" if isinstance(x, (int, float, np.integer, np.floating)) else "other"


def same(a, b, rtol=1e-6, atol=1e-9):
    """Same kind, shape, dtype family and values (NaN equals NaN): how outcomes are matched."""
    ka = _kind(a)
    if ka != _kind(b):
        return False
    if ka in ("tuple", "list"):
        return len(a) == len(b) and all(same(x, y, rtol, atol) for x, y in zip(a, b))
    if ka == "dict":
        return a.keys() == b.keys() and all(same(a[k], b[k], rtol, atol) for k in a)
    if ka == "none" or isinstance(a, Raised) or isinstance(b, Raised):
        return ka == "none" or (isinstance(a, Raised) and isinstance(b, Raised)
                                and a.kind == b.kind)
    if ka == "other":
        try:
            return bool(a == b)
        except Exception:  # noqa: BLE001 - objects without a usable ==
            return a is b
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or _KIND.get(a.dtype.kind) != _KIND.get(b.dtype.kind):
        return False
    if a.dtype.kind not in "biufc":
        return bool(np.array_equal(a, b))
    return bool(np.allclose(a.astype(float), b.astype(float), rtol=rtol, atol=atol, equal_nan=True))


def loosely_same(a, b, rtol=1e-6, atol=1e-9):
    """Same values and shape, whatever the container and dtype (a list, ints, a 0-d array...)."""
    if same(a, b, rtol, atol):
        return True
    if any(isinstance(v, (dict, Raised)) for v in (a, b)):
        return False
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b) and all(
            loosely_same(x, y, rtol, atol) for x, y in zip(a, b)):
        return True
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))


def compare(got, want, what, *, dtype="auto", rtol=1e-6, atol=1e-9, names=None):
    """``None`` when ``got`` is right, else ``(message, hint)`` describing the first difference."""
    kg, kw = _kind(got), _kind(want)
    if kw == "none" or kg == "none":
        if kg == kw:
            return None
        if kw == "none":
            return (f"{what} should return nothing (None), got {describe(got)}",
                    "change the argument in place and do not return anything")
        return f"{what} returned None", "did you forget a `return` statement?"
    if kw in ("tuple", "list", "dict"):
        keys = list(want) if kw == "dict" else range(len(want))
        if (kg == "dict") != (kw == "dict") or kg not in ("tuple", "list", "dict") or (
                sorted(got) != sorted(want) if kw == "dict" else len(got) != len(want)):
            parts = ", ".join(names or map(str, keys)) if names or kw == "dict" else ""
            return (f"{what} should return {len(want)} values" + (f" ({parts})" if parts else "")
                    + f", got {describe(got)}",
                    f"end with `return {parts}`, a tuple ({parts})" if names else None)
        for k in keys:
            label = names[k] if names else k if kw == "dict" else f"item {k}"
            problem = compare(got[k], want[k], f"{what}: {label}",
                              dtype=dtype, rtol=rtol, atol=atol)
            if problem:
                return problem
        return None
    if kw == "bool":
        return None if kg == "bool" and bool(got) == bool(want) else (
            f"{what} should be {want}, got {describe(got)}", None)
    if kw == "number":
        if kg in ("array", "list", "tuple"):
            return (f"{what} should be one number, got " + (
                f"an array of shape {_fmt_shape(np.shape(got))}" if kg == "array" else
                f"a Python {type(got).__name__}"), "reduce to a single number (np.mean / np.sum "
                                                   "without an axis, or float(...))")
        if kg != "number":
            return f"{what} should be a number, got {describe(got)}", None
        g, w = float(got), float(want)
        if not np.isfinite(g) and np.isfinite(w):
            bad = "NaN" if np.isnan(g) else "inf"
            return f"{what} contains {bad}: should be {_num(w)}, got {g}", _NAN_HINT
        if g == w or np.isclose(g, w, rtol=rtol, atol=atol):
            return None
        sg, sw = _pair(g, w)
        return f"{what} should be {sw}, got {sg}", None
    if kw == "array":
        if kg in ("list", "tuple"):
            return (f"{what} returned a Python {type(got).__name__}, expected a NumPy array",
                    _AS_LIST)
        if kg == "number":
            return (f"{what} should be an array of shape {_fmt_shape(want.shape)}, got one number, "
                    f"{describe(got)}", "keep one value per element: work element by element")
        if kg != "array" or _KIND.get(got.dtype.kind) is None:
            return f"{what} should be an array of numbers, got {describe(got)}", None
        if got.shape != want.shape:
            return (f"{what} should have shape {_fmt_shape(want.shape)}, "
                    f"got {_fmt_shape(got.shape)}", None)
        want_kind, got_kind = _KIND[want.dtype.kind], _KIND[got.dtype.kind]
        dtype = ("float" if want_kind == "float" else "number") if dtype == "auto" else dtype
        if (dtype == "float" and got_kind != "float") or (
                dtype == "number" and got_kind == "bool" != want_kind):
            return (f"{what} should be a {dtype} array, got dtype {got.dtype}",
                    "convert with .astype(float) (True/False or integers are not floats)")
        g, w = got.astype(np.float64), want.astype(np.float64)
        if np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=True):
            return None
        bad = "NaN" if np.isnan(g).any() and not np.isnan(w).any() else (
            "inf" if np.isinf(g).any() and np.isfinite(w).all() else "")
        return (f"{what}{f' contains {bad}:' if bad else ''} "
                f"{describe_difference(g, w, rtol, atol)}", _NAN_HINT if bad else None)
    if same(got, want):
        return None
    return f"{what} should be {describe(want)}, got {describe(got)}", None


# -- running code ----------------------------------------------------------------------------------
class Raised:
    """An exception as an outcome: mistakes that raise the same type match the learner's."""

    def __init__(self, exc):
        self.exc, self.kind = exc, type(exc).__name__


_MATH = "math.exp and friends take one number; np.exp works on whole arrays"
#: exception texts with a well-known cause, for every checker: (text in "Type: message", hint)
COMMON_ERRORS = [
    ("truth value of an array", "`if`, `and`, `or`, max() and min() look at a whole array: use "
                                "np.where, np.maximum or element-wise comparisons (x > 0)"),
    ("only length-1 arrays", _MATH), ("only size-1 arrays", _MATH),
    ("only 0-dimensional arrays", _MATH),
    ("unexpected keyword", "keep the parameter names of the signature given in the exercise"),
    ("RecursionError", "use an explicit stack (a list) instead of recursion"),
    ("AxisError", "that axis does not exist for this input: axis=-1 (the last axis) works for (C,) "
                  "and (N, C) alike"),
    ("could not be broadcast", "the shapes do not line up: print the shape of each operand "
                               "(keepdims=True keeps a reduced axis as size 1)"),
    ("matmul: Input operand", "the shapes of a matrix product must chain: (N, A) @ (A, B)"),
]


def _copy(args):
    try:
        return copy.deepcopy(args)
    except Exception:  # noqa: BLE001 - an uncopyable input (a generator) is passed as it is
        return args


def record(f, *args, **kwargs):
    """``(result, warnings)`` of ``f(*args, **kwargs)``, NumPy warnings recorded, not printed.
    ``NotImplementedError`` becomes :class:`NotDone`; other exceptions propagate."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            try:
                got = f(*args, **kwargs)
            except NotImplementedError as exc:
                raise NotDone() from exc
    return got, list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))


def _same_inputs(a, b, rtol, atol):
    """Inputs after two calls agree (arrays, lists and dicts compared; others skipped)."""
    return all(same(x, y, rtol, atol) for x, y in zip(a, b)
               if isinstance(x, (np.ndarray, list, dict)))


def _accepts(fn, kwargs):
    """Whether ``fn`` can be called with the keyword arguments ``kwargs``."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind == p.VAR_KEYWORD for p in params) or set(kwargs) <= {p.name for p in params}


def _function(fn):
    if not callable(fn):
        raise Wrong(f"expected a function, got {describe(fn)}",
                    "pass the function itself, without calling it: check(f), not check(f())")


def _argument(value, name):
    """An argument in a call's label: small values written out, big arrays by their shape."""
    if callable(value):
        return getattr(value, "__name__", "f")
    text = describe(value)
    return f"{name or 'x'} of shape {_fmt_shape(value.shape)}" if text.startswith("an ") else text


class Case:
    """One row of a table: ``Case(x, y, kw={"negative_slope": 0.2}, what=..., hint=..., quiet=True,
    rtol=..., atol=..., optional=True)``.

    ``what`` names the call in messages (built from the inputs when omitted), ``hint`` is used when
    no mistake matches, ``quiet`` forbids NumPy warnings, ``optional`` skips the case for a function
    without the keyword arguments ``kw`` (an argument the statement does not require).
    """

    def __init__(self, *args, kw=None, what=None, hint=None, quiet=False, rtol=None, atol=None,
                 optional=False):
        self.args, self.kwargs, self.optional = args, dict(kw or {}), optional
        self.what, self.hint, self.quiet, self.rtol, self.atol = what, hint, quiet, rtol, atol

    def label(self, name, arg_names=()):
        """``what``, or the call: ``mse(pred of shape (5, 3), target of shape (5, 3))``."""
        if self.what:
            return self.what
        parts = [_argument(a, n) for a, n in zip(self.args, [*arg_names, *[""] * len(self.args)])]
        parts += [f"{k}={describe(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


class Table:
    """An exercise's checker as data; calling it checks a function (see the module docstring)."""

    def __init__(self, name, reference, cases, mistakes=None, correct=(), *, driver=None,
                 hint=None, errors=(), mutable=(), dtype="auto", new=True, rtol=1e-6, atol=1e-9,
                 names=None, check=None, extra=None, summary=None, mutation_hint=None,
                 arg_names=None):
        self.name = self.exercise = self.__name__ = self.__qualname__ = name
        self.reference, self.cases, self.mistakes = reference, list(cases), dict(mistakes or {})
        self.correct, self.driver, self.hint = list(correct), driver, hint
        self.errors, self.mutable, self.dtype = list(errors), set(mutable), dtype
        self.new, self.rtol, self.atol = new, rtol, atol
        self.names, self.custom_check, self.extra, self.summary = names, check, extra, summary
        self.mutation_hint, self._wants, self._ignored = mutation_hint, {}, {}
        try:
            self.arg_names = list(arg_names or inspect.signature(reference).parameters)
        except (TypeError, ValueError):
            self.arg_names = []
        self.__doc__ = f"Check your ``{name}``: prints one line and returns a Result."

    def __call__(self, fn, *, strict=None, quiet=False):
        return run(self.name, self.body, fn, strict=strict, quiet=quiet)

    def _drive(self, f, args, kwargs):
        return self.driver(f, *args, **kwargs) if self.driver is not None else f(*args, **kwargs)

    def outcome(self, f, k):
        """``(result or Raised, warnings, inputs after the call)`` of ``f`` (the reference, a
        mistake) on case ``k``."""
        args = _copy(self.cases[k].args)
        try:
            return (*record(lambda *a, **kw: self._drive(f, a, kw), *args,
                            **self.cases[k].kwargs), args)
        except Exception as exc:  # noqa: BLE001 - a mistake may raise, that is its outcome
            return Raised(exc), [], args

    def want(self, k):
        """The reference's outcome on case ``k`` (computed once)."""
        if k not in self._wants:
            self._wants[k] = self.outcome(self.reference, k)[0]
            if isinstance(self._wants[k], Raised):
                raise self._wants.pop(k).exc
        return self._wants[k]

    def judge(self, got, k, what):
        """``None`` or ``(message, hint)``: a result on case ``k`` against the reference's."""
        case, want = self.cases[k], self.want(k)
        if self.custom_check is not None:
            return self.custom_check(got, want, case)
        return compare(got, want, what, dtype=self.dtype, rtol=case.rtol or self.rtol,
                       atol=case.atol or self.atol, names=self.names)

    def _passes(self, f, k):
        out, _, after = self.outcome(f, k)
        return not isinstance(out, Raised) and self.judge(out, k, "") is None and all(
            same(a, b, 0, 0) for a, b, n in zip(after, self.cases[k].args, self.arg_names)
            if n not in self.mutable and isinstance(a, (np.ndarray, list, dict)))

    def diagnose(self, k, got, args_after, warned=None, fn=None):
        """The hint of the mistake whose outcome on case ``k`` is the learner's, else None.

        Matched exactly first, then loosely (a mistake returning floats names the learner's ints).
        Among the matches, one agreeing with the learner on the earlier cases wins, then one raising
        the same exception message, then the one agreeing on most later cases, then table order.
        """
        case = self.cases[k]
        rtol, atol = case.rtol or self.rtol, case.atol or self.atol
        mistakes = list(self.mistakes.items()) + [
            (hint, wrong) for hint, wrong in self.ignored().items() if hint not in self.mistakes]
        outcomes = [(hint, wrong, *self.outcome(wrong, k)) for hint, wrong in mistakes]
        # a list where an array is due: compare's own hint names it better than a loose match
        listed = _kind(got) in ("list", "tuple") and _kind(self.want(k)) == "array"
        for equal in (same,) if listed else (same, loosely_same):
            found = [((all(self._passes(wrong, j) for j in range(k)),
                       not isinstance(got, Raised) or str(got.exc) == str(out.exc)), hint, wrong)
                     for hint, wrong, out, warns, after in outcomes
                     if equal(out, got, rtol, atol) and _same_inputs(after, args_after, rtol, atol)
                     and (warned is None or bool(warns) == warned)
                     and (equal is same or not self._passes(wrong, k))]
            if found:
                break
        if not found:
            return None
        top = max(score for score, _, _ in found)
        found = [(hint, wrong) for score, hint, wrong in found if score == top]
        if len(found) > 1 and fn is not None:  # the mistake that explains most of the later answers
            later = [(j, self.outcome(fn, j)[0]) for j in range(k + 1, len(self.cases))]
            agree = [sum(loosely_same(self.outcome(wrong, j)[0], out) for j, out in later)
                     for _, wrong in found]
            return found[agree.index(max(agree))][0]
        return found[0][0]

    def run_case(self, c, fn, k):
        """Check ``fn`` on case ``k``: raises :class:`Wrong` (with the mistake's hint) or
        returns."""
        case = self.cases[k]
        if case.optional and not _accepts(fn, case.kwargs):
            return None
        what, args = case.label(self.name, self.arg_names), _copy(case.args)
        c.count += 1
        try:
            got, warned = record(lambda *a, **kw: self._drive(fn, a, kw), *args, **case.kwargs)
        except NotDone:
            raise
        except Exception as exc:  # noqa: BLE001 - any learner exception becomes a message
            text = f"{type(exc).__name__}: {exc}"
            hint = self.diagnose(k, Raised(exc), args, fn=fn) or next(
                (h for part, h in self.errors + COMMON_ERRORS if part in text), None) or case.hint
            raise Wrong(f"{what}: your code raised {text.splitlines()[0].rstrip(': ')}",
                        hint or "run your function on this input and read the traceback") from None
        for name, before, after in zip(self.arg_names, case.args, args):
            if name in self.mutable or not isinstance(before, (np.ndarray, list, dict)):
                continue
            c.count += 1  # one check per input that must stay untouched
            if not same(before, after, 0, 0):
                raise Wrong(f"{what}: the input {name} was modified in place", self.diagnose(
                    k, got, args, fn=fn) or self.mutation_hint or _written(name))
        problem = self.judge(got, k, what)
        if problem:
            hint = self.diagnose(k, got, args, fn=fn) or case.hint or problem[1] or self.hint
            raise Wrong(problem[0], hint and hint + (f" (your code warned: {'; '.join(warned)})"
                                                     if warned else ""))
        c.count += case.quiet
        if case.quiet and warned:
            raise Wrong(f"{what} has the right value, but NumPy warned: {'; '.join(warned)}",
                        self.diagnose(k, got, args, warned=True, fn=fn) or case.hint or self.hint)
        for name, a in zip(self.arg_names, args):
            if (self.new and isinstance(got, np.ndarray) and isinstance(a, np.ndarray)
                    and np.shares_memory(got, a)):
                raise Wrong(f"{what} returned its input {name} (or a view of it), not a new array",
                            "build a new array: np.maximum, np.where and arithmetic do")
        return got

    def body(self, c, fn):
        _function(fn)
        for k in range(len(self.cases)):
            self.run_case(c, fn, k)
        return (self.extra(c, fn) if self.extra is not None else None) or self.summary

    def ignored(self):
        """A mistake per argument with a default that some case sets otherwise: the argument
        ignored, its default used instead (``{hint: wrong}``, named like the table's entries)."""
        if not self._ignored:  # a cache, refilled when empty (the grader empties it)
            try:
                params = inspect.signature(self.reference).parameters.values()
            except (TypeError, ValueError):
                params = ()
            for p in params:
                k = self.arg_names.index(p.name) if p.name in self.arg_names else -1
                given = [c.kwargs[p.name] if p.name in c.kwargs else c.args[k]
                         for c in self.cases if p.name in c.kwargs or 0 <= k < len(c.args)]
                if p.default is not p.empty and any(not same(v, p.default, 0, 0) for v in given):
                    hint = f"use the argument {p.name}, not a fixed {describe(p.default)}"
                    self._ignored[hint] = functools.partial(_with_default, self.reference, p, k)
        return self._ignored

    def generic(self):
        """The mistakes the engine names without a table entry: an argument with a default ignored
        (:meth:`ignored`) and, for a float array result, a list instead of an array or the result
        written into the first input of its shape. ``{hint: wrong}``; the tests run them."""
        found, ref = dict(self.ignored()), self.reference
        want = self.want(0) if self.driver is None and self.custom_check is None else None
        if not isinstance(want, np.ndarray) or want.dtype.kind != "f":
            return found
        found[_AS_LIST] = lambda *a, **kw: ref(*a, **kw).tolist()
        for k, (name, a) in enumerate(zip(self.arg_names, self.cases[0].args)):
            if name not in self.mutable and isinstance(a, np.ndarray) and a.shape == want.shape:
                found[self.mutation_hint or _written(name)] = in_place(ref, arg=k)
                break
        return found


table = Table  # a table-driven checker; see the module docstring for the options
_AS_LIST = "build the result with NumPy operations (or wrap it: np.array(result))"


def _with_default(reference, param, k, *args, **kwargs):
    """``reference`` with argument ``param`` (number ``k``) replaced by its default."""
    if param.name in kwargs:
        kwargs[param.name] = param.default
    elif 0 <= k < len(args):
        args = args[:k] + (param.default,) + args[k + 1:]
    return reference(*args, **kwargs)


def _written(name):
    return (f"`{name} -= ...`, `{name}[...] = ...` or `out={name}` write into the caller's array; "
            f"build a new one (`{name} = {name} - ...` makes a new array)")


def in_place(new_value, result=None, arg=0):
    """A mistake family: write ``new_value(*args)`` into input number ``arg`` (``x -= ...``,
    ``x[...] = ...``, ``out=x``), then return ``result(*args)`` on the modified inputs (by default
    the modified input itself)."""
    def wrong(*args, **kwargs):
        args[arg][...] = new_value(*args, **kwargs)
        return args[arg] if result is None else result(*args, **kwargs)
    return wrong


def self_test(check):
    """A table's own problems: a mistake that passes or whose hint is not shown (a generic one:
    with no hint), a correct variant refused. ``[]`` when all is well; the tests assert that."""
    problems = []
    generic = check.generic() if isinstance(check, Table) else {}
    for hint, wrong in [*check.mistakes.items(), *generic.items()]:
        result = check(wrong, strict=False, quiet=True)
        shown = ("Hint: " + hint.rstrip(".")) if hint in check.mistakes else "Hint: "
        if result.status != WRONG or shown not in result.line:
            problems.append(f"mistake {hint[:60]!r}: {result.line}")
    for k, good in enumerate(check.correct):
        result = check(good, strict=False, quiet=True)
        if not result.passed:
            problems.append(f"correct variant {k}: {result.line}")
    return problems


# -- hand-written bodies and the runner ------------------------------------------------------------
class Checker:
    """Helpers for a hand-written body (a table's ``extra``); each check counts one."""

    def __init__(self, name):
        self.name, self.count, self.warnings = name, 0, []

    def call(self, fn, *args, **kwargs):
        """``fn`` on deep copies of the arguments, warnings in ``self.warnings``; an exception
        becomes :class:`Wrong`."""
        _function(fn)
        try:
            got, self.warnings = record(fn, *_copy(args), **kwargs)
            return got
        except (NotDone, Wrong):
            raise
        except Exception as exc:  # noqa: BLE001 - any learner exception becomes a message
            text = f"{type(exc).__name__}: {exc}"
            raise Wrong(f"your code raised {text.splitlines()[0]}", next(
                (h for part, h in COMMON_ERRORS if part in text),
                "run the cell above on a small example and read the traceback")) from exc

    def ok(self, condition, message, hint=None):
        """Count a check; fail with ``message`` when ``condition`` is false."""
        self.count += 1
        if not condition:
            raise Wrong(message, hint)


def _sentence(text):
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def run(name, body, *args, strict=None, quiet=False, **kwargs):
    """Run ``body(checker, *args, **kwargs)``; print (unless ``quiet``) and return its
    :class:`Result`."""
    c = Checker(name)
    try:
        with np.errstate(all="ignore"):  # the checker's own arithmetic never warns
            extra = body(c, *args, **kwargs)
    except NotDone:
        result = Result(name, TODO, TODO_MESSAGE)
    except Wrong as w:
        hint = " Hint: " + _sentence(w.hint) if w.hint else ""
        result = Result(name, WRONG, _sentence(w.message) + hint)
    except Exception as exc:  # noqa: BLE001 - a checker must never crash a learner's notebook
        result = Result(name, WRONG,
                        f"your function made the check fail with {type(exc).__name__}: "
                        f"{exc}. Hint: run it on a small example and compare with the "
                        "exercise's statement.")
    else:
        result = Result(name, PASSED, f"{c.count} check{'s' if c.count != 1 else ''}"
                                      + (f" ({extra})" if extra else ""))
    for listener in list(_listeners):
        listener(result)
    if not quiet:
        print(result.line)
    if (is_strict() if strict is None else strict) and not result.passed:
        raise AssertionError(result.line)
    return result
