"""Grading with the course's own checkers: ``python -m course_lib.grade PATH... --out grades.csv``.

- :mod:`.notebooks`: which notebooks, whose, and the cells to run (canonical checker cells put back)
- :mod:`.runner`: a fresh kernel per notebook on a temporary copy, a time limit, several at once
- :mod:`.probe`: the part inside the kernel that records the checkers' results
- :mod:`.report`: ``grades.csv``, the summary table, Gradescope's ``results.json``, points files

Kept light on import: the kernel imports :mod:`.probe` from here, and needs no nbclient.
"""


def grade(paths, **options):
    """Grade notebooks; see :func:`course_lib.grade.grader.grade`."""
    from .grader import grade as _grade

    return _grade(paths, **options)
