"""Chapter 04a's spiral training: time and training accuracy (the issue's budget: >= 95% in < 10 s).

The same model, data, seeds and schedule as the notebook: Dense(2,64)-ReLU-Dense(64,64)-ReLU-
Dense(64,3), full batch, plain SGD with lr 0.5 for 300 epochs, with the decision-boundary
snapshots the animation uses. Prints the median over a few runs; exits 1 when over budget.
"""

import statistics
import sys
import time

import numpy as np

from course_lib import data
from course_lib.layers import Dense, ReLU, Sequential
from course_lib.losses import CrossEntropyLoss
from course_lib.training import Snapshots, accuracy, fit

BUDGET_S, TARGET = 10.0, 0.95


def run():
    X, y = data.spiral(100, 3, rng=0)
    model = Sequential(Dense(2, 64, rng=1), ReLU(), Dense(64, 64, rng=2), ReLU(),
                       Dense(64, 3, rng=3))
    at = np.unique(np.r_[0, np.geomspace(1, 300, 45).round()])
    snapshots = Snapshots(X, resolution=80, at=at)
    start = time.perf_counter()
    fit(model, CrossEntropyLoss(), X, y, epochs=300, lr=0.5, callbacks=[snapshots])
    return time.perf_counter() - start, accuracy(model.forward(X), y)


def main():
    results = [run() for _ in range(5)]
    seconds = statistics.median(t for t, _ in results)
    acc = results[0][1]
    print(f"spiral (300 points, 3 classes), 300 epochs with snapshots: median {seconds:.2f} s over "
          f"{len(results)} runs, training accuracy {acc:.1%}")
    ok = seconds < BUDGET_S and acc >= TARGET
    print("within budget" if ok else f"OVER BUDGET (want >= {TARGET:.0%} in < {BUDGET_S:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
