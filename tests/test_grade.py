"""course_lib.grade without a kernel: paths and learners, cell matching, points, the reports.

The runs in real kernels (a class of realistic submissions) are in tests/test_grade_class.py.
"""

import copy
import csv
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.grade import notebooks as nbs
from course_lib.grade import report
from course_lib.grade.grader import main

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = nbs.chapter_names(ROOT)


@pytest.fixture(scope="module")
def losses():
    return nbs.load_chapter(ROOT, "03_losses")


def exercise_nb(name="03_losses"):
    from course_lib.exercises import build_notebook

    return build_notebook(nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4), name)


def test_chapter_names_are_the_solution_and_exercise_notebooks():
    stems = {p.stem for folder in ("solutions", "exercises")
             for p in (ROOT / folder).glob("*.ipynb")}
    assert nbs.chapter_names(ROOT) == sorted(stems)
    assert "03_losses" in CHAPTERS and "04a_backprop" in CHAPTERS


def test_canonical_exercises_come_from_the_checker_cells(losses):
    assert losses.names == ["mse", "mse_grad", "bce", "bce_with_logits", "cross_entropy",
                            "softmax_ce_grad", "smoothed_cross_entropy"]
    assert [ex.arg for ex in losses.exercises] == losses.names
    assert all(ex.points == 1.0 for ex in losses.exercises)
    assert losses.exercises[0].source == "checks.mse(mse)"
    # 05's last cell also calls checks.adam_step(...) inside an assignment: not a checker cell
    optimizers = nbs.load_chapter(ROOT, "05_optimizers")
    assert optimizers.names.count("adam_step") == 1 and len(optimizers.names) == 6
    # the checker's name, not the function's: 04b checks `mul` as value_mul
    autograd = nbs.load_chapter(ROOT, "04b_autograd")
    assert (autograd.exercises[0].name, autograd.exercises[0].arg) == ("value_mul", "mul")


def test_points_from_cell_metadata_and_file(tmp_path, losses):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    nb = nbformat.read(ROOT / "solutions" / "03_losses.ipynb", as_version=4)
    checker = next(c for c in nb.cells if c.source == "checks.bce(bce)")
    checker.metadata["course"] = {"points": 2.5}
    nbformat.write(nb, course / "solutions" / "03_losses.ipynb")
    chapter = nbs.load_chapter(course, "03_losses")
    assert {ex.name: ex.points for ex in chapter.exercises}["bce"] == 2.5
    chapter = nbs.load_chapter(course, "03_losses", {"bce": 4, "mse": 0})
    assert [ex.points for ex in chapter.exercises] == [0, 1, 4, 1, 1, 1, 1]


@pytest.mark.parametrize("source, expected", [
    ("checks.mse(mse)", ("mse", "mse")),
    ("checks.mse(mse, strict=False)\n", ("mse", "mse")),
    ("checks.value_mul(mul)", ("value_mul", "mul")),
    ("checks.ewa(lambda x: x)", ("ewa", None)),
    ("ok = checks.mse(mse)", None),
    ("checks.mse(mse)\nprint(1)", None),
    ("print('✅ · mse: passed')", None),
    ("checks.mse(mse", None),
    ("other.mse(mse)", None),
])
def test_checker_call(source, expected):
    assert nbs.checker_call(source) == expected


@pytest.mark.parametrize("source, names", [
    ("def mse(p, t):\n    x = 1\n    return x", {"mse"}),
    ("mse = lambda p, t: 0", {"mse"}),
    ("from course_lib.losses import MSELoss as mse", {"mse"}),
    ("import numpy.linalg", {"numpy"}),
    ("if True:\n    def relu(x):\n        return x\nelse:\n    relu = None", {"relu"}),
    ("for i in range(3):\n    pass\nwith open('f') as fh:\n    pass", {"i", "fh"}),
    ("class Value:\n    def mul(self):\n        pass", {"Value"}),
    ("%time x = 1\ndef f(): pass", {"f"}),
    ("def mse(p, t)\n    return 0", {"mse"}),       # a syntax error still names the function
    ("print(mse)", set()),
])
def test_bound_names(source, names):
    assert nbs._bound_names(source) == names


@pytest.mark.parametrize("stem, expected", [
    ("03_losses", ("03_losses", "")),
    ("03_losses (1)", ("03_losses", "")),
    ("03_losses-Copy1", ("03_losses", "")),
    ("alice 03_losses (2)", ("03_losses", "alice")),
    ("alice_03_losses", ("03_losses", "alice")),
    ("03_losses-bob", ("03_losses", "bob")),
    ("04a_backprop", ("04a_backprop", "")),
    ("04_backprop", (None, "04_backprop")),
    ("x03_losses", (None, "x03_losses")),
    ("notes", (None, "notes")),
])
def test_chapter_of(stem, expected):
    assert nbs.chapter_of(stem, CHAPTERS) == expected


def touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_learners_from_folders_and_flat_files(tmp_path):
    subs = tmp_path / "submissions"
    touch(subs / "alice" / "03_losses.ipynb")
    touch(subs / "alice" / "week1" / "00_numpy.ipynb")
    touch(subs / "bob" / "03_losses.ipynb")
    touch(subs / "bob" / ".ipynb_checkpoints" / "03_losses-checkpoint.ipynb")
    touch(subs / "bob" / "notes.ipynb")
    touch(subs / "bob" / "readme.txt")
    flat = tmp_path / "flat"
    touch(flat / "carol_03_losses.ipynb")
    touch(flat / "03_losses.ipynb")
    warnings = []
    found = nbs.find_submissions([subs, flat], CHAPTERS, warn=warnings.append)
    assert [(s.learner, s.chapter, s.path.relative_to(tmp_path).as_posix()) for s in found] == [
        ("alice", "03_losses", "submissions/alice/03_losses.ipynb"),
        ("alice", "00_numpy", "submissions/alice/week1/00_numpy.ipynb"),
        ("bob", "03_losses", "submissions/bob/03_losses.ipynb"),
        ("flat", "03_losses", "flat/03_losses.ipynb"),
        ("carol", "03_losses", "flat/carol_03_losses.ipynb"),
    ]
    notes = subs / "bob" / "notes.ipynb"
    assert warnings == [f"skipped {notes}: not one of the course's notebooks"]
    # named by content: a flat folder's file stem is the learner
    exercise = exercise_nb("00_numpy")
    touch(flat / "dave.ipynb", nbformat.writes(exercise))
    ids = {"00_numpy": {c.id for c in exercise.cells}, "03_losses": {"x", "y"}}
    found = nbs.find_submissions([flat], CHAPTERS, warn=warnings.append,
                                 identify=lambda path: nbs.chapter_by_content(path, ids))
    assert [(s.learner, s.chapter) for s in found] == [
        ("flat", "03_losses"), ("carol", "03_losses"), ("dave", "00_numpy")]
    assert nbs.chapter_by_content(flat / "03_losses.ipynb", ids) is None   # "{}": no cells
    # a file named on the command line: the learner is what the stem holds, else its folder
    [one] = nbs.find_submissions([flat / "carol_03_losses.ipynb"], CHAPTERS)
    assert (one.learner, one.chapter) == ("carol", "03_losses")
    [one] = nbs.find_submissions([subs / "bob" / "03_losses.ipynb"], CHAPTERS)
    assert (one.learner, one.chapter) == ("bob", "03_losses")


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "nothing_here", "no such file or folder"),
    (lambda d: touch(d / "03_losses.txt"), "is not a notebook"),
    (lambda d: touch(d / "homework.ipynb"), "is not one of the course's notebooks"),
])
def test_bad_paths(tmp_path, make, message):
    with pytest.raises(nbs.GradeError, match=message):
        nbs.find_submissions([make(tmp_path)], CHAPTERS)


def test_two_notebooks_of_one_learner_and_chapter(tmp_path):
    touch(tmp_path / "alice" / "03_losses.ipynb")
    touch(tmp_path / "alice" / "old" / "03_losses.ipynb")
    with pytest.raises(nbs.GradeError, match="two notebooks for alice, 03_losses"):
        nbs.find_submissions([tmp_path], CHAPTERS)


def test_read_submission_rejects_foreign_notebooks(losses):
    foreign = new_notebook(cells=[new_code_cell("print('hello')"), new_markdown_cell("# Notes")])
    data = nbformat.writes(foreign).encode()
    with pytest.raises(nbs.GradeError, match="not one of the course's notebooks"):
        nbs.read_submission(data, losses, "x/03_losses.ipynb")
    with pytest.raises(nbs.GradeError, match="not a readable notebook"):
        nbs.read_submission(b"\x89PNG not json", losses, "x/03_losses.ipynb")
    # rebuilt from scratch (new cell ids) but using the course: accepted
    rebuilt = new_notebook(cells=[new_code_cell("from course_lib import checks")])
    assert nbs.read_submission(nbformat.writes(rebuilt).encode(), losses, "p").cells
    nb = exercise_nb()
    back = nbs.read_submission(nbformat.writes(nb).encode(), losses, "p")
    assert back.cells[0].id == nb.cells[0].id


