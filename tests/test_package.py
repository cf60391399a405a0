"""course_lib's own docstring lists every module and subpackage (issue 15, item 26)."""

import pkgutil

import course_lib
import course_lib.layers


def test_init_docstring_lists_every_module():
    doc = course_lib.__doc__
    names = [m.name for m in pkgutil.iter_modules(course_lib.__path__)]
    assert len(names) >= 20
    missing = [name for name in names if f"``{name}``" not in doc]
    assert not missing, f"course_lib/__init__.py's docstring does not list {missing}"


def test_init_docstring_lists_every_layers_module():
    doc = course_lib.__doc__
    names = [m.name for m in pkgutil.iter_modules(course_lib.layers.__path__)]
    missing = [name for name in names if f"``layers.{name}``" not in doc]
    assert not missing, f"course_lib/__init__.py's docstring does not list layers.{missing}"
    assert all(name in course_lib.layers.__doc__ for name in names)
