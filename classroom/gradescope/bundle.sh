#!/usr/bin/env bash
# Build build/gradescope.zip (upload it as the assignment's autograder): setup.sh, run_autograder,
# config.sh, points.toml if present, and the course itself from git HEAD, without solutions/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
out="${root}/build/gradescope"
rm -rf "${out}" "${root}/build/gradescope.zip"
mkdir -p "${out}/course"
cp "${here}/setup.sh" "${here}/run_autograder" "${here}/config.sh" "${out}/"
entries=(setup.sh run_autograder config.sh course)
if [ -f "${here}/points.toml" ]; then cp "${here}/points.toml" "${out}/"; entries+=(points.toml); fi
git -C "${root}" archive HEAD course_lib exercises jupyter pyproject.toml requirements.txt README.md \
  | tar -x -C "${out}/course"
(cd "${out}" && python3 -m zipfile -c ../gradescope.zip "${entries[@]}")
echo "wrote ${root}/build/gradescope.zip (chapters: $(. "${here}/config.sh"; echo "${CHAPTERS}"))"
