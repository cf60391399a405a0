"""The exercise pipeline: solutions/ -> exercises/ (build, drift check), the unsolved smoke run."""

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_lib import exercises as ex

ROOT = Path(__file__).resolve().parents[1]

SOLUTION_CODE = '''def relu(x):
    """ReLU."""
    ### BEGIN SOLUTION
    return np.maximum(x, 0)
    ### END SOLUTION

class Layer:
    def backward(self, dout):
        if True:
            ### BEGIN SOLUTION
            dx = dout * (self.x > 0)
            return dx
            ### END SOLUTION'''

EXERCISE_CODE = '''def relu(x):
    """ReLU."""
    # YOUR CODE HERE
    raise NotImplementedError()

class Layer:
    def backward(self, dout):
        if True:
            # YOUR CODE HERE
            raise NotImplementedError()'''


def make_solution(path, code=SOLUTION_CODE):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    cell = new_code_cell(code, execution_count=1, outputs=[new_output("stream", text="hi\n")])
    nb.cells = [new_markdown_cell("# 09 · Test"),
                cell,
                new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
                new_code_cell("checks.relu(relu)", execution_count=2)]
    nb.metadata["widgets"] = {"state": {}}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return nb


@pytest.fixture
def repo(tmp_path):
    make_solution(tmp_path / "solutions" / "09_test.ipynb")
    return tmp_path


def test_strip_keeps_indentation():
    assert ex.strip_solutions(SOLUTION_CODE) == EXERCISE_CODE


