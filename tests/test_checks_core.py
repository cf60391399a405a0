"""The checker framework: three states, one line, never raises on a learner's mistake, strict mode."""

import numpy as np
import pytest

from course_lib.checks import core
from course_lib.checks.core import checker


@checker("square")
def check_square(c, fn):
    x = np.array([1.0, -2.0, 3.0])
    got = c.call(fn, x)
    c.close(got, x ** 2, "square([1, -2, 3])", hint="multiply x by itself")


@checker("double_in_place")
def check_double(c, fn):
    x = np.array([1.0, 2.0])
    before = x.copy()
    got = c.call_raw(fn, x)
    c.unchanged(before, x, "the input x")
    c.close(got, 2 * before, "double([1, 2])")
    return "inputs untouched"


def not_done(x):
    # YOUR CODE HERE
    raise NotImplementedError()


CASES = {
    "correct": (lambda x: x ** 2, core.PASSED, "✅ square: 1 check passed"),
    "todo": (not_done, core.TODO, "⏳ square: not implemented yet"),
    "wrong value": (lambda x: 2 * x, core.FAILED, "should be [1., 4., 9.], got [ 2., -4.,  6.]"),
    "wrong shape": (lambda x: (x ** 2)[:, None], core.FAILED, "should have shape (3,), got (3, 1)"),
    "nan": (lambda x: np.sqrt(x) ** 4, core.FAILED, "contains NaN"),
    "inf": (lambda x: x ** 2 / 0.0, core.FAILED, "contains inf"),
    "raises": (lambda x: x.undefined_attribute, core.FAILED, "your code raised AttributeError"),
    "returns None": (lambda x: None, core.FAILED, "returned None"),
    "wrong type": (lambda x: "squares", core.FAILED, "should be an array of numbers"),
    "zero division": (lambda x: 1 / 0, core.FAILED, "ZeroDivisionError"),
}


@pytest.mark.parametrize("name", CASES)
def test_one_line_per_state(name, capsys):
    fn, status, expected = CASES[name]
    with np.errstate(all="ignore"):
        result = check_square(fn, strict=False)
    out = capsys.readouterr().out
    assert result.status == status
    assert out.count("\n") == 1 and out.startswith(result.line)
    assert expected in out


def test_hint_is_appended_on_failure():
    result = check_square(lambda x: x + 1, strict=False, quiet=True)
    assert result.line.endswith("Hint: multiply x by itself.")


def test_not_a_function():
    result = check_square(np.array([1.0]), strict=False, quiet=True)
    assert result.status == core.FAILED and "expected a function" in result.line


def test_checker_bug_does_not_crash():
    @checker("broken")
    def broken(c, fn):
        raise KeyError("oops")

    result = broken(lambda: None, strict=False, quiet=True)
    assert result.status == core.FAILED and "the checker itself hit KeyError" in result.line


def test_mutation_and_extra_message():
    def doubles_in_place(x):
        x *= 2
        return x

    assert check_double(lambda x: 2 * x, strict=False, quiet=True).line == \
        "✅ double_in_place: 2 checks passed (inputs untouched)"
    bad = check_double(doubles_in_place, strict=False, quiet=True)
    assert bad.status == core.FAILED and "modified in place" in bad.line


@pytest.mark.parametrize("fn", [lambda x: 2 * x, not_done])
def test_strict_argument_raises(fn):
    with pytest.raises(AssertionError, match="square"):
        check_square(fn, strict=True, quiet=True)


def test_strict_passes_when_correct():
    assert check_square(lambda x: x * x, strict=True, quiet=True).passed


@pytest.mark.parametrize("value, strict", [("1", True), ("true", True), ("0", False), ("", False)])
def test_strict_from_environment(monkeypatch, value, strict):
    monkeypatch.setenv("COURSE_STRICT", value)
    assert core.is_strict() is strict
    if strict:
        with pytest.raises(AssertionError):
            check_square(not_done, quiet=True)
    else:
        assert check_square(not_done, quiet=True).status == core.TODO


def test_set_strict_overrides_environment(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT", "0")
    try:
        core.set_strict(True)
        with pytest.raises(AssertionError):
            check_square(not_done, quiet=True)
    finally:
        core.set_strict(None)
    assert check_square(not_done, quiet=True).status == core.TODO


def test_result_repr_and_bool():
    good = check_square(lambda x: x * x, strict=False, quiet=True)
    bad = check_square(lambda x: x, strict=False, quiet=True)
    assert repr(good) == good.line and bool(good) and not bool(bad)


def test_learners_input_arrays_are_copied():
    seen = []

    def keeps_reference(x):
        seen.append(x)
        x[:] = 0
        return np.array([1.0, 4.0, 9.0])

    check_square(keeps_reference, strict=False, quiet=True)
    # the checker computed its expectation from its own array, so the answer still passes
    assert check_square(keeps_reference, strict=False, quiet=True).passed


def test_checker_names_are_unique_across_chapters():
    """``checks/__init__`` star-imports every chapter: a repeated name would silently shadow one."""
    import importlib
    import pkgutil

    import course_lib.checks as package

    owners = {}
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("ch"):
            continue
        module = importlib.import_module(f"course_lib.checks.{info.name}")
        for name in module.__all__:
            assert name not in owners, f"checks.{name} is defined in {owners.get(name)} and {info.name}"
            owners[name] = info.name
            assert getattr(package, name) is getattr(module, name)
