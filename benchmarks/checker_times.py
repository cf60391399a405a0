"""How long each exercise checker of chapters 00-05 takes (the issue asks for < 0.5 s each).

For every checker: the time on its first correct variant (a learner's passing run) and the slowest
of its table's mistakes (a failing run also runs the mistakes to name the one that matches).
Run: python benchmarks/checker_times.py
"""

import importlib
import time

CHAPTERS = ["ch00_numpy", "ch01_perceptron", "ch02_activations", "ch03_losses", "ch04_backprop",
            "ch05_optimizers"]


def timed(check, fn):
    start = time.perf_counter()
    check(fn, strict=False, quiet=True)
    return time.perf_counter() - start


def main():
    worst = 0.0
    print(f"{'checker':24s} {'passing run':>12s} {'slowest wrong run':>18s}")
    for chapter in CHAPTERS:
        module = importlib.import_module(f"course_lib.checks.{chapter}")
        for name in module.__all__:
            check = getattr(module, name)
            timed(check, check.correct[0])  # warm-up: the reference's outcomes are cached
            ok = timed(check, check.correct[0])
            bad = max(timed(check, wrong) for wrong in check.mistakes.values())
            worst = max(worst, ok, bad)
            print(f"{name:24s} {ok * 1000:10.1f} ms {bad * 1000:16.1f} ms")
    print(f"slowest run of any checker: {worst * 1000:.1f} ms")


if __name__ == "__main__":
    main()
