"""The grader's half inside the learner's kernel: it records what the course's checkers found.

The grader (``course_lib.grade``) runs every submission as a list of cells of its own making: a
preamble that calls :func:`install` before any learner cell, the learner's cells, and for each
exercise the canonical checker cell bracketed by :func:`begin` and :func:`end`. Nothing here ever
parses printed text: the checkers' :class:`~course_lib.checks.core.Result` objects reach a listener
registered through ``core.add_listener``, and :func:`end` writes one JSON line per exercise to a
file in the grader's temporary folder (opened here, before any learner code runs). Each line
carries a random token the grader sends only with that exercise's checker cell, so a line the
notebook wrote earlier does not count.

Between ``begin`` and ``end`` only results named after the exercise count, exactly one must arrive,
and what the checkers rely on must still be the objects seen at ``install``: the checker functions,
the functions and classes of every ``course_lib`` module loaded by then (the checkers and the
references they compare to), ``numpy``'s and ``builtins``' functions, the listener list. Anything
else is reported as tampering, which gives no credit.

This is a guard against the usual tricks (a printed fake ✅ line, an edited or deleted checker cell,
``checks.mse = ...``, patching ``np.allclose``), not a sandbox: code in the same process can
reach this module too. Grade an untrusted class inside a container (see classroom/README.md).
"""

import builtins
import json
import sys
import types

import numpy as np

_probe = None

# A checker's status -> the grader's vocabulary (the older names are still accepted).
STATUSES = {
    "passed": "passed",
    "wrong": "wrong",
    "failed": "wrong",
    "todo": "todo",
    "not implemented": "todo",
}
# Names that legitimately change at run time: strict mode, and what IPython puts into builtins
# around every cell (a new bound method each time).
_MUTABLE = {"_strict_override", "_", "__", "___", "get_ipython", "display", "exit", "quit"}


def _ident(value):
    """Who ``value`` is: its id, and for a Python function the id of its code and defaults too
    (``f.__code__ = ...`` changes what a function does, not its id)."""
    return (
        id(value),
        id(getattr(value, "__code__", None)),
        id(getattr(value, "__defaults__", None)),
    )


def _state(checker):
    """A checker object's own attributes (a table checker's reference and cases, a decorated
    function's wrapped body): ids, and the ids of a list's or tuple's items."""
    state = {"self": _ident(checker)}
    for key, value in list(getattr(checker, "__dict__", {}).items()):
        items = tuple(id(v) for v in value) if isinstance(value, (list, tuple)) else ()
        state[key] = (_ident(value), items)
    return state


def _snapshot(namespace):
    """``{name: ident}`` for the functions, classes (ufuncs too) and modules of a namespace."""
    return {
        key: _ident(value)
        for key, value in list(vars(namespace).items())
        if key not in _MUTABLE
        and not isinstance(value, types.MethodType)
        and (callable(value) or isinstance(value, types.ModuleType))
    }


class _Probe:
    def __init__(self, path, names):
        from course_lib import checks
        from course_lib.checks import core

        self.out = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held for the kernel's life
        self.checks, self.core, self.names = checks, core, list(names)
        self.real = {name: getattr(checks, name, None) for name in self.names}
        self.states = {name: _state(fn) for name, fn in self.real.items()}
        # the name a checker puts on its results (the attribute's name, unless it says otherwise)
        self.labels = {name: getattr(fn, "exercise", name) for name, fn in self.real.items()}
        spaces = {
            "course_lib.checks": checks,
            "course_lib.checks.core": core,
            "numpy": np,
            "builtins": builtins,
        }
        # every course module loaded by now: the checkers' own, and the references they compare to
        for label, module in list(sys.modules.items()):
            if (
                isinstance(module, types.ModuleType)
                and label.startswith("course_lib.")
                and not label.startswith("course_lib.grade")
            ):
                spaces.setdefault(label, module)
        for key, value in vars(core).items():
            if isinstance(value, type) and value.__module__ == core.__name__:
                spaces[f"course_lib.checks.core.{key}"] = value
        self.spaces = spaces
        self.snapshots = {label: _snapshot(space) for label, space in spaces.items()}
        self.listeners = getattr(core, "_listeners", None)
        self.current, self.results, self.problem = None, [], None
        core.add_listener(self._listen)

    def _listen(self, result):
        if self.current is not None and getattr(result, "name", None) == self.labels.get(
            self.current, self.current
        ):
            self.results.append(
                (str(getattr(result, "status", "")), str(getattr(result, "message", "")))
            )

    def tampering(self, name):
        """A sentence naming what no longer is the course's own, or None."""
        from IPython import get_ipython

        shell = get_ipython()
        user_checks = shell.user_ns.get("checks", self.checks) if shell is not None else self.checks
        if user_checks is not self.checks:
            return "the name `checks` no longer is course_lib.checks"
        if self.real.get(name) is None or getattr(self.checks, name, None) is not self.real[name]:
            return f"checks.{name} was replaced by the notebook's code"
        now = _state(self.real[name])
        changed = sorted(key for key, ident in self.states[name].items() if now.get(key) != ident)
        if changed:
            return f"checks.{name}.{changed[0]} was changed by the notebook's code"
        others = set(self.names) - {name}  # another exercise's checker is checked in its own turn
        for label, space in self.spaces.items():
            now = _snapshot(space)
            changed = sorted(
                key
                for key, ident in self.snapshots[label].items()
                if now.get(key) != ident and key not in others
            )
            if changed:
                return f"{label}.{changed[0]} was replaced by the notebook's code"
        listeners = getattr(self.core, "_listeners", None)
        if listeners is not self.listeners or (
            listeners is not None and self._listen not in listeners
        ):
            return "the checkers' result listeners were changed by the notebook's code"
        return None

    def begin(self, name, token=None):
        self.current, self.results, self.token = name, [], token
        self.problem = self.tampering(name)
        # A checker's private caches (expected outputs) are emptied: the notebook could have
        # planted values in them. They refill from the course's reference during this check.
        for key, value in list(getattr(self.real.get(name), "__dict__", {}).items()):
            if key.startswith("_") and not key.startswith("__") and isinstance(value, dict):
                value.clear()
        # a ❌ must stay a result, not an exception, whatever the notebook set
        self.core.set_strict(False)

    def end(self, name):
        problem = self.problem or self.tampering(name)
        record = {
            "exercise": name,
            "token": getattr(self, "token", None),
            "results": self.results,
            "tampering": problem,
        }
        self.current, self.results, self.problem = None, [], None
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()


def install(path, names):
    """Start recording (the grader's preamble): results of exercises ``names`` go to ``path``."""
    global _probe
    _probe = _Probe(path, names)
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.user_ns["checks"] = _probe.checks


def begin(name, token=None):
    """The canonical checker cell of exercise ``name`` runs next; ``token`` goes into its record
    (the grader makes one per check and sends it only with that cell)."""
    _probe.begin(name, token)


def end(name):
    """The checker cell of ``name`` has run: write its record."""
    _probe.end(name)
