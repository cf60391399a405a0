"""What does each course widget cost the kernel? Build time and one recompute (a control change),
and the bytes of the one synced update the page receives. Playing costs the kernel nothing: the
page draws the frames (measured in the browser by tests/browser, >= 50 distinct frames/s).

Usage: python benchmarks/bench_widgets.py   (prints a table; exits 1 if a median recompute is
over the budget: a control change should show within a second)
"""

import sys
import time

import numpy as np

from course_lib import data
from course_lib.layers import Dense, ReLU, Sequential
from course_lib.losses import CrossEntropyLoss
from course_lib.training import Snapshots, fit
from course_lib.widgets import (
    ActivationExplorer,
    EWAExplorer,
    OptimizerExplorer,
    PerceptronWidget,
    TrainingAnimation,
)

BUDGET_MS = 1000.0
REPEATS = 3


def sent_bytes(state):
    if isinstance(state, bytes):
        return len(state)
    if isinstance(state, dict):
        return sum(sent_bytes(v) for v in state.values())
    if isinstance(state, list):
        return sum(sent_bytes(v) for v in state)
    return 0


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, 1000 * (time.perf_counter() - t0)


def main():
    X1, y1 = data.linearly_separable(50, margin=0.1, rng=0)
    X4, y4 = data.spiral(100, 3, rng=0)
    model = Sequential(Dense(2, 64, rng=1), ReLU(), Dense(64, 64, rng=2), ReLU(),
                       Dense(64, 3, rng=3))
    snaps = Snapshots(X4, resolution=80, at=np.unique(np.r_[0, np.geomspace(1, 300, 45).round()]))
    history = fit(model, CrossEntropyLoss(), X4, y4, epochs=300, lr=0.5, callbacks=[snaps])
    cases = [
        ("PerceptronWidget (01)", lambda: PerceptronWidget(X1, y1, lr=0.01, rng=1),
         lambda w, i: setattr(w.lr_slider, "value", [1.0, 0.1, 0.01][i % 3]), "lr slider"),
        ("ActivationExplorer (02)", lambda: ActivationExplorer("sigmoid", x=1.0),
         lambda w, i: w.set_function(["relu", "tanh", "sigmoid"][i % 3]), "function menu"),
        ("TrainingAnimation (04a)", lambda: TrainingAnimation(snaps, X4, y4, history),
         None, "-"),
        ("EWAExplorer (05)", lambda: EWAExplorer(),
         lambda w, i: setattr(w.bias_correction, "value", not w.bias_correction.value),
         "bias checkbox"),
        ("OptimizerExplorer (05)", lambda: OptimizerExplorer("ravine"),
         lambda w, i: setattr(w.surface, "value", ["rosenbrock", "saddle", "ravine"][i % 3]),
         "surface menu"),
    ]
    worst = 0.0
    print(f"{'widget':<24} {'frames':>6} {'build':>9} {'recompute':>10}  {'control':<14} "
          f"{'sent':>9}")
    for name, build, change, control in cases:
        w, t_build = timed(build)
        recompute = []
        for i in range(REPEATS if change else 0):
            _, ms = timed(lambda: change(w, i))
            recompute.append(ms)
        med = float(np.median(recompute)) if recompute else float("nan")
        if recompute:
            worst = max(worst, med)
        shown = f"{med:7.0f} ms" if recompute else f"{'-':>10}"
        print(f"{name:<24} {w.player.n_frames:6d} {t_build:7.0f} ms "
              f"{shown}  {control:<14} {sent_bytes(w.player.scene) / 1024:6.0f} kB")
    print(f"worst median recompute: {worst:.0f} ms (budget {BUDGET_MS:.0f} ms)")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
