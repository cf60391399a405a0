"""The grading command: find submissions, plan them, run them, report.

python -m course_lib.grade PATH... --out grades.csv [--timeout S] [--jobs N]
                                   [--gradescope results.json] [--points points.toml]
python -m course_lib.grade exercises/          # a learner's own progress, nothing written
"""

import argparse
import os
import sys
from pathlib import Path

from . import notebooks, report
from .notebooks import GradeError

COURSE_ROOT = Path(__file__).resolve().parents[2]


def grade(
    paths,
    *,
    out=None,
    timeout=120.0,
    jobs=1,
    gradescope=None,
    points=None,
    chapters=None,
    course=None,
    progress=True,
    warn=None,
):
    """Grade the notebooks under ``paths``.

    Returns ``[(learner, Chapter, [(Exercise, status, message), ...]), ...]``.

    ``out``: CSV path; ``gradescope``: results.json path (one learner only); ``points``: a points
    file; ``chapters``: chapter names every learner is expected to hand in (absent ones are
    ``missing``; others are not graded). Learners' files are read, never written.
    """
    if timeout <= 0:
        raise GradeError(f"--timeout must be > 0 seconds, got {timeout:g}")
    if jobs < 1:
        raise GradeError(f"--jobs must be >= 1, got {jobs}")
    for option, target in (("--out", out), ("--gradescope", gradescope)):
        if target and not Path(target).resolve().parent.is_dir():
            raise GradeError(f"{option} {target}: the folder {Path(target).parent} does not exist")
    warn = warn or (lambda text: print(text, file=sys.stderr))
    root = Path(course or COURSE_ROOT)
    known = notebooks.chapter_names(root)
    if not known:
        raise GradeError(f"no course at {root}: expected solutions/ or exercises/ notebooks there")
    wanted = list(chapters or [])
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise GradeError(f"unknown chapter {', '.join(unknown)}: the course has {', '.join(known)}")
    weights = report.load_points(points) if points else {}
    cache = {}

    def chapter(name):
        if name not in cache:
            cache[name] = notebooks.load_chapter(root, name, weights.get(name))
        return cache[name]

    ids = {}

    def identify(path):  # a notebook whose name names no chapter: by its cells' ids
        if not ids:
            for name in known:
                try:
                    ids[name] = chapter(name).cell_ids
                except (GradeError, ValueError, OSError):  # a chapter being written: skip it
                    continue
        return notebooks.chapter_by_content(path, ids)

    subs = notebooks.find_submissions(paths, known, warn=warn, identify=identify)
    if wanted:
        subs = [s for s in subs if s.chapter in wanted]
    learners = sorted({s.learner for s in subs}) or (["submission"] if wanted else [])
    if not subs and not wanted:
        raise GradeError(f"no course notebooks found in {', '.join(str(p) for p in paths)}")
    if gradescope and len(learners) > 1:
        raise GradeError(
            f"--gradescope grades one learner, but the notebooks' names point to {len(learners)} "
            f"({', '.join(learners[:5])}): hand in one NN_topic.ipynb per chapter"
        )
    results, jobs_to_run = {}, []
    for sub in subs:
        ch = chapter(sub.chapter)
        data = sub.path.read_bytes()  # learners' files are read, never written
        try:
            nb = notebooks.read_submission(data, ch, sub.path)
        except GradeError as exc:
            results[(sub.learner, sub.chapter)] = {
                ex.name: ("error", str(exc)) for ex in ch.exercises
            }
            warn(str(exc))
            continue
        plan = notebooks.plan(nb, ch)
        results[(sub.learner, sub.chapter)] = {
            name: ("missing", "the exercise is not in the notebook") for name in plan.missing
        }
        if any(kind == "check" for kind, _ in plan.steps):
            jobs_to_run.append(((sub.learner, sub.chapter, plan), plan, ch))
    for learner in learners:
        for name in wanted:
            if (learner, name) not in results:
                results[(learner, name)] = {
                    ex.name: ("missing", f"no {name}.ipynb handed in")
                    for ex in chapter(name).exercises
                }

    bar = _progress(len(jobs_to_run), progress)

    def done(key, graded):
        learner, name, plan = key
        for exercise, (status, message) in graded.items():
            results[(learner, name)][exercise] = _no_credit(
                status, message, plan.changed.get(exercise), chapter(name), exercise
            )
        bar.update(1)

    from .runner import run_all  # nbclient only when something runs

    run_all(jobs_to_run, timeout, jobs, done)
    bar.close()
    table = []
    for learner, name in sorted(results, key=lambda k: (k[0], k[1])):
        ch, graded = chapter(name), results[(learner, name)]
        table.append(
            (
                learner,
                ch,
                [(ex, *graded.get(ex.name, ("error", "not graded"))) for ex in ch.exercises],
            )
        )
    if out:
        report.write_csv(report.rows_of(table), out)
    if gradescope:
        report.write_gradescope(table, gradescope)
    return table


def _no_credit(status, message, change, ch, exercise):
    """An edited or deleted checker cell earns nothing, whatever the course's checker found."""
    if change is None:
        return status, message
    source = next(ex.source for ex in ch.exercises if ex.name == exercise)
    if status != "passed":
        return status, f"{message} (your checker cell was {change}: the course's ran instead)"
    return "error", (
        f"no credit: your checker cell was {change}. The course's checker, put back, "
        f"says: {message}. Restore the cell `{source}` to get the credit."
    )


def _progress(total, enabled):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc="grading",
        unit="notebook",
        disable=not enabled or total == 0,
        file=sys.stderr,
        leave=False,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grade",
        description="Grade learners' notebooks with the course's own checkers (fresh kernel per "
        "notebook, on a temporary copy). Without --out: print a progress table.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of them")
    parser.add_argument("--out", help="write one CSV row per learner x exercise")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds per notebook (default 120)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="notebooks graded at once (default: CPU count, at most 4)",
    )
    parser.add_argument(
        "--gradescope", metavar="RESULTS_JSON", help="write Gradescope's results.json"
    )
    parser.add_argument(
        "--points", help="exercise weights: a TOML or JSON file (see classroom/README.md)"
    )
    parser.add_argument(
        "--chapters",
        help="comma-separated chapters every learner must hand in "
        "(the others are not graded; absent ones are 'missing')",
    )
    parser.add_argument(
        "--course", help="the course's folder (default: where course_lib is installed)"
    )
    parser.add_argument(
        "--details", action="store_true", help="also list every exercise not passed"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        table = grade(
            args.paths,
            out=args.out,
            timeout=args.timeout,
            jobs=args.jobs,
            gradescope=args.gradescope,
            points=args.points,
            chapters=[c.strip() for c in args.chapters.split(",") if c.strip()]
            if args.chapters
            else None,
            course=args.course,
            progress=not args.quiet,
        )
    except GradeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        report.summary(table, details="all" if args.details else None if args.out else "problems")
    )
    if args.out:
        print(f"wrote {args.out}")
    if args.gradescope:
        print(f"wrote {args.gradescope}")
    return 0
