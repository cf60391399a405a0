#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (network allowed).
# It installs the course into /autograder/venv and creates the unprivileged user `student` that
# runs the learners' code (see run_autograder).
set -euo pipefail
cd /autograder/source
source ./config.sh
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip git > /dev/null
if [ ! -d course ]; then
  if [ -z "${COURSE_GIT_URL}" ]; then
    echo "setup.sh: the zip has no course/ folder and config.sh sets no COURSE_GIT_URL" >&2
    exit 1
  fi
  git clone --quiet --depth 1 --branch "${COURSE_GIT_REF}" "${COURSE_GIT_URL}" course
fi
# Learners' code runs in this container: keep the solutions out of it. The grader then takes the
# canonical checker cells from the committed exercises/ notebooks.
rm -rf course/solutions
python3 -m venv /autograder/venv
(cd course && /autograder/venv/bin/python -m pip install --quiet -r requirements.txt)
# points.toml needs tomllib (Python 3.11+) or its backport
/autograder/venv/bin/python -c "import tomllib" 2>/dev/null \
  || /autograder/venv/bin/python -m pip install --quiet tomli
id -u student > /dev/null 2>&1 || useradd --create-home --shell /usr/sbin/nologin student
# Smoke test: the course's own unsolved exercises grade (as 'to do') in this image.
/autograder/venv/bin/python -m course_lib.grade course/exercises --course course \
  --chapters "${CHAPTERS}" --quiet
