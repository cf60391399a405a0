"""Which notebooks to grade, whose they are, and the cells the grader runs for each.

A chapter's canonical exercise notebook is what ``python -m course_lib.exercises build`` makes from
``solutions/NN_topic.ipynb`` (built in memory, because a learner edits ``exercises/`` in place;
the committed ``exercises/`` copy is used only when ``solutions/`` is absent). Its *checker cells*
are the code cells made of one call ``checks.<name>(...)``; ``<name>`` is the exercise.

Cell matching (documented in classroom/README.md): a submission's cell is the learner's copy of the
checker cell of ``name`` when it has that cell's id (Jupyter keeps cell ids while editing) or is
itself one call ``checks.<name>(...)``. Those copies are never run. The canonical cell runs instead,
at the copy's place when the function it checks (the call's argument, e.g. ``mse``) is bound in an
earlier cell, otherwise right after the last cell binding that name. An exercise whose name is
bound nowhere in the submission is ``missing``. A copy that differs as code (comments and spacing
aside), or no copy at all, marks the exercise's checker cell as edited or deleted: the grader then
reports what the course's checker found but gives no credit for it.
"""

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SEPARATORS = " -_.()"


class GradeError(ValueError):
    """A problem with the command's input (bad path, not a course notebook): exit status 2."""


@dataclass
class Exercise:
    name: str  # the checker's name, e.g. "mse"
    arg: str | None  # the name the checker cell passes, e.g. "mse" (None for an expression)
    cell_id: str | None
    source: str  # the canonical checker cell
    points: float = 1.0


@dataclass
class Chapter:
    name: str  # "03_losses"
    exercises: list = field(default_factory=list)
    cell_ids: set = field(default_factory=set)

    @property
    def names(self):
        return [ex.name for ex in self.exercises]


def checker_call(source):
    """``(name, arg)`` when ``source`` is one call ``checks.<name>(...)``, else None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "checks"
    ):
        return None
    arg = call.args[0].id if call.args and isinstance(call.args[0], ast.Name) else None
    return call.func.attr, arg


def _bound_names(source):
    """Names a cell binds at module level (def, class, assignment, import, for, with)."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        # A cell that does not parse still shows which function the learner meant to write.
        return set(re.findall(r"^(?:def|class)\s+([A-Za-z_]\w*)", source, flags=re.M))
    names = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, (ast.stmt, ast.expr, ast.withitem, ast.excepthandler)):
                todo.append(child)
    return names


