"""course_lib.grade on a class of realistic submissions, each in a real kernel.

The class is built from solutions/ (solved) and the generated exercises (untouched) and graded once
(--jobs 2): solved, untouched, partly wrong, one that hangs, one that tampers in every way the
grader guards against, a notebook that is not the course's. Every learner file is hashed before
and after, and the submissions folder must hold exactly the same files afterwards.
"""

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_lib.exercises import build_notebook
from course_lib.grade.grader import main

ROOT = Path(__file__).resolve().parents[1]
LOSSES = ["mse", "mse_grad", "bce", "bce_with_logits", "cross_entropy", "softmax_ce_grad",
          "smoothed_cross_entropy"]
TIMEOUT = 15   # seconds per notebook: chapter 03's exercises take 2-5 s here


def solved(name):
    return nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)


def unsolved(name):
    return build_notebook(solved(name), name)


def cell(nb, start):
    """The first cell whose source starts with ``start``."""
    return next(c for c in nb.cells if c.source.startswith(start))


def define(nb, name, body):
    """Replace the function cell of ``name`` (keeping its cell id, as Jupyter does)."""
    cell(nb, f"def {name}(").source = body


def after(nb, start, source):
    """Insert a new learner cell after the cell starting with ``start``."""
    nb.cells.insert(nb.cells.index(cell(nb, start)) + 1, new_code_cell(source))


def partly_wrong():
    nb = unsolved("03_losses")
    define(nb, "mse", cell(solved("03_losses"), "def mse(").source)
    define(nb, "mse_grad", "def mse_grad(pred, target):\n    return pred - target   # forgot 2/n")
    define(nb, "bce", "def bce(p, y, eps=1e-12):\n    return -np.mean(y * np.log(p)")  # syntax
    # solved, but its checker cell deleted: the course's checker passes it, no credit
    define(nb, "bce_with_logits", cell(solved("03_losses"), "def bce_with_logits(").source)
    nb.cells.remove(cell(nb, "checks.bce_with_logits("))
    # solved, its checker cell only commented: full credit
    define(nb, "softmax_ce_grad", cell(solved("03_losses"), "def softmax_ce_grad(").source)
    cell(nb, "checks.softmax_ce_grad(").source = "checks.softmax_ce_grad(softmax_ce_grad)  # done!"
    nb.cells.insert(3, new_code_cell("scratch = [1, 2, 3]\nprint('trying things out')"))
    return nb


def hangs():
    nb = unsolved("03_losses")
    define(nb, "mse", cell(solved("03_losses"), "def mse(").source)
    after(nb, "checks.mse(mse)", "while True:\n    pass")
    return nb


def tampers():
    nb = unsolved("03_losses")
    # mse: the checker replaced by a fake that prints a ✅ line
    after(nb, "def mse(", "checks.mse = lambda fn: print('✅ passed · mse: 4 checks passed')")
    # mse_grad: solved, and its checker cell edited into a fake line (same cell id)
    define(nb, "mse_grad", cell(solved("03_losses"), "def mse_grad(").source)
    cell(nb, "checks.mse_grad(").source = "print('✅ passed · mse_grad: 4 checks passed')"
    # bce: the checker cell deleted, a fake line printed elsewhere
    nb.cells.remove(cell(nb, "checks.bce("))
    after(nb, "def bce(", "print('✅ passed · bce: 7 checks passed')")
    # bce_with_logits: the function runs the real checker on the library's loss from inside
    define(nb, "bce_with_logits", (
        "def bce_with_logits(z, y):\n"
        "    from course_lib.losses import BCEWithLogitsLoss\n"
        "    checks.bce_with_logits(lambda z, y: BCEWithLogitsLoss()(z, y))\n"
        "    return 0.0"))
    # cross_entropy and everything after: numpy patched so that every comparison succeeds
    after(nb, "checks.bce_with_logits(", "np.allclose = lambda *args, **kwargs: True\n"
                                         "np.array_equal = lambda *args, **kwargs: True")
    return nb


def patches_in_place():
    """Tampering that keeps every object's identity: a checker's attribute, a function's code."""
    nb = unsolved("00_numpy")
    after(nb, "def broadcast_shape(", (
        "target = checks.broadcast_shape\n"
        "key = next(k for k in vars(target) if not k.startswith('__'))\n"
        "setattr(target, key, None)"))
    # a fake record written straight into the grader's results file, before the check runs
    after(nb, "def accuracy_from_scores(", (
        "import json, sys\n"
        "probe = sys.modules['course_lib.grade.probe']._probe\n"
        "fake = {'exercise': 'accuracy_from_scores', 'token': None, 'tampering': None,\n"
        "        'results': [['passed', '5 checks']]}\n"
        "probe.out.write(json.dumps(fake) + '\\n')\n"
        "probe.out.flush()"))
    after(nb, "checks.accuracy_from_scores(", (
        "from course_lib.checks import core\n"
        "core.add_listener.__code__ = (lambda cb: cb).__code__"))
    return nb


