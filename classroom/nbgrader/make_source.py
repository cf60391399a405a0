"""Copy solution notebooks into an nbgrader ``source/`` folder, with nbgrader's cell metadata.

    python classroom/nbgrader/make_source.py COURSE_DIR 03_losses [00_numpy ...] [--points FILE]

writes ``COURSE_DIR/source/<name>/<name>.ipynb`` for each chapter. The ``### BEGIN SOLUTION`` /
``### END SOLUTION`` markers are already nbgrader's; this adds what nbgrader's full pipeline
(``generate_assignment``, ``autograde``) also needs: every cell with a solution block becomes an
nbgrader *solution* cell, every checker cell (``checks.<name>(fn)``) a locked, graded *test* cell
worth its points (1, or the points file's weight; see classroom/README.md). Run ``autograde`` with
``COURSE_STRICT=1`` so that a ❌ or ⏳ raises ``AssertionError`` and the test cell scores 0.
Nothing in solutions/ is modified.
"""

import argparse
import sys
from pathlib import Path

import nbformat

from course_lib.exercises import BEGIN
from course_lib.grade.notebooks import checker_call
from course_lib.grade.report import load_points

ROOT = Path(__file__).resolve().parents[2]


def nbgrader_metadata(cell, index, points):
    """The nbgrader metadata for the ``index``-th cell (``None`` for an ordinary cell)."""
    grade_id = f"cell-{cell.get('id') or index}"
    if cell.cell_type == "code" and (call := checker_call(cell.source)):
        return {"grade": True, "solution": False, "locked": True, "schema_version": 3,
                "grade_id": f"check-{call[0]}", "points": points.get(call[0], 1)}
    if any(line.strip() == BEGIN for line in cell.source.split("\n")):
        return {"grade": False, "solution": True, "locked": False, "schema_version": 3,
                "grade_id": grade_id}
    return None


def make_source(course_dir, name, points=None):
    """Write ``course_dir/source/name/name.ipynb``; returns its path."""
    nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_metadata(cell, index, points or {})
        if meta is not None:
            cell.metadata["nbgrader"] = meta
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    target = Path(course_dir) / "source" / name / f"{name}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("course_dir", help="the nbgrader course folder (holds nbgrader_config.py)")
    parser.add_argument("chapters", nargs="+", help="chapter names, e.g. 03_losses")
    parser.add_argument("--points", help="exercise weights, the grader's TOML/JSON format")
    args = parser.parse_args(argv)
    weights = load_points(args.points) if args.points else {}
    for name in args.chapters:
        if not (ROOT / "solutions" / f"{name}.ipynb").exists():
            print(f"no solutions/{name}.ipynb", file=sys.stderr)
            return 2
        print(f"wrote {make_source(args.course_dir, name, weights.get(name))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
