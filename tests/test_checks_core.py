"""The checker framework: three states, one line, never raises on a learner's mistake, strict
mode."""

import numpy as np
import pytest

from course_lib.checks import core

check_square = core.table("square", lambda x: x ** 2, [core.Case(np.array([1.0, -2.0, 3.0]))],
                          hint="multiply x by itself")
check_double = core.table("double_in_place", lambda x: 2 * x, [core.Case(np.array([1.0, 2.0]))],
                          summary="inputs untouched")


def not_done(x):
    # YOUR CODE HERE
    raise NotImplementedError()


CASES = {
    "correct": (lambda x: x ** 2, core.PASSED, "✅ passed · square: 2 checks"),
    "todo": (not_done, core.TODO, "⏳ to do · square: not implemented yet"),
    "wrong value": (lambda x: 2 * x, core.WRONG, "should be [1, 4, 9], got [2, -4, 6]"),
    "wrong shape": (lambda x: (x ** 2)[:, None], core.WRONG, "should have shape (3,), got (3, 1)"),
    "nan": (lambda x: np.sqrt(x) ** 4, core.WRONG, "got [1, nan, 9]"),
    "inf": (lambda x: x ** 2 / 0.0, core.WRONG, "got [inf"),
    "raises": (lambda x: x.undefined_attribute, core.WRONG, "your code raised AttributeError"),
    "returns None": (lambda x: None, core.WRONG, "returned None"),
    "wrong type": (lambda x: "squares", core.WRONG, "should be an array of numbers, got 'squares'"),
    "zero division": (lambda x: 1 / 0, core.WRONG, "ZeroDivisionError"),
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
    assert result.status == core.WRONG and "expected a function" in result.line


def test_checker_bug_does_not_crash():
    def broken(c, fn):
        raise KeyError("oops")

    check = core.table("broken", lambda x: x, [core.Case(np.array([1.0]))], extra=broken)
    result = check(lambda x: x.copy(), strict=False, quiet=True)
    assert result.status == core.WRONG and "KeyError" in result.line


def test_mutation_and_extra_message():
    def doubles_in_place(x):
        x *= 2
        return x

    assert check_double(lambda x: 2 * x, strict=False, quiet=True).line == \
        "✅ passed · double_in_place: 2 checks (inputs untouched)"
    bad = check_double(doubles_in_place, strict=False, quiet=True)
    assert bad.status == core.WRONG and "modified in place" in bad.line


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

    first = check_square(keeps_reference, strict=False, quiet=True)
    assert "modified in place" in first.line
    # the learner got a copy: the table's own inputs, and so the next run, are unaffected
    assert seen[0] is not check_square.cases[0].args[0]
    assert check_square.cases[0].args[0].tolist() == [1.0, -2.0, 3.0]
    assert check_square(lambda x: x * x, strict=False, quiet=True).passed


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
            assert name not in owners, (
                f"checks.{name} is defined in {owners.get(name)} and {info.name}")
            owners[name] = info.name
            assert getattr(package, name) is getattr(module, name)


# -- the three statuses, listeners, strict in both directions --------------------------------------

def test_status_strings_are_the_grading_ones():
    assert (core.PASSED, core.WRONG, core.TODO) == ("passed", "wrong", "todo")
    lines = [check_square(f, strict=False, quiet=True).line
             for f in (lambda x: x * x, lambda x: x, not_done)]
    assert [line.split(" · ")[0] for line in lines] == ["✅ passed", "❌ wrong", "⏳ to do"]


def test_listener_gets_every_result_and_can_be_removed():
    seen = []
    callback = core.add_listener(seen.append)
    try:
        check_square(lambda x: x * x, strict=False, quiet=True)
        check_square(lambda x: x, strict=False, quiet=True)
        check_square(not_done, strict=False, quiet=True)
    finally:
        core.remove_listener(callback)
    assert [(r.name, r.status) for r in seen] == [("square", "passed"), ("square", "wrong"),
                                                  ("square", "todo")]
    assert all(r.message and r.line.endswith(r.message) for r in seen)
    check_square(lambda x: x * x, strict=False, quiet=True)
    assert len(seen) == 3
    core.remove_listener(callback)  # removing twice is fine


def test_listener_is_called_before_strict_raises():
    seen = []
    core.add_listener(seen.append)
    try:
        with pytest.raises(AssertionError):
            check_square(not_done, strict=True, quiet=True)
    finally:
        core.remove_listener(seen.append)
    assert [r.status for r in seen] == ["todo"]


def test_set_strict_false_overrides_environment(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT", "1")
    try:
        core.set_strict(False)
        assert not core.is_strict()
        assert check_square(not_done, quiet=True).status == core.TODO
    finally:
        core.set_strict(None)
    assert core.is_strict()


def test_result_does_not_display_itself(capsys):
    result = check_square(lambda x: x * x, strict=False, quiet=True)
    assert result._ipython_display_() is None
    assert capsys.readouterr().out == ""


# -- the table engine ------------------------------------------------------------------------------

def _double(x):
    return 2.0 * x


def _clips_in_place(x):
    np.clip(x, -10, 10, out=x)
    return 2.0 * x


TWICE = core.table(
    "twice", _double,
    cases=[core.Case(np.array([1.0, -2.0])), core.Case(np.array([1e3, -1e3]), what="twice(±1000)"),
           core.Case(np.linspace(0, 1, 20), what="twice of 20 values"),
           core.Case(np.array([700.0]), quiet=True, hint="do not exponentiate")],
    mistakes={"you added instead of multiplying": lambda x: x + 2.0,
              "clipping x in place changes the caller's array": _clips_in_place},
    correct=[lambda x: x + x, lambda x: x * 2])


def test_table_passes_and_counts_cases():
    assert TWICE(lambda x: x * 2, strict=False, quiet=True).line == "✅ passed · twice: 9 checks"


def test_mutation_is_checked_on_extreme_cases_too():
    result = TWICE(_clips_in_place, strict=False, quiet=True)
    assert "twice(±1000): the input x was modified in place" in result.line
    assert "Hint: clipping x in place changes the caller's array." in result.line


def test_a_list_is_not_an_array():
    result = TWICE(lambda x: [2 * v for v in x], strict=False, quiet=True)
    assert "returned a Python list, expected a NumPy array" in result.line


def test_int_or_bool_where_float_is_asked():
    result = TWICE(lambda x: (2 * x).astype(int), strict=False, quiet=True)
    assert "should be a float array, got dtype int64" in result.line


def test_a_view_of_the_input_is_refused():
    same_values = core.table("copy", lambda x: np.copy(x), [core.Case(np.array([1.0, 2.0]))])
    assert same_values(np.copy, strict=False, quiet=True).passed
    line = same_values(lambda x: x[:], strict=False, quiet=True).line
    assert "returned its input x (or a view of it), not a new array" in line


def test_warnings_are_recorded_not_leaked(capfd):
    def warns_on_one_value(x):
        if x.size == 1:
            np.exp(x * 10)
        return 2.0 * x
    result = TWICE(warns_on_one_value, strict=False, quiet=True)
    assert "NumPy warned: RuntimeWarning: overflow encountered in exp" in result.line
    assert "Hint: do not exponentiate." in result.line
    assert capfd.readouterr().err == ""


def test_a_big_array_difference_names_entries_and_the_largest():
    def off(x):
        y = 2.0 * x
        if y.size == 20:
            y[[3, 7, 8, 11]] += [0.5, 1e-3, 2.0, -0.25]
        return y
    line = TWICE(off, strict=False, quiet=True).line
    assert "differs at 4 of 20 entries: [3] should be 0.3158, got 0.8158" in line
    assert "the largest difference is 2 at [8]" in line


def test_close_numbers_are_printed_until_they_differ():
    line = core.compare(1.00001, 1.0, "f", rtol=1e-9, atol=0)[0]
    assert line == "f should be 1, got 1.00001"


def test_exceptions_and_mistakes_that_raise():
    def shout(x):
        raise ValueError("boom")
    table_ = core.table("t", _double, [core.Case(np.ones(2))],
                        mistakes={"that raises": lambda x: (_ for _ in ()).throw(ValueError("x"))})
    line = table_(shout, strict=False, quiet=True).line
    assert "your code raised ValueError: boom" in line and "Hint: that raises." in line


def test_table_not_a_function():
    assert "expected a function" in TWICE(np.ones(2), strict=False, quiet=True).line
