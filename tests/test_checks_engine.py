"""Tests generated from the checkers' own tables: every mistake fails with its hint, every correct
variant passes, every checker is fast. New chapters' tables are picked up automatically."""

import importlib
import pkgutil
import time

import numpy as np
import pytest

import course_lib.checks as package
from course_lib.checks import core

#: the chapters whose tables these tests generate (new chapters test theirs with core.self_test)
MINE = ("ch00_numpy", "ch01_perceptron", "ch02_activations", "ch03_losses", "ch04_backprop",
        "ch05_optimizers")


def _tables():
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name not in MINE:
            continue
        module = importlib.import_module(f"course_lib.checks.{info.name}")
        for name in module.__all__:
            check = getattr(module, name)
            if getattr(check, "mistakes", None) or getattr(check, "correct", None):
                found.append((info.name, name, check))
    return found


TABLES = _tables()
MISTAKES = [(name, hint, wrong)
            for _, name, check in TABLES for hint, wrong in check.mistakes.items()]
CORRECT = [(name, k, good) for _, name, check in TABLES for k, good in enumerate(check.correct)]


def _hint_text(hint):
    return hint.rstrip(".")


@pytest.mark.parametrize("name, hint, wrong", MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(MISTAKES)])
def test_every_mistake_is_refused_with_its_hint(name, hint, wrong):
    result = getattr(package, name)(wrong, strict=False, quiet=True)
    assert result.status == core.WRONG, result.line
    assert "Hint: " + _hint_text(hint) in result.line, result.line


def _generic():
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"course_lib.checks.{info.name}")
        for name in getattr(module, "__all__", ()):
            if isinstance(getattr(module, name), core.Table):
                found += [(name, hint, wrong)
                          for hint, wrong in getattr(module, name).generic().items()]
    return sorted(found, key=lambda t: (t[0], t[1]))


GENERIC = _generic()


@pytest.mark.parametrize("name, hint, wrong", GENERIC,
                         ids=[f"{n}-generic-{i}" for i, (n, _, _) in enumerate(GENERIC)])
def test_every_generic_mistake_is_refused_with_a_hint(name, hint, wrong):
    """The mistakes the engine names without a table entry (an argument ignored, a list, the
    result written into an input), in every chapter: refused with that hint, or with the hint of
    a table entry that names the same mistake more specifically."""
    check = getattr(package, name)
    result = check(wrong, strict=False, quiet=True)
    hints = [*check.generic(), *check.mistakes]
    assert result.status == core.WRONG, result.line
    assert any("Hint: " + h.rstrip(".") in result.line for h in hints), result.line


def test_generic_mistakes_cover_the_array_exercises():
    names = {n for n, _, _ in GENERIC}
    assert {"sigmoid", "softmax", "mse_grad", "relu_backward", "adam_step", "bce"} <= names
    assert len(GENERIC) >= 60


@pytest.mark.parametrize("name, k, good", CORRECT, ids=[f"{n}-{k}" for n, k, _ in CORRECT])
def test_every_correct_variant_passes(name, k, good):
    result = getattr(package, name)(good, strict=False, quiet=True)
    assert result.status == core.PASSED, result.line


@pytest.mark.parametrize("name", sorted({n for _, n, _ in TABLES}))
def test_tables_are_big_enough_and_fast(name):
    check = getattr(package, name)
    assert len(check.mistakes) >= 5 and len(check.correct) >= 2, name
    start = time.process_time()
    check(check.correct[0], strict=False, quiet=True)
    for wrong in check.mistakes.values():
        t0 = time.process_time()
        check(wrong, strict=False, quiet=True)
        assert time.process_time() - t0 < 0.5, name
    assert time.process_time() - start < 0.5 * (1 + len(check.mistakes))


@pytest.mark.parametrize("name", sorted({n for _, n, _ in TABLES})[:3])
def test_self_test_reports_nothing_for_a_sound_table(name):
    assert core.self_test(getattr(package, name)) == []


def test_self_test_reports_a_bad_table():
    bad = core.table("bad", lambda x: 2 * x, [core.Case(np.array([1.0]))],
                     mistakes={"a mistake that is right": lambda x: x + x},
                     correct=[lambda x: 3 * x])
    problems = core.self_test(bad)
    assert len(problems) == 2 and problems[0].startswith("mistake 'a mistake that is right'")
