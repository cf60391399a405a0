"""What does a control change of the gradient-descent explorer (chapter 05) cost the kernel?

Frames no longer cost the kernel anything: the page plays them (``FramePlayer``). What is left
is the recompute after a control change, split into its parts:

- race: every selected optimizer's whole path (``course_lib.optim``, 4 optimizers);
- layers: the per-frame arrays (paths, heads, loss curves, step texts) as float32 buffers;
- backdrop: matplotlib renders the static layers (contours, axes, legend) to a PNG once;
- sent: the bytes of the one synced update (backdrop PNG + buffers).

Usage: python benchmarks/bench_explorer.py   (prints a table; exits 1 if the median recompute
breaks the budget: a control change should show its finished race within a second)
"""

import sys
import time

import numpy as np

from course_lib.widgets.optimizers import OptimizerExplorer, race

RECOMPUTE_BUDGET_MS = 1000.0
RACERS = ("SGD", "Momentum", "RMSprop", "Adam")


def stats(ms):
    ms = np.asarray(ms)
    return f"median {np.median(ms):7.1f}  max {ms.max():7.1f} ms"


def sent_bytes(state):
    total = 0
    for key, value in state.items():
        if isinstance(value, bytes):
            total += len(value)
        elif isinstance(value, dict):
            total += sent_bytes(value)
        elif isinstance(value, list):
            total += sum(sent_bytes(v) for v in value if isinstance(v, dict))
    return total


def main():
    worst = 0.0
    print(f"explorer, {len(RACERS)} optimizers racing; backdrop PNG at 2x the figure's 80 dpi")
    for surface in ("ravine", "rosenbrock", "saddle", "himmelblau", "beale"):
        ex = OptimizerExplorer(surface, optimizers=RACERS)
        n = ex.steps.value
        t_race, t_layers, t_png, t_total = [], [], [], []
        for lr in np.geomspace(0.5, 2.0, 5) * ex.lr.value:
            t0 = time.perf_counter()
            race(surface, list(RACERS), lr=float(lr), lr_adaptive=ex.lr_adaptive.value,
                 start=(ex.x0.value, ex.y0.value), steps=n, hyper=ex.hyper())
            t1 = time.perf_counter()
            ex.scene = ex._scene(n)
            t2 = time.perf_counter()
            ex.scene.backdrop_png()
            t3 = time.perf_counter()
            ex.lr.value = float(lr)               # the whole recompute, as the slider does it
            t4 = time.perf_counter()
            t_race.append(1000 * (t1 - t0))
            t_layers.append(1000 * (t2 - t1))
            t_png.append(1000 * (t3 - t2))
            t_total.append(1000 * (t4 - t3))
        size = sent_bytes(ex.player.scene)
        worst = max(worst, float(np.median(t_total)))
        print(f"  {surface:<10} ({n:4d} steps)  recompute: {stats(t_total)}   "
              f"(race {np.median(t_race):6.1f}, layers {np.median(t_layers):5.1f}, "
              f"backdrop PNG {np.median(t_png):6.1f} ms; {size / 1024:6.1f} kB sent once)")
    print(f"worst median recompute: {worst:.0f} ms (budget {RECOMPUTE_BUDGET_MS:.0f} ms); "
          f"playing costs the kernel nothing")
    return 0 if worst < RECOMPUTE_BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