def steps_text(plan):
    return [f"CHECK {item.name}" if kind == "check" else item.split("\n")[0]
            for kind, item in plan.steps]


def test_plan_untouched_runs_canonical_checkers_in_place(losses):
    plan = nbs.plan(exercise_nb(), losses)
    text = steps_text(plan)
    assert plan.missing == [] and plan.changed == {}
    assert text[:5] == ["import numpy as np", "def mse(pred, target):", "CHECK mse",
                        "def mse_grad(pred, target):", "CHECK mse_grad"]
    assert [t for t in text if t.startswith("CHECK")] == [f"CHECK {n}" for n in losses.names]
    assert not any(t.startswith("checks.") for t in text)   # the learner's copies never run


def by_id(nb, cell_id):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def test_plan_edited_deleted_and_moved_checker_cells(losses):
    nb = exercise_nb()
    ids = {ex.name: ex.cell_id for ex in losses.exercises}
    by_id(nb, ids["mse"]).source = "print('✅ · mse: 4 checks passed')"        # edited, same id
    nb.cells.remove(by_id(nb, ids["bce"]))                                     # deleted
    nb.cells.insert(3, new_code_cell("print('✅ · bce: 7 checks passed')"))    # a fake line
    # cross_entropy's checker copied above its function: the canonical one runs after the def
    ce = by_id(nb, ids["cross_entropy"])
    nb.cells.remove(ce)
    nb.cells.insert(2, new_code_cell("checks.cross_entropy(cross_entropy)"))
    # softmax_ce_grad's function deleted too: missing
    grad_def = next(c for c in nb.cells if c.source.startswith("def softmax_ce_grad"))
    nb.cells.remove(grad_def)
    plan = nbs.plan(nb, losses)
    text = steps_text(plan)
    assert plan.missing == ["softmax_ce_grad"]
    assert plan.changed == {"mse": "edited", "bce": "deleted"}   # cross_entropy's only moved
    assert text.index("CHECK mse") == text.index("def mse(pred, target):") + 1
    assert text.index("CHECK bce") == text.index("def bce(p, y, eps=1e-12):") + 1
    assert text.index("CHECK cross_entropy") == text.index("def cross_entropy(logits, labels):") + 1
    assert "CHECK softmax_ce_grad" not in text
    assert "print('✅ · bce: 7 checks passed')" in text           # runs, but proves nothing
    assert "print('✅ · mse: 4 checks passed')" not in text       # the edited copy never runs


def test_plan_comments_and_spacing_are_no_edit(losses):
    nb = exercise_nb()
    by_id(nb, losses.exercises[0].cell_id).source = "# my check\nchecks.mse( mse )  # done!\n"
    by_id(nb, losses.exercises[1].cell_id).source = "checks.mse_grad(mse_grad, strict=True)"
    assert nbs.plan(nb, losses).changed == {"mse_grad": "edited"}


def test_plan_keeps_the_learner_position_and_extra_cells(losses):
    nb = exercise_nb()
    nb.cells.insert(4, new_code_cell("mse(np.ones(3), np.zeros(3))  # trying it out"))
    nb.cells.insert(4, new_code_cell("def helper():\n    return 1"))
    text = steps_text(nbs.plan(nb, losses))
    start = text.index("def mse(pred, target):")
    assert text[start:start + 4] == ["def mse(pred, target):", "def helper():",
                                     "mse(np.ones(3), np.zeros(3))  # trying it out", "CHECK mse"]


def test_load_points(tmp_path):
    toml = touch(tmp_path / "points.toml", "[03_losses]\nmse = 2\ncross_entropy = 0.5\n")
    assert report.load_points(toml) == {"03_losses": {"mse": 2, "cross_entropy": 0.5}}
    js = touch(tmp_path / "points.json", json.dumps({"00_numpy": {"dense_forward": 3}}))
    assert report.load_points(js) == {"00_numpy": {"dense_forward": 3}}
    for text, message in [("[03_losses]\nmse = -1", "number >= 0"),
                          ("[03_losses]\nmse = 'two'", "number"),
                          ("mse = 1", "map each chapter"), ("[03_losses\n", "not valid TOML")]:
        with pytest.raises(nbs.GradeError, match=message):
            report.load_points(touch(tmp_path / "bad.toml", text))
    with pytest.raises(nbs.GradeError, match="cannot read"):
        report.load_points(tmp_path / "absent.toml")


