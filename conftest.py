"""pytest set-up shared by the unit tests and nbval.

- Solutions and chapters run with strict exercise checks (COURSE_STRICT=1): a ❌ or ⏳ line raises,
  so a broken solution fails CI. The kernels nbval starts inherit this environment.
- nbval does not compare ``stderr``: a warning's text holds a kernel temp path that changes every
  run. Stored notebooks must not contain stderr at all; tests/test_notebook_hygiene.py checks that.
"""

import os

os.environ["COURSE_STRICT"] = "1"
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # kernels inherit it; see the Makefile


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb" and hasattr(collector, "skip_compare"):
        collector.skip_compare = tuple(collector.skip_compare) + ("stderr",)