def kernel_dies():
    nb = unsolved("03_losses")
    define(nb, "mse", cell(solved("03_losses"), "def mse(").source)
    after(nb, "checks.mse(mse)", "import os\nos._exit(3)")
    return nb


def listener_removed():
    nb = solved("00_numpy")
    after(nb, "import numpy", (
        "import sys\n"
        "from course_lib.checks import core\n"
        "core.remove_listener(sys.modules['course_lib.grade.probe']._probe._listen)"))
    return nb


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def hashes(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    subs = base / "submissions"
    write(solved("03_losses"), subs / "alice" / "03_losses.ipynb")
    write(unsolved("03_losses"), subs / "bob" / "03_losses.ipynb")
    write(partly_wrong(), subs / "carol" / "03_losses.ipynb")
    write(hangs(), subs / "dave" / "03_losses.ipynb")
    write(tampers(), subs / "eve" / "03_losses.ipynb")
    write(listener_removed(), subs / "frank" / "00_numpy.ipynb")
    write(kernel_dies(), subs / "hal" / "03_losses.ipynb")
    write(patches_in_place(), subs / "ivan" / "00_numpy.ipynb")
    notes = new_notebook(cells=[new_code_cell("print('my own notes')")])
    write(notes, subs / "frank" / "notes.ipynb")
    write(new_notebook(cells=[new_code_cell("print(42)")]), subs / "gina" / "03_losses.ipynb")
    before = hashes(subs)
    out = base / "out" / "grades.csv"
    out.parent.mkdir()
    status = main([str(subs), "--out", str(out), "--jobs", "2", "--timeout", str(TIMEOUT),
                   "--quiet"])
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {"status": status, "rows": rows, "before": before, "after": hashes(subs), "subs": subs}


def statuses(graded, learner):
    return {r["exercise"]: r["status"] for r in graded["rows"] if r["learner"] == learner}


def row(graded, learner, exercise):
    return next(r for r in graded["rows"] if (r["learner"], r["exercise"]) == (learner, exercise))


def test_grading_ran_and_learner_files_are_untouched(graded):
    assert graded["status"] == 0
    assert graded["after"] == graded["before"]          # same files, same bytes: nothing written
    learners = sorted({r["learner"] for r in graded["rows"]})
    assert learners == ["alice", "bob", "carol", "dave", "eve", "frank", "gina", "hal", "ivan"]
    assert all(list(r) == ["learner", "chapter", "exercise", "status", "points", "message"]
               for r in graded["rows"])


def test_solved_and_untouched(graded):
    assert statuses(graded, "alice") == dict.fromkeys(LOSSES, "passed")
    assert {r["points"] for r in graded["rows"] if r["learner"] == "alice"} == {"1"}
    assert statuses(graded, "bob") == dict.fromkeys(LOSSES, "todo")
    assert row(graded, "bob", "mse")["points"] == "0"
    assert "NotImplementedError" in row(graded, "bob", "mse")["message"]


def test_partly_wrong(graded):
    assert statuses(graded, "carol") == {"mse": "passed", "mse_grad": "wrong", "bce": "error",
                                         "bce_with_logits": "error", "cross_entropy": "todo",
                                         "softmax_ce_grad": "passed",
                                         "smoothed_cross_entropy": "todo"}
    deleted = row(graded, "carol", "bce_with_logits")
    assert deleted["points"] == "0" and deleted["message"].startswith(
        "no credit: your checker cell was deleted. The course's checker, put back, says: ")
    assert "`checks.bce_with_logits(bce_with_logits)`" in deleted["message"]
    assert "NameError" in row(graded, "carol", "bce")["message"]
    assert "SyntaxError" in row(graded, "carol", "bce")["message"]   # the cause, from its cell
    assert row(graded, "carol", "mse_grad")["message"]               # the checker's explanation


def test_a_hanging_notebook_times_out_and_keeps_what_ran(graded):
    got = statuses(graded, "dave")
    assert got["mse"] == "passed"
    assert [got[name] for name in LOSSES[1:]] == ["timeout"] * (len(LOSSES) - 1)
    assert f"{TIMEOUT} s" in row(graded, "dave", "mse_grad")["message"]


def test_a_kernel_that_dies_keeps_what_ran(graded):
    got = statuses(graded, "hal")
    assert got["mse"] == "passed"
    assert [got[name] for name in LOSSES[1:]] == ["error"] * (len(LOSSES) - 1)
    assert "the kernel died" in row(graded, "hal", "bce")["message"]


def test_tampering_gives_no_credit(graded):
    got = statuses(graded, "eve")
    assert "passed" not in got.values()
    assert got["mse"] == "error"
    assert "checks.mse was replaced" in row(graded, "eve", "mse")["message"]
    # an edited checker cell: no credit even for a right function
    assert got["mse_grad"] == "error"
    assert "no credit: your checker cell was edited" in row(graded, "eve", "mse_grad")["message"]
    # a deleted one: the course's checker, put back, tells what is wrong with the function
    assert got["bce"] == "todo" and "deleted" in row(graded, "eve", "bce")["message"]
    assert got["bce_with_logits"] == "error"
    assert "more than once" in row(graded, "eve", "bce_with_logits")["message"]
    for name in ("cross_entropy", "softmax_ce_grad"):
        assert got[name] == "error" and "numpy.a" in row(graded, "eve", name)["message"]


def test_a_removed_listener_gives_no_credit(graded):
    got = statuses(graded, "frank")
    assert set(got) == {"broadcast_shape", "accuracy_from_scores", "normalize_rows",
                        "dense_forward", "pairwise_sq_distances"}
    assert set(got.values()) == {"error"}
    message = row(graded, "frank", "dense_forward")["message"]
    assert "listeners" in message or "reported nothing" in message


def test_patching_in_place_gives_no_credit(graded):
    got = statuses(graded, "ivan")
    assert got["broadcast_shape"] == "error"
    assert "checks.broadcast_shape." in row(graded, "ivan", "broadcast_shape")["message"]
    # a planted results line lacks the check's token: the real result counts
    assert got["accuracy_from_scores"] == "todo"
    for name in ("normalize_rows", "dense_forward", "pairwise_sq_distances"):
        assert got[name] == "error"
        assert "add_listener was replaced" in row(graded, "ivan", name)["message"]


def test_a_foreign_notebook_under_a_course_name(graded):
    assert statuses(graded, "gina") == dict.fromkeys(LOSSES, "error")
    assert "not one of the course's notebooks" in row(graded, "gina", "mse")["message"]


def test_progress_report_for_a_learner(tmp_path, capsys):
    mine = tmp_path / "exercises"
    nb = unsolved("03_losses")
    define(nb, "mse", cell(solved("03_losses"), "def mse(").source)
    define(nb, "mse_grad", "def mse_grad(pred, target):\n    return pred - target")
    write(nb, mine / "03_losses.ipynb")
    before = hashes(mine)
    assert main([str(mine), "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["chapter", "passed", "wrong", "to", "do", "error", "timeout",
                              "missing", "points"]
    assert out[2].split() == ["03_losses", "1", "1", "5", "0", "0", "0", "1/7"]
    assert out[3].startswith("03_losses · mse_grad: wrong: ")
    assert len(out) == 4                       # the to-do exercises are counted, not listed
    assert hashes(mine) == before


GRADESCOPE = ROOT / "classroom" / "gradescope"


def test_gradescope_autograder_results_and_weights(tmp_path):
    """classroom/gradescope/run_autograder outside Gradescope (AUTOGRADER, PYTHON overridden; not
    as the `student` user): an assignment of two chapters with weights, one handed in."""
    source = tmp_path / "source"
    source.mkdir()
    config = (GRADESCOPE / "config.sh").read_text(encoding="utf-8")
    (source / "config.sh").write_text(config.replace('CHAPTERS="03_losses"',
                                                     'CHAPTERS="03_losses,00_numpy"'))
    (source / "points.toml").write_text("[03_losses]\nmse = 2\ncross_entropy = 3\nbce = 0.5\n")
    (source / "course").symlink_to(ROOT)
    nb = unsolved("03_losses")
    for name in ("mse", "cross_entropy"):
        define(nb, name, cell(solved("03_losses"), f"def {name}(").source)
    write(nb, tmp_path / "submission" / "03_losses.ipynb")
    before = hashes(tmp_path / "submission")
    env = dict(os.environ, AUTOGRADER=str(tmp_path), PYTHON=sys.executable, RUN_AS_STUDENT="0")
    done = subprocess.run(["bash", str(GRADESCOPE / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert hashes(tmp_path / "submission") == before
    assert "03_losses" in done.stdout                       # the summary table, for the log
    data = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert data["score"] == 5.0
    tests = {t["name"]: t for t in data["tests"]}
    mse = tests["03_losses · mse"]
    assert mse == {"name": "03_losses · mse", "score": 2.0, "max_score": 2.0, "status": "passed",
                   "output": mse["output"]}
    assert mse["output"].startswith("passed: ") and "checks" in mse["output"]
    assert tests["03_losses · bce"]["max_score"] == 0.5 and tests["03_losses · bce"]["score"] == 0
    assert tests["03_losses · cross_entropy"]["score"] == 3.0
    assert tests["03_losses · mse_grad"]["output"].startswith("to do: ")
    # 00_numpy was expected and not handed in: missing, graded without running anything
    assert tests["00_numpy · dense_forward"]["output"] == "missing: no 00_numpy.ipynb handed in"
    assert len(tests) == len(LOSSES) + 5
    # a submission the grader refuses still gets a results.json that says why
    stray = new_notebook(cells=[new_code_cell("print(1)")])
    write(stray, tmp_path / "submission" / "x_03_losses.ipynb")
    subprocess.run(["bash", str(GRADESCOPE / "run_autograder")], env=env, capture_output=True,
                   timeout=120, check=True)
    data = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert data["score"] == 0 and "one NN_topic.ipynb per chapter" in data["output"]
