"""How fast does the gradient-descent explorer (chapter 05) update? Kernel-side costs only.

- frame update: ``explorer.show_frame(k)``'s work (move the artists) plus a full
  ``fig.canvas.draw()`` on an Agg canvas (the rendering ipympl does), over 200 frames with 4
  optimizers racing. Budget: 30 ms, so that Play at 25 fps (40 ms per frame) is not limited by the
  kernel.
- frame sent: the same plus what ipympl then does before sending the frame to the browser
  (``get_diff_image``: compare with the previous frame, PNG-encode the changed pixels).
- full recompute: what a slider move costs (every path recomputed, the static backdrop re-rendered).

Usage: python benchmarks/bench_explorer.py   (prints a table; exits 1 if the frame budget is broken)
"""

import io
import sys
import time

import numpy as np
from PIL import Image

from course_lib.widgets.optimizers import OptimizerExplorer

FRAME_BUDGET_MS = 30.0
RACERS = ("SGD", "Momentum", "RMSprop", "Adam")


def stats(ms):
    ms = np.asarray(ms)
    return f"mean {ms.mean():6.2f}  median {np.median(ms):6.2f}  p95 {np.percentile(ms, 95):6.2f} ms"


def diff_png(canvas, last):
    """ipympl's ``get_diff_image``: the changed pixels (others transparent) as PNG bytes."""
    buff = np.asarray(canvas.buffer_rgba()).view(np.uint32).squeeze(2)
    output = buff if last is None else np.where(buff != last, buff, 0)
    with io.BytesIO() as png:
        Image.fromarray(output.view(np.uint8).reshape(*output.shape, 4)).save(png, format="png")
        return buff.copy(), len(png.getvalue())


def main():
    worst = 0.0
    print(f"explorer, {len(RACERS)} optimizers racing, Agg canvas at dpi 80")
    for surface in ("ravine", "rosenbrock", "saddle", "himmelblau", "beale"):
        ex = OptimizerExplorer(surface, optimizers=RACERS, interactive=False)
        n = ex.steps.value
        frames = np.linspace(0, n, 200).astype(int)
        ex.fig.canvas.draw()                                  # warm up: the backdrop is cached
        update = []
        for k in frames:
            t0 = time.perf_counter()
            ex.drawing.show(int(k))                           # what the slider's observer does,
            ex.step_text.set_text(f"step {k} / {n}")          # without draw_idle's own draw
            ex.fig.canvas.draw()
            update.append(1000 * (time.perf_counter() - t0))
        sent, sizes, last = [], [], None
        for k in frames:
            t0 = time.perf_counter()
            ex.drawing.show(int(k))
            ex.step_text.set_text(f"step {k} / {n}")
            ex.fig.canvas.draw()
            last, size = diff_png(ex.fig.canvas, last)
            sent.append(1000 * (time.perf_counter() - t0))
            sizes.append(size)
        recompute = []
        for lr in np.geomspace(0.5, 2.0, 5) * ex.lr.value:
            t0 = time.perf_counter()
            ex.lr.value = float(lr)                          # recompute + redraw, as a slider does
            recompute.append(1000 * (time.perf_counter() - t0))
        worst = max(worst, float(np.median(sent)))
        print(f"  {surface:<10} ({n:3d} steps)  frame update + draw: {stats(update)}")
        print(f"  {'':<10} {'':11s}  + diff PNG (as ipympl): {stats(sent)}  "
              f"({np.median(sizes) / 1024:.1f} kB per frame)")
        print(f"  {'':<10} {'':11s}  full recompute (slider): {stats(recompute)}")
    print(f"worst median frame (update + draw + diff PNG): {worst:.2f} ms (budget {FRAME_BUDGET_MS:.0f} ms; "
          f"{1000 / max(worst, 1e-9):.0f} frames/s possible kernel-side)")
    return 0 if worst < FRAME_BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
