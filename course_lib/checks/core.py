"""The exercise-checker engine: one declarative table per exercise.

A checker runs a learner's function on a few inputs and prints exactly one line::

    ✅ passed · sigmoid: 6 checks (no overflow at x = ±1000)
    ❌ wrong · sigmoid: sigmoid([-5, -1, 0, 1, 5]) should be [...], got [...]. Hint: np.exp(-x), not np.exp(x).
    ⏳ to do · sigmoid: replace `raise NotImplementedError()` above with your code.

The word after the symbol keeps the line readable without an emoji font. A checker never raises on
a learner's mistake. In strict mode (``strict=True``, ``set_strict(True)`` or ``COURSE_STRICT=1``;
``set_strict(False)`` overrides the variable) a wrong or to-do line raises ``AssertionError``.

Writing a checker: a table
--------------------------
::

    from .core import Case, table

    def _exp_x(x):                       # a typical wrong implementation, run on the same inputs
        return 1 / (1 + np.exp(x))

    sigmoid = table(
        "sigmoid", reference=F.sigmoid,
        cases=[Case(np.array([-5.0, 0.0, 5.0])),
               Case(np.array([-1000.0]), quiet=True, hint="use exp(-|x|)")],   # quiet: no warning
        mistakes={"you used np.exp(x) instead of np.exp(-x)": _exp_x},
        correct=[good_1, good_2],         # correct variants: the generated tests require a pass
        summary="no overflow at x = ±1000")

For every case the engine

1. calls the learner's function on deep copies of the inputs, recording NumPy warnings (never
   printed); ``NotImplementedError`` means "to do", any other exception is reported;
2. checks every input is untouched (unless named in ``mutable``), on every case, extremes included;
3. compares the result with the reference's: the same kind (a NumPy array, not a list; one number;
   a tuple of the same length, compared element by element), the same shape, a float dtype when the
   reference's is float (``dtype="number"`` accepts ints too, ``None`` any), the values within
   ``rtol``/``atol`` (NaN and inf reported), a new array rather than a view of an input; and, with
   ``quiet=True``, no NumPy warning;
4. on the first failure, runs each mistake on the same inputs: the one whose outcome (result,
   exception type, inputs after the call) equals the learner's names the mistake in the hint,
   preferring a mistake that also agrees on every earlier case. Otherwise the hint comes from
   ``errors`` (text in the exception -> hint), the case, the failure kind, or the table.

Beyond values: ``driver(fn, *args, **kwargs)`` calls the function under test and returns what is
compared (a path of optimizer steps, the gradients after ``backward``, ...); the reference and
every mistake go through the same driver. ``check(got, want, case)`` replaces the comparison when
many answers are right (a topological order): it returns ``None`` or ``(message, hint)``.
``extra(c, fn)`` is a hand-written body that runs after the table (a loop counter, a 20,000-node
chain) on the same :class:`Checker` helpers. ``@checker(name)`` remains for fully hand-written
checkers: ``body(c, fn)`` with ``c.call``/``c.close``/``c.ok``/``c.case``.

The generated tests (``tests/test_checks_engine.py``) run every ``mistakes`` entry and require a
wrong line quoting its hint, and every ``correct`` entry and require a pass.
"""

import copy
import functools
import inspect
import os
import warnings

import numpy as np

PASSED, WRONG, TODO = "passed", "wrong", "todo"
FAILED = WRONG  # the older name
_LABELS = {PASSED: "✅ passed", WRONG: "❌ wrong", TODO: "⏳ to do"}
TODO_MESSAGE = "not implemented yet: replace `raise NotImplementedError()` above with your code."
_strict_override = None
_listeners = []


# -- results, listeners, strict mode ----------------------------------------------------------------
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
    """``set_strict``'s value if set, else whether ``COURSE_STRICT`` is 1/true/yes/on."""
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
    """What a checker found: ``name``, ``status`` ("passed", "wrong", "todo"), ``message``, ``line``."""

    def __init__(self, name, status, message):
        self.name, self.status, self.message = name, status, message

    @property
    def passed(self):
        return self.status == PASSED

    def __bool__(self):
        return self.passed

    @property
    def line(self):
        return f"{_LABELS[self.status]} · {self.name}: {self.message}"

    def __repr__(self):
        return self.line

    def _ipython_display_(self):
        # the line is already printed; showing the returned object again would duplicate it
        pass


