"""Chapter 08's widget: attention heatmaps changing as a transformer trains.

``AttentionPlayer(frames, steps, tokens)`` plays the saved attention weights of one example
sequence, one heatmap per head, in the browser (a :class:`~course_lib.widgets.base.FramePlayer`);
``frames_figure([...])`` draws chosen frames as a static matplotlib figure for the page that
reads without a kernel.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize

from ..plots import finish
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["AttentionPlayer"]


def _check_frames(frames, steps, tokens):
    frames = np.asarray(frames, dtype=np.float64)
    if frames.ndim != 4 or frames.shape[2] != frames.shape[3] or 0 in frames.shape:
        raise ValueError(f"AttentionPlayer: expected frames of shape (F, H, T, T), got "
                         f"{frames.shape}")
    n_frames, _, t, _ = frames.shape
    steps = [int(s) for s in steps]
    if len(steps) != n_frames:
        raise ValueError(f"AttentionPlayer: expected {n_frames} steps (one per frame), got "
                         f"{len(steps)}")
    tokens = [str(int(tok)) if np.ndim(tok) == 0 and not isinstance(tok, str) else str(tok)
              for tok in tokens]
    if len(tokens) != t:
        raise ValueError(f"AttentionPlayer: expected {t} tokens (one per position), got "
                         f"{len(tokens)}")
    return frames, steps, tokens


class AttentionPlayer(CourseWidget):
    """Attention weights of one sequence during training, one heatmap per head.

    - frames: (F, H, T, T) weights saved at F training steps (rows: query positions, columns:
      key positions; each row sums to 1), e.g. ``model[2].attention[0]`` after a ``forward``.
    - steps: F ints, the training step of each frame (the readout shows them).
    - tokens: the T input tokens, written along the key axis.
    - title: what the model learns, for the panel titles.

    ``draw()`` shows the frames from the first; Play, pause, step, scrub and speed run in the page.
    """

    def __init__(self, frames, steps, tokens, *, title="attention", fps=8.0):
        self.frames, self.steps, self.tokens = _check_frames(frames, steps, tokens)
        self.title = str(title)
        n_heads, t = self.frames.shape[1], self.frames.shape[2]
        self.fig = static_figure((3.0 * n_heads + 0.9, 3.3))
        gs = self.fig.add_gridspec(1, n_heads + 1, width_ratios=[1] * n_heads + [0.06])
        self.axes = [self.fig.add_subplot(gs[0, h]) for h in range(n_heads)]
        labels = [f"step {s}" for s in self.steps]
        self.scene = Scene(self.fig, labels=labels)
        for h, ax in enumerate(self.axes):
            ax.set_xlim(-0.5, t - 0.5)
            ax.set_ylim(-0.5, t - 0.5)
            ax.set_xticks(range(t), self.tokens)
            ax.set_yticks(range(t), [str(q) for q in range(t)][::-1])   # query 0 on top
            ax.grid(False)
            finish(ax, f"{self.title}: head {h}", "key (input token)", "query position")
            # row 0 of a scene image is at the bottom: flip so query 0 sits on top, as in imshow
            self.scene.image(ax, self.frames[:, h, ::-1, :], (-0.5, t - 0.5, -0.5, t - 0.5),
                             cmap="viridis", vmin=0.0, vmax=1.0)
        self.fig.colorbar(ScalarMappable(Normalize(0, 1), "viridis"), cax=self.fig.add_subplot(
            gs[0, n_heads]), label="attention weight")
        self.player = FramePlayer(self.scene, fps=fps, alt=f"attention heatmaps, {self.title}")
        self._assemble(self.player)

    def draw(self):
        """Show the frames again from the first (one synced update)."""
        self.player.show(self.scene, frame=0)

    def frames_figure(self, indices):
        """A static figure (pyplot, shown inline) of the frames ``indices``: heads in rows."""
        idx = [range(len(self.steps))[i] for i in indices]
        n_heads, t = self.frames.shape[1], self.frames.shape[2]
        fig, axes = plt.subplots(n_heads, len(idx), figsize=(2.6 * len(idx), 2.9 * n_heads),
                                 squeeze=False, constrained_layout=True)
        for h in range(n_heads):
            for j, k in enumerate(idx):
                ax = axes[h, j]
                im = ax.imshow(self.frames[k, h], vmin=0.0, vmax=1.0, cmap="viridis")
                ax.set_xticks(range(t), self.tokens)
                ax.set_yticks(range(t))
                ax.grid(False)
                finish(ax, f"head {h}, step {self.steps[k]}", "key (input token)", "query")
        fig.colorbar(im, ax=axes, label="attention weight", shrink=0.8)
        fig.suptitle(f"Attention while {self.title}")
        return fig

    def _repr_state(self):
        f, h, t, _ = self.frames.shape
        return f"{f} frames, {h} heads, T={t}"
