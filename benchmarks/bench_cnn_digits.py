"""Chapter 07's CNN on the 8x8 digits: held-out accuracy and training time, against PyTorch.

    python benchmarks/bench_cnn_digits.py [--repeats 3]
    PYTHONPATH=. /path/to/torch-venv/bin/python benchmarks/bench_cnn_digits.py   # adds PyTorch

Targets (issue 12): held-out accuracy >= 98 % and training <= 10 s on a 2-core machine; with
PyTorch importable, the same architecture, initial weights, minibatch order and Adam schedule are
trained in PyTorch (float64, one thread) in the same run, and the ratio of the two times is printed
(target: at most 1.5x PyTorch's time). Both trainings start from the very same weights, so the
script also prints how far apart the two trained models end up (a correctness check of the whole
forward/backward/Adam chain against a reference framework). Each timing is repeated; the best and
the median are printed, because the machine may be shared.
"""

import argparse
import os
import statistics
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the same budget for NumPy and PyTorch

import numpy as np  # noqa: E402

from course_lib import data, losses, optim, training  # noqa: E402
from course_lib import layers as L  # noqa: E402

EPOCHS, BATCH, LR, SEED = 20, 32, 3e-3, 0


def make_cnn(rng):
    """The chapter's CNN: (N, 1, 8, 8) -> 10 scores; 2 conv blocks, then one dense layer."""
    return L.Sequential(
        L.Conv2d(1, 16, 3, padding=1, rng=rng), L.ReLU(), L.MaxPool2d(2),    # (N, 16, 4, 4)
        L.Conv2d(16, 32, 3, padding=1, rng=rng), L.ReLU(), L.MaxPool2d(2),   # (N, 32, 2, 2)
        L.Flatten(), L.Dense(32 * 2 * 2, 10, rng=rng))                        # (N, 10)


def train_numpy(split, seed):
    X_train, X_test, y_train, y_test = split
    model = make_cnn(np.random.default_rng(seed))
    initial = {k: v.copy() for k, v in model.params.items()}
    start, cpu = time.perf_counter(), time.process_time()
    training.fit(model, losses.CrossEntropyLoss(), X_train, y_train, epochs=EPOCHS,
                 batch_size=BATCH, optimizer=optim.Adam(model, lr=LR), rng=seed)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    acc = float(np.mean(training.predict(model, X_test) == y_test))
    return (seconds, cpu), acc, initial, model


def train_torch(split, seed, initial):
    """The same network, weights, batches (fit's permutations) and Adam in PyTorch, float64."""
    import torch
    from torch import nn

    torch.set_num_threads(1)
    X_train, X_test, y_train, y_test = split
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(128, 10)).double()
    with torch.no_grad():
        for i in (0, 3):
            net[i].weight.copy_(torch.from_numpy(initial[f"{i}.W"]))
            net[i].bias.copy_(torch.from_numpy(initial[f"{i}.b"]))
        net[7].weight.copy_(torch.from_numpy(initial["7.W"].T))   # ours is (D_in, D_out)
        net[7].bias.copy_(torch.from_numpy(initial["7.b"]))
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train)
    rng = np.random.default_rng(seed)                   # fit's minibatch order, draw for draw
    orders = [torch.from_numpy(rng.permutation(len(X_train))) for _ in range(EPOCHS)]
    start, cpu = time.perf_counter(), time.process_time()
    for order in orders:
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            opt.zero_grad()
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with torch.no_grad():
        acc = float((net(torch.from_numpy(X_test)).argmax(1).numpy() == y_test).mean())
    trained = {"0.W": net[0].weight, "3.W": net[3].weight, "7.W": net[7].weight.T}
    return (seconds, cpu), acc, {k: v.detach().numpy() for k, v in trained.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed trainings per framework")
    args = parser.parse_args()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    split = data.digits(test_size=0.25, rng=SEED)
    print(f"digits: {len(split[0])} training / {len(split[1])} held-out images; CNN "
          f"{make_cnn(0).layers[0]!r} ... {EPOCHS} epochs, batch {BATCH}, Adam lr {LR}")
    ours, theirs = [], []
    for r in range(args.repeats):
        (seconds, cpu), acc, initial, model = train_numpy(split, SEED)
        ours.append((seconds, cpu))
        line = f"run {r + 1}: NumPy {seconds:5.2f} s (CPU {cpu:5.2f} s) accuracy {acc:.4f}"
        if have_torch:
            (t_seconds, t_cpu), t_acc, t_params = train_torch(split, SEED, initial)
            theirs.append((t_seconds, t_cpu))
            drift = max(float(np.max(np.abs(model.params[k] - v))) for k, v in t_params.items())
            line += (f" | PyTorch {t_seconds:5.2f} s (CPU {t_cpu:5.2f} s) accuracy {t_acc:.4f}"
                     f" | max |weight difference| {drift:.1e}")
        print(line)
    n_params = sum(p.size for p, _ in make_cnn(0).parameters())
    print(f"parameters: {n_params}; held-out accuracy {acc:.4f} (target >= 0.98)")

    def summary(name, runs):
        wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
        print(f"{name} training wall time: best {min(wall):.2f} s, median "
              f"{statistics.median(wall):.2f} s; CPU time: best {min(cpu):.2f} s, median "
              f"{statistics.median(cpu):.2f} s")
        return wall, cpu

    wall, cpu = summary("NumPy  ", ours)
    print("        (target: <= 10 s)")
    if have_torch:
        t_wall, t_cpu = summary("PyTorch", theirs)
        ratios = [a / b for a, b in zip(wall, t_wall)]
        print(f"NumPy / PyTorch wall time: best-to-best {min(wall) / min(t_wall):.2f}x, median of "
              f"per-run ratios {statistics.median(ratios):.2f}x; CPU time best-to-best "
              f"{min(cpu) / min(t_cpu):.2f}x (target <= 1.5x)")
    else:
        print("PyTorch not importable: no comparison column")

if __name__ == "__main__":
    main()