# -- describing values ------------------------------------------------------------------------------
def _num(v, digits=4):
    v = float(v)
    return f"{v:.{digits}g}" if np.isfinite(v) else str(v)


def _pair(a, b):
    """``a`` and ``b`` formatted with just enough digits to look different."""
    for digits in (4, 6, 8, 10, 12, 17):
        sa, sb = _num(a, digits), _num(b, digits)
        if sa != sb:
            return sa, sb
    return sa, sb


def _fmt_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def describe(value, digits=4):
    """A short, address-free description of a value for messages."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf" and value.size <= 6 and value.ndim <= 2:
            if value.ndim == 0:
                return describe(value.item(), digits)
            return describe(value.tolist(), digits)
        return f"an array of shape {_fmt_shape(value.shape)} and dtype {value.dtype}"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (float, np.floating)):
        return _num(value, digits)
    if isinstance(value, (int, np.integer, str)):
        return repr(value.item() if hasattr(value, "item") else value)
    if isinstance(value, (list, tuple)):
        if len(value) <= 6:
            inner = ", ".join(describe(v, digits) for v in value)
            return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _index(i):
    return "[" + ", ".join(str(int(k)) for k in i) + "]"


def describe_difference(got, want, rtol=1e-6, atol=1e-9):
    """Where two arrays of the same shape differ: up to 3 entries with both values, and the largest."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if want.size <= 6 and want.ndim <= 1:
        d = max(4, max((len(_pair(g, w)[0].replace("-", "").replace(".", "")) for g, w in
                        zip(got.ravel(), want.ravel()) if not np.isclose(g, w, rtol, atol)), default=4))
        return f"should be {describe(want, d)}, got {describe(got, d)}"
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    where = np.argwhere(bad) if got.ndim else np.zeros((1, 0), int)
    if not where.size and got.ndim:
        return "differs"
    shown = []
    for i in where[:3]:
        g, w = _pair(got[tuple(i)], want[tuple(i)])
        shown.append(f"{_index(i)} should be {w}, got {g}")
    text = f"differs at {int(bad.sum())} of {want.size} entries: " + "; ".join(shown)
    finite = np.isfinite(got) & np.isfinite(want)
    if bad.sum() > 3 and finite.any():
        diff = np.where(finite, np.abs(got - want), 0.0)
        k = np.unravel_index(np.argmax(diff), diff.shape)
        text += f"; the largest difference is {_num(diff[k])} at {_index(k)}"
    return text


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


# -- comparing results --------------------------------------------------------------------------------
_KIND = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}


def _kind(x):
    """"none", "tuple", "list", "array", "number", "bool" or "other": what a value is."""
    if x is None:
        return "none"
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, tuple):
        return "tuple"
    if isinstance(x, list):
        return "list"
    if isinstance(x, np.ndarray):
        return "number" if x.ndim == 0 and x.dtype.kind in "iuf" else "array"
    if isinstance(x, (int, float, np.integer, np.floating)):
        return "number"
    return "other"


def same(a, b, rtol=1e-6, atol=1e-9):
    """Same kind, shape, dtype family and values (NaN equals NaN): how outcomes are matched."""
    ka, kb = _kind(a), _kind(b)
    if ka != kb and {ka, kb} != {"tuple", "list"}:
        return False
    if ka in ("tuple", "list"):
        return len(a) == len(b) and all(same(x, y, rtol, atol) for x, y in zip(a, b))
    if ka == "none":
        return True
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same(a[k], b[k], rtol, atol) for k in a))
    if isinstance(a, Raised) or isinstance(b, Raised):
        return isinstance(a, Raised) and isinstance(b, Raised) and a.kind == b.kind
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
    return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                            equal_nan=True))


