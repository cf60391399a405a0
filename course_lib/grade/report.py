"""What the grader writes: ``grades.csv``, the summary table and Gradescope's ``results.json``."""

import csv
import json
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: the backport if installed, else JSON points files only
    try:
        import tomli as tomllib
    except ImportError:
        tomllib = None

from .notebooks import GradeError

COLUMNS = ["learner", "chapter", "exercise", "status", "points", "message"]
ORDER = ["passed", "wrong", "todo", "error", "timeout", "missing"]
LABELS = {
    "passed": "passed",
    "wrong": "wrong",
    "todo": "to do",
    "error": "error",
    "timeout": "timeout",
    "missing": "missing",
}


def load_points(path):
    """Exercise weights from a TOML or JSON file: ``{chapter: {exercise: points}}``.

    TOML::

        [03_losses]
        mse = 1
        cross_entropy = 2
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GradeError(f"cannot read the points file {path}: {exc.strerror}") from None
    if path.suffix != ".json" and tomllib is None:
        raise GradeError(f"{path}: TOML needs Python 3.11 or `pip install tomli`; or use .json")
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except ValueError as exc:  # JSONDecodeError and TOMLDecodeError are both ValueErrors
        raise GradeError(
            f"the points file {path} is not valid {path.suffix[1:].upper() or 'TOML'}: {exc}"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise GradeError(
            f"the points file {path} should map each chapter to a table of exercise = points"
        )
    for chapter, table in data.items():
        for exercise, points in table.items():
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                raise GradeError(
                    f"{path}: {chapter}.{exercise} should be a number >= 0, got {points!r}"
                )
    return data


def _fmt(points):
    return f"{points:g}"


def rows_of(results):
    """``results``: a list of ``(learner, chapter, [(exercise, status, message)])`` -> CSV rows."""
    rows = []
    for learner, chapter, graded in results:
        for ex, status, message in graded:
            rows.append(
                {
                    "learner": learner,
                    "chapter": chapter.name,
                    "exercise": ex.name,
                    "status": status,
                    "points": _fmt(ex.points if status == "passed" else 0),
                    "message": message,
                }
            )
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def summary(results, details=None):
    """A plain-text table: one line per learner and chapter, counts per status and the points.

    ``details``: ``"problems"`` adds a line per wrong, error or timeout exercise, ``"all"`` per
    exercise not passed, ``None`` nothing.
    """
    learners = {learner for learner, _, _ in results}
    head = (
        ([] if len(learners) <= 1 else ["learner"])
        + ["chapter"]
        + [LABELS[s] for s in ORDER]
        + ["points"]
    )
    body = []
    for learner, chapter, graded in results:
        counts = {s: sum(1 for _, status, _ in graded if status == s) for s in ORDER}
        got = sum(ex.points for ex, status, _ in graded if status == "passed")
        total = sum(ex.points for ex, _, _ in graded)
        body.append(
            ([] if len(learners) <= 1 else [learner])
            + [chapter.name]
            + [str(counts[s]) for s in ORDER]
            + [f"{_fmt(got)}/{_fmt(total)}"]
        )
    widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
    text_columns = 1 if len(learners) <= 1 else 2
    lines = []
    for n, row in enumerate([head] + body):
        cells = [
            cell.ljust(w) if i < text_columns else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    shown = {"all": set(ORDER) - {"passed"}, "problems": {"wrong", "error", "timeout"}}.get(
        details, ()
    )
    if details:
        for learner, chapter, graded in results:
            for ex, status, message in graded:
                if status in shown:
                    who = f"{learner} " if len(learners) > 1 else ""
                    lines.append(f"{who}{chapter.name} · {ex.name}: {LABELS[status]}: {message}")
    return "\n".join(lines)


def gradescope(results):
    """Gradescope's autograder ``results.json`` content for one learner's submission."""
    tests, score = [], 0.0
    for _, chapter, graded in results:
        for ex, status, message in graded:
            got = ex.points if status == "passed" else 0.0
            score += got
            tests.append(
                {
                    "name": f"{chapter.name} · {ex.name}",
                    "score": got,
                    "max_score": ex.points,
                    "status": "passed" if status == "passed" else "failed",
                    "output": f"{LABELS[status]}: {message}",
                }
            )
    return {"score": score, "tests": tests, "output_format": "text", "visibility": "visible"}


def write_gradescope(results, path):
    Path(path).write_text(
        json.dumps(gradescope(results), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
