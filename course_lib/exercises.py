"""Generate the exercise notebooks from the solution notebooks.

``solutions/NN_topic.ipynb`` is the single source of a chapter's exercises. Every block between the
lines ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's markers) becomes::

    # YOUR CODE HERE
    raise NotImplementedError()

at the indentation of the ``### BEGIN SOLUTION`` line; in a markdown cell it becomes
``YOUR ANSWER HERE``. Outputs, execution counts and widget state are cleared.

Usage (from the repository's top folder)::

    python -m course_lib.exercises build   # write exercises/ from solutions/
    python -m course_lib.exercises build 05b_generalization   # only that one
    python -m course_lib.exercises check   # exit 1 if a committed exercise differs from build
    python -m course_lib.exercises list    # which files build writes

Only ``exercises/<name>.ipynb`` files that have a ``solutions/<name>.ipynb`` source are written;
no other notebook is ever touched.
"""

import argparse
import copy
import json
import sys
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
GENERATED_NOTE = ("> **Exercises.** Generated from `solutions/{name}` by "
                  "`python -m course_lib.exercises build`: edit the solution notebook, "
                  "not this one.")


class MarkerError(ValueError):
    """A ``### BEGIN SOLUTION`` without its ``### END SOLUTION`` (or the other way round)."""


def _ending(line):
    """The line break at the end of ``line``: ``"\\n"``, ``"\\r\\n"``, or ``""`` (the last line)."""
    return line[len(line.rstrip("\r\n")):]


def strip_solutions(source, markdown=False):
    """Replace every solution block in one cell's ``source`` text; returns the new text.

    A marker line may carry any surrounding whitespace (``### BEGIN SOLUTION   ``). Every line
    keeps its own line break (LF, CRLF, or none at the end of the cell): the stub takes the
    markers' breaks, so a cell without a final newline still has none.
    """
    out, inside, indent = [], False, ""
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise MarkerError(f"line {number}: {BEGIN} inside another solution block")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if not markdown:
                out.append(indent + "# YOUR CODE HERE" + _ending(line))
        elif stripped == END:
            if not inside:
                raise MarkerError(f"line {number}: {END} without {BEGIN}")
            inside = False
            stub = "YOUR ANSWER HERE" if markdown else "raise NotImplementedError()"
            out.append(indent + stub + _ending(line))
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{BEGIN} without {END}")
    return "".join(out)


def build_notebook(solution_nb, name):
    """Return the exercise version of a solution notebook (a new ``NotebookNode``)."""
    nb = copy.deepcopy(solution_nb)
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type in ("code", "markdown"):
            try:
                cell.source = strip_solutions(cell.source, markdown=cell.cell_type == "markdown")
            except MarkerError as exc:
                raise MarkerError(f"{name}, cell {index}: {exc}") from None
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in ("execution", "widgets", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
    if nb.cells and nb.cells[0].cell_type == "markdown":
        nb.cells[0].source = nb.cells[0].source.rstrip() + "\n\n" + GENERATED_NOTE.format(name=name)
    return nb


def serialize(nb):
    """The exact text ``build`` writes (nbformat's layout, one trailing newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def pairs(root="."):
    """``(solution_path, exercise_path)`` for every solution notebook under ``root``."""
    root = Path(root)
    sources = sorted((root / "solutions").glob("*.ipynb"))
    return [(src, root / "exercises" / src.name) for src in sources]


def expected_text(src):
    solution = nbformat.read(src, as_version=4)
    return serialize(build_notebook(solution, src.name))


def build(root=".", names=None):
    """Write every exercise notebook (or only those whose solution is named in ``names``, as
    ``05_optimizers`` or ``05_optimizers.ipynb``); returns the list of paths written."""
    wanted = None if not names else {Path(n).stem for n in names}
    if wanted is not None:
        unknown = wanted - {src.stem for src, _ in pairs(root)}
        if unknown:
            raise ValueError(f"no solutions/ notebook named {', '.join(sorted(unknown))}")
    written = []
    for src, dst in pairs(root):
        if wanted is not None and src.stem not in wanted:
            continue
        text = expected_text(src)
        dst.parent.mkdir(exist_ok=True)
        if not dst.exists() or dst.read_bytes() != text.encode("utf-8"):
            dst.write_bytes(text.encode("utf-8"))  # bytes: "\n" line ends on every system
        written.append(dst)
    return written


def check(root="."):
    """Return a list of problems: exercise notebooks missing or different from what build writes."""
    problems = []
    for src, dst in pairs(root):
        if not dst.exists():
            problems.append(f"{dst} is missing")
        elif dst.read_bytes() != expected_text(src).encode("utf-8"):  # whitespace counts too
            problems.append(f"{dst} differs from what {src} generates")
    known = {dst.name for _, dst in pairs(root)}
    for stray in sorted((Path(root) / "exercises").glob("*.ipynb")):
        if stray.name not in known:
            problems.append(f"{stray} has no solutions/{stray.name} source")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course_lib.exercises",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check", "list"])
    parser.add_argument("names", nargs="*",
                        help="build only these solution notebooks (default: all)")
    parser.add_argument("--root", default=".", help="the repository's top folder (default: .)")
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            paths = build(args.root, args.names)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        for path in paths:
            print(f"wrote {path}")
        return 0
    if args.command == "list":
        for src, dst in pairs(args.root):
            print(f"{src} -> {dst}")
        return 0
    problems = check(args.root)
    for problem in problems:
        print(problem)
    if problems:
        print("run `python -m course_lib.exercises build` and commit the result")
        return 1
    print(f"exercises up to date ({len(pairs(args.root))} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