def compare(got, want, what, *, dtype="auto", rtol=1e-6, atol=1e-9, names=None):
    """``None`` when ``got`` is right, else ``(message, hint)`` describing the first difference."""
    kg, kw = _kind(got), _kind(want)
    if kw == "none":
        if kg == "none":
            return None
        return (f"{what} should return nothing (None), got {describe(got)}",
                "change the argument in place and do not return anything")
    if kg == "none":
        return f"{what} returned None", "did you forget a `return` statement?"
    if kw in ("tuple", "list"):
        if kg not in ("tuple", "list") or len(got) != len(want):
            parts = ", ".join(names) if names else f"{len(want)} values"
            return (f"{what} should return a tuple ({parts}), got {describe(got)}",
                    f"end with `return {parts}`" if names else None)
        for k, (g, w) in enumerate(zip(got, want)):
            label = names[k] if names else f"item {k}"
            problem = compare(g, w, f"{what}: {label}", dtype=dtype, rtol=rtol, atol=atol)
            if problem:
                return problem
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return f"{what} should be a dict with keys {sorted(want)}, got {describe(got)}", None
        for key in want:
            problem = compare(got[key], want[key], f"{what} {key}", dtype=dtype, rtol=rtol, atol=atol)
            if problem:
                return problem
        return None
    if kw == "bool":
        if kg != "bool" or bool(got) != bool(want):
            return f"{what} should be {want}, got {describe(got)}", None
        return None
    if kw == "number":
        if kg == "array":
            return (f"{what} should be one number, got an array of shape {_fmt_shape(np.shape(got))}",
                    "reduce to a single number (np.mean / np.sum without an axis, or float(...))")
        if kg != "number":
            return f"{what} should be a number, got {describe(got)}", None
        if dtype == "float" or (dtype == "auto" and isinstance(want, (float, np.floating))):
            if not isinstance(got, (float, np.floating, int, np.integer, np.ndarray)):
                return f"{what} should be a float, got {describe(got)}", None
        g, w = float(got), float(want)
        if not np.isfinite(g) and np.isfinite(w):
            return (f"{what} contains {'NaN' if np.isnan(g) else 'inf'}: should be {_num(w)}, got {g}",
                    "NaN and inf come from 0 / 0, log(0), inf - inf or an np.exp that overflowed")
        if np.isclose(g, w, rtol=rtol, atol=atol) or g == w:
            return None
        sg, sw = _pair(g, w)
        return f"{what} should be {sw}, got {sg}", None
    if kw == "array":
        if kg in ("list", "tuple"):
            return (f"{what} returned a Python {type(got).__name__}, expected a NumPy array",
                    "build the result with NumPy operations (or wrap it: np.array(result))")
        if kg != "array" and not (kg in ("number", "bool") and np.ndim(want) == 0):
            if kg == "number":
                return (f"{what} should be an array of shape {_fmt_shape(want.shape)}, got one number, "
                        f"{describe(got)}", "keep one value per element: work element by element")
            return f"{what} should be an array of numbers, got {describe(got)}", None
        got = np.asarray(got)
        if got.shape != want.shape:
            return f"{what} should have shape {_fmt_shape(want.shape)}, got {_fmt_shape(got.shape)}", None
        want_kind, got_kind = _KIND.get(want.dtype.kind), _KIND.get(got.dtype.kind)
        if got_kind is None:
            return f"{what} should hold numbers, got dtype {got.dtype}", None
        if dtype == "auto":
            dtype = "float" if want_kind == "float" else "number"
        if dtype == "float" and got_kind != "float":
            return (f"{what} should be a float array, got dtype {got.dtype}",
                    "convert with .astype(float) (True/False or integers are not floats)")
        if dtype == "number" and got_kind == "bool" and want_kind != "bool":
            return f"{what} should hold numbers, got dtype bool", "convert with .astype(float)"
        g, w = got.astype(np.float64), want.astype(np.float64)
        if np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=True):
            return None
        hint, what_ = None, what
        if np.isnan(g).any() and not np.isnan(w).any():
            hint, what_ = "NaN comes from 0 / 0, 0 * log(0), inf - inf or inf / inf", f"{what} contains NaN:"
        elif np.isinf(g).any() and np.isfinite(w).all():
            hint, what_ = "inf comes from an np.exp that overflowed or a division by 0", f"{what} contains inf:"
        return f"{what_} {describe_difference(g, w, rtol, atol)}", hint
    if not same(got, want):
        return f"{what} should be {describe(want)}, got {describe(got)}", None
    return None