def fake_table(losses):
    one = copy.deepcopy(losses)
    one.exercises[1].points = 2.0
    statuses = ["passed", "passed", "wrong", "todo", "error", "missing", "todo"]
    graded = [(ex, s, f"{s} message") for ex, s in zip(one.exercises, statuses)]
    slow = [(ex, "timeout", "too slow") for ex in one.exercises]
    return [("alice", one, graded), ("bob", one, slow)]


def test_csv_rows_and_summary(tmp_path, losses):
    table = fake_table(losses)
    out = tmp_path / "grades.csv"
    report.write_csv(report.rows_of(table), out)
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["learner", "chapter", "exercise", "status", "points", "message"]
    assert len(rows) == 14
    assert rows[1] == {"learner": "alice", "chapter": "03_losses", "exercise": "mse_grad",
                       "status": "passed", "points": "2", "message": "passed message"}
    assert [r["points"] for r in rows[:6]] == ["1", "2", "0", "0", "0", "0"]
    text = report.summary(table)
    lines = text.splitlines()
    assert lines[0].split() == ["learner", "chapter", "passed", "wrong", "to", "do", "error",
                                "timeout", "missing", "points"]
    assert lines[2].split() == ["alice", "03_losses", "2", "1", "2", "1", "0", "1", "3/8"]
    assert lines[3].split() == ["bob", "03_losses", "0", "0", "0", "0", "7", "0", "0/8"]
    problems = report.summary(table, details="problems").splitlines()[4:]
    assert problems[0] == "alice 03_losses · bce: wrong: wrong message"
    assert len(problems) == 2 + 7     # alice's wrong and error, bob's seven timeouts
    assert len(report.summary(table, details="all").splitlines()[4:]) == 5 + 7
    # one learner: no learner column
    assert report.summary(table[:1]).splitlines()[2].split()[0] == "03_losses"


def test_gradescope_format(losses):
    table = fake_table(losses)[:1]
    data = report.gradescope(table)
    assert data["score"] == 3.0
    assert [t["max_score"] for t in data["tests"]] == [1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert data["tests"][0] == {"name": "03_losses · mse", "score": 1.0, "max_score": 1.0,
                                "status": "passed", "output": "passed: passed message"}
    assert data["tests"][2]["score"] == 0 and data["tests"][2]["status"] == "failed"
    json.dumps(data)


def test_cli_errors_exit_2_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert main([str(tmp_path / "absent"), "--out", str(out)]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    homework = touch(tmp_path / "homework.ipynb", nbformat.writes(new_notebook()))
    assert main([str(homework), "--out", str(out)]) == 2
    assert "not one of the course's notebooks" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([str(empty), "--out", str(out)]) == 2
    assert "no course notebooks found" in capsys.readouterr().err
    assert main([str(homework), "--out", str(tmp_path / "no" / "grades.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main([str(homework), "--timeout", "0"]) == 2
    assert main([str(empty), "--chapters", "99_nothing"]) == 2
    assert "unknown chapter 99_nothing" in capsys.readouterr().err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "homework.ipynb"]


def test_nbgrader_source_metadata(tmp_path):
    """classroom/nbgrader/make_source.py: solution cells and graded, locked checker cells."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_source", ROOT / "classroom" / "nbgrader" / "make_source.py")
    make_source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_source)
    solution = (ROOT / "solutions" / "03_losses.ipynb").read_bytes()
    path = make_source.make_source(tmp_path, "03_losses", {"cross_entropy": 3})
    assert path == tmp_path / "source" / "03_losses" / "03_losses.ipynb"
    assert (ROOT / "solutions" / "03_losses.ipynb").read_bytes() == solution
    nb = nbformat.read(path, as_version=4)
    marks = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    tests = [m for m in marks if m.get("grade")]
    names = ["mse", "mse_grad", "bce", "bce_with_logits", "cross_entropy", "softmax_ce_grad",
             "smoothed_cross_entropy"]
    assert [t["grade_id"] for t in tests] == [f"check-{n}" for n in names]
    assert [t["points"] for t in tests] == [1, 1, 1, 1, 3, 1, 1]
    assert all(t["locked"] and not t["solution"] for t in tests)
    solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(solutions) == 7 and all("### BEGIN SOLUTION" in c.source for c in solutions)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)) == 14
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


def test_the_example_points_file_names_real_exercises():
    weights = report.load_points(ROOT / "classroom" / "points.example.toml")
    for chapter, table in weights.items():
        names = nbs.load_chapter(ROOT, chapter).names
        assert set(table) <= set(names), f"{chapter}: {set(table) - set(names)} are not exercises"
    chapter = nbs.load_chapter(ROOT, "03_losses", weights["03_losses"])
    assert sum(ex.points for ex in chapter.exercises) == 13