def test_strip_markdown():
    assert ex.strip_solutions("a\n### BEGIN SOLUTION\nb\n### END SOLUTION\nc", markdown=True) == \
        "a\nYOUR ANSWER HERE\nc"


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "without ### END SOLUTION"),
    ("x = 1\n### END SOLUTION", "without ### BEGIN SOLUTION"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_markers(source, message):
    with pytest.raises(ex.MarkerError, match=message):
        ex.strip_solutions(source)


def test_build_round_trip(repo):
    written = ex.build(repo)
    assert written == [repo / "exercises" / "09_test.ipynb"]
    nb = nbformat.read(written[0], as_version=4)
    nbformat.validate(nb)
    assert nb.cells[1].source == EXERCISE_CODE
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert nb.cells[2].source == "Why?\n\nYOUR ANSWER HERE"
    assert "widgets" not in nb.metadata
    assert nb.cells[0].source.startswith("# 09 · Test")
    assert "solutions/09_test.ipynb" in nb.cells[0].source
    # the cell ids stay those of the solution, so a rebuild is byte-identical
    solution = nbformat.read(repo / "solutions" / "09_test.ipynb", as_version=4)
    assert [c.id for c in nb.cells] == [c.id for c in solution.cells]
    assert ex.check(repo) == []
    text = written[0].read_text(encoding="utf-8")
    ex.build(repo)
    assert written[0].read_text(encoding="utf-8") == text


def test_drift_detected(repo):
    ex.build(repo)
    target = repo / "exercises" / "09_test.ipynb"
    nb = json.loads(target.read_text(encoding="utf-8"))
    nb["cells"][1]["source"] = "def relu(x):\n    return x  # edited by hand\n"
    target.write_text(json.dumps(nb), encoding="utf-8")
    source = repo / "solutions" / "09_test.ipynb"
    assert ex.check(repo) == [f"{target} differs from what {source} generates"]
    assert ex.main(["check", "--root", str(repo)]) == 1


def edit_solution(repo, old, new):
    path = repo / "solutions" / "09_test.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace(old, new)
    nbformat.write(nb, path)


def test_changed_solution_is_drift(repo):
    ex.build(repo)
    edit_solution(repo, "np.maximum", "np.fmax")
    assert ex.check(repo) == []  # the edit is inside a solution block: the exercise is unchanged
    edit_solution(repo, '"""ReLU."""', '"""Rectifier."""')
    assert len(ex.check(repo)) == 1


def test_missing_and_stray_exercises(repo):
    assert ex.check(repo) == [f"{repo / 'exercises' / '09_test.ipynb'} is missing"]
    (repo / "exercises").mkdir(exist_ok=True)
    (repo / "exercises" / "99_orphan.ipynb").write_text("{}", encoding="utf-8")
    ex.build(repo)
    orphan = repo / "exercises" / "99_orphan.ipynb"
    assert ex.check(repo) == [f"{orphan} has no solutions/99_orphan.ipynb source"]


def test_build_touches_only_generated_notebooks(repo):
    other = repo / "chapters" / "09_test.ipynb"
    make_solution(other)
    before = other.read_bytes()
    stray = repo / "exercises" / "notes.ipynb"
    stray.parent.mkdir(exist_ok=True)
    stray.write_text("{}", encoding="utf-8")
    ex.build(repo)
    assert other.read_bytes() == before
    assert stray.read_text(encoding="utf-8") == "{}"
    names = sorted(p.name for p in (repo / "exercises").iterdir())
    assert names == ["09_test.ipynb", "notes.ipynb"]


def test_committed_exercises_are_up_to_date():
    problems = ex.check(ROOT)
    assert problems == [], "\n".join(problems + ["run: python -m course_lib.exercises build"])


EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_unsolved_exercise_runs_without_exception(path, monkeypatch):
    """Top to bottom, unsolved: no exception, every checker says ⏳ (non-strict, as a learner)."""
    from nbclient import NotebookClient

    monkeypatch.delenv("COURSE_STRICT", raising=False)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on any exception
    lines = [line for cell in nb.cells if cell.cell_type == "code"
             for out in cell.outputs if out.output_type == "stream"
             for line in out.text.splitlines()]
    pending = [line for line in lines if line.startswith("⏳")]
    assert pending, f"{path.name}: no checker reported ⏳"
    judged = [line for line in lines if line.startswith(("✅", "❌"))]
    assert not judged, f"{path.name}: unsolved exercises should only give ⏳, got {judged}"


def test_there_are_exercise_notebooks_for_every_solution():
    assert {p.name for p in EXERCISES} == {p.name for p in (ROOT / "solutions").glob("*.ipynb")}


# -- whitespace variants: markers, line endings, final newlines ------------------------------------
@pytest.mark.parametrize("begin, end", [
    ("### BEGIN SOLUTION   ", "### END SOLUTION"),
    ("### BEGIN SOLUTION\t", "### END SOLUTION  "),
    ("### BEGIN SOLUTION", "### END SOLUTION \t "),
])
def test_markers_with_trailing_whitespace(begin, end):
    code = SOLUTION_CODE.replace("### BEGIN SOLUTION", begin).replace("### END SOLUTION", end)
    assert ex.strip_solutions(code) == EXERCISE_CODE
    md = f"a\n{begin}\nb\n{end}\nc"
    assert ex.strip_solutions(md, markdown=True) == "a\nYOUR ANSWER HERE\nc"


def test_crlf_source_keeps_crlf_everywhere():
    crlf = SOLUTION_CODE.replace("\n", "\r\n")
    out = ex.strip_solutions(crlf)
    assert out == EXERCISE_CODE.replace("\n", "\r\n")
    assert "\n" not in out.replace("\r\n", "")            # no bare \n mixed in
    md = ex.strip_solutions("a\r\n### BEGIN SOLUTION\r\nb\r\n### END SOLUTION\r\nc", markdown=True)
    assert md == "a\r\nYOUR ANSWER HERE\r\nc"


@pytest.mark.parametrize("tail", ["", "\n", "\n\n"])
def test_final_newline_after_the_end_marker_is_kept_as_it_was(tail):
    code = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION" + tail
    assert ex.strip_solutions(code) == \
        "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()" + tail


def test_no_markers_and_empty_source_unchanged():
    for source in ("", "\n", "x = 1", "x = 1\r\n", "# ### BEGIN SOLUTION is only a comment"):
        assert ex.strip_solutions(source) == source
        assert ex.strip_solutions(source, markdown=True) == source


def test_marker_line_numbers_in_errors():
    with pytest.raises(ex.MarkerError, match="line 3"):
        ex.strip_solutions("x = 1\ny = 2\n### END SOLUTION\n")


@pytest.mark.parametrize("edit", [
    lambda t: t.rstrip("\n"),                              # the final newline removed
    lambda t: t + "\n",                                    # one newline too many
    lambda t: t.replace("\n", "\r\n"),                     # CRLF line ends (an editor, git)
    lambda t: t.replace('"cells"', '"cells" ', 1),         # one trailing space
    lambda t: t.replace(' "', '  "', 1),                   # indentation changed
])
def test_whitespace_only_drift_is_reported(repo, edit):
    ex.build(repo)
    target = repo / "exercises" / "09_test.ipynb"
    text = target.read_bytes().decode("utf-8")
    assert text.endswith("}\n") and "\r" not in text
    target.write_bytes(edit(text).encode("utf-8"))
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(text)  # same content
    assert ex.check(repo) == [f"{target} differs from what "
                              f"{repo / 'solutions' / '09_test.ipynb'} generates"]
    ex.build(repo)                                          # build repairs it
    assert ex.check(repo) == [] and target.read_bytes().decode("utf-8") == text


def test_solution_with_crlf_and_trailing_space_markers_builds(repo):
    path = repo / "solutions" / "09_test.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = SOLUTION_CODE.replace("### BEGIN SOLUTION", "### BEGIN SOLUTION  ")
    nbformat.write(nb, path)
    ex.build(repo)
    built = nbformat.read(repo / "exercises" / "09_test.ipynb", as_version=4)
    assert built.cells[1].source == EXERCISE_CODE
    assert "SOLUTION" not in built.cells[1].source and "np.maximum" not in built.cells[1].source


def test_cell_metadata_that_belongs_to_a_run_is_dropped_tags_are_kept(repo):
    path = repo / "solutions" / "09_test.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].metadata.update({"execution": {"iopub.status.busy": "2026"}, "collapsed": True,
                                 "scrolled": True, "widgets": {"state": {}},
                                 "tags": ["nbval-ignore-output"]})
    nbformat.write(nb, path)
    ex.build(repo)
    built = nbformat.read(repo / "exercises" / "09_test.ipynb", as_version=4)
    assert dict(built.cells[1].metadata) == {"tags": ["nbval-ignore-output"]}
    assert all(c.get("execution_count") is None for c in built.cells if c.cell_type == "code")


def test_build_by_name_with_or_without_suffix_and_unknown_names(repo):
    make_solution(repo / "solutions" / "10_other.ipynb")
    assert ex.build(repo, ["09_test"]) == [repo / "exercises" / "09_test.ipynb"]
    assert ex.build(repo, ["10_other.ipynb"]) == [repo / "exercises" / "10_other.ipynb"]
    assert len(ex.build(repo, [])) == 2                        # no names: every notebook
    with pytest.raises(ValueError, match="no solutions/ notebook named 11_missing"):
        ex.build(repo, ["11_missing"])
    assert ex.main(["build", "11_missing", "--root", str(repo)]) == 2
    assert ex.main(["list", "--root", str(repo)]) == 0