# -- running the learner's code -------------------------------------------------------------------------
class Raised:
    """An exception as an outcome: mistakes that raise the same type match the learner's."""

    def __init__(self, exc):
        self.exc, self.kind = exc, type(exc).__name__

    def __repr__(self):
        return f"Raised({self.kind})"


#: exception texts with a well-known cause, for every checker: (text in "Type: message", hint)
COMMON_ERRORS = [
    ("truth value of an array", "`if`, `and`, `or`, max() and min() look at a whole array: use "
                                "np.where, np.maximum or element-wise comparisons (x > 0)"),
    ("only length-1 arrays", "math.exp and friends take one number; np.exp works on whole arrays"),
    ("only size-1 arrays", "math.exp and friends take one number; np.exp works on whole arrays"),
    ("only 0-dimensional arrays", "math.exp and friends take one number; np.exp works on whole arrays"),
    ("unexpected keyword", "keep the parameter names of the signature given in the exercise"),
    ("RecursionError", "use an explicit stack (a list) instead of recursion"),
    ("could not be broadcast", "the shapes do not line up: print the shape of each operand "
                               "(keepdims=True keeps a reduced axis as size 1)"),
    ("matmul: Input operand", "the shapes of a matrix product must chain: (N, A) @ (A, B)"),
]


def _copy(args):
    try:
        return copy.deepcopy(args)
    except Exception:  # noqa: BLE001 - an uncopyable input (a generator) is passed as it is
        return args


def _quiet_call(f, args, kwargs):
    """Run a reference or a mistake: warnings silenced; an exception becomes a :class:`Raised`."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return f(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a mistake may raise, that is its outcome
            return Raised(exc)


def record(f, *args, **kwargs):
    """``(result, warnings)``: ``f(*args, **kwargs)`` with NumPy warnings recorded, not printed.

    ``NotImplementedError`` becomes :class:`NotDone`; other exceptions propagate.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            try:
                got = f(*args, **kwargs)
            except NotImplementedError as exc:
                raise NotDone() from exc
    seen = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen:
            seen.append(text)
    return got, seen


def _same_inputs(a, b):
    """Inputs after two calls are equal (arrays, lists and dicts compared exactly; others skipped)."""
    return all(same(x, y, 0, 0) for x, y in zip(a, b) if isinstance(x, (np.ndarray, list, dict)))


