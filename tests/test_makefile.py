"""The Makefile's .venv health check (issue 15, item 23): which state it reports, without pip.

Each case builds a fake ``.venv`` in a temporary folder next to a copy of the Makefile, whose
``bin/python`` is a small shell script, and reads the ``VENV_STATE`` make computes.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

# a stand-in python: fails on "import pip" when NO_PIP exists, reports course_lib's folder
FAKE_PYTHON = """#!/bin/sh
here=$(cd "$(dirname "$0")/.." && pwd)
case "$*" in
  *"import pip"*) [ ! -e "$here/NO_PIP" ];;
  *"import course_lib"*) [ "$(cat "$here/COURSE_LIB")" = "$4" ];;
  *) exit 0;;
esac
"""


def venv_state(folder):
    out = subprocess.run(["make", "-s", "-p", "-n", "-f", "Makefile", "setup"], cwd=folder,
                         capture_output=True, text=True, timeout=60).stdout
    return next(line.split(":=")[1].strip() for line in out.splitlines()
                if line.startswith("VENV_STATE :="))


@pytest.fixture
def repo(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    return tmp_path


def make_venv(repo, python=True, pip=True, pip_path=None, course_lib=None, stamp=True):
    bin_dir = repo / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    if python:
        (bin_dir / "python").write_text(FAKE_PYTHON)
        (bin_dir / "python").chmod(0o755)
    else:
        (bin_dir / "python").symlink_to("/nonexistent/python3")     # the system python is gone
    if not pip:
        (repo / ".venv" / "NO_PIP").touch()
    (bin_dir / "pip").write_text(f"#!{pip_path or repo / '.venv/bin/python'}3\n")
    (repo / ".venv" / "COURSE_LIB").write_text(str(course_lib or repo / "course_lib"))
    if stamp:
        (repo / ".venv" / ".installed").touch()


def test_no_venv_yet(repo):
    assert venv_state(repo) == "none"


def test_healthy_venv(repo):
    make_venv(repo)
    assert venv_state(repo) == "ok"


def test_python_gone(repo):
    make_venv(repo, python=False)
    assert venv_state(repo) == "no-python"


def test_venv_without_pip(repo):
    make_venv(repo, pip=False)
    assert venv_state(repo) == "no-pip"


def test_moved_checkout_scripts_point_elsewhere(repo):
    make_venv(repo, pip_path="/old/checkout/.venv/bin/python")
    assert venv_state(repo) == "moved"


def test_moved_checkout_editable_install_points_elsewhere(repo):
    make_venv(repo, course_lib="/old/checkout/course_lib")
    assert venv_state(repo) == "moved"


def test_a_broken_venv_forces_the_rebuild_recipe(repo):
    make_venv(repo, python=False)
    for name in ("requirements.txt", "pyproject.toml", "jupyter/overrides.json"):
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).touch()
    (repo / ".venv" / ".installed").touch()                     # newer than its prerequisites
    dry = subprocess.run(["make", "-n", "setup"], cwd=repo, capture_output=True, text=True,
                         timeout=60).stdout
    assert "rebuilding it from scratch" in dry and "rm -rf .venv" in dry
