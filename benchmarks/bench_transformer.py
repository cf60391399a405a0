"""Chapter 08's transformer reversing sequences of 8 digits: time, held-out accuracy, and PyTorch.

The issue's budget: held-out token accuracy >= 99% in <= 20 s, and at most 1.5x PyTorch's time
for the same model and schedule (float64, one thread each), aiming to be no slower.

Model: Embedding(10, 32) -> PositionalEncoding -> TransformerBlock(32, 2 heads, d_ff 64) ->
LayerNorm -> Dense(32, 10). Schedule: STEPS Adam steps (lr 3e-3) on fresh random batches of 64
sequences (the same seeded stream for both frameworks); accuracy on 2000 held-out sequences.
PyTorch's model starts from the very same weights (copied across, transposed where
``nn.Linear`` / ``nn.MultiheadAttention`` store them as (out, in)).

Run with PyTorch::

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /work/torch-venv/bin/python benchmarks/bench_transformer.py

Without torch importable the PyTorch column is skipped. Prints the best and the median of REPEATS
runs (the machine is shared); exits 1 when over budget.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread each, before NumPy / torch load BLAS

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from course_lib import layers as L  # noqa: E402
from course_lib.losses import CrossEntropyLoss  # noqa: E402
from course_lib.optim import Adam  # noqa: E402

T, V, D, HEADS, D_FF = 8, 10, 32, 2, 64
STEPS, BATCH, LR = 400, 64, 3e-3
BUDGET_S, TARGET, MAX_RATIO = 20.0, 0.99, 1.5
REPEATS = 3


def make_model(seed=0):
    return L.Sequential(L.Embedding(V, D, rng=seed), L.PositionalEncoding(T, D),
                        L.TransformerBlock(D, HEADS, D_FF, rng=seed + 1), L.LayerNorm(D),
                        L.Dense(D, V, rng=seed + 2))


def batches(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, V, size=(BATCH, T)) for _ in range(STEPS)]


def held_out(seed=1):
    return np.random.default_rng(seed).integers(0, V, size=(2000, T))


def run_numpy(data, X_test):
    model = make_model()
    opt, loss_fn = Adam(model, lr=LR), CrossEntropyLoss()
    start = time.perf_counter()
    for X in data:
        opt.zero_grad()
        loss_fn(model.forward(X), X[:, ::-1])
        model.backward(loss_fn.backward())
        opt.step()
    seconds = time.perf_counter() - start
    acc = float(np.mean(model.forward(X_test).argmax(-1) == X_test[:, ::-1]))
    return seconds, acc


def run_torch(data, X_test):
    import torch

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    nn = torch.nn
    ref = make_model()                                       # the same initial weights
    emb, pe, block, ln, head = ref.layers

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
            self.attn = nn.MultiheadAttention(D, HEADS, batch_first=True)
            self.ff = nn.Sequential(nn.Linear(D, D_FF), nn.GELU(approximate="tanh"),
                                    nn.Linear(D_FF, D))

        def forward(self, x):
            a = self.ln1(x)
            h = x + self.attn(a, a, a, need_weights=False)[0]
            return h + self.ff(self.ln2(h))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.block = nn.Embedding(V, D), Block()
            self.ln, self.out = nn.LayerNorm(D), nn.Linear(D, V)
            self.register_buffer("pe", torch.tensor(pe.pe[:T]))

        def forward(self, x):
            return self.out(self.ln(self.block(self.emb(x) + self.pe)))

    model = Model()
    t = torch.tensor
    with torch.no_grad():
        model.emb.weight.copy_(t(emb.params["W"]))
        a = block.attn.params
        model.block.attn.in_proj_weight.copy_(t(np.concatenate([a[f"W{c}"].T for c in "qkv"])))
        model.block.attn.in_proj_bias.copy_(t(np.concatenate([a[f"b{c}"] for c in "qkv"])))
        model.block.attn.out_proj.weight.copy_(t(a["Wo"].T))
        model.block.attn.out_proj.bias.copy_(t(a["bo"]))
        for tl, nl in ((model.block.ln1, block.ln1), (model.block.ln2, block.ln2), (model.ln, ln)):
            tl.weight.copy_(t(nl.params["gamma"]))
            tl.bias.copy_(t(nl.params["beta"]))
        for tl, nl in ((model.block.ff[0], block.ff[0]), (model.block.ff[2], block.ff[2]),
                       (model.out, head)):
            tl.weight.copy_(t(nl.params["W"].T))
            tl.bias.copy_(t(nl.params["b"]))
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=LR), nn.CrossEntropyLoss()
    data = [t(X) for X in data]
    start = time.perf_counter()
    for X in data:
        opt.zero_grad()
        loss = loss_fn(model(X).transpose(1, 2), X.flip(1))  # PyTorch wants (N, C, T)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        pred = model(t(X_test)).argmax(-1).numpy()
    return seconds, float(np.mean(pred == X_test[:, ::-1]))


def main():
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    data, X_test = batches(), held_out()
    ours, theirs = [], []
    for _ in range(REPEATS):                 # interleaved, so both see the same machine load
        ours.append(run_numpy(data, X_test))
        if have_torch:
            theirs.append(run_torch(data, X_test))

    def line(name, runs):
        times = [s for s, _ in runs]
        return (f"{name:8s} best {min(times):6.2f} s  median {statistics.median(times):6.2f} s  "
                f"held-out token accuracy {runs[0][1]:.2%}")

    print(f"reverse 8 digits: {STEPS} Adam steps x {BATCH} sequences, d_model {D}, {HEADS} heads, "
          f"d_ff {D_FF}, 1 block, float64, 1 thread, {REPEATS} runs")
    print(line("NumPy", ours))
    ok = min(s for s, _ in ours) <= BUDGET_S and ours[0][1] >= TARGET
    if have_torch:
        print(line("PyTorch", theirs))
        ratio = statistics.median(s for s, _ in ours) / statistics.median(s for s, _ in theirs)
        best_ratio = min(s for s, _ in ours) / min(s for s, _ in theirs)
        print(f"NumPy / PyTorch time: median {ratio:.2f}x, best {best_ratio:.2f}x "
              f"(budget {MAX_RATIO}x)")
        ok = ok and best_ratio <= MAX_RATIO
    else:
        print("PyTorch not importable: its column is skipped")
    print("within budget" if ok else f"OVER BUDGET (want >= {TARGET:.0%} in <= {BUDGET_S:.0f} s, "
          f"<= {MAX_RATIO}x PyTorch)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
