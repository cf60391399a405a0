"""Grading throughput: 30 submissions of one chapter with ``--jobs 2``, in notebooks per second.

Usage: python benchmarks/bench_grade.py [--chapter 03_losses] [--n 30] [--jobs 2] [--repeat 2]

The class is a mix of solved (solutions/) and untouched (generated exercises) notebooks, written to
a temporary folder. Each repeat runs the real command (``python -m course_lib.grade``, a fresh
process, so its start-up counts) and prints the wall time and notebooks per second; the machine's
load average is printed too, because other work on the cores changes the figure, and the CPU time
per notebook (grader and kernels), which it does not. Exits 1 when
even the best run grades fewer than 1 notebook per second.
"""

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def make_class(folder, chapter, n):
    from course_lib.exercises import build_notebook

    solved = nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", as_version=4)
    unsolved = build_notebook(solved, chapter)
    for i in range(n):
        path = folder / f"learner{i:02d}" / f"{chapter}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(solved if i % 2 == 0 else unsolved, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chapter", default="03_losses")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    rates, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        subs = Path(tmp) / "submissions"
        make_class(subs, args.chapter, args.n)
        print(f"{args.n} submissions of {args.chapter}, --jobs {args.jobs}, {os.cpu_count()} CPUs")
        for run in range(args.repeat):
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "course_lib.grade",
                    str(subs),
                    "--out",
                    str(Path(tmp) / "grades.csv"),
                    "--jobs",
                    str(args.jobs),
                    "--quiet",
                ],
                env=env,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / args.n
            if done.returncode != 0:
                print(done.stdout, done.stderr)
                return 1
            with open(Path(tmp) / "grades.csv", newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            passed = sum(row["status"] == "passed" for row in rows)
            expected = 6 * ((args.n + 1) // 2) if args.chapter == "03_losses" else passed
            if passed != expected:   # the solved half must pass: say what went wrong instead
                odd = [r for r in rows if r["status"] not in ("passed", "todo")]
                print(f"  {expected - passed} exercises of solved notebooks did not pass, e.g. "
                      f"{odd[0]['learner']} {odd[0]['exercise']}: {odd[0]['status']}: "
                      f"{odd[0]['message']}" if odd else "")
            rates.append(args.n / seconds)
            print(
                f"run {run + 1}: {seconds:6.1f} s  {args.n / seconds:5.2f} notebooks/s  "
                f"{cpu:4.2f} CPU s/notebook  ({passed} exercises passed, "
                f"load average before {load:.1f})"
            )
            cpus.append(cpu)
    idle = min(args.jobs, os.cpu_count() or 1) / min(cpus)
    print(f"best {max(rates):.2f} notebooks/s, worst {min(rates):.2f} (budget: best >= 1); "
          f"{min(cpus):.2f} CPU s per notebook: about {idle:.1f} notebooks/s on idle cores")
    return 0 if max(rates) >= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
