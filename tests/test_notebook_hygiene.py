"""Rules every stored notebook follows, so the course stays readable, diffable and re-runnable."""

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("chapters", "solutions", "exercises")
NOTEBOOKS = [p for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.ipynb"))]
IDS = [f"{p.parent.name}/{p.name}" for p in NOTEBOOKS]
EXECUTED = [p for p in NOTEBOOKS if p.parent.name in ("chapters", "solutions")]

TITLE = re.compile(r"^# (\d\d[a-z]?) · \S.*")
MAX_BYTES = 2 * 1024 * 1024
#: what must never appear in a stored text output: machine paths and memory addresses
LEAKS = re.compile(r"(/tmp/|/root/|/home/|/work/|/Users/|[A-Z]:\\\\Users|site-packages"
                   r"|\b0x[0-9a-fA-F]{6,}\b)")
BASE64 = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def load(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def output_texts(cell):
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield out.text
        elif out.output_type == "error":
            yield "\n".join(out.get("traceback", [])) + out.get("evalue", "")
        else:
            for mime in TEXT_MIMES:
                if mime in out.get("data", {}):
                    value = out.data[mime]
                    yield BASE64.sub("", value if isinstance(value, str) else json.dumps(value))


def test_there_are_notebooks():
    assert (ROOT / "chapters" / "00_numpy.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_valid_nbformat_4_with_python3_kernel(path):
    nb = load(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_title_cell(path):
    first = load(path).cells[0]
    assert first.cell_type == "markdown"
    match = TITLE.match(first.source.splitlines()[0])
    assert match, f"first line should be '# NN · Topic', got {first.source.splitlines()[0]!r}"
    assert path.name.startswith(match.group(1)), "the title's number should match the file name"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_size(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"


@pytest.mark.parametrize("path", EXECUTED, ids=[f"{p.parent.name}/{p.name}" for p in EXECUTED])
def test_executed_once_in_order(path):
    counts = [c.execution_count for c in code_cells(load(path)) if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}"


@pytest.mark.parametrize("path", EXECUTED, ids=[f"{p.parent.name}/{p.name}" for p in EXECUTED])
def test_no_errors_or_warnings_in_outputs(path):
    for index, cell in enumerate(load(path).cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"cell {index}: stored error {out.get('ename')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"cell {index}: stderr output (a warning?): {out.text[:200]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_machine_paths_or_addresses(path):
    for index, cell in enumerate(load(path).cells):
        for text in output_texts(cell):
            leak = LEAKS.search(text)
            around = text[max(0, leak.start() - 60):leak.end() + 60] if leak else ""
            assert not leak, f"cell {index}: {leak.group(0)!r} in {around!r}"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "exercises"],
                         ids=[p.name for p in NOTEBOOKS if p.parent.name == "exercises"])
def test_exercises_are_stored_without_outputs(path):
    for cell in code_cells(load(path)):
        assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "solutions"],
                         ids=[p.name for p in NOTEBOOKS if p.parent.name == "solutions"])
def test_solutions_have_exercises_with_checkers(path):
    nb = load(path)
    blocks = sum(c.source.count("### BEGIN SOLUTION") for c in code_cells(nb))
    calls = sum(len(re.findall(r"^checks\.\w+\(", c.source, flags=re.M)) for c in code_cells(nb))
    assert blocks >= 4, f"{path.name}: {blocks} solution blocks, want at least 4"
    assert calls >= 4, f"{path.name}: {calls} checker calls, want at least 4"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "chapters"],
                         ids=[p.name for p in NOTEBOOKS if p.parent.name == "chapters"])
def test_every_chapter_has_solutions(path):
    assert (ROOT / "solutions" / path.name).exists(), f"solutions/{path.name} is missing"


@pytest.mark.parametrize("text", [
    "<course_lib.layers.Dense object at 0x7f3a2c1b9e50>",
    "File /tmp/ipykernel_1234/567.py:3",
    "/root/.venv/lib/python3.11/site-packages/numpy/core.py",
    "saved to /home/ada/course/fig.png",
])
def test_leak_pattern_catches_addresses_and_paths(text):
    assert LEAKS.search(text)


@pytest.mark.parametrize("text", ["accuracy 0.9533", "W (2, 64) float64", "loss 1e-08, lr 0x"])
def test_leak_pattern_lets_ordinary_output_through(text):
    assert not LEAKS.search(text)


def test_base64_images_are_not_searched_for_leaks():
    html = '<img src="data:image/png;base64,AAAA0x1234567890abcdef/tmp/="/>'
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": html})])
    assert not any(LEAKS.search(text) for text in output_texts(cell))


@pytest.mark.parametrize("line, ok", [("# 02 · Activation functions", True),
                                      ("# 04a · Backpropagation", True),
                                      ("# Activation functions", False),
                                      ("## 02 · Activations", False),
                                      ("# 2 · Activations", False), ("# 02 - Activations", False)])
def test_title_pattern(line, ok):
    assert bool(TITLE.match(line)) is ok