def _accepts(fn, kwargs):
    """Whether ``fn`` can be called with the keyword arguments ``kwargs``."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    names = {p.name for p in params}
    return any(p.kind == p.VAR_KEYWORD for p in params) or set(kwargs) <= names


class Case:
    """One row of a table: the inputs and what is special about them.

    ``Case(x, y, kw={"negative_slope": 0.2}, what="leaky_relu(x, negative_slope=0.2)", hint=...,
    quiet=True, rtol=..., atol=...)``: ``what`` names the call in messages (built from the inputs
    when omitted), ``hint`` is used when no mistake matches, ``quiet`` forbids NumPy warnings,
    ``optional`` skips the case for a function without the keyword arguments ``kw`` (an optional
    argument the statement does not require).
    """

    def __init__(self, *args, kw=None, what=None, hint=None, quiet=False, rtol=None, atol=None,
                 optional=False):
        self.args, self.kwargs, self.optional = args, dict(kw or {}), optional
        self.what, self.hint, self.quiet, self.rtol, self.atol = what, hint, quiet, rtol, atol

    def label(self, name):
        if self.what:
            return self.what
        parts = [describe(a) if not callable(a) else getattr(a, "__name__", "f") for a in self.args]
        parts += [f"{k}={describe(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


class Table:
    """An exercise's checker as data; calling it checks a function (see the module docstring)."""

    def __init__(self, name, reference, cases, mistakes=None, correct=(), *, driver=None,
                 hint=None, errors=(), mutable=(), dtype="auto", new=True, rtol=1e-6, atol=1e-9,
                 names=None, check=None, extra=None, summary=None, mutation_hint=None,
                 arg_names=None):
        self.name, self.reference, self.cases = name, reference, list(cases)
        self.mistakes, self.correct = dict(mistakes or {}), list(correct)
        self.driver, self.hint, self.errors = driver, hint, list(errors) + COMMON_ERRORS
        self.mutable, self.dtype, self.new, self.rtol, self.atol = set(mutable), dtype, new, rtol, atol
        self.names, self.custom_check, self.extra, self.summary = names, check, extra, summary
        self.mutation_hint = mutation_hint
        try:
            self.arg_names = list(arg_names or inspect.signature(reference).parameters)
        except (TypeError, ValueError):
            self.arg_names = []
        self.exercise = name
        self.__name__ = self.__qualname__ = name
        self.__doc__ = f"Check your ``{name}``: prints one line and returns a Result."
        self._wants = {}

    # the public checker: checks.sigmoid(fn, strict=None, quiet=False)
    def __call__(self, fn, *, strict=None, quiet=False):
        return run(self.name, self.body, fn, strict=strict, quiet=quiet)

    def _drive(self, f, case, args, kwargs):
        if self.driver is not None:
            return self.driver(f, *args, **kwargs)
        return f(*args, **kwargs)

    def want(self, k):
        """The reference's outcome on case ``k`` (computed once)."""
        if k not in self._wants:
            case = self.cases[k]
            args = _copy(case.args)
            got = _quiet_call(lambda *a, **kw: self._drive(self.reference, case, a, kw), args,
                              case.kwargs)
            if isinstance(got, Raised):
                raise got.exc
            self._wants[k] = got
        return self._wants[k]

    def outcome(self, f, k):
        """``(result or Raised, inputs after the call)`` of a reference or mistake on case ``k``."""
        case = self.cases[k]
        args = _copy(case.args)
        got = _quiet_call(lambda *a, **kw: self._drive(f, case, a, kw), args, case.kwargs)
        return got, args

    def diagnose(self, k, got, args_after, warned=None):
        """The hint of the mistake whose outcome on case ``k`` is the learner's, else None.

        Among the matches, one that also agrees with the learner on every earlier case wins, then
        one raising the very same exception message, then the first in the table.
        """
        case = self.cases[k]
        rtol, atol = case.rtol or self.rtol, case.atol or self.atol
        best, best_score = None, None
        for hint, wrong in self.mistakes.items():
            out, after = self.outcome(wrong, k)
            if not (same(out, got, rtol, atol) and _same_inputs(after, args_after)):
                continue
            if warned is not None and bool(self._warns(wrong, k)) != warned:
                continue
            score = (all(self._passes(wrong, j) for j in range(k)),
                     not isinstance(got, Raised) or str(got.exc) == str(out.exc))
            if best_score is None or score > best_score:
                best, best_score = hint, score
            if score == (True, True):
                break
        return best

    def _warns(self, f, k):
        case = self.cases[k]
        try:
            return record(lambda *a, **kw: self._drive(f, case, a, kw), *_copy(case.args),
                          **case.kwargs)[1]
        except Exception:  # noqa: BLE001 - a raising mistake does not warn
            return []

    def _passes(self, f, k):
        out, after = self.outcome(f, k)
        if isinstance(out, Raised):
            return False
        case = self.cases[k]
        return self.judge(out, k, self.cases[k].label(self.name)) is None and all(
            same(a, b, 0, 0) for a, b, n in zip(after, case.args, self.arg_names)
            if n not in self.mutable and isinstance(a, (np.ndarray, list, dict)))

    def judge(self, got, k, what):
        """``None`` or ``(message, hint)``: the learner's result on case ``k`` against the reference."""
        case, want = self.cases[k], self.want(k)
        if self.custom_check is not None:
            return self.custom_check(got, want, case)
        return compare(got, want, what, dtype=self.dtype, rtol=case.rtol or self.rtol,
                       atol=case.atol or self.atol, names=self.names)

    def run_case(self, c, fn, k):
        """Check ``fn`` on case ``k``: raises :class:`Wrong` with the mistake's hint, or returns."""
        case = self.cases[k]
        if case.optional and not _accepts(fn, case.kwargs):
            return None
        what = case.label(self.name)
        args = _copy(case.args)
        c.count += 1
        try:
            got, warned = record(lambda *a, **kw: self._drive(fn, case, a, kw), *args, **case.kwargs)
        except NotDone:
            raise
        except Exception as exc:  # noqa: BLE001 - any learner exception becomes a message
            hint = self.diagnose(k, Raised(exc), args) or self._error_hint(exc) or case.hint
            text = str(exc).splitlines()[0] if str(exc) else ""
            raise Wrong(f"{what}: your code raised {type(exc).__name__}" + (f": {text}" if text else ""),
                        hint or "run your function on this input and read the traceback") from None
        # 1. inputs untouched
        for name, before, after in zip(self.arg_names, case.args, args):
            if (name in self.mutable or not isinstance(before, (np.ndarray, list, dict))
                    or same(before, after, 0, 0)):
                continue
            hint = self.diagnose(k, got, args) or self.mutation_hint or (
                f"`{name} -= ...`, `{name}[...] = ...` or `out={name}` write into the caller's "
                f"array; build a new one (`{name} = {name} - ...` makes a new array)")
            raise Wrong(f"{what}: the input {name} was modified in place", hint)
        # 2. the result
        problem = self.judge(got, k, what)
        if problem:
            message, kind_hint = problem
            hint = self.diagnose(k, got, args) or case.hint or kind_hint or self.hint
            if warned and hint:
                hint += f" (your code warned: {'; '.join(warned)})"
            raise Wrong(message, hint)
        # 3. quiet cases: no warning
        if case.quiet and warned:
            hint = self.diagnose(k, got, args, warned=True) or case.hint or self.hint
            raise Wrong(f"{what} has the right value, but NumPy warned: {'; '.join(warned)}", hint)
        # 4. a new array, not a view of an input
        if self.new and isinstance(got, np.ndarray):
            for name, a in zip(self.arg_names, args):
                if isinstance(a, np.ndarray) and np.shares_memory(got, a):
                    raise Wrong(f"{what} returned its input {name} (or a view of it), not a new array",
                                "build a new array: np.maximum, np.where and arithmetic do")
        return got

    def _error_hint(self, exc):
        text = f"{type(exc).__name__}: {exc}"
        return next((hint for part, hint in self.errors if part in text), None)

    def body(self, c, fn):
        if not callable(fn):
            raise Wrong(f"expected a function, got {describe(fn)}",
                        "pass the function itself, without calling it: check(f), not check(f())")
        for k in range(len(self.cases)):
            self.run_case(c, fn, k)
        extra = self.extra(c, fn) if self.extra is not None else None
        return extra or self.summary