def _strip_magics(source):
    """IPython magics and shell escapes (``%time``, ``!ls``) blanked out, so ``ast`` can parse."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
    )


def load_chapter(course_root, name, points=None):
    """The canonical :class:`Chapter` ``name``; ``points`` maps exercise -> weight (default 1, or
    the checker cell's metadata ``{"course": {"points": 2}}``)."""
    root = Path(course_root)
    solution, committed = root / "solutions" / f"{name}.ipynb", root / "exercises" / f"{name}.ipynb"
    if solution.exists():
        from course_lib.exercises import build_notebook

        nb = build_notebook(nbformat.read(solution, as_version=4), solution.name)
    elif committed.exists():
        nb = nbformat.read(committed, as_version=4)
    else:
        raise GradeError(f"no chapter {name!r} in the course at {root}")
    chapter = Chapter(name, cell_ids={cell.get("id") for cell in nb.cells if cell.get("id")})
    seen = set()
    for cell in nb.cells:
        found = checker_call(cell.source) if cell.cell_type == "code" else None
        if found is None or found[0] in seen:
            continue
        seen.add(found[0])
        weight = cell.metadata.get("course", {}).get("points", 1)
        if points and found[0] in points:
            weight = points[found[0]]
        chapter.exercises.append(
            Exercise(found[0], found[1], cell.get("id"), cell.source, float(weight))
        )
    return chapter


def chapter_names(course_root):
    """Every chapter with exercises: the stems of ``solutions/`` (or ``exercises/``) notebooks."""
    root = Path(course_root)
    stems = {
        p.stem for folder in ("solutions", "exercises") for p in (root / folder).glob("*.ipynb")
    }
    return sorted(stems)


def chapter_of(stem, chapters):
    """The chapter named in a file stem (``03_losses``, ``03_losses (1)``, ``alice-03_losses``) and
    what is left of the stem, or ``(None, stem)``. A browser's `` (1)`` and Jupyter's ``-Copy1`` are
    not part of a learner's name."""
    stem_in = stem
    stem = re.sub(r"(\s*\(\d+\)|-Copy\d+)+$", "", stem)
    for chapter in sorted(chapters, key=len, reverse=True):
        at = stem.find(chapter)
        if at < 0:
            continue
        before, after = stem[:at], stem[at + len(chapter) :]
        if (not before or before[-1] in SEPARATORS) and (not after or after[0] in SEPARATORS):
            return chapter, (before + after).strip(SEPARATORS)
    return None, stem_in


@dataclass
class Submission:
    path: Path
    learner: str
    chapter: str


def chapter_by_content(path, cell_ids):
    """The chapter whose exercise notebook shares the most cell ids (at least 2) with the notebook
    at ``path``, or None; ``cell_ids`` maps chapter -> its cell ids. Only reads the file."""
    try:
        cells = json.loads(Path(path).read_bytes()).get("cells", [])
        ids = {cell.get("id") for cell in cells if isinstance(cell, dict)} - {None}
    except (OSError, ValueError, AttributeError):
        return None
    shared = {name: len(ids & chapter_ids) for name, chapter_ids in cell_ids.items()}
    best = max(shared, key=shared.get, default=None)
    return best if best is not None and shared[best] >= 2 else None


def find_submissions(paths, chapters, warn=print, identify=None):
    """Submissions under ``paths`` (notebooks or folders of them), in a stable order.

    The chapter comes from the file name (``03_losses.ipynb``, ``alice_03_losses.ipynb``), else
    from ``identify(path)`` (e.g. :func:`chapter_by_content`). The learner is the first folder
    below a given folder (``subs/alice/03_losses.ipynb``: alice); in a flat folder, what the file
    stem holds besides the chapter (``alice_03_losses.ipynb``: alice), the whole stem when it names
    no chapter (``alice.ipynb``), else the folder's own name. A named file that is not a course
    notebook is a :class:`GradeError`; one found in a folder is skipped with a warning.
    """
    identify = identify or (lambda path: None)

    def which(path):
        chapter, rest = chapter_of(path.stem, chapters)
        if chapter is None:
            chapter, rest = identify(path), path.stem
        return chapter, rest

    found = []
    for given in paths:
        given = Path(given)
        if given.is_file():
            if given.suffix != ".ipynb":
                raise GradeError(f"{given} is not a notebook (.ipynb)")
            chapter, rest = which(given)
            if chapter is None:
                raise GradeError(
                    f"{given} is not one of the course's notebooks: its name should be "
                    f"a chapter's, one of {', '.join(chapters)}"
                )
            learner = rest or given.resolve().parent.name
            found.append(Submission(given, learner, chapter))
        elif given.is_dir():
            for path in sorted(given.rglob("*.ipynb")):
                relative = path.relative_to(given)
                if any(part.startswith(".") for part in relative.parts):
                    continue  # .ipynb_checkpoints/ and other hidden folders
                chapter, rest = which(path)
                if chapter is None:
                    warn(f"skipped {path}: not one of the course's notebooks")
                    continue
                if len(relative.parts) > 1:
                    learner = relative.parts[0]
                else:
                    learner = rest or given.resolve().name
                found.append(Submission(path, learner, chapter))
        else:
            raise GradeError(f"{given}: no such file or folder")
    seen = {}
    for sub in found:
        key = (sub.learner, sub.chapter)
        if key in seen:
            raise GradeError(
                f"two notebooks for {sub.learner}, {sub.chapter}: {seen[key]} and {sub.path}"
            )
        seen[key] = sub.path
    return found


def read_submission(data, chapter, path):
    """Parse a submission's bytes; a :class:`GradeError` when it is not the chapter's notebook."""
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except (
        UnicodeDecodeError,
        json.JSONDecodeError,
        nbformat.reader.NotJSONError,
        ValueError,
        KeyError,
        AttributeError,
    ) as exc:
        raise GradeError(f"{path} is not a readable notebook ({type(exc).__name__})") from None
    ids = {cell.get("id") for cell in nb.cells}
    uses_course = any(
        "course_lib" in cell.source or "checks." in cell.source
        for cell in nb.cells
        if cell.cell_type == "code"
    )
    if not (ids & chapter.cell_ids) and not uses_course:
        raise GradeError(
            f"{path} is not one of the course's notebooks: no cell of the {chapter.name} "
            "exercises and no use of course_lib"
        )
    return nb


@dataclass
class Plan:
    """What the grader runs: ``steps``, each ``("learner", source)`` or ``("check", exercise)``."""

    steps: list
    missing: list
    changed: dict  # exercise name -> "edited" or "deleted": its checker cell (no credit)


def _same_code(a, b):
    """Equal as Python code: comments, blank lines and spacing do not count."""
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except SyntaxError:
        return a.strip() == b.strip()


def plan(nb, chapter):
    """Align a submission with its canonical chapter (see the module docstring)."""
    by_id = {ex.cell_id: ex for ex in chapter.exercises if ex.cell_id}
    by_name = {ex.name: ex for ex in chapter.exercises}
    kept, anchors, changed = [], {}, {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        ex = by_id.get(cell.get("id"))
        call = checker_call(cell.source)
        if ex is None and call is not None:
            ex = by_name.get(call[0])
        if ex is not None:
            anchors.setdefault(ex.name, len(kept))
            if not _same_code(cell.source, ex.source):
                changed.setdefault(ex.name, "edited")
            continue
        kept.append(cell.source)
    binds = [_bound_names(source) for source in kept]
    after = {}  # position in kept -> exercises whose checker runs before kept[position]
    missing = []
    for ex in chapter.exercises:
        where = (
            [i for i, names in enumerate(binds) if ex.arg in names] if ex.arg else [len(kept) - 1]
        )
        if not where:
            missing.append(ex.name)
            continue
        anchor = anchors.get(ex.name)
        if anchor is not None and where[0] < anchor:
            position = anchor
        else:
            position = where[-1] + 1
            if anchor is None:
                changed.setdefault(ex.name, "deleted")
        after.setdefault(position, []).append(ex)
    steps = []
    for i in range(len(kept) + 1):
        steps.extend(("check", ex) for ex in after.get(i, []))
        if i < len(kept):
            steps.append(("learner", kept[i]))
    return Plan(steps, missing, changed)