def self_test(check):
    """Problems with a table's own entries: a mistake that passes or is not named by its hint, a
    correct variant refused. ``[]`` when all is well; every chapter's tests can assert that."""
    problems = []
    for hint, wrong in check.mistakes.items():
        result = check(wrong, strict=False, quiet=True)
        if result.status != WRONG or "Hint: " + hint.rstrip(".") not in result.line:
            problems.append(f"mistake {hint[:60]!r}: {result.line}")
    for k, good in enumerate(check.correct):
        result = check(good, strict=False, quiet=True)
        if not result.passed:
            problems.append(f"correct variant {k}: {result.line}")
    return problems


def table(name, reference, cases, mistakes=None, correct=(), **options):
    """A table-driven checker (a :class:`Table`); see the module docstring for the options."""
    return Table(name, reference, cases, mistakes, correct, **options)


# -- the hand-written part ------------------------------------------------------------------------------
class Checker:
    """Helpers a checker body uses; each assertion counts one check."""

    def __init__(self, name):
        self.name = name
        self.count = 0
        self.warnings = []

    def call(self, fn, *args, **kwargs):
        """Call the learner's ``fn`` on deep copies of the arguments, NumPy warnings recorded in
        ``self.warnings``; ``NotImplementedError`` means to do, any other exception is reported."""
        if not callable(fn):
            raise Wrong(f"expected a function, got {describe(fn)}",
                        "pass the function itself, without calling it: check(f), not check(f())")
        return self.call_raw(fn, *_copy(args), **kwargs)

    def call_raw(self, fn, *args, **kwargs):
        """Call ``fn`` exactly on the given arguments (no copies)."""
        try:
            got, self.warnings = record(fn, *args, **kwargs)
            return got
        except NotDone:
            raise
        except Wrong:
            raise
        except Exception as exc:  # noqa: BLE001 - any learner exception becomes a message
            text = f"{type(exc).__name__}: {exc}"
            hint = next((h for part, h in COMMON_ERRORS if part in text), None)
            raise Wrong(f"your code raised {text.splitlines()[0]}",
                        hint or "run the cell above on a small example and read the traceback") from exc

    def ok(self, condition, message, hint=None):
        """Count a check; fail with ``message`` when ``condition`` is false."""
        self.count += 1
        if not condition:
            raise Wrong(message, hint)

    def close(self, got, expected, what, hint=None, rtol=1e-6, atol=1e-9, dtype=None):
        """``got`` must match ``expected`` (kind, shape, values): :func:`compare` as one check."""
        self.count += 1
        if not isinstance(expected, (tuple, list, np.ndarray)) and expected is not None:
            expected = np.float64(expected)
        elif isinstance(expected, list):
            expected = np.asarray(expected, dtype=np.float64)
        if isinstance(expected, np.ndarray) and not isinstance(got, (np.ndarray, tuple, list)):
            got = np.asarray(got) if _kind(got) in ("number", "bool") else got
        if isinstance(got, list) and isinstance(expected, np.ndarray):
            got = np.asarray(got, dtype=object if not got else None)
        problem = compare(got, expected, what, dtype=dtype, rtol=rtol, atol=atol)
        if problem:
            raise Wrong(problem[0], hint or problem[1])
        return got

    def unchanged(self, before, after, what, hint=None):
        """An input must not be modified by the learner's code."""
        self.count += 1
        if not same(before, after, 0, 0):
            raise Wrong(f"{what} was modified in place",
                        hint or "work on a copy or build a new array instead of writing into the input")

    def case(self, table_, fn, k):
        """Run case ``k`` of a :class:`Table` on ``fn`` (for a body mixing tables and code)."""
        return table_.run_case(self, fn, k)


def _sentence(text):
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def run(name, body, *args, strict=None, quiet=False, **kwargs):
    """Run ``body(checker, *args, **kwargs)``; print (unless ``quiet``) and return its :class:`Result`."""
    c = Checker(name)
    try:
        with np.errstate(all="ignore"):  # the checker's own arithmetic never warns
            extra = body(c, *args, **kwargs)
    except NotDone:
        result = Result(name, TODO, TODO_MESSAGE)
    except Wrong as w:
        msg = _sentence(w.message)
        if w.hint:
            msg += " Hint: " + _sentence(w.hint)
        result = Result(name, WRONG, msg)
    except Exception as exc:  # noqa: BLE001 - a checker must never crash a learner's notebook
        result = Result(name, WRONG, f"your function made the check fail with {type(exc).__name__}: "
                                     f"{exc}. Hint: run it on a small example and compare with the "
                                     "exercise's statement.")
    else:
        n = c.count
        msg = f"{n} check{'s' if n != 1 else ''}"
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
        check.mistakes, check.correct = {}, []
        return check

    return decorate
